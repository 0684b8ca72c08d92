"""The step-through page's logic in CPython: the network, its steps from the engine's
trace, highlights, the update, training, gradient checks, notes and the picture."""
import math

import numpy as np
import pytest

from app import network_picture as picture
from app.network_steps import (ALL_PARAMS, PRESETS, STATE, Network, backward_order, build_loss, compatible,
                               domain_notes, gradient_checks, lesson_steps, matching_preset, param_names,
                               preset_values, show_number, short_number, step_for_node, train,
                               Training, updated_values)
from engine.registry import ACTIVATIONS, LOSSES


def preset(name, **changed):
    return {**preset_values(name, STATE.defaults()), **changed}


def default_network(**changed):
    return Network(preset("default", **changed))


# ---------------------------------------------------------------- state and presets

def test_defaults_are_the_issues_network():
    values = STATE.defaults()
    assert (values["x1"], values["x2"], values["y"]) == (0.6, -0.4, 1.0)
    assert (values["units"], values["hidden"], values["output"], values["loss"]) == (2, "tanh", "sigmoid", "bce")
    assert matching_preset(values) == "default"
    assert param_names(2) == ["w11", "w12", "b1", "w21", "w22", "b2", "w31", "w32", "b3"]
    assert param_names(3)[-4:] == ["w41", "w42", "w43", "b4"]


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_survives_the_url(name):
    values = preset(name, step=7, check=True)
    query = STATE.to_query(values)
    assert STATE.from_query(query) == (values, [])


def test_presets_are_the_issues_variants():
    mse = PRESETS["sigmoid-mse"].values
    assert (mse["x1"], mse["x2"], mse["hidden"], mse["output"], mse["loss"]) == (0.5, 0.3, "sigmoid", "linear", "mse_half")
    relu = PRESETS["relu-231"].values
    assert (relu["units"], relu["hidden"], relu["output"], relu["loss"]) == (3, "relu", "sigmoid", "bce")
    assert (relu["x1"], relu["x2"], relu["y"]) == (0.8, 0.2, 1.0)


def test_bad_url_values_fall_back_with_notes_and_numbers_are_clamped():
    values, notes = STATE.from_query("?w11=abc&x1=nan&w12=1e9&hidden=softmax&units=7&lr=-1")
    defaults = STATE.defaults()
    assert values["w11"] == defaults["w11"] and values["x1"] == defaults["x1"]
    assert values["w12"] == 10.0 and values["units"] == 3 and values["lr"] == 0.001
    assert values["hidden"] == "tanh"
    assert len(notes) == 6


def test_a_linear_output_never_feeds_cross_entropy():
    values = preset("default", output="linear")
    fixed, note = compatible(values, changed="output")
    assert fixed["loss"] == "mse_half" and "squared error" in note
    fixed, note = compatible(values, changed="loss")
    assert fixed["output"] == "sigmoid" and fixed["loss"] == "bce"
    assert compatible(preset("default")) == (preset("default"), None)


# ---------------------------------------------------------------- the network is wired as drawn

def independent_forward(values):
    """The same network in plain NumPy from the registry, to check the graph's wiring."""
    act, out, loss = (ACTIVATIONS[values["hidden"]], ACTIVATIONS[values["output"]], LOSSES[values["loss"]])
    x = np.array([values["x1"], values["x2"]])
    units, o = values["units"], values["units"] + 1
    h = [act.output(np.array(values[f"w{j}1"] * x[0] + values[f"w{j}2"] * x[1] + values[f"b{j}"]))
         for j in range(1, units + 1)]
    z = sum(values[f"w{o}{j}"] * h[j - 1] for j in range(1, units + 1)) + values[f"b{o}"]
    return float(loss.value(out.output(np.array(z)), np.array(values["y"])))


@pytest.mark.parametrize("name", PRESETS)
def test_the_loss_is_the_networks(name):
    values = preset(name)
    assert build_loss(values).data == pytest.approx(independent_forward(values), rel=1e-12)


# ---------------------------------------------------------------- steps come from the trace

