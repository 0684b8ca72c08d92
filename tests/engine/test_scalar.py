"""engine.scalar: plain-Python arithmetic on one float gives what NumPy's float64 gives, edge
cases included (the graph used NumPy for them; the chain-rule lesson now loads without it), and
its activations and losses are engine.registry's for one number."""
import math
import warnings

import numpy as np
import pytest

from engine import scalar
from engine.registry import ACTIVATIONS, LOSSES


def numpy_result(function, *args):
    with np.errstate(all="ignore"):
        return float(function(*[np.float64(a) for a in args]))


def same_float(got, want):
    """Equal, or both NaN, with the same sign for zeros and infinities."""
    if math.isnan(want):
        return math.isnan(got)
    return got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


INF = math.inf
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -8.0, 1e-320, 1e308, -1e308, INF, -INF, math.nan]


@pytest.mark.parametrize("a, b, want", [
    (1.0, 0.0, INF), (-1.0, 0.0, -INF), (1.0, -0.0, -INF), (-1.0, -0.0, INF),
    (0.0, 0.0, math.nan), (math.nan, 0.0, math.nan), (INF, 0.0, INF), (1e308, 1e-308, INF),
])
def test_divide_by_zero_and_overflow_as_ieee(a, b, want):
    got = scalar.divide(a, b)
    assert same_float(got, want) and same_float(got, numpy_result(np.divide, a, b))


@pytest.mark.parametrize("a, b, want", [
    (0.0, -1.0, INF), (-0.0, -1.0, -INF), (-0.0, -2.0, INF), (0.0, -0.5, INF),
    (-8.0, 1 / 3, math.nan), (-2.0, 0.5, math.nan), (-2.0, 1001.0, -(2.0**1001)), (-2.0, 1025.0, -INF), (-2.0, 1024.0, INF),
    (10.0, 400.0, INF), (10.0, -400.0, 0.0), (-10.0, -401.0, -0.0), (2.0, 0.5, math.sqrt(2.0)),
    (math.nan, 0.0, 1.0), (1.0, math.nan, 1.0), (0.0, -INF, INF), (-INF, 3.0, -INF),
])
def test_power_edge_cases_as_ieee(a, b, want):
    got = scalar.power(a, b)
    assert same_float(got, want) and same_float(got, numpy_result(np.power, a, b))


@pytest.mark.parametrize("name, a, want", [
    ("exp", 1000.0, INF), ("exp", -1000.0, 0.0), ("exp", -INF, 0.0), ("exp", math.nan, math.nan),
    ("log", 0.0, -INF), ("log", -0.0, -INF), ("log", -1.0, math.nan), ("log", -INF, math.nan), ("log", INF, INF),
    ("sin", INF, math.nan), ("sin", -INF, math.nan), ("cos", INF, math.nan),
])
def test_functions_outside_their_range_as_ieee(name, a, want):
    got = getattr(scalar, name)(a)
    assert same_float(got, want) and same_float(got, numpy_result(getattr(np, name), a))


def test_sin_and_cos_of_huge_numbers_agree_with_numpy():
    for a in (1e308, -1e308, 1e22, 2.0**60):
        assert scalar.sin(a) == pytest.approx(numpy_result(np.sin, a), rel=1e-15, abs=1e-15)
        assert scalar.cos(a) == pytest.approx(numpy_result(np.cos, a), rel=1e-15, abs=1e-15)


