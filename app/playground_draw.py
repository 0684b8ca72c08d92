"""The training playground's pictures, without the browser: colour maps from
network outputs to RGBA pixels, the decision-boundary overlay (axes and
points), the loss curve, and the network diagram's layout and links.

Pure Python + NumPy (tested in CPython).  Pixels are built as whole uint8
arrays, so the page hands each picture to a canvas with one buffer copy.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from app.svg import Axes, edge_width, svg, tag
from engine import text
from engine.text import loss_text

# ------------------------------------------------------------------ colours

# Okabe-Ito orange and blue (static/site.css --class-a / --class-b): a diverging
# pair that stays distinct with every common colour-vision deficiency.
CLASS_A = (0xE6, 0x9F, 0x00)    # label 0
CLASS_B = (0x00, 0x72, 0xB2)    # label 1
LIGHT_MIDDLE = (0xF7, 0xF7, 0xF7)
DARK_MIDDLE = (0x26, 0x2B, 0x31)
LUT_STEPS = 256


def blend(a, b, t: float) -> tuple:
    return tuple(x + (y - x) * t for x, y in zip(a, b))


def diverging_lut(low, middle, high, steps: int = LUT_STEPS) -> np.ndarray:
    """(steps, 4) uint8 RGBA: low → middle → high, linear in each half."""
    t = np.linspace(0.0, 1.0, steps)[:, None]
    lower = np.array(low) + (np.array(middle) - np.array(low)) * np.clip(2 * t, 0, 1)
    upper = np.array(middle) + (np.array(high) - np.array(middle)) * np.clip(2 * t - 1, 0, 1)
    rgb = np.where(t < 0.5, lower, upper)
    lut = np.empty((steps, 4), dtype=np.uint8)
    lut[:, :3] = np.round(rgb)
    lut[:, 3] = 255
    return lut


def palette(dark: bool = False) -> np.ndarray:
    """The boundary's colour map.  The ends are paler than the class colours so
    that the points drawn on top stand out."""
    middle, fade = (DARK_MIDDLE, 0.6) if dark else (LIGHT_MIDDLE, 0.35)
    return diverging_lut(blend(CLASS_A, middle, fade), middle, blend(CLASS_B, middle, fade))


def to_lut_index(t: np.ndarray) -> np.ndarray:
    """Values in [0, 1] (NaN counts as the middle) → indices into a LUT."""
    t = np.nan_to_num(t, nan=0.5, posinf=1.0, neginf=0.0)
    return np.clip(t * (LUT_STEPS - 1) + 0.5, 0, LUT_STEPS - 1).astype(np.intp)


def probabilities_to_rgba(p: np.ndarray, lut: np.ndarray, discrete: bool = False) -> np.ndarray:
    """An (h, w) image of probabilities → (h, w, 4) uint8 RGBA, C-contiguous.
    discrete=True paints only the predicted class (threshold 0.5)."""
    if discrete:
        p = np.where(p > 0.5, 1.0, 0.0)
    return lut[to_lut_index(p)]


def unit_images(values: np.ndarray, centre: float, lut: np.ndarray, resolution: int) -> np.ndarray:
    """Per-unit heatmaps: values (resolution², k), one column per unit →
    (k, resolution, resolution, 4) uint8.  Each unit is scaled by its own largest
    |value - centre|, so the sign (which side of `centre`) is the colour and
    the pattern stays visible whatever the unit's scale."""
    shifted = values - centre
    scale = np.abs(shifted).max(axis=0)
    scale[~(scale > 1e-12)] = 1.0            # flat (or NaN) units: avoid 0/0
    t = 0.5 + 0.5 * (shifted / scale)
    pixels = lut[to_lut_index(t)]             # (resolution², k, 4)
    return np.ascontiguousarray(pixels.transpose(1, 0, 2)).reshape(-1, resolution, resolution, 4)


# ------------------------------------------------------------------ decision boundary

# The overlay's SVG geometry: a square plot area with room for the axes.
PLOT_SIZE = 348
BOUNDARY_MARGIN = (8, 8, 36, 44)       # top, right, bottom, left
BOUNDARY_WIDTH = BOUNDARY_MARGIN[3] + PLOT_SIZE + BOUNDARY_MARGIN[1]
BOUNDARY_HEIGHT = BOUNDARY_MARGIN[0] + PLOT_SIZE + BOUNDARY_MARGIN[2]


def boundary_axes(view: tuple) -> Axes:
    xmin, xmax, ymin, ymax = view
    return Axes(BOUNDARY_WIDTH, BOUNDARY_HEIGHT, (xmin, xmax), (ymin, ymax), xlabel="x₁", ylabel="x₂",
                margin=BOUNDARY_MARGIN)


