"""What the chain-rule page shows for a given state, as plain data and text.

Pure Python over the engine (no browser imports), so it is tested in CPython.
Every derivative here is read from an engine trace (its `Step`/`Term` records)
or from `Value.grad`; nothing is differentiated by hand.  Pictures are drawn from
these results in app/chain_rule_draw.py; app/chain_rule.py puts both into the page.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from app import predict
from app.state import BoolProp, ChoiceProp, FloatProp, StateTable, TextProp, code_view_prop
from engine.graph import Value, linear
from engine.parser import MAX_LENGTH as MAX_EXPRESSION_LENGTH
from engine.parser import Expression, ParseError, parse
from engine.scalar import finite_difference  # not engine.gradcheck: this page loads without NumPy
from engine.text import fixed, fmt, gradient_tex, partial, plain, pretty_name

# ---------------------------------------------------------------- notation in products


def factor_text(x: float) -> str:
    """A number as a factor in a plain-text product: negatives in parentheses."""
    return f"({plain(x)})" if x < 0 else plain(x)


def grouped(tex: str) -> str:
    """A LaTeX factor in parentheses when it is a sum or starts with a sign: z, 2x, (1 - v^2), (-4)."""
    if re.fullmatch(r"\([^()]*\)", tex) or not re.search(r"[+-]", tex):
        return tex
    return f"({tex})"


# ---------------------------------------------------------------- a traced graph


@dataclass(frozen=True)
class TracedNode:
    key: str              # unique in the graph: the engine label, or "<child>:<i>" for a constant
    label: str            # the engine's label: "q", "v1", "y*", "3"
    name: str             # for plain text: "v₁"
    tex: str              # for formulas: "v_{1}"
    value: float
    op: str               # "input", "+", "tanh", ... or "const"
    inputs: tuple         # keys of the nodes it is computed from
    forward: object = None   # engine Step (forward), None for constants
    backward: object = None  # engine Step (backward), None for constants

    @property
    def constant(self) -> bool:
        return self.op == "const"


class TracedGraph:
    """An engine graph after `trace()`: its nodes with values and gradients, and its edges.
    Constants (the 3 in 3·x) are nodes too, one per use, but have no gradient."""

    def __init__(self, output: Value):
        steps = output.trace()
        self.output = output.label
        forward = {s.node: s for s in steps if s.phase == "forward"}
        backward = {s.node: s for s in steps if s.phase == "backward"}
        constant_values = {n.label: n.data for n in output.nodes() if n.constant}
        # The engine's backward order: the output first, then layer by layer towards the inputs.
        self.backward_order = [s.node for s in steps if s.phase == "backward"]
        self.nodes: dict[str, TracedNode] = {}   # in forward order: parents before children
        for label, step in forward.items():
            inputs = []
            for i, parent in enumerate(step.inputs):
                if parent in forward:
                    inputs.append(parent)
                    continue
                key = f"{label}:{i}"
                value = constant_values[parent]
                self.nodes[key] = TracedNode(key, parent, pretty_name(parent), fmt(value), value, "const", ())
                inputs.append(key)
            self.nodes[label] = TracedNode(label, label, pretty_name(label), step.tex, step.result, step.op,
                                           tuple(dict.fromkeys(inputs)), step, backward.get(label))

    @property
    def output_node(self) -> TracedNode:
        return self.nodes[self.output]

    @property
    def notes(self) -> tuple[str, ...]:
        """Why values are undefined or ∞, from the engine, where it happens (not where it spreads to):
        "log is defined only for positive numbers, and u = −6 is not." """
        return tuple(dict.fromkeys(n.forward.note for n in self.nodes.values() if n.forward and n.forward.note))

    def value(self, key: str) -> float:
        return self.nodes[key].value

    def grad(self, key: str) -> float:
        """grad node (∂output/∂node, every path added), from the engine's backward pass."""
        return self.nodes[key].backward.result

    def edges(self) -> list[tuple[str, str]]:
        """(parent, child) pairs in forward order."""
        return [(parent, node.key) for node in self.nodes.values() for parent in node.inputs]

    def leaves(self) -> list[TracedNode]:
        return [n for n in self.nodes.values() if n.op == "input"]

    def factor(self, child: str, parent: str) -> Factor:
        """The local derivative ∂child/∂parent, from the parent's backward step."""
        term = next(t for t in self.nodes[parent].backward.terms if t.child == child)
        c, p = self.nodes[child], self.nodes[parent]
        return Factor(child, parent, partial(c.tex, p.tex), f"∂{c.name}/∂{p.name}",
                      term.local_formula, term.local_substituted, term.local)


