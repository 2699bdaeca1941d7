r"""Lesson 06 · Adam: momentum's first moment, RMSProp's second moment, and bias correction.

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2

    \hat m_t = m_t / (1-\beta_1^t) \qquad \hat v_t = v_t / (1-\beta_2^t)

    x_t = x_{t-1} - \alpha\, \hat m_t / (\sqrt{\hat v_t} + \varepsilon)

What the notebook ``06_adam.ipynb`` shows and prints comes from here:

- ``adam_playground`` (Adam against gradient descent, with a bias-correction toggle and a
  step-size panel) and ``race`` (GD, momentum, RMSProp and Adam on shared sliders);
- the numbers the prose claims: ``bias_correction_table``, ``scale_table``,
  ``race_table``, ``variant_steps``, ``deviation_from_torch``, …;
- how large a step can be: ``step_bound`` (the Cauchy–Schwarz supremum, 7.27 α at the
  defaults), ``paper_step_bound`` (Kingma & Ba's section 2.1 values, which are not bounds),
  ``worst_gradients`` / ``quiet_then_worst`` / ``growth_steps`` (``helpers.optimizers.Adam`` fed
  the gradients that reach it), and where the scale invariance ends (``invariance_table``);
- section 11: ``amsgrad_last_steps`` (AMSGrad's three forms), ``decay_per_step`` /
  ``adamw_paper_step`` / ``l2_against_decoupled`` (weight decay λ_wd as PyTorch's L2 term and
  AdamW's two forms);
- the three ways implementations place ε (``VARIANTS``), run by ``run_variant``;
- the exercise check ``check_adam_step``, which names the slip behind a wrong answer.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from helpers.optimizers import SGD, Adam, AdamW, AMSGrad, Momentum, RMSProp, run, steps_to_converge, trace
from helpers.plotting import DATA_STYLE, OKABE_ITO, new_figure, style
from helpers.surfaces import (
    Surface,
    beale,
    curvatures,
    elongated_quadratic,
    quadratic,
    rosenbrock,
    rotated_quadratic,
    saddle,
)
from lessons.checks import Feedback, LearnerRun, compare, ignored_arguments, run_learner, same_values
from lessons.playground import Contender, Playground, divergence_step
from lessons.widgets import beta_slider, lr_slider, toggle

__all__ = [
    "PAPER",
    "WIDGETS",
    "adam_playground",
    "race",
    "RACE",
    "step_lengths",
    "bias_correction_table",
    "uncorrected_ratio",
    "paper_step_bound",
    "sparse_step",
    "step_bound",
    "worst_gradients",
    "stream_steps",
    "growth_limit",
    "growth_steps",
    "quiet_then_worst",
    "scale_table",
    "gd_stability_limit",
    "race_table",
    "VARIANTS",
    "run_variant",
    "variant_steps",
    "eps_hat_equivalence",
    "effective_eps",
    "TORCH_FIXTURE",
    "torch_adam_cases",
    "deviation_from_torch",
    "check_adam_step",
    "idea_figure",
    "bias_correction_figure",
]

#: The paper's defaults (Kingma & Ba, 2014, Algorithm 1).
PAPER = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


# --- measuring steps ------------------------------------------------------------------


def step_lengths(path: np.ndarray) -> np.ndarray:
    r"""The size of each step, :math:`\|x_k - x_{k-1}\|_\infty` for k = 1..len(path) − 1.

    The largest coordinate's move: Adam bounds each coordinate separately, so this
    is the natural yardstick (a 2-D step of α in both coordinates has length α, not α√2).
    """
    path = np.asarray(path, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.abs(np.diff(path, axis=0)).reshape(len(path) - 1, -1).max(axis=1)


def _constant_gradient(x: np.ndarray) -> np.ndarray:
    return np.ones_like(x)


def uncorrected_ratio(t, beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"]) -> np.ndarray:
    r"""Step t without bias correction ÷ step t with it, under a constant gradient.

    With a constant gradient g, :math:`m_t = (1-\beta_1^t) g` and :math:`v_t = (1-\beta_2^t) g^2`,
    so the uncorrected step is :math:`\alpha (1-\beta_1^t)/\sqrt{1-\beta_2^t}` (ε neglected),
    while the corrected one is α.
    """
    t = np.asarray(t, dtype=float)
    return (1 - beta1**t) / np.sqrt(1 - beta2**t)


def bias_correction_table(ts=(1, 2, 3, 4, 5, 10, 20, 100, 1000, 5000), lr: float = PAPER["lr"],
                          beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"]) -> list[dict]:
    """Adam's step t with and without bias correction (in units of α), run on a constant gradient g = 1.

    Each row: ``t``, ``with`` and ``without`` (step length ÷ α, from ``helpers.optimizers.Adam``),
    ``ratio`` (without ÷ with) and ``formula`` (``uncorrected_ratio(t)``, the closed form).
    """
    steps = max(ts)
    x0 = np.zeros(1)
    with_ = step_lengths(run(Adam(lr, beta1, beta2), _constant_gradient, x0, steps)) / lr
    without = step_lengths(run(Adam(lr, beta1, beta2, bias_correction=False), _constant_gradient, x0, steps)) / lr
    return [{"t": t, "with": with_[t - 1], "without": without[t - 1], "ratio": without[t - 1] / with_[t - 1],
             "formula": float(uncorrected_ratio(t, beta1, beta2))} for t in ts]


def paper_step_bound(beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"]) -> float:
    r"""What Kingma & Ba (section 2.1) give as the largest corrected step, in units of α: not a bound.

    :math:`|\Delta_t| \le \alpha (1-\beta_1)/\sqrt{1-\beta_2}` when :math:`1-\beta_1 > \sqrt{1-\beta_2}`,
    and :math:`|\Delta_t| \le \alpha` otherwise.  The first value is the step after a long run of
    zero gradients (``sparse_step``); the true supremum, ``step_bound``, is larger in both cases.
    """
    return max(sparse_step(beta1, beta2), 1.0)


def sparse_step(beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"]) -> float:
    r"""The step after a long run of zero gradients, in units of α (ε = 0): :math:`(1-\beta_1)/\sqrt{1-\beta_2}`.

    m and v then hold the one gradient with their newest weights 1 − β₁ and 1 − β₂, and the
    bias corrections are ≈ 1 (t large).
    """
    return (1 - beta1) / math.sqrt(1 - beta2)


def step_bound(beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"], t=None) -> float | np.ndarray:
    r"""The largest corrected step Adam can take, in units of α (ε = 0): the supremum of |m̂_t|/√v̂_t.

    With the bias-corrected weights :math:`w_i = (1-\beta_1)\beta_1^{t-i}/(1-\beta_1^t)` and
    :math:`u_i = (1-\beta_2)\beta_2^{t-i}/(1-\beta_2^t)`, :math:`\hat m_t = \sum_i w_i g_i` and
    :math:`\hat v_t = \sum_i u_i g_i^2`, so Cauchy–Schwarz gives

    .. math::
        \frac{|\hat m_t|}{\sqrt{\hat v_t}} \le \sqrt{\sum_{i=1}^t \frac{w_i^2}{u_i}}
        = \frac{1-\beta_1}{1-\beta_1^t}\sqrt{\frac{1-\beta_2^t}{1-\beta_2}\cdot
          \frac{1-\rho^t}{1-\rho}}, \qquad \rho = \beta_1^2/\beta_2,

    with equality when :math:`g_i \propto w_i/u_i \propto (\beta_2/\beta_1)^i` (``worst_gradients``).
    It grows with t; ``t=None`` gives its limit (the supremum over all t),
    :math:`(1-\beta_1)/\sqrt{(1-\beta_2)(1-\beta_1^2/\beta_2)}`, which is infinite when
    :math:`\beta_1^2 \ge \beta_2`.
    """
    rho = beta1**2 / beta2
    if t is None:
        if rho >= 1:
            return math.inf
        return (1 - beta1) / math.sqrt((1 - beta2) * (1 - rho))
    t = np.asarray(t, dtype=float)
    geometric = t if rho == 1 else (1 - rho**t) / (1 - rho)  # Σ_{k<t} ρ^k
    return (1 - beta1) / (1 - beta1**t) * np.sqrt((1 - beta2**t) / (1 - beta2) * geometric)


def worst_gradients(steps: int, beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"]) -> np.ndarray:
    r"""The gradient stream that makes step t exactly ``step_bound(beta1, beta2, t)`` × α at every t (ε = 0):
    :math:`g_i = (\beta_2/\beta_1)^{i-1}`, i = 1..steps (it grows by β₂/β₁, about 11 % per step at the defaults).

    Only the ratio matters (Adam is scale-free), so the stream starts at 1.
    """
    return (beta2 / beta1) ** np.arange(steps, dtype=float)


def stream_steps(g, lr: float = 1.0, **hyper) -> np.ndarray:
    """The steps of ``helpers.optimizers.Adam`` fed the gradient stream ``g`` (shape (T,) or (T, n)), ÷ α.

    A positive gradient moves x down, so a step is reported as ``(x_{t-1} − x_t) / α``.
    """
    g = np.asarray(g, dtype=float)
    stream = g.reshape(len(g), -1)
    path = run(Adam(lr, **dict({k: PAPER[k] for k in ("beta1", "beta2", "eps")}, **hyper)),
               lambda x, t: stream[t - 1], np.zeros(stream.shape[1]), len(g), online=True)
    return (-np.diff(path, axis=0) / lr).reshape(g.shape)


def growth_limit(r, beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"]) -> np.ndarray:
    r"""m̂/√v̂ in the long run for a gradient that grows by the factor r every step (ε = 0, t → ∞):

    .. math:: \frac{(1-\beta_1)/(1-\beta_1/r)}{\sqrt{(1-\beta_2)/(1-\beta_2/r^2)}}
              \qquad (r > \beta_1,\ r^2 > \beta_2).

    1 for a steady gradient (r = 1), largest (``step_bound``) at r = β₂/β₁.  A gradient that shrinks
    faster than v forgets (:math:`r^2 \le \beta_2`) leaves v̂ dominated by its larger past: the ratio → 0.
    """
    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (1 - beta1) / (1 - beta1 / r) / np.sqrt((1 - beta2) / (1 - beta2 / r**2))
    return np.where(r**2 > beta2, ratio, 0.0)


def growth_steps(rates, steps: int = 10_000, **hyper) -> np.ndarray:
    r"""The last of ``steps`` Adam steps (÷ α) for gradients growing by each factor r in ``rates``.

    Coordinate j gets :math:`g_t = r_j^{\,t - T}` (T = ``steps``, so every stream ends at 1 and
    earlier values shrink or grow towards the past); the coordinates run side by side in one
    ``helpers.optimizers.Adam``.  Compare with ``growth_limit``.
    """
    rates = np.asarray(rates, dtype=float)
    t = np.arange(1, steps + 1, dtype=float)[:, None]
    with np.errstate(under="ignore", over="ignore"):
        g = rates[None, :] ** (t - steps)
    return stream_steps(g, **hyper)[-1]


def quiet_then_worst(quiet: int = 10_000, growing: int = 200, beta1: float = PAPER["beta1"],
                     beta2: float = PAPER["beta2"], level: float = 1.0) -> float:
    """``helpers.optimizers.Adam``'s last step (÷ α) after ``quiet`` steps of g = ``level``, then ``growing``
    steps of a gradient that grows by β₂/β₁ each step: the supremum, nearly reached."""
    g = np.concatenate([np.full(quiet, level), level * (beta2 / beta1) ** np.arange(1, growing + 1)])
    return float(stream_steps(g, beta1=beta1, beta2=beta2)[-1])


def gd_stability_limit(surface: Surface) -> float:
    """The largest stable learning rate of gradient descent at the surface's minimum: 2 / λ_max."""
    return 2 / float(curvatures(surface)[-1])


