"""The matrix-form lesson as a learner uses it: stepping by key, lighting up one example,
editing a weight cell, the link to lesson 2, the gradient check and an 800 × 600 embed.
The two tests of the page with no link that start at its first step share one tab (`shared_tab`)."""
import pytest
from playwright.sync_api import expect

from app import matrix_form_model as model
from engine import text
from tests.e2e.conftest import needs_numpy, page_for_module, save_screenshot
from tests.e2e.test_gradients import shown_number

pytestmark = [pytest.mark.e2e, needs_numpy]


@pytest.fixture(scope="module")
def shared_tab(browser_context, base_url, external_requests):
    """The page with no link, in one tab (starting Python takes seconds)."""
    yield from page_for_module(browser_context, base_url, "pages/matrix-form.html", external_requests)


def cell(page, matrix, row, column):
    return page.locator(f'#step-matrices td[data-matrix="{matrix}"][data-row="{row}"][data-col="{column}"]')


def test_keys_step_through_every_matrix_with_the_models_numbers(shared_tab):
    page = shared_tab
    values = model.run(model.STATE.defaults()).values
    steps = model.lesson_steps("tanh")
    page.locator("h1").click()
    for number, step in enumerate(steps, 1):
        expect(page.locator("#step-counter")).to_have_text(f"Step {number} / {len(steps)}")
        if step.phase != "update":
            expect(cell(page, step.result, 0, 0)).to_have_text(text.plain(float(values[step.result][0, 0])))
        if step.via or step.result == "d1":      # ℓ on the way to L; the activation's slope beside dH₁
            extra = step.via or "slope"
            shown_extra = page.locator(f'#step-matrices td[data-matrix="{extra}"]').all_inner_texts()
            assert shown_extra == [text.plain(float(x)) for x in values[extra].ravel()]
        # nothing later than this step is on screen: the step shows its operands and its result only
        shown = set(page.locator("#step-matrices td").evaluate_all("cells => cells.map(c => c.dataset.matrix)"))
        later = {s.result for s in steps[number:]} - {o.name for o in step.operands} - {step.result}
        assert not (shown & later), f"step {number} shows {shown & later} before computing them"
        page.keyboard.press("ArrowRight")
    # At the last step there is no next one to go to, at the first no previous one.
    expect(page.locator("#next-step")).to_be_disabled()
    expect(page.locator("#previous-step")).to_be_enabled()
    page.keyboard.press("Home")
    expect(page.locator("#step-counter")).to_have_text(f"Step 1 / {len(steps)}")
    expect(page.locator("#previous-step")).to_be_disabled()
    expect(page.locator("#next-step")).to_be_enabled()
    save_screenshot(page, "matrix-form")


def test_an_example_lights_its_row_and_opens_in_lesson_two_with_the_same_numbers(open_page, base_url):
    page = open_page("pages/matrix-form.html?step=3")
    page.locator("#sample").select_option("3")
    lit = page.locator("#step-matrices td.example")
    expect(lit).to_have_count(4)              # Z1 and H1: one row of two cells each
    assert set(lit.evaluate_all("cells => cells.map(c => c.dataset.row)")) == {"2"}
    h1 = page.locator('#step-matrices td.example[data-matrix="H1"]').first.get_attribute("title")
    page.locator("#scrubber").fill("6")     # the loss step: this example's own loss, ℓ₃
    loss = page.locator('#step-matrices td.example[data-matrix="losses"]').get_attribute("title")
    assert loss.endswith("(lesson 2's L for example 3)")
    href = page.locator("#lesson-two-link").get_attribute("href")
    page.goto(base_url + "pages/" + href)
    page.wait_for_selector("html[data-status=ready]")
    page.keyboard.press("End")              # every value is shown once its step is reached
    expect(page.locator("#network-graph")).to_contain_text(text.short(float(h1)))
    expect(page.locator("#live-loss")).to_have_text(text.plain(float(loss.split(" ")[0].replace("−", "-"))))


