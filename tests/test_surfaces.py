"""helpers.surfaces: gradients against central finite differences, minima, vectorization, quiet overflow."""

import numpy as np
import pytest

from helpers.surfaces import (
    SURFACES,
    beale,
    curvatures,
    elongated_quadratic,
    hessian,
    quadratic,
    rosenbrock,
    rotated_quadratic,
    saddle,
)

RNG = np.random.default_rng(7)
ALL = [factory() for factory in SURFACES.values()] + [quadratic((1.0, 9.0)), rosenbrock(a=2.0, b=10.0),
                                                     rotated_quadratic(30)]


def central_difference(f, p, h=1e-6):
    e = np.eye(2) * h
    return np.array([(f(p + e[i]) - f(p - e[i])) / (2 * h) for i in range(2)])


@pytest.mark.parametrize("s", ALL, ids=lambda s: s.name)
def test_gradient_matches_central_differences(s):
    points = np.column_stack([RNG.uniform(*s.xlim, 20), RNG.uniform(*s.ylim, 20)])
    for p in points:
        fd = central_difference(s.f, p)
        np.testing.assert_allclose(s.grad(p), fd, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(fd).max()))


@pytest.mark.parametrize("s", ALL, ids=lambda s: s.name)
def test_minimum_is_stationary_and_lowest_on_the_grid(s):
    np.testing.assert_allclose(s.grad(s.minimum), 0.0, atol=1e-12)
    _, _, Z = s.grid(120)
    assert Z.min() >= s.f_min - 1e-12
    assert s.xlim[0] < s.start[0] < s.xlim[1] and s.ylim[0] < s.start[1] < s.ylim[1]


@pytest.mark.parametrize("s", ALL, ids=lambda s: s.name)
def test_vectorized_over_leading_axes(s):
    p = RNG.normal(size=(4, 3, 2))
    F, G = s.f(p), s.grad(p)
    assert F.shape == (4, 3) and G.shape == (4, 3, 2)
    for i in range(4):
        for j in range(3):
            assert F[i, j] == pytest.approx(s.f(p[i, j]), rel=1e-13)
            np.testing.assert_allclose(G[i, j], s.grad(p[i, j]), rtol=1e-13)


@pytest.mark.parametrize("s", ALL, ids=lambda s: s.name)
def test_far_points_overflow_quietly(s):
    with np.errstate(all="raise"):
        value = s.f(np.array([1e200, -1e200]))
        s.grad(np.array([1e200, -1e200]))
        s.f(np.array([np.nan, 0.0]))
    assert not np.isfinite(value)


def test_known_values():
    q = elongated_quadratic()
    assert q.f(np.array([1.0, 1.0])) == pytest.approx(0.1 + 2.0)  # 0.1 w² + 2 b²
    assert elongated_quadratic(condition_number=100, steep=2).f(np.array([1.0, 0.0])) == pytest.approx(0.01)
    assert rosenbrock().f(np.array([0.0, 0.0])) == 1.0
    assert beale().f(np.array([3.0, 0.5])) == 0.0
    s = saddle()
    assert s.f_min == -0.25 and np.array_equal(s.grad(np.zeros(2)), [0.0, 0.0])  # the origin is stationary…
    assert s.f(np.array([0.0, 0.1])) < 0 < s.f(np.array([0.1, 0.0]))  # …but a saddle


def test_scaled_surface_multiplies_loss_and_gradient():
    s = rosenbrock()
    big = s.scaled(1000)
    p = np.array([0.3, -0.2])
    assert big.f(p) == pytest.approx(1000 * s.f(p))
    np.testing.assert_allclose(big.grad(p), 1000 * s.grad(p))
    np.testing.assert_array_equal(big.minimum, s.minimum)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rosenbrock().f(np.zeros(3)), r"p must have a last axis of length 2 \(x, y\); got p with shape \(3,\)"),
        (lambda: beale().grad(np.zeros((4, 1))), r"p must have a last axis of length 2 \(x, y\); got p with shape"),
        (lambda: elongated_quadratic(condition_number=0.5), "condition_number must be >= 1; got condition_number=0.5"),
        (lambda: elongated_quadratic(steep=-1), "steep must be a finite number > 0; got steep=-1.0"),
        (lambda: quadratic((1.0, 0.0)), "curvatures must be a finite number > 0; got curvatures=0.0"),
        (lambda: rosenbrock(b=0), "b must be a finite number > 0; got b=0.0"),
        (lambda: saddle().scaled(-2), "c must be a finite number > 0; got c=-2.0"),
        (lambda: saddle().grid(1), "n must be a whole number >= 2; got n=1"),
    ],
)
def test_errors_name_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_scaled_surface_overflows_quietly_too():
    big = rosenbrock().scaled(1000)
    with np.errstate(all="raise"):
        assert not np.isfinite(big.f(np.array([1e150, 1e150])))
        big.grad(np.array([1e150, 1e150]))


def test_hessian_and_curvatures():
    np.testing.assert_allclose(hessian(elongated_quadratic()), np.diag([0.2, 4.0]), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(curvatures(elongated_quadratic(100, 10)), [0.1, 10.0], rtol=1e-9)
    x, y = 0.5, -0.3  # Rosenbrock's Hessian by hand: [[2 − 400(y − x²) + 800x², −400x], [−400x, 200]]
    exact = np.array([[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]])
    np.testing.assert_allclose(hessian(rosenbrock(), at=(x, y)), exact, rtol=1e-6)
    np.testing.assert_allclose(curvatures(rosenbrock(), at=(x, y)), np.linalg.eigvalsh(exact), rtol=1e-6)


def test_rotated_quadratic_keeps_the_curvatures_and_turns_the_axes():
    p = RNG.normal(size=(5, 2))
    np.testing.assert_allclose(rotated_quadratic(0).f(p), elongated_quadratic().f(p), rtol=1e-14)
    turned = rotated_quadratic(30)
    np.testing.assert_allclose(curvatures(turned), [0.2, 4.0], rtol=1e-8)
    theta = np.deg2rad(30)
    long_axis = np.array([np.cos(theta), np.sin(theta)])  # the shallow direction, turned with the bowl
    np.testing.assert_allclose(turned.grad(long_axis), 0.2 * long_axis, rtol=1e-12)
    assert np.abs(hessian(turned)[0, 1]) > 0.5  # the coordinates are coupled now
    assert turned.name == "quadratic (curvatures 0.2, 4) turned 30°"
