"""Global-memory traffic of a GPU matrix multiply, counted in Numba's CUDA simulator.

A naive kernel gives each thread one output element ``C[i, j]`` and lets it read row ``i`` of
``A`` and column ``j`` of ``B`` from global memory: 2n reads per output, 2n³ for an n x n
product. nnlib's tiled kernel (``nnlib.cuda.kernels.matmul``) lets a block of TILE x TILE
threads stage TILE x TILE tiles of ``A`` and ``B`` in shared memory, so that each element
fetched from global memory is used by TILE threads: 2n³ / TILE reads.

:func:`count_matmul_reads` runs both kernels in the simulator with *counting* buffers, which
record every element a kernel reads, and returns the counts. It needs numba-cuda and the
simulator (``NUMBA_ENABLE_CUDASIM=1`` set before numba is first imported); numba is imported
only when it is called.
"""

from __future__ import annotations

import threading

import numpy as np


def global_reads(n: int, tile: int | None = None) -> int:
    """Elements an n x n @ n x n product reads from global memory: 2n³ for the naive kernel
    (``tile=None``), 2n³ / tile for the tiled one (n a multiple of the tile)."""
    return 2 * n**3 if tile is None else 2 * n**3 // tile


def _counting_buffer(values: np.ndarray):
    """A simulator device array that counts how often each element is read."""
    from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray

    class CountingArray(FakeCUDAArray):
        def __init__(self, ary: np.ndarray):
            super().__init__(ary)
            self.reads = np.zeros(ary.shape, dtype=np.int64)
            self._lock = threading.Lock()  # simulated CUDA threads are Python threads

        def __getitem__(self, index):
            with self._lock:
                self.reads[index] += 1
            return super().__getitem__(index)

    return CountingArray(np.ascontiguousarray(values).ravel().copy())


def count_matmul_reads(a: np.ndarray, b: np.ndarray, tile: int = 4) -> dict[str, dict]:
    """Run the naive kernel and nnlib's tiled kernel on ``a @ b`` in the CUDA simulator.

    Returns ``{"naive": ..., "tiled": ...}``, each a dict with ``"product"`` (m, p),
    ``"reads_a"`` (m, n) and ``"reads_b"`` (n, p): how many times each element of ``a`` and
    ``b`` was read from global memory. The naive kernel is
    ``nnlib.hardware.cuda_kernels.naive_matmul``; both use tile x tile threads per block. Keep
    the sizes small: the simulator runs every CUDA thread as a Python thread.
    """
    from numba import config, cuda

    if not config.ENABLE_CUDASIM:
        raise RuntimeError("counting reads needs Numba's CUDA simulator: set "
                           "NUMBA_ENABLE_CUDASIM=1 before numba is first imported")
    from nnlib.cuda.array import CudaArray, run_matmul
    from nnlib.hardware.cuda_kernels import naive_matmul

    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    (m, n), p = a.shape, b.shape[1]
    results = {}

    buf_a, buf_b = _counting_buffer(a), _counting_buffer(b)
    out = cuda.to_device(np.zeros(m * p, dtype=np.float32))
    grid = ((p + tile - 1) // tile, (m + tile - 1) // tile)
    naive_matmul[grid, (tile, tile)](buf_a, buf_b, out, m, n, p)
    results["naive"] = {"product": out.copy_to_host().reshape(m, p),
                        "reads_a": buf_a.reads.reshape(m, n), "reads_b": buf_b.reads.reshape(n, p)}

    x, y = CudaArray.from_host(a), CudaArray.from_host(b)
    x.buffer, y.buffer = _counting_buffer(a), _counting_buffer(b)
    z = CudaArray.empty((m, p), np.float32)
    run_matmul(x, y, z, tile)
    results["tiled"] = {"product": z.to_host(), "reads_a": x.buffer.reads.reshape(m, n),
                        "reads_b": y.buffer.reads.reshape(n, p)}
    return results


__all__ = ["count_matmul_reads", "global_reads"]
