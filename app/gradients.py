"""Vanishing and exploding gradients, layer by layer (pages/gradients.html).

A deep MLP on a 2-D dataset; one bar per weight layer shows mean |∂L/∂W| from one
forward + backward pass of the engine, with a status, recomputed whenever a control
changes, and while the network trains.

The first part of this module is pure Python (what to show for a state) and is
tested in CPython (tests/app/test_gradients.py).  The browser part, at the end,
only wires controls to it; it runs when PyScript loads the page.
"""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass

import numpy as np

from app import svg
from app.state import BoolProp, ChoiceProp, FloatProp, IntProp, StateTable
from engine import datasets, optim, registry
from engine.mlp import MLP

# ----------------------------------------------------------------- page state

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu")
INIT_CHOICES = ("xavier", "he", "normal")
# xor_points is four points; every other dataset draws any number of samples.
DATASET_CHOICES = tuple(name for name in registry.DATASETS if name != "xor_points")
LEARNING_RATES = ("0.001", "0.01", "0.03", "0.1", "0.3", "1", "3")

STATE = StateTable(
    IntProp("depth", 5, low=2, high=30, label="hidden layers"),
    IntProp("width", 8, low=2, high=64, label="units per layer"),
    ChoiceProp("act", "sigmoid", choices=ACTIVATION_CHOICES, label="activation"),
    ChoiceProp("init", "normal", choices=INIT_CHOICES, label="initialization"),
    FloatProp("sigma", 1.0, low=0.01, high=5.0, label="σ"),
    IntProp("seed", 0, low=0, high=9999, label="seed"),
    ChoiceProp("data", "circle", choices=DATASET_CHOICES, label="dataset"),
    IntProp("samples", 200, low=20, high=400, label="samples"),
    BoolProp("residual", False, label="residual connections"),
    BoolProp("clip", False, label="gradient clipping"),
    FloatProp("clip_at", 1.0, low=0.01, high=10.0, label="clipping threshold"),
    BoolProp("compare", False, label="comparison"),
    ChoiceProp("lr", "0.1", choices=LEARNING_RATES, label="learning rate"),
)

# Comparison mode: the same network with each of these activations, side by side.
COMPARED_ACTIVATIONS = ("sigmoid", "relu")
# Activations for which He initialization is the matched choice (Xavier for the others).
RELU_LIKE = ("relu", "leaky_relu", "elu", "gelu", "silu")
# Short menu labels: the registry's (INIT_LABELS) carry formulas that do not fit half a column.
INIT_MENU = {"xavier": "Xavier (Glorot)", "he": "He", "normal": "Normal (σ)"}


def shown_activations(state: dict) -> tuple[str, ...]:
    return COMPARED_ACTIVATIONS if state["compare"] else (state["act"],)


def build_network(state: dict, activation: str) -> MLP:
    sizes = [2] + [state["width"]] * state["depth"] + [1]
    return MLP(sizes, activation=activation, output="sigmoid", loss="bce", init=state["init"],
               init_scale=state["sigma"], seed=state["seed"], residual=state["residual"],
               clip_norm=state["clip_at"] if state["clip"] else None)


def make_data(state: dict):
    return datasets.make(state["data"], state["samples"], 0.0, state["seed"])


# ----------------------------------------------------------------- remedies

def scaled_init_for(activation: str, compare: bool) -> str:
    """He for ReLU-like units, Xavier for sigmoid/tanh.  Comparison mode gives both sides
    He, so that the activation is the only difference between them."""
    return "he" if compare or activation in RELU_LIKE else "xavier"


def apply_remedy(state: dict, remedy: str, on: bool, activation_before: str = "relu") -> dict:
    """The state after switching a remedy on or off.  "init" and "leaky" are shortcuts
    for the initialization and activation menus; "residual" and "clip" are flags.
    activation_before: what switching leaky ReLU off returns to."""
    new = dict(state)
    if remedy == "init":
        new["init"] = scaled_init_for(state["act"], state["compare"]) if on else "normal"
    elif remedy == "leaky":
        fallback = activation_before if activation_before != "leaky_relu" else "relu"
        new["act"] = "leaky_relu" if on else fallback
    elif remedy in ("residual", "clip"):
        new[remedy] = on
    else:
        raise ValueError(f"remedy: unknown remedy {remedy!r}")
    return new


