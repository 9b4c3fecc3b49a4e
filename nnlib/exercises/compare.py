"""Reading a reader's answer as a number, a bool or an array; comparing it with the expected one.

Every function here turns whatever a reader hands in (a NumPy array, a PyTorch tensor, a nested
list, a string, ``None``, a function, ...) into either a clean value or an :class:`AnswerError`
whose message says what is wrong in one line. Comparators (:func:`same_array`,
:func:`same_number`, :func:`same_bool`, :func:`same_direction`, :func:`same_parts`) return ``None`` when two answers
agree and a one-line message otherwise; they never raise. Messages are deterministic: numbers are
rounded to a few significant digits and no memory address or timing ever appears.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np

#: A comparator: ``compare(got, expected)`` returns ``None`` when they agree, else a message.
Comparator = Callable[[Any, Any], "str | None"]


class AnswerError(ValueError):
    """A reader's answer cannot be read as the kind of value the question expects."""


def describe(value: Any) -> str:
    """A short, deterministic description of any value, for messages: ``"a list of 3 items"``."""
    if value is None:
        return "None"
    if value is Ellipsis:
        return "... (Ellipsis, the starter placeholder)"
    if isinstance(value, bool | np.bool_):
        return f"{bool(value)} (a bool)"
    if isinstance(value, str | bytes):
        text = value if len(value) <= 20 else value[:17] + "..."
        return f"the string {text!r}"
    if _is_torch_tensor(value):
        return f"a torch tensor of shape {tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, int | float | np.number):
        return f"{value!r} ({type(value).__name__})"
    if callable(value):
        name = getattr(value, "__name__", type(value).__name__)
        return f"the function {name}"
    if isinstance(value, list | tuple | set | frozenset | dict):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"an object of type {type(value).__name__}"


def describe_error(error: BaseException) -> str:
    """``"ValueError: operands could not be broadcast ..."``: type and first line, no traceback."""
    try:
        text = str(error)
    except Exception:  # an exception whose __str__ itself is broken
        text = ""
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)  # memory addresses differ between runs
    lines = text.strip().splitlines()
    first = lines[0] if lines else ""
    if len(first) > 160:
        first = first[:157] + "..."
    name = type(error).__name__
    return f"{name}: {first}" if first else name


def _is_torch_tensor(value: Any) -> bool:
    """True for a PyTorch tensor, found without importing torch."""
    return type(value).__module__.partition(".")[0] == "torch" and hasattr(value, "detach")


def to_array(value: Any) -> np.ndarray:
    """Read an array-like as a real NumPy array (any shape); raise AnswerError with a reason.

    Accepts NumPy arrays and scalars, PyTorch tensors (detached and copied to the CPU), Python
    numbers and (nested) lists or tuples of numbers. Rejects None, strings, functions, dicts,
    sets, ragged lists, non-numeric arrays and complex values with a non-zero imaginary part.
    """
    if value is None:
        raise AnswerError("got None: did you forget to return or assign the result?")
    if value is Ellipsis:
        raise AnswerError("got ... (Ellipsis), the starter placeholder")
    if isinstance(value, str | bytes):
        raise AnswerError(f"got {describe(value)}; expected numbers, not text")
    if isinstance(value, dict | set | frozenset):
        raise AnswerError(f"got {describe(value)}; expected an array")
    if callable(value) and not isinstance(value, np.ndarray):
        raise AnswerError(f"got {describe(value)}: did you forget to call it?")
    if _is_torch_tensor(value):
        try:
            value = value.detach().cpu()
            try:
                value = value.numpy()
            except TypeError:  # dtypes NumPy lacks, such as bfloat16
                value = value.double().numpy()
        except Exception as error:
            raise AnswerError(
                f"could not read the torch tensor ({describe_error(error)})"
            ) from None
    try:
        array = np.asarray(value)
    except Exception as error:
        raise AnswerError(
            f"could not read {describe(value)} as an array ({describe_error(error)}); "
            "are the nested lists ragged?"
        ) from None
    if array.dtype.kind == "c":
        imaginary = float(np.max(np.abs(array.imag))) if array.size else 0.0
        if imaginary > 1e-12:
            raise AnswerError(f"has complex values (imaginary parts up to {imaginary:.3g})")
        array = array.real
    if array.dtype.kind not in "biuf":
        raise AnswerError(f"got {describe(value)}, which does not hold numbers")
    return array


def to_number(value: Any) -> float:
    """Read a single real number (a Python/NumPy number, or any 1-element array or tensor)."""
    if isinstance(value, bool | np.bool_):
        raise AnswerError(f"got {describe(value)}; expected a number")
    array = to_array(value)
    if array.size != 1:
        raise AnswerError(f"expected a single number, got an array of shape {array.shape}")
    number = float(array.reshape(()))
    if not np.isfinite(number):
        raise AnswerError(f"got {number}, which is not a finite number")
    return number


def to_bool(value: Any) -> bool:
    """Read True/False (a Python or NumPy bool, or a 1-element boolean array or tensor)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray) or _is_torch_tensor(value):
        array = to_array(value)
        if array.dtype == np.bool_ and array.size == 1:
            return bool(array.reshape(()))
    raise AnswerError(f"got {describe(value)}; expected True or False")


def _quietly(compare: Comparator) -> Comparator:
    """Silence NumPy's overflow and invalid-value warnings: the messages report such values."""

    @functools.wraps(compare)
    def quiet_compare(got: Any, expected: Any) -> str | None:
        with np.errstate(all="ignore"):
            return compare(got, expected)

    return quiet_compare


