r"""Lesson 02, bias correction: an average that starts from :math:`v_0 = 0` begins too small.

With :math:`v_0 = 0` the EWMA is :math:`v_t = (1-\beta)\sum_{i=1}^{t}\beta^{t-i}\theta_i`, whose
weights add up to only :math:`1-\beta^t`.  Dividing by that total,

.. math::
    \hat v_t = \frac{v_t}{1-\beta^t},

gives a true weighted average from the first step on (Kingma & Ba, "Adam", arXiv 2014 /
ICLR 2015, section 3).  This module holds the lesson's figures, the numbers its prose
claims, and the exercise check.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np

from helpers.averages import bias_correction_factor, effective_window, ewma, ewma_weights
from helpers.datasets import seattle_temperatures
from helpers.optimizers import Adam, trace
from helpers.plotting import DATA_STYLE, OKABE_ITO, new_figure
from lessons.averages import first_below, start_bias
from lessons.checks import Feedback, attempt, compare
from lessons.widgets import LiveFigure, beta_slider, toggle

__all__ = [
    "weight_totals", "start_bias", "negligible_after", "correction_table", "first_values", "right_edge",
    "adam_second_moment",
    "adam_step_sizes", "cold_start_figure", "CorrectionExplorer", "exercise_data", "exercise_setup", "slips",
    "check_bias_corrected_ewma", "WIDGETS",
]

MONTHS = 120  # days shown by the interactive figure: 1 January to 29 April 2012


# --- the data ---------------------------------------------------------------------------------------------


# --- the numbers the prose claims ---------------------------------------------------------------------------


def weight_totals(beta: float, ts) -> np.ndarray:
    r"""The total weight :math:`\sum_{i=1}^{t}(1-\beta)\beta^{t-i}` of :math:`v_t`, for each t in ``ts``.

    Summed term by term from ``ewma_weights``; the closed form is :math:`1-\beta^t`.
    """
    return np.array([ewma_weights(beta, int(t)).sum() for t in ts])


def negligible_after(beta: float, tol: float = 0.01) -> int:
    r"""The first step t at which the correction changes :math:`v_t` by less than ``tol`` (relative).

    :math:`\hat v_t / v_t - 1 = \beta^t / (1-\beta^t)`, the same for every series, and it
    only shrinks as t grows: it is below ``tol`` once :math:`\beta^t < tol/(1 + tol)`.
    """
    if not (0 < tol and math.isfinite(tol)):
        raise ValueError(f"tol must be a finite number > 0; got tol={tol!r}.")
    if not 0 < beta < 1:
        raise ValueError(f"beta must be in (0, 1); got beta={beta!r}.")
    return first_below(beta, tol / (1 + tol))


def correction_table(betas, multiples=(1, 2, 5), tol: float = 0.01) -> list[dict]:
    r"""For each β: its window :math:`1/(1-\beta)`, :math:`1-\beta^t` at ``multiples`` of it, and the step
    after which the correction matters less than ``tol``.

    Each row: ``beta``, ``window``, ``steps`` (the whole steps t = k/(1−β)), ``share``
    (:math:`1-\beta^t` there), ``negligible`` (``negligible_after``) and ``in_windows``
    (that step in windows, ``negligible · (1−β)``).
    """
    rows = []
    for beta in betas:
        window = effective_window(beta)
        steps = [round(k * window) for k in multiples]
        share = [float(bias_correction_factor(beta, t)[-1]) for t in steps]
        negligible = negligible_after(beta, tol)
        rows.append({"beta": float(beta), "window": window, "steps": steps, "share": share,
                     "negligible": negligible, "in_windows": negligible / window})
    return rows


def first_values(beta: float = 0.98) -> dict[str, float]:
    r"""Day 1 of the data: :math:`\theta_1`, :math:`v_1 = (1-\beta)\theta_1`, :math:`\hat v_1 = v_1/(1-\beta)`.

    What lesson 02's first question quotes (the explorer's corrected curve starts at θ_1).
    """
    theta = seattle_temperatures(1)[1]
    return {"theta": float(theta[0]), "v": float(ewma(theta, beta)[0]),
            "v_hat": float(ewma(theta, beta, bias_correction=True)[0])}


def right_edge(beta: float = 0.999, recent: int = 30, days: int = MONTHS) -> dict:
    r"""The explorer's last day (29 April 2012): :math:`\hat v_t` and :math:`v_t` there, against plain means.

    ``mean``: the plain mean of all ``days`` days so far; ``recent``: the mean of the last ``recent``
    days.  With a window :math:`1/(1-\beta)` much longer than ``days``, :math:`\hat v_t` is close to
    ``mean``: the correction removes the pull towards 0, not the lag.
    """
    dates, theta = seattle_temperatures(days)
    return {"days": days, "date": str(dates[-1]), "v": float(ewma(theta, beta)[-1]),
            "v_hat": float(ewma(theta, beta, bias_correction=True)[-1]), "mean": float(theta.mean()),
            "recent": float(theta[-recent:].mean())}


def _constant_gradient(g: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: np.full_like(x, g)


def adam_second_moment(g: float = 0.5, beta2: float = 0.999, steps: int = 10) -> np.ndarray:
    r"""Adam's uncorrected second moment :math:`v_t` over the truth :math:`g^2`, for t = 1..``steps``.

    The gradient is the constant g, so the truth is :math:`E[g_t^2] = g^2`; the state comes
    from ``helpers.optimizers.Adam`` (its ``v`` is stored before any correction).  The
    closed form is :math:`1-\beta_2^t`.
    """
    run = trace(Adam(lr=1e-3, beta2=beta2), _constant_gradient(g), np.zeros(1), steps)
    return run.history("v")[1:, 0] / g**2


def adam_step_sizes(bias_correction: bool, beta1: float = 0.9, beta2: float = 0.999, steps: int = 1000,
                    g: float = 0.5, lr: float = 1e-3) -> np.ndarray:
    r"""The size of Adam's step t over α, :math:`|x_t - x_{t-1}| / \alpha`, for t = 1..``steps``.

    The gradient is the constant g.  With the correction every step is α (up to ε);
    without it the step is :math:`\alpha\,(1-\beta_1^t)/\sqrt{1-\beta_2^t}` times
    :math:`|g|/(|g|+\varepsilon)`.
    """
    opt = Adam(lr=lr, beta1=beta1, beta2=beta2, bias_correction=bias_correction)
    path = trace(opt, _constant_gradient(g), np.zeros(1), steps).path[:, 0]
    return np.abs(np.diff(path)) / lr


# --- the static picture -------------------------------------------------------------------------------------


def cold_start_figure(beta: float = 0.98, days: int = 60, t_weights: int = 10):
    r"""Left: the first ``days`` of θ_t with :math:`v_t` from :math:`v_0 = 0` (too cold) and :math:`\hat v_t`.
    Right: the weights of :math:`v_t` and of :math:`\hat v_t` at t = ``t_weights``, with their sums."""
    _, theta = seattle_temperatures(days)
    t = np.arange(1, days + 1)
    fig = new_figure(11, 3.8)
    ax, ax_w = fig.subplots(1, 2, width_ratios=[1.6, 1])

    ax.plot(t, theta, label=r"daily maximum $\theta_t$", **DATA_STYLE["data"])
    ax.plot(t, ewma(theta, beta), label=r"$v_t$, started at $v_0 = 0$", **DATA_STYLE["average"])
    ax.plot(t, ewma(theta, beta, bias_correction=True), label=r"$\hat v_t = v_t / (1-\beta^t)$",
            **DATA_STYLE["corrected"])
    ax.set_xlim(0, days + 1)
    ax.set_xlabel("day t (t = 1 is 1 January 2012)")
    ax.set_ylabel("temperature (°C)")
    ax.set_title(f"Seattle, first {days} days of 2012, β = {beta:.2f}: $v_t$ starts near 0 °C", fontsize=10)
    ax.legend(loc="lower right", fontsize=10, framealpha=0.9)
    ax.grid(True, alpha=0.3)

    i = np.arange(1, t_weights + 1)
    w = ewma_weights(beta, t_weights)
    w_hat = w / bias_correction_factor(beta, t_weights)[-1]
    ax_w.bar(i - 0.2, w, width=0.4, color=OKABE_ITO["blue"], label=f"weights in $v_{{{t_weights}}}$ "
             f"(sum {w.sum():.3f})")
    ax_w.bar(i + 0.2, w_hat, width=0.4, color=OKABE_ITO["vermillion"],
             label=f"weights in $\\hat v_{{{t_weights}}}$ (sum {w_hat.sum():.3f})")
    ax_w.set_xticks(i)
    ax_w.set_xlabel(r"day i of $\theta_i$")
    ax_w.set_ylabel("weight")
    ax_w.set_title(f"the weights of $v_{{{t_weights}}}$ sum to $1-\\beta^{{{t_weights}}}$", fontsize=10)
    ax_w.legend(loc="upper left", fontsize=10, framealpha=0.9)
    ax_w.set_ylim(0, 1.35 * w_hat.max())
    return fig


# --- the interactive figure ---------------------------------------------------------------------------------


class CorrectionExplorer(LiveFigure):
    r"""The first months of θ_t with :math:`v_t` and (toggle) :math:`\hat v_t` above; :math:`1-\beta^t` below.

    Controls: ``beta`` (β) and ``corrected`` (show :math:`\hat v_t`).  Dashed lines mark one
    effective window :math:`t = 1/(1-\beta)`; dotted lines the step from which the
    correction changes :math:`v_t` by less than 1 %.
    """

    def __init__(self, beta: float = 0.98, corrected: bool = True, days: int = MONTHS):
        dates, self.theta = seattle_temperatures(days)
        self.t = np.arange(1, days + 1)
        self.days = days
        fig = new_figure(10, 6.2)
        self.ax, self.ax_share = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])

        ax = self.ax
        self.data_line, = ax.plot(self.t, self.theta, label=r"daily maximum $\theta_t$", **DATA_STYLE["data"])
        self.v_line, = ax.plot([], [], label=r"$v_t$ (from $v_0 = 0$)", **DATA_STYLE["average"])
        self.v_hat_line, = ax.plot([], [], label=r"$\hat v_t = v_t / (1-\beta^t)$", **DATA_STYLE["corrected"])
        ax.set_ylim(min(-3.0, self.theta.min() - 2), self.theta.max() + 3)
        ax.set_ylabel("temperature (°C)")
        ax.grid(True, alpha=0.3)
        ax.label_outer()
        self.caption = f"Seattle, {_day_month(dates[0])} to {_day_month(dates[-1])} {dates[-1].astype(object).year}"

        share = self.ax_share
        self.share_line, = share.plot([], [], color=OKABE_ITO["blue"], linewidth=2,
                                      label=r"$1-\beta^t$: the total weight in $v_t$")
        share.axhline(1.0, color=OKABE_ITO["black"], linewidth=0.8, linestyle="-")
        share.set_ylim(0, 1.08)
        share.set_xlim(0, days + 1)
        share.set_xlabel("day t (t = 1 is 1 January 2012)")
        share.set_ylabel(r"$1-\beta^t$")
        share.grid(True, alpha=0.3)

        look = {"color": OKABE_ITO["black"], "linewidth": 1}
        self.window_lines = [a.axvline(0, linestyle="--", **look) for a in (ax, share)]
        self.negligible_lines = [a.axvline(0, linestyle=":", **look) for a in (ax, share)]
        self.window_lines[1].set_label(r"one window, $t = 1/(1-\beta)$")
        self.negligible_lines[1].set_label("correction < 1 % from here")
        share.legend(loc="lower right", fontsize=10, framealpha=0.9)
        super().__init__(fig, {"beta": beta_slider(beta, 0.5, 0.999, 0.001),
                               "corrected": toggle(corrected, "bias correction v̂ = v / (1 − βᵗ)")})

    def draw(self, params: dict) -> None:
        beta, corrected = float(params["beta"]), bool(params["corrected"])
        v = ewma(self.theta, beta)
        factor = bias_correction_factor(beta, self.days)  # 1 − β^t
        self.v_line.set_data(self.t, v)
        self.v_hat_line.set_data(self.t, v / factor)
        self.v_hat_line.set_visible(corrected)
        self.share_line.set_data(self.t, factor)

        window = effective_window(beta)
        negligible = negligible_after(beta)
        for line in self.window_lines:
            line.set_xdata([window, window])
            line.set_visible(window <= self.days)
        for line in self.negligible_lines:
            line.set_xdata([negligible, negligible])
            line.set_visible(negligible <= self.days)

        shown = [self.data_line, self.v_line] + ([self.v_hat_line] if corrected else [])
        self.ax.legend(handles=shown, loc="lower right", fontsize=10, framealpha=0.9)
        state = "with the correction" if corrected else "without the correction"
        self.ax.set_title(f"{self.caption}, β = {beta:.3f}, {state}", fontsize=10)
        off = {True: "", False: " (off this chart)"}
        self.ax_share.set_title(
            f"one window = {window:.0f} days{off[window <= self.days]}: $1-\\beta^t$ = "
            f"{1 - beta ** round(window):.2f} there; correction < 1 % from day {negligible}"
            f"{off[negligible <= self.days]}", fontsize=10)


def _day_month(date: np.datetime64) -> str:
    day = date.astype(object)
    return f"{day.day} {day.strftime('%B')}"


#: The interactive figures of notebook 02, by name: each call builds a fresh one.
WIDGETS: dict[str, Callable[[], LiveFigure]] = {"correction explorer": CorrectionExplorer}


# --- the exercise -------------------------------------------------------------------------------------------

EXERCISE_BETA = 0.9
EXERCISE_BETAS = (EXERCISE_BETA, 0.98)  # then β = 0.98, the lesson's: a 0.1 typed in for 1 − β shows up there
EXERCISE_DAYS = 30


def exercise_data() -> tuple[np.ndarray, float]:
    """The check's input: the first 30 daily maxima (°C) and its first β, 0.9 (``EXERCISE_BETAS`` has both)."""
    return seattle_temperatures(EXERCISE_DAYS)[1], EXERCISE_BETA