def remedies_on(state: dict) -> dict:
    """Which remedy toggles are checked for this state."""
    return {"init": state["init"] != "normal", "leaky": state["act"] == "leaky_relu",
            "residual": state["residual"], "clip": state["clip"]}


# ----------------------------------------------------------------- status

# Too large is judged on the size itself: steps this big throw the weights around.
WARNING_ABOVE = 0.5
CRITICAL_ABOVE = 1.0
# Too small is judged against the last hidden layer, the first hidden layer the gradient
# reaches: what matters is how much of it survives the way back.  (An absolute floor would
# depend on the dataset, the loss's averaging and the width, not on depth.)
WARNING_BELOW_SHARE = 0.1
CRITICAL_BELOW_SHARE = 0.01

ICONS = {"healthy": "✓", "warning": "⚠\ufe0e", "critical": "✖"}


@dataclass(frozen=True)
class Status:
    level: str      # "healthy", "warning" or "critical"
    word: str       # "healthy", "small", "vanishing", "large", "exploding", "overflow", "no gradient"

    @property
    def icon(self) -> str:
        return ICONS[self.level]

    @property
    def text(self) -> str:
        if self.level == "healthy":
            return f"{self.icon} healthy"
        return f"{self.icon} {self.level}: {self.word}"


def classify(value: float, reference: float | None) -> Status:
    """Status of one layer's mean |∂L/∂W|.  reference: the last hidden layer's value
    (None for the output layer, which is only judged on size)."""
    if not math.isfinite(value):
        return Status("critical", "overflow")
    if value == 0.0:
        return Status("critical", "no gradient")
    if value > CRITICAL_ABOVE:
        return Status("critical", "exploding")
    share = value / reference if reference and math.isfinite(reference) else math.inf
    if share < CRITICAL_BELOW_SHARE:
        return Status("critical", "vanishing")
    if value > WARNING_ABOVE:
        return Status("warning", "large")
    if share < WARNING_BELOW_SHARE:
        return Status("warning", "small")
    return Status("healthy", "healthy")


# ----------------------------------------------------------------- measuring

@dataclass(frozen=True)
class LayerBar:
    layer: int                 # 1-based; the last one is the output layer
    is_output: bool
    shape: tuple[int, int]     # (fan_in, fan_out) of W
    value: float               # mean |∂L/∂W| after clipping: what the optimizer would use
    share: float | None        # value / the last hidden layer's value (None for the output layer)
    status: Status
    dead_units: int | None     # hidden units whose output is 0 on every sample (ReLU only)


@dataclass(frozen=True)
class Measurement:
    activation: str
    bars: list[LayerBar]
    loss: float
    grad_norm: float           # global gradient norm before clipping
    clip_scale: float          # factor clipping applied (1.0 when it did nothing)
    milliseconds: float        # the forward + backward pass


def measure(net: MLP, X, y) -> Measurement:
    """One forward + backward pass of the engine, turned into bars."""
    started = time.perf_counter()
    with np.errstate(all="ignore"):            # overflow is detected and labelled, not warned about
        stats = net.gradient_stats(X, y)
    milliseconds = (time.perf_counter() - started) * 1000.0
    return bars_from_stats(stats, net.config.activation, milliseconds)


def bars_from_stats(stats, activation: str, milliseconds: float = math.nan) -> Measurement:
    scale = stats.clip_scale
    values = [layer["mean_abs_grad"] * scale for layer in stats]
    reference = values[-2] if len(values) >= 2 else None
    bars = []
    for layer, value in zip(stats, values):
        is_output = layer is stats[-1]
        fan_out = layer["shape"][1]
        share = None if is_output or not reference else value / reference
        dead = None if is_output or activation != "relu" else round(layer["dead_fraction"] * fan_out)
        bars.append(LayerBar(layer["layer"], is_output, tuple(layer["shape"]), value, share,
                             classify(value, None if is_output else reference), dead))
    return Measurement(activation, bars, stats.loss, stats.grad_norm, scale, milliseconds)


# ----------------------------------------------------------------- divergence

# Chance level: a network that answers 0.5 everywhere has mean cross-entropy ln 2.
CHANCE_LOSS = math.log(2.0)
# A loss above this is divergence, trained or not: a mean cross-entropy of a million means
# the output is, on average, about a million on the wrong side of the boundary, and the
# network's numbers have blown up.  (The lesson's exploding-gradient examples, σ = 2–3 with
# plain Normal init, start with losses of 10³–10⁵, and diverge in their first step.)
DIVERGED_LOSS = 1e6


