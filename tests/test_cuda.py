"""The "cuda" device: moving data, device errors, what stays on the device, the kernels on sizes
the op tests do not reach (tiles, blocks), and an MLP trained on both devices alike.

Every op test in the other files also runs on "cuda" through the ``device`` fixture; this file
covers what is specific to the device. Without a GPU the tests run in Numba's CUDA simulator
(tests/conftest.py switches it on), so shapes stay small.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import ROOT, assert_close

import nnlib as nl
import nnlib.nn.functional as F

cuda = pytest.importorskip("numba.cuda")  # a module global: the simulator swaps it in kernels
pytestmark = pytest.mark.skipif(not nl.cuda.is_available(),
                                reason="cuda: neither a GPU nor Numba's simulator")


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env={**environment, **env}, timeout=120)


def test_cpu_path_imports_nothing_of_numba():
    code = ("import sys, nnlib as nl; x = nl.randn(4, 3, requires_grad=True); "
            "(nl.nn.Linear(3, 2)(x).relu().sum()).backward(); nl.cuda.is_simulated; "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'numba'], 'numba loaded'")
    result = run_python(code)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(os.path.exists("/dev/nvidia0"), reason="a GPU is present")
def test_cuda_without_gpu_or_simulator_says_how_to_get_one():
    result = run_python("import nnlib as nl; assert not nl.cuda.is_available(); "
                        "nl.zeros(2, device='cuda')", NUMBA_ENABLE_CUDASIM="0")
    assert "RuntimeError: device 'cuda' is not available" in result.stderr
    assert "NUMBA_ENABLE_CUDASIM=1" in result.stderr and "nnlib[cuda]" in result.stderr


def test_is_simulated_says_which():
    assert nl.cuda.is_simulated() == (not os.path.exists("/dev/nvidia0"))


def on_device(buffer) -> bool:
    """Whether ``buffer`` is a numba device array (the simulator's stand-in without a GPU)."""
    return type(buffer).__name__ in ("DeviceNDArray", "FakeCUDAArray")


def test_data_stays_on_the_device_and_round_trips():
    x = nl.tensor([[1.5, -2.0, 3.0]], device="cuda")
    assert x.device == "cuda" and type(x.data).__name__ == "CudaArray"
    assert on_device(x.data.buffer)
    y = (x * 2).exp().sum(1)
    assert y.device == "cuda" and on_device(y.data.buffer)
    back = x.to("cpu")
    assert back.device == "cpu" and isinstance(back.data, np.ndarray)
    np.testing.assert_array_equal(back.numpy(), [[1.5, -2.0, 3.0]])
    assert x.to("cuda") is x and back.to("cpu") is back
    assert repr(x) == "tensor([[ 1.5000, -2.0000,  3.0000]], device='cuda')"
    with pytest.raises(TypeError, match="lives on the GPU"):
        np.asarray(x.data)


def test_to_is_differentiable_both_ways():
    x = nl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x.to("cuda") * nl.tensor([2.0, 3.0, 4.0], device="cuda")).to("cpu").sum()
    y.backward()
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 3.0, 4.0])


@pytest.mark.parametrize("op", [
    ("add", lambda a, b: a + b), ("mul", lambda a, b: a * b), ("matmul", lambda a, b: a @ b),
    ("gt", lambda a, b: a > b), ("cat", lambda a, b: nl.cat([a, b])),
    ("cross_entropy", lambda a, b: F.cross_entropy(a, b.long())),
], ids=lambda op: op[0])
def test_mixing_devices_is_an_error_naming_op_and_devices(op):
    name, fn = op
    a, b = nl.ones(2, 2, device="cuda"), nl.ones(2, 2) if name != "cross_entropy" else nl.ones(2)
    with pytest.raises(RuntimeError, match=f"{name}: expected all tensors to be on the same "
                                           "device, but got cuda and cpu"):
        fn(a, b)


def test_python_numbers_mix_with_cuda_tensors():
    x = nl.tensor([1.0, 2.0], device="cuda")
    assert_close((2 * x + 1.5) / 2, np.array([1.75, 2.75], np.float32))
    assert (x * 2).dtype == nl.float32


