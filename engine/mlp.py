"""A vectorized multi-layer perceptron for binary classification, in NumPy.

    net = MLP([2, 8, 8, 1], activation="tanh", output="sigmoid", loss="bce",
              init="xavier", seed=0)
    loss, grads = net.loss_and_grads(X, y)   # X (n, 2), y (n,) in {0, 1}

Notation used throughout (layer l = 1 .. L, h_0 = X):

    z_l = h_{l-1} @ W_l + b_l           W_l is (fan_in, fan_out), b_l is (fan_out,)
    a_l = act(z_l)                      hidden layers; the output layer uses `output`
    h_l = a_l            (+ h_{l-1} when the layer has a residual skip)

Backpropagation walks the same list backwards with g = dL/dh_l:

    dL/dz_l     = g * act'(z_l)
    dL/dW_l     = h_{l-1}.T @ dL/dz_l
    dL/db_l     = sum over samples of dL/dz_l
    dL/dh_{l-1} = dL/dz_l @ W_l.T       (+ g when the layer has a residual skip)

In the code a layer's list index is i = l - 1.  The network knows nothing of
the UI; activations, losses and inits come from `engine.registry` by name, so
the pages and URL state use the same names.

Speed: the playground trains in the browser at hundreds of epochs per second,
and at its sizes each NumPy call's fixed cost (microseconds in Pyodide)
matters more than the arithmetic.  So all weights and biases live in one flat
vector and `params` are views into it (likewise the gradients): an optimizer
step, L2 penalty or gradient clipping is a few NumPy calls however deep the
net is.  How the layer products are computed is at the end of this file.
"""
from __future__ import annotations

import functools
import math
import sys
from dataclasses import asdict, dataclass
from numbers import Integral
from typing import NamedTuple

import numpy as np

from . import registry
from .registry import ACTIVATIONS, LOSSES, OUTPUTS, lookup, sigmoid

# Activations that are exactly zero on a whole half-line, so a unit can "die"
# (output 0 for every input).  Others report dead_fraction 0.
_CAN_DIE = ("relu",)


@dataclass(frozen=True)
class MLPConfig:
    """The settings an MLP is built with (see MLP), read-only as `net.config`:
    `net.config.sizes`, `net.config.activation`, ...  To change one, build a
    new MLP."""
    sizes: tuple[int, ...]
    activation: str
    output: str
    loss: str
    init: str
    init_scale: float
    seed: int | None
    residual: bool


class Forward(NamedTuple):
    """What a forward pass keeps for the backward pass."""
    hs: list      # h_0 .. h_{L-1}: each layer's input (h_0 = X)
    zs: list      # z_1 .. z_L: each layer's pre-activation
    acts: list    # a_1 .. a_{L-1}: each hidden layer's activation


class SampleTrace(NamedTuple):
    """One sample's forward and backward pass, layer by layer (index i = l - 1): what the
    playground shows for a point the learner clicks.  The gradients are of this sample's own
    loss, with no regularization: the penalty belongs to the weights, not to a point."""
    inputs: np.ndarray      # h_0: the sample as the network sees it
    zs: list                # z_l, one array of the layer's width per layer
    outputs: list           # h_l for the hidden layers, then the network's output (a 1-array)
    deltas: list            # δ_l = ∂L/∂z_l
    weight_grads: list      # ∂L/∂W_l = outer(h_{l-1}, δ_l)
    bias_grads: list        # ∂L/∂b_l = δ_l
    loss: float


