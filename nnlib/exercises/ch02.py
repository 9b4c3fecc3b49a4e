"""Chapter 2 exercises, "Calculus and gradients": reference solutions, hints, known mistakes.

The reference solutions are the module-level functions below; the exercise notebook shows them
(``literalinclude`` with ``:pyobject:``) and ``q.solution()`` prints them, so there is one copy.
Test inputs are built from fixed seeds when a check runs, never at import.

Gradients of a scalar with respect to a vector or matrix are returned with the shape of that
vector or matrix (denominator layout, as PyTorch's ``.grad``); Jacobians of a vector with respect
to a vector are m×n for y ∈ Rᵐ, x ∈ Rⁿ (numerator layout, as ``torch.func.jacrev``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlib.exercises.compare import same_array, same_number
from nnlib.exercises.questions import (
    Case,
    FunctionQuestion,
    Mistake,
    Statement,
    StatementsQuestion,
    ValueQuestion,
)

# --- 2.1 The central difference -------------------------------------------------------------


def central_difference(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float
) -> np.ndarray:
    """The central-difference estimate (f(x + h) - f(x - h)) / (2h) of f'(x), elementwise.

    ``f`` is an elementwise function such as np.sin, ``x`` an array of points of shape (n,),
    ``h`` the step; returns shape (n,).
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def _difference_cases() -> list[Case]:
    rng = np.random.default_rng(21)
    return [
        Case((np.sin, np.linspace(-2.0, 2.0, 5), 1e-2), "f = sin at 5 points, h = 0.01"),
        Case((np.exp, rng.uniform(-1.0, 1.0, size=4), 1e-3), "f = exp at 4 random points"),
        Case((np.tanh, rng.normal(size=6), 0.1), "f = tanh at 6 random points, h = 0.1"),
    ]


q1 = FunctionQuestion(
    number="2.1",
    title="The central difference",
    reference=central_difference,
    cases=_difference_cases,
    compare=same_array(rtol=1e-8, atol=1e-10),
    hints=(
        "Evaluate f one step to the right and one step to the left of x.",
        "The two points are 2h apart, so divide their difference by 2h: "
        "(f(x + h) - f(x - h)) / (2 * h).",
    ),
    mistakes=(
        Mistake(
            lambda f, x, h: (f(x + h) - f(x)) / h,
            "That is the forward difference (f(x + h) - f(x)) / h, with an O(h) error; the "
            "central difference steps to both sides of x.",
        ),
        Mistake(
            lambda f, x, h: (f(x) - f(x - h)) / h,
            "That is the backward difference (f(x) - f(x - h)) / h, with an O(h) error; the "
            "central difference steps to both sides of x.",
        ),
        Mistake(
            lambda f, x, h: (f(x + h) - f(x - h)) / h,
            "Your values are twice the derivative: x + h and x - h are 2h apart, so divide by 2h.",
        ),
        Mistake(
            lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h),
            "The sign is flipped: subtract the left value from the right one, f(x + h) - f(x - h).",
        ),
    ),
    remark="In f(x + h) - f(x - h) the even Taylor terms cancel, so the error is O(h²) instead "
           "of the one-sided O(h).",
)

# --- 2.2 The gradient of a quadratic form ---------------------------------------------------


