"""Lesson: write backprop yourself (the only module of this page that touches the DOM).

The exercises and their graders are in app/write_it_model.py, their markup in app/write_it_draw.py.
The learner's code never runs here: a Web Worker with its own Pyodide (static/write-it-worker.js)
runs and grades it, so it cannot reach this page, and a run that takes too long is ended by
terminating that worker.
"""
import json

import js
from pyodide.ffi import create_proxy

from app import ui
from app import write_it_draw as draw
from app import write_it_model as model
from app.state import presentation

TIME_LIMIT_S = 5.0
WORKER_URL = "../static/write-it-worker.js"
CODE_KEY = "backprop-lab:write-it:code:"           # + exercise key
COMPLETED_KEY = "backprop-lab:write-it:completed"
INDENT = "    "


class Storage:
    """localStorage where the browser allows it.  In a third-party iframe (or a private mode)
    reading or writing it throws: then nothing is kept, and the page says so once."""

    def __init__(self, on_blocked):
        self.on_blocked = on_blocked
        self.blocked = False

    def get(self, key):
        try:
            value = js.localStorage.getItem(key)
        except Exception:  # noqa: BLE001 - any storage failure means "not kept here"
            self.block()
            return None
        return None if ui.is_missing(value) else str(value)

    def set(self, key, value):
        try:
            js.localStorage.setItem(key, value)
        except Exception:  # noqa: BLE001
            self.block()

    def remove(self, key):
        try:
            js.localStorage.removeItem(key)
        except Exception:  # noqa: BLE001
            self.block()

    def block(self):
        if not self.blocked:
            self.blocked = True
            self.on_blocked()


class Editor:
    """The code box: a <textarea> in which Tab indents, Enter keeps the line's indentation and
    Ctrl/Cmd-Enter runs.  Escape then Tab leaves it, so the keyboard is never trapped.

    static/write-it-editor.js puts CodeMirror in its place once loaded and keeps the textarea
    holding the code (with an "input" event per edit), so reading stays the same; new code is
    also handed to CodeMirror (window.backpropLabEditor)."""

    def __init__(self, textarea_id, on_run, on_edit):
        self.box = ui.element(textarea_id)
        self.on_run = on_run
        self.escaped = False        # Escape was the last key: the next Tab moves focus on
        ui.on(self.box, "keydown", self.on_key)
        ui.on(self.box, "input", lambda event: on_edit())

    @property
    def text(self):
        return str(self.box.value)

    @text.setter
    def text(self, value):
        self.box.value = value
        code_mirror = self.code_mirror()
        if code_mirror is not None:
            code_mirror.setText(value)

    @staticmethod
    def code_mirror():
        return None if ui.is_missing(getattr(js.window, "backpropLabEditor", None)) else js.window.backpropLabEditor

    def focus(self):
        code_mirror = self.code_mirror()
        (code_mirror if code_mirror is not None else self.box).focus()

    def on_key(self, event):
        key = str(event.key)
        if key == "Enter" and (event.ctrlKey or event.metaKey):
            event.preventDefault()
            self.on_run()
        elif key == "Escape":
            self.escaped = True
            return
        elif key == "Tab" and not self.escaped and not (event.shiftKey or event.ctrlKey or event.altKey or event.metaKey):
            event.preventDefault()
            self.insert(INDENT)
        elif key == "Enter" and not (event.shiftKey or event.altKey):
            event.preventDefault()
            self.insert("\n" + self.indentation_here())
        self.escaped = False

    def indentation_here(self):
        """The indentation of the line the cursor is on, one level more after a colon."""
        before = self.text[:int(self.box.selectionStart)]
        line = before.rsplit("\n", 1)[-1]
        indent = line[:len(line) - len(line.lstrip(" "))]
        return indent + INDENT if line.rstrip().endswith(":") else indent

    def insert(self, text):
        # execCommand keeps the browser's undo history; setRangeText is the fallback where it is gone.
        if not js.document.execCommand("insertText", False, text):
            self.box.setRangeText(text, self.box.selectionStart, self.box.selectionEnd, "end")