def box_placement(left: float, top: float, width: float, height: float, within: tuple) -> dict:
    """A box's CSS position and size as percentages of the (width, height) it sits `within`,
    so it scales with its container."""
    outer_width, outer_height = within
    return {name: f"{100 * length / outer:.4f}%" for name, length, outer in (
        ("left", left, outer_width), ("top", top, outer_height),
        ("width", width, outer_width), ("height", height, outer_height))}


def canvas_placement() -> dict:
    """Where the boundary canvas sits over the overlay, as CSS percentages."""
    top, right, bottom, left = BOUNDARY_MARGIN
    return box_placement(left, top, PLOT_SIZE, PLOT_SIZE, (BOUNDARY_WIDTH, BOUNDARY_HEIGHT))


def point_marks(axes: Axes, X: np.ndarray, y: np.ndarray, kind: str) -> str:
    """Class A as circles, class B as squares (shape as well as colour);
    kind "train" (filled) or "test" (hollow, thick outline)."""
    marks = []
    # data-i: the point's index in X, so that a click on a mark picks that very point.
    for i, ((a, b), label) in enumerate(zip(X, y)):
        px, py = axes.x(a), axes.y(b)
        if label > 0.5:
            marks.append(f'<rect class="pt b {kind}" data-i="{i}" x="{px - 3.6:.1f}" y="{py - 3.6:.1f}" '
                         'width="7.2" height="7.2"/>')
        else:
            marks.append(f'<circle class="pt a {kind}" data-i="{i}" cx="{px:.1f}" cy="{py:.1f}" r="4"/>')
    return "".join(marks)


def marked_ring(axes: Axes, marked: tuple | None) -> str:
    """The ring around the point the learner inspects (backprop on one point); "" for none."""
    if marked is None:
        return ""
    return f'<circle class="pt-marked" cx="{axes.x(marked[0]):.1f}" cy="{axes.y(marked[1]):.1f}" r="9"/>'


# The caption that says which point the keys show sits along the bottom of the output picture,
# or along its top when the point is in this lower share of the view (it would hide the ring).
CAPTION_SHARE = 0.35


def caption_at_top(view: tuple, position: tuple) -> bool:
    """Whether the caption goes to the top of the picture for a point at `position`."""
    _, _, ymin, ymax = view
    return position[1] < ymin + CAPTION_SHARE * (ymax - ymin)


def boundary_overlay(data, show_test: bool = True, marked: tuple | None = None) -> str:
    """Axes and data points drawn over the boundary canvas; `marked`, a point the learner is
    inspecting, gets a ring."""
    axes = boundary_axes(data.view)
    parts = [axes.draw(), point_marks(axes, data.X_train, data.y_train, "train")]
    if show_test:
        parts.append(point_marks(axes, data.X_test, data.y_test, "test"))
    parts.append(marked_ring(axes, marked))
    label = (f"Decision boundary with {len(data.y_train)} training points"
             + (f" and {len(data.y_test)} test points" if show_test and data.has_test else ""))
    return svg(BOUNDARY_WIDTH, BOUNDARY_HEIGHT, *parts, label=label, cls="boundary-overlay")


FULL_GRID, COARSE_GRID = 100, 50
# Multiply-adds plus activations per grid point above which the full grid takes
# more than about 15 ms in the browser ([8, 8, 8] is 176 and takes about 8 ms;
# [16, 16] is 336; [16, 16, 16] is 608).
FULL_GRID_MAX_WORK = 400


def grid_work(sizes) -> int:
    """Multiply-adds and hidden activations a network spends on one input point."""
    return sum(a * b for a, b in zip(sizes, sizes[1:])) + sum(sizes[1:-1])


def boundary_resolution(sizes, training: bool) -> int:
    """The boundary's grid: always 100 × 100, except while a large network
    trains, when 50 × 50 keeps frames short (pausing shows the full grid)."""
    return COARSE_GRID if training and grid_work(sizes) > FULL_GRID_MAX_WORK else FULL_GRID


def to_data(axes: Axes, fx: float, fy: float) -> tuple[float, float] | None:
    """A pointer position, as fractions of the overlay's drawn width and height,
    → data coordinates; None outside the plot area."""
    px, py = fx * axes.width, fy * axes.height
    left, right = axes.left, axes.width - axes.right
    top, bottom = axes.top, axes.height - axes.bottom
    if not (left <= px <= right and top <= py <= bottom):
        return None
    (x0, x1), (y0, y1) = axes.xlim, axes.ylim
    return (x0 + (px - left) / (right - left) * (x1 - x0),
            y0 + (bottom - py) / (bottom - top) * (y1 - y0))


# ------------------------------------------------------------------ loss curve

