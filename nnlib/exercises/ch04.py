"""Chapter 4 exercises, "Linear neural networks": reference solutions, hints, known mistakes.

The reference solutions are the module-level functions below; the exercise notebook shows them
(``literalinclude`` with ``:pyobject:``) and ``q.solution()`` prints them, so there is one copy.
Test inputs are built from fixed seeds when a check runs, never at import.

Conventions, as in the chapter: samples are rows; the squared loss is the mean squared error
(1/n) Σ (ŷᵢ - yᵢ)², without a factor ½ (PyTorch's ``MSELoss``); a batch loss is the mean over
the batch; scores (logits) have shape (N, C), one row per sample.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlib.exercises.compare import Comparator, same_array, same_number
from nnlib.exercises.questions import (
    Case,
    FunctionQuestion,
    Mistake,
    Statement,
    StatementsQuestion,
    ValueQuestion,
)


def _same_pair(*, rtol: float, atol: float) -> Comparator:
    """Compare a pair (new_w, new_b) with the expected pair, each part with ``same_array``."""
    part = same_array(rtol=rtol, atol=atol)

    def compare(got: Any, expected: Any) -> str | None:
        if not isinstance(got, tuple | list) or len(got) != 2:
            return "expected a pair (new_w, new_b), e.g. `return w_new, b_new`"
        for name, g, e in zip(("new_w", "new_b"), got, expected, strict=True):
            problem = part(g, e)
            if problem is not None:
                return f"{name}: {problem}"
        return None

    return compare


# --- 4.1 Least squares in closed form ---------------------------------------------------------


def least_squares(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The least-squares weights and bias of the model ŷ = Xw + b, as one vector [w..., b].

    X: the data, shape (n, d), one sample per row; y: the targets, shape (n,). Returns shape
    (d + 1,), the bias last. Solves the normal equations X̃ᵀX̃ w̃ = X̃ᵀy for X̃ = [X, 1].
    """
    X1 = np.hstack([X, np.ones((len(X), 1))])  # (n, d + 1): a column of ones for the bias
    return np.linalg.solve(X1.T @ X1, X1.T @ y)  # (d + 1,)


def _with_ones(X: np.ndarray) -> np.ndarray:
    return np.hstack([X, np.ones((len(X), 1))])


def _least_squares_cases() -> list[Case]:
    rng = np.random.default_rng(41)
    X_big = rng.normal(size=(50, 3))
    return [
        Case((np.array([[1.0, 2.0], [3.0, 1.0], [0.0, -1.0]]), np.array([1.0, 2.0, 4.0])),
             "3 samples, 2 features (an exact fit)"),
        Case((X_big, X_big @ np.array([1.0, -2.0, 0.5]) + 3.0 + 0.1 * rng.normal(size=50)),
             "50 samples, 3 features"),
        Case((rng.normal(size=(20, 1)), rng.normal(size=20)), "20 samples, 1 feature"),
    ]


q1 = FunctionQuestion(
    number="4.1",
    title="Least squares in closed form",
    reference=least_squares,
    cases=_least_squares_cases,
    compare=same_array(rtol=1e-6, atol=1e-8),
    hints=(
        "Make the bias one more weight: append a column of ones to X, np.hstack([X, ones]).",
        "Then solve the normal equations X̃ᵀX̃ w̃ = X̃ᵀy with np.linalg.solve (no inverse needed).",
    ),
    mistakes=(
        Mistake(
            lambda X, y: np.linalg.solve(X.T @ X, X.T @ y),
            "There is no bias: append a column of ones to X, so that the last weight is b.",
        ),
        Mistake(
            lambda X, y: np.linalg.solve(np.hstack([np.ones((len(X), 1)), X]).T
                                         @ np.hstack([np.ones((len(X), 1)), X]),
                                         np.hstack([np.ones((len(X), 1)), X]).T @ y),
            "Your bias comes first: put the column of ones last, so that the result is "
            "[w..., b].",
        ),
        Mistake(
            lambda X, y: np.linalg.solve(_with_ones(X) @ _with_ones(X).T, _with_ones(X).T @ y),
            "You used X̃X̃ᵀ (n×n, one entry per pair of samples); the normal equations need "
            "X̃ᵀX̃ ((d+1)×(d+1), one entry per pair of features).",
        ),
        Mistake(
            lambda X, y: _with_ones(X).T @ _with_ones(X) @ _with_ones(X).T @ y,
            "You multiplied by X̃ᵀX̃ instead of solving with it: w̃ = (X̃ᵀX̃)⁻¹X̃ᵀy, "
            "i.e. np.linalg.solve(X̃ᵀX̃, X̃ᵀy).",
        ),
    ),
    remark="When X̃ᵀX̃ is singular, np.linalg.lstsq(X̃, y) gives the solution of least norm.",
)

