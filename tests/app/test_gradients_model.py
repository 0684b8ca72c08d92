"""The gradients page's model in CPython: state, statuses, bars from the engine, words and
training.  The browser tests check the same things on the page itself."""
import math
import random
import re

import pytest

from app import gradients_model as g
from app import predict
from app.gradients_draw import bar_chart, value_range
from engine import MLP, datasets, registry
from engine.text import significant


def state(**changes):
    return {**g.STATE.defaults(), **changes}


def measured_run(current, activation):
    X, y = g.make_data(current)
    run = g.Run(current, activation, X, y)
    run.remeasure()
    return run


def measure(current, activation=None):
    return measured_run(current, activation or current["act"]).measurement


# ---------------------------------------------------------------- state and URL

def test_every_menu_entry_builds_its_network_and_reads_as_a_name():
    props = g.STATE.props
    for activation, label in props["act"].options():
        assert g.build_network(state(act=activation), activation).config.activation == activation
        assert label == registry.ACTIVATIONS[activation].label
    for init, label in props["init"].options():
        assert g.build_network(state(init=init), "relu").config.init == init and label
    for name, label in props["data"].options():
        X, y = g.make_data(state(data=name, samples=60))
        assert X.shape == (60, 2) and label == registry.DATASET_LABELS[name]
    assert [value for value, _ in props["lr"].options()] == sorted(props["lr"].choices, key=float)


def test_the_largest_network_is_a_valid_link_and_larger_is_clamped():
    values, notes = g.STATE.from_query("?depth=30&width=64&samples=400&sigma=5&clip_at=10")
    assert not notes and g.build_network(values, "relu").config.sizes == (2, *[64] * 30, 1)
    _, notes = g.STATE.from_query("?depth=31&width=65&samples=420&sigma=5.1&clip_at=11")
    assert len(notes) == 5 and all("above" in note for note in notes)


def test_log_sliders_reach_both_ends_and_round_to_two_digits():
    sigma, clip_at = g.STATE.props["sigma"], g.STATE.props["clip_at"]
    assert sigma.slider_value(sigma.slider_position(sigma.low)) == 0.01
    assert sigma.slider_value(sigma.slider_position(sigma.high)) == 5.0
    assert sigma.slider_value(0.0) == 1.0 and sigma.slider_value(0.7) == 5.0      # 10^0.7 = 5.01, clamped
    assert clip_at.slider_value(1.0) == 10.0 and clip_at.slider_value(-0.5) == 0.32
    assert g.STATE.props["depth"].slider_value(12.0) == 12


def test_bad_url_values_fall_back_or_clamp_with_notes():
    values, notes = g.STATE.from_query("?depth=99&width=1&act=%3Cscript%3E&sigma=nan&seed=-4&clip_at=50")
    assert values["depth"] == 30 and values["width"] == 2 and values["seed"] == 0
    assert values["act"] == "sigmoid" and values["sigma"] == 1.0 and values["clip_at"] == 10.0
    assert len(notes) == 6
    assert all("<script>" not in note for note in notes)


def test_the_network_is_the_state():
    current = state(depth=7, width=12, act="tanh", init="normal", sigma=0.5, residual=True, clip=True, clip_at=0.3)
    net = g.build_network(current, "tanh")
    assert net.config.sizes == (2, *[12] * 7, 1)
    assert (net.config.activation, net.config.init, net.config.init_scale, net.clip_norm) == ("tanh", "normal", 0.5, 0.3)
    assert net.residual_layers == list(range(2, 8))
    assert g.shown_activations(state(compare=True, act="tanh")) == ("sigmoid", "relu")


# ---------------------------------------------------------------- status

@pytest.mark.parametrize("value,reference,level,word", [
    (0.3, 0.3, "healthy", "healthy"),
    (0.5, 0.5, "healthy", "healthy"),
    (0.6, 0.6, "warning", "large"),
    (1.0, 1.0, "warning", "large"),
    (1.01, 1.01, "critical", "exploding"),
    (0.05, 1.0, "warning", "small"),          # 5 % of the last hidden layer
    (0.1, 1.0, "healthy", "healthy"),
    (0.009, 1.0, "critical", "vanishing"),    # 0.9 %
    (0.001, None, "healthy", "healthy"),      # the output layer is judged on size only
    (0.0, 1.0, "critical", "no gradient"),
    (math.nan, 1.0, "critical", "overflow"),
    (math.inf, 1.0, "critical", "overflow"),
])
def test_status_thresholds(value, reference, level, word):
    status = g.classify(value, reference)
    assert (status.level, status.word) == (level, word)
    assert status.icon in status.text and (level == "healthy" or word in status.text)


