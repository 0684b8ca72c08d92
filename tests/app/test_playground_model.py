"""The training playground's logic in CPython: presets converge, URL state
round-trips and refuses hostile values, exports reload and replay the run."""
import json
import math
import re

import numpy as np
import pytest

from app import playground_model as model
from engine import MLP


def train(settings, epochs):
    data = model.make_data(settings)
    net = model.make_network(settings)
    trainer = model.make_trainer(net, data, settings)
    with np.errstate(all="ignore"):
        trainer.run(epochs)
    return data, net, trainer


def accuracy_on_test(data, net):
    return model.evaluate(net, data.scaler.transform(data.X_test), data.y_test)[1]


@pytest.mark.parametrize("key", list(model.PRESETS))
def test_preset_reaches_95_percent_test_accuracy_within_2000_epochs(key):
    settings = model.apply_preset(key, model.STATE.defaults())
    data, net, _ = train(settings, 2000)
    assert accuracy_on_test(data, net) >= 0.95


@pytest.mark.parametrize("key", list(model.PRESETS))
def test_a_preset_is_a_setting_a_link_can_carry(key):
    """A preset's values are inside the state table's ranges and choices, so its link restores it."""
    settings = model.apply_preset(key, model.STATE.defaults())
    values, notes = model.STATE.from_query(model.STATE.to_query(settings))
    assert notes == [] and model.STATE.page_values(values) == settings     # as ui.UrlState.load gives them


def test_a_preset_keeps_the_picture_options():
    current = dict(model.STATE.defaults(), log_loss=True, show_test=False, lr=0.01)
    settings = model.apply_preset("xor", current)
    assert settings["log_loss"] is True and settings["show_test"] is False and settings["lr"] == 1.5


def test_a_preset_keeps_the_learners_own_points_to_come_back_to():
    points = ((0.1, 0.2, 0), (-0.3, 0.4, 1))
    current = dict(model.STATE.defaults(), dataset="custom", points=points, seed=7, batch="16")
    settings = model.apply_preset("circle", current)
    assert settings["dataset"] == "circle" and settings["points"] == points
    assert model.preset_note("Circle", current) == ("Preset “Circle” applied. Undo brings back your 2 points; "
                                                    "they also stay under “Your own points” in Dataset.")
    # A second preset: Undo goes back to the first one, and the note says so.
    assert model.preset_note("XOR", settings) == ("Preset “XOR” applied. Undo goes back to the settings before "
                                                  "it. Your 2 points stay under “Your own points” in Dataset.")
    assert model.own_points_note("Circle", settings) == ("Your own points now start from the Circle data. "
                                                         "Undo brings back the Circle data and its settings, "
                                                         "and your 2 earlier points.")
    back = model.make_data(dict(settings, dataset="custom"))
    assert len(back.X_train) + len(back.X_test) == 2


# ------------------------------------------------------------------ URL state

def test_every_setting_round_trips_through_the_url():
    settings = dict(model.STATE.defaults(), dataset="custom", noise=30, train=70, n=220, data_seed=12345,
                    points=((0.125, -1.5, 0), (1e-7, 3.25, 1), (-0.3333333333333333, 0.1, 1)),
                    layers=(16, 1, 8), activation="leaky_relu", loss="mse", init="he", optimizer="adam",
                    lr=0.0031, batch="16", reg="l2", reg_rate=0.03, seed=42, log_loss=True, discrete=True,
                    show_test=False)
    restored, notes = model.STATE.from_query(model.STATE.to_query(settings))
    assert restored == settings and notes == []


def test_no_hidden_layer_round_trips():
    settings = dict(model.STATE.defaults(), layers=())
    assert model.STATE.from_query(model.STATE.to_query(settings))[0]["layers"] == ()


@pytest.mark.parametrize("query, name, expected", [
    ("lr=NaN", "lr", 1.0),
    ("lr=1e308", "lr", 10.0),
    ("lr=-inf", "lr", 1.0),
    ("n=99999999999", "n", 1000),
    ("layers=1,2,3,4,5,6,7,8,9", "layers", (4, 2)),
    ("layers=99", "layers", (16,)),
    ("dataset=%3Cscript%3Ealert(1)%3C/script%3E", "dataset", "circle"),
    ("activation=__import__", "activation", "tanh"),
    ("points=1,2,3", "points", ()),
    ("points=nan,0,1", "points", ()),
    ("seed=1.5", "seed", 0),
])
def test_invalid_url_values_fall_back_with_a_note(query, name, expected):
    settings, notes = model.STATE.from_query(query)
    assert settings[name] == expected
    assert len(notes) == 1


