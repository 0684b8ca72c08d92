"""engine.graph: values, gradients, names and the step-by-step trace."""
import dataclasses
import math
import warnings

import numpy as np
import pytest

from engine.gradcheck import finite_difference, relative_error
from engine.graph import Value, linear
from engine.parser import parse
from engine.registry import ACTIVATIONS
from engine.trace import Step, Term, fmt, pretty_name, tex_name


def chain_rule_example():
    """Karpathy's first example: f = (x + y) * z."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = (x + y).named("q")
    return x, y, z, q, (q * z).named("f")


def network_221(**changed):
    """2-2-1 net: tanh hidden units via linear(), sigmoid output, BCE loss.
    Keyword arguments change leaf values: network_221(w11=0.4)."""
    values = dict(x1=0.6, x2=-0.4, w11=0.5, w12=-0.3, b1=0.1, w21=-0.2, w22=0.8, b2=0.05,
                  w31=1.2, w32=-0.7, b3=0.2)
    values.update(changed)
    v = {name: Value(data, name) for name, data in values.items()}
    z1 = linear([v["w11"], v["w12"]], [v["x1"], v["x2"]], v["b1"]).named("z1")
    z2 = linear([v["w21"], v["w22"]], [v["x1"], v["x2"]], v["b2"]).named("z2")
    h1, h2 = z1.tanh().named("h1"), z2.tanh().named("h2")
    z3 = linear([v["w31"], v["w32"]], [h1, h2], v["b3"]).named("z3")
    yhat = z3.sigmoid().named("yhat")
    return yhat.bce(1.0).named("L")


# ----------------------------------------------------------------- known values

def test_sum_times_z():
    x, y, z, q, f = chain_rule_example()
    f.backward()
    assert (q.data, f.data) == (3.0, -12.0)
    assert (x.grad, y.grad, z.grad, q.grad) == (-4.0, -4.0, 3.0, -4.0)


def test_composition_g_then_f():
    x = Value(2.0, "x")
    u = (3 * x).named("u")
    y = (u ** 2).named("y")
    y.backward()
    assert (u.data, y.data, x.grad) == (6.0, 36.0, 36.0)


def test_square_tanh_square_chain():
    x = Value(0.7, "x")
    h = (x ** 2).named("h")
    g = h.tanh().named("g")
    f = (g ** 2).named("f")
    f.backward()
    assert round(h.data, 4) == 0.49
    assert round(2 * x.data, 4) == 1.4                 # h'(x)
    assert round(1 - g.data ** 2, 4) == 0.7937         # g'(h)
    assert round(2 * g.data, 4) == 0.9084              # f'(g)
    assert round(x.grad, 4) == 1.0094
    assert round(h.grad, 4) == round(0.7937 * 0.9084, 4)
    out = parse("tanh(x**2)**2").evaluate(x=0.7)
    out.backward()
    assert out.find("x").grad == x.grad


def test_backward_twice_does_not_double_count():
    x, y, z, q, f = chain_rule_example()
    f.backward()
    first = [n.grad for n in f.nodes()]
    f.backward()
    assert [n.grad for n in f.nodes()] == first


def test_gradients_add_across_paths():
    x, y = Value(3.0, "x"), Value(-2.0, "y")
    out = x * y + x
    out.backward()
    assert x.grad == y.data + 1
    square = x * x
    square.backward()
    assert x.grad == 2 * x.data


def test_long_chain_needs_no_recursion():
    x = Value(1.0, "x")
    out = x
    for _ in range(5000):
        out = out + x
    out.backward()
    assert x.grad == 5001.0 and len(out.nodes()) == 5001


# ------------------------------------------------------ every op vs finite differences

UNARY = {
    "neg": lambda a: -a,
    "exp": Value.exp, "log": Value.log, "sqrt": Value.sqrt,
    "tanh": Value.tanh, "sigmoid": Value.sigmoid, "relu": Value.relu, "leaky_relu": Value.leaky_relu,
    "sin": Value.sin, "cos": Value.cos,
    "square": lambda a: a ** 2, "cube": lambda a: a ** 3, "inverse": lambda a: a ** -1,
    "half_power": lambda a: a ** 0.5,
    "plus_2": lambda a: a + 2, "2_plus": lambda a: 2 + a, "minus_2": lambda a: a - 2,
    "2_minus": lambda a: 2 - a, "times_3": lambda a: a * 3, "3_times": lambda a: 3 * a,
    "over_4": lambda a: a / 4, "4_over": lambda a: 4 / a, "2_to_the": lambda a: 2 ** a,
    "bce_1": lambda a: a.bce(1.0), "bce_0": lambda a: a.bce(0.0),
    "squared_error": lambda a: a.squared_error(0.3),
}
POSITIVE_ONLY = {"log", "sqrt", "half_power", "bce_1", "bce_0"}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", [-1.7, -0.6, 0.3, 0.8, 2.1])
def test_unary_op_gradient_matches_finite_differences(name, x):
    if name in POSITIVE_ONLY:
        x = abs(x) / 2.5  # inside (0, 1) for the losses, > 0 for log and sqrt
    op = UNARY[name]
    a = Value(x, "a")
    out = op(a)
    out.backward()
    numeric = finite_difference(lambda t: op(Value(t)).data, x)
    assert relative_error(a.grad, numeric) < 1e-6, (name, x, a.grad, numeric)


BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
    "linear": lambda a, b: linear([a, b], [b, 0.5], a),
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("x, y", [(0.7, 1.3), (1.9, -0.8), (2.5, 0.4)])
def test_binary_op_gradients_match_finite_differences(name, x, y):
    op = BINARY[name]
    a, b = Value(x, "a"), Value(y, "b")
    op(a, b).backward()
    assert relative_error(a.grad, finite_difference(lambda t: op(Value(t), Value(y)).data, x)) < 1e-6
    assert relative_error(b.grad, finite_difference(lambda t: op(Value(x), Value(t)).data, y)) < 1e-6


def test_network_gradients_match_finite_differences():
    loss = network_221()
    loss.backward()
    for leaf in [n for n in loss.nodes() if not n.op]:
        numeric = finite_difference(lambda t, label=leaf.label: network_221(**{label: t}).data, leaf.data)
        assert relative_error(leaf.grad, numeric) < 1e-6, leaf


# --------------------------------------------------------------- shared definitions

@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "leaky_relu"])
def test_activations_come_from_the_registry(name):
    activation = ACTIVATIONS[name]
    for z in (-1.3, 0.4, 2.2):
        node = Value(z, "z")
        a = getattr(node, name)()
        expected = activation.output(np.asarray(z))
        assert a.data == float(expected)
        a.backward()
        assert node.grad == float(activation.derivative(np.asarray(z), expected))


def test_linear_explains_each_inputs_local_derivative_by_name():
    w, x, b = Value(0.5, "w11"), Value(0.6, "x1"), Value(0.1, "b1")
    z = linear([w], [x], b).named("z1")
    why = {s.node: s.explanation for s in (z * 2.0).named("q").trace() if s.phase == "backward"}
    assert why["w11"].endswith("a weight's local derivative is the input it multiplies, x₁.")
    assert why["x1"].endswith("an input's local derivative is the weight that multiplies it, w₁₁.")
    assert why["b1"].endswith("the bias's local derivative is 1.")


def test_identity_is_the_registry_linear_activation_as_one_node():
    z = Value(-1.5, "z")
    yhat = z.identity().named("yhat")
    loss = yhat.squared_error(1.0)
    steps = {(s.phase, s.node): s for s in loss.trace()}
    assert yhat.data == float(ACTIVATIONS["linear"].output(np.asarray(-1.5))) and z.grad == -2.5
    assert steps[("forward", "yhat")].substituted == r"\hat{y} = (-1.5) = -1.5"
    assert steps[("backward", "z")].local_formula == "1"
    assert "passes z through unchanged" in steps[("forward", "yhat")].explanation


def test_bce_and_squared_error_local_derivatives():
    yhat = Value(0.7, "yhat")
    loss = yhat.bce(1.0)
    loss.backward()
    assert loss.data == pytest.approx(-math.log(0.7))
    assert yhat.grad == pytest.approx((0.7 - 1.0) / (0.7 * 0.3))
    loss = yhat.squared_error(0.2)
    loss.backward()
    assert (loss.data, yhat.grad) == (pytest.approx(0.125), pytest.approx(0.5))


def test_bad_arithmetic_never_warns_or_raises():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for out in (Value(-1.0).log(), Value(0.0).log(), Value(1.0) / 0, Value(-8.0) ** 0.5, Value(0.0) ** -1,
                    Value(math.inf).sin(), Value(0.0, "x") ** Value(-1.0, "y")):
            assert math.isnan(out.data)
            out.trace()
        assert Value(1000.0).exp().data == math.inf
        assert (Value(10.0) ** 400).data == math.inf


def note(out: Value) -> str:
    """The forward step's note for the output node."""
    return next(s for s in out.trace() if s.phase == "forward" and s.node == out.label).note