@pytest.mark.parametrize("a", SPECIAL)
@pytest.mark.parametrize("b", SPECIAL)
def test_divide_and_power_never_raise_and_match_numpy_on_every_special_pair(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert same_float(scalar.divide(a, b), numpy_result(np.divide, a, b)), (a, b)
        want = numpy_result(np.power, a, b)
        if (a, b) == (-INF, 0.5):
            want = INF  # NumPy takes x ** 0.5 as sqrt(x), nan at -inf; C's pow and IEEE 754 give inf
        got = scalar.power(a, b)
        assert same_float(got, want) or got == pytest.approx(want, rel=1e-15), (a, b, got, want)


def test_ordinary_numbers_agree_with_numpy_to_1e_15():
    rng = np.random.default_rng(0)
    for a, b in rng.uniform(-30, 30, size=(300, 2)):
        assert scalar.divide(a, b) == pytest.approx(numpy_result(np.divide, a, b), rel=1e-15)
        assert scalar.exp(a) == pytest.approx(numpy_result(np.exp, a), rel=1e-15)
        assert scalar.log(abs(a)) == pytest.approx(numpy_result(np.log, abs(a)), rel=1e-15)
        assert scalar.power(abs(a), b) == pytest.approx(numpy_result(np.power, abs(a), b), rel=1e-14)
        assert scalar.sin(a) == pytest.approx(numpy_result(np.sin, a), rel=1e-15, abs=1e-15)


ZS = [-800.0, -40.0, -2.2, -1.3, -1e-9, -0.0, 0.0, 1e-9, 0.4, 2.2, 40.0, 800.0, INF, -INF]


@pytest.mark.parametrize("name", sorted(scalar.ACTIVATIONS))
def test_activations_are_the_registry_activations_for_one_number(name):
    output, derivative = scalar.ACTIVATIONS[name]
    for z in ZS:
        want = float(ACTIVATIONS[name].output(np.asarray(z)))
        a = output(z)
        assert a == pytest.approx(want, rel=1e-15, abs=1e-300), (name, z)
        want_slope = float(ACTIVATIONS[name].derivative(np.asarray(z), np.asarray(want)))
        assert derivative(z, a) == pytest.approx(want_slope, rel=1e-15, abs=1e-15), (name, z)


@pytest.mark.parametrize("name", sorted(scalar.LOSSES))
def test_losses_are_the_registry_losses_for_one_number(name):
    value, derivative = scalar.LOSSES[name]
    with np.errstate(all="ignore"):
        for yhat in (0.0, 1e-14, 0.3, 0.7, 1.0 - 1e-14, 1.0, 1e200):
            for y in (0.0, 1.0, 0.3):
                want = float(LOSSES[name].value(np.asarray(yhat), y))
                assert value(yhat, y) == pytest.approx(want, rel=1e-15), (name, yhat, y)
                want_slope = float(LOSSES[name].derivative(np.asarray(yhat), y))
                assert derivative(yhat, y) == pytest.approx(want_slope, rel=1e-15), (name, yhat, y)


def test_the_relative_error_of_two_floats_is_gradchecks():
    from engine.gradcheck import relative_error
    for a in SPECIAL + [1e-9, 3.0, -2.5e-7]:
        for n in SPECIAL + [1e-9, 3.0, -2.5e-7]:
            with np.errstate(all="ignore"):
                want = relative_error(a, n)
            assert same_float(scalar.relative_error(a, n), want), (a, n)
    assert scalar.Comparison("w", 3.0, 1.0).relative == 0.5


def test_a_gradient_descent_step_on_named_numbers_is_sgds_on_arrays():
    from engine.graph import gradient_descent_step
    from engine.optim import SGD
    rng = np.random.default_rng(0)
    names = ["w11", "b1", "w31"]
    values, grads = dict(zip(names, rng.normal(size=3).tolist())), dict(zip(names, rng.normal(size=3).tolist()))
    params = np.array(list(values.values()))
    SGD(lr=0.37).step([params], [np.array(list(grads.values()))])
    assert gradient_descent_step(values, grads, 0.37) == dict(zip(names, params.tolist()))  # bit for bit


def test_the_menus_labels_are_the_registrys():
    from engine import labels, registry
    assert set(labels.ACTIVATION_LABELS) == set(registry.ACTIVATIONS)
    assert set(labels.LOSS_LABELS) == set(registry.LOSSES)
    assert set(labels.OUTPUTS) <= set(registry.ACTIVATIONS)
    assert labels.labels(labels.ACTIVATION_LABELS) == registry.labels(registry.ACTIVATIONS)


def test_the_scalar_graph_loads_without_numpy():
    """engine.graph, its parser and the models of lessons 1 and 2 import no NumPy (both load
    without it: static/pyscript-lite.json); checked in a fresh interpreter."""
    import subprocess
    import sys
    code = ("import sys; import engine.graph, engine.parser, app.chain_rule_model, app.step_through_model, "
            "app.code_view; print('numpy' in sys.modules)")
    root = str(__import__("pathlib").Path(__file__).resolve().parents[2])
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_graph_nodes_inside_their_domain_overflow_as_ieee():
    from engine.graph import Value
    assert Value(1000.0).exp().data == INF
    assert (Value(-2.0) ** 1025).data == -INF and (Value(-2.0) ** 1001).data == -(2.0**1001)
    assert (Value(1e308) * 10).data == INF and (Value(1e308) / 1e-308).data == INF
    assert Value(1e308).sin().data == pytest.approx(numpy_result(np.sin, 1e308), rel=1e-15)
