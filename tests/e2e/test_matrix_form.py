"""The matrix-form lesson as a learner uses it: stepping by key, lighting up one example,
editing a weight cell, the link to lesson 2, the gradient check and an 800 × 600 embed."""
import pytest
from playwright.sync_api import expect

from app import matrix_form_model as model
from engine import text
from tests.e2e.conftest import needs_numpy, save_screenshot

pytestmark = [pytest.mark.e2e, needs_numpy]


def cell(page, matrix, row, column):
    return page.locator(f'#step-matrices td[data-matrix="{matrix}"][data-row="{row}"][data-col="{column}"]')


def test_keys_step_through_every_matrix_with_the_models_numbers(open_page):
    page = open_page("pages/matrix-form.html")
    values = model.run(model.STATE.defaults()).values
    steps = model.lesson_steps("tanh")
    page.locator("h1").click()
    for number, step in enumerate(steps, 1):
        expect(page.locator("#step-counter")).to_have_text(f"Step {number} / {len(steps)}")
        if step.phase != "update":
            expect(cell(page, step.result, 0, 0)).to_have_text(text.short(float(values[step.result][0, 0])))
        # nothing later than this step is on screen: the step shows its operands and its result only
        shown = set(page.locator("#step-matrices td").evaluate_all("cells => cells.map(c => c.dataset.matrix)"))
        later = {s.result for s in steps[number:]} - {o.name for o in step.operands} - {step.result}
        assert not (shown & later), f"step {number} shows {shown & later} before computing them"
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Home")
    expect(page.locator("#step-counter")).to_have_text(f"Step 1 / {len(steps)}")
    save_screenshot(page, "matrix-form")


def test_an_example_lights_its_row_and_opens_in_lesson_two_with_the_same_numbers(open_page, base_url):
    page = open_page("pages/matrix-form.html?step=3")
    page.locator("#sample").select_option("3")
    lit = page.locator("#step-matrices td.example")
    expect(lit).to_have_count(4)              # Z1 and H1: one row of two cells each
    assert set(lit.evaluate_all("cells => cells.map(c => c.dataset.row)")) == {"2"}
    h1 = page.locator('#step-matrices td.example[data-matrix="H1"]').first.get_attribute("title")
    href = page.locator("#lesson-two-link").get_attribute("href")
    page.goto(base_url + "pages/" + href)
    page.wait_for_selector("html[data-status=ready]")
    page.keyboard.press("End")              # every value is shown once its step is reached
    expect(page.locator("#network-graph")).to_contain_text(text.short(float(h1)))


def test_editing_a_weight_cell_recomputes_the_batch(open_page):
    page = open_page("pages/matrix-form.html?step=2")
    page.locator("#cell-w11").fill("1.5")
    page.locator("#cell-w11").press("Enter")
    expected = model.run({**model.STATE.defaults(), "w11": 1.5}).values["Z1"]
    expect(cell(page, "Z1", 3, 0)).to_have_text(text.short(float(expected[3, 0])))
    assert "w11=1.5" in page.url
    page.locator("#cell-w11").fill("abc")
    page.locator("#cell-w11").press("Enter")
    expect(page.locator("#cell-w11")).to_have_attribute("aria-invalid", "true")
    expect(cell(page, "Z1", 3, 0)).to_have_text(text.short(float(expected[3, 0])))   # last valid value kept


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
    expect(rows).to_have_count(13)
    differences = [float(t.replace("−", "-")) for t in rows.locator("td:nth-child(4)").all_inner_texts()]
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
    shown = cell(page, "dW1", 1, 0).get_attribute("title")
    assert why.locator(".cell-sum").inner_text().split(" = ")[3].removesuffix(".") == text.plain(float(shown.replace("−", "-")))
    page.keyboard.press("ArrowRight")                        # another step: no stale explanation
    expect(why).to_be_hidden()


EIGHT = "0,0,0;0,1,1;1,0,1;1,1,0;0.5,0.5,1;-1,0.5,0;2,-1,1;-0.5,-2,0"


def test_embedded_every_step_fits_800_by_600_even_with_eight_examples(open_page):
    page = open_page(f"pages/matrix-form.html?embed=1&units=3&sample=2&batch={EIGHT}")
    page.set_viewport_size({"width": 800, "height": 600})
    try:
        page.locator("#step-counter").click()
        for number in range(1, len(model.lesson_steps("tanh")) + 1):
            page.locator("#scrubber").fill(str(number))
            expect(page.locator("#step-counter")).to_contain_text(f"Step {number} /")
            size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            assert size[0] <= 800 and size[1] <= 600, f"step {number}: {size}"
        save_screenshot(page, "matrix-form-embed", full_page=False)
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
