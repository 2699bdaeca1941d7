"""lessons.noisy_gradients: every widget redraws at every control position and is the same for the same seed,
every formula the notebook teaches against an independent computation, and the exercises' checks."""

import math

import numpy as np
import pytest

from helpers.averages import ewma
from helpers.optimizers import SGD, Adam, Momentum, run
from helpers.schedules import CosineAnnealingLR, ExponentialLR, rates
from helpers.stochastic import NoisyGradient, minibatch_variance
from lessons import noisy_gradients as lesson

# --- widgets ------------------------------------------------------------------------------------


def control_positions(control):
    if hasattr(control, "options"):
        return list(control._options_values)[::-1]
    if hasattr(control, "base"):
        return [control.base**control.min, control.base**((control.min + control.max) / 2),
                control.base**control.max, control.value]
    middle = (control.min + control.max) / 2
    return [control.min, round(middle) if isinstance(control.value, int) else middle, control.max, control.value]


def artists(live):
    return [line.get_xydata().copy() for ax in live.fig.axes for line in ax.lines]


@pytest.mark.parametrize("name", list(lesson.WIDGETS))
def test_every_control_position_redraws_the_figure(name):
    live = lesson.WIDGETS[name]()  # pyproject turns any warning into an error
    assert live.image.value[:4] == b"\x89PNG"
    for control_name, control in live.controls.items():
        for value in control_positions(control):
            if value == control.value:
                continue
            before, image = artists(live), live.image.value
            control.value = value
            after = [line.get_xydata() for ax in live.fig.axes for line in ax.lines]
            assert live.image.value != image, (control_name, value)
            changed = [a.shape != b.shape or not np.allclose(a, b, equal_nan=True)
                       for a, b in zip(before, after, strict=True)]
            assert any(changed), (control_name, value)


@pytest.mark.parametrize("name", list(lesson.WIDGETS))
def test_the_same_seed_gives_the_same_picture_and_another_seed_another(name):
    first, second = lesson.WIDGETS[name](), lesson.WIDGETS[name]()
    lines = artists(first)
    for a, b in zip(lines, artists(second), strict=True):
        np.testing.assert_array_equal(a, b)
    assert first.image.value == second.image.value
    first.controls["seed"].value = 7
    assert any(a.shape != b.shape or not np.allclose(a, b, equal_nan=True)
               for a, b in zip(lines, artists(first), strict=True))
    first.controls["seed"].value = 0
    for a, b in zip(lines, artists(first), strict=True):
        np.testing.assert_array_equal(a, b)


def test_sliders_are_labelled_with_symbol_and_word():
    descriptions = {name: {k: c.description for k, c in lesson.WIDGETS[name]().controls.items()}
                    for name in lesson.WIDGETS}
    assert descriptions["minibatch"] == {"batch_size": "batch size B", "seed": "noise seed"}
    assert descriptions["noise_ball"]["lr"] == "learning rate α" and descriptions["noise_ball"]["sigma"] == "noise σ"
    assert descriptions["schedules"]["schedule"] == "schedule" and descriptions["schedules"]["lr"].endswith("α₀")
    assert descriptions["momentum"]["beta"] == "β (momentum)"
    assert descriptions["adam"]["beta1"] == "β₁ (momentum)" and descriptions["adam"]["beta2"] == "β₂ (RMS)"
    for name in lesson.WIDGETS:
        for control in lesson.WIDGETS[name]().controls.values():
            assert control.style.description_width == "initial"
            if "learning rate" in control.description:
                assert control.base == 10  # a log scale


def test_minibatch_explorer_shows_the_formula_ellipse_and_collapses_at_b_equals_n():
    live = lesson.MinibatchExplorer()
    p = lesson.weather_problem()
    i, j = lesson.SHOWN
    live.controls["batch_size"].value = 64
    var = minibatch_variance(p.example_grads(lesson.W_START), 64)
    width, height = sorted([live.ellipse.get_width(), live.ellipse.get_height()])
    cov = np.cov(p.example_grads(lesson.W_START)[:, [i, j]].T, bias=True) / 64 * (p.n - 64) / (p.n - 1)
    np.testing.assert_allclose(sorted([width, height]), sorted(4 * np.sqrt(np.linalg.eigvalsh(cov))), rtol=1e-9)
    assert width < 4 * math.sqrt(var[i] + var[j]) * 1.01
    cloud = live.cloud.get_xydata()
    assert cloud.shape == (live.DRAWS, 2)
    live.controls["batch_size"].value = p.n
    np.testing.assert_allclose(live.cloud.get_xydata(), np.tile(p.grad(lesson.W_START)[[i, j]], (live.DRAWS, 1)),
                               rtol=1e-12)
    assert "variance 0" in live.ax.get_title()


def test_noise_ball_figure_matches_its_formulas_and_labels_divergence():
    live = lesson.NoiseBallFigure()
    live.controls["lr"].value = 0.05
    live.controls["sigma"].value = 2.0
    V = lesson.noise_ball_variance(0.05, lesson.LAMBDAS, 2.0)
    np.testing.assert_allclose(sorted([live.ball.get_width(), live.ball.get_height()]), sorted(4 * np.sqrt(V)))
    assert live.floor.get_ydata()[0] == pytest.approx(0.5 * (lesson.LAMBDAS * V).sum())
    live.controls["sigma"].value = 0.0  # no noise: every run is gradient descent
    gd = run(SGD(0.05), lesson.SURFACE.grad, lesson.SURFACE.start, live.steps)
    np.testing.assert_allclose(live.path.get_xydata(), gd, rtol=1e-12)
    live.controls["lr"].value = 1.0  # α·λ_b = 4 > 2
    assert "diverged at step" in live.ax.get_title() and not live.ball.get_visible()
    labels = [t.get_text() for t in live.ax.get_legend().get_texts()]
    assert any(label.startswith("one run: diverged at step") for label in labels)