def scale_table(scale: float = 1000.0, steps: int = 3, lr: float = PAPER["lr"]) -> dict:
    """The first steps of GD and Adam (both with learning rate ``lr``) on the elongated quadratic and on it × ``scale``.

    Returns ``{"GD": {"original": lengths, "scaled": lengths}, "Adam": {...}}`` with the
    step lengths (∞-norm) of steps 1..``steps``, from ``helpers.optimizers``.
    """
    surfaces = {"original": elongated_quadratic(), "scaled": elongated_quadratic().scaled(scale)}
    optimizers = {"GD": SGD(lr), "Adam": Adam(lr)}
    return {name: {key: step_lengths(run(opt, s.grad, s.start, steps)) for key, s in surfaces.items()}
            for name, opt in optimizers.items()}


# --- what the scale invariance covers, and what it does not -------------------------------


def rescaled_bowl(factors=(500.0, 0.0005)) -> Surface:
    """The elongated quadratic with each coordinate's curvature multiplied by its own factor.

    Its gradient at every point is the bowl's gradient times ``diag(factors)``: a
    per-coordinate rescaling (default: 0.1 w² + 2 b² becomes 50 w² + 0.001 b²).
    """
    base = elongated_quadratic()
    lam = curvatures(base) * np.asarray(factors, dtype=float)
    return quadratic(curvatures=tuple(lam), start=tuple(base.start), xlim=base.xlim, ylim=base.ylim)


def invariance_table(lr: float = 0.1, steps: int = 300, degrees: float = 45.0) -> dict:
    r"""How far Adam's path moves when the problem is rescaled or turned, with ``lr`` and ``steps``.

    - ``"per coordinate"``: ``rescaled_bowl()`` against the bowl, for ε = 0 and ε = 10⁻⁸;
    - ``"loss × 1e-6"``: the bowl's loss times 10⁻⁶ against the bowl, for ε = 0 and ε = 10⁻⁸;
    - ``"turned"``: the bowl turned by ``degrees`` (``helpers.surfaces.rotated_quadratic``, lesson 04's); the path is
      turned back before the comparison.  For Adam (ε = 0) and for GD with the same α.

    Each entry is the largest ‖difference‖∞ between the paths over ``steps`` steps.  Also
    ``"steps"``: steps to within 10⁻³ of the minimum, unturned and turned, for Adam and GD.
    """
    bowl = elongated_quadratic()
    out = {}
    for key, other in (("per coordinate", rescaled_bowl()), ("loss × 1e-6", bowl.scaled(1e-6))):
        out[key] = {eps: float(np.abs(run(Adam(lr, eps=eps), bowl.grad, bowl.start, steps)
                                     - run(Adam(lr, eps=eps), other.grad, other.start, steps)).max())
                    for eps in (0.0, 1e-8)}
    turned = rotated_quadratic(degrees)  # the same turned bowl as lesson 04
    theta = np.deg2rad(degrees)
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    start = R @ bowl.start  # the bowl's start, turned with it
    out["turned"], out["steps"] = {}, {}
    for name, opt in (("Adam", Adam(lr, eps=0.0)), ("GD", SGD(lr))):
        back = run(opt, turned.grad, start, steps) @ R  # each x_k turned back: R^T x_k
        out["turned"][name] = float(np.abs(back - run(opt, bowl.grad, bowl.start, steps)).max())
        out["steps"][name] = tuple(int(steps_to_converge(opt, s.grad, x0, np.zeros(2), 100_000, tol=1e-3))
                                   for s, x0 in ((bowl, bowl.start), (turned, start)))
    return out


