"""Question kinds: a value to create, a function to write, statements to judge true or false.

Every question has the same three methods for the reader:

* ``check(answer) -> bool`` prints one line, ``✓ 1.3 Correct: ...``, ``✗ 1.3 <what is wrong>`` or
  ``… 1.3 not attempted yet: ...``, and returns whether the answer is correct. It never raises,
  whatever the answer is or does; only KeyboardInterrupt (the reader pressing stop) gets through.
* ``hint()`` prints the hints; ``solution()`` prints the source of the reference solution.

and, for authors and tests, ``evaluate(answer) -> Result`` (what ``check`` prints, without
printing), ``reference`` (the reference solution, a module-level function of the chapter's bank),
``mistakes`` (known wrong answers with the diagnosis shown when a reader's answer behaves like
one) and ``stubs()`` (starter answers that must read as "not attempted").
"""

from __future__ import annotations

import copy
import inspect
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from nnlib.exercises.compare import Comparator, describe, describe_error
from nnlib.exercises.running import (
    DEFAULT_TIME_LIMIT_S,
    TimeLimitExceeded,
    call_guarded,
    is_empty_function,
)

Status = Literal["correct", "wrong", "not attempted"]
NOT_ATTEMPTED = "not attempted yet: fill in the cell above, then run this one."
_SYMBOLS: dict[str, str] = {"correct": "✓", "wrong": "✗", "not attempted": "…"}


