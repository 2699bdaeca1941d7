r"""Lesson 07 · Noisy gradients: mini-batches, the noise ball, learning-rate schedules, momentum and Adam under noise.

A mini-batch gradient is the full gradient plus noise:

.. math::
    g_B = \frac1B\sum_{i\in B}\nabla f_i, \qquad \mathbb E[g_B] = \nabla f, \qquad
    \operatorname{Var} g_B = \frac{S^2}{B}\cdot\frac{n-B}{n-1}\ \text{(without replacement)}.

With a constant α, SGD on :math:`f = \tfrac12\lambda x^2` with noise of variance σ² does not
converge: it settles into a *noise ball* of variance :math:`\alpha\sigma^2/(\lambda(2-\alpha\lambda))`.
Schedules shrink the ball; momentum at the same effective step does not; Adam divides by
√v̂ ≈ the noise's size, so its steps stay about α·√((1 − β₁)/(1 + β₁)) near the optimum.

What the notebook ``07_noisy_gradients.ipynb`` shows and prints comes from here:

- section 1, Seattle: ``weather_problem``, ``problem_summary``, ``minibatch_table``, ``MinibatchExplorer``;
- section 2, the noise ball: ``noise_ball_variance``, ``noise_ball_table``, ``NoiseBallFigure``;
- section 3, schedules: ``lesson_schedules``, ``schedules_figure``, ``robbins_monro_table``,
  ``schedule_table``, ``schedule_deviation_from_torch``, ``schedule_playground``;
- section 4, momentum: ``white_noise_variance`` (lesson 01's), ``stationary_covariance`` (the discrete Lyapunov
  equation), ``heavy_ball_covariance``, ``heavy_ball_variance``, ``velocity_table``, ``momentum_table``,
  ``iterate_average_table``, ``velocity_figure``, ``MomentumNoiseFigure``;
- section 5, Adam: ``adam_ratios``, ``adam_ratio_table``, ``adam_ball_table``, ``adam_schedule_table``,
  ``AdamNoiseFigure``;
- the exercises' checks: ``check_minibatch_gradient``, ``check_cosine_lr``, ``check_noise_ball_prediction``.

Every random draw comes from a seeded ``numpy.random.Generator``: the same seed, the same numbers.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Ellipse
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from helpers import optimizers
from helpers.averages import ewma
from helpers.datasets import READINGS, next_day_maximum, seattle_temperatures
from helpers.optimizers import SGD, Adam, AdamState, Momentum, run
from helpers.plotting import (
    LOSS_FLOOR,
    OKABE_ITO,
    STYLES,
    clip_path,
    draw_surface,
    loss_axis,
    new_figure,
    nice_ceiling,
    style,
)
from helpers.schedules import (
    Constant,
    CosineAnnealingLR,
    ExponentialLR,
    InverseSqrtLR,
    InverseTimeLR,
    LinearLR,
    StepLR,
    rates,
    robbins_monro_sums,
)
from helpers.stochastic import (
    LeastSquares,
    MinibatchGradient,
    NoisyGradient,
    minibatch_covariance,
    minibatch_variance,
)
from helpers.surfaces import Surface, elongated_quadratic
from lessons.averages import white_noise_variance
from lessons.checks import Feedback, attempt, describe_value
from lessons.playground import Contender, Playground, divergence_step
from lessons.widgets import (
    SLIDER_LAYOUT,
    SLIDER_STYLE,
    LiveFigure,
    beta_slider,
    dropdown,
    lr_slider,
    seed_slider,
    update_legend,
)

__all__ = [
    "FEATURES", "W_START", "BATCH_SIZES", "weather_problem", "problem_summary", "minibatch_table",
    "MinibatchExplorer", "noise_ball_variance", "first_order_variance", "sgd_moments", "last_iterates",
    "noise_ball_table", "NoiseBallFigure", "lesson_schedules", "schedules_figure", "robbins_monro_table",
    "schedule_table", "schedule_outcomes", "schedule_deviation_from_torch", "schedule_playground", "RatePanel",
    "white_noise_variance",
    "stationary_covariance", "heavy_ball_covariance", "heavy_ball_variance", "momentum_table", "velocity_table",
    "iterate_average_table", "velocity_figure", "adam_schedule_table",
    "MomentumNoiseFigure", "RowSchedules", "SharedNoise", "adam_ratios", "adam_ratio_table", "adam_ball_table",
    "AdamNoiseFigure",
    "MINIBATCH_SETUP", "check_minibatch_gradient", "COSINE_SETUP", "COSINE_SLIPS", "check_cosine_lr",
    "NOISE_BALL_SETUPS", "NOISE_BALL_SLIPS", "check_noise_ball_prediction", "WIDGETS",
]


# --- 1. mini-batch gradients on Seattle's weather --------------------------------------------------

#: The coordinates of w: an intercept, then one weight per standardized reading of today.
FEATURES = ("intercept",) + tuple(f"today's {name}" for name in READINGS)
#: Where training starts, and where the lesson looks at the gradients: w = 0.
W_START = np.zeros(len(FEATURES))
#: The two coordinates of the gradient the figure plots: the intercept's and today's maximum's.
SHOWN = (0, 1)
#: The batch sizes the slider offers (the last one is n: the whole data set).
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1460)


@functools.lru_cache(maxsize=1)
def weather_problem() -> LeastSquares:
    r"""Tomorrow's maximum from today's readings: :math:`f(w) = \frac1{2n}\|Xw - y\|^2` (``helpers.datasets``)."""
    X, y = next_day_maximum()
    return LeastSquares(X, y)


def problem_summary() -> dict:
    """The numbers the notebook quotes about the Seattle problem: size, solution, errors, curvatures."""
    p = weather_problem()
    w_star = p.solution()
    theta = seattle_temperatures()[1]
    return {
        "n": p.n,
        "d": p.X.shape[1],
        "w_star": w_star,
        "rmse": float(np.sqrt(2 * p.loss(w_star))),  # f = mean squared error / 2
        "rmse_persistence": float(np.sqrt(np.mean((theta[1:] - theta[:-1]) ** 2))),  # tomorrow = today
        "rmse_mean": float(np.std(p.y)),  # always predict the mean
        "curvatures": np.linalg.eigvalsh(p.hessian()),
        "full_gradient": p.grad(W_START),
    }


def minibatch_table(batch_sizes=(1, 4, 16, 64, 256, 1024, 1460), draws: int = 2000, seed: int = 0,
                    w=W_START) -> list[dict]:
    r"""For each batch size B: ``draws`` mini-batch gradients at w from ``MinibatchGradient`` (seeded).

    Each row: ``B``; ``z``, the largest :math:`|\bar g - \nabla f|` over the coordinates in standard
    errors (NaN when the draws do not vary: B = n); ``measured``, the total variance
    :math:`\sum_j \operatorname{Var} g_{B,j}` of the draws, and ``se``, its standard error (the
    spread of the draws' squared distances from their mean, over √draws: how far ``measured`` may
    honestly stray from the formula); ``formula`` (without replacement, the finite-population
    factor included) and ``with_replacement`` (:math:`S^2/B`), summed likewise.
    """
    p = weather_problem()
    full = p.grad(w)
    example = p.example_grads(w)
    rows = []
    for B in batch_sizes:
        g = MinibatchGradient(p.grad, p.n, B, rng=seed)
        d = np.array([g(w) for _ in range(draws)])
        spread = d.std(axis=0, ddof=1) / np.sqrt(draws)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.abs(d.mean(axis=0) - full) / spread
        q = ((d - d.mean(axis=0)) ** 2).sum(axis=1) * draws / (draws - 1)  # its mean is the measured total variance
        rows.append({"B": B, "z": float(np.max(z)) if np.all(spread > 1e-9 * np.abs(full).max()) else np.nan,
                     "measured": float(d.var(axis=0, ddof=1).sum()), "se": float(q.std(ddof=1) / np.sqrt(draws)),
                     "formula": float(minibatch_variance(example, B).sum()),
                     "with_replacement": float(minibatch_variance(example, B, replace=True).sum())})
    return rows


def _ellipse(centre, cov, k: float = 2.0, **kwargs) -> Ellipse:
    """The k-standard-deviation ellipse of a 2×2 covariance around ``centre``."""
    values, vectors = np.linalg.eigh(np.asarray(cov, dtype=float))
    values = np.maximum(values, 0.0)
    angle = math.degrees(math.atan2(vectors[1, 1], vectors[0, 1]))
    return Ellipse(centre, 2 * k * math.sqrt(values[1]), 2 * k * math.sqrt(values[0]), angle=angle, **kwargs)


def _set_ellipse(patch: Ellipse, centre, cov, k: float = 2.0) -> None:
    new = _ellipse(centre, cov, k)
    patch.set_center(new.get_center())
    patch.set_width(new.get_width())
    patch.set_height(new.get_height())
    patch.set_angle(new.get_angle())


@functools.lru_cache(maxsize=4)
def _measured_variances(draws: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Total variance of ``draws`` mini-batch gradients at w = 0 for every batch size of the slider (cached)."""
    rows = minibatch_table(BATCH_SIZES[:-1], draws=draws, seed=seed)
    return np.array([r["B"] for r in rows]), np.array([r["measured"] for r in rows])


class MinibatchExplorer(LiveFigure):
    """Left: a cloud of mini-batch gradients at w = 0 (two coordinates), the full gradient, the predicted
    2-SD ellipse.  Right: total variance against B, the formulas with and without replacement.

    Controls: the batch size B and the noise seed.
    """

    DRAWS = 200

    def __init__(self, batch_size: int = 16, seed: int = 0):
        p = weather_problem()
        self.full = p.grad(W_START)
        self.example = p.example_grads(W_START)
        i, j = SHOWN
        fig = new_figure(11.5, 4.4)
        self.ax, self.ax_var = fig.subplots(1, 2, width_ratios=[1.1, 1])
        ax = self.ax
        (self.cloud,) = ax.plot([], [], linestyle="none", marker=".", markersize=4, alpha=0.6,
                                color=OKABE_ITO["blue"], label=f"{self.DRAWS} mini-batch gradients g_B")
        self.ellipse = _ellipse(self.full[[i, j]], np.eye(2), fill=False, linestyle="--", linewidth=1.8, zorder=2.5,
                                edgecolor=OKABE_ITO["vermillion"], label="predicted spread (2 SD)")
        ax.add_patch(self.ellipse)
        (self.mean_marker,) = ax.plot([], [], marker="X", markersize=10, linestyle="none",
                                      color=OKABE_ITO["orange"], markeredgecolor="black", label="their mean")
        ax.plot([self.full[i]], [self.full[j]], marker="*", markersize=15, linestyle="none",
                color=OKABE_ITO["yellow"], markeredgecolor="black", label="full gradient ∇f(w)")
        cov1 = minibatch_covariance(self.example[:, [i, j]], 1)
        half = 3.2 * np.sqrt(np.diag(cov1))  # the window holds B = 1's cloud: the shrinking shows
        ax.set_xlim(self.full[i] - half[0], self.full[i] + half[0])
        ax.set_ylim(self.full[j] - half[1], self.full[j] + half[1])
        ax.set_xlabel(f"∂f/∂w for the {FEATURES[i]}")
        ax.set_ylabel(f"∂f/∂w for {FEATURES[j]}")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize=10, framealpha=0.9)

        B_all = np.arange(1, p.n)
        total = minibatch_variance(self.example, 1, replace=True).sum()
        self.ax_var.plot(B_all, [minibatch_variance(self.example, B).sum() for B in B_all],
                         color=OKABE_ITO["vermillion"], linewidth=2, label="formula, without replacement")
        self.ax_var.plot(B_all, total / B_all, color=OKABE_ITO["black"], linestyle="--", linewidth=1.5,
                         label="S²/B (with replacement)")
        Bs, measured = _measured_variances()
        self.ax_var.plot(Bs, measured, linestyle="none", marker="o", markersize=5, color=OKABE_ITO["blue"],
                         label="measured, 300 draws each (seed 0)")
        (self.current,) = self.ax_var.plot([], [], linestyle="none", marker="o", markersize=13, markerfacecolor="none",
                                           markeredgewidth=2, color=OKABE_ITO["orange"],
                                           label=f"this cloud ({self.DRAWS} draws)")
        self.ax_var.set_xscale("log")
        self.ax_var.set_yscale("log")
        self.ax_var.yaxis.set_minor_locator(NullLocator())
        self.ax_var.xaxis.set_minor_locator(NullLocator())
        self.ax_var.set_xlim(0.8, p.n * 1.25)
        self.ax_var.set_ylim(total / p.n / 20, total * 3)
        self.ax_var.set_xlabel("batch size B (log scale)")
        self.ax_var.set_ylabel("total variance Σⱼ Var g_B,j")
        self.ax_var.grid(True, which="major", alpha=0.3)
        self.ax_var.legend(loc="lower left", fontsize=10, framealpha=0.9)
        controls = {"batch_size": widgets.SelectionSlider(options=BATCH_SIZES, value=batch_size,
                                                           description="batch size B", style=SLIDER_STYLE,
                                                           layout=SLIDER_LAYOUT),
                    "seed": seed_slider(seed)}
        super().__init__(fig, controls)

    def draw(self, params: dict) -> None:
        B, seed = params["batch_size"], params["seed"]
        p = weather_problem()
        i, j = SHOWN
        g = MinibatchGradient(p.grad, p.n, B, rng=seed)
        d = np.array([g(W_START) for _ in range(self.DRAWS)])
        self.cloud.set_data(d[:, i], d[:, j])
        self.mean_marker.set_data([d[:, i].mean()], [d[:, j].mean()])
        cov = minibatch_covariance(self.example[:, [i, j]], B)
        _set_ellipse(self.ellipse, self.full[[i, j]], cov)
        measured = float(d.var(axis=0, ddof=1).sum())
        formula = float(minibatch_variance(self.example, B).sum())
        if B < p.n:
            self.current.set_data([B], [measured])
            verdict = f"variance: measured {measured:.3g}, formula {formula:.3g}"
        else:
            self.current.set_data([], [])
            verdict = "B = n: every batch is the whole data set, variance 0"
        self.ax.set_title(f"gradients at w = 0, B = {B}, seed {seed}\n{verdict}", fontsize=10)
        self.ax_var.set_title(f"variance falls like 1/B, and to 0 at B = n = {p.n}", fontsize=10)


