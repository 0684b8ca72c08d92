"""Links, files and stored data that used to stop a lesson from starting, or quietly changed
it: the start-up safety net, the playground's number and coordinate checks, a bad CSV kept out
of the link, exact share/embed snippets, embed mode read as a parameter, and junk in the
stored progress."""
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlparse

import pytest

from tests.e2e.conftest import needs_numpy, save_screenshot, wait_until_ready

pytestmark = [pytest.mark.e2e, needs_numpy]

RANGE_TEXT = "coordinates must lie between −1,000,000 and 1,000,000"


def query(page):
    return parse_qsl(urlparse(page.url).query, keep_blank_values=True)


def notes(page):
    box = page.locator("#url-notes")
    return box.inner_text() if box.is_visible() else ""


def x_tick_labels(page):
    return page.locator("#boundary-overlay text.tick-label[text-anchor='middle']").all_text_contents()


# ---------------------------------------------------------------- the start-up safety net

# Stands for any setting in a link that makes the page raise while it starts: the canvas
# refuses to work while the link says noise=37.
FAULT = """
if (new URLSearchParams(location.search).get("noise") === "37") {
  HTMLCanvasElement.prototype.getContext = function () { throw new Error("injected fault"); };
}
"""


@pytest.mark.parametrize("extra", ["", "&ignored=seed"])   # a hand-written `ignored` must not turn it off
def test_a_link_that_stops_the_page_starts_from_defaults_and_says_what_was_left_out(page, base_url, extra):
    page.add_init_script(FAULT)
    page.goto(base_url + "pages/playground.html?embed=1&noise=37&layers=3,3&bogus=1" + extra)
    wait_until_ready(page)
    said = notes(page)
    assert "“noise”" in said and "“layers”" in said and "defaults" in said and "“seed”" not in said, said
    # The link is rewritten without them (a reload would fail again), embed mode is kept.
    assert query(page) == [("embed", "1")]
    assert page.evaluate("document.documentElement.classList.contains('embed')")
    assert page.locator("#noise").input_value() == "0"
    assert "2 hidden layers" in page.locator("#diagram-controls").inner_text()
    page.click("#step")
    assert page.locator("#epoch").inner_text() == "1"
    save_screenshot(page, "links-safety-net", full_page=False)


def test_a_page_that_cannot_start_even_without_the_link_says_so_after_one_retry(page, base_url):
    page.add_init_script("HTMLCanvasElement.prototype.getContext = () => { throw new Error('injected fault'); };")
    loads = []
    page.on("domcontentloaded", lambda tab: loads.append(urlparse(tab.url).query))
    page.goto(base_url + "pages/playground.html?noise=20")
    page.wait_for_selector("html[data-status='error']", state="attached", timeout=90_000)
    assert "injected fault" in page.locator("#loader").inner_text()
    page.wait_for_timeout(1000)
    assert loads == ["noise=20", "ignored=noise"]           # one retry without the link's settings, no loop


def test_a_hand_written_ignored_parameter_claims_nothing(open_page):
    # The page did start with this link: no note may say it could not.
    page = open_page("pages/playground.html?ignored=seed,layers&seed=abc")
    assert "could not start" not in notes(page)


# ---------------------------------------------------------------- links that used to stop the playground

@pytest.mark.parametrize("bad, label", [
    ("layers=%C2%B2", "hidden layers"),                                       # ²: isdigit() but not int()
    ("layers=4,1%E2%82%82", "hidden layers"),                                 # ₂
    ("dataset=custom&points=1e308,1e308,0;-1e308,-1e308,1", RANGE_TEXT),      # crashed drawing the axes
    ("dataset=custom&points=1e155,1e155,0;-1e155,-1e155,1", RANGE_TEXT),      # loss stuck at 0.6931
])
def test_links_that_stopped_the_playground_start_with_a_note(open_page, bad, label):
    page = open_page(f"pages/playground.html?{bad}")
    assert label in notes(page)
    kept = dict(query(page))
    assert "layers" not in kept and "points" not in kept           # the link no longer carries them
    if "points" in bad:     # "your own points", none yet: the page says what to do
        assert "both classes" in page.locator("#train-status").inner_text()
    else:
        page.click("#step")
        assert page.locator("#epoch").inner_text() == "1"


def test_identical_own_points_get_readable_axes(open_page):
    page = open_page("pages/playground.html?dataset=custom&points=5,5,0;5,5,1")
    labels = x_tick_labels(page)
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels       # was one lone "5"
    assert notes(page) == ""


# ---------------------------------------------------------------- a bad CSV stays out of the link

