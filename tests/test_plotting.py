"""helpers.plotting: styles, PNG rendering, contour levels, clipping of diverging paths."""

import numpy as np
import pytest

from helpers.plotting import STYLES, clip_path, draw_surface, loss_gap, loss_levels, new_figure, png, style
from helpers.surfaces import SURFACES, elongated_quadratic


def test_every_optimizer_has_a_distinct_look():
    looks = {(s["color"], s["linestyle"], s["marker"]) for s in STYLES.values()}
    assert len(looks) == len(STYLES)
    assert len({(s["linestyle"], s["marker"]) for s in STYLES.values()}) == len(STYLES)  # not by colour alone
    assert style("Adam", markevery=5)["markevery"] == 5
    with pytest.raises(ValueError, match="name must be one of 'GD'"):
        style("LBFGS")


def test_png_is_a_png_and_fast_is_bigger():
    fig = new_figure(3, 2)
    fig.subplots().plot([0, 1], [1, 0])
    slow, fast = png(fig), png(fig, fast=True)
    assert slow[:8] == fast[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fast) > len(slow)


@pytest.mark.parametrize("name", list(SURFACES))
def test_draw_surface_labels_and_limits(name):
    surface = SURFACES[name]()
    fig = new_figure()
    ax = fig.subplots()
    draw_surface(ax, surface)
    assert (ax.get_xlabel(), ax.get_ylabel()) == surface.axis_labels
    assert ax.get_xlim() == surface.xlim and ax.get_ylim() == surface.ylim
    levels = loss_levels(surface, surface.grid(50)[2])
    assert np.all(levels > 0) and np.all(np.diff(levels) > 0)
    png(fig)


def test_clip_path_cuts_where_the_path_leaves_the_window():
    path = np.array([[0.0, 0.0], [1.0, 0.5], [50.0, 0.0], [1e200, 3.0], [np.nan, np.nan]])
    shown = clip_path(path, (-2, 2), (-1, 1))
    assert len(shown) == 3  # the two inside, and the first outside point clipped to the margin
    np.testing.assert_array_equal(shown[2], [4.0, 0.0])
    whole = np.array([[0.0, 0.0], [0.5, 0.5]])
    np.testing.assert_array_equal(clip_path(whole, (-2, 2), (-1, 1)), whole)
    assert len(clip_path(np.array([[0.0, 0.0], [np.nan, np.nan]]), (-1, 1), (-1, 1))) == 1


def test_loss_gap_is_floored_for_a_log_axis():
    q = elongated_quadratic()
    gap = loss_gap(q, np.array([[0.0, 0.0], [1.0, 0.0], [np.nan, np.nan]]))
    assert gap[0] == 1e-16 and gap[1] == pytest.approx(0.1) and np.isnan(gap[2])


def test_the_bowl_names_its_axes_w_and_b():
    fig = new_figure()
    ax = fig.subplots()
    draw_surface(ax, elongated_quadratic())
    assert ax.get_xlabel() == "w (shallow direction)" and ax.get_ylabel() == "b (steep direction)"


def test_loss_axis():
    from helpers.plotting import loss_axis

    ax = new_figure().subplots()
    loss_axis(ax)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step k" and ax.get_ylabel() == r"$f(x_k) - f^*$"
    assert ax.get_title() == "loss, log scale"
    loss_axis(ax, step="t")  # a lesson that counts steps with t says so in both labels
    assert ax.get_xlabel() == "step t" and ax.get_ylabel() == r"$f(x_t) - f^*$"
    ax.set_ylim(1e-7, 1e4)
    png(ax.figure)
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_visible() and t.get_text()]
    assert labels and all(label.startswith("10") and "$" not in label for label in labels)  # no mathtext to parse
    assert "10⁻⁶" in labels or "10⁻⁴" in labels


def test_power_of_ten_labels_decades_as_matplotlib_typesets_them_in_plain_text():
    from helpers.plotting import power_of_ten

    assert [power_of_ten(v) for v in (1e-13, 1e-7, 1.0, 10.0, 1e4, 1e100)] == \
        ["10⁻¹³", "10⁻⁷", "10⁰", "10¹", "10⁴", "10¹⁰⁰"]
    assert [power_of_ten(v) for v in (0.5, 2e-3, 0.0, -1.0)] == ["0.5", "0.002", "0", "-1"]


def test_nice_ceiling_jumps_through_1_15_2_3_5_7():
    from helpers.plotting import nice_ceiling

    assert [nice_ceiling(v) for v in (0.9, 1.0, 1.01, 1.6, 2.5, 4, 6, 7.5, 12, 0.0031)] == \
        [1.0, 1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0, 15.0, 0.005]
    with pytest.raises(ValueError, match="value must be a finite number > 0; got value=0.0"):
        nice_ceiling(0.0)
