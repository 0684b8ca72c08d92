"""Backprop on one point in the playground, as a learner uses it: click a point, read its pass,
open it in lesson 2."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import needs_numpy, save_screenshot
from tests.e2e.test_playground import PAGE, click_step

pytestmark = [pytest.mark.e2e, needs_numpy]


def test_clicking_a_point_shows_its_pass_and_opens_it_in_lesson_two(open_page, base_url):
    page = open_page(PAGE + "?dataset=xor&layers=2&activation=tanh")
    click_step(page, 3)
    page.locator("#inspect-point").check()
    mark = page.locator("#boundary-overlay .pt.train").nth(5)
    mark.click()
    panel = page.locator("#point-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#point-heading")).to_contain_text("Backprop on one training point")
    expect(page.locator("#point-rows tr")).to_have_count(2 + 2 + 1)      # inputs, hidden units, output
    expect(page.locator("#boundary-overlay .pt-marked")).to_have_count(1)
    expect(page.locator("#diagram-links svg")).to_have_attribute(
        "aria-label", "Links of the network, coloured by the sign of one point's weight gradients")
    loss = page.locator("#point-heading").inner_text().rsplit("its loss is ", 1)[1]
    save_screenshot(page, "playground-point")
    href = page.locator("#point-lesson-two").get_attribute("href")
    # Scrubbed back to epoch 0, the pass is the point's there (drawn in the frames after the
    # scrub), and the links still show its gradients.
    scrub = page.locator("#scrub")
    scrub.focus()
    scrub.press("Home")
    expect(page.locator("#epoch")).to_have_text("0")
    expect(page.locator("#point-heading")).not_to_contain_text(f"its loss is {loss}")
    expect(page.locator("#diagram-links svg")).to_have_attribute(
        "aria-label", "Links of the network, coloured by the sign of one point's weight gradients")
    page.goto(base_url + "pages/" + href)
    page.wait_for_selector("html[data-status=ready]")
    expect(page.locator("#url-notes")).to_be_hidden()                  # every value within lesson 2's ranges
    page.keyboard.press("End")
    expect(page.locator("#live-loss")).not_to_have_text("")
    lesson_two_loss = float(page.locator("#live-loss").inner_text())
    assert lesson_two_loss == pytest.approx(float(loss), abs=6e-4)    # the same point, the same loss