class LossHistory:
    """Training and test loss by epoch, sampled once per drawn frame.  A sample is kept if it is at
    least spacing(epoch) after the kept one before it; the first and the newest are always kept.
    The spacing is one epoch up to DENSE_EPOCHS (predict mode reads those epochs one by one: thinned,
    a loss that rises every other epoch would look smooth), then a share STEP of the epoch, so every
    decade of a log epoch axis gets as many samples, but never more than `interval`, so a linear axis
    has no wide gap either.  Over MAX samples, `interval` doubles and the older samples are thinned
    again; the samples of the log part only grow with the log of the epoch, so memory and drawing
    time stay bounded however long training runs."""
    MAX = 400
    DENSE_EPOCHS = 100
    STEP = 0.05

    def __init__(self):
        self.epochs: list[int] = []
        self.train: list[float] = []
        self.test: list[float] = []
        self.interval = 1

    def __len__(self) -> int:
        return len(self.epochs)

    def spacing(self, epoch: int) -> float:
        """How far after the kept sample before it a sample at `epoch` must be to be kept."""
        if epoch <= self.DENSE_EPOCHS:
            return 1
        return min(self.interval, max(1.0, epoch * self.STEP))

    def add(self, epoch: int, train: float, test: float) -> None:
        if self.epochs and self.epochs[-1] == epoch:
            self.train[-1], self.test[-1] = train, test
            return
        # The newest sample stays until the next one comes; then it goes if it was too close to its predecessor.
        if len(self.epochs) >= 2 and self.epochs[-1] - self.epochs[-2] < self.spacing(self.epochs[-1]):
            del self.epochs[-1], self.train[-1], self.test[-1]
        self.epochs.append(epoch)
        self.train.append(train)
        self.test.append(test)
        # Once the interval reaches the log part's spacing at the newest epoch, doubling it thins nothing.
        while len(self.epochs) > self.MAX and self.interval < self.epochs[-1] * self.STEP:
            self.interval *= 2
            self.thin()

    def thin(self) -> None:
        """Keep the first and the newest samples, and each one at least spacing() after the last kept."""
        kept = [0]
        for i in range(1, len(self.epochs) - 1):
            if self.epochs[i] - self.epochs[kept[-1]] >= self.spacing(self.epochs[i]):
                kept.append(i)
        kept.append(len(self.epochs) - 1)
        self.epochs = [self.epochs[i] for i in kept]
        self.train = [self.train[i] for i in kept]
        self.test = [self.test[i] for i in kept]

    def forget_after(self, epoch: int) -> None:
        """Drop the samples after `epoch` (the run went back to it)."""
        keep = bisect_right(self.epochs, epoch)
        del self.epochs[keep:], self.train[keep:], self.test[keep:]

    def nearest(self, epoch: float) -> int | None:
        """Index of the sample closest to `epoch`."""
        if not self.epochs:
            return None
        i = bisect_left(self.epochs, epoch)
        if i == len(self.epochs):
            return i - 1
        if i > 0 and epoch - self.epochs[i - 1] < self.epochs[i] - epoch:
            return i - 1
        return i


# (width, height) in SVG units; narrow boxes get fewer units, so labels stay readable.
CURVE_SIZE, NARROW_CURVE_SIZE = (480, 180), (320, 140)
# Embedded in an 800 × 600 frame the curve is flatter, so the widget fits the frame (with the
# replay slider under it).
EMBED_CURVE_SIZE = (320, 100)
CURVE_MARGIN = (10, 14, 36, 54)


