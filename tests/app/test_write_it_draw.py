"""Lesson 6's markup and page state: what the learner reads after a run, and the exercise list."""
import html
import json
import math
import re

import pytest

from app import write_it_draw as draw
from app.svg import esc
from app.write_it_model import EXERCISES, HINTS, STATE, Check, Result, all_completed, grade, read_completed, with_completed
from tests.app.pictures import clashes, read_graph


def test_the_exercise_is_read_from_the_link_and_an_unknown_one_falls_back_with_a_note():
    assert STATE.from_query("?exercise=dense") == ({"exercise": "dense"}, [])
    values, notes = STATE.from_query("?exercise=nope")
    assert values == {"exercise": "add-mul"} and "unknown choice" in notes[0]
    assert STATE.to_query({"exercise": "neuron"}, {"embed": "1"}) == "?exercise=neuron&embed=1"


def test_completed_exercises_are_read_from_anything_storage_holds_and_kept_in_course_order():
    assert read_completed(None) == [] and read_completed({"dense": True}) == []
    assert read_completed(["dense", "made-up", 3, "add-mul"]) == ["add-mul", "dense"]
    assert with_completed(["dense"], "add-mul") == ["add-mul", "dense"]
    assert with_completed(["dense"], "dense") == ["dense"]
    assert not all_completed(list(EXERCISES)[:-1]) and all_completed(list(EXERCISES))


def test_the_list_marks_the_current_and_the_passed_exercises():
    links = {key: f"?exercise={key}" for key in EXERCISES}
    markup = draw.exercise_list("neuron", ["add-mul"], links)
    assert markup.count("<li") == len(EXERCISES)
    assert 'href="?exercise=neuron" data-exercise="neuron" title="One neuron" aria-current="step"' in markup
    assert markup.count("aria-current") == 1 and markup.count("✓") == 1
    assert '<li class="done"><a href="?exercise=add-mul"' in markup


def test_verdicts_say_pass_or_fail_per_check_and_escape_what_the_code_returned():
    result = Result((Check("f(1)", True), Check("g(<2>)", False, "expected 1, got '<b>'.")))
    markup = draw.verdicts(result)
    assert "1 of 2 checks failed" in markup
    assert "✓ Passed" in markup and "✗ Failed" in markup
    assert "<b>" not in markup and "&lt;b&gt;" in markup and "g(&lt;2&gt;)" in markup
    assert "All checks pass" in draw.verdicts(Result((Check("f(1)", True),)))
    assert "stopped with an error" in draw.verdicts(Result((), "", "line 1: invalid syntax"))


def test_the_time_limit_message_names_the_limit_and_says_to_run_again():
    message = draw.stopped(5.0)
    assert "more than 5 s" in message and "Run again" in message


def test_every_exercise_has_a_statement_and_a_hint_that_does_not_give_the_solution_away():
    assert set(HINTS) == set(EXERCISES)
    for key, exercise in EXERCISES.items():
        markup = draw.statement(key)
        assert esc(exercise.title) in markup and "<summary>Hint</summary>" in markup
        assert not re.search(r"\breturn\b|\bdef ", HINTS[key]), key     # a rule to use, not code


# ------------------------------------------------------------------ pictures from the learner's results

def svg_of(markup):
    return markup[markup.index("<svg"):markup.index("</svg>") + 6]


def picture_of(key, code):
    """The picture's markup with entities decoded (as a person reads it)."""
    return html.unescape(draw.picture(key, grade(key, code).picture))


BACKWARD_OVERWRITES = EXERCISES["backward"].solution.replace("parent.grad +=", "parent.grad =")
BACKWARD_NO_RESET = EXERCISES["backward"].solution.replace("        for node in order:\n            node.grad = 0.0\n", "")
NETWORK_SIGN = EXERCISES["network"].solution.replace("(1 - h * h)", "(1 + h * h)")
NETWORK_SIGMOID_SLOPE = EXERCISES["network"].solution.replace("(1 - h * h)", "h * (1 - h)")   # σ′ for tanh′
NETWORK_ALL_WRONG = ("def network_grads(v):\n"
                     "    return {k: -123.456789 for k in 'w11 w12 b1 w21 w22 b2 w31 w32 b3'.split()}\n")


def test_exercise_3_draws_the_graph_with_the_learners_gradient_beside_the_engines_where_they_differ():
    markup = picture_of("backward", BACKWARD_OVERWRITES)
    nodes, labels, _ = read_graph(svg_of(markup))
    assert set(nodes) == {"x", "p", "out"}          # the graph that failed: x * x + x
    texts = [text for text, _, _ in labels]
    # x is used twice: the engine adds the shares (2x + 1 = 5); overwriting leaves the last, 1 · x = 2.
    assert "grad x: yours 2, engine 5 ✗" in texts and "grad out = 1" in texts
    assert 'class="node input mismatch" data-key="x"' in markup and markup.count("mismatch") == 1
    assert "differ from the engine's at x (✗)" in markup
    assert "x * x + x, at x = 2:" in markup         # the caption names the graph's own inputs
    # A second backward() doubles the learner's gradients: drawn after the second call.
    markup = picture_of("backward", BACKWARD_NO_RESET)
    assert "after a second backward()" in markup and "grad z: yours −2, engine −1 ✗" in markup