# ---------------------------------------------------------------- bars from the engine

def test_bars_are_the_engines_statistics():
    current = state()
    X, y = datasets.make("circle", 200, 0.0, 0)
    stats = MLP([2, 8, 8, 8, 8, 8, 1], activation="sigmoid", init="normal", init_scale=1.0, seed=0).gradient_stats(X, y)
    measurement = measure(current)
    # The page computes the pass a slice of samples at a time: equal up to rounding.
    assert [bar.value for bar in measurement.bars] == pytest.approx([layer["mean_abs_grad"] for layer in stats],
                                                                    rel=1e-12)
    assert measurement.loss == pytest.approx(stats.loss, rel=1e-12) and measurement.milliseconds > 0


def test_deep_sigmoid_vanishes_near_the_input_and_relu_with_he_does_not():
    for seed in (0, 1, 2):
        sigmoid = measure(state(seed=seed))
        assert sigmoid.bars[0].status.level in ("warning", "critical")
        assert sigmoid.bars[0].value < sigmoid.bars[-2].value / 10
        relu = measure(state(seed=seed, act="relu", init="he"))
        assert g.count_statuses(relu)["critical"] == 0


def test_large_sigma_explodes():
    measurement = measure(state(act="relu", init="normal", sigma=3.0))
    assert all(bar.status.word == "exploding" for bar in measurement.bars)


def test_every_remedy_changes_the_bars():
    exploding = state(act="relu", init="normal", sigma=3.0)
    before = [bar.value for bar in measure(exploding).bars]
    for remedy in ("init", "leaky", "residual", "clip"):
        after = [bar.value for bar in measure(g.apply_remedy(exploding, remedy, True)).bars]
        assert after != before, remedy


def test_clipping_scales_every_layer_by_the_same_factor_only_above_the_threshold():
    plain = measure(state(act="relu", init="normal", sigma=3.0))
    clipped = measure(state(act="relu", init="normal", sigma=3.0, clip=True, clip_at=1.0))
    assert clipped.clip_scale == pytest.approx(1.0 / plain.grad_norm)
    for a, b in zip(plain.bars, clipped.bars):
        assert b.value == pytest.approx(a.value * clipped.clip_scale)
    assert clipped.bars[0].share == pytest.approx(plain.bars[0].share)       # ratios unchanged
    gentle = measure(state(clip=True, clip_at=10.0))                         # default net: norm < 10
    assert gentle.clip_scale == 1.0


def test_dead_relu_units_are_counted_per_layer():
    measurement = measure(state(act="relu", init="he", depth=30))
    hidden = measurement.bars[:-1]
    assert any(bar.dead_units for bar in hidden)
    assert all(0 <= bar.dead_units <= bar.shape[1] for bar in hidden)
    assert measurement.bars[-1].dead_units is None
    assert all(bar.dead_units is None for bar in measure(state(act="leaky_relu")).bars)


# ---------------------------------------------------------------- remedies as toggles

def test_remedy_toggles_are_shortcuts_for_the_menus():
    assert g.apply_remedy(state(act="relu"), "init", True)["init"] == "he"
    assert g.apply_remedy(state(act="tanh"), "init", True)["init"] == "xavier"
    assert g.apply_remedy(state(act="tanh", compare=True), "init", True)["init"] == "he"
    assert g.apply_remedy(state(init="he"), "init", False)["init"] == "normal"
    leaky = g.apply_remedy(state(act="tanh"), "leaky", True)
    assert leaky["act"] == "leaky_relu"
    assert g.apply_remedy(leaky, "leaky", False, activation_before="tanh")["act"] == "tanh"
    assert g.remedies_on(state(init="xavier", residual=True)) == {"init": True, "leaky": False,
                                                                   "residual": True, "clip": False}
    with pytest.raises(ValueError):
        g.apply_remedy(state(), "dropout", True)