# --- 4.2 One SGD step for linear regression ------------------------------------------------


def sgd_step(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray,
             lr: float) -> tuple[np.ndarray, float]:
    """One minibatch SGD step for ŷ = Xw + b with the loss (1/B) Σᵢ (ŷᵢ - yᵢ)².

    w: shape (d,), b: a number, X: the batch, shape (B, d), y: shape (B,), lr: the learning
    rate. Returns (new_w of shape (d,), new_b): the parameters minus lr times the gradient,
    ∇w = (2/B) Xᵀr and ∂b = (2/B) Σᵢ rᵢ with r = Xw + b - y.
    """
    r = X @ w + b - y  # (B,)
    grad_w = 2 / len(y) * X.T @ r  # (d,)
    grad_b = 2 / len(y) * r.sum()
    return w - lr * grad_w, b - lr * grad_b


def _sgd_cases() -> list[Case]:
    rng = np.random.default_rng(42)
    return [
        Case((np.array([1.0, -1.0]), 0.5, np.array([[1.0, 2.0], [0.0, 1.0], [2.0, 0.0]]),
              np.array([1.0, 0.0, 2.0]), 0.1), "a batch of 3, d = 2, lr = 0.1"),
        Case((rng.normal(size=3), float(rng.normal()), rng.normal(size=(8, 3)),
              rng.normal(size=8), 0.05), "a random batch of 8, d = 3, lr = 0.05"),
        Case((np.zeros(4), 0.0, rng.normal(size=(16, 4)), rng.normal(size=16), 0.3),
             "a batch of 16 from w = 0, b = 0"),
    ]


def _sgd_mistake(scale_w: float, scale_b: float, per_batch: bool = True, sign: float = 1.0):
    def step(w, b, X, y, lr):
        r = X @ w + b - y
        n = len(y) if per_batch else 1
        return (w - sign * lr * scale_w / n * X.T @ r, b - sign * lr * scale_b / n * r.sum())

    return step


q2 = FunctionQuestion(
    number="4.2",
    title="One SGD step for linear regression",
    reference=sgd_step,
    cases=_sgd_cases,
    compare=_same_pair(rtol=1e-9, atol=1e-12),
    hints=(
        "Compute the residual r = Xw + b - y of the batch first; both gradients are built from it.",
        "For the mean of r², ∇w = (2/B) Xᵀr and ∂b = (2/B) Σ r; then step against them: w - lr ∇w.",
    ),
    mistakes=(
        Mistake(
            _sgd_mistake(2.0, 2.0, per_batch=False),
            "Your step is B times too large: the loss is the mean over the batch, so divide the "
            "summed gradient by the batch size B.",
        ),
        Mistake(
            _sgd_mistake(2.0, 2.0, sign=-1.0),
            "The step goes uphill: subtract lr times the gradient, w - lr ∇w, and ∇w = (2/B)Xᵀr "
            "with r = Xw + b - y (not y - Xw - b).",
        ),
        Mistake(
            _sgd_mistake(1.0, 1.0),
            "Your gradient is half the right one: that is the ½(ŷ - y)² convention; here the "
            "loss is (ŷ - y)², whose derivative is 2(ŷ - y).",
        ),
        Mistake(
            _sgd_mistake(2.0, 0.0),
            "The bias did not move: it has its own gradient, (2/B) Σᵢ rᵢ.",
        ),
    ),
    remark="This is exactly what loss.backward() and optim.SGD(..., lr).step() compute.",
)

# --- 4.3 A stable softmax ------------------------------------------------------------------


def softmax(Z: np.ndarray) -> np.ndarray:
    """The softmax of each row of the scores Z, shape (N, C); returns (N, C), rows summing to 1.

    Stable for any finite scores: each row's maximum is subtracted first (which does not change
    the result), so the largest exponential is e⁰ = 1.
    """
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # (N, C); (N, 1) broadcasts along the rows
    return E / E.sum(axis=1, keepdims=True)


# Exercise 5.1 asks for a stable softmax again: chapter 5's bank imports the hard test cases and
# the known wrong shifts below from here.


