"""The step-through page's model: its state table and presets, a 2-2-1 (or 2-3-1) network
built as an engine graph, the lesson's steps taken from the engine's trace, the update step,
training, gradient checks, the notes that explain odd numbers, and the text the page shows
for a state.

Pure Python (engine + app.state, no browser), tested in CPython.  No formula, derivative
or explanation of a forward/backward step is written here: they come from `engine.trace`,
and every number is written by `engine.text`.  The update w ← w − η·grad w is
`engine.graph.gradient_descent_step`.  No NumPy: the page starts without it (static/pyscript-lite.json).

Names follow the neurons: hidden unit j computes z_j = w_j1·x₁ + w_j2·x₂ + b_j
and h_j = act(z_j); the output unit o = units + 1 computes
z_o = Σ w_oj·h_j + b_o, ŷ = out(z_o) and the loss L.  So the default 2-2-1
network has output weights w31 w32 b3, and the 2-3-1 one w41 w42 w43 b4.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from app import predict
from app.lesson_two_names import ALL_PARAMS, hidden_params, output_params, output_unit, param_names
from app.state import BoolProp, ChoiceProp, FloatProp, IntProp, StateTable, code_view_prop, embed_requested
from engine.graph import Value, gradient_descent_step, linear
from engine.labels import ACTIVATION_LABELS, LOSS_LABELS, OUTPUTS, labels
from engine.scalar import Comparison, finite_difference
from engine.text import fixed, fmt, gradient_name, gradient_tex, partial_name, plain, pretty_name, relative, tex_name

# ------------------------------------------------------------------ choices and ranges

HIDDEN_ACTIVATIONS = ("tanh", "sigmoid", "relu")
OUTPUT_ACTIVATIONS = OUTPUTS
LOSS_NAMES = ("bce", "mse_half")
UNIT_COUNTS = (2, 3)

# The documented ranges of every number field (also shown on the page).
INPUT_RANGE = (-5.0, 5.0)
TARGET_RANGE = (0.0, 1.0)        # cross-entropy needs a target in [0, 1]
PARAM_RANGE = (-10.0, 10.0)
LEARNING_RATE_RANGE = (0.001, 10.0)
MAX_TRAIN_STEPS = 1000

# Parameter names (output_unit, hidden_params, output_params, param_names, ALL_PARAMS) are
# app.lesson_two_names', shared with lesson 5 and the playground's link here.


def is_weight(label: str) -> bool:
    return label.startswith("w")


def is_bias(label: str) -> bool:
    return label.startswith("b")


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    values: dict


_DEFAULT_WEIGHTS = {"w11": 0.5, "w12": -0.3, "b1": 0.1,
                    "w21": -0.4, "w22": 0.8, "b2": 0.2,
                    "w31": 0.7, "w32": -0.6, "b3": 0.05}
# Unit 2's pre-activation is negative with these inputs, so its ReLU blocks the gradient.
_RELU_WEIGHTS = {"w11": 0.6, "w12": -0.2, "b1": 0.1,
                 "w21": -0.5, "w22": 0.4, "b2": 0.1,
                 "w31": 0.3, "w32": 0.7, "b3": -0.1,
                 "w41": 0.8, "w42": -0.6, "w43": 0.5, "b4": -0.2}

PRESETS = {p.name: p for p in [
    Preset("default", "2-2-1: tanh hidden, sigmoid output, cross-entropy",
           {"units": 2, "hidden": "tanh", "output": "sigmoid", "loss": "bce",
            "x1": 0.6, "x2": -0.4, "y": 1.0, **_DEFAULT_WEIGHTS}),
    Preset("sigmoid-mse", "2-2-1: sigmoid hidden, linear output, squared error",
           {"units": 2, "hidden": "sigmoid", "output": "linear", "loss": "mse_half",
            "x1": 0.5, "x2": 0.3, "y": 1.0,
            "w11": 0.15, "w12": 0.2, "b1": 0.35, "w21": 0.25, "w22": 0.3, "b2": 0.35,
            "w31": -0.4, "w32": 0.45, "b3": 0.1}),
    Preset("relu-231", "2-3-1: ReLU hidden, sigmoid output, cross-entropy",
           {"units": 3, "hidden": "relu", "output": "sigmoid", "loss": "bce",
            "x1": 0.8, "x2": 0.2, "y": 1.0, **_RELU_WEIGHTS}),
]}

_DEFAULTS = {**_RELU_WEIGHTS, **PRESETS["default"].values}

STATE = StateTable(
    IntProp("units", 2, low=2, high=3, label="hidden units"),
    ChoiceProp("hidden", "tanh", choices=HIDDEN_ACTIVATIONS, labels=labels(ACTIVATION_LABELS), label="hidden activation"),
    ChoiceProp("output", "sigmoid", choices=OUTPUT_ACTIVATIONS, labels=labels(ACTIVATION_LABELS), label="output activation"),
    ChoiceProp("loss", "bce", choices=LOSS_NAMES, labels=labels(LOSS_LABELS), label="loss"),
    FloatProp("x1", _DEFAULTS["x1"], low=INPUT_RANGE[0], high=INPUT_RANGE[1], label="x₁"),
    FloatProp("x2", _DEFAULTS["x2"], low=INPUT_RANGE[0], high=INPUT_RANGE[1], label="x₂"),
    FloatProp("y", _DEFAULTS["y"], low=TARGET_RANGE[0], high=TARGET_RANGE[1], label="target y"),
    *[FloatProp(name, _DEFAULTS[name], low=PARAM_RANGE[0], high=PARAM_RANGE[1], label=pretty_name(name)) for name in ALL_PARAMS],
    FloatProp("lr", 0.5, low=LEARNING_RATE_RANGE[0], high=LEARNING_RATE_RANGE[1], label="learning rate η"),
    IntProp("step", 1, low=1, high=99, label="step"),
    BoolProp("check", False, label="gradient check"),
    BoolProp("reveal", False, label="show every value now"),
    BoolProp("predict", False, label="predict first"),
    code_view_prop(),
)


def preset_values(name: str, current: dict) -> dict:
    """`current` with the preset's network, inputs and weights (η and the check toggle stay)."""
    return {**current, **PRESETS[name].values, "step": 1}