# Round axis limits about 25% apart: the axes change now and then, and the
# lines always fill most of the plot.
NICE_STEPS = (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def nice_ceiling(value: float) -> float:
    """The smallest of NICE_STEPS × 10^k at or above value (value > 0)."""
    magnitude = 10.0 ** math.floor(math.log10(value))
    return next(m * magnitude for m in NICE_STEPS if m * magnitude >= value * (1 - 1e-12))


def curve_axes(history: LossHistory, log_y: bool, size: tuple = CURVE_SIZE, log_x: bool = False) -> Axes:
    """Axes with round limits, so that while training they change only now and
    then: most frames just move the two lines (see curve_points).  With log_x the epochs
    are on a log scale from epoch 1, so the early epochs are not squashed into the left edge."""
    values = [v for v in history.train + history.test if math.isfinite(v) and (v > 0 or not log_y)]
    last = history.epochs[-1] if history.epochs else 0
    if log_y:
        low = min(values, default=0.01)
        high = max(values, default=1.0)
        ylim = (10 ** math.floor(math.log10(low)), 10 ** math.ceil(math.log10(high)))
        if ylim[0] == ylim[1]:
            ylim = (ylim[0], ylim[1] * 10)
    else:
        ylim = (0.0, nice_ceiling(max(values, default=1.0) or 1.0))
    xlim = (1 if log_x else 0, nice_ceiling(max(last, 10)))
    return Axes(*size, xlim, ylim, xlabel="epoch", ylabel="loss", log_y=log_y, log_x=log_x, margin=CURVE_MARGIN)


def _scaled(transform, values: np.ndarray, log: bool = False) -> np.ndarray:
    """An Axes mapping (affine in the value, or in its log10) applied to a whole array."""
    if log:
        return transform(1.0) + (transform(10.0) - transform(1.0)) * np.log10(values)
    return transform(0.0) + (transform(1.0) - transform(0.0)) * values


def curve_points(axes: Axes, xs, ys) -> str:
    """The `points` of a polyline through (xs, ys), skipping values the axes
    cannot show (NaN, infinity, and non-positive values on a log scale)."""
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y) & ((y > 0) | (not axes.log_y)) & ((x > 0) | (not axes.log_x))
    with np.errstate(all="ignore"):
        px = _scaled(axes.x, x[keep], axes.log_x)
        py = _scaled(axes.y, y[keep], axes.log_y)
    # One % over all the numbers: half the time of formatting each point (a curve keeps up to MAX).
    return ("%.1f,%.1f " * len(px) % tuple(np.column_stack([px, py]).ravel().tolist()))[:-1]


def curve_readout(history: LossHistory, index: int, compact: bool = False) -> str:
    """The losses at one sample of the curve; compact (in an embed, under the legend that says
    they are losses) fits one line of the frame's narrow column up to six-digit epochs."""
    loss = "" if compact else " loss"
    return (f"epoch {history.epochs[index]}: training{loss} {loss_text(history.train[index])}, "
            f"test{loss} {loss_text(history.test[index])}")


def loss_curve(history: LossHistory, log_y: bool = False, hover: int | None = None,
               size: tuple = CURVE_SIZE, log_x: bool = False, viewed: int | None = None) -> str:
    """Training loss (solid) and test loss (dashed) against epoch, with a
    marker at the hovered sample; when the learner views an earlier epoch (`viewed`), a line
    there and the later epochs veiled."""
    axes = curve_axes(history, log_y, size, log_x)
    parts = [axes.draw(),
             tag("polyline", {"points": curve_points(axes, history.epochs, history.test),
                              "class": "series test", "fill": "none"}),
             tag("polyline", {"points": curve_points(axes, history.epochs, history.train),
                              "class": "series train", "fill": "none"}),
             viewed_marks(axes, viewed)]
    if hover is not None and 0 <= hover < len(history) and (history.epochs[hover] > 0 or not log_x):
        epoch = history.epochs[hover]
        x = axes.x(epoch)
        parts.append(tag("line", {"x1": x, "x2": x, "y1": axes.top, "y2": axes.height - axes.bottom,
                                  "class": "hover-line"}))
        for value in (history.train[hover], history.test[hover]):
            if math.isfinite(value) and (value > 0 or not log_y):
                parts.append(axes.point(epoch, value, r=4))
    return svg(*size, *parts, label=curve_label(history), cls="loss-curve")


def viewed_marks(axes: Axes, viewed: int | None) -> str:
    """The viewed epoch on the curve: a veil over the later epochs (Play would drop them), a line
    at it and its number."""
    if viewed is None or (axes.log_x and viewed < 1):
        return ""
    x, right = axes.x(viewed), axes.width - axes.right
    top, bottom = axes.top, axes.height - axes.bottom
    anchor = "end" if x > (axes.left + right) / 2 else "start"
    return "".join([
        tag("rect", {"x": x, "y": top, "width": max(right - x, 0.0), "height": bottom - top, "class": "later"}),
        tag("line", {"x1": x, "x2": x, "y1": top, "y2": bottom, "class": "viewed-line"}),
        tag("text", {"x": x + (-4 if anchor == "end" else 4), "y": top + 12, "text-anchor": anchor,
                     "class": "viewed-label"}, f"epoch {viewed}"),
    ])


def curve_table_rows(history: LossHistory, count: int = 10) -> list[tuple[str, str, str]]:
    """The newest `count` samples, newest first, as text for the curve's table view."""
    newest = range(len(history) - 1, max(len(history) - count, 0) - 1, -1)
    return [(str(history.epochs[i]), loss_text(history.train[i]), loss_text(history.test[i])) for i in newest]


def curve_label(history: LossHistory) -> str:
    """The curve's accessible name: where the losses are now."""
    if not history.epochs:
        return "Loss curve: no training yet"
    return f"Loss curve up to epoch {history.epochs[-1]}: " + curve_readout(history, len(history) - 1)


