"""Step-through page: one training step of a 2-2-1 (or 2-3-1) network, one computation at a time.

Browser glue only.  What to show for a state comes from app.network_steps (the
steps, taken from the engine's trace) and app.network_picture (the graph), both
tested in CPython.
"""
import js

from app import ui
from app.network_picture import draw, loss_sparkline
from app.network_steps import (ALL_PARAMS, HIDDEN_ACTIVATIONS, LOSS_NAMES, OUTPUT_ACTIVATIONS, PRESETS,
                               STATE, Network, activation_label, compatible, domain_notes, edge_of_param,
                               gradient_checks, gradient_name, is_bias, lesson_steps, loss_label, matching_preset,
                               output_unit, preset_values, show_number, step_for_node, Training)
from engine.trace import pretty_name

PLAY_INTERVAL_MS = 1400
NUMBER_FIELDS = ("x1", "x2", "y", *ALL_PARAMS, "lr")
PHASE_NAMES = {"forward": "Forward", "backward": "Backward", "update": "Update"}


class StepThroughPage:
    def __init__(self):
        self.url = ui.UrlState(STATE)
        self.values, note = compatible(self.url.load())
        if note:  # after any notes about invalid values in the link
            earlier = ui.element("url-notes")
            self._show_note("url-notes", f"{earlier.textContent} {note}" if not earlier.hidden else note)
        self.base_preset = matching_preset(self.values) or "default"
        self.losses = []           # the loss over the training steps since the last hand edit
        self.last_advance = 0.0
        self.player = ui.Loop(self._play_frame)
        # Training runs in slices, a few steps per frame: 100 steps with the gradient check took
        # 0.7 s in one go, a frozen tab.
        self.training = None
        self.trainer = ui.Loop(self._train_frame)
        self.progress = ui.Progress("train-progress", "train-stop", self.stop_training)
        self.fields = {name: ui.NumberField(name, self.values[name], self._field_changer(name),
                                            low=STATE.props[name].low, high=STATE.props[name].high)
                       for name in NUMBER_FIELDS}
        self._wire_controls()
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
        self._sync_controls()
        self._show_live_values()
        self._show_domain_notes()
        self.show_step()

    def go(self, index: int):
        self.values["step"] = max(0, min(index, len(self.steps) - 1)) + 1
        self.show_step()

    def _field_changer(self, name):
        def changed(value):
            self.stop_training()   # the steps taken so far stay; the edit applies to them
            self.values[name] = value
            if name != "lr":       # η does not change the network, only the update
                self._forget_training()
            self.rebuild()
        return changed

    def _choose(self, name, value):
        self.stop_training()
        self.values[name] = value
        self.values, note = compatible(self.values, changed=name)
        self._show_note("variant-note", note)
        self._forget_training()
        self.rebuild()

    def _choose_preset(self, name):
        if name not in PRESETS:
            return
        self.stop_training()
        self.base_preset = name
        self.values = preset_values(name, self.values)
        self._show_note("variant-note", None)
        self._forget_training()
        self.rebuild()

    # -------------------------------------------------------------- controls

    def _wire_controls(self):
        ui.fill_select("preset", [(p.name, p.label) for p in PRESETS.values()] + [("", "Custom")])
        ui.fill_select("hidden", [(name, activation_label(name)) for name in HIDDEN_ACTIVATIONS])
        ui.fill_select("output", [(name, activation_label(name)) for name in OUTPUT_ACTIVATIONS])
        ui.fill_select("loss", [(name, loss_label(name)) for name in LOSS_NAMES])
        ui.on("preset", "change", lambda event: self._choose_preset(str(event.target.value)))
        for name in ("hidden", "output", "loss"):
            ui.on(name, "change", lambda event, name=name: self._choose(name, str(event.target.value)))
        ui.on("gradient-check", "change", lambda event: self._set_check(bool(event.target.checked)))

        ui.on("first-step", "click", lambda event: self.go(0))
        ui.on("previous-step", "click", lambda event: self.go(self.index - 1))
        ui.on("next-step", "click", lambda event: self.go(self.index + 1))
        ui.on("last-step", "click", lambda event: self.go(len(self.steps) - 1))
        ui.on("play", "click", lambda event: self.toggle_play())
        ui.on("scrubber", "input", lambda event: self.go(int(event.target.value) - 1))
        ui.on("network-graph", "click", self._on_graph_click)
        ui.on(js.document, "keydown", self._on_key)

        ui.on("train-1", "click", lambda event: self.train(1))
        ui.on("train-100", "click", lambda event: self.train(100))
        ui.on("reset-weights", "click", lambda event: self._choose_preset(self.base_preset))

    def _set_check(self, on: bool):
        self.values["check"] = on
        self.rebuild()

    def _sync_controls(self):
        """Controls show the values (after a preset, training or a URL)."""
        values = self.values
        for name, field in self.fields.items():
            if field.value != values[name]:
                field.set(values[name])
        for name in ("hidden", "output", "loss"):
            ui.element(name).value = values[name]
        ui.element("preset").value = matching_preset(values)
        ui.element("gradient-check").checked = values["check"]
        self._label_units()

    def _label_units(self):
        """The weight fields' groups and hints follow the network: w₃₁ is an output
        weight in the 2-2-1 network and a hidden one in the 2-3-1 network."""
        units = self.values["units"]
        o = output_unit(units)
        for unit in range(1, 5):
            box = ui.element(f"unit-{unit}")
            box.hidden = unit > o
            z, h = pretty_name(f"z{unit}"), pretty_name(f"h{unit}")
            ui.set_text(f"unit-{unit}-legend", f"Output unit: {z} → ŷ" if unit == o else f"Hidden unit {unit}: {z} → {h}")
        for param, edge in edge_of_param(units).items():
            source, target = edge.split(">")
            hint = (f"bias of {pretty_name(target)}" if is_bias(param)
                    else f"{pretty_name(source)} → {pretty_name(target)}")
            ui.set_text(f"{param}-hint", hint)

    def _on_key(self, event):
        target = event.target
        tag = str(getattr(target, "tagName", "") or "").upper()
        if tag in ("INPUT", "SELECT", "TEXTAREA") or event.altKey or event.ctrlKey or event.metaKey:
            return
        key = str(event.key)
        node_key = graph_node_key(event)
        if node_key is not None and key in ("Enter", " "):
            event.preventDefault()
            self._jump_to_node(node_key)
            return
        if tag == "BUTTON" and key in ("Enter", " "):
            return  # the button's own click
        actions = {"ArrowRight": lambda: self.go(self.index + 1), "ArrowLeft": lambda: self.go(self.index - 1),
                   "Home": lambda: self.go(0), "End": lambda: self.go(len(self.steps) - 1),
                   " ": self.toggle_play}
        if key in actions:
            event.preventDefault()
            actions[key]()

    def _on_graph_click(self, event):
        node_key = graph_node_key(event)
        if node_key is not None:
            self._jump_to_node(node_key)

    def _jump_to_node(self, key):
        phase = "forward" if self.steps[self.index].phase == "forward" else "backward"
        self.go(step_for_node(self.steps, key, phase))

    # -------------------------------------------------------------- playing

    def toggle_play(self):
        self.set_playing(not self.player.running)

    def set_playing(self, playing: bool):
        button = ui.element("play")
        if playing:
            if self.index >= len(self.steps) - 1:
                self.go(0)
            self.last_advance = js.performance.now()
            self.player.start()
        else:
            self.player.stop()
        button.textContent = "⏸ Pause" if playing else "▶ Play"
        button.setAttribute("aria-pressed", "true" if playing else "false")

    def _play_frame(self, deadline):
        now = js.performance.now()
        if now - self.last_advance < PLAY_INTERVAL_MS:
            return True
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
        for button in ("train-1", "train-100"):
            ui.element(button).disabled = True
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
        ui.set_text("train-result", f"Training: step {training.taken} of {training.total}…")
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
        for button in ("train-1", "train-100"):
            ui.element(button).disabled = False
        self.progress.hide()            # after the buttons: the focus may go back to Train 100
        self.losses = (self.losses or run.losses[:1]) + run.losses[1:]
        # Only the weights come from the training: the stepper may have moved meanwhile.
        self.values = {**self.values, **{name: run.values[name] for name in ALL_PARAMS}}
        taken = len(run.losses) - 1
        ui.set_text("train-result", f"Loss {show_number(self.loss_before)} → {show_number(run.losses[-1])} "
                                    f"after {taken} step{'' if taken == 1 else 's'} with η = {self.values['lr']:g}.")
        self._show_note("train-note", run.note)
        ui.set_svg("loss-sparkline", loss_sparkline(self.losses))
        self.rebuild()

    def _forget_training(self):
        """A hand-made change starts a new training history."""
        self.losses = []
        ui.set_text("train-result", "Loss: not trained yet.")
        self._show_note("train-note", None)
        ui.set_svg("loss-sparkline", "")

    # -------------------------------------------------------------- showing

    def show_step(self):
        steps, index = self.steps, self.index
        step = steps[index]
        ui.set_svg("network-graph", draw(self.network, steps, index))
        ui.element("network-graph").classList.toggle("focused", bool(step.active or step.used))
        ui.set_text("step-counter", f"Step {index + 1} / {len(steps)}")
        scrubber = ui.element("scrubber")
        scrubber.max = str(len(steps))
        scrubber.value = str(index + 1)
        phase = ui.element("step-phase")
        phase.textContent = PHASE_NAMES[step.phase]
        phase.className = f"phase {step.phase}"
        ui.set_text("step-heading", step.title)
        ui.set_text("step-explanation", step.explanation)
        ui.tex("step-formula", step.formula)
        ui.tex("step-substituted", step.substituted)
        ui.set_text("step-result", step.result_text)
        self._show_row("step-upstream-row", step.upstream_text)
        if step.upstream_text:
            ui.set_text("step-upstream", step.upstream_text)
        self._show_row("step-local-row", step.local)
        if step.local:
            ui.set_text("step-local-label", step.local_label)
            ui.tex("step-local", step.local)
        check = self.checks.get(step.node) if step.phase == "backward" else None
        self._show_row("step-check-row", check)
        if check:
            ui.set_text("step-check", check.text())
        self._show_update_table(step)
        ui.set_text("live-step", step.result_text)
        ui.element("previous-step").disabled = index == 0
        ui.element("next-step").disabled = index == len(steps) - 1
        self.url.save(self.values)

    def _show_row(self, row_id, content):
        ui.element(row_id).hidden = not content

    def _show_update_table(self, step):
        box = ui.element("update-table-box")
        box.hidden = step.phase != "update"
        if box.hidden:
            return
        ui.set_text("update-lr", f"{self.values['lr']:g}")
        ui.element("update-table").classList.toggle("with-check", bool(self.checks))
        body = ui.element("update-rows")
        body.replaceChildren()
        for name, old, grad, new in step.update_rows:
            cells = [pretty_name(name), show_number(old), show_number(grad), show_number(new)]
            if self.checks:
                check = self.checks[name]
                cells += [show_number(check.numeric, 6), f"{check.relative:.1e}".replace("-", "−")]
            row = js.document.createElement("tr")
            for i, text in enumerate(cells):
                cell = js.document.createElement("th" if i == 0 else "td")
                if i == 0:
                    cell.scope = "row"
                cell.textContent = text
                row.append(cell)
            body.append(row)

    def _show_live_values(self):
        network = self.network
        ui.set_text("live-yhat", show_number(network.value("yhat")))
        ui.set_text("live-loss", show_number(network.loss.data))
        ui.set_text("live-output-grad-label", gradient_name(network.output_label))
        ui.set_text("live-output-grad", show_number(network.grad(network.output_label)))

    def _show_domain_notes(self):
        box = ui.element("domain-notes")
        box.replaceChildren()
        for text in domain_notes(self.network):
            note = js.document.createElement("p")
            note.className = "note"
            note.textContent = text
            box.append(note)

    def _show_note(self, element_id, text):
        box = ui.element(element_id)
        box.textContent = text or ""
        box.hidden = not text


def graph_node_key(event):
    """The data-key of the graph node an event happened in, or None."""
    node = ui.closest(event, "[data-key]")
    return None if node is None else str(node.dataset.key)


def main():
    StepThroughPage()
    ui.ready()


ui.start(main)
