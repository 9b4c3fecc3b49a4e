"""nnlib's CUDA device: ``nl.cuda.is_available()``, and the kernels behind ``device="cuda"``.

The backend is written with numba-cuda (``pip install "nnlib[cuda]"``), so a reader can study
each kernel in Python: ``nnlib/cuda/kernels.py`` holds the kernels, ``nnlib/cuda/array.py`` the
device array that nnlib's ops run on. Without a GPU, Numba's CUDA *simulator* runs the same
kernels on the CPU (slowly: one Python thread per CUDA thread); enable it by setting the
environment variable ``NUMBA_ENABLE_CUDASIM=1`` before numba (or nnlib's CUDA backend) is
imported.

Importing this package imports nothing of numba: ``is_available`` does that when asked, and the
kernels are loaded the first time a tensor goes to ``"cuda"``.
"""

from __future__ import annotations

import importlib.util
import os

INSTALL_HINT = (
    "install the extra with `pip install \"nnlib[cuda]\"` (numba-cuda) and run on a machine "
    "with an NVIDIA GPU, or, without a GPU, set the environment variable "
    "NUMBA_ENABLE_CUDASIM=1 before importing nnlib or numba to use Numba's CUDA simulator"
)


def _numba_installed() -> bool:
    return importlib.util.find_spec("numba") is not None


def is_simulated() -> bool:
    """True when the "cuda" device is Numba's CUDA simulator rather than a real GPU."""
    if not _numba_installed():
        return False
    from numba import config

    return bool(config.ENABLE_CUDASIM)


def is_available() -> bool:
    """True when tensors can go to "cuda": a GPU numba can use, or the simulator enabled."""
    if not _numba_installed():
        return False
    try:
        from numba import cuda
    except ImportError:  # numba without numba-cuda's pieces
        return False
    return bool(cuda.is_available())


def unavailable_reason() -> str:
    """Why "cuda" cannot be used here, and how to get it."""
    if not _numba_installed():
        return f"numba-cuda is not installed; {INSTALL_HINT}"
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" and not is_simulated():
        return ("NUMBA_ENABLE_CUDASIM=1 was set after numba had been imported, so the simulator "
                "is off; set it before the first import of numba or nnlib")
    return f"no CUDA GPU was found; {INSTALL_HINT}"


def synchronize() -> None:
    """Wait for every queued kernel to finish (kernels launch asynchronously on a GPU)."""
    from numba import cuda

    cuda.synchronize()


__all__ = ["is_available", "is_simulated", "synchronize", "unavailable_reason"]
