"""Every lesson, in every preset and size it offers, fits an 800 × 600 frame on another site.

An instructor pastes the share dialog's snippet (an 800 × 600 iframe) into a course page: what the
lesson shows there must not be cut off, and its pictures' text must stay readable.  "Fits" means
the frame's document is no taller or wider than the frame, or the part that is not is inside a
scroll container that shows a cue that there is more (site.css, `html.embed`); nothing is clipped
by an `overflow: hidden` box; and no text of an SVG picture renders smaller than about 10 px.
Each case also checks what the frame's start must do on another site, where the browser blocks its
storage: the lesson starts, tells the host page, takes input, and shows no site header.
"""
import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from app import matrix_form_model, playground_model, step_through_model, write_it_draw, write_it_model
from tests.e2e.conftest import needs_numpy, save_screenshot, wait_until_ready
from tests.e2e.test_embedding import STORAGE_PROBE, posted_messages
from tests.e2e.test_playground import labels_cut_off, menus_cut_off, train_past

pytestmark = [pytest.mark.e2e, needs_numpy]

SMALLEST_TEXT_PX = 9.5      # "about 10 px": a glyph this size is still read without zooming


def step_through_preset(name):
    values = step_through_model.preset_values(name, step_through_model.STATE.defaults())
    return "step-through.html" + step_through_model.STATE.to_query(values)


def playground_settings(settings):
    values = {**playground_model.STATE.defaults(), **settings}
    return "playground.html" + playground_model.STATE.to_query(values)


EIGHT_EXAMPLES = "0,0,0;0,1,1;1,0,1;1,1,0;0.5,0.5,1;-1,0.5,0;2,-1,1;-0.5,-2,0"
assert len(EIGHT_EXAMPLES.split(";")) == matrix_form_model.MAX_BATCH

# (name for the report and screenshot, page and query without embed=1).  Every page of nav.js's
# PAGES, each preset its menus offer, and the largest sizes its settings allow.
CASES = [
    # Panel 1 as the link opens it, then each other panel as the embed's panel switcher shows it.
    ("chain-rule-panels", "chain-rule.html?panel=1"),
    # Panel 5's longest preset expression: the biggest graph a preset draws, at its readable
    # minimum text size, scrolling in its box.
    ("chain-rule-panel-5-longest", "chain-rule.html?" + urlencode({"panel": 5, "expr": "x * exp(-x) + log(y)"})),
    *[(f"step-through-{name}", step_through_preset(name)) for name in step_through_model.PRESETS],
    ("gradients-default", "gradients.html"),
    ("gradients-deepest-widest", "gradients.html?depth=30&width=64"),
    ("gradients-smallest", "gradients.html?depth=2&width=2"),
    ("gradients-everything-on", "gradients.html?depth=30&width=64&compare=1&residual=1&clip=1&act=relu&sigma=5"),
    *[(f"playground-{key}", playground_settings(preset.settings))
      for key, preset in playground_model.PRESETS.items()],
    # Regression: its colour map's legend is taller than the classes' (the page was 613 px tall);
    # Multiple Gaussians starts with the larger 8,8 network and the longest dataset name.
    ("playground-regression", "playground.html?problem=regression&dataset=multi_gaussians"),
    ("playground-3x16", "playground.html?layers=16,16,16"),
    ("playground-most-layers", "playground.html?" + urlencode(
        {"layers": ",".join(["16"] * playground_model.MAX_HIDDEN_LAYERS)})),
    ("matrix-form-default", "matrix-form.html"),
    ("matrix-form-eight-examples", "matrix-form.html?" + urlencode({"batch": EIGHT_EXAMPLES, "units": 3})),
    # The exercises share one layout; the first, and the one with the longest statement.
    ("write-it-default", "write-it.html"),
    ("write-it-longest-statement", "write-it.html?exercise=" + max(
        write_it_model.EXERCISES, key=lambda key: len(write_it_draw.statement(key)))),
]

