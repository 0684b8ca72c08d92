"""Lesson: from one example to a batch, backprop in matrix form (pure: no browser code).

Lesson 2's network (2 inputs, 2 or 3 hidden units, one sigmoid output, cross-entropy) on a
batch of n examples at once.  Every step of one training step is one matrix operation:

    forward   Z1 = X W1 + b1,  H1 = tanh(Z1),  z2 = H1 W2 + b2,  ŷ = σ(z2),
              ℓ = BCE per example,  L = mean ℓ
    backward  δ2 = (ŷ − y)/n,  dW2 = H1ᵀ δ2,  db2 = Σ δ2,  dH1 = δ2 W2ᵀ,
              δ1 = dH1 ⊙ tanh′(Z1) (tanh′ = 1 − H1²),  dW1 = Xᵀ δ1,  db1 = Σ δ1
    update    W ← W − η dW  (for W1, b1, W2, b2)

Row i of every n-row matrix is lesson 2's scalar network on example i (its gradients ÷ n, as L
is the mean).  The weights keep lesson 2's names, w_ji from input i to unit j, so a link can
open lesson 2 on any one example: W1[i, j] = w_(j+1)(i+1), W2[j, 0] = w_o(j+1)
(app/lesson_two_names.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app import lesson_two_names as names
from app.state import BoolProp, ChoiceProp, FloatProp, IntProp, Prop, StateTable, code_view_prop, parse_number
from engine.gradcheck import Comparison, finite_difference
from engine.registry import ACTIVATIONS, sigmoid
from engine.text import plain

# ------------------------------------------------------------------ the batch and the weights

MAX_BATCH = 8
INPUT_RANGE = (-5.0, 5.0)
PARAM_RANGE = (-10.0, 10.0)
XOR_BATCH = ((0.0, 0.0, 0), (0.0, 1.0, 1), (1.0, 0.0, 1), (1.0, 1.0, 0))
# Lesson 2's starting weights, so its one example and this batch's rows start from one network.
DEFAULT_WEIGHTS = {"w11": 0.5, "w12": -0.3, "b1": 0.1, "w21": -0.4, "w22": 0.8, "b2": 0.2,
                   "w31": 0.7, "w32": -0.6, "b3": 0.05,
                   "w41": 0.8, "w42": -0.6, "w43": 0.5, "b4": -0.2}
HIDDEN = {"tanh": "tanh", "relu": "ReLU"}


def format_batch(batch) -> str:
    return ";".join(f"{x1:g},{x2:g},{int(label)}" for x1, x2, label in batch)


def parse_batch(text: str) -> tuple:
    """"x1,x2,y;x1,x2,y": 1 to 8 examples, inputs in range, labels 0 or 1.  ValueError with a
    message meant for the learner."""
    entries = [entry for entry in text.split(";") if entry.strip()]
    if not 1 <= len(entries) <= MAX_BATCH:
        raise ValueError(f"a batch has 1 to {MAX_BATCH} examples")
    batch = []
    for number, entry in enumerate(entries, 1):
        fields = entry.split(",")
        if len(fields) != 3:
            raise ValueError(f"example {number}: expected x₁,x₂,y")
        x1, x2 = parse_number(fields[0]), parse_number(fields[1])
        low, high = INPUT_RANGE
        if not (low <= x1 <= high and low <= x2 <= high):
            raise ValueError(f"example {number}: inputs must lie in [{plain(low)}, {plain(high)}]")
        if fields[2].strip() not in ("0", "1"):
            raise ValueError(f"example {number}: the target y is 0 or 1")
        batch.append((x1, x2, int(fields[2])))
    return tuple(batch)


@dataclass(frozen=True)
class BatchProp(Prop):
    """The batch as "x1,x2,y;…" in a link."""

    def read(self, text):
        try:
            return parse_batch(text), None
        except ValueError as error:
            return self.default, f"{self.title}: {error}; using the XOR batch"

    def format(self, value) -> str:
        return format_batch(value)


STATE = StateTable(
    BatchProp("batch", XOR_BATCH, label="batch", max_length=400),
    IntProp("units", 2, low=2, high=3, label="hidden units"),
    ChoiceProp("hidden", "tanh", choices=tuple(HIDDEN), labels=tuple(HIDDEN.items()), label="hidden activation"),
    *[FloatProp(name, DEFAULT_WEIGHTS[name], low=PARAM_RANGE[0], high=PARAM_RANGE[1], label=name)
      for name in names.ALL_PARAMS],
    FloatProp("lr", 0.5, low=0.001, high=10.0, label="learning rate η"),
    IntProp("step", 1, low=1, high=99, label="step"),
    IntProp("sample", 0, low=0, high=MAX_BATCH, label="highlighted example"),
    BoolProp("check", False, label="gradient check"),
    code_view_prop(),
)


# ------------------------------------------------------------------ one pass, every matrix

@dataclass
class Pass:
    """Every matrix of one forward and backward pass of the batch, by its lesson name."""
    X: np.ndarray
    y: np.ndarray                          # n × 1
    W1: np.ndarray
    b1: np.ndarray                         # 1 × units
    W2: np.ndarray
    b2: np.ndarray                         # 1 × 1
    hidden: str
    values: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.X.shape[0]


def weights(state: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """W1, b1, W2, b2 from the state's lesson-2 names."""
    return tuple(np.array([[state[name] for name in row] for row in grid])
                 for grid in names.matrix_names(state["units"]).values())