class MLP:
    """Dense feed-forward network: `sizes[0]` inputs, hidden layers of
    `sizes[1:-1]` units with `activation`, and one output unit (sizes[-1]
    must be 1) with `output` ("sigmoid" or "linear").  These settings are
    fixed at construction and kept in `net.config`; the regularization and
    clipping settings are not: the playground changes them between steps.

    loss: "bce", "mse_half" or "mse" (registry.LOSSES), averaged over samples.
        "bce" is computed from the logit z in the stable form
        max(z, 0) - z*y + log1p(exp(-|z|)), with dL/dz = sigmoid(z) - y; it
        needs output="sigmoid" (a linear output is not a probability).
    init: "he" (std sqrt(2/fan_in)), "xavier" alias "glorot"
        (std sqrt(2/(fan_in+fan_out))), "normal" (std `init_scale`), "zeros".
        Weights are Gaussian, biases start at zero; `seed` makes the draw (and
        the mini-batch shuffling of `train_epoch`) reproducible bit for bit.
        seed=None draws fresh entropy.
    residual: when True, every hidden layer whose input and output widths are
        equal adds its input: h_l = h_{l-1} + act(z_l).  That is each hidden
        layer l >= 2 with sizes[l-1] == sizes[l]; never the first layer (its
        input is the data) nor the output layer.  `residual_layers` lists them.
    regularization: "none", "l1" or "l2" (registry.REGULARIZATIONS), on weights
        only, scaled by `reg_rate`: L2 adds reg_rate * sum(W²)/2 to the loss
        (gradient reg_rate * W), L1 adds reg_rate * sum|W| (gradient
        reg_rate * sign(W)).
    clip_norm: None, or a positive float: if the global norm of all gradients
        exceeds it they are scaled down to that norm.  `last_grad_norm` holds
        the norm before clipping from the latest gradient computation.

    Predictions of a linear output are the raw outputs (not probabilities);
    `predict` and `accuracy` threshold any output at 0.5.
    """

    def __init__(self, sizes, activation: str = "tanh", output: str = "sigmoid", loss: str = "bce",
                 init: str = "xavier", seed: int | None = 0, *, init_scale: float = 0.1,
                 residual: bool = False, regularization: str | None = "none", reg_rate: float = 1e-3,
                 clip_norm: float | None = None):
        self.config = _checked_config(sizes, activation, output, loss, init, init_scale, seed, residual)
        self.regularization = regularization
        self.reg_rate = reg_rate
        self.clip_norm = clip_norm
        self._norm_before_clip = None     # set by a clipped update; else last_grad_norm reads the buffer
        self._act = ACTIVATIONS[activation]
        self._loss = LOSSES[loss]
        self._skip = _skip_flags(self.config.sizes, self.config.residual)   # per layer: does it add its input?
        self._build_buffers()
        self.rng = np.random.default_rng(seed)
        self._initialize(self.rng)

    # ------------------------------------------------------------- settings
    @property
    def residual_layers(self) -> list[int]:
        """The layers l (1-based) that compute h_l = h_{l-1} + act(z_l)."""
        return [i + 1 for i, skip in enumerate(self._skip) if skip]

    # The live settings are checked when set, so a bad value fails where it
    # is given rather than in the middle of training.
    @property
    def regularization(self) -> str:
        return self._regularization

    @regularization.setter
    def regularization(self, name: str | None) -> None:
        self._regularization = lookup(registry.REGULARIZATIONS, name or "none", "regularization")

    @property
    def reg_rate(self) -> float:
        return self._reg_rate

    @reg_rate.setter
    def reg_rate(self, rate: float) -> None:
        if not (_is_number(rate) and rate >= 0):
            raise ValueError(f"reg_rate: expected a finite number >= 0, got {rate!r}")
        self._reg_rate = float(rate)

    @property
    def clip_norm(self) -> float | None:
        return self._clip_norm

    @clip_norm.setter
    def clip_norm(self, value: float | None) -> None:
        if value is not None and not (_is_number(value) and value > 0):
            raise ValueError(f"clip_norm: expected None or a finite number > 0, got {value!r}")
        self._clip_norm = None if value is None else float(value)

    def __repr__(self) -> str:
        config = self.config
        text = (f"MLP({list(config.sizes)}, activation={config.activation!r}, output={config.output!r}, "
                f"loss={config.loss!r}")
        if config.residual:
            text += ", residual=True"
        if self.regularization != "none":
            text += f", regularization={self.regularization!r}, reg_rate={self.reg_rate!r}"
        if self.clip_norm is not None:
            text += f", clip_norm={self.clip_norm!r}"
        return text + ")"

    # ------------------------------------------------------------- parameters
    def _build_buffers(self) -> None:
        # Layout of the flat vector: all weights first, then all biases, so the
        # weights alone (for regularization) are the prefix [:n_weights].
        sizes = self.config.sizes
        self._n_weights = sum(fan_in * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))
        total = self._n_weights + sum(sizes[1:])
        self._flat = np.zeros(total)
        self._grad_flat = np.zeros(total)
        self._products = [layer_product(fan_in, fan_out) for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
        self._link_views()

    def _link_views(self) -> None:
        self._param_list = ParamList(self._views(self._flat))
        self._grads = self._views(self._grad_flat)
        # The training loop hands optimizers these one-element lists: one
        # NumPy call per update however many layers there are.
        self._flat_params = [self._flat]
        self._flat_grads = [self._grad_flat]
        self._ones_cache = np.ones(0)

    # copy.deepcopy and pickle would copy each view on its own and cut it
    # loose from the flat vector; rebuild the views instead.
    _VIEWS = ("_param_list", "_grads", "_flat_params", "_flat_grads", "_ones_cache")

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in self._VIEWS}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._link_views()

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        """[W1, b1, W2, b2, ...] as views into a flat vector with this layout."""
        views = []
        w_at, b_at = 0, self._n_weights
        for fan_in, fan_out in zip(self.config.sizes[:-1], self.config.sizes[1:]):
            views.append(flat[w_at:w_at + fan_in * fan_out].reshape(fan_in, fan_out))
            views.append(flat[b_at:b_at + fan_out])
            w_at += fan_in * fan_out
            b_at += fan_out
        return views

    @property
    def params(self) -> ParamList:
        """[W1, b1, W2, b2, ...]: W shaped (fan_in, fan_out), b (fan_out,).
        Modify them in place, assign an element, or assign a whole list."""
        return self._param_list

    @params.setter
    def params(self, values) -> None:
        self._param_list[:] = values

    @property
    def n_params(self) -> int:
        """How many numbers the network learns: every weight and bias."""
        return self._flat.size

    def _initialize(self, rng: np.random.Generator) -> None:
        self._flat[:] = 0.0
        if self.config.init == "zeros":
            return
        for W in self._param_list[0::2]:
            fan_in, fan_out = W.shape
            W[...] = rng.standard_normal((fan_in, fan_out)) * self._init_std(fan_in, fan_out)

    def _init_std(self, fan_in: int, fan_out: int) -> float:
        """The standard deviation of a layer's initial weights."""
        init = self.config.init
        if init == "he":
            return math.sqrt(2.0 / fan_in)
        if init == "xavier":
            return math.sqrt(2.0 / (fan_in + fan_out))
        return self.config.init_scale          # "normal"

    # --------------------------------------------------------- data checking
    def check_data(self, X, y=None):
        """X (and y) as float64 arrays, or a ValueError naming what is wrong.
        Returns X, or (X, y) when y is given.  `Trainer` calls this once so
        that its epochs can skip it."""
        X = _checked_inputs(X, self.config.sizes[0])
        if y is None:
            return X
        return X, _checked_labels(y, X.shape[0], self.config.loss)

    # --------------------------------------------------------- forward pass
    def _forward(self, X: np.ndarray) -> Forward:
        """z, a and h of every layer for the samples X (already checked)."""
        params = self._param_list
        hs, zs, acts = [X], [], []
        h = X
        last = len(self._skip) - 1
        for i, skip in enumerate(self._skip):
            z = self._products[i](h, params[2 * i])
            z += params[2 * i + 1]
            zs.append(z)
            if i == last:                       # the output layer's activation is applied by the loss
                break
            a = self._act.output(z)
            acts.append(a)
            h = a + h if skip else a
            hs.append(h)
        return Forward(hs, zs, acts)

    def _outputs(self, z: np.ndarray) -> np.ndarray:
        """The output unit's value for its pre-activations z, shape (n,)."""
        return sigmoid(z) if self.config.output == "sigmoid" else z

    def predict_proba(self, X) -> np.ndarray:
        """The network's output for each row of X, shape (n,): probabilities
        with a sigmoid output, raw values with a linear one."""
        z = self._forward(self.check_data(X)).zs[-1]
        return self._outputs(z[:, 0])

    def predict(self, X) -> np.ndarray:
        """0/1 labels: the output thresholded at 0.5."""
        return (self.predict_proba(X) > 0.5).astype(np.float64)

    def accuracy(self, X, y) -> float:
        """The share of the samples whose label `predict` gets right."""
        X, y = self.check_data(X, y)
        return float(np.mean(self.predict(X) == y))

    def hidden_outputs(self, X) -> list[np.ndarray]:
        """h_l for each hidden layer: a list of (n, width) arrays."""
        return self._forward(self.check_data(X)).hs[1:]

    def predict_grid(self, xmin: float, xmax: float, ymin: float, ymax: float,
                     resolution: int = 100) -> np.ndarray:
        """predict_proba on a (resolution, resolution) grid, as an image: row 0
        is the top (y = ymax), column 0 the left (x = xmin), ends included.
        The grid points are cached (see `grid_points`)."""
        if self.config.sizes[0] != 2:
            raise ValueError(f"predict_grid: needs 2 inputs, the net has {self.config.sizes[0]}")
        points = grid_points(float(xmin), float(xmax), float(ymin), float(ymax), resolution)
        z = self._forward(points).zs[-1]
        return self._outputs(z[:, 0]).reshape(resolution, resolution)

    # -------------------------------------------------------- backward pass
    def _data_loss(self, z: np.ndarray, y: np.ndarray):
        """The mean loss over the n samples, and dL/dz of the output
        pre-activation z, shape (n, 1)."""
        n = y.shape[0]
        z = z[:, 0]
        if self.config.loss == "bce":              # always with a sigmoid output
            total, grad_z = _bce_from_logits(z, y)
        elif self.config.output == "sigmoid":
            p = sigmoid(z)
            total = self._loss.value(p, y).sum()
            grad_z = self._loss.derivative(p, y) * (p * (1.0 - p))   # through the sigmoid: σ' = p(1 - p)
        else:
            total = self._loss.value(z, y).sum()
            grad_z = self._loss.derivative(z, y)
        grad_z /= n
        return float(total) / n, grad_z.reshape(n, 1)

    def _backward(self, forward: Forward, y: np.ndarray) -> float:
        """Backpropagation: fills the gradient buffer with dL/dparams
        (regularization included, clipping not) and returns the loss L."""
        hs, zs, acts = forward
        params, grads = self._param_list, self._grads
        ones = self._ones(y.shape[0])
        loss, grad_z = self._data_loss(zs[-1], y)           # dL/dz_L
        grad_h = None                                       # dL/dh_l: the output layer has no h_L
        for i in reversed(range(len(zs))):                  # i = l - 1, from the output layer down
            self._products[i](hs[i].T, grad_z, out=grads[2 * i])   # dL/dW_l = h_{l-1}.T @ dL/dz_l
            # dL/db_l, the sum over samples, as ones @ dL/dz_l: on these narrow
            # arrays a product is several times faster than np.sum(axis=0).
            _vector_matmul(ones, grad_z, out=grads[2 * i + 1])
            if i == 0:                                      # h_0 is the data: nothing below
                break
            grad_h_below = _times_transpose(self._products[i], grad_z, params[2 * i])     # dL/dh_{l-1} = dL/dz_l @ W_l.T
            if self._skip[i]:                               # h_l = h_{l-1} + a_l: dL/dh_l flows down too
                grad_h_below += grad_h
            grad_h = grad_h_below
            grad_z = grad_h * self._act.derivative(zs[i - 1], acts[i - 1])   # dL/dz_{l-1}
        return loss + self._add_regularization()

    def _ones(self, n: int) -> np.ndarray:
        """n ones, for summing over samples; kept, as the batch size rarely changes."""
        if self._ones_cache.shape[0] < n:
            self._ones_cache = np.ones(n)
        return self._ones_cache[:n]

    def _add_regularization(self) -> float:
        """Adds the penalty's gradient to the weights' gradients; returns the penalty."""
        if self._regularization == "none" or self._reg_rate == 0.0:
            return 0.0
        w = self._flat[:self._n_weights]
        grad_w = self._grad_flat[:self._n_weights]
        rate = self._reg_rate
        if self._regularization == "l2":
            grad_w += rate * w
            return 0.5 * rate * float(w @ w)
        grad_w += rate * np.sign(w)
        return rate * float(np.abs(w).sum())

    def _global_grad_norm(self) -> float:
        """The norm of all gradients (weights and biases) together."""
        g = self._grad_flat
        return math.sqrt(float(g @ g))

    def _clip_scale(self, norm: float) -> float:
        """What clipping multiplies the gradients by when their global norm is `norm`."""
        if self._clip_norm is not None and norm > self._clip_norm:
            return self._clip_norm / norm
        return 1.0

    def _clip(self) -> None:
        # Without clipping the norm is not needed for the update, and a small net's
        # mini-batch step is so short that computing it anyway cost 5% of the step.
        if self._clip_norm is None:
            self._norm_before_clip = None
            return
        norm = self._global_grad_norm()
        self._norm_before_clip = norm
        scale = self._clip_scale(norm)
        if scale != 1.0:
            self._grad_flat *= scale

    @property
    def last_grad_norm(self) -> float:
        """The global norm of the latest gradients, before any clipping."""
        if self._norm_before_clip is not None:
            return self._norm_before_clip
        return self._global_grad_norm()

    def loss_and_grads(self, X, y):
        """(loss, grads): the mean loss over the n samples plus any
        regularization penalty, and its gradient as a list aligned with
        `params` (fresh arrays; clipped if clip_norm is set)."""
        X, y = self.check_data(X, y)
        loss = self._backward(self._forward(X), y)
        self._clip()
        return loss, self._views(self._grad_flat.copy())

    def sample_trace(self, x, y) -> SampleTrace:
        """The forward and backward pass of one sample (x a row of inputs, y its target),
        with every layer's values kept.  The same rules as `_backward`, for one row."""
        X, Y = self.check_data(np.reshape(np.asarray(x, dtype=np.float64), (1, -1)), [y])
        hs, zs, acts = self._forward(X)
        loss, delta = self._data_loss(zs[-1], Y)        # δ_L = ∂L/∂z_L (n = 1: no 1/n)
        deltas = [delta[0]]
        grad_h = None                                   # ∂L/∂h_l, for a residual skip
        for i in range(len(zs) - 1, 0, -1):             # from the output layer down to layer 2
            below = deltas[0] @ self._param_list[2 * i].T          # ∂L/∂h_{l-1} = δ_l W_lᵀ
            if self._skip[i]:
                below = below + grad_h
            grad_h = below
            deltas.insert(0, grad_h * self._act.derivative(zs[i - 1][0], acts[i - 1][0]))
        outputs = [h[0] for h in hs[1:]] + [self._outputs(zs[-1][0])]
        return SampleTrace(inputs=X[0], zs=[z[0] for z in zs], outputs=outputs, deltas=deltas,
                           weight_grads=[np.outer(h[0], d) for h, d in zip(hs, deltas, strict=True)],
                           bias_grads=list(deltas), loss=loss)

    # -------------------------------------------------- gradient statistics
    def gradient_stats(self, X, y) -> GradientStats:
        """Per weight layer (input side first), a dict with
            layer          1-based layer index l
            shape          (fan_in, fan_out) of W_l
            mean_abs_grad  mean |dL/dW_l|
            grad_norm      Frobenius norm of dL/dW_l
            dead_fraction  fraction of the layer's units whose activation is
                           exactly 0 on every sample (ReLU hidden layers only;
                           0 otherwise and for the output layer)
        and `.loss`, `.grad_norm` and `.clip_scale` on the returned list (see
        GradientStats).  Gradients are of the training loss (regularization
        included) before any clipping: multiply by `.clip_scale` for the
        clipped ones."""
        X, y = self.check_data(X, y)
        forward = self._forward(X)
        loss = self._backward(forward, y)
        can_die = self.config.activation in _CAN_DIE
        dead = [(a == 0.0).all(axis=0).mean() for a in forward.acts] if can_die else []
        return self._stats_from_gradients(loss, dead)

    def gradient_stats_in_slices(self, X, y, samples_per_slice: int = 64):
        """gradient_stats(X, y), computed `samples_per_slice` samples at a time: a generator
        that yields after each slice and returns the GradientStats (use `yield from`).  For a
        caller that must return to its event loop between slices: in a browser page Python
        runs on the page's only thread.  The full-batch gradients stay in the gradient buffer
        for `apply_gradients`.  Equal to gradient_stats up to rounding: each slice's mean loss
        and gradients (regularization included) count with the slice's share of the samples."""
        X, y = self.check_data(X, y)
        n = X.shape[0]
        total = np.zeros_like(self._grad_flat)
        loss = 0.0
        can_die = self.config.activation in _CAN_DIE
        # Per hidden layer, which units have been non-zero on some sample so far.
        alive = [np.zeros(width, dtype=bool) for width in self.config.sizes[1:-1]] if can_die else []
        for start in range(0, n, samples_per_slice):
            stop = min(start + samples_per_slice, n)
            share = (stop - start) / n
            forward = self._forward(X[start:stop])
            loss += share * self._backward(forward, y[start:stop])
            total += share * self._grad_flat
            for seen, a in zip(alive, forward.acts):
                seen |= (a != 0.0).any(axis=0)
            yield
        self._grad_flat[...] = total
        return self._stats_from_gradients(loss, [1.0 - seen.mean() for seen in alive])

    def _stats_from_gradients(self, loss: float, dead: list) -> GradientStats:
        """GradientStats of the gradients in the buffer; `dead`: each hidden layer's
        fraction of units inactive on every sample (empty when units cannot die)."""
        layers = []
        for i, grad_W in enumerate(self._grads[0::2]):
            flat = grad_W.ravel()
            layers.append({"layer": i + 1, "shape": grad_W.shape,
                           "mean_abs_grad": float(np.abs(flat).mean()),
                           "grad_norm": math.sqrt(float(flat @ flat)),
                           "dead_fraction": float(dead[i]) if i < len(dead) else 0.0})
        grad_norm = self._global_grad_norm()
        return GradientStats(layers, loss, grad_norm, self._clip_scale(grad_norm))

    # ------------------------------------------------------------- training
    def apply_gradients(self, optimizer) -> None:
        """One optimizer step with the gradients in the buffer, clipped if
        clip_norm is set: the update that train_batch makes after its
        backward pass, and the gradients page after gradient_stats(_in_slices)."""
        self._clip()
        optimizer.step(self._flat_params, self._flat_grads)

    def train_batch(self, X: np.ndarray, y: np.ndarray, optimizer) -> float:
        """One optimizer step on one batch of checked data; returns the batch's
        loss before the update."""
        loss = self._backward(self._forward(X), y)
        self.apply_gradients(optimizer)
        return loss

    def train_epoch(self, X, y, optimizer, batch_size: int | None = None,
                    rng: np.random.Generator | None = None, *, check: bool = True) -> float:
        """One pass over (X, y): full batch when batch_size is None or >= n,
        otherwise mini-batches of a seeded shuffle (`rng`, default the net's
        own generator; see `batches`).  `optimizer` has `step(params, grads)`
        (engine.optim).  Returns the mean training loss over the epoch's
        batches, each measured before its update.  check=False skips
        validating X and y (for callers that did it once, like `Trainer`)."""
        if check:
            X, y = self.check_data(X, y)
            check_batch_size(batch_size)
        if batch_size is None or batch_size >= len(y):   # the usual case: no shuffle needed
            return self.train_batch(X, y, optimizer)
        rng = rng if rng is not None else self.rng
        return epoch_loss([(self.train_batch(X_batch, y_batch, optimizer), len(y_batch))
                           for X_batch, y_batch in batches(X, y, batch_size, rng)])

    # ------------------------------------------------------------ (de)serialization
    def to_dict(self) -> dict:
        """JSON-friendly config and weights (nested lists)."""
        return {
            "format": "backprop-lab-mlp", "version": 1,
            **asdict(self.config), "sizes": list(self.config.sizes),
            "regularization": self.regularization, "reg_rate": self.reg_rate, "clip_norm": self.clip_norm,
            "params": [p.tolist() for p in self._param_list],
        }

    @classmethod
    def from_dict(cls, d: dict) -> MLP:
        """Inverse of `to_dict`."""
        if not isinstance(d, dict) or "sizes" not in d:
            raise ValueError("d: expected a dict made by MLP.to_dict()")
        config = {k: d[k] for k in ("activation", "output", "loss", "init", "init_scale", "seed",
                                    "residual", "regularization", "reg_rate", "clip_norm") if k in d}
        net = cls(d["sizes"], **config)
        if "params" in d:
            net.params = d["params"]
        return net


