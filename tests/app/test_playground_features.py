"""The playground's input features and regression in CPython (issue 21, section 2): the state
table, the rules of the toggles and of the problem type, training, R², the export and the pictures."""
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from app import playground_draw as draw
from app import playground_model as model
from engine import features
from tests.app.test_playground_model import train


def regression_settings(**changes):
    return dict(model.switch_problem(model.STATE.defaults(), "regression"), **changes)


# ------------------------------------------------------------------- state table
def test_defaults_leave_links_as_they_were():
    defaults = model.STATE.defaults()
    assert defaults["features"] == ("x1", "x2") and defaults["problem"] == "classification"
    assert model.STATE.to_query(defaults) == ""
    assert model.make_network(defaults).config.sizes == (2, 4, 2, 1)
    assert model.make_network(defaults).config.output == "sigmoid"


def test_features_and_problem_round_trip_through_the_link():
    settings = regression_settings(features=("x1", "x1_sq", "sin_x2"), dataset="multi_gaussians")
    query = model.STATE.to_query(settings)
    assert "features=x1%2Cx1_sq%2Csin_x2" in query and "problem=regression" in query
    assert model.STATE.from_query(query) == (settings, [])


@pytest.mark.parametrize("text,note", [("x1,x3", "unknown feature 'x3'"), ("", "at least one"),
                                       ("x1,x1", "twice"), ("<script>", "unknown feature")])
def test_bad_features_in_a_link_give_a_note_and_the_default(text, note):
    values, notes = model.STATE.from_query("features=" + text)
    assert values["features"] == ("x1", "x2")
    assert len(notes) == 1 and note in notes[0] and "using x₁ and x₂" in notes[0]


def test_features_in_a_link_are_put_in_the_input_columns_order():
    values, notes = model.STATE.from_query("features=sin_x1,x2")
    assert values["features"] == ("x2", "sin_x1") and notes == []


# ------------------------------------------------------------------- toggles
def test_toggling_features_on_and_off_and_the_last_one_stays():
    assert model.features_after(("x1", "x2"), "x1_sq") == (("x1", "x2", "x1_sq"), "")
    assert model.features_after(("x1", "x2", "x1_sq"), "x1") == (("x2", "x1_sq"), "")
    assert model.features_after(("sin_x2",), "x1") == (("x1", "sin_x2"), "")
    kept, note = model.features_after(("x2",), "x2")
    assert kept == ("x2",) and "At least one input must stay on" in note


def test_the_network_input_width_follows_the_features():
    settings = dict(model.STATE.defaults(), features=("x1", "x2", "x1x2", "sin_x1"))
    net = model.make_network(settings)
    assert net.config.sizes == (4, 4, 2, 1)
    data = model.make_data(settings)
    inputs = model.network_inputs(data, data.X_train, settings)
    standardized = data.scaler.transform(data.X_train)
    assert inputs.shape == (len(data.y_train), 4)
    assert np.allclose(inputs[:, 2], standardized[:, 0] * standardized[:, 1])
    assert np.allclose(inputs[:, 3], np.sin(standardized[:, 0]))
    grid = model.predict_grid(net, data, settings, 20)
    assert grid.shape == (20, 20) and ((grid > 0) & (grid < 1)).all()
    assert model.feature_maps_inputs(data, 8).shape == (64, 7)


def test_default_features_predict_the_grid_as_before():
    settings = model.STATE.defaults()
    data, net, _ = train(settings, 5)
    assert np.array_equal(model.predict_grid(net, data, settings, 30), net.predict_grid(*data.grid_bounds(), 30))


# ------------------------------------------------------------------- problem type
def test_switching_the_problem_type_picks_its_dataset_loss_and_rate():
    settings = regression_settings()
    assert (settings["problem"], settings["dataset"], settings["loss"], settings["lr"]) == \
        ("regression", "plane", "mse", 0.1)
    back = model.switch_problem(settings, "classification")
    assert (back["dataset"], back["loss"], back["lr"]) == ("circle", "bce", 1.0)
    assert model.problem_datasets("regression") == ("plane", "multi_gaussians")
    assert "plane" not in model.problem_datasets("classification")


def test_a_link_that_mixes_problem_types_is_made_consistent():
    values, _ = model.STATE.from_query("problem=regression&dataset=spiral&loss=bce")
    fixed = model.settings_for_problem(values)
    assert (fixed["dataset"], fixed["loss"]) == ("plane", "mse")
    values, _ = model.STATE.from_query("dataset=multi_gaussians")
    assert model.settings_for_problem(values)["dataset"] == "circle"