# --- the playground's "try this", in numbers ---------------------------------------------------


def playground_facts(lr: float = 0.1, steps: int = 200) -> dict:
    """What each "try this" under the Adam playground shows, computed with the playground's optimizers.

    - ``scaled``: the largest difference between Adam's paths on the bowl and on the bowl × 1000,
      and the step at which GD diverges on the scaled bowl;
    - ``uncorrected``: per β₂ (0.999, 0.9999), the largest of the first 30 steps ÷ α and its step,
      with and without bias correction;
    - ``saddle``: per start (y = 10⁻³, 10⁻⁸), the step at which |y| passes 0.5 for GD and Adam
      (None: not within ``steps``), and Adam's first move in y ÷ α;
    - ``beta1``: per β₁ (0.9, 0), how often b changes sign on the bowl;
    - ``w_axis``: from (−5, 0.001), each optimizer's first move in b and how often b changes sign.
    """
    bowl, big, ridge = elongated_quadratic(), elongated_quadratic().scaled(1000), saddle()
    out = {"scaled": {"adam_difference": float(np.abs(run(Adam(lr), bowl.grad, bowl.start, steps)
                                                      - run(Adam(lr), big.grad, big.start, steps)).max()),
                      "gd_diverged": divergence_step(big, run(SGD(lr), big.grad, big.start, steps))}}
    out["uncorrected"] = {}
    for beta2 in (0.999, 0.9999):
        for corrected in (True, False):
            first = step_lengths(run(Adam(lr, 0.9, beta2, bias_correction=corrected), bowl.grad, bowl.start,
                                     30)) / lr
            out["uncorrected"][beta2, corrected] = (float(first.max()), int(first.argmax()) + 1)
    out["saddle"] = {}
    for y0 in (1e-3, 1e-8):
        x0 = np.array([-1.5, y0])
        row = {}
        for name, opt in (("GD", SGD(lr)), ("Adam", Adam(lr))):
            path = run(opt, ridge.grad, x0, steps)
            away = np.abs(path[:, 1]) > 0.5
            row[name] = int(np.argmax(away)) if away.any() else None
        row["adam_first_y"] = float(abs(run(Adam(lr), ridge.grad, x0, 1)[1, 1] - y0) / lr)
        row["gradient_y"] = float(ridge.grad(x0)[1])
        out["saddle"][y0] = row
    out["beta1"] = {b1: int(np.sum(np.diff(np.sign(run(Adam(lr, b1), bowl.grad, bowl.start, steps)[:, 1])) != 0))
                    for b1 in (0.9, 0.0)}
    x0 = np.array([-5.0, 1e-3])
    out["w_axis"] = {}
    for name, opt in (("GD", SGD(lr)), ("Adam", Adam(lr))):
        path = run(opt, bowl.grad, x0, steps)
        out["w_axis"][name] = (float(path[1, 1] - x0[1]), int(np.sum(np.diff(np.sign(path[:, 1])) != 0)))
    return out


# --- the race ---------------------------------------------------------------------------

#: The four contenders of the race; every one reads the same sliders.
RACE = [
    Contender("GD", lambda p: SGD(p["lr"])),  # x -= α g
    Contender("Momentum", lambda p: Momentum(p["lr"], p["beta1"])),  # x -= α m, m = EWMA of g (lecture form)
    Contender("RMSProp", lambda p: RMSProp(p["lr"], p["beta2"])),  # x -= α g / (√s + ε), s = EWMA of g²
    Contender("Adam", lambda p: Adam(p["lr"], p["beta1"], p["beta2"])),  # x -= α m̂ / (√v̂ + ε)
]

RACE_DEFAULTS = {"lr": 0.1, "beta1": 0.9, "beta2": 0.999}


def _race_surfaces() -> dict[str, Surface]:
    return {"elongated quadratic": elongated_quadratic(), "Rosenbrock": rosenbrock(), "Beale": beale(),
            "saddle": saddle()}


def race_table(params: Mapping | None = None, tol: float = 1e-2, max_steps: int = 5000,
               surfaces: Mapping[str, Surface] | None = None) -> dict[str, dict[str, str | int]]:
    """Steps each race contender needs to stay within ``tol`` of the minimum, per surface.

    Entries are an int (the step k from which ‖x_j − x*‖∞ ≤ tol for every j ≥ k up to
    ``max_steps``: a run that passes close and leaves again has not arrived), ``"in and out"``
    (it comes within tol but still leaves it in the last quarter of the run: it rattles),
    ``"diverged at k"`` or ``"> max_steps"``.  ``params`` are the slider values (default: ``RACE_DEFAULTS``).
    """
    params = dict(RACE_DEFAULTS, **(params or {}))
    surfaces = surfaces or _race_surfaces()
    table = {}
    for name, s in surfaces.items():
        row = {}
        for c in RACE:
            path = run(c.make(params), s.grad, s.start, max_steps)
            with np.errstate(all="ignore"):  # a diverging path overflows on its way to NaN
                close = np.abs(path - s.minimum).max(axis=1) <= tol
            k_bad = divergence_step(s, path)
            stays = int(len(close) - np.argmin(close[::-1])) if not close.all() else 0  # the step after the last miss
            if k_bad is None and close[-1] and stays <= 0.75 * max_steps:
                row[c.name] = stays
            elif k_bad is None and close.any():
                row[c.name] = "in and out"
            elif k_bad is not None:
                row[c.name] = f"diverged at {k_bad}"
            else:
                row[c.name] = f"> {max_steps}"
        table[name] = row
    return table


def rattle(name: str = "RMSProp", surface: Surface | None = None, tol: float = 1e-2, max_steps: int = 2000) -> dict:
    """A race run that comes within ``tol`` and leaves again: its first step within (``first``), and how far
    (‖x − x*‖∞, ``worst``) and when (``worst_step``) it is farthest out afterwards."""
    s = surface or elongated_quadratic()
    contender = next(c for c in RACE if c.name == name)
    distance = np.abs(run(contender.make(RACE_DEFAULTS), s.grad, s.start, max_steps) - s.minimum).max(axis=1)
    first = int(np.argmax(distance <= tol))
    worst_step = first + int(np.argmax(distance[first:]))
    return {"first": first, "worst": float(distance[worst_step]), "worst_step": worst_step}


# --- widgets ----------------------------------------------------------------------------


class StepPanel:
    """The playground's third panel: each step's length ÷ α (log scale), with a line at 1 (a step of exactly α)."""

    def __init__(self, names: list[str]):
        self.names = names
        self.lines = {}

    def setup(self, ax) -> None:
        for name in self.names:
            (self.lines[name],) = ax.plot([], [], label=name, **dict(style(name), marker=None))
        ax.axhline(1.0, color=OKABE_ITO["bluish green"], linestyle=":", linewidth=1.5, label="a step of α")
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))  # plain text: cheaper than 10^k
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        ax.set_xlabel("step k")
        ax.set_ylabel(r"$\|x_k - x_{k-1}\|_\infty\,/\,\alpha$")
        ax.set_title("step size in units of α")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper right", fontsize=10, framealpha=0.9)

    def update(self, ax, traces, surface: Surface, params: dict) -> None:
        shown = []
        for name, line in self.lines.items():
            path = traces[name].path
            steps = step_lengths(path) / params["lr"]
            with np.errstate(invalid="ignore"):
                steps = np.where(steps > 0, steps, np.nan)  # a log axis cannot show 0
            k = divergence_step(surface, path)
            if k is not None:
                steps[k:] = np.nan  # as in the loss panel: up to the step that blew up, then off the chart
            line.set_data(np.arange(1, len(steps) + 1), steps)
            shown.append(steps[np.isfinite(steps)])
        values = np.concatenate(shown)
        low = max(float(values.min()), 1e-4) if values.size else 0.1
        high = min(float(values.max()), 1e5) if values.size else 10.0
        ax.set_xlim(0, len(steps))
        ax.set_ylim(10 ** math.floor(math.log10(min(low, 0.5))), 10 ** math.ceil(math.log10(max(high, 2.0))))


