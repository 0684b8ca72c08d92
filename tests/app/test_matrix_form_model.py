"""The matrix-form lesson's numbers: the engine's batch gradients, and row by row lesson 2's scalars."""
import numpy as np
import pytest

from app import lesson_two_names
from app import matrix_form_model as model
from app import step_through_model as lesson_two  # the scalar lesson, for the row-by-row comparison
from engine.mlp import MLP


def state_with(**changes):
    return {**model.STATE.defaults(), **changes}


def random_state(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    units = int(rng.integers(2, 4))
    n = int(rng.integers(1, model.MAX_BATCH + 1))
    batch = tuple((float(a), float(b), int(c)) for (a, b), c in
                  zip(rng.uniform(-2, 2, (n, 2)).round(3), rng.integers(0, 2, n)))
    weights = {name: round(float(rng.normal()), 3) for name in lesson_two_names.ALL_PARAMS}
    return state_with(batch=batch, units=units, hidden=str(rng.choice(["tanh", "relu"])), **weights)


def engine_gradients(state):
    W1, b1, W2, b2 = model.weights(state)
    net = MLP([2, state["units"], 1], activation=state["hidden"], output="sigmoid", loss="bce")
    net.params = [W1, b1.ravel(), W2, b2.ravel()]
    X, y = model.batch_arrays(state)
    return net.loss_and_grads(X, y.ravel())


@pytest.mark.parametrize("seed", range(12))
def test_the_batch_gradients_are_the_engines(seed):
    state = random_state(seed) if seed else model.STATE.defaults()
    values = model.run(state).values
    loss, (dW1, db1, dW2, db2) = engine_gradients(state)
    assert values["L"][0, 0] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(values["dW1"], dW1, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(values["db1"].ravel(), db1, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(values["dW2"], dW2, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(values["db2"].ravel(), db2, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("seed", range(6))
def test_every_row_is_lesson_two_on_that_example(seed):
    state = random_state(seed) if seed else model.STATE.defaults()
    values = model.run(state).values
    n, units = len(state["batch"]), state["units"]
    out = lesson_two_names.output_unit(units)
    for i in range(n):
        query = model.lesson_two_link(state, i)
        scalar_state, notes = lesson_two.STATE.from_query(query)
        assert notes == []
        net = lesson_two.Network(scalar_state)
        for j in range(units):
            assert values["Z1"][i, j] == pytest.approx(net.value(f"z{j + 1}"), abs=1e-12)
            assert values["H1"][i, j] == pytest.approx(net.value(f"h{j + 1}"), abs=1e-12)
            # L is the batch mean: each example's gradient is lesson 2's, divided by n
            assert values["d1"][i, j] == pytest.approx(net.grad(f"z{j + 1}") / n, abs=1e-12)
            assert values["dH1"][i, j] == pytest.approx(net.grad(f"h{j + 1}") / n, abs=1e-12)
        assert values["yhat"][i, 0] == pytest.approx(net.value("yhat"), abs=1e-12)
        assert values["d2"][i, 0] == pytest.approx(net.grad(f"z{out}") / n, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_the_gradient_check_agrees_to_1e_7(seed):
    state = random_state(seed + 20) if seed else model.STATE.defaults()
    checks = model.gradient_check(state)
    assert len(checks) == 2 * state["units"] + state["units"] + state["units"] + 1
    assert max(check.relative for check in checks) < 1e-7


def test_the_per_example_outer_products_add_up_to_the_batch_gradient():
    values = model.run(model.STATE.defaults()).values
    pieces = model.outer_products(values, "H1", "d2")
    assert len(pieces) == 4 and pieces[0].shape == values["dW2"].shape
    np.testing.assert_allclose(sum(pieces), values["dW2"], atol=1e-15)
    np.testing.assert_allclose(sum(model.outer_products(values, "X", "d1")), values["dW1"], atol=1e-15)


def test_the_update_lowers_the_loss_for_a_small_step():
    state = state_with(lr=0.1)
    before = model.run(state).values["L"][0, 0]
    after = model.run(model.updated_state(state)).values["L"][0, 0]
    assert after < before


def test_shape_badges_say_what_multiplies_what():
    values = model.run(model.STATE.defaults()).values
    steps = {step.result: step for step in model.lesson_steps("tanh")}
    assert model.shape_badge(steps["Z1"], values) == "4×2 · 2×2 + 1×2 → 4×2"
    assert model.shape_badge(steps["dW2"], values) == "2×4 · 4×1 → 2×1"
    assert model.shape_badge(steps["dH1"], values) == "4×1 · 1×2 → 4×2"
    assert model.shape_badge(steps["dW1"], values) == "2×4 · 4×2 → 2×2"


def test_a_product_cell_comes_from_a_row_and_a_column():
    steps = {step.result: step for step in model.lesson_steps("tanh")}
    assert model.product_sources(steps["Z1"], 3, 1) == (("X", "row", 3), ("W1", "column", 1))
    # dW1 = Xᵀ δ1: cell (0, 1) is column 0 of X (row 0 of Xᵀ) with column 1 of δ1
    assert model.product_sources(steps["dW1"], 0, 1) == (("X", "column", 0), ("d1", "column", 1))
    assert model.product_sources(steps["dH1"], 2, 0) == (("d2", "row", 2), ("W2", "row", 0))


@pytest.mark.parametrize("text, message", [("", "1 to 8"), ("1,2,3", "0 or 1"), ("9,0,1", "inputs"),
                                           (";".join(["0,0,1"] * 9), "1 to 8"), ("a,b,1", "number")])
def test_a_bad_batch_in_a_link_falls_back_with_a_note(text, message):
    values, notes = model.STATE.from_query("?batch=" + text)
    assert values["batch"] == model.XOR_BATCH
    assert len(notes) == 1 and message in notes[0]


def test_a_batch_round_trips_through_a_link():
    state = state_with(batch=((0.5, -1.25, 1), (2.0, 0.0, 0)))
    values, notes = model.STATE.from_query(model.STATE.to_query(state))
    assert notes == [] and values["batch"] == state["batch"]


@pytest.mark.parametrize("seed", range(4))
def test_each_examples_loss_is_lesson_twos_and_the_batch_loss_their_mean(seed):
    state = random_state(seed + 40) if seed else model.STATE.defaults()
    values = model.run(state).values
    n = len(state["batch"])
    assert values["losses"].shape == (n, 1)
    for i in range(n):
        lesson_two_state, notes = lesson_two.STATE.from_query(model.lesson_two_link(state, i))
        assert notes == []
        assert values["losses"][i, 0] == pytest.approx(lesson_two.Network(lesson_two_state).loss.data, rel=1e-12)
        # ... and the engine's loss on a batch of that one example
        one = state_with(**{k: state[k] for k in state if k != "batch"}, batch=(state["batch"][i],))
        assert values["losses"][i, 0] == pytest.approx(engine_gradients(one)[0], rel=1e-12)
    assert values["L"][0, 0] == pytest.approx(values["losses"].sum() / n, rel=1e-15)


def test_for_a_batch_of_one_the_loss_is_lesson_twos():
    state = state_with(batch=((0.6, -0.4, 1),))
    lesson_two_state, _ = lesson_two.STATE.from_query(model.lesson_two_link(state, 0))
    assert model.run(state).values["L"][0, 0] == pytest.approx(lesson_two.Network(lesson_two_state).loss.data, rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_delta_one_is_dh1_times_the_activations_slope_cell_by_cell(seed):
    state = random_state(seed + 60)
    values = model.run(state).values
    H1, Z1 = values["H1"], values["Z1"]
    expected = 1 - H1 ** 2 if state["hidden"] == "tanh" else (Z1 > 0).astype(float)
    np.testing.assert_allclose(values["slope"], expected, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(values["d1"], values["dH1"] * values["slope"])
    step = next(s for s in model.lesson_steps(state["hidden"]) if s.result == "d1")
    assert [o.name for o in step.operands] == ["dH1", "slope"]
    assert step.operands[1].plain == ("1 − H₁²" if state["hidden"] == "tanh" else "[Z₁ > 0]")
    # each slope cell is lesson 2's local derivative ∂h_j/∂z_j for that example
    lesson_two_state, _ = lesson_two.STATE.from_query(model.lesson_two_link(state, 0))
    net = lesson_two.Network(lesson_two_state)
    for j in range(state["units"]):
        if net.grad(f"h{j + 1}") != 0:
            assert values["slope"][0, j] == pytest.approx(net.grad(f"z{j + 1}") / net.grad(f"h{j + 1}"), rel=1e-9)


def test_the_loss_step_goes_through_the_per_example_losses():
    values = model.run(model.STATE.defaults()).values
    step = next(s for s in model.lesson_steps("tanh") if s.result == "L")
    assert step.via == "losses"
    assert model.shape_badge(step, values) == "4×1, 4×1 → 4×1 → 1×1"


def test_arrow_keys_move_between_the_cells_of_a_matrix_and_stop_at_its_edges():
    assert model.cell_after_key((4, 2), (0, 0), "ArrowDown") == (1, 0)
    assert model.cell_after_key((4, 2), (1, 0), "ArrowRight") == (1, 1)
    assert model.cell_after_key((4, 2), (1, 1), "ArrowRight") == (1, 1)
    assert model.cell_after_key((4, 2), (3, 1), "ArrowDown") == (3, 1)
    assert model.cell_after_key((4, 2), (0, 1), "ArrowUp") == (0, 1)
    assert model.cell_after_key((4, 2), (2, 1), "ArrowLeft") == (2, 0)
    assert model.cell_after_key((4, 2), (2, 1), "Home") is None
