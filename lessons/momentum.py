r"""Lesson 03 · Momentum: its figures, the numbers its prose claims, and its exercise check.

Momentum keeps a velocity, an average of the gradients, and steps along it:

.. math::
    v_t = \beta\, v_{t-1} + (1-\beta)\, g_t \quad\text{(lecture form)}
    \qquad\text{or}\qquad
    v_t = \beta\, v_{t-1} + g_t \quad\text{(PyTorch's)},
    \qquad x_t = x_{t-1} - \alpha\, v_t .

Everything here runs on ``helpers.surfaces.elongated_quadratic()``,
:math:`f(w, b) = 0.1\,w^2 + 2\,b^2` (x-axis w, y-axis b), unless a surface is passed.

Interactive figures (``WIDGETS``):

- ``velocity``: gradient descent against momentum, with both components of
  momentum's velocity (and of the gradient) per step;
- ``nesterov``: gradient descent, momentum and Nesterov's look-ahead variant;
- ``map``: the steps momentum needs to converge over a whole (α, β) grid,
  computed once, with the sliders' point marked and the stability boundary
  :math:`\alpha\,\lambda_{max} < 2(1+\beta)` (sum form) drawn over it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import LogNorm
from matplotlib.ticker import NullLocator, ScalarFormatter

from helpers.averages import ewma
from helpers.optimizers import SGD, Momentum, Nesterov, run, steps_to_converge, trace
from helpers.plotting import (
    DATA_STYLE,
    OKABE_ITO,
    clip_path,
    draw_surface,
    loss_axis,
    loss_gap,
    new_figure,
    nice_ceiling,
    style,
)
from helpers.surfaces import SURFACES, Surface, curvatures, elongated_quadratic
from lessons.checks import Feedback, LearnerRun, compare, run_learner
from lessons.playground import Contender, Playground, divergence_step
from lessons.widgets import LiveFigure, beta_slider, dropdown, lr_slider

__all__ = [
    "SURFACE",
    "FORMS",
    "TOL",
    "TOL_TEXT",
    "MAP_STEPS",
    "MAP_DEFAULTS",
    "VELOCITY_DEFAULTS",
    "NESTEROV_DEFAULTS",
    "SURFACE_LRS",
    "EXERCISE",
    "gd_limit",
    "momentum_limit",
    "nesterov_limit",
    "steps_to_stay",
    "steps_to",
    "first_arrival",
    "spiral_estimate",
    "DampenedMomentum",
    "cold_start_table",
    "dampening_check",
    "nesterov_row_paths",
    "overshoot_table",
    "surface_rates",
    "gd_rates",
    "gd_runs",
    "best_gd",
    "best_momentum",
    "map_grid",
    "steps_map",
    "beta_row",
    "best_on_map",
    "map_lookup",
    "averaging_ratios",
    "start_comparison",
    "rosenbrock_comparison",
    "boundary_check",
    "lookahead_step",
    "gd_figure",
    "averaging_figure",
    "lookahead_figure",
    "VelocityPanel",
    "MapPanel",
    "velocity_playground",
    "nesterov_playground",
    "map_playground",
    "WIDGETS",
    "exercise_setup",
    "check_momentum_step",
]

#: The lesson's surface: f(w, b) = 0.1 w² + 2 b², a long shallow valley along w, steep across b.
SURFACE = elongated_quadratic()

#: The two conventions for the velocity, as the drop-down shows them → ``Momentum(form=...)``.
FORMS = {"sum (PyTorch)": "sum", "ewma (lecture)": "ewma"}

#: "Converged after k steps" means ‖x_j − x*‖ ≤ TOL for every j ≥ k (checked up to twice the step budget).
TOL = 1e-6

#: TOL as people write it (1e-6, not Python's 1e-06).
TOL_TEXT = f"{TOL:.0e}".replace("e-0", "e-").replace("e+0", "e")

#: The step budget of the (α, β) map: a run that needs more counts as "not within MAP_STEPS".
MAP_STEPS = 1000

#: A gradient series: the project's data look, joined by a thin line so the sign flips show.
GRADIENT_STYLE = {**DATA_STYLE["data"], "linestyle": "-", "linewidth": 0.8, "marker": "o"}

#: The sliders' starting point on the map: a slider position (10^−0.35 ≈ 0.447), hence a grid point.
MAP_DEFAULTS = {"lr": 10**-0.35, "beta": 0.5}

#: The map's grid: log10 α from −2 to 0.3 in steps of 0.025 (half the slider's step) and β from 0 to
#: 0.99 in steps of 0.01 (the slider's), so every slider position is a grid point.
MAP_LOG_LR = (-2.0, 0.3, 0.025)
MAP_BETA = (0.0, 0.99, 0.01)

#: The playgrounds' starting sliders (the velocity playground starts at GD's "just below the limit" α).
VELOCITY_DEFAULTS = {"lr": 0.45, "beta": 0.5}
NESTEROV_DEFAULTS = {"lr": 0.3, "beta": 0.9}

#: The learning rate each other surface starts with when the playground's drop-down selects it: the
#: quadratic's α (0.3 or 0.45) blows up at step 1 on Rosenbrock and Beale, whose gradients at their starts
#: are about 160 and 100.  Each shows its valley at these rates (see ``surface_rates``).
SURFACE_LRS = {"Rosenbrock": 1e-3, "Beale": 3e-3, "saddle": 0.1}


# --- the numbers the prose relies on ----------------------------------------------


def gd_limit(lam_max: float) -> float:
    r"""Gradient descent on a quadratic is stable iff :math:`\alpha < 2/\lambda_{max}`."""
    return 2 / lam_max


def momentum_limit(lam_max: float, beta, form: str = "sum"):
    r"""The largest stable α for momentum on a quadratic with top curvature λ_max.

    Sum form: :math:`\alpha\,\lambda_{max} < 2(1+\beta)`.  The ewma form is the sum
    form with α(1 − β), so there :math:`\alpha\,(1-\beta)\,\lambda_{max} < 2(1+\beta)`.
    """
    beta = np.asarray(beta, dtype=float)
    limit = 2 * (1 + beta) / lam_max
    return limit if form == "sum" else limit / (1 - beta)


def nesterov_limit(lam_max: float, beta):
    r"""The largest stable α for Nesterov (PyTorch's form) on a quadratic.

    :math:`\alpha\lambda_{max} < 2(1+\beta)/(1+2\beta)`: smaller than heavy ball's for any β > 0.
    """
    beta = np.asarray(beta, dtype=float)
    return 2 * (1 + beta) / ((1 + 2 * beta) * lam_max)


def steps_to_stay(opt, grad_fn, x0, x_star, steps: int, tol: float = TOL, horizon: int | None = None) -> np.ndarray:
    """For a batch of runs, the step k after which the run *stays* within ``tol``: ‖x_j − x*‖ ≤ tol for all j ≥ k.

    "All j" is checked up to ``horizon`` steps (default: twice ``steps``); a count above
    ``steps`` is reported as inf, as is a run that diverges.  Momentum spirals in: its
    first visit inside the ball may be followed by a swing back out, so the first
    arrival (``helpers.optimizers.steps_to_converge``) can be well before this step.
    The last axis of ``x0`` holds the coordinates; leading axes index independent runs
    (hyperparameters passed to ``opt`` as arrays that broadcast against ``x0``).
    """
    horizon = 2 * steps if horizon is None else horizon
    if not (isinstance(steps, (int, np.integer)) and 0 < steps <= horizon):
        raise ValueError(f"steps must be a whole number in [1, horizon={horizon}]; got steps={steps!r}.")
    x = np.asarray(x0, dtype=float)
    x_star = np.asarray(x_star, dtype=float)
    last_outside = np.where(np.linalg.norm(x - x_star, axis=-1) <= tol, -1.0, 0.0)
    state = opt.init(x)
    with np.errstate(all="ignore"):  # a diverging cell is a result (inf), not a warning
        for k in range(1, horizon + 1):
            x, state = opt.step(x, grad_fn(x), state)
            inside = np.linalg.norm(x - x_star, axis=-1) <= tol  # False for NaN: a diverged run never gets in
            last_outside = np.where(inside, last_outside, float(k))
    first = last_outside + 1
    return np.where(first <= steps, first, np.inf)


def steps_to(opt, surface: Surface = SURFACE, start=None, steps: int = MAP_STEPS, tol: float = TOL) -> float:
    """Steps after which one run of ``opt`` stays within ``tol`` of the minimum (inf if not within ``steps``)."""
    x0 = surface.start if start is None else start
    return float(steps_to_stay(opt, surface.grad, x0, surface.minimum, steps, tol=tol))


def first_arrival(opt, surface: Surface = SURFACE, start=None, steps: int = MAP_STEPS, tol: float = TOL) -> float:
    """The first step with ‖x_k − x*‖ ≤ tol (the run may leave again): what the map counted before."""
    x0 = surface.start if start is None else start
    return float(steps_to_converge(opt, surface.grad, x0, surface.minimum, steps, tol=tol))


def spiral_estimate(beta: float, surface: Surface = SURFACE, start=None, tol: float = TOL) -> float:
    r"""Steps for an error shrinking by :math:`\sqrt\beta` per step to go from ‖x_0 − x*‖ to ``tol``.

    :math:`\ln(\lVert x_0 - x^*\rVert/\text{tol}) / \ln(1/\sqrt\beta)`: the rate of momentum
    when its roots are complex (every direction rings), ignoring the constant in front.
    """
    x0 = surface.start if start is None else np.asarray(start, dtype=float)
    return float(np.log(np.linalg.norm(x0 - surface.minimum) / tol) / np.log(1 / np.sqrt(beta)))


def gd_rates(surface: Surface = SURFACE) -> dict[str, float]:
    """Three learning rates for gradient descent, as fractions of its limit 2/λ_max: tiny, just below, just above."""
    limit = float(gd_limit(curvatures(surface)[-1]))
    return {"small": 0.1 * limit, "just below": 0.9 * limit, "just above": 1.1 * limit}


def gd_runs(surface: Surface = SURFACE, steps: int = 100) -> dict[float, dict]:
    """Gradient descent at each of ``gd_rates``: its path, where it diverged, steps to converge."""
    runs = {}
    for lr in gd_rates(surface).values():
        path = run(SGD(lr), surface.grad, surface.start, steps)
        runs[lr] = {"path": path, "diverged": divergence_step(surface, path),
                    "steps": steps_to(SGD(lr), surface, steps=5000)}
    return runs


def best_gd(surface: Surface = SURFACE) -> dict[str, float]:
    r"""Gradient descent's best α on a quadratic, :math:`2/(\lambda_{min}+\lambda_{max})`, its rate and steps.

    The error shrinks by :math:`(\kappa-1)/(\kappa+1)` per step, κ = λ_max/λ_min.
    """
    lam_min, lam_max = curvatures(surface)[[0, -1]]
    kappa = lam_max / lam_min
    lr = float(2 / (lam_min + lam_max))
    return {"lr": lr, "rate": float((kappa - 1) / (kappa + 1)), "steps": steps_to(SGD(lr), surface, steps=5000)}


def best_momentum(surface: Surface = SURFACE) -> dict[str, float]:
    r"""Polyak's best heavy-ball setting on a quadratic (sum form) and its steps.

    :math:`\alpha^* = 4/(\sqrt{\lambda_{max}}+\sqrt{\lambda_{min}})^2`,
    :math:`\beta^* = ((\sqrt\kappa-1)/(\sqrt\kappa+1))^2`; the error then shrinks by
    :math:`\sqrt{\beta^*} = (\sqrt\kappa-1)/(\sqrt\kappa+1)` per step.
    """
    lam_min, lam_max = curvatures(surface)[[0, -1]]
    root_kappa = np.sqrt(lam_max / lam_min)
    lr = float(4 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2)
    beta = float(((root_kappa - 1) / (root_kappa + 1)) ** 2)
    return {"lr": lr, "beta": beta, "rate": float(np.sqrt(beta)),
            "steps": steps_to(Momentum(lr, beta, form="sum"), surface, steps=5000)}


# --- the cold start, in both forms, and PyTorch's dampening ---------------------------------


class DampenedState(NamedTuple):
    t: int
    v: np.ndarray  # PyTorch's momentum buffer


@dataclass(frozen=True, eq=False)
class DampenedMomentum:
    r"""PyTorch's ``SGD(lr=α, momentum=β, dampening=τ)``, as ``torch.optim.sgd`` computes it.

    The first step sets the buffer to the gradient, undamped: :math:`v_1 = g_1`; after that
    :math:`v_t = \beta v_{t-1} + (1-\tau) g_t`; and :math:`x_t = x_{t-1} - \alpha v_t`.  With τ = 0
    (PyTorch's default) this is the sum form, whose :math:`v_1 = \beta\cdot 0 + g_1` is the same.
    With τ = β it is *not* the lecture form: its :math:`v_1 = g_1`, not :math:`(1-\beta) g_1`; it is
    the lecture form started from :math:`v_0 = g_1`, which has no cold start at all.
    """

    lr: float
    beta: float
    dampening: float = 0.0

    def __post_init__(self):
        for name in ("lr", "beta", "dampening"):
            value = getattr(self, name)
            if not math.isfinite(value) or (value <= 0 if name == "lr" else not 0 <= value <= 1):
                allowed = "a finite number > 0" if name == "lr" else "in [0, 1]"
                raise ValueError(f"{name} must be {allowed}; got {name}={value!r}.")

    def init(self, x0) -> DampenedState:
        return DampenedState(t=0, v=np.zeros_like(np.asarray(x0, dtype=float)))

    def step(self, x, g, state: DampenedState) -> tuple[np.ndarray, DampenedState]:
        x, g = np.asarray(x, dtype=float), np.asarray(g, dtype=float)
        if state.t == 0:
            v = g.copy()  # torch: buf = grad.clone() on the first step, no (1 − τ)
        else:
            v = self.beta * state.v + (1 - self.dampening) * g  # v_t = β v_{t−1} + (1 − τ) g_t
        return x - self.lr * v, DampenedState(t=state.t + 1, v=v)


def _step_lengths(opt, steps: int, g: float = 1.0) -> np.ndarray:
    """|x_t − x_{t−1}| for t = 1..steps under the constant gradient g (f(x) = g·x, one coordinate)."""
    path = run(opt, lambda x: np.full_like(x, g), np.zeros(1), steps)[:, 0]
    return np.abs(np.diff(path))


def cold_start_table(betas=(0.5, 0.9, 0.99), lr: float = 0.1, at: tuple = (1, 10)) -> list[dict]:
    r"""Momentum's ramp-up from :math:`v_0 = 0` under a constant gradient, in each convention.

    For each β and each step t in ``at``: the step's length as a fraction of that form's
    steady step (:math:`\alpha g` in the lecture form, :math:`\alpha g/(1-\beta)` in the sum form,
    :math:`\alpha g` for PyTorch's ``dampening=β``), and as a multiple of gradient descent's
    :math:`\alpha g`.  Both forms ramp up the same way, :math:`1-\beta^t` of their steady step; the
    dampened one does not ramp at all.
    """
    rows = []
    horizon = max(at)
    for beta in betas:
        forms = {"lecture": (Momentum(lr, beta, form="ewma"), lr),
                 "sum": (Momentum(lr, beta, form="sum"), lr / (1 - beta)),
                 "dampened": (DampenedMomentum(lr, beta, dampening=beta), lr)}
        row = {"beta": beta, "ramp": {t: 1 - beta**t for t in at}}
        for name, (opt, steady) in forms.items():
            lengths = _step_lengths(opt, horizon)
            row[name] = {t: float(lengths[t - 1] / steady) for t in at}
            row[f"{name} vs GD"] = {t: float(lengths[t - 1] / lr) for t in at}
        rows.append(row)
    return rows


def dampening_check(lr: float = 0.3, beta: float = 0.9, steps: int = 100, surface: Surface = SURFACE) -> dict:
    """How far PyTorch's ``SGD(momentum=β, dampening=β)`` is from the lecture form, and what it is instead.

    ``lecture``: the largest path difference from the lecture form at the same α (v_0 = 0);
    ``from_g1``: from the lecture form started at v_0 = g_1, by hand (rounding error).
    """
    damped = run(DampenedMomentum(lr, beta, dampening=beta), surface.grad, surface.start, steps)
    lecture = run(Momentum(lr, beta, form="ewma"), surface.grad, surface.start, steps)
    x = surface.start.copy()
    v = surface.grad(x)  # v_0 = g_1
    path = [x]
    for _ in range(steps):
        v = beta * v + (1 - beta) * surface.grad(x)  # the lecture form's update
        x = x - lr * v
        path.append(x)
    return {"lecture": float(np.abs(damped - lecture).max()), "from_g1": float(np.abs(damped - np.array(path)).max())}


# --- Nesterov: the summary table's row, the playground's defaults ---------------------------


def nesterov_row_paths(lr: float = NESTEROV_DEFAULTS["lr"], beta: float = NESTEROV_DEFAULTS["beta"],
                       steps: int = 100, surface: Surface = SURFACE) -> dict[str, np.ndarray]:
    r"""The summary table's Nesterov row, run two ways.

    The row: :math:`v_t = \beta v_{t-1} + g_t`, :math:`x_t = x_{t-1} - \alpha(g_t + \beta v_t)`.

    ``"row"``: :math:`g_t = \nabla f(x_{t-1})`, at the stored parameters, which already are the
    look-ahead points (PyTorch's form; equal to ``helpers``' Nesterov).  ``"second look-ahead"``:
    :math:`g_t = \nabla f(x_{t-1} - \alpha\beta v_{t-1})`, a look-ahead taken again from a point that
    is already one: a different, wrong method.
    """
    paths = {}
    for name in ("row", "second look-ahead"):
        x, v = surface.start.copy(), np.zeros_like(surface.start)
        path = [x]
        with np.errstate(all="ignore"):
            for _ in range(steps):
                g = surface.grad(x if name == "row" else x - lr * beta * v)
                v = beta * v + g  # v_t = β v_{t−1} + g_t
                x = x - lr * (g + beta * v)  # x_t = x_{t−1} − α (g_t + β v_t)
                path.append(x)
        paths[name] = np.array(path)
    return paths


def overshoot_table(lr: float = NESTEROV_DEFAULTS["lr"], beta: float = NESTEROV_DEFAULTS["beta"],
                    surface: Surface = SURFACE, after: int = 10) -> dict[str, dict[str, float]]:
    """GD, heavy ball and Nesterov at (lr, beta): steps to converge, their highest b and when, and the ringing.

    ``top``/``top_step``: the largest b (across the valley: the start is at b = −2, the floor at 0);
    ``ringing``: the largest |b| from step ``after`` on, the swing still left.
    """
    optimizers = {"GD": SGD(lr), "momentum": Momentum(lr, beta, form="sum"), "Nesterov": Nesterov(lr, beta)}
    table = {}
    for name, opt in optimizers.items():
        b = run(opt, surface.grad, surface.start, MAP_STEPS)[:, 1]
        table[name] = {"steps": steps_to(opt, surface, steps=5000), "top": float(b.max()),
                       "top_step": int(np.argmax(b)), "ringing": float(np.abs(b[after:]).max())}
    return table


def surface_rates(lr: float, beta: float, contenders: dict[str, Callable[[float, float], object]] | None = None,
                  steps: int = 100) -> dict[str, dict]:
    """For each surface: what the quadratic's α does there, and what ``SURFACE_LRS``' α does.

    Per surface: ``lr`` (the rate it starts with), ``at_default`` (each contender's divergence
    step at ``lr``, None if it does not diverge) and ``at_own`` (f − f* after ``steps`` steps at
    the surface's own rate, or "diverged at step k").
    """
    contenders = contenders or {"GD": lambda a, b: SGD(a), "momentum": lambda a, b: Momentum(a, b, form="sum"),
                                "Nesterov": lambda a, b: Nesterov(a, b)}
    table = {}
    for name, factory in SURFACES.items():
        surface = factory()
        own = SURFACE_LRS.get(name, lr)
        at_default, at_own = {}, {}
        for c, make in contenders.items():
            at_default[c] = divergence_step(surface, run(make(lr, beta), surface.grad, surface.start, steps))
            path = run(make(own, beta), surface.grad, surface.start, steps)
            k = divergence_step(surface, path)
            at_own[c] = f"diverged at step {k}" if k is not None else float(surface.f(path[-1]) - surface.f_min)
        table[name] = {"lr": own, "at_default": at_default, "at_own": at_own}
    return table


def averaging_ratios(surface: Surface = SURFACE, lr: float | None = None, beta: float = 0.9,
                     steps: int = 40) -> dict[str, float]:
    """For ``averaging_figure``: mean |EWMA of g| / mean |g| over the steps, per coordinate (by name).

    Near 0: the average cancels the gradient (it flips sign); near 1: the average keeps it.
    """
    lr = gd_rates(surface)["just below"] if lr is None else lr
    g = surface.grad(run(SGD(lr), surface.grad, surface.start, steps)[:-1])
    names = surface.axis_names
    return {name: float(np.mean(np.abs(ewma(g[:, k], beta))) / np.mean(np.abs(g[:, k])))
            for k, name in enumerate(names)}


def start_comparison(lr: float = VELOCITY_DEFAULTS["lr"], beta: float = VELOCITY_DEFAULTS["beta"],
                     surface: Surface = SURFACE, steps: int = 5000) -> dict[str, dict[str, float]]:
    """Steps to converge from each of the playground's starts: GD and momentum (sum form) at (lr, beta)."""
    return {name: {"GD": steps_to(SGD(lr), surface, x0, steps),
                   "Momentum": steps_to(Momentum(lr, beta, form="sum"), surface, x0, steps)}
            for name, x0 in _starts(surface).items()}


def rosenbrock_comparison(lr: float = 1e-3, betas=(0.9, 0.95), steps: int = 100) -> dict[str, float]:
    """f after ``steps`` steps on Rosenbrock's valley from its start: GD, then momentum (sum form) at each β."""
    surface = SURFACES["Rosenbrock"]()
    runs = {"GD": SGD(lr), **{f"momentum, β = {b:g}": Momentum(lr, b, form="sum") for b in betas}}
    return {name: float(surface.f(run(opt, surface.grad, surface.start, steps)[-1])) for name, opt in runs.items()}


def boundary_check(form: str = "sum", steps: int = MAP_STEPS) -> dict[str, int]:
    """How the map agrees with the theoretical boundary: cells beyond it that converged (should be 0), and counts."""
    lrs, betas = map_grid()
    grid = steps_map(form, steps)
    beyond = lrs[None, :] >= momentum_limit(curvatures(SURFACE)[-1], betas, form)[:, None]
    converged = np.isfinite(grid)
    return {"cells": int(grid.size), "beyond": int(beyond.sum()), "converged": int(converged.sum()),
            "beyond and converged": int((beyond & converged).sum())}


def map_grid() -> tuple[np.ndarray, np.ndarray]:
    """The map's axes: learning rates (log-spaced) and βs, each including every slider position."""
    lo, hi, step = MAP_LOG_LR
    log_lrs = np.linspace(lo, hi, round((hi - lo) / step) + 1)
    lo, hi, step = MAP_BETA
    betas = np.linspace(lo, hi, round((hi - lo) / step) + 1)
    return 10**log_lrs, betas


@functools.lru_cache(maxsize=4)
def _steps_map(form: str, steps: int) -> np.ndarray:
    lrs, betas = map_grid()
    beta, lr = np.meshgrid(betas, lrs, indexing="ij")  # rows: β, columns: α
    x0 = np.broadcast_to(SURFACE.start, (*lr.shape, 2))
    grid = steps_to_stay(Momentum(lr[..., None], beta[..., None], form=form),  # one call, the whole grid
                         SURFACE.grad, x0, SURFACE.minimum, steps, tol=TOL)
    grid.setflags(write=False)
    return grid


def steps_map(form: str = "sum", steps: int = MAP_STEPS) -> np.ndarray:
    """Steps after which momentum stays within TOL, at every (β, α) of ``map_grid()`` (rows β, columns α).

    One batched run (``steps_to_stay``); inf where a run does not settle within TOL in
    ``steps`` steps (too slow, or diverged).
    Computed once per (form, steps) and cached; the array is read-only.
    """
    return _steps_map(form, steps)


def best_on_map(form: str = "sum", steps: int = MAP_STEPS) -> dict[str, float]:
    """The fastest cell of the map: its α, β and steps."""
    grid = steps_map(form, steps)
    lrs, betas = map_grid()
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    return {"lr": float(lrs[j]), "beta": float(betas[i]), "steps": float(grid[i, j])}


def beta_row(beta: float, form: str = "sum", steps: int = MAP_STEPS) -> dict[str, float]:
    """The map's row for one β: its fastest cell, the median over the cells that settle, and the first arrival.

    ``first`` and ``first_lr``: the earliest first arrival within TOL along the row (what
    the map counted before it counted staying), ``first_stays``: when that run stays.
    """
    grid = steps_map(form, steps)
    lrs, betas = map_grid()
    row = grid[int(np.argmin(np.abs(betas - beta)))]
    beta = float(betas[int(np.argmin(np.abs(betas - beta)))])
    x0 = np.broadcast_to(SURFACE.start, (len(lrs), 2))
    first = steps_to_converge(Momentum(lrs[:, None], beta, form=form), SURFACE.grad, x0, SURFACE.minimum, steps,
                              tol=TOL)
    j, k = int(np.argmin(row)), int(np.argmin(first))
    settled = row[np.isfinite(row)]
    return {"beta": beta, "fastest": float(row[j]), "lr": float(lrs[j]),
            "median": float(np.median(settled)) if settled.size else float("inf"),
            "first": float(first[k]), "first_lr": float(lrs[k]), "first_stays": float(row[k])}


def map_lookup(lr: float, beta: float, form: str = "sum", steps: int = MAP_STEPS) -> float:
    """The map's value at the grid point nearest (lr, beta) (exactly a grid point for any slider position)."""
    lrs, betas = map_grid()
    j = int(np.argmin(np.abs(np.log10(lrs) - np.log10(lr))))
    i = int(np.argmin(np.abs(betas - beta)))
    return float(steps_map(form, steps)[i, j])


def lookahead_step(lr: float, beta: float, x, v, grad: Callable = SURFACE.grad) -> dict[str, np.ndarray]:
    r"""One step from the same state (x, v) (sum-form velocity v), as Polyak's and as Nesterov's look-ahead.

    Polyak (heavy ball): :math:`x' = x - \alpha\beta v - \alpha\nabla f(x)`.
    Nesterov (Sutskever et al.'s form): first the momentum part to the look-ahead point
    :math:`\tilde x = x - \alpha\beta v`, then the gradient measured *there*:
    :math:`x' = \tilde x - \alpha\nabla f(\tilde x)`.
    """
    x, v = np.asarray(x, dtype=float), np.asarray(v, dtype=float)
    ahead = x - lr * beta * v  # x̃ = x − αβv
    return {"x": x, "ahead": ahead,
            "polyak": ahead - lr * grad(x),  # gradient at x
            "nesterov": ahead - lr * grad(ahead)}  # gradient at x̃


# --- static figures -----------------------------------------------------------------


def gd_figure(surface: Surface = SURFACE, steps: int = 100):
    """Gradient descent at a tiny α, just below 2/λ_max and just above it: paths and loss per step."""
    fig = new_figure(11, 4.2)
    ax_path, ax_loss = fig.subplots(1, 2, width_ratios=[1.15, 1])
    draw_surface(ax_path, surface)
    colours = [OKABE_ITO["bluish green"], OKABE_ITO["black"], OKABE_ITO["vermillion"]]
    lines = ["-", "--", ":"]
    for (lr, r), colour, ls in zip(gd_runs(surface, steps).items(), colours, lines, strict=True):
        label = f"GD, α = {lr:.3g}" + ("" if r["diverged"] is None else f": diverged at step {r['diverged']}")
        shown = clip_path(r["path"], surface.xlim, surface.ylim)
        ax_path.plot(shown[:, 0], shown[:, 1], color=colour, linestyle=ls, marker="o", markersize=3,
                     linewidth=1.5, label=label, zorder=4)
        gap = loss_gap(surface, r["path"])
        ax_loss.plot(np.arange(len(gap)), gap, color=colour, linestyle=ls, linewidth=1.8, label=label)
    ax_path.set_title(f"Gradient descent on {surface.name}", fontsize=10)
    ax_path.legend(loc="upper right", fontsize=10, framealpha=0.9)
    loss_axis(ax_loss)
    ax_loss.legend(loc="lower left", fontsize=10, framealpha=0.9)
    return fig


def averaging_figure(surface: Surface = SURFACE, lr: float | None = None, beta: float = 0.9, steps: int = 40):
    r"""The gradients gradient descent sees just below its limit, per coordinate, and their EWMA.

    Across the valley (b) the gradient flips sign every step: its average is nearly 0.
    Along it (w) the gradient keeps its sign: its average keeps it.
    """
    lr = gd_rates(surface)["just below"] if lr is None else lr
    path = run(SGD(lr), surface.grad, surface.start, steps)
    g = surface.grad(path[:-1])  # g_t = ∇f(x_{t-1}), t = 1..steps
    t = np.arange(1, steps + 1)
    names = surface.axis_names
    fig = new_figure(11, 3.6)
    axes = fig.subplots(1, 2)
    for ax, k, name, what in zip(axes, (1, 0), names[::-1], ("steep: the sign flips", "shallow: the sign holds"),
                                 strict=True):
        ax.plot(t, g[:, k], label=f"gradient g along {name}", **GRADIENT_STYLE)
        ax.plot(t, ewma(g[:, k], beta), label=f"its EWMA v (β = {beta:g})", **DATA_STYLE["average"])
        ax.axhline(0, color=OKABE_ITO["black"], linewidth=0.6)
        ax.set_xlabel("step t")
        ax.set_ylabel(f"∂f/∂{name}")
        ax.set_title(f"along {name} ({what})", fontsize=10)
        ax.legend(loc="best", fontsize=10, framealpha=0.9)
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"The gradients of gradient descent at α = {lr:.3g}, and their average", fontsize=11)
    return fig


def lookahead_figure(lr: float = 0.3, beta: float = 0.9, surface: Surface = SURFACE):
    """One step from the same state, Polyak's against Nesterov's: where each one measures the gradient."""
    tr = trace(Momentum(lr, beta, form="sum"), surface.grad, surface.start, 1)
    step = lookahead_step(lr, beta, tr.path[1], tr.states[1].v, surface.grad)
    points = np.array([step["x"], step["ahead"], step["polyak"], step["nesterov"]])
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = 0.25 * (hi - lo)
    xlim, ylim = (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])
    X, Y = np.meshgrid(np.linspace(*xlim, 120), np.linspace(*ylim, 120))
    Z = surface.f(np.stack([X, Y], axis=-1))

    fig = new_figure(11, 4.2)
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    arrow = {"arrowstyle": "-|>", "linewidth": 1.8, "shrinkA": 0, "shrinkB": 0}
    titles = {"polyak": "Polyak (heavy ball): gradient measured at x",
              "nesterov": "Nesterov: gradient measured at the look-ahead x̃"}
    for ax, name in zip(axes, ("polyak", "nesterov"), strict=True):
        ax.contour(X, Y, Z, levels=12, cmap="Greys_r", linewidths=0.7, alpha=0.8)
        ax.axhline(surface.minimum[1], color=OKABE_ITO["yellow"], linewidth=2, label="valley floor (b = 0)")
        measured = step["x"] if name == "polyak" else step["ahead"]
        ax.annotate("", xy=step["ahead"], xytext=step["x"],
                    arrowprops={**arrow, "color": OKABE_ITO["blue"], "linestyle": "-"})
        ax.annotate("", xy=step[name], xytext=step["ahead"],
                    arrowprops={**arrow, "color": OKABE_ITO["vermillion"]})
        ax.plot([], [], color=OKABE_ITO["blue"], label="momentum part −αβv")
        ax.plot([], [], color=OKABE_ITO["vermillion"], label="gradient part −α∇f")
        ax.plot(*measured, marker="X", markersize=12, color=OKABE_ITO["vermillion"], linestyle="none",
                label="gradient measured here", zorder=5)
        ax.plot(*step["x"], marker="o", color=OKABE_ITO["black"], linestyle="none", label="x (now)", zorder=6)
        look = style("Momentum" if name == "polyak" else "Nesterov")
        ax.plot(*step[name], **{**look, "markersize": 8}, zorder=6,
                label="next x, heavy ball" if name == "polyak" else "next x, Nesterov")
        ax.set_title(titles[name], fontsize=10)
        ax.set_xlabel("w (shallow direction)")
    handles, labels = axes[0].get_legend_handles_labels()
    handles.append(axes[1].get_legend_handles_labels()[0][-1])  # Nesterov's next x
    labels.append("next x, Nesterov")
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=10, framealpha=0.9)  # off the arrows
    axes[0].set_ylabel("b (steep direction)")
    axes[0].set_xlim(*xlim)
    axes[0].set_ylim(*ylim)
    fig.suptitle(f"One step from the same x and v (α = {lr:g}, β = {beta:g}, sum form), zoomed in", fontsize=11)
    return fig


# --- the playgrounds ------------------------------------------------------------------


def _starts(surface: Surface) -> dict[str, np.ndarray]:
    """Start points: on the lesson's surface, three that teach something; elsewhere the surface's own."""
    if surface.name != SURFACE.name:
        return {"default start": surface.start}
    return {
        "(−5, −2): both directions": surface.start,
        "(−5, 0): along the valley only": np.array([-5.0, 0.0]),
        "(0, −2.5): across the valley only": np.array([0.0, -2.5]),
    }


def _describe(params: dict) -> str:
    return f"α = {params['lr']:.2g}, β = {params['beta']:.2f}"


class VelocityPanel:
    """Momentum's velocity v_k per step, one small axis per component, with the gradient g_k (dotted).

    The panel's axis is split in two (along w above, across b below), so that the small, steady
    w-component is not flattened by the large, sign-flipping b-component.
    """

    COLOURS = (OKABE_ITO["bluish green"], OKABE_ITO["orange"])

    def __init__(self, contender: str = "Momentum"):
        self.contender = contender
        self._names = None

    def setup(self, ax) -> None:
        spec = ax.get_subplotspec().subgridspec(2, 1)
        fig = ax.figure
        ax.remove()  # replaced by one axis per component
        self.axes = [fig.add_subplot(spec[0]), fig.add_subplot(spec[1])]
        self.axes[0].sharex(self.axes[1])
        self.axes[0].tick_params(labelbottom=False)
        self.v_lines, self.g_lines = [], []
        for sub, colour in zip(self.axes, self.COLOURS, strict=True):
            (v,) = sub.plot([], [], color=colour, linewidth=2)
            (g,) = sub.plot([], [], color=colour, linewidth=1, linestyle=":")
            self.v_lines.append(v)
            self.g_lines.append(g)
            sub.axhline(0, color=OKABE_ITO["black"], linewidth=0.6)
            sub.grid(True, alpha=0.3)
            numbers = ScalarFormatter()
            numbers.set_powerlimits((-3, 3))  # 1e4 goes to the offset label: tick labels keep their width
            sub.yaxis.set_major_formatter(numbers)
            sub.yaxis.get_offset_text().set_fontsize(9)
        self.axes[1].set_xlabel("step k")

    @staticmethod
    def _view_end(v: np.ndarray, g: np.ndarray, last: int) -> int:
        """Where the action ends: a few steps after v and g have settled below 1 % of their peak (≥ 20 steps)."""
        with np.errstate(invalid="ignore"):
            size = np.abs(v[1:]).max(axis=1)
            size = np.maximum(size[: len(g)], np.abs(g).max(axis=1)) if len(g) else size
            size = np.where(np.isfinite(size), size, np.inf)
        if not size.size:
            return last
        active = np.flatnonzero(size > 0.01 * size.max()) if np.isfinite(size.max()) else np.arange(len(size))
        end = int(active[-1]) + 1 if active.size else 0
        return int(min(last, max(20, round(1.2 * end) + 2)))

    def update(self, ax, traces, surface: Surface, params: dict) -> None:
        tr = traces[self.contender]
        k_div = divergence_step(surface, tr.path)
        v = tr.history("v")  # v_0 = 0, v_1, …
        with np.errstate(all="ignore"):
            g = surface.grad(tr.path[:-1])  # g_k = ∇f(x_{k-1}), k = 1..
        end = len(v) if k_div is None else k_div + 1
        v, g = v[:end], g[: end - 1]
        names = surface.axis_names
        relabel, self._names = names != self._names, names
        for i, (sub, name) in enumerate(zip(self.axes, names, strict=True)):
            self.v_lines[i].set_data(np.arange(len(v)), v[:, i])
            self.g_lines[i].set_data(np.arange(1, len(g) + 1), g[:, i])
            if relabel:  # a legend costs a few ms: rebuild it only when the names change
                self.v_lines[i].set_label(f"v along {name}")
                self.g_lines[i].set_label(f"g along {name}")
                sub.set_ylabel(f"along {name}")
                sub.legend(loc="upper right", fontsize=10, framealpha=0.9, ncols=2)
            shown = np.concatenate([v[:, i], g[:, i]])
            shown = shown[np.isfinite(shown)]
            top = float(np.abs(shown).max()) if shown.size else 1.0
            top = nice_ceiling(min(max(top, 1e-12), 1e300) * 1.05)  # moves in jumps: its ticks stay while dragging
            sub.set_ylim(-top, top)
        last = len(tr.path) - 1
        self.axes[1].set_xlim(0, min(last, nice_ceiling(self._view_end(v, g, last))))
        form = params.get("form", "sum (PyTorch)")
        ending = "" if k_div is None else f", diverged at step {k_div}"
        self.axes[0].set_title(f"velocity v (solid), gradient g (dotted)\n{form}{ending}", fontsize=10)


class _Playground(Playground):
    """The shared playground, with its legends at 10 pt: readable when projected in class."""

    legend_fontsize = 10


def _surface_defaults(lr: float) -> dict[str, dict[str, float]]:
    """The α each surface starts with in a playground: the lesson's on its own surface, SURFACE_LRS elsewhere."""
    return {name: {"lr": SURFACE_LRS.get(name, lr)} for name in SURFACES}


def _momentum(params: dict) -> Momentum:
    return Momentum(params["lr"], params["beta"], form=FORMS[params.get("form", "sum (PyTorch)")])


def velocity_playground() -> Playground:
    """GD against momentum (either form), with momentum's velocity per step in a third panel."""
    return _Playground(
        contenders=[Contender("GD", lambda p: SGD(p["lr"])), Contender("Momentum", _momentum)],
        controls={"lr": lr_slider(VELOCITY_DEFAULTS["lr"], -4, 0.3),
                  "beta": beta_slider(VELOCITY_DEFAULTS["beta"], 0.0, 0.99, 0.01, "β (momentum)"),
                  "form": dropdown(FORMS, "sum (PyTorch)", "velocity form")},
        surfaces={name: factory() for name, factory in SURFACES.items()},
        starts=_starts,
        steps=100,
        panel=VelocityPanel(),
        describe=_describe,
        width=13.0,
        surface_defaults=_surface_defaults(VELOCITY_DEFAULTS["lr"]),
    )


def nesterov_playground() -> Playground:
    """GD, momentum and Nesterov (both momenta in PyTorch's sum form) on the same sliders."""
    return _Playground(
        contenders=[Contender("GD", lambda p: SGD(p["lr"])),
                    Contender("Momentum", lambda p: Momentum(p["lr"], p["beta"], form="sum")),
                    Contender("Nesterov", lambda p: Nesterov(p["lr"], p["beta"]))],
        controls={"lr": lr_slider(NESTEROV_DEFAULTS["lr"], -4, 0.3),
                  "beta": beta_slider(NESTEROV_DEFAULTS["beta"], 0.0, 0.99, 0.01, "β (momentum)")},
        surfaces={name: factory() for name, factory in SURFACES.items()},
        starts=_starts,
        steps=100,
        describe=_describe,
        surface_defaults=_surface_defaults(NESTEROV_DEFAULTS["lr"]),
    )


class MapPanel:
    """Steps to converge over the (α, β) grid (computed once), the stability boundary, and the sliders' point."""

    def __init__(self, form: str = "sum", steps: int = MAP_STEPS):
        self.form, self.steps = form, steps
        self.grid = steps_map(form, steps)
        self.lrs, self.betas = map_grid()

    def setup(self, ax) -> None:
        log_lrs = np.log10(self.lrs)
        dx, dy = (log_lrs[1] - log_lrs[0]) / 2, (self.betas[1] - self.betas[0]) / 2
        cmap = colormaps["viridis_r"].with_extremes(bad="#d9d9d9")
        finite = self.grid[np.isfinite(self.grid)]
        self.image = ax.imshow(np.ma.masked_invalid(self.grid), origin="lower", aspect="auto", cmap=cmap,
                               norm=LogNorm(max(float(finite.min()), 1.0), self.steps), interpolation="nearest",
                               extent=(log_lrs[0] - dx, log_lrs[-1] + dx, self.betas[0] - dy, self.betas[-1] + dy))
        colourbar = ax.figure.colorbar(self.image, ax=ax, pad=0.02)
        colourbar.ax.yaxis.set_minor_locator(NullLocator())  # unlabelled minor ticks cost render time
        colourbar.set_label(f"steps until ‖x − x*‖ stays ≤ {TOL_TEXT} (grey: not within {self.steps})")
        lam_max = curvatures(SURFACE)[-1]
        boundary = momentum_limit(lam_max, self.betas, self.form)
        inside = boundary <= self.lrs[-1]
        ax.plot(np.log10(boundary[inside]), self.betas[inside], color=OKABE_ITO["vermillion"], linewidth=2,
                label=r"$\alpha\lambda_{max} = 2(1+\beta)$" if self.form == "sum"
                else r"$\alpha(1-\beta)\lambda_{max} = 2(1+\beta)$")
        (self.marker,) = ax.plot([], [], marker="o", markersize=10, markerfacecolor="none", markeredgewidth=2,
                                 color=OKABE_ITO["black"], linestyle="none", label="the sliders' (α, β)")
        ticks = [0.01, 0.03, 0.1, 0.3, 1.0]
        ax.set_xticks(np.log10(ticks), [f"{t:g}" for t in ticks])
        ax.set_xlabel(f"learning rate α (log scale, {self.form} form)")
        ax.set_ylabel("β (momentum)")
        ax.legend(loc="lower left", fontsize=10, framealpha=0.9)

    def update(self, ax, traces, surface: Surface, params: dict) -> None:
        lr, beta = params["lr"], params["beta"]
        self.marker.set_data([np.log10(lr)], [beta])
        n = map_lookup(lr, beta, self.form, self.steps)
        verdict = f"{n:.0f} steps" if np.isfinite(n) else f"not within {self.steps} steps"
        ax.set_title(f"momentum's steps to settle within {TOL_TEXT} (at the circle: {verdict})", fontsize=10)


def map_playground() -> Playground:
    """GD and momentum (sum form) on the lesson's surface, beside the (α, β) map with the sliders' point."""
    lo, hi, _ = MAP_LOG_LR
    return _Playground(
        contenders=[Contender("GD", lambda p: SGD(p["lr"])),
                    Contender("Momentum", lambda p: Momentum(p["lr"], p["beta"], form="sum"))],
        controls={"lr": lr_slider(MAP_DEFAULTS["lr"], lo, hi),
                  "beta": beta_slider(MAP_DEFAULTS["beta"], MAP_BETA[0], MAP_BETA[1], 0.01, "β (momentum)")},
        surfaces={"elongated quadratic": SURFACE},
        steps=100,
        panel=MapPanel(),
        describe=_describe,
        width=14.0,
    )


#: Every interactive figure in the notebook, by name: factories (tests and the benchmark build them).
WIDGETS: dict[str, Callable[[], LiveFigure]] = {
    "velocity": velocity_playground,
    "nesterov": nesterov_playground,
    "map": map_playground,
}


# --- the exercise ------------------------------------------------------------------------

EXERCISE = {"lr": 0.3, "beta": 0.8, "steps": 8}


def _run_step(step: Callable, lr: float, beta: float, steps: int, surface: Surface = SURFACE):
    """x_1..x_steps and v_1..v_steps from ``step(x, v, g, lr, beta) -> (x, v)`` on ``surface``."""
    x, v = surface.start.copy(), np.zeros(2)
    xs, vs = [], []
    for _ in range(steps):
        x, v = step(x.copy(), v.copy(), surface.grad(x), lr, beta)
        x, v = np.asarray(x, dtype=float), np.asarray(v, dtype=float)
        xs.append(x)
        vs.append(v)
    return np.array(xs), np.array(vs)


# The slips a learner is likely to make, as step functions (sum form expected).
_SLIPS = {
    "your values match the lecture form v = βv + (1 − β)g. PyTorch's form adds the whole gradient: "
    "v = βv + g (the two differ only by a factor (1 − β) on the learning rate).":
        lambda x, v, g, lr, beta: (x - lr * (beta * v + (1 - beta) * g), beta * v + (1 - beta) * g),
    "your x moves with the previous velocity: update v first, then step x with the new v.":
        lambda x, v, g, lr, beta: (x - lr * v, beta * v + g),
    "your x moves along the gradient alone (plain gradient descent): step with the velocity, x − αv.":
        lambda x, v, g, lr, beta: (x - lr * g, beta * v + g),
    "your x moves uphill: the step is x − αv (minus), not x + αv.":
        lambda x, v, g, lr, beta: (x + lr * (beta * v + g), beta * v + g),
    "β multiplies the gradient instead of the old velocity: v = βv + g, not v + βg.":
        lambda x, v, g, lr, beta: (x - lr * (v + beta * g), v + beta * g),
    "your function returns (v, x): return the new position first, (x, v).":
        lambda x, v, g, lr, beta: (beta * v + g, x - lr * (beta * v + g)),
    "your values match Nesterov's step x − α(g + βv) (section 6, PyTorch's nesterov=True). Plain momentum steps "
    "along the velocity alone: x − αv.":
        lambda x, v, g, lr, beta: (x - lr * (g + beta * (beta * v + g)), beta * v + g),
    f"your values match β = 0.9 typed in; the check runs β = {EXERCISE['beta']:g}: use the beta argument.":
        lambda x, v, g, lr, beta: (x - lr * (0.9 * v + g), 0.9 * v + g),
}


def exercise_setup() -> str:
    """What the check runs, in the notebook's names, so that an expected x_t can be recomputed by hand."""
    lr, beta, steps = EXERCISE["lr"], EXERCISE["beta"], EXERCISE["steps"]
    return (f"α = {lr:g}, β = {beta:g}, {steps} steps on f(w, b) = 0.1 w² + 2 b² from x_0 = (−5, −2) "
            "with v_0 = (0, 0), "
            "each step given g = surface.grad(x) at the current x")


def _learner_run(momentum_step: Callable, lr: float, beta: float, steps: int, setup: str) -> LearnerRun | Feedback:
    """The learner's step run from the surface's start, v_0 = 0 (``run_learner``: each result checked first)."""
    name = getattr(momentum_step, "__name__", "<lambda>")
    name = "momentum_step" if name == "<lambda>" else name
    return run_learner(momentum_step, SURFACE.start, lambda x, t: SURFACE.grad(x), steps,
                       lambda x, g, state, t: (x, *state, g, lr, beta), ("x", "v"), name=name, setup=setup)


#: Velocities that carry the learning rate inside: the same x path for a fixed α, another convention for v.
_CONVENTIONS = {
    1.0: "v = βv + αg, then x = x − v (the form PyTorch's documentation ascribes to Sutskever et al. and other "
         "frameworks: the learning rate lives inside v, so your v is α times PyTorch's)",
    -1.0: "v = βv − αg, then x = x + v (Sutskever et al.'s own signs, and CS231n's: v is the step itself, so your v "
          "is −α times PyTorch's)",
}


def check_momentum_step(momentum_step: Callable) -> Feedback:
    """Check the learner's ``momentum_step(x, v, g, lr, beta) -> (x, v)`` (sum form) against ``Momentum(form="sum")``.

    Runs 8 steps on the lesson's surface from its start (α = 0.3, β = 0.8) and names
    the first step that differs, with the slip the values match, if any, and the setup.
    The exercise compares x: a step with the learning rate inside the velocity
    (``v = βv + αg; x −= v``, or CS231n's ``v = βv − αg; x += v``) gives PyTorch's x path
    exactly for a fixed α, so it passes, and the feedback names its convention for v.
    """
    lr, beta, steps = EXERCISE["lr"], EXERCISE["beta"], EXERCISE["steps"]
    setup = exercise_setup()
    learner = _learner_run(momentum_step, lr, beta, steps, setup)
    if isinstance(learner, Feedback):
        return learner
    xs, (vs,) = learner.xs, learner.states
    tr = trace(Momentum(lr, beta, form="sum"), SURFACE.grad, SURFACE.start, steps)
    expected_x, expected_v = tr.path[1:], tr.history("v")[1:]
    mistakes = {}
    with np.errstate(all="ignore"):
        for hint, slip in _SLIPS.items():
            mistakes[hint] = _run_step(slip, lr, beta, steps)[0]
        feedback = compare(xs, expected_x, symbol="x", mistakes=mistakes, setup=setup)
    if not feedback.passed and not np.any(vs):  # v never left v_0 = 0: the next step never saw a velocity
        first, second, *_ = feedback.message.splitlines()
        return Feedback(False, f"{first}\n{second}\n  Hint: the v your function returns is still (0, 0) at every "
                               "step, so each step starts again from v = 0 (gradient descent). Return the new "
                               "velocity v_t = β·v_{t−1} + g_t as the second value: the next step receives it as v.")
    if not feedback.passed:
        return feedback
    passed = (f"✓ Correct: all {steps} steps of x match helpers.optimizers.Momentum(form=\"sum\") "
              f"(α = {lr:g}, β = {beta:g}), i.e. PyTorch's SGD(momentum=β).")
    for sign, convention in _CONVENTIONS.items():
        if np.allclose(vs, sign * lr * expected_v, rtol=1e-9, atol=1e-12):
            return Feedback(True, f"{passed}\n  Your v follows another convention: {convention}. With a fixed α it is "
                                  "the same optimizer, which is why x matches. The forms part only when α changes "
                                  "during training (a schedule): PyTorch's v = βv + g rescales the whole next step at "
                                  "once, a v with α inside rescales only the new gradients.")
    feedback = compare(vs, expected_v, symbol="v", setup=setup)
    if not feedback.passed:
        first, *_ = feedback.message.splitlines()
        return Feedback(False, first.replace("✗ Not yet.", "✗ Not yet: x is right but v is not.", 1) + f"\n  The check "
                        f"used: {setup}.\n  Hint: every x is right, so each step moved along the right velocity; "
                        "return that same v_t = β·v_{t−1} + g_t as the second value.")
    return Feedback(True, f"{passed} Your v matches too.")
