"""The training playground in headless Chromium.  Each test opens the page with the link it
needs, so that none depends on another having run: training, pausing, presets and datasets,
own points and CSV, divergence, export, the hostile-URL and embed checks, Undo and Back.
Tests that start from the defaults untrained (the first), by clicking a preset (which sets
every setting but the view's), or by `back_to_the_defaults`, and leave training paused, share
one tab (`shared_tab`)."""
import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from app import playground_draw as draw
from app import playground_model as model
from engine import features, text
from engine.mlp import grid_points
from tests.e2e.conftest import SCREENSHOTS, needs_numpy, page_for_module, save_screenshot, wait_until_ready

pytestmark = [pytest.mark.e2e, needs_numpy]

PAGE = "pages/playground.html"


@pytest.fixture(scope="module")
def shared_tab(browser_context, base_url, external_requests):
    """The page with no link, in one tab (starting Python takes seconds)."""
    yield from page_for_module(browser_context, base_url, PAGE, external_requests)


# Resolves true once the epoch counter passes `epochs`, false after `seconds` (checked every frame).
WAIT_FOR_EPOCH = """([epochs, seconds]) => new Promise(resolve => {
  const end = performance.now() + 1000 * seconds;
  const check = () => {
    if (Number(document.getElementById("epoch").textContent) > epochs) resolve(true);
    else if (performance.now() > end) resolve(false);
    else requestAnimationFrame(check);
  };
  check();
})"""
# Resolves after `count` animation frames: long enough for a running loop to have trained.
FRAMES = ("count => new Promise(resolve => { const next = () => --count ? requestAnimationFrame(next) : resolve(); "
          "requestAnimationFrame(next); })")


def epoch(page):
    return int(page.locator("#epoch").inner_text())


def number(page, element_id):
    return float(page.locator(f"#{element_id}").inner_text().rstrip("%"))


def save_widget(page, name):
    """Screenshot of the playground widget alone, to screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#playground").screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def train_past(page, epochs, seconds=60):
    """Play until the epoch counter passes `epochs`, then pause."""
    page.click("#play")
    reached = page.evaluate(WAIT_FOR_EPOCH, [epochs, seconds])
    page.click("#play")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")
    assert reached, f"training did not pass epoch {epochs} within {seconds} s (at {epoch(page)})"


def click_step(page, times=1):
    for _ in range(times):
        after = epoch(page) + 1
        page.click("#step")
        expect(page.locator("#epoch")).to_have_text(str(after))


def back_to_the_defaults(page, layers=None):
    """Every setting but the view's at its default, untrained, as the page with no link starts: the
    Circle preset's settings are the defaults.  With `layers` ("5,2"), that architecture is then
    typed in: the network a link's layers= starts with."""
    page.click("#presets button[data-preset='circle']")
    expect(page.locator("#epoch")).to_have_text("0")
    assert page.url.endswith(PAGE), page.url                # no setting differs from its default
    if layers is not None:
        page.fill("#layers", layers)
        page.press("#layers", "Enter")
        expect(page).to_have_url(re.compile(re.escape(PAGE + "?layers=" + layers.replace(",", "%2C")) + "$"))
        expect(page.locator("#diagram .pg-unit")).to_have_count(2 + sum(map(int, layers.split(","))) + 1)
        expect(page.locator("#epoch")).to_have_text("0")
    return page


def test_play_trains_the_loss_falls_and_pause_stops(shared_tab):
    page = shared_tab
    assert epoch(page) == 0
    first_loss = number(page, "train-loss")
    train_past(page, 300)
    paused_at = epoch(page)
    page.evaluate(FRAMES, 10)
    assert epoch(page) == paused_at
    assert number(page, "train-loss") < first_loss / 2
    assert number(page, "test-accuracy") > 90
    click_step(page)
    # The curve's table view (a text alternative) shows the same newest numbers.
    page.locator("#curve-table-box summary").click()
    newest = page.locator("#curve-table tr").first
    expect(newest.locator("th")).to_have_text(str(paused_at + 1))  # filled on the (async) toggle event
    assert newest.locator("th, td").all_inner_texts() == [
        str(paused_at + 1), page.locator("#train-loss").inner_text(), page.locator("#test-loss").inner_text()]


