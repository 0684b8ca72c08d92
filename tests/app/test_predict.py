"""Predict, then reveal: questions whose answers are the engine's numbers, and verdicts that
say why from the same numbers."""
import math
import random

import pytest

from app import predict


def test_a_sign_question_answers_with_the_sign_of_the_product_and_names_its_factors():
    rng = random.Random(3)
    for _ in range(200):
        upstream, local = rng.uniform(-2, 2), rng.choice([rng.uniform(-2, 2), 0.0])
        question = predict.sign_question("step-9", "grad h₁", upstream * local,
                                         [("grad z₃", upstream), ("∂z₃/∂h₁", local)])
        expected = "zero" if local == 0 else ("positive" if upstream * local > 0 else "negative")
        assert question.answer == expected
        assert "grad z₃ is" in question.why and "∂z₃/∂h₁ is" in question.why
        assert predict.check(question, expected).correct
        wrong = next(value for value, _ in predict.SIGNS if value != expected)
        verdict = predict.check(question, wrong)
        assert not verdict.correct and verdict.message.startswith("Not quite")
        assert question.why in verdict.message


def test_the_why_of_a_sign_counts_the_negative_factors():
    why = predict.product_sign_reason([("grad z₃", -0.35), ("∂z₃/∂h₁", 0.7)])
    assert why == "grad z₃ is negative and ∂z₃/∂h₁ is positive; one factor is negative, so the product is negative"
    why = predict.product_sign_reason([("a", -1.0), ("b", -2.0)])
    assert why.endswith("2 factors are negative, so the product is positive")
    assert predict.product_sign_reason([("a", 0.0), ("b", 5.0)]).endswith("a zero factor makes the product zero")


def test_a_value_question_is_right_within_its_stated_tolerance():
    question = predict.value_question("step-3", "ŷ", 0.6225, "σ(0.5) = 0.6225.")
    assert question.tolerance == pytest.approx(0.006225)
    assert "±0.0062" in question.prompt
    assert predict.check(question, "0.62").correct
    assert predict.check(question, "０.６２").correct           # full-width digits read as digits
    assert not predict.check(question, "0.6").correct
    assert predict.check(question, "−0.62").correct is False
    with pytest.raises(ValueError, match="not a number"):
        predict.check(question, "about a half")
    with pytest.raises(ValueError):
        predict.check(question, "1e999")


def test_a_choice_question_needs_one_of_its_choices():
    question = predict.choice_question("lr", "Will the loss converge, oscillate or diverge?",
                                       (("converge", "converge"), ("oscillate", "oscillate"), ("diverge", "diverge")),
                                       "diverge", "At η = 50 each step overshoots more than the last.")
    assert predict.check(question, "diverge").correct
    assert "you said converge, it is diverge" in predict.check(question, "converge").message
    with pytest.raises(ValueError, match="pick one"):
        predict.check(question, "explode")
    with pytest.raises(ValueError, match="not one of the choices"):
        predict.choice_question("x", "?", (("a", "a"),), "b", "")


def test_nan_has_no_sign_and_the_tally_counts():
    assert predict.sign_of(math.nan) == "undefined"
    assert predict.sign_of(1e-13) == "zero"
    tally = predict.Tally()
    assert tally.summary() == "No predictions yet."
    question = predict.sign_question("k", "x", 1.0, reason="it is one")
    tally = tally.add(predict.check(question, "positive")).add(predict.check(question, "zero"))
    assert (tally.made, tally.right) == (2, 1) and tally.summary() == "1 of 2 predictions right."


def test_multiplying_the_factors_as_shown_counts_as_right():
    rng = random.Random(5)
    for _ in range(300):
        factors = [rng.uniform(-3, 3) for _ in range(rng.choice([2, 3]))]
        value = math.prod(factors)
        shown = [f"{f:.4f}".replace("-", "−") for f in factors]
        question = predict.value_question("p3", "df/dx", value, "…", predict.shown_product_tolerance(value, shown))
        rounded = math.prod(float(text.replace("−", "-")) for text in shown)
        assert predict.check(question, f"{rounded:.4f}").correct or abs(rounded) < 1e-3 < question.tolerance
        assert question.tolerance <= max(0.01 * abs(value), 1e-3) + 1e-3     # and no more lenient than needed
    assert not predict.check(predict.value_question("p", "v", 1.0, "", predict.shown_product_tolerance(1.0, ["1"])),
                             "1.02").correct


def test_the_tally_says_when_the_browser_keeps_nothing():
    tally = predict.Tally().add(predict.Verdict(True, ""))
    assert tally.summary() == "1 of 1 predictions right."
    assert tally.summary(kept=False) == "1 of 1 predictions right. Not kept: the browser allows no storage here."


def test_one_panel_markup_with_names_for_screen_readers():
    markup = predict.panel_markup("p4-predict")
    for part in ("prompt", "choices", "value", "number", "reveal", "error", "verdict", "tally"):
        assert f'id="p4-predict-{part}"' in markup
    assert 'role="group" aria-labelledby="p4-predict-prompt"' in markup      # the buttons' question
    assert '<label for="p4-predict-number">Your prediction</label>' in markup
    assert 'id="p4-predict-verdict" class="predict-verdict" role="status"' in markup
    with pytest.raises(ValueError):
        predict.panel_markup('x" onclick="')


def test_no_page_has_its_own_copy_of_the_panel():
    from backprop_lab import site
    pages = {name: (site.ROOT / "pages" / f"{name}.html").read_text()
             for name in ("chain-rule", "step-through", "gradients", "playground")}
    for name, text in pages.items():
        assert 'class="predict-prompt"' not in text and 'class="predict-verdict"' not in text, name
        assert 'class="predict' in text, name          # the box app.ui.PredictPanel fills
