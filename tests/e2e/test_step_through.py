"""Step-through page in the browser: every step reached by keyboard shows the engine's
numbers (as CPython computes them), editing a weight changes the gradients, bad input is
refused at the field, training lowers the loss, gradient check, presets, URL state.

One page load serves most tests (module scope) because starting Python takes seconds;
the tests run in file order and each sets up the state it checks."""
import pytest
from playwright.sync_api import expect

from app.network_steps import STATE, Network, gradient_checks, lesson_steps, preset_values, show_number, train
from tests.e2e.conftest import needs_numpy, page_for_module, save_screenshot, tex_source, wait_until_ready

pytestmark = [pytest.mark.e2e, needs_numpy]


@pytest.fixture(scope="module")
def page(browser_context, base_url):
    yield from page_for_module(browser_context, base_url, "pages/step-through.html")


def text(page, selector):
    return page.locator(selector).inner_text().strip()


def number(shown: str) -> float:
    """The number after the last '=' (or '→') in a result such as '∂L/∂w₁₁ = −0.1155'."""
    return float(shown.split("=")[-1].split("→")[-1].strip().replace("−", "-"))


def go_to_step(page, index):
    """Jump with the scrubber (1-based, like the counter)."""
    page.locator("#scrubber").fill(str(index))


def set_field(page, field_id, typed):
    page.locator(f"#{field_id}").fill(typed)
    page.locator(f"#{field_id}").press("Enter")


def test_keyboard_reaches_every_step_with_the_engines_numbers(page):
    steps = lesson_steps(Network(STATE.defaults()))
    page.locator("h1").click()              # focus the page, not a control
    page.keyboard.press("Home")
    shots = {1: "step-through-first", 4: "step-through-forward", 14: "step-through-backward",
             len(steps): "step-through-update"}
    for k, step in enumerate(steps, start=1):
        assert text(page, "#step-counter") == f"Step {k} / {len(steps)}"
        shown = text(page, "#step-result")
        assert shown == step.result_text
        if step.phase != "update" and step.node != "inputs":
            assert number(shown) == pytest.approx(step.result, abs=5e-5)   # equal to 4 decimals
            assert tex_source(page, "#step-substituted") == step.substituted
            assert text(page, "#step-explanation") == step.explanation
        if k in shots:
            save_screenshot(page, shots[k])
        page.keyboard.press("ArrowRight")
    # The last step stays the last; the update shows the new loss beside the old.
    assert text(page, "#step-counter") == f"Step {len(steps)} / {len(steps)}"
    update = steps[-1]
    assert text(page, "#step-result") == f"L = {show_number(update.old_loss)} → {show_number(update.result)}"
    assert page.locator("#update-rows tr").count() == 9
    assert text(page, "#live-loss") == show_number(update.old_loss)
    # Every gradient is now on the graph; Home goes back to the start, where none is.
    assert page.locator("#network-graph .node-grad").count() == 9    # ŷ, z₃, h₁, h₂, z₁, z₂, b₁, b₂, b₃
    assert page.locator("#network-graph .edge-grad").count() == 6
    page.keyboard.press("Home")
    assert text(page, "#step-counter").startswith("Step 1 /")
    assert page.locator("#network-graph .node-grad").count() == 0
    page.keyboard.press("End")
    assert text(page, "#step-counter") == f"Step {len(steps)} / {len(steps)}"


def test_space_plays_and_pauses(page):
    page.keyboard.press("Home")
    page.keyboard.press("Space")
    assert page.locator("#play").get_attribute("aria-pressed") == "true"
    page.wait_for_function("document.getElementById('step-counter').textContent.startsWith('Step 2 /')",
                           timeout=5000)
    page.keyboard.press("Space")
    assert page.locator("#play").get_attribute("aria-pressed") == "false"


def test_editing_a_weight_changes_the_gradients(page):
    before = Network(STATE.defaults())
    after = Network({**STATE.defaults(), "w31": 1.4})
    steps = lesson_steps(after)
    h1 = next(i for i, s in enumerate(steps) if s.phase == "backward" and s.node == "h1")
    set_field(page, "w31", "1.4")
    go_to_step(page, h1 + 1)
    assert text(page, "#step-result") == steps[h1].result_text
    assert number(text(page, "#step-result")) == pytest.approx(after.grad("h1"), abs=5e-5)
    assert after.grad("h1") != pytest.approx(before.grad("h1"), abs=1e-3)
    assert text(page, "#live-output-grad") == show_number(after.grad("z3"))
    assert "w31=1.4" in page.url
    set_field(page, "w31", "0.7")
    assert text(page, "#live-output-grad") == show_number(before.grad("z3"))