def test_learning_rate_keeps_training_but_architecture_restarts_it(shared_tab):
    page = back_to_the_defaults(shared_tab)
    click_step(page, 3)
    page.fill("#lr", "0.5")
    page.press("#lr", "Enter")
    assert epoch(page) == 3 and "lr=0.5" in page.url
    # The slider follows the text box (it moves in powers of ten).
    assert float(page.locator("#lr-slider").input_value()) == pytest.approx(np.log10(0.5), abs=0.05)
    page.click("#diagram-controls .pg-column span >> nth=1")     # not a button: nothing happens
    assert epoch(page) == 3
    page.click("#diagram-controls button[data-action='add-unit'][data-layer='0']")
    expect(page.locator("#epoch")).to_have_text("0")
    assert "layers=5%2C2" in page.url
    assert page.locator("#diagram .pg-unit").count() == 2 + 5 + 2 + 1
    # Each column's canvas holds its units' maps, one on each unit's square, and is clear between
    # them: the inputs' maps are the plane's x₁ and x₂, as CPython draws them.
    columns = page.locator("#diagram canvas.pg-maps").evaluate_all("""cs => cs.map(c =>
        Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data))""")
    placements, heights, rows = draw.DiagramLayout((2, 5, 2, 1)).map_columns(24)
    stacked = np.concatenate([np.array(pixels, dtype=np.uint8) for pixels in columns]).reshape(-1, 24, 4)
    assert stacked.shape[0] == sum(heights)
    maps = stacked[rows].reshape(-1, 24, 24, 4)
    assert (maps[..., 3] == 255).all()
    assert (np.delete(stacked, rows, axis=0)[..., 3] == 0).all()
    settings = model.STATE.from_query("layers=5,2")[0]
    data = model.make_data(settings)
    plane = features.transform(grid_points(*data.grid_bounds(), 24), settings["features"])
    assert np.abs(maps[:2].astype(int) - draw.unit_images(plane, 0.0, draw.palette(), 24)).max() <= 1
    assert all(len(np.unique(unit.reshape(-1, 4), axis=0)) > 10 for unit in maps[2:])   # hidden units too


def test_the_sliders_take_their_ranges_from_the_state_table(open_page):
    page = open_page(PAGE + "?noise=15&lr=0.01")
    noise = page.locator("#noise")
    assert [noise.get_attribute(a) for a in ("min", "max", "step")] == ["0", "50", "5"]
    assert noise.input_value() == "15" and page.locator("#noise-value").inner_text() == "15"
    slider = page.locator("#lr-slider")
    assert [float(slider.get_attribute(a)) for a in ("min", "max")] == [-5, 1]
    assert float(slider.input_value()) == pytest.approx(-2)
    # Dragging the learning-rate slider shows the value in the text box; the release saves the link.
    slider.fill("-1")
    expect(page.locator("#lr")).to_have_value("0.1")
    assert "lr=0.1" in page.url
    assert [o.strip() for o in page.locator("#init option").all_inner_texts()] == [
        label for _, label in model.STATE.props["init"].options()]


def test_hovering_a_link_and_the_curve_shows_numbers(shared_tab):
    page = back_to_the_defaults(shared_tab, layers="5,2")
    click_step(page, 2)
    layout = draw.DiagramLayout((2, 5, 2, 1))
    half = layout.node / 2
    xa, xb = layout.x(0) + half, layout.x(1) - half
    ya, yb = layout.y(0, 0), layout.y(1, 0)      # the topmost link: no other link crosses it
    diagram = page.locator("#diagram")
    diagram.scroll_into_view_if_needed()
    box = diagram.bounding_box()
    x, y = (xa + xb) / 2, (ya + yb) / 2
    page.mouse.move(box["x"] + x / layout.width * box["width"], box["y"] + y / layout.height * box["height"])
    readout = page.locator("#link-readout").inner_text()
    assert re.match(r"Weight from input x₁ to unit 1 of hidden layer 1: −?\d\.\d+; gradient: grad w = −?\d", readout)
    assert page.locator("#diagram .edge.active").count() == 1
    curve = page.locator("#loss-curve")
    curve.scroll_into_view_if_needed()
    box = curve.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.95, box["y"] + box["height"] * 0.4)
    assert re.match(r"epoch 2: training loss \d\.\d{4}, test loss \d\.\d{4}", page.locator("#curve-readout").inner_text())
    # The same read-out from the keyboard: focus the diagram, walk the links with the arrows.
    diagram.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    readout = page.locator("#link-readout").inner_text()
    assert re.match(r"Weight from input x₁ to unit 2 of hidden layer 1: −?\d\.\d+; gradient", readout)
    assert page.locator("#diagram .edge.active").count() == 1
    page.keyboard.press("ArrowLeft")
    assert "to unit 1 of hidden layer 1" in page.locator("#link-readout").inner_text()
    # Held from the keyboard, the read-out follows a Step: the weight and the training set's
    # gradient of the new weights (the page keeps the gradients while the network stays as it is).
    gradient_before = readout_gradient(page)
    click_step(page)
    settings = model.settings_from_link(model.STATE.from_query("?layers=5,2")[0], "?layers=5,2")
    data, net = model.make_data(settings), model.make_network(settings)
    model.make_trainer(net, data, settings).run(3)
    gradient = model.link_gradient(net, (1, 0, 0), model.network_inputs(data, data.X_train, settings), data.y_train)
    expect(page.locator("#link-readout")).to_have_text(
        draw.link_readout(layout, (1, 0, 0), float(net.params[0][0, 0]), gradient))
    assert readout_gradient(page) != gradient_before
    diagram.focus()                             # (Step took the focus)
    page.keyboard.press("Escape")
    assert page.locator("#link-readout").inner_text() == draw.LINK_HINT
    assert page.locator("#diagram .edge.active").count() == 0


