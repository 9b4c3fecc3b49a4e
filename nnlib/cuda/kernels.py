"""The CUDA kernels behind nnlib's ``"cuda"`` device, written with numba-cuda.

Every array on the device is a flat buffer plus a *view*: a shape, strides (counted in elements,
not bytes) and an offset (see ``nnlib.cuda.array``). A kernel receives the buffer and the view
as plain arguments, so transposed, sliced and broadcast inputs need no copy: broadcasting is a
stride of 0, computed on the host before the launch. One helper, ``position``, turns "the i-th
element in row-major order" into "where it sits in the buffer"; almost every kernel uses it.

Thread mapping. Elementwise kernels give each thread one output element, and loop with a
*grid stride* (``i += gridsize``) so any grid covers any size. Reductions give each *block* one
output element and combine the block's partial results in shared memory. The matrix multiply
gives each thread one output element and each 2-D block one TILE x TILE output tile.

Launch sizes: on a GPU 256 threads per block. The simulator (``NUMBA_ENABLE_CUDASIM=1``) runs
every CUDA thread as a Python thread, so there we launch a few threads in a couple of blocks;
the kernels are the same, and the grid-stride loops make them correct for any launch size.
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np
from numba import cuda

SIMULATED = bool(numba.config.ENABLE_CUDASIM)
if SIMULATED:  # the simulator's shared arrays need a lock (see simulator_fix's docstring)
    from nnlib.cuda.simulator_fix import make_shared_arrays_thread_safe

    make_shared_arrays_thread_safe()

THREADS = 4 if SIMULATED else 256  # threads per block, elementwise kernels and reductions
MAX_BLOCKS = 2 if SIMULATED else 4096  # grid-stride loops cover what the grid does not
TILE = 16  # the matrix multiply's tile: a block of TILE x TILE threads
SIMULATOR_TILE = 8  # the same kernel with a smaller tile, to keep the simulator quick


def launch_1d(n: int) -> tuple[int, int]:
    """(blocks, threads per block) for ``n`` elements, one thread each (grid-stride beyond)."""
    threads = min(THREADS, max(n, 1))
    return min(MAX_BLOCKS, (n + threads - 1) // threads), threads


# ---------------------------------------------------------------------------- addressing
@cuda.jit(device=True)
def position(i, shape, strides, offset):
    """Buffer position of element ``i`` (row-major over ``shape``) of a strided view.

    Peel off the coordinates from the last dim to the first: ``i % n`` is the coordinate in a
    dim of size n, ``i // n`` the index over the dims before it. Each coordinate times its dim's
    stride (0 for a broadcast dim) adds to the position.
    """
    pos = offset
    for d in range(len(shape) - 1, -1, -1):
        n = shape[d]
        pos += (i % n) * strides[d]
        i //= n
    return pos


# ------------------------------------------------------------- scalar functions (per thread)
# Each guards its domain explicitly: on a GPU log(0) is -inf, but the simulator evaluates these
# with Python's math module, which raises instead.
@cuda.jit(device=True)
def _identity(x):
    return x


@cuda.jit(device=True)
def _neg(x):
    return -x


@cuda.jit(device=True)
def _exp(x):
    return math.inf if x > 709.0 else math.exp(x)


@cuda.jit(device=True)
def _expm1(x):
    return math.inf if x > 709.0 else math.expm1(x)


@cuda.jit(device=True)
def _log(x):
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


@cuda.jit(device=True)
def _log1p(x):
    if x > -1:
        return math.log1p(x)
    return -math.inf if x == -1 else math.nan


@cuda.jit(device=True)
def _sqrt(x):
    return math.sqrt(x) if x >= 0 else math.nan


@cuda.jit(device=True)
def _abs(x):
    return x if x >= 0 else -x


@cuda.jit(device=True)
def _sign(x):
    return 1 if x > 0 else (-1 if x < 0 else 0)


@cuda.jit(device=True)
def _tanh(x):
    return math.tanh(x)


@cuda.jit(device=True)
def _erf(x):
    return math.erf(x)


@cuda.jit(device=True)
def _not(x):
    return not x


@cuda.jit(device=True)
def _add(x, y):
    return x + y


@cuda.jit(device=True)
def _sub(x, y):
    return x - y


@cuda.jit(device=True)
def _mul(x, y):
    return x * y


@cuda.jit(device=True)
def _div(x, y):
    return x / y


@cuda.jit(device=True)
def _pow(x, y):
    return x ** y


@cuda.jit(device=True)
def _max(x, y):
    return x if x >= y or x != x else y  # x != x: x is NaN, which wins as in NumPy


@cuda.jit(device=True)
def _min(x, y):
    return x if x <= y or x != x else y


@cuda.jit(device=True)
def _gt(x, y):
    return x > y


@cuda.jit(device=True)
def _ge(x, y):
    return x >= y


@cuda.jit(device=True)
def _lt(x, y):
    return x < y


@cuda.jit(device=True)
def _le(x, y):
    return x <= y


@cuda.jit(device=True)
def _eq(x, y):
    return x == y


@cuda.jit(device=True)
def _ne(x, y):
    return x != y


@cuda.jit(device=True)
def _and(x, y):
    return x and y


@cuda.jit(device=True)
def _or(x, y):
    return x or y


# NumPy ufunc name -> the scalar function its kernel applies.
UNARY = {"negative": _neg, "exp": _exp, "expm1": _expm1, "log": _log, "log1p": _log1p,
         "sqrt": _sqrt, "absolute": _abs, "sign": _sign, "tanh": _tanh, "erf": _erf,
         "logical_not": _not, "positive": _identity}
BINARY = {"add": _add, "subtract": _sub, "multiply": _mul, "divide": _div, "power": _pow,
          "maximum": _max, "minimum": _min, "greater": _gt, "greater_equal": _ge, "less": _lt,
          "less_equal": _le, "equal": _eq, "not_equal": _ne, "logical_and": _and,
          "logical_or": _or, "bitwise_and": _and, "bitwise_or": _or}
REDUCE = {"sum": _add, "max": _max, "min": _min}


# ---------------------------------------------------------------------- elementwise kernels
@functools.cache
def unary(name: str):
    """``out = f(x)`` elementwise, for the scalar function ``UNARY[name]``.

    Threads: one per output element, grid-stride loop. Memory: each element of ``x`` is read
    once and each element of ``out`` written once; the positions come from the views' strides,
    so a transposed ``x`` is read in place (uncoalesced, but no copy).
    """
    f = UNARY[name]

    @cuda.jit
    def kernel(x, x_offset, x_strides, out, out_offset, out_strides, shape, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            out[position(i, shape, out_strides, out_offset)] = f(
                x[position(i, shape, x_strides, x_offset)])

    return kernel


@functools.cache
def binary(name: str):
    """``out = f(x, y)`` elementwise with broadcasting, for ``BINARY[name]``.

    Broadcasting happened on the host: ``x_strides``/``y_strides`` are given for the *output's*
    shape, with stride 0 along every dim an input is stretched over, so thread i reads the same
    ``y`` element for every row it broadcasts to (those reads hit the cache). One thread per
    output element, grid-stride loop; two reads and one write per element.
    """
    f = BINARY[name]

    @cuda.jit
    def kernel(x, x_offset, x_strides, y, y_offset, y_strides, out, out_offset, out_strides,
               shape, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            out[position(i, shape, out_strides, out_offset)] = f(
                x[position(i, shape, x_strides, x_offset)],
                y[position(i, shape, y_strides, y_offset)])

    return kernel


@cuda.jit
def where(c, c_offset, c_strides, x, x_offset, x_strides, y, y_offset, y_strides,
          out, shape, n):
    """``out = x if c else y`` elementwise (all three broadcast to ``shape``; ``out``
    contiguous). One thread per output element; three reads, one write."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        if c[position(i, shape, c_strides, c_offset)]:
            out[i] = x[position(i, shape, x_strides, x_offset)]
        else:
            out[i] = y[position(i, shape, y_strides, y_offset)]