# What the frame shows, measured inside it: the document's size against the frame's, every box
# that clips content it cannot scroll to, every scroll container with more than it shows (and
# whether it draws the scroll cue), and every SVG text that renders too small.
MEASURE = """(smallest) => {
  const root = document.documentElement;
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 1 && r.height > 1
    && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden], details:not([open]) > :not(summary)'); };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const clipped = [], scrollers = [], small = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el) || el.matches('input, textarea, select')) continue;     // a field scrolls its own text
    const style = getComputedStyle(el);
    const tallBy = el.scrollHeight - el.clientHeight, wideBy = el.scrollWidth - el.clientWidth;
    const scrollsY = /auto|scroll/.test(style.overflowY), scrollsX = /auto|scroll/.test(style.overflowX);
    const clipsY = /hidden|clip/.test(style.overflowY), clipsX = /hidden|clip/.test(style.overflowX);
    if ((clipsY && tallBy > 2) || (clipsX && wideBy > 2)) {
      // A one-line box that clips a descender, or an ellipsis, is not content lost.
      if (!(el.clientHeight > 4 && tallBy <= 4 && wideBy <= 2)) {
        clipped.push(`${name(el)} (${tallBy} px tall, ${wideBy} px wide too much)`);
      }
    }
    if ((scrollsY && tallBy > 2) || (scrollsX && wideBy > 2)) {
      scrollers.push({ name: name(el), cue: style.getPropertyValue('--scroll-cue').trim() === 'on'
                        && /gradient/.test(style.backgroundImage) });
    }
    if (el instanceof SVGTextElement && el.textContent.trim()) {
      const matrix = el.getScreenCTM();
      const size = parseFloat(style.fontSize) * Math.hypot(matrix.a, matrix.b);
      if (size < smallest) small.push(`"${el.textContent.trim().slice(0, 20)}" ${size.toFixed(1)} px`);
    }
  }
  return { height: root.scrollHeight, frameHeight: root.clientHeight, width: root.scrollWidth,
           frameWidth: root.clientWidth, clipped, scrollers, small };
}"""


@pytest.mark.parametrize("name, path", CASES, ids=[case.values[0] if hasattr(case, "values") else case[0] for case in CASES])
def test_every_page_and_preset_fits_an_800_by_600_embed(page, other_site, name, path):
    page.set_viewport_size({"width": 840, "height": 700})
    separator = "&" if "?" in path else "?"
    page.goto(other_site(f"pages/{path}{separator}embed=1"))
    page.wait_for_selector("iframe", state="attached")
    frame = page.frames[1]
    wait_until_ready(frame)
    assert frame.locator("#url-notes").is_hidden(), f"the link's settings were not all taken: {path}"
    # Started where the browser refuses the frame its storage (the case start.js is for), told the
    # host as the README's instructor section promises (loading stages in order, then ready), and
    # no longer held inert by the loader; embed mode shows no site header.
    assert frame.evaluate(STORAGE_PROBE) == "SecurityError"
    messages = posted_messages(page)
    assert messages[-1] == {"backprop-lab": "ready"}
    loading = messages[:-1]
    assert loading and all(m["backprop-lab"] == "loading" and m["steps"] == 4 for m in loading), messages
    steps = [m["step"] for m in loading]
    assert steps[0] == 1 and steps == sorted(set(steps)), messages
    assert frame.evaluate("[...document.querySelectorAll('.needs-python')].every(w => !w.inert)")
    assert frame.locator("#site-header").is_hidden()
    if name == "chain-rule-panels":
        check_panels(page, frame)
        return
    fit = assert_fits(page, frame, name)
    if name.startswith("playground"):
        assert menus_cut_off(frame) == [], f"{name}: menu entries cut off"
        assert labels_cut_off(frame) == [], f"{name}: labels cut off"
    # A stepper's later steps say more than its first: every step must fit too.
    scrubber = frame.locator("#scrubber")
    if scrubber.count():
        too_big = []
        for number in range(1, int(scrubber.get_attribute("max")) + 1):
            scrubber.fill(str(number))
            expect(frame.locator("#step-counter")).to_contain_text(f"Step {number} /")
            size = frame.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            if size[0] > fit["frameWidth"] or size[1] > fit["frameHeight"]:
                too_big.append((number, size))
        assert too_big == [], f"{name}: steps larger than the frame (step, [width, height]): {too_big}"