@pytest.mark.parametrize("make, words", [
    (lambda x: x.log(), "log is defined only for positive numbers, and x = −2 is not."),
    (lambda x: (x * 0).log(), "log is defined only for positive numbers, and v1 = 0 is not."),
    (lambda x: Value(-1.0, constant=True).log(), "log is defined only for positive numbers, and −1 is not."),
    (lambda x: 1 / (x + 2), "Division by zero has no value, and the divisor v1 is 0."),
    (lambda x: x ** 0.5, "A square root (the power 0.5) is defined only for numbers ≥ 0, and x = −2 is not."),
    (lambda x: x ** 1.5, "The power 1.5 is defined only for numbers ≥ 0, and x = −2 is not."),
    (lambda x: (x + 2) ** -1, "The power −1 divides by its base, and the base v1 is 0."),
    (lambda x: x ** Value(2.0, "y"), "A power whose exponent varies is defined only for a positive base"),
])
def test_outside_its_domain_a_node_has_no_value_and_no_derivative(make, words):
    """log(-2), 1/0, sqrt(-2): the value and every derivative are undefined (NaN), never a finite
    number beside an undefined one, and the trace says why in words."""
    x = Value(-2.0, "x")
    out = make(x).named("f")
    steps = out.trace()
    assert math.isnan(out.data)
    assert all(math.isnan(n.grad) for n in out.nodes() if not n.constant)
    assert all(math.isnan(local) for n in out.nodes() if math.isnan(n.data) for local in n.local)
    assert note(out).startswith(words.replace("v1", "v₁"))
    for step in steps:  # no "(undefined)^2" and no raw NaN in any formula
        assert "NaN" not in step.substituted and r"(\text{undefined})" not in step.substituted


