r"""Exponentially weighted moving averages (EWMA), the building block of every optimizer here.

With :math:`v_0 = 0`,

.. math::
    v_t = \beta\, v_{t-1} + (1-\beta)\, \theta_t
        = (1-\beta) \sum_{i=1}^{t} \beta^{\,t-i}\, \theta_i ,

so the weights of :math:`\theta_1..\theta_t` sum to :math:`1 - \beta^t`, and the
bias-corrected average :math:`\hat v_t = v_t / (1 - \beta^t)` is a true weighted mean.
"""

from __future__ import annotations

import numpy as np

from helpers import _checks

__all__ = ["ewma", "ewma_weights", "effective_window", "bias_correction_factor", "sliding_mean"]


def _series(name: str, x) -> np.ndarray:
    x = _checks.finite_array(name, x)
    if x.ndim != 1:
        raise ValueError(f"{name} must be a 1-D series; got {name} with shape {x.shape}.")
    return x


def ewma(theta, beta: float, bias_correction: bool = False) -> np.ndarray:
    r"""The EWMA :math:`v_1..v_t` of the series :math:`\theta_1..\theta_t`, starting from :math:`v_0 = 0`.

    :math:`v_t = \beta v_{t-1} + (1-\beta)\theta_t`; with ``bias_correction``,
    :math:`\hat v_t = v_t / (1-\beta^t)` instead.  O(1) memory and work per value.
    ``theta`` may also be an array whose first axis is time (shape ``(t, ...)``): then every
    other entry is its own series, averaged alongside the others (many runs at once).
    """
    theta = _checks.finite_array("theta", theta)
    if theta.ndim == 0:
        raise ValueError(f"theta must be a series (time along its first axis); got a single number theta={theta!r}.")
    beta = _checks.decay_rate("beta", beta)
    v = np.empty_like(theta)
    v_prev = 0.0
    for t, theta_t in enumerate(theta, start=1):
        v_prev = beta * v_prev + (1 - beta) * theta_t  # v_t = β v_{t-1} + (1 - β) θ_t
        v[t - 1] = v_prev
    if bias_correction:
        factor = bias_correction_factor(beta, len(theta)).reshape((-1,) + (1,) * (theta.ndim - 1))
        return v / factor  # v̂_t = v_t / (1 - βᵗ)
    return v


def ewma_weights(beta: float, t: int) -> np.ndarray:
    r"""The weight each of :math:`\theta_1..\theta_t` carries in :math:`v_t`: :math:`(1-\beta)\beta^{t-i}`.

    Entry ``i - 1`` is the weight of :math:`\theta_i`; the last entry (today) is
    the largest, ``1 - beta``.  They sum to :math:`1 - \beta^t`.
    """
    beta = _checks.decay_rate("beta", beta)
    t = _checks.whole_number("t", t)
    i = np.arange(1, t + 1)
    return (1 - beta) * beta ** (t - i)


def bias_correction_factor(beta: float, t: int) -> np.ndarray:
    r""":math:`1 - \beta^k` for :math:`k = 1..t`.

    The total weight in :math:`v_k`, and what :math:`\hat v_k` divides by.
    """
    beta = _checks.decay_rate("beta", beta)
    t = _checks.whole_number("t", t)
    return 1 - beta ** np.arange(1, t + 1)


def effective_window(beta: float) -> float:
    r"""About how many recent values :math:`v_t` averages over: :math:`1 / (1-\beta)`.

    After :math:`1/(1-\beta)` steps a weight has shrunk by
    :math:`\beta^{1/(1-\beta)} \approx 1/e`.  The result is rounded to 9 decimals so
    that the representation error of β itself does not show: ``effective_window(0.9)``
    is 10.0, not 10.000000000000002.
    """
    beta = _checks.decay_rate("beta", beta)
    return round(1 / (1 - beta), 9)


def sliding_mean(theta, window: int) -> np.ndarray:
    r"""The plain mean of the last ``window`` values, :math:`\frac1w \sum_{i=t-w+1}^{t} \theta_i`.

    Before ``window`` values have arrived it averages what there is.  It must
    keep the last ``window`` values in memory: O(w) memory, against the EWMA's O(1).
    """
    theta = _series("theta", theta)
    window = _checks.whole_number("window", window, minimum=1)
    out = np.empty_like(theta)
    for t in range(1, len(theta) + 1):
        out[t - 1] = theta[max(0, t - window) : t].mean()
    return out
