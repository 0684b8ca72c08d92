"""Training playground page: an MLP trains live on 2-D data, with its decision
boundary, loss curve and network diagram redrawn every animation frame.

Five parts, each declaring its attributes in __init__:
- FrameScheduler: when training and drawing happen.  Training runs on the main thread in time
  slices (ui.Loop): each frame takes mini-batch steps until its training budget is spent, then
  draws; Step and Export finish an epoch in slices too.
- CurveView: the loss curve, its pointer read-out and its table view.
- DiagramView: the network diagram (a heatmap per unit, the links, the +/− buttons) and the
  read-out of one link.
- ReplayControls: the replay's slider under the curve and its note (the epoch shown, a replay).
- Playground: the page; it owns the settings, the data and the training run, and binds the
  controls (CsvInput reads the learner's points from CSV for it).
Pixels go from NumPy to the canvases with one buffer copy per picture (CanvasImage /
UnitHeatmaps), and the per-frame path creates no Python proxies.  All logic that does not touch
the DOM lives in app/playground_model.py and app/playground_draw.py.
"""
import gc
import math
import time

import js
import numpy as np
from pyodide.ffi import to_js

from app import code_view_mlp, diagnostics, predict, ui
from app import playground_draw as draw
from app import playground_model as model
from engine import MLP, features, text
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
# At Speed "Max" the learner asked for epochs, not pictures: the picture (boundary, losses,
# curve) is drawn every other frame and the diagram only in the frames between (the epoch counter
# moves in every frame), and a frame trains up to MAX_SPEED_TRAIN_MS less what it draws, so a
# frame's task stays near 30 ms, well under the 50 ms of a long task.
MAX_SPEED_TRAIN_MS = 28.0
# Drawing the picture and the diagram together above this (ms, running averages) is heavy: Play
# then draws the diagram's maps and links in frames of their own, without the picture.
HEAVY_DRAWING_MS = 20.0
DATA_SETTINGS = ("dataset", "noise", "train", "n", "data_seed", "points")
# Keys that walk the diagram's links, and in which direction.
LINK_KEYS = {"ArrowRight": 1, "ArrowDown": 1, "ArrowLeft": -1, "ArrowUp": -1}
# The controls the state table fills and binds: (element id, setting).  The learning rate has
# a log-scale slider and a text box.
CONTROLS = [("dataset", "dataset"), ("noise", "noise"), ("train", "train"), ("n", "n"),
            ("lr-slider", "lr"), ("lr", "lr"), ("activation", "activation"), ("loss", "loss"),
            ("init", "init"), ("optimizer", "optimizer"), ("batch", "batch"), ("reg", "reg"),
            ("reg-rate", "reg_rate"), ("seed", "seed"),
            ("show-test", "show_test"), ("discrete", "discrete"), ("log-loss", "log_loss"),
            ("log-epochs", "log_epochs"), ("speed", "speed"), ("problem", "problem"), ("predict", "predict"),
            ("playground-code", "code")]
TALLY_KEY = "predictions:playground"
CURVE_HINT = "Point at the curve to read its values."


def place(node, box):
    """Position an absolutely placed element from a dict of CSS lengths."""
    for name, value in box.items():
        setattr(node.style, name, value)


def running_average(average, latest, weight=0.2):
    """Exponential moving average: one unusual frame moves it only a little."""
    return (1 - weight) * average + weight * latest


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
    """The diagram's unit maps: one canvas per column (DiagramLayout.map_columns), all columns'
    pixels in one JS buffer, so a frame copies them from NumPy in one go and each canvas paints
    its own slice.  A box per unit draws its border and names it (its title)."""

    def __init__(self, container, layout, resolution):
        self.elements, self.targets = [], []
        placements, heights, self.rows = layout.map_columns(resolution)
        # The stacked pixels, transparent between units; show() writes only the units' rows.
        self.stacked = np.zeros((sum(heights), resolution, 4), dtype=np.uint8)
        self.pixels = js.Uint8ClampedArray.new(self.stacked.size)
        start = 0
        for placement, height in zip(placements, heights):
            canvas = ui.create("canvas", parent=container, width=resolution, height=height, class_="pg-maps")
            place(canvas, placement)
            size = resolution * height * 4
            image = js.ImageData.new(self.pixels.subarray(start, start + size), resolution, height)
            self.elements.append(canvas)
            self.targets.append((canvas.getContext("2d"), image))
            start += size
        for column, unit in layout.units():
            box = ui.create("div", parent=container, class_="pg-unit", title=layout.unit_name(column, unit))
            place(box, layout.placement(column, unit))
            self.elements.append(box)

    def show(self, rgba):
        """rgba: (units, resolution, resolution, 4), units in DiagramLayout.units() order."""
        self.stacked[self.rows] = rgba.reshape(-1, *rgba.shape[2:])
        self.pixels.assign(self.stacked)
        for context, image in self.targets:
            context.putImageData(image, 0, 0)

    def remove(self):
        for element in self.elements:
            element.remove()


