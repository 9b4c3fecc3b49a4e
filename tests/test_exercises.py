"""Every question of every chapter's bank: the reference passes, stubs are "not attempted", and
each known mistake fails with its own diagnosis. Banks are found by ``nnlib.exercises.banks()``,
so a new chapter's bank is tested here without touching this file."""

from __future__ import annotations

import ast
import dataclasses
import dis
import importlib
import inspect
import itertools
import os
import re
import threading
import types
from pathlib import Path

import numpy as np
import pytest

from nnlib.exercises import (
    FunctionQuestion,
    Question,
    StatementsQuestion,
    ValueQuestion,
    banks,
    ch01,
    ch02,
    ch04,
    ch05,
    ch06,
)
from nnlib.hardware.distributed import sync_sgd_step_time

ROOT = Path(__file__).resolve().parent.parent
BANKS = banks()
QUESTIONS = [(name, q) for name, questions in BANKS.items() for q in questions]
STATEMENTS = [(name, q) for name, q in QUESTIONS if isinstance(q, StatementsQuestion)]
MISTAKES = [(name, q, i) for name, q in QUESTIONS for i in range(len(q.mistakes))]


def _id(value: object) -> str:
    return value.number if isinstance(value, Question) else str(value)


def notebook_source(bank: str) -> str:
    """The MyST source of a bank's exercise notebook, ``exercises/NN_*_exercises.md``."""
    chapter = bank.removeprefix("ch")
    sources = sorted((ROOT / "exercises").glob(f"{chapter}_*_exercises.md"))
    assert len(sources) == 1, f"expected one exercises/{chapter}_*_exercises.md, got {sources}"
    return sources[0].read_text(encoding="utf-8")


def test_there_are_banks() -> None:
    assert "ch01" in BANKS
    assert len(BANKS["ch01"]) >= 6


@pytest.mark.parametrize("bank", BANKS)
def test_question_numbers_are_unique_and_name_the_chapter(bank: str) -> None:
    numbers = [q.number for q in BANKS[bank]]
    assert len(set(numbers)) == len(numbers)
    chapter = int(bank.removeprefix("ch"))
    assert all(re.fullmatch(rf"{chapter}\.\d+", n) for n in numbers), numbers


@pytest.mark.parametrize(("bank", "question"), QUESTIONS, ids=_id)
def test_reference_solution_passes(bank: str, question: Question, capsys) -> None:
    result = question.evaluate(question.reference_answer())
    assert result.status == "correct", result.message
    assert question.check(question.reference_answer()) is True
    assert capsys.readouterr().out == f"✓ {question.number} Correct: {result.message}\n"


@pytest.mark.parametrize(("bank", "question"), QUESTIONS, ids=_id)
def test_starter_stubs_read_as_not_attempted(bank: str, question: Question, capsys) -> None:
    for stub in question.stubs():
        assert question.evaluate(stub).status == "not attempted"
        assert question.check(stub) is False
        expected = "not attempted yet: fill in the cell above, then run this one."
        assert capsys.readouterr().out == f"… {question.number} {expected}\n"


@pytest.mark.parametrize(("bank", "question"), QUESTIONS, ids=_id)
def test_at_least_two_known_mistakes_and_a_hint(bank: str, question: Question) -> None:
    assert len(question.mistakes) >= 2
    assert question.hints


@pytest.mark.parametrize(("bank", "question", "index"), MISTAKES, ids=_id)
def test_each_mistake_fails_with_its_own_message(bank: str, question: Question, index: int) -> None:
    mistake = question.mistakes[index]
    result = question.evaluate(mistake.answer)
    assert result.status == "wrong"
    assert mistake.message in result.message
    others = [m.message for m in question.mistakes if m is not mistake]
    assert not [m for m in others if m in result.message], "diagnosis is ambiguous"
    assert "\n" not in result.message
    assert question.evaluate(mistake.answer) == result  # deterministic