# ---------------------------------------------------------------- numbers and words

def test_numbers_are_readable_and_never_raw_nan_or_inf():
    # engine.text's rule for a value: 4 significant digits, trailing zeros dropped.
    assert significant(0.123456, overflow=True) == "0.1235"
    assert significant(0.00123456, 4, overflow=True) == "0.001235"
    assert significant(12.3456, overflow=True) == "12.35" and significant(12.3456, 3) == "12.3"
    assert significant(3.2e-5, overflow=True) == "3.2×10⁻⁵"
    assert significant(2.5e12 + 0.25, 4, overflow=True) == "2.5×10¹²"
    assert significant(9.99996e-5, overflow=True) == "1×10⁻⁴"
    assert significant(0.0, overflow=True) == "0"
    for value in (math.nan, math.inf, -math.inf):
        assert not re.search(r"\b(nan|inf)\b", significant(value, overflow=True))


def test_table_rows_are_the_bars_in_words():
    measurement = measure(state(act="relu", init="he"))
    rows = g.table_rows(measurement)
    assert len(rows) == 6 and all(len(row) == 6 for row in rows)
    assert rows[0][0] == "1" and rows[-1][0] == "6 (output)"
    assert rows[0][1] == "2 × 8" and rows[-1][1] == "8 × 1"
    assert rows[0][3].endswith("%") and rows[-1][3] == "—"
    assert rows[0][4] == "✓ healthy" and rows[0][5].endswith(" of 8")


def test_explanation_uses_this_networks_numbers():
    current = state()
    measurement = measure(current)
    sentences = g.explain(current, measurement)
    share = significant(measurement.bars[0].share, overflow=True)
    assert any(share in sentence and "shrank" in sentence for sentence in sentences)
    assert any("0.25" in sentence for sentence in sentences)
    clipped = state(act="relu", init="normal", sigma=3.0, clip=True)
    words = " ".join(g.explain(clipped, measure(clipped)))
    assert "cannot cure vanishing" in words and "dead" in words


def test_overflow_is_explained_and_labelled():
    current = state(act="leaky_relu", init="normal", sigma=2.0, depth=10, lr="3")
    X, y = g.make_data(current)
    run = g.Run(current, "leaky_relu", X, y)
    assert run.measurement is None                       # measured by the first step
    for _ in range(20):
        run.train_step()
        if run.diverged:
            break
    run.remeasure()
    assert run.diverged
    assert "diverged" in g.divergence_message([run]) and f"step {run.steps}" in g.divergence_message([run])
    assert all(bar.status.word == "overflow" for bar in run.measurement.bars)
    markup = bar_chart(run.measurement, 600, value_range([run.measurement]), "Leaky ReLU")
    words = " ".join(g.explain(current, run.measurement) + [g.summary_text(run.measurement, run.steps)])
    for text in (markup, words):
        assert not re.search(r"\b(nan|inf)\b", text)
    assert "overflow" in markup and "overflowed" in words


# The link: clipping at 0.01 shrinks the gradients of a network whose loss is 5.2×10⁴³.
BLOWN_UP = "depth=30&width=64&samples=400&act=elu&sigma=5&residual=1&clip=1&clip_at=0.01&lr=3"


def test_a_loss_that_large_is_divergence_even_before_training():
    """It was reported as "untrained · loss 5.209×10⁴³ · 0 critical, 0 warning, 31 healthy"."""
    current, notes = g.STATE.from_query(BLOWN_UP)
    assert not notes
    run = measured_run(current, "elu")
    loss = significant(run.measurement.loss, 4, overflow=True)
    assert loss.endswith("×10⁴³")
    assert run.diverged
    assert g.summary_text(run.measurement, 0) == f"untrained · loss {loss} · diverged"
    message = g.divergence_message([run])
    assert message.startswith("Training is off: the ELU network diverged before any training — the loss is ")
    assert significant(run.measurement.loss, overflow=True) in message and "σ" in message
    first = g.explain(current, run.measurement)[0]
    assert "diverged" in first and "Clipping shrinks its gradients" in first


