"""Lesson 2's parameter names, shared by lesson 2, lesson 5 and the playground: the names, the
matrix cells they stand for, and links that lesson 2 reads back as exactly the same state."""
import numpy as np
import pytest

from app import lesson_two_names as names
from app import matrix_form_model, playground_model
from app import step_through_model as lesson_two


def test_the_names_number_the_units_across_the_network():
    assert names.param_names(2) == ["w11", "w12", "b1", "w21", "w22", "b2", "w31", "w32", "b3"]
    assert names.param_names(3)[-4:] == ["w41", "w42", "w43", "b4"]
    assert set(names.ALL_PARAMS) == set(names.param_names(2)) | set(names.param_names(3))
    # W1[i, j] is the weight from input i into hidden unit j: w_ji; W2[j, 0] is the output's w_oj
    assert names.matrix_names(2) == {"W1": [["w11", "w21"], ["w12", "w22"]], "b1": [["b1", "b2"]],
                                     "W2": [["w31"], ["w32"]], "b2": [["b3"]]}
    assert names.cell_name("W1", 1, 2, 3) == "w32" and names.cell_name("W2", 2, 0, 3) == "w43"
    assert names.cell_name("b2", 0, 0, 3) == "b4" and names.cell_name("Z1", 0, 0, 2) is None
    for units in (2, 3):    # every parameter is one cell, once
        cells = [name for grid in names.matrix_names(units).values() for row in grid for name in row]
        assert sorted(cells) == sorted(names.param_names(units))


def test_lesson_two_uses_these_names():
    assert lesson_two.param_names is names.param_names and lesson_two.ALL_PARAMS == names.ALL_PARAMS
    for units in (2, 3):
        values = {**lesson_two.STATE.defaults(), "units": units}
        network = lesson_two.Network(values)      # the weights and biases of lesson 2's graph
        in_graph = {label for label in network.nodes if lesson_two.is_weight(label) or lesson_two.is_bias(label)}
        assert in_graph == set(names.param_names(units))


def test_named_values_read_the_cells_of_the_matrices():
    W1, b1, W2, b2 = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[5.0, 6.0]]), np.array([[7.0], [8.0]]), np.array([[9.0]])
    assert names.named_values(2, [W1, b1, W2, b2]) == {"w11": 1.0, "w21": 2.0, "w12": 3.0, "w22": 4.0, "b1": 5.0,
                                                       "b2": 6.0, "w31": 7.0, "w32": 8.0, "b3": 9.0}


@pytest.mark.parametrize("units", [2, 3])
def test_a_query_opens_lesson_two_with_exactly_these_numbers(units):
    rng = np.random.default_rng(units)
    params = {name: float(rng.uniform(-10, 10)) for name in names.param_names(units)}
    params[names.param_names(units)[0]] = 0.1 + 0.2           # digits that a rounded link would lose
    params[names.param_names(units)[1]] = -1.2345678901234e-7
    query = names.query(units, "relu", -4.999999999999, 0.3, 1, params, lr=0.123456789)
    state, notes = lesson_two.STATE.from_query(query)
    assert notes == []
    assert (state["units"], state["hidden"], state["output"], state["loss"]) == (units, "relu", "sigmoid", "bce")
    assert (state["x1"], state["x2"], state["y"], state["lr"]) == (-4.999999999999, 0.3, 1.0, 0.123456789)
    assert {name: state[name] for name in params} == params


@pytest.mark.parametrize("seed", range(4))
def test_lesson_fives_link_gives_lesson_two_the_rows_example_and_the_same_weights(seed):
    rng = np.random.default_rng(seed)
    units = 2 + seed % 2
    state = {**matrix_form_model.STATE.defaults(), "units": units, "lr": 0.37,
             **{name: float(rng.normal()) for name in names.ALL_PARAMS}}    # unrounded, as after an update
    state = matrix_form_model.updated_state(state)
    W1, b1, W2, b2 = matrix_form_model.weights(state)
    for row, (x1, x2, label) in enumerate(state["batch"]):
        opened, notes = lesson_two.STATE.from_query(matrix_form_model.lesson_two_link(state, row))
        assert notes == []
        assert (opened["x1"], opened["x2"], opened["y"], opened["units"], opened["lr"]) == (x1, x2, label, units, 0.37)
        assert names.named_values(units, [W1, b1, W2, b2]) == {name: opened[name] for name in names.param_names(units)}


def test_the_playgrounds_link_gives_lesson_two_the_networks_weights_exactly():
    settings = dict(playground_model.STATE.defaults(), layers=(3,), activation="tanh")
    data = playground_model.make_data(settings)
    net = playground_model.make_network(settings)
    playground_model.make_trainer(net, data, settings).run(5)
    point = playground_model.point_trace(net, data, settings, "training", 3)
    opened, notes = lesson_two.STATE.from_query(playground_model.lesson_two_query(point, net, settings))
    assert notes == []
    W1, b1, W2, b2 = net.params
    assert opened["units"] == 3 and opened["hidden"] == "tanh"
    assert (opened["w21"], opened["w12"], opened["b3"]) == (W1[0, 1], W1[1, 0], b1[2])
    assert (opened["w41"], opened["w43"], opened["b4"]) == (W2[0, 0], W2[2, 0], b2[0])
    assert (opened["x1"], opened["x2"], opened["y"]) == (point.trace.inputs[0], point.trace.inputs[1], point.target)
