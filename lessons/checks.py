"""Exercise checks that explain the first mismatch, not just "False".

A lesson's check calls the learner's function, compares its values step by step
with the helper's, and reports the first step that differs, with the two values
and, where the wrong values match a known slip (a missing (1 − β), the wrong
power of β, …), what that slip is::

    ✗ Not yet. v_3 is 0.271, expected 0.0271 (the first difference, at t = 3).
      Hint: your values match v_t = β·v_{t−1} + θ_t: did you forget the (1 − β)?

The notebook runs top to bottom with the exercise unfilled: a stub that raises
``NotImplementedError`` gets a "not yet" message, not a traceback.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Feedback", "attempt", "compare", "rounding"]


@dataclass(frozen=True)
class Feedback:
    """The verdict on an exercise; it displays as its message."""

    passed: bool
    message: str

    def __repr__(self) -> str:
        return self.message


def attempt(fn: Callable, *args, name: str | None = None) -> tuple[object, Feedback | None]:
    """Call the learner's ``fn(*args)``; return ``(result, None)``, or ``(None, feedback)`` if it cannot be used."""
    name = name or getattr(fn, "__name__", "your function")
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a slip that makes NaN is feedback, not a warning on stderr
            result = fn(*args)
    except NotImplementedError:
        return None, Feedback(False, f"Not yet: {name} still raises NotImplementedError. "
                                     "Replace that line with your code, run the cell, then run this check again.")
    except Exception as error:  # noqa: BLE001 - any error in learner code is feedback, not a crash
        return None, Feedback(False, f"✗ {name} raised {type(error).__name__}: {error}")
    if result is None:
        return None, Feedback(False, f"✗ {name} returned None: did you forget the `return`?")
    return result, None


def _format(value, fmt: str) -> str:
    value = np.asarray(value, dtype=float)
    if value.ndim == 0:
        return format(float(value), fmt)
    return "(" + ", ".join(format(float(v), fmt) for v in value.ravel()) + ")"


def compare(
    yours,
    expected,
    *,
    symbol: str,
    index: str = "t",
    first_index: int = 1,
    mistakes: Mapping[str, object] | None = None,
    success: str = "",
    rtol: float = 1e-9,
    atol: float = 1e-12,
    fmt: str = ".4g",
) -> Feedback:
    """Compare a learner's sequence with the expected one, entry by entry along the first axis.

    ``symbol`` names an entry in the message (``v`` gives ``v_3``); entry ``k`` is
    step ``first_index + k``.  ``mistakes`` maps a hint to the sequence a known slip
    would produce: if the learner's values match one of them, its hint is given.
    """
    expected = np.asarray(expected, dtype=float)
    try:
        yours = np.asarray(yours, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, f"✗ Expected numbers for {symbol}; got {type(yours).__name__} {yours!r:.60}.")
    if yours.shape != expected.shape:
        return Feedback(False, f"✗ Expected {symbol} with shape {expected.shape} "
                               f"({len(expected)} steps); got shape {yours.shape}.")
    close = np.isclose(yours, expected, rtol=rtol, atol=atol).reshape(len(expected), -1).all(axis=1)
    if close.all():
        return Feedback(True, f"✓ Correct: all {len(expected)} values of {symbol} match. {success}".rstrip())
    k = int(np.argmin(close))
    step = first_index + k
    message = (f"✗ Not yet. {symbol}_{step} is {_format(yours[k], fmt)}, expected {_format(expected[k], fmt)} "
               f"(the first difference, at {index} = {step}).")
    for hint, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape == yours.shape and np.allclose(yours, wrong, rtol=rtol, atol=atol, equal_nan=True):
            return Feedback(False, f"{message}\n  Hint: {hint}")
    if k == 0:
        return Feedback(False, f"{message}\n  The very first step differs: check the starting values and the "
                               "first update.")
    return Feedback(False, f"{message}\n  Steps before {step} agree, so the start is right; look at how step "
                           f"{step} uses the previous one.")


def rounding(difference: float, bound: float = 1e-12) -> str:
    """A difference that should be rounding error, said the same way on every machine.

    Two float64 computations of the same thing differ in the last bits, and by how
    much depends on the CPU and the numpy build: printing ``6.7e-16`` would make a
    notebook's output machine-dependent.  Below ``bound`` this says so in words;
    above it, it prints the number (then it is not rounding error, and should show).
    """
    difference = float(difference)
    if difference < bound:  # 0 included: exactly equal here may be a last bit apart on another machine
        return f"below {bound:.0e} (rounding error)"
    return f"{difference:.1e}"
