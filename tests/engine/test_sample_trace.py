"""One sample's trace through any MLP (the playground's "backprop on a point"): the same
gradients as loss_and_grads on a batch of one, and as central finite differences."""
import itertools

import numpy as np
import pytest

from engine import MLP
from engine.registry import ACTIVATIONS
from tests.engine.conftest import randomize_biases

HEADS = [("sigmoid", "bce"), ("sigmoid", "mse"), ("linear", "mse_half")]


def sample_loss(net, x, y):
    return net.sample_trace(x, y).loss


@pytest.mark.parametrize("activation,head,residual",
                         list(itertools.product(ACTIVATIONS, HEADS, [False, True])))
def test_a_sample_trace_has_the_gradients_of_a_batch_of_one(activation, head, residual):
    net = MLP([2, 3, 3, 3, 1], activation=activation, output=head[0], loss=head[1], init="normal",
              init_scale=0.8, seed=5, residual=residual)
    randomize_biases(net)
    net.regularization, net.reg_rate = "l2", 0.1        # a point's trace leaves the penalty out
    x, y = np.array([0.3, -0.7]), 1.0
    trace = net.sample_trace(x, y)
    net.reg_rate = 0.0
    loss, grads = net.loss_and_grads(x.reshape(1, 2), [y])
    assert trace.loss == pytest.approx(loss, rel=1e-12)
    for i, (dW, db) in enumerate(zip(grads[::2], grads[1::2], strict=True)):
        np.testing.assert_allclose(trace.weight_grads[i], dW, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(trace.bias_grads[i], db, rtol=1e-12, atol=1e-15)
    assert trace.outputs[-1][0] == pytest.approx(net.predict_proba(x.reshape(1, 2))[0], rel=1e-12)


def test_every_delta_is_the_loss_slope_of_its_pre_activation():
    # δ_l = ∂L/∂z_l, checked by nudging b_l (z_l moves one for one with its bias)
    net = MLP([2, 4, 3, 1], activation="tanh", seed=2)
    randomize_biases(net)
    x, y, h = np.array([0.5, 0.2]), 0.0, 1e-6
    trace = net.sample_trace(x, y)
    for layer, delta in enumerate(trace.deltas):
        for unit in range(delta.shape[0]):
            bias = net.params[2 * layer + 1]
            bias[unit] += h
            up = sample_loss(net, x, y)
            bias[unit] -= 2 * h
            down = sample_loss(net, x, y)
            bias[unit] += h
            assert delta[unit] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-10)
    assert [z.shape for z in trace.zs] == [(4,), (3,), (1,)]
    assert [o.shape for o in trace.outputs] == [(4,), (3,), (1,)]


def test_a_bad_point_is_refused_with_a_message():
    net = MLP([2, 2, 1])
    with pytest.raises(ValueError, match="columns"):
        net.sample_trace([1.0, 2.0, 3.0], 1.0)
    with pytest.raises(ValueError, match="0 or 1"):
        net.sample_trace([1.0, 2.0], 0.5)