# ---------------------------------------------------------------- the chain rule along paths


@dataclass(frozen=True)
class Factor:
    """One local derivative ∂child/∂parent, as the engine's trace gives it."""
    child: str
    parent: str
    symbol: str      # LaTeX ∂q/∂x
    symbol_text: str  # plain ∂q/∂x
    formula: str     # LaTeX in symbols: "z", "1 - v_{2}^2"
    numbers: str     # the same with numbers: "(-4)"
    value: float


@dataclass(frozen=True)
class Path:
    """One way from a node up to the output; factors run from the output down."""
    keys: tuple       # the node first, the output last: ("x", "q", "f")
    factors: tuple

    @property
    def value(self) -> float:
        return math.prod(f.value for f in self.factors)


# A variable used many times has as many paths; beyond this many the derivation is summarised.
MAX_PATHS = 6


def paths_to_output(graph: TracedGraph, key: str) -> list[Path]:
    """Every path from `key` up to the output (an empty one for the output itself)."""
    if key == graph.output:
        return [Path((key,), ())]
    found = []
    for term in graph.nodes[key].backward.terms:
        for above in paths_to_output(graph, term.child):
            found.append(Path((key,) + above.keys, above.factors + (graph.factor(term.child, key),)))
    return found


@dataclass(frozen=True)
class Derivation:
    """What clicking a node shows: its forward formula, its local derivative(s) and the whole
    chain-rule product from the output down to it, path by path."""
    key: str
    heading: str            # "x = −2"
    forward_tex: str        # "q = x + y" with numbers, from the trace
    local: tuple            # Factors ∂child/∂node, one per child
    explanation: str        # the engine's sentence for this backward step
    tex: str                # the chain rule from the output down to the node, symbols then numbers
    text: str               # the same as plain text, with numbers
    paths: tuple
    total: float            # grad node, from the engine's backward pass


# A long path's product shows its first three and last two factors: a chain of 39, typeset
# three times over (symbols, formulas, numbers), took KaTeX over 100 ms on every slider step.
MAX_FACTORS_SHOWN = 8


def _product(pieces: list[str], times: str) -> str:
    if not pieces:
        return "1"
    if len(pieces) > MAX_FACTORS_SHOWN:
        gap = r"\cdots" if "\\" in times else "⋯"
        pieces = [*pieces[:3], gap, *pieces[-2:]]
    return times.join(pieces)


def _joined_equalities(parts: list[str]) -> str:
    """a = b = c, leaving out a part that only repeats the one before it: "(3) = 3" is just "3"."""
    def bare(tex):
        return tex[1:-1] if re.fullmatch(r"\([^()]*\)", tex) else tex

    kept = [parts[0]]
    for part in parts[1:]:
        if bare(part) != bare(kept[-1]):
            kept.append(part)
        elif len(kept) > 1:
            kept[-1] = bare(part)
    return " = ".join(kept)