def readout_gradient(page):
    return page.locator("#link-readout").inner_text().rsplit("grad w = ", 1)[1]


def test_every_menu_shows_its_whole_choice(shared_tab):
    # "Cross-entropy" was cut off in the Loss menu at 1280 px, and "Momentum (β = 0.9)" whenever it
    # was chosen (the 800x600 embeds: tests/e2e/test_embed_fit.py, tests/e2e/test_playground_edit.py).
    page = back_to_the_defaults(shared_tab)
    assert menus_cut_off(page) == []
    assert labels_cut_off(page) == []


@pytest.mark.parametrize("key", list(model.PRESETS))
def test_preset_buttons_apply_their_settings_and_train(shared_tab, key):
    page = shared_tab
    preset = model.PRESETS[key]
    page.click(f"#presets button[data-preset='{key}']")
    settings = model.apply_preset(key, model.STATE.defaults())
    assert page.locator("#dataset").input_value() == settings["dataset"]
    assert page.locator("#activation").input_value() == settings["activation"]
    assert page.locator("#loss").input_value() == settings["loss"]
    assert page.locator("#init").input_value() == settings["init"]
    assert float(page.locator("#lr").input_value()) == settings["lr"]
    assert page.locator("#diagram .pg-unit").count() == 2 + sum(preset.settings["layers"]) + 1
    assert epoch(page) == 0
    train_past(page, 20)
    save_widget(page, f"playground-{settings['dataset']}")


def test_gaussians_mid_training(shared_tab):
    page = back_to_the_defaults(shared_tab)
    page.select_option("#dataset", "gaussians")
    assert "dataset=gaussians" in page.url and epoch(page) == 0
    train_past(page, 100)
    assert number(page, "test-accuracy") > 90
    save_widget(page, "playground-gaussians")


def test_own_points_by_click_and_a_bad_csv_row_is_reported(shared_tab):
    page = back_to_the_defaults(shared_tab)
    page.click("#clear-points")
    assert page.locator("#dataset").input_value() == "custom"
    assert page.locator("#boundary-overlay .pt").count() == 0
    assert page.locator("#play").is_disabled()
    overlay = page.locator("#boundary-overlay svg")
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    overlay.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.3})
    overlay.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.7}, modifiers=["Shift"])
    assert page.locator("#boundary-overlay .pt.a").count() == 1
    assert page.locator("#boundary-overlay .pt.b").count() == 1
    assert page.locator("#play").is_enabled() and "points=" in page.url

    page.click(".pg-csv summary")
    page.fill("#csv", "x1,x2,label\n0.5,-0.2,0\n0.1,oops,1\n0.3,0.3,1\n")
    page.click("#load-csv")
    error = page.locator("#csv-error").inner_text()
    assert "row 3" in error and "oops" in error
    assert page.locator("#csv").get_attribute("aria-invalid") == "true"
    assert page.locator("#boundary-overlay .pt").count() == 2       # nothing changed
    # A line separator inside a row does not end it (only \n and \r\n do).
    page.fill("#csv", "0.5,-0.2,0\u2028-0.3,0.8,1\n0.1,0.1,1")
    page.click("#load-csv")
    assert "row 1" in page.locator("#csv-error").inner_text()
    assert page.locator("#boundary-overlay .pt").count() == 2
    rows = "\n".join(f"{x:.2f},{y:.2f},{int(x * y > 0)}" for x, y in np.random.default_rng(0).uniform(-1, 1, (40, 2)))
    page.fill("#csv", rows)
    page.click("#load-csv")
    assert page.locator("#csv").get_attribute("aria-invalid") == "false"
    assert page.locator("#boundary-overlay .pt").count() == 40


