"""Predict, then reveal: questions a page asks before it shows a number (pure, no browser code).

A page model builds a Question from its live state: the answer is whatever the engine computed
for that state, never a stored key, and `why` explains the answer from the same numbers (for a
product, which factors decide its sign).  The page asks it, reads the learner's response, and
`check` says whether it was right and why.  Shared by every lesson, like app.state.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from app.state import parse_number
from engine import text

SIGNS = (("positive", "positive"), ("negative", "negative"), ("zero", "zero"))
ZERO = 1e-12          # |x| below this counts as zero: a sign question is about the picture, not rounding


@dataclass(frozen=True)
class Question:
    key: str                  # stable within a page and state, e.g. "step-9": answered once
    prompt: str               # what the learner is asked, in plain text
    kind: str                 # "sign", "value" or "choice"
    answer: object            # the right choice's value, or the number for a value question
    why: str                  # the explanation shown with the verdict
    choices: tuple = ()       # ((value, label), ...) for "sign" and "choice"
    tolerance: float = 0.0    # for "value": how far off still counts as right (shown to the learner)


@dataclass(frozen=True)
class Verdict:
    correct: bool
    message: str              # "Right: …" or "Not quite: …", then the why


def sign_of(x: float) -> str:
    if math.isnan(x):
        return "undefined"
    if abs(x) < ZERO:
        return "zero"
    return "positive" if x > 0 else "negative"


def product_sign_reason(factors: list[tuple[str, float]]) -> str:
    """Why a product has its sign, from its named factors:
    "grad z₃ is negative and ∂z₃/∂h₁ is positive, so their product is negative"."""
    parts = [f"{name} is {sign_of(value)}" for name, value in factors]
    zeros = [name for name, value in factors if sign_of(value) == "zero"]
    product = math.prod(value for _, value in factors)
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    if zeros:
        return f"{listed}: a zero factor makes the product zero"
    negatives = sum(1 for _, value in factors if value < 0)
    count = {0: "no factor is negative", 1: "one factor is negative"}.get(
        negatives, f"{negatives} factors are negative")
    return f"{listed}; {count}, so the product is {sign_of(product)}"


def sign_question(key: str, name: str, value: float, factors: list[tuple[str, float]] | None = None,
                  reason: str = "") -> Question:
    """Will `name` be positive, negative or zero?  With factors (a product), the why names them."""
    why = product_sign_reason(factors) if factors else reason
    shown = f"{name} = {text.plain(value)}"
    return Question(key, f"Will {name} be positive, negative or zero?", "sign", sign_of(value),
                    f"{shown}: {why}." if why else f"{shown}.", SIGNS)


def value_question(key: str, name: str, value: float, why: str, tolerance: float | None = None) -> Question:
    """What will `name` be?  Right within `tolerance` (default: 1% of |value|, at least 0.001)."""
    if tolerance is None:
        tolerance = max(0.01 * abs(value), 1e-3)
    return Question(key, f"What will {name} be? (within ±{text.plain(tolerance, 2)})", "value", value,
                    why, tolerance=tolerance)


def shown_product_tolerance(value: float, shown: list[str]) -> float:
    """How far off a value answer may be when the learner multiplies the factors as the page shows
    them (rounded): 1% of |value| (at least 0.001), or more if the rounding alone is further off,
    so multiplying the numbers on the screen always counts as right."""
    rounded = math.prod(parse_number(text) for text in shown)
    return max(0.01 * abs(value), 1e-3, 1.5 * abs(rounded - value))


def choice_question(key: str, prompt: str, choices: tuple, answer: str, why: str) -> Question:
    if answer not in {value for value, _ in choices}:
        raise ValueError(f"answer {answer!r} is not one of the choices")
    return Question(key, prompt, "choice", answer, why, choices)


def check(question: Question, response: str) -> Verdict:
    """The verdict on what the learner answered.  A value that cannot be read raises ValueError
    with a message for the learner (the page shows it at the field and keeps the question open)."""
    if question.kind == "value":
        guess = parse_number(response)
        right = abs(guess - question.answer) <= question.tolerance
        said = f"you said {text.plain(guess)}, it is {text.plain(question.answer)}"
    else:
        labels = dict(question.choices)
        if response not in labels:
            raise ValueError("pick one of the answers")
        right = response == question.answer
        said = f"you said {labels[response]}, it is {labels.get(question.answer, question.answer)}"
    return Verdict(right, f"{'Right' if right else 'Not quite'}: {said}. {question.why}")


@dataclass(frozen=True)
class Tally:
    """Predictions made and right, per page: kept with the progress marks where storage allows."""
    made: int = 0
    right: int = 0

    def add(self, verdict: Verdict) -> Tally:
        return Tally(self.made + 1, self.right + int(verdict.correct))

    def summary(self, kept: bool = True) -> str:
        counted = f"{self.right} of {self.made} predictions right." if self.made else "No predictions yet."
        # A frame on another site (or a private window) gets no storage: say so rather than pretend.
        return counted if kept else counted + " Not kept: the browser allows no storage here."


# ----------------------------------------------------------------- on by default on a first pass

@dataclass(frozen=True)
class FirstPass:
    """How predict mode starts on a page that turns it on for a learner's first pass (lesson 2).
    `on_by_default`: the link does not say, and the browser keeps progress marks, none of them
    this page's; the page then says predict mode is on and how to turn it off.
    `link_defaults`: what the page writes its link against (StateTable.to_query's `defaults`):
    on a first pass "predict" defaults to on, so turning it off writes predict=0, which a reload
    keeps; a link that said predict= keeps saying it (None: always written), whatever the marks."""
    on_by_default: bool
    link_defaults: dict


def first_pass(page: str, link_says: bool, embedded: bool, storage_kept: bool, completed) -> FirstPass:
    """`page`: the page's address in the progress marks (nav.js's PAGES href); `link_says`: the
    link has predict=; `completed`: what the browser keeps under the marks' key (a list of pages;
    anything else reads as no marks, as nav.js reads it).  Where storage is blocked (a frame on
    another site) there are no marks to go by, and in an embed the instructor's link decides:
    off unless the link says."""
    if link_says:
        return FirstPass(False, {"predict": None})
    marks = completed if isinstance(completed, list) else []
    on = storage_kept and not embedded and page not in marks
    return FirstPass(on, {"predict": True} if on else {})


# ----------------------------------------------------------------- the panel every page shows
PANEL_PREFIX = re.compile(r"[a-z][a-z0-9-]*")


def panel_markup(prefix: str = "predict") -> str:
    """The predict panel's inside, one source for every page: the question, its answer controls
    (buttons for a sign or a choice, filled by app.ui.PredictPanel; a number field and Reveal for
    a value), the verdict (a status the screen reader reads, focused once answered) and the tally.
    Ids start with `prefix` (lesson 1 has two panels: p3-predict, p4-predict)."""
    if not PANEL_PREFIX.fullmatch(prefix):
        raise ValueError(f"prefix {prefix!r} is not an id prefix")
    p = prefix
    return (f'<p id="{p}-prompt" class="predict-prompt"></p>'
            f'<div id="{p}-choices" class="predict-choices" role="group" aria-labelledby="{p}-prompt"></div>'
            f'<div id="{p}-value" class="predict-value" hidden>'
            f'<label for="{p}-number">Your prediction</label> '
            f'<input type="text" id="{p}-number" class="num" inputmode="decimal" autocomplete="off" '
            f'spellcheck="false" aria-describedby="{p}-prompt {p}-error"> '
            f'<button type="button" id="{p}-reveal" class="primary">Reveal</button>'
            f'<span id="{p}-error" class="field-error" role="alert"></span></div>'
            f'<p id="{p}-verdict" class="predict-verdict" role="status" tabindex="-1"></p>'
            f'<p id="{p}-tally" class="muted predict-tally"></p>')
