"""A Python view's open/closed flag (a view-only setting, state.Prop.view_only): app/ui.py's Controls
and UrlState keep it and write the link themselves, so no page handler sees it.  app/ui.py runs in the
browser; here it runs in CPython against a small stand-in for the few DOM calls these two classes make."""
import importlib
import sys
from types import ModuleType, SimpleNamespace

import pytest

from app.state import BoolProp, FloatProp, StateTable, code_view_prop

TABLE = StateTable(FloatProp("lr", 0.1, low=0.001, high=10.0), BoolProp("check", False), code_view_prop())
BINDINGS = [("lr", "lr"), ("gradient-check", "check"), ("matrix-code", "code")]


class Element:
    """An element as ui.py uses it: attributes, and listeners a test fires as the browser would."""

    def __init__(self, tag, kind=""):
        self.tagName, self.type = tag.upper(), kind
        self.open = self.checked = False
        self.value = ""
        self.listeners = {}

    def addEventListener(self, event, handler):     # noqa: N802 - the DOM's name
        self.listeners.setdefault(event, []).append(handler)

    def setAttribute(self, name, value):            # noqa: N802
        setattr(self, name, value)

    def fire(self, event):
        for handler in self.listeners.get(event, []):
            handler(SimpleNamespace(target=self, key=""))


class Browser:
    """The address bar, the history and the page's controls by id."""

    def __init__(self, query):
        self.elements = {"lr": Element("input", "text"), "gradient-check": Element("input", "checkbox"),
                         "matrix-code": Element("details")}
        self.location = SimpleNamespace(pathname="/pages/matrix-form.html", search=query, href="")
        self.entries = 1
        self._go(query)
        self.history = SimpleNamespace(replaceState=lambda _state, _title, url: self._go(url.partition("?")[2]),
                                       pushState=self._push)
        self.document = SimpleNamespace(getElementById=self.elements.get,
                                        documentElement=SimpleNamespace(dataset=SimpleNamespace()))

    def _go(self, query):
        self.location.search = "?" + query.lstrip("?") if query.lstrip("?") else ""
        self.location.href = "http://127.0.0.1" + self.location.pathname + self.location.search

    def _push(self, _state, _title, url):
        self.entries += 1
        self._go(url.partition("?")[2])

    def learner_toggles(self, element_id):
        """A click on the <details>' summary: it opens or closes, then the browser fires "toggle"."""
        details = self.elements[element_id]
        details.open = not details.open
        details.fire("toggle")


@pytest.fixture
def open_page(monkeypatch):
    """open_page(query) -> (browser, ui): app.ui imported against a fresh Browser at that link."""
    def load(query):
        browser = Browser(query)
        ffi = ModuleType("pyodide.ffi")
        ffi.create_proxy, ffi.jsnull, ffi.to_js = (lambda handler: handler), object(), (lambda value, **_: value)
        monkeypatch.setitem(sys.modules, "js", browser)
        monkeypatch.setitem(sys.modules, "pyodide", ModuleType("pyodide"))
        monkeypatch.setitem(sys.modules, "pyodide.ffi", ffi)
        for name in ("app.ui", "app.diagnostics"):
            monkeypatch.delitem(sys.modules, name, raising=False)
        return browser, importlib.import_module("app.ui")
    yield load
    for name in ("app.ui", "app.diagnostics"):     # imported against the stand-in: not for other tests
        sys.modules.pop(name, None)


def start(open_page, query):
    """A page as the lessons start one: its values from the link, its controls bound to them;
    every change the page hears is recorded, and the page saves its values after each."""
    browser, ui = open_page(query)
    url = ui.UrlState(TABLE)
    values = url.load()
    heard = []

    def on_change(name, value):
        heard.append((name, value))
        values[name] = value
        url.save(values)

    controls = ui.Controls(url, BINDINGS, values, on_change)
    for element in browser.elements.values():     # a <details> opened by show() fires its toggle later
        if element.tagName == "DETAILS":
            element.fire("toggle")
    return browser, url, controls, values, heard


def test_opening_and_closing_the_python_view_changes_the_link_and_nothing_the_page_hears(open_page):
    browser, _url, _controls, values, heard = start(open_page, "?lr=0.5&embed=1")
    assert "code" not in values                                 # not the page's: UrlState keeps it
    browser.learner_toggles("matrix-code")
    assert browser.location.search == "?lr=0.5&code=1&embed=1" and heard == []
    browser.elements["gradient-check"].checked = True           # a setting of the page's, saved by the page
    browser.elements["gradient-check"].fire("change")
    assert heard == [("check", True)] and "code" not in values
    assert browser.location.search == "?lr=0.5&check=1&code=1&embed=1"    # the page's save keeps the view open
    browser.learner_toggles("matrix-code")
    assert browser.location.search == "?lr=0.5&check=1&embed=1" and heard == [("check", True)]
    assert browser.entries == 1                                 # replaced, as a page's own saves are


def test_a_link_that_opens_the_view_opens_it_and_the_page_never_closes_it(open_page):
    browser, url, controls, values, heard = start(open_page, "?code=1&embed=1")
    details = browser.elements["matrix-code"]
    assert details.open and "code" not in values and heard == []
    assert browser.location.search == "?code=1&embed=1"         # as read: a reload opens it again
    # A preset or a reset puts values into the controls (here the table's defaults, code=0 among
    # them) and saves them as a new entry: the view stays as the learner left it, and so does the link.
    controls.show(TABLE.defaults())
    assert details.open
    url.save(TABLE.defaults(), push=True)
    assert browser.location.search == "?code=1&embed=1" and browser.entries == 2 and heard == []


def test_the_link_field_follows_a_view_change(open_page):
    browser, url, _controls, _values, _heard = start(open_page, "?lr=2")
    url.field = Element("input", "text")                        # the playground's "Link to these settings"
    browser.learner_toggles("matrix-code")
    assert url.field.value == "http://127.0.0.1/pages/matrix-form.html?lr=2&code=1"
