"""Lesson: write backprop yourself.  The exercises and their graders (pure: no browser code).

Each exercise gives starter code; the learner's code is run (in the page's worker, or here in
CPython) and graded by checks that compute the expected values with the engine and finite
differences, never from stored answers.  A failed check says what was expected and, where a
typical mistake explains the numbers (a sign, a missing transpose, a forgotten 1/n), says that.
"""
from __future__ import annotations

import contextlib
import functools
import io
import math
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.state import ChoiceProp, StateTable
from engine.gradcheck import finite_difference
from engine.graph import Value, linear
from engine.mlp import MLP
from engine.optim import Trainer
from engine.registry import ACTIVATIONS, sigmoid
from engine.text import percent, plain

FILENAME = "<your code>"
MAX_OUTPUT = 4000          # characters of print() output kept
MEMORY_MESSAGE = ("Your code asked for more memory than Python in this browser tab can have. Make the list or "
                  "array smaller, then Run again: nothing else was lost.")


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    message: str = ""


@dataclass(frozen=True)
class Graded:
    """A grader's checks, and the data of a picture drawn from the learner's results beside the
    engine's (exercises 3, 5 and 8).  The picture holds plain lists, numbers (None where the
    learner's value is not a finite number) and strings: it travels from the worker as JSON."""
    checks: list
    picture: dict


@dataclass(frozen=True)
class Result:
    checks: tuple
    output: str = ""
    error: str = ""        # the learner's traceback (their lines only), or ""
    picture: dict | None = None
    missing_module: str = ""   # the module an import could not find (the worker may fetch it: any stdlib module)

    @property
    def passed(self) -> bool:
        return not self.error and bool(self.checks) and all(check.passed for check in self.checks)


@dataclass(frozen=True)
class Exercise:
    key: str
    title: str
    task: str              # what to write, in plain text
    starter: str
    solution: str          # a reference solution (the tests run it; the page offers it after trying)
    grade: Callable


# ------------------------------------------------------------------ running the learner's code

def learner_traceback(error: BaseException, code: str) -> str:
    """The traceback from the learner's own lines: frames of the grader and of this module are
    dropped, so line numbers point into the editor."""
    source = code.splitlines()
    if isinstance(error, SyntaxError) and error.filename == FILENAME:
        pointer = " " * max((error.offset or 1) - 1, 0) + "^"
        return f"line {error.lineno}: {error.msg}\n    {(error.text or '').rstrip()}\n    {pointer}"
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == FILENAME]
    lines = [f"line {frame.lineno}, in {frame.name}: {source[frame.lineno - 1].strip()}"
             for frame in frames if frame.lineno and frame.lineno <= len(source)]
    lines.append(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
    if too_big(error):
        lines.append(MEMORY_MESSAGE)
    return "\n".join(lines)


def too_big(error: BaseException) -> bool:
    """The error says the code asked for more memory than there is: a MemoryError, or what
    Python and NumPy raise first in a 32-bit WebAssembly Python, for a size past its addresses
    (np.ones(10**10) there: more elements than a 32-bit index can count)."""
    return (isinstance(error, MemoryError)
            or (isinstance(error, OverflowError) and "index-sized integer" in str(error))
            or (isinstance(error, ValueError) and ("array is too big" in str(error)
                                                   or "Maximum allowed dimension exceeded" in str(error))))


def run(code: str, grade: Callable) -> Result:
    """Run the code, then its exercise's checks on what it defined.  Errors in either become the
    learner's traceback; print() output is kept."""
    output = io.StringIO()
    namespace = {"__name__": "__learner__", "np": np, "math": math}
    try:
        compiled = compile(code, FILENAME, "exec")
        with contextlib.redirect_stdout(output):
            exec(compiled, namespace)  # noqa: S102 - running the learner's code is the point
            graded = grade(namespace)
    except Exception as error:  # noqa: BLE001 - any error in their code is shown to them
        missing = (error.name or "") if isinstance(error, ModuleNotFoundError) else ""
        return Result((), output.getvalue()[:MAX_OUTPUT], learner_traceback(error, code), missing_module=missing)
    if isinstance(graded, Graded):
        return Result(tuple(graded.checks), output.getvalue()[:MAX_OUTPUT], picture=graded.picture)
    return Result(tuple(graded), output.getvalue()[:MAX_OUTPUT])


def grade(key: str, code: str) -> Result:
    return run(code, EXERCISES[key].grade)


def prepare(key: str) -> None:
    """Work a grader needs that does not depend on the learner's code (the engine's reference
    network of exercise 8): the runner does it before a run's time limit starts, and when idle."""
    if key == "training":
        engine_xor_network()


def function(namespace: dict, name: str):
    found = namespace.get(name)
    if not callable(found):
        raise NameError(f"define a function called {name}")
    return found


def close(a, b, tolerance=1e-6) -> bool:
    try:
        return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=tolerance, atol=1e-9))
    except (TypeError, ValueError):
        return False


