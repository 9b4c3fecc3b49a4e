"""Small seeded toy data sets for the chapters: regression lines, polynomials, spirals, XOR,
blobs and linearly separable points.

Every generator returns NumPy arrays, features ``float32`` and class labels ``int64``, and draws
only from its own generator: ``seed`` is an ``int`` (the same seed gives the same data) or a
``np.random.Generator`` to draw from (so several calls can share one stream). None of them
touches NumPy's or nnlib's global random state. Wrap the results with ``nnlib.tensor`` when a
chapter wants tensors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Seed = int | np.random.Generator

__all__ = [
    "make_linear_regression",
    "make_polynomial",
    "polynomial_features",
    "make_spirals",
    "make_xor",
    "make_blobs",
    "make_linearly_separable",
]


def _rng(seed: Seed) -> np.random.Generator:
    """A generator from an ``int`` seed, or the given generator itself."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an int or a numpy Generator, got {type(seed).__name__}")
    return np.random.default_rng(int(seed))


def _check_positive(name: str, value: int) -> None:
    if int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def make_linear_regression(n: int = 1000, w: Sequence[float] = (2.0, -3.4), b: float = 4.2,
                           noise: float = 0.01, seed: Seed = 0
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Points of a noisy linear model: ``y = X @ w + b + eps``.

    ``X`` has i.i.d. N(0, 1) entries and ``eps`` ~ N(0, noise**2). With d = len(w), returns
    X (n, d) float32 and y (n,) float32. Least squares on (X, y) recovers ``w`` and ``b`` up to
    an error of order ``noise / sqrt(n)``.
    """
    _check_positive("n", n)
    rng = _rng(seed)
    w = np.asarray(w, dtype=np.float64).reshape(-1)
    X = rng.standard_normal((n, w.size))
    y = X @ w + b + noise * rng.standard_normal(n)
    return X.astype(np.float32), y.astype(np.float32)


def polynomial_features(x: np.ndarray, degree: int,
                        scale_by_factorial: bool = True) -> np.ndarray:
    """The powers of ``x``: column i is ``x**i`` (divided by ``i!`` when scaled), i = 0..degree.

    x (n,) -> (n, degree + 1) float32, column 0 all ones (the bias feature).

    Why divide by i!: raw powers span wildly different scales (|x|**20 is huge for |x| > 1 and
    tiny for |x| < 1), so the loss surface is badly conditioned and gradient descent with one
    learning rate either diverges along the large features or barely moves along the small ones.
    Dividing by i! (as in D2L's capacity chapter) keeps every feature within a modest range for
    moderate |x| and makes high-degree terms contribute little unless their weights grow, so a
    degree-20 model is trainable with plain SGD and over-fitting shows up gradually.
    """
    if int(degree) != degree or degree < 0:
        raise ValueError(f"degree must be a non-negative integer, got {degree!r}")
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    powers = x[:, None] ** np.arange(degree + 1)
    if scale_by_factorial:
        powers = powers / np.array([math.factorial(i) for i in range(degree + 1)], np.float64)
    return powers.astype(np.float32)


def make_polynomial(n: int = 100, coefficients: Sequence[float] = (5.0, 1.2, -3.4, 5.6),
                    noise: float = 0.1, x_range: tuple[float, float] = (-1.0, 1.0),
                    seed: Seed = 0, scale_by_factorial: bool = True
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of a polynomial, for capacity and over-fitting experiments.

    ``x`` ~ Uniform(x_range) and ``y = polynomial_features(x, k) @ coefficients + eps`` with
    k = len(coefficients) - 1 and eps ~ N(0, noise**2); with the default
    ``scale_by_factorial=True`` that is D2L's ``y = 5 + 1.2 x - 3.4 x**2/2! + 5.6 x**3/3!``, so
    fitting ``polynomial_features(x, degree)`` with degree 3 recovers ``coefficients``.

    Returns x (n,) float32 and y (n,) float32.
    """
    _check_positive("n", n)
    low, high = x_range
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range!r}")
    rng = _rng(seed)
    coefficients = np.asarray(coefficients, dtype=np.float64).reshape(-1)
    x = rng.uniform(low, high, n).astype(np.float32)
    features = polynomial_features(x, coefficients.size - 1, scale_by_factorial)
    y = features.astype(np.float64) @ coefficients + noise * rng.standard_normal(n)
    return x, y.astype(np.float32)


def make_spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                 seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n toy problem).

    Arm j has radii evenly spaced in [0, 1] and angles evenly spaced in [4j, 4j + 4] radians
    plus N(0, noise**2) jitter; a point is (r sin t, r cos t). No linear classifier separates
    the arms. Returns X (n_per_class * n_classes, 2) float32 and y (same,) int64 in
    0..n_classes-1, the rows grouped by class (n_per_class of each).
    """
    _check_positive("n_per_class", n_per_class)
    _check_positive("n_classes", n_classes)
    rng = _rng(seed)
    X = np.empty((n_per_class * n_classes, 2), dtype=np.float64)
    y = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    radius = np.linspace(0.0, 1.0, n_per_class)
    for j in range(n_classes):
        theta = (np.linspace(4.0 * j, 4.0 * (j + 1), n_per_class)
                 + noise * rng.standard_normal(n_per_class))
        rows = slice(j * n_per_class, (j + 1) * n_per_class)
        X[rows] = np.column_stack([radius * np.sin(theta), radius * np.cos(theta)])
    return X.astype(np.float32), y


def make_xor(n: int = 200, noise: float = 0.1, seed: Seed = 0
             ) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian blobs at (+-1, +-1) with std ``noise``; the label is the XOR of the signs
    of the centre's coordinates: 1 at (1, -1) and (-1, 1), 0 at (1, 1) and (-1, -1).

    The blobs get n // 4 points each (the first n % 4 blobs one more), in shuffled order.
    No line separates the classes: a linear classifier is right on at most 3 of the 4 blobs.
    Returns X (n, 2) float32 and y (n,) int64 in {0, 1}.
    """
    _check_positive("n", n)
    rng = _rng(seed)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    blob = rng.permutation(np.arange(n) % 4)
    X = corners[blob] + noise * rng.standard_normal((n, 2))
    y = (blob >= 2).astype(np.int64)
    return X.astype(np.float32), y


