"""Datasets and mini-batches: ``Dataset``, ``TensorDataset``, ``DataLoader`` (torch's API),
plus the scikit-learn digits as tensors and a seeded train/test split."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from numbers import Number

import numpy as np

from nnlib.ops import stack
from nnlib.random import default_generator
from nnlib.tensor import Tensor, as_array


class Dataset:
    """A sized collection of samples: subclasses define ``__len__`` and ``__getitem__``."""

    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, index: int):
        raise NotImplementedError


class TensorDataset(Dataset):
    """Samples are rows: ``dataset[i] == (tensors[0][i], tensors[1][i], ...)``."""

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        lengths = {len(t) for t in tensors}
        if len(lengths) > 1:
            shapes = ", ".join(str(t.shape) for t in tensors)
            raise ValueError(f"TensorDataset: tensors differ in their first dim: {shapes}")
        self.tensors = tensors

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, index) -> tuple[Tensor, ...]:
        """One sample, or with an array of indices a whole (already collated) batch."""
        return tuple(t[index] for t in self.tensors)


def default_collate(samples: Sequence):
    """Stack a list of samples into a batch: tensors stack along a new dim 0, numbers and arrays
    become tensors, tuples and dicts are collated field by field."""
    first = samples[0]
    if isinstance(first, Tensor):
        return stack(samples)
    if isinstance(first, Number | np.ndarray | np.generic):
        return Tensor(as_array(np.stack([np.asarray(s) for s in samples])
                               if isinstance(first, np.ndarray) else list(samples)))
    if isinstance(first, tuple | list):
        return type(first)(default_collate(field) for field in zip(*samples, strict=True))
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}")


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size``.

    With ``shuffle=True`` each epoch (each ``iter``) uses a new permutation drawn from
    ``generator`` (a NumPy Generator), from ``np.random.default_rng(seed)`` if ``seed`` is given,
    else from nnlib's global generator: the same seed gives the same sequence of epochs.
    A ``TensorDataset`` is indexed with the whole batch of indices at once (fast).
    """

    def __init__(self, dataset: Dataset, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, generator: np.random.Generator | None = None,
                 seed: int | None = None, collate_fn=default_collate) -> None:
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: pass generator= or seed=, not both")
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last, self.collate_fn = shuffle, drop_last, collate_fn
        self.generator = np.random.default_rng(seed) if seed is not None else generator

    def __len__(self) -> int:
        count = len(self.dataset) / self.batch_size
        return math.floor(count) if self.drop_last else math.ceil(count)

    def __iter__(self) -> Iterator:
        n = len(self.dataset)
        if self.shuffle:
            order = (self.generator or default_generator()).permutation(n)
        else:
            order = np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start:start + self.batch_size]
            if isinstance(self.dataset, TensorDataset):
                yield self.dataset[indices]
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in indices])


def load_digits() -> tuple[Tensor, Tensor]:
    """scikit-learn's 8x8 handwritten digits (1797 images, bundled, no download).

    Returns X (1797, 64) float32 with pixels scaled to [0, 1] and y (1797,) int64 in 0..9.
    """
    from sklearn.datasets import load_digits as sklearn_digits  # imported only when used

    digits = sklearn_digits()
    return (Tensor((digits.data / 16.0).astype(np.float32)),
            Tensor(digits.target.astype(np.int64)))


def train_test_split(*tensors: Tensor, test_size: float = 0.2,
                     seed: int = 0) -> list[Tensor]:
    """Shuffle rows with ``seed`` and split each tensor: [a_train, a_test, b_train, b_test, ...].

    ``test_size`` is a fraction (0 < test_size < 1) or a number of rows.
    """
    n = len(tensors[0])
    if any(len(t) != n for t in tensors):
        raise ValueError("train_test_split: tensors differ in their first dim: "
                         + ", ".join(str(t.shape) for t in tensors))
    n_test = math.ceil(test_size * n) if isinstance(test_size, float) else int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size {test_size} leaves no rows for "
                         f"training or testing out of {n}")
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return [part for t in tensors for part in (t[train].detach(), t[test].detach())]
