"""What each lesson's read-only "Python" view shows: the engine source behind the widget (pure).

The source is read at run time from the files the engine was imported from (`inspect`), so
the code on screen is the code that computed the numbers beside it: the build ships engine/
and app/ with their sources (backprop_lab/site.py, python.zip).  A listing is a few excerpts
(whole functions, or one line of a table), each under a comment naming its file and function,
numbered with the file's own line numbers; `marked` lines are the ones the current step runs.
app/ui.py CodeView puts a listing on the page; static/code-view.js shows it in CodeMirror.
The listings of engine/mlp.py's network are in app/code_view_mlp.py: lessons 1 and 2 start without
NumPy, so this module imports none.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

from engine import scalar
from engine.graph import Value, gradient_descent_step, linear


@dataclass(frozen=True)
class Excerpt:
    path: str                 # engine/graph.py
    name: str                 # Value.__mul__
    first_line: int           # the file's line number of lines[0]
    lines: tuple[str, ...]
    marked: tuple[int, ...]   # indexes into lines of the lines to highlight


def excerpt(function, mark: bool | tuple[str, ...] = False, name: str = "") -> Excerpt:
    """The source of a function (a lambda: its whole line, so `name` says where it is).  `mark`:
    True marks every line, a tuple of texts the lines that contain one of them."""
    lines, first = inspect.getsourcelines(function)
    lines = tuple(line.rstrip("\n") for line in lines)
    if mark is True:
        marked = tuple(range(len(lines)))
    else:
        marked = tuple(i for i, line in enumerate(lines) if any(text in line for text in mark or ()))
    return Excerpt(function.__module__.replace(".", "/") + ".py", name or function.__qualname__, first, lines, marked)


@dataclass(frozen=True)
class Listing:
    title: str                      # what it shows, in words: the view's accessible name
    text: str                       # the excerpts, each under a "# file: function" heading
    line_numbers: tuple[str, ...]   # per line of text: its line number in the file ("" for a heading)
    marked: tuple[int, ...]         # 1-based lines of text to highlight
    focus: int = 0                  # the 1-based line to scroll to (0: the first marked line)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(line[2:].split(": ", 1)[1] for line, number in zip(self.text.split("\n"), self.line_numbers)
                     if not number and line.startswith("# "))


def merged(excerpts: list[Excerpt]) -> list[Excerpt]:
    """Each function once, in the order first given, with the marks of all its mentions: a
    graph that computes two nodes with one op shows that op once."""
    by_name: dict[tuple[str, str], Excerpt] = {}
    for part in excerpts:
        seen = by_name.get((part.path, part.name))
        marked = part.marked if seen is None else tuple(sorted(set(seen.marked) | set(part.marked)))
        by_name[(part.path, part.name)] = Excerpt(part.path, part.name, part.first_line, part.lines, marked)
    return list(by_name.values())


def listing(title: str, excerpts: list[Excerpt], focus_last: bool = False) -> Listing:
    """The excerpts as one text (each function once); `focus_last`: scroll to the last marked
    line, not the first."""
    text, numbers, marked = [], [], []
    for part in merged(excerpts):
        if text:
            text.append("")
            numbers.append("")
        text.append(f"# {part.path}: {part.name}")
        numbers.append("")
        marked += [len(text) + 1 + i for i in part.marked]
        text += part.lines
        numbers += [str(part.first_line + i) for i in range(len(part.lines))]
    return Listing(title, "\n".join(text), tuple(numbers), tuple(marked), marked[-1] if focus_last and marked else 0)


# ---------------------------------------------------------------- lessons 1 and 2: one op of a graph

# engine.graph's op names -> the Value method that computes the value and its local derivatives.
_OP_METHODS = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__", "neg": "__neg__",
               "exp": "exp", "log": "log", "sin": "sin", "cos": "cos"}
_ACTIVATION_METHODS = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "relu", "leaky_relu": "leaky_relu",
                       "linear": "identity"}
_LOSS_METHODS = {"bce": "bce", "mse_half": "squared_error"}
# The line of backward() that a backward step runs: the chain rule, once per edge.
CHAIN_RULE_LINE = "parent.grad += node.grad * local"
# The lines of engine.graph.linear that record its local derivatives (∂z/∂w = x, ∂z/∂x = w, ∂z/∂b = 1).
LINEAR_LOCAL_LINES = ("local += [x.data, w.data]", "local.append(1.0)")


def _table_entry(table: dict, table_name: str, name: str) -> list[Excerpt]:
    """engine.scalar's (value, derivative) pair for an activation or loss: the table's line (the
    derivative is a lambda written beside the value), and the value's function when it has one."""
    value, derivative = table[name]
    parts = [excerpt(derivative, mark=True, name=f"{table_name}[{name!r}]")]
    if inspect.isfunction(value) and value.__name__ != "<lambda>" and value.__module__ == scalar.__name__:
        parts.append(excerpt(value, mark=True))
    return parts


