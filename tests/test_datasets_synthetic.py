"""The toy data generators: shapes, dtypes, seeding, and the property each one promises."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import datasets
from nnlib.datasets import synthetic

GENERATORS = {
    "linear_regression": lambda seed: datasets.make_linear_regression(n=50, seed=seed),
    "polynomial": lambda seed: datasets.make_polynomial(n=40, seed=seed),
    "spirals": lambda seed: datasets.make_spirals(n_per_class=20, seed=seed),
    "xor": lambda seed: datasets.make_xor(n=40, seed=seed),
    "blobs": lambda seed: datasets.make_blobs(n=30, centers=3, seed=seed),
    "separable": lambda seed: datasets.make_linearly_separable(n=30, seed=seed),
}

# name -> (X shape, y shape, y dtype)
SHAPES = {
    "linear_regression": ((50, 2), (50,), np.float32),
    "polynomial": ((40,), (40,), np.float32),
    "spirals": ((60, 2), (60,), np.int64),
    "xor": ((40, 2), (40,), np.int64),
    "blobs": ((30, 2), (30,), np.int64),
    "separable": ((30, 2), (30,), np.int64),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_shapes_dtypes_and_seeding(name):
    X, y = GENERATORS[name](0)
    x_shape, y_shape, y_dtype = SHAPES[name]
    assert X.shape == x_shape and X.dtype == np.float32
    assert y.shape == y_shape and y.dtype == y_dtype
    X2, y2 = GENERATORS[name](0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2), "same seed, different data"
    X3, _ = GENERATORS[name](1)
    assert not np.array_equal(X, X3), "another seed gave the same data"


@pytest.mark.parametrize("name", GENERATORS)
def test_no_global_random_state(name):
    before = np.random.get_state()[1].copy()
    GENERATORS[name](3)
    assert np.array_equal(np.random.get_state()[1], before)


def test_generator_argument_draws_from_that_stream():
    rng = np.random.default_rng(5)
    first, _ = datasets.make_xor(n=8, seed=rng)
    second, _ = datasets.make_xor(n=8, seed=rng)
    assert not np.array_equal(first, second)  # the shared stream advanced
    replay = np.random.default_rng(5)
    assert np.array_equal(datasets.make_xor(n=8, seed=replay)[0], first)
    with pytest.raises(TypeError, match="seed"):
        datasets.make_xor(seed=1.5)


def test_least_squares_recovers_linear_model():
    X, y = datasets.make_linear_regression(n=1000, w=(2.0, -3.4), b=4.2, noise=0.01, seed=0)
    A = np.column_stack([X, np.ones(len(X))]).astype(np.float64)
    coef, *_ = np.linalg.lstsq(A, y.astype(np.float64), rcond=None)
    np.testing.assert_allclose(coef, [2.0, -3.4, 4.2], atol=3e-3)
    residual = y - A @ coef
    assert 0.008 < residual.std() < 0.012  # the promised noise level


def test_linear_regression_other_dimension():
    X, y = datasets.make_linear_regression(n=10, w=(1.0, 2.0, 3.0, 4.0), seed=0)
    assert X.shape == (10, 4) and y.shape == (10,)


def test_polynomial_features_columns():
    x = np.array([2.0, -1.0])
    raw = datasets.polynomial_features(x, 3, scale_by_factorial=False)
    np.testing.assert_allclose(raw, [[1, 2, 4, 8], [1, -1, 1, -1]])
    scaled = datasets.polynomial_features(x, 3)
    np.testing.assert_allclose(scaled, [[1, 2, 2, 8 / 6], [1, -1, 0.5, -1 / 6]], rtol=1e-6)
    assert scaled.dtype == np.float32 and scaled.shape == (2, 4)
    with pytest.raises(ValueError, match="degree"):
        datasets.polynomial_features(x, -1)


def test_polynomial_least_squares_recovers_coefficients():
    coefficients = (5.0, 1.2, -3.4, 5.6)
    x, y = datasets.make_polynomial(n=2000, coefficients=coefficients, noise=0.1, seed=0)
    assert x.min() >= -1 and x.max() <= 1
    features = datasets.polynomial_features(x, 3).astype(np.float64)
    coef, *_ = np.linalg.lstsq(features, y.astype(np.float64), rcond=None)
    np.testing.assert_allclose(coef, coefficients, atol=0.25)


def test_polynomial_respects_x_range():
    x, _ = datasets.make_polynomial(n=500, x_range=(2.0, 3.0), seed=0)
    assert 2.0 <= x.min() and x.max() <= 3.0
    with pytest.raises(ValueError, match="x_range"):
        datasets.make_polynomial(x_range=(1.0, -1.0))


def test_spirals_balanced_and_not_linearly_separable():
    X, y = datasets.make_spirals(n_per_class=100, n_classes=3, seed=0)
    assert np.array_equal(np.bincount(y), [100, 100, 100])
    assert np.linalg.norm(X, axis=1).max() <= 1.0 + 1e-6
    assert _linear_accuracy(X, y) < 0.7  # a softmax-free linear fit cannot untangle the arms


def _linear_accuracy(X: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of a least-squares linear classifier (one-hot targets, with bias)."""
    A = np.column_stack([X, np.ones(len(X))]).astype(np.float64)
    targets = np.eye(y.max() + 1)[y]
    W, *_ = np.linalg.lstsq(A, targets, rcond=None)
    return float(np.mean((A @ W).argmax(axis=1) == y))


