"""The vectorized MLP: gradients against finite differences, the public API
and its argument checking."""
import copy
import itertools
import json

import numpy as np
import pytest

from engine import MLP
from engine.gradcheck import check_mlp
from engine.mlp import grid_points
from engine.registry import ACTIVATIONS, INITS
from tests.engine.conftest import randomize_biases, small_data

# (output, loss) pairs the MLP accepts; bce needs a sigmoid output.
HEADS = [("sigmoid", "bce"), ("sigmoid", "mse_half"), ("sigmoid", "mse"),
         ("linear", "mse_half"), ("linear", "mse")]


# Against central differences with h = 1e-5, a correct gradient's largest
# relative error on these nets is below 2e-5 (reached on components near 1e-7,
# where the difference is mostly rounding); a wrong one gives 1e-2 or more.
TOLERANCE = 1e-4


def worst_relative_error(net, X, y):
    """The largest engine.gradcheck.relative_error over every weight and bias."""
    return max(check_mlp(net, X, y, h=1e-5))


@pytest.mark.parametrize("activation,head,init",
                         list(itertools.product(ACTIVATIONS, HEADS, INITS)))
def test_gradients_match_finite_differences(activation, head, init):
    output, loss = head
    X, y = small_data()
    net = MLP([2, 3, 3, 1], activation=activation, output=output, loss=loss, init=init,
              init_scale=0.7, seed=3)
    randomize_biases(net)
    assert worst_relative_error(net, X, y) < TOLERANCE


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("head", [HEADS[0], HEADS[3]])
def test_residual_gradients_match_finite_differences(activation, head):
    X, y = small_data()
    net = MLP([2, 3, 3, 3, 1], activation=activation, output=head[0], loss=head[1],
              init="normal", init_scale=0.7, seed=4, residual=True)
    assert net.residual_layers == [2, 3]
    randomize_biases(net)
    assert worst_relative_error(net, X, y) < TOLERANCE


def test_residual_layers_are_the_hidden_layers_of_equal_width():
    assert MLP([2, 4, 4, 2, 2, 1], residual=True).residual_layers == [2, 4]
    assert MLP([2, 2, 1], residual=True).residual_layers == []       # first layer never
    assert MLP([2, 4, 4, 1]).residual_layers == []                  # residual off


def test_residual_adds_the_layer_input():
    X, _ = small_data()
    plain = MLP([2, 3, 3, 1], seed=0)
    skip = MLP([2, 3, 3, 1], seed=0, residual=True)
    h1, h2 = skip.hidden_outputs(X)
    assert np.allclose(h2, h1 + plain.hidden_outputs(X)[1])


@pytest.mark.parametrize("regularization", ["l1", "l2"])
def test_regularization_gradients_match_finite_differences(regularization):
    X, y = small_data()
    net = MLP([2, 3, 3, 1], init="normal", init_scale=0.7, seed=6,
              regularization=regularization, reg_rate=0.05)
    # L1 is not differentiable at 0: keep every weight well away from it.
    assert min(np.abs(W).min() for W in net.params[0::2]) > 1e-3
    randomize_biases(net)
    assert worst_relative_error(net, X, y) < TOLERANCE


def test_regularization_penalizes_weights_only():
    X, y = small_data()
    net = MLP([2, 3, 1], seed=0)
    base_loss, base_grads = net.loss_and_grads(X, y)
    net.regularization, net.reg_rate = "l2", 0.1
    loss, grads = net.loss_and_grads(X, y)
    weights = net.params[0::2]
    assert loss == pytest.approx(base_loss + 0.05 * sum((W ** 2).sum() for W in weights))
    for i, (g, g0) in enumerate(zip(grads, base_grads)):
        expected = g0 + 0.1 * net.params[i] if i % 2 == 0 else g0
        assert np.allclose(g, expected)
    net.regularization = "l1"
    loss, grads = net.loss_and_grads(X, y)
    assert loss == pytest.approx(base_loss + 0.1 * sum(np.abs(W).sum() for W in weights))
    assert np.allclose(grads[0], base_grads[0] + 0.1 * np.sign(net.params[0]))