def test_editing_a_weight_cell_recomputes_the_batch(open_page):
    page = open_page("pages/matrix-form.html?step=2")
    page.locator("#cell-w11").fill("1.5")
    page.locator("#cell-w11").press("Enter")
    expected = model.run({**model.STATE.defaults(), "w11": 1.5}).values["Z1"]
    expect(cell(page, "Z1", 3, 0)).to_have_text(text.plain(float(expected[3, 0])))
    assert "w11=1.5" in page.url
    page.locator("#cell-w11").fill("abc")
    page.locator("#cell-w11").press("Enter")
    expect(page.locator("#cell-w11")).to_have_attribute("aria-invalid", "true")
    expect(cell(page, "Z1", 3, 0)).to_have_text(text.plain(float(expected[3, 0])))   # last valid value kept
    # the message names the cell, in both lessons' names, where the learner looks
    note = page.locator(".cell-note", has=page.locator("#cell-w11-error"))
    expect(note).to_be_visible()
    expect(note).to_contain_text("W₁[1,1], lesson 2's w₁₁: “abc” is not a number; still using 1.5")
    page.locator("#cell-w21").fill("1e308")
    page.locator("#cell-w21").press("Enter")
    expect(page.locator("#cell-w21-error")).to_have_text("clamped to the largest allowed value, 10")
    expect(page.locator("#cell-w21")).to_have_value("10")
    page.locator("#cell-w11").fill("2")                     # typing again clears the stale note
    expect(note).to_be_hidden()
    # a weight in the step's tables says its lesson-2 name: W₁[1,2] is w₂₁
    assert cell(page, "W1", 0, 1).get_attribute("title").endswith("(w₂₁ in lesson 2)")


def test_a_bad_batch_is_refused_at_the_field_and_the_last_batch_kept(open_page):
    page = open_page("pages/matrix-form.html?step=2")
    page.locator("#batch").fill("1,2,3")
    page.locator("#batch").press("Enter")
    expect(page.locator("#batch-error")).to_contain_text("0 or 1")
    expect(page.locator('#step-matrices td[data-matrix="X"]')).to_have_count(8)
    page.get_by_role("button", name="Eight examples").click()
    expect(page.locator('#step-matrices td[data-matrix="X"]')).to_have_count(16)
    expect(page.locator("#batch-error")).to_have_text("")


def test_the_gradient_check_lists_every_entry_in_agreement(open_page):
    page = open_page("pages/matrix-form.html?check=1&units=3")
    rows = page.locator("#check-body tr")
    expect(page.locator("#check-table")).to_be_hidden()        # nothing computed at step 1
    expect(page.locator("#check-note")).to_contain_text("once the backward pass has computed it")
    page.locator("#scrubber").fill("8")                        # dW₂ = H₁ᵀδ₂: its 3 entries
    expect(rows).to_have_count(3)
    expect(page.locator("#check-note")).to_contain_text("Checked so far: dW₂. A relative difference below 10⁻⁶")
    page.locator("#scrubber").fill("14")
    expect(rows).to_have_count(13)
    differences = [shown_number(t) for t in rows.locator("td:nth-child(4)").all_inner_texts()]     # 3.2×10⁻⁹
    assert max(differences) < 1e-7


def test_hovering_a_product_cell_lights_its_row_and_column(open_page):
    page = open_page("pages/matrix-form.html?step=12")      # dW1 = Xᵀ δ1
    cell(page, "dW1", 1, 0).hover()
    sources = page.locator("#step-matrices td.source")
    expect(sources).to_have_count(8)
    assert set(sources.evaluate_all("cells => cells.map(c => c.dataset.matrix + c.dataset.col)")) == {"X1", "d10"}
    # ... and says why the shapes must match, with this cell worked out from the page's numbers
    why = page.locator("#product-why")
    expect(why).to_contain_text("Xᵀ is 2×4 and δ₁ is 4×2")
    expect(why).to_contain_text("dW₁[2,1] = row 2 of Xᵀ (column 2 of X) · column 1 of δ₁")
    shown = cell(page, "dW1", 1, 0).get_attribute("title").split(" (")[0]
    assert why.locator(".cell-sum").inner_text().split(" = ")[3].removesuffix(".") == text.plain(float(shown.replace("−", "-")))
    page.keyboard.press("ArrowRight")                        # another step: no stale explanation
    expect(why).to_be_hidden()


