r"""Lesson 01: exponentially weighted averages, on a real temperature series.

The numbers the notebook's prose quotes are computed here (and printed there), the
figures are drawn here, and the exercise is checked here.  The average itself is
``helpers.averages.ewma``:

.. math::
    v_0 = 0, \qquad v_t = \beta\, v_{t-1} + (1-\beta)\, \theta_t
        = (1-\beta) \sum_{i=1}^{t} \beta^{\,t-i}\, \theta_i .

How late the average runs is measured on the seasonal cycle: fit one yearly sine
wave to the data and one to the average (from the second year on, once the
average has forgotten its start at 0) and compare the days of their peaks.
"""

from __future__ import annotations

import math
import time
from functools import lru_cache

import numpy as np
from matplotlib.ticker import MaxNLocator

from helpers.averages import effective_window, ewma, ewma_weights, sliding_mean
from helpers.datasets import seattle_temperatures
from helpers.plotting import DATA_STYLE, OKABE_ITO, new_figure, nice_ceiling, superscript
from lessons.checks import Feedback, attempt, compare
from lessons.widgets import LiveFigure, beta_slider, toggle

__all__ = [
    "YEAR", "DAYS_SHOWN", "unrolled_average", "memory_row", "start_bias", "seasonal_cycle", "peak_delay",
    "wiggle", "describe_average", "tradeoff_row", "white_noise_variance", "noise_table", "cost_per_step",
    "time_averages", "data_figure", "weights_figure",
    "lag_figure", "window_figure", "SmoothingExplorer", "WIDGETS", "EXERCISE_BETAS", "exercise_series",
    "exercise_setup",
    "slips", "check_ewma",
]

YEAR = 365.25  # days: the period of the seasonal cycle
FIT_FROM = 365  # fit the seasonal cycle from day 366 on (2013–2015): by then v_0 = 0 is forgotten
DAYS_SHOWN = 60  # the widget's weight panel shows the last 60 days


# --- the data -------------------------------------------------------------------------------------

# --- the unrolled form and the memory ----------------------------------------------------------------

def unrolled_average(theta, beta: float) -> float:
    r"""The last value :math:`v_t` computed from the unrolled sum :math:`(1-\beta)\sum_i \beta^{t-i}\theta_i`.

    No recursion: every :math:`\theta_i` times its weight, added up (what the recursion saves us).
    """
    theta = np.asarray(theta, dtype=float)
    return float(np.sum(ewma_weights(beta, len(theta)) * theta))


def memory_row(beta: float) -> dict:
    r"""How well "the average remembers about :math:`1/(1-\beta)` values" holds for one β.

    After :math:`n = 1/(1-\beta)` steps a weight has shrunk by :math:`\beta^n`, which tends to
    :math:`1/e` as β → 1; ``shortfall`` is how far below 1/e it is, relative to 1/e, and
    ``rule`` the estimate :math:`(1-\beta)/2` of that shortfall (from :math:`\ln\beta \approx
    -(1-\beta) - (1-\beta)^2/2`).
    """
    n = effective_window(beta)
    decay = beta ** n
    return {"beta": beta, "window": n, "decay": decay, "one_over_e": 1 / math.e,
            "shortfall": 1 - decay * math.e, "rule": (1 - beta) / 2}


def start_bias(beta: float) -> dict:
    r"""How long the start :math:`v_0 = 0` weighs on the average: the milestones of its weight :math:`\beta^t`.

    Unrolled from any :math:`v_0`, :math:`v_t = \beta^t v_0 + (1-\beta)\sum_{i=1}^t \beta^{t-i}\theta_i`: the
    start keeps weight :math:`\beta^t` and the data have the rest, :math:`1-\beta^t` (so an average of a
    constant θ falls short of it by exactly :math:`\beta^t\,\theta`).  With :math:`\ln\beta \approx -(1-\beta)`:

    - ``at_window``: :math:`\beta^t` at :math:`t = 1/(1-\beta)` steps, still about :math:`1/e \approx 37\,\%`;
    - ``outweighed``: the first step with :math:`\beta^t < 1/2`, from which the data outweigh
      :math:`v_0`; about ``outweighed_rule`` :math:`= \ln 2/(1-\beta) \approx 0.69/(1-\beta)`;
    - ``under_1pct``: the first step with :math:`\beta^t < 0.01`; about ``under_1pct_rule``
      :math:`= \ln 100/(1-\beta) \approx 4.6/(1-\beta)`.
    """
    if not 0 < beta < 1:
        raise ValueError(f"beta must be in (0, 1); got beta={beta!r}.")
    window = effective_window(beta)
    return {"beta": beta, "window": window, "at_window": beta**window,
            "outweighed": first_below(beta, 0.5), "outweighed_rule": math.log(2) * window,
            "under_1pct": first_below(beta, 0.01), "under_1pct_rule": math.log(100) * window}