def scrub_placement(size: tuple = CURVE_SIZE) -> dict:
    """The slider under the curve, spanning the curve's plot area (CSS lengths)."""
    width = size[0]
    left, right = CURVE_MARGIN[3], CURVE_MARGIN[1]
    return {"marginLeft": f"{100 * left / width:.3f}%", "width": f"{100 * (width - left - right) / width:.3f}%"}


def epoch_at(history: LossHistory, log_y: bool, fx: float, size: tuple = CURVE_SIZE, log_x: bool = False) -> float:
    """The epoch under a pointer at fraction fx of the curve's drawn width."""
    axes = curve_axes(history, log_y, size, log_x)
    left, right = axes.left, axes.width - axes.right
    x0, x1 = axes.xlim                      # log10 of the epochs on a log axis
    position = x0 + (fx * axes.width - left) / (right - left) * (x1 - x0)
    return 10 ** position if log_x else position


# ------------------------------------------------------------------ network diagram

@dataclass(frozen=True)
class DiagramLayout:
    """Where the diagram's units sit, in SVG units: one column per layer (the
    two inputs, each hidden layer, the output), units centred vertically."""
    sizes: tuple          # (2, hidden..., 1)
    column: float = 110.0  # horizontal distance between layers
    row: float = 34.0     # vertical distance between units
    node: float = 28.0    # side of a unit's heatmap
    pad: float = 8.0
    inputs: tuple = ()    # the input features' labels ("x₁", "x₁²", ...); () = x₁, x₂

    @property
    def width(self) -> float:
        return self.column * len(self.sizes)

    @property
    def height(self) -> float:
        return 2 * self.pad + max(self.sizes) * self.row

    def x(self, column: int) -> float:
        return (column + 0.5) * self.column

    def y(self, column: int, unit: int) -> float:
        n = self.sizes[column]
        return self.pad + (max(self.sizes) - n) * self.row / 2 + (unit + 0.5) * self.row

    def units(self):
        """(column, unit) for every unit, inputs first."""
        return [(c, i) for c, n in enumerate(self.sizes) for i in range(n)]

    def placement(self, column: int, unit: int) -> dict:
        """A unit's heatmap position as CSS percentages of the diagram box."""
        half = self.node / 2
        return box_placement(self.x(column) - half, self.y(column, unit) - half, self.node, self.node,
                             (self.width, self.height))

    def map_columns(self, resolution: int) -> tuple[list[dict], list[int], np.ndarray]:
        """The unit maps drawn one canvas per column, not one per unit: a browser makes each
        canvas a texture of its own, and after the page has been idle it made all of them again,
        one request to the graphics process each (about 0.3 ms apiece; at eight layers of 16,
        139 canvases, 45 ms in the first frames after Play).  A column's canvas spans its units,
        each map `resolution` pixels square on its unit's square, the gaps transparent.
        Returns each column canvas's CSS placement and height in pixels, and for every unit's
        pixel row (units in units() order) its row in the columns' pixels stacked top to bottom."""
        scale = resolution / self.node          # pixels per diagram unit
        half = self.node / 2
        placements, heights, rows, start = [], [], [], 0
        for column, count in enumerate(self.sizes):
            height = round(((count - 1) * self.row + self.node) * scale)
            placements.append(box_placement(self.x(column) - half, self.y(column, 0) - half, self.node,
                                            height / scale, (self.width, self.height)))
            heights.append(height)
            for unit in range(count):
                first = start + round(unit * self.row * scale)
                rows.extend(range(first, first + resolution))
            start += height
        return placements, heights, np.array(rows)

    @cached_property
    def link_segments(self) -> list:
        """Per weight layer, each link's path segment "Mx yLx y", in the row-major
        order of that layer's weight matrix (inputs × outputs).  The geometry
        is fixed for a layout, so redrawing only regroups these strings."""
        half = self.node / 2
        layers = []
        for layer in range(1, len(self.sizes)):
            xa, xb = self.x(layer - 1) + half, self.x(layer) - half
            layers.append([f"M{xa:.1f} {self.y(layer - 1, i):.1f}L{xb:.1f} {self.y(layer, j):.1f}"
                           for i in range(self.sizes[layer - 1]) for j in range(self.sizes[layer])])
        return layers

    def unit_name(self, column: int, unit: int) -> str:
        if column == 0 and self.inputs:
            return f"input {self.inputs[unit]}"
        if column == 0:
            return f"input x{'₁₂'[unit]}"
        if column == len(self.sizes) - 1:
            return "the output"
        return f"unit {unit + 1} of hidden layer {column}"


# Link widths are drawn in this many steps: links of one sign and one step
# share a single <path>, so even 1,800 links are a few dozen SVG elements.
WIDTH_STEPS = 8
THINNEST, THICKEST = 0.6, 6.0
SIGN_NAMES = {1: "pos", -1: "neg", 0: "zero"}