def test_schedule_playground_runs_both_contenders_on_the_same_draws():
    pg = lesson.schedule_playground()
    assert set(pg.traces) == {"SGD, constant α", "SGD, scheduled α"}
    constant = pg.traces["SGD, constant α"].path.copy()
    p = pg.params
    noisy = NoisyGradient(lesson.SURFACE.grad, p["sigma"], rng=p["seed"])
    np.testing.assert_array_equal(constant, run(SGD(p["lr"]), noisy, lesson.SURFACE.start, pg.steps))
    schedule = lesson.lesson_schedules()[p["schedule"]]
    noisy = NoisyGradient(lesson.SURFACE.grad, p["sigma"], rng=p["seed"])
    np.testing.assert_array_equal(pg.traces["SGD, scheduled α"].path,
                                  run(SGD(p["lr"]), noisy, lesson.SURFACE.start, pg.steps, schedule=schedule))
    np.testing.assert_allclose(pg.panel.scheduled.get_ydata(), rates(schedule, p["lr"], pg.steps))
    for name in pg.controls["schedule"].options:  # the schedule moves only the scheduled run
        pg.controls["schedule"].value = name
        np.testing.assert_array_equal(pg.traces["SGD, constant α"].path, constant)
    pg.controls["schedule"].value = "constant"
    np.testing.assert_array_equal(pg.traces["SGD, scheduled α"].path, constant)
    pg.controls["lr"].value = 1.0  # α λ_b = 4: the constant run diverges, and says so
    assert pg.diverged["SGD, constant α"] is not None
    assert pg.path_lines["SGD, constant α"].get_label().startswith("SGD, constant α: diverged at step")


def test_momentum_figure_draws_theory_and_labels_a_diverging_sgd():
    live = lesson.MomentumNoiseFigure()
    live.controls["beta"].value = 0.5
    live.controls["lr"].value = 1.5  # α_eff = 3: SGD diverges (needs α_eff λ < 2); the heavy ball does not (< 3)
    assert live.sgd_dot.get_label() == "SGD: diverges" and live.sgd_path.get_label() == "SGD at α_eff: diverges"
    assert live.hb_dot.get_label().startswith("heavy ball: simulated")
    simulated = live.hb_dot.get_ydata()[0]
    assert simulated == pytest.approx(lesson.heavy_ball_variance(1.5, 0.5, 1.0, 1.0), rel=0.25)
    live.controls["lr"].value = 10**0.5
    live.controls["beta"].value = 0.0  # α λ = 3.2 > 2(1 + β): both diverge
    assert live.hb_dot.get_label() == "heavy ball: diverges"


def test_adam_figure_mean_follows_the_snr_formula():
    live = lesson.AdamNoiseFigure()
    mean = live.mean_line.get_ydata()
    formula = live.SNR / np.sqrt(live.SNR**2 + 1)
    assert np.max(np.abs(mean - formula)) < 0.1
    constant, cosine = live.constant.get_ydata()[-1], live.decayed.get_ydata()[-1]
    assert cosine < 0.7 * constant  # the decayed α ends closer


# --- 1. mini-batches -------------------------------------------------------------------------------


def test_the_seattle_problem():
    s = lesson.problem_summary()
    p = lesson.weather_problem()
    assert (s["n"], s["d"]) == (1460, 5) and lesson.FEATURES[1] == "today's temp_max"
    np.testing.assert_allclose(p.X.T @ (p.X @ s["w_star"] - p.y), 0, atol=1e-8)  # the normal equations
    assert s["rmse"] < s["rmse_persistence"] < s["rmse_mean"]
    assert s["rmse"] == pytest.approx(np.sqrt(np.mean((p.X @ s["w_star"] - p.y) ** 2)))
    np.testing.assert_allclose(s["full_gradient"], -p.X.T @ p.y / p.n)  # at w = 0
    assert s["curvatures"][0] > 0.05 and s["curvatures"][-1] < 3


def test_minibatch_table_agrees_with_the_formula():
    rows = lesson.minibatch_table((1, 16, 1024, 1460), draws=1500)
    for r in rows[:-1]:
        assert r["z"] < 4.5  # unbiased
        assert r["measured"] == pytest.approx(r["formula"], rel=0.12)
    assert rows[0]["formula"] == pytest.approx(rows[0]["with_replacement"])  # B = 1: no difference
    assert rows[2]["with_replacement"] > 3 * rows[2]["formula"]  # B = 1024 of 1460: the factor matters
    assert rows[-1]["formula"] == 0 and rows[-1]["measured"] < 1e-20 and np.isnan(rows[-1]["z"])


# --- 2. the noise ball -----------------------------------------------------------------------------


