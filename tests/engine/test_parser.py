"""engine.parser: what it accepts, what it refuses and with which message."""
import builtins
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.gradcheck import check_expression
from engine.parser import FUNCTIONS, MAX_DEPTH, MAX_LENGTH, Expression, ParseError, parse

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


def test_parse_and_evaluate_sum_times_z():
    expr = parse("(x + y) * z")
    assert isinstance(expr, Expression)
    assert (expr.text, expr.variables) == ("(x + y) * z", ("x", "y", "z"))
    assert repr(expr) == "Expression('(x + y) * z', variables=('x', 'y', 'z'))"
    out = expr.evaluate(x=-2, y=5, z=-4)
    out.backward()
    assert out.data == -12.0
    assert [out.find(v).grad for v in "xyz"] == [-4.0, -4.0, 3.0]


def test_labels_and_sub_expressions():
    out = parse("tanh(x**2)**2 + x*y").evaluate(x=0.7, y=-1.5)
    assert [(n.label, n.expr) for n in out.nodes() if not n.constant] == [
        ("x", "x"), ("v1", "x ** 2"), ("v2", "tanh(x ** 2)"), ("v3", "tanh(x ** 2) ** 2"),
        ("y", "y"), ("v4", "x * y"), ("f", "tanh(x ** 2) ** 2 + x * y")]
    # An auto label never takes a variable's name, and a variable f keeps its name.
    out = parse("v1 * f + v2").evaluate(v1=1, v2=2, f=3)
    assert sorted(n.label for n in out.nodes()) == ["f", "v1", "v2", "v3", "v4"]


def test_variables_in_order_of_first_appearance_and_shared_leaves():
    expr = parse("z * x + sin(z) - y / x")
    assert expr.variables == ("z", "x", "y")
    out = expr.evaluate(x=1.0, y=2.0, z=3.0, unused=9.0)
    assert [n.label for n in out.nodes()].count("z") == 1


def test_missing_variable_is_named():
    with pytest.raises(ValueError, match="missing a value for variable 'y'"):
        parse("x * y").evaluate(x=1.0)


def test_numbers_and_unary_signs():
    assert parse("-2").evaluate().data == -2.0
    assert parse("+x").evaluate(x=3).data == 3.0
    assert parse("2 * 3 - 1e-1").evaluate().data == pytest.approx(5.9)
    assert parse("x ** -1").evaluate(x=4).data == 0.25
    assert parse("2 ** x").evaluate(x=3).data == 8.0


def test_unicode_operators_are_normalised():
    out = parse("x − y × 2 ÷ 4").evaluate(x=1.0, y=2.0)
    assert out.data == 0.0


def test_no_real_answer_gives_an_undefined_value():
    assert math.isnan(parse("log(x)").evaluate(x=-1).data)
    assert math.isnan(parse("1 / x").evaluate(x=0).data)
    assert math.isnan(parse("sqrt(x)").evaluate(x=-4).data)
    assert parse("exp(x)").evaluate(x=1000).data == math.inf


@pytest.mark.parametrize("text, position, message", [
    ("", 0, "empty"),
    ("   ", 0, "empty"),
    ("x + y +", 7, "expected an expression after '+'"),
    ("x +* y", 3, "expected an expression after '+'"),
    ("x ** ", 4, "expected an expression after '**'"),
    ("x^2", 1, "use ** for powers"),
    ("foo(x)", 0, "unknown function 'foo'; allowed: exp, log, tanh"),
    ("x.real", 0, "attribute access"),
    ("lambda x: x", 0, "'lambda' is a Python keyword"),
    ("'x'", 0, "unexpected character"),
    ("x # comment", 2, "unexpected character '#'"),
    ("(x + y", 0, "never closed"),
    ("x + y)", 5, "unmatched ')'"),
    ("2x", 1, "a number runs into a name"),
    ("x y", 2, "unexpected 'y'"),
    ("x // y", 2, "'//' is not supported"),
    ("exp(x, y)", 0, "exp takes exactly one argument"),
    ("exp + 1", 0, "exp is a function"),
    ("(x)(y)", 0, "unknown function 'x'"),
    ("(x + 1)(y)", 7, "expected an operator before '('"),
    ("x, y", 0, "a list of expressions"),
    ("True", 0, "keyword"),
    ("1j", 0, "expected a real number"),
    ("1e999", 0, "too large"),
    ("x" * (MAX_LENGTH + 1), MAX_LENGTH, "the limit is 500"),
    ("-" * (MAX_DEPTH + 5) + "x", MAX_DEPTH, f"at most {MAX_DEPTH - 1} operations"),
    ("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), MAX_DEPTH, f"the limit is {MAX_DEPTH}"),
    ("  x +", 5, "expected an expression after '+'"),
    ("_x", 0, "start with a letter"),
])
def test_errors_name_position_and_expectation(text, position, message):
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert caught.value.position == position
    assert str(caught.value).startswith(f"position {position}: ")
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_not_a_string():
    with pytest.raises(ParseError, match="expected text"):
        parse(None)


def test_never_evaluates_or_compiles_to_code(monkeypatch):
    real_compile = builtins.compile

    def ast_only_compile(source, filename, mode, flags=0, *args, **kwargs):
        import ast
        assert flags & ast.PyCF_ONLY_AST, "compiled to code"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "compile", ast_only_compile)
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    out = parse("sigmoid(x) * exp(y)").evaluate(x=0.0, y=0.0)
    assert out.data == 0.5
    with pytest.raises(ParseError):
        parse("__import__('os').system('true')")