def has_diverged(loss: float) -> bool:
    """The one test for divergence: the loss is no longer a number, or is far too large."""
    return not math.isfinite(loss) or loss > DIVERGED_LOSS


def count_statuses(measurement: Measurement) -> dict:
    counts = {"healthy": 0, "warning": 0, "critical": 0}
    for bar in measurement.bars:
        counts[bar.status.level] += 1
    return counts


# ----------------------------------------------------------------- words and numbers

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_number(value: float, digits: int = 3) -> str:
    """`digits` significant digits; very small or large values as 3.21×10⁻⁵.
    NaN and infinity are named (the page never shows raw "nan" or "inf")."""
    if math.isnan(value):
        return "NaN (overflow)"
    if math.isinf(value):
        return "∞ (overflow)" if value > 0 else "−∞ (overflow)"
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    if -3 <= exponent < digits:
        shown = f"{value:.{max(digits - 1 - exponent, 0)}f}"
    else:
        mantissa, power = f"{value:.{digits - 1}e}".split("e")
        shown = f"{mantissa}×10{str(int(power)).translate(_SUPERSCRIPT)}"
    return shown.replace("-", "−")


def layer_name(bar: LayerBar) -> str:
    return f"{bar.layer} (output)" if bar.is_output else str(bar.layer)


def share_text(bar: LayerBar) -> str:
    if bar.share is None:
        return "—"
    if not math.isfinite(bar.share):
        return "not defined (overflow)"
    return format_number(bar.share * 100) + "%"


def dead_text(bar: LayerBar) -> str:
    if bar.dead_units is None:
        return "—"
    return f"{bar.dead_units} of {bar.shape[1]}"


def table_rows(measurement: Measurement) -> list[tuple[str, ...]]:
    """The text alternative of the bars: one row per layer, values to 4 significant digits.
    Columns as in the page's table head: layer, weights, mean |∂L/∂W|, relative to the last
    hidden layer, status, dead units."""
    return [(layer_name(bar), f"{bar.shape[0]} × {bar.shape[1]}", format_number(bar.value, 4),
             share_text(bar), bar.status.text, dead_text(bar)) for bar in measurement.bars]


def summary_text(measurement: Measurement, steps: int) -> str:
    counts = count_statuses(measurement)
    trained = f"after {steps} training step{'s' if steps != 1 else ''}" if steps else "untrained"
    loss = f"{trained} · loss {format_number(measurement.loss, 4)}"
    if has_diverged(measurement.loss):  # the layer counts would call a blown-up network healthy
        return f"{loss} · diverged"
    return f"{loss} · {counts['critical']} critical, {counts['warning']} warning, {counts['healthy']} healthy"


def timing_text(measurement: Measurement) -> str:
    return f"one forward + backward pass computed in {measurement.milliseconds:.1f} ms"


def legend() -> list[tuple[str, str]]:
    """(level, text) for each status, with the thresholds the statuses use."""
    warning_share, critical_share = f"{WARNING_BELOW_SHARE:.0%}", f"{CRITICAL_BELOW_SHARE:.0%}"
    return [("healthy", f"{ICONS['healthy']} healthy"),
            ("warning", f"{ICONS['warning']} warning: under {warning_share} of the last hidden layer's, "
                        f"or over {WARNING_ABOVE:g}"),
            ("critical", f"{ICONS['critical']} critical: under {critical_share}, over {CRITICAL_ABOVE:g}, "
                         "or overflow")]


def activation_label(name: str) -> str:
    return registry.ACTIVATIONS[name].label


