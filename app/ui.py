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
- PredictPanel: predict, then reveal (app/predict.py): asks a question, checks the answer, keeps the tally.
- start/ready/fail: page life cycle, reported to the loader (static/loader.js); ready() also
  publishes the page's figures (app/diagnostics.py).
"""
import asyncio
import json
import traceback

import js
from pyodide.ffi import create_proxy, jsnull, to_js

from app import diagnostics, predict
from app.state import IntProp, StateTable, notes_text, parse_number, presentation, zero_note
from app.svg import esc
from engine.text import minus

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


STORAGE_PREFIX = "backprop-lab:"


def stored(key, default=None):
    """What the page kept under `key` in localStorage, or `default` where the browser keeps no
    storage (a frame on another site, a private mode) or the stored text is not ours."""
    try:
        text = js.localStorage.getItem(STORAGE_PREFIX + key)
        return default if text is None or text is jsnull else json.loads(str(text))
    except Exception:   # noqa: BLE001 - blocked storage throws a SecurityError; junk does not parse
        return default


def store(key, value) -> bool:
    """Keep a JSON-able value; False where the browser keeps no storage."""
    try:
        js.localStorage.setItem(STORAGE_PREFIX + key, json.dumps(value))
        return True
    except Exception:   # noqa: BLE001 - see stored()
        return False


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


def embedded() -> bool:
    """True in embed mode (a frame on another site): the page has less room."""
    return bool(js.document.documentElement.classList.contains("embed"))


def create(tag, text=None, parent=None, **attributes):
    """A new element with plain-text content (never parsed as HTML), appended to `parent` if
    given; attribute names are written with - for _ (data_layer= -> data-layer, class_= -> class)."""
    node = js.document.createElement(tag)
    if text is not None:
        node.textContent = str(text)
    for name, value in attributes.items():
        node.setAttribute(name.rstrip("_").replace("_", "-"), str(value))
    if parent is not None:
        parent.append(node)
    return node


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
    header (<th scope="row">).  One markup string with every text escaped: a DOM call per cell
    costs about 10 us through Pyodide, 10-16 ms for the largest network's point table."""
    body = element(body_id)
    body.innerHTML = "".join(
        f'<tr><th scope="row">{esc(str(row[0]))}</th>' + "".join(f"<td>{esc(str(value))}</td>" for value in row[1:])
        + "</tr>" for row in rows)
    return body


class NumberField:
    """An <input> for a number in [low, high].  Invalid text is refused at the field
    (aria-invalid + a message in #<id>-error) and the last valid value is kept;
    out-of-range values are clamped and the field says so, as is a tiny number read as 0."""

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
            self.show(f"{error}; still using {minus(self.fmt(self.value))}")
            self.input.setAttribute("aria-invalid", "true")
            return
        if value == self.value and text == self.fmt(value) and self.input.getAttribute("aria-invalid") != "true":
            return  # committed again (Enter, then the change event): keep any clamping note on screen
        note = zero_note(text, value)
        if note:
            value = 0.0     # "-1e-400" too: not −0
        if self.low is not None and value < self.low:
            value, note = self.low, f"clamped to the smallest allowed value, {minus(self.fmt(self.low))}"
        elif self.high is not None and value > self.high:
            value, note = self.high, f"clamped to the largest allowed value, {self.fmt(self.high)}"
        if text != self.fmt(value):
            self.input.value = self.fmt(value)     # the number as read: "１２" shows as 12, "1e-3" as 0.001
        self.show(note)
        self.input.setAttribute("aria-invalid", "false")
        if value != self.value:
            self.value = value
            self.on_change(value)


