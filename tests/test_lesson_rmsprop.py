"""lessons.rmsprop: every widget redraws at every control position, every number the notebook quotes, the check."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers.optimizers import RMSProp
from helpers.surfaces import SURFACES, elongated_quadratic
from lessons import rmsprop as lesson

Q = elongated_quadratic()
LAM = np.array([0.2, 4.0])  # 0.1 w² + 2 b² = ½(0.2 w² + 4 b²)


def rmsprop_by_hand(lr, beta, eps, steps, x0=Q.start, grad=Q.grad):
    """An independent RMSProp: the iterates x_0..x_T and the averages s_1..s_T."""
    x, s = np.array(x0, dtype=float), np.zeros(2)
    xs, ss = [x], []
    for _ in range(steps):
        g = grad(x)
        s = beta * s + (1 - beta) * g * g
        x = x - lr * g / (np.sqrt(s) + eps)
        xs.append(x)
        ss.append(s)
    return np.array(xs), np.array(ss)


# --- widgets -----------------------------------------------------------------------------------


def control_positions(control):
    if hasattr(control, "options"):
        return list(control._options_values)[::-1]
    if hasattr(control, "base"):
        return [control.base**control.min, control.base**((control.min + control.max) / 2),
                control.base**control.max, control.value]
    return [control.min, (control.min + control.max) / 2, control.max, control.value]


@pytest.mark.parametrize("name", list(lesson.WIDGETS))
def test_every_control_position_redraws_the_figure(name):
    live = lesson.WIDGETS[name]()  # pyproject turns any warning into an error
    assert live.image.value[:4] == b"\x89PNG"
    for control_name, control in live.controls.items():
        for value in control_positions(control):
            if value == control.value:
                continue
            lines = [line.get_xydata().copy() for ax in live.fig.axes for line in ax.lines]
            image = live.image.value
            control.value = value
            after = [line.get_xydata() for ax in live.fig.axes for line in ax.lines]
            assert live.image.value != image, (control_name, value)
            changed = [a.shape != b.shape or not np.allclose(a, b, equal_nan=True)
                       for a, b in zip(lines, after, strict=True)]
            assert any(changed), (control_name, value)


def test_playground_compares_adagrad_and_rmsprop_with_the_same_rate():
    pg = lesson.playground()
    assert set(pg.traces) == {"GD", "AdaGrad", "RMSProp"}
    assert pg.controls["lr"].description == "learning rate α" and pg.controls["lr"].base == 10
    assert pg.controls["beta"].description.startswith("β")
    assert pg.ax_path.get_xlabel().startswith("w") and pg.ax_path.get_ylabel().startswith("b")
    assert pg.ax_path.get_title() == f"{Q.name}: α = 0.1, β = 0.900"

    before = {k: line.get_xydata().copy() for k, line in pg.path_lines.items()}
    pg.controls["beta"].value = 0.99  # β is RMSProp's only
    after = {k: line.get_xydata() for k, line in pg.path_lines.items()}
    assert np.allclose(before["AdaGrad"], after["AdaGrad"]) and np.allclose(before["GD"], after["GD"])
    assert before["RMSProp"].shape != after["RMSProp"].shape or not np.allclose(before["RMSProp"], after["RMSProp"])

    # the panel shows α/(√s + ε) of the same runs
    rate = pg.panel.lines["RMSProp", "b"].get_ydata()
    xs, ss = rmsprop_by_hand(0.1, 0.99, 1e-8, 200)
    np.testing.assert_allclose(rate, 0.1 / (np.sqrt(ss[:, 1]) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(pg.traces["RMSProp"].path, xs, rtol=1e-12, atol=1e-300)


def test_divergence_is_labelled_and_the_panel_stays_readable():
    pg = lesson.playground()
    pg.controls["lr"].value = 1.0  # GD on the bowl diverges for α > 2/λ_b = 0.5; RMSProp's steps stay ~α
    assert pg.diverged["GD"] is not None and pg.diverged["RMSProp"] is None
    legend = [t.get_text() for t in pg.ax_path.get_legend().get_texts()]
    assert f"GD: diverged at step {pg.diverged['GD']}" in legend
    for surface in pg.controls["surface"].options:
        pg.controls["surface"].value = surface
        for lr in (1e-3, 1.0):
            pg.controls["lr"].value = lr
            low, high = pg.ax_panel.get_ylim()
            assert lesson.EffectiveRatePanel.CAP[0] <= low < high <= lesson.EffectiveRatePanel.CAP[1] * 4
            low, high = pg.ax_loss.get_ylim()
            assert 0 < low < high < np.inf
        bowl = surface == lesson.BOWL
        assert pg.ax_path.get_xlabel() == ("w (shallow direction)" if bowl else "x")


def test_playground_starts():
    starts = lesson._starts(Q)
    assert list(starts) == ["default start", lesson.NEAR]
    np.testing.assert_allclose(starts["default start"], Q.start)
    for make in SURFACES.values():
        s = make()
        near = lesson._starts(s)[lesson.NEAR]
        z = lesson.zoomed(s)
        for window in (s, z):  # inside the full window and inside the zoomed one
            assert window.xlim[0] < near[0] < window.xlim[1] and window.ylim[0] < near[1] < window.ylim[1]
        np.testing.assert_allclose(lesson._starts(z)[lesson.NEAR], near)  # the zoomed window keeps the start


def test_near_the_minimum_zooms_in_so_the_rattle_shows():
    pg = lesson.playground()
    full = pg.ax_path.get_xlim()
    pg.controls["start"].value = lesson.NEAR
    low, high = pg.ax_path.get_xlim()
    assert high - low < 0.2 * (full[1] - full[0])
    assert pg.ax_path.get_title().startswith(f"{Q.name}, zoomed in")
    path = pg.traces["RMSProp"].path
    np.testing.assert_allclose(path[0], lesson._starts(Q)[lesson.NEAR])
    tail = np.abs(path[-50:]).max(axis=0)  # the rattle: ±α/2 = 0.05, well inside the zoomed window
    assert np.all(tail > 0.04) and np.all(tail < 0.06) and high > 4 * tail[0]
    assert pg.ax_loss.get_ylabel() == r"$f(x_k) - f^*$"  # typeset, by helpers.plotting.loss_axis
    pg.controls["surface"].value = "Rosenbrock"
    assert pg.ax_path.get_title().startswith("Rosenbrock, zoomed in")
    labels = [t.get_text() for t in pg.ax_panel.get_legend().get_texts()]
    assert "RMSProp, x" in labels and "RMSProp, w" not in labels  # the panel names the surface's coordinates
    pg.controls["start"].value = "default start"
    assert pg.ax_path.get_xlim() == (-2.0, 2.0)


def test_epsilon_explorer_lines_are_the_first_step():
    live = lesson.EpsilonExplorer()
    live.controls["eps"].value = 1e-4
    live.controls["beta"].value = 0.99
    g = live.G
    np.testing.assert_allclose(live.outside_line.get_ydata(), g / (np.sqrt(0.01) * g + 1e-4), rtol=1e-12)
    np.testing.assert_allclose(live.inside_line.get_ydata(), g / np.sqrt(0.01 * g**2 + 1e-4), rtol=1e-12)
    np.testing.assert_allclose(live.none_line.get_ydata(), 10.0, rtol=1e-12)
    assert "ε = 1e-04" in live.ax.get_title() and "β = 0.990" in live.ax.get_title()


def test_epsilon_explorer_shows_both_sides_of_the_condition():
    live = lesson.EpsilonExplorer()
    live.controls["lr"].value = 0.1
    live.controls["beta"].value = 0.9
    live.controls["eps"].value = 1e-8
    assert "rattles" in live.ax_bowl.get_title()
    floor = live.floor_line.get_ydata()[0]
    assert floor == pytest.approx(0.525 * 0.1**2, rel=1e-6)
    assert live.loss_line.get_ydata()[-1] == pytest.approx(floor, rel=0.05)
    live.controls["eps"].value = 10**-0.5  # α/ε = 0.32 < 2/λ_max = 0.5
    assert "settles" in live.ax_bowl.get_title()
    assert np.isnan(live.floor_line.get_ydata()).all()
    assert np.nanmax(live.loss_line.get_ydata()[-100:]) < 1e-12


def test_bowl_losses_are_helpers_rmsprop():
    for lr, beta, eps in ((0.1, 0.9, 1e-8), (0.3, 0.99, 0.1), (0.01, 0.5, 1.0)):
        xs, _ = rmsprop_by_hand(lr, beta, eps, 800)
        loss = 0.1 * xs[:, 0] ** 2 + 2 * xs[:, 1] ** 2
        np.testing.assert_allclose(lesson.bowl_losses(lr, beta, eps, 800), loss, rtol=1e-9, atol=1e-300)


def test_the_eps_condition_holds_on_both_sides():
    st = lesson.settling(lr=0.1, eps=(1e-8, 1e-3, 1e-2, 0.1, 0.19, 0.21, 0.316, 1.0), beta=0.9)
    np.testing.assert_allclose(st["measured"], st["predicted"], atol=1e-6)
    rattles = st["measured"] > 1e-9
    np.testing.assert_array_equal(rattles, st["rate_limit"][:, None] > 2 / LAM[None, :])
    assert lesson.cycle_amplitude(0.1, 1e-8, 4.0) == pytest.approx(0.05, abs=1e-8)
    assert lesson.cycle_amplitude(0.1, 0.19, 4.0) == pytest.approx(0.0025)
    assert lesson.cycle_amplitude(0.1, 0.21, 4.0) == 0.0
    for beta in (0.5, 0.99):  # the cycle's width does not depend on β
        other = lesson.settling(lr=0.3, eps=(1e-8, 0.3, 0.7), beta=beta, steps=8000)
        np.testing.assert_allclose(other["measured"], other["predicted"], atol=1e-6)


def test_centered_rmsprop_divides_by_the_root_of_the_variance():
    c = lesson.centered_on_noise()
    assert c["step_over_g"] == pytest.approx(c["one_over_root"], rel=1e-9)
    assert c["root_variance"] == pytest.approx(0.5, abs=0.02) and c["variance"] == pytest.approx(0.25, abs=0.02)
    assert c["step_over_g"] == pytest.approx(1 / np.sqrt(c["variance"]), rel=1e-6)  # not 1/variance
    steady = lesson.centered_steady(ts=(1, 10, 100, 1000), beta=0.99)
    t = np.array([1, 10, 100, 1000])
    np.testing.assert_allclose(steady, 1 / (np.sqrt(0.99**t * (1 - 0.99**t)) + 1e-8), rtol=1e-6)


def test_playground_facts():
    facts = lesson.playground_facts()
    assert facts["adagrad_never_rises"] and facts["rmsprop_top_rate"] > 500
    assert facts["diverged"] == {"GD": 21, "AdaGrad": None, "RMSProp": None}
    assert facts["saddle"]["RMSProp"][0] == 30 and facts["saddle"]["GD"][0] is None
    near = facts["near"]
    assert near[0.1]["RMSProp"] / near[0.01]["RMSProp"] == pytest.approx(100, rel=0.02)


# --- the numbers the notebook quotes -------------------------------------------------------


def test_steady_slope_rates_match_the_closed_forms():
    rates = lesson.steady_slope_rates(lr=0.1, beta=0.9, steps=1000)
    t = np.arange(1, 1001)
    np.testing.assert_allclose(rates["AdaGrad"], 0.1 / (np.sqrt(t) + 1e-10), rtol=1e-12)  # → 0
    np.testing.assert_allclose(rates["RMSProp"], 0.1 / (np.sqrt(1 - 0.9**t) + 1e-8), rtol=1e-12)  # → α
    assert rates["AdaGrad"][-1] < 0.0032 and abs(rates["RMSProp"][-1] - 0.1) < 1e-9


def test_effective_rates_on_the_bowl():
    out = lesson.effective_rates(lr=0.1, beta=0.9, steps=300)
    xs, ss = rmsprop_by_hand(0.1, 0.9, 1e-8, 300)
    np.testing.assert_allclose(out["RMSProp"]["rate"], 0.1 / (np.sqrt(ss) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(out["RMSProp"]["loss"], 0.1 * xs[:, 0] ** 2 + 2 * xs[:, 1] ** 2, rtol=1e-9,
                               atol=1e-300)
    ada = out["AdaGrad"]["rate"]
    assert np.all(np.diff(ada, axis=0) <= 0)  # AdaGrad's rate can only fall
    x, s = Q.start.copy(), np.zeros(2)
    for _ in range(300):  # AdaGrad by hand
        g = Q.grad(x)
        s = s + g * g
        x = x - 0.1 * g / (np.sqrt(s) + 1e-10)
    np.testing.assert_allclose(ada[-1], 0.1 / (np.sqrt(s) + 1e-10), rtol=1e-12)
    assert np.all(out["RMSProp"]["rate"][-1] > 10 * ada[-1])


def test_effective_rate_figure():
    fig = lesson.effective_rate_figure(lr=0.1, beta=0.9, steps=200, slope_steps=500)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    assert len(fig.axes[1].lines) == 5  # 2 optimizers × 2 coordinates + GD's α


def test_per_axis_numbers():
    out = lesson.per_axis(lr=0.4, beta=0.9, k=5)
    xs, ss = rmsprop_by_hand(0.4, 0.9, 1e-8, 10)
    np.testing.assert_allclose(out["sqrt_s"], np.sqrt(ss[4]), rtol=1e-12)
    np.testing.assert_allclose(out["rate"], 0.4 / (np.sqrt(ss[4]) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(out["rate_x_lambda"], out["rate"] * LAM, rtol=1e-12)
    np.testing.assert_allclose(out["gd_x_lambda"], [0.08, 1.6])
    np.testing.assert_allclose(out["step"], np.abs(xs[5] - xs[4]), rtol=1e-12)
    gd = Q.start * (1 - 0.4 * LAM)[None, :] ** np.arange(6)[:, None]  # GD on a quadratic: x_k = (1 − αλ)^k x_0
    np.testing.assert_allclose(out["gd_step"], np.abs(gd[5] - gd[4]), rtol=1e-12)
    np.testing.assert_allclose(out["b_gd"], -2.0 * (1 - 0.4 * 4.0) ** np.arange(7))  # factor −0.6: a zig-zag
    np.testing.assert_allclose(out["b_rmsprop"], xs[:7, 1], rtol=1e-12)
    assert np.all(out["b_rmsprop"] < 0)  # no zig-zag
    assert out["w_gd"] == pytest.approx(-5.0 * (1 - 0.4 * 0.2) ** 10)
    assert out["w_rmsprop"] == pytest.approx(xs[10, 0])
    assert out["sqrt_s"][0] < out["sqrt_s"][1] and out["rate"][0] > 0.4 > out["rate"][1]


def test_first_step_outside_matches_the_helper_and_inside_differs():
    g = np.array([1.0, 1e-4])
    opt = RMSProp(lr=0.1, beta=0.9, eps=1e-8)
    x1, _ = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
    np.testing.assert_allclose(lesson.first_step(g, 0.1, 0.9, 1e-8), x1, rtol=1e-15)
    inside = lesson.first_step(g, 0.1, 0.9, 1e-8, inside=True)
    np.testing.assert_allclose(inside, -0.1 * g / np.sqrt(0.1 * g**2 + 1e-8), rtol=1e-15)
    assert abs(inside[1]) < 0.31 * abs(x1[1])  # 0.9535 α against 3.1613 α
    # without ε: every non-zero gradient gets the same step, and g = 0 gives 0/0 (quietly)
    steps = np.abs(lesson.first_step([1.0, 1e-12, 0.0], 1.0, 0.9, 0.0))
    np.testing.assert_allclose(steps[:2], lesson.first_step_bound(0.9), rtol=1e-12)
    assert np.isnan(steps[2])
    assert lesson.first_step_bound(0.99) == pytest.approx(10.0)


def test_zero_gradient_step():
    x = lesson.zero_gradient_step(0.0)
    assert np.isnan(x[1]) and x[0] == pytest.approx(1 - 0.1 / np.sqrt(0.1))
    np.testing.assert_allclose(lesson.zero_gradient_step(1e-8), [1 - 0.1 * 0.5 / (np.sqrt(0.1) * 0.5 + 1e-8), 1.0])


@pytest.mark.parametrize("lr", [0.3, 0.01])
def test_rattle_is_a_cycle_of_half_alpha(lr):
    r = lesson.rattle(lr, beta=0.9)
    np.testing.assert_allclose(r["max_abs"], 0.5, rtol=1e-4)
    np.testing.assert_allclose(r["median_step"], 1.0, rtol=1e-4)
    assert r["predicted_loss"] == pytest.approx(0.525 * lr**2)
    assert r["loss"] == pytest.approx(r["predicted_loss"], rel=1e-4)
    np.testing.assert_allclose(r["rate"], 2 / LAM, rtol=1e-4)
    np.testing.assert_allclose(r["last"][1:], -r["last"][:-1], rtol=1e-4)  # x_t = −x_{t−1}
    xs, _ = rmsprop_by_hand(lr, 0.9, 1e-8, 6000)
    np.testing.assert_allclose(r["last"], xs[-4:], rtol=1e-9)


def test_dive_and_return():
    d = lesson.dive_and_return(lr=0.1, beta=0.99, steps=3000)
    xs, _ = rmsprop_by_hand(0.1, 0.99, 1e-8, 3000)
    loss = 0.1 * xs[:, 0] ** 2 + 2 * xs[:, 1] ** 2
    assert d["lowest_step"] == int(np.argmin(loss)) and d["lowest"] == pytest.approx(loss.min())
    assert d["lowest"] < 1e-100 and d["final"] == pytest.approx(0.525 * 0.1**2, rel=1e-3)
    assert d["floor"] == pytest.approx(0.525 * 0.1**2)
    assert loss[d["below"]] < d["floor"] / 1000 <= loss[d["below"] - 1]
    assert loss[d["back"]] > d["floor"] / 2 and np.all(loss[d["lowest_step"]:d["back"]] <= d["floor"] / 2)
    assert lesson.power_of_ten_below(d["lowest"]) == "below 1e-200"
    assert lesson.power_of_ten_below(3e-5) == "below 1e-3" and lesson.power_of_ten_below(0.5) == "5.0e-01"


def test_lowering_the_rate_shrinks_the_rattle():
    out = lesson.lowered_rate(lr=0.1, lower=0.01, beta=0.9, steps=3000)
    np.testing.assert_allclose(out["before"], 0.05, rtol=1e-4)
    np.testing.assert_allclose(out["after"], 0.005, rtol=1e-4)


# --- the exercise check ----------------------------------------------------------------------


def correct(x, g, s, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def test_a_correct_step_passes():
    fb = lesson.check_rmsprop_step(correct)
    assert fb.passed and fb.message.startswith("✓ Correct")


def test_an_in_place_step_passes_too():
    def in_place(x, g, s, lr, beta, eps):
        s *= beta
        s += (1 - beta) * g**2
        x -= lr * g / (np.sqrt(s) + eps)
        return x, s

    assert lesson.check_rmsprop_step(in_place).passed


SETUP = ("The check used: α = 0.1, β = 0.9, ε = 0.01, 5 steps on f(w, b) = 0.1 w² + 2 b² from x_0 = (−5, −2) with "
         "s_0 = (0, 0), each step given g = surface.grad(x) at the current x.")


@pytest.mark.parametrize("hint", list(lesson.SLIPS), ids=lambda h: h[:40])
def test_each_slip_gets_its_own_hint_and_the_setup(hint):
    fb = lesson.check_rmsprop_step(lesson.SLIPS[hint])
    assert not fb.passed and fb.message.startswith("✗ Not yet.")
    assert f"Hint: {hint}" in fb.message and fb.message.count("Hint:") == 1 and SETUP in fb.message


def test_the_slips_named_in_the_brief_are_recognised():
    hints = " ".join(lesson.SLIPS)
    for words in ["ε inside the root", "(1 − β) is on the wrong term", "previous √s_{t−1}",
                  "divide by the root √s", "AdaGrad's running sum", "(s_new, x_new)", "gradient descent's step",
                  "uphill"]:
        assert words in hints


def test_returning_s_x_is_named():
    def swapped(x, g, s, lr, beta, eps):
        s = beta * s + (1 - beta) * g**2
        return s, x - lr * g / (np.sqrt(s) + eps)

    fb = lesson.check_rmsprop_step(swapped)
    assert not fb.passed and "returned the other way round" in fb.message


def test_a_number_typed_in_for_a_hyperparameter_is_caught_by_the_second_run():
    def one_tenth(x, g, s, lr, beta, eps):  # lesson 01's slip: (1 − β) written as 0.1, right for β = 0.9 only
        s = beta * s + 0.1 * g**2
        return x - lr * g / (np.sqrt(s) + eps), s

    def eps_typed(x, g, s, lr, beta, eps):
        s = beta * s + (1 - beta) * g**2
        return x - lr * g / (np.sqrt(s) + 0.01), s

    def pytorch_beta(x, g, s, lr, beta, eps):  # wrong already in the first run: β typed in as 0.99
        s = 0.99 * s + 0.01 * g**2
        return x - lr * g / (np.sqrt(s) + eps), s

    fb = lesson.check_rmsprop_step(one_tenth)
    assert not fb.passed and "right for α = 0.1, β = 0.9, ε = 0.01 (the first run), but not for α = 0.05" in fb.message
    assert "0.1 is 1 − β only for β = 0.9" in fb.message and "The check used: α = 0.05, β = 0.7, ε = 0.02" in fb.message
    assert "does not change when ε (eps) does" in lesson.check_rmsprop_step(eps_typed).message
    fb = lesson.check_rmsprop_step(pytorch_beta)
    assert "x_1 is" in fb.message and "does not change when β (beta) does" in fb.message and SETUP in fb.message


def test_correct_passes_both_runs_and_says_so():
    fb = lesson.check_rmsprop_step(correct)
    assert fb.passed and "again with α = 0.05, β = 0.7, ε = 0.02" in fb.message


def test_unfinished_or_broken_steps_get_feedback_not_tracebacks():
    def stub(x, g, s, lr, beta, eps):
        raise NotImplementedError  # your code here

    def forgot_return(x, g, s, lr, beta, eps):
        beta * s + (1 - beta) * g**2

    def only_x(x, g, s, lr, beta, eps):
        return x - lr * g

    def typo(x, g, s, lr, beta, eps):
        return x - lr * g / (np.sqrt(s) + epsilon), s  # noqa: F821

    def summed(x, g, s, lr, beta, eps):
        s = np.sum(beta * s + (1 - beta) * g**2)
        return x - lr * g / (np.sqrt(s) + eps), s

    assert lesson.check_rmsprop_step(stub).message.startswith("Not yet: stub still raises NotImplementedError")
    assert "did you forget the `return`?" in lesson.check_rmsprop_step(forgot_return).message
    fb = lesson.check_rmsprop_step(only_x)
    assert "should return 2 things, (x_new, s_new), in that order" in fb.message and SETUP in fb.message
    fb = lesson.check_rmsprop_step(typo)
    assert "raised NameError" in fb.message and "in typo: return x - lr * g" in fb.message and SETUP in fb.message
    assert "its s_new has shape ()" in lesson.check_rmsprop_step(summed).message


def test_an_unknown_mistake_names_the_first_wrong_output_given_the_learners_inputs():
    def late(x, g, s, lr, beta, eps):
        s = beta * s + (1 - beta) * g**2
        first = not np.any(s - (1 - beta) * g**2)  # s_{t−1} = 0 only at step 1
        return x - lr * g / (np.sqrt(s) + eps) * (1.0 if first else 1.5), s  # wrong from step 2 on

    def corrected(x, g, s, lr, beta, eps):  # a bias correction RMSProp does not have: its s is right, x is not
        s = beta * s + (1 - beta) * g**2
        return x - lr * g / (np.sqrt(s / (1 - beta)) + eps), s

    fb = lesson.check_rmsprop_step(late)
    assert not fb.passed and "x_2" in fb.message and "Given the same x_1, g_2 and s_1, your x_2 is" in fb.message
    fb = lesson.check_rmsprop_step(corrected)  # its x path is the "no (1 − β)" slip's, but its s is not: no hint
    assert "Hint" not in fb.message and "Given the same x_0, g_1 and s_0, your x_1 is" in fb.message


def test_a_wrong_s_with_right_x_values_is_caught():
    calls = []

    def wrong_last_s(x, g, s, lr, beta, eps):
        calls.append(1)
        x_new, s_new = correct(x, g, s, lr, beta, eps)
        return x_new, s_new * (2.0 if len(calls) == lesson.CHECK_SETUP["steps"] else 1.0)  # only s_5 is off

    fb = lesson.check_rmsprop_step(wrong_last_s)
    assert not fb.passed and "every x is right, but s is not. s_5" in fb.message


def test_reference_steps_are_the_helper():
    x, s = lesson.reference_steps(correct)
    xs, ss = rmsprop_by_hand(**{k: lesson.CHECK_SETUP[k] for k in ("lr", "beta", "eps", "steps")})
    np.testing.assert_allclose(x, xs[1:], rtol=1e-15)
    np.testing.assert_allclose(s, ss, rtol=1e-15)


# --- predict, then look: each question's answer is what its figure shows ---------------------------------


def test_question_rmsprop_dives_then_stops_at_a_floor():
    pg = lesson.playground()
    loss = pg.loss_lines["RMSProp"].get_ydata()
    assert loss.argmin() == 92 and loss.min() < 1e-15  # the dive
    assert 4e-3 < loss[-1] < 6e-3 and loss[-1] > 1e10 * loss.min()  # … and the floor it climbs back to
    assert pg.diverged["RMSProp"] is None


def test_question_a_tenth_of_alpha_lowers_the_floor_a_hundredfold():
    pg = lesson.playground()
    pg.controls["start"].value = lesson.NEAR
    floors = {}
    for lr in (0.1, 0.01):
        pg.controls["lr"].value = lr
        floors[lr] = pg.loss_lines["RMSProp"].get_ydata()[-1]
    assert floors[0.1] / floors[0.01] == pytest.approx(100, rel=0.05)


def test_question_eps_inside_the_root_shortens_the_step_of_a_small_gradient():
    live = lesson.EpsilonExplorer()  # ε = 1e-8, β = 0.9
    k = np.argmin(np.abs(np.log10(live.G) + 4))  # |g| ≈ 1e-4
    assert live.outside_line.get_ydata()[k] == pytest.approx(3.16, abs=0.01)
    assert live.inside_line.get_ydata()[k] == pytest.approx(0.95, abs=0.02)


def test_question_the_rattle_stops_once_eps_passes_a_fifth():
    live = lesson.EpsilonExplorer()
    for eps, verdict in ((1e-4, "rattles"), (0.15, "rattles"), (0.3, "settles")):
        live.controls["eps"].value = eps
        assert live.ax_bowl.get_title().endswith(verdict), live.ax_bowl.get_title()
    assert np.nanmax(live.loss_line.get_ydata()[-100:]) < 1e-12  # at ε = 0.3 the loss falls for good