def first_below(beta: float, share: float) -> int:
    r"""The first step t ≥ 1 with :math:`\beta^t` < ``share`` (0 < β < 1, 0 < share ≤ 1)."""
    t = max(1, math.floor(math.log(share) / math.log(beta)))
    while beta**t >= share:  # the log estimate, corrected for rounding
        t += 1
    while t > 1 and beta ** (t - 1) < share:
        t -= 1
    return t


# --- smooth but late: measuring the trade-off ----------------------------------------------------

@lru_cache(maxsize=4)
def _cycle_solver(n: int) -> np.ndarray:
    """Least-squares solver for a + b·t + c·cos(ωt) + d·sin(ωt) over days FIT_FROM..n−1 (computed once)."""
    t = np.arange(FIT_FROM, n, dtype=float)
    omega = 2 * np.pi / YEAR
    design = np.column_stack([np.ones_like(t), t / n, np.cos(omega * t), np.sin(omega * t)])
    return np.linalg.pinv(design)


def seasonal_cycle(series) -> tuple[float, float]:
    """The yearly cycle of a daily series (from day 366 on): ``(peak, swing)``.

    ``peak`` is the day of the year (0 = 1 January) at which the fitted sine wave
    peaks, ``swing`` its amplitude (°C).  A slow linear drift is fitted too, so that
    it does not pull the peak.
    """
    series = np.asarray(series, dtype=float)
    if len(series) < FIT_FROM + 2 * YEAR:
        raise ValueError(f"series must cover at least three years of days; got {len(series)} values.")
    _, _, c, s = _cycle_solver(len(series)) @ series[FIT_FROM:]
    omega = 2 * np.pi / YEAR
    return float(np.arctan2(s, c) / omega % YEAR), float(np.hypot(c, s))


def peak_delay(average, data) -> float:
    """How many days later the average's seasonal peak comes than the data's (between 0 and a year)."""
    return (seasonal_cycle(average)[0] - seasonal_cycle(data)[0]) % YEAR


def wiggle(series) -> float:
    r"""How jumpy a series is: the root-mean-square day-to-day change :math:`\sqrt{\overline{(v_t - v_{t-1})^2}}`.

    Measured from day 366 on, like the seasonal cycle.
    """
    series = np.asarray(series, dtype=float)[FIT_FROM:]
    return float(np.sqrt(np.mean(np.diff(series) ** 2)))


def describe_average(average, data) -> dict:
    """How smooth and how late an average of ``data`` is.

    ``wiggle`` (°C per day), ``delay`` of its seasonal peak (days) and ``swing_kept``:
    its seasonal swing as a fraction of the data's.
    """
    return {"wiggle": wiggle(average), "delay": peak_delay(average, data),
            "swing_kept": seasonal_cycle(average)[1] / seasonal_cycle(data)[1]}


def tradeoff_row(beta: float, theta=None) -> dict:
    """Smoothness against delay for one β on the temperature series (see ``describe_average``)."""
    theta = seattle_temperatures()[1] if theta is None else np.asarray(theta, dtype=float)
    return {"beta": beta, "window": effective_window(beta), **describe_average(ewma(theta, beta), theta)}


# --- how much noise it removes ------------------------------------------------------------------