def _playground_surfaces() -> dict[str, Surface]:
    q = elongated_quadratic()
    return {"elongated quadratic": q, "1000 × elongated quadratic": q.scaled(1000), "Rosenbrock": rosenbrock(),
            "Beale": beale(), "saddle": saddle()}


def _playground_starts(surface: Surface) -> dict[str, np.ndarray]:
    """Start points that teach something: a coordinate whose gradient is tiny still moves about α per step."""
    if "elongated quadratic" in surface.name:
        return {"(−5, −2)": surface.start, "(−5, 0.001): almost on the w-axis": np.array([-5.0, 1e-3])}
    if surface.name == "saddle":
        return {"(−1.5, 10⁻³): just off the ridge": surface.start,
                "(−1.5, 10⁻⁸): almost on the ridge": np.array([-1.5, 1e-8])}
    x, y = surface.start
    return {f"({x:g}, {y:g})".replace("-", "−"): surface.start}


def _beta1_slider(value: float = 0.9):
    return beta_slider(value, min=0.0, max=0.99, step=0.01, description="β₁ (momentum)")


def _beta2_slider(value: float = 0.999):
    slider = beta_slider(value, min=0.9, max=0.9999, step=0.0001, description="β₂ (RMS)")
    slider.readout_format = ".4f"  # 0.9999 must not read "1.000"
    return slider


class AdamPlayground(Playground):
    """The shared playground, its legends large enough to read when projected."""

    legend_fontsize = 10


def adam_playground() -> Playground:
    """Adam against gradient descent: contours and paths, loss per step, and each step's size in units of α.

    Sliders: learning rate α (log scale), β₁, β₂; a bias-correction toggle; the surface
    (including the elongated quadratic × 1000) and, where it teaches something, the start.
    """

    def make_adam(p):
        return Adam(p["lr"], p["beta1"], p["beta2"], bias_correction=p["bias_correction"])

    def describe(p):
        corrected = "on" if p["bias_correction"] else "OFF"
        return f"α = {p['lr']:.2g}\nβ₁ = {p['beta1']:.2f}, β₂ = {p['beta2']:.4f}, bias correction {corrected}"

    return AdamPlayground(
        contenders=[Contender("GD", lambda p: SGD(p["lr"])), Contender("Adam", make_adam)],
        controls={"lr": lr_slider(0.1, -4, 0), "beta1": _beta1_slider(), "beta2": _beta2_slider(),
                  "bias_correction": toggle(True, "bias correction (m̂, v̂)")},
        surfaces=_playground_surfaces(),
        starts=_playground_starts,
        steps=200,
        panel=StepPanel(["GD", "Adam"]),
        describe=describe,
        width=13.0,
    )


def race() -> Playground:
    """GD, momentum, RMSProp and Adam from the same start, all reading the same three sliders.

    α is every contender's learning rate; β₁ is momentum's β and Adam's β₁; β₂ is RMSProp's β
    and Adam's β₂.
    """
    return AdamPlayground(
        contenders=RACE,
        controls={"lr": lr_slider(RACE_DEFAULTS["lr"], -4, 0), "beta1": _beta1_slider(RACE_DEFAULTS["beta1"]),
                  "beta2": _beta2_slider(RACE_DEFAULTS["beta2"])},
        surfaces=_race_surfaces(),
        steps=200,
        describe=lambda p: f"α = {p['lr']:.2g}, β₁ = {p['beta1']:.2f}, β₂ = {p['beta2']:.4f}",
    )


#: Every interactive figure of the notebook, by name (for the tests and the benchmark).
WIDGETS: dict[str, Callable[[], Playground]] = {"adam_playground": adam_playground, "race": race}


# --- how implementations differ: where ε goes ---------------------------------------------


def _moments(g, m, v, beta1, beta2):
    m = beta1 * m + (1 - beta1) * g  # m_t = β₁ m_{t-1} + (1 - β₁) g_t
    v = beta2 * v + (1 - beta2) * g**2  # v_t = β₂ v_{t-1} + (1 - β₂) g_t²
    return m, v


def step_paper(x, g, m, v, t, lr, beta1, beta2, eps):
    r"""Algorithm 1 of the paper, and PyTorch.

    :math:`x_t = x_{t-1} - \alpha\,\hat m_t/(\sqrt{\hat v_t} + \varepsilon)`.
    """
    m, v = _moments(g, m, v, beta1, beta2)
    m_hat = m / (1 - beta1**t)  # m̂_t = m_t / (1 - β₁ᵗ)
    v_hat = v / (1 - beta2**t)  # v̂_t = v_t / (1 - β₂ᵗ)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def step_eps_inside(x, g, m, v, t, lr, beta1, beta2, eps):
    r"""ε inside the root (as optax's ``eps_root``).

    :math:`x_t = x_{t-1} - \alpha\,\hat m_t/\sqrt{\hat v_t + \varepsilon}`.
    """
    m, v = _moments(g, m, v, beta1, beta2)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return x - lr * m_hat / np.sqrt(v_hat + eps), m, v


def step_eps_hat(x, g, m, v, t, lr, beta1, beta2, eps):
    r"""The paper's "more efficient" order (end of section 2), TensorFlow/Keras's convention.

    :math:`\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)`, then
    :math:`x_t = x_{t-1} - \alpha_t\, m_t/(\sqrt{v_t} + \hat\varepsilon)`: ε is added before
    the bias correction, so it acts like :math:`\varepsilon/\sqrt{1-\beta_2^t}` in Algorithm 1.
    """
    m, v = _moments(g, m, v, beta1, beta2)
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)  # α_t = α √(1 - β₂ᵗ) / (1 - β₁ᵗ)
    return x - lr_t * m / (np.sqrt(v) + eps), m, v


#: Three places for ε, by the name the notebook prints: 1 is the paper's Algorithm 1 and PyTorch,
#: 2 puts ε inside the root (optax's ``eps_root``), 3 is the paper's section-2 order (TF/Keras's ε̂).
VARIANTS: dict[str, Callable] = {
    "1: √v̂ + ε": step_paper,
    "2: √(v̂ + ε)": step_eps_inside,
    "3: √v + ε̂": step_eps_hat,
}


