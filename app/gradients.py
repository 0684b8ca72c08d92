"""Vanishing and exploding gradients, layer by layer (pages/gradients.html): the page.

The only module of this lesson that touches the DOM: it binds the controls to the state
table, builds the networks for the current state, trains and measures them in slices across
frames, and shows what app/gradients_model.py says about them with the chart of
app/gradients_draw.py.
"""
import math
from dataclasses import replace

import js

from app import code_view_mlp, ui
from app.gradients_draw import bar_chart, value_range
from app.gradients_model import (
    ANSWERED_PROMPT,
    QUESTION_NAMES,
    STATE,
    Run,
    apply_remedy,
    divergence_message,
    explanation_items,
    legend,
    make_data,
    questions,
    remedies_on,
    shown_activations,
    status_rules,
    summary_text,
    table_rows,
    timing_text,
)

# (element id, state property): the controls the state table fills and keeps in sync.
BINDINGS = [("depth", "depth"), ("width", "width"), ("act", "act"), ("init", "init"), ("sigma", "sigma"),
            ("seed", "seed"), ("data", "data"), ("samples", "samples"), ("remedy-residual", "residual"),
            ("remedy-clip", "clip"), ("clip_at", "clip_at"), ("toggle-compare", "compare"), ("lr", "lr"),
            ("predict-toggle", "predict"), ("gradients-code", "code")]
# Shortcuts for the initialization and activation menus (checkboxes #remedy-<name>); the
# residual and clipping remedies are state properties, bound above.
SHORTCUTS = ("init", "leaky")
TRAIN_AMOUNTS = (1, 10, 100)
REDRAW_INTERVAL_MS = 150
# The work's share of each frame (training, or measuring new networks after a change): slices
# of a pass until this is spent (each slice is a few milliseconds), then the frame is drawn,
# so no task comes near 100 ms.  20, not 30: dragging σ at the largest settings (a new job on
# every input, drawn in the same task) made 77-86 ms tasks with 30, 60-72 ms with 20.
FRAME_BUDGET_MS = 20.0
TALLY_KEY = "predictions:gradients"


