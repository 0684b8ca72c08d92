"""Training playground page: an MLP trains live on 2-D data, with its decision
boundary, loss curve and network diagram redrawn every animation frame.

Training runs on the main thread in time slices (ui.Loop): each frame takes
mini-batch steps until its training budget is spent, then draws.  Pixels go from NumPy to
the canvases with one buffer copy per picture (CanvasImage / UnitHeatmaps),
and the per-frame path creates no Python proxies.  All logic that does not
touch the DOM lives in app/playground_model.py and app/playground_draw.py.
"""
import gc
import math

import js
import numpy as np
from pyodide.ffi import to_js

from app import playground_draw as draw
from app import playground_model as model
from app import ui
from engine import MLP
from engine.mlp import grid_points

UNIT_RESOLUTION = 24
# Heatmaps and links change slowly to the eye: ten times a second at most, and
# rarer when they are expensive (a large network), so they take <= 10% of the time.
DIAGRAM_INTERVAL_MS = 100
DIAGRAM_SHARE = 0.1
# Frames should come every FRAME_INTERVAL_MS (about 36 a second).  Each frame's
# training time is steered towards that: whatever else makes frames slower
# (drawing, the browser's own work, other programs on the machine) is taken
# out of training, within these bounds.
FRAME_INTERVAL_MS = 28.0
MIN_TRAIN_MS, MAX_TRAIN_MS = 4.0, 20.0
STEERING = 0.25
DATA_SETTINGS = ("dataset", "noise", "train", "n", "data_seed", "points")
# Keys that walk the diagram's links, and in which direction.
LINK_KEYS = {"ArrowRight": 1, "ArrowDown": 1, "ArrowLeft": -1, "ArrowUp": -1}


def create(tag, text=None, parent=None, **attributes):
    """A DOM element with plain-text content (never parsed as HTML)."""
    node = js.document.createElement(tag)
    if text is not None:
        node.textContent = str(text)
    for name, value in attributes.items():
        node.setAttribute(name.rstrip("_").replace("_", "-"), str(value))
    if parent is not None:
        parent.append(node)
    return node


def place(node, box):
    """Position an absolutely placed element from a dict of CSS lengths."""
    for name, value in box.items():
        setattr(node.style, name, value)


