"""Backprop on one point in the playground, as a learner uses it: pause, click a point, read its
pass and its weights' gradients, open it in lesson 2; add a point of one's own beside the others,
and Undo that."""
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
from playwright.sync_api import expect

from app import playground_draw as draw
from app import playground_model as model
from tests.e2e.conftest import needs_numpy, save_screenshot, wait_until_ready
from tests.e2e.test_playground import PAGE, click_step

pytestmark = [pytest.mark.e2e, needs_numpy]

QUERY = "?dataset=xor&layers=2&activation=tanh"
# What lesson 2's own link leaves out when it is the lesson's default.
LESSON_TWO_DEFAULTS = ("units", "hidden", "output", "loss", "y")


def test_clicking_a_point_shows_its_pass_and_opens_it_in_lesson_two(open_page):
    page = open_page(PAGE + QUERY)
    click_step(page, 3)
    # The same run in CPython: the point's own gradients, which the page must show.
    settings = model.settings_from_link(model.STATE.from_query(QUERY)[0], QUERY)
    data, net = model.make_data(settings), model.make_network(settings)
    model.make_trainer(net, data, settings).run(3)
    point = model.point_trace(net, data, settings, "training", 5)
    # Trained, a plain click on a point (the box not ticked) inspects it; it adds no point.
    mark = page.locator("#boundary-overlay .pt.train").nth(5)
    mark.click()
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
