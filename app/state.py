"""Page state as one declarative table of properties, in the style of TensorFlow
Playground's state.ts: the same table validates the URL, fills the controls and
writes the URL back.  Pure Python (no browser imports), so it is tested in CPython.

Rules shared by every page:
- an unknown, malformed or non-finite value falls back to the default, with a note;
- a number outside its range is clamped, with a note;
- notes are plain text: nothing from the URL is ever inserted into the page as HTML.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

MAX_VALUE_LENGTH = 200
# Parameters every page understands that are not lesson state.
RESERVED = ("embed",)


def parse_number(text: str) -> float:
    """A finite float from what a person typed: ordinary decimals, exponents,
    a Unicode minus ("−0.4") or a comma decimal ("0,5").  Raises ValueError
    with a message meant for the learner."""
    cleaned = str(text).strip().replace("\u2212", "-").replace("\u2013", "-")
    if cleaned == "":
        raise ValueError("enter a number")
    if len(cleaned) > 40:
        raise ValueError("that is too long to be a number")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"“{cleaned[:20]}” is not a number") from None
    if not math.isfinite(value):
        raise ValueError("enter a finite number (not NaN or infinity)")
    return value


@dataclass(frozen=True)
class Prop:
    """One piece of page state.  kind: "float", "int", "choice", "bool", "intlist" or "text".
    For "text", `check(text)` (if given) raises ValueError for text that is not allowed;
    the error's message becomes the note."""
    name: str
    kind: str
    default: object
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    label: str = ""
    check: object = None
    # Longest text accepted from a link; a control that accepts longer text (panel 5's
    # expression box) raises it to its own limit, so that what it takes survives a reload.
    max_length: int = MAX_VALUE_LENGTH

    def parse(self, text: str):
        """(value, note): note is None when the text was valid as given."""
        label = self.label or self.name
        if len(text) > self.max_length:
            return self.default, (f"{label}: too long ({len(text)} characters, at most {self.max_length}); "
                                  "using the default")
        if self.kind == "choice":
            if text in self.choices:
                return text, None
            return self.default, f"{label}: unknown choice; using {self.default}"
        if self.kind == "bool":
            if text in ("1", "true", "0", "false"):
                return text in ("1", "true"), None
            return self.default, f"{label}: expected 1 or 0; using the default"
        if self.kind == "intlist":
            return self._parse_intlist(text, label)
        if self.kind == "text":
            return self._parse_text(text, label)
        try:
            value = parse_number(text)
        except ValueError:
            return self.default, f"{label}: not a valid number; using {self.format(self.default)}"
        if self.kind == "int":
            if value != int(value):
                return self.default, f"{label}: expected a whole number; using {self.default}"
            value = int(value)
        return self.clamp(value, label)

    def clamp(self, value, label=None):
        label = label or self.label or self.name
        if self.low is not None and value < self.low:
            return type(value)(self.low), f"{label}: {value:.6g} is below {self.low:.6g}; using {self.low:.6g}"
        if self.high is not None and value > self.high:
            return type(value)(self.high), f"{label}: {value:.6g} is above {self.high:.6g}; using {self.high:.6g}"
        return value, None

    def _parse_intlist(self, text, label):
        if text == "":
            return (), None
        parts = text.split(",")
        if len(parts) > 16 or not all(p.strip().isdigit() for p in parts):
            return self.default, f"{label}: expected whole numbers separated by commas; using the default"
        values, note = [], None
        for part in parts:
            value, clamped = self.clamp(int(part), label)
            values.append(value)
            note = note or clamped
        return tuple(values), note

    def _parse_text(self, text, label):
        if self.check is not None:
            try:
                self.check(text)
            except ValueError as error:
                return self.default, f"{label}: {error}; using the default"
        return text, None

    def format(self, value) -> str:
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "intlist":
            return ",".join(str(v) for v in value)
        if self.kind == "float":
            return f"{value:.6g}"
        return str(value)


class StateTable:
    """The properties of one page, in a fixed order."""

    def __init__(self, *props: Prop):
        self.props = {p.name: p for p in props}

    def defaults(self) -> dict:
        return {name: p.default for name, p in self.props.items()}

    def from_query(self, query: str) -> tuple[dict, list[str]]:
        """Read a URL query string ("?a=1&b=2" or "a=1&b=2") into (values, notes)."""
        values, notes = self.defaults(), []
        seen = set()
        for key, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
            if key in RESERVED:
                continue
            prop = self.props.get(key)
            if prop is None:
                notes.append(f"ignored an unknown setting “{key[:30]}”")
                continue
            if key in seen:
                continue
            seen.add(key)
            values[key], note = prop.parse(text)
            if note:
                notes.append(note)
        return values, notes

    def to_query(self, values: dict, keep: dict | None = None) -> str:
        """The query string for `values`, listing only what differs from the defaults."""
        pairs = [(name, prop.format(values[name])) for name, prop in self.props.items()
                 if name in values and values[name] != prop.default]
        pairs += list((keep or {}).items())
        return "?" + urlencode(pairs) if pairs else ""

    def validate(self, name: str, text: str):
        """Validate one control's text: (value, message) with message None if fine."""
        return self.props[name].parse(text)
