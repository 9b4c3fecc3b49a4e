"""The exercise framework's own behaviour: reading answers, comparing, guarding reader code."""

from __future__ import annotations

import builtins
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib.exercises import (
    Case,
    FunctionQuestion,
    Mistake,
    Result,
    Statement,
    StatementsQuestion,
    ValueQuestion,
    banks,
)
from nnlib.exercises.compare import (
    AnswerError,
    describe_error,
    same_array,
    same_bool,
    same_direction,
    same_number,
    to_array,
)
from nnlib.exercises.running import TimeLimitExceeded, call_guarded, is_empty_function

# --- Toy questions ------------------------------------------------------------------------------


def double(x: np.ndarray) -> np.ndarray:
    """2x, same shape as x."""
    return 2 * x


def three_by_four() -> np.ndarray:
    """Zeros of shape (3, 4), float32."""
    return np.zeros((3, 4), dtype=np.float32)


def _double_cases() -> list[Case]:
    rng = np.random.default_rng(0)
    return [Case((rng.normal(size=(3, 2)),), "a 3×2 matrix"), Case((np.ones(4),), "ones(4)")]


DOUBLE = FunctionQuestion(
    number="0.1",
    title="double",
    reference=double,
    cases=_double_cases,
    compare=same_array(),
    hints=("Multiply by 2.",),
    mistakes=(Mistake(lambda x: x, "You returned x unchanged."),),
    time_limit_s=0.3,
)
ZEROS = ValueQuestion(
    number="0.2",
    title="zeros",
    reference=three_by_four,
    compare=same_array(dtype=True),
    mistakes=(Mistake(np.zeros((4, 3), dtype=np.float32), "Transposed."),),
)

# Any value a reader might hand in, sensible or not.
GARBAGE = st.one_of(
    st.none(),
    st.just(Ellipsis),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(),
    st.text(max_size=30),
    st.binary(max_size=10),
    st.lists(st.floats(allow_nan=True), max_size=5),
    st.recursive(st.integers(-3, 3), lambda inner: st.lists(inner, max_size=3), max_leaves=10),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.sets(st.integers(), max_size=3),
    st.just(print),
    st.just(lambda: 1),
    st.just(object()),
    hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64, np.int64, np.bool_, np.complex128, "U3"]),
        shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=5),
    ),
)


# --- Reading answers ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(garbage=GARBAGE)
def test_comparators_never_raise_whatever_they_are_given(garbage) -> None:
    expected = np.arange(12.0).reshape(3, 4)
    for compare, want in [
        (same_array(), expected),
        (same_array(dtype=True), expected.astype(np.float32)),
        (same_number(), 2.5),
        (same_bool(), True),
        (same_direction(), np.ones(3) / np.sqrt(3)),
    ]:
        message = compare(garbage, want)
        assert message is None or (isinstance(message, str) and "\n" not in message)


@settings(max_examples=200, deadline=None)
@given(garbage=GARBAGE)
def test_questions_never_raise_on_garbage_answers(garbage) -> None:
    for question in (DOUBLE, ZEROS, *banks()["ch01"]):
        result = question.evaluate(garbage)
        assert isinstance(result, Result)
        assert result.message and "\n" not in result.message


@given(
    array=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
        elements=st.floats(-1e6, 1e6),
    )
)
def test_an_array_equals_itself_and_its_torch_tensor_and_list(array) -> None:
    compare = same_array()
    assert compare(array, array) is None
    assert compare(torch.from_numpy(array.copy()), array) is None
    assert compare(array.tolist(), array) is None


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
def test_a_wrong_shape_is_named(shape) -> None:
    got = np.zeros(shape + (1,))
    assert same_array()(got, np.zeros(shape)) == f"wrong shape {got.shape}, expected {shape}"


