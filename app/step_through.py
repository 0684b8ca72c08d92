"""Step-through page: one training step of a 2-2-1 (or 2-3-1) network, one computation at a time.

The only module of this page that touches the DOM.  What to show for a state comes from
app.step_through_model (the state table, the steps taken from the engine's trace, training,
checks and every text) and app.step_through_draw (the graph and the loss sparkline), both
tested in CPython.
"""
import js

from app import code_view, ui
from app.step_through_draw import draw, loss_sparkline
from app.step_through_model import (
    ALL_PARAMS,
    FIRST_PASS_NOTE,
    NUMBER_FIELDS,
    PHASE_TITLES,
    PRESET_MENU,
    PRESETS,
    STATE,
    Network,
    Training,
    compatible,
    domain_notes,
    gradient_checks,
    lesson_steps,
    live_values,
    matching_preset,
    param_hints,
    predict_start,
    preset_values,
    ranges_text,
    rate_text,
    step_for_node,
    step_question,
    training_progress,
    training_result,
    unit_legends,
    update_table,
)

PLAY_INTERVAL_MS = 1400
MENUS = ("hidden", "output", "loss")
# The controls the state table fills and reads: (element id, property).
BINDINGS = [*[(name, name) for name in MENUS], ("gradient-check", "check"), ("reveal", "reveal"),
            ("predict-toggle", "predict"), *[(name, name) for name in NUMBER_FIELDS], ("step-code", "code")]
TALLY_KEY = "predictions:step-through"
TRAIN_BUTTONS = ("train-1", "train-100")