class GradientsPage:
    def __init__(self, url: ui.UrlState):
        self.url = url
        self.state = url.load()
        self.activation_before_leaky = self.state["act"]    # what switching leaky ReLU off returns to
        self.runs: list[Run] = []           # the networks on screen, measured
        self.shown_state = self.state       # the state self.runs were built from
        self.steps_left = 0
        self.steps_asked = 0                # by the last Train button (math.inf for Play); 0: no training
        self.job = None                     # the work under way: a generator of slices
        self.needs_draw = False             # new networks took the screen during the job
        self.last_drawn_ms = 0.0
        self.questions = []                 # predict mode: still to answer for the networks measured last
        self.verdicts = []                  # (question's short name, what its answer was told), in order
        self.predict_panel = ui.PredictPanel("predict-panel", TALLY_KEY, self.answered)
        self.loop = ui.Loop(self.work_slice, after=self.after_slice, budget_ms=FRAME_BUDGET_MS)
        self.progress = ui.Progress("train-progress", "train-stop", self.finish_training)
        self.code = ui.CodeView("gradients-code", code_view_mlp.gradient_statistics)
        self.add_second_side()
        self.show_legend()
        self.controls = ui.Controls(url, BINDINGS, self.state, self.change, on_slide=self.change)
        self.bind_buttons()
        self.warm_up()
        self.rebuild(at_once=True)

    # -- building the page
    def add_second_side(self):
        """Comparison mode's second side: a copy of the first, with its own ids."""
        first = ui.element("side-0")
        second = first.cloneNode(True)
        for node in [second, *second.querySelectorAll("[id]")]:
            node.id = str(node.id).replace("side-0", "side-1")
        second.setAttribute("aria-labelledby", "side-1-title")
        second.hidden = True
        first.after(second)

    def show_legend(self):
        ui.set_text("status-rules", status_rules())
        for level, words in legend():
            # The colour is a swatch beside the words: coloured text would be too faint to read.
            swatch = js.document.createElement("span")
            swatch.className = f"swatch {level}"
            item = js.document.createElement("span")
            item.append(swatch, words)
            ui.element("status-legend").append(item)

    def bind_buttons(self):
        for shortcut in SHORTCUTS:
            ui.on(f"remedy-{shortcut}", "change", lambda event, shortcut=shortcut: self.set_state(
                apply_remedy(self.state, shortcut, bool(event.target.checked), self.activation_before_leaky)))
        for amount in TRAIN_AMOUNTS:
            ui.on(f"train-{amount}", "click", lambda event, amount=amount: self.train(amount))
        ui.on("play", "click", lambda event: self.toggle_play())
        ui.on("reset", "click", lambda event: self.rebuild())
        ui.on(js.window, "resize", lambda event: self.draw())

    def warm_up(self):
        """One unshown pass of each network on screen.  The browser first runs Python's
        WebAssembly in a plain, quickly compiled tier and optimizes the hot code a moment later,
        so the very first pass after loading is several times slower than the rest, and its
        "computed in N ms" would mislead."""
        X, y = make_data(self.state)
        for activation in shown_activations(self.state):
            Run(self.state, activation, X, y).remeasure()

    # -- state
    def change(self, name, value):
        """A control's change (or a slider on its way): the control shows it already."""
        if value != self.state[name]:
            self.set_state({**self.state, name: value}, shown=name)

    def set_state(self, state, shown=None):
        """A new state: the other controls that it changes are updated, then new networks.
        shown: the property whose control made the change."""
        changed = {name: value for name, value in state.items() if value != self.state[name] and name != shown}
        if state["act"] != "leaky_relu":
            self.activation_before_leaky = state["act"]
        self.state = state
        self.controls.show(changed)     # only what changed: the seed field keeps a clamping note
        self.rebuild()

    def show_enabled(self):
        """The shortcut checkboxes and which controls apply to this state."""
        state = self.state
        for shortcut in SHORTCUTS:
            ui.element(f"remedy-{shortcut}").checked = remedies_on(state)[shortcut]
        ui.element("sigma").disabled = state["init"] != "normal"
        ui.element("clip_at").disabled = not state["clip"]
        ui.element("act").disabled = state["compare"]
        ui.element("remedy-leaky").disabled = state["compare"]
        ui.element("compare-note").hidden = not state["compare"]

    # -- networks
    def rebuild(self, at_once=False):
        """New networks for the current state (also the Reset button).  At the largest settings
        measuring them takes longer than a frame, so it runs in slices like training; the
        networks on screen stay until the new ones are measured, and a newer change replaces
        this one's work.  at_once: measure before returning (the page's start)."""
        self.steps_left = self.steps_asked = 0      # the old networks' training ends with them
        X, y = make_data(self.state)
        runs = [Run(self.state, activation, X, y) for activation in shown_activations(self.state)]
        self.url.save(self.state)
        self.show_enabled()
        # This job replaces any under way.  The loop is not stopped and restarted for it: a frame
        # it had already asked for would then run alongside the new one's, every frame.
        self.job = self.new_networks_job(runs, self.state)
        if self.loop.running and not at_once:
            return      # its next frame takes the job (a slider's input events come in that frame's task)
        # The first slices now, in the change's own task: small networks are drawn at once.
        self.work_slice(math.inf if at_once else js.performance.now() + FRAME_BUDGET_MS)
        self.after_slice()
        if self.job is not None:
            self.loop.start()

    def new_networks_job(self, runs, state):
        """Measure new networks, then put them on screen (and train them if a Train button was
        pressed meanwhile): a generator of slices."""
        ui.element("sides").setAttribute("aria-busy", "true")
        for run in runs:
            yield from run.remeasure_in_slices()
        self.runs, self.shown_state, self.needs_draw = runs, state, True
        self.ask(runs[0].measurement if state["predict"] else None)
        ui.element("sides").removeAttribute("aria-busy")
        yield from self.training_job()

    # -- training
    def train(self, steps):
        self.steps_left = self.steps_asked = steps
        if self.job is None:
            self.job = self.training_job()
        self.loop.start()
        self.show_training_state()

    def toggle_play(self):
        if self.steps_left > 0:
            self.finish_training()
        else:
            self.train(math.inf)

    def finish_training(self):
        """Pause or Stop: no more steps; the step under way and a measurement of where the
        networks ended still run, in slices, and then the bars are drawn."""
        self.steps_left = 0
        self.show_training_state()

    def wants_steps(self):
        return self.steps_left > 0 and not any(run.diverged for run in self.runs)

    def training_job(self):
        """Steps of every network on the page while steps are asked for, then a measurement
        at the weights they ended with: a generator of slices."""
        while self.wants_steps():
            while self.wants_steps():
                for run in self.runs:
                    yield from run.step_in_slices()
                self.steps_left -= 1
            for run in self.runs:
                yield from run.remeasure_in_slices()
            # Play pressed while measuring: train on.

    def work_slice(self, deadline_ms):
        """Loop work: slices of the job until the frame's budget is spent."""
        while self.job is not None and js.performance.now() < deadline_ms:
            try:
                next(self.job)
            except StopIteration:
                self.job = None
        return self.job is not None

    def after_slice(self):
        """Redraw after a frame of work: at once when new networks took the screen or the work
        ended, and a few times a second while training (each training step measures the
        gradients on its way, so the bars follow the training at no extra cost)."""
        now = js.performance.now()
        training = self.steps_asked > 0
        if self.job is None or self.needs_draw or (training and now - self.last_drawn_ms >= REDRAW_INTERVAL_MS):
            self.draw()
            self.last_drawn_ms = now
        self.show_training_state()

    def show_training_state(self):
        busy = self.job is not None and self.steps_asked > 0    # training, or measuring where it ended
        running = busy and self.steps_left > 0
        diverged = any(run.diverged for run in self.runs)
        ui.set_text("play", "⏸ Pause" if running else "▶ Play")
        ui.element("play").setAttribute("aria-pressed", "true" if running else "false")
        for amount in TRAIN_AMOUNTS:
            ui.element(f"train-{amount}").disabled = busy or diverged
        ui.element("play").disabled = diverged
        message = ui.element("diverged")
        message.textContent = divergence_message(self.runs)
        message.hidden = not diverged
        # After the buttons: a Train button that had the focus is disabled now, and passes it to Stop.
        if busy and math.isfinite(self.steps_asked):
            self.progress.show(self.steps_asked - self.steps_left, self.steps_asked)
        else:
            self.progress.hide()

    # -- predict, then reveal
    def ask(self, measurement):
        """Predict mode: new networks are measured; the bars wait for the learner's answers
        (which layer's gradient is smallest, then whether it will train)."""
        self.questions = [] if measurement is None else questions(measurement)
        self.verdicts = []
        self.ask_next()

    def ask_next(self):
        if self.questions:
            question = self.questions[0]
            title = f" ({self.runs[0].title} network)" if len(self.runs) > 1 else ""
            self.predict_panel.ask(replace(question, prompt=question.prompt + title),
                                   focus=bool(self.verdicts))       # the second follows the first's keys
            self.predict_panel.show_verdict("\n".join(message for _, message in self.verdicts), earlier=True)

    def answered(self, _response, verdict):
        question = self.questions.pop(0)
        self.verdicts.append((QUESTION_NAMES[question.key], verdict.message))
        if self.questions:
            self.ask_next()
        else:
            ui.set_text("predict-prompt", ANSWERED_PROMPT)
            self.predict_panel.show_verdict("\n".join(f"{name}: {message}" for name, message in self.verdicts))
            self.draw()
            self.predict_panel.part("verdict").focus()

    def show_prediction(self):
        """The questions hide the bars and what is said about them until they are answered."""
        waiting = bool(self.questions)
        if not self.state["predict"]:
            self.predict_panel.hide()
        else:
            self.predict_panel.box.hidden = False
        ui.element("sides").hidden = waiting
        ui.element("explain-list").closest("section").hidden = waiting

    # -- drawing
    def draw(self):
        self.needs_draw = False
        self.show_prediction()
        if not self.runs:
            return
        limits = value_range([run.measurement for run in self.runs])
        ui.element("side-1").hidden = len(self.runs) < 2
        ui.element("sides").classList.toggle("compare", len(self.runs) == 2)
        for index, run in enumerate(self.runs):
            side = f"side-{index}"
            measurement = run.measurement
            ui.set_text(f"{side}-title", run.title)
            ui.set_text(f"{side}-summary", summary_text(measurement, run.measured_steps))
            ui.set_text(f"{side}-timing", timing_text(measurement))
            width = max(280, int(ui.element(f"{side}-chart").clientWidth))
            ui.set_svg(f"{side}-chart", bar_chart(measurement, width, limits, run.title))
            ui.fill_table(f"{side}-table", table_rows(measurement))
        explanation = ui.element("explain-list")
        explanation.replaceChildren()
        sides = [(run.title, run.measurement) for run in self.runs]
        for sentence in explanation_items(self.shown_state, sides):
            item = js.document.createElement("li")
            item.textContent = sentence
            explanation.append(item)


def main(url):
    GradientsPage(url)
    ui.tex_all()
    ui.ready()


ui.start(main, STATE)  # if main fails after reading the link, the page restarts without it
