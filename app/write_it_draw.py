"""Markup for the write-it-yourself lesson (pure: HTML strings from the model's exercises and
results).  Everything the learner wrote or printed is escaped: it is shown, never run as markup."""
from __future__ import annotations

import math

from app.svg import Axes, Graph, GraphEdge, GraphNode, draw_graph, drawn_area, esc, node_number, svg, tag, text
from app.write_it_model import EXERCISES, HINTS, NETWORK_PARAMS, Result
from engine.text import gradient_name, percent, plain, pretty_name


def exercise_list(current: str, completed: list[str], links: dict[str, str]) -> str:
    """The exercises in order, as links (links: key -> the page's address for it); the current one
    is marked for screen readers, passed ones carry a check mark."""
    items = []
    for number, (key, exercise) in enumerate(EXERCISES.items(), start=1):
        done = key in completed
        mark = tag("span", {"class": "done-mark", "aria-label": "passed"}, " ✓") if done else ""
        # On a phone the list is a row of numbers: the title is then hidden from sight only.
        link = tag("a", {"href": links[key], "data-exercise": key, "title": exercise.title,
                         "aria-current": "step" if key == current else None},
                   tag("span", {"class": "exercise-number"}, f"{number}."), " ",
                   tag("span", {"class": "exercise-name"}, esc(exercise.title)), mark)
        items.append(tag("li", {"class": "done" if done else None}, link))
    return "".join(items)


def statement(key: str) -> str:
    exercise = EXERCISES[key]
    number = list(EXERCISES).index(key) + 1
    return (tag("h2", {"id": "exercise-title"}, esc(f"Exercise {number} of {len(EXERCISES)}: {exercise.title}"))
            + tag("p", {"class": "task"}, esc(exercise.task))
            + tag("details", {"class": "hint"}, tag("summary", {}, "Hint"), tag("p", {}, esc(HINTS[key]))))


def summary(result: Result) -> str:
    """One sentence first, in plain words: did it pass, and if not, how far it got."""
    if result.error:
        return "Your code stopped with an error (below): no check could finish."
    failed = sum(not check.passed for check in result.checks)
    if not result.checks:
        return "No checks ran."
    if failed == 0:
        return "All checks pass. Well done: this exercise counts as completed."
    return f"{failed} of {len(result.checks)} checks failed: the first failure says what was expected."


def verdicts(result: Result) -> str:
    """The summary and one line per check: passed or failed, what was checked, and the message."""
    rows = []
    for check in result.checks:
        word = "Passed" if check.passed else "Failed"
        rows.append(tag("li", {"class": "pass" if check.passed else "fail"},
                        tag("span", {"class": "verdict-word"}, ("✓ " if check.passed else "✗ ") + word),
                        " ", tag("code", {}, esc(check.name)),
                        (": " + esc(check.message)) if check.message else ""))
    status = "passed" if result.passed else "failed"
    return (tag("p", {"class": f"verdict-summary {status}"}, esc(summary(result)))
            + (tag("ul", {"class": "verdict-list"}, *rows) if rows else ""))


def stopped(seconds: float) -> str:
    """What the learner reads when the time limit stopped their code."""
    return tag("p", {"class": "verdict-summary failed"},
               esc(f"Your code ran for more than {seconds:g} s and was stopped (an endless loop, such as "
                   "while True: pass, never finishes). The runner was restarted: change the code and Run again."))


def crashed() -> str:
    return tag("p", {"class": "verdict-summary failed"},
               esc("The runner stopped while running your code (perhaps it used too much memory). "
                   "It was restarted: change the code and Run again."))


# ------------------------------------------------------------------ pictures from the learner's results
#
# Exercises 3, 5 and 8 draw what the learner's code computed beside what the engine computed
# (app.write_it_model builds the data: plain numbers, None where theirs is not a number).

MATCH_TOLERANCE = 1e-6


def agrees(yours, engine) -> bool:
    return yours is not None and math.isclose(yours, engine, rel_tol=MATCH_TOLERANCE, abs_tol=1e-9)


def compared(name: str, yours, engine) -> tuple[str, bool]:
    """The gradient's text and whether it agrees: one number where the two agree, both (and ✗)
    where they differ."""
    if agrees(yours, engine):
        return f"{gradient_name(name)} = {plain(engine)}", True
    theirs = "no number" if yours is None else plain(yours)
    return f"{gradient_name(name)}: yours {theirs}, engine {plain(engine)} ✗", False


def figure(caption: str, *pictures: str, cls: str = "") -> str:
    """The pictures over their caption, in a box that scrolls sideways where the screen is too
    narrow for them (focusable, so a keyboard can scroll it too)."""
    return tag("figure", {"class": f"result-picture {cls}".strip()},
               tag("div", {"class": "picture-scroll scroll-cue-x cue-everywhere", "tabindex": "0", "role": "group",
                           "aria-label": "picture"},
                   *pictures),
               tag("figcaption", {}, esc(caption)))


