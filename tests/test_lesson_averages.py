"""lessons.averages (lesson 01): the widget redraws on every control, the numbers the prose quotes, the exercise."""

import math

import numpy as np
import pytest

from helpers.averages import ewma, sliding_mean
from helpers.datasets import seattle_temperatures
from lessons import averages as lesson

OMEGA = 2 * np.pi / lesson.YEAR


def sine(n=1461, peak=200.0, mean=15.0, swing=8.0):
    """A pure yearly cycle peaking on day ``peak`` (no noise)."""
    t = np.arange(n)
    return mean + swing * np.cos(OMEGA * (t - peak))


def ewma_phase_delay(beta):
    """The EWMA's delay on a sine of frequency ω, from its transfer function (1 − β) / (1 − β e^{−iω})."""
    return math.atan2(beta * math.sin(OMEGA), 1 - beta * math.cos(OMEGA)) / OMEGA


def ewma_gain(beta):
    return (1 - beta) / math.sqrt(1 - 2 * beta * math.cos(OMEGA) + beta**2)


# --- the widget ------------------------------------------------------------------------------------

def test_widgets_are_registered():
    assert set(lesson.WIDGETS) == {"smoothing"}
    live = lesson.WIDGETS["smoothing"]()
    assert set(live.controls) == {"beta", "shift"}
    beta = live.controls["beta"]
    assert beta.description == "β (smoothing)" and beta.min <= 0.5 and beta.max >= 0.999


def test_every_control_changes_the_figure():
    live = lesson.WIDGETS["smoothing"]()
    for name, value in [("beta", 0.5), ("beta", 0.98), ("shift", True), ("beta", 0.999), ("shift", False),
                        ("beta", 0.9)]:
        ydata = live.average_line.get_ydata().copy()
        xdata = np.asarray(live.average_line.get_xdata()).copy()
        heights = [bar.get_height() for bar in live.bars]
        title, image = live.ax_series.get_title(), live.image.value
        live.controls[name].value = value
        assert live.image.value != image, (name, value)
        if name == "beta":
            assert not np.allclose(live.average_line.get_ydata(), ydata)
            assert [bar.get_height() for bar in live.bars] != heights
            assert live.ax_series.get_title() != title
        else:  # the toggle moves the curve in time, not in value
            np.testing.assert_array_equal(live.average_line.get_ydata(), ydata)
            assert not np.array_equal(np.asarray(live.average_line.get_xdata()), xdata)


def test_title_shows_the_effective_window_and_the_delay():
    live = lesson.SmoothingExplorer(beta=0.9)
    assert live.ax_series.get_title() == ("β = 0.900: averages about the last 1/(1 − β) = 10 days; "
                                          "its seasonal peak comes 9 days late")
    live.controls["beta"].value = 0.98
    assert "= 50 days" in live.ax_series.get_title() and "40 days late" in live.ax_series.get_title()
    live.controls["beta"].value = 0.5
    assert "= 2 days" in live.ax_series.get_title() and "comes 1 day late" in live.ax_series.get_title()


def test_shift_moves_the_average_back_by_its_delay():
    live = lesson.SmoothingExplorer(beta=0.98)
    live.controls["shift"].value = True
    dates = seattle_temperatures()[0]
    shift = (dates - np.asarray(live.average_line.get_xdata()).astype("datetime64[D]")).astype(int)
    assert np.all(shift == round(live.delay)) and 35 < live.delay < 45
    assert live.average_line.get_label() == f"EWMA $v_t$, shifted back {round(live.delay)} days"


@pytest.mark.parametrize("beta", np.round(np.linspace(0.5, 0.999, 12), 3))
@pytest.mark.parametrize("shift", [False, True])
def test_every_slider_position_draws_something_sensible(beta, shift):
    live = lesson.SmoothingExplorer(beta=0.7)  # any warning is an error (pyproject)
    live.controls["shift"].value = shift
    live.controls["beta"].value = float(beta)
    assert live.image.value[:4] == b"\x89PNG"
    assert np.all(np.isfinite(live.average_line.get_ydata()))
    heights = np.array([bar.get_height() for bar in live.bars])
    np.testing.assert_allclose(heights, (1 - beta) * beta ** np.arange(lesson.DAYS_SHOWN))
    assert 0 < heights[0] < live.ax_weights.get_ylim()[1]  # the tallest bar fits in the panel
    assert 0 < live.delay < lesson.YEAR / 4 + 5  # an average of past values lags by at most a quarter of the cycle
    window_line = live.window_line.get_xdata()[0]
    assert window_line == pytest.approx(1 / (1 - beta)) if 1 / (1 - beta) < lesson.DAYS_SHOWN else np.isnan(window_line)


