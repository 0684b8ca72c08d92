"""Gradient checks: backprop's answer against central finite differences.

    f'(x) ≈ (f(x + h) - f(x - h)) / 2h           error O(h²)

and both are compared by their relative difference

    relative_error(a, n) = |a - n| / max(|a| + |n|, FLOOR)

which is 0 when they agree, 1 when they have opposite signs or one is 0, and
is not fooled by the size of the gradient.  FLOOR = 1e-8 keeps two tiny
gradients (where finite differences are mostly rounding noise) from looking
far apart.  With float64 and h = 1e-6, a correct gradient typically gives
1e-7 or less; 1e-2 or more means a bug.
"""
from __future__ import annotations

import numpy as np

from .parser import Expression, parse
from .scalar import FLOOR, Comparison, finite_difference  # noqa: F401  (without NumPy, for pages that load none)


def relative_error(analytic, numeric):
    """|a - n| / max(|a| + |n|, FLOOR), for numbers or elementwise for arrays."""
    a, n = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    error = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), FLOOR)
    return float(error) if error.ndim == 0 else error


def check_graph(build, values: dict, h: float = 1e-6) -> dict:
    """Check a function that builds a graph: `build(**values)` returns the
    output Value and labels each input leaf by its keyword's name.  Returns
    {name: (analytic, numeric, relative_error)}; an input the output does
    not use has analytic gradient 0."""
    out = build(**values)
    out.backward()
    leaves = {node.label: node for node in out.nodes() if not node.op and not node.constant}
    results = {}
    for name, x in values.items():
        analytic = leaves[name].grad if name in leaves else 0.0
        numeric = finite_difference(lambda t, name=name: build(**{**values, name: t}).data, float(x), h)
        results[name] = (analytic, numeric, relative_error(analytic, numeric))
    return results


def check_expression(expression, values: dict, h: float = 1e-6) -> dict:
    """check_graph for a formula (an Expression or its text):
    {variable: (analytic, numeric, relative_error)}."""
    if not isinstance(expression, Expression):
        expression = parse(expression)
    return check_graph(expression.evaluate, values, h)


def numeric_grads(net, X, y, h: float = 1e-6) -> list[np.ndarray]:
    """Central differences of `net.loss_and_grads(X, y)`'s loss for every
    entry of every array in `net.params` (changed in place, each entry put
    back exactly as it was).  Two forward passes per entry: for small nets."""
    grads = []
    for param in net.params:
        numeric = np.empty(param.shape)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + h
            loss_plus = net.loss_and_grads(X, y)[0]
            param[index] = saved - h
            loss_minus = net.loss_and_grads(X, y)[0]
            param[index] = saved
            numeric[index] = (loss_plus - loss_minus) / (2 * h)
        grads.append(numeric)
    return grads


def check_mlp(net, X, y, h: float = 1e-6) -> list[float]:
    """The largest relative error over the entries of each parameter array,
    in the order of `net.params` ([W1, b1, W2, b2, ...]).

    Uses only `net.params` and `net.loss_and_grads(X, y)` (see numeric_grads).
    Gradient clipping would change the gradients but not the loss, so the
    net must have clip_norm None."""
    if getattr(net, "clip_norm", None) is not None:
        raise ValueError("check_mlp: set net.clip_norm = None first; clipped gradients are not the loss's gradients")
    _, analytic = net.loss_and_grads(X, y)
    return [float(np.max(relative_error(a, n), initial=0.0))
            for a, n in zip(analytic, numeric_grads(net, X, y, h))]
