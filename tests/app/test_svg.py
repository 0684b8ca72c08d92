"""The SVG builders: text is escaped, ticks are readable, graphs carry what pages need."""
import re

from app.svg import (
    MONO_CHARACTER_WIDTH,
    Axes,
    Box,
    Graph,
    GraphEdge,
    GraphNode,
    draw_graph,
    format_tick,
    log_ticks,
    nice_ticks,
    node_number,
    node_value,
    place_labels,
    tick_labels,
    value_room,
)
from engine.text import short
from tests.app.pictures import clashes


def test_text_is_escaped():
    graph = Graph([GraphNode("a", 10, 10, "<script>alert(1)</script>", description='"quoted"')], [])
    markup = draw_graph(graph, 100, 100, label="<b>")
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert 'aria-label="&lt;b&gt;"' in markup and 'aria-description="&quot;quoted&quot;"' in markup


def test_graph_nodes_are_keyboard_operable_and_edges_know_their_ends():
    graph = Graph([GraphNode("x", 10, 10, "x"), GraphNode("f", 90, 10, "f")],
                  [GraphEdge("x", "f", label="w", sign=-1, width=4.0)])
    markup = draw_graph(graph, 100, 40, label="g")
    assert 'data-key="x"' in markup and 'tabindex="0"' in markup and 'role="button"' in markup
    assert 'class="edge neg"' in markup and 'data-source="x"' in markup and 'stroke-width="4.00"' in markup


def test_edges_can_carry_a_gradient_caption_and_nodes_a_gradient_above():
    graph = Graph([GraphNode("b", 40, 60, "b", grad="g=1", grad_above=True), GraphNode("f", 160, 60, "f")],
                  [GraphEdge("b", "f", label="w", grad="∂=−2", label_at=0.25)])
    markup = draw_graph(graph, 200, 120, label="g")
    assert 'class="edge-label edge-grad"' in markup and ">∂=−2<" in markup
    (baseline,) = re.findall(r'y="([-\d.]+)" class="node-grad"', markup)
    assert float(baseline) < -24                           # above the node (radius 24)
    assert 'markerUnits="userSpaceOnUse"' in markup      # thick edges keep small arrowheads


def test_nice_ticks_cover_the_range_with_round_steps():
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    ticks = nice_ticks(-2.3, 7.9)
    assert ticks[0] >= -2.3 and ticks[-1] <= 7.9 and len(ticks) >= 4
    assert format_tick(0.0001) == "10⁻⁴" and format_tick(-2.5) == "−2.5" and format_tick(-3e-7) == "−3×10⁻⁷"


def test_log_axes_map_powers_of_ten_evenly():
    axes = Axes(300, 200, (0, 10), (1e-3, 1e1), log_y=True)
    gaps = [axes.y(10.0 ** k) - axes.y(10.0 ** (k + 1)) for k in range(-3, 1)]
    assert max(gaps) - min(gaps) < 1e-9
    assert ">0.001<" in axes.draw() and ">10<" in axes.draw()


def test_log_x_axes_and_thinned_decades():
    axes = Axes(400, 200, (1e-6, 10), (0, 1), log_x=True, yticks=[])
    gaps = [axes.x(10.0 ** (k + 1)) - axes.x(10.0 ** k) for k in range(-6, 1)]
    assert max(gaps) - min(gaps) < 1e-9
    labels = re.findall(r'class="tick-label"[^>]*>([^<]+)<', axes.draw())
    assert labels == ["10⁻⁶", "10⁻⁴", "0.01", "1"]                    # 8 decades in 328 px: every 2nd
    assert log_ticks(-30, 2, most=8) == [10.0 ** k for k in range(-30, 3, 5)]
    assert log_ticks(-2, 1) == [0.01, 0.1, 1.0, 10.0]