class FrameScheduler:
    """When the page trains and draws.  Playing, each animation frame trains for a steered
    share of FRAME_INTERVAL_MS, then draws the picture (and the diagram when it is due); at
    Speed "Max" the picture every other frame (MAX_SPEED_TRAIN_MS).
    Finishing an epoch (Step, Export) goes across frames: train until the epoch ends (with a
    progress bar and a Stop), draw the picture (a large network's boundary on the coarse grid),
    draw the rest at full resolution (the page's draw_rest, a share a frame), then the caller's
    next step; at 1000 points in batches of 1 an epoch took 0.25-0.37 s in one go.

    The page gives it what to draw and what to do when training stops by itself."""

    def __init__(self, draw_picture, draw_diagram, on_diverged, on_replayed, show_state, counters_element,
                 draw_epoch, draw_stopped, draw_rest):
        self.draw_picture = draw_picture        # draw_picture(while_training) -> True if drawn coarse
        self.draw_diagram = draw_diagram
        self.draw_stopped = draw_stopped        # an epoch finished: what answers at once, the rest queued
        self.draw_rest = draw_rest              # draw_rest(deadline_ms): a frame's share of the rest; False when done
        self.draw_epoch = draw_epoch            # the epoch counter alone, in a frame without the picture
        self.on_diverged = on_diverged
        self.on_replayed = on_replayed          # a replay reached its epoch (called after that frame's drawing)
        self.replay_ended = False
        self.show_state = show_state            # the buttons follow playing / finishing
        self.run = None                         # the model.TrainingRun being trained
        # Play's pace: epochs per second (None: as fast as the frames allow), counted from where
        # the pace was last set (time in ms, epochs trained then).
        self.pace = None
        self.paced_from = (0.0, 0.0)
        self.loop = ui.Loop(self.train_slice, self.draw_frame, budget_ms=MAX_SPEED_TRAIN_MS)
        self.finisher = ui.Loop(self.finish_slice, budget_ms=MAX_TRAIN_MS)
        self.progress = ui.Progress("epoch-progress", "epoch-stop", self.end_finishing)
        self.after_epoch = None                 # what to do once the epoch is finished
        self.finish_phase = "train"
        # Frame timing in ms: the steered training time per frame, and running averages of the
        # interval between frames and of the diagram's drawing time.
        self.train_ms = MIN_TRAIN_MS
        self.interval_ms = FRAME_INTERVAL_MS
        self.diagram_ms = 5.0
        self.diagram_measured_on = None         # the network (its sizes) diagram_ms was measured on
        self.maps_ms = 0.0                      # the unit maps' time, when drawn in a frame of their own
        self.diagram_part = None                # what of the diagram this frame draws: "all", "maps", "links" or None
        self.links_pending = False              # its maps are drawn, its links wait for a frame
        self.last_diagram_ms = -1e9
        # At Max: the picture's drawing time (a running average), whether this frame draws it, and
        # whether frames have trained since it was last drawn (pausing then draws it).
        self.picture_ms = 5.0
        self.picture_measured_on = None
        self.picture_due = True
        self.picture_behind = False
        self.frame_started = 0.0
        self.fastest = diagnostics.FastestTimes()
        diagnostics.add_figures(self.fastest.read)
        self.counters = diagnostics.FrameCounters(counters_element)

    @property
    def playing(self):
        return self.loop.running

    @property
    def finishing(self):
        return self.after_epoch is not None

    def restart(self, run):
        """Train `run` from now on; an epoch being finished belonged to the old one, and so did
        the pace's count (Reset while playing trained the new run up to the old one's epoch at once)."""
        self.run = run
        self.end_finishing()
        self.set_pace(self.pace)

    # ------------------------------------------------------------ playing
    def set_pace(self, epochs_per_second):
        self.pace = epochs_per_second
        self.paced_from = (js.performance.now(), self.epochs_trained())

    def epochs_trained(self) -> float:
        """Epochs trained so far, with the share of the epoch under way."""
        trainer = self.run.trainer if self.run is not None else None
        return 0.0 if trainer is None else trainer.epoch + trainer.epoch_progress

    def play(self):
        self.end_finishing()        # playing goes on with the epoch under way
        # Start light and let steering find the training time: the pause is not a slow frame.
        self.frame_started, self.interval_ms, self.train_ms = 0.0, FRAME_INTERVAL_MS, MIN_TRAIN_MS
        self.last_diagram_ms = js.performance.now()     # it is up to date: keep the first frame light
        self.diagram_part, self.links_pending = None, False
        self.picture_due = True                         # (at Max the first frame is one without the picture)
        self.set_pace(self.pace)                        # the pace counts from now
        self.loop.start()
        self.show_state()

    def pause(self):
        """Stop playing; True if it was playing."""
        was_playing = self.loop.running
        self.loop.stop()
        self.show_state()
        return was_playing

    def train_slice(self, deadline_ms):
        """Loop work: training for this frame's share of FRAME_INTERVAL_MS."""
        now = js.performance.now()
        if self.frame_started:
            self.interval_ms = running_average(self.interval_ms, now - self.frame_started)
        self.frame_started = now
        steered = self.train_ms + STEERING * (FRAME_INTERVAL_MS - self.interval_ms)
        at_max = self.pace is None
        self.train_ms = min(MAX_SPEED_TRAIN_MS if at_max else MAX_TRAIN_MS, max(MIN_TRAIN_MS, steered))
        due = not self.links_pending and now - self.last_diagram_ms >= max(DIAGRAM_INTERVAL_MS, self.diagram_ms / DIAGRAM_SHARE)
        # Until the diagram has been timed on this network, drawing counts as heavy: planned with a
        # smaller network's times, the first frames after Play on eight layers of 16 drew the
        # picture and the whole diagram together, long tasks.
        heavy = self.diagram_measured_on != self.run.net.config.sizes or \
            self.picture_ms + self.diagram_ms > HEAVY_DRAWING_MS
        self.picture_due, self.diagram_part = model.frame_drawing(at_max, self.picture_due, due, self.links_pending, heavy)
        # A frame that also draws (part of) the diagram, or the picture, trains that much less, so
        # it is not a long one.
        diagram_share = {"all": 1.0, "maps": 0.5, "links": 0.5, None: 0.0}[self.diagram_part]
        drawing = diagram_share * self.diagram_ms + (self.picture_ms if self.picture_due else 0.0)
        budget = max(MIN_TRAIN_MS, self.train_ms - drawing)
        return self.train_steps(min(deadline_ms, now + budget), epoch_limit=self.paced_epochs(now))

    def paced_epochs(self, now) -> float | None:
        """How many epochs the pace allows by now (None: no limit)."""
        if self.pace is None:
            return None
        since, epochs = self.paced_from
        return epochs + self.pace * (now - since) / 1000.0

    def draw_frame(self):
        """Loop's per-frame drawing: the picture and the diagram when train_slice found them due
        (and the picture in the last frame, when training stopped by itself)."""
        now = js.performance.now
        started = now()
        drawn = self.picture_due or not self.loop.running
        if drawn:
            coarse = self.draw_picture(while_training=True)
            finished = now()
            self.fastest.draw(finished - started)
            self.picture_ms, self.picture_measured_on = self.timed(
                self.picture_ms, self.picture_measured_on, finished - started)
        else:
            coarse = False
            self.draw_epoch()
            finished = now()
        self.picture_behind = not drawn
        if self.diagram_part is not None:
            self.draw_diagram(self.diagram_part)
            if self.diagram_part != "links":
                self.last_diagram_ms = started
            self.links_pending = self.diagram_part == "maps"
            finished, diagram_started = now(), finished
            if self.diagram_part == "maps":
                self.maps_ms = finished - diagram_started
            else:                   # the whole diagram's time, its two parts added
                self.diagram_ms, self.diagram_measured_on = self.timed(
                    self.diagram_ms, self.diagram_measured_on,
                    finished - diagram_started + (self.maps_ms if self.diagram_part == "links" else 0.0))
        self.counters.count(finished - self.frame_started, coarse, drawn)
        if not self.loop.running:
            self.show_state()
        if self.replay_ended:
            self.replay_ended = False
            self.on_replayed()

    def timed(self, average, measured_on, latest):
        """A drawing time's running average and the network it was measured on, after `latest`:
        the first time on a network replaces an average measured on another one."""
        network = self.run.net.config.sizes
        return (running_average(average, latest) if measured_on == network else latest), network

    def train_steps(self, deadline_ms, until_epoch_end=False, epoch_limit=None):
        """Mini-batch steps until the deadline (or the epoch's end, with until_epoch_end, or
        epoch_limit epochs in all, at Play's pace); False if the loss blew up.  Stepping batch
        by batch keeps a frame short even when one epoch of small batches takes longer than a frame."""
        # The clock read after every step is Python's: in Pyodide js.performance.now() costs
        # about 5 us through the FFI, a tenth of a small network's step; perf_counter 0.4 us.
        run, started, steps = self.run, js.performance.now(), 0
        counter_at_start = time.perf_counter()
        if epoch_limit is not None and self.epochs_trained() >= epoch_limit:
            return True                      # ahead of the pace: this frame trains nothing
        with np.errstate(all="ignore"):      # overflow is reported in words, not warnings
            while True:
                finished = run.step()
                steps += 1
                if run.diverged:
                    self.loop.stop()
                    self.on_diverged()
                    return False
                if run.replay_done:
                    self.loop.stop()
                    self.replay_ended = True
                    return True
                ended = started + 1000.0 * (time.perf_counter() - counter_at_start)
                paced_out = epoch_limit is not None and self.epochs_trained() >= epoch_limit
                if ended >= deadline_ms or (until_epoch_end and finished) or paced_out:
                    self.fastest.step(ended - started, steps)
                    return True

    # ------------------------------------------------------------ finishing an epoch
    def finish_epoch(self, then):
        """Train to the end of the epoch under way (a whole one if none is) in slices across
        frames, showing how far it is, then draw (over several frames on a large network) and
        call then() (if given) in a frame of its own: writing an export takes up to 50 ms."""
        self.after_epoch = then or (lambda: None)
        self.finish_phase = "train"
        self.show_state()
        # A small epoch ends in the first slice: then it is drawn (and Step is done) at once,
        # with no frame's delay, while that keeps the task short.
        started = js.performance.now()
        deadline = started + MAX_TRAIN_MS
        self.finish_slice(deadline)
        while self.finish_phase in ("draw", "rest") and js.performance.now() < deadline:
            self.finish_slice(deadline)
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
            trainer = self.run.trainer
            if trainer.mid_epoch:
                self.progress.show(round(100 * trainer.epoch_progress), 100)
            else:
                self.finish_phase = "draw"
            return True
        if self.finish_phase == "draw":
            # At eight layers of 16 the full picture took 40-60 ms in one task and the diagram
            # 25-50 ms: what the learner reads first, the rest across the next frames.
            self.draw_stopped()
            self.finish_phase = "rest"
            return True
        if self.finish_phase == "rest":
            if not self.draw_rest(deadline_ms):
                self.finish_phase = "then"
            return True
        then = self.after_epoch
        self.end_finishing()
        if self.replay_ended:                   # Step ended a replay
            self.replay_ended = False
            self.on_replayed()
        then()
        return False

    def end_finishing(self):
        """No epoch is being finished any more (done, Stop, Play, or a new network)."""
        if self.after_epoch is None:
            return
        self.after_epoch = None
        self.finisher.stop()
        self.show_state()
        self.progress.hide()      # after the buttons: the focus may go back to Step


class CurveView:
    """The loss curve (training and test loss by epoch), the read-out of the epoch under the
    pointer and the table view of the newest losses."""

    def __init__(self, is_training, on_scrub):
        self.is_training = is_training          # while training, the next frame redraws
        self.on_scrub = on_scrub                # on_scrub(epoch): the learner pressed or dragged on the curve
        self.viewed = None                      # the earlier epoch the page shows, or None
        self.dragging = False
        self.history = draw.LossHistory()
        self.log_y = self.log_x = False         # log scales of the loss and of the epochs
        self.hover = None                       # index of the sample under the pointer
        self.drawn_key = None                   # what the drawn curve's axes and marker show
        self.table_epoch = None                 # the newest epoch in the table view
        narrow = ui.element("loss-curve").clientWidth < 360
        self.size = draw.NARROW_CURVE_SIZE if narrow else draw.CURVE_SIZE
        # In an embed the read-out is shorter too: two lines of it made the page taller than the frame.
        self.compact = ui.embedded()
        if self.compact:
            self.size = draw.EMBED_CURVE_SIZE
        self.svg = self.train_line = self.test_line = None
        ui.on("loss-curve", "mousemove", self.on_pointer)
        ui.on("loss-curve", "mouseleave", lambda event: self.set_hover(None))
        ui.on("loss-curve", "pointerdown", self.on_press)
        ui.on("loss-curve", "pointermove", self.on_drag)
        ui.on("loss-curve", "pointerup", self.on_release)
        ui.on("loss-curve", "pointercancel", self.on_release)
        # The slider under the curve spans its plot area, so its thumb sits under the epoch shown.
        place(ui.element("scrub"), draw.scrub_placement(self.size))
        ui.on("curve-table-box", "toggle", self.fill_table)

    def clear(self):
        """A new training: no losses yet."""
        self.history = draw.LossHistory()
        self.hover = None
        ui.set_text("curve-readout", CURVE_HINT)

    def draw(self, log_y, log_x=False):
        """Redraw the whole curve when its axes or hover marker change; otherwise
        (most frames) only move its two lines."""
        history, self.log_y, self.log_x = self.history, log_y, log_x
        axes = draw.curve_axes(history, log_y, self.size, log_x)
        key = (axes.xlim, axes.ylim, log_y, log_x, self.hover, self.viewed)
        if key != self.drawn_key:
            self.drawn_key = key
            ui.set_svg("loss-curve", draw.loss_curve(history, log_y, self.hover, self.size, log_x, self.viewed))
            curve = ui.element("loss-curve")
            self.svg = curve.firstElementChild
            self.train_line = curve.querySelector(".series.train")
            self.test_line = curve.querySelector(".series.test")
        else:
            self.train_line.setAttribute("points", draw.curve_points(axes, history.epochs, history.train))
            self.test_line.setAttribute("points", draw.curve_points(axes, history.epochs, history.test))
            self.svg.setAttribute("aria-label", draw.curve_label(history))
        self.fill_table()

    def fill_table(self, event=None):
        """The table view of the curve, refreshed only while it is open and the data changed."""
        newest = self.history.epochs[-1] if len(self.history) else None
        if ui.element("curve-table-box").open and (event is not None or newest != self.table_epoch):
            self.table_epoch = newest
            ui.fill_table("curve-table", draw.curve_table_rows(self.history))

    def pointer_epoch(self, event):
        """The epoch under a pointer event on the curve."""
        rect = ui.element("loss-curve").getBoundingClientRect()
        return draw.epoch_at(self.history, self.log_y, (event.clientX - rect.left) / rect.width, self.size,
                             self.log_x)

    def on_pointer(self, event):
        self.set_hover(self.history.nearest(self.pointer_epoch(event)))

    def on_press(self, event):
        """Pressing on the curve shows that epoch; dragging moves through the epochs."""
        if event.button != 0 or not len(self.history):
            return
        self.dragging = True
        event.currentTarget.setPointerCapture(event.pointerId)
        self.on_scrub(self.pointer_epoch(event))

    def on_drag(self, event):
        if self.dragging:
            self.on_scrub(self.pointer_epoch(event))

    def on_release(self, event):
        self.dragging = False

    def set_hover(self, index):
        self.hover = index
        readout = CURVE_HINT if index is None else draw.curve_readout(self.history, index, self.compact)
        ui.set_text("curve-readout", readout)
        if not self.is_training():
            self.draw(self.log_y, self.log_x)


