"""nnlib.data: datasets, batching, seeded shuffling, the digits and the train/test split."""

from __future__ import annotations

import numpy as np
import pytest

import nnlib as nl
from nnlib.data import DataLoader, Dataset, TensorDataset, load_digits, train_test_split


def test_tensor_dataset_indexes_rows():
    x, y = nl.arange(10.0).reshape(5, 2), nl.arange(5)
    ds = TensorDataset(x, y)
    assert len(ds) == 5
    xi, yi = ds[3]
    assert xi.tolist() == [6.0, 7.0] and yi.item() == 3
    with pytest.raises(ValueError, match=r"first dim.*\(5, 2\).*\(4,\)"):
        TensorDataset(x, nl.arange(4))


def test_loader_batches_in_order_with_and_without_drop_last():
    ds = TensorDataset(nl.arange(10.0).reshape(5, 2), nl.arange(5))
    batches = list(DataLoader(ds, batch_size=2))
    assert len(batches) == 3 == len(DataLoader(ds, batch_size=2))
    assert [b[1].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert batches[0][0].shape == (2, 2) and batches[0][1].dtype == nl.int64
    assert len(list(DataLoader(ds, batch_size=2, drop_last=True))) == 2
    assert len(DataLoader(ds, batch_size=2, drop_last=True)) == 2


def _epoch(loader):
    return [i for _, y in loader for i in y.tolist()]


def test_shuffling_is_seeded_reproducible_and_new_each_epoch():
    ds = TensorDataset(nl.zeros(50, 1), nl.arange(50))
    loader = DataLoader(ds, batch_size=8, shuffle=True, seed=1)
    first, second = _epoch(loader), _epoch(loader)
    assert sorted(first) == list(range(50)) and first != second
    again = DataLoader(ds, batch_size=8, shuffle=True, seed=1)
    assert _epoch(again) == first and _epoch(again) == second
    gen_loader = DataLoader(ds, batch_size=8, shuffle=True, generator=np.random.default_rng(1))
    assert _epoch(gen_loader) == first
    nl.manual_seed(3)
    global_first = _epoch(DataLoader(ds, batch_size=8, shuffle=True))
    nl.manual_seed(3)
    assert _epoch(DataLoader(ds, batch_size=8, shuffle=True)) == global_first


class Squares(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return {"x": nl.tensor([float(i)]), "y": i * i, "pair": (np.float32(i), nl.tensor(i))}


def test_generic_datasets_are_collated_field_by_field():
    batch = next(iter(DataLoader(Squares(), batch_size=3)))
    assert batch["x"].shape == (3, 1) and batch["y"].tolist() == [0, 1, 4]
    assert batch["y"].dtype == nl.int64 and batch["pair"][0].dtype == nl.float32
    assert batch["pair"][1].tolist() == [0, 1, 2]


def test_digits_and_split():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == nl.float32 and y.dtype == nl.int64
    assert X.numpy().min() == 0.0 and X.numpy().max() == 1.0
    assert sorted(set(y.tolist())) == list(range(10))
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
    assert len(X_test) == len(y_test) == 360 and len(X_train) == 1797 - 360
    again = train_test_split(X, y, test_size=0.2, seed=0)
    assert again[1].tolist() == X_test.tolist()
    assert train_test_split(X, y, seed=1)[3].tolist() != y_test.tolist()
    rows = {tuple(r) for r in X_train.tolist()} | {tuple(r) for r in X_test.tolist()}
    assert len(rows) == len({tuple(r) for r in X.tolist()})  # nothing lost
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(X, y, test_size=0)


def test_loader_arguments_are_checked():
    ds = TensorDataset(nl.zeros(3))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="generator= or seed="):
        DataLoader(ds, generator=np.random.default_rng(), seed=1)