def test_clipping_scales_to_the_global_norm_and_reports_the_raw_norm():
    X, y = small_data()
    net = MLP([2, 3, 3, 1], seed=0)
    _, raw = net.loss_and_grads(X, y)
    raw_norm = np.sqrt(sum((g ** 2).sum() for g in raw))
    assert net.last_grad_norm == pytest.approx(raw_norm)

    net.clip_norm = raw_norm / 4
    _, clipped = net.loss_and_grads(X, y)
    assert net.last_grad_norm == pytest.approx(raw_norm)           # before clipping
    assert np.sqrt(sum((g ** 2).sum() for g in clipped)) == pytest.approx(raw_norm / 4)
    for g, g0 in zip(clipped, raw):
        assert np.allclose(g, g0 / 4)                              # same direction

    net.clip_norm = raw_norm * 2                                   # not reached: unchanged
    _, same = net.loss_and_grads(X, y)
    for g, g0 in zip(same, raw):
        assert np.array_equal(g, g0)


def test_bce_from_logits_matches_the_textbook_formula_and_stays_finite():
    X, y = small_data()
    net = MLP([2, 3, 1], seed=0)
    p = net.predict_proba(X)
    textbook = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert net.loss_and_grads(X, y)[0] == pytest.approx(textbook, rel=1e-12)

    net.params[3][...] = 1000.0                        # logits around +1000
    loss, grads = net.loss_and_grads(X, y)
    assert np.isfinite(loss) and loss == pytest.approx(1000 * np.mean(y == 0), rel=0.01)
    assert all(np.isfinite(g).all() for g in grads)
    assert grads[3][0] == pytest.approx(np.mean(1 - y))  # dL/db = mean(sigmoid(z) - y)


@pytest.mark.parametrize("loss,factor", [("mse", 1.0), ("mse_half", 0.5)])
def test_squared_losses(loss, factor):
    X, y = small_data()
    for output in ("sigmoid", "linear"):
        net = MLP([2, 3, 1], output=output, loss=loss, seed=0)
        yhat = net.predict_proba(X)
        assert net.loss_and_grads(X, y)[0] == pytest.approx(factor * np.mean((yhat - y) ** 2))


def test_shapes_and_layout():
    net = MLP([2, 8, 8, 1], activation="tanh", output="sigmoid", loss="bce", init="xavier", seed=0)
    assert [p.shape for p in net.params] == [(2, 8), (8,), (8, 8), (8,), (8, 1), (1,)]
    assert all(p.dtype == np.float64 for p in net.params)
    assert all((b == 0).all() for b in net.params[1::2])
    assert net.n_params == 2 * 8 + 8 + 64 + 8 + 8 + 1
    X, y = small_data(11)
    loss, grads = net.loss_and_grads(X, y)
    assert isinstance(loss, float)
    assert [g.shape for g in grads] == [p.shape for p in net.params]
    p = net.predict_proba(X)
    assert p.shape == (11,) and ((p > 0) & (p < 1)).all()
    assert net.predict(X).shape == (11,)
    assert [h.shape for h in net.hidden_outputs(X)] == [(11, 8), (11, 8)]


def test_predict_and_accuracy_threshold_the_output_at_one_half():
    net = MLP([2, 1], output="linear", loss="mse")
    net.params[0][...] = [[1.0], [0.0]]              # output = x coordinate
    net.params[1][...] = 0.5                         # so predict says x > 0
    X = np.array([[-1.0, 5.0], [0.2, -3.0], [3.0, 0.0], [-0.7, 1.0]])
    assert list(net.predict(X)) == [0.0, 1.0, 1.0, 0.0]
    assert net.accuracy(X, [0, 1, 0, 0]) == 0.75     # the third point is predicted wrong
    assert net.accuracy(X, [1, 0, 0, 1]) == 0.0


def test_grads_are_fresh_arrays():
    X, y = small_data()
    net = MLP([2, 3, 1], seed=0)
    _, first = net.loss_and_grads(X, y)
    kept = [g.copy() for g in first]
    net.params[0][...] += 1.0
    net.loss_and_grads(X, y)
    assert all(np.array_equal(a, b) for a, b in zip(first, kept))


