"""The gradients page's chart (pure): SVG markup from a Measurement, built with app.svg, which
escapes every piece of text.  No browser imports: tested in CPython
(tests/app/test_gradients_draw.py)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from app import svg
from app.gradients_model import (
    CRITICAL_BELOW_SHARE,
    Measurement,
    count_statuses,
    dead_text,
    layer_name,
    row_label,
    status_zones,
)
from engine.text import significant

ROW_HEIGHT = 22
CHART_MARGIN_TOP = 30
CHART_MARGIN_BOTTOM = 44
# Charts this wide or wider get the roomy layout: status words and "3 of 8" dead units.
WIDE_CHART = 480


@dataclass(frozen=True)
class ChartColumns:
    """Pixel widths of the chart's text columns around the bars."""
    left: int       # row labels and the axis title
    value: int      # value, status icon (and word)
    dead: int       # dead units, 0 when the activation cannot die

    @classmethod
    def for_width(cls, width: int, shows_dead: bool) -> ChartColumns:
        if width >= WIDE_CHART:
            return cls(58, 190, 72 if shows_dead else 0)
        return cls(44, 88, 44 if shows_dead else 0)


def value_range(measurements: list[Measurement]) -> tuple[float, float]:
    """One log range, in whole decades, for every chart on screen, so that sides compare
    at a glance.  It always includes the thresholds' region around 0.01 … 1."""
    lows, highs = [1e-3], [2.0]
    for measurement in measurements:
        for bar in measurement.bars:
            if math.isfinite(bar.value) and bar.value > 0:
                lows.append(bar.value)
                highs.append(bar.value)
        reference = measurement.bars[-2].value if len(measurement.bars) >= 2 else math.nan
        if math.isfinite(reference) and reference > 0:
            lows.append(reference * CRITICAL_BELOW_SHARE)
    return 10.0 ** math.floor(math.log10(min(lows))), 10.0 ** math.ceil(math.log10(max(highs)))


def zone_label_box(x0: float, x1: float, caption: str) -> tuple[float, float]:
    """Left and right of a zone's caption centred over the zone (about 7 px a character)."""
    middle, half = (x0 + x1) / 2, len(caption) * 3.5
    return middle - half, middle + half


def _zones(axes: svg.Axes, low: float, high: float, reference: float, top: float, bottom: float) -> list[str]:
    """Shaded x ranges where a bar counts as warning / critical (status_zones: they never
    overlap), a critical one captioned above the plot when its caption fits inside it."""
    parts = []
    for start, stop, status in status_zones(low, high, reference):
        x0, x1 = axes.x(start), axes.x(stop)
        parts.append(svg.tag("rect", {"x": x0, "y": top, "width": x1 - x0, "height": bottom - top,
                                      "class": f"zone zone-{status.level}"}))
        left, right = zone_label_box(x0, x1, status.word)
        if status.level == "critical" and x0 <= left and right <= x1:
            parts.append(svg.text((left + right) / 2, top - 8, status.word, "zone-label"))
    return parts


def missing_bar_text(value: float) -> str:
    if value == 0:
        return "0: no gradient reaches this layer"
    return "no bar: the pass overflowed"


def bar_chart(measurement: Measurement, width: int, limits: tuple[float, float], title: str) -> str:
    """Horizontal bars on a log axis, input layer at the top; value and status icon in a
    column on the right (the status word too when there is room)."""
    bars = measurement.bars
    wide = width >= WIDE_CHART
    columns = ChartColumns.for_width(width, any(bar.dead_units is not None for bar in bars))
    right = columns.value + columns.dead
    height = CHART_MARGIN_TOP + ROW_HEIGHT * len(bars) + CHART_MARGIN_BOTTOM
    low, high = limits
    axes = svg.Axes(width, height, limits, (len(bars) + 0.5, 0.5), xlabel="mean |grad W| (log scale)",
                    ylabel="layer (1 = input)", log_x=True, yticks=[],
                    margin=(CHART_MARGIN_TOP, right, CHART_MARGIN_BOTTOM, columns.left))
    top, bottom = CHART_MARGIN_TOP, height - CHART_MARGIN_BOTTOM
    plot_left, plot_right = columns.left, width - right
    dead_x = width - columns.dead / 2
    reference = bars[-2].value if len(bars) >= 2 else math.nan

    parts = [axes.draw()]
    parts += _zones(axes, low, high, reference, top, bottom)
    if columns.dead:
        parts.append(svg.text(dead_x, top - 8, "dead units" if wide else "dead", "column-label"))
    for bar in bars:
        middle = axes.y(bar.layer)
        row = [svg.tag("title", {}, svg.esc(f"Layer {layer_name(bar)}: mean |grad W| = "
                                            f"{significant(bar.value, 4, overflow=True)}, {bar.status.text}")),
               svg.text(plot_left - 8, middle + 4, row_label(bar), "row-label", anchor="end")]
        if math.isfinite(bar.value) and bar.value > 0:
            length = max(axes.x(bar.value) - plot_left, 1.0)
            row.append(svg.tag("rect", {"x": plot_left, "y": middle - ROW_HEIGHT * 0.35, "width": length,
                                        "height": ROW_HEIGHT * 0.7, "class": "bar"}))
        else:
            # Nothing to draw on a log axis: say why in the bar's place.
            row.append(svg.text(plot_left + 6, middle + 4, missing_bar_text(bar.value), "bar-note", anchor="start"))
        shown = f"{significant(bar.value, 3, overflow=True)} {bar.status.icon}"
        if wide and math.isfinite(bar.value):          # "NaN (overflow)" already says it
            shown += f" {bar.status.word}"
        row.append(svg.text(plot_right + 8, middle + 4, shown, "bar-value", anchor="start"))
        if columns.dead:
            dead = dead_text(bar) if wide or bar.dead_units is None else f"{bar.dead_units}/{bar.shape[1]}"
            row.append(svg.text(dead_x, middle + 4, dead, "bar-dead"))
        parts.append(svg.tag("g", {"class": f"bar-row {bar.status.level}", "data-layer": bar.layer}, *row))
    counts = count_statuses(measurement)
    label = (f"{title}: mean gradient size of each of {len(bars)} layers, {counts['critical']} critical, "
             f"{counts['warning']} warning, {counts['healthy']} healthy. The table below lists the values.")
    return svg.svg(width, height, *parts, label=label, cls="bar-chart")

