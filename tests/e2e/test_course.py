"""The pages as one course: navigation, embed mode, share links, accessibility, small screens.
Runs over every lesson page that exists (pages are added one by one)."""
import shutil

import pytest

from backprop_lab import site
from backprop_lab.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.e2e.conftest import needs_numpy, page_for_module, save_screenshot, wait_until_ready

pytestmark = [pytest.mark.e2e, needs_numpy]

LESSONS = ["chain-rule", "step-through", "gradients", "playground", "matrix-form"]
EXISTING = [name for name in LESSONS if (site.ROOT / "pages" / f"{name}.html").exists()]
STATIC_PAGES = ["index.html", "pages/glossary.html"]
AXE = site.NODE_MODULES / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_url(site_dir, base_url):
    # Served from the site itself: the strict CSP forbids injecting it inline.
    shutil.copyfile(AXE, site_dir / "static" / "axe.min.js")
    return base_url + "static/axe.min.js"


def serious_violations(page, axe_url):
    page.add_script_tag(url=axe_url)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
    }""")
    return result


@pytest.mark.parametrize("path", STATIC_PAGES)
def test_static_pages_have_no_serious_accessibility_violations(page, base_url, axe_url, path):
    page.goto(base_url + path)
    assert serious_violations(page, axe_url) == []


@pytest.mark.parametrize("name", [*EXISTING, "write-it"])
def test_page_is_usable_from_phones_to_wide_screens(page, base_url, name):
    # Opened on a phone; then the same page on a wide screen (the layout is the style sheet's, so
    # a resize shows it; the 1280 px load is every other test's).
    page.set_viewport_size({"width": 360, "height": 900})
    page.goto(base_url + f"pages/{name}.html")
    wait_until_ready(page)
    for width in (360, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth")
        save_screenshot(page, f"{name}-{width}px")
        assert overflow <= width, f"the page is {overflow}px wide at a {width}px viewport"


@pytest.mark.skipif("chain-rule" not in EXISTING, reason="the chain-rule page is not there yet")
def test_completed_marks_are_kept_and_resettable(page, base_url):
    page.route("**/static/start.js", lambda route: route.abort())  # the mark is nav.js's: Python need not start
    page.goto(base_url + "pages/chain-rule.html")
    page.get_by_role("button", name="Mark this page completed").click()
    assert "✓" in page.locator("#site-header nav a[aria-current='page']").inner_text()
    page.goto(base_url + "index.html")
    assert "completed" in page.locator("[data-page='pages/chain-rule.html'] .status").inner_text()
    page.locator("#reset-progress").click()
    page.wait_for_load_state()
    assert page.locator("[data-page='pages/chain-rule.html'] .status").inner_text() == ""



LESSON_CARDS = ["1. Chain rule", "2. Step through a network", "3. Vanishing & exploding gradients",
                "4. Training playground", "5. Backprop in matrix form", "6. Write backprop yourself"]
# The header keeps all the lessons on one line with their short names (the full ones are the links' titles).
LESSON_LINKS = ["1. Chain rule", "2. Step through", "3. Gradients", "4. Playground", "5. Matrix form", "6. Write it"]


def header_links(page):
    """The header's links as a person reads them, progress marks left out."""
    return [text.removesuffix(" ✓") for text in page.locator("#site-header a").all_inner_texts()]


@pytest.fixture(scope="module")
def bfcache_browser(browser):
    """Chromium with its back/forward cache, as a learner has it (Playwright turns it off)."""
    launched = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
                                           ignore_default_args=["--disable-back-forward-cache"])
    yield launched
    launched.close()


@pytest.mark.parametrize("path, other", [("index.html", "pages/glossary.html"),
                                         ("pages/glossary.html", "index.html"),
                                         ("pages/chain-rule.html", "index.html")])
def test_header_has_every_lesson_link_on_every_load(browser, bfcache_browser, base_url, path, other):
    # A page the browser parses in one go (a reload, a page from the HTTP cache) came up with no
    # lesson links in its header.  Checked at once after each load, not waited for: a person sees
    # the page as it is when it has loaded.  Fresh contexts, without the session's request routing
    # (requests that Playwright intercepts arrive piecemeal, and then the header was rarely missed).
    for browser_now in (browser, bfcache_browser):
        context = browser_now.new_context()
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        if path.removeprefix("pages/").removesuffix(".html") in LESSONS:
            page.route("**/static/start.js", lambda route: route.abort())  # only nav.js matters here

        def check(what, page=page):
            assert header_links(page) == ["Backprop Lab", *LESSON_LINKS, "Glossary"], f"{what}: {page.url}"
            if page.url.endswith("/index.html"):   # the landing page's cards are built the same way
                assert page.locator("#lesson-cards h3").all_inner_texts() == LESSON_CARDS, f"{what}: cards"

        page.goto(base_url + path)
        check("open")
        for _ in range(3):
            page.reload()
            check("reload")
        # The back/forward cache keeps a page whole; Playwright's own browser has none, so there
        # back and forward load the page again, from the HTTP cache.  Chromium may still decline
        # its cache for a page now and then (memory, timing): then the page loads again, and its
        # header is checked once it has.
        bfcache = browser_now is bfcache_browser
        wait_until = "commit" if bfcache else "load"  # a restored page fires no load event

        def went(where, page=page, bfcache=bfcache):
            restored = page.evaluate("window.leftAt === location.href")
            if not bfcache:
                assert not restored, f"{where}: a page came from a back/forward cache that is off"
            elif not restored:
                page.wait_for_load_state("load")
            check(where)

        page.evaluate("window.leftAt = location.href")
        page.goto(base_url + other)
        check("open another page")
        page.evaluate("window.leftAt = location.href")
        page.go_back(wait_until=wait_until)
        went("back")
        page.go_forward(wait_until=wait_until)
        went("forward")
        page.goto(base_url + path)
        check("open again")
        context.close()
        assert errors == []


