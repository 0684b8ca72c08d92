"""The training playground's logic, without the browser: page state and its URL
table, presets, data preparation, training set-up, evaluation, CSV input and
export (weights as JSON, and a Python snippet that replays the run).

Pure Python + NumPy + engine, so every rule here is tested in CPython
(tests/app/test_playground*.py); app/playground.py only binds it to the DOM.
"""
from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass, field

import numpy as np

from app import lesson_two_names, predict
from app.state import (
    BoolProp,
    ChoiceProp,
    FloatProp,
    IntListProp,
    IntProp,
    Prop,
    StateTable,
    code_view_prop,
    parse_number,
    parse_whole_number,
    quoted_names,
)
from engine import MLP, datasets, features, registry, text
from engine.mlp import grid_points
from engine.optim import Trainer
from engine.registry import ACTIVATIONS, LOSSES

# ------------------------------------------------------------------ choices

# "custom" is the learner's own points (clicked, pasted or uploaded).
DATASET_CHOICES = ("circle", "xor", "gaussians", "spiral", "moons", "custom")
DATASET_LABELS = {**registry.DATASET_LABELS, "xor": "XOR", "custom": "Your own points",
                  **datasets.REGRESSION_LABELS}
# Regression: TensorFlow Playground's two datasets with continuous targets (issue 21).
REGRESSION_DATASETS = tuple(datasets.REGRESSION_LABELS)
PROBLEMS = ("classification", "regression")
PROBLEM_LABELS = {"classification": "Classification", "regression": "Regression"}
# The output is always a sigmoid unit; the loss is the learner's choice.
LOSS_CHOICES = ("bce", "mse")
LOSS_LABELS = {"bce": "Cross-entropy", "mse": "Squared error"}
# Short menu labels: the registry's long ones (with formulas) do not fit the menus.
INIT_LABELS = {"he": "He", "xavier": "Xavier", "normal": "Normal (0.1)", "zeros": "Zeros"}
BATCH_CHOICES = ("all", "1", "2", "4", "8", "16", "32", "64", "128", "256")
MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 16
MAX_POINTS = 1000
# Own points (clicked, from a CSV or in a link) have coordinates in [-MAX_COORDINATE, MAX_COORDINATE]
# (said in the CSV box of pages/playground.html and in the README).
# Far beyond it the standardization overflows (squares of ~1e154 are infinite; the network then
# sees every point at 0 and the loss stays at log 2) and the axes cannot be labelled.
MAX_COORDINATE = 1e6

# Settings that change how training continues, without restarting it.
LIVE_SETTINGS = ("lr", "reg", "reg_rate")
# How fast Play trains, in epochs per second; "max" trains as fast as the frames allow.  The
# default lets the boundary visibly form: the default Circle reaches 95% training accuracy in
# about 225 epochs, 7.5 s at 30 epochs/s (issue 21).
SPEEDS = ("1", "3", "10", "30", "100", "300", "max")
DEFAULT_SPEED = "30"


def epochs_per_second(speed: str) -> float | None:
    """The pace of Play for a speed setting; None for as fast as possible."""
    return None if speed == "max" else float(speed)


def frame_drawing(at_max: bool, picture_before: bool, diagram_due: bool, links_next: bool = False,
                  heavy: bool = False) -> tuple[bool, str | None]:
    """What a frame of Play draws besides the epoch counter: (the picture, the diagram: "all",
    "maps", "links" or None), from whether the frame before drew the picture, whether the diagram
    is due by its clock, whether its links are still to draw, and whether drawing is `heavy`
    (the picture and the diagram together would make a long frame).
    At the paced speeds: the picture in every frame, the diagram whenever it is due; when heavy,
    the diagram's unit maps and its links each in a frame of their own without the picture (on
    the largest network the three together were one task of 56-78 ms).  At "Max" the learner
    asked for epochs: the picture every other frame, and the diagram (or its parts, when heavy)
    only in the frames between (a due one waits a frame), so the rest train."""
    if heavy:
        part = "links" if links_next else ("maps" if diagram_due else None)
    else:
        part = "all" if diagram_due else None
    if not at_max:
        return not (heavy and part), part
    picture = not picture_before
    return picture, None if picture else part


# Settings that only change the pictures.
VIEW_SETTINGS = ("log_loss", "log_epochs", "discrete", "show_test", "speed", "predict")


@dataclass(frozen=True)
class FeaturesProp(Prop):
    """The network's input features, "x1,x2,x1_sq" (engine.features names); at least one."""

    def read(self, text: str):
        try:
            return features.check(text.split(",") if text else ()), None
        except ValueError as error:
            return self.default, f"{self.title}: {error}; using x₁ and x₂"

    def format(self, value) -> str:
        return ",".join(value)


@dataclass(frozen=True)
class LayersProp(IntListProp):
    """Hidden layer widths ("4,2"; empty = no hidden layer), at most `max_items` layers."""
    max_items: int = MAX_HIDDEN_LAYERS

    def read(self, text: str):
        value, note = super().read(text)
        if len(value) > self.max_items:
            return self.default, f"{self.label}: at most {self.max_items} hidden layers; using the default"
        return value, note


@dataclass(frozen=True)
class PointsProp(Prop):
    """The learner's own points, "x1,x2,label;x1,x2,label" (label 0 or 1).
    Written with repr() of each float, so a link restores them exactly."""
    max_items: int = MAX_POINTS

    def parse(self, text: str):    # no length limit: the count of points is the limit
        if text == "":
            return (), None
        try:
            return parse_points_text(text, self.max_items), None
        except ValueError as error:
            return self.default, f"{self.label}: {error}; using none"

    def format(self, value) -> str:
        return ";".join(f"{x!r},{y!r},{label}" for x, y, label in value)


def parse_points_text(text: str, max_items: int = MAX_POINTS) -> tuple:
    entries = text.split(";")
    if len(entries) > max_items:
        raise ValueError(f"more than {max_items} points")
    points = []
    for entry in entries:
        fields = entry.split(",")
        if len(fields) != 3:
            raise ValueError("expected x1,x2,label for every point")
        try:
            x1, x2 = parse_number(fields[0]), parse_number(fields[1])
        except ValueError:
            raise ValueError("coordinates must be finite numbers") from None
        if fields[2] not in ("0", "1"):
            raise ValueError("labels must be 0 or 1")
        check_coordinates(x1, x2, where=f"point {len(points) + 1}")
        points.append((x1, x2, int(fields[2])))
    return tuple(points)


def check_coordinates(x1: float, x2: float, where: str) -> None:
    """ValueError unless both coordinates lie in the range own points may have."""
    if not (abs(x1) <= MAX_COORDINATE and abs(x2) <= MAX_COORDINATE):
        raise ValueError(f"{where}: coordinates must lie {datasets.range_text(MAX_COORDINATE)}")


def clamp_coordinate(value: float) -> float:
    """A clicked position held inside the range (the view reaches a little beyond the points)."""
    return min(max(value, -MAX_COORDINATE), MAX_COORDINATE)


STATE = StateTable(
    ChoiceProp("dataset", "circle", choices=DATASET_CHOICES + REGRESSION_DATASETS, labels=registry.labels(DATASET_LABELS),
               label="dataset"),
    IntProp("noise", 0, low=0, high=50, step=5, label="noise (%)"),
    IntProp("train", 50, low=10, high=90, step=10, label="training share (%)"),
    IntProp("n", 400, low=20, high=MAX_POINTS, step=10, label="number of points"),
    IntProp("data_seed", 0, low=0, high=999_999, label="data seed"),
    PointsProp("points", (), label="your points"),
    LayersProp("layers", (4, 2), low=1, high=MAX_NEURONS, label="hidden layers"),
    ChoiceProp("activation", "tanh", choices=tuple(ACTIVATIONS), labels=registry.labels(ACTIVATIONS),
               label="activation"),
    ChoiceProp("loss", "bce", choices=LOSS_CHOICES, labels=registry.labels(LOSS_LABELS), label="loss"),
    ChoiceProp("init", "xavier", choices=registry.INITS, labels=registry.labels(INIT_LABELS), label="initialization"),
    ChoiceProp("optimizer", "sgd", choices=registry.OPTIMIZERS, labels=registry.labels(registry.OPTIMIZER_LABELS),
               label="optimizer"),
    # Its slider moves in powers of ten, a tenth of a decade a step.
    FloatProp("lr", 1.0, low=1e-5, high=10.0, step=0.1, log=True, label="learning rate"),
    ChoiceProp("batch", "all", choices=BATCH_CHOICES, labels=(("all", "All"),), label="batch size"),
    ChoiceProp("reg", "none", choices=registry.REGULARIZATIONS, labels=registry.labels(registry.REGULARIZATION_LABELS),
               label="regularization"),
    FloatProp("reg_rate", 0.001, low=0.0, high=10.0, label="regularization rate"),
    IntProp("seed", 0, low=0, high=999_999, label="seed"),
    BoolProp("log_loss", False, label="log-scale loss"),
    BoolProp("log_epochs", False, label="log-scale epochs"),
    BoolProp("discrete", False, label="discretize output"),
    BoolProp("show_test", True, label="show test data"),
    BoolProp("predict", False, label="predict first"),
    ChoiceProp("speed", DEFAULT_SPEED, choices=SPEEDS, label="speed",
               labels=tuple((s, "Max" if s == "max" else f"{s} epoch{'s' if s != '1' else ''}/s") for s in SPEEDS)),
    FeaturesProp("features", features.DEFAULT, label="input features"),
    ChoiceProp("problem", "classification", choices=PROBLEMS, labels=registry.labels(PROBLEM_LABELS),
               label="problem type"),
    code_view_prop(),
)


# ------------------------------------------------------------------ input features and problem type
# The network's inputs are features of the standardized coordinates (engine/features.py); the
# problem type decides the datasets, the output unit, the loss and the metric.

FEATURE_MINIMUM_NOTE = "At least one input must stay on: turn another one on first."


