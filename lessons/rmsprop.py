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
- ``rattle`` / ``dive_and_return`` / ``lowered_rate``: with a constant α and a tiny ε, RMSProp
  ends in a ±α/2 cycle (a long memory only delays it; lowering α shrinks it);
- ``cycle_amplitude`` / ``settling`` / ``bowl_losses``: with ε, the cycle's half-width is
  α/2 − ε/λ, and RMSProp settles when α/ε < 2/λ_max;
- ``centered_on_noise`` / ``centered_steady``: centered RMSProp divides by √(s − m²);
- ``playground`` and ``EpsilonExplorer``: the interactive figures (``WIDGETS``);
- ``check_rmsprop_step``: the exercise's check, which names common slips.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

from helpers.optimizers import SGD, AdaGrad, RMSProp, effective_rate, run, trace
from helpers.plotting import OKABE_ITO, STYLES, loss_axis, new_figure
from helpers.surfaces import SURFACES, Surface, elongated_quadratic, hessian
from lessons.checks import Feedback, LearnerRun, compare, ignored_arguments, run_learner, same_values
from lessons.playground import Contender, Playground, divergence_step
from lessons.widgets import LiveFigure, beta_slider, eps_slider, lr_slider

__all__ = [
    "BETA", "SURFACE", "effective_rates", "steady_slope_rates",
    "effective_rate_figure", "per_axis", "first_step", "zero_gradient_step", "rattle", "dive_and_return",
    "first_step_bound", "lowered_rate", "EffectiveRatePanel", "playground",
    "EpsilonExplorer", "CHECK_SETUP", "CHECK_AGAIN", "SLIPS", "SLIPS_AGAIN", "reference_steps", "check_rmsprop_step",
    "exercise_setup", "WIDGETS",
    "cycle_amplitude", "settling", "bowl_losses", "centered_on_noise", "centered_steady", "power_of_ten_below",
    "NEAR", "zoomed", "RMSPropPlayground", "playground_facts",
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
        ax.set_ylabel(r"effective rate $\alpha / (\sqrt{s_t} + \varepsilon)$")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=10, loc="best")
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

    Returns the lowest loss and its step, the loss at the end, the rattle floor Σλ·α²/8, and
    the first step below floor/1000 and the first step after the lowest one back above floor/2.
    """
    loss = surface.f(run(RMSProp(lr, beta), surface.grad, surface.start, steps)) - surface.f_min
    k = int(np.argmin(loss))
    floor = float(np.diag(hessian(surface)).sum() * lr**2 / 8)
    back = np.flatnonzero(loss[k:] > floor / 2)
    return {"lowest": float(loss[k]), "lowest_step": k, "final": float(loss[-1]), "steps": steps, "floor": floor,
            "below": int(np.argmax(loss < floor / 1000)), "back": int(k + back[0]) if back.size else None}


def power_of_ten_below(value: float) -> str:
    """"below 1e-100" for a tiny positive number: how deep a dive went, without digits no one can use."""
    for exponent in (-300, -200, -100, -50, -20, -12, -9, -6, -3):
        if value < 10.0**exponent:
            return f"below 1e{exponent}"
    return f"{value:.1e}"


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


# --- when RMSProp settles: the ε condition -------------------------------------------------------------


def cycle_amplitude(lr: float, eps, curvature) -> np.ndarray:
    r"""Half the width of RMSProp's two-step cycle on an axis of curvature λ: max(α/2 − ε/λ, 0).

    In the cycle :math:`x = \pm a`, so :math:`g^2 = \lambda^2 a^2` at every step, :math:`\sqrt s \to \lambda a`
    and the step :math:`\alpha\lambda a/(\lambda a + \varepsilon)` must be 2a:
    :math:`a = \alpha/2 - \varepsilon/\lambda`.
    It exists only while :math:`\alpha/\varepsilon > 2/\lambda`; with ε ≪ λα/2 it is the ±α/2 of ``rattle``.
    Near the minimum s → 0 and RMSProp is gradient descent with rate α/ε: it settles where
    :math:`\alpha/\varepsilon < 2/\lambda`, lesson 03's condition.
    """
    eps = np.asarray(eps, dtype=float)
    return np.maximum(lr / 2 - eps / np.asarray(curvature, dtype=float), 0.0)


def settling(lr: float = 0.1, eps=(1e-8, 1e-3, 1e-2, 0.1, 0.19, 0.21, 0.316, 1.0), beta: float = BETA,
             steps: int = 6000, tail: int = 1000, surface: Surface = SURFACE) -> dict[str, np.ndarray]:
    """RMSProp from the bowl's start for each ε at once (``helpers.optimizers.RMSProp`` with an array ε).

    Returns ``eps``, the measured half-width of the motion over the last ``tail`` steps per axis
    (largest |x_i − x*_i|), the ``predicted`` one (``cycle_amplitude``), ``rate_limit`` = α/ε
    and the curvatures ``lam``.
    """
    eps = np.asarray(eps, dtype=float)
    lam = np.diag(hessian(surface))
    x0 = np.broadcast_to(surface.start, (len(eps), 2))
    path = run(RMSProp(lr, beta, eps[:, None]), surface.grad, x0, steps)
    return {"eps": eps, "measured": np.abs(path[-tail:] - surface.minimum).max(axis=0),
            "predicted": cycle_amplitude(lr, eps[:, None], lam[None, :]), "rate_limit": lr / eps, "lam": lam}


def bowl_losses(lr: float, beta: float, eps: float, steps: int, curvature=(0.2, 4.0), start=(-5.0, -2.0)) -> np.ndarray:
    r"""f(x_t) − f* of RMSProp on the axis-aligned bowl :math:`\tfrac12\sum_i\lambda_i x_i^2`, t = 0..steps.

    The same numbers as ``helpers.optimizers.RMSProp`` (the tests check it), in plain floats:
    the ε explorer reruns it on every slider move, and the two axes of this bowl do not interact.
    """
    out = np.zeros(steps + 1)
    for lam, x in zip(curvature, start, strict=True):
        s, xs = 0.0, [x]
        for _ in range(steps):
            g = lam * x
            s = beta * s + (1 - beta) * g * g  # s_t = β s_{t−1} + (1 − β) g_t²
            x = x - lr * g / (math.sqrt(s) + eps)  # x_t = x_{t−1} − α g_t / (√s_t + ε)
            xs.append(x)
        out += 0.5 * lam * np.square(xs)
    return out


# --- centered RMSProp ------------------------------------------------------------------------------------


def centered_on_noise(mean: float = 1.0, spread: float = 0.5, beta: float = 0.99, steps: int = 2000,
                      seed: int = 5) -> dict[str, float]:
    r"""Centered RMSProp (``RMSProp(centered=True)``) fed g_t = mean + spread·ξ_t: what it divides by.

    Returns √s (the RMS of g), √(s − m²) (the root of the variance estimate: about ``spread``),
    s − m² (the variance estimate itself) and the last step ÷ (α g_t), which equals
    1/(√(s − m²) + ε): the step divides by the *root* of the variance.
    """
    g = mean + spread * np.random.default_rng(seed).standard_normal(steps)
    opt = RMSProp(1.0, beta, centered=True)
    tr = trace(opt, lambda x, t: np.array([g[t - 1]]), np.zeros(1), steps, online=True)
    s, m = float(tr.states[-1].s[0]), float(tr.states[-1].m[0])
    return {"rms": math.sqrt(s), "root_variance": math.sqrt(s - m * m), "variance": s - m * m,
            "step_over_g": float((tr.path[-2, 0] - tr.path[-1, 0]) / g[-1]),
            "one_over_root": 1 / (math.sqrt(s - m * m) + opt.eps)}


def centered_steady(ts=(1, 10, 100, 1000), beta: float = 0.99) -> np.ndarray:
    r"""Steps t ÷ α of centered RMSProp under a steady gradient g = 1 (zero variance).

    :math:`s_t - m_t^2 = (1-\beta^t)\beta^t`: the variance estimate of a constant is (nearly) 0, so
    the steps are large, and grow once :math:`\beta^t` is small.
    """
    path = run(RMSProp(1.0, beta, centered=True), lambda x: np.ones_like(x), np.zeros(1), max(ts))
    return np.abs(np.diff(path[:, 0]))[np.array(ts) - 1]


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
        ax.set_ylabel(r"$\alpha / (\sqrt{s_t} + \varepsilon)$")
        ax.set_title("effective rate per coordinate")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper left", fontsize=10, framealpha=0.9)

    def update(self, ax, traces, surface, params) -> None:
        lr, beta = params["lr"], params["beta"]
        values = [np.array([lr])]
        for name, opt in (("AdaGrad", AdaGrad(lr)), ("RMSProp", RMSProp(lr, beta))):
            rate = effective_rate(opt, traces[name].history("s")[1:])
            t = np.arange(1, len(rate) + 1)
            for i, axis in enumerate(AXES):
                self.lines[name, axis].set_data(t, rate[:, i])
                self.lines[name, axis].set_label(f"{name}, {surface.axis_names[i]}")  # w, b on the bowl; x, y elsewhere
            values.append(rate[np.isfinite(rate)])
        steps = len(rate)
        self.gd_line.set_data([1, steps], [lr, lr])
        values = np.concatenate(values)
        low = max(10 ** np.floor(np.log10(float(values.min()) / 2)), self.CAP[0])  # whole decades: the ticks
        high = min(10 ** np.ceil(np.log10(float(values.max()) * 2)), self.CAP[1])  # stay put while dragging
        ax.set_xlim(0, steps)
        ax.set_ylim(low, max(high, 4 * low))
        labels = tuple(line.get_label() for line in self.lines.values())
        if labels != getattr(self, "_labels", None):  # a legend costs a few ms: rebuild it when a name changes
            ax.legend(loc="upper left", fontsize=10, framealpha=0.9)
            self._labels = labels


#: The bowl's name in the playground's surface menu.
BOWL = "elongated quadratic"
#: The start near the minimum, whose window is zoomed in so that the rattle shows.
NEAR = "near the minimum (zoomed in)"
#: The near start sits this fraction of the window from the minimum; the zoomed window spans ±ZOOM of it.
NEAR_OFFSET, ZOOM = 0.04, 0.06


def _starts(surface: Surface) -> dict[str, np.ndarray]:
    """The playground's start points: the surface's own, and one near its minimum (to watch the rattle).

    A zoomed-in window (``zoomed``) keeps the near start of the surface it was cut from.
    """
    base = getattr(surface, "zoomed_from", surface)
    span = np.array([base.xlim[1] - base.xlim[0], base.ylim[1] - base.ylim[0]])
    return {"default start": base.start, NEAR: base.minimum - NEAR_OFFSET * span}  # below left: clear of the legend


@dataclasses.dataclass(frozen=True, eq=False)
class ZoomedSurface(Surface):
    """A surface drawn in a small window around its minimum (its own contour grid, its own clipping)."""

    zoomed_from: Surface | None = None


def zoomed(surface: Surface) -> ZoomedSurface:
    """``surface`` with the window ±ZOOM of its span around the minimum: RMSProp's rattle is a visible zig-zag there."""
    half = ZOOM * np.array([surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0]])
    (cx, cy) = surface.minimum
    fields = {f.name: getattr(surface, f.name) for f in dataclasses.fields(Surface)}
    fields.update(name=f"{surface.name}, zoomed in", xlim=(cx - half[0], cx + half[0]),
                  ylim=(cy - half[1], cy + half[1]))
    return ZoomedSurface(**fields, zoomed_from=surface)


