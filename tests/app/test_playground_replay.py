"""Replay: the playground keeps a run's weights at earlier epochs, in bounded memory, and puts
them back exactly when the learner scrubs the loss curve."""
import math

import numpy as np
import pytest

from app import playground_draw as draw
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


def test_the_bound_counts_the_optimizers_state_kept_to_train_on_from_a_snapshot():
    settings = dict(model.STATE.defaults(), layers=(16,) * model.MAX_HIDDEN_LAYERS, optimizer="adam")
    run = model.TrainingRun(settings, model.make_data(settings))
    run.step()                                      # Adam's moments exist from the first step
    for epoch in range(2, 3000):
        run.history.record(epoch, run.net, run.trainer)
    history = run.history
    assert history.checkpoints[-1].nbytes == 2 * history.weights[-1].nbytes
    assert model.HISTORY_BYTES / 2 < history.nbytes <= model.HISTORY_BYTES


def run_steps(run, epochs):
    """Train `run` as the page's frames do, one mini-batch step at a time, until `epochs`."""
    while run.epoch < epochs or run.trainer.mid_epoch:
        run.step()
        if run.replay_done:
            break


def learner_run(settings, data):
    """A run the learner interferes with: a smaller learning rate at epoch 6, a weight typed in
    the middle of epoch 9 (after 3 mini-batches), a bias typed between epochs 12 and 13."""
    run = model.TrainingRun(settings, data)
    run_steps(run, 6)
    run.change("lr", 0.03)
    run_steps(run, 8)
    for _ in range(3):
        run.step()
    model.edit_param(run, ("weight", 1, 0, 1), 0.75)
    run_steps(run, 12)
    model.edit_param(run, ("bias", 2, 0), -0.5)
    run_steps(run, 20)
    return run


def test_replay_repeats_the_run_bit_for_bit_with_the_learners_changes_and_edits():
    settings = dict(model.STATE.defaults(), layers=(5, 3), optimizer="adam", lr=0.1, batch="16", n=200)
    data = model.make_data(settings)
    original = learner_run(settings, data)
    assert len(original.log.changes) == 1 and len(original.log.edits) == 2
    inputs = model.network_inputs(data, data.X_train, settings)
    original_loss = model.evaluate(original.net, inputs, data.y_train)[0]

    again = original.replay(dict(settings, lr=0.03), data)      # the page's settings now hold the later rate
    assert again.trainer.lr == 0.1                              # it starts with the rate the run started with
    run_steps(again, 1000)                                      # it stops by itself where the run was
    assert again.replay_done and again.epoch == 20 and not again.script
    assert again.trainer.loss == original.trainer.loss
    assert model.evaluate(again.net, inputs, data.y_train)[0] == original_loss     # bit for bit
    for ours, theirs in zip(again.net.params, original.net.params, strict=True):
        assert np.array_equal(ours, theirs)
    assert again.log == original.log                            # an export of either replays the same
    assert again.history.epochs == original.history.epochs


def test_a_replay_without_its_events_would_differ():
    """The check above can fail: leaving out the learner's edits changes the losses."""
    settings = dict(model.STATE.defaults(), layers=(5, 3), optimizer="adam", lr=0.1, batch="16", n=200)
    data = model.make_data(settings)
    original = learner_run(settings, data)
    plain = model.TrainingRun(settings, data)
    run_steps(plain, 20)
    assert plain.trainer.loss != original.trainer.loss


def test_going_back_to_an_epoch_trains_on_exactly_as_the_run_did_from_there():
    settings = dict(model.STATE.defaults(), layers=(4, 3), optimizer="momentum", lr=0.1, batch="8", n=120)
    data = model.make_data(settings)
    run = model.TrainingRun(settings, data)
    run_steps(run, 40)
    kept_then = list(run.history.epochs)
    reference = [p.copy() for p in run.net.params]
    net, shown = run.network_at(17)
    assert shown == 17 and net is not run.net                  # viewing leaves the run alone
    assert np.array_equal(run.net.params[0], reference[0])
    run.step()                                                 # half into epoch 41: going back drops that too
    assert run.go_back(17, {name: settings[name] for name in model.LIVE_SETTINGS}) == 17
    assert run.epoch == 17 and not run.trainer.mid_epoch and run.history.epochs[-1] == 17
    for ours, then in zip(run.net.params, net.params, strict=True):
        assert np.array_equal(ours, then)
    run_steps(run, 40)
    for ours, theirs in zip(run.net.params, reference, strict=True):
        assert np.array_equal(ours, theirs)
    assert run.history.epochs == kept_then