def derive(graph: TracedGraph, key: str) -> Derivation:
    node = graph.nodes[key]
    if node.constant:
        return Derivation(key, f"the constant {node.label}", "", (),
                          "A constant is not an input anyone can change, so the backward pass does not need its gradient.",
                          "", "", (), math.nan)
    paths = paths_to_output(graph, key)
    total = graph.grad(key)
    lhs, lhs_text = gradient_tex(node.tex), f"grad {node.name}"
    shown = paths[:MAX_PATHS]
    more = len(paths) - len(shown)
    # An undefined derivative gets no numbers: "(undefined) · 3" would explain nothing.
    numbered = not math.isnan(total)
    if not numbered and paths == [Path((key,), ())]:  # the output itself: not "grad f = 1 = undefined"
        tex, text = f"{lhs} = {fmt(total)}", f"{lhs_text} = {plain(total)}"
    elif len(paths) == 1:
        (path,) = paths
        tex = _joined_equalities([
            lhs,
            _product([f.symbol for f in path.factors], r" \cdot "),
            _product([grouped(f.formula) for f in path.factors], r" \cdot "),
            *([_product([grouped(f.numbers) for f in path.factors], r" \cdot ")] if numbered else []),
            fmt(total)])
        text = _joined_equalities([
            lhs_text,
            _product([f.symbol_text for f in path.factors], " · "),
            *([_product([factor_text(f.value) for f in path.factors], " · ")] if numbered else []),
            plain(total)])
    else:
        # Several paths: each one's product of local derivatives, labelled by its route, then the sum.
        terms = []
        for path in shown:
            route = r" \to ".join(graph.nodes[k].tex for k in path.keys)
            product = _product([grouped(f.formula) for f in path.factors], r" \cdot ")
            terms.append(rf"\underbrace{{{product}}}_{{{route}}}")
        symbols = " + ".join(terms)
        numbers = " + ".join(_product([grouped(f.numbers) for f in p.factors], r" \cdot ") for p in shown)
        tail = rf" + \dots\ (\text{{{more} more}})" if more else ""
        if numbered:
            tex = f"{lhs} = {symbols}{tail} = {numbers}{tail} = {fmt(total)}"
            text = (f"{lhs_text} = "
                    + " + ".join(_product([factor_text(f.value) for f in p.factors], " · ") for p in shown)
                    + (f" + … ({more} more paths)" if more else "") + f" = {plain(total)}")
        else:
            tex = f"{lhs} = {symbols}{tail} = {fmt(total)}"
            text = f"{lhs_text} = {plain(total)}"
    local = tuple(graph.factor(term.child, key) for term in node.backward.terms)
    return Derivation(key, f"{node.name} = {plain(node.value)}", node.forward.substituted, local,
                      node.backward.explanation, tex, text, tuple(paths), total)


def local_tex(factor: Factor, symbol: str | None = None) -> str:
    """∂q/∂x = 1, or ∂f/∂q = z = −4 with repeats left out.  `symbol` replaces ∂q/∂x
    (e.g. dh/dx for a function of one variable)."""
    numbers = [factor.numbers] if not math.isnan(factor.value) else []  # no "2(undefined)"
    return _joined_equalities([symbol or factor.symbol, factor.formula, *numbers, fmt(factor.value)])


def ordinary(top: str, bottom: str) -> str:
    """LaTeX dtop/dbottom, for functions of one variable."""
    return rf"\frac{{d{top}}}{{d{bottom}}}"


def route_text(graph: TracedGraph, path: Path) -> str:
    return " → ".join(graph.nodes[k].name for k in path.keys)


# ---------------------------------------------------------------- what a graph highlights


def path_edges(derivation: Derivation) -> tuple:
    """The (parent, child) edges on every path of a derivation."""
    return tuple(dict.fromkeys((f.parent, f.child) for p in derivation.paths for f in p.factors))


def path_edge_labels(derivation: Derivation) -> dict:
    """Each edge on the derivation's paths labelled with its local derivative."""
    return {(f.parent, f.child): f"{f.symbol_text} = {plain(f.value)}" for p in derivation.paths for f in p.factors}


# ---------------------------------------------------------------- panel 1: (x + y) · z


def classic_graph(x: float, y: float, z: float) -> TracedGraph:
    """f(x, y, z) = (x + y) · z with q = x + y."""
    x_, y_, z_ = Value(x, "x"), Value(y, "y"), Value(z, "z")
    q = (x_ + y_).named("q")
    return TracedGraph((q * z_).named("f"))


# ---------------------------------------------------------------- panel 2: y = f(g(x))


