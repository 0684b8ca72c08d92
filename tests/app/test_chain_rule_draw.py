"""The chain-rule page's pictures in CPython: graph layout, the drawn graphs of panels 1, 2, 4
and 5 (selection, lit paths, edge labels, escaping, markers) and panel 3's plots."""
import math
import re

from app import chain_rule_draw as draw
from app import chain_rule_model as model
from app import svg
from engine.text import plain
from tests.app.pictures import clashes, read_graph

# ---------------------------------------------------------------- graphs


def test_layout_keeps_nodes_apart_and_long_edges_clear():
    graph = model.expression_graph(model.check_expression("x*y + x"), {"x": 2, "y": 3})
    positions, width, height = draw.layout(graph, 200, 130)
    points = list(positions.values())
    assert len(set(points)) == len(points)
    assert all(0 < x < width and 0 < y < height for x, y in points)
    # The edge x → f skips a column; it must pass v1 at a distance larger than v1's radius.
    (x0, y0), (x1, y1), (vx, vy) = positions["x"], positions["f"], positions["v1"]
    distance = abs((y1 - y0) * vx - (x1 - x0) * vy + x1 * y0 - y1 * x0) / math.hypot(x1 - x0, y1 - y0)
    assert distance > 40


def test_drawn_graph_marks_selection_and_escapes_text():
    graph = model.classic_graph(-2, 5, -4)
    derivation = model.derive(graph, "x")
    markup = draw.derivation_picture(graph, derivation, "<graph>", "arrow")
    assert 'class="node input active"' in markup and "&lt;graph&gt;" in markup
    assert "∂q/∂x = 1" in markup and "∂f/∂q = −4" in markup
    assert markup.count('class="edge zero active"') == 2
    # Each graph on the page names its own arrowhead marker (ids are page-wide).
    other = draw.draw_traced_graph(graph, "g", marker_id="p5-arrow")
    assert 'id="p5-arrow"' in other and "url(#p5-arrow)" in other and "url(#arrow)" not in other


def test_composition_picture_labels_both_edges_with_their_local_derivative():
    markup = draw.composition_picture(model.compose("times3", "square", 2.0))
    assert "du/dx = 3" in markup and "dy/du = 12" in markup
    assert markup.count('class="edge zero active"') == 2 and 'id="p2-arrow"' in markup


def test_backward_picture_shows_one_frame_without_focusable_nodes():
    graph = model.neuron_graph(2.0, 0.5, -0.5, 1.0)
    frames = model.backward_frames(graph)
    markup = draw.backward_picture(graph, frames, 3)
    (edge,) = re.findall(r'<g class="edge [^"]*active" data-source="(\w+)" data-target="(\w+)"', markup)
    assert edge == ("z", "a") and "∂a/∂z = 0.235" in markup
    assert "grad z = −0.1774" in markup and "grad w" not in markup     # w's gradient comes later
    assert "Backward pass, step 4 of 7" in markup and "tabindex" not in markup


# ---------------------------------------------------------------- panel 3's plots


def test_tangent_segment_is_clipped_to_the_window():
    (x1, y1), (x2, y2) = draw.tangent_segment(1.0, 1.0, 2.0, (-2, 2), (-0.5, 4))
    assert (x1, y1) == (0.25, -0.5) and (x2, y2) == (2.0, 3.0)
    assert draw.tangent_segment(0, 5, 0, (-1, 1), (0, 1)) is None   # flat, above the window
    assert draw.tangent_segment(0, math.nan, 1, (-1, 1), (0, 1)) is None


def test_plot_has_axes_labels_ticks_point_and_tangent():
    result = model.lockstep(0.7)
    markup = draw.plot_stage(model.STAGES[1], result)
    assert markup.count('class="tick-label"') >= 8
    assert ">u</text>" in markup and ">g(u)</text>" in markup
    assert 'class="tangent"' in markup and 'class="marker"' in markup and 'class="series"' in markup



# ---------------------------------------------------------------- labels that can be read


def lesson_1_pictures():
    """Every graph lesson 1 draws with labels: panel 1 for each node chosen, panel 2, every frame of
    panel 4's backward pass, and panel 5's presets with each node chosen."""
    classic = model.classic_graph(-2, 5, -4)
    for key in classic.nodes:
        yield f"panel 1, {key}", draw.derivation_picture(classic, model.derive(classic, key), "g", "m")
    yield "panel 2", draw.composition_picture(model.compose("times3", "square", 2.0))
    for w, x, b, y in ((2.0, 0.5, -0.5, 1.0), (-1.0, 3.0, 0.25, 0.0)):
        neuron = model.neuron_graph(w, x, b, y)
        frames = model.backward_frames(neuron)
        for index in range(len(frames)):
            yield f"panel 4 ({w}, {x}, {b}, {y}), step {index + 1}", draw.backward_picture(neuron, frames, index)
    for text, _ in model.PRESETS:
        graph = model.expression_graph(model.check_expression(text), {"x": 2.0, "y": 3.0, "z": 1.0})
        for key in graph.nodes:
            yield f"panel 5 {text}, {key}", draw.derivation_picture(graph, model.derive(graph, key), "g", "m")


def test_no_label_sits_on_a_node_another_label_or_a_line():
    # Issue 20: "∂L/∂d = …" under node d, "∂z/∂b = 1" over another label, and an edge line
    # through "∂v₁/∂x = 3" that read as "−3".
    for name, markup in lesson_1_pictures():
        assert clashes(markup) == [], name


def test_node_values_fit_their_circles_and_keep_the_full_value():
    graph = model.expression_graph(model.check_expression("x**20 + log(y - 4)"), {"x": 2.8, "y": 3.0, "z": 1.0})
    markup = draw.draw_traced_graph(graph, "g")
    for key, node in graph.nodes.items():
        if node.constant:
            continue
        (shown,) = re.findall(rf'data-key="{key}"[^>]*>.*?class="node-value"[^>]*>([^<]*)<', markup)
        assert len(shown) * svg.MONO_CHARACTER_WIDTH <= svg.value_room(draw.NODE_RADIUS), (key, shown)
    assert "undef." in markup and "undefined" in markup          # log(−1): short on the node, full in its name
    big = plain(graph.value("v1"))                                # 2.8²⁰ ≈ 8.7e+08
    assert f"({big})" in markup and f"<title>v₁ = {big}</title>" in markup


def test_backward_picture_keeps_one_size_and_shows_everything_it_draws():
    # Panel 4 is cropped to what it draws (it has to fit an 800 × 600 embedding frame), the same
    # for every step, so the picture does not jump while stepping.
    graph = model.neuron_graph(-1.0, 3.0, 0.25, 0.0)
    frames = model.backward_frames(graph)
    pictures = [draw.backward_picture(graph, frames, index) for index in range(len(frames))]
    (view_box,) = {re.search(r'viewBox="([^"]+)"', markup).group(1) for markup in pictures}
    left, top, width, height = map(float, view_box.split())
    assert width < draw.layout(graph, *draw.BACKWARD_SPACING)[1]       # the empty margins are gone
    for markup in pictures:
        nodes, labels, _ = read_graph(markup)
        for x, y, r in nodes.values():
            assert left <= x - r and x + r <= left + width and top <= y - r and y + r <= top + height
        for text, box, _ in labels:
            assert left <= box.left and box.right <= left + width and top <= box.top and box.bottom <= top + height, text
