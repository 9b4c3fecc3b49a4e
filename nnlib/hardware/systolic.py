"""A systolic array computing a matrix product, simulated cycle by cycle in NumPy.

The array is *output stationary*: processing element (PE) ``(i, j)`` of an ``m x n`` grid owns
the output ``C[i, j]``. Each cycle, every PE multiplies the ``a`` value it holds by the ``b``
value it holds, adds the product to its accumulator, and then passes ``a`` to its right
neighbour and ``b`` to the neighbour below. Row ``i`` of ``A`` enters the left edge delayed
(skewed) by ``i`` cycles and column ``j`` of ``B`` enters the top edge delayed by ``j`` cycles,
so that ``A[i, s]`` and ``B[s, j]`` meet in PE ``(i, j)`` in cycle ``t = i + j + s``
(counting from 0). The last pair, ``s = k - 1`` in PE ``(m - 1, n - 1)``, meets in cycle
``m + n + k - 3``, so the product takes

    cycles = (m - 1) + (n - 1) + k = m + n + k - 2

cycles: ``k`` multiply-adds in the last PE after a fill of ``m + n - 2`` cycles while the skewed
operands travel there. For square n x n matrices that is ``3n - 2``. (Reading the results out of
the array takes further cycles; they are not counted here.)

Only neighbours talk to each other and every PE does the same thing every cycle: the design of
Kung (1982), and, with the weights held stationary instead of the outputs, of Google's TPU.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def systolic_cycles(m: int, k: int, n: int) -> int:
    """Cycles an ``m x n`` output-stationary array needs for ``(m, k) @ (k, n)``: m + n + k - 2."""
    if min(m, k, n) < 1:
        raise ValueError(f"sizes must be positive, got m={m}, k={k}, n={n}")
    return m + n + k - 2


@dataclass
class SystolicResult:
    """What :func:`systolic_matmul` returns.

    ``product``: ``A @ B``, shape (m, n). ``cycles``: how many cycles the array ran.
    ``frames``: when recorded, one entry per cycle, a dict of (m, n) arrays: ``"a"`` and ``"b"``,
    the operand values in each PE during that cycle (NaN where a PE holds nothing), ``"s"`` the
    index s of the pair A[i, s] * B[s, j] it multiplies (-1 if none), and ``"acc"`` the
    accumulators after the cycle.
    """

    product: np.ndarray
    cycles: int
    macs: int  # multiply-adds done with real (non-padding) operands
    frames: list[dict[str, np.ndarray]] = field(default_factory=list)


def systolic_matmul(A: np.ndarray, B: np.ndarray, record: bool = False) -> SystolicResult:
    """Multiply ``A`` (m, k) by ``B`` (k, n) on an m x n output-stationary systolic array.

    Simulated cycle by cycle: the registers ``a`` and ``b`` (each (m, n)) hold the operands
    inside the PEs; every cycle the PEs multiply-add (all at once, as the hardware does), then
    ``a`` shifts one PE to the right and ``b`` one PE down, and new skewed values enter at the
    edges. The simulation stops when every PE has done its k multiply-adds.
    """
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"cannot multiply shapes {A.shape} and {B.shape}")
    m, k = A.shape
    n = B.shape[1]
    a = np.zeros((m, n))  # operand registers
    b = np.zeros((m, n))
    a_index = np.full((m, n), -1)  # which s each register holds (-1: nothing, a bubble)
    b_index = np.full((m, n), -1)
    acc = np.zeros((m, n))
    rows, cols = np.arange(m), np.arange(n)
    frames: list[dict[str, np.ndarray]] = []
    macs = 0
    cycle = 0
    while True:
        # Operands move: a one PE right, b one PE down, new ones enter at the edges.
        a[:, 1:], a_index[:, 1:] = a[:, :-1].copy(), a_index[:, :-1].copy()
        b[1:, :], b_index[1:, :] = b[:-1, :].copy(), b_index[:-1, :].copy()
        s_left = cycle - rows  # row i is delayed by i cycles
        valid = (s_left >= 0) & (s_left < k)
        a[:, 0] = np.where(valid, A[rows, np.clip(s_left, 0, k - 1)], 0.0)
        a_index[:, 0] = np.where(valid, s_left, -1)
        s_top = cycle - cols  # column j is delayed by j cycles
        valid = (s_top >= 0) & (s_top < k)
        b[0, :] = np.where(valid, B[np.clip(s_top, 0, k - 1), cols], 0.0)
        b_index[0, :] = np.where(valid, s_top, -1)
        # Every PE multiplies what it holds and accumulates (bubbles hold 0).
        acc += a * b
        busy = (a_index >= 0) & (a_index == b_index)
        macs += int(busy.sum())
        if record:
            frames.append({
                "a": np.where(a_index >= 0, a, np.nan),
                "b": np.where(b_index >= 0, b, np.nan),
                "s": np.where(busy, a_index, -1),
                "acc": acc.copy(),
            })
        cycle += 1
        if a_index[m - 1, n - 1] == k - 1:  # the last PE did its last multiply-add
            break
    return SystolicResult(acc, cycle, macs, frames)


def tiled_systolic_matmul(A: np.ndarray, B: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """``A @ B`` on a fixed ``size x size`` array: cut the output into size x size tiles, pad
    the edge tiles with zeros, run one pass of the array per output tile (over the whole k), and
    add up the cycles. Returns (product, total cycles); each pass costs ``2 * size + k - 2``.
    """
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    m, k = A.shape
    n = B.shape[1]
    C = np.zeros((m, n))
    cycles = 0
    for r in range(0, m, size):
        for c in range(0, n, size):
            a_tile = np.zeros((size, k))
            b_tile = np.zeros((k, size))
            a_part, b_part = A[r:r + size], B[:, c:c + size]
            a_tile[: len(a_part)] = a_part
            b_tile[:, : b_part.shape[1]] = b_part
            result = systolic_matmul(a_tile, b_tile)
            C[r:r + size, c:c + size] = result.product[: len(a_part), : b_part.shape[1]]
            cycles += result.cycles
    return C, cycles


__all__ = ["SystolicResult", "systolic_cycles", "systolic_matmul", "tiled_systolic_matmul"]
