"""Chapter 1 exercises, "Tensors and linear algebra": reference solutions, hints, known mistakes.

The reference solutions are the module-level functions below; the exercise notebook shows them
(``literalinclude`` with ``:pyobject:``) and ``q.solution()`` prints them, so there is one copy.
Test inputs are built from fixed seeds when a check runs, never at import.
"""

from __future__ import annotations

import numpy as np

from nnlib.exercises.compare import same_array, same_bool, same_direction, same_number
from nnlib.exercises.questions import (
    Case,
    FunctionQuestion,
    Mistake,
    Statement,
    StatementsQuestion,
    ValueQuestion,
)

# --- 1.1 An image batch ---------------------------------------------------------------------


def image_batch() -> np.ndarray:
    """A batch of 8 RGB images of 32×32 pixels, all zeros: shape (N, C, H, W) = (8, 3, 32, 32)."""
    return np.zeros((8, 3, 32, 32), dtype=np.float32)


q1 = ValueQuestion(
    number="1.1",
    title="An image batch in channels-first layout",
    reference=image_batch,
    compare=same_array(rtol=0, atol=0, dtype=True),
    hints=(
        "PyTorch orders the axes of an image batch as (batch, channels, height, width).",
        "np.zeros(shape, dtype=np.float32), or torch.zeros(...), which is float32 already.",
    ),
    mistakes=(
        Mistake(
            np.zeros((8, 32, 32, 3), dtype=np.float32),
            "That is channels-last (N, H, W, C), the layout of matplotlib and TensorFlow; "
            "PyTorch puts the channels first: (N, C, H, W).",
        ),
        Mistake(
            np.zeros((8, 3, 32, 32)),
            "NumPy's default dtype is float64; ask for float32 with dtype=np.float32.",
        ),
        Mistake(
            np.zeros((3, 32, 32), dtype=np.float32),
            "That is a single image (C, H, W); a batch has a leading batch axis of 8.",
        ),
    ),
    remark="Twice the memory would be spent in float64, for no gain in a network's accuracy.",
)

# --- 1.2 A strided sub-grid -----------------------------------------------------------------


def strided_subgrid(x: np.ndarray) -> np.ndarray:
    """Rows 1, 4, 7, ... and columns 0, 2, 4, ... of a 2-d array x of shape (m, n)."""
    return x[1::3, ::2]


def _subgrid_cases() -> list[Case]:
    rng = np.random.default_rng(12)
    return [
        Case((np.arange(70.0).reshape(10, 7),), "a 10×7 matrix of 0, 1, ..., 69"),
        Case((rng.normal(size=(9, 9)),), "a random 9×9 matrix"),
        Case((rng.integers(0, 10, size=(5, 4)),), "a 5×4 integer matrix"),
        Case((np.ones((1, 3)),), "a single row (nothing is left of it)"),
    ]


q2 = FunctionQuestion(
    number="1.2",
    title="A strided sub-grid",
    reference=strided_subgrid,
    cases=_subgrid_cases,
    compare=same_array(rtol=0, atol=0),
    hints=(
        "A slice start:stop:step picks every step-th index from start on; leave stop out.",
        "Rows use the first slice and columns the second: x[rows, columns].",
    ),
    mistakes=(
        Mistake(
            lambda x: x[::3, ::2],
            "You started at row 0; the rows wanted are 1, 4, 7, ..., so start the slice at 1.",
        ),
        Mistake(
            lambda x: x[1::2, ::3],
            "The steps are swapped: every third row (step 3) and every second column (step 2).",
        ),
        Mistake(
            lambda x: x[2::3, ::2],
            "Off by one: Python counts from 0, so row 1 is the second row, x[1::3, ...].",
        ),
        Mistake(
            lambda x: x[::2, 1::3],
            "Rows and columns are swapped: the first index selects rows.",
        ),
    ),
    remark="Basic slicing returns a view: no data is copied.",
)

# --- 1.3 Standardise the columns --------------------------------------------------------------


def standardize_columns(X: np.ndarray) -> np.ndarray:
    """Each column of X (n samples × d features) shifted and scaled to mean 0 and std 1.

    The std is the population one (ddof=0, NumPy's default). Returns shape (n, d).
    """
    mean = X.mean(axis=0, keepdims=True)  # shape (1, d), broadcasts over the n rows
    std = X.std(axis=0, keepdims=True)  # shape (1, d)
    return (X - mean) / std