def test_a_csv_is_validated_before_the_link_is_saved(open_page, base_url):
    page = open_page("pages/playground.html?dataset=custom&points=0.5,0.5,0;-0.5,-0.5,1")
    before = page.url
    page.click(".pg-csv summary")
    assert "−1,000,000 and 1,000,000" in page.locator("#csv-hint").inner_text()   # said where it is typed
    page.fill("#csv", "x1,x2,label\n1e308,1e308,0\n-1e308,-1e308,1\n")
    page.click("#load-csv")
    error = page.locator("#csv-error").inner_text()
    assert "row 2" in error and RANGE_TEXT in error, error
    assert page.locator("#csv").get_attribute("aria-invalid") == "true"
    assert page.url == before                                   # the link still holds the old points
    assert page.locator("#boundary-overlay .pt").count() == 2
    # A spreadsheet's semicolons (with decimal commas) are read, and the link takes them.
    page.fill("#csv", "x1;x2;label\n0,25;-0,5;0\n-0,75;1;1\n0;0,5;1\n")
    page.click("#load-csv")
    assert page.locator("#csv-error").inner_text() == "Loaded 3 points."
    assert page.locator("#boundary-overlay .pt").count() == 3
    assert dict(query(page))["points"] == "0.25,-0.5,0;-0.75,1.0,1;0.0,0.5,1"
    save_screenshot(page, "links-csv")
    page.goto(page.url)                                          # the saved link starts
    wait_until_ready(page)
    assert page.locator("#boundary-overlay .pt").count() == 3 and notes(page) == ""


# ---------------------------------------------------------------- share and embed snippets

class IframeSource(HTMLParser):
    def __init__(self):
        super().__init__()
        self.src = None

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.src = dict(attrs)["src"]


STATES = {
    "chain-rule": "p1x=1.5&p2g=exp&p4w=-3",
    "step-through": "x1=0.25&lr=0.1",
    "gradients": "depth=10&act=relu&clip=1&clip_at=0.5",
    "playground": "reg=l2&reg_rate=0.5&lr=0.3",     # "&reg" was read as "®" in the snippet
}


@pytest.mark.parametrize("name", list(STATES))
def test_embed_snippet_parses_to_the_same_state(open_page, name):
    page = open_page(f"pages/{name}.html?{STATES[name]}")
    assert notes(page) == ""
    state = [pair for pair in query(page) if pair[0] != "embed"]
    assert len(state) >= 2
    page.get_by_role("button", name="Share / embed").click()
    snippet = page.locator("#share-embed").input_value()
    # Every "&" in the markup starts an entity, as HTML wants; a bare "&reg_rate=" reads as "®_rate=".
    assert re.search(r"&(?!amp;|quot;|lt;|gt;)", snippet) is None, snippet
    parser = IframeSource()
    parser.feed(snippet)
    parser.close()
    src = urlparse(parser.src)
    assert parse_qsl(src.query) == state + [("embed", "1")], snippet
    assert src.path == urlparse(page.url).path
    if name == "playground":    # the frame opens with the same settings and nothing refused
        page.goto(parser.src)
        wait_until_ready(page)
        assert notes(page) == "" and page.evaluate("document.documentElement.classList.contains('embed')")
        assert page.locator("#reg").input_value() == "l2" and float(page.locator("#reg-rate").input_value()) == 0.5


# ---------------------------------------------------------------- embed mode is a parameter, not a substring

@pytest.mark.parametrize("search, embedded", [
    ("?zembed=1", False), ("?embed=10", False), ("?embed=0&embed=1", False), ("?lr=0.5&embed=1", True)])
def test_embed_mode_reads_the_embed_parameter(open_page, search, embedded):
    page = open_page(f"pages/playground.html{search}")
    assert page.evaluate("document.documentElement.classList.contains('embed')") is embedded
    # The page rewrites its link at start: it keeps embed=1 only when embedded (it used to write
    # embed=1 for all of these, so a reload or a shared link turned embed mode on).
    assert (("embed", "1") in query(page)) is embedded


# ---------------------------------------------------------------- stored progress

@pytest.mark.parametrize("stored", ["5", "{}", "null", '"pages/chain-rule.html"', "{not json",
                                    '[5, null, {"a": 1}, "pages/chain-rule.html"]'])
def test_junk_in_the_stored_progress_reads_as_no_progress(page, base_url, stored):
    page.goto(base_url + "index.html")
    page.evaluate("value => localStorage.setItem('backprop-lab:completed', value)", stored)
    page.reload()
    assert page.locator("#site-header nav a").count() == page.evaluate("backpropLabCourse.pages.length") == 6
    marked = [text for text in page.locator(".status").all_inner_texts() if "completed" in text]
    assert len(marked) == (1 if stored.startswith("[") else 0)
    # The landing page's reset button works.
    page.locator("#reset-progress").click()
    page.wait_for_load_state()
    assert json.loads(page.evaluate("localStorage.getItem('backprop-lab:completed')")) == []
    # A lesson page's header and its "completed" button work with junk stored too (the page is
    # left before Python has started: only nav.js is checked here).
    page.evaluate("value => localStorage.setItem('backprop-lab:completed', value)", stored)
    page.route("**/static/start.js", lambda route: route.abort())  # Python never starts
    page.goto(base_url + "pages/chain-rule.html")
    assert page.locator("#site-header nav a").count() == page.evaluate("backpropLabCourse.pages.length") == 6
    was_marked = stored.startswith("[")
    page.locator("#site-footer .pager button").click()
    stored_now = page.evaluate("localStorage.getItem('backprop-lab:completed')")
    page.evaluate("localStorage.removeItem('backprop-lab:completed')")
    assert json.loads(stored_now) == ([] if was_marked else ["pages/chain-rule.html"])
