"""K-fold splits and cross-validation (nnlib.experiments)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FAST
from hypothesis import given
from hypothesis import strategies as st

from nnlib.experiments import cross_validate, kfold_indices


@FAST
@given(n=st.integers(2, 60), k=st.integers(2, 10), seed=st.one_of(st.none(), st.integers(0, 9)))
def test_folds_partition_the_rows(n: int, k: int, seed) -> None:
    if n < k:
        with pytest.raises(ValueError, match="at least k"):
            kfold_indices(n, k, seed)
        return
    pairs = kfold_indices(n, k, seed)
    assert len(pairs) == k
    held_out = np.concatenate([val for _, val in pairs])
    assert np.array_equal(np.sort(held_out), np.arange(n))  # each row held out exactly once
    sizes = [len(val) for _, val in pairs]
    assert max(sizes) - min(sizes) <= 1
    for train, val in pairs:
        assert train.dtype == val.dtype == np.int64
        assert not set(train) & set(val)
        assert len(train) + len(val) == n


def test_same_seed_same_folds_and_no_seed_keeps_the_order() -> None:
    a, b = kfold_indices(23, 4, seed=3), kfold_indices(23, 4, seed=3)
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, b, strict=True))
    ordered = kfold_indices(10, 3, seed=None)
    assert [val.tolist() for _, val in ordered] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]


def test_matches_scikit_learn_kfold_without_shuffling() -> None:
    from sklearn.model_selection import KFold

    ours = kfold_indices(17, 5, seed=None)
    theirs = list(KFold(5).split(np.zeros(17)))
    for (train, val), (train_sk, val_sk) in zip(ours, theirs, strict=True):
        assert np.array_equal(train, train_sk) and np.array_equal(val, val_sk)


@pytest.mark.parametrize("k", [1, 2.5, "3"])
def test_bad_k_is_refused(k) -> None:
    with pytest.raises(ValueError, match="k must be"):
        kfold_indices(10, k)


def test_cross_validate_returns_one_error_per_fold() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=40)

    def least_squares(X_train, y_train, X_val, y_val) -> float:
        w = np.linalg.lstsq(X_train, y_train, rcond=None)[0]
        return float(np.mean((X_val @ w - y_val) ** 2))

    errors = cross_validate(least_squares, X, y, k=5, seed=1)
    assert errors.shape == (5,)
    assert 0.001 < errors.mean() < 0.05  # about the noise variance, 0.01

    def constant(X_train, y_train, X_val, y_val) -> float:  # the mean of y as the prediction
        return float(np.mean((y_train.mean() - y_val) ** 2))

    assert cross_validate(constant, X, y, k=5, seed=1).mean() > 10 * errors.mean()