@pytest.mark.parametrize("lr, lam, sigma", [(0.1, 1.0, 1.0), (0.3, 2.0, 0.5), (1.9, 1.0, 2.0)])
def test_noise_ball_formula_is_the_fixed_point_of_the_variance_recursion(lr, lam, sigma):
    V = lesson.noise_ball_variance(lr, lam, sigma)
    assert V == pytest.approx((1 - lr * lam) ** 2 * V + lr**2 * sigma**2, rel=1e-12)
    _, var = lesson.sgd_moments(np.full(3000, lr), lam, sigma, 0.0)
    assert var[-1] == pytest.approx(V, rel=1e-9)
    assert lesson.first_order_variance(lr, lam, sigma) == pytest.approx(lr * sigma**2 / (2 * lam))


def test_noise_ball_is_infinite_where_sgd_diverges():
    assert lesson.noise_ball_variance(2.0, 1.0, 1.0) == np.inf
    np.testing.assert_array_equal(np.isinf(lesson.noise_ball_variance(np.array([0.5, 2.5]), 1.0, 1.0)), [False, True])


def test_noise_ball_table_simulation_agrees_with_the_formula():
    for r in lesson.noise_ball_table(runs=4000):
        assert r["simulated"] == pytest.approx(r["formula"], rel=0.08)
        assert abs(1 - r["lr"] * r["lam"]) ** (2 * r["steps"]) <= 1e-6 + 1e-12


def test_last_iterates_are_the_end_of_run():
    x0 = np.zeros((5, 2))
    x, state = lesson.last_iterates(Momentum(0.1, 0.9), NoisyGradient(lambda x: 2 * x, 0.5, rng=3), x0, 40)
    path = run(Momentum(0.1, 0.9), NoisyGradient(lambda x: 2 * x, 0.5, rng=3), x0, 40)
    np.testing.assert_array_equal(x, path[-1])
    assert state.t == 40


def test_sgd_moments_match_a_simulation_under_a_schedule():
    schedule = CosineAnnealingLR(100)
    alphas = rates(schedule, 0.5, 100)
    mean, var = lesson.sgd_moments(alphas, 1.0, 1.0, 3.0)
    x = run(SGD(0.5), NoisyGradient(lambda x: x, 1.0, rng=0), np.full(20_000, 3.0), 100, schedule=schedule)[-1]
    assert x.mean() == pytest.approx(mean[-1], abs=0.03)
    assert x.var() == pytest.approx(var[-1], rel=0.05)


# --- 3. schedules ----------------------------------------------------------------------------------


def test_schedule_table_exact_against_simulated():
    extra = {"too fast": ExponentialLR(0.95)}
    rows = {r["name"]: r for r in lesson.schedule_table(runs=3000, extra=extra)}
    c = lesson.SCHEDULE_PROBLEM
    for r in rows.values():
        assert r["simulated"] == pytest.approx(r["expected"], rel=0.08)
    assert rows["constant"]["variance"] == pytest.approx(lesson.noise_ball_variance(c["lr"], c["lam"], c["sigma"]))
    warm = next(name for name in rows if name.startswith("linear warm-up"))
    assert rows[warm]["expected"] == pytest.approx(rows["constant"]["expected"], rel=1e-9)  # forgotten by the end
    decaying = [name for name in rows if name not in ("constant", warm, "too fast")]
    assert all(rows[name]["expected"] < rows["constant"]["expected"] / 5 for name in decaying)
    assert rows["too fast"]["sum"] == pytest.approx(20, rel=1e-6)  # Σ α_t = α₀/(1 − γ): finite
    assert rows["too fast"]["bias2"] > 1e3 * max(rows[name]["bias2"] for name in decaying)


def test_robbins_monro_table():
    table = lesson.robbins_monro_table((100, 10_000))
    assert table["constant"][1] == (10_000.0, 10_000.0)
    assert table["exponential, γ = 0.99"][1][0] == pytest.approx(100, rel=1e-6)
    assert table["1/t"][1][1] == pytest.approx(math.pi**2 / 6, rel=1e-3)
    assert table["1/√t"][1][1] == pytest.approx(math.log(10_000) + 0.5772, rel=1e-3)


def test_schedules_match_the_torch_fixture():
    dev = lesson.schedule_deviation_from_torch()
    assert dev["rates"] <= 1e-12 and dev["paths"] <= 1e-12
    assert "InverseTimeLR" in dev["schedules"] and "CosineAnnealingLR" in dev["schedules"]
    assert dev["runs"] == 3 * dev["cases"]


def test_lesson_schedules_end_where_their_names_say():
    s = lesson.lesson_schedules(400)
    # Once named "α_T = α₀/100" beside a printed α_400 = 0.0101: step t runs at γ^(t − 1), so α₀/100 is step 401's.
    exponential = rates(s["exponential: γ = 0.01^(1/400)"], 1.0, 401)
    assert exponential[-1] == pytest.approx(0.01, rel=1e-12) and exponential[-2] == pytest.approx(0.01 ** (399 / 400))
    cosine = rates(s["cosine over 400 steps"], 1.0, 400)
    assert cosine[0] == 1.0 and cosine[-1] < 1e-4
    assert rates(s["linear warm-up, 40 steps"], 1.0, 400)[0] == pytest.approx(0.1)


# --- 4. momentum -----------------------------------------------------------------------------------


def test_ewma_of_white_noise_has_variance_one_minus_beta_over_one_plus_beta():
    noise = np.random.default_rng(0).standard_normal(400_000)
    for beta in (0.5, 0.9):
        v = ewma(noise, beta)[1000:]
        assert np.var(v) == pytest.approx(lesson.white_noise_variance(beta), rel=0.03)


