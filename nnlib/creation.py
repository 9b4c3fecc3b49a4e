"""Functions that make new tensors: ``zeros``, ``randn``, ``arange``, ... (torch's names).

Sizes are given as ``zeros(2, 3)`` or ``zeros((2, 3))``. Floats default to float32. Random
functions draw from nnlib's global generator (``nl.manual_seed``) unless given ``generator=``.
With ``device="cuda"`` the values are made on the host and copied to the device (so a seed gives
the same numbers on both devices); the ``*_like`` functions fill on the tensor's device.
"""

from __future__ import annotations

import numpy as np

from nnlib import backend
from nnlib.random import default_generator
from nnlib.tensor import Tensor, as_array


def _new(array: np.ndarray, requires_grad: bool, device: str) -> Tensor:
    device = backend.check_device(device)
    return Tensor(array if device == "cpu" else backend.to_device(array, device),
                  requires_grad=requires_grad)


def _filled_like(t: Tensor, fill_value, dtype, requires_grad: bool) -> Tensor:
    """A tensor shaped like ``t`` on ``t``'s device (filled there by a kernel on "cuda")."""
    if t.device == "cpu":
        return Tensor(np.full(t.shape, fill_value, dtype or t.dtype), requires_grad=requires_grad)
    return Tensor(np.full_like(t.data, fill_value, dtype=dtype or t.dtype),
                  requires_grad=requires_grad)


def _size(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], tuple | list):
        return tuple(size[0])
    return tuple(size)


def _float_dtype(dtype) -> np.dtype:
    return backend.DEFAULT_FLOAT if dtype is None else np.dtype(dtype)


def zeros(*size: int, dtype=None, requires_grad: bool = False, device: str = "cpu") -> Tensor:
    return _new(np.zeros(_size(size), _float_dtype(dtype)), requires_grad, device)


def ones(*size: int, dtype=None, requires_grad: bool = False, device: str = "cpu") -> Tensor:
    return _new(np.ones(_size(size), _float_dtype(dtype)), requires_grad, device)


def full(size, fill_value, dtype=None, requires_grad: bool = False, device: str = "cpu") -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value like torch."""
    dtype = as_array(fill_value).dtype if dtype is None else dtype
    return _new(np.full(_size((size,)), fill_value, dtype), requires_grad, device)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False,
        device: str = "cpu") -> Tensor:
    """The ``n x m`` identity matrix (square if ``m`` is None)."""
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False,
           device: str = "cpu") -> Tensor:
    """``start, start + step, ...`` up to but excluding ``end``; int64 unless a float is given."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = as_array([start, end, step]).dtype
    return _new(np.arange(start, end, step, dtype=dtype), requires_grad, device)


def linspace(start: float, end: float, steps: int, dtype=None, requires_grad: bool = False,
             device: str = "cpu") -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    return _new(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad, device)


def randn(*size: int, generator: np.random.Generator | None = None, dtype=None,
          requires_grad: bool = False, device: str = "cpu") -> Tensor:
    """Standard normal samples."""
    rng = generator or default_generator()
    return _new(rng.standard_normal(_size(size), dtype=_float_dtype(dtype)), requires_grad, device)


def rand(*size: int, generator: np.random.Generator | None = None, dtype=None,
         requires_grad: bool = False, device: str = "cpu") -> Tensor:
    """Uniform samples in [0, 1)."""
    rng = generator or default_generator()
    return _new(rng.random(_size(size), dtype=_float_dtype(dtype)), requires_grad, device)


def randint(low: int, high: int, size, generator: np.random.Generator | None = None,
            dtype=None, device: str = "cpu") -> Tensor:
    """Integers uniform in [low, high), int64 by default."""
    rng = generator or default_generator()
    array = rng.integers(low, high, size=_size((size,)), dtype=np.dtype(dtype or np.int64))
    return _new(array, False, device)


def randperm(n: int, generator: np.random.Generator | None = None, device: str = "cpu") -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64)."""
    return _new((generator or default_generator()).permutation(n), False, device)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _filled_like(t, 0, dtype, requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _filled_like(t, 1, dtype, requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return _filled_like(t, fill_value, dtype, requires_grad)


def randn_like(t: Tensor, dtype=None, generator: np.random.Generator | None = None,
               requires_grad: bool = False) -> Tensor:
    return randn(t.shape, generator=generator, dtype=dtype or t.dtype,
                 requires_grad=requires_grad, device=t.device)


def rand_like(t: Tensor, dtype=None, generator: np.random.Generator | None = None,
              requires_grad: bool = False) -> Tensor:
    return rand(t.shape, generator=generator, dtype=dtype or t.dtype,
                requires_grad=requires_grad, device=t.device)
