r"""Noisy gradients: mini-batches drawn from a data set, or exact gradients plus Gaussian noise.

Every random draw comes from an explicit ``numpy.random.Generator`` (pass one, or an
int seed): the same seed gives the same batches, hence the same path.  Both kinds of
noisy gradient are callables ``g(x)`` that draw anew at every call, so they plug into
``helpers.optimizers.run`` (which calls its ``grad_fn`` once per step, in order)::

    from helpers.stochastic import LeastSquares, MinibatchGradient
    problem = LeastSquares(X, y)                      # f(w) = 1/(2n) ‖Xw − y‖²
    g = MinibatchGradient(problem.grad, problem.n, batch_size=16, rng=0)
    path = run(SGD(0.05), g, w0, steps=500)

A mini-batch gradient is an unbiased estimate of the full gradient,
:math:`\mathbb E[g_B] = \nabla f`; its variance falls like 1/B (see
``minibatch_variance``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from helpers import _checks

__all__ = ["generator", "LeastSquares", "MinibatchGradient", "NoisyGradient", "SAMPLINGS", "minibatch_variance",
           "minibatch_covariance"]

#: How a mini-batch is drawn (see ``MinibatchGradient``).
SAMPLINGS = ("without replacement", "with replacement", "epochs")


def generator(rng) -> np.random.Generator:
    """``rng`` if it is a numpy Generator; a new seeded one if it is an int seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng must be a numpy.random.Generator or a seed (an int >= 0); got rng={rng!r}.")


@dataclass(frozen=True, eq=False)
class LeastSquares:
    r"""Linear least squares, :math:`f(w) = \frac1{2n}\sum_{i=1}^n (x_i^\top w - y_i)^2 = \frac1{2n}\|Xw - y\|^2`.

    The gradient over a batch B of rows is the mean of the per-example gradients,
    :math:`g_B(w) = \frac1{|B|}\sum_{i\in B} x_i\,(x_i^\top w - y_i)`; over all rows it is
    :math:`\nabla f(w) = X^\top(Xw - y)/n`.
    """

    X: np.ndarray  # (n, d): one example per row
    y: np.ndarray  # (n,)

    def __post_init__(self):
        X = _checks.finite_array("X", self.X)
        y = _checks.finite_array("y", self.y)
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array (examples × features); got X with shape {X.shape}.")
        if y.shape != (len(X),):
            raise ValueError(f"y must have one target per row of X, shape ({len(X)},); got y with shape {y.shape}.")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    @property
    def n(self) -> int:
        """The number of examples."""
        return len(self.X)

    def residuals(self, w) -> np.ndarray:
        r""":math:`r_i = x_i^\top w - y_i` for every example (w may carry leading axes: many w at once)."""
        w = np.asarray(w, dtype=float)
        return w @ self.X.T - self.y

    def loss(self, w) -> np.ndarray:
        r""":math:`f(w) = \frac1{2n}\|Xw - y\|^2` (vectorized over leading axes of w)."""
        return 0.5 * np.mean(self.residuals(w) ** 2, axis=-1)

    def example_grads(self, w) -> np.ndarray:
        r"""The per-example gradients :math:`x_i (x_i^\top w - y_i)`, shape (n, d)."""
        w = _checks.same_shape("w", w, np.empty(self.X.shape[1]), "a weight vector")
        return self.X * self.residuals(w)[:, None]

    def grad(self, w, batch=None) -> np.ndarray:
        r"""The mean gradient over the rows ``batch`` (all rows if None): :math:`\frac1{|B|}X_B^\top(X_B w - y_B)`."""
        w = np.asarray(w, dtype=float)
        X, y = (self.X, self.y) if batch is None else (self.X[batch], self.y[batch])
        return X.T @ (X @ w - y) / len(X)

    def solution(self) -> np.ndarray:
        """The minimizer w* (numpy's least-squares solver)."""
        return np.linalg.lstsq(self.X, self.y, rcond=None)[0]

    def hessian(self) -> np.ndarray:
        r"""The (constant) Hessian :math:`X^\top X / n`; its eigenvalues are the curvatures λ."""
        return self.X.T @ self.X / self.n