def matching_preset(values: dict) -> str:
    """The preset these values are exactly, or "" for a custom network."""
    for preset in PRESETS.values():
        if all(values.get(key) == value for key, value in preset.values.items()):
            return preset.name
    return ""


LINEAR_BCE_NOTE = ("Cross-entropy needs 0 < ŷ < 1, which a linear output does not guarantee, "
                   "so a linear output is paired with the squared-error loss")


def compatible(values: dict, changed: str = "output") -> tuple[dict, str | None]:
    """A linear output cannot feed cross-entropy (the engine's MLP refuses it too).
    The setting the learner just changed wins; the other one adjusts, with a note."""
    if not (values["output"] == "linear" and values["loss"] == "bce"):
        return values, None
    if changed == "loss":
        return {**values, "output": "sigmoid"}, LINEAR_BCE_NOTE + "; the output switched to sigmoid."
    return {**values, "loss": "mse_half"}, LINEAR_BCE_NOTE + "; the loss switched to squared error."


# ------------------------------------------------------------------ the network as an engine graph

_ACTIVATE = {"tanh": Value.tanh, "sigmoid": Value.sigmoid, "relu": Value.relu, "linear": Value.identity}
_LOSS = {"bce": Value.bce, "mse_half": Value.squared_error}


def build_loss(values: dict, nudge_label: str = "", nudge: float = 0.0) -> Value:
    """The network for these values as an engine graph; returns the loss node L.
    Every node is labelled (x1, w11, z1, h1, ..., yhat, L).  `nudge` is added to
    the node labelled `nudge_label`: finite differences for any node, not only leaves."""
    def nudged(node: Value, label: str) -> Value:
        node.named(label)
        return (node + nudge).named(label) if label == nudge_label else node

    def leaf(name: str) -> Value:
        return nudged(Value(values[name], name), name)

    units, o = values["units"], output_unit(values["units"])
    inputs = [leaf("x1"), leaf("x2")]
    hidden = []
    for j in range(1, units + 1):
        w1, w2, b = (leaf(name) for name in hidden_params(j))
        z = nudged(linear([w1, w2], inputs, b), f"z{j}")
        hidden.append(nudged(_ACTIVATE[values["hidden"]](z), f"h{j}"))
    *weights, bias = (leaf(name) for name in output_params(units))
    z_out = nudged(linear(weights, hidden, bias), f"z{o}")
    yhat = nudged(_ACTIVATE[values["output"]](z_out), "yhat")
    return nudged(_LOSS[values["loss"]](yhat, values["y"]), "L")