class Runner:
    """The worker that runs the learner's code: started in the background, asked with
    postMessage, terminated and started again when a run passes the time limit or it dies."""

    def __init__(self, on_result, on_stopped, on_status):
        self.on_result, self.on_stopped, self.on_status = on_result, on_stopped, on_status
        self.worker = None
        self.ready = False
        self.run_id = 0             # the run whose result the page waits for (0: none)
        self.timer = None
        self.message_proxy = create_proxy(self.on_message)
        self.error_proxy = create_proxy(self.on_error)
        self.timeout_proxy = create_proxy(self.on_timeout)

    def start(self):
        options = ui.js_object({"type": "module", "name": "write-it runner"})
        self.worker = js.Worker.new(WORKER_URL, options)
        self.ready = False
        self.worker.addEventListener("message", self.message_proxy)
        self.worker.addEventListener("error", self.error_proxy)
        self.on_status("Starting Python for your code…")

    def run(self, key, code):
        if self.worker is None:
            self.start()
        self.clear_timer()
        self.run_id += 1
        self.worker.postMessage(ui.js_object({"type": "grade", "id": self.run_id, "key": key, "code": code}))
        self.on_status("Running your code…" if self.ready else "Running your code as soon as Python has started…")

    def on_message(self, event):
        data = event.data.to_py()
        kind, run_id = data.get("type"), data.get("id")
        if kind == "ready":
            self.ready = True
            self.on_status("Python for your code is ready." if self.run_id == 0 else "Running your code…")
        elif kind == "failed":
            self.on_status(f"Python could not start for your code: {data.get('message')}. Reload the page to try again.")
        elif kind == "started" and run_id == self.run_id:
            # The time limit counts the run only, never the worker's start-up.
            self.clear_timer()
            self.timer = js.setTimeout(self.timeout_proxy, int(TIME_LIMIT_S * 1000))
        elif kind == "loading" and run_id == self.run_id:
            # Nor the download of the standard-library modules the code imports ("started" again after).
            self.clear_timer()
            self.on_status("Fetching the rest of Python's standard library for your import…")
        elif kind == "recycle" and self.run_id == 0:
            self.restart()
        elif kind == "crashed" and run_id == self.run_id:
            self.restart()
            self.on_stopped(draw.crashed())
        elif kind == "result" and run_id == self.run_id:
            self.clear_timer()
            self.run_id = 0
            self.on_status("")
            checks = tuple(model.Check(str(c["name"]), bool(c["passed"]), str(c["message"])) for c in data["checks"])
            self.on_result(model.Result(checks, str(data["output"]), str(data["error"]), data.get("picture")),
                           str(data.get("key", "")))

    def on_timeout(self):
        self.restart()
        self.on_stopped(draw.stopped(TIME_LIMIT_S))

    def on_error(self, event):
        event.preventDefault()
        waiting = self.run_id != 0
        if not self.ready and not waiting:
            # It never started (its script could not load, say): starting it again at once would
            # fail again, and again.  The next Run tries.
            self.clear_timer()
            self.worker.terminate()
            self.worker = None
            self.on_status("Python for your code could not start; Run tries again.")
            return
        self.restart()
        if waiting:
            self.on_stopped(draw.crashed())

    def restart(self):
        self.clear_timer()
        self.run_id = 0
        if self.worker is not None:
            self.worker.terminate()
        self.start()

    def clear_timer(self):
        if self.timer is not None:
            js.clearTimeout(self.timer)
            self.timer = None