def test_the_steps_are_in_the_issues_order():
    steps = lesson_steps(default_network())
    forward = [s.node for s in steps if s.phase == "forward"]
    backward = [s.node for s in steps if s.phase == "backward"]
    assert forward == ["inputs", "z1", "h1", "z2", "h2", "z3", "yhat", "L"]
    assert backward == ["yhat", "z3", "w31", "w32", "b3", "h1", "h2", "z1", "z2",
                        "w11", "w12", "b1", "w21", "w22", "b2"]
    assert steps[-1].phase == "update" and len(steps) == 24


def test_the_231_network_has_three_hidden_units_in_its_steps():
    steps = lesson_steps(Network(preset("relu-231")))
    assert len(steps) == 32
    assert [s.node for s in steps if s.phase == "forward"][-3:] == ["z4", "yhat", "L"]
    assert [s.node for s in steps if s.phase == "backward"][:6] == ["yhat", "z4", "w41", "w42", "w43", "b4"]


def test_every_formula_and_sentence_is_the_engines():
    network = default_network()
    for step in lesson_steps(network):
        if step.phase == "update" or step.node == "inputs":
            continue
        traced = network.step(step.phase, step.node)
        assert (step.formula, step.substituted, step.explanation, step.result) == \
            (traced.formula, traced.substituted, traced.explanation, traced.result)
        if step.phase == "backward":
            (term,) = traced.terms
            assert step.local.startswith(term.local_formula)
            assert step.upstream_text.endswith(show_number(term.upstream))


def test_shown_results_match_the_engine_to_four_decimals():
    network = default_network()
    for step in lesson_steps(network)[1:-1]:
        shown = float(step.result_text.split("=")[-1].replace("−", "-"))
        assert shown == pytest.approx(step.result, abs=5e-5)
    z1 = next(s for s in lesson_steps(network) if s.node == "z1")
    assert z1.result_text == "z₁ = 0.5200"
    assert z1.substituted == "z_{1} = (0.5)(0.6) + (-0.3)(-0.4) + (0.1) = 0.52"


def test_editing_a_weight_changes_the_gradients_that_depend_on_it():
    before, after = default_network(), default_network(w31=1.4)
    # ∂L/∂h₁ = ∂L/∂z₃ · w₃₁, so it follows w₃₁ (and ∂L/∂z₃ moves too, with ŷ).
    assert after.grad("h1") == pytest.approx(after.grad("z3") * 1.4)
    assert after.grad("h1") != before.grad("h1") and after.grad("w11") != before.grad("w11")
    assert after.grad("w21") == pytest.approx(after.grad("z2") * 0.6)


def test_highlights_name_what_a_step_reads():
    steps = {(s.phase, s.node): s for s in lesson_steps(default_network())}
    z1 = steps[("forward", "z1")]
    assert z1.active == {"z1"} and z1.used == {"x1", "x2", "b1", "x1>z1", "x2>z1", "b1>z1"}
    assert steps[("forward", "L")].used == {"yhat", "yhat>L", "y", "y>L"}
    w11 = steps[("backward", "w11")]
    assert w11.active == {"x1>z1"} and w11.used == {"z1", "x1"}
    assert steps[("backward", "b3")].active == {"b3", "b3>z3"}
    assert steps[("backward", "h2")].used == {"z3", "h2>z3"}


def test_choosing_a_node_finds_its_step():
    steps = lesson_steps(default_network())
    assert steps[step_for_node(steps, "z1", "forward")].phase == "forward"
    assert steps[step_for_node(steps, "z1", "backward")].phase == "backward"
    assert steps[step_for_node(steps, "x2", "backward")].node == "inputs"
    assert steps[step_for_node(steps, "b2", "forward")].node == "b2"
    assert steps[step_for_node(steps, "y", "forward")].node == "L"


# ---------------------------------------------------------------- update, training, checks

def test_the_update_is_one_sgd_step_and_lowers_the_loss():
    network = default_network(lr=0.5)
    update = lesson_steps(network)[-1]
    new = updated_values(network)
    for name, old, grad, after in update.update_rows:
        assert after == pytest.approx(old - 0.5 * grad) == pytest.approx(new[name])
    assert update.result == pytest.approx(build_loss(new).data)
    assert update.result < update.old_loss == network.loss.data
    assert update.result_text == f"L = {show_number(update.old_loss)} → {show_number(update.result)}"


