"""Running a reader's code safely: every exception and every endless loop becomes a value.

"Every exception" means every BaseException (SystemExit, GeneratorExit, a reader's own subclass
of BaseException, ...) except KeyboardInterrupt: that one is the reader pressing stop in Jupyter,
and it must stop the check.

Time limit. Where the platform has ``signal.setitimer`` (Linux, macOS) and the call happens in
the main thread (as in a Jupyter kernel or pytest), a real-time timer raises
:class:`TimeLimitExceeded` *inside* the reader's function once the limit has passed, so an
endless loop is stopped. Python only handles the signal between bytecodes, so a single long
C-level call (one enormous matrix product) is stopped only when it returns. Elsewhere (Windows,
or a check run from a worker thread) the function runs to completion and, if it took longer than
the limit, it is reported as too slow afterwards: a truly endless loop then hangs, as it would
without the check.
"""

from __future__ import annotations

import dis
import signal
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

DEFAULT_TIME_LIMIT_S = 2.0


class TimeLimitExceeded(BaseException):
    """Raised inside a reader's function that runs past its time limit.

    It derives from BaseException, not Exception, so that a reader's ``except Exception:`` inside
    a loop cannot swallow it.
    """


def call_guarded(
    function: Callable[..., Any], args: tuple[Any, ...], *, time_limit_s: float
) -> tuple[Any, BaseException | None]:
    """Call ``function(*args)``; return ``(result, None)`` or ``(None, the exception raised)``.

    Catches every BaseException, :class:`TimeLimitExceeded` included (the caller tells it apart
    with ``isinstance``); only KeyboardInterrupt (the reader pressing stop) passes through. NumPy
    floating-point warnings are silenced, since the comparison reports NaN and inf itself.
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _call_with_time_limit(function, args, time_limit_s), None
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # GeneratorExit, SystemExit, TimeLimitExceeded, ...
        return None, error


def _can_interrupt() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _call_with_time_limit(function: Callable[..., Any], args: tuple[Any, ...], limit: float) -> Any:
    start = time.perf_counter()
    if not _can_interrupt():
        result = function(*args)
        if time.perf_counter() - start > limit:
            raise TimeLimitExceeded(limit)
        return result

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeLimitExceeded(limit)

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_delay, _ = signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return function(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0:  # re-arm a timer someone else had set (e.g. a test timeout)
            elapsed = time.perf_counter() - start
            signal.setitimer(signal.ITIMER_REAL, max(previous_delay - elapsed, 1e-3))


def is_empty_function(function: Any) -> bool:
    """True when a function's body is only a docstring, ``pass`` or ``...`` (it returns None)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    ignored = {"RESUME", "NOP", "CACHE"}
    steps = [(i.opname, i.argval) for i in dis.get_instructions(code) if i.opname not in ignored]
    return steps in ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("RETURN_CONST", None)])
