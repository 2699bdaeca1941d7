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
=========================================  ==========================================

Hyperparameters may also be numpy arrays that broadcast against ``x``: one call
then steps a whole grid of optimizers at once (see ``steps_to_converge``).
Everything is float64.
"""

from __future__ import annotations

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


def _current(x, g) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    return x, _checks.same_shape("grad", g, x)


# --- the optimizers ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SGD:
    r"""Gradient descent: :math:`x_t = x_{t-1} - \alpha g_t`."""

    lr: float = 1e-3

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))

    def init(self, x0) -> SGDState:
        _start(x0)
        return SGDState(t=0)

    def step(self, x, g, state: SGDState) -> tuple[np.ndarray, SGDState]:
        x, g = _current(x, g)
        x = x - self.lr * g  # x_t = x_{t-1} - α g_t
        return x, SGDState(t=state.t + 1)


@dataclass(frozen=True, eq=False)
class Momentum:
    r"""Gradient descent with momentum, in one of two conventions.

    ``form="ewma"`` (the lecture's):  :math:`v_t = \beta v_{t-1} + (1-\beta) g_t`,
    ``form="sum"``  (PyTorch's):      :math:`v_t = \beta v_{t-1} + g_t`,
    then in both :math:`x_t = x_{t-1} - \alpha v_t`, with :math:`v_0 = 0`.

    The two are the same optimizer: the ewma velocity is (1 − β) times the sum
    velocity, so ``Momentum(lr, beta, "ewma")`` equals
    ``Momentum(lr * (1 - beta), beta, "sum")``.
    """

    lr: float = 1e-3
    beta: float = 0.9
    form: str = "ewma"

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))
        object.__setattr__(self, "beta", _checks.decay_rate("beta", self.beta))
        _checks.one_of("form", self.form, ("ewma", "sum"))

    def init(self, x0) -> MomentumState:
        return MomentumState(t=0, v=np.zeros_like(_start(x0)))

    def step(self, x, g, state: MomentumState) -> tuple[np.ndarray, MomentumState]:
        x, g = _current(x, g)
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
    :math:`x_t = x_{t-1} - \alpha (g_t + \beta v_t)`.
    """

    lr: float = 1e-3
    beta: float = 0.9

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))
        object.__setattr__(self, "beta", _checks.decay_rate("beta", self.beta))

    def init(self, x0) -> MomentumState:
        return MomentumState(t=0, v=np.zeros_like(_start(x0)))

    def step(self, x, g, state: MomentumState) -> tuple[np.ndarray, MomentumState]:
        x, g = _current(x, g)
        v = self.beta * state.v + g  # v_t = β v_{t-1} + g_t
        x = x - self.lr * (g + self.beta * v)  # x_t = x_{t-1} - α (g_t + β v_t)
        return x, MomentumState(t=state.t + 1, v=v)


@dataclass(frozen=True, eq=False)
class AdaGrad:
    r"""AdaGrad (Duchi, Hazan & Singer, 2011): one learning rate per coordinate.

    :math:`s_t = s_{t-1} + g_t^2`, then
    :math:`x_t = x_{t-1} - \alpha\, g_t / (\sqrt{s_t} + \varepsilon)`.
    """

    lr: float = 1e-2
    eps: float = 1e-10

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))
        object.__setattr__(self, "eps", _checks.nonnegative("eps", self.eps))

    def init(self, x0) -> AdaGradState:
        return AdaGradState(t=0, s=np.zeros_like(_start(x0)))

    def step(self, x, g, state: AdaGradState) -> tuple[np.ndarray, AdaGradState]:
        x, g = _current(x, g)
        s = state.s + g**2  # s_t = s_{t-1} + g_t²
        x = x - self.lr * g / (np.sqrt(s) + self.eps)  # x_t = x_{t-1} - α g_t / (√s_t + ε)
        return x, AdaGradState(t=state.t + 1, s=s)


@dataclass(frozen=True, eq=False)
class RMSProp:
    r"""RMSProp (Hinton, 2012, lecture 6e): AdaGrad with an EWMA instead of a sum.

    :math:`s_t = \beta s_{t-1} + (1-\beta) g_t^2`, then
    :math:`x_t = x_{t-1} - \alpha\, g_t / (\sqrt{s_t} + \varepsilon)`
    (ε outside the root, as in PyTorch).
    """

    lr: float = 1e-2
    beta: float = 0.99
    eps: float = 1e-8

    def __post_init__(self):
        object.__setattr__(self, "lr", _checks.positive("lr", self.lr))
        object.__setattr__(self, "beta", _checks.decay_rate("beta", self.beta))
        object.__setattr__(self, "eps", _checks.nonnegative("eps", self.eps))

    def init(self, x0) -> RMSPropState:
        return RMSPropState(t=0, s=np.zeros_like(_start(x0)))

    def step(self, x, g, state: RMSPropState) -> tuple[np.ndarray, RMSPropState]:
        x, g = _current(x, g)
        s = self.beta * state.s + (1 - self.beta) * g**2  # s_t = β s_{t-1} + (1 - β) g_t²
        x = x - self.lr * g / (np.sqrt(s) + self.eps)  # x_t = x_{t-1} - α g_t / (√s_t + ε)
        return x, RMSPropState(t=state.t + 1, s=s)


def _check_adam(opt) -> None:
    object.__setattr__(opt, "lr", _checks.positive("lr", opt.lr))
    object.__setattr__(opt, "beta1", _checks.decay_rate("beta1", opt.beta1))
    object.__setattr__(opt, "beta2", _checks.decay_rate("beta2", opt.beta2))
    object.__setattr__(opt, "eps", _checks.nonnegative("eps", opt.eps))


