"""Replay in the playground, as a learner uses it: scrub the loss curve back (keyboard and
pointer) to see the network as it was, go back to the latest, replay the run bit for bit, and
train on from an earlier epoch."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import needs_numpy, save_screenshot
from tests.e2e.test_playground import PAGE, click_step, epoch, train_past

pytestmark = [pytest.mark.e2e, needs_numpy]


def loss_text(page):
    return page.locator("#train-loss").inner_text()


def test_scrubbing_shows_earlier_epochs_and_replay_repeats_the_run_bit_for_bit(open_page):
    page = open_page(PAGE + "?speed=100&batch=16&optimizer=adam&lr=0.03")
    first_loss = loss_text(page)
    train_past(page, 150)
    click_step(page)            # the epoch under way ends (a replay stops at an epoch's end)
    latest, latest_loss = epoch(page), loss_text(page)
    note, scrub = page.locator("#replay-note"), page.locator("#scrub")
    expect(note).to_be_hidden()
    expect(page.locator("#scrub-hint")).to_contain_text("at most 2.0 MB")

    # Keyboard: the slider under the curve; Home is epoch 0, as the page showed it before Play.
    scrub.focus()
    page.keyboard.press("Home")
    expect(page.locator("#epoch")).to_have_text("0")
    assert loss_text(page) == first_loss
    expect(note).to_contain_text(f"Viewing epoch 0 of {latest}: training paused")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#epoch")).to_have_text("1")
    expect(scrub).to_have_attribute("aria-valuetext", f"epoch 1 of {latest}")

    # Pointer: a press at the middle of the curve's plot shows an epoch in the middle, marked on the curve.
    box = page.locator("#loss-curve").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.4)
    expect(page.locator("#epoch")).not_to_have_text("1")     # the scrubbed epoch is drawn in the next frame
    middle = epoch(page)
    assert 0 < middle < latest
    expect(page.locator("#loss-curve .viewed-label")).to_have_text(f"epoch {middle}")
    expect(note).to_contain_text(f"Viewing epoch {middle} of {latest}")
    assert float(loss_text(page)) > float(latest_loss)
    save_screenshot(page, "playground-replay-viewing")

    page.locator("#replay-latest").click()
    expect(page.locator("#epoch")).to_have_text(str(latest))
    assert loss_text(page) == latest_loss
    expect(note).to_be_hidden()
    expect(page.locator("#loss-curve .viewed-line")).to_have_count(0)

    # Replay: the same run again, to the same epoch and the same loss.
    page.locator("#replay").click()
    expect(note).to_contain_text(f"Replayed to epoch {latest}", timeout=30_000)
    expect(note).to_contain_text("the same as the first time, bit for bit")
    assert epoch(page) == latest and loss_text(page) == latest_loss
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")

    # Play from an earlier epoch trains on from there: the later epochs are gone from the curve.
    scrub.focus()
    page.keyboard.press("Home")
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    expect(page.locator("#epoch")).to_have_text("20")
    page.click("#play")
    page.click("#play")
    expect(note).to_be_hidden()
    assert 20 <= epoch(page) < latest
    expect(scrub).to_have_attribute("aria-valuetext", f"epoch {epoch(page)} of {epoch(page)}")

    # A preset starts a new run: the slider has nothing to scrub (it kept the old run's range,
    # and ← on it indexed past the new run's one epoch: an uncaught IndexError).
    page.click("#presets button[data-preset]")
    expect(page.locator("#epoch")).to_have_text("0")
    expect(scrub).to_be_disabled()
    expect(scrub).to_have_attribute("aria-valuetext", "epoch 0 of 0")

    # Reset while playing starts the new run at Play's pace (100 epochs/s here): it jumped at once
    # to about the epoch the old run had reached, the pace still counting from the old Play.
    page.click("#play")
    page.wait_for_function("Number(document.getElementById('epoch').textContent) >= 150")
    page.evaluate("""() => { window.shownEpochs = [];
        new MutationObserver(() => window.shownEpochs.push(Number(document.getElementById('epoch').textContent)))
            .observe(document.getElementById('epoch'), {childList: true, characterData: true, subtree: true}); }""")
    page.click("#reset")
    page.wait_for_timeout(400)
    page.click("#play")
    shown = page.evaluate("window.shownEpochs")
    after_reset = shown[shown.index(0):]
    assert max(after_reset) < 100, after_reset