class Network:
    """One forward and backward pass for the page's values, with the engine's trace."""

    def __init__(self, values: dict):
        self.values = values
        self.loss = build_loss(values)
        self.trace = self.loss.trace()
        self.nodes = {node.label: node for node in self.loss.nodes() if not node.constant}
        self._steps = {(step.phase, step.node): step for step in self.trace}

    @property
    def units(self) -> int:
        return self.values["units"]

    @property
    def output_label(self) -> str:
        """The output unit's pre-activation, z3 in the 2-2-1 network."""
        return f"z{output_unit(self.units)}"

    def step(self, phase: str, label: str):
        return self._steps[(phase, label)]

    def value(self, label: str) -> float:
        return self.nodes[label].data

    def grad(self, label: str) -> float:
        return self.nodes[label].grad

    def params(self) -> list[str]:
        return param_names(self.units)


# ------------------------------------------------------------------ the steps of the lesson

@dataclass(frozen=True)
class LessonStep:
    """What the page shows for one step.  `active`/`used` are keys of the picture:
    node labels and "source>target" edges."""
    phase: str                 # "forward", "backward" or "update"
    node: str                  # the label this step computes ("" for the update)
    title: str                 # plain text, e.g. "grad w₁₁" (the phase is shown beside it)
    explanation: str           # plain text
    formula: str               # LaTeX in symbols
    substituted: str           # LaTeX with the numbers
    result: float
    result_text: str           # plain text, e.g. "grad w₁₁ = −0.1773"
    local_label: str = ""      # plain text, e.g. "∂z₁/∂w₁₁"
    local: str = ""            # LaTeX: the local derivative in symbols, with numbers, its value
    upstream_text: str = ""    # plain text, e.g. "grad z₁ = −0.2954"
    active: frozenset = frozenset()
    used: frozenset = frozenset()
    update_rows: tuple = ()    # the update: (name, old value, gradient, new value) per parameter
    old_loss: float | None = None


def edge_of_param(units: int) -> dict[str, str]:
    """Which edge of the picture each weight and bias sits on: weights on the edge
    from the input they multiply, each bias on the edge from its own small node."""
    edges = {}
    for j in range(1, units + 1):
        edges[f"w{j}1"], edges[f"w{j}2"], edges[f"b{j}"] = f"x1>z{j}", f"x2>z{j}", f"b{j}>z{j}"
    o = output_unit(units)
    for j in range(1, units + 1):
        edges[f"w{o}{j}"] = f"h{j}>z{o}"
    edges[f"b{o}"] = f"b{o}>z{o}"
    return edges


def backward_order(units: int) -> list[str]:
    """The gradients in the order the lesson explains them: the output unit and its
    parameters, the hidden units, then the first layer's parameters.  (Gradients of
    the inputs are left out: inputs are data, not learned.)"""
    o = output_unit(units)
    hidden = range(1, units + 1)
    return (["yhat", f"z{o}"] + output_params(units) + [f"h{j}" for j in hidden]
            + [f"z{j}" for j in hidden] + [name for j in hidden for name in hidden_params(j)])