def _standardize_cases() -> list[Case]:
    rng = np.random.default_rng(13)
    scales = np.array([1.0, 10.0, 0.1])
    return [
        Case(
            (rng.normal(5.0, 1.0, size=(6, 3)) * scales,),
            "a 6×3 matrix, columns of different scale",
        ),
        Case((rng.uniform(-2.0, 3.0, size=(4, 4)),), "a random 4×4 matrix"),
        Case((rng.normal(size=(50, 5)),), "a 50×5 matrix"),
        Case((rng.normal(size=(7, 1)),), "a single column"),
    ]


q3 = FunctionQuestion(
    number="1.3",
    title="Standardise the columns of a data matrix",
    reference=standardize_columns,
    cases=_standardize_cases,
    compare=same_array(rtol=1e-6, atol=1e-9),
    hints=(
        "Reduce over the sample axis, axis=0, to get one mean and one std per column.",
        "keepdims=True keeps the mean's shape (1, d), so X - mean broadcasts row by row.",
    ),
    mistakes=(
        Mistake(
            lambda X: (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True),
            "You standardised each row: reduce over axis=0, down the columns.",
        ),
        Mistake(
            lambda X: X - X.mean(axis=0),
            "The columns are centred but not scaled: divide by each column's std too.",
        ),
        Mistake(
            lambda X: (X - X.mean(axis=0)) / X.std(axis=0, ddof=1),
            "You divided by the sample std (ddof=1, torch.std's default); this exercise uses "
            "the population std, ddof=0 (np.std's default, torch.std(x, correction=0)).",
        ),
        Mistake(
            lambda X: (X - X.mean(axis=0)) / X.var(axis=0),
            "You divided by the variance: the std is its square root.",
        ),
        Mistake(
            lambda X: (X - X.mean()) / X.std(),
            "You used one mean and std for the whole matrix: give axis=0 for one per column.",
        ),
    ),
    remark="Broadcasting stretched the (1, d) statistics over all n rows without a loop.",
)

# --- 1.4 The Frobenius norm -------------------------------------------------------------------


def frobenius_norm(A: np.ndarray) -> float:
    """‖A‖_F = sqrt(sum of A_ij²) for a matrix A of shape (m, n), from elementwise operations."""
    return float(np.sqrt(np.sum(A * A)))


def _frobenius_cases() -> list[Case]:
    rng = np.random.default_rng(14)
    return [
        Case((rng.normal(size=(3, 4)),), "a random 3×4 matrix"),
        Case((np.eye(3),), "the 3×3 identity"),
        Case((np.array([[-2.0]]),), "the 1×1 matrix [[-2]]"),
        Case((rng.integers(-5, 6, size=(2, 6)),), "a 2×6 integer matrix"),
    ]


q4 = FunctionQuestion(
    number="1.4",
    title="The Frobenius norm from scratch",
    reference=frobenius_norm,
    cases=_frobenius_cases,
    compare=same_number(rtol=1e-9, atol=1e-12),
    hints=(
        "Square every entry, add them all up, take the square root.",
        "np.sum with no axis adds every entry; np.sqrt takes the root.",
    ),
    mistakes=(
        Mistake(lambda A: np.sum(A * A), "You forgot the square root of the sum of squares."),
        Mistake(
            lambda A: np.sum(np.abs(A)),
            "That is the sum of absolute values (an entrywise L1 norm); square, sum, then sqrt.",
        ),
        Mistake(
            lambda A: np.linalg.norm(A, 2),
            "That is the operator 2-norm (the largest singular value), not the Frobenius norm.",
        ),
        Mistake(
            lambda A: np.max(np.abs(A)),
            "That is the largest absolute entry (an L∞-type norm); the Frobenius norm uses all.",
        ),
    ),
    remark="It equals the L2 norm of the matrix flattened into a vector, A.ravel().",
)

# --- 1.5 The operator 2-norm ------------------------------------------------------------------


def operator_norm(A: np.ndarray) -> float:
    """‖A‖₂ = max ‖Ab‖/‖b‖ = sqrt(largest eigenvalue of AᵀA), for A of shape (m, n)."""
    eigenvalues = np.linalg.eigvalsh(A.T @ A)  # AᵀA is symmetric PSD: real eigenvalues ≥ 0
    return float(np.sqrt(eigenvalues.max()))


