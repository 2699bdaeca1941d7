"""lessons.bias_correction: the figure redraws on every control, the prose's numbers, the exercise check."""

import math
import warnings

import numpy as np
import pytest

from helpers.averages import ewma
from helpers.datasets import seattle_temperatures
from lessons import bias_correction as lesson

# --- the interactive figure ---------------------------------------------------------------------------------


def positions(control):
    """Several positions of a control, both ends included, ending where it started."""
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    return [control.min, 0.75, 0.9, 0.95, control.max, control.value]


@pytest.mark.parametrize("name", list(lesson.WIDGETS))
def test_every_control_redraws_the_figure_without_warnings(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        live = lesson.WIDGETS[name]()
        assert live.image.value[:4] == b"\x89PNG"
        for key, control in live.controls.items():
            for value in positions(control):
                before = (live.image.value, [ax.get_title() for ax in live.fig.axes])
                redraws = live.redraws
                control.value = value
                assert live.redraws == redraws + 1, (key, value)
                assert live.image.value != before[0], (key, value)
                assert [ax.get_title() for ax in live.fig.axes] != before[1], (key, value)


def test_beta_slider_moves_the_averages_and_the_total_weight():
    live = lesson.CorrectionExplorer(beta=0.98)
    theta = live.theta
    t = np.arange(1, len(theta) + 1)
    for beta in [0.5, 0.9, 0.999, 0.98]:
        live.controls["beta"].value = beta
        assert np.allclose(live.v_line.get_ydata(), ewma(theta, beta))
        assert np.allclose(live.v_hat_line.get_ydata(), ewma(theta, beta, bias_correction=True))
        assert np.allclose(live.share_line.get_ydata(), 1 - beta**t)
        assert f"β = {beta:.3f}" in live.ax.get_title()
    assert live.v_hat_line.get_ydata()[0] == theta[0]  # v̂_1 = θ_1
    assert live.controls["beta"].description == "β (smoothing)"


def test_marker_lines_follow_beta_and_hide_off_the_chart():
    live = lesson.CorrectionExplorer(beta=0.9)
    assert all(line.get_visible() for line in live.window_lines + live.negligible_lines)
    assert live.window_lines[0].get_xdata()[0] == 10 and live.negligible_lines[1].get_xdata()[0] == 44
    assert "correction < 1 % from day 44" in live.ax_share.get_title()
    live.controls["beta"].value = 0.999  # window 1000 days, 1 % after 4613: both beyond 120 days
    assert not any(line.get_visible() for line in live.window_lines + live.negligible_lines)
    assert live.ax_share.get_title().count("(off this chart)") == 2


def test_toggle_shows_and_hides_the_corrected_average():
    live = lesson.CorrectionExplorer(corrected=True)
    assert live.v_hat_line.get_visible()
    assert len(live.ax.get_legend().get_texts()) == 3
    live.controls["corrected"].value = False
    assert not live.v_hat_line.get_visible()
    assert "without the correction" in live.ax.get_title()
    assert len(live.ax.get_legend().get_texts()) == 2  # no legend entry for a hidden line
    live.controls["corrected"].value = True
    assert live.v_hat_line.get_visible() and "with the correction" in live.ax.get_title()


def test_figures_are_labelled():
    live = lesson.CorrectionExplorer()
    fig = lesson.cold_start_figure()
    for ax in fig.axes + [live.ax_share]:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None
    assert "°C" in live.ax.get_ylabel() and "°C" in fig.axes[0].get_ylabel()
    assert live.ax.get_title().startswith("Seattle, 1 January to 29 April 2012")


# --- the numbers the prose claims ---------------------------------------------------------------------------



@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98, 0.999])
def test_weights_sum_to_one_minus_beta_to_the_t(beta):
    ts = [1, 2, 10, 50, 250]
    expected = [sum((1 - beta) * beta ** (t - i) for i in range(1, t + 1)) for t in ts]
    assert np.allclose(lesson.weight_totals(beta, ts), expected, rtol=1e-12)
    assert np.allclose(lesson.weight_totals(beta, ts), [1 - beta**t for t in ts], rtol=1e-9)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98, 0.99, 0.999])
def test_negligible_after_is_the_first_step_under_one_percent(beta):
    t = lesson.negligible_after(beta)
    change = lambda s: beta**s / (1 - beta**s)  # noqa: E731 - v̂_t / v_t − 1
    assert change(t) < 0.01 <= change(t - 1)
    assert t == math.ceil(math.log(1 / 101) / math.log(beta))  # β^t < 1/101
    theta = seattle_temperatures()[1]
    if t < len(theta):  # on the data: the relative change is the same for any series
        ratio = ewma(theta, beta, bias_correction=True) / ewma(theta, beta) - 1
        assert ratio[t - 1] < 0.01 <= ratio[t - 2]
    with pytest.raises(ValueError, match="tol must be"):
        lesson.negligible_after(beta, tol=0)


