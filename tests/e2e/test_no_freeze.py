"""No input freezes the tab (issue 18, item 3).  Python runs on the page's main thread and
cannot be interrupted, so every input is bounded before the work starts, and long work runs
in slices across frames with a progress bar and a Stop.  Each test does what a learner does
at the largest settings and watches the page's long tasks (PerformanceObserver 'longtask':
every main-thread task over 50 ms, with its duration)."""
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, needs_numpy

pytestmark = [pytest.mark.e2e, needs_numpy]

# The bound for any one task on the main thread.
LONGEST_TASK_MS = 100

WATCH_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(Math.round(entry.duration));
}).observe({type: "longtask"});
"""


def long_tasks(page):
    """Durations (ms) of the long tasks since the last call."""
    return page.evaluate("() => window.__longTasks.splice(0)")


@pytest.fixture
def watched(page, open_page):
    """open_page, with the long-task watcher installed before the page's own scripts."""
    page.add_init_script(WATCH_LONG_TASKS)
    return open_page


def save_part(page, selector, name):
    """Screenshot of one part of the page, to screenshots/<name>.png, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def handler_ms(page, script):
    """Wall time of a synchronous action in the page (Python handlers run inside dispatchEvent)."""
    return page.evaluate("(action) => { const t = performance.now(); new Function(action)(); "
                         "return performance.now() - t; }", script)


# ---------------------------------------------------------------- step-through


def test_step_through_train_100_with_the_check_is_sliced_shows_progress_and_stops(watched):
    page = watched("pages/step-through.html?check=1")
    long_tasks(page)
    page.locator("#train-100").click()
    # What the page shows between two frames of the training, then a click on Stop, in one go
    # (a round trip from the test for each would often come after the last step).
    seen = page.evaluate("""() => {
        const stop = document.getElementById("train-stop"), bar = document.getElementById("train-progress");
        const seen = {stop: !stop.hidden, bar: !bar.hidden, done: bar.value, total: bar.max,
                      result: document.getElementById("train-result").textContent,
                      start_disabled: document.getElementById("train-100").disabled};
        stop.click();
        return seen;
    }""")
    assert seen["stop"] and seen["bar"] and seen["start_disabled"] and seen["total"] == 100, seen
    assert seen["result"] == f"Training: step {seen['done']} of 100…", seen
    expect(page.locator("#train-stop")).to_be_hidden()
    expect(page.locator("#train-progress")).to_be_hidden()
    note = page.locator("#train-note").inner_text()
    assert note.startswith("Stopped after ") and note.endswith(" of 100 steps.")
    taken = int(note.split()[2])
    assert 0 < taken < 100
    assert f"after {taken} step" in page.locator("#train-result").inner_text()
    assert page.locator("#train-100").is_enabled()
    save_part(page, "#training", "step-through-training-stopped")
    # Run to the end: every frame stays short.
    page.locator("#train-100").click()
    save_part(page, "#training", "step-through-training-progress")
    expect(page.locator("#train-result")).to_contain_text("after 100 steps", timeout=20_000)
    assert max(long_tasks(page), default=0) < LONGEST_TASK_MS


# ---------------------------------------------------------------- playground: CSV


def test_an_oversize_csv_is_refused_at_once_and_the_points_stay(watched, tmp_path):
    page = watched("pages/playground.html")
    points_before = page.locator("#boundary-overlay .pt").count()
    url_before = page.url
    page.locator(".pg-csv summary").click()
    long_tasks(page)
    # 3 MB of well-formed rows: before the size check, the page read them all into Python and the
    # text box, in one task of seconds, before saying there were too many.
    big = tmp_path / "big.csv"
    big.write_text("0.25,-0.5,1\n" * 250_000)
    page.set_input_files("#csv-file", big)     # a path: the browser reads the file, as from a file chooser
    message = page.locator("#csv-error")
    expect(message).to_have_text("Not loaded: the file is 3.0 MB; the playground reads at most 64 kB "
                                 "(up to 1000 points).", timeout=5_000)
    assert page.locator("#csv").input_value() == ""          # never read into the text box
    assert page.locator("#csv").get_attribute("aria-invalid") == "true"
    # Pasted text is measured in the page before Python reads it.
    page.evaluate("(text) => { document.getElementById('csv').value = text; }", "0.25,-0.5,1\n" * 20_000)
    page.locator("#load-csv").click()
    expect(message).to_contain_text("Not loaded: the pasted text is 240 kB")
    assert page.locator("#boundary-overlay .pt").count() == points_before and page.url == url_before
    assert max(long_tasks(page), default=0) < LONGEST_TASK_MS
    save_part(page, ".pg-csv", "playground-csv-too-large")