def test_an_undefined_node_makes_everything_computed_from_it_undefined_but_notes_only_the_cause():
    x, y = Value(2.0, "x"), Value(1.0, "y")
    root = (x - 3) ** 0.5
    f = (root.log() ** 0.5 + 1 / root + y).named("f")  # log, a root and a quotient of an undefined number
    steps = f.trace()
    assert math.isnan(f.data) and math.isnan(y.grad)
    notes = [s.note for s in steps if s.note]
    assert notes == ["A square root (the power 0.5) is defined only for numbers ≥ 0, and v₁ = −1 is not."]
    forward_f = next(s for s in steps if s.phase == "forward" and s.node == "f")
    assert forward_f.substituted == r"f = v_{6} + y = \text{undefined}"


def test_a_square_root_at_zero_has_a_value_but_no_derivative():
    x = Value(0.0, "x")
    f = (x ** 0.5).named("f")
    f.trace()
    assert f.data == 0.0 and math.isnan(x.grad)
    assert "has no derivative at 0" in note(f)
    assert (Value(4.0, "x") ** 0.5).data == 2.0 and not note((Value(4.0, "x") ** 0.5).named("f"))


def test_whole_powers_are_defined_everywhere_and_negative_ones_away_from_zero():
    for make in (lambda x: x ** 3, lambda x: x ** 0, lambda x: x ** -2):
        x = Value(-2.0, "x")
        f = make(x).named("f")
        f.trace()
        assert math.isfinite(f.data) and math.isfinite(x.grad) and not note(f)


def test_overflow_is_infinite_with_a_note():
    x = Value(1000.0, "x")
    f = x.exp().named("f")
    assert f.data == math.inf
    assert "overflowed to ∞" in note(f)
    g = (x.exp() - x.exp()).named("g")
    assert math.isnan(g.data) and "∞ − ∞" in note(g)


# ---------------------------------------------------------------- names, repr, lookup