@pytest.mark.parametrize(("bank", "question"), QUESTIONS, ids=_id)
def test_reference_is_a_module_level_function_of_the_bank(bank: str, question: Question) -> None:
    """So that ``literalinclude :pyobject:`` and ``inspect.getsource`` find it."""
    module = importlib.import_module(f"nnlib.exercises.{bank}")
    assert getattr(module, question.reference.__name__) is question.reference
    assert question.reference.__doc__, "reference solutions state shapes in a docstring"


@pytest.mark.parametrize(("bank", "question"), QUESTIONS, ids=_id)
def test_solution_prints_the_reference_source(bank: str, question: Question, capsys) -> None:
    question.solution()
    assert inspect.getsource(question.reference).rstrip() in capsys.readouterr().out


@pytest.mark.parametrize(("bank", "question"), QUESTIONS, ids=_id)
def test_notebook_shows_the_reference_solution(bank: str, question: Question) -> None:
    """The notebook's collapsed solution includes the real reference: no drifting copy."""
    source = notebook_source(bank)
    include = (
        f"```{{literalinclude}} ../nnlib/exercises/{bank}.py\n"
        f":pyobject: {question.reference.__name__}\n"
    )
    assert include in source
    assert f"{bank}.q{question.number.split('.')[1]}.check(" in source


@pytest.mark.parametrize(("bank", "question"), STATEMENTS, ids=_id)
def test_statements_in_the_notebook_match_the_bank(bank: str, question: StatementsQuestion) -> None:
    source = notebook_source(bank)
    for letter, statement in zip("abcdefghijklmnopqrstuvwxyz", question.statements, strict=False):
        assert f"({letter}) {statement.text}" in source


FUNCTIONS = [(name, q) for name, q in QUESTIONS if isinstance(q, FunctionQuestion)]


def _names_read(code: types.CodeType) -> set[str]:
    """Every variable name that ``code`` or a function nested in it loads."""
    names = {i.argval for i in dis.get_instructions(code) if i.opname.startswith("LOAD_")}
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names_read(constant)
    return names


@pytest.mark.parametrize(("bank", "question"), FUNCTIONS, ids=_id)
def test_every_argument_the_reader_is_given_is_used(bank: str, question: FunctionQuestion) -> None:
    """An argument the reference solution never reads leaves the reader guessing what it is for."""
    parameters = inspect.signature(question.reference).parameters
    unused = set(parameters) - _names_read(question.reference.__code__)
    assert not unused, f"the reference solution ignores {sorted(unused)}"


@pytest.mark.parametrize(("bank", "question"), FUNCTIONS, ids=_id)
def test_notebook_stub_has_the_reference_signature(bank: str, question: FunctionQuestion) -> None:
    """The reader's starter function takes the arguments the check passes, in the same order."""
    name = question.reference.__name__
    stub = re.search(rf"^def {name}\((.*)\):$", notebook_source(bank), re.MULTILINE)
    assert stub, f"no starter `def {name}(...)` in the notebook"
    stub_parameters = ast.parse(f"def stub({stub.group(1)}): pass").body[0].args
    reference = inspect.signature(question.reference).parameters.values()
    assert [a.arg for a in stub_parameters.args] == [p.name for p in reference]
    defaults = [ast.literal_eval(d) for d in stub_parameters.defaults]
    assert defaults == [p.default for p in reference if p.default is not inspect.Parameter.empty]


def _as_nested_lists(value: object) -> object:
    """``value`` with every array in it (a tuple's items too) turned into nested lists."""
    if isinstance(value, tuple):
        return tuple(_as_nested_lists(item) for item in value)
    return value.tolist() if isinstance(value, np.ndarray) else value


LISTS_ACCEPTED = [
    (name, q)
    for name, q in QUESTIONS
    if isinstance(q, FunctionQuestion | ValueQuestion)
    and "nested lists are accepted too" in notebook_source(name)
]


@pytest.mark.parametrize(("bank", "question"), LISTS_ACCEPTED, ids=_id)
def test_nested_lists_pass_where_the_notebook_accepts_them(bank: str, question: Question) -> None:
    if isinstance(question, FunctionQuestion):
        def answer(*args):
            return _as_nested_lists(question.reference(*args))
    else:
        answer = _as_nested_lists(question.reference())
    result = question.evaluate(answer)
    assert result.status == "correct", result.message