def test_hostile_url_notes_are_plain_text_about_the_setting():
    settings, notes = model.STATE.from_query("%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E=1&lr=%3Cb%3E")
    assert settings == model.STATE.defaults()
    assert any("unknown setting" in note for note in notes)
    assert any(note.startswith("learning rate") for note in notes)


# ------------------------------------------------------------------ data

def test_data_are_split_and_standardized_on_the_training_set():
    data = model.make_data(model.STATE.defaults())
    assert len(data.y_train) == len(data.y_test) == 200
    standardized = data.scaler.transform(data.X_train)
    assert np.allclose(standardized.mean(axis=0), 0) and np.allclose(standardized.std(axis=0), 1)
    assert data.view == (-1.25, 1.25, -1.25, 1.25)
    # The grid seen by the network covers exactly the view.
    xmin, xmax, ymin, ymax = data.grid_bounds()
    assert np.allclose(data.scaler.inverse([[xmin, ymin], [xmax, ymax]]), [[-1.25, -1.25], [1.25, 1.25]])


def test_own_points_need_both_classes_and_few_points_skip_the_test_set():
    one_class = dict(model.STATE.defaults(), dataset="custom", points=((0.1, 0.2, 0), (0.3, 0.1, 0)))
    assert "both classes" in model.make_data(one_class).problem
    two = dict(one_class, points=((0.1, 0.2, 0), (0.3, 0.1, 1)))
    data = model.make_data(two)
    assert data.problem == "" and len(data.y_train) == 2 and not data.has_test
    empty = model.make_data(dict(one_class, points=()))
    assert empty.problem and empty.view == (-1.25, 1.25, -1.25, 1.25)


def test_view_follows_data_on_another_scale():
    X = np.array([[100.0, 5.0], [140.0, 9.0]])
    xmin, xmax, ymin, ymax = model.view_box(X)
    assert xmin < 100 and xmax > 140 and ymin < 5 < 9 < ymax
    assert math.isclose(xmax - xmin, ymax - ymin)


def test_csv_reports_the_first_malformed_row():
    assert model.points_from_csv("x1,x2,label\n0.5,-0.2,0\n-0.3,0.8,1\n") == ((0.5, -0.2, 0), (-0.3, 0.8, 1))
    with pytest.raises(ValueError, match="row 3"):
        model.points_from_csv("0.5,-0.2,0\n0.1,0.1,1\n0.2,abc,1\n0.3,0.3,7\n")
    with pytest.raises(ValueError, match="row 2: label must be 0 or 1"):
        model.points_from_csv("0.5,-0.2,0\n0.3,0.3,7\n")


# ------------------------------------------------------------------ the range of own points

RANGE_TEXT = "coordinates must lie between −1,000,000 and 1,000,000"


@pytest.mark.parametrize("points, bad", [("1e308,1e308,0;-1e308,-1e308,1", 1), ("0,0,0;1e155,0,0;-1e155,0,1", 2),
                                         ("0,0,0;0,1000001,1", 2)])
def test_points_beyond_the_coordinate_range_are_refused_in_a_link(points, bad):
    # 1e308 crashed the page while it drew the axes; beyond ~1e154 the standardization overflowed
    # and the loss stayed at log 2 with no message.
    settings, notes = model.STATE.from_query("dataset=custom&points=" + points)
    assert settings["points"] == () and len(notes) == 1
    assert notes[0].startswith(f"your points: point {bad}: {RANGE_TEXT}")


def test_csv_rows_end_only_at_newlines():
    """str.splitlines() also broke rows at U+2028 and form feeds, which no CSV writer means as line ends."""
    assert model.points_from_csv("0.5,-0.2,0\r\n-0.3,0.8,1\r\n") == ((0.5, -0.2, 0), (-0.3, 0.8, 1))
    for separator in ("\u2028", "\x0c", "\x1e", "\x85"):
        with pytest.raises(ValueError, match="row 1"):
            model.points_from_csv(f"0.5,-0.2,0{separator}-0.3,0.8,1\n0.1,0.1,1")


def test_a_csv_shares_the_range_of_a_link():
    with pytest.raises(ValueError, match=f"row 3: {RANGE_TEXT}"):
        model.points_from_csv("x1,x2,label\n0,0,0\n1e308,1e308,1\n")
    assert model.points_from_csv("-1e6;1000000;0\n0,5;0;1") == ((-1e6, 1e6, 0), (0.5, 0.0, 1))


