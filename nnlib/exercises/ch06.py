"""Chapter 6 exercises, "Hardware for deep learning": reference solutions, hints, known mistakes.

The reference solutions are the module-level functions below; the exercise notebook shows them
(``literalinclude`` with ``:pyobject:``) and ``q.solution()`` prints them, so there is one copy.

Exercise 6.5 runs the reader's CUDA kernel with numba-cuda: on an NVIDIA GPU when there is one,
else in Numba's CUDA simulator, which must be switched on (``NUMBA_ENABLE_CUDASIM=1``) before
numba is first imported. Without numba-cuda the check says so instead of failing. In the
simulator a kernel that loops forever is stopped at the time limit, its threads included; on a
real GPU the check cannot interrupt a running kernel, so an endless one hangs it, as it would
hang any launch.
"""

from __future__ import annotations

import ctypes
import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnlib.exercises.compare import same_array, same_number
from nnlib.exercises.questions import (
    NOT_ATTEMPTED,
    Case,
    FunctionQuestion,
    Mistake,
    Result,
    Statement,
    StatementsQuestion,
)
from nnlib.exercises.running import is_empty_function

try:  # the kernels of exercise 6.5 need `cuda` as a module-level name (the simulator swaps it)
    from numba import cuda
except ImportError:  # numba-cuda is not installed: exercise 6.5 says how to get it
    cuda = None

# --- 6.1 True or false: caches, cores and threads -------------------------------------------


def true_statements() -> set[str]:
    """The letters of the true statements of exercise 6.1."""
    return {
        "a",  # C order: the last index varies fastest, a row is contiguous.
        # b is false: column-major storage makes a column contiguous, so columns are faster.
        "c",  # a cache line is 64 bytes = 16 float32 values.
        "d",  # hyper-threads have their own registers; they share execution units and caches.
        # e is false: NumPy's ufuncs (a + b) run on one core, with SIMD instructions.
        # f is false: the speed levels off once the cores together saturate memory bandwidth.
    }


q1 = StatementsQuestion(
    number="6.1",
    title="True or false: caches, cores and threads",
    reference=true_statements,
    statements=(
        Statement(
            "NumPy stores a 2-d array row by row by default (C order), so summing one row reads "
            "consecutive addresses.",
            True,
            "in C order the last index varies fastest: a[i, j] and a[i, j + 1] are neighbours.",
        ),
        Statement(
            "If a matrix is stored column by column (column-major, Fortran order), reading a row "
            "is faster than reading a column.",
            False,
            "column-major storage makes each column contiguous, so reading a column is the fast "
            "one; a row then takes one element from each of many cache lines.",
        ),
        Statement(
            "Reading one float32 from main memory brings its neighbours into the cache too: on "
            "most CPUs a cache line holds 16 float32 values.",
            True,
            "memory moves in cache lines of 64 bytes (on x86 and most ARM CPUs), 16 x 4 bytes.",
        ),
        Statement(
            "Two hyper-threads on one core each have their own registers; what they share are "
            "the core's execution units and caches.",
            True,
            "each hardware thread keeps its own architectural state (registers, program "
            "counter); the gain comes from filling execution units that one thread leaves idle.",
        ),
        Statement(
            "NumPy's c = a + b on large arrays uses all the cores of the machine.",
            False,
            "NumPy's elementwise ufuncs run on one core (with SIMD instructions); only the "
            "BLAS-backed operations such as @ use several threads.",
        ),
        Statement(
            "For arrays much larger than the L3 cache, the speed of an elementwise add grows in "
            "proportion to the number of cores that share the work, however many there are.",
            False,
            "an add does 1 FLOP per 12 bytes moved, so it is bound by memory bandwidth, which all "
            "cores share: more threads help only until together they saturate it. On a laptop "
            "one core comes close to that already, so a second helps little; on a server one "
            "core reaches only a fraction of the bandwidth, so more threads do help, up to the "
            "bandwidth limit and no further.",
        ),
    ),
    hints=(
        "Think about which elements are neighbours in memory, and what moves between memory "
        "and the core: single numbers, or whole cache lines?",
        "For (e) and (f): measure it, with torch.set_num_threads or threadpoolctl, as in the "
        "chapter; an add moves 12 bytes per FLOP.",
    ),
    remark="Locality decides speed long before the number of cores does.",
)