@pytest.mark.parametrize("label, tex, pretty", [
    ("w11", "w_{11}", "w₁₁"), ("z1", "z_{1}", "z₁"), ("x1", "x_{1}", "x₁"), ("x_2", "x_{2}", "x₂"),
    ("yhat", r"\hat{y}", "ŷ"), ("L", "L", "L"), ("h2", "h_{2}", "h₂"), ("eta", r"\eta", "η"),
    ("loss", r"\mathrm{loss}", "loss"), ("q", "q", "q"), ("sigma2", r"\sigma_{2}", "σ₂"),
])
def test_names(label, tex, pretty):
    assert tex_name(label) == tex
    assert pretty_name(label) == pretty
    assert Value(1.0, label).tex == tex


def test_tex_can_be_overridden_and_named_returns_self():
    v = Value(1.0)
    assert v.named("lr", tex=r"\eta") is v
    assert (v.label, v.tex) == ("lr", r"\eta")
    v.tex = r"\alpha"
    assert v.tex == r"\alpha"


def test_repr():
    x, y, z, q, f = chain_rule_example()
    f.backward()
    assert repr(x) == "Value(label='x', data=-2.0, grad=-4.0)"
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0.0)"


@pytest.mark.parametrize("x, text", [
    (0.4777001, "0.4777"), (-12.0, "-12"), (0.52, "0.52"), (-0.0, "0"), (1.5e-7, r"1.5\times 10^{-7}"),
    (math.inf, r"\infty"), (-math.inf, r"-\infty"), (math.nan, r"\text{undefined}"),
    (99999998.0, "99999998"), (-123456.0, "-123456"), (2.0 ** 53, r"9.007\times 10^{15}"), (1e20, r"1\times 10^{20}"),
])
def test_fmt(x, text):
    assert fmt(x) == text


def test_whole_numbers_print_exactly_in_formulas_sentences_and_constants():
    """x**99999999: the derivative's exponent is 99999998, not 1×10⁸."""
    x = Value(2.0, "x")
    f = (x ** 99999999).named("f")
    steps = f.trace()
    backward_x = next(s for s in steps if s.phase == "backward" and s.node == "x")
    assert backward_x.local_formula == "99999999x^{99999998}"
    assert "to the power 99999999." in next(s for s in steps if s.node == "f").explanation
    # Two constants that round alike keep apart: each is named by its exact value.
    assert [Value(v, constant=True).label for v in (99999999.0, 100000001.0, 0.1234567, 0.1234568)] == \
        ["99999999", "100000001", "0.1234567", "0.1234568"]


def test_nodes_are_topological_and_find_by_label():
    loss = network_221()
    order = loss.nodes()
    position = {node: i for i, node in enumerate(order)}
    assert order[-1] is loss
    assert all(position[p] < position[n] for n in order for p in n.parents)
    assert loss.find("w11").data == 0.5
    with pytest.raises(KeyError, match="no node labelled 'nope'"):
        loss.find("nope")


def test_linear_checks_its_arguments():
    with pytest.raises(ValueError, match="as many weights as inputs"):
        linear([Value(1.0)], [Value(1.0), Value(2.0)])
    assert linear([2.0], [Value(3.0, "x")]).data == 6.0


# ----------------------------------------------------------------------- the trace

def backward_steps(steps):
    return [s for s in steps if s.phase == "backward"]


def test_trace_of_sum_times_z():
    *_, f = chain_rule_example()
    steps = f.trace()
    assert [(s.phase, s.node) for s in steps] == [
        ("forward", "x"), ("forward", "y"), ("forward", "z"), ("forward", "q"), ("forward", "f"),
        ("backward", "f"), ("backward", "q"), ("backward", "z"), ("backward", "x"), ("backward", "y")]
    by = {(s.phase, s.node): s for s in steps}
    q, dq, dx = by["forward", "q"], by["backward", "q"], by["backward", "x"]
    assert (q.op, q.inputs, q.formula, q.substituted) == ("+", ("x", "y"), "q = x + y", "q = (-2) + (5) = 3")
    assert by["forward", "f"].formula == r"f = q \cdot z"
    assert by["forward", "x"].substituted == "x = -2"
    # grad (the output's gradient at a node) and ∂ (a local derivative) are written apart.
    assert by["backward", "f"].formula == r"\operatorname{grad} f = 1"
    assert dq.formula == r"\operatorname{grad} q = \operatorname{grad} f\cdot\frac{\partial f}{\partial q}"
    assert dq.substituted == r"\operatorname{grad} q = (1)\cdot(-4) = -4"
    assert dx.explanation.startswith("Chain rule: the upstream gradient grad q times the local derivative ∂q/∂x;")
    assert (dq.local, dq.local_formula, dq.upstream, dq.result) == (-4.0, "z", 1.0, -4.0)
    assert (dx.local, dx.local_formula, dx.upstream, dx.result) == (1.0, "1", -4.0, -4.0)
    assert dx.terms == (Term("q", -4.0, 1.0, "1", "1", -4.0),)


