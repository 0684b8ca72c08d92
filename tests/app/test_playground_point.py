"""Backprop on one point: the playground's per-point pass is the engine's, and for the networks
lesson 2 takes, lesson 2 computes the same numbers from the link."""
import math
import re
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
    assert overlay.count('class="pt-marked"') == 1
    # Each mark names its point (a click on it picks that point): the fourth training mark is at
    # the fourth training point.
    shape, x = re.search(r'<(circle|rect) class="pt [abv] train" data-i="3" c?x="([-\d.]+)"', overlay).groups()
    axes = draw.boundary_axes(data.view)
    assert float(x) == pytest.approx(axes.x(position[0]) - (3.6 if shape == "rect" else 0), abs=0.06)
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


def test_in_point_mode_a_links_gradient_is_the_points_own_and_the_panel_lists_a_units():
    # Audit session 31: the links were drawn from the point's gradients but the read-out gave the
    # training set's (0.006673 where the point's, and lesson 2's, is 0.218).
    settings = dict(model.STATE.defaults(), dataset="xor", layers=(3,), activation="tanh")
    data, net = trained(settings, 3)
    point = model.point_trace(net, data, settings, "training", 5)
    inputs = model.network_inputs(data, data.X_train, settings)
    link = (1, 0, 1)                                    # x₁ → unit 2 of hidden layer 1
    ours = model.link_gradient(net, link, inputs, data.y_train, point)
    # This point's loss alone, by central differences in that weight.
    W = net.params[0]
    step, losses = 1e-6, []
    for sign in (1, -1):
        W[0, 1] += sign * step
        losses.append(net.loss_and_grads(inputs[5:6], data.y_train[5:6])[0])
        W[0, 1] -= sign * step
    assert ours == pytest.approx((losses[0] - losses[1]) / (2 * step), rel=1e-6)
    whole = model.link_gradient(net, link, inputs, data.y_train)
    assert whole == pytest.approx(net.loss_and_grads(inputs, data.y_train)[1][0][0, 1], rel=1e-12)
    assert abs(whole - ours) > 1e-3                     # the two really differ here
    layout = draw.DiagramLayout((2, 3, 1), inputs=("x₁", "x₂"))
    assert "this point's gradient: grad w = " + draw.text.plain(ours) in draw.link_readout(
        layout, link, float(W[0, 1]), ours, one_point=True)
    assert "this point's" not in draw.link_readout(layout, link, float(W[0, 1]), whole)
    # The panel's line for that unit: every weight into it, and its bias (grad b = its grad z).
    _, grads = net.loss_and_grads(inputs[5:6], data.y_train[5:6])
    line = draw.point_weights(layout, point, 1, 1)
    assert line.startswith("This point's gradients into unit 2 of hidden layer 1: grad w from x₁ = ")
    for value in (grads[0][0, 1], grads[0][1, 1]):
        assert draw.text.plain(float(value)) in line
    assert line.endswith("grad b = " + draw.text.plain(float(grads[1][1])))
    output = draw.point_weights(layout, point, 2, 0)
    assert output.startswith("This point's gradients into the output: grad w from hidden layer 1's unit 1 = ")
    assert [draw.text.plain(float(g)) in output for g in grads[2][:, 0]] == [True] * 3
    assert math.isnan(model.link_gradient(net, link, inputs[:0], data.y_train[:0]))   # no data: no number


