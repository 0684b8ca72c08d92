"""Lesson 6's markup and page state: what the learner reads after a run, and the exercise list."""
import re

from app import write_it_draw as draw
from app.svg import esc
from app.write_it_model import EXERCISES, HINTS, STATE, Check, Result, all_completed, read_completed, with_completed


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