def at_natural_size(markup: str) -> str:
    """The SVG with its viewBox's size as its width and height: drawn 1:1 where there is room
    (site.css stretches graphs to the column, which would blow a small one up)."""
    viewbox = markup[markup.index('viewBox="') + 9:].split('"', 1)[0]
    width, height = viewbox.split()[2:]
    return markup.replace("<svg ", f'<svg width="{width}" height="{height}" ', 1)


OP_SYMBOLS = {"+": "+", "*": "×"}
COLUMN_GAP = 190
ROW_GAP = 110
GRAPH_MARGIN = 70


def backward_graph(data: dict) -> Graph:
    """Exercise 3's graph: inputs on the left, each operation a column right of its inputs."""
    nodes = data["nodes"]
    column = {}
    for node in nodes:      # in order: a node's inputs come before it
        column[node["name"]] = 1 + max((column[i] for i in node["inputs"]), default=-1)
    rows = {c: [n["name"] for n in nodes if column[n["name"]] == c] for c in set(column.values())}
    tallest = max(len(names) for names in rows.values())
    y = {}
    for node in nodes:
        name, c = node["name"], column[node["name"]]
        row, count = rows[c].index(name), len(rows[c])
        y[name] = GRAPH_MARGIN / 2 + (row + (tallest - count) / 2 + 0.5) * ROW_GAP
    # An edge that skips a column (x → out in x * x + x) would run straight through a node in
    # between and hide that x is used twice: that node moves down off the line.
    for node in nodes:
        end = node["name"]
        for start in node["inputs"]:
            for between in (n["name"] for n in nodes if column[start] < column[n["name"]] < column[end]):
                share = (column[between] - column[start]) / (column[end] - column[start])
                if abs(y[start] + share * (y[end] - y[start]) - y[between]) < ROW_GAP / 3:
                    y[between] += ROW_GAP / 2
    graph = Graph()
    for node in nodes:
        name, c = node["name"], column[node["name"]]
        label, good = compared(name, node["yours"], node["engine"])
        graph.nodes.append(GraphNode(
            key=name, x=GRAPH_MARGIN + c * COLUMN_GAP, y=y[name],
            title=pretty_name(name), value=node_number(node["value"], 24), grad=label,
            classes=("input" if not node["op"] else "") + ("" if good else " mismatch"),
            note=OP_SYMBOLS.get(node["op"], ""), full_value=plain(node["value"]),
            description=f"{name} = {plain(node['value'])}; {label}"))
        for source in dict.fromkeys(node["inputs"]):        # x * x: one edge
            graph.edges.append(GraphEdge(source, name))
    return graph


def backward_picture(data: dict) -> str:
    graph = backward_graph(data)
    width = GRAPH_MARGIN * 2 + max(n.x for n in graph.nodes) - GRAPH_MARGIN + 60
    height = max(n.y for n in graph.nodes) + GRAPH_MARGIN
    wrong = [n.title for n in graph.nodes if "mismatch" in n.classes]
    picture = at_natural_size(draw_graph(graph, width, height, label=f"The graph {data['title']} with each node's "
                                         "gradient", focusable=False, marker_id="write-it-arrow",
                                         shown=drawn_area(graph, width, height)))
    verdict = (f"Your gradients differ from the engine's at {', '.join(wrong)} (✗)." if wrong
               else "Your gradients agree with the engine's at every node.")
    title = data["title"]
    inputs = ", ".join(f"{n['name']} = {plain(n['value'])}" for n in data["nodes"] if not n["inputs"])
    return figure(f"{title[0].upper()}{title[1:]}, at {inputs}: {verdict}", picture)


NETWORK_POSITIONS = {"x1": (50, 60), "x2": (50, 360), "h1": (360, 60), "h2": (360, 360), "yhat": (640, 210)}
NETWORK_SIZE = (960, 420)
NETWORK_EDGES = {"w11": ("x1", "h1"), "w12": ("x2", "h1"), "w21": ("x1", "h2"), "w22": ("x2", "h2"),
                 "w31": ("h1", "yhat"), "w32": ("h2", "yhat")}
NETWORK_BIASES = {"b1": "h1", "b2": "h2", "b3": "yhat"}