def test_xor_labels_and_not_linearly_separable():
    X, y = datasets.make_xor(n=400, noise=0.1, seed=0)
    assert np.array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(np.int64))
    assert np.array_equal(np.bincount(y), [200, 200])
    assert 0.4 <= _linear_accuracy(X, y) <= 0.75
    # with the product feature x0 * x1 the same linear fit is perfect
    assert _linear_accuracy(np.column_stack([X, X[:, 0] * X[:, 1]]), y) == 1.0


def test_blobs_explicit_centres():
    centres = [[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]]
    X, y = datasets.make_blobs(n=101, centers=centres, std=0.5, seed=0)
    assert X.shape == (101, 3)
    assert np.array_equal(np.bincount(y), [51, 50])
    np.testing.assert_allclose(X[y == 1].mean(axis=0), centres[1], atol=0.3)


@pytest.mark.parametrize("signed", [True, False])
def test_linearly_separable_has_the_margin(signed):
    X, y, (w, b) = datasets.make_linearly_separable(n=500, margin=0.6, seed=2, signed=signed,
                                                    return_hyperplane=True)
    assert set(np.unique(y)) == ({-1, 1} if signed else {0, 1})
    side = np.where(y > 0, 1.0, -1.0)
    distance = side * (X.astype(np.float64) @ w + b)
    assert distance.min() >= 0.3 - 1e-5
    assert np.isclose(np.linalg.norm(w), 1.0, atol=1e-6)


def test_perceptron_converges_on_separable_data():
    X, y = datasets.make_linearly_separable(n=200, margin=0.5, seed=0)
    w, b = np.zeros(2), 0.0
    for _ in range(100):
        mistakes = 0
        for xi, yi in zip(X, y, strict=True):
            if yi * (xi @ w + b) <= 0:
                w, b, mistakes = w + yi * xi, b + yi, mistakes + 1
        if mistakes == 0:
            break
    assert mistakes == 0


@pytest.mark.parametrize("call", [
    lambda: datasets.make_xor(n=0),
    lambda: datasets.make_spirals(n_classes=0),
    lambda: datasets.make_linearly_separable(margin=-1.0),
])
def test_bad_arguments_raise(call):
    with pytest.raises(ValueError):
        call()


def test_public_names():
    assert set(synthetic.__all__) <= set(datasets.__all__)
