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
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from engine.text import minus

MAX_VALUE_LENGTH = 200
# Parameters every page understands that are not lesson state: embed mode, the colour theme
# (static/loader.js), and the names of the settings that were dropped from a link because the
# page could not start with them (see StateTable.without_state).
RESERVED = ("embed", "theme", "ignored")
THEMES = ("light", "dark")
# A link can carry any number of bad or unknown settings; the note lists this many and counts the rest.
MAX_NOTES_SHOWN = 8
MAX_NAMES_SHOWN = 3


def first_value(query: str, key: str) -> str | None:
    """The first value of `key` in a query string, as URLSearchParams.get() reads it in nav.js."""
    for name, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        if name == key:
            return value
    return None


def embed_requested(query: str) -> bool:
    """Embed mode is on when the link's first `embed` parameter is exactly 1, as in nav.js
    (not for ?zembed=1, ?embed=10, or ?embed=0&embed=1)."""
    return first_value(query, "embed") == "1"


def presentation(query: str) -> dict:
    """How the link asks the page to look, kept whenever the page rewrites its link:
    embed mode and a fixed colour theme."""
    kept = {"embed": "1"} if embed_requested(query) else {}
    if first_value(query, "theme") in THEMES:
        kept["theme"] = first_value(query, "theme")
    return kept


def quoted_names(names, most: int = MAX_NAMES_SHOWN) -> str:
    """“a”, “b”, “c” and 4 more: names from a link, shortened, for a plain-text note."""
    names = list(names)
    shown = ", ".join(f"“{name[:30]}”" for name in names[:most])
    return shown + (f" and {len(names) - most:,} more" if len(names) > most else "")


def notes_text(notes: list[str], ignored=()) -> str:
    """The one paragraph of notes shown above the widget: first the settings the page was
    restarted without (`ignored`, see StateTable.without_state), then at most MAX_NOTES_SHOWN
    notes, so a link with thousands of bad settings still gives a short note."""
    sentences = []
    if ignored:
        sentences.append(f"The page could not start with the link's {quoted_names(ignored, most=len(ignored))}, "
                         "so it left them out and started from its defaults.")
    if notes:
        text = "Some settings in the link were not valid: " + "; ".join(notes[:MAX_NOTES_SHOWN])
        if len(notes) > MAX_NOTES_SHOWN:
            text += f"; and {len(notes) - MAX_NOTES_SHOWN:,} more"
        sentences.append(text + ".")
    return " ".join(sentences)


# The pages write tiny and huge numbers as 2.5×10⁻⁵ or 10⁶ (engine.text): read back as written.
WRITTEN_POWER = re.compile("^(-?)(?:(.+)×)?10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)$")
FROM_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def parse_number(text: str) -> float:
    """A finite float from what a person typed: ordinary decimals, exponents,
    a Unicode minus ("−0.4"), a comma decimal ("0,5") or a power of ten as the
    pages write one ("3×10⁻⁵").  Raises ValueError with a message meant for the learner."""
    cleaned = str(text).strip().replace("\u2212", "-").replace("\u2013", "-")
    power = WRITTEN_POWER.match(cleaned)
    if power:
        sign, mantissa, exponent = power.groups()
        cleaned = f"{sign}{mantissa or '1'}e{exponent.translate(FROM_SUPERSCRIPT)}"
    if cleaned == "":
        raise ValueError("enter a number")
    if len(cleaned) > 40:
        raise ValueError("that is too long to be a number")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"“{str(text).strip()[:20]}” is not a number") from None
    if not math.isfinite(value):
        raise ValueError("enter a finite number (not NaN or infinity)")
    return value


def zero_note(text: str, value: float) -> str | None:
    """A note when a number that is not 0 was read as 0 (1e-400): nearer to 0 than any 64-bit
    float, parse_number gives 0, and a learner who typed a tiny number should be told so."""
    mantissa = re.split("[eE]", str(text))[0]
    if value != 0 or re.search("[1-9]", mantissa) is None:
        return None
    return (f"read as 0: {str(text).strip()[:20]} is too close to 0 for a 64-bit floating-point number "
            "(the smallest is about 5e\u2212324)")


def parse_whole_number(text: str) -> int:
    """A whole number, read as parse_number reads any number ("12", "1e3", "4.0"), so that
    every number in a link goes through float()'s rules: str.isdigit() accepts "²" and "₂",
    which int() then refuses.  Raises ValueError with a message meant for the learner."""
    value = parse_number(text)
    if value != int(value):
        raise ValueError(f"“{str(text).strip()[:20]}” is not a whole number")
    return int(value)


