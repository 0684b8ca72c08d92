"""Predict, then reveal (issue 25): the page asks before it shows, checks the answer against
the engine's numbers for the state on screen, and says why."""
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from app import chain_rule_model, gradients_model, step_through_model
from engine.text import fixed
from tests.e2e.conftest import SCREENSHOTS, needs_numpy, save_screenshot, wait_until_ready
from tests.e2e.test_embed_fit import assert_fits

pytestmark = [pytest.mark.e2e, needs_numpy]


def tally(page, selector="#predict-tally"):
    """(right, made) as the page's tally reads; a browser that kept earlier predictions counts on."""
    text = page.locator(selector).inner_text()
    if text.startswith("No predictions"):
        return 0, 0
    right, _, made = text.split(" predictions")[0].partition(" of ")
    return int(right), int(made)


def expected_answers(query):
    """The answer keys of lesson 3's two questions, from the page model in CPython."""
    state = gradients_model.STATE.from_query(query)[0]
    X, y = gradients_model.make_data(state)
    run = gradients_model.Run(state, state["act"], X, y)
    run.remeasure()
    return tuple(question.answer for question in gradients_model.questions(run.measurement))


def test_gradients_asks_two_questions_before_drawing_the_bars(open_page):
    query = "depth=8&act=sigmoid&predict=1"
    page = open_page("pages/gradients.html?" + query)
    panel = page.locator("#predict-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#predict-prompt")).to_contain_text("Which layer will have the smallest gradient")
    expect(page.locator("#sides")).to_be_hidden()                  # no bars before the answers
    smallest, trains = expected_answers(query)
    assert (smallest, trains) == ("1", "no")
    before = tally(page)
    page.get_by_role("button", name="layer 9 (output)").focus()    # keyboard only from here
    page.keyboard.press("Enter")
    verdict = page.locator("#predict-verdict")
    expect(verdict).to_contain_text("Not quite: you said layer 9 (output), it is layer 1")
    expect(verdict).to_contain_text("shrinks on its way to the input")
    # The second question, "will this train?", takes the keys; the bars still wait
    expect(page.locator("#predict-prompt")).to_have_text("Will this network train: will every layer's weights learn?")
    expect(page.get_by_role("button", name="yes, every layer learns")).to_be_focused()
    expect(page.locator("#sides")).to_be_hidden()
    # the first verdict is read above the open question, not under its buttons
    prompt_box, verdict_box = page.locator("#predict-prompt").bounding_box(), verdict.bounding_box()
    assert verdict_box["y"] + verdict_box["height"] <= prompt_box["y"] + 1
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")                                   # "no, …": right
    expect(verdict).to_contain_text("Right: you said no, some layers barely learn or it blows up")
    expect(verdict).to_contain_text("Layers 1, 2 and 3 are critical (vanishing)")
    expect(verdict).to_contain_text("Smallest gradient: Not quite: you said layer 9 (output), it is layer 1")
    expect(verdict).to_contain_text("Will it train: Right")        # each verdict under its question's name
    expect(page.locator("#predict-prompt")).to_have_text(
        "Your predictions for this setting, checked against the bars below:")
    expect(verdict).to_be_focused()
    expect(page.locator("#sides")).to_be_visible()
    # the page's own judgement, on screen now, agrees with the answer key
    expect(page.locator("#side-0-summary")).to_contain_text("3 critical")
    assert tally(page) == (before[0] + 1, before[1] + 2)
    save_screenshot(page, "predict-gradients")
    # A new setting asks again: the smallest layer right, "will this train?" wrong
    page.locator("#depth").focus()
    page.keyboard.press("ArrowLeft")                               # 7 hidden layers
    expect(page.locator("#sides")).to_be_hidden()
    expect(verdict).to_have_text("")
    smallest, trains = expected_answers("depth=7&act=sigmoid&predict=1")
    page.locator(f'#predict-choices button[data-answer="{smallest}"]').click()
    expect(verdict).to_contain_text("Right:")
    wrong = "yes" if trains != "yes" else "no"
    page.locator(f'#predict-choices button[data-answer="{wrong}"]').click()
    expect(verdict).to_contain_text("Not quite: you said")
    assert tally(page) == (before[0] + 2, before[1] + 4)
    # Off: the bars at once, no question
    page.locator("#predict-toggle").uncheck()
    expect(panel).to_be_hidden()
    expect(page.locator("#sides")).to_be_visible()
    assert "predict" not in page.url


