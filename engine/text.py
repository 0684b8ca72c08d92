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
# Numbers

# Below 2**53 every whole number is exactly a float, so it is printed in full
# (an exponent 99999998 must not read 1×10⁸); other numbers are rounded.
_EXACT_BELOW = 2.0 ** 53


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


def fmt(x: float, digits: int = 4) -> str:
    """A number for a LaTeX formula, compactly: 0.4777, -12, 99999998, 1.5\\times 10^{-7},
    \\infty; NaN (no value, see engine.graph) reads \\text{undefined}."""
    if math.isnan(x):
        return r"\text{undefined}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    whole = _whole(x)
    if whole is not None:
        return whole
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return "0" if text == "-0" else text


def plain(x: float, digits: int = 4) -> str:
    """A number for plain text: −12, 0.6225, 99999998, 1.5e−07, ∞; NaN reads "undefined"."""
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = _whole(x) or f"{x:.{digits}g}"
    return "0" if text == "-0" else minus(text)


def minus(text: str) -> str:
    """A real minus sign (U+2212) for every hyphen-minus in a number's text."""
    return text.replace("-", "\u2212")


def fixed(x: float, places: int = 4) -> str:
    """A fixed count of decimals (1.4000, −0.2500), for rows meant to be compared; no "−0.0000"."""
    if not math.isfinite(x):
        return plain(x)
    text = f"{x:.{places}f}"
    return text.lstrip("-") if float(text) == 0 else minus(text)


def decimals(x: float, digits: int = 4) -> str:
    """`digits` decimals (0.5200), in scientific form when tiny or huge (2.000e−05), so that
    a small gradient never reads as 0; never a bare "nan"."""
    if not math.isfinite(x):
        return plain(x)
    if x != 0 and (abs(x) < 10 ** -digits or abs(x) >= 1e6):
        text = f"{x:.{digits - 1}e}"
    else:
        text = f"{x:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return minus(text)


def short(x: float) -> str:
    """A compact number for a picture: 0.52, −0.345, 12.3, 2.0e−05 (a tiny value must not read as 0)."""
    if not math.isfinite(x) or (x != 0 and abs(x) < 1e-3) or abs(x) >= 1e4:
        return decimals(x, 2)
    text = f"{x:.3g}" if abs(x) >= 1 or x == 0 else f"{x:.3f}".rstrip("0").rstrip(".")
    return minus("0" if text == "-0" else text)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def significant(value: float, digits: int = 3, overflow: bool = False) -> str:
    """`digits` significant digits; very small or large values as 3.21×10⁻⁵.  NaN and ∞ are
    named; with overflow=True they say why ("NaN (overflow)"), as a measurement that blew up."""
    if not math.isfinite(value):
        return plain(value) if not overflow else ("NaN" if math.isnan(value) else plain(value)) + " (overflow)"
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    if -3 <= exponent < digits:
        shown = f"{value:.{max(digits - 1 - exponent, 0)}f}"
    else:
        mantissa, power = f"{value:.{digits - 1}e}".split("e")
        shown = f"{mantissa}×10{str(int(power)).translate(_SUPERSCRIPT)}"
    return minus(shown)


def percent(fraction: float, places: int = 1) -> str:
    """A fraction as a percentage (0.975 -> 97.5%); "—" when there is none."""
    return f"{100 * fraction:.{places}f}%" if math.isfinite(fraction) else "—"


def readout(value: float, places: int = 4) -> str:
    """A number for a readout: `places` decimals (0.0123, −1.677), in scientific form from a
    million on (2.338e+245, not 246 digits that push the readout off the screen, as a run on its
    way to diverging gives); "—" when there is none."""
    if not math.isfinite(value):
        return "—"
    return minus(f"{value:.3e}") if abs(value) >= 1e6 else fixed(value, places)


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