def explain(state: dict, measurement: Measurement) -> list[str]:
    """What the bars of this network say, in sentences built from its numbers."""
    sentences = []
    if has_diverged(measurement.loss) and math.isfinite(measurement.loss):
        sentence = (f"The loss is {format_number(measurement.loss)}, where a coin toss scores "
                    f"{format_number(CHANCE_LOSS)}: the network's outputs have blown up, so it has diverged.")
        if measurement.clip_scale < 1.0:
            sentence += (" Clipping shrinks its gradients to a size that looks healthy, but cannot bring "
                         "the outputs back.")
        sentences.append(sentence)
    bars = measurement.bars
    first, reference = bars[0], bars[-2]
    hidden_steps = reference.layer - first.layer
    if hidden_steps > 0 and first.share is not None and math.isfinite(first.share) and first.share > 0:
        per_layer = first.share ** (1.0 / hidden_steps)
        trend = "shrank" if first.share < 1 else "grew"
        sentences.append(
            f"From layer {reference.layer} back to layer 1 the gradient {trend} by a factor of "
            f"{format_number(first.share)} over {hidden_steps} layer{'s' if hidden_steps != 1 else ''}: "
            f"about ×{format_number(per_layer)} per layer.")
    elif any(not math.isfinite(bar.value) for bar in bars):
        sentences.append("The forward or backward pass overflowed: the numbers became too large for "
                         "floating point, so some gradients are not numbers any more.")
    activation = measurement.activation
    if activation == "sigmoid":
        sentences.append("Sigmoid's derivative is at most 0.25, so every sigmoid layer multiplies the "
                         "gradient by a factor that is small unless the weights are large.")
    elif activation in ("relu", "leaky_relu"):
        sentences.append(f"{activation_label(activation)}'s derivative is 1 for active units, so the weights "
                         "alone set the factor per layer: σ·√(width/2) for weights of standard deviation σ.")
    dead = sum(bar.dead_units or 0 for bar in bars)
    if dead:
        units = sum(bar.shape[1] for bar in bars if bar.dead_units is not None)
        sentences.append(f"{dead} of {units} hidden units output 0 on every sample (dead ReLUs): "
                         "no gradient flows through them.")
    if state["init"] == "he":
        sentences.append("He initialization draws weights with standard deviation √(2/fan-in), which keeps "
                         "the ReLU factor near 1.")
    elif state["init"] == "xavier":
        sentences.append("Xavier initialization draws weights with standard deviation √(2/(fan-in + fan-out)), "
                         "which keeps the factor near 1 for tanh; sigmoid's 0.25 still shrinks it.")
    else:
        sentences.append(f"Normal initialization with σ = {state['sigma']:g}: the weights' size does not "
                         "adapt to the width, so the factor per layer is near 1 only if σ happens to suit it.")
    if state["residual"]:
        sentences.append("Residual connections add each layer's input to its output, so the factor per layer "
                         "is 1 + (layer's own factor): the product cannot shrink to zero.")
    if state["clip"]:
        norm, threshold = measurement.grad_norm, f"{state['clip_at']:g}"
        if measurement.clip_scale < 1.0:
            sentences.append(
                f"The gradient norm is {format_number(norm)}, above the clipping threshold "
                f"{threshold}, so every layer is scaled by ×{format_number(measurement.clip_scale)}. "
                "That keeps steps bounded but leaves the ratios between layers unchanged: clipping cannot "
                "cure vanishing gradients.")
        else:
            sentences.append(f"The gradient norm {format_number(norm)} is below the clipping threshold "
                             f"{threshold}, so clipping changes nothing now.")
    return sentences


def explanation_items(state: dict, sides: list[tuple[str, Measurement]]) -> list[str]:
    """The explanation list for the networks on screen, (title, measurement) each.  With two
    sides, what differs is prefixed with its side; what both share is said once."""
    per_side = [(title, explain(state, measurement)) for title, measurement in sides]
    if len(per_side) == 1:
        return per_side[0][1]
    shared = [sentence for sentence in per_side[0][1] if all(sentence in other for _, other in per_side[1:])]
    items = [f"{title}: {sentence}" for title, sentences in per_side for sentence in sentences
             if sentence not in shared]
    return items + shared


# ----------------------------------------------------------------- sliders

# Sliders whose position is log10 of the value, so that 0.01 … 5 is usable end to end.
LOG_SLIDERS = ("sigma", "clip_at")


def slider_position(name: str, value: float) -> float:
    return math.log10(value) if name in LOG_SLIDERS else value


def slider_value(name: str, position: float):
    """The state value for a slider position, rounded and kept inside the property's range."""
    prop = STATE.props[name]
    if name not in LOG_SLIDERS:
        return int(round(position)) if isinstance(prop, IntProp) else position
    value = float(f"{10.0 ** position:.2g}")
    return min(max(value, prop.low), prop.high)


# ----------------------------------------------------------------- the chart

ROW_HEIGHT = 22
CHART_MARGIN_TOP = 30
CHART_MARGIN_BOTTOM = 44
# Charts this wide or wider get the roomy layout: status words and "3 of 8" dead units.
WIDE_CHART = 480