# --- Known wrong answers that once passed -----------------------------------------------------


def _softmax_minus_global_max(Z):
    E = np.exp(Z - np.max(Z))
    return E / np.sum(E, axis=1, keepdims=True)


@pytest.mark.parametrize("question", [ch04.q3, ch05.q1], ids=_id)
def test_a_softmax_shifted_by_the_global_maximum_fails(question: FunctionQuestion) -> None:
    result = question.evaluate(_softmax_minus_global_max)
    assert result.status == "wrong"
    assert "contains NaN" in result.message
    assert "You subtracted the maximum of the whole array" in result.message


@pytest.mark.parametrize(
    ("wrong_answer", "diagnosis"),
    [
        (lambda A, tol=1e-10: bool(np.allclose(A, A.T) and np.linalg.det(A) > 0),
         "det(A) > 0 is not enough"),
        (lambda A, tol=1e-10: bool(np.linalg.det(A) > 0), "det(A) > 0 is not enough"),
        (lambda A, tol=1e-10: bool(np.array_equal(A, A.T) and min(np.diag(A)) > 0
                                   and np.linalg.det(A) > 0),
         "A positive diagonal and det(A) > 0 settle it only for 2×2 matrices"),
        (lambda A, tol=1e-10: bool(np.all(np.diag(A) > 0) and np.linalg.det(A) > 0),
         "A positive diagonal and det(A) > 0 settle it only for 2×2 matrices"),
    ],
    ids=["symmetric, det > 0", "det > 0", "symmetric, diagonal > 0, det > 0",
         "diagonal > 0, det > 0"],
)
def test_determinant_tests_for_positive_definiteness_fail(wrong_answer, diagnosis) -> None:
    result = ch01.q6.evaluate(wrong_answer)
    assert result.status == "wrong"
    assert diagnosis in result.message


# --- Right answers that once failed -----------------------------------------------------------


def test_an_answer_to_two_decimals_passes_where_the_statement_allows_it() -> None:
    assert "two decimals are enough" in notebook_source("ch02")
    assert ch02.q6.evaluate(0.33).status == "correct"
    assert ch02.q6.evaluate(0.34).status == "wrong"


cuda = ch06.cuda  # kernels call the module-level name `cuda`, which the simulator swaps


def _endless_kernel(a, x, y, out):
    i = cuda.grid(1)
    while True:
        i += 1


@pytest.mark.skipif(
    os.environ.get("NUMBA_ENABLE_CUDASIM") != "1" or ch06.cuda_problem() is not None,
    reason="needs Numba's CUDA simulator (a kernel running on a real GPU cannot be stopped)",
)
def test_an_endless_kernel_in_the_simulator_is_stopped_with_its_threads() -> None:
    question = dataclasses.replace(ch06.q5, time_limit_s=0.5)
    threads_before = set(threading.enumerate())
    result = question.evaluate(_endless_kernel)
    assert "did not finish within the time limit of 0.5 s" in result.message
    # (a thread whose start() the time limit interrupted before it began never runs: not alive)
    still_running = [t for t in set(threading.enumerate()) - threads_before if t.is_alive()]
    assert not still_running, "simulated threads still run"
    assert question.evaluate(question.reference).status == "correct"  # the simulator still works


def test_data_parallel_step_time_follows_the_chapters_cost_model() -> None:
    """Exercise 6.6 is the chapter's model with full overlap, for any number of servers."""
    for batch, workers, servers, params, samples_per_s, bandwidth in itertools.product(
        [8, 512], [1, 4, 16], [1, 4, 16], [1e6, 25e6], [400.0], [1.25e9]
    ):
        expected = sync_sgd_step_time(batch, workers, params, samples_per_s, bandwidth,
                                      servers=servers, overlap=True)
        got = ch06.data_parallel_step_time(batch, workers, servers, params, samples_per_s,
                                           bandwidth)
        assert got == pytest.approx(expected, rel=1e-12)
    cases = ch06.q6.cases()
    assert any(c.args[2] < c.args[1] for c in cases), "no case where the servers are the bottleneck"
    assert any(c.args[2] > c.args[1] for c in cases), "no case with more servers than workers"
