"""The chain-rule page's pictures as SVG and LaTeX strings, from the model's data
(app/chain_rule_model.py): computation graphs with values and gradients, and panel 3's plots.

Pure Python (no browser imports), so every picture is tested in CPython; app/chain_rule.py
puts them into the page.  Text goes through app.svg, which escapes it.
"""
from __future__ import annotations

import math

from app import svg
from app.chain_rule_model import (
    STAGES,
    Composition,
    Derivation,
    Frame,
    Lockstep,
    Stage,
    TracedGraph,
    path_edge_labels,
    path_edges,
)
from engine.graph import Value
from engine.text import exact, plain

# ---------------------------------------------------------------- a traced graph


def layout(graph: TracedGraph, column_gap, row_gap, margin=(72, 58)) -> tuple[dict, int, int]:
    """Positions for a left-to-right picture: a node's column is its longest distance from the
    output (so every input sits just left of where it is first needed), and within a column nodes
    are ordered by the height of the nodes they feed, which keeps edges from crossing."""
    keys = list(graph.nodes)
    distance = {graph.output: 0}
    for key in reversed(keys):  # children come before their parents in reversed forward order
        for parent in graph.nodes[key].inputs:
            distance[parent] = max(distance.get(parent, 0), distance[key] + 1)
    deepest = max(distance.values())
    # Slots to place in each column: the nodes, and a placeholder wherever a long edge
    # crosses the column, so that no node is put where that edge passes.
    columns = {d: [k for k in keys if distance[k] == d] for d in range(deepest + 1)}
    feeds = {key: [] for key in keys}  # slot -> the slots one column to its right that it feeds
    for parent, child in graph.edges():
        previous = child
        for d in range(distance[child] + 1, distance[parent]):
            placeholder = ("edge", parent, child, d)
            columns[d].append(placeholder)
            feeds[placeholder] = [previous]
            previous = placeholder
        feeds[parent].append(previous)
    height = {graph.output: 0.0}
    for d in range(1, deepest + 1):
        column = columns[d]
        wanted = {slot: sum(height[c] for c in feeds[slot]) / len(feeds[slot]) for slot in column}
        column.sort(key=lambda slot: wanted[slot])  # stable: on ties, nodes before placeholders
        centre = sum(wanted.values()) / len(column)
        for i, slot in enumerate(column):
            height[slot] = centre + (i - (len(column) - 1) / 2) * row_gap
    top, bottom = min(height[k] for k in keys), max(height[k] for k in keys)
    positions = {k: (margin[0] + (deepest - distance[k]) * column_gap, margin[1] + height[k] - top) for k in keys}
    return positions, int(2 * margin[0] + deepest * column_gap), int(2 * margin[1] + bottom - top + 12)


NODE_RADIUS = 32
BACKWARD_SPACING = (174, 95)   # panel 4's (column gap, row gap)
CONSTANT_RADIUS = 18

# How a node's operation is named to a screen reader.
OP_WORDS = {"+": "sum", "-": "difference", "*": "product", "/": "quotient", "**": "power", "neg": "negation",
            "linear": "weighted sum", "input": "input", "const": "constant"}
# What the small text above an operation's node says.
OP_NOTES = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "**": "power", "neg": "negate",
            "linear": "w·x + b", "sigmoid": "σ", "relu": "ReLU", "leaky_relu": "leaky ReLU"}


def draw_traced_graph(graph: TracedGraph, label: str, selected: str | None = None,
                      highlight: tuple = (), edge_labels: dict | None = None,
                      grads: dict | None = None, focusable: bool = True, marker_id: str = "arrow",
                      spacing: tuple = (200, 130), shown: svg.Box | None = None) -> str:
    """The graph as SVG.  `highlight`: (parent, child) edges to emphasise; `edge_labels`:
    {(parent, child): text}; `grads`: {key: gradient} to show under nodes (None: every
    gradient from the engine); `marker_id`: unique per graph on a page (see svg.draw_graph);
    `spacing`: (column gap, row gap); `shown`: the part of the picture to show (svg.draw_graph)."""
    picture, width, height = traced_picture(graph, selected, highlight, edge_labels, grads, spacing)
    return svg.draw_graph(picture, width, height, label, focusable, marker_id, shown)


