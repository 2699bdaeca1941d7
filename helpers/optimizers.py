r"""First-order optimizers as pure functions, one line per equation.

Every optimizer is a small frozen record of hyperparameters with two methods::

    state = opt.init(x0)                  # the optimizer's memory: step count t, moments
    x, state = opt.step(x, g, state)      # pure: new values out, no argument mutated

and ``run(opt, grad_fn, x0, steps)`` returns the whole path.  Each one reproduces
its ``torch.optim`` counterpart in float64 to rounding error (see
``tests/golden``):

=========================================  ==========================================
here                                       PyTorch
=========================================  ==========================================
``SGD(lr)``                                ``SGD(lr)``
``Momentum(lr, beta, form="sum")``         ``SGD(lr, momentum=beta)``
``Momentum(lr, beta, form="ewma")``        lecture form; = ``"sum"`` with lr·(1 − β)
``Nesterov(lr, beta)``                     ``SGD(lr, momentum=beta, nesterov=True)``
``AdaGrad(lr, eps=1e-10)``                 ``Adagrad(lr, eps=1e-10)``
``RMSProp(lr, beta=0.99, eps=1e-8)``       ``RMSprop(lr, alpha=beta, eps=1e-8)``
``Adam(lr, beta1, beta2, eps)``            ``Adam(lr, betas=(beta1, beta2), eps)``
``AMSGrad(lr, beta1, beta2, eps)``         ``Adam(..., amsgrad=True)``
``AdamW(lr, beta1, beta2, eps, wd)``       ``AdamW(..., weight_decay=wd)``
``RAdam(lr, beta1, beta2, eps)``           ``RAdam(...)``
=========================================  ==========================================

``weight_decay=wd`` on every optimizer but AdamW is PyTorch's: an L2 term added to
the gradient, :math:`g_t \leftarrow g_t + wd\cdot x_{t-1}` (the gradient of
:math:`\tfrac{wd}2\|x\|^2`), which then goes through the optimizer like the rest of
the gradient.  AdamW's ``weight_decay`` is decoupled instead (see ``AdamW``).

Hyperparameters may also be numpy arrays that broadcast against ``x``: one call
then steps a whole grid of optimizers at once (see ``steps_to_converge``).
Everything is float64.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from helpers import _checks

__all__ = [
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSProp",
    "Adam",
    "AMSGrad",
    "AdamW",
    "RAdam",
    "AMSGRAD_FORMS",
    "radam_rho",
    "radam_rectification",
    "Trace",
    "run",
    "trace",
    "diverged_at",
    "steps_to_converge",
    "effective_rate",
]


# --- state records: the optimizer's memory and nothing else --------------------


class SGDState(NamedTuple):
    t: int  # steps taken


class MomentumState(NamedTuple):
    t: int
    v: np.ndarray  # velocity


class AdaGradState(NamedTuple):
    t: int
    s: np.ndarray  # running sum of squared gradients


class RMSPropState(NamedTuple):
    t: int
    s: np.ndarray  # running EWMA of squared gradients


class CenteredRMSPropState(NamedTuple):
    t: int
    s: np.ndarray  # running EWMA of squared gradients
    m: np.ndarray  # running EWMA of gradients


class AdamState(NamedTuple):
    t: int
    m: np.ndarray  # first moment (EWMA of g)
    v: np.ndarray  # second moment (EWMA of g²)


class AMSGradState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray  # largest v seen so far, entrywise


def _start(x0) -> np.ndarray:
    return _checks.finite_array("x0", x0)


def _current(x, g, weight_decay=0.0) -> tuple[np.ndarray, np.ndarray]:
    """x and g as float arrays; with an L2 ``weight_decay``, g + weight_decay·x (PyTorch's ``weight_decay``)."""
    x = np.asarray(x, dtype=float)
    if type(g) is not np.ndarray or g.dtype != np.float64 or g.shape != x.shape:  # (the check, when it can fail)
        g = _checks.same_shape("grad", g, x)
    # (Runs every step: a float, the usual case, is tested as it is; an array, one per row, as np.any.)
    decays = weight_decay != 0.0 if isinstance(weight_decay, float) else np.asarray(weight_decay).any()
    if decays:
        g = g + weight_decay * x  # g_t ← g_t + wd·x_{t-1}: the gradient of (wd/2)‖x‖²
    return x, g


def _weight_decay(opt) -> None:
    object.__setattr__(opt, "weight_decay", _checks.nonnegative("weight_decay", opt.weight_decay))


# --- the optimizers ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SGD:
    r"""Gradient descent: :math:`x_t = x_{t-1} - \alpha g_t`.

    ``weight_decay`` (PyTorch's, an L2 term): :math:`g_t \leftarrow g_t + wd\cdot x_{t-1}` first.
    """

    lr: float = 1e-3
    weight_decay: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))
        _weight_decay(self)

    def init(self, x0) -> SGDState:
        _start(x0)
        return SGDState(t=0)

    def step(self, x, g, state: SGDState) -> tuple[np.ndarray, SGDState]:
        x, g = _current(x, g, self.weight_decay)
        x = x - self.lr * g  # x_t = x_{t-1} - α g_t
        return x, SGDState(t=state.t + 1)