def test_correction_table():
    rows = lesson.correction_table([0.9, 0.98, 0.999])
    assert [r["negligible"] for r in rows] == [44, 229, 4613]
    assert rows[1]["steps"] == [50, 100, 250] and rows[1]["window"] == 50
    for row in rows:
        beta = row["beta"]
        assert np.allclose(row["share"], [1 - beta**t for t in row["steps"]], rtol=1e-12)
        assert row["in_windows"] == pytest.approx(row["negligible"] * (1 - beta))
        assert abs(row["share"][0] - (1 - math.exp(-1))) < 0.02  # one window ≈ 1 − 1/e


def test_adam_second_moment_is_one_percent_of_the_truth_after_ten_steps():
    g, beta2 = 0.5, 0.999
    v, expected = 0.0, []
    for _ in range(10):
        v = beta2 * v + (1 - beta2) * g**2
        expected.append(v / g**2)
    ratio = lesson.adam_second_moment(g, beta2, 10)
    assert np.allclose(ratio, expected, rtol=1e-12)
    assert ratio[-1] == pytest.approx(1 - beta2**10) and 0.0099 < ratio[-1] < 0.0100
    assert 10.0 < 1 / math.sqrt(ratio[-1]) < 10.05


def test_adam_step_sizes_match_the_closed_form():
    beta1, beta2, g, eps = 0.9, 0.999, 0.5, 1e-8
    t = np.arange(1, 2001)
    plain = (1 - beta1**t) * g / (np.sqrt(1 - beta2**t) * g + eps)
    assert np.allclose(lesson.adam_step_sizes(False, steps=2000), plain, rtol=1e-9)
    assert np.allclose(lesson.adam_step_sizes(True, steps=2000), g / (g + eps), rtol=1e-9)
    plain = lesson.adam_step_sizes(False, steps=2000)
    assert int(np.argmax(plain)) + 1 == 12 and 6.5 < plain.max() < 6.6
    assert plain[0] == pytest.approx(math.sqrt(1000) * 0.1, rel=1e-6)  # (1 − β₁)/√(1 − β₂)


# --- the exercise -------------------------------------------------------------------------------------------


def correct(theta, beta):
    v, out = 0.0, []
    for t, x in enumerate(theta, start=1):
        v = beta * v + (1 - beta) * x
        out.append(v / (1 - beta**t))
    return out


def correct_vectorised(theta, beta):
    t = np.arange(1, len(theta) + 1)
    return ewma(theta, beta) / (1 - beta**t)


def loop(theta, beta, divisor, feed_back=False, scale=None):
    """A learner's loop with a wrong divisor(t) (t = 1, 2, …) or state."""
    v, out = 0.0, np.empty(len(theta))
    for t, x in enumerate(theta, start=1):
        v = beta * v + ((1 - beta) if scale is None else scale) * x
        out[t - 1] = v / divisor(beta, t, len(theta))
        if feed_back:
            v = out[t - 1]
    return out


SLIPS = {
    "forgot to divide": (lambda th, b: loop(th, b, lambda b, t, T: 1.0), "these are v_t"),
    "divided by 1 - beta": (lambda th, b: loop(th, b, lambda b, t, T: 1 - b), "you divided by (1 − β)"),
    "square root": (lambda th, b: loop(th, b, lambda b, t, T: np.sqrt(1 - b**t)), "you divided by √(1 − βᵗ)"),
    "beta^(t-1), numpy": (lambda th, b: loop(th, b, lambda b, t, T: np.float64(1) - b ** (t - 1)),
                          "1 − β^(t−1) (off by one step"),
    "beta^(t+1)": (lambda th, b: loop(th, b, lambda b, t, T: 1 - b ** (t + 1)), "1 − β^(t+1) (off by one step)"),
    "fed back": (lambda th, b: loop(th, b, lambda b, t, T: 1 - b**t, feed_back=True), "you fed v̂ back"),
    "divided by beta^t": (lambda th, b: loop(th, b, lambda b, t, T: b**t), "you divided by βᵗ"),
    "multiplied": (lambda th, b: loop(th, b, lambda b, t, T: 1 / (1 - b**t)), "you multiplied by (1 − βᵗ)"),
    "last step's factor": (lambda th, b: loop(th, b, lambda b, t, T: 1 - b**T), "the last step's 1 − β^T"),
    "no (1 - beta)": (lambda th, b: loop(th, b, lambda b, t, T: 1 - b**t, scale=1.0), "forgot the (1 − β)"),
}


@pytest.mark.parametrize("fn", [correct, correct_vectorised])
def test_check_passes_a_correct_solution(fn):
    feedback = lesson.check_bias_corrected_ewma(fn)
    assert feedback.passed and feedback.message.startswith("✓ Correct: all 30 values of v̂ match, for β = 0.9 and "
                                                           "β = 0.98.")