class DiagramView:
    """The network diagram: a heatmap of each unit's output over the plane, the links drawn by
    weight, the buttons that add and remove layers and units, and the read-out of the weight
    and gradient of the link under the pointer (or chosen with the arrow keys)."""

    def __init__(self, lut, on_layers, is_training):
        self.lut = lut
        self.on_layers = on_layers              # on_layers(hidden layer widths) after a button
        self.is_training = is_training          # while training, the next frame redraws
        self.layout = None
        self.heatmaps = None
        self.hover_link = None                  # (layer, source unit, target unit) or None
        self.link_values = None                 # one point's weight gradients to draw instead of the weights
        self.point = None                       # that point (model.PointTrace), for the read-outs
        self.shown = None                       # (net, data, training inputs) last drawn
        self.whole_set = model.TrainingSetGradients()   # the read-out's gradients, for the network shown
        self.features = features.DEFAULT        # the network's input features (their maps in column 0)
        self.regression = False                 # the output square shows values, not probabilities
        ui.on("diagram-controls", "click", self.on_button)
        ui.on("diagram", "mousemove", self.on_pointer)
        ui.on("diagram", "keydown", self.on_key)
        ui.on("diagram", "mouseleave", lambda event: self.set_hover_link(None))

    def set_inputs(self, feature_names, regression):
        """The input features the network is fed and the problem type (before show_layers and draw)."""
        self.features = tuple(feature_names)
        self.regression = regression

    def show_layers(self, sizes):
        """Rebuild the units and buttons if the architecture changed."""
        inputs = tuple(features.labels(self.features))
        if self.layout is not None and self.layout.sizes == sizes and self.layout.inputs == inputs:
            return
        self.layout = layout = draw.DiagramLayout(sizes, inputs=inputs)
        self.hover_link = None
        if self.heatmaps is not None:
            self.heatmaps.remove()
        diagram = ui.element("diagram")
        diagram.style.aspectRatio = f"{layout.width} / {layout.height}"
        self.heatmaps = UnitHeatmaps(diagram, layout, UNIT_RESOLUTION)
        self.build_buttons(layout)

    def build_buttons(self, layout):
        controls = ui.element("diagram-controls")
        controls.replaceChildren()
        controls.style.gridTemplateColumns = f"repeat({len(layout.sizes)}, minmax(0, 1fr))"
        hidden = len(layout.sizes) - 2
        # From six hidden layers a column is narrower than "8 units" and two buttons side by side:
        # the buttons stack and the count stands alone (the row above says what it counts).
        compact = hidden >= 6
        controls.classList.toggle("compact", compact)
        row = ui.create("div", parent=controls, class_="pg-layers")
        ui.create("button", "−", parent=row, type="button", data_action="remove-layer",
                  aria_label="Remove the last hidden layer").disabled = hidden == 0
        ui.create("span", f"{hidden} hidden layer{'s' if hidden != 1 else ''}", parent=row)
        ui.create("button", "+", parent=row, type="button", data_action="add-layer",
                  aria_label="Add a hidden layer").disabled = hidden >= model.MAX_HIDDEN_LAYERS
        for column, size in enumerate(layout.sizes):
            cell = ui.create("div", parent=controls, class_="pg-column")
            if column == 0:
                ui.create("span", "inputs", parent=cell)
            elif column == len(layout.sizes) - 1:
                ui.create("span", "output", parent=cell)
            else:
                buttons = ui.create("div", parent=cell)
                ui.create("button", "−", parent=buttons, type="button", data_action="remove-unit",
                          data_layer=column - 1,
                          aria_label=f"Remove a unit from hidden layer {column}").disabled = size <= 1
                ui.create("button", "+", parent=buttons, type="button", data_action="add-unit",
                          data_layer=column - 1,
                          aria_label=f"Add a unit to hidden layer {column}").disabled = size >= model.MAX_NEURONS
                units = f"{size} unit{'s' if size != 1 else ''}"
                ui.create("span", str(size) if compact else units, parent=cell, title=units)

    def on_button(self, event):
        button = ui.closest(event, "button[data-action]")
        if button is None:
            return
        layer = int(button.dataset.layer) if str(button.dataset.action).endswith("-unit") else None
        self.on_layers(model.layers_after(self.layout.sizes[1:-1], str(button.dataset.action), layer))

    def draw_maps(self, net, data, train_inputs):
        """Each unit's map (draw_links then draws the links of the same network; the page's
        draw_diagram calls both)."""
        self.shown = (net, data, train_inputs)
        points = features.transform(grid_points(*data.grid_bounds(), UNIT_RESOLUTION), self.features)
        centre = 0.5 if net.config.activation == "sigmoid" else 0.0
        with np.errstate(all="ignore"):
            images = [draw.unit_images(points, 0.0, self.lut, UNIT_RESOLUTION)]
            for hidden in net.hidden_outputs(points):
                images.append(draw.unit_images(hidden, centre, self.lut, UNIT_RESOLUTION))
            output = net.predict_proba(points).reshape(1, UNIT_RESOLUTION, UNIT_RESOLUTION)
            images.append(draw.output_to_rgba(output, self.lut, False, self.regression))
        self.heatmaps.show(np.concatenate(images))

    def draw_links(self):
        """The links of the network whose maps were drawn last (or one point's gradients)."""
        net = self.shown[0]
        if self.link_values is None:
            links = draw.diagram_links(self.layout, list(net.params[0::2]), self.hover_link)
        else:
            links = draw.diagram_links(self.layout, self.link_values, self.hover_link,
                                       label="Links of the network, coloured by the sign of one point's weight gradients")
        ui.set_svg("diagram-links", links)
        if self.hover_link is not None:
            self.show_link_readout()

    def show_link_readout(self):
        net, data, train_inputs = self.shown
        layer, i, j = self.hover_link
        weight = float(net.params[2 * (layer - 1)][i, j])
        gradient = model.link_gradient(net, self.hover_link, train_inputs, data.y_train, self.point, self.whole_set)
        ui.set_text("link-readout", draw.link_readout(self.layout, self.hover_link, weight, gradient,
                                                      one_point=self.point is not None))
        self.show_point_weights()

    def show_point_weights(self):
        """The inspected point's gradients into the unit the pointed link leads to (the output
        when no link is pointed at), in the point panel."""
        if self.point is None:
            return
        column, unit = (len(self.layout.sizes) - 1, 0) if self.hover_link is None else \
            (self.hover_link[0], self.hover_link[2])
        ui.set_text("point-weights", draw.point_weights(self.layout, self.point, column, unit))

    def on_pointer(self, event):
        rect = ui.element("diagram").getBoundingClientRect()
        x = (event.clientX - rect.left) / rect.width * self.layout.width
        y = (event.clientY - rect.top) / rect.height * self.layout.height
        self.set_hover_link(draw.nearest_link(self.layout, x, y))

    def on_key(self, event):
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
        # Only the links show which is pointed at; while training the next frame draws them.
        if not self.is_training() and self.shown is not None:
            self.draw_links()


class FeatureToggles:
    """The input column's toggles: one button per feature of engine.features, showing the
    feature's map over the plane; pressed = the network is fed that feature.  At least one
    stays on: turning off the last one is refused with a note beside the toggles."""

    def __init__(self, lut, on_toggle):
        self.lut = lut
        self.on_toggle = on_toggle              # on_toggle(feature name)
        self.buttons = {}                       # feature name -> its button
        self.maps = {}                          # feature name -> CanvasImage of its map
        box = ui.element("feature-toggles")
        for feature in features.FEATURES.values():
            button = ui.create("button", parent=box, type="button", class_="pg-feature", data_feature=feature.name,
                               aria_pressed="false", title=f"Feed {feature.label} to the network")
            canvas = ui.create("canvas", parent=button, width=UNIT_RESOLUTION, height=UNIT_RESOLUTION,
                               aria_hidden="true")
            ui.create("span", feature.label, parent=button)
            self.buttons[feature.name] = button
            self.maps[feature.name] = CanvasImage(canvas)
        ui.on(box, "click", self.on_click)

    def on_click(self, event):
        button = ui.closest(event, "button[data-feature]")
        if button is not None:
            self.on_toggle(str(button.dataset.feature))

    def show(self, selected):
        """Which features are on; clears the note."""
        for name, button in self.buttons.items():
            button.setAttribute("aria-pressed", "true" if name in selected else "false")
        self.say("")

    def say(self, note):
        ui.set_text("features-note", note)

    def draw(self, values):
        """The maps, from every feature's values on the grid (UNIT_RESOLUTION², 7)."""
        images = draw.feature_images(values, self.lut, UNIT_RESOLUTION)
        for image, canvas in zip(images, self.maps.values()):
            canvas.show(image)


class CsvInput:
    """The learner's points from pasted or uploaded CSV: refused by size before it is read,
    validated before it is used, and the reason shown at the field when it is not."""

    def __init__(self, use_points):
        self.use_points = use_points            # use_points(points); ValueError if it cannot
        self.field = ui.element("csv")
        self.message = ui.element("csv-error")
        ui.on("load-csv", "click", lambda event: self.load_pasted())
        ui.on("csv-file", "change", self.on_file)

    def load(self, text):
        """Validate first, then use the points (the page saves the link last), then say so."""
        try:
            points = model.points_from_csv(text)
            self.use_points(points)
        except ValueError as error:
            self.refuse(str(error))
            return
        self.field.setAttribute("aria-invalid", "false")
        self.message.className = "muted small"
        self.message.textContent = f"Loaded {len(points)} points."

    def refuse(self, reason):
        """Say why the CSV was not used; the points on the plot stay as they were."""
        self.field.setAttribute("aria-invalid", "true")
        self.message.className = "field-error"
        self.message.textContent = f"Not loaded: {reason}."

    def load_pasted(self):
        # The length is read on the JS side, so a huge paste is refused without copying it into Python.
        problem = model.csv_size_problem(int(self.field.textLength), "the pasted text")
        if problem:
            self.refuse(problem)
            return
        self.load(str(self.field.value))

    async def on_file(self, event):
        chooser = event.target
        files = chooser.files
        if files.length == 0:
            return
        file = files.item(0)
        chooser.value = ""          # so that choosing the same file again is a change too
        # Refused by its size before it is read, into Python or into the text box.
        problem = model.csv_size_problem(int(file.size), "the file")
        if problem:
            self.refuse(problem)
            return
        text = str(await file.text())
        self.field.value = text
        self.load(text)