@dataclass(frozen=True)
class Prop:
    """One piece of page state: its name in the link, its default and the label notes use.
    Each kind of value is a subclass below that says how to read it from a link (`read`)
    and write it back (`format`)."""
    name: str
    default: object
    label: str = ""
    # Longest text accepted from a link; a control that accepts longer text (panel 5's
    # expression box) raises it to its own limit, so that what it takes survives a reload.
    max_length: int = MAX_VALUE_LENGTH
    # How the page is shown, not what it computes (a Python view open): in the link, but not in
    # the page's values; ui.Controls and ui.UrlState keep it and write the link, so no page
    # handler sees it change and nothing is recomputed.
    view_only: bool = False

    @property
    def title(self) -> str:
        return self.label or self.name

    def parse(self, text: str):
        """(value, note): note is None when the text was valid as given."""
        if len(text) > self.max_length:
            return self.default, (f"{self.title}: too long ({len(text)} characters, at most {self.max_length}); "
                                  "using the default")
        return self.read(text)

    def read(self, text: str):
        return text, None

    def format(self, value) -> str:
        return str(value)


@dataclass(frozen=True)
class FloatProp(Prop):
    """A number in [low, high].  A slider bound to it moves by `step`; with `log`, the slider's
    position is log10 of the value (so 0.01 … 5 is usable end to end), rounded to two digits."""
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False

    def slider_position(self, value) -> float:
        return math.log10(value) if self.log else value

    def slider_value(self, position: float):
        """The value for a slider position, rounded as the slider means it, inside the range."""
        if self.log:
            value = float(f"{10.0 ** position:.2g}")
            return min(max(value, self.low), self.high)
        return position

    def read(self, text):
        try:
            value = parse_number(text)
        except ValueError:
            return self.default, f"{self.title}: not a valid number; using {self.format(self.default)}"
        return self.clamp(value)

    def clamp(self, value):
        if self.low is not None and value < self.low:
            low = type(value)(self.low)
            return low, f"{self.title}: {self._said(value)} is below {self._said(self.low)}; using {self._said(self.low)}"
        if self.high is not None and value > self.high:
            high = type(value)(self.high)
            return high, f"{self.title}: {self._said(value)} is above {self._said(self.high)}; using {self._said(self.high)}"
        return value, None

    def format(self, value) -> str:
        # -0.0 (read from "-0" in a link, or computed, as -1 * 0.0 is) is written 0: a link
        # keeps no "-0", which reads as a typo.
        return "0" if value == 0 else f"{value:.6g}"

    def _said(self, value) -> str:
        """A value of this setting in a sentence: as its field writes it, with a real minus sign."""
        return minus(self.format(value))


@dataclass(frozen=True)
class IntProp(FloatProp):
    """A whole number in [low, high]."""

    def read(self, text):
        try:
            value = parse_number(text)
        except ValueError:
            return self.default, f"{self.title}: not a valid number; using {self.default}"
        if value != int(value):
            return self.default, f"{self.title}: expected a whole number; using {self.default}"
        return self.clamp(int(value))

    def format(self, value) -> str:
        return str(int(value))

    def slider_value(self, position: float):
        return int(round(position))


@dataclass(frozen=True)
class ChoiceProp(Prop):
    """One of `choices`; a menu shows each with its label from `labels` (else the name)."""
    choices: tuple = ()
    labels: tuple = ()      # (name, label) pairs, e.g. registry.labels(registry.ACTIVATIONS)

    def read(self, text):
        if text in self.choices:
            return text, None
        return self.default, f"{self.title}: unknown choice; using {self.default}"

    def options(self) -> list[tuple[str, str]]:
        """(value, label) for each choice, in order: a menu's entries."""
        labels = dict(self.labels)
        return [(choice, labels.get(choice, choice)) for choice in self.choices]


@dataclass(frozen=True)
class BoolProp(Prop):
    """On or off: 1/0 in a link (true/false read too)."""

    def read(self, text):
        if text in ("1", "true", "0", "false"):
            return text in ("1", "true"), None
        return self.default, f"{self.title}: expected 1 or 0; using the default"

    def format(self, value) -> str:
        return "1" if value else "0"


def code_view_prop(name: str = "code", label: str = "Python view") -> BoolProp:
    """Whether a widget's "Python" view (app/ui.py CodeView, a <details> bound by Controls) is open.
    In the link, so that an instructor can share a page with it open; an embed, which leaves the
    view out, shows it when its link opens it (code=1): the instructor asked for it.  View only:
    opening or closing it changes the link and nothing else."""
    return BoolProp(name, False, label=label, view_only=True)