@pytest.mark.parametrize("m, n, p, tile", [(17, 18, 3, 16), (9, 6, 5, 4), (1, 9, 2, 8),
                                           (10, 1, 9, 8)])
def test_tiled_matmul_on_sizes_not_multiple_of_the_tile(m, n, p, tile):
    """TILE x TILE threads per block; the simulator runs each as a Python thread, so the
    16 x 16 tile gets one (slow) case and the smaller tiles (the simulator's) the others."""
    from nnlib.cuda.array import CudaArray, run_matmul

    rng = np.random.default_rng(m * n * p)
    a, b = rng.standard_normal((m, n)).astype(np.float32), rng.standard_normal((n, p)).astype(
        np.float32)
    out = CudaArray.empty((m, p), np.float32)
    run_matmul(CudaArray.from_host(a), CudaArray.from_host(b), out, tile)
    np.testing.assert_allclose(out.to_host(), a @ b, rtol=1e-5, atol=1e-5)
    transposed = nl.tensor(b.T, device="cuda").T  # a strided operand, read in place
    assert_close(nl.tensor(a, device="cuda") @ transposed, a @ b, atol=1e-5)


@pytest.mark.parametrize("shape", [(7, 9), (1, 13), (20, 3)])
def test_coalesced_transpose_and_strided_copy(shape):
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    t = nl.tensor(x, device="cuda")
    np.testing.assert_array_equal(t.data.T.contiguous().to_host(), x.T)
    np.testing.assert_array_equal(t.data[:, ::2].contiguous().to_host(), x[:, ::2])


@pytest.mark.parametrize("axis", [None, 0, 1, 2, -1, (0, 2), (1, 2)])
@pytest.mark.parametrize("name", ["sum", "max", "min", "mean"])
def test_block_reductions_on_many_axes(axis, name):
    x = np.random.default_rng(3).standard_normal((3, 10, 5)).astype(np.float32)
    t = nl.tensor(x, device="cuda")
    out = getattr(t, name)(axis) if name in ("sum", "mean") else getattr(nl, "a" + name)(t, axis)
    expected = getattr(np, name)(x, axis=axis)
    assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_argmax_and_integer_sums():
    x = np.array([[1.0, 3.0, 3.0, 0.5, 7.0, 7.0, -1.0, 2.0, 7.0]], np.float32)
    t = nl.tensor(x, device="cuda")
    assert t.argmax(1).item() == 4 and t.argmin().item() == 6
    flags = nl.tensor([True, False, True, True, True], device="cuda")
    assert flags.sum().dtype == nl.int64 and flags.sum().item() == 4


MASK_CASES = {  # x of shape (3, 4, 2) -> index, as in NumPy
    "a mask over all dims": lambda x: x > 0,
    "a mask over the first two dims": lambda x: x.sum(axis=2) > 0,
    "a row mask, then a full slice": lambda x: (np.array([True, False, True]),),
    "a full slice, then a mask": lambda x: (slice(None), np.array([False, True, True, False])),
    "a mask picking nothing": lambda x: x > 100,
}


@pytest.mark.parametrize("case", MASK_CASES)
def test_boolean_masks_index_as_in_numpy(case):
    """A mask reads back to the host (its result's size depends on the data), then indexes as
    the integer arrays of its nonzero(): reading, writing and accumulating."""
    x = np.random.default_rng(3).standard_normal((3, 4, 2)).astype(np.float32)
    index = MASK_CASES[case](x)
    device_index = tuple(nl.tensor(i, device="cuda").data if isinstance(i, np.ndarray) else i
                         for i in (index if isinstance(index, tuple) else (index,)))
    on_device = nl.tensor(x, device="cuda").data
    np.testing.assert_array_equal(on_device[device_index].to_host(), x[index])
    expected = x.copy()
    expected[index] = -1.0
    on_device[device_index] = -1.0
    np.testing.assert_array_equal(on_device.to_host(), expected)
    np.add.at(expected, index, 2.0)
    np.add.at(on_device, device_index, 2.0)
    np.testing.assert_array_equal(on_device.to_host(), expected)


