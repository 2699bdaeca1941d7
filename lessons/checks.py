"""Exercise checks that explain the first mismatch, not just "False".

A lesson's check calls the learner's function, compares its values step by step
with the helper's, and reports the first step that differs, with the two values
and, where the wrong values match a known slip (a missing (1 − β), the wrong
power of β, …), what that slip is::

    ✗ Not yet. v_3 is 0.271, expected 0.0271 (the first difference, at t = 3).
      The check used: β = 0.9, θ = theta[:10] (the first 10 days of 2012), from v_0 = 0.
      Hint: your values match v_t = β·v_{t−1} + θ_t: did you forget the (1 − β)?

The "check used" line (``setup=``) says what the check ran, so that the expected
number can be recomputed by hand.  An exception in the learner's code is reported
with the line it came from; a result of the wrong kind or shape is described in
the learner's terms (``unpack_result``), before any helper sees it, so that no
helper's internal message ("p must have a last axis …") reaches the learner.

The notebook runs top to bottom with the exercise unfilled: a stub that raises
``NotImplementedError`` gets a "not yet" message, not a traceback.
"""

from __future__ import annotations

import linecache
import os
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Feedback", "attempt", "compare", "unpack_result", "describe_value", "error_location", "rounding",
           "ignored_arguments", "LearnerRun", "run_learner", "same_values"]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@dataclass(frozen=True)
class Feedback:
    """The verdict on an exercise; it displays as its message."""

    passed: bool
    message: str

    def __repr__(self) -> str:
        return self.message


def _setup_line(setup: str) -> str:
    """The line that says what the check ran ("" when the check does not say)."""
    return f"\n  The check used: {setup.rstrip('.')}." if setup else ""


def describe_value(value, width: int = 60) -> str:
    """A learner's value in a message: its type and a short repr, never a memory address.

    ``<generator object f at 0x7f…>`` says nothing to a learner and differs from run
    to run; such values are named by their type alone.
    """
    text = repr(value)
    if _ADDRESS.search(text):
        kind = type(value).__name__
        hint = " (wrap it in list(...) to get its values)" if kind in ("generator", "map", "filter", "zip") else ""
        return f"a {kind}{hint}"
    if len(text) > width:
        text = text[: width - 1] + "…"
    return f"{type(value).__name__} {text}"


def error_location(fn: Callable, error: BaseException) -> str:
    """Where in the learner's code ``error`` came from: "line 4 of its cell, in my_ewma: v = …".

    The traceback's last frame in the file that defines ``fn`` (a notebook cell: IPython
    compiles each cell under its own name and registers its lines in ``linecache``), with
    that frame's line number and source line.  Frames inside numpy or ``helpers`` are
    skipped: the learner's own line is the one to look at.  "" if none is found.
    """
    code = getattr(getattr(fn, "__wrapped__", fn), "__code__", None)
    if code is None:
        return ""
    last = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == code.co_filename:
            last = tb
        tb = tb.tb_next
    if last is None:
        return ""
    filename, lineno, function = code.co_filename, last.tb_lineno, last.tb_frame.f_code.co_name
    place = os.path.basename(filename) if os.path.isfile(filename) else "its cell"  # never a full path
    text = linecache.getline(filename, lineno).strip()
    return f"line {lineno} of {place}, in {function}" + (f": {text}" if text else "")


def attempt(fn: Callable, *args, name: str | None = None, setup: str = "") -> tuple[object, Feedback | None]:
    """Call the learner's ``fn(*args)``; return ``(result, None)``, or ``(None, feedback)`` if it cannot be used.

    An exception becomes feedback naming it, the line of the learner's code it came
    from (``error_location``) and, if given, the ``setup`` the check ran.
    """
    name = name or getattr(fn, "__name__", "your function")
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a slip that makes NaN is feedback, not a warning on stderr
            result = fn(*args)
    except NotImplementedError:
        return None, Feedback(False, f"Not yet: {name} still raises NotImplementedError. "
                                     "Replace that line with your code, run the cell, then run this check again.")
    except Exception as error:  # noqa: BLE001 - any error in learner code is feedback, not a crash
        where = error_location(fn, error)
        message = f"✗ {name} raised {type(error).__name__}: {_ADDRESS.sub('', str(error))}"
        return None, Feedback(False, message + (f"\n  It came from {where}" if where else "") + _setup_line(setup))
    if result is None:
        return None, Feedback(False, f"✗ {name} returned None: did you forget the `return`?")
    return result, None