class Controls:
    """A page's controls, declared as (element id, property name) pairs and bound to its
    StateTable, so that ranges, menus and formats live only in the table:

    - <select>: filled with the ChoiceProp's options (or an IntProp's whole numbers);
    - <input type="checkbox">: a BoolProp;
    - <details>: a BoolProp, open or closed (a widget's Python view, CodeView);
    - <input type="range">: a FloatProp/IntProp; min/max/step (log10 if the prop says so) come
      from the prop; while dragging, the readout #<id>-value shows the value and `on_slide`
      (if given) hears it; releasing it is a change;
    - any other <input>: a NumberField with the prop's range (whole numbers for an IntProp).

    Every committed change goes to one page method, on_change(name, value), except a view-only
    setting's (Prop.view_only: a Python view opened), which only the link follows: the page's
    UrlState keeps it, so the page never sees it.  Two controls bound to one property (a slider
    and a text box) follow each other."""

    def __init__(self, url: "UrlState", bindings, values: dict, on_change, on_slide=None):
        self.url, self.table, self.on_change, self.on_slide = url, url.table, on_change, on_slide
        self.bindings = list(bindings)
        self.fields = {}        # NumberFields, by element id
        for element_id, name in self.bindings:
            self._bind(element_id, self.table.props[name])
        self.show(values)
        for element_id, name in self.bindings:      # as the link left them; show() never changes them
            if name in self.table.view_only:
                self._show_one(element_id, self.table.props[name], url.view[name])

    def _bind(self, element_id, prop):
        control = element(element_id)
        tag = str(control.tagName).lower()
        kind = tag if tag in ("select", "details") else str(control.type)
        name = prop.name
        if kind == "select" and isinstance(prop, IntProp):      # a menu of whole numbers: low … high
            fill_select(element_id, [(str(n), str(n)) for n in range(int(prop.low), int(prop.high) + 1)])
            on(control, "change", lambda event: self._commit(element_id, name, int(event.target.value)))
        elif kind == "select":
            fill_select(element_id, prop.options())
            on(control, "change", lambda event: self._commit(element_id, name, str(event.target.value)))
        elif kind == "checkbox":
            on(control, "change", lambda event: self._commit(element_id, name, bool(event.target.checked)))
        elif kind == "details":     # toggled by the learner, or by show() (then a change to the same value)
            on(control, "toggle", lambda event: self._commit(element_id, name, bool(event.target.open)))
        elif kind == "range":
            low, high = prop.slider_position(prop.low), prop.slider_position(prop.high)
            control.min, control.max = str(low), str(high)
            control.step = str(prop.step or (1 if isinstance(prop.default, int) else (high - low) / 100))
            on(control, "input", lambda event: self._slide(element_id, prop, float(event.target.value)))
            on(control, "change", lambda event: self._commit(
                element_id, name, prop.slider_value(float(event.target.value))))
        else:
            whole = isinstance(prop.default, int) and not isinstance(prop.default, bool)
            self.fields[element_id] = NumberField(
                element_id, prop.default,
                lambda value: self._commit(element_id, name, int(round(value)) if whole else value),
                low=prop.low, high=prop.high, fmt=(lambda v: str(int(round(v)))) if whole else prop.format)

    def _commit(self, element_id, name, value):
        self._show_others(element_id, name, value)
        if name in self.table.view_only:
            self.url.set_view(name, value)
        else:
            self.on_change(name, value)

    def _slide(self, element_id, prop, position):
        value = prop.slider_value(position)
        self._readout(element_id, prop, value)
        self._show_others(element_id, prop.name, value)
        if self.on_slide is not None:
            self.on_slide(prop.name, value)

    def _show_others(self, element_id, name, value):
        """A property bound to two controls (a slider and a text box): the other one follows."""
        for other_id, other_name in self.bindings:
            if other_name == name and other_id != element_id:
                self._show_one(other_id, self.table.props[name], value)

    @staticmethod
    def _readout(element_id, prop, value):
        readout = optional_element(f"{element_id}-value")
        if readout is not None:
            readout.textContent = minus(prop.format(value))

    def show(self, values: dict):
        """Put values into the controls (at start, after a preset or a reset), without
        calling on_change.  A view-only control stays as the learner left it."""
        for element_id, name in self.bindings:
            if name in values and name not in self.table.view_only:
                self._show_one(element_id, self.table.props[name], values[name])

    def _show_one(self, element_id, prop, value):
        if element_id in self.fields:
            self.fields[element_id].set(value)
            return
        control = element(element_id)
        if str(control.tagName).lower() == "details":
            if bool(control.open) != bool(value):
                control.open = bool(value)
        elif str(control.type) == "checkbox":
            control.checked = bool(value)
        elif str(control.type) == "range":
            control.value = str(prop.slider_position(value))
            self._readout(element_id, prop, value)
        else:
            control.value = str(value)