def features_after(current: tuple, name: str) -> tuple[tuple, str]:
    """(features, note) after the learner toggles `name` in the input column: the features in
    engine.features' order, and "" or, when `name` was the last one on, the same features and
    why they stay."""
    if name in current:
        if len(current) == 1:
            return tuple(current), FEATURE_MINIMUM_NOTE
        return tuple(f for f in current if f != name), ""
    return features.check((*current, name)), ""


def is_regression(settings: dict) -> bool:
    return settings["problem"] == "regression"


def problem_datasets(problem: str) -> tuple:
    """The datasets the menu offers for a problem type."""
    return REGRESSION_DATASETS if problem == "regression" else DATASET_CHOICES


# What a problem type starts with: its first dataset, its loss (regression: squared error) and
# a learning rate it trains well at (full-batch SGD on a linear output diverges at 1).
PROBLEM_DEFAULTS = {"classification": {"dataset": "circle", "loss": "bce", "lr": 1.0},
                    "regression": {"dataset": "plane", "loss": "mse", "lr": 0.1}}


def settings_for_problem(settings: dict) -> dict:
    """The settings made consistent with their problem type (a link may say problem=regression
    with dataset=circle): the problem type wins; a dataset of the other type becomes the
    problem's first one, and regression always trains on squared error."""
    settings = dict(settings)
    problem = settings["problem"]
    if settings["dataset"] not in problem_datasets(problem):
        settings["dataset"] = PROBLEM_DEFAULTS[problem]["dataset"]
    if problem == "regression":
        settings["loss"] = "mse"
    return settings


# What a dataset starts with when the learner picks it (and a link leaves out), where the
# problem type's starting settings barely learn it: Multiple Gaussians' six bumps need more
# units than 4-2, and full-batch SGD at η 0.1 left test R² at 0.12 after 900 epochs (30 s at
# the default speed); with these it passes 0.7 (tests/app/test_playground_features.py).
DATASET_DEFAULTS = {"multi_gaussians": {"layers": (8, 8), "optimizer": "adam", "lr": 0.03}}


def starting_settings(problem: str, dataset: str) -> dict:
    """The settings a problem type and a dataset of it start with (besides the dataset)."""
    problem_defaults = {key: value for key, value in PROBLEM_DEFAULTS[problem].items() if key != "dataset"}
    return problem_defaults | DATASET_DEFAULTS.get(dataset, {})


def settings_from_link(settings: dict, query: str) -> dict:
    """The settings a link asks for: what it leaves out of its problem type's and dataset's
    starting settings comes from them (`?problem=regression` alone trains the plane at η 0.1, as
    choosing Regression does, not at classification's η 1, where it diverges); what it gives is
    kept.  A Python view open is not a setting of the page's (ui.UrlState keeps it)."""
    given = set(STATE.state_keys_in(query))
    settings = STATE.page_values(settings)
    if "dataset" not in given:
        settings["dataset"] = PROBLEM_DEFAULTS[settings["problem"]]["dataset"]
    settings = settings_for_problem(settings)
    starting = starting_settings(settings["problem"], settings["dataset"])
    return settings_for_problem(dict(settings, **{key: value for key, value in starting.items() if key not in given}))


def link_defaults(settings: dict) -> dict:
    """For ui.UrlState.defaults: the settings the link always writes for these settings'
    problem type and dataset, because reading the link back fills what it leaves out from their
    starting settings, not from the table's defaults (regression at η 1 must say lr=1)."""
    starting = starting_settings(settings["problem"], settings["dataset"])
    return {key: None for key, value in starting.items() if value != STATE.props[key].default}


def switch_problem(settings: dict, problem: str) -> dict:
    """The settings after the learner chooses another problem type: its first dataset and the
    settings they start with (its loss and its learning rate)."""
    dataset = PROBLEM_DEFAULTS[problem]["dataset"]
    return settings_for_problem(dict(settings, problem=problem, dataset=dataset, **starting_settings(problem, dataset)))


def choose_dataset(settings: dict, dataset: str) -> dict:
    """The settings after the learner picks a dataset from the menu: with its own starting
    settings, if it has any (DATASET_DEFAULTS)."""
    return dict(settings, dataset=dataset, **DATASET_DEFAULTS.get(dataset, {}))


def dataset_note(dataset: str) -> str:
    """What the page says after a dataset brought its own starting settings: which, and Undo."""
    starting = DATASET_DEFAULTS[dataset]
    said = ", ".join(f"{STATE.props[key].title} {setting_text(key, value)}" for key, value in starting.items())
    return (f"{DATASET_LABELS[dataset]} starts with settings that learn it within about 30 s ({said}). "
            "Undo goes back to the settings before it.")


def setting_text(name: str, value) -> str:
    """A setting's value as its control shows it: a menu's label ("Adam"), else as the link writes it."""
    prop = STATE.props[name]
    return dict(prop.options()).get(value, value) if isinstance(prop, ChoiceProp) else prop.format(value)


def problem_note(problem: str, before: dict) -> str:
    """What the page says after the learner chose another problem type while training on their
    own points: where the points wait, and Undo."""
    points = len(before["points"])
    some = f"your {points} point" + ("" if points == 1 else "s")
    return (f"{PROBLEM_LABELS[problem]} has datasets of its own. Undo brings back {some}; they also stay under "
            f"“Your own points” in Dataset when you choose {PROBLEM_LABELS[before['problem']]} again.")


def network_inputs(data, X: np.ndarray, settings: dict) -> np.ndarray:
    """What the network is fed for the points X (in the learner's coordinates): the input
    features of the standardized coordinates."""
    return features.transform(data.scaler.transform(X), settings["features"])


def grid_inputs(data, settings: dict, resolution: int) -> np.ndarray:
    """The network's inputs on the view's grid (row-major image order, see engine.mlp.grid_points)."""
    return features.transform(grid_points(*data.grid_bounds(), resolution), settings["features"])


def predict_grid(net: MLP, data, settings: dict, resolution: int) -> np.ndarray:
    """The network's output over the view as a (resolution, resolution) image."""
    return net.predict_proba(grid_inputs(data, settings, resolution)).reshape(resolution, resolution)


def r2_text(value: float) -> str:
    """R² for the numbers panel: three decimals (0.934, −1.677), −2.921e+304 for a diverging
    run's (see text.readout); "—" when there is none."""
    return text.readout(value, 3)


def output_hint(regression: bool) -> str:
    """The sentence under the network's settings: what the output unit is."""
    unit = ("The output unit is linear (regression), trained on squared error."
            if regression else "The output unit is a sigmoid.")
    return unit + " The learning rate and regularization change a running training; everything else starts it again."


def intro_text(regression: bool) -> str:
    """The paragraph above the playground: what the network learns and how the output picture
    shows it, for the problem type chosen."""
    if regression:
        task = "A small network learns to predict a number at every point of the plane (regression)"
        picture = ("colours every point of the plane by the network's output, orange for −1 or less, the background "
                   "colour for 0 and blue for 1 or more; the curve below it shows the squared error falling epoch by epoch.")
    else:
        task = "A small network learns to separate two classes of points"
        picture = ("colours every point of the plane by the network's output, orange for class A and blue for class B; "
                   "the curve below it shows the loss falling epoch by epoch.")
    return (f"{task}, one epoch at a time, in front of you. The output picture {picture} Every number is computed "
            "by Python in your browser, with the same engine as the other lessons.")


def feature_maps_inputs(data, resolution: int) -> np.ndarray:
    """Every feature of engine.features on the view's grid, (resolution², 7): what the input
    column's toggles show."""
    return features.transform(grid_points(*data.grid_bounds(), resolution), tuple(features.FEATURES))


# ------------------------------------------------------------------ presets

@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    description: str
    settings: dict


# Each reaches >= 95% test accuracy within 2,000 epochs (tests/app/test_playground_model.py).
PRESETS = {p.key: p for p in [
    Preset("xor", "XOR 2-4-1", "four sigmoid units, He init, cross-entropy, full-batch SGD",
           {"dataset": "xor", "layers": (4,), "activation": "sigmoid", "init": "he", "loss": "bce",
            "optimizer": "sgd", "lr": 1.5}),
    Preset("circle", "Circle", "tanh 4-2, Xavier init, full-batch SGD",
           {"dataset": "circle", "layers": (4, 2), "activation": "tanh", "init": "xavier", "loss": "bce",
            "optimizer": "sgd", "lr": 1.0}),
    # Mean squared error keeps full-batch steps of 2 stable for ReLU; with
    # cross-entropy the same rate kills most ReLU units within a few epochs.
    Preset("spiral", "Spiral (ReLU)", "three ReLU layers of 16, He init, squared error, full-batch SGD",
           {"dataset": "spiral", "layers": (16, 16, 16), "activation": "relu", "init": "he", "loss": "mse",
            "optimizer": "sgd", "lr": 2.0}),
    Preset("moons", "Moons (tanh)", "one tanh layer of 8, 10% noise, full-batch SGD",
           {"dataset": "moons", "noise": 10, "layers": (8,), "activation": "tanh", "init": "xavier",
            "loss": "bce", "optimizer": "sgd", "lr": 1.0}),
]}


def apply_preset(key: str, current: dict) -> dict:
    """The settings of a preset: defaults for everything it does not name, except
    the picture options, which stay as the learner set them, and the learner's own
    points, which stay in memory (not in the link) to come back to under "Your own points"."""
    settings = STATE.page_values(STATE.defaults())
    settings.update(PRESETS[key].settings)
    for name in (*VIEW_SETTINGS, "points"):
        settings[name] = current[name]
    return settings


def preset_note(label: str, before: dict) -> str:
    """What the page says after a preset replaced the settings in `before`: what Undo
    brings back, and where the learner's own points wait."""
    points = len(before["points"])
    some = f"your {points} point" + ("" if points == 1 else "s")
    if before["dataset"] == "custom" and points:
        return (f"Preset “{label}” applied. Undo brings back {some}; they also stay under "
                "“Your own points” in Dataset.")
    undo = f"Preset “{label}” applied. Undo goes back to the settings before it."
    return undo + (f" {some.capitalize()} stay under “Your own points” in Dataset." if points else "")