def exercise_setup(beta: float = EXERCISE_BETA) -> str:
    """What the check runs, in the notebook's names: ``ewma(theta[:30], beta, bias_correction=True)`` is expected."""
    return (f"β = {beta}, θ = theta[:{EXERCISE_DAYS}] (the first {EXERCISE_DAYS} days of 2012), "
            "from v_0 = 0")


def _recursion(theta: np.ndarray, beta: float, scale: float) -> np.ndarray:
    """v_t = β v_{t−1} + scale · θ_t from v_0 = 0 (scale = 1 − β is the EWMA; 1 forgets the (1 − β))."""
    v, out = 0.0, np.empty_like(theta)
    for k, theta_t in enumerate(theta):
        v = beta * v + scale * theta_t
        out[k] = v
    return out


def _swapped(theta: np.ndarray, beta: float) -> np.ndarray:
    """The slip of swapping the weights: v_t = (1 − β) v_{t−1} + β θ_t."""
    v, out = 0.0, np.empty_like(theta)
    for k, theta_t in enumerate(theta):
        v = (1 - beta) * v + beta * theta_t
        out[k] = v
    return out


def _fed_back(theta: np.ndarray, beta: float) -> np.ndarray:
    """The slip of correcting the state: v̂_t = (β v̂_{t−1} + (1 − β) θ_t) / (1 − βᵗ)."""
    v_hat, out = 0.0, np.empty_like(theta)
    for t, theta_t in enumerate(theta, start=1):
        v_hat = (beta * v_hat + (1 - beta) * theta_t) / (1 - beta**t)
        out[t - 1] = v_hat
    return out