@pytest.mark.parametrize("slip", list(SLIPS))
def test_check_names_each_slip(slip):
    fn, hint = SLIPS[slip]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the check must not let the slip's division by zero warn
        feedback = lesson.check_bias_corrected_ewma(fn)
    assert not feedback.passed
    assert "✗ Not yet. v̂_" in feedback.message and "Hint: " in feedback.message, feedback.message
    assert hint in feedback.message.split("Hint: ")[1], feedback.message


@pytest.mark.parametrize("beta", lesson.EXERCISE_BETAS)
def test_slips_are_told_apart(beta):
    theta, _ = lesson.exercise_data()
    expected = ewma(theta, beta, bias_correction=True)
    wrong = list(lesson.slips(theta, beta).values())
    for i, a in enumerate(wrong):
        assert not np.allclose(a, expected)
        for b in wrong[i + 1 :]:
            assert not np.allclose(a, b, equal_nan=True)


def test_check_handles_a_stub_a_crash_and_wrong_shapes():
    def bias_corrected_ewma(theta, beta):
        raise NotImplementedError  # your code here

    feedback = lesson.check_bias_corrected_ewma(bias_corrected_ewma)
    assert not feedback.passed and feedback.message.startswith("Not yet: bias_corrected_ewma still raises")

    def python_floats_off_by_one(theta, beta):
        v, out = 0.0, []
        for i, x in enumerate(theta):
            v = beta * v + (1 - beta) * float(x)
            out.append(v / (1 - float(beta) ** i))  # ZeroDivisionError at i = 0
        return out

    feedback = lesson.check_bias_corrected_ewma(python_floats_off_by_one)
    assert "ZeroDivisionError" in feedback.message and "β^(t−1)" in feedback.message

    def with_v0(theta, beta):
        return np.concatenate([[0.0], correct_vectorised(theta, beta)])

    assert "v_0 = 0 is the starting state" in lesson.check_bias_corrected_ewma(with_v0).message
    assert "shape" in lesson.check_bias_corrected_ewma(lambda th, b: correct(th, b)[:-1]).message

    def no_return(theta, beta):
        correct(theta, beta)

    assert "did you forget the `return`?" in lesson.check_bias_corrected_ewma(no_return).message


def test_check_does_not_let_the_learner_change_the_data():
    def in_place(theta, beta):
        theta *= 0
        return theta

    assert not lesson.check_bias_corrected_ewma(in_place).passed
    assert lesson.check_bias_corrected_ewma(correct).passed


def test_a_failing_check_states_its_setup_in_the_notebooks_names():
    fn, _ = SLIPS["square root"]
    lines = lesson.check_bias_corrected_ewma(fn).message.splitlines()
    assert lines[0].startswith("✗ Not yet. v̂_1 is 4.0477, expected 12.8000")  # v_1 / √(1 − β) ≠ θ_1
    assert lines[1] == "  The check used: β = 0.9, θ = theta[:30] (the first 30 days of 2012), from v_0 = 0."
    theta = seattle_temperatures()[1]
    expected = ewma(theta[:30], 0.9, bias_correction=True)
    assert f"expected {expected[0]:.4f}" in lines[0]  # reproducible from what the line names


def test_an_exception_in_the_learners_code_names_its_line_and_the_setup():
    namespace = {"np": np}
    exec(compile("def bias_corrected_ewma(theta, beta):\n    return theta / (1 - beta ** np.arange(len(theta)))[1:]\n",
                 "<cell>", "exec"), namespace)  # noqa: S102 - as a notebook cell defines it
    lines = lesson.check_bias_corrected_ewma(namespace["bias_corrected_ewma"]).message.splitlines()
    assert lines[0].startswith("✗ bias_corrected_ewma raised ValueError: operands could not be broadcast")
    assert lines[1] == "  It came from line 2 of its cell, in bias_corrected_ewma"
    assert lines[2].startswith("  The check used: β = 0.9, θ = theta[:30]")


def test_how_long_the_start_dominates_at_the_lessons_beta():
    """Lesson 02's opening: the data outweigh v_0 = 0 from day 35 at β = 0.98, not after 1/(1 − β) = 50 days."""
    b = lesson.start_bias(0.98)
    assert b["outweighed"] == 35 and 0.98**34 > 0.5 > 0.98**35
    assert round(b["at_window"], 3) == 0.364 and b["under_1pct"] == 228
    assert b["under_1pct"] < lesson.negligible_after(0.98) == 229  # β^t < 1 % a step before β^t/(1 − β^t) < 1 %