class CanvasImage:
    """A canvas shown from an (h, w, 4) uint8 NumPy array: one copy of the bytes
    into a persistent ImageData, then putImageData.  No per-pixel calls.  The
    canvas takes the array's size (CSS scales it to its box)."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.context = canvas.getContext("2d")
        self.images = {}            # (width, height) -> (ImageData, its pixel buffer)
        self.size = None

    def show(self, rgba):
        height, width = rgba.shape[:2]
        if (width, height) not in self.images:
            image = self.context.createImageData(width, height)
            self.images[(width, height)] = (image, image.data)
        if self.size != (width, height):
            self.canvas.width, self.canvas.height = width, height
            self.size = (width, height)
        image, pixels = self.images[(width, height)]
        pixels.assign(rgba)
        self.context.putImageData(image, 0, 0)


class UnitHeatmaps:
    """One small canvas per unit of the diagram.  All units' pixels share one
    JS buffer, so a frame copies them from NumPy in one go; each canvas then
    paints its own slice of it."""

    def __init__(self, container, layout, resolution):
        self.canvases = []
        self.targets = []
        units = layout.units()
        size = resolution * resolution * 4
        self.pixels = js.Uint8ClampedArray.new(size * len(units))
        for k, (column, unit) in enumerate(units):
            canvas = create("canvas", parent=container, width=resolution, height=resolution,
                            title=layout.unit_name(column, unit))
            place(canvas, layout.placement(column, unit))
            image = js.ImageData.new(self.pixels.subarray(k * size, (k + 1) * size), resolution, resolution)
            self.canvases.append(canvas)
            self.targets.append((canvas.getContext("2d"), image))

    def show(self, rgba):
        self.pixels.assign(rgba)
        for context, image in self.targets:
            context.putImageData(image, 0, 0)

    def remove(self):
        for canvas in self.canvases:
            canvas.remove()


class Playground:
    def __init__(self):
        self.url = ui.UrlState(model.STATE)
        self.settings = self.url.load()
        dark = bool(js.matchMedia("(prefers-color-scheme: dark)").matches)
        self.lut = draw.palette(dark)
        self.history = draw.LossHistory()
        # Frame timing in ms: the steered training time per frame, and running averages of the
        # interval between frames and of the diagram's drawing time.
        self.train_ms = MIN_TRAIN_MS
        self.interval_ms = FRAME_INTERVAL_MS
        self.diagram_ms = 5.0
        self.coarse_frames = 0
        self.diagram_due = False
        self.loop = ui.Loop(self.train_slice, self.draw_frame, budget_ms=MAX_TRAIN_MS)
        # Step and Export finish an epoch; at 1000 points in batches of 1 that took 0.25-0.37 s in
        # one go, so it runs in slices too, with a progress bar and a Stop.
        self.finisher = ui.Loop(self.finish_slice, budget_ms=MAX_TRAIN_MS)
        self.after_epoch = None
        self.epoch_progress = ui.Progress("epoch-progress", "epoch-stop", self.end_finishing)
        self.before_preset = None       # the settings a preset replaced, for its Undo
        self.diverged = False
        self.curve_hover = None
        self.curve_key = None
        self.curve_table_epoch = None
        narrow = ui.element("loss-curve").clientWidth < 360
        self.curve_size = draw.NARROW_CURVE_SIZE if narrow else draw.CURVE_SIZE
        self.hover_link = None
        self.layout = None
        self.heatmaps = None
        self.last_diagram_ms = -1e9
        self.frames_drawn = 0
        self.frame_started = 0.0
        self.longest_frame_ms = 0.0
        self.fastest = FastestTimes()
        ui.add_diagnostics(self.fastest.read)
        self.out = {name: ui.element(name) for name in
                    ("epoch", "train-loss", "test-loss", "train-accuracy", "test-accuracy", "boundary-canvas")}
        self.boundary = CanvasImage(self.out["boundary-canvas"])
        place(self.out["boundary-canvas"], draw.canvas_placement())
        self.build_controls()
        self.show_settings()
        self.new_data()

    # ------------------------------------------------------------ controls
    def build_controls(self):
        for name in ("dataset", "activation", "loss", "init", "optimizer", "batch", "reg"):
            ui.fill_select(name, model.option_labels(name))
            ui.on(name, "change", lambda event, name=name: self.change(name, str(event.target.value)))
        for name in ("noise", "train", "n"):
            ui.on(name, "input", lambda event, name=name: self.show_slider(name))
            ui.on(name, "change", lambda event, name=name: self.change(name, int(event.target.value)))
        self.lr_field = self.number_field("lr", "lr")
        self.reg_rate_field = self.number_field("reg-rate", "reg_rate")
        self.seed_field = self.number_field("seed", "seed", whole=True)
        ui.on("lr-slider", "input", lambda event: self.slide_lr(float(event.target.value), save=False))
        ui.on("lr-slider", "change", lambda event: self.slide_lr(float(event.target.value), save=True))
        for element_id, name in (("show-test", "show_test"), ("discrete", "discrete"), ("log-loss", "log_loss")):
            ui.on(element_id, "change", lambda event, name=name: self.change(name, bool(event.target.checked)))

        ui.on("play", "click", lambda event: self.toggle_play())
        ui.on("step", "click", lambda event: self.step())
        ui.on("reset", "click", lambda event: self.reset())
        ui.on("regenerate", "click", lambda event: self.regenerate())
        presets = ui.element("presets")
        for preset in model.PRESETS.values():
            create("button", preset.label, parent=presets, type="button", data_preset=preset.key,
                   title=preset.description)
        ui.on(presets, "click", self.on_preset)
        ui.on("preset-undo", "click", lambda event: self.undo_preset())

        ui.on("boundary", "click", self.on_boundary_click)
        ui.on("clear-points", "click", lambda event: self.set_points(()))
        ui.on("load-csv", "click", lambda event: self.load_pasted_csv())
        ui.on("csv-file", "change", self.on_csv_file)

        ui.on("diagram-controls", "click", self.on_diagram_button)
        ui.on("diagram", "mousemove", self.on_diagram_pointer)
        ui.on("diagram", "keydown", self.on_diagram_key)
        ui.on("diagram", "mouseleave", lambda event: self.set_hover_link(None))
        ui.on("loss-curve", "mousemove", self.on_curve_pointer)
        ui.on("loss-curve", "mouseleave", lambda event: self.set_curve_hover(None))
        ui.on("curve-table-box", "toggle", self.fill_curve_table)

        ui.on("export", "click", lambda event: self.export())
        ui.on("download-json", "click", lambda event: self.download_json())

    def number_field(self, element_id, name, whole=False):
        """A text box for a numeric setting, with the range from the state table."""
        prop = model.STATE.props[name]
        if whole:
            return ui.NumberField(element_id, self.settings[name], lambda v: self.change(name, int(round(v))),
                                  low=prop.low, high=prop.high, fmt=lambda v: str(int(round(v))))
        return ui.NumberField(element_id, self.settings[name], lambda v: self.change(name, v),
                              low=prop.low, high=prop.high)

    def show_settings(self):
        """Put the current settings into every control (at start and after a preset)."""
        s = self.settings
        for name in ("dataset", "activation", "loss", "init", "optimizer", "batch", "reg"):
            ui.element(name).value = s[name]
        for name in ("noise", "train", "n"):
            ui.element(name).value = str(s[name])
            self.show_slider(name)
        self.lr_field.set(s["lr"])
        ui.element("lr-slider").value = str(math.log10(s["lr"]))
        self.reg_rate_field.set(s["reg_rate"])
        self.seed_field.set(s["seed"])
        ui.element("show-test").checked = s["show_test"]
        ui.element("discrete").checked = s["discrete"]
        ui.element("log-loss").checked = s["log_loss"]
        generated = s["dataset"] != "custom"
        for name in ("noise", "n", "regenerate"):
            ui.element(name).disabled = not generated

    def show_slider(self, name):
        value = int(ui.element(name).value)
        ui.set_text(f"{name}-value", f"{value}%" if name in ("noise", "train") else value)

    def slide_lr(self, exponent, save):
        lr = float(f"{10 ** exponent:.2g}")
        self.lr_field.set(lr)
        self.change("lr", lr, save=save)

    # ------------------------------------------------------------ state changes
    def change(self, name, value, save=True):
        """One setting changed: learning rate and regularization act on the
        running training; picture options redraw; anything else restarts."""
        self.withdraw_undo()            # an undo now would also take back this change
        if self.settings[name] == value:
            if save:
                self.save_url()
            return
        self.settings[name] = value
        if name == "lr":
            ui.element("lr-slider").value = str(math.log10(value))
        if name in model.LIVE_SETTINGS:
            self.pending_live[name] = value
            self.apply_pending_live()
        elif name in model.VIEW_SETTINGS:
            if name == "show_test":
                self.draw_overlay()
            self.draw_all()
        elif name in DATA_SETTINGS:
            self.show_settings()
            self.new_data()
        else:
            self.reset()
        if save:
            self.save_url()     # last: the link only takes settings the page has shown

    def save_url(self):
        # Own points stay in memory when another dataset is chosen (to come back
        # to), but the link only carries them while they are in use.
        shown = self.settings if self.settings["dataset"] == "custom" else dict(self.settings, points=())
        ui.element("share-url").value = self.url.save(shown)

    def apply_settings(self, settings):
        """New settings at once (a preset, own points).  The data are made first, so data the
        page cannot use change nothing, and the link is saved last: it never holds settings
        the page could not show."""
        data = model.make_data(settings)
        self.settings = settings
        self.show_settings()
        self.new_data(data)
        self.save_url()

    def on_preset(self, event):
        button = ui.closest(event, "button[data-preset]")
        if button is None:
            return
        # A preset replaces the seed, the batch size and the data; the address bar is replaced,
        # not pushed, so Back cannot bring them back: Undo can, until the next change.
        before = dict(self.settings)
        preset = model.PRESETS[str(button.dataset.preset)]
        self.apply_settings(model.apply_preset(preset.key, before))
        self.offer_undo(before, model.preset_note(preset.label, before))

    def offer_undo(self, before, note):
        """Show `note` with an Undo that brings back the settings `before` (until the next change)."""
        self.before_preset = before
        ui.set_text("preset-undo-text", note)
        ui.element("preset-undo-note").hidden = False

    def undo_preset(self):
        before = self.before_preset
        self.withdraw_undo()
        if before is not None:
            self.apply_settings(before)

    def withdraw_undo(self):
        if self.before_preset is not None:
            self.before_preset = None
            ui.element("preset-undo-note").hidden = True

    def regenerate(self):
        # A new random draw of the same kind of data; the seed goes in the link.
        self.change("data_seed", int(js.Math.floor(js.Math.random() * 1_000_000)))

    def set_points(self, points):
        self.withdraw_undo()
        settings = dict(self.settings, dataset="custom", points=tuple(points))
        self.apply_settings(settings)

    def on_boundary_click(self, event):
        rect = ui.element("boundary").getBoundingClientRect()
        position = draw.to_data(draw.boundary_axes(self.data.view), (event.clientX - rect.left) / rect.width,
                                (event.clientY - rect.top) / rect.height)
        if position is None:
            return
        label = 1 if event.shiftKey or ui.element("class-b").checked else 0
        # Rounded so that the link stays short and restores the point exactly; held inside the
        # range a link accepts (the view reaches a little beyond the outermost points).
        point = (round(model.clamp_coordinate(position[0]), 3), round(model.clamp_coordinate(position[1]), 3), label)
        if self.settings["dataset"] == "custom":
            self.set_points(self.settings["points"] + (point,))
            return
        # A click on generated data starts own points from those data.  Own points kept in
        # memory (from before a preset) are replaced: Undo brings them back.
        before = dict(self.settings)
        self.set_points(self.rounded_points() + (point,))
        if before["points"]:
            label = model.DATASET_LABELS.get(before["dataset"], before["dataset"])
            self.offer_undo(before, model.own_points_note(label, before))

    def rounded_points(self):
        return tuple((round(a, 3), round(b, 3), c) for a, b, c in self.data.all_points())

    def load_csv(self, text):
        """Validate first, then use the points (set_points saves the link last), then say so."""
        try:
            points = model.points_from_csv(text)
            self.set_points(points)
        except ValueError as error:
            self.refuse_csv(str(error))
            return
        ui.element("csv").setAttribute("aria-invalid", "false")
        message = ui.element("csv-error")
        message.className = "muted small"
        message.textContent = f"Loaded {len(points)} points."

    def refuse_csv(self, reason):
        """Say why the CSV was not used; the points on the plot stay as they were."""
        ui.element("csv").setAttribute("aria-invalid", "true")
        message = ui.element("csv-error")
        message.className = "field-error"
        message.textContent = f"Not loaded: {reason}."

    def load_pasted_csv(self):
        field = ui.element("csv")
        # The length is read on the JS side, so a huge paste is refused without copying it into Python.
        problem = model.csv_size_problem(int(field.textLength), "the pasted text")
        if problem:
            self.refuse_csv(problem)
            return
        self.load_csv(str(field.value))

    async def on_csv_file(self, event):
        chooser = event.target
        files = chooser.files
        if files.length == 0:
            return
        file = files.item(0)
        chooser.value = ""          # so that choosing the same file again is a change too
        # Refused by its size before it is read, into Python or into the text box.
        problem = model.csv_size_problem(int(file.size), "the file")
        if problem:
            self.refuse_csv(problem)
            return
        text = str(await file.text())
        ui.element("csv").value = text
        self.load_csv(text)

    def on_diagram_button(self, event):
        button = ui.closest(event, "button[data-action]")
        if button is None:
            return
        layers = list(self.settings["layers"])
        action = str(button.dataset.action)
        if action == "add-layer" and len(layers) < model.MAX_HIDDEN_LAYERS:
            layers.append(layers[-1] if layers else 4)
        elif action == "remove-layer" and layers:
            layers.pop()
        elif action in ("add-unit", "remove-unit"):
            k = int(button.dataset.layer)
            step = 1 if action == "add-unit" else -1
            layers[k] = min(max(layers[k] + step, 1), model.MAX_NEURONS)
        self.change("layers", tuple(layers))

    # ------------------------------------------------------------ data and training
    def new_data(self, data=None):
        """Use new data (made from the settings unless given), and restart training on them."""
        self.data = model.make_data(self.settings) if data is None else data
        self.train_inputs = self.data.scaler.transform(self.data.X_train)
        self.test_inputs = self.data.scaler.transform(self.data.X_test)
        self.draw_overlay()
        self.reset()

    def reset(self):
        self.end_finishing()            # that epoch belonged to the old network
        self.net = model.make_network(self.settings)
        # Without points of both classes there is nothing to train on (yet).
        self.trainer = None if self.data.problem else model.make_trainer(self.net, self.data, self.settings)
        self.run_log = model.RunLog.begin(self.settings)
        self.pending_live = {}
        self.history = draw.LossHistory()
        self.diverged = False
        ui.element("divergence").hidden = True
        sizes = (2, *self.settings["layers"], 1)
        if self.layout is None or self.layout.sizes != sizes:
            self.build_diagram(draw.DiagramLayout(sizes))
        trainable = not self.data.problem
        ui.element("play").disabled = not trainable
        ui.element("step").disabled = not trainable
        ui.set_text("train-status", self.data.problem)
        if not trainable:
            self.pause()
        self.record_losses()
        self.draw_all()

    def warm_up(self):
        """Train a throw-away copy of the network for a few steps at start-up.
        WebAssembly code is compiled when it first runs, so otherwise the first
        frames after Play would be long ones."""
        if self.trainer is None:
            return
        copy = MLP.from_dict(self.net.to_dict())
        with np.errstate(all="ignore"):
            model.make_trainer(copy, self.data, self.settings).run_steps(5)

    @property
    def epoch(self):
        return 0 if self.trainer is None else self.trainer.epoch

    def toggle_play(self):
        if self.loop.running:
            self.pause()
        elif not self.diverged and not self.data.problem:
            self.end_finishing()        # playing goes on with the epoch under way
            # Start light and let steering find the training time: the pause is not a slow frame.
            self.frame_started, self.interval_ms, self.train_ms = 0.0, FRAME_INTERVAL_MS, MIN_TRAIN_MS
            self.last_diagram_ms = js.performance.now()     # it is up to date: keep the first frame light
            self.loop.start()
            self.show_play_state()

    def pause(self):
        if self.loop.running:
            self.loop.stop()
            self.draw_boundary()            # at full resolution again
        self.show_play_state()

    def show_play_state(self):
        button = ui.element("play")
        button.textContent = "❚❚ Pause" if self.loop.running else "▶ Play"
        button.setAttribute("aria-pressed", "true" if self.loop.running else "false")

    def apply_pending_live(self):
        """Learning-rate and regularization changes act between epochs, so that
        the exported snippet can replay them at the same epoch."""
        if self.trainer is None or self.diverged or self.trainer.mid_epoch:
            return
        for name, value in self.pending_live.items():
            model.apply_live_setting(self.trainer, name, value)
            self.run_log.record(self.epoch, name, value)
        self.pending_live.clear()

    def train_steps(self, deadline_ms=None, until_epoch_end=False):
        """Mini-batch steps until the deadline (or, without one, until an epoch
        ends; with until_epoch_end, whichever comes first); False if the loss blew up.
        Stepping batch by batch keeps a frame short even when one epoch of small
        batches takes longer than a frame."""
        trainer, now = self.trainer, js.performance.now
        started, steps = now(), 0
        with np.errstate(all="ignore"):      # overflow is reported in words, not warnings
            while True:
                finished = trainer.run_steps(1)
                steps += 1
                if finished and not math.isfinite(trainer.loss):
                    self.diverge()
                    return False
                if not trainer.mid_epoch:
                    self.apply_pending_live()
                ended = now()
                if (finished if deadline_ms is None else ended >= deadline_ms or (until_epoch_end and finished)):
                    self.fastest.step(ended - started, steps)
                    return True

    def step(self):
        """Train one epoch (or finish the one under way)."""
        self.pause()
        if not self.diverged and not self.data.problem and self.after_epoch is None:
            self.finish_epoch(None)

    def finish_epoch(self, then):
        """Train to the end of the epoch under way (a whole one if none is) in slices across
        frames, showing how far it is, then draw and call then() (if given), each in a frame
        of its own: drawing a large network takes up to 50 ms, and so does writing an export."""
        self.after_epoch = then or (lambda: None)
        self.finish_phase = "train"
        ui.element("step").disabled = ui.element("export").disabled = True
        # A small epoch ends in the first slice: then it is drawn (and Step is done) at once,
        # with no frame's delay, while that keeps the task short.
        started = js.performance.now()
        self.finish_slice(started + MAX_TRAIN_MS)
        while self.finish_phase in ("draw", "diagram") and js.performance.now() - started < MAX_TRAIN_MS:
            self.finish_slice(0)
        if self.finish_phase == "then" and then is None:
            self.finish_slice(0)
        if self.after_epoch is not None:
            self.finisher.start()

    def finish_slice(self, deadline_ms):
        """Loop work for finish_epoch, one phase a frame: training until the epoch ends, drawing,
        then(); False when done (or the loss blew up)."""
        if self.after_epoch is None:
            return False
        if self.finish_phase == "train":
            if not self.train_steps(deadline_ms, until_epoch_end=True):
                self.end_finishing()
                return False
            if self.trainer.mid_epoch:
                self.epoch_progress.show(round(100 * self.trainer.epoch_progress), 100)
            else:
                self.finish_phase = "draw"
            return True
        if self.finish_phase == "draw":
            # The picture and the diagram each in a frame of their own: at eight layers of 16
            # the two together took about 100 ms.
            self.record_losses()
            self.draw_boundary()
            self.draw_numbers()
            self.draw_curve()
            self.finish_phase = "diagram"
            return True
        if self.finish_phase == "diagram":
            self.draw_diagram()
            self.finish_phase = "then"
            return True
        then = self.after_epoch
        self.end_finishing()
        then()
        return False

    def end_finishing(self):
        """No epoch is being finished any more (done, Stop, Play, or a new network)."""
        if self.after_epoch is None:
            return
        self.after_epoch = None
        self.finisher.stop()
        ui.element("step").disabled = self.diverged or bool(self.data.problem)
        ui.element("export").disabled = False
        self.epoch_progress.hide()      # after the buttons: the focus may go back to Step

    def train_slice(self, deadline_ms):
        """Loop work: training for this frame's share of FRAME_INTERVAL_MS."""
        now = js.performance.now()
        if self.frame_started:
            self.interval_ms = running_average(self.interval_ms, now - self.frame_started)
        self.frame_started = now
        steered = self.train_ms + STEERING * (FRAME_INTERVAL_MS - self.interval_ms)
        self.train_ms = min(MAX_TRAIN_MS, max(MIN_TRAIN_MS, steered))
        self.diagram_due = now - self.last_diagram_ms >= max(DIAGRAM_INTERVAL_MS, self.diagram_ms / DIAGRAM_SHARE)
        # A frame that also redraws the diagram trains that much less, so it is not a long one.
        budget = max(MIN_TRAIN_MS, self.train_ms - (self.diagram_ms if self.diagram_due else 0.0))
        return self.train_steps(min(deadline_ms, now + budget))

    def diverge(self):
        self.diverged = True
        self.loop.stop()
        # Only Reset helps now: the weights are not numbers any more.
        ui.element("play").disabled = True
        ui.element("step").disabled = True
        box = ui.element("divergence")
        box.textContent = model.divergence_message(self.epoch, self.settings)
        box.hidden = False
        self.show_play_state()

    def record_losses(self):
        with np.errstate(all="ignore"):
            self.train_metrics = model.evaluate(self.net, self.train_inputs, self.data.y_train)
            self.test_metrics = model.evaluate(self.net, self.test_inputs, self.data.y_test)
        self.history.add(self.epoch, self.train_metrics[0], self.test_metrics[0])

    # ------------------------------------------------------------ drawing
    def draw_frame(self):
        """Loop's per-frame drawing; the diagram only when train_slice found it due."""
        now = js.performance.now
        started = now()
        self.record_losses()
        self.draw_boundary(while_training=True)
        self.draw_numbers()
        self.draw_curve()
        finished = now()
        self.fastest.draw(finished - started)
        if self.diagram_due:
            self.draw_diagram()
            self.last_diagram_ms = started
            finished, diagram_started = now(), finished
            self.diagram_ms = running_average(self.diagram_ms, finished - diagram_started)
        # Counters for the browser benchmark (backprop_lab/bench_pages.py).
        self.frames_drawn += 1
        self.longest_frame_ms = max(self.longest_frame_ms, finished - self.frame_started)
        canvas = self.out["boundary-canvas"]
        canvas.dataset.frames = self.frames_drawn
        canvas.dataset.longestFrameMs = f"{self.longest_frame_ms:.1f}"
        canvas.dataset.coarseFrames = self.coarse_frames
        if not self.loop.running:
            self.show_play_state()

    def draw_all(self):
        self.draw_boundary()
        self.draw_numbers()
        self.draw_curve()
        self.draw_diagram()

    def draw_overlay(self):
        ui.set_svg("boundary-overlay", draw.boundary_overlay(self.data, self.settings["show_test"]))

    def draw_boundary(self, while_training=False):
        resolution = draw.boundary_resolution(self.net.config.sizes, while_training)
        self.coarse_frames += resolution != draw.FULL_GRID
        with np.errstate(all="ignore"):
            p = self.net.predict_grid(*self.data.grid_bounds(), resolution=resolution)
        self.boundary.show(draw.probabilities_to_rgba(p, self.lut, self.settings["discrete"]))

    def draw_numbers(self):
        (train_loss, train_accuracy), (test_loss, test_accuracy) = self.train_metrics, self.test_metrics
        out = self.out
        out["epoch"].textContent = str(self.epoch)
        out["train-loss"].textContent = draw.format_loss(train_loss)
        out["test-loss"].textContent = draw.format_loss(test_loss)
        out["train-accuracy"].textContent = format_accuracy(train_accuracy)
        out["test-accuracy"].textContent = format_accuracy(test_accuracy)

    def draw_curve(self):
        """Redraw the whole curve when its axes or hover marker change; otherwise
        (most frames) only move its two lines."""
        history, log_y = self.history, self.settings["log_loss"]
        axes = draw.curve_axes(history, log_y, self.curve_size)
        key = (axes.xlim, axes.ylim, log_y, self.curve_hover)
        if key != self.curve_key:
            self.curve_key = key
            ui.set_svg("loss-curve", draw.loss_curve(history, log_y, self.curve_hover, self.curve_size))
            curve = ui.element("loss-curve")
            self.curve_svg = curve.firstElementChild
            self.train_line = curve.querySelector(".series.train")
            self.test_line = curve.querySelector(".series.test")
        else:
            self.train_line.setAttribute("points", draw.curve_points(axes, history.epochs, history.train))
            self.test_line.setAttribute("points", draw.curve_points(axes, history.epochs, history.test))
            self.curve_svg.setAttribute("aria-label", draw.curve_label(history))
        self.fill_curve_table()

    def fill_curve_table(self, event=None):
        """The table view of the curve, refreshed only while it is open and the data changed."""
        newest = self.history.epochs[-1] if len(self.history) else None
        if ui.element("curve-table-box").open and (event is not None or newest != self.curve_table_epoch):
            self.curve_table_epoch = newest
            ui.fill_table("curve-table", draw.curve_table_rows(self.history))

    def build_diagram(self, layout):
        """New architecture: new unit canvases and new +/− buttons."""
        self.layout = layout
        self.hover_link = None
        if self.heatmaps is not None:
            self.heatmaps.remove()
        diagram = ui.element("diagram")
        diagram.style.aspectRatio = f"{layout.width} / {layout.height}"
        self.heatmaps = UnitHeatmaps(diagram, layout, UNIT_RESOLUTION)
        self.build_diagram_controls(layout)

    def build_diagram_controls(self, layout):
        controls = ui.element("diagram-controls")
        controls.replaceChildren()
        controls.style.gridTemplateColumns = f"repeat({len(layout.sizes)}, 1fr)"
        hidden = len(layout.sizes) - 2
        row = create("div", parent=controls, class_="pg-layers")
        create("button", "−", parent=row, type="button", data_action="remove-layer",
               aria_label="Remove the last hidden layer").disabled = hidden == 0
        create("span", f"{hidden} hidden layer{'s' if hidden != 1 else ''}", parent=row)
        create("button", "+", parent=row, type="button", data_action="add-layer",
               aria_label="Add a hidden layer").disabled = hidden >= model.MAX_HIDDEN_LAYERS
        for column, size in enumerate(layout.sizes):
            cell = create("div", parent=controls, class_="pg-column")
            if column == 0:
                create("span", "inputs", parent=cell)
            elif column == len(layout.sizes) - 1:
                create("span", "output", parent=cell)
            else:
                buttons = create("div", parent=cell)
                create("button", "−", parent=buttons, type="button", data_action="remove-unit",
                       data_layer=column - 1,
                       aria_label=f"Remove a unit from hidden layer {column}").disabled = size <= 1
                create("button", "+", parent=buttons, type="button", data_action="add-unit",
                       data_layer=column - 1,
                       aria_label=f"Add a unit to hidden layer {column}").disabled = size >= model.MAX_NEURONS
                create("span", f"{size} unit{'s' if size != 1 else ''}", parent=cell)

    def draw_diagram(self):
        layout, net = self.layout, self.net
        points = grid_points(*self.data.grid_bounds(), UNIT_RESOLUTION)
        centre = 0.5 if net.config.activation == "sigmoid" else 0.0
        with np.errstate(all="ignore"):
            images = [draw.unit_images(points, 0.0, self.lut, UNIT_RESOLUTION)]
            for hidden in net.hidden_outputs(points):
                images.append(draw.unit_images(hidden, centre, self.lut, UNIT_RESOLUTION))
            output = net.predict_proba(points).reshape(1, UNIT_RESOLUTION, UNIT_RESOLUTION)
            images.append(draw.probabilities_to_rgba(output, self.lut))
        self.heatmaps.show(np.concatenate(images))
        ui.set_svg("diagram-links", draw.diagram_links(layout, list(net.params[0::2]), self.hover_link))
        if self.hover_link is not None:
            self.show_link_readout()

    def show_link_readout(self):
        layer, i, j = self.hover_link
        weight = float(self.net.params[2 * (layer - 1)][i, j])
        gradient = math.nan
        if len(self.data.y_train):
            with np.errstate(all="ignore"):
                _, grads = self.net.loss_and_grads(self.train_inputs, self.data.y_train)
            gradient = float(grads[2 * (layer - 1)][i, j])
        ui.set_text("link-readout", draw.link_readout(self.layout, self.hover_link, weight, gradient))

    # ------------------------------------------------------------ hovering
    def on_diagram_pointer(self, event):
        rect = ui.element("diagram").getBoundingClientRect()
        x = (event.clientX - rect.left) / rect.width * self.layout.width
        y = (event.clientY - rect.top) / rect.height * self.layout.height
        self.set_hover_link(draw.nearest_link(self.layout, x, y))

    def on_diagram_key(self, event):
        if event.key in LINK_KEYS:
            event.preventDefault()  # the arrows move between links, not the page
            self.set_hover_link(draw.step_link(self.layout, self.hover_link, LINK_KEYS[event.key]))
        elif event.key == "Escape":
            self.set_hover_link(None)

    def set_hover_link(self, link):
        if link == self.hover_link:
            return
        self.hover_link = link
        if link is None:
            ui.set_text("link-readout", draw.LINK_HINT)
        if not self.loop.running:
            self.draw_diagram()

    def on_curve_pointer(self, event):
        rect = ui.element("loss-curve").getBoundingClientRect()
        epoch = draw.epoch_at(self.history, self.settings["log_loss"], (event.clientX - rect.left) / rect.width,
                              self.curve_size)
        self.set_curve_hover(self.history.nearest(epoch))

    def set_curve_hover(self, index):
        self.curve_hover = index
        ui.set_text("curve-readout", draw.curve_readout(self.history, index) if index is not None
                    else "Point at the curve to read its values.")
        if not self.loop.running:
            self.draw_curve()

    # ------------------------------------------------------------ export
    def export(self):
        self.pause()
        if self.trainer is not None and self.trainer.mid_epoch and not self.diverged:
            self.finish_epoch(self.write_export)    # whole epochs only: the snippet replays epochs
        elif self.after_epoch is None:
            self.write_export()

    def write_export(self):
        ui.element("export-json").value = model.export_json(self.net, self.data, self.settings, self.epoch)
        ui.element("export-python").value = model.python_snippet(self.settings, self.epoch, self.run_log)
        ui.element("download-json").disabled = False

    def download_json(self):
        blob = js.Blob.new(to_js([str(ui.element("export-json").value)]), ui.js_object({"type": "application/json"}))
        url = js.URL.createObjectURL(blob)
        link = create("a", href=url, download=f"playground-epoch-{self.epoch}.json")
        link.click()
        js.URL.revokeObjectURL(url)


