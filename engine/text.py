"""How the lessons write numbers and names: one home for the minus sign, the NaN and ∞
wording, significant digits, subscripted names and ∂ notation, so that every page says a
number the same way.  Pure Python (no NumPy), used by engine/trace.py and every page.
"""
from __future__ import annotations

import math
import re
import unicodedata

# --------------------------------------------------------------------------
# Names: a node labelled w11 is written w_{11} in LaTeX and w₁₁ in sentences

GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε",
         "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π",
         "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "omega": "ω"}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _split_label(label):
    """'w11' -> ('w', '11', False), 'x_1' -> ('x', '1', False),
    'yhat' -> ('y', '', True); None for labels of another shape."""
    m = re.fullmatch(r"([A-Za-z]+)_?(\d*)", label)
    if m is None:
        return None
    base, sub = m.groups()
    hat = base.endswith("hat") and (len(base) == 4 or base[:-3] in GREEK)
    return (base[:-3] if hat else base), sub, hat


def tex_name(label: str) -> str:
    """LaTeX for a label: w11 -> w_{11}, yhat -> \\hat{y}, eta -> \\eta, loss -> \\mathrm{loss}."""
    parts = _split_label(label)
    if parts is None:
        return r"\text{" + re.sub(r"[\\{}$&#^_%~]", "", label) + "}" if label else ""
    base, sub, hat = parts
    body = "\\" + base if base in GREEK else base if len(base) == 1 else rf"\mathrm{{{base}}}"
    if hat:
        body = rf"\hat{{{body}}}"
    return body + (f"_{{{sub}}}" if sub else "")


def pretty_name(label: str) -> str:
    """The same name in plain Unicode, for sentences: w11 -> w₁₁, yhat -> ŷ, eta -> η."""
    parts = _split_label(label)
    if parts is None:
        return label
    base, sub, hat = parts
    body = GREEK.get(base, base)
    if hat:  # a combining circumflex, composed where Unicode has the letter (ŷ)
        body = unicodedata.normalize("NFC", body + "\u0302")
    return body + sub.translate(_SUBSCRIPTS)


# --------------------------------------------------------------------------
# Numbers.  One rule per kind of number, so that a value reads the same on every page and
# in every place a page shows it (visible text, aria-label, hover text, formula):
#
#   a value or gradient (a node, a weight, a loss, in a sentence, a readout, a verdict, an
#     aria-label, a formula): 4 significant digits, trailing zeros dropped    plain / fmt
#       1.009, 0.123, −0.0001234, 12346; whole numbers below 2**53 in full (99999998)
#   a label in a picture, where room is short: the same with 3 digits        short
#       (fewer if the label still does not fit), scientific from 10⁴: 0.478, −1.55, 1.23×10⁴
#   a column whose rows are compared digit by digit (old and new weight, backprop against
#     finite differences, a loss history, a live loss readout that must not change width):
#     fixed decimals, trailing zeros kept                                    fixed / readout
#       0.1230, −0.2500
#   a relative difference: 2 significant digits, always scientific          relative
#       3.2×10⁻⁹
#   a share: a percentage                                                   percent
#   an axis tick: the fewest digits that tell the ticks apart, 10⁻⁶ for a power of ten (app/svg.py)
#   a setting the learner typed (η, σ): its field's own text, app/state.py
#
# and for all of them: scientific form only for tiny or huge numbers (|x| < 10⁻⁴ or
# |x| ≥ 10⁶, and a nonzero value that its column's decimals would show as 0), written
# 1×10⁻¹², 2.338×10²⁴⁵ (LaTeX 2.338\times 10^{245}), never 1e-12; a real minus sign −
# (U+2212) in text, none on a zero (−0 reads 0); NaN reads "undefined" (a readout: "—").

