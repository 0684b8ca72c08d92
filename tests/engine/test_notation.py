"""One notation for the two things a learner must tell apart (issue 20, section 2): the
gradient of the output accumulated at a node is "grad x" (micrograd's x.grad), and the
local derivative of node d with respect to its input a is ∂d/∂a.  The trace never writes
the accumulated one with ∂."""
import re

from engine import text
from engine.graph import Value, linear
from engine.text import gradient_name, gradient_tex, partial, partial_name
from engine.trace import pretty_name, trace


def small_network():
    """x feeds two nodes, so one backward step adds two paths; a sigmoid and squared error on top."""
    x, w, b = Value(0.6, "x"), Value(-1.5, "w"), Value(0.2, "b")
    z = linear([w], [x], b).named("z")
    a = (z.sigmoid() * x).named("a")
    return ((a - Value(1.0, "y", constant=True)) ** 2).named("L")


def test_the_names_of_gradient_and_local_derivative():
    assert gradient_name("w11") == "grad w₁₁" and gradient_name("yhat") == "grad ŷ"
    assert gradient_tex("w_{11}") == r"\operatorname{grad} w_{11}"
    assert partial_name("z3", "h1") == "∂z₃/∂h₁" and partial_name("L", "yhat") == "∂L/∂ŷ"
    assert partial("z_{3}", "h_{1}") == r"\frac{\partial z_{3}}{\partial h_{1}}"


def test_every_backward_step_names_the_gradient_grad_and_each_local_derivative_child_over_node():
    backward = [s for s in trace(small_network()) if s.phase == "backward"]
    assert len(backward) == 8 and any(len(s.terms) == 2 for s in backward)
    for step in backward:
        lhs = rf"\operatorname{{grad}} {step.tex} = "
        assert step.formula.startswith(lhs) and step.substituted.startswith(lhs), step.node
        # The right side: one "grad child · ∂child/∂node" per path, and no other ∂.
        right = step.formula[len(lhs):]
        expected = [rf"\operatorname{{grad}} {child}\cdot\frac{{\partial {child}}}{{\partial {step.tex}}}"
                    for child in re.findall(r"\\operatorname\{grad\} ([^\\]+?)\\cdot", right)]
        assert right == ("1" if step.node == "L" else " + ".join(expected)), step.node
        assert len(expected) == len(step.terms)
        # In words too: the upstream is "grad child"; a ∂ only ever names child over node
        # (∂L/∂v₂ is the loss node's own local derivative, not the accumulated gradient).
        if len(step.terms) == 1:
            child, node = pretty_name(step.terms[0].child), pretty_name(step.node)
            assert f"the upstream gradient grad {child} times the local derivative ∂{child}/∂{node};" in step.explanation
        assert re.findall(r"∂(\S+?)/∂(\S+?)[;,.]", step.explanation) == (
            [(pretty_name(step.terms[0].child), pretty_name(step.node))] if len(step.terms) == 1 else [])


def test_a_one_path_step_reads_upstream_grad_times_local_derivative():
    by_node = {s.node: s for s in trace(small_network()) if s.phase == "backward"}
    assert by_node["L"].formula == r"\operatorname{grad} L = 1"
    assert by_node["L"].explanation == "The backward pass starts at the output: grad L = 1."
    assert by_node["z"].explanation.startswith(
        "Chain rule: the upstream gradient grad v₁ times the local derivative ∂v₁/∂z;")


def test_a_loss_readout_stays_short_however_large_the_loss():
    # A diverging run passes through finite losses like 2e245 before it reaches infinity; the
    # playground's readout, its curve read-out and its replay note showed them with every digit.
    assert text.loss_text(0.01234) == "0.0123"
    assert text.loss_text(4332568.5674) == "4.333×10⁶"
    assert text.loss_text(2.3377718e245) == "2.338×10²⁴⁵"
    assert len(text.loss_text(1.7e308)) < 12
    assert text.loss_text(float("nan")) == "—"