def _drawn_parents(network: Network, label: str) -> tuple[set, set]:
    """(nodes, edges) of the picture that a forward step for `label` reads."""
    edges_of = edge_of_param(network.units)
    nodes, edges = set(), set()
    for parent in network.step("forward", label).inputs:
        if is_weight(parent):  # drawn as an edge: that edge, and its source
            edge = edges_of[parent]
            edges.add(edge)
            nodes.add(edge.split(">")[0])
        else:
            nodes.add(parent)
            edges.add(f"{parent}>{label}")
    if label == "L":  # the target is a constant of the loss, drawn as its own node
        nodes.add("y")
        edges.add("y>L")
    return nodes, edges


def forward_steps(network: Network) -> list[LessonStep]:
    inputs = [network.step("forward", name) for name in ("x1", "x2")]
    steps = [LessonStep(
        "forward", "inputs", "the inputs x₁ and x₂",
        "The forward pass starts at the leaves of the graph: the inputs x₁ and x₂, "
        "and the weights and biases written on the edges.",
        r",\quad ".join(s.formula for s in inputs),
        r",\quad ".join(s.substituted for s in inputs),
        inputs[0].result,
        ", ".join(f"{pretty_name(s.node)} = {plain(s.result)}" for s in inputs),
        active=frozenset(["x1", "x2"]))]
    for step in network.trace:
        if step.phase != "forward" or step.op == "input":
            continue
        nodes, edges = _drawn_parents(network, step.node)
        steps.append(LessonStep(
            "forward", step.node, pretty_name(step.node), step.explanation,
            step.formula, step.substituted, step.result,
            f"{pretty_name(step.node)} = {plain(step.result)}",
            active=frozenset([step.node]), used=frozenset(nodes | edges)))
    return steps


def backward_steps(network: Network) -> list[LessonStep]:
    edges_of = edge_of_param(network.units)
    steps = []
    for label in backward_order(network.units):
        step = network.step("backward", label)
        (child,) = step.inputs       # in these networks every node feeds exactly one node
        (term,) = step.terms
        if is_weight(label):     # its edge, and the input it multiplies
            edge = edges_of[label]
            active, used = {edge}, {child, edge.split(">")[0]}
        elif is_bias(label):     # its node and edge
            active, used = {label, edges_of[label]}, {child}
        else:
            active, used = {label}, {child, f"{label}>{child}"}
        # "1 - h_1^2 = 1 - (0.4777)^2 = 0.7718", without repeating a part ("1 = 1", "(0.6) = 0.6").
        parts = [term.local_formula, term.local_substituted, fmt(term.local)]
        if term.local_substituted in (f"({parts[2]})", parts[2]):
            del parts[1]
        local = " = ".join(dict.fromkeys(parts))
        steps.append(LessonStep(
            "backward", label, gradient_name(label), step.explanation,
            step.formula, step.substituted, step.result,
            f"{gradient_name(label)} = {plain(step.result)}",
            local_label=partial_name(child, label),
            local=local,
            upstream_text=f"{gradient_name(child)} = {plain(term.upstream)}",
            active=frozenset(active), used=frozenset(used)))
    return steps


def updated_values(network: Network) -> dict:
    """The values after one gradient-descent step on every weight and bias."""
    names = network.params()
    params = {name: network.values[name] for name in names}
    grads = {name: network.grad(name) for name in names}
    return {**network.values, **gradient_descent_step(params, grads, network.values["lr"])}


def update_step(network: Network) -> LessonStep:
    new = updated_values(network)
    new_loss = build_loss(new).data
    old_loss = network.loss.data
    rows = tuple((name, network.values[name], network.grad(name), new[name]) for name in network.params())
    first, old, grad, after = rows[0]
    lr = network.values["lr"]
    change = "lower" if new_loss < old_loss else "higher" if new_loss > old_loss else "the same"
    edges_of = edge_of_param(network.units)
    return LessonStep(
        "update", "", "one step of gradient descent, w ← w − η·grad w",
        "Every weight and bias takes a small step against its gradient, scaled by the "
        f"learning rate η; running the forward pass again gives the new loss, {change} than before.",
        rf"w \leftarrow w - \eta \cdot {gradient_tex('w')}",
        rf"{tex_name(first)} \leftarrow {fmt(old)} - ({fmt(lr)})\cdot({fmt(grad)}) = {fmt(after)}",
        new_loss,
        f"L = {plain(old_loss)} → {plain(new_loss)}",
        active=frozenset(edges_of.values()) | frozenset(filter(is_bias, edges_of)),
        used=frozenset(["L"]), update_rows=rows, old_loss=old_loss)