def test_points_at_the_edge_of_the_range_train_and_are_drawn_with_readable_axes():
    from app import playground_draw as draw

    points = ((-1e6, -1e6, 0), (-9e5, -1e6, 0), (-1e6, -8e5, 0), (1e6, 1e6, 1), (9e5, 1e6, 1), (1e6, 8e5, 1))
    settings = dict(model.STATE.defaults(), dataset="custom", points=points)
    assert model.STATE.from_query(model.STATE.to_query(settings)) == (settings, [])
    data, net, trainer = train(settings, 200)
    assert trainer.loss < 0.1 and net.accuracy(data.scaler.transform(data.X_train), data.y_train) == 1.0
    labels = re.findall(r'class="tick-label" text-anchor="middle">([^<]+)<', draw.boundary_overlay(data))
    assert len(labels) >= 3 and len(set(labels)) == len(labels)


def test_identical_points_get_a_view_with_distinct_ticks():
    from app import playground_draw as draw

    settings = dict(model.STATE.defaults(), dataset="custom", points=((5.0, 5.0, 0), (5.0, 5.0, 1)))
    data = model.make_data(settings)
    xmin, xmax, ymin, ymax = data.view
    assert xmin < 5 < xmax and ymin < 5 < ymax
    labels = re.findall(r'class="tick-label" text-anchor="middle">([^<]+)<', draw.boundary_overlay(data))
    assert len(labels) >= 3 and len(set(labels)) == len(labels)      # not a lone "5"


def test_a_click_is_held_inside_the_range():
    assert model.clamp_coordinate(1_050_000.5) == 1e6 and model.clamp_coordinate(-2e6) == -1e6
    assert model.clamp_coordinate(0.25) == 0.25


def test_csv_is_refused_by_size_and_rows_before_any_row_is_parsed(monkeypatch):
    parsed = []
    monkeypatch.setattr(model.datasets, "from_csv", lambda text, **options: parsed.append(text))
    one_row = "0.5,-0.2,0\n"
    with pytest.raises(ValueError, match=r"the text is 11\.0 MB; the playground reads at most 64 kB"):
        model.points_from_csv(one_row * 1_000_000)
    with pytest.raises(ValueError, match="1002 rows: the playground takes at most 1000 points"):
        model.points_from_csv("1,1,1\n" * 1002)
    assert parsed == []
    # The largest allowed set still loads: a header and MAX_POINTS rows of ordinary numbers.
    monkeypatch.undo()
    rows = "".join(f"{-1 + i / 500:.4f},{1 - i / 500:.4f},{i % 2}\n" for i in range(model.MAX_POINTS))
    assert len(model.points_from_csv("x1,x2,label\n" + rows)) == model.MAX_POINTS
    assert model.csv_size_problem(42_000_000, "the file").startswith("the file is 42.0 MB")
    assert model.csv_size_problem(model.MAX_CSV_SIZE, "the file") is None


# ------------------------------------------------------------------ training

def test_live_settings_change_training_without_restarting_it():
    settings = model.STATE.defaults()
    data, net, trainer = train(settings, 5)
    weights = net.params[0].copy()
    model.apply_live_setting(trainer, "lr", 0.1)
    model.apply_live_setting(trainer, "reg", "l2")
    model.apply_live_setting(trainer, "reg_rate", 0.01)
    assert trainer.epoch == 5 and np.array_equal(net.params[0], weights)
    assert trainer.lr == 0.1 and net.regularization == "l2" and net.reg_rate == 0.01


def test_a_live_change_waits_for_the_end_of_the_epoch_and_is_logged():
    settings = dict(model.STATE.defaults(), batch="32")
    run = model.TrainingRun(settings, model.make_data(settings))
    while not run.step():
        pass
    run.step()                                      # now in the middle of epoch 2
    run.change("lr", 0.1)
    assert run.trainer.lr == settings["lr"] and run.log.changes == []
    while not run.step():
        pass
    assert run.trainer.lr == 0.1 and run.log.changes == [(2, "lr", 0.1)] and run.pending == {}


def test_a_run_without_trainable_data_cannot_train():
    settings = dict(model.STATE.defaults(), dataset="custom", points=((0.1, 0.2, 0),))
    run = model.TrainingRun(settings, model.make_data(settings))
    assert run.trainer is None and not run.can_train and run.epoch == 0


