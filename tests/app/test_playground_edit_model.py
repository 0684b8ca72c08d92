"""The playground's editing parts in CPython (issue 21): typing the architecture, editing a
weight or bias (training goes on from it and the exported snippet replays it), a unit's map,
and the link's hide= list of controls."""
import numpy as np
import pytest

from app import playground_model as model


@pytest.mark.parametrize("text, layers", [("8,8,8", (8, 8, 8)), (" 4 , 2 ", (4, 2)), ("", ()), ("16", (16,)),
                                          ("1,1,1,1,1,1,1,1", (1,) * 8),
                                          # read as the learning rate's and the seed's fields read numbers
                                          ("٣,３", (3, 3)), ("８,８,８", (8, 8, 8))])
def test_parse_layers_reads_what_the_buttons_can_make(text, layers):
    assert model.parse_layers(text) == layers


@pytest.mark.parametrize("text, message", [
    ("8,,x", "layer 2 is empty"),
    ("8,x", "layer 2: “x” is not a whole number"),
    ("0", "each layer has 1 to 16 units"),
    ("1000", "1000 units"),
    (",".join(["4"] * 40), "40 layers: at most 8 hidden layers"),
    ("4.5", "“4.5” is not a whole number"),
    ("-2", "-2 units"),
    ("٣٫٥", "is not a whole number"),
])
def test_parse_layers_refuses_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        model.parse_layers(text)


def test_parse_layers_has_the_limits_of_the_buttons():
    widest = (model.MAX_NEURONS,) * model.MAX_HIDDEN_LAYERS
    assert model.layers_after(widest, "add-layer") == widest          # the buttons stop here too
    assert model.layers_after(widest, "add-unit", 0) == widest
    assert model.parse_layers(",".join(map(str, widest))) == widest
    with pytest.raises(ValueError):
        model.parse_layers(",".join(map(str, widest)) + ",1")
    with pytest.raises(ValueError):
        model.parse_layers(str(model.MAX_NEURONS + 1))


def test_parse_param_reads_numbers_and_refuses_huge_or_bad_ones():
    assert model.parse_param("−0.5") == -0.5
    assert model.parse_param("1e3") == 1000.0
    for text in ("abc", "", "nan", "inf", "1e4"):
        with pytest.raises(ValueError):
            model.parse_param(text)


def make_run(**changes):
    settings = dict(model.STATE.defaults(), **changes)
    data = model.make_data(settings)
    return settings, data, model.TrainingRun(settings, data)


def test_an_edited_weight_is_in_the_network_and_training_goes_on_from_it():
    settings, data, run = make_run()
    target = ("weight", 1, 0, 1)
    model.edit_param(run, target, 2.5)
    assert run.net.params[0][0, 1] == 2.5
    assert model.param_value(run.net, target) == 2.5
    model.edit_param(run, ("bias", 2, 0), -1.25)
    assert run.net.params[3][0] == -1.25
    before = [p.copy() for p in run.net.params]
    run.step()                                  # a step starts from the edited values
    net = model.make_network(settings)
    net.params[0][0, 1], net.params[3][0] = 2.5, -1.25
    expected = model.make_trainer(net, data, settings)
    expected.run(1)
    assert all(np.array_equal(a, b) for a, b in zip(run.net.params, net.params))
    assert not np.array_equal(run.net.params[0], before[0])
    assert '"params"' in model.export_json(run.net, data, settings, run.epoch)
    exported = model.load_export(model.export_json(run.net, data, settings, run.epoch))[0]
    assert np.array_equal(exported.params[0], run.net.params[0])


@pytest.mark.parametrize("batch", ["all", "16"])
def test_the_snippet_replays_edits_between_and_inside_epochs(batch):
    settings, data, run = make_run(batch=batch, optimizer="adam", lr=0.03, layers=(5, 3))
    model.edit_param(run, ("weight", 1, 1, 4), 0.75)     # before training
    for _ in range(7):
        run.step()
    model.edit_param(run, ("bias", 1, 2), -0.5)          # mid-epoch with mini-batches
    run.change("lr", 0.01)
    for _ in range(12):
        run.step()
    model.edit_param(run, ("weight", 3, 2, 0), 1.5)
    while run.trainer.mid_epoch or run.epoch < 4:        # the export finishes the epoch
        run.step()
    snippet = model.python_snippet(settings, run.epoch, run.log)
    namespace = {}
    exec(compile(snippet, "snippet", "exec"), namespace)
    for mine, replayed in zip(run.net.params, namespace["net"].params):
        assert np.array_equal(mine, replayed)
    assert "net.params[0][1, 4] = 0.75" in snippet
    if batch != "all":
        assert "trainer.run_steps(7)" in snippet and "while trainer.mid_epoch" in snippet


