"""Synchronous data-parallel SGD with ``torch.distributed``, and its cost model.

Data parallelism: every worker holds a full copy of the model, takes its own shard of the
minibatch, computes the gradient of the *mean* loss on that shard, and the workers average their
gradients (an *all-reduce*) before each takes the same SGD step. With equal shards the average of
the shard gradients is exactly the gradient of the mean loss over the whole minibatch, so n
workers with b samples each compute what one worker computes with nb samples.

Two ways to run it, the same code either way:

* one machine, several CPU processes, from Python or a notebook: :func:`run_data_parallel`
  starts them with ``torch.multiprocessing.spawn``;
* the command a cluster runs, one process per GPU or machine, with ``torchrun``::

      torchrun --nproc-per-node=2 -m nnlib.hardware.distributed

The processes talk over TCP on 127.0.0.1 with the ``gloo`` backend (CPU tensors; ``nccl`` is
the backend for GPUs).
"""

from __future__ import annotations

import os
import socket
import sys
import time

SIZES = (256, 512, 512, 10)  # the MLP: inputs, two hidden layers, classes


# --------------------------------------------------------------------------- cost model
def sync_sgd_step_time(batch_per_worker: int, workers: int, params: float, samples_per_s: float,
                       bandwidth: float, bytes_per_param: int = 4, servers: int = 1,
                       overlap: bool = True) -> float:
    """Seconds per step of synchronous SGD with parameter servers (a simple model).

    * compute: ``t1 = batch_per_worker / samples_per_s`` (all workers in parallel);
    * communication: each worker sends its gradient and receives the new parameters,
      ``2 * params * bytes_per_param`` bytes over its link of ``bandwidth`` bytes/s, while the
      servers, each holding ``1/servers`` of the parameters, receive and send that for every
      worker: ``t2 = 2 * params * bytes * max(1, workers / servers) / bandwidth``;
    * ``max(t1, t2)`` when communication fully overlaps computation (the notes' model), else
      ``t1 + t2``.
    """
    t1 = batch_per_worker / samples_per_s
    t2 = 2 * params * bytes_per_param * max(1.0, workers / servers) / bandwidth
    return max(t1, t2) if overlap else t1 + t2


def ring_allreduce_bytes(params: float, workers: int, bytes_per_param: int = 4) -> float:
    """Bytes each worker sends (and receives) in a ring all-reduce of ``params`` values:
    2 (n - 1) / n of the gradient, almost independent of the number of workers n."""
    return 2 * (workers - 1) / workers * params * bytes_per_param


# ------------------------------------------------------------------------- the real run
def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_model(seed: int = 0):
    """The MLP every worker builds: the same seed gives every worker the same initial weights."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:], strict=False):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def make_batches(steps: int, batch: int, seed: int = 1):
    """``steps`` minibatches (inputs (batch, 256), labels (batch,)) of a seeded toy data set."""
    import torch

    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(batch, SIZES[0], generator=g),
             torch.randint(0, SIZES[-1], (batch,), generator=g)) for _ in range(steps)]


def shard(batch, rank: int, world_size: int):
    """This worker's equal, contiguous share of a minibatch (the batch size must divide)."""
    x, y = batch
    if len(x) % world_size:
        raise ValueError(f"batch {len(x)} does not split into {world_size} equal shards")
    return x.chunk(world_size)[rank], y.chunk(world_size)[rank]


def local_gradient(model, batch):
    """Forward and backward of the mean cross-entropy on ``batch``; leaves ``.grad`` set."""
    import torch.nn.functional as F

    model.zero_grad()
    x, y = batch
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    return loss


def average_gradients(model, world_size: int, group=None) -> None:
    """All-reduce the gradients (sum over workers) and divide by the number of workers.

    All gradients travel as one flat tensor, one message instead of one per layer (PyTorch's
    DistributedDataParallel does the same with buckets, and overlaps them with the backward).
    """
    import torch
    import torch.distributed as dist

    if world_size == 1:
        return  # nothing to average
    grads = [p.grad for p in model.parameters()]
    flat = torch.cat([g.flatten() for g in grads])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM, group=group)
    flat /= world_size
    offset = 0
    for g in grads:
        g.copy_(flat[offset:offset + g.numel()].view_as(g))
        offset += g.numel()


def data_parallel_sgd(model, batches, rank: int, world_size: int, lr: float = 0.1,
                      group=None) -> None:
    """Synchronous data-parallel SGD: for each minibatch, gradient on my shard, average, step."""
    import torch

    for batch in batches:
        local_gradient(model, shard(batch, rank, world_size))
        average_gradients(model, world_size, group)
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad


def _same(a, b) -> bool:
    import torch

    return all(torch.allclose(x, y, rtol=1e-5, atol=1e-6) for x, y in zip(a, b, strict=True))