def test_a_link_to_regression_alone_starts_as_choosing_regression_does_and_trains():
    query = "?problem=regression"
    settings = model.settings_from_link(model.STATE.from_query(query)[0], query)
    assert settings == model.switch_problem(model.STATE.page_values(model.STATE.defaults()), "regression")
    data, net, _ = train(settings, 300)                 # at classification's η 1 it diverged by epoch ~233
    loss, r_squared = model.evaluate(net, data.scaler.transform(data.X_train), data.y_train)
    assert math.isfinite(loss) and r_squared > 0.9
    # what the link gives is kept
    query = "?problem=regression&lr=0.3&dataset=multi_gaussians"
    settings = model.settings_from_link(model.STATE.from_query(query)[0], query)
    assert (settings["lr"], settings["dataset"], settings["loss"]) == (0.3, "multi_gaussians", "mse")


# ------------------------------------------------------------------- a dataset's starting settings

def test_multiple_gaussians_picked_from_the_menu_learns_within_30_s_at_the_default_speed():
    """Gap 6 of the audit: with Regression's settings (4-2, SGD, η 0.1) test R² was 0.12 after
    900 epochs.  Picked from the menu it now starts with its own settings and passes 0.7 within
    the epochs 30 s of the default speed give, for every seed tried (0.78 the least of 8)."""
    epochs = int(30 * model.epochs_per_second(model.DEFAULT_SPEED))
    for seed in (0, 1, 2):
        settings = model.choose_dataset(regression_settings(seed=seed, data_seed=seed), "multi_gaussians")
        assert (settings["layers"], settings["optimizer"], settings["lr"]) == ((8, 8), "adam", 0.03)
        data, net, _ = train(settings, epochs)
        r_squared = model.evaluate(net, model.network_inputs(data, data.X_test, settings), data.y_test)[1]
        assert r_squared > 0.7, (seed, r_squared)
    # With the settings Regression picks it did not (what the starting settings are for).
    data, net, _ = train(regression_settings(dataset="multi_gaussians"), epochs)
    assert model.evaluate(net, model.network_inputs(data, data.X_test, regression_settings()), data.y_test)[1] < 0.3


def test_a_link_keeps_its_own_values_and_the_page_writes_what_a_reload_needs():
    query = "?problem=regression&dataset=multi_gaussians"
    settings = model.settings_from_link(model.STATE.from_query(query)[0], query)
    assert settings == model.STATE.page_values(model.choose_dataset(regression_settings(), "multi_gaussians"))
    query = "?problem=regression&dataset=multi_gaussians&layers=4&optimizer=sgd&lr=0.3"
    settings = model.settings_from_link(model.STATE.from_query(query)[0], query)
    assert (settings["layers"], settings["optimizer"], settings["lr"]) == ((4,), "sgd", 0.3)
    # The learner sets values equal to the table's defaults (4,2; η 1): the link must still say
    # so, or a reload would fill in the dataset's or the problem's starting values.
    for chosen in (dict(regression_settings(), lr=1.0),
                   dict(model.choose_dataset(regression_settings(), "multi_gaussians"), layers=(4, 2), optimizer="sgd")):
        query = model.STATE.to_query(chosen, defaults=model.link_defaults(chosen))
        assert model.settings_from_link(model.STATE.from_query(query)[0], query) == model.STATE.page_values(chosen)
    # Classification links are as short as before.
    assert model.link_defaults(model.STATE.defaults()) == {}


def test_choosing_another_problem_type_with_own_points_says_how_to_get_them_back():
    points = ((0.0, 0.0, 0), (1.0, 1.0, 1), (0.5, -0.5, 1))
    before = dict(model.STATE.page_values(model.STATE.defaults()), dataset="custom", points=points)
    after = model.switch_problem(before, "regression")
    assert after["dataset"] == "plane" and after["points"] == points      # kept in memory, not in use
    note = model.problem_note("regression", before)
    assert "Undo brings back your 3 points" in note and "choose Classification again" in note


def test_the_intro_follows_the_problem_type_and_the_page_starts_with_the_classification_one():
    html = (Path(__file__).parents[2] / "pages" / "playground.html").read_text()
    paragraph = re.search(r'<p id="intro" class="prose">(.*?)</p>', html, re.S).group(1)
    assert " ".join(paragraph.split()) == model.intro_text(False)
    assert "two classes" in model.intro_text(False) and "class A" not in model.intro_text(True)
    assert "regression" in model.intro_text(True)


