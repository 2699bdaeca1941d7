r"""Two-dimensional test surfaces for the optimizer lessons.

A point is an array whose last axis holds the two coordinates ``(x, y)``:
``f`` maps shape ``(..., 2)`` to ``(...)`` and ``grad`` maps ``(..., 2)`` to
``(..., 2)``, so one call evaluates a whole contour grid or a whole path.
Far from the minimum (a diverging path) values overflow to inf quietly: no
numpy warning is raised.

Each ``Surface`` knows its minimum, a start point that shows something, and a
plotting window::

    from helpers.surfaces import elongated_quadratic
    s = elongated_quadratic()        # f(w, b) = 0.1 w² + 2 b², condition number 20
    s.f(s.start), s.grad(s.start), s.minimum, s.xlim, s.ylim
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from helpers import _checks

__all__ = ["Surface", "hessian", "curvatures", "quadratic", "elongated_quadratic", "rotated_quadratic", "rosenbrock",
           "beale", "saddle", "SURFACES"]


def _coordinates(p) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=float)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"p must have a last axis of length 2 (x, y); got p with shape {p.shape}.")
    return p[..., 0], p[..., 1]


def _quiet(fn: Callable) -> Callable:
    """Evaluate ``fn`` with numpy's overflow/invalid warnings off (far points give inf/NaN)."""

    @functools.wraps(fn)
    def wrapper(p):
        with np.errstate(over="ignore", invalid="ignore"):
            return fn(p)

    return wrapper


@dataclass(frozen=True, eq=False)
class Surface:
    """A test function on the plane, with what a lesson needs to draw and start on it."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    minimum: np.ndarray  # the minimizer the default start leads to
    start: np.ndarray  # a start point that shows the lesson's point
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    formula: str = ""  # LaTeX, for titles and prose
    axis_names: tuple[str, str] = ("x", "y")  # the coordinates' symbols, e.g. ("w", "b")
    axis_labels: tuple[str, str] = ("x", "y")  # what the plot's axes say

    @property
    def f_min(self) -> float:
        """f at ``minimum``."""
        return float(self.f(self.minimum))

    def grid(self, n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``X, Y, Z`` over the plotting window (``n × n`` points), for a contour plot."""
        n = _checks.whole_number("n", n, minimum=2)
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self.f(np.stack([X, Y], axis=-1))

    def scaled(self, c: float) -> Surface:
        """The same landscape with the loss multiplied by ``c`` (so the gradient is too)."""
        c = _checks.positive("c", c)
        return Surface(
            name=f"{c:g} × {self.name}",
            f=_quiet(lambda p: c * self.f(p)),
            grad=_quiet(lambda p: c * self.grad(p)),
            minimum=self.minimum,
            start=self.start,
            xlim=self.xlim,
            ylim=self.ylim,
            formula=f"{c:g}\\,\\left({self.formula}\\right)" if self.formula else "",
            axis_names=self.axis_names,
            axis_labels=self.axis_labels,
        )


def hessian(surface: Surface, at=None, h: float = 1e-4) -> np.ndarray:
    r"""The Hessian :math:`H_{ij} = \partial^2 f / \partial x_i \partial x_j` at ``at`` (default: the minimum).

    Central differences of the gradient, :math:`H e_j \approx (\nabla f(x + h e_j) - \nabla f(x - h e_j)) / 2h`,
    exact up to rounding on a quadratic (its gradient is linear).  Symmetrized.  Its
    diagonal is the curvature along each coordinate axis.
    """
    x = np.asarray(surface.minimum if at is None else at, dtype=float)
    steps = h * np.eye(len(x))
    columns = (surface.grad(x + steps) - surface.grad(x - steps)) / (2 * h)  # row j: H e_j
    return (columns + columns.T) / 2