def network_graph(data: dict) -> Graph:
    """Exercise 5's network: each weight's gradient on its edge, each bias's under its unit."""
    values, yours, engine = data["values"], data["yours"], data["engine"]
    # A hidden unit's bias label is one wide line: placed first, it left the input edges' labels
    # no spot but on the x₂ node (a sigmoid slope in place of tanh's hid "grad w₂₂" under it).
    graph = Graph(edge_labels_first=True)
    for key, (x, y) in NETWORK_POSITIONS.items():
        bias = next((b for b, unit in NETWORK_BIASES.items() if unit == key), None)
        label, good = compared(bias, yours[bias], engine[bias]) if bias else ("", True)
        graph.nodes.append(GraphNode(key=key, x=x, y=y, title=pretty_name(key), value=node_number(values[key], 24),
                                     grad=label, full_value=plain(values[key]), grad_above=key == "h1",
                                     classes=("input" if key.startswith("x") else "") + ("" if good else " mismatch"),
                                     description=f"{pretty_name(key)} = {plain(values[key])}"))
    for name, (source, target) in NETWORK_EDGES.items():
        label, good = compared(name, yours[name], engine[name])
        grad = ""
        if not good:        # the edge's two lines: yours on it, the engine's beside it
            label, engines = label.split(", engine ")
            grad = f"engine {engines}"
        graph.edges.append(GraphEdge(source, target, label=label, grad=grad, classes="" if good else "mismatch",
                                     label_at=0.3 if target.startswith("h") else 0.5))
    return graph


def network_picture(data: dict) -> str:
    graph = network_graph(data)
    wrong = [pretty_name(name) for name in NETWORK_PARAMS if not agrees(data["yours"][name], data["engine"][name])]
    picture = at_natural_size(draw_graph(graph, *NETWORK_SIZE, label="Lesson 2's network with the nine gradients",
                                         focusable=False, marker_id="write-it-arrow",
                                         shown=drawn_area(graph, *NETWORK_SIZE)))
    verdict = (f"{len(wrong)} of 9 differ from the engine's: {', '.join(wrong)} (✗)." if wrong
               else "All nine agree with the engine's.")
    values = data["values"]
    return figure(f"Your gradients at x = ({plain(values['x1'])}, {plain(values['x2'])}), y = {plain(values['y'])}: "
                  f"{verdict}", picture, cls="wide")


BOUNDARY_SIZE = 260
BOUNDARY_MARGIN = (26, 10, 36, 56)       # top, right, bottom, left


def boundary(title: str, grid: list, extent: list, points: list, labels: list) -> str:
    """One network's probability of class 1 over the square, as cells shaded towards the class it
    predicts (blank where it gave no number), with the four XOR points."""
    lo, hi = extent
    axes = Axes(BOUNDARY_SIZE, BOUNDARY_SIZE, (lo, hi), (lo, hi), xlabel="x₁", ylabel="x₂", margin=BOUNDARY_MARGIN)
    count = len(grid)
    half = (hi - lo) / (count - 1) / 2
    cells = []
    for row, values in enumerate(grid):
        cy = hi - row * 2 * half
        for column, p in enumerate(values):
            if p is None:
                continue
            cx = lo + column * 2 * half
            x0, x1 = axes.x(max(cx - half, lo)), axes.x(min(cx + half, hi))
            y0, y1 = axes.y(min(cy + half, hi)), axes.y(max(cy - half, lo))
            cells.append(tag("rect", {"x": f"{x0:.1f}", "y": f"{y0:.1f}", "width": f"{x1 - x0 + 0.3:.1f}",
                                      "height": f"{y1 - y0 + 0.3:.1f}", "class": "cell-b" if p > 0.5 else "cell-a",
                                      "fill-opacity": f"{min(abs(p - 0.5) * 1.6, 0.8):.2f}"}))
    marks = [axes.point(x, y, cls="xor-point " + ("class-b" if label > 0.5 else "class-a"), r=6)
             for (x, y), label in zip(points, labels)]
    return svg(BOUNDARY_SIZE, BOUNDARY_SIZE, axes.draw(), *cells, *marks,
               text(BOUNDARY_SIZE / 2, 16, title, "boundary-title"),
               label=title, cls="boundary")


def training_picture(data: dict) -> str:
    common = (data["extent"], data["points"], data["labels"])
    yours = boundary(f"Your weights: {percent(data['accuracy_yours'], 0)} right", data["yours"], *common)
    engine = boundary(f"The engine's: {percent(data['accuracy_engine'], 0)} right", data["engine"], *common)
    return figure("What each trained network predicts over the square: shaded towards blue where it says 1, "
                  "towards orange where it says 0. The dots are XOR's four points, coloured by their label.",
                  tag("div", {"class": "boundaries"}, yours, engine), cls="xor")


PICTURES = {"backward": backward_picture, "network": network_picture, "training": training_picture}


def picture(key: str, data: dict | None) -> str:
    """The picture of this exercise's result, or "" for an exercise without one."""
    return PICTURES[key](data) if data and key in PICTURES else ""
