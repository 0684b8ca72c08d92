"""Small DOM components shared by every page (browser only: imports js).

- element/set_text/set_svg/on: DOM access; proxies are kept for the page's lifetime.
- NumberField: a text box that accepts a number or refuses it at the field,
  keeping the last valid value.
- fill_select: a <select> built from an engine registry.
- Controls: a page's controls declared from its StateTable (ranges, menus, sync, one change handler).
- tex: KaTeX rendering of the engine's formulas.
- UrlState: a page's StateTable bound to the address bar and a visible notes box.
- Loop: requestAnimationFrame work in time slices, so long work never blocks the page.
- Progress: a progress bar and a Stop button for such work.
- start/ready/fail: page life cycle, reported to the loader (static/loader.js).
"""
import asyncio
import traceback

import js
from pyodide.ffi import create_proxy, jsnull, to_js

from app.state import StateTable, notes_text, parse_number, presentation

# Proxies handed to JS live as long as the page; keeping them here stops them being collected.
_proxies = []


def is_missing(value):
    """True for Python None and for JS null, which Pyodide gives as `jsnull`, not None."""
    return value is None or value is jsnull


def optional_element(element_id):
    """The element with this id, or None."""
    found = js.document.getElementById(element_id)
    return None if is_missing(found) else found


def closest(event, selector):
    """The nearest ancestor-or-self of the event's target matching selector, or None."""
    target = event.target
    if is_missing(target) or not hasattr(target, "closest"):
        return None
    found = target.closest(selector)
    return None if is_missing(found) else found


def element(element_id):
    found = optional_element(element_id)
    if found is None:
        raise LookupError(f"no element with id {element_id!r}")
    return found


def set_text(element_id, text):
    element(element_id).textContent = str(text)


def set_svg(element_id, markup):
    """Insert markup built by app.svg (which escapes every piece of text)."""
    element(element_id).innerHTML = markup


def on(target, event, handler):
    """addEventListener with a Python handler; `target` is an element or an id."""
    if isinstance(target, str):
        target = element(target)
    proxy = create_proxy(handler)
    _proxies.append(proxy)
    target.addEventListener(event, proxy)
    return proxy


def js_object(mapping):
    return to_js(mapping, dict_converter=js.Object.fromEntries)


def tex(target, formula, display=False):
    """Render LaTeX into an element (or id) with KaTeX; a bad formula shows as text, never throws."""
    if isinstance(target, str):
        target = element(target)
    js.katex.render(formula, target, js_object({"throwOnError": False, "displayMode": display}))


def tex_all(selector=".math, .math-display"):
    """Render the LaTeX written as the text of every matching element (static prose
    formulas); elements with class math-display are rendered in display mode."""
    for found in js.document.querySelectorAll(selector):
        tex(found, str(found.textContent), display=bool(found.classList.contains("math-display")))


def fill_select(select_id, options, selected=None):
    """options: iterable of (value, label).  Built with DOM calls, not HTML strings."""
    select = element(select_id)
    select.replaceChildren()
    for value, label in options:
        option = js.document.createElement("option")
        option.value = value
        option.textContent = label
        option.selected = value == selected
        select.append(option)
    return select


def fill_table(body_id, rows):
    """Replace the rows of a <tbody> with rows of text; the first cell of each row is its
    header (<th scope="row">).  Built with DOM calls, not HTML strings."""
    body = element(body_id)
    body.replaceChildren()
    for row in rows:
        line = js.document.createElement("tr")
        for index, value in enumerate(row):
            cell = js.document.createElement("th" if index == 0 else "td")
            if index == 0:
                cell.setAttribute("scope", "row")
            cell.textContent = str(value)
            line.append(cell)
        body.append(line)
    return body


