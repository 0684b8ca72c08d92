"""Vanishing and exploding gradients, layer by layer: what to show for a state (pure).

A deep MLP on a 2-D dataset; one bar per weight layer shows mean |grad W| from one forward +
backward pass of the engine, with a status.  This module holds the page's state table, the
measurements and their statuses, the words that explain them, and the training of the
networks on the page (`Run`).  No browser imports: tested in CPython
(tests/app/test_gradients_model.py).  The chart is app/gradients_draw.py; the page, the only
module touching the DOM, is app/gradients.py.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from app import predict
from app.state import BoolProp, ChoiceProp, FloatProp, IntProp, StateTable, code_view_prop
from engine import datasets, optim, registry
from engine.mlp import MLP
from engine.text import percent, plain, significant

# ----------------------------------------------------------------- page state

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu")
INIT_CHOICES = ("xavier", "he", "normal")
# xor_points is four points; every other dataset draws any number of samples.
DATASET_CHOICES = tuple(name for name in registry.DATASETS if name != "xor_points")
LEARNING_RATES = ("0.001", "0.01", "0.03", "0.1", "0.3", "1", "3")

# Short menu labels: the registry's (INIT_LABELS) carry formulas that do not fit half a column.
INIT_MENU_LABELS = (("xavier", "Xavier (Glorot)"), ("he", "He"), ("normal", "Normal (σ)"))

STATE = StateTable(
    IntProp("depth", 5, low=2, high=30, label="hidden layers"),
    IntProp("width", 8, low=2, high=64, label="units per layer"),
    ChoiceProp("act", "sigmoid", choices=ACTIVATION_CHOICES, label="activation",
               labels=registry.labels(registry.ACTIVATIONS)),
    ChoiceProp("init", "normal", choices=INIT_CHOICES, label="initialization", labels=INIT_MENU_LABELS),
    # σ and the threshold span decades: their sliders move in log10.
    FloatProp("sigma", 1.0, low=0.01, high=5.0, log=True, label="σ"),
    IntProp("seed", 0, low=0, high=9999, label="seed"),
    ChoiceProp("data", "circle", choices=DATASET_CHOICES, label="dataset",
               labels=registry.labels(registry.DATASET_LABELS)),
    IntProp("samples", 200, low=20, high=400, step=20, label="samples"),
    BoolProp("residual", False, label="residual connections"),
    BoolProp("clip", False, label="gradient clipping"),
    FloatProp("clip_at", 1.0, low=0.01, high=10.0, log=True, label="clipping threshold"),
    BoolProp("compare", False, label="comparison"),
    ChoiceProp("lr", "0.1", choices=LEARNING_RATES, label="learning rate"),
    BoolProp("predict", False, label="predict first"),
    code_view_prop(),
)

# Comparison mode: the same network with each of these activations, side by side.
COMPARED_ACTIVATIONS = ("sigmoid", "relu")
# Activations for which He initialization is the matched choice (Xavier for the others).
RELU_LIKE = ("relu", "leaky_relu", "elu", "gelu", "silu")


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
# Growing on the way back is judged the same way, the other way round: a gradient that grew
# tenfold from the last hidden layer is a warning even while each value is still small.
WARNING_ABOVE_SHARE = 1 / WARNING_BELOW_SHARE
CRITICAL_ABOVE_SHARE = 1 / CRITICAL_BELOW_SHARE

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
    """Status of one layer's mean |grad W|.  reference: the last hidden layer's value
    (None for the output layer, which is only judged on size)."""
    if not math.isfinite(value):
        return Status("critical", "overflow")
    if value == 0.0:
        return Status("critical", "no gradient")
    if value > CRITICAL_ABOVE:
        return Status("critical", "exploding")
    share = value / reference if reference and math.isfinite(reference) else 1.0
    if share < CRITICAL_BELOW_SHARE:
        return Status("critical", "vanishing")
    if share > CRITICAL_ABOVE_SHARE:
        return Status("critical", "exploding")
    if value > WARNING_ABOVE:
        return Status("warning", "large")
    if share < WARNING_BELOW_SHARE:
        return Status("warning", "small")
    if share > WARNING_ABOVE_SHARE:
        return Status("warning", "growing")
    return Status("healthy", "healthy")


def status_zones(low: float, high: float, reference: float) -> list[tuple[float, float, Status]]:
    """The x ranges of a chart from `low` to `high` where a hidden layer's bar would be warning or
    critical, as (start, stop, status), in order and never overlapping: each range is what
    `classify` says for the values in it, so a chart's shading agrees with its bars' icons
    whatever the reference (a huge reference makes small values vanishing and values over
    CRITICAL_ABOVE exploding, side by side)."""
    limits = [WARNING_ABOVE, CRITICAL_ABOVE]
    if math.isfinite(reference) and reference > 0:
        limits += [reference * share for share in (CRITICAL_BELOW_SHARE, WARNING_BELOW_SHARE,
                                                    WARNING_ABOVE_SHARE, CRITICAL_ABOVE_SHARE)]
    else:
        reference = None
    edges = sorted({low, high, *(limit for limit in limits if low < limit < high)})
    zones: list[tuple[float, float, Status]] = []
    for start, stop in zip(edges, edges[1:]):
        status = classify(math.sqrt(start * stop), reference)   # the middle on a log axis
        if zones and zones[-1][2] == status:
            zones[-1] = (zones[-1][0], stop, status)
        else:
            zones.append((start, stop, status))
    return [zone for zone in zones if zone[2].level != "healthy"]


# ----------------------------------------------------------------- measuring

@dataclass(frozen=True)
class LayerBar:
    layer: int                 # 1-based; the last one is the output layer
    is_output: bool
    shape: tuple[int, int]     # (fan_in, fan_out) of W
    value: float               # mean |grad W| after clipping: what the optimizer would use
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

def row_label(bar: LayerBar) -> str:
    """A layer as the chart's row shows it: its number, which every name of the layer starts with
    (the output layer's row was "out" while the questions said "layer 6 (output)")."""
    return str(bar.layer)


def layer_name(bar: LayerBar) -> str:
    return f"{row_label(bar)} (output)" if bar.is_output else row_label(bar)


def share_text(bar: LayerBar) -> str:
    if bar.share is None:
        return "—"
    if not math.isfinite(bar.share):
        return "not defined (overflow)"
    return significant(bar.share * 100, overflow=True) + "%"


def dead_text(bar: LayerBar) -> str:
    if bar.dead_units is None:
        return "—"
    return f"{bar.dead_units} of {bar.shape[1]}"


def table_rows(measurement: Measurement) -> list[tuple[str, ...]]:
    """The text alternative of the bars: one row per layer, values to 4 significant digits.
    Columns as in the page's table head: layer, weights, mean |grad W|, relative to the last
    hidden layer, status, dead units."""
    return [(layer_name(bar), f"{bar.shape[0]} × {bar.shape[1]}", significant(bar.value, 4, overflow=True),
             share_text(bar), bar.status.text, dead_text(bar)) for bar in measurement.bars]


def summary_text(measurement: Measurement, steps: int) -> str:
    counts = count_statuses(measurement)
    trained = f"after {steps} training step{'s' if steps != 1 else ''}" if steps else "untrained"
    loss = f"{trained} · loss {significant(measurement.loss, 4, overflow=True)}"
    if has_diverged(measurement.loss):  # the layer counts would call a blown-up network healthy
        return f"{loss} · diverged"
    return f"{loss} · {counts['critical']} critical, {counts['warning']} warning, {counts['healthy']} healthy"


def timing_text(measurement: Measurement) -> str:
    return f"one forward + backward pass computed in {plain(measurement.milliseconds, 2)} ms"


def legend() -> list[tuple[str, str]]:
    """(level, text) for each status, with the thresholds the statuses use."""
    warning_share, critical_share = percent(WARNING_BELOW_SHARE, 0), percent(CRITICAL_BELOW_SHARE, 0)
    return [("healthy", f"{ICONS['healthy']} healthy"),
            ("warning", f"{ICONS['warning']} warning: under {warning_share} of the last hidden layer's or "
                        f"{plain(WARNING_ABOVE_SHARE)} times it, or over {plain(WARNING_ABOVE)}"),
            ("critical", f"{ICONS['critical']} critical: under {critical_share} or {plain(CRITICAL_ABOVE_SHARE)} "
                         f"times, over {plain(CRITICAL_ABOVE)}, or overflow")]


def status_rules() -> str:
    """How the statuses are judged, in words, from the same thresholds (the lesson's prose)."""
    return (f"A bar is too large by its own size: above {plain(WARNING_ABOVE)} is a warning and above "
            f"{plain(CRITICAL_ABOVE)} critical, because steps that big throw the weights around. It is too small, "
            "or has grown too much, compared with the last hidden layer (the first one the gradient reaches on "
            f"its way back): under {percent(WARNING_BELOW_SHARE, 0)} of it or over {plain(WARNING_ABOVE_SHARE)} "
            f"times it is a warning, under {percent(CRITICAL_BELOW_SHARE, 0)} or over "
            f"{plain(CRITICAL_ABOVE_SHARE)} times critical. Comparing within the network measures what depth did "
            "to the gradient, whatever the dataset's size or the network's width.")


def explain(state: dict, measurement: Measurement) -> list[str]:
    """What the bars of this network say, in sentences built from its numbers."""
    sentences = []
    if has_diverged(measurement.loss) and math.isfinite(measurement.loss):
        sentence = (f"The loss is {significant(measurement.loss, overflow=True)}, where a coin toss "
                    f"scores {significant(CHANCE_LOSS)}: the network's outputs have blown up, so it has diverged.")
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
            f"{significant(first.share)} over {hidden_steps} layer{'s' if hidden_steps != 1 else ''}: "
            f"about ×{significant(per_layer)} per layer.")
    elif any(not math.isfinite(bar.value) for bar in bars):
        sentences.append("The forward or backward pass overflowed: the numbers became too large for "
                         "floating point, so some gradients are not numbers any more.")
    activation = measurement.activation
    if activation == "sigmoid":
        sentences.append("Sigmoid's derivative is at most 0.25, so every sigmoid layer multiplies the "
                         "gradient by a factor that is small unless the weights are large.")
    elif activation in ("relu", "leaky_relu"):
        sentences.append(f"{registry.ACTIVATIONS[activation].label}'s derivative is 1 for active units, so the weights "
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
        sentences.append(f"Normal initialization with σ = {plain(state['sigma'])}: the weights' size does not "
                         "adapt to the width, so the factor per layer is near 1 only if σ happens to suit it.")
    if state["residual"]:
        sentences.append("Residual connections add each layer's input to its output, so the factor per layer "
                         "is 1 + (layer's own factor): the product cannot shrink to zero.")
    if state["clip"]:
        norm, threshold = measurement.grad_norm, plain(state["clip_at"])
        if measurement.clip_scale < 1.0:
            sentences.append(
                f"The gradient norm is {significant(norm, overflow=True)}, above the clipping threshold "
                f"{threshold}, so every layer is scaled by ×{significant(measurement.clip_scale, overflow=True)}. "
                "That keeps steps bounded but leaves the ratios between layers unchanged: clipping cannot "
                "cure vanishing gradients.")
        else:
            sentences.append(f"The gradient norm {significant(norm, overflow=True)} is below the clipping threshold "
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


# ----------------------------------------------------------------- predict, then reveal

def smallest_layer_question(measurement: Measurement) -> predict.Question | None:
    """Which layer will have the smallest mean |grad W|?  Asked before the bars of a new setting
    are drawn; answered from the measurement.  None when overflow left no number to compare."""
    bars = measurement.bars
    finite = [bar for bar in bars if math.isfinite(bar.value)]
    if len(finite) < len(bars) or has_diverged(measurement.loss):
        return None
    smallest = min(bars, key=lambda bar: bar.value)
    choices = tuple((str(bar.layer), f"layer {layer_name(bar)}") for bar in bars)
    why = f"Layer {layer_name(smallest)} has the smallest mean |grad W|, {significant(smallest.value)}"
    first, reference = bars[0], bars[-2]
    steps = reference.layer - first.layer
    if steps > 0 and first.share:
        trend = "shrinks on its way to the input" if first.share < 1 else "grows on its way to the input"
        why += (f". Going back from layer {reference.layer} to layer 1 the gradient is multiplied by about "
                f"×{significant(first.share ** (1.0 / steps))} per layer (each layer multiplies it by its "
                f"weights and its activation's slope), so it {trend}")
    return predict.choice_question("smallest-layer", "Which layer will have the smallest gradient (mean |grad W|)?",
                                   choices, str(smallest.layer), why + ".")


TRAINS = (("yes", "yes, every layer learns"), ("slowly", "slowly, some layers lag"),
          ("no", "no, some layers barely learn or it blows up"))
# What a status means for the layers that have it, in the answer's why.
STATUS_EFFECTS = {
    "vanishing": "almost no gradient reaches them, so their weights barely move",
    "no gradient": "no gradient reaches them, so their weights never move",
    "exploding": "their gradient is far too big, so each step throws their weights around",
    "overflow": "their gradient overflowed, so the steps are not numbers any more",
    "small": "their gradient is small next to the last hidden layer's, so they learn slower",
    "growing": "their gradient grew on the way back, so their steps are larger than the rest's",
    "large": "their steps are large, so they learn unsteadily",
}


def layers_listed(bars: list[LayerBar]) -> str:
    names = [layer_name(bar) for bar in bars]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"layer{'s' if len(names) > 1 else ''} {listed} {'are' if len(names) > 1 else 'is'}"


def trains_question(measurement: Measurement) -> predict.Question:
    """Will this train?  Answered by the page's own judgement of the bars (the statuses the
    chart colours and the summary counts) and of the loss: diverged or any critical layer, no;
    any warning, slowly; every layer healthy, yes.  The why names the layers that decide it."""
    prompt = "Will this network train: will every layer's weights learn?"
    if has_diverged(measurement.loss):
        return predict.choice_question(
            "trains", prompt, TRAINS, "no",
            f"The loss is {significant(measurement.loss, overflow=True)}, where a coin toss scores "
            f"{significant(CHANCE_LOSS)}: the network has diverged, and training cannot bring it back.")
    critical = [bar for bar in measurement.bars if bar.status.level == "critical"]
    warning = [bar for bar in measurement.bars if bar.status.level == "warning"]
    answer = "no" if critical else "slowly" if warning else "yes"
    deciding = critical or warning
    reasons = []
    for word in dict.fromkeys(bar.status.word for bar in deciding):
        bars = [bar for bar in deciding if bar.status.word == word]
        reasons.append(f"{layers_listed(bars)} {bars[0].status.level} ({word}): {STATUS_EFFECTS[word]}")
    why = "; ".join(reasons) or (f"all {len(measurement.bars)} layers are healthy: each gets a gradient "
                                 "of a size it can learn from")
    return predict.choice_question("trains", prompt, TRAINS, answer, why[0].upper() + why[1:] + ".")


# Each answered question's verdict is listed under its short name once both are answered
# (the panel's prompt then no longer shows the first question).
QUESTION_NAMES = {"smallest-layer": "Smallest gradient", "trains": "Will it train"}
ANSWERED_PROMPT = "Your predictions for this setting, checked against the bars below:"


def questions(measurement: Measurement) -> list[predict.Question]:
    """What predict mode asks, in order, before the bars of a new setting are drawn."""
    smallest = smallest_layer_question(measurement)
    return ([smallest] if smallest is not None else []) + [trains_question(measurement)]


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
    the step: `measured_steps` says after how many steps the shown measurement was taken.

    A new Run has no measurement yet: at the largest settings one pass takes 80 ms or more,
    so the page measures it in slices between frames (remeasure_in_slices); remeasure()
    does it at once."""

    def __init__(self, state: dict, activation: str, X, y):
        self.net = build_network(state, activation)
        self.X, self.y = self.net.check_data(X, y)
        self.optimizer = optim.make("sgd", lr=float(state["lr"]))
        self.steps = 0
        self.measured_steps = 0
        self.measurement: Measurement | None = None
        self.diverged = False

    @property
    def title(self) -> str:
        return registry.ACTIVATIONS[self.net.config.activation].label

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

    def remeasure_in_slices(self):
        """Measure the gradients at the current weights, as a generator of slices.  This is
        the one place divergence is judged (σ = 5 can blow up before any training); a run that
        has diverged stays so until the page builds a new one."""
        self.measurement = yield from self._pass_in_slices()
        self.measured_steps = self.steps
        self.diverged = self.diverged or has_diverged(self.measurement.loss)

    def step_in_slices(self):
        """One training step, as a generator of slices (see SAMPLES_PER_SLICE).  The step that
        finds the loss too large is still taken, as in any training loop, and training stops
        after it; a loss that is not a number leaves no gradient to step with."""
        yield from self.remeasure_in_slices()
        if not math.isfinite(self.measurement.loss):
            return
        with np.errstate(all="ignore"):
            self.net.apply_gradients(self.optimizer)
        self.steps += 1

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
        what = f"the loss is {significant(loss, overflow=True)}, where a coin toss scores {significant(CHANCE_LOSS)}"
    else:
        what = "the loss overflowed and is no longer a number"
    if broken[0].steps == 0:
        return (f"Training is off: {names} diverged before any training — {what}. A smaller σ, "
                "a scaled initialization (He or Xavier) or fewer layers keep the outputs in range.")
    return (f"Training stopped at step {broken[0].steps}: {names} diverged — {what}. Reset to start "
            "again; a smaller learning rate, gradient clipping or a smaller σ keep the steps finite.")