@pytest.mark.parametrize("lr, beta", [(0.01, 0.9), (0.1, 0.9), (1.0, 0.9), (0.3, 0.5), (0.2, 0.0)])
def test_heavy_ball_lyapunov_closed_form_and_the_rewritten_form_agree(lr, beta):
    P = lesson.heavy_ball_covariance(lr, beta, 1.0, 1.0)
    closed = lesson.heavy_ball_variance(lr, beta, 1.0, 1.0)
    assert P[0, 0] == pytest.approx(closed, rel=1e-10)
    A, b = lesson._heavy_ball_matrices(lr, beta, 1.0, 1.0)
    np.testing.assert_allclose(A @ P @ A.T + np.outer(b, b), P, rtol=1e-10)
    lr_eff = lr / (1 - beta)
    assert closed == pytest.approx(lr_eff / (2 - lr_eff * (1 - beta) / (1 + beta)), rel=1e-12)
    if beta == 0:
        assert closed == pytest.approx(lesson.noise_ball_variance(lr, 1.0, 1.0))


def test_heavy_ball_is_unstable_beyond_two_one_plus_beta():
    assert np.all(np.isfinite(lesson.heavy_ball_covariance(3.79, 0.9, 1.0, 1.0)))  # α λ < 2(1 + β) = 3.8
    assert np.all(np.isinf(lesson.heavy_ball_covariance(3.81, 0.9, 1.0, 1.0)))
    assert lesson.heavy_ball_variance(3.81, 0.9, 1.0, 1.0) == np.inf
    assert lesson.heavy_ball_variance(3.79, 0.9, 1.0, 1.0) == pytest.approx(
        lesson.heavy_ball_covariance(3.79, 0.9, 1.0, 1.0)[0, 0], rel=1e-9)


def test_momentum_table_simulation_agrees_with_lyapunov():
    for r in lesson.momentum_table(lrs=(0.01, 0.1, 1.0), runs=2000):
        assert r["simulated"] == pytest.approx(r["lyapunov"], rel=0.08)
        assert r["lyapunov"] <= r["sgd"]  # never looser than SGD at the same effective step
        assert r["lyapunov"] == pytest.approx(r["first_order"], rel=0.03) or r["lr_eff"] > 0.2


def test_velocity_table():
    for r in lesson.velocity_table(runs=2000):
        assert r["var_v"] == pytest.approx(r["ewma"], rel=0.06)
        assert r["lyapunov_v"] == pytest.approx(r["ewma"], rel=0.02)  # small α: the open-loop formula holds
        assert r["var_x"] == pytest.approx(r["sgd_x"], rel=0.08)


def test_velocity_figure():
    """The velocity drawn is the EWMA of the gradients drawn; the bands sit at ±2 SD of the formulas."""
    beta, lr, sigma = 0.9, 0.05, 1.0
    fig = lesson.velocity_figure(lr=lr, beta=beta, sigma=sigma)
    assert len(fig.axes) == 2 and fig._suptitle is not None
    ax_g, ax_x = fig.axes
    lines = {line.get_label(): line for line in ax_g.get_lines()}
    g = lines["gradient g_t"].get_ydata()
    v = lines[f"velocity v_t (EWMA, β = {beta:g})"].get_ydata()
    np.testing.assert_allclose(v[1:], beta * v[:-1] + (1 - beta) * g[1:], rtol=1e-12, atol=1e-12)
    band = lines["±2 SD of an EWMA of noise"].get_ydata()[0]
    assert band == pytest.approx(2 * np.sqrt((1 - beta) / (1 + beta)) * sigma)
    ball = {line.get_label(): line for line in ax_x.get_lines()}["±2 SD of SGD's noise ball"].get_ydata()[0]
    assert ball == pytest.approx(2 * np.sqrt(lr * sigma**2 / (1.0 * (2 - lr * 1.0))))
    assert np.std(v) < np.std(g) / 2  # "much calmer"
    for ax in (ax_g, ax_x):
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None


# --- 5. Adam ---------------------------------------------------------------------------------------


def test_adam_ratio_is_the_signal_to_noise_formula_with_a_long_memory_v():
    rows = lesson.adam_ratio_table(snrs=(0.0, 0.3, 1.0, 3.0), settings=((0.9, 0.999), (0.9, 0.5)))
    paper, short = rows
    np.testing.assert_allclose(paper["mean"], paper["formula"], atol=0.02)
    assert paper["rms_at_zero"] == pytest.approx(paper["rms_formula"], rel=0.05)
    assert short["mean"][2] > paper["formula"][2] + 0.05  # β₂ = 0.5: v̂ too noisy, the estimate is off


def test_adam_ratios_are_adams_steps():
    r = lesson.adam_ratios([1.0], 0.9, 0.99, steps=30, runs=3, keep=1)
    grad = NoisyGradient(lambda x: np.ones((1, 3)) + 0 * x, 1.0, rng=0)
    path = run(Adam(1.0, 0.9, 0.99), grad, np.zeros((1, 3)), 30)
    np.testing.assert_allclose(r[0], path[-2] - path[-1], rtol=1e-12)


def test_adam_ball_is_about_alpha_sigma_over_two_lambda():
    for r in lesson.adam_ball_table(sigmas=(0.1, 10.0), steps=2000, runs=500):
        assert r["simulated"] == pytest.approx(r["heuristic"], rel=0.15)
    out = lesson.adam_schedule_table(runs=500)
    assert out["cosine"] < out["constant"] / 3