def number(x) -> str:
    """A number in a verdict as the rest of the site writes numbers (engine.text: −0.5, not -0.5),
    to six digits.  The checks' titles are Python calls (neuron_grads(2.0, 0.5, -0.5, 1.0)), which
    keep Python's minus: a learner can paste them into the editor."""
    return plain(float(x), 6)


def shown(x) -> str:
    """A value the learner's code returned, for a message: numbers as number() writes them (in a
    tuple or a list too), anything else as Python shows it."""
    if finite_or_none(x) is not None:
        return number(x)
    if isinstance(x, (tuple, list)) and x and all(finite_or_none(v) is not None for v in x):
        inner = ", ".join(number(v) for v in x)
        return f"[{inner}]" if isinstance(x, list) else f"({inner},)" if len(x) == 1 else f"({inner})"
    return repr(x)


def kind_of(value) -> str:
    """What a learner's function returned, in words: None, a NumPy array of shape (2, 4), a tuple of 2 values."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} value{'' if len(value) == 1 else 's'}"
    return f"a {type(value).__name__}"


def finite_or_none(x) -> float | None:
    """A learner's value as a plain float for a picture, or None if it is not a finite number
    (JSON has no NaN, and a string or an array is not one gradient)."""
    try:
        value = float(x)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def inputs(count: int, seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    return [tuple(round(float(v), 3) for v in rng.uniform(-2, 2, 3)) for _ in range(count)]


# ------------------------------------------------------------------ 1. add and mul

def grade_add_mul(ns):
    add_backward, mul_backward = function(ns, "add_backward"), function(ns, "mul_backward")
    checks = []
    for a, b, upstream in inputs(4, 1):
        x, y = Value(a), Value(b)
        for name, op, theirs in (("add", x + y, add_backward(a, b, upstream)),
                                 ("mul", x * y, mul_backward(a, b, upstream))):
            for node in (x, y):
                node.grad = 0.0
            op.backward()
            expected = (upstream * x.grad, upstream * y.grad)
            if close(theirs, expected):
                continue
            hint = ""
            if name == "mul" and close(theirs, expected[::-1]):
                hint = " The inputs are swapped: ∂(a·b)/∂a is b, the other input."
            elif name == "mul" and close(theirs, (x.grad, y.grad)):
                hint = " Multiply by the upstream gradient: that is the chain rule."
            elif name == "add" and close(theirs, (upstream, 0.0)):
                hint = " Both inputs of a sum get the whole upstream gradient."
            checks.append(Check(f"{name}_backward({a}, {b}, {upstream})", False,
                                f"expected ({number(expected[0])}, {number(expected[1])}), got {shown(theirs)}.{hint}"))
            return checks
    return checks + [Check("add_backward and mul_backward on 4 inputs", True)]


# ------------------------------------------------------------------ 2. tanh and sigmoid

def grade_activations(ns):
    checks = []
    for name in ("tanh", "sigmoid"):
        forward, local = function(ns, f"{name}_forward"), function(ns, f"{name}_local")
        record = ACTIVATIONS[name]
        for z in (-3.0, -0.5, 0.0, 0.7, 2.5):
            out = float(record.output(np.array(z)))
            if not close(forward(z), out):
                checks.append(Check(f"{name}_forward({z})", False, f"expected {number(out)}, got {shown(forward(z))}."))
                return checks
            expected = float(record.derivative(np.array(z), np.array(out)))
            theirs = local(out)
            if not close(theirs, expected):
                hint = ""
                if name == "sigmoid" and close(theirs, out * (1 + out)):
                    hint = " σ′ = σ(1 − σ): check the sign."
                elif name == "tanh" and close(theirs, 1 + out * out):
                    hint = " tanh′ = 1 − tanh²: check the sign."
                elif close(theirs, _derivative_at_z(record, out)):
                    hint = " The argument is the output, not z: write the derivative in terms of it."
                checks.append(Check(f"{name}_local(out={out:.6g})", False,
                                    f"expected {number(expected)}, got {shown(theirs)}.{hint}"))
                return checks
        checks.append(Check(f"{name}: value and local derivative at 5 points", True))
    return checks


def _derivative_at_z(record, z: float) -> float:
    """The derivative taken as if its argument were z, not the output: a typical mix-up."""
    z = np.array(z)
    return float(record.derivative(z, record.output(z)))


# ------------------------------------------------------------------ 3. backward()

# Each graph: its operations in order, (node, op, left input, right input), on the inputs x, y, z;
# the last node is the output.  Only + and × (the starter's Value has those two).
BACKWARD_INPUTS = {"x": 2.0, "y": -3.0, "z": 0.5}
BACKWARD_GRAPHS = {
    "(x + y) * z": (("s", "+", "x", "y"), ("out", "*", "s", "z")),
    "a node used twice: x * x + x": (("p", "*", "x", "x"), ("out", "+", "p", "x")),
    "a longer chain: (x * y + z) * (x + z)": (("m", "*", "x", "y"), ("a", "+", "m", "z"), ("c", "+", "x", "z"),
                                              ("out", "*", "a", "c")),
}


def build_graph(node_class, steps) -> dict:
    """The graph's nodes by name, built with node_class (the learner's Value or the engine's)."""
    nodes = {name: node_class(value) for name, value in BACKWARD_INPUTS.items()}
    for name, op, left, right in steps:
        nodes[name] = nodes[left] + nodes[right] if op == "+" else nodes[left] * nodes[right]
    return nodes