def batch_arrays(state: dict) -> tuple[np.ndarray, np.ndarray]:
    batch = state["batch"]
    X = np.array([[x1, x2] for x1, x2, _ in batch], dtype=float)
    y = np.array([[label] for _, _, label in batch], dtype=float)
    return X, y


def activate(hidden: str, Z: np.ndarray) -> np.ndarray:
    return ACTIVATIONS[hidden].output(Z)


def activation_slope(hidden: str, Z: np.ndarray, H: np.ndarray) -> np.ndarray:
    """The engine's derivative of the activation, cell by cell, from what the forward pass kept:
    tanh′ = 1 − H², ReLU′ = 1 where Z > 0 (else 0)."""
    return ACTIVATIONS[hidden].derivative(Z, H)


def bce_per_example(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each example's binary cross-entropy of σ(z) against y, from the logit z: softplus(z) − z·y,
    the engine MLP's stable form (no log of a rounded 0 for large |z|)."""
    return np.logaddexp(0.0, z) - z * y


def mean_bce(z: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(bce_per_example(z, y)))


def run(state: dict) -> Pass:
    """The whole pass: each line is one step of the lesson."""
    X, y = batch_arrays(state)
    W1, b1, W2, b2 = weights(state)
    h, n = state["hidden"], X.shape[0]
    v = {"X": X, "y": y, "W1": W1, "b1": b1, "W2": W2, "b2": b2}
    v["Z1"] = X @ W1 + b1
    v["H1"] = activate(h, v["Z1"])
    v["z2"] = v["H1"] @ W2 + b2
    v["yhat"] = sigmoid(v["z2"])
    v["losses"] = bce_per_example(v["z2"], y)          # ℓ: one loss per example, n × 1
    v["L"] = v["losses"].mean(axis=0, keepdims=True)
    v["d2"] = (v["yhat"] - y) / n
    v["dW2"] = v["H1"].T @ v["d2"]
    v["db2"] = v["d2"].sum(axis=0, keepdims=True)
    v["dH1"] = v["d2"] @ W2.T
    v["slope"] = activation_slope(h, v["Z1"], v["H1"])  # the activation's local derivative, n × units
    v["d1"] = v["dH1"] * v["slope"]
    v["dW1"] = X.T @ v["d1"]
    v["db1"] = v["d1"].sum(axis=0, keepdims=True)
    lr = state["lr"]
    for name in ("W1", "b1", "W2", "b2"):
        v[f"{name}_new"] = v[name] - lr * v[f"d{name}"]
    return Pass(X, y, W1, b1, W2, b2, h, v)


def loss_at(state: dict, name: str, row: int, column: int, delta: float) -> float:
    """The mean loss with one weight cell nudged by delta (for finite differences)."""
    X, y = batch_arrays(state)
    W = dict(zip(("W1", "b1", "W2", "b2"), weights(state)))
    W[name] = W[name].copy()
    W[name][row, column] += delta
    H1 = activate(state["hidden"], X @ W["W1"] + W["b1"])
    return mean_bce(H1 @ W["W2"] + W["b2"], y)


CHECK_STEP = 1e-6


def gradient_check(state: dict) -> list[Comparison]:
    """Every entry of dW1, db1, dW2, db2 against a central finite difference of the mean loss."""
    result = run(state).values
    checks = []
    for name in ("W1", "b1", "W2", "b2"):
        grad = result[f"d{name}"]
        for (row, column), analytic in np.ndenumerate(grad):
            numeric = finite_difference(
                lambda d, name=name, row=row, column=column: loss_at(state, name, row, column, d), 0.0, CHECK_STEP)
            checks.append(Comparison(f"d{name}[{row + 1},{column + 1}]", float(analytic), numeric))
    return checks


PARAMETER_GRADIENTS = ("dW2", "db2", "dW1", "db1")


def gradients_so_far(hidden: str, step_number: int) -> list[str]:
    """The parameter gradients that steps 1 .. step_number have computed: the gradient check
    shows only those, as the stepper shows no value before its step."""
    return [step.result for step in lesson_steps(hidden)[:step_number] if step.result in PARAMETER_GRADIENTS]


def outer_products(values: dict, left: str, right: str) -> list[np.ndarray]:
    """The per-example pieces of a batch gradient: leftᵢᵀ rightᵢ for each row i (for dW2:
    h₁ᵢᵀ δ₂ᵢ).  They add up to leftᵀ right: the transpose and the sum come from here."""
    A, B = values[left], values[right]
    return [np.outer(A[i], B[i]) for i in range(A.shape[0])]


def lesson_two_link(state: dict, example: int) -> str:
    """The query that opens lesson 2 on one example of this batch with these weights."""
    x1, x2, label = state["batch"][example]
    units = state["units"]
    return names.query(units, state["hidden"], x1, x2, label, {name: state[name] for name in names.param_names(units)},
                       lr=state["lr"])


def updated_state(state: dict) -> dict:
    """The state after the update step: every weight moved against its gradient."""
    values = run(state).values
    return {**state, **names.named_values(state["units"], [values[f"{m}_new"] for m in ("W1", "b1", "W2", "b2")])}


# ------------------------------------------------------------------ the steps

@dataclass(frozen=True)
class Operand:
    name: str              # key in Pass.values
    tex: str               # its name in the equation
    plain: str = ""        # its name in plain text, where that depends on the step (the slope)


@dataclass(frozen=True)
class MatrixStep:
    phase: str                      # "forward", "backward" or "update"
    result: str                     # key of the matrix this step computes
    equation: str                   # LaTeX
    operands: tuple                 # Operands shown on the left of the result
    kind: str                       # "product", "elementwise", "sum", "map", "input", "loss", "update"
    says: str                       # one sentence
    numpy: str                      # the NumPy line
    torch: str                      # what PyTorch writes for it
    shape_check: str = ""           # why the shapes are these (backward steps)
    via: str = ""                   # a matrix computed on the way to the result, shown before it


TEX = {"X": "X", "y": "y", "W1": "W_1", "b1": "b_1", "W2": "W_2", "b2": "b_2", "Z1": "Z_1", "H1": "H_1",
       "z2": "z_2", "yhat": r"\hat y", "losses": r"\ell", "L": "L", "d2": r"\delta_2", "dW2": r"dW_2", "db2": "db_2",
       "dH1": "dH_1", "d1": r"\delta_1", "dW1": "dW_1", "db1": "db_1",
       "W1_new": r"W_1'", "b1_new": r"b_1'", "W2_new": r"W_2'", "b2_new": r"b_2'"}


PLAIN = {"W1": "W₁", "b1": "b₁", "W2": "W₂", "b2": "b₂"}     # parameter names in plain text


def _op(*keys: str) -> tuple:
    return tuple(Operand(key, TEX[key]) for key in keys)


def lesson_steps(hidden: str) -> list[MatrixStep]:
    """The steps of one training step, the same for every batch (the numbers come from run())."""
    act = r"\tanh" if hidden == "tanh" else r"\operatorname{ReLU}"
    slope = r"(1 - H_1^{2})" if hidden == "tanh" else r"[Z_1 > 0]"
    slope_plain = "1 − H₁²" if hidden == "tanh" else "[Z₁ > 0]"
    slope_np = "(1 - H1**2)" if hidden == "tanh" else "(Z1 > 0)"
    act_np = "np.tanh(Z1)" if hidden == "tanh" else "np.maximum(Z1, 0)"
    act_torch = "torch.tanh(Z1)" if hidden == "tanh" else "torch.relu(Z1)"
    return [
        MatrixStep("forward", "X", r"X,\ y", _op("y"), "input",
                   "The batch: one row of X per example, its target in the same row of y.",
                   "X, y = batch[:, :2], batch[:, 2:]",
                   "X, y = torch.tensor(batch[:, :2]), torch.tensor(batch[:, 2:])"),
        MatrixStep("forward", "Z1", r"Z_1 = X W_1 + b_1", _op("X", "W1", "b1"), "product",
                   "Every example's hidden pre-activations at once: row i of X times each column of W₁, "
                   "plus b₁ added to every row.",
                   "Z1 = X @ W1 + b1", "Z1 = X @ W1 + b1"),
        MatrixStep("forward", "H1", rf"H_1 = {act}(Z_1)", _op("Z1"), "map",
                   "The activation, applied to every cell on its own.", f"H1 = {act_np}", f"H1 = {act_torch}"),
        MatrixStep("forward", "z2", r"z_2 = H_1 W_2 + b_2", _op("H1", "W2", "b2"), "product",
                   "The output unit's pre-activation for every example: each row of H₁ times the column W₂.",
                   "z2 = H1 @ W2 + b2", "z2 = H1 @ W2 + b2"),
        MatrixStep("forward", "yhat", r"\hat y = \sigma(z_2)", _op("z2"), "map",
                   "The sigmoid of every example's z₂: its predicted probability of class 1.",
                   "yhat = 1 / (1 + np.exp(-z2))", "yhat = torch.sigmoid(z2)"),
        MatrixStep("forward", "L", r"\ell_i = \mathrm{BCE}(\hat y_i, y_i),\quad L = \tfrac1n \sum_i \ell_i",
                   _op("yhat", "y"), "loss",
                   "Each example's cross-entropy ℓᵢ is the loss lesson 2 shows for that example alone; "
                   "the batch's L is their mean (their sum ÷ n), so for a batch of one, L is lesson 2's loss.",
                   "losses = -(y*np.log(yhat) + (1-y)*np.log(1-yhat))\nL = losses.mean()",
                   "losses = F.binary_cross_entropy(yhat, y, reduction='none')\nL = losses.mean()",
                   via="losses"),
        MatrixStep("backward", "d2", r"\delta_2 = \operatorname{grad} z_2 = \tfrac1n(\hat y - y)",
                   _op("yhat", "y"), "elementwise",
                   "Sigmoid and cross-entropy together give ŷ − y per example, as in lesson 2; ÷ n because "
                   "L is the mean, so each example moves L by a 1/n share.",
                   "d2 = (yhat - y) / len(X)", "L.backward()  # autograd does every step below",
                   "n × 1, the shape of z₂: a gradient has the shape of what it is the gradient of."),
        MatrixStep("backward", "dW2", r"dW_2 = H_1^{\top} \delta_2", _op("H1", "d2"), "product",
                   "Each weight of W₂ multiplied h in every example: its gradient adds up h × δ₂ over the "
                   "examples, which is the product H₁ᵀδ₂.",
                   "dW2 = H1.T @ d2", "W2.grad",
                   "dW₂ must be units × 1 like W₂; from H₁ (n × units) and δ₂ (n × 1) the only product "
                   "of that shape is H₁ᵀ δ₂: the transpose puts the examples on the inside, where they are summed."),
        MatrixStep("backward", "db2", r"db_2 = \textstyle\sum_i \delta_{2,i}", _op("d2"), "sum",
                   "b₂ was added to every example's z₂, so its gradient is the sum of δ₂ over the batch.",
                   "db2 = d2.sum(axis=0, keepdims=True)", "b2.grad",
                   "1 × 1 like b₂: summing the n rows of δ₂ is the same as 1ᵀδ₂."),
        MatrixStep("backward", "dH1", r"dH_1 = \delta_2 W_2^{\top}", _op("d2", "W2"), "product",
                   "Each hidden value sent its signal through its weight in W₂: δ₂ times W₂ᵀ gives every "
                   "example's gradient at every hidden unit.",
                   "dH1 = d2 @ W2.T", "(not kept by autograd)",
                   "n × units like H₁: δ₂ (n × 1) times W₂ᵀ (1 × units)."),
        MatrixStep("backward", "d1", rf"\delta_1 = dH_1 \odot {slope}",
                   (Operand("dH1", TEX["dH1"]), Operand("slope", slope, slope_plain)), "elementwise",
                   f"Through the activation, cell by cell: each gradient times its own local derivative, "
                   f"the cell of {slope_plain} in the same place (⊙ is the elementwise product, not a matrix product).",
                   f"d1 = dH1 * {slope_np}", "(not kept by autograd)",
                   "n × units, unchanged: an elementwise step keeps the shape."),
        MatrixStep("backward", "dW1", r"dW_1 = X^{\top} \delta_1", _op("X", "d1"), "product",
                   "As for W₂: each weight's gradient sums input × δ₁ over the examples, which is Xᵀδ₁.",
                   "dW1 = X.T @ d1", "W1.grad",
                   "2 × units like W₁: X (n × 2) transposed, times δ₁ (n × units)."),
        MatrixStep("backward", "db1", r"db_1 = \textstyle\sum_i \delta_{1,i}", _op("d1"), "sum",
                   "b₁ was added to every row of Z₁: its gradient sums δ₁'s rows.",
                   "db1 = d1.sum(axis=0, keepdims=True)", "b1.grad",
                   "1 × units like b₁."),
        MatrixStep("update", "W1_new", r"W \leftarrow W - \eta\, dW \quad (W_1, b_1, W_2, b_2)",
                   _op("W1", "dW1"), "update",
                   "One step of gradient descent for every weight and bias at once.",
                   "for W, dW in [(W1, dW1), (b1, db1), (W2, dW2), (b2, db2)]: W -= lr * dW",
                   "optimizer.step()  # torch.optim.SGD([W1, b1, W2, b2], lr=lr)"),
    ]


def shape_text(matrix: np.ndarray) -> str:
    rows, columns = matrix.shape
    return f"{rows}×{columns}"


def shape_badge(step: MatrixStep, values: dict) -> str:
    """4×2 · 2×2 → 4×2: the shapes of a step's operands and of its result."""
    if step.kind == "update":
        return "each parameter keeps its shape: " + ", ".join(
            f"{PLAIN[name]} {shape_text(values[name])}" for name in ("W1", "b1", "W2", "b2"))
    operands = [o for o in step.operands if step.kind not in ("loss", "elementwise", "input")] or step.operands
    if step.kind == "product":
        left, right = operands[0], operands[1]
        shapes = [shape_text(_as_used(values, left.name, step)), shape_text(_as_used(values, right.name, step))]
        text = " · ".join(shapes)
        if len(operands) > 2:
            text += " + " + shape_text(values[operands[2].name])
        return f"{text} → {shape_text(values[step.result])}"
    if step.kind == "input":
        return f"X {shape_text(values['X'])}, y {shape_text(values['y'])}"
    via = f" → {shape_text(values[step.via])}" if step.via else ""
    return f"{', '.join(shape_text(values[o.name]) for o in step.operands)}{via} → {shape_text(values[step.result])}"


# Arrow keys move between the cells of a result matrix (one tab stop per matrix).
CELL_MOVES = {"ArrowUp": (-1, 0), "ArrowDown": (1, 0), "ArrowLeft": (0, -1), "ArrowRight": (0, 1)}


def cell_after_key(shape: tuple[int, int], cell: tuple[int, int], key: str) -> tuple[int, int] | None:
    """The cell an arrow key moves to from `cell` in a matrix of this shape; the same cell at
    an edge (the keys stay in the matrix); None for a key that does not move between cells."""
    if key not in CELL_MOVES:
        return None
    (rows, columns), (dr, dc) = shape, CELL_MOVES[key]
    return min(max(cell[0] + dr, 0), rows - 1), min(max(cell[1] + dc, 0), columns - 1)


def _as_used(values: dict, name: str, step: MatrixStep) -> np.ndarray:
    """A product's operand as it enters the product: transposed where the equation says ᵀ."""
    matrix = values[name]
    transposed = f"{TEX[name]}^{{\\top}}" in step.equation
    return matrix.T if transposed else matrix


def product_sources(step: MatrixStep, row: int, column: int) -> tuple[tuple[str, str, int], tuple[str, str, int]]:
    """For a product step, where result cell (row, column) comes from: (matrix, "row"/"column", index)
    for the left and the right operand, in the stored (untransposed) matrices."""
    left, right = step.operands[0], step.operands[1]
    left_t = f"{left.tex}^{{\\top}}" in step.equation
    right_t = f"{right.tex}^{{\\top}}" in step.equation
    return ((left.name, "column" if left_t else "row", row),
            (right.name, "row" if right_t else "column", column))


@dataclass(frozen=True)
class ProductCell:
    """Why a product's shapes must match, for one cell of its result: the row of the left
    operand and the column of the right one, as they enter the product, paired entry by entry."""
    left: str                       # operand keys, as stored (the text says where a ᵀ is)
    right: str
    left_transposed: bool
    right_transposed: bool
    left_shape: tuple[int, int]     # as used in the product (after any transpose)
    right_shape: tuple[int, int]
    row: int                        # the result cell, 0-based
    column: int
    pairs: tuple                    # (left entry, right entry) for each term of the sum
    bias: float | None              # the bias added to the cell, for XW + b
    value: float                    # the result cell, as run() computed it


def product_cell(step: MatrixStep, values: dict, row: int, column: int) -> ProductCell:
    """The pieces of result cell (row, column) of a product step, taken from run()'s matrices."""
    left, right = step.operands[0], step.operands[1]
    left_used, right_used = _as_used(values, left.name, step), _as_used(values, right.name, step)
    pairs = tuple((float(a), float(b)) for a, b in zip(left_used[row], right_used[:, column], strict=True))
    bias = float(values[step.operands[2].name][0, column]) if len(step.operands) > 2 else None
    return ProductCell(left.name, right.name, left_used is not values[left.name], right_used is not values[right.name],
                       left_used.shape, right_used.shape, row, column, pairs, bias,
                       float(values[step.result][row, column]))