def run_variant(step: Callable, grad_fn: Callable, x0, steps: int, lr: float = PAPER["lr"],
                beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"], eps=PAPER["eps"]) -> np.ndarray:
    """The path of one of the ``VARIANTS`` (or any step with their signature): shape ``(steps + 1, *x0.shape)``.

    ``eps`` may be a number or a function of t (e.g. ``lambda t: 1e-8 * np.sqrt(1 - 0.999**t)``).
    """
    x = np.asarray(x0, dtype=float)
    m = v = np.zeros_like(x)
    path = [x]
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            eps_t = eps(t) if callable(eps) else eps
            x, m, v = step(x, grad_fn(x), m, v, t, lr, beta1, beta2, eps_t)
            path.append(x)
    return np.array(path)


def variant_steps(g: float, ts=(1, 2, 3, 10, 100, 1000), **hyper) -> dict[str, np.ndarray]:
    """Step t ÷ α of every variant under a constant gradient of size ``g``, for each t in ``ts``.

    With a gradient of about 1, ε (10⁻⁸) is invisible wherever it sits; with a gradient of
    10⁻⁶, where ε sits decides the step.
    """
    hyper = dict(PAPER, **hyper)
    ts = tuple(ts)

    def grad(x):
        return np.full_like(x, g)

    return {name: step_lengths(run_variant(step, grad, np.zeros(1), max(ts), **hyper))[np.array(ts) - 1]
            / hyper["lr"] for name, step in VARIANTS.items()}


def effective_eps(eps: float, t, beta2: float = PAPER["beta2"]) -> np.ndarray:
    r"""The ε of Algorithm 1 that the ε̂ convention amounts to at step t: :math:`\hat\varepsilon/\sqrt{1-\beta_2^t}`."""
    return eps / np.sqrt(1 - beta2 ** np.asarray(t, dtype=float))


def eps_hat_equivalence(steps: int = 200, scale: float = 1e-6, **hyper) -> float:
    r"""Largest relative difference between Algorithm 1 and the ε̂ form with a time-varying ε̂.

    The ε̂ form is run with :math:`\hat\varepsilon = \varepsilon\sqrt{1-\beta_2^t}`.

    On the elongated quadratic × ``scale`` (small gradients, so that ε matters); ~1e-16 means
    the two are the same optimizer.
    """
    hyper = dict(PAPER, **hyper)
    s = elongated_quadratic().scaled(scale)
    eps, beta2 = hyper.pop("eps"), hyper["beta2"]
    paper = run_variant(step_paper, s.grad, s.start, steps, eps=eps, **hyper)
    hat = run_variant(step_eps_hat, s.grad, s.start, steps, eps=lambda t: eps * np.sqrt(1 - beta2**t), **hyper)
    return _relative_deviation(hat, paper)


# --- where to go next: AMSGrad's three forms, and weight decay two ways -----------------------


def amsgrad_last_steps(loud: int = 10, quiet: int = 989, lr: float = 1.0) -> dict[str, float]:
    """The last step (÷ α) after ``loud`` steps of g = 1, ``quiet`` steps of g = 10⁻³, then one g = 1.

    For ``AMSGrad`` in each of its three forms and for plain ``Adam`` (defaults otherwise).
    The quiet spell lets v decay; the forms differ in whether the running max remembers
    the loud start, and how the bias correction meets it.
    """
    steps = loud + quiet + 1

    def grad(x, t):
        return np.full_like(x, 1.0 if t <= loud or t == steps else 1e-3)

    optimizers = {f"AMSGrad(form={form!r})": AMSGrad(lr, form=form) for form in ("pytorch", "optax", "paper")}
    optimizers["Adam"] = Adam(lr)
    return {name: float(abs(np.diff(run(opt, grad, np.zeros(1), steps, online=True)[-2:, 0])[0]) / lr)
            for name, opt in optimizers.items()}


def adamw_paper_step(x, g, state, lr: float, weight_decay: float, eta: float = 1.0, beta1: float = PAPER["beta1"],
                     beta2: float = PAPER["beta2"], eps: float = PAPER["eps"]):
    r"""One step of Loshchilov & Hutter's Algorithm 2 (AdamW as the paper writes it); returns (x, state).

    :math:`x_t = x_{t-1} - \eta_t\,(\alpha\,\hat m_t/(\sqrt{\hat v_t} + \varepsilon) + \lambda_{wd}\,x_{t-1})`:
    the decay is scaled by the schedule multiplier :math:`\eta_t` (``eta``), not by α.
    ``state`` is ``helpers.optimizers.Adam``'s (m, v, t).
    """
    opt = Adam(lr, beta1, beta2, eps)
    adam_x, state = opt.step(x, g, state)  # x_{t-1} − α m̂_t/(√v̂_t + ε)
    return x - eta * ((x - adam_x) + weight_decay * x), state


def decay_per_step(weight_decay: float = 0.01, lrs=(1e-3, 1e-2)) -> dict[float, dict[str, float]]:
    """One step from x = 1 with a zero gradient (so only the decay acts), for each α in ``lrs``:
    the shrink factor x₁/x₀ of PyTorch's AdamW (``helpers.optimizers.AdamW``) and of the paper's
    Algorithm 2 with η_t = 1, both with λ_wd = ``weight_decay``."""
    x0, g = np.ones(1), np.zeros(1)
    out = {}
    for lr in lrs:
        torch_form = AdamW(lr, weight_decay=weight_decay)
        x_torch, _ = torch_form.step(x0, g, torch_form.init(x0))
        x_paper, _ = adamw_paper_step(x0, g, Adam(lr).init(x0), lr, weight_decay)
        out[lr] = {"pytorch": float(x_torch[0]), "paper": float(x_paper[0])}
    return out


def l2_against_decoupled(lr: float = 1e-3, weight_decay: float = 0.1, steps: int = 1000, loud: float = 10.0
                         ) -> dict[str, np.ndarray]:
    """Two weights from x = (1, 1): the loss's gradient is ±``loud`` (alternating) on the first, 0 on the second.

    Returns x after ``steps`` steps of ``Adam(weight_decay=...)`` (PyTorch's L2 term, g + λ_wd·x, which then
    goes through √v̂) and of ``AdamW(weight_decay=...)`` (decoupled, x(1 − αλ_wd)), and the factor
    (1 − αλ_wd)^steps that decoupled decay alone would give.
    """
    def grad(x, t):
        return np.array([loud * (-1) ** t, 0.0])

    x0 = np.ones(2)
    return {"Adam (L2)": run(Adam(lr, weight_decay=weight_decay), grad, x0, steps, online=True)[-1],
            "AdamW": run(AdamW(lr, weight_decay=weight_decay), grad, x0, steps, online=True)[-1],
            "decay alone": (1 - lr * weight_decay) ** steps}


def sgd_l2_is_decay(lr: float = 0.1, weight_decay: float = 0.1, steps: int = 50) -> float:
    """For plain SGD, PyTorch's L2 ``weight_decay`` is decoupled decay: x ← x(1 − α·λ_wd) − α·g.

    Returns the largest difference between ``SGD(weight_decay=...)`` on the bowl and that loop.
    """
    bowl = elongated_quadratic()
    x, path = bowl.start.copy(), [bowl.start]
    for _ in range(steps):
        x = x * (1 - lr * weight_decay) - lr * bowl.grad(x)  # decay, then the plain gradient step
        path.append(x)
    return float(np.abs(run(SGD(lr, weight_decay=weight_decay), bowl.grad, bowl.start, steps) - np.array(path)).max())


# --- the golden fixtures: torch.optim.Adam trajectories -----------------------------------

#: Trajectories of torch.optim.Adam (PyTorch 2.13, float64), committed with the tests.
TORCH_FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "golden" / "torch_trajectories.json"


def _fixture() -> dict:
    if not TORCH_FIXTURE.exists():
        raise FileNotFoundError("tests/golden/torch_trajectories.json is missing: this lesson reads the "
                                "torch.optim fixtures from the project's tests folder (run it from a clone).")
    return json.loads(TORCH_FIXTURE.read_text())


def _fixture_gradient(problem: str, fixture: dict) -> Callable:
    """The gradient of a fixture problem (the same functions the fixtures were made on)."""
    if problem == "least_squares":
        A = np.array(fixture["least_squares"]["A"])
        b = np.array(fixture["least_squares"]["b"])
        return lambda x: A.T @ (A @ x - b)  # ∇ ½‖Ax − b‖²
    return {"quadratic": elongated_quadratic().grad, "rosenbrock": rosenbrock().grad, "beale": beale().grad}[problem]


def torch_adam_cases() -> list[dict]:
    """The fixture's torch.optim.Adam cases without L2 weight decay.

    Each has ``kwargs`` (ours), ``torch`` (theirs), ``problem``, ``x0``, ``path`` (an array) and
    ``grad`` (the problem's gradient function); plus ``steps`` and ``torch_version``.
    """
    fixture = _fixture()
    return [dict(c, path=np.array(c["path"]), grad=_fixture_gradient(c["problem"], fixture), steps=fixture["steps"],
                 torch_version=fixture["torch_version"])
            for c in fixture["cases"] if c["optimizer"] == "Adam" and "weight_decay" not in c["kwargs"]]


def _relative_deviation(ours: np.ndarray, theirs: np.ndarray) -> float:
    """max over steps of ‖ours_k − theirs_k‖∞ / max(‖theirs_k‖∞, 1): the measure of tests/test_golden.py."""
    ours, theirs = np.asarray(ours).reshape(len(ours), -1), np.asarray(theirs).reshape(len(theirs), -1)
    scale = np.maximum(np.abs(theirs).max(axis=1), 1.0)
    with np.errstate(invalid="ignore"):
        return float(np.nanmax(np.abs(ours - theirs).max(axis=1) / scale))


def deviation_from_torch(step: Callable | None = None) -> tuple[float, int]:
    """The largest relative deviation from the torch.optim.Adam fixtures, and how many cases were compared.

    With ``step=None`` the path comes from ``helpers.optimizers.Adam``; otherwise from
    ``run_variant(step, ...)`` with each case's hyperparameters.
    """
    cases = torch_adam_cases()
    worst = 0.0
    for c in cases:
        if step is None:
            ours = run(Adam(**c["kwargs"]), c["grad"], c["x0"], c["steps"])
        else:
            ours = run_variant(step, c["grad"], c["x0"], c["steps"], **dict(PAPER, **c["kwargs"]))
        worst = max(worst, _relative_deviation(ours, c["path"]))
    return worst, len(cases)


# --- the exercise -------------------------------------------------------------------------

#: The exercise's problem: few steps from a start where one coordinate's gradient is tiny, so ε's place shows.
EXERCISE = {"steps": 10, "start": (4.0, 1e-3), "hyper": dict(PAPER)}


def _slipped_step(x, g, m, v, t, lr, beta1, beta2, eps, slip=None):
    """Adam's step, or the step a learner writes with one known ``slip`` (see ``_SLIPS``); returns (x, m, v)."""
    if slip == "swapped betas":
        beta1, beta2 = beta2, beta1
    m_new = beta1 * m + {"no (1 - beta1)": 1, "0.1 for (1 - beta1)": 0.1}.get(slip, 1 - beta1) * g
    g2 = g if slip == "g in v" else g**2
    v_new = beta2 * v + {"no (1 - beta2)": 1, "0.001 for (1 - beta2)": 0.001}.get(slip, 1 - beta2) * g2
    t_c = {"t - 1": t - 1, "t + 1": t + 1}.get(slip, t)
    m_hat = m_new if slip in ("no correction", "m not m_hat") else m_new / (1 - beta1**t_c)
    v_hat = v_new if slip in ("no correction", "v not v_hat") else v_new / (1 - beta2**t_c)
    numerator = g if slip == "g not m_hat" else m_hat
    if slip == "eps hat":  # the paper's "more efficient" order: α_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ), ε̂ added to √v_t
        lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        return x - lr_t * m_new / (np.sqrt(v_new) + eps), m_new, v_new
    if slip == "eps inside":
        denominator = np.sqrt(v_hat + eps)
    elif slip == "no root":
        denominator = v_hat + eps
    else:
        denominator = np.sqrt(v_hat) + eps
    x_new = x - lr * numerator / denominator
    if slip == "uphill":
        x_new = 2 * x - x_new
    if slip == "hats as state":
        return x_new, m_hat, v_hat
    return x_new, m_new, v_new


#: Known slips and the hint each one gets.
_SLIPS = {
    "no correction": "your steps are Adam's without bias correction: use m̂_t = m_t / (1 − β₁ᵗ) and "
                     "v̂_t = v_t / (1 − β₂ᵗ) in the update.",
    "t - 1": "your x_1 is not a number: did you bias-correct with 1 − β^(t−1)? On the first step (t = 1) that is "
             "1 − β⁰ = 0, a division by zero. t is this step's number, so use 1 − β₁ᵗ and 1 − β₂ᵗ.",
    "t + 1": "your values match a bias correction with t + 1: t is this step's own number (1 on the first "
             "step), so divide by 1 − β₁ᵗ and 1 − β₂ᵗ.",
    "eps inside": "you put ε inside the square root, √(v̂ + ε): Adam (and PyTorch) add it outside, √v̂ + ε.",
    "eps hat": "your step is the paper's \"more efficient\" order (end of its section 2; variant 3 in section 7): "
               "α_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ) and α_t·m_t/(√v_t + ε). That is a correct Adam, but with ε̂ in place "
               "of ε: ε is added before the correction, so it acts like ε/√(1 − β₂ᵗ) in Algorithm 1, "
               f"{1 / math.sqrt(1 - PAPER['beta2']):.0f} times larger at t = 1. This exercise is Algorithm 1 "
               "(as PyTorch): add ε to √v̂_t, or use "
               "ε̂ = ε·√(1 − β₂ᵗ).",
    "m not m_hat": "you corrected v but not m: the numerator is m̂_t = m_t / (1 − β₁ᵗ), not m_t.",
    "v not v_hat": "you corrected m but not v: the denominator uses v̂_t = v_t / (1 − β₂ᵗ), not v_t.",
    "g in v": "your v averages g, not g²: v_t = β₂ v_{t−1} + (1 − β₂) g_t² (a mean square, like RMSProp's s).",
    "no root": "you divided by v̂ (+ ε) instead of √v̂ + ε: without the square root the step is not scale-free.",
    "no (1 - beta1)": "your m has no (1 − β₁): m_t = β₁ m_{t−1} + (1 − β₁) g_t.",
    "no (1 - beta2)": "your v has no (1 − β₂): v_t = β₂ v_{t−1} + (1 − β₂) g_t².",
    "g not m_hat": "your numerator is g_t: Adam steps along m̂_t (momentum's average), not the raw gradient "
                   "(that would be RMSProp with bias correction).",
    "hats as state": "you returned m̂ and v̂ as the new state: return the uncorrected m_t and v_t (the "
                     "correction is recomputed from them at every step).",
    "swapped betas": "your values match β₁ and β₂ swapped: β₁ (0.9) is for m, β₂ (0.999) for v.",
    "uphill": "your step goes uphill: subtract α·m̂_t/(√v̂_t + ε) from x, do not add it.",
}

#: Slips only a run with other β₁, β₂ shows (at the defaults 0.1 is 1 − β₁ and 0.001 is 1 − β₂).
_SLIPS_AGAIN = {
    "0.1 for (1 - beta1)": "your m_t = β₁ m_{t−1} + 0.1 g_t: 0.1 is 1 − β₁ only for β₁ = 0.9. Write (1 - beta1).",
    "0.001 for (1 - beta2)": "your v_t = β₂ v_{t−1} + 0.001 g_t²: 0.001 is 1 − β₂ only for β₂ = 0.999. Write "
                             "(1 - beta2).",
}


#: A second run with other hyperparameters: a step with a number typed in for one of them passes the first only.
EXERCISE_AGAIN = {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}


def _exercise_problem(hyper: Mapping | None = None):
    s = elongated_quadratic()
    return s.grad, np.array(EXERCISE["start"]), EXERCISE["steps"], dict(hyper or EXERCISE["hyper"])


def _run_steps(step: Callable, slip=None, hyper: Mapping | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x_1..x_n, m_1..m_n, v_1..v_n of the exercise problem with ``step`` (a reference step and ``slip``)."""
    grad, x, steps, hyper = _exercise_problem(hyper)
    m = v = np.zeros_like(x)
    xs, ms, vs = [], [], []
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            x, m, v = step(x, grad(x), m, v, t, **hyper, slip=slip)
            xs.append(x), ms.append(m), vs.append(v)
    return np.array(xs), np.array(ms), np.array(vs)


def exercise_setup(hyper: Mapping | None = None) -> str:
    """What the check runs, in the notebook's names, so that every number it prints can be recomputed by hand."""
    h = dict(hyper or EXERCISE["hyper"])
    x0 = ", ".join(f"{v:g}" for v in EXERCISE["start"])
    return (f"α = {h['lr']:g}, β₁ = {h['beta1']:g}, β₂ = {h['beta2']:g}, ε = {h['eps']:g}, {EXERCISE['steps']} steps "
            f"(t = 1…{EXERCISE['steps']}) on f(w, b) = 0.1 w² + 2 b² from x_0 = ({x0}) with m_0 = v_0 = (0, 0), "
            "each step given g = surface.grad(x) at the current x")


def _learner_steps(adam_step: Callable, hyper: Mapping, setup: str) -> LearnerRun | Feedback:
    """The learner's ``adam_step`` run on the exercise problem, m_0 = v_0 = 0 (``run_learner``: each result checked
    first, three arrays shaped like x); its calls hold each step's inputs (x, g, m, v, t)."""
    grad, x0, steps, hyper = _exercise_problem(hyper)
    name = getattr(adam_step, "__name__", "adam_step")
    name = "adam_step" if name == "<lambda>" else name
    return run_learner(adam_step, x0, lambda x, t: grad(x), steps,
                       lambda x, g, state, t: (x, g, *state, t, *hyper.values()), ("x", "m", "v"), name=name,
                       setup=setup)


def _vector(value) -> str:
    return "(" + ", ".join(f"{float(u):.4g}" for u in np.ravel(value)) + ")"


_EQUATIONS = {
    "m": "m_t = β₁ m_{t−1} + (1 − β₁) g_t",
    "v": "v_t = β₂ v_{t−1} + (1 − β₂) g_t²",
    "x": "x_t = x_{t−1} − α m̂_t / (√v̂_t + ε), with m̂_t = m_t / (1 − β₁ᵗ) and v̂_t = v_t / (1 − β₂ᵗ)",
}


def _first_wrong_output(outputs, calls, hyper: Mapping) -> str:
    """Replay each call with the reference step: the first output (m, v or x) that differs, given the same inputs."""
    with np.errstate(all="ignore"):
        for (x, g, m, v, t), (x_out, m_out, v_out) in zip(calls, outputs, strict=False):
            x_ref, m_ref, v_ref = _slipped_step(x, g, m, v, t, **hyper)
            for symbol, yours, right in (("m", m_out, m_ref), ("v", v_out, v_ref), ("x", x_out, x_ref)):
                if not np.allclose(yours, right, rtol=1e-9, atol=1e-12):
                    return (f"Given the same x_{t - 1}, g_{t}, m_{t - 1} and v_{t - 1}, your {symbol}_{t} is "
                            f"{_vector(yours)}, expected {_vector(right)}: check {_EQUATIONS[symbol]}.")
    return "Each of your steps is right given its inputs: check what you return (x, m, v), in that order."


_ORDER = ("x", "m", "v")


def _order_slip(outputs, calls, hyper: Mapping, name: str = "adam_step") -> str | None:
    """If the first call's three results are the right values in the wrong order, say which order."""
    (x, g, m, v, t), yours = calls[0], outputs[0]
    right = _slipped_step(x, g, m, v, t, **hyper)
    with np.errstate(all="ignore"):
        for order in itertools.permutations(range(3)):
            if order != (0, 1, 2) and all(np.allclose(yours[k], right[j], rtol=1e-9, atol=1e-15)
                                          for k, j in enumerate(order)):
                returned = ", ".join(_ORDER[j] for j in order)
                return (f"✗ Not yet: your values are right, but {name} returns them as ({returned}). The check "
                        f"unpacks x, m, v = {name}(...): return (x, m, v), in that order.")
    return None


_HYPER = (("lr", "α (lr)"), ("beta1", "β₁ (beta1)"), ("beta2", "β₂ (beta2)"), ("eps", "ε (eps)"))


def _typed_in(adam_step: Callable, calls: list, hyper: Mapping, other: Mapping) -> list[str]:
    """The hyperparameters whose value does not change the learner's result (a number typed in for them)."""
    x, g, m, v, t = calls[min(1, len(calls) - 1)]  # the second call: m and v are no longer 0
    changes = {5 + k: other[key] for k, (key, _) in enumerate(_HYPER)}
    ignored = ignored_arguments(adam_step, (x, g, m, v, t, *hyper.values()), changes)
    return [symbol for k, (_, symbol) in enumerate(_HYPER) if 5 + k in ignored]


def _replace_generic(message: str, extra: str) -> str:
    """``compare``'s failure with its generic last line replaced by ``extra``."""
    lines = [line for line in message.splitlines()
             if not line.startswith(("  The very first step differs", "  Steps before"))]
    return "\n".join([*lines, f"  {extra}"])


def check_adam_step(adam_step: Callable) -> Feedback:
    """Check the learner's ``adam_step(x, g, m, v, t, lr, beta1, beta2, eps) -> (x, m, v)``.

    Runs it for 10 steps (the paper's defaults, on the elongated quadratic from (4, 0.001),
    where b's gradient is tiny, so that where ε sits shows) and compares x_1..x_10 with
    ``helpers.optimizers.Adam``.  A wrong answer gets the first step that differs and, if
    its values (x, m and v) match a known slip, that slip's hint; a result that ignores a
    hyperparameter is told so; otherwise the first of m_t, v_t or x_t that is wrong given
    the very inputs the learner's function received.  A step that passes is run again
    with α = 0.01, β₁ = 0.8, β₂ = 0.99, ε = 10⁻⁶ (``EXERCISE_AGAIN``), so that a number typed
    in (0.1 for 1 − β₁) cannot pass by luck; then its m and v are compared too.
    """
    name = getattr(adam_step, "__name__", "adam_step")
    name = "adam_step" if name == "<lambda>" else name
    first = dict(EXERCISE["hyper"])
    for k, (hyper, other) in enumerate(((first, EXERCISE_AGAIN), (dict(EXERCISE_AGAIN), first))):
        setup = exercise_setup(hyper)
        used = f"  The check used: {setup}."
        learner = _learner_steps(adam_step, hyper, setup)
        if isinstance(learner, Feedback):
            return learner
        xs, (ms, vs), calls = learner.xs, learner.states, learner.calls
        swapped = _order_slip(list(zip(xs, ms, vs, strict=True)), calls, hyper, name)
        if swapped:
            return Feedback(False, f"{swapped}\n{used}")
        grad, x0, steps, _ = _exercise_problem(hyper)
        tr = trace(Adam(**hyper), grad, x0, steps)
        expected = tr.path[1:]
        if same_values(xs, expected):
            continue
        typed = _typed_in(adam_step, calls, hyper, other)
        because = (f"Hint: your step's result does not change when {' or '.join(typed)} does: is a number typed in "
                   "where that argument belongs?" if typed else "")
        mistakes = {}
        for slip, hint in (_SLIPS_AGAIN if k else _SLIPS).items():
            x_slip, m_slip, v_slip = _run_steps(_slipped_step, slip, hyper)
            if same_values(ms, m_slip) and same_values(vs, v_slip):  # a slip is named when x, m and v all match it
                mistakes[hint] = x_slip
        verdict = compare(xs, expected, symbol="x", mistakes=mistakes, setup=setup)
        if k == 1:  # right in the first run, wrong in this one
            mismatch, _, *rest = verdict.message.splitlines()
            hint = next((line for line in rest if line.startswith("  Hint:")), None)
            return Feedback(False, "\n".join([
                f"✗ Not yet: your step is right with the paper's defaults (the first run), but not with α = "
                f"{hyper['lr']:g}, β₁ = {hyper['beta1']:g}, β₂ = {hyper['beta2']:g}, ε = {hyper['eps']:g}: "
                + mismatch.replace("✗ Not yet. ", ""), used,
                hint or f"  {because or 'Hint: is a number typed in somewhere, where α, β₁, β₂ or ε belongs?'}"]))
        if "Hint:" in verdict.message:
            return verdict
        if not np.all(np.isfinite(xs)):
            return Feedback(False, _replace_generic(verdict.message, "Hint: some of your x are not numbers (inf or "
                                                    "nan): a division by zero? 1 − β^(t−1) is 0 on the first step; "
                                                    "the square root of a negative v is nan."))
        return Feedback(False, _replace_generic(verdict.message, because or _first_wrong_output(
            zip(xs, ms, vs, strict=False), calls, hyper)))
    passed = (f"✓ Correct: all {EXERCISE['steps']} steps of x match helpers.optimizers.Adam, with the paper's "
              f"defaults and again with α = {EXERCISE_AGAIN['lr']:g}, β₁ = {EXERCISE_AGAIN['beta1']:g}, "
              f"β₂ = {EXERCISE_AGAIN['beta2']:g}, ε = {EXERCISE_AGAIN['eps']:g}.")
    m_expected, v_expected = tr.history("m")[1:], tr.history("v")[1:]
    if same_values(ms, m_expected) and same_values(vs, v_expected):
        return Feedback(True, f"{passed} Your m and v match too: your step is Adam's.")
    if same_values(ms, -m_expected) and same_values(vs, v_expected):
        return Feedback(True, f"{passed}\n  Your m is −m: you average −g and add the step to x. The same optimizer; "
                              "Adam's m (and PyTorch's exp_avg) averages g itself.")
    symbol, yours, right = ("m", ms, m_expected) if not same_values(ms, m_expected) else ("v", vs, v_expected)
    mismatch, *_ = compare(yours, right, symbol=symbol, setup=setup).message.splitlines()
    return Feedback(False, "\n".join([mismatch.replace("✗ Not yet.", f"✗ Not yet: every x is right, but {symbol} "
                                                         "is not.", 1), f"  The check used: {setup}.",
                                      f"  Hint: return the uncorrected {symbol}_t that your step used: "
                                      f"{_EQUATIONS[symbol]}."]))


# --- static figures -----------------------------------------------------------------------


def gradient_stream(n: int = 300, seed: int = 6) -> np.ndarray:
    """A noisy gradient of one coordinate: consistent (mean 1), then noise around 0, then consistent again (−0.5)."""
    rng = np.random.default_rng(seed)
    mean = np.concatenate([np.full(n // 3, 1.0), np.zeros(n // 3), np.full(n - 2 * (n // 3), -0.5)])
    noise = np.concatenate([np.full(n // 3, 0.3), np.full(n // 3, 1.0), np.full(n - 2 * (n // 3), 0.1)])
    return mean + noise * rng.standard_normal(n)


def adam_quantities(g: np.ndarray, beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"],
                    eps: float = PAPER["eps"]) -> dict[str, np.ndarray]:
    """m̂_t, √v̂_t and the step in units of α, m̂_t / (√v̂_t + ε), for a gradient stream g_1..g_n (from ``helpers``)."""
    tr = trace(Adam(1.0, beta1, beta2, eps), _StreamGradient(g), np.zeros(1), len(g))  # α = 1: steps in units of α
    t = np.arange(1, len(g) + 1)
    m_hat = tr.history("m")[1:, 0] / (1 - beta1**t)  # m̂_t = m_t / (1 - β₁ᵗ)
    v_hat = tr.history("v")[1:, 0] / (1 - beta2**t)  # v̂_t = v_t / (1 - β₂ᵗ)
    return {"m_hat": m_hat, "rms": np.sqrt(v_hat), "step": -np.diff(tr.path[:, 0])}


class _StreamGradient:
    """A "gradient function" that ignores x and returns the next value of a recorded stream."""

    def __init__(self, g: np.ndarray):
        self.g, self.k = np.asarray(g, dtype=float), 0

    def __call__(self, x):
        value = np.full_like(x, self.g[self.k])
        self.k += 1
        return value


def idea_figure(beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"]):
    """Left: a noisy gradient, its bias-corrected mean m̂ and RMS √v̂.  Right: the step m̂/(√v̂ + ε), in units of α."""
    g = gradient_stream()
    q = adam_quantities(g, beta1, beta2)
    t = np.arange(1, len(g) + 1)
    fig = new_figure(12, 4)
    left, right = fig.subplots(1, 2)
    left.plot(t, g, label=r"gradient $g_t$", **DATA_STYLE["data"])
    left.plot(t, q["m_hat"], label=r"$\hat m_t$  (mean: momentum's EWMA)", **DATA_STYLE["average"])
    left.plot(t, q["rms"], label=r"$\sqrt{\hat v_t}$  (RMS: RMSProp's EWMA of $g^2$)", **DATA_STYLE["corrected"])
    left.axhline(0, color=OKABE_ITO["black"], linewidth=0.6)
    left.set_xlabel("step t")
    left.set_ylabel("gradient (any unit)")
    left.set_title(f"what Adam tracks (β₁ = {beta1:g}, β₂ = {beta2:g})")
    left.legend(loc="lower left", fontsize=10, framealpha=0.9)
    right.plot(t, q["step"], label=r"step ÷ α $= \hat m_t / (\sqrt{\hat v_t} + \varepsilon)$", **DATA_STYLE["window"])
    right.axhspan(-1, 1, color=OKABE_ITO["sky blue"], alpha=0.15, label="±α: typical, not a bound (section 5)")
    right.axhline(0, color=OKABE_ITO["black"], linewidth=0.6)
    right.set_ylim(-1.6, 1.6)
    right.set_xlabel("step t")
    right.set_ylabel("step in units of α")
    right.set_title("the step: ≈ α where g is consistent, smaller where it is noise")
    right.legend(loc="upper right", fontsize=10, framealpha=0.9)
    return fig


def bias_correction_figure(beta1: float = PAPER["beta1"], beta2: float = PAPER["beta2"], steps: int = 5000):
    """Step size ÷ α with and without bias correction for a constant gradient, t = 1..steps (log axis)."""
    rows = bias_correction_table(tuple(range(1, steps + 1)), beta1=beta1, beta2=beta2)
    t = np.array([r["t"] for r in rows])
    fig = new_figure(8, 3.8)
    ax = fig.subplots()
    ax.plot(t, [r["without"] for r in rows], label=r"without bias correction: $m_t / (\sqrt{v_t} + \varepsilon)$",
            **dict(style("GD"), marker=None))
    ax.plot(t, [r["with"] for r in rows], label=r"with bias correction: $\hat m_t / (\sqrt{\hat v_t} + \varepsilon)$",
            **dict(style("Adam"), marker=None))
    ax.set_xscale("log")
    ax.set_ylim(0, None)
    ax.set_xlabel("step t (log scale)")
    ax.set_ylabel("step size ÷ α")
    ax.set_title(f"Adam's steps under a constant gradient (β₁ = {beta1:g}, β₂ = {beta2:g})")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize=10, framealpha=0.9)
    return fig
