"""Argument checks shared by the helpers.

Every check raises ``ValueError`` with a message a learner can act on: the
parameter's name, the value it got, and what was expected.  Hyperparameters may
be scalars or numpy arrays (a whole grid of settings run at once); an array is
accepted only if every entry is allowed, and the message quotes the first entry
that is not.
"""

from __future__ import annotations

import numpy as np


def _first_bad(values: np.ndarray, ok: np.ndarray) -> float:
    """The first entry of ``values`` where ``ok`` is False."""
    return float(values[~ok].flat[0])


def _as_float_array(name: str, value) -> np.ndarray:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {name}={value!r}.") from None


def _scalar_or_array(values: np.ndarray):
    return float(values) if values.ndim == 0 else values


def positive(name: str, value):
    """``value`` must be finite and > 0 (a learning rate)."""
    values = _as_float_array(name, value)
    ok = np.isfinite(values) & (values > 0)
    if not np.all(ok):
        bad = _first_bad(values, ok)
        raise ValueError(f"{name} must be a finite number > 0; got {name}={bad!r}.")
    return _scalar_or_array(values)


def nonnegative(name: str, value):
    """``value`` must be finite and >= 0 (an epsilon, a weight decay)."""
    values = _as_float_array(name, value)
    ok = np.isfinite(values) & (values >= 0)
    if not np.all(ok):
        bad = _first_bad(values, ok)
        raise ValueError(f"{name} must be a finite number >= 0; got {name}={bad!r}.")
    return _scalar_or_array(values)


def decay_rate(name: str, value):
    """``value`` must lie in [0, 1) (a β: 1 would never forget, so never move)."""
    values = _as_float_array(name, value)
    ok = (values >= 0) & (values < 1)
    if not np.all(ok):
        bad = _first_bad(values, ok)
        raise ValueError(f"{name} must be in [0, 1); got {name}={bad!r}.")
    return _scalar_or_array(values)


def whole_number(name: str, value, minimum: int = 0) -> int:
    """``value`` must be an integer >= ``minimum`` (a number of steps)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number >= {minimum}; got {name}={value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}; got {name}={value!r}.")
    return int(value)


def finite_array(name: str, value) -> np.ndarray:
    """``value`` as a float64 array whose entries are all finite (a starting point)."""
    values = _as_float_array(name, value)
    ok = np.isfinite(values)
    if not np.all(ok):
        index = "".join(f"[{int(i)}]" for i in np.argwhere(~ok)[0])
        raise ValueError(
            f"{name} must contain only finite numbers; got {name}{index}={_first_bad(values, ok)!r}."
        )
    return values


def same_shape(name: str, value, reference: np.ndarray, reference_name: str = "x") -> np.ndarray:
    """``value`` as a float64 array with the same shape as ``reference``."""
    values = _as_float_array(name, value)
    if values.shape != reference.shape:
        raise ValueError(
            f"{name} must have the shape of {reference_name}, {reference.shape}; "
            f"got {name} with shape {values.shape}."
        )
    return values


def one_of(name: str, value, allowed: tuple[str, ...]) -> str:
    """``value`` must be one of ``allowed``."""
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}; got {name}={value!r}.")
    return value