@dataclass(frozen=True)
class Result:
    """The outcome of checking one answer: a status and a one-line message."""

    status: Status
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def line(self, number: str) -> str:
        """The line ``check`` prints, e.g. ``✗ 1.3 wrong shape (3, 4), expected (4, 3)``."""
        prefix = "Correct: " if self.passed and self.message else ""
        return f"{_SYMBOLS[self.status]} {number} {prefix}{self.message}".rstrip()


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer and the diagnosis to show a reader whose answer behaves like it.

    ``answer`` has the same kind as a reader's answer: a value for a value question, a (buggy)
    function for a function question, a set of letters for a statements question.
    """

    answer: Any
    message: str


@dataclass(frozen=True)
class Case:
    """One test input for a function question: the positional arguments and a short label."""

    args: tuple[Any, ...]
    label: str


@dataclass(kw_only=True)
class Question:
    """What all questions share. Subclasses implement ``_evaluate`` and ``stubs``."""

    number: str  # "1.3": chapter 1, question 3
    title: str
    reference: Callable[..., Any]  # module-level function in the bank: the solution shown
    hints: Sequence[str] = ()
    mistakes: Sequence[Mistake] = ()
    remark: str = ""  # shown after ✓, a take-away for the reader

    def check(self, answer: Any) -> bool:
        """Print ✓/✗/… with a specific message; return True when the answer is correct."""
        result = self.evaluate(answer)
        print(result.line(self.number))
        return result.passed

    def evaluate(self, answer: Any) -> Result:
        """Judge ``answer`` without printing. Never raises (but lets KeyboardInterrupt through)."""
        try:
            return self._evaluate(answer)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            # Reader code can reach here, e.g. an answer object whose __eq__ or __len__ raises,
            # even something that is not an Exception, such as GeneratorExit.
            return Result("wrong", f"could not check this answer ({describe_error(error)})")

    def hint(self) -> None:
        """Print the hints, from a nudge to nearly the answer."""
        for index, text in enumerate(self.hints, start=1):
            print(f"Hint {self.number}.{index}: {text}")
        if not self.hints:
            print(f"No hints for {self.number}: the solution is one call away, q.solution().")

    def solution(self) -> None:
        """Print the source code of the reference solution."""
        print(inspect.getsource(self.reference).rstrip())

    def stubs(self) -> tuple[Any, ...]:
        """Starter answers that must read as "not attempted"."""
        return (Ellipsis,)

    def reference_answer(self) -> Any:
        """The answer a reader who solved the question hands to ``check``."""
        return self.reference()

    def _evaluate(self, answer: Any) -> Result:
        raise NotImplementedError

    def _correct(self, message: str) -> Result:
        return Result("correct", f"{message} {self.remark}".strip())


@dataclass(kw_only=True)
class ValueQuestion(Question):
    """The reader assigns a value (``answer = ...``); ``reference()`` returns the expected one."""

    compare: Comparator

    def _evaluate(self, answer: Any) -> Result:
        if answer is Ellipsis:
            return Result("not attempted", NOT_ATTEMPTED)
        problem = self.compare(answer, self.reference())
        if problem is None:
            return self._correct(f"{describe(answer)}.")
        diagnoses = [m.message for m in self.mistakes if self.compare(answer, m.answer) is None]
        return Result("wrong", " ".join([_sentence(problem), *diagnoses]))


@dataclass(kw_only=True)
class FunctionQuestion(Question):
    """The reader writes a function; it must agree with ``reference`` on every test case.

    ``cases()`` builds the seeded test inputs (edge cases included). Each call gets fresh deep
    copies of the inputs, so a function that modifies its input cannot spoil the comparison.
    """

    cases: Callable[[], Sequence[Case]]
    compare: Comparator
    time_limit_s: float = DEFAULT_TIME_LIMIT_S

    def stubs(self) -> tuple[Any, ...]:
        def raises_not_implemented(*args: Any) -> Any:
            raise NotImplementedError

        def only_pass(*args: Any) -> Any:
            pass

        def only_ellipsis(*args: Any) -> Any:
            """Docstring of a starter function."""
            ...

        return (Ellipsis, raises_not_implemented, only_pass, only_ellipsis)

    def reference_answer(self) -> Any:
        return self.reference

    def _evaluate(self, answer: Any) -> Result:
        if answer is Ellipsis or is_empty_function(answer):
            return Result("not attempted", NOT_ATTEMPTED)
        if not callable(answer):
            return Result("wrong", f"expected a function, got {describe(answer)}.")
        cases = self.cases()
        seen: list[tuple[Case, Any]] = []  # the cases so far and the reader's outputs on them
        for case in cases:
            expected = self.reference(*copy.deepcopy(case.args))
            got, error = call_guarded(
                answer, copy.deepcopy(case.args), time_limit_s=self.time_limit_s
            )
            where = f"on {case.label} ({self._shapes(case)})"
            if isinstance(error, NotImplementedError):
                return Result("not attempted", NOT_ATTEMPTED)
            if isinstance(error, TimeLimitExceeded):
                return Result(
                    "wrong",
                    f"{where}: did not finish within the time limit of {self.time_limit_s:g} s "
                    "(an endless loop?).",
                )
            if error is not None:
                return Result("wrong", f"{where}: your function raised {describe_error(error)}.")
            if got is None:
                return Result("wrong", f"{where}: your function returned None: missing `return`?")
            seen.append((case, got))
            problem = self.compare(got, expected)
            if problem is not None:
                message = _sentence(f"{where}: {problem}")
                return Result("wrong", " ".join([message, *self._diagnose(seen)]))
        return self._correct(f"agrees with the reference on all {len(cases)} test inputs.")

    def _diagnose(self, seen: list[tuple[Case, Any]]) -> list[str]:
        """Messages of the known mistakes that agree with the reader on every case so far."""
        return [m.message for m in self.mistakes if self._agrees(m.answer, seen)]

    def _agrees(self, function: Callable[..., Any], seen: list[tuple[Case, Any]]) -> bool:
        for case, got in seen:
            output, error = call_guarded(
                function, copy.deepcopy(case.args), time_limit_s=self.time_limit_s
            )
            if error is not None or output is None or self.compare(got, output) is not None:
                return False
        return True

    def _shapes(self, case: Case) -> str:
        """``"A: shape (3, 3)"``, naming the arguments as the reference solution does."""
        names = list(inspect.signature(self.reference).parameters)
        parts = []
        for name, arg in zip(names, case.args, strict=False):
            shape = getattr(arg, "shape", None)
            parts.append(
                f"{name}: shape {tuple(shape)}" if shape is not None else f"{name}={arg!r}"
            )
        return ", ".join(parts)


@dataclass(frozen=True)
class Statement:
    """One statement of a true-or-false question, with why it is true or false."""

    text: str
    true: bool
    why: str


@dataclass(kw_only=True)
class StatementsQuestion(Question):
    """Which statements are true? The reader answers with a set of letters, e.g. ``{"a", "c"}``.

    A wrongly chosen false statement is explained; a missing true statement is only counted, so
    the check does not give the answer away. Letters are case-insensitive; a string such as
    ``"ac"`` or a list is accepted too. ``reference()`` returns the set of true letters.
    """

    statements: Sequence[Statement]

    def __post_init__(self) -> None:
        truth = {letter for letter, s in self._lettered() if s.true}
        if self.reference() != truth:
            raise ValueError(f"{self.number}: reference() disagrees with the statements")
        if not self.mistakes:  # each false statement chosen, and one true statement left out
            wrong = [
                Mistake(truth | {letter}, self._why(letter, s))
                for letter, s in self._lettered()
                if not s.true
            ]
            first_true = min(truth)
            self.mistakes = (*wrong, Mistake(truth - {first_true}, _missing(1)))

    def _lettered(self) -> list[tuple[str, Statement]]:
        return list(zip(string.ascii_lowercase, self.statements, strict=False))

    @staticmethod
    def _why(letter: str, statement: Statement) -> str:
        return f"({letter}) is false: {statement.why}"

    def _evaluate(self, answer: Any) -> Result:
        if answer is Ellipsis:
            return Result("not attempted", NOT_ATTEMPTED)
        letters = dict(self._lettered())
        chosen = _read_letters(answer)
        if chosen is None:
            return Result(
                "wrong", f"expected a set of letters such as {{'a', 'c'}}, got {describe(answer)}."
            )
        unknown = sorted(chosen - set(letters))
        if unknown:
            return Result(
                "wrong",
                f"there is no statement {', '.join(unknown)}; choose from "
                f"{min(letters)} to {max(letters)}.",
            )
        truth = {letter for letter, s in letters.items() if s.true}
        if chosen == truth:
            return self._correct(f"exactly {', '.join(sorted(truth))} are true.")
        messages = [self._why(letter, letters[letter]) for letter in sorted(chosen - truth)]
        if truth - chosen:
            messages.append(_missing(len(truth - chosen)))
        return Result("wrong", " ".join(messages))

    def solution(self) -> None:
        super().solution()
        for letter, statement in self._lettered():
            print(f"({letter}) {'true' if statement.true else 'false'}: {statement.why}")


def _sentence(text: str) -> str:
    """End ``text`` with a full stop unless it ends with punctuation already."""
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _missing(count: int) -> str:
    if count == 1:
        return "1 true statement is missing from your answer."
    return f"{count} true statements are missing from your answer."


def _read_letters(answer: Any) -> set[str] | None:
    """Read ``{"a", "C"}``, ``["a", "c"]``, ``"a, c"`` or ``"ac"`` as ``{"a", "c"}``; else None."""
    items: Iterable[Any]
    if isinstance(answer, str):
        items = [c for c in answer if c.isalpha()]
    elif isinstance(answer, set | frozenset | list | tuple):
        items = answer
    else:
        return None
    if not all(isinstance(item, str) and len(item.strip()) == 1 for item in items):
        return None
    return {item.strip().lower() for item in items}


__all__ = [
    "Case",
    "FunctionQuestion",
    "Mistake",
    "Question",
    "Result",
    "Statement",
    "StatementsQuestion",
    "ValueQuestion",
]