@dataclass(frozen=True)
class ChartColumns:
    """Pixel widths of the chart's text columns around the bars."""
    left: int       # row labels and the axis title
    value: int      # value, status icon (and word)
    dead: int       # dead units, 0 when the activation cannot die

    @classmethod
    def for_width(cls, width: int, shows_dead: bool) -> "ChartColumns":
        if width >= WIDE_CHART:
            return cls(58, 190, 72 if shows_dead else 0)
        return cls(44, 88, 44 if shows_dead else 0)


def value_range(measurements: list[Measurement]) -> tuple[float, float]:
    """One log range, in whole decades, for every chart on screen, so that sides compare
    at a glance.  It always includes the thresholds' region around 0.01 … 1."""
    lows, highs = [1e-3], [2.0]
    for measurement in measurements:
        for bar in measurement.bars:
            if math.isfinite(bar.value) and bar.value > 0:
                lows.append(bar.value)
                highs.append(bar.value)
        reference = measurement.bars[-2].value if len(measurement.bars) >= 2 else math.nan
        if math.isfinite(reference) and reference > 0:
            lows.append(reference * CRITICAL_BELOW_SHARE)
    return 10.0 ** math.floor(math.log10(min(lows))), 10.0 ** math.ceil(math.log10(max(highs)))


def _zones(axes: svg.Axes, low: float, high: float, reference: float, top: float, bottom: float) -> list[str]:
    """Shaded x ranges where a bar counts as warning / critical, labelled above the plot."""
    zones = [(CRITICAL_ABOVE, high, "critical", "exploding"),
             (WARNING_ABOVE, CRITICAL_ABOVE, "warning", "")]
    if math.isfinite(reference) and reference > 0:
        zones += [(low, reference * CRITICAL_BELOW_SHARE, "critical", "vanishing"),
                  (reference * CRITICAL_BELOW_SHARE, reference * WARNING_BELOW_SHARE, "warning", "")]
    parts, labelled = [], []      # labelled: (left, right) of the captions placed so far
    for start, stop, level, caption in zones:
        start, stop = max(start, low), min(stop, high)
        if stop <= start:
            continue
        x0, x1 = axes.x(start), axes.x(stop)
        parts.append(svg.tag("rect", {"x": x0, "y": top, "width": x1 - x0, "height": bottom - top,
                                      "class": f"zone zone-{level}"}))
        middle, half = (x0 + x1) / 2, len(caption) * 3.5      # about 7 px per character
        fits = x1 - x0 >= 2 * half and all(middle + half < left or middle - half > right for left, right in labelled)
        if caption and fits:
            parts.append(svg.text(middle, top - 8, caption, "zone-label"))
            labelled.append((middle - half, middle + half))
    return parts


def missing_bar_text(value: float) -> str:
    if value == 0:
        return "0: no gradient reaches this layer"
    return "no bar: the pass overflowed"


