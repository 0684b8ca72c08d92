"""The playground's input features and regression (issue 21, section 2) in headless Chromium.
Each test opens the page with the link it needs; the two that start from the page with no link
share one tab (`shared_tab`), the second back at the defaults by `back_to_the_defaults`."""
import re

import pytest
from playwright.sync_api import expect

from app import playground_model as model
from tests.e2e.conftest import SCREENSHOTS, needs_numpy, page_for_module, save_screenshot
from tests.e2e.test_playground import PAGE, WAIT_FOR_EPOCH, back_to_the_defaults, epoch, number, train_past

pytestmark = [pytest.mark.e2e, needs_numpy]


@pytest.fixture(scope="module")
def shared_tab(browser_context, base_url, external_requests):
    """The page with no link, in one tab (starting Python takes seconds)."""
    yield from page_for_module(browser_context, base_url, PAGE, external_requests)


def input_titles(page):
    """The titles of the diagram's input squares (its first column), in order."""
    return [title for title in page.locator("#diagram .pg-unit").evaluate_all("cs => cs.map(c => c.title)")
            if title.startswith("input ")]


def toggle(page, name):
    return page.locator(f'#feature-toggles button[data-feature="{name}"]')


def test_turning_a_feature_on_puts_it_in_the_link_and_the_input_column_and_trains(shared_tab):
    page = back_to_the_defaults(shared_tab)
    assert input_titles(page) == ["input x₁", "input x₂"]
    expect(toggle(page, "x1")).to_have_attribute("aria-pressed", "true")
    expect(toggle(page, "x1_sq")).to_have_attribute("aria-pressed", "false")
    assert "features=" not in page.url                  # the default stays out of the link

    toggle(page, "x1_sq").click()
    expect(toggle(page, "x1_sq")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"features=x1%2Cx2%2Cx1_sq"))
    assert input_titles(page) == ["input x₁", "input x₂", "input x₁²"]
    # Each toggle shows its feature's map: the x₁² canvas is painted, and not in one colour.
    colours = toggle(page, "x1_sq").locator("canvas").evaluate(
        "c => new Set(Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)).size")
    assert colours > 10

    first_loss = number(page, "train-loss")
    train_past(page, 100)
    assert number(page, "train-loss") < first_loss
    assert number(page, "test-accuracy") > 90
    save_screenshot(page, "playground-features-1280")

    # A reload keeps the features.
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-status", "ready", timeout=120_000)
    assert input_titles(page) == ["input x₁", "input x₂", "input x₁²"]


def test_squares_alone_separate_the_circle_without_hidden_units(open_page):
    page = open_page(PAGE + "?features=x1_sq,x2_sq&layers=")
    assert input_titles(page) == ["input x₁²", "input x₂²"]
    train_past(page, 150)
    assert number(page, "test-accuracy") >= 95


def test_the_last_feature_cannot_be_turned_off(open_page):
    page = open_page(PAGE + "?features=x2")
    toggle(page, "x2").click()
    expect(page.locator("#features-note")).to_contain_text("At least one input must stay on")
    expect(toggle(page, "x2")).to_have_attribute("aria-pressed", "true")
    assert input_titles(page) == ["input x₂"] and "features=x2" in page.url
    toggle(page, "sin_x1").click()                     # another one on clears the note
    expect(page.locator("#features-note")).to_have_text("")
    expect(page).to_have_url(re.compile(r"features=x2%2Csin_x1"))


