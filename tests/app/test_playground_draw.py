"""The training playground's pictures in CPython: colour maps to RGBA arrays,
boundary overlay geometry, loss curve history, network diagram links."""
import math
import re

import numpy as np
import pytest

from app import playground_draw as draw
from app import playground_model as model

# ------------------------------------------------------------------ colours

def test_palette_diverges_from_class_a_through_a_pale_middle_to_class_b():
    lut = draw.palette()
    assert lut.shape == (256, 4) and lut.dtype == np.uint8 and (lut[:, 3] == 255).all()
    low, middle, high = lut[0, :3].astype(int), lut[128, :3].astype(int), lut[255, :3].astype(int)
    assert low[0] > low[2] and high[2] > high[0]          # orange-ish, blue-ish
    assert middle.min() > 230                               # near white
    assert draw.palette(dark=True)[128, :3].max() < 60      # near the dark background


def test_probabilities_become_one_rgba_array():
    lut = draw.palette()
    p = np.array([[0.0, 0.5], [1.0, np.nan]])
    rgba = draw.probabilities_to_rgba(p, lut)
    assert rgba.shape == (2, 2, 4) and rgba.dtype == np.uint8 and rgba.flags.c_contiguous
    assert (rgba[0, 0] == lut[0]).all() and (rgba[1, 0] == lut[255]).all()
    assert (rgba[1, 1] == rgba[0, 1]).all()                # NaN shows as the undecided middle
    discrete = draw.probabilities_to_rgba(np.array([[0.49, 0.51]]), lut, discrete=True)
    assert (discrete[0, 0] == lut[0]).all() and (discrete[0, 1] == lut[255]).all()


def test_unit_heatmaps_show_the_sign_of_each_unit():
    lut = draw.palette()
    values = np.zeros((4, 3))
    values[:, 0] = [-2, -1, 1, 2]          # changes sign
    values[:, 1] = [0.1, 0.2, 0.3, 0.4]    # positive only
    values[:, 2] = 0.0                      # flat
    images = draw.unit_images(values, 0.0, lut, 2)
    assert images.shape == (3, 2, 2, 4) and images.flags.c_contiguous
    assert (images[0, 0, 0] == lut[0]).all() and (images[0, 1, 1] == lut[255]).all()
    assert (images[1, 1, 1] == lut[255]).all() and (images[1, 0, 0] != lut[0]).any()
    assert (images[2] == lut[128]).all()


# ------------------------------------------------------------------ boundary

def test_canvas_sits_exactly_on_the_plot_area():
    axes = draw.boundary_axes((-1, 1, -1, 1))
    box = {k: float(v.rstrip("%")) / 100 for k, v in draw.canvas_placement().items()}
    assert math.isclose(box["left"] * axes.width, axes.left, rel_tol=1e-5)
    assert math.isclose(box["top"] * axes.height, axes.top, rel_tol=1e-5)
    assert math.isclose(box["width"] * axes.width, axes.width - axes.left - axes.right, rel_tol=1e-5)
    assert math.isclose(box["height"] * axes.height, axes.height - axes.top - axes.bottom, rel_tol=1e-5)


def test_pointer_position_maps_to_data_and_back():
    axes = draw.boundary_axes((-2, 2, -1, 3))
    x, y = draw.to_data(axes, axes.x(0.5) / axes.width, axes.y(1.5) / axes.height)
    assert math.isclose(x, 0.5) and math.isclose(y, 1.5)
    assert draw.to_data(axes, 0.01, 0.5) is None           # on the y axis labels


def test_overlay_marks_training_and_test_points_differently():
    data = model.make_data(dict(model.STATE.defaults(), n=40))
    markup = draw.boundary_overlay(data, show_test=True)
    assert markup.count('class="pt') == 40
    assert len(re.findall(r'class="pt [ab] test"', markup)) == 20
    assert "<rect class=\"pt b" in markup and "<circle class=\"pt a" in markup
    assert draw.boundary_overlay(data, show_test=False).count('class="pt') == 20


