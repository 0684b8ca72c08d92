"""Offline after one visit, and clean updates: the service worker (static/sw.js; the build puts it
at the site's root with build.json).

Each test serves its own copy of the build from a server it can stop (really offline: the
browser's own offline switch does not reach a service worker's requests) and uses a browser
context of its own with service workers allowed (the shared one blocks them).
"""
import contextlib
import functools
import http.server
import os
import shutil
import threading
import time

import pytest
from playwright.sync_api import expect

from backprop_lab import site
from tests.e2e.conftest import needs_numpy, save_screenshot, wait_until_ready

pytestmark = [pytest.mark.e2e, needs_numpy]

LESSONS = site.python_pages()


class PlainHost(http.server.SimpleHTTPRequestHandler):
    """A static host that sends Last-Modified and no Cache-Control (nginx's and `python -m
    http.server`'s default): browsers keep such files for a tenth of their age without asking."""

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serving(directory, plain=False):
    """The build served under the strict CSP, as `backprop-lab serve --dir` does (or by a plain
    host); yields the server."""
    server = site.make_server(directory, headers={"Content-Security-Policy": site.STRICT_CSP})
    if plain:
        server.RequestHandlerClass = functools.partial(PlainHost, directory=str(directory))
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
    """A copy of the build whose files are a day old, as a deployed site's are when a learner
    comes (and as the session's build is after a long test run: a browser keeps a response
    that has Last-Modified and no Cache-Control for a tenth of its age)."""
    copy = tmp_path / "site"
    shutil.copytree(site_dir, copy)
    a_day_ago = time.time() - 86_400
    for path in copy.rglob("*"):
        os.utime(path, (a_day_ago, a_day_ago))
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


# The precache is the build's whole file list (build.json) whichever page registered the worker:
# after the landing page every lesson is opened offline; after a lesson, that lesson and one of the
# other kind (the chain-rule lesson loads no NumPy itself: the precache still brings it for the others).
OFFLINE_AFTER = {"index.html": LESSONS,
                 "pages/playground.html": ["pages/playground.html", "pages/chain-rule.html"],
                 "pages/chain-rule.html": ["pages/chain-rule.html", "pages/playground.html"]}


@pytest.mark.parametrize("entry", list(OFFLINE_AFTER))
def test_every_lesson_reaches_ready_offline_after_one_visit(context, own_site, entry):
    with serving(own_site) as server:
        root = url_of(server)
        page = context.new_page()
        page.goto(root + entry)
        if entry != "index.html":
            wait_until_ready(page)
        wait_for_precache(page)
        stop(server)  # the network is gone
        for lesson in OFFLINE_AFTER[entry]:
            open_ready(page, root + lesson)
            assert page.evaluate("document.documentElement.dataset.status") == "ready", lesson
        page.goto(root)  # the landing page, by the site's own address
        # nav.js builds the cards, offline too (the probe has none)
        expect(page.locator("#lesson-cards li")).to_have_count(len(LESSONS) - 1)
        expect(page.locator("html")).to_have_attribute("data-service-worker", "registered")
        page.goto(root + "pages/glossary.html")
        assert page.locator("h1").is_visible()
        save_screenshot(page, "offline-glossary", full_page=False)


def test_offline_from_a_host_without_cache_control_too(context, own_site):
    """From a plain static host the browser's HTTP cache keeps every page a while without asking;
    offline the service worker must still answer the page and all its files (before, the landing
    page came from the HTTP cache as if online, and its scripts from nowhere)."""
    with serving(own_site, plain=True) as server:
        root = url_of(server)
        page = context.new_page()
        page.goto(root)
        wait_for_precache(page)
        open_ready(page, root + "pages/step-through.html")  # in the HTTP cache, fresh, too
        stop(server)
        page.goto(root)
        expect(page.locator("#lesson-cards li")).to_have_count(len(LESSONS) - 1)
        expect(page.locator("html")).to_have_attribute("data-service-worker", "registered")
        open_ready(page, root + "pages/step-through.html")
        open_ready(page, root + "pages/gradients.html")  # and a lesson with NumPy (lessons 1 and 2 have none)


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
