"""Step-through page in the browser: every step reached by keyboard shows the engine's
numbers (as CPython computes them), editing a weight changes the gradients, bad input is
refused at the field, training lowers the loss, gradient check, presets, URL state.

Each test opens the page with a link to the state it needs, so any of them runs alone; the
link says predict=0 (a first pass through the lesson has predict mode on: see tests/e2e/test_predict.py).
Tests that start from any step of the default network, and leave it so, share one tab per link
(`shared_tab`, `revealed_tab`); the first of each starts where the link does."""
import re

import pytest
from playwright.sync_api import expect

from app.step_through_model import STATE, Network, gradient_checks, lesson_steps, preset_values, train
from engine.text import plain
from tests.e2e.conftest import needs_numpy, page_for_module, save_screenshot, tex_source

pytestmark = [pytest.mark.e2e, needs_numpy]

PAGE = "pages/step-through.html?predict=0"


@pytest.fixture(scope="module")
def shared_tab(browser_context, base_url, external_requests):
    """PAGE in one tab (starting Python takes seconds)."""
    yield from page_for_module(browser_context, base_url, PAGE, external_requests)


@pytest.fixture(scope="module")
def revealed_tab(browser_context, base_url, external_requests):
    """PAGE with the live values shown at any step, in one tab."""
    yield from page_for_module(browser_context, base_url, PAGE + "&reveal=1", external_requests)


def text(page, selector):
    return page.locator(selector).inner_text().strip()


def number(shown: str) -> float:
    """The number after the last '=' (or '→') in a result such as 'grad w₁₁ = −0.1155'."""
    return float(shown.split("=")[-1].split("→")[-1].strip().replace("−", "-"))


def go_to_step(page, index):
    """Jump with the scrubber (1-based, like the counter)."""
    page.locator("#scrubber").fill(str(index))
    expect(page.locator("#step-counter")).to_have_text(re.compile(rf"^Step {index} / "))


def set_field(page, field_id, typed):
    page.locator(f"#{field_id}").fill(typed)
    page.locator(f"#{field_id}").press("Enter")


def test_keyboard_reaches_every_step_with_the_engines_numbers(shared_tab):
    page = shared_tab
    steps = lesson_steps(Network(STATE.defaults()))
    page.locator("h1").click()              # focus the page, not a control
    shots = {1: "step-through-first", 4: "step-through-forward", 14: "step-through-backward",
             len(steps): "step-through-update"}
    for k, step in enumerate(steps, start=1):
        expect(page.locator("#step-counter")).to_have_text(f"Step {k} / {len(steps)}")
        shown = text(page, "#step-result")
        assert shown == step.result_text
        if step.phase != "update" and step.node != "inputs":
            assert number(shown) == pytest.approx(step.result, rel=5e-4)   # equal to 4 significant digits
            assert tex_source(page, "#step-substituted") == step.substituted
            assert text(page, "#step-explanation") == step.explanation
        if k in shots:
            save_screenshot(page, shots[k])
        page.keyboard.press("ArrowRight")
    # The last step stays the last; the update shows the new loss beside the old.
    expect(page.locator("#step-counter")).to_have_text(f"Step {len(steps)} / {len(steps)}")
    update = steps[-1]
    assert text(page, "#step-result") == f"L = {plain(update.old_loss)} → {plain(update.result)}"
    expect(page.locator("#update-rows tr")).to_have_count(9)
    assert text(page, "#live-loss") == plain(update.old_loss)
    # Every gradient is now on the graph; Home goes back to the start, where none is.
    assert page.locator("#network-graph .node-grad").count() == 9    # ŷ, z₃, h₁, h₂, z₁, z₂, b₁, b₂, b₃
    assert page.locator("#network-graph .edge-grad").count() == 6
    page.keyboard.press("Home")
    expect(page.locator("#step-counter")).to_have_text(re.compile("^Step 1 /"))
    expect(page.locator("#network-graph .node-grad")).to_have_count(0)
    page.keyboard.press("End")
    expect(page.locator("#step-counter")).to_have_text(f"Step {len(steps)} / {len(steps)}")


def test_space_plays_and_pauses(open_page):
    page = open_page(PAGE)
    page.locator("h1").click()
    page.keyboard.press("Space")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#step-counter")).to_have_text(re.compile("^Step 2 /"), timeout=5000)
    page.keyboard.press("Space")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")


