"""Lesson 3's predict mode: "which layer will have the smallest gradient?" and "will this
train?", answered from the page model's own measurement and status judgement."""
import random
import re

from app import gradients_model as model
from app import predict
from app.gradients_draw import bar_chart, value_range


def measured(query):
    state = model.STATE.from_query(query)[0]
    X, y = model.make_data(state)
    run = model.Run(state, state["act"], X, y)
    run.remeasure()
    return run.measurement


def random_query(rng):
    return (f"depth={rng.randint(1, 10)}&width={rng.choice([4, 8, 16])}&act={rng.choice(['sigmoid', 'tanh', 'relu'])}"
            f"&init={rng.choice(['normal', 'xavier', 'he'])}&sigma={rng.choice([0.1, 0.5, 1, 3])}"
            f"&residual={rng.randint(0, 1)}&seed={rng.randint(0, 99)}")


def test_will_it_train_is_answered_by_the_statuses_the_chart_shows():
    rng = random.Random(7)
    answers = set()
    for _ in range(25):
        measurement = measured(random_query(rng))
        question = model.trains_question(measurement)
        counts = model.count_statuses(measurement)
        expected = ("no" if model.has_diverged(measurement.loss) or counts["critical"]
                    else "slowly" if counts["warning"] else "yes")
        assert question.answer == expected
        answers.add(expected)
        # the why names the layers that decide it, with their status
        deciding = [bar for bar in measurement.bars if bar.status.level == ("critical" if counts["critical"] else
                                                                            "warning")]
        if expected != "yes" and not model.has_diverged(measurement.loss):
            for bar in deciding:
                assert model.layer_name(bar) in question.why and bar.status.word in question.why
        assert predict.check(question, expected).correct
        assert model.questions(measurement)[-1] == question
        # once answered, each verdict is listed under its question's short name
        assert all(asked.key in model.QUESTION_NAMES for asked in model.questions(measurement))
    assert answers == {"yes", "slowly", "no"}          # the random settings reach every answer


def test_deep_sigmoid_will_not_train_and_the_why_says_which_layers_vanish():
    question = model.trains_question(measured("depth=8&act=sigmoid"))
    assert question.answer == "no"
    assert question.why == ("Layers 1, 2 and 3 are critical (vanishing): almost no gradient reaches them, "
                            "so their weights barely move.")
    assert model.trains_question(measured("depth=3&act=relu&init=he")).answer == "yes"
    first, second = model.questions(measured("depth=8&act=sigmoid"))
    assert first.key == "smallest-layer" and second.key == "trains"


def test_each_answer_names_its_layer_as_the_charts_row_does():
    # A walkthrough: the answers said "layer 6 (output)" while the chart's row said "out".
    measurement = measured("depth=5&act=sigmoid")
    question = model.smallest_layer_question(measurement)
    for width in (320, 700):                          # the narrow chart and the wide one
        rows = re.findall(r'class="row-label"[^>]*>([^<]*)<', bar_chart(measurement, width, value_range([measurement]), "x"))
        assert rows == [str(layer) for layer in range(1, 7)]
        assert [label.split()[1] for _, label in question.choices] == rows
    assert question.choices[-1][1] == "layer 6 (output)"