def test_unit_function_gives_each_units_output():
    settings, data, run = make_run(layers=(3, 2))
    points = data.scaler.transform(data.X_train[:5])
    values, centre = model.unit_function(run.net, 1, 2)
    assert np.allclose(values(points), run.net.hidden_outputs(points)[0][:, 2]) and centre == 0.0
    values, centre = model.unit_function(run.net, 3, 0)
    assert np.allclose(values(points), run.net.predict_proba(points)) and centre == 0.5
    values, _ = model.unit_function(run.net, 0, 1)
    assert np.array_equal(values(points), points[:, 1])


def test_hide_reads_known_names_and_notes_unknown_ones():
    values, notes = model.STATE.from_query("?hide=noise,dataset,nonsense,,activation&noise=10")
    assert values["hide"] == ("dataset", "noise", "activation")
    assert values["noise"] == 10                        # the rest of the link still counts
    assert notes == ["hidden controls: no control is called “nonsense”; ignored"]
    assert model.STATE.to_query(values) == "?noise=10&hide=dataset%2Cnoise%2Cactivation"
    assert model.STATE.from_query("?hide=")[0]["hide"] == ()


def test_hide_names_come_from_the_state_table_and_presets_keep_them():
    assert set(model.HIDEABLE) == set(model.STATE.props) - {"hide"} | {"presets"}
    assert model.hide_targets("presets") == ("preset-row",)
    names = dict(model.STATE.props["hide"].options())
    assert names["noise"] == "Noise (%)" and names["lr"] == "Learning rate"
    settings = dict(model.STATE.defaults(), hide=("dataset",))
    assert model.apply_preset("spiral", settings)["hide"] == ("dataset",)
    assert model.hide_targets("reg_rate") == ("reg-rate",)
    assert model.hide_targets("layers") == ("layers", "diagram-controls")


def test_the_diagram_finds_the_unit_under_the_pointer_and_places_handles_and_the_field():
    from app import playground_draw as draw
    layout = draw.DiagramLayout((2, 3, 2, 1))
    assert draw.unit_at(layout, layout.x(1), layout.y(1, 2)) == (1, 2)
    assert draw.unit_at(layout, layout.x(3) + 13, layout.y(3, 0) - 13) == (3, 0)
    assert draw.unit_at(layout, (layout.x(0) + layout.x(1)) / 2, layout.y(1, 0)) is None   # between columns
    x, y = draw.editor_anchor(layout, ("weight", 2, 1, 0))
    assert (x * layout.width, y * layout.height) == ((layout.x(1) + layout.x(2)) / 2,
                                                     (layout.y(1, 1) + layout.y(2, 0)) / 2)
    assert draw.param_label(layout, ("bias", 3, 0)) == "Bias of the output"
    assert draw.param_label(layout, ("weight", 1, 1, 2)) == "Weight from input x₂ to unit 3 of hidden layer 1"
    assert draw.unit_view_note(layout, (3, 0)) == ""           # the output is what the picture shows anyway
    assert "unit 1 of hidden layer 2" in draw.unit_view_note(layout, (2, 0))
    left = float(draw.bias_placement(layout, 1, 0)["left"].rstrip("%"))
    assert left < 100 * (layout.x(1) - layout.node / 2) / layout.width


def test_a_units_picture_is_coloured_as_its_square():
    from app import playground_draw as draw
    lut = draw.palette()
    values = np.linspace(-2.0, 1.0, 16)
    picture = draw.unit_picture(values, 0.0, lut, 4)
    assert picture.shape == (4, 4, 4)
    assert np.array_equal(picture, draw.unit_images(values[:, None], 0.0, lut, 4)[0])
    assert tuple(picture[0, 0, :3]) == tuple(lut[0, :3])         # the most negative value: one end


def test_the_presets_row_is_hidden_with_any_setting_a_preset_changes():
    """Audit gap 3: with hide=dataset,activation,layers a preset button changed all three."""
    # Which settings a preset changes, found by applying each to settings unlike any preset's.
    unlike = dict(model.STATE.page_values(model.STATE.defaults()), dataset="gaussians", noise=35, train=70, n=230,
                  data_seed=7, layers=(3, 3, 3), activation="leaky_relu", loss="mse", init="normal",
                  optimizer="momentum", lr=0.07, batch="8", reg="l1", reg_rate=0.02, seed=9,
                  features=("x1", "sin_x1"), problem="regression", points=((0.0, 0.0, 1),), log_loss=True,
                  log_epochs=True, discrete=True, show_test=False, predict=True, speed="3", hide=("noise",))
    changed = {name for key in model.PRESETS for name, value in model.apply_preset(key, unlike).items()
               if value != unlike[name]}
    assert changed == set(model.PRESET_SETTINGS)
    for name in model.PRESET_SETTINGS:
        assert model.hidden_controls((name,)) == (name, "presets")
    kept = ("speed", "predict", "log_loss", "log_epochs", "discrete", "show_test", "points", "code")
    assert model.hidden_controls(kept) == kept                          # a preset changes none of these
    assert model.hidden_controls(("presets",)) == ("presets",)
    assert model.hidden_controls(("presets", "dataset")) == ("presets", "dataset")