@dataclass(eq=False)
class MinibatchGradient:
    r"""A noisy gradient: at every call, ``batch_grad(x, batch)`` on a freshly drawn mini-batch of indices.

    ``sampling``:

    - ``"without replacement"``: each batch holds ``batch_size`` distinct examples, drawn
      afresh at every call, independently of the last (the case of the variance formula);
    - ``"with replacement"``: examples drawn independently, repeats allowed;
    - ``"epochs"``: shuffle the n examples, walk through them a batch at a time, reshuffle
      when fewer than ``batch_size`` are left (what training loops usually do).

    ``batches`` records every batch drawn, in order (for a check, or to replay them).
    """

    batch_grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    n: int
    batch_size: int
    rng: object = 0
    sampling: str = "without replacement"
    batches: list = field(default_factory=list, repr=False)

    def __post_init__(self):
        self.n = _checks.whole_number("n", self.n, minimum=1)
        self.batch_size = _checks.whole_number("batch_size", self.batch_size, minimum=1)
        _checks.one_of("sampling", self.sampling, SAMPLINGS)
        if self.sampling != "with replacement" and self.batch_size > self.n:
            raise ValueError(f"batch_size must be at most n = {self.n} when sampling {self.sampling}; "
                             f"got batch_size={self.batch_size}.")
        self.rng = generator(self.rng)
        self._order, self._next = np.empty(0, dtype=int), 0

    def draw(self) -> np.ndarray:
        """The next batch of example indices."""
        if self.sampling == "with replacement":
            batch = self.rng.integers(0, self.n, size=self.batch_size)
        elif self.sampling == "without replacement":
            batch = self.rng.choice(self.n, size=self.batch_size, replace=False)
        else:
            if self._next + self.batch_size > len(self._order):
                self._order, self._next = self.rng.permutation(self.n), 0
            batch = self._order[self._next : self._next + self.batch_size]
            self._next += self.batch_size
        self.batches.append(batch)
        return batch

    def __call__(self, x) -> np.ndarray:
        return self.batch_grad(x, self.draw())


@dataclass(eq=False)
class NoisyGradient:
    r"""The exact gradient plus Gaussian noise: :math:`g(x) = \nabla f(x) + \sigma\,\xi`, :math:`\xi \sim N(0, I)`.

    Unbiased, with variance σ² per coordinate: the textbook model of a stochastic gradient.
    """

    grad_fn: Callable[[np.ndarray], np.ndarray]
    sigma: float
    rng: object = 0

    def __post_init__(self):
        self.sigma = _checks.nonnegative("sigma", self.sigma)
        self.rng = generator(self.rng)

    def __call__(self, x) -> np.ndarray:
        g = np.asarray(self.grad_fn(x), dtype=float)
        return g + self.sigma * self.rng.standard_normal(g.shape)  # ∇f(x) + σ ξ


def minibatch_variance(example_grads: np.ndarray, batch_size: int, replace: bool = False) -> np.ndarray:
    r"""Per coordinate, the variance of the mean gradient over a random batch of B of the n examples.

    With :math:`S^2 = \frac1{n}\sum_i (g_i - \bar g)^2` the population variance of the
    per-example gradients :math:`g_i`:

    - with replacement: :math:`\operatorname{Var} g_B = S^2 / B`;
    - without replacement: :math:`\operatorname{Var} g_B = \frac{S^2}{B}\cdot\frac{n - B}{n - 1}`
      (the finite-population factor: a batch of all n examples has no variance).
    """
    g = _checks.finite_array("example_grads", example_grads)
    n = len(g)
    B = _checks.whole_number("batch_size", batch_size, minimum=1)
    if not replace and B > n:
        raise ValueError(f"batch_size must be at most n = {n} without replacement; got batch_size={B}.")
    S2 = np.var(g, axis=0)  # population variance (divides by n)
    if replace:
        return S2 / B
    return S2 / B * ((n - B) / (n - 1) if n > 1 else 0.0)


def minibatch_covariance(example_grads: np.ndarray, batch_size: int, replace: bool = False) -> np.ndarray:
    r"""The covariance matrix of the mean gradient over a random batch of B of the n examples, shape (d, d).

    :math:`\operatorname{Cov} g_B = \frac{\Sigma}{B}` with replacement and
    :math:`\frac{\Sigma}{B}\cdot\frac{n - B}{n - 1}` without, where
    :math:`\Sigma = \frac1n\sum_i (g_i - \bar g)(g_i - \bar g)^\top` is the population covariance of the
    per-example gradients.  Its diagonal is ``minibatch_variance``; its off-diagonal entries say how
    the coordinates of the noise move together (the tilt of the cloud of mini-batch gradients).
    """
    g = _checks.finite_array("example_grads", example_grads)
    if g.ndim != 2:
        raise ValueError(f"example_grads must be a 2-D array (examples × coordinates); got shape {g.shape}.")
    n = len(g)
    B = _checks.whole_number("batch_size", batch_size, minimum=1)
    if not replace and B > n:
        raise ValueError(f"batch_size must be at most n = {n} without replacement; got batch_size={B}.")
    centred = g - g.mean(axis=0)
    sigma = centred.T @ centred / n  # population covariance (divides by n)
    if replace:
        return sigma / B
    return sigma / B * ((n - B) / (n - 1) if n > 1 else 0.0)