def backward_picture(title, steps, theirs: dict, ours: dict) -> dict:
    """The graph with every node's value and gradient, the learner's beside the engine's."""
    used = [name for name in BACKWARD_INPUTS if any(name in step[2:] for step in steps)] + [s[0] for s in steps]
    ops = {name: (op, [left, right]) for name, op, left, right in steps}
    return {"title": title,
            "nodes": [{"name": name, "op": ops.get(name, ("", []))[0], "inputs": ops.get(name, ("", []))[1],
                       "value": float(ours[name].data),
                       "yours": finite_or_none(getattr(theirs[name], "grad", None)), "engine": float(ours[name].grad)}
                      for name in used]}


def grade_backward(ns):
    Node = ns.get("Value")
    if not isinstance(Node, type) or not callable(getattr(Node, "backward", None)):
        raise NameError("keep the class Value and give it a backward() method")
    checks = []
    for title, steps in BACKWARD_GRAPHS.items():
        theirs, ours = build_graph(Node, steps), build_graph(Value, steps)
        theirs["out"].backward()
        ours["out"].backward()
        got = [getattr(theirs[name], "grad", None) for name in BACKWARD_INPUTS]
        want = [ours[name].grad for name in BACKWARD_INPUTS]
        if not close(got, want):
            hint = ""
            if title.startswith("a node used") and close(got[0], 2.0):
                hint = " A node used twice gets gradient from both uses: add them (+=), do not overwrite."
            checks.append(Check(title, False, f"expected gradients {', '.join(number(w) for w in want)} for "
                                              f"x, y, z; got {', '.join(shown(g) for g in got)}.{hint}"))
            return Graded(checks, backward_picture(title, steps, theirs, ours))
        checks.append(Check(title, True))
    passed = backward_picture(title, steps, theirs, ours)     # the last graph, as graded: shown if all pass
    title, steps = next(iter(BACKWARD_GRAPHS.items()))
    theirs, ours = build_graph(Node, steps), build_graph(Value, steps)
    theirs["out"].backward()
    first = [theirs[name].grad for name in BACKWARD_INPUTS]
    theirs["out"].backward()
    ours["out"].backward()
    if not close([theirs[name].grad for name in BACKWARD_INPUTS], first):
        checks.append(Check("calling backward() twice", False,
                            "the second call doubled the gradients: set every node's grad to 0 before the sweep."))
        return Graded(checks, backward_picture(f"{title}, after a second backward()", steps, theirs, ours))
    checks.append(Check("calling backward() twice gives the same gradients", True))
    return Graded(checks, passed)


# ------------------------------------------------------------------ 4. one neuron

def neuron_graph(w, x, b, y):
    W, X, B = Value(w, "w"), Value(x, "x"), Value(b, "b")
    loss = ((W * X + B).sigmoid() - y) ** 2
    loss.backward()
    return loss, W.grad, X.grad, B.grad


def grade_neuron(ns):
    neuron_grads = function(ns, "neuron_grads")
    cases = [(2.0, 0.5, -0.5, 1.0)] + [(w, x, b, 1.0 if w > 0 else 0.0) for w, x, b in inputs(4, 4)]
    for w, x, b, y in cases:
        _, dw, dx, db = neuron_graph(w, x, b, y)
        theirs = neuron_grads(w, x, b, y)
        if close(theirs, (dw, dx, db)):
            continue
        hint = ""
        if close(theirs, (dw / 2, dx / 2, db / 2)):
            hint = " ∂/∂p of (p − y)² is 2(p − y): the factor 2 is missing."
        else:
            s = float(sigmoid(w * x + b))
            if close(theirs, (dw / (s * (1 - s)), dx / (s * (1 - s)), db / (s * (1 - s)))):
                hint = " The sigmoid's local derivative σ(1 − σ) is missing."
        return [Check(f"neuron_grads({w}, {x}, {b}, {y})", False,
                      f"expected (grad w, grad x, grad b) = ({number(dw)}, {number(dx)}, {number(db)}), "
                      f"got {shown(theirs)}.{hint}")]
    return [Check("the neuron's three gradients at lesson 1's values and 4 others", True)]


