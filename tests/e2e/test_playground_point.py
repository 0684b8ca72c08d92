"""Backprop on one point in the playground, as a learner uses it: pause, click a point (or choose
it with the keys), read its pass and its weights' gradients, open it in lesson 2 (a new tab); export
the epoch scrubbed back to; add a point of one's own beside the others, and Undo that."""
import json
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import numpy as np
import pytest
from playwright.sync_api import expect

from app import playground_draw as draw
from app import playground_model as model
from tests.e2e.conftest import needs_numpy, save_screenshot, wait_until_ready
from tests.e2e.test_playground import PAGE

pytestmark = [pytest.mark.e2e, needs_numpy]

QUERY = "?dataset=xor&layers=2&activation=tanh"
# What lesson 2's own link leaves out when it is the lesson's default.
LESSON_TWO_DEFAULTS = ("units", "hidden", "output", "loss", "y")


def test_clicking_a_point_shows_its_pass_and_opens_it_in_lesson_two(open_page):
    page = open_page(PAGE + QUERY)
    settings = model.settings_from_link(model.STATE.from_query(QUERY)[0], QUERY)
    data = model.make_data(settings)
    keyed = check_choosing_points_with_the_keys(page, data, settings)
    # The same run in CPython: the point's own gradients, which the page must show.
    net = model.make_network(settings)
    model.make_trainer(net, data, settings).run(3)
    point = model.point_trace(net, data, settings, "training", 5)
    # Trained, a plain click on a point (the box not ticked) inspects it; it adds no point.
    mark = page.locator("#boundary-overlay .pt.train").nth(5)
    mark.click()
    # The keys showed this point's pass with the same numbers.
    assert (page.locator("#point-heading").inner_text(), page.locator("#point-rows").inner_text()) == keyed
    expect(page.locator("#inspect-point")).to_be_checked()
    expect(page.locator("#dataset")).to_have_value("xor")
    expect(page.locator("#epoch")).to_have_text("3")
    panel = page.locator("#point-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#point-heading")).to_contain_text("Backprop on one training point")
    expect(page.locator("#point-rows tr")).to_have_count(2 + 2 + 1)      # inputs, hidden units, output
    expect(page.locator("#boundary-overlay .pt-marked")).to_have_count(1)
    expect(page.locator("#diagram-links svg")).to_have_attribute(
        "aria-label", "Links of the network, coloured by the sign of one point's weight gradients")
    loss = page.locator("#point-heading").inner_text().rsplit("its loss is ", 1)[1]
    # Its weights' gradients: into the output at first, and the link read-out gives the point's
    # own grad w (x₁ → unit 2: 0.2183, where the training set's is 0.006673), with the panel's line
    # following the link to its unit.
    layout = draw.DiagramLayout((2, 2, 1), inputs=("x₁", "x₂"))
    expect(page.locator("#point-weights")).to_have_text(draw.point_weights(layout, point, 2, 0))
    page.locator("#diagram").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    gradient = draw.text.plain(float(point.trace.weight_grads[0][0, 1]))
    expect(page.locator("#link-readout")).to_contain_text(
        f"from input x₁ to unit 2 of hidden layer 1: {draw.text.plain(float(net.params[0][0, 1]))}; "
        f"this point's gradient: grad w = {gradient}")
    expect(page.locator("#point-weights")).to_have_text(draw.point_weights(layout, point, 1, 1))
    save_screenshot(page, "playground-point")
    check_lesson_two_opens_in_a_new_tab(page, model.lesson_two_query(point, net, settings), loss)
    # Scrubbed back to epoch 0, the pass is the point's there (drawn in the frames after the
    # scrub), and the links still show its gradients.
    scrub = page.locator("#scrub")
    scrub.focus()
    scrub.press("Home")
    expect(page.locator("#epoch")).to_have_text("0")
    expect(page.locator("#point-heading")).not_to_contain_text(f"its loss is {loss}")
    expect(page.locator("#diagram-links svg")).to_have_attribute(
        "aria-label", "Links of the network, coloured by the sign of one point's weight gradients")
    check_exporting_the_epoch_shown(page, data, settings)
    check_adding_a_point_and_undo(page, data, settings)