def same_array(*, rtol: float = 1e-6, atol: float = 1e-9, dtype: bool = False) -> Comparator:
    """Compare arrays: same shape, finite, values within ``atol + rtol·|expected|``.

    With ``dtype=True`` the dtype must match too (e.g. float32, not NumPy's default float64).
    """

    def compare(got: Any, expected: Any) -> str | None:
        try:
            got_array = to_array(got)
        except AnswerError as error:
            return str(error)
        want = np.asarray(expected)
        if got_array.shape != want.shape:
            return f"wrong shape {got_array.shape}, expected {want.shape}"
        if dtype and got_array.dtype != want.dtype:
            return f"wrong dtype {got_array.dtype}, expected {want.dtype}"
        got64, want64 = got_array.astype(np.float64), want.astype(np.float64)
        problem = _non_finite(got64, want64)
        if problem is not None:
            return problem
        close = np.isclose(got64, want64, rtol=rtol, atol=atol, equal_nan=True)
        if close.all():
            return None
        difference = np.where(close, 0.0, np.abs(got64 - want64))
        index = tuple(int(i) for i in np.unravel_index(np.argmax(difference), difference.shape))
        return (
            f"wrong values: {int((~close).sum())} of {close.size} entries differ, "
            f"the largest by {float(difference[index]):.3g} at index {index}"
        )

    return _quietly(compare)


def _non_finite(got: np.ndarray, want: np.ndarray) -> str | None:
    """A message when ``got`` has NaN or inf where ``want`` is finite, else None.

    ``want`` is non-finite only when a reader's answer is compared with a known mistake's, which
    may overflow: the same NaN or inf in the same entry then counts as agreement.
    """
    bad = ~np.isfinite(got) & np.isfinite(want)
    if not bad.any():
        return None
    kind = "NaN" if np.isnan(got[bad]).any() else "inf"
    return f"contains {kind} in {int(bad.sum())} of {got.size} entries"


def same_number(*, rtol: float = 1e-6, atol: float = 1e-9) -> Comparator:
    """Compare single numbers within ``atol + rtol·|expected|``."""

    def compare(got: Any, expected: Any) -> str | None:
        try:
            value = to_number(got)
        except AnswerError as error:
            return str(error)
        want = float(expected)
        if abs(value - want) <= atol + rtol * abs(want):
            return None
        return f"returned {value:.6g}, expected {want:.6g}"

    return _quietly(compare)


def same_bool() -> Comparator:
    """Compare True/False answers."""

    def compare(got: Any, expected: Any) -> str | None:
        try:
            value = to_bool(got)
        except AnswerError as error:
            return str(error)
        return None if value == bool(expected) else f"returned {value}, expected {bool(expected)}"

    return _quietly(compare)


def same_parts(*names: str, rtol: float = 1e-9, atol: float = 1e-12) -> Comparator:
    """Compare a tuple of arrays (or numbers) part by part, naming the first part that is wrong,
    e.g. ``same_parts("the value", "the tangent")``."""
    compare_one = same_array(rtol=rtol, atol=atol)

    def compare(got: Any, expected: Any) -> str | None:
        if not isinstance(got, tuple | list) or len(got) != len(names):
            return f"expected a tuple of {len(names)} ({', '.join(names)}), got {describe(got)}"
        for name, part, want in zip(names, got, expected, strict=True):
            problem = compare_one(part, want)
            if problem is not None:
                return f"{name}: {problem}"
        return None

    return compare


def same_direction(*, tol: float = 1e-6) -> Comparator:
    """Compare vectors up to sign: same shape, same length, and ``got = ±expected`` in direction.

    Suits eigenvectors, which are only defined up to sign. ``tol`` bounds both the relative length
    difference and the distance between the two unit directions (about the angle in radians).
    """

    def compare(got: Any, expected: Any) -> str | None:
        try:
            g = to_array(got).astype(np.float64)
        except AnswerError as error:
            return str(error)
        e = np.asarray(expected, dtype=np.float64)
        if g.shape != e.shape:
            return f"wrong shape {g.shape}, expected {e.shape}"
        problem = _non_finite(g, e)
        if problem is not None:
            return problem
        if not np.isfinite(e).all():  # a known mistake's vector that overflowed
            same = np.array_equal(g, e, equal_nan=True)
            return None if same else "has NaN or inf in other entries than expected"
        g_len, e_len = float(np.linalg.norm(g)), float(np.linalg.norm(e))
        if abs(g_len - e_len) > tol * max(1.0, e_len):
            return f"has length {g_len:.4g}, expected length {e_len:.4g}"
        if g_len == 0.0 or e_len == 0.0:
            return None  # both (numerically) zero
        g_unit, e_unit = g / g_len, e / e_len
        gap = min(np.linalg.norm(g_unit - e_unit), np.linalg.norm(g_unit + e_unit))
        if gap <= tol:
            return None
        degrees = np.degrees(2 * np.arcsin(min(1.0, gap / 2)))
        return f"points in another direction: {degrees:.3g} degrees away (up to sign)"

    return _quietly(compare)
