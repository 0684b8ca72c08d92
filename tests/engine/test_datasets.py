"""Dataset generators, splitting, standardizing and loading user data."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import datasets
from engine.registry import DATASETS

CLOUDS = ["circle", "xor", "gaussians", "spiral", "moons"]     # all but xor_points


@pytest.mark.parametrize("name", CLOUDS)
def test_shapes_labels_and_balance(name):
    X, y = datasets.make(name, 200, noise=0.1, seed=0)
    assert X.shape == (200, 2) and X.dtype == np.float64
    assert y.shape == (200,) and y.dtype == np.float64
    assert set(np.unique(y)) == {0.0, 1.0}
    assert y.sum() == 100
    X, y = getattr(datasets, name)(n=101)
    assert len(y) == 101 and (y == 0).sum() == 50


@given(name=st.sampled_from(CLOUDS), n=st.integers(2, 300),
       noise=st.floats(0.0, 0.5), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_any_size_noise_and_seed(name, n, noise, seed):
    X, y = datasets.make(name, n, noise, seed)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert np.isfinite(X).all()
    assert (y == 0).sum() == n // 2


@pytest.mark.parametrize("name", DATASETS)
def test_seeded_reproducibility(name):
    a = datasets.make(name, None, 0.2, seed=4)
    b = datasets.make(name, None, 0.2, seed=4)
    c = datasets.make(name, None, 0.2, seed=5)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("name", CLOUDS)
def test_noise_free_points_stay_in_the_unit_box(name):
    X, _ = datasets.make(name, 500, noise=0.0, seed=1)
    assert np.abs(X).max() <= 1.0 + 1e-12


@pytest.mark.parametrize("name", CLOUDS)
def test_noise_moves_points(name):
    clean, _ = datasets.make(name, 300, noise=0.0, seed=2)
    noisy, _ = datasets.make(name, 300, noise=0.3, seed=2)
    assert np.abs(noisy).max() > np.abs(clean).max()


def test_circle_inner_class_is_inside_the_outer_one():
    X, y = datasets.circle(400, noise=0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() <= 0.5 < 0.7 <= r[y == 0].min()


def test_xor_cloud_labels_follow_the_quadrants():
    X, y = datasets.xor(400, noise=0.0, seed=0)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(float))
    assert np.abs(X).min() >= 0.05


def test_xor_points_is_the_truth_table():
    X, y = datasets.xor_points()
    assert np.array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert np.array_equal(y, [0, 1, 1, 0])
    X, y = datasets.xor_points(8, noise=0.1)
    assert X.shape == (8, 2) and np.array_equal(y, [0, 1, 1, 0] * 2)
    with pytest.raises(ValueError, match="^n"):
        datasets.xor_points(6)


def test_gaussians_are_centred_apart():
    X, y = datasets.gaussians(1000, seed=0)
    assert np.allclose(X[y == 1].mean(axis=0), [0.5, 0.5], atol=0.03)
    assert np.allclose(X[y == 0].mean(axis=0), [-0.5, -0.5], atol=0.03)


def test_spiral_arms_grow_and_are_half_a_turn_apart():
    X, y = datasets.spiral(200, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() == pytest.approx(0.1) and r.max() == pytest.approx(1.0)
    # Class 1 is class 0 rotated by pi: the point sets are mirror images.
    a = np.sort(np.round(X[y == 0], 9), axis=0)
    b = np.sort(np.round(-X[y == 1], 9), axis=0)
    assert np.allclose(a, b)


def test_moons_span():
    X, y = datasets.moons(500, seed=0)
    assert X[:, 0].min() >= -1 - 1e-12 and X[:, 0].max() <= 1 + 1e-12
    assert np.abs(X[:, 1]).max() <= 0.5 + 1e-12
    assert X[y == 0, 1].mean() > X[y == 1, 1].mean()


def test_make_dispatches_every_registry_name():
    assert set(datasets._GENERATORS) == set(DATASETS)
    X, y = datasets.make("moons", 50, 0.1, 3)
    X2, y2 = datasets.moons(50, 0.1, 3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    with pytest.raises(ValueError, match="^dataset.*spiral"):
        datasets.make("swirl")


@pytest.mark.parametrize("n,noise,argument", [(0, 0.0, "n"), (1, 0.0, "n"), (2.5, 0.0, "n"),
                                              (10, -0.1, "noise"), (10, 1.5, "noise"),
                                              (10, float("nan"), "noise")])
def test_bad_generator_arguments(n, noise, argument):
    with pytest.raises(ValueError, match=f"^{argument}"):
        datasets.circle(n, noise)


# ------------------------------------------------------------------- helpers
def test_train_test_split():
    X, y = datasets.circle(100, seed=0)
    Xtr, ytr, Xte, yte = datasets.train_test_split(X, y, train_fraction=0.7, seed=1)
    assert len(ytr) == 70 and len(yte) == 30
    rows = {tuple(r) for r in np.column_stack([X, y])}
    parts = [tuple(r) for r in np.column_stack([np.vstack([Xtr, Xte]), np.concatenate([ytr, yte])])]
    assert len(set(parts)) == 100 and set(parts) == rows
    again = datasets.train_test_split(X, y, train_fraction=0.7, seed=1)
    assert np.array_equal(again[0], Xtr)
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="^train_fraction"):
            datasets.train_test_split(X, y, bad)


def test_standardize():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    Xs, mean, std = datasets.standardize(X)
    assert np.allclose(mean, [3, 5]) and np.allclose(std, [np.sqrt(8 / 3), 1.0])
    assert np.allclose(Xs[:, 0].mean(), 0) and np.allclose(Xs[:, 0].std(), 1)
    assert (Xs[:, 1] == 0).all()                       # a constant column is not divided by 0
    scaler = datasets.Standardizer.fit(X)
    assert np.allclose(scaler.transform(X), Xs)
    assert np.allclose(scaler.inverse(scaler.transform(X)), X)


def test_from_points():
    X, y = datasets.from_points([(0.5, -1, 1), (2, 3, 0)])
    assert np.array_equal(X, [[0.5, -1], [2, 3]]) and np.array_equal(y, [1, 0])
    with pytest.raises(ValueError, match="no data rows"):
        datasets.from_points([])
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        datasets.from_points([(0, 0, 2)])
    with pytest.raises(ValueError, match="item 1"):
        datasets.from_points([(0, 0, 1), (0, 0)])


def test_from_csv_with_header_and_blank_lines():
    X, y = datasets.from_csv("x1,x2,label\n\n0.5, -1, 1\n 2,3,0 \n\n")
    assert np.array_equal(X, [[0.5, -1], [2, 3]]) and np.array_equal(y, [1, 0])
    X, y = datasets.from_csv("1,2,1")
    assert X.shape == (1, 2)


@pytest.mark.parametrize("text,message", [
    ("x1,x2,label\n1,2,0\nabc\n", "row 3: expected 3 comma-separated numbers, got 'abc'"),
    ("1,2,0\n1,2\n", "row 2: expected 3 comma-separated numbers, got '1,2'"),
    ("1,2,0\n1,2,0,4\n", "row 2: expected 3 comma-separated numbers"),
    ("1,2,x\n", "row 1: expected 3 comma-separated numbers"),
    ("1,2,0\n\n1,2,2\n", "row 3: label must be 0 or 1, got '2'"),
    ("1,nan,0\n", "row 1: values must be finite"),
    ("1,2,0\ninf,2,1\n", "row 2: values must be finite"),
    ("", "no data rows"),
    ("x1,x2,label\n\n", "no data rows"),
])
def test_from_csv_errors_name_the_row(text, message):
    with pytest.raises(ValueError) as info:
        datasets.from_csv(text)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("text", [
    "x1;x2;label\n0,5;-1;1\n2;3;0\n",      # a spreadsheet's semicolons, with a decimal comma
    "0.5;-1;1\n2;3;0",
    "x1\tx2\tlabel\n0.5\t-1\t1\n2\t3\t0\n",
    "0,5\t-1\t1\n2\t3\t0\n",
])
def test_from_csv_reads_semicolons_and_tabs(text):
    X, y = datasets.from_csv(text)
    assert np.array_equal(X, [[0.5, -1], [2, 3]]) and np.array_equal(y, [1, 0])


def test_from_csv_says_which_separator_it_expected():
    with pytest.raises(ValueError, match="row 2: expected 3 semicolon-separated numbers"):
        datasets.from_csv("1;2;0\n1;2\n")
    with pytest.raises(ValueError, match="separated by commas, semicolons or tabs"):
        datasets.from_csv("x1 x2 label\n")


def test_from_csv_bounds_coordinates_when_asked():
    assert datasets.from_csv("1e308,0,1")[0][0, 0] == 1e308
    with pytest.raises(ValueError, match=r"row 2: coordinates must lie between −1,000,000 and 1,000,000"):
        datasets.from_csv("1,2,0\n1e7,0,1\n", max_abs=1e6)


def test_from_csv_quotes_only_an_excerpt_of_a_long_bad_row():
    row = "1," + "2" * 100_000 + "x,0"
    with pytest.raises(ValueError) as info:
        datasets.from_csv("1,2,0\n" + row + "\n")
    message = str(info.value)
    assert message.startswith(f"row 2: expected 3 comma-separated numbers, got {row[:40]!r}…")
    assert "100,005 characters" in message and len(message) < 120