def slips(theta, beta: float) -> dict[str, np.ndarray]:
    """What each common wrong answer returns, keyed by the hint that names it (the first match is reported)."""
    theta = np.asarray(theta, dtype=float)
    t = np.arange(1, len(theta) + 1)
    v = ewma(theta, beta)
    with np.errstate(divide="ignore"):
        off_by_one_down = v / (1 - beta ** (t - 1))  # inf at t = 1
    found = {
        "these are v_t, the average before the correction: divide each v_t by 1 − βᵗ.": v,
        "you divided by (1 − β), the same number at every step; the divisor is 1 − βᵗ, which changes with t.":
            v / (1 - beta),
        "you divided by √(1 − βᵗ), the square root of the total weight; divide by the total itself, 1 − βᵗ. "
        "(Adam takes a square root after correcting its second moment: √v̂_t = √(v_t / (1 − β₂ᵗ)).)":
            v / np.sqrt(1 - beta**t),
        "you divided by 1 − β^(t−1) (off by one step: 1 − β⁰ = 0 at t = 1). t starts at 1; with a 0-based "
        "index i (enumerate, range), the exponent is i + 1.": off_by_one_down,
        "you divided by 1 − β^(t+1) (off by one step). The first step, t = 1, divides by 1 − β, "
        "so that v̂_1 = θ_1.": v / (1 - beta ** (t + 1)),
        "you fed v̂ back into the recursion. Keep the plain v_t as the state (v_t = β·v_{t−1} + (1 − β)·θ_t) "
        "and correct only what you output: v̂_t = v_t / (1 − βᵗ).": _fed_back(theta, beta),
        "you divided by βᵗ; the total weight in v_t is 1 − βᵗ.": v / beta**t,
        "you multiplied by (1 − βᵗ); divide instead, to scale the weights up to a total of 1.":
            v * (1 - beta**t),
        "you divided every v_t by the last step's 1 − β^T; each step t needs its own 1 − βᵗ.":
            v / (1 - beta ** len(theta)),
        "your recursion forgot the (1 − β): v_t = β·v_{t−1} + (1 − β)·θ_t.":
            _recursion(theta, beta, 1.0) / (1 - beta**t),
        "your recursion has β and (1 − β) swapped: v_t = β·v_{t−1} + (1 − β)·θ_t, so that today weighs 1 − β.":
            _swapped(theta, beta) / (1 - beta**t),
    }
    if not math.isclose(beta, 0.9):  # with β = 0.9, 0.1 *is* 1 − β: the slip shows only with another β
        found[f"your recursion uses 0.1·θ_t: 0.1 is (1 − β) only when β = 0.9. Write (1 - beta), which is "
              f"{1 - beta:.2g} here."] = _recursion(theta, beta, 0.1) / (1 - beta**t)
    return found