@dataclass(frozen=True, eq=False)
class Momentum:
    r"""Gradient descent with momentum, in one of two conventions.

    ``form="ewma"`` (the lecture's):  :math:`v_t = \beta v_{t-1} + (1-\beta) g_t`,
    ``form="sum"``  (PyTorch's):      :math:`v_t = \beta v_{t-1} + g_t`,
    then in both :math:`x_t = x_{t-1} - \alpha v_t`, with :math:`v_0 = 0`.

    The two are the same optimizer, from the very first step: the ewma velocity is
    (1 − β) times the sum velocity, so ``Momentum(lr, beta, "ewma")`` equals
    ``Momentum(lr * (1 - beta), beta, "sum")``.  Both start slow (first step
    :math:`\alpha g_1` in the sum form) and reach :math:`\alpha g/(1-\beta)` per step
    under a constant gradient.  (PyTorch's ``dampening`` is a third form: its first
    velocity is :math:`g_1`, undamped.)  ``weight_decay`` as in ``SGD``.
    """

    lr: float = 1e-3
    beta: float = 0.9
    form: str = "ewma"
    weight_decay: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))
        object.__setattr__(self, "beta", _checks.decay_rate("beta", self.beta))
        _checks.one_of("form", self.form, ("ewma", "sum"))
        _weight_decay(self)

    def init(self, x0) -> MomentumState:
        return MomentumState(t=0, v=np.zeros_like(_start(x0)))

    def step(self, x, g, state: MomentumState) -> tuple[np.ndarray, MomentumState]:
        x, g = _current(x, g, self.weight_decay)
        if self.form == "ewma":
            v = self.beta * state.v + (1 - self.beta) * g  # v_t = β v_{t-1} + (1 - β) g_t
        else:
            v = self.beta * state.v + g  # v_t = β v_{t-1} + g_t
        x = x - self.lr * v  # x_t = x_{t-1} - α v_t
        return x, MomentumState(t=state.t + 1, v=v)


@dataclass(frozen=True, eq=False)
class Nesterov:
    r"""Nesterov momentum, PyTorch's form (the look-ahead folded into the step).

    :math:`v_t = \beta v_{t-1} + g_t`, then
    :math:`x_t = x_{t-1} - \alpha (g_t + \beta v_t)`.  ``weight_decay`` as in ``SGD``.
    """

    lr: float = 1e-3
    beta: float = 0.9
    weight_decay: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))
        object.__setattr__(self, "beta", _checks.decay_rate("beta", self.beta))
        _weight_decay(self)

    def init(self, x0) -> MomentumState:
        return MomentumState(t=0, v=np.zeros_like(_start(x0)))

    def step(self, x, g, state: MomentumState) -> tuple[np.ndarray, MomentumState]:
        x, g = _current(x, g, self.weight_decay)
        v = self.beta * state.v + g  # v_t = β v_{t-1} + g_t
        x = x - self.lr * (g + self.beta * v)  # x_t = x_{t-1} - α (g_t + β v_t)
        return x, MomentumState(t=state.t + 1, v=v)