@dataclass(frozen=True)
class IntListProp(Prop):
    """At most 16 whole numbers in [low, high], separated by commas ("4,2")."""
    low: int | None = None
    high: int | None = None

    def read(self, text):
        if text == "":
            return (), None
        parts = text.split(",")
        expected = f"{self.title}: expected whole numbers separated by commas; using the default"
        if len(parts) > 16:
            return self.default, expected
        try:
            numbers = [parse_whole_number(part) for part in parts]
        except ValueError:
            return self.default, expected
        bounds = IntProp(self.name, 0, label=self.label, low=self.low, high=self.high)
        values, note = [], None
        for number in numbers:
            value, clamped = bounds.clamp(number)
            values.append(value)
            note = note or clamped
        return tuple(values), note

    def format(self, value) -> str:
        return ",".join(str(v) for v in value)


@dataclass(frozen=True)
class TextProp(Prop):
    """Text; `check(text)` (if given) raises ValueError for text that is not allowed, and
    the error's message becomes the note."""
    check: object = None

    def read(self, text):
        if self.check is not None:
            try:
                self.check(text)
            except ValueError as error:
                return self.default, f"{self.title}: {error}; using the default"
        return text, None


class StateTable:
    """The properties of one page, in a fixed order."""

    def __init__(self, *props: Prop):
        self.props = {p.name: p for p in props}
        self.view_only = tuple(name for name, p in self.props.items() if p.view_only)

    def defaults(self) -> dict:
        return {name: p.default for name, p in self.props.items()}

    def page_values(self, values: dict) -> dict:
        """`values` without the view-only settings (Prop.view_only): what a page keeps."""
        return {name: value for name, value in values.items() if name not in self.view_only}

    def from_query(self, query: str) -> tuple[dict, list[str]]:
        """Read a URL query string ("?a=1&b=2" or "a=1&b=2") into (values, notes).
        Unknown settings share one note, however many there are."""
        values, notes = self.defaults(), []
        seen, unknown = set(), {}
        for key, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
            if key in RESERVED:
                continue
            prop = self.props.get(key)
            if prop is None:
                unknown[key] = True
                continue
            if key in seen:
                continue
            seen.add(key)
            values[key], note = prop.parse(text)
            if note:
                notes.append(note)
        if len(unknown) == 1:
            notes.append(f"ignored an unknown setting {quoted_names(unknown)}")
        elif unknown:
            notes.append(f"ignored {len(unknown):,} unknown settings: {quoted_names(unknown)}")
        return values, notes

    def state_keys_in(self, query: str) -> list[str]:
        """The page's own settings that a query string gives, in the table's order."""
        given = {key for key, _ in parse_qsl(query.lstrip("?"), keep_blank_values=True)}
        return [name for name in self.props if name in given]

    def ignored_in(self, query: str) -> list[str]:
        """The settings named by the `ignored` parameter that are this page's (any other
        text in it is dropped, so the note shows only real names).  Only a link as the
        safety net writes it counts, one with none of the page's settings: in any other
        the parameter was written by hand, and the page did start with that link."""
        if self.state_keys_in(query):
            return []
        names = (first_value(query, "ignored") or "").split(",")
        return [name for name in self.props if name in names]

    def without_state(self, query: str) -> str:
        """The start-up safety net's link: none of the page's settings, embed mode and theme as they were,
        and `ignored` naming the settings dropped, so that the page can say so."""
        pairs = list(presentation(query).items())
        dropped = self.state_keys_in(query)
        if dropped:
            pairs.append(("ignored", ",".join(dropped)))
        return "?" + urlencode(pairs) if pairs else ""

    def to_query(self, values: dict, keep: dict | None = None, defaults: dict | None = None) -> str:
        """The query string for `values`, listing only what differs from the defaults (`defaults`:
        this visit's, where they differ from the table's; a name mapped to None is always listed)."""
        defaults = {name: prop.default for name, prop in self.props.items()} | (defaults or {})
        pairs = [(name, prop.format(values[name])) for name, prop in self.props.items()
                 if name in values and values[name] != defaults[name]]
        pairs += list((keep or {}).items())
        return "?" + urlencode(pairs) if pairs else ""

    def validate(self, name: str, text: str):
        """Validate one control's text: (value, message) with message None if fine."""
        return self.props[name].parse(text)