def _bce_from_logits(z: np.ndarray, y: np.ndarray):
    """Binary cross-entropy summed over samples, and dL/dz, from the logits z.
    BCE(sigmoid(z), y) = softplus(z) - z*y, with softplus(z) = log(1 + e^z)
    = max(z, 0) + log1p(exp(-|z|)): np.logaddexp(0, z) evaluates exactly that
    stable form in one call, and never takes the log of a rounded 0."""
    softplus = np.logaddexp(0.0, z)
    total = (softplus - z * y).sum()
    grad_z = np.exp(z - softplus)      # sigmoid(z) = e^z / (1 + e^z), from softplus
    grad_z -= y                        # dL/dz = sigmoid(z) - y
    return total, grad_z


# ----------------------------------------------------------------- batches
def batches(X: np.ndarray, y: np.ndarray, batch_size: int | None, rng: np.random.Generator):
    """The batches of one epoch, as (X_batch, y_batch): the whole data when
    batch_size is None or >= n; otherwise one shuffle drawn from `rng`, cut
    into consecutive slices (so each batch is a cheap view, not a gather)."""
    n = len(y)
    if batch_size is None or batch_size >= n:
        yield X, y
        return
    order = rng.permutation(n)
    X, y = X[order], y[order]
    for start in range(0, n, batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def epoch_loss(batch_losses: list[tuple[float, int]]) -> float:
    """An epoch's mean loss from its (batch loss, batch size) pairs: a full
    batch's loss as it is, else the mean weighted by batch size."""
    if len(batch_losses) == 1:
        return batch_losses[0][0]
    return sum(loss * size for loss, size in batch_losses) / sum(size for _, size in batch_losses)


# ------------------------------------------------ what the methods return
class ParamList(list):
    """`net.params`: the list [W1, b1, W2, b2, ...] of views into the net's
    flat parameter vector.  Assigning an element copies into the existing
    array (`net.params[0] = W` is the same as `net.params[0][...] = W`), so the
    network and its optimizer keep seeing the same memory."""

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            targets = list.__getitem__(self, index)
            values = list(value)
            if len(values) != len(targets):
                raise ValueError(f"params: expected {len(targets)} arrays, got {len(values)}")
            for target, v in zip(targets, values):
                _copy_into(target, v)
        else:
            _copy_into(list.__getitem__(self, index), value)


def _copy_into(target: np.ndarray, value) -> None:
    value = np.asarray(value, dtype=np.float64)
    if value.shape != target.shape:
        raise ValueError(f"params: expected an array of shape {target.shape}, got {value.shape}")
    target[...] = value


class GradientStats(list):
    """What `MLP.gradient_stats` returns: a list with one dict per weight layer
    (input side first), the loss as the attribute `.loss`, the global gradient
    norm (all weights and biases, before clipping) as `.grad_norm`, and the
    factor gradient clipping multiplies every gradient by as `.clip_scale`
    (1.0 when clip_norm is None or not reached)."""

    def __init__(self, layers, loss: float, grad_norm: float = math.nan, clip_scale: float = 1.0):
        super().__init__(layers)
        self.loss = loss
        self.grad_norm = grad_norm
        self.clip_scale = clip_scale


@functools.lru_cache(maxsize=8)
def grid_points(xmin: float, xmax: float, ymin: float, ymax: float, resolution: int = 100) -> np.ndarray:
    """The (resolution², 2) points that `MLP.predict_grid` evaluates, in
    row-major image order: row 0 is the top (y = ymax), column 0 the left
    (x = xmin); both ends of each axis are included.  Cached and read-only,
    since the playground redraws the same grid every frame.  Reshape a
    per-point result to (resolution, resolution) to get the image, e.g. for
    per-neuron heatmaps: `net.hidden_outputs(grid_points(...))`."""
    if not isinstance(resolution, Integral) or resolution < 2:
        raise ValueError(f"resolution: expected an integer >= 2, got {resolution!r}")
    xs = np.linspace(xmin, xmax, resolution)
    ys = np.linspace(ymax, ymin, resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    points.flags.writeable = False
    return points


# ------------------------------------------------------- argument checking
def _checked_config(sizes, activation, output, loss, init, init_scale, seed, residual) -> MLPConfig:
    """The MLPConfig for MLP's arguments, or a ValueError naming the bad one."""
    sizes = _check_sizes(sizes)
    lookup(ACTIVATIONS, activation, "activation")
    lookup(OUTPUTS, output, "output")
    lookup(LOSSES, loss, "loss")
    if loss == "bce" and output != "sigmoid":
        raise ValueError("loss: 'bce' needs output='sigmoid' (a linear output is not a probability); "
                         "use output='sigmoid', or loss='mse' / 'mse_half' with a linear output")
    init = lookup(registry.INITS, registry.INIT_ALIASES.get(init, init), "init")
    if not (_is_number(init_scale) and init_scale >= 0):
        raise ValueError(f"init_scale: expected a finite number >= 0, got {init_scale!r}")
    return MLPConfig(tuple(sizes), activation, output, loss, init, float(init_scale), seed, bool(residual))


def _skip_flags(sizes: tuple[int, ...], residual: bool) -> list[bool]:
    """For each layer (index i = l - 1), whether it adds its input: only hidden
    layers after the first, and only where input and output widths agree."""
    n_layers = len(sizes) - 1
    return [residual and 1 <= i < n_layers - 1 and sizes[i] == sizes[i + 1] for i in range(n_layers)]


def _check_sizes(sizes) -> list[int]:
    try:
        sizes = list(sizes)
    except TypeError:
        raise ValueError(f"sizes: expected a list of layer sizes like [2, 8, 1], got {sizes!r}") from None
    if len(sizes) < 2:
        raise ValueError(f"sizes: need at least 2 layer sizes (inputs and outputs), got {sizes!r}")
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, Integral) or s < 1:
            raise ValueError(f"sizes: layer sizes must be positive integers, got {s!r} in {sizes!r}")
    if sizes[-1] != 1:
        raise ValueError(f"sizes: the last size must be 1 (one output unit for a binary label), got {sizes!r}")
    return [int(s) for s in sizes]


def _checked_inputs(X, n_inputs: int) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X: expected a 2-D array (n_samples, {n_inputs}), got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X: empty dataset (0 samples)")
    if X.shape[1] != n_inputs:
        raise ValueError(f"X: expected {n_inputs} columns (input size sizes[0]), got {X.shape[1]}")
    if not np.isfinite(X).all():
        raise ValueError("X: contains NaN or infinity")
    return X


def _checked_labels(y, n: int, loss: str) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"y: expected shape ({n},) to match X, got {y.shape}")
    if not np.isfinite(y).all():
        raise ValueError("y: contains NaN or infinity")
    if loss == "bce" and not ((y == 0) | (y == 1)).all():
        raise ValueError("y: labels must be 0 or 1 for loss='bce'")
    return y


