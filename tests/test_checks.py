"""lessons.checks: feedback names the first mismatch and the slip behind it."""

import numpy as np

from lessons.checks import Feedback, attempt, compare


def test_correct_answer():
    fb = compare([1.0, 2.0], [1.0, 2.0], symbol="v", success="Well done.")
    assert fb.passed and repr(fb) == "✓ Correct: all 2 values of v match. Well done."


def test_first_mismatch_with_values_and_step():
    fb = compare([1.0, 2.0, 3.5, 9.0], [1.0, 2.0, 3.0, 4.0], symbol="v")
    assert not fb.passed
    assert "v_3 is 3.5, expected 3 (the first difference, at t = 3)" in fb.message
    assert "Steps before 3 agree" in fb.message


def test_known_slip_gives_its_hint():
    expected = np.array([0.1, 0.19, 0.271])
    slip = np.array([1.0, 1.9, 2.71])
    fb = compare(slip, expected, symbol="v", mistakes={"did you forget the (1 − β)?": slip})
    assert "v_1 is 1, expected 0.1" in fb.message and "Hint: did you forget the (1 − β)?" in fb.message
    assert "The very first step differs" not in fb.message


def test_vector_steps_and_shapes():
    fb = compare(np.zeros((3, 2)), np.ones((3, 2)), symbol="x", index="k", first_index=0)
    assert "x_0 is (0, 0), expected (1, 1) (the first difference, at k = 0)" in fb.message
    assert "shape (3,)" in compare(np.zeros(3), np.zeros(4), symbol="v").message
    assert "Expected numbers" in compare("hello", np.zeros(2), symbol="v").message


def test_attempt_turns_learner_errors_into_feedback():
    def stub(x):
        raise NotImplementedError

    def broken(x):
        return x / "a"

    def forgot_return(x):
        x + 1

    assert attempt(lambda x: x + 1, 1) == (2, None)
    for fn, words in [(stub, "Not yet: stub still raises NotImplementedError"),
                      (broken, "✗ broken raised TypeError"),
                      (forgot_return, "✗ forgot_return returned None: did you forget the `return`?")]:
        result, fb = attempt(fn, 1.0)
        assert result is None and isinstance(fb, Feedback) and not fb.passed and words in fb.message


def test_attempt_keeps_numpy_warnings_of_a_slip_off_stderr():
    def makes_nan(x):
        return np.zeros(2) / np.zeros(2)

    result, fb = attempt(makes_nan, 1.0)  # pytest turns any warning into an error
    assert fb is None and np.all(np.isnan(result))


def test_rounding_is_said_in_words_below_the_bound():
    from lessons.checks import rounding

    assert rounding(0.0) == "below 1e-12 (rounding error)"
    assert rounding(6.7e-16) == rounding(2.2e-15) == "below 1e-12 (rounding error)"
    assert rounding(3e-6) == "3.0e-06"
    assert rounding(5e-9, bound=1e-8) == "below 1e-08 (rounding error)"