# ------------------------------------------------------------------ 5. the 2-2-1 network

NETWORK_PARAMS = ("w11", "w12", "b1", "w21", "w22", "b2", "w31", "w32", "b3")


def network_graph(v: dict) -> dict:
    """Lesson 2's network (tanh hidden, sigmoid output, cross-entropy) in the engine: every
    forward value and every gradient, by name."""
    leaves = {name: Value(v[name], name) for name in ("x1", "x2", *NETWORK_PARAMS)}
    x = [leaves["x1"], leaves["x2"]]
    h1 = linear([leaves["w11"], leaves["w12"]], x, leaves["b1"]).tanh()
    h2 = linear([leaves["w21"], leaves["w22"]], x, leaves["b2"]).tanh()
    yhat = linear([leaves["w31"], leaves["w32"]], [h1, h2], leaves["b3"]).sigmoid()
    loss = yhat.bce(v["y"])
    loss.backward()
    forward = {"h1": h1.data, "h2": h2.data, "yhat": yhat.data, "L": loss.data}
    return {"forward": forward, "grads": {name: node.grad for name, node in leaves.items() if name in NETWORK_PARAMS}}


def network_picture(values: dict, truth: dict, theirs) -> dict:
    """Lesson 2's network at these values: its forward values, and the nine gradients, the
    learner's beside the engine's."""
    theirs = theirs if isinstance(theirs, dict) else {}
    return {"values": {name: float(value) for name, value in {**values, **truth["forward"]}.items()},
            "yours": {name: finite_or_none(theirs.get(name)) for name in NETWORK_PARAMS},
            "engine": {name: float(truth["grads"][name]) for name in NETWORK_PARAMS}}


def grade_network(ns):
    network_grads = function(ns, "network_grads")
    rng = np.random.default_rng(5)
    cases = [{"x1": 0.6, "x2": -0.4, "y": 1.0, "w11": 0.5, "w12": -0.3, "b1": 0.1, "w21": -0.4, "w22": 0.8,
              "b2": 0.2, "w31": 0.7, "w32": -0.6, "b3": 0.05}]
    cases += [{**{k: round(float(rng.normal()), 3) for k in ("x1", "x2", *NETWORK_PARAMS)}, "y": float(i % 2)}
              for i in range(3)]
    first = None            # the picture at lesson 2's values, if every case passes
    for values in cases:
        truth = network_graph(values)
        given = {**values, **truth["forward"]}
        theirs = network_grads(dict(given))
        picture = network_picture(values, truth, theirs)
        first = first or picture
        if not isinstance(theirs, dict):
            return Graded([Check("network_grads", False, "return a dict from parameter name to gradient")], picture)
        wrong = [name for name in NETWORK_PARAMS if not close(theirs.get(name, math.nan), truth["grads"][name])]
        if wrong:
            name = wrong[0]
            return Graded([Check(f"network_grads at x = ({values['x1']}, {values['x2']})", False,
                                 f"{len(wrong)} of 9 gradients are off; the first, grad {name}, should be "
                                 f"{number(truth['grads'][name])}, got {shown(theirs.get(name))}.")], picture)
    return Graded([Check("all nine gradients, at lesson 2's values and 3 others", True)], first)


# ------------------------------------------------------------------ 6. a dense layer in matrix form

def grade_dense(ns):
    dense_backward = function(ns, "dense_backward")
    rng = np.random.default_rng(6)
    for n, fan_in, fan_out in ((4, 2, 3), (5, 3, 1), (2, 4, 4), (7, 1, 2)):
        X, W = rng.normal(size=(n, fan_in)), rng.normal(size=(fan_in, fan_out))
        b, delta = rng.normal(size=(1, fan_out)), rng.normal(size=(n, fan_out))
        expected = {"dW": X.T @ delta, "db": delta.sum(axis=0, keepdims=True), "dX": delta @ W.T}
        theirs = dense_backward(X.copy(), W.copy(), b.copy(), delta.copy())
        if not (isinstance(theirs, tuple) and len(theirs) == 3):
            return [Check("dense_backward", False, "return a tuple (dW, db, dX)")]
        for name, got in zip(("dW", "db", "dX"), theirs):
            want = expected[name]
            got = np.asarray(got, dtype=float)
            if got.size == want.size and got.shape != want.shape and name != "db":
                return [Check(f"{name} for X {n}×{fan_in}, W {fan_in}×{fan_out}", False,
                              f"{name} should have shape {want.shape} (like {name[1:]}); yours is {got.shape}: "
                              "a missing transpose?")]
            if not close(got.reshape(want.shape) if got.size == want.size else got, want):
                hint = " Sum δ over the examples (axis 0)." if name == "db" else ""
                return [Check(f"{name} for X {n}×{fan_in}, W {fan_in}×{fan_out}", False,
                              f"{name} does not match X, W and δ.{hint}")]
    return [Check("dW = Xᵀδ, db = Σδ and dX = δWᵀ on 4 random shapes", True)]