def test_a_seed_typed_in_fullwidth_digits_shows_as_the_number_read(shared_tab):
    page = shared_tab
    page.fill("#seed", "１２")
    page.press("#seed", "Enter")
    expect(page.locator("#seed")).to_have_value("12")
    assert "seed=12" in page.url and page.locator("#seed").get_attribute("aria-invalid") == "false"


def test_divergence_pauses_explains_and_reset_recovers(shared_tab):
    page = shared_tab
    page.click("#presets button[data-preset='circle']")
    page.select_option("#activation", "linear")
    page.click("#diagram-controls button[data-action='add-layer']")
    page.fill("#lr", "10")
    page.press("#lr", "Enter")
    page.click("#play")
    alert = page.locator("#divergence")
    alert.wait_for(state="visible", timeout=20_000)
    assert "learning rate" in alert.inner_text() and "Reset" in alert.inner_text()
    assert page.locator("#play").get_attribute("aria-pressed") == "false"
    assert page.locator("#play").is_disabled() and page.locator("#step").is_disabled()
    stopped_at = epoch(page)
    page.evaluate(FRAMES, 10)
    assert epoch(page) == stopped_at
    save_widget(page, "playground-divergence")
    page.fill("#lr", "0.1")
    page.press("#lr", "Enter")
    page.click("#reset")
    assert alert.is_hidden() and epoch(page) == 0
    train_past(page, 0)
    assert page.locator("#train-loss").inner_text() != "—"


def test_export_loads_in_cpython_with_the_same_predictions(shared_tab):
    page = shared_tab
    page.click("#presets button[data-preset='moons']")
    click_step(page, 15)
    page.click(".pg-export summary")
    page.click("#export")
    with page.expect_download() as download:
        page.click("#download-json")
    assert download.value.suggested_filename == "playground-epoch-15.json"
    net, scaler, document = model.load_export(Path(download.value.path()).read_text())
    assert document["epoch"] == 15
    test = np.array(document["test"])
    loss, accuracy = model.evaluate(net, scaler.transform(test[:, :2]), test[:, 2])
    assert text.loss_text(loss) == page.locator("#test-loss").inner_text()
    assert f"{100 * accuracy:.1f}%" == page.locator("#test-accuracy").inner_text()
    # The snippet trains the same network from scratch in CPython.
    namespace = {}
    exec(page.locator("#export-python").input_value(), namespace)
    for replayed, exported in zip(namespace["net"].params, net.params):
        assert np.allclose(replayed, exported, rtol=1e-9, atol=1e-12)


def test_narrow_screen_has_no_sideways_scrolling(page, base_url):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(base_url + PAGE)
    wait_until_ready(page)
    page.click("#presets button[data-preset='spiral']")
    train_past(page, 20)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    save_screenshot(page, "playground-360")


def test_hostile_url_is_neutralised(open_page):
    hostile = ("pages/playground.html?dataset=%3Cscript%3Ealert(1)%3C/script%3E&lr=NaN&n=1e308"
               "&layers=99999,1&reg_rate=-inf&%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E=1"
               "&points=%3Cb%3Ex%3C/b%3E,0,1")
    page = open_page(hostile)
    notes = page.locator("#url-notes")
    assert notes.is_visible()
    text = notes.inner_text()
    assert "dataset" in text and "learning rate" in text and "<img" in text   # shown as text...
    assert page.locator("#url-notes *").count() == 0                           # ...never as markup
    assert page.locator("img").count() == 0
    assert page.locator("#dataset").input_value() == "circle"
    assert float(page.locator("#lr").input_value()) == 1.0
    assert int(page.locator("#n").input_value()) == 1000
    page.click("#step")
    assert epoch(page) == 1


