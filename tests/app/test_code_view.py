"""The lessons' "Python" view (app/code_view.py, app/code_view_mlp.py): it shows the engine's own
source, line for line with the file's numbers, and for a graph step the function that made the
step's op; the lines it marks exist."""
from __future__ import annotations

from pathlib import Path

import pytest

from app import code_view, code_view_mlp
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
        if line.startswith("# engine/") and not number:
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


@pytest.mark.parametrize("hidden", ["tanh", "relu"])
def test_every_matrix_step_marks_each_of_its_engine_lines(hidden):
    for step in matrix_steps(hidden):
        listing = code_view_mlp.matrix_step(step.result)
        assert_is_the_engine_source(listing)
        marked = [listing.text.split("\n")[i - 1] for i in listing.marked]
        for text in code_view_mlp.MATRIX_LINES.get(step.result, ()):
            assert any(text in line for line in marked), f"{step.result}: no line of the engine has {text!r}"
    assert {step.result for step in matrix_steps(hidden)} - set(code_view_mlp.MATRIX_LINES) == {"W1_new"}


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