def test_going_back_with_another_learning_rate_logs_it_there_and_forgets_later_changes():
    settings = dict(model.STATE.defaults(), layers=(4,), n=100)
    data = model.make_data(settings)
    run = model.TrainingRun(settings, data)
    run_steps(run, 10)
    run.change("lr", 0.5)
    run_steps(run, 30)
    model.edit_param(run, ("bias", 1, 0), 2.0)
    run.go_back(20, dict(lr=0.2, reg="none", reg_rate=0.001))
    assert run.log.changes == [(10, "lr", 0.5), (20, "lr", 0.2)] and run.log.edits == []
    assert run.trainer.lr == 0.2
    run_steps(run, 25)
    again = run.replay(dict(settings, lr=0.2), data)       # the branched run replays as it went
    run_steps(again, 100)
    assert again.epoch == 25 and again.trainer.loss == run.trainer.loss


def test_scrubbing_lands_on_a_kept_epoch_or_on_the_run_as_it_is():
    settings = dict(model.STATE.defaults(), layers=(8, 8))
    net = model.make_network(settings)
    history = model.WeightHistory(net, max_bytes=8 * sum(p.size for p in net.params) * 10)
    net, _ = trained(settings, 50, history)
    interval = history.interval
    assert interval > 1 and history.latest < 50
    assert model.viewed_epoch(history, 50, interval + 1) == interval          # the kept epoch before it
    assert model.viewed_epoch(history, 50, -3.5) == 0
    assert model.viewed_epoch(history, 50, 50) is None                        # the latest: the run itself
    assert model.viewed_epoch(history, 50, 49.9) == history.latest            # the last kept one before the run
    positions = model.scrub_positions(history, 50)
    assert positions == [*history.epochs, 50] and model.scrub_count(history, 50) == len(positions)
    assert model.scrub_positions(history, history.latest) == history.epochs      # the latest is a kept epoch
    assert model.scrub_count(history, history.latest) == len(history.epochs)


def test_replay_is_offered_once_a_run_that_can_train_has_trained_an_epoch():
    settings = dict(model.STATE.defaults(), batch="16")
    data = model.make_data(settings)
    run = model.TrainingRun(settings, data)
    assert not run.can_replay                               # nothing to repeat yet
    run.step()
    assert run.trainer.mid_epoch and not run.can_replay     # a part of an epoch is not a run to replay
    run_steps(run, 2)
    assert run.can_replay
    run.go_back(0, run.log.live_values())
    assert run.epoch == 0 and not run.can_replay            # back at the start: nothing to repeat again
    lonely = dict(settings, dataset="custom", points=((0.1, 0.2, 0),))
    assert not model.TrainingRun(lonely, model.make_data(lonely)).can_replay    # no trainer


def test_the_notes_say_which_epoch_is_shown_and_what_play_drops():
    assert model.viewing_note(120, 800) == ("Viewing epoch 120 of 800: training paused. ▶ Play trains on from "
                                            "epoch 120 and drops epochs 121–800.")
    assert model.viewing_note(7, 8).endswith("drops epoch 8.")
    assert model.viewing_note(16480, 130096, compact=True) == ("Viewing epoch 16480 of 130096: ▶ Play trains on "
                                                               "from it and drops epochs 16481–130096.")
    assert model.replayed_note(80, 0.125, 0.125).endswith("the same as the first time, bit for bit.")
    assert "the first time it was 0.1250" in model.replayed_note(80, 0.125, 0.126)
    assert model.replay_diverged_note(12, 12).endswith("there, as the first time.")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")     # the overflow is the point
def test_a_diverging_run_replays_to_the_same_divergence():
    settings = dict(model.STATE.defaults(), activation="linear", lr=10.0)
    data = model.make_data(settings)
    run = model.TrainingRun(settings, data)
    while not run.diverged:
        run.step()
    again = run.replay(settings, data)
    while not again.diverged and not again.replay_done:
        again.step()
    assert again.diverged and again.epoch == run.epoch


def test_the_curve_marks_the_viewed_epoch_and_forgets_later_samples_on_going_back():
    history = draw.LossHistory()
    for epoch in range(0, 101, 10):
        history.add(epoch, 1 / (epoch + 1), 2 / (epoch + 1))
    curve = draw.loss_curve(history, viewed=40)
    assert curve.count('class="viewed-line"') == 1 and ">epoch 40</text>" in curve
    assert 'class="later"' in curve and "viewed-line" not in draw.loss_curve(history)
    history.forget_after(45)
    assert history.epochs == [0, 10, 20, 30, 40]


