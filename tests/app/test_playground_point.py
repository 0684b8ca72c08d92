"""Backprop on one point: the playground's per-point pass is the engine's, and for the networks
lesson 2 takes, lesson 2 computes the same numbers from the link."""
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np
import pytest

from app import playground_draw as draw
from app import playground_model as model
from app import step_through_model


def trained(settings, epochs=20):
    data = model.make_data(settings)
    net = model.make_network(settings)
    model.make_trainer(net, data, settings).run(epochs)
    return data, net


def test_the_nearest_point_is_found_within_reach_only():
    settings = model.STATE.defaults()
    data = model.make_data(settings)
    x, y = data.X_train[7]
    assert model.nearest_point(data, (x + 1e-4, y), within=0.01) == ("training", 7)
    assert model.nearest_point(data, (50.0, 50.0), within=0.01) is None


def test_a_points_table_has_every_units_pass_and_its_gradients():
    settings = dict(model.STATE.defaults(), layers=(3, 2), features=("x1", "x2", "x1_sq"))
    data, net = trained(settings)
    point = model.point_trace(net, data, settings, "test", 4)
    inputs = model.network_inputs(data, data.X_test[4:5], settings)
    loss, grads = net.loss_and_grads(inputs, data.y_test[4:5])
    assert point.trace.loss == pytest.approx(loss, rel=1e-12)
    for ours, theirs in zip(point.trace.weight_grads, grads[0::2], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)
    layout = draw.DiagramLayout((3, 3, 2, 1), inputs=("x₁", "x₂", "x₁²"))
    rows = draw.point_rows(layout, point)
    assert len(rows) == 3 + 3 + 2 + 1 and rows[-1][0] == "the output"
    assert rows[-1][3] == draw.text.plain(float(point.trace.deltas[-1][0]))
    assert "test point" in draw.point_heading(point, regression=False)


def test_lesson_two_opens_the_point_with_the_same_loss_and_gradients():
    settings = dict(model.STATE.defaults(), layers=(2,), activation="tanh")
    data, net = trained(settings)
    point = model.point_trace(net, data, settings, "training", 11)
    query = model.lesson_two_query(point, net, settings)
    values = step_through_model.STATE.defaults() | {
        name: (int(v) if name == "units" else v if name in ("hidden", "output", "loss") else float(v))
        for name, v in parse_qsl(query[1:])}
    network = step_through_model.Network(values)
    assert network.loss.data == pytest.approx(point.trace.loss, rel=1e-10)
    assert network.grad("w31") == pytest.approx(point.trace.weight_grads[1][0, 0], rel=1e-9)
    assert network.grad("w12") == pytest.approx(point.trace.weight_grads[0][1, 0], rel=1e-9)
    # networks lesson 2 cannot show get no link
    for other in (dict(settings, layers=(4,)), dict(settings, layers=(2, 2)), dict(settings, activation="elu"),
                  dict(settings, features=("x1", "x2", "sin_x1"))):
        data, net = trained(other, 1)
        assert model.lesson_two_query(model.point_trace(net, data, other, "training", 0), net, other) is None


@pytest.mark.parametrize("problem", ["classification", "regression"])
def test_the_inspected_point_is_ringed_in_the_output_picture_for_either_problem(problem):
    settings = model.switch_problem(model.STATE.defaults(), problem)
    data = model.make_data(settings)
    position = tuple(float(v) for v in data.X_train[3])
    overlay = (draw.regression_overlay(data, True, False, position) if problem == "regression"
               else draw.boundary_overlay(data, True, position))
    axes = draw.boundary_axes(data.view)
    assert overlay.count('class="pt-marked"') == 1
    assert f'cx="{axes.x(position[0]):.1f}" cy="{axes.y(position[1]):.1f}" r="9"' in overlay
    unmarked = (draw.regression_overlay(data, True, False) if problem == "regression"
                else draw.boundary_overlay(data, True))
    assert "pt-marked" not in unmarked


def test_the_tables_inputs_are_the_points_coordinates_standardized_as_the_page_says():
    # The panel's note says so: a learner comparing the heading's (x₁, x₂) with the input rows
    # otherwise sees two different pairs of numbers for one point.
    page = (Path(__file__).parents[2] / "pages" / "playground.html").read_text()
    assert "coordinates standardized" in " ".join(page.split())
    settings = model.settings_for_problem(dict(model.STATE.defaults(), problem="regression"))
    data, net = trained(settings, 1)
    point = model.point_trace(net, data, settings, "training", 3)
    standardized = (np.array(point.position) - data.scaler.mean) / data.scaler.std
    rows = draw.point_rows(draw.DiagramLayout((2, 4, 2, 1), inputs=("x₁", "x₂")), point)
    assert [row[2] for row in rows[:2]] == [draw.text.plain(float(v)) for v in standardized]
    assert not np.allclose(standardized, point.position, atol=1e-3)
