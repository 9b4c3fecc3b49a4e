"""Loss modules, as in torch.nn: each keeps its settings and calls a function of
``nnlib.nn.functional`` in ``forward(input, target)``.

``loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)`` then ``loss_fn(logits, labels)`` is
``F.cross_entropy(logits, labels, label_smoothing=0.1)``. ``reduction`` is "mean" (the default:
one number), "sum" or "none" (one loss per element or sample). Class weights are buffers, so
``.to(device)`` moves them and ``state_dict()`` holds them, as in torch.

torch's deprecated ``size_average`` and ``reduce`` arguments are left out; the arguments that
come after them in torch are keyword-only here, so that a call means the same in both libraries.
"""

from __future__ import annotations

from nnlib.nn import functional as F
from nnlib.nn.module import Module
from nnlib.tensor import Tensor, as_array


def _as_buffer(value) -> Tensor | None:
    """``value`` as a tensor to register as a buffer (None stays None)."""
    return value if value is None or isinstance(value, Tensor) else Tensor(as_array(value))


class _Loss(Module):
    """A loss module: keeps ``reduction`` for its functional."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    """A loss with an optional ``weight`` tensor, registered as a buffer."""

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _as_buffer(weight))


# ---------------------------------------------------------------------------- regression
class MSELoss(_Loss):
    """(input - target)^2 for input and target of the same shape (*); the output is () or,
    with reduction="none", (*)."""

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """|input - target| for input and target of the same shape (*); the output is () or,
    with reduction="none", (*)."""

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Quadratic for |input - target| < delta, linear beyond (``F.huber_loss``); input and
    target of the same shape (*), the output () or, with reduction="none", (*)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, delta={self.delta}"


class SmoothL1Loss(_Loss):
    """Huber's loss divided by beta (``F.smooth_l1_loss``); input and target of the same
    shape (*), the output () or, with reduction="none", (*)."""

    def __init__(self, *, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, beta={self.beta}"


# ------------------------------------------------------------------------ classification
class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy of logits (N, C) or (C,) against class indices (N,) / () or class
    probabilities shaped like the logits (``F.cross_entropy``). ``weight`` (C,) rescales each
    class; targets equal to ``ignore_index`` are left out; the output is () or, with
    reduction="none", (N,) / ()."""

    def __init__(self, weight: Tensor | None = None, *, ignore_index: int = -100,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)

    def extra_repr(self) -> str:
        return (f"ignore_index={self.ignore_index}, {super().extra_repr()}, "
                f"label_smoothing={self.label_smoothing}")


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (N, C) or (C,) at class indices (N,) / ()
    (``F.nll_loss``; after ``LogSoftmax``, cross-entropy). ``weight`` (C,) rescales each class;
    targets equal to ``ignore_index`` are left out; the output is () or, with reduction="none",
    (N,) / ()."""

    def __init__(self, weight: Tensor | None = None, *, ignore_index: int = -100,
                 reduction: str = "mean") -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"ignore_index={self.ignore_index}, {super().extra_repr()}"


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1] against targets of the same shape (*)
    (``F.binary_cross_entropy``). ``weight`` rescales each element (it broadcasts to (*));
    the output is () or, with reduction="none", (*)."""

    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean") -> None:
        super().__init__(weight, reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy of sigmoid(logits) against targets of the same shape (*),
    computed stably from the logits (``F.binary_cross_entropy_with_logits``). ``weight``
    rescales each element, ``pos_weight`` (one per class (C,), say) the positive term; both
    broadcast to (*). The output is () or, with reduction="none", (*)."""

    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", _as_buffer(pos_weight))

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class KLDivLoss(_Loss):
    """KL(target || model) for the model's log-probabilities ``input`` and the target's
    probabilities (log-probabilities if ``log_target``) of the same shape (*)
    (``F.kl_div``). reduction="batchmean" gives the true KL divergence per sample; the output
    is () or, with reduction="none", (*)."""

    def __init__(self, *, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, log_target={self.log_target}"
