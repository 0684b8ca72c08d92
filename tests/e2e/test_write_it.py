"""Lesson 6 as a learner uses it: write code in the editor, Run it, read the verdicts.  The code
runs in a Web Worker with its own Pyodide, so the first Run of each test waits for that to start."""
import json
import re
import shutil

import pytest
from playwright.sync_api import expect

from app import write_it_draw as draw
from app.write_it_model import EXERCISES
from tests.e2e.conftest import needs_numpy, save_screenshot
from tests.e2e.test_course import AXE, serious_violations
from tests.e2e.test_embedding import lesson_frame
from tests.e2e.test_runtime import LAYOUT_SHIFTS

pytestmark = [pytest.mark.e2e, needs_numpy]

WORKER_START_MS = 90_000      # the worker's Pyodide and NumPy start on a busy machine
RUN_MS = 30_000


def editor(page):
    """CodeMirror's editable area (the page's <textarea id="code"> keeps a copy of its text)."""
    return page.locator("#write-it .cm-content")


def write_and_run(page, code):
    editor(page).fill(code)
    editor(page).press("Control+Enter")


@pytest.fixture(scope="module")
def axe_url(site_dir, base_url):
    shutil.copyfile(AXE, site_dir / "static" / "axe.min.js")   # the strict CSP forbids injecting it inline
    return base_url + "static/axe.min.js"


def open_fresh(open_page, path, stored=None):
    """The page as a first visit sees it: no code or passed exercises kept from another test, only
    the `stored` {key: value} given.  The storage is set on the landing page (the same origin, no
    Python) before the lesson loads, so that the lesson and its worker start once."""
    page = open_page("index.html", ready=False)
    page.evaluate("""stored => {
        Object.keys(localStorage).filter(k => k.startsWith('backprop-lab:')).forEach(k => localStorage.removeItem(k));
        Object.entries(stored).forEach(([key, value]) => localStorage.setItem(key, value));
    }""", stored or {})
    return open_page(path)


def summary(page):
    return page.locator("#verdicts .verdict-summary")


def test_a_run_that_ends_after_the_learner_moved_on_counts_but_shows_nothing_there(open_page):
    page = open_fresh(open_page, "pages/write-it.html?exercise=training")
    write_and_run(page, EXERCISES["training"].solution)
    page.locator('#exercise-list a[data-exercise="add-mul"]').click()     # before the worker answers
    expect(page.locator('#exercise-list li.done a[data-exercise="training"]')).to_be_visible(timeout=RUN_MS)
    expect(page.locator("#code")).to_have_value(EXERCISES["add-mul"].starter)
    assert page.locator("#verdicts li").count() == 0 and page.locator("#picture figure").count() == 0
    expect(page.locator('#exercise-list li.done a[data-exercise="add-mul"]')).to_have_count(0)


def test_every_reference_solution_passes_every_check_and_counts_as_completed(open_page):
    page = open_fresh(open_page, "pages/write-it.html?exercise=add-mul")
    for number, key in enumerate(EXERCISES):      # every exercise is solvable in the browser
        if number:
            page.locator(f'#exercise-list a[data-exercise="{key}"]').click()
            expect(page).to_have_url(re.compile(f"[?&]exercise={key}$"))
            expect(page.locator("#code")).to_have_value(EXERCISES[key].starter)
        write_and_run(page, EXERCISES[key].solution)
        expect(summary(page)).to_have_class("verdict-summary passed", timeout=WORKER_START_MS)
        expect(page.locator("#verdicts li.fail")).to_have_count(0)
        assert page.locator("#verdicts li.pass").count() >= 1
        expect(page.locator(f'#exercise-list li.done a[data-exercise="{key}"]')).to_be_visible()
        if key in draw.PICTURES:      # drawn from what their code returned: here it agrees everywhere
            expect(page.locator("#picture figure")).to_be_visible()
            expect(page.locator("#picture .mismatch")).to_have_count(0)
        if key == "training":
            expect(page.locator("#picture svg.boundary")).to_have_count(2)
            expect(page.locator("#picture")).to_contain_text("Your weights: 100% right")
            save_screenshot(page, "write-it-xor")
    save_screenshot(page, "write-it")
    page.set_viewport_size({"width": 360, "height": 800})
    save_screenshot(page, "write-it-360")
    # The code is kept per exercise: a reload shows what was run, and Reset brings back the starter.
    page.reload()
    page.wait_for_selector("html[data-status=ready]")
    expect(page.locator("#code")).to_have_value(EXERCISES["find-the-bug"].solution)
    expect(page.locator('#exercise-list li.done a[data-exercise="neuron"]')).to_be_visible()
    page.locator("#reset").click()
    expect(page.locator("#code")).to_have_value(EXERCISES["find-the-bug"].starter)