class NumberField:
    """An <input> for a number in [low, high].  Invalid text is refused at the field
    (aria-invalid + a message in #<id>-error) and the last valid value is kept;
    out-of-range values are clamped and the field says so."""

    def __init__(self, input_id, value, on_change, low=None, high=None, fmt=lambda v: f"{v:.6g}"):
        self.input = element(input_id)
        self.message = optional_element(f"{input_id}-error")
        self.low, self.high, self.fmt = low, high, fmt
        self.on_change = on_change
        self.value = value
        self.input.value = fmt(value)
        if self.message is not None:
            self.input.setAttribute("aria-describedby", f"{input_id}-error")
        # A note about the last value (clamped, refused) is stale once the learner edits the text.
        on(self.input, "input", lambda event: self.show(None))
        on(self.input, "change", lambda event: self.commit())
        on(self.input, "keydown", lambda event: self.commit() if event.key == "Enter" else None)

    def show(self, message):
        self.input.setAttribute("aria-invalid", "true" if message and "using" not in message else "false")
        if self.message is not None:
            self.message.textContent = message or ""

    def set(self, value, notify=False):
        self.value = value
        self.input.value = self.fmt(value)
        self.show(None)
        if notify:
            self.on_change(value)

    def commit(self):
        text = self.input.value
        try:
            value = parse_number(text)
        except ValueError as error:
            self.show(f"{error}; still using {self.fmt(self.value)}")
            self.input.setAttribute("aria-invalid", "true")
            return
        if value == self.value and text == self.fmt(value) and self.input.getAttribute("aria-invalid") != "true":
            return  # committed again (Enter, then the change event): keep any clamping note on screen
        note = None
        if self.low is not None and value < self.low:
            value, note = self.low, f"clamped to the smallest allowed value, {self.fmt(self.low)}"
        elif self.high is not None and value > self.high:
            value, note = self.high, f"clamped to the largest allowed value, {self.fmt(self.high)}"
        if note:
            self.input.value = self.fmt(value)
        self.show(note)
        self.input.setAttribute("aria-invalid", "false")
        if value != self.value:
            self.value = value
            self.on_change(value)


class Controls:
    """A page's controls, declared as (element id, property name) pairs and bound to its
    StateTable, so that ranges, menus and formats live only in the table:

    - <select>: filled with the ChoiceProp's options;
    - <input type="checkbox">: a BoolProp;
    - <input type="range">: a FloatProp/IntProp; min/max/step (log10 if the prop says so) come
      from the prop; while dragging, the readout #<id>-value shows the value and `on_slide`
      (if given) hears it; releasing it is a change;
    - any other <input>: a NumberField with the prop's range (whole numbers for an IntProp).

    Every committed change goes to one page method, on_change(name, value)."""

    def __init__(self, table: StateTable, bindings, values: dict, on_change, on_slide=None):
        self.table, self.on_change, self.on_slide = table, on_change, on_slide
        self.bindings = list(bindings)
        self.fields = {}        # NumberFields, by element id
        for element_id, name in self.bindings:
            self._bind(element_id, table.props[name])
        self.show(values)

    def _bind(self, element_id, prop):
        control = element(element_id)
        kind = str(control.tagName).lower() if str(control.tagName).lower() == "select" else str(control.type)
        name = prop.name
        if kind == "select":
            fill_select(element_id, prop.options())
            on(control, "change", lambda event: self.on_change(name, str(event.target.value)))
        elif kind == "checkbox":
            on(control, "change", lambda event: self.on_change(name, bool(event.target.checked)))
        elif kind == "range":
            low, high = prop.slider_position(prop.low), prop.slider_position(prop.high)
            control.min, control.max = str(low), str(high)
            control.step = str(prop.step or (1 if isinstance(prop.default, int) else (high - low) / 100))
            on(control, "input", lambda event: self._slide(element_id, prop, float(event.target.value)))
            on(control, "change", lambda event: self.on_change(
                name, prop.slider_value(float(event.target.value))))
        else:
            whole = isinstance(prop.default, int) and not isinstance(prop.default, bool)
            self.fields[element_id] = NumberField(
                element_id, prop.default, lambda value: self.on_change(name, int(round(value)) if whole else value),
                low=prop.low, high=prop.high, fmt=(lambda v: str(int(round(v)))) if whole else prop.format)

    def _slide(self, element_id, prop, position):
        value = prop.slider_value(position)
        self._readout(element_id, prop, value)
        if self.on_slide is not None:
            self.on_slide(prop.name, value)

    @staticmethod
    def _readout(element_id, prop, value):
        readout = optional_element(f"{element_id}-value")
        if readout is not None:
            readout.textContent = prop.format(value).replace("-", "\u2212")

    def show(self, values: dict):
        """Put values into the controls (at start, after a preset or a reset), without
        calling on_change."""
        for element_id, name in self.bindings:
            if name not in values:
                continue
            prop, value = self.table.props[name], values[name]
            if element_id in self.fields:
                self.fields[element_id].set(value)
                continue
            control = element(element_id)
            if str(control.type) == "checkbox":
                control.checked = bool(value)
            elif str(control.type) == "range":
                control.value = str(prop.slider_position(value))
                self._readout(element_id, prop, value)
            else:
                control.value = str(value)


