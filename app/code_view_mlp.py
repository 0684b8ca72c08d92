"""The "Python" view's listings of the NumPy engine (app/code_view.py has the scalar graph's,
lessons 1 and 2): lesson 3's gradient statistics, lesson 4's training step and lesson 5's
layers in matrix form.  Pure: tested in CPython.
"""
from __future__ import annotations

from app.code_view import Listing, excerpt, listing
from engine.mlp import MLP
from engine.optim import SGD


def gradient_statistics() -> Listing:
    """Lesson 3's bars: each layer's gradient size, measured a slice of samples at a time."""
    return listing("engine/mlp.py: the gradient statistics per layer",
                   [excerpt(MLP.gradient_stats_in_slices),
                    excerpt(MLP._stats_from_gradients, mark=('"mean_abs_grad"', '"grad_norm"', '"dead_fraction"'))])


def training_step() -> Listing:
    """Lesson 4: the loss and gradients of a batch (forward, then backward), and a training step."""
    return listing("engine/mlp.py: the loss and its gradients, and one training step",
                   [excerpt(MLP.loss_and_grads, mark=("self._backward(self._forward(X), y)",)),
                    excerpt(MLP._forward), excerpt(MLP._backward), excerpt(MLP.train_batch)])


# Lesson 5's steps (app/matrix_form_model.lesson_steps, by the matrix each computes) -> the lines of
# the engine's matrix-form network that compute it (MLP._forward, _data_loss, _backward).
MATRIX_LINES = {
    "X": ("hs, zs, acts = [X], [], []",),
    "Z1": ("z = _matmul(h, params[2 * i])", "z += params[2 * i + 1]"),
    "H1": ("a = self._act.output(z)",),
    "z2": ("z = _matmul(h, params[2 * i])", "z += params[2 * i + 1]"),
    "yhat": ("total, grad_z = _bce_from_logits(z, y)",),
    "L": ("total, grad_z = _bce_from_logits(z, y)", "return float(total) / n"),
    "d2": ("total, grad_z = _bce_from_logits(z, y)", "grad_z /= n"),
    "dW2": ("_matmul(hs[i].T, grad_z, out=grads[2 * i])",),
    "db2": ("_vector_matmul(ones, grad_z, out=grads[2 * i + 1])",),
    "dH1": ("grad_h_below = _times_transpose(grad_z, params[2 * i])",),
    "d1": ("grad_z = grad_h * self._act.derivative(",),
    "dW1": ("_matmul(hs[i].T, grad_z, out=grads[2 * i])",),
    "db1": ("_vector_matmul(ones, grad_z, out=grads[2 * i + 1])",),
}


def matrix_step(key: str) -> Listing:
    """Lesson 5: the engine's dense layers in matrix form, forward and backward, with the lines
    of the current step marked; the update step is the optimizer's."""
    if key not in MATRIX_LINES:
        return listing("engine/mlp.py and engine/optim.py: the update",
                       [excerpt(MLP.apply_gradients, mark=("optimizer.step(",)), excerpt(SGD.step, mark=True)])
    marks = MATRIX_LINES[key]
    return listing("engine/mlp.py: the layers in matrix form, forward and backward",
                   [excerpt(MLP._forward, mark=marks), excerpt(MLP._data_loss, mark=marks),
                    excerpt(MLP._backward, mark=marks)])