def make_blobs(n: int = 100, centers: int | Sequence[Sequence[float]] = 2, std: float = 1.0,
               seed: Seed = 0, center_box: tuple[float, float] = (-5.0, 5.0)
               ) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs, one class per blob.

    ``centers`` is a number of blobs (their centres drawn uniformly from ``center_box`` in 2-D)
    or an explicit (k, d) array of centres. Blob c gets n // k points (the first n % k one
    more), in shuffled order. Returns X (n, d) float32 and y (n,) int64 in 0..k-1.
    """
    _check_positive("n", n)
    rng = _rng(seed)
    if isinstance(centers, int | np.integer):
        _check_positive("centers", centers)
        centres = rng.uniform(*center_box, size=(int(centers), 2))
    else:
        centres = np.asarray(centers, dtype=np.float64)
        if centres.ndim != 2:
            raise ValueError(f"centers must be a count or a (k, d) array, got {centres.shape}")
    y = rng.permutation(np.arange(n) % len(centres)).astype(np.int64)
    X = centres[y] + std * rng.standard_normal((n, centres.shape[1]))
    return X.astype(np.float32), y


def make_linearly_separable(n: int = 100, margin: float = 0.5, dim: int = 2, seed: Seed = 0,
                            signed: bool = True, return_hyperplane: bool = False):
    """Points that a hyperplane separates with a gap of width ``margin``, for the perceptron.

    A random unit normal ``w`` (dim,) and offset ``b`` define the plane ``w @ x + b = 0``.
    Points start as N(0, 1) and each is pushed away from the plane along ``w`` by
    ``margin / 2``, so every point lies at distance >= margin / 2 on its side: the classes are
    separable with geometric margin margin / 2 (the perceptron converges after at most
    (R / (margin / 2))**2 updates, R the largest norm).

    Returns X (n, dim) float32 and y (n,) int64, in {-1, +1} when ``signed`` (the default, the
    perceptron's convention) or {0, 1}; with ``return_hyperplane`` also (w, b).
    """
    _check_positive("n", n)
    _check_positive("dim", dim)
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin!r}")
    rng = _rng(seed)
    w = rng.standard_normal(dim)
    w /= np.linalg.norm(w)
    b = float(rng.uniform(-0.5, 0.5))
    X = rng.standard_normal((n, dim))
    side = np.where(X @ w + b >= 0, 1.0, -1.0)
    X = X + side[:, None] * (margin / 2) * w
    y = side.astype(np.int64) if signed else (side > 0).astype(np.int64)
    if return_hyperplane:
        return X.astype(np.float32), y, (w.astype(np.float32), b)
    return X.astype(np.float32), y