@pytest.mark.parametrize("init,std", [("he", lambda i, o: np.sqrt(2 / i)),
                                      ("xavier", lambda i, o: np.sqrt(2 / (i + o))),
                                      ("glorot", lambda i, o: np.sqrt(2 / (i + o))),
                                      ("normal", lambda i, o: 0.3)])
def test_init_scales(init, std):
    net = MLP([50, 200, 1], init=init, init_scale=0.3, seed=0)
    W = net.params[0]
    assert W.std() == pytest.approx(std(50, 200), rel=0.05)
    assert abs(W.mean()) < 0.05 * std(50, 200)


def test_zeros_init():
    net = MLP([2, 4, 1], init="zeros")
    assert all((p == 0).all() for p in net.params)
    assert net.config.init == "zeros"
    assert MLP([2, 4, 1], init="glorot").config.init == "xavier"


def test_seeded_init_is_reproducible():
    a, b, c = MLP([2, 5, 5, 1], seed=7), MLP([2, 5, 5, 1], seed=7), MLP([2, 5, 5, 1], seed=8)
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))
    assert not np.array_equal(a.params[0], c.params[0])


def test_params_assignable_in_place():
    X, _ = small_data()
    net = MLP([2, 3, 1], seed=0)
    W = net.params[0]
    net.params[0][...] = 0.0
    assert (W == 0).all()
    net.params[0] = np.ones((2, 3))                   # copies into the same array
    assert net.params[0] is W and (W == 1).all()
    other = MLP([2, 3, 1], seed=1)
    net.params = [p.copy() for p in other.params]
    assert np.array_equal(net.predict_proba(X), other.predict_proba(X))
    with pytest.raises(ValueError, match="params"):
        net.params[0] = np.ones((3, 2))
    with pytest.raises(ValueError, match="params"):
        net.params = other.params[:2]


def test_deepcopy_is_independent_and_trainable():
    from engine.optim import SGD
    X, y = small_data()
    net = MLP([2, 3, 1], seed=0)
    twin = copy.deepcopy(net)
    before = net.predict_proba(X)
    twin.train_epoch(X, y, SGD(lr=0.5))
    assert np.array_equal(net.predict_proba(X), before)
    assert not np.array_equal(twin.predict_proba(X), before)
    assert all(np.shares_memory(p, twin._flat) for p in twin.params)


def test_to_dict_round_trip():
    X, _ = small_data()
    net = MLP([2, 4, 4, 1], activation="relu", init="he", seed=3, residual=True,
              regularization="l2", reg_rate=0.01, clip_norm=5.0)
    d = json.loads(json.dumps(net.to_dict()))
    twin = MLP.from_dict(d)
    assert repr(twin) == repr(net)
    assert twin.residual_layers == [2]
    assert np.array_equal(twin.predict_proba(X), net.predict_proba(X))
    with pytest.raises(ValueError, match="to_dict"):
        MLP.from_dict({"weights": []})


def test_repr():
    net = MLP([2, 8, 8, 1], activation="tanh", output="sigmoid", loss="bce")
    assert repr(net) == "MLP([2, 8, 8, 1], activation='tanh', output='sigmoid', loss='bce')"
    assert "residual=True" in repr(MLP([2, 3, 1], residual=True))


def test_predict_grid_orientation_and_cache():
    net = MLP([2, 1], output="linear", loss="mse")
    net.params[0][...] = [[0.0], [1.0]]              # output = y coordinate
    grid = net.predict_grid(-2, 2, -1, 1, resolution=5)
    assert grid.shape == (5, 5)
    assert np.allclose(grid[:, 0], [1, 0.5, 0, -0.5, -1])   # row 0 is the top, y = ymax
    net.params[0][...] = [[1.0], [0.0]]              # output = x coordinate
    assert np.allclose(net.predict_grid(-2, 2, -1, 1, 5)[0], [-2, -1, 0, 1, 2])
    assert grid_points(-2.0, 2.0, -1.0, 1.0, 5) is grid_points(-2.0, 2.0, -1.0, 1.0, 5)
    sig = MLP([2, 4, 1], seed=0).predict_grid(-1, 1, -1, 1)
    assert sig.shape == (100, 100) and ((sig > 0) & (sig < 1)).all()


