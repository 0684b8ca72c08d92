"""The chain-rule page's logic in CPython: the numbers the issue lists, derivations that
agree with the engine's gradients, the animated backward pass, URL state.  The pictures are
tested in test_chain_rule_draw.py."""
import math
import re

import pytest

from app import chain_rule_model as model
from app.state import FloatProp
from engine.parser import MAX_LENGTH, ParseError
from engine.text import fixed, plain

# ---------------------------------------------------------------- panel 1


def test_classic_graph_values_and_gradients():
    graph = model.classic_graph(-2, 5, -4)
    assert graph.value("q") == 3 and graph.value("f") == -12
    assert {k: graph.grad(k) for k in "xyzqf"} == {"x": -4, "y": -4, "z": 3, "q": -4, "f": 1}


def test_derivation_of_x_is_the_product_down_the_path():
    derivation = model.derive(model.classic_graph(-2, 5, -4), "x")
    # grad x = ∂f/∂q · ∂q/∂x = z · 1, with numbers: the gradient is the product of local derivatives.
    assert derivation.tex == (r"\operatorname{grad} x = \frac{\partial f}{\partial q} \cdot "
                              r"\frac{\partial q}{\partial x} = z \cdot 1 = (-4) \cdot 1 = -4")
    assert derivation.text == "grad x = ∂f/∂q · ∂q/∂x = (−4) · 1 = −4"
    assert [p.keys for p in derivation.paths] == [("x", "q", "f")]
    assert [model.local_tex(f) for f in derivation.local] == [r"\frac{\partial q}{\partial x} = 1"]


def test_derivation_of_one_step_and_of_the_output():
    graph = model.classic_graph(-2, 5, -4)
    assert model.derive(graph, "q").tex == r"\operatorname{grad} q = \frac{\partial f}{\partial q} = z = -4"
    assert model.derive(graph, "z").text == "grad z = ∂f/∂z = 3"
    output = model.derive(graph, "f")
    assert output.tex == r"\operatorname{grad} f = 1" and output.local == ()


@pytest.mark.parametrize("text", ["x*y + x", "tanh(x**2) * x + sin(x) / y", "sigmoid(x*y + z) * x", "x*x*x"])
def test_path_products_add_up_to_the_engine_gradient(text):
    graph = model.expression_graph(model.check_expression(text), {"x": 0.7, "y": -1.3, "z": 0.4})
    for leaf in graph.leaves():
        derivation = model.derive(graph, leaf.key)
        assert math.isclose(sum(p.value for p in derivation.paths), graph.grad(leaf.key), rel_tol=1e-12, abs_tol=1e-15)


def test_two_paths_are_shown_and_added():
    graph = model.expression_graph(model.check_expression("x*y + x"), {"x": 2, "y": 3, "z": 0})
    derivation = model.derive(graph, "x")
    assert sorted(p.keys for p in derivation.paths) == [("x", "f"), ("x", "v1", "f")]
    assert derivation.text == "grad x = 1 + 1 · 3 = 4"
    assert r"\underbrace{1 \cdot y}_{x \to v_{1} \to f}" in derivation.tex
    assert derivation.tex.endswith("= 4")


def test_many_paths_are_summarised():
    graph = model.expression_graph(model.check_expression(" + ".join(["x"] * 9) + " * y"), {"x": 1, "y": 1})
    derivation = model.derive(graph, "x")
    # The first x + x is one node that uses x twice: one path whose local derivative is 1 + 1.
    assert len(derivation.paths) == 8 and "(2 more paths)" in derivation.text
    assert derivation.total == 9


def test_constants_are_nodes_without_gradient():
    graph = model.expression_graph(model.check_expression("3*x"), {"x": 2})
    (constant,) = [n for n in graph.nodes.values() if n.constant]
    assert constant.label == "3" and constant.value == 3
    assert "does not need its gradient" in model.derive(graph, constant.key).explanation


# ---------------------------------------------------------------- panel 2


def test_default_composition():
    c = model.compose("times3", "square", 2.0)
    assert (c.u, c.y, c.du_dx.value, c.dy_du.value, c.dy_dx) == (6, 36, 3, 12, 36)
    assert c.formula == "y = f(g(x)) = (3x)²" and (c.u_tex, c.y_tex) == ("u = 3x", "y = u^{2}")
    assert c.product_text() == "dy/dx = dy/du · du/dx = 12 · 3 = 36"
    assert model.local_tex(c.dy_du, model.ordinary("y", "u")) == r"\frac{dy}{du} = 2u = 2(6) = 12"
    assert model.local_tex(c.du_dx) == r"\frac{\partial u}{\partial x} = 3"