def traced_picture(graph: TracedGraph, selected: str | None, highlight: tuple, edge_labels: dict | None,
                   grads: dict | None, spacing: tuple) -> tuple[svg.Graph, int, int]:
    """The svg.Graph of draw_traced_graph (same arguments), and its width and height."""
    positions, width, height = layout(graph, *spacing)
    if grads is None:
        grads = {k: graph.grad(k) for k, n in graph.nodes.items() if not n.constant}
    nodes = []
    for key, node in graph.nodes.items():
        x, y = positions[key]
        classes = ["const" if node.constant else "input" if node.op == "input" else "op"]
        if key == graph.output:
            classes.append("loss")
        if key == selected:
            classes.append("active")
        elif any(key in edge for edge in highlight):
            classes.append("used")
        grad = f"grad {node.name} = {plain(grads[key])}" if key in grads else ""
        if node.constant:
            # A literal number is its own title; a named constant (y*) also shows its value.
            named = node.label != exact(node.value)
            if named:
                value = svg.node_number(node.value, 24)
                nodes.append(svg.GraphNode(key, x, y, node.label, value, "", " ".join(classes),
                                           f"the constant {node.label} = {plain(node.value)}", radius=24,
                                           full_value=plain(node.value) if value != plain(node.value) else ""))
                continue
            # A long literal (0.12345678901234568) is shortened in a bigger circle, in full on hover.
            long_literal = len(node.label) * svg.MONO_CHARACTER_WIDTH > 2 * CONSTANT_RADIUS - 8
            title = svg.node_number(node.value, 24) if long_literal else node.label
            nodes.append(svg.GraphNode(key, x, y, title, "", "", " ".join(classes),
                                       f"the constant {node.label}", radius=24 if long_literal else CONSTANT_RADIUS,
                                       full_value=node.label if long_literal else ""))
            continue
        what = OP_WORDS.get(node.op, node.op)
        description = f"{node.name} = {plain(node.value)} ({what})"
        if key in grads:
            description += f", {grad}"
        note = "" if node.op == "input" else OP_NOTES.get(node.op, node.op)
        # A value too wide for its circle (528500000, undefined) is shortened; the full one is
        # in the node's hover text and accessible name.
        value = svg.node_number(node.value, NODE_RADIUS)
        nodes.append(svg.GraphNode(key, x, y, node.name, value, grad, " ".join(classes), description,
                                   radius=NODE_RADIUS, note=note,
                                   full_value=plain(node.value) if value != plain(node.value) else ""))
    edges = []
    for parent, child in graph.edges():
        on = (parent, child) in highlight
        text = (edge_labels or {}).get((parent, child), "")
        # Labels start a little before the middle, clear of the arrowheads (svg.place_labels).
        edges.append(svg.GraphEdge(parent, child, text, 2.5 if on else 1.5, 0, "active" if on else "",
                                   f"{graph.nodes[parent].name} feeds {graph.nodes[child].name}", label_at=0.45))
    return svg.Graph(nodes, edges), width, height


def derivation_picture(graph: TracedGraph, derivation: Derivation, label: str, marker_id: str) -> str:
    """Panels 1 and 5: the chosen node, and its paths to the output lit and labelled with their
    local derivatives."""
    return draw_traced_graph(graph, label, selected=derivation.key, highlight=path_edges(derivation),
                             edge_labels=path_edge_labels(derivation), marker_id=marker_id)


def composition_picture(composition: Composition) -> str:
    """Panel 2: the chain x → u → y with du/dx and dy/du on its edges."""
    labels = composition.edge_labels()
    return draw_traced_graph(composition.graph, "The chain x → u → y with the local derivative on each edge",
                             highlight=tuple(labels), edge_labels=labels, marker_id="p2-arrow")


