"""The step-through page's drawings, with app.svg: the computation graph and the loss sparkline.

Left to right: x₁ x₂ → z_j (each with its bias node above) → h_j → z_out → ŷ → L,
with the target y as a small node under L.  Weights sit on the edges from the
inputs they multiply.  Values appear on nodes once the forward pass has reached
them, gradients once the backward pass has.  An edge's thickness is |gradient|
and its colour and dash its sign: the gradient of the weight or bias it carries,
or for the other edges the gradient passed back along it.

Pure Python, tested in CPython.
"""
from __future__ import annotations

import math

from app.step_through_model import LessonStep, Network, edge_of_param, is_bias, is_weight, output_unit
from app.svg import Axes, Graph, GraphEdge, GraphNode, draw_graph, edge_width, node_number, svg
from engine.text import gradient_name, plain, pretty_name, short

WIDTH = 960
COLUMNS = {"x": 70, "z": 290, "h": 440, "out": 650, "yhat": 785, "L": 900}
TOP = 110
BIAS_RISE = 72          # a bias node sits this far above its unit


def layout(units: int) -> tuple[dict[str, tuple[float, float]], int]:
    """Node positions by label, and the picture's height."""
    spacing = 170 if units == 2 else 180
    rows = [TOP + i * spacing for i in range(units)]
    middle = (rows[0] + rows[-1]) / 2
    o = output_unit(units)
    # Inputs level with the first and last unit: two edges run straight, and the
    # slanted ones leave each input at clearly different angles (room for labels).
    at = {"x1": (COLUMNS["x"], rows[0]), "x2": (COLUMNS["x"], rows[-1])}
    for j, row in enumerate(rows, start=1):
        at[f"b{j}"] = (COLUMNS["z"], row - BIAS_RISE)
        at[f"z{j}"] = (COLUMNS["z"], row)
        at[f"h{j}"] = (COLUMNS["h"], row)
    at[f"b{o}"] = (COLUMNS["out"], middle - BIAS_RISE)
    at[f"z{o}"] = (COLUMNS["out"], middle)
    at["yhat"] = (COLUMNS["yhat"], middle)
    at["L"] = (COLUMNS["L"], middle)
    at["y"] = (COLUMNS["L"], middle + 100)
    return at, int(rows[-1] + 75)


def _edges(units: int) -> list[tuple[str, str, str]]:
    """(source, target, parameter or "") for every edge of the picture."""
    edges = [(*edge.split(">"), param) for param, edge in edge_of_param(units).items()]
    o = output_unit(units)
    edges += [(f"z{j}", f"h{j}", "") for j in range(1, units + 1)]
    edges += [(f"z{o}", "yhat", ""), ("yhat", "L", ""), ("y", "L", "")]
    return edges


def _label_position(source: str, source_y: float, target_y: float) -> float:
    """Where a weight's label sits along its edge.  Between inputs and hidden units
    slanted edges cross, so their labels sit near the source where they are apart;
    the output weights' labels sit left of the middle, clear of z_out's gradient."""
    if source.startswith("h"):
        return 0.42
    return 0.5 if abs(source_y - target_y) < 1 else 0.3


def _sign(x: float) -> int:
    return 1 if x > 0 else -1 if x < 0 else 0


def known_labels(steps: list[LessonStep], index: int, withheld: bool = False) -> tuple[set, set]:
    """(labels whose value is shown, labels whose gradient is shown) at step `index`; withheld:
    the step's own result waits (predict mode asks for it first)."""
    values, grads = set(), set()
    for step in steps[:index if withheld else index + 1]:
        if step.phase == "forward":
            values.update(("x1", "x2") if step.node == "inputs" else (step.node,))
        elif step.phase == "backward":
            grads.add(step.node)
    return values, grads


def _edge_gradient(network: Network, source: str, target: str, param: str) -> float | None:
    """The gradient an edge shows, or None for the target's edge (a constant)."""
    if param:
        return network.grad(param)
    if source == "y":
        return None
    (term,) = [t for t in network.step("backward", source).terms if t.child == target]
    return term.product


