"""helpers.optimizers: purity, run/trace semantics, divergence, properties from theory, and every ValueError."""

import numpy as np
import pytest

from helpers.optimizers import (
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    AMSGrad,
    Momentum,
    Nesterov,
    RAdam,
    RMSProp,
    diverged_at,
    radam_rectification,
    radam_rho,
    run,
    steps_to_converge,
    trace,
)
from helpers.surfaces import elongated_quadratic, quadratic, rosenbrock

ALL = [SGD(0.1), Momentum(0.1, 0.9), Momentum(0.1, 0.9, "sum"), Nesterov(0.1, 0.9), AdaGrad(0.1), RMSProp(0.1),
       RMSProp(0.1, centered=True), Adam(0.1), AMSGrad(0.1), AMSGrad(0.1, form="optax"), AMSGrad(0.1, form="paper"),
       AdamW(0.1), RAdam(0.1), SGD(0.1, weight_decay=0.1), Adam(0.1, weight_decay=0.1)]
QUAD = elongated_quadratic()


@pytest.mark.parametrize("opt", ALL, ids=lambda o: type(o).__name__)
def test_step_is_pure(opt):
    x = np.array([1.0, -2.0])
    g = np.array([0.5, 3.0])
    state = opt.init(x)
    state_before = [np.copy(a) for a in state]
    x_new, new_state = opt.step(x, g, state)
    assert np.array_equal(x, [1.0, -2.0]) and np.array_equal(g, [0.5, 3.0])
    assert all(np.array_equal(a, b) for a, b in zip(state, state_before, strict=True))
    assert new_state.t == state.t + 1 == 1
    assert x_new.dtype == np.float64 and not np.array_equal(x_new, x)
    x_again, _ = opt.step(x, g, state)  # same inputs, same outputs
    assert np.array_equal(x_again, x_new)


@pytest.mark.parametrize("opt", ALL, ids=lambda o: type(o).__name__)
def test_run_shape_start_and_call_order(opt):
    calls = []

    def grad_fn(x):
        calls.append(np.copy(x))
        return QUAD.grad(x)

    path = run(opt, grad_fn, QUAD.start, 25)
    assert path.shape == (26, 2) and path.dtype == np.float64
    assert np.array_equal(path[0], QUAD.start)
    assert len(calls) == 25
    assert all(np.array_equal(c, p) for c, p in zip(calls, path[:-1], strict=True))  # called at x_0, x_1, … in order


def test_run_works_for_any_parameter_shape():
    target = np.arange(12.0).reshape(3, 4)
    path = run(Adam(0.5), lambda x: x - target, np.zeros((3, 4)), 300)
    assert path.shape == (301, 3, 4)
    np.testing.assert_allclose(path[-1], target, atol=1e-2)


def test_divergence_is_a_result_with_no_warning():
    # GD on 2 b² with α = 10: b is multiplied by (1 − 40) each step, overflows after ~190 steps.
    with np.errstate(all="raise"):  # any numpy floating-point warning that escaped would raise here
        path = run(SGD(10.0), QUAD.grad, QUAD.start, 400)
    k = diverged_at(path)
    assert k is not None and 150 < k < 400
    assert np.all(np.isfinite(path[:k])) and np.all(np.isnan(path[k:]))
    assert diverged_at(run(SGD(0.1), QUAD.grad, QUAD.start, 50)) is None


def test_a_run_stops_at_the_first_non_finite_iterate_not_at_a_sum_that_overflows():
    """The per-step check sums x first (cheap); a sum that overflows with every entry finite is no divergence."""
    huge = np.array([1e308, 1e308])
    path = run(SGD(0.5), lambda x: np.zeros_like(x), huge, 3)  # stays at huge: finite, though its sum is inf
    assert diverged_at(path) is None and np.array_equal(path[-1], huge)
    for bad in ([np.nan, 1.0], [np.inf, 1.0], [np.inf, -np.inf]):
        path = run(SGD(0.5), lambda x, bad=bad: np.array(bad), np.zeros(2), 3)  # x_1 = −α·bad: not finite
        assert diverged_at(path) == 1