# --- 6.2 The cycles of a systolic array ------------------------------------------------------


def systolic_array_cycles(m: int, k: int, n: int) -> int:
    """Cycles an m x n output-stationary systolic array needs for (m, k) @ (k, n).

    A[i, s] and B[s, j] meet in PE (i, j) in cycle i + j + s (from 0); the last meeting,
    i = m - 1, j = n - 1, s = k - 1, is in cycle m + n + k - 3, so m + n + k - 2 cycles.
    """
    return m + n + k - 2


def _systolic_cases() -> list[Case]:
    return [
        Case((3, 3, 3), "a 3 x 3 array, 3 x 3 matrices"),
        Case((2, 5, 4), "m=2, k=5, n=4"),
        Case((1, 1, 1), "a single PE, 1 x 1 matrices"),
        Case((16, 100, 8), "m=16, k=100, n=8"),
    ]


q2 = FunctionQuestion(
    number="6.2",
    title="The cycles of a systolic array",
    reference=systolic_array_cycles,
    cases=_systolic_cases,
    compare=same_number(rtol=0, atol=0),
    hints=(
        "Row i of A enters i cycles late and column j of B enters j cycles late, so A[i, s] "
        "and B[s, j] meet in PE (i, j) in cycle t = i + j + s, counting from 0.",
        "Find the cycle of the last meeting (the largest i, j and s) and add 1, since cycles "
        "are counted from 0.",
    ),
    mistakes=(
        Mistake(
            lambda m, k, n: m + n + k - 1,
            "Off by one: the last multiply-add happens in cycle m + n + k - 3 counted from 0, "
            "so the array runs m + n + k - 2 cycles.",
        ),
        Mistake(
            lambda m, k, n: k,
            "k cycles are the multiply-adds of one PE; the skewed operands first need m + n - 2 "
            "cycles to reach the last PE (the fill).",
        ),
        Mistake(
            lambda m, k, n: m * n,
            "The PEs work in parallel, not one output after another: the time grows with "
            "m + n + k (3n - 2 for square matrices), not with the number of outputs.",
        ),
    ),
    remark="For n x n matrices that is 3n - 2 cycles for n³ multiply-adds on n² PEs.",
)

# --- 6.3 The arithmetic intensity of a matrix product ---------------------------------------


def matmul_intensity(m: int, k: int, n: int, itemsize: int) -> float:
    """FLOPs per byte of (m, k) @ (k, n) with elements of ``itemsize`` bytes.

    2mkn FLOPs (a multiply and an add per term); A and B read and C written once each:
    (mk + kn + mn) elements of ``itemsize`` bytes.
    """
    return 2 * m * k * n / (itemsize * (m * k + k * n + m * n))


def _intensity_cases() -> list[Case]:
    return [
        Case((4, 4, 4, 4), "4 x 4 matrices in float32"),
        Case((64, 128, 32, 2), "(64, 128) @ (128, 32) in float16"),
        Case((1024, 1024, 1024, 4), "1024 x 1024 matrices in float32"),
        Case((1, 4096, 4096, 4), "a vector times a 4096 x 4096 matrix in float32"),
    ]