@dataclass(frozen=True)
class UnaryFunction:
    """A one-node function for the composition menus; □ stands for its argument."""
    key: str
    text: str       # "3□", "□²"
    tex: str        # "3□", "□^{2}"
    apply: Callable[[Value], Value]

    def of(self, argument: str) -> str:
        return self.text.replace("□", argument)

    def tex_of(self, argument: str) -> str:
        return self.tex.replace("□", argument)


UNARY_FUNCTIONS = {f.key: f for f in [
    UnaryFunction("times3", "3□", "3□", lambda v: 3 * v),
    UnaryFunction("square", "□²", "□^{2}", lambda v: v ** 2),
    UnaryFunction("cube", "□³", "□^{3}", lambda v: v ** 3),
    UnaryFunction("sin", "sin(□)", r"\sin(□)", Value.sin),
    UnaryFunction("cos", "cos(□)", r"\cos(□)", Value.cos),
    UnaryFunction("exp", "exp(□)", r"e^{□}", Value.exp),
    UnaryFunction("log", "log(□)", r"\log(□)", Value.log),
    UnaryFunction("tanh", "tanh(□)", r"\tanh(□)", Value.tanh),
    UnaryFunction("sigmoid", "σ(□)", r"\sigma(□)", Value.sigmoid),
    UnaryFunction("relu", "relu(□)", r"\mathrm{ReLU}(□)", Value.relu),
]}


def nested_text(outer: UnaryFunction, inner: str) -> str:
    """outer applied to the text of inner: (3x)², sin(3x)."""
    if "(□)" in outer.text or re.fullmatch(r"\w", inner):
        return outer.of(inner)
    return outer.of(f"({inner})")


@dataclass(frozen=True)
class Composition:
    x: float
    u: float
    y: float
    du_dx: Factor
    dy_du: Factor
    dy_dx: float        # the engine's ∂y/∂x
    formula: str        # plain: y = (3x)²
    u_tex: str          # u = 3x
    y_tex: str          # y = u^{2}
    graph: TracedGraph

    @property
    def notes(self) -> tuple[str, ...]:
        """Why u or y is undefined (outside a function's domain) or ∞, in words."""
        return self.graph.notes

    def product_text(self) -> str:
        if math.isnan(self.dy_dx):
            why = "y has no value" if math.isnan(self.y) else "one of its factors is undefined"
            return f"dy/dx = dy/du · du/dx is undefined here: {why}."
        return f"dy/dx = dy/du · du/dx = {factor_text(self.dy_du.value)} · {factor_text(self.du_dx.value)} = {plain(self.dy_dx)}"

    def edge_labels(self) -> dict:
        """The local derivative on each edge of x → u → y."""
        return {("x", "u"): f"du/dx = {plain(self.du_dx.value)}", ("u", "y"): f"dy/du = {plain(self.dy_du.value)}"}


def compose(inner_key: str, outer_key: str, x: float) -> Composition:
    inner, outer = UNARY_FUNCTIONS[inner_key], UNARY_FUNCTIONS[outer_key]
    x_ = Value(x, "x")
    u = inner.apply(x_).named("u")
    y = outer.apply(u).named("y")
    graph = TracedGraph(y)
    return Composition(x, u.data, y.data, graph.factor("u", "x"), graph.factor("y", "u"), graph.grad("x"),
                       f"y = f(g(x)) = {nested_text(outer, inner.of('x'))}",
                       f"u = {inner.tex_of('x')}", f"y = {outer.tex_of('u')}", graph)


# ---------------------------------------------------------------- panel 3: three plots in lockstep


@dataclass(frozen=True)
class Stage:
    """One function of the chain x → u = h(x) → v = g(u) → f(v), with the window it is plotted in."""
    key: str            # the engine label of the stage's output
    title: str          # "h(x) = x²"
    argument: str       # the engine label of its input
    derivative: tuple   # ("h", "x") for dh/dx
    apply: Callable[[Value], Value]
    xlim: tuple
    ylim: tuple


STAGES = (
    Stage("u", "h(x) = x²", "x", ("h", "x"), lambda v: v ** 2, (-2.0, 2.0), (-0.5, 4.0)),
    Stage("v", "g(u) = tanh(u)", "u", ("g", "u"), Value.tanh, (-1.0, 4.0), (-1.0, 1.1)),
    Stage("f", "f(v) = v²", "v", ("f", "v"), lambda v: v ** 2, (-1.0, 1.0), (-0.1, 1.0)),
)