# --- 2. the noise ball -------------------------------------------------------------------------------


def noise_ball_variance(lr, lam, sigma):
    r"""SGD's stationary variance on :math:`f = \tfrac12\lambda x^2` with gradient noise of variance σ².

    :math:`x_t = (1-\alpha\lambda)x_{t-1} - \alpha\sigma\xi_t`, so
    :math:`V = (1-\alpha\lambda)^2 V + \alpha^2\sigma^2`, i.e. :math:`V = \alpha\sigma^2/(\lambda(2-\alpha\lambda))`.
    inf where :math:`\alpha\lambda \ge 2` (SGD diverges).  Arrays broadcast.
    """
    lr, lam, sigma = (np.asarray(a, dtype=float) for a in (lr, lam, sigma))
    with np.errstate(divide="ignore", invalid="ignore"):
        v = lr * sigma**2 / (lam * (2 - lr * lam))
    v = np.where((lr * lam > 0) & (lr * lam < 2), v, np.inf)
    return float(v) if v.ndim == 0 else v


def first_order_variance(lr, lam, sigma):
    r"""The small-α approximation of the noise ball, :math:`\alpha\sigma^2/(2\lambda)`."""
    v = np.asarray(lr, dtype=float) * np.asarray(sigma, dtype=float) ** 2 / (2 * np.asarray(lam, dtype=float))
    return float(v) if v.ndim == 0 else v