def softmax_hard_cases() -> list[Case]:
    """The cases that only a softmax shifted by each row's own maximum passes."""
    return [
        # Subtracting the whole array's maximum turns the lower row into e^(-1000) = 0 in every
        # entry, so its softmax is 0/0 = NaN.
        Case((np.array([[1000.0, 999.0, 998.0], [0.0, -1.0, 1.0]]),),
             "2 rows of very different size: around 1000 and around 0"),
        # Subtracting less than each row's maximum (its mean 0, its first entry, its minimum)
        # leaves an exponent of 1000 or more, which overflows to inf; the two rows tell these
        # shifts apart by where their NaNs fall.
        Case((np.array([[-1000.0, 0.0, 1000.0], [0.0, 1000.0, -1000.0]]),),
             "2 rows of scores spread from -1000 to 1000"),
    ]


def _softmax_cases() -> list[Case]:
    rng = np.random.default_rng(43)
    return [
        Case((rng.normal(size=(3, 3)),), "3×3 moderate scores"),
        Case((1000.0 + 5 * rng.normal(size=(4, 5)),), "4×5 scores around 1000"),
        *softmax_hard_cases(),
    ]


def softmax_naive(Z):
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def softmax_columns(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def _softmax_shifted_by(shift):
    """The softmax of each row after subtracting ``shift(Z)``, which is not each row's maximum."""

    def softmax_wrong_shift(Z):
        E = np.exp(Z - shift(Z))
        return E / E.sum(axis=1, keepdims=True)

    return softmax_wrong_shift


WRONG_SHIFT_MISTAKES = (
    Mistake(
        _softmax_shifted_by(lambda Z: Z.max()),  # one shift for the whole array, not one per row
        "You subtracted the maximum of the whole array: a row far below it underflows to 0/0. "
        "Subtract each row's own maximum, Z.max(axis=1, keepdims=True).",
    ),
    Mistake(
        _softmax_shifted_by(lambda Z: Z.min(axis=1, keepdims=True)),
        "You subtracted the minimum: then the largest exponent is max - min, which still "
        "overflows when a row's entries are far apart. Subtract the maximum, so every exponent "
        "is <= 0.",
    ),
    Mistake(
        _softmax_shifted_by(lambda Z: Z.mean(axis=1, keepdims=True)),
        "You subtracted each row's mean: an entry more than about 709 above the mean still "
        "overflows, as 1000 does in the row [0, 1000, -1000], whose mean is 0. Subtract each "
        "row's maximum, so every exponent is <= 0.",
    ),
    Mistake(
        _softmax_shifted_by(lambda Z: Z[:, :1]),
        "You subtracted each row's first entry: any entry more than about 709 above it still "
        "overflows. Subtract each row's maximum, so every exponent is <= 0.",
    ),
)


def _softmax_no_keepdims(Z):
    E = np.exp(Z - Z.max(axis=1))
    return E / E.sum(axis=1)


q3 = FunctionQuestion(
    number="4.3",
    title="A stable softmax",
    reference=softmax,
    cases=_softmax_cases,
    compare=same_array(rtol=1e-6, atol=1e-12),
    hints=(
        "softmax(o) = softmax(o - c) for any constant c: subtract each row's maximum before "
        "exponentiating.",
        "Reduce along the classes, axis=1, with keepdims=True so that the (N, 1) result "
        "broadcasts back over each row.",
    ),
    mistakes=(
        Mistake(
            softmax_naive,
            "np.exp overflows to inf for scores above about 709 (89 in float32), and inf/inf is "
            "NaN: subtract each row's maximum first.",
        ),
        Mistake(
            softmax_columns,
            "You normalised the columns (axis=0); each row is one sample, so its C entries must "
            "sum to 1: use axis=1.",
        ),
        *WRONG_SHIFT_MISTAKES,
        Mistake(
            _softmax_no_keepdims,
            "Without keepdims=True the row maxima and sums have shape (N,), which broadcasts "
            "along the columns, not the rows (and only runs at all when N = C).",
        ),
    ),
    remark="scipy.special.softmax(Z, axis=1) and torch.softmax(Z, dim=1) do the same.",
)

# --- 4.4 The gradient of the cross-entropy ---------------------------------------------------


def cross_entropy_grad(Z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The gradient of the mean cross-entropy L = -(1/N) Σᵢ log softmax(Zᵢ)[yᵢ] w.r.t. Z.

    Z: scores, shape (N, C); y: class indices, shape (N,), integers in 0..C-1. Returns the
    gradient in the shape of Z, (N, C): (P - Y) / N with P = softmax(Z) row-wise and Y one-hot.
    """
    P = softmax(Z)  # (N, C), the stable softmax of exercise 4.3
    Y = np.eye(Z.shape[1])[y]  # (N, C), one-hot rows
    return (P - Y) / len(y)


def _cross_entropy_cases() -> list[Case]:
    rng = np.random.default_rng(44)
    return [
        Case((np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]]), np.array([0, 1])),
             "2 samples, 3 classes"),
        Case((rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)), "6 samples, 4 classes"),
        Case((3 * rng.normal(size=(10, 10)), rng.integers(0, 10, size=10)),
             "10 samples, 10 classes"),
    ]


q4 = FunctionQuestion(
    number="4.4",
    title="The gradient of the cross-entropy",
    reference=cross_entropy_grad,
    cases=_cross_entropy_cases,
    compare=same_array(rtol=1e-6, atol=1e-12),
    hints=(
        "For one sample, ∂ℓ/∂oⱼ = softmax(o)ⱼ - [j = y]: the predicted probabilities minus the "
        "one-hot target.",
        "The loss is a mean over N samples, so every row of the gradient carries a factor 1/N. "
        "np.eye(C)[y] gives the one-hot rows.",
    ),
    mistakes=(
        Mistake(
            lambda Z, y: softmax(Z) - np.eye(Z.shape[1])[y],
            "Your gradient is N times too large: that is the gradient of the summed loss; the "
            "mean divides by the batch size N.",
        ),
        Mistake(
            lambda Z, y: (np.eye(Z.shape[1])[y] - softmax(Z)) / len(y),
            "The sign is flipped: the gradient is softmax(Z) - one-hot, so that descending it "
            "raises the score of the true class.",
        ),
        Mistake(
            lambda Z, y: (Z - np.eye(Z.shape[1])[y]) / len(y),
            "You subtracted the one-hot target from the raw scores; the gradient uses the "
            "probabilities, softmax(Z) - one-hot.",
        ),
    ),
    remark="Each row of the gradient sums to 0, and F.cross_entropy's backward computes exactly "
           "this.",
)

# --- 4.5 The gradient of the Huber loss ----------------------------------------------------


def huber_grad(r: np.ndarray, delta: float) -> np.ndarray:
    """The derivative of the Huber loss with threshold delta > 0 at each residual r (any shape).

    The loss is ½r² where |r| ≤ delta and delta (|r| - delta/2) elsewhere, so the derivative is
    r inside and delta · sign(r) outside: r clipped to [-delta, delta]. Returns r's shape.
    """
    return np.clip(r, -delta, delta)


def _huber_cases() -> list[Case]:
    rng = np.random.default_rng(45)
    return [
        Case((np.array([-3.0, -1.0, -0.5, 0.0, 0.25, 1.0, 2.0]), 1.0),
             "7 residuals, delta = 1 (including ±delta)"),
        Case((np.array([-4.0, -2.0, -0.3, 0.0, 1.5, 2.0, 5.0]), 2.0),
             "7 residuals, delta = 2 (including ±delta)"),
        Case((3 * rng.normal(size=(4, 5)), 0.5), "a 4×5 array of residuals, delta = 0.5"),
    ]


q5 = FunctionQuestion(
    number="4.5",
    title="The gradient of the Huber loss",
    reference=huber_grad,
    cases=_huber_cases,
    compare=same_array(rtol=1e-9, atol=1e-12),
    hints=(
        "Differentiate each piece: ½r² gives r, and delta(|r| - delta/2) gives delta · sign(r).",
        "Together: r where |r| ≤ delta, else ±delta; that is np.clip(r, -delta, delta).",
    ),
    mistakes=(
        Mistake(
            lambda r, delta: r,
            "That is the gradient of ½r² everywhere: beyond |r| = delta the Huber loss is "
            "linear, so its gradient is clipped to ±delta.",
        ),
        Mistake(
            lambda r, delta: np.where(np.abs(r) <= delta, r, np.sign(r)),
            "Outside the threshold the slope is delta · sign(r), not sign(r): you used the "
            "delta = 1 formula |r| - ½.",
        ),
        Mistake(
            lambda r, delta: np.where(np.abs(r) > delta, r, delta * np.sign(r)),
            "The two branches are swapped: the quadratic piece (gradient r) holds for "
            "|r| ≤ delta, the linear one (gradient ±delta) beyond.",
        ),
        Mistake(
            lambda r, delta: np.sign(r),
            "That is the gradient of the L1 loss |r|; the Huber loss is quadratic near 0, so its "
            "gradient is r there.",
        ),
    ),
    remark="The gradient is continuous at |r| = delta (both pieces give ±delta) and bounded, "
           "which is what makes the loss robust.",
)

# --- 4.6 The largest stable learning rate ---------------------------------------------------


def largest_learning_rate() -> float:
    """The learning rate above which gradient descent diverges when the Hessian of the (quadratic)
    loss has the eigenvalues 0.5 and 4.0: the error along an eigenvector with eigenvalue λ is
    multiplied by 1 - ηλ per step, which needs |1 - ηλ| < 1 for both λ, so η < 2 / λ_max."""
    return 2 / 4.0


q6 = ValueQuestion(
    number="4.6",
    title="The largest stable learning rate",
    reference=largest_learning_rate,
    compare=same_number(rtol=0, atol=1e-6),
    hints=(
        "One step maps the error e = w - w* to (I - ηH)e; along an eigenvector of H with "
        "eigenvalue λ it is multiplied by 1 - ηλ.",
        "The error shrinks along every eigenvector when |1 - ηλ| < 1 for every λ; which λ limits "
        "η the most?",
    ),
    mistakes=(
        Mistake(
            1 / 4.0,
            "1/λ_max is where the steepest direction starts to oscillate (1 - ηλ < 0), not where "
            "it diverges: the iterates still converge up to 2/λ_max.",
        ),
        Mistake(
            2 / 0.5,
            "2/λ_min is set by the flattest direction; the steepest one, λ_max = 4, diverges "
            "first.",
        ),
        Mistake(
            2 / 4.5,
            "2/(λ_min + λ_max) is the learning rate that converges fastest, not the largest "
            "one that converges.",
        ),
    ),
    remark="For the loss (1/n)‖Xw - y‖² the Hessian is (2/n)XᵀX: compute its eigenvalues to "
           "know how large a step is safe.",
)

# --- 4.7 True or false: learning rate and batch size ---------------------------------------


def true_statements() -> set[str]:
    """The letters of the true statements of exercise 4.7."""
    return {
        "a",  # the mean over a uniformly random batch is an unbiased estimate of the mean.
        "b",  # n / B updates per epoch.
        # c is false: with a constant learning rate SGD hovers at a noise floor.
        # d is false: the batch size does not change the Hessian, so not the limit 2/λ_max.
        "e",  # the sum is B times the mean, and so is its gradient.
        # f is false: per epoch, smaller batches make more updates and usually get further.
    }


q7 = StatementsQuestion(
    number="4.7",
    title="True or false: learning rate and batch size",
    reference=true_statements,
    statements=(
        Statement(
            "The gradient of the mean loss over a uniformly random minibatch is an unbiased "
            "estimate of the gradient of the mean loss over the whole training set.",
            True,
            "each sample of the batch is drawn uniformly, so the expected batch mean is the "
            "data mean, for the losses and for their gradients.",
        ),
        Statement(
            "With n training samples and batch size B, an epoch makes about n / B updates.",
            True,
            "an epoch uses every sample once, B per update.",
        ),
        Statement(
            "On data that no line fits exactly, SGD with batch size 1 and a constant learning "
            "rate converges to the exact least-squares solution.",
            False,
            "the single-sample gradients do not vanish at the minimum, so with a constant step "
            "SGD keeps hovering near it; a decaying learning rate (Robbins-Monro) or larger "
            "batches shrink the noise.",
        ),
        Statement(
            "If full-batch gradient descent diverges with learning rate η, using minibatches "
            "of 10 with the same η makes it converge.",
            False,
            "the limit 2/λ_max comes from the curvature of the loss, which minibatches do not "
            "change (and their noise only adds to the trouble).",
        ),
        Statement(
            "Summing the losses of a batch of 64 instead of averaging them multiplies every "
            "gradient by 64, so the same learning rate takes steps 64 times longer.",
            True,
            "the sum is 64 times the mean, and differentiation is linear.",
        ),
        Statement(
            "After the same number of epochs, a larger batch always reaches a lower training "
            "loss.",
            False,
            "per epoch a smaller batch makes more updates, and as in the chapter it usually gets "
            "much further, until it reaches its noise floor.",
        ),
    ),
    hints=(
        "Think of what a minibatch gradient estimates, and of how many updates an epoch makes.",
        "The learning-rate limit 2/λ_max depends on the curvature of the loss, not on the batch.",
    ),
    remark="The learning rate and the batch size interact: think of η/B as the noise level.",
)

QUESTIONS = (q1, q2, q3, q4, q5, q6, q7)
