"""The gradients page's chart in CPython: whole-decade ranges shared by the sides, one row per
layer with its value and status in text, escaped titles, and no inline styles."""
import math

from app.gradients_draw import bar_chart, value_range
from app.gradients_model import STATE, Run, make_data
from engine.text import significant


def state(**changes):
    return {**STATE.defaults(), **changes}


def measure(current):
    X, y = make_data(current)
    run = Run(current, current["act"], X, y)
    run.remeasure()
    return run.measurement


def test_value_range_is_whole_decades_around_every_bar():
    deep = measure(state(depth=30))
    low, high = value_range([deep, measure(state(act="relu", init="normal", sigma=3.0))])
    values = [bar.value for bar in deep.bars]
    assert low <= min(values) and high >= 100
    assert math.log10(low) == int(math.log10(low)) and math.log10(high) == int(math.log10(high))


def test_chart_has_a_row_per_layer_with_value_and_status_in_text():
    measurement = measure(state(act="relu", init="he"))
    for width in (320, 700):
        markup = bar_chart(measurement, width, value_range([measurement]), "ReLU <b>")
        assert markup.count('class="bar-row ') == 6
        assert f'viewBox="0 0 {width} ' in markup
        assert "style=" not in markup                          # the strict CSP forbids inline styles
        assert "<b>" not in markup and "ReLU &lt;b&gt;" in markup
        for bar in measurement.bars:
            assert significant(bar.value, overflow=True) in markup
        assert "✓" in markup and "dead" in markup
    assert "healthy" in bar_chart(measurement, 700, (1e-4, 10), "x").split("bar-value")[1]