class ReplayControls:
    """The replay's controls (issue 21): the slider under the loss curve, one position per kept
    epoch and the latest, and the note above the columns that says which epoch is shown (with a
    button back to the latest) or how a replay goes."""

    def __init__(self, on_position, on_latest):
        self.slider = ui.element("scrub")
        self.shown = None                       # (positions, position, latest) the slider shows
        ui.on(self.slider, "input", lambda event: on_position(int(event.target.value)))
        ui.on("replay-latest", "click", lambda event: on_latest())

    def show_slider(self, history, latest, viewing):
        """The slider for a run's kept epochs (`history`, None before training can start) and its
        latest epoch, at the epoch viewed (None: the latest)."""
        if history is None:
            positions, position = 1, 0
        else:
            positions = model.scrub_count(history, latest)
            position = positions - 1 if viewing is None else history.epochs.index(viewing)
        if self.shown == (positions, position, latest):
            return
        self.shown = (positions, position, latest)
        slider = self.slider
        slider.max = positions - 1
        slider.value = position
        slider.disabled = positions < 2
        slider.setAttribute("aria-valuetext", f"epoch {latest if viewing is None else viewing} of {latest}")

    def say(self, note, back_to=None):
        """The note above the columns: the epoch shown (with a way back to `back_to`, the latest)
        or how a replay goes; None hides it."""
        element = ui.element("replay-note")
        element.hidden = note is None
        element.classList.toggle("viewing", back_to is not None)
        ui.set_text("replay-text", note or "")
        button = ui.element("replay-latest")
        button.hidden = back_to is None
        if back_to is not None:
            button.textContent = f"Back to epoch {back_to}"