# ------------------------------------------------------------------ loss curve

def test_history_stays_bounded_and_keeps_the_newest_sample():
    history = draw.LossHistory()
    for epoch in range(1, 1001):
        history.add(epoch, 1 / epoch, 2 / epoch)
    assert len(history) <= draw.LossHistory.MAX
    assert history.epochs[0] == 1 and history.epochs[-1] == 1000
    assert history.epochs == sorted(history.epochs)
    assert history.epochs[history.nearest(500.4)] in range(490, 511)
    history.add(1000, 0.5, 0.5)                            # same epoch again: replaced
    assert history.epochs.count(1000) == 1 and history.train[-1] == 0.5


def test_curve_draws_both_losses_and_survives_bad_values():
    history = draw.LossHistory()
    for epoch, loss in enumerate([0.7, 0.5, 0.0, float("nan"), 0.1]):
        history.add(epoch, loss, loss * 1.2)
    for log_y in (False, True):
        markup = draw.loss_curve(history, log_y, hover=4)
        assert markup.count("<polyline") == 2 and 'class="series test"' in markup
        assert "hover-line" in markup
        assert re.search(r'points="[^"]*nan', markup, re.IGNORECASE) is None
    assert draw.curve_readout(history, 4) == "epoch 4: training loss 0.1000, test loss 0.1200"
    assert draw.curve_readout(history, 4, compact=True) == "epoch 4: training 0.1000, test 0.1200"
    assert "no training yet" in draw.loss_curve(draw.LossHistory())


def test_curve_pointer_gives_the_epoch_under_it():
    history = draw.LossHistory()
    history.add(0, 1.0, 1.0)
    history.add(200, 0.5, 0.6)
    axes = draw.curve_axes(history, False)
    assert math.isclose(draw.epoch_at(history, False, axes.x(150) / axes.width), 150)


# ------------------------------------------------------------------ network diagram

def test_links_are_grouped_by_sign_and_width():
    layout = draw.DiagramLayout((2, 3, 1))
    weights = [np.array([[1.0, -0.5, 0.0], [0.25, -1.0, 2.0]]), np.array([[1.0], [-1.0], [0.5]])]
    markup = draw.diagram_links(layout, weights, active=(1, 0, 1))
    paths = re.findall(r'<g class="edge (\w+)"><path d="([^"]*)" stroke-width="([\d.]+)"/></g>', markup)
    segments = {sign: sum(d.count("M") for s, d, _ in paths if s == sign) for sign in ("pos", "neg", "zero")}
    assert segments == {"pos": 5, "neg": 3, "zero": 1}                 # all 9 links, each once
    widths = {float(w) for _, _, w in paths}
    assert max(widths) == draw.THICKEST and min(widths) >= draw.THINNEST
    # The largest weight (2.0) is alone in the thickest group.
    assert [d for s, d, w in paths if float(w) == draw.THICKEST] == [layout.link_segments[0][5]]
    active = re.findall(r'<g class="edge (\w+) active"><path d="([^"]*)"', markup)
    assert active == [("neg", layout.link_segments[0][1])]


@pytest.mark.parametrize("sizes", [(2, 1), (2, 4, 2, 1), (7, *[16] * 8, 1)])
def test_each_units_map_lands_on_its_square_in_its_columns_canvas(sizes):
    layout, resolution = draw.DiagramLayout(sizes), 24
    placements, heights, rows = layout.map_columns(resolution)
    assert len(placements) == len(heights) == len(sizes)             # one canvas per column
    assert len(rows) == sum(sizes) * resolution and len(set(rows)) == len(rows)   # no two maps overlap
    assert rows.max() < sum(heights)
    percent = lambda length: float(length.rstrip("%")) / 100         # noqa: E731
    starts = np.cumsum([0, *heights])
    for k, (column, unit) in enumerate(layout.units()):
        first_row = rows[k * resolution]
        assert (np.diff(rows[k * resolution:(k + 1) * resolution]) == 1).all()
        assert starts[column] <= first_row and first_row + resolution <= starts[column + 1]
        # Where the map's top sits on the page, against where the unit's square is (diagram units).
        canvas = placements[column]
        within = (first_row - starts[column]) / heights[column]
        top = (percent(canvas["top"]) + within * percent(canvas["height"])) * layout.height
        square = layout.placement(column, unit)
        assert abs(top - percent(square["top"]) * layout.height) <= 0.5 * layout.node / resolution + 0.01
        assert canvas["left"] == square["left"] and canvas["width"] == square["width"]
        assert math.isclose(percent(canvas["height"]) * layout.height * resolution / layout.node, heights[column], abs_tol=0.01)