# ------------------------------------------------------------------ 7. cross-entropy from logits

def grade_bce(ns):
    loss_fn, grad_fn = function(ns, "bce_with_logits"), function(ns, "bce_grad")
    rng = np.random.default_rng(7)
    for z, y in ((rng.normal(size=6) * 3, rng.integers(0, 2, 6).astype(float)),
                 (np.array([1000.0, -1000.0, 40.0, -40.0]), np.array([0.0, 1.0, 1.0, 0.0]))):
        n = len(z)
        # the expected values from the engine's loss records, in a range where they are exact
        p = sigmoid(z)
        expected_grad = (p - y) / n
        with np.errstate(all="ignore"):
            expected_loss = float(np.mean(np.logaddexp(0.0, z) - z * y))
        with np.errstate(all="ignore"):
            got_loss, got_grad = loss_fn(z.copy(), y.copy()), np.asarray(grad_fn(z.copy(), y.copy()), dtype=float)
        if not math.isfinite(float(got_loss)):
            return [Check("bce_with_logits at z = ±1000", False,
                          "the loss overflowed: use log(1 + e^z) = logaddexp(0, z), which never overflows.")]
        if not close(got_loss, expected_loss):
            return [Check(f"bce_with_logits on {n} examples", False,
                          f"expected the mean loss {number(expected_loss)}, got {shown(got_loss)}.")]
        if not close(got_grad, expected_grad):
            hint = " Divide by n: the loss is the mean." if close(got_grad, expected_grad * n) else ""
            return [Check(f"bce_grad on {n} examples", False, f"expected (σ(z) − y)/n.{hint}")]
    return [Check("the mean loss and its gradient, also at z = ±1000", True)]


# ------------------------------------------------------------------ 8. a training loop

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)


BOUNDARY_EXTENT = (-0.5, 1.5)      # the square both XOR pictures show, in each input
BOUNDARY_RESOLUTION = 21            # grid points a side (engine.mlp.grid_points: row 0 at the top)


def learners_xor_network(params) -> MLP:
    """The engine's 2-4-1 network (tanh hidden, sigmoid output) with the learner's trained weights."""
    net = MLP([2, 4, 1], activation="tanh", output="sigmoid", loss="bce")
    net.params = [np.reshape(param, target.shape) for param, target in zip(params, net.params)]
    return net


@functools.cache
def engine_xor_network() -> MLP:
    """The engine's network for the same task, trained the same way (full-batch SGD, η = 1, 2000
    epochs): the reference picture beside the learner's."""
    net = MLP([2, 4, 1], activation="tanh", output="sigmoid", loss="bce", seed=1)
    Trainer(net, XOR_X, XOR_Y[:, 0], optimizer="sgd", lr=1.0).run(2000)
    return net


def boundary_grid(probabilities: np.ndarray) -> list:
    """Rows of the grid (top first) as plain floats, None where the network gave no number."""
    image = probabilities.reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
    return [[None if value is None else round(value, 3) for value in map(finite_or_none, row)] for row in image]


def training_picture(params) -> dict:
    grid = (*BOUNDARY_EXTENT, *BOUNDARY_EXTENT, BOUNDARY_RESOLUTION)
    net, yours = engine_xor_network(), learners_xor_network(params)
    with np.errstate(all="ignore"):     # weights of a training that diverged: NaN, drawn as no number
        return {"extent": list(BOUNDARY_EXTENT),
                "points": XOR_X.tolist(), "labels": XOR_Y[:, 0].tolist(),
                "yours": boundary_grid(yours.predict_grid(*grid)),
                "engine": boundary_grid(net.predict_grid(*grid)),
                "accuracy_yours": float(yours.accuracy(XOR_X, XOR_Y[:, 0])),
                "accuracy_engine": float(net.accuracy(XOR_X, XOR_Y[:, 0]))}


