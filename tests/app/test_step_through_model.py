"""The step-through page's model in CPython: the state table and presets, the network, its
steps from the engine's trace, highlights, the update, training, gradient checks, notes and
the texts the page shows."""
import pytest

from app.step_through_model import (
    ALL_PARAMS,
    NUMBER_FIELDS,
    PRESET_MENU,
    PRESETS,
    STATE,
    Network,
    Training,
    backward_order,
    build_loss,
    compatible,
    domain_notes,
    edge_of_param,
    gradient_checks,
    lesson_steps,
    live_values,
    matching_preset,
    param_hints,
    param_names,
    preset_values,
    ranges_text,
    step_for_node,
    train,
    training_result,
    unit_legends,
    update_table,
    updated_values,
)
from engine.text import fixed, plain, short


def preset(name, **changed):
    return {**preset_values(name, STATE.defaults()), **changed}


def default_network(**changed):
    return Network(preset("default", **changed))


# ---------------------------------------------------------------- state and presets

def test_the_page_opens_on_the_default_preset():
    assert matching_preset(STATE.defaults()) == "default"
    assert [name for name, _ in PRESET_MENU] == [*PRESETS, ""]      # and "Custom" for any other values
    assert matching_preset(preset("default", w11=0.25)) == ""


@pytest.mark.parametrize("name", PRESETS)
def test_every_parameter_is_a_leaf_of_the_graph_and_has_a_field(name):
    values = preset(name)
    leaves = {step.node for step in Network(values).trace if step.phase == "forward" and step.op == "input"}
    assert leaves == {"x1", "x2", *param_names(values["units"])}
    assert set(param_names(values["units"])) <= set(ALL_PARAMS) <= set(NUMBER_FIELDS)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_survives_the_url(name):
    values = preset(name, step=7, check=True)
    query = STATE.to_query(values)
    assert STATE.from_query(query) == (values, [])


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_is_a_network_the_page_accepts(name):
    values = preset(name)
    assert compatible(values) == (values, None)
    assert lesson_steps(Network(values))[-1].phase == "update"


def test_the_relu_preset_shows_a_blocked_unit_as_the_lesson_says():
    # "Choose the 2-3-1 ReLU preset: z₂ is negative, so its ReLU passes no gradient and
    # w₂₁, w₂₂ and b₂ get gradient exactly 0."
    network = Network(preset("relu-231"))
    assert network.units == 3 and network.value("z2") < 0
    assert [network.grad(name) for name in ("w21", "w22", "b2")] == [0.0, 0.0, 0.0]
    assert all(network.grad(name) != 0 for name in ("w11", "w31", "w41"))


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

@pytest.mark.parametrize("name", PRESETS)
def test_each_parameter_moves_the_unit_its_edge_leads_to(name):
    values = preset(name)
    units = values["units"]
    before = Network(values)
    pre_activations = [f"z{j}" for j in range(1, units + 2)]
    for param, edge in edge_of_param(units).items():
        after = Network({**values, param: values[param] + 0.25})
        moved = [z for z in pre_activations if after.value(z) != before.value(z)]
        source, target = edge.split(">")
        if param.startswith("w") and before.value(source) == 0:
            assert moved == [], param       # it multiplies 0: the output of a ReLU that is off
        else:   # the unit it feeds, and the output unit downstream of a hidden one (unless its ReLU is off)
            assert moved[0] == target and set(moved) <= {target, pre_activations[-1]}, param


@pytest.mark.parametrize("name", PRESETS)
def test_gradients_follow_the_chain_rule_along_every_edge(name):
    """What the lesson says of every backward step: a weight's gradient is its unit's gradient
    times the input it multiplies, a bias's is its unit's, a hidden unit's is the output
    unit's times the weight between them."""
    network = Network(preset(name))
    for param, edge in edge_of_param(network.units).items():
        source, target = edge.split(">")
        factor = 1.0 if param.startswith("b") else network.value(source)
        assert network.grad(param) == pytest.approx(network.grad(target) * factor, rel=1e-12, abs=1e-15)
        if source.startswith("h"):
            assert network.grad(source) == pytest.approx(network.grad(target) * network.value(param), rel=1e-12)


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
            assert step.upstream_text.endswith(plain(term.upstream))


def test_shown_results_match_the_engine_to_four_significant_digits():
    network = default_network()
    for step in lesson_steps(network)[1:-1]:
        shown = float(step.result_text.split("=")[-1].replace("−", "-"))
        assert shown == pytest.approx(step.result, rel=5e-4)
    # The card's result and its formula write the number alike (no trailing zeros in either).
    z1 = next(s for s in lesson_steps(network) if s.node == "z1")
    assert z1.result_text == "z₁ = 0.52"
    assert z1.substituted == "z_{1} = (0.5)(0.6) + (-0.3)(-0.4) + (0.1) = 0.52"


def test_editing_a_weight_changes_the_gradients_that_depend_on_it():
    before, after = default_network(), default_network(w31=1.4)
    # grad h₁ = grad z₃ · w₃₁, so it follows w₃₁ (and grad z₃ moves too, with ŷ).
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

