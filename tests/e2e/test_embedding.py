"""Lessons framed by a page on another site, as an LMS or course site embeds them.

The host page is on `localhost` and the lesson on `127.0.0.1`: two sites, so the browser treats
the lesson as a third-party frame and blocks its storage (localStorage throws, IndexedDB does
not open).  PyScript needs IndexedDB to start; static/start.js gives it one in memory there.
"""
import html
import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import needs_numpy, save_screenshot, wait_until_ready

pytestmark = [pytest.mark.e2e, needs_numpy]

LESSONS = ["chain-rule", "step-through", "gradients", "playground", "matrix-form"]
STORAGE_PROBE = "() => { try { localStorage.length; return 'available'; } catch (e) { return e.name; } }"


def posted_messages(page):
    """The messages the frame posted to the host page, once it has posted ready or error."""
    page.locator("#messages li", has_text='"ready"').or_(page.locator("#messages li", has_text='"error"')).wait_for(
        state="attached")
    return [json.loads(text) for text in page.locator("#messages li").all_text_contents()]


def lesson_frame(page):
    page.wait_for_selector("iframe", state="attached")
    frame = page.frames[1]
    wait_until_ready(frame)
    return frame


# That each lesson starts in a frame on another site (storage refused, ready posted to the host,
# input taken) is checked by tests/e2e/test_embed_fit.py with every case it frames; there the
# chain-rule's first panel also computes.


def test_progress_is_not_kept_in_a_frame_on_another_site_and_says_so(page, other_site):
    page.goto(other_site("pages/chain-rule.html"))
    frame = lesson_frame(page)
    mark = frame.get_by_role("button", name="Mark this page completed")
    mark.click()
    assert "not kept" in frame.locator("#site-footer").inner_text()
    assert frame.evaluate("document.documentElement.dataset.status") == "ready"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_fits_a_narrow_frame_on_another_site(page, other_site, name):
    # A course page on a phone frames the lesson about 360 px wide: nothing may stick out sideways.
    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(other_site(f"pages/{name}.html?embed=1"))
    page.evaluate("document.querySelector('iframe').width = 360")
    frame = lesson_frame(page)
    widths = frame.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px frame"
    save_screenshot(page, f"embed-other-site-360-{name}", full_page=False)


def test_an_embed_takes_the_theme_its_link_sets_whatever_the_visitors_os_uses(page, other_site):
    # A light course page framing a lesson must not show black boxes to a visitor whose OS is dark.
    # (theme=dark for a visitor whose OS is light: the next test's frame.)
    page.emulate_media(color_scheme="dark")
    page.goto(other_site("pages/step-through.html?embed=1&theme=light"))
    frame = lesson_frame(page)
    assert frame.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(255, 255, 255)"
    assert frame.locator("#url-notes").is_hidden()      # theme is not a lesson setting to complain about
    save_screenshot(page, "embed-theme-light", full_page=False)
    page.emulate_media(color_scheme="light")


def test_an_embed_links_to_the_full_lesson_in_the_same_state_and_the_full_page_does_not(page, other_site):
    page.emulate_media(color_scheme="light")
    page.goto(other_site("pages/step-through.html?embed=1&theme=dark&step=5"))
    frame = lesson_frame(page)
    # The theme the link sets, whatever the visitor's OS uses (here light), and no note about it.
    assert frame.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(20, 23, 27)"
    assert frame.locator("#url-notes").is_hidden()
    save_screenshot(page, "embed-theme-dark", full_page=False)
    link = frame.get_by_role("link", name="Open the full lesson")
    expect(link).to_be_visible()
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel").split()
    # Small: one line of small text, not a second header.
    box = link.bounding_box()
    assert box["height"] <= 20 and float(link.evaluate("a => getComputedStyle(a).fontSize")[:-2]) <= 13
    # The state the learner reached in the frame, without embed=1.
    frame.locator("#next-step").click()
    expect(frame.locator("#step-counter")).to_contain_text("Step 6 /")
    link.hover()
    href = link.get_attribute("href")
    assert "embed" not in href and "step=6" in href and "theme=dark" in href
    with page.context.expect_page() as opened:
        link.click()
    full = opened.value
    wait_until_ready(full)
    assert "embed" not in full.url
    expect(full.locator("#site-header")).to_be_visible()
    expect(full.locator("#step-counter")).to_contain_text("Step 6 /")
    assert full.locator("#full-lesson").count() == 0
    full.close()


def test_the_share_dialog_writes_the_chosen_theme_into_the_embed_and_the_embed_takes_it(page, other_site, base_url):
    page.emulate_media(color_scheme="light")
    page.goto(base_url + "pages/gradients.html?depth=6")
    wait_until_ready(page)
    page.get_by_role("button", name="Share / embed").click()
    snippet = page.locator("#share-embed")
    assert "theme=" not in snippet.input_value()                 # follows the visitor's system by default
    page.get_by_label("Embed colours").select_option("dark")
    expect(snippet).to_have_value(re.compile(r"theme=dark"))
    src = html.unescape(re.search(r'src="([^"]*)"', snippet.input_value()).group(1))
    assert "embed=1" in src and "depth=6" in src
    # The snippet's frame, in a light course page for a visitor with a light OS, is dark.
    page.goto(other_site(src.removeprefix(base_url)))
    frame = lesson_frame(page)
    assert frame.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(20, 23, 27)"
    save_screenshot(page, "embed-share-theme-dark", full_page=False)
