"""Chapter 3 exercises, "Automatic differentiation": reference solutions, hints, known mistakes.

The reference solutions are the module-level functions below; the exercise notebook shows them
(``literalinclude`` with ``:pyobject:``) and ``q.solution()`` prints them, so there is one copy.
Test inputs are built from fixed seeds when a check runs, never at import.

A dual number is passed around as two arrays of the same shape, its value and its tangent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nnlib.exercises.compare import describe, same_array, same_number, same_parts
from nnlib.exercises.questions import (
    Case,
    FunctionQuestion,
    Mistake,
    Statement,
    StatementsQuestion,
    ValueQuestion,
)


def same_sequence() -> Callable:
    """Compare lists of names exactly (case-insensitive, surrounding spaces ignored)."""

    def compare(got: Any, expected: Any) -> str | None:
        if not isinstance(got, list | tuple) or not all(isinstance(g, str) for g in got):
            return f"expected a list of names such as ['L', 'y'], got {describe(got)}"
        names = [g.strip().lower() for g in got]
        want = [e.lower() for e in expected]
        if sorted(names) != sorted(want):
            return f"expected each of the names {sorted(expected)} once"
        if names != want:
            return f"{', '.join(got)} is not the order backward uses"
        return None

    return compare


# --- 3.1 Multiplying dual numbers -----------------------------------------------------------


def dual_mul(a: np.ndarray, da: np.ndarray, b: np.ndarray, db: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """(a + da·ε)(b + db·ε) with ε² = 0, as (value, tangent); all arrays of one shape (n,)."""
    return a * b, da * b + a * db  # the a'b'ε² term vanishes


def _mul_cases() -> list[Case]:
    rng = np.random.default_rng(31)
    return [
        Case((np.array([2.0]), np.array([1.0]), np.array([3.0]), np.array([0.0])),
             "(2 + ε)(3 + 0ε)"),
        Case(tuple(rng.normal(size=4) for _ in range(4)), "4 random dual numbers"),
        Case((rng.normal(size=3), rng.normal(size=3), rng.normal(size=3), np.ones(3)),
             "tangents of b equal to 1"),
    ]


q1 = FunctionQuestion(
    number="3.1",
    title="Multiplying dual numbers",
    reference=dual_mul,
    cases=_mul_cases,
    compare=same_parts("the value", "the tangent"),
    hints=(
        "Multiply out (a + a'ε)(b + b'ε) like any two binomials, then use ε² = 0.",
        "The value is ab; the tangent is the coefficient of ε: the product rule a'b + ab'.",
    ),
    mistakes=(
        Mistake(lambda a, da, b, db: (a * b, da * db),
                "The tangent a'b' is the coefficient of ε², which is 0; the coefficient of ε is "
                "a'b + ab' (the product rule)."),
        Mistake(lambda a, da, b, db: (a * b, da * b),
                "Half of the product rule: a'b + ab' has a term for each factor."),
        Mistake(lambda a, da, b, db: (a * b, da * b + a * db + da * db),
                "The extra term a'b'ε² is 0 because ε² = 0: drop it."),
    ),
    remark="ε² = 0 turns multiplication into the product rule: no calculus needed.",
)

# --- 3.2 The sine of a dual number ----------------------------------------------------------


def dual_sin(a: np.ndarray, da: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sin(a + da·ε) = sin(a) + cos(a)·da·ε, as (value, tangent); a and da of shape (n,)."""
    return np.sin(a), np.cos(a) * da  # chain rule: the outer derivative times the tangent


def _sin_cases() -> list[Case]:
    rng = np.random.default_rng(32)
    return [
        Case((np.array([0.0, np.pi / 2]), np.array([1.0, 1.0])), "a = (0, π/2), tangents 1"),
        Case((rng.normal(size=4), rng.normal(size=4)), "random a and tangents"),
        Case((rng.normal(size=3), np.full(3, 2.0)), "tangents 2"),
    ]


