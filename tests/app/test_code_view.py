"""The lessons' "Python" view (app/code_view.py, app/code_view_mlp.py): it shows the engine's own
source, line for line with the file's numbers, and for a graph step the function that made the
step's op; the lines it marks exist."""
from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest

from app import chain_rule_model as chain
from app import code_view, code_view_mlp
from app import matrix_form_model as matrix
from app.matrix_form_model import lesson_steps as matrix_steps
from app.step_through_model import PRESETS, Network, lesson_steps, preset_values
from app.step_through_model import STATE as STEP_STATE
from engine.graph import Value, linear

ROOT = Path(__file__).resolve().parents[2]


def file_lines(path: str) -> list[str]:
    return (ROOT / path).read_text(encoding="utf-8").split("\n")


def assert_is_the_engine_source(listing: code_view.Listing):
    """Every numbered line is the file's line of that number; each heading names the file."""
    path = None
    for line, number in zip(listing.text.split("\n"), listing.line_numbers, strict=True):
        if line.startswith(("# engine/", "# app/")) and not number:
            path = line[2:].split(":")[0]
        elif number:
            assert file_lines(path)[int(number) - 1] == line, f"{path}:{number} is not {line!r}"
    assert listing.marked and all(listing.line_numbers[i - 1] for i in listing.marked), "marks a heading or nothing"


def one_of_each_op() -> list[Value]:
    x, y = Value(0.5, "x"), Value(2.0, "y")
    return [x + y, x - y, x * y, x / y, -x, x ** 2, x ** y, x.exp(), x.log(), x.sin(), x.cos(),
            x.tanh(), x.sigmoid(), x.relu(), x.leaky_relu(), x.identity(), x.sigmoid().bce(1.0),
            x.squared_error(1.0), linear([x], [y], Value(0.1, "b"))]


@pytest.mark.parametrize("node", one_of_each_op(), ids=lambda node: f"{node.op}/{len(node.parents)}")
def test_a_forward_step_shows_the_function_that_made_its_op(node):
    listing = code_view.value_step("forward", node)
    assert_is_the_engine_source(listing)
    # The function shown builds nodes of this op: _node("*", ...), or an activation or loss by name.
    assert f'_node("{node.op}"' in listing.text or (
        "_node(name" in listing.text and f'"{node.op}": (' in listing.text), listing.text
    # A backward step adds backward() at the chain rule, marked.
    backward = code_view.value_step("backward", node)
    assert_is_the_engine_source(backward)
    assert backward.names[-1] == "Value.backward"
    marked = [backward.text.split("\n")[i - 1] for i in backward.marked]
    assert code_view.CHAIN_RULE_LINE in marked[-1]
    if node.op != "linear":     # a long op scrolls to its local derivatives instead (test below)
        assert backward.focus == backward.marked[-1], "the view scrolls to the chain rule"


def test_the_start_of_the_backward_pass_and_a_leaf():
    start = code_view.value_step("backward", None)
    assert start.names == ("Value.backward",)
    assert [start.text.split("\n")[i - 1].strip() for i in start.marked] == ["self.grad = 1.0"]
    leaf = code_view.value_step("forward", None)
    assert leaf.names == ("Value.__init__",) and len(leaf.marked) == 2


def test_every_step_of_lesson_2_has_engine_code():
    for name in PRESETS:
        network = Network(preset_values(name, STEP_STATE.defaults()))
        for step in lesson_steps(network):
            if step.phase == "update":
                listing = code_view.update_step()
            else:
                label = step.node if step.phase == "forward" else network.step("backward", step.node).inputs[0]
                listing = code_view.value_step(step.phase, network.nodes.get(label))
            assert_is_the_engine_source(listing)


def matrix_lines_that_computed(state) -> dict[int, set[str]]:
    """Run lesson 5's run(state) line by line: for each line of app/matrix_form_model.py, the
    matrices (keys of run's `v`, and X) that it assigned."""
    computed, before = {}, {"line": None, "values": {}}

    def local(frame, event, arg):
        values = {**frame.f_locals.get("v", {}), **({"X": frame.f_locals["X"]} if "X" in frame.f_locals else {})}
        changed = {key for key, value in values.items() if before["values"].get(key) is not value}
        if before["line"] is not None and changed:
            computed.setdefault(before["line"], set()).update(changed)
        before["line"], before["values"] = frame.f_lineno, dict(values)
        return local

    def calls(frame, event, arg):
        return local if frame.f_code is matrix.run.__code__ else None

    sys.settrace(calls)
    try:
        matrix.run(state)
    finally:
        sys.settrace(None)
    return computed