class FastestTimes:
    """The fastest training step and frame drawing since the last read(), which the long-session
    test compares over time.  Minima over hundreds of frames, because a busy machine only ever
    slows things down: they show the page's own speed even when the machine's changes."""

    def __init__(self):
        self.step_ms = self.draw_ms = math.inf

    def step(self, elapsed_ms, steps):
        self.step_ms = min(self.step_ms, elapsed_ms / steps)

    def draw(self, elapsed_ms):
        self.draw_ms = min(self.draw_ms, elapsed_ms)

    def read(self):
        numbers = {"fastest_step_ms": self.step_ms, "fastest_draw_ms": self.draw_ms}
        self.step_ms = self.draw_ms = math.inf
        return {name: value if math.isfinite(value) else None for name, value in numbers.items()}


def running_average(average, latest, weight=0.2):
    """Exponential moving average: one unusual frame moves it only a little."""
    return (1 - weight) * average + weight * latest


def format_accuracy(value):
    return f"{100 * value:.1f}%" if math.isfinite(value) else "—"


def main():
    page = Playground()
    page.save_url()
    page.warm_up()
    # Everything made while starting up lives as long as the page: moving it out
    # of the garbage collector's view keeps later collections short (no long
    # pauses in the middle of training).
    gc.collect()
    gc.freeze()
    ui.ready()


ui.start(main)