def test_the_update_is_one_gradient_descent_step_and_lowers_the_loss():
    network = default_network(lr=0.5)
    update = lesson_steps(network)[-1]
    new = updated_values(network)
    for name, old, grad, after in update.update_rows:
        assert after == pytest.approx(old - 0.5 * grad) == pytest.approx(new[name])
    assert update.result == pytest.approx(build_loss(new).data)
    assert update.result < update.old_loss == network.loss.data
    assert update.result_text == f"L = {plain(update.old_loss)} → {plain(update.result)}"


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
    # The page's formats (engine.text): a tiny gradient never reads as 0, NaN is a word.
    assert plain(float("nan")) == fixed(float("nan")) == short(float("nan")) == "undefined"
    assert plain(-0.00001234) == "−1.234×10⁻⁵" and fixed(-0.00001234) == "−1.234×10⁻⁵"
    assert fixed(-0.0) == "0.0000" and fixed(-0.4) == "−0.4000" and plain(-0.4) == "−0.4"
    assert short(0.52) == "0.52" and short(-0.3452) == "−0.345" and short(12.345) == "12.3"
    assert short(0.00002) == "2×10⁻⁵" and short(0.0) == "0" and short(-0.0) == "0"


def test_notes_explain_dead_relus_and_saturated_cross_entropy():
    assert domain_notes(default_network()) == []
    (relu,) = domain_notes(Network(preset("relu-231")))
    assert relu.startswith("z₂ ≤ 0") and "exactly 0" in relu
    # z₃ ≈ 30: ŷ is within 10⁻¹³ of 1.
    saturated = domain_notes(default_network(w31=10.0, w32=10.0, b3=10.0, w21=10.0, w22=-10.0, w11=10.0))
    assert any("clipping" in note for note in saturated)


# ---------------------------------------------------------------- what the page writes

def test_the_ranges_sentence_states_the_ranges_the_fields_enforce():
    sentence = ranges_text()
    for name in ("x1", "y", "w11", "lr"):
        prop = STATE.props[name]
        assert f"[{plain(prop.low)}, {plain(prop.high)}]" in sentence, name
    # Every field shares the range of the one the sentence names for it.
    assert {(STATE.props[name].low, STATE.props[name].high) for name in ALL_PARAMS} == \
        {(STATE.props["w11"].low, STATE.props["w11"].high)}
    assert STATE.props["x2"].low == STATE.props["x1"].low and STATE.props["x2"].high == STATE.props["x1"].high


def test_the_fields_follow_the_network_they_belong_to():
    # w₃₁ is an output weight in the 2-2-1 network and a hidden one in the 2-3-1 network.
    assert unit_legends(2)[3] == "Output unit: z₃ → ŷ" and 4 not in unit_legends(2)
    assert unit_legends(3)[3] == "Hidden unit 3: z₃ → h₃" and unit_legends(3)[4] == "Output unit: z₄ → ŷ"
    assert param_hints(2)["w31"] == "h₁ → z₃" and param_hints(3)["w31"] == "x₁ → z₃"
    assert param_hints(3)["b4"] == "bias of z₄" and set(param_hints(3)) == set(param_names(3))


def test_live_values_and_the_update_table_are_the_networks():
    network = default_network(check=True)
    steps = lesson_steps(network)
    live = live_values(network, steps, len(steps) - 1)
    assert live["live-loss"] == plain(network.loss.data) and live["live-output-grad-label"] == "grad z₃"
    assert live["live-output-grad"] == plain(network.grad("z3"))
    update = steps[-1]
    checks = gradient_checks(network)
    rows = update_table(update, checks)
    assert [row[0] for row in rows] == ["w₁₁", "w₁₂", "b₁", "w₂₁", "w₂₂", "b₂", "w₃₁", "w₃₂", "b₃"]
    assert rows[0][1:4] == [fixed(0.5), fixed(network.grad("w11")), fixed(0.5 - 0.5 * network.grad("w11"))]
    assert rows[0][5] == checks["w11"].text().split("relative difference ")[1].split(" ")[0]
    assert "-" not in rows[0][5] and all(len(row) == 4 for row in update_table(update, {}))


def test_the_training_result_says_what_happened_to_the_loss():
    run = train(preset("default"), 100)
    before = Network(preset("default")).loss.data
    assert training_result(before, run) == (f"Loss {plain(before)} → {plain(run.losses[-1])} "
                                            "after 100 steps with η = 0.5.")
    assert "after 1 step with" in training_result(before, train(preset("default"), 1))


def test_the_live_values_appear_at_the_step_that_computes_them():
    network = default_network()
    steps = lesson_steps(network)
    at = {key: next(i for i, s in enumerate(steps) if s.node == node and s.phase == phase)
          for key, node, phase in [("live-yhat", "yhat", "forward"), ("live-loss", "L", "forward"),
                                   ("live-output-grad", "z3", "backward")]}
    assert at["live-yhat"] < at["live-loss"] < at["live-output-grad"]
    for key, index in at.items():
        assert live_values(network, steps, index - 1)[key] == f"at step {index + 1}"
        assert live_values(network, steps, index)[key] != f"at step {index + 1}"
        assert live_values(network, steps, 0, reveal_all=True)[key] == live_values(network, steps, index)[key]
