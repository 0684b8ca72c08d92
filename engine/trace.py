"""The lesson text of a computation graph: every forward and backward step of
an `engine.graph` graph in symbols, with numbers, and in words.

    out = parse("tanh(x**2)**2").evaluate(x=0.7)
    for step in trace(out):          # or out.trace()
        print(step.phase, step.node, step.substituted)

`trace(output)` runs `output.backward()` and returns plain `Step` records:
first a forward step for every input and every op (each after its inputs),
then a backward step for every node, from the output back to the leaves.  A
page steps through them; tests check them.  Nothing here changes a number:
values, local derivatives and gradients all come from the graph.  This module
only says them: it names nodes (w11 -> w_{11}, w₁₁), prints numbers, writes
each op's formula and sentences, and words why a node is undefined (the graph
decides that, in `graph._outside_domain`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .scalar import LEAKY_SLOPE
from .text import GREEK, exact, fmt, gradient_tex, partial, plain, pretty_name, tex_name  # noqa: F401  (pages import some from here)

if TYPE_CHECKING:
    from .graph import Value

def constant_tex(x: float) -> str:
    """How a number written into a formula shows as a node: 2, (-0.5)."""
    return fmt(x) if x >= 0 else f"({fmt(x)})"


# --------------------------------------------------------------------------
# How each op reads.  Templates: "$0 + $1", "1 - $out^2".  $0, $1, ... stand
# for an op's inputs, $out for its result and other $names for its constants
# (a loss's target $y).  One template gives the symbolic formula, the numeric
# one and the plain-English sentence, depending on what is put in the slots.

@dataclass(frozen=True)
class Rule:
    """How one op reads.  `show` is the right side of its forward formula;
    `local` holds the LaTeX of each input's local derivative; `says` is the
    forward step's sentence; `why` explains the local derivative in words,
    one sentence for every input or one per input (a tuple, as for linear);
    `consts` are named constants such as a loss's target ("y", 1.0)."""
    show: str
    local: tuple
    says: str
    why: str | tuple
    consts: tuple = ()


RULES = {
    "+": Rule("$0 + $1", ("1", "1"), "$out is the sum of $0 and $1.",
              "addition passes the gradient through unchanged"),
    "-": Rule("$0 - $1", ("1", "-1"), "$out is $0 minus $1.",
              "subtraction passes the gradient to the first input and flips it for the second"),
    "*": Rule(r"$0 \cdot $1", ("$1", "$0"), "$out is the product of $0 and $1.",
              "a product's local derivative is the other factor"),
    "/": Rule(r"\frac{$0}{$1}", (r"\frac{1}{$1}", r"-\frac{$0}{$1^2}"), "$out is $0 divided by $1.",
              "for a/b the local derivatives are 1/b and −a/b²"),
    "neg": Rule("-$0", ("-1",), "$out is $0 with its sign flipped.", "negation flips the gradient's sign"),
    "exp": Rule("e^{$0}", ("e^{$0}",), "$out is e to the power $0.", "exp is its own derivative"),
    "log": Rule(r"\log($0)", (r"\frac{1}{$0}",), "$out is the natural log of $0.",
                "the derivative of log a is 1/a"),
    "sin": Rule(r"\sin($0)", (r"\cos($0)",), "$out is the sine of $0.", "the derivative of sin a is cos a"),
    "cos": Rule(r"\cos($0)", (r"-\sin($0)",), "$out is the cosine of $0.", "the derivative of cos a is −sin a"),
    "tanh": Rule(r"\tanh($0)", ("1 - $out^2",), "tanh squashes $0 into (−1, 1).",
                 "tanh's local derivative is 1 − $out²"),
    "sigmoid": Rule(r"\sigma($0)", ("$out(1 - $out)",), "The sigmoid squashes $0 into (0, 1).",
                    "the sigmoid's local derivative is $out(1 − $out)"),
}


def _power_rule(node) -> Rule:
    n = node.arg
    if n is None:  # a ** b with both in the graph
        return Rule("$0^{$1}", ("$1 $0^{$1 - 1}", r"$0^{$1}\log($0)"), "$out is $0 to the power $1.",
                    "the derivative of aᵇ is b·aᵇ⁻¹ in a and aᵇ·log a in b")
    return Rule(f"$0^{{{fmt(n)}}}", ("2$0" if n == 2 else f"{fmt(n)}$0^{{{fmt(n - 1)}}}",),
                f"$out is $0 to the power {plain(n)}.", "power rule: the derivative of aⁿ is n·aⁿ⁻¹")