def asks_the_sign_before_each_gradient_and_explains_it(page, network, steps, index):
    """Lesson 2 at grad h₁'s step (`index`) with predict mode on: a wrong answer by the keyboard,
    explained from its two factors; Play stops at the next question."""
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


def test_step_through_asks_on_a_first_pass_until_the_lesson_is_finished(browser, base_url):
    """A learner's first pass through lesson 2 (a fresh browser profile: no progress marks) has
    predict mode on, and the page says so and how to turn it off; once the lesson is marked
    completed it opens with predict mode off; a link's predict= wins either way, and its
    questions are answered and explained."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    elsewhere = []
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1"
                  else (elsewhere.append(route.request.url), route.abort()))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    lesson = base_url + "pages/step-through.html"
    try:
        page.goto(lesson)
        wait_until_ready(page)
        note = page.locator("#predict-note")
        expect(page.locator("#predict-toggle")).to_be_checked()
        expect(note).to_have_text(step_through_model.FIRST_PASS_NOTE)
        page.locator("h1").click()
        page.keyboard.press("End")                                  # the update asks which way w₃₁ moves
        expect(page.locator("#predict-prompt")).to_have_text("Which way will w₃₁ move in the update?")
        save_screenshot(page, "predict-first-pass-step-through-1280")
        page.set_viewport_size({"width": 360, "height": 800})
        save_screenshot(page, "predict-first-pass-step-through-360")
        page.set_viewport_size({"width": 1280, "height": 900})
        assert "predict" not in page.url                            # on by default: not in the link
        page.locator("#predict-toggle").uncheck()                   # off: the link says so, for a reload
        expect(note).to_be_hidden()
        expect(page.locator("#predict-box")).to_be_hidden()
        assert "predict=0" in page.url
        # Finished: the header's link (no predict=) opens it with predict mode off
        page.get_by_role("button", name="Mark this page completed").click()
        page.goto(lesson)
        wait_until_ready(page)
        expect(page.locator("#predict-toggle")).not_to_be_checked()
        expect(note).to_be_hidden()
        # A link that says predict=1 wins, and keeps saying it
        network = step_through_model.Network(step_through_model.STATE.defaults())
        steps = step_through_model.lesson_steps(network)
        index = next(i for i, s in enumerate(steps) if s.phase == "backward" and s.node == "h1")
        page.goto(lesson + f"?predict=1&step={index + 1}")
        wait_until_ready(page)
        expect(page.locator("#predict-toggle")).to_be_checked()
        expect(note).to_be_hidden()
        assert "predict=1" in page.url
        asks_the_sign_before_each_gradient_and_explains_it(page, network, steps, index)
    finally:
        context.close()
    assert errors == [] and elsewhere == []


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
    tally = page.locator("#predict-tally")
    expect(tally).to_contain_text("predictions right")
    counted, said = tally.inner_text(), verdict.inner_text()
    save_screenshot(page, "predict-playground")
    # Replay is the same run, bit for bit: the prediction and its verdict stay, counted once.
    # (Still playing: Replay is offered once the run has an epoch; it stayed disabled until a pause.)
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "true")
    page.locator("#replay").click()
    expect(page.locator("#replay-note")).to_contain_text("Replayed to epoch", timeout=60_000)
    expect(page.locator("#predict-panel")).to_be_visible()
    expect(verdict).to_have_text(said)
    expect(tally).to_have_text(counted)
    # Back to epoch 0 and on from there: the epochs the verdict read are trained again, so the
    # run answers again, and the prediction is not counted twice.
    scrub = page.locator("#scrub")
    scrub.focus()
    scrub.press("Home")
    expect(verdict).to_have_text(said)                                  # viewing changes nothing
    page.locator("#step").click()
    expect(page.locator("#epoch")).to_have_text("1")
    expect(verdict).to_have_text("You said: diverge. Watch the loss curve: the first 100 epochs answer.")
    page.locator("#play").click()
    # (the losses it quotes are the curve's samples, one a frame: not always the same epochs)
    expect(verdict).to_contain_text("Not quite: you said diverge, it is converge.", timeout=60_000)
    expect(tally).to_have_text(counted)
    page.locator("#reset").click()                                      # a new run asks again
    expect(page.locator("#predict-panel")).to_be_hidden()


def test_chain_rule_asks_df_dx_and_each_gradient_before_showing_them(open_page):
    """Lesson 1, keyboard only: panel 3's df/dx from its three factors, panel 4's gradients by
    value and by sign; the animation stops at a question."""
    page = open_page("pages/chain-rule.html?predict=1&p4ask=value")
    # Panel 3: the product and its check wait; a wrong value, then (new x) a right one
    expect(page.locator("#p3-predict-prompt")).to_have_text("What will df/dx be? (within ±0.01)")
    expect(page.locator("#p3-product")).to_have_text("?")
    expect(page.locator("#p3-fd")).to_have_text("?")
    before = tally(page, "#p3-predict-tally")
    page.locator("#p3-predict-number").focus()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    verdict = page.locator("#p3-predict-verdict")
    expect(verdict).to_contain_text("Not quite: you said 5, it is 1.009. df/dx = dh/dx · dg/du · df/dv = "
                                    "1.4 · 0.7937 · 0.9084 = 1.009:")
    expect(verdict).to_be_focused()
    expect(page.locator("#p3-product")).to_have_text(fixed(chain_rule_model.lockstep(0.7).product))
    page.locator("#p3-x").focus()
    page.keyboard.press("ArrowRight")                                  # x = 0.71: asked again
    expect(page.locator("#p3-product")).to_have_text("?")
    expect(verdict).to_have_text("")
    page.locator("#p3-predict-number").focus()
    page.keyboard.type("abc")
    page.keyboard.press("Enter")                                       # refused at the field, still open
    expect(page.locator("#p3-predict-error")).to_contain_text("is not a number; the question is still open")
    expect(page.locator("#p3-predict-number")).to_have_attribute("aria-invalid", "true")
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{chain_rule_model.lockstep(0.71).product:.3f}")
    page.keyboard.press("Enter")
    expect(verdict).to_contain_text("Right: you said")
    assert tally(page, "#p3-predict-tally") == (before[0] + 1, before[1] + 2)
    page.locator("#panel-3").screenshot(path=str(SCREENSHOTS / "predict-chain-rule-panel-3.png"))
    # Panel 4, by value: the step's factors shown, its result not
    page.locator("#p4-next").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#p4-predict-prompt")).to_have_text("What will grad d be? (within ±0.0076)")
    expect(page.locator("#p4-step-text")).to_have_text(
        "Multiply the upstream gradient by the local derivative: your prediction first.")
    expect(page.locator("#p4-graph")).not_to_contain_text("grad d =")
    expect(page.locator("#p4-graph")).to_contain_text("∂L/∂d = −0.7551")          # the factors to reason from
    expect(page.locator("#p4-graph")).to_contain_text("grad L = 1")
    page.locator("#p4-predict-number").focus()
    page.keyboard.type("0.7551")
    page.keyboard.press("Enter")
    verdict = page.locator("#p4-predict-verdict")
    expect(verdict).to_contain_text("Not quite: you said 0.7551, it is −0.7551. grad d = grad L · ∂L/∂d = "
                                    "1 · (−0.7551) = −0.7551: the upstream gradient grad L times the local "
                                    "derivative ∂L/∂d.")
    expect(page.locator("#p4-graph")).to_contain_text("grad d = −0.7551")
    # By sign: the menu beside the toggle; the same step asks its sign now
    page.locator("#p4-ask").focus()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#p4-predict-prompt")).to_have_text("Will grad d be positive, negative or zero?")
    assert "p4ask=sign" in page.url or "p4ask" not in page.url
    page.get_by_role("button", name="negative").focus()
    page.keyboard.press("Enter")
    expect(verdict).to_contain_text("Right: you said negative, it is negative. grad d = −0.7551: grad L "
                                    "(upstream) is positive and ∂L/∂d (local) is negative")
    # The animation stops at the next question, with the keys at its answers
    page.locator("#p4-play").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#p4-predict-prompt")).to_have_text("Will grad a be positive, negative or zero?",
                                                            timeout=15_000)
    expect(page.locator("#p4-counter")).to_have_text("Step 3 of 7")
    expect(page.locator("#p4-play")).to_have_text("Resume animation")
    expect(page.get_by_role("button", name="positive")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")                                       # negative: right
    expect(verdict).to_contain_text("Right: you said negative")
    # One tally for the page, shown in both panels
    assert tally(page, "#p4-predict-tally") == (before[0] + 3, before[1] + 5)
    expect(page.locator("#p3-predict-tally")).to_have_text(page.locator("#p4-predict-tally").inner_text())
    page.locator("#panel-4").screenshot(path=str(SCREENSHOTS / "predict-chain-rule-panel-4.png"))
    # Off: every number at once
    page.locator("#p4-predict").uncheck()
    expect(page.locator("#p4-predict-panel")).to_be_hidden()
    expect(page.locator("#p3-predict-panel")).to_be_hidden()
    expect(page.locator("#p4-ask")).to_be_hidden()
    assert "predict" not in page.url


def test_predict_mode_in_an_embed_on_another_site_counts_without_storage(page, other_site):
    """An instructor's link with predict=1, framed 800 × 600 by another site: the browser gives the
    frame no storage, so the tally counts while the page is open and says it is not kept; panel 4
    fits the frame with its questions and verdicts, by sign and by value (tests/e2e/test_embed_fit.py)."""
    page.set_viewport_size({"width": 840, "height": 700})
    page.goto(other_site("pages/chain-rule.html?embed=1&panel=4&predict=1"))
    page.wait_for_selector("iframe", state="attached")
    frame = page.frames[1]
    wait_until_ready(frame)
    assert frame.evaluate("() => { try { localStorage.length; return 'available'; } "
                          "catch (e) { return e.name; } }") == "SecurityError"
    expect(frame.locator("#p4-predict")).to_be_checked()
    frame.locator("#p4-next").focus()
    frame.locator("#p4-next").press("Enter")
    expect(frame.locator("#p4-predict-prompt")).to_have_text("Will grad d be positive, negative or zero?")
    frame.get_by_role("button", name="negative").press("Enter")
    expect(frame.locator("#p4-predict-verdict")).to_contain_text("Right: you said negative")
    tally_line = frame.locator("#p4-predict-tally")
    expect(tally_line).to_have_text("1 of 1 predictions right. Not kept: the browser allows no storage here.")
    assert_fits(page, frame, "chain-rule-panel-4-predict-sign-verdict")             # no scrolling in the frame
    frame.locator("#p4-next").press("Enter")
    assert_fits(page, frame, "chain-rule-panel-4-predict-sign-question")
    frame.get_by_role("button", name="positive").press("Enter")                   # grad a is negative
    expect(tally_line).to_contain_text("1 of 2 predictions right.")
    save_screenshot(page, "predict-embed-other-site-chain-rule", full_page=False)
    # By value, the longest verdict: the question and its verdict fit too
    frame.locator("#p4-ask").select_option("value")
    frame.locator("#p4-next").press("Enter")
    expect(frame.locator("#p4-predict-prompt")).to_contain_text("What will grad")
    assert_fits(page, frame, "chain-rule-panel-4-predict-value-question")
    frame.locator("#p4-predict-number").fill("12345")
    frame.locator("#p4-predict-number").press("Enter")
    expect(frame.locator("#p4-predict-verdict")).to_contain_text("Not quite: you said 12345")
    assert_fits(page, frame, "chain-rule-panel-4-predict-value-verdict")
