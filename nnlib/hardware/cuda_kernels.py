"""A naive CUDA matrix multiply, for comparison with nnlib's tiled one (``nnlib.cuda.kernels``).

Importing this module imports numba-cuda: set ``NUMBA_ENABLE_CUDASIM=1`` before the first import
of numba to run it without a GPU. (The kernel must see ``cuda`` as a module-level name: the
simulator swaps that name for its own fake module.)
"""

from __future__ import annotations

from numba import cuda


@cuda.jit
def naive_matmul(a, b, out, m, n, p):
    """``out[row, col] = sum_k a[row, k] * b[k, col]``, one thread per output element, every
    operand read from global memory: 2n reads per output. ``a`` (m, n), ``b`` (n, p) and
    ``out`` (m, p) are flat row-major buffers."""
    col, row = cuda.grid(2)  # x runs along the columns, y along the rows
    if row < m and col < p:
        acc = 0.0
        for k in range(n):
            acc += a[row * n + k] * b[k * p + col]
        out[row * p + col] = acc
