"""MLP.gradient_stats as the gradients page uses it: per-layer statistics of deep, residual
and clipped networks against finite differences, and the global norm / clip scale."""
import math

import numpy as np
import pytest

from engine import MLP, mlp
from engine.gradcheck import numeric_grads
from tests.engine.conftest import randomize_biases, small_data


@pytest.mark.parametrize("activation,init,residual", [
    ("sigmoid", "normal", False),
    ("sigmoid", "xavier", True),
    ("relu", "he", True),
    ("leaky_relu", "normal", False),
    ("tanh", "he", True),
])
def test_stats_match_finite_differences(activation, init, residual):
    X, y = small_data(9, seed=2)
    net = MLP([2, 5, 5, 5, 5, 1], activation=activation, init=init, init_scale=0.9, seed=3, residual=residual)
    randomize_biases(net)
    numeric = numeric_grads(net, X, y, h=1e-6)
    stats = net.gradient_stats(X, y)
    for layer, gW in zip(stats, numeric[0::2]):
        assert layer["mean_abs_grad"] == pytest.approx(np.abs(gW).mean(), rel=1e-5, abs=1e-11)
        assert layer["grad_norm"] == pytest.approx(np.linalg.norm(gW), rel=1e-5, abs=1e-11)
    everything = math.sqrt(sum(float((g ** 2).sum()) for g in numeric))
    assert stats.grad_norm == pytest.approx(everything, rel=1e-5)
    assert stats.clip_scale == 1.0


def test_clip_scale_is_what_clipping_multiplies_the_gradients_by():
    X, y = small_data(9, seed=2)
    net = MLP([2, 6, 6, 6, 1], activation="relu", init="normal", init_scale=2.0, seed=1)
    raw = net.gradient_stats(X, y)
    net.clip_norm = raw.grad_norm / 8
    stats = net.gradient_stats(X, y)
    assert stats.grad_norm == pytest.approx(raw.grad_norm)            # reported before clipping
    assert stats.clip_scale == pytest.approx(1 / 8)
    _, clipped = net.loss_and_grads(X, y)
    for layer, gW in zip(stats, clipped[0::2]):
        assert layer["mean_abs_grad"] * stats.clip_scale == pytest.approx(np.abs(gW).mean())
    assert net.last_grad_norm == pytest.approx(stats.grad_norm)

    net.clip_norm = raw.grad_norm * 2                                 # not reached
    assert net.gradient_stats(X, y).clip_scale == 1.0


def test_overflow_is_reported_not_raised():
    X, y = small_data(9, seed=2)
    net = MLP([2, 4, 4, 1], activation="relu", seed=0, clip_norm=1.0)
    net.params[0][...] = np.inf
    with np.errstate(all="ignore"):
        stats = net.gradient_stats(X, y)
    assert not math.isfinite(stats.grad_norm)
    assert not all(math.isfinite(layer["mean_abs_grad"]) for layer in stats)


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("width", [6, 20])   # matmul and einsum in the browser
def test_the_products_used_in_the_browser_give_the_same_gradients(monkeypatch, residual, width):
    X, y = small_data(9, seed=2)
    sizes = [2, width, width, width, 1]
    net = MLP(sizes, activation="tanh", init="normal", init_scale=0.8, seed=7, residual=residual)
    randomize_biases(net)
    loss, grads = net.loss_and_grads(X, y)
    monkeypatch.setattr(mlp, "_HAS_BLAS", False)        # as in Pyodide: the products are chosen at build
    browser_net = MLP(sizes, activation="tanh", residual=residual)
    browser_net.params = net.params
    assert (np.matmul if width <= 16 else mlp._einsum_product) in browser_net._products
    browser_loss, browser_grads = browser_net.loss_and_grads(X, y)
    assert browser_loss == pytest.approx(loss, rel=1e-13)
    for g, b in zip(grads, browser_grads):
        np.testing.assert_allclose(b, g, rtol=1e-12, atol=1e-15)
    numeric = numeric_grads(browser_net, X, y, h=1e-6)
    for b, n in zip(browser_grads, numeric):
        np.testing.assert_allclose(b, n, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("options", [
    dict(activation="relu"),                                   # some units die
    dict(activation="tanh", residual=True, regularization="l2", reg_rate=0.01),
    dict(activation="sigmoid", clip_norm=0.01),
])
def test_stats_in_slices_equal_one_pass_and_apply_the_same_update(options):
    """The gradients page computes a deep network's pass a few samples at a time, between frames."""
    from engine.optim import SGD

    X, y = small_data(n=203, seed=4)
    sizes = [2, 8, 8, 8, 1]
    whole, sliced = MLP(sizes, seed=3, **options), MLP(sizes, seed=3, **options)
    expected = whole.gradient_stats(X, y)
    slices = sliced.gradient_stats_in_slices(X, y, samples_per_slice=50)
    count = 0
    try:
        while True:
            next(slices)
            count += 1
    except StopIteration as done:
        stats = done.value
    assert count == 5                                           # 50 + 50 + 50 + 50 + 3 samples
    assert stats.loss == pytest.approx(expected.loss, rel=1e-12)
    assert stats.grad_norm == pytest.approx(expected.grad_norm, rel=1e-12)
    assert stats.clip_scale == pytest.approx(expected.clip_scale)
    for got, want in zip(stats, expected):
        assert got["mean_abs_grad"] == pytest.approx(want["mean_abs_grad"], rel=1e-12)
        assert got["dead_fraction"] == want["dead_fraction"]
    if options["activation"] == "relu":
        assert any(layer["dead_fraction"] > 0 for layer in expected)
    whole.train_epoch(X, y, SGD(lr=0.5))
    sliced.apply_gradients(SGD(lr=0.5))
    for a, b in zip(whole.params, sliced.params):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