def tick_value(label: str) -> float:
    """The number a tick label says: 0.25, −2.5, 2.5×10⁴, 10⁻⁶."""
    power = re.fullmatch(r"(−?)(?:([\d.]+)×)?10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", label)
    if power is None:
        return float(label.replace("−", "-"))
    sign, mantissa, exponent = power.groups()
    exponent = int(exponent.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
    return float(f"{'-' if sign else ''}{mantissa or 1}e{exponent}")


def x_labels(axes):
    return re.findall(r'class="tick-label" text-anchor="middle">([^<]+)<', axes.draw())


def test_ticks_stay_readable_for_huge_tiny_and_near_identical_values():
    # 1e308 used to crash (an infinite span); values near 1e15 gave five ticks all reading "1e15".
    for lo, hi in [(-1.7e308, 1.7e308), (1e15 - 2, 1e15 + 2), (1e-15, 5e-15), (3e-300, 9e-300),
                   (1e6 - 0.6, 1e6 + 0.6), (-0.3, 0.3)]:
        labels = x_labels(Axes(300, 200, (lo, hi), (0, 1)))
        assert len(labels) >= 2 and len(set(labels)) == len(labels), (lo, hi, labels)
        values = [tick_value(label) for label in labels]
        assert all(lo <= v <= hi for v in values) and values == sorted(values), (lo, hi, labels)
    assert x_labels(Axes(300, 200, (5.0, 5.0), (0, 1))) == ["5"]


def test_tick_labels_say_the_value_with_few_digits():
    assert tick_labels([0.0, 25000.0, 50000.0, 75000.0]) == ["0", "2.5×10⁴", "5×10⁴", "7.5×10⁴"]
    assert tick_labels([0.0, 0.2, 0.4]) == ["0", "0.2", "0.4"]
    assert tick_labels([1e6 - 0.5, 1e6, 1e6 + 0.5]) == ["9.999995×10⁵", "10⁶", "1.0000005×10⁶"]
    assert nice_ticks(1.0, float("inf")) == [1.0] and nice_ticks(float("nan"), 1.0) == [1.0]


def test_a_node_value_wider_than_its_circle_is_squeezed_inside_it():
    import re

    from app.svg import MONO_CHARACTER_WIDTH, node_value
    assert "textLength" not in node_value("0.52", 26)
    for value, radius in [("−0.2", 18), ("5.29e+08", 26), ("undefined", 26)]:
        markup = node_value(value, radius)
        room = float(re.search(r'textLength="([\d.]+)"', markup).group(1))
        assert room < len(value) * MONO_CHARACTER_WIDTH and room < 2 * radius


def test_labels_are_placed_beside_their_line_clear_of_nodes_and_each_other():
    # Two edges crossing between four nodes, each with a two-line label, and nodes with gradients:
    # every label keeps off the nodes, the other labels and every line (its own included).
    nodes = [GraphNode("a", 70, 50, "a", grad="∂L/∂a = −0.25"), GraphNode("b", 70, 170, "b", grad="∂L/∂b = 1"),
             GraphNode("c", 290, 50, "c"), GraphNode("d", 290, 170, "d", note="σ")]
    edges = [GraphEdge("a", "d", label="w₁ = 0.5", grad="∂L/∂w₁ = −0.1"),
             GraphEdge("b", "c", label="w₂ = −0.3", grad="∂L/∂w₂ = 0.07"),
             GraphEdge("a", "c", label="w₃ = 2")]
    markup = draw_graph(Graph(nodes, edges), 360, 240, label="g")
    assert clashes(markup, own_line_too=True) == []
    placement = place_labels(Graph(nodes, edges), 360, 240)
    assert set(placement.nodes) == {"a", "b"} and set(placement.edges) == {0, 1, 2}


def test_box_geometry():
    box = Box(0, 0, 10, 10)
    assert box.crosses(-5, 5, 15, 5) and not box.crosses(-5, 12, 15, 12) and box.crosses(-5, -5, 15, 15)
    assert not box.crosses(11, 0, 20, 10) and box.crosses(5, 5, 6, 6)        # ends outside / inside
    assert box.touches_circle(14, 5, 5) and not box.touches_circle(14, 14, 5)   # a corner stays clear


def test_node_values_are_shortened_to_fit_their_circle():
    assert node_number(0.6225, 32) == "0.6225"
    assert node_number(528500000.0, 32) == "5.3×10⁸" and node_number(float("nan"), 32) == "undef."
    assert len(node_number(-1234.5678, 32)) * MONO_CHARACTER_WIDTH <= value_room(32)
    # What no form fits (a 4-character number in a small bias node) is squeezed into the circle.
    assert 'textLength="25.2"' in node_value(node_number(-1234.5678, 18, short), 18)
    assert node_number(-0.2, 18, short) == "−0.2"


def test_the_last_x_tick_label_stays_inside_the_picture():
    """The loss curve's axis ends at 4×10⁴ at the right edge: centred there, its label was cut."""
    axes = Axes(260, 120, (0.0, 40000.0), (0.0, 1.0), margin=(8, 10, 30, 36))
    labels = re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="(\w+)"[^>]*>([^<]*)</text>', axes.draw())
    ends = [float(x) + (0 if anchor == "end" else len(label) * MONO_CHARACTER_WIDTH / 2)
            for x, anchor, label in labels if "×10" in label]
    assert ends and max(ends) <= 260