# --- the numbers the prose quotes ------------------------------------------------------------------

def test_temperatures_are_the_seattle_series():
    dates, theta = seattle_temperatures()
    assert len(theta) == 1461 and str(dates[0]) == "2012-01-01" and str(dates[-1]) == "2015-12-31"
    assert theta[0] == 12.8
    theta[0] = 99.0  # a copy: the lesson's data stay intact
    assert seattle_temperatures()[1][0] == 12.8


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98])
def test_unrolled_sum_equals_the_recursion(beta):
    theta = seattle_temperatures()[1][:300]
    explicit = sum((1 - beta) * beta ** (len(theta) - i) * theta[i - 1] for i in range(1, len(theta) + 1))
    assert lesson.unrolled_average(theta, beta) == pytest.approx(explicit, rel=1e-12)
    assert lesson.unrolled_average(theta, beta) == pytest.approx(ewma(theta, beta)[-1], rel=1e-12)


@pytest.mark.parametrize("beta", [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999])
def test_memory_row(beta):
    row = lesson.memory_row(beta)
    n = 1 / (1 - beta)
    assert row["window"] == pytest.approx(n)
    assert row["decay"] == pytest.approx(math.exp(n * math.log(beta)))
    assert row["shortfall"] == pytest.approx(1 - beta**n / math.exp(-1))
    assert row["rule"] == pytest.approx((1 - beta) / 2)
    assert 0 < row["shortfall"] < 1.3 * row["rule"]  # (1 − β)/2 estimates it, from below


def test_memory_claims_in_the_prose():
    assert lesson.memory_row(0.9)["window"] == 10 and lesson.memory_row(0.98)["window"] == 50
    assert round(lesson.memory_row(0.9)["shortfall"], 2) == 0.05
    assert round(lesson.memory_row(0.98)["shortfall"], 2) == 0.01
    assert lesson.memory_row(0.5)["decay"] == 0.25


@pytest.mark.parametrize("peak", [10.0, 200.0, 350.0])
def test_seasonal_cycle_finds_the_peak_and_the_swing(peak):
    found, swing = lesson.seasonal_cycle(sine(peak=peak) + 0.002 * np.arange(1461))  # a slow drift does not matter
    assert found == pytest.approx(peak, abs=0.05) and swing == pytest.approx(8.0, rel=1e-3)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98, 0.99])
def test_peak_delay_of_the_ewma_matches_its_transfer_function(beta):
    data = sine()
    v = ewma(data, beta)
    described = lesson.describe_average(v, data)
    assert described["delay"] == pytest.approx(ewma_phase_delay(beta), abs=0.3)
    assert described["swing_kept"] == pytest.approx(ewma_gain(beta), abs=0.01)


def test_sliding_mean_delay_is_half_its_window():
    data = sine()
    for w in (11, 51):
        assert lesson.peak_delay(sliding_mean(data, w), data) == pytest.approx((w - 1) / 2, abs=0.1)


def test_wiggle_is_the_rms_day_to_day_change_from_day_366():
    theta = seattle_temperatures()[1]
    steps = theta[366:] - theta[365:-1]
    assert lesson.wiggle(theta) == pytest.approx(math.sqrt(sum(s * s for s in steps) / len(steps)))
    assert lesson.wiggle(np.full(1461, 3.0)) == 0


def test_tradeoff_on_the_data_smoother_is_later():
    rows = [lesson.tradeoff_row(beta) for beta in (0.5, 0.8, 0.9, 0.95, 0.98, 0.99)]
    assert all(a["wiggle"] > b["wiggle"] for a, b in zip(rows, rows[1:], strict=False))
    assert all(a["delay"] < b["delay"] for a, b in zip(rows, rows[1:], strict=False))
    assert all(a["swing_kept"] > b["swing_kept"] for a, b in zip(rows, rows[1:], strict=False))
    by_beta = {row["beta"]: row for row in rows}  # what the prose quotes
    assert round(by_beta[0.9]["wiggle"], 3) == 0.348 and round(by_beta[0.98]["wiggle"], 3) == 0.110
    assert round(by_beta[0.9]["delay"]) == 9 and round(by_beta[0.98]["delay"]) == 40
    assert round(by_beta[0.99]["delay"]) == 60 and 0.45 < by_beta[0.99]["swing_kept"] < 0.55
    for row in rows:  # on real data, close to what the transfer function predicts for a pure cycle
        assert row["delay"] == pytest.approx(ewma_phase_delay(row["beta"]), abs=1.0)