def _operator_norm_cases() -> list[Case]:
    rng = np.random.default_rng(15)
    return [
        Case((np.diag([-3.0, 2.0]),), "the diagonal matrix diag(-3, 2)"),
        Case((np.array([[1.0, 2.0], [0.0, 1.0]]),), "the non-symmetric matrix [[1, 2], [0, 1]]"),
        Case((rng.normal(size=(4, 4)),), "a random 4×4 matrix"),
        Case((rng.normal(size=(3, 5)),), "a random 3×5 matrix"),
    ]


q5 = FunctionQuestion(
    number="1.5",
    title="The operator 2-norm from eigenvalues",
    reference=operator_norm,
    cases=_operator_norm_cases,
    compare=same_number(rtol=1e-6, atol=1e-9),
    hints=(
        "‖Ab‖² = bᵀ(AᵀA)b, and the largest value of bᵀMb over unit b is M's largest eigenvalue.",
        "np.linalg.eigvalsh(A.T @ A) gives the eigenvalues of the symmetric AᵀA; take the "
        "square root of the largest.",
    ),
    mistakes=(
        Mistake(
            lambda A: np.max(np.abs(np.linalg.eigvals(A))),
            "That is the largest |eigenvalue| of A itself; it equals ‖A‖₂ only for symmetric "
            "(normal) matrices. Use the eigenvalues of AᵀA.",
        ),
        Mistake(
            lambda A: np.max(np.linalg.eigvalsh(A.T @ A)),
            "You forgot the square root: λ_max(AᵀA) is ‖A‖₂ squared.",
        ),
        Mistake(
            lambda A: np.sqrt(np.sum(A * A)),
            "That is the Frobenius norm, which is at least ‖A‖₂ and usually larger.",
        ),
        Mistake(
            lambda A: np.max(np.linalg.eigvals(A).real),
            "That is the largest eigenvalue of A, not of AᵀA, and not even in absolute value.",
        ),
    ),
    remark="The operator 2-norm is the largest singular value: np.linalg.norm(A, 2).",
)

# --- 1.6 Positive definite? -------------------------------------------------------------------


def is_positive_definite(A: np.ndarray, tol: float = 1e-10) -> bool:
    """True if the square matrix A, shape (n, n), is symmetric and xᵀAx > 0 for all x ≠ 0.

    For a symmetric A this holds exactly when all its eigenvalues are positive; eigenvalues at
    most ``tol`` count as zero, to absorb rounding.
    """
    if not np.allclose(A, A.T):
        return False
    return bool(np.all(np.linalg.eigvalsh(A) > tol))


def _positive_definite_cases() -> list[Case]:
    rng = np.random.default_rng(16)
    B = rng.normal(size=(4, 4))
    return [
        Case((B @ B.T + 4 * np.eye(4),), "a random symmetric positive definite 4×4 matrix"),
        Case((np.array([[2.0, -1.0], [-1.0, 2.0]]),), "[[2, -1], [-1, 2]]"),
        Case((np.array([[1.0, -2.0], [-2.0, 1.0]]),), "[[1, -2], [-2, 1]]"),
        Case((np.array([[1.0, 2.0], [2.0, 1.0]]),), "[[1, 2], [2, 1]]"),
        Case((np.array([[1.0, 0.0], [0.0, 0.0]]),), "[[1, 0], [0, 0]]"),
        # Symmetric, with det > 0 from an even number of negative eigenvalues:
        Case((np.diag([-1.0, -1.0, 1.0]),), "diag(-1, -1, 1)"),
        Case((2 * np.ones((3, 3)) - np.eye(3),), "[[1, 2, 2], [2, 1, 2], [2, 2, 1]]"),
        Case((np.array([[2.0, 1.0], [-1.0, 2.0]]),), "the non-symmetric [[2, 1], [-1, 2]]"),
        Case((-np.eye(3),), "minus the 3×3 identity"),
    ]