def sgd_moments(alphas, lam, sigma, x0) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact mean and variance of SGD's iterate on :math:`\tfrac12\lambda x^2` + noise, for rates α_1..α_T.

    :math:`\mathbb E x_t = (1-\alpha_t\lambda)\,\mathbb E x_{t-1}` and
    :math:`\operatorname{Var} x_t = (1-\alpha_t\lambda)^2 \operatorname{Var} x_{t-1} + \alpha_t^2\sigma^2`,
    from :math:`x_0` (variance 0).  Returns both for t = 0..T; λ, σ and x0 may be arrays (one per
    coordinate).
    """
    alphas = np.asarray(alphas, dtype=float)
    lam, sigma = np.asarray(lam, dtype=float), np.asarray(sigma, dtype=float)
    mean = [np.asarray(x0, dtype=float) + 0 * lam]
    var = [np.zeros_like(mean[0])]
    with np.errstate(over="ignore", invalid="ignore"):
        for a in alphas:
            mean.append((1 - a * lam) * mean[-1])  # E x_t = (1 − α_t λ) E x_{t−1}
            var.append((1 - a * lam) ** 2 * var[-1] + a**2 * sigma**2)  # Var x_t = (1 − α_t λ)² Var x_{t−1} + α_t² σ²
    return np.array(mean), np.array(var)


def last_iterates(opt, grad_fn: Callable, x0, steps: int):
    """``(x_T, state_T)``: the end of ``helpers.optimizers.run(opt, grad_fn, x0, steps)``, without keeping the path.

    For many runs at once (x0's leading axes index independent runs), where the whole path
    would not fit in memory.  Same calls in the same order, so the same numbers as ``run``.
    """
    x = np.asarray(x0, dtype=float)
    state = opt.init(x)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x, state = opt.step(x, grad_fn(x), state)
    return x, state


def _burn_in(rho, tol: float = 1e-6, cap: int = 20_000) -> int:
    """Steps until a start at the minimum is within ``tol`` (relative) of the stationary variance: ρ^(2T) ≤ tol."""
    rho = float(rho)
    if rho <= 0:
        return 1
    return int(min(math.ceil(math.log(tol) / (2 * math.log(rho))), cap))


def noise_ball_table(lrs=(0.01, 0.1, 0.5, 1.0, 1.5, 1.9), lam: float = 1.0, sigma: float = 1.0,
                     runs: int = 10_000, seed: int = 0) -> list[dict]:
    """The noise ball's variance: the formula, its first-order form, and a simulation, for each α.

    The simulation runs ``helpers.optimizers.SGD`` with a ``NoisyGradient`` (seed ``seed``) on
    f = ½λx², ``runs`` independent runs at once, from x = 0 until the variance has settled
    (|1 − αλ|^(2T) ≤ 10⁻⁶), and reports the variance of x_T over the runs (sampling error
    about √(2/runs) relative).
    """
    rows = []
    for lr in lrs:
        steps = _burn_in(abs(1 - lr * lam))
        x, _ = last_iterates(SGD(lr), NoisyGradient(lambda x: lam * x, sigma, rng=seed), np.zeros(runs), steps)
        rows.append({"lr": lr, "lam": lam, "sigma": sigma, "steps": steps, "runs": runs,
                     "formula": noise_ball_variance(lr, lam, sigma),
                     "first_order": first_order_variance(lr, lam, sigma),
                     "simulated": float(np.mean(x**2))})  # the mean is 0: E x² is the variance
    return rows


#: The 2-D bowl of lessons 03–06: f(w, b) = 0.1 w² + 2 b² = ½(0.2 w² + 4 b²).
SURFACE = elongated_quadratic()
LAMBDAS = np.array([0.2, 4.0])


def _noisy(surface: Surface, sigma: float, seed: int) -> NoisyGradient:
    return NoisyGradient(surface.grad, sigma, rng=seed)


def _blown_up(loss: np.ndarray) -> int | None:
    """The first step whose (mean) loss is not finite or above 10⁶ times the start's."""
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(loss) | (loss > 1e6 * max(float(loss[0]), LOSS_FLOOR))
    return int(np.argmax(bad)) if bad.any() else None


class NoiseBallFigure(LiveFigure):
    """SGD with a constant α and noisy gradients on the bowl: many runs, the cloud at the end, the predicted ball.

    Left: contours, one run's path, where all runs are after ``steps`` steps, and the stationary
    ellipse (±2 SD per axis, from ``noise_ball_variance``).  Right: the mean loss over the runs per
    step, against its exact expectation and the stationary floor.  Controls: α (log), σ, noise seed.
    """

    RUNS = 300

    def __init__(self, lr: float = 0.1, sigma: float = 1.0, seed: int = 0, steps: int = 300):
        self.steps = steps
        fig = new_figure(11.5, 4.4)
        self.ax, self.ax_loss = fig.subplots(1, 2, width_ratios=[1.15, 1])
        draw_surface(self.ax, SURFACE, SURFACE.grid(120))
        (self.cloud,) = self.ax.plot([], [], linestyle="none", marker=".", markersize=4, alpha=0.6, zorder=5,
                                     color=OKABE_ITO["sky blue"], label=f"x after {steps} steps, {self.RUNS} runs")
        (self.path,) = self.ax.plot([], [], zorder=4, label="one run", **style("GD", markevery=max(1, steps // 20)))
        self.ball = _ellipse(SURFACE.minimum, np.eye(2), fill=False, linestyle="-", linewidth=2.2, zorder=6,
                             edgecolor=OKABE_ITO["vermillion"], label="noise ball: ±2 SD (formula)")
        self.ax.add_patch(self.ball)
        self.ax.plot([SURFACE.start[0]], [SURFACE.start[1]], marker="o", markersize=9, markerfacecolor="none",
                     markeredgecolor="black", linestyle="none", label="start", zorder=5)
        self.ax.legend(loc="upper right", fontsize=10, framealpha=0.9)
        t = np.arange(steps + 1)
        (self.mean_loss,) = self.ax_loss.plot(t, t * np.nan, color=OKABE_ITO["blue"], linewidth=2,
                                              label=f"mean over {self.RUNS} runs")
        (self.expected,) = self.ax_loss.plot(t, t * np.nan, color=OKABE_ITO["black"], linestyle="--", linewidth=1.5,
                                             label="exact expectation")
        (self.floor,) = self.ax_loss.plot([0, steps], [np.nan, np.nan], color=OKABE_ITO["vermillion"], linestyle=":",
                                          linewidth=2, label="noise-ball floor Σ λᵢVᵢ/2")
        loss_axis(self.ax_loss)
        self.ax_loss.set_ylabel("f(x_t) − f*")
        self.ax_loss.set_xlabel("step t")
        self.ax_loss.set_xlim(0, steps)
        self.ax_loss.legend(loc="upper right", fontsize=10, framealpha=0.9)
        controls = {"lr": lr_slider(lr, -3, 0), "sigma": widgets.FloatSlider(
                        value=sigma, min=0.0, max=3.0, step=0.1, description="noise σ", style=SLIDER_STYLE,
                        layout=SLIDER_LAYOUT),
                    "seed": seed_slider(seed)}
        super().__init__(fig, controls)

    def draw(self, params: dict) -> None:
        lr, sigma, seed = params["lr"], params["sigma"], params["seed"]
        x0 = np.broadcast_to(SURFACE.start, (self.RUNS, 2))
        path = run(SGD(lr), _noisy(SURFACE, sigma, seed), x0, self.steps)  # (steps + 1, runs, 2)
        with np.errstate(all="ignore"):
            loss = SURFACE.f(path).mean(axis=1) - SURFACE.f_min
        k = _blown_up(loss)
        self.path.set_data(*clip_path(path[:, 0], SURFACE.xlim, SURFACE.ylim).T)
        mean, var = sgd_moments(np.full(self.steps, lr), LAMBDAS, sigma, SURFACE.start)
        with np.errstate(over="ignore", invalid="ignore"):
            expected = 0.5 * (LAMBDAS * (mean**2 + var)).sum(axis=1)
        stationary = noise_ball_variance(lr, LAMBDAS, sigma)
        self.expected.set_ydata(np.where(np.isfinite(expected), np.maximum(expected, LOSS_FLOOR), np.nan))
        shown = np.maximum(loss, LOSS_FLOOR)
        unstable = lr * LAMBDAS.max() >= 2  # no stationary state, even if 300 steps have not blown up yet
        if k is None and not unstable:
            self.cloud.set_data(path[-1, :, 0], path[-1, :, 1])
            _set_ellipse(self.ball, SURFACE.minimum, np.diag(stationary))
            self.ball.set_visible(True)
            floor = 0.5 * float((LAMBDAS * stationary).sum())
            self.floor.set_ydata([max(floor, LOSS_FLOOR)] * 2)
            self.path.set_label("one run")
            self.mean_loss.set_label(f"mean over {self.RUNS} runs")
            verdict = f"stationary SD: w {math.sqrt(stationary[0]):.2g}, b {math.sqrt(stationary[1]):.2g}"
        elif k is None:  # unstable, but still on the chart: the cloud spreads without bound
            self.cloud.set_data(path[-1, :, 0], path[-1, :, 1])
            self.ball.set_visible(False)
            self.floor.set_ydata([np.nan, np.nan])
            self.path.set_label("one run: unstable, no noise ball")
            self.mean_loss.set_label(f"mean over {self.RUNS} runs: growing")
            verdict = f"unstable: α·λ_b = {lr * LAMBDAS[1]:.3g} ≥ 2, the spread grows without bound"
        else:
            shown[k + 1:] = np.nan
            self.cloud.set_data([], [])
            self.ball.set_visible(False)
            self.floor.set_ydata([np.nan, np.nan])
            self.path.set_label(f"one run: diverged at step {k}")
            self.mean_loss.set_label(f"mean over {self.RUNS} runs: diverged at step {k}")
            verdict = f"diverged at step {k}: α·λ_b = {lr * LAMBDAS[1]:.3g} ≥ 2"
        self.mean_loss.set_ydata(shown)
        finite = np.concatenate([shown[np.isfinite(shown)], expected[np.isfinite(expected)]])
        low = max(float(finite.min()) / 5, LOSS_FLOOR) if finite.size else LOSS_FLOOR
        low = 10.0 ** math.floor(math.log10(low))  # in decades: the ticks stay while a slider moves
        self.ax_loss.set_ylim(low, max(float(loss[0]), LOSS_FLOOR) * 3)
        labels = (self.path.get_label(), self.mean_loss.get_label())
        if labels != getattr(self, "_legend_labels", None):  # a legend costs a few ms to build: only when it changes
            self.ax.legend(loc="upper right", fontsize=10, framealpha=0.9)
            self.ax_loss.legend(loc="upper right", fontsize=10, framealpha=0.9)
            self._legend_labels = labels
        self.ax.set_title(f"SGD, α = {lr:.2g}, σ = {sigma:.2g}, seed {seed}\n{verdict}", fontsize=10)
        self.ax_loss.set_title("mean loss over the runs, log scale", fontsize=10)


# --- 3. schedules ------------------------------------------------------------------------------------

#: Steps of the schedule playground (and of the schedules' time scales below).
SCHEDULE_STEPS = 400


def lesson_schedules(steps: int = SCHEDULE_STEPS) -> dict[str, object]:
    """The schedules the lesson compares, scaled to a run of ``steps`` steps (``helpers.schedules`` records)."""
    return {
        "constant": Constant(),
        f"step: ×0.3 every {steps // 4}": StepLR(step_size=steps // 4, gamma=0.3),
        f"exponential: γ = 0.01^(1/{steps})": ExponentialLR(gamma=0.01 ** (1 / steps)),  # α₀/100 after the run
        f"cosine over {steps} steps": CosineAnnealingLR(t_max=steps),
        f"linear warm-up, {steps // 10} steps": LinearLR(start_factor=0.1, end_factor=1.0, total_iters=steps // 10),
        f"1/t: α₀·{steps // 10}/({steps // 10} + t − 1)": InverseTimeLR(t0=steps // 10),
        "1/√t": InverseSqrtLR(),
    }


#: One look per schedule in the schedules figure: Okabe–Ito colours and distinct line styles.
SCHEDULE_LOOKS = [
    {"color": OKABE_ITO["black"], "linestyle": "--"},
    {"color": OKABE_ITO["orange"], "linestyle": "-"},
    {"color": OKABE_ITO["sky blue"], "linestyle": "-."},
    {"color": OKABE_ITO["bluish green"], "linestyle": "-"},
    {"color": OKABE_ITO["reddish purple"], "linestyle": ":"},
    {"color": OKABE_ITO["vermillion"], "linestyle": "--"},
    {"color": OKABE_ITO["blue"], "linestyle": ":"},
]


def schedules_figure(steps: int = SCHEDULE_STEPS):
    """α_t/α₀ of every schedule of the lesson over ``steps`` steps (linear and log scale)."""
    fig = new_figure(11.5, 4.0)
    axes = fig.subplots(1, 2)
    t = np.arange(1, steps + 1)
    for (name, schedule), look in zip(lesson_schedules(steps).items(), SCHEDULE_LOOKS, strict=True):
        for ax in axes:
            ax.plot(t, rates(schedule, 1.0, steps), label=name, linewidth=2, **look)
    axes[1].set_yscale("log")
    axes[1].yaxis.set_minor_locator(NullLocator())
    for ax, scale in zip(axes, ("linear", "log"), strict=True):
        ax.set_xlabel("step t")
        ax.set_ylabel("α_t / α₀")
        ax.set_title(f"the lesson's schedules ({scale} scale)", fontsize=10)
        ax.grid(True, alpha=0.3)
    axes[1].legend(loc="lower left", fontsize=10, framealpha=0.9)  # one legend for both panels
    return fig


def robbins_monro_table(horizons=(100, 10_000, 1_000_000)) -> dict[str, list[tuple[float, float]]]:
    r"""For schedules that go on for ever: :math:`(\sum_{t\le T}\alpha_t, \sum_{t\le T}\alpha_t^2)` at each horizon T.

    (α₀ = 1.)
    """
    schedules = {"constant": Constant(), "exponential, γ = 0.99": ExponentialLR(0.99),
                 "step, ×0.5 every 100": StepLR(100, 0.5), "1/√t": InverseSqrtLR(), "1/t": InverseTimeLR(1)}
    return {name: [robbins_monro_sums(s, 1.0, T) for T in horizons] for name, s in schedules.items()}


#: The 1-D problem of the schedule comparison: the shallow axis of the bowl, from far away.
SCHEDULE_PROBLEM = {"lam": 0.2, "sigma": 1.0, "x0": -5.0, "lr": 1.0}


def schedule_table(steps: int = SCHEDULE_STEPS, runs: int = 4000, seed: int = 0, extra=None) -> list[dict]:
    r"""Where SGD ends after ``steps`` steps under each schedule, exactly and by simulation.

    On f = ½λx² + noise (``SCHEDULE_PROBLEM``): :math:`\mathbb E[x_T]^2` (how far the mean still
    is from the minimum) and :math:`\operatorname{Var} x_T` (the ball) from ``sgd_moments``, and
    :math:`\mathbb E[x_T^2]` measured over ``runs`` runs of ``helpers.optimizers.run`` with the schedule.
    ``extra`` adds schedules (name → record).
    """
    c = SCHEDULE_PROBLEM
    schedules = dict(lesson_schedules(steps), **(extra or {}))
    rows = []
    for name, schedule in schedules.items():
        alphas = rates(schedule, c["lr"], steps)
        mean, var = sgd_moments(alphas, c["lam"], c["sigma"], c["x0"])
        grad = NoisyGradient(lambda x: c["lam"] * x, c["sigma"], rng=seed)
        x_T = run(SGD(c["lr"]), grad, np.full(runs, c["x0"]), steps, schedule=schedule)[-1]
        rows.append({"name": name, "last_rate": float(alphas[-1]), "sum": float(alphas.sum()),
                     "bias2": float(mean[-1] ** 2), "variance": float(var[-1]),
                     "expected": float(mean[-1] ** 2 + var[-1]), "simulated": float(np.mean(x_T**2))})
    return rows


#: Trajectories of torch.optim optimizers under torch.optim.lr_scheduler schedules (PyTorch 2.13, float64).
TORCH_SCHEDULES = Path(__file__).resolve().parent.parent / "tests" / "golden" / "torch_schedules.json"


def schedule_deviation_from_torch() -> dict:
    """The largest relative deviations of ``helpers.schedules`` (rates) and of ``run(..., schedule=)`` (paths)
    from the committed torch fixture, and what it covers."""
    if not TORCH_SCHEDULES.exists():
        raise FileNotFoundError("tests/golden/torch_schedules.json is missing: this lesson reads the torch "
                                "fixtures from the project's tests folder (run it from a clone).")
    from helpers import schedules as module

    fixture = json.loads(TORCH_SCHEDULES.read_text())
    grad = SURFACE.grad
    rate_dev = path_dev = 0.0
    names, runs = set(), 0
    for case in fixture["cases"]:
        schedule = getattr(module, case["schedule"])(**case["kwargs"])
        names.add(case["schedule"])
        ours = rates(schedule, case["base_lr"], fixture["steps"])
        rate_dev = max(rate_dev, float(np.max(np.abs(ours - np.array(case["rates"])) / case["base_lr"])))
        for r in case["runs"]:
            opt = getattr(optimizers, r["optimizer"])(**r["kwargs"])
            path = run(opt, grad, r["x0"], fixture["steps"], schedule=schedule)
            theirs = np.array(r["path"])
            scale = np.maximum(np.abs(theirs).max(axis=1), 1.0)
            path_dev = max(path_dev, float((np.abs(path - theirs).max(axis=1) / scale).max()))
            runs += 1
    return {"rates": rate_dev, "paths": path_dev, "cases": len(fixture["cases"]), "runs": runs,
            "schedules": sorted(names), "torch_version": fixture["torch_version"], "steps": fixture["steps"]}


def schedule_outcomes(lr: float, sigma: float = 1.0, seed: int = 0, steps: int = SCHEDULE_STEPS,
                      tail: int = 100) -> dict[str, dict]:
    """What the schedule playground shows for base rate ``lr``: per schedule, the step at which SGD's run on the
    bowl diverges (None if it does not) and its mean loss f − f* over the last ``tail`` steps.

    The playground's runs exactly: SGD from the bowl's start, noise σ from ``seed`` (the same draws for
    every schedule), ``lessons.playground.divergence_step``'s test of a blow-up.
    """
    out = {}
    for name, schedule in lesson_schedules(steps).items():
        path = run(SGD(lr), _noisy(SURFACE, sigma, seed), SURFACE.start, steps, schedule=schedule)
        k = divergence_step(SURFACE, path)
        with np.errstate(all="ignore"):
            loss = float(np.mean(SURFACE.f(path[-tail:]) - SURFACE.f_min)) if k is None else np.nan
        out[name] = {"diverged": k, "loss": loss}
    return out


#: The scheduled run's look in the playground (the constant-α run is drawn as GD).
SCHEDULED_LOOK = {"color": OKABE_ITO["bluish green"], "linestyle": "-.", "marker": "d"}


class RatePanel:
    """The schedule playground's third panel: the learning rate α_t of both runs per step."""

    def setup(self, ax) -> None:
        (self.constant,) = ax.plot([], [], label="constant α", **dict(STYLES["GD"], marker=None, linewidth=1.8))
        (self.scheduled,) = ax.plot([], [], label="scheduled α_t",
                                    **dict(SCHEDULED_LOOK, marker=None, linewidth=2))
        ax.set_xlabel("step t")
        ax.set_ylabel("learning rate α_t")
        ax.set_title("the learning rate per step", fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize=10, framealpha=0.9)

    def update(self, ax, traces, surface, params) -> None:
        steps = len(next(iter(traces.values())).path) - 1
        t = np.arange(1, steps + 1)
        lr = params["lr"]
        self.constant.set_data(t, np.full(steps, lr))
        self.scheduled.set_data(t, rates(lesson_schedules(steps)[params["schedule"]], lr, steps))
        ax.set_xlim(0, steps)
        ax.set_ylim(0, nice_ceiling(1.08 * lr))  # in jumps: the ticks stay while α₀ is dragged


class _SchedulePlayground(Playground):
    legend_fontsize = 10  # readable when projected


@dataclass(frozen=True)
class _RateTable:
    """A schedule's rates α_1, …, α_T for one base rate, each worked out once by the schedule itself (``lr``
    looks them up: the same floats), so that moving σ or the seed does not work them out again."""

    rates: tuple

    def lr(self, base_lr, t):
        return self.rates[t - 1]


@functools.lru_cache(maxsize=64)
def _rate_table(name: str, lr: float, steps: int) -> _RateTable:
    schedule = lesson_schedules(steps)[name]
    return _RateTable(tuple(schedule.lr(lr, t) for t in range(1, steps + 1)))


def _drawn_noise(surface: Surface, sigma: float, seed: int, steps: int) -> SharedNoise:
    """``_noisy(surface, sigma, seed)`` with its draws made once per seed: the same gradients."""
    return SharedNoise(surface.grad, sigma, seed, _standard_normal(seed, (steps, *np.shape(surface.start))))


def schedule_playground(steps: int = SCHEDULE_STEPS) -> Playground:
    """SGD with a constant α against SGD under the chosen schedule, same α₀, same noisy gradients (seeded).

    Controls: α₀ (log), noise σ, the schedule (drop-down), the noise seed.  Both runs draw the
    same noise sequence ξ_1, ξ_2, … (the same seed), so the difference is the schedule's.
    """
    schedules = lesson_schedules(steps)
    default = next(name for name in schedules if name.startswith("cosine"))
    playground = _SchedulePlayground(
        contenders=[Contender("SGD, constant α", lambda p: SGD(p["lr"]), look="GD"),
                    Contender("SGD, scheduled α", lambda p: SGD(p["lr"]), look=SCHEDULED_LOOK,
                              schedule=lambda p: _rate_table(p["schedule"], p["lr"], steps))],
        controls={"lr": lr_slider(0.3, -3, 0, description="learning rate α₀"),
                  "sigma": widgets.FloatSlider(value=1.0, min=0.0, max=3.0, step=0.1, description="noise σ",
                                               style=SLIDER_STYLE, layout=SLIDER_LAYOUT),
                  "schedule": dropdown(schedules, default, "schedule"),
                  "seed": seed_slider(0)},
        surfaces={"elongated quadratic": SURFACE},
        steps=steps,
        panel=RatePanel(),
        describe=lambda p: f"α₀ = {p['lr']:.2g}, σ = {p['sigma']:.2g}, seed {p['seed']}",
        width=15.0,
        gradient=lambda surface, p: _drawn_noise(surface, p["sigma"], p["seed"], steps),
    )
    return playground


# --- 4. momentum under noise ---------------------------------------------------------------------------


def _heavy_ball_matrices(lr, beta, lam, sigma) -> tuple[np.ndarray, np.ndarray]:
    r"""The heavy ball (PyTorch's sum form) on ½λx² + noise as :math:`z_t = A z_{t-1} + b\,\xi_t`, z = (x, v).

    :math:`v_t = \beta v_{t-1} + \lambda x_{t-1} + \sigma\xi_t` and
    :math:`x_t = x_{t-1} - \alpha v_t = (1-\alpha\lambda) x_{t-1} - \alpha\beta v_{t-1} - \alpha\sigma\xi_t`.
    """
    A = np.array([[1 - lr * lam, -lr * beta], [lam, beta]])
    b = sigma * np.array([-lr, 1.0])
    return A, b


def stationary_covariance(A, b) -> np.ndarray:
    r"""The stationary covariance P of :math:`z_t = A z_{t-1} + b\,\xi_t` (ξ_t independent, variance 1).

    P solves the discrete Lyapunov equation :math:`P = A P A^\top + b b^\top`.  Written entry by
    entry it is linear in P's entries: :math:`(I - A\otimes A)\,\mathrm{vec}(P) = \mathrm{vec}(bb^\top)`,
    one (d²×d²) solve (numpy, no scipy).  All entries inf if the iteration is unstable (spectral
    radius of A ≥ 1: there is no stationary state).
    """
    A, b = np.asarray(A, dtype=float), np.asarray(b, dtype=float)
    d = len(b)
    if np.max(np.abs(np.linalg.eigvals(A))) >= 1:
        return np.full((d, d), np.inf)
    P = np.linalg.solve(np.eye(d * d) - np.kron(A, A), np.outer(b, b).ravel())  # (I − A⊗A) vec P = vec(bbᵀ)
    return P.reshape(d, d)


def heavy_ball_covariance(lr: float, beta: float, lam: float, sigma: float) -> np.ndarray:
    r"""The stationary covariance P of (x, v) for the heavy ball (sum form) on ½λx² with noise σ.

    ``stationary_covariance`` of the heavy ball's A and b: :math:`P = A P A^\top + b b^\top`, a 2×2
    discrete Lyapunov equation.  P[0, 0] is Var x, P[1, 1] Var v (sum form).
    """
    return stationary_covariance(*_heavy_ball_matrices(lr, beta, lam, sigma))


def heavy_ball_variance(lr, beta, lam, sigma):
    r"""The heavy ball's stationary Var x in closed form (the solution of the Lyapunov equation, entry (0, 0)).

    :math:`\operatorname{Var} x = \frac{\alpha\sigma^2(1+\beta)}{\lambda(1-\beta)(2(1+\beta)-\alpha\lambda)}
    = \frac{\alpha_{\text{eff}}\sigma^2}{\lambda\,(2 - \alpha_{\text{eff}}\lambda\,\frac{1-\beta}{1+\beta})}`
    with the effective step :math:`\alpha_{\text{eff}} = \alpha/(1-\beta)`; SGD with that step has
    :math:`\alpha_{\text{eff}}\sigma^2/(\lambda(2-\alpha_{\text{eff}}\lambda))`.  inf where unstable
    (:math:`\alpha\lambda \ge 2(1+\beta)`).
    """
    lr, beta, lam, sigma = (np.asarray(a, dtype=float) for a in (lr, beta, lam, sigma))
    with np.errstate(divide="ignore", invalid="ignore"):
        v = lr * sigma**2 * (1 + beta) / (lam * (1 - beta) * (2 * (1 + beta) - lr * lam))
    v = np.where((lr * lam > 0) & (lr * lam < 2 * (1 + beta)), v, np.inf)
    return float(v) if v.ndim == 0 else v


def _heavy_ball_radius(lr, beta, lam) -> float:
    A, _ = _heavy_ball_matrices(lr, beta, lam, 1.0)
    return float(np.max(np.abs(np.linalg.eigvals(A))))


def _stationary_samples(opt, lam: float, sigma: float, runs: int, seed: int, burn: int, keep: int,
                        draws: np.ndarray | None = None):
    """x over ``keep`` steps after ``burn`` steps from x = 0, for ``runs`` runs at once: shape (keep, runs).

    ``draws``: the noise ξ of every step already drawn (row t − 1 for step t, e.g. from ``_NoiseRows``):
    the same numbers as ``NoisyGradient(..., rng=seed)`` draws step by step.
    """
    if draws is None:
        grad = NoisyGradient(lambda x: lam * x, sigma, rng=seed)
    else:
        rows = iter(draws)
        grad = lambda x: np.asarray(lam * x, dtype=float) + sigma * next(rows)  # noqa: E731 - ∇f(x) + σξ_t
    x, state = last_iterates(opt, grad, np.zeros(runs), burn)
    kept = []
    with np.errstate(all="ignore"):
        for _ in range(keep):
            x, state = opt.step(x, grad(x), state)
            kept.append(x)
    return np.array(kept), state


def momentum_table(lrs=(0.001, 0.01, 0.05, 0.1, 0.19, 1.0, 3.0), beta: float = 0.9, lam: float = 1.0,
                   sigma: float = 1.0, runs: int = 4000, seed: int = 0) -> list[dict]:
    """Heavy ball (sum form, lr α) against SGD at the same effective step α/(1 − β): stationary Var x.

    Each row: α, α_eff = α/(1 − β); SGD's formula at α_eff; the heavy ball's Lyapunov solution,
    its closed form and a simulation (``helpers.optimizers.Momentum(form="sum")``, ``runs`` runs
    from x = 0, past the burn-in; E x² over the runs, averaged over the next 100 steps); the
    first-order value ασ²/(2λ(1 − β)).
    """
    rows = []
    for lr in lrs:
        rho = _heavy_ball_radius(lr, beta, lam)
        x, _ = _stationary_samples(Momentum(lr, beta, form="sum"), lam, sigma, runs, seed, _burn_in(rho, cap=50_000),
                                   100)
        lr_eff = lr / (1 - beta)
        rows.append({"lr": lr, "lr_eff": lr_eff, "sgd": noise_ball_variance(lr_eff, lam, sigma),
                     "lyapunov": float(heavy_ball_covariance(lr, beta, lam, sigma)[0, 0]),
                     "closed_form": heavy_ball_variance(lr, beta, lam, sigma),
                     "simulated": float(np.mean(x**2)), "first_order": first_order_variance(lr_eff, lam, sigma)})
    return rows


def velocity_table(lr: float = 0.01, betas=(0.0, 0.5, 0.9, 0.99), lam: float = 1.0, sigma: float = 1.0,
                   runs: int = 4000, seed: int = 0) -> list[dict]:
    r"""The velocity is calmer than the gradient; the iterate is not calmer than SGD's at the same step.

    For each β, with the lecture form's velocity :math:`v = (1-\beta)\,v_{\text{sum}}` (an EWMA of g)
    and the heavy ball at the effective step ``lr`` (sum-form rate ``lr·(1 − β)``): measured Var g,
    Var v and Var x over ``runs`` runs at stationarity; lesson 01's (1 − β)/(1 + β)·σ²; the Lyapunov
    Var v and Var x; and SGD's Var x at step ``lr``.
    """
    rows = []
    for beta in betas:
        lr_sum = lr * (1 - beta)
        rho = _heavy_ball_radius(lr_sum, beta, lam)
        opt = Momentum(lr_sum, beta, form="sum")
        grad = NoisyGradient(lambda x: lam * x, sigma, rng=seed)
        x, state = last_iterates(opt, grad, np.zeros(runs), _burn_in(rho, cap=50_000))
        g_seen, v_seen, x_seen = [], [], []
        with np.errstate(all="ignore"):
            for _ in range(100):
                g = grad(x)
                x, state = opt.step(x, g, state)
                g_seen.append(g)
                v_seen.append((1 - beta) * state.v)  # the lecture form's velocity: an EWMA of g
                x_seen.append(x)
        P = heavy_ball_covariance(lr_sum, beta, lam, sigma)
        rows.append({"beta": beta, "var_g": float(np.var(g_seen)), "var_v": float(np.var(v_seen)),
                     "ewma": white_noise_variance(beta, sigma), "lyapunov_v": float(P[1, 1] * (1 - beta) ** 2),
                     "var_x": float(np.mean(np.square(x_seen))), "lyapunov_x": float(P[0, 0]),
                     "sgd_x": noise_ball_variance(lr, lam, sigma)})
    return rows


def iterate_average_table(lr: float = 0.1, betas=(0.9, 0.99), lam: float = 1.0, sigma: float = 1.0,
                          runs: int = 4000, seed: int = 0) -> list[dict]:
    r"""SGD's iterate and an EWMA of the iterates, :math:`\bar x_t = \beta \bar x_{t-1} + (1-\beta) x_t`: Var of each.

    Exactly: (x, x̄) evolve as :math:`z_t = A z_{t-1} + b\,\xi_t` with
    :math:`A = \begin{pmatrix}a & 0\\ (1-\beta)a & \beta\end{pmatrix}`, :math:`a = 1-\alpha\lambda`,
    :math:`b = -\alpha\sigma\,(1, 1-\beta)`, so ``stationary_covariance`` gives both variances.
    Measured: ``runs`` runs of ``helpers.optimizers.SGD`` with the average kept beside them.
    """
    a = 1 - lr * lam
    rows = []
    for beta in betas:
        P = stationary_covariance([[a, 0.0], [(1 - beta) * a, beta]], -lr * sigma * np.array([1.0, 1 - beta]))
        grad = NoisyGradient(lambda x: lam * x, sigma, rng=seed)
        opt = SGD(lr)
        x, state = last_iterates(opt, grad, np.zeros(runs), _burn_in(a))
        average = x.copy()
        for _ in range(_burn_in(beta)):  # let the average forget its start
            x, state = opt.step(x, grad(x), state)
            average = beta * average + (1 - beta) * x  # x̄_t = β x̄_{t−1} + (1 − β) x_t
        rows.append({"beta": beta, "var_x": float(P[0, 0]), "var_average": float(P[1, 1]),
                     "simulated_x": float(np.mean(x**2)), "simulated_average": float(np.mean(average**2))})
    return rows


def velocity_figure(lr: float = 0.05, beta: float = 0.9, lam: float = 1.0, sigma: float = 1.0, steps: int = 150,
                    seed: int = 3):
    """One stationary stretch: the noisy gradients, the velocity (an EWMA of them), and the iterate beside SGD's.

    Momentum in the lecture form with rate ``lr`` and SGD with the same ``lr`` (the same effective
    step) see the same noise draws.  Bands: ±2 SD from the formulas.
    """
    burn = 2000
    grad_m = NoisyGradient(lambda x: lam * x, sigma, rng=seed)
    grad_s = NoisyGradient(lambda x: lam * x, sigma, rng=seed)
    momentum, sgd = Momentum(lr, beta, form="ewma"), SGD(lr)
    xm, sm = last_iterates(momentum, grad_m, np.zeros(1), burn)
    xs, ss = last_iterates(sgd, grad_s, np.zeros(1), burn)
    g_seen, v_seen, xm_seen, xs_seen = [], [], [], []
    for _ in range(steps):
        g = grad_m(xm)
        xm, sm = momentum.step(xm, g, sm)
        xs, ss = sgd.step(xs, grad_s(xs), ss)
        g_seen.append(g[0])
        v_seen.append(sm.v[0])
        xm_seen.append(xm[0])
        xs_seen.append(xs[0])
    t = np.arange(burn + 1, burn + steps + 1)
    fig = new_figure(12, 5.2)
    ax_g, ax_x = fig.subplots(1, 2)
    ax_g.plot(t, g_seen, color="#999999", linestyle="none", marker=".", markersize=4, label="gradient g_t")
    ax_g.plot(t, v_seen, color=STYLES["Momentum"]["color"], linewidth=2, label=f"velocity v_t (EWMA, β = {beta:g})")
    sd_v = math.sqrt(white_noise_variance(beta, sigma))
    for sign in (1, -1):
        ax_g.axhline(sign * 2 * sd_v, color=OKABE_ITO["blue"], linestyle=":", linewidth=1.2,
                     label="±2 SD of an EWMA of noise" if sign > 0 else None)
        ax_g.axhline(sign * 2 * sigma, color=OKABE_ITO["black"], linestyle="--", linewidth=1.0,
                     label="±2σ (the noise)" if sign > 0 else None)
    ax_g.set_title("the velocity is much calmer than the gradient", fontsize=10)
    ax_g.set_ylabel("gradient / velocity")
    ax_x.plot(t, xs_seen, label=f"SGD, α = {lr:g}", **dict(style("GD"), marker=None))
    ax_x.plot(t, xm_seen, label=f"momentum, lecture form, α = {lr:g}, β = {beta:g}", **dict(style("Momentum"),
                                                                                           marker=None))
    sd_x = math.sqrt(noise_ball_variance(lr, lam, sigma))
    for sign in (1, -1):
        ax_x.axhline(sign * 2 * sd_x, color=OKABE_ITO["vermillion"], linestyle=":", linewidth=1.5,
                     label="±2 SD of SGD's noise ball" if sign > 0 else None)
    ax_x.set_title("…but the iterate wanders just as far, only more slowly", fontsize=10)
    ax_x.set_ylabel("x_t")
    for ax in (ax_g, ax_x):
        ax.set_xlabel("step t")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=10, ncols=2)  # below: the data stay clear
    fig.suptitle(f"noise σ = {sigma:g} on f = ½λx², λ = {lam:g}, at stationarity (seed {seed})", fontsize=10)
    return fig


class _NoiseRows:
    """The standard normal draws of ``numpy.random.default_rng(seed)``, ``width`` per row, as many rows as asked for.

    Rows drawn later continue the same stream, so ``rows(seed, n)`` is always the first n rows of
    ``default_rng(seed).standard_normal((N, width))``: what ``NoisyGradient(..., rng=seed)`` draws, one row
    per step.  A figure keeps the rows of its current seed, so a slider move that keeps the seed draws none.
    """

    def __init__(self, width: int):
        self.width, self.seed, self.rng, self.drawn = width, None, None, np.empty((0, width))

    def rows(self, seed: int, n: int) -> np.ndarray:
        if seed != self.seed:
            self.seed, self.rng, self.drawn = seed, np.random.default_rng(seed), np.empty((0, self.width))
        if len(self.drawn) < n:
            self.drawn = np.concatenate([self.drawn, self.rng.standard_normal((n - len(self.drawn), self.width))])
        return self.drawn[:n]


class MomentumNoiseFigure(LiveFigure):
    """SGD at α/(1 − β) against the heavy ball (sum form, α, β): theory and simulation of the stationary Var x.

    Left: Var x against the effective step α_eff·λ (log–log): SGD's formula, the heavy ball's
    Lyapunov solution for the slider's β, the first-order line, and both simulated at the sliders'
    α.  Right: the two iterates over the last steps of one run with the same noise draws (seed).
    Controls: α (sum form, log), β, noise seed.  f = ½x² (λ = 1), σ = 1.
    """

    RUNS, KEEP, SHOWN_STEPS = 500, 40, 200
    LAM, SIGMA = 1.0, 1.0

    def __init__(self, lr: float = 0.02, beta: float = 0.9, seed: int = 0):
        self.noise = _NoiseRows(self.RUNS)
        fig = new_figure(12, 4.4)
        self.ax, self.ax_path = fig.subplots(1, 2, width_ratios=[1, 1.1])
        ax = self.ax
        self.grid = np.geomspace(1e-3, 1e3, 400)  # α_eff·λ
        sgd = noise_ball_variance(self.grid, self.LAM, self.SIGMA)
        ax.plot(self.grid, np.where(np.isfinite(sgd), sgd, np.nan), label="SGD at α_eff: formula",
                **dict(style("GD"), marker=None))
        (self.hb_line,) = ax.plot([], [], label="heavy ball: Lyapunov", **dict(style("Momentum"), marker=None))
        ax.plot(self.grid, first_order_variance(self.grid, self.LAM, self.SIGMA), color=OKABE_ITO["orange"],
                linestyle=":", linewidth=1.8, label="first order α_eff σ²/(2λ)")
        (self.sgd_dot,) = ax.plot([], [], linestyle="none", marker="o", markersize=9, markerfacecolor="none",
                                  markeredgewidth=2, color=STYLES["GD"]["color"], label="SGD: simulated")
        (self.hb_dot,) = ax.plot([], [], linestyle="none", marker="s", markersize=9, markerfacecolor="none",
                                 markeredgewidth=2, color=STYLES["Momentum"]["color"], label="heavy ball: simulated")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_ylim(1e-4, 1e4)
        ax.set_xlabel("effective step α_eff·λ = αλ/(1 − β)")
        ax.set_ylabel("stationary Var x")
        ax.grid(True, which="major", alpha=0.3)
        (self.sgd_path,) = self.ax_path.plot([], [], label="SGD at α_eff", **dict(style("GD"), marker=None))
        (self.hb_path,) = self.ax_path.plot([], [], label="heavy ball (α, β)", **dict(style("Momentum"), marker=None))
        self.ax_path.set_xlabel("step t")
        self.ax_path.set_ylabel("x_t")
        self.ax_path.grid(True, alpha=0.3)
        controls = {"lr": lr_slider(lr, -3, 0.5, description="learning rate α (sum form)"),
                    "beta": beta_slider(beta, 0.0, 0.99, 0.01, "β (momentum)"),
                    "seed": seed_slider(seed)}
        super().__init__(fig, controls)

    def _simulate(self, opt, rho: float, seed: int):
        """Var x (simulated), and one run's last ``SHOWN_STEPS`` iterates; None if the run diverges.

        A spectral radius ρ ≥ 1 means no stationary state (the spread grows without bound, however
        slowly): that counts as diverging even before the numbers overflow.
        """
        if rho >= 1:
            return None, None
        burn = _burn_in(rho, tol=1e-4, cap=1500)
        keep = max(self.KEEP, self.SHOWN_STEPS)
        draws = self.noise.rows(seed, burn + keep)  # (drawn once per seed, shared by both runs)
        x, _ = _stationary_samples(opt, self.LAM, self.SIGMA, self.RUNS, seed, burn, keep, draws)
        if not np.all(np.isfinite(x)) or np.abs(x).max() > 1e8:  # stationary spreads here are below 10³
            return None, None
        return float(np.mean(x[-self.KEEP:] ** 2)), x[-self.SHOWN_STEPS:, 0]

    def draw(self, params: dict) -> None:
        lr, beta, seed = params["lr"], params["beta"], params["seed"]
        lr_eff = lr / (1 - beta)
        hb = heavy_ball_variance(self.grid * (1 - beta) / self.LAM, beta, self.LAM, self.SIGMA)  # at α = α_eff(1 − β)
        self.hb_line.set_data(self.grid, np.where(np.isfinite(hb), hb, np.nan))
        self.hb_line.set_label(f"heavy ball, β = {beta:.2f}: Lyapunov")
        rho_sgd = abs(1 - lr_eff * self.LAM)
        rho_hb = _heavy_ball_radius(lr, beta, self.LAM)
        var_sgd, path_sgd = self._simulate(SGD(lr_eff), rho_sgd, seed)
        var_hb, path_hb = self._simulate(Momentum(lr, beta, form="sum"), rho_hb, seed)
        t = np.arange(self.SHOWN_STEPS)
        shown = []
        runs = ((self.sgd_dot, self.sgd_path, var_sgd, path_sgd, "SGD", "SGD at α_eff"),
                (self.hb_dot, self.hb_path, var_hb, path_hb, "heavy ball", "heavy ball (α, β)"))
        for dot, line, var, path, short, name in runs:
            if var is None:
                dot.set_data([], [])
                line.set_data([], [])
                dot.set_label(f"{short}: diverges")
                line.set_label(f"{name}: diverges")
            else:
                dot.set_data([lr_eff * self.LAM], [var])
                line.set_data(t, path)
                dot.set_label(f"{short}: simulated {var:.3g}")
                line.set_label(name)
                shown.append(path)
        top = nice_ceiling(max((float(np.abs(p).max()) for p in shown), default=1.0) * 1.05)  # jumps: ticks stay
        self.ax_path.set_xlim(0, self.SHOWN_STEPS - 1)
        self.ax_path.set_ylim(-top, top)
        theory = heavy_ball_variance(lr, beta, self.LAM, self.SIGMA)
        sgd_theory = noise_ball_variance(lr_eff, self.LAM, self.SIGMA)
        self.ax.set_title(f"α = {lr:.2g}, β = {beta:.2f}: α_eff = {lr_eff:.3g}\nVar x: SGD {sgd_theory:.3g}, "
                          f"heavy ball {theory:.3g} (theory)", fontsize=10)
        self.ax_path.set_title(f"one run each, same noise draws (seed {seed}), last {self.SHOWN_STEPS} steps",
                               fontsize=10)
        update_legend(self.ax, loc="upper left", fontsize=10, framealpha=0.9)
        update_legend(self.ax_path, loc="upper right", fontsize=10, framealpha=0.9)


# --- 5. Adam under noise --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _standard_normal(seed: int, shape: tuple) -> np.ndarray:
    """``shape`` standard normal draws from ``numpy.random.default_rng(seed)`` (cached: a redraw reuses them).

    Drawn at once, they are the draws ``NoisyGradient(..., rng=seed)`` makes one step (one slice) at a time.
    """
    xi = np.random.default_rng(seed).standard_normal(shape)
    xi.flags.writeable = False
    return xi


@functools.lru_cache(maxsize=2)
def _noisy_stream(snr: tuple, sigma: float, seed: int, steps: int, runs: int) -> np.ndarray:
    """g_t = μ + σξ_t, μ = snr·σ, shape (steps, len(snr), runs) (cached, read-only: ``adam_ratios``' input)."""
    mu = np.asarray(snr, dtype=float)[:, None] * sigma
    g = mu + sigma * _standard_normal(seed, (steps, len(mu), runs))
    g.flags.writeable = False
    return g


@functools.lru_cache(maxsize=4)
def _stream_ewma(key: tuple, power: int, beta: float) -> np.ndarray:
    """ewma(g**power, β) of ``_noisy_stream(*key)`` (cached: a β₁ move keeps v, a β₂ move keeps m)."""
    v = ewma(_noisy_stream(*key) ** power, beta)
    v.flags.writeable = False
    return v


def adam_ratios(snr, beta1: float = 0.9, beta2: float = 0.999, steps: int = 700, runs: int = 1000,
                seed: int = 0, sigma: float = 1.0, keep: int = 200) -> np.ndarray:
    r"""Adam's :math:`\hat m_t/(\sqrt{\hat v_t}+\varepsilon)` over the last ``keep`` of ``steps`` gradients
    :math:`g = \mu + \sigma\xi`, μ = ``snr``·σ.

    The steps of ``helpers.optimizers.Adam`` with α = 1 on a gradient that does not depend on x
    (so the moments see a stationary stream with mean μ), :math:`x_{t-1} - x_t`.  Since g does not
    depend on x, neither do m and v: they are lesson 01's EWMAs of g and g² (``helpers.averages.ewma``,
    all runs at once), and ``Adam.step`` from the states of the kept steps, stacked, gives all of them
    in one call: the numbers of running Adam step by step (a test pins them), without the loop.
    The noise is ``NoisyGradient``'s with seed ``seed``.  Shape ``(keep, len(snr), runs)``.
    """
    key = (tuple(np.asarray(snr, dtype=float).ravel()), float(sigma), seed, steps, runs)
    g = _noisy_stream(*key)  # g_t = μ + σξ_t
    m, v = _stream_ewma(key, 1, beta1), _stream_ewma(key, 2, beta2)  # m_t, v_t
    t = np.arange(steps - keep + 1, steps + 1)[:, None, None]  # the kept steps
    previous = AdamState(t=t - 1, m=m[steps - keep - 1:-1], v=v[steps - keep - 1:-1])  # the states they start from
    x, _ = Adam(1.0, beta1, beta2).step(np.zeros((keep, g.shape[1], runs)), g[steps - keep:], previous)
    return -x


def adam_ratio_table(snrs=(0.0, 0.1, 0.3, 1.0, 3.0, 10.0), settings=((0.9, 0.999), (0.0, 0.999), (0.9, 0.5),
                                                                      (0.0, 0.5)),
                     seed: int = 0) -> list[dict]:
    r"""Mean of m̂/√v̂ against :math:`\mu/\sqrt{\mu^2+\sigma^2}`, and its RMS at μ = 0 against √((1 − β₁)/(1 + β₁)).

    Over 1,000 runs × the last 200 of 700 steps (``adam_ratios``), σ = 1.
    """
    snrs = np.asarray(snrs, dtype=float)
    rows = []
    for beta1, beta2 in settings:
        r = adam_ratios(snrs, beta1, beta2, seed=seed)
        rows.append({"beta1": beta1, "beta2": beta2, "snr": snrs, "mean": r.mean(axis=(0, 2)),
                     "formula": snrs / np.sqrt(snrs**2 + 1), "rms_at_zero": float(np.sqrt(np.mean(r[:, 0] ** 2))),
                     "rms_formula": math.sqrt((1 - beta1) / (1 + beta1))})
    return rows


def adam_ball_table(lrs=(0.01,), sigmas=(0.1, 1.0, 10.0), lam: float = 1.0, beta1: float = 0.9,
                    beta2: float = 0.999, steps: int = 4000, runs: int = 1000, seed: int = 0) -> list[dict]:
    r"""Adam with a constant α on ½λx² + noise σ: Var x at the end, against the heuristic ασ/(2λ) and SGD's ασ²/(2λ).

    The heuristic: near the optimum √v̂ ≈ σ, so Adam acts like SGD (with EWMA momentum) at the
    step α/σ, whose first-order ball is (α/σ)·σ²/(2λ).  Var x is averaged over the runs and the
    last quarter of the steps (from x = 0).
    """
    rows = []
    for lr in lrs:
        for sigma in sigmas:
            x, _ = _stationary_samples(Adam(lr, beta1, beta2), lam, sigma, runs, seed, 3 * steps // 4, steps // 4)
            rows.append({"lr": lr, "sigma": sigma, "simulated": float(np.mean(x**2)),
                         "heuristic": lr * sigma / (2 * lam), "sgd": first_order_variance(lr, lam, sigma)})
    return rows


def adam_schedule_table(lr: float = 0.05, lam: float = 1.0, sigma: float = 1.0, x0: float = 3.0,
                        steps: int = 1000, runs: int = 1000, seed: int = 0) -> dict[str, float]:
    r"""E[x_T²] for Adam with a constant α and with α decayed by a cosine over the run (same noise draws)."""
    out = {}
    for name, schedule in (("constant", None), ("cosine", CosineAnnealingLR(steps))):
        grad = NoisyGradient(lambda x: lam * x, sigma, rng=seed)
        x_T = run(Adam(lr), grad, np.full(runs, x0), steps, schedule=schedule)[-1]
        out[name] = float(np.mean(x_T**2))
    return out


@dataclass(frozen=True, eq=False)
class RowSchedules:
    r"""One ``helpers.schedules`` record per row of x: runs side by side (x's first axis), each with its own schedule.

    ``lr(base_lr, t)`` gives each row its schedule's rate at step t.  Pass it to ``run(..., schedule=)``
    with an optimizer whose ``lr`` has one entry per row (shape (rows, 1)): one run then steps them
    all, where a run per schedule would repeat the loop.  The factors α_t/α₀ of the first ``steps``
    steps are worked out once (``helpers.schedules.rates``), so each step only looks its rate up:
    schedules proportional to the base rate only (η_min = 0), which the constructor checks.
    """

    schedules: tuple
    steps: int

    def __post_init__(self):
        factors = np.stack([rates(s, 1.0, self.steps) for s in self.schedules])  # α_t/α₀, one row per schedule
        doubled = np.stack([rates(s, 2.0, self.steps) for s in self.schedules])
        if not np.allclose(doubled, 2 * factors, rtol=1e-12, atol=0.0):
            raise ValueError(f"schedules must be proportional to the base rate (η_min = 0); got {self.schedules!r}.")
        object.__setattr__(self, "factors", factors)

    def lr(self, base_lr, t):
        return np.asarray(base_lr, dtype=float) * self.factors[:, t - 1 : t]  # α₀ · (α_t/α₀) per row


@dataclass(eq=False)
class SharedNoise:
    r"""∇f(x) + σξ with one draw ξ shared by every row of x: the rows are contenders that must see the same noise.

    Row for row, the same numbers as ``NoisyGradient(grad_fn, sigma, rng=seed)`` gives a single
    contender (x without its first axis): each call draws ``x.shape[1:]`` standard normals.
    ``draws``, if given, holds those draws already (call k uses ``draws[k]``, e.g. ``_standard_normal(seed,
    (steps, *x.shape[1:]))``: the same numbers, drawn once for every redraw with that seed).
    """

    grad_fn: Callable
    sigma: float
    rng: object = 0
    draws: np.ndarray | None = None

    def __post_init__(self):
        self.rng = np.random.default_rng(self.rng) if not isinstance(self.rng, np.random.Generator) else self.rng
        self.calls = 0

    def __call__(self, x) -> np.ndarray:
        g = np.asarray(self.grad_fn(x), dtype=float)
        if self.draws is None:
            xi = self.rng.standard_normal(g.shape[1:])
        else:
            xi = self.draws[self.calls]
        self.calls += 1
        return g + self.sigma * xi  # ∇f(x) + σξ, ξ the same for every row


class AdamNoiseFigure(LiveFigure):
    """Adam under noise.  Left: m̂/√v̂ against the signal-to-noise ratio μ/σ (mean ±1 SD over runs) and
    μ/√(μ² + σ²).  Right: √E[x_t²] on ½x² + noise for Adam with a constant α and with a cosine-decayed α.

    Controls: β₁, β₂, α (log), noise seed.
    """

    SNR = np.geomspace(0.01, 100, 21)
    RUNS, STEPS, KEEP, RUN_STEPS, RUNS_PATH = 60, 300, 50, 600, 100
    LAM, SIGMA, X0 = 1.0, 1.0, 3.0

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, lr: float = 0.05, seed: int = 0):
        fig = new_figure(12, 4.4)
        self.ax, self.ax_run = fig.subplots(1, 2)
        ax = self.ax
        ax.plot(self.SNR, self.SNR / np.sqrt(self.SNR**2 + 1), color=OKABE_ITO["black"], linestyle="--",
                linewidth=1.8, label="μ/√(μ² + σ²)")
        (self.mean_line,) = ax.plot([], [], label="Adam: mean of m̂/√v̂", zorder=3, **dict(style("Adam"), markevery=4))
        # the ±1 SD band: one polygon updated in place, above the axis (zorder 1.5) so its ticks stay as pixels
        self.band = ax.fill_between(self.SNR, 0 * self.SNR, 0 * self.SNR, color=OKABE_ITO["vermillion"], alpha=0.2,
                                    zorder=1.8, label="±1 SD over runs")
        (self.rms_line,) = ax.plot([], [], color=OKABE_ITO["orange"], linestyle=":", linewidth=1.8,
                                   label="√((1−β₁)/(1+β₁)): RMS step at μ = 0")
        ax.set_xscale("log")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlim(self.SNR[0], self.SNR[-1])
        ax.set_ylim(-0.1, 1.45)
        ax.set_xlabel("signal-to-noise ratio μ/σ of the gradient (log scale)")
        ax.set_ylabel("Adam's step ÷ α = m̂/(√v̂ + ε)")
        ax.grid(True, which="major", alpha=0.3)
        t = np.arange(self.RUN_STEPS + 1)
        (self.constant,) = self.ax_run.plot(t, t * np.nan, label="Adam, constant α", **dict(style("Adam"), marker=None))
        (self.decayed,) = self.ax_run.plot(t, t * np.nan, label="Adam, cosine-decayed α",
                                           **dict(SCHEDULED_LOOK, marker=None, linewidth=2))
        (self.level,) = self.ax_run.plot([0, self.RUN_STEPS], [np.nan, np.nan], color=OKABE_ITO["black"],
                                         linestyle=":", linewidth=1.5, label="√(ασ/(2λ)): constant α's ball")
        self.ax_run.set_yscale("log")
        self.ax_run.yaxis.set_minor_locator(NullLocator())
        self.ax_run.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        self.ax_run.set_xlim(0, self.RUN_STEPS)
        self.ax_run.set_ylim(0.02, 10)  # fixed: from the start (3) down to below the smallest ball of the α slider
        self.ax_run.set_xlabel("step t")
        self.ax_run.set_ylabel("√E[x_t²] (distance from the minimum)")
        self.ax_run.grid(True, which="major", alpha=0.3)
        controls = {"beta1": beta_slider(beta1, 0.0, 0.99, 0.01, "β₁ (momentum)"),
                    "beta2": beta_slider(beta2, 0.5, 0.9999, 0.0001, "β₂ (RMS)"),
                    "lr": lr_slider(lr, -3, 0),
                    "seed": seed_slider(seed)}
        ax.legend(loc="upper left", fontsize=10, framealpha=0.9)  # the labels never change: built once
        self.ax_run.legend(loc="upper right", fontsize=10, framealpha=0.9)
        super().__init__(fig, controls)

    def _ratios(self, beta1: float, beta2: float, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
        """Mean and SD of m̂/(√v̂ + ε) per μ/σ over the kept steps of every run, and their RMS at the smallest μ/σ."""
        r = adam_ratios(self.SNR, beta1, beta2, self.STEPS, self.RUNS, seed, self.SIGMA, keep=self.KEEP)
        r = r.transpose(1, 0, 2).reshape(len(self.SNR), -1)  # every kept step of every run, per μ/σ
        return r.mean(axis=1), r.std(axis=1), float(np.sqrt(np.mean(r[0] ** 2)))

    def _distances(self, beta1: float, beta2: float, lr: float, seed: int) -> list[np.ndarray]:
        """√E[x_t²] over the runs for a constant α and a cosine-decayed α (one run of both, the same noise)."""
        x0 = np.full((2, self.RUNS_PATH), self.X0)  # rows: constant α, cosine-decayed α
        schedules = RowSchedules((Constant(), CosineAnnealingLR(self.RUN_STEPS)), self.RUN_STEPS)
        xi = _standard_normal(seed, (self.RUN_STEPS, self.RUNS_PATH))  # (drawn once per seed: a redraw reuses them)
        noise = SharedNoise(lambda x: self.LAM * x, self.SIGMA, seed, xi)
        path = run(Adam(np.full((2, 1), lr), beta1, beta2), noise, x0, self.RUN_STEPS, schedule=schedules)
        with np.errstate(invalid="ignore"):
            return list(np.sqrt(np.mean(path**2, axis=2)).T)

    def _cached(self, compute, *key):
        """``compute(*key)``, remembered: a slider dragged back and forth finds its positions already computed."""
        cache = self.__dict__.setdefault("_cache", {})
        if (compute.__name__, *key) not in cache:
            if len(cache) > 400:
                cache.clear()
            cache[(compute.__name__, *key)] = compute(*key)
        return cache[(compute.__name__, *key)]

    def draw(self, params: dict) -> None:
        beta1, beta2, lr, seed = params["beta1"], params["beta2"], params["lr"], params["seed"]
        mean, sd, self.rms_at_zero = self._cached(self._ratios, beta1, beta2, seed)
        self.mean_line.set_data(self.SNR, mean)
        self.band.set_verts([np.column_stack([np.r_[self.SNR, self.SNR[::-1]], np.r_[mean + sd, (mean - sd)[::-1]]])])
        rms = math.sqrt((1 - beta1) / (1 + beta1))
        self.rms_line.set_data(self.SNR[[0, -1]], [rms, rms])
        self.ax.set_title(f"β₁ = {beta1:.2f}, β₂ = {beta2:.4f}: the step is a signal-to-noise ratio\n"
                          f"at μ/σ = {self.SNR[0]:g} (about 0): mean {mean[0]:+.3f}, RMS {self.rms_at_zero:.3f}",
                          fontsize=10)
        curves = self._cached(self._distances, beta1, beta2, lr, seed)
        for line, rms_x in zip((self.constant, self.decayed), curves, strict=True):
            line.set_ydata(np.maximum(rms_x, LOSS_FLOOR))
        level = math.sqrt(lr * self.SIGMA / (2 * self.LAM))
        self.level.set_ydata([level, level])

        self.ax_run.set_title(f"α = {lr:.2g}: at step {self.RUN_STEPS}, √E[x²] = {curves[0][-1]:.3g} (constant), "
                              f"{curves[1][-1]:.3g} (cosine)", fontsize=10)


# --- exercises -------------------------------------------------------------------------------------------

#: The mini-batch exercise's setup: the Seattle problem at w = 0, batches of 16, 2,000 calls, seed 0.
MINIBATCH_SETUP = {"batch_size": 16, "calls": 2000, "seed": 0, "other_batch_size": 4, "other_calls": 500}


def _setup_text() -> str:
    p = weather_problem()
    s = MINIBATCH_SETUP
    return (f"the Seattle problem (n = {p.n} rows, d = {p.X.shape[1]} weights), w = 0, "
            f"batch_size B = {s['batch_size']}, "
            f"{s['calls']:,} calls sharing rng = np.random.default_rng({s['seed']}); then {s['other_calls']} calls "
            f"with batch_size = {s['other_batch_size']} (rng = np.random.default_rng({s['seed'] + 3})) and one call "
            f"with batch_size = n")


def _used(setup: str) -> str:
    """The line every message ends with: what the check ran (as ``lessons.checks`` says it)."""
    return f"\n  The check used: {setup}."


def _fmt(v) -> str:
    return "(" + ", ".join(f"{float(a):.4g}" for a in np.ravel(v)) + ")"


def _exception_hint(feedback: Feedback, hints: dict[str, str]) -> Feedback:
    """An exception's feedback, plus a hint when its message is one a known slip produces."""
    for fragment, hint in hints.items():
        if fragment in feedback.message:
            head, used, tail = feedback.message.partition("\n  The check used:")
            return Feedback(False, f"{head}\n  Hint: {hint}{used}{tail}")
    return feedback


def check_minibatch_gradient(fn: Callable) -> Feedback:
    r"""Check the learner's ``minibatch_gradient(X, y, w, batch_size, rng)``: the mean gradient over a batch of
    ``batch_size`` rows drawn without replacement from ``rng``.

    The check calls it many times and tests what the lesson claims: one number per coordinate,
    the same seed giving the same batches, a new batch at every call, an unbiased mean (the full
    gradient, within 5 standard errors) and the variance of the formula (within 20 %); the same
    again at another batch size (where a batch size typed in shows); then one call with B = n,
    which without replacement must give the full gradient (to float32's precision).  Known slips
    (a mean over the wrong axis, a sum instead of a mean, the same batch every call, no batch at
    all, numpy's global random state, a batch with repeats, the indices returned instead of the
    gradient, a divisor or a batch size of 16 typed in) get their own hint.
    """
    name = getattr(fn, "__name__", "your function")
    p = weather_problem()
    X, y, w = p.X, p.y, W_START.copy()
    B, calls, seed = MINIBATCH_SETUP["batch_size"], MINIBATCH_SETUP["calls"], MINIBATCH_SETUP["seed"]
    setup = _setup_text()
    used = _used(setup)
    full = p.grad(w)

    def call(batch_size, rng):
        result, problem = attempt(fn, X.copy(), y.copy(), w.copy(), batch_size, rng, name=name, setup=setup)
        if problem:
            return None, _exception_hint(problem, {
                "truth value of an array": "a Python `if` or `max` met a whole array; compute the batch's gradient "
                                           "with array operations (X_B.T @ r / B).",
                "could not be broadcast": "X_B has shape (B, d) and the residual r shape (B,): to scale each row of "
                                          "X_B by its residual, write X_B * r[:, None], or use X_B.T @ r."})
        if isinstance(result, (tuple, list)) and len(result) != len(w):
            return None, Feedback(False, f"✗ {name} should return the gradient alone, one number per weight; it "
                                         f"returned a {type(result).__name__} of {len(result)} things.{used}")
        try:
            array = np.asarray(result, dtype=float)
        except (TypeError, ValueError):
            return None, Feedback(False, f"✗ {name} should return a numpy array of {len(w)} numbers, one per weight; "
                                         f"it returned {describe_value(result)}.{used}")
        if array.shape != w.shape:
            return None, Feedback(False, f"✗ Expected a gradient of shape {w.shape}, one number per weight like w; "
                                         f"got shape {array.shape}: {_shape_hint(array, batch_size, p.n, len(w))}"
                                         f"{used}")
        return array, None

    rng = np.random.default_rng(seed)
    first, problem = call(B, rng)
    if problem:
        return problem
    twice = []
    for _ in range(2):
        result, problem = call(B, np.random.default_rng(seed + 1))
        if problem:
            return problem
        twice.append(result)
    if not np.array_equal(twice[0], twice[1]):
        return Feedback(False, f"✗ Two calls with the same seed (np.random.default_rng({seed + 1})) gave different "
                               f"gradients: {_fmt(twice[0])} and {_fmt(twice[1])}.\n  Hint: draw the batch with the "
                               f"rng you are given (rng.choice(n, size=batch_size, replace=False)), not with "
                               f"np.random.*: the same seed must give the same batches, hence the same picture.{used}")
    draws = [first]
    for _ in range(calls - 1):
        result, problem = call(B, rng)
        if problem:
            return problem
        draws.append(result)
    draws = np.array(draws)
    if np.all(draws == draws[0]):
        if np.allclose(draws[0], full):
            return Feedback(False, f"✗ All {calls:,} calls returned {_fmt(draws[0])}, the full gradient ∇f(w): your "
                                   f"function uses all n = {p.n} rows, not a batch.\n  Hint: draw B = {B} row indices "
                                   f"with rng.choice(n, size=batch_size, replace=False) and average the gradients "
                                   f"of those rows only.{used}")
        first_rows = p.grad(w, np.arange(B))
        which = (" It is the gradient of the first B rows: you take X[:B] every time."
                 if np.allclose(draws[0], first_rows) or np.allclose(draws[0], B * first_rows) else "")
        return Feedback(False, f"✗ All {calls:,} calls returned the same gradient {_fmt(draws[0])}: your sampling "
                               f"reuses the same batch.{which}\n  Hint: draw new indices from rng at every call "
                               f"(and do not create or reseed a Generator inside the function).{used}")
    mean = draws.mean(axis=0)
    se = draws.std(axis=0, ddof=1) / np.sqrt(calls)
    z = np.abs(mean - full) / se
    if np.max(z) > 5:
        for factor, hint in ((B, f"a sum instead of a mean: your average is about B = {B} times the full gradient. "
                                 f"Divide the sum over the batch by B (or use .mean(axis=0))."),
                             (B / p.n, f"your average is about B/n times the full gradient: divide by the batch size "
                                       f"B = {B}, not by n = {p.n}."),
                             (-1.0, "the sign is flipped: the residual is r = Xw − y (the gradient of ½(xᵀw − y)² "
                                    "is x·(xᵀw − y)).")):
            if np.all(np.abs(mean - factor * full) < 5 * se + 1e-9 * abs(factor) * np.abs(full).max()):
                return Feedback(False, f"✗ Not yet. The mean of your {calls:,} gradients is {_fmt(mean)}; the full "
                                       f"gradient ∇f(w) is {_fmt(full)}.\n  Hint: {hint}{used}")
        return Feedback(False, f"✗ Not yet: your gradients are biased. Their mean over {calls:,} calls is "
                               f"{_fmt(mean)}, the full gradient ∇f(w) is {_fmt(full)} ({np.max(z):.0f} standard "
                               f"errors apart).\n"
                               f"  A mini-batch gradient is the mean of x_i·(x_iᵀw − y_i) over the batch.{used}")
    measured = float(draws.var(axis=0, ddof=1).sum())
    formula = float(minibatch_variance(p.example_grads(w), B).sum())
    ratio = measured / formula
    if not 0.8 < ratio < 1.25:
        near = ""
        if abs(ratio * B - 1) < 0.2:
            near = f" It is about 1/B = 1/{B} of the formula's: is every example in the batch the same one?"
        elif abs(ratio - B) < 0.2 * B:
            near = f" It is about B = {B} times the formula's: do your batches hold one example each?"
        return Feedback(False, f"✗ Not yet: your gradients are unbiased but their variance is off. Total variance over "
                               f"{calls:,} calls: {measured:.4g}; the formula S²/B·(n − B)/(n − 1) gives {formula:.4g} "
                               f"(ratio {ratio:.2f}).{near}{used}")
    # Another batch size: a 16 typed in where batch_size belongs passes every test above.
    B2, calls2 = MINIBATCH_SETUP["other_batch_size"], MINIBATCH_SETUP["other_calls"]
    rng2, others = np.random.default_rng(seed + 3), []
    for _ in range(calls2):
        result, problem = call(B2, rng2)
        if problem:
            return problem
        others.append(result)
    others = np.array(others)
    mean2 = others.mean(axis=0)
    se2 = others.std(axis=0, ddof=1) / np.sqrt(calls2)
    if np.max(np.abs(mean2 - full) / se2) > 5:
        if np.all(np.abs(mean2 - B2 / B * full) < 5 * se2):
            return Feedback(False, f"✗ Almost: with batch_size = {B2} the mean of your {calls2} gradients is "
                                   f"{_fmt(mean2)}, about {B2}/{B} of the full gradient {_fmt(full)}.\n  Hint: you "
                                   f"divide by {B} whatever the batch size: divide by batch_size (or use "
                                   f".mean(axis=0)).{used}")
        return Feedback(False, f"✗ Almost: with batch_size = {B} your gradients are unbiased, but with batch_size = "
                               f"{B2} the mean of {calls2} of them is {_fmt(mean2)}, not the full gradient "
                               f"{_fmt(full)}: does your function use batch_size everywhere?{used}")
    measured2 = float(others.var(axis=0, ddof=1).sum())
    formula2 = float(minibatch_variance(p.example_grads(w), B2).sum())
    if not 0.75 < measured2 / formula2 < 1.33:
        ignored = (f" It is about the variance of batches of {B} ({formula:.4g}): your batches have {B} rows "
                   f"whatever batch_size is. Draw rng.choice(n, size=batch_size, replace=False)."
                   if 0.75 < measured2 / formula < 1.33 else "")
        return Feedback(False, f"✗ Almost: with batch_size = {B2} the total variance of {calls2} of your gradients "
                               f"is {measured2:.4g}; the formula S²/B·(n − B)/(n − 1) gives {formula2:.4g}."
                               f"{ignored}{used}")
    whole, problem = call(p.n, np.random.default_rng(seed + 2))
    if problem:
        return problem
    # float32 arithmetic is off by about 1e-7 of the gradient; a batch with repeats by about 1e-2.
    if not np.allclose(whole, full, rtol=1e-5, atol=1e-5 * np.abs(full).max()):
        return Feedback(False, f"✗ Almost: with batch_size = n = {p.n} your gradient is {_fmt(whole)}, not the full "
                               f"gradient {_fmt(full)}. Drawn without replacement, a batch of all n rows is the whole "
                               f"data set, so its gradient is ∇f(w) exactly.\n  Hint: your batch repeats some rows: "
                               f"draw with rng.choice(n, size=batch_size, replace=False) (rng.integers and "
                               f"rng.choice's default draw with replacement).{used}")
    return Feedback(True, f"✓ Correct: unbiased (the mean of {calls:,} gradients is within {np.max(z):.1f} standard "
                          f"errors of ∇f(w) = {_fmt(full)}), with total variance {measured:.4g} against the formula's "
                          f"{formula:.4g} (ratio {ratio:.3f}), and {measured2:.4g} against {formula2:.4g} with "
                          f"batch_size = {B2}; a new batch at every call, the same batches for the same seed, and the "
                          f"full gradient for B = n.{used}")


def _shape_hint(array: np.ndarray, B: int, n: int, d: int) -> str:
    """What a result of the wrong shape most likely is, in the learner's terms."""
    if array.shape == (B,):
        values = array.ravel()
        if np.all(values == np.round(values)) and values.min() >= 0 and values.max() < n:
            return (f"{B} whole numbers between 0 and n − 1: these look like the batch's row indices. Return the mean "
                    f"gradient of those rows, not the indices.")
        return ("one number per example in the batch, not one per weight: the mean (or the product) ran over the "
                "features, axis 1 (or X_B @ … where X_B.T @ … was meant). Average the per-example gradients over "
                "the batch, axis 0, to get one number per weight.")
    if array.shape == ():
        return "a single number: you averaged over everything. Average over the batch only (axis 0)."
    if array.shape == (B, d):
        return "one gradient per example: take their mean over the batch (axis 0)."
    return "the gradient has one entry per weight, like w."


#: The cosine exercise's setup.
COSINE_SETUP = {"base_lr": 0.1, "t_max": 10, "eta_min": 0.001, "steps": 11}


def _cosine_t(base_lr, t, t_max, eta_min):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2


def _cosine_no_half(base_lr, t, t_max, eta_min):
    return eta_min + (base_lr - eta_min) * math.cos(math.pi * (t - 1) / t_max)


def _cosine_no_eta(base_lr, t, t_max, eta_min):
    return base_lr * (1 + math.cos(math.pi * (t - 1) / t_max)) / 2


def _cosine_eta_added(base_lr, t, t_max, eta_min):
    return eta_min + base_lr * (1 + math.cos(math.pi * (t - 1) / t_max)) / 2


def _cosine_t_max_minus_one(base_lr, t, t_max, eta_min):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * (t - 1) / (t_max - 1))) / 2


def _cosine_degrees(base_lr, t, t_max, eta_min):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(180 * (t - 1) / t_max)) / 2


def _cosine_no_pi(base_lr, t, t_max, eta_min):
    return eta_min + (base_lr - eta_min) * (1 + math.cos((t - 1) / t_max)) / 2


def _cosine_swapped(base_lr, t, t_max, eta_min):
    return base_lr + (eta_min - base_lr) * (1 + math.cos(math.pi * (t - 1) / t_max)) / 2


def _cosine_restart(base_lr, t, t_max, eta_min):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * ((t - 1) % t_max) / t_max)) / 2


def _linear_decay(base_lr, t, t_max, eta_min):
    return eta_min + (base_lr - eta_min) * (1 - (t - 1) / t_max)


def _constant_rate(base_lr, t, t_max, eta_min):
    return base_lr


#: Each known slip, as the hint the check gives, and a cosine schedule that makes it.
COSINE_SLIPS: dict[str, Callable] = {
    "your rates match cos(π·t/T_max): off by one step against torch. Step t uses e = t − 1 steps of the "
    "scheduler (torch's last_epoch), so the first step must get the full α₀: cos(π·(t − 1)/T_max).": _cosine_t,
    "your rates match η_min + (α₀ − η_min)·cos(…): without ½(1 + cos) the rate goes below η_min (even negative) "
    "in the second half. The factor ½(1 + cos) runs from 1 down to 0.": _cosine_no_half,
    "your rates match α₀·½(1 + cos(…)): the schedule ends at 0, not at η_min. Use η_min + (α₀ − η_min)·½(1 + cos(…)).":
        _cosine_no_eta,
    "your rates match η_min + α₀·½(1 + cos(…)): the first rate is α₀ + η_min. Scale the cosine by (α₀ − η_min).":
        _cosine_eta_added,
    "your rates match cos(π·(t − 1)/(T_max − 1)): your schedule reaches η_min at step T_max, one step early. In torch "
    "(and SGDR) T_cur runs to T_max, so η_min comes at step T_max + 1.": _cosine_t_max_minus_one,
    "your rates match cos(180·(t − 1)/T_max): math.cos takes radians, not degrees. Half a turn is π: "
    "cos(math.pi·(t − 1)/T_max).": _cosine_degrees,
    "your rates match cos((t − 1)/T_max), without π: the angle must run from 0 to π over T_max steps, so that the "
    "cosine goes from 1 to −1. Multiply by math.pi.": _cosine_no_pi,
    "your rates rise from η_min to α₀: α₀ and η_min are swapped. The schedule starts at α₀ and ends at η_min.":
        _cosine_swapped,
    "your rates restart at α₀ on step T_max + 1: that is SGDR's warm restart ((t − 1) mod T_max). torch's "
    "CosineAnnealingLR does not restart: step T_max + 1 gets η_min.": _cosine_restart,
    "your rates fall on a straight line from α₀ to η_min: that is a linear decay. The cosine falls slowly at "
    "first, fastest in the middle, slowly at the end: ½(1 + cos(π·(t − 1)/T_max)).": _linear_decay,
    "your rate never changes: it must fall from α₀ to η_min as t goes from 1 to T_max + 1.": _constant_rate,
}


def _number(value, digits: int = 4) -> str:
    return f"{float(value):.{digits}g}"


def _first_difference(yours: np.ndarray, expected: np.ndarray, rtol: float) -> int | None:
    close = np.isclose(yours, expected, rtol=rtol, atol=1e-15)
    return None if close.all() else int(np.argmin(close))


def _distinct(a: float, b: float) -> tuple[str, str]:
    """a and b printed with enough digits to tell them apart (at least 4 significant digits)."""
    for digits in range(4, 16):
        first, second = _number(a, digits), _number(b, digits)
        if first != second:
            return first, second
    return _number(a, 16), _number(b, 16)


def _compare_values(yours, expected, *, labels, mistakes: dict[str, list], generic: Callable[[int], str],
                    used: str, success: str, rtol: float = 1e-9) -> Feedback:
    """The learner's numbers against the expected ones: the first that differs (by its label), and the slip if known.

    Unlike ``lessons.checks.compare`` (made for a recursion, where a step uses the previous one), each value
    here stands alone: a schedule's rate at step t, a variance for one setting.
    """
    yours, expected = np.asarray(yours, dtype=float), np.asarray(expected, dtype=float)
    k = _first_difference(yours, expected, rtol)
    if k is None:
        return Feedback(True, f"✓ Correct: all {len(expected)} values match. {success}".rstrip() + used)
    mine, right = _distinct(yours[k], expected[k])
    message = f"✗ Not yet. {labels[k]}: yours is {mine}, expected {right} (the first that differs)."
    for hint, wrong in mistakes.items():
        wrong = np.asarray(wrong, dtype=float)
        if np.allclose(yours, wrong, rtol=rtol, atol=1e-15, equal_nan=True):
            return Feedback(False, f"{message}\n  Hint: {hint}{used}")
    return Feedback(False, f"{message}\n  {generic(k)}{used}")


def _numbers(fn: Callable, name: str, calls, setup: str) -> tuple[list[float] | None, Feedback | None]:
    """The learner's ``fn(*args)`` for each ``args`` in ``calls``, each a single number; or the feedback."""
    values = []
    for args in calls:
        result, problem = attempt(fn, *args, name=name, setup=setup)
        if problem:
            return None, problem
        if isinstance(result, (bool, np.bool_)) or np.ndim(result) != 0:
            shown = ", ".join(f"{a:g}" for a in args)
            return None, Feedback(False, f"✗ {name}({shown}) should return one number; it returned "
                                         f"{describe_value(result)}.{_used(setup)}")
        try:
            values.append(float(result))
        except (TypeError, ValueError):
            shown = ", ".join(f"{a:g}" for a in args)
            return None, Feedback(False, f"✗ {name}({shown}) should return a number; it returned "
                                         f"{describe_value(result)}.{_used(setup)}")
    return values, None


def check_cosine_lr(fn: Callable) -> Feedback:
    """Check the learner's ``cosine_lr(base_lr, t, t_max, eta_min)`` for steps t = 1..T_max + 1 against
    ``helpers.schedules.CosineAnnealingLR`` (which matches ``torch.optim.lr_scheduler.CosineAnnealingLR``)."""
    name = getattr(fn, "__name__", "your function")
    s = COSINE_SETUP
    ts = range(1, s["steps"] + 1)
    expected = rates(CosineAnnealingLR(s["t_max"], s["eta_min"]), s["base_lr"], s["steps"])
    setup = (f"α₀ = {s['base_lr']}, T_max = {s['t_max']}, η_min = {s['eta_min']}, steps t = 1..{s['steps']} "
             f"(expected α_1 = {expected[0]:g} and α_{s['t_max'] + 1} = {expected[-1]:g})")
    yours, problem = _numbers(fn, name, [(s["base_lr"], t, s["t_max"], s["eta_min"]) for t in ts], setup)
    if problem:
        return problem
    with np.errstate(all="ignore"):
        mistakes = {hint: [slip(s["base_lr"], t, s["t_max"], s["eta_min"]) for t in ts]
                    for hint, slip in COSINE_SLIPS.items()}

    def generic(k: int) -> str:
        if k == 0:
            return (f"α_1 must be α₀ = {s['base_lr']}: the first step runs at the full rate, where the cosine is "
                    f"cos 0 = 1.")
        right = "α_1 is" if k == 1 else f"α_1 … α_{k} are"
        return (f"{right} right, α_{k + 1} is not: check the formula "
                f"η_min + (α₀ − η_min)·½(1 + cos(π·(t − 1)/T_max)) at t = {k + 1}.")

    verdict = _compare_values(yours, expected, labels=[f"α_{t}" for t in ts], mistakes=mistakes, generic=generic,
                              used=_used(setup), success="Your schedule is torch's CosineAnnealingLR, step for step.")
    if not verdict.passed:
        return verdict
    return _cosine_other_setting(fn, name, verdict, setup)


#: A second setting for the cosine check, every argument changed: constants typed in from the first one show.
COSINE_OTHER_SETUP = {"base_lr": 1.0, "t_max": 4, "eta_min": 0.05}


def _cosine_other_setting(fn: Callable, name: str, verdict: Feedback, setup: str) -> Feedback:
    """The cosine check's second round: the learner's rates with other arguments, against torch's."""
    s, first = COSINE_OTHER_SETUP, COSINE_SETUP
    ts = range(1, s["t_max"] + 2)
    other = f"α₀ = {s['base_lr']:g}, T_max = {s['t_max']}, η_min = {s['eta_min']:g}, steps t = 1..{s['t_max'] + 1}"
    setup = f"{setup}; then {other}"
    yours, problem = _numbers(fn, name, [(s["base_lr"], t, s["t_max"], s["eta_min"]) for t in ts], setup)
    if problem:
        return problem
    expected = rates(CosineAnnealingLR(s["t_max"], s["eta_min"]), s["base_lr"], len(ts))
    k = _first_difference(np.array(yours), expected, 1e-9)
    if k is None:
        return Feedback(True, f"{verdict.message.split(chr(10))[0]} The same with {other}.{_used(setup)}")
    typed_in = []
    for key, symbol in (("base_lr", "α₀"), ("t_max", "T_max"), ("eta_min", "η_min")):
        mixed = dict(s, **{key: first[key]})  # the second setting with one of the first's numbers typed in
        if np.allclose(yours, rates(CosineAnnealingLR(mixed["t_max"], mixed["eta_min"]), mixed["base_lr"], len(ts)),
                       rtol=1e-9, atol=1e-15):
            typed_in.append(f"{symbol} = {first[key]:g}")
    hint = (f"\n  Hint: your rates are those of {typed_in[0]}, the first setting's, whatever the argument says: a "
            f"constant typed in. Use the function's arguments (base_lr, t_max, eta_min)." if typed_in else
            "\n  Hint: with the first setting your rates were right: is a number of that setting typed into your "
            "function instead of an argument?")
    yours_k, expected_k = _distinct(yours[k], float(expected[k]))
    return Feedback(False, f"✗ Almost: right for α₀ = {first['base_lr']:g}, T_max = {first['t_max']}, "
                           f"η_min = {first['eta_min']:g}, but with {other.split(', steps')[0]}, α_{k + 1} is "
                           f"{yours_k}, expected {expected_k}.{hint}{_used(setup)}")


#: The noise-ball exercise's settings (α, λ, σ), and the simulation that checks a prediction.
NOISE_BALL_SETUPS = ((0.1, 1.0, 1.0), (0.3, 2.0, 0.5), (0.9, 2.0, 1.0))
NOISE_BALL_RUNS = 10_000


#: Each known slip, as the hint the check gives, and the variance it predicts.
NOISE_BALL_SLIPS: dict[str, Callable] = {
    "your values match ασ²/(2λ), the small-α approximation. It is close when αλ is small, but here αλ reaches "
    "1.8: keep the exact denominator λ(2 − αλ).": lambda a, lam, s: a * s**2 / (2 * lam),
    "your values match ασ/(λ(2 − αλ)): the noise enters squared, σ².": lambda a, lam, s: a * s / (lam * (2 - a * lam)),
    "your values match ασ²/(2 − αλ): divide by λ too (a stiffer bowl, a smaller ball).":
        lambda a, lam, s: a * s**2 / (2 - a * lam),
    "your values match ασ²/(λ(2 + αλ)): the sign. From V = (1 − αλ)²V + α²σ², 1 − (1 − αλ)² = αλ(2 − αλ).":
        lambda a, lam, s: a * s**2 / (lam * (2 + a * lam)),
    "your values match α²σ²/(λ(2 − αλ)): one α too many. V(1 − (1 − αλ)²) = α²σ², and 1 − (1 − αλ)² = αλ(2 − αλ) "
    "has an α of its own.": lambda a, lam, s: a**2 * s**2 / (lam * (2 - a * lam)),
    "your values match ασ²/λ: missing the (2 − αλ) (about a factor 2 for small α).": lambda a, lam, s: a * s**2 / lam,
    "your values are the square roots of the variances: a standard deviation. The exercise asks for Var x, "
    "ασ²/(λ(2 − αλ)) itself.": lambda a, lam, s: math.sqrt(a * s**2 / (lam * (2 - a * lam))),
    "your values match σ²/(1 − (1 − αλ)²): the kick at each step is ασξ_t, whose variance is α²σ², not σ².":
        lambda a, lam, s: s**2 / (1 - (1 - a * lam) ** 2),
    "your values match ασ²/(λ(2 − α)): the denominator is 2 − αλ, not 2 − α (the two agree only when λ = 1).":
        lambda a, lam, s: a * s**2 / (lam * (2 - a)),
    "your values are 1 over the variance: ασ²/(λ(2 − αλ)) has ασ² on top.":
        lambda a, lam, s: lam * (2 - a * lam) / (a * s**2),
    "your values are twice the variance: V = α²σ²/(1 − (1 − αλ)²) = ασ²/(λ(2 − αλ)), with no factor 2 on top.":
        lambda a, lam, s: 2 * a * s**2 / (lam * (2 - a * lam)),
}


def check_noise_ball_prediction(fn: Callable) -> Feedback:
    """Check the learner's ``predicted_variance(alpha, lam, sigma)`` on ``NOISE_BALL_SETUPS``, then run the simulation.

    The prediction is compared with ασ²/(λ(2 − αλ)) setting by setting; a known slip gets its hint.
    Then (right or wrong) the check simulates SGD on f = ½λx² with noise σ for each setting
    (``noise_ball_table``: 10,000 runs, seed 0) and prints prediction beside simulation, with the
    first-order ασ²/(2λ) for comparison.
    """
    name = getattr(fn, "__name__", "your function")
    settings = [f"({a:g}, {lam:g}, {s:g})" for a, lam, s in NOISE_BALL_SETUPS]
    setup = (f"(α, λ, σ) = {', '.join(settings[:-1])} and {settings[-1]}; the simulation runs SGD on "
             f"f = ½λx² + noise, {NOISE_BALL_RUNS:,} runs from x = 0, seed 0")
    yours, problem = _numbers(fn, name, NOISE_BALL_SETUPS, setup)
    if problem:
        return problem
    expected = [noise_ball_variance(*setting) for setting in NOISE_BALL_SETUPS]
    mistakes = {hint: [slip(*setting) for setting in NOISE_BALL_SETUPS] for hint, slip in NOISE_BALL_SLIPS.items()}

    def generic(k: int) -> str:
        return ("Take variances of both sides of x_t = (1 − αλ)·x_{t−1} − ασ·ξ_t (the two terms are independent) "
                "and solve V = (1 − αλ)²·V + α²σ² for V.")

    labels = [f"setting {k + 1}, (α, λ, σ) = ({a:g}, {lam:g}, {s:g})"
              for k, (a, lam, s) in enumerate(NOISE_BALL_SETUPS)]
    feedback = _compare_values(yours, expected, labels=labels, mistakes=mistakes, generic=generic, used="",
                               success="", rtol=1e-6)
    lines = [feedback.message, "  Your prediction beside a simulation of SGD (the variance once it has settled):"]
    for k, (alpha, lam, sigma) in enumerate(NOISE_BALL_SETUPS):
        row = noise_ball_table((alpha,), lam, sigma, runs=NOISE_BALL_RUNS)[0]
        lines.append(f"  setting {k + 1}: α = {alpha}, λ = {lam}, σ = {sigma}, αλ = {alpha * lam:g}: "
                     f"yours {yours[k]:.5g}, "
                     f"simulated {row['simulated']:.5g} ({row['steps']} steps), formula {expected[k]:.5g}, "
                     f"first order ασ²/(2λ) {row['first_order']:.5g}")
    return Feedback(feedback.passed, "\n".join(lines) + _used(setup))


#: The lesson's interactive figures, by name (tests and the benchmark build each one).
WIDGETS: dict[str, Callable[[], LiveFigure]] = {
    "minibatch": MinibatchExplorer,
    "noise_ball": NoiseBallFigure,
    "schedules": schedule_playground,
    "momentum": MomentumNoiseFigure,
    "adam": AdamNoiseFigure,
}