def test_the_try_this_answers_numbers():
    """The answers under the explorer quote these steps (from the table of section 6)."""
    assert [lesson.negligible_after(b) for b in (0.5, 0.9, 0.999)] == [7, 44, 4613]
    assert lesson.correction_table([0.5])[0]["in_windows"] == 3.5


# --- the check at a second β, and the slips it tells apart there --------------------------------------------


def test_a_typed_in_point_one_passes_at_beta_09_and_is_named_at_098():
    point_one = lambda th, b: loop(th, b, lambda b, t, T: 1 - b**t, scale=0.1)  # noqa: E731
    lines = lesson.check_bias_corrected_ewma(point_one).message.splitlines()
    assert lines[0] == "✗ Not yet. v̂_1 is 64.0000, expected 12.8000 (the first difference, at t = 1)."
    assert lines[1] == "  The check used: β = 0.98, θ = theta[:30] (the first 30 days of 2012), from v_0 = 0."
    assert lines[2].startswith("  Hint: your recursion uses 0.1·θ_t: 0.1 is (1 − β) only when β = 0.9")


def test_a_fixed_beta_a_swap_and_wrong_kinds_of_result_are_named():
    def fixed_beta(theta, beta):
        return correct(theta, 0.9)

    message = lesson.check_bias_corrected_ewma(fixed_beta).message
    assert "The check used: β = 0.98" in message and "the corrected average with β = 0.9: use the beta" in message
    swapped = lambda th, b: lesson._swapped(np.asarray(th), b) / (1 - b ** np.arange(1, len(th) + 1))  # noqa: E731
    message = lesson.check_bias_corrected_ewma(swapped).message
    assert "v̂_1 is 115.2000" in message and "Hint: your recursion has β and (1 − β) swapped" in message
    message = lesson.check_bias_corrected_ewma(lambda th, b: correct(th, b)[-1]).message
    assert "it returned one number" in message and "The check used: β = 0.9" in message
    message = lesson.check_bias_corrected_ewma(lambda th, b: (ewma(th, b), correct(th, b))).message
    assert "got 2 sequences of 30 (v and v̂ together?)" in message and "The check used" in message
    with_v0 = lambda th, b: np.concatenate([[0.0], correct_vectorised(th, b)])  # noqa: E731
    assert "The check used: β = 0.9" in lesson.check_bias_corrected_ewma(with_v0).message


# --- predict, then look: each question's answer is what the explorer shows ----------------------------------


def test_question_start_the_corrected_average_starts_at_the_first_day():
    live = lesson.CorrectionExplorer(beta=0.98, corrected=True)
    first = lesson.first_values(0.98)
    assert live.v_hat_line.get_visible() and live.v_hat_line.get_ydata()[0] == pytest.approx(first["theta"])
    assert first["theta"] == 12.8 and first["v"] == pytest.approx(0.256) and first["v_hat"] == pytest.approx(12.8)


def test_question_day_the_one_percent_day_moves_earlier_when_beta_drops():
    live = lesson.CorrectionExplorer(beta=0.98)
    assert "correction < 1 % from day 229 (off this chart)" in live.ax_share.get_title()
    live.controls["beta"].value = 0.9
    assert "correction < 1 % from day 44" in live.ax_share.get_title()
    assert live.negligible_lines[0].get_visible() and live.negligible_lines[0].get_xdata()[0] == 44


def test_question_april_the_corrected_average_trails_the_warming_at_0999():
    live = lesson.CorrectionExplorer(beta=0.98, corrected=True)
    live.controls["beta"].value = 0.999
    edge = lesson.right_edge(0.999, recent=30)
    v_hat = live.v_hat_line.get_ydata()
    assert v_hat[-1] == pytest.approx(edge["v_hat"]) and edge["date"] == "2012-04-29" and edge["days"] == 120
    assert abs(edge["v_hat"] - edge["mean"]) < 0.2 < edge["recent"] - edge["v_hat"] - 4  # near the mean, far below
    assert (round(edge["v_hat"], 1), round(edge["mean"], 1), round(edge["recent"], 1)) == (10.2, 10.1, 14.8)
    assert live.v_line.get_ydata()[-1] < 2  # the uncorrected v stays near 0 °C


def test_the_try_this_right_edge_and_the_opening_claims():
    """Try this 1 quotes day 120 (the explorer's right edge); the opening, 'two to six and a half times too large'."""
    _, theta = seattle_temperatures(120)
    v, v_hat = ewma(theta, 0.98), ewma(theta, 0.98, bias_correction=True)
    assert (round(v_hat[-1] - v[-1], 2), round(100 * (v_hat[-1] / v[-1] - 1), 1)) == (1.06, 9.7)
    plain = lesson.adam_step_sizes(False, steps=2000)
    twice = int(np.flatnonzero(plain >= 2)[-1]) + 1
    assert twice == 287 and plain[:twice].min() >= 2 > plain[twice] and round(plain.max(), 1) == 6.6
