"""Input features: what the network sees of a point (x₁, x₂), as in TensorFlow Playground.

    X_in = features.transform(X, ("x1", "x2", "x1_sq"))      # (n, 2) -> (n, 3)

Each feature is a record {name, label, function of (x₁, x₂)} in FEATURES, in the order the
playground's input column lists them.  The default, x₁ and x₂ alone, is the plain network
(`transform` returns X itself then).  The functions are applied to the coordinates the network
sees (in the playground: standardized), so sin x₁ is the sine of that number.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .registry import lookup


@dataclass(frozen=True)
class Feature:
    name: str           # as in a link: "x1_sq"
    label: str          # as the page shows it: "x₁²"
    function: Callable[[np.ndarray, np.ndarray], np.ndarray]   # of the columns x₁, x₂

    def __repr__(self) -> str:
        return f"Feature({self.name!r})"


FEATURES: dict[str, Feature] = {f.name: f for f in [
    Feature("x1", "x₁", lambda x1, x2: x1),
    Feature("x2", "x₂", lambda x1, x2: x2),
    Feature("x1_sq", "x₁²", lambda x1, x2: x1 * x1),
    Feature("x2_sq", "x₂²", lambda x1, x2: x2 * x2),
    Feature("x1x2", "x₁x₂", lambda x1, x2: x1 * x2),
    Feature("sin_x1", "sin x₁", lambda x1, x2: np.sin(x1)),
    Feature("sin_x2", "sin x₂", lambda x1, x2: np.sin(x2)),
]}

DEFAULT = ("x1", "x2")


def check(names) -> tuple[str, ...]:
    """The names as a tuple, in FEATURES' order; ValueError for an unknown, repeated or empty list."""
    names = tuple(names)
    if not names:
        raise ValueError("features: at least one input feature must be on")
    for name in names:
        lookup(FEATURES, name, "feature")
    if len(set(names)) != len(names):
        raise ValueError(f"features: a feature is listed twice in {names!r}")
    return tuple(name for name in FEATURES if name in names)


def transform(X, names=DEFAULT) -> np.ndarray:
    """The (n, len(names)) inputs of the network for the points X (n, 2), one column per
    feature in the order of `names`.  For x₁, x₂ it is X itself (no copy: the playground
    calls this on its 10,000-point grid every frame)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X: expected shape (n, 2), got {X.shape}")
    names = tuple(names)
    if names == DEFAULT:
        return X
    x1, x2 = X[:, 0], X[:, 1]
    columns = [lookup(FEATURES, name, "feature").function(x1, x2) for name in names]
    if not columns:
        raise ValueError("features: at least one input feature must be on")
    return np.column_stack(columns)


def labels(names) -> list[str]:
    """What the page calls each feature: ["x₁", "x₁²"]."""
    return [FEATURES[name].label for name in names]