def bar_chart(measurement: Measurement, width: int, limits: tuple[float, float], title: str) -> str:
    """Horizontal bars on a log axis, input layer at the top; value and status icon in a
    column on the right (the status word too when there is room)."""
    bars = measurement.bars
    wide = width >= WIDE_CHART
    columns = ChartColumns.for_width(width, any(bar.dead_units is not None for bar in bars))
    right = columns.value + columns.dead
    height = CHART_MARGIN_TOP + ROW_HEIGHT * len(bars) + CHART_MARGIN_BOTTOM
    low, high = limits
    axes = svg.Axes(width, height, limits, (len(bars) + 0.5, 0.5), xlabel="mean |∂L/∂W| (log scale)",
                    ylabel="layer (1 = input)", log_x=True, yticks=[],
                    margin=(CHART_MARGIN_TOP, right, CHART_MARGIN_BOTTOM, columns.left))
    top, bottom = CHART_MARGIN_TOP, height - CHART_MARGIN_BOTTOM
    plot_left, plot_right = columns.left, width - right
    dead_x = width - columns.dead / 2
    reference = bars[-2].value if len(bars) >= 2 else math.nan

    parts = [axes.draw()]
    parts += _zones(axes, low, high, reference, top, bottom)
    if columns.dead:
        parts.append(svg.text(dead_x, top - 8, "dead units" if wide else "dead", "column-label"))
    for bar in bars:
        middle = axes.y(bar.layer)
        label = "out" if bar.is_output else str(bar.layer)
        row = [svg.tag("title", {}, svg.esc(f"Layer {layer_name(bar)}: mean |∂L/∂W| = "
                                            f"{format_number(bar.value, 4)}, {bar.status.text}")),
               svg.text(plot_left - 8, middle + 4, label, "row-label", anchor="end")]
        if math.isfinite(bar.value) and bar.value > 0:
            length = max(axes.x(bar.value) - plot_left, 1.0)
            row.append(svg.tag("rect", {"x": plot_left, "y": middle - ROW_HEIGHT * 0.35, "width": length,
                                        "height": ROW_HEIGHT * 0.7, "class": "bar"}))
        else:
            # Nothing to draw on a log axis: say why in the bar's place.
            row.append(svg.text(plot_left + 6, middle + 4, missing_bar_text(bar.value), "bar-note", anchor="start"))
        shown = f"{format_number(bar.value)} {bar.status.icon}"
        if wide and math.isfinite(bar.value):          # "NaN (overflow)" already says it
            shown += f" {bar.status.word}"
        row.append(svg.text(plot_right + 8, middle + 4, shown, "bar-value", anchor="start"))
        if columns.dead:
            dead = dead_text(bar) if wide or bar.dead_units is None else f"{bar.dead_units}/{bar.shape[1]}"
            row.append(svg.text(dead_x, middle + 4, dead, "bar-dead"))
        parts.append(svg.tag("g", {"class": f"bar-row {bar.status.level}", "data-layer": bar.layer}, *row))
    counts = count_statuses(measurement)
    label = (f"{title}: mean gradient size of each of {len(bars)} layers, {counts['critical']} critical, "
             f"{counts['warning']} warning, {counts['healthy']} healthy. The table below lists the values.")
    return svg.svg(width, height, *parts, label=label, cls="bar-chart")


# ----------------------------------------------------------------- training

# A pass over the samples is computed this many at a time, between frames (the page's Python
# runs on its only thread): at 30 layers of 64 units and 400 samples a whole pass took about
# 80 ms on a quiet machine, and far more on a busy one.
SAMPLES_PER_SLICE = 50


def run_to_end(slices):
    """The return value of a generator of slices, run without pausing (CPython, tests)."""
    while True:
        try:
            next(slices)
        except StopIteration as done:
            return done.value


class Run:
    """One network on the page and its training: plain SGD on the whole dataset per step.
    Each step's forward + backward pass also measures the gradients, at the weights before
    the step: `measured_steps` says after how many steps the shown measurement was taken."""

    def __init__(self, state: dict, activation: str, X, y):
        self.net = build_network(state, activation)
        self.X, self.y = self.net.check_data(X, y)
        self.optimizer = optim.make("sgd", lr=float(state["lr"]))
        self.steps = 0
        self.measured_steps = 0
        self.measurement = measure(self.net, self.X, self.y)
        self.diverged = has_diverged(self.measurement.loss)   # σ = 5 can blow up before any training

    @property
    def title(self) -> str:
        return activation_label(self.net.config.activation)

    def _pass_in_slices(self):
        """The engine's forward + backward pass in slices of samples; returns the Measurement,
        timed by the computing in its slices (not the frames between them)."""
        slices = self.net.gradient_stats_in_slices(self.X, self.y, SAMPLES_PER_SLICE)
        seconds = 0.0
        with np.errstate(all="ignore"):        # overflow is detected and labelled, not warned about
            while True:
                started = time.perf_counter()
                try:
                    next(slices)
                except StopIteration as done:
                    seconds += time.perf_counter() - started
                    return bars_from_stats(done.value, self.net.config.activation, seconds * 1000.0)
                seconds += time.perf_counter() - started
                yield

    def step_in_slices(self):
        """One training step, as a generator of slices (see SAMPLES_PER_SLICE)."""
        self.measurement = yield from self._pass_in_slices()
        self.measured_steps = self.steps
        if not math.isfinite(self.measurement.loss):     # no gradient to step with
            self.diverged = True
            return
        with np.errstate(all="ignore"):
            self.net.apply_gradients(self.optimizer)
        self.steps += 1
        # The step that found the loss too large is taken, as it would be in any training loop;
        # training stops after it.
        if has_diverged(self.measurement.loss):
            self.diverged = True

    def remeasure_in_slices(self):
        self.measurement = yield from self._pass_in_slices()
        self.measured_steps = self.steps
        if has_diverged(self.measurement.loss):
            self.diverged = True

    def train_step(self) -> None:
        run_to_end(self.step_in_slices())

    def remeasure(self) -> None:
        run_to_end(self.remeasure_in_slices())