@pytest.mark.parametrize("hidden", ["tanh", "relu"])
def test_every_matrix_step_marks_the_lines_of_run_that_computed_its_matrix(hidden):
    """Lesson 5's numbers are run()'s: the view shows run() and marks, for each step, the lines
    that assigned the step's matrix (found by running it), and the functions those lines call."""
    state = {**matrix.STATE.defaults(), "hidden": hidden}
    computed = matrix_lines_that_computed(state)
    run_length = len(inspect.getsourcelines(matrix.run)[0])
    for step in matrix_steps(hidden):
        listing = code_view_mlp.matrix_step(step.result, hidden)
        assert_is_the_engine_source(listing)
        assert listing.names[0] == "run"
        # run()'s lines are the listing's lines 2 .. run_length + 1 (line 1 is its heading).
        marked = {int(listing.line_numbers[i - 1]) for i in listing.marked if i <= run_length + 1}
        made_here = {line for line, keys in computed.items() if step.result in keys}
        assert made_here and made_here <= marked, f"{step.result}: run() computes it on lines {made_here}"
        assert all(computed.get(line) for line in marked), f"{step.result}: a marked line computes nothing"
    assert {step.result for step in matrix_steps(hidden)} == set(code_view_mlp.RUN_LINES)
    # The activation's line of engine/registry.py (its value and derivative) under the H1 and δ1 steps.
    for key in ("H1", "d1"):
        assert f"ACTIVATIONS[{hidden!r}]" in code_view_mlp.matrix_step(key, hidden).names


def test_lessons_3_and_4_show_the_engine_functions_they_run():
    stats = code_view_mlp.gradient_statistics()
    assert_is_the_engine_source(stats)
    assert stats.names == ("MLP.gradient_stats_in_slices", "MLP._stats_from_gradients")
    assert len(stats.marked) == 3
    training = code_view_mlp.training_step()
    assert_is_the_engine_source(training)
    assert training.names == ("MLP.loss_and_grads", "MLP._forward", "MLP._backward", "MLP.train_batch")


def test_a_backward_step_through_linear_marks_the_lines_of_its_local_derivatives():
    view = code_view.graph_step("backward", "linear", 5)
    lines = view.text.split("\n")
    marked = [lines[n - 1].strip() for n in view.marked]
    assert any(line.startswith("local += [x.data, w.data]") for line in marked)   # ∂z/∂w = x, ∂z/∂x = w
    assert "local.append(1.0)" in marked and code_view.CHAIN_RULE_LINE in " ".join(marked)
    assert not any(line.startswith("data +=") for line in marked)                  # the forward value is not it
    assert lines[view.focus - 1 if view.focus else view.marked[0] - 1].strip().startswith("local +=")  # in view
    forward = code_view.graph_step("forward", "linear", 5)
    assert any(forward.text.split("\n")[n - 1].strip().startswith("data +=") for n in forward.marked)


# ---------------------------------------------------------------- lesson 1: what computed each panel

def engine_run(compute):
    """compute(), and what the engine ran for it: every engine function that was called, as
    (file, first line), and for each node made, the function that made it (the caller of
    engine.graph._node), by the node's label once the graph is traced."""
    ran, made = set(), []

    def profile(frame, event, arg):
        code = frame.f_code
        path = Path(code.co_filename).resolve()
        if event == "call" and path.is_relative_to(ROOT / "engine"):
            ran.add((path.relative_to(ROOT).as_posix(), code.co_firstlineno))
        elif event == "return" and code.co_name == "_node" and path == ROOT / "engine" / "graph.py":
            made.append((arg, frame.f_back.f_code.co_qualname))

    sys.setprofile(profile)
    try:
        result = compute()
    finally:
        sys.setprofile(None)
    return result, ran, {node.label: maker for node, maker in made}


def shown_functions(listing: code_view.Listing) -> list[tuple[str, str, int]]:
    """(file, name, first line) of each function the listing shows."""
    shown, lines = [], listing.text.split("\n")
    for i, (line, number) in enumerate(zip(lines, listing.line_numbers)):
        if not number and line.startswith("# "):
            path, name = line[2:].split(": ", 1)
            shown.append((path, name, int(listing.line_numbers[i + 1])))
    return shown