def test_trace_of_the_221_network():
    loss = network_221()
    steps = loss.trace()
    forward, backward = steps[:len(steps) // 2], backward_steps(steps)
    assert all(s.phase == "forward" for s in forward) and len(forward) == len(backward)

    # Forward: every node after its parents; backward: every node after its children.
    seen = set()
    for s in forward:
        assert set(s.inputs) <= seen
        seen.add(s.node)
    seen = set()
    for s in backward:
        assert set(s.inputs) <= seen
        seen.add(s.node)

    assert [s.node for s in forward[:5]] == ["w11", "x1", "w12", "x2", "b1"]
    assert [s.node for s in backward[:4]] == ["L", "yhat", "z3", "w31"]
    assert {"yhat", "z3", "w31", "w32", "b3", "h1", "h2", "z1", "z2", "w11", "w12", "b1",
            "w21", "w22", "b2"} <= {s.node for s in backward}

    nodes = {n.label: n for n in loss.nodes()}
    for s in backward:
        assert s.result == nodes[s.node].grad
        if s.terms:
            assert sum(t.product for t in s.terms) == pytest.approx(s.result, rel=1e-12)
    yhat = nodes["yhat"].data
    dz3 = next(s for s in backward if s.node == "z3")
    assert dz3.result == pytest.approx(yhat - 1.0, rel=1e-12)
    assert dz3.local_formula == r"\hat{y}(1 - \hat{y})"

    z1 = next(s for s in forward if s.node == "z1")
    assert z1.formula == "z_{1} = w_{11}x_{1} + w_{12}x_{2} + b_{1}"
    assert z1.substituted == "z_{1} = (0.5)(0.6) + (-0.3)(-0.4) + (0.1) = 0.52"
    assert next(s for s in forward if s.node == "h1").explanation == "tanh squashes z₁ into (−1, 1)."
    dz1 = next(s for s in backward if s.node == "z1")
    assert dz1.formula == (r"\operatorname{grad} z_{1} = "
                           r"\operatorname{grad} h_{1}\cdot\frac{\partial h_{1}}{\partial z_{1}}")
    assert dz1.local_formula == "1 - h_{1}^2"
    assert dz1.substituted.startswith(r"\operatorname{grad} z_{1} = (-0.315)\cdot(1 - (0.4777)^2) = ")
    dx1 = next(s for s in backward if s.node == "x1")
    assert [t.child for t in dx1.terms] == ["z1", "z2"] and dx1.local is None


def test_every_step_is_complete_frozen_data():
    steps = network_221().trace() + parse("x*y + log(x)/y - exp(-x) ** 2").evaluate(x=0.8, y=1.5).trace()
    for s in steps:
        assert isinstance(s, Step)
        assert "$" not in s.formula + s.substituted + s.explanation + s.local_formula
        assert s.explanation and s.formula and s.substituted
        if s.phase == "backward" and s.inputs:
            assert len(s.terms) == len(s.inputs)
    with pytest.raises(dataclasses.FrozenInstanceError):
        steps[0].result = 1.0


def test_trace_names_unnamed_nodes_and_skips_constants():
    x = Value(2.0, "x")
    out = (x * 3 + x).tanh()
    steps = out.trace()
    assert [s.node for s in steps if s.phase == "forward"] == ["x", "v1", "v2", "v3"]
    assert "3" not in {s.node for s in steps}
    assert steps[1].formula == r"v_{1} = x \cdot 3"