@cuda.jit
def fill(out, value, n):
    """``out[:] = value`` for a contiguous buffer: one write per element. A Python number
    reaches the device this way, as a kernel argument, not through a copy."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = value


@cuda.jit
def arange(out, start, step, n):
    """``out[i] = start + i * step``: the row numbers that index a batch of class scores."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = start + i * step


# ------------------------------------------------------------------------ copy and transpose
@cuda.jit
def copy(x, x_offset, x_strides, out, out_offset, out_strides, shape, n):
    """``out = x`` for any two views of the same shape (``x`` may broadcast); converts the dtype
    on the way (``astype``). Makes a view contiguous, fills a slice, casts. Grid-stride loop,
    one read and one write per element."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[position(i, shape, out_strides, out_offset)] = x[position(i, shape, x_strides,
                                                                      x_offset)]


@functools.cache
def transpose(dtype: np.dtype):
    """``out = x.T`` for a contiguous (rows, cols) ``x``: the coalesced transpose.

    A naive copy reads x row by row but writes out column by column, so either the reads or the
    writes of neighbouring threads land far apart in memory. Here each TILE x TILE block first
    reads a tile of x into shared memory with neighbouring threads reading neighbouring
    elements (coalesced), waits (``syncthreads``), then writes the tile's transpose, again with
    neighbouring threads writing neighbouring elements. The tile has one padding column so that
    reading it by columns does not hit the same shared-memory bank 16 times.
    """
    kind = numba.from_dtype(dtype)
    tile_size = SIMULATOR_TILE if SIMULATED else TILE

    @cuda.jit
    def kernel(x, x_offset, rows, cols, out):
        tile = cuda.shared.array((tile_size, tile_size + 1), kind)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        r, c = cuda.blockIdx.y * tile_size + ty, cuda.blockIdx.x * tile_size + tx
        if r < rows and c < cols:
            tile[ty, tx] = x[x_offset + r * cols + c]
        cuda.syncthreads()
        r, c = cuda.blockIdx.x * tile_size + ty, cuda.blockIdx.y * tile_size + tx  # out's
        if r < cols and c < rows:
            out[r * rows + c] = tile[tx, ty]

    kernel.tile = tile_size
    return kernel


# ----------------------------------------------------------------------------- reductions
@functools.cache
def reduce(name: str, dtype: np.dtype):
    """``out[o] = combine over r of x[o, r]`` (sum, max or min), ``x`` viewed as (outputs,
    reduced): the host permutes the view so the reduced dims come last.

    One block per output element (grid-stride over outputs). Each thread first walks the
    reduced elements ``tid, tid + THREADS, ...`` (neighbouring threads read neighbouring
    elements) keeping a running result in a register; then the block combines its THREADS
    partial results in shared memory as a tree: at each step the first half of the threads adds
    the second half's values to its own (``s = THREADS/2, THREADS/4, ..., 1``), with a
    ``syncthreads`` between steps so nobody reads a value before it is written. Thread 0 writes
    the result. Each input element is read once; each output written once.
    """
    f = REDUCE[name]
    kind = numba.from_dtype(dtype)

    @cuda.jit
    def kernel(x, x_offset, x_strides, shape, n_out, n_reduce, init, out):
        partial = cuda.shared.array(THREADS, kind)
        tid = cuda.threadIdx.x
        for o in range(cuda.blockIdx.x, n_out, cuda.gridDim.x):
            acc = init
            for r in range(tid, n_reduce, cuda.blockDim.x):
                acc = f(acc, x[position(o * n_reduce + r, shape, x_strides, x_offset)])
            partial[tid] = acc
            cuda.syncthreads()
            s = cuda.blockDim.x // 2
            while s > 0:
                if tid < s:
                    partial[tid] = f(partial[tid], partial[tid + s])
                cuda.syncthreads()
                s //= 2
            if tid == 0:
                out[o] = partial[0]
            cuda.syncthreads()  # partial is reused for the next output

    return kernel


@functools.cache
def arg_reduce(largest: bool, dtype: np.dtype):
    """``out[o] = the first r where x[o, r] is largest`` (or smallest): argmax/argmin.

    The same block reduction as ``reduce``, carrying (value, index) pairs in two shared arrays;
    on a tie the smaller index wins, so the result is the first extreme, as in NumPy.
    """
    kind = numba.from_dtype(dtype)

    @cuda.jit(device=True)
    def better(v, i, w, j):
        """Whether (w, j) beats (v, i)."""
        if j < 0:
            return False
        if i < 0 or w != w and v == v:  # nothing yet, or w is NaN (NaN wins, as in NumPy)
            return True
        if largest:
            return w > v or (w == v and j < i)
        return w < v or (w == v and j < i)

    @cuda.jit
    def kernel(x, x_offset, x_strides, shape, n_out, n_reduce, out):
        values = cuda.shared.array(THREADS, kind)
        indices = cuda.shared.array(THREADS, numba.int64)
        tid = cuda.threadIdx.x
        for o in range(cuda.blockIdx.x, n_out, cuda.gridDim.x):
            best_v = x[position(o * n_reduce, shape, x_strides, x_offset)]
            best_i = -1
            for r in range(tid, n_reduce, cuda.blockDim.x):
                v = x[position(o * n_reduce + r, shape, x_strides, x_offset)]
                if better(best_v, best_i, v, r):
                    best_v, best_i = v, r
            values[tid], indices[tid] = best_v, best_i
            cuda.syncthreads()
            s = cuda.blockDim.x // 2
            while s > 0:
                if tid < s and better(values[tid], indices[tid], values[tid + s],
                                      indices[tid + s]):
                    values[tid], indices[tid] = values[tid + s], indices[tid + s]
                cuda.syncthreads()
                s //= 2
            if tid == 0:
                out[o] = indices[0]
            cuda.syncthreads()

    return kernel


# ------------------------------------------------------------------------ matrix multiply
@functools.cache
def matmul(dtype: np.dtype, tile: int = TILE):
    """``out[b] = a[b] @ b[b]`` for a batch of (m, n) @ (n, p) products, tiled in shared memory.

    Threads: block (tile, tile) computes the output tile at rows ``blockIdx.y * tile + ty``,
    columns ``blockIdx.x * tile + tx``; ``blockIdx.z`` is the batch element. Thread (ty, tx)
    owns one output element.

    Memory: the naive kernel reads a whole row of ``a`` and column of ``b`` per output element,
    2n global reads for 2n flops. Here the block walks along n one tile at a time: each thread
    loads ONE element of the ``a`` tile and ONE of the ``b`` tile into shared memory,
    ``syncthreads`` (the tiles are complete), then each thread does ``tile`` multiply-adds
    from shared memory, and ``syncthreads`` again before the tiles are overwritten. Each global
    element is now read by one thread per tile instead of ``tile`` threads: ``tile`` times less
    global traffic. Elements past the edge of a matrix load as 0 (they add nothing), so sizes
    need not be multiples of the tile; threads past the edge compute but do not write.

    Operands are strided views (a transposed weight is read in place); the batch dims are
    broadcast on the host (stride 0), like the elementwise kernels. ``out`` is contiguous.
    """
    kind = numba.from_dtype(dtype)
    zero = dtype.type(0)

    @cuda.jit
    def kernel(a, a_offset, a_batch, a_row, a_col, b, b_offset, b_batch, b_row, b_col,
               batch_shape, m, n, p, out):
        a_tile = cuda.shared.array((tile, tile), kind)
        b_tile = cuda.shared.array((tile, tile), kind)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        row, col = cuda.blockIdx.y * tile + ty, cuda.blockIdx.x * tile + tx
        batch = cuda.blockIdx.z
        a_base = position(batch, batch_shape, a_batch, a_offset)
        b_base = position(batch, batch_shape, b_batch, b_offset)
        acc = zero
        for start in range(0, n, tile):
            k = start + tx  # this thread loads a[row, k] ...
            a_tile[ty, tx] = a[a_base + row * a_row + k * a_col] if row < m and k < n else zero
            k = start + ty  # ... and b[k, col]
            b_tile[ty, tx] = b[b_base + k * b_row + col * b_col] if k < n and col < p else zero
            cuda.syncthreads()
            for j in range(tile):
                acc += a_tile[ty, j] * b_tile[j, tx]
            cuda.syncthreads()
        if row < m and col < p:
            out[(batch * m + row) * p + col] = acc

    return kernel


# ----------------------------------------------------------------- gather and scatter
@cuda.jit(device=True)
def indexed_position(i, shape, x_strides, x_offset, index, k_strides, k_sizes, j_strides):
    """Where in ``x`` output element ``i`` of an integer-array index reads (or writes): the
    place of the dims not indexed by arrays, plus, for each index row q, the index it takes
    (from the end when negative) times that dim's stride."""
    columns = index.size // len(k_strides)
    pos = position(i, shape, x_strides, x_offset)
    j = position(i, shape, j_strides, 0)
    for q in range(len(k_strides)):
        t = index[q * columns + j]
        pos += (t + k_sizes[q] if t < 0 else t) * k_strides[q]
    return pos


