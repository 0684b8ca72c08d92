"""Every sentence of a lesson that predicts what a widget will show is a claim, and every claim
is checked here: the check puts the page's model in the claim's settings and tests the outcome.

One place for claims: in a page, the sentence's element carries `data-claim="<id>"` and, where
the settings can be applied, a `<a class="try-it" href="?<settings>#<widget>">` link (a button
to the learner) whose query is the page's own link format; a quick check in
static/quick-checks.json carries `"claim": "<id>"` (and `"try"`, its links, when settings apply).
The settings a check gets are read from those links through the page's StateTable, so the
lesson, its Try-it button and its test cannot drift apart.  A "Try this" item, or any prose
that says "try" or "watch", without a claim fails `test_every_prediction_in_the_prose_is_a_claim`.
"""
from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

from app import chain_rule_model, gradients_model, matrix_form_model, playground_model, step_through_model, write_it_model
from engine.graph import Value
from engine.parser import parse
from engine.registry import ACTIVATIONS
from engine.scalar import finite_difference

ROOT = Path(__file__).resolve().parent.parent
PAGE_MODELS = {"chain-rule": chain_rule_model, "step-through": step_through_model,
               "gradients": gradients_model, "playground": playground_model, "matrix-form": matrix_form_model,
               "write-it": write_it_model}
QUICK_CHECKS = json.loads((ROOT / "static" / "quick-checks.json").read_text(encoding="utf-8"))
PREDICTION_WORDS = re.compile(r"\b(try|watch)\b", re.IGNORECASE)
TRY_HEADINGS = re.compile(r"^\s*(try this|things to try)\s*$", re.IGNORECASE)


# ----------------------------------------------------------------- reading the pages

class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list = []      # Elements and text strings

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def claim(self) -> str | None:
        """The claim this element belongs to: its own data-claim or an ancestor's."""
        node = self
        while node is not None:
            if "data-claim" in node.attrs:
                return node.attrs["data-claim"]
            node = node.parent
        return None

    def in_prose(self) -> bool:
        node = self
        while node is not None:
            if "prose" in node.attrs.get("class", "").split():
                return True
            node = node.parent
        return False


