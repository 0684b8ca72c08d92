"""The gradients page in the browser, checked the way a person would: which layers are
flagged, that remedies change the bars, that the bars are the engine's numbers, that bad
links and overflow are handled in words, that training runs, and how it looks."""
import math
import re

import pytest
from playwright.sync_api import expect

from engine import MLP, datasets
from tests.e2e.conftest import SCREENSHOTS, needs_numpy, save_screenshot

pytestmark = [pytest.mark.e2e, needs_numpy]

PAGE = "pages/gradients.html"
SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def shown_number(text: str) -> float:
    """A number as the page writes it: "0.1072" or "7.670×10⁻⁵"."""
    text = text.strip().replace("−", "-")
    if "×10" in text:
        mantissa, power = text.split("×10")
        return float(mantissa) * 10.0 ** int(power.translate(SUPERSCRIPTS))
    return float(text)


def settled(page):
    """Waits until the networks for the current settings are measured and drawn (at the
    largest settings that takes a few frames after a change)."""
    expect(page.locator("#sides")).not_to_have_attribute("aria-busy", "true", timeout=20_000)


def table(page, side: int) -> list[list[str]]:
    """The side's table view, opened as a person would, as rows of cell texts."""
    settled(page)
    details = page.locator(f"#side-{side} details.table-view")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return [row.locator("th, td").all_inner_texts() for row in page.locator(f"#side-{side}-table tr").all()]


def chart_titles(page, side: int) -> list[str]:
    settled(page)
    return page.locator(f"#side-{side}-chart .bar-row title").all_text_contents()


def engine_stats(activation="sigmoid", depth=5, width=8, init="normal", sigma=1.0, seed=0, samples=200):
    X, y = datasets.make("circle", samples, 0.0, seed)
    net = MLP([2] + [width] * depth + [1], activation=activation, init=init, init_scale=sigma, seed=seed)
    return net.gradient_stats(X, y)


def assert_matches_engine(page, side: int, stats):
    rows = table(page, side)
    titles = chart_titles(page, side)
    assert len(rows) == len(stats) == len(titles)
    for row, title, layer in zip(rows, titles, stats):
        shown = shown_number(row[2])
        # 4 significant digits, as the table shows them.
        assert f"{shown:.3e}" == f"{layer['mean_abs_grad']:.3e}", (row, layer)
        assert row[2] in title                                   # the bar says the same


def statuses(page, side: int) -> list[str]:
    return [row[4] for row in table(page, side)]


def set_checkbox(page, selector: str, checked: bool):
    box = page.locator(selector)
    if box.is_checked() != checked:
        box.focus()
        page.keyboard.press("Space")                             # keyboard, as well as the mouse
    assert box.is_checked() == checked