class UrlState:
    """A StateTable read from and written to the address bar.  Notes about invalid
    values go into the element #url-notes as plain text.  The view-only settings (a Python view
    open) are kept here, not by the page: Controls hands their changes to set_view, and every
    save writes them too.

    It is also the start-up safety net: if the page fails to start after reading the link
    (start() below), it is opened again without the link's settings (restart_without_link)."""

    def __init__(self, table: StateTable, notes_id="url-notes"):
        self.table = table
        self.notes_id = notes_id
        self.query = None       # the link as the page read it (load)
        self.defaults = {}      # what the link is written against where not the table's (StateTable.to_query)
        self.view = {}          # the view-only settings (Prop.view_only), kept here and not by the page
        self.saved = {}         # the page's values as last written, which a view change writes again
        self.field = None       # an <input> that shows the link (the playground's), if any

    def load(self) -> dict:
        """The page's values from the link (without the view-only settings, kept here)."""
        # Published so tests (and curious instructors) can see which parameters the page reads.
        js.document.documentElement.dataset.stateKeys = ",".join(self.table.props)
        query = self.query = str(js.location.search)
        values, notes = self.table.from_query(query)
        self.view = {name: values[name] for name in self.table.view_only}
        values = self.saved = self.table.page_values(values)
        ignored = self.table.ignored_in(query)
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

    def save(self, values: dict, push: bool = False):
        """Write values, and the view-only settings kept here, into the address bar, replacing
        its entry; with push, as a new entry (Back then returns to the one before)."""
        self.saved = dict(values)
        query = self.table.to_query(values | self.view, presentation(str(js.location.search)), self.defaults)
        # None arrives as undefined, which replaceState accepts as "no state" (js.null does not exist).
        if push:
            js.history.pushState(None, "", str(js.location.pathname) + query)
        else:
            js.history.replaceState(None, "", str(js.location.pathname) + query)
        if self.field is not None:
            self.field.value = str(js.location.href)

    def set_view(self, name: str, value):
        """A view-only setting changed (Controls): the link follows, the page is not told."""
        if self.view[name] != value:
            self.view[name] = value
            self.save(self.saved)


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
    A page disables (or marks aria-disabled) its start buttons before show(): if one had the
    keyboard focus, the focus goes to Stop, and back to that button when the work ends."""

    def __init__(self, bar_id, stop_id, on_stop):
        self.bar, self.stop_button = element(bar_id), element(stop_id)
        self.return_focus = None
        on(self.stop_button, "click", lambda event: on_stop())

    def show(self, done, total):
        if self.bar.hidden:
            self.bar.hidden = self.stop_button.hidden = False
            focused = js.document.activeElement
            if not is_missing(focused) and (bool(getattr(focused, "disabled", False))
                                            or focused.getAttribute("aria-disabled") == "true"):
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


def completed_pages():
    """The progress marks nav.js keeps ("Mark this page completed"): what is stored, which
    app.predict.first_pass reads as nav.js does (only a list counts)."""
    return stored("completed")


def can_store() -> bool:
    """Whether the browser keeps this page's storage (not in a frame on another site that blocks it)."""
    try:
        return js.localStorage.length >= 0     # reading it throws where storage is blocked
    except Exception:   # noqa: BLE001 - see stored()
        return False