def test_a_preset_keeps_own_points_and_can_be_undone(open_page):
    """Issue 18, item 4: a preset replaced the learner's points, seed and batch, and the
    address bar was replaced, not pushed, so Back could not bring them back."""
    page = open_page("pages/playground.html?dataset=custom&points=0.1,0.2,0;-0.3,0.4,1;0.5,-0.5,1&seed=7&batch=16")
    points = page.locator("#boundary-overlay .pt")
    assert points.count() == 3
    page.click("#presets button[data-preset='circle']")
    note = page.locator("#undo-note")
    assert note.is_visible() and "Undo brings back your 3 points" in note.inner_text()
    assert page.locator("#dataset").input_value() == "circle" and "points=" not in page.url
    save_widget(page, "playground-undo")
    # Undo brings back everything the preset replaced.
    page.click("#undo")
    assert note.is_hidden()
    assert page.locator("#dataset").input_value() == "custom" and points.count() == 3
    assert page.locator("#seed").input_value() == "7" and page.locator("#batch").input_value() == "16"
    assert "seed=7" in page.url and "batch=16" in page.url and "points=" in page.url
    # After another preset, the points also wait under "Your own points".
    page.click("#presets button[data-preset='xor']")
    page.select_option("#dataset", "custom")
    assert points.count() == 3 and note.is_hidden()
    # A click on a preset's data starts own points from those data; the kept ones come back by Undo.
    page.click("#presets button[data-preset='xor']")
    box = page.locator("#boundary").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.locator("#dataset").input_value() == "custom" and points.count() > 3
    assert "Undo brings back the XOR data and its settings, and your 3 earlier points" in note.inner_text()
    page.click("#undo")
    page.select_option("#dataset", "custom")
    assert points.count() == 3


def test_back_and_reload_after_a_preset_bring_the_own_points_back(open_page):
    """Issue 18: own points kept after a preset lived only in memory, so a reload lost them.
    The preset's link is a new history entry: Back (also after a reload) returns to the points."""
    with_points = PAGE + "?dataset=custom&points=0.1,0.2,0;-0.3,0.4,1;0.5,-0.5,1&seed=7"
    page = open_page(with_points)
    points = page.locator("#boundary-overlay .pt")
    page.click("#presets button[data-preset='xor']")
    assert page.locator("#dataset").input_value() == "xor" and "points=" not in page.url
    page.go_back()
    expect(page.locator("#dataset")).to_have_value("custom")
    assert points.count() == 3 and page.locator("#seed").input_value() == "7"
    page.go_forward()
    expect(page.locator("#dataset")).to_have_value("xor")
    # The points are still in memory, under "Your own points".
    page.select_option("#dataset", "custom")
    assert points.count() == 3
    # A reload forgets what is in memory; Back still has the points.
    page.click("#presets button[data-preset='circle']")
    page.reload()
    wait_until_ready(page)
    assert page.locator("#dataset").input_value() == "circle"
    page.go_back()
    wait_until_ready(page)
    expect(page.locator("#dataset")).to_have_value("custom")
    assert points.count() == 3 and "points=" in page.url
    # Choosing Regression drops the points from the link too (audit gap 5): Undo and Back bring them back.
    note = page.locator("#undo-note")
    page.select_option("#problem", "regression")
    expect(note).to_contain_text("Undo brings back your 3 points")
    assert page.locator("#dataset").input_value() == "plane" and "points=" not in page.url
    page.click("#undo")
    expect(page.locator("#problem")).to_have_value("classification")
    assert page.locator("#dataset").input_value() == "custom" and points.count() == 3 and "points=" in page.url
    page.select_option("#problem", "regression")
    page.go_back()
    expect(page.locator("#problem")).to_have_value("classification")
    assert page.locator("#dataset").input_value() == "custom" and points.count() == 3


WAIT_FOR_ACCURACY = """([share, seconds]) => new Promise(resolve => {
  const started = performance.now();
  document.getElementById("play").click();
  const check = () => {
    const now = performance.now();
    if (parseFloat(document.getElementById("train-accuracy").textContent) >= share) resolve(now - started);
    else if (now - started > 1000 * seconds) resolve(null);
    else requestAnimationFrame(check);
  };
  check();
})"""


def test_at_the_default_speed_the_boundary_forms_in_front_of_the_learner(open_page):
    # Issue 21: the default Circle reaches 95% training accuracy no sooner than 3 s after Play
    # and no later than 15 s; at Max it gets there far sooner.
    page = open_page(PAGE)
    assert page.locator("#speed").input_value() == "30"
    watched = page.evaluate(WAIT_FOR_ACCURACY, [95, 30]) / 1000
    page.click("#play")
    assert 3 <= watched <= 15, f"95% after {watched:.1f} s at the default speed"
    page = open_page(PAGE + "?speed=max")
    fastest = page.evaluate(WAIT_FOR_ACCURACY, [95, 30]) / 1000
    page.click("#play")
    assert fastest < watched / 3, (fastest, watched)