@cuda.jit
def gather(x, x_offset, x_strides, index, k_strides, k_sizes, j_strides, out, shape, n):
    """Advanced indexing ``out = x[i0, i1, ...]`` and ``take_along_axis``.

    ``index`` holds k rows of integer indices (row q indexes the source dim with stride
    ``k_strides[q]`` and size ``k_sizes[q]``; negative indices count from the end). For output
    element i, the host-made ``x_strides`` place the dims not indexed by arrays, ``j_strides``
    give the column j of ``index`` to use. One thread per output element; k + 1 reads, one
    write.
    """
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        pos = indexed_position(i, shape, x_strides, x_offset, index, k_strides, k_sizes, j_strides)
        out[i] = x[pos]


@cuda.jit
def scatter(x, x_offset, x_strides, index, k_strides, k_sizes, j_strides, values, v_offset,
            v_strides, shape, n, accumulate):
    """The reverse of ``gather``: ``x[i0, i1, ...] = values`` (or ``+=`` with ``accumulate``).

    With ``+=`` two threads may hit the same element of ``x`` (an embedding row used twice):
    ``cuda.atomic.add`` makes each read-add-write indivisible, so no update is lost.
    """
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        pos = indexed_position(i, shape, x_strides, x_offset, index, k_strides, k_sizes, j_strides)
        v = values[position(i, shape, v_strides, v_offset)]
        if accumulate:
            cuda.atomic.add(x, pos, v)
        else:
            x[pos] = v
