"""The step-through page's drawings in CPython: the graph as the passes reach each node, and
the loss sparkline."""
from app import step_through_draw as picture
from app.step_through_model import STATE, Network, lesson_steps, preset_values
from tests.app.pictures import clashes


def network(name="default"):
    return Network(preset_values(name, STATE.defaults()))


def test_the_picture_shows_values_and_gradients_as_the_passes_reach_them():
    default = network()
    steps = lesson_steps(default)
    first = picture.draw(default, steps, 0)
    assert first.count("data-key=") == 13 and "node-grad" not in first and "edge-grad" not in first
    assert ">w₁₁ = 0.5<" in first                      # weights are on their edges from the start
    z3 = steps.index(next(s for s in steps if s.node == "z3" and s.phase == "backward"))
    middle = picture.draw(default, steps, z3)
    assert "grad z₃ = −0.356" in middle and "grad z₁" not in middle
    last = picture.draw(default, steps, len(steps) - 1)
    assert last.count("edge-label edge-grad") == 6   # the six weights (biases show theirs on their node)
    assert 'class="edge neg' in last and 'class="edge pos' in last


def test_the_231_picture_has_three_hidden_units():
    relu = network("relu-231")
    markup = picture.draw(relu, lesson_steps(relu), 0)
    assert all(f'data-key="{key}"' in markup for key in ("h3", "z4", "b4"))
    at, height = picture.layout(3)
    assert at["h3"][1] > at["h2"][1] > at["h1"][1] and height > picture.layout(2)[1]


def test_sparkline_needs_two_losses():
    assert picture.loss_sparkline([0.4]) == ""
    markup = picture.loss_sparkline([0.44, 0.3, 0.2])
    assert "polyline" in markup and "from 0.44 to 0.2" in markup
    # One point per loss: the polyline's points are the steps 0, 1, 2.
    points = markup.split('points="')[1].split('"')[0].split()
    assert len(points) == 3
    assert "<polyline" not in picture.loss_sparkline([0.44, float("nan")])   # nothing to draw from one number


def test_no_label_sits_on_a_node_or_another_label_at_any_step():
    # Issue 20: labels piled up where the x₁/x₂ edges cross; bias values spilled over their circles.
    for preset in ("default", "relu-231"):
        net = network(preset)
        steps = lesson_steps(net)
        for index in range(len(steps)):
            assert clashes(picture.draw(net, steps, index)) == [], (preset, index)