def test_cost_per_step_and_timing():
    assert lesson.cost_per_step(50) == {"ewma": {"memory": 1, "operations": 3},
                                        "sliding": {"memory": 50, "operations": 50}}
    rows = lesson.time_averages(n=2_000, windows=(10, 100))
    assert [row["window"] for row in rows] == [10, 100]
    assert all(row["ewma"] > 0 and row["sliding"] > 0 for row in rows)


@pytest.mark.parametrize("make", [lesson.data_figure, lesson.weights_figure, lesson.lag_figure, lesson.window_figure])
def test_static_figures_have_titles_labels_and_legends(make):
    fig = make()
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert any(ax.get_legend() is not None for ax in fig.axes)


# --- the exercise ----------------------------------------------------------------------------------

def solution(theta, beta):
    v, out = 0.0, []
    for theta_t in theta:
        v = beta * v + (1 - beta) * theta_t
        out.append(v)
    return out


def missing_one_minus_beta(theta, beta):
    v, out = 0.0, []
    for theta_t in theta:
        v = beta * v + theta_t
        out.append(v)
    return out


def swapped(theta, beta):
    v, out = 0.0, []
    for theta_t in theta:
        v = (1 - beta) * v + beta * theta_t
        out.append(v)
    return out


def starts_at_first_value(theta, beta):
    v, out = theta[0], []
    for theta_t in theta:
        v = beta * v + (1 - beta) * theta_t
        out.append(v)
    return out


def sets_v1_to_first_value(theta, beta):
    out = [theta[0]]
    for theta_t in theta[1:]:
        out.append(beta * out[-1] + (1 - beta) * theta_t)
    return out


def appends_before_updating(theta, beta):
    v, out = 0.0, []
    for theta_t in theta:
        out.append(v)
        v = beta * v + (1 - beta) * theta_t
    return out


def keeps_v0(theta, beta):
    return [0.0] + solution(theta, beta)


def last_value_only(theta, beta):
    return solution(theta, beta)[-1]


def hard_coded_beta(theta, beta):
    return solution(theta, 0.9)


def bias_corrected(theta, beta):
    return ewma(theta, beta, bias_correction=True)


def point_one_typed_in(theta, beta):  # the slip the lesson warns about: 0.1 is 1 − β for β = 0.9 only
    v, out = 0.0, []
    for theta_t in theta:
        v = beta * v + 0.1 * theta_t
        out.append(v)
    return out


def stub(theta, beta):
    raise NotImplementedError  # your code here


def test_a_correct_solution_passes():
    for fn in (solution, lambda theta, beta: np.array(solution(theta, beta)), lambda theta, beta: ewma(theta, beta)):
        feedback = lesson.check_ewma(fn)
        assert feedback.passed, feedback.message
        assert feedback.message.startswith("✓ Correct: all 10 values of v match, for β = 0.9 and β = 0.5")


@pytest.mark.parametrize("fn, first_step, hint", [
    (missing_one_minus_beta, "v_1 is 12.8, expected 1.28", "the (1 − β) is missing"),
    (swapped, "v_1 is 11.52, expected 1.28", "β and (1 − β) are swapped"),
    (starts_at_first_value, "v_1 is 12.8, expected 1.28", "starting from v_0 = θ_1"),
    (sets_v1_to_first_value, "v_1 is 12.8, expected 1.28", "starting from v_0 = θ_1"),
    (appends_before_updating, "v_1 is 0, expected 1.28", "your values are v_0, v_1, …, v_{t−1}: one step late"),
    (bias_corrected, "v_1 is 12.8, expected 1.28", "bias-corrected, v_t / (1 − βᵗ): that is lesson 02's v̂_t"),
])
def test_each_common_slip_is_named(fn, first_step, hint):
    feedback = lesson.check_ewma(fn)
    assert not feedback.passed
    assert feedback.message.startswith("✗ Not yet.")
    assert feedback.message.splitlines()[1] == ("  The check used: β = 0.9, θ = theta[:10] (the first 10 days of "
                                                "2012), from v_0 = 0.")
    assert first_step in feedback.message and "(the first difference, at t = 1)" in feedback.message
    assert "Hint: your values" in feedback.message and hint in feedback.message
    others = [h for h in ("(1 − β) is missing", "are swapped", "v_0 = θ_1", "one step late", "bias-corrected",
                          "0.1·θ_t") if h not in hint]
    assert not any(other in feedback.message for other in others)


