"""Each thing the engine computes or says is defined once: one sigmoid, one batch
order, one home for the trace's text, one record of an MLP's fixed settings."""
import dataclasses

import numpy as np
import pytest

from engine import MLP, datasets, parse
from engine.mlp import batches
from engine.registry import ACTIVATIONS
from engine.trace import trace


def test_the_mlp_output_is_the_registry_sigmoid_of_its_logit_bit_for_bit():
    X, y = datasets.make("spiral", 300, noise=0.1, seed=0)
    net = MLP([2, 8, 1], activation="tanh", output="sigmoid", seed=0)
    net.params[-2] *= 40.0                                   # logits far into both tails
    logit = (net.hidden_outputs(X)[-1] @ net.params[-2] + net.params[-1])[:, 0]   # as the net computes it
    assert np.array_equal(net.predict_proba(X), ACTIVATIONS["sigmoid"].output(logit))


def test_train_epoch_takes_the_batches_of_the_shared_iterator():
    X, y = datasets.make("moons", 23, noise=0.1, seed=1)
    by_epoch, by_hand = MLP([2, 4, 1], seed=2), MLP([2, 4, 1], seed=2)
    loss = by_epoch.train_epoch(X, y, _SGD(), batch_size=5, rng=np.random.default_rng(9))
    sizes, losses = [], []
    for X_batch, y_batch in batches(X, y, 5, np.random.default_rng(9)):
        sizes.append(len(y_batch))
        losses.append(by_hand.train_batch(X_batch, y_batch, _SGD()))
    assert sizes == [5, 5, 5, 5, 3]
    assert np.array_equal(by_epoch.params[0], by_hand.params[0])
    assert loss == sum(loss * size for loss, size in zip(losses, sizes)) / 23


class _SGD:
    def step(self, params, grads):
        for p, g in zip(params, grads):
            p -= 0.1 * g


def test_value_trace_is_engine_trace():
    out = parse("x*y + log(x)/y").evaluate(x=0.8, y=1.5)
    assert out.trace() == trace(parse("x*y + log(x)/y").evaluate(x=0.8, y=1.5))


def test_an_mlp_keeps_its_fixed_settings_in_one_frozen_record():
    net = MLP([2, 5, 5, 1], activation="relu", init="glorot", init_scale=0.3, residual=True, seed=4)
    assert net.config == type(net.config)(sizes=(2, 5, 5, 1), activation="relu", output="sigmoid", loss="bce",
                                          init="xavier", init_scale=0.3, seed=4, residual=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        net.config.activation = "tanh"
    assert MLP.from_dict(net.to_dict()).config == net.config
