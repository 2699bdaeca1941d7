"""helpers.averages: the recursion against its unrolled form, weights, bias correction, effective window."""

import math

import numpy as np
import pytest

from helpers.averages import bias_correction_factor, effective_window, ewma, ewma_weights, sliding_mean

RNG = np.random.default_rng(20261129)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.98, 0.999])
@pytest.mark.parametrize("t", [1, 2, 10, 365])
def test_weights_sum_to_one_minus_beta_to_the_t(beta, t):
    w = ewma_weights(beta, t)
    assert w.shape == (t,)
    assert math.isclose(w.sum(), 1 - beta**t, rel_tol=1e-12, abs_tol=1e-15)
    assert w[-1] == pytest.approx(1 - beta)  # today's value weighs 1 − β
    assert np.all(np.diff(w) >= 0)  # older values weigh less


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.98])
def test_recursion_equals_unrolled_sum(beta):
    theta = RNG.normal(10, 3, size=200)
    v = ewma(theta, beta)
    for t in (1, 2, 17, 200):
        assert v[t - 1] == pytest.approx(ewma_weights(beta, t) @ theta[:t], rel=1e-12)


def test_first_two_values_with_beta_098():
    theta = np.array([12.8, 10.6])
    v = ewma(theta, 0.98)
    assert v[0] == pytest.approx(0.02 * 12.8, rel=1e-14)
    assert v[1] == pytest.approx(0.0196 * 12.8 + 0.02 * 10.6, rel=1e-14)
    v_hat = ewma(theta, 0.98, bias_correction=True)
    assert v_hat[0] == pytest.approx(12.8, rel=1e-14)
    assert abs(v_hat[1] - theta.mean()) < 0.02  # almost the plain mean of θ₁ and θ₂


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98, 0.999])
def test_bias_corrected_average_of_a_constant_is_that_constant_from_step_1(beta):
    v_hat = ewma(np.full(500, 7.25), beta, bias_correction=True)
    np.testing.assert_allclose(v_hat, 7.25, rtol=1e-12)
    raw = ewma(np.full(500, 7.25), beta)
    assert raw[0] < 7.25  # without the correction it starts too low


def test_bias_correction_factor():
    np.testing.assert_allclose(bias_correction_factor(0.9, 3), [0.1, 0.19, 0.271])


def test_effective_window():
    assert effective_window(0.9) == 10
    assert effective_window(0.98) == 50
    assert effective_window(0.5) == 2
    assert effective_window(0.0) == 1


def test_beta_to_the_window_tends_to_one_over_e():
    betas = np.array([0.5, 0.9, 0.98, 0.999, 0.99999])
    gaps = np.abs(betas ** (1 / (1 - betas)) - 1 / math.e)
    assert np.all(np.diff(gaps) < 0)  # gets better as β → 1
    assert gaps[-1] < 1e-5


def test_sliding_mean_against_convolution():
    theta = RNG.normal(size=100)
    w = 7
    full = np.convolve(theta, np.ones(w) / w, mode="valid")
    np.testing.assert_allclose(sliding_mean(theta, w)[w - 1 :], full, rtol=1e-12)
    assert sliding_mean(theta, w)[0] == theta[0]


def test_ewma_of_many_series_at_once_is_each_series_ewma():
    theta = RNG.normal(size=(50, 3, 2))  # time first: six series side by side
    for bias_correction in (False, True):
        together = ewma(theta, 0.8, bias_correction=bias_correction)
        for i in range(3):
            for j in range(2):
                np.testing.assert_array_equal(together[:, i, j], ewma(theta[:, i, j], 0.8, bias_correction))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ewma([1.0, 2.0], 1.0), r"beta must be in \[0, 1\); got beta=1.0"),
        (lambda: ewma([1.0, np.nan], 0.9), r"theta must contain only finite numbers; got theta\[1\]=nan"),
        (lambda: ewma(3.0, 0.9), r"theta must be a series \(time along its first axis\); got a single number"),
        (lambda: ewma_weights(-0.1, 3), r"beta must be in \[0, 1\); got beta=-0.1"),
        (lambda: ewma_weights(0.9, -3), "t must be a whole number >= 0; got t=-3"),
        (lambda: effective_window(1.0), r"beta must be in \[0, 1\); got beta=1.0"),
        (lambda: sliding_mean([1.0], 0), "window must be a whole number >= 1; got window=0"),
        (lambda: bias_correction_factor(0.9, 2.5), "t must be a whole number >= 0; got t=2.5"),
    ],
)
def test_errors_name_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