def grade_training(ns):
    train = function(ns, "train")
    params = train(XOR_X.copy(), XOR_Y.copy())
    if not (isinstance(params, (tuple, list)) and len(params) == 4):
        return [Check("train", False, f"train should return the four parameters, return W1, b1, W2, b2; "
                                      f"yours returned {kind_of(params)}.")]
    W1, b1, W2, b2 = (np.asarray(p, dtype=float) for p in params)
    if W1.shape != (2, 4) or W2.shape != (4, 1) or b1.size != 4 or b2.size != 1:
        return [Check("train", False, f"expected W1 2×4, b1 of 4, W2 4×1 and b2 of 1, got {W1.shape}, "
                                      f"{b1.shape}, {W2.shape} and {b2.shape}")]
    picture = training_picture((W1, b1, W2, b2))
    accuracy = picture["accuracy_yours"]
    if accuracy < 0.99:
        return Graded([Check("XOR accuracy", False,
                             f"the trained network gets {percent(accuracy, 0)} of XOR right; it needs 100%. "
                             "More epochs, a larger learning rate, or check the gradients.")], picture)
    return Graded([Check("the 2-4-1 network you trained gets XOR right", True)], picture)


# ------------------------------------------------------------------ 9. gradient check

def grade_gradcheck(ns):
    gradcheck = function(ns, "gradcheck")
    cases = [(lambda v: float(np.sum(v ** 2)), np.array([1.0, -2.0, 0.5])),
             (lambda v: float(np.tanh(v[0] * v[1]) + v[2]), np.array([0.3, -0.7, 2.0])),
             (lambda v: float(np.sum(sigmoid(v))), np.array([0.0, 3.0]))]
    for f, x in cases:
        expected = [finite_difference(lambda d, f=f, x=x, i=i: f(np.where(np.arange(len(x)) == i, x + d, x)), 0.0)
                    for i in range(len(x))]
        theirs = np.asarray(gradcheck(f, x.copy()), dtype=float)
        if not close(theirs, expected, 1e-7):
            one_sided = [(f(np.where(np.arange(len(x)) == i, x + 1e-5, x)) - f(x)) / 1e-5 for i in range(len(x))]
            hint = " Use central differences, (f(x + h) − f(x − h)) / 2h." if close(theirs, one_sided, 1e-7) else ""
            return [Check(f"gradcheck at {x.tolist()}", False,
                          f"expected {shown(expected)}, got {shown(theirs.tolist())}.{hint}")]
    return [Check("central differences of three functions", True)]


# ------------------------------------------------------------------ 10. find the bug

BUGGY = '''def tiny_net_grads(x, w1, w2):
    """L = (w2 * tanh(w1 * x))**2 / 2.  Returns (dL/dw1, dL/dw2)."""
    h = math.tanh(w1 * x)
    out = w2 * h
    d_out = out                  # dL/d(out)
    d_w2 = d_out * h
    d_h = d_out * w2
    d_z = d_h * (1 + h * h)      # tanh's local derivative
    d_w1 = d_z * x
    return d_w1, d_w2
'''


def grade_find_bug(ns):
    tiny = function(ns, "tiny_net_grads")
    for x, w1, w2 in inputs(4, 10):
        X, W1, W2 = Value(x), Value(w1), Value(w2)
        loss = (W2 * (W1 * X).tanh()) ** 2 * 0.5
        loss.backward()
        theirs = tiny(x, w1, w2)
        if not close(theirs, (W1.grad, W2.grad)):
            return [Check(f"tiny_net_grads({x}, {w1}, {w2})", False,
                          f"expected ({number(W1.grad)}, {number(W2.grad)}), got {shown(theirs)}. Run your gradcheck "
                          "on it: which of the two is off?")]
    return [Check("both gradients agree with the engine at 4 points", True)]


# ------------------------------------------------------------------ the exercises

STARTER_VALUE = (
    "class Value:\n"
    "    def __init__(self, data, parents=(), local=()):\n"
    "        self.data, self.grad = data, 0.0\n"
    "        self.parents, self.local = parents, local   # local: d(self)/d(parent) for each parent\n\n"
    "    def __add__(self, other):\n"
    "        return Value(self.data + other.data, (self, other), (1.0, 1.0))\n\n"
    "    def __mul__(self, other):\n"
    "        return Value(self.data * other.data, (self, other), (other.data, self.data))\n\n"
    "    def backward(self):\n"
    "        ...\n")