# Counts Play's frames and those that drew the picture (app/diagnostics.py FrameCounters) over
# `frames` frames; with pause, then clicks Play (pause) right after a frame that drew no picture.
COUNT_FRAMES = """([frames, pause]) => new Promise(resolve => {
  const canvas = document.getElementById("boundary-canvas");
  const read = () => [Number(canvas.dataset.frames), Number(canvas.dataset.pictures)];
  const start = read();
  let last = start;
  const observer = new MutationObserver(() => {
    const now = read();
    if (now[0] - start[0] >= frames && (!pause || (now[0] > last[0] && now[1] === last[1]))) {
      observer.disconnect();
      if (pause) document.getElementById("play").click();
      resolve({frames: now[0] - start[0], pictures: now[1] - start[1]});
    }
    last = now;
  });
  observer.observe(canvas, {attributes: true});
})"""


def test_the_speed_is_in_the_link_and_slows_a_running_training(open_page):
    page = open_page(PAGE + "?speed=max")
    page.click("#play")
    expect(page.locator("#epoch")).not_to_have_text("0")
    # At Max the picture is drawn every other frame (the epoch counter in every one); pausing
    # after a frame without it draws it, so the curve ends at the epoch shown.
    counted = page.evaluate(COUNT_FRAMES, [20, True])
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")
    assert abs(counted["pictures"] - counted["frames"] / 2) <= 1, counted
    shown = page.locator("#loss-curve svg").get_attribute("aria-label")
    assert shown.startswith(f"Loss curve up to epoch {epoch(page)}: "), (shown, epoch(page))
    page.click("#play")
    page.select_option("#speed", "1")          # keyboard-operable: a plain <select>
    assert "speed=1" in page.url
    page.evaluate(FRAMES, 5)
    before = epoch(page)
    counted = page.evaluate(COUNT_FRAMES, [20, False])    # a paced speed draws the picture in every frame
    assert counted["pictures"] == counted["frames"], counted
    page.wait_for_timeout(2000)
    after = epoch(page)
    page.click("#play")
    assert 1 <= after - before <= 3, (before, after)


def test_log_epochs_is_a_view_setting_in_the_link(open_page):
    page = open_page(PAGE + "?speed=max")
    train_past(page, 200)
    page.check("#log-epochs")
    assert "log_epochs=1" in page.url
    labels = page.locator("#loss-curve text").all_text_contents()
    assert "10" in labels and "100" in labels, labels       # powers of ten along the epochs
    assert epoch(page) > 200                                 # a view setting: training was not reset


def menus_cut_off(page):
    """Each visible menu of the playground with the entries that would not fit it if chosen, as
    "id: entry": every entry, not only the chosen one ("Momentum (β = 0.9)" was cut when chosen)."""
    return page.locator(".playground").evaluate("""playground => {
        const cut = [];
        for (const s of playground.querySelectorAll("select")) {
            const box = s.getBoundingClientRect();
            if (box.width < 1 || box.height < 1) continue;
            const style = getComputedStyle(s);
            const frame = ["paddingLeft", "paddingRight", "borderLeftWidth", "borderRightWidth"]
                .reduce((sum, side) => sum + parseFloat(style[side]), 0);
            const probe = document.createElement("span");
            probe.style.font = style.font;
            probe.style.position = "absolute";
            probe.style.whiteSpace = "pre";
            document.body.append(probe);
            for (const option of s.options) {
                probe.textContent = option.text;
                const needed = probe.getBoundingClientRect().width;
                if (needed + frame + 20 > box.width) cut.push(`${s.id}: ${option.text}`);   // text, padding, the arrow
            }
            probe.remove();
        }
        return cut;
    }""")


def labels_cut_off(page):
    """The playground's visible labels (of fields, checkboxes, numbers and legends) whose text runs
    out of the field, row or panel that holds it."""
    return page.locator(".playground").evaluate("""playground => {
        const cut = [];
        for (const el of playground.querySelectorAll("label, dt, legend, .legend > span")) {
            const box = el.getBoundingClientRect();
            if (box.width < 1 || box.height < 1) continue;
            const text = document.createRange();
            text.selectNodeContents(el);
            const shown = text.getBoundingClientRect();
            const room = (el.parentElement.closest(".field, .pg-checks, .pg-numbers > div, .pg-panel, .pg-toolbar")
                || playground).getBoundingClientRect();
            if (shown.left < room.left - 1 || shown.right > room.right + 1) cut.push(el.textContent.trim());
        }
        return cut;
    }""")
