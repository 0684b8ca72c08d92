"""Browser test harness: the built site served on a free 127.0.0.1 port, Debian's
Chromium driven by Playwright, every request to another host blocked and counted.

Usage in a test module:

    pytestmark = [pytest.mark.e2e, needs_numpy]

    def test_something(open_page):
        page = open_page("pages/probe.html")      # waits for data-status="ready"
        save_screenshot(page, "probe")
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest

from backprop_lab import site
from backprop_lab.browser import CHROMIUM, launch, served_site, wait_until_ready  # noqa: F401 (wait_until_ready is re-exported)

SCREENSHOTS = Path(os.environ.get("BACKPROP_LAB_SCREENSHOTS", site.ROOT / "screenshots"))

needs_numpy = pytest.mark.skipif(
    site.find_numpy_wheel(try_download=False) is None,
    reason="NumPy for Pyodide is not in the wheel cache (see README: 'Runtime pins'); "
           "browser tests that run Python are skipped")


def save_screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save the page as it is now to screenshots/<name>.png, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def page_for_module(browser_context, base_url, path: str, external_requests=None):
    """Generator for a module-scoped `page` fixture: one tab, ready, shared by a module's
    tests (starting Python takes seconds); fails, as the `page` fixture does, if the page
    reported an uncaught error or opened a dialog, or (given `external_requests`) asked
    another host for anything.

        @pytest.fixture(scope="module")
        def page(browser_context, base_url, external_requests):
            yield from page_for_module(browser_context, base_url, "pages/x.html", external_requests)

    Tests sharing it each start from the state their part of the page has when loaded,
    whatever the others did to other parts, so that each also runs alone.
    """
    before = len(external_requests) if external_requests is not None else 0
    tab = browser_context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    tab.goto(base_url + path)
    wait_until_ready(tab)
    yield tab
    tab.close()
    assert errors == [], f"uncaught errors on the page: {errors}"
    if external_requests is not None:
        assert external_requests[before:] == [], "requests to other hosts were blocked"


def tex_source(page, selector: str) -> str:
    """The LaTeX that KaTeX rendered in an element (kept in its MathML annotation)."""
    return " ".join(page.locator(f"{selector} annotation").all_text_contents())


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory):
    """A fresh build of the site, exactly as it would be deployed."""
    if not (site.NODE_MODULES / "pyodide").is_dir():
        pytest.fail("node_modules/ is missing: run `npm ci` (the README's test command does)")
    out = tmp_path_factory.mktemp("site") / "backprop-lab"
    site.build(out, log=lambda *_: None)
    return out


@pytest.fixture(scope="session")
def base_url(site_dir):
    """The build served on a free 127.0.0.1 port under the strict CSP the README documents."""
    with served_site(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    with playwright_api.sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


# The site is served on 127.0.0.1; `localhost` reaches the same server as another *site*, which is
# how the tests play an LMS that frames the lessons (see `other_site`).
LOCAL_HOSTS = ("127.0.0.1", "localhost")

# A course page on another site.  Its own server (the site's serves everything under a CSP that
# forbids framing another origin), on loopback: Chromium does not let a page it cannot place on this
# machine, such as one Playwright fulfils, frame a loopback address.
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A course on another site</title></head>
<body><h1>A course on another site</h1><ol id="messages"></ol>
<script>
const frame = document.createElement("iframe");
frame.src = new URLSearchParams(location.search).get("src");
frame.width = 800; frame.height = 600; frame.title = "lesson";
document.body.prepend(frame);
// Each message the lesson posts becomes an <li>, so tests wait on selectors.
addEventListener("message", (event) => {
  const item = document.createElement("li");
  item.textContent = JSON.stringify(event.data);
  document.getElementById("messages").append(item);
});
</script></body></html>
"""


@pytest.fixture(scope="session")
def other_site(base_url, tmp_path_factory):
    """other_site(path) -> URL of a host page on another site (`localhost`) that frames
    base_url + path (on 127.0.0.1) at 800 x 600 and lists the messages the frame posts in
    <ol id="messages">.  Browsers treat the frame as third-party: storage there is blocked."""
    folder = tmp_path_factory.mktemp("other-site")
    (folder / "embed-host.html").write_text(HOST_PAGE)
    server = site.make_server(folder)  # no CSP header: the host page's inline script must run
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    other = f"http://localhost:{server.server_address[1]}/"

    def url(path: str) -> str:
        return other + "embed-host.html?" + urlencode({"src": base_url + path})
    yield url
    server.shutdown()
    server.server_close()


class ExternalRequests(list):
    """Every request the browser tried to send to a host other than this machine's."""


@pytest.fixture(scope="session")
def external_requests():
    return ExternalRequests()


@pytest.fixture(scope="session")
def browser_context(browser, external_requests):
    # One context for the session: pages share the HTTP cache, as a learner's visits do.
    # Service workers are tested on their own (test_offline.py): here every file comes from the server.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")

    def guard(route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, external_requests):
    """A new tab; fails the test on any uncaught JS error or any request to another host."""
    before = len(external_requests)
    tab = browser_context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    tab.page_errors = errors
    yield tab
    tab.close()
    assert external_requests[before:] == [], "requests to other hosts were blocked"
    assert errors == [], f"uncaught errors on the page: {errors}"


@pytest.fixture
def open_page(page, base_url):
    """open_page('pages/x.html?a=1') -> the page, once it reports data-status='ready'."""
    def open_(path: str, ready: bool = True):
        page.goto(base_url + path)
        if ready:
            wait_until_ready(page)
        return page
    return open_