# --- exercises -------------------------------------------------------------------------------------


def good_minibatch(X, y, w, batch_size, rng):
    batch = rng.choice(len(X), size=batch_size, replace=False)
    Xb, yb = X[batch], y[batch]
    return Xb.T @ (Xb @ w - yb) / batch_size


def test_a_correct_sampler_passes_and_another_correct_one_too():
    fb = lesson.check_minibatch_gradient(good_minibatch)
    assert fb.passed and fb.message.startswith("✓ Correct") and "B = 16" in fb.message

    def by_permutation(X, y, w, batch_size, rng):
        batch = rng.permutation(len(X))[:batch_size]
        g = X[batch] * (X[batch] @ w - y[batch])[:, None]
        return g.mean(axis=0)

    assert lesson.check_minibatch_gradient(by_permutation).passed


def test_minibatch_slips_are_named():
    def wrong_axis(X, y, w, batch_size, rng):
        batch = rng.choice(len(X), size=batch_size, replace=False)
        return (X[batch] * (X[batch] @ w - y[batch])[:, None]).mean(axis=1)

    def summed(X, y, w, batch_size, rng):
        batch = rng.choice(len(X), size=batch_size, replace=False)
        return X[batch].T @ (X[batch] @ w - y[batch])

    def same_batch(X, y, w, batch_size, rng):
        return X[:batch_size].T @ (X[:batch_size] @ w - y[:batch_size]) / batch_size

    def reseeded(X, y, w, batch_size, rng):
        return good_minibatch(X, y, w, batch_size, np.random.default_rng(0))

    def global_state(X, y, w, batch_size, rng):
        return good_minibatch(X, y, w, batch_size, np.random.default_rng(np.random.randint(1 << 30)))  # noqa: NPY002

    def flipped(X, y, w, batch_size, rng):
        return -good_minibatch(X, y, w, batch_size, rng)

    def one_example(X, y, w, batch_size, rng):
        return good_minibatch(X, y, w, 1, rng)

    cases = {wrong_axis: "ran over the features, axis 1", summed: "a sum instead of a mean",
             same_batch: "you take X[:B] every time", reseeded: "reuses the same batch",
             global_state: "not with np.random", flipped: "the sign is flipped",
             one_example: "hold one example each"}
    for fn, words in cases.items():
        fb = lesson.check_minibatch_gradient(fn)
        assert not fb.passed and words in fb.message, (fn.__name__, fb.message)
        assert "The check used: the Seattle problem" in fb.message and "B = 16" in fb.message


def test_minibatch_slips_found_by_walking_through_the_exercise():
    def whole_data(X, y, w, batch_size, rng):
        return X.T @ (X @ w - y) / len(X)

    def indices(X, y, w, batch_size, rng):
        return rng.choice(len(X), size=batch_size, replace=False)

    def with_replacement(X, y, w, batch_size, rng):
        batch = rng.integers(0, len(X), size=batch_size)
        return X[batch].T @ (X[batch] @ w - y[batch]) / batch_size

    def with_the_batch(X, y, w, batch_size, rng):
        return good_minibatch(X, y, w, batch_size, rng), "the batch"

    def no_broadcast(X, y, w, batch_size, rng):
        batch = rng.choice(len(X), size=batch_size, replace=False)
        return (X[batch] * (X[batch] @ w - y[batch])).mean(axis=0)

    cases = {whole_data: "the full gradient ∇f(w): your function uses all n = 1460 rows, not a batch",
             indices: "these look like the batch's row indices",
             with_replacement: "your batch repeats some rows", with_the_batch: "it returned a tuple of 2 things",
             no_broadcast: "X_B * r[:, None]"}
    for fn, words in cases.items():
        fb = lesson.check_minibatch_gradient(fn)
        assert not fb.passed and words in fb.message, (fn.__name__, fb.message)
        assert "The check used: the Seattle problem" in fb.message
    assert "over the features" not in lesson.check_minibatch_gradient(indices).message


def test_minibatch_slips_that_pass_at_b_16_are_named_at_another_batch_size():
    # Each of these passed every test at B = 16 and was then told "your batch repeats some rows" at B = n.
    def divides_by_16(X, y, w, batch_size, rng):
        batch = rng.choice(len(X), size=batch_size, replace=False)
        return X[batch].T @ (X[batch] @ w - y[batch]) / 16

    def draws_16(X, y, w, batch_size, rng):
        return good_minibatch(X, y, w, 16, rng)

    def product_the_wrong_way(X, y, w, batch_size, rng):
        batch = rng.choice(len(X), size=batch_size, replace=False)
        return X[batch] @ (X[batch].T @ (X[batch] @ w - y[batch])) / batch_size

    cases = {divides_by_16: "you divide by 16 whatever the batch size",
             draws_16: "your batches have 16 rows whatever batch_size is",
             product_the_wrong_way: "(or X_B @ … where X_B.T @ … was meant)"}
    for fn, words in cases.items():
        fb = lesson.check_minibatch_gradient(fn)
        assert not fb.passed and words in fb.message and "repeats" not in fb.message, (fn.__name__, fb.message)
        assert "batch_size = 4" in fb.message