class RMSPropPlayground(Playground):
    """The shared playground; the start near the minimum zooms the path panel in.

    The zoomed windows are extra entries of ``surfaces`` (not in the menu): the playground
    draws and caches their contours like any surface's.
    """

    legend_fontsize = 10  # readable when projected

    def draw(self, params: dict) -> None:
        if params.get("start") == NEAR:
            name = params.get("surface", next(iter(self.surfaces)))
            key = f"{name} · zoomed"
            if key not in self.surfaces:
                self.surfaces[key] = zoomed(self.surfaces[name])
            params = dict(params, surface=key)
        super().draw(params)


def playground(steps: int = 200) -> Playground:
    """GD, AdaGrad and RMSProp sharing α, on a choice of surfaces and starts, with the effective-rate panel."""
    pg = RMSPropPlayground(
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


def playground_facts(steps: int = 200) -> dict:
    """What each "try this" under the playground shows, computed with the playground's optimizers.

    - ``default``: per β (0.9, 0.99, 0.5), RMSProp's lowest loss and its step, and its loss at the end,
      with α = 0.1 from the bowl's start; AdaGrad's rates never rise; RMSProp's largest rate on w ÷ α;
    - ``diverged``: at α = 0.6, the step at which each optimizer diverges (None: it does not);
    - ``saddle``: at α = 0.01, the step at which |y| passes 0.5 (None: not within ``steps``), and y at the end;
    - ``near``: from the start near the minimum, GD's and RMSProp's loss at the end for α = 0.1 and 0.01.
    """
    out = {"default": {}}
    for beta in (0.9, 0.99, 0.5):
        loss = SURFACE.f(run(RMSProp(0.1, beta), SURFACE.grad, SURFACE.start, steps)) - SURFACE.f_min
        out["default"][beta] = (float(loss.min()), int(loss.argmin()), float(loss[-1]))
    rates = {name: effective_rate(opt, trace(opt, SURFACE.grad, SURFACE.start, steps).history("s")[1:])
             for name, opt in (("AdaGrad", AdaGrad(0.1)), ("RMSProp", RMSProp(0.1, BETA)))}
    out["adagrad_never_rises"] = bool(np.all(np.diff(rates["AdaGrad"], axis=0) <= 0))
    out["rmsprop_top_rate"] = float(rates["RMSProp"][:, 0].max() / 0.1)
    out["diverged"] = {name: divergence_step(SURFACE, run(opt, SURFACE.grad, SURFACE.start, steps))
                       for name, opt in (("GD", SGD(0.6)), ("AdaGrad", AdaGrad(0.6)), ("RMSProp", RMSProp(0.6, BETA)))}
    ridge = SURFACES["saddle"]()
    out["saddle"] = {}
    for name, opt in (("GD", SGD(0.01)), ("AdaGrad", AdaGrad(0.01)), ("RMSProp", RMSProp(0.01, BETA))):
        path = run(opt, ridge.grad, ridge.start, steps)
        away = np.abs(path[:, 1]) > 0.5
        out["saddle"][name] = (int(np.argmax(away)) if away.any() else None, float(path[-1, 1]))
    near = _starts(SURFACE)[NEAR]
    out["near"] = {lr: {name: float(SURFACE.f(run(opt, SURFACE.grad, near, steps)[-1]) - SURFACE.f_min)
                        for name, opt in (("GD", SGD(lr)), ("RMSProp", RMSProp(lr, BETA)))}
                   for lr in (0.1, 0.01)}
    return out


# --- ε, interactively ------------------------------------------------------------------------------


class EpsilonExplorer(LiveFigure):
    """ε in two pictures.

    Left: RMSProp's first step |x₁ − x₀|/α against the size of the gradient |g|, without ε, ε
    outside and ε inside the root.  Right: RMSProp on the bowl with this ε, β and α: the loss per
    step, and the floor of the two-step cycle, which exists only while α/ε > 2/λ (``cycle_amplitude``).
    """

    G = np.geomspace(1e-12, 1e2, 400)
    STEPS = 1500
    LOSS_RANGE = (1e-16, 1e3)

    def __init__(self, eps: float = 1e-8, beta: float = BETA, lr: float = 0.1):
        fig = new_figure(12.5, 4.2)
        self.ax, self.ax_bowl = fig.subplots(1, 2, width_ratios=[1.1, 1])
        self.none_line, = self.ax.plot([], [], color=OKABE_ITO["black"], linestyle=":", linewidth=1.5,
                                       label=r"no ε: $|g| / \sqrt{s_1}$")
        self.outside_line, = self.ax.plot([], [], color=OKABE_ITO["orange"], linewidth=2.2,
                                          label=r"ε outside: $|g| / (\sqrt{s_1} + \varepsilon)$   (PyTorch, helpers)")
        self.inside_line, = self.ax.plot([], [], color=OKABE_ITO["blue"], linestyle="--", linewidth=2.2,
                                         label=r"ε inside: $|g| / \sqrt{s_1 + \varepsilon}$   (TensorFlow kernel)")
        self.eps_mark = self.ax.axvline(eps, color=OKABE_ITO["orange"], linewidth=0.8, alpha=0.6)
        self.ax.set_xscale("log")
        self.ax.set_yscale("log")
        self.ax.set_xlim(self.G[0], self.G[-1])
        self.ax.set_ylim(1e-6, 1e2)
        self.ax.xaxis.set_minor_locator(NullLocator())
        self.ax.yaxis.set_minor_locator(NullLocator())
        self.ax.set_xlabel(r"size of the gradient $|g_1|$")
        self.ax.set_ylabel(r"first step $|x_1 - x_0|\,/\,\alpha$")
        self.ax.grid(True, which="major", alpha=0.3)
        self.ax.legend(loc="lower right", fontsize=10, framealpha=0.9)

        self.lam = np.diag(hessian(SURFACE))
        self.loss_line, = self.ax_bowl.plot([], [], color=STYLES["RMSProp"]["color"], linewidth=1.8,
                                            label="RMSProp, this ε, β and α")
        self.floor_line, = self.ax_bowl.plot([], [], color=OKABE_ITO["black"], linestyle="--", linewidth=1.2,
                                             label=r"the cycle's floor, $a_i = \alpha/2 - \varepsilon/\lambda_i$")
        loss_axis(self.ax_bowl, step="t")  # log scale, f(x_t) − f* typeset, step t
        self.ax_bowl.set_ylim(*self.LOSS_RANGE)
        self.ax_bowl.set_xlim(0, self.STEPS)
        self.ax_bowl.yaxis.set_major_locator(LogLocator(numticks=6))
        self.ax_bowl.legend(loc="upper right", fontsize=10, framealpha=0.9)
        super().__init__(fig, {"eps": eps_slider(eps, -12, 0), "beta": beta_slider(beta, 0.5, 0.999,
                                                                                   description="β (smoothing of g²)"),
                               "lr": lr_slider(lr, -3, 0)})

    def draw(self, params: dict) -> None:
        eps, beta, lr = params["eps"], params["beta"], params["lr"]
        self.none_line.set_data(self.G, np.abs(first_step(self.G, 1.0, beta, 0.0)))
        self.outside_line.set_data(self.G, np.abs(first_step(self.G, 1.0, beta, eps)))
        self.inside_line.set_data(self.G, np.abs(first_step(self.G, 1.0, beta, eps, inside=True)))
        self.eps_mark.set_xdata([eps, eps])
        self.ax.set_title(f"first step from s₀ = 0 (ε = {eps:.0e}, β = {beta:.3f}); thin line: |g| = ε",
                          fontsize=10)

        loss = bowl_losses(lr, beta, eps, self.STEPS, curvature=tuple(self.lam), start=tuple(SURFACE.start))
        self.loss_line.set_data(np.arange(self.STEPS + 1), np.where(loss > 0, loss, np.nan))
        floor = float(np.sum(0.5 * self.lam * cycle_amplitude(lr, eps, self.lam) ** 2))
        self.floor_line.set_data([0, self.STEPS], [floor, floor] if floor > 0 else [np.nan, np.nan])
        ratio, limit = lr / eps, 2 / self.lam.max()
        side = "> " if ratio > limit else "< "
        verdict = (rf"$\alpha/\varepsilon$ = {ratio:.2g} {side}$2/\lambda_{{max}}$ = {limit:g}: "
                   + ("rattles" if ratio > limit else "settles"))
        self.ax_bowl.set_title(f"RMSProp on the bowl, α = {lr:.2g}: {verdict}", fontsize=10)


# --- the exercise ----------------------------------------------------------------------------------

#: The check's problem: the bowl from (−5, −2).  ε is larger than usual so that where it sits shows.
CHECK_SETUP = {"lr": 0.1, "beta": 0.9, "eps": 0.01, "steps": 5}
#: A second run with another α, β and ε: a step with a number typed in for one of them passes the first run only.
CHECK_AGAIN = {"lr": 0.05, "beta": 0.7, "eps": 0.02}

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


def _swapped_return(x, g, s, lr, beta, eps):
    return _correct(x, g, s, lr, beta, eps)[::-1]


def _gradient_descent(x, g, s, lr, beta, eps):
    return x - lr * g, beta * s + (1 - beta) * g**2


def _uphill(x, g, s, lr, beta, eps):
    x_new, s_new = _correct(x, g, s, lr, beta, eps)
    return 2 * x - x_new, s_new


def _one_tenth(x, g, s, lr, beta, eps):  # (1 − β) typed in as 0.1: right for β = 0.9 only
    s = beta * s + 0.1 * g**2
    return x - lr * g / (np.sqrt(s) + eps), s


#: Each known slip, as the hint the check gives, and a step function that makes it (x and s must both match).
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
    "your values match (s_new, x_new): the pair is returned the other way round. The check unpacks "
    "x, s = rmsprop_step(...): return (x_new, s_new), in that order.": _swapped_return,
    "your x moves by α·g: that is gradient descent's step. RMSProp divides it by √s_t + ε.": _gradient_descent,
    "your step goes uphill: subtract α·g/(√s_t + ε) from x, do not add it.": _uphill,
}

