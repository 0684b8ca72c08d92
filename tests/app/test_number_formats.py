"""One number format across the lessons (engine/text.py, "Numbers"): a value or gradient reads
the same wherever a page shows it.  A learner found lesson 2 writing 1.0094 and 0.1230 where
lesson 1 wrote 1.009 and 0.123, and e-notation (2.0e−05, 2.338e+245) beside 3.2×10⁻⁵.
Checked on the helpers, on the texts the page models build, and on the source: every
format spec in app/ is one of the known ones below, none of which writes a lesson's number."""
import ast
import math
import re
from pathlib import Path

import pytest

from app import chain_rule_model, gradients_model, step_through_model
from engine.text import fixed, fmt, percent, plain, readout, relative, short, significant

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- the rule, on the helpers

@pytest.mark.parametrize("value, text, tex", [
    (1.0094, "1.009", "1.009"),                   # 4 significant digits ...
    (0.1230, "0.123", "0.123"),                   # ... and no trailing zeros
    (-0.0001234, "−0.0001234", "-0.0001234"),     # the smallest number written out; a real minus
    (-0.00001234, "−1.234×10⁻⁵", r"-1.234\times 10^{-5}"),
    (1e-12, "1×10⁻¹²", r"1\times 10^{-12}"),
    (2.338e245, "2.338×10²⁴⁵", r"2.338\times 10^{245}"),
    (12345.678, "12346", "12346"),                # below a million: no exponent
    (0.0, "0", "0"),
    (-0.0, "0", "0"),                             # no "−0"
    (99999998.0, "99999998", "99999998"),         # a whole number (an exponent) in full
    (math.nan, "undefined", r"\text{undefined}"),
])
def test_a_value_or_gradient_is_four_significant_digits_in_text_and_formula(value, text, tex):
    assert plain(value) == significant(value) == text
    assert fmt(value) == tex


@pytest.mark.parametrize("value, column, picture", [
    (1.0094, "1.0094", "1.01"),
    (0.1230, "0.1230", "0.123"),                  # a column keeps its zeros so that rows line up
    (-0.0001234, "−0.0001", "−0.000123"),
    (-0.00001234, "−1.234×10⁻⁵", "−1.23×10⁻⁵"),   # a tiny gradient never reads 0
    (1e-12, "1.000×10⁻¹²", "1×10⁻¹²"),
    (2.338e245, "2.338×10²⁴⁵", "2.34×10²⁴⁵"),
    (12345.678, "12345.6780", "1.23×10⁴"),        # a picture has room for 3 digits
    (0.0, "0.0000", "0"),
    (-0.0, "0.0000", "0"),
])
def test_columns_keep_their_decimals_and_pictures_use_three_digits(value, column, picture):
    assert fixed(value) == readout(value) == column
    assert short(value) == picture


def test_relative_differences_shares_and_missing_readouts():
    assert relative(3.21e-9) == "3.2×10⁻⁹" and relative(0.0) == "0"
    assert percent(0.975) == "97.5%" and percent(-0.5, 0) == "−50%" and percent(math.nan) == "—"
    assert readout(math.inf) == readout(math.nan) == "—"
    assert significant(math.inf, overflow=True) == "∞ (overflow)"


# ---------------------------------------------------------------- the rule, on what the pages write

ASCII_MINUS = re.compile(r"(?:^|[\s(=\[,;:])-\d")            # "-0.4" (a hyphen, not −)
E_NOTATION = re.compile(r"\d[eE][+−-]?\d")                   # 1e-05, 2.338e+245
TRAILING_ZERO = re.compile(r"\d\.\d*0(?![\d.])")            # 0.5200, 1.0


def assert_written_by_the_rule(text: str, where: str):
    assert not ASCII_MINUS.search(text), (where, text)
    assert not E_NOTATION.search(text), (where, text)
    assert not TRAILING_ZERO.search(text), (where, text)
    assert not re.search(r"\b(nan|inf)\b", text, re.IGNORECASE), (where, text)


@pytest.mark.parametrize("name", step_through_model.PRESETS)
def test_lesson_two_writes_its_values_as_lesson_one_does(name):
    network = step_through_model.Network(step_through_model.preset_values(name, step_through_model.STATE.defaults()))
    steps = step_through_model.lesson_steps(network)
    for step in steps:
        for text in (step.title, step.explanation, step.result_text, step.upstream_text):
            assert_written_by_the_rule(text, (name, step.phase, step.node))
        if step.phase != "update" and step.node != "inputs":
            # The card's result and its formula with the numbers end in the same number.
            written = step.result_text.rsplit(" = ", 1)[1]
            assert written == plain(step.result) and step.substituted.endswith("= " + fmt(step.result)), step.node
            assert written.replace("−", "-") == fmt(step.result)
    live = step_through_model.live_values(network, steps, len(steps) - 1)
    assert live["live-loss"] == plain(network.loss.data) == next(
        s.result_text.rsplit(" = ", 1)[1] for s in steps if s.node == "L" and s.phase == "forward")