# Below 2**53 every whole number is exactly a float, so it is printed in full
# (an exponent 99999998 must not read 1×10⁸); other numbers are rounded.
_EXACT_BELOW = 2.0 ** 53
_SMALL, _LARGE = 1e-4, 1e6          # outside [_SMALL, _LARGE) a number is written m×10ⁿ
_PICTURE_LARGE = 1e4                # in a picture from 10⁴ on
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _whole(x: float) -> str | None:
    """A whole number below 2**53 in full ("99999998", "-12"), else None."""
    x = float(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < _EXACT_BELOW:
        return str(int(x))
    return None


def exact(x: float) -> str:
    """The shortest text that reads back as exactly x: 99999999, 0.1, -2.5, 1e-07.
    Names a constant of a formula, so two different constants never share a name."""
    return _whole(x) or repr(float(x))


def _scientific(x: float, digits: int, keep_zeros: bool = False) -> tuple[str, int]:
    """(mantissa, exponent) of x to `digits` significant digits: (-2.338, 245)."""
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    if not keep_zeros and "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return mantissa, int(exponent)


def _significant(x: float, digits: int) -> str | tuple[str, int]:
    """x (finite) to `digits` significant digits, trailing zeros dropped, ASCII minus:
    the text, or (mantissa, exponent) when it is tiny or huge."""
    whole = _whole(x)
    if whole is not None:
        return whole
    if not _SMALL <= abs(x) < _LARGE:
        return _scientific(x, digits)
    exponent = math.floor(math.log10(abs(x)))
    text = f"{x:.{max(digits - 1 - exponent, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if float(text) == 0 else text


def _power(mantissa: str, exponent: int) -> str:
    return minus(f"{mantissa}×10{str(exponent).translate(_SUPERSCRIPT)}")


def scientific(x: float, digits: int = 4) -> str:
    """x (finite, nonzero) always in scientific form, trailing zeros dropped: 2.5×10⁴, 1×10⁻⁶."""
    return _power(*_scientific(x, digits))


def fmt(x: float, digits: int = 4) -> str:
    """A value for a LaTeX formula (see plain): 0.4777, -12, 99999998, 1.5\\times 10^{-7},
    \\infty; NaN (no value, see engine.graph) reads \\text{undefined}."""
    if math.isnan(x):
        return r"\text{undefined}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    text = _significant(x, digits)
    if isinstance(text, tuple):
        return rf"{text[0]}\times 10^{{{text[1]}}}"
    return text


def plain(x: float, digits: int = 4) -> str:
    """A value or gradient in text: 1.009, 0.123, −12, 99999998, 1.5×10⁻⁷, ∞; NaN reads "undefined"."""
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = _significant(x, digits)
    return _power(*text) if isinstance(text, tuple) else minus(text)


def short(x: float, digits: int = 3) -> str:
    """A value in a picture, where room is short: plain to 3 significant digits, scientific
    from 10⁴ on (0.52, −0.345, 2×10⁻⁵, 1.23×10⁴)."""
    if math.isfinite(x) and abs(x) >= _PICTURE_LARGE:
        return scientific(x, digits)
    return plain(x, digits)


def significant(value: float, digits: int = 4, overflow: bool = False) -> str:
    """plain, and with overflow=True NaN and ∞ say why ("NaN (overflow)"), as a measurement
    that blew up."""
    if overflow and not math.isfinite(value):
        return ("NaN" if math.isnan(value) else plain(value)) + " (overflow)"
    return plain(value, digits)


def minus(text: str) -> str:
    """A real minus sign (U+2212) for every hyphen-minus in a number's text."""
    return text.replace("-", "\u2212")


def fixed(x: float, places: int = 4) -> str:
    """A number in a column compared row by row: `places` decimals, trailing zeros kept
    (1.4000, −0.2500, no "−0.0000"); scientific with as many digits (2.000×10⁻⁵) when it is
    huge or when the decimals would show a nonzero value as 0: a small gradient never reads 0."""
    if not math.isfinite(x):
        return plain(x)
    if x != 0 and (abs(x) < 10 ** -places or abs(x) >= _LARGE):
        return _power(*_scientific(x, places, keep_zeros=True))
    text = f"{x:.{places}f}"
    return text.lstrip("-") if float(text) == 0 else minus(text)


def relative(x: float) -> str:
    """A relative difference: 2 significant digits, always scientific (3.2×10⁻⁹); 0 reads 0."""
    if not math.isfinite(x) or x == 0:
        return plain(x)
    return _power(*_scientific(x, 2, keep_zeros=True))


def percent(fraction: float, places: int = 1) -> str:
    """A fraction as a percentage (0.975 -> 97.5%); "—" when there is none."""
    return minus(f"{100 * fraction:.{places}f}%") if math.isfinite(fraction) else "—"


def readout(value: float, places: int = 4) -> str:
    """A live readout compared as it changes: fixed (0.0123, −1.677, 2.338×10²⁴⁵, not 246
    digits that push the readout off the screen, as a run on its way to diverging gives);
    "—" when there is none."""
    return fixed(value, places) if math.isfinite(value) else "—"


def loss_text(value: float) -> str:
    """A loss for a readout: four decimals (0.0123); see readout."""
    return readout(value, 4)


# --------------------------------------------------------------------------
# Notation.  Two things the learner must tell apart are written differently:
#   the local derivative of node d's output with respect to its input a:  ∂d/∂a
#   the gradient of the loss accumulated at node x (every path added),
#   what micrograd and PyTorch store as x.grad:                            grad x
# so a backward step reads "grad a += grad d · ∂d/∂a".

def partial(top: str, bottom: str) -> str:
    """LaTeX ∂top/∂bottom (arguments in LaTeX): a local derivative."""
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def partial_name(top: str, bottom: str) -> str:
    """The local derivative ∂z₁/∂w₁₁ in plain text, for two labels (z1, w11)."""
    return f"∂{pretty_name(top)}/∂{pretty_name(bottom)}"


def gradient_name(label: str) -> str:
    """The accumulated gradient in plain text, for a node's label: w11 -> "grad w₁₁"."""
    return f"grad {pretty_name(label)}"


def gradient_tex(tex: str) -> str:
    """The accumulated gradient in LaTeX, for a node's LaTeX name: w_{11} -> \\operatorname{grad} w_{11}."""
    return rf"\operatorname{{grad}} {tex}"
