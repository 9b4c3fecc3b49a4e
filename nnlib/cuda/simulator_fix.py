"""A thread-safe ``cuda.shared.array`` for Numba's CUDA simulator.

The simulator runs every CUDA thread of a block as a Python thread. To give all of them the
*same* shared array, its ``FakeCUDAShared.array`` keys allocations by the calling line::

    res = self._allocations.get(caller)
    if res is None:                      # <- two threads can both get here ...
        res = np.empty(shape, dtype)     #    ... and each make its own array
        self._allocations[caller] = res

with no lock, so when Python switches threads between the lookup and the store, two threads
of one block end up with different "shared" arrays. A block reduction then combines a thread's
partial result with uninitialised memory: rarely (a few times in thousands of launches, more
often on a loaded machine), ``x.sum()`` on ``"cuda"`` came out wrong in the simulator. A real GPU
is not affected: there shared memory is one piece of hardware per block.

``make_shared_arrays_thread_safe`` replaces the method with one that does the lookup and the
store under a lock, keyed by the same (file, line) as the original. It is called when nnlib's
kernels are first loaded with the simulator on; nothing happens on a GPU.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

_lock = threading.Lock()


def shared_array(self, shape, dtype, alignment=None):
    """``cuda.shared.array`` in the simulator: one array per block and calling line, made
    once even when the block's threads ask at the same moment."""
    from numba.core import types
    from numba.np import numpy_support

    if shape == 0 or alignment is not None:  # dynamic shared memory, or unsupported: as before
        return _original(self, shape, dtype, alignment)
    if isinstance(dtype, types.Type):
        dtype = numpy_support.as_dtype(dtype)
    frame = sys._getframe(1)  # the kernel line that asked, as the original identifies it
    caller = (frame.f_code.co_filename, frame.f_lineno)
    with _lock:
        res = self._allocations.get(caller)
        if res is None:
            res = self._allocations[caller] = np.empty(shape, dtype)
    return res


_original = None


def make_shared_arrays_thread_safe() -> None:
    """Install ``shared_array`` in the simulator (once; a no-op when it is installed)."""
    global _original
    from numba.cuda.simulator import kernelapi

    if kernelapi.FakeCUDAShared.array is not shared_array:
        _original = kernelapi.FakeCUDAShared.array
        kernelapi.FakeCUDAShared.array = shared_array