def _relu_rule(node) -> Rule:
    if node.parents[0].data > 0:
        return Rule(r"\mathrm{ReLU}($0)", ("1",), "ReLU keeps $0 if it is positive and gives 0 otherwise.",
                    "ReLU's input $0 is positive, so it passes the gradient")
    return Rule(r"\mathrm{ReLU}($0)", ("0",), "ReLU keeps $0 if it is positive and gives 0 otherwise.",
                "ReLU's input $0 is not positive, so it blocks the gradient")


def _leaky_relu_rule(node) -> Rule:
    says = f"Leaky ReLU keeps $0 if it is positive and scales it by {plain(LEAKY_SLOPE)} otherwise."
    if node.parents[0].data > 0:
        return Rule(r"\mathrm{LeakyReLU}($0)", ("1",), says,
                    "Leaky ReLU's input $0 is positive, so it passes the gradient")
    return Rule(r"\mathrm{LeakyReLU}($0)", (fmt(LEAKY_SLOPE),), says,
                f"Leaky ReLU's input $0 is not positive, so it scales the gradient by {plain(LEAKY_SLOPE)}")


def _linear_rule(node) -> Rule:
    """linear(weights, inputs, bias): parents w₁, x₁, w₂, x₂, ..., b.  With one
    parent it is the linear ("identity") output activation."""
    if len(node.parents) == 1:
        return Rule("$0", ("1",), "A linear output passes $0 through unchanged.",
                    "a linear output's local derivative is 1")
    show, local, why = [], [], []
    for i in range(0, len(node.parents) - 1, 2):
        w, x = f"${i}", f"${i + 1}"
        show.append(rf"{w} \cdot {x}" if node.parents[i + 1].constant else f"{w}{x}")
        local += [x, w]  # ∂z/∂w = x and ∂z/∂x = w
        why += [f"in a weighted sum a weight's local derivative is the input it multiplies, {x}",
                f"in a weighted sum an input's local derivative is the weight that multiplies it, {w}"]
    if len(node.parents) % 2:
        show.append(f"${len(node.parents) - 1}")
        local.append("1")
        why.append("in a weighted sum the bias's local derivative is 1")
    return Rule(" + ".join(show), tuple(local), "$out is the weighted sum of the inputs plus the bias.", tuple(why))


def _bce_rule(node) -> Rule:
    return Rule(r"-[$y\log($0) + (1 - $y)\log(1 - $0)]", (r"\frac{$0 - $y}{$0(1 - $0)}",),
                f"Cross-entropy scores the prediction $0 against the target y = {plain(node.arg)}; "
                "it is small when they agree.",
                "cross-entropy's local derivative is ($0 − y)/($0(1 − $0))", consts=(("y", node.arg),))


def _squared_error_rule(node) -> Rule:
    return Rule(r"\tfrac{1}{2}($0 - $y)^2", ("$0 - $y",),
                f"Squared error is half the squared gap between $0 and the target y = {plain(node.arg)}.",
                "the local derivative of ½($0 − y)² is $0 − y", consts=(("y", node.arg),))


# Ops whose reading depends on the node: its exponent, its target, the sign of its input.
RULE_FOR_NODE = {"**": _power_rule, "relu": _relu_rule, "leaky_relu": _leaky_relu_rule,
                 "linear": _linear_rule, "bce": _bce_rule, "mse_half": _squared_error_rule}


def rule(node: Value) -> Rule:
    """How the op that made `node` reads."""
    return RULES[node.op] if node.op in RULES else RULE_FOR_NODE[node.op](node)


_SLOT = re.compile(r"\$([A-Za-z]+|\d+)")


def _fill(template: str, slots: dict) -> str:
    def put(m):
        text = slots[m.group(1)]
        # "\eta" right before a letter would read as one command: "\etax".
        return text + " " if re.search(r"\\[A-Za-z]+$", text) else text
    filled = _SLOT.sub(put, template)
    # Numbers come in parentheses; "\tanh((0.52))" needs only one pair.
    return re.sub(r"\(\(([^()]*)\)\)", r"(\1)", filled)


def _slots(node: Value, how: str) -> dict:
    """What fills node's template slots: "tex" names, "number"s or "pretty" names."""
    def show(v):
        if how == "number":
            return f"({fmt(v.data)})"
        return v.tex if how == "tex" else pretty_name(v.label)
    slots = {str(i): show(p) for i, p in enumerate(node.parents)}
    slots["out"] = show(node)
    for name, value in rule(node).consts:
        slots[name] = f"({fmt(value)})" if how == "number" else name
    return slots


# --------------------------------------------------------------------------
# Why a node has no value, in words.  engine.graph decides *that* a node is
# outside its op's domain (`node.outside` names the reason); these say why.
# $0, $1 name the op's inputs and $out the node, as in the templates above.