def test_other_wrong_answers_get_an_explanation():
    assert "v_0 = 0 is in the list" in lesson.check_ewma(keeps_v0).message
    assert "returned one number" in lesson.check_ewma(last_value_only).message
    message = lesson.check_ewma(hard_coded_beta).message
    assert "The check used: β = 0.5" in message and "v_1 is 1.28, expected 6.4" in message
    assert "Hint: your values are the EWMA with β = 0.9: use the beta argument" in message
    assert "one number, 5.765" in lesson.check_ewma(last_value_only).message
    assert "Expected numbers for v; got str 'abc'" in lesson.check_ewma(lambda theta, beta: "abc").message
    assert "Expected numbers" in lesson.check_ewma(lambda theta, beta: [1.0, [2.0, 3.0]]).message
    assert "returned None" in lesson.check_ewma(lambda theta, beta: None).message


def test_the_unfilled_stub_says_not_yet():
    feedback = lesson.check_ewma(stub)
    assert not feedback.passed and feedback.message.startswith("Not yet: stub still raises NotImplementedError")


def test_the_check_does_not_let_the_learner_change_the_data():
    def mutates(theta, beta):
        theta[:] = 0
        return solution(theta, beta)

    lesson.check_ewma(mutates)
    np.testing.assert_array_equal(lesson.exercise_series(), seattle_temperatures()[1][:10])


def test_a_typed_in_point_one_is_named_where_it_shows_with_beta_one_half():
    feedback = lesson.check_ewma(point_one_typed_in)
    lines = feedback.message.splitlines()
    assert not feedback.passed and lines[0] == "✗ Not yet. v_1 is 1.28, expected 6.4 (the first difference, at t = 1)."
    assert lines[1] == "  The check used: β = 0.5, θ = theta[:10] (the first 10 days of 2012), from v_0 = 0."
    assert lines[2].startswith("  Hint: your values match v_t = β·v_{t−1} + 0.1·θ_t: 0.1 is (1 − β) only when β = 0.9")
    assert "which is 0.5 here" in lines[2]


def test_the_setup_reproduces_the_expected_values():
    """"The check used" names data a learner has in the notebook: ewma(theta[:10], β) is what it expects."""
    theta = seattle_temperatures()[1]
    feedback = lesson.check_ewma(swapped)
    expected_v1 = float(ewma(theta[:10], 0.9)[0])
    assert f"expected {expected_v1:.4g}" in feedback.message and "theta[:10]" in feedback.message


def test_an_exception_shows_the_learners_line():
    namespace = {}
    source = "def my_ewma(theta, beta):\n    return [beta * t for t in theta[0]]\n"
    exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - defined as a notebook cell defines it
    feedback = lesson.check_ewma(namespace["my_ewma"])
    assert feedback.message.splitlines()[:2] == ["✗ my_ewma raised TypeError: 'numpy.float64' object is not iterable",
                                                 "  It came from line 2 of its cell, in my_ewma"]
    assert "The check used: β = 0.9" in feedback.message


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.95, 0.98, 0.99, 0.999])
def test_start_bias_milestones(beta):
    """v_0's weight β^t: its share after one window, when the data outweigh it, when it drops under 1 %."""
    b = lesson.start_bias(beta)
    constant = ewma(np.full(5000, 10.0), beta)  # an average of a constant falls short by exactly β^t
    shortfall = 1 - constant / 10
    t = b["outweighed"]
    assert shortfall[t - 1] < 0.5 <= shortfall[t - 2] if t > 1 else shortfall[0] < 0.5
    t = b["under_1pct"]
    assert shortfall[t - 1] < 0.01 <= shortfall[t - 2]
    assert b["at_window"] == pytest.approx(beta ** (1 / (1 - beta)))
    assert b["outweighed_rule"] == pytest.approx(math.log(2) / (1 - beta))
    assert b["under_1pct_rule"] == pytest.approx(math.log(100) / (1 - beta))