class StepThroughPage:
    """The stepper over the lesson's steps, the graph, the live values, the network's settings
    and its training, for the values in the page's link."""

    def __init__(self, url: ui.UrlState):
        self.url = url
        self.values, note = compatible(url.load())
        # A first pass through the lesson asks before it shows (issue 25), unless the link says.
        first_pass = predict_start(url.query, ui.can_store(), ui.completed_pages())
        url.defaults = first_pass.link_defaults
        if first_pass.on_by_default:
            self.values["predict"] = True
            self._show_note("predict-note", FIRST_PASS_NOTE)
        self.base_preset = matching_preset(self.values) or "default"   # what "Reset to the preset" restores
        self.network = None         # the network for the values, with its trace (see rebuild)
        self.steps = []             # the lesson's steps for that network
        self.checks = {}            # finite-difference checks by label, while the check is on
        self.losses = []            # the loss over the training steps since the last hand edit
        self.training = None        # the Training under way, if any
        self.loss_before = 0.0      # the loss when it started
        self.last_advance = 0.0     # when Play last moved on (ms)
        self.answered = {}          # predict mode: verdicts by question (its numbers included)
        self.predict_panel = ui.PredictPanel("predict-box", TALLY_KEY, self._on_answer)
        self.player = ui.Loop(self._play_frame)
        # Training runs in slices, a few steps per frame: 100 steps with the gradient check took
        # 0.7 s in one go, a frozen tab.
        self.trainer = ui.Loop(self._train_frame)
        self.progress = ui.Progress("train-progress", "train-stop", self.stop_training)
        self.code = ui.CodeView("step-code", self.code_listing)
        self.controls = ui.Controls(url, BINDINGS, self.values, self.on_change)
        # What the controls show: a sync writes only what differs, so that a field's note
        # ("clamped to …") stays on screen.
        self.shown = dict(self.values)
        ui.fill_select("preset", PRESET_MENU)
        ui.set_text("ranges", ranges_text())
        self._bind_stepper()
        self._bind_buttons()
        if note:
            self._add_url_note(note)
        self.rebuild()

    # -------------------------------------------------------------- state

    @property
    def index(self) -> int:
        return self.values["step"] - 1

    def rebuild(self):
        """New network for the current values: trace, steps, checks; then show everything."""
        self.network = Network(self.values)
        self.steps = lesson_steps(self.network)
        self.checks = gradient_checks(self.network) if self.values["check"] else {}
        self.values["step"] = min(self.values["step"], len(self.steps))
        self._show_controls()
        self._show_units()
        self._show_domain_notes()
        self.show_step()

    def go(self, index: int):
        self.values["step"] = max(0, min(index, len(self.steps) - 1)) + 1
        self.show_step()

    def on_change(self, name, value):
        """A control of the state table changed: a menu, the gradient check or a number field."""
        if name in ("reveal", "predict"):        # only what the card and the live panel show
            self.shown[name] = self.values[name] = value
            if name == "predict":
                self._show_note("predict-note", None)   # the learner has found the toggle
            self.show_step()
            return
        if name == "check":         # the check only adds a comparison: training goes on
            self.shown[name] = self.values[name] = value
            self.rebuild()
            return
        self.stop_training()        # the steps taken so far stay; the edit applies to them
        self.shown[name] = self.values[name] = value
        if name in MENUS:
            self.values, note = compatible(self.values, changed=name)
            self._show_note("variant-note", note)
        if name != "lr":            # η does not change the network, only the update
            self._forget_training()
        self.rebuild()

    def choose_preset(self, name):
        if name not in PRESETS:
            return                  # "Custom" is what the values are, not a choice
        self.stop_training()
        self.base_preset = name
        self.values = preset_values(name, self.values)
        self._show_note("variant-note", None)
        self._forget_training()
        self.rebuild()

    # -------------------------------------------------------------- controls

    def _bind_stepper(self):
        ui.on("first-step", "click", lambda event: self.go(0))
        ui.on("previous-step", "click", lambda event: self.go(self.index - 1))
        ui.on("next-step", "click", lambda event: self.go(self.index + 1))
        ui.on("last-step", "click", lambda event: self.go(len(self.steps) - 1))
        ui.on("play", "click", lambda event: self.toggle_play())
        ui.on("scrubber", "input", lambda event: self.go(int(event.target.value) - 1))
        ui.on("network-graph", "click", self._on_graph_click)
        ui.on(js.document, "keydown", self._on_key)

    def _bind_buttons(self):
        ui.on("preset", "change", lambda event: self.choose_preset(str(event.target.value)))
        ui.on("train-1", "click", lambda event: self.train(1))
        ui.on("train-100", "click", lambda event: self.train(100))
        ui.on("reset-weights", "click", lambda event: self.choose_preset(self.base_preset))

    def _on_key(self, event):
        """The stepper's keys (the bar lists them), unless the learner is typing in a control."""
        tag = str(getattr(event.target, "tagName", "") or "").upper()
        if tag in ("INPUT", "SELECT", "TEXTAREA") or event.altKey or event.ctrlKey or event.metaKey:
            return
        key = str(event.key)
        node_key = graph_node_key(event)
        if node_key is not None and key in ("Enter", " "):
            event.preventDefault()
            self._jump_to_node(node_key)
        elif tag != "BUTTON" or key not in ("Enter", " "):     # on a button they are its click
            action = self._stepper_keys().get(key)
            if action is not None:
                event.preventDefault()
                action()

    def _stepper_keys(self):
        return {"ArrowRight": lambda: self.go(self.index + 1), "ArrowLeft": lambda: self.go(self.index - 1),
                "Home": lambda: self.go(0), "End": lambda: self.go(len(self.steps) - 1), " ": self.toggle_play}

    def _on_graph_click(self, event):
        node_key = graph_node_key(event)
        if node_key is not None:
            self._jump_to_node(node_key)

    def _jump_to_node(self, key):
        """The step computing that node, in the pass the stepper is in."""
        phase = "forward" if self.steps[self.index].phase == "forward" else "backward"
        self.go(step_for_node(self.steps, key, phase))

    # -------------------------------------------------------------- playing

    def toggle_play(self):
        self.set_playing(not self.player.running)

    def set_playing(self, playing: bool):
        if playing:
            if self.index >= len(self.steps) - 1:
                self.go(0)
            self.last_advance = js.performance.now()
            self.player.start()
        else:
            self.player.stop()
        button = ui.element("play")
        button.textContent = "⏸ Pause" if playing else "▶ Play"
        button.setAttribute("aria-pressed", "true" if playing else "false")

    def _play_frame(self, deadline):
        now = js.performance.now()
        if now - self.last_advance < PLAY_INTERVAL_MS:
            return True
        if self._waiting_question() is not None:      # predict mode: Play waits for the answer
            self.set_playing(False)
            return False
        self.last_advance = now
        self.go(self.index + 1)
        if self.index >= len(self.steps) - 1:
            self.set_playing(False)
            return False
        return True

    # -------------------------------------------------------------- training

    def train(self, count: int):
        if self.training is not None:
            return
        self.training = Training(self.values, count)
        self.loss_before = self.network.loss.data
        self._enable_training(False)
        # The first slice runs now: a single step is done at once, with no frame's delay.
        if self._train_frame(js.performance.now() + self.trainer.budget_ms):
            self.trainer.start()

    def _train_frame(self, deadline):
        """Loop work: training steps until the frame's budget is spent; False when done."""
        training = self.training
        if training is None:
            return False
        while not training.finished and js.performance.now() < deadline:
            training.step()
        if training.finished:
            self._finish_training()
            return False
        ui.set_text("train-result", training_progress(training.taken, training.total))
        ui.set_svg("loss-sparkline", loss_sparkline((self.losses or training.losses[:1]) + training.losses[1:]))
        self.progress.show(training.taken, training.total)
        return True

    def stop_training(self):
        """End the training under way (Stop, or a hand-made change), keeping the steps taken."""
        if self.training is not None:
            self.training.stop()
            self._finish_training()

    def _finish_training(self):
        run = self.training.result()
        self.training = None
        self.trainer.stop()
        self._enable_training(True)
        self.progress.hide()            # after the buttons: the focus may go back to Train 100
        self.losses = (self.losses or run.losses[:1]) + run.losses[1:]
        # Only the weights come from the training: the stepper may have moved meanwhile.
        self.values = {**self.values, **{name: run.values[name] for name in ALL_PARAMS}}
        ui.set_text("train-result", training_result(self.loss_before, run))
        self._show_note("train-note", run.note)
        ui.set_svg("loss-sparkline", loss_sparkline(self.losses))
        self.rebuild()

    def _enable_training(self, enabled: bool):
        for button in TRAIN_BUTTONS:
            ui.element(button).disabled = not enabled

    def _forget_training(self):
        """A hand-made change starts a new training history."""
        self.losses = []
        ui.set_text("train-result", "Loss: not trained yet.")
        self._show_note("train-note", None)
        ui.set_svg("loss-sparkline", "")

    # -------------------------------------------------------------- showing

    # -------------------------------------------------------------- predict, then reveal

    def _question(self):
        step = self.steps[self.index]
        return step_question(self.network, step) if self.values["predict"] else None

    @staticmethod
    def _answer_key(question):
        return (question.key, question.why)      # the why holds the numbers: a new network asks again

    def _waiting_question(self):
        """The question this step asks that has no answer yet (predict mode), or None."""
        question = self._question()
        return question if question is not None and self._answer_key(question) not in self.answered else None

    def _on_answer(self, _response, verdict):
        question = self._waiting_question()
        if question is not None:
            self.answered[self._answer_key(question)] = verdict.message
            self.show_step()

    def _show_prediction(self, question, waiting):
        self.predict_panel.show(question, None if question is None or waiting
                                else self.answered[self._answer_key(question)])
        if question is None:
            return
        # What would give the answer away waits for it: the numbers and the result.
        for element_id in ("step-substituted", "step-result"):
            ui.element(element_id).parentElement.hidden = waiting
        if waiting:
            ui.element("step-check-row").hidden = True
            ui.element("update-table-box").hidden = True
            ui.set_text("live-step", "your prediction first")

    def code_listing(self):
        """The engine code of this step: a node's op (backward: the op whose local derivative it
        multiplies, and backward()), or the gradient-descent update."""
        step = self.steps[self.index]
        if step.phase == "update":
            return code_view.update_step()
        label = step.node if step.phase == "forward" else self.network.step("backward", step.node).inputs[0]
        return code_view.value_step(step.phase, self.network.nodes.get(label))

    def show_step(self):
        """The stepper at the current step: the bar, the graph, the step's card; and the link."""
        step = self.steps[self.index]
        question = self._question()
        waiting = question is not None and self._answer_key(question) not in self.answered
        self._show_stepper_bar()
        ui.set_svg("network-graph", draw(self.network, self.steps, self.index, withheld=waiting))
        ui.element("network-graph").classList.toggle("focused", bool(step.active or step.used))
        self._follow_highlight()
        self._show_step_card(step)
        self._show_update_table(step)
        ui.set_text("live-step", step.result_text)
        self._show_live_values(self.index - 1 if waiting else self.index)
        for element_id in ("step-substituted", "step-result"):
            ui.element(element_id).parentElement.hidden = False
        self._show_prediction(question, waiting)
        self.code.refresh()
        self.url.save(self.values)

    @staticmethod
    def _follow_highlight():
        """The graph scrolls in its box (sideways on a narrow screen, up and down in an embed):
        keep this step's part of it in view."""
        box = ui.element("network-graph").parentElement
        active = js.document.querySelectorAll("#network-graph .active")
        if active.length == 0:
            return
        frame = box.getBoundingClientRect()
        boxes = [node.getBoundingClientRect() for node in active]
        if box.scrollWidth > box.clientWidth:
            left, right = min(float(b.left) for b in boxes), max(float(b.right) for b in boxes)
            if left < frame.left or right > frame.right:
                box.scrollLeft += (left + right) / 2 - (frame.left + frame.right) / 2
        if box.scrollHeight > box.clientHeight:
            top, bottom = min(float(b.top) for b in boxes), max(float(b.bottom) for b in boxes)
            if top < frame.top or bottom > frame.bottom:
                box.scrollTop += (top + bottom) / 2 - (frame.top + frame.bottom) / 2

    def _show_stepper_bar(self):
        index, count = self.index, len(self.steps)
        ui.set_text("step-counter", f"Step {index + 1} / {count}")
        scrubber = ui.element("scrubber")
        scrubber.max = str(count)
        scrubber.value = str(index + 1)
        ui.element("previous-step").disabled = index == 0
        ui.element("next-step").disabled = index == count - 1

    def _show_step_card(self, step):
        phase = ui.element("step-phase")
        phase.textContent = PHASE_TITLES[step.phase]
        phase.className = f"phase {step.phase}"
        ui.set_text("step-heading", step.title)
        ui.set_text("step-explanation", step.explanation)
        ui.tex("step-formula", step.formula)
        ui.tex("step-substituted", step.substituted)
        ui.set_text("step-result", step.result_text)
        if self._show_row("step-upstream-row", step.upstream_text):
            ui.set_text("step-upstream", step.upstream_text)
        if self._show_row("step-local-row", step.local):
            ui.set_text("step-local-label", step.local_label)
            ui.tex("step-local", step.local)
        check = self.checks.get(step.node) if step.phase == "backward" else None
        if self._show_row("step-check-row", check):
            ui.set_text("step-check", check.text())

    @staticmethod
    def _show_row(row_id, content) -> bool:
        """Show a row of the step's card if it has content; True if it is shown."""
        ui.element(row_id).hidden = not content
        return bool(content)

    def _show_update_table(self, step):
        box = ui.element("update-table-box")
        box.hidden = step.phase != "update"
        if box.hidden:
            return
        ui.set_text("update-lr", rate_text(self.values))
        ui.element("update-table").classList.toggle("with-check", bool(self.checks))
        ui.fill_table("update-rows", update_table(step, self.checks))

    def _show_controls(self):
        """The controls show the values (after a preset, training, a compatibility switch)."""
        changed = {name: value for name, value in self.values.items() if self.shown.get(name) != value}
        self.controls.show(changed)
        self.shown.update(changed)
        ui.element("preset").value = matching_preset(self.values)

    def _show_units(self):
        """The weight fields' groups, legends and hints follow the network, 2-2-1 or 2-3-1."""
        legends = unit_legends(self.values["units"])
        for unit in range(1, 5):
            ui.element(f"unit-{unit}").hidden = unit not in legends
            if unit in legends:
                ui.set_text(f"unit-{unit}-legend", legends[unit])
        for param, hint in param_hints(self.values["units"]).items():
            ui.set_text(f"{param}-hint", hint)

    def _show_live_values(self, index):
        for element_id, text in live_values(self.network, self.steps, max(index, 0), self.values["reveal"]).items():
            ui.set_text(element_id, text)

    def _show_domain_notes(self):
        box = ui.element("domain-notes")
        box.replaceChildren()
        for text in domain_notes(self.network):
            note = js.document.createElement("p")
            note.className = "note"
            note.textContent = text
            box.append(note)

    def _add_url_note(self, note):
        """A note about the link's settings, after any notes about its invalid values."""
        earlier = ui.element("url-notes")
        self._show_note("url-notes", f"{earlier.textContent} {note}" if not earlier.hidden else note)

    @staticmethod
    def _show_note(element_id, text):
        box = ui.element(element_id)
        box.textContent = text or ""
        box.hidden = not text


def graph_node_key(event):
    """The data-key of the graph node an event happened in, or None."""
    node = ui.closest(event, "[data-key]")
    return None if node is None else str(node.dataset.key)


def main(url):
    StepThroughPage(url)
    ui.ready()


ui.start(main, STATE)  # if main fails after reading the link, the page restarts without it
