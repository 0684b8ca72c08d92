"""Seeded 2-D binary classification datasets, two regression datasets (`plane`,
`multi_gaussians`: continuous targets, see "regression" below, with `r_squared`), and
loading/splitting helpers.

Every generator has the signature (n=200, noise=0.0, seed=0) and returns
(X, y): X float64 of shape (n, 2), y float64 of shape (n,) with labels 0/1,
classes balanced (n//2 of class 0, the rest class 1), rows shuffled.

Coordinate convention: points lie in the box [-1, 1] x [-1, 1] when
noise=0 (noise may push a few slightly outside), so the playground can draw
every dataset on the same axes and the inputs are already on the scale the
inits expect.  The one exception is `xor_points`, which is the truth table
itself, with corners at 0 and 1.

`noise` is a fraction, normally 0 to 0.5 (0.1 = 10 %; at most 1).  It adds
Gaussian jitter to each coordinate, with a standard deviation proportional to
noise and scaled per dataset so that 0.5 makes the classes overlap heavily without losing the
shape (see each docstring).  Labels are never flipped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import registry


def _check(n, noise) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n: expected an integer >= 2 (number of points), got {n!r}")
    if not (isinstance(noise, (int, float)) and 0.0 <= noise <= 1.0):
        raise ValueError(f"noise: expected a fraction between 0 and 1 (0.1 = 10%), got {noise!r}")


def _finish(X0: np.ndarray, X1: np.ndarray, noise_std: float, rng: np.random.Generator):
    """Stack the two classes, add jitter, shuffle the rows."""
    X = np.concatenate([X0, X1]).astype(np.float64)
    y = np.concatenate([np.zeros(len(X0)), np.ones(len(X1))])
    if noise_std > 0:
        X = X + rng.normal(0.0, noise_std, X.shape)
    order = rng.permutation(len(X))
    return X[order], y[order]


def _polar(r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def circle(n: int = 200, noise: float = 0.0, seed: int = 0):
    """Class 1: a disc of radius 0.5; class 0: a ring from radius 0.7 to 1.
    Jitter std = noise * 0.5 (so 0.1 keeps the 0.2 gap nearly clean)."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    # sqrt makes the disc uniformly filled rather than crowded at the centre.
    inner = _polar(0.5 * np.sqrt(rng.uniform(0, 1, n - n0)), rng.uniform(0, 2 * math.pi, n - n0))
    outer = _polar(rng.uniform(0.7, 1.0, n0), rng.uniform(0, 2 * math.pi, n0))
    return _finish(outer, inner, noise * 0.5, rng)


def xor(n: int = 200, noise: float = 0.0, seed: int = 0):
    """TF-Playground-style XOR cloud: points uniform in the four quadrants,
    kept 0.05 away from the axes; class 1 where x1*x2 > 0 (quadrants I and
    III), class 0 in II and IV.  Jitter std = noise * 0.5."""
    _check(n, noise)
    rng = np.random.default_rng(seed)

    def quadrants(count: int, same_sign: bool) -> np.ndarray:
        pts = rng.uniform(0.05, 1.0, (count, 2))
        s = rng.choice([-1.0, 1.0], count)
        return pts * np.column_stack([s, s if same_sign else -s])

    n0 = n // 2
    return _finish(quadrants(n0, False), quadrants(n - n0, True), noise * 0.5, rng)