def lesson_steps(network: Network) -> list[LessonStep]:
    """Forward steps, backward steps, then the update: what the stepper walks through."""
    return forward_steps(network) + backward_steps(network) + [update_step(network)]


def step_for_node(steps: list[LessonStep], key: str, phase: str) -> int:
    """The step to show when a node of the picture is chosen: the one computing it in
    `phase` if there is one, else in the other phase, else the first step using it."""
    key = {"x1": "inputs", "x2": "inputs", "y": "L"}.get(key, key)
    computing = [i for i, step in enumerate(steps) if step.node == key]
    for i in computing:
        if steps[i].phase == phase:
            return i
    if computing:
        return computing[0]
    return next((i for i, step in enumerate(steps) if key in step.used), 0)


# ------------------------------------------------------------------ training

@dataclass
class TrainingRun:
    values: dict               # the values after the steps taken
    losses: list               # the loss before each step, then after the last
    note: str | None = None    # why training stopped early, if it did


class Training:
    """`steps` gradient-descent steps, taken one at a time by step(), so that the page can
    spread them over animation frames (each step builds and traces the whole network).
    Stops early, keeping the last good values, if a weight would leave the allowed range
    (the learning rate is too large), or when stop() is called."""

    def __init__(self, values: dict, steps: int):
        self.values = values
        self.total = max(0, min(int(steps), MAX_TRAIN_STEPS))
        self.losses = []               # the loss before each step, then after the last
        self.taken = 0
        self.note = None
        self.finished = False
        if self.total == 0:
            self._finish()

    def step(self) -> bool:
        """Take the next step; True once training is over."""
        if self.finished:
            return True
        low, high = PARAM_RANGE
        network = Network(self.values)
        self.losses.append(network.loss.data)
        new = updated_values(network)
        outside = [name for name in network.params() if not low <= new[name] <= high]
        if outside:
            name = outside[0]
            self.note = (f"Training stopped after {self.taken} of {self.total} steps: "
                         f"{pretty_name(name)} would become {plain(new[name])}, outside the allowed "
                         f"range [{plain(low)}, {plain(high)}]. The learning rate is probably too large.")
            self.finished = True
            return True
        self.values = new
        self.taken += 1
        if self.taken == self.total:
            self._finish()
        return self.finished

    def stop(self) -> None:
        """End early, keeping the steps taken so far."""
        if not self.finished:
            self.note = f"Stopped after {self.taken} of {self.total} steps."
            self._finish()

    def _finish(self) -> None:
        self.losses.append(build_loss(self.values).data)
        self.finished = True

    def result(self) -> TrainingRun:
        return TrainingRun(self.values, self.losses, self.note)


def train(values: dict, steps: int) -> TrainingRun:
    """`steps` gradient-descent steps at once (see Training)."""
    training = Training(values, steps)
    while not training.step():
        pass
    return training.result()


# ------------------------------------------------------------------ gradient checks

CHECK_STEP = 1e-6
CHECK_WARNING = 1e-4


class GradientCheck(Comparison):
    """A gradient of the lesson against finite differences, and whether they agree."""

    @property
    def agrees(self) -> bool:
        return self.relative < CHECK_WARNING

    def text(self) -> str:
        verdict = "agree" if self.agrees else "disagree: a kink (ReLU at 0) or clipping is near"
        return (f"finite differences {fixed(self.numeric, 6)}, "
                f"relative difference {relative(self.relative)} ({verdict})")


def gradient_checks(network: Network) -> dict[str, GradientCheck]:
    """For every gradient the lesson shows: the central finite difference of L with
    respect to that node (nudging its value by ±h) and the relative difference."""
    checks = {}
    for label in backward_order(network.units):
        def loss(delta, label=label):
            return build_loss(network.values, label, delta).data

        numeric = finite_difference(loss, 0.0, CHECK_STEP)
        analytic = network.grad(label)
        checks[label] = GradientCheck(label, analytic, numeric)
    return checks