def test_invalid_input_is_refused_at_the_field(page):
    loss = text(page, "#live-loss")
    for typed in ("abc", "", "nan", "inf"):
        set_field(page, "w11", typed)
        assert page.locator("#w11").get_attribute("aria-invalid") == "true", typed
        assert "still using 0.5" in text(page, "#w11-error"), typed
        assert text(page, "#live-loss") == loss     # the last valid value is kept
    set_field(page, "x2", "−0.4")                  # a typeset minus is an ordinary number
    assert page.locator("#x2").get_attribute("aria-invalid") == "false"
    set_field(page, "w11", "1e-3")
    expected = Network({**STATE.defaults(), "w11": 0.001})
    assert text(page, "#live-loss") == show_number(expected.loss.data)
    set_field(page, "w11", "1e9")
    assert "clamped" in text(page, "#w11-error") and page.locator("#w11").input_value() == "10"
    set_field(page, "w11", "0.5")
    assert text(page, "#live-loss") == loss
    assert "NaN" not in page.locator("main").inner_text()


def test_train_100_steps_lowers_the_loss(page):
    before = Network(STATE.defaults()).loss.data
    run = train(STATE.defaults(), 100)
    page.locator("#train-100").click()
    expect(page.locator("#train-result")).to_have_text(f"Loss {show_number(before)} → {show_number(run.losses[-1])} "
                                                       "after 100 steps with η = 0.5.", timeout=20_000)
    assert number(text(page, "#live-loss")) < before
    assert page.locator("#loss-sparkline svg polyline").count() == 1
    save_screenshot(page, "step-through-trained")
    page.locator("#reset-weights").click()
    assert text(page, "#live-loss") == show_number(before)
    assert text(page, "#train-result") == "Loss: not trained yet."
    assert page.locator("#loss-sparkline svg").count() == 0


def test_gradient_check_shows_finite_differences(page):
    network = Network(STATE.defaults())
    checks = gradient_checks(network)
    steps = lesson_steps(network)
    w12 = next(i for i, s in enumerate(steps) if s.node == "w12")
    page.locator("#gradient-check").check()
    go_to_step(page, w12 + 1)
    assert text(page, "#step-check") == checks["w12"].text()
    go_to_step(page, len(steps))
    assert page.locator("#update-table th.check-col").first.is_visible()
    page.locator("#gradient-check").uncheck()
    assert page.locator("#step-check-row").is_hidden()


def test_presets_and_variants(page):
    page.locator("#preset").select_option("relu-231")
    values = preset_values("relu-231", STATE.defaults())
    steps = lesson_steps(Network(values))
    assert text(page, "#step-counter") == f"Step 1 / {len(steps)}"
    assert page.locator("#network-graph [data-key='h3']").count() == 1
    assert page.locator("#unit-4").is_visible() and "ReLU" in text(page, "#domain-notes")
    go_to_step(page, 19)
    assert text(page, "#step-result") == steps[18].result_text
    save_screenshot(page, "step-through-231")
    # A linear output cannot feed cross-entropy: the loss follows, and says so.
    page.locator("#output").select_option("linear")
    assert page.locator("#loss").input_value() == "mse_half"
    assert "squared error" in text(page, "#variant-note")
    page.locator("#preset").select_option("default")
    assert text(page, "#step-counter") == "Step 1 / 24"


def test_bad_url_falls_back_to_defaults_with_a_note(browser_context, base_url):
    tab = browser_context.new_page()
    tab.goto(base_url + "pages/step-through.html?w11=abc&hidden=softmax&step=5")
    wait_until_ready(tab)
    notes = tab.locator("#url-notes")
    assert notes.is_visible() and "w₁₁" in notes.inner_text() and "hidden activation" in notes.inner_text()
    assert tab.locator("#w11").input_value() == "0.5"
    assert tab.locator("#step-counter").inner_text() == "Step 5 / 24"
    tab.close()