def save_part(locator, name: str):
    """Like save_screenshot, for one part of the page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def assert_no_raw_overflow(text: str):
    assert not re.search(r"\bnan\b|\binf\b|Infinity", text), "raw nan/inf on screen"
    assert text.count("NaN") == text.count("NaN (overflow)")


def test_sigmoid_vanishes_and_relu_with_he_does_not_side_by_side(open_page):
    page = open_page(PAGE)
    # The default: sigmoid, 5 hidden layers, normal init σ = 1, seed 0.
    assert page.locator("#depth-value").inner_text() == "5"
    assert_matches_engine(page, 0, engine_stats())
    first = statuses(page, 0)[0]
    assert "critical" in first or "warning" in first
    assert "computed in" in page.locator("#side-0-timing").inner_text()

    set_checkbox(page, "#toggle-compare", True)
    set_checkbox(page, "#remedy-init", True)                     # He in comparison mode
    assert page.locator("#init").input_value() == "he"
    expect(page.locator("#side-1")).to_be_visible()
    assert page.locator("#side-0-title").inner_text() == "Sigmoid"
    assert page.locator("#side-1-title").inner_text() == "ReLU"
    sigmoid, relu = statuses(page, 0), statuses(page, 1)
    assert any("critical" in s or "warning" in s for s in sigmoid[:2]), sigmoid
    assert not any("critical" in s for s in relu), relu
    assert_matches_engine(page, 0, engine_stats("sigmoid", init="he"))
    assert_matches_engine(page, 1, engine_stats("relu", init="he"))
    assert "compare=1" in page.url and "init=he" in page.url
    page.locator("#sides").scroll_into_view_if_needed()
    save_screenshot(page, "gradients-compare-both-sides")
    save_part(page.locator("#side-0"), "gradients-compare-sigmoid")
    save_part(page.locator("#side-1"), "gradients-compare-relu")


def test_remedies_change_the_bars_and_keyboard_drives_the_controls(open_page):
    page = open_page(PAGE + "?act=relu&init=normal&sigma=3")
    assert set(re.findall(r"critical: (\w+)", " ".join(statuses(page, 0)))) == {"exploding"}
    assert_matches_engine(page, 0, engine_stats("relu", sigma=3.0))
    save_screenshot(page, "gradients-critical")

    before = table(page, 0)
    set_checkbox(page, "#remedy-residual", True)
    after_residual = table(page, 0)
    assert [r[2] for r in after_residual] != [r[2] for r in before]
    assert "residual=1" in page.url

    set_checkbox(page, "#remedy-clip", True)
    assert page.locator("#clip_at").is_enabled()
    clipped = table(page, 0)
    assert [r[2] for r in clipped] != [r[2] for r in after_residual]
    assert "clipping threshold" in page.locator("#explain-list").inner_text()

    set_checkbox(page, "#remedy-clip", False)
    set_checkbox(page, "#remedy-residual", False)
    set_checkbox(page, "#remedy-init", True)                     # He for ReLU
    assert page.locator("#init").input_value() == "he"
    assert not any("critical" in s for s in statuses(page, 0))
    assert page.locator("#sigma").is_disabled()                  # σ only matters for the normal init
    save_screenshot(page, "gradients-healthy")

    page.locator("#depth").focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#depth-value").inner_text() == "6"
    assert len(table(page, 0)) == 7
    assert "depth=6" in page.url
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"                                     # focus is visible


def test_bad_links_and_typed_values_are_clamped_with_a_note(open_page):
    page = open_page(PAGE + "?depth=99&width=1&act=%3Cimg%20src%3Dx%3E&sigma=-3&seed=abc")
    notes = page.locator("#url-notes")
    assert notes.is_visible()
    text = notes.inner_text()
    assert "hidden layers: 99 is above 30" in text and "units per layer" in text and "activation" in text
    assert page.locator("img").count() == 0                      # nothing from the URL became markup
    assert page.locator("#depth-value").inner_text() == "30"
    assert page.locator("#width-value").inner_text() == "2"
    assert len(table(page, 0)) == 31
    save_screenshot(page, "gradients-bad-link")

    seed = page.locator("#seed")
    seed.fill("123456")
    seed.press("Enter")
    assert seed.input_value() == "9999"
    assert "largest allowed" in page.locator("#seed-error").inner_text()
    assert "seed=9999" in page.url


def test_training_and_divergence_are_shown_in_words(open_page):
    page = open_page(PAGE + "?act=leaky_relu&init=normal&sigma=2&depth=10&lr=3")
    page.click("#train-10")
    message = page.locator("#diverged")
    message.wait_for(state="visible", timeout=30_000)
    assert "diverged" in message.inner_text() and "Reset" in message.inner_text()
    assert page.locator("#train-10").is_disabled()
    assert "overflow" in " ".join(statuses(page, 0))
    assert_no_raw_overflow(page.locator("main").inner_text())
    save_screenshot(page, "gradients-diverged")

    page.click("#reset")
    assert message.is_hidden()
    assert page.locator("#side-0-summary").inner_text().startswith("untrained")

    # A healthy network trains: 10 steps, then play and pause.
    page.select_option("#act", "relu")
    set_checkbox(page, "#remedy-init", True)
    page.select_option("#lr", "0.1")
    before = page.locator("#side-0-summary").inner_text()
    page.click("#train-10")
    page.wait_for_selector("#side-0-summary:has-text('after 10 training steps')", timeout=30_000)
    loss_before = float(re.search(r"loss ([\d.]+)", before).group(1))
    loss_after = float(re.search(r"loss ([\d.]+)", page.locator("#side-0-summary").inner_text()).group(1))
    assert loss_after < loss_before

    page.click("#play")
    assert page.locator("#play").get_attribute("aria-pressed") == "true"
    summary = page.locator("#side-0-summary").inner_text()
    expect(page.locator("#side-0-summary")).not_to_have_text(summary, timeout=30_000)   # training, drawing
    page.click("#play")                                          # the page answers while it trains
    assert page.locator("#play").get_attribute("aria-pressed") == "false"
    steps = int(re.search(r"after (\d+) training steps", page.locator("#side-0-summary").inner_text()).group(1))
    assert steps > 10


def test_a_blown_up_loss_is_reported_as_divergence_before_training(open_page):
    """The issue's link: clipping at 0.01 makes the gradients look healthy, but the loss is 5.2×10⁴³.
    It was summarised as "0 critical, 0 warning, 31 healthy" with training on."""
    page = open_page(PAGE + "?depth=30&width=64&samples=400&act=elu&sigma=5&residual=1&clip=1&clip_at=0.01&lr=3")
    summary = page.locator("#side-0-summary").inner_text()
    assert re.fullmatch(r"untrained · loss 5(\.\d{1,3})?×10⁴³ · diverged", summary), summary
    message = page.locator("#diverged")
    assert message.is_visible()
    assert message.inner_text().startswith("Training is off: the ELU network diverged before any training")
    assert "10⁴³" in message.inner_text()
    assert page.locator("#train-10").is_disabled() and page.locator("#play").is_disabled()
    assert "Clipping shrinks its gradients" in page.locator("#explain-list").inner_text()
    assert page.locator("#url-notes").is_hidden()
    save_screenshot(page, "gradients-diverged-before-training")
    # Weights scaled to the width, without the residual sums, keep the outputs in range: training is back on.
    page.select_option("#init", "he")
    set_checkbox(page, "#remedy-residual", False)
    expect(message).to_be_hidden()
    expect(page.locator("#train-10")).to_be_enabled()
    expect(page.locator("#side-0-summary")).not_to_contain_text("diverged")


def test_embed_mode_and_a_narrow_screen(page, base_url):
    page.set_viewport_size({"width": 800, "height": 600})
    page.goto(base_url + PAGE + "?embed=1&compare=1&init=he")
    page.wait_for_selector("html[data-status='ready']", state="attached", timeout=90_000)
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".prose").first.is_hidden() and page.locator(".quick-checks").is_hidden()
    assert page.locator("#side-0-chart svg").is_visible() and page.locator("#side-1-chart svg").is_visible()
    page.locator("#remedy-residual").check()
    assert "embed=1" in page.url                                 # the link stays an embed link
    save_screenshot(page, "gradients-embed-800x600", full_page=False)

    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(base_url + PAGE + "?compare=1&init=he")
    page.wait_for_selector("html[data-status='ready']", state="attached", timeout=90_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#sides").scroll_into_view_if_needed()
    save_screenshot(page, "gradients-360px")
    svg_width = page.locator("#side-0-chart svg").bounding_box()["width"]
    assert svg_width <= 360 and math.isclose(float(page.locator("#side-0-chart svg").get_attribute("viewBox").split()[2]),
                                             svg_width, rel_tol=0.05)   # drawn at its real size: text stays readable
