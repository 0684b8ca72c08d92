"""Reading a graph drawn by app.svg.draw_graph back from its SVG, to check what a person
would see: which labels sit on a node, on another label, or under a line."""
import re
import xml.etree.ElementTree as ET

from app.svg import text_box

SVG = "{http://www.w3.org/2000/svg}"


def _texts(group, cls, dx=0.0, dy=0.0):
    for element in group.iter(f"{SVG}text"):
        if cls in element.get("class", "").split():
            yield element.text, text_box(float(element.get("x")) + dx, float(element.get("y")) + dy, element.text,
                                         element.get("text-anchor", "middle"))


def read_graph(markup: str):
    """(nodes, labels, lines): nodes {key: (x, y, radius)}; labels [(text, Box, edge index or
    None)] for node gradients, operation notes and edge labels; lines [(x1, y1, x2, y2)]."""
    root = ET.fromstring(markup)
    nodes, labels, lines = {}, [], []
    for group in root.iter(f"{SVG}g"):
        classes = group.get("class", "").split()
        if "node" in classes:
            x, y = map(float, re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", group.get("transform")).groups())
            r = float(group.find(f"{SVG}circle").get("r"))
            nodes[group.get("data-key")] = (x, y, r)
            labels += [(t, box, None) for cls in ("node-grad", "node-note") for t, box in _texts(group, cls, x, y)]
        elif "edge" in classes:
            line = group.find(f"{SVG}line")
            lines.append(tuple(float(line.get(k)) for k in ("x1", "y1", "x2", "y2")))
            labels += [(t, box, len(lines) - 1) for t, box in _texts(group, "edge-label")]
    return nodes, labels, lines


def clashes(markup: str, lines_too: bool = True, own_line_too: bool = False) -> list[str]:
    """Every label that overlaps a node, another label (the two lines of one edge's label are
    one block) or, with lines_too, a line other than its own edge's (own_line_too: any line)."""
    nodes, labels, lines = read_graph(markup)
    found = []
    for i, (text, box, edge) in enumerate(labels):
        found += [f"{text!r} on node {key}" for key, node in nodes.items() if box.touches_circle(*node)]
        for other_text, other, other_edge in labels[i + 1:]:
            if box.overlaps(other) and (edge is None or edge != other_edge):
                found.append(f"{text!r} on {other_text!r}")
        if lines_too:
            found += [f"{text!r} under the line {j}" for j, line in enumerate(lines)
                      if (j != edge or own_line_too) and box.crosses(*line)]
    return found
