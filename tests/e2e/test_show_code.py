"""Each lesson's "Python" view, as a learner opens it: nothing of it loads before, the code it shows
is the engine's own (compared line by line with engine/ here), it follows the step, and the
keyboard opens it and leaves it.  One page load a lesson."""
import json
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import needs_numpy, save_screenshot, wait_until_ready
from tests.e2e.test_course import AXE, serious_violations

pytestmark = [pytest.mark.e2e, needs_numpy]

ROOT = Path(__file__).resolve().parents[2]
EDITOR_MS = 30_000


@pytest.fixture(scope="module")
def axe_url(site_dir, base_url):
    shutil.copyfile(AXE, site_dir / "static" / "axe.min.js")   # the strict CSP forbids injecting it inline
    return base_url + "static/axe.min.js"


def open_listening(page, base_url, path):
    """The page, ready, and every URL it requested (the list grows as the page goes on)."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base_url + path)
    wait_until_ready(page)
    assert code_requests(requests) == [], "the Python view loaded something before it was opened"
    return requests


def code_requests(requests):
    return [url for url in requests if re.search(r"code-view|codemirror|write-it-editor", url)]


def open_view(page, view_id):
    """Open the view with the keyboard (its summary is the toggle) and wait for CodeMirror."""
    summary = page.locator(f"#{view_id} > summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{view_id}")).to_have_attribute("data-code-editor", "codemirror", timeout=EDITOR_MS)
    return page.locator(f"#{view_id}")


def shown(view):
    """The listing the view shows: its text, file line numbers and marked lines, as app/ui.py gave them
    to the editor, checked against the editor's own first lines."""
    pre = view.locator("pre")
    # CodeMirror draws the lines in view (it skips the rest): each drawn line is the listing's.
    # The editor takes a new listing a frame after the <pre> gets it: read until they agree.
    for _ in range(50):
        text = pre.text_content()
        numbers = json.loads(pre.get_attribute("data-line-numbers"))
        marked = json.loads(pre.get_attribute("data-marked"))
        lines = text.split("\n")
        drawn = view.locator(".cm-line").all_inner_texts()
        if drawn and all(line.replace("\u200b", "") in lines for line in drawn if line.strip()):
            break
        view.page.wait_for_timeout(100)
    assert drawn and all(line.replace("\u200b", "") in lines for line in drawn if line.strip())
    return lines, numbers, [lines[i - 1] for i in marked]


def assert_engine_source(lines, numbers):
    """Every numbered line is the line of that number in this checkout's file (the served build's
    source is the checkout's); returns the functions' headings."""
    headings, path = [], None
    for line, number in zip(lines, numbers, strict=True):
        if not number and line.startswith(("# engine/", "# app/")):
            headings.append(line[2:])
            path = line[2:].split(":")[0]
        elif number:
            assert (ROOT / path).read_text(encoding="utf-8").split("\n")[int(number) - 1] == line
    return headings


def test_lesson_1_shows_the_op_of_each_backward_step_and_backward(page, base_url, axe_url):
    requests = open_listening(page, base_url, "pages/chain-rule.html#panel-4")
    view = open_view(page, "p4-code")
    assert any(url.endswith("/static/vendor/codemirror/codemirror-view.js") for url in requests)
    lines, numbers, marked = shown(view)
    assert assert_engine_source(lines, numbers) == ["engine/graph.py: Value.backward"]
    assert [line.strip() for line in marked] == ["self.grad = 1.0"]
    page.click("#p4-next")     # grad d += grad L · ∂L/∂d: L = d², so Value.__pow__
    expect(view.locator(".code-view-title")).to_contain_text("Value.__pow__")
    lines, numbers, marked = shown(view)
    assert assert_engine_source(lines, numbers) == ["engine/graph.py: Value.__pow__", "engine/graph.py: Value.backward"]
    assert "parent.grad += node.grad * local" in marked[-1]
    expect(view.locator(".cm-marked").first).to_be_visible()
    save_screenshot(page, "show-code-chain-rule")
    # Arrow keys inside the view move in the code, not the panel's steps; Tab leaves the editor.
    view.locator(".cm-scroller").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#p4-counter")).to_have_text(re.compile(r"^Step 2 of"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#p4-code')") is None
    # Panel 5 shows the op of the node the learner chooses, in the expression they typed.
    p5 = open_view(page, "p5-code")
    page.fill("#p5-expr", "sin(x) * y")
    page.press("#p5-expr", "Enter")
    page.click("#p5-graph [data-key='f']")
    expect(p5.locator(".code-view-title")).to_contain_text("Value.__mul__")
    lines, numbers, marked = shown(p5)
    assert assert_engine_source(lines, numbers) == ["engine/graph.py: Value.__mul__", "engine/graph.py: Value.backward"]
    assert any('_node("*"' in line for line in marked)
    # Panels 1-3: the chosen node's op, the op of the node that uses it, and backward(); the
    # composition's two ops; the three functions, backward() and the finite-difference check.
    for view_id, headings in (("p1-code", ["Value.__add__", "Value.backward"]),
                              ("p2-code", ["Value.__mul__", "Value.__pow__", "Value.backward"]),
                              ("p3-code", ["Value.__pow__", "Value.tanh", "Value._activation", "ACTIVATIONS['tanh']",
                                           "Value.backward", "finite_difference"])):
        lines, numbers, _ = shown(open_view(page, view_id))
        assert [heading.split(": ", 1)[1] for heading in assert_engine_source(lines, numbers)] == headings
    page.click("#p1-graph [data-key='q']")
    expect(page.locator("#p1-code .code-view-title")).to_contain_text("Value.__mul__")
    page.locator("#panel-3").scroll_into_view_if_needed()
    save_screenshot(page, "show-code-chain-rule-panel-3")
    assert serious_violations(page, axe_url) == []


