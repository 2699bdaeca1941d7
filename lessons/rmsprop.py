r"""Lesson 05, RMSProp: AdaGrad's sum of squared gradients replaced by an EWMA (lesson 01).

.. math::
    s_t = \beta\, s_{t-1} + (1-\beta)\, g_t^2 \qquad
    x_t = x_{t-1} - \frac{\alpha}{\sqrt{s_t} + \varepsilon}\, g_t

(``helpers.optimizers.RMSProp``; PyTorch's ``RMSprop`` with ``alpha`` = β).  This
module holds the lesson's figures, the numbers its prose quotes, and the check of
its exercise:

- ``effective_rates`` / ``steady_slope_rates`` / ``effective_rate_figure``: the
  effective rate α/(√s + ε) per coordinate over time, AdaGrad against RMSProp;
- ``per_axis``: √s and the effective rate on the shallow (w) and steep (b) axes;
- ``first_step`` / ``zero_gradient_step``: what ε does when s ≈ 0, inside or outside the root;
- ``rattle`` / ``dive_and_return`` / ``lowered_rate``: with a constant α, RMSProp ends in a
  ±α/2 cycle (a long memory only delays it; lowering α shrinks it);
- ``playground`` and ``EpsilonExplorer``: the interactive figures (``WIDGETS``);
- ``check_rmsprop_step``: the exercise's check, which names common slips.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

from helpers.optimizers import SGD, AdaGrad, RMSProp, effective_rate, run, trace
from helpers.plotting import OKABE_ITO, STYLES, new_figure
from helpers.surfaces import SURFACES, Surface, elongated_quadratic, hessian
from lessons.checks import Feedback, attempt, compare
from lessons.playground import Contender, Playground
from lessons.widgets import LiveFigure, beta_slider, eps_slider, lr_slider

__all__ = [
    "BETA", "SURFACE", "effective_rates", "steady_slope_rates",
    "effective_rate_figure", "per_axis", "first_step", "zero_gradient_step", "rattle", "dive_and_return",
    "first_step_bound", "lowered_rate", "EffectiveRatePanel", "playground",
    "EpsilonExplorer", "CHECK_SETUP", "SLIPS", "reference_steps", "check_rmsprop_step", "WIDGETS",
]

#: The lesson's β: the value on the lecture slide (PyTorch's default is 0.99).
BETA = 0.9
#: The bowl of lessons 03 and 04: f(w, b) = 0.1 w² + 2 b², start (−5, −2).
SURFACE = elongated_quadratic()
#: Labels of the two coordinates of the elongated quadratic.
AXES = ("w", "b")


# --- the effective learning rate -----------------------------------------------------------


def effective_rates(lr: float = 0.1, beta: float = BETA, steps: int = 1000,
                    surface: Surface = SURFACE) -> dict[str, dict[str, np.ndarray]]:
    """AdaGrad and RMSProp with the same α from ``surface.start``: their effective rates and losses.

    Returns ``{name: {"rate": (steps, 2) array for t = 1..steps, "loss": f(x_t) − f* for t = 0..steps}}``.
    """
    result = {}
    for name, opt in (("AdaGrad", AdaGrad(lr)), ("RMSProp", RMSProp(lr, beta))):
        tr = trace(opt, surface.grad, surface.start, steps)
        rate = effective_rate(opt, tr.history("s")[1:])  # t = 1..steps
        result[name] = {"rate": rate, "loss": surface.f(tr.path) - surface.f_min}
    return result


def steady_slope_rates(lr: float = 0.1, beta: float = BETA, steps: int = 10_000) -> dict[str, np.ndarray]:
    r"""Effective rates on a steady slope, where the gradient is g = 1 at every step (t = 1..steps).

    AdaGrad: :math:`s_t = t`, so the rate is :math:`\alpha/(\sqrt t + \varepsilon) \to 0`.
    RMSProp: :math:`s_t = 1 - \beta^t \to 1`, so the rate tends to α.
    """
    def slope(x):
        return np.ones_like(x)

    rates = {}
    for name, opt in (("AdaGrad", AdaGrad(lr)), ("RMSProp", RMSProp(lr, beta))):
        rates[name] = effective_rate(opt, trace(opt, slope, np.zeros(1), steps).history("s")[1:])[:, 0]
    return rates


def _log_marks(n: int, count: int = 12) -> list[int]:
    """Marker positions spread evenly on a log axis over indices 0..n−1."""
    return sorted({int(round(k)) for k in np.geomspace(1, n, count)} - {n} | {0})


def effective_rate_figure(lr: float = 0.1, beta: float = BETA, steps: int = 1000, slope_steps: int = 10_000):
    """Left: a steady slope (g = 1). Right: the elongated quadratic, per coordinate. AdaGrad vs RMSProp."""
    fig = new_figure(11, 4)
    ax_slope, ax_bowl = fig.subplots(1, 2)
    slope = steady_slope_rates(lr, beta, slope_steps)
    t = np.arange(1, slope_steps + 1)
    for name in ("AdaGrad", "RMSProp"):
        look = dict(STYLES[name], linewidth=2, markersize=5, markevery=_log_marks(slope_steps))
        ax_slope.plot(t, slope[name], label=name, **look)
    ax_slope.set_title("a steady slope: g = 1 at every step")
    bowl = effective_rates(lr, beta, steps)
    t = np.arange(1, steps + 1)
    for name in ("AdaGrad", "RMSProp"):
        for i, (axis, dash) in enumerate(zip(AXES, ("-", "--"), strict=True)):
            look = dict(STYLES[name], linewidth=2, markersize=5, markevery=_log_marks(steps), linestyle=dash)
            ax_bowl.plot(t, bowl[name]["rate"][:, i], label=f"{name}, {axis}", **look)
    ax_bowl.axhline(lr, color=OKABE_ITO["black"], linestyle=":", linewidth=1.2, label="GD: α on both axes")
    ax_bowl.set_title(f"{SURFACE.name}: per coordinate")
    for ax in (ax_slope, ax_bowl):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("step t")
        ax.set_ylabel("effective rate α / (√s_t + ε)")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle(f"AdaGrad's rate only falls; RMSProp's follows the recent gradients (α = {lr:g}, β = {beta:g})")
    return fig


# --- the picture per axis --------------------------------------------------------------------


def per_axis(lr: float = 0.4, beta: float = BETA, k: int = 5, surface: Surface = SURFACE) -> dict:
    r"""√s, the effective rate α/(√s + ε), the step |x_k − x_{k−1}| and α_eff·λ on each axis at step k.

    Gradient descent with the same α has rate α on both axes and zig-zags on an
    axis where :math:`\alpha\lambda > 1` (its factor :math:`1 - \alpha\lambda` is negative).
    Also returns the first steps of b for GD and RMSProp, and w after ``2k`` steps.
    """
    lam = np.diag(hessian(surface))  # the curvature along each axis: (λ_w, λ_b)
    opt = RMSProp(lr, beta)
    tr = trace(opt, surface.grad, surface.start, 2 * k)
    gd = run(SGD(lr), surface.grad, surface.start, 2 * k)
    sqrt_s = np.sqrt(tr.states[k].s)
    rate = lr / (sqrt_s + opt.eps)
    return {
        "lambda": lam,
        "sqrt_s": sqrt_s,
        "rate": rate,
        "rate_x_lambda": rate * lam,
        "gd_x_lambda": lr * lam,
        "step": np.abs(tr.path[k] - tr.path[k - 1]),
        "gd_step": np.abs(gd[k] - gd[k - 1]),
        "b_gd": gd[: k + 2, 1],
        "b_rmsprop": tr.path[: k + 2, 1],
        "w_gd": gd[2 * k, 0],
        "w_rmsprop": tr.path[2 * k, 0],
    }


# --- ε ---------------------------------------------------------------------------------------------


def first_step(g, lr: float = 0.1, beta: float = BETA, eps: float = 1e-8, inside: bool = False) -> np.ndarray:
    r"""The first RMSProp step :math:`x_1 - x_0` from :math:`s_0 = 0` for gradient(s) ``g``.

    :math:`s_1 = (1-\beta) g^2`; ε outside the root (PyTorch, ``helpers``):
    :math:`-\alpha g / (\sqrt{s_1} + \varepsilon)`; inside (TensorFlow's kernel):
    :math:`-\alpha g / \sqrt{s_1 + \varepsilon}`.  ``g = 0`` with ``eps = 0`` gives
    0/0 = NaN, returned quietly.
    """
    g = np.asarray(g, dtype=float)
    s = (1 - beta) * g**2  # s_1 = β·0 + (1 − β) g_1²
    with np.errstate(invalid="ignore", divide="ignore"):
        if inside:
            return -lr * g / np.sqrt(s + eps)  # ε inside the root
        return -lr * g / (np.sqrt(s) + eps)  # ε outside the root


def first_step_bound(beta: float) -> float:
    r"""The size of every non-zero first step, in units of α, without ε: :math:`1/\sqrt{1-\beta}`."""
    return 1 / np.sqrt(1 - beta)


def zero_gradient_step(eps: float, lr: float = 0.1, beta: float = BETA) -> np.ndarray:
    """One step of ``helpers.optimizers.RMSProp`` from x = (1, 1) with gradient (0.5, 0): the new x.

    The second coordinate has s = 0 and g = 0: without ε its step is 0/0 = NaN.
    """
    opt = RMSProp(lr, beta, eps)
    x0 = np.ones(2)
    with np.errstate(invalid="ignore"):
        x, _ = opt.step(x0, np.array([0.5, 0.0]), opt.init(x0))
    return x


# --- the rattle near the minimum -------------------------------------------------------------------


def rattle(lr: float, beta: float = BETA, steps: int = 6000, tail: int = 1000, surface: Surface = SURFACE) -> dict:
    r"""Where RMSProp with a constant α ends up on an axis-aligned quadratic.

    Over the last ``tail`` steps: the largest :math:`|x_i|` and the median :math:`|\Delta x_i|`
    (both in units of α), the largest loss, and the effective rate at the end.
    Theory: a two-step cycle :math:`x_i = \pm\alpha/2`, where :math:`g_i^2` is constant, so
    :math:`\sqrt{s_i} = \lambda_i\alpha/2`, the step is exactly ±α, the effective rate is
    :math:`2/\lambda_i` and the loss is :math:`\sum_i \lambda_i\alpha^2/8`.
    """
    opt = RMSProp(lr, beta)
    tr = trace(opt, surface.grad, surface.start, steps)
    end = tr.path[-tail:]
    lam = np.diag(hessian(surface))  # the curvature along each axis: (λ_w, λ_b)
    return {
        "max_abs": np.abs(end - surface.minimum).max(axis=0) / lr,
        "median_step": np.median(np.abs(np.diff(end, axis=0)), axis=0) / lr,
        "loss": float((surface.f(end) - surface.f_min).max()),
        "predicted_loss": float(lam.sum() * lr**2 / 8),
        "rate": lr / (np.sqrt(tr.states[-1].s) + opt.eps),
        "two_over_lambda": 2 / lam,
        "last": tr.path[-4:],
    }


def dive_and_return(lr: float = 0.1, beta: float = 0.99, steps: int = 3000, surface: Surface = SURFACE) -> dict:
    """With a long memory (β near 1) RMSProp first dives far below the rattle floor, then climbs back to it.

    Returns the lowest loss and its step, and the loss at the end.
    """
    loss = surface.f(run(RMSProp(lr, beta), surface.grad, surface.start, steps)) - surface.f_min
    k = int(np.argmin(loss))
    return {"lowest": float(loss[k]), "lowest_step": k, "final": float(loss[-1]), "steps": steps}


def lowered_rate(lr: float = 0.1, lower: float = 0.01, beta: float = BETA, steps: int = 3000,
                 tail: int = 1000, surface: Surface = SURFACE) -> dict:
    """Run RMSProp with α = ``lr`` for ``steps`` steps, then keep going with α = ``lower`` (same s).

    Returns the largest |x_i − x*_i| over the last ``tail`` steps of each phase: lowering α
    shrinks the rattle in proportion.
    """
    x, opt = surface.start.copy(), RMSProp(lr, beta)
    state = opt.init(x)
    largest = []
    for phase_lr in (lr, lower):
        opt = RMSProp(phase_lr, beta)
        end = []
        for k in range(steps):
            x, state = opt.step(x, surface.grad(x), state)
            if k >= steps - tail:
                end.append(np.abs(x - surface.minimum))
        largest.append(np.max(end, axis=0))
    return {"before": largest[0], "after": largest[1]}


# --- the playground --------------------------------------------------------------------------------


class EffectiveRatePanel:
    """The playground's third panel: α/(√s_t + ε) per coordinate for AdaGrad and RMSProp, and GD's α."""

    CAP = (1e-4, 1e4)  # the axis never stretches beyond this (α/ε with s = 0 would be 1e7)

    def setup(self, ax) -> None:
        self.lines = {}
        for name in ("AdaGrad", "RMSProp"):
            for axis, dash in zip(AXES, ("-", "--"), strict=True):
                look = dict(STYLES[name], linewidth=1.6, markersize=4, linestyle=dash, markevery=20)
                (self.lines[name, axis],) = ax.plot([], [], label=f"{name}, {axis}", **look)
        (self.gd_line,) = ax.plot([], [], color=OKABE_ITO["black"], linestyle=":", linewidth=1.2, label="GD: α")
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(numticks=6))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("step t")
        ax.set_ylabel("α / (√s_t + ε)")
        ax.set_title("effective rate per coordinate")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper left", fontsize=7, framealpha=0.9)

    def update(self, ax, traces, surface, params) -> None:
        lr, beta = params["lr"], params["beta"]
        values = [np.array([lr])]
        for name, opt in (("AdaGrad", AdaGrad(lr)), ("RMSProp", RMSProp(lr, beta))):
            rate = effective_rate(opt, traces[name].history("s")[1:])
            t = np.arange(1, len(rate) + 1)
            for i, axis in enumerate(AXES):
                self.lines[name, axis].set_data(t, rate[:, i])
            values.append(rate[np.isfinite(rate)])
        steps = len(rate)
        self.gd_line.set_data([1, steps], [lr, lr])
        values = np.concatenate(values)
        low = max(float(values.min()) / 2, self.CAP[0])
        high = min(float(values.max()) * 2, self.CAP[1])
        ax.set_xlim(0, steps)
        ax.set_ylim(low, max(high, 4 * low))


#: The bowl's name in the playground's surface menu.
BOWL = "elongated quadratic"


def _starts(surface: Surface) -> dict[str, np.ndarray]:
    """The playground's start points: the surface's own, and one near its minimum (to watch the rattle)."""
    span = np.array([surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0]])
    return {"default start": surface.start, "near the minimum": surface.minimum + 0.08 * span}


def playground(steps: int = 200) -> Playground:
    """GD, AdaGrad and RMSProp sharing α, on a choice of surfaces and starts, with the effective-rate panel."""
    pg = Playground(
        contenders=[Contender("GD", lambda p: SGD(p["lr"])),
                    Contender("AdaGrad", lambda p: AdaGrad(p["lr"])),
                    Contender("RMSProp", lambda p: RMSProp(p["lr"], p["beta"]))],
        controls={"lr": lr_slider(0.1, -3, 0),
                  "beta": beta_slider(BETA, 0.5, 0.999, description="β (smoothing of g²)")},
        surfaces={BOWL: SURFACE, **{name: make() for name, make in SURFACES.items() if name != BOWL}},
        starts=_starts,
        steps=steps,
        panel=EffectiveRatePanel(),
        describe=lambda p: f"α = {p['lr']:.2g}, β = {p['beta']:.3f}",
        width=15.0,
    )
    pg.ax_panel.xaxis.set_major_locator(MaxNLocator(5, integer=True))  # text is most of a redraw's cost
    pg.relayout()
    pg.redraw()
    return pg


# --- ε, interactively ------------------------------------------------------------------------------


class EpsilonExplorer(LiveFigure):
    """RMSProp's first step |x₁ − x₀|/α against the size of the gradient |g|: without ε, ε outside, ε inside."""

    G = np.geomspace(1e-12, 1e2, 400)

    def __init__(self, eps: float = 1e-8, beta: float = BETA):
        fig = new_figure(8, 4.2)
        self.ax = fig.subplots()
        self.none_line, = self.ax.plot([], [], color=OKABE_ITO["black"], linestyle=":", linewidth=1.5,
                                       label="no ε: |g| / √s₁")
        self.outside_line, = self.ax.plot([], [], color=OKABE_ITO["orange"], linewidth=2.2,
                                          label="ε outside: |g| / (√s₁ + ε)   (PyTorch, helpers)")
        self.inside_line, = self.ax.plot([], [], color=OKABE_ITO["blue"], linestyle="--", linewidth=2.2,
                                         label="ε inside: |g| / √(s₁ + ε)   (TensorFlow kernel)")
        self.eps_mark = self.ax.axvline(eps, color=OKABE_ITO["orange"], linewidth=0.8, alpha=0.6)
        self.ax.set_xscale("log")
        self.ax.set_yscale("log")
        self.ax.set_xlim(self.G[0], self.G[-1])
        self.ax.set_ylim(1e-6, 1e2)
        self.ax.xaxis.set_minor_locator(NullLocator())
        self.ax.yaxis.set_minor_locator(NullLocator())
        self.ax.set_xlabel("size of the gradient |g₁|")
        self.ax.set_ylabel("first step |x₁ − x₀| / α")
        self.ax.grid(True, which="major", alpha=0.3)
        self.ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
        super().__init__(fig, {"eps": eps_slider(eps), "beta": beta_slider(beta, 0.5, 0.999,
                                                                          description="β (smoothing of g²)")})

    def draw(self, params: dict) -> None:
        eps, beta = params["eps"], params["beta"]
        self.none_line.set_data(self.G, np.abs(first_step(self.G, 1.0, beta, 0.0)))
        self.outside_line.set_data(self.G, np.abs(first_step(self.G, 1.0, beta, eps)))
        self.inside_line.set_data(self.G, np.abs(first_step(self.G, 1.0, beta, eps, inside=True)))
        self.eps_mark.set_xdata([eps, eps])
        self.ax.set_title(f"first step from s₀ = 0 (ε = {eps:.0e}, β = {beta:.3f}); thin line: |g| = ε",
                          fontsize=10)


# --- the exercise ----------------------------------------------------------------------------------

#: The check's problem: the bowl from (−5, −2).  ε is larger than usual so that where it sits shows.
CHECK_SETUP = {"lr": 0.1, "beta": 0.9, "eps": 0.01, "steps": 5}

StepFn = Callable[..., tuple]


def _correct(x, g, s, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def _eps_inside(x, g, s, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    return x - lr * g / np.sqrt(s + eps), s


def _no_eps(x, g, s, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    return x - lr * g / np.sqrt(s), s


def _swapped_weights(x, g, s, lr, beta, eps):
    s = (1 - beta) * s + beta * g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def _no_one_minus_beta(x, g, s, lr, beta, eps):
    s = beta * s + g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def _running_sum(x, g, s, lr, beta, eps):
    s = s + g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def _g_not_squared(x, g, s, lr, beta, eps):
    s = beta * s + (1 - beta) * g
    return x - lr * g / (np.sqrt(s) + eps), s


def _previous_s(x, g, s, lr, beta, eps):
    x = x - lr * g / (np.sqrt(s) + eps)
    return x, beta * s + (1 - beta) * g**2


def _divide_by_s(x, g, s, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    return x - lr * g / (s + eps), s


def _old_s_returned(x, g, s, lr, beta, eps):
    s_new = beta * s + (1 - beta) * g**2
    return x - lr * g / (np.sqrt(s_new) + eps), s


#: Each known slip, as the hint the check gives, and a step function that makes it.
SLIPS: dict[str, StepFn] = {
    "your values match ε inside the root, α·g/√(s + ε). Here, as in PyTorch, ε is added after the root: "
    "α·g/(√s + ε).": _eps_inside,
    "your values match a step without ε, α·g/√s. Add ε to the denominator, after the root: √s + ε.": _no_eps,
    "your values match s = (1 − β)·s + β·g²: (1 − β) is on the wrong term. The old average keeps the "
    "weight β; the new g² gets (1 − β).": _swapped_weights,
    "your values match s = β·s + g²: the new g² needs its factor (1 − β).": _no_one_minus_beta,
    "your values match s = s + g², AdaGrad's running sum. RMSProp averages instead: "
    "s = β·s + (1 − β)·g².": _running_sum,
    "your values match s = β·s + (1 − β)·g: square the gradient, g**2.": _g_not_squared,
    "your values match a step that divides by the previous √s_{t−1}: update s first, then divide by the "
    "new √s_t (at t = 1, s_0 = 0 makes the step α·g/ε).": _previous_s,
    "your values match α·g/(s + ε): divide by the root √s, not by s (√s has the units of g, so that "
    "g/√s is a pure number and each step is about α).": _divide_by_s,
    "your x matches a step that returns the old s: return the new s_t, so that the next step builds "
    "on it.": _old_s_returned,
}


def reference_steps(step: StepFn, setup: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Run ``step(x, g, s, lr, beta, eps) -> (x, s)`` from the bowl's start: x_1..x_T and s_1..s_T."""
    setup = dict(CHECK_SETUP, **(setup or {}))
    x, s = SURFACE.start.copy(), np.zeros(2)
    xs, ss = [], []
    with np.errstate(all="ignore"):
        for _ in range(setup["steps"]):
            x, s = step(x, SURFACE.grad(x), s, setup["lr"], setup["beta"], setup["eps"])
            xs.append(np.array(x, dtype=float))
            ss.append(np.array(s, dtype=float))
    return np.array(xs), np.array(ss)


def _expected() -> tuple[np.ndarray, np.ndarray]:
    """x_1..x_T and s_1..s_T from ``helpers.optimizers.RMSProp`` (the reference)."""
    opt = RMSProp(CHECK_SETUP["lr"], CHECK_SETUP["beta"], CHECK_SETUP["eps"])
    tr = trace(opt, SURFACE.grad, SURFACE.start, CHECK_SETUP["steps"])
    return tr.path[1:], np.array([state.s for state in tr.states[1:]])


def check_rmsprop_step(fn: StepFn) -> Feedback:
    """Check the learner's ``rmsprop_step(x, g, s, lr, beta, eps) -> (x_new, s_new)``.

    Runs it for ``CHECK_SETUP["steps"]`` steps on the elongated quadratic from (−5, −2)
    and compares x_t, then s_t, with ``helpers.optimizers.RMSProp``: the first step
    that differs is named, and a known slip gets its hint.
    """
    name = getattr(fn, "__name__", "your function")
    lr, beta, eps = CHECK_SETUP["lr"], CHECK_SETUP["beta"], CHECK_SETUP["eps"]
    x, s = SURFACE.start.copy(), np.zeros(2)
    xs, ss = [], []
    for _ in range(CHECK_SETUP["steps"]):
        with np.errstate(all="ignore"):
            result, problem = attempt(fn, x.copy(), SURFACE.grad(x), s.copy(), lr, beta, eps, name=name)
        if problem:
            return problem
        if not isinstance(result, tuple) or len(result) != 2:
            return Feedback(False, f"✗ {name} should return two values, (x_new, s_new); "
                                   f"got {type(result).__name__} {result!r:.60}.")
        try:
            x, s = (np.asarray(v, dtype=float).reshape(2) for v in result)
        except (TypeError, ValueError):
            return Feedback(False, f"✗ {name} should return two arrays shaped like x, (x_new, s_new); "
                                   f"got {result!r:.80}.")
        xs.append(x)
        ss.append(s)
    x_expected, s_expected = _expected()
    mistakes = {hint: reference_steps(slip)[0] for hint, slip in SLIPS.items()}
    feedback = compare(np.array(xs), x_expected, symbol="x", mistakes=mistakes, fmt=".6g")
    if not feedback.passed:
        return feedback
    return compare(np.array(ss), s_expected, symbol="s", fmt=".6g",
                   success="Your step is RMSProp: the same numbers as helpers.optimizers.RMSProp.")


#: The lesson's interactive figures, by name (tests and the benchmark build each one).
WIDGETS: dict[str, Callable[[], LiveFigure]] = {
    "playground": playground,
    "epsilon": EpsilonExplorer,
}