def test_trace_keeps_states_and_history_pads_with_nan():
    tr = trace(Momentum(0.1, 0.9), QUAD.grad, QUAD.start, 10)
    assert len(tr.states) == 11 and tr.states[0].t == 0 and tr.states[-1].t == 10
    v = tr.history("v")
    assert v.shape == (11, 2) and np.array_equal(v[0], [0, 0])
    diverging = trace(SGD(10.0), QUAD.grad, QUAD.start, 400)
    t = diverging.history("t")
    assert np.isnan(t[-1]) and t[diverged_at(diverging.path) - 1] == diverged_at(diverging.path) - 1
    with pytest.raises(ValueError, match="name must be one of 't', 'v'; got name='m'"):
        tr.history("m")


def test_ewma_momentum_is_sum_momentum_with_a_scaled_learning_rate():
    lr, beta = 0.3, 0.8
    ewma = run(Momentum(lr, beta, "ewma"), QUAD.grad, QUAD.start, 200)
    summed = run(Momentum(lr * (1 - beta), beta, "sum"), QUAD.grad, QUAD.start, 200)
    np.testing.assert_allclose(ewma, summed, rtol=1e-12, atol=1e-12)


def test_zero_beta_momentum_and_nesterov_are_gradient_descent():
    gd = run(SGD(0.2), QUAD.grad, QUAD.start, 50)
    np.testing.assert_array_equal(run(Momentum(0.2, 0.0, "sum"), QUAD.grad, QUAD.start, 50), gd)
    np.testing.assert_array_equal(run(Nesterov(0.2, 0.0), QUAD.grad, QUAD.start, 50), gd)


def test_momentum_converges_exactly_where_theory_says():
    """Heavy ball on λx²/2 converges iff 0 < αλ < 2(1 + β): checked on a whole (α, β) grid at once."""
    lam = 4.0
    surface = quadratic(curvatures=(lam, lam))
    alpha = np.geomspace(0.01, 2.0, 40)[:, None, None]
    beta = np.linspace(0.0, 0.95, 20)[None, :, None]
    x0 = np.broadcast_to(np.array([1.0, 1.0]), (40, 20, 2))
    steps = steps_to_converge(Momentum(alpha, beta, "sum"), surface.grad, x0, surface.minimum, 3000, tol=1e-6)
    ratio = (alpha * lam / (2 * (1 + beta)))[..., 0]  # < 1 inside the stable region
    assert np.all(np.isfinite(steps[ratio < 0.97]))
    assert np.all(np.isinf(steps[ratio > 1.03]))


def test_grid_of_hyperparameters_equals_separate_runs():
    lrs = np.array([0.01, 0.1, 0.3])[:, None]
    x0 = np.broadcast_to(QUAD.start, (3, 2))
    grid = steps_to_converge(Momentum(lrs, 0.9), QUAD.grad, x0, QUAD.minimum, 2000, tol=1e-4)
    for lr, steps in zip(lrs[:, 0], grid, strict=True):
        path = run(Momentum(lr, 0.9), QUAD.grad, QUAD.start, 2000)
        arrived = np.flatnonzero(np.linalg.norm(path, axis=1) <= 1e-4)
        assert steps == (arrived[0] if arrived.size else np.inf)
    assert np.isinf(grid[0]) and np.all(np.isfinite(grid[1:]))  # the small rate has not arrived yet


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_adam_first_step_has_size_lr_whatever_the_gradient_scale(scale):
    x0 = np.array([1.0, -1.0])
    g = scale * np.array([3.0, -0.2])
    x1, _ = Adam(lr=0.01).step(x0, g, Adam().init(x0))
    np.testing.assert_allclose(np.abs(x1 - x0), 0.01, rtol=1e-4)