def test_lesson_2_follows_the_stepper(page, base_url):
    open_listening(page, base_url, "pages/step-through.html?step=3")    # h1 = tanh(z1)
    view = open_view(page, "step-code")
    lines, numbers, _ = shown(view)
    assert assert_engine_source(lines, numbers)[:2] == ["engine/graph.py: Value.tanh", "engine/graph.py: Value._activation"]
    assert "code=1" in page.url, "the link does not say the Python view is open"
    page.click("#last-step")                                              # the update
    expect(view.locator(".code-view-title")).to_contain_text("gradient descent")
    lines, numbers, marked = shown(view)
    assert assert_engine_source(lines, numbers) == ["engine/graph.py: gradient_descent_step"]
    assert [line.strip() for line in marked] == ["return {name: value - lr * grads[name] for name, value in values.items()}"]
    save_screenshot(page, "show-code-step-through")


def test_lesson_3_shows_the_gradient_statistics(page, base_url):
    open_listening(page, base_url, "pages/gradients.html")
    lines, numbers, _ = shown(open_view(page, "gradients-code"))
    assert assert_engine_source(lines, numbers) == ["engine/mlp.py: MLP.gradient_stats_in_slices",
                                                    "engine/mlp.py: MLP._stats_from_gradients"]


def test_lesson_4_shows_loss_and_grads(page, base_url):
    open_listening(page, base_url, "pages/playground.html")
    lines, numbers, _ = shown(open_view(page, "playground-code"))
    assert assert_engine_source(lines, numbers)[0] == "engine/mlp.py: MLP.loss_and_grads"
    save_screenshot(page, "show-code-playground", full_page=False)


def test_lesson_5_marks_the_line_of_run_that_computed_the_step_and_a_link_opens_it_in_an_embed(page, base_url):
    """The link opens the view (code=1), even in an embed, which otherwise leaves it out; what it
    shows is app/matrix_form_model.run, whose lines computed the matrices on screen."""
    page.set_viewport_size({"width": 800, "height": 600})
    page.goto(base_url + "pages/matrix-form.html?step=8&code=1&embed=1")      # dW2 = H1ᵀ δ2
    wait_until_ready(page)
    view = page.locator("#matrix-code")
    expect(view).to_have_attribute("data-code-editor", "codemirror", timeout=EDITOR_MS)
    expect(view).to_be_visible()
    lines, numbers, marked = shown(view)
    assert assert_engine_source(lines, numbers) == ["app/matrix_form_model.py: run"]
    assert [line.strip() for line in marked] == ['v["dW2"] = v["H1"].T @ v["d2"]']
    expect(view.locator(".cm-marked")).to_be_visible()     # scrolled to it in the editor
    save_screenshot(page, "show-code-matrix-form-embed", full_page=False)
    page.click("#next-step")                               # db2 = Σ δ2
    expect(view.locator(".cm-marked")).to_contain_text('v["db2"] = v["d2"].sum(')
    # Closed, it leaves the link (the embed keeps its embed=1).
    view.locator("summary").click()
    expect(page).not_to_have_url(re.compile(r"code="))
    assert "embed=1" in page.url
