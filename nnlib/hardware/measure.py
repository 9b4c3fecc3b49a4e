"""Measuring the machine this runs on: timing, the memory hierarchy, bandwidth and FLOP/s.

Every measurement is noisy (other programs share the cores and the caches, the clock speed
changes), so each helper warms up first (the first call pays for page faults and cold caches),
repeats the timing, and reports the **minimum**: the run least disturbed by everything else,
the estimate Python's ``timeit`` recommends. The sizes are modest so that a whole sweep takes
about a second; the shapes of the curves matter, not the third digit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np


def time_call(fn: Callable[[], object], repeats: int = 5, warmup: int = 1) -> float:
    """Seconds one call of ``fn()`` takes: the minimum over ``repeats`` timed calls after
    ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cache_sizes() -> dict[str, int]:
    """The data cache sizes in bytes, e.g. ``{"L1d": 49152, "L2": 1048576, "L3": 33554432}``.

    Read from Linux's ``/sys/devices/system/cpu/cpu0/cache``; empty elsewhere. L1 and L2 are per
    core on current CPUs, L3 is shared by several cores.
    """
    sizes: dict[str, int] = {}
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            text = (index / "size").read_text().strip()
        except OSError:
            continue
        if kind == "Instruction":
            continue
        units = {"K": 1024, "M": 1024**2, "G": 1024**3}
        size = int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)
        sizes[f"L{level}d" if level == "1" else f"L{level}"] = size
    return sizes


def traversal_times(shape: tuple[int, int] = (2048, 2048), repeats: int = 3) -> dict[str, float]:
    """Seconds to sum a C-ordered (row-major) float32 array one row at a time, and one column
    at a time, each with a Python loop over the rows (columns) and NumPy's sum for each.

    A row is contiguous in memory: each 64-byte cache line brings 16 useful floats. A column
    takes one float from each of ``shape[0]`` different cache lines.
    """
    A = np.ones(shape, dtype=np.float32)
    rows = time_call(lambda: [A[i].sum() for i in range(shape[0])], repeats)
    columns = time_call(lambda: [A[:, j].sum() for j in range(shape[1])], repeats)
    return {"rows": rows, "columns": columns}


def stride_sweep(strides: Sequence[int], n_elements: int = 1 << 24,
                 repeats: int = 3) -> np.ndarray:
    """Seconds per accessed element when summing ``a[::stride]`` of a float32 array of
    ``n_elements`` (64 MiB by default, larger than most L3 caches), one value per stride.

    Up to a stride of 16 floats (64 bytes, one cache line) each cache line fetched still holds
    some of the elements summed; beyond it, every element costs a whole line.
    """
    a = np.ones(n_elements, dtype=np.float32)
    out = []
    for stride in strides:
        view = a[::stride]
        out.append(time_call(view.sum, repeats) / view.size)
    return np.array(out)


def working_set_sweep(sizes_bytes: Sequence[int], accesses: int = 1 << 18, repeats: int = 5,
                      seed: int = 0) -> np.ndarray:
    """Seconds per random read from a float32 array of each size in ``sizes_bytes``.

    ``np.take`` gathers ``accesses`` elements at random positions: no prefetcher can guess them,
    so while the array fits in a cache level the reads hit that level, and the time per read
    steps up as the working set outgrows L1, L2 and L3. (Many reads are in flight at once, so
    this measures the throughput of random reads, a fraction of the latency of one.)
    """
    rng = np.random.default_rng(seed)
    out = []
    for size in sizes_bytes:
        n = max(size // 4, 1)
        a = np.ones(n, dtype=np.float32)
        index = rng.integers(0, n, size=accesses)
        result = np.empty(accesses, dtype=np.float32)
        out.append(time_call(lambda a=a, index=index, result=result:
                             np.take(a, index, out=result), repeats) / accesses)
    return np.array(out)


def python_loop_add(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> None:
    """``c = a + b`` one element at a time, as the notes' code A: n interpreted iterations."""
    for i in range(len(a)):
        c[i] = a[i] + b[i]


def loop_vs_vectorised(n: int = 100_000, repeats: int = 3) -> dict[str, float]:
    """Seconds for ``c = a + b`` on n float32 elements: a Python loop, and NumPy's ``np.add``."""
    a = np.ones(n, dtype=np.float32)
    b = np.ones(n, dtype=np.float32)
    c = np.empty(n, dtype=np.float32)
    loop = time_call(lambda: python_loop_add(a, b, c), repeats)
    vectorised = time_call(lambda: np.add(a, b, out=c), repeats * 10)
    return {"loop": loop, "vectorised": vectorised}


def copy_bandwidth(n_bytes: int = 1 << 26, repeats: int = 5) -> float:
    """Memory bandwidth in bytes/s from copying a float32 array of ``n_bytes`` (64 MiB, larger
    than most L3 caches) into another: 2 * n_bytes moved per copy (one read, one write)."""
    src = np.ones(n_bytes // 4, dtype=np.float32)
    dst = np.empty_like(src)
    return 2 * src.nbytes / time_call(lambda: np.copyto(dst, src), repeats)


def matmul_flops(n: int = 1024, repeats: int = 3, dtype: type = np.float32) -> float:
    """FLOP/s of NumPy's (BLAS) ``n x n @ n x n`` product: 2n³ FLOPs per product."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    return 2.0 * n**3 / time_call(lambda: a @ b, repeats)


def thread_scaling(work: Callable[[], object], threads: Sequence[int],
                   repeats: int = 3) -> np.ndarray:
    """Seconds per call of ``work()`` with each number of threads in ``threads``, limiting
    both PyTorch's thread pool (``torch.set_num_threads``) and NumPy's BLAS (threadpoolctl)."""
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    out = []
    try:
        for count in threads:
            torch.set_num_threads(count)
            with threadpool_limits(limits=count):
                out.append(time_call(work, repeats))
    finally:
        torch.set_num_threads(before)
    return np.array(out)


__all__ = ["cache_sizes", "copy_bandwidth", "loop_vs_vectorised", "matmul_flops",
           "python_loop_add", "stride_sweep", "thread_scaling", "time_call", "traversal_times",
           "working_set_sweep"]
