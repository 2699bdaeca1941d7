r"""Lesson 08 · When Adam fails, and what the fixes change.

What the notebook ``08_when_adam_fails.ipynb`` shows and prints comes from here:

1. Reddi, Kale & Kumar's counterexample (ICLR 2018).  Online linear losses on F = [−1, 1],

   .. math::
       f_t(x) = c_t\,x, \qquad c_t = C \text{ when } t \bmod 3 = 1, \text{ else } -1 \quad (C > 2),

   run through ``helpers.optimizers.run`` with ``schedule=InverseSqrtLR()`` (α_t = α/√t),
   ``project=project`` (Π_F) and ``online=True`` (``counterexample_path``); the average regret
   (``average_regret``); the per-period drift that decides where Adam ends (``stationary_v``,
   ``drift``, ``failure_boundary``); the whole (C, β₂) map, computed in one vectorized run per
   optimizer (``outcome_grid``); the live ``CounterexampleExplorer``; the exercise check
   ``check_prediction``.
2. The three AMSGrads on a quiet spell (``quiet_spell``, ``amsgrad_steps``, ``denominators``),
   which one is torch's (``torch_amsgrad_deviation``), and the exercise check ``check_amsgrad_step``.
3. L2 against decoupled weight decay on a noisy 2-D problem (``decay_problem``, ``decay_runs``,
   ``decay_table``), the paper's form of AdamW (``AdamWPaper``) and the live ``DecayExplorer``.
4. Warm-up: the spread of v̂_t (``vhat_spread``), of the first steps (``step_spread``), RAdam's
   ρ_t and r_t (``rectification_table``), and the live ``WarmupExplorer``.

Symbols as in the course: α the learning rate, λ a curvature (so weight decay is λ_wd), m and v
Adam's first and second moments.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.ticker import FuncFormatter, NullLocator

from helpers import _checks
from helpers.averages import ewma
from helpers.optimizers import (
    SGD,
    Adam,
    AdamState,
    AdamW,
    AMSGrad,
    RAdam,
    radam_rectification,
    radam_rho,
    run,
    trace,
)
from helpers.plotting import OKABE_ITO, new_figure, nice_ceiling, style
from helpers.schedules import InverseSqrtLR, LinearLR
from helpers.stochastic import NoisyGradient
from helpers.surfaces import Surface, beale, elongated_quadratic, rosenbrock
from lessons.adam import TORCH_FIXTURE
from lessons.checks import Feedback, LearnerRun, attempt, compare, describe_value, run_learner
from lessons.widgets import SLIDER_LAYOUT, SLIDER_STYLE, LiveFigure, beta_slider, lr_slider, toggle, update_legend

__all__ = [
    # 1. the counterexample
    "SETUP",
    "coefficient",
    "linear_losses",
    "project",
    "paper_beta2",
    "counterexample_optimizers",
    "counterexample_path",
    "average_regret",
    "regret_limit",
    "counterexample_table",
    "stationary_v",
    "drift",
    "amsgrad_drift",
    "failure_boundary",
    "last_period",
    "OutcomeGrid",
    "outcome_grid",
    "map_summary",
    "memory_figure",
    "CounterexampleExplorer",
    "PREDICTION_PAIRS",
    "adam_ends",
    "check_prediction",
    "torch_counterexample",
    "paper_experiment",
    # 2. three AMSGrads
    "quiet_spell",
    "amsgrad_steps",
    "denominators",
    "torch_amsgrad_deviation",
    "amsgrad_forms_figure",
    "AMSGRAD_CHECK",
    "check_amsgrad_step",
    # 3. L2 is not weight decay
    "DECAY",
    "decay_problem",
    "decay_runs",
    "decay_contenders",
    "decay_gradient",
    "decay_table",
    "AdamWPaper",
    "adamw_forms_difference",
    "decay_ends_by_lr",
    "decay_end_spread",
    "DECAY_WD_EXPONENTS",
    "DECAY_LR_EXPONENTS",
    "DecayGrid",
    "decay_grid",
    "decay_ends",
    "DecayExplorer",
    # 4. warm-up
    "WARMUP",
    "noisy_gradient",
    "vhat_spread",
    "vhat_spread_formula",
    "warmup_steps",
    "warmup_contenders",
    "warmup_runs",
    "step_spread",
    "rectification_table",
    "WarmupExplorer",
    "WIDGETS",
]


# =====================================================================================
# 1. Reddi, Kale & Kumar's counterexample
# =====================================================================================

#: The counterexample as the notebook runs it: the paper's problem and β₁ = 0, β₂ = 1/(1 + C²),
#: α_t = α/√t, with our α, number of steps T and start x₀ (the paper's proof starts at x₁ = 1).
SETUP = {"C": 3.0, "lr": 0.5, "steps": 1800, "x0": 0.0}


def coefficient(C, t):
    r"""The slope of the step-t loss, :math:`c_t = C` when t mod 3 = 1, else −1 (:math:`f_t(x) = c_t x`).

    ``C`` may be an array (many problems at once) broadcasting against ``t``.
    """
    return np.where(np.asarray(t) % 3 == 1, C, -1.0)


def linear_losses(C) -> Callable:
    r"""The online gradient :math:`\nabla f_t(x) = c_t` as ``grad(x, t)``, for ``run(..., online=True)``.

    The losses are linear, so the gradient is the same at every x.  ``C`` may be an array
    broadcasting against x: one call then serves a whole grid of problems.
    """

    def grad(x, t):
        return coefficient(C, t) + np.zeros_like(x)  # ∇f_t(x) = c_t, shaped like x

    return grad


def project(x) -> np.ndarray:
    r""":math:`\Pi_F(x)`, the nearest point of F = [−1, 1] (in 1-D, Reddi et al.'s weighted projection is this)."""
    return np.clip(x, -1.0, 1.0)


def paper_beta2(C):
    r"""The paper's choice :math:`\beta_2 = 1/(1 + C^2)`."""
    return 1.0 / (1.0 + np.asarray(C, dtype=float) ** 2)


def counterexample_optimizers(C: float = SETUP["C"], beta2=None, lr: float = SETUP["lr"]) -> dict:
    """The contenders of the counterexample, all with β₁ = 0 (``beta2`` defaults to the paper's 1/(1 + C²)).

    ``"Adam"`` is ``helpers.optimizers.Adam`` (PyTorch's: bias-corrected, ε = 1e-8);
    ``"Adam (paper's form)"`` is the paper's: no bias correction and no ε.
    """
    beta2 = paper_beta2(C) if beta2 is None else beta2
    return {
        "SGD": SGD(lr),
        "Adam": Adam(lr, beta1=0.0, beta2=beta2),
        "Adam (paper's form)": Adam(lr, beta1=0.0, beta2=beta2, eps=0.0, bias_correction=False),
        "AMSGrad": AMSGrad(lr, beta1=0.0, beta2=beta2),
    }


def counterexample_path(opt, C=SETUP["C"], steps: int = SETUP["steps"], x0=SETUP["x0"]) -> np.ndarray:
    """The path x_0..x_T of ``opt`` on the counterexample: α_t = opt.lr/√t, projected onto [−1, 1] after each step.

    ``path[k]`` is the point after k steps; it is the point the paper calls x_{k+1}, the one
    at which f_{k+1} is evaluated.
    """
    return run(opt, linear_losses(C), np.asarray(x0, dtype=float), steps, schedule=InverseSqrtLR(),
               project=project, online=True)


def average_regret(path, C=SETUP["C"], at=None) -> np.ndarray:
    r"""The average regret :math:`R_t/t` for t = 1..T (or only at the steps ``at``), from a path x_0..x_T.

    :math:`R_t = \sum_{s=1}^t f_s(x_{s-1}) - \min_{x\in F}\sum_{s=1}^t f_s(x)` (path index; the paper
    writes :math:`f_s(x_s)`).  The losses are linear, so the best fixed point gives
    :math:`\min_{x\in[-1,1]} x\sum_s c_s = -|\sum_s c_s|`: here x = −1, since every partial sum is ≥ C − 2 > 0.
    The leading axis of ``path`` is the step; other axes are independent runs (``C`` broadcasts against them).
    ``at`` (increasing step numbers ≥ 1) sums the losses block by block instead of keeping every
    partial sum: the same numbers, far less memory for a whole grid of runs.
    """
    path = np.asarray(path, dtype=float)
    steps = len(path) - 1
    shape = (1,) * (path.ndim - 1)
    t = np.arange(1, steps + 1).reshape((steps,) + shape)
    c = coefficient(C, t)
    best = -np.abs(np.cumsum(c, axis=0))  # min over F of Σ_s f_s(x), for every t (cheap: no run axes)
    if at is None:
        played = np.cumsum(c * path[:-1], axis=0)  # Σ_s f_s(x_{s−1})
        return (played - best) / t
    at = np.asarray(at, dtype=int)
    blocks = np.add.reduceat(c * path[:-1], np.concatenate([[0], at[:-1]]), axis=0)  # Σ over t_{k−1} < s ≤ t_k
    played = np.cumsum(blocks, axis=0)
    return (played - best[at - 1]) / at.reshape((len(at),) + shape)


def regret_limit(C=SETUP["C"]):
    r"""The average regret of sitting at x = +1 for good: :math:`2(C-2)/3` (loss C − 2 per period, best −(C − 2))."""
    return 2 * (np.asarray(C, dtype=float) - 2) / 3


def counterexample_table(C: float = SETUP["C"], beta2=None, lr: float = SETUP["lr"], steps: int = SETUP["steps"],
                         x0: float = SETUP["x0"]) -> dict[str, dict]:
    """Per contender: the final x_T, R_T/T, and the path (from ``counterexample_path``)."""
    table = {}
    for name, opt in counterexample_optimizers(C, beta2, lr).items():
        path = counterexample_path(opt, C, steps, x0)
        table[name] = {"x": float(path[-1]), "regret": float(average_regret(path, C)[-1]), "path": path}
    return table


# --- why: the per-period drift --------------------------------------------------------------


def stationary_v(C, beta2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Adam's second moment after each step of a period, once the start is forgotten.

    The squared gradients repeat C², 1, 1, so :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2` settles
    on a cycle (bias correction has gone to 1):

    .. math::
        v_C = \frac{(1-\beta_2)(C^2 + \beta_2 + \beta_2^2)}{1-\beta_2^3}, \quad
        v_1 = \frac{(1-\beta_2)(1 + \beta_2 C^2 + \beta_2^2)}{1-\beta_2^3}, \quad
        v_2 = \frac{(1-\beta_2)(1 + \beta_2 + \beta_2^2 C^2)}{1-\beta_2^3}

    after the C-step and after the first and second −1 steps.  ``C`` and ``beta2`` may be arrays.
    """
    C = np.asarray(C, dtype=float)
    b = np.asarray(beta2, dtype=float)
    scale = (1 - b) / (1 - b**3)
    v_C = scale * (C**2 + b + b**2)  # the newest weight on C²
    v_1 = scale * (1 + b * C**2 + b**2)  # C² one step old
    v_2 = scale * (1 + b + b**2 * C**2)  # C² two steps old
    return v_C, v_1, v_2


def drift(C, beta2) -> np.ndarray:
    r"""Adam's net move over one period once v has settled, in units of α_t (β₁ = 0, ε = 0).

    :math:`\Delta = -C/\sqrt{v_C} + 1/\sqrt{v_1} + 1/\sqrt{v_2}`: the C-step down, two −1 steps up.
    Δ > 0: x climbs to +1 (Adam fails); Δ < 0: it falls to −1.  α_t shrinks so slowly
    (:math:`\sum_t \alpha_t = \infty`) that the sign of Δ decides which end x reaches.
    """
    v_C, v_1, v_2 = stationary_v(C, beta2)
    return -np.asarray(C, dtype=float) / np.sqrt(v_C) + 1 / np.sqrt(v_1) + 1 / np.sqrt(v_2)


def amsgrad_drift(C, beta2) -> np.ndarray:
    r"""AMSGrad's net move over one period once v has settled: :math:`(2 - C)/\sqrt{v_C}` in units of α_t.

    Its denominator is the largest v seen, :math:`v_C`, the same for all three steps, so it
    moves like SGD scaled by :math:`1/\sqrt{v_C}`: down whenever C > 2.
    """
    v_C, _, _ = stationary_v(C, beta2)
    return (2 - np.asarray(C, dtype=float)) / np.sqrt(v_C)


def failure_boundary(C) -> np.ndarray:
    r"""For each C > 2, the β₂ at which the drift changes sign: Adam fails (ends at +1) for β₂ below it.

    Bisection on β₂ ∈ (0, 1): Δ(C, 0) = 1 > 0 and Δ → (2 − C)/√((C² + 2)/3) < 0 as β₂ → 1.
    """
    C = np.asarray(C, dtype=float)
    low, high = np.zeros_like(C), np.full_like(C, 1 - 1e-9)
    for _ in range(60):
        middle = (low + high) / 2
        up = drift(C, middle) > 0
        low, high = np.where(up, middle, low), np.where(up, high, middle)
    return (low + high) / 2


def last_period(name: str = "Adam", C: float = SETUP["C"], beta2=None, lr: float = SETUP["lr"],
                steps: int = SETUP["steps"], x0: float = SETUP["x0"]) -> dict:
    """The last full period of a run (steps T − 2, T − 1, T, T a multiple of 3), read off ``helpers``' trace.

    Returns the gradients g, the denominators the optimizer divided by (√v̂_t + ε for Adam,
    √(v_max/(1 − β₂ᵗ)) + ε for AMSGrad), each step in units of α_t, and their sum (the drift).
    """
    opt = counterexample_optimizers(C, beta2, lr)[name]
    tr = trace(opt, linear_losses(C), np.asarray(x0, dtype=float), steps, schedule=InverseSqrtLR(),
               project=project, online=True)
    t = np.arange(steps - 2, steps + 1)
    g = coefficient(C, t)
    b2 = opt.beta2
    key = "v_max" if name == "AMSGrad" else "v"
    v = np.array([getattr(tr.states[k], key)[()] for k in t])
    v_hat = v / (1 - b2**t) if getattr(opt, "bias_correction", True) else v
    denominator = np.sqrt(v_hat) + opt.eps
    move = -g / denominator  # the step x_t − x_{t−1} in units of α_t (before projection)
    return {"t": t, "g": g, "denominator": denominator, "move": move, "drift": float(move.sum())}


# --- the (C, β₂) map: every problem at once ------------------------------------------------

#: The map's grid, which is also the explorer's slider grid: C = 2.2 … 10, β₂ = 0 … 0.98.
GRID_C = np.round(np.arange(2.2, 10.0 + 1e-9, 0.2), 10)
GRID_BETA2 = np.round(np.arange(0.0, 0.98 + 1e-9, 0.02), 10)

#: The contenders the map and the explorer run (the four of ``counterexample_optimizers``).
CONTENDERS = ("SGD", "Adam", "Adam (paper's form)", "AMSGrad")


@dataclass(frozen=True, eq=False)
class OutcomeGrid:
    """Runs of every contender on every (C, β₂) of the grid, kept at the start of each period.

    ``x[name]`` and ``regret[name]`` have shape ``(len(t), len(beta2), len(C))``: the point
    x_t and the average regret R_t/t at the steps ``t`` (multiples of 3, log-spaced, ending at T).
    ``final[name]`` is x_T on the grid.
    """

    C: np.ndarray
    beta2: np.ndarray
    t: np.ndarray
    x: dict
    regret: dict
    lr: float
    steps: int
    x0: float

    def final(self, name: str) -> np.ndarray:
        return self.x[name][-1]

    def index(self, C: float, beta2: float) -> tuple[int, int]:
        """The grid cell nearest to (C, β₂): (row of β₂, column of C)."""
        return int(np.argmin(np.abs(self.beta2 - beta2))), int(np.argmin(np.abs(self.C - C)))


def _period_starts(steps: int, n: int = 150) -> np.ndarray:
    """About ``n`` log-spaced multiples of 3 from 3 to ``steps`` (the start of a period)."""
    periods = np.unique(np.round(np.geomspace(1, steps // 3, n)).astype(int))
    return 3 * periods


@functools.lru_cache(maxsize=2)
def outcome_grid(lr: float = SETUP["lr"], steps: int = SETUP["steps"], x0: float = SETUP["x0"]) -> OutcomeGrid:
    """Every contender on the whole (C, β₂) grid: one vectorized ``run`` per contender.

    The hyperparameters are arrays that broadcast against x: β₂ has shape (n_β₂, 1), C shape
    (1, n_C) and x₀ shape (n_β₂, n_C), so each grid cell is its own problem and optimizer.  SGD
    does not read β₂: it runs once per C.  Cached: the notebook, the explorer and the
    exercise share one computation (about a second).
    """
    C = GRID_C[None, :]
    beta2 = GRID_BETA2[:, None]
    t = _period_starts(steps)
    xs, regrets = {}, {}
    for name in CONTENDERS:
        opt = counterexample_optimizers(C, beta2, lr)[name]
        rows = 1 if name == "SGD" else len(GRID_BETA2)
        path = counterexample_path(opt, C, steps, np.full((rows, len(GRID_C)), float(x0)))
        shape = (len(t), len(GRID_BETA2), len(GRID_C))
        xs[name] = np.broadcast_to(path[t], shape).copy()
        regrets[name] = np.broadcast_to(average_regret(path, C, at=t), shape).copy()
    return OutcomeGrid(C=GRID_C.copy(), beta2=GRID_BETA2.copy(), t=t, x=xs, regret=regrets, lr=lr, steps=steps,
                       x0=x0)


def map_summary(grid: OutcomeGrid | None = None) -> dict:
    """What the map shows, in numbers: where Adam ends against the sign of the drift.

    ``up``/``down``: cells whose x_T > 0.9 or < −0.9; ``undecided``: the rest;
    ``against_theory``: decided cells on the other side of Δ = 0 from their end;
    ``undecided_drift``: the largest |Δ| among undecided cells; ``forms_differ``: cells where
    the helper's Adam and the paper's form end on different sides of 0; ``amsgrad_up``: cells
    where AMSGrad ends above −0.9.
    """
    grid = grid or outcome_grid()
    end = grid.final("Adam")
    paper = grid.final("Adam (paper's form)")
    delta = drift(grid.C[None, :], grid.beta2[:, None])
    up, down = end > 0.9, end < -0.9
    undecided = ~up & ~down
    return {
        "cells": end.size,
        "up": int(up.sum()),
        "down": int(down.sum()),
        "undecided": int(undecided.sum()),
        "against_theory": int(((up & (delta < 0)) | (down & (delta > 0))).sum()),
        "undecided_drift": float(np.abs(delta[undecided]).max()) if undecided.any() else 0.0,
        "forms_differ": int((np.sign(end) != np.sign(paper)).sum()),
        "forms_differ_decided": int(((np.sign(end) != np.sign(paper)) & ~undecided).sum()),
        "amsgrad_up": int((grid.final("AMSGrad") > -0.9).sum()),
        "sgd_up": int((grid.final("SGD") > -0.9).sum()),
    }


# --- figures of the counterexample ------------------------------------------------------------


def _denominators(name: str, C: float, beta2, lr: float, steps: int, x0: float) -> np.ndarray:
    """What the optimizer divided each gradient by, steps 1..``steps`` (√v̂_t + ε; AMSGrad: its running max)."""
    opt = counterexample_optimizers(C, beta2, lr)[name]
    tr = trace(opt, linear_losses(C), np.asarray(x0, dtype=float), steps, schedule=InverseSqrtLR(),
               project=project, online=True)
    t = np.arange(1, steps + 1)
    v = tr.history("v_max" if name == "AMSGrad" else "v")[1:]
    return np.sqrt(v / (1 - opt.beta2**t)) + opt.eps


def memory_figure(C: float = SETUP["C"], beta2=None, steps: int = 15):
    """The first periods: |g_t|, what Adam and AMSGrad divide it by, and the step that results (in units of α_t)."""
    beta2 = float(paper_beta2(C)) if beta2 is None else beta2
    t = np.arange(1, steps + 1)
    g = coefficient(C, t)
    fig = new_figure(12, 4)
    left, right = fig.subplots(1, 2)
    left.plot(t, np.abs(g), linestyle="none", marker="o", color=OKABE_ITO["black"], label="|g_t|: C or 1")
    steps_of = {}
    for name in ("Adam", "AMSGrad"):
        denominator = _denominators(name, C, beta2, SETUP["lr"], steps, SETUP["x0"])
        label = r"Adam: $\sqrt{\hat v_t}$" if name == "Adam" else r"AMSGrad: $\sqrt{v^{max}_t/(1-\beta_2^t)}$"
        left.plot(t, denominator, label=label, **_look(name))
        steps_of[name] = -g / denominator
    left.set_xlabel("step t")
    left.set_ylabel("size (gradient units)")
    left.set_title(f"what each gradient is divided by (C = {C:g}, β₂ = {beta2:.2f})")
    left.set_ylim(0.5, 4.6)
    left.legend(loc="upper center", ncol=3, fontsize=10, framealpha=0.9)
    width = 0.38
    for shift, name in ((-width / 2, "Adam"), (width / 2, "AMSGrad")):
        look = STYLE_BARS[name]
        right.bar(t + shift, steps_of[name], width=width, label=name, **look)
    right.axhline(0, color=OKABE_ITO["black"], linewidth=0.6)
    right.set_xlabel("step t")
    right.set_ylabel(r"step ÷ $\alpha_t$ = $-g_t$ / denominator")
    right.set_title("the C-step down, the two −1 steps up")
    right.set_ylim(-1.3, 1.6)
    right.legend(loc="upper center", ncol=2, fontsize=10, framealpha=0.9)
    return fig


def _look(name: str, markevery: int | float | None = None) -> dict:
    """Line style for a contender: ``helpers.plotting``'s (SGD is its "GD"), plus this lesson's own for Adam + L2."""
    own = {"Adam + L2": {"color": OKABE_ITO["orange"], "linestyle": "--", "marker": "v", "linewidth": 1.8,
                         "markersize": 4},
           "RAdam": {"color": OKABE_ITO["bluish green"], "linestyle": "-.", "marker": "^", "linewidth": 1.8,
                     "markersize": 4},
           "Adam + warm-up": {"color": OKABE_ITO["blue"], "linestyle": "--", "marker": "s", "linewidth": 1.8,
                              "markersize": 4}}
    if name in own:
        look = dict(own[name])
        if markevery is not None:
            look["markevery"] = markevery
        return look
    return style({"SGD": "GD", "AdamW (PyTorch)": "AdamW"}.get(name, name), markevery=markevery)


#: Tick labels as plain numbers (1, 10, 100, 1000): cheaper to render than mathtext's 10^k.
_PLAIN = FuncFormatter(lambda value, _: f"{value:g}")


#: Bar looks that match the line styles (colour plus hatching, so they differ without colour too).
STYLE_BARS = {
    "SGD": {"color": OKABE_ITO["black"], "alpha": 0.6, "hatch": ""},
    "Adam": {"color": OKABE_ITO["vermillion"], "alpha": 0.85, "hatch": ""},
    "AMSGrad": {"color": OKABE_ITO["reddish purple"], "alpha": 0.85, "hatch": "//"},
    "Adam + L2": {"color": OKABE_ITO["orange"], "alpha": 0.85, "hatch": ".."},
    "AdamW": {"color": OKABE_ITO["reddish purple"], "alpha": 0.85, "hatch": "//"},
}


class CounterexampleExplorer(LiveFigure):
    """The counterexample for any (C, β₂) of the map's grid: x_t, R_t/t, and where Adam ends over the whole grid.

    Every run comes from ``outcome_grid`` (computed once), so moving a slider only picks another
    cell.  The check box shows the paper's form of Adam (no bias correction, ε = 0) instead of
    ``helpers.optimizers.Adam``.
    """

    SHOWN = ("SGD", "Adam", "AMSGrad")

    def __init__(self, C: float = SETUP["C"], beta2: float = 0.1):
        self.grid = outcome_grid()
        fig = new_figure(14, 4.3)
        self.ax_x, self.ax_regret, self.ax_map = fig.subplots(1, 3, width_ratios=[1, 1, 1.15])
        self.x_lines, self.regret_lines = {}, {}
        for name in self.SHOWN:
            look = _look(name, markevery=12)
            (self.x_lines[name],) = self.ax_x.plot([], [], label=name, **look)
            (self.regret_lines[name],) = self.ax_regret.plot([], [], label=name, **dict(look, marker=None))
        for ax in (self.ax_x, self.ax_regret):
            ax.set_xscale("log")
            ax.set_xlim(self.grid.t[0], self.grid.t[-1])
            ax.xaxis.set_minor_locator(NullLocator())
            ax.xaxis.set_major_formatter(_PLAIN)  # plain text renders faster than 10^k
            ax.set_xlabel("step t (log scale)")
            ax.grid(True, alpha=0.3)
        for end in (-1, 1):
            self.ax_x.axhline(end, color=OKABE_ITO["black"], linewidth=0.6, alpha=0.5)
        self.ax_x.set_ylim(-1.12, 1.12)
        self.ax_x.set_yticks([-1, -0.5, 0, 0.5, 1])  # fewer labels: text is most of what a redraw costs
        self.ax_x.set_ylabel("x_t (at the start of a period)")
        (self.limit_line,) = self.ax_regret.plot([], [], color=OKABE_ITO["vermillion"], linestyle=":", linewidth=1.5,
                                                 label="stuck at +1: 2(C − 2)/3")
        self.ax_regret.axhline(0, color=OKABE_ITO["black"], linewidth=0.6)
        self.ax_regret.set_ylabel("average regret R_t / t")
        self.ax_regret.set_title("average regret: → 0 means as good as x = −1", fontsize=10)
        edges_C = np.append(self.grid.C - 0.1, self.grid.C[-1] + 0.1)
        edges_b = np.append(self.grid.beta2 - 0.01, self.grid.beta2[-1] + 0.01)
        # an image, not a mesh of 2,000 quadrilaterals: it renders in a fraction of the time
        self.mesh_source = "Adam"
        self.mesh = self.ax_map.imshow(self.grid.final("Adam"), cmap="PuOr_r", norm=Normalize(-1, 1), origin="lower",
                                       extent=(edges_C[0], edges_C[-1], edges_b[0], edges_b[-1]), aspect="auto",
                                       interpolation="nearest")
        fig.colorbar(self.mesh, ax=self.ax_map, label="Adam's x_T (−1 best, +1 worst)", ticks=[-1, -0.5, 0, 0.5, 1])
        C_line = np.linspace(self.grid.C[0], self.grid.C[-1], 200)
        self.ax_map.plot(C_line, failure_boundary(C_line), color=OKABE_ITO["black"], linewidth=1.8,
                         label="drift Δ = 0 (theory)")
        self.ax_map.plot(C_line, paper_beta2(C_line), color=OKABE_ITO["black"], linestyle="--", linewidth=1.2,
                         label="the paper's β₂ = 1/(1 + C²)")
        (self.marker,) = self.ax_map.plot([], [], marker="o", markersize=10, markerfacecolor="none",
                                          markeredgecolor=OKABE_ITO["black"], markeredgewidth=2, linestyle="none",
                                          label="the run on the left")
        self.ax_map.set_xlim(edges_C[0], edges_C[-1])
        self.ax_map.set_ylim(edges_b[0], edges_b[-1])
        self.ax_map.set_xlabel("C (the rare large gradient)")
        self.ax_map.set_ylabel("β₂")
        self.ax_map.legend(loc="upper right", fontsize=10, framealpha=0.9)
        controls = {
            "C": widgets.FloatSlider(value=C, min=float(self.grid.C[0]), max=float(self.grid.C[-1]), step=0.2,
                                     description="C (rare large gradient)", readout_format=".1f",
                                     style=SLIDER_STYLE, layout=SLIDER_LAYOUT),
            "beta2": beta_slider(beta2, min=0.0, max=float(self.grid.beta2[-1]), step=0.02,
                                 description="β₂ (memory of g²)"),
            "paper": toggle(False, "Adam as in the paper (no bias correction, ε = 0)"),
        }
        super().__init__(fig, controls)

    def adam_name(self, params: dict) -> str:
        return "Adam (paper's form)" if params["paper"] else "Adam"

    def draw(self, params: dict) -> None:
        row, column = self.grid.index(params["C"], params["beta2"])
        C, beta2 = self.grid.C[column], self.grid.beta2[row]
        t = self.grid.t
        for name in self.SHOWN:
            source = self.adam_name(params) if name == "Adam" else name
            x = self.grid.x[source][:, row, column]
            regret = self.grid.regret[source][:, row, column]
            label = f"{source}: x_T = {x[-1]:+.3f}"
            self.x_lines[name].set_data(t, x)
            self.x_lines[name].set_label(label)
            self.regret_lines[name].set_data(t, regret)
            self.regret_lines[name].set_label(f"{source}: R_T/T = {regret[-1]:.3f}")
        limit = float(regret_limit(C))
        self.limit_line.set_data([t[0], t[-1]], [limit, limit])
        shown = np.concatenate([self.grid.regret[n][:, row, column] for n in CONTENDERS])
        top = nice_ceiling(max(float(shown.max()), limit) * 1.05)  # in jumps: the ticks stay while a slider moves
        self.ax_regret.set_ylim(min(0.0, float(shown.min())) - 0.05 * top, top)
        update_legend(self.ax_x, loc="center right", fontsize=10, framealpha=0.9)  # (new numbers: set in place)
        update_legend(self.ax_regret, loc="upper right", fontsize=10, framealpha=0.9)
        self.ax_x.set_title(f"C = {C:.1f}, β₂ = {beta2:.2f} (paper's: {float(paper_beta2(C)):.3f}), "
                            f"α_t = {self.grid.lr:g}/√t, x₀ = {self.grid.x0:g}", fontsize=10)
        if self.mesh_source != self.adam_name(params):  # the map changes only with the check box
            self.mesh_source = self.adam_name(params)
            self.mesh.set_data(self.grid.final(self.mesh_source))
        self.marker.set_data([C], [beta2])
        which = "the paper's form of Adam" if params["paper"] else "Adam (helpers, = PyTorch)"
        self.ax_map.set_title(f"where {which} ends after {self.grid.steps:,} steps", fontsize=10)


# --- exercise: predict where Adam ends --------------------------------------------------------

#: The (C, β₂) pairs the prediction exercise asks about; the first is the paper's own.
PREDICTION_PAIRS = ((3.0, 0.1), (3.0, 0.3), (3.0, 0.8), (6.0, 0.1), (6.0, 0.35))


def adam_ends(pairs=PREDICTION_PAIRS, lr: float = SETUP["lr"], steps: int = SETUP["steps"],
              x0: float = SETUP["x0"]) -> np.ndarray:
    """x_T of ``helpers.optimizers.Adam`` (β₁ = 0) on the counterexample for each (C, β₂): one vectorized run."""
    C, beta2 = (np.array(column, dtype=float) for column in zip(*pairs, strict=True))
    opt = Adam(lr, beta1=0.0, beta2=beta2)
    return counterexample_path(opt, C, steps, np.full(len(C), float(x0)))[-1]


def _sign_rule(rule: Callable) -> np.ndarray:
    return np.array([1.0 if rule(C, b) > 0 else -1.0 for C, b in PREDICTION_PAIRS])


def _no_root_drift(C, beta2):
    v_C, v_1, v_2 = stationary_v(C, beta2)
    return -C / v_C + 1 / v_1 + 1 / v_2


#: Wrong ways to predict, the +1/−1 each gives on ``PREDICTION_PAIRS``, and what to say.
_PREDICTION_SLIPS = {
    "all -1": (lambda C, b: -1.0,
               "you predicted −1, the best point, everywhere: that is the belief this lesson breaks. With a short "
               "memory (small β₂) v forgets C² within a step or two, and the two −1 steps outweigh the C-step."),
    "all +1": (lambda C, b: 1.0,
               "you predicted +1 everywhere: Adam does not always fail. With β₂ close to 1, v remembers C² "
               "through the whole period, all three steps are divided by about the same √v, and x goes down "
               "like SGD's."),
    "flipped": (lambda C, b: -drift(C, b),
                "your predictions are exactly backwards. The C-step moves x down by C/√v_C·α_t and each −1 step "
                "moves it up by 1/√v·α_t: a positive net move (drift Δ > 0) carries x up to +1."),
    "edge fixed": (_no_root_drift,
                   "your only miss is C = 6, β₂ = 0.35: the edge is not one fixed β₂ (such as 0.5). It moves down as C "
                   "grows, {edges}: a larger C needs less memory to win. (A drift computed with v in place of √v "
                   "gives these same answers: Adam divides by √v̂, so the steps are −C/√v_C, +1/√v_1 and +1/√v_2.)"),
    "paper curve": (lambda C, b: 1.0 if b <= 1 / (1 + C**2) else -1.0,
                    "you predicted +1 only on or below the paper's β₂ = 1/(1 + C²): the paper shows that one value "
                    "fails, not that it is the edge. The edge is where the drift Δ changes sign, well above it "
                    "(β₂ ≈ 0.47 for C = 3)."),
}


def _used(setup: str) -> str:
    """The line a message ends with: what the check ran (as ``lessons.checks`` says it)."""
    return f"\n  The check used: {setup}."


def _prediction_setup() -> str:
    return (f"Adam with α_t = {SETUP['lr']:g}/√t, β₁ = 0, ε = 1e-8, bias correction on, projected onto [−1, 1], "
            f"{SETUP['steps']:,} steps from x₀ = {SETUP['x0']:g}")


def check_prediction(predict_end: Callable) -> Feedback:
    """Check the learner's ``predict_end(C, beta2)`` (+1 or −1) against Adam's actual end on ``PREDICTION_PAIRS``.

    Runs ``helpers.optimizers.Adam`` on each pair (see ``_prediction_setup``), lists the
    pairs, and if the answers follow a known wrong rule, names it; otherwise explains the
    first wrong pair with its three step sizes.
    """
    name = getattr(predict_end, "__name__", "predict_end")
    answers = []
    for C, beta2 in PREDICTION_PAIRS:
        result, problem = attempt(predict_end, C, beta2, name=name,
                                  setup=f"predict_end(C, beta2) for (C, β₂) in {PREDICTION_PAIRS}")
        if problem is not None:
            return problem
        if isinstance(result, (bool, np.bool_)):
            return Feedback(False, f"✗ {name}({C:g}, {beta2:g}) returned {result}: return a number, +1 (Adam ends at "
                                   "x = +1, the worst point) or −1 (it ends at x = −1, the best), not True or False."
                                   + _used(_prediction_setup()))
        try:
            value = float(result)
        except (TypeError, ValueError):
            return Feedback(False, f"✗ {name}({C:g}, {beta2:g}) returned {describe_value(result)}: return +1 (Adam "
                                   "ends at x = +1) or −1 (it ends at x = −1)." + _used(_prediction_setup()))
        if value not in (1.0, -1.0):
            return Feedback(False, f"✗ {name}({C:g}, {beta2:g}) returned {value:g}: return +1 or −1, the end x "
                                   "reaches (not where it is after some steps)." + _used(_prediction_setup()))
        answers.append(value)
    answers = np.array(answers)
    ends = adam_ends()
    truth = np.sign(ends)
    lines = [f"{_prediction_setup()}:"]
    for (C, beta2), answer, end in zip(PREDICTION_PAIRS, answers, ends, strict=True):
        mark = "✓" if answer == np.sign(end) else "✗"
        lines.append(f"  {mark} C = {C:g}, β₂ = {beta2:g}: you said {answer:+.0f}; Adam ends at x_T = {end:+.3f} "
                     f"(drift Δ = {float(drift(C, beta2)):+.3f} α_t per period)")
    if np.array_equal(answers, truth):
        return Feedback(True, "✓ Correct: all five predictions match the runs.\n" + "\n".join(lines))
    k = int(np.argmax(answers != truth))
    C, beta2 = PREDICTION_PAIRS[k]
    v_C, v_1, v_2 = (float(np.sqrt(v)) for v in stationary_v(C, beta2))
    why = (f"\n  At C = {C:g}, β₂ = {beta2:g}, once v has settled the gradient is divided by √v_C = {v_C:.3f} on the "
           f"C-step and by √v_1 = {v_1:.3f} and √v_2 = {v_2:.3f} on the −1 steps: the steps are −{C / v_C:.3f}, "
           f"+{1 / v_1:.3f} and +{1 / v_2:.3f} (units of α_t), net {float(drift(C, beta2)):+.3f} per period.")
    edges = ", ".join(f"β₂ ≈ {float(failure_boundary(c)):.2f} at C = {c:g}" for c in (3.0, 6.0))
    for rule, hint in _PREDICTION_SLIPS.values():
        if np.array_equal(answers, _sign_rule(rule)):
            return Feedback(False, "✗ Not yet.\n" + "\n".join(lines) + f"\n  Hint: {hint.format(edges=edges)}" + why)
    return Feedback(False, "✗ Not yet.\n" + "\n".join(lines) + why)


# =====================================================================================
# 2. Three AMSGrads
# =====================================================================================

#: The three forms of AMSGrad and plain Adam, by the name the notebook prints.
AMSGRAD_VARIANTS = {
    "Adam": lambda **h: Adam(**h),
    "AMSGrad, PyTorch (default)": lambda **h: AMSGrad(**h, form="pytorch"),
    "AMSGrad, optax": lambda **h: AMSGrad(**h, form="optax"),
    "AMSGrad, paper": lambda **h: AMSGrad(**h, form="paper"),
}


def quiet_spell(loud: int = 10, quiet: int = 989, small: float = 1e-3) -> np.ndarray:
    """A gradient stream with a quiet spell: ``loud`` steps of g = 1, ``quiet`` of g = ``small``, then g = 1 once."""
    return np.concatenate([np.ones(loud), np.full(quiet, small), np.ones(1)])


def _stream(g: np.ndarray) -> Callable:
    """``grad(x, t)`` returning the recorded g_t (for ``run(..., online=True)``): a gradient that ignores x."""
    g = np.asarray(g, dtype=float)
    return lambda x, t: g[t - 1] + np.zeros_like(x)


@functools.lru_cache(maxsize=4)
def _quiet_spell_traces(beta1: float, beta2: float, eps: float) -> dict:
    """Each variant's trace on ``quiet_spell()`` with α = 1 (cached: the printout and the figure share it)."""
    g = quiet_spell()
    return {name: trace(make(lr=1.0, beta1=beta1, beta2=beta2, eps=eps), _stream(g), np.zeros(1), len(g), online=True)
            for name, make in AMSGRAD_VARIANTS.items()}


def _traces(g, beta1: float, beta2: float, eps: float) -> dict:
    if g is None:
        return _quiet_spell_traces(beta1, beta2, eps)
    g = np.asarray(g, dtype=float)
    return {name: trace(make(lr=1.0, beta1=beta1, beta2=beta2, eps=eps), _stream(g), np.zeros(1), len(g), online=True)
            for name, make in AMSGRAD_VARIANTS.items()}


def amsgrad_steps(g=None, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> dict[str, np.ndarray]:
    """Each variant's steps on the stream ``g`` (default ``quiet_spell()``), in units of α: (x_{t−1} − x_t)/α."""
    return {name: -np.diff(tr.path[:, 0]) for name, tr in _traces(g, beta1, beta2, eps).items()}


def denominators(g=None, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> dict[str, np.ndarray]:
    r"""What each variant divides m̂ (the paper: m) by at every step, ε aside, read from ``helpers``' states.

    Adam :math:`\sqrt{\hat v_t}`; PyTorch :math:`\sqrt{v^{max}_t/(1-\beta_2^t)}`; optax :math:`\sqrt{\hat v^{max}_t}`;
    paper :math:`\sqrt{v^{max}_t}`.  The effective learning rate is α over it (times m̂ or m).
    """
    result = {}
    for name, tr in _traces(g, beta1, beta2, eps).items():
        v = tr.history("v" if name == "Adam" else "v_max")[1:, 0]
        t = np.arange(1, len(v) + 1)
        corrected = name in ("Adam", "AMSGrad, PyTorch (default)")  # these two divide by 1 − β₂ᵗ at every step
        result[name] = np.sqrt(v / (1 - beta2**t) if corrected else v)
    return result


def _fixture_gradient(problem: str, fixture: dict) -> Callable:
    if problem == "least_squares":
        A, b = np.array(fixture["least_squares"]["A"]), np.array(fixture["least_squares"]["b"])
        return lambda x: A.T @ (A @ x - b)  # ∇ ½‖Ax − b‖²
    return {"quadratic": elongated_quadratic().grad, "rosenbrock": rosenbrock().grad, "beale": beale().grad}[problem]


def torch_amsgrad_deviation(form: str = "pytorch") -> tuple[float, int]:
    """The largest relative deviation of ``AMSGrad(form=...)`` from the ``torch.optim.Adam(amsgrad=True)`` fixtures.

    The measure of ``tests/test_golden.py``: max over steps of ‖ours − theirs‖∞ / max(‖theirs‖∞, 1).
    Returns (deviation, number of cases).
    """
    fixture = json.loads(TORCH_FIXTURE.read_text())
    worst, cases = 0.0, [c for c in fixture["cases"] if c["optimizer"] == "AMSGrad"]
    for case in cases:
        ours = run(AMSGrad(**case["kwargs"], form=form), _fixture_gradient(case["problem"], fixture), case["x0"],
                   fixture["steps"])
        theirs = np.array(case["path"])
        scale = np.maximum(np.abs(theirs).max(axis=1), 1.0)
        worst = max(worst, float((np.abs(ours - theirs).max(axis=1) / scale).max()))
    return worst, len(cases)


def amsgrad_forms_figure():
    """On the quiet spell: each variant's step ÷ α (left) and what it divides by (right), log scales."""
    g = quiet_spell()
    t = np.arange(1, len(g) + 1)
    steps, denominator = amsgrad_steps(), denominators()  # the cached runs on quiet_spell()
    looks = {"Adam": _look("Adam"), "AMSGrad, PyTorch (default)": _look("AMSGrad"),
             "AMSGrad, optax": {"color": OKABE_ITO["blue"], "linestyle": "--", "linewidth": 1.8},
             "AMSGrad, paper": {"color": OKABE_ITO["bluish green"], "linestyle": "-.", "linewidth": 1.8}}
    fig = new_figure(12, 4)
    left, right = fig.subplots(1, 2)
    for name in AMSGRAD_VARIANTS:
        look = dict(looks[name], marker=None)
        left.plot(t, steps[name], label=f"{name}: last step {steps[name][-1]:.3f} α", **look)
        right.plot(t, denominator[name], label=name, **look)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_formatter(_PLAIN)
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("step t (log scale)")
        ax.axvspan(10.5, 999.5, color=OKABE_ITO["sky blue"], alpha=0.12, label="quiet spell: g = 0.001")
        ax.grid(True, alpha=0.3)
    left.set_ylabel("step ÷ α")
    left.set_title("10 steps of g = 1, 989 of g = 0.001, then g = 1")
    right.set_ylabel("denominator (ε aside)")
    right.set_title("the denominator: PyTorch's AMSGrad lets it fall, like Adam")
    left.set_ylim(1e-5, 20)  # room under the curves for the legend
    left.legend(loc="lower left", fontsize=10, framealpha=0.9)
    right.legend(loc="center left", fontsize=10, framealpha=0.9)
    return fig


# --- exercise: write the AMSGrad step ------------------------------------------------------------

#: The check's setting: a 2-D stream whose first coordinate is loud, quiet (where the forms part ways), then
#: louder still, and whose second is quiet, then loud.  Hyperparameters are those of the stub's defaults.
AMSGRAD_CHECK = {
    "gradients": np.array([[1.0, 0.01]] * 3 + [[0.01, 0.01]] * 4 + [[2.0, 1.0]] * 5),
    "hyper": {"lr": 0.1, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8},
}


def _amsgrad_reference(x, g, m, v, v_max, t, lr, beta1, beta2, eps, slip=None):
    """PyTorch's AMSGrad step (the default form), or the step a learner writes with one known ``slip``."""
    t = {"t - 1": t - 1, "t + 1": t + 1}.get(slip, t)
    v_old = v
    m = beta1 * m + (1.0 if slip == "no 1 - beta1" else 1 - beta1) * g  # m_t = β₁ m_{t−1} + (1 − β₁) g_t
    g2 = np.abs(g) if slip == "g not squared" else g**2
    v_new = beta2 * v + (1 - beta2) * g2  # v_t = β₂ v_{t−1} + (1 − β₂) g_t²
    m_hat = m if slip == "m not corrected" else m / (1 - beta1**t)
    if slip == "optax order":  # the max of the corrected v̂
        v_max = np.maximum(v_max, v_new / (1 - beta2**t))
        denominator = np.sqrt(v_max) + eps
    elif slip == "corrected twice":  # the max of v̂, then divided by 1 − β₂ᵗ again
        v_max = np.maximum(v_max, v_new / (1 - beta2**t))
        denominator = np.sqrt(v_max / (1 - beta2**t)) + eps
    elif slip == "paper":  # no bias correction at all
        v_max = np.maximum(v_max, v_new)
        m_hat = m
        denominator = np.sqrt(v_max) + eps
    else:
        candidate = {"max over m": m, "max over g²": g**2, "max before update": v_old}.get(slip, v_new)
        v_max = v_new if slip == "no max" else np.maximum(v_max, candidate)
        if slip == "eps inside":
            denominator = np.sqrt(v_max / (1 - beta2**t) + eps)
        else:
            denominator = np.sqrt(v_max / (1 - beta2**t)) + eps
    x = x + lr * m_hat / denominator if slip == "sign" else x - lr * m_hat / denominator
    if slip == "max fed back":  # the EWMA continues from the max instead of from v
        v_new = v_max
    return x, m, v_new, v_max


#: Known slips and what the check says about them.
_AMSGRAD_SLIPS = {
    "optax order": "you took the max of the corrected v̂_t = v_t/(1 − β₂ᵗ): that is optax's order. PyTorch's (the "
                   "default, and this exercise's) takes the max of the uncorrected v_t and divides the max by "
                   "1 − β₂ᵗ: v^max_t = max(v^max_{t−1}, v_t), then √(v^max_t/(1 − β₂ᵗ)).",
    "corrected twice": "you took the max of v̂_t = v_t/(1 − β₂ᵗ) and then divided by 1 − β₂ᵗ again: correct once. "
                       "Keep the max of the uncorrected v_t, and divide that max by 1 − β₂ᵗ.",
    "paper": "your steps have no bias correction: that is the paper's Algorithm 2. PyTorch's AMSGrad divides m by "
             "1 − β₁ᵗ and the max of v by 1 − β₂ᵗ.",
    "max over m": "you took the running max of m (the first moment): AMSGrad keeps the largest second moment v, "
                  "v^max_t = max(v^max_{t−1}, v_t), so that the denominator never forgets a large gradient.",
    "max over g²": "you took the running max of the raw g_t²: AMSGrad keeps the largest EWMA v_t, not the largest "
                   "single squared gradient.",
    "max before update": "you took the max with v_{t−1}, before updating v: update v_t = β₂v_{t−1} + (1 − β₂)g_t² "
                         "first, then v^max_t = max(v^max_{t−1}, v_t). (On the first step the max is still 0, and "
                         "the step divides by ε alone.)",
    "no max": "your steps are plain Adam's: the denominator must use v^max_t = max(v^max_{t−1}, v_t), not v_t.",
    "max fed back": "you fed the max back into the average (the new v became v^max): keep two states, v_t (the "
                    "EWMA, which may fall) and v^max_t (its running max), and return both.",
    "m not corrected": "you divided m_t, not m̂_t = m_t/(1 − β₁ᵗ), by the denominator: PyTorch corrects both moments.",
    "t - 1": "your bias corrections use t − 1: t is already 1 on the first step (the check passes t = 1, 2, …), and "
             "1 − β^0 = 0 divides by zero (the NaN). Use β₁ᵗ and β₂ᵗ.",
    "t + 1": "your bias corrections use t + 1: t is already 1 on the first step (the check passes t = 1, 2, …). "
             "Use β₁ᵗ and β₂ᵗ.",
    "eps inside": "you added ε inside the square root, √(v^max_t/(1 − β₂ᵗ) + ε): PyTorch adds it outside, "
                  "√(v^max_t/(1 − β₂ᵗ)) + ε (lesson 06 on where ε goes).",
    "sign": "your steps go uphill: x_t = x_{t−1} − α·m̂_t/(√(v^max_t/(1 − β₂ᵗ)) + ε), with a minus.",
    "no 1 - beta1": "your m_t = β₁m_{t−1} + g_t lacks the (1 − β₁): m is an EWMA, m_t = β₁m_{t−1} + (1 − β₁)g_t.",
    "g not squared": "your v averages |g_t| (or g_t), not g_t²: v_t = β₂v_{t−1} + (1 − β₂)g_t².",
}

#: What a known slip raises, or returns that cannot be used, and what to do about each.
_AMSGRAD_ERRORS = {
    "truth value of an array": "Python's max() compares whole arrays; the running max is entrywise: "
                               "np.maximum(v_max, v).",
    "only integer scalar arrays": "np.max(v_max, v) reads v as an axis; the entrywise max of two arrays is "
                                  "np.maximum(v_max, v).",
    "its v_max has shape ()": "np.max(...) is one number, the largest of everything; the running max is entrywise, "
                              "one per coordinate: np.maximum(v_max, v).",
}


def _amsgrad_run(amsgrad_step: Callable, hyper: Mapping, name: str, setup: str) -> LearnerRun | Feedback:
    """The learner's step on the check's stream, from x = m = v = v_max = 0 (``run_learner``: each result checked
    first); a step that fails, or returns what cannot be used, gets the hint of the slip that does that."""
    G = AMSGRAD_CHECK["gradients"]
    run = run_learner(amsgrad_step, np.zeros(G.shape[1]), lambda x, t: G[t - 1], len(G),
                      lambda x, g, state, t: (x, g, *state, t, *hyper.values()), ("x", "m", "v", "v_max"),
                      name=name, setup=setup)
    if isinstance(run, Feedback):
        for fragment, hint in _AMSGRAD_ERRORS.items():
            if fragment in run.message:
                head, used, tail = run.message.partition("\n  The check used:")
                return Feedback(False, f"{head}\n  Hint: {hint}{used}{tail}")
    return run


def _amsgrad_reference_path(slip=None) -> tuple[np.ndarray, np.ndarray]:
    """x_1..x_n and v^max_1..v^max_n of the check's stream with the reference step (and ``slip``)."""
    G, hyper = AMSGRAD_CHECK["gradients"], AMSGRAD_CHECK["hyper"]
    x = m = v = v_max = np.zeros(G.shape[1])
    xs, maxes = [], []
    with np.errstate(all="ignore"):
        for t, g in enumerate(G, start=1):
            x, m, v, v_max = _amsgrad_reference(x, g, m, v, v_max, t, **hyper, slip=slip)
            xs.append(x)
            maxes.append(v_max)
    return np.array(xs), np.array(maxes)


def _amsgrad_setup() -> str:
    hyper = AMSGRAD_CHECK["hyper"]
    return (f"12 gradients from x₀ = (0, 0), m₀ = v₀ = v^max₀ = 0: (1, 0.01) three times, (0.01, 0.01) four times, "
            f"(2, 1) five times; t = 1, 2, …, 12; α = {hyper['lr']:g}, β₁ = {hyper['beta1']:g}, "
            f"β₂ = {hyper['beta2']:g}, ε = {hyper['eps']:g}; each call gets the state your previous call returned")


def _state_slip(returned: list, states) -> str:
    """What is wrong with the states (m, v, v_max) the learner returned, if that explains the path.

    ``returned[k]`` is what the learner returned at step k + 1, ``states[k + 1]`` the reference state
    after that step.  v and v_max swapped shows only once v falls below its max (before, they are
    equal), so that is checked at the first step where they differ.
    """
    (m, v, v_max), reference = returned[0], states[1]
    if np.allclose(m, reference.v) and np.allclose(v, reference.m):
        return "you returned (x, v, m, v_max): the order is (x, m, v, v_max), and the next call receives them so."
    for (_, v_k, v_max_k), ref in zip(returned, states[1:], strict=True):
        if not np.allclose(ref.v, ref.v_max):  # the first step where v has fallen below its running max
            if np.allclose(v_k, ref.v_max) and np.allclose(v_max_k, ref.v):
                return ("you returned v and v_max in each other's places: the order is (x, m, v, v_max). (They "
                        "are equal until v falls below its max, which is why the first steps agree.)")
            break
    v_max = returned[0][2]
    if np.all(v_max == 0) and np.any(reference.v_max != 0):
        return ("the v_max you returned is still 0 after step 1: return the updated running max, "
                "v^max_t = max(v^max_{t−1}, v_t), so that the next call can use it.")
    return ""


def check_amsgrad_step(amsgrad_step: Callable) -> Feedback:
    """Check the learner's ``amsgrad_step(x, g, m, v, v_max, t, lr, beta1, beta2, eps) -> (x, m, v, v_max)``.

    Runs it on ``AMSGRAD_CHECK``'s stream, each call fed the state the previous one returned, and
    compares x_1..x_12 with ``helpers.optimizers.AMSGrad()`` (PyTorch's form).  A result of the wrong
    kind or shape is explained in the learner's terms (``unpack_result``); a wrong path gets the first
    step that differs and, if the path is that of a known slip (optax's order, the paper's form, a
    max over m, ε inside the root, t − 1, …) or the returned state explains it (a swapped order, a max
    never returned), what the slip is.
    """
    G, hyper = AMSGRAD_CHECK["gradients"], AMSGRAD_CHECK["hyper"]
    name = getattr(amsgrad_step, "__name__", "amsgrad_step")
    setup = _amsgrad_setup()
    run = _amsgrad_run(amsgrad_step, hyper, name, setup)
    if isinstance(run, Feedback):
        return run
    xs, returned = run.xs, list(zip(*run.states, strict=True))  # returned[t − 1] = (m_t, v_t, v^max_t)
    reference = trace(AMSGrad(**hyper), _stream(G), np.zeros(G.shape[1]), len(G), online=True)
    expected = reference.path[1:]
    mistakes = {hint: _amsgrad_reference_path(slip)[0] for slip, hint in _AMSGRAD_SLIPS.items()}
    verdict = compare(xs, expected, symbol="x", mistakes=mistakes, setup=setup,
                      success="Your step is PyTorch's AMSGrad: it matches helpers.optimizers.AMSGrad() for 12 steps.")
    if verdict.passed:
        return _amsgrad_other_hyper(amsgrad_step, name, verdict, setup)
    if "Hint:" in verdict.message and _AMSGRAD_SLIPS["no max"] not in verdict.message:
        return verdict  # the path is a known slip's
    state = _state_slip(returned, reference.states)
    if state:  # what the learner returned explains the path (a max computed but not returned looks like no max)
        first_line = verdict.message.split("\n")[0]
        return Feedback(False, f"{first_line}\n  Hint: {state}\n  The check used: {setup}.")
    return verdict


#: The AMSGrad check's second round: other hyperparameters, so that a 0.9 typed in for beta1 (and so on) shows.
AMSGRAD_OTHER_HYPER = {"lr": 0.05, "beta1": 0.8, "beta2": 0.9, "eps": 1e-6}


def _vector(a) -> str:
    return "(" + ", ".join(f"{v:.5g}" for v in np.ravel(a)) + ")"


def _amsgrad_other_hyper(amsgrad_step: Callable, name: str, verdict: Feedback, setup: str) -> Feedback:
    """Run the learner's step again with ``AMSGRAD_OTHER_HYPER``; name a hyperparameter typed in if one explains it."""
    G, first, other = AMSGRAD_CHECK["gradients"], AMSGRAD_CHECK["hyper"], AMSGRAD_OTHER_HYPER
    symbols = {"lr": "α", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}
    shown = ", ".join(f"{symbols[k]} = {v:g}" for k, v in other.items())
    setup = f"{setup}; then the same gradients with {shown}"

    run = _amsgrad_run(amsgrad_step, other, name, setup)
    if isinstance(run, Feedback):
        return run
    yours = run.xs
    expected = trace(AMSGrad(**other), _stream(G), np.zeros(G.shape[1]), len(G), online=True).path[1:]
    if np.allclose(yours, expected, rtol=1e-9, atol=1e-12):
        return Feedback(True, f"{verdict.message} The same with {shown}.{_used(setup)}")
    bad = np.argwhere(~np.isclose(yours, expected, rtol=1e-9, atol=1e-12))[0][0]
    typed = [f"{symbols[key]} = {first[key]:g}" for key in other
             if np.allclose(yours, trace(AMSGrad(**dict(other, **{key: first[key]})), _stream(G),
                                         np.zeros(G.shape[1]), len(G), online=True).path[1:], rtol=1e-9, atol=1e-12)]
    hint = (f"your path is the one with {typed[0]}, the first round's, whatever the argument says: a number typed "
            f"in. Use the function's arguments (lr, beta1, beta2, eps)." if typed else
            "with the first round's hyperparameters your steps were right: is one of them typed into your step "
            "instead of its argument?")
    return Feedback(False, f"✗ Almost: right with α = {first['lr']:g}, β₁ = {first['beta1']:g}, "
                           f"β₂ = {first['beta2']:g}, ε = {first['eps']:g}, but with {shown}, x_{bad + 1} is "
                           f"{_vector(yours[bad])}, expected {_vector(expected[bad])}.\n  Hint: {hint}{_used(setup)}")


# =====================================================================================
# 3. L2 is not weight decay (for Adam)
# =====================================================================================

#: The decay problem: two coordinates with the same loss, but w's (mini-batch) gradients are 100 times noisier.
DECAY = {"sigma": (2.0, 0.02), "lr": 0.01, "weight_decay": 1.0, "steps": 2000, "tail": 1000, "seed": 8}


def decay_problem() -> Surface:
    r""":math:`f(w, b) = \tfrac12\,(w - 1)^2 + \tfrac12\,(b - 1)^2`: the same curvature (1) and optimum (1) in both.

    With weight decay λ_wd, the minimizer of :math:`f + \tfrac{\lambda_{wd}}2\|x\|^2` (ridge) is
    :math:`x_i = 1/(1 + \lambda_{wd})` in both coordinates.  The runs start at the optimum (1, 1),
    so every move away from it is the decay's doing (plus noise).
    """

    def f(p):
        p = np.asarray(p, dtype=float)
        return 0.5 * ((p[..., 0] - 1) ** 2 + (p[..., 1] - 1) ** 2)

    def grad(p):
        return np.asarray(p, dtype=float) - 1.0  # ∇f = (w − 1, b − 1)

    return Surface(name="½(w − 1)² + ½(b − 1)²", f=f, grad=grad, minimum=np.ones(2), start=np.ones(2),
                   xlim=(-0.25, 1.25), ylim=(-0.25, 1.25), formula=r"\tfrac12(w-1)^2 + \tfrac12(b-1)^2",
                   axis_names=("w", "b"), axis_labels=("w (noisy gradients)", "b (quiet gradients)"))


def decay_contenders(lr: float = DECAY["lr"], weight_decay: float = DECAY["weight_decay"]) -> dict:
    """Adam without decay, Adam with PyTorch's L2 ``weight_decay``, and PyTorch's AdamW (β₁, β₂, ε at defaults)."""
    return {"Adam": Adam(lr), "Adam + L2": Adam(lr, weight_decay=weight_decay),
            "AdamW": AdamW(lr, weight_decay=weight_decay)}


def decay_gradient(seed: int = DECAY["seed"], sigma=DECAY["sigma"]) -> NoisyGradient:
    r"""∇f plus Gaussian noise, σ = (σ_w, σ_b) per coordinate (``helpers.stochastic.NoisyGradient``)."""
    return NoisyGradient(decay_problem().grad, np.asarray(sigma, dtype=float), rng=seed)


def decay_runs(lr: float = DECAY["lr"], weight_decay: float = DECAY["weight_decay"], steps: int = DECAY["steps"],
               seed: int = DECAY["seed"], contenders: Mapping | None = None) -> dict:
    """Each contender's trace from (1, 1), every one fed the same noise (the same seed): a fair comparison."""
    contenders = contenders or decay_contenders(lr, weight_decay)
    return {name: trace(opt, decay_gradient(seed), decay_problem().start, steps) for name, opt in contenders.items()}


def _tail_denominator(tr, opt, tail: int) -> np.ndarray:
    """√v̂_t + ε averaged over the last ``tail`` steps of a run, per coordinate."""
    steps = len(tr.path) - 1
    t = np.arange(steps - tail + 1, steps + 1)[:, None]
    v = tr.history("v")[-tail:]
    return (np.sqrt(v / (1 - opt.beta2**t)) + opt.eps).mean(axis=0)


def decay_table(lr: float = DECAY["lr"], weight_decay: float = DECAY["weight_decay"], steps: int = DECAY["steps"],
                tail: int = DECAY["tail"], seed: int = DECAY["seed"]) -> dict[str, dict]:
    r"""Per contender, per coordinate (w, b), over the last ``tail`` steps:

    - ``end``: the mean iterate;
    - ``denominator``: the mean of √v̂_t + ε;
    - ``decay``: the fraction of x the decay removes in one step: 0 (Adam), α·λ_wd/(√v̂ + ε)
      (L2: the decay's gradient λ_wd·x is divided by √v̂ like the rest), α·λ_wd (AdamW);
    - ``predicted``: where the mean should settle, from E[step] = 0 on this f (curvature 1, optimum 1):
      1 (Adam), 1/(1 + λ_wd) (L2: the ridge point, whatever √v̂), 1/(1 + λ_wd·(√v̂ + ε)) (AdamW: its
      decay acts like an L2 term λ_wd·(√v̂ + ε) per coordinate).
    """
    contenders = decay_contenders(lr, weight_decay)
    runs = decay_runs(lr, weight_decay, steps, seed, contenders)
    table = {}
    for name, tr in runs.items():
        opt = contenders[name]
        s = _tail_denominator(tr, opt, tail)
        decay = {"Adam": np.zeros(2), "Adam + L2": lr * weight_decay / s, "AdamW": np.full(2, lr * weight_decay)}[name]
        predicted = {"Adam": np.ones(2), "Adam + L2": np.full(2, 1 / (1 + weight_decay)),
                     "AdamW": 1 / (1 + weight_decay * s)}[name]
        table[name] = {"end": tr.path[-tail:].mean(axis=0), "denominator": s, "decay": decay, "predicted": predicted}
    return table


class AdamWPaperState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray


@dataclass(frozen=True, eq=False)
class AdamWPaper:
    r"""AdamW as Loshchilov & Hutter's Algorithm 2 writes it: the decay is not multiplied by α.

    .. math::
        x_t = x_{t-1} - \eta_t\left(\alpha\,\frac{\hat m_t}{\sqrt{\hat v_t}+\varepsilon} + \lambda_{wd}\,x_{t-1}\right)

    with m̂_t, v̂_t as in Adam (from the gradient alone) and the schedule multiplier
    :math:`\eta_t` = ``multiplier.lr(1, t)`` (a ``helpers.schedules`` record; 1 without one).
    PyTorch's ``AdamW(lr=α, weight_decay=λ)`` under a schedule α_t = αη_t is this with
    :math:`\lambda_{wd} = \alpha\lambda`: the same number means a decay 1/α times larger here.
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 1e-5
    multiplier: object = None

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))
        object.__setattr__(self, "beta1", _checks.decay_rate("beta1", self.beta1))
        object.__setattr__(self, "beta2", _checks.decay_rate("beta2", self.beta2))
        object.__setattr__(self, "eps", _checks.nonnegative("eps", self.eps))
        object.__setattr__(self, "weight_decay", _checks.nonnegative("weight_decay", self.weight_decay))

    def init(self, x0) -> AdamWPaperState:
        zeros = np.zeros_like(_checks.finite_array("x0", x0))
        return AdamWPaperState(t=0, m=zeros, v=zeros)

    def step(self, x, g, state: AdamWPaperState) -> tuple[np.ndarray, AdamWPaperState]:
        x = np.asarray(x, dtype=float)
        g = _checks.same_shape("grad", g, x)
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g  # m_t = β₁ m_{t−1} + (1 − β₁) g_t
        v = self.beta2 * state.v + (1 - self.beta2) * g**2  # v_t = β₂ v_{t−1} + (1 − β₂) g_t²
        m_hat = m / (1 - self.beta1**t)  # m̂_t = m_t / (1 − β₁ᵗ)
        v_hat = v / (1 - self.beta2**t)  # v̂_t = v_t / (1 − β₂ᵗ)
        eta = 1.0 if self.multiplier is None else self.multiplier.lr(1.0, t)  # η_t = SetScheduleMultiplier(t)
        x = x - eta * (self.lr * m_hat / (np.sqrt(v_hat) + self.eps) + self.weight_decay * x)
        return x, AdamWPaperState(t=t, m=m, v=v)


def adamw_forms_difference(lr: float = DECAY["lr"], weight_decay: float = DECAY["weight_decay"],
                           steps: int = DECAY["steps"], schedule=None) -> float:
    """Largest |x_paper − x_torch| between ``AdamWPaper(λ_wd = α·λ)`` and PyTorch's ``AdamW(λ)`` on the decay problem.

    With a ``schedule``, PyTorch's runs with α_t = α·η_t (``run(..., schedule=...)``) and the paper's
    with ``multiplier=schedule``: the same η_t.
    """
    paper = AdamWPaper(lr, weight_decay=lr * weight_decay, multiplier=schedule)
    ours = run(paper, decay_gradient(), decay_problem().start, steps)
    torch_form = run(AdamW(lr, weight_decay=weight_decay), decay_gradient(), decay_problem().start, steps,
                     schedule=schedule)
    return float(np.abs(ours - torch_form).max())


def decay_ends_by_lr(lrs=(0.01, 0.003), weight_decay: float = DECAY["weight_decay"], steps: int = 4000,
                     tail: int = 2000) -> dict[str, np.ndarray]:
    """Where w and b settle (mean of the last ``tail`` steps) for each α, λ_wd fixed, in both forms of AdamW.

    PyTorch's ``AdamW(α, λ_wd)`` and the paper's with its λ fixed at α₀·λ_wd (α₀ the first α): the
    two are the same optimizer at α = α₀ and part ways when α changes.  One run per form, with α
    an array (one row of x per α); both forms get the same noise.  Returns rows (w, b) per α.
    """
    lrs = np.asarray(lrs, dtype=float)[:, None]
    x0 = np.broadcast_to(decay_problem().start, (len(lrs), 2))
    forms = {"PyTorch": AdamW(lrs, weight_decay=weight_decay),
             "paper": AdamWPaper(lrs, weight_decay=float(lrs[0, 0]) * weight_decay)}
    return {form: run(opt, decay_gradient(), x0, steps)[-tail:].mean(axis=0) for form, opt in forms.items()}


def decay_end_spread(lr: float = 0.01, weight_decay: float = DECAY["weight_decay"], steps: int = 4000,
                     tail: int = 2000, runs: int = 20, seed: int = 0) -> dict[str, np.ndarray]:
    """How much where AdamW settles depends on the noise: ``runs`` independent runs (one row of x each).

    PyTorch's ``AdamW(lr, weight_decay)`` on the decay problem, as in ``decay_ends_by_lr``; returns the
    mean over the runs of each run's tail mean (w, b) and the standard deviation across the runs.
    """
    x0 = np.broadcast_to(decay_problem().start, (runs, 2))
    ends = run(AdamW(lr, weight_decay=weight_decay), decay_gradient(seed), x0, steps)[-tail:].mean(axis=0)
    return {"mean": ends.mean(axis=0), "sd": ends.std(axis=0, ddof=1), "runs": runs}


#: The decay explorer's slider grid (exponents of 10): λ_wd from 10⁻³ to 10, α from 10^−2.5 to 0.1.
DECAY_WD_EXPONENTS = np.round(np.arange(-3.0, 1.0 + 1e-9, 0.1), 10)
DECAY_LR_EXPONENTS = np.round(np.arange(-2.5, -1.0 + 1e-9, 0.05), 10)


@dataclass(frozen=True, eq=False)
class DecayGrid:
    """Adam, Adam + L2 and AdamW on the decay problem for every (λ_wd, α) of the explorer's sliders.

    ``mean[name]`` (shape (n_wd, n_lr, 2)) is the mean of the last ``tail`` iterates, ``cloud[name]``
    (shape (tail // thin, n_wd, n_lr, 2)) every ``thin``-th of them: what the explorer draws.
    """

    weight_decay: np.ndarray
    lr: np.ndarray
    mean: dict
    cloud: dict
    steps: int
    tail: int
    thin: int

    def index(self, weight_decay: float, lr: float) -> tuple[int, int]:
        """The grid cell nearest to (λ_wd, α), on a log scale."""
        return (int(np.argmin(np.abs(np.log10(self.weight_decay) - np.log10(weight_decay)))),
                int(np.argmin(np.abs(np.log10(self.lr) - np.log10(lr)))))


@functools.lru_cache(maxsize=1)
def decay_grid(steps: int = DECAY["steps"], tail: int = DECAY["tail"], seed: int = DECAY["seed"],
               thin: int = 4) -> DecayGrid:
    """``decay_runs`` for every (λ_wd, α) of the explorer's grid at once: one vectorized run per contender.

    λ_wd has shape (n_wd, 1, 1) and α shape (1, n_lr, 1), broadcasting against x of shape
    (n_wd, n_lr, 2): each cell is its own optimizer.  Every cell gets the noise ``decay_runs``
    gives a single run (the same seed, one draw of two numbers per step, shared), so a cell's run is
    ``decay_runs(α, λ_wd)``'s (a test pins them).  Cached: computed once (under a second), after which
    moving a slider only picks a cell.
    """
    weight_decay = 10.0 ** DECAY_WD_EXPONENTS
    lr = 10.0 ** DECAY_LR_EXPONENTS
    wd_, lr_ = weight_decay[:, None, None], lr[None, :, None]
    contenders = {"Adam": Adam(lr_), "Adam + L2": Adam(lr_, weight_decay=wd_), "AdamW": AdamW(lr_, weight_decay=wd_)}
    sigma = np.asarray(DECAY["sigma"], dtype=float)
    xi = np.random.default_rng(seed).standard_normal((steps, 2))  # decay_gradient's draws, step by step
    grad = decay_problem().grad
    shape = (len(weight_decay), len(lr), 2)
    means, clouds = {}, {}
    with np.errstate(all="ignore"):
        for name, opt in contenders.items():
            x = np.broadcast_to(decay_problem().start, (1, len(lr), 2) if name == "Adam" else shape).copy()
            state = opt.init(x)
            total = np.zeros_like(x)
            kept = []
            for t in range(1, steps + 1):
                x, state = opt.step(x, grad(x) + sigma * xi[t - 1], state)  # ∇f(x) + σξ_t, the same ξ_t for all
                if t > steps - tail:
                    total += x
                    if (steps - t) % thin == 0:
                        kept.append(x.astype(np.float32))
            means[name] = np.broadcast_to(total / tail, shape)
            clouds[name] = np.broadcast_to(np.array(kept), (len(kept), *shape))
    return DecayGrid(weight_decay=weight_decay, lr=lr, mean=means, cloud=clouds, steps=steps, tail=tail, thin=thin)


def decay_ends(weight_decay: float, lr: float) -> dict[str, np.ndarray]:
    """Where each contender settles (mean (w, b) of the last 1,000 of 2,000 steps) at (λ_wd, α): the explorer's cell."""
    grid = decay_grid()
    row, column = grid.index(weight_decay, lr)
    return {name: grid.mean[name][row, column] for name in grid.mean}


class DecayExplorer(LiveFigure):
    """Adam, Adam + L2 and AdamW on the noisy decay problem; sliders λ_wd and α (both log scale).

    Left: the last ``tail`` iterates of each run on the contours of f, their mean (large marker),
    the optimum (star) and the ridge point that L2 aims for.  Right: the mean w and b of each run
    as bars.  A mean outside the window is drawn at its edge and labelled.
    """

    NAMES = ("Adam", "Adam + L2", "AdamW")

    def __init__(self, weight_decay: float = DECAY["weight_decay"], lr: float = DECAY["lr"]):
        self.grid = decay_grid()
        self.surface = decay_problem()
        fig = new_figure(13, 4.6)
        self.ax_path, self.ax_bars = fig.subplots(1, 2, width_ratios=[1.45, 1])
        X, Y, Z = self.surface.grid(120)
        self.ax_path.contour(X, Y, Z, levels=np.linspace(0.05, 1.5, 9), colors="#BBBBBB", linewidths=0.8)
        self.ax_path.plot(1, 1, marker="*", markersize=14, color=OKABE_ITO["yellow"], markeredgecolor="black",
                          linestyle="none", label="minimum of f (1, 1): start", zorder=6)
        (self.ridge,) = self.ax_path.plot([], [], marker="D", markersize=8, markerfacecolor="none",
                                          markeredgecolor=OKABE_ITO["black"], linestyle="none", zorder=6,
                                          label="minimum of f + (λ_wd/2)‖x‖²")
        self.clouds, self.means = {}, {}
        for name in self.NAMES:
            look = _look(name)
            (self.clouds[name],) = self.ax_path.plot([], [], color=look["color"], linewidth=0.7, alpha=0.5,
                                                     label="_nolegend_")
            (self.means[name],) = self.ax_path.plot([], [], marker=look["marker"], markersize=11,
                                                    color=look["color"], markeredgecolor="black", linestyle="none",
                                                    label=name, zorder=7)
        self.ax_path.set_xlim(*self.surface.xlim)
        self.ax_path.set_ylim(*self.surface.ylim)
        self.ax_path.set_xlabel(self.surface.axis_labels[0])
        self.ax_path.set_ylabel(self.surface.axis_labels[1])
        self.ax_path.set_aspect("equal")
        positions = np.arange(len(self.NAMES))
        width = 0.38
        self.bars = {}
        for k, coordinate in enumerate(("w", "b")):
            looks = [STYLE_BARS[n] for n in self.NAMES]
            self.bars[coordinate] = self.ax_bars.bar(
                positions + (k - 0.5) * width, np.zeros(len(self.NAMES)), width=width,
                color=[lk["color"] for lk in looks], alpha=0.9 if k == 0 else 0.45,
                hatch="" if k == 0 else "//", edgecolor="black", zorder=2,  # above the axis: its ticks stay as pixels
                label=f"{coordinate}: {'noisy' if k == 0 else 'quiet'} gradients")
        (self.ridge_line,) = self.ax_bars.plot([], [], color=OKABE_ITO["black"], linestyle="--", linewidth=1.2,
                                               label="ridge: 1/(1 + λ_wd)")
        self.ax_bars.axhline(1.0, color=OKABE_ITO["black"], linewidth=0.6)
        self.ax_bars.set_xticks(positions, self.NAMES)
        self.ax_bars.set_ylim(0, 1.25)
        self.ax_bars.set_xlabel("optimizer")
        self.ax_bars.set_ylabel(f"mean of the last {DECAY['tail']:,} iterates")
        self.ax_bars.legend(loc="upper right", fontsize=10, framealpha=0.9)
        self.texts = [self.ax_bars.text(0, 0, "", ha="center", va="bottom", fontsize=10)
                      for _ in range(2 * len(self.NAMES))]
        wd_exp, lr_exp = DECAY_WD_EXPONENTS.tolist(), DECAY_LR_EXPONENTS.tolist()
        controls = {
            "weight_decay": widgets.FloatLogSlider(value=weight_decay, base=10, min=wd_exp[0], max=wd_exp[-1],
                                                   step=0.1, description="weight decay λ_wd", readout_format=".2g",
                                                   style=SLIDER_STYLE, layout=SLIDER_LAYOUT),
            "lr": lr_slider(lr, lr_exp[0], lr_exp[-1], step=0.05),
        }
        super().__init__(fig, controls)

    def draw(self, params: dict) -> None:
        row, column = self.grid.index(params["weight_decay"], params["lr"])  # every run is in the grid: pick a cell
        wd, lr = float(self.grid.weight_decay[row]), float(self.grid.lr[column])
        tail = self.grid.tail
        (x0, x1), (y0, y1) = self.surface.xlim, self.surface.ylim
        ridge = 1 / (1 + wd)
        self.ridge.set_data([ridge], [ridge])
        for k, name in enumerate(self.NAMES):
            points = self.grid.cloud[name][:, row, column]
            mean = self.grid.mean[name][row, column]
            inside = bool(np.all(np.isfinite(mean)) and x0 <= mean[0] <= x1 and y0 <= mean[1] <= y1)
            shown = np.column_stack([np.clip(points[:, 0], x0, x1), np.clip(points[:, 1], y0, y1)])
            self.clouds[name].set_data(shown[:, 0], shown[:, 1])
            self.means[name].set_data([np.clip(mean[0], x0, x1)], [np.clip(mean[1], y0, y1)])
            where = f"({mean[0]:.2f}, {mean[1]:.2f})" if inside else f"({mean[0]:.2g}, {mean[1]:.2g}): off the plot"
            self.means[name].set_label(f"{name}: mean {where}")
            for j, coordinate in enumerate(("w", "b")):
                height = float(np.clip(mean[j], 0, 1.2)) if np.isfinite(mean[j]) else 0.0
                bar = self.bars[coordinate][k]
                bar.set_height(height)
                text = self.texts[2 * k + j]
                text.set_position((bar.get_x() + bar.get_width() / 2, height + 0.01))
                text.set_text(f"{mean[j]:.2f}")
        self.ridge_line.set_data([-0.5, len(self.NAMES) - 0.5], [ridge, ridge])
        update_legend(self.ax_path, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=10, framealpha=0.9)
        self.ax_path.set_title(f"λ_wd = {wd:.2g}, α = {lr:.2g}: the last {tail:,} of {self.grid.steps:,} steps "
                               f"(every {self.grid.thin}th shown)", fontsize=10)
        self.ax_bars.set_title("where each coordinate settles (1 = not regularized at all)", fontsize=10)


# =====================================================================================
# 4. Warm-up: the first steps rest on a handful of gradients
# =====================================================================================

#: The warm-up experiment: a gradient with mean μ and noise σ (signal-to-noise 0.1), many independent runs.
WARMUP = {"mu": 0.1, "sigma": 1.0, "runs": 1000, "steps": 1000, "beta1": 0.9, "beta2": 0.999, "warmup": 100,
          "start_factor": 0.01, "seed": 7}


def noisy_gradient(scale: float = 1.0, seed: int = WARMUP["seed"]) -> NoisyGradient:
    r"""g = s·(μ + σξ) for every run at once (``helpers.stochastic.NoisyGradient``; x holds one coordinate per run).

    The loss is linear, f(x) = s·μ·x, so the gradient does not depend on x: every step of every
    run is a draw of the same noisy gradient, and the runs differ only in their noise.
    """
    mu, sigma = WARMUP["mu"], WARMUP["sigma"]
    return NoisyGradient(lambda x: np.full_like(x, scale * mu), scale * sigma, rng=seed)


def vhat_spread_formula(t, beta2: float = WARMUP["beta2"], mu: float = WARMUP["mu"], sigma: float = WARMUP["sigma"]):
    r"""The relative spread std(v̂_t)/E[v̂_t] of the bias-corrected v̂_t for independent g ~ N(μ, σ²).

    :math:`\hat v_t = \sum_i u_i g_i^2` with weights :math:`u_i = (1-\beta_2)\beta_2^{t-i}/(1-\beta_2^t)` that sum
    to 1, so :math:`E\hat v_t = E g^2 = \mu^2 + \sigma^2` and
    :math:`\operatorname{Var}\hat v_t = \operatorname{Var}(g^2)\sum_i u_i^2` with
    :math:`\operatorname{Var}(g^2) = 2\sigma^4 + 4\mu^2\sigma^2` and
    :math:`\sum_i u_i^2 = \frac{(1-\beta_2)(1+\beta_2^t)}{(1+\beta_2)(1-\beta_2^t)}`: 1 at t = 1, about 1/t while
    t ≪ 1/(1 − β₂), and lesson 01's (1 − β₂)/(1 + β₂) in the end.
    """
    t = np.asarray(t, dtype=float)
    weights = (1 - beta2) * (1 + beta2**t) / ((1 + beta2) * (1 - beta2**t))  # Σ u_i²
    return np.sqrt((2 * sigma**4 + 4 * mu**2 * sigma**2) * weights) / (mu**2 + sigma**2)


def warmup_contenders(beta2: float = WARMUP["beta2"], warmup: int = WARMUP["warmup"]) -> dict:
    """(optimizer, schedule) for Adam, Adam with a linear warm-up over ``warmup`` steps, and RAdam; α = 1."""
    return {
        "Adam": (Adam(1.0, WARMUP["beta1"], beta2), None),
        "Adam + warm-up": (Adam(1.0, WARMUP["beta1"], beta2),
                           LinearLR(start_factor=WARMUP["start_factor"], end_factor=1.0, total_iters=warmup)),
        "RAdam": (RAdam(1.0, WARMUP["beta1"], beta2), None),
    }


def warmup_runs(beta2: float = WARMUP["beta2"], warmup: int = WARMUP["warmup"], scale: float = 1.0,
                steps: int = WARMUP["steps"], runs: int = WARMUP["runs"], names=None) -> dict:
    """Each contender's traces of ``runs`` independent runs (one per entry of x), all fed the same noise.

    α = 1, so every step comes out in units of α.  ``names`` picks some of the contenders (default: all).
    """
    x0 = np.zeros(runs)
    contenders = warmup_contenders(beta2, warmup)
    return {name: trace(opt, noisy_gradient(scale), x0, steps, schedule=schedule)
            for name, (opt, schedule) in contenders.items() if names is None or name in names}


@functools.lru_cache(maxsize=2)
def _warmup_noise(runs: int, steps: int, seed: int = WARMUP["seed"]) -> np.ndarray:
    """ξ_t for every step and run, shape (steps, runs): the very draws ``noisy_gradient`` makes one step at a time."""
    noise = np.random.default_rng(seed).standard_normal((steps, runs))
    noise.flags.writeable = False
    return noise


@functools.lru_cache(maxsize=2)
def _warmup_moments(beta2: float, scale: float, steps: int, runs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """g_t, m_t and v_t for every step and run (cached: moving the warm-up slider reuses them)."""
    g = scale * (WARMUP["mu"] + WARMUP["sigma"] * _warmup_noise(runs, steps))  # g_t = s·(μ + σξ_t)
    m, v = ewma(g, WARMUP["beta1"]), ewma(g**2, beta2)  # m_t, v_t: the same for every contender
    for array in (g, m, v):
        array.flags.writeable = False
    return g, m, v


def warmup_steps(beta2: float = WARMUP["beta2"], warmup: int = WARMUP["warmup"], scale: float = 1.0,
                 steps: int = WARMUP["steps"], runs: int = WARMUP["runs"], at=None) -> tuple[dict, np.ndarray]:
    r"""Each contender's step x_{t−1} − x_t of ``warmup_runs``, and v̂_t, for the steps ``at`` (default: all), every run.

    The gradient g_t = s·(μ + σξ_t) does not depend on x, so neither do the moments: for all three
    contenders :math:`m_t` and :math:`v_t` are lesson 01's EWMAs of :math:`g_t` and :math:`g_t^2`
    (``helpers.averages.ewma``, every run at once).  Given the moments of step t − 1, each optimizer's
    step t is its own ``step()`` from ``helpers.optimizers``: called once with the states of all the
    steps ``at`` stacked (t an array), it returns all those steps in one go; the warm-up's rate is its
    schedule's α_t at each of them.  The same numbers as ``warmup_runs``' traces (a test pins them),
    without a loop of optimizer steps: the explorer redraws quickly.  Returns ({name: array of shape
    (len(at), runs)}, v̂ at ``at``).
    """
    g, m, v = _warmup_moments(float(beta2), float(scale), steps, runs)
    at = np.arange(1, steps + 1) if at is None else np.asarray(at, dtype=int)
    t = at[:, None]
    before = np.zeros((1, runs))
    previous = AdamState(t=t - 1, m=np.concatenate([before, m])[at - 1],
                         v=np.concatenate([before, v])[at - 1])  # the state step t starts from
    out = {}
    with np.errstate(invalid="ignore"):  # RAdam's r_t is NaN (and unused) where ρ_t ≤ 5
        for name, (opt, schedule) in warmup_contenders(beta2, warmup).items():
            if schedule is not None:
                opt = dataclasses.replace(opt, lr=schedule.lr(opt.lr, t))  # α_t at each step t
            x, _ = opt.step(np.zeros((len(at), runs)), g[at - 1], previous)  # from x_{t−1} = 0: x_t = −(the step)
            out[name] = -x
    return out, v[at - 1] / (1 - beta2**t)


def vhat_spread(tr, beta2: float) -> np.ndarray:
    """std(v̂_t)/mean(v̂_t) across the runs of a trace, t = 1..T (its v history, bias-corrected)."""
    v = tr.history("v")[1:]
    t = np.arange(1, len(v) + 1)[:, None]
    v_hat = v / (1 - beta2**t)
    return v_hat.std(axis=1) / v_hat.mean(axis=1)


def step_spread(path) -> tuple[np.ndarray, np.ndarray]:
    """Across the runs, the spread (std) and the mean of each step x_{t−1} − x_t (in units of α when α = 1)."""
    steps = -np.diff(np.asarray(path, dtype=float), axis=0)
    return steps.std(axis=1), steps.mean(axis=1)


def rectification_table(beta2: float = WARMUP["beta2"], ts=(1, 2, 3, 4, 5, 6, 7, 10, 100, 500, 1000, 5000)):
    """RAdam's ρ_t and r_t (NaN while ρ_t ≤ 5, PyTorch's threshold), and whether ρ_t > 4 (the paper) and > 5 (torch)."""
    t = np.asarray(ts)
    rho = radam_rho(beta2, t)
    return {"t": t, "rho": rho, "r": radam_rectification(beta2, t), "paper": rho > 4, "torch": rho > 5}


class WarmupExplorer(LiveFigure):
    """The first thousand steps of Adam, Adam with a linear warm-up, and RAdam on a noisy gradient, over many runs.

    Left: how spread out v̂_t is across the runs (simulation and formula).  Middle: how spread out
    each step is (the noise in it), and Adam's mean step (the signal).  Right: the multipliers,
    the warm-up's α_t/α and RAdam's r_t.  Sliders: β₂, the warm-up length, and the gradient's scale.
    """

    NAMES = ("Adam", "Adam + warm-up", "RAdam")
    BETA2 = (0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999)
    RUNS = 400  # fewer than the printed numbers' 1000: a redraw stays quick, the curves barely move

    def __init__(self, beta2: float = WARMUP["beta2"], warmup: int = WARMUP["warmup"], scale: float = 1.0):
        fig = new_figure(14, 4.3)
        self.ax_v, self.ax_steps, self.ax_mult = fig.subplots(1, 3)
        # log-spaced steps (every one of the first twenty, then thinner): the curves look the same on the
        # log axis as with all 1,000, for a seventh of the work and of the points to draw
        self.t = np.unique(np.round(np.geomspace(1, WARMUP["steps"], 150)).astype(int))
        (self.v_sim,) = self.ax_v.plot([], [], linestyle="none", marker=".", markersize=4, color=OKABE_ITO["black"],
                                       label=f"simulation ({self.RUNS} runs)")
        (self.v_formula,) = self.ax_v.plot([], [], color=OKABE_ITO["vermillion"], linewidth=2,
                                           label="formula: √(Var g² · Σuᵢ²) / E g²")
        (self.v_steady,) = self.ax_v.plot([], [], color=OKABE_ITO["black"], linestyle=":", linewidth=1.2,
                                          label="after many steps: Σuᵢ² → (1 − β₂)/(1 + β₂)")
        self.ax_v.set_ylabel("spread of v̂_t: std / mean")
        self.spread_lines = {}
        for name in self.NAMES:
            (self.spread_lines[name],) = self.ax_steps.plot([], [], label=f"{name}: spread",
                                                            **_look(name, markevery=0.08))
        (self.signal_line,) = self.ax_steps.plot([], [], color=OKABE_ITO["black"], linestyle=":", linewidth=1.4,
                                                 label="Adam: mean step (the signal)")
        self.ax_steps.set_ylabel("step ÷ α: std across runs")
        (self.warm_line,) = self.ax_mult.plot([], [], label="warm-up: α_t / α (LinearLR)",
                                              **_look("Adam + warm-up", markevery=0.08))
        (self.rect_line,) = self.ax_mult.plot([], [], label="RAdam: r_t", **_look("RAdam", markevery=0.08))
        self.unadapted, self.unadapted_last = None, None
        self.ax_mult.set_ylim(0, 1.05)
        self.ax_mult.set_ylabel("multiplier of the Adam step")
        for ax in (self.ax_v, self.ax_steps, self.ax_mult):
            ax.set_xscale("log")
            ax.set_xlim(1, WARMUP["steps"])
            ax.xaxis.set_major_formatter(_PLAIN)
            ax.xaxis.set_minor_locator(NullLocator())
            ax.set_xlabel("step t (log scale)")
            ax.grid(True, alpha=0.3)
        for ax in (self.ax_v, self.ax_steps):
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(_PLAIN)
            ax.yaxis.set_minor_locator(NullLocator())
        self.ax_v.set_ylim(0.005, 2.5)
        controls = {
            # a few telling values, 0.999 (the default) in the middle: → from the default still moves the picture
            "beta2": widgets.SelectionSlider(options=self.BETA2, value=beta2, description="β₂ (memory of g²)",
                                             style=SLIDER_STYLE, layout=SLIDER_LAYOUT),
            "warmup": widgets.SelectionSlider(options=[1, 3, 10, 30, 100, 300, 1000], value=warmup,
                                              description="warm-up steps", style=SLIDER_STYLE, layout=SLIDER_LAYOUT),
            "scale": widgets.FloatLogSlider(value=scale, base=10, min=-2, max=2, step=0.25,
                                            description="gradient scale s", readout_format=".2g",
                                            style=SLIDER_STYLE, layout=SLIDER_LAYOUT),
        }
        self.ax_v.legend(loc="lower left", fontsize=10, framealpha=0.9)  # labels that never change: built once
        self.ax_steps.legend(loc="lower right", fontsize=10, framealpha=0.9)
        super().__init__(fig, controls)

    def draw(self, params: dict) -> None:
        beta2, warmup, scale = params["beta2"], params["warmup"], params["scale"]
        steps, v_hat = warmup_steps(beta2, warmup, scale, runs=self.RUNS, at=self.t)
        t = self.t
        self.v_sim.set_data(t, v_hat.std(axis=1) / v_hat.mean(axis=1))
        self.v_formula.set_data(t, vhat_spread_formula(t, beta2))
        steady = float(vhat_spread_formula(1e9, beta2))
        self.v_steady.set_data([1, t[-1]], [steady, steady])
        self.ax_v.set_title(f"v̂_t averages few gradients early (β₂ = {beta2:.3f})", fontsize=10)
        spreads = []
        for name in self.NAMES:
            spread, mean = steps[name].std(axis=1), steps[name].mean(axis=1)
            self.spread_lines[name].set_data(t, spread)
            spreads.append(spread)
            if name == "Adam":
                self.signal_line.set_data(t, np.abs(mean))
        values = np.concatenate(spreads)
        values = values[np.isfinite(values) & (values > 0)]
        self.ax_steps.set_ylim(10 ** np.floor(np.log10(values.min())), 10 ** np.ceil(np.log10(values.max() * 1.5)))
        self.ax_steps.set_title(f"each step's noise (g = s·(0.1 + ξ), s = {scale:.2g})", fontsize=10)
        schedule = warmup_contenders(beta2, warmup)["Adam + warm-up"][1]
        self.warm_line.set_data(t, schedule.lr(1.0, t))
        self.rect_line.set_data(t, radam_rectification(beta2, t))
        last = int(np.max(t[radam_rho(beta2, t) <= 5]))
        if last != self.unadapted_last:  # the same for every β₂ of the slider: drawn once
            if self.unadapted is not None:
                self.unadapted.remove()
            self.unadapted_last = last
            label = f"RAdam, t ≤ {last}: ρ_t ≤ 5, step α·m̂ (not adapted)"
            self.unadapted = self.ax_mult.axvspan(1, last + 0.5, color=OKABE_ITO["bluish green"], alpha=0.15,
                                                  zorder=1.8, label=label)
            self.ax_mult.legend(loc="upper left", fontsize=10, framealpha=0.9)
        self.ax_mult.set_title(f"the multipliers (warm-up over {warmup} steps)", fontsize=10)


# --- the counterexample in torch ------------------------------------------------------------------

#: torch.optim on the counterexample (tests/golden/make_counterexample_fixture.py): SGD, Adam, Adam(amsgrad=True).
TORCH_COUNTEREXAMPLE = TORCH_FIXTURE.with_name("torch_counterexample.json")


def torch_counterexample() -> tuple[dict, list[dict]]:
    """The torch fixture of the counterexample and, per case, its end x_T and the largest |helpers − torch|.

    ``helpers`` runs each optimizer once for all the fixture's (C, β₂) settings (arrays of hyperparameters).
    """
    if not TORCH_COUNTEREXAMPLE.exists():
        raise FileNotFoundError("tests/golden/torch_counterexample.json is missing: this lesson reads the torch.optim "
                                "fixtures from the project's tests folder (run it from a clone).")
    fixture = json.loads(TORCH_COUNTEREXAMPLE.read_text())
    rows = []
    for name in dict.fromkeys(case["optimizer"] for case in fixture["cases"]):
        cases = [case for case in fixture["cases"] if case["optimizer"] == name]
        C = np.array([case["C"] for case in cases])
        beta2 = np.array([case["beta2"] for case in cases])
        opt = counterexample_optimizers(C, beta2, fixture["lr"])[name]
        ours = counterexample_path(opt, C, fixture["steps"], np.full(len(cases), float(fixture["x0"])))
        for k, case in enumerate(cases):
            theirs = np.array(case["path"])
            rows.append({"optimizer": name, "C": case["C"], "beta2": case["beta2"], "x": float(theirs[-1]),
                         "deviation": float(np.abs(ours[:, k] - theirs).max())})
    return fixture, rows


def paper_experiment(lrs=(1.0,), steps: int = 5050) -> dict[str, np.ndarray]:
    r"""The synthetic experiment of Reddi et al.'s section 5: β₁ = 0.9, β₂ = 0.99, and on F = [−1, 1]

    :math:`f_t(x) = 1010\,x` when t mod 101 = 1, else :math:`-10\,x` (best point −1 again: 1010 − 100·10 > 0),
    α_t = α/√t.  Returns the paths of Adam and AMSGrad, one column per α in ``lrs`` (one vectorized run each).
    """
    lrs = np.asarray(lrs, dtype=float)

    def grad(x, t):
        return np.full_like(x, 1010.0 if t % 101 == 1 else -10.0)

    ends = {}
    for name, opt in (("Adam", Adam(lrs, 0.9, 0.99)), ("AMSGrad", AMSGrad(lrs, 0.9, 0.99))):
        ends[name] = run(opt, grad, np.zeros(len(lrs)), steps, schedule=InverseSqrtLR(), project=project,
                         online=True)
    return ends


#: Every interactive figure of the notebook, by name (for the tests and the benchmark).
WIDGETS: dict[str, Callable[[], LiveFigure]] = {
    "counterexample": CounterexampleExplorer,
    "decay": DecayExplorer,
    "warmup": WarmupExplorer,
}