def test_links_of_a_diverged_network_are_drawn_neutral():
    layout = draw.DiagramLayout((2, 1))
    markup = draw.diagram_links(layout, [np.array([[np.nan], [np.inf]])])
    assert 'class="edge zero"' in markup and "nan" not in markup


def test_pointer_finds_the_link_under_it():
    layout = draw.DiagramLayout((2, 4, 1))
    half = layout.node / 2
    xa, xb = layout.x(0) + half, layout.x(1) - half
    ya, yb = layout.y(0, 1), layout.y(1, 2)
    # A quarter of the way along: at the middle, links cross.
    assert draw.nearest_link(layout, xa + (xb - xa) / 4, ya + (yb - ya) / 4) == (1, 1, 2)
    assert draw.nearest_link(layout, layout.x(0), layout.y(0, 0)) is None   # on a unit
    assert layout.unit_name(0, 1) == "input x₂" and layout.unit_name(2, 0) == "the output"
    assert len(layout.units()) == 7


def test_arrow_keys_walk_every_link_in_reading_order_and_wrap():
    layout = draw.DiagramLayout((2, 3, 1))   # 6 + 3 links
    link, seen = None, []
    for _ in range(9):
        link = draw.step_link(layout, link, +1)
        seen.append(link)
    assert seen[:4] == [(1, 0, 0), (1, 0, 1), (1, 0, 2), (1, 1, 0)] and seen[-1] == (2, 2, 0)
    assert len(set(seen)) == 9
    assert draw.step_link(layout, seen[-1], +1) == (1, 0, 0)      # wraps forward
    assert draw.step_link(layout, (1, 0, 0), -1) == (2, 2, 0)     # and back
    assert draw.step_link(layout, None, -1) == (2, 2, 0)
    # A link that no longer exists (a unit was removed) restarts the walk.
    assert draw.step_link(layout, (1, 0, 7), +1) == (1, 0, 0)


def test_curve_limits_are_round_and_not_much_above_the_data():
    assert [draw.nice_ceiling(v) for v in (0.7, 1.0, 2498, 3001, 9000)] == [0.8, 1.0, 2500, 4000, 10000]


def test_boundary_grid_is_full_except_while_a_large_network_trains():
    assert draw.grid_work((2, 8, 8, 8, 1)) == 2 * 8 + 8 * 8 + 8 * 8 + 8 + 24
    for sizes in [(2, 1), (2, 8, 8, 8, 1), (2, 16, 16, 1)]:
        assert draw.boundary_resolution(sizes, training=True) == draw.FULL_GRID == 100
    big = (2, 16, 16, 16, 1)
    assert draw.boundary_resolution(big, training=True) == draw.COARSE_GRID
    assert draw.boundary_resolution(big, training=False) == draw.FULL_GRID


def test_curve_table_lists_the_newest_losses_first():
    history = draw.LossHistory()
    for epoch in range(25):
        history.add(epoch, 1.0 / (epoch + 1), float("nan") if epoch == 24 else 2.0 / (epoch + 1))
    rows = draw.curve_table_rows(history, count=3)
    assert rows == [("24", "0.0400", "—"), ("23", "0.0417", "0.0833"), ("22", "0.0435", "0.0870")]
    assert draw.curve_table_rows(draw.LossHistory()) == []