def quadratic_form_gradient(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The gradient of f(x) = xᵀAx for a square A of shape (n, n), not necessarily symmetric.

    Returned with the shape of x, (n,): ∇f(x) = (A + Aᵀ)x.
    """
    return (A + A.T) @ x


def _quadratic_cases() -> list[Case]:
    rng = np.random.default_rng(22)
    S = rng.normal(size=(3, 3))
    return [
        Case(
            (np.array([[1.0, 2.0], [0.0, 3.0]]), np.array([1.0, -1.0])),
            "A = [[1, 2], [0, 3]], x = (1, -1)",
        ),
        Case((rng.normal(size=(4, 4)), rng.normal(size=4)), "a random 4×4 A"),
        Case((S + S.T, rng.normal(size=3)), "a random symmetric 3×3 A"),
    ]


q2 = FunctionQuestion(
    number="2.2",
    title="The gradient of a quadratic form",
    reference=quadratic_form_gradient,
    cases=_quadratic_cases,
    compare=same_array(rtol=1e-9, atol=1e-12),
    hints=(
        "Write f(x) = Σᵢ Σⱼ xᵢ Aᵢⱼ xⱼ and differentiate with respect to xₖ: xₖ appears once as "
        "the left factor and once as the right one.",
        "∂f/∂xₖ = Σⱼ Aₖⱼ xⱼ + Σᵢ xᵢ Aᵢₖ = (Ax)ₖ + (Aᵀx)ₖ.",
    ),
    mistakes=(
        Mistake(
            lambda A, x: 2 * A @ x,
            "2Ax is the gradient only when A is symmetric; in general it is (A + Aᵀ)x.",
        ),
        Mistake(
            lambda A, x: A @ x,
            "Ax is only half of it: x appears twice in xᵀAx, so you need Ax + Aᵀx.",
        ),
        Mistake(
            lambda A, x: A.T @ x,
            "Aᵀx (the same as x @ A) is only half of it: x appears twice in xᵀAx, so you need "
            "Aᵀx + Ax.",
        ),
        Mistake(
            lambda A, x: 2 * A.T @ x,
            "2Aᵀx is the gradient only when A is symmetric; in general it is (A + Aᵀ)x.",
        ),
    ),
    remark="Only the symmetric part (A + Aᵀ)/2 of A matters to xᵀAx, and to its gradient.",
)

# --- 2.3 The gradient of least squares ------------------------------------------------------


def least_squares_gradient(X: np.ndarray, w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The gradient of L(w) = ‖Xw - y‖² with respect to w, for X of shape (n, d), w (d,), y (n,).

    Returned with the shape of w, (d,): ∇L(w) = 2Xᵀ(Xw - y).
    """
    residual = X @ w - y  # shape (n,)
    return 2 * X.T @ residual  # (d, n) @ (n,) -> (d,)


def _least_squares_cases() -> list[Case]:
    rng = np.random.default_rng(23)
    return [
        Case(
            (
                np.array([[1.0, 2.0, 0.0], [3.0, 4.0, 1.0], [0.0, 1.0, 1.0]]),
                np.ones(3),
                np.zeros(3),
            ),
            "a 3×3 X, w = (1, 1, 1), y = 0",
        ),
        Case((rng.normal(size=(6, 3)), rng.normal(size=3), rng.normal(size=6)), "a 6×3 X"),
        Case((rng.normal(size=(20, 4)), np.zeros(4), rng.normal(size=20)), "a 20×4 X, w = 0"),
    ]


q3 = FunctionQuestion(
    number="2.3",
    title="The gradient of least squares",
    reference=least_squares_gradient,
    cases=_least_squares_cases,
    compare=same_array(rtol=1e-9, atol=1e-12),
    hints=(
        "Chain rule: L = ‖r‖² with r = Xw - y. ∂L/∂r = 2rᵀ (a 1×n row) and ∂r/∂w = X (n×d).",
        "Their product 2rᵀX is a 1×d row; the gradient, in the shape of w, is its transpose 2Xᵀr.",
    ),
    mistakes=(
        Mistake(
            lambda X, w, y: X.T @ (X @ w - y),
            "You lost the factor 2 from the derivative of the square: d(r²)/dr = 2r.",
        ),
        Mistake(
            lambda X, w, y: 2 * X.T @ (y - X @ w),
            "The sign is flipped: with r = Xw - y, ∂r/∂w = +X; 2Xᵀ(y - Xw) points downhill.",
        ),
        Mistake(
            lambda X, w, y: 2 * X @ (X @ w - y),
            "The transpose is missing: the residual (length n) must be multiplied by Xᵀ "
            "(d×n), not X (n×d); only a square X lets 2X(Xw - y) run at all.",
        ),
        Mistake(
            lambda X, w, y: 2 * X.T @ (X @ w - y) / len(y),
            "You divided by n: that is the gradient of the mean squared error, not of the sum "
            "‖Xw - y‖².",
        ),
    ),
    remark="Setting 2Xᵀ(Xw - y) = 0 gives the normal equations XᵀXw = Xᵀy.",
)

# --- 2.4 The weight gradient of a linear layer ----------------------------------------------


def linear_weight_gradient(X: np.ndarray, G: np.ndarray) -> np.ndarray:
    """∂L/∂W for a linear layer Y = XWᵀ + b (torch.nn.Linear's convention), in the shape of W.

    X: the inputs, shape (N, d_in); G = ∂L/∂Y: the gradient of the scalar loss with respect to
    the outputs, shape (N, d_out). W has shape (d_out, d_in), and so does the result, GᵀX.
    """
    return G.T @ X  # (d_out, N) @ (N, d_in) -> (d_out, d_in)


def _linear_cases() -> list[Case]:
    rng = np.random.default_rng(24)
    return [
        Case((rng.normal(size=(5, 3)), rng.normal(size=(5, 2))), "batch 5, 3 inputs, 2 outputs"),
        Case((rng.normal(size=(8, 4)), rng.normal(size=(8, 6))), "batch 8, 4 inputs, 6 outputs"),
        Case((rng.normal(size=(1, 3)), rng.normal(size=(1, 3))), "batch 1, 3 inputs, 3 outputs"),
    ]


q4 = FunctionQuestion(
    number="2.4",
    title="The weight gradient of a linear layer",
    reference=linear_weight_gradient,
    cases=_linear_cases,
    compare=same_array(rtol=1e-9, atol=1e-12),
    hints=(
        "Y_nj = Σᵢ X_ni W_ji + b_j, so ∂L/∂W_ji = Σₙ G_nj X_ni: a sum over the batch.",
        "The result has W's shape (d_out, d_in); which product of G (N, d_out) and X (N, d_in) "
        "has that shape and sums over N?",
    ),
    mistakes=(
        Mistake(
            lambda X, G: X.T @ G,
            "That is XᵀG, of shape (d_in, d_out): the gradient for the convention Y = XW. "
            "Here W is (d_out, d_in) as in torch.nn.Linear, so ∂L/∂W = GᵀX.",
        ),
        Mistake(
            lambda X, G: np.outer(G.sum(axis=0), X.sum(axis=0)),
            "You summed G and X over the batch before multiplying; the gradient sums the "
            "products of each sample, Σₙ gₙxₙᵀ = GᵀX.",
        ),
        Mistake(
            lambda X, G: G.T @ X / len(X),
            "You divided by the batch size: the loss here is not an average, and if it were, G "
            "would already contain the 1/N.",
        ),
    ),
    remark="PyTorch's W.grad has W's shape: the gradient of a scalar is laid out like its input.",
)

# --- 2.5 A Jacobian by the chain rule -------------------------------------------------------


def layer_jacobian(W: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The Jacobian ∂y/∂x of y = W tanh(x), for W of shape (m, n) and x of shape (n,).

    Numerator layout, shape (m, n): ∂y/∂u · ∂u/∂x = W · diag(1 - tanh²(x)) with u = tanh(x).
    """
    du_dx = np.diag(1 - np.tanh(x) ** 2)  # (n, n): tanh acts elementwise
    return W @ du_dx  # (m, n) @ (n, n) -> (m, n)


def _jacobian_cases() -> list[Case]:
    rng = np.random.default_rng(25)
    return [
        Case((rng.normal(size=(3, 3)), rng.normal(size=3)), "a 3×3 W"),
        Case((rng.normal(size=(2, 4)), rng.normal(size=4)), "a 2×4 W"),
        Case((rng.normal(size=(5, 3)), np.zeros(3)), "a 5×3 W, x = 0"),
    ]


q5 = FunctionQuestion(
    number="2.5",
    title="A Jacobian by the chain rule",
    reference=layer_jacobian,
    cases=_jacobian_cases,
    compare=same_array(rtol=1e-9, atol=1e-12),
    hints=(
        "With u = tanh(x): ∂y/∂u = W (m×n), and ∂u/∂x is diagonal (n×n), since uᵢ depends on "
        "xᵢ alone, with tanh'(t) = 1 - tanh²(t).",
        "In numerator layout the chain rule multiplies from the output side: "
        "∂y/∂x = ∂y/∂u · ∂u/∂x.",
    ),
    mistakes=(
        Mistake(
            lambda W, x: np.diag(1 - np.tanh(x) ** 2) @ W,
            "The factors are in the wrong order: ∂y/∂x = ∂y/∂u · ∂u/∂x = W · diag(tanh'(x)); "
            "diag(tanh'(x)) · W scales the rows instead of the columns, and fails unless W is "
            "square.",
        ),
        Mistake(
            lambda W, x: (W @ np.diag(1 - np.tanh(x) ** 2)).T,
            "That is the transpose (n×m, the denominator layout); the Jacobian in numerator "
            "layout has one row per output: m×n.",
        ),
        Mistake(
            lambda W, x: W @ np.diag(np.tanh(x)),
            "You multiplied by tanh(x) itself; the chain rule needs its derivative, 1 - tanh²(x).",
        ),
        Mistake(
            lambda W, x: W,
            "That is ∂y/∂u only; the chain rule multiplies it by ∂u/∂x = diag(1 - tanh²(x)).",
        ),
    ),
    remark="W * (1 - np.tanh(x)**2) does the same by broadcasting, without building diag.",
)

# --- 2.6 The best step of the central difference --------------------------------------------


def best_step_exponent() -> float:
    """The p for which the best step of the central difference is h* ∝ ε^p (ε: the machine epsilon).

    Truncation error ≈ M h²/6, round-off error ≈ ε|f|/h; their sum is smallest for h³ ∝ ε.
    """
    return 1 / 3


q6 = ValueQuestion(
    number="2.6",
    title="The best step of the central difference",
    reference=best_step_exponent,
    compare=same_number(rtol=0, atol=5e-3),  # two decimals are enough, as the statement says
    hints=(
        "Add the two errors: the truncation error c₁h² of the central difference and the "
        "round-off error c₂ε/h.",
        "Set the derivative of c₁h² + c₂ε/h with respect to h to zero and solve for h.",
    ),
    mistakes=(
        Mistake(
            0.5,
            "h ∝ ε^(1/2) is the best step of the forward difference, whose truncation error "
            "is O(h); the central difference's is O(h²).",
        ),
        Mistake(
            2 / 3,
            "ε^(2/3) is the size of the smallest error the central difference reaches, not the "
            "step that reaches it.",
        ),
        Mistake(
            1.0,
            "h = ε is far too small: f(x + h) - f(x - h) then cancels to a few bits or to 0, "
            "and the round-off error ε/h is of order 1.",
        ),
    ),
    remark="In float64, ε^(1/3) ≈ 6e-6; in float32, ≈ 5e-3.",
)

# --- 2.7 True or false: kinks -------------------------------------------------------------


def true_statements() -> set[str]:
    """The letters of the true statements of exercise 2.7."""
    return {
        "a",  # |y| ≥ g·y for all y exactly when -1 ≤ g ≤ 1.
        # b is false: torch.abs's backward uses sign(0) = 0.
        "c",  # max(0, y) ≥ g·y for all y exactly when 0 ≤ g ≤ 1; PyTorch picks 0.
        "d",  # the definition of a subgradient: f(y) ≥ f(x) + g(y - x).
        "e",  # for a convex f, x minimises f exactly when 0 ∈ ∂f(x).
        # f is false: clamp(min=0) passes the gradient at 0 (1), relu does not (0).
    }


q7 = StatementsQuestion(
    number="2.7",
    title="True or false: kinks and subgradients",
    reference=true_statements,
    statements=(
        Statement(
            "The subdifferential of |x| at x = 0 is the interval [-1, 1].",
            True,
            "|y| ≥ 0 + g·y for every y exactly when -1 ≤ g ≤ 1.",
        ),
        Statement(
            "In PyTorch, the gradient of torch.abs(x) at x = 0 is 1.",
            False,
            "PyTorch returns sign(0) = 0, the middle of the subdifferential [-1, 1].",
        ),
        Statement(
            "The subdifferential of ReLU at 0 is [0, 1], and torch.relu's gradient at 0 is 0.",
            True,
            "max(0, y) ≥ g·y for every y exactly when 0 ≤ g ≤ 1; PyTorch picks g = 0.",
        ),
        Statement(
            "If g is a subgradient of a convex f at x, the line through (x, f(x)) with slope g "
            "never lies above the graph of f.",
            True,
            "that is the definition of a subgradient: f(y) ≥ f(x) + g·(y - x) for every y.",
        ),
        Statement(
            "x = 0 minimises |x|, and 0 is a subgradient of |x| there.",
            True,
            "|y| ≥ 0·y for every y; for a convex f, x is a minimiser exactly when 0 ∈ ∂f(x).",
        ),
        Statement(
            "torch.relu(x) and x.clamp(min=0) compute the same values, so autograd gives them "
            "the same gradient at x = 0.",
            False,
            "autograd differentiates the code, not the function: x.clamp(min=0) returns the "
            "gradient 1 at 0, torch.relu returns 0 (both are subgradients).",
        ),
    ),
    hints=(
        "g is a subgradient of a convex f at x when f(y) ≥ f(x) + g·(y - x) for every y.",
        "Try it: x = torch.tensor(0.0, requires_grad=True); torch.abs(x).backward(); x.grad.",
    ),
    remark="At a kink, autograd returns one subgradient, chosen by whoever wrote the operation.",
)

QUESTIONS = (q1, q2, q3, q4, q5, q6, q7)