def test_a_result_matrix_is_one_tab_stop_and_arrow_keys_move_between_its_cells(open_page):
    page = open_page("pages/matrix-form.html?step=2")
    cell(page, "Z1", 0, 0).hover()                         # the mouse rests on the result
    page.locator("#sample").focus()
    stops = []
    for _ in range(3):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement !== document.body"), "Tab lost the focus"
        stops.append(page.evaluate("document.activeElement.dataset.matrix || document.activeElement.id"))
    assert stops[0] == "Z1" and "Z1" not in stops[1:], f"Z₁ is one tab stop, not one per cell: {stops}"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(cell(page, "Z1", 0, 0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")                       # at the matrix's edge: stays, and no step
    moved = cell(page, "Z1", 1, 1)
    expect(moved).to_be_focused()
    expect(page.locator("#step-counter")).to_contain_text("Step 2 /")
    expect(page.locator('#step-matrices td[data-matrix="Z1"][tabindex="0"]')).to_have_count(1)
    expect(moved).to_have_attribute("tabindex", "0")
    value = model.run(model.STATE.defaults()).values["Z1"][1, 1]
    expect(moved).to_have_accessible_name(f"Z₁[2,2] = {text.plain(float(value))}")
    # the focused cell lights what it is made from, and keeps the focus while the mouse rests elsewhere
    expect(moved).to_have_class("focus")
    expect(page.locator('#step-matrices td.source[data-matrix="b1"]')).to_have_count(1)   # the bias added
    expect(page.locator("#product-why")).to_contain_text("Z₁[2,2] = row 2 of X")
    # End (a step key) from inside a matrix: the step changes and the focus stays on the step card
    page.keyboard.press("End")
    expect(page.locator("#step-counter")).to_contain_text("Step 14 /")
    expect(page.locator("#step-card")).to_be_focused()


def test_the_first_step_shows_the_data_and_the_update_its_numbers(shared_tab):
    page = shared_tab
    expect(page.locator("#step-matrices .arrow")).to_have_count(0)        # X and y are given, not computed
    expect(page.locator("#step-shapes")).to_have_text("X 4×2, y 4×1")
    page.keyboard.press("End")
    values = model.run(model.STATE.defaults()).values
    after = model.run(model.updated_state(model.STATE.defaults())).values["L"]
    expect(page.locator("#update-loss")).to_have_text(
        f"With η = 0.5, the batch's loss L goes from {text.plain(values['L'].item())} to {text.plain(after.item())}.")
    expect(page.locator("#step-matrices .arrow").first).to_have_text("− 0.5 ·")


def test_a_link_to_an_example_outside_its_batch_keeps_the_batch(open_page):
    page = open_page("pages/matrix-form.html?batch=0,0,0;1,1,0&sample=3&step=2")
    expect(page.locator("#url-notes")).to_contain_text("There is no example 3 in a batch of 2")
    expect(page.locator('#step-matrices td[data-matrix="X"]')).to_have_count(4)
    expect(page.locator("#step-matrices td.example")).to_have_count(0)


def test_a_narrow_screen_says_the_matrices_scroll_and_each_step_starts_at_the_left(open_page):
    page = open_page("pages/matrix-form.html?step=2&sample=2")
    page.set_viewport_size({"width": 360, "height": 800})
    try:
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowLeft")
        expect(page.locator("#step-matrices-hint")).to_be_visible()
        page.locator("#step-matrices").evaluate("box => box.scrollLeft = 60")
        page.keyboard.press("ArrowRight")
        expect(page.locator("#step-counter")).to_contain_text("Step 3 /")
        assert page.locator("#step-matrices").evaluate("box => box.scrollLeft") == 0
        save_screenshot(page, "matrix-form-360", full_page=False)
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