class WriteItPage:
    def __init__(self, url: ui.UrlState):
        self.url = url
        self.values = url.load()
        self.storage = Storage(lambda: self.note("This browser keeps no storage for this page (a frame on another "
                                                 "site, or a private window): your code is not kept after you leave."))
        self.completed = model.read_completed(self.stored_json(COMPLETED_KEY))
        self.attempted = set()      # exercises run at least once in this visit: their solution may be shown
        self.editor = Editor("code", self.run, self.on_edit)
        self.runner = Runner(self.show_result, self.show_stopped, lambda text: ui.set_text("runner-status", text))
        ui.on("run", "click", lambda event: self.run())
        ui.on("reset", "click", lambda event: self.reset())
        ui.on("show-solution", "click", lambda event: self.toggle_solution())
        ui.on("exercise-list", "click", self.on_exercise_link)
        ui.on(js.window, "popstate", lambda event: self.go(self.url.load()["exercise"], push=False))
        self.show_exercise()

    # ------------------------------------------------------------------ storage

    def key(self):
        return self.values["exercise"]

    def stored_json(self, key):
        text = self.storage.get(key)
        try:
            return json.loads(text) if text is not None else None
        except ValueError:
            return None

    def note(self, text):
        box = ui.element("storage-note")
        box.textContent = text
        box.hidden = False

    def on_edit(self):
        self.storage.set(CODE_KEY + self.key(), self.editor.text)

    # ------------------------------------------------------------------ exercises

    def links(self):
        keep = presentation(str(js.location.search))
        return {key: model.STATE.to_query({"exercise": key}, keep) or "?" for key in model.EXERCISES}

    def on_exercise_link(self, event):
        link = ui.closest(event, "a[data-exercise]")
        if link is None or event.ctrlKey or event.metaKey or event.shiftKey:
            return      # a new tab or window opens the link itself
        event.preventDefault()
        self.go(str(link.dataset.exercise), push=True)

    def go(self, key, push):
        if key == self.key():
            return
        self.values["exercise"] = key
        if push:
            self.url.save(self.values, push=True)
        self.show_exercise()
        self.editor.focus()

    def show_exercise(self):
        key = self.key()
        exercise = model.EXERCISES[key]
        ui.set_svg("exercise-list", draw.exercise_list(key, self.completed, self.links()))
        ui.set_svg("statement", draw.statement(key))
        stored = self.storage.get(CODE_KEY + key)
        self.editor.text = stored if stored is not None else exercise.starter
        ui.set_text("solution-code", exercise.solution)
        ui.element("solution").hidden = True
        self.show_solution_button()
        self.clear_result()

    def reset(self):
        self.editor.text = model.EXERCISES[self.key()].starter
        self.storage.remove(CODE_KEY + self.key())
        self.clear_result()
        self.editor.focus()

    def show_solution_button(self):
        button = ui.element("show-solution")
        button.hidden = self.key() not in self.attempted and self.key() not in self.completed
        button.textContent = "Hide solution" if not ui.element("solution").hidden else "Show solution"
        button.setAttribute("aria-expanded", "false" if ui.element("solution").hidden else "true")

    def toggle_solution(self):
        box = ui.element("solution")
        box.hidden = not box.hidden
        self.show_solution_button()

    # ------------------------------------------------------------------ running

    def run(self):
        self.on_edit()
        ui.element("results").setAttribute("aria-busy", "true")
        self.runner.run(self.key(), self.editor.text)

    def clear_result(self):
        ui.set_svg("verdicts", "")
        ui.set_svg("picture", "")
        for box_id in ("traceback", "output"):
            ui.element(box_id).hidden = True
        ui.element("results").setAttribute("aria-busy", "false")

    def show_result(self, result, run_key):
        """A run's verdicts, under its exercise.  A learner who moved on to another exercise
        meanwhile (its panel was cleared) sees nothing of it there; a pass still counts."""
        if result.passed and run_key in model.EXERCISES and run_key not in self.completed:
            self.mark_completed(run_key)
        if run_key != self.key():
            return
        self.attempted.add(run_key)
        ui.element("results").setAttribute("aria-busy", "false")
        ui.set_svg("verdicts", draw.verdicts(result))
        ui.set_svg("picture", draw.picture(run_key, result.picture))
        self.show_text("traceback", result.error)
        self.show_text("output", result.output)
        self.show_solution_button()

    def mark_completed(self, key):
        self.completed = model.with_completed(self.completed, key)
        self.storage.set(COMPLETED_KEY, json.dumps(self.completed))
        ui.set_svg("exercise-list", draw.exercise_list(self.key(), self.completed, self.links()))
        if model.all_completed(self.completed):
            js.backpropLabCourse.markCompleted()

    def show_stopped(self, markup):
        self.attempted.add(self.key())
        self.clear_result()
        ui.set_svg("verdicts", markup)
        self.show_solution_button()

    def show_text(self, box_id, text):
        box = ui.element(box_id)
        box.hidden = not text
        ui.set_text(f"{box_id}-text", text)


def main(url):
    page = WriteItPage(url)
    ui.ready()
    # Warm the runner once the page is ready: Pyodide starts in the worker's thread, so the page
    # stays responsive, and the learner's first Run finds it (nearly) ready.
    js.setTimeout(create_proxy(lambda: page.runner.start() if page.runner.worker is None else None), 0)


ui.start(main, model.STATE)
