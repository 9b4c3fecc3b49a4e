"""Activations, losses and layers as functions: ``import nnlib.nn.functional as F`` (torch's names,
arguments and reductions).

Ops whose gradient has a simple closed form, or that must stay finite for huge inputs (softmax,
log_softmax, cross_entropy, nll_loss, the BCEs), compute it directly: each ``backward`` sits right
under its forward, and ``saved=`` names the tensors whose values it reads, so that backward can
check they were not changed in place since (values computed here, such as gelu's slope, are
private). Losses that are a few tensor ops (mse, l1, huber) are written with those ops and get
their gradients from autograd. The loss modules (``nn.CrossEntropyLoss`` ...) are in
``nnlib.nn.losses``.
"""

from __future__ import annotations

import math

import numpy as np

from nnlib import backend
from nnlib.ops import (  # noqa: F401 - sigmoid, tanh, relu are part of F's API
    _dim,
    _floating,
    abs,
    matmul,
    relu,
    sigmoid,
    stable_sigmoid,
    tanh,
    where,
)
from nnlib.random import default_generator
from nnlib.tensor import Tensor, as_array

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    """Apply a loss's ``reduction``: "mean" (default), "sum" or "none" (per element)."""
    _check_reduction(op, reduction)
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def _pair(op: str, input: Tensor, target) -> tuple[Tensor, Tensor]:
    """Check that a pointwise loss's input and target have the same shape."""
    target = target if isinstance(target, Tensor) else Tensor(as_array(target))
    if input.shape != target.shape:
        raise ValueError(f"{op}: input shape {input.shape} and target shape {target.shape} "
                         "differ (broadcasting them is almost always a bug)")
    return input, target


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` broadcasts to ``target`` (without changing it)."""
    return len(shape) <= len(target) and all(
        n in (1, m) for n, m in zip(reversed(shape), reversed(target), strict=False))


# ------------------------------------------------------------------------------- activations
def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 0 at and beyond the ends (torch)."""
    x = input.data
    out = np.clip(x, min_val, max_val)
    return Tensor._from_op(
        out, (input,), lambda g: (g * ((x > min_val) & (x < max_val)),), "Hardtanh",
        saved=(input,)
    )


def relu6(input: Tensor) -> Tensor:
    """min(max(x, 0), 6) (``hardtanh(x, 0, 6)``)."""
    return hardtanh(input, 0.0, 6.0)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else negative_slope * x."""
    x = input.data
    out = np.where(x > 0, x, x * negative_slope)
    return Tensor._from_op(
        out, (input,), lambda g: (np.where(x > 0, g, g * negative_slope),), "LeakyRelu",
        saved=(input,)
    )


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha * (e^x - 1)."""
    x = _floating(input)
    negative = alpha * np.expm1(np.minimum(x, 0))
    out = np.where(x > 0, x, negative)
    return Tensor._from_op(
        out, (input,), lambda g: (np.where(x > 0, g, g * (negative + alpha)),), "Elu",
        saved=(input,)
    )


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise (SciPy's when installed, else ``math.erf``)."""
    try:
        from scipy.special import erf
    except ImportError:
        return np.frompyfunc(math.erf, 1, 1)(x).astype(x.dtype)
    return erf(x)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF; ``approximate="tanh"`` uses torch's tanh formula
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    x = _floating(input)
    if approximate == "none":
        cdf = 0.5 * (1 + _erf(x * (1 / math.sqrt(2))))
        pdf = np.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
        out, slope = x * cdf, cdf + x * pdf
    elif approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x * x * x))
        out = 0.5 * x * (1 + t)
        slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
    else:
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Tensor._from_op(out, (input,), lambda g: (g * slope,), "Gelu")


def silu(input: Tensor) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    x = _floating(input)
    s = stable_sigmoid(x)
    return Tensor._from_op(x * s, (input,), lambda g: (g * s * (1 + x * (1 - s)),), "Silu",
                           saved=(input,))


def hardsigmoid(input: Tensor) -> Tensor:
    """relu6(x + 3) / 6; the gradient is 1/6 strictly inside (-3, 3), else 0 (torch)."""
    x = input.data
    out = np.clip(x + 3, 0, 6) / 6
    return Tensor._from_op(out, (input,), lambda g: (g * ((x > -3) & (x < 3)) / 6,),
                           "Hardsigmoid", saved=(input,))


def hardswish(input: Tensor) -> Tensor:
    """x * relu6(x + 3) / 6; gradient 0 for x <= -3, 1 for x >= 3, else x/3 + 1/2 (torch)."""
    x = input.data
    out = x * np.clip(x + 3, 0, 6) / 6

    def backward(g):
        return (np.where(x <= -3, 0, np.where(x >= 3, g, g * (x / 3 + 0.5))),)

    return Tensor._from_op(out, (input,), backward, "Hardswish", saved=(input,))


def _log_softmax_array(x: np.ndarray, dim: int) -> np.ndarray:
    """log softmax of an array: z - log(sum(exp(z))) with z = x - max(x), finite for any x."""
    z = x - x.max(axis=dim, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=dim, keepdims=True))


def softmax(input: Tensor, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (the max is subtracted first, so nothing overflows)."""
    dim = _dim("softmax", input.ndim, dim)
    if input.ndim == 0:  # one element along its implicit dim, as in torch
        return softmax(input.reshape(1), 0).reshape(())
    x = _floating(input)
    out = x - x.max(axis=dim, keepdims=True)
    np.exp(out, out=out)  # in place: one array instead of three
    out /= out.sum(axis=dim, keepdims=True)

    def backward(g):  # Jacobian-vector product: s * (g - <g, s>)
        return (out * (g - (g * out).sum(axis=dim, keepdims=True)),)

    return Tensor._from_op(out, (input,), backward, "Softmax", saves_output=True)


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably."""
    dim = _dim("log_softmax", input.ndim, dim)
    if input.ndim == 0:
        return log_softmax(input.reshape(1), 0).reshape(())
    out = _log_softmax_array(_floating(input), dim)

    def backward(g):  # g - softmax * sum(g)
        return (g - np.exp(out) * g.sum(axis=dim, keepdims=True),)

    return Tensor._from_op(out, (input,), backward, "LogSoftmax", saves_output=True)


# ------------------------------------------------------------------------------------ losses
def mse_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """(input - target)^2, reduced."""
    input, target = _pair("mse_loss", input, target)
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss")


def l1_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """|input - target|, reduced (gradient 0 where they are equal)."""
    input, target = _pair("l1_loss", input, target)
    return _reduce(abs(input - target), reduction, "l1_loss")


def huber_loss(input: Tensor, target, reduction: str = "mean",
               delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - delta / 2); d = input - target."""
    input, target = _pair("huber_loss", input, target)
    diff = input - target
    size = abs(diff)
    loss = where(size.data < delta, 0.5 * diff * diff, delta * (size - 0.5 * delta))
    return _reduce(loss, reduction, "huber_loss")


def smooth_l1_loss(input: Tensor, target, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2 (huber_loss / beta)."""
    input, target = _pair("smooth_l1_loss", input, target)
    diff = input - target
    size = abs(diff)
    loss = where(size.data < beta, 0.5 * diff * diff / beta, size - 0.5 * beta)
    return _reduce(loss, reduction, "smooth_l1_loss")


def _class_targets(op: str, shape: tuple[int, ...], target,
                   ignore_index: int | None = None) -> np.ndarray:
    """The integer class indices of ``target``, checked against input ``shape`` (..., C); a
    target equal to ``ignore_index`` may hold any value."""
    t = target.data if isinstance(target, Tensor) else backend.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold integer class indices (int64), "
                        f"got {t.dtype} of shape {t.shape}")
    if t.shape != shape[:-1]:
        raise ValueError(f"{op}: target has shape {t.shape} but input {shape} needs {shape[:-1]}"
                         " (one class index per row)")
    classes = shape[-1]
    if t.size and (t.min() < 0 or t.max() >= classes):  # rare: look closer, on the host
        host = backend.to_host(t)
        bad = (host < 0) | (host >= classes)
        if ignore_index is not None:
            bad &= host != ignore_index
        if bad.any():
            raise ValueError(f"{op}: target values must lie in [0, {classes}); "
                             f"got {host[bad].flat[0]}")
    return t


def _check_logits(op: str, input: Tensor) -> None:
    if input.ndim not in (1, 2):
        raise ValueError(f"{op}: input must be (N, C) scores or (C,), got shape {input.shape}")


def _class_weight(op: str, weight, x: np.ndarray) -> np.ndarray | None:
    """The per-class rescaling ``weight`` (C,) of a classification loss on scores ``x`` (..., C),
    as an array of x's dtype (None stays None). Its values are read, never differentiated."""
    if weight is None:
        return None
    if isinstance(weight, str):  # F.cross_entropy(x, y, "sum"): the third argument is weight
        raise TypeError(f"{op}: weight must be a tensor of shape (C,) or None, got {weight!r}; "
                        "pass reduction= by name (the order is input, target, weight, ...)")
    w = weight.data if isinstance(weight, Tensor) else backend.asarray(weight)
    backend.check_same_device(op, x, w)
    if w.shape != x.shape[-1:]:
        raise ValueError(f"{op}: weight must hold one value per class, shape {x.shape[-1:]} for "
                         f"input {x.shape}, got shape {w.shape}")
    return w.astype(x.dtype, copy=False)


def _counted_targets(op: str, x: np.ndarray, target, w: np.ndarray | None,
                     ignore_index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For class-index targets of scores ``x`` (..., C), one entry per row of x (flattened):

    - ``index``: the target class, 0 where ignored (so that it can index a row);
    - ``counted``: whether the target counts (bool: it is not ``ignore_index``);
    - ``w_t``: its weight, ``w[target]`` (1 without ``w``) where counted, 0 where ignored.
    """
    backend.check_same_device(op, x, target.data if isinstance(target, Tensor) else target)
    t = _class_targets(op, x.shape, target, ignore_index).reshape(-1)
    counted = t != ignore_index
    index = np.where(counted, t, 0)
    w_t = counted.astype(x.dtype) if w is None else w[index] * counted
    return index, counted, w_t


def _reduce_rows(losses: np.ndarray, reduction: str, count) -> np.ndarray:
    """Reduce the per-row losses of a classification loss: "none" keeps them, "sum" adds them
    up, "mean" divides that sum by ``count`` (the rows, or the weight of the counted targets;
    nan if it is 0, as in torch)."""
    if reduction == "none":
        return losses
    total = losses.sum()
    if reduction == "sum":
        return total
    with np.errstate(divide="ignore", invalid="ignore"):  # nan, not inf, also with smoothing
        return np.where(count == 0, np.nan, total / count)


def _row_scale(g: np.ndarray, reduction: str, count, counted: np.ndarray | None,
               shape: tuple[int, ...]) -> np.ndarray:
    """d out / d loss_i, flattened, for the per-row losses of ``shape`` that ``_reduce_rows``
    reduced to an output with gradient ``g``; 0 for the rows whose target is not ``counted``."""
    if reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):
            g = g / count
    scale = np.broadcast_to(g, shape).reshape(-1)
    return scale if counted is None else np.where(counted, scale, 0)


def cross_entropy(input: Tensor, target, weight: Tensor | None = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits ``input`` (N, C) or (C,) against ``target``: class indices
    (N,) / () (int64), or class probabilities shaped like ``input`` (float).

    loss_i = -sum_c q_ic log softmax(x_i)_c. With w = ``weight`` (C,) (all ones if None) and
    eps = ``label_smoothing``, the target distribution is weighted and mixed with the uniform
    one: for a class index y_i, q_ic = (1 - eps) w_{y_i} [c = y_i] + eps w_c / C, and q_i = 0
    (no loss, no gradient) where y_i == ``ignore_index``; for probabilities p_i,
    q_ic = w_c ((1 - eps) p_ic + eps / C). As in torch, "mean" divides the sum of the loss_i
    by the total weight of the counted targets, sum_i w_{y_i} over y_i != ignore_index (nan if
    there is none), but by N for probability targets.

    With z = x - max(x) and lse = log(sum(exp(z))), log softmax(x) = z - lse, so
    loss_i = sum(q_i) lse_i - <q_i, z_i>, finite for any logits. The gradient is the fused
    ``softmax(x_i) * sum(q_i) - q_i`` times d out / d loss_i: for a one-hot target without
    weights, softmax minus one-hot. ``weight`` is not differentiated.
    """
    _check_logits("cross_entropy", input)
    _check_reduction("cross_entropy", reduction)
    smoothing = float(label_smoothing)
    if not 0 <= smoothing <= 1:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0 and 1, "
                         f"got {label_smoothing}")
    x = _floating(input)
    classes = x.shape[-1]
    w = _class_weight("cross_entropy", weight, x)
    per_class = 1.0 if w is None else w  # w_c, broadcast along a row
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    soft = t.dtype.kind == "f"  # class probabilities rather than indices
    rows = np.arange(x.size // classes, like=x)  # like=: on x's device
    z = x.reshape(-1, classes) - x.reshape(-1, classes).max(axis=1, keepdims=True)
    if soft:
        if t.shape != x.shape:
            raise ValueError(f"cross_entropy: probability targets must have the input's shape "
                             f"{x.shape}, got {t.shape}")
        if ignore_index >= 0:  # torch accepts only the (negative) "no class" values
            raise ValueError(f"cross_entropy: ignore_index={ignore_index} is not supported "
                             "for probability targets")
        backend.check_same_device("cross_entropy", x, t)
        q = t.reshape(-1, classes)
        q = q * (1 - smoothing) + smoothing / classes if smoothing else q
        q = q if w is None else q * w
        q_total, q_dot_z = q.sum(axis=1), (q * z).sum(axis=1)
        counted, count = None, len(rows)
        target_grad = isinstance(target, Tensor) and target.requires_grad
        shifted = z.copy() if target_grad else None  # z itself becomes exp(z) below
    else:
        index, counted, w_t = _counted_targets("cross_entropy", x, t, w, ignore_index)
        count = w_t.sum()
        q_total, q_dot_z = (1 - smoothing) * w_t, (1 - smoothing) * w_t * z[rows, index]
        if smoothing:  # the uniform part: eps / C * sum_c w_c (z_c or 1), in counted rows
            uniform = smoothing / classes * counted.astype(x.dtype)
            q_total += uniform * (classes if w is None else w.sum())
            q_dot_z += uniform * (z * per_class).sum(axis=1)
    e = np.exp(z, out=z)
    total = e.sum(axis=1)
    log_total = np.log(total)
    losses = (q_total * log_total - q_dot_z).reshape(x.shape[:-1])
    out = _reduce_rows(losses, reduction, count)

    def backward(g):
        scale = _row_scale(g, reduction, count, counted, losses.shape)  # d out / d loss_i
        grad = e * (scale * q_total / total)[:, None]  # softmax * sum(q) * scale
        if not soft:
            if smoothing:
                grad -= (smoothing / classes * scale)[:, None] * per_class
            grad[rows, index] -= (1 - smoothing) * w_t * scale
            return (grad.reshape(x.shape),)
        grad -= q * scale[:, None]
        grad_target = None
        if shifted is not None:  # d loss / d target = -(1 - smoothing) w log softmax(x)
            grad_target = (-(1 - smoothing) * (shifted - log_total[:, None]) * per_class
                           * scale[:, None]).reshape(x.shape)
        return grad.reshape(x.shape), grad_target

    parents = (input, target) if soft and isinstance(target, Tensor) else (input,)
    # backward reads the target's values (class indices or probabilities) and the weight's
    saved = tuple(a if isinstance(a, Tensor) else None for a in (target, weight))
    return Tensor._from_op(out, parents, backward, "CrossEntropy", saved=saved)


def nll_loss(input: Tensor, target, weight: Tensor | None = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """-w[y_i] input[i, y_i] for class indices y (N,) / () and ``input`` (N, C) / (C,); 0 where
    y_i == ``ignore_index``. w = ``weight`` (C,) (all ones if None); "mean" divides the sum by
    sum_i w[y_i] over the counted targets (nan if none), as in torch. This is cross-entropy when
    ``input`` holds log-probabilities. ``weight`` is not differentiated."""
    _check_logits("nll_loss", input)
    _check_reduction("nll_loss", reduction)
    x = _floating(input)
    classes = x.shape[-1]
    w = _class_weight("nll_loss", weight, x)
    index, counted, w_t = _counted_targets("nll_loss", x, target, w, ignore_index)
    rows = np.arange(len(index), like=x)
    picked = x.reshape(-1, classes)[rows, index]
    # where, not a product with w_t: an ignored row's log-probability may be -inf
    losses = np.where(counted, -(w_t * picked), 0).reshape(x.shape[:-1])
    count = w_t.sum()
    out = _reduce_rows(losses, reduction, count)

    def backward(g):
        grad = np.zeros_like(x, shape=(len(index), classes))
        grad[rows, index] = -(w_t * _row_scale(g, reduction, count, counted, losses.shape))
        return (grad.reshape(x.shape),)

    saved = tuple(a if isinstance(a, Tensor) else None for a in (target, weight))
    return Tensor._from_op(out, (input,), backward, "NllLoss", saved=saved)


def binary_cross_entropy(input: Tensor, target, weight=None,
                         reduction: str = "mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) for probabilities p in [0, 1]; as in torch, each log is
    clamped at -100 so that p = 0 or 1 gives a finite loss."""
    input, target = _pair("binary_cross_entropy", input, target)
    p, t = input.data, target.data
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1]; "
                         "for raw scores use binary_cross_entropy_with_logits")
    with np.errstate(divide="ignore"):
        log_p, log_q = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
    loss = -(t * log_p + (1 - t) * log_q)

    def backward(g):
        grad_p = g * (p - t) / np.maximum(p * (1 - p), 1e-12)
        return grad_p, g * (log_q - log_p) if target.requires_grad else None

    loss = Tensor._from_op(loss, (input, target), backward, "BinaryCrossEntropy",
                           saved=(input, target))
    return _reduce(loss if weight is None else loss * weight, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target, weight=None,
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """BCE of sigmoid(x) against t, computed from the logits x without overflow:
    max(x, 0) - x t + log(1 + e^-|x|). The gradient is sigmoid(x) - t.

    ``pos_weight`` p (broadcast against x: one value per class (C,), say) weighs the positive
    term, -(p t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))): that adds (p - 1) t softplus(-x)
    to the loss, with softplus(-x) = -log sigmoid(x) = max(-x, 0) + log(1 + e^-|x|), and
    (p - 1) t (sigmoid(x) - 1) to its gradient. As in torch, p is not differentiated.
    """
    op = "binary_cross_entropy_with_logits"
    input, target = _pair(op, input, target)
    x, t = _floating(input), target.data
    log_term = np.log1p(np.exp(-np.abs(x)))
    loss = np.maximum(x, 0) - x * t + log_term
    if pos_weight is not None:
        pos_weight = pos_weight if isinstance(pos_weight, Tensor) else Tensor(as_array(pos_weight))
        p = pos_weight.data
        backend.check_same_device(op, x, p)
        if not _broadcasts_to(p.shape, x.shape):
            raise ValueError(f"{op}: pos_weight of shape {p.shape} does not broadcast to the "
                             f"input's shape {x.shape}")
        softplus = np.maximum(-x, 0) + log_term  # -log sigmoid(x)
        loss = loss + (p - 1) * t * softplus

    def backward(g):
        s = stable_sigmoid(x)
        grad_x, grad_t = g * (s - t), (-g * x if target.requires_grad else None)
        if pos_weight is None:
            return grad_x, grad_t
        grad_x += g * (p - 1) * t * (s - 1)
        if grad_t is not None:
            grad_t += g * (p - 1) * softplus
        return grad_x, grad_t

    loss = Tensor._from_op(loss, (input, target), backward, "BinaryCrossEntropyWithLogits",
                           saved=(input, target, pos_weight))
    return _reduce(loss if weight is None else loss * weight, reduction, op)


def kl_div(input: Tensor, target, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL(target || model) pointwise, torch's convention: ``input`` holds the model's
    log-probabilities, ``target`` probabilities (log-probabilities if ``log_target``).

    Pointwise t (log t - input), 0 where t = 0. ``reduction="batchmean"`` divides the sum by the
    batch size (the true KL divergence per sample); "mean" divides by the number of elements.
    """
    input, target = _pair("kl_div", input, target)
    x, t = input.data, target.data
    if log_target:
        p = np.exp(t)
        loss = p * (t - x)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 * log 0 counts as 0
            log_t = np.log(t)
            loss = np.where(t > 0, t * log_t, 0) - t * x

    def backward(g):
        grad_t = None
        if target.requires_grad:
            grad_t = g * (p * (t - x + 1) if log_target else log_t + 1 - x)
        return -g * (p if log_target else t), grad_t

    loss = Tensor._from_op(loss, (input, target), backward, "KlDiv", saved=(input, target))
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction, "kl_div")


# -------------------------------------------------------------------------- layers as functions
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias for input (..., in_features), weight (out_features, in_features),
    bias (out_features,); one op, so backward runs straight matrix products."""
    x, w = input.data, weight.data
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(f"linear: input of shape {input.shape} has {x.shape[-1:]} features "
                         f"but weight {weight.shape} expects {w.shape[1]}")
    if x.dtype != w.dtype:  # mixed dtypes: let the general ops promote
        out = matmul(input, weight.T)
        return out if bias is None else out + bias
    out = x @ w.T
    if bias is not None:
        out += bias.data

    def backward(g):
        g2, x2 = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
        grads = (g @ w if input.requires_grad else None,
                 g2.T @ x2 if weight.requires_grad else None)
        return grads if bias is None else (*grads, g2.sum(axis=0))

    parents = (input, weight) if bias is None else (input, weight, bias)
    # the input's gradient reads the weight, the weight's reads the input (as torch saves them)
    saved = (weight if input.requires_grad else None, input if weight.requires_grad else None)
    return Tensor._from_op(out, parents, backward, "Linear", saved=saved)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            generator: np.random.Generator | None = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p), so the
    expected value is unchanged; the identity when not ``training``. p = 1 zeros everything."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be between 0 and 1, got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    rng = generator or default_generator()
    keep = (rng.random(input.shape, dtype=np.float32) >= p) * (1 / (1 - p))
    # The mask is drawn on the host (one generator for every device) and copied to the input's.
    scale = backend.to_device(keep.astype(_floating(input).dtype, copy=False), input.device)
    return Tensor._from_op(input.data * scale, (input,), lambda g: (g * scale,), "Dropout")


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: shape (*tensor.shape, num_classes)."""
    t = tensor.data
    classes = int(t.max()) + 1 if num_classes == -1 else num_classes
    _class_targets("one_hot", t.shape + (classes,), t)
    return Tensor((t[..., None] == np.arange(classes, like=t)).astype(backend.int64))


def embedding(input: Tensor, weight: Tensor) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer ``input``; repeated
    indices add up their gradients."""
    return weight[input]
