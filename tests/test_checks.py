"""lessons.checks: feedback names the first mismatch and the slip behind it."""

import numpy as np

from lessons.checks import (
    Feedback,
    LearnerRun,
    attempt,
    compare,
    describe_value,
    ignored_arguments,
    run_learner,
    same_values,
    unpack_result,
)


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


# --- what the feedback says so the learner can act on it ------------------------------------------


def _cell_function(source: str, name: str, filename: str = "/tmp/ipykernel_4242/3141592653.py"):
    """Define a function the way IPython runs a notebook cell: compiled under a file name that is not a
    file on disk, with the cell's lines registered in linecache (IPython's CachingCompiler does both)."""
    import linecache

    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"np": np}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - this is what a notebook cell does
    return namespace[name]


def test_an_exception_names_the_line_of_the_learners_code_it_came_from():
    source = ("def my_ewma(theta, beta):\n"
              "    v, out = 0.0, []\n"
              "    for theta_t in theta:\n"
              "        v = beta * v + (1 - beta) * theta_t[0]\n"
              "        out.append(v)\n"
              "    return out\n")
    my_ewma = _cell_function(source, "my_ewma")
    result, fb = attempt(my_ewma, np.arange(3.0), 0.9)
    assert result is None and not fb.passed
    lines = fb.message.splitlines()
    assert lines[0].startswith("✗ my_ewma raised IndexError")
    assert lines[1] == "  It came from line 4 of its cell, in my_ewma: v = beta * v + (1 - beta) * theta_t[0]"
    assert "/tmp/" not in fb.message and "ipykernel" not in fb.message  # no path: it varies from run to run


def test_the_line_is_the_learners_even_when_numpy_raised_it_and_without_linecache():
    source = "def step(x):\n    y = x + 1\n    return np.linalg.inv(np.zeros((2, 2))) @ y\n"
    step = _cell_function(source, "step")
    _, fb = attempt(step, np.zeros(2))
    assert "LinAlgError" in fb.message
    assert "It came from line 3 of its cell, in step: return np.linalg.inv" in fb.message
    namespace = {}
    exec(compile("def g(x):\n    return 1 / 0\n", "<fake cell>", "exec"), namespace)  # noqa: S102
    _, fb = attempt(namespace["g"], 1.0)
    assert fb.message.splitlines()[1] == "  It came from line 2 of its cell, in g"  # no source known: no text
    inner = _cell_function("def helper(x):\n    return x['a']\n\ndef outer(x):\n    return helper(x) + 1\n",
                           "outer", filename="/tmp/ipykernel_4242/2718281828.py")
    _, fb = attempt(inner, [1.0])
    assert "line 2 of its cell, in helper: return x['a']" in fb.message  # the deepest frame of the learner's code


def test_an_exception_in_a_file_names_the_file_but_not_its_folder():
    def broken(x):
        return x / "a"

    _, fb = attempt(broken, 1.0)
    assert "It came from line" in fb.message and "of test_checks.py, in broken: return x / \"a\"" in fb.message
    assert "/" not in fb.message.split("It came from")[1].split(":")[0]


def test_setup_is_stated_so_the_expected_value_can_be_recomputed():
    setup = "β = 0.9, θ = theta[:3], from v_0 = 0"
    fb = compare([1.0, 2.0, 3.5], [1.0, 2.0, 3.0], symbol="v", setup=setup)
    lines = fb.message.splitlines()
    assert lines[1] == "  The check used: β = 0.9, θ = theta[:3], from v_0 = 0." and "Steps before 3" in lines[2]
    fb = compare([9.0, 2.0], [1.0, 2.0], symbol="v", setup=setup, mistakes={"a slip.": [9.0, 2.0]})
    assert fb.message.splitlines()[1:] == ["  The check used: β = 0.9, θ = theta[:3], from v_0 = 0.", "  Hint: a slip."]
    assert "The check used" in compare(np.zeros(2), np.zeros(3), symbol="v", setup=setup).message
    assert "The check used" not in compare([1.0], [1.0], symbol="v", setup=setup).message  # passed: nothing to redo
    assert "The check used" not in compare([2.0], [1.0], symbol="v").message  # without setup: as before

    def broken(x):
        return x / "a"

    _, fb = attempt(broken, 1.0, setup=setup)
    assert fb.message.endswith("\n  The check used: β = 0.9, θ = theta[:3], from v_0 = 0.")


def test_no_memory_address_or_internal_message_reaches_the_learner():
    fb = compare((t for t in range(3)), np.zeros(3), symbol="v")
    assert fb.message == "✗ Expected numbers for v; got a generator (wrap it in list(...) to get its values)."
    assert "0x" not in describe_value(object()) and describe_value([1, 2]) == "list [1, 2]"
    assert describe_value("x" * 100).endswith("…") and len(describe_value("x" * 100)) < 80


def test_unpack_result_explains_a_wrong_return_in_the_learners_terms():
    x = np.zeros(2)
    arrays, fb = unpack_result((x, [1, 2]), ("x", "v"), (2,), name="momentum_step", step=1)
    assert fb is None and all(a.dtype == float and a.shape == (2,) for a in arrays)
    cases = [
        (x, "✗ momentum_step should return 2 things, (x, v), in that order; at step 3 it returned ndarray"),
        ((x, x, x), "✗ momentum_step should return 2 things, (x, v), in that order; at step 3 it returned 3 things."),
        ((np.zeros(3), x),
         "✗ momentum_step should return (x, v), each with the shape of x, (2,); at step 3 its x has shape (3,)."),
        ((x, "v"), "✗ momentum_step should return numbers for v; at step 3 its v is str 'v'."),
    ]
    for result, message in cases:
        arrays, fb = unpack_result(result, ("x", "v"), (2,), name="momentum_step", step=3)
        assert arrays is None and not fb.passed and fb.message.startswith(message), fb.message
    (only,), fb = unpack_result([1.0, 2.0], ("x",), (2,))
    assert fb is None and only.tolist() == [1.0, 2.0]
    _, fb = unpack_result(np.zeros((2, 2)), ("x",), (2,), name="step", setup="α = 0.1")
    assert fb.message == "✗ step should return x with shape (2,); its x has shape (2, 2).\n  The check used: α = 0.1."