def test_landing_page_cards_lead_along_the_lesson_path(page, base_url):
    page.goto(base_url + "index.html")
    cards = page.locator("#lesson-cards > li")
    assert cards.locator("h3").all_inner_texts() == LESSON_CARDS
    # Each card shows its drawing and what the lesson teaches, and links where the header does.
    for card in cards.all():
        assert card.locator("svg.preview[role=img]").bounding_box()["height"] > 40
        assert len(card.locator("p").first.inner_text()) > 40
    hrefs = [link.get_attribute("href") for link in cards.locator("h3 a").all()]
    assert hrefs == [link.get_attribute("href") for link in page.locator("#site-header nav a").all()]
    save_screenshot(page, "landing")
    page.route("**/static/start.js", lambda route: route.abort())  # the lesson need not start
    cards.locator("h3 a").first.click()
    page.wait_for_url("**/pages/chain-rule.html")


# pytest groups the tests that share a module-scoped tab by the parameter's position in each list,
# so every list below is a start of this one.
SHARED_TAB_ORDER = ["step-through", "gradients", "playground", "chain-rule", "matrix-form"]
assert sorted(SHARED_TAB_ORDER) == sorted(EXISTING)


@pytest.fixture(scope="module")
def lesson(request, browser_context, base_url, external_requests):
    """pages/<param>.html at 1280 px, ready, in one tab shared by this module's checks of that
    lesson (pytest runs them together, lesson by lesson, in the order they are written here):
    starting Python takes seconds."""
    before = len(external_requests)
    yield from page_for_module(browser_context, base_url, f"pages/{request.param}.html")
    assert external_requests[before:] == [], "requests to other hosts were blocked"


@pytest.mark.parametrize("lesson", SHARED_TAB_ORDER[:3], indirect=True)
def test_header_is_one_line_and_the_pager_is_spread_at_1280(lesson):
    page = lesson
    brand = page.locator("#site-header .brand").bounding_box()
    share = page.get_by_role("button", name="Share / embed").bounding_box()
    glossary = page.locator("#site-header a", has_text="Glossary").bounding_box()
    for box in (share, glossary):
        assert abs(box["y"] + box["height"] / 2 - (brand["y"] + brand["height"] / 2)) < 8, "the header wraps"
    parts = [box for box in page.locator("#site-footer .pager > *").evaluate_all(
        "nodes => nodes.map(n => n.getBoundingClientRect().toJSON())") if box["width"] > 0]
    assert len(parts) == 3                  # previous, the completed mark, next
    for left, right in zip(parts, parts[1:]):
        assert right["x"] - (left["x"] + left["width"]) >= 24, "the pager's parts run together"
    assert parts[0]["x"] >= 8


@pytest.mark.parametrize("lesson", SHARED_TAB_ORDER[:1], indirect=True)
def test_keyboard_alone_reaches_every_control_with_visible_focus(lesson):
    page = lesson
    # A radio group is one Tab stop (arrow keys move inside it), so count groups, not radios.
    controls = page.evaluate("""() => {
        const all = [...document.querySelectorAll(
            'main button, main input, main select, main textarea, main summary, main [tabindex="0"]')]
            .filter(e => e.offsetParent !== null && !e.disabled);
        const groups = new Set(all.filter(e => e.type === 'radio').map(e => e.name));
        return all.filter(e => e.type !== 'radio').length + groups.size;
    }""")
    reached, no_outline = set(), set()
    page.locator("body").focus()
    for _ in range(controls * 2 + 40):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const e = document.activeElement;
            if (!e || !e.closest('main')) return null;
            const all = [...document.querySelectorAll('main *')];
            // Graph nodes show focus by their circle's stroke (site.css), not an outline.
            const style = e instanceof SVGElement
                ? (getComputedStyle(e.querySelector('circle') || e).strokeWidth !== '1.5px' ? 'stroke' : 'none')
                : getComputedStyle(e).outlineStyle;
            return [all.indexOf(e), style, e.outerHTML.slice(0, 80)];
        }""")
        if focused:
            reached.add(focused[0])
            if focused[1] == "none":
                no_outline.add(focused[2])
    assert len(reached) >= controls, f"Tab reached {len(reached)} of {controls} controls"
    assert not no_outline, f"focused controls without a visible focus indicator: {no_outline}"


# Last of the checks on the shared tab: it opens the share dialog and answers a quick check.
@pytest.mark.parametrize("lesson", SHARED_TAB_ORDER, indirect=True)
def test_lesson_page_is_accessible_navigable_and_shareable(lesson, axe_url):
    page = lesson
    assert serious_violations(page, axe_url) == []
    # Same header on every page, with this page marked current.
    current = page.locator("#site-header nav a[aria-current='page']")
    assert current.count() == 1
    # Share / embed gives the current address and an iframe snippet for it.
    page.get_by_role("button", name="Share / embed").click()
    link = page.locator("#share-link").input_value()
    assert link == page.url
    snippet = page.locator("#share-embed").input_value()
    assert snippet.startswith("<iframe src=") and "embed=1" in snippet
    # Quick checks: feedback only after a choice, explaining why.
    check = page.locator(".quick-check").first
    assert check.locator(".feedback").inner_text() == ""
    check.locator("input[type=radio]").first.check()
    assert len(check.locator(".feedback").inner_text()) > 20