def check_batch_size(batch_size) -> None:
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, Integral)
                                   or batch_size < 1):
        raise ValueError(f"batch_size: expected None or a positive integer, got {batch_size!r}")


def _is_number(x) -> bool:
    """A finite int or float (a string or None is not)."""
    return isinstance(x, (int, float)) and math.isfinite(x)


# ------------------------------------------------------ the layer products
# CPython's NumPy hands matrix products to BLAS; np.dot gets there with less
# per-call overhead than matmul (a ufunc), which counts at the playground's
# sizes: ~10% more epochs/s on [2, 8, 8, 8, 1] with 400 points.  Pyodide's
# NumPy has no BLAS, so there each layer gets NumPy's faster own kernel for
# its width, chosen once when the network is built: a mini-batch step of a
# small net is a few dozen NumPy calls, and choosing on every call cost 14%.
_HAS_BLAS = sys.platform != "emscripten"


def _einsum_product(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a @ b by einsum's vectorized sum-of-products kernels."""
    return np.einsum("ij,jk->ik", a, b, out=out)


def layer_product(fan_in: int, fan_out: int):
    """The function that computes a @ b for a layer of these widths.  Without
    BLAS, for narrow layers (up to 16 units) matmul's plain loop is faster
    (8 units: 1.3-2x), for wide ones einsum's kernels (64 units: 1.5-2.3x;
    a depth-30, width-64 pass: ~75 -> ~40 ms)."""
    if _HAS_BLAS:
        return np.dot
    return np.matmul if max(fan_in, fan_out) <= 16 else _einsum_product


_vector_matmul = np.dot if _HAS_BLAS else np.matmul


def _times_transpose(product, grad_z: np.ndarray, W: np.ndarray) -> np.ndarray:
    """grad_z @ W.T, the backward product.  BLAS multiplies by a contiguous
    copy of W.T about twice as fast as by the transposed view, and the copy
    costs next to nothing; without BLAS the copy does not pay."""
    return product(grad_z, np.ascontiguousarray(W.T) if _HAS_BLAS else W.T)


# glibc hands freed heap memory back to the OS eagerly, so a deep net whose
# temporaries (megabytes) are allocated afresh on every pass pays page faults
# each time: twice as slow in CPython.  Freeing one 4 MB block raises glibc's
# dynamic mmap/trim thresholds for the rest of the process and stops that.
# Elsewhere (Pyodide, macOS, Windows) this is merely a short-lived allocation.
np.empty(1 << 19)
