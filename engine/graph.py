"""Scalar reverse-mode autodiff, in the style of Karpathy's micrograd.

A `Value` holds one number.  Every operation on Values makes a new Value that
remembers the op, the Values it was computed from (its *parents*) and, worked
out right beside its value, its *local derivatives* ∂value/∂parent.  Then
`backward()` is the chain rule, applied once per edge from the output back:

    parent.grad += node.grad * local        # += adds up the paths through a node

    x, y = Value(2.0, "x"), Value(-3.0, "y")
    f = (x * y + x).tanh()
    f.backward()
    print(x.grad, y.grad)                   # ∂f/∂x, ∂f/∂y

A node's value is computed when the node is built; to try other inputs, build
the graph again (`parser.Expression.evaluate` does).  `f.trace()` explains
every forward and backward step in symbols, numbers and words: that lesson
text lives in `engine/trace.py`, so this file is only the arithmetic.

Bad arithmetic never raises.  Outside a function's domain (log(-1), 1/0,
sqrt(-1)) a node has no value and no derivative: both are NaN, and every node
computed from it is NaN too.  `_outside_domain` is the one place that decides
this.  A value too large for a float (exp(1000)) is inf, as IEEE arithmetic
has it: the arithmetic is engine/scalar.py's, plain Python with IEEE results
(no NumPy, so the chain-rule lesson starts without downloading it).
"""
from __future__ import annotations

import math

from . import scalar
from . import trace as lesson_text


class Value:
    """One number in a computation graph: its value, its gradient and how it was made."""

    def __init__(self, data, label: str = "", tex: str | None = None, *, constant: bool = False):
        self.data = float(data)
        self.grad = 0.0           # ∂output/∂self, once output.backward() has run
        self.op = ""              # the op that made this node; "" for a leaf
        self.parents = ()         # the op's inputs
        self.local = ()           # ∂self/∂parent for each parent, found with the value
        self.arg = None           # a number the op takes that is not a node: n in x**n, a loss's target y
        self.outside = None       # why the op is undefined here (see _outside_domain), else None
        self.constant = constant  # a number written into a formula (the 2 in 2*x): no steps in a trace
        if constant and not label:  # named by its value: 2, (-0.5), 99999999
            label, tex = lesson_text.exact(self.data), lesson_text.constant_tex(self.data)
        self.label = label
        self._tex = tex           # None: made from the label
        self.expr = None          # the source text, when the parser built this node

    @property
    def tex(self) -> str:
        """The name in LaTeX: as given, else made from the label (w11 -> w_{11})."""
        return self._tex if self._tex is not None else lesson_text.tex_name(self.label)

    @tex.setter
    def tex(self, value: str):
        self._tex = value

    def named(self, label: str, tex: str | None = None) -> Value:
        """Set the label (and optionally the LaTeX name) and return self: `(x * y).named("q")`."""
        self.label = label
        if tex is not None:
            self._tex = tex
        return self

    def __repr__(self):
        label = f"label={self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data!r}, grad={self.grad!r})"

    # -- arithmetic: each op's value, and beside it ∂value/∂input for each input

    def __add__(self, other):                          # a + b:  ∂/∂a = 1, ∂/∂b = 1
        other = _lift(other)
        return _node("+", self.data + other.data, [self, other], [1.0, 1.0])

    # Subtraction and division are single nodes (not a + (−b), a · b⁻¹) so that
    # each operator a learner types is one step in the trace.
    def __sub__(self, other):                          # a − b:  ∂/∂a = 1, ∂/∂b = −1
        other = _lift(other)
        return _node("-", self.data - other.data, [self, other], [1.0, -1.0])

    def __mul__(self, other):                          # a·b:  ∂/∂a = b, ∂/∂b = a
        other = _lift(other)
        return _node("*", self.data * other.data, [self, other], [other.data, self.data])

    def __truediv__(self, other):                      # a/b:  ∂/∂a = 1/b, ∂/∂b = −a/b²
        other = _lift(other)
        a, b = self.data, other.data
        return _node("/", scalar.divide(a, b), [self, other],
                     [scalar.divide(1.0, b), scalar.divide(-a, b * b)])

    def __neg__(self):                                 # −a:  ∂/∂a = −1
        return _node("neg", -self.data, [self], [-1.0])

    def __pow__(self, other):                          # aⁿ for a number n:  ∂/∂a = n·aⁿ⁻¹
        if isinstance(other, Value):
            return self._power(other)
        n, a = float(other), self.data
        slope = n * scalar.power(a, n - 1) if n else 0.0    # a⁰ = 1 is flat, even at a = 0
        return _node("**", scalar.power(a, n), [self], [slope], arg=n)

    def _power(self, other):
        """aᵇ with both a and b in the graph:  ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·log a."""
        a, b = self.data, other.data
        out = scalar.power(a, b)
        return _node("**", out, [self, other], [b * scalar.power(a, b - 1), out * scalar.log(a)])

    def __radd__(self, other):
        return _lift(other) + self

    def __rsub__(self, other):
        return _lift(other) - self

    def __rmul__(self, other):
        return _lift(other) * self

    def __rtruediv__(self, other):
        return _lift(other) / self

    def __rpow__(self, other):
        return _lift(other)._power(self)

    # -- functions ----------------------------------------------------------

    def exp(self):                                     # eᵃ:  ∂/∂a = eᵃ, its own value
        out = scalar.exp(self.data)
        return _node("exp", out, [self], [out])

    def log(self):                                     # log a:  ∂/∂a = 1/a
        return _node("log", scalar.log(self.data), [self], [scalar.divide(1.0, self.data)])

    def sin(self):                                     # sin a:  ∂/∂a = cos a
        return _node("sin", scalar.sin(self.data), [self], [scalar.cos(self.data)])

    def cos(self):                                     # cos a:  ∂/∂a = −sin a
        return _node("cos", scalar.cos(self.data), [self], [-scalar.sin(self.data)])

    def sqrt(self):                                    # √a is the node a ** 0.5
        return self ** 0.5

    # Activations and losses are engine.scalar's one-number forms of
    # engine.registry's (tests/engine check that both give the same numbers).
    def _activation(self, name):
        output, derivative = scalar.ACTIVATIONS[name]
        z = self.data
        a = output(z)
        return _node(name, a, [self], [derivative(z, a)])

    def tanh(self):
        return self._activation("tanh")

    def sigmoid(self):
        return self._activation("sigmoid")

    def relu(self):
        return self._activation("relu")

    def leaky_relu(self):
        return self._activation("leaky_relu")

    def identity(self):
        """The linear ("identity") output activation, as its own node, so a
        network draws ŷ beside z whichever output it uses."""
        return self._activation("linear")

    # Losses of this prediction ŷ against a target y, a number (not a node).
    def _loss(self, name, target):
        value, derivative = scalar.LOSSES[name]
        yhat, y = self.data, float(target)
        return _node(name, value(yhat, y), [self], [derivative(yhat, y)], arg=y)

    def bce(self, target: float):
        """Binary cross-entropy −[y log ŷ + (1 − y) log(1 − ŷ)]."""
        return self._loss("bce", target)

    def squared_error(self, target: float):
        """½(ŷ − y)²."""
        return self._loss("mse_half", target)

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
                stack.extend((p, False) for p in reversed(node.parents))
        return order

    def backward(self) -> None:
        """Fill in .grad = ∂self/∂node for every node self depends on."""
        order = self.nodes()
        for node in order:  # from zero, so calling backward() twice gives the same grads
            node.grad = 0.0
        if math.isnan(self.data):  # an output with no value has no derivatives either
            for node in order:
                node.grad = math.nan
            return
        self.grad = 1.0
        for node in reversed(order):  # every node after all the nodes that use it
            for parent, local in zip(node.parents, node.local):
                parent.grad += node.grad * local  # chain rule; += sums over paths

    def trace(self) -> list[lesson_text.Step]:
        """The forward and backward pass, step by step, in formulas and words
        (runs backward(); see engine.trace)."""
        return lesson_text.trace(self)

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


