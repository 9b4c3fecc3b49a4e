"""Chapter 5 exercises, "Multilayer perceptrons": reference solutions, hints, known mistakes.

The reference solutions are the module-level functions below; the exercise notebook shows them
(``literalinclude`` with ``:pyobject:``) and ``q.solution()`` prints them, so there is one copy.
Test inputs are built from fixed seeds when a check runs, never at import.

Batches store one example per row; weights have PyTorch's shape (out, in), so a linear layer
computes X @ W.T + b. Gradients are returned in the shape of their parameter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlib.exercises.ch04 import (  # exercise 4.3 asked for a stable softmax too
    WRONG_SHIFT_MISTAKES,
    softmax_columns,
    softmax_hard_cases,
    softmax_naive,
)
from nnlib.exercises.compare import same_array, same_number, same_parts
from nnlib.exercises.questions import (
    Case,
    FunctionQuestion,
    Mistake,
    Statement,
    StatementsQuestion,
)


# --- 5.1 A softmax that survives large logits -------------------------------------------------


def stable_softmax(Z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits Z (N, q) -> probabilities (N, q), each row summing to 1.

    Subtracting each row's maximum leaves the result unchanged (softmax is shift invariant) and
    makes the largest exponent e^0 = 1, so nothing overflows.
    """
    shifted = Z - Z.max(axis=1, keepdims=True)  # (N, q), every entry <= 0
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def _softmax_cases() -> list[Case]:
    rng = np.random.default_rng(51)
    return [
        Case((rng.normal(size=(4, 3)),), "4 rows of small logits"),
        Case((1000.0 + rng.normal(size=(3, 5)),), "3 rows of logits near 1000"),
        # The hard cases come before the next one, on which shifting by each row's minimum and
        # by its first entry fail alike: so each wrong shift first fails where only its own
        # diagnosis fits.
        *softmax_hard_cases(),
        Case((np.array([[-1000.0, 0.0, 5.0], [-800.0, 2.0, 1.0]]),),
             "logits from -1000 to 5"),
        Case((np.array([[0.0, 0.0, 0.0, 0.0]]),), "one row of equal logits"),
    ]


q1 = FunctionQuestion(
    number="5.1",
    title="A softmax that survives large logits",
    reference=stable_softmax,
    cases=_softmax_cases,
    compare=same_array(rtol=1e-9, atol=1e-12),
    hints=(
        "softmax(z) = softmax(z - c) for any constant c: the factor e^(-c) cancels.",
        "Choose c so that no exponent is positive: subtract each row's maximum (keepdims=True "
        "keeps the shapes broadcastable).",
    ),
    mistakes=(
        Mistake(
            softmax_naive,
            "np.exp(1000) overflows to inf and inf / inf is NaN: subtract each row's maximum "
            "before exponentiating.",
        ),
        Mistake(
            softmax_columns,
            "You normalised over axis 0, across the batch: each row (one example's logits) "
            "should sum to 1, so reduce over axis 1 (or -1).",
        ),
        *WRONG_SHIFT_MISTAKES,
    ),
    remark="F.cross_entropy works on logits for the same reason: log-softmax with the max "
           "shift never overflows.",
)

# --- 5.2 Backpropagation through a two-layer MLP ----------------------------------------------