def test_divergence_is_one_test_of_the_loss():
    assert not g.has_diverged(g.CHANCE_LOSS) and not g.has_diverged(g.DIVERGED_LOSS)
    assert g.has_diverged(g.DIVERGED_LOSS * 1.01) and g.has_diverged(math.nan) and g.has_diverged(math.inf)
    # The lesson's exploding-gradient example starts large but trainable: it is flagged by its bars.
    exploding = state(act="relu", init="normal", sigma=3.0)
    run = measured_run(exploding, "relu")
    assert not run.diverged and "critical" in g.summary_text(run.measurement, 0)


def test_training_lowers_the_loss_of_a_healthy_network():
    current = state(act="relu", init="he")
    run = measured_run(current, "relu")
    before = run.measurement.loss
    for _ in range(50):
        run.train_step()
    run.remeasure()
    assert run.steps == 50 and not run.diverged and run.measurement.loss < before


def test_legend_states_the_thresholds_in_use():
    levels = dict(g.legend())
    assert "10%" in levels["warning"] and "0.5" in levels["warning"]
    assert "1%" in levels["critical"] and "over 1," in levels["critical"]
    assert all(g.ICONS[level] in text for level, text in levels.items())


def test_comparison_explains_each_side_and_says_shared_things_once():
    current = state(compare=True, init="he")
    sides = [(registry.ACTIVATIONS[name].label, measure(current, name)) for name in g.shown_activations(current)]
    items = g.explanation_items(current, sides)
    assert any(item.startswith("Sigmoid: ") and "0.25" in item for item in items)
    assert any(item.startswith("ReLU: ") and "dead" in item for item in items)
    he = [item for item in items if "He initialization" in item]
    assert len(he) == 1 and not he[0].startswith(("Sigmoid", "ReLU"))
    assert g.explanation_items(current, sides[:1]) == g.explain(current, sides[0][1])


def test_a_gradient_that_grew_tenfold_on_the_way_back_is_not_called_healthy():
    # tanh, normal σ = 3, 10 layers of 8: every bar is small, but layer 1's is 10.8 times the last
    # hidden layer's, and the explanation says so; the chart must not call it healthy.
    from app.gradients_model import STATE, Run, classify, explain, make_data
    state = {**STATE.defaults(), "act": "tanh", "init": "normal", "sigma": 3.0, "depth": 10}
    run = Run(state, "tanh", *make_data(state))
    run.remeasure()
    first = run.measurement.bars[0]
    assert first.share > 10 and first.status.word == "growing"
    assert "grew by a factor of" in explain(state, run.measurement)[0]
    assert classify(0.3, 0.001).word == "exploding" and classify(0.3, 0.02).word == "growing"
    assert classify(0.3, None).word == "healthy"


def test_the_smallest_layer_question_is_answered_by_the_engines_gradients():
    rng = random.Random(7)
    for _ in range(12):
        state = g.STATE.defaults() | {"depth": rng.randint(2, 8), "width": rng.choice([4, 8]),
                                          "act": rng.choice(["sigmoid", "tanh", "relu"]),
                                          "sigma": rng.choice([0.5, 1.0, 2.0]), "samples": 40}
        X, y = g.make_data(state)
        run = g.Run(state, state["act"], X, y)
        run.remeasure()
        question = g.smallest_layer_question(run.measurement)
        stats = g.build_network(state, state["act"]).gradient_stats(X, y)
        values = [layer["mean_abs_grad"] for layer in stats]
        assert question.answer == str(1 + values.index(min(values)))
        assert len(question.choices) == state["depth"] + 1
        assert predict.check(question, question.answer).correct
        assert f"Layer {question.answer}" in question.why or f"Layer {question.answer} (output)" in question.why


def test_a_deep_sigmoid_net_answers_layer_one_and_says_the_gradient_shrinks():
    state = g.STATE.defaults() | {"depth": 8, "act": "sigmoid", "samples": 40}
    X, y = g.make_data(state)
    run = g.Run(state, "sigmoid", X, y)
    run.remeasure()
    question = g.smallest_layer_question(run.measurement)
    assert question.answer == "1"
    assert "shrinks on its way to the input" in question.why
    assert "Not quite: you said layer 9 (output), it is layer 1" in predict.check(question, "9").message