def test_gradient_stats_fields_and_dead_units():
    X, y = small_data(50)
    net = MLP([2, 6, 6, 1], activation="relu", init="he", seed=0)
    net.params[1][:3] = -100.0                        # three first-layer units never fire
    stats = net.gradient_stats(X, y)
    assert len(stats) == 3 and [s["layer"] for s in stats] == [1, 2, 3]
    assert stats.loss == pytest.approx(net.loss_and_grads(X, y)[0])
    _, grads = net.loss_and_grads(X, y)
    for s, g in zip(stats, grads[0::2]):
        assert s["shape"] == g.shape
        assert s["mean_abs_grad"] == pytest.approx(np.abs(g).mean())
        assert s["grad_norm"] == pytest.approx(np.linalg.norm(g))
    assert stats[0]["dead_fraction"] == 0.5
    assert stats[2]["dead_fraction"] == 0.0          # output layer
    tanh = MLP([2, 6, 1], activation="tanh", seed=0)
    assert [s["dead_fraction"] for s in tanh.gradient_stats(X, y)] == [0.0, 0.0]


def test_gradient_stats_show_vanishing_gradients_in_deep_sigmoid_nets():
    X, y = small_data(50)
    stats = MLP([2] + [16] * 12 + [1], activation="sigmoid", init="xavier", seed=0).gradient_stats(X, y)
    assert stats[0]["grad_norm"] < 1e-3 * stats[-1]["grad_norm"]


# ---------------------------------------------------------------- bad arguments
@pytest.mark.parametrize("kwargs,argument", [
    ({"activation": "swish"}, "activation"),
    ({"loss": "hinge"}, "loss"),
    ({"init": "orthogonal"}, "init"),
    ({"output": "softmax"}, "output"),
    ({"regularization": "l3"}, "regularization"),
    ({"reg_rate": -1.0}, "reg_rate"),
    ({"clip_norm": 0.0}, "clip_norm"),
    ({"init_scale": float("nan")}, "init_scale"),
    ({"output": "linear", "loss": "bce"}, "loss"),
])
def test_bad_config_raises_naming_the_argument(kwargs, argument):
    with pytest.raises(ValueError, match=f"^{argument}"):
        MLP([2, 3, 1], **kwargs)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="relu.*leaky_relu"):
        MLP([2, 3, 1], activation="swish")


@pytest.mark.parametrize("sizes", [[2], [], [2, -3, 1], [2, 0, 1], [2, 2.5, 1], [2, True, 1], 5,
                                   [2, 3, 2]])
def test_bad_sizes(sizes):
    with pytest.raises(ValueError, match="^sizes"):
        MLP(sizes)


@pytest.mark.parametrize("X,y,argument", [
    (np.zeros((4, 3)), np.zeros(4), "X"),                    # input size mismatch
    (np.zeros(4), np.zeros(4), "X"),                         # not 2-D
    (np.zeros((0, 2)), np.zeros(0), "X"),                    # empty dataset
    (np.array([[0.0, np.nan]] * 2), np.zeros(2), "X"),
    (np.array([[0.0, np.inf]] * 2), np.zeros(2), "X"),
    (np.zeros((4, 2)), np.zeros(3), "y"),                    # length mismatch
    (np.zeros((2, 2)), np.array([0.0, np.nan]), "y"),
    (np.zeros((2, 2)), np.array([0.0, 2.0]), "y"),           # not a 0/1 label
])
def test_bad_data_raises_naming_the_argument(X, y, argument):
    net = MLP([2, 3, 1])
    with pytest.raises(ValueError, match=f"^{argument}"):
        net.loss_and_grads(X, y)


def test_squared_losses_accept_any_finite_targets():
    net = MLP([2, 3, 1], output="linear", loss="mse")
    loss, _ = net.loss_and_grads(np.zeros((2, 2)), np.array([0.5, 2.0]))
    assert np.isfinite(loss)