def curvatures(surface: Surface, at=None) -> np.ndarray:
    """The eigenvalues λ of the Hessian at ``at`` (default: the minimum), smallest first.

    Gradient descent on a quadratic is stable iff α < 2 / λ_max; κ = λ_max / λ_min.
    """
    return np.linalg.eigvalsh(hessian(surface, at))


def quadratic(curvatures=(0.2, 4.0), start=(-5.0, -2.0), xlim=(-6.0, 2.0), ylim=(-3.0, 3.0), name=None) -> Surface:
    r"""The axis-aligned quadratic :math:`f(x, y) = \tfrac12(\lambda_x x^2 + \lambda_y y^2)`.

    Its gradient is :math:`(\lambda_x x, \lambda_y y)`; gradient descent is stable
    for :math:`\alpha < 2 / \max\lambda`.
    """
    lam_x, lam_y = _checks.positive("curvatures", np.asarray(curvatures, dtype=float))
    name = name or f"quadratic (curvatures {lam_x:g}, {lam_y:g})"

    @_quiet
    def f(p):
        x, y = _coordinates(p)
        return 0.5 * (lam_x * x**2 + lam_y * y**2)

    lam = np.array([lam_x, lam_y])

    @_quiet
    def grad(p):
        _coordinates(p)  # (checks the shape)
        return np.asarray(p, dtype=float) * lam  # (λ_x x, λ_y y), without np.stack's cost: every step

    return Surface(
        name=name,
        f=f,
        grad=grad,
        minimum=np.zeros(2),
        start=np.asarray(start, dtype=float),
        xlim=tuple(xlim),
        ylim=tuple(ylim),
        formula=f"{lam_x / 2:g}\\,x^2 + {lam_y / 2:g}\\,y^2",
    )


def elongated_quadratic(condition_number: float = 20.0, steep: float = 4.0) -> Surface:
    r"""A long narrow bowl: :math:`f(w, b) = \tfrac12(\lambda_w w^2 + \lambda_b b^2)`.

    :math:`\lambda_b` = ``steep`` and :math:`\lambda_w = \lambda_b / \kappa` with
    κ = ``condition_number``.  The default is :math:`0.1 w^2 + 2 b^2`: gradient
    descent zig-zags across b (steep) and crawls along w (shallow), and diverges
    once α > 2/λ_b = 0.5.
    """
    kappa = _checks.positive("condition_number", condition_number)
    if kappa < 1:
        raise ValueError(f"condition_number must be >= 1; got condition_number={kappa!r}.")
    steep = _checks.positive("steep", steep)
    bowl = quadratic(
        curvatures=(steep / kappa, steep),
        start=(-5.0, -2.0),
        xlim=(-6.0, 2.0),
        ylim=(-3.0, 3.0),
        name=f"elongated quadratic (κ = {kappa:g})",
    )
    return dataclasses.replace(bowl, formula=bowl.formula.replace("x", "w").replace("y", "b"),
                               axis_names=("w", "b"), axis_labels=("w (shallow direction)", "b (steep direction)"))


