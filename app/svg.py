"""SVG pictures as strings: computation graphs and plots with real axes.

Pure Python (no browser imports), so pictures are tested in CPython.  Every piece
of text goes through `esc`, so nothing a learner typed can become markup.
Colours come from CSS classes (static/site.css), so light/dark themes and the
colour-blind-safe palette apply everywhere.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from app.state import parse_number
from engine.text import plain, scientific, short


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def tag(name: str, attrs: dict | None = None, *children: str) -> str:
    """<name a="1">children</name>; attributes with value None are left out."""
    parts = [name]
    for key, value in (attrs or {}).items():
        if value is None:
            continue
        if isinstance(value, float):
            value = f"{value:.2f}"
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{esc(value)}"')
    opening = " ".join(parts)
    if not children:
        return f"<{opening}/>"
    return f"<{opening}>{''.join(children)}</{name}>"


def text(x, y, content, cls=None, anchor="middle", **attrs) -> str:
    return tag("text", {"x": x, "y": y, "class": cls, "text-anchor": anchor, **attrs}, esc(content))


def svg(width, height, *children, label="", cls=None, role="img", origin=(0, 0)) -> str:
    left, top = origin
    return tag("svg", {"viewBox": f"{left:g} {top:g} {width:g} {height:g}", "class": cls, "role": role,
                       "aria-label": label or None, "xmlns": "http://www.w3.org/2000/svg"}, *children)


# ---------------------------------------------------------------- graphs

@dataclass
class GraphNode:
    key: str                 # identifies the node to the page (data-key)
    x: float
    y: float
    title: str               # name shown in the node, e.g. "z₁"
    value: str = ""          # shown under the title, e.g. "0.52"
    grad: str = ""           # shown below the node once known, e.g. "grad z₁ = −0.12"
    classes: str = ""        # e.g. "active", "input", "loss"
    description: str = ""    # accessible name; also the hover tooltip
    radius: float = 24
    grad_above: bool = False  # put the gradient above the node (when edges crowd below it)
    note: str = ""           # small text above the node, e.g. its operation ("+", "σ")
    full_value: str = ""     # the exact value when `value` is shortened to fit (node_number)


@dataclass
class GraphEdge:
    source: str
    target: str
    label: str = ""          # e.g. a weight's name and value
    width: float = 2.0       # stroke width; edge_width() scales |gradient| or |weight| to it
    sign: int = 0            # +1 → positive colour, −1 → negative colour, 0 → neutral
    classes: str = ""
    description: str = ""
    grad: str = ""           # shown under the label once known, e.g. "grad w₁₁ = −0.18"
    label_at: float = 0.55   # where the label sits along the edge (0 = source, 1 = target)


@dataclass
class Graph:
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    # Place the edges' labels before the nodes' gradients: for a graph whose edge labels have
    # less room than the gradients (lesson 6's network, where a node's gradient can move sideways).
    edge_labels_first: bool = False


SIGN_CLASS = {1: "pos", -1: "neg", 0: "zero"}


def edge_width(magnitude: float, largest: float, thinnest=1.5, thickest=9.0) -> float:
    """Stroke width for |value| relative to the largest on screen (square-root scale,
    so small gradients stay visible)."""
    if not (largest > 0 and math.isfinite(magnitude)):
        return thinnest
    return thinnest + (thickest - thinnest) * math.sqrt(min(abs(magnitude) / largest, 1.0))


# A node's value sits this far below its centre, in 12 px monospace (site.css .node-value).
VALUE_BASELINE = 13
MONO_CHARACTER_WIDTH = 7.3


def value_room(radius: float) -> float:
    """How wide a node's value may be: the circle's chord at the value's line, less a margin."""
    return 2 * math.sqrt(max(radius ** 2 - (VALUE_BASELINE - 4) ** 2, 0.0)) - 6


def node_number(x: float, radius: float, preferred=plain) -> str:
    """The text of a node's value that fits its circle: `preferred` (e.g. 0.6225, 528500000)
    if it fits, else shorter forms (0.622, 5.3×10⁸, 5×10⁸; "undef." for undefined).  The
    page puts the full value in the node's hover text and accessible name (GraphNode.full_value)."""
    room = value_room(radius)
    candidates = [preferred(x), short(x)]
    if math.isnan(x):
        candidates.append("undef.")
    elif math.isfinite(x) and x != 0:
        candidates += [short(x, 2), short(x, 1)]
    for candidate in candidates:
        if len(candidate) * MONO_CHARACTER_WIDTH <= room:
            return candidate
    return min(candidates, key=len)