def link_groups(weights: np.ndarray, largest: float) -> dict:
    """{(sign, width step): flat indices of the weights drawn alike}."""
    flat = np.nan_to_num(weights.ravel(), nan=0.0)
    signs = np.sign(flat).astype(int)
    # The square-root scale of app.svg.edge_width, in WIDTH_STEPS steps.
    share = np.sqrt(np.minimum(np.abs(flat) / largest, 1.0)) if largest > 0 else np.zeros_like(flat)
    steps = np.rint(share * (WIDTH_STEPS - 1)).astype(int)
    groups = {}
    for sign in (-1, 0, 1):
        for step in np.unique(steps[signs == sign]).tolist():
            groups[(sign, step)] = np.flatnonzero((signs == sign) & (steps == step))
    return groups


def step_width(step: int) -> float:
    return edge_width((step / (WIDTH_STEPS - 1)) ** 2, 1.0, THINNEST, THICKEST)


def diagram_links(layout: DiagramLayout, weights: list, active: tuple | None = None,
                  label: str = "Links of the network, coloured by the sign of each weight") -> str:
    """The links: colour and dash by sign (dashed = negative, so colour is never
    the only cue), width by |weight| relative to the largest on screen.  The
    link under the pointer (`active`) is drawn again on top, highlighted."""
    largest = max((float(np.abs(W).max()) for W in weights if W.size), default=0.0)
    largest = largest if math.isfinite(largest) else 0.0
    parts = []
    for layer, W in enumerate(weights, start=1):
        segments = layout.link_segments[layer - 1]
        for (sign, step), indices in link_groups(W, largest).items():
            path = "".join([segments[k] for k in indices.tolist()])
            parts.append(f'<g class="edge {SIGN_NAMES[sign]}"><path d="{path}" stroke-width="{step_width(step):.2f}"/></g>')
    if active is not None:
        layer, i, j = active
        w = float(weights[layer - 1][i, j])
        sign = SIGN_NAMES[int(np.sign(w))] if math.isfinite(w) else "zero"
        width = edge_width(w, largest, THINNEST, THICKEST)
        segment = layout.link_segments[layer - 1][i * layout.sizes[layer] + j]
        parts.append(f'<g class="edge {sign} active"><path d="{segment}" stroke-width="{width + 1.5:.2f}"/></g>')
    return svg(layout.width, layout.height, *parts, label=label, cls="graph links")


def nearest_link(layout: DiagramLayout, x: float, y: float, within: float = 5.0) -> tuple | None:
    """(layer, i, j) of the link nearest to the point (x, y) in diagram units,
    if one passes within `within` units of it."""
    half = layout.node / 2
    for layer in range(1, len(layout.sizes)):
        xa, xb = layout.x(layer - 1) + half, layout.x(layer) - half
        if not xa <= x <= xb:
            continue
        ya = np.array([layout.y(layer - 1, i) for i in range(layout.sizes[layer - 1])])[:, None]
        yb = np.array([layout.y(layer, j) for j in range(layout.sizes[layer])])[None, :]
        slope = (yb - ya) / (xb - xa)
        distance = np.abs(y - (ya + slope * (x - xa))) / np.sqrt(1 + slope ** 2)
        i, j = np.unravel_index(np.argmin(distance), distance.shape)
        if distance[i, j] <= within:
            return layer, int(i), int(j)
        return None
    return None


LINK_HINT = "Point at a link, or focus the diagram and press the arrow keys, to see its weight and gradient."


def step_link(layout: DiagramLayout, link: tuple | None, step: int) -> tuple:
    """The link `step` places after `link` (before it if negative), in reading order: layer by
    layer, then by source unit, then by target unit; wraps around.  From None, the first link
    (or the last, stepping back).  Keyboard users walk the links with it."""
    links = [(layer, i, j) for layer in range(1, len(layout.sizes))
             for i in range(layout.sizes[layer - 1]) for j in range(layout.sizes[layer])]
    if link not in links:
        return links[0] if step > 0 else links[-1]
    return links[(links.index(link) + step) % len(links)]


def link_readout(layout: DiagramLayout, link: tuple, weight: float, gradient: float,
                 one_point: bool = False) -> str:
    """The read-out of a link: its weight and the gradient the links are drawn from (the training
    set's, or with `one_point` the inspected point's own)."""
    layer, i, j = link
    whose = "this point's gradient" if one_point else "gradient"
    return (f"Weight from {layout.unit_name(layer - 1, i)} to {layout.unit_name(layer, j)}: "
            f"{text.plain(weight)}; {whose}: grad w = {text.plain(gradient)}")