def rotated_quadratic(degrees: float, curvatures=(0.2, 4.0), start=(-5.0, -2.0), xlim=(-6.0, 2.0),
                      ylim=(-3.0, 3.0)) -> Surface:
    r"""A quadratic bowl turned by ``degrees``: :math:`f(p) = \tfrac12 p^\top H p`, :math:`H = R\,\Lambda R^\top`.

    :math:`R` turns the plane by ``degrees`` (counter-clockwise) and :math:`\Lambda = \mathrm{diag}(\lambda)`:
    the curvatures λ are ``quadratic(curvatures)``'s, but the long axis no longer lies
    along a coordinate; 0° is ``quadratic(curvatures)`` itself (by default lesson 03's
    bowl 0.1 w² + 2 b², same start and window).  Its gradient is :math:`Hp`: every coordinate
    now mixes a steep and a shallow direction, which per-coordinate methods (AdaGrad,
    RMSProp, Adam) notice and gradient descent does not.
    """
    lam = _checks.positive("curvatures", np.asarray(curvatures, dtype=float))
    theta = np.deg2rad(float(degrees))
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    H = R @ np.diag(lam) @ R.T

    @_quiet
    def f(p):
        _coordinates(p)
        p = np.asarray(p, dtype=float)
        return 0.5 * np.einsum("...i,ij,...j->...", p, H, p)

    @_quiet
    def grad(p):
        _coordinates(p)
        return np.asarray(p, dtype=float) @ H  # H is symmetric: (Hp)ᵀ = pᵀH

    return Surface(
        name=f"quadratic (curvatures {lam[0]:g}, {lam[1]:g}) turned {float(degrees):g}°",
        f=f,
        grad=grad,
        minimum=np.zeros(2),
        start=np.asarray(start, dtype=float),
        xlim=tuple(xlim),
        ylim=tuple(ylim),
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    r"""Rosenbrock's banana valley: :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`, minimum at :math:`(a, a^2)`."""
    a = float(a)
    b = _checks.positive("b", b)

    @_quiet
    def f(p):
        x, y = _coordinates(p)
        return (a - x) ** 2 + b * (y - x**2) ** 2

    @_quiet
    def grad(p):
        x, y = _coordinates(p)
        return np.stack([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)], axis=-1)

    return Surface(
        name="Rosenbrock",
        f=f,
        grad=grad,
        minimum=np.array([a, a**2]),
        start=np.array([-1.5, 2.0]),
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        formula=f"({a:g} - x)^2 + {b:g}\\,(y - x^2)^2",
    )


def beale() -> Surface:
    r"""Beale's function: :math:`(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`, minimum at (3, 0.5)."""
    c = np.array([1.5, 2.25, 2.625])

    @_quiet
    def f(p):
        x, y = _coordinates(p)
        return sum((c[k] - x + x * y ** (k + 1)) ** 2 for k in range(3))

    @_quiet
    def grad(p):
        x, y = _coordinates(p)
        r = [c[k] - x + x * y ** (k + 1) for k in range(3)]  # the three residuals
        dx = sum(2 * r[k] * (y ** (k + 1) - 1) for k in range(3))
        dy = sum(2 * r[k] * x * (k + 1) * y**k for k in range(3))
        return np.stack([dx, dy], axis=-1)

    return Surface(
        name="Beale",
        f=f,
        grad=grad,
        minimum=np.array([3.0, 0.5]),
        start=np.array([1.0, 1.5]),
        xlim=(-4.5, 4.5),
        ylim=(-4.5, 4.5),
        formula="(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    )


def saddle() -> Surface:
    r"""A saddle between two valleys: :math:`f(x, y) = x^2 + y^4/4 - y^2/2`.

    The origin is a saddle point (a minimum along x, a maximum along y); the
    minima are (0, ±1) with f = −1/4.  The start sits just off the ridge y = 0,
    so the gradient along y is tiny at first: a test of how fast an optimizer
    escapes.
    """

    @_quiet
    def f(p):
        x, y = _coordinates(p)
        return x**2 + y**4 / 4 - y**2 / 2

    @_quiet
    def grad(p):
        x, y = _coordinates(p)
        return np.stack([2 * x, y**3 - y], axis=-1)

    return Surface(
        name="saddle",
        f=f,
        grad=grad,
        minimum=np.array([0.0, 1.0]),
        start=np.array([-1.5, 1e-3]),
        xlim=(-2.0, 2.0),
        ylim=(-1.6, 1.6),
        formula="x^2 + y^4/4 - y^2/2",
    )


#: The surfaces a playground offers, by the name shown in its drop-down.
SURFACES: dict[str, Callable[[], Surface]] = {
    "elongated quadratic": elongated_quadratic,
    "Rosenbrock": rosenbrock,
    "Beale": beale,
    "saddle": saddle,
}