def test_regression_uses_a_linear_output_and_squared_error():
    net = model.make_network(regression_settings())
    assert net.config.output == "linear" and net.config.loss == "mse"


@pytest.mark.parametrize("dataset,epochs,least", [("plane", 150, 0.9), ("multi_gaussians", 1000, 0.3)])
def test_regression_trains_and_r_squared_improves(dataset, epochs, least):
    settings = regression_settings(dataset=dataset, layers=(8, 8))
    data = model.make_data(settings)
    net = model.make_network(settings)
    test_inputs = model.network_inputs(data, data.X_test, settings)
    loss_before, r2_before = model.evaluate(net, test_inputs, data.y_test)
    trainer = model.make_trainer(net, data, settings)
    trainer.run(epochs)
    loss_after, r2_after = model.evaluate(net, test_inputs, data.y_test)
    assert r2_after > max(r2_before, least) and loss_after < loss_before
    prediction = net.predict_proba(test_inputs)
    assert loss_after == pytest.approx(np.mean((prediction - data.y_test) ** 2))
    assert r2_after == pytest.approx(1 - np.sum((data.y_test - prediction) ** 2)
                                     / np.sum((data.y_test - data.y_test.mean()) ** 2))


def test_the_default_regression_plane_reaches_r_squared_0_9_within_150_epochs():
    """What the e2e test trains: the default network on the plane after choosing Regression."""
    data, net, _ = train(regression_settings(), 150)
    assert model.evaluate(net, model.network_inputs(data, data.X_test, regression_settings()), data.y_test)[1] > 0.9


def test_a_diverged_regression_has_no_r_squared():
    data, net, _ = train(regression_settings(lr=10.0), 400)
    inputs = model.network_inputs(data, data.X_test, regression_settings())
    with np.errstate(all="ignore"):
        assert math.isnan(model.evaluate(net, inputs, data.y_test)[1])
    assert model.r2_text(math.nan) == "—" and model.r2_text(-1.6771) == "−1.677"
    # A run on its way to diverging: R² far below 0 in a short readout, not 300 digits off the panel.
    assert model.r2_text(-2.9214457e304) == "−2.92×10³⁰⁴"


# ------------------------------------------------------------------- export
@pytest.mark.parametrize("settings", [
    regression_settings(features=("x1", "x2", "sin_x1", "sin_x2"), dataset="multi_gaussians"),
    dict(model.STATE.defaults(), features=("x1_sq", "x2_sq"), layers=()),
    regression_settings(features=("x1x2",)),
], ids=["regression-with-features", "classification-squares", "regression-one-feature"])
def test_the_python_snippet_replays_a_run_with_features(settings, capsys):
    data, net, trainer = train(settings, 40)
    snippet = model.python_snippet(settings, 40, model.RunLog.begin(settings))
    namespace = {}
    exec(compile(snippet, "snippet", "exec"), namespace)
    assert np.array_equal(namespace["net"].params[0], net.params[0])
    assert np.array_equal(namespace["net"].params[-1], net.params[-1])
    printed = capsys.readouterr().out
    score = model.evaluate(net, model.network_inputs(data, data.X_test, settings), data.y_test)[1]
    if model.is_regression(settings):
        assert printed.startswith("test R²:") and float(printed.split(":")[1]) == pytest.approx(score)
    else:
        assert printed.startswith("test accuracy:") and float(printed.split(":")[1]) == pytest.approx(score)


def test_the_json_export_keeps_features_and_continuous_targets():
    settings = regression_settings(features=("x1", "x2_sq"))
    data, net, _ = train(settings, 3)
    document = json.loads(model.export_json(net, data, settings, 3))
    assert document["settings"]["features"] == "x1,x2_sq" and document["settings"]["problem"] == "regression"
    assert document["train"][0][2] == float(data.y_train[0]) and not float(document["train"][0][2]).is_integer()
    restored, scaler, _ = model.load_export(model.export_json(net, data, settings, 3))
    inputs = features.transform(scaler.transform(data.X_test), ("x1", "x2_sq"))
    assert np.array_equal(restored.predict_proba(inputs), net.predict_proba(inputs))