def test_comparison_messages() -> None:
    compare = same_array()
    assert compare(np.zeros((3, 4)), np.zeros((4, 3))) == "wrong shape (3, 4), expected (4, 3)"
    assert same_array(dtype=True)(np.zeros(2), np.zeros(2, np.float32)) == (
        "wrong dtype float64, expected float32"
    )
    assert compare(np.array([1.0, np.nan]), np.zeros(2)) == "contains NaN in 1 of 2 entries"
    assert compare(np.array([np.inf, 0.0]), np.zeros(2)) == "contains inf in 1 of 2 entries"
    assert compare(np.array([[0.0, 0.5], [0.0, 0.0]]), np.zeros((2, 2))) == (
        "wrong values: 1 of 4 entries differ, the largest by 0.5 at index (0, 1)"
    )
    assert compare("abc", np.zeros(2)) == "got the string 'abc'; expected numbers, not text"
    assert "did you forget to call it?" in compare(double, np.zeros(2))
    assert "ragged" in compare([[1, 2], [3]], np.zeros(2))
    assert "complex" in compare(np.array([1j, 0]), np.zeros(2))
    assert compare(np.array([1 + 0j, 0]), np.array([1.0, 0.0])) is None


def test_torch_tensors_are_read_without_fuss() -> None:
    x = torch.arange(6.0, requires_grad=True).reshape(2, 3)
    assert same_array()(x * 1, np.arange(6.0).reshape(2, 3)) is None
    assert same_array(dtype=True)(torch.zeros(2), np.zeros(2, np.float32)) is None
    assert same_array()(torch.ones(2, dtype=torch.bfloat16), np.ones(2)) is None
    assert same_number()(torch.tensor(2.5), 2.5) is None
    assert same_bool()(torch.tensor(True), True) is None


def test_numbers_and_bools() -> None:
    assert same_number()(np.float32(2.0), 2.0) is None
    assert same_number()(np.array([2.0]), 2.0) is None
    assert same_number()(True, 1.0) == "got True (a bool); expected a number"
    assert same_number()(float("nan"), 1.0) == "got nan, which is not a finite number"
    assert same_number()(np.ones(3), 1.0) == "expected a single number, got an array of shape (3,)"
    assert same_number()(3.14159265, 2.0) == "returned 3.14159, expected 2"
    assert same_bool()(np.bool_(False), False) is None
    assert same_bool()(1, True) == "got 1 (int); expected True or False"
    assert same_bool()(False, True) == "returned False, expected True"


@given(
    vector=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-10, 10)).filter(
        lambda v: np.linalg.norm(v) > 1e-3
    ),
    sign=st.sampled_from([1.0, -1.0]),
)
def test_directions_compare_up_to_sign(vector, sign) -> None:
    unit = vector / np.linalg.norm(vector)
    assert same_direction()(sign * unit, unit) is None
    assert same_direction()(3 * unit, unit) == "has length 3, expected length 1"


def test_error_descriptions_are_one_deterministic_line() -> None:
    error = ValueError("first line <function f at 0x7f3a2b1c9d00>\nsecond line")
    assert describe_error(error) == "ValueError: first line <function f>"
    assert describe_error(KeyError()) == "KeyError"

    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert describe_error(Unprintable()) == "Unprintable"


def test_to_array_rejects_what_is_not_an_array() -> None:
    for value in (None, "1.0", b"x", {1: 2}, {1, 2}, print, object()):
        with pytest.raises(AnswerError):
            to_array(value)


# --- Guarding reader code -------------------------------------------------------------------------

EXCEPTIONS = [
    e
    for e in vars(builtins).values()
    if isinstance(e, type)
    and issubclass(e, Exception)
    and not issubclass(e, NotImplementedError | Warning)
    and e.__module__ == "builtins"
]


@settings(max_examples=200, deadline=None)
@given(
    exception=st.sampled_from(EXCEPTIONS),
    text=st.text(max_size=200),
    at_case=st.integers(0, 1),
)
def test_any_exception_in_reader_code_becomes_a_one_line_message(exception, text, at_case) -> None:
    try:
        error = exception(text)
    except TypeError:  # UnicodeDecodeError and a few others want other arguments
        assume(False)
    calls = []

    def buggy(x):
        calls.append(1)
        if len(calls) > at_case:
            raise error
        return 2 * x

    result = DOUBLE.evaluate(buggy)
    assert result.status == "wrong"
    assert f"your function raised {exception.__name__}" in result.message
    assert "\n" not in result.message and "Traceback" not in result.message
    assert DOUBLE.check(buggy) is False