class UrlState:
    """A StateTable read from and written to the address bar.  Notes about invalid
    values go into the element #url-notes as plain text.

    It is also the start-up safety net: if the page fails to start after reading the link
    (start() below), it is opened again without the link's settings (restart_without_link)."""

    # The page's UrlState once it has read the link.
    loaded = None

    def __init__(self, table: StateTable, notes_id="url-notes"):
        self.table = table
        self.notes_id = notes_id

    def load(self) -> dict:
        # Published so tests (and curious instructors) can see which parameters the page reads.
        js.document.documentElement.dataset.stateKeys = ",".join(self.table.props)
        query = self.query = str(js.location.search)
        values, notes = self.table.from_query(query)
        ignored = self.table.ignored_in(query)
        UrlState.loaded = self
        box = optional_element(self.notes_id)
        if box is not None and (notes or ignored):
            box.textContent = notes_text(notes, ignored)
            box.hidden = False
        if ignored:
            self.save(values)       # the note is shown: the link no longer needs to say it
        return values

    def restart_without_link(self) -> bool:
        """Open the page again without the settings the link had when the page read it (keeping
        embed mode); the reopened page names the settings it left out.  False if there were
        none (a second start has none, so it never reloads in a loop)."""
        if not self.table.state_keys_in(self.query):
            return False    # nothing to leave out: also how a second start never reloads again
        js.location.replace(str(js.location.pathname) + self.table.without_state(self.query))
        return True

    def save(self, values: dict) -> str:
        query = self.table.to_query(values, presentation(str(js.location.search)))
        # None arrives as undefined, which replaceState accepts as "no state" (js.null does not exist).
        js.history.replaceState(None, "", str(js.location.pathname) + query)
        return str(js.location.href)


class Loop:
    """Calls work(deadline_ms) once per animation frame while running; work should
    stop by performance.now() >= deadline_ms.  `after` runs at the end of each frame
    (drawing).  Time-slicing keeps every main-thread task short."""

    def __init__(self, work, after=None, budget_ms=12.0):
        self.work, self.after, self.budget_ms = work, after, budget_ms
        self.running = False
        self._frame = create_proxy(self._tick)
        _proxies.append(self._frame)

    def start(self):
        if not self.running:
            self.running = True
            js.requestAnimationFrame(self._frame)

    def stop(self):
        self.running = False

    def _tick(self, _timestamp):
        if not self.running:
            return
        try:
            keep_going = self.work(js.performance.now() + self.budget_ms)
            if self.after is not None:
                self.after()
        except Exception:
            self.running = False
            raise
        if keep_going is False:
            self.running = False
        if self.running:
            js.requestAnimationFrame(self._frame)


