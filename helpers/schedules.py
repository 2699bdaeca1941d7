r"""Learning-rate schedules: the learning rate :math:`\alpha_t` of optimizer step t = 1, 2, …

Each schedule is a small frozen record; ``schedule.lr(base_lr, t)`` is the rate for
step t, and ``run(opt, grad_fn, x0, steps, schedule=...)`` (``helpers.optimizers``)
steps with it, ``opt.lr`` being the base rate :math:`\alpha_0`::

    from helpers.schedules import CosineAnnealingLR
    from helpers.optimizers import SGD, run
    path = run(SGD(lr=0.1), grad_fn, x0, steps=100, schedule=CosineAnnealingLR(t_max=100))

Step t uses what ``torch.optim.lr_scheduler`` gives after t − 1 calls of
``scheduler.step()`` (the usual loop: ``optimizer.step()`` then ``scheduler.step()``),
so with e = t − 1 (torch's ``last_epoch``) the closed forms below are torch's.
``tests/golden`` pins every schedule to torch, rate by rate and trajectory by trajectory.

``t`` may be an array of steps (for a plot of the schedule); ``rates(schedule, base_lr, steps)``
gives :math:`\alpha_1..\alpha_{steps}`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from helpers import _checks

__all__ = ["Constant", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "InverseSqrtLR", "InverseTimeLR",
           "rates",
           "robbins_monro_sums"]


def _steps(t) -> np.ndarray:
    """t as an array of whole step numbers ≥ 1 (float64, for the arithmetic)."""
    values = np.asarray(t)
    if values.dtype.kind not in "iu" and not (values.dtype.kind == "f" and np.all(values == np.round(values))):
        raise ValueError(f"t must be a whole number >= 1 (the optimizer step); got t={t!r}.")
    if np.any(values < 1):
        bad = (values[values < 1].flat[0] if values.ndim else values).item()
        raise ValueError(f"t must be a whole number >= 1 (the optimizer step); got t={bad!r}.")
    return values.astype(float)


def _result(values: np.ndarray, t):
    """A float for one step (and a scalar base rate), else the array of rates."""
    return float(values) if np.ndim(values) == 0 else values


def _base(base_lr) -> float:
    return _checks.positive("base_lr", base_lr)


@dataclass(frozen=True)
class Constant:
    r"""No schedule: :math:`\alpha_t = \alpha_0`."""

    def lr(self, base_lr: float, t):
        e = _steps(t) - 1
        return _result(_base(base_lr) + 0 * e, t)


@dataclass(frozen=True)
class StepLR:
    r"""Multiply by γ every s = ``step_size`` steps: :math:`\alpha_t = \alpha_0\,\gamma^{\lfloor (t-1)/s \rfloor}`.

    torch: ``StepLR(optimizer, step_size, gamma)``.
    """

    step_size: int
    gamma: float = 0.1

    def __post_init__(self):
        object.__setattr__(self, "step_size", _checks.whole_number("step_size", self.step_size, minimum=1))
        object.__setattr__(self, "gamma", _checks.positive("gamma", self.gamma))

    def lr(self, base_lr: float, t):
        e = _steps(t) - 1
        return _result(_base(base_lr) * self.gamma ** np.floor(e / self.step_size), t)  # α₀ γ^⌊e/s⌋


@dataclass(frozen=True)
class ExponentialLR:
    r"""Multiply by γ every step: :math:`\alpha_t = \alpha_0\,\gamma^{t-1}`.

    torch: ``ExponentialLR(optimizer, gamma)``.
    """

    gamma: float

    def __post_init__(self):
        object.__setattr__(self, "gamma", _checks.positive("gamma", self.gamma))

    def lr(self, base_lr: float, t):
        e = _steps(t) - 1
        return _result(_base(base_lr) * self.gamma**e, t)  # α₀ γ^e


@dataclass(frozen=True)
class CosineAnnealingLR:
    r"""Half a cosine from :math:`\alpha_0` down to :math:`\eta_{min}` over ``t_max`` steps.

    :math:`\alpha_t = \eta_{min} + (\alpha_0 - \eta_{min})\,\tfrac12\,(1 + \cos(\pi (t-1)/T_{max}))`,
    so :math:`\alpha_1 = \alpha_0` and :math:`\alpha_{T_{max}+1} = \eta_{min}`.  Past that the cosine
    rises again (torch does the same; stop at :math:`T_{max}+1` steps, or restart).
    torch: ``CosineAnnealingLR(optimizer, T_max, eta_min)``.
    """

    t_max: int
    eta_min: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "t_max", _checks.whole_number("t_max", self.t_max, minimum=1))
        object.__setattr__(self, "eta_min", _checks.nonnegative("eta_min", self.eta_min))

    def lr(self, base_lr: float, t):
        e = _steps(t) - 1
        base_lr = _base(base_lr)
        cosine = (1 + np.cos(math.pi * e / self.t_max)) / 2
        return _result(self.eta_min + (base_lr - self.eta_min) * cosine, t)  # η + (α₀ − η)(1 + cos(πe/T))/2


@dataclass(frozen=True)
class LinearLR:
    r"""A linear ramp of the factor from ``start_factor`` to ``end_factor`` over ``total_iters`` steps (warm-up).

    :math:`\alpha_t = \alpha_0\,\bigl(f_0 + (f_1 - f_0)\,\min(t-1, n)/n\bigr)`, then constant.
    torch: ``LinearLR(optimizer, start_factor, end_factor, total_iters)``; its bounds too:
    :math:`0 < f_0 \le 1`, :math:`0 \le f_1 \le 1`.
    """

    start_factor: float = 1.0 / 3
    end_factor: float = 1.0
    total_iters: int = 5

    def __post_init__(self):
        start = _checks.positive("start_factor", self.start_factor)
        if start > 1:
            raise ValueError(f"start_factor must be in (0, 1]; got start_factor={start!r}.")
        end = _checks.nonnegative("end_factor", self.end_factor)
        if end > 1:
            raise ValueError(f"end_factor must be in [0, 1]; got end_factor={end!r}.")
        object.__setattr__(self, "start_factor", start)
        object.__setattr__(self, "end_factor", end)
        object.__setattr__(self, "total_iters", _checks.whole_number("total_iters", self.total_iters, minimum=1))

    def lr(self, base_lr: float, t):
        e = _steps(t) - 1
        n = self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * np.minimum(e, n) / n
        return _result(_base(base_lr) * factor, t)  # α₀ (f₀ + (f₁ − f₀) min(e, n)/n)


@dataclass(frozen=True)
class InverseSqrtLR:
    r""":math:`\alpha_t = \alpha_0/\sqrt{t}`, the decay of online convex optimization (and of Reddi et al.'s example).

    torch: ``LambdaLR(optimizer, lambda e: 1 / math.sqrt(e + 1))``.
    """

    def lr(self, base_lr: float, t):
        t = _steps(t)
        return _result(_base(base_lr) / np.sqrt(t), t)  # α₀ / √t


@dataclass(frozen=True)
class InverseTimeLR:
    r""":math:`\alpha_t = \alpha_0\,t_0/(t_0 + t - 1)`: α₀ at step 1, α₀/2 at step t₀ + 1, then falling like 1/t.

    The decay of Robbins and Monro (1951): :math:`\sum_t \alpha_t = \infty` and :math:`\sum_t \alpha_t^2 < \infty`.
    ``t0 = 1`` gives :math:`\alpha_0/t`.  Keras's ``InverseTimeDecay(α₀, decay_steps=t0, decay_rate=1)``;
    torch: ``LambdaLR(optimizer, lambda e: t0 / (t0 + e))``.
    """

    t0: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "t0", _checks.positive("t0", self.t0))

    def lr(self, base_lr: float, t):
        e = _steps(t) - 1
        return _result(_base(base_lr) * self.t0 / (self.t0 + e), t)  # α₀ t₀ / (t₀ + e)


def rates(schedule, base_lr: float, steps: int) -> np.ndarray:
    r""":math:`\alpha_1..\alpha_{steps}`: the learning rate of every step (``schedule=None``: constant)."""
    steps = _checks.whole_number("steps", steps, minimum=1)
    t = np.arange(1, steps + 1)
    return (schedule or Constant()).lr(base_lr, t)


def robbins_monro_sums(schedule, base_lr: float, steps: int) -> tuple[float, float]:
    r""":math:`\sum_t \alpha_t` and :math:`\sum_t \alpha_t^2` over the first ``steps`` steps.

    Robbins and Monro (1951): SGD's iterates converge when :math:`\sum \alpha_t = \infty` (the steps can
    carry x anywhere) and :math:`\sum \alpha_t^2 < \infty` (the noise they inject adds up to a finite amount).
    Watching the two partial sums grow with ``steps`` tells which side a schedule is on.
    """
    alpha = rates(schedule, base_lr, steps)
    return float(alpha.sum()), float((alpha**2).sum())