def check_equivalence(rank: int, world_size: int, steps: int = 3, batch: int = 64) -> dict:
    """Run on every worker: compare data-parallel gradients and training with one process.

    Returns (on every rank) whether the averaged gradient equals the gradient on the whole
    minibatch, whether ``steps`` of data-parallel SGD end at the same weights as single-process
    SGD, and whether all workers hold the same weights.
    """
    import torch
    import torch.distributed as dist

    batches = make_batches(steps, batch)
    model = make_model()
    local_gradient(model, shard(batches[0], rank, world_size))
    average_gradients(model, world_size)
    ours = [p.grad.clone() for p in model.parameters()]

    single = make_model()  # one process, the whole minibatch
    local_gradient(single, batches[0])
    whole = [p.grad.clone() for p in single.parameters()]

    model = make_model()
    data_parallel_sgd(model, batches, rank, world_size)
    single = make_model()
    data_parallel_sgd(single, batches, 0, 1)  # world size 1: plain SGD, no communication
    trained_same = _same(list(model.parameters()), list(single.parameters()))

    flat = torch.cat([p.detach().flatten() for p in model.parameters()])
    low, high = flat.clone(), flat.clone()
    dist.all_reduce(low, op=dist.ReduceOp.MIN)
    dist.all_reduce(high, op=dist.ReduceOp.MAX)
    return {"gradient equals one process": _same(ours, whole),
            "training equals one process": trained_same,
            "workers agree": bool(torch.equal(low, high))}


def ddp_gradient(rank: int, world_size: int, batch: int = 64):
    """The concise PyTorch version: DistributedDataParallel averages the gradients itself,
    during the backward pass. Returns this worker's gradients for the first minibatch."""
    from torch.nn.parallel import DistributedDataParallel

    model = DistributedDataParallel(make_model())  # broadcasts rank 0's weights to all
    local_gradient(model, shard(make_batches(1, batch)[0], rank, world_size))
    return [p.grad.clone() for p in model.module.parameters()]


def check_ddp(rank: int, world_size: int, batch: int = 64) -> bool:
    """Whether DistributedDataParallel's gradient equals our all-reduced average. (Separate
    from :func:`check_equivalence` because DDP's first use imports torch._dynamo, seconds.)"""
    model = make_model()
    local_gradient(model, shard(make_batches(1, batch)[0], rank, world_size))
    average_gradients(model, world_size)
    return _same(ddp_gradient(rank, world_size, batch), [p.grad for p in model.parameters()])


def time_steps(rank: int, world_sizes, batch: int = 256, steps: int = 8, warmup: int = 2):
    """Seconds per data-parallel step (split into compute and communication) for each world
    size, with the global minibatch fixed at ``batch`` (strong scaling). Every process calls
    this; for world size w, ranks 0..w-1 train and the others wait at a barrier."""
    import torch
    import torch.distributed as dist

    batches = make_batches(steps + warmup, batch)
    results = {}
    for w in world_sizes:
        group = dist.new_group(ranks=list(range(w)))  # every process must call new_group
        if rank < w:
            model = make_model()
            compute = communicate = 0.0
            dist.barrier(group=group)
            for i, full in enumerate(batches):
                t0 = time.perf_counter()
                local_gradient(model, shard(full, rank, w))
                t1 = time.perf_counter()
                average_gradients(model, w, group)
                with torch.no_grad():
                    for p in model.parameters():
                        p -= 0.1 * p.grad
                t2 = time.perf_counter()
                if i >= warmup:
                    compute += t1 - t0
                    communicate += t2 - t1
            results[w] = {"compute": compute / steps, "communicate": communicate / steps}
        dist.barrier()
    return results


def _worker(rank: int, world_size: int, port: int, world_sizes, with_ddp: bool,
            queue) -> None:
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)  # one core per worker: n workers, n threads in all
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world_size)
    try:
        checks = check_equivalence(rank, world_size)
        if with_ddp:
            checks["DDP gradient equals ours"] = check_ddp(rank, world_size)
        times = time_steps(rank, world_sizes) if world_sizes else {}
        if rank == 0:
            queue.put({"checks": checks, "times": times})
    finally:
        dist.destroy_process_group()


def run_data_parallel(world_sizes=(1, 2, 4), processes: int | None = None,
                      with_ddp: bool = False) -> dict:
    """Start ``processes`` CPU processes (default ``max(world_sizes)``) on this machine and run,
    in all of them, the equivalence checks (:func:`check_equivalence`, and :func:`check_ddp`
    with ``with_ddp``) and the timing (:func:`time_steps`; none for empty ``world_sizes``).

    Returns ``{"checks": {name: bool}, "times": {w: {"compute": s, "communicate": s}}}``.
    """
    import torch.multiprocessing as mp

    if sys.platform.startswith("linux"):
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")  # stay on the loopback interface
    queue = mp.get_context("spawn").SimpleQueue()
    n = processes or max(world_sizes)
    mp.spawn(_worker, args=(n, free_port(), tuple(world_sizes), with_ddp, queue), nprocs=n,
             join=True)
    return queue.get()


def main() -> None:
    """Entry point for ``torchrun``: it sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT."""
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo")  # reads the rendezvous from the environment
    rank, world_size = dist.get_rank(), dist.get_world_size()
    checks = check_equivalence(rank, world_size)
    checks["DDP gradient equals ours"] = check_ddp(rank, world_size)
    times = time_steps(rank, [world_size])[world_size]
    if rank == 0:
        for name, ok in checks.items():
            print(f"{name}: {ok}")
        step_ms = 1e3 * (times["compute"] + times["communicate"])
        print(f"{world_size} workers: {step_ms:.1f} ms per step")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()


__all__ = ["average_gradients", "check_ddp", "check_equivalence", "data_parallel_sgd",
           "ddp_gradient", "free_port", "local_gradient", "make_batches", "make_model",
           "ring_allreduce_bytes", "run_data_parallel", "shard", "sync_sgd_step_time",
           "time_steps"]