def test_a_sampler_in_float32_is_not_told_its_batch_repeats_rows():
    def in_float32(X, y, w, batch_size, rng):
        return good_minibatch(X, y, w, batch_size, rng).astype(np.float32)

    fb = lesson.check_minibatch_gradient(in_float32)
    assert fb.passed and "repeats" not in fb.message


def test_minibatch_stub_and_errors_get_feedback():
    def stub(X, y, w, batch_size, rng):
        raise NotImplementedError

    def crash(X, y, w, batch_size, rng):
        return X[rng.choice(len(X), batch_size)] @ np.ones(3)

    assert lesson.check_minibatch_gradient(stub).message.startswith("Not yet: stub still raises NotImplementedError")
    assert "raised ValueError" in lesson.check_minibatch_gradient(crash).message


def cosine_lr(base_lr, t, t_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * (t - 1) / t_max)) / 2


def test_cosine_check():
    fb = lesson.check_cosine_lr(cosine_lr)
    assert fb.passed and "The check used: α₀ = 0.1, T_max = 10, η_min = 0.001" in fb.message
    for hint, slip in lesson.COSINE_SLIPS.items():
        fb = lesson.check_cosine_lr(slip)
        assert not fb.passed and f"Hint: {hint}" in fb.message and "T_max = 10" in fb.message
    assert "off by one step against torch" in lesson.check_cosine_lr(lesson._cosine_t).message

    def stub(base_lr, t, t_max, eta_min=0.0):
        raise NotImplementedError

    assert lesson.check_cosine_lr(stub).message.startswith("Not yet")


def test_cosine_feedback_speaks_of_rates_not_of_a_recursion():
    def off_by_one_without_eta(base_lr, t, t_max, eta_min=0.0):
        return base_lr * (1 + math.cos(math.pi * t / t_max)) / 2

    def late_slip(base_lr, t, t_max, eta_min=0.0):
        return cosine_lr(base_lr, t, t_max, eta_min) * (1.01 if t > 3 else 1)

    def a_list(base_lr, t, t_max, eta_min=0.0):
        return [cosine_lr(base_lr, t, t_max, eta_min)]

    def crash(base_lr, t, t_max, eta_min=0.0):
        return eta_min + (base_lr - eta_min) * (1 + cos(math.pi * (t - 1) / t_max)) / 2  # noqa: F821

    first = lesson.check_cosine_lr(off_by_one_without_eta).message
    assert "α_1 must be α₀ = 0.1" in first and "uses the previous one" not in first
    late = lesson.check_cosine_lr(late_slip).message
    assert "α_1 … α_3 are right, α_4 is not" in late and "uses the previous one" not in late
    assert "should return one number; it returned list [0.1]" in lesson.check_cosine_lr(a_list).message
    crashed = lesson.check_cosine_lr(crash).message
    assert "raised NameError" in crashed and "The check used: α₀ = 0.1" in crashed


def test_the_cosine_slips_all_differ_from_torch_and_from_each_other():
    s = lesson.COSINE_SETUP
    expected = rates(CosineAnnealingLR(s["t_max"], s["eta_min"]), s["base_lr"], s["steps"])
    np.testing.assert_allclose([cosine_lr(s["base_lr"], t, s["t_max"], s["eta_min"])
                                for t in range(1, s["steps"] + 1)], expected, rtol=1e-15)
    paths = [[slip(s["base_lr"], t, s["t_max"], s["eta_min"]) for t in range(1, s["steps"] + 1)]
             for slip in lesson.COSINE_SLIPS.values()]
    for i, values in enumerate(paths):
        assert not np.allclose(values, expected, rtol=1e-9)
        for other in paths[i + 1:]:
            assert not np.allclose(values, other, rtol=1e-9)


def test_noise_ball_prediction_check():
    def right(alpha, lam, sigma):
        return alpha * sigma**2 / (lam * (2 - alpha * lam))

    fb = lesson.check_noise_ball_prediction(right)
    assert fb.passed and "α = 0.9, λ = 2.0, σ = 1.0" in fb.message and "simulated" in fb.message
    for hint, slip in lesson.NOISE_BALL_SLIPS.items():
        fb = lesson.check_noise_ball_prediction(slip)
        assert not fb.passed and f"Hint: {hint}" in fb.message, hint

    def stub(alpha, lam, sigma):
        raise NotImplementedError

    assert lesson.check_noise_ball_prediction(stub).message.startswith("Not yet")


def test_noise_ball_feedback_names_the_setting_and_the_numbers():
    def right(alpha, lam, sigma):
        return alpha * sigma**2 / (lam * (2 - alpha * lam))

    fb = lesson.check_noise_ball_prediction(right)
    assert "setting 3: α = 0.9, λ = 2.0, σ = 1.0, αλ = 1.8: yours 2.25" in fb.message
    assert "first order ασ²/(2λ) 0.225" in fb.message  # the factor 10 the solution quotes
    unknown = lesson.check_noise_ball_prediction(lambda a, lam, s: right(a, lam, s) * (1.3 if lam == 2.0 else 1))
    assert "setting 2, (α, λ, σ) = (0.3, 2, 0.5): yours is" in unknown.message
    assert "solve V = (1 − αλ)²·V + α²σ² for V" in unknown.message and "first update" not in unknown.message
    assert "should return one number" in lesson.check_noise_ball_prediction(lambda a, lam, s: np.array([1.0])).message
    crash = lesson.check_noise_ball_prediction(lambda a, lam, s: a * sigma)  # noqa: F821
    assert "raised NameError" in crash.message and "The check used: (α, λ, σ) = (0.1, 1, 1)" in crash.message


