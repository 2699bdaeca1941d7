"""Plotting basics shared by every lesson: colours, figures, PNG rendering, contours, clipped paths.

Colours come from the Okabe–Ito palette, which stays distinguishable for the
common forms of colour blindness; each optimizer also has its own line style and
marker, so no line is told apart by colour alone.

Figures are made with ``matplotlib.figure.Figure`` (not pyplot): they are never
registered with pyplot, so the inline backend does not show them behind the
lesson's back, and rendering is explicit (``png``).
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from helpers import _checks
from helpers.surfaces import Surface

__all__ = ["OKABE_ITO", "STYLES", "DATA_STYLE", "style", "new_figure", "png", "loss_levels", "draw_surface",
           "clip_path", "loss_gap", "loss_axis", "power_of_ten", "superscript", "nice_ceiling", "LOSS_FLOOR"]

#: Okabe & Ito (2008), "Color Universal Design": eight colours safe for colour-blind readers.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: One look per optimizer, the same in every lesson: colour, line style and marker.
STYLES = {
    "GD": {"color": OKABE_ITO["black"], "linestyle": "--", "marker": "o"},
    "Momentum": {"color": OKABE_ITO["blue"], "linestyle": "-", "marker": "s"},
    "Nesterov": {"color": OKABE_ITO["sky blue"], "linestyle": "-.", "marker": "D"},
    "AdaGrad": {"color": OKABE_ITO["bluish green"], "linestyle": "-", "marker": "^"},
    "RMSProp": {"color": OKABE_ITO["orange"], "linestyle": "-", "marker": "v"},
    "Adam": {"color": OKABE_ITO["vermillion"], "linestyle": "-", "marker": "P"},
    "AMSGrad": {"color": OKABE_ITO["reddish purple"], "linestyle": ":", "marker": "X"},
    "AdamW": {"color": OKABE_ITO["reddish purple"], "linestyle": "-.", "marker": "*"},
}

#: Looks for a data series and its averages (lessons 1 and 2).
DATA_STYLE = {
    "data": {"color": "#999999", "linestyle": "none", "marker": ".", "markersize": 3},
    "average": {"color": OKABE_ITO["blue"], "linestyle": "-", "linewidth": 2},
    "corrected": {"color": OKABE_ITO["vermillion"], "linestyle": "-", "linewidth": 2},
    "window": {"color": OKABE_ITO["bluish green"], "linestyle": "--", "linewidth": 2},
}

LOSS_FLOOR = 1e-16  # f − f* below this is drawn at this value (a log axis cannot show 0)


def style(name: str, markevery: int | None = None) -> dict:
    """Keyword arguments for ``ax.plot`` for optimizer ``name`` (one of ``STYLES``)."""
    _checks.one_of("name", name, tuple(STYLES))
    kwargs = dict(STYLES[name], linewidth=1.8, markersize=4)
    if markevery is not None:
        kwargs["markevery"] = markevery
    return kwargs


def new_figure(width: float = 10.0, height: float = 4.0, dpi: int = 100) -> Figure:
    """A figure not registered with pyplot, laid out automatically, ready for ``png``."""
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png(fig: Figure, fast: bool = False) -> bytes:
    """The figure rendered to PNG bytes (what a notebook displays).

    ``fast`` trades ~30 % larger bytes for ~7 ms less encoding: for live redraws.
    """
    buffer = io.BytesIO()
    fig.canvas.print_png(buffer, pil_kwargs={"compress_level": 1} if fast else None)
    return buffer.getvalue()


def loss_gap(surface: Surface, path: np.ndarray) -> np.ndarray:
    """f(x_k) − f* along a path, floored at ``LOSS_FLOOR`` so that a log axis can show it (NaN stays NaN)."""
    gap = surface.f(path) - surface.f_min
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(gap), np.nan, np.maximum(gap, LOSS_FLOOR))


def loss_axis(ax, step: str = "k") -> None:
    """Set ``ax`` up for f(x_k) − f* per step: log scale, labelled, titled, a light grid.

    The loss label is typeset, :math:`f(x_k) - f^*`, with the step index ``step``
    ("k", or "t" for a lesson that counts steps with t) in it and in the x label.
    No minor ticks and at most five step labels: text is most of what a redraw costs; the
    decades are labelled in plain text (``power_of_ten``), which looks as matplotlib's
    typeset 10^k and costs no mathtext parse (about 4 ms for each new label while a slider moves).
    """
    ax.set_yscale("log")
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(power_of_ten))
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.set_xlabel(f"step {step}")
    ax.set_ylabel(rf"$f(x_{step}) - f^*$")
    ax.set_title("loss, log scale")
    ax.grid(True, which="major", alpha=0.3)


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(n: int) -> str:
    """``n`` in superscript digits, as plain text ("⁻³"): a typeset exponent drawn without mathtext."""
    return str(int(n)).translate(_SUPERSCRIPTS)


def power_of_ten(value: float, _position=None) -> str:
    """A log axis's tick label: "10⁻³" for a power of ten (a superscript in plain text), else the value as "%g"."""
    if value > 0:
        exponent = round(math.log10(value))
        if math.isclose(value, 10.0**exponent, rel_tol=1e-9):
            return "10" + superscript(exponent)
    return f"{value:g}"