def test_the_link_readouts_training_set_gradient_is_computed_once_per_network_state():
    """Pointing across links reads the whole set's gradients from one backward pass, and every
    change of what they depend on (a step, an edit, a live setting, a scrub, other data) gives a
    fresh computation's numbers."""
    settings = dict(model.STATE.defaults(), dataset="xor", layers=(3, 2), batch=10)
    data = model.make_data(settings)
    run = model.TrainingRun(settings, data)
    inputs = model.network_inputs(data, data.X_train, settings)
    whole_set, passes = model.TrainingSetGradients(), []

    def counted(net):
        pass_of = net.loss_and_grads
        net.loss_and_grads = lambda X, y: passes.append(1) or pass_of(X, y)
        return net

    def check(net, X=inputs, y=data.y_train):
        """Every link's read-out equals a fresh computation's; returns the first one's."""
        fresh = model.MLP.loss_and_grads(net, X, y)[1]
        links = [(layer, i, j) for layer, W in enumerate(fresh[0::2], start=1)
                 for i in range(W.shape[0]) for j in range(W.shape[1])]
        for link in links:
            layer, i, j = link
            assert model.link_gradient(net, link, X, y, whole_set=whole_set) == fresh[2 * (layer - 1)][i, j]
        return model.link_gradient(net, links[0], X, y, whole_set=whole_set)

    net = counted(run.net)
    before = check(net)
    assert len(passes) == 1                             # 14 links read, one pass
    for steps in range(1, 6):                           # each mini-batch step changes the weights ...
        run.step()
        after = check(net)
        assert after != before and len(passes) == 1 + steps
        before = after
    model.edit_param(run, ("weight", 1, 0, 0), 2.5)     # ... and so do an edit
    assert check(net) != before
    model.apply_live_setting(run.trainer, "reg", "l2")  # and a live setting of the loss
    with_l2 = check(net)
    model.apply_live_setting(run.trainer, "reg_rate", 0.3)
    latest = check(net)
    assert latest != with_l2
    passes.clear()
    viewer, shown = run.network_at(0)                   # a scrub to epoch 0: another network's state
    assert shown == 0 and check(counted(viewer)) != latest and len(passes) == 1
    assert check(net) == latest and len(passes) == 2
    relabelled = data.y_train.copy()
    relabelled[:20] = 1 - relabelled[:20]               # other data, of the same shapes
    assert check(net, y=relabelled) != latest and len(passes) == 3
    check(net, y=relabelled.copy())                     # the same data in another array: no new pass
    assert len(passes) == 3


def test_a_click_on_a_point_after_training_inspects_it_and_elsewhere_adds_one():
    assert model.plot_click(on_mark=True, epoch=40, inspecting=False, regression=False) == "inspect"
    # Between the marks a click adds a point, however near the others it is.
    assert model.plot_click(on_mark=False, epoch=40, inspecting=False, regression=False) == "add"
    # Before training there is no run to lose: the click adds a point as it always did.
    assert model.plot_click(on_mark=True, epoch=0, inspecting=False, regression=False) == "add"
    # "Backprop on one point" ticked: every click inspects (the page says when none is near).
    assert model.plot_click(on_mark=False, epoch=0, inspecting=True, regression=False) == "inspect"
    # Regression has no own points.
    assert model.plot_click(on_mark=False, epoch=40, inspecting=False, regression=True) == "nothing"
    assert model.plot_click(on_mark=True, epoch=40, inspecting=False, regression=True) == "inspect"


def test_adding_a_point_to_generated_data_says_the_run_ends_and_undo_brings_it_back():
    before = dict(model.STATE.defaults(), dataset="xor")
    note = model.own_points_note("XOR", before, epoch=283)
    assert note == ("Your own points now start from the XOR data (training there had reached epoch 283; this "
                    "starts again from epoch 0). Undo brings back the XOR data and its settings.")
    assert model.own_points_note("XOR", dict(before, points=((0.1, 0.2, 1),))).endswith(
        "Undo brings back the XOR data and its settings, and your 1 earlier point.")


# ------------------------------------------------------------------ a point by keyboard

def keyboard_data():
    """Five training points placed by hand (class A, B, A, B, A) and two test points."""
    X_train = np.array([[0.0, 0.0], [0.5, 0.05], [0.4, 0.9], [-0.6, -0.1], [0.05, -0.7]])
    X_test = np.array([[0.9, 0.0], [-1.0, 1.0]])
    scaler = model.datasets.Standardizer.fit(X_train)
    return model.Data(X_train, np.array([0.0, 1.0, 0.0, 1.0, 0.0]), X_test, np.array([1.0, 0.0]), scaler,
                      (-1.25, 1.25, -1.25, 1.25))