def sampled_run(epochs: int, per_frame: int) -> draw.LossHistory:
    """A LossHistory fed as the page feeds it: epoch 0, then once per drawn frame."""
    history = draw.LossHistory()
    history.add(0, 1.0, 1.2)
    for epoch in range(per_frame, epochs + per_frame, per_frame):
        epoch = min(epoch, epochs)
        history.add(epoch, 1.0 / (epoch + 1), 1.2 / (epoch + 1))
    return history


@pytest.mark.parametrize("per_frame", [1, 15, 300])
@pytest.mark.parametrize("epochs", [900, 20_000, 300_000])
def test_sampled_at_any_pace_the_curve_keeps_every_part_of_the_run(epochs, per_frame):
    history = sampled_run(epochs, per_frame)
    kept = history.epochs
    assert kept[0] == 0 and kept[-1] == epochs and kept == sorted(kept)
    assert len(history) <= draw.LossHistory.MAX
    gaps = [(a, b) for a, b in zip(kept, kept[1:])]
    # linear axis: no gap wider than 2% of the run (or one frame, when the frames are that far apart)
    assert max(b - a for a, b in gaps) <= max(0.02 * epochs, per_frame)
    # log axis: from the first frame on, no gap wider than a tenth of the epoch it ends at (beyond
    # one frame's epochs), under 0.05 of a decade, so every decade is drawn: from epoch 1 at one a frame
    assert kept[1] == per_frame
    assert all(b - a <= per_frame + 0.1 * b for a, b in gaps[1:])
    for decade in range(math.ceil(math.log10(per_frame)), math.floor(math.log10(epochs))):
        low, high = 10 ** decade, 10 ** (decade + 1)
        inside = [e for e in kept if low <= e < high]
        assert len(inside) >= min(9, len(range(per_frame, high, per_frame)) - len(range(per_frame, low, per_frame)))


def test_the_first_predicted_epochs_stay_one_by_one():
    """Predict mode judges the first PREDICT_EPOCHS epochs from the curve: a loss that rises every
    other epoch must still rise every other epoch there, however long the run goes on."""
    assert draw.LossHistory.DENSE_EPOCHS >= model.PREDICT_EPOCHS
    history = sampled_run(50_000, 1)
    assert history.epochs[:model.PREDICT_EPOCHS + 1] == list(range(model.PREDICT_EPOCHS + 1))


def test_on_a_log_epoch_axis_the_early_epochs_get_room():
    from app.playground_draw import curve_axes, curve_points, epoch_at, loss_curve
    history = sampled_run(50_000, 1)       # about 28 minutes at the default 30 epochs a second
    linear, log = curve_axes(history, False), curve_axes(history, False, log_x=True)
    width = log.width - log.left - log.right
    # the first 100 epochs: under 1% of a linear axis to 50,000, but most of a log one
    assert linear.x(100) - linear.x(0) < 0.01 * width
    assert log.x(100) - log.x(1) > 0.4 * width
    xs = [float(point.split(",")[0]) for point in curve_points(log, history.epochs, history.train).split()]
    assert len(xs) == len(history) - 1 and xs == sorted(xs)       # epoch 0 has no place on a log axis
    # from epoch 10 on (below it, whole epochs are that far apart), no two neighbouring points
    # are drawn further apart than 2% of the plot's width
    late = [log.x(epoch) for epoch in history.epochs if epoch >= 10]
    assert max(b - a for a, b in zip(late, late[1:])) < 0.02 * width
    size = (log.width, log.height)
    for epoch in (2, 20, 300, 4000):       # hovering reads the epoch under the pointer
        pointed = epoch_at(history, False, log.x(epoch) / log.width, size, log_x=True)
        assert abs(pointed - epoch) < 0.5 + 1e-6 * epoch
        assert abs(history.epochs[history.nearest(pointed)] - epoch) <= 0.05 * epoch
    assert "<polyline" in loss_curve(history, hover=0, log_x=True)   # hovering epoch 0 draws no marker