def nice_ceiling(value: float, steps=(1.0, 1.5, 2.0, 3.0, 5.0, 7.0)) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7 × 10^k that is ≥ ``value`` (> 0): an axis limit that moves in jumps.

    A live figure whose limit follows the data exactly must redraw its ticks at every
    slider move; snapped to these values, the limit (and its ticks) stays put until
    the data outgrow it, and the data still fill at least 3/5 of the axis (the widest jump, 3 to 5).
    """
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"value must be a finite number > 0; got value={value!r}.")
    decade = 10.0 ** np.floor(np.log10(value))
    for step in (*steps, 10.0):
        if step * decade >= value * (1 - 1e-12):
            return float(step * decade)
    return float(10 * decade)  # pragma: no cover - the loop ends at 10 × decade ≥ value


def loss_levels(surface: Surface, Z: np.ndarray, n: int = 15) -> np.ndarray:
    """Contour levels for f − f*, spaced evenly on a log scale over what the window shows."""
    gap = Z - surface.f_min
    positive = gap[gap > 0]
    low = max(float(positive.min()), 1e-3 * float(np.median(positive)))
    return np.geomspace(low, float(positive.max()), n)


def draw_surface(ax, surface: Surface, grid: tuple | None = None, n_levels: int = 15) -> None:
    """Contours of ``surface`` on ``ax`` (log-spaced levels of f − f*), its minimum as a star, axes labelled
    with ``surface.axis_labels``.

    Pass ``grid = surface.grid()`` to reuse a grid computed once.
    """
    X, Y, Z = grid if grid is not None else surface.grid()
    levels = loss_levels(surface, Z, n_levels)
    ax.contour(X, Y, Z - surface.f_min, levels=levels, norm=LogNorm(levels[0], levels[-1]), cmap="Greys_r",
               linewidths=0.8, alpha=0.9)
    ax.plot(*surface.minimum, marker="*", markersize=14, color=OKABE_ITO["yellow"], markeredgecolor="black",
            linestyle="none", label="minimum", zorder=5)
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel(surface.axis_labels[0])
    ax.set_ylabel(surface.axis_labels[1])


def clip_path(path: np.ndarray, xlim, ylim, margin: float = 0.5) -> np.ndarray:
    """The part of a 2-D path worth drawing: up to where it leaves the window (plus ``margin`` of its size).

    A diverging path heads off-screen along its last drawable segment instead of
    stretching the axes to 1e300; points after it (and NaN rows) are dropped.
    """
    path = np.asarray(path, dtype=float)
    (x0, x1), (y0, y1) = xlim, ylim
    dx, dy = margin * (x1 - x0), margin * (y1 - y0)
    with np.errstate(invalid="ignore"):
        inside = (
            np.isfinite(path).all(axis=1)
            & (path[:, 0] >= x0 - dx) & (path[:, 0] <= x1 + dx)
            & (path[:, 1] >= y0 - dy) & (path[:, 1] <= y1 + dy)
        )
    leaving = np.flatnonzero(~inside)
    end = leaving[0] if leaving.size else len(path)
    kept = path[: end + 1] if end < len(path) and np.isfinite(path[end]).all() else path[:end]
    return np.column_stack([np.clip(kept[:, 0], x0 - dx, x1 + dx), np.clip(kept[:, 1], y0 - dy, y1 + dy)])
