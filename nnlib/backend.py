"""Where tensors live: the device check and the array backend, in one place.

Every nnlib tensor stores its values in an array: a NumPy array on ``"cpu"``, a
``nnlib.cuda.array.CudaArray`` on ``"cuda"``. The ops call NumPy functions (``np.exp``,
``np.matmul``, ``x.sum(axis=1)``, ...), which dispatch on the array type through NumPy's
``__array_ufunc__``/``__array_function__`` protocols, so the same op code runs the CUDA kernels
when its inputs are CudaArrays. This module is the only one that knows about devices: it checks
device names, moves arrays between devices and tells which device an array is on. The CUDA
backend (and numba) is imported only when a tensor first goes to ``"cuda"``; the CPU path
never imports it.
"""

from __future__ import annotations

import numpy as np

DEVICES = ("cpu", "cuda")

# The dtypes nnlib exposes, as NumPy dtypes (``nl.float32`` ...).
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

DEFAULT_FLOAT = float32


# Array types of the devices loaded so far (CudaArray joins when the CUDA backend loads).
DEVICE_ARRAY_TYPES: tuple[type, ...] = ()


def check_device(device: object) -> str:
    """Return ``device`` as a canonical name ("cpu" or "cuda"; "cuda:0" means "cuda"), or raise
    ValueError for a device nnlib does not have and RuntimeError when "cuda" is unavailable."""
    name = str(device)
    if name == "cpu":
        return name
    if name in ("cuda", "cuda:0"):
        _cuda_array_type()
        return "cuda"
    raise ValueError(
        f"device {name!r} is not supported: nnlib runs on {', '.join(DEVICES)} only"
    )


def _cuda_array_type() -> type:
    """Load the CUDA backend (numba) on first use; a clear error if it cannot run here."""
    global DEVICE_ARRAY_TYPES
    if DEVICE_ARRAY_TYPES:
        return DEVICE_ARRAY_TYPES[0]
    from nnlib import cuda

    if not cuda.is_available():
        raise RuntimeError(f"device 'cuda' is not available: {cuda.unavailable_reason()}")
    from nnlib.cuda.array import CudaArray

    DEVICE_ARRAY_TYPES = (CudaArray,)
    return CudaArray


def is_device_array(array) -> bool:
    """Whether ``array`` is an array on an accelerator (not a NumPy array)."""
    return isinstance(array, DEVICE_ARRAY_TYPES)


def device_of(array) -> str:
    """The device an array lives on: "cpu" for NumPy arrays (and numbers), else its device."""
    return array.device if isinstance(array, DEVICE_ARRAY_TYPES) else "cpu"


def array_module(device: str):
    """The module whose functions the ops call on ``device``: NumPy, for both devices (on
    "cuda" NumPy hands each call to the CudaArray; see the module docstring)."""
    check_device(device)
    return np


def to_device(array, device: str):
    """``array`` on ``device``: itself if already there, else a copy (the only data moves)."""
    device = check_device(device)
    if device_of(array) == device:
        return array
    if device == "cpu":
        return array.to_host()
    return _cuda_array_type().from_host(np.asarray(array))


def to_host(array) -> np.ndarray:
    """A NumPy array of ``array``'s values (a copy if it lives on a device)."""
    return array.to_host() if isinstance(array, DEVICE_ARRAY_TYPES) else array


def shares_memory(a, b) -> bool:
    """Whether arrays ``a`` and ``b`` may share memory (a view and its base do): for NumPy its
    bounds check ``np.may_share_memory``; CudaArrays share when they view the same buffer."""
    if isinstance(a, DEVICE_ARRAY_TYPES) or isinstance(b, DEVICE_ARRAY_TYPES):
        return getattr(a, "buffer", None) is getattr(b, "buffer", False)
    return np.may_share_memory(a, b)


def asarray(data, dtype=None):
    """``np.asarray``, except that a device array stays on its device."""
    if isinstance(data, DEVICE_ARRAY_TYPES):
        return data if dtype is None else data.astype(dtype, copy=False)
    return np.asarray(data, dtype=dtype)


def check_same_device(op: str, *arrays) -> None:
    """Raise RuntimeError naming ``op`` and the devices if ``arrays`` are on different ones."""
    devices = [device_of(a) for a in arrays]
    if len(set(devices)) > 1:
        raise RuntimeError(
            f"{op}: expected all tensors to be on the same device, but got "
            f"{' and '.join(devices)}; move them with .to(\"{devices[0]}\") first"
        )


def to_array(data, dtype=None, device: str = "cpu", copy: bool = False):
    """Convert ``data`` (array, list, number) to an array on ``device``, optionally of ``dtype``."""
    if isinstance(data, DEVICE_ARRAY_TYPES):
        data = data.astype(data.dtype if dtype is None else dtype, copy=copy)
        return to_device(data, device)
    if copy:
        array = np.array(data, dtype=dtype)
    else:
        array = np.asarray(data, dtype=dtype)
    return array if device == "cpu" else to_device(array, device)