def _input_and_value(v: Value, slot: int) -> str:
    """An input as a note names it: "u = −6", or just "−1" for a number in the formula."""
    return plain(v.data) if v.constant else f"${slot} = {plain(v.data)}"


def _input_name(v: Value, slot: int) -> str:
    """" u" to follow "the divisor", or nothing for a number in the formula."""
    return "" if v.constant else f" ${slot}"


def _power_name(n: float) -> str:
    return "A square root (the power 0.5)" if n == 0.5 else f"The power {plain(n)}"


DOMAIN_NOTES = {
    "log of a number <= 0": lambda node: (
        f"log is defined only for positive numbers, and {_input_and_value(node.parents[0], 0)} is not."),
    "division by zero": lambda node: (
        f"Division by zero has no value, and the divisor{_input_name(node.parents[1], 1)} is 0."),
    "negative power of zero": lambda node: (
        f"{_power_name(node.arg)} divides by its base, and the base{_input_name(node.parents[0], 0)} is 0."),
    "fractional power of a negative number": lambda node: (
        f"{_power_name(node.arg)} is defined only for numbers ≥ 0, and {_input_and_value(node.parents[0], 0)} is not."),
    "infinite slope at zero": lambda node: (  # n·aⁿ⁻¹ grows without bound as a → 0
        f"{_power_name(node.arg)} has no derivative at 0 (its slope there is infinite), "
        f"and the base{_input_name(node.parents[0], 0)} is 0."),
    "variable power of a number <= 0": lambda node: (
        "A power whose exponent varies is defined only for a positive base "
        f"(aᵇ = e^(b·log a)), and {_input_and_value(node.parents[0], 0)} is not."),
}


def _note(node: Value) -> str:
    """Why node's value is undefined or ∞, as a template; "" when it is an ordinary number.
    A node computed from an undefined one gets no note: the note stays with the cause."""
    if node.outside:
        return DOMAIN_NOTES[node.outside](node)
    if math.isinf(node.data) and all(math.isfinite(p.data) for p in node.parents):
        return "$out is beyond the largest 64-bit float (about 1.8×10³⁰⁸), so it overflowed to ∞."
    if math.isnan(node.data) and not any(math.isnan(p.data) for p in node.parents):
        return "$out has no value: an input overflowed to ∞, and ∞ − ∞, 0 · ∞ or ∞ / ∞ have none."
    return ""


# --------------------------------------------------------------------------
# The trace: plain records a page can step through

@dataclass(frozen=True)
class Term:
    """One path in a backward step: grad child · ∂child/∂node (grad: the output's
    gradient accumulated at a node, see engine.text)."""
    child: str              # label of the node that uses this one
    upstream: float         # grad child
    local: float            # ∂child/∂node
    local_formula: str      # ∂child/∂node in symbols, e.g. "1 - h_{1}^2"
    local_substituted: str  # the same with numbers, e.g. "1 - (0.4777)^2"
    product: float          # upstream * local


@dataclass(frozen=True)
class Step:
    """One step of the forward or backward pass, as a page shows it."""
    phase: str                 # "forward" or "backward"
    node: str                  # label of the node this step computes
    tex: str                   # the node's LaTeX name
    op: str                    # the op that made the node, "input" for leaves
    inputs: tuple              # forward: the parents' labels; backward: the children's
    formula: str               # LaTeX in symbols
    substituted: str           # the same with numbers, ending "= result"
    result: float              # forward: the node's value; backward: its gradient, grad node
    explanation: str           # one plain-English sentence
    local: float | None = None      # backward with one child: ∂child/∂node
    local_formula: str = ""         # ... and in symbols
    upstream: float | None = None   # backward with one child: grad child
    terms: tuple = ()               # backward: one Term per child
    note: str = ""                  # forward: why this node's value is undefined or ∞, in words


def trace(output: Value) -> list[Step]:
    """Run output.backward() and return the whole computation as Steps: forward
    steps (every input, then every op in topological order), then backward
    steps from the output back to the leaves.  Unnamed nodes are labelled
    first (see Value.label_unnamed); constants get no steps."""
    output.label_unnamed()
    output.backward()
    ops = [n for n in output.nodes() if n.parents]
    # Each leaf is introduced where it is first used: x1, x2, w11, ... not in DFS order.
    leaves = [output] if not ops else [p for p in dict.fromkeys(p for n in ops for p in n.parents)
                                       if not p.parents]
    steps = [_input_step(n) for n in leaves if not n.constant]
    steps += [_forward_step(n) for n in ops]
    order = [n for n in backward_order(output) if not n.constant]
    children = {n: [] for n in order}
    for child in order:  # so each node's children are listed in the order they sent it gradient
        for parent in dict.fromkeys(child.parents):
            if not parent.constant:
                children[parent].append(child)
    steps += [_backward_step(n, children[n], output) for n in order]
    return steps