@pytest.mark.parametrize("inner", list(model.UNARY_FUNCTIONS))
@pytest.mark.parametrize("outer", list(model.UNARY_FUNCTIONS))
def test_every_composition_multiplies_its_local_derivatives(inner, outer):
    c = model.compose(inner, outer, 0.8)
    if math.isnan(c.y):  # log(log(0.8)): outside log's domain, so no derivative either
        assert math.isnan(c.dy_dx) and math.isnan(c.dy_du.value) and c.notes
        return
    assert math.isclose(c.dy_dx, c.dy_du.value * c.du_dx.value, rel_tol=1e-12, abs_tol=1e-300)


def test_outside_the_domain_the_composition_has_no_value_and_no_derivative():
    """Panel 2, y = log(3x) at x = −2: not "undefined" beside dy/du = −0.1667 and dy/dx = −0.5."""
    c = model.compose("times3", "log", -2.0)
    assert plain(c.u) == "−6" and plain(c.du_dx.value) == "3"      # u = 3x is fine
    assert [plain(v) for v in (c.y, c.dy_du.value, c.dy_dx)] == ["undefined"] * 3
    assert c.notes == ("log is defined only for positive numbers, and u = −6 is not.",)
    assert c.product_text() == "dy/dx = dy/du · du/dx is undefined here: y has no value."
    assert model.local_tex(c.dy_du, model.ordinary("y", "u")) == r"\frac{dy}{du} = \frac{1}{u} = \text{undefined}"
    # y = (log x)² at x = −2: u is already undefined, and no formula shows "(NaN)²" or "2(NaN)".
    c = model.compose("log", "square", -2.0)
    assert [plain(v) for v in (c.u, c.y, c.du_dx.value, c.dy_du.value, c.dy_dx)] == ["undefined"] * 5
    assert c.notes == ("log is defined only for positive numbers, and x = −2 is not.",)
    assert model.local_tex(c.dy_du, model.ordinary("y", "u")) == r"\frac{dy}{du} = 2u = \text{undefined}"
    formulas = [model.local_tex(f) for f in (c.du_dx, c.dy_du)] + [model.derive(c.graph, k).tex for k in "xuy"]
    assert not any("NaN" in tex or r"(\text{undefined})" in tex for tex in formulas)


@pytest.mark.parametrize("text, values, note", [
    ("log(-1)", {}, "log is defined only for positive numbers, and −1 is not."),
    ("sqrt(x-3)", {"x": 2.0}, "A square root (the power 0.5) is defined only for numbers ≥ 0, and v₁ = −1 is not."),
    ("x / (y - 3)", {"x": 1.0, "y": 3.0}, "Division by zero has no value, and the divisor v₁ is 0."),
])
def test_an_expression_outside_its_domain_has_no_value_no_derivatives_and_a_note(text, values, note):
    """Panel 5: f and every grad leaf are undefined together, with the engine's note on the domain."""
    graph = model.expression_graph(model.check_expression(text), {"x": 0.0, "y": 0.0, "z": 0.0, **values})
    assert plain(graph.output_node.value) == "undefined"
    assert all(plain(graph.grad(leaf.key)) == "undefined" for leaf in graph.leaves())
    assert graph.notes == (note,)
    assert model.derive(graph, "f").text == "grad f = undefined"   # not "grad f = 1 = undefined"
    for key, node in graph.nodes.items():
        if not node.constant:
            derivation = model.derive(graph, key)
            assert "NaN" not in derivation.tex + derivation.forward_tex + derivation.text
            assert r"(\text{undefined})" not in derivation.tex + derivation.forward_tex


def test_a_defined_expression_has_no_note():
    graph = model.expression_graph(model.check_expression("x * exp(-x) + log(y)"), {"x": 2.0, "y": 3.0, "z": 1.0})
    assert graph.notes == ()


