"""Data-parallel SGD: the cost model, and a real run with torch.distributed on CPU processes."""

from __future__ import annotations

import pytest

from nnlib.hardware.distributed import (
    ring_allreduce_bytes,
    run_data_parallel,
    shard,
    sync_sgd_step_time,
)


def test_cost_model() -> None:
    # 100 samples at 1000 samples/s: 0.1 s; 2 * 1e6 params * 4 bytes at 1e8 B/s: 0.08 s.
    assert sync_sgd_step_time(100, 1, 1e6, 1000, 1e8) == pytest.approx(0.1)
    assert sync_sgd_step_time(100, 1, 1e6, 1000, 1e8, overlap=False) == pytest.approx(0.18)
    # one server shared by 4 workers carries 4 times the traffic; 4 servers do not
    assert sync_sgd_step_time(100, 4, 1e6, 1000, 1e8) == pytest.approx(0.32)
    assert sync_sgd_step_time(100, 4, 1e6, 1000, 1e8, servers=4) == pytest.approx(0.1)
    assert ring_allreduce_bytes(1e6, 2) == pytest.approx(4e6)
    assert ring_allreduce_bytes(1e6, 4) == pytest.approx(6e6)


def test_shard_splits_evenly() -> None:
    import torch

    x, y = torch.arange(12.0).reshape(6, 2), torch.arange(6)
    parts = [shard((x, y), r, 3) for r in range(3)]
    assert torch.equal(torch.cat([p[0] for p in parts]), x)
    with pytest.raises(ValueError, match="equal shards"):
        shard((x, y), 0, 4)


def test_averaged_gradients_equal_the_single_process_ones() -> None:
    """Two gloo processes on 127.0.0.1: our all-reduce and DDP agree with one process."""
    result = run_data_parallel(world_sizes=(), processes=2, with_ddp=True)
    assert result["checks"] == {
        "gradient equals one process": True, "training equals one process": True,
        "workers agree": True, "DDP gradient equals ours": True,
    }
    assert result["times"] == {}