def node_value(value: str, radius: float) -> str:
    """A node's value, squeezed (textLength) in the rare case that even its shortest form
    (node_number) is wider than the circle at its line, so that it never spills over the edge."""
    room = value_room(radius)
    if len(value) * MONO_CHARACTER_WIDTH <= room:
        return text(0, VALUE_BASELINE, value, "node-value")
    return text(0, VALUE_BASELINE, value, "node-value", textLength=f"{room:.1f}", lengthAdjust="spacingAndGlyphs")


# ---------------------------------------------------------------- where labels go
#
# Edge labels and node gradients are placed so that they overlap no node, no other label and
# no line: each label tries a few positions (along its edge, on either side of the line; below
# or above its node) and takes the first that is clear.  A label whose every position is
# blocked takes the least blocked one.  Text widths are estimated from the 12 px monospace
# the labels are drawn in (site.css .edge-label, .node-grad).

LINE_HEIGHT = 15        # one line of 12 px label text
ASCENT = 11             # from a line's top to its baseline
LABEL_GAP = 3           # between a label and the line it labels


@dataclass(frozen=True, slots=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom

    def touches_circle(self, cx: float, cy: float, radius: float) -> bool:
        nearest_x, nearest_y = min(max(cx, self.left), self.right), min(max(cy, self.top), self.bottom)
        return math.hypot(cx - nearest_x, cy - nearest_y) < radius

    def inside(self, width: float, height: float) -> bool:
        return self.left >= 0 and self.top >= 0 and self.right <= width and self.bottom <= height

    def crosses(self, x1: float, y1: float, x2: float, y2: float) -> bool:
        """Whether the segment (x1, y1)–(x2, y2) passes through the box (Liang–Barsky clipping)."""
        low, high = 0.0, 1.0
        dx, dy = x2 - x1, y2 - y1
        for p, q in ((-dx, x1 - self.left), (dx, self.right - x1), (-dy, y1 - self.top), (dy, self.bottom - y1)):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return True


def text_width(content: str) -> float:
    return len(content) * MONO_CHARACTER_WIDTH + 4     # + the halo on both ends


def label_box(cx: float, cy: float, lines: list[str]) -> Box:
    """The box of centred lines of label text around (cx, cy)."""
    half_width = max(text_width(line) for line in lines) / 2
    half_height = len(lines) * LINE_HEIGHT / 2
    return Box(cx - half_width, cy - half_height, cx + half_width, cy + half_height)


def text_box(x: float, baseline: float, content: str, anchor: str = "middle") -> Box:
    """The box of one line of 12 px monospace text as drawn by `text` (for checking pictures)."""
    width = text_width(content)
    left = {"start": x, "end": x - width}.get(anchor, x - width / 2)
    return Box(left, baseline - ASCENT, left + width, baseline - ASCENT + LINE_HEIGHT)


def baselines(box: Box, count: int) -> list[float]:
    return [box.top + ASCENT + i * LINE_HEIGHT for i in range(count)]


def note_box(node: GraphNode) -> Box:
    return text_box(node.x, node.y - node.radius - 7, node.note)


def edge_ends(a: GraphNode, b: GraphNode) -> tuple[float, float, float, float]:
    """Where the line from a to b starts and ends: at the circles, with room for the arrowhead."""
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    return (a.x + dx / length * a.radius, a.y + dy / length * a.radius,
            b.x - dx / length * (b.radius + 2), b.y - dy / length * (b.radius + 2))


def edge_label_spots(ends: tuple, lines: list[str], start: float) -> list[tuple[float, float]]:
    """Centres to try for an edge's label: from `start` along the edge outwards, each on either
    side of the line, just far enough off it that the line does not run through the text."""
    x1, y1, x2, y2 = ends
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    normal_x, normal_y = -(y2 - y1) / length, (x2 - x1) / length   # for a left-to-right edge: down
    box = label_box(0, 0, lines)
    reach = (box.right * abs(normal_x) + box.bottom * abs(normal_y)) + LABEL_GAP
    fractions = [start]
    for step in (0.1, 0.2, 0.3, 0.4):
        fractions += [f for f in (start - step, start + step) if 0.12 <= f <= 0.88]
    spots = []
    for distance in (reach, reach + LINE_HEIGHT, reach + 2 * LINE_HEIGHT):   # near the line first
        for fraction in fractions:
            px, py = x1 + (x2 - x1) * fraction, y1 + (y2 - y1) * fraction
            for side in (-1, 1):   # above a left-to-right edge first
                spots.append((px + side * normal_x * distance, py + side * normal_y * distance))
    return spots


def grad_spots(node: GraphNode) -> list[tuple[float, float]]:
    """Centres to try for the gradient under (or above, if node.grad_above) a node."""
    below = node.y + node.radius + 4 + LINE_HEIGHT / 2
    above = node.y - node.radius - (LINE_HEIGHT + 4 if node.note else 2) - LINE_HEIGHT / 2
    near = [above, below] if node.grad_above else [below, above]
    further = [y + LINE_HEIGHT if y == below else y - LINE_HEIGHT for y in near]
    # Centred on the node first, then shifted half a label sideways; a row further out last.
    shift = text_width(node.grad) / 2
    return [(node.x + dx, y) for rows in (near, further) for dx in (0, shift, -shift) for y in rows]


@dataclass
class Placement:
    """Where draw_graph puts each label: {edge index: box} and {node key: box}."""
    edges: dict = field(default_factory=dict)
    nodes: dict = field(default_factory=dict)


def edge_lines(edge: GraphEdge) -> list[str]:
    """The texts an edge shows: its label, and under it its gradient."""
    return [line for line in (edge.label, edge.grad) if line]


class Obstacles:
    """What a label must keep clear of, each as (bounding box, kind, what), in a grid of square
    cells: a label is compared only with what shares a cell with it (a 40-node graph has some
    3000 spots to try against a hundred obstacles)."""
    CELL = 100

    def __init__(self):
        self.cells: dict[tuple[int, int], list] = {}

    def _cells(self, box: Box):
        for column in range(int(box.left // self.CELL), int(box.right // self.CELL) + 1):
            for row in range(int(box.top // self.CELL), int(box.bottom // self.CELL) + 1):
                yield column, row

    def add(self, box: Box, kind: str, what=None):
        entry = (box, kind, what)
        for cell in self._cells(box):
            self.cells.setdefault(cell, []).append(entry)

    def near(self, box: Box) -> list:
        """What may touch the box: the entries whose bounding box overlaps it, once each."""
        found, seen = [], set()
        for cell in self._cells(box):
            for entry in self.cells.get(cell, ()):
                if id(entry) not in seen:
                    seen.add(id(entry))
                    if entry[0].overlaps(box):
                        found.append(entry)
        return found


def place_labels(graph: Graph, width: float, height: float) -> Placement:
    """Positions for every node gradient and edge label, clear of nodes, of each other and of
    lines where possible (see the section comment)."""
    by_key = {n.key: n for n in graph.nodes}
    ends = [edge_ends(by_key[e.source], by_key[e.target]) for e in graph.edges]
    obstacles = Obstacles()
    for n in graph.nodes:
        obstacles.add(Box(n.x - n.radius - 2, n.y - n.radius - 2, n.x + n.radius + 2, n.y + n.radius + 2), "node", n)
        if n.note:
            obstacles.add(note_box(n), "label")
    for i, (x1, y1, x2, y2) in enumerate(ends):
        obstacles.add(Box(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)), "line", (i, (x1, y1, x2, y2)))
    placement = Placement()

    def best(spots, lines, own_edge=None):
        """The first spot that is clear, else the least blocked: by the nodes and labels it would
        cover (+ 1 if it sticks out of the picture), then by the lines it would cross."""
        chosen, chosen_cost = None, None
        size = label_box(0, 0, lines)
        for cx, cy in spots:
            box = Box(cx + size.left, cy + size.top, cx + size.right, cy + size.bottom)
            near = obstacles.near(box)
            blocked = int(not box.inside(width, height)) + sum(
                kind == "label" or (kind == "node" and box.touches_circle(what.x, what.y, what.radius + 2))
                for _, kind, what in near)
            if chosen_cost is not None and blocked > chosen_cost[0]:
                continue   # worse whatever lines it crosses
            crossed = sum(kind == "line" and what[0] != own_edge and box.crosses(*what[1]) for _, kind, what in near)
            if chosen_cost is None or (blocked, crossed) < chosen_cost:
                chosen, chosen_cost = box, (blocked, crossed)
                if chosen_cost == (0, 0):
                    break
        obstacles.add(chosen, "label")
        return chosen

    def place_nodes():
        for node in graph.nodes:
            if node.grad:
                placement.nodes[node.key] = best(grad_spots(node), [node.grad])

    if not graph.edge_labels_first:
        place_nodes()
    for i, edge in enumerate(graph.edges):
        lines = edge_lines(edge)
        if lines:
            placement.edges[i] = best(edge_label_spots(ends[i], lines, edge.label_at), lines, own_edge=i)
    if graph.edge_labels_first:
        place_nodes()
    return placement


def drawn_area(graph: Graph, width: float, height: float, padding: float = 6) -> Box:
    """The box around everything draw_graph draws in a width × height area: circles, notes, labels."""
    placement = place_labels(graph, width, height)
    boxes = [Box(n.x - n.radius, n.y - n.radius, n.x + n.radius, n.y + n.radius) for n in graph.nodes]
    boxes += [note_box(n) for n in graph.nodes if n.note]
    boxes += [*placement.nodes.values(), *placement.edges.values()]
    return Box(max(0, min(b.left for b in boxes) - padding), max(0, min(b.top for b in boxes) - padding),
               min(width, max(b.right for b in boxes) + padding), min(height, max(b.bottom for b in boxes) + padding))


def draw_graph(graph: Graph, width: int, height: int, label: str, focusable=True, marker_id="arrow",
               shown: Box | None = None) -> str:
    """Nodes are circles with title/value; edges are lines with a label beside them (place_labels).
    Focusable nodes carry tabindex/role so the page can make them keyboard-operable.
    Give each graph on a page its own marker_id: ids are page-wide, and an arrowhead whose
    marker sits in a hidden graph is not drawn.  `shown`: the part of the width × height area
    the picture shows (e.g. drawn_area's, without empty margins); all of it by default."""
    # Arrowheads in user units: a fixed size, so thick edges do not grow huge heads.
    parts = [tag("defs", {}, tag("marker", {"id": marker_id, "viewBox": "0 0 10 10", "refX": 9, "refY": 5,
                                            "markerWidth": 11, "markerHeight": 11, "markerUnits": "userSpaceOnUse",
                                            "orient": "auto-start-reverse"},
                                 tag("path", {"d": "M0 0 10 5 0 10z", "class": "arrowhead"})))]
    by_key = {n.key: n for n in graph.nodes}
    placement = place_labels(graph, width, height)
    for i, e in enumerate(graph.edges):
        x1, y1, x2, y2 = edge_ends(by_key[e.source], by_key[e.target])
        classes = f"edge {SIGN_CLASS[e.sign]} {e.classes}".strip()
        line = tag("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke-width": e.width,
                            "marker-end": f"url(#{marker_id})"})
        title = tag("title", {}, esc(e.description)) if e.description else ""
        captions = []
        if i in placement.edges:   # the label, and under it the gradient (either may be missing)
            box = placement.edges[i]
            lines = [(content, cls) for content, cls in ((e.label, "edge-label"), (e.grad, "edge-label edge-grad"))
                     if content]
            for baseline, (content, cls) in zip(baselines(box, len(lines)), lines):
                captions.append(text((box.left + box.right) / 2, baseline, content, cls))
        parts.append(tag("g", {"class": classes, "data-source": e.source, "data-target": e.target},
                         title, line, *captions))
    for n in graph.nodes:
        attrs = {"class": f"node {n.classes}".strip(), "data-key": n.key, "transform": f"translate({n.x:.1f},{n.y:.1f})"}
        if focusable:
            # The accessible name comes from the visible texts (WCAG "label in name");
            # the longer description is announced after it.
            attrs.update({"tabindex": "0", "role": "button", "aria-description": n.description or None})
            if n.full_value:   # a shortened number: the name says the full one too
                attrs["aria-label"] = " ".join(part for part in (n.title, n.value, f"({n.full_value})", n.grad) if part)
        # Focusable nodes carry the description in aria-description instead of a <title>,
        # whose text would otherwise become part of their accessible name; a shortened number's
        # full value is their <title> (hover), and in their aria-label.
        tooltip = tag("title", {}, esc(n.description)) if n.description and not focusable else ""
        if focusable and n.full_value:
            tooltip = tag("title", {}, esc(f"{n.title} = {n.full_value}" if n.value else n.full_value))
        children = [tooltip,
                    tag("circle", {"r": n.radius}),
                    text(0, -3 if n.value else 5, n.title, "node-title")]
        if n.value:
            children.append(node_value(n.value, n.radius))
        if n.key in placement.nodes:
            box = placement.nodes[n.key]
            children.append(text((box.left + box.right) / 2 - n.x, baselines(box, 1)[0] - n.y, n.grad, "node-grad"))
        if n.note:
            children.append(text(0, -n.radius - 7, n.note, "node-note"))
        parts.append(tag("g", attrs, *children))
    # role="img" would hide the focusable nodes from assistive technology; "group" keeps them.
    shown = shown or Box(0, 0, width, height)
    return svg(round(shown.right - shown.left), round(shown.bottom - shown.top), *parts, label=label,
               cls="graph", role="group" if focusable else "img", origin=(round(shown.left), round(shown.top)))


# ---------------------------------------------------------------- plots

def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2, 2.5, 5 × 10^k steps).  Any finite bounds
    give ticks: huge ones (the span is computed without overflowing), tiny ones (ticks are
    rounded relative to the step) and equal ones (one tick)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [value for value in (lo, hi) if math.isfinite(value)][:1]
    if hi <= lo:
        return [lo]
    raw = hi / count - lo / count            # (hi - lo) / count, which would overflow near ±1.8e308
    if not raw > 1e-300:                     # a span at the very bottom of float's range
        return [lo]
    exponent = math.floor(math.log10(raw))
    magnitude = 10.0 ** exponent
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    # Rounding to the step's own decimals removes float noise such as 0.6000000000000001 from
    # the labels, at any scale; a span below float resolution can give one value twice.
    ticks = sorted({round(k * step, 2 - exponent) + 0.0 for k in range(first, last + 1)})
    return [t for t in ticks if lo - step * 1e-6 <= t <= hi + step * 1e-6] or [lo]


def format_tick(value: float, digits: int = 1) -> str:
    """A tick label: plain for 0.001 <= |value| < 10⁴ (at least 4 significant digits),
    otherwise like 2×10⁵ (a power of ten alone as 10⁵), with `digits` significant digits."""
    if value == 0 or not math.isfinite(value):
        return plain(value)
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        label = scientific(value, digits)       # a power of ten alone reads 10⁵, as log axes write it
        return label.replace("1×10", "10", 1) if label.lstrip("−").startswith("1×") else label
    return plain(value, max(4, digits))


def tick_labels(ticks: list[float]) -> list[str]:
    """The label of each tick with the fewest digits that still give its value (to a millionth
    of the tick spacing), so that neighbouring ticks never read alike: ticks near 10¹⁵ read
    1.0000000000002×10¹⁵ and 1.0000000000004×10¹⁵, not "10¹⁵" five times; 25000 reads 2.5×10⁴."""
    gaps = [b - a for a, b in zip(ticks, ticks[1:]) if b > a]
    spacing = min(gaps) if gaps else 0.0
    labels = []
    for value in ticks:
        tolerance = 1e-6 * spacing if spacing else 1e-12 * abs(value)
        for digits in range(1, 18):
            label = format_tick(value, digits)
            if not math.isfinite(value) or abs(parse_number(label) - value) <= tolerance:
                break
        labels.append(label)
    return labels


def log_ticks(lo_exponent: float, hi_exponent: float, most: int = 8) -> list[float]:
    """Powers of ten from 10^lo_exponent to 10^hi_exponent; over a wide range only every
    2nd, 5th, 10th… decade, so that at most `most` labels share the axis."""
    first, last = math.ceil(lo_exponent - 1e-9), math.floor(hi_exponent + 1e-9)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if (last - first) // s + 1 <= most or s == 100)
    return [10.0 ** k for k in range(first, last + 1) if k % step == 0]


class Axes:
    """Maps data coordinates to an SVG area with margins, and draws labelled axes.
    With log_x / log_y that axis shows powers of ten.  yticks replaces the automatic
    y ticks ([] draws none, e.g. for a bar chart that labels its own rows)."""

    def __init__(self, width, height, xlim, ylim, xlabel="", ylabel="", log_y=False,
                 margin=(12, 16, 42, 56), log_x=False, yticks=None):
        self.width, self.height = width, height
        self.top, self.right, self.bottom, self.left = margin
        self.log_x, self.log_y = log_x, log_y
        self.xlim = tuple(math.log10(v) for v in xlim) if log_x else xlim
        self.ylim = tuple(math.log10(v) for v in ylim) if log_y else ylim
        self.xlabel, self.ylabel = xlabel, ylabel
        self.yticks = yticks

    def x(self, value: float) -> float:
        if self.log_x:
            value = math.log10(max(value, 1e-300))
        lo, hi = self.xlim
        return self.left + (value - lo) / ((hi - lo) or 1.0) * (self.width - self.left - self.right)

    def y(self, value: float) -> float:
        if self.log_y:
            value = math.log10(max(value, 1e-300))
        lo, hi = self.ylim
        return self.height - self.bottom - (value - lo) / ((hi - lo) or 1.0) * (self.height - self.top - self.bottom)

    def draw(self) -> str:
        x0, x1 = self.left, self.width - self.right
        y0, y1 = self.height - self.bottom, self.top
        parts = [tag("rect", {"x": x0, "y": y1, "width": x1 - x0, "height": y0 - y1, "class": "plot-area"})]
        # Log ticks are thinned to what fits: about 44 px per x label, 20 px per y label.
        xticks = log_ticks(*self.xlim, most=max(2, int((x1 - x0) // 44))) if self.log_x else nice_ticks(*self.xlim)
        for t, label in zip(xticks, tick_labels(xticks)):
            px = self.x(t)
            if self.log_x:      # decades as grid lines, as the y axis has
                parts.append(tag("line", {"x1": px, "x2": px, "y1": y0, "y2": y1, "class": "grid"}))
            parts.append(tag("line", {"x1": px, "x2": px, "y1": y0, "y2": y0 + 5, "class": "tick"}))
            if px + text_width(label) / 2 > self.width:     # the last label ends at the edge, not past it
                parts.append(text(self.width - 1, y0 + 18, label, "tick-label", anchor="end"))
            else:
                parts.append(text(px, y0 + 18, label, "tick-label"))
        if self.yticks is not None:
            yticks = self.yticks
        elif self.log_y:
            yticks = log_ticks(*self.ylim, most=max(2, int((y0 - y1) // 20)))
        else:
            yticks = nice_ticks(*self.ylim)
        for t, label in zip(yticks, tick_labels(yticks)):
            py = self.y(t)
            parts.append(tag("line", {"x1": x0 - 5, "x2": x1, "y1": py, "y2": py, "class": "grid"}))
            parts.append(text(x0 - 8, py + 4, label, "tick-label", anchor="end"))
        parts.append(tag("line", {"x1": x0, "x2": x1, "y1": y0, "y2": y0, "class": "axis"}))
        parts.append(tag("line", {"x1": x0, "x2": x0, "y1": y0, "y2": y1, "class": "axis"}))
        if self.xlabel:
            parts.append(text((x0 + x1) / 2, self.height - 6, self.xlabel, "axis-label"))
        if self.ylabel:
            parts.append(text(14, (y0 + y1) / 2, self.ylabel, "axis-label", transform=f"rotate(-90 14 {(y0 + y1) / 2:.1f})"))
        return "".join(parts)

    def polyline(self, xs, ys, cls="series") -> str:
        points = " ".join(f"{self.x(a):.1f},{self.y(b):.1f}" for a, b in zip(xs, ys)
                          if math.isfinite(a) and math.isfinite(b) and (b > 0 or not self.log_y))
        return tag("polyline", {"points": points, "class": cls, "fill": "none"}) if points else ""

    def point(self, x, y, cls="marker", r=5) -> str:
        return tag("circle", {"cx": self.x(x), "cy": self.y(y), "r": r, "class": cls})