def test_a_run_that_blows_up_is_marked_diverged():
    settings = dict(model.STATE.defaults(), activation="linear", layers=(8, 8, 8), lr=10.0)
    run = model.TrainingRun(settings, model.make_data(settings))
    with np.errstate(all="ignore"):
        for _ in range(50):
            run.step()
            if run.diverged:
                break
    assert run.diverged and not run.can_train and not math.isfinite(run.trainer.loss)


@pytest.mark.parametrize("layers, action, layer, expected", [
    ((4, 2), "add-layer", None, (4, 2, 2)),
    ((), "add-layer", None, (4,)),
    ((4,) * model.MAX_HIDDEN_LAYERS, "add-layer", None, (4,) * model.MAX_HIDDEN_LAYERS),
    ((4, 2), "remove-layer", None, (4,)),
    ((), "remove-layer", None, ()),
    ((4, 2), "add-unit", 1, (4, 3)),
    ((model.MAX_NEURONS,), "add-unit", 0, (model.MAX_NEURONS,)),
    ((1, 2), "remove-unit", 0, (1, 2)),
])
def test_the_diagram_buttons_change_the_layers_within_limits(layers, action, layer, expected):
    assert model.layers_after(layers, action, layer) == expected


def test_the_menus_show_labels_from_the_state_table():
    assert ("custom", "Your own points") in model.STATE.props["dataset"].options()
    assert model.STATE.props["batch"].options()[0] == ("all", "All")
    assert dict(model.STATE.props["activation"].options())["relu"] == "ReLU"


def test_a_diverging_run_is_explained_in_words():
    settings = dict(model.STATE.defaults(), activation="linear", layers=(8, 8, 8), lr=10.0)
    _, _, trainer = train(settings, 20)
    assert not math.isfinite(trainer.loss)
    message = model.divergence_message(trainer.epoch, settings)
    assert "learning rate" in message and "try 1 " in message and "Reset" in message


def test_evaluate_matches_the_engine():
    data, net, _ = train(model.STATE.defaults(), 50)
    X = data.scaler.transform(data.X_test)
    loss, accuracy = model.evaluate(net, X, data.y_test)
    assert accuracy == net.accuracy(X, data.y_test)
    engine_loss, _ = MLP.from_dict(dict(net.to_dict(), regularization="none")).loss_and_grads(X, data.y_test)
    assert math.isclose(loss, engine_loss, rel_tol=1e-9)
    assert all(math.isnan(v) for v in model.evaluate(net, X[:0], data.y_test[:0]))


# ------------------------------------------------------------------ export

def test_export_json_reloads_and_predicts_the_same():
    settings = model.apply_preset("moons", model.STATE.defaults())
    data, net, trainer = train(settings, 300)
    text = model.export_json(net, data, settings, trainer.epoch)
    loaded, scaler, document = model.load_export(text)
    X_test = np.array(document["test"])[:, :2]
    assert np.array_equal(loaded.predict_proba(scaler.transform(X_test)),
                          net.predict_proba(data.scaler.transform(data.X_test)))
    assert document["epoch"] == 300 and document["settings"]["dataset"] == "moons"


def test_export_json_has_a_line_per_point_and_weight_row():
    """The page shows the export in a text box; one number a line (5,000 lines for 1000 points)
    made the browser's layout of it a task of up to 250 ms."""
    settings = dict(model.STATE.defaults(), n=1000, layers=(16,) * 8)
    data, net, trainer = train(settings, 0)
    text = model.export_json(net, data, settings, 0)
    rows = 1000 + 2 + 8 * 16 + 16 + 8 + 9        # points, mean and std, W rows, one W_out row, b rows
    assert text.count("\n") < rows + 100
    assert json.loads(text)["train"][0] == [*map(float, data.X_train[0]), int(data.y_train[0])]


def json_one_number_list_a_line(value):
    """What export_json wrote before json_lines: json's indented text, each list of numbers then
    joined onto one line."""
    return re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]",
                  json.dumps(value, indent=1))


@pytest.mark.parametrize("value", [
    {}, [], [[]], [[], [1.5]], {"a": [1, 2.5, None, True, float("nan")], "b": "x", "c": {}},
    [[[1, 2], [3, 4]], [[5.0]]], ["x1", "x2"], [1, [2, 3], {"k": [4]}], {"rows": [(0.1, -2.0, 1), (3e-5, 1e300, 0)]},
])
def test_export_text_is_json_with_a_line_per_list_of_numbers(value):
    assert model.json_lines(value) == json_one_number_list_a_line(value)


