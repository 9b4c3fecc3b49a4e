"""The systolic array: the product it computes, its cycle count and its data flow."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FAST
from hypothesis import given
from hypothesis import strategies as st

from nnlib.hardware.systolic import systolic_cycles, systolic_matmul, tiled_systolic_matmul


@FAST
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**16))
def test_product_and_cycle_count(m: int, k: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(m, k)), rng.normal(size=(k, n))
    result = systolic_matmul(A, B)
    np.testing.assert_allclose(result.product, A @ B, rtol=1e-12, atol=1e-12)
    assert result.cycles == systolic_cycles(m, k, n) == m + n + k - 2
    assert result.macs == m * n * k  # every real product done exactly once


@pytest.mark.parametrize("n, cycles", [(1, 1), (2, 4), (3, 7), (8, 22)])
def test_square_arrays_take_3n_minus_2_cycles(n: int, cycles: int) -> None:
    assert systolic_cycles(n, n, n) == 3 * n - 2 == cycles
    assert systolic_matmul(np.ones((n, n)), np.ones((n, n))).cycles == cycles


def test_frames_show_the_skewed_wavefront() -> None:
    """A[i, s] and B[s, j] meet in PE (i, j) in cycle i + j + s."""
    A, B = np.arange(1.0, 10.0).reshape(3, 3), np.arange(10.0, 19.0).reshape(3, 3)
    result = systolic_matmul(A, B, record=True)
    assert len(result.frames) == result.cycles
    for t, frame in enumerate(result.frames):
        for i in range(3):
            for j in range(3):
                s = t - i - j
                if 0 <= s < 3:
                    assert frame["s"][i, j] == s
                    assert frame["a"][i, j] == A[i, s] and frame["b"][i, j] == B[s, j]
                else:
                    assert frame["s"][i, j] == -1
    np.testing.assert_allclose(result.frames[-1]["acc"], A @ B)


def test_tiled_array_pads_and_adds_up_cycles() -> None:
    rng = np.random.default_rng(3)
    A, B = rng.normal(size=(5, 7)), rng.normal(size=(7, 6))
    product, cycles = tiled_systolic_matmul(A, B, size=4)
    np.testing.assert_allclose(product, A @ B, rtol=1e-12, atol=1e-12)
    assert cycles == 2 * 2 * systolic_cycles(4, 7, 4)  # 2 x 2 output tiles of 4 x 4


def test_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="cannot multiply"):
        systolic_matmul(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="positive"):
        systolic_cycles(0, 1, 1)
