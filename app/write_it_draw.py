"""Markup for the write-it-yourself lesson (pure: HTML strings from the model's exercises and
results).  Everything the learner wrote or printed is escaped: it is shown, never run as markup."""
from __future__ import annotations

from app.svg import esc, tag
from app.write_it_model import EXERCISES, HINTS, Result


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
