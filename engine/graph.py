"""Scalar reverse-mode autodiff that can show its work.

A `Value` holds one float and remembers the op and the inputs that made it,
as in Karpathy's micrograd.  Two things are added for the lesson pages:

* Each op records, right beside its forward rule, its local derivatives both
  as numbers and as LaTeX.  So `backward()` is one generic line of chain rule,
  and the trace can print every step in symbols and in numbers.
* `trace()` returns the whole forward and backward pass as a list of `Step`
  records (plain data) for a page to step through and for tests to check.

Words used below: a node's *parents* are its inputs; its *children* are the
nodes that use it.  A node's value is computed when the node is built; to try
other inputs, build the graph again (`parser.Expression.evaluate` does).

Bad arithmetic never raises.  Outside a function's domain (log(-1), 1/0,
sqrt(-1)) a node has no value and no derivative: both are NaN, and the node
carries a note in words that its trace step shows (see "Where each function is
defined").  Every node computed from it is undefined too.  A value too large
for a float (exp(1000)) is inf, with a note that it overflowed.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from .registry import ACTIVATIONS, LEAKY_SLOPE, LOSSES

# --------------------------------------------------------------------------
# Names and numbers as they are displayed

GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε",
         "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π",
         "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "omega": "ω"}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _split_label(label):
    """'w11' -> ('w', '11', False), 'x_1' -> ('x', '1', False),
    'yhat' -> ('y', '', True); None for labels of another shape."""
    m = re.fullmatch(r"([A-Za-z]+)_?(\d*)", label)
    if m is None:
        return None
    base, sub = m.groups()
    hat = base.endswith("hat") and (len(base) == 4 or base[:-3] in GREEK)
    return (base[:-3] if hat else base), sub, hat


def tex_name(label: str) -> str:
    """LaTeX for a label: w11 -> w_{11}, yhat -> \\hat{y}, eta -> \\eta, loss -> \\mathrm{loss}."""
    parts = _split_label(label)
    if parts is None:
        return r"\text{" + re.sub(r"[\\{}$&#^_%~]", "", label) + "}" if label else ""
    base, sub, hat = parts
    body = "\\" + base if base in GREEK else base if len(base) == 1 else rf"\mathrm{{{base}}}"
    if hat:
        body = rf"\hat{{{body}}}"
    return body + (f"_{{{sub}}}" if sub else "")


def pretty_name(label: str) -> str:
    """The same name in plain Unicode, for sentences: w11 -> w₁₁, yhat -> ŷ, eta -> η."""
    parts = _split_label(label)
    if parts is None:
        return label
    base, sub, hat = parts
    body = GREEK.get(base, base)
    if hat:  # a combining circumflex, composed where Unicode has the letter (ŷ)
        body = unicodedata.normalize("NFC", body + "\u0302")
    return body + sub.translate(_SUBSCRIPTS)


# Below 2**53 every whole number is exactly a float, so it is printed in full
# (an exponent 99999998 must not read 1×10⁸); other numbers are rounded.
_EXACT_BELOW = 2.0 ** 53


def _whole(x: float) -> str | None:
    """A whole number below 2**53 in full ("99999998", "-12"), else None."""
    x = float(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < _EXACT_BELOW:
        return str(int(x))
    return None


def exact(x: float) -> str:
    """The shortest text that reads back as exactly x: 99999999, 0.1, -2.5, 1e-07.
    Names a constant of a formula, so two different constants never share a name."""
    return _whole(x) or repr(float(x))


def fmt(x: float, digits: int = 4) -> str:
    """A number for a LaTeX formula, compactly: 0.4777, -12, 99999998, 1.5\\times 10^{-7},
    \\infty; NaN (no value, see "Where each function is defined") reads \\text{undefined}."""
    if math.isnan(x):
        return r"\text{undefined}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    whole = _whole(x)
    if whole is not None:
        return whole
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return "0" if text == "-0" else text


def plain(x: float, digits: int = 4) -> str:
    """A number for plain text: −12, 0.6225, 99999998, 1.5e−07, ∞; NaN reads "undefined"."""
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = _whole(x) or f"{x:.{digits}g}"
    return "0" if text == "-0" else text.replace("-", "−")


# --------------------------------------------------------------------------
# Formula templates: "$0 + $1", "1 - $out^2".  $0, $1, ... stand for an op's
# inputs, $out for its result and other $names for its constants (a loss's
# target $y).  One template gives the symbolic formula, the numeric one and
# the plain-English sentence, depending on what is put in the slots.

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
    slots = {str(i): show(p) for i, p in enumerate(node._parents)}
    slots["out"] = show(node)
    for name, value in node._rule.consts:
        slots[name] = f"({fmt(value)})" if how == "number" else name
    return slots


def _ieee(fn, *args) -> float:
    """fn on float64 with IEEE results instead of exceptions or warnings:
    1/0 = inf, log(-1) = nan, exp(1000) = inf."""
    with np.errstate(all="ignore"):
        return float(fn(*[np.float64(a) for a in args]))


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


# --------------------------------------------------------------------------
# Where each function is defined.  This is the one place that decides "outside
# the domain": each op with a restricted domain asks its check here.  A check
# returns None inside the domain, else an Outside with a note in words, where
# $0, $1 name the op's inputs and $out the node (filled in by the trace).


@dataclass(frozen=True)
class Outside:
    """Why an op is undefined at these inputs.  has_value: the value exists and
    only the derivative does not (a square root at 0)."""
    note: str
    has_value: bool = False


def _arg(v: Value, slot: int) -> str:
    """An input as a note names it: "u = −6", or just "−1" for a number in the formula."""
    return plain(v.data) if v.constant else f"${slot} = {plain(v.data)}"


def _name(v: Value, slot: int) -> str:
    """" u" to follow "the divisor", or nothing for a number in the formula."""
    return "" if v.constant else f" ${slot}"


def _power_name(n: float) -> str:
    return "A square root (the power 0.5)" if n == 0.5 else f"The power {plain(n)}"


def _log_domain(a: Value) -> Outside | None:
    if a.data > 0:
        return None
    return Outside(f"log is defined only for positive numbers, and {_arg(a, 0)} is not.")


def _divide_domain(b: Value) -> Outside | None:
    if b.data != 0:
        return None
    return Outside(f"Division by zero has no value, and the divisor{_name(b, 1)} is 0.")


def _power_domain(a: Value, n: float) -> Outside | None:
    """aⁿ for a number n (x**2, sqrt(x) = x**0.5)."""
    if n.is_integer() and (n >= 0 or a.data != 0):
        return None                      # a polynomial, or 1/aᵐ away from 0
    if a.data == 0 and n < 0:
        return Outside(f"{_power_name(n)} divides by its base, and the base{_name(a, 0)} is 0.")
    if a.data < 0:
        return Outside(f"{_power_name(n)} is defined only for numbers ≥ 0, and {_arg(a, 0)} is not.")
    if a.data == 0 and n < 1:            # n·aⁿ⁻¹ grows without bound as a → 0
        return Outside(f"{_power_name(n)} has no derivative at 0 (its slope there is infinite), "
                       f"and the base{_name(a, 0)} is 0.", has_value=True)
    return None


def _variable_power_domain(a: Value) -> Outside | None:
    """aᵇ with b in the graph: aᵇ = e^(b·log a), so the base must be positive."""
    if a.data > 0:
        return None
    return Outside(f"A power whose exponent varies is defined only for a positive base "
                   f"(aᵇ = e^(b·log a)), and {_arg(a, 0)} is not.")


def _has_value(v: Value) -> bool:
    return not math.isnan(v.data)


def _make(op, data, parents, local, show, says, why, consts=(), outside: Outside | None = None):
    """A new node: its value, its parents, and for each parent the local
    derivative as (number, LaTeX template).  `outside`: the op's domain check
    for these inputs.  A node with an undefined input is undefined too."""
    out = Value(data)
    out.op = op
    out._parents = tuple(parents)
    out._local = tuple(float(d) for d, _ in local)
    out._rule = Rule(show, tuple(t for _, t in local), says, why, tuple(consts))
    if not all(_has_value(p) for p in out._parents):
        outside = None  # the cause is further up, and its node has the note: not "log of undefined"
        out.data = math.nan
    elif outside and not outside.has_value:
        out.data = math.nan
    if not _has_value(out) or outside:
        out._local = tuple(math.nan for _ in out._local)
    if outside:
        out._note = outside.note
    elif math.isinf(out.data) and all(math.isfinite(p.data) for p in out._parents):
        out._note = "$out is beyond the largest 64-bit float (about 1.8×10³⁰⁸), so it overflowed to ∞."
    elif not _has_value(out) and all(_has_value(p) for p in out._parents):
        out._note = "$out has no value: an input overflowed to ∞, and ∞ − ∞, 0 · ∞ or ∞ / ∞ have none."
    return out


def _lift(x) -> Value:
    """Numbers written into a formula (the 2 in 2*x) become constant leaves."""
    return x if isinstance(x, Value) else Value(x, constant=True)


# --------------------------------------------------------------------------
# The graph

class Value:
    """One scalar in a computation graph: its value, its gradient and how it was made."""

    def __init__(self, data, label: str = "", tex: str | None = None, *, constant: bool = False):
        self.data = float(data)
        self.grad = 0.0          # ∂output/∂self after backward()
        self.constant = constant  # a literal number in a formula: no steps in the trace
        if constant and not label:  # shown as its number: 2, (-0.5), 99999999
            label = exact(self.data)
            tex = fmt(self.data) if self.data >= 0 else f"({fmt(self.data)})"
        self.label = label
        self._tex = tex          # None: derived from the label
        self.expr = None         # the source text, when the parser built this node
        self.op = ""             # "" for a leaf
        self._parents = ()
        self._local = ()         # ∂self/∂parent for each parent, found with the value
        self._rule = None
        self._note = ""          # why the value is undefined or ∞ (see _make), with $0, $out slots

    @property
    def tex(self) -> str:
        return self._tex if self._tex is not None else tex_name(self.label)

    @tex.setter
    def tex(self, value: str):
        self._tex = value

    def named(self, label: str, tex: str | None = None) -> Value:
        """Set the label (and optionally a LaTeX name) and return self: `(x * y).named("q")`."""
        self.label = label
        if tex is not None:
            self._tex = tex
        return self

    def __repr__(self):
        label = f"label={self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data!r}, grad={self.grad!r})"

    # -- arithmetic ---------------------------------------------------------

    def __add__(self, other):
        other = _lift(other)
        return _make("+", self.data + other.data, (self, other),
                     local=[(1.0, "1"), (1.0, "1")],
                     show="$0 + $1", says="$out is the sum of $0 and $1.",
                     why="addition passes the gradient through unchanged")

    def __mul__(self, other):
        other = _lift(other)
        return _make("*", self.data * other.data, (self, other),
                     local=[(other.data, "$1"), (self.data, "$0")],
                     show=r"$0 \cdot $1", says="$out is the product of $0 and $1.",
                     why="a product's local derivative is the other factor")

    def __neg__(self):
        return _make("neg", -self.data, (self,), local=[(-1.0, "-1")],
                     show="-$0", says="$out is $0 with its sign flipped.",
                     why="negation flips the gradient's sign")

    # Subtraction and division are single nodes (not x + (-y), x * y**-1) so
    # that each operator a learner types is one step in the trace.
    def __sub__(self, other):
        other = _lift(other)
        return _make("-", self.data - other.data, (self, other),
                     local=[(1.0, "1"), (-1.0, "-1")],
                     show="$0 - $1", says="$out is $0 minus $1.",
                     why="subtraction passes the gradient to the first input and flips it for the second")

    def __truediv__(self, other):
        other = _lift(other)
        a, b = self.data, other.data
        return _make("/", _ieee(np.divide, a, b), (self, other),
                     local=[(_ieee(np.divide, 1.0, b), r"\frac{1}{$1}"),
                            (_ieee(lambda a, b: -a / (b * b), a, b), r"-\frac{$0}{$1^2}")],
                     show=r"\frac{$0}{$1}", says="$out is $0 divided by $1.",
                     why="for a/b the local derivatives are 1/b and −a/b²",
                     outside=_divide_domain(other))

    def __pow__(self, other):
        if isinstance(other, Value):
            return self._power(other)
        n, a = float(other), self.data
        # For n = 0 the derivative is 0 (not 0 * a^-1, which is nan at a = 0).
        return _make("**", _ieee(np.power, a, n), (self,),
                     local=[(n * _ieee(np.power, a, n - 1) if n else 0.0,
                             "2$0" if n == 2 else f"{fmt(n)}$0^{{{fmt(n - 1)}}}")],
                     show=f"$0^{{{fmt(n)}}}", says=f"$out is $0 to the power {plain(n)}.",
                     why="power rule: the derivative of aⁿ is n·aⁿ⁻¹",
                     outside=_power_domain(self, n))

    def _power(self, other):
        """a ** b with both a and b in the graph."""
        a, b = self.data, other.data
        out = _ieee(np.power, a, b)
        return _make("**", out, (self, other),
                     local=[(_ieee(lambda a, b: b * a ** (b - 1), a, b), "$1 $0^{$1 - 1}"),
                            (_ieee(lambda a, o: o * np.log(a), a, out), r"$0^{$1}\log($0)")],
                     show="$0^{$1}", says="$out is $0 to the power $1.",
                     why="the derivative of aᵇ is b·aᵇ⁻¹ in a and aᵇ·log a in b",
                     outside=_variable_power_domain(self))

    def __radd__(self, other):
        return _lift(other) + self

    def __rmul__(self, other):
        return _lift(other) * self

    def __rsub__(self, other):
        return _lift(other) - self

    def __rtruediv__(self, other):
        return _lift(other) / self

    def __rpow__(self, other):
        return _lift(other)._power(self)

    # -- functions ----------------------------------------------------------

    def exp(self):
        out = _ieee(np.exp, self.data)
        return _make("exp", out, (self,), local=[(out, "e^{$0}")],
                     show="e^{$0}", says="$out is e to the power $0.",
                     why="exp is its own derivative")

    def log(self):
        return _make("log", _ieee(np.log, self.data), (self,),
                     local=[(_ieee(np.divide, 1.0, self.data), r"\frac{1}{$0}")],
                     show=r"\log($0)", says="$out is the natural log of $0.",
                     why="the derivative of log a is 1/a",
                     outside=_log_domain(self))

    def sin(self):
        return _make("sin", _ieee(np.sin, self.data), (self,),
                     local=[(_ieee(np.cos, self.data), r"\cos($0)")],
                     show=r"\sin($0)", says="$out is the sine of $0.",
                     why="the derivative of sin a is cos a")

    def cos(self):
        return _make("cos", _ieee(np.cos, self.data), (self,),
                     local=[(-_ieee(np.sin, self.data), r"-\sin($0)")],
                     show=r"\cos($0)", says="$out is the cosine of $0.",
                     why="the derivative of cos a is −sin a")

    def sqrt(self):
        return self ** 0.5

    # Activations take value and derivative from the registry, so this graph
    # and the vectorized MLP share one definition of each.
    def _activation(self, name, local_tex, show, says, why):
        act = ACTIVATIONS[name]
        with np.errstate(all="ignore"):
            z = np.asarray(self.data, dtype=float)
            a = act.output(z)
            d = act.derivative(z, a)
        return _make(name, float(a), (self,), local=[(float(d), local_tex)],
                     show=show, says=says, why=why)

    def tanh(self):
        return self._activation("tanh", "1 - $out^2", r"\tanh($0)",
                                "tanh squashes $0 into (−1, 1).",
                                "tanh's local derivative is 1 − $out²")

    def sigmoid(self):
        return self._activation("sigmoid", "$out(1 - $out)", r"\sigma($0)",
                                "The sigmoid squashes $0 into (0, 1).",
                                "the sigmoid's local derivative is $out(1 − $out)")

    def identity(self):
        """The linear ("identity") output activation, as its own node, so a
        network draws ŷ beside z whichever output it uses."""
        return self._activation("linear", "1", "$0",
                                "A linear output passes $0 through unchanged.",
                                "a linear output's local derivative is 1")

    def relu(self):
        on = self.data > 0
        return self._activation("relu", "1" if on else "0", r"\mathrm{ReLU}($0)",
                                "ReLU keeps $0 if it is positive and gives 0 otherwise.",
                                "ReLU's input $0 is positive, so it passes the gradient" if on
                                else "ReLU's input $0 is not positive, so it blocks the gradient")

    def leaky_relu(self):
        on = self.data > 0
        return self._activation("leaky_relu", "1" if on else fmt(LEAKY_SLOPE), r"\mathrm{LeakyReLU}($0)",
                                f"Leaky ReLU keeps $0 if it is positive and scales it by {LEAKY_SLOPE:g} otherwise.",
                                "Leaky ReLU's input $0 is positive, so it passes the gradient" if on
                                else f"Leaky ReLU's input $0 is not positive, so it scales the gradient by {LEAKY_SLOPE:g}")

    # -- losses against a constant target (the target is not a node) ----------

    def _loss(self, name, target, local_tex, show, says, why):
        loss = LOSSES[name]
        with np.errstate(all="ignore"):
            yhat, y = np.asarray(self.data, dtype=float), np.asarray(float(target))
            value, d = float(loss.value(yhat, y)), float(loss.derivative(yhat, y))
        return _make(name, value, (self,), local=[(d, local_tex)], show=show,
                     says=says, why=why, consts=[("y", float(target))])

    def bce(self, target: float):
        """Binary cross-entropy of this prediction ŷ against target y."""
        return self._loss("bce", target, r"\frac{$0 - $y}{$0(1 - $0)}",
                          r"-[$y\log($0) + (1 - $y)\log(1 - $0)]",
                          f"Cross-entropy scores the prediction $0 against the target y = {float(target):g}; it is small when they agree.",
                          "cross-entropy's local derivative is ($0 − y)/($0(1 − $0))")

    def squared_error(self, target: float):
        """½(ŷ − y)² of this prediction ŷ against target y."""
        return self._loss("mse_half", target, "$0 - $y", r"\tfrac{1}{2}($0 - $y)^2",
                          f"Squared error is half the squared gap between $0 and the target y = {float(target):g}.",
                          "the local derivative of ½($0 − y)² is $0 − y")

    # -- the graph as a whole -------------------------------------------------

    def nodes(self) -> list[Value]:
        """This node and every node it depends on, each after its parents
        (topological order, depth first as in micrograd)."""
        # An explicit stack, not recursion: Pyodide's stack is small and a
        # long chain of ops would overflow it.
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((p, False) for p in reversed(node._parents))
        return order

    def _backward_order(self) -> list[Value]:
        """Every node after all the nodes that use it, grouped by longest
        distance from the output so a trace reads layer by layer: L, ŷ, z₃,
        then everything feeding z₃, and so on.  Ties keep forward order."""
        forward = self.nodes()
        distance = {self: 0}
        for node in reversed(forward):  # children come before their parents here
            for p in node._parents:
                distance[p] = max(distance.get(p, 0), distance[node] + 1)
        return sorted(forward, key=distance.__getitem__)

    def backward(self) -> None:
        """Fill in .grad = ∂self/∂node for every node self depends on."""
        order = self._backward_order()
        for node in order:  # start from zero, so calling backward() twice gives the same grads
            node.grad = 0.0
        if not _has_value(self):  # an output with no value has no derivatives either
            for node in order:
                node.grad = math.nan
            return
        self.grad = 1.0
        for node in order:
            for parent, local in zip(node._parents, node._local):
                parent.grad += node.grad * local  # chain rule; += sums over paths

    def find(self, label: str) -> Value:
        """The first node (in topological order) with this label."""
        nodes = self.nodes()
        for node in nodes:
            if node.label == label:
                return node
        raise KeyError(f"no node labelled {label!r}; labels: {', '.join(n.label for n in nodes)}")

    def label_unnamed(self, prefix: str = "v") -> Value:
        """Label every unnamed node v1, v2, ... in topological order, skipping
        labels already in use; returns self."""
        nodes = self.nodes()
        taken = {n.label for n in nodes}
        k = 0
        for node in nodes:
            if not node.label:
                k += 1
                while f"{prefix}{k}" in taken:
                    k += 1
                node.label = f"{prefix}{k}"
        return self

    def trace(self) -> list[Step]:
        """Run backward() and return the whole computation as Steps: forward
        steps (every input, then every op in topological order), then backward
        steps from this output back to the leaves.  Unnamed nodes are labelled
        first (see label_unnamed); constants get no steps."""
        self.label_unnamed()
        self.backward()
        ops = [n for n in self.nodes() if n._parents]
        # Each leaf is introduced where it is first used: x1, x2, w11, ... not in DFS order.
        leaves = [self] if not ops else [p for p in dict.fromkeys(p for n in ops for p in n._parents)
                                         if not p._parents]
        steps = [_input_step(n) for n in leaves if not n.constant]
        steps += [_forward_step(n) for n in ops]
        order = [n for n in self._backward_order() if not n.constant]
        children = {n: [] for n in order}
        for child in order:  # so each node's children are listed in the order they sent it gradient
            for parent in dict.fromkeys(child._parents):
                if not parent.constant:
                    children[parent].append(child)
        steps += [_backward_step(n, children[n], self) for n in order]
        return steps


def linear(weights, inputs, bias=None) -> Value:
    """z = w₁x₁ + w₂x₂ + ... + b as ONE node, the way a neuron is drawn.
    Its parents are w₁, x₁, w₂, x₂, ..., b in that order."""
    weights, inputs = [_lift(w) for w in weights], [_lift(x) for x in inputs]
    if not weights or len(weights) != len(inputs):
        raise ValueError(f"linear: need as many weights as inputs (at least one), got {len(weights)} and {len(inputs)}")
    data, parents, local, show, why = 0.0, [], [], [], []
    for i, (w, x) in enumerate(zip(weights, inputs)):
        data += w.data * x.data
        parents += [w, x]
        local += [(x.data, f"${2 * i + 1}"), (w.data, f"${2 * i}")]  # ∂z/∂w = x and ∂z/∂x = w
        show.append(f"${2 * i} \\cdot ${2 * i + 1}" if x.constant else f"${2 * i}${2 * i + 1}")
        why += [f"in a weighted sum a weight's local derivative is the input it multiplies, ${2 * i + 1}",
                f"in a weighted sum an input's local derivative is the weight that multiplies it, ${2 * i}"]
    if bias is not None:
        bias = _lift(bias)
        data += bias.data
        parents.append(bias)
        local.append((1.0, "1"))
        show.append(f"${len(parents) - 1}")
        why.append("in a weighted sum the bias's local derivative is 1")
    return _make("linear", data, parents, local, show=" + ".join(show),
                 says="$out is the weighted sum of the inputs plus the bias.", why=tuple(why))


# --------------------------------------------------------------------------
# The trace: plain records a page can step through

@dataclass(frozen=True)
class Term:
    """One path in a backward step: ∂L/∂child · ∂child/∂node."""
    child: str              # label of the node that uses this one
    upstream: float         # ∂L/∂child
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
    result: float              # forward: the node's value; backward: its gradient
    explanation: str           # one plain-English sentence
    local: float | None = None      # backward with one child: ∂child/∂node
    local_formula: str = ""         # ... and in symbols
    upstream: float | None = None   # backward with one child: ∂L/∂child
    terms: tuple = ()               # backward: one Term per child
    note: str = ""                  # forward: why this node's value is undefined or ∞, in words


def _input_step(node):
    return Step("forward", node.label, node.tex, "input", (), node.tex,
                f"{node.tex} = {fmt(node.data)}", node.data,
                f"{pretty_name(node.label)} is a leaf of the graph: an input or a parameter.")


def _forward_step(node):
    show = node._rule.show
    formula = f"{node.tex} = {_fill(show, _slots(node, 'tex'))}"
    if all(_has_value(p) for p in node._parents):
        substituted = f"{node.tex} = {_fill(show, _slots(node, 'number'))} = {fmt(node.data)}"
    else:  # no numbers to put in: "(undefined)^2" would explain nothing
        substituted = f"{formula} = {fmt(node.data)}"
    return Step("forward", node.label, node.tex, node.op, tuple(p.label for p in node._parents),
                formula, substituted, node.data, _fill(node._rule.says, _slots(node, "pretty")),
                note=_fill(node._note, _slots(node, "pretty")))


def _partial(top, bottom):
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def _term(child, node):
    """The path node -> child; several edges (as in x*x) are added up."""
    edges = [i for i, p in enumerate(child._parents) if p is node]
    templates = [child._rule.local[i] for i in edges]
    local = sum(child._local[i] for i in edges)
    return Term(child.label, child.grad, local,
                " + ".join(_fill(t, _slots(child, "tex")) for t in templates),
                " + ".join(_fill(t, _slots(child, "number")) for t in templates),
                child.grad * local)


def _grouped(text):
    """Parentheses around a factor unless it already is one group: (0.6), (1 - (0.48)^2)."""
    return text if re.fullmatch(r"\([^()]*\)", text) else f"({text})"


def _backward_step(node, children, output):
    L, lhs, name = output.tex, _partial(output.tex, node.tex), pretty_name(node.label)
    op = node.op or "input"
    if node is output:
        if not _has_value(output):
            return Step("backward", node.label, node.tex, op, (), lhs, f"{lhs} = {fmt(node.grad)}", node.grad,
                        f"{name} has no value here, so it has no derivatives either.")
        return Step("backward", node.label, node.tex, op, (), f"{lhs} = 1", f"{lhs} = 1", node.grad,
                    f"The backward pass starts at the output: ∂{name}/∂{name} = 1.")
    terms = tuple(_term(c, node) for c in children)
    formula = " + ".join(_partial(L, c.tex) + r"\cdot" + _partial(c.tex, node.tex) for c in children)
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
    out, c = pretty_name(output.label), pretty_name(child.label)
    why = child._rule.why
    if isinstance(why, tuple):  # one sentence per input: pick this node's
        why = why[next(i for i, p in enumerate(child._parents) if p is node)]
    why = _fill(why, _slots(child, "pretty"))
    return Step("backward", node.label, node.tex, op, inputs, f"{lhs} = {formula}",
                f"{lhs} = {numbers} = {fmt(node.grad)}", node.grad,
                f"Chain rule: the upstream gradient ∂{out}/∂{c} times the local derivative ∂{c}/∂{name}; {why}.",
                local=term.local, local_formula=term.local_formula, upstream=term.upstream, terms=terms)