def xor_points(n: int = 4, noise: float = 0.0, seed: int = 0):
    """The XOR truth table: (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0, in this
    order for n=4 (the rows are not shuffled).  n must be a multiple of 4;
    larger n repeats the corners.  Jitter std = noise * 0.5."""
    _check(n, noise)
    if n % 4:
        raise ValueError(f"n: xor_points needs a multiple of 4 points, got {n}")
    rng = np.random.default_rng(seed)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    X = np.tile(corners, (n // 4, 1))
    y = np.tile([0.0, 1.0, 1.0, 0.0], n // 4)
    if noise > 0:
        X = X + rng.normal(0.0, noise * 0.5, X.shape)
    return X, y


def gaussians(n: int = 200, noise: float = 0.0, seed: int = 0):
    """Two round blobs centred at (0.5, 0.5) (class 1) and (-0.5, -0.5)
    (class 0), each with std 0.1 + noise * 0.8 per coordinate."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    std = 0.1 + noise * 0.8
    blob0 = rng.normal(-0.5, std, (n0, 2))
    blob1 = rng.normal(0.5, std, (n - n0, 2))
    return _finish(blob0, blob1, 0.0, rng)


def spiral(n: int = 200, noise: float = 0.0, seed: int = 0):
    """Two interleaved spiral arms of 1.75 turns each (as in TF Playground),
    radius growing from 0.1 to 1, class 1 rotated by half a turn.  Points are
    evenly spaced along each arm.  Jitter std = noise * 0.3."""
    _check(n, noise)
    rng = np.random.default_rng(seed)

    def arm(count: int, phase: float) -> np.ndarray:
        s = np.arange(count) / max(count - 1, 1)          # 0 .. 1 along the arm
        return _polar(0.1 + 0.9 * s, 1.75 * 2 * math.pi * s + phase)

    n0 = n // 2
    return _finish(arm(n0, 0.0), arm(n - n0, math.pi), noise * 0.3, rng)


def moons(n: int = 200, noise: float = 0.0, seed: int = 0):
    """Two interleaving half circles (like scikit-learn's make_moons), scaled
    into [-1, 1] x [-0.5, 0.5]: class 0 the upper moon, class 1 the lower.
    Jitter std = noise * 0.5."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0 = rng.uniform(0, math.pi, n0)
    t1 = rng.uniform(0, math.pi, n - n0)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    # The raw moons span x in [-1, 2], y in [-0.5, 1]; centre and shrink by 2/3.
    centre = np.array([0.5, 0.25])
    return _finish((upper - centre) * (2 / 3), (lower - centre) * (2 / 3), noise * 0.5, rng)


_GENERATORS = {"circle": circle, "xor": xor, "xor_points": xor_points,
               "gaussians": gaussians, "spiral": spiral, "moons": moons}


def make(name: str, n: int | None = None, noise: float = 0.0, seed: int = 0):
    """A dataset by registry name (registry.DATASETS, or a regression dataset of
    REGRESSION_LABELS); n=None uses the generator's default (200 points, 4 for xor_points)."""
    if name in _REGRESSION_GENERATORS:
        generate = _REGRESSION_GENERATORS[name]
        return generate(noise=noise, seed=seed) if n is None else generate(n, noise, seed)
    registry.lookup(registry.DATASETS, name, "dataset")
    generate = _GENERATORS[name]
    return generate(noise=noise, seed=seed) if n is None else generate(n, noise, seed)


# ------------------------------------------------------------------ regression
# TensorFlow Playground's two regression datasets, in this module's coordinates: its points lie
# in [-6, 6]², ours in [-1, 1]², so its lengths are divided by 6.  The targets lie in about
# [-1, 1]; `noise` moves the position the target is read at (not the point drawn), by up to
# noise × 1 in each coordinate, so the targets of neighbours disagree.

def _regression_points(n, noise, seed, target):
    """n points uniform in [-1, 1]², and target(x1, x2) at each one's jittered position."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n, 2))
    shifted = X + rng.uniform(-1.0, 1.0, (n, 2)) * noise
    return X, target(shifted[:, 0], shifted[:, 1])


def plane_target(x1, x2):
    """A tilted plane: 0.6 (x1 + x2), from -1.2 to 1.2 over the box."""
    return 0.6 * (np.asarray(x1) + np.asarray(x2))


# (centre x1, centre x2, sign) of the six bumps: two rows of three, signs alternating.
BUMPS = ((-2 / 3, 5 / 12, 1.0), (0.0, 5 / 12, -1.0), (2 / 3, 5 / 12, 1.0),
         (-2 / 3, -5 / 12, -1.0), (0.0, -5 / 12, 1.0), (2 / 3, -5 / 12, -1.0))
BUMP_RADIUS = 1 / 3


def bumps_target(x1, x2):
    """Six signed cones of radius 1/3 (height 1 at the centre, 0 from the radius on); at each
    point the one largest in absolute value counts."""
    x1, x2 = np.asarray(x1, dtype=np.float64), np.asarray(x2, dtype=np.float64)
    target = np.zeros(np.broadcast(x1, x2).shape)
    for cx, cy, sign in BUMPS:
        height = np.clip(1.0 - np.hypot(x1 - cx, x2 - cy) / BUMP_RADIUS, 0.0, 1.0)
        target = np.where(height > np.abs(target), sign * height, target)
    return target


def plane(n: int = 200, noise: float = 0.0, seed: int = 0):
    """Regression: points uniform in [-1, 1]², target plane_target.  y is continuous."""
    return _regression_points(n, noise, seed, plane_target)


def multi_gaussians(n: int = 200, noise: float = 0.0, seed: int = 0):
    """Regression: points uniform in [-1, 1]², target bumps_target (six bumps of either sign)."""
    return _regression_points(n, noise, seed, bumps_target)


_REGRESSION_GENERATORS = {"plane": plane, "multi_gaussians": multi_gaussians}
REGRESSION_LABELS = {"plane": "Plane", "multi_gaussians": "Multiple Gaussians"}


def r_squared(y, prediction) -> float:
    """The coefficient of determination 1 - Σ(y - ŷ)² / Σ(y - ȳ)²: 1 for a perfect fit, 0 for
    predicting the mean, negative for worse.  NaN for no points, or targets that are all equal."""
    y = np.asarray(y, dtype=np.float64)
    prediction = np.asarray(prediction, dtype=np.float64)
    if y.shape != prediction.shape:
        raise ValueError(f"prediction: expected shape {y.shape}, got {prediction.shape}")
    spread = float(((y - y.mean()) ** 2).sum()) if len(y) else 0.0
    if spread == 0.0:
        return float("nan")
    return 1.0 - float(((y - prediction) ** 2).sum()) / spread


# ------------------------------------------------------------------ helpers
def train_test_split(X, y, train_fraction: float = 0.5, seed: int = 0):
    """A seeded random split: (X_train, y_train, X_test, y_test).  The
    training part has round(n * train_fraction) rows; both parts must be
    non-empty.  y may be labels or continuous targets."""
    X, y = _as_dataset(X, y, binary=False)
    if not (isinstance(train_fraction, (int, float)) and 0.0 < train_fraction < 1.0):
        raise ValueError(f"train_fraction: expected a number strictly between 0 and 1, got {train_fraction!r}")
    n = len(y)
    n_train = int(round(n * train_fraction))
    if not 0 < n_train < n:
        raise ValueError(f"train_fraction: {train_fraction} of {n} points leaves one part empty")
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[:n_train], order[n_train:]
    return X[train], y[train], X[test], y[test]


@dataclass(frozen=True)
class Standardizer:
    """x -> (x - mean) / std per column.  Keep it to map the playground's
    display coordinates (and its decision-boundary grid) the same way as the
    training data."""
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X) -> Standardizer:
        X = np.asarray(X, dtype=np.float64)
        std = X.std(axis=0)
        # A constant column stays as it is (shifted to 0) instead of dividing by 0.
        return cls(X.mean(axis=0), np.where(std > 0, std, 1.0))

    def transform(self, X) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.std

    def inverse(self, X) -> np.ndarray:
        return np.asarray(X, dtype=np.float64) * self.std + self.mean


def standardize(X):
    """(X_std, mean, std): columns shifted to mean 0 and scaled to std 1.
    Apply the same (x - mean) / std to anything else fed to the net, or
    use `Standardizer.fit(X)` to keep the transform as one object."""
    scaler = Standardizer.fit(X)
    return scaler.transform(X), scaler.mean, scaler.std


def from_points(points):
    """(X, y) from a list of (x1, x2, label) with label 0 or 1."""
    rows = list(points)
    if not rows:
        raise ValueError("points: no data rows")
    for i, row in enumerate(rows):
        if len(row) != 3:
            raise ValueError(f"points: item {i}: expected (x1, x2, label), got {row!r}")
    data = np.array(rows, dtype=np.float64)
    return _as_dataset(data[:, :2], data[:, 2], "points")


# What separates the fields of a CSV row: commas, or, as spreadsheets in many languages write
# it, semicolons (then "0,5" is a decimal comma) or tabs.
SEPARATORS_SAID = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated"}


def csv_lines(text: str) -> list[str]:
    """The lines of a CSV text, broken at \n (and so \r\n) only: str.splitlines() also breaks
    at form feeds, U+2028 and other characters no CSV writer means as a line end."""
    return text.split("\n")


def csv_separator(text: str) -> str:
    """The separator of a CSV text, from its first non-blank line: a tab or a semicolon if it
    has one, else a comma."""
    first = next((line for line in csv_lines(text) if line.strip()), "")
    return "\t" if "\t" in first else ";" if ";" in first else ","


def range_text(bound: float) -> str:
    """"between −1,000,000 and 1,000,000" for a bound of 1e6."""
    shown = f"{int(bound):,}" if bound == int(bound) else f"{bound:g}"
    return f"between −{shown} and {shown}"


def from_csv(text: str, max_abs: float | None = None):
    """(X, y) from lines "x1,x2,label" (label 0 or 1), separated by commas, semicolons
    or tabs (csv_separator); with semicolons or tabs a decimal comma is read too.  Blank
    lines are skipped; the first non-blank line is a header if none of its fields is a
    number.  With max_abs, coordinates must lie in [-max_abs, max_abs].  Errors name the
    line of `text` (1-based) as "row N"."""
    separator = csv_separator(text)
    decimal_comma = separator != ","
    X, y = [], []
    first = True
    for number, line in enumerate(csv_lines(text), start=1):
        line = line.strip()
        if not line:
            continue
        fields = [f.strip() for f in line.split(separator)]
        values = [_number(f, decimal_comma) for f in fields]
        if first and all(v is None for v in values):
            first = False
            continue                                   # the header
        first = False
        if len(fields) != 3 or any(v is None for v in values):
            raise ValueError(f"row {number}: expected 3 {SEPARATORS_SAID[separator]} numbers, got {_excerpt(line)}")
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"row {number}: values must be finite, got {_excerpt(line)}")
        if values[2] not in (0.0, 1.0):
            raise ValueError(f"row {number}: label must be 0 or 1, got {_excerpt(fields[2])}")
        if max_abs is not None and not (abs(values[0]) <= max_abs and abs(values[1]) <= max_abs):
            raise ValueError(f"row {number}: coordinates must lie {range_text(max_abs)}, got {_excerpt(line)}")
        X.append(values[:2])
        y.append(values[2])
    if not X:
        raise ValueError("no data rows: expected lines of x1,x2,label (separated by commas, semicolons or tabs)")
    return np.array(X), np.array(y)


# A bad row is quoted in the error up to this many characters: a message has to stay
# readable even when the row is a megabyte long.
EXCERPT_CHARS = 40


def _excerpt(text: str) -> str:
    """The text quoted for an error message, cut to EXCERPT_CHARS with an ellipsis."""
    if len(text) <= EXCERPT_CHARS:
        return repr(text)
    return repr(text[:EXCERPT_CHARS]) + f"… ({len(text):,} characters)"


def _number(text: str, decimal_comma: bool = False) -> float | None:
    if decimal_comma and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _as_dataset(X, y, argument: str = "X", binary: bool = True):
    """float64 (n, 2) / (n,) arrays with finite values and (if binary) 0/1 labels."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{argument}: expected shape (n, 2), got {X.shape}")
    if len(X) == 0:
        raise ValueError(f"{argument}: no data rows")
    if y.shape != (len(X),):
        raise ValueError(f"y: expected shape ({len(X)},), got {y.shape}")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError(f"{argument}: values must be finite (found NaN or infinity)")
    if binary and not ((y == 0) | (y == 1)).all():
        raise ValueError(f"{argument}: labels must be 0 or 1")
    return X, y