class Playground:
    """The page: the settings (kept in the link), the data, the training run and what Undo
    would bring back; it binds the controls and buttons and hands drawing to its views and
    timing to its scheduler."""

    def __init__(self, url: ui.UrlState):
        self.url = url
        self.settings = model.settings_from_link(url.load(), url.query)
        dark = bool(js.matchMedia("(prefers-color-scheme: dark)").matches)
        self.dark = dark
        self.lut = draw.palette(dark)
        self.data = None                # model.Data
        self.train_inputs = None        # the data as the network sees them (standardized)
        self.test_inputs = None
        self.run = None                 # model.TrainingRun
        self.train_metrics = self.test_metrics = (math.nan, math.nan)   # (loss, accuracy)
        self.undo_settings = None       # what the last preset or plot click replaced, for Undo
        self.notebook_text = ""         # the last export as a Jupyter notebook, for its download button
        self.exported_epoch = 0         # and the epoch it is of (the downloads' file names)
        self.inspected = None           # ("training" or "test", index): the point whose pass is shown
        self.chosen_point = None        # the last point inspected (the keys start from it after Escape)
        self.prediction = None          # predict mode: what the learner said this run's loss will do
        self.prediction_judged = False  # its verdict, for the epochs on the curve, is shown
        self.prediction_counted = False # and counted in the tally (once: a verdict read again is not)
        self.predict_panel = ui.PredictPanel("predict-panel", TALLY_KEY, self.on_prediction)
        self.code = ui.CodeView("playground-code", code_view_mlp.training_step)
        self.out = {name: ui.element(name) for name in
                    ("epoch", "train-loss", "test-loss", "train-accuracy", "test-accuracy", "boundary-canvas",
                     "train-r2", "test-r2")}
        self.boundary = CanvasImage(self.out["boundary-canvas"])
        place(self.out["boundary-canvas"], draw.canvas_placement())
        self.frames = FrameScheduler(self.draw_picture, self.draw_diagram, self.diverge, self.replayed,
                                     self.show_state, self.out["boundary-canvas"], self.draw_epoch,
                                     self.draw_stopped, self.draw_rest)
        self.frames.set_pace(model.epochs_per_second(self.settings["speed"]))
        # Replay (issue 21): an earlier epoch the learner scrubbed to, shown instead of the run as it
        # is (None: the latest), and while a replay runs, (epoch, training loss) the run had reached.
        self.viewing = None
        self.replaying = None
        self.replay_offered = False     # the Replay button shows replay_available (as show_state last set it)
        self.replay_controls = ReplayControls(
            on_position=lambda position: self.scrub_to(model.scrub_positions(self.run.history, self.run.epoch)[position]),
            on_latest=lambda: self.scrub_to(self.run.epoch))
        # Pause and an epoch finished by Step or Export draw what answers the learner at once (a
        # large network's boundary on the coarse grid), a scrub in the next frame; what would make
        # that a long task follows across frames (draw_later): the full boundary, the unit maps, the links.
        self.rest = ui.Loop(self.draw_rest_while_stopped)
        self.rest_phases = []           # still to draw: "viewed" (a scrub), "boundary", "maps", "links"
        self.rest_bands = None          # (model.Bands, picture) of the full boundary under way
        self.curve = CurveView(is_training=lambda: self.frames.playing, on_scrub=self.scrub_to)
        self.diagram = DiagramView(self.lut, lambda layers: self.change("layers", layers),
                                   is_training=lambda: self.frames.playing)
        # Issue 21: the typed architecture, the weight and bias editing field, the bias handles
        # (and the unit shown large in the output picture while pointed at or focused).
        self.shown_unit = None          # (column, unit) or None: the network's output
        self.layers_field = LayersField(lambda layers: self.change("layers", layers))
        self.editor = ParamEditor(self.edit_param)
        self.handles = UnitHandles(self.show_unit, self.start_editing)
        self.pressed_link = None        # the link under the last press on the diagram
        ui.on("diagram", "pointerdown", self.on_diagram_press)
        ui.on("diagram", "click", self.on_diagram_click)
        ui.on("diagram", "keydown", self.on_diagram_key)
        self.offer_hide_choices()
        url.field = ui.element("share-url")     # "Link to these settings": every write, a Python view's too
        self.controls = ui.Controls(url, CONTROLS, self.settings, self.change, self.on_slide)
        self.csv = CsvInput(self.set_points)
        self.feature_toggles = FeatureToggles(self.lut, self.toggle_feature)
        ui.set_svg("value-legend", draw.value_legend(self.lut))
        self.bind_buttons()
        self.show_settings()
        self.new_data()

    # ------------------------------------------------------------ controls
    def bind_buttons(self):
        ui.on("play", "click", lambda event: self.toggle_play())
        ui.on("inspect-point", "change", lambda event: None if event.target.checked else self.stop_inspecting())
        ui.on("step", "click", lambda event: self.step())
        ui.on("replay", "click", lambda event: self.replay())
        ui.on("reset", "click", lambda event: self.reset())
        ui.on("regenerate", "click", lambda event: self.regenerate())
        presets = ui.element("presets")
        for preset in model.PRESETS.values():
            ui.create("button", preset.label, parent=presets, type="button", data_preset=preset.key,
                      title=preset.description)
        ui.on(presets, "click", self.on_preset)
        ui.on("undo", "click", lambda event: self.undo())
        # Back and Forward between a preset and the settings before it (see on_preset).
        ui.on(js.window, "popstate", lambda event: self.follow_address())

        ui.on("boundary", "click", self.on_boundary_click)
        ui.on("boundary", "keydown", self.on_boundary_key)
        ui.on("point-panel", "keydown", lambda event: self.stop_by_key(event) if event.key == "Escape" else None)
        ui.on("clear-points", "click", lambda event: self.set_points(()))

        ui.on("export", "click", lambda event: self.export())
        ui.on("download-json", "click", lambda event: self.download(
            str(ui.element("export-json").value), "application/json", f"playground-epoch-{self.exported_epoch}.json"))
        ui.on("download-notebook", "click", lambda event: self.download(
            self.notebook_text, "application/x-ipynb+json", f"playground-epoch-{self.exported_epoch}.ipynb"))

    def show_settings(self):
        """Put the current settings into every control (at start and after a preset)."""
        self.controls.show(self.settings)
        generated = self.settings["dataset"] != "custom"
        for name in ("noise", "n", "regenerate"):
            ui.element(name).disabled = not generated
        self.show_hidden_controls()
        self.show_problem()

    def show_problem(self):
        """What differs between classification and regression: the datasets offered, the loss
        (regression: squared error only), the metrics, the legends and own points."""
        regression = model.is_regression(self.settings)
        offered = model.problem_datasets(self.settings["problem"])
        for option in ui.element("dataset").options:
            option.hidden = option.disabled = option.value not in offered     # disabled too: not every browser hides options
        ui.element("loss").disabled = regression
        ui.element("discrete").disabled = regression
        ui.element("own-points").hidden = regression
        ui.element("point-legend").hidden = regression
        ui.element("value-legend").hidden = not regression
        for part in ("train", "test"):
            ui.element(f"{part}-accuracy-row").hidden = regression
            ui.element(f"{part}-r2-row").hidden = not regression
        ui.set_text("output-hint", model.output_hint(regression))
        ui.set_text("intro", model.intro_text(regression))
        self.feature_toggles.show(self.settings["features"])

    def toggle_feature(self, name):
        """A click on an input feature: on or off, unless it is the last one on."""
        chosen, note = model.features_after(self.settings["features"], name)
        if note:
            self.feature_toggles.say(note)
            return
        self.change("features", chosen)
        self.feature_toggles.show(chosen)

    def show_state(self):
        """The buttons that depend on whether training can run, runs, or finishes an epoch."""
        # An earlier epoch shown can be trained on from, even after the run diverged.
        playing, trainable = self.frames.playing, self.run.can_train or self.viewing is not None
        play = ui.element("play")
        play.textContent = "❚❚ Pause" if playing else "▶ Play"
        play.setAttribute("aria-pressed", "true" if playing else "false")
        play.disabled = not trainable
        # While an epoch is finished Step and Export wait (their handlers ignore presses): marked
        # aria-disabled, not disabled, since a disabled button loses the keyboard focus (it went
        # to the page's body when the finishing took more than one frame).
        finishing = "true" if self.frames.finishing else "false"
        step = ui.element("step")
        step.disabled = not trainable
        step.setAttribute("aria-disabled", finishing)
        self.replay_offered = self.replay_available
        ui.element("replay").disabled = not self.replay_offered
        ui.element("export").setAttribute("aria-disabled", finishing)

    @property
    def replay_available(self):
        """Replay can start: the run has an epoch to repeat, and no epoch is being finished."""
        return self.run.can_replay and not self.frames.finishing

    # ------------------------------------------------------------ state changes
    def change(self, name, value, save=True):
        """One setting changed: learning rate and regularization act on the
        running training; picture options redraw; anything else restarts."""
        self.withdraw_undo()            # an undo now would also take back this change
        if self.settings[name] == value:
            if save:
                self.save_url()
            return
        before = dict(self.settings)
        self.settings[name] = value
        if name in model.LIVE_SETTINGS:
            if self.replaying is not None:
                self.end_replay("Replay ended: you changed a setting, so the run takes a path of its own from here.")
            self.run.change(name, value)
        elif name == "problem":
            # Own points in use leave the link: as after a preset, Undo and Back bring them back.
            own_points = before["dataset"] == "custom" and bool(before["points"])
            self.apply_settings(model.switch_problem(self.settings, value), push=own_points)
            if own_points:
                self.offer_undo(before, model.problem_note(value, before))
        elif name == "dataset" and value in model.DATASET_DEFAULTS:
            # A dataset with starting settings of its own changes the network, as a preset would.
            self.apply_settings(model.choose_dataset(before, value))
            self.offer_undo(before, model.dataset_note(value))
        elif name == "speed":
            self.frames.set_pace(model.epochs_per_second(value))
        elif name in model.VIEW_SETTINGS:
            if name == "predict" and not value:
                self.forget_prediction()
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

    def on_slide(self, name, value):
        """While a slider is dragged: the learning rate acts at once; the link waits for the release."""
        if name in model.LIVE_SETTINGS:
            self.change(name, value, save=False)

    def save_url(self, push=False):
        # Own points stay in memory when another dataset is chosen (to come back
        # to), but the link only carries them while they are in use.
        shown = self.settings if self.settings["dataset"] == "custom" else dict(self.settings, points=())
        self.url.defaults = model.link_defaults(shown)
        self.url.save(shown, push=push)

    def apply_settings(self, settings, push=False):
        """New settings at once (a preset, own points, Undo, Back).  The data are made first, so
        data the page cannot use change nothing, and the link is saved last: it never holds
        settings the page could not show."""
        data = model.make_data(settings)
        self.settings = settings
        self.show_settings()
        self.new_data(data)
        self.save_url(push)

    def on_preset(self, event):
        button = ui.closest(event, "button[data-preset]")
        if button is None:
            return
        # A preset replaces the seed, the batch size and the data.  Undo brings them back (until
        # the next change), and so does Back: the preset's link is a new entry in the history,
        # so the learner's own points survive a reload that way too.
        before = dict(self.settings)
        preset = model.PRESETS[str(button.dataset.preset)]
        self.apply_settings(model.apply_preset(preset.key, before), push=True)
        self.offer_undo(before, model.preset_note(preset.label, before))

    def follow_address(self):
        """Back or Forward: show the settings of the link now in the address bar.  Own points
        kept in memory stay there when that link has none."""
        query = str(js.location.search)
        settings = model.settings_from_link(model.STATE.from_query(query)[0], query)
        if settings["dataset"] != "custom" and not settings["points"]:
            settings["points"] = self.settings["points"]
        self.withdraw_undo()
        self.apply_settings(settings)

    def offer_undo(self, before, note):
        """Show `note` with an Undo that brings back the settings `before` (until the next change)."""
        self.undo_settings = before
        ui.set_text("undo-text", note)
        ui.element("undo-note").hidden = False

    def undo(self):
        before = self.undo_settings
        self.withdraw_undo()
        if before is not None:
            self.apply_settings(before)

    def withdraw_undo(self):
        if self.undo_settings is not None:
            self.undo_settings = None
            ui.element("undo-note").hidden = True

    def regenerate(self):
        # A new random draw of the same kind of data; the seed goes in the link.
        self.change("data_seed", int(js.Math.floor(js.Math.random() * 1_000_000)))

    # ------------------------------------------------------------ own points
    def set_points(self, points):
        self.withdraw_undo()
        self.apply_settings(dict(self.settings, dataset="custom", points=tuple(points)))

    def on_boundary_click(self, event):
        position = self.boundary_position(event)
        if position is None:
            return
        mark = ui.closest(event, "#boundary-overlay .pt")
        action = model.plot_click(mark is not None, self.run.epoch, ui.element("inspect-point").checked,
                                  model.is_regression(self.settings))
        if action == "inspect":
            ui.element("inspect-point").checked = True
            # A click on a mark picks the point drawn there (not the one nearest the click,
            # which between close points may be another); elsewhere the nearest.
            picked = None if mark is None else \
                ("training" if mark.classList.contains("train") else "test", int(mark.dataset.i))
            self.inspect_at(position, picked)
            # The panel's heading into sight if it is below the screen's edge (not in an embed,
            # where scrolling into view would scroll the host's page too).
            if not ui.embedded():
                ui.element("point-heading").scrollIntoView(ui.js_object({"block": "nearest"}))
            return
        if action == "nothing":
            return
        label = 1 if event.shiftKey or ui.element("class-b").checked else 0
        # Rounded so that the link stays short and restores the point exactly; held inside the
        # range a link accepts (the view reaches a little beyond the outermost points).
        point = (round(model.clamp_coordinate(position[0]), 3), round(model.clamp_coordinate(position[1]), 3), label)
        if self.settings["dataset"] == "custom":
            self.set_points(self.settings["points"] + (point,))
            return
        # A click on generated data starts own points from those data, which ends the run there
        # and replaces own points kept in memory (from before a preset): Undo brings them back.
        before, epoch = dict(self.settings), self.run.epoch
        self.set_points(model.rounded_points(self.data) + (point,))
        label = model.DATASET_LABELS.get(before["dataset"], before["dataset"])
        self.offer_undo(before, model.own_points_note(label, before, epoch))

    def boundary_position(self, event):
        """Where a pointer event is on the output picture, in the data's coordinates; None off the plot."""
        rect = ui.element("boundary").getBoundingClientRect()
        return draw.to_data(draw.boundary_axes(self.data.view), (event.clientX - rect.left) / rect.width,
                            (event.clientY - rect.top) / rect.height)

    # ------------------------------------------------------------ backprop on one point
    def inspect_at(self, position, picked=None):
        """A click on a point (`picked`, ("training" or "test", index)) or anywhere with "Backprop on
        one point" on: training pauses and that point's (or the nearest one's) pass is shown."""
        found = picked or model.nearest_point(self.data, position, model.point_reach(self.data))
        if found is None:
            ui.set_text("point-heading", "No point there: click on a training or test point.")
            ui.element("point-panel").hidden = False
            return
        self.pause()
        self.inspected = self.chosen_point = found
        self.show_point()

    def on_boundary_key(self, event):
        """The output picture's keys (model.key_target): a point's backprop, as a click on its mark
        shows it and when a click would (model.plot_click), and the next point; Escape stops."""
        key = str(event.key)
        if key == "Escape":
            self.stop_by_key(event)
            return
        if key not in model.POINT_KEYS or event.ctrlKey or event.altKey or event.metaKey:
            return
        event.preventDefault()                  # no page scrolling from the arrows, Space and Page keys
        inspecting = ui.element("inspect-point").checked
        regression = model.is_regression(self.settings)
        if self.run.trainer is None or model.plot_click(True, self.run.epoch, inspecting, regression) != "inspect":
            self.say_point(model.point_keys_note(self.data, regression))
            return
        # A run that trains has training points, so the key leads to one.
        target = model.key_target(self.data, self.settings["show_test"], self.inspected, self.chosen_point, key)
        stayed = target == self.inspected
        ui.element("inspect-point").checked = True
        self.inspect_at(None, target)
        self.say_point(model.point_announcement(self.data, self.diagram.point, target[1], regression, key, stayed),
                       self.diagram.point.position)

    def say_point(self, words=model.POINT_KEYS_HINT, position=None):
        """The caption over the picture (a live region, and the picture's description): which point
        the keys show, placed away from it, or why none; by default, how to use the keys."""
        status = ui.element("point-status")
        status.textContent = words
        status.classList.toggle("at-top", position is not None and draw.caption_at_top(self.data.view, position))

    def stop_by_key(self, event):
        """Escape on the picture or in the point's panel: the panel closes and the keyboard is
        back on the picture."""
        if self.inspected is None:
            return
        event.preventDefault()
        ui.element("inspect-point").checked = False
        point = self.inspected
        self.stop_inspecting()
        self.say_point(model.point_keys_stopped_note(self.data, point))
        ui.element("boundary").focus()

    def show_point(self, diagram=True):
        """The inspected point's forward and backward pass, its ring on the plot, and the links
        drawn from its weight gradients (redrawn unless not `diagram`; the unit maps do not depend
        on the point, and redrawing them was most of a click's time on the largest network);
        nothing when no point is inspected."""
        panel = ui.element("point-panel")
        if self.inspected is None or self.run.trainer is None:
            panel.hidden = True
            self.say_point()
            self.diagram.link_values = self.diagram.point = None
            self.mark_point(None)
            self.draw_diagram("links")
            return
        point = model.point_trace(self.net, self.data, self.settings, *self.inspected)
        panel.hidden = False
        ui.set_text("point-heading", draw.point_heading(point, model.is_regression(self.settings)))
        ui.fill_table("point-rows", draw.point_rows(self.diagram.layout, point))
        query = model.lesson_two_query(point, self.net, self.settings)
        link = ui.element("point-lesson-two")
        link.hidden = query is None
        if query is not None:
            link.href = "step-through.html" + query
        self.diagram.link_values = list(point.trace.weight_grads)
        self.diagram.point = point
        self.diagram.show_point_weights()
        self.mark_point(point.position)
        if diagram:
            self.draw_diagram("links")

    def mark_point(self, position):
        """The ring around the inspected point moved to `position` (None: removed), without
        redrawing the overlay's hundreds of marks (6-14 ms of a click on the largest network)."""
        overlay = ui.element("boundary-overlay")
        ring = overlay.querySelector(".pt-marked")
        if not ui.is_missing(ring):
            ring.remove()
        if position is not None:
            ring = draw.marked_ring(draw.boundary_axes(self.data.view), position)
            overlay.firstElementChild.insertAdjacentHTML("beforeend", ring)

    def stop_inspecting(self):
        self.inspected = None
        self.show_point()

    # ------------------------------------------------------------ data and training
    def new_data(self, data=None):
        """Use new data (made from the settings unless given), and restart training on them."""
        self.data = model.make_data(self.settings) if data is None else data
        self.chosen_point = None
        self.feature_toggles.draw(model.feature_maps_inputs(self.data, UNIT_RESOLUTION))
        self.draw_overlay()
        self.reset()

    def reset(self, run=None):
        """New random weights: a new run, from epoch 0 (`run`, a replay, or a fresh one)."""
        # The network's inputs: the chosen features of the standardized points.
        self.train_inputs = model.network_inputs(self.data, self.data.X_train, self.settings)
        self.test_inputs = model.network_inputs(self.data, self.data.X_test, self.settings)
        self.run = model.TrainingRun(self.settings, self.data) if run is None else run
        self.viewing = self.curve.viewed = None
        if run is None:
            self.end_replay()
            # A new run is predicted afresh; a replay is the same run, so the prediction and its
            # verdict stay in the panel.
            self.forget_prediction()
        self.inspected = self.diagram.link_values = self.diagram.point = None   # and has no point inspected
        ui.element("point-panel").hidden = True
        self.say_point()
        self.frames.restart(self.run)
        self.curve.clear()
        ui.element("divergence").hidden = True
        self.diagram.set_inputs(self.settings["features"], model.is_regression(self.settings))
        self.diagram.show_layers((len(self.settings["features"]), *self.settings["layers"], 1))
        self.after_layers()
        ui.set_text("scrub-hint", model.replay_hint(self.run.history))
        # Without points of both classes there is nothing to train on (yet).
        ui.set_text("train-status", self.data.problem)
        if self.data.problem:
            self.pause()
        self.show_state()
        self.record_losses()
        self.draw_all()

    def warm_up(self):
        """Train a throw-away copy of the network for a few steps at start-up.
        WebAssembly code is compiled when it first runs, so otherwise the first
        frames after Play would be long ones."""
        if self.run.trainer is None:
            return
        copy = MLP.from_dict(self.run.net.to_dict())
        with np.errstate(all="ignore"):
            model.make_trainer(copy, self.data, self.settings).run_steps(5)

    def toggle_play(self):
        if self.frames.playing:
            self.pause()
        elif self.run.can_train or self.viewing is not None:
            self.train_from_viewed()
            if not self.run.can_train:
                return
            if self.inspected is not None:      # the point's pass was for these weights: training moves on
                self.stop_inspecting()
            if self.settings["predict"] and self.run.epoch == 0 and self.prediction is None:
                self.ask_behaviour()        # Play starts once the learner has predicted
                return
            self.frames.play()

    # ------------------------------------------------------------ predict, then reveal
    def ask_behaviour(self):
        # The run answers this one (answer None): the verdict comes in judge_prediction.
        self.predict_panel.ask(predict.Question("behaviour", model.behaviour_prompt(self.settings), "choice",
                                                None, "", model.BEHAVIOURS), focus=True)

    def on_prediction(self, response, _verdict):
        if self.prediction is not None:
            return
        self.prediction = response
        self.predict_panel.show_verdict(model.prediction_pending_note(response))
        ui.element("play").focus()
        self.frames.play()
        self.show_state()

    def judge_prediction(self, blew_up=False):
        """Once the run has answered (enough epochs, or divergence), the verdict."""
        if self.prediction is None or self.prediction_judged:
            return
        if not blew_up and self.run.epoch < model.PREDICT_EPOCHS:
            return
        history = self.curve.history
        losses = [loss for epoch, loss in zip(history.epochs, history.train) if epoch <= model.PREDICT_EPOCHS]
        if blew_up:
            losses.append(math.inf)
        verdict = model.behaviour_verdict(self.settings, losses, self.prediction)
        self.prediction_judged = True
        if self.prediction_counted:
            self.predict_panel.show_verdict(verdict.message)
        else:
            self.prediction_counted = True
            self.predict_panel.record(verdict, focus=False)

    def forget_prediction(self):
        self.prediction, self.prediction_judged, self.prediction_counted = None, False, False
        self.predict_panel.hide()

    def pause(self):
        if self.frames.pause():
            if self.frames.picture_behind:  # at Max the last frame moved only the epoch counter
                self.draw_picture(while_training=True)
            # A large network's boundary at full resolution again, and the diagram for the weights
            # now (Play draws it a few times a second, so it can be frames behind).
            self.draw_later(diagram=True)
            self.rest.start()

    def step(self):
        """Train one epoch (or finish the one under way)."""
        self.pause()
        self.train_from_viewed()
        if self.run.can_train and not self.frames.finishing:
            self.frames.finish_epoch(None)

    def diverge(self):
        # Only Reset (or going back to an earlier epoch) helps now: the weights are not numbers any more.
        self.judge_prediction(blew_up=True)
        if self.replaying is not None:
            self.end_replay(model.replay_diverged_note(self.run.epoch, self.replaying[0]))
        box = ui.element("divergence")
        box.textContent = model.divergence_message(self.run.epoch, self.settings)
        box.hidden = False
        self.show_state()

    def record_losses(self):
        """The shown network's losses; the run's own (not an earlier epoch's) go on the curve."""
        with np.errstate(all="ignore"):
            self.train_metrics = model.evaluate(self.net, self.train_inputs, self.data.y_train)
            self.test_metrics = model.evaluate(self.net, self.test_inputs, self.data.y_test)
        if self.viewing is None:
            self.curve.history.add(self.run.epoch, self.train_metrics[0], self.test_metrics[0])
            self.judge_prediction()

    # ------------------------------------------------------------ drawing
    def draw_picture(self, while_training=False):
        """The newest losses, the decision boundary, the numbers and the curve; True if the
        boundary was drawn on a coarse grid (while training a large network)."""
        self.record_losses()
        coarse = self.draw_boundary(while_training)
        self.draw_numbers()
        self.curve.draw(self.settings["log_loss"], self.settings["log_epochs"])
        self.show_scrub()
        if self.replaying is not None:
            self.follow_replay()
        if not self.replay_offered and self.replaying is None and self.replay_available:
            self.show_state()                   # Play from epoch 0 has trained one: Replay can run now
        return coarse

    def draw_all(self):
        self.rest_phases = []               # everything is drawn now, for the network as it is
        self.draw_boundary()
        self.draw_numbers()
        self.curve.draw(self.settings["log_loss"], self.settings["log_epochs"])
        self.show_scrub()       # a new run (Reset, a preset, Undo): the old run's range would index past it
        self.draw_diagram()

    def draw_diagram(self, part="all"):
        """The diagram, or one `part` of it ("maps" or "links": Play on a large network draws them
        a frame apart)."""
        if part != "links":
            self.diagram.draw_maps(self.net, self.data, self.train_inputs)
        if part != "maps":
            self.diagram.draw_links()
            self.handles.draw(self.net)

    def draw_overlay(self, marked=None):
        if model.is_regression(self.settings):
            ui.set_svg("boundary-overlay", draw.regression_overlay(self.data, self.settings["show_test"], self.dark,
                                                                   marked))
            return
        ui.set_svg("boundary-overlay", draw.boundary_overlay(self.data, self.settings["show_test"], marked))

    def draw_boundary(self, while_training=False):
        """The output picture (the network's output, or the unit shown large); True if drawn on
        a coarse grid (while training a large network)."""
        resolution = draw.boundary_resolution(self.net.config.sizes, while_training)
        compute, points, picture = self.boundary_source(resolution)
        with np.errstate(all="ignore"):
            self.boundary.show(picture(compute(points)))
        if resolution == draw.FULL_GRID and self.rest_phases[:1] == ["boundary"]:
            del self.rest_phases[0]             # drawn now, maybe of another network or unit
            self.rest_bands = None
        return resolution != draw.FULL_GRID

    def boundary_source(self, resolution):
        """What the output picture shows, as (compute, points, picture): compute(points) gives the
        values at the grid's points, picture(values) the pixels."""
        points = model.grid_inputs(self.data, self.settings, resolution)     # the input features on the grid
        regression = model.is_regression(self.settings)

        def output(values):
            return draw.output_to_rgba(values.reshape(resolution, resolution), self.lut, self.settings["discrete"],
                                       regression)
        if self.shown_unit is None:
            return self.net.predict_proba, points, output
        column, unit = self.shown_unit
        compute, centre = model.unit_function(self.net, column, unit)
        if column == len(self.diagram.layout.sizes) - 1:
            return compute, points, output
        return compute, points, lambda values: draw.unit_picture(values, centre, self.lut, resolution)

    def draw_numbers(self):
        (train_loss, train_accuracy), (test_loss, test_accuracy) = self.train_metrics, self.test_metrics
        out = self.out
        self.draw_epoch()
        out["train-loss"].textContent = text.loss_text(train_loss)
        out["test-loss"].textContent = text.loss_text(test_loss)
        out["train-accuracy"].textContent = text.percent(train_accuracy)
        out["test-accuracy"].textContent = text.percent(test_accuracy)
        if model.is_regression(self.settings):       # the second number is R², not accuracy
            out["train-r2"].textContent = model.r2_text(train_accuracy)
            out["test-r2"].textContent = model.r2_text(test_accuracy)

    def draw_epoch(self):
        self.out["epoch"].textContent = str(self.run.epoch if self.viewing is None else self.viewing)

    # ------------------------------------------------------------ replay (issue 21)
    @property
    def net(self):
        """The network the page shows: the run's, or a copy with an earlier epoch's weights."""
        return self.run.net if self.viewing is None else self.run.viewer

    def scrub_to(self, epoch):
        """Show the run as it was at `epoch` (the kept epoch at or before it); training pauses.
        At or past the latest epoch, the run as it is."""
        if self.run.history is None:
            return
        self.pause()
        if self.frames.finishing:
            self.frames.end_finishing()
        viewed = model.viewed_epoch(self.run.history, self.run.epoch, epoch)
        if viewed is not None:
            self.run.network_at(viewed)
        changed = viewed != self.viewing
        self.viewing = viewed
        if changed:
            self.editor.close()
            self.show_viewed(at_once=False)

    def draw_stopped(self):
        """An epoch finished (Step, Export): its picture at once, coarse on a large network, and
        the rest queued for draw_rest (the scheduler's loop draws it)."""
        self.draw_picture(while_training=True)
        self.draw_later()

    def draw_later(self, diagram=True):
        """Queue, for draw_rest, what a stop (Pause, a scrub, an epoch finished) draws at full
        resolution: a large network's boundary (training and scrubbing draw it coarse) and, with
        `diagram`, the unit maps and the links.  Whatever was queued before is dropped."""
        coarse = draw.boundary_resolution(self.net.config.sizes, training=True) != draw.FULL_GRID
        self.rest_phases = (["boundary"] if coarse else []) + (["maps", "links"] if diagram else [])
        self.rest_bands = None

    def draw_rest(self, deadline_ms):
        """A frame's share of draw_later's work; False once it is all drawn.  A scrub's epoch (coarse)
        in a frame, the full boundary in bands of points until the frame's deadline (in one task it
        took 30-60 ms at eight layers of 16), the unit maps in a frame, then the links (and an
        inspected point's pass)."""
        if not self.rest_phases:
            return False
        phase = self.rest_phases[0]
        if phase == "viewed":
            self.draw_viewed(while_training=True)
        elif phase == "boundary":
            if self.rest_bands is None:
                compute, points, picture = self.boundary_source(draw.FULL_GRID)
                self.rest_bands = (model.Bands(compute, points), picture)
            bands, picture = self.rest_bands
            with np.errstate(all="ignore"):
                while not bands.step() and js.performance.now() < deadline_ms:
                    pass
                if not bands.done:
                    return True
                self.boundary.show(picture(bands.values()))
            self.rest_bands = None
        elif phase == "maps":
            self.draw_diagram("maps")
        else:
            if self.inspected is not None:
                self.show_point(diagram=False)  # this point's pass for the weights shown
            self.draw_diagram("links")
        del self.rest_phases[0]
        return bool(self.rest_phases)

    def draw_rest_while_stopped(self, deadline_ms):
        """The rest loop's work after Pause or a scrub.  Training draws everything itself, and
        finishing an epoch drives draw_rest from its own loop: then this loop stops."""
        if self.frames.playing or self.frames.finishing:
            return False
        return self.draw_rest(deadline_ms)

    def draw_scrubbed_diagram(self):
        if self.inspected is not None:
            self.show_point(diagram=False)      # this point's pass at the epoch shown, for the links
        self.draw_diagram()

    def show_viewed(self, at_once=True):
        """Everything that shows the network, for the epoch shown, and the note that says which.
        Scrubbing (not at_once) says which at once and draws from the next frame on, what answers
        the learner's hand first (see draw_rest)."""
        self.curve.viewed = self.viewing
        if self.viewing is not None:
            self.replay_controls.say(model.viewing_note(self.viewing, self.run.epoch, ui.embedded()), back_to=self.run.epoch)
        elif self.replaying is not None:
            self.replay_controls.say(model.replaying_note(self.replaying[0]))
        else:
            self.replay_controls.say(None)
        if at_once:
            self.draw_viewed(while_training=False)
            self.rest_phases = []               # what was queued is for the epoch shown before
            self.draw_scrubbed_diagram()
        else:
            # Drawn in the next animation frame, not in the input's handler: a drag's input comes
            # in a frame's task (with the rest loop's share of that frame, 50-60 ms in all), and
            # several inputs in one frame are drawn once.
            self.draw_later()
            self.rest_phases.insert(0, "viewed")
            self.rest.start()

    def draw_viewed(self, while_training):
        """The picture (coarse while_training, on a large network), the numbers, the curve and the
        slider for the epoch shown."""
        self.record_losses()
        self.draw_boundary(while_training)
        self.draw_numbers()
        self.curve.draw(self.settings["log_loss"], self.settings["log_epochs"])
        self.show_scrub()

    def show_scrub(self):
        self.replay_controls.show_slider(self.run.history, self.run.epoch, self.viewing)

    def train_from_viewed(self):
        """Play, Step or an edit while an earlier epoch is shown train on from that epoch: the run
        goes back to it exactly (weights, optimizer, batches) and the later epochs are dropped."""
        if self.viewing is None:
            return
        kept = self.run.go_back(self.viewing, {name: self.settings[name] for name in model.LIVE_SETTINGS})
        self.curve.history.forget_after(kept)
        if self.prediction_judged and not model.verdict_stands(kept):
            # The epochs the verdict read are trained again, along another path if a setting
            # changed: the run answers again (not counted twice in the tally).
            self.prediction_judged = False
            self.predict_panel.show_verdict(model.prediction_pending_note(self.prediction))
        self.viewing = None
        self.end_replay()
        ui.element("divergence").hidden = True
        self.show_viewed()
        self.show_state()

    def replay(self):
        """Train this run again from epoch 0, bit for bit, to the epoch it had reached."""
        self.pause()
        if not self.run.can_replay:
            return
        if self.viewing is not None:
            self.scrub_to(self.run.epoch)
        if self.run.trainer.mid_epoch and not self.run.diverged:
            self.frames.finish_epoch(self.start_replay)     # whole epochs: the replay stops at an epoch's end
        elif not self.frames.finishing:
            self.start_replay()

    def start_replay(self):
        run = self.run
        with np.errstate(all="ignore"):
            loss = model.evaluate(run.net, self.train_inputs, self.data.y_train)[0]
        again = run.replay(self.settings, self.data)
        self.settings.update(again.log.live_values())      # the learning rate etc. the run started with
        self.controls.show(self.settings)
        self.reset(again)
        self.replaying = (run.epoch, loss)
        self.replay_controls.say(model.replaying_note(run.epoch))
        self.frames.play()

    def follow_replay(self):
        """While replaying, the controls show the live settings as the run changed them."""
        live = self.run.log.live_values()
        if any(self.settings[name] != value for name, value in live.items()):
            self.settings.update(live)
            self.controls.show(self.settings)

    def replayed(self):
        """The replay reached the epoch the run had: say whether it ended where the run did."""
        epoch, before = self.replaying
        self.end_replay(model.replayed_note(epoch, before, self.train_metrics[0]))
        self.draw_later(diagram=False)      # a large network's boundary at full resolution again
        self.rest.start()
        self.save_url()

    def end_replay(self, note=None):
        """The run is no longer a replay (done, or the learner took it elsewhere); `note` says so."""
        self.replaying = None
        self.run.replay_until = None
        self.run.script = []
        self.replay_controls.say(note)

    # ------------------------------------------------------------ export
    def export(self):
        """Export what the page shows: the run as it is (its epoch under way finished first), or the
        earlier epoch the learner scrubbed to."""
        if self.frames.finishing:       # an epoch is being finished (Step, or Export pressed already)
            return
        self.pause()
        trainer = self.run.trainer
        if self.viewing is None and trainer is not None and trainer.mid_epoch and not self.run.diverged:
            self.frames.finish_epoch(self.write_export)    # whole epochs only: the snippet replays epochs
        else:
            self.write_export()

    def write_export(self):
        export = model.export_of(self.run, self.settings, self.viewing)
        ui.element("export-json").value = model.export_json(export.net, self.data, export.settings, export.epoch)
        ui.element("export-python").value = model.python_snippet(export.settings, export.epoch, export.log,
                                                                 export.latest)
        self.notebook_text = model.notebook(export.settings, export.epoch, export.log, export.latest)
        self.exported_epoch = export.epoch
        ui.set_text("export-note", model.export_note(export))
        ui.element("download-json").disabled = False
        ui.element("download-notebook").disabled = False

    def download(self, content, kind, filename):
        blob = js.Blob.new(to_js([content]), ui.js_object({"type": kind}))
        url = js.URL.createObjectURL(blob)
        link = ui.create("a", href=url, download=filename)
        link.click()
        js.URL.revokeObjectURL(url)

    # ------------------------------------------------------------ editing, unit maps, hidden controls (issue 21)
    def after_layers(self):
        """The architecture may have changed (a new run): the typed field, the bias handles and
        the unit shown large follow it, and an open editing field closes."""
        self.layers_field.show(self.settings["layers"])
        self.editor.close()
        self.handles.show(self.diagram.layout)
        self.shown_unit = None
        ui.set_text("unit-view", "")

    def show_unit(self, unit):
        """Show unit (column, index) large in the output picture (None: the network's output)."""
        if unit == self.shown_unit:
            return
        self.shown_unit = unit
        ui.set_text("unit-view", draw.unit_view_note(self.diagram.layout, unit))
        if not self.frames.playing:
            self.draw_boundary()

    def start_editing(self, target):
        """Open the editing field of a weight or bias; training pauses while it is open."""
        self.pause()
        if self.frames.finishing:
            self.frames.end_finishing()
        self.editor.open(target, self.diagram.layout, model.param_value(self.net, target))

    def edit_param(self, target, value):
        """The learner set a weight or bias: training goes on from it, and the picture, the
        numbers and the diagram show it at once."""
        self.train_from_viewed()
        model.edit_param(self.run, target, value)
        self.draw_picture()
        self.draw_diagram()

    def show_hidden_controls(self):
        """Hide the controls the link names in hide= (for embedding); the Data panel goes when
        all of its controls do."""
        hidden = set(model.hidden_controls(self.settings["hide"]))
        for name in model.HIDEABLE:
            for element_id in model.hide_targets(name):
                control = ui.optional_element(element_id)
                if control is None:
                    continue
                box = control.closest(".field, label, fieldset")
                box = control if ui.is_missing(box) else box
                box.classList.toggle("pg-hidden", name in hidden)
        panel = js.document.querySelector(".pg-data")
        controls = panel.querySelectorAll("select, input, button")
        visible = [c for c in controls if ui.is_missing(c.closest(".pg-hidden"))]
        panel.classList.toggle("pg-hidden", not visible)

    def offer_hide_choices(self):
        """The share dialog (static/nav.js) offers checkboxes for hide= in the embed snippet."""
        course = getattr(js.window, "backpropLabCourse", None)
        if ui.is_missing(course) or not hasattr(course, "addEmbedChoices"):
            return
        choices = [[name, label] for name, label in model.STATE.props["hide"].options()]
        course.addEmbedChoices(ui.js_object({"param": "hide", "legend": "Hide these controls in the embed",
                                             "choices": choices, "note": model.PRESETS_HIDDEN_NOTE,
                                             "implied": {"presets": list(model.PRESET_SETTINGS)}}))

    def on_diagram_press(self, event):
        """The link under a press, found before anything moves.  A tap on a touch screen sends a
        mousemove just before its click: the link's read-out under the diagram replaces the hint,
        one line shorter at 360 px, and the page's scroll anchoring moved the diagram by that line,
        so the click landed beside the link (issue 21)."""
        layout = self.diagram.layout
        self.pressed_link = draw.nearest_link(layout, *diagram_position(event, layout))

    def on_diagram_click(self, event):
        """A click on a link opens its weight's editing field."""
        layout = self.diagram.layout
        link, self.pressed_link = self.pressed_link, None
        if link is None:
            link = draw.nearest_link(layout, *diagram_position(event, layout))
        if link is not None:
            self.start_editing(("weight", *link))

    def on_diagram_key(self, event):
        """Enter on the diagram edits the link its arrow keys chose."""
        if event.key == "Enter" and str(event.target.id) == "diagram" and self.diagram.hover_link is not None:
            event.preventDefault()
            self.start_editing(("weight", *self.diagram.hover_link))