def test_system_exit_and_unprintable_errors_are_caught() -> None:
    def exits(x):
        sys.exit(3)

    assert "raised SystemExit: 3" in DOUBLE.evaluate(exits).message


class ReadersOwnError(BaseException):
    """Not an Exception: a reader's subclass of BaseException."""


@pytest.mark.parametrize(
    ("error", "name"),
    [(GeneratorExit("closed"), "GeneratorExit"), (ReadersOwnError(), "ReadersOwnError")],
)
def test_any_base_exception_in_reader_code_becomes_a_message(error, name, capsys) -> None:
    def raises(x):
        raise error

    result = DOUBLE.evaluate(raises)
    assert result.status == "wrong"
    assert f"your function raised {name}" in result.message
    assert DOUBLE.check(raises) is False
    assert f"✗ 0.1 on a 3×2 matrix (x: shape (3, 2)): your function raised {name}" in (
        capsys.readouterr().out
    )
    value, caught = call_guarded(raises, (1.0,), time_limit_s=1)
    assert value is None and caught is error


def test_an_answer_raising_a_base_exception_when_read_becomes_a_message() -> None:
    class Closed:
        def __array__(self, *args, **kwargs):
            raise GeneratorExit("no array here")

    result = ZEROS.evaluate(Closed())
    assert result == Result(
        "wrong", "could not check this answer (GeneratorExit: no array here)"
    )


def test_keyboard_interrupt_in_reader_code_stops_the_check() -> None:
    """The reader pressing stop in Jupyter must interrupt the check, not be reported as a bug."""
    before = signal.getsignal(signal.SIGALRM)

    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        DOUBLE.evaluate(interrupted)
    with pytest.raises(KeyboardInterrupt):
        DOUBLE.check(interrupted)
    with pytest.raises(KeyboardInterrupt):
        call_guarded(interrupted, (1.0,), time_limit_s=1)
    assert signal.getsignal(signal.SIGALRM) is before  # the time limit is switched off again
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_endless_loop_hits_the_time_limit() -> None:
    def endless(x):
        while True:
            try:
                pass
            except Exception:  # even swallowing exceptions does not escape the limit
                pass

    start = time.perf_counter()
    result = DOUBLE.evaluate(endless)
    assert time.perf_counter() - start < 3
    assert result.status == "wrong"
    assert result.message == (
        "on a 3×2 matrix (x: shape (3, 2)): did not finish within the time limit of 0.3 s "
        "(an endless loop?)."
    )
    value, error = call_guarded(endless, (1.0,), time_limit_s=0.1)
    assert value is None and isinstance(error, TimeLimitExceeded)  # not a reader's error


def test_the_time_limit_leaves_signal_handling_as_it_was() -> None:
    before = signal.getsignal(signal.SIGALRM)
    DOUBLE.evaluate(double)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_off_the_main_thread_a_slow_function_is_reported_afterwards() -> None:
    def slow(x):
        time.sleep(0.5)
        return 2 * x

    results = []
    worker = threading.Thread(target=lambda: results.append(DOUBLE.evaluate(slow)))
    worker.start()
    worker.join()
    assert "did not finish within the time limit of 0.3 s" in results[0].message


def test_call_guarded_returns_value_or_error() -> None:
    assert call_guarded(lambda a, b: a + b, (1, 2), time_limit_s=1) == (3, None)
    value, error = call_guarded(lambda: 1 / 0, (), time_limit_s=1)
    assert value is None and isinstance(error, ZeroDivisionError)


# --- Not attempted, and other answers of the wrong kind ----------------------------------------