@dataclass(frozen=True, eq=False)
class AdaGrad:
    r"""AdaGrad (Duchi, Hazan & Singer, 2011): one learning rate per coordinate.

    :math:`s_t = s_{t-1} + g_t^2`, then
    :math:`x_t = x_{t-1} - \alpha\, g_t / (\sqrt{s_t} + \varepsilon)`, from
    :math:`s_0` = ``initial_accumulator`` (PyTorch's ``initial_accumulator_value``: 0 by
    default; Keras starts at 0.1).  ``weight_decay`` as in ``SGD``.
    """

    lr: float = 1e-2
    eps: float = 1e-10
    initial_accumulator: float = 0.0
    weight_decay: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))
        object.__setattr__(self, "eps", _checks.nonnegative("eps", self.eps))
        object.__setattr__(self, "initial_accumulator",
                           _checks.nonnegative("initial_accumulator", self.initial_accumulator))
        _weight_decay(self)

    def init(self, x0) -> AdaGradState:
        return AdaGradState(t=0, s=np.full_like(_start(x0), self.initial_accumulator))

    def step(self, x, g, state: AdaGradState) -> tuple[np.ndarray, AdaGradState]:
        x, g = _current(x, g, self.weight_decay)
        s = state.s + g**2  # s_t = s_{t-1} + g_t²
        x = x - self.lr * g / (np.sqrt(s) + self.eps)  # x_t = x_{t-1} - α g_t / (√s_t + ε)
        return x, AdaGradState(t=state.t + 1, s=s)


@dataclass(frozen=True, eq=False)
class RMSProp:
    r"""RMSProp (Tieleman & Hinton, 2012, lecture 6e): AdaGrad with an EWMA instead of a sum.

    :math:`s_t = \beta s_{t-1} + (1-\beta) g_t^2`, then
    :math:`x_t = x_{t-1} - \alpha\, g_t / (\sqrt{s_t} + \varepsilon)`
    (ε outside the root, as in PyTorch).

    ``centered=True`` (PyTorch's ``centered``, Graves 2013) also keeps
    :math:`m_t = \beta m_{t-1} + (1-\beta) g_t` and divides by the root of the
    variance estimate, :math:`\sqrt{s_t - m_t^2} + \varepsilon`.  ``weight_decay`` as in ``SGD``.
    """

    lr: float = 1e-2
    beta: float = 0.99
    eps: float = 1e-8
    centered: bool = False
    weight_decay: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))
        object.__setattr__(self, "beta", _checks.decay_rate("beta", self.beta))
        object.__setattr__(self, "eps", _checks.nonnegative("eps", self.eps))
        _weight_decay(self)

    def init(self, x0) -> RMSPropState | CenteredRMSPropState:
        zeros = np.zeros_like(_start(x0))
        return CenteredRMSPropState(t=0, s=zeros, m=zeros) if self.centered else RMSPropState(t=0, s=zeros)

    def step(self, x, g, state):
        x, g = _current(x, g, self.weight_decay)
        s = self.beta * state.s + (1 - self.beta) * g**2  # s_t = β s_{t-1} + (1 - β) g_t²
        if not self.centered:
            x = x - self.lr * g / (np.sqrt(s) + self.eps)  # x_t = x_{t-1} - α g_t / (√s_t + ε)
            return x, RMSPropState(t=state.t + 1, s=s)
        m = self.beta * state.m + (1 - self.beta) * g  # m_t = β m_{t-1} + (1 - β) g_t
        x = x - self.lr * g / (np.sqrt(s - m**2) + self.eps)  # x_t = x_{t-1} - α g_t / (√(s_t - m_t²) + ε)
        return x, CenteredRMSPropState(t=state.t + 1, s=s, m=m)


def _check_adam(opt) -> None:
    object.__setattr__(opt, "lr", _checks.positive("lr", opt.lr))
    object.__setattr__(opt, "beta1", _checks.decay_rate("beta1", opt.beta1))
    object.__setattr__(opt, "beta2", _checks.decay_rate("beta2", opt.beta2))
    object.__setattr__(opt, "eps", _checks.nonnegative("eps", opt.eps))
    _weight_decay(opt)