def diagram_position(event, layout):
    """Where a pointer event is over the network diagram, in the layout's units."""
    rect = ui.element("diagram").getBoundingClientRect()
    return ((event.clientX - rect.left) / rect.width * layout.width,
            (event.clientY - rect.top) / rect.height * layout.height)


class LayersField:
    """The hidden layers typed as "8,8,8", besides the diagram's ± buttons and within their limits.
    Bad text is refused at the field with the reason, and the network stays as it was."""

    def __init__(self, on_layers):
        self.on_layers = on_layers              # on_layers(hidden layer widths)
        self.field = ui.element("layers")
        self.message = ui.element("layers-error")
        self.layers = None
        ui.on(self.field, "change", lambda event: self.commit())
        ui.on(self.field, "keydown", lambda event: self.commit() if event.key == "Enter" else None)
        ui.on(self.field, "input", lambda event: self.say(""))

    def say(self, message):
        self.field.setAttribute("aria-invalid", "true" if message else "false")
        self.message.textContent = message

    def show(self, layers):
        """The network's layers, as the field writes them."""
        self.layers = layers
        self.field.value = model.STATE.props["layers"].format(layers)
        self.say("")

    def commit(self):
        try:
            layers = model.parse_layers(str(self.field.value))
        except ValueError as error:
            self.say(f"{error}; the network stays {model.STATE.props['layers'].format(self.layers) or 'without hidden layers'}.")
            return
        if layers == self.layers:
            self.show(layers)                   # "8, 8" is written back as "8,8"
            return
        self.on_layers(layers)