def mlp_backward(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray,
                 G_O: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a loss L through O = ReLU(X W1ᵀ + b1) W2ᵀ + b2, given G_O = ∂L/∂O.

    X (N, d), W1 (h, d), b1 (h,), W2 (q, h), G_O (N, q). Returns (dW1 (h, d), db1 (h,),
    dW2 (q, h), db2 (q,)), each in its parameter's shape. (b2 does not affect the gradients.)
    """
    Z = X @ W1.T + b1                       # (N, h)
    H = np.maximum(Z, 0)                    # (N, h)
    dW2, db2 = G_O.T @ H, G_O.sum(axis=0)   # (q, h), (q,)
    G_Z = (G_O @ W2) * (Z > 0)              # (N, h): back through W2, then the ReLU mask
    dW1, db1 = G_Z.T @ X, G_Z.sum(axis=0)   # (h, d), (h,)
    return dW1, db1, dW2, db2


def _backward_cases() -> list[Case]:
    rng = np.random.default_rng(52)

    def case(N, d, h, q, label):
        return Case((rng.normal(size=(N, d)), rng.normal(size=(h, d)), rng.normal(size=h),
                     rng.normal(size=(q, h)), rng.normal(size=(N, q))), label)

    return [case(5, 4, 6, 3, "N = 5, d = 4, h = 6, q = 3"),
            case(8, 3, 3, 2, "N = 8, d = 3, h = 3, q = 2"),
            case(1, 5, 7, 4, "a single example")]


def _backward_no_mask(X, W1, b1, W2, G_O):
    H = np.maximum(X @ W1.T + b1, 0)
    G_Z = G_O @ W2
    return G_Z.T @ X, G_Z.sum(axis=0), G_O.T @ H, G_O.sum(axis=0)


def _backward_transposed(X, W1, b1, W2, G_O):
    Z = X @ W1.T + b1
    H = np.maximum(Z, 0)
    G_Z = (G_O @ W2) * (Z > 0)
    return X.T @ G_Z, G_Z.sum(axis=0), H.T @ G_O, G_O.sum(axis=0)


def _backward_bias_not_summed(X, W1, b1, W2, G_O):
    Z = X @ W1.T + b1
    H = np.maximum(Z, 0)
    G_Z = (G_O @ W2) * (Z > 0)
    return G_Z.T @ X, G_Z, G_O.T @ H, G_O


def _backward_bias_mean(X, W1, b1, W2, G_O):
    Z = X @ W1.T + b1
    H = np.maximum(Z, 0)
    G_Z = (G_O @ W2) * (Z > 0)
    return G_Z.T @ X, G_Z.mean(axis=0), G_O.T @ H, G_O.mean(axis=0)


q2 = FunctionQuestion(
    number="5.2",
    title="Backpropagation through a two-layer MLP",
    reference=mlp_backward,
    cases=_backward_cases,
    compare=same_parts("dW1", "db1", "dW2", "db2", rtol=1e-7, atol=1e-10),
    hints=(
        "Recompute the forward pass first: Z = X W1ᵀ + b1 and H = ReLU(Z). Then go backwards: "
        "O = H W2ᵀ + b2 gives dW2 = G_Oᵀ H and ∂L/∂H = G_O W2.",
        "ReLU passes the gradient where Z > 0 and blocks it elsewhere; a bias was added to "
        "every row, so its gradient sums over the rows.",
    ),
    mistakes=(
        Mistake(
            _backward_no_mask,
            "dW1 and db1 ignore the ReLU: multiply ∂L/∂H elementwise by (Z > 0) before going "
            "back through W1.",
        ),
        Mistake(
            _backward_transposed,
            "Your weight gradients are transposed (in × out): W1 is (h, d), so dW1 = G_Zᵀ X "
            "(h, d), not Xᵀ G_Z; likewise dW2 = G_Oᵀ H.",
        ),
        Mistake(
            _backward_bias_not_summed,
            "The bias gradients keep the batch axis: b was broadcast to all N rows, so its "
            "gradient sums the N rows' gradients, G.sum(axis=0).",
        ),
        Mistake(
            _backward_bias_mean,
            "The bias gradients are averaged over the batch: they are sums, G.sum(axis=0); any "
            "1/N of a mean loss is already inside G_O.",
        ),
    ),
    remark="These four lines are what F.linear's and F.relu's backward functions compute.",
)

# --- 5.3 Dropout ------------------------------------------------------------------------------


def dropout(h: np.ndarray, p: float, u: np.ndarray, training: bool) -> np.ndarray:
    """Inverted dropout of activations h (any shape) with drop probability p, 0 <= p < 1.

    u holds uniform random numbers in [0, 1) of h's shape: element i is kept when u_i >= p
    (probability 1 - p) and scaled by 1 / (1 - p); in evaluation (training=False), h unchanged.
    """
    if not training:
        return h
    keep = u >= p
    return h * keep / (1 - p)


def _dropout_cases() -> list[Case]:
    rng = np.random.default_rng(53)
    return [
        Case((rng.normal(size=(4, 6)), 0.2, rng.random((4, 6)), True), "p = 0.2, training"),
        Case((rng.normal(size=(3, 5)), 0.5, rng.random((3, 5)), False), "p = 0.5, evaluation"),
        Case((rng.normal(size=(10,)), 0.7, rng.random(10), True), "p = 0.7, training"),
    ]


q3 = FunctionQuestion(
    number="5.3",
    title="Dropout, in training and in evaluation",
    reference=dropout,
    cases=_dropout_cases,
    compare=same_array(rtol=1e-9, atol=1e-12),
    hints=(
        "The mask keeps element i when u_i >= p. The expected value of the output must equal "
        "h: a kept element is scaled so that (1 - p) × scale = 1.",
        "When training is False, dropout is the identity: return h.",
    ),
    mistakes=(
        Mistake(
            lambda h, p, u, training: h * (u >= p) if training else h,
            "The kept values are not rescaled: the output's expected value is (1 - p) h. "
            "Divide the kept values by 1 - p.",
        ),
        Mistake(
            lambda h, p, u, training: h * (u >= p) / p if training else h,
            "You divided by p, the drop probability; divide by 1 - p, the keep probability, so "
            "that the expected value stays h.",
        ),
        Mistake(
            lambda h, p, u, training: h * (u >= p) / (1 - p),
            "You dropped units in evaluation mode too: at test time dropout is switched off "
            "and returns h unchanged, so predictions are deterministic.",
        ),
        Mistake(
            lambda h, p, u, training: h * (u < p) / (1 - p) if training else h,
            "Your mask keeps element i when u_i < p, that is, with probability p: p is the "
            "probability of *dropping*. Keep where u >= p.",
        ),
    ),
    remark="nnlib's F.dropout draws u itself; nl.nn.Dropout follows model.train()/eval().",
)

# --- 5.4 The scale of an initialisation -------------------------------------------------------


def init_std(scheme: str, fan_in: int, fan_out: int) -> float:
    """The standard deviation of normally distributed initial weights of a layer.

    scheme "xavier" (Glorot): Var = 2 / (fan_in + fan_out); scheme "kaiming" (He, for ReLU, in
    fan-in mode): Var = 2 / fan_in. Returns a float, the square root of the variance.
    """
    if scheme == "xavier":
        return math.sqrt(2 / (fan_in + fan_out))
    return math.sqrt(2 / fan_in)


def _init_cases() -> list[Case]:
    return [
        Case(("xavier", 100, 300), "Xavier, fan_in = 100, fan_out = 300"),
        Case(("kaiming", 100, 300), "Kaiming, fan_in = 100, fan_out = 300"),
        Case(("kaiming", 512, 128), "Kaiming, fan_in = 512, fan_out = 128"),
        Case(("xavier", 64, 64), "Xavier, fan_in = fan_out = 64"),
    ]


q4 = FunctionQuestion(
    number="5.4",
    title="The scale of Xavier and Kaiming initialisation",
    reference=init_std,
    cases=_init_cases,
    compare=same_number(rtol=1e-9, atol=1e-12),
    hints=(
        "Forward, Var(h_out) = fan_in · Var(w) · Var(h_in); backward, the gradient's variance "
        "picks up fan_out · Var(w). Xavier averages the two conditions.",
        "ReLU halves the second moment, so Kaiming needs fan_in · Var(w) / 2 = 1. The question "
        "asks for the standard deviation, the square root of the variance.",
    ),
    mistakes=(
        Mistake(
            lambda scheme, fan_in, fan_out: (2 / (fan_in + fan_out) if scheme == "xavier"
                                             else 2 / fan_in),
            "You returned the variance; the standard deviation is its square root.",
        ),
        Mistake(
            lambda scheme, fan_in, fan_out: (math.sqrt(2 * (fan_in + fan_out))
                                             if scheme == "xavier" else math.sqrt(2 / fan_in)),
            "Xavier's variance is 2 / (fan_in + fan_out), not 2 (fan_in + fan_out) (a slip the "
            "source notes make): solve γ (fan_in + fan_out) / 2 = 1 for γ.",
        ),
        Mistake(
            lambda scheme, fan_in, fan_out: (math.sqrt(2 / (fan_in + fan_out))
                                             if scheme == "xavier" else math.sqrt(1 / fan_in)),
            "Your Kaiming scale lacks the factor 2 (the gain √2): ReLU zeroes half of its "
            "input, which halves the second moment, so Var(w) = 2 / fan_in.",
        ),
        Mistake(
            lambda scheme, fan_in, fan_out: (math.sqrt(2 / (fan_in + fan_out))
                                             if scheme == "xavier" else math.sqrt(2 / fan_out)),
            "Your Kaiming scale uses fan_out: the forward pass sums over the layer's inputs, so "
            "the fan-in mode uses 2 / fan_in.",
        ),
    ),
    remark="torch.nn.init and nnlib.init use exactly these formulas (times a gain).",
)

# --- 5.5 The perceptron's update ------------------------------------------------------------


def perceptron_update(w: np.ndarray, b: float, x: np.ndarray, y: int
                      ) -> tuple[np.ndarray, float]:
    """One step of the perceptron rule on the example (x (d,), y in {-1, +1}).

    On a mistake, y (w·x + b) <= 0, returns (w + y x, b + y); otherwise (w, b) unchanged.
    """
    if y * (x @ w + b) <= 0:
        return w + y * x, b + y
    return w, b


def _perceptron_cases() -> list[Case]:
    return [
        Case((np.zeros(2), 0.0, np.array([1.0, 2.0]), 1), "w = 0, b = 0, y = +1"),
        Case((np.array([1.0, -1.0]), 0.5, np.array([2.0, 0.5]), 1),
             "a correctly classified example"),
        Case((np.array([1.0, 1.0]), 0.0, np.array([0.5, 0.25]), -1),
             "a misclassified example with y = -1"),
    ]


q5 = FunctionQuestion(
    number="5.5",
    title="The perceptron's update",
    reference=perceptron_update,
    cases=_perceptron_cases,
    compare=same_parts("w", "b", rtol=1e-7, atol=1e-10),
    hints=(
        "The example is a mistake when the sign of w·x + b differs from y, or when it is 0: "
        "y (w·x + b) <= 0.",
        "On a mistake, move w towards y x: w + y x, and the bias by y.",
    ),
    mistakes=(
        Mistake(
            lambda w, b, x, y: (w + y * x, b + y) if y * (x @ w + b) < 0 else (w, b),
            "With < 0 instead of <= 0, the start w = 0, b = 0 (where w·x + b = 0) never counts "
            "as a mistake, and the perceptron never moves.",
        ),
        Mistake(
            lambda w, b, x, y: (w + y * x, b + y),
            "You updated on a correctly classified example: the perceptron changes w only on "
            "mistakes, y (w·x + b) <= 0.",
        ),
        Mistake(
            lambda w, b, x, y: (w - y * x, b - y) if y * (x @ w + b) <= 0 else (w, b),
            "The update has the wrong sign: adding y x raises y (w·x + b) by |x|², subtracting "
            "lowers it further.",
        ),
        Mistake(
            lambda w, b, x, y: (w + y * x, b) if y * (x @ w + b) <= 0 else (w, b),
            "The bias is not updated: b changes by y on a mistake (it is the weight of a "
            "constant input 1).",
        ),
    ),
    remark="This is SGD with batch size 1 and learning rate 1 on max(0, -y (w·x + b)).",
)

# --- 5.6 True or false: model selection ---------------------------------------------------


def true_statements() -> set[str]:
    """The letters of the true statements of exercise 5.6."""
    return {
        "a",  # 3 points in general position are shattered; no 4 points are (XOR / Radon).
        # b is false: falling training error with rising validation error is over-fitting.
        # c is false: choosing by the test error makes it a validation error, optimistic.
        "d",  # each example lies in exactly one fold, held out once.
        # e is false: dropout is switched off in evaluation; the 1/(1-p) scaling needs no fix.
        "f",  # hyperplanes in R^d have VC dimension d + 1.
        # g is false: with enough data a high-capacity model generalises well.
    }


q6 = StatementsQuestion(
    number="5.6",
    title="True or false: capacity and model selection",
    reference=true_statements,
    hints=(
        "Over-fitting: low training error, high validation error. Under-fitting: both high.",
        "Recall the chapter's capacity curves against data size, and what model.eval() does "
        "to dropout.",
    ),
    statements=(
        Statement(
            "A line in the plane can shatter some set of 3 points, but no set of 4 points.",
            True,
            "3 points in general position have all 8 labellings separable; for any 4 points, "
            "an XOR-like labelling is not.",
        ),
        Statement(
            "If the training error keeps falling while the validation error rises, the model "
            "is under-fitting.",
            False,
            "that is over-fitting: the model fits the noise of its training set. Under-fitting "
            "means both errors are high.",
        ),
        Statement(
            "Choosing the hidden layer's width by the test error is fine, as long as you try "
            "only a few widths.",
            False,
            "any choice made with the test set turns it into a validation set, and its error "
            "into an optimistic estimate; choose on validation data, test once.",
        ),
        Statement(
            "In K-fold cross-validation, every training example is used for validation exactly "
            "once.",
            True,
            "the folds partition the data and each fold is held out once.",
        ),
        Statement(
            "Dropout must also be applied at test time, with the same p, or the outputs are "
            "biased.",
            False,
            "dropout is switched off at test time (model.eval()); scaling the kept units by "
            "1/(1 - p) during training already keeps the expected values equal.",
        ),
        Statement(
            "The VC dimension of hyperplanes in d-dimensional space is d + 1.",
            True,
            "d + 1 points in general position can be shattered, d + 2 points never (Radon's "
            "theorem).",
        ),
        Statement(
            "A model with a higher capacity always generalises worse than one with a lower "
            "capacity.",
            False,
            "with enough data a high-capacity model generalises well (the error-against-data-"
            "size curves), and too little capacity under-fits.",
        ),
    ),
    remark="In practice, watch the validation error; the VC bounds are too loose for deep nets.",
)

QUESTIONS = (q1, q2, q3, q4, q5, q6)
