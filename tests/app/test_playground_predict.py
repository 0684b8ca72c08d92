"""The playground's predict mode: the run answers how its loss behaved, from its own losses."""
import math

import numpy as np

from app import playground_draw as draw
from app import playground_model as model


def losses_of(settings, epochs=model.PREDICT_EPOCHS):
    data = model.make_data(settings)
    net = model.make_network(settings)
    trainer = model.make_trainer(net, data, settings)
    X = model.network_inputs(data, data.X_train, settings)
    losses = []
    with np.errstate(all="ignore"):
        losses.append(model.evaluate(net, X, data.y_train)[0])
        for _ in range(epochs):
            trainer.run(1)
            losses.append(model.evaluate(net, X, data.y_train)[0])
    return losses


def test_a_small_learning_rate_converges_and_a_huge_one_does_not():
    small = dict(model.STATE.defaults(), dataset="xor", lr=0.3)
    behaviour, why = model.loss_behaviour(losses_of(small))
    assert behaviour == "converge" and "small enough to go downhill" in why
    huge = dict(model.STATE.defaults(), dataset="spiral", lr=10.0)
    assert model.loss_behaviour(losses_of(huge))[0] in ("diverge", "oscillate")


def test_the_rules_read_the_curve():
    assert model.loss_behaviour([0.7, 0.6, 0.5, 0.4])[0] == "converge"
    assert model.loss_behaviour([0.7, 0.5, 0.6, 0.4, 0.5, 0.3])[0] == "oscillate"
    assert model.loss_behaviour([0.7, 0.9, 1.4, 3.0])[0] == "diverge"
    behaviour, why = model.loss_behaviour([0.7, 5.0, math.inf])
    assert behaviour == "diverge" and "infinite" in why


def test_the_verdict_checks_the_learners_prediction_against_the_run():
    settings = dict(model.STATE.defaults(), dataset="xor", lr=0.3)
    losses = losses_of(settings)
    right = model.behaviour_verdict(settings, losses, "converge")
    assert right.correct and right.message.startswith("Right: you said converge, it is converge.")
    wrong = model.behaviour_verdict(settings, losses, "diverge")
    assert not wrong.correct and "rose in" in wrong.message
    assert model.behaviour_prompt(settings).startswith("With η = 0.3, will the training loss converge")


def test_going_back_into_the_predicted_epochs_reopens_the_verdict():
    assert not model.verdict_stands(model.PREDICT_EPOCHS - 1)     # those epochs are trained again
    assert model.verdict_stands(model.PREDICT_EPOCHS)
    assert model.prediction_pending_note("oscillate") == ("You said: oscillate. Watch the loss curve: the first "
                                                          f"{model.PREDICT_EPOCHS} epochs answer.")


def test_the_verdict_reads_the_curves_samples_as_the_page_keeps_them():
    """The page judges from its loss curve, which thins its samples: at one epoch a frame the
    first epochs must all stay, or a loss that rises every other epoch would look smooth."""
    settings = dict(model.STATE.defaults(), dataset="xor", lr=3.0)
    losses = losses_of(settings)
    assert model.loss_behaviour(losses)[0] == "oscillate"
    assert model.loss_behaviour(losses[::2])[0] == "converge"      # what thinning would have shown
    history = draw.LossHistory()
    for epoch, loss in enumerate(losses + [losses[-1]] * 5000):  # the run goes on long after
        history.add(epoch, loss, loss)
    kept = [loss for epoch, loss in zip(history.epochs, history.train) if epoch <= model.PREDICT_EPOCHS]
    assert model.loss_behaviour(kept)[0] == "oscillate"
