"""Replay: the playground keeps a run's weights at earlier epochs, in bounded memory, and puts
them back exactly when the learner scrubs the loss curve."""
import numpy as np

from app import playground_model as model


def trained(settings, epochs, history):
    data = model.make_data(settings)
    net = model.make_network(settings)
    trainer = model.make_trainer(net, data, settings)
    if history:
        history.record(0, net)
    kept = {0: [p.copy() for p in net.params]}
    for _ in range(epochs):
        trainer.run(1)
        kept[trainer.epoch] = [p.copy() for p in net.params]
        if history:
            history.record(trainer.epoch, net)
    return net, kept


def test_scrubbing_back_restores_the_weights_of_that_epoch_exactly():
    settings = dict(model.STATE.defaults(), layers=(4, 2))
    net = model.make_network(settings)
    history = model.WeightHistory(net)
    net, kept = trained(settings, 40, history)
    assert history.epochs == list(range(41))            # small net, short run: every epoch
    for epoch in (0, 1, 17, 40):
        assert history.restore(epoch, net) == epoch
        for restored, then in zip(net.params, kept[epoch], strict=True):
            assert np.array_equal(restored, then)


def test_a_long_run_keeps_its_whole_span_within_the_memory_bound():
    settings = dict(model.STATE.defaults(), layers=(8, 8))
    net = model.make_network(settings)
    small = 8 * sum(p.size for p in net.params) * 10          # room for 10 snapshots
    history = model.WeightHistory(net, max_bytes=small)
    net, kept = trained(settings, 300, history)
    assert history.nbytes <= small and len(history.epochs) <= 10
    assert history.epochs[0] == 0 and history.epochs[-1] >= 300 - history.interval
    assert all(e % history.interval == 0 for e in history.epochs)
    # an epoch between snapshots shows the latest one before it, exactly as it was
    epoch = history.epochs[2] + 1
    assert history.restore(epoch, net) == history.epochs[2]
    for restored, then in zip(net.params, kept[history.epochs[2]], strict=True):
        assert np.array_equal(restored, then)


def test_the_default_bound_holds_for_the_largest_network():
    settings = dict(model.STATE.defaults(), layers=(16,) * 6)
    net = model.make_network(settings)
    history = model.WeightHistory(net)
    for epoch in range(3000):
        history.record(epoch, net)
    assert history.nbytes <= model.HISTORY_BYTES
