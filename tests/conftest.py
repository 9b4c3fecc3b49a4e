"""Shared test helpers: where the repository and its notebooks are."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The "cuda" op tests run on a GPU when there is one, else in Numba's CUDA simulator, which
# must be switched on before numba is first imported (nnlib imports it only for "cuda").
if not Path("/dev/nvidia0").exists():
    os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")
if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
    # The simulator runs each CUDA thread as a Python thread and syncthreads as a barrier:
    # switching threads every 0.1 ms instead of 5 ms makes its kernels several times faster.
    sys.setswitchinterval(1e-4)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

# No per-example deadline anywhere: on a shared 2-core machine a slow example is not a failure.
settings.register_profile("book", deadline=None)
settings.load_profile("book")


def program_or_skip(program: str, debian_package: str, require_variable: str) -> str:
    """The path of an external ``program`` the tests drive, or a skip where it is missing; a
    failure instead where the environment variable ``require_variable`` is 1 (CI sets it, so
    those tests cannot pass by skipping)."""
    path = shutil.which(program)
    if path is None:
        message = f"{program} not found (Debian: apt-get install {debian_package})"
        if os.environ.get(require_variable) == "1":
            pytest.fail(f"{message}; {require_variable}=1 demands these tests")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the whole book once, strictly (warnings are errors); return its html folder."""
    import subprocess

    out = tmp_path_factory.mktemp("site")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "--path-output", str(out)]
    result = subprocess.run(
        [*command, "-W", "--keep-going", "--all"], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    return out / "_build" / "html"


# ----------------------------------------------------------------- nnlib unit-test helpers
import numpy as np  # noqa: E402

# Devices the op tests run on; "cuda" is skipped where neither a GPU nor the simulator is
# available (numba-cuda not installed, or NUMBA_ENABLE_CUDASIM=0 without a GPU).
DEVICES = ["cpu", "cuda"]

# Hypothesis settings for the nnlib tests: few, small examples, so the suite stays fast.
FAST = settings(max_examples=15, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(params=DEVICES, scope="session")
def device(request) -> str:
    if request.param == "cuda":
        import nnlib as nl

        if not nl.cuda.is_available():
            pytest.skip(f"cuda: {nl.cuda.unavailable_reason()}")
    return request.param


def make_array(rng: np.random.Generator, shape: tuple[int, ...], layout: str = "contiguous",
               dtype=np.float32, low: float = -2.0, high: float = 2.0) -> np.ndarray:
    """Random values of ``shape``, laid out contiguously, as a transposed view or as a strided
    view (every other element), so ops are tested on non-contiguous arrays too."""
    def draw(s):
        return np.asarray(rng.uniform(low, high, s), dtype=dtype)

    if layout == "transposed" and len(shape) >= 2:
        return draw(shape[::-1]).T
    if layout == "strided" and len(shape) >= 1:
        return draw(shape[:-1] + (2 * shape[-1],))[..., ::2]
    return draw(shape)


def assert_close(actual, expected, rtol: float = 1e-5, atol: float = 1e-6, what: str = ""):
    """Compare an nnlib result (Tensor or array) with a torch one (tensor or array)."""
    actual = np.asarray(actual.numpy() if hasattr(actual, "numpy") else actual)
    if hasattr(expected, "detach"):
        expected = expected.detach().numpy()
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} vs {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def check_against_torch(nl_fn, torch_fn, arrays, device: str = "cpu", rtol: float = 1e-5,
                        atol: float = 1e-6, seed: int = 0, grad: bool = True):
    """Run ``nl_fn`` on tensors wrapping ``arrays`` (views kept, non-contiguous included) and
    ``torch_fn`` on torch copies; compare the outputs, their dtypes and, after a backward pass
    with the same random output gradient, the gradients of every input."""
    import torch

    import nnlib as nl

    xs = [nl.Tensor(a).to(device).requires_grad_(grad) for a in arrays]
    ts = [torch.tensor(np.array(a), requires_grad=grad) for a in arrays]
    out, ref = nl_fn(*xs), torch_fn(*ts)
    assert str(out.dtype) == str(ref.dtype).removeprefix("torch."), (out.dtype, ref.dtype)
    assert_close(out, ref, rtol, atol, "forward")
    if not grad:
        return out
    g = np.random.default_rng(seed).standard_normal(out.shape).astype(out.dtype)
    out.backward(nl.Tensor(g).to(device))
    ref.backward(torch.from_numpy(g))
    for i, (x, t) in enumerate(zip(xs, ts, strict=True)):
        expected = np.zeros(t.shape, np.float32) if t.grad is None else t.grad
        assert x.grad is not None, f"input {i} got no gradient"
        assert_close(x.grad, expected, rtol, atol, f"gradient of input {i}")
    return out