def white_noise_variance(beta: float, sigma: float = 1.0, t: int | None = None) -> float:
    r"""The variance of :math:`v_t` when :math:`\theta_t` is white noise (independent, variance σ²).

    From the weights :math:`(1-\beta)\beta^k`, whose squares add up for independent values:

    .. math::
        \operatorname{Var} v_t = \sigma^2 (1-\beta)^2 \sum_{k=0}^{t-1} \beta^{2k}
            = \frac{1-\beta}{1+\beta}\,(1-\beta^{2t})\,\sigma^2
            \;\to\; \frac{1-\beta}{1+\beta}\,\sigma^2 \quad (t \to \infty,\ ``t=None``).
    """
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1); got beta={beta!r}.")
    if not (math.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be a finite number >= 0; got sigma={sigma!r}.")
    fading = 1.0 if t is None else 1 - beta ** (2 * t)
    return (1 - beta) / (1 + beta) * fading * sigma**2


def noise_table(betas=(0.5, 0.9, 0.98), sigma: float = 1.0, runs: int = 4000, steps: int = 500,
                seed: int = 0) -> list[dict]:
    r"""``white_noise_variance`` against a simulation: ``runs`` series of ``steps`` white-noise values.

    Each series is averaged with the recursion :math:`v_t = \beta v_{t-1} + (1-\beta)\theta_t` from
    :math:`v_0 = 0` (``helpers.averages.ewma``, all series at once), and the variance of the last
    :math:`v_t` is taken across the series (by t = ``steps`` the formula has reached its limit).
    Per β: ``formula`` (the limit), ``simulated``, ``divided_by`` (σ² over the formula) and ``twice_window``
    (:math:`2/(1-\beta)`, what ``divided_by`` approaches as β → 1).
    """
    theta = np.random.default_rng(seed).normal(0.0, sigma, size=(steps, runs))
    rows = []
    for beta in betas:
        v = ewma(theta, beta)[-1]  # v_t = β v_{t−1} + (1 − β) θ_t from v_0 = 0, every series; the last v_t
        formula = white_noise_variance(beta, sigma)
        rows.append({"beta": beta, "formula": formula,
                     "simulated": float(np.var(v)), "divided_by": sigma**2 / formula,
                     "twice_window": 2 * effective_window(beta)})
    return rows


# --- why it is cheap -------------------------------------------------------------------------------

def cost_per_step(window: int) -> dict:
    """Memory (numbers kept) and arithmetic per new value: EWMA vs a sliding mean of ``window`` values.

    EWMA: it keeps v, and does β·v, (1 − β)·θ and their sum.  Sliding mean (as
    ``helpers.averages.sliding_mean`` computes it): it keeps the last ``window``
    values and adds them up (window − 1 additions) and divides once.
    """
    return {"ewma": {"memory": 1, "operations": 3},
            "sliding": {"memory": window, "operations": window}}


def time_averages(n: int = 100_000, windows=(10, 1_000, 30_000), seed: int = 0) -> list[dict]:
    """Seconds ``ewma`` and ``sliding_mean`` take on ``n`` random values, for windows w and β = 1 − 1/w.

    Wall-clock times: they change from run to run and machine to machine.
    """
    theta = np.random.default_rng(seed).normal(size=n)
    rows = []
    for w in windows:
        start = time.perf_counter()
        ewma(theta, 1 - 1 / w)
        middle = time.perf_counter()
        sliding_mean(theta, w)
        end = time.perf_counter()
        rows.append({"window": w, "ewma": middle - start, "sliding": end - middle})
    return rows


# --- static figures --------------------------------------------------------------------------------

def _temperature_axes(ax, dates, theta) -> None:
    ax.plot(dates, theta, label=r"daily maximum $\theta_t$", **DATA_STYLE["data"])
    ax.set_xlim(dates[0], dates[-1])
    ax.set_ylim(float(theta.min()) - 3, float(theta.max()) + 3)
    ax.set_xlabel("date")
    ax.set_ylabel("temperature (°C)")
    ax.grid(True, alpha=0.3)


def data_figure(beta: float = 0.9):
    """The temperature series with its EWMA: the lesson's one picture."""
    dates, theta = seattle_temperatures()
    fig = new_figure(10, 3.6)
    ax = fig.subplots()
    _temperature_axes(ax, dates, theta)
    ax.plot(dates, ewma(theta, beta), label=f"EWMA $v_t$, β = {beta}", **DATA_STYLE["average"])
    ax.set_title("Seattle, daily maximum temperature 2012–2015, "
                 f"and its exponentially weighted average (β = {beta})")
    ax.legend(loc="lower right")
    return fig


def weights_figure(beta: float = 0.9, window: int = 10, days: int = 40):
    """The weight of θ_{t−k} in today's average: EWMA (exponential decay) vs a sliding mean (flat, then 0).

    Left on a linear axis, right on a log axis, where exponential decay is a straight line.  As in
    the explorer (and the time axis of every series), today (k = 0) is on the right, the past to the left.
    """
    k = np.arange(days)
    ewma_w = ewma_weights(beta, days)[::-1]  # entry k: the weight of θ_{t−k}
    flat = np.where(k < window, 1 / window, 0.0)
    fig = new_figure(10, 3.6)
    axes = fig.subplots(1, 2)
    for ax, scale in zip(axes, ["linear", "log"], strict=False):
        ax.plot(k, ewma_w, label=f"EWMA, β = {beta}: $(1-\\beta)\\,\\beta^k$", marker="o", markersize=3,
                **{key: val for key, val in DATA_STYLE["average"].items() if key != "linestyle"})
        ax.step(k, np.where(flat > 0, flat, np.nan) if scale == "log" else flat, where="mid",
                label=f"sliding mean, w = {window}: 1/w, then 0", **DATA_STYLE["window"])
        ax.axvline(1 / (1 - beta), color=OKABE_ITO["black"], linewidth=0.8, linestyle=":",
                   label=f"k = 1/(1 − β) = {effective_window(beta):.0f}")
        ax.set_yscale(scale)
        ax.set_xlim(days - 0.5, -0.5)  # today (k = 0) on the right, as in SmoothingExplorer
        ax.set_xlabel("k (days before today; today on the right)")
        ax.set_ylabel(r"weight of $\theta_{t-k}$")
        ax.grid(True, alpha=0.3)
    axes[0].set_title("weights on a linear axis")
    axes[1].set_title("log axis: exponential decay is a straight line")
    axes[1].set_ylim(ewma_w[-1] / 2, 0.3)
    axes[0].legend(loc="upper left", fontsize=10)
    return fig


def lag_figure(betas=(0.9, 0.98), year: int = 2013):
    """One year of data with the EWMA for each β, and the largest β's curve shifted back by its delay."""
    dates, theta = seattle_temperatures()
    fig = new_figure(10, 3.8)
    ax = fig.subplots()
    _temperature_axes(ax, dates, theta)
    colours = [OKABE_ITO["sky blue"], OKABE_ITO["blue"]]
    for beta, colour in zip(betas, colours, strict=False):
        ax.plot(dates, ewma(theta, beta), label=f"EWMA, β = {beta}", **dict(DATA_STYLE["average"], color=colour))
    beta = betas[-1]
    v = ewma(theta, beta)
    delay = round(peak_delay(v, theta))
    ax.plot(dates - np.timedelta64(delay, "D"), v, label=f"EWMA, β = {beta}, shifted back {delay} days",
            color=OKABE_ITO["reddish purple"], linestyle="-.", linewidth=2)
    ax.set_xlim(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    ax.set_title(f"Smoother is later: the averages of {year}")
    ax.legend(loc="lower center", fontsize=10)
    return fig


def window_figure(beta: float = 0.98):
    """The EWMA and a sliding mean of the same width w = 1/(1 − β) on the temperature series."""
    dates, theta = seattle_temperatures()
    w = round(effective_window(beta))
    fig = new_figure(10, 3.6)
    ax = fig.subplots()
    _temperature_axes(ax, dates, theta)
    ax.plot(dates, ewma(theta, beta), label=f"EWMA, β = {beta} (keeps 1 number)", **DATA_STYLE["average"])
    ax.plot(dates, sliding_mean(theta, w), label=f"sliding mean, w = {w} (keeps {w} numbers)", **DATA_STYLE["window"])
    ax.set_title(f"Two averages of about {w} days")
    ax.legend(loc="lower right")
    return fig


def _days(n: float) -> str:
    """'1 day', '9 days' (rounded to whole days)."""
    n = round(n)
    return f"{n} day" if n == 1 else f"{n} days"


# --- the interactive figure ------------------------------------------------------------------------

class SmoothingExplorer(LiveFigure):
    """A β slider: the temperatures with their EWMA (top) and the weights of the last 60 days (bottom).

    A toggle shifts the average back by its measured delay, to show that what a
    larger β costs is lateness.
    """

    def __init__(self, beta: float = 0.9, days: int = DAYS_SHOWN):
        self.dates, self.theta = seattle_temperatures()
        self.k = np.arange(days)
        self.delay = float("nan")  # days the average's seasonal peak comes late (set by draw)
        fig = new_figure(10, 6.2)
        self.ax_series, self.ax_weights = fig.subplots(2, 1, height_ratios=[1.7, 1])

        _temperature_axes(self.ax_series, self.dates, self.theta)
        (self.average_line,) = self.ax_series.plot(self.dates, np.zeros_like(self.theta), label="EWMA $v_t$",
                                                   **DATA_STYLE["average"])

        ax = self.ax_weights
        self.bars = ax.bar(self.k, np.zeros(days), width=0.8, color=OKABE_ITO["blue"],
                           label=r"weight of $\theta_{t-k}$: $(1-\beta)\,\beta^k$")
        self.window_line = ax.axvline(0, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1.5,
                                      label="k = 1/(1 − β): weight down to ≈ 1/e of today's")
        ax.set_xlim(days - 0.5, -0.5)  # today (k = 0) on the right, as in the series above
        ax.set_xlabel("k = days before today (today on the right)")
        ax.set_ylabel("weight")
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.grid(True, axis="y", alpha=0.3)
        ax.set_axisbelow(True)  # grid lines behind the bars (and axes, ticks and grid drawn once, not per move)
        ax.legend(loc="upper left", fontsize=10, ncols=2)
        for axis in (self.ax_series, ax):  # room for tick labels from "35" to "0.0012": no re-layout on a move
            axis.yaxis.set_label_coords(-0.075, 0.5)
        super().__init__(fig, {"beta": beta_slider(beta, min=0.5, max=0.999),
                               "shift": toggle(False, "shift the average back by its delay")})

    def draw(self, params: dict) -> None:
        beta, shift = params["beta"], params["shift"]
        v = ewma(self.theta, beta)
        self.delay = peak_delay(v, self.theta)
        days_back = round(self.delay) if shift else 0
        self.average_line.set_data(self.dates - np.timedelta64(days_back, "D"), v)
        label = f"EWMA $v_t$, shifted back {_days(days_back)}" if shift else "EWMA $v_t$"
        if label != self.average_line.get_label() or self.ax_series.get_legend() is None:
            self.average_line.set_label(label)  # a legend costs a few ms to build: only when its entry changes
            self.ax_series.legend(loc="lower right", fontsize=10)
        window = effective_window(beta)
        self.ax_series.set_title(f"β = {beta:.3f}: averages about the last 1/(1 − β) = {window:.0f} days; "
                                 f"its seasonal peak comes {_days(self.delay)} late", fontsize=11)

        weights = (1 - beta) * beta ** self.k  # the weight of θ_{t−k} in v_t
        for bar, height in zip(self.bars, weights, strict=False):
            bar.set_height(height)
        # The top is at least 1.3 × the tallest bar, snapped to 1, 1.2, 1.5, 2, … × 10^k (the bar fills 58 % to
        # 77 % of the height) so that the ticks stay put while β is dragged.
        self.ax_weights.set_ylim(0, nice_ceiling(1.3 * weights[0], steps=(1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0,
                                                                          6.0, 7.0, 8.0)))
        inside = window < len(self.k)
        self.window_line.set_xdata([window, window] if inside else [np.nan, np.nan])
        days = len(self.k)
        where = "" if inside else f" (1/(1 − β) = {window:.0f} days is off this panel)"
        self.ax_weights.set_title(f"The weights in today's average: these {days} days carry "  # (β⁶⁰ as plain text:
                                  f"1 − β{superscript(days)} = {1 - beta ** days:.1%} of the total{where}",  # a new
                                  fontsize=10)  # mathtext title would be parsed again at every move, ~5 ms)


WIDGETS = {"smoothing": SmoothingExplorer}


# --- the exercise ----------------------------------------------------------------------------------

EXERCISE_BETAS = (0.9, 0.5)  # checked with β = 0.9, then with 0.5 (a β typed into the code shows up there)


def exercise_series() -> np.ndarray:
    """The values the exercise is checked on: the first ten days of 2012 (°C)."""
    return seattle_temperatures()[1][:10]


def slips(theta, beta: float) -> dict[str, np.ndarray]:
    """What the common wrong versions of the recursion return, keyed by the hint that explains them."""
    theta = np.asarray(theta, dtype=float)

    def recursion(a, b, v0, values=theta):
        v, out = v0, []
        for theta_t in values:
            v = a * v + b * theta_t
            out.append(v)
        return np.array(out)

    def recursion_of(values):
        return recursion(beta, 1 - beta, 0.0, values)

    right = ewma(theta, beta)
    t = np.arange(1, len(theta) + 1)
    found = {
        "your values match v_t = β·v_{t−1} + θ_t: the (1 − β) is missing, so the weights add up to about "
        f"1/(1 − β) = {effective_window(beta):g} instead of 1 and the average grows far above the data.":
            recursion(beta, 1.0, 0.0),
        "your values match v_t = (1 − β)·v_{t−1} + β·θ_t: β and (1 − β) are swapped, so today gets "
        "weight β and the past fades almost at once (an average of about 1/β days instead of 1/(1 − β)).":
            recursion(1 - beta, beta, 0.0),
        "your values match starting from v_0 = θ_1 (or setting v_1 = θ_1): the recursion starts from v_0 = 0, so "
        "v_1 = (1 − β)·θ_1. Starting at 0 does make the first values too small; lesson 02 fixes that properly.":
            recursion(beta, 1 - beta, theta[0]),
        "your v_t uses the day before, θ_{t−1}: with a 0-based loop index i, today is theta[i] (that is "
        "θ_{i+1}); theta[i - 1] is yesterday, and at i = 0 it is the last day of the list.":
            recursion_of(np.roll(theta, 1)),
        "your values are v_0, v_1, …, v_{t−1}: one step late. Append v after updating it with θ_t, so that the "
        "list holds v_1 … v_t.":
            np.concatenate([[0.0], right[:-1]]),
        "your values are bias-corrected, v_t / (1 − βᵗ): that is lesson 02's v̂_t. Here return the plain v_t "
        "from v_0 = 0, whose first values are too small (lesson 02 measures by how much, and repairs it).":
            right / (1 - beta**t),
    }
    if not math.isclose(beta, 0.9):  # with β = 0.9, 0.1 *is* 1 − β: the slip shows only with another β
        found["your values match v_t = β·v_{t−1} + 0.1·θ_t: 0.1 is (1 − β) only when β = 0.9. Write (1 - beta), "
              f"which is {1 - beta:g} here, so that the weights add up to 1 for every β."] = recursion(beta, 0.1, 0.0)
    return found


def exercise_setup(beta: float) -> str:
    """What the check runs, in words the learner can re-run: ``ewma(theta[:10], beta)`` gives the expected values."""
    days = len(exercise_series())
    return f"β = {beta}, θ = theta[:{days}] (the first {days} days of 2012), from v_0 = 0"


def check_ewma(fn) -> Feedback:
    """Check the learner's ``fn(theta, beta)`` against ``helpers.averages.ewma``, first with β = 0.9, then 0.5.

    The feedback names the first step that differs, with both values, the setup that
    produced them (β and the data), and the slip behind it when the values match a known one.
    """
    theta = exercise_series()
    for beta in EXERCISE_BETAS:
        setup = exercise_setup(beta)
        yours, feedback = attempt(fn, theta.copy(), beta, name=getattr(fn, "__name__", "your function"), setup=setup)
        if feedback is not None:
            return feedback
        expected = ewma(theta, beta)
        try:
            values = np.asarray(yours, dtype=float)
        except (TypeError, ValueError):
            values = None  # not numbers: compare() says so
        if values is not None and values.ndim == 0:
            return Feedback(False, f"✗ Not yet. With β = {beta}, it returned one number, {float(values):.4g}; "
                                   f"return the whole list v_1, …, v_{len(theta)} (one value per θ)."
                                   f"\n  The check used: {setup}.")
        if values is not None and values.shape == (len(theta) + 1,) and np.allclose(values[1:], expected):
            return Feedback(False, f"✗ Not yet. It returned {len(theta) + 1} values for {len(theta)} days: "
                                   "v_0 = 0 is in the list. Return v_1, …, v_t only (one value per θ)."
                                   f"\n  The check used: {setup}.")
        mistakes = slips(theta, beta)
        for other in EXERCISE_BETAS:
            if other != beta:
                mistakes[f"your values are the EWMA with β = {other}: use the beta argument, not a fixed "
                         "number."] = ewma(theta, other)
        feedback = compare(yours, expected, symbol="v", mistakes=mistakes, setup=setup,
                           success="Your recursion is the EWMA.")
        if not feedback.passed:
            return feedback
    return Feedback(True, f"✓ Correct: all {len(theta)} values of v match, for β = "
                          f"{' and β = '.join(str(b) for b in EXERCISE_BETAS)}. Your recursion is the EWMA.")