def test_exercise_3_draws_the_longest_graph_when_everything_agrees():
    markup = picture_of("backward", EXERCISES["backward"].solution)
    nodes, labels, _ = read_graph(svg_of(markup))
    assert set(nodes) == {"x", "y", "z", "m", "a", "c", "out"} and "mismatch" not in markup
    # (x·y + z)(x + z) at x = 2, y = −3, z = 0.5: grad x = y(x + z) + (x·y + z) = −7.5 − 5.5 = −13.
    assert "grad x = −13" in [text for text, _, _ in labels]
    assert "at x = 2, y = −3, z = 0.5:" in markup
    assert "agree with the engine's at every node" in markup


def test_exercise_5_draws_the_nine_gradients_on_the_network_and_marks_the_wrong_ones():
    markup = picture_of("network", NETWORK_SIGN)
    nodes, labels, _ = read_graph(svg_of(markup))
    assert set(nodes) == {"x1", "x2", "h1", "h2", "yhat"}
    texts = " ".join(text for text, _, _ in labels)
    # The sign of tanh's derivative only touches the hidden layer: its six are wrong, the output's three right.
    assert "6 of 9 differ" in markup
    for name in ("w₁₁", "w₁₂", "b₁", "w₂₁", "w₂₂", "b₂"):
        assert f"grad {name}: yours" in texts
    for name in ("w₃₁", "w₃₂", "b₃"):
        assert f"grad {name} = " in texts
    assert "All nine agree" in picture_of("network", EXERCISES["network"].solution)


@pytest.mark.parametrize("key, code", [("backward", EXERCISES["backward"].solution), ("backward", BACKWARD_OVERWRITES),
                                       ("backward", BACKWARD_NO_RESET), ("network", EXERCISES["network"].solution),
                                       ("network", NETWORK_SIGN), ("network", NETWORK_ALL_WRONG),
                                       ("network", NETWORK_SIGMOID_SLOPE)])
def test_no_label_of_a_picture_covers_a_node_another_label_or_a_line(key, code):
    assert clashes(svg_of(picture_of(key, code))) == []


@pytest.mark.parametrize("code", [EXERCISES["backward"].solution, BACKWARD_OVERWRITES], ids=["solution", "overwrites"])
def test_no_edge_runs_through_a_node_it_does_not_join(code):
    """x * x + x: the edge x → out skips p's column; on p's row it would hide that x is used twice."""
    nodes, _, lines = read_graph(svg_of(picture_of("backward", code)))
    for x1, y1, x2, y2 in lines:
        for key, (x, y, r) in nodes.items():
            t = max(0.0, min(1.0, ((x - x1) * (x2 - x1) + (y - y1) * (y2 - y1)) / ((x2 - x1) ** 2 + (y2 - y1) ** 2)))
            gap = math.hypot(x1 + t * (x2 - x1) - x, y1 + t * (y2 - y1) - y) - r
            assert gap > 8 or abs(gap) < 3, f"an edge grazes {key}"     # well clear, or one of its own ends


def test_exercise_8_draws_the_boundary_of_the_learners_weights_beside_the_engines():
    data = grade("training", EXERCISES["training"].solution).picture
    assert data["accuracy_yours"] == 1.0 and data["accuracy_engine"] == 1.0
    markup = html.unescape(draw.picture("training", data))
    assert markup.count("<svg") == 2 and "Your weights: 100% right" in markup and "The engine's: 100% right" in markup
    assert markup.count('class="xor-point') == 8
    untrained = grade("training", EXERCISES["training"].starter).picture
    assert untrained["accuracy_yours"] < 1 and untrained["engine"] == data["engine"]
    # A network that gives no number (NaN weights) leaves its cells blank, and says so in its title.
    data = {**data, "yours": [[None] * len(row) for row in data["yours"]], "accuracy_yours": 0.5}
    markup = html.unescape(draw.picture("training", data))
    yours, engine = markup.split("</svg>")[:2]
    assert "<rect" in engine and yours.count('class="cell-') == 0 and "Your weights: 50% right" in yours


def test_the_xor_pictures_titles_fit_their_picture():
    for title in ("Your weights: 100% right", "The engine's: 100% right"):
        markup = draw.boundary(title, [[0.5, 0.5], [0.5, 0.5]], [0, 1], [], [])
        x = float(re.search(r'<text x="([\d.]+)"[^>]*class="boundary-title"', markup).group(1))
        # 13 px bold sans is at most about 7.6 px a character
        assert x - len(title) * 7.6 / 2 >= 0 and x + len(title) * 7.6 / 2 <= draw.BOUNDARY_SIZE


def test_the_xor_pictures_shade_towards_the_class_the_network_predicts():
    markup = draw.boundary("t", [[0.0, 1.0], [0.5, 0.9]], [0, 1], [], [])
    cells = re.findall(r'class="(cell-[ab])" fill-opacity="([\d.]+)"', markup)
    assert cells == [("cell-a", "0.80"), ("cell-b", "0.80"), ("cell-a", "0.00"), ("cell-b", "0.64")]


def test_pictures_travel_as_json_without_nan_even_when_the_learners_values_are_not_numbers():
    code = "def network_grads(v):\n    return {'w11': float('nan'), 'w12': 'a', 'b1': [1, 2], 'w21': float('inf')}\n"
    data = grade("network", code).picture
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert [data["yours"][k] for k in ("w11", "w12", "b1", "w21", "w22")] == [None] * 5
    assert "yours no number" in html.unescape(draw.picture("network", data))
    assert draw.picture("dense", None) == "" and draw.picture("neuron", {"x": 1}) == ""