q6 = FunctionQuestion(
    number="1.6",
    title="Is a matrix positive definite?",
    reference=is_positive_definite,
    cases=_positive_definite_cases,
    compare=same_bool(),
    hints=(
        "Positive definite is about xᵀAx > 0 for every x ≠ 0, not about the signs of entries; "
        "in this book it also requires A to be symmetric.",
        "Check symmetry with np.allclose(A, A.T), then that every eigenvalue from "
        "np.linalg.eigvalsh(A) is > tol.",
    ),
    mistakes=(
        Mistake(
            lambda A, tol=1e-10: bool(np.all(A > 0)),
            "Positive entries are neither needed nor enough: [[2, -1], [-1, 2]] is positive "
            "definite and [[1, 2], [2, 1]] is not. Look at the eigenvalues.",
        ),
        Mistake(
            lambda A, tol=1e-10: bool(np.all(np.diag(A) > 0)),
            "A positive diagonal is necessary but not enough: [[1, -2], [-2, 1]] has eigenvalue "
            "-1 (take x = (1, 1)). Look at the eigenvalues.",
        ),
        Mistake(
            lambda A, tol=1e-10: (
                np.allclose(A, A.T) and bool(np.all(np.linalg.eigvalsh(A) >= -tol))
            ),
            "That accepts positive semidefinite matrices: an eigenvalue 0 gives xᵀAx = 0 for "
            "its eigenvector; require every eigenvalue > tol.",
        ),
        Mistake(
            lambda A, tol=1e-10: np.allclose(A, A.T) and bool(np.linalg.det(A) > 0),
            "det(A) > 0 is not enough: the determinant is the product of the eigenvalues, so two "
            "negative ones cancel. diag(-1, -1, 1) has det 1, yet xᵀAx = -1 for x = (1, 0, 0). "
            "Look at the eigenvalues.",
        ),
        Mistake(
            lambda A, tol=1e-10: (
                np.allclose(A, A.T) and bool(np.all(np.diag(A) > 0) and np.linalg.det(A) > 0)
            ),
            "A positive diagonal and det(A) > 0 settle it only for 2×2 matrices: "
            "[[1, 2, 2], [2, 1, 2], [2, 2, 1]] has both, yet eigenvalues 5, -1 and -1 "
            "(x = (1, -1, 0) gives xᵀAx = -2). Look at the eigenvalues.",
        ),
        Mistake(
            lambda A, tol=1e-10: bool(np.all(np.linalg.eigvalsh(A) > tol)),
            "eigvalsh reads only the lower triangle, assuming A is symmetric; check "
            "np.allclose(A, A.T) first.",
        ),
    ),
    remark="AᵀA is always positive semidefinite, and definite exactly when the columns of A are "
           "independent; so a covariance matrix (XᵀX/n for centred data X) is positive definite "
           "only when no feature is a linear combination of the others.",
)

# --- 1.7 True or false? -----------------------------------------------------------------------


def true_statements() -> set[str]:
    """The letters of the true statements of exercise 1.7."""
    return {
        "a",  # PᵀP = I: the columns of P are distinct unit vectors, so P⁻¹ = Pᵀ.
        # b is false: [[1, 2], [2, 1]] has eigenvalue -1, eigenvector (1, -1).
        "c",  # A_ii = -A_ii forces A_ii = 0.
        # d is false: the 90° rotation [[0, -1], [1, 0]] has eigenvalues ±i.
        "e",  # ‖Ux‖² = xᵀUᵀUx = xᵀx.
        # f is false: take c = a (a ⊥ b and b ⊥ a, but a is not ⊥ a unless a = 0).
    }


q7 = StatementsQuestion(
    number="1.7",
    title="True or false: special matrices",
    reference=true_statements,
    statements=(
        Statement(
            "Every permutation matrix P is orthogonal, so its inverse is its transpose.",
            True,
            "PᵀP = I because the columns of P are distinct standard unit vectors.",
        ),
        Statement(
            "A symmetric matrix whose entries are all positive is positive definite.",
            False,
            "[[1, 2], [2, 1]] has eigenvalue -1 with eigenvector (1, -1).",
        ),
        Statement(
            "Every diagonal entry of an antisymmetric matrix is zero.",
            True,
            "A_ii = -A_ii forces A_ii = 0.",
        ),
        Statement(
            "Every real square matrix has real eigenvalues.",
            False,
            "the rotation by 90°, [[0, -1], [1, 0]], has eigenvalues i and -i; symmetric "
            "matrices are guaranteed real eigenvalues, a general real matrix is not.",
        ),
        Statement(
            "An orthogonal matrix U preserves lengths: ‖Ux‖₂ = ‖x‖₂ for every vector x.",
            True,
            "‖Ux‖² = xᵀUᵀUx = xᵀx.",
        ),
        Statement(
            "If a is orthogonal to b and b is orthogonal to c, then a is orthogonal to c.",
            False,
            "take c = a ≠ 0: a ⊥ b and b ⊥ a, yet aᵀa > 0.",
        ),
    ),
    hints=(
        "For each statement, look for a 2×2 counterexample before believing it.",
        "Three statements are true.",
    ),
    remark="Orthogonal and permutation matrices never change lengths or angles.",
)