# ------------------------------------------------------------------ property tests

VARIABLES = ("x", "y", "z")


def _grow(inner):
    binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    power = st.tuples(inner, st.sampled_from(["2", "3", "-1"])).map(lambda t: f"({t[0]})**{t[1]}")
    call = st.tuples(st.sampled_from(sorted(FUNCTIONS)), inner).map(lambda t: f"{t[0]}({t[1]})")
    return binary | power | call | inner.map(lambda s: f"-{s}")


expressions = st.recursive(st.sampled_from(VARIABLES) | st.sampled_from(["0.5", "2", "1.5"]), _grow, max_leaves=8)
points = st.fixed_dictionaries({v: st.floats(-2.0, 2.0) for v in VARIABLES})

# Where finite differences straddle a kink or a pole, or a function leaves its domain.
_NEAR_ZERO = {"relu": 1e-3, "leaky_relu": 1e-3, "log": 0.05, "**": 0.05, "/": 0.05}


def _well_behaved(out):
    for node in out.nodes():
        if not (math.isfinite(node.data) and abs(node.data) < 1e4):
            return False
        if not all(math.isfinite(d) for d in node.local):
            return False
        if node.op in _NEAR_ZERO:
            # the argument of relu/log/powers, the denominator of a division
            argument = node.parents[-1] if node.op == "/" else node.parents[0]
            if abs(argument.data) < _NEAR_ZERO[node.op]:
                return False
    return True


@FAST
@given(expressions, points)
def test_random_expressions_have_correct_gradients(text, values):
    out = parse(text).evaluate(**values)
    assume(_well_behaved(out))
    scale = max(abs(n.data) for n in out.nodes())
    for name, (analytic, numeric, _) in check_expression(text, values).items():
        # Finite differences carry about 1e-10 * scale of rounding noise.
        assert abs(analytic - numeric) <= 1e-5 * max(1.0, abs(analytic)) + 1e-8 * scale, (name, analytic, numeric)


@FAST
@given(st.text(max_size=80))
def test_junk_text_raises_only_parse_errors(text):
    _parse_evaluate_trace(text)


@FAST
@given(st.text(alphabet="xyz+-*/()^., 0123456789eEjJ_" + "exptanhsigmoidrelucosqrt−×", max_size=40))
def test_formula_like_junk_raises_only_parse_errors(text):
    _parse_evaluate_trace(text)


def _parse_evaluate_trace(text):
    """Either ParseError, or an expression that evaluates and traces cleanly."""
    try:
        expr = parse(text)
    except ParseError as error:
        assert 0 <= error.position <= max(len(text), MAX_LENGTH)
        return
    out = expr.evaluate(**{name: 0.5 for name in expr.variables})
    assert out.trace()


def test_a_flat_sum_over_the_limit_is_refused_with_the_actual_limit():
    # 50 terms are fine; the 51st is refused with a message that says what the limit is
    # (it used to say "nested too deeply" about a sum with no nesting at all).
    parse(" + ".join(["x"] * MAX_DEPTH))
    with pytest.raises(ParseError) as caught:
        parse(" + ".join(["x"] * (MAX_DEPTH + 1)))
    message = str(caught.value)
    assert f"at most {MAX_DEPTH} terms" in message and "nested" not in message