@pytest.mark.parametrize("name", PRESETS)
def test_training_100_steps_lowers_the_loss(name):
    run = train(preset(name), 100)
    assert run.note is None and len(run.losses) == 101
    assert run.losses[-1] < 0.5 * run.losses[0]


def test_training_step_by_step_matches_all_at_once_and_can_be_stopped():
    training = Training(preset("default"), 100)
    while not training.step():
        assert 0 < training.taken < 100 and len(training.losses) == training.taken
    assert training.result() == train(preset("default"), 100)
    stopped = Training(preset("default"), 100)
    for _ in range(30):
        stopped.step()
    stopped.stop()
    run = stopped.result()
    assert stopped.finished and stopped.taken == 30 and run.note == "Stopped after 30 of 100 steps."
    assert run.values == train(preset("default"), 30).values and run.losses == train(preset("default"), 30).losses


def test_training_stops_before_a_weight_leaves_its_range():
    start = preset("sigmoid-mse", lr=10.0, y=0.0, w31=9.0, w32=9.0, b3=9.0)
    run = train(start, 100)
    assert run.note and "learning rate" in run.note
    low, high = STATE.props["w31"].low, STATE.props["w31"].high
    assert all(low <= run.values[name] <= high for name in ALL_PARAMS)
    assert run.losses[-1] == build_loss(run.values).data


@pytest.mark.parametrize("name", PRESETS)
def test_backprop_agrees_with_finite_differences(name):
    checks = gradient_checks(Network(preset(name)))
    assert set(checks) == set(backward_order(preset(name)["units"]))
    assert all(check.agrees and check.relative < 1e-6 for check in checks.values())
    assert "agree" in checks["yhat"].text()


# ---------------------------------------------------------------- numbers that need a word

def test_numbers_never_show_as_nan():
    assert show_number(float("nan")) == "undefined"
    assert show_number(-0.00001234) == "−1.234e−05"
    assert show_number(-0.0) == "0.0000" and show_number(-0.4) == "−0.4000"
    assert short_number(0.52) == "0.52" and short_number(-0.3452) == "−0.345" and short_number(12.345) == "12.3"
    assert short_number(0.00002) == "2.0e−05" and short_number(0.0) == "0" and short_number(-0.0) == "0"


def test_notes_explain_dead_relus_and_saturated_cross_entropy():
    assert domain_notes(default_network()) == []
    (relu,) = domain_notes(Network(preset("relu-231")))
    assert relu.startswith("z₂ ≤ 0") and "exactly 0" in relu
    # z₃ ≈ 30: ŷ is within 10⁻¹³ of 1.
    saturated = domain_notes(default_network(w31=10.0, w32=10.0, b3=10.0, w21=10.0, w22=-10.0, w11=10.0))
    assert any("clipping" in note for note in saturated)


# ---------------------------------------------------------------- the picture

def test_the_picture_shows_values_and_gradients_as_the_passes_reach_them():
    network = default_network()
    steps = lesson_steps(network)
    first = picture.draw(network, steps, 0)
    assert first.count("data-key=") == 13 and "node-grad" not in first and "edge-grad" not in first
    assert ">w₁₁ = 0.5<" in first                      # weights are on their edges from the start
    z3 = steps.index(next(s for s in steps if s.node == "z3" and s.phase == "backward"))
    middle = picture.draw(network, steps, z3)
    assert "∂L/∂z₃ = −0.356" in middle and "∂L/∂z₁" not in middle
    last = picture.draw(network, steps, len(steps) - 1)
    assert last.count("edge-label edge-grad") == 6   # the six weights (biases show theirs on their node)
    assert 'class="edge neg' in last and 'class="edge pos' in last


def test_the_231_picture_has_three_hidden_units():
    network = Network(preset("relu-231"))
    markup = picture.draw(network, lesson_steps(network), 0)
    assert all(f'data-key="{key}"' in markup for key in ("h3", "z4", "b4"))
    at, height = picture.layout(3)
    assert at["h3"][1] > at["h2"][1] > at["h1"][1] and height > picture.layout(2)[1]


def test_sparkline_needs_two_losses():
    assert picture.loss_sparkline([0.4]) == ""
    markup = picture.loss_sparkline([0.44, 0.3, 0.2])
    assert "polyline" in markup and "from 0.4400 to 0.2000" in markup
    assert math.isfinite(len(markup))