def check_bias_corrected_ewma(fn: Callable) -> Feedback:
    """Check the learner's ``fn(theta, beta)`` → v̂_1..v̂_T against ``ewma(theta, beta, bias_correction=True)``.

    Runs it on the first 30 Seattle daily maxima with β = 0.9, then with β = 0.98 (a number
    typed in for β or 1 − β shows there); names the first step that differs, the setup, and
    the slip behind it when the values match a known one.
    """
    theta, _ = exercise_data()
    name = getattr(fn, "__name__", None)
    for beta in EXERCISE_BETAS:
        setup = exercise_setup(beta)
        feedback = _check_one_beta(fn, theta, beta, name, setup)
        if not feedback.passed:
            return feedback
    return Feedback(True, f"✓ Correct: all {len(theta)} values of v̂ match, for β = "
                          f"{' and β = '.join(str(b) for b in EXERCISE_BETAS)}. v̂_1 = θ_1, and every v̂_t is a true "
                          "weighted average.")


def _check_one_beta(fn: Callable, theta: np.ndarray, beta: float, name: str | None, setup: str) -> Feedback:
    """The check at one β: the learner's values against the helper's, or the reason they cannot be compared."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a slip such as 1 − β⁰ = 0 is feedback, not a warning
        result, feedback = attempt(fn, theta.copy(), beta, name=name, setup=setup)
    if feedback is not None:
        if "ZeroDivisionError" in feedback.message:
            hint = ("at t = 1 the divisor is 1 − β¹ = 1 − β, never 0. "
                    "A 0-based index i (enumerate, range) gives β^(t−1): use i + 1.")
            return Feedback(False, f"{feedback.message}\n  Hint: {hint}")
        return feedback
    expected = ewma(theta, beta, bias_correction=True)
    try:
        values = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is not None and values.ndim == 0:
        return Feedback(False, f"✗ Not yet. With β = {beta}, it returned one number, {float(values):.4g}; return "
                               f"the whole sequence v̂_1, …, v̂_{len(theta)} (one value per θ).\n  The check used: "
                               f"{setup}.")
    if values is not None and values.shape == (len(theta) + 1,) and values[0] == 0:
        return Feedback(False, f"✗ Expected {len(theta)} values (v̂_1..v̂_{len(theta)}); got {len(values)}, "
                               f"starting with 0.\n  The check used: {setup}.\n  Hint: v_0 = 0 is the starting "
                               "state, not an output; return one value per θ_t.")
    if values is not None and values.ndim == 2 and values.shape[1] == len(theta):
        return Feedback(False, f"✗ Expected one sequence of {len(theta)} values, v̂_1..v̂_{len(theta)}; got "
                               f"{values.shape[0]} sequences of {len(theta)} (v and v̂ together?). Return v̂ only."
                               f"\n  The check used: {setup}.")
    mistakes = slips(theta, beta)
    for other in EXERCISE_BETAS:
        if other != beta:
            mistakes[f"your values are the corrected average with β = {other}: use the beta argument, not a "
                     "fixed number."] = ewma(theta, other, bias_correction=True)
    with np.errstate(all="ignore"):
        return compare(result, expected, symbol="v̂", mistakes=mistakes, fmt=".4f", setup=setup,
                       success="v̂_1 = θ_1, and every v̂_t is a true weighted average.")