q3 = FunctionQuestion(
    number="6.3",
    title="The arithmetic intensity of a matrix product",
    reference=matmul_intensity,
    cases=_intensity_cases,
    compare=same_number(rtol=1e-9, atol=0),
    hints=(
        "FLOPs: each of the m·n outputs is a sum of k products, a multiply and an add each.",
        "Bytes: every element of A and B is read once and every element of C is written once; "
        "multiply the number of elements by the bytes per element.",
    ),
    mistakes=(
        Mistake(
            lambda m, k, n, itemsize: 2 * m * k * n / (itemsize * (m * k + k * n)),
            "You forgot the output: C (m·n elements) has to be written to memory too.",
        ),
        Mistake(
            lambda m, k, n, itemsize: 2 * m * k * n / (m * k + k * n + m * n),
            "That is FLOPs per element, not per byte: multiply the elements by the itemsize.",
        ),
        Mistake(
            lambda m, k, n, itemsize: m * k * n / (itemsize * (m * k + k * n + m * n)),
            "A multiply-add is 2 FLOPs (as in every peak FLOP/s figure): 2mkn in all.",
        ),
    ),
    remark="For n x n matrices in float32 that is n/6: large products are compute bound.",
)

# --- 6.4 The roofline -----------------------------------------------------------------------


def attainable_flops(intensity: float, peak_flops: float, bandwidth: float) -> float:
    """The roofline: the highest FLOP/s an op of ``intensity`` FLOPs/byte can reach on a
    machine with ``peak_flops`` FLOP/s and ``bandwidth`` bytes/s."""
    return min(peak_flops, intensity * bandwidth)


def _roofline_cases() -> list[Case]:
    return [
        Case((0.5, 100e12, 2e12), "intensity 0.5 on 100 TFLOP/s and 2 TB/s"),
        Case((200.0, 100e12, 2e12), "intensity 200 on 100 TFLOP/s and 2 TB/s"),
        Case((50.0, 100e12, 2e12), "intensity 50 (the ridge point)"),
        Case((1 / 12, 1e12, 50e9), "an add in float32 on a CPU"),
    ]


q4 = FunctionQuestion(
    number="6.4",
    title="The roofline",
    reference=attainable_flops,
    cases=_roofline_cases,
    compare=same_number(rtol=1e-9, atol=0),
    hints=(
        "Memory can deliver `bandwidth` bytes per second; at `intensity` FLOPs per byte, how "
        "many FLOP/s does that feed?",
        "The op can go no faster than either limit: the peak, and what memory can feed.",
    ),
    mistakes=(
        Mistake(
            lambda intensity, peak_flops, bandwidth: max(peak_flops, intensity * bandwidth),
            "The roof is the lower of the two limits (min), not the higher: an op is held back "
            "by whichever of compute and memory is slower.",
        ),
        Mistake(
            lambda intensity, peak_flops, bandwidth: intensity * bandwidth,
            "Memory is not the only limit: above the ridge point the op is compute bound and "
            "cannot exceed the peak FLOP/s.",
        ),
        Mistake(
            lambda intensity, peak_flops, bandwidth: min(peak_flops, bandwidth / intensity),
            "Intensity is FLOPs per byte, so FLOP/s = intensity x bytes/s; dividing gives "
            "bytes²/(FLOP·s).",
        ),
    ),
    remark="The ridge point peak/bandwidth is the intensity an op needs to use the whole chip.",
)

# --- 6.5 A CUDA kernel ----------------------------------------------------------------------

BLOCKS, THREADS = 2, 4  # the launch the check uses: 8 threads, fewer than the elements


def saxpy_kernel(a, x, y, out):
    """CUDA kernel body: out[i] = a * x[i] + y[i] for every i, with a grid-stride loop.

    ``x``, ``y`` and ``out`` are 1-d arrays of the same length; ``a`` a number. Thread
    cuda.grid(1) starts at its global index and steps by the total number of threads,
    cuda.gridsize(1), so any launch covers any length.
    """
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        out[i] = a * x[i] + y[i]


def _one_element_per_thread(a, x, y, out):
    i = cuda.grid(1)
    if i < x.size:
        out[i] = a * x[i] + y[i]


