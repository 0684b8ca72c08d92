"""The gradients page's chart in CPython: whole-decade ranges shared by the sides, one row per
layer with its value and status in text, escaped titles, and no inline styles."""
import math
import re

import pytest

from app.gradients_draw import bar_chart, value_range, zone_label_box
from app.gradients_model import STATE, Run, classify, make_data, status_zones
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


def zones_and_labels(markup):
    """The shaded zones (x0, x1, level) and the zone captions (centre x, text) of a chart."""
    zones = [(float(x), float(x) + float(w), level) for x, w, level in
             re.findall(r'<rect x="([-\d.e]+)" y="[-\d.e]+" width="([-\d.e]+)" height="[-\d.e]+" '
                        r'class="zone zone-(\w+)"', markup)]
    labels = [(float(x), text) for x, text in
              re.findall(r'<text x="([-\d.e]+)" y="[-\d.e]+"[^>]*class="zone-label"[^>]*>([^<]*)</text>', markup)]
    return zones, labels


def test_status_zones_follow_classify_and_never_overlap():
    # ReLU, σ = 3, depth 10 (issue 20): the reference is huge, so small values are "vanishing"
    # and values over 1 "exploding"; the two zones meet at 1 instead of lying on each other.
    zones = status_zones(1e-3, 1e6, 4e5)
    assert [(start, stop, status.word) for start, stop, status in zones] == [(1e-3, 1.0, "vanishing"),
                                                                             (1.0, 1e6, "exploding")]
    for reference in (1e-9, 1e-4, 0.003, 0.02, 0.3, 2.0, 50.0, 4e5, math.nan):
        zones = status_zones(1e-12, 1e8, reference)
        for (_, stop, status), (start, _, following) in zip(zones, zones[1:]):
            assert stop <= start and status != following
        for start, stop, status in zones:
            for value in (start * 1.0001, math.sqrt(start * stop), stop * 0.9999):
                assert classify(value, reference if reference == reference else None) == status


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid"])
def test_zones_are_disjoint_and_each_caption_sits_in_its_own_zone(act):
    for sigma, depth, residual in [(3.0, 10, False), (0.05, 20, False), (1.0, 5, False), (5.0, 30, True),
                                   (0.3, 2, False), (2.0, 15, True)]:
        measurement = measure(state(act=act, sigma=sigma, depth=depth, width=8, residual=residual))
        for width in (320, 700):
            zones, labels = zones_and_labels(bar_chart(measurement, width, value_range([measurement]), act))
            spans = sorted((x0, x1) for x0, x1, _ in zones)      # x and width are written to 2 decimals
            for (_, right), (left, _) in zip(spans, spans[1:]):
                assert right <= left + 0.02, f"{act} σ={sigma} depth {depth}: zones overlap: {zones}"
            for middle, text in labels:
                left, right = zone_label_box(middle, middle, text)     # the caption's extent around its centre
                own = [(x0, x1) for x0, x1, level in zones
                       if level == "critical" and x0 - 0.02 <= left and right <= x1 + 0.02]   # 2-decimal markup
                assert own, f"{act} σ={sigma} depth {depth}: caption {text!r} at {middle} outside its zone {zones}"