def test_the_noise_ball_slips_all_differ_from_the_formula_and_from_each_other():
    values = [[slip(*setting) for setting in lesson.NOISE_BALL_SETUPS] for slip in lesson.NOISE_BALL_SLIPS.values()]
    expected = [lesson.noise_ball_variance(*setting) for setting in lesson.NOISE_BALL_SETUPS]
    for i, v in enumerate(values):
        assert not np.allclose(v, expected, rtol=1e-6)
        for other in values[i + 1:]:
            assert not np.allclose(v, other, rtol=1e-6)


def test_stationary_covariance_of_sgd_is_the_noise_ball_and_unstable_is_inf():
    P = lesson.stationary_covariance([[1 - 0.3 * 2.0]], [-0.3 * 0.5])
    assert P[0, 0] == pytest.approx(lesson.noise_ball_variance(0.3, 2.0, 0.5), rel=1e-12)
    assert np.isinf(lesson.stationary_covariance([[1.0]], [1.0])).all()


def test_an_average_of_the_iterates_shrinks_the_ball():
    rows = lesson.iterate_average_table(runs=3000)
    for r in rows:
        assert r["var_x"] == pytest.approx(lesson.noise_ball_variance(0.1, 1.0, 1.0), rel=1e-12)
        assert r["simulated_average"] == pytest.approx(r["var_average"], rel=0.08)
        assert r["simulated_x"] == pytest.approx(r["var_x"], rel=0.08)
    assert rows[-1]["var_average"] < rows[-1]["var_x"] / 10  # β = 0.99


def test_just_past_the_edge_of_stability_is_labelled_before_it_overflows():
    live = lesson.NoiseBallFigure()
    live.controls["lr"].value = 10**-0.3  # α = 0.501: α λ_b = 2.004, slow growth that 300 steps do not blow up
    assert live.ax.get_title().endswith("the spread grows without bound") and not live.ball.get_visible()
    assert "unstable" in live.path.get_label()
    momentum = lesson.MomentumNoiseFigure()
    momentum.controls["beta"].value = 0.89
    momentum.controls["lr"].value = 10**-0.65  # α_eff λ = 2.03: SGD's ρ = 1.03
    assert momentum.sgd_dot.get_label() == "SGD: diverges"
    assert momentum.hb_dot.get_label().startswith("heavy ball: simulated")


# --- the faster paths the figures use: the same numbers as stepping through time --------------------------------


def test_adam_ratios_are_adams_steps_taken_one_by_one():
    snr, steps, runs, keep = np.array([0.0, 0.5, 3.0]), 60, 40, 10
    mu = snr[:, None]
    opt = Adam(1.0, 0.9, 0.99)
    grad = NoisyGradient(lambda x: mu + 0 * x, 1.0, rng=5)
    path = run(opt, grad, np.zeros((3, runs)), steps)
    np.testing.assert_allclose(lesson.adam_ratios(snr, 0.9, 0.99, steps, runs, seed=5, keep=keep),
                               -np.diff(path, axis=0)[-keep:], rtol=1e-9, atol=1e-12)


def test_row_schedules_and_shared_noise_are_separate_runs_side_by_side():
    one_by_one = [run(Adam(0.05), NoisyGradient(lambda x: x, 1.0, rng=3), np.full(7, 3.0), 50, schedule=s)
                  for s in (None, CosineAnnealingLR(50))]
    from helpers.schedules import Constant
    together = run(Adam(np.full((2, 1), 0.05)), lesson.SharedNoise(lambda x: x, 1.0, 3), np.full((2, 7), 3.0), 50,
                   schedule=lesson.RowSchedules((Constant(), CosineAnnealingLR(50)), 50))
    np.testing.assert_array_equal(together[:, 0], one_by_one[0])
    np.testing.assert_array_equal(together[:, 1], one_by_one[1])
    drawn = lesson._standard_normal(3, (50, 7))  # the same draws, made once: the same runs
    again = run(Adam(np.full((2, 1), 0.05)), lesson.SharedNoise(lambda x: x, 1.0, 3, drawn), np.full((2, 7), 3.0), 50,
                schedule=lesson.RowSchedules((Constant(), CosineAnnealingLR(50)), 50))
    np.testing.assert_array_equal(again, together)
    with pytest.raises(ValueError, match="proportional to the base rate"):
        lesson.RowSchedules((CosineAnnealingLR(50, eta_min=0.01),), 50)


def test_the_minibatch_tables_standard_error_is_the_spread_of_the_variance_estimate():
    rows = lesson.minibatch_table(batch_sizes=(16, 1024), draws=2000)
    for r in rows:
        assert 0.01 < r["se"] / r["formula"] < 0.05  # a variance from 2,000 draws: a few per cent
        assert abs(r["measured"] - r["formula"]) < 4 * r["se"]


# --- predict, then look: each question's answer is what its figure shows ----------------------------------------


def _cloud_width(live):
    x, y = live.cloud.get_data()
    return float(np.sqrt(np.var(x) + np.var(y)))


def test_question_batch_four_times_larger_halves_the_cloud():
    live = lesson.MinibatchExplorer()
    live.controls["batch_size"].value = 16
    wide, ellipse = _cloud_width(live), live.ellipse.get_width()
    live.controls["batch_size"].value = 64
    assert 0.4 < _cloud_width(live) / wide < 0.6  # "half as wide"
    assert live.ellipse.get_width() / ellipse == pytest.approx(0.5, abs=0.02)


