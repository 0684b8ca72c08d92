"""Input features (engine/features.py), the regression datasets and R² (engine/datasets.py)."""
import math

import numpy as np
import pytest

from engine import MLP, datasets, features
from engine.gradcheck import relative_error

POINTS = np.array([[0.5, -2.0], [0.0, 1.0], [-1.5, 0.25]])


# ------------------------------------------------------------------- features
def test_each_feature_computes_its_formula():
    x1, x2 = POINTS[:, 0], POINTS[:, 1]
    expected = {"x1": x1, "x2": x2, "x1_sq": x1 ** 2, "x2_sq": x2 ** 2, "x1x2": x1 * x2,
                "sin_x1": np.sin(x1), "sin_x2": np.sin(x2)}
    assert list(features.FEATURES) == list(expected)         # the order the input column shows
    for name, values in expected.items():
        assert np.array_equal(features.transform(POINTS, (name,))[:, 0], values), name
    assert features.transform(POINTS, ("x1_sq",))[0, 0] == 0.25
    assert features.transform(POINTS, ("x1x2",))[0, 0] == -1.0


def test_transform_keeps_the_order_asked_and_the_default_is_the_points_themselves():
    out = features.transform(POINTS, ("x2_sq", "x1"))
    assert out.shape == (3, 2) and np.array_equal(out, np.column_stack([POINTS[:, 1] ** 2, POINTS[:, 0]]))
    assert features.transform(POINTS) is POINTS                # no copy on the per-frame path
    everything = features.transform(POINTS, tuple(features.FEATURES))
    assert everything.shape == (3, 7) and np.isfinite(everything).all()
    assert features.labels(("x1", "x1_sq", "sin_x2")) == ["x₁", "x₁²", "sin x₂"]


def test_check_orders_names_and_refuses_unknown_repeated_and_empty_lists():
    assert features.check(["sin_x1", "x1"]) == ("x1", "sin_x1")
    with pytest.raises(ValueError, match="at least one"):
        features.check([])
    with pytest.raises(ValueError, match="unknown feature 'x3'"):
        features.check(["x1", "x3"])
    with pytest.raises(ValueError, match="twice"):
        features.check(["x1", "x1"])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        features.transform(np.zeros((3, 3)), ("x1",))


@pytest.mark.parametrize("loss,output", [("bce", "sigmoid"), ("mse", "linear")])
def test_gradients_through_a_net_fed_every_feature_match_finite_differences(loss, output):
    """Backprop's gradients of a network whose inputs are all seven features agree with
    central differences of the loss of features -> network, for every weight and bias."""
    rng = np.random.default_rng(3)
    X = rng.uniform(-1.5, 1.5, (12, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float) if loss == "bce" else np.sin(X[:, 0]) + X[:, 1] ** 2
    names = tuple(features.FEATURES)
    net = MLP([len(names), 5, 3, 1], activation="tanh", output=output, loss=loss, seed=1)

    def loss_at():
        return net.loss_and_grads(features.transform(X, names), y)[0]

    _, grads = net.loss_and_grads(features.transform(X, names), y)
    grads = [g.copy() for g in grads]
    h = 1e-6
    for param, grad in zip(net.params, grads):
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            keep = param[index]
            param[index] = keep + h
            up = loss_at()
            param[index] = keep - h
            down = loss_at()
            param[index] = keep
            numeric[index] = (up - down) / (2 * h)
        assert relative_error(grad, numeric).max() < 1e-5


def test_features_let_a_net_without_hidden_units_separate_the_circle():
    """x₁² and x₂² make the circle linearly separable: no hidden layer needed (a lesson the page
    offers with ?features=x1_sq,x2_sq&layers=)."""
    from engine.optim import Trainer
    X, y = datasets.circle(400, seed=0)
    inputs = features.transform(datasets.Standardizer.fit(X).transform(X), ("x1_sq", "x2_sq"))
    net = MLP([2, 1], output="sigmoid", loss="bce", seed=0)
    Trainer(net, inputs, y, lr=1.0).run(150)
    assert net.accuracy(inputs, y) >= 0.97
    plain = datasets.Standardizer.fit(X).transform(X)
    line = MLP([2, 1], seed=0)
    Trainer(line, plain, y, lr=1.0).run(150)
    assert line.accuracy(plain, y) < 0.75


# ------------------------------------------------------------------- regression datasets
@pytest.mark.parametrize("name", ["plane", "multi_gaussians"])
def test_regression_datasets_are_seeded_in_the_box_and_continuous(name):
    X, y = datasets.make(name, 300, 0.0, 4)
    assert X.shape == (300, 2) and y.shape == (300,)
    assert (np.abs(X) <= 1).all() and np.abs(y).max() <= 1.2 + 1e-12
    assert len(np.unique(y)) > 100                       # continuous targets, not labels
    again = datasets.make(name, 300, 0.0, 4)
    assert np.array_equal(X, again[0]) and np.array_equal(y, again[1])
    assert not np.array_equal(X, datasets.make(name, 300, 0.0, 5)[0])
    noisy = datasets.make(name, 300, 0.5, 4)
    assert np.array_equal(noisy[0], X) and not np.array_equal(noisy[1], y)   # noise moves targets only
    with pytest.raises(ValueError, match="^noise"):
        datasets.make(name, 10, 2.0)


def test_plane_targets_are_the_tilted_plane():
    X, y = datasets.plane(50, seed=1)
    assert np.allclose(y, 0.6 * (X[:, 0] + X[:, 1]))
    assert datasets.plane_target(1.0, 1.0) == pytest.approx(1.2)


def test_bumps_have_their_signs_at_their_centres_and_vanish_between():
    for cx, cy, sign in datasets.BUMPS:
        assert datasets.bumps_target(cx, cy) == sign
    assert datasets.bumps_target(-2 / 3, 0.0) == 0.0                        # between two rows
    assert datasets.bumps_target(0.0, 5 / 12 + datasets.BUMP_RADIUS / 2) == pytest.approx(-0.5)
    X, y = datasets.multi_gaussians(2000, seed=0)
    assert (y > 0.5).any() and (y < -0.5).any() and (y == 0).any()


def test_train_test_split_takes_continuous_targets():
    X, y = datasets.plane(40, seed=0)
    Xtr, ytr, Xte, yte = datasets.train_test_split(X, y, 0.5, seed=0)
    assert sorted(np.concatenate([ytr, yte])) == sorted(y)


# ------------------------------------------------------------------- R²
def test_r_squared():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert datasets.r_squared(y, y) == 1.0
    assert datasets.r_squared(y, np.full(4, 2.5)) == 0.0                    # the mean
    # 1 - Σ(y - ŷ)² / Σ(y - ȳ)² = 1 - (0.25 · 4) / 5
    assert datasets.r_squared(y, y + 0.5) == pytest.approx(0.8)
    assert datasets.r_squared(y, -y) < 0                                    # worse than the mean
    assert math.isnan(datasets.r_squared(np.ones(3), np.zeros(3)))
    assert math.isnan(datasets.r_squared(np.array([]), np.array([])))
    with pytest.raises(ValueError, match="prediction"):
        datasets.r_squared(y, y[:2])