def test_editing_a_weight_changes_the_gradients(revealed_tab):
    page = revealed_tab
    before = Network(STATE.defaults())
    after = Network({**STATE.defaults(), "w31": 1.4})
    steps = lesson_steps(after)
    h1 = next(i for i, s in enumerate(steps) if s.phase == "backward" and s.node == "h1")
    set_field(page, "w31", "1.4")
    expect(page.locator("#live-output-grad")).to_have_text(plain(after.grad("z3")))
    go_to_step(page, h1 + 1)
    assert text(page, "#step-result") == steps[h1].result_text
    assert number(text(page, "#step-result")) == pytest.approx(after.grad("h1"), abs=5e-5)
    assert after.grad("h1") != pytest.approx(before.grad("h1"), abs=1e-3)
    assert "w31=1.4" in page.url
    set_field(page, "w31", "0.7")
    expect(page.locator("#live-output-grad")).to_have_text(plain(before.grad("z3")))


def test_invalid_input_is_refused_at_the_field(revealed_tab):
    page = revealed_tab
    loss = text(page, "#live-loss")
    for typed in ("abc", "", "nan", "inf"):
        set_field(page, "w11", typed)
        expect(page.locator("#w11")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#w11-error")).to_contain_text("still using 0.5")
        assert text(page, "#live-loss") == loss     # the last valid value is kept
    set_field(page, "x2", "−0.4")                  # a typeset minus is an ordinary number
    expect(page.locator("#x2")).to_have_attribute("aria-invalid", "false")
    set_field(page, "w11", "1e-3")
    expected = Network({**STATE.defaults(), "w11": 0.001})
    expect(page.locator("#live-loss")).to_have_text(plain(expected.loss.data))
    set_field(page, "w11", "1e9")
    expect(page.locator("#w11-error")).to_contain_text("clamped")
    expect(page.locator("#w11")).to_have_value("10")
    set_field(page, "w11", "0.5")
    expect(page.locator("#live-loss")).to_have_text(loss)
    assert "NaN" not in page.locator("main").inner_text()


def test_train_100_steps_lowers_the_loss(revealed_tab):
    page = revealed_tab
    before = Network(STATE.defaults()).loss.data
    run = train(STATE.defaults(), 100)
    page.locator("#train-100").click()
    expect(page.locator("#train-result")).to_have_text(f"Loss {plain(before)} → {plain(run.losses[-1])} "
                                                       "after 100 steps with η = 0.5.", timeout=20_000)
    assert number(text(page, "#live-loss")) < before
    expect(page.locator("#loss-sparkline svg polyline")).to_have_count(1)
    save_screenshot(page, "step-through-trained")
    page.locator("#reset-weights").click()
    expect(page.locator("#live-loss")).to_have_text(plain(before))
    expect(page.locator("#train-result")).to_have_text("Loss: not trained yet.")
    expect(page.locator("#loss-sparkline svg")).to_have_count(0)


def test_a_number_too_small_for_a_float_says_it_was_read_as_0(revealed_tab):
    # 1e-400 is nearer to 0 than any 64-bit float: the field takes it as 0 and says so,
    # rather than silently showing a 0 the learner did not type.
    page = revealed_tab
    set_field(page, "x1", "1e-400")
    expect(page.locator("#x1")).to_have_value("0")
    expect(page.locator("#x1-error")).to_contain_text("read as 0: 1e-400 is too close to 0")
    expect(page.locator("#x1")).to_have_attribute("aria-invalid", "false")
    at_zero = Network({**STATE.defaults(), "x1": 0.0})
    expect(page.locator("#live-loss")).to_have_text(plain(at_zero.loss.data))
    assert "x1=0" in page.url
    set_field(page, "x1", "1e-300")                 # small, but a float: taken as typed
    expect(page.locator("#x1-error")).to_have_text("")
    expect(page.locator("#x1")).to_have_value("1e-300")


def test_gradient_check_shows_finite_differences(shared_tab):
    page = shared_tab
    network = Network(STATE.defaults())
    checks = gradient_checks(network)
    steps = lesson_steps(network)
    w12 = next(i for i, s in enumerate(steps) if s.node == "w12")
    page.locator("#gradient-check").check()
    go_to_step(page, w12 + 1)
    expect(page.locator("#step-check")).to_have_text(checks["w12"].text())
    go_to_step(page, len(steps))
    expect(page.locator("#update-table th.check-col").first).to_be_visible()
    page.locator("#gradient-check").uncheck()
    expect(page.locator("#step-check-row")).to_be_hidden()


def test_on_a_narrow_screen_the_graph_follows_the_step(shared_tab):
    page = shared_tab
    page.set_viewport_size({"width": 360, "height": 800})
    try:
        page.locator("#scrubber").fill("11")
        active = page.locator("#network-graph .active").first
        expect(active).to_be_attached()
        box = page.locator(".graph-scroll").bounding_box()
        for node in page.locator("#network-graph .active").all():
            bounds = node.bounding_box()
            assert box["x"] - 1 <= bounds["x"] and bounds["x"] + bounds["width"] <= box["x"] + box["width"] + 1
        page.locator("#scrubber").fill("1")
        page.locator("#scrubber").fill("20")
        for node in page.locator("#network-graph .active").all():
            bounds = node.bounding_box()
            assert box["x"] - 1 <= bounds["x"] and bounds["x"] + bounds["width"] <= box["x"] + box["width"] + 1
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_presets_and_variants(shared_tab):
    page = shared_tab
    page.locator("#preset").select_option("relu-231")
    values = preset_values("relu-231", STATE.defaults())
    steps = lesson_steps(Network(values))
    expect(page.locator("#step-counter")).to_have_text(f"Step 1 / {len(steps)}")
    expect(page.locator("#network-graph [data-key='h3']")).to_have_count(1)
    expect(page.locator("#unit-4")).to_be_visible()
    expect(page.locator("#domain-notes")).to_contain_text("ReLU")
    go_to_step(page, 19)
    assert text(page, "#step-result") == steps[18].result_text
    save_screenshot(page, "step-through-231")
    # A linear output cannot feed cross-entropy: the loss follows, and says so.
    page.locator("#output").select_option("linear")
    expect(page.locator("#loss")).to_have_value("mse_half")
    expect(page.locator("#variant-note")).to_contain_text("squared error")
    page.locator("#preset").select_option("default")
    expect(page.locator("#step-counter")).to_have_text("Step 1 / 24")


def test_bad_url_falls_back_to_defaults_with_a_note(open_page):
    page = open_page(PAGE + "&w11=abc&hidden=softmax&step=5")
    notes = page.locator("#url-notes")
    expect(notes).to_be_visible()
    assert "w₁₁" in notes.inner_text() and "hidden activation" in notes.inner_text()
    expect(page.locator("#w11")).to_have_value("0.5")
    expect(page.locator("#step-counter")).to_have_text("Step 5 / 24")


def test_the_live_values_wait_for_the_step_that_computes_them(open_page):
    page = open_page(PAGE)
    network = Network(STATE.defaults())
    steps = lesson_steps(network)
    loss_at = next(i for i, s in enumerate(steps) if s.node == "L" and s.phase == "forward")
    expect(page.locator("#live-loss")).to_have_text(f"at step {loss_at + 1}")
    expect(page.locator("#live-yhat")).not_to_contain_text(plain(network.value("yhat")))
    page.locator("#scrubber").fill(str(loss_at + 1))
    expect(page.locator("#live-loss")).to_have_text(plain(network.loss.data))
    expect(page.locator("#live-output-grad")).to_contain_text("at step")
    page.locator("#reveal").check()
    expect(page.locator("#live-output-grad")).to_have_text(plain(network.grad("z3")))
    assert "reveal=1" in page.url


def test_embedded_the_graph_scrolls_to_the_step_of_a_tall_network(open_page):
    from app import step_through_model
    page = open_page(PAGE + "&embed=1&units=3&hidden=relu&x1=0.8&x2=0.2&step=1")
    page.set_viewport_size({"width": 800, "height": 600})
    try:
        network = step_through_model.Network(step_through_model.preset_values(
            "relu-231", step_through_model.STATE.defaults()))
        steps = step_through_model.lesson_steps(network)
        low = [1 + next(i for i, s in enumerate(steps) if (s.phase, s.node) == key)
               for key in (("forward", "z3"), ("backward", "h3"), ("backward", "w32"))]
        for number in low:                          # steps low in the 2-3-1 graph
            page.locator("#scrubber").fill(str(number))
            expect(page.locator("#step-counter")).to_contain_text(f"Step {number} /")
            box = page.locator(".graph-scroll").bounding_box()
            for node in page.locator("#network-graph .active").all():
                bounds = node.bounding_box()
                assert box["y"] - 1 <= bounds["y"] and bounds["y"] + bounds["height"] <= box["y"] + box["height"] + 1, \
                    f"step {number}: the highlighted part is outside the graph's box"
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