def unpack_result(result, names: Sequence[str], shape: tuple, *, name: str = "your function",
                  step: int | None = None, setup: str = "") -> tuple[tuple[np.ndarray, ...] | None, Feedback | None]:
    """Check that a step function returned ``len(names)`` arrays of ``shape``; return them as float arrays.

    Returns ``(arrays, None)`` or ``(None, feedback)``, the feedback in the learner's
    terms ("momentum_step should return (x, v) …; at step 2 its v has shape (3,)"),
    so that a wrong result is explained before it reaches a helper.  ``names`` are
    the things returned, in order (a single name: the result is that one array).
    """
    wanted = f"({', '.join(names)})" if len(names) > 1 else names[0]
    when = f" at step {step}" if step is not None else ""
    parts = (result,) if len(names) == 1 else result
    if len(names) > 1 and not (isinstance(result, (tuple, list)) and len(result) == len(names)):
        got = f"{len(result)} things" if isinstance(result, (tuple, list)) else describe_value(result)
        return None, Feedback(False, f"✗ {name} should return {len(names)} things, {wanted}, in that order;"
                                     f"{when} it returned {got}." + _setup_line(setup))
    arrays = []
    for symbol, part in zip(names, parts, strict=True):
        try:
            array = np.asarray(part, dtype=float)
        except (TypeError, ValueError):
            return None, Feedback(False, f"✗ {name} should return numbers for {symbol};{when} its {symbol} is "
                                         f"{describe_value(part)}." + _setup_line(setup))
        if array.shape != tuple(shape):
            each = f"{wanted}, each with the shape of x, {tuple(shape)}" if len(names) > 1 else \
                f"{wanted} with shape {tuple(shape)}"
            return None, Feedback(False, f"✗ {name} should return {each};{when} its {symbol} has shape "
                                         f"{array.shape}." + _setup_line(setup))
        arrays.append(array)
    return tuple(arrays), None


@dataclass(frozen=True, eq=False)
class LearnerRun:
    """What a learner's optimizer step did in a check's run."""

    xs: np.ndarray  # (n, d): x_1 … x_n
    states: tuple[np.ndarray, ...]  # one per state variable (s; or m, v; …), (n, d): its values after steps 1 … n
    calls: list[tuple]  # per step t: (x_{t−1}, g_t, *state_{t−1}, t), what step t was given


def run_learner(step: Callable, x0, gradient: Callable, steps: int, arguments: Callable, returns: Sequence[str], *,
                name: str, setup: str = "") -> LearnerRun | Feedback:
    """Run the learner's optimizer ``step`` for ``steps`` steps from ``x0``, each call fed what the last returned.

    Step t takes g_t = ``gradient(x, t)`` and calls ``step(*arguments(x, g, state, t))`` (the
    lesson's signature, e.g. ``lambda x, g, state, t: (x, g, *state, lr, eps)``) on copies of
    the arrays, so that a step that changes its inputs in place changes nothing here.  It must
    return ``returns``, x first and then the state (``("x_new", "s_new")``), each an array
    shaped like x: that is checked (``unpack_result``) before the next gradient is taken, so a
    wrong result is explained in the learner's terms.  The state starts at zero.  Returns a
    ``LearnerRun``, or the ``Feedback`` that says why the results cannot be used.
    """
    x = np.array(x0, dtype=float)
    state = tuple(np.zeros_like(x) for _ in returns[1:])
    xs, states, calls = [], [], []
    for t in range(1, steps + 1):
        g = gradient(x, t)
        calls.append((x, g, *state, t))
        given = [a.copy() if isinstance(a, np.ndarray) else a for a in arguments(x, g, state, t)]
        result, feedback = attempt(step, *given, name=name, setup=setup)
        if feedback is None:
            arrays, feedback = unpack_result(result, returns, x.shape, name=name, step=t, setup=setup)
        if feedback is not None:
            return feedback
        x, *new_state = arrays
        state = tuple(new_state)
        xs.append(x)
        states.append(state)
    return LearnerRun(np.array(xs), tuple(np.array([s[k] for s in states]) for k in range(len(state))), calls)