def test_values_that_print_alike_get_the_digits_that_tell_them_apart():
    message = compare([0.1 - 5e-7], [0.1], symbol="x", rtol=1e-9).message
    assert "x_1 is 0.0999995, expected 0.1" in message
    assert "x_1 is 0.25, expected 0.5" in compare([0.25], [0.5], symbol="x").message  # no extra digits when not needed


def test_ignored_arguments_names_a_number_typed_in_for_a_parameter():
    def step(x, g, s, lr, beta):
        s = beta * s + 0.1 * g**2  # (1 − β) typed in as 0.1
        return x - 0.01 * g / np.sqrt(s), s  # lr typed in as 0.01

    args = (np.ones(2), np.ones(2), np.full(2, 0.5), 0.5, 0.9)
    assert ignored_arguments(step, args, {3: 0.3, 4: 0.7}) == [3]  # β still moves β·s; lr moves nothing

    def right(x, g, s, lr, beta):
        s = beta * s + (1 - beta) * g**2
        return x - lr * g / np.sqrt(s), s

    assert ignored_arguments(right, args, {3: 0.3, 4: 0.7}) == []
    assert ignored_arguments(lambda *a: 1 / 0, args, {3: 0.3}) == []  # an error is another slip
    x = np.ones(2)
    ignored_arguments(lambda x, *rest: x.__imul__(2), (x, 1.0), {1: 2.0})
    np.testing.assert_array_equal(x, [1.0, 1.0])  # the learner's in-place edits never reach the caller's arrays


# --- run_learner: the loop every optimizer exercise runs the learner's step in ---------------------


def _sgd_with_memory(x, g, s, lr):
    """A step of the exercises' shape: x − α g, and a state s that sums g (like AdaGrad's, without the square)."""
    return x - lr * g, s + g


def test_run_learner_feeds_each_call_what_the_last_returned_and_keeps_its_inputs():
    run = run_learner(_sgd_with_memory, [1.0, -2.0], lambda x, t: 2 * x, 3, lambda x, g, state, t: (x, g, *state, 0.25),
                      ("x_new", "s_new"), name="step")
    assert isinstance(run, LearnerRun)
    assert np.allclose(run.xs, [[0.5, -1.0], [0.25, -0.5], [0.125, -0.25]])  # x_t = x_{t−1} − 0.25 · 2x_{t−1}
    assert np.allclose(run.states[0], [[2.0, -4.0], [3.0, -6.0], [3.5, -7.0]])  # s_t = s_{t−1} + g_t
    x, g, s, t = run.calls[1]  # step 2 was given x_1, g_2 = 2 x_1, s_1 and t = 2
    assert np.allclose(x, [0.5, -1.0]) and np.allclose(g, [1.0, -2.0]) and np.allclose(s, [2.0, -4.0]) and t == 2


def test_run_learner_is_not_fooled_by_a_step_that_changes_its_inputs_in_place():
    def in_place(x, g, s, lr):
        s += g  # the learner's own arrays are copies: the check's record of the inputs stays as it was
        x -= lr * g
        return x, s

    run = run_learner(in_place, [1.0, -2.0], lambda x, t: 2 * x, 3, lambda x, g, state, t: (x, g, *state, 0.25),
                      ("x_new", "s_new"), name="step")
    reference = run_learner(_sgd_with_memory, [1.0, -2.0], lambda x, t: 2 * x, 3,
                            lambda x, g, state, t: (x, g, *state, 0.25), ("x_new", "s_new"), name="step")
    assert same_values(run.xs, reference.xs) and same_values(run.states[0], reference.states[0])
    for ours, theirs in zip(run.calls, reference.calls, strict=True):
        assert all(same_values(a, b) for a, b in zip(ours, theirs, strict=True))


def test_run_learner_explains_a_wrong_return_or_an_error_at_the_step_it_happened():
    def forgets_the_state_on_step_2(x, g, s, lr):
        return (x - lr * g, s + g) if not np.any(s) else x - lr * g

    feedback = run_learner(forgets_the_state_on_step_2, [1.0, -2.0], lambda x, t: 2 * x, 3,
                           lambda x, g, state, t: (x, g, *state, 0.25), ("x_new", "s_new"), name="my_step",
                           setup="α = 0.25")
    assert isinstance(feedback, Feedback) and not feedback.passed
    assert "my_step should return 2 things, (x_new, s_new)" in feedback.message and "at step 2" in feedback.message
    assert "The check used: α = 0.25." in feedback.message

    def not_yet(x, g, s, lr):
        raise NotImplementedError

    feedback = run_learner(not_yet, [1.0], lambda x, t: x, 2, lambda x, g, state, t: (x, g, *state, 0.1),
                           ("x_new", "s_new"), name="my_step")
    assert isinstance(feedback, Feedback) and "my_step still raises NotImplementedError" in feedback.message