def test_adam_without_bias_correction_takes_a_first_step_of_the_wrong_size():
    x0, g = np.zeros(1), np.ones(1)
    x1, _ = Adam(lr=0.01, bias_correction=False).step(x0, g, Adam().init(x0))
    # m_1 = 0.1 g, √v_1 = √0.001 |g|: the step is α · 0.1 / 0.0316 ≈ 3.16 α
    np.testing.assert_allclose(-x1, 0.01 * 0.1 / np.sqrt(0.001), rtol=1e-6)


def test_amsgrad_keeps_the_largest_second_moment_and_adamw_without_decay_is_adam():
    surface = rosenbrock()
    v_max = trace(AMSGrad(0.01), surface.grad, surface.start, 100).history("v_max")
    assert np.all(np.diff(v_max, axis=0) >= 0)
    np.testing.assert_array_equal(
        run(AdamW(0.01, weight_decay=0.0), surface.grad, surface.start, 100),
        run(Adam(0.01), surface.grad, surface.start, 100),
    )


def test_adagrad_sum_only_grows_and_rmsprop_forgets():
    tr_ada = trace(AdaGrad(0.5), QUAD.grad, QUAD.start, 200)
    tr_rms = trace(RMSProp(0.05, beta=0.9), QUAD.grad, QUAD.start, 200)
    s_ada, s_rms = tr_ada.history("s"), tr_rms.history("s")
    assert np.all(np.diff(s_ada, axis=0) >= 0)
    assert np.any(np.diff(s_rms, axis=0) < 0)


# --- errors a learner can act on -------------------------------------------------------

BAD_HYPERPARAMETERS = [
    (SGD, {"lr": 0.0}, "lr must be a finite number > 0; got lr=0.0"),
    (SGD, {"lr": -0.1}, "lr must be a finite number > 0; got lr=-0.1"),
    (SGD, {"lr": float("nan")}, "lr must be a finite number > 0; got lr=nan"),
    (SGD, {"lr": float("inf")}, "lr must be a finite number > 0; got lr=inf"),
    (SGD, {"lr": "fast"}, "lr must be a number; got lr='fast'"),
    (Momentum, {"beta": 1.0}, r"beta must be in \[0, 1\); got beta=1.0"),
    (Momentum, {"beta": -0.5}, r"beta must be in \[0, 1\); got beta=-0.5"),
    (Momentum, {"form": "lecture"}, "form must be one of 'ewma', 'sum'; got form='lecture'"),
    (Momentum, {"lr": np.array([0.1, -1.0])}, "lr must be a finite number > 0; got lr=-1.0"),
    (Nesterov, {"beta": 1.2}, r"beta must be in \[0, 1\); got beta=1.2"),
    (Nesterov, {"lr": -1}, "lr must be a finite number > 0; got lr=-1.0"),
    (AdaGrad, {"eps": -1e-10}, "eps must be a finite number >= 0; got eps=-1e-10"),
    (AdaGrad, {"lr": 0}, "lr must be a finite number > 0; got lr=0.0"),
    (RMSProp, {"beta": float("nan")}, r"beta must be in \[0, 1\); got beta=nan"),
    (RMSProp, {"eps": float("inf")}, "eps must be a finite number >= 0; got eps=inf"),
    (RMSProp, {"lr": -0.01}, "lr must be a finite number > 0; got lr=-0.01"),
    (Adam, {"beta1": 1.0}, r"beta1 must be in \[0, 1\); got beta1=1.0"),
    (Adam, {"beta2": 1.5}, r"beta2 must be in \[0, 1\); got beta2=1.5"),
    (Adam, {"eps": -1.0}, "eps must be a finite number >= 0; got eps=-1.0"),
    (Adam, {"lr": 0.0}, "lr must be a finite number > 0; got lr=0.0"),
    (AMSGrad, {"beta1": -0.1}, r"beta1 must be in \[0, 1\); got beta1=-0.1"),
    (AMSGrad, {"beta2": 1.0}, r"beta2 must be in \[0, 1\); got beta2=1.0"),
    (AMSGrad, {"eps": -1e-8}, "eps must be a finite number >= 0; got eps=-1e-08"),
    (AMSGrad, {"lr": float("nan")}, "lr must be a finite number > 0; got lr=nan"),
    (AdamW, {"weight_decay": -0.01}, "weight_decay must be a finite number >= 0; got weight_decay=-0.01"),
    (AdamW, {"beta1": 1.0}, r"beta1 must be in \[0, 1\); got beta1=1.0"),
    (AdamW, {"beta2": -1.0}, r"beta2 must be in \[0, 1\); got beta2=-1.0"),
    (AdamW, {"eps": -1.0}, "eps must be a finite number >= 0; got eps=-1.0"),
    (AdamW, {"lr": -1.0}, "lr must be a finite number > 0; got lr=-1.0"),
    (SGD, {"weight_decay": -0.1}, "weight_decay must be a finite number >= 0; got weight_decay=-0.1"),
    (Adam, {"weight_decay": float("nan")}, "weight_decay must be a finite number >= 0; got weight_decay=nan"),
    (AdaGrad, {"initial_accumulator": -0.1},
     "initial_accumulator must be a finite number >= 0; got initial_accumulator=-0.1"),
    (AMSGrad, {"form": "keras"}, "form must be one of 'pytorch', 'optax', 'paper'; got form='keras'"),
    (RAdam, {"beta2": 1.0}, r"beta2 must be in \[0, 1\); got beta2=1.0"),
]