def test_whole_numbers_are_shown_exactly():
    """x**99999999: the derivative's exponent is 99999998, not 1×10⁸; and two constants that
    round alike (99999999 and 100000001) keep their own values in the graph."""
    graph = model.expression_graph(model.check_expression("x**99999999"), {"x": 2.0, "y": 0.0, "z": 0.0})
    assert "99999999x^{99999998}" in model.derive(graph, "x").tex
    graph = model.expression_graph(model.check_expression("x*99999999 + 100000001"), {"x": 1.0, "y": 0.0, "z": 0.0})
    assert sorted(n.value for n in graph.nodes.values() if n.constant) == [99999999.0, 100000001.0]
    assert plain(graph.output_node.value) == "200000000"
    assert plain(123456.0) == "123456" and plain(-0.5) == "−0.5"


def test_nested_text():
    f = model.UNARY_FUNCTIONS
    assert model.nested_text(f["sin"], "3x") == "sin(3x)"
    assert model.nested_text(f["square"], "sin(x)") == "(sin(x))²"
    assert model.nested_text(f["square"], "x") == "x²"


# ---------------------------------------------------------------- panel 3


def test_lockstep_numbers_at_the_default():
    result = model.lockstep(0.7)
    assert [fixed(f.value) for f in result.locals] == ["1.4000", "0.7937", "0.9084"]
    assert fixed(result.product) == "1.0094"
    assert fixed(result.finite_difference) == "1.0094"
    assert model.stage_local_tex(model.STAGES[0], result.locals[0]) == r"\frac{dh}{dx} = 2x = 2(0.7) = 1.4"


# ---------------------------------------------------------------- panel 4


def test_backward_frames_accumulate_to_the_engine_gradients():
    graph = model.neuron_graph(2.0, 0.5, -0.5, 1.0)
    frames = model.backward_frames(graph)
    assert frames[0].edge is None and frames[0].grads == {"L": 1.0}
    assert [f.edge for f in frames[1:]] == [("d", "L"), ("a", "d"), ("z", "a"), ("w", "z"), ("x", "z"), ("b", "z")]
    final = frames[-1].grads
    for key in ("w", "x", "b", "z", "a", "d"):
        assert final[key] == graph.grad(key)
    assert frames[3].edge_label == "∂a/∂z = 0.235"
    assert "d:1" not in final  # the target y* is a constant: no gradient badge


def test_frames_add_across_paths():
    graph = model.expression_graph(model.check_expression("x*y + x"), {"x": 2, "y": 3})
    frames = [f for f in model.backward_frames(graph) if f.active == "x"]
    assert [f.grads["x"] for f in frames] == [1.0, 4.0]
    assert frames[-1].text.endswith("so grad x is now 4.")


# ---------------------------------------------------------------- panel 5


@pytest.mark.parametrize("text, position", [("x * * y", 4), ("x + a", 4), ("(x + y", 0), ("2^x", 1), ("", 0)])
def test_bad_expressions_raise_with_a_position(text, position):
    with pytest.raises(ParseError) as error:
        model.check_expression(text)
    assert error.value.position == position


def test_presets_parse_and_the_first_uses_two_paths():
    for text, _label in model.PRESETS:
        model.check_expression(text)
    graph = model.expression_graph(model.check_expression(model.PRESETS[0][0]), {"x": 2, "y": 3})
    assert len(model.derive(graph, "x").paths) == 2


def test_a_graph_too_big_to_redraw_at_once_is_refused_with_its_size():
    """Panel 5 redraws the whole graph on every slider step: the issue's 15 groups of 15 x's
    (225 nodes) took 0.3-0.5 s an action."""
    text = "+".join("(" + "+".join(["x"] * 15) + ")" for _ in range(15))
    with pytest.raises(ParseError) as error:
        model.check_expression(text)
    assert str(error.value) == f"position {len(text)}: its graph would have 225 nodes; this panel draws at most 40"
    largest = " + ".join(["(x*y + z)"] * 12) + " + x*y"        # 3 inputs, 13 products, 12 + 12 sums
    assert len(model.expression_graph(model.check_expression(largest), {"x": 1, "y": 2, "z": 3}).nodes) == 40
    with pytest.raises(ParseError, match="would have 42 nodes"):
        model.check_expression(largest + " + x*y")
    values, notes = model.STATE.from_query(model.STATE.to_query({**model.STATE.defaults(), "expr": text}))
    assert values["expr"] == "x*y + x" and "225 nodes" in notes[0]


