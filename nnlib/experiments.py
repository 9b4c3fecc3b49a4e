"""Model-selection helpers for the chapters: K-fold splits and cross-validation.

``kfold_indices(n, k)`` splits the row indices 0..n-1 into k folds; ``cross_validate`` trains
on k - 1 folds, measures the error on the held-out one, and returns the k errors. Both work on
NumPy arrays (or anything indexable by an integer array, such as nnlib tensors) and are
deterministic for a given ``seed``. Nothing random happens at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["cross_validate", "kfold_indices"]


def kfold_indices(n: int, k: int = 5, seed: int | None = 0
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The k (train, validation) index pairs of K-fold cross-validation of n rows.

    The rows are shuffled with ``np.random.default_rng(seed)`` (kept in order when ``seed`` is
    None) and cut into k folds whose sizes differ by at most one (the first n % k folds get one
    more row). Pair i holds out fold i: validation indices (about n/k,) and the training
    indices of the other k - 1 folds (about n - n/k,), both sorted int64 arrays. Every row is
    held out exactly once.
    """
    if int(k) != k or k < 2:
        raise ValueError(f"kfold_indices: k must be an integer >= 2, got {k!r}")
    if int(n) != n or n < k:
        raise ValueError(f"kfold_indices: need at least k = {k} rows, got n = {n!r}")
    order = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
    folds = np.array_split(order, k)
    pairs = []
    for i, held_out in enumerate(folds):
        train = np.concatenate([fold for j, fold in enumerate(folds) if j != i])
        pairs.append((np.sort(train).astype(np.int64), np.sort(held_out).astype(np.int64)))
    return pairs


def cross_validate(train_and_score: Callable[[Any, Any, Any, Any], float], X: Any, y: Any,
                   k: int = 5, seed: int | None = 0) -> np.ndarray:
    """The k validation errors of K-fold cross-validation, shape (k,).

    ``train_and_score(X_train, y_train, X_val, y_val)`` trains a fresh model on the training
    rows and returns its error (a float) on the validation rows. X has one row per sample
    (n, ...), y (n, ...). Report ``errors.mean()`` as the estimate of the generalisation
    error, and ``errors.std()`` as a rough sense of its spread.
    """
    errors = [float(train_and_score(X[train], y[train], X[val], y[val]))
              for train, val in kfold_indices(len(X), k, seed)]
    return np.array(errors)