# ------------------------------------------------------------------ units and edits (issue 21)

def unit_picture(values: np.ndarray, centre: float, lut: np.ndarray, resolution: int) -> np.ndarray:
    """One unit's output over the plane as a (resolution, resolution, 4) picture, coloured as
    its small square in the diagram is (sign about `centre`, scaled to its largest |value|)."""
    return unit_images(np.asarray(values, dtype=float).reshape(-1, 1), centre, lut, resolution)[0]


def unit_at(layout: DiagramLayout, x: float, y: float) -> tuple | None:
    """(column, unit) of the unit whose square holds the point (x, y) in diagram units, or None."""
    half = layout.node / 2
    for column in range(len(layout.sizes)):
        if abs(x - layout.x(column)) <= half:
            for unit in range(layout.sizes[column]):
                if abs(y - layout.y(column, unit)) <= half:
                    return column, unit
    return None


BIAS_SIZE = 10.0     # side of a unit's bias handle, in diagram units


def bias_placement(layout: DiagramLayout, column: int, unit: int) -> dict:
    """Where a unit's bias handle sits, as CSS percentages: over its square's bottom-left corner,
    as in TensorFlow Playground."""
    left = layout.x(column) - layout.node / 2 - BIAS_SIZE / 2
    top = layout.y(column, unit) + layout.node / 2 - BIAS_SIZE / 2
    return box_placement(left, top, BIAS_SIZE, BIAS_SIZE, (layout.width, layout.height))


def editor_anchor(layout: DiagramLayout, target: tuple) -> tuple[float, float]:
    """Where the editing field for a weight (the middle of its link) or a bias (its unit's
    bottom-left corner) opens, as fractions (0-1) of the diagram's width and height."""
    if target[0] == "weight":
        _, layer, i, j = target
        x = (layout.x(layer - 1) + layout.x(layer)) / 2
        y = (layout.y(layer - 1, i) + layout.y(layer, j)) / 2
    else:
        _, layer, j = target
        x = layout.x(layer) - layout.node / 2
        y = layout.y(layer, j) + layout.node / 2
    return x / layout.width, y / layout.height


def unit_view_note(layout: DiagramLayout, unit: tuple | None) -> str:
    """What the output picture shows while a unit is pointed at or focused ("" for the network's output)."""
    if unit is None or unit[0] == len(layout.sizes) - 1:
        return ""
    return f"Showing {layout.unit_name(*unit)}: its output over the plane"


def param_label(layout: DiagramLayout, target: tuple) -> str:
    """The editing field's label: which weight or bias it sets."""
    if target[0] == "weight":
        _, layer, i, j = target
        return f"Weight from {layout.unit_name(layer - 1, i)} to {layout.unit_name(layer, j)}"
    _, layer, j = target
    return f"Bias of {layout.unit_name(layer, j)}"


# ------------------------------------------------------------------ regression and input features
# Regression colours the plane by the network's output value on a diverging map: orange at
# -1 and below, the background colour at 0, blue at +1 and above (the targets lie in about
# [-1, 1]).  The same LUT as the classification picture, read at (value + 1) / 2.
VALUE_RANGE = (-1.0, 1.0)