EXERCISES = {e.key: e for e in [
    Exercise("add-mul", "Local derivatives of + and ×",
             "Given the upstream gradient grad out, return the gradients of both inputs.",
             "def add_backward(a, b, upstream):\n    return 0.0, 0.0\n\n\n"
             "def mul_backward(a, b, upstream):\n    return 0.0, 0.0\n",
             "def add_backward(a, b, upstream):\n    return upstream, upstream\n\n\n"
             "def mul_backward(a, b, upstream):\n    return b * upstream, a * upstream\n",
             grade_add_mul),
    Exercise("activations", "tanh and sigmoid",
             "Each activation's value, and its local derivative written from its output.",
             "def tanh_forward(z):\n    ...\n\n\ndef tanh_local(out):\n    ...\n\n\n"
             "def sigmoid_forward(z):\n    ...\n\n\ndef sigmoid_local(out):\n    ...\n",
             "def tanh_forward(z):\n    return math.tanh(z)\n\n\ndef tanh_local(out):\n    return 1 - out * out\n\n\n"
             "def sigmoid_forward(z):\n    return 1 / (1 + math.exp(-z))\n\n\n"
             "def sigmoid_local(out):\n    return out * (1 - out)\n",
             grade_activations),
    Exercise("backward", "backward(): order, then one sweep",
             "Write Value.backward(): put the nodes in topological order, set every grad to 0 and the "
             "output's to 1, then go through the nodes in reverse, each adding its share to its inputs.",
             STARTER_VALUE,
             STARTER_VALUE.replace("    def backward(self):\n        ...\n",
                                   "    def backward(self):\n"
                                   "        order, seen = [], set()\n\n"
                                   "        def visit(node):\n"
                                   "            if id(node) not in seen:\n"
                                   "                seen.add(id(node))\n"
                                   "                for parent in node.parents:\n"
                                   "                    visit(parent)\n"
                                   "                order.append(node)\n\n"
                                   "        visit(self)\n"
                                   "        for node in order:\n"
                                   "            node.grad = 0.0\n"
                                   "        self.grad = 1.0\n"
                                   "        for node in reversed(order):\n"
                                   "            for parent, local in zip(node.parents, node.local):\n"
                                   "                parent.grad += node.grad * local\n"),
             grade_backward),
    Exercise("neuron", "One neuron",
             "L = (σ(w·x + b) − y)².  Return (grad w, grad x, grad b).",
             "def neuron_grads(w, x, b, y):\n    ...\n",
             "def neuron_grads(w, x, b, y):\n    s = 1 / (1 + math.exp(-(w * x + b)))\n"
             "    d_z = 2 * (s - y) * s * (1 - s)\n    return d_z * x, d_z * w, d_z\n",
             grade_neuron),
    Exercise("network", "Lesson 2's network",
             "Given every forward value (x1, x2, the weights, h1, h2, yhat, y), return a dict with the nine "
             "gradients grad w11 … grad b3 (tanh hidden, sigmoid output, cross-entropy).",
             "def network_grads(v):\n    grads = {}\n    ...\n    return grads\n",
             "def network_grads(v):\n    d_z3 = v['yhat'] - v['y']\n"
             "    grads = {'w31': d_z3 * v['h1'], 'w32': d_z3 * v['h2'], 'b3': d_z3}\n"
             "    for j, h in ((1, v['h1']), (2, v['h2'])):\n"
             "        d_z = d_z3 * v[f'w3{j}'] * (1 - h * h)\n"
             "        grads[f'w{j}1'], grads[f'w{j}2'], grads[f'b{j}'] = d_z * v['x1'], d_z * v['x2'], d_z\n"
             "    return grads\n",
             grade_network),
    Exercise("dense", "A dense layer in matrix form",
             "Y = X W + b.  Given δ = grad Y, return (dW, db, dX) with the shapes of W, b and X.",
             "def dense_backward(X, W, b, delta):\n    ...\n",
             "def dense_backward(X, W, b, delta):\n"
             "    return X.T @ delta, delta.sum(axis=0, keepdims=True), delta @ W.T\n",
             grade_dense),
    Exercise("bce", "Cross-entropy from logits",
             "The mean binary cross-entropy of σ(z) against y, from z directly (stable for z = ±1000), and "
             "its gradient with respect to z.",
             "def bce_with_logits(z, y):\n    ...\n\n\ndef bce_grad(z, y):\n    ...\n",
             "def bce_with_logits(z, y):\n    return np.mean(np.logaddexp(0, z) - z * y)\n\n\n"
             "def bce_grad(z, y):\n    return (1 / (1 + np.exp(-z)) - y) / len(z)\n",
             grade_bce),
    Exercise("training", "A training loop",
             "Train a 2-4-1 network (tanh hidden, sigmoid output, cross-entropy) on XOR with gradient "
             "descent; return (W1, b1, W2, b2).",
             "def train(X, y, epochs=2000, lr=1.0, seed=1):\n    rng = np.random.default_rng(seed)\n"
             "    W1, b1 = rng.normal(size=(2, 4)), np.zeros((1, 4))\n"
             "    W2, b2 = rng.normal(size=(4, 1)), np.zeros((1, 1))\n"
             "    for epoch in range(epochs):\n        ...\n    return W1, b1, W2, b2\n",
             "def train(X, y, epochs=2000, lr=1.0, seed=1):\n    rng = np.random.default_rng(seed)\n"
             "    W1, b1 = rng.normal(size=(2, 4)), np.zeros((1, 4))\n"
             "    W2, b2 = rng.normal(size=(4, 1)), np.zeros((1, 1))\n"
             "    for epoch in range(epochs):\n"
             "        H = np.tanh(X @ W1 + b1)\n"
             "        p = 1 / (1 + np.exp(-(H @ W2 + b2)))\n"
             "        d2 = (p - y) / len(X)\n"
             "        d1 = (d2 @ W2.T) * (1 - H ** 2)\n"
             "        W2 -= lr * H.T @ d2\n        b2 -= lr * d2.sum(axis=0, keepdims=True)\n"
             "        W1 -= lr * X.T @ d1\n        b1 -= lr * d1.sum(axis=0, keepdims=True)\n"
             "    return W1, b1, W2, b2\n",
             grade_training),
    Exercise("gradcheck", "Write gradcheck",
             "Return the central finite-difference gradient of f (a function of a 1-D array) at x.",
             "def gradcheck(f, x, h=1e-5):\n    ...\n",
             "def gradcheck(f, x, h=1e-5):\n    grad = np.zeros_like(x)\n    for i in range(len(x)):\n"
             "        step = np.zeros_like(x)\n        step[i] = h\n"
             "        grad[i] = (f(x + step) - f(x - step)) / (2 * h)\n    return grad\n",
             grade_gradcheck),
    Exercise("find-the-bug", "Find the bug",
             "This backward pass has one wrong local derivative. Find it with your gradcheck, and fix it.",
             BUGGY, BUGGY.replace("(1 + h * h)", "(1 - h * h)"), grade_find_bug),
]}