def test_lesson_one_backward_frames_follow_the_rule():
    frames = chain_rule_model.backward_frames(chain_rule_model.neuron_graph(2.0, 0.5, -0.5, 1.0))
    for frame in frames:
        assert_written_by_the_rule(frame.text, frame.edge)
    # Panel 3's verdict said "it is 1.009. df/dx = 1.4000 · 0.7937 · 0.9084 = 1.0094" (the table's
    # columns); its sentence now writes the product as its answer.
    question = chain_rule_model.lockstep_question(chain_rule_model.lockstep(0.7))
    assert_written_by_the_rule(question.why, "panel 3")
    assert question.why.startswith("df/dx = dh/dx · dg/du · df/dv = 1.4 · 0.7937 · 0.9084 = 1.009:")
    assert plain(question.answer) == "1.009"


@pytest.mark.parametrize("changes", [{}, {"act": "sigmoid", "depth": 10}, {"act": "elu", "sigma": 5.0, "depth": 12}])
def test_lesson_three_sentences_and_table_follow_the_rule(changes):
    current = {**gradients_model.STATE.defaults(), **changes}
    X, y = gradients_model.make_data(current)
    run = gradients_model.Run(current, current["act"], X, y)
    run.remeasure()
    measurement = run.measurement
    texts = [*gradients_model.explain(current, measurement), gradients_model.summary_text(measurement, 0)]
    texts += [cell for row in gradients_model.table_rows(measurement) for cell in row]
    for text in texts:
        assert_written_by_the_rule(text, changes)


# ---------------------------------------------------------------- no ad-hoc number format in app/

# Every format spec ({x:.2f}, {x:g}, {x:.0%}) in app/*.py and engine/trace.py, by file and the
# expression it formats.  None of them writes a lesson's value: those go through engine/text.py.
# A new spec fails the test below; write the number with engine.text instead (or, if it is no
# number a learner reads, add it here with the reason).
KNOWN_FORMATS = {
    # SVG coordinates and CSS lengths: geometry, not text
    "chain_rule.py": {"scale * float(view.width)", "scale * float(view.height)"},
    "playground_draw.py": {
        "axes.x(marked[0])", "axes.y(marked[1])", "100 * length / outer", "100 * left / width",
        "100 * (width - left - right) / width", "a", "b", "width + 1.5", "axes.x(a)", "axes.y(b)",
        "left + span * k / LEGEND_STEPS", "span / LEGEND_STEPS + 0.3", "x", "px - 3.6", "py - 3.6", "px", "py",
        "step_width(step)", "xa", "self.y(layer - 1, i)", "xb", "self.y(layer, j)"},
    "playground.py": {"100 * left", "100 * top",
                      "value"},                        # the weight editor's field: text the learner edits
    "svg.py": {"value",                                # a float attribute
               "left", "top", "width", "height", "room", "n.x", "n.y", "self.x(a)", "self.y(b)", "(y0 + y1) / 2"},
    "write_it_draw.py": {"x0", "y0", "x1 - x0 + 0.3", "y1 - y0 + 0.3", "min(abs(p - 0.5) * 1.6, 0.8)",
                         "seconds"},                   # lesson 6's wording: left to its own change
    # a setting's own text, as its field and the link write it (app/state.py, app/ui.py)
    "state.py": {"value", "10.0 ** position"},
    "ui.py": {"v"},
    # data, not a lesson's number: the batch in the link, a timing for tests, a file size, the
    # runtime check page's full-precision probe, lesson 6's code (left to its own change)
    "matrix_form_model.py": {"x1", "x2"},
    "diagnostics.py": {"self.longest_ms"},
    "playground_model.py": {"size / 1_000_000", "size / 1_000"},
    "probe.py": {"out.data"},
    "write_it_model.py": {"float(x)", "accuracy",
                          "out"},                      # a check title: a Python call to paste
}
NUMERIC_SPEC = re.compile(r"\.\d|[eEfFgG%]$|\{")       # a precision or a float presentation type


def format_specs(path: Path):
    """(formatted expression, spec) for every numeric format spec in one file."""
    source = path.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.format_spec.values)
            if NUMERIC_SPEC.search(spec):
                yield ast.get_source_segment(source, node.value), spec


def test_no_new_ad_hoc_number_format_in_the_pages():
    files = sorted((ROOT / "app").glob("*.py")) + [ROOT / "engine" / "trace.py"]
    new = [(path.name, expression, spec) for path in files for expression, spec in format_specs(path)
           if expression not in KNOWN_FORMATS.get(path.name, set())]
    assert new == [], "write these numbers with engine.text (plain, fixed, short, …)"


def test_the_scan_finds_a_format_spec():
    source = 'f"grad w = {grad:.3f}, {share:.0%}, {n:,} more, {name}"'
    found = [(ast.get_source_segment(source, n.value), "".join(p.value for p in n.format_spec.values))
             for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FormattedValue) and n.format_spec]
    assert [(e, s) for e, s in found if NUMERIC_SPEC.search(s)] == [("grad", ".3f"), ("share", ".0%")]