# --- 1.8 Power iteration ----------------------------------------------------------------------


def power_iteration(A: np.ndarray, num_steps: int = 100) -> np.ndarray:
    """A unit eigenvector, shape (n,), of the eigenvalue of largest |λ| of A, shape (n, n).

    Repeats v ← Av / ‖Av‖ from v = (1, ..., 1)/√n. Converges when the largest |λ| is strictly
    larger than the others and v starts with a component along its eigenvector.
    """
    v = np.ones(A.shape[0]) / np.sqrt(A.shape[0])
    for _ in range(num_steps):
        w = A @ v
        v = w / np.linalg.norm(w)
    return v


def _symmetric_with_eigenvalues(eigenvalues: list[float], seed: int) -> np.ndarray:
    """A symmetric matrix Q diag(eigenvalues) Qᵀ with a random orthogonal Q."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(len(eigenvalues), len(eigenvalues))))
    return Q @ np.diag(eigenvalues) @ Q.T


def _power_iteration_cases() -> list[Case]:
    return [
        Case(
            (_symmetric_with_eigenvalues([5.0, 2.0, 1.0, -0.5], seed=17),),
            "a symmetric 4×4 matrix with eigenvalues 5, 2, 1, -0.5",
        ),
        Case((np.array([[2.0, 1.0], [1.0, 2.0]]),), "[[2, 1], [1, 2]]"),
        Case(
            (_symmetric_with_eigenvalues([-4.0, 1.5, 1.0], seed=18),),
            "a symmetric 3×3 matrix with eigenvalues -4, 1.5, 1",
        ),
        Case((np.array([[3.0]]),), "the 1×1 matrix [[3]]"),
        Case(  # (10⁴)¹⁰⁰ = 10⁴⁰⁰ overflows float64, whose largest number is about 1.8e308
            (_symmetric_with_eigenvalues([1e4, -2e3, 5.0], seed=19),),
            "a symmetric 3×3 matrix with eigenvalues 10⁴, -2000, 5",
        ),
    ]


def _power_iteration_normalised_at_the_end(A, num_steps=100):
    v = np.ones(A.shape[0]) / np.sqrt(A.shape[0])
    for _ in range(num_steps):
        v = A @ v  # grows like |λ₁|^k
    return v / np.linalg.norm(v)


q8 = FunctionQuestion(
    number="1.8",
    title="Power iteration",
    reference=power_iteration,
    cases=_power_iteration_cases,
    compare=same_direction(tol=1e-6),
    hints=(
        "Start from any vector v, e.g. np.ones(n) / np.sqrt(n), and repeat: w = A @ v, then "
        "v = w / np.linalg.norm(w).",
        "Normalise at every step, not only at the end, or the numbers overflow; return v.",
    ),
    mistakes=(
        Mistake(
            lambda A, num_steps=100: np.linalg.matrix_power(A, num_steps) @ np.ones(len(A)),
            "Your vector is not a unit vector: divide by its norm, v = w / np.linalg.norm(w).",
        ),
        Mistake(
            lambda A, num_steps=100: (A @ np.ones(len(A))) / np.linalg.norm(A @ np.ones(len(A))),
            "That looks like a single step: repeat v ← Av/‖Av‖ num_steps times.",
        ),
        Mistake(
            lambda A, num_steps=100: np.linalg.eigh(A)[1][:, 0],
            "That is the eigenvector of the smallest eigenvalue; the dominant one has the "
            "largest |λ|.",
        ),
        Mistake(
            lambda A, num_steps=100: np.linalg.eigh(A)[1][:, -1],
            "That is the eigenvector of the largest eigenvalue λ; the dominant one has the "
            "largest |λ|, which here belongs to a negative eigenvalue.",
        ),
        Mistake(
            _power_iteration_normalised_at_the_end,
            "You normalised only at the end: v grows like |λ₁|^k, which overflows float64 to "
            "inf once it passes about 1.8e308 (after about 78 steps for |λ₁| = 10⁴), and inf/inf is "
            "NaN. Normalise at every step.",
        ),
        Mistake(
            lambda A, num_steps=100: np.linalg.eigh(A)[1][-1],
            "That is a row of the eigenvector matrix; the eigenvectors are its columns, V[:, i].",
        ),
    ),
    remark="Each step shrinks the other eigenvectors' share by a factor |λ₂/λ₁|.",
)

QUESTIONS = (q1, q2, q3, q4, q5, q6, q7, q8)