def draw(network: Network, steps: list[LessonStep], index: int, withheld: bool = False) -> str:
    """The picture at step `index` (0-based) of `steps`; withheld: without the step's own result."""
    units = network.units
    at, height = layout(units)
    step = steps[index]
    shown_values, shown_grads = known_labels(steps, index, withheld)
    edges = _edges(units)
    gradients = {(s, t): _edge_gradient(network, s, t, p) for s, t, p in edges}
    largest = max((abs(g) for g in gradients.values() if g is not None), default=0.0)

    graph = Graph()
    for label, (x, y) in at.items():
        graph.nodes.append(_node(network, label, x, y, label in shown_values or is_bias(label),
                                 label in shown_grads, step))
    for source, target, param in edges:
        key = f"{source}>{target}"
        grad = gradients[(source, target)]
        # A parameter's edge shows its gradient from that parameter's step; other
        # edges from the step of their source (whose gradient they carry back).
        known = grad is not None and (param or source) in shown_grads
        classes = "active" if key in step.active else "used" if key in step.used else ""
        label = ""
        if is_weight(param):
            label = f"{pretty_name(param)} = {short(network.value(param))}"
        description = f"{pretty_name(source)} → {pretty_name(target)}"
        if param:
            description += f", carrying {pretty_name(param)} = {plain(network.value(param))}"
        if known:
            description += f"; gradient {plain(grad)}"
        graph.edges.append(GraphEdge(
            source, target, label=label, classes=classes, description=description,
            width=edge_width(grad, largest, thickest=7.0) if known else 1.5, sign=_sign(grad) if known else 0,
            grad=(f"{gradient_name(param)} = {short(grad)}"
                  if known and is_weight(param) else ""),
            label_at=_label_position(source, at[source][1], at[target][1])))
    return draw_graph(graph, WIDTH, height, label=_summary(network, step))


def _node(network: Network, label: str, x: float, y: float, show_value: bool, show_grad: bool,
          step: LessonStep) -> GraphNode:
    name = pretty_name(label)
    if label == "y":
        value = network.values["y"]
        return GraphNode("y", x, y, "y", short(value), classes="input target" +
                         (" used" if "y" in step.used else ""),
                         description=f"target y = {plain(value)}", radius=20)
    classes = []
    if label in ("x1", "x2"):
        classes.append("input")
    elif is_bias(label):
        classes.append("param")
    elif label == "L":
        classes.append("loss")
    if label in step.active:
        classes.append("active")
    elif label in step.used:
        classes.append("used")
    value = network.value(label)
    grad = network.grad(label)
    description = f"{name} = {plain(value)}" if show_value else f"{name}: not computed yet"
    grad_text = ""
    if show_grad:
        classes.append({1: "grad-pos", -1: "grad-neg", 0: "grad-zero"}[_sign(grad)])
        grad_text = f"{gradient_name(label)} = {short(grad)}"
        description += f"; {grad_text}"
    bias = is_bias(label)
    radius = 18 if bias else 26
    # A value too wide for its circle is shortened; the full one is in the hover text (description).
    shown = node_number(value, radius, short) if show_value else ""
    # Gradients go below a node, except where edges crowd that space: below a bias
    # node are its edge and unit; below an upper hidden unit, its edge to the output.
    upper_hidden = label.startswith("h") and y < layout(network.units)[0]["yhat"][1]
    return GraphNode(label, x, y, name, shown, grad=grad_text,
                     classes=" ".join(classes), description=description,
                     radius=radius, grad_above=bias or upper_hidden)


def _summary(network: Network, step: LessonStep) -> str:
    return (f"Computation graph of the 2-{network.units}-1 network: inputs x₁ and x₂, "
            f"{network.units} hidden units, output ŷ and loss L. Now showing the {step.phase} step: {step.title}.")


def loss_sparkline(losses: list[float], width: int = 320, height: int = 130) -> str:
    """A small plot of the loss over the training steps taken (losses[0] is before the first)."""
    finite = [loss for loss in losses if math.isfinite(loss)]
    if len(finite) < 2:
        return ""
    axes = Axes(width, height, (0, len(losses) - 1), (0, max(finite) * 1.05 or 1.0),
                xlabel="training step", ylabel="L", margin=(8, 10, 40, 46))
    label = (f"Loss over {len(losses) - 1} training steps, from {plain(losses[0])} "
             f"to {plain(losses[-1])}")
    return svg(width, height, axes.draw(), axes.polyline(range(len(losses)), losses),
               axes.point(len(losses) - 1, losses[-1], r=3.5), label=label, cls="sparkline-plot")
