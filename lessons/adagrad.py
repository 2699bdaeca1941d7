r"""Lesson 04 · AdaGrad: one learning rate per parameter, and why it runs out of steam.

AdaGrad (Duchi, Hazan & Singer, JMLR 2011) keeps, for every coordinate, the running
sum of its squared gradients and divides that coordinate's step by its root:

.. math::
    s_t = s_{t-1} + g_t^2 \qquad
    x_t = x_{t-1} - \frac{\alpha}{\sqrt{s_t} + \varepsilon}\, g_t

(ε outside the root, as in PyTorch).  This module holds what notebook 04 shows:

- the numbers its prose claims (``opening_race``: where AdaGrad wins and loses; ``first_steps``:
  α only from s₀ = 0 and for |g| ≫ ε; ``first_step_sizes``, ``steps_by_condition_number``,
  ``constant_slope``, ``rosenbrock_stall``, ``sparse_problem`` / ``weight_paths`` /
  ``steps_to_learn``; the turned bowl is ``helpers.surfaces.rotated_quadratic``);
- its static figures (``idea_figure``, ``stall_figure``);
- its interactive figures, in ``WIDGETS``: the optimizer playground with an
  effective-learning-rate panel, and the rare-feature regression;
- the exercise check ``check_adagrad_step``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from helpers.optimizers import SGD, AdaGrad, effective_rate, run, steps_to_converge, trace
from helpers.plotting import DATA_STYLE, OKABE_ITO, clip_path, draw_surface, new_figure, nice_ceiling, style
from helpers.surfaces import SURFACES, Surface, elongated_quadratic, rosenbrock
from lessons.checks import Feedback, LearnerRun, compare, ignored_arguments, run_learner, same_values
from lessons.playground import Contender, Playground, divergence_step
from lessons.widgets import SLIDER_LAYOUT, SLIDER_STYLE, LiveFigure, eps_slider, lr_slider, update_legend

__all__ = [
    "at_most",
    "first_steps",
    "opening_race",
    "STRETCHED",
    "exercise_setup",
    "first_step_sizes",
    "steps_by_condition_number",
    "race",
    "constant_slope",
    "Stall",
    "rosenbrock_stall",
    "SparseProblem",
    "sparse_problem",
    "weight_paths",
    "steps_to_learn",
    "weights_diverged",
    "sparse_race",
    "idea_figure",
    "stall_figure",
    "EffectiveRatePanel",
    "AdaGradPlayground",
    "playground",
    "SparseFeatures",
    "sparse_features",
    "WIDGETS",
    "CHECK",
    "check_adagrad_step",
]

COORDINATE_LOOKS = ({"linestyle": "-"}, {"linestyle": ":"})  # first coordinate solid, second dotted
TARGET_STYLE = {"color": DATA_STYLE["data"]["color"], "linestyle": "-", "linewidth": 4, "alpha": 0.6}


def at_most(value: float) -> str:
    """A tiny difference as the power of ten it stays below ("below 1e-08"): the same on every machine."""
    value = float(value)
    if value == 0:
        return "0"
    return f"below 1e{int(np.floor(np.log10(value))) + 1:+03d}"


# --- claim 1: on the elongated bowl both coordinates move at the same pace ---------------------


def first_step_sizes(lr: float = 0.4, steps: int = 5, surface: Surface | None = None) -> dict[str, np.ndarray]:
    """How far each coordinate moves in each of the first steps: ``|x_k − x_{k−1}|``, shape (steps, 2).

    For GD and AdaGrad with the same α from the surface's start (default: the
    elongated quadratic 0.1 w² + 2 b² from (−5, −2)).
    """
    surface = surface or elongated_quadratic()
    return {name: np.abs(np.diff(run(opt, surface.grad, surface.start, steps), axis=0))
            for name, opt in (("GD", SGD(lr)), ("AdaGrad", AdaGrad(lr)))}


def first_steps(gradients, lr: float = 1.0, eps: float = 1e-10, initial_accumulator: float = 0.0) -> np.ndarray:
    r"""The first step |x_1 − x_0| ÷ α of ``helpers.optimizers.AdaGrad`` for each gradient size in ``gradients``.

    :math:`s_1 = s_0 + g_1^2`, so the step is :math:`|g_1|/(\sqrt{s_0 + g_1^2} + \varepsilon)`: exactly 1 only
    when :math:`s_0 = 0` (PyTorch's default) and :math:`|g_1| \gg \varepsilon`.  Keras starts at
    :math:`s_0 = 0.1`, which shrinks the first steps of gradients smaller than about √0.1; and a
    gradient much smaller than ε gets a step of about |g|/ε.  One call steps all sizes at once.
    """
    g = np.asarray(gradients, dtype=float)
    opt = AdaGrad(lr, eps, initial_accumulator=initial_accumulator)
    x0 = np.zeros_like(g)
    x1, _ = opt.step(x0, g, opt.init(x0))
    with np.errstate(invalid="ignore"):
        return np.abs(x1 - x0) / lr


def steps_by_condition_number(kappas=(1, 20, 100, 1000), lr_gd: float = 0.4, lr_adagrad: float = 0.4,
                              tol: float = 1e-3, max_steps: int = 100_000) -> dict[str, np.ndarray]:
    """Steps until ‖x_k − x*‖ ≤ tol on ``elongated_quadratic(κ)`` for each κ (steep curvature fixed at 4).

    The steep direction is the same for every κ, so GD's stable α is too; only the
    shallow direction gets shallower as κ grows.
    """
    out = {"GD": [], "AdaGrad": []}
    for kappa in kappas:
        s = elongated_quadratic(condition_number=kappa)
        for name, opt in (("GD", SGD(lr_gd)), ("AdaGrad", AdaGrad(lr_adagrad))):
            out[name].append(float(steps_to_converge(opt, s.grad, s.start, s.minimum, max_steps, tol)))
    return {name: np.array(v) for name, v in out.items()}


def race(surface: Surface, lr: float, eps: float = 1e-10, steps: int = 100, start=None) -> dict[str, dict]:
    """GD and AdaGrad with the same α from ``start`` (default: the surface's), as the playground runs them.

    Per optimizer: ``path``, ``diverged`` (the step, or None), ``distance`` (‖x_T − x*‖)
    and ``rates`` (the effective learning rate per coordinate at steps 1…T: α for GD,
    α/(√s_t + ε) for AdaGrad).
    """
    x0 = surface.start if start is None else np.asarray(start, dtype=float)
    out = {}
    for name, opt in (("GD", SGD(lr)), ("AdaGrad", AdaGrad(lr, eps))):
        tr = trace(opt, surface.grad, x0, steps)
        rates = (effective_rate(opt, tr.history("s")[1:]) if name == "AdaGrad"
                 else np.full((steps, len(x0)), float(lr)))
        out[name] = {"path": tr.path, "diverged": divergence_step(surface, tr.path),
                     "distance": float(np.linalg.norm(tr.path[-1] - surface.minimum)), "rates": rates}
    return out


# --- claim 2: s only grows, so the steps shrink ----------------------------------------------


def constant_slope(lr: float = 0.1, steps: int = 10_000) -> dict[str, np.ndarray | float]:
    r"""AdaGrad on a slope whose gradient is always 1: step t has length α/√t (up to ε).

    Returns the step lengths (index t − 1 is step t), the distance covered after
    ``steps`` steps, the estimate :math:`2\alpha\sqrt{T}` of that distance, and what
    GD with the same α covers (:math:`\alpha T`).
    """
    path = run(AdaGrad(lr), lambda x: np.ones_like(x), np.zeros(1), steps)[:, 0]
    return {
        "step": np.abs(np.diff(path)),
        "distance": float(abs(path[-1] - path[0])),
        "estimate": 2 * lr * np.sqrt(steps),
        "gd_distance": lr * steps,
    }


@dataclass(frozen=True)
class Stall:
    """AdaGrad (and GD for reference) on Rosenbrock's valley, many steps."""

    start_distance: float  # ‖x_0 − x*‖
    checkpoints: np.ndarray  # steps at which the run is reported
    points: np.ndarray  # x_k at each checkpoint, shape (n, 2)
    distances: np.ndarray  # ‖x_k − x*‖ at each checkpoint
    rates: np.ndarray  # α / (√s_k + ε) per coordinate at each checkpoint, shape (n, 2)
    early_share: np.ndarray  # s after `early` steps / s at the end, per coordinate
    early: int
    gd_point: np.ndarray  # GD's last iterate
    gd_distance: float
    adagrad_path: np.ndarray
    gd_path: np.ndarray
    adagrad_s: np.ndarray  # s_k for k = 0..steps, shape (steps + 1, 2)
    lr: float
    lr_gd: float


def rosenbrock_stall(lr: float = 0.02, lr_gd: float = 0.001, steps: int = 10_000,
                     checkpoints=(10, 100, 1000, 10_000), early: int = 10) -> Stall:
    """Run AdaGrad(α = ``lr``) and GD(α = ``lr_gd``) from Rosenbrock's start (−1.5, 2) for ``steps`` steps."""
    surface = rosenbrock()
    opt = AdaGrad(lr)
    tr = trace(opt, surface.grad, surface.start, steps)
    s = tr.history("s")
    ks = np.array(checkpoints)
    gd = run(SGD(lr_gd), surface.grad, surface.start, steps)
    return Stall(
        start_distance=float(np.linalg.norm(surface.start - surface.minimum)),
        checkpoints=ks,
        points=tr.path[ks],
        distances=np.linalg.norm(tr.path[ks] - surface.minimum, axis=1),
        rates=effective_rate(opt, s[ks]),
        early_share=s[early] / s[-1],
        early=early,
        gd_point=gd[-1],
        gd_distance=float(np.linalg.norm(gd[-1] - surface.minimum)),
        adagrad_path=tr.path,
        gd_path=gd,
        adagrad_s=s,
        lr=lr,
        lr_gd=lr_gd,
    )


# --- where it shines: a rare feature ------------------------------------------------------------


@dataclass(frozen=True)
class SparseProblem:
    r"""Least squares :math:`L(w) = \frac{1}{2n}\sum_i (w \cdot x_i - y_i)^2` with a common and a rare feature.

    Column 0 of ``X`` is non-zero in every sample; column 1 in a fraction ``p`` of them.
    """

    X: np.ndarray
    y: np.ndarray
    p: float  # fraction of samples in which the rare feature is non-zero
    w_true: np.ndarray
    w_hat: np.ndarray  # the least-squares fit: where both optimizers are headed

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def active(self) -> int:
        """Samples in which the rare feature is non-zero."""
        return int(np.count_nonzero(self.X[:, 1]))

    def loss(self, w: np.ndarray) -> np.ndarray:
        r = w @ self.X.T - self.y
        return 0.5 * np.mean(r**2, axis=-1)

    def grad(self, w: np.ndarray) -> np.ndarray:
        r"""Full-batch gradient :math:`\frac1n X^\top (Xw - y) = \frac1n X^\top X\,w - \frac1n X^\top y`.

        Computed in the second form, with the 2 × 2 matrix and the 2-vector worked out once
        (``normal_equations``): a step costs two numbers' work, not two passes over n samples.
        """
        gram, xty = self.normal_equations
        return gram @ w - xty

    @cached_property
    def normal_equations(self) -> tuple[np.ndarray, np.ndarray]:
        r""":math:`\frac1n X^\top X` and :math:`\frac1n X^\top y`."""
        return self.X.T @ self.X / self.n, self.X.T @ self.y / self.n

    def curvatures(self) -> np.ndarray:
        r"""The Hessian's diagonal :math:`\frac1n\sum_i x_{ij}^2`: how steep the loss is along each weight."""
        return np.mean(self.X**2, axis=0)


def sparse_problem(p: float = 0.02, n: int = 1000, seed: int = 4, w_true=(1.0, 2.0), noise: float = 0.5,
                   ) -> SparseProblem:
    """A seeded regression whose second feature is 1 in ``round(p·n)`` samples (at least 1) and 0 elsewhere.

    The samples that carry the rare feature are the first ones of a fixed random
    order, so raising ``p`` adds samples and keeps the ones already there.
    """
    if not 0 < p <= 1:
        raise ValueError(f"p must be in (0, 1]; got p={p!r}.")
    rng = np.random.default_rng(seed)
    common = rng.normal(size=n)
    order = rng.permutation(n)
    noise_draw = rng.normal(size=n)
    rare = np.zeros(n)
    rare[order[: max(1, round(p * n))]] = 1.0
    X = np.column_stack([common, rare])
    w_true = np.asarray(w_true, dtype=float)
    y = X @ w_true + noise * noise_draw
    w_hat = np.linalg.lstsq(X, y, rcond=None)[0]
    return SparseProblem(X=X, y=y, p=float(np.mean(rare)), w_true=w_true, w_hat=w_hat)


def weight_paths(problem: SparseProblem, lr: float = 0.5, steps: int = 1000) -> dict[str, np.ndarray]:
    """Full-batch GD and AdaGrad with the same α from w = 0: the weights at every step, shape (steps + 1, 2)."""
    w0 = np.zeros(2)
    return {name: run(opt, problem.grad, w0, steps) for name, opt in (("GD", SGD(lr)), ("AdaGrad", AdaGrad(lr)))}


def steps_to_learn(path: np.ndarray, target: np.ndarray, tol: float = 0.01) -> np.ndarray:
    """Per weight, the first step from which it stays within ``tol`` (relative) of ``target``; inf if never."""
    path = np.asarray(path, dtype=float)
    target = np.asarray(target, dtype=float)
    with np.errstate(invalid="ignore"):
        close = np.abs(path - target) <= tol * np.abs(target)  # NaN (diverged) counts as not close
    out = np.full(path.shape[1], np.inf)
    for j in range(path.shape[1]):
        far = np.flatnonzero(~close[:, j])
        if far.size == 0:
            out[j] = 0.0
        elif far[-1] + 1 < len(path):
            out[j] = float(far[-1] + 1)
    return out


def weights_diverged(path: np.ndarray, scale: float) -> int | None:
    """First step whose weights are not finite or exceed 1000 × ``scale`` in size; None if there is none."""
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(path).all(axis=1) | (np.abs(path) > 1e3 * scale).any(axis=1)
    return int(np.argmax(bad)) if bad.any() else None


def sparse_race(problem: SparseProblem, lr: float = 0.5, steps: int = 1000, tol: float = 0.01) -> dict[str, dict]:
    """GD and AdaGrad on ``problem``: per optimizer its path, the steps to learn each weight, its divergence step.

    ``learned[j]`` is the step from which weight j stays within ``tol`` (relative)
    of the least-squares value (inf: not within ``steps`` steps, or diverged).
    """
    scale = float(np.abs(problem.w_hat).max())
    return {name: {"path": path, "learned": steps_to_learn(path, problem.w_hat, tol),
                   "diverged": weights_diverged(path, scale)}
            for name, path in weight_paths(problem, lr, steps).items()}


# --- static figures -----------------------------------------------------------------------------


def opening_race(lr: float = 0.4, steps: int = 200, kappas=(20, 200)) -> dict[int, dict[str, np.ndarray]]:
    """GD and AdaGrad, both with α = ``lr``, on ``elongated_quadratic(κ)`` for each κ: ‖x_k − x*‖ for k = 0..steps.

    The steep curvature stays 4, so GD's stability limit is the same on every bowl; only the
    shallow direction gets shallower.  Also ``"steps"``: the steps to within 10⁻³ of the minimum.
    """
    out = {}
    for kappa in kappas:
        surface = elongated_quadratic(kappa)
        row = {}
        for name, opt in (("GD", SGD(lr)), ("AdaGrad", AdaGrad(lr))):
            row[name] = np.linalg.norm(run(opt, surface.grad, surface.start, steps) - surface.minimum, axis=1)
            row[f"{name} steps"] = float(steps_to_converge(opt, surface.grad, surface.start, surface.minimum,
                                                           100_000, tol=1e-3))
        out[kappa] = row
    return out


def idea_figure(lr: float = 0.4, steps: int = 200, kappas=(20, 200)) -> Figure:
    """Where AdaGrad wins and where it loses, with the same α for GD and AdaGrad.

    Left: both paths on the longer bowl (κ = ``kappas[-1]``).  Right: the distance to the
    minimum per step on both bowls: GD's depends on κ, AdaGrad's does not (one curve).
    """
    long_bowl = elongated_quadratic(kappas[-1])
    race_ = opening_race(lr, steps, kappas)
    fig = new_figure(11, 4.2)
    ax_path, ax_dist = fig.subplots(1, 2, width_ratios=[1.15, 1])
    draw_surface(ax_path, long_bowl)
    for name, opt in (("GD", SGD(lr)), ("AdaGrad", AdaGrad(lr))):
        path = run(opt, long_bowl.grad, long_bowl.start, steps)
        ax_path.plot(path[:, 0], path[:, 1], label=name, **style(name, markevery=steps // 20))
    ax_path.set_title(f"the bowl stretched tenfold along w (κ = {kappas[-1]}), α = {lr:g}, {steps} steps", fontsize=10)
    ax_path.legend(loc="upper right", fontsize=10)
    k = np.arange(steps + 1)
    gd = style("GD")
    for kappa, look in zip(kappas, ({"linestyle": ":", "linewidth": 1.8}, {"linestyle": "--", "linewidth": 1.8}),
                           strict=True):
        ax_dist.plot(k, race_[kappa]["GD"], color=gd["color"], label=f"GD, κ = {kappa}", **look)
    ax_dist.plot(k, race_[kappas[-1]]["AdaGrad"], label=f"AdaGrad, κ = {' or '.join(map(str, kappas))} (one curve)",
                 **dict(style("AdaGrad"), marker=None, linewidth=2.2))
    ax_dist.set_yscale("log")
    ax_dist.yaxis.set_minor_locator(NullLocator())
    ax_dist.set_xlabel("step k")
    ax_dist.set_ylabel(r"distance to the minimum $\|x_k - x^*\|$")
    ax_dist.set_title("GD slows as the bowl stretches; AdaGrad does not", fontsize=10)
    ax_dist.grid(True, alpha=0.3)
    ax_dist.legend(fontsize=10, loc="lower left")
    return fig


def stall_figure(stall: Stall | None = None) -> Figure:
    """Rosenbrock: AdaGrad's path stops short while GD's arrives; AdaGrad's effective rate per coordinate."""
    stall = stall or rosenbrock_stall()
    surface = rosenbrock()
    fig = new_figure(11, 4.2)
    ax_path, ax_rate = fig.subplots(1, 2, width_ratios=[1.15, 1])
    draw_surface(ax_path, surface)
    steps = len(stall.adagrad_path) - 1
    for name, path, lr in (("GD", stall.gd_path, stall.lr_gd), ("AdaGrad", stall.adagrad_path, stall.lr)):
        shown = clip_path(path, surface.xlim, surface.ylim)
        ax_path.plot(shown[:, 0], shown[:, 1], label=f"{name}, α = {lr:g}", **style(name, markevery=steps // 20))
    ax_path.plot(*stall.adagrad_path[-1], marker="X", markersize=10, color=style("AdaGrad")["color"],
                 markeredgecolor="black", linestyle="none", label=f"AdaGrad after {steps:,} steps", zorder=6)
    ax_path.set_title(f"Rosenbrock, {steps:,} steps from (−1.5, 2)", fontsize=10)
    ax_path.legend(loc="upper right", fontsize=10)
    t = np.arange(1, steps + 1)
    rates = effective_rate(AdaGrad(stall.lr), stall.adagrad_s[1:])
    color = style("AdaGrad")["color"]
    for j, coord in enumerate(("x", "y")):
        ax_rate.plot(t, rates[:, j], color=color, linewidth=1.8,
                     label=rf"AdaGrad: $\alpha/(\sqrt{{s}} + \varepsilon)$ for {coord}",
                     **COORDINATE_LOOKS[j])
    ax_rate.plot(t, np.full(steps, stall.lr_gd), color=style("GD")["color"], linestyle="--", linewidth=1.5,
                 label=f"GD: α = {stall.lr_gd:g}, constant")
    ax_rate.set_xscale("log")
    ax_rate.set_yscale("log")
    ax_rate.set_xlabel("step t")
    ax_rate.set_ylabel("effective learning rate")
    ax_rate.set_title("AdaGrad's rate is set by its first steps", fontsize=10)
    ax_rate.grid(True, alpha=0.3)
    ax_rate.set_ylim(rates.min() / 2, 10 * stall.lr_gd)  # a band above GD's line for the legend
    ax_rate.legend(fontsize=10, loc="upper right")
    return fig


# --- the playground: paths, loss, effective learning rate ---------------------------------------


class EffectiveRatePanel:
    """The playground's third panel: AdaGrad's α/(√s_t + ε) per coordinate, and GD's constant α.

    The coordinates are named as the surface names them (w and b on the bowls, x and y elsewhere),
    and the axis leaves a band above the curves for the legend.
    """

    HEADROOM = 30  # the top of the axis is at least this many times the largest rate: the legend sits there

    def setup(self, ax) -> None:
        color = style("AdaGrad")["color"]
        self.lines = [ax.plot([], [], color=color, linewidth=1.8, label=f"AdaGrad, {c}", **COORDINATE_LOOKS[j])[0]
                      for j, c in enumerate(("x", "y"))]
        (self.reference,) = ax.plot([], [], color=OKABE_ITO["reddish purple"], linestyle="--", linewidth=1.2,
                                    label="x, steady |g|: ∝ 1/√t")
        (self.gd,) = ax.plot([], [], color=style("GD")["color"], linestyle="--", linewidth=1.5, label="GD: α")
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("step t")
        ax.set_ylabel(r"$\alpha / (\sqrt{s_t} + \varepsilon)$")
        ax.set_title("effective learning rate, log scale", fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        self.names = None

    def update(self, ax, traces, surface, params) -> None:
        lr, eps = params["lr"], params["eps"]
        s = traces["AdaGrad"].history("s")[1:]  # s_1 … s_T (s_0 = 0 has no rate)
        t = np.arange(1, len(s) + 1)
        rates = effective_rate(AdaGrad(lr, eps), s)
        for j, line in enumerate(self.lines):
            line.set_data(t, rates[:, j])
        self.reference.set_data(t, rates[0, 0] / np.sqrt(t))
        self.gd.set_data(t, np.full(len(t), lr))
        if surface.axis_names != self.names:  # name the coordinates as the path panel does
            self.names = surface.axis_names
            first, second = self.names
            for line, name in zip(self.lines, self.names, strict=True):
                line.set_label(f"AdaGrad, {name}")
            self.reference.set_label(f"{first}, steady |g|: ∝ 1/√t")
            ax.legend(loc="upper right", fontsize=10, framealpha=0.9, ncols=2)
        shown = np.concatenate([rates[np.isfinite(rates)], [lr], rates[:1, 0] / np.sqrt(len(t))])
        shown = shown[shown > 0]
        low, top = shown.min() / 3, shown.max()
        low, top = 10 ** np.floor(np.log10(low)), 10 ** np.ceil(np.log10(top))  # whole decades: ticks stay put
        ax.set_xlim(0, len(t))
        ax.set_ylim(low, top * max(self.HEADROOM, np.sqrt(top / low)))  # the top third (at least) is the legend's


#: The playground's first surface: lesson 03's bowl stretched tenfold along w, where AdaGrad wins.
STRETCHED = "stretched bowl, κ = 200"


def playground_surfaces() -> dict[str, Surface]:
    """The shared surfaces, with a bowl ten times as elongated (κ = 200) first, then the usual one (κ = 20)."""
    surfaces = {name: factory() for name, factory in SURFACES.items()}
    first = next(iter(surfaces))
    return {STRETCHED: elongated_quadratic(200), first: surfaces.pop(first), **surfaces}


def _starts(surface: Surface) -> dict[str, np.ndarray]:
    """The default start, plus one that teaches something on the bowl and on Rosenbrock.

    The first name is the same on every surface: ``Playground`` keeps the start
    menu's value while it swaps the options, and a value missing from the old
    options would be rejected (see the lesson's report).
    """
    starts = {"default start": surface.start}
    if surface.name.startswith("elongated"):
        starts["equally far in w and b (−2.5, −2.5)"] = np.array([-2.5, -2.5])
    if surface.name == "Rosenbrock":
        starts["on the valley floor (−1, 1)"] = np.array([-1.0, 1.0])
    return starts


def steps_slider(value: int = 100) -> widgets.SelectionSlider:
    """How many steps each optimizer takes."""
    return widgets.SelectionSlider(options=[50, 100, 200, 500, 1000], value=value, description="steps",
                                   style=SLIDER_STYLE, layout=SLIDER_LAYOUT)


class AdaGradPlayground(Playground):
    """The shared playground with GD and AdaGrad, an ε and a steps control, and the effective-rate panel."""

    legend_fontsize = 10  # readable when projected

    def __init__(self, lr: float = 0.4, eps: float = 1e-10, steps: int = 100):
        super().__init__(
            contenders=[Contender("GD", lambda p: SGD(p["lr"])),
                        Contender("AdaGrad", lambda p: AdaGrad(p["lr"], p["eps"]))],
            controls={"lr": lr_slider(lr, -3, 0.5), "eps": eps_slider(eps, -10, 1, "ε (in √s + ε)"),
                      "steps": steps_slider(steps)},
            surfaces=playground_surfaces(),
            starts=_starts,
            steps=steps,
            panel=EffectiveRatePanel(),
            describe=lambda p: f"α = {p['lr']:.2g}, ε = {p['eps']:.0e}",
            width=13.5,
        )


def playground() -> AdaGradPlayground:
    """GD vs AdaGrad on the lesson's surfaces (the stretched bowl first, where AdaGrad wins)."""
    return AdaGradPlayground()


# --- the rare-feature regression, live ----------------------------------------------------------


def frequency_slider(value: float = 0.02) -> widgets.FloatLogSlider:
    """The fraction p of samples in which the rare feature is non-zero (log scale, 0.2 % to 50 %)."""
    return widgets.FloatLogSlider(value=value, base=10, min=np.log10(0.002), max=np.log10(0.5), step=0.05,
                                  description="rare feature's frequency p", readout_format=".1%",
                                  style=SLIDER_STYLE, layout=SLIDER_LAYOUT)


class SparseFeatures(LiveFigure):
    """The weights of a common and of a rare feature over the steps of full-batch GD and AdaGrad."""

    names = ("GD", "AdaGrad")
    #: The y axes' tops: 1, 1.2, …, 9 × 10^k (fine enough that the data fill the height as before).
    LIMIT_STEPS = (1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 9.0)

    def __init__(self, lr: float = 0.5, p: float = 0.02, steps: int = 1000):
        self.steps = steps
        self.problems: dict[float, SparseProblem] = {}
        self.race: dict[str, dict] = {}
        fig = new_figure(11, 3.8)
        self.axes = fig.subplots(1, 2)
        k = np.arange(steps + 1)
        self.lines = {}
        for j, ax in enumerate(self.axes):
            (target,) = ax.plot([], [], label="least-squares value", **TARGET_STYLE)
            self.lines[("target", j)] = target
            for name in self.names:
                (self.lines[(name, j)],) = ax.plot(k, np.zeros_like(k, dtype=float), label=name,
                                                   **dict(style(name), marker=None))
            ax.set_xscale("symlog", linthresh=1)
            ax.xaxis.set_minor_locator(NullLocator())
            ax.set_xlim(0, steps)
            ax.set_xlabel("step k (log scale)")
            ax.grid(True, alpha=0.3)
        self.axes[0].set_ylabel("weight of the common feature, w₁")
        self.axes[1].set_ylabel("weight of the rare feature, w₂")
        super().__init__(fig, {"lr": lr_slider(lr, -2, 0.5), "p": frequency_slider(p)})

    def problem(self, p: float) -> SparseProblem:
        """The regression for frequency p (cached: moving α does not rebuild it)."""
        if p not in self.problems:
            self.problems[p] = sparse_problem(p)
        return self.problems[p]

    def draw(self, params: dict) -> None:
        problem = self.problem(params["p"])
        self.race = sparse_race(problem, params["lr"], self.steps)
        for name, result in self.race.items():
            shown = result["path"].copy()
            at = result["diverged"]
            if at is not None:
                shown[at + 1:] = np.nan
            for j in range(2):
                self.lines[(name, j)].set_ydata(shown[:, j])
                when = result["learned"][j]
                label = (f"{name}: diverged at step {at}" if at is not None else
                         f"{name}: within 1 % from step {when:.0f}" if np.isfinite(when) else
                         f"{name}: not within 1 % in {self.steps} steps")
                self.lines[(name, j)].set_label(label)
        for j, ax in enumerate(self.axes):
            self.lines[("target", j)].set_data([0, self.steps], [problem.w_hat[j]] * 2)
            # At least 1.6 |ŵ| on top and 0.25 |ŵ| below 0, snapped to a few nice values so that the ticks
            # stay put while p is dragged (ŵ moves by a few % with the samples).
            top = nice_ceiling(1.6 * abs(problem.w_hat[j]), steps=self.LIMIT_STEPS)
            ax.set_ylim(-top / 6.4, top)
            update_legend(ax, loc="upper left", fontsize=10, framealpha=0.9)  # (built once; new labels set in place)
        self.axes[0].set_title(f"common feature (in every sample), α = {params['lr']:.2g}", fontsize=10)
        self.axes[1].set_title(f"rare feature (in {problem.active} of {problem.n} samples, "
                               f"{problem.p:.1%})", fontsize=10)


def sparse_features() -> SparseFeatures:
    """The rare-feature regression with α = 0.5 and p = 2 %."""
    return SparseFeatures()


#: Every interactive figure of notebook 04, by name (tests and the benchmark build each one).
WIDGETS: dict[str, Callable[[], LiveFigure]] = {
    "playground": playground,
    "sparse features": sparse_features,
}


# --- the exercise: one AdaGrad step -------------------------------------------------------------

#: The setting the check runs the learner's step in (ε large enough that where it goes matters).
CHECK = {"start": (3.0, 1.5), "lr": 0.5, "eps": 0.1, "steps": 6}
#: A second run with another α and ε: a step with a number typed in for either passes the first run only.
CHECK_AGAIN = {"lr": 0.3, "eps": 0.05}

StepFn = Callable[..., tuple]


def _correct(x, g, s, lr, eps):
    s = s + g**2  # s_t = s_{t-1} + g_t²
    return x - lr * g / (np.sqrt(s) + eps), s  # x_t = x_{t-1} - α g_t / (√s_t + ε)


def _ewma(beta: float) -> StepFn:
    def step(x, g, s, lr, eps):
        s = beta * s + (1 - beta) * g**2
        return x - lr * g / (np.sqrt(s) + eps), s
    return step


def _slips() -> dict[str, StepFn]:
    """Wrong versions of the step, each with the hint a learner whose x *and* s match it gets."""
    slips = {
        "ε is inside the square root: AdaGrad (and PyTorch) add ε after the root, √s_t + ε, not √(s_t + ε).":
            lambda x, g, s, lr, eps: (x - lr * g / np.sqrt(s + g**2 + eps), s + g**2),
        "did you forget to square g? s accumulates squared gradients: s_t = s_{t−1} + g_t².":
            lambda x, g, s, lr, eps: (x - lr * g / (np.sqrt(s + g) + eps), s + g),
        "you divided by √s_{t−1}, the sum before this step's gradient was added: update s first, then "
        "use the new s_t in the step.":
            lambda x, g, s, lr, eps: (x - lr * g / (np.sqrt(s) + eps), s + g**2),
        "your s_t is the latest g_t² alone: did you forget to add the previous s? AdaGrad keeps the sum of all "
        "squared gradients, s_t = s_{t−1} + g_t².": _ewma(0.0),
        "your step uses the new sum, but you return the old s: return s_t = s_{t−1} + g_t², so that the next "
        "step builds on it.":
            lambda x, g, s, lr, eps: (_correct(x, g, s, lr, eps)[0], s),
        "did you forget the square root? The step divides by √s_t + ε, not s_t + ε.":
            lambda x, g, s, lr, eps: (x - lr * g / (s + g**2 + eps), s + g**2),
        "where is ε? The step divides by √s_t + ε.":
            lambda x, g, s, lr, eps: (x - lr * g / np.sqrt(s + g**2), s + g**2),
        "the step goes uphill: subtract α·g/(√s_t + ε) from x, do not add it.":
            lambda x, g, s, lr, eps: (x + lr * g / (np.sqrt(s + g**2) + eps), s + g**2),
        "your x moves by α·g: that is gradient descent's step. AdaGrad divides each coordinate's step by "
        "√s_t + ε.":
            lambda x, g, s, lr, eps: (x - lr * g, s + g**2),
        "your step divides by s_t's total over both coordinates: AdaGrad keeps one sum per coordinate "
        "(entrywise g**2, no np.sum).":
            lambda x, g, s, lr, eps: (x - lr * g / (np.sqrt(np.sum(s + g**2)) + eps), s + g**2),
        "did you return (s, x)? Return the pair in the order (x_new, s_new).":
            lambda x, g, s, lr, eps: _correct(x, g, s, lr, eps)[::-1],
    }
    for beta in (0.9, 0.99, 0.999):
        slips[f"your s is an EWMA, β·s + (1 − β)·g² (here β = {beta:g}): that is next lesson's RMSProp. "
              "AdaGrad keeps the plain sum, s_t = s_{t−1} + g_t²."] = _ewma(beta)
    return slips


def exercise_setup(lr: float = CHECK["lr"], eps: float = CHECK["eps"]) -> str:
    """What the check runs, in the notebook's names, so that every number it prints can be recomputed by hand."""
    x0 = ", ".join(f"{v:g}" for v in CHECK["start"])
    return (f"α = {lr:g}, ε = {eps:g}, {CHECK['steps']} steps on f(w, b) = 0.1 w² + 2 b² from x_0 = ({x0}) "
            "with s_0 = (0, 0), each step given g = surface.grad(x) at the current x")


def _run(step: StepFn, lr: float, eps: float, name: str = "adagrad_step", setup: str = "") -> LearnerRun | Feedback:
    """Run ``step`` from CHECK's start, s_0 = 0, for CHECK's steps (``run_learner``: each result checked first)."""
    surface = elongated_quadratic()
    return run_learner(step, CHECK["start"], lambda x, t: surface.grad(x), CHECK["steps"],
                       lambda x, g, state, t: (x, g, *state, lr, eps), ("x_new", "s_new"), name=name, setup=setup)


_EQUATIONS = {"s": "s_t = s_{t−1} + g_t²", "x": "x_t = x_{t−1} − α g_t / (√s_t + ε), with the new s_t"}


def _first_wrong_output(xs, ss, calls, lr: float, eps: float) -> str:
    """Replay each call with the right step: the first output (s, then x) that differs, given the same inputs."""
    with np.errstate(all="ignore"):
        for (x, g, s, t), x_out, s_out in zip(calls, xs, ss, strict=True):
            x_ref, s_ref = _correct(x, g, s, lr, eps)
            for symbol, yours, right in (("s", s_out, s_ref), ("x", x_out, x_ref)):
                if not same_values(yours, right):
                    return (f"Given the same x_{t - 1}, g_{t} and s_{t - 1}, your {symbol}_{t} is {_vector(yours)}, "
                            f"expected {_vector(right)}: check {_EQUATIONS[symbol]}.")
    return "Each of your steps is right given its inputs: check what you return, (x_new, s_new), in that order."


def _vector(value) -> str:
    return "(" + ", ".join(f"{float(u):.4g}" for u in np.ravel(value)) + ")"


def _diagnosis(verdict: Feedback, explanation: str) -> Feedback:
    """``compare``'s message with its generic last line replaced by ``explanation`` (kept if it names a slip)."""
    if verdict.passed or "Hint:" in verdict.message:
        return verdict
    lines = [line for line in verdict.message.splitlines()
             if not line.startswith(("  The very first step differs", "  Steps before"))]
    return Feedback(False, "\n".join([*lines, f"  {explanation}"]))


def _typed_in(step: StepFn, calls: list, lr: float, eps: float, other: dict) -> list[str]:
    """The hyperparameters whose value does not change the learner's result (a number typed in for them)."""
    x, g, s, _ = calls[min(1, len(calls) - 1)]  # the second call: s is no longer 0
    ignored = ignored_arguments(step, (x, g, s, lr, eps), {3: other["lr"], 4: other["eps"]})
    return [symbol for position, symbol in ((3, "α (lr)"), (4, "ε (eps)")) if position in ignored]


def _typed_in_hint(typed: list[str]) -> str:
    return (f"  Hint: your step's result does not change when {' or '.join(typed)} does: is a number typed in "
            "where that argument belongs?")


def check_adagrad_step(step: StepFn) -> Feedback:
    """Run the learner's ``step(x, g, s, lr, eps) -> (x_new, s_new)`` for a few steps and compare with ``AdaGrad``.

    The run: 0.1 w² + 2 b² from (3, 1.5), α = 0.5, ε = 0.1, 6 steps (``exercise_setup``).
    The first differing x_t is named; values (x and s) that match a known slip get its
    hint; a step whose result ignores α or ε is told so; others get the first output that
    is wrong given the learner's own inputs.  A step that passes is run again with
    α = 0.3, ε = 0.05, so that a number typed in for α or ε cannot pass by luck.
    """
    name = getattr(step, "__name__", "adagrad_step")
    name = "adagrad_step" if name == "<lambda>" else name
    surface = elongated_quadratic()
    x0 = np.array(CHECK["start"], dtype=float)
    runs = ((CHECK["lr"], CHECK["eps"], CHECK_AGAIN), (CHECK_AGAIN["lr"], CHECK_AGAIN["eps"], CHECK))
    for k, (lr, eps, other) in enumerate(runs):
        setup = exercise_setup(lr, eps)
        learner = _run(step, lr, eps, name, setup)
        if isinstance(learner, Feedback):
            return learner
        xs, (ss,), calls = learner.xs, learner.states, learner.calls
        tr = trace(AdaGrad(lr, eps), surface.grad, x0, CHECK["steps"])
        expected_x, expected_s = tr.path[1:], tr.history("s")[1:]
        if same_values(xs, expected_x) and same_values(ss, expected_s):
            continue
        typed = _typed_in(step, calls, lr, eps, other)
        if k == 1:  # right in the first run, wrong in this one
            verdict = compare(xs, expected_x, symbol="x", setup=setup) if not same_values(xs, expected_x) else \
                compare(ss, expected_s, symbol="s", setup=setup)
            first, used, *_ = verdict.message.splitlines()
            return Feedback(False, "\n".join([
                f"✗ Not yet: your step is right for α = {CHECK['lr']:g}, ε = {CHECK['eps']:g} (the first run), "
                f"but not for α = {lr:g}, ε = {eps:g}: {first.replace('✗ Not yet. ', '')}", used,
                _typed_in_hint(typed) if typed else "  Hint: is a number typed in somewhere, where α (lr) or ε (eps) "
                                                    "belongs?"]))
        mistakes = {}
        with np.errstate(all="ignore"):
            for hint, slip in _slips().items():
                slip_run = _run(slip, lr, eps)
                if not isinstance(slip_run, Feedback) and same_values(ss, slip_run.states[0]):  # x and s must match
                    mistakes[hint] = slip_run.xs
        verdict = compare(xs, expected_x, symbol="x", mistakes=mistakes, setup=setup)
        if not verdict.passed:
            if typed and "Hint:" not in verdict.message:
                return _diagnosis(verdict, _typed_in_hint(typed).strip())
            return _diagnosis(verdict, _first_wrong_output(xs, ss, calls, lr, eps))
        first, used, *_ = compare(ss, expected_s, symbol="s", setup=setup).message.splitlines()
        return Feedback(False, "\n".join([first.replace("✗ Not yet.", "✗ Not yet: every x is right, but s is not.", 1),
                                          used, "  Hint: return the same s_t = s_{t−1} + g_t² that your step "
                                          "divided by: the next step builds on it."]))
    return Feedback(True, f"✓ Correct: all {CHECK['steps']} steps of x and s match helpers.optimizers.AdaGrad "
                          f"(ε outside the root, as in PyTorch), with α = {CHECK['lr']:g}, ε = {CHECK['eps']:g} and "
                          f"again with α = {CHECK_AGAIN['lr']:g}, ε = {CHECK_AGAIN['eps']:g}.")