def test_passing_the_last_exercise_marks_the_lesson_completed_in_the_course(open_page):
    others = [key for key in EXERCISES if key != "add-mul"]
    page = open_fresh(open_page, "pages/write-it.html?exercise=add-mul",
                      stored={"backprop-lab:write-it:completed": json.dumps(others)})
    expect(page.locator("#exercise-list li.done")).to_have_count(len(others))
    expect(page.locator("#site-header nav a", has_text="Write it")).to_have_text("6. Write it")
    write_and_run(page, EXERCISES["add-mul"].solution)
    expect(page.locator("#site-header nav a", has_text="Write it")).to_have_text("6. Write it ✓", timeout=WORKER_START_MS)
    expect(page.locator("#site-footer button")).to_have_text("✓ Completed (undo)")


def test_a_wrong_answer_says_what_is_wrong_and_offers_the_solution(open_page, axe_url):
    page = open_fresh(open_page, "pages/write-it.html?exercise=dense&theme=dark")
    expect(page.locator("#show-solution")).to_be_hidden()
    write_and_run(page, "def dense_backward(X, W, b, delta):\n    return delta.T @ X, delta.sum(axis=0), delta @ W.T\n")
    expect(page.locator("#verdicts li.fail").first).to_contain_text("missing transpose", timeout=WORKER_START_MS)
    expect(summary(page)).to_have_class("verdict-summary failed")
    page.locator("#show-solution").click()
    expect(page.locator("#solution-code")).to_have_text(EXERCISES["dense"].solution)
    save_screenshot(page, "write-it-dark")
    assert serious_violations(page, axe_url) == []


def test_an_endless_loop_is_stopped_and_the_next_run_works(open_page):
    page = open_fresh(open_page, "pages/write-it.html?exercise=neuron")
    write_and_run(page, "while True:\n    pass\n")
    expect(summary(page)).to_contain_text("was stopped", timeout=WORKER_START_MS)
    write_and_run(page, EXERCISES["neuron"].solution)
    expect(summary(page)).to_have_class("verdict-summary passed", timeout=WORKER_START_MS)


def test_errors_show_the_learners_line_and_print_output(open_page):
    page = open_fresh(open_page, "pages/write-it.html?exercise=neuron")
    write_and_run(page, "def neuron_grads(w, x, b, y):\n    return (w x)\n")
    expect(page.locator("#traceback-text")).to_contain_text("line 2:", timeout=WORKER_START_MS)
    expect(page.locator("#traceback-text")).to_contain_text("return (w x)")
    write_and_run(page, "print('checking', 6 * 7)\n\ndef neuron_grads(w, x, b, y):\n    return 1 / 0\n")
    expect(page.locator("#traceback-text")).to_contain_text("line 4, in neuron_grads: return 1 / 0", timeout=RUN_MS)
    expect(page.locator("#output-text")).to_have_text("checking 42\n")