def backward_picture(graph: TracedGraph, frames: list[Frame], index: int, withheld: bool = False) -> str:
    """Panel 4 at one frame of the backward pass: the edge being multiplied and the gradients
    so far.  Not focusable: there, the arrow keys step through the frames.  `withheld` (predict
    mode, before the answer): the edge and its local derivative, but the gradients of the frame
    before, so the node's new gradient is not shown yet."""
    def frame_picture(frame, grads=None):
        edges = (frame.edge,) if frame.edge else ()
        labels = {frame.edge: frame.edge_label} if frame.edge else {}
        return dict(selected=frame.active, highlight=edges, edge_labels=labels,
                    grads=frame.grads if grads is None else grads, spacing=BACKWARD_SPACING)

    # Every step shows the same part of the picture, around what any step draws: no empty
    # margins (the panel fits an embedding frame), and the picture keeps its size while stepping.
    areas = [svg.drawn_area(*traced_picture(graph, **frame_picture(frame))) for frame in frames]
    shown = svg.Box(min(a.left for a in areas), min(a.top for a in areas),
                    max(a.right for a in areas), max(a.bottom for a in areas))
    return draw_traced_graph(graph, f"Backward pass, step {index + 1} of {len(frames)}", focusable=False,
                             marker_id="p4-arrow", shown=shown,
                             **frame_picture(frames[index], frames[index - 1].grads if withheld and index else None))



# ---------------------------------------------------------------- panel 3: a stage's plot


def tangent_segment(a: float, fa: float, slope: float, xlim: tuple, ylim: tuple):
    """The part of the line through (a, fa) with this slope inside the plot window,
    as ((x1, y1), (x2, y2)), or None if it misses the window."""
    if not all(math.isfinite(v) for v in (a, fa, slope)):
        return None
    lo, hi = xlim
    if slope != 0:
        t1, t2 = (a + (ylim[0] - fa) / slope, a + (ylim[1] - fa) / slope)
        lo, hi = max(lo, min(t1, t2)), min(hi, max(t1, t2))
    elif not ylim[0] <= fa <= ylim[1]:
        return None
    if lo >= hi:
        return None
    return (lo, fa + slope * (lo - a)), (hi, fa + slope * (hi - a))


def plot_stage(stage: Stage, result: Lockstep, width=280, height=210, samples=121) -> str:
    """One stage's function over its window, with the current point and its tangent."""
    name = stage.derivative[0]
    axes = svg.Axes(width, height, stage.xlim, stage.ylim, xlabel=stage.argument,
                    ylabel=f"{name}({stage.argument})", margin=(12, 14, 40, 48))
    lo, hi = stage.xlim
    xs = [lo + (hi - lo) * i / (samples - 1) for i in range(samples)]
    ys = [stage.apply(Value(t)).data for t in xs]
    a, fa = result.point(stage)
    slope = result.locals[STAGES.index(stage)].value
    parts = [axes.draw(), axes.polyline(xs, ys)]
    segment = tangent_segment(a, fa, slope, stage.xlim, stage.ylim)
    if segment is not None:
        (x1, y1), (x2, y2) = segment
        parts.append(axes.polyline([x1, x2], [y1, y2], cls="tangent"))
    if stage.xlim[0] <= a <= stage.xlim[1] and stage.ylim[0] <= fa <= stage.ylim[1]:
        parts.append(axes.point(a, fa))
    label = (f"Plot of {stage.title} for {stage.argument} from {plain(lo)} to {plain(hi)}; "
             f"current point {stage.argument} = {plain(a)}, {name} = {plain(fa)}, tangent slope {plain(slope)}")
    return svg.svg(width, height, *parts, label=label, cls="plot")


# ---------------------------------------------------------------- formulas


def wrappable(formula: str) -> str:
    """Full-size fractions, but as inline math: KaTeX can break inline math after = and +,
    so a long chain wraps in a narrow column instead of being cut off."""
    return r"\displaystyle " + formula