def test_start_bias_claims_in_the_prose():
    """After 1/(1 − β) steps v_0 still holds about 37 %; not 'gone after about 1/(1 − β) steps'."""
    b9, b98 = lesson.start_bias(0.9), lesson.start_bias(0.98)
    assert (round(b9["at_window"], 3), round(b98["at_window"], 3)) == (0.349, 0.364)
    assert (b9["outweighed"], b98["outweighed"]) == (7, 35)
    assert (b9["under_1pct"], b98["under_1pct"]) == (44, 228)
    assert abs(lesson.start_bias(0.999)["at_window"] - 1 / math.e) < 1e-3
    with pytest.raises(ValueError, match="beta"):
        lesson.start_bias(1.0)


def test_weights_have_today_on_the_right_in_both_figures():
    fig = lesson.weights_figure()
    for ax in fig.axes:
        left, right = ax.get_xlim()
        assert left > right and right < 0 < left  # k = 0 (today) on the right
    left, right = lesson.SmoothingExplorer().ax_weights.get_xlim()
    assert left > right and right < 0


def test_the_explorer_typesets_its_formulas():
    live = lesson.SmoothingExplorer(beta=0.9)
    title = live.ax_weights.get_title()
    assert "1 − β⁶⁰ = 99.8%" in title and "β^60" not in title  # (a superscript in plain text: no mathtext to parse)


# --- white noise: the variance lesson 07 quotes ---------------------------------------------------

@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.98, 0.999])
def test_white_noise_variance_is_the_sum_of_the_squared_weights(beta):
    for t in (1, 7, 300):
        squares = np.sum(np.asarray([(1 - beta) * beta**k for k in range(t)]) ** 2)
        assert lesson.white_noise_variance(beta, sigma=2.0, t=t) == pytest.approx(4.0 * squares, rel=1e-12)
    assert lesson.white_noise_variance(beta) == pytest.approx((1 - beta) / (1 + beta))
    with pytest.raises(ValueError, match="beta"):
        lesson.white_noise_variance(1.0)
    with pytest.raises(ValueError, match="sigma"):
        lesson.white_noise_variance(0.9, sigma=-1.0)


def test_the_noise_table_the_notebook_prints():
    """The formula against 4,000 simulated series, within sampling error (√(2/4000) ≈ 2.2 %); 19 and 99 as printed."""
    rows = lesson.noise_table(betas=(0.5, 0.9, 0.98), sigma=1.0, runs=4000, steps=500, seed=0)
    for row in rows:
        assert abs(row["simulated"] / row["formula"] - 1) < 3 * math.sqrt(2 / 4000)
    assert [round(r["divided_by"]) for r in rows] == [3, 19, 99]
    assert [r["twice_window"] for r in rows] == pytest.approx([4, 20, 100])


# --- predict, then look: each question's answer is what the explorer shows ----------------------

def test_question_lag_the_title_says_more_days_at_098():
    live = lesson.SmoothingExplorer(beta=0.9)
    late_09 = live.delay
    live.controls["beta"].value = 0.98
    assert live.delay > 4 * late_09  # about 40 days against about 9
    assert (round(late_09), round(live.delay)) == (9, 40)
    assert "comes 40 days late" in live.ax_series.get_title()


def test_question_share_the_last_60_days_carry_about_70_percent_at_098():
    live = lesson.SmoothingExplorer(beta=0.9)
    live.controls["beta"].value = 0.98
    heights = np.array([bar.get_height() for bar in live.bars])
    assert heights.sum() == pytest.approx(1 - 0.98**60) and round(heights.sum(), 2) == 0.70
    assert "= 70.2% of the total" in live.ax_weights.get_title()
    live.controls["beta"].value = 0.999
    assert "= 5.8% of the total" in live.ax_weights.get_title()  # the first try-this answer's number


# --- more slips ---------------------------------------------------------------------------------

def test_reading_the_day_before_is_named():
    def day_before(theta, beta):
        v, out = 0.0, []
        for i in range(len(theta)):
            v = beta * v + (1 - beta) * theta[i - 1]  # at i = 0: the last day of the list
            out.append(v)
        return out

    message = lesson.check_ewma(day_before).message
    assert "v_1 is 0.61, expected 1.28" in message
    assert "Hint: your v_t uses the day before, θ_{t−1}" in message and "theta[i - 1] is yesterday" in message


def test_returning_v0_too_states_the_setup():
    message = lesson.check_ewma(keeps_v0).message
    assert "v_0 = 0 is in the list" in message and "The check used: β = 0.9, θ = theta[:10]" in message