def _thread_index_only(a, x, y, out):
    i = cuda.threadIdx.x
    if i < x.size:
        out[i] = a * x[i] + y[i]


def _saxpy_cases() -> list[Case]:
    rng = np.random.default_rng(65)
    return [
        Case((2.0, rng.normal(size=21), rng.normal(size=21)), "21 elements, a = 2"),
        Case((-1.5, rng.normal(size=5), rng.normal(size=5)), "5 elements, a = -1.5"),
        Case((0.5, rng.normal(size=40), rng.normal(size=40)), "40 elements, a = 0.5"),
    ]


def cuda_problem() -> str | None:
    """Why CUDA kernels cannot run here (None when they can)."""
    if cuda is None:
        return ("numba-cuda is not installed, so this kernel cannot be run here: "
                "`pip install numba-cuda`, then restart the kernel (without an NVIDIA GPU, set "
                "NUMBA_ENABLE_CUDASIM=1 before importing numba to use the simulator).")
    if not cuda.is_available():
        return ("no CUDA GPU was found and the simulator is off: set the environment variable "
                "NUMBA_ENABLE_CUDASIM=1 before numba is first imported, then restart the kernel.")
    return None


class KernelStopped(Exception):
    """Raised inside a simulated CUDA thread that still runs after its launch was given up."""


def _stop_simulated_threads(timeout_s: float = 5.0, grace_s: float = 0.2) -> None:
    """Stop the threads of Numba's CUDA simulator that outlive their launch.

    The simulator runs each CUDA thread as a Python thread. When the launch ends early (the time
    limit or the reader's stop button interrupts it, or one thread raised), the others may go on
    looping. Each is woken from syncthreads with the simulator's own abort flag, and KernelStopped
    is raised inside it with CPython's PyThreadState_SetAsyncExc (Numba runs only on CPython),
    which takes effect at the thread's next bytecode. The simulator keeps that exception with the
    thread, which then ends quietly. A thread whose start the interruption cut short may begin to
    run only afterwards, so this keeps watching for ``grace_s`` after the last one stopped (up to
    ``timeout_s`` in all). On a real GPU there are no such threads: this does nothing.
    """
    from numba.cuda.simulator.kernel import BlockThread

    stopped: set[int] = set()
    start = quiet_since = time.monotonic()
    while time.monotonic() - start < timeout_s and time.monotonic() - quiet_since < grace_s:
        running = [t for t in threading.enumerate() if isinstance(t, BlockThread) and t.is_alive()]
        if running:
            quiet_since = time.monotonic()
        for thread in running:
            if thread.ident not in stopped:  # once: a second exception could hit the simulator's
                stopped.add(thread.ident)  # own handler
                thread.abort = True
                thread.syncthreads_blocked = False
                thread.syncthreads_event.set()
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread.ident), ctypes.py_object(KernelStopped)
                )
        time.sleep(0.005)


def _launcher(kernel_body: Callable[..., Any]) -> Callable[..., np.ndarray]:
    """Compile ``kernel_body`` with cuda.jit and run it on (a, x, y), returning ``out``."""

    @functools.wraps(kernel_body)
    def run(a, x, y):
        out = np.zeros_like(x)
        try:
            cuda.jit(kernel_body)[BLOCKS, THREADS](a, x, y, out)
        finally:  # after an interrupted launch, no simulated thread may keep running
            _stop_simulated_threads()
        return out

    return run


@dataclass(kw_only=True)
class KernelQuestion(FunctionQuestion):
    """A function question whose answer is the body of a CUDA kernel: the check compiles it with
    ``cuda.jit``, launches it with ``BLOCKS`` blocks of ``THREADS`` threads and compares ``out``."""

    def _evaluate(self, answer: Any) -> Result:
        if answer is Ellipsis or is_empty_function(answer):
            return Result("not attempted", NOT_ATTEMPTED)
        problem = cuda_problem()
        if problem is not None:
            return Result("wrong", problem)
        if not callable(answer):
            return FunctionQuestion._evaluate(self, answer)
        launched = FunctionQuestion(
            number=self.number, title=self.title, reference=_launcher(self.reference),
            cases=self.cases, compare=self.compare, time_limit_s=self.time_limit_s,
            mistakes=[Mistake(_launcher(m.answer), m.message) for m in self.mistakes],
            remark=self.remark,
        )
        return launched._evaluate(_launcher(answer))