class PageReader(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("document", {}, None)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in self.VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def read_page(page: str) -> Element:
    reader = PageReader()
    reader.feed((ROOT / "pages" / f"{page}.html").read_text(encoding="utf-8"))
    return reader.root


PAGES = {page: read_page(page) for page in PAGE_MODELS}


def claims_in_pages() -> dict[str, tuple[str, list[str]]]:
    """claim id -> (page, the queries of its Try-it links)."""
    found = {}
    for page, root in PAGES.items():
        for element in root.walk():
            claim_id = element.attrs.get("data-claim")
            if claim_id is None:
                continue
            assert claim_id not in found, f"claim {claim_id} appears twice"
            links = [e.attrs["href"] for e in element.walk()
                     if e.tag == "a" and "try-it" in e.attrs.get("class", "").split()]
            found[claim_id] = (page, [urlsplit(href).query for href in links])
    for page, questions in QUICK_CHECKS.items():
        for question in questions:
            claim_id = question.get("claim")
            if claim_id is not None:
                assert claim_id not in found, f"claim {claim_id} appears twice"
                found[claim_id] = (page, [urlsplit(link["href"]).query for link in question.get("try", [])])
    return found


def settings(page: str, query: str) -> dict:
    """A page's state for a Try-it link: the link must be valid as it stands."""
    values, notes = PAGE_MODELS[page].STATE.from_query(query)
    assert notes == [], f"the Try-it link ?{query} is not valid on {page}: {notes}"
    return values


# ----------------------------------------------------------------- the checks

CHECKS = {}


def claim(claim_id):
    def register(check):
        CHECKS[claim_id] = check
        return check
    return register


# Lesson 1: the chain rule

@claim("chain-rule/paths-add")
def _(states):
    """Try the preset x·y + x: grad x = y + 1."""
    (state,) = states
    assert parse(state["expr"]).variables == ("x", "y")
    f = parse(state["expr"]).evaluate(x=state["p5x"], y=state["p5y"])
    f.backward()
    x, y = (node for node in f.nodes() if node.label in ("x", "y"))
    assert x.grad == pytest.approx(y.data + 1, abs=1e-12)


@claim("chain-rule/qc-multiply")
def _(states):
    """dy/dz = 2 and dz/dx = 3 give dy/dx = 6: factors along one path multiply."""
    x = Value(0.7, "x")
    y = (x * 3) * 2
    y.backward()
    assert x.grad == pytest.approx(6.0)


@claim("chain-rule/qc-paths-add")
def _(states):
    """In f = x·y + x the two paths add: grad x = y + 1, not y · 1."""
    for x_value, y_value in [(2.0, 3.0), (-1.5, 0.25)]:
        x, y = Value(x_value, "x"), Value(y_value, "y")
        f = x * y + x
        f.backward()
        assert x.grad == pytest.approx(y_value + 1) and x.grad != pytest.approx(y_value)


@claim("chain-rule/qc-reverse-mode")
def _(states):
    """One backward pass gives the derivative with respect to every input."""
    inputs = [Value(0.1 * (i + 1), f"x{i}") for i in range(20)]
    out = sum((x * x.tanh() for x in inputs), Value(0.0))
    out.backward()                                       # one pass
    for x in inputs:
        assert x.grad == pytest.approx(math.tanh(x.data) + x.data * (1 - math.tanh(x.data) ** 2))


# Lesson 2: one training step

def network(state):
    return step_through_model.Network(state)


@claim("step-through/gradient-check")
def _(states):
    """Switch on the gradient check: backprop and finite differences agree to better than 10⁻⁹."""
    (state,) = states
    assert state["check"]
    checks = step_through_model.gradient_checks(network(state))
    assert all(check.agrees for check in checks.values())
    assert max(check.relative for check in checks.values()) < 1e-9


@claim("step-through/dead-relu")
def _(states):
    """The 2-3-1 ReLU preset: z₂ < 0, so w₂₁, w₂₂ and b₂ get gradient exactly 0 (and the others do not)."""
    (state,) = states
    net = network(state)
    assert state["units"] == 3 and state["hidden"] == "relu"
    assert net.value("z2") < 0
    assert [net.grad(name) for name in ("w21", "w22", "b2")] == [0.0, 0.0, 0.0]
    assert all(net.grad(name) != 0 for name in ("w11", "w12", "b1", "w31", "w32", "b3"))


@claim("step-through/double-w31")
def _(states):
    """Doubling w₃₁ doubles the local derivative ∂z₃/∂h₁, but grad h₁ grows by less than 2×,
    because ŷ (and with it grad z₃) moves too."""
    before, after = states
    assert after["w31"] == 2 * before["w31"]
    old, new = network(before), network(after)
    local_old, local_new = (n.grad("h1") / n.grad("z3") for n in (old, new))
    assert local_old == pytest.approx(before["w31"]) and local_new == pytest.approx(after["w31"])
    ratio = new.grad("h1") / old.grad("h1")
    assert 1.0 < ratio < 1.9
    assert new.grad("z3") != pytest.approx(old.grad("z3"), rel=0.05)


@claim("step-through/overshoot")
def _(states):
    """Squared-error preset at η = 1.5: the first steps overshoot and the loss jumps to several
    times its start before it comes down; at η = 2 it does not come back within 100 steps."""
    jumpy, too_large = states
    assert jumpy["lr"] == 1.5 and too_large["lr"] == 2.0
    run = step_through_model.train(jumpy, 100)
    losses = run.losses
    assert run.note is None and len(losses) == 101
    assert max(losses[1:6]) > 3 * losses[0]
    assert losses[-1] < 0.01 * losses[0]
    run = step_through_model.train(too_large, 100)
    assert run.losses[-1] > 10 * run.losses[0]


@claim("step-through/reuse")
def _(states):
    """grad z₃ is found once and then reused for w₃₁, w₃₂, b₃, h₁ and h₂; grad z₁ for w₁₁, w₁₂, b₁."""
    (state,) = states
    net = network(state)
    backward = [step for step in net.trace if step.phase == "backward"]
    order = [step.node for step in backward]
    for source, users in [("z3", ("w31", "w32", "b3", "h1", "h2")), ("z1", ("w11", "w12", "b1"))]:
        assert order.count(source) == 1
        for user in users:
            step = backward[order.index(user)]
            assert order.index(user) > order.index(source)
            # one multiplication away: the step starts from the gradient already found
            assert [term.child for term in step.terms] == [source]
            assert step.terms[0].upstream == net.grad(source)


@claim("step-through/qc-output-gradient")
def _(states):
    """Sigmoid output with cross-entropy: grad z₃ = ŷ − y."""
    (state,) = states
    net = network(state)
    assert state["output"] == "sigmoid" and state["loss"] == "bce"
    assert net.grad("z3") == pytest.approx(net.value("yhat") - state["y"], abs=1e-12)


@claim("step-through/qc-weight-gradient")
def _(states):
    """grad w₁₁ = grad z₁ · x₁."""
    (state,) = states
    net = network(state)
    assert net.grad("w11") == pytest.approx(net.grad("z1") * state["x1"], abs=1e-12)


@claim("step-through/qc-descent")
def _(states):
    """A positive gradient makes one gradient-descent step lower the weight (and a negative raises it)."""
    (state,) = states
    net = network(state)
    after = step_through_model.updated_values(net)
    signs = {name: np.sign(net.grad(name)) for name in net.params() if net.grad(name) != 0}
    assert 1 in signs.values() and -1 in signs.values()
    for name, sign in signs.items():
        assert np.sign(after[name] - state[name]) == -sign


# Lesson 3: vanishing and exploding gradients

def measured(state):
    """The bars the page shows for this state, before any training."""
    run = gradients_model.Run(state, state["act"], *gradients_model.make_data(state))
    run.remeasure()
    return run.measurement


def growth(measurement):
    """The first layer's gradient over the last hidden layer's."""
    return measurement.bars[0].value / measurement.bars[-2].value


@claim("gradients/large-relu-weights")
def _(states):
    """ReLU with normal weights of σ = 3: every layer's gradient is too large and it grows on the
    way back to the input."""
    (state,) = states
    assert state["act"] == "relu" and state["init"] == "normal" and state["sigma"] == 3
    measurement = measured(state)
    assert growth(measurement) > 2
    assert all(bar.status.word == "exploding" for bar in measurement.bars)


@claim("gradients/qc-sigmoid-vanishes")
def _(states):
    """A deep sigmoid stack: the gradient shrinks layer by layer to a vanishing first layer."""
    (state,) = states
    measurement = measured(state)
    assert state["act"] == "sigmoid"
    assert growth(measurement) < 0.01
    assert measurement.bars[0].status.word == "vanishing"


@claim("gradients/qc-large-weights-explode")
def _(states):
    """Large weights (σ = 3) in a deep ReLU network make the gradients explode."""
    (state,) = states
    measurement = measured(state)
    assert state["act"] == "relu" and state["sigma"] == 3
    assert all(bar.status.level == "critical" for bar in measurement.bars)
    assert growth(measurement) > 2


@claim("gradients/qc-residual")
def _(states):
    """Residual connections keep the gradient from shrinking to nothing on the way back."""
    plain, residual = states
    assert residual["residual"] and not plain["residual"]
    assert growth(measured(residual)) > 100 * growth(measured(plain))
    assert measured(residual).bars[0].status.word != "vanishing"


# Lesson 4: the playground

def trained(state, epochs, every):
    """Train as the page does; (epoch, train loss, test loss, test accuracy) every `every` epochs."""
    data = playground_model.make_data(state)
    net = playground_model.make_network(state)
    trainer = playground_model.make_trainer(net, data, state)
    X_train, X_test = data.scaler.transform(data.X_train), data.scaler.transform(data.X_test)
    history = []
    for epoch in range(every, epochs + 1, every):
        with np.errstate(all="ignore"):
            trainer.run(every)
            train_loss, _ = playground_model.evaluate(net, X_train, data.y_train)
            test_loss, test_accuracy = playground_model.evaluate(net, X_test, data.y_test)
        history.append((epoch, train_loss, test_loss, test_accuracy))
    return net, data, history


@claim("playground/one-unit-is-a-line")
def _(states):
    """XOR with one hidden unit: the boundary is a straight line, and no line separates XOR."""
    xor, one_unit = states
    assert xor["layers"] == (4,) and one_unit["layers"] == (1,)
    net, data, history = trained(one_unit, 1500, 1500)
    assert history[-1][3] < 0.8
    # The output is a monotone function of the one unit's input w·x + b, so along that
    # input the predicted class changes at most once: the boundary is a line.
    grid = np.random.default_rng(0).uniform(-2, 2, size=(2000, 2))
    weights, bias = net.params[0], net.params[1]
    order = np.argsort((grid @ weights + bias).ravel())
    classes = (net.predict_proba(grid) > 0.5).ravel()[order]
    assert np.count_nonzero(np.diff(classes.astype(int))) <= 1
    _, _, history = trained(xor, 1500, 1500)
    assert history[-1][3] > 0.9


@claim("playground/linear-diverges")
def _(states):
    """Linear activation at learning rate 10: training blows up (and the page says so)."""
    (state,) = states
    assert state["activation"] == "linear" and state["lr"] == 10
    _, _, history = trained(state, 200, 10)
    assert any(not math.isfinite(train_loss) for _, train_loss, _, _ in history)
    assert "Lower the learning rate" in playground_model.divergence_message(120, state)


@claim("playground/overfitting")
def _(states):
    """Circle, 30% noise, 10% training share, three layers of 16: the training loss keeps falling
    while the test loss turns upward; L2 at 0.01 pulls the two curves back together."""
    overfit, regularized = states
    assert regularized["reg"] == "l2" and regularized["reg_rate"] == 0.01
    _, _, history = trained(overfit, 2000, 200)
    train_losses = [h[1] for h in history]
    test_losses = [h[2] for h in history]
    assert train_losses[-1] < 0.1 * train_losses[0]
    best = int(np.argmin(test_losses))
    assert best < len(test_losses) - 1 and test_losses[-1] > 1.5 * test_losses[best]
    _, _, regularized_history = trained(regularized, 2000, 200)
    gap = history[-1][2] - history[-1][1]
    assert regularized_history[-1][2] - regularized_history[-1][1] < 0.5 * gap


@claim("playground/hidden-unit-pictures")
def _(states):
    """The small squares show each hidden unit's output over the plane; a later layer's are
    curved shapes made from the earlier units' straight-edged ones."""
    (state,) = states
    assert len(state["layers"]) >= 2
    net, data, history = trained(state, 500, 500)
    grid = np.random.default_rng(0).uniform(-2, 2, size=(2000, 2))
    first_layer = net.hidden_outputs(grid)[0]
    assert first_layer.shape[1] == state["layers"][0]
    # A first-layer unit is a function of one straight direction w·x + b: sorted along it, its
    # output only rises (or only falls), so its picture is a straight-edged ramp.
    projections = grid @ net.params[0] + net.params[1]
    for unit in range(first_layer.shape[1]):
        along = first_layer[np.argsort(projections[:, unit]), unit]
        steps = np.diff(along)
        assert (steps >= -1e-12).all() or (steps <= 1e-12).all()
    # Combined by the later layers they make a boundary no straight line could: Circle learned.
    assert state["dataset"] == "circle" and history[-1][3] > 0.9


@claim("playground/qc-overfitting")
def _(states):
    """Training loss falls while test loss rises: overfitting."""
    CHECKS["playground/overfitting"](states + [settings("playground", "dataset=circle&noise=30&train=10"
                                                                      "&layers=16,16,16&reg=l2&reg_rate=0.01")])


@claim("playground/qc-nan")
def _(states):
    """A loss that became NaN: lowering the learning rate helps (ten times smaller trains)."""
    (state,) = states
    _, _, history = trained(state, 200, 200)
    assert not math.isfinite(history[-1][1])
    _, _, history = trained({**state, "lr": state["lr"] / 10}, 200, 200)
    assert math.isfinite(history[-1][1]) and history[-1][1] < 0.7


@claim("playground/qc-no-hidden-xor")
def _(states):
    """No hidden layer: the boundary is a line, and XOR stays near chance."""
    (state,) = states
    assert state["layers"] == () and state["dataset"] == "xor"
    _, _, history = trained(state, 1000, 1000)
    assert history[-1][3] < 0.7


def trained_on_features(state, epochs):
    """Train as the page does, features and problem type included; the test set's (loss, score):
    score is accuracy, or R² for regression."""
    data = playground_model.make_data(state)
    net = playground_model.make_network(state)
    playground_model.make_trainer(net, data, state).run(epochs)
    return playground_model.evaluate(net, playground_model.network_inputs(data, data.X_test, state), data.y_test)


@claim("playground/squares-need-no-hidden-layer")
def _(states):
    """Circle with the inputs x₁² and x₂² and no hidden layer: separated; with x₁, x₂ not."""
    squares, plain = states
    assert squares["features"] == ("x1_sq", "x2_sq") and squares["layers"] == () == plain["layers"]
    assert plain["features"] == ("x1", "x2") and squares["dataset"] == "circle" == plain["dataset"]
    assert trained_on_features(squares, 150)[1] >= 0.95
    assert trained_on_features(plain, 150)[1] < 0.75


@claim("playground/regression-plane")
def _(states):
    """Regression on the Plane: the test R² passes 0.9 within 150 epochs."""
    (state,) = states
    assert state["problem"] == "regression" and state["dataset"] == "plane"
    assert trained_on_features(state, 150)[1] > 0.9


# Lesson: backprop in matrix form

@claim("matrix-form/rows-are-lesson-two")
def _(states):
    """The highlighted example's row holds lesson 2's numbers for that example (gradients ÷ n)."""
    (state,) = states
    values = matrix_form_model.run(state).values
    row, n = state["sample"] - 1, len(state["batch"])
    lesson_two = step_through_model.Network(settings("step-through", matrix_form_model.lesson_two_link(state, row)[1:]))
    assert values["H1"][row, 0] == pytest.approx(lesson_two.value("h1"), abs=1e-12)
    assert values["yhat"][row, 0] == pytest.approx(lesson_two.value("yhat"), abs=1e-12)
    assert values["d1"][row, 1] == pytest.approx(lesson_two.grad("z2") / n, abs=1e-12)


@claim("matrix-form/qc-shapes")
def _(states):
    """dW₁ = Xᵀδ₁: 2×n · n×units → 2×units, W₁'s shape."""
    (state,) = states
    values = matrix_form_model.run(state).values
    steps = {step.result: step for step in matrix_form_model.lesson_steps(state["hidden"])}
    assert matrix_form_model.shape_badge(steps["dW1"], values) == "2×4 · 4×3 → 2×3"
    assert values["dW1"].shape == values["W1"].shape
    assert matrix_form_model.lesson_steps(state["hidden"])[state["step"] - 1].result == "dW1"


@claim("matrix-form/qc-mean")
def _(states):
    """δ₂ = (ŷ − y)/n: each row is lesson 2's ŷ − y for that example, over n."""
    (state,) = states
    values = matrix_form_model.run(state).values
    n = len(state["batch"])
    assert matrix_form_model.lesson_steps(state["hidden"])[state["step"] - 1].result == "d2"
    for row in range(n):
        lesson_two = step_through_model.Network(settings("step-through",
                                                         matrix_form_model.lesson_two_link(state, row)[1:]))
        assert values["d2"][row, 0] == pytest.approx(lesson_two.grad("z3") / n, abs=1e-12)
        assert lesson_two.grad("z3") == pytest.approx(lesson_two.value("yhat") - state["batch"][row][2], abs=1e-12)


@claim("matrix-form/qc-outer-products")
def _(states):
    """dW₂ = H₁ᵀδ₂ is the sum over examples of hᵢᵀδᵢ."""
    (state,) = states
    values = matrix_form_model.run(state).values
    assert matrix_form_model.lesson_steps(state["hidden"])[state["step"] - 1].result == "dW2"
    pieces = matrix_form_model.outer_products(values, "H1", "d2")
    assert len(pieces) == len(state["batch"])
    np.testing.assert_allclose(sum(pieces), values["dW2"], atol=1e-15)


def quick_check_answer(claim_id: str) -> str:
    (question,) = [q for questions in QUICK_CHECKS.values() for q in questions if q.get("claim") == claim_id]
    (answer,) = [option["text"] for option in question["options"] if option["correct"]]
    return answer


@claim("write-it/qc-accumulate")
def _(states):
    """grad x of x·x + x at x = 2 is the engine's 5; exercise 3 with = instead of += gives 2."""
    (state,) = states
    assert state["exercise"] == "backward"
    x = Value(2.0)
    (x * x + x).backward()
    assert float(quick_check_answer("write-it/qc-accumulate")) == x.grad
    overwriting = write_it_model.EXERCISES["backward"].solution.replace("parent.grad +=", "parent.grad =")
    picture = write_it_model.grade("backward", overwriting).picture
    assert picture["title"].startswith("a node used twice: x * x + x")
    assert {n["name"]: n["yours"] for n in picture["nodes"]}["x"] == 2.0


@claim("write-it/qc-sigmoid-local")
def _(states):
    """σ′ from the output 0.8, by the engine's sigmoid record: 0.16."""
    (state,) = states
    assert state["exercise"] == "activations"
    sigmoid = ACTIVATIONS["sigmoid"]
    z = np.log(0.8 / 0.2)
    assert float(sigmoid.output(np.array(z))) == pytest.approx(0.8)
    assert float(quick_check_answer("write-it/qc-sigmoid-local")) == pytest.approx(
        float(sigmoid.derivative(np.array(z), np.array(0.8))), abs=5e-5)


@claim("write-it/qc-central")
def _(states):
    """The errors of central and one-sided differences of x³ at 1 with h = 0.01."""
    (state,) = states
    assert state["exercise"] == "gradcheck"
    central, one_sided = re.findall(r"[\d.]+", quick_check_answer("write-it/qc-central"))

    def cube(x):
        return x ** 3

    assert float(central) == pytest.approx(abs(finite_difference(cube, 1.0, 0.01) - 3), abs=5e-5)
    assert float(one_sided) == pytest.approx(abs((cube(1.01) - cube(1.0)) / 0.01 - 3), abs=5e-5)


# ----------------------------------------------------------------- the tests

FOUND = claims_in_pages()


def test_every_claim_has_a_check_and_every_check_a_claim():
    assert sorted(set(FOUND) - set(CHECKS)) == [], "claims in the lessons with no check here"
    assert sorted(set(CHECKS) - set(FOUND)) == [], "checks here whose claim is in no lesson"


def test_every_prediction_in_the_prose_is_a_claim():
    unclaimed = []
    for page, root in PAGES.items():
        elements = list(root.walk())
        for element in elements:
            if element.tag == "h2" and TRY_HEADINGS.match(element.text()):
                siblings = element.parent.children
                after = siblings[siblings.index(element) + 1:]
                for list_element in (e for e in after if isinstance(e, Element) and e.tag in ("ul", "ol")):
                    unclaimed += [(page, li.text()[:60]) for li in list_element.children
                                  if isinstance(li, Element) and li.tag == "li" and li.claim() is None]
                    break
            for text in (c for c in element.children if isinstance(c, str)):
                if (element.in_prose() and PREDICTION_WORDS.search(text) and element.claim() is None
                        and not TRY_HEADINGS.match(text)):
                    unclaimed.append((page, text.strip()[:60]))
    for page, questions in QUICK_CHECKS.items():
        unclaimed += [(page, q["question"][:60]) for q in questions if "claim" not in q]
    assert unclaimed == []


def test_every_try_it_link_is_a_valid_link_of_its_page():
    for page, queries in FOUND.values():
        for query in queries:
            settings(page, query)


@pytest.mark.parametrize("claim_id", sorted(CHECKS))
def test_claim(claim_id):
    page, queries = FOUND[claim_id]
    states = [settings(page, query) for query in queries] or [PAGE_MODELS[page].STATE.defaults()]
    CHECKS[claim_id](states)