# ------------------------------------------------------------------ numbers that need a word

def domain_notes(network: Network) -> list[str]:
    """Plain-text notes for numbers that could mislead: clipped cross-entropy,
    blocked ReLUs, values that are not finite."""
    notes = []
    yhat = network.value("yhat")
    if network.values["loss"] == "bce" and min(yhat, 1 - yhat) < 1e-9:
        notes.append(
            f"ŷ = {plain(yhat, 12)} is so close to {0 if yhat < 0.5 else 1} that 64-bit floating point "
            "can barely tell them apart. Cross-entropy's derivative divides by ŷ(1 − ŷ), which the engine "
            "keeps away from 0 by clipping, so the gradients shown are not exact. Smaller output weights fix it.")
    if network.values["hidden"] == "relu":
        blocked = [f"z{j}" for j in range(1, network.units + 1) if network.value(f"z{j}") <= 0]
        if blocked:
            names = ", ".join(pretty_name(label) for label in blocked)
            what = ("≤ 0, so its ReLU outputs 0 and passes" if len(blocked) == 1
                    else "are ≤ 0, so their ReLUs output 0 and pass")
            notes.append(f"{names} {what} no gradient back: the gradients of the weights "
                         "before it are exactly 0 for this input (the unit is “off”).")
    if any(not math.isfinite(step.result) for step in network.trace):
        notes.append("Some values are not finite numbers (shown as “undefined” or ∞): "
                     "an overflow in the arithmetic. Use smaller weights or inputs.")
    return notes


# ------------------------------------------------------------------ what the page writes

PHASE_TITLES = {"forward": "Forward", "backward": "Backward", "update": "Update"}

# The preset menu: every preset, and "Custom" for values that match none.
PRESET_MENU = tuple((preset.name, preset.label) for preset in PRESETS.values()) + (("", "Custom"),)

# The number fields of the settings, in the page's order.
NUMBER_FIELDS = ("x1", "x2", "y", *ALL_PARAMS, "lr")


def _range(name: str) -> str:
    prop = STATE.props[name]
    return f"[{plain(prop.low)}, {plain(prop.high)}]"


def ranges_text() -> str:
    """The sentence under the number fields, with the ranges of the state table."""
    return (f"Inputs x₁, x₂ in {_range('x1')}; target y in {_range('y')}; weights and biases in "
            f"{_range('w11')}; learning rate η in {_range('lr')}. A value outside its range is clamped "
            "to it; text that is not a finite number is refused and the last valid value kept. "
            "Press Enter or leave the field to apply.")


def unit_legends(units: int) -> dict[int, str]:
    """The title of each unit's group of fields; units past the output unit have none (hidden).
    w₃₁ is an output weight in the 2-2-1 network and a hidden one in the 2-3-1 network."""
    o = output_unit(units)
    return {unit: (f"Output unit: {pretty_name(f'z{unit}')} → ŷ" if unit == o
                   else f"Hidden unit {unit}: {pretty_name(f'z{unit}')} → {pretty_name(f'h{unit}')}")
            for unit in range(1, o + 1)}


def param_hints(units: int) -> dict[str, str]:
    """The hint beside each weight's and bias's field: the edge it sits on, or the unit it biases."""
    hints = {}
    for param, edge in edge_of_param(units).items():
        source, target = edge.split(">")
        hints[param] = (f"bias of {pretty_name(target)}" if is_bias(param)
                        else f"{pretty_name(source)} → {pretty_name(target)}")
    return hints


def live_values(network: Network, steps: list[LessonStep], index: int, reveal_all: bool = False) -> dict[str, str]:
    """The live panel's readouts by element id.  A value shows once the stepper has reached
    the step that computes it (or with reveal_all): the panel never answers ahead of the lesson."""
    output = network.output_label
    readouts = {"live-yhat": ("yhat", "forward", network.value("yhat")),
                "live-loss": ("L", "forward", network.loss.data),
                "live-output-grad": (output, "backward", network.grad(output))}
    shown = {"live-output-grad-label": gradient_name(output)}
    for element_id, (node, phase, value) in readouts.items():
        computed_at = next(i for i, step in enumerate(steps) if step.node == node and step.phase == phase)
        shown[element_id] = plain(value) if reveal_all or index >= computed_at else f"at step {computed_at + 1}"
    return shown