def test_a_mask_of_the_wrong_shape_names_both_shapes():
    x = nl.tensor(np.zeros((3, 4), np.float32), device="cuda")
    with pytest.raises(IndexError, match=r"boolean index of shape \(4,\).*\(3,\).*\(3, 4\)"):
        x[nl.tensor([True, False, True, True], device="cuda")]


def test_unsupported_ops_say_so():
    x = nl.tensor([1.0, -2.0, 3.0], device="cuda")
    with pytest.raises(NotImplementedError, match="numpy.cumsum is not implemented on the cuda"):
        np.cumsum(x.data)


def test_mlp_trains_the_same_on_cuda_as_on_cpu():
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.data[:32] / 16).astype(np.float32)
    labels = digits.target[:32].astype(np.int64)

    def train(device: str):
        nl.manual_seed(0)
        model = nl.nn.Sequential(nl.nn.Linear(64, 16), nl.nn.ReLU(), nl.nn.Linear(16, 10))
        model.to(device)
        optimizer = nl.optim.SGD(model.parameters(), lr=0.5)
        x, y = nl.tensor(images, device=device), nl.tensor(labels, device=device)
        losses = []
        for _ in range(3):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses, [p.to("cpu").numpy() for p in model.parameters()], model

    cpu_losses, cpu_params, _ = train("cpu")
    cuda_losses, cuda_params, model = train("cuda")
    assert all(p.device == "cuda" for p in model.parameters())
    np.testing.assert_allclose(cuda_losses, cpu_losses, rtol=1e-5, atol=1e-6)
    assert cuda_losses[-1] < cuda_losses[0]
    for got, expected in zip(cuda_params, cpu_params, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


class SlowEmpty:
    """numpy, except that ``empty`` counts its calls and sleeps, so that every thread of a block
    reaches ``cuda.shared.array`` while the first one is still allocating."""

    def __init__(self):
        self.calls = 0

    def __getattr__(self, name):
        return getattr(np, name)

    def empty(self, *args, **kwargs):
        self.calls += 1
        time.sleep(0.2)  # long enough for the other threads to start, even on a busy machine
        return np.empty(*args, **kwargs)


def block_sum_of_thread_ids(threads: int) -> int:
    """Each thread of one block writes its id into a shared array; thread 0 adds them up."""

    @cuda.jit
    def kernel(out):
        shared = cuda.shared.array(8, np.int64)
        shared[cuda.threadIdx.x] = cuda.threadIdx.x + 1
        cuda.syncthreads()
        if cuda.threadIdx.x == 0:
            total = 0
            for i in range(cuda.blockDim.x):
                total += shared[i]
            out[0] = total

    out = np.zeros(1, np.int64)
    kernel[1, threads](out)
    return int(out[0])


@pytest.mark.skipif(not nl.cuda.is_simulated(), reason="a fix for Numba's simulator only")
@pytest.mark.parametrize("fixed", [True, False])
def test_simulator_gives_a_block_one_shared_array(monkeypatch, fixed):
    """Numba's simulator can hand two threads of a block different "shared" arrays (it looks up,
    then stores, with no lock); nnlib installs a locked version (nnlib.cuda.simulator_fix). With
    the allocation slowed down, the original races every time and the fix never does."""
    from numba.cuda.simulator import kernelapi

    from nnlib.cuda import kernels, simulator_fix  # noqa: F401 (loading kernels installs the fix)

    assert kernelapi.FakeCUDAShared.array is simulator_fix.shared_array
    slow = SlowEmpty()
    monkeypatch.setattr(simulator_fix, "np", slow)
    monkeypatch.setattr(kernelapi, "np", slow)
    if not fixed:
        monkeypatch.setattr(kernelapi.FakeCUDAShared, "array", simulator_fix._original)
    total = block_sum_of_thread_ids(8)
    if fixed:
        assert (slow.calls, total) == (1, sum(range(1, 9)))
    else:  # if this fails, numba fixed its simulator and simulator_fix can go
        assert slow.calls > 1, "the simulator's own shared.array no longer races"