@dataclass(frozen=True, eq=False)
class Adam:
    r"""Adam (Kingma & Ba, arXiv 2014 / ICLR 2015).

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2

        \hat m_t = m_t / (1-\beta_1^t) \qquad \hat v_t = v_t / (1-\beta_2^t)

        x_t = x_{t-1} - \alpha\, \hat m_t / (\sqrt{\hat v_t} + \varepsilon)

    ``bias_correction=False`` uses m_t and v_t in place of the hatted moments
    (for the lesson that shows why the correction is there).
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    bias_correction: bool = True

    def __post_init__(self):
        _check_adam(self)

    def init(self, x0) -> AdamState:
        zeros = np.zeros_like(_start(x0))
        return AdamState(t=0, m=zeros, v=zeros)

    def step(self, x, g, state: AdamState) -> tuple[np.ndarray, AdamState]:
        x, g = _current(x, g)
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g  # m_t = β₁ m_{t-1} + (1 - β₁) g_t
        v = self.beta2 * state.v + (1 - self.beta2) * g**2  # v_t = β₂ v_{t-1} + (1 - β₂) g_t²
        m_hat = m / (1 - self.beta1**t) if self.bias_correction else m  # m̂_t = m_t / (1 - β₁ᵗ)
        v_hat = v / (1 - self.beta2**t) if self.bias_correction else v  # v̂_t = v_t / (1 - β₂ᵗ)
        x = x - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)  # x_t = x_{t-1} - α m̂_t / (√v̂_t + ε)
        return x, AdamState(t=t, m=m, v=v)


@dataclass(frozen=True, eq=False)
class AMSGrad:
    r"""AMSGrad (Reddi, Kale & Kumar, ICLR 2018), PyTorch's ``Adam(amsgrad=True)``.

    As Adam, but the denominator uses the largest second moment so far:
    :math:`v^{max}_t = \max(v^{max}_{t-1}, v_t)` and
    :math:`x_t = x_{t-1} - \alpha\, \hat m_t / (\sqrt{v^{max}_t / (1-\beta_2^t)} + \varepsilon)`.
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self):
        _check_adam(self)

    def init(self, x0) -> AMSGradState:
        zeros = np.zeros_like(_start(x0))
        return AMSGradState(t=0, m=zeros, v=zeros, v_max=zeros)

    def step(self, x, g, state: AMSGradState) -> tuple[np.ndarray, AMSGradState]:
        x, g = _current(x, g)
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g  # m_t = β₁ m_{t-1} + (1 - β₁) g_t
        v = self.beta2 * state.v + (1 - self.beta2) * g**2  # v_t = β₂ v_{t-1} + (1 - β₂) g_t²
        v_max = np.maximum(state.v_max, v)  # v^max_t = max(v^max_{t-1}, v_t)
        m_hat = m / (1 - self.beta1**t)  # m̂_t = m_t / (1 - β₁ᵗ)
        v_hat = v_max / (1 - self.beta2**t)  # v̂_t = v^max_t / (1 - β₂ᵗ)
        x = x - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)  # x_t = x_{t-1} - α m̂_t / (√v̂_t + ε)
        return x, AMSGradState(t=t, m=m, v=v, v_max=v_max)


@dataclass(frozen=True, eq=False)
class AdamW:
    r"""AdamW (Loshchilov & Hutter, ICLR 2019): Adam with decoupled weight decay.

    First shrink, :math:`x' = x_{t-1}(1 - \alpha\lambda)`, then an Adam step
    from :math:`x'` with the gradient :math:`g_t` taken at :math:`x_{t-1}`.
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 1e-2

    def __post_init__(self):
        _check_adam(self)
        object.__setattr__(self, "weight_decay", _checks.nonnegative("weight_decay", self.weight_decay))

    def init(self, x0) -> AdamState:
        zeros = np.zeros_like(_start(x0))
        return AdamState(t=0, m=zeros, v=zeros)

    def step(self, x, g, state: AdamState) -> tuple[np.ndarray, AdamState]:
        x, g = _current(x, g)
        x = x * (1 - self.lr * self.weight_decay)  # x' = x_{t-1} (1 - α λ)
        adam = Adam(self.lr, self.beta1, self.beta2, self.eps)
        return adam.step(x, g, state)


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


def trace(opt, grad_fn: Callable[[np.ndarray], np.ndarray], x0, steps: int) -> Trace:
    """Run ``opt`` for ``steps`` steps from ``x0``, keeping the path and every state.

    ``grad_fn`` is called once per step, in order, at the current iterate.  Once an
    iterate is not finite the run stops: the rest of the path is NaN.  No numpy
    warning escapes (overflow on the way to divergence is the expected result).
    """
    x = _start(x0)
    steps = _checks.whole_number("steps", steps)
    state = opt.init(x)
    path = np.full((steps + 1, *x.shape), np.nan)
    path[0] = x
    states = [state]
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            x, state = opt.step(x, grad_fn(x), state)
            if not np.all(np.isfinite(x)):
                break
            path[k] = x
            states.append(state)
    return Trace(path=path, states=tuple(states))


def run(opt, grad_fn: Callable[[np.ndarray], np.ndarray], x0, steps: int) -> np.ndarray:
    """The path of ``opt`` from ``x0``: an array of shape ``(steps + 1, *x0.shape)``.

    ``path[0] == x0``; ``path[k]`` is the iterate after k steps.  A diverging run
    is a result, not an error: from the first non-finite iterate on, rows are NaN.
    """
    return trace(opt, grad_fn, x0, steps).path


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