class UnitHandles:
    """A small button at each hidden and output unit for its bias, as in TensorFlow Playground:
    clicking it edits the bias; pointing at a unit or focusing its button shows the unit's map
    large.  The buttons are one stop for Tab (a roving tabindex): the arrow keys move between
    units, Enter edits the bias."""

    def __init__(self, on_unit, on_edit):
        self.on_unit = on_unit                  # on_unit((column, unit) or None)
        self.on_edit = on_edit                  # on_edit(("bias", column, unit))
        self.container = ui.element("diagram-units")
        self.layout = None
        self.buttons = {}                       # (column, unit) -> button
        self.signs = {}                         # (column, unit) -> the class drawn ("pos", "neg", "zero")
        self.current = None                     # the unit whose button Tab reaches
        ui.on(self.container, "click", self.on_click)
        ui.on(self.container, "keydown", self.on_key)
        ui.on(self.container, "focusin", lambda event: self.on_unit(self.unit_of(event)))
        ui.on(self.container, "focusout", lambda event: self.on_unit(None))
        ui.on("diagram", "mousemove", self.on_pointer)
        ui.on("diagram", "mouseleave", lambda event: self.on_unit(None))

    def show(self, layout):
        if layout is self.layout:
            return
        self.layout = layout
        self.container.replaceChildren()
        self.buttons, self.signs = {}, {}
        for column, unit in layout.units():
            if column == 0:
                continue                        # inputs have no bias
            button = ui.create("button", parent=self.container, type="button", class_="pg-bias",
                               tabindex="-1", data_column=column, data_unit=unit,
                               aria_label=f"Bias of {layout.unit_name(column, unit)}: press Enter to edit it; "
                                          "the arrow keys move between units")
            place(button, draw.bias_placement(layout, column, unit))
            self.buttons[(column, unit)] = button
        self.current = (1, 0)
        self.buttons[self.current].setAttribute("tabindex", "0")

    def draw(self, net):
        """Colour each handle by the sign of its bias (dashed outline when negative)."""
        for (column, unit), button in self.buttons.items():
            value = float(net.params[2 * column - 1][unit])
            sign = "pos" if value > 0 else "neg" if value < 0 else "zero"
            if self.signs.get((column, unit)) != sign:
                self.signs[(column, unit)] = sign
                button.className = f"pg-bias {sign}"

    def unit_of(self, event):
        button = ui.closest(event, "button.pg-bias")
        if button is None:
            return None
        return int(button.dataset.column), int(button.dataset.unit)

    def on_click(self, event):
        unit = self.unit_of(event)
        if unit is not None:
            event.stopPropagation()             # not a click on a link under the handle
            self.on_edit(("bias", *unit))

    def on_key(self, event):
        unit = self.unit_of(event)
        if unit is None or event.key not in LINK_KEYS:
            return
        event.preventDefault()
        event.stopPropagation()                 # the diagram's arrow keys walk the links
        column, index = unit
        if event.key in ("ArrowUp", "ArrowDown"):
            index = min(max(index + (1 if event.key == "ArrowDown" else -1), 0), self.layout.sizes[column] - 1)
        else:
            column = min(max(column + LINK_KEYS[event.key], 1), len(self.layout.sizes) - 1)
            index = min(index, self.layout.sizes[column] - 1)
        self.move_to((column, index))

    def move_to(self, unit):
        self.buttons[self.current].setAttribute("tabindex", "-1")
        self.current = unit
        button = self.buttons[unit]
        button.setAttribute("tabindex", "0")
        button.focus()

    def on_pointer(self, event):
        if self.layout is not None:
            self.on_unit(draw.unit_at(self.layout, *diagram_position(event, self.layout)))