@dataclass(frozen=True, eq=False)
class Adam:
    r"""Adam (Kingma & Ba, arXiv 2014 / ICLR 2015).

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2

        \hat m_t = m_t / (1-\beta_1^t) \qquad \hat v_t = v_t / (1-\beta_2^t)

        x_t = x_{t-1} - \alpha\, \hat m_t / (\sqrt{\hat v_t} + \varepsilon)

    ``bias_correction=False`` uses m_t and v_t in place of the hatted moments
    (for the lesson that shows why the correction is there).  ``weight_decay`` is
    PyTorch's ``Adam(weight_decay=...)``: an L2 term added to g before the moments,
    so it too is divided by √v̂ (``AdamW`` decouples it).
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    bias_correction: bool = True
    weight_decay: float = 0.0

    def __post_init__(self):
        _check_adam(self)

    def init(self, x0) -> AdamState:
        zeros = np.zeros_like(_start(x0))
        return AdamState(t=0, m=zeros, v=zeros)

    def step(self, x, g, state: AdamState) -> tuple[np.ndarray, AdamState]:
        x, g = _current(x, g, self.weight_decay)
        return _adam_step(self, x, g, state, self.bias_correction)


def _adam_step(opt, x: np.ndarray, g: np.ndarray, state: AdamState, bias_correction: bool = True):
    """Adam's update with ``opt``'s lr, beta1, beta2 and eps (shared by Adam and AdamW)."""
    t = state.t + 1
    m = opt.beta1 * state.m + (1 - opt.beta1) * g  # m_t = β₁ m_{t-1} + (1 - β₁) g_t
    v = opt.beta2 * state.v + (1 - opt.beta2) * g**2  # v_t = β₂ v_{t-1} + (1 - β₂) g_t²
    m_hat = m / (1 - opt.beta1**t) if bias_correction else m  # m̂_t = m_t / (1 - β₁ᵗ)
    v_hat = v / (1 - opt.beta2**t) if bias_correction else v  # v̂_t = v_t / (1 - β₂ᵗ)
    x = x - opt.lr * m_hat / (np.sqrt(v_hat) + opt.eps)  # x_t = x_{t-1} - α m̂_t / (√v̂_t + ε)
    return x, AdamState(t=t, m=m, v=v)


#: The three published AMSGrads, by where the running max sits relative to the bias correction.
AMSGRAD_FORMS = ("pytorch", "optax", "paper")


@dataclass(frozen=True, eq=False)
class AMSGrad:
    r"""AMSGrad (Reddi, Kale & Kumar, ICLR 2018): Adam whose denominator never shrinks.

    Three algorithms go by this name; ``form`` picks one (m_t, v_t as in ``Adam``):

    - ``"pytorch"`` (the default; PyTorch's ``Adam(amsgrad=True)``, also Keras's): the max
      of the *uncorrected* v, then divided by :math:`1-\beta_2^t`:
      :math:`v^{max}_t = \max(v^{max}_{t-1}, v_t)`,
      :math:`x_t = x_{t-1} - \alpha\,\hat m_t / (\sqrt{v^{max}_t/(1-\beta_2^t)} + \varepsilon)`.
    - ``"optax"`` (optax's ``amsgrad``): the max of the *corrected* :math:`\hat v_t`:
      :math:`\hat v^{max}_t = \max(\hat v^{max}_{t-1}, \hat v_t)`,
      :math:`x_t = x_{t-1} - \alpha\,\hat m_t / (\sqrt{\hat v^{max}_t} + \varepsilon)`.
    - ``"paper"`` (Reddi et al.'s Algorithm 2): no bias correction at all,
      :math:`x_t = x_{t-1} - \alpha\, m_t / (\sqrt{v^{max}_t} + \varepsilon)` (the paper has no
      ε; pass ``eps=0`` for it exactly).

    The state's ``v_max`` is the running max of whichever v the form takes it of.  Only the
    paper's and optax's forms keep the effective rate α/√v̂ from growing: in PyTorch's, the
    divisor :math:`1-\beta_2^t` keeps growing toward 1 after the max has frozen, so the
    denominator can still fall (lesson 08 shows it eightfold).
    ``weight_decay`` as in ``Adam`` (L2).
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    form: str = "pytorch"

    def __post_init__(self):
        _check_adam(self)
        _checks.one_of("form", self.form, AMSGRAD_FORMS)

    def init(self, x0) -> AMSGradState:
        zeros = np.zeros_like(_start(x0))
        return AMSGradState(t=0, m=zeros, v=zeros, v_max=zeros)

    def step(self, x, g, state: AMSGradState) -> tuple[np.ndarray, AMSGradState]:
        x, g = _current(x, g, self.weight_decay)
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g  # m_t = β₁ m_{t-1} + (1 - β₁) g_t
        v = self.beta2 * state.v + (1 - self.beta2) * g**2  # v_t = β₂ v_{t-1} + (1 - β₂) g_t²
        if self.form == "pytorch":
            v_max = np.maximum(state.v_max, v)  # v^max_t = max(v^max_{t-1}, v_t)
            m_hat = m / (1 - self.beta1**t)  # m̂_t = m_t / (1 - β₁ᵗ)
            denominator = np.sqrt(v_max / (1 - self.beta2**t)) + self.eps  # √(v^max_t / (1 - β₂ᵗ)) + ε
        elif self.form == "optax":
            v_max = np.maximum(state.v_max, v / (1 - self.beta2**t))  # v̂^max_t = max(v̂^max_{t-1}, v̂_t)
            m_hat = m / (1 - self.beta1**t)  # m̂_t = m_t / (1 - β₁ᵗ)
            denominator = np.sqrt(v_max) + self.eps  # √v̂^max_t + ε
        else:
            v_max = np.maximum(state.v_max, v)  # v^max_t = max(v^max_{t-1}, v_t)
            m_hat = m  # no bias correction
            denominator = np.sqrt(v_max) + self.eps  # √v^max_t + ε
        x = x - self.lr * m_hat / denominator  # x_t = x_{t-1} - α m̂_t / denominator
        return x, AMSGradState(t=t, m=m, v=v, v_max=v_max)


@dataclass(frozen=True, eq=False)
class AdamW:
    r"""AdamW (Loshchilov & Hutter, ICLR 2019): Adam with decoupled weight decay, PyTorch's form.

    First shrink, :math:`x' = x_{t-1}(1 - \alpha\lambda_{wd})`, then an Adam step from
    :math:`x'` with the gradient :math:`g_t` taken at :math:`x_{t-1}` (λ_wd = ``weight_decay``).
    The decay never passes through √v̂, so every coordinate shrinks at the same rate.

    This is ``torch.optim.AdamW``: the decay is scaled by the learning rate α.  The
    paper's Algorithm 2 is not: :math:`x_t = x_{t-1} - \eta_t\,(\alpha\,\hat m_t/(\sqrt{\hat v_t}
    + \varepsilon) + \lambda_{wd}\, x_{t-1})`, with a schedule multiplier :math:`\eta_t` (1 without
    a schedule), so PyTorch's λ_wd is the paper's λ_wd / α.  Under a schedule
    (``run(..., schedule=...)``) PyTorch's decay follows the scheduled α_t, as the paper's
    follows η_t.
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 1e-2

    def __post_init__(self):
        _check_adam(self)

    def init(self, x0) -> AdamState:
        zeros = np.zeros_like(_start(x0))
        return AdamState(t=0, m=zeros, v=zeros)

    def step(self, x, g, state: AdamState) -> tuple[np.ndarray, AdamState]:
        x, g = _current(x, g)
        x = x * (1 - self.lr * self.weight_decay)  # x' = x_{t-1} (1 - α λ_wd)
        return _adam_step(self, x, g, state)  # then Adam's step from x' with g_t


@dataclass(frozen=True, eq=False)
class RAdam:
    r"""RAdam (Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond", ICLR 2020), PyTorch's form.

    m_t, v_t and :math:`\hat m_t` as in ``Adam``.  The length of the simple moving average
    that v_t approximates, :math:`\rho_\infty = 2/(1-\beta_2) - 1` and
    :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`, decides:

    - while :math:`\rho_t \le 5` the variance of v̂ is not yet tractable: a momentum step
      :math:`x_t = x_{t-1} - \alpha\,\hat m_t`;
    - then :math:`r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}` and
      :math:`x_t = x_{t-1} - \alpha\, r_t\,\hat m_t \sqrt{1-\beta_2^t}/(\sqrt{v_t} + \varepsilon)`.

    The rectification :math:`r_t` rises from about 0 toward 1: an automatic warm-up.  The
    threshold 5 is PyTorch's (and this helper's); the paper's Algorithm 2 rectifies once
    :math:`\rho_t > 4`, one step earlier at β₂ = 0.999 (ρ₅ = 4.996).
    ``weight_decay`` as in ``Adam`` (L2).
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0

    def __post_init__(self):
        _check_adam(self)

    def init(self, x0) -> AdamState:
        zeros = np.zeros_like(_start(x0))
        return AdamState(t=0, m=zeros, v=zeros)

    def step(self, x, g, state: AdamState) -> tuple[np.ndarray, AdamState]:
        x, g = _current(x, g, self.weight_decay)
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g  # m_t = β₁ m_{t-1} + (1 - β₁) g_t
        v = self.beta2 * state.v + (1 - self.beta2) * g**2  # v_t = β₂ v_{t-1} + (1 - β₂) g_t²
        m_hat = m / (1 - self.beta1**t)  # m̂_t = m_t / (1 - β₁ᵗ)
        rho = radam_rho(self.beta2, t)  # ρ_t
        rect = radam_rectification(self.beta2, t)  # r_t (NaN while ρ_t ≤ 5)
        adaptive = np.sqrt(1 - self.beta2**t) / (np.sqrt(v) + self.eps)  # √(1 - β₂ᵗ) / (√v_t + ε)
        step = np.where(rho > 5, rect * adaptive, 1.0) * m_hat  # r_t·adaptive·m̂_t, or m̂_t early on
        x = x - self.lr * step  # x_t = x_{t-1} - α · step
        return x, AdamState(t=t, m=m, v=v)


def radam_rho(beta2, t):
    r"""RAdam's :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`.

    :math:`\rho_\infty = 2/(1-\beta_2) - 1` is the length of the simple moving average that
    v_t approximates after infinitely many steps; :math:`\rho_t` that length after t steps.
    """
    beta2 = np.asarray(beta2, dtype=float)
    t = np.asarray(t, dtype=float)
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2**t / (1 - beta2**t)


def radam_rectification(beta2, t):
    r"""RAdam's :math:`r_t` where :math:`\rho_t > 5`, NaN before (where RAdam takes a plain momentum step)."""
    beta2 = np.asarray(beta2, dtype=float)
    rho_inf = 2 / (1 - beta2) - 1
    rho = radam_rho(beta2, t)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    return np.where(rho > 5, r, np.nan)


def effective_rate(opt: AdaGrad | RMSProp, s) -> np.ndarray:
    r"""AdaGrad's or RMSProp's learning rate per coordinate, :math:`\alpha / (\sqrt{s_t} + \varepsilon)`.

    ``s`` is a state's ``s``, or a whole history of them (``trace(...).history("s")``):
    the step is this rate times :math:`g_t`.  NaN rows (after a divergence) stay NaN.
    """
    return opt.lr / (np.sqrt(np.asarray(s, dtype=float)) + opt.eps)


# --- running an optimizer ----------------------------------------------------------


@dataclass(frozen=True)
class Trace:
    """A run: ``path[k]`` is x_k (NaN after divergence) and ``states[k]`` the state after k steps.

    ``states`` holds only the steps actually computed (it stops at divergence).
    """

    path: np.ndarray
    states: tuple

    def history(self, name: str) -> np.ndarray:
        """The state field ``name`` (e.g. ``"v"``) at every step, NaN-padded like ``path``."""
        fields = self.states[0]._fields
        if name not in fields:
            raise ValueError(f"name must be one of {', '.join(map(repr, fields))}; got name={name!r}.")
        values = np.array([getattr(s, name) for s in self.states], dtype=float)
        padded = np.full((len(self.path), *values.shape[1:]), np.nan)
        padded[: len(values)] = values
        return padded


def _scheduled(opt, schedule, t: int):
    """``opt`` with the learning rate of step t under ``schedule`` (``opt.lr`` is the base rate α₀).

    The scheduled rate may reach 0 (a cosine's end, a linear decay to 0), which torch allows
    and a hand-set lr is not: so it is set on a copy, past ``__post_init__``'s check.
    """
    if schedule is None:
        return opt
    scheduled = object.__new__(type(opt))  # a copy (as copy.copy, at a tenth of its cost: this runs every step)
    vars(scheduled).update(vars(opt), lr=schedule.lr(opt.lr, t))
    return scheduled


def trace(opt, grad_fn: Callable, x0, steps: int, *, schedule=None, project: Callable | None = None,
          online: bool = False) -> Trace:
    r"""Run ``opt`` for ``steps`` steps from ``x0``, keeping the path and every state.

    Step t (t = 1..steps) is::

        g_t = grad_fn(x_{t-1})              # or grad_fn(x_{t-1}, t) with online=True
        x_t, state = opt_t.step(x_{t-1}, g_t, state)
        x_t = project(x_t)                  # if a projection is given

    - ``grad_fn`` is called exactly once per step, in order.  With ``online=True`` it
      receives the step number too, ``grad_fn(x, t)``: the gradient of the step-t loss
      :math:`f_t` in online learning (a loss that changes every step), or any gradient
      that depends on the step.
    - ``schedule`` (a ``helpers.schedules`` record): ``opt_t`` is ``opt`` with learning rate
      ``schedule.lr(opt.lr, t)``, so ``opt.lr`` is the base rate α₀; the same as
      ``torch.optim`` with an ``lr_scheduler`` stepped after every ``optimizer.step()``.
    - ``project`` maps a point back onto the feasible set F,
      :math:`x_t = \Pi_F(x_t)` (projected gradient methods, e.g. ``lambda x: np.clip(x, -1, 1)``
      for F = [−1, 1]).  It changes x only, not the optimizer's memory.

    Once an iterate is not finite the run stops: the rest of the path is NaN.  No numpy
    warning escapes (overflow on the way to divergence is the expected result).
    """
    path, states = _iterate(opt, grad_fn, x0, steps, schedule, project, online, keep_states=True)
    return Trace(path=path, states=states)


def _iterate(opt, grad_fn, x0, steps, schedule, project, online, keep_states: bool):
    """The loop behind ``trace`` and ``run``: the path, and every state if ``keep_states``."""
    x = _start(x0)
    steps = _checks.whole_number("steps", steps)
    if project is not None and not callable(project):
        raise ValueError(f"project must be a function of x (or None); got project={project!r}.")
    if schedule is not None and not callable(getattr(schedule, "lr", None)):
        raise ValueError(f"schedule must be a helpers.schedules record with an lr(base_lr, t) method (or None); "
                         f"got schedule={schedule!r}.")
    state = opt.init(x)
    path = np.full((steps + 1, *x.shape), np.nan)
    path[0] = x
    states = [state]
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            g = grad_fn(x, t) if online else grad_fn(x)
            x, state = _scheduled(opt, schedule, t).step(x, g, state)
            if project is not None:
                x = np.asarray(project(x), dtype=float)
            if not _all_finite(x):
                break
            path[t] = x
            if keep_states:
                states.append(state)
    return path, tuple(states)


def _all_finite(x: np.ndarray) -> bool:
    """Whether every entry of x is finite.  A finite sum says so at once (a NaN or an infinity makes the sum
    NaN or infinite); a sum that overflowed is checked entry by entry.  (Per step: the cheaper test first.)"""
    return math.isfinite(np.add.reduce(x, axis=None)) or bool(np.isfinite(x).all())


def run(opt, grad_fn: Callable, x0, steps: int, *, schedule=None, project: Callable | None = None,
        online: bool = False) -> np.ndarray:
    """The path of ``opt`` from ``x0``: an array of shape ``(steps + 1, *x0.shape)``.

    ``path[0] == x0``; ``path[k]`` is the iterate after k steps.  A diverging run
    is a result, not an error: from the first non-finite iterate on, rows are NaN.
    ``schedule`` (learning-rate schedule), ``project`` (projection onto a feasible set)
    and ``online`` (``grad_fn(x, t)``, a gradient that depends on the step) are as in ``trace``.
    Unlike ``trace`` it keeps no states, which on a large grid of runs saves memory and time.
    """
    return _iterate(opt, grad_fn, x0, steps, schedule, project, online, keep_states=False)[0]


def diverged_at(path: np.ndarray) -> int | None:
    """The first step k whose iterate ``path[k]`` is not finite, or None if none is."""
    path = np.asarray(path, dtype=float)
    finite = np.isfinite(path.reshape(len(path), -1)).all(axis=1)
    return None if finite.all() else int(np.argmin(finite))


def steps_to_converge(opt, grad_fn, x0, x_star, steps: int, tol: float = 1e-6) -> np.ndarray:
    """For a batch of runs, the first step k with ‖x_k − x*‖ ≤ tol (inf if none within ``steps``).

    The last axis of ``x0`` holds the coordinates; leading axes index independent
    runs, e.g. a grid of hyperparameters passed to ``opt`` as arrays that
    broadcast against ``x0``.  Runs that diverge count as never converging.
    """
    x = _start(x0)
    x_star = np.asarray(x_star, dtype=float)
    steps = _checks.whole_number("steps", steps)
    tol = _checks.positive("tol", tol)
    first = np.where(np.linalg.norm(x - x_star, axis=-1) <= tol, 0.0, np.inf)
    state = opt.init(x)
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            x, state = opt.step(x, grad_fn(x), state)
            arrived = np.linalg.norm(x - x_star, axis=-1) <= tol
            first = np.where(np.isinf(first) & arrived, float(k), first)
            diverged = ~np.isfinite(x).all(axis=-1)  # stays inf: it will never arrive
            if np.all(np.isfinite(first) | diverged):
                break
    return first