def check_lesson_two_opens_in_a_new_tab(page, expected_query, loss):
    """"Open this point in lesson 2 ↗" opens lesson 2 in a new tab, on the point and the weights of
    the link (CPython's run gives the same numbers), and leaves the trained run where it was: in
    the same tab, Back came back to epoch 0."""
    link = page.locator("#point-lesson-two")
    href = link.get_attribute("href")
    playground_url = page.url
    with page.context.expect_page() as opened:
        link.click()
    lesson = opened.value
    try:
        wait_until_ready(lesson)
        # The new tab opened the link (lesson 2 then writes its own link, numbers to 6 digits).
        opened_url = lesson.evaluate("performance.getEntriesByType('navigation')[0].name")
        assert opened_url == urljoin(playground_url, href)
        assert urlparse(lesson.url).path.endswith("/pages/step-through.html")
        # The link holds CPython's point and weights, and lesson 2 took each of them.
        expected = parse_qs(expected_query[1:])
        for url, rel, may_leave_out in ((opened_url, 1e-9, ()), (lesson.url, 1e-5, LESSON_TWO_DEFAULTS)):
            shown = parse_qs(urlparse(url).query)
            for key, (value,) in expected.items():
                if key in may_leave_out and key not in shown:
                    continue
                if key in ("units", "hidden", "output", "loss"):
                    assert shown[key] == [value], (url, key)
                else:        # the point's standardized inputs, its class and every weight and bias
                    assert float(shown[key][0]) == pytest.approx(float(value), rel=rel, abs=1e-12), (url, key)
        expect(lesson.locator("#url-notes")).to_be_hidden()             # every value within lesson 2's ranges
        lesson.keyboard.press("End")
        expect(lesson.locator("#live-loss")).not_to_have_text("")
        lesson_two_loss = float(lesson.locator("#live-loss").inner_text())
        assert lesson_two_loss == pytest.approx(float(loss), abs=6e-4)   # the same point, the same loss
    finally:
        lesson.close()
    # The playground's tab still shows its trained run and the point.
    assert page.url == playground_url
    expect(page.locator("#epoch")).to_have_text("3")
    expect(page.locator("#point-panel")).to_be_visible()


def check_adding_a_point_and_undo(page, data, settings):
    """Unticked, a click between the points adds one of the learner's own: the run there ends
    (the note says at which epoch) and Undo brings back the exact link."""
    link = page.url
    page.locator("#inspect-point").uncheck()
    expect(page.locator("#point-panel")).to_be_hidden()
    reach = model.point_reach(data)
    spot = next((x, y) for x in (0.0, 0.3, -0.3, 0.6, -0.6) for y in (0.05, 0.35, -0.35, 0.65, -0.65)
                if model.nearest_point(data, (x, y), reach) is None)
    axes = draw.boundary_axes(data.view)
    box = page.locator("#boundary").bounding_box()
    page.mouse.click(box["x"] + box["width"] * axes.x(spot[0]) / draw.BOUNDARY_WIDTH,
                     box["y"] + box["height"] * axes.y(spot[1]) / draw.BOUNDARY_HEIGHT)
    expect(page.locator("#dataset")).to_have_value("custom")
    expect(page.locator("#undo-text")).to_have_text(model.own_points_note("XOR", settings, epoch=3))
    expect(page.locator("#epoch")).to_have_text("0")
    save_screenshot(page, "playground-point-added-undo")
    page.click("#undo")
    expect(page.locator("#dataset")).to_have_value("xor")
    assert page.url == link


def focus_the_picture(page):
    """Reach the output picture with the keyboard: it comes just before "Backprop on one point"."""
    page.locator("#inspect-point").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "boundary"