def stage_local_tex(stage: Stage, factor: Factor) -> str:
    """dh/dx = 2x = 2(0.7) = 1.4: the stage's local derivative, named after its function."""
    return local_tex(factor, ordinary(*stage.derivative))


def chain_value(x: float) -> Value:
    """f(g(h(x))) as an engine graph, labelled x, u, v, f."""
    node = Value(x, "x")
    for stage in STAGES:
        node = stage.apply(node).named(stage.key)
    return node


@dataclass(frozen=True)
class Lockstep:
    x: float
    graph: TracedGraph
    locals: tuple          # Factor per stage: dh/dx, dg/du, df/dv
    product: float         # the engine's df/dx
    finite_difference: float

    def point(self, stage: Stage) -> tuple[float, float]:
        return self.graph.value(stage.argument), self.graph.value(stage.key)


def lockstep(x: float) -> Lockstep:
    graph = TracedGraph(chain_value(x))
    locals_ = tuple(graph.factor(s.key, s.argument) for s in STAGES)
    estimate = finite_difference(lambda t: chain_value(t).data, x)
    return Lockstep(x, graph, locals_, graph.grad("x"), estimate)


# ---------------------------------------------------------------- panel 4: a neuron's loss, backward


def neuron_graph(w: float, x: float, b: float, target: float) -> TracedGraph:
    """L = (σ(w·x + b) − y*)² with z = w·x + b as one weighted-sum node, a = σ(z), d = a − y*."""
    z = linear([Value(w, "w")], [Value(x, "x")], Value(b, "b")).named("z")
    a = z.sigmoid().named("a")
    d = (a - Value(target, "y*", tex="y^{*}", constant=True)).named("d")
    return TracedGraph((d ** 2).named("L"))


@dataclass(frozen=True)
class Frame:
    """One moment of the animated backward pass."""
    edge: tuple | None    # (parent, child) whose local derivative is being multiplied
    edge_label: str       # that local derivative, for the edge: "∂a/∂z = 0.235"
    grads: dict           # {key: gradient accumulated so far}
    active: str           # the node receiving gradient
    tex: str              # the step as LaTeX: grad z += grad a · ∂a/∂z = …
    text: str             # the same in words
    asked_tex: str = ""   # predict mode: the step before its result, grad z = grad a · ∂a/∂z = (…) · (…) = ?
    node_name: str = ""   # the node receiving gradient: "z"
    upstream_name: str = ""   # the factors: "grad a" and "∂a/∂z", their values and the product
    local_name: str = ""
    upstream: float = math.nan
    local: float = math.nan
    product: float = math.nan
    whole: bool = True    # the term is the node's whole gradient (used once; else one path's share)


def backward_frames(graph: TracedGraph) -> list[Frame]:
    """The backward pass one edge at a time, right to left in the engine's order: each frame
    multiplies an upstream gradient by one local derivative and adds it to the parent's badge."""
    out = graph.output_node
    grads = {out.key: 1.0}
    frames = [Frame(None, "", dict(grads), out.key, rf"{gradient_tex(out.tex)} = 1",
                    f"Start at the output: grad {out.name} = 1.")]
    for node in (graph.nodes[key] for key in graph.backward_order[1:]):
        for term in node.backward.terms:
            f = graph.factor(term.child, node.key)
            child = graph.nodes[term.child]
            grads[node.key] = grads.get(node.key, 0.0) + term.product
            upstream = gradient_tex(child.tex)
            tex = (rf"{gradient_tex(node.tex)} \mathrel{{+}}= {upstream} \cdot {f.symbol}"
                   rf" = ({fmt(term.upstream)}) \cdot {grouped(f.numbers)} = {fmt(term.product)}")
            text = (f"grad {node.name} += grad {child.name} · {f.symbol_text}"
                    f" = {factor_text(term.upstream)} · {factor_text(f.value)} = {plain(term.product)},"
                    f" so grad {node.name} is now {plain(grads[node.key])}.")
            asked = (rf"{gradient_tex(node.tex)} = {upstream} \cdot {f.symbol}"
                     rf" = ({fmt(term.upstream)}) \cdot {grouped(f.numbers)} = \,?")
            frames.append(Frame((node.key, term.child), f"{f.symbol_text} = {plain(f.value)}", dict(grads),
                                node.key, tex, text, asked, node.name, f"grad {child.name}", f.symbol_text,
                                term.upstream, f.value, term.product, len(node.backward.terms) == 1))
    return frames