def backward_order(output: Value) -> list[Value]:
    """Every node after all the nodes that use it, grouped by longest distance
    from the output so a trace reads layer by layer: L, ŷ, z₃, then everything
    feeding z₃, and so on.  Ties keep forward order."""
    forward = output.nodes()
    distance = {output: 0}
    for node in reversed(forward):  # children come before their parents here
        for p in node.parents:
            distance[p] = max(distance.get(p, 0), distance[node] + 1)
    return sorted(forward, key=distance.__getitem__)


def _input_step(node):
    return Step("forward", node.label, node.tex, "input", (), node.tex,
                f"{node.tex} = {fmt(node.data)}", node.data,
                f"{pretty_name(node.label)} is a leaf of the graph: an input or a parameter.")


def _has_value(node) -> bool:
    return not math.isnan(node.data)


def _forward_step(node):
    show = rule(node).show
    formula = f"{node.tex} = {_fill(show, _slots(node, 'tex'))}"
    if all(_has_value(p) for p in node.parents):
        substituted = f"{node.tex} = {_fill(show, _slots(node, 'number'))} = {fmt(node.data)}"
    else:  # no numbers to put in: "(undefined)^2" would explain nothing
        substituted = f"{formula} = {fmt(node.data)}"
    return Step("forward", node.label, node.tex, node.op, tuple(p.label for p in node.parents),
                formula, substituted, node.data, _fill(rule(node).says, _slots(node, "pretty")),
                note=_fill(_note(node), _slots(node, "pretty")))


def _term(child, node):
    """The path node -> child; several edges (as in x*x) are added up."""
    edges = [i for i, p in enumerate(child.parents) if p is node]
    templates = [rule(child).local[i] for i in edges]
    local = sum(child.local[i] for i in edges)
    return Term(child.label, child.grad, local,
                " + ".join(_fill(t, _slots(child, "tex")) for t in templates),
                " + ".join(_fill(t, _slots(child, "number")) for t in templates),
                child.grad * local)


def _grouped(text):
    """Parentheses around a factor unless it already is one group: (0.6), (1 - (0.48)^2)."""
    return text if re.fullmatch(r"\([^()]*\)", text) else f"({text})"


def _backward_step(node, children, output):
    lhs, name = gradient_tex(node.tex), pretty_name(node.label)
    op = node.op or "input"
    if node is output:
        if not _has_value(output):
            return Step("backward", node.label, node.tex, op, (), lhs, f"{lhs} = {fmt(node.grad)}", node.grad,
                        f"{name} has no value here, so it has no derivatives either.")
        return Step("backward", node.label, node.tex, op, (), f"{lhs} = 1", f"{lhs} = 1", node.grad,
                    f"The backward pass starts at the output: grad {name} = 1.")
    terms = tuple(_term(c, node) for c in children)
    formula = " + ".join(gradient_tex(c.tex) + r"\cdot" + partial(c.tex, node.tex) for c in children)
    numbers = " + ".join(f"({fmt(t.upstream)})" + r"\cdot" + _grouped(t.local_substituted) for t in terms)
    if math.isnan(node.grad):  # the factors would only repeat "undefined"
        numbers = formula
    inputs = tuple(c.label for c in children)
    if len(children) > 1:
        return Step("backward", node.label, node.tex, op, inputs, f"{lhs} = {formula}",
                    f"{lhs} = {numbers} = {fmt(node.grad)}", node.grad,
                    f"{name} feeds {len(children)} nodes ({', '.join(pretty_name(c) for c in inputs)}), "
                    "so its gradient is the sum of one chain-rule term per path.", terms=terms)
    child, (term,) = children[0], terms
    c = pretty_name(child.label)
    why = rule(child).why
    if isinstance(why, tuple):  # one sentence per input: pick this node's
        why = why[next(i for i, p in enumerate(child.parents) if p is node)]
    why = _fill(why, _slots(child, "pretty"))
    return Step("backward", node.label, node.tex, op, inputs, f"{lhs} = {formula}",
                f"{lhs} = {numbers} = {fmt(node.grad)}", node.grad,
                f"Chain rule: the upstream gradient grad {c} times the local derivative ∂{c}/∂{name}; {why}.",
                local=term.local, local_formula=term.local_formula, upstream=term.upstream, terms=terms)