q5 = KernelQuestion(
    number="6.5",
    title="A CUDA kernel with a grid-stride loop",
    reference=saxpy_kernel,
    cases=_saxpy_cases,
    compare=same_array(rtol=1e-12, atol=1e-12),
    time_limit_s=30.0,  # compiling for a real GPU takes a moment
    hints=(
        "cuda.grid(1) is this thread's global index, blockIdx.x * blockDim.x + threadIdx.x; "
        "cuda.gridsize(1) is the number of threads in the whole grid.",
        "With 8 threads and 21 elements each thread must do several elements: start at "
        "cuda.grid(1) and step by cuda.gridsize(1) while i < x.size.",
    ),
    mistakes=(
        Mistake(
            _one_element_per_thread,
            "Only the first 8 elements were computed: the check launches 2 blocks of 4 threads, "
            "fewer than the elements, so each thread must loop with a grid stride, "
            "cuda.gridsize(1).",
        ),
        Mistake(
            _thread_index_only,
            "Only the first 4 elements were computed: threadIdx.x restarts at 0 in every block; "
            "the global index is cuda.grid(1), and each thread must loop with a grid stride.",
        ),
    ),
    remark="The same kernel runs on a GPU with thousands of threads, unchanged.",
)

# --- 6.6 Data-parallel time per step --------------------------------------------------------


def data_parallel_step_time(batch_per_worker: int, workers: int, servers: int, params: float,
                            samples_per_s: float, bandwidth: float) -> float:
    """Seconds per step of synchronous SGD with parameter servers, in the chapter's model.

    Each of the ``workers`` workers computes the gradient of ``batch_per_worker`` samples at
    ``samples_per_s`` (all workers at once). It sends its float32 gradient (4 bytes per
    parameter) and receives the new parameters, 2 · params · 4 bytes over its link; each of the
    ``servers`` servers holds 1/servers of the parameters and moves that share for every
    worker, workers / servers times a worker's traffic. Every link carries ``bandwidth``
    bytes/s, so the busier kind of link sets the communication time. Communication overlaps
    computation, so a step takes max(compute, communication).
    """
    compute = batch_per_worker / samples_per_s
    busiest_link_bytes = 2 * params * 4 * max(1, workers / servers)  # a worker's or a server's
    communicate = busiest_link_bytes / bandwidth
    return max(compute, communicate)


def _step_cases() -> list[Case]:
    return [
        Case((64, 4, 4, 1e6, 1000.0, 1e8), "b=64, 4 workers, 4 servers, 1M parameters, 100 MB/s"),
        Case((256, 8, 8, 25e6, 400.0, 12.5e9),
             "b=256, 8 workers, 8 servers, 25M parameters, 100 Gbit/s"),
        Case((256, 8, 1, 25e6, 400.0, 1.25e9),
             "b=256, 8 workers, 1 server, 25M parameters, 10 Gbit/s"),
        Case((32, 2, 4, 60e6, 2000.0, 1.25e9),
             "b=32, 2 workers, 4 servers, 60M parameters, 10 Gbit/s"),
    ]


