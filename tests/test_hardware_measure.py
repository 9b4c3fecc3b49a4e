"""The measurement helpers: what they return, on tiny sizes (no timing is asserted)."""

from __future__ import annotations

import numpy as np

from nnlib.hardware import measure


def test_time_call_warms_up_and_repeats() -> None:
    calls = []
    seconds = measure.time_call(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6 and seconds >= 0


def test_python_loop_add_adds() -> None:
    a, b = np.arange(5.0), np.arange(5.0) * 10
    c = np.empty(5)
    measure.python_loop_add(a, b, c)
    np.testing.assert_array_equal(c, a + b)


def test_sweeps_return_one_positive_time_per_point() -> None:
    assert measure.stride_sweep([1, 4], n_elements=1024, repeats=1).shape == (2,)
    sweep = measure.working_set_sweep([4096, 8192, 16384], accesses=256, repeats=1)
    assert sweep.shape == (3,) and (sweep > 0).all()
    assert set(measure.traversal_times((8, 8), repeats=1)) == {"rows", "columns"}
    assert set(measure.loop_vs_vectorised(10, repeats=1)) == {"loop", "vectorised"}
    assert measure.copy_bandwidth(1 << 16, repeats=1) > 0
    assert measure.matmul_flops(16, repeats=1) > 0
    assert measure.thread_scaling(lambda: None, [1, 1], repeats=1).shape == (2,)


def test_cache_sizes_are_positive_bytes() -> None:
    sizes = measure.cache_sizes()
    assert all(isinstance(v, int) and v > 0 for v in sizes.values())
    assert set(sizes) <= {"L1d", "L2", "L3", "L4"}
