"""Global-memory reads of the naive and the tiled matrix multiply, counted in the simulator."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.hardware.gpu import global_reads


def test_formula() -> None:
    assert global_reads(8) == 1024 and global_reads(8, tile=4) == 256
    assert global_reads(16, tile=16) == 2 * 16**2


@pytest.fixture(scope="module")
def simulator():
    pytest.importorskip("numba.cuda")
    from numba import config

    if not config.ENABLE_CUDASIM:
        pytest.skip("needs Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1)")
    from nnlib.hardware.gpu import count_matmul_reads

    return count_matmul_reads


@pytest.mark.parametrize("n, tile", [(8, 4), (4, 2)])
def test_counted_reads_match_the_formula(simulator, n: int, tile: int) -> None:
    rng = np.random.default_rng(n)
    a, b = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    counts = simulator(a, b, tile)
    for name, t in [("naive", None), ("tiled", tile)]:
        result = counts[name]
        np.testing.assert_allclose(result["product"], a @ b, rtol=1e-5, atol=1e-5)
        assert result["reads_a"].sum() + result["reads_b"].sum() == global_reads(n, t)
        # every element is read the same number of times: n (naive), n / tile (tiled)
        assert (result["reads_a"] == (n if t is None else n // t)).all()
        assert (result["reads_b"] == (n if t is None else n // t)).all()


def test_sizes_not_multiple_of_the_tile(simulator) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(6, 5)), rng.normal(size=(5, 3))
    counts = simulator(a, b, 4)
    for result in counts.values():
        np.testing.assert_allclose(result["product"], a @ b, rtol=1e-5, atol=1e-5)
    assert counts["naive"]["reads_a"].sum() == 6 * 5 * 3  # each a[i, k] read by p = 3 threads
