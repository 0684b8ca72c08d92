"""Trainer.run_steps: training cut into mini-batch steps (as the playground's
animation frames do) ends bit for bit where run() does."""
import math

import numpy as np
import pytest

from engine import MLP, datasets
from engine.optim import Trainer


def trainer(batch_size, optimizer="adam"):
    X, y = datasets.make("moons", 50, noise=0.1, seed=3)
    net = MLP([2, 5, 3, 1], activation="tanh", seed=1)
    return Trainer(net, X, y, optimizer, lr=0.05, batch_size=batch_size, seed=7)


@pytest.mark.parametrize("batch_size, optimizer", [(8, "adam"), (1, "momentum"), (7, "sgd"), (None, "sgd"), (64, "adam")])
def test_steps_give_the_same_weights_and_losses_as_whole_epochs(batch_size, optimizer):
    whole, sliced = trainer(batch_size, optimizer), trainer(batch_size, optimizer)
    losses = [whole.run(1) for _ in range(3)]
    steps_per_epoch = math.ceil(50 / batch_size) if batch_size and batch_size < 50 else 1
    remaining, pieces, finished = 3 * steps_per_epoch, [1, 2, 5, 3], 0
    while remaining:
        steps = min(pieces[remaining % len(pieces)], remaining)
        finished += sliced.run_steps(steps)
        remaining -= steps
    assert finished == 3 and sliced.loss == losses[-1]
    assert sliced.epoch == whole.epoch == 3 and not sliced.mid_epoch
    assert np.array_equal(sliced.net.params[0], whole.net.params[0])
    assert np.array_equal(sliced.net.params[-1], whole.net.params[-1])


def test_mid_epoch_is_reported_and_run_refuses_to_cut_into_it():
    sliced = trainer(8)
    assert sliced.run_steps(3) == 0 and sliced.mid_epoch and sliced.epoch == 0
    with pytest.raises(RuntimeError, match="half done"):
        sliced.run(1)
    assert sliced.run_steps(4) == 1 and not sliced.mid_epoch and sliced.epoch == 1   # 50 rows = 7 batches of 8
    sliced.run(1)
    assert sliced.epoch == 2


@pytest.mark.parametrize("batch_size, optimizer", [(8, "adam"), (1, "momentum"), (None, "sgd")])
def test_resuming_a_checkpoint_with_its_weights_trains_on_bit_for_bit(batch_size, optimizer):
    straight = trainer(batch_size, optimizer)
    straight.run(3)
    saved, weights = straight.checkpoint(), [p.copy() for p in straight.net.params]
    assert saved.nbytes == 8 * straight.net.n_params * straight.optimizer.slots
    later = [straight.run(1) for _ in range(4)]
    final = [p.copy() for p in straight.net.params]
    straight.run_steps(2)                               # even from the middle of an epoch
    straight.resume(saved)
    straight.net.params = weights
    assert straight.epoch == 3 and not straight.mid_epoch
    assert [straight.run(1) for _ in range(4)] == later
    for ours, theirs in zip(straight.net.params, final, strict=True):
        assert np.array_equal(ours, theirs)


def test_a_checkpoint_is_refused_in_the_middle_of_an_epoch():
    sliced = trainer(8)
    sliced.run_steps(3)
    with pytest.raises(RuntimeError, match="between epochs"):
        sliced.checkpoint()