def linear(weights, inputs, bias=None) -> Value:
    """z = w₁x₁ + w₂x₂ + ... + b as ONE node, the way a neuron is drawn.
    Its parents are w₁, x₁, w₂, x₂, ..., b in that order."""
    weights, inputs = [_lift(w) for w in weights], [_lift(x) for x in inputs]
    if not weights or len(weights) != len(inputs):
        raise ValueError(f"linear: need as many weights as inputs (at least one), "
                         f"got {len(weights)} and {len(inputs)}")
    data, parents, local = 0.0, [], []
    for w, x in zip(weights, inputs):
        data += w.data * x.data
        parents += [w, x]
        local += [x.data, w.data]  # ∂z/∂w = x and ∂z/∂x = w
    if bias is not None:
        bias = _lift(bias)
        data += bias.data
        parents.append(bias)
        local.append(1.0)
    return _node("linear", data, parents, local)


def gradient_descent_step(values: dict[str, float], grads: dict[str, float], lr: float) -> dict[str, float]:
    """One step of gradient descent on named numbers, w ← w − η·grad w for each, as a training loop
    takes it after backward() (engine.optim.SGD takes the same step on the MLP's arrays)."""
    return {name: value - lr * grads[name] for name, value in values.items()}


def _lift(x) -> Value:
    """Numbers written into a formula (the 2 in 2*x) become constant leaves."""
    return x if isinstance(x, Value) else Value(x, constant=True)


def _node(op: str, data: float, parents: list, local: list, arg: float | None = None) -> Value:
    """The result of an op: its value, its parents and ∂value/∂parent for each."""
    out = Value(data)
    out.op, out.parents, out.arg = op, tuple(parents), arg
    out.local = tuple(float(d) for d in local)
    if any(math.isnan(p.data) for p in out.parents):
        out.data = math.nan                         # computed from an undefined number: undefined too
    else:
        out.outside = _outside_domain(op, out.parents, arg)
        if out.outside and out.outside not in _VALUE_BUT_NO_SLOPE:
            out.data = math.nan
    if math.isnan(out.data) or out.outside:         # no value or no slope: no local derivatives
        out.local = (math.nan,) * len(out.local)
    return out


# --------------------------------------------------------------------------
# Where each function is defined: the one place that decides "outside the
# domain".  It names the reason (engine/trace.py says it in words to the
# learner), or returns None inside the domain.  Outside it, the node's value
# and local derivatives are NaN; at a root's 0 only the derivative is.

_VALUE_BUT_NO_SLOPE = {"infinite slope at zero"}


def _outside_domain(op: str, parents: tuple, arg: float | None) -> str | None:
    a = parents[0].data
    if op == "log" and a <= 0:
        return "log of a number <= 0"
    if op == "/" and parents[1].data == 0:
        return "division by zero"
    if op == "**" and arg is None and a <= 0:     # aᵇ = e^(b·log a) needs a > 0
        return "variable power of a number <= 0"
    if op == "**" and arg is not None:            # aⁿ for a number n (x**2, sqrt(x) = x**0.5)
        n = arg
        if n.is_integer() and (n >= 0 or a != 0):
            return None                           # a polynomial, or 1/aᵐ away from 0
        if a == 0 and n < 0:
            return "negative power of zero"
        if a < 0:
            return "fractional power of a negative number"
        if a == 0 and n < 1:                      # n·aⁿ⁻¹ grows without bound as a → 0
            return "infinite slope at zero"
    return None
