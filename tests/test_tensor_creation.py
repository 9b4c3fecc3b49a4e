"""Making tensors: nl.tensor's dtypes, the factory functions, seeding, devices, and the
torch-like repr and conversions."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

import nnlib as nl


@pytest.mark.parametrize("data, dtype", [
    ([1.0, 2.0], nl.float32), (3.5, nl.float32), ([1, 2], nl.int64), ([True, False], nl.bool),
    (np.array([1.0, 2.0]), nl.float64), (np.float64(2.0), nl.float64),
    (np.array([1, 2], np.int32), np.dtype(np.int32)), ([[1, 2.5]], nl.float32),
])
def test_tensor_dtypes_follow_torch(data, dtype, device):
    t = nl.tensor(data, device=device)
    assert t.dtype == dtype
    assert str(t.dtype) == str(torch.tensor(data).dtype).removeprefix("torch.")
    assert t.device == device


def test_tensor_copies_and_Tensor_wraps():
    a = np.array([1.0, 2.0], np.float32)
    assert not np.shares_memory(nl.tensor(a).numpy(), a)
    assert nl.Tensor(a).numpy() is a
    assert nl.tensor(a, dtype=nl.float64).dtype == nl.float64
    assert nl.tensor(nl.tensor([1, 2]), dtype="float32").tolist() == [1.0, 2.0]


def test_properties_and_conversions():
    t = nl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.dim() == 2 and t.numel() == 6
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3 and len(t) == 2
    assert t.T.shape == (3, 2) and t.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert [row.tolist() for row in t] == [[1, 2, 3], [4, 5, 6]]
    assert t[1, 2].item() == 6.0 and isinstance(t[1, 2].item(), float)
    assert float(t[0, 0]) == 1.0 and int(t[1, 1]) == 5 and bool(t[0, 0])
    assert np.asarray(t).shape == (2, 3) and t.numpy().dtype == np.float32
    assert (np.ones(3, np.float32) + t).shape == (2, 3)  # ndarray defers to Tensor.__radd__
    assert t.to("cpu") is t and t.cpu() is t and t.to(nl.float64).dtype == nl.float64
    assert t.float() is t and t.long().dtype == nl.int64 and t.bool().dtype == nl.bool


def test_factories(device):
    assert nl.zeros(2, 3, device=device).shape == (2, 3)
    assert nl.zeros((2, 3)).dtype == nl.float32 and nl.ones([4]).tolist() == [1, 1, 1, 1]
    assert nl.full((2,), 7).dtype == nl.int64 and nl.full((2,), 7.0).dtype == nl.float32
    assert nl.full(3, True).dtype == nl.bool
    assert nl.eye(3).numpy().trace() == 3 and nl.eye(2, 3).shape == (2, 3)
    assert nl.arange(5).tolist() == [0, 1, 2, 3, 4] and nl.arange(5).dtype == nl.int64
    assert nl.arange(1, 2, 0.5).tolist() == [1.0, 1.5] and nl.arange(0.0, 2).dtype == nl.float32
    assert nl.linspace(0, 1, 5).tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert nl.linspace(0, 1, 3, dtype=nl.float64).dtype == nl.float64
    like = nl.tensor(np.zeros((2, 2)))
    for fn in (nl.zeros_like, nl.ones_like, nl.randn_like, nl.rand_like):
        assert fn(like).shape == (2, 2) and fn(like).dtype == nl.float64
    assert nl.full_like(like, 3).tolist() == [[3, 3], [3, 3]]
    assert nl.zeros(2, requires_grad=True).requires_grad
    assert nl.randint(0, 3, (100,)).numpy().max() <= 2
    assert sorted(nl.randperm(5).tolist()) == [0, 1, 2, 3, 4]


def test_random_factories_are_seeded_and_distributed_right():
    nl.manual_seed(0)
    a = nl.randn(1000)
    nl.manual_seed(0)
    b = nl.randn(1000)
    assert a.tolist() == b.tolist() and a.dtype == nl.float32
    assert abs(a.numpy().mean()) < 0.1 and abs(a.numpy().std() - 1) < 0.1
    u = nl.rand(1000, generator=np.random.default_rng(1))
    assert 0 <= u.numpy().min() and u.numpy().max() < 1 and abs(u.numpy().mean() - 0.5) < 0.05
    assert nl.randn(3, dtype=nl.float64).dtype == nl.float64


def test_unknown_device_is_a_clear_error():
    for make in (lambda: nl.tensor([1.0], device="mps"), lambda: nl.zeros(2, device="tpu"),
                 lambda: nl.tensor([1.0]).to("mps:0")):
        with pytest.raises(ValueError, match="device '(mps|tpu).*' is not supported.*cpu, cuda"):
            make()


def test_import_is_side_effect_free():
    code = ("import sys, numpy as np; state = np.random.get_state()[1].copy(); "
            "opts = np.get_printoptions(); import nnlib; "
            "assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules; "
            "assert 'sklearn' not in sys.modules; "
            "assert (np.random.get_state()[1] == state).all() and np.get_printoptions() == opts")
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True)


REPR_CASES = [
    [1.0, 2.0], [1.5, 2.0], 3.0, [1e-5, 1.0], [[1, 20], [3, 4]], [True, False],
    [-1.5, 2.25], [float("nan"), 1.0, float("inf")], [0.0, -0.0], [123456.7], [1e9, 1.0],
    [[0.5, -2.0, 3.25], [1.0, 100.5, -7.125]], [], np.zeros((0, 3), np.float32),
    np.arange(8.0, dtype=np.float32).reshape(2, 2, 2), np.arange(2000.0, dtype=np.float32),
    np.random.default_rng(0).standard_normal((3, 30)).astype(np.float32),
    np.arange(30).reshape(5, 6), np.array([1.0, 2.0]), np.array([1, 2], np.int32),
    np.arange(3000).reshape(50, 60), np.random.default_rng(1).random(1500) > 0.5, 5, [1, -200],
    np.random.default_rng(2).standard_normal((4, 1000)).astype(np.float32), [-1e-6, 5.0],
]


@pytest.mark.parametrize("case", range(len(REPR_CASES)))
def test_repr_matches_torch(case):
    data = REPR_CASES[case]
    expected = repr(torch.tensor(data)).replace("torch.", "nnlib.")
    assert repr(nl.tensor(data)) == expected


def test_repr_shows_requires_grad_and_grad_fn():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward>)"
    assert repr(nl.tensor(np.array([1.0]), requires_grad=True)) == (
        "tensor([1.], dtype=nnlib.float64, requires_grad=True)")
    assert str(x) == repr(x)