def test_question_doubling_the_noise_quadruples_the_floor():
    live = lesson.NoiseBallFigure()
    live.controls["sigma"].value = 1.0
    floor = live.floor.get_ydata()[0]
    live.controls["sigma"].value = 2.0
    assert live.floor.get_ydata()[0] / floor == pytest.approx(4.0, rel=1e-12)


def test_question_the_heavy_balls_spread_is_about_sgds_at_the_default():
    live = lesson.MomentumNoiseFigure()
    assert live.controls["lr"].value == pytest.approx(0.02) and live.controls["beta"].value == pytest.approx(0.9)
    sgd, hb = live.sgd_dot.get_ydata()[0], live.hb_dot.get_ydata()[0]
    assert hb == pytest.approx(sgd, rel=0.25)  # "about the same", measured
    assert hb == pytest.approx(lesson.first_order_variance(0.2, 1.0, 1.0), rel=0.25)


def test_question_adams_steps_at_the_optimum_are_a_quarter_of_alpha():
    live = lesson.AdamNoiseFigure()
    assert live.controls["beta1"].value == pytest.approx(0.9)
    assert live.rms_at_zero == pytest.approx(np.sqrt(0.1 / 1.9), abs=0.03)


def test_the_notebook_asks_its_questions_just_before_the_figures_that_answer_them():
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parent.parent / "notebooks" / "07_noisy_gradients.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"]]
    for figure in ("lesson.MinibatchExplorer()", "lesson.NoiseBallFigure()", "lesson.MomentumNoiseFigure()",
                   "lesson.AdamNoiseFigure()"):
        k = next(i for i, source in enumerate(cells) if source.strip().startswith(figure))
        assert cells[k - 1].lstrip().split("\n")[-1] == ")" and "Question(" in cells[k - 1], figure


def _notebook_markdown() -> str:
    """The markdown of notebook 07, whitespace collapsed (so a quoted phrase may span a line break)."""
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parent.parent / "notebooks" / "07_noisy_gradients.ipynb").read_text())
    return " ".join(" ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown").split())


def test_the_noise_ball_try_this_quotes_the_spread_ratio_the_cell_prints():
    # The answer once said 6.7 while the cell printed 6.6: SD_w after 300 steps is 0.879 at α = 0.3, 0.132 at 0.01.
    sd = {}
    for lr in (0.01, 0.3):
        _, var = lesson.sgd_moments(np.full(300, lr), lesson.LAMBDAS, 1.0, lesson.SURFACE.start)
        sd[lr] = math.sqrt(var[-1, 0])
    ratio = f"{sd[0.3] / sd[0.01]:.1f}"
    assert ratio == "6.6"
    assert f"along w, a standard deviation {ratio} times the one at α = 0.01" in _notebook_markdown()


@pytest.mark.parametrize(("typed_in", "named"), [
    ({"t_max": 10}, "T_max = 10"), ({"base_lr": 0.1}, "α₀ = 0.1"), ({"eta_min": 0.001}, "η_min = 0.001")])
def test_a_cosine_with_a_number_of_the_first_setting_typed_in_is_caught_and_named(typed_in, named):
    # With only α₀ = 0.1, T_max = 10, η_min = 0.001 checked, a 10 typed in for t_max passed as "Correct".
    def typed(base_lr, t, t_max, eta_min=0.0):
        kw = dict({"base_lr": base_lr, "t_max": t_max, "eta_min": eta_min}, **typed_in)
        return cosine_lr(kw["base_lr"], t, kw["t_max"], kw["eta_min"])

    fb = lesson.check_cosine_lr(typed)
    assert not fb.passed and fb.message.startswith("✗ Almost: right for α₀ = 0.1, T_max = 10, η_min = 0.001")
    assert f"your rates are those of {named}, the first setting's" in fb.message
    assert "then α₀ = 1, T_max = 4, η_min = 0.05" in fb.message  # the setting, to redo by hand
    assert lesson.check_cosine_lr(cosine_lr).passed


def test_noise_drawn_once_per_seed_gives_the_same_stationary_samples():
    noise = lesson._NoiseRows(6)
    noise.rows(4, 30)  # drawn in two goes: still the stream of one default_rng(4)
    for opt in (SGD(0.3), Momentum(0.05, 0.9, form="sum")):
        expected, _ = lesson._stationary_samples(opt, 1.0, 1.0, 6, 4, 40, 25)
        got, _ = lesson._stationary_samples(opt, 1.0, 1.0, 6, 4, 40, 25, noise.rows(4, 65))
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(noise.rows(4, 65), np.random.default_rng(4).standard_normal((65, 6)))


def test_the_schedule_playground_s_tables_and_drawn_noise_are_its_schedules_and_noise():
    surface = lesson.SURFACE
    for name in lesson.lesson_schedules(60):
        expected = run(SGD(0.4), lesson._noisy(surface, 1.5, 3), surface.start, 60,
                       schedule=lesson.lesson_schedules(60)[name])
        got = run(SGD(0.4), lesson._drawn_noise(surface, 1.5, 3, 60), surface.start, 60,
                  schedule=lesson._rate_table(name, 0.4, 60))
        np.testing.assert_array_equal(got, expected)