q2 = FunctionQuestion(
    number="3.2",
    title="The sine of a dual number",
    reference=dual_sin,
    cases=_sin_cases,
    compare=same_parts("the value", "the tangent"),
    hints=(
        "Taylor: f(a + a'ε) = f(a) + f'(a)·a'ε, since every higher power of ε is 0.",
        "For f = sin, f' = cos: the tangent is cos(a) times the incoming tangent a'.",
    ),
    mistakes=(
        Mistake(lambda a, da: (np.sin(a), np.cos(a)),
                "The tangent must be multiplied by the incoming tangent a' (the chain rule): "
                "cos(a)·a'."),
        Mistake(lambda a, da: (np.sin(a), -np.sin(a) * da),
                "-sin(a)·a' is the tangent of cos; the derivative of sin is cos."),
        Mistake(lambda a, da: (np.sin(a), np.cos(da) * a),
                "Value and tangent are swapped inside: the tangent is cos(a)·a', the derivative "
                "at the value a times the tangent a'."),
    ),
    remark="Every elementary function is one such rule; the chain rule is built in.",
)

# --- 3.3 The backward of a broadcasting product ---------------------------------------------


def mul_backward(g: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The gradients (dL/dx, dL/dy) of out = x * y (broadcast), given g = dL/dout.

    g has the broadcast shape of x and y; each result has the shape of its input: sum g * y
    (or g * x) over the axes that broadcasting added or stretched.
    """

    def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        lead = grad.ndim - len(shape)
        grad = grad.sum(axis=tuple(range(lead)))  # axes broadcasting added in front
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
        return grad.sum(axis=stretched, keepdims=True)  # axes of length 1 it stretched

    return unbroadcast(g * y, x.shape), unbroadcast(g * x, y.shape)


def _mul_backward_cases() -> list[Case]:
    rng = np.random.default_rng(33)
    return [
        Case((rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))),
             "equal shapes"),
        Case((rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=3)),
             "x (4, 3) times a row y (3,)"),
        Case((rng.normal(size=(2, 5)), rng.normal(size=(2, 1)), rng.normal(size=(2, 5))),
             "a column x (2, 1) times y (2, 5)"),
        Case((rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4)), rng.normal(size=4)),
             "x (2, 3, 4) times y (4,): two axes added in front of y"),
        Case((rng.normal(size=3), rng.normal(size=3), np.array(rng.normal())),
             "x (3,) times a 0-d y"),
    ]


def _no_sum(g, x, y):
    return g * y, g * x


def _sum_one_added_axis(g, x, y):
    def unbroadcast(grad, shape):
        if grad.ndim > len(shape):  # `while` is needed: broadcasting may add several axes
            grad = grad.sum(axis=0)
        stretched = tuple(i for i, n in enumerate(shape) if n == 1)
        return grad.sum(axis=stretched, keepdims=True)

    return unbroadcast(g * y, x.shape), unbroadcast(g * x, y.shape)


def _sum_all(g, x, y):
    gx, gy = g * y, g * x
    return (gx if gx.shape == x.shape else np.full(x.shape, gx.sum()),
            gy if gy.shape == y.shape else np.full(y.shape, gy.sum()))


q3 = FunctionQuestion(
    number="3.3",
    title="The backward of a broadcasting product",
    reference=mul_backward,
    cases=_mul_backward_cases,
    compare=same_parts("dL/dx", "dL/dy"),
    hints=(
        "Without broadcasting, ∂(xy)/∂x = y, so dL/dx = g * y and dL/dy = g * x.",
        "A y of shape (3,) used for every row of a (4, 3) x receives the gradient of every row: "
        "sum over the axes broadcasting added (in front) or stretched (length 1), so each "
        "gradient has its input's shape.",
    ),
    mistakes=(
        Mistake(_no_sum,
                "Each gradient must have its input's shape: sum g * y (or g * x) over the axes "
                "that broadcasting added or stretched."),
        Mistake(lambda g, x, y: (g * x, g * y),
                "x and y are swapped: dL/dx is g times the *other* factor, y."),
        Mistake(_sum_one_added_axis,
                "You summed away only one added axis, but broadcasting can add several in "
                "front (y (4,) against x (2, 3, 4) gets two): sum while grad.ndim > len(shape), "
                "or over axis=tuple(range(grad.ndim - len(shape))) at once."),
        Mistake(_sum_all,
                "You summed over every axis; sum only over the axes broadcasting added or "
                "stretched, keeping one gradient per element of the input."),
    ),
    remark="nnlib's ops call the same helper, unbroadcast, in every binary backward.",
)

# --- 3.4 Gradients accumulate ---------------------------------------------------------------


def accumulated_gradient() -> float:
    """x.grad after the code of exercise 3.4: 6 + 6 + 3 = 15 (backward adds to .grad)."""
    return 15.0


q4 = ValueQuestion(
    number="3.4",
    title="Gradients accumulate",
    reference=accumulated_gradient,
    compare=same_number(rtol=0, atol=1e-9),
    hints=(
        "Each call of backward adds its gradient to x.grad; nothing here clears it.",
        "d(x²)/dx = 2x = 6 at x = 3, computed twice; d(3x)/dx = 3.",
    ),
    mistakes=(
        Mistake(3.0, "That is only the last backward's gradient; backward adds to x.grad, it "
                     "does not replace it."),
        Mistake(9.0, "The first graph was differentiated twice (retain_graph=True lets the "
                     "second call run), so its 6 is added twice: 6 + 6 + 3."),
        Mistake(6.0, "That is the gradient of x² alone; both later calls add to it."),
    ),
    remark="That is why every training step starts with optimizer.zero_grad().",
)

# --- 3.5 The order of the backward pass -----------------------------------------------------


def backward_order() -> list[str]:
    """The non-leaf nodes of exercise 3.5 in the order backward processes them."""
    return ["L", "y", "v", "u"]  # v uses u, so v must send its share before u is done


q5 = ValueQuestion(
    number="3.5",
    title="The order of the backward pass",
    reference=backward_order,
    compare=same_sequence(),
    hints=(
        "A node can pass its gradient on only when it is complete, after every node that uses "
        "it has sent its share.",
        "u is used by v and by y; v is used by y. Which of u and v must come first?",
    ),
    mistakes=(
        Mistake(["u", "v", "y", "L"], "That is the forward order; backward starts at L."),
        Mistake(["L", "y", "u", "v"],
                "u is visited before v, but v also uses u: u's gradient is incomplete until v "
                "has sent its share."),
    ),
    remark="This is a topological order of the graph, reversed: autograd.topological_order.",
)

# --- 3.6 True or false: the costs of the two modes ------------------------------------------


def true_statements() -> set[str]:
    """The letters of the true statements of exercise 3.6."""
    return {
        # a is false: that is n = 1000 forward passes; reverse mode needs one pass.
        "b",  # one forward pass per input: 2 passes give all 2 columns.
        "c",  # the backward functions need the intermediate values.
        "d",  # a value and its tangent can be dropped after use.
        # e is false: a forward-mode pass gives one column, a directional derivative.
        "f",  # one reverse pass gives the gradient, at a constant multiple of f's cost.
    }


q6 = StatementsQuestion(
    number="3.6",
    title="True or false: the costs of the two modes",
    reference=true_statements,
    statements=(
        Statement(
            "To get the gradient of a loss f: R^1000 -> R, forward mode is the better choice.",
            False,
            "forward mode needs one pass per input, 1000 passes; reverse mode needs one.",
        ),
        Statement(
            "For f: R^2 -> R^1000, two forward-mode passes give the whole Jacobian.",
            True,
            "each forward pass gives one column, and the Jacobian has 2 columns.",
        ),
        Statement(
            "Reverse mode's memory grows with the number of operations, because the backward "
            "pass needs values computed in the forward pass.",
            True,
            "the backward functions use saved inputs or outputs of their operations.",
        ),
        Statement(
            "Forward mode on a chain of n operations needs only a constant amount of extra "
            "memory, whatever n is.",
            True,
            "each value and its tangent can be forgotten once the next operation used them.",
        ),
        Statement(
            "One forward-mode pass gives the whole gradient of a function f: R^n -> R.",
            False,
            "one forward pass gives one directional derivative (a column of the Jacobian); "
            "the gradient needs n of them.",
        ),
        Statement(
            "Computing the gradient of a scalar loss by reverse mode costs a small constant "
            "multiple of computing the loss, however many parameters there are.",
            True,
            "the cheap gradient principle: one backward pass, each op's backward costing about "
            "as much as its forward.",
        ),
    ),
    hints=(
        "Forward mode: one pass per input gives a column; reverse mode: one pass per output "
        "gives a row.",
        "What must reverse mode remember between the forward and the backward pass?",
    ),
    remark="Training has one output and many inputs: reverse mode, paid for with memory.",
)

QUESTIONS = (q1, q2, q3, q4, q5, q6)