def own_points_note(dataset_label: str, before: dict, epoch: int = 0) -> str:
    """What the page says when a click on the plot starts the learner's own points from a
    generated dataset (`before`'s settings; the run there had reached `epoch`): what was
    dropped, and what Undo brings back."""
    points = len(before["points"])
    some = f"your {points} earlier point" + ("" if points == 1 else "s")
    dropped = f" (training there had reached epoch {epoch}; this starts again from epoch 0)" if epoch else ""
    back = f"the {dataset_label} data and its settings" + (f", and {some}" if points else "")
    # The seed comes back too, so Play trains that run again from its start.
    return f"Your own points now start from the {dataset_label} data{dropped}. Undo brings back {back}."


# ------------------------------------------------------------------ data

BASE_VIEW = 1.25    # generated data lie in [-1, 1]²; the view leaves a margin


@dataclass
class Data:
    """Training and test points in the coordinates the learner sees, the
    standardization the network sees them through, and the square view."""
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    scaler: datasets.Standardizer
    view: tuple            # (xmin, xmax, ymin, ymax)
    problem: str = ""      # why training cannot run, in words ("" when it can)

    @property
    def has_test(self) -> bool:
        return len(self.y_test) > 0

    def grid_bounds(self) -> tuple:
        """The view's corners in the network's (standardized) coordinates, in the
        order MLP.predict_grid takes them."""
        xmin, xmax, ymin, ymax = self.view
        (sx0, sy0), (sx1, sy1) = self.scaler.transform([[xmin, ymin], [xmax, ymax]])
        return float(sx0), float(sx1), float(sy0), float(sy1)

    def all_points(self) -> tuple:
        """Every point as (x1, x2, label) tuples: what "your own points" starts from."""
        X = np.concatenate([self.X_train, self.X_test])
        y = np.concatenate([self.y_train, self.y_test])
        return tuple((float(a), float(b), int(c)) for (a, b), c in zip(X, y))


def rounded_points(data: Data) -> tuple:
    """Every point of `data`, coordinates rounded to 3 decimals: own points started from
    generated data keep the link short."""
    return tuple((round(a, 3), round(b, 3), label) for a, b, label in data.all_points())


def view_box(X: np.ndarray) -> tuple:
    """A square view holding every point: the usual [-1.25, 1.25]² when the data
    fit in it (so clicking points never moves the view), otherwise the data's
    bounding square plus 10%, never smaller than the usual view (identical
    points would otherwise give a view of width 0)."""
    if (np.abs(X) <= BASE_VIEW).all():
        return (-BASE_VIEW, BASE_VIEW, -BASE_VIEW, BASE_VIEW)
    low, high = X.min(axis=0), X.max(axis=0)
    centre = (low + high) / 2
    half = max(float((high - low).max()) * 0.55, BASE_VIEW)
    return (float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half))


# Fewer points than this are all used for training: holding some back would
# leave too little to learn from (and maybe only one class).
MIN_POINTS_FOR_TEST = 10


def can_split(n: int, fraction: float) -> bool:
    """Whether n points are enough to hold some back for testing."""
    return n >= MIN_POINTS_FOR_TEST and 0 < int(round(n * fraction)) < n


def make_data(settings: dict) -> Data:
    """Generate (or take the learner's) points, split them into training and test
    sets, and fit the standardization on the training set."""
    fraction = settings["train"] / 100
    seed = settings["data_seed"]
    if settings["dataset"] == "custom":
        points = settings["points"]
        X = np.array([p[:2] for p in points], dtype=float).reshape(-1, 2)
        y = np.array([p[2] for p in points], dtype=float)
    else:
        X, y = datasets.make(settings["dataset"], settings["n"], noise=settings["noise"] / 100, seed=seed)
    view = view_box(X)
    if can_split(len(y), fraction):
        X_train, y_train, X_test, y_test = datasets.train_test_split(X, y, fraction, seed=seed)
    else:
        X_train, y_train, X_test, y_test = X, y, X[:0], y[:0]
    problem = ""
    if len(y_train) < 2 or y_train.min() == y_train.max():
        problem = ("Training needs points of both classes: click the plot to add class A, "
                   "shift-click for class B.")
    scaler = datasets.Standardizer.fit(X_train) if len(y_train) else datasets.Standardizer(np.zeros(2), np.ones(2))
    return Data(X_train, y_train, X_test, y_test, scaler, view, problem)


# ------------------------------------------------------------------ training

def batch_size(settings: dict) -> int | None:
    return None if settings["batch"] == "all" else int(settings["batch"])


def layers_after(layers: tuple, action: str, layer: int | None = None) -> tuple:
    """Hidden layer widths after one of the diagram's buttons: "add-layer" (as wide as the last,
    or 4), "remove-layer" (the last), "add-unit" / "remove-unit" (in hidden layer `layer`,
    counted from 0), within MAX_HIDDEN_LAYERS layers of 1 to MAX_NEURONS units."""
    layers = list(layers)
    if action == "add-layer" and len(layers) < MAX_HIDDEN_LAYERS:
        layers.append(layers[-1] if layers else 4)
    elif action == "remove-layer" and layers:
        layers.pop()
    elif action in ("add-unit", "remove-unit"):
        step = 1 if action == "add-unit" else -1
        layers[layer] = min(max(layers[layer] + step, 1), MAX_NEURONS)
    return tuple(layers)


def make_network(settings: dict) -> MLP:
    # Regression: a linear output unit, trained on squared error (settings_for_problem).
    output = "linear" if is_regression(settings) else "sigmoid"
    return MLP([len(settings["features"]), *settings["layers"], 1], activation=settings["activation"], output=output,
               loss=settings["loss"], init=settings["init"], seed=settings["seed"],
               regularization=settings["reg"], reg_rate=settings["reg_rate"])


def make_trainer(net: MLP, data: Data, settings: dict) -> Trainer:
    return Trainer(net, network_inputs(data, data.X_train, settings), data.y_train, optimizer=settings["optimizer"],
                   lr=settings["lr"], batch_size=batch_size(settings), seed=settings["seed"])


def apply_live_setting(trainer: Trainer, name: str, value) -> None:
    """Change the learning rate or regularization of a running training."""
    if name == "lr":
        trainer.lr = value
    elif name == "reg":
        trainer.net.regularization = value
    elif name == "reg_rate":
        trainer.net.reg_rate = value
    else:
        raise ValueError(f"{name} is not a live setting")


