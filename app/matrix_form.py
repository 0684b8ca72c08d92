"""Lesson: backprop in matrix form (the only module of this page that touches the DOM).

What to show is decided in app/matrix_form_model.py and drawn by app/matrix_form_draw.py.
"""
import js

from app import code_view_mlp, lesson_two_names, ui
from app import matrix_form_draw as draw
from app import matrix_form_model as model
from engine import text

PLAY_EVERY_MS = 1200


class MatrixFormPage:
    def __init__(self, url: ui.UrlState):
        self.url = url
        self.values = url.load()
        self.values["step"] = min(self.values["step"], len(model.lesson_steps(self.values["hidden"])))
        if self.values["sample"] > len(self.values["batch"]):      # a link's example beyond its batch
            ui.set_text("url-notes", f"There is no example {self.values['sample']} in a batch of "
                                     f"{len(self.values['batch'])}: no example is lit.")
            ui.element("url-notes").hidden = False
            self.values["sample"] = 0
        self.focus = None                   # the product result cell whose sources are lit
        self.playing = False
        self.last_advance = 0.0
        self.weight_fields = []
        self.controls = ui.Controls(url, [("units", "units"), ("hidden", "hidden"), ("lr", "lr"),
                                          ("gradient-check", "check"), ("matrix-code", "code")],
                                    self.values, self.change)
        self.batch_input = ui.element("batch")
        self.player = ui.Loop(self.play_tick)
        self.code = ui.CodeView("matrix-code", lambda: code_view_mlp.matrix_step(
            self.steps()[self.values["step"] - 1].result, self.values["hidden"]))
        self.bind()
        if ui.embedded():
            ui.element("weight-editor").parentElement.open = False     # folded in a frame: room for the steps
        self.build_weight_editor()
        self.show()

    # ------------------------------------------------------------------ controls

    def bind(self):
        self.batch_input.value = model.format_batch(self.values["batch"])
        ui.on(self.batch_input, "change", lambda event: self.set_batch(str(self.batch_input.value)))
        ui.on(self.batch_input, "input", lambda event: ui.set_text("batch-error", ""))
        ui.on(ui.element("matrix-stepper").querySelector(".batch-presets"), "click", self.on_batch_preset)
        ui.on("first-step", "click", lambda event: self.go(1))
        ui.on("previous-step", "click", lambda event: self.go(self.values["step"] - 1))
        ui.on("next-step", "click", lambda event: self.go(self.values["step"] + 1))
        ui.on("last-step", "click", lambda event: self.go(len(self.steps())))
        ui.on("play", "click", lambda event: self.toggle_play())
        ui.on("scrubber", "input", lambda event: self.go(int(event.target.value)))
        ui.on("sample", "change", lambda event: self.change("sample", int(event.target.value)))
        ui.on("apply-update", "click", lambda event: self.apply_update())
        ui.on("step-matrices", "mouseover", self.on_cell)
        ui.on("step-matrices", "focusin", self.on_cell)
        ui.on(js.document, "keydown", self.on_key)

    def change(self, name, value):
        self.values[name] = value
        if name == "units":
            self.build_weight_editor()
        self.focus = None
        self.save_and_show()

    def save_and_show(self):
        self.url.save(self.values)
        self.show()

    def set_batch(self, typed):
        try:
            batch = model.parse_batch(typed)
        except ValueError as error:
            ui.set_text("batch-error", f"{error}; still using the last batch")
            self.batch_input.setAttribute("aria-invalid", "true")
            return
        self.batch_input.setAttribute("aria-invalid", "false")
        ui.set_text("batch-error", "")
        self.values["batch"] = batch
        self.values["sample"] = min(self.values["sample"], len(batch))
        self.focus = None                   # its cell may be gone with the rows
        self.batch_input.value = model.format_batch(batch)
        self.save_and_show()

    def on_batch_preset(self, event):
        button = ui.closest(event, "button[data-batch]")
        if button is not None:
            self.set_batch(str(button.dataset.batch))

    def build_weight_editor(self):
        """One text box per weight, laid out as the cells of W₁, b₁, W₂ and b₂; a refused or
        clamped value is explained under the tables, naming its cell."""
        grids = lesson_two_names.matrix_names(self.values["units"])
        editor = ui.element("weight-editor")
        editor.replaceChildren()
        notes = js.document.createElement("div")
        notes.className = "cell-notes"
        self.weight_fields = []
        for matrix, grid in grids.items():
            title = model.PLAIN[matrix]
            table = js.document.createElement("table")
            table.className = "matrix editable"
            caption = js.document.createElement("caption")
            caption.textContent = f"{title} {len(grid)}×{len(grid[0])}"
            table.append(caption)
            for r, row in enumerate(grid):
                line = js.document.createElement("tr")
                for c, name in enumerate(row):
                    where = f"{title}[{r + 1},{c + 1}], lesson 2's {text.pretty_name(name)}"
                    cell = js.document.createElement("td")
                    box = js.document.createElement("input")
                    box.id, box.type, box.className = f"cell-{name}", "text", "num cell"
                    box.title = where
                    box.setAttribute("inputmode", "decimal")
                    box.setAttribute("aria-label", where)
                    cell.append(box)
                    line.append(cell)
                    note = js.document.createElement("p")
                    note.className = "cell-note field-error"
                    label = js.document.createElement("span")
                    label.textContent = f"{where}: "
                    message = js.document.createElement("span")
                    message.id = f"cell-{name}-error"
                    message.setAttribute("aria-live", "polite")
                    note.append(label, message)
                    notes.append(note)
                table.append(line)
            editor.append(table)
        editor.append(notes)
        for name in [name for grid in grids.values() for row in grid for name in row]:
            prop = model.STATE.props[name]
            self.weight_fields.append(ui.NumberField(
                f"cell-{name}", self.values[name], lambda value, name=name: self.change(name, value),
                low=prop.low, high=prop.high))

    # ------------------------------------------------------------------ stepping

    def steps(self):
        return model.lesson_steps(self.values["hidden"])

    def go(self, step):
        step = max(1, min(int(step), len(self.steps())))
        if step != self.values["step"]:
            self.values["step"] = step
            self.focus = None
            self.save_and_show()

    def toggle_play(self):
        self.playing = not self.playing
        if self.playing and self.values["step"] >= len(self.steps()):
            self.go(1)
        self.last_advance = float(js.performance.now())
        ui.element("play").textContent = "❚❚ Pause" if self.playing else "▶ Play"
        ui.element("play").setAttribute("aria-pressed", "true" if self.playing else "false")
        if self.playing:
            self.player.start()
        else:
            self.player.stop()

    def play_tick(self, deadline):
        now = float(js.performance.now())
        if now - self.last_advance >= PLAY_EVERY_MS:
            self.last_advance = now
            self.go(self.values["step"] + 1)
            if self.values["step"] >= len(self.steps()):
                self.toggle_play()
                return False
        return True

    def on_key(self, event):
        target = event.target
        if event.key in model.CELL_MOVES and ui.closest(event, "table[role=grid] td[data-matrix]") is not None:
            event.preventDefault()          # arrows move inside a matrix; Tab leaves it
            self.move_in_matrix(target, event.key)
            return
        tag = str(getattr(target, "tagName", "")).lower()
        typing = tag in ("input", "select", "textarea", "button", "summary")
        if typing or bool(getattr(target, "isContentEditable", False)):
            return
        keys = {"ArrowRight": self.values["step"] + 1, "ArrowLeft": self.values["step"] - 1,
                "Home": 1, "End": len(self.steps())}
        if event.key in keys:
            event.preventDefault()
            self.go(keys[event.key])
        elif event.key == " ":
            event.preventDefault()
            self.toggle_play()

    def move_in_matrix(self, cell, key):
        """Roving tab stop: the arrow key's neighbour takes the focus, and with it (on_cell) the
        matrix's one tab stop and the lit sources, as pointing at it does."""
        table = cell.closest("table")
        shape = (int(table.rows.length), int(table.rows[0].cells.length))
        row, column = model.cell_after_key(shape, (int(cell.dataset.row), int(cell.dataset.col)), key)
        target = table.rows[row].cells[column]
        if not target.isSameNode(cell):
            target.focus()

    def on_cell(self, event):
        cell = ui.closest(event, "td[data-matrix]")
        if cell is not None and str(event.type) == "focusin" and cell.hasAttribute("tabindex"):
            for other in cell.closest("table").querySelectorAll("td[tabindex='0']"):
                other.setAttribute("tabindex", "-1")       # a focused cell (arrow key, click) is the tab stop now
            cell.setAttribute("tabindex", "0")
        step = self.steps()[self.values["step"] - 1]
        if cell is None or step.kind != "product" or str(cell.dataset.matrix) != step.result:
            return
        focus = (int(cell.dataset.row), int(cell.dataset.col))
        if focus != self.focus:
            self.focus = focus
            self.light(step, model.run(self.values).values)

    def light(self, step, values):
        """Light the focused result cell and what it is made from, in the tables on screen.
        Classes change in place, not the tables: a cell with the keyboard focus keeps it."""
        box = ui.element("step-matrices")
        for cell in box.querySelectorAll("td.source, td.focus"):
            cell.classList.remove("source", "focus")
        if self.focus is not None and step.kind == "product":
            for selector in draw.source_selectors(step, self.focus):
                for cell in box.querySelectorAll(selector):
                    cell.classList.add("source")
            row, column = self.focus
            box.querySelector(f'td[data-matrix="{step.result}"][data-row="{row}"][data-col="{column}"]'
                              ).classList.add("focus")
        why = ui.element("product-why")   # filled once the learner points at a result cell
        why.hidden = step.kind != "product" or self.focus is None
        ui.set_svg("product-why", "" if why.hidden else draw.product_explanation(step, values, self.focus))

    def apply_update(self):
        self.values = model.updated_state(self.values)
        self.values["step"] = 1
        for field in self.weight_fields:
            name = str(field.input.id)[len("cell-"):]
            field.set(self.values[name])
        self.save_and_show()

    # ------------------------------------------------------------------ showing

    def show(self):
        values = model.run(self.values).values
        steps = self.steps()
        number = self.values["step"]
        step = steps[number - 1]
        ui.set_text("step-counter", f"Step {number} / {len(steps)}")
        scrubber = ui.element("scrubber")
        scrubber.max = str(len(steps))
        scrubber.value = str(number)
        ui.element("previous-step").disabled = number == 1     # as lesson 2's stepper: no step to go to
        ui.element("next-step").disabled = number == len(steps)
        phase = ui.element("step-phase")
        phase.textContent = step.phase.capitalize()
        phase.className = f"phase {step.phase}"
        ui.tex("step-equation", step.equation)
        ui.set_text("step-shapes", model.shape_badge(step, values))
        ui.element("step-shapes").title = draw.product_why(step, values) if step.kind == "product" else ""
        ui.set_text("step-says", step.says)
        ui.element("product-hint").hidden = step.kind != "product"
        self.show_matrices(step, values)
        self.show_outer_products(step, values)
        shape_check = ui.element("shape-check")
        shape_check.hidden = not step.shape_check
        shape_check.textContent = f"Shape check: {step.shape_check}" if step.shape_check else ""
        ui.set_svg("step-code", draw.code_lines(step))
        ui.element("update-row").hidden = step.phase != "update"
        if step.phase == "update":
            after = model.run(model.updated_state(self.values)).values["L"]
            ui.set_text("update-loss", f"With η = {text.plain(self.values['lr'])}, the batch's loss L goes from "
                                       f"{text.plain(values['L'].item())} to {text.plain(after.item())}.")
        self.show_examples()
        self.show_check()
        self.code.refresh()

    def show_matrices(self, step, values):
        example = self.values["sample"] - 1 if self.values["sample"] else None
        box = ui.element("step-matrices")
        had_focus = bool(box.contains(js.document.activeElement))
        ui.set_svg("step-matrices", draw.step_matrices(step, values, example, self.focus, lr=self.values["lr"]))
        if had_focus:                           # the focused cell is gone with its step: stay on the card
            ui.element("step-card").focus()
        show_scroll_hint("step-matrices")
        box.scrollLeft = 0          # a new step starts at its left edge (narrow screens scroll sideways)
        self.light(step, values)

    def show_outer_products(self, step, values):
        sources = {"dW2": ("H1", "d2"), "dW1": ("X", "d1")}.get(step.result)
        box = ui.element("outer-products")
        box.hidden = sources is None
        if sources is not None:
            example = self.values["sample"] - 1 if self.values["sample"] else None
            pieces = model.outer_products(values, *sources)
            ui.set_svg("outer-products-sum", draw.outer_product_sum(values, *sources, step.result, pieces, example))
            ui.element("outer-products-sum").scrollLeft = 0
            show_scroll_hint("outer-products-sum")

    def show_examples(self):
        batch = self.values["batch"]
        options = [("0", "none")] + [(str(i + 1), f"{i + 1}: x = ({text.plain(x1)}, {text.plain(x2)}), y = {y}")
                                     for i, (x1, x2, y) in enumerate(batch)]
        ui.fill_select("sample", options, str(self.values["sample"]))
        link = ui.element("lesson-two-link")
        link.hidden = not self.values["sample"]
        if self.values["sample"]:
            link.href = "step-through.html" + model.lesson_two_link(self.values, self.values["sample"] - 1)
            link.textContent = f"Open example {self.values['sample']} in lesson 2"

    def show_check(self):
        table = ui.element("check-table")
        table.hidden = not self.values["check"]
        shown = model.gradients_so_far(self.values["hidden"], self.values["step"])
        note = ui.element("check-note")
        note.hidden = not self.values["check"]
        note.textContent = draw.check_note(shown)
        table.hidden = not self.values["check"] or not shown
        if self.values["check"] and shown:
            checks = [c for c in model.gradient_check(self.values) if c.name.partition("[")[0] in shown]
            ui.fill_table("check-body", draw.check_rows(checks))


def show_scroll_hint(box_id):
    """A hint above a box of matrices that is wider than the screen (it scrolls sideways)."""
    box = ui.element(box_id)
    ui.element(f"{box_id}-hint").hidden = int(box.scrollWidth) <= int(box.clientWidth) + 1


def main(url):
    MatrixFormPage(url)
    ui.ready()


ui.start(main, model.STATE)
