"""Time nnlib against PyTorch on the CPU and print a table of medians and ratios (nnlib / torch).

    python benchmarks/cpu_vs_torch.py [--repeats 50] [--json benchmarks/results.json]

Each case runs the same computation in both libraries: a training step of a 784-256-10 MLP,
softmax cross-entropy forward + backward at two sizes, and a chain of 1000 tiny elementwise ops
(the per-op overhead of the Python autograd). Torch is limited to the number of threads NumPy's
BLAS uses, so both get the same cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nnlib as nl  # noqa: E402
import nnlib.nn.functional as F  # noqa: E402


def blas_threads() -> int:
    """How many threads NumPy's BLAS uses (threadpoolctl if installed, else torch's default)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return torch.get_num_threads()
    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return max(counts, default=torch.get_num_threads())


def median_ms(steps: list[Callable[[], object]], repeats: int, rounds: int = 5,
              warmup: int = 3) -> list[float]:
    """Median wall time of each step in milliseconds.

    Each step runs in blocks (warm-up, then repeats / rounds timed calls) and the blocks take
    turns for ``rounds`` rounds: a busy moment on the machine then slows both libraries alike,
    while within a block neither library's idle threads compete with the other's (a short pause
    before each block lets the previous block's spinning worker threads go to sleep).
    """
    times: list[list[float]] = [[] for _ in steps]
    for _ in range(rounds):
        for step, record in zip(steps, times, strict=True):
            time.sleep(0.2)
            for _ in range(warmup):
                step()
            for _ in range(max(1, repeats // rounds)):
                start = time.perf_counter()
                step()
                record.append(time.perf_counter() - start)
    return [1000 * statistics.median(record) for record in times]


# ------------------------------------------------------------------------------ the cases
def mlp_step(lib, batch: int = 256):
    """One SGD step of Linear(784, 256) -> ReLU -> Linear(256, 10) with cross-entropy."""
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    model = lib.nn.Sequential(lib.nn.Linear(784, 256), lib.nn.ReLU(), lib.nn.Linear(256, 10))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    cross_entropy = F.cross_entropy if lib is nl else torch.nn.functional.cross_entropy

    def step():
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()

    return step


def softmax_cross_entropy(lib, rows: int, classes: int):
    """Cross-entropy of (rows, classes) logits, forward and backward."""
    rng = np.random.default_rng(1)
    logits = lib.tensor(rng.standard_normal((rows, classes)).astype(np.float32),
                        requires_grad=True)
    target = lib.tensor(rng.integers(0, classes, rows))
    cross_entropy = F.cross_entropy if lib is nl else torch.nn.functional.cross_entropy

    def step():
        logits.grad = None
        cross_entropy(logits, target).backward()

    return step


def op_chain(lib, ops: int = 1000):
    """``ops`` elementwise ops (alternately * and +) on a (10,) tensor, then backward."""
    x = lib.tensor(np.linspace(0, 1, 10, dtype=np.float32), requires_grad=True)

    def step():
        x.grad = None
        y = x
        for _ in range(ops // 2):
            y = y * 0.999 + 0.001
        y.sum().backward()

    return step


CASES = {
    "MLP step 784-256-10, batch 256": mlp_step,
    "softmax cross-entropy 256 x 10": lambda lib: softmax_cross_entropy(lib, 256, 10),
    "softmax cross-entropy 4096 x 1000": lambda lib: softmax_cross_entropy(lib, 4096, 1000),
    "chain of 1000 elementwise ops on (10,)": op_chain,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("results.json"))
    args = parser.parse_args()

    threads = blas_threads()
    torch.set_num_threads(threads)
    rows = []
    for name, make in CASES.items():
        ours, theirs = median_ms([make(nl), make(torch)], args.repeats)
        rows.append({"case": name, "nnlib_ms": round(ours, 4), "torch_ms": round(theirs, 4),
                     "ratio": round(ours / theirs, 3)})

    width = max(len(row["case"]) for row in rows)
    print(f"{'case':<{width}}  {'nnlib ms':>9}  {'torch ms':>9}  {'nnlib/torch':>11}")
    for row in rows:
        print(f"{row['case']:<{width}}  {row['nnlib_ms']:>9.3f}  {row['torch_ms']:>9.3f}  "
              f"{row['ratio']:>11.2f}")
    print(f"threads: {threads} (numpy BLAS and torch); median of {args.repeats} runs")

    meta = {"numpy": np.__version__, "torch": torch.__version__,
            "python": platform.python_version(), "machine": platform.machine(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(), "threads": threads, "repeats": args.repeats}
    args.json.write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    print(f"saved {args.json}")


if __name__ == "__main__":
    main()