def test_the_full_boundary_drawn_in_bands_is_the_one_drawn_at_once():
    """After a scrub, Pause or Step the page computes the full output picture a band of points a
    frame; the picture is the same, pixel for pixel, for the output and for a hidden unit shown large."""
    settings = dict(model.STATE.defaults(), layers=(16,) * 8, dataset="spiral")
    data = model.make_data(settings)
    run = model.TrainingRun(settings, data)
    run_steps(run, 3)
    points = model.grid_inputs(data, settings, draw.FULL_GRID)
    lut = draw.palette(False)
    for column, unit in ((9, 0), (4, 7)):
        compute, centre = model.unit_function(run.net, column, unit)
        bands = model.Bands(compute, points)
        steps = 1
        while not bands.step():
            steps += 1
        assert steps == math.ceil(len(points) / model.GRID_BAND) > 1
        assert bands.step() and bands.done                      # a finished job stays finished
        assert np.array_equal(bands.values(), compute(points))
        at_once = draw.unit_picture(compute(points), centre, lut, draw.FULL_GRID)
        assert np.array_equal(draw.unit_picture(bands.values(), centre, lut, draw.FULL_GRID), at_once)
    # The network's output as the page colours it, continuous and discretized.
    bands = model.Bands(run.net.predict_proba, points)
    while not bands.step():
        pass
    square = (draw.FULL_GRID, draw.FULL_GRID)
    for discrete in (False, True):
        at_once = draw.output_to_rgba(run.net.predict_proba(points).reshape(square), lut, discrete, False)
        assert np.array_equal(draw.output_to_rgba(bands.values().reshape(square), lut, discrete, False), at_once)


@pytest.mark.parametrize("viewed", [5, 7, 8, 12, 13])
def test_export_while_viewing_an_earlier_epoch_is_of_that_epoch_and_its_snippet_trains_to_it(viewed):
    # Around the learner's changes: the rate changed after epoch 6, a weight typed inside epoch 9,
    # a bias typed after epoch 12 (the weights kept at 12 are from before it).
    settings = dict(model.STATE.defaults(), layers=(5, 3), optimizer="adam", lr=0.1, batch="16", n=200)
    data = model.make_data(settings)
    run = learner_run(settings, data)
    kept = model.MLP.from_dict(run.net.to_dict())
    run.history.restore(viewed, kept)
    shown = dict(settings, lr=0.03)                      # the controls show the rate now
    export = model.export_of(run, shown, viewed)
    assert (export.epoch, export.latest) == (viewed, 20)
    for ours, then in zip(export.net.params, kept.params, strict=True):
        assert np.array_equal(ours, then)
    net, _, document = model.load_export(model.export_json(export.net, data, export.settings, export.epoch))
    assert document["epoch"] == viewed
    assert document["settings"]["lr"] == ("0.1" if viewed <= 6 else "0.03")      # the rate that trained it
    assert np.array_equal(net.params[2], kept.params[2])
    snippet = model.python_snippet(export.settings, export.epoch, export.log, export.latest)
    assert snippet.startswith(f"# Backprop Lab training playground: this run, {viewed} epochs, the epoch the page "
                              "showed; the run went on to epoch 20.")
    assert ("net.params[0][0, 1] = 0.75" in snippet) == (viewed > 8)
    assert ("net.params[3][0] = -0.5" in snippet) == (viewed > 12)
    namespace = {}
    exec(compile(snippet, "snippet", "exec"), namespace)
    for replayed, then in zip(namespace["net"].params, kept.params, strict=True):
        assert np.array_equal(replayed, then)           # bit for bit the weights the page showed
    assert f"The playground's run ({viewed} epochs, the epoch the page showed" in model.notebook(
        export.settings, export.epoch, export.log, export.latest)
    assert model.export_note(export) == (
        f"Exported epoch {viewed}, the epoch shown: the run has reached epoch 20. For that one, press "
        "“Back to epoch 20” under the loss curve, then Export again.")


def test_export_of_the_run_as_it_is_is_the_latest_epoch_with_every_change():
    settings = dict(model.STATE.defaults(), layers=(5, 3), optimizer="adam", lr=0.1, batch="16", n=200)
    data = model.make_data(settings)
    run = learner_run(settings, data)
    export = model.export_of(run, dict(settings, lr=0.03), None)
    assert export.net is run.net and export.log is run.log and export.epoch == export.latest == 20
    assert model.export_note(export) == "Exported epoch 20, the latest."
    assert model.python_snippet(export.settings, 20, export.log, 20).startswith(
        "# Backprop Lab training playground: this run, 20 epochs.\n")
    assert model.run_words(1, 3) == "1 epoch, the epoch the page showed; the run went on to epoch 3"