# ---------------------------------------------------------------- predict, then reveal (issue 25)

ASK_CHOICES = (("sign", "its sign"), ("value", "its value"))
# Panel 4's step text while its result waits for the learner's prediction.
ASKED_TEXT = "Multiply the upstream gradient by the local derivative: your prediction first."


def frame_question(frame: Frame, ask: str = "sign") -> predict.Question | None:
    """Panel 4 in predict mode: before a frame's gradient is shown, its sign or its value, from
    the two factors on screen (the upstream gradient on the child's badge, the local derivative
    on the edge); None for the first frame (grad L = 1 is where the pass starts)."""
    if frame.edge is None:
        return None
    name = f"grad {frame.node_name}" if frame.whole else f"this step's term of grad {frame.node_name}"
    factors = [(f"{frame.upstream_name} (upstream)", frame.upstream), (f"{frame.local_name} (local)", frame.local)]
    product = (f"{name} = {frame.upstream_name} · {frame.local_name} = {factor_text(frame.upstream)} · "
               f"{factor_text(frame.local)} = {plain(frame.product)}")
    key = f"p4-{frame.edge[0]}-{frame.edge[1]}-{ask}"
    if ask == "value":
        tolerance = predict.shown_product_tolerance(frame.product, [plain(frame.upstream), plain(frame.local)])
        why = (f"{product}: the upstream gradient {frame.upstream_name} times the local derivative "
               f"{frame.local_name}.")
        return predict.value_question(key, name, frame.product, why, tolerance)
    return predict.sign_question(key, name, frame.product, factors)


def lockstep_question(result: Lockstep) -> predict.Question:
    """Panel 3 in predict mode: df/dx from the three local derivatives shown (to 4 decimals in the
    table; the verdict's sentence writes them as values, like its answer)."""
    names = ["".join(("d", *stage.derivative[:1], "/d", stage.derivative[1])) for stage in STAGES]
    values = [factor.value for factor in result.locals]
    shown = [fixed(value) for value in values]
    product = " · ".join(factor_text(value) for value in values)
    why = (f"df/dx = {' · '.join(names)} = {product} = {plain(result.product)}: the chain rule multiplies the "
           f"three local derivatives; {predict.product_sign_reason(list(zip(names, values)))}.")
    tolerance = predict.shown_product_tolerance(result.product, shown)
    return predict.value_question(f"p3-{result.x!r}", "df/dx", result.product, why, tolerance)


# ---------------------------------------------------------------- panel 5: your own expression

ALLOWED_VARIABLES = ("x", "y", "z")

PRESETS = (
    ("x*y + x", "x·y + x (x feeds two paths)"),
    ("(x + y) * z", "(x + y)·z"),
    ("tanh(x**2)", "tanh(x²)"),
    ("sigmoid(x*y + z)", "σ(x·y + z)"),
    ("x * exp(-x) + log(y)", "x·e⁻ˣ + log y"),
)


# Every slider step and node click redraws panel 5's graph from a new engine trace, at about
# 0.7 ms a node in the browser (and a picture of more nodes is too big to read): 225 nodes took
# 0.2-0.5 s an action, 40 take about 40 ms, which leaves room on a busy machine.
MAX_GRAPH_NODES = 40


