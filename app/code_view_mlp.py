"""The "Python" view's listings of the NumPy engine (app/code_view.py has the scalar graph's,
lessons 1 and 2): lesson 3's gradient statistics, lesson 4's training step; and lesson 5's
app/matrix_form_model.run, which computes that page's matrices.  Pure: tested in CPython.
"""
from __future__ import annotations

from app.code_view import Listing, excerpt, listing
from engine.mlp import MLP


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
# app/matrix_form_model.run that compute it: the page's every number comes from run(), one line a step.
RUN_LINES = {
    "X": ("X, y = batch_arrays(state)",),
    "Z1": ('v["Z1"] = X @ W1 + b1',),
    "H1": ('v["H1"] = activate(h, v["Z1"])',),
    "z2": ('v["z2"] = v["H1"] @ W2 + b2',),
    "yhat": ('v["yhat"] = sigmoid(v["z2"])',),
    "L": ('v["losses"] = bce_per_example(v["z2"], y)', 'v["L"] = v["losses"].mean('),
    "d2": ('v["d2"] = (v["yhat"] - y) / n',),
    "dW2": ('v["dW2"] = v["H1"].T @ v["d2"]',),
    "db2": ('v["db2"] = v["d2"].sum(',),
    "dH1": ('v["dH1"] = v["d2"] @ W2.T',),
    "d1": ('v["slope"] = activation_slope(', 'v["d1"] = v["dH1"] * v["slope"]'),
    "dW1": ('v["dW1"] = X.T @ v["d1"]',),
    "db1": ('v["db1"] = v["d1"].sum(',),
    "W1_new": ('v[f"{name}_new"] = v[name] - lr * v[f"d{name}"]',),
}


def matrix_step(key: str, hidden: str) -> Listing:
    """Lesson 5: app/matrix_form_model.run, which computes every matrix on screen, one line a
    step, with the current step's lines marked; below it the functions that line calls (the
    engine's activation, its derivative and the sigmoid, the per-example loss)."""
    # Imported here, not at the top: the other lessons' pages need none of lesson 5's model.
    from app import matrix_form_model as model
    from engine import registry

    activation = excerpt(registry.ACTIVATIONS[hidden].derivative, mark=True, name=f"ACTIVATIONS[{hidden!r}]")
    called = {"X": [excerpt(model.batch_arrays, mark=True)],
              "H1": [excerpt(model.activate, mark=True), activation],
              "yhat": [excerpt(registry.sigmoid, mark=True)],
              "L": [excerpt(model.bce_per_example, mark=True)],
              "d1": [excerpt(model.activation_slope, mark=True), activation]}
    return listing("app/matrix_form_model.py: run() computes every matrix on screen, one line a step",
                   [excerpt(model.run, mark=RUN_LINES[key]), *called.get(key, [])])