def test_export_text_is_the_same_as_from_json_for_real_runs():
    # The largest network with 1000 points and three features; a regression run (real targets).
    for settings in (dict(model.STATE.defaults(), n=1000, layers=(16,) * 8, features=("x1", "x2", "sin_x1")),
                     model.switch_problem(model.STATE.defaults(), "regression")):
        data, net, trainer = train(settings, 2)
        text = model.export_json(net, data, settings, 2)
        assert text == json_one_number_list_a_line(json.loads(text))


def test_python_snippet_replays_the_run_with_mid_run_changes():
    settings = dict(model.STATE.defaults(), dataset="xor", noise=20, layers=(5, 3), optimizer="momentum",
                    batch="32", lr=0.05)
    data, net, trainer = train(settings, 0)
    log = model.RunLog.begin(settings)
    trainer.run(30)
    for name, value in (("lr", 0.02), ("reg", "l2"), ("reg_rate", 0.005)):
        model.apply_live_setting(trainer, name, value)
        log.record(trainer.epoch, name, value)
        settings[name] = value
    trainer.run(20)
    log.record(trainer.epoch, "lr", 0.3)         # two changes at one epoch: the last counts
    log.record(trainer.epoch, "lr", 0.01)
    model.apply_live_setting(trainer, "lr", 0.01)
    settings["lr"] = 0.01
    trainer.run(10)

    snippet = model.python_snippet(settings, trainer.epoch, log)
    namespace = {}
    exec(compile(snippet, "snippet", "exec"), namespace)
    assert np.array_equal(namespace["net"].params[0], net.params[0])
    assert np.array_equal(namespace["net"].params[-1], net.params[-1])
    assert "trainer.run(30)\ntrainer.lr = 0.02" in snippet


def test_python_snippet_for_own_points():
    points = tuple((0.1 * i, (-1) ** i * 0.3, i % 2) for i in range(10))
    settings = dict(model.STATE.defaults(), dataset="custom", points=points)
    data, net, trainer = train(settings, 0)
    trainer.run(25)
    namespace = {}
    exec(model.python_snippet(settings, 25, model.RunLog.begin(settings)), namespace)
    assert np.array_equal(namespace["net"].params[0], net.params[0])


def test_at_max_the_picture_is_every_other_frame_and_never_with_the_diagram():
    # Ten frames of Play at "Max" with the diagram due all along: the picture alternates, and the
    # diagram goes in every frame between, never in one that also draws the picture.
    picture, frames = True, []
    for _ in range(10):
        picture, diagram = model.frame_drawing(True, picture, diagram_due=True)
        frames.append((picture, diagram))
    assert frames == [(False, "all"), (True, None)] * 5
    # A diagram not due waits for its clock at Max too.
    assert model.frame_drawing(True, True, diagram_due=False) == (False, None)
    # When drawing is heavy, the maps and then the links go in the frames between.
    picture, part, frames = True, None, []
    for _ in range(6):
        links_next = part == "maps" or (part is None and frames[-2:-1] == [(False, "maps")])
        picture, part = model.frame_drawing(True, picture, not links_next, links_next, heavy=True)
        frames.append((picture, part))
    assert frames[:4] == [(False, "maps"), (True, None), (False, "links"), (True, None)]


def test_at_the_paced_speeds_the_picture_is_in_every_frame_unless_drawing_is_heavy():
    for before in (True, False):
        assert model.frame_drawing(False, before, diagram_due=True) == (True, "all")
        assert model.frame_drawing(False, before, diagram_due=False) == (True, None)
    # Heavy (the largest networks): the diagram's two parts each get a frame without the picture.
    assert model.frame_drawing(False, True, diagram_due=False, heavy=True) == (True, None)
    assert model.frame_drawing(False, True, diagram_due=True, heavy=True) == (False, "maps")
    assert model.frame_drawing(False, False, False, links_next=True, heavy=True) == (False, "links")


def test_every_preset_converges_within_30_s_at_the_default_speed():
    import numpy as np

    from app import playground_model as m
    rate = m.epochs_per_second(m.DEFAULT_SPEED)
    for key in m.PRESETS:
        settings = m.apply_preset(key, m.STATE.defaults())
        data = m.make_data(settings)
        net, X = m.make_network(settings), data.scaler.transform(data.X_train)
        trainer = m.make_trainer(net, data, settings)
        epochs = 0
        while epochs < 30 * rate and m.evaluate(net, X, data.y_train)[1] < 0.95:
            with np.errstate(all="ignore"):
                trainer.run(1)
            epochs += 1
        assert epochs / rate < 30, f"{key}: 95% training accuracy only after {epochs} epochs"
