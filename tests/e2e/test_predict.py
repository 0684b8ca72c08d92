"""Predict, then reveal (issue 25): the page asks before it shows, checks the answer against
the engine's numbers for the state on screen, and says why."""
import pytest
from playwright.sync_api import expect

from app import gradients_model
from tests.e2e.conftest import needs_numpy, save_screenshot

pytestmark = [pytest.mark.e2e, needs_numpy]


def tally(page):
    """(right, made) as the page's tally reads; a browser that kept earlier predictions counts on."""
    text = page.locator("#predict-tally").inner_text()
    if text.startswith("No predictions"):
        return 0, 0
    right, _, made = text.split(" predictions")[0].partition(" of ")
    return int(right), int(made)


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
    before = tally(page)
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
    assert tally(page) == (before[0], before[1] + 1)
    save_screenshot(page, "predict-gradients")
    # A new setting asks again; the right answer is counted
    page.locator("#depth").focus()
    page.keyboard.press("ArrowLeft")                               # 7 hidden layers
    expect(page.locator("#sides")).to_be_hidden()
    expect(page.locator("#predict-verdict")).to_have_text("")
    page.locator("#predict-choice").select_option(expected_smallest_layer("depth=7&act=sigmoid&predict=1"))
    page.locator("#predict-reveal").click()
    expect(page.locator("#predict-verdict")).to_contain_text("Right:")
    assert tally(page) == (before[0] + 1, before[1] + 2)
    # Off: the bars at once, no question
    page.locator("#predict-toggle").uncheck()
    expect(panel).to_be_hidden()
    expect(page.locator("#sides")).to_be_visible()
    assert "predict" not in page.url


def test_step_through_asks_the_sign_before_each_gradient_and_explains_it(open_page):
    from app import step_through_model
    network = step_through_model.Network(step_through_model.STATE.defaults())
    steps = step_through_model.lesson_steps(network)
    index = next(i for i, s in enumerate(steps) if s.phase == "backward" and s.node == "h1")
    page = open_page(f"pages/step-through.html?predict=1&step={index + 1}")
    expect(page.locator("#predict-prompt")).to_have_text("Will grad h₁ be positive, negative or zero?")
    expect(page.locator("#step-result")).to_be_hidden()                 # no number before the answer
    expect(page.locator("#step-local-label")).to_have_text("∂z₃/∂h₁")  # the factors to reason from
    before = tally(page)
    page.get_by_role("button", name="positive").focus()
    page.keyboard.press("Enter")
    verdict = page.locator("#predict-verdict")
    expect(verdict).to_contain_text("Not quite: you said positive, it is negative.")
    expect(verdict).to_contain_text("grad z₃ is negative and ∂z₃/∂h₁ is positive")
    expect(verdict).to_be_focused()
    expect(page.locator("#step-result")).to_have_text(steps[index].result_text)
    expect(page.locator("#predict-choices button")).to_have_count(0)
    assert tally(page) == (before[0], before[1] + 1)
    # Play stops at the next question; answering it right counts
    page.locator("#play").click()
    expect(page.locator("#step-counter")).to_contain_text(f"Step {index + 2} /")
    expect(page.locator("#play")).to_have_text("▶ Play")
    question = step_through_model.step_question(network, steps[index + 1])
    page.locator(f'#predict-choices button[data-answer="{question.answer}"]').click()
    expect(verdict).to_contain_text("Right:")
    assert tally(page) == (before[0] + 1, before[1] + 2)
    save_screenshot(page, "predict-step-through")


def test_playground_asks_how_the_loss_will_behave_before_play_and_the_run_answers(open_page):
    from app import playground_model
    from tests.app.test_playground_predict import losses_of
    query = "dataset=xor&lr=0.3&speed=max&predict=1"
    settings = playground_model.STATE.from_query(query)[0]
    answer = playground_model.loss_behaviour(losses_of(settings))[0]
    assert answer == "converge"
    page = open_page("pages/playground.html?" + query)
    page.locator("#play").click()
    expect(page.locator("#predict-prompt")).to_have_text(
        "With η = 0.3, will the training loss converge, oscillate or diverge over the first 100 epochs?")
    expect(page.locator("#epoch")).to_have_text("0")                    # nothing runs before the answer
    expect(page.get_by_role("button", name="converge")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")                                        # "diverge"
    verdict = page.locator("#predict-verdict")
    expect(verdict).to_contain_text("Not quite: you said diverge, it is converge.", timeout=60_000)
    expect(verdict).to_contain_text("small enough to go downhill")
    expect(page.locator("#predict-tally")).to_contain_text("predictions right")
    save_screenshot(page, "predict-playground")
    page.locator("#reset").click()                                      # a new run asks again
    expect(page.locator("#predict-panel")).to_be_hidden()
