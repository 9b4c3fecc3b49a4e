"""Every question of every chapter's bank: the reference passes, stubs are "not attempted", and
each known mistake fails with its own diagnosis. Banks are found by ``nnlib.exercises.banks()``,
so a new chapter's bank is tested here without touching this file."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from nnlib.exercises import Question, StatementsQuestion, banks

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