def assert_shows_what_computed(listing, ran, makers, nodes, also=("Value.backward",)):
    """The listing is the engine's source (line for line); every function in it ran while the
    panel's numbers were computed; and it has the function that made each of `nodes` (their
    values and local derivatives) and the functions in `also`."""
    assert_is_the_engine_source(listing)
    for path, name, first in shown_functions(listing):
        assert (path, first) in ran, f"{name} is shown, but it did not run for this panel"
    wanted = {makers[key] for key in nodes if key in makers} | set(also)
    assert wanted <= set(listing.names), f"{wanted - set(listing.names)} computed the panel but are not shown"


def test_panel_1_shows_the_ops_and_backward_that_computed_the_chosen_node():
    graph, ran, makers = engine_run(lambda: chain.classic_graph(-2.0, 5.0, -4.0))
    assert makers == {"q": "Value.__add__", "f": "Value.__mul__"}
    for key in graph.nodes:
        derivation = chain.derive(graph, key)   # what the panel shows for the node
        children = [c.key for c in graph.nodes.values() if key in c.inputs]
        listing = code_view.chosen_node(graph, key)
        if key == "f":
            assert_shows_what_computed(listing, ran, makers, ["f"])
            assert [line.strip() for line in marked_lines(listing)][-1] == "self.grad = 1.0"
        else:
            assert_shows_what_computed(listing, ran, makers, [key, *children])
            assert code_view.CHAIN_RULE_LINE in marked_lines(listing)[-1]
        assert derivation.total == graph.grad(key)
    # x's local derivative ∂q/∂x = 1 is Value.__add__'s: the op of q, the node that uses x (an input
    # has no op of its own); the view scrolls to the chain rule, with the op above it.
    assert code_view.chosen_node(graph, "x").names == ("Value.__add__", "Value.backward")
    assert code_view.chosen_node(graph, "q").names == ("Value.__add__", "Value.__mul__", "Value.backward")
    x = code_view.chosen_node(graph, "x")
    assert code_view.CHAIN_RULE_LINE in x.text.split("\n")[x.focus - 1]


def marked_lines(listing):
    lines = listing.text.split("\n")
    return [lines[i - 1] for i in listing.marked]


@pytest.mark.parametrize("inner", sorted(chain.UNARY_FUNCTIONS))
def test_panel_2_shows_the_ops_of_u_and_y_and_backward(inner):
    for outer in chain.UNARY_FUNCTIONS:
        composition, ran, makers = engine_run(lambda outer=outer: chain.compose(inner, outer, 0.7))
        listing = code_view.graph_ops(composition.graph)
        assert_shows_what_computed(listing, ran, makers, ["u", "y"])
        assert code_view.CHAIN_RULE_LINE in marked_lines(listing)[-1]


def test_panel_3_shows_the_three_ops_backward_and_the_finite_difference():
    result, ran, makers = engine_run(lambda: chain.lockstep(0.7))
    assert [makers[key] for key in ("u", "v", "f")] == ["Value.__pow__", "Value._activation", "Value.__pow__"]
    listing = code_view.graph_ops(result.graph, check=True)
    assert_shows_what_computed(listing, ran, makers, ["u", "v", "f"], also=("Value.backward", "finite_difference"))
    assert listing.names == ("Value.__pow__", "Value.tanh", "Value._activation", "ACTIVATIONS['tanh']",
                             "Value.backward", "finite_difference")
    assert listing.names.count("Value.__pow__") == 1    # u = x² and f = v² are one function, shown once
    # The same at every x (x = 0 included, where the graph still has all three ops): the page builds it once.
    assert all(code_view.graph_ops(chain.lockstep(x).graph, check=True) == listing for x in (-4.0, -1.3, 0.0, 3.9))


@pytest.mark.parametrize("text", [text for text, _ in chain.PRESETS] + ["x**x", "3*x + y/z"])
def test_panel_5_shows_the_ops_and_backward_that_computed_each_node(text):
    expression = chain.check_expression(text)
    graph, ran, makers = engine_run(lambda: chain.expression_graph(expression, {"x": 0.7, "y": 1.5, "z": -0.5}))
    for key, node in graph.nodes.items():
        listing = code_view.chosen_node(graph, key)
        if node.constant:
            assert listing.names == ("Value.__init__",)
            continue
        children = [c.key for c in graph.nodes.values() if key in c.inputs]
        assert_shows_what_computed(listing, ran, makers, [key, *children])
    if text == "x**x":      # a node power: Value._power made it, with ∂/∂b = aᵇ·log a
        assert "Value._power" in code_view.chosen_node(graph, "x").names
