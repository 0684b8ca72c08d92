"""Lesson 2's predict mode: the questions' answers are the engine's numbers for the network on
screen, and the why names the factors that decide them."""
import random

from app import predict
from app import step_through_model as model


def random_values(rng):
    values = model.STATE.defaults() | {"units": rng.choice([2, 3]), "hidden": rng.choice(model.HIDDEN_ACTIVATIONS)}
    for name in model.param_names(values["units"]):
        values[name] = rng.uniform(-2, 2)
    values |= {"x1": rng.uniform(-2, 2), "x2": rng.uniform(-2, 2), "y": rng.choice([0.0, 1.0])}
    return values


def test_every_backward_step_asks_the_sign_its_gradient_has():
    rng = random.Random(11)
    for _ in range(20):
        network = model.Network(random_values(rng))
        for step in model.lesson_steps(network):
            question = model.step_question(network, step)
            if step.phase == "backward":
                assert question.answer == predict.sign_of(network.grad(step.node))
                assert question.prompt == f"Will {step.title} be positive, negative or zero?"
                assert step.local_label in question.why and "grad " in question.why
                assert predict.check(question, question.answer).correct


def test_the_output_side_and_the_update_direction_come_from_the_trace():
    rng = random.Random(5)
    for _ in range(20):
        network = model.Network(random_values(rng))
        steps = model.lesson_steps(network)
        yhat = next(step for step in steps if step.node == "yhat")
        question = model.step_question(network, yhat)
        assert question.answer == ("above" if network.value("yhat") > 0.5 else "below")
        update = model.step_question(network, steps[-1])
        name = f"w{model.output_unit(network.units)}1"
        after = model.updated_values(network)[name]
        before = network.values[name]
        assert update.answer == ("up" if after > before else "down" if after < before else "stays")
        assert f"grad {model.pretty_name(name)}" in update.why


def test_the_default_network_step_fourteen_reads_as_in_the_lesson():
    network = model.Network(model.STATE.defaults())
    steps = model.lesson_steps(network)
    step = next(s for s in steps if s.phase == "backward" and s.node == "h1")
    question = model.step_question(network, step)
    verdict = predict.check(question, "positive")
    assert not verdict.correct
    assert "grad z₃ is negative and ∂z₃/∂h₁ is positive; one factor is negative, so the product is negative" \
        in verdict.message
    assert model.step_question(network, steps[1]) is None          # a forward step other than ŷ asks nothing


def test_the_graph_withholds_the_steps_result_while_it_is_asked():
    from app import step_through_draw
    network = model.Network(model.STATE.defaults())
    steps = model.lesson_steps(network)
    index = next(i for i, s in enumerate(steps) if s.phase == "backward" and s.node == "h1")
    shown = step_through_draw.draw(network, steps, index)
    asked = step_through_draw.draw(network, steps, index, withheld=True)
    from engine.text import short
    label = f"grad h₁ = {short(network.grad('h1'))}"
    assert label in shown and label not in asked
    assert f"grad z₃ = {short(network.grad('z3'))}" in asked         # what came before stays


def start(query="", storage_kept=True, completed=None):
    """How the page starts predict mode, and the link it then writes with predict on and off."""
    first = model.predict_start(query, storage_kept, completed)
    values = model.STATE.from_query(query)[0]
    if first.on_by_default:
        values["predict"] = True
    links = {on: model.STATE.to_query({**values, "predict": on}, defaults=first.link_defaults) for on in (True, False)}
    return values["predict"], first.on_by_default, links


def test_predict_mode_is_on_for_a_first_pass_through_the_lesson_unless_the_link_says():
    # A first visit (nothing stored), or marks of other lessons only: on, and the page says so.
    # The link it writes leaves predict out while on, and says predict=0 once turned off,
    # so a reload keeps it off.
    for completed in (None, [], ["pages/chain-rule.html"]):
        assert start(completed=completed) == (True, True, {True: "", False: "?predict=0"})
    # What nav.js reads as no marks (not a list) is no marks here too.
    assert start(completed={"pages/step-through.html": True})[:2] == (True, True)
    assert start(completed="pages/step-through.html")[:2] == (True, True)
    # Finished (lesson 2 marked completed): off, as before; turned on, the link says predict=1.
    finished = ["pages/chain-rule.html", model.PAGE_HREF]
    assert start(completed=finished) == (False, False, {True: "?predict=1", False: ""})
    # Storage blocked (a frame on another site): no marks to go by, off.
    assert start(storage_kept=False) == (False, False, {True: "?predict=1", False: ""})
    # An embed: the instructor's link decides, off unless it says.
    assert start("embed=1")[:2] == (False, False)
    # The link wins, either way, and keeps saying it whatever is stored.
    for completed in (None, finished):
        assert start("predict=0", completed=completed) == (False, False, {True: "?predict=1", False: "?predict=0"})
        assert start("predict=1", completed=completed) == (True, False, {True: "?predict=1", False: "?predict=0"})
    assert start("embed=1&predict=1", storage_kept=False)[:2] == (True, False)
    # Other settings are written against the table's defaults as always.
    assert model.STATE.to_query({**model.STATE.defaults(), "predict": True, "w11": 1.5},
                                defaults={"predict": True}) == "?w11=1.5"