def values_to_rgba(values: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """An (h, w) image of output values → (h, w, 4) uint8 RGBA on the diverging map."""
    low, high = VALUE_RANGE
    return lut[to_lut_index((values - low) / (high - low))]


def output_to_rgba(output: np.ndarray, lut: np.ndarray, discrete: bool, regression: bool) -> np.ndarray:
    """The output picture's pixels: probabilities (classification) or values (regression)."""
    return values_to_rgba(output, lut) if regression else probabilities_to_rgba(output, lut, discrete)


def value_colour(value: float, dark: bool = False) -> str:
    """The CSS colour of a point with this target: the strong ends of the diverging map."""
    lut = diverging_lut(CLASS_A, DARK_MIDDLE if dark else LIGHT_MIDDLE, CLASS_B)
    r, g, b, _ = values_to_rgba(np.array([value]), lut)[0].tolist()
    return f"rgb({r},{g},{b})"


def value_marks(axes: Axes, X: np.ndarray, y: np.ndarray, kind: str, dark: bool = False) -> str:
    """Regression points: circles filled (training) or outlined (test) with their target's colour."""
    marks = []
    for i, ((a, b), value) in enumerate(zip(X, y)):
        colour = value_colour(float(value), dark)
        # A presentation attribute, not style="": the site's CSP allows no inline styles.
        paint = f'fill="{colour}"' if kind == "train" else f'stroke="{colour}"'
        marks.append(f'<circle class="pt v {kind}" data-i="{i}" cx="{axes.x(a):.1f}" cy="{axes.y(b):.1f}" r="4" {paint}/>')
    return "".join(marks)


def regression_overlay(data, show_test: bool = True, dark: bool = False, marked: tuple | None = None) -> str:
    """Axes and regression points (coloured by target) drawn over the output canvas; `marked`, a
    point the learner is inspecting, gets a ring as in boundary_overlay."""
    axes = boundary_axes(data.view)
    parts = [axes.draw(), value_marks(axes, data.X_train, data.y_train, "train", dark)]
    if show_test:
        parts.append(value_marks(axes, data.X_test, data.y_test, "test", dark))
    parts.append(marked_ring(axes, marked))
    label = (f"Network output with {len(data.y_train)} training points"
             + (f" and {len(data.y_test)} test points" if show_test and data.has_test else "")
             + ", coloured by their target value")
    return svg(BOUNDARY_WIDTH, BOUNDARY_HEIGHT, *parts, label=label, cls="boundary-overlay")


LEGEND_SIZE = (240, 34)
LEGEND_STEPS = 48


def value_legend(lut: np.ndarray) -> str:
    """The regression colour map's legend: a bar from -1 to 1 in the map's colours, with ticks."""
    width, height = LEGEND_SIZE
    left, right, bar = 12.0, 12.0, 12.0
    span = width - left - right
    low, high = VALUE_RANGE
    parts = []
    for k in range(LEGEND_STEPS):
        value = low + (high - low) * (k + 0.5) / LEGEND_STEPS
        r, g, b, _ = values_to_rgba(np.array([value]), lut)[0].tolist()
        parts.append(f'<rect x="{left + span * k / LEGEND_STEPS:.2f}" y="2" width="{span / LEGEND_STEPS + 0.3:.2f}" '
                     f'height="{bar}" fill="rgb({r},{g},{b})"/>')
    parts.append(f'<rect class="legend-frame" x="{left}" y="2" width="{span}" height="{bar}" fill="none"/>')
    for value, words in ((-1.0, "−1 or less"), (0.0, "0"), (1.0, "1 or more")):
        x = left + span * (value - low) / (high - low)
        anchor = "start" if value == low else "end" if value == high else "middle"
        parts.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{2 + bar}" y2="{5 + bar}"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 3}" text-anchor="{anchor}">{words}</text>')
    return svg(width, height, *parts, label="Colour map of the output: orange for −1 or less, "
               "the background colour for 0, blue for 1 or more", cls="value-legend")


def feature_images(values: np.ndarray, lut: np.ndarray, resolution: int) -> np.ndarray:
    """The input features' maps over the plane, one per column of `values` (resolution², k) →
    (k, resolution, resolution, 4) uint8, each scaled like a unit of the diagram (0 in the middle)."""
    return unit_images(values, 0.0, lut, resolution)


# ------------------------------------------------------------------ backprop on one point

def point_rows(layout: DiagramLayout, point) -> list[list[str]]:
    """The table of a clicked point's pass: one row per unit, inputs first: what it computes
    forward (z, its output) and backward (grad z = δ, the loss's gradient at its pre-activation)."""
    trace = point.trace
    rows = [[layout.unit_name(0, i), "", text.plain(float(x)), ""] for i, x in enumerate(trace.inputs)]
    for column, (z, out, delta) in enumerate(zip(trace.zs, trace.outputs, trace.deltas, strict=True), start=1):
        for unit in range(len(z)):
            rows.append([layout.unit_name(column, unit), text.plain(float(z[unit])), text.plain(float(out[unit])),
                         text.plain(float(delta[unit]))])
    return rows


def point_heading(point, regression: bool) -> str:
    x1, x2 = (text.plain(v) for v in point.position)
    target = f"target {text.plain(point.target)}" if regression else f"class {'AB'[int(point.target)]}"
    return (f"Backprop on one {point.part} point, ({x1}, {x2}), {target}: its loss is "
            f"{text.plain(point.trace.loss)}")


def point_weights(layout: DiagramLayout, point, column: int, unit: int) -> str:
    """This point's gradients of the weights into one unit (column ≥ 1) and of its bias:
    grad w = the source's output × the unit's grad z, grad b = its grad z."""
    trace = point.trace
    grads = [text.plain(float(g)) for g in trace.weight_grads[column - 1][:, unit]]
    if column == 1:
        sources = ", ".join(f"{layout.unit_name(0, i).removeprefix('input ')} = {g}" for i, g in enumerate(grads))
    else:
        sources = f"hidden layer {column - 1}'s " + ", ".join(f"unit {i + 1} = {g}" for i, g in enumerate(grads))
    return (f"This point's gradients into {layout.unit_name(column, unit)}: grad w from {sources}; "
            f"grad b = {text.plain(float(trace.bias_grads[column - 1][unit]))}")