class PredictPanel:
    """Predict, then reveal: the panel of app.predict.panel_markup in the element `container_id`
    (hidden until asked).  ask() shows a Question and waits: sign and choice questions get a
    button each, a value question the number field and Reveal.  The learner's answer is checked
    against the question's answer (a bad number is refused at the field and the question stays
    open), counted in the tally (kept with the progress marks where the browser allows), and
    `on_answer(response, verdict)` tells the page, which then reveals.  A question whose answer
    is still to come (lesson 4: the run answers) has answer None: on_answer gets verdict None
    and the page calls record() later.  Panels with one tally key (lesson 1's two) share the tally."""

    panels = {}     # tally key -> the panels that show it

    def __init__(self, container_id, tally_key, on_answer, prefix="predict"):
        self.box = element(container_id)
        self.box.innerHTML = predict.panel_markup(prefix)     # static markup: no text from anywhere
        self.prefix, self.tally_key, self.on_answer = prefix, tally_key, on_answer
        others = PredictPanel.panels.setdefault(tally_key, [])
        self.tally = others[0].tally if others else predict.Tally(*stored(tally_key, [0, 0]))
        self.kept = can_store()
        others.append(self)
        self.question = None        # the question waiting for an answer, or None
        self.choices, self.number = self.part("choices"), self.part("number")
        on(self.choices, "click", self._chosen)
        on(self.part("reveal"), "click", lambda event: self._answer(str(self.number.value)))
        on(self.number, "keydown", lambda event: self._answer(str(self.number.value)) if event.key == "Enter" else None)
        on(self.number, "input", lambda event: self._show_error(None))

    def part(self, name):
        return element(f"{self.prefix}-{name}")

    def show(self, question, verdict_message=None):
        """The panel for the state shown: no question (hidden), one waiting for its answer
        (verdict_message None), or one answered."""
        if question is None:
            self.hide()
        elif verdict_message is None:
            self.ask(question)
        else:
            self.show_answered(question, verdict_message)

    def ask(self, question, focus=False):
        """Show the question with its answer controls; `focus`: move the keyboard there.  Asked
        again (a redraw), it keeps what the learner has typed."""
        if question == self.question and not self.box.hidden:
            if focus:
                self.focus_answer()
            return
        self.question = question
        self.box.hidden = False
        set_text(f"{self.prefix}-prompt", question.prompt)
        self.choices.replaceChildren()
        for value, label in question.choices:
            create("button", label, parent=self.choices, type="button", data_answer=value)
        self.part("value").hidden = question.kind != "value"
        self.number.value = ""
        self._show_error(None)
        self.show_verdict("")
        if focus:
            self.focus_answer()

    def focus_answer(self):
        """The keyboard to the first answer control (the number field, or the first choice)."""
        if self.question is not None:
            first = self.number if self.question.kind == "value" else self.choices.querySelector("button")
            if not is_missing(first):
                first.focus()

    def show_answered(self, question, message):
        """A question answered before (stepping back to it): its prompt and verdict, no controls."""
        self.question = None
        self.box.hidden = False
        set_text(f"{self.prefix}-prompt", question.prompt)
        self.choices.replaceChildren()
        self.part("value").hidden = True
        self.show_verdict(message)

    def show_verdict(self, message, earlier=False):
        """`earlier`: the verdict of a question before the open one, shown above the open question."""
        set_text(f"{self.prefix}-verdict", message)
        self.box.classList.toggle("earlier-verdict", bool(earlier and message))
        set_text(f"{self.prefix}-tally", self.tally.summary(self.kept))

    def hide(self):
        self.question = None
        self.box.hidden = True

    def record(self, verdict, focus=True):
        """Count a verdict and show it; focused, the screen reader reads it and Tab goes on from there
        (not when it comes later, from a run: the learner may be elsewhere; it is a status all the same)."""
        tally = self.tally.add(verdict)
        kept = store(self.tally_key, [tally.made, tally.right]) and self.kept
        for panel in PredictPanel.panels[self.tally_key]:
            panel.tally, panel.kept = tally, kept
            set_text(f"{panel.prefix}-tally", tally.summary(kept))
        self.show_verdict(verdict.message)
        if focus:
            self.part("verdict").focus()

    def _chosen(self, event):
        button = closest(event, "button[data-answer]")
        if button is not None:
            self._answer(str(button.dataset.answer))

    def _show_error(self, message):
        self.number.setAttribute("aria-invalid", "true" if message else "false")
        set_text(f"{self.prefix}-error", message or "")

    def _answer(self, response):
        question = self.question
        if question is None:
            return
        verdict = None
        if question.answer is not None:
            try:
                verdict = predict.check(question, response)
            except ValueError as error:
                self._show_error(f"{error}; the question is still open")
                return
        self.question = None
        self.choices.replaceChildren()
        self.part("value").hidden = True
        if verdict is not None:
            self.record(verdict)
        self.on_answer(response, verdict)