#: Slips that only a run with another β shows (the first run's β = 0.9 hides them).
SLIPS_AGAIN: dict[str, StepFn] = {
    "your values match s = β·s + 0.1·g²: 0.1 is 1 − β only for β = 0.9. Write (1 - beta).": _one_tenth,
}


def exercise_setup(lr: float = CHECK_SETUP["lr"], beta: float = CHECK_SETUP["beta"],
                   eps: float = CHECK_SETUP["eps"]) -> str:
    """What the check runs, in the notebook's names, so that every number it prints can be recomputed by hand."""
    x0 = ", ".join(f"{v:g}" for v in SURFACE.start).replace("-", "−")
    return (f"α = {lr:g}, β = {beta:g}, ε = {eps:g}, {CHECK_SETUP['steps']} steps on f(w, b) = 0.1 w² + 2 b² "
            f"from x_0 = ({x0}) with s_0 = (0, 0), each step given g = surface.grad(x) at the current x")


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


def _expected(lr: float, beta: float, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """x_1..x_T and s_1..s_T from ``helpers.optimizers.RMSProp`` (the reference)."""
    tr = trace(RMSProp(lr, beta, eps), SURFACE.grad, SURFACE.start, CHECK_SETUP["steps"])
    return tr.path[1:], tr.history("s")[1:]


def _learner_run(fn: StepFn, lr: float, beta: float, eps: float, name: str, setup: str) -> LearnerRun | Feedback:
    """The learner's step run from the surface's start, s_0 = 0 (``run_learner``: each result checked first)."""
    return run_learner(fn, SURFACE.start, lambda x, t: SURFACE.grad(x), CHECK_SETUP["steps"],
                       lambda x, g, state, t: (x, g, *state, lr, beta, eps), ("x_new", "s_new"), name=name,
                       setup=setup)


def _vector(value) -> str:
    return "(" + ", ".join(f"{float(u):.6g}" for u in np.ravel(value)) + ")"


_EQUATIONS = {"s": "s_t = β s_{t−1} + (1 − β) g_t²", "x": "x_t = x_{t−1} − α g_t / (√s_t + ε), with the new s_t"}


def _first_wrong_output(xs, ss, calls, lr: float, beta: float, eps: float) -> str:
    """Replay each call with the right step: the first output (s, then x) that differs, given the same inputs."""
    with np.errstate(all="ignore"):
        for (x, g, s, t), x_out, s_out in zip(calls, xs, ss, strict=True):
            x_ref, s_ref = _correct(x, g, s, lr, beta, eps)
            for symbol, yours, right in (("s", s_out, s_ref), ("x", x_out, x_ref)):
                if not same_values(yours, right):
                    return (f"Given the same x_{t - 1}, g_{t} and s_{t - 1}, your {symbol}_{t} is {_vector(yours)}, "
                            f"expected {_vector(right)}: check {_EQUATIONS[symbol]}.")
    return "Each of your steps is right given its inputs: check what you return, (x_new, s_new), in that order."


def _mistakes(slips: dict[str, StepFn], ss: np.ndarray, lr: float, beta: float, eps: float) -> dict:
    """The x paths of the slips whose s path is the learner's: compare() names one if x matches too."""
    mistakes = {}
    for hint, slip in slips.items():
        x_slip, s_slip = reference_steps(slip, {"lr": lr, "beta": beta, "eps": eps})
        if same_values(ss, s_slip):
            mistakes[hint] = x_slip
    return mistakes


def _typed_in(fn: StepFn, calls: list, params: tuple, other: dict) -> list[str]:
    """The hyperparameters whose value does not change the learner's result (a number typed in for them)."""
    x, g, s, _ = calls[min(1, len(calls) - 1)]  # the second call: s is no longer 0
    changes = {3: other["lr"], 4: other["beta"], 5: other["eps"]}
    ignored = ignored_arguments(fn, (x, g, s, *params), changes)
    return [symbol for position, symbol in ((3, "α (lr)"), (4, "β (beta)"), (5, "ε (eps)")) if position in ignored]


def _with(message: str, extra: str) -> Feedback:
    """``compare``'s failure with its generic last line replaced by ``extra`` (kept when it names a slip)."""
    if "Hint:" in message:
        return Feedback(False, message)
    lines = [line for line in message.splitlines()
             if not line.startswith(("  The very first step differs", "  Steps before"))]
    return Feedback(False, "\n".join([*lines, f"  {extra}"]))


def check_rmsprop_step(fn: StepFn) -> Feedback:
    """Check the learner's ``rmsprop_step(x, g, s, lr, beta, eps) -> (x_new, s_new)``.

    Runs it for ``CHECK_SETUP["steps"]`` steps on the elongated quadratic from (−5, −2)
    and compares x_t, then s_t, with ``helpers.optimizers.RMSProp``: the first step that
    differs is named, a known slip (x and s both match it) gets its hint, a result that
    ignores α, β or ε is told so, and anything else gets the first output that is wrong
    given the learner's own inputs.  A step that passes is run again with α = 0.05,
    β = 0.7, ε = 0.02 (``CHECK_AGAIN``), so that a number typed in (0.1 for 1 − β) is caught.
    """
    name = getattr(fn, "__name__", "rmsprop_step")
    name = "rmsprop_step" if name == "<lambda>" else name
    first_run = {k: CHECK_SETUP[k] for k in ("lr", "beta", "eps")}
    for k, (params, other) in enumerate(((first_run, CHECK_AGAIN), (CHECK_AGAIN, first_run))):
        lr, beta, eps = params["lr"], params["beta"], params["eps"]
        setup = exercise_setup(lr, beta, eps)
        learner = _learner_run(fn, lr, beta, eps, name, setup)
        if isinstance(learner, Feedback):
            return learner
        xs, (ss,), calls = learner.xs, learner.states, learner.calls
        x_expected, s_expected = _expected(lr, beta, eps)
        if same_values(xs, x_expected) and same_values(ss, s_expected):
            continue
        typed = _typed_in(fn, calls, (lr, beta, eps), other)
        because = (f"your step's result does not change when {' or '.join(typed)} does: is a number typed in "
                   "where that argument belongs?" if typed else "")
        with np.errstate(all="ignore"):
            mistakes = _mistakes(SLIPS_AGAIN if k else SLIPS, ss, lr, beta, eps)
        wrong_x = not same_values(xs, x_expected)
        feedback = compare(xs, x_expected, symbol="x", mistakes=mistakes, fmt=".6g", setup=setup) if wrong_x else \
            compare(ss, s_expected, symbol="s", fmt=".6g", setup=setup)
        if k == 1:  # right in the first run, wrong in this one
            first, used, *rest = feedback.message.splitlines()
            hint = next((line for line in rest if line.startswith("  Hint:")), None)
            return Feedback(False, "\n".join([
                f"✗ Not yet: your step is right for α = {CHECK_SETUP['lr']:g}, β = {CHECK_SETUP['beta']:g}, "
                f"ε = {CHECK_SETUP['eps']:g} (the first run), but not for α = {lr:g}, β = {beta:g}, ε = {eps:g}: "
                + first.replace("✗ Not yet. ", ""), used,
                hint or f"  Hint: {because or 'is a number typed in somewhere, where α, β or ε belongs?'}"]))
        if wrong_x:
            return _with(feedback.message, f"Hint: {because}" if because else
                         _first_wrong_output(xs, ss, calls, lr, beta, eps))
        first, used, *_ = feedback.message.splitlines()
        return Feedback(False, "\n".join([first.replace("✗ Not yet.", "✗ Not yet: every x is right, but s is not.", 1),
                                          used, "  Hint: return the same s_t = β s_{t−1} + (1 − β) g_t² that your "
                                          "step divided by: the next step builds on it."]))
    return Feedback(True, f"✓ Correct: all {CHECK_SETUP['steps']} steps of x and s match helpers.optimizers.RMSProp, "
                          f"with α = {CHECK_SETUP['lr']:g}, β = {CHECK_SETUP['beta']:g}, ε = {CHECK_SETUP['eps']:g} "
                          f"and again with α = {CHECK_AGAIN['lr']:g}, β = {CHECK_AGAIN['beta']:g}, "
                          f"ε = {CHECK_AGAIN['eps']:g}. Your step is RMSProp.")


#: The lesson's interactive figures, by name (tests and the benchmark build each one).
WIDGETS: dict[str, Callable[[], LiveFigure]] = {
    "playground": playground,
    "epsilon": EpsilonExplorer,
}