def check_choosing_points_with_the_keys(page, data, settings):
    """Keyboard only: before training the keys say why they show nothing (as a click would add a
    point then); after three Steps (Enter on Step), Enter shows the point nearest the middle, Home and
    Page Down the sixth training point, an arrow the nearest one that way, each marked and said with
    its coordinates and class; Escape closes the panel and gives the picture the keyboard again.
    Returns the sixth point's heading and table, for the click to match."""
    status, panel = page.locator("#point-status"), page.locator("#point-panel")
    focus_the_picture(page)
    expect(status).to_have_text(model.POINT_KEYS_HINT)
    expect(status).to_be_visible()                  # the caption over the picture while it has the keyboard
    page.keyboard.press("Enter")
    expect(status).to_have_text(model.point_keys_note(data, regression=False))
    expect(panel).to_be_hidden()
    expect(page.locator("#dataset")).to_have_value("xor")                 # no point added
    page.locator("#step").focus()
    for epoch in (1, 2, 3):
        page.keyboard.press("Enter")
        expect(page.locator("#epoch")).to_have_text(str(epoch))
        # While the epoch is finished and drawn the keyboard is on Stop; then back on Step.
        expect(page.locator("#step")).to_be_focused()
    focus_the_picture(page)
    net = model.make_network(settings)
    model.make_trainer(net, data, settings).run(3)

    def said(point, key="", stayed=False):
        trace = model.point_trace(net, data, settings, *point)
        return model.point_announcement(data, trace, point[1], False, key, stayed)

    middle = model.key_target(data, True, None, None, "Enter")
    page.keyboard.press("Enter")
    expect(status).to_have_text(said(middle))
    expect(panel).to_be_visible()
    expect(page.locator("#inspect-point")).to_be_checked()
    expect(page.locator("#point-heading")).to_have_text(draw.point_heading(model.point_trace(net, data, settings,
                                                                                              *middle), False))
    page.keyboard.press("Home")
    for _ in range(5):
        page.keyboard.press("PageDown")
    sixth = ("training", 5)
    expect(status).to_have_text(said(sixth))
    assert said(sixth).startswith("Training point 6 of ")
    expect(page.locator("#point-heading")).to_have_text(draw.point_heading(model.point_trace(net, data, settings,
                                                                                              *sixth), False))
    keyed = (page.locator("#point-heading").inner_text(), page.locator("#point-rows").inner_text())
    ring = page.locator("#boundary-overlay .pt-marked")
    expect(ring).to_have_count(1)
    axes = draw.boundary_axes(data.view)
    x1, x2 = data.X_train[5]
    assert float(ring.get_attribute("cx")) == pytest.approx(axes.x(x1), abs=0.06)
    assert float(ring.get_attribute("cy")) == pytest.approx(axes.y(x2), abs=0.06)
    save_screenshot(page, "playground-point-keys")
    right = model.key_target(data, True, sixth, None, "ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(status).to_have_text(said(right, "ArrowRight", stayed=right == sixth))
    expect(ring).to_have_count(1)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(ring).to_have_count(0)
    expect(page.locator("#inspect-point")).not_to_be_checked()
    expect(status).to_have_text(model.point_keys_stopped_note(data, right))
    # Escape inside the panel closes it too and gives the keyboard back to the picture.
    page.keyboard.press("Enter")
    expect(status).to_have_text(said(right))
    page.locator("#point-lesson-two").focus()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "boundary"
    assert page.locator("#epoch").inner_text() == "3"                   # the keys trained nothing
    return keyed


def check_exporting_the_epoch_shown(page, data, settings):
    """Scrubbed back to epoch 1 of 3, Export writes epoch 1: the JSON's network is the one whose
    losses the page shows, its snippet trains to it, and the note says which epoch it is."""
    scrub = page.locator("#scrub")
    scrub.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#epoch")).to_have_text("1")
    page.click(".pg-export summary")
    page.click("#export")
    note = model.export_note(model.Export(None, 1, 3, {}, None))
    expect(page.locator("#export-note")).to_have_text(note)
    expect(page.locator("#epoch")).to_have_text("1")                    # still the epoch shown
    net, scaler, document = model.load_export(page.locator("#export-json").input_value())
    assert document["epoch"] == 1
    once = model.make_network(settings)
    model.make_trainer(once, data, settings).run(1)
    for exported, trained in zip(net.params, once.params, strict=True):
        np.testing.assert_allclose(exported, trained, rtol=1e-9, atol=1e-12)
    loss = model.evaluate(net, scaler.transform(np.array(document["train"])[:, :2]), data.y_train)[0]
    assert draw.text.loss_text(loss) == page.locator("#train-loss").inner_text()
    namespace = {}
    exec(page.locator("#export-python").input_value(), namespace)
    for replayed, exported in zip(namespace["net"].params, net.params, strict=True):
        np.testing.assert_allclose(replayed, exported, rtol=1e-9, atol=1e-12)
    with page.expect_download() as download:
        page.click("#download-notebook")
    assert download.value.suggested_filename == "playground-epoch-1.ipynb"
    cells = json.loads(Path(download.value.path()).read_text())["cells"]
    assert "(1 epoch, the epoch the page showed; the run went on to epoch 3)" in "".join(cells[0]["source"])
    page.click(".pg-export summary")