def evaluate(net: MLP, X_standardized: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean data loss without regularization, accuracy), NaN for an empty set.
    Computed from one forward pass, with the loss the network trains on.
    A regression network (linear output) gives R² instead of accuracy."""
    if len(y) == 0:
        return math.nan, math.nan
    p = net.predict_proba(X_standardized)
    loss = float(LOSSES[net.config.loss].value(p, y).mean())
    if net.config.output == "linear":
        return loss, regression_score(p, y)
    if not np.isfinite(p).all():          # a diverged network predicts nothing
        return loss, math.nan
    accuracy = float(np.mean((p > 0.5) == (y > 0.5)))
    return loss, accuracy


def regression_score(prediction: np.ndarray, y: np.ndarray) -> float:
    """R² of the predictions (NaN when they are not all numbers: a diverged network)."""
    if not np.isfinite(prediction).all():
        return math.nan
    return datasets.r_squared(y, prediction)


def divergence_message(epoch: int, settings: dict) -> str:
    """What the page says when the loss becomes NaN or infinite."""
    lr = settings["lr"]
    smaller = STATE.props["lr"].format(max(lr / 10, STATE.props["lr"].low))
    return (f"Training stopped at epoch {epoch}: the loss became infinite or not a number (NaN). "
            f"The steps were too large for this network, so the weights blew up. "
            f"Lower the learning rate (try {smaller} instead of {STATE.props['lr'].format(lr)}), "
            f"then press Reset.")


@dataclass
class RunLog:
    """The live settings a training started with and their changes since, as
    (epoch, setting, value), so an export can replay the run exactly."""
    start: dict
    changes: list = field(default_factory=list)
    # Weights and biases the learner typed: (epoch, mini-batch steps into it, target, value).
    edits: list = field(default_factory=list)

    @classmethod
    def begin(cls, settings: dict) -> RunLog:
        return cls({name: settings[name] for name in LIVE_SETTINGS})

    def forget_from(self, epoch: int) -> None:
        """Forget the changes and edits made at `epoch` or later (the run went back to it)."""
        self.changes = [change for change in self.changes if change[0] < epoch]
        self.edits = [edit for edit in self.edits if edit[0] < epoch]

    def until(self, epoch: int) -> RunLog:
        """A copy that keeps only what acted on the first `epoch` epochs: what was changed or
        typed after epoch `epoch` ended (at `epoch` or later) did not shape the weights kept then."""
        log = RunLog(dict(self.start), list(self.changes), list(self.edits))
        log.forget_from(epoch)
        return log

    def live_values(self) -> dict:
        """The live settings in effect after every change logged."""
        values = dict(self.start)
        values.update((name, value) for _, name, value in self.changes)
        return values

    def record(self, epoch: int, name: str, value) -> None:
        if epoch == 0:
            self.start[name] = value
        elif self.changes and self.changes[-1][:2] == (epoch, name):
            self.changes[-1] = (epoch, name, value)     # dragged a slider while paused
        else:
            self.changes.append((epoch, name, value))


class TrainingRun:
    """One training from fresh weights: the network, its trainer (None while the data cannot
    be trained on), the log of live-setting changes an export replays, and those changes
    still waiting for the end of the epoch under way.  For replay (issue 21) it keeps the
    weights at earlier epochs and, when it is a replay, the logged events still to repeat."""

    def __init__(self, settings: dict, data: Data, script: list = ()):
        self.net = make_network(settings)
        self.trainer = None if data.problem else make_trainer(self.net, data, settings)
        self.log = RunLog.begin(settings)
        self.pending = {}
        self.diverged = False
        self.history = None
        self.viewer = None                  # a network showing an earlier epoch's weights
        self.script = list(script)          # replay_script events not yet repeated
        self.replay_until = None            # the epoch a replay stops at
        if self.trainer is not None:
            self.history = WeightHistory(self.net, optimizer_slots=self.trainer.optimizer.slots)
            self.history.record(0, self.net, self.trainer)
            self.play_script()

    def replay(self, settings: dict, data: Data) -> TrainingRun:
        """This run again from epoch 0: the same seed, data and starting settings, the learner's
        changes and edits where they happened, bit for bit; it stops at the epoch this one reached."""
        again = TrainingRun(dict(settings, **self.log.start), data, replay_script(self.log))
        again.replay_until = self.epoch
        return again

    @property
    def replay_done(self) -> bool:
        return (self.replay_until is not None and self.epoch >= self.replay_until
                and not self.trainer.mid_epoch)

    def play_script(self) -> None:
        """Repeat the logged events due now: the trainer has reached their epoch and step."""
        now = (self.epoch, steps_into_epoch(self.trainer))
        while self.script and self.script[0][:2] <= now:
            _, _, kind, what, value = self.script.pop(0)
            if kind == "change":
                self.change(what, value)
            else:
                edit_param(self, what, value)

    def network_at(self, epoch: int) -> tuple[MLP, int]:
        """A network with the weights kept at or before `epoch` (to draw), and their epoch."""
        if self.viewer is None:
            self.viewer = MLP.from_dict(self.net.to_dict())
        return self.viewer, self.history.restore(epoch, self.viewer)

    def go_back(self, epoch: int, live: dict) -> int:
        """Train on from the kept epoch at or before `epoch`, exactly as the run was there; the
        later epochs are forgotten, and the live settings `live` (the learner's now) act from
        there.  Returns that epoch."""
        kept = self.history.restore(epoch, self.net)
        self.trainer.resume(self.history.checkpoint(kept))
        self.history.forget_after(kept)
        self.log.forget_from(kept)
        self.script, self.replay_until, self.diverged, self.pending = [], None, False, {}
        logged = self.log.live_values()
        for name, value in logged.items():
            apply_live_setting(self.trainer, name, value)
        for name, value in live.items():
            if value != logged[name]:
                self.change(name, value)
        return kept

    @property
    def epoch(self) -> int:
        return 0 if self.trainer is None else self.trainer.epoch

    @property
    def can_train(self) -> bool:
        return self.trainer is not None and not self.diverged

    @property
    def can_replay(self) -> bool:
        """Replay has a run to repeat: one that can train (the data allow it) and has trained an
        epoch (a diverged one replays to its divergence)."""
        return self.trainer is not None and self.epoch > 0

    def change(self, name: str, value) -> None:
        """A live setting changed: it acts from the end of the epoch under way (at once between
        epochs), so that the exported snippet can replay it at the same epoch."""
        self.pending[name] = value
        self.apply_pending()

    def apply_pending(self) -> None:
        if not self.can_train or self.trainer.mid_epoch:
            return
        for name, value in self.pending.items():
            apply_live_setting(self.trainer, name, value)
            self.log.record(self.epoch, name, value)
        self.pending.clear()

    def step(self) -> bool:
        """One mini-batch step; True if it ended an epoch.  A loss that became NaN or infinite
        at the end of an epoch marks the run as diverged."""
        finished = self.trainer.run_steps(1)
        if finished and not math.isfinite(self.trainer.loss):
            self.diverged = True
        elif not self.trainer.mid_epoch:
            self.apply_pending()
            self.history.record(self.trainer.epoch, self.net, self.trainer)
        if self.script:
            self.play_script()
        return finished


# ------------------------------------------------------------------ predict, then reveal

# Predict mode asks before Play how the loss will behave; the run's first epochs answer.
PREDICT_EPOCHS = 100
BEHAVIOURS = (("converge", "converge"), ("oscillate", "oscillate"), ("diverge", "diverge"))
# The loss rising in more than this share of the epochs (between the points the curve kept) is
# oscillation: a loss that converges falls in nearly every epoch.
OSCILLATING_SHARE = 0.2


def behaviour_prompt(settings: dict) -> str:
    return (f"With η = {STATE.props['lr'].format(settings['lr'])}, will the training loss converge, oscillate "
            f"or diverge over the first {PREDICT_EPOCHS} epochs?")


def loss_behaviour(losses: list[float]) -> tuple[str, str]:
    """(behaviour, why) of a run's training losses, one per epoch kept by the curve: diverge if
    it blew up or ended above where it started, oscillate if it often rose, else converge."""
    first, last = losses[0], losses[-1]
    said = f"The loss went from {text.plain(first)} to {text.plain(last)}"
    if not all(math.isfinite(loss) for loss in losses):
        return "diverge", "The loss became infinite: each step overshot by more than the one before."
    rises = sum(later > earlier for earlier, later in zip(losses, losses[1:]))
    share = rises / max(len(losses) - 1, 1)
    said += f" and rose in {text.percent(share, 0)} of the epochs"
    if last > first:
        return "diverge", f"{said}: it ended above where it started, so the steps are too large to go downhill."
    if share > OSCILLATING_SHARE:
        return "oscillate", (f"{said}: steps this large overshoot the valley and bounce across it, so the loss "
                             "goes up as often as down.")
    return "converge", f"{said}: each step was small enough to go downhill."


def prediction_pending_note(response: str) -> str:
    """What the predict panel says until the run has answered."""
    return f"You said: {response}. Watch the loss curve: the first {PREDICT_EPOCHS} epochs answer."


def verdict_stands(kept_epoch: int) -> bool:
    """Training on from `kept_epoch` (the learner went back to it) keeps the verdict on the
    prediction only if the epochs it read are not trained again (Replay keeps it anyway: the
    same run, bit for bit)."""
    return kept_epoch >= PREDICT_EPOCHS


def behaviour_verdict(settings: dict, losses: list[float], response: str) -> predict.Verdict:
    """The learner's prediction checked against what the run did."""
    answer, why = loss_behaviour(losses)
    question = predict.choice_question("behaviour", behaviour_prompt(settings), BEHAVIOURS, answer, why)
    return predict.check(question, response)


# ------------------------------------------------------------------ backprop on one point

@dataclass(frozen=True)
class PointTrace:
    """One data point the learner clicked, through the network: its forward and backward pass."""
    part: str                  # "training" or "test"
    position: tuple            # (x₁, x₂) as the learner sees it
    target: float              # its class (0 or 1) or value
    trace: object              # engine.mlp.SampleTrace, at the network's inputs for the point


def nearest_point(data: Data, position: tuple, within: float) -> tuple | None:
    """("training" or "test", index) of the point nearest `position` (the learner's coordinates),
    if one lies within `within` of it."""
    best = None
    for part, X in (("training", data.X_train), ("test", data.X_test)):
        if not len(X):
            continue
        distances = np.hypot(X[:, 0] - position[0], X[:, 1] - position[1])
        index = int(np.argmin(distances))
        if distances[index] <= within and (best is None or distances[index] < best[0]):
            best = (float(distances[index]), part, index)
    return None if best is None else best[1:]


def plot_click(on_mark: bool, epoch: int, inspecting: bool, regression: bool) -> str:
    """What a click on the output picture does: "inspect" (show the nearest point's backprop),
    "add" (add an own point there) or "nothing".  With "Backprop on one point" on every click
    inspects.  Otherwise a click on a point's mark (`on_mark`) once the network has trained inspects
    it: adding a point there would throw the run away, and what a learner who paused and clicked a
    point wants is that point's pass.  Anywhere else, between the marks however dense they are, or
    before training, it adds a point, classification only (own points are labelled A or B)."""
    if inspecting or (on_mark and epoch > 0):
        return "inspect"
    return "nothing" if regression else "add"


def point_reach(data: Data) -> float:
    """How near a click must be to a point to pick it: 4% of the view's width (about 10 px)."""
    xmin, xmax, _, _ = data.view
    return 0.04 * (xmax - xmin)


class TrainingSetGradients:
    """The training set's gradients of a network's loss, for the link read-out: one backward pass
    over the whole set per network state, which pointing from link to link then reads (a pass per
    pointer move, on the largest network, was work the learner's hand waited for).  Keyed by all
    that loss_and_grads reads (the weights, the loss's settings, the data), by value: a step, an
    edit, a scrub, a reset or new data cannot leave it stale, and comparing costs far less than
    the pass."""

    def __init__(self):
        self.key = None
        self.grads = None

    def of(self, net: MLP, train_inputs: np.ndarray, y_train: np.ndarray) -> list:
        key = (net.config, net.regularization, net.reg_rate, net.clip_norm, train_inputs.shape,
               b"".join(p.tobytes() for p in net.params), train_inputs.tobytes(), y_train.tobytes())
        if key != self.key:
            with np.errstate(all="ignore"):
                _, self.grads = net.loss_and_grads(train_inputs, y_train)
            self.key = key
        return self.grads


def link_gradient(net: MLP, link: tuple, train_inputs: np.ndarray, y_train: np.ndarray,
                  point: PointTrace | None = None, whole_set: TrainingSetGradients | None = None) -> float:
    """The gradient the link read-out gives for `link` (layer, source unit, target unit): the
    inspected point's own ∂L/∂w when there is one (the links are drawn from its gradients), else
    the training set's (NaN without training data), read from `whole_set` when given."""
    layer, i, j = link
    if point is not None:
        return float(point.trace.weight_grads[layer - 1][i, j])
    if not len(y_train):
        return math.nan
    grads = (TrainingSetGradients() if whole_set is None else whole_set).of(net, train_inputs, y_train)
    return float(grads[2 * (layer - 1)][i, j])


def point_trace(net: MLP, data: Data, settings: dict, part: str, index: int) -> PointTrace:
    X, y = (data.X_train, data.y_train) if part == "training" else (data.X_test, data.y_test)
    inputs = network_inputs(data, X[index:index + 1], settings)[0]
    with np.errstate(all="ignore"):
        trace = net.sample_trace(inputs, float(y[index]))
    return PointTrace(part, (float(X[index, 0]), float(X[index, 1])), float(y[index]), trace)


# ------------------------------------------------------------------ a point by keyboard

# The output picture takes the keyboard: these keys show a point's backprop (the point chosen, or
# at first the one nearest the middle), an arrow the nearest point that way, Home and End the
# first and last point, Page Down and Page Up the next and previous by number (the training
# points, then the test points shown).  Escape stops (the page handles it).
INSPECT_KEYS = ("Enter", " ", "i")
POINT_ARROWS = {"ArrowRight": (1.0, 0.0), "ArrowLeft": (-1.0, 0.0), "ArrowUp": (0.0, 1.0), "ArrowDown": (0.0, -1.0)}
POINT_ORDER_KEYS = {"Home": "first", "End": "last", "PageDown": 1, "PageUp": -1}
POINT_KEYS = (*INSPECT_KEYS, *POINT_ARROWS, *POINT_ORDER_KEYS)
# Where an arrow is pressed the next point is, of those within 45° of it (or if none, of those on
# that side), the one with the least distance ahead plus this many times its distance across: the
# nearest point roughly that way, not a near one off to the side.
ACROSS_WEIGHT = 2.0
ARROW_WORDS = {"ArrowRight": "to the right", "ArrowLeft": "to the left", "ArrowUp": "above", "ArrowDown": "below",
               "PageDown": "after it", "PageUp": "before it"}
POINT_KEYS_HINT = "Enter: a point's backprop. Arrows: the next point that way; Page Up/Down: by number. Escape stops."


def shown_points(data: Data, show_test: bool) -> list[tuple[str, int]]:
    """The points the picture shows, in the order Page Down goes through them: ("training" or
    "test", index), the training points first."""
    points = [("training", i) for i in range(len(data.y_train))]
    if show_test:
        points += [("test", i) for i in range(len(data.y_test))]
    return points


def shown_positions(data: Data, show_test: bool) -> np.ndarray:
    """The coordinates of shown_points, in its order: an array (n, 2)."""
    return np.concatenate([data.X_train, data.X_test]) if show_test else data.X_train


def point_position(data: Data, point: tuple) -> np.ndarray:
    part, index = point
    return (data.X_train if part == "training" else data.X_test)[index]


def key_target(data: Data, show_test: bool, inspected: tuple | None, chosen: tuple | None, key: str) -> tuple | None:
    """The point a key on the output picture shows: ("training" or "test", index), or None when the
    picture shows no points (or the key is not one of POINT_KEYS).  `inspected` is the point whose
    backprop is shown, `chosen` the last one shown (kept after Escape).  Home and End show the
    first and last point.  With none shown yet, the other keys show `chosen` again, or the point
    nearest the middle of the picture; Enter shows the inspected point again; the other keys move
    from it.  Where no point lies that way, the inspected point stays."""
    points = shown_points(data, show_test)
    if key not in POINT_KEYS or not points:
        return None
    move = POINT_ORDER_KEYS.get(key)
    if move in ("first", "last"):
        return points[0 if move == "first" else -1]
    if inspected is None or key in INSPECT_KEYS:
        start = inspected or chosen
        if start is not None and start[1] < len(data.y_train if start[0] == "training" else data.y_test):
            return start
        xmin, xmax, ymin, ymax = data.view
        middle = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
        return points[int(np.argmin(np.hypot(*(shown_positions(data, show_test) - middle).T)))]
    if move is not None:
        where = points.index(inspected) if inspected in points else -1 if move > 0 else len(points)
        return points[min(max(where + move, 0), len(points) - 1)]
    # An arrow: measured in the picture's proportions (the view's width and height as one).
    xmin, xmax, ymin, ymax = data.view
    scale = np.array([xmax - xmin, ymax - ymin])
    positions = shown_positions(data, show_test) / scale
    offsets = positions - point_position(data, inspected) / scale
    direction = np.array(POINT_ARROWS[key])
    ahead = offsets @ direction
    across = np.abs(offsets @ direction[::-1])
    score = ahead + ACROSS_WEIGHT * across
    # Within 45° of the arrow first; only when none lies there, anywhere on that side.
    for allowed in ((ahead > 1e-9) & (across <= ahead), ahead > 1e-9):
        if allowed.any():
            return points[int(np.argmin(np.where(allowed, score, np.inf)))]
    return inspected


def point_number(data: Data, point: tuple) -> str:
    """"training point 6 of 150": the point as the keys count it (from 1, within its set)."""
    part, index = point
    count = len(data.y_train if part == "training" else data.y_test)
    return f"{part} point {index + 1} of {count}"


def point_announcement(data: Data, point: PointTrace, index: int, regression: bool, key: str = "",
                       stayed: bool = False) -> str:
    """What the page says when a key shows a point: which point (its number, coordinates and
    class or target; its pass is in the panel, for the epoch shown); `stayed`: the key found no
    point that way (`key`)."""
    x1, x2 = (text.plain(v) for v in point.position)
    target = f"target {text.plain(point.target)}" if regression else f"class {'AB'[int(point.target)]}"
    said = f"{point_number(data, (point.part, index)).capitalize()}, ({x1}, {x2}), {target}."
    if stayed and key in ARROW_WORDS:
        return f"No point {ARROW_WORDS[key]}. {said}"
    return said


def point_keys_note(data: Data, regression: bool) -> str:
    """What the page says when a key asks for a point's backprop and a click on its mark would
    not show it (model.plot_click): before training, or while the data cannot be trained on."""
    if data.problem:
        return data.problem
    before = "" if regression else "Before training, a click on the picture adds a point of your own. "
    return (f"{before}Train the network first (Step or ▶ Play), or tick “Backprop on one point”, to see a point's "
            "backprop.")


def point_keys_stopped_note(data: Data, point: tuple) -> str:
    return f"Backprop on one point stopped. Enter shows {point_number(data, point)} again."


# Lesson 2 takes these networks: 2 inputs, one hidden layer of 2 or 3 units with one of its
# activations, a sigmoid output with cross-entropy; and inputs and weights within its ranges.
LESSON_TWO_ACTIVATIONS = ("tanh", "sigmoid", "relu")
LESSON_TWO_INPUTS, LESSON_TWO_PARAMS = 5.0, 10.0


def lesson_two_query(point: PointTrace, net: MLP, settings: dict) -> str | None:
    """The link query that opens lesson 2 on this point with this network's weights, or None
    when lesson 2 cannot show this network (its shape, activation, loss or ranges)."""
    sizes = net.config.sizes
    if (tuple(settings["features"]) != ("x1", "x2") or len(sizes) != 3 or sizes[1] not in (2, 3)
            or settings["activation"] not in LESSON_TWO_ACTIVATIONS or settings["loss"] != "bce"
            or is_regression(settings)):
        return None
    W1, b1, W2, b2 = (np.asarray(p) for p in net.params)
    units = sizes[1]
    inputs = point.trace.inputs
    if np.abs(inputs).max() > LESSON_TWO_INPUTS or max(np.abs(p).max() for p in (W1, b1, W2, b2)) > LESSON_TWO_PARAMS:
        return None
    params = lesson_two_names.named_values(units, [np.atleast_2d(p) for p in (W1, b1, W2, b2)])
    return lesson_two_names.query(units, settings["activation"], inputs[0], inputs[1], point.target, params)


# ------------------------------------------------------------------ replay

# Scrubbing the loss curve back shows the network as it was: its weights (and the trainer's state,
# to train on from there) are kept at earlier epochs, in at most this many bytes.  Every epoch at
# first; when full, every other snapshot is dropped and the interval doubles, so a long run keeps
# its whole span at a coarser grain.
HISTORY_BYTES = 2_000_000
# Each snapshot's Python objects besides its arrays (the array headers, the shuffling generator's
# state): about 0.8 kB measured with tracemalloc in CPython; counted generously.
SNAPSHOT_OVERHEAD = 1024


class WeightHistory:
    """Snapshots of a network's weights during one run, and of its trainer's state when given
    (optimizer_slots: the optimizer's state arrays per parameter), bounded by HISTORY_BYTES."""

    def __init__(self, net: MLP, max_bytes: int = HISTORY_BYTES, optimizer_slots: int = 0):
        self.shapes = [p.shape for p in net.params]
        size = sum(p.size for p in net.params)
        self.capacity = max(4, max_bytes // (8 * size * (1 + optimizer_slots) + SNAPSHOT_OVERHEAD))
        self.interval = 1                   # epochs between snapshots, a power of 2
        self.epochs: list[int] = []
        self.weights: list[np.ndarray] = []
        self.checkpoints: list = []         # engine.optim.Checkpoint at each kept epoch, or None

    @property
    def nbytes(self) -> int:
        """The memory the snapshots take, their Python objects counted as SNAPSHOT_OVERHEAD each."""
        arrays = sum(w.nbytes for w in self.weights) + sum(c.nbytes for c in self.checkpoints if c is not None)
        return arrays + SNAPSHOT_OVERHEAD * len(self.epochs)

    @property
    def latest(self) -> int:
        return self.epochs[-1] if self.epochs else 0

    def record(self, epoch: int, net: MLP, trainer: Trainer | None = None) -> None:
        """Keep the weights (and the trainer's state) after `epoch` epochs, if the interval asks
        for this epoch.  Called after every epoch: an epoch it skips costs one modulo."""
        if epoch % self.interval or (self.epochs and epoch <= self.epochs[-1]):
            return
        self.epochs.append(epoch)
        self.weights.append(np.concatenate([p.ravel() for p in net.params]))
        self.checkpoints.append(None if trainer is None else trainer.checkpoint())
        if len(self.epochs) > self.capacity:
            self.interval *= 2
            kept = [i for i, e in enumerate(self.epochs) if e % self.interval == 0]
            self.epochs = [self.epochs[i] for i in kept]
            self.weights = [self.weights[i] for i in kept]
            self.checkpoints = [self.checkpoints[i] for i in kept]

    def nearest(self, epoch: int) -> int:
        """The latest kept epoch at or before `epoch` (the first one if it is earlier)."""
        index = max(bisect.bisect_right(self.epochs, epoch) - 1, 0)
        return self.epochs[index]

    def restore(self, epoch: int, net: MLP) -> int:
        """Put the weights kept nearest before `epoch` into net (copied); returns their epoch."""
        kept = self.nearest(epoch)
        flat = self.weights[self.epochs.index(kept)]
        pieces, start = [], 0
        for shape in self.shapes:
            size = math.prod(shape)
            pieces.append(flat[start:start + size].reshape(shape))
            start += size
        net.params = pieces
        return kept

    def checkpoint(self, epoch: int):
        """The trainer's state kept at exactly `epoch` (one of self.epochs)."""
        return self.checkpoints[self.epochs.index(epoch)]

    def forget_after(self, epoch: int) -> None:
        """Drop the snapshots after `epoch`: the run goes on from there along another path."""
        keep = bisect.bisect_right(self.epochs, epoch)
        del self.epochs[keep:], self.weights[keep:], self.checkpoints[keep:]


def scrub_count(history: WeightHistory, latest: int) -> int:
    """How many epochs the learner can view: those kept, and the latest (the run as it is)."""
    return len(history.epochs) + (latest > history.latest)


def scrub_positions(history: WeightHistory, latest: int) -> list[int]:
    """The epochs the slider under the curve steps through, oldest first (scrub_count of them)."""
    positions = list(history.epochs)
    if scrub_count(history, latest) > len(positions):
        positions.append(latest)
    return positions


def viewed_epoch(history: WeightHistory, latest: int, epoch: float) -> int | None:
    """The epoch shown when the learner scrubs to `epoch`: the kept one at or before it, or None
    for the run as it is (at or past the latest epoch)."""
    if epoch >= latest:
        return None
    kept = history.nearest(max(int(epoch), 0))
    return None if kept >= latest else kept


def viewing_note(viewed: int, latest: int, compact: bool = False) -> str:
    """What the page says while it shows an earlier epoch; compact (in an embed, one line of the
    frame with its Back button, up to six-digit epochs) leaves out what the Play button shows."""
    later = f"epoch {latest}" if latest == viewed + 1 else f"epochs {viewed + 1}–{latest}"
    if compact:
        return f"Viewing epoch {viewed} of {latest}: ▶ Play trains on from it and drops {later}."
    return (f"Viewing epoch {viewed} of {latest}: training paused. ▶ Play trains on from epoch {viewed} "
            f"and drops {later}.")


def replaying_note(epoch: int) -> str:
    return f"Replaying this run to epoch {epoch}: the same seed, data, batches and changes."


def replayed_note(epoch: int, before: float, after: float) -> str:
    """What the page says when a replay reached the epoch the run had: its training loss then and now."""
    if after == before or (math.isnan(after) and math.isnan(before)):
        return f"Replayed to epoch {epoch}: training loss {text.loss_text(after)}, the same as the first time, bit for bit."
    return (f"Replayed to epoch {epoch}: training loss {text.loss_text(after)}; the first time it was "
            f"{text.loss_text(before)}.")


def replay_diverged_note(epoch: int, reached: int) -> str:
    """What the page says when a replay's loss blew up at `epoch` (the run had reached `reached`)."""
    again = "as the first time" if epoch == reached else f"the first time the run reached epoch {reached}"
    return f"Replayed to epoch {epoch}: the loss became infinite or not a number there, {again}."


def replay_hint(history: WeightHistory | None) -> str:
    """The help under the curve: how to scrub, and the memory the kept weights may take."""
    kept = "" if history is None else (f" For this network it keeps up to {history.capacity} epochs; a long run "
                                       "keeps them at wider intervals.")
    return ("Drag along the curve, or use the slider under it (arrow keys, Home, End), to see the network as it "
            f"was at an earlier epoch. The weights and the optimizer's state are kept in at most "
            f"{size_text(HISTORY_BYTES)}.{kept} Replay trains the run again from epoch 0, bit for bit.")


def replay_script(log: RunLog) -> list:
    """What a replay of the logged run does besides training, in order: (epoch, mini-batch steps
    into the next epoch, "change" or "edit", setting name or edit target, value)."""
    events = [(at, 0, "change", name, value) for at, name, value in log.changes]
    events += [(at, steps, "edit", target, value) for at, steps, target, value in log.edits]
    return sorted(events, key=lambda event: event[:2])


# Pasted or uploaded CSV is refused by its size before it is read into Python: parsing runs on
# the page's only thread, and megabytes of text would freeze the tab for seconds.  MAX_POINTS
# rows of "x1,x2,label" (with a header) fit in far less than this.
CSV_ROW_CHARS = 64
MAX_CSV_SIZE = (MAX_POINTS + 1) * CSV_ROW_CHARS


def size_text(size: int) -> str:
    """A byte or character count for people: 980 bytes, 64 kB, 42.0 MB."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} bytes"


def csv_size_problem(size: int, what: str) -> str | None:
    """Why CSV of `size` bytes (a file) or characters (pasted text) is not read, or None.
    `what` names it: "the file", "the pasted text"."""
    if size > MAX_CSV_SIZE:
        return (f"{what} is {size_text(size)}; the playground reads at most {size_text(MAX_CSV_SIZE)} "
                f"(up to {MAX_POINTS} points)")
    return None


def points_from_csv(text: str) -> tuple:
    """The learner's points from "x1,x2,label" lines; ValueError naming the first
    bad row ("row 3: …") as engine.datasets.from_csv does.  Too many rows are refused
    before any row is parsed; coordinates must lie in the same range as points in a link."""
    problem = csv_size_problem(len(text), "the text")
    if problem:
        raise ValueError(problem)
    rows = sum(1 for line in datasets.csv_lines(text) if line.strip())
    if rows > MAX_POINTS + 1:       # + 1: a header line
        raise ValueError(f"{rows} rows: the playground takes at most {MAX_POINTS} points")
    X, y = datasets.from_csv(text, max_abs=MAX_COORDINATE)
    if len(y) > MAX_POINTS:
        raise ValueError(f"{len(y)} rows: the playground takes at most {MAX_POINTS} points")
    return tuple((float(a), float(b), int(c)) for (a, b), c in zip(X, y))


# ------------------------------------------------------------------ export

EXPORT_FORMAT = "backprop-lab-playground"


def export_json(net: MLP, data: Data, settings: dict, epoch: int) -> str:
    """The trained network with everything needed to use it: the settings, the
    standardization (predict on (x - mean) / std) and the points themselves."""
    def rows(X, y):
        labels = (y if is_regression(settings) else y.astype(int)).tolist()   # continuous targets, or classes
        return [[a, b, c] for (a, b), c in zip(X.tolist(), labels)]

    document = {
        "format": EXPORT_FORMAT, "version": 1, "epoch": epoch,
        "settings": {name: STATE.props[name].format(value) for name, value in settings.items()},
        "standardize": {"mean": data.scaler.mean.tolist(), "std": data.scaler.std.tolist()},
        "network": net.to_dict(),
        "train": rows(data.X_train, data.y_train),
        "test": rows(data.X_test, data.y_test),
    }
    return json_lines(document)


def json_lines(value, indent: str = "") -> str:
    """json.dumps(value, indent=1), except that a list of numbers takes one line.  The page shows
    the export in a text box, and a browser lays out a box of 5,000 lines (1000 points, one number
    a line) in a task of 90-250 ms; with one line per point and per weight row it takes a few
    milliseconds.  Written out here because json's indented encoder is pure Python (40 ms for 1000
    points in the browser); a list of lists of numbers (the points, a weight matrix) is dumped in one
    call of its C encoder and cut into lines."""
    inner = indent + " "
    if isinstance(value, dict) and value:
        items = (f"{inner}{json.dumps(key)}: {json_lines(item, inner)}" for key, item in value.items())
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if not isinstance(value, list | tuple) or not value or _numbers(value):
        return json.dumps(value)
    if all(isinstance(item, list | tuple) and _numbers(item) for item in value):
        body = json.dumps(value)[1:-1].replace("], [", "],\n" + inner + "[")
    else:
        body = ",\n".join(inner + json_lines(item, inner) for item in value)[len(inner):]
    return "[\n" + inner + body + "\n" + indent + "]"


def _numbers(items) -> bool:
    """Whether a list holds only numbers (and JSON's true, false, null): a line of the export."""
    return all(item is None or isinstance(item, int | float) for item in items)


def load_export(text: str) -> tuple[MLP, datasets.Standardizer, dict]:
    """(network, standardizer, document) from export_json's text."""
    document = json.loads(text)
    if document.get("format") != EXPORT_FORMAT:
        raise ValueError("not a Backprop Lab playground export")
    scale = document["standardize"]
    scaler = datasets.Standardizer(np.array(scale["mean"]), np.array(scale["std"]))
    return MLP.from_dict(document["network"]), scaler, document


# Where the snippet sets each live setting.
SNIPPET_TARGETS = {"lr": "trainer.lr", "reg": "net.regularization", "reg_rate": "net.reg_rate"}


@dataclass(frozen=True)
class Export:
    """What Export writes: the network the page shows, at `epoch` of a run that has reached
    `latest`, with the settings and the logged changes that made it."""
    net: MLP
    epoch: int
    latest: int
    settings: dict
    log: RunLog


def export_of(run: TrainingRun, settings: dict, viewing: int | None) -> Export:
    """The export of what the page shows: the run as it is, or, while the learner views an earlier
    epoch, the weights kept at that epoch with the live settings and the changes and edits that
    made them (none made later), so that the snippet and the notebook train to that epoch.  Its
    net may be the run's viewer, which the next scrub changes: write the export at once."""
    if viewing is None:
        return Export(run.net, run.epoch, run.epoch, settings, run.log)
    net, epoch = run.network_at(viewing)
    log = run.log.until(epoch)
    return Export(net, epoch, run.epoch, dict(settings, **log.live_values()), log)


def export_note(export: Export) -> str:
    """What the share dialog says after Export: which epoch it wrote, and how to get the latest."""
    if export.epoch == export.latest:
        return f"Exported epoch {export.epoch}, the latest."
    return (f"Exported epoch {export.epoch}, the epoch shown: the run has reached epoch {export.latest}. For "
            f"that one, press “Back to epoch {export.latest}” under the loss curve, then Export again.")


def run_words(epoch: int, latest: int | None) -> str:
    """How the snippet and the notebook name the run they train: its epochs, and when the learner
    exported an earlier epoch, how far the run went."""
    epochs = f"{epoch} epoch" + ("" if epoch == 1 else "s")
    if latest is None or latest <= epoch:
        return epochs
    return f"{epochs}, the epoch the page showed; the run went on to epoch {latest}"


def python_snippet(settings: dict, epoch: int, log: RunLog, latest: int | None = None) -> str:
    """Python that reproduces this run with the engine API (in Jupyter, or any
    Python with the engine installed), replaying mid-run setting changes."""
    setup, training, report = snippet_sections(settings, epoch, log, latest)
    return "\n".join(setup + training + report) + "\n"


def snippet_sections(settings: dict, epoch: int, log: RunLog, latest: int | None = None) -> tuple[list, list, list]:
    """The snippet's lines in three parts: the data, network and trainer; the training (see
    replay_lines); the test set's accuracy or R² (the training set's when there is no test set)."""
    s = settings
    if s["dataset"] == "custom":
        points = ", ".join(f"({x!r}, {y!r}, {label})" for x, y, label in s["points"])
        data_line = f"X, y = datasets.from_points([{points}])"
    else:
        data_line = (f"X, y = datasets.make({s['dataset']!r}, {s['n']}, noise={s['noise'] / 100!r}, "
                     f"seed={s['data_seed']})")
    if has_test_set(s):
        split_line = (f"X_train, y_train, X_test, y_test = datasets.train_test_split(X, y, {s['train'] / 100!r}, "
                      f"seed={s['data_seed']})")
    else:
        split_line = "X_train, y_train, X_test, y_test = X, y, X[:0], y[:0]   # too few points for a test set"
    plain_inputs = tuple(s["features"]) == features.DEFAULT
    inputs = snippet_inputs(s)
    output = "linear" if is_regression(s) else "sigmoid"
    lines = [
        f"# Backprop Lab training playground: this run, {run_words(epoch, latest)}.",
        "from engine import MLP, datasets" + ("" if plain_inputs else ", features"),
        "from engine.optim import Trainer",
        "",
        data_line,
        split_line,
        "scaler = datasets.Standardizer.fit(X_train)   # the network sees standardized inputs",
        *snippet_feature_lines(s),
        f"net = MLP({[len(s['features']), *s['layers'], 1]}, activation={s['activation']!r}, output={output!r}, "
        f"loss={s['loss']!r},",
        f"          init={s['init']!r}, seed={s['seed']}, regularization={log.start['reg']!r}, "
        f"reg_rate={log.start['reg_rate']!r})",
        f"trainer = Trainer(net, {inputs}(X_train), y_train, optimizer={s['optimizer']!r}, "
        f"lr={log.start['lr']!r},",
        f"                  batch_size={batch_size(s)!r}, seed={s['seed']})",
    ]
    part = "training" if "X[:0]" in split_line else "test"
    X_part, y_part = ("X_train", "y_train") if part == "training" else ("X_test", "y_test")
    if is_regression(s):
        report = f"print('{part} R²:', datasets.r_squared({y_part}, net.predict_proba({inputs}({X_part}))))"
    else:
        report = f"print('{part} accuracy:', net.accuracy({inputs}({X_part}), {y_part}))"
    return lines, replay_lines(log, epoch), [report]


def has_test_set(settings: dict) -> bool:
    """Whether the settings' points are enough to hold some back for testing."""
    return can_split(len(settings["points"]) if settings["dataset"] == "custom" else settings["n"], settings["train"] / 100)


def snippet_inputs(settings: dict) -> str:
    """What the snippet calls to turn points into the network's inputs."""
    return "scaler.transform" if tuple(settings["features"]) == features.DEFAULT else "inputs"


def snippet_feature_lines(settings: dict) -> list[str]:
    """The snippet's definition of the network's inputs, when they are not just x₁ and x₂."""
    if tuple(settings["features"]) == features.DEFAULT:
        return []
    names = tuple(settings["features"])
    return [f"def inputs(X):   # the input features: {', '.join(features.labels(names))}",
            f"    return features.transform(scaler.transform(X), {names!r})"]


# The notebook's plots: the boundary over the data in the data's own coordinates, as the page
# draws it, and the losses after each epoch, as the page's curve.
NOTEBOOK_PLOTS = """\
import matplotlib.pyplot as plt
import numpy as np

fig, (boundary, curve) = plt.subplots(1, 2, figsize=(11, 4.5))
pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
(x_low, y_low), (x_high, y_high) = X.min(axis=0) - pad, X.max(axis=0) + pad
gx, gy = np.meshgrid(np.linspace(x_low, x_high, 200), np.linspace(y_low, y_high, 200))
grid = scaler.transform(np.column_stack([gx.ravel(), gy.ravel()]))
output = net.predict_proba(grid).reshape(gx.shape)
boundary.contourf(gx, gy, output, levels=np.linspace(0, 1, 21), cmap="RdBu", alpha=0.6)
boundary.contour(gx, gy, output, levels=[0.5], colors="k", linewidths=1)
boundary.scatter(X_train[:, 0], X_train[:, 1], c=y_train, cmap="RdBu", vmin=0, vmax=1, edgecolors="k", s=18)
boundary.set_title("decision boundary (output 0.5)")
for (name, values), style in zip(losses.items(), ("-", "--")):
    curve.plot(np.arange(len(values)), values, style, label=f"{name} loss")
curve.set_xlabel("epoch")
curve.set_ylabel("loss")
curve.legend()
curve.set_title("loss curve")
fig.tight_layout()
plt.show()
"""


def notebook(settings: dict, epoch: int, log: RunLog, latest: int | None = None) -> str:
    """A Jupyter notebook (.ipynb, nbformat 4.5) of this run: the Python snippet, run one epoch at
    a time (the same weights, bit for bit) to keep the losses the page's curve shows (each set's
    mean loss after each epoch, without regularization, as `evaluate` computes it), then matplotlib
    plots of the boundary and the loss curve."""
    setup, training, report = snippet_sections(settings, epoch, log, latest)
    sets = [("training", "X_train", "y_train")] + ([("test", "X_test", "y_test")] if has_test_set(settings) else [])
    imports = setup.index("from engine.optim import Trainer") + 1
    code = [*setup[:imports], "from engine.registry import LOSSES", "from engine.text import loss_text",
            *setup[imports:], "",
            "def mean_loss(X, y):   # over a whole set, without regularization: what the page's curve shows",
            f"    return float(LOSSES[net.config.loss].value(net.predict_proba({snippet_inputs(settings)}(X)), y).mean())",
            "",
            "losses = {" + ", ".join(f"{name!r}: []" for name, _, _ in sets) + "}   # after each epoch, from epoch 0",
            "def record_losses():",
            *(f"    losses[{name!r}].append(mean_loss({X}, {y}))" for name, X, y in sets),
            "record_losses()"]
    for line in training:
        epochs = re.fullmatch(r"trainer\.run\((\d+)\)", line)
        if epochs:
            code += [f"for _ in range({epochs.group(1)}):", "    trainer.run(1)", "    record_losses()"]
        else:
            code.append(line)
            if line == "    trainer.run_steps(1)":     # the end of `while trainer.mid_epoch:`: an epoch ends
                code.append("record_losses()")
    code += [*report, f"print('training loss after {epoch} epochs:', loss_text(losses['training'][-1]))"]
    intro = (f"# Backprop Lab playground: this run\n\nThe playground's run ({run_words(epoch, latest)}), reproduced with "
             "Backprop Lab's `engine` in plain Python (run it where the project is installed, with matplotlib), "
             "then its decision boundary and loss curve.")

    def cell(number, kind, source):
        cell = {"cell_type": kind, "id": f"cell-{number}", "metadata": {}, "source": source.splitlines(keepends=True)}
        return cell | ({"execution_count": None, "outputs": []} if kind == "code" else {})

    document = {
        "cells": [cell(1, "markdown", intro), cell(2, "code", "\n".join(code)), cell(3, "code", notebook_plots(settings))],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1)


# ------------------------------------------------------------------ typing the architecture (issue 21)

def parse_layers(text: str) -> tuple:
    """Hidden layer widths typed by the learner ("8,8,8"; empty for none), within the limits of
    the diagram's ± buttons: at most MAX_HIDDEN_LAYERS layers of 1 to MAX_NEURONS units.
    Each width is read as the page's other number fields and the link read numbers
    (state.parse_whole_number: "٣" and "３" are 3, as in the learning rate's field).
    Raises ValueError with a message for the field."""
    text = str(text).strip()
    if text == "":
        return ()
    if len(text) > 100:
        raise ValueError("that is too long for a list of layers")
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"{len(parts)} layers: at most {MAX_HIDDEN_LAYERS} hidden layers")
    widths = []
    for number, part in enumerate(parts, start=1):
        if part == "":
            raise ValueError(f"layer {number} is empty: write its number of units, e.g. 8,8,8")
        try:
            width = parse_whole_number(part)
        except ValueError:
            raise ValueError(f"layer {number}: “{part[:12]}” is not a whole number") from None
        if not 1 <= width <= MAX_NEURONS:
            raise ValueError(f"layer {number}: {width} units; each layer has 1 to {MAX_NEURONS} units")
        widths.append(width)
    return tuple(widths)


# ------------------------------------------------------------------ editing a weight or bias (issue 21)

# A typed weight or bias lies in this range: far beyond it the pre-activations overflow.
MAX_EDITED_VALUE = 1000.0
EDITED_RANGE_TEXT = f"{text.plain(-MAX_EDITED_VALUE)} and {text.plain(MAX_EDITED_VALUE)}"


def param_name(target: tuple) -> str:
    """What a target of an edit is, in words: ("weight", layer, i, j) is the link from unit i of
    layer - 1 to unit j of `layer`, ("bias", layer, j) the bias of unit j of `layer` (layers
    counted from the inputs, 0; units from 0)."""
    def unit(layer, index):
        return f"input {index + 1}" if layer == 0 else f"unit {index + 1} of layer {layer}"   # any input feature
    if target[0] == "weight":
        _, layer, i, j = target
        return f"weight from {unit(layer - 1, i)} to {unit(layer, j)}"
    _, layer, j = target
    return f"bias of {unit(layer, j)}"


def param_index(target: tuple) -> tuple:
    """(index into net.params, index into that array) of a weight or bias."""
    if target[0] == "weight":
        _, layer, i, j = target
        return 2 * (layer - 1), (i, j)
    _, layer, j = target
    return 2 * (layer - 1) + 1, (j,)


def param_value(net: MLP, target: tuple) -> float:
    index, where = param_index(target)
    return float(net.params[index][where])


def parse_param(text: str) -> float:
    """A weight or bias typed by the learner; ValueError with a message for the field."""
    value = parse_number(text)
    if abs(value) > MAX_EDITED_VALUE:
        raise ValueError(f"{text.strip()[:20]} is too large: a weight or bias lies between "
                         f"{EDITED_RANGE_TEXT}")
    return value


def steps_into_epoch(trainer: Trainer) -> int:
    """Mini-batch steps taken of the epoch under way (0 between epochs).  Every batch but an
    epoch's last is full, so the samples done count them exactly."""
    if not trainer.mid_epoch:
        return 0
    return round(trainer.epoch_progress * len(trainer.y) / trainer.batch_size)


def edit_param(run: TrainingRun, target: tuple, value: float) -> None:
    """Set a weight or bias of the training run's network: training goes on from it (the
    optimizer updates the same array), and the run's log keeps it, with the epoch and the
    mini-batch step, so that the exported snippet replays it where it happened."""
    index, where = param_index(target)
    run.net.params[index][where] = value
    steps = 0 if run.trainer is None else steps_into_epoch(run.trainer)
    run.log.edits.append((run.epoch, steps, target, value))


def edit_line(target: tuple, value: float) -> str:
    index, where = param_index(target)
    place = ", ".join(str(k) for k in where)
    return f"net.params[{index}][{place}] = {value!r}   # {param_name(target)}, edited on the page"


def replay_lines(log: RunLog, epoch: int) -> list:
    """The snippet's training: `epoch` epochs with the live-setting changes and the weight edits
    of `log` where they happened (an edit in the middle of an epoch after as many mini-batch steps)."""
    events = [(at, steps, f"{SNIPPET_TARGETS[what]} = {value!r}" if kind == "change" else edit_line(what, value))
              for at, steps, kind, what, value in replay_script(log)]
    lines, done, steps_done = [], 0, 0

    def finish_epoch():
        lines.extend([f"while trainer.mid_epoch:   # the rest of epoch {done + 1}", "    trainer.run_steps(1)"])

    for at, steps, line in events:
        if at > done and steps_done:
            finish_epoch()
            done, steps_done = done + 1, 0
        if at > done:
            lines.append(f"trainer.run({at - done})")
            done = at
        if steps > steps_done:
            lines.append(f"trainer.run_steps({steps - steps_done})   # mini-batches of epoch {at + 1}")
            steps_done = steps
        lines.append(line)
    if steps_done and epoch > done:
        finish_epoch()
        done += 1
    if epoch > done:
        lines.append(f"trainer.run({epoch - done})")
    return lines


# ------------------------------------------------------------------ a unit's map (issue 21)

def unit_function(net: MLP, column: int, unit: int) -> tuple:
    """(values, centre): values(points) is what unit `unit` of layer `column` (0: the inputs)
    outputs at each of `points` (standardized), centre the value its colours are centred on
    (0.5 for sigmoid units and the output's probability, otherwise 0)."""
    last = len(net.config.sizes) - 1
    if column == 0:
        return (lambda points: points[:, unit]), 0.0
    if column == last:
        return net.predict_proba, 0.5
    centre = 0.5 if net.config.activation == "sigmoid" else 0.0
    return (lambda points: net.hidden_outputs(points)[column - 1][:, unit]), centre


# ------------------------------------------------------------------ work in bands (issue 21)

# Points computed at a time when the full output picture is drawn in slices after a scrub: a
# 100 × 100 grid through eight layers of 16 took 30-50 ms in one go in the browser (more under
# load), a band of 1,000 points a tenth of that.
GRID_BAND = 1000


class Bands:
    """compute(points) a band of rows at a time, so that work on many points can stop between
    bands and go on in a later frame.  Each row's values must depend on that row alone (a
    network's forward pass): then the values are those of compute(points) at once."""

    def __init__(self, compute, points: np.ndarray, band: int = GRID_BAND):
        self.compute, self.points, self.band = compute, points, band
        self.pieces: list[np.ndarray] = []
        self.next_row = 0

    @property
    def done(self) -> bool:
        return self.next_row >= len(self.points)

    def step(self) -> bool:
        """Compute the next band; True once every band is done."""
        if not self.done:
            self.pieces.append(np.asarray(self.compute(self.points[self.next_row:self.next_row + self.band])))
            self.next_row += self.band
        return self.done

    def values(self) -> np.ndarray:
        """Every row's values, once done."""
        return np.concatenate(self.pieces)


# ------------------------------------------------------------------ hiding controls for embedding (issue 21)

# The element ids a setting's control lives in, where they are not the setting's name with
# "-" for "_" (see pages/playground.html): the page hides the field around each.
HIDE_TARGETS = {"data_seed": ("regenerate",), "layers": ("layers", "diagram-controls"), "points": ("own-points",),
                "features": ("feature-toggles",), "code": ("playground-code",)}


def hide_targets(name: str) -> tuple:
    return HIDE_TARGETS.get(name, (name.replace("_", "-"),))


@dataclass(frozen=True)
class HideProp(Prop):
    """The controls a link hides ("dataset,noise"), as TensorFlow Playground's *_hide flags do
    for embedding.  The names are the state table's settings (`choices`); an unknown name is
    left out with a note, never an error: the page starts with the rest."""
    choices: tuple = ()
    max_length: int = 1000

    def read(self, text: str):
        names = [name.strip() for name in text.split(",") if name.strip()]
        known = tuple(name for name in self.choices if name in names)
        unknown = [name for name in dict.fromkeys(names) if name not in self.choices]
        if not unknown:
            return known, None
        return known, f"{self.title}: no control is called {quoted_names(unknown)}; ignored"

    def format(self, value) -> str:
        return ",".join(value)

    def options(self) -> list:
        """(name, label) of each control a link can hide, for the share dialog's checkboxes."""
        return [(name, hide_label(name)) for name in self.choices]


def hide_label(name: str) -> str:
    """A setting's label for the share dialog: "Noise (%)" from "noise (%)"."""
    label = STATE.props[name].title if name in STATE.props else name
    return label[:1].upper() + label[1:]


# Every setting of the state table has a control on the page, so a link may hide any of them;
# and the Presets row ("presets" is no setting: its buttons set many).
HIDEABLE = (*STATE.props, "presets")
HIDE_TARGETS["presets"] = ("preset-row",)
STATE = StateTable(*STATE.props.values(), HideProp("hide", (), choices=HIDEABLE, label="hidden controls"))
# A preset keeps the controls a link hid, as it keeps the picture options (see apply_preset).
VIEW_SETTINGS = (*VIEW_SETTINGS, "hide")
# What a preset may change: every setting but those apply_preset keeps (and the Python view).
PRESET_SETTINGS = tuple(name for name in STATE.page_values(STATE.defaults()) if name not in (*VIEW_SETTINGS, "points"))
PRESETS_HIDDEN_NOTE = ("Presets are hidden too when any setting a preset changes is hidden (all but Speed, Predict "
                       "first, the picture options, Your own points and the Python view): a preset would change it.")


def hidden_controls(hide) -> tuple:
    """The controls an embed hides: those its link names, and the Presets row whenever one of
    them is a setting a preset changes, or a preset button would undo what the instructor fixed."""
    if "presets" not in hide and any(name in PRESET_SETTINGS for name in hide):
        return (*hide, "presets")
    return tuple(hide)


# How the notebook's plots change with input features (the grid goes through the snippet's
# `inputs`) and for regression (the output's values from -1 to 1, no boundary line).
FEATURE_PLOT_CHANGES = (("grid = scaler.transform(", "grid = inputs("),)
REGRESSION_PLOT_CHANGES = (
    ("levels=np.linspace(0, 1, 21)", 'levels=np.linspace(-1.2, 1.2, 25), extend="both"'),
    ('boundary.contour(gx, gy, output, levels=[0.5], colors="k", linewidths=1)\n', ""),
    ("vmin=0, vmax=1", "vmin=-1, vmax=1"),
    ('"decision boundary (output 0.5)"', '"network output (regression)"'),
)


def notebook_plots(settings: dict) -> str:
    """NOTEBOOK_PLOTS for these settings' input features and problem type."""
    plots = NOTEBOOK_PLOTS
    changes = ((FEATURE_PLOT_CHANGES if tuple(settings["features"]) != features.DEFAULT else ())
               + (REGRESSION_PLOT_CHANGES if is_regression(settings) else ()))
    for old, new in changes:
        if old not in plots:
            raise ValueError(f"notebook_plots: NOTEBOOK_PLOTS no longer has {old!r}")
        plots = plots.replace(old, new)
    return plots