def test_regression_trains_and_shows_r_squared_and_the_colour_map(shared_tab):
    page = back_to_the_defaults(shared_tab)
    page.select_option("#problem", "regression")
    expect(page).to_have_url(re.compile(r"problem=regression"))
    expect(page.locator("#dataset")).to_have_value("plane")
    expect(page.locator("#train-r2-row")).to_be_visible()
    expect(page.locator("#test-r2-row")).to_be_visible()
    expect(page.locator("#train-accuracy-row")).to_be_hidden()
    expect(page.locator("#loss")).to_be_disabled()
    legend = page.locator("#value-legend")
    expect(legend).to_be_visible()
    expect(legend.locator("svg")).to_have_attribute("aria-label", re.compile("orange for −1 or less"))
    expect(page.locator("#point-legend")).to_be_hidden()
    expect(page.locator("#intro")).to_have_text(model.intro_text(True))
    # Only regression datasets are offered.
    offered = page.locator("#dataset option").evaluate_all("os => os.filter(o => !o.hidden).map(o => o.value)")
    assert offered == ["plane", "multi_gaussians"]

    r2_before = float(page.locator("#test-r2").inner_text().replace("−", "-"))
    train_past(page, 150)
    r2_after = float(page.locator("#test-r2").inner_text().replace("−", "-"))
    assert r2_after > max(r2_before, 0.9)
    assert epoch(page) > 150
    # The output picture uses the diverging map: both ends of it appear on the plane.
    hues = page.locator("#boundary-canvas").evaluate("""c => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let orange = 0, blue = 0;
      for (let i = 0; i < d.length; i += 4) { if (d[i] > d[i + 2] + 40) orange++; if (d[i + 2] > d[i] + 40) blue++; }
      return [orange, blue]; }""")
    assert min(hues) > 500
    save_screenshot(page, "playground-regression-1280")

    # Multiple Gaussians brings its own starting settings (it barely learned with 4-2 and SGD), and Undo.
    page.select_option("#dataset", "multi_gaussians")
    expect(page).to_have_url(re.compile(r"dataset=multi_gaussians"))
    assert epoch(page) == 0
    expect(page.locator("#layers")).to_have_value("8,8")
    expect(page.locator("#optimizer")).to_have_value("adam")
    expect(page.locator("#undo-text")).to_have_text(model.dataset_note("multi_gaussians"))
    page.click("#undo")
    expect(page.locator("#dataset")).to_have_value("plane")
    expect(page.locator("#layers")).to_have_value("4,2")
    page.select_option("#dataset", "multi_gaussians")
    page.set_viewport_size({"width": 360, "height": 800})
    page.evaluate("() => document.getElementById('output-heading').scrollIntoView()")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    save_screenshot(page, "playground-regression-360")
    for panel in ("network", "output"):
        page.locator(f".pg-{panel}").screenshot(path=str(SCREENSHOTS / f"playground-regression-360-{panel}.png"))

    # Back to classification: its first dataset, accuracy again.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.select_option("#problem", "classification")
    expect(page.locator("#dataset")).to_have_value("circle")
    expect(page.locator("#train-accuracy-row")).to_be_visible()
    expect(page.locator("#train-r2-row")).to_be_hidden()
    expect(page.locator("#value-legend")).to_be_hidden()


def test_regression_and_features_in_dark_mode_and_the_export(open_page, page):
    page.emulate_media(color_scheme="dark")
    page = open_page(PAGE + "?problem=regression&dataset=multi_gaussians&features=x1,x2,sin_x1,sin_x2"
                     "&layers=8,8&lr=0.1")
    assert input_titles(page) == ["input x₁", "input x₂", "input sin x₁", "input sin x₂"]
    page.evaluate(WAIT_FOR_EPOCH, [-1, 1])
    page.click("#step")
    expect(page.locator("#epoch")).to_have_text("1")
    save_screenshot(page, "playground-regression-dark")
    page.locator(".pg-export summary").click()
    page.click("#export")
    snippet = page.locator("#export-python")
    expect(snippet).to_have_value(re.compile(
        r"features\.transform\(scaler\.transform\(X\), \('x1', 'x2', 'sin_x1', 'sin_x2'\)\)"))
    expect(snippet).to_have_value(re.compile(r"output='linear', loss='mse'"))
    expect(snippet).to_have_value(re.compile(r"test R²"))
    expect(page.locator("#export-json")).to_have_value(re.compile(r'"features": "x1,x2,sin_x1,sin_x2"'))