# A nudge for a learner who is stuck, shown on request: the rule to use, not the code.
HINTS = {
    "add-mul": "A sum passes the upstream gradient to both inputs unchanged (∂(a + b)/∂a = 1). A product sends "
               "each input the other input times the upstream gradient (∂(a·b)/∂a = b).",
    "activations": "tanh′(z) = 1 − tanh(z)² and σ′(z) = σ(z)(1 − σ(z)): write both with out, the value the "
                   "forward function returned, not with z.",
    "backward": "Order: visit a node's parents before appending the node itself (depth first). Then, from the "
                "output back, add node.grad × local to each parent's grad. Use +=: a node used twice gets a "
                "share from each use.",
    "neuron": "With z = w·x + b and s = σ(z): ∂L/∂s = 2(s − y), ∂s/∂z = s(1 − s), and ∂z/∂w = x, ∂z/∂x = w, "
              "∂z/∂b = 1. Multiply along the path.",
    "network": "With a sigmoid output and cross-entropy, ∂L/∂z₃ = ŷ − y. Then ∂L/∂w₃ⱼ = (ŷ − y)·hⱼ, and "
               "hidden unit j gets δⱼ = (ŷ − y)·w₃ⱼ·(1 − hⱼ²), which gives ∂L/∂wⱼ₁ = δⱼ·x₁, ∂L/∂wⱼ₂ = δⱼ·x₂ "
               "and ∂L/∂bⱼ = δⱼ.",
    "dense": "Each gradient has the shape of what it is the gradient of: dW like W, db like b (sum δ over the "
             "rows, the examples), dX like X. The shapes leave one way to multiply X, W and δ.",
    "bce": "One example's loss is log(1 + eᶻ) − z·y; np.logaddexp(0, z) computes log(1 + eᶻ) without "
           "overflow. The mean's gradient is (σ(z) − y)/n.",
    "training": "Each epoch: forward (H = tanh(XW₁ + b₁), p = σ(HW₂ + b₂)); δ₂ = (p − y)/n and "
                "δ₁ = δ₂W₂ᵀ ⊙ (1 − H²); the gradients as in exercise 6; then W −= lr·dW for every parameter.",
    "gradcheck": "For each coordinate i, nudge a copy of x by +h and another by −h in that coordinate only: "
                 "the gradient's i-th entry is (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h.",
    "find-the-bug": "Finite differences tell which of the two gradients is wrong. Follow the lines that lead to "
                    "it and check each local derivative against its rule.",
}

# ------------------------------------------------------------------ the page's state

# The link names the exercise (?exercise=neuron); the learner's code is kept in the browser's
# storage, not in the link.
STATE = StateTable(
    ChoiceProp("exercise", "add-mul", choices=tuple(EXERCISES),
               labels=tuple((key, exercise.title) for key, exercise in EXERCISES.items()), label="exercise"),
)


def read_completed(stored) -> list[str]:
    """The exercises recorded as passed, in course order, from whatever the storage held (it may
    be anything: another version, another script): only known exercise keys count."""
    if not isinstance(stored, list):
        return []
    return [key for key in EXERCISES if key in stored]


def with_completed(completed: list[str], key: str) -> list[str]:
    return read_completed(list(completed) + [key])


def all_completed(completed: list[str]) -> bool:
    return set(completed) >= set(EXERCISES)