def assert_fits(page, frame, name):
    """What the frame shows now fits it (the module's docstring); its measures."""
    fit = frame.evaluate(MEASURE, SMALLEST_TEXT_PX)
    save_screenshot(page, f"embed-fit-{name}", full_page=False)
    assert fit["frameHeight"] == 600 and fit["frameWidth"] <= 800
    assert fit["width"] <= fit["frameWidth"], f"{name}: {fit['width']} px wide in a {fit['frameWidth']} px frame"
    assert fit["height"] <= fit["frameHeight"], f"{name}: {fit['height']} px tall in a 600 px frame"
    assert fit["clipped"] == [], f"{name}: content cut off by {fit['clipped']}"
    assert [s["name"] for s in fit["scrollers"] if not s["cue"]] == [], \
        f"{name}: scrolls with no visible cue: {fit['scrollers']}"
    assert fit["small"] == [], f"{name}: SVG text below {SMALLEST_TEXT_PX} px: {fit['small'][:8]}"
    return fit


def check_panels(page, frame):
    """The chain-rule lesson embedded: panel 1 fits and computes, then every other panel fits once
    the switcher shows it (what a link with panel=N opens, without starting the page again)."""
    assert_fits(page, frame, "chain-rule-panel-1")
    before = frame.locator("#panel-1").inner_text()
    slider = frame.locator("#panel-1 input[type=range]").first
    slider.focus()
    slider.press("ArrowRight")
    expect(frame.locator("#panel-1")).not_to_have_text(before)
    buttons = frame.locator("#panel-switcher button")
    numbers = [button.get_attribute("data-panel") for button in buttons.all()]
    assert numbers == ["1", "2", "3", "4", "5"], numbers
    for number in numbers[1:]:
        buttons.nth(int(number) - 1).click()
        expect(frame.locator("html")).to_have_attribute("data-panel", number)
        expect(frame.locator(f"#panel-{number}")).to_be_visible()
        assert_fits(page, frame, f"chain-rule-panel-{number}")


def test_the_playground_fits_while_it_shows_an_earlier_epoch_of_a_long_run(page, other_site):
    """Trained for 10,000 epochs and scrubbed back on the curve, the playground says "Viewing epoch
    N of M" and reads out the losses under the pointer, and then a point's backprop: those states
    must fit the frame too.  It was
    8-15 px too tall: "Training accuracy 100.0%" and a five-digit epoch's read-out each took two lines."""
    page.set_viewport_size({"width": 840, "height": 700})
    page.goto(other_site("pages/playground.html?speed=max&embed=1"))
    page.wait_for_selector("iframe", state="attached")
    frame = page.frames[1]
    wait_until_ready(frame)
    train_past(frame, 10_000)
    box = frame.locator("#loss-curve").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.99, box["y"] + box["height"] * 0.4)     # the newest losses
    expect(frame.locator("#curve-readout")).to_have_text(re.compile(r"^epoch \d{5}: training"))
    scrub = frame.locator("#scrub")
    scrub.focus()
    scrub.press("End")
    scrub.press("ArrowLeft")
    expect(frame.locator("#replay-note")).to_contain_text("Viewing epoch")
    expect(frame.locator("#train-accuracy")).to_have_text("100.0%")
    assert_fits(page, frame, "playground-viewing-an-earlier-epoch")
    # A click on a point opens its backprop panel, which took 1,136 px of the frame's page: it now
    # takes the curve's place and scrolls inside the frame.
    frame.locator("#boundary-overlay .pt.train").nth(5).click()
    expect(frame.locator("#point-panel")).to_be_visible()
    expect(frame.locator("#loss-curve")).to_be_hidden()
    assert_fits(page, frame, "playground-point-panel")
