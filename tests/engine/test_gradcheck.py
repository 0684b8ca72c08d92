"""engine.gradcheck: finite differences, relative error, and the checks built on them."""
import math

import numpy as np
import pytest

from engine.gradcheck import FLOOR, check_expression, check_graph, check_mlp, finite_difference, numeric_grads, relative_error
from engine.graph import Value
from engine.parser import parse


def test_relative_error_formula():
    assert relative_error(1.0, 1.0) == 0.0
    assert relative_error(3.0, 1.0) == pytest.approx(0.5)
    assert relative_error(1.0, -1.0) == 1.0
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1e-12, 0.0) == pytest.approx(1e-12 / FLOOR)
    errors = relative_error(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    assert errors.shape == (2,) and errors[1] == pytest.approx(1 / 3)


def test_finite_difference():
    assert finite_difference(math.sin, 0.3) == pytest.approx(math.cos(0.3), rel=1e-9)
    assert finite_difference(lambda x: x ** 3, 2.0, h=1e-4) == pytest.approx(12.0, rel=1e-7)


def test_check_expression():
    results = check_expression("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})
    assert set(results) == {"x", "y", "z"}
    for _analytic, _numeric, error in results.values():
        assert error < 1e-8
    assert results["z"][0] == 3.0
    # An Expression works as well as its text.
    assert check_expression(parse("exp(x) * y"), {"x": 0.1, "y": 2.0})["y"][2] < 1e-8


def test_check_graph_finds_a_wrong_local_derivative():
    def good(x):
        return Value(x, "x").tanh()

    def broken(x):
        out = Value(x, "x").tanh()
        out.local = (1.0,)  # as if someone forgot tanh's derivative
        return out

    assert check_graph(good, {"x": 0.8})["x"][2] < 1e-8
    assert check_graph(broken, {"x": 0.8})["x"][2] > 0.1


def test_check_graph_unused_input_has_zero_gradient():
    results = check_graph(lambda x, y: Value(x, "x") * 2, {"x": 1.0, "y": 5.0})
    assert results["y"] == (0.0, 0.0, 0.0)


class QuadraticNet:
    """The smallest object with the MLP's public API: loss = Σ W² / 2 + Σ b,
    whose gradient is (W, 1).  `wrong` returns 2W instead."""

    def __init__(self, wrong=False):
        self.params = [np.array([[0.5, -1.5], [2.0, 0.25]]), np.array([0.1, -0.2])]
        self.wrong = wrong

    def loss_and_grads(self, X, y):
        W, b = self.params
        return float((W ** 2).sum() / 2 + b.sum()), [W * (2.0 if self.wrong else 1.0), np.ones_like(b)]


def test_check_mlp_with_the_public_api_only():
    net = QuadraticNet()
    before = [p.copy() for p in net.params]
    errors = check_mlp(net, None, None)
    assert len(errors) == 2 and max(errors) < 1e-8
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params))
    assert check_mlp(QuadraticNet(wrong=True), None, None)[0] == pytest.approx(1 / 3)
    W, b = numeric_grads(net, None, None, h=1e-4)
    assert np.allclose(W, net.params[0], atol=1e-9) and np.allclose(b, 1.0)


@pytest.mark.parametrize("options", [
    dict(activation="tanh"),
    dict(activation="sigmoid", regularization="l2", reg_rate=0.01),
    dict(activation="gelu", output="linear", loss="mse_half"),
])
def test_check_mlp_on_the_real_network(options):
    mlp = pytest.importorskip("engine.mlp")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    net = mlp.MLP([2, 4, 3, 1], seed=3, **options)
    before = [p.copy() for p in net.params]
    errors = check_mlp(net, X, y)
    assert len(errors) == len(net.params)
    assert max(errors) < 1e-5, errors
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params))


def test_check_mlp_refuses_clipped_gradients():
    net = QuadraticNet()
    net.clip_norm = 1.0
    with pytest.raises(ValueError, match="clip_norm"):
        check_mlp(net, None, None)