def update_table(step: LessonStep, checks: dict[str, GradientCheck]) -> list[list[str]]:
    """The update step's table: parameter, w, grad w, the new w, and with the gradient check
    the finite difference and the relative difference."""
    rows = []
    for name, old, grad, new in step.update_rows:
        row = [pretty_name(name), fixed(old), fixed(grad), fixed(new)]
        if checks:
            row += [fixed(checks[name].numeric, 6), relative(checks[name].relative)]
        rows.append(row)
    return rows


def rate_text(values: dict) -> str:
    """η as its field shows it."""
    return STATE.props["lr"].format(values["lr"])


def training_progress(taken: int, total: int) -> str:
    return f"Training: step {taken} of {total}…"


def training_result(loss_before: float, run: TrainingRun) -> str:
    """What a finished (or stopped) training did to the loss."""
    taken = len(run.losses) - 1
    return (f"Loss {plain(loss_before)} → {plain(run.losses[-1])} "
            f"after {taken} step{'' if taken == 1 else 's'} with η = {rate_text(run.values)}.")


# ------------------------------------------------------------------ predict, then reveal

DIRECTIONS = (("up", "up"), ("down", "down"), ("stays", "it stays"))
SIDES = (("above", "above 0.5"), ("below", "below 0.5"), ("at", "exactly 0.5"))


PAGE_HREF = "pages/step-through.html"      # this page in the progress marks (nav.js's PAGES)
FIRST_PASS_NOTE = "On for your first pass through this lesson. To turn it off, untick “Predict first” above."


def predict_start(query: str, storage_kept: bool, completed) -> predict.FirstPass:
    """Predict mode on a learner's first pass through this lesson (app.predict.first_pass), for the
    page's link and what the browser keeps."""
    return predict.first_pass(PAGE_HREF, "predict" in STATE.state_keys_in(query), embed_requested(query),
                              storage_kept, completed)


def step_question(network: Network, step: LessonStep) -> predict.Question | None:
    """What predict mode asks before this step's result is shown (None: nothing to ask here).
    Backward steps: the sign of the gradient, from its two factors; ŷ: which side of 0.5; the
    update: which way the output's first weight moves.  Answered from this network's trace."""
    if step.phase == "backward":
        traced = network.step("backward", step.node)
        (child,) = traced.inputs
        (term,) = traced.terms
        return predict.sign_question(f"backward-{step.node}", step.title, step.result,
                                     [(gradient_name(child), term.upstream), (step.local_label, term.local)])
    if step.phase == "forward" and step.node == "yhat" and network.values["output"] == "sigmoid":
        z_name = pretty_name(network.output_label)
        z = network.value(network.output_label)
        side = "above" if step.result > 0.5 else "below" if step.result < 0.5 else "at"
        why = (f"ŷ = σ({z_name}) = {plain(step.result)} with {z_name} = {plain(z)}: σ of a positive number "
               "is above 0.5, of a negative one below.")
        return predict.choice_question("forward-yhat", "Will ŷ be above or below 0.5?", SIDES, side, why)
    if step.phase == "update":
        name = f"w{output_unit(network.units)}1"
        old, grad, new = next(row[1:] for row in step.update_rows if row[0] == name)
        direction = "up" if new > old else "down" if new < old else "stays"
        moves = {"up": "goes up", "down": "goes down", "stays": "stays"}[direction]
        why = (f"{gradient_name(name)} = {plain(grad)} is {predict.sign_of(grad)}, and the step subtracts "
               f"η·{gradient_name(name)}, so {pretty_name(name)} {moves} ({plain(old)} → {plain(new)}).")
        return predict.choice_question("update", f"Which way will {pretty_name(name)} move in the update?",
                                       DIRECTIONS, direction, why)
    return None
