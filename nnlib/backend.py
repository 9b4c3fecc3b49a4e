"""Where tensors live: the device check and the array backend, in one place.

Every nnlib tensor stores its values in an array from an *array module*. On ``"cpu"`` that module
is NumPy. The ops call NumPy functions (``np.exp``, ``np.matmul``, ...), which dispatch on the
array type through NumPy's ``__array_ufunc__``/``__array_function__`` protocols, so a GPU array
library with the NumPy API (CuPy, say) can slot in later by adding a device here: ``array_module``
returns its module and ``to_array`` puts data on the device. Nothing else needs to know.
"""

from __future__ import annotations

import numpy as np

DEVICES = ("cpu",)

# The dtypes nnlib exposes, as NumPy dtypes (``nl.float32`` ...).
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

DEFAULT_FLOAT = float32


def check_device(device: object) -> str:
    """Return ``device`` as a canonical name, or raise ValueError for one nnlib cannot use yet."""
    name = str(device)
    if name not in DEVICES:
        raise ValueError(
            f"device {name!r} is not supported: nnlib currently runs on {', '.join(DEVICES)} only"
        )
    return name


def device_of(array) -> str:
    """The device an array lives on (every NumPy array is on "cpu")."""
    return "cpu"


def array_module(device: str):
    """The NumPy-compatible module holding arrays on ``device`` (NumPy for ``"cpu"``)."""
    check_device(device)
    return np


def to_array(data, dtype=None, device: str = "cpu", copy: bool = False) -> np.ndarray:
    """Convert ``data`` (array, list, number) to an array on ``device``, optionally of ``dtype``."""
    xp = array_module(device)
    if copy:
        return xp.array(data, dtype=dtype)
    return xp.asarray(data, dtype=dtype)