class Progress:
    """A <progress> bar and a Stop button, shown while long work runs in Loop slices, so the
    learner sees it advance and can end it.  Both are in the page's HTML with `hidden`.
    A page disables its start buttons before show(): if one had the keyboard focus, the focus
    goes to Stop, and back to that button when the work ends."""

    def __init__(self, bar_id, stop_id, on_stop):
        self.bar, self.stop_button = element(bar_id), element(stop_id)
        self.return_focus = None
        on(self.stop_button, "click", lambda event: on_stop())

    def show(self, done, total):
        if self.bar.hidden:
            self.bar.hidden = self.stop_button.hidden = False
            focused = js.document.activeElement
            if not is_missing(focused) and bool(getattr(focused, "disabled", False)):
                self.return_focus = focused
                self.stop_button.focus()
        self.bar.max = total
        self.bar.value = done

    def hide(self):
        stop_had_focus = js.document.activeElement == self.stop_button
        self.bar.hidden = self.stop_button.hidden = True
        if stop_had_focus and self.return_focus is not None:
            self.return_focus.focus()
        self.return_focus = None


def compiled_from_source():
    """Imported modules whose code was compiled from source at load time, not read from the
    bytecode the build ships (backprop_lab/bytecode.py): each one slows every page load."""
    import sys

    found = []
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None) or ""
        if not origin.endswith(".py"):
            continue  # built in, an extension, or a .pyc inside the stdlib zip
        try:
            with open(spec.cached, "rb") as pyc:
                # PEP 552 flags: the build writes unchecked-hash files (1); CPython writes its
                # own after compiling, with timestamps (0).
                shipped = int.from_bytes(pyc.read(8)[4:8], "little") == 1
        except (OSError, TypeError):
            shipped = False
        if not shipped:
            found.append(origin)
    return sorted(found)


def loaded_files():
    """The file every imported module came from (stdlib zip, NumPy, python.zip): what the lean
    runtime must keep (`backprop-lab record-imports` collects them from every page)."""
    import sys

    files = set()
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        if origin and origin.startswith("/"):
            files.add(origin)
    return sorted(files)


_page_diagnostics = []


def add_diagnostics(numbers):
    """A page adds figures of its own to diagnostics(): `numbers()` returns a dict."""
    _page_diagnostics.append(numbers)


def diagnostics():
    """What the tests watch: WebAssembly memory (Python's heap lives there), how many Python
    callables this page has handed to JS, which modules were compiled at load, whether Pyodide runs
    Python on WebAssembly stack switching (static/loader.js turns it off), and the page's own."""
    import json

    import pyodide_js

    numbers = {"wasm_bytes": int(pyodide_js._module.HEAPU8.length), "proxies": len(_proxies),
               "compiled_from_source": compiled_from_source(),
               "stack_switching": bool(pyodide_js._module.jspiSupported), "loaded_files": loaded_files()}
    for page_numbers in _page_diagnostics:
        numbers.update(page_numbers())
    return json.dumps(numbers)


def ready():
    js.backpropLab.diagnostics = create_proxy(diagnostics)
    _proxies.append(js.backpropLab.diagnostics)
    js.backpropLab.ready()


def fail(message):
    js.backpropLab.fail(message)


def start(main):
    """Run a page's main() once the files the loader fetches after the first paint (KaTeX)
    are in; any exception becomes the loader's readable error."""

    async def run():
        try:
            await js.backpropLab.loaded
            main()
        except Exception as error:  # noqa: BLE001 - shown to the learner, and logged in full
            traceback.print_exc()
            # A link whose settings stop the page from starting must not brick it (a reload
            # would fail the same way): start again from the defaults, and say which were left out.
            if UrlState.loaded is not None and UrlState.loaded.restart_without_link():
                return
            fail(f"{type(error).__name__}: {error}")

    asyncio.ensure_future(run())
