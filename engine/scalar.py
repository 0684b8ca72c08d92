"""Arithmetic on one float with IEEE results, in plain Python (no NumPy).

Python raises where IEEE 754 arithmetic, and NumPy's float64, give a number:
`1 / 0.0` raises ZeroDivisionError, `math.exp(1000)` OverflowError and
`math.log(0)` ValueError.  The scalar graph (engine/graph.py) never raises, so
it computes with these functions, which return what NumPy returns instead:

    divide(1, 0) = inf    divide(-1, 0) = -inf    divide(0, 0) = nan
    exp(1000) = inf       log(0) = -inf           log(-1) = nan
    power(0, -1) = inf    power(-8, 1/3) = nan    power(-2, 1001) = -inf

Plain `math` rather than NumPy so that a page computing with one number at a
time (the chain-rule lesson) starts without downloading NumPy.

The graph's activations and losses are here too, in their one-number form:
engine/registry.py holds the same functions for arrays, and tests/engine
check that both give the same numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

INF, NAN = math.inf, math.nan


def _is_odd_integer(n: float) -> bool:
    """True for ..., -3, -1, 1, 3, ...: the powers that keep a negative base's sign."""
    return math.isfinite(n) and abs(math.fmod(n, 2.0)) == 1.0


def divide(a: float, b: float) -> float:
    """a / b; dividing by ±0 gives ±inf with the signs' product, and 0/0 gives nan."""
    try:
        return a / b
    except ZeroDivisionError:  # b is 0.0 or -0.0
        if a == 0 or math.isnan(a):
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def power(a: float, b: float) -> float:
    """a ** b as C's pow: inf when too large, nan for a negative base and a fractional power."""
    try:
        return math.pow(a, b)
    except OverflowError:  # too large for a float: -inf only if an odd power keeps a negative sign
        return -INF if a < 0 and _is_odd_integer(b) else INF
    except ValueError:  # 0 to a negative power, or a negative number to a fractional power
        if a == 0:
            return math.copysign(INF, a) if _is_odd_integer(b) else INF
        return NAN


def exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:  # a > 709.78...
        return INF


def log(a: float) -> float:
    try:
        return math.log(a)
    except ValueError:  # log(0) = -inf; a negative number has no logarithm
        return -INF if a == 0 else NAN


def sin(a: float) -> float:
    try:
        return math.sin(a)
    except ValueError:  # sin(±inf)
        return NAN


def cos(a: float) -> float:
    try:
        return math.cos(a)
    except ValueError:  # cos(±inf)
        return NAN


def finite_difference(f, x: float, h: float = 1e-6) -> float:
    """Central difference estimate of f'(x) for a function of one float (see engine/gradcheck.py)."""
    return (f(x + h) - f(x - h)) / (2 * h)


FLOOR = 1e-8  # engine/gradcheck.py explains the relative error and its floor


def relative_error(analytic: float, numeric: float) -> float:
    """|a - n| / max(|a| + |n|, FLOOR) of two floats: engine.gradcheck.relative_error, which also
    compares arrays, for the pages that load no NumPy."""
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), FLOOR)


@dataclass(frozen=True)
class Comparison:
    """One derivative from backprop beside its central finite difference, as a page lists them."""
    name: str
    backprop: float
    numeric: float

    @property
    def relative(self) -> float:
        return relative_error(self.backprop, self.numeric)


# -- the graph's activations and losses, for one number -----------------------

LEAKY_SLOPE = 0.01


def sigmoid(z: float) -> float:
    """1/(1 + e^-z), as engine.registry.sigmoid computes it: e^-|z| never overflows."""
    e = math.exp(-abs(z))
    r = 1.0 / (1.0 + e)
    return r if z >= 0 else e * r


# name -> (a = output(z), da/dz = derivative(z, a)), as engine.registry.ACTIVATIONS has them.
ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda z, a: a * (1.0 - a)),
    "tanh": (math.tanh, lambda z, a: 1.0 - a * a),
    "relu": (lambda z: z if z > 0 else 0.0, lambda z, a: 1.0 if z > 0 else 0.0),
    "leaky_relu": (lambda z: z if z > 0 else LEAKY_SLOPE * z, lambda z, a: 1.0 if z > 0 else LEAKY_SLOPE),
    "linear": (lambda z: z, lambda z, a: 1.0),
}

_EPS = 1e-12  # as engine.registry's losses: log and 1/ŷ(1−ŷ) stay finite at ŷ = 0 or 1


def _clip(x: float, low: float, high: float) -> float:
    return min(max(x, low), high)  # nan stays nan


def _bce(yhat: float, y: float) -> float:
    return -(y * math.log(_clip(yhat, _EPS, 1.0)) + (1 - y) * math.log(_clip(1 - yhat, _EPS, 1.0)))


# name -> (value(ŷ, y), dL/dŷ(ŷ, y)), as engine.registry.LOSSES has them.
LOSSES = {
    "bce": (_bce, lambda yhat, y: (yhat - y) / max(yhat * (1 - yhat), _EPS)),
    "mse_half": (lambda yhat, y: 0.5 * ((yhat - y) * (yhat - y)), lambda yhat, y: yhat - y),
}