def check_expression(text: str) -> Expression:
    """The engine's safe parser, plus this page's rules: the variables are x, y and z, and
    the graph has at most MAX_GRAPH_NODES nodes.  Raises ParseError (a ValueError) with a
    position and a message for the learner."""
    expression = parse(text)
    for name in expression.variables:
        if name not in ALLOWED_VARIABLES:
            found = re.search(rf"\b{re.escape(name)}\b", text)
            raise ParseError(f"unknown variable {name!r}; this box uses x, y and z", found.start() if found else 0)
    # Building the graph without its trace is quick; the trace is what costs.
    size = len(expression.evaluate(**{name: 1.0 for name in expression.variables}).nodes())
    if size > MAX_GRAPH_NODES:
        raise ParseError(f"its graph would have {size} nodes; this panel draws at most {MAX_GRAPH_NODES}",
                         len(text.rstrip()))
    return expression


def expression_graph(expression: Expression, values: dict) -> TracedGraph:
    return TracedGraph(expression.evaluate(**{name: values[name] for name in expression.variables}))


def caret_line(text: str, position: int) -> str:
    """A line with ^ under the character the parser complains about (for a <pre>)."""
    return text + "\n" + " " * max(0, min(position, len(text))) + "^"


# ---------------------------------------------------------------- the page's state (URL and controls)


def _check_node_key(text: str) -> None:
    # A node key of some expression graph; whether it exists is checked against the graph later.
    if not re.fullmatch(r"[A-Za-z0-9:]{1,12}", text):
        raise ValueError("not a node name")


STATE = StateTable(
    ChoiceProp("panel", "1", choices=("1", "2", "3", "4", "5"), label="panel shown when embedded"),
    FloatProp("p1x", -2.0, low=-8.0, high=8.0, step=0.1, label="panel 1 x"),
    FloatProp("p1y", 5.0, low=-8.0, high=8.0, step=0.1, label="panel 1 y"),
    FloatProp("p1z", -4.0, low=-8.0, high=8.0, step=0.1, label="panel 1 z"),
    ChoiceProp("p1node", "x", choices=("x", "y", "z", "q", "f"), label="panel 1 node"),
    FloatProp("p2x", 2.0, low=-3.0, high=3.0, step=0.1, label="panel 2 x"),
    # The menus name each function of its own variable: 3x inside, 3u outside.
    ChoiceProp("p2g", "times3", choices=tuple(UNARY_FUNCTIONS), label="inner function",
               labels=tuple((key, f.of("x")) for key, f in UNARY_FUNCTIONS.items())),
    ChoiceProp("p2f", "square", choices=tuple(UNARY_FUNCTIONS), label="outer function",
               labels=tuple((key, f.of("u")) for key, f in UNARY_FUNCTIONS.items())),
    FloatProp("p3x", 0.7, low=-2.0, high=2.0, step=0.01, label="panel 3 x"),
    FloatProp("p4w", 2.0, low=-100.0, high=100.0, label="w"),
    FloatProp("p4x", 0.5, low=-100.0, high=100.0, label="x"),
    FloatProp("p4b", -0.5, low=-100.0, high=100.0, label="b"),
    FloatProp("p4y", 1.0, low=-100.0, high=100.0, label="y*"),
    # The same length limit as the expression box (the parser's), so a link keeps what the box took.
    TextProp("expr", PRESETS[0][0], check=check_expression, label="expression",
             max_length=MAX_EXPRESSION_LENGTH),
    FloatProp("p5x", 2.0, low=-4.0, high=4.0, step=0.1, label="panel 5 x"),
    FloatProp("p5y", 3.0, low=-4.0, high=4.0, step=0.1, label="panel 5 y"),
    FloatProp("p5z", 1.0, low=-4.0, high=4.0, step=0.1, label="panel 5 z"),
    TextProp("p5node", "x", check=_check_node_key, label="panel 5 node"),
    # Predict mode (panels 3 and 4): the learner predicts before a gradient is shown.
    BoolProp("predict", False, label="predict first"),
    ChoiceProp("p4ask", "sign", choices=tuple(key for key, _ in ASK_CHOICES), labels=ASK_CHOICES,
               label="what panel 4 asks"),
    # Each panel's Python view open (code_view_prop): p4code=1 opens panel 4's.
    *[code_view_prop(f"p{panel}code", f"panel {panel} Python view") for panel in range(1, 6)],
)
