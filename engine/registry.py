"""Name -> function registries shared by the engine, the page controls and URL state.

Every activation and loss is a tiny record of plain NumPy functions, in the
style of TensorFlow Playground's `{output, derivative}` objects.  The pages
build their menus from these dictionaries and URL state validates names
against them, so adding an entry here (and its label in engine/labels.py)
makes it available everywhere.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .labels import ACTIVATION_LABELS, LOSS_LABELS, OUTPUTS, labels  # noqa: F401  (pages import them from here)
from .scalar import LEAKY_SLOPE  # the graph's leaky ReLU has the same slope

Array = np.ndarray



@dataclass(frozen=True)
class Activation:
    """a = output(z); da/dz = derivative(z, a).  `a` is passed so that
    sigmoid/tanh can reuse the forward value instead of recomputing it."""
    name: str
    tex: str            # the function in LaTeX, of z (derivatives as a lesson writes them: engine/trace.py)
    output: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]

    @property
    def label(self) -> str:
        """What a menu shows."""
        return ACTIVATION_LABELS[self.name]

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def sigmoid(z):
    """The logistic function 1/(1 + e^-z), for the sigmoid activation and the MLP's output."""
    # exp(-|z|) never overflows: sigmoid is 1/(1+e) for z >= 0 and e/(1+e) below.
    # Whole-array operations, no boolean indexing: a deep sigmoid net calls this once
    # per layer, and in Pyodide the masked version took a third of a pass.
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


# GELU in its tanh form (as in GPT-2 and PyTorch's approximate="tanh"):
# NumPy has no vectorized erf, and a Python-level erf is far too slow in Pyodide.
_GELU_K = math.sqrt(2.0 / math.pi)


def _gelu(z):
    return 0.5 * z * (1.0 + np.tanh(_GELU_K * (z + 0.044715 * z**3)))


def _gelu_derivative(z, a):
    t = np.tanh(_GELU_K * (z + 0.044715 * z**3))
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _GELU_K * (1.0 + 3 * 0.044715 * z * z)


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in [
    Activation("sigmoid", r"\sigma(z)=\frac{1}{1+e^{-z}}",
               sigmoid, lambda z, a: a * (1.0 - a)),
    Activation("tanh", r"\tanh(z)",
               np.tanh, lambda z, a: 1.0 - a * a),
    Activation("relu", r"\max(0,z)",
               lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
    Activation("leaky_relu", r"\max(0.01z,z)",
               lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
               lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE)),
    Activation("elu", r"z\text{ if }z>0\text{ else }e^{z}-1",
               lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
               lambda z, a: np.where(z > 0, 1.0, a + 1.0)),
    Activation("gelu", r"\tfrac12 z\left(1+\tanh\left(\sqrt{2/\pi}\,(z+0.044715z^3)\right)\right)",
               _gelu, _gelu_derivative),
    Activation("silu", r"z\,\sigma(z)",
               lambda z: z * sigmoid(z),
               lambda z, a: sigmoid(z) * (1.0 + z * (1.0 - sigmoid(z)))),
    Activation("linear", r"z",
               lambda z: z, lambda z, a: np.ones_like(z)),
]}


@dataclass(frozen=True)
class Loss:
    """Mean over samples is taken by the caller; these are per-sample.
    `value(yhat, y)` and `derivative(yhat, y)` = dL/dyhat."""
    name: str
    tex: str
    value: Callable[[Array, Array], Array]
    derivative: Callable[[Array, Array], Array]

    @property
    def label(self) -> str:
        """What a menu shows."""
        return LOSS_LABELS[self.name]

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


_EPS = 1e-12

LOSSES: dict[str, Loss] = {loss.name: loss for loss in [
    # With a sigmoid output the MLP computes BCE from the logit instead (stable
    # for large |z|); this form is what the step-through graph shows.
    Loss("bce", r"-\left[y\log\hat y+(1-y)\log(1-\hat y)\right]",
         lambda yh, y: -(y * np.log(np.clip(yh, _EPS, 1.0)) + (1 - y) * np.log(np.clip(1 - yh, _EPS, 1.0))),
         lambda yh, y: (yh - y) / np.clip(yh * (1 - yh), _EPS, None)),
    Loss("mse_half", r"\tfrac12(\hat y-y)^2",
         lambda yh, y: 0.5 * (yh - y) ** 2, lambda yh, y: yh - y),
    Loss("mse", r"(\hat y-y)^2",
         lambda yh, y: (yh - y) ** 2, lambda yh, y: 2.0 * (yh - y)),
]}

INITS = ("he", "xavier", "normal", "zeros")
OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
DATASETS = ("circle", "xor", "xor_points", "gaussians", "spiral", "moons")


def lookup(registry, name: str, argument: str):
    """registry[name], or a ValueError naming the argument and the choices."""
    if name not in registry:
        choices = ", ".join(registry)
        raise ValueError(f"{argument}: unknown {argument} {name!r}; choose one of: {choices}")
    return registry[name] if isinstance(registry, dict) else name


# --- Added for engine/mlp.py, engine/optim.py and engine/datasets.py --------
# The tuples above stay the source of truth for names; these give the menus
# their labels and let old names keep working.

# Other names people use for the same initialisation.
INIT_ALIASES = {"glorot": "xavier"}

INIT_LABELS = {
    "he": "He (std √(2/fan_in))",
    "xavier": "Xavier / Glorot (std √(2/(fan_in+fan_out)))",
    "normal": "Normal (std = init scale)",
    "zeros": "Zeros",
}

OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}

REGULARIZATION_LABELS = {"none": "None", "l1": "L1", "l2": "L2"}

DATASET_LABELS = {
    "circle": "Circle",
    "xor": "XOR (noisy cloud)",
    "xor_points": "XOR (4 points)",
    "gaussians": "Two Gaussians",
    "spiral": "Spiral",
    "moons": "Two moons",
}