def same_values(a, b) -> bool:
    """Whether a learner's values are the expected ones: the same shape, equal to rounding (NaN equals NaN)."""
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))


def ignored_arguments(fn: Callable, args: Sequence, changes: Mapping[int, object]) -> list[int]:
    """The positions in ``changes`` whose new value leaves ``fn(*args)``'s result unchanged.

    A step function whose result does not move when α (or β, ε) does has a number typed
    in where that argument belongs (``0.1`` for ``1 - beta``, ``0.01`` for ``lr``), and
    gives the right numbers only for the value the check happens to use.  ``fn`` is called
    once with ``args`` and once per entry of ``changes`` (position → another value), each
    time on fresh copies of the arrays.  A call that raises or returns something that is
    not numbers of the same shape counts as "changed": that is some other slip.
    """

    def call(arguments):
        arguments = [a.copy() if isinstance(a, np.ndarray) else a for a in arguments]
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = fn(*arguments)
            parts = result if isinstance(result, (tuple, list)) else (result,)
            return [np.asarray(part, dtype=float) for part in parts]
        except Exception:  # noqa: BLE001 - a learner's function may fail in any way; that is not this slip
            return None

    base = call(list(args))
    if base is None:
        return []
    ignored = []
    for position, value in changes.items():
        arguments = list(args)
        arguments[position] = value
        other = call(arguments)
        if other is not None and len(other) == len(base) and all(
                a.shape == b.shape and np.array_equal(a, b, equal_nan=True) for a, b in zip(other, base, strict=True)):
            ignored.append(position)
    return ignored


def _format(value, fmt: str) -> str:
    value = np.asarray(value, dtype=float)
    if value.ndim == 0:
        return format(float(value), fmt)
    return "(" + ", ".join(format(float(v), fmt) for v in value.ravel()) + ")"


def _format_apart(yours, expected, fmt: str) -> tuple[str, str]:
    """Both values in ``fmt``; if they print the same, with as many more digits as it takes to tell them apart."""
    shown, wanted = _format(yours, fmt), _format(expected, fmt)
    for digits in range(5, 17):
        if shown != wanted:
            break
        shown, wanted = _format(yours, f".{digits}g"), _format(expected, f".{digits}g")
    return shown, wanted


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
    setup: str = "",
) -> Feedback:
    """Compare a learner's sequence with the expected one, entry by entry along the first axis.

    ``symbol`` names an entry in the message (``v`` gives ``v_3``); entry ``k`` is
    step ``first_index + k``.  ``mistakes`` maps a hint to the sequence a known slip
    would produce: if the learner's values match one of them, its hint is given.
    ``setup`` says what the check ran ("β = 0.9, θ = theta[:10], from v_0 = 0"): a
    failure message then states it, so that the expected values can be recomputed.
    """
    expected = np.asarray(expected, dtype=float)
    try:
        yours = np.asarray(yours, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, f"✗ Expected numbers for {symbol}; got {describe_value(yours)}." + _setup_line(setup))
    if yours.shape != expected.shape:
        return Feedback(False, f"✗ Expected {symbol} with shape {expected.shape} "
                               f"({len(expected)} steps); got shape {yours.shape}." + _setup_line(setup))
    close = np.isclose(yours, expected, rtol=rtol, atol=atol).reshape(len(expected), -1).all(axis=1)
    if close.all():
        return Feedback(True, f"✓ Correct: all {len(expected)} values of {symbol} match. {success}".rstrip())
    k = int(np.argmin(close))
    step = first_index + k
    shown, wanted = _format_apart(yours[k], expected[k], fmt)
    message = (f"✗ Not yet. {symbol}_{step} is {shown}, expected {wanted} "
               f"(the first difference, at {index} = {step}).") + _setup_line(setup)
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