def test_the_keys_start_at_the_middle_and_arrows_go_to_the_nearest_point_that_way():
    data = keyboard_data()
    # Nothing shown yet: any key shows the point nearest the middle (or the last one shown).
    assert model.key_target(data, True, None, None, "Enter") == ("training", 0)
    assert model.key_target(data, True, None, None, "ArrowLeft") == ("training", 0)
    assert model.key_target(data, True, None, ("training", 3), "ArrowUp") == ("training", 3)
    at = ("training", 0)
    assert model.key_target(data, True, at, None, "Enter") == at
    # Right: (0.5, 0.05) is nearer than the test point (0.9, 0) straight right.
    assert model.key_target(data, True, at, None, "ArrowRight") == ("training", 1)
    assert model.key_target(data, True, ("training", 1), None, "ArrowRight") == ("test", 0)
    # Up: (0.4, 0.9) is the only point above but the test point (-1, 1), which is further across.
    assert model.key_target(data, True, at, None, "ArrowUp") == ("training", 2)
    assert model.key_target(data, True, at, None, "ArrowDown") == ("training", 4)
    assert model.key_target(data, True, at, None, "ArrowLeft") == ("training", 3)
    # Nothing further that way: the point stays; hidden test points are not visited.
    assert model.key_target(data, True, ("test", 0), None, "ArrowRight") == ("test", 0)
    assert model.key_target(data, False, ("training", 1), None, "ArrowRight") == ("training", 1)
    # Other keys are not the picture's.
    assert model.key_target(data, True, at, None, "Tab") is None
    empty = model.Data(data.X_train[:0], data.y_train[:0], data.X_test[:0], data.y_test[:0], data.scaler, data.view)
    assert model.key_target(empty, True, None, None, "Enter") is None


def test_page_keys_go_through_every_point_shown_by_number():
    data = keyboard_data()
    order = [("training", i) for i in range(5)] + [("test", 0), ("test", 1)]
    assert model.shown_points(data, True) == order and model.shown_points(data, False) == order[:5]
    walked, at = [], ("training", 0)
    for _ in range(8):
        walked.append(at)
        at = model.key_target(data, True, at, None, "PageDown")
    assert walked == order + [order[-1]]                   # the last stays last
    assert model.key_target(data, True, ("training", 0), None, "PageUp") == ("training", 0)
    assert model.key_target(data, True, ("test", 0), None, "PageUp") == ("training", 4)
    assert model.key_target(data, False, ("training", 2), None, "End") == ("training", 4)
    assert model.key_target(data, True, None, ("training", 2), "Home") == ("training", 0)
    assert model.key_target(data, True, None, None, "End") == ("test", 1)
    # Every point of a generated data set is reached by the arrows too, from the middle on.
    settings = dict(model.STATE.defaults(), n=60)
    data = model.make_data(settings)
    reached = {model.key_target(data, True, None, None, "Enter")}
    frontier = set(reached)
    while frontier:
        frontier = {model.key_target(data, True, point, None, key) for point in frontier
                    for key in model.POINT_ARROWS} - reached
        reached |= frontier
    assert reached == set(model.shown_points(data, True))


def test_the_keys_announce_the_point_with_its_coordinates_and_class_or_target():
    data = keyboard_data()
    settings = dict(model.STATE.defaults(), layers=(2,))
    net = model.make_network(settings)
    point = model.point_trace(net, data, settings, "training", 1)
    assert model.point_announcement(data, point, 1, regression=False) == \
        "Training point 2 of 5, (0.5, 0.05), class B."
    assert model.point_announcement(data, point, 1, False, "ArrowRight", stayed=True) == \
        "No point to the right. Training point 2 of 5, (0.5, 0.05), class B."
    test_point = model.point_trace(net, data, settings, "test", 1)
    assert model.point_announcement(data, test_point, 1, regression=True) == \
        "Test point 2 of 2, (−1, 1), target 0."
    # The panel heading says the same point the same way.
    assert "(0.5, 0.05), class B" in draw.point_heading(point, regression=False)
    assert model.point_keys_stopped_note(data, ("test", 0)) == \
        "Backprop on one point stopped. Enter shows test point 1 of 2 again."


def test_the_keys_follow_the_rules_of_a_click_on_a_points_mark():
    # A key on the picture acts as a click on the point's mark: before training it shows no
    # backprop unless "Backprop on one point" is ticked, and the page says why.
    assert model.plot_click(True, 0, inspecting=False, regression=False) != "inspect"
    assert model.plot_click(True, 0, inspecting=True, regression=False) == "inspect"
    data = keyboard_data()
    assert model.point_keys_note(data, regression=False).startswith(
        "Before training, a click on the picture adds a point of your own. Train the network first")
    assert model.point_keys_note(data, regression=True).startswith("Train the network first (Step or ▶ Play)")
    one_class = model.make_data(dict(model.STATE.defaults(), dataset="custom", points=((0.1, 0.2, 0),)))
    assert model.point_keys_note(one_class, regression=False) == one_class.problem


def test_the_caption_moves_to_the_top_for_a_point_low_in_the_picture():
    view = (-1.25, 1.25, -1.25, 1.25)
    assert draw.caption_at_top(view, (0.0, -1.0)) and not draw.caption_at_top(view, (0.0, 0.0))