# ------------------------------------------------------------------- pictures
def test_the_value_colour_map_is_diverging_and_clipped():
    lut = draw.palette()
    pixels = draw.values_to_rgba(np.array([[-3.0, -1.0, 0.0, 1.0, 5.0]]), lut)
    assert pixels.shape == (1, 5, 4) and pixels.dtype == np.uint8
    assert (pixels[0, 0] == lut[0]).all() and (pixels[0, 1] == lut[0]).all()        # −1 and below: one end
    assert (pixels[0, 3] == lut[-1]).all() and (pixels[0, 4] == lut[-1]).all()      # 1 and above: the other
    assert abs(int(pixels[0, 2, 0]) - draw.LIGHT_MIDDLE[0]) <= 2                    # 0: the middle
    probabilities = np.array([[0.2, 0.7]])
    assert np.array_equal(draw.output_to_rgba(probabilities, lut, True, False),
                          draw.probabilities_to_rgba(probabilities, lut, True))


def test_the_value_legend_names_its_ends():
    legend = draw.value_legend(draw.palette())
    assert "−1 or less" in legend and "1 or more" in legend and ">0<" in legend
    assert legend.count("<rect") == draw.LEGEND_STEPS + 1


def test_regression_points_are_coloured_by_their_target():
    settings = regression_settings()
    data = model.make_data(settings)
    overlay = draw.regression_overlay(data)
    assert overlay.count('class="pt v train"') == len(data.y_train)
    assert overlay.count('class="pt v test"') == len(data.y_test)
    assert f'fill="{draw.value_colour(float(data.y_train[0]))}"' in overlay
    assert draw.value_colour(-1.0) == "rgb(230,159,0)" and draw.value_colour(1.0) == "rgb(0,114,178)"
    assert 'style=' not in overlay                                   # the CSP allows no inline styles
    assert "test points" not in draw.regression_overlay(data, show_test=False)


def test_the_diagram_names_its_inputs_by_feature():
    layout = draw.DiagramLayout((3, 4, 1), inputs=("x₁", "x₁²", "sin x₂"))
    assert [layout.unit_name(0, i) for i in range(3)] == ["input x₁", "input x₁²", "input sin x₂"]
    assert draw.DiagramLayout((2, 1)).unit_name(0, 1) == "input x₂"


def test_feature_maps_show_each_features_sign():
    lut = draw.palette()
    corners = np.array([[-1.0, 1.0], [1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])     # a 2 × 2 grid, row-major
    images = draw.feature_images(features.transform(corners, tuple(features.FEATURES)), lut, 2)
    assert images.shape == (7, 2, 2, 4)
    x1, x1_squared, x1x2 = images[0], images[2], images[4]
    assert (x1[0, 0] == lut[0]).all() and (x1[0, 1] == lut[-1]).all()        # negative left, positive right
    assert (x1_squared == lut[-1]).all()                                      # positive everywhere
    assert (x1x2[0, 0] == lut[0]).all() and (x1x2[0, 1] == lut[-1]).all()


@pytest.mark.parametrize("settings", [
    regression_settings(features=("x1", "x2", "x1x2"), layers=(4,)),
    dict(model.STATE.defaults(), features=("x1_sq", "x2_sq"), layers=()),
], ids=["regression-with-features", "classification-squares"])
def test_the_notebook_export_runs_with_features_and_regression(settings):
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    from pathlib import Path
    data, net, trainer = train(settings, 12)
    document = nbformat.reads(model.notebook(settings, 12, model.RunLog.begin(settings)), as_version=4)
    plots = document.cells[2].source
    assert "grid = inputs(" in plots
    assert ("levels=[0.5]" not in plots and "vmin=-1" in plots) == model.is_regression(settings)
    document.cells.append(nbformat.v4.new_code_cell(
        "import json\nprint(json.dumps([p.tolist() for p in net.params]))"))
    root = Path(__file__).resolve().parents[2]
    nbclient.NotebookClient(document, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(root)}}).execute()
    first_line = document.cells[1].outputs[0]["text"]
    assert first_line.startswith("test R²:" if model.is_regression(settings) else "test accuracy:")
    assert any("image/png" in output.get("data", {}) for output in document.cells[2].outputs)
    for ours, theirs in zip(net.params, json.loads(document.cells[-1].outputs[0]["text"]), strict=True):
        np.testing.assert_allclose(np.array(theirs), ours, rtol=0, atol=1e-12)


def test_notebook_plots_fail_loudly_if_their_template_changes(monkeypatch):
    monkeypatch.setattr(model, "NOTEBOOK_PLOTS", "plt.show()\n")
    assert model.notebook_plots(model.STATE.defaults()) == "plt.show()\n"
    with pytest.raises(ValueError, match="no longer has"):
        model.notebook_plots(regression_settings())
