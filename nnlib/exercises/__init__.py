"""Autograded exercises: question banks with checks that explain what is wrong.

A reader's notebook imports a chapter's bank and checks each answer::

    from nnlib.exercises import ch01
    ch01.q3.check(standardize_columns);   # prints ✓ / ✗ with a reason / … not attempted

Question kinds (see :mod:`nnlib.exercises.questions`):

* :class:`ValueQuestion`: the reader assigns a value, ``answer = ...``.
* :class:`FunctionQuestion`: the reader writes a function, run on seeded test cases.
* :class:`StatementsQuestion`: the reader names the true statements, ``answer = {"a", "c"}``.

Adding a chapter's bank: create ``nnlib/exercises/chNN.py`` (two digits) defining the reference
solutions as module-level functions, the questions, and ``QUESTIONS``, a tuple of them in order.
:func:`banks` finds it, and ``tests/test_exercises.py`` then checks every question of it: the
reference passes, the starter stubs read as "not attempted", every declared mistake fails with
its own message, there are at least two mistakes per question, and the exercise notebook
includes each reference solution.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from nnlib.exercises.questions import (
    Case,
    FunctionQuestion,
    Mistake,
    Question,
    Result,
    Statement,
    StatementsQuestion,
    ValueQuestion,
)

__all__ = [
    "Case",
    "FunctionQuestion",
    "Mistake",
    "Question",
    "Result",
    "Statement",
    "StatementsQuestion",
    "ValueQuestion",
    "banks",
]

_BANK_NAME = re.compile(r"ch\d\d")


def banks() -> dict[str, tuple[Question, ...]]:
    """Every chapter's questions, by module name: ``{"ch01": (q1, q2, ...), ...}``.

    Imports each ``nnlib.exercises.chNN`` module (only when called, never at import time) and
    returns its ``QUESTIONS``.
    """
    found = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if _BANK_NAME.fullmatch(module.name):
            bank = importlib.import_module(f"{__name__}.{module.name}")
            found[module.name] = tuple(bank.QUESTIONS)
    return found