def op_excerpts(op: str, arity: int) -> list[Excerpt]:
    """Where engine/graph.py computes a node made by `op` from `arity` parents: its value and,
    right beside it, its local derivatives.  A leaf (op "" or "input") is just a Value."""
    if op in _OP_METHODS:
        return [excerpt(getattr(Value, _OP_METHODS[op]), mark=True)]
    if op == "**":     # a number exponent (x**2) has one parent; a node exponent two
        return [excerpt(Value.__pow__, mark=True)] + ([excerpt(Value._power, mark=True)] if arity > 1 else [])
    if op == "linear" and arity > 1:
        return [excerpt(linear, mark=True)]
    if op in _ACTIVATION_METHODS:
        return ([excerpt(getattr(Value, _ACTIVATION_METHODS[op]), mark=True), excerpt(Value._activation, mark=True)]
                + _table_entry(scalar.ACTIVATIONS, "ACTIVATIONS", op))
    if op in _LOSS_METHODS:
        return ([excerpt(getattr(Value, _LOSS_METHODS[op]), mark=True), excerpt(Value._loss, mark=True)]
                + _table_entry(scalar.LOSSES, "LOSSES", op))
    return [excerpt(Value.__init__, mark=("self.data = float(data)", "self.grad = 0.0"))]


def graph_step(phase: str, op: str, arity: int, start: bool = False) -> Listing:
    """A forward step: the op that computed the node.  A backward step (the gradient flowing
    into a node's parent): that op, whose local derivative it multiplies, and backward()
    at the chain-rule line; `start`: backward() where it sets the output's gradient to 1."""
    if phase == "backward" and start:
        return listing("engine/graph.py: backward(), starting at the output",
                       [excerpt(Value.backward, mark=("self.grad = 1.0",))])
    # A long op (linear): of its lines, the step multiplies by the local derivatives it records,
    # and the view scrolls to them (below the chain rule they would be out of view above it);
    # a short op's lines stay in view above the chain-rule line, where the view scrolls.
    long_op = phase == "backward" and op == "linear" and arity > 1
    parts = [excerpt(linear, mark=LINEAR_LOCAL_LINES)] if long_op else op_excerpts(op, arity)
    if phase != "backward":
        return listing(f"engine/graph.py: {parts[0].name} computes the value and its local derivatives", parts)
    return listing(f"engine/graph.py: the local derivative from {parts[0].name}, times the upstream gradient "
                   "in backward()", parts + [excerpt(Value.backward, mark=(CHAIN_RULE_LINE,))], focus_last=not long_op)


def value_step(phase: str, node: Value | None) -> Listing:
    """graph_step for an engine node: forward, the op that made `node` (None: a leaf); backward,
    the op of `node`, the child whose local derivative the step multiplies (None: the output)."""
    if node is None:
        return graph_step(phase, "", 0, start=True)
    return graph_step(phase, node.op, len(node.parents))


def update_step() -> Listing:
    """Lesson 2's last step, w ← w − η·grad w: engine/graph.py's gradient descent on named numbers."""
    return listing("engine/graph.py: one step of gradient descent",
                   [excerpt(gradient_descent_step, mark=("value - lr * grads[name]",))])


# ---------------------------------------------------------------- lesson 1: a node, a chain of ops

def _op_of(node) -> tuple[str, int]:
    """(op, arity) of a node of app.chain_rule_model's TracedGraph: its parents as the engine
    gave them (x*x has the parent x twice; x**x is a node power, not x**2)."""
    return node.op, len(node.forward.inputs) if node.forward is not None else 0


def chosen_node(graph, key: str) -> Listing:
    """A node chosen in a graph (lesson 1's panels 1 and 5, app.chain_rule_model.TracedGraph):
    what its derivation shows was computed by the op that made it (its value; an input has
    none), the ops of the nodes that use it (each computes ∂child/∂node beside its own value)
    and backward(), which multiplies and adds them into grad node, starting at 1 at the output."""
    node = graph.nodes[key]
    if node.constant:      # a number written into the formula: a leaf with no gradient
        return listing(f"engine/graph.py: the constant {node.label} is a Value with no gradient",
                       [excerpt(Value.__init__, mark=("self.constant = constant",))])
    children = [child for child in graph.nodes.values() if key in child.inputs]
    own = op_excerpts(*_op_of(node)) if node.op != "input" or not children else []
    made = f"{own[0].name} computes {node.name}" if node.op != "input" else f"{node.name} is an input"
    if not children:       # the output, where the backward pass starts
        return listing(f"engine/graph.py: {made}; backward() starts there at 1",
                       own + [excerpt(Value.backward, mark=("self.grad = 1.0",))])
    uses = [part for child in children for part in op_excerpts(*_op_of(child))]
    names = " and ".join(dict.fromkeys(op_excerpts(*_op_of(child))[0].name for child in children))
    # Scrolled to the chain rule, with the short ops above it in view.
    return listing(f"engine/graph.py: {made}; {names} compute{'s' if ' and ' not in names else ''} its local "
                   f"derivative{'s' if len(children) > 1 else ''}; backward() adds "
                   f"{'them' if len(children) > 1 else 'it'} into grad {node.name}",
                   own + uses + [excerpt(Value.backward, mark=(CHAIN_RULE_LINE,))], focus_last=True)


def graph_ops(graph, check: bool = False) -> Listing:
    """Every op of a small graph (lesson 1's panels 2 and 3, a chain x → u → y), each computing
    its value and local derivative side by side, then backward(), which multiplies the local
    derivatives into grad x; `check`: and the finite difference that checks it (panel 3)."""
    parts = [part for node in graph.nodes.values() if node.forward is not None and node.op not in ("input", "const")
             for part in op_excerpts(*_op_of(node))]
    parts.append(excerpt(Value.backward, mark=(CHAIN_RULE_LINE,)))
    title = "engine/graph.py: each function's value and local derivative, multiplied in backward()"
    if check:
        parts.append(excerpt(scalar.finite_difference, mark=True))
        title += "; engine/scalar.py: the finite-difference check"
    return listing(title, parts)