def test_stub_functions_are_recognised() -> None:
    def with_docstring(x):
        """Return 2x."""
        ...

    def forgot_return(x):
        y = 2 * x  # noqa: F841

    assert is_empty_function(with_docstring)
    assert not is_empty_function(forgot_return)
    assert not is_empty_function(double)
    assert DOUBLE.evaluate(with_docstring).status == "not attempted"
    assert DOUBLE.evaluate(forgot_return).message == (
        "on a 3×2 matrix (x: shape (3, 2)): your function returned None: missing `return`?"
    )


def test_a_function_question_wants_a_function() -> None:
    result = DOUBLE.evaluate(np.zeros(3))
    assert result.message == "expected a function, got an array of shape (3,) and dtype float64."


def test_a_reader_function_that_modifies_its_input_is_judged_fairly() -> None:
    def in_place(x):
        x *= 2
        return x

    assert DOUBLE.evaluate(in_place).status == "correct"


def test_value_questions_diagnose_and_accept_tensors(capsys) -> None:
    assert ZEROS.check(torch.zeros(3, 4)) is True
    assert ZEROS.check(np.zeros((4, 3), dtype=np.float32)) is False
    assert ZEROS.check(None) is False
    assert ZEROS.check(three_by_four) is False
    assert ZEROS.check(...) is False
    assert capsys.readouterr().out.splitlines() == [
        "✓ 0.2 Correct: a torch tensor of shape (3, 4).",
        "✗ 0.2 wrong shape (4, 3), expected (3, 4). Transposed.",
        "✗ 0.2 got None: did you forget to return or assign the result?",
        "✗ 0.2 got the function three_by_four: did you forget to call it?",
        "… 0.2 not attempted yet: fill in the cell above, then run this one.",
    ]


def test_hint_prints_every_hint(capsys) -> None:
    DOUBLE.hint()
    assert capsys.readouterr().out == "Hint 0.1.1: Multiply by 2.\n"


# --- Statements questions ------------------------------------------------------------------------


def truths() -> set[str]:
    """Letters of the true statements."""
    return {"a", "c"}


STATEMENTS = StatementsQuestion(
    number="0.3",
    title="statements",
    reference=truths,
    statements=(
        Statement("One.", True, "yes."),
        Statement("Two.", False, "because two."),
        Statement("Three.", True, "yes."),
    ),
)


@pytest.mark.parametrize("answer", [{"a", "c"}, {"A", "c"}, ["c", "a"], "ac", "a, C", ("a", "c")])
def test_statements_accept_letters_in_several_spellings(answer) -> None:
    assert STATEMENTS.evaluate(answer).status == "correct"


def test_statements_explain_wrong_choices_and_count_missing_ones() -> None:
    assert STATEMENTS.evaluate({"a", "b"}).message == (
        "(b) is false: because two. 1 true statement is missing from your answer."
    )
    assert STATEMENTS.evaluate(set()).message == "2 true statements are missing from your answer."
    assert STATEMENTS.evaluate({"z"}).message == "there is no statement z; choose from a to c."
    assert "expected a set of letters" in STATEMENTS.evaluate(3).message
    assert len(STATEMENTS.mistakes) == 2  # derived: b chosen, a left out


def test_statements_reference_must_agree_with_the_statements() -> None:
    with pytest.raises(ValueError, match="disagrees"):
        StatementsQuestion(
            number="0.4",
            title="bad",
            reference=truths,
            statements=(Statement("One.", True, "."), Statement("Two.", True, ".")),
        )


# --- Import hygiene ----------------------------------------------------------------------------


def test_importing_the_banks_has_no_side_effects() -> None:
    code = (
        "import sys, numpy as np\n"
        "options = np.get_printoptions(); state = np.random.get_state()[1].copy()\n"
        "import nnlib.exercises\n"
        "banks = nnlib.exercises.banks()\n"
        "assert np.get_printoptions() == options\n"
        "assert (np.random.get_state()[1] == state).all()\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
        "print(sorted(banks))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "ch01" in run.stdout