def test_pictures_of_wrong_gradients_too_much_memory_and_standard_library_imports(open_page, axe_url):
    page = open_fresh(open_page, "pages/write-it.html?exercise=backward&theme=dark")
    # Exercise 3 with = for +=: x, used twice, keeps only its last share; its node is marked.
    write_and_run(page, EXERCISES["backward"].solution.replace("parent.grad +=", "parent.grad ="))
    expect(page.locator("#picture figcaption")).to_contain_text("differ from the engine's at x (✗)",
                                                                timeout=WORKER_START_MS)
    expect(page.locator('#picture .node.mismatch[data-key="x"]')).to_contain_text("grad x: yours 2, engine 5 ✗")
    expect(page.locator("#picture .mismatch")).to_have_count(1)
    save_screenshot(page, "write-it-backward-dark")
    page.locator('#exercise-list a[data-exercise="network"]').click()
    expect(page.locator("#picture")).to_be_empty()
    write_and_run(page, EXERCISES["network"].solution.replace("(1 - h * h)", "(1 + h * h)"))
    expect(page.locator("#picture figcaption")).to_contain_text("6 of 9 differ", timeout=RUN_MS)
    expect(page.locator("#picture .edge.mismatch")).to_have_count(4)
    expect(page.locator("#picture .node.mismatch")).to_have_count(2)
    save_screenshot(page, "write-it-network-dark")
    assert serious_violations(page, axe_url) == []
    page.set_viewport_size({"width": 360, "height": 800})
    page.locator("#picture").scroll_into_view_if_needed()
    save_screenshot(page, "write-it-network-360", full_page=False)
    # Too much memory (in the browser's 32-bit Python: MemoryError, or OverflowError / NumPy's
    # ValueError past the address space): the same plain sentence, and the next run works.
    for code in ("x = [0] * 10**9\n", "x = [0] * 10**10\n", "x = np.zeros((10**6, 10**6))\n"):
        write_and_run(page, code)
        expect(page.locator("#traceback-text")).to_contain_text(code.strip(), timeout=RUN_MS)
        expect(page.locator("#traceback-text")).to_contain_text("more memory than Python in this browser tab")
    # Any standard-library module: those the lean runtime leaves out are fetched on first import.
    write_and_run(page, "import fractions, statistics\nprint(fractions.Fraction(1, 3) + 1, statistics.median([3, 1, 2]))\n"
                  + EXERCISES["network"].solution)
    expect(summary(page)).to_have_class("verdict-summary passed", timeout=RUN_MS)
    expect(page.locator("#output-text")).to_have_text("4/3 2\n")


def test_import_js_reaches_the_worker_not_the_page(open_page):
    page = open_fresh(open_page, "pages/write-it.html?exercise=add-mul")
    heading = page.locator("h1").inner_text()
    write_and_run(page, "import js\njs.document.body.innerHTML = 'replaced by the learner'\n")
    # `js` is the worker's global scope, which has no document: the learner sees the error and
    # the page is untouched.
    expect(page.locator("#traceback-text")).to_contain_text("document", timeout=WORKER_START_MS)
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("#run")).to_be_visible()
    assert page.evaluate("document.body.innerHTML") != "replaced by the learner"


def test_the_editor_indents_with_tab_and_escape_then_tab_leaves_it(open_page):
    page = open_fresh(open_page, "pages/write-it.html?exercise=neuron")
    code = editor(page)
    code.fill("")
    code.press_sequentially("def f():")
    code.press("Enter")
    code.press_sequentially("return 1")
    expect(page.locator("#code")).to_have_value("def f():\n    return 1")
    code.press("Tab")
    expect(code).to_be_focused()
    expect(page.locator("#code")).to_have_value("def f():\n        return 1")
    code.press("Escape")
    code.press("Tab")
    expect(page.locator("#run")).to_be_focused()
    expect(page.locator("#editor-keys")).to_contain_text("press Escape, then Tab")


def test_the_page_works_in_a_frame_on_another_site_without_storage(page, other_site):
    page.goto(other_site("pages/write-it.html?embed=1&exercise=add-mul"))
    frame = lesson_frame(page)
    write_and_run(frame, EXERCISES["add-mul"].solution)
    expect(frame.locator("#verdicts .verdict-summary")).to_have_class("verdict-summary passed",
                                                                      timeout=WORKER_START_MS)
    expect(frame.locator("#storage-note")).to_contain_text("keeps no storage")


def test_the_page_holds_still_while_python_and_the_editor_load(open_page):
    # CodeMirror takes the textarea's place at the same height, and the statement has its room.
    page = open_page("pages/write-it.html?exercise=backward")
    editor(page).wait_for()
    expect(page.locator("#runner-status")).to_have_text("Python for your code is ready.", timeout=WORKER_START_MS)
    shifts = page.evaluate(LAYOUT_SHIFTS)
    assert sum(value for _, value, _ in shifts) < 0.05, shifts