@pytest.mark.parametrize("cls, kwargs, message", BAD_HYPERPARAMETERS, ids=lambda v: str(v))
def test_bad_hyperparameters_name_the_parameter_value_and_range(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


@pytest.mark.parametrize("opt", ALL, ids=lambda o: type(o).__name__)
def test_non_finite_start_and_wrong_gradient_shape(opt):
    with pytest.raises(ValueError, match=r"x0 must contain only finite numbers; got x0\[1\]=nan"):
        opt.init([0.0, np.nan])
    with pytest.raises(ValueError, match=r"x0 must contain only finite numbers; got x0\[0\]=inf"):
        run(opt, QUAD.grad, [np.inf, 0.0], 5)
    x = np.zeros(2)
    with pytest.raises(ValueError, match=r"grad must have the shape of x, \(2,\); got grad with shape \(3,\)"):
        opt.step(x, np.zeros(3), opt.init(x))
    with pytest.raises(ValueError, match=r"grad must have the shape of x, \(2,\); got grad with shape \(2, 1\)"):
        run(opt, lambda x: x[:, None], x, 5)


@pytest.mark.parametrize("steps", [-1, 2.5, "10", True])
def test_bad_number_of_steps(steps):
    with pytest.raises(ValueError, match="steps must be a whole number >= 0; got steps="):
        run(SGD(0.1), QUAD.grad, QUAD.start, steps)


def test_bad_tolerance():
    with pytest.raises(ValueError, match="tol must be a finite number > 0; got tol=0.0"):
        steps_to_converge(SGD(0.1), QUAD.grad, QUAD.start, QUAD.minimum, 10, tol=0.0)


def test_steps_to_converge_stops_early_once_every_run_has_arrived_or_diverged():
    calls = []

    def grad(x):
        calls.append(1)
        return QUAD.grad(x)

    lrs = np.array([0.1, 10.0])[:, None]  # one converges, one diverges (overflows after ~190 steps)
    steps = steps_to_converge(SGD(lrs), grad, np.broadcast_to(QUAD.start, (2, 2)), QUAD.minimum, 100_000, tol=1e-6)
    assert np.isfinite(steps[0]) and np.isinf(steps[1])
    assert len(calls) < 1000


def test_effective_rate_is_lr_over_root_s_plus_eps():
    from helpers.optimizers import effective_rate

    np.testing.assert_allclose(effective_rate(AdaGrad(0.5, eps=0.5), np.array([4.0, 0.0])), [0.2, 1.0])
    tr = trace(RMSProp(0.05, beta=0.9), QUAD.grad, QUAD.start, 20)
    rate = effective_rate(RMSProp(0.05, beta=0.9), tr.history("s")[1:])
    g = QUAD.grad(tr.path[:-1])
    np.testing.assert_allclose(tr.path[1:] - tr.path[:-1], -rate * g, rtol=1e-12)  # the step is −rate · g


# --- L2 weight decay, AMSGrad's three forms, centered RMSProp, RAdam ---------------------------


@pytest.mark.parametrize("make", [lambda wd: SGD(0.1, weight_decay=wd), lambda wd: Adam(0.1, weight_decay=wd),
                                  lambda wd: AMSGrad(0.1, weight_decay=wd), lambda wd: RAdam(0.1, weight_decay=wd),
                                  lambda wd: Momentum(0.1, 0.9, weight_decay=wd),
                                  lambda wd: AdaGrad(0.1, weight_decay=wd)], ids=range(6))
def test_l2_weight_decay_is_the_gradient_of_half_wd_x_squared_added_to_g(make):
    wd = 0.3
    with_decay = run(make(wd), QUAD.grad, QUAD.start, 30)
    by_hand = run(make(0.0), lambda x: QUAD.grad(x) + wd * x, QUAD.start, 30)
    assert np.allclose(with_decay, by_hand, rtol=1e-14, atol=1e-14)
    # (Adam's steps hardly change: the decay term is divided by √v̂ like the rest: lesson 08's point)
    assert not np.allclose(with_decay, run(make(0.0), QUAD.grad, QUAD.start, 30), rtol=1e-12, atol=0)


def _amsgrad_last_step(opt) -> float:
    """The step after 10 gradients of 1, 989 of 10⁻³, then one of 1 (issue 7's sequence), in units of α."""
    g = np.concatenate([np.ones(10), np.full(989, 1e-3), [1.0]])
    path = run(opt, lambda x, t: np.full_like(x, g[t - 1]), np.zeros(1), len(g), online=True)
    return float(path[-2, 0] - path[-1, 0]) / opt.lr


def test_the_three_amsgrads_differ_several_fold_on_a_rare_large_gradient():
    assert _amsgrad_last_step(AMSGrad(form="pytorch")) == pytest.approx(0.8041, abs=1e-4)
    assert _amsgrad_last_step(AMSGrad(form="optax")) == pytest.approx(0.1009, abs=1e-4)
    assert _amsgrad_last_step(Adam()) == pytest.approx(1.1706, abs=1e-4)


def test_amsgrad_forms_by_their_definitions():
    g = np.array([3.0, 0.1, 0.1, 2.0, 0.01])
    for form in ("pytorch", "optax", "paper"):
        tr = trace(AMSGrad(1.0, 0.9, 0.99, eps=0.0, form=form), lambda x, t: np.full_like(x, g[t - 1]), np.zeros(1),
                   len(g), online=True)
        v = tr.history("v")[1:, 0]
        t = np.arange(1, len(g) + 1)
        expected = {"pytorch": np.maximum.accumulate(v), "optax": np.maximum.accumulate(v / (1 - 0.99**t)),
                    "paper": np.maximum.accumulate(v)}[form]
        assert np.allclose(tr.history("v_max")[1:, 0], expected, rtol=1e-14)
        m = tr.history("m")[1:, 0]
        m_used = m if form == "paper" else m / (1 - 0.9**t)
        v_used = expected / (1 - 0.99**t) if form == "pytorch" else expected
        assert np.allclose(-np.diff(tr.path[:, 0]), m_used / np.sqrt(v_used), rtol=1e-12)


def test_amsgrad_paper_form_equals_adam_without_bias_correction_while_v_grows():
    g = lambda x: np.ones_like(x) * 2.0  # noqa: E731 - a constant gradient: v grows, so its max is v itself
    ams = run(AMSGrad(0.01, form="paper"), g, np.zeros(2), 50)
    adam = run(Adam(0.01, bias_correction=False), g, np.zeros(2), 50)
    assert np.allclose(ams, adam, rtol=1e-14)


def test_centered_rmsprop_divides_by_the_root_of_the_variance_estimate():
    g = np.array([1.0, 3.0, -2.0, 0.5])
    tr = trace(RMSProp(1.0, beta=0.5, eps=0.0, centered=True), lambda x, t: np.full_like(x, g[t - 1]), np.zeros(1),
               len(g), online=True)
    s, m = tr.history("s")[1:, 0], tr.history("m")[1:, 0]
    assert np.allclose(-np.diff(tr.path[:, 0]), g / np.sqrt(s - m**2), rtol=1e-12)
    assert np.all(s - m**2 >= 0)


def test_radam_rho_and_rectification():
    t = np.arange(1, 10)
    rho = radam_rho(0.999, t)
    assert rho[0] == pytest.approx(1.0) and np.all(np.diff(rho) > 0)  # ρ_1 = 1, then ρ_t rises toward ρ_∞
    assert np.argmax(rho > 5) + 1 == 6  # the first rectified step with β₂ = 0.999
    r = radam_rectification(0.999, np.arange(1, 100_000))
    assert np.all(np.isnan(r[:5])) and np.all(np.diff(r[5:]) >= 0) and 0 < r[5] < 0.1
    assert r[-1] == pytest.approx(1, abs=1e-3)


def test_radam_takes_plain_momentum_steps_before_rho_exceeds_5():
    path = run(RAdam(0.1), QUAD.grad, QUAD.start, 5)
    momentum_steps = []
    m, x = np.zeros(2), QUAD.start
    for t in range(1, 6):
        m = 0.9 * m + 0.1 * QUAD.grad(x)
        x = x - 0.1 * m / (1 - 0.9**t)
        momentum_steps.append(x)
    assert np.allclose(path[1:], momentum_steps, rtol=1e-14)


# --- run's options: schedule, projection, online gradients ----------------------------------


def test_run_with_a_schedule_steps_with_the_scheduled_rates():
    from helpers.schedules import ExponentialLR, rates

    schedule = ExponentialLR(0.9)
    path = run(SGD(0.1), QUAD.grad, QUAD.start, 20, schedule=schedule)
    x, by_hand = QUAD.start, [QUAD.start]
    for alpha in rates(schedule, 0.1, 20):
        x = x - alpha * QUAD.grad(x)
        by_hand.append(x)
    assert np.allclose(path, by_hand, rtol=1e-15)
    assert not np.allclose(path, run(SGD(0.1), QUAD.grad, QUAD.start, 20))


def test_run_with_a_projection_stays_in_the_feasible_set_and_keeps_the_optimizer_memory():
    project = lambda x: np.clip(x, -1, 1)  # noqa: E731
    path = run(Momentum(0.1, 0.9, "sum"), lambda x: np.array([-1.0]), np.zeros(1), 30, project=project)
    assert path.max() == 1.0 and path.min() >= -1
    tr = trace(Momentum(0.1, 0.9, "sum"), lambda x: np.array([-1.0]), np.zeros(1), 30, project=project)
    assert tr.states[-1].v[0] == pytest.approx(-sum(0.9**k for k in range(30)))  # the velocity is not clipped


def test_online_gradient_receives_the_step_number():
    seen = []
    run(SGD(0.1), lambda x, t: seen.append(t) or np.zeros_like(x), np.zeros(1), 7, online=True)
    assert seen == list(range(1, 8))


def test_bad_schedule_and_projection_are_named():
    with pytest.raises(ValueError, match="schedule must be a helpers.schedules record"):
        run(SGD(0.1), QUAD.grad, QUAD.start, 5, schedule=0.5)
    with pytest.raises(ValueError, match="project must be a function of x"):
        run(SGD(0.1), QUAD.grad, QUAD.start, 5, project="clip")