def ready():
    diagnostics.install(_proxies)
    js.backpropLab.ready()


def fail(message):
    js.backpropLab.fail(message)


def start(main, table: StateTable | None = None):
    """Run a page's main() once the files the loader fetches after the first paint (KaTeX)
    are in; any exception becomes the loader's readable error.  With the page's state table,
    main gets the page's UrlState, which is also the start-up safety net: a link whose settings
    stop the page from starting must not brick it (a reload would fail the same way), so the page
    starts again from the defaults and says which settings it left out."""
    url = UrlState(table) if table is not None else None

    async def run():
        try:
            await js.backpropLab.loaded
            main(url) if url is not None else main()
        except Exception as error:  # noqa: BLE001 - shown to the learner, and logged in full
            traceback.print_exc()
            if url is not None and url.query is not None and url.restart_without_link():
                return
            fail(f"{type(error).__name__}: {error}")

    asyncio.ensure_future(run())


class CodeView:
    """A widget's "Python" view: a <details> (its <summary> is the keyboard-operable toggle)
    showing, read-only, the engine source behind what is on screen (app/code_view.py builds
    the listing).  Nothing is read or loaded until the learner first opens it: then
    static/code-view.js loads CodeMirror and shows the listing written into the <pre>.
    Whether it is open is page state (state.code_view_prop, bound by Controls), so a link can
    open it; an embed leaves it out (class no-embed) unless its link opened it."""

    SCRIPT = "../static/code-view.js"

    def __init__(self, details_id, listing_for):
        self.details = element(details_id)
        self.pre = self.details.querySelector("pre")
        self.caption = self.details.querySelector(".code-view-title")
        self.listing_for = listing_for   # () -> code_view.Listing for the widget's current state
        self.shown = None                # the listing on screen
        on(self.details, "toggle", lambda event: self.refresh())
        # Keys in the view are the view's (arrows move in the code): not the widget's step keys.
        on(self.details, "keydown", lambda event: event.stopPropagation())

    def refresh(self):
        """Show the listing for the current state, if the view is open (cheap when closed)."""
        if not self.details.open:
            return
        # Open in an embed, which has no way to open it: its link asked for it, so it is shown.
        self.details.classList.remove("no-embed")
        listing = self.listing_for()
        if listing == self.shown:
            return
        self.shown = listing
        if self.caption is not None:
            self.caption.textContent = listing.title
        self.pre.textContent = listing.text
        self.pre.dataset.title = listing.title
        self.pre.dataset.lineNumbers = json.dumps(listing.line_numbers)
        self.pre.dataset.marked = json.dumps(listing.marked)
        self.pre.dataset.focus = str(listing.focus or (listing.marked[0] if listing.marked else 0))
        viewer = getattr(js.window, "backpropLabCodeView", None)
        if not is_missing(viewer):
            viewer.update(self.pre)
        elif is_missing(js.document.querySelector(f'script[src="{self.SCRIPT}"]')):
            create("script", parent=js.document.head, type="module", src=self.SCRIPT)
