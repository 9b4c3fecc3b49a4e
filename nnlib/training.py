"""A small training loop for nnlib and PyTorch models: ``train_epoch``, ``evaluate`` and ``fit``.

The chapters first write the loop by hand; these helpers are the same loop, written once::

    history = fit(model, F.cross_entropy, optimizer, train_loader, test_loader, epochs=10,
                  metrics={"accuracy": accuracy})
    history["train_loss"], history["val_loss"], history["train_accuracy"], ...

They only call what both libraries share: ``model(X)``, ``loss_fn(output, y)`` returning a
scalar tensor, ``loss.backward()``, ``optimizer.zero_grad()`` and ``optimizer.step()``,
``model.train()`` / ``model.eval()`` and ``.item()``. Evaluation runs without recording a graph
(``nl.no_grad`` or ``torch.no_grad``, whichever fits the model). A batch is a pair ``(X, y)``.

Losses and metrics are averaged over samples (each batch weighted by its size), so a smaller last
batch counts for what it holds. Nothing random happens here: seed the loaders.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

Metric = Callable[[Any, Any], float]


def to_numpy(x: Any) -> np.ndarray:
    """An nnlib Tensor, a torch tensor (detached, on the CPU) or an array-like as a NumPy array."""
    if hasattr(x, "detach"):
        x = x.detach()
        x = x.cpu() if hasattr(x, "cpu") else x
        return np.asarray(x.numpy())
    return np.asarray(x)


def accuracy(output: Any, target: Any) -> float:
    """The fraction of rows whose largest score is the target class.

    output: scores (N, C), logits or probabilities; target: class indices (N,). Returns a float in
    [0, 1]. Ties go to the first largest score, as with ``argmax``.
    """
    scores, labels = to_numpy(output), to_numpy(target)
    if scores.ndim != 2 or labels.shape != scores.shape[:1]:
        raise ValueError(f"accuracy: expected scores (N, C) and targets (N,), got "
                         f"{scores.shape} and {labels.shape}")
    return float((scores.argmax(axis=1) == labels).mean()) if len(labels) else 0.0


def _no_grad(model: Any):
    """``torch.no_grad()`` for a torch module, else ``nnlib.no_grad()``."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(model, torch.nn.Module):
        return torch.no_grad()
    from nnlib.autograd import no_grad

    return no_grad()


def _set_mode(model: Any, training: bool) -> None:
    """``model.train()`` or ``model.eval()``, for models that have them (functions have not)."""
    method = getattr(model, "train" if training else "eval", None)
    if callable(method):
        method()


def _batch_size(y: Any) -> int:
    return len(y) if getattr(y, "ndim", 1) else 1


def train_epoch(model: Callable, loss_fn: Callable, optimizer: Any, loader: Iterable,
                metrics: Mapping[str, Metric] | None = None) -> dict[str, float]:
    """One pass over ``loader`` with one optimizer step per batch.

    Returns ``{"loss": mean training loss, name: mean metric, ...}``, averaged over samples, with
    each batch's loss measured before its step (as the step is taken).
    """
    metrics = dict(metrics or {})
    _set_mode(model, True)
    totals = {name: 0.0 for name in ["loss", *metrics]}
    count = 0
    for X, y in loader:
        output = model(X)
        loss = loss_fn(output, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        n = _batch_size(y)
        count += n
        totals["loss"] += float(loss.item()) * n
        for name, metric in metrics.items():
            totals[name] += metric(output, y) * n
    if count == 0:
        raise ValueError("train_epoch: the loader gave no batches")
    return {name: total / count for name, total in totals.items()}


def evaluate(model: Callable, loss_fn: Callable, loader: Iterable,
             metrics: Mapping[str, Metric] | None = None) -> dict[str, float]:
    """The mean loss and metrics of ``model`` on ``loader``, in eval mode and without a graph.

    Returns ``{"loss": ..., name: ..., ...}``, averaged over samples. The model is left in eval
    mode; ``train_epoch`` switches it back.
    """
    metrics = dict(metrics or {})
    _set_mode(model, False)
    totals = {name: 0.0 for name in ["loss", *metrics]}
    count = 0
    with _no_grad(model):
        for X, y in loader:
            output = model(X)
            n = _batch_size(y)
            count += n
            totals["loss"] += float(loss_fn(output, y).item()) * n
            for name, metric in metrics.items():
                totals[name] += metric(output, y) * n
    if count == 0:
        raise ValueError("evaluate: the loader gave no batches")
    return {name: total / count for name, total in totals.items()}


def fit(model: Callable, loss_fn: Callable, optimizer: Any, train_loader: Iterable,
        val_loader: Iterable | None = None, epochs: int = 10,
        metrics: Mapping[str, Metric] | None = None, progress: bool = True,
        desc: str = "epochs") -> dict[str, list[float]]:
    """Train for ``epochs`` epochs; return the history, one value per epoch in each list.

    Keys: ``"train_loss"`` (the mean loss over the epoch's batches, measured while training) and
    ``"train_<metric>"`` for each of ``metrics``; with a ``val_loader``, also ``"val_loss"`` and
    ``"val_<metric>"``, measured after the epoch. ``progress`` shows a ``tqdm.auto`` bar over the
    epochs (a widget in Jupyter) with the latest values; pass ``progress=False`` to hide it.
    """
    if epochs < 1:
        raise ValueError(f"fit: epochs must be >= 1, got {epochs}")
    metrics = dict(metrics or {})
    names = ["loss", *metrics]
    history: dict[str, list[float]] = {f"train_{name}": [] for name in names}
    if val_loader is not None:
        history.update({f"val_{name}": [] for name in names})
    bar = range(epochs)
    if progress:
        from tqdm.auto import tqdm  # imported only when a bar is shown

        bar = tqdm(bar, desc=desc)
    for _ in bar:
        for name, value in train_epoch(model, loss_fn, optimizer, train_loader, metrics).items():
            history[f"train_{name}"].append(value)
        if val_loader is not None:
            for name, value in evaluate(model, loss_fn, val_loader, metrics).items():
                history[f"val_{name}"].append(value)
        if progress:
            bar.set_postfix({key: f"{values[-1]:.3g}" for key, values in history.items()})
    return history


__all__ = ["accuracy", "evaluate", "fit", "to_numpy", "train_epoch"]
