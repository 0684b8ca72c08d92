"""Predict, then reveal (issue 25): the page asks before it shows, checks the answer against
the engine's numbers for the state on screen, and says why."""
import pytest
from playwright.sync_api import expect

from app import gradients_model
from tests.e2e.conftest import needs_numpy, save_screenshot

pytestmark = [pytest.mark.e2e, needs_numpy]


def expected_smallest_layer(query):
    state = gradients_model.STATE.from_query(query)[0]
    X, y = gradients_model.make_data(state)
    run = gradients_model.Run(state, state["act"], X, y)
    run.remeasure()
    return gradients_model.smallest_layer_question(run.measurement).answer


def test_gradients_asks_which_layer_is_smallest_before_drawing_the_bars(open_page):
    query = "depth=8&act=sigmoid&predict=1"
    page = open_page("pages/gradients.html?" + query)
    panel = page.locator("#predict-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#predict-prompt")).to_contain_text("Which layer will have the smallest gradient")
    expect(page.locator("#sides")).to_be_hidden()                  # no bars before the answer
    answer = expected_smallest_layer(query)
    assert answer == "1"
    wrong = "9"
    page.locator("#predict-choice").focus()                        # keyboard only
    page.keyboard.press("End")
    assert page.locator("#predict-choice").input_value() == wrong
    page.keyboard.press("Tab")
    expect(page.locator("#predict-reveal")).to_be_focused()
    page.keyboard.press("Enter")
    verdict = page.locator("#predict-verdict")
    expect(verdict).to_contain_text("Not quite: you said layer 9 (output), it is layer 1")
    expect(verdict).to_contain_text("shrinks on its way to the input")
    expect(page.locator("#sides")).to_be_visible()
    expect(page.locator("#predict-tally")).to_have_text("0 of 1 predictions right.")
    save_screenshot(page, "predict-gradients")
    # A new setting asks again; the right answer is counted
    page.locator("#depth").focus()
    page.keyboard.press("ArrowLeft")                               # 7 hidden layers
    expect(page.locator("#sides")).to_be_hidden()
    expect(page.locator("#predict-verdict")).to_have_text("")
    page.locator("#predict-choice").select_option(expected_smallest_layer("depth=7&act=sigmoid&predict=1"))
    page.locator("#predict-reveal").click()
    expect(page.locator("#predict-verdict")).to_contain_text("Right:")
    expect(page.locator("#predict-tally")).to_have_text("1 of 2 predictions right.")
    # Off: the bars at once, no question
    page.locator("#predict-toggle").uncheck()
    expect(panel).to_be_hidden()
    expect(page.locator("#sides")).to_be_visible()
    assert "predict" not in page.url