q6 = FunctionQuestion(
    number="6.6",
    title="Data-parallel time per step",
    reference=data_parallel_step_time,
    cases=_step_cases,
    compare=same_number(rtol=1e-9, atol=0),
    hints=(
        "Compute: the workers run in parallel, so one step's computing time is that of ONE "
        "worker's share, batch_per_worker / samples_per_s.",
        "Communication: a worker's link carries its gradient out and the parameters back, "
        "2 x params x 4 bytes. A server's link carries its 1/servers share of that for every "
        "worker: workers / servers times as much.",
        "The busier link, max(1, workers / servers) x 2 x params x 4 bytes, sets the "
        "communication time; with full overlap the step takes the longer of the two times.",
    ),
    mistakes=(
        Mistake(
            lambda b, n, s, params, sps, bw: b / sps + 2 * params * 4 * max(1, n / s) / bw,
            "You added the two times: that is the model WITHOUT overlap; here communication "
            "overlaps computation, so the step takes max(compute, communication).",
        ),
        Mistake(
            lambda b, n, s, params, sps, bw: max(b / sps, params * 4 * max(1, n / s) / bw),
            "Only half the traffic: each worker sends its gradient AND receives the parameters, "
            "2 x params x 4 bytes.",
        ),
        Mistake(
            lambda b, n, s, params, sps, bw: max(n * b / sps, 2 * params * 4 * max(1, n / s) / bw),
            "The workers compute in parallel: a step computes batch_per_worker samples per "
            "worker, not the whole workers x batch_per_worker on one.",
        ),
        Mistake(
            lambda b, n, s, params, sps, bw: max(b / sps, 2 * params * 4 / bw),
            "You left out the servers: with fewer servers than workers, a server's link carries "
            "workers / servers times a worker's traffic and is the bottleneck; the busiest link "
            "moves max(1, workers / servers) x 2 x params x 4 bytes.",
        ),
        Mistake(
            lambda b, n, s, params, sps, bw: max(b / sps, 2 * params * 4 * (n / s) / bw),
            "With more servers than workers, a server's link is less busy than a worker's, but "
            "each worker's own link still carries its full 2 x params x 4 bytes: the factor is "
            "max(1, workers / servers), not workers / servers.",
        ),
    ),
    remark="With as many servers as workers no link is a bottleneck; then a batch large enough "
    "that compute hides communication makes n workers process n times as many samples per "
    "second as one.",
)

# --- 6.7 Global-memory reads of a tiled matrix product --------------------------------------


def tiled_global_reads(n: int, tile: int) -> int:
    """Elements an n x n @ n x n product reads from global memory with TILE x TILE tiles in
    shared memory (n a multiple of ``tile``): 2n³ / tile.

    (n / tile)² blocks, each walking n / tile tile pairs and loading 2·tile² elements per pair.
    """
    return 2 * n**3 // tile


def _reads_cases() -> list[Case]:
    return [
        Case((8, 2), "n=8, tile=2"),
        Case((64, 16), "n=64, tile=16"),
        Case((1024, 32), "n=1024, tile=32"),
    ]


q7 = FunctionQuestion(
    number="6.7",
    title="Global-memory reads of a tiled matrix product",
    reference=tiled_global_reads,
    cases=_reads_cases,
    compare=same_number(rtol=0, atol=0),
    hints=(
        "There are (n / tile)² blocks; each walks along k in n / tile steps, and in each step "
        "its tile² threads load one element of A and one of B each.",
        "Multiply: blocks x steps x 2·tile² elements.",
    ),
    mistakes=(
        Mistake(
            lambda n, tile: 2 * n**3,
            "2n³ is the naive kernel (every thread reads its whole row and column); the tiles "
            "let tile threads share each element fetched, dividing that by the tile.",
        ),
        Mistake(
            lambda n, tile: n**3 // tile,
            "That counts one matrix only: each step loads a tile of A AND a tile of B.",
        ),
        Mistake(
            lambda n, tile: 2 * n**2,
            "2n² reads each element once, which would need the whole matrices in shared memory; "
            "with tiles each element is read once per block row or column that needs it, "
            "n / tile times.",
        ),
    ),
    remark="A larger tile means fewer reads, until the tiles no longer fit in shared memory.",
)

QUESTIONS = (q1, q2, q3, q4, q5, q6, q7)
