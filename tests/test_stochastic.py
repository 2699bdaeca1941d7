"""helpers.stochastic: mini-batch and noisy gradients are unbiased, seeded, and have the variance the formulas say."""

import numpy as np
import pytest

from helpers.optimizers import SGD, run
from helpers.stochastic import LeastSquares, MinibatchGradient, NoisyGradient, generator, minibatch_variance


def problem(n=40, d=3, seed=1) -> LeastSquares:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return LeastSquares(X, X @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.standard_normal(n))


def test_least_squares_gradient_matches_finite_differences_and_the_solution_zeroes_it():
    p = problem()
    w = np.array([0.3, 0.1, -0.7])
    h = 1e-6
    numeric = np.array([(p.loss(w + h * e) - p.loss(w - h * e)) / (2 * h) for e in np.eye(3)])
    assert np.allclose(p.grad(w), numeric, rtol=1e-7, atol=1e-9)
    assert np.allclose(p.grad(w), p.example_grads(w).mean(axis=0), rtol=1e-13)
    assert np.allclose(p.grad(p.solution()), 0, atol=1e-12)
    assert np.allclose(p.hessian() @ np.ones(3), (p.grad(np.ones(3)) - p.grad(np.zeros(3))), rtol=1e-12)


@pytest.mark.parametrize("sampling", ["without replacement", "with replacement", "epochs"])
def test_minibatch_gradient_is_unbiased(sampling):
    p = problem()
    w = np.array([0.3, 0.1, -0.7])
    g = MinibatchGradient(p.grad, p.n, 8, rng=3, sampling=sampling)
    draws = np.array([g(w) for _ in range(20_000)])
    standard_error = draws.std(axis=0) / np.sqrt(len(draws))
    assert np.all(np.abs(draws.mean(axis=0) - p.grad(w)) < 5 * standard_error)


@pytest.mark.parametrize("replace", [False, True])
def test_minibatch_variance_formula_against_simulation(replace):
    p = problem()
    w = np.array([0.3, 0.1, -0.7])
    B = 10
    g = MinibatchGradient(p.grad, p.n, B, rng=5, sampling="with replacement" if replace else "without replacement")
    draws = np.array([g(w) for _ in range(40_000)])
    predicted = minibatch_variance(p.example_grads(w), B, replace=replace)
    assert np.allclose(draws.var(axis=0), predicted, rtol=0.03)


def test_the_finite_population_factor_and_the_full_batch():
    grads = np.random.default_rng(0).standard_normal((30, 2))
    assert np.allclose(minibatch_variance(grads, 30), 0)  # the whole data set: no noise at all
    ratio = minibatch_variance(grads, 5) / minibatch_variance(grads, 5, replace=True)
    assert np.allclose(ratio, (30 - 5) / (30 - 1))


def test_epochs_visit_every_example_once_per_epoch_and_batches_are_recorded():
    g = MinibatchGradient(lambda x, b: np.zeros_like(x), 12, 4, rng=0, sampling="epochs")
    for _ in range(6):
        g(np.zeros(1))
    first, second = np.concatenate(g.batches[:3]), np.concatenate(g.batches[3:])
    assert sorted(first) == list(range(12)) and sorted(second) == list(range(12))
    assert not np.array_equal(first, second)


def test_same_seed_same_path_other_seed_other_path():
    p = problem()
    paths = [run(SGD(0.05), MinibatchGradient(p.grad, p.n, 4, rng=seed), np.zeros(3), 50) for seed in (7, 7, 8)]
    assert np.array_equal(paths[0], paths[1]) and not np.allclose(paths[0], paths[2])
    noisy = [run(SGD(0.05), NoisyGradient(p.grad, 0.5, rng=seed), np.zeros(3), 50) for seed in (7, 7, 8)]
    assert np.array_equal(noisy[0], noisy[1]) and not np.allclose(noisy[0], noisy[2])


def test_noisy_gradient_adds_noise_of_variance_sigma_squared():
    g = NoisyGradient(lambda x: np.array([1.0, -2.0]), sigma=0.5, rng=np.random.default_rng(2))
    draws = np.array([g(np.zeros(2)) for _ in range(40_000)])
    assert np.allclose(draws.mean(axis=0), [1.0, -2.0], atol=0.02)
    assert np.allclose(draws.var(axis=0), 0.25, rtol=0.03)


def test_errors_name_the_argument():
    p = problem()
    with pytest.raises(ValueError, match="batch_size must be at most n = 40 when sampling without replacement"):
        MinibatchGradient(p.grad, p.n, 41)
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1; got batch_size=0"):
        MinibatchGradient(p.grad, p.n, 0)
    with pytest.raises(ValueError, match="sampling must be one of"):
        MinibatchGradient(p.grad, p.n, 4, sampling="shuffle")
    with pytest.raises(ValueError, match="rng must be a numpy.random.Generator or a seed"):
        generator("seed")
    with pytest.raises(ValueError, match="sigma must be a finite number >= 0; got sigma=-1.0"):
        NoisyGradient(p.grad, -1.0)
    with pytest.raises(ValueError, match=r"y must have one target per row of X, shape \(3,\); got y with shape \(2,\)"):
        LeastSquares(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"X must be a 2-D array"):
        LeastSquares(np.ones(3), np.ones(3))


def test_minibatch_covariance_has_the_variance_on_its_diagonal_and_matches_simulation():
    from helpers.stochastic import minibatch_covariance

    p = problem()
    w = np.array([0.3, 0.1, -0.7])
    grads = p.example_grads(w)
    for replace in (False, True):
        cov = minibatch_covariance(grads, 10, replace=replace)
        np.testing.assert_allclose(np.diag(cov), minibatch_variance(grads, 10, replace=replace), rtol=1e-12)
        np.testing.assert_allclose(cov, cov.T)
    g = MinibatchGradient(p.grad, p.n, 10, rng=4)
    draws = np.array([g(w) for _ in range(40_000)])
    cov = minibatch_covariance(grads, 10)
    scale = np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    assert np.abs(np.cov(draws.T) - cov).max() < 0.04 * scale.max()
    assert np.allclose(minibatch_covariance(grads, p.n), 0)
    with pytest.raises(ValueError, match="batch_size must be at most n = 40 without replacement; got batch_size=41"):
        minibatch_covariance(grads, 41)
    with pytest.raises(ValueError, match=r"example_grads must be a 2-D array"):
        minibatch_covariance(np.ones(4), 2)