def test_caret_line():
    assert model.caret_line("x * * y", 4) == "x * * y\n    ^"


# ---------------------------------------------------------------- URL state


def test_state_defaults_round_trip():
    values, notes = model.STATE.from_query("")
    assert notes == [] and values["expr"] == "x*y + x" and values["p3x"] == 0.7
    assert model.STATE.to_query(values) == ""


def test_state_refuses_bad_values_with_notes():
    values, notes = model.STATE.from_query("?expr=__import__(%27os%27)&p1x=nan&p2g=evil&p3x=9&p5node=%3Cb%3E")
    assert values["expr"] == "x*y + x" and values["p1x"] == -2 and values["p2g"] == "times3"
    assert values["p3x"] == 2.0 and values["p5node"] == "x"
    assert len(notes) == 5 and any(n.startswith("expression: position") for n in notes)


def test_state_keeps_a_valid_expression():
    query = model.STATE.to_query({**model.STATE.defaults(), "expr": "tanh(x**2) * y"})
    values, notes = model.STATE.from_query(query)
    assert values["expr"] == "tanh(x**2) * y" and notes == []


def test_every_slider_has_a_step_and_a_range_around_its_default():
    sliders = [prop for prop in model.STATE.props.values() if isinstance(prop, FloatProp) and prop.step]
    assert [prop.name for prop in sliders] == ["p1x", "p1y", "p1z", "p2x", "p3x", "p5x", "p5y", "p5z"]
    for prop in sliders:
        assert prop.low < prop.default < prop.high and 0 < prop.step < prop.high - prop.low


def test_menus_name_each_function_of_its_own_variable():
    assert model.STATE.props["p2g"].options()[:2] == [("times3", "3x"), ("square", "x²")]
    assert model.STATE.props["p2f"].options()[:2] == [("times3", "3u"), ("square", "u²")]
    assert [key for key, _ in model.STATE.props["p2f"].options()] == list(model.UNARY_FUNCTIONS)


def test_numbers_as_text():
    assert plain(-12.0) == "−12" and plain(math.nan) == "undefined" and plain(-0.0) == "0"
    # A column keeps its zeros; a tiny value reads in scientific form, not as 0.
    assert fixed(-0.00001) == "−1.000×10⁻⁵" and fixed(1.4) == "1.4000" and fixed(-0.00004) == "−4.000×10⁻⁵"
    assert re.fullmatch(r"\(−4\)", model.factor_text(-4))


def test_a_link_keeps_every_expression_the_box_accepts():
    """The expression box takes up to the parser's limit (500 characters); a link (reload, share)
    must carry the same, and one past it is refused with a note that says why."""
    longest = " + ".join(["0.12345678901234567 * x"] * 12).ljust(MAX_LENGTH)
    assert len(longest) == MAX_LENGTH and model.check_expression(longest)
    values, notes = model.STATE.from_query(model.STATE.to_query({**model.STATE.defaults(), "expr": longest}))
    assert values["expr"] == longest and notes == []
    too_long = longest + " "
    values, notes = model.STATE.from_query(model.STATE.to_query({**model.STATE.defaults(), "expr": too_long}))
    assert values["expr"] == "x*y + x"
    assert notes == [f"expression: too long ({MAX_LENGTH + 1} characters, at most {MAX_LENGTH}); using the default"]


def test_a_long_path_shows_its_first_and_last_factors():
    # A 39-deep chain spelled every factor out three times over: KaTeX took over 100 ms to typeset
    # it on every slider step.  The product shows three factors, a gap and the last two, and still
    # ends in the engine's gradient.
    text = "sin(cos(" * 19 + "x" + "))" * 19
    graph = model.expression_graph(model.check_expression(text), {"x": 1.0, "y": 2.0, "z": 3.0})
    derivation = model.derive(graph, "x")
    for product in derivation.tex.split(" = ")[1:-1]:
        assert product.count(r"\cdot ") <= model.MAX_FACTORS_SHOWN and r"\cdots" in product
    assert derivation.text.endswith(plain(graph.grad("x"))) and "⋯" in derivation.text
    short = model.derive(model.expression_graph(model.check_expression("sin(x)*2"), {"x": 1.0, "y": 2.0, "z": 3.0}), "x")
    assert r"\cdots" not in short.tex