class ParamEditor:
    """The small field that sets one weight (click a link, or press Enter on the link chosen
    with the arrow keys) or bias (its unit's handle).  Enter applies, Escape cancels; text
    that is not a usable number is refused there with the reason, and the old value stays."""

    def __init__(self, on_apply):
        self.on_apply = on_apply                # on_apply(target, value)
        self.box = ui.element("param-editor")
        self.field = ui.element("param-value")
        self.message = ui.element("param-error")
        self.target = None
        self.shown_text = ""                    # the value as the field first showed it
        self.came_from = None                   # where the focus goes back to
        ui.on(self.field, "keydown", self.on_key)
        ui.on(self.field, "input", lambda event: self.say(""))
        ui.on("param-apply", "click", lambda event: self.apply())
        ui.on("param-cancel", "click", lambda event: self.close(restore_focus=True))
        ui.on(self.box, "focusout", self.on_focus_out)
        ui.on(self.box, "click", lambda event: event.stopPropagation())
        ui.on(self.box, "mousemove", lambda event: event.stopPropagation())

    @property
    def is_open(self):
        return self.target is not None

    def open(self, target, layout, value):
        self.target = target
        self.came_from = js.document.activeElement
        ui.set_text("param-label", draw.param_label(layout, target))
        left, top = draw.editor_anchor(layout, target)
        # The field opens at its link or unit, kept inside the diagram's width (CSS gives its width).
        self.box.style.left = f"clamp(0px, {100 * left:.2f}%, calc(100% - var(--pg-editor-width)))"
        self.box.style.top = f"{100 * top:.2f}%"
        self.shown_text = f"{value:.6g}"
        self.field.value = self.shown_text
        self.say("")
        self.box.hidden = False
        self.field.focus()
        self.field.select()

    def say(self, message):
        self.field.setAttribute("aria-invalid", "true" if message else "false")
        self.message.textContent = message

    def apply(self):
        if str(self.field.value).strip() == self.shown_text:
            self.close(restore_focus=True)      # unchanged: the exact value stays (not its 6 digits)
            return
        try:
            value = model.parse_param(str(self.field.value))
        except ValueError as error:
            self.say(f"Not set: {error}. The old value stays.")
            self.field.focus()
            return
        target = self.target
        self.close(restore_focus=True)
        self.on_apply(target, value)

    def close(self, restore_focus=False):
        if self.target is None:
            return
        self.target = None
        self.box.hidden = True
        if restore_focus and not ui.is_missing(self.came_from) and hasattr(self.came_from, "focus"):
            self.came_from.focus()

    def on_key(self, event):
        event.stopPropagation()                 # arrows move the caret, not the diagram's link
        if event.key == "Enter":
            event.preventDefault()
            self.apply()
        elif event.key == "Escape":
            event.preventDefault()
            self.close(restore_focus=True)

    def on_focus_out(self, event):
        # Leaving the field for elsewhere on the page cancels, as Escape does.
        going_to = event.relatedTarget
        if self.is_open and (ui.is_missing(going_to) or not self.box.contains(going_to)):
            self.close()

def main(url):
    page = Playground(url)
    page.save_url()
    page.warm_up()
    # Everything made while starting up lives as long as the page: moving it out
    # of the garbage collector's view keeps later collections short (no long
    # pauses in the middle of training).
    gc.collect()
    gc.freeze()
    ui.ready()


ui.start(main, model.STATE)     # if main fails after reading the link, the page restarts without it