def divergence_message(runs: list[Run]) -> str:
    broken = [run for run in runs if run.diverged]
    if not broken:
        return ""
    names = " and ".join(f"the {run.title} network" for run in broken)
    loss = broken[0].measurement.loss
    if math.isfinite(loss):
        what = f"the loss is {format_number(loss)}, where a coin toss scores {format_number(CHANCE_LOSS)}"
    else:
        what = "the loss overflowed and is no longer a number"
    if broken[0].steps == 0:
        return (f"Training is off: {names} diverged before any training — {what}. A smaller σ, "
                "a scaled initialization (He or Xavier) or fewer layers keep the outputs in range.")
    return (f"Training stopped at step {broken[0].steps}: {names} diverged — {what}. Reset to start "
            "again; a smaller learning rate, gradient clipping or a smaller σ keep the steps finite.")


# ----------------------------------------------------------------- the page (browser only)

if sys.platform == "emscripten":
    import js

    from app import ui

    SELECTS = ("act", "init", "data", "lr")
    SLIDERS = ("depth", "width", "sigma", "samples", "clip_at")
    REMEDIES = ("init", "leaky", "residual", "clip")     # checkboxes #remedy-<name>
    TRAIN_AMOUNTS = (1, 10, 100)
    REDRAW_INTERVAL_MS = 150
    # Training's share of each frame: slices of a pass until this is spent (each slice is a few
    # milliseconds), then the frame is drawn, so no task comes near 100 ms.
    TRAIN_BUDGET_MS = 30.0

    class GradientsPage:
        def __init__(self):
            self.url = ui.UrlState(STATE)
            self.state = self.url.load()
            warm_up(self.state)
            self.activation_before_leaky = self.state["act"]
            self.runs: list[Run] = []
            self.steps_left = 0
            self.steps_asked = 0                # by the last Train button (math.inf for Play)
            self.job = None                     # the training under way: a generator of slices
            self.last_drawn_ms = 0.0
            self.loop = ui.Loop(self.train_slice, after=self.after_slice, budget_ms=TRAIN_BUDGET_MS)
            self.progress = ui.Progress("train-progress", "train-stop", self.finish_training)
            self.add_second_side()
            self.show_legend()
            self.wire_controls()
            self.rebuild()

        def add_second_side(self):
            """Comparison mode's second side: a copy of the first, with its own ids."""
            first = ui.element("side-0")
            second = first.cloneNode(True)
            for node in [second, *second.querySelectorAll("[id]")]:
                node.id = str(node.id).replace("side-0", "side-1")
            second.setAttribute("aria-labelledby", "side-1-title")
            second.hidden = True
            first.after(second)

        # -- controls
        def wire_controls(self):
            ui.fill_select("act", [(name, activation_label(name)) for name in ACTIVATION_CHOICES])
            ui.fill_select("init", [(name, INIT_MENU[name]) for name in INIT_CHOICES])
            ui.fill_select("data", [(name, registry.DATASET_LABELS[name]) for name in DATASET_CHOICES])
            ui.fill_select("lr", [(rate, rate) for rate in LEARNING_RATES])
            for name in SELECTS:
                ui.on(name, "change", lambda event, name=name: self.change(name, str(event.target.value)))
            for name in SLIDERS:
                ui.element(name).min = str(slider_position(name, STATE.props[name].low))
                ui.element(name).max = str(slider_position(name, STATE.props[name].high))
                ui.on(name, "input", lambda event, name=name:
                      self.change(name, slider_value(name, float(event.target.value))))
            ui.on("toggle-compare", "change", lambda event: self.change("compare", bool(event.target.checked)))
            for remedy in REMEDIES:
                ui.on(f"remedy-{remedy}", "change", lambda event, remedy=remedy:
                      self.set_state(apply_remedy(self.state, remedy, bool(event.target.checked),
                                                  self.activation_before_leaky)))
            self.seed_field = ui.NumberField("seed", self.state["seed"], lambda value: self.change("seed", int(value)),
                                             low=STATE.props["seed"].low, high=STATE.props["seed"].high,
                                             fmt=lambda value: str(int(value)))
            for amount in TRAIN_AMOUNTS:
                ui.on(f"train-{amount}", "click", lambda event, amount=amount: self.train(amount))
            ui.on("play", "click", lambda event: self.toggle_play())
            ui.on("reset", "click", lambda event: self.rebuild())
            ui.on(js.window, "resize", lambda event: self.draw())

        def show_legend(self):
            for level, words in legend():
                # The colour is a swatch beside the words: coloured text would be too faint to read.
                swatch = js.document.createElement("span")
                swatch.className = f"swatch {level}"
                item = js.document.createElement("span")
                item.append(swatch, words)
                ui.element("status-legend").append(item)

        def change(self, name, value):
            self.set_state({**self.state, name: value})

        def set_state(self, state):
            if state["act"] != "leaky_relu":
                self.activation_before_leaky = state["act"]
            self.state = state
            self.rebuild()

        def sync_controls(self):
            """Show the state in every control (remedy shortcuts change other controls)."""
            state = self.state
            for name in SELECTS:
                ui.element(name).value = state[name]
            for name in SLIDERS:
                ui.element(name).value = str(slider_position(name, state[name]))
                ui.set_text(f"{name}-value", f"{state[name]:g}")
            ui.element("toggle-compare").checked = state["compare"]
            for remedy, on in remedies_on(state).items():
                ui.element(f"remedy-{remedy}").checked = on
            if self.seed_field.value != state["seed"]:      # keeps a clamping note the field just showed
                self.seed_field.set(state["seed"])
            ui.element("sigma").disabled = state["init"] != "normal"
            ui.element("clip_at").disabled = not state["clip"]
            ui.element("act").disabled = state["compare"]
            ui.element("remedy-leaky").disabled = state["compare"]
            ui.element("compare-note").hidden = not state["compare"]

        # -- networks
        def rebuild(self):
            """New networks for the current state (also the Reset button)."""
            self.job = None                     # the old networks' training ends with them
            self.stop()
            X, y = make_data(self.state)
            self.runs = [Run(self.state, activation, X, y) for activation in shown_activations(self.state)]
            self.url.save(self.state)
            self.sync_controls()
            self.draw()
            self.show_training_state()

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

        def stop(self):
            self.steps_left = 0
            self.job = None
            self.loop.stop()
            self.show_training_state()

        def training_job(self):
            """Steps of every network on the page while steps are asked for, then a
            measurement at the weights they ended with: a generator of slices."""
            while True:
                while self.steps_left > 0 and not any(run.diverged for run in self.runs):
                    for run in self.runs:
                        yield from run.step_in_slices()
                    self.steps_left -= 1
                for run in self.runs:
                    yield from run.remeasure_in_slices()
                if self.steps_left <= 0 or any(run.diverged for run in self.runs):
                    return              # else Play was pressed while measuring: train on

        def train_slice(self, deadline_ms):
            """Loop work: slices of the training job until the frame's budget is spent."""
            while self.job is not None and js.performance.now() < deadline_ms:
                try:
                    next(self.job)
                except StopIteration:
                    self.job = None
            return self.job is not None

        def after_slice(self):
            """Redraw after a frame of training, a few times a second (each step measures the
            gradients on its way, so the bars follow the training at no extra cost)."""
            finished = self.job is None
            now = js.performance.now()
            if finished or now - self.last_drawn_ms >= REDRAW_INTERVAL_MS:
                self.draw()
                self.last_drawn_ms = now
            self.show_training_state()

        def show_training_state(self):
            busy = self.job is not None               # training, or measuring where it ended
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

        # -- drawing
        def draw(self):
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
            for sentence in explanation_items(self.state, [(run.title, run.measurement) for run in self.runs]):
                item = js.document.createElement("li")
                item.textContent = sentence
                explanation.append(item)

    def warm_up(state):
        """One unshown pass of each network on screen.  The browser first runs Python's
        WebAssembly in a plain, quickly compiled tier and optimizes the hot code a moment later,
        so the very first pass after loading is several times slower than the rest, and its
        "computed in N ms" would mislead."""
        X, y = make_data(state)
        for activation in shown_activations(state):
            measure(build_network(state, activation), X, y)

    def main():
        GradientsPage()
        ui.tex_all()
        ui.ready()

    ui.start(main)  # the page's <script type="py"> imports this module
