"""Lesson 1's predict mode: panel 4 asks each gradient's sign or value before the backward pass
shows it, panel 3 asks df/dx; the answers are the engine's, the why names the factors."""
import math
import random

import pytest

from app import chain_rule_model as model
from app import predict
from engine.text import fixed, plain


def random_graphs(seed, count=40):
    rng = random.Random(seed)
    for _ in range(count):
        yield model.neuron_graph(*(rng.choice([rng.uniform(-3, 3), 0.0]) for _ in range(3)), rng.uniform(-2, 2))


def test_each_backward_step_asks_the_sign_of_the_gradient_the_engine_finds():
    for graph in random_graphs(1):
        frames = model.backward_frames(graph)
        assert model.frame_question(frames[0]) is None              # grad L = 1 is where the pass starts
        for frame in frames[1:]:
            question = model.frame_question(frame, "sign")
            node = graph.nodes[frame.active]
            assert question.prompt == f"Will grad {node.name} be positive, negative or zero?"
            assert question.answer == predict.sign_of(graph.grad(frame.active))
            # the deciding factors, named: the upstream gradient and the local derivative
            child = graph.nodes[frame.edge[1]]
            assert f"grad {child.name} (upstream) is" in question.why
            assert f"∂{child.name}/∂{node.name} (local) is" in question.why
            assert predict.check(question, question.answer).correct


def test_each_backward_step_asks_the_value_with_its_tolerance_shown():
    for graph in random_graphs(2):
        frames = model.backward_frames(graph)
        for frame in frames[1:]:
            question = model.frame_question(frame, "value")
            assert question.answer == pytest.approx(graph.grad(frame.active), rel=1e-12, abs=1e-15)
            assert f"(within ±{plain(question.tolerance, 2)})" in question.prompt
            assert "the upstream gradient" in question.why and "the local derivative" in question.why
            # multiplying the two numbers the picture shows (badge and edge label) is right
            shown = float(plain(frame.upstream).replace("−", "-")) * float(plain(frame.local).replace("−", "-"))
            assert predict.check(question, repr(shown)).correct
            far = question.answer + 3 * question.tolerance
            assert not predict.check(question, repr(far)).correct


def test_the_default_neuron_reads_as_the_lesson_shows_it():
    frames = model.backward_frames(model.neuron_graph(2.0, 0.5, -0.5, 1.0))
    question = model.frame_question(next(f for f in frames if f.active == "z"), "value")
    assert question.prompt == "What will grad z be? (within ±0.0018)"
    assert question.why == ("grad z = grad a · ∂a/∂z = (−0.7551) · 0.235 = −0.1774: the upstream gradient grad a "
                            "times the local derivative ∂a/∂z.")
    assert predict.check(question, "−0.177").message.startswith("Right: you said −0.177, it is −0.1774.")
    assert predict.check(question, "-0.18").message.startswith("Not quite: you said −0.18, it is −0.1774.")


def test_the_asked_step_shows_its_factors_but_not_its_result():
    for frame in model.backward_frames(model.neuron_graph(2.0, 0.5, -0.5, 1.0))[1:]:
        assert frame.asked_tex.endswith(r"= \,?")
        # the step as the pass shows it, up to its result: the factors with their numbers
        assert frame.asked_tex.rsplit(" = ", 1)[0] == frame.tex.replace(r" \mathrel{+}=", " =").rsplit(" = ", 1)[0]


def test_panel_3_asks_df_dx_from_the_three_factors_and_the_engine_answers():
    rng = random.Random(4)
    for x in [rng.uniform(-2, 2) for _ in range(100)] + [0.0]:
        result = model.lockstep(x)
        question = model.lockstep_question(result)
        assert question.answer == result.product == result.graph.grad("x")
        assert math.isclose(question.answer, result.finite_difference, rel_tol=1e-5, abs_tol=1e-8)
        assert question.why.startswith("df/dx = dh/dx · dg/du · df/dv = ")
        assert all(f"{name} is" in question.why for name in ("dh/dx", "dg/du", "df/dv"))
        # the factors as the panel shows them, multiplied, count as right
        shown = math.prod(float(fixed(f.value).replace("−", "-")) for f in result.locals)
        assert predict.check(question, repr(shown)).correct


def test_predict_mode_is_off_unless_the_link_turns_it_on():
    assert model.STATE.defaults()["predict"] is False
    state, notes = model.STATE.from_query("predict=1&p4ask=value")
    assert state["predict"] is True and state["p4ask"] == "value" and not notes
    assert model.STATE.from_query("p4ask=colour")[1]          # a bad value falls back, with a note
