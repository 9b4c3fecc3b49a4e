"""Plots of training: a history of losses and metrics, and several runs side by side.

* :func:`plot_history` -- the dict that :func:`nnlib.training.fit` returns (or any
  ``{"train_loss": [...], "val_loss": [...], "train_accuracy": [...], ...}``): one panel per
  quantity (loss, accuracy, ...), training and validation curves together, per epoch.
* :func:`plot_curves` -- several labelled curves on one axes, e.g. the loss for several learning
  rates or batch sizes; optionally on a log scale, with diverging (inf/NaN) runs marked.

Matplotlib is imported inside the functions, and nothing here sets a style, seed or print
option. Each function draws on the axes it is given (or on a new figure) and returns the axes,
so a chapter can add titles or reference lines and then call ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - imports for type checkers only
    from matplotlib.axes import Axes

__all__ = ["history_panels", "plot_curves", "plot_history"]

_SPLITS = ("train", "val", "test")
_STYLES = {"train": "-", "val": "--", "test": ":"}


def history_panels(history: Mapping[str, Sequence[float]]) -> dict[str, dict[str, str]]:
    """Group history keys by quantity: ``{"loss": {"train": "train_loss", "val": "val_loss"}}``.

    A key ``"<split>_<name>"`` with split train, val or test joins panel ``name``; any other key
    is a panel of its own (``{"lr": {"": "lr"}}``). Panels keep the order of first appearance.
    """
    panels: dict[str, dict[str, str]] = {}
    for key in history:
        split, _, name = key.partition("_")
        if split in _SPLITS and name:
            panels.setdefault(name, {})[split] = key
        else:
            panels.setdefault(key, {})[""] = key
    return panels


def plot_history(history: Mapping[str, Sequence[float]], keys: Sequence[str] | None = None,
                 axes: Sequence[Axes] | None = None, title: str | None = None,
                 logy: Sequence[str] = ()) -> list[Axes]:
    """One panel per quantity of ``history`` (loss, accuracy, ...), curves against the epoch.

    history: ``{"train_loss": [...], "val_loss": [...], ...}``, one value per epoch (epochs
    numbered from 1). keys: the quantities to show, e.g. ``["loss"]`` (default: all). axes: one
    axes per panel (default: a new figure, panels side by side). logy: quantities drawn on a
    log scale. The last value of each curve is written in its legend. Returns the axes.
    """
    import matplotlib.pyplot as plt

    panels = history_panels(history)
    names = list(panels) if keys is None else list(keys)
    unknown = [name for name in names if name not in panels]
    if unknown:
        raise KeyError(f"plot_history: no {unknown} in the history; it has {list(panels)}")
    if not names:
        raise ValueError("plot_history: the history is empty")
    if axes is None:
        fig, new_axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.2),
                                     layout="constrained", squeeze=False)
        axes = list(new_axes[0])
        if title:
            fig.suptitle(title, fontsize=11)
    elif len(axes) != len(names):
        raise ValueError(f"plot_history: {len(names)} panels but {len(axes)} axes")
    for ax, name in zip(axes, names, strict=True):
        for split, key in panels[name].items():
            values = np.asarray(history[key], dtype=float)
            epochs = np.arange(1, len(values) + 1)
            label = f"{split or key}: {values[-1]:.3g}" if len(values) else split or key
            ax.plot(epochs, values, _STYLES.get(split, "-"), marker="." if len(values) < 30
                    else None, label=label)
        if name in logy:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name.replace("_", " "))
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return list(axes)


def plot_curves(curves: Mapping[str, Sequence[float]], ax: Axes | None = None,
                x: Sequence[float] | None = None, xlabel: str = "epoch", ylabel: str = "loss",
                logy: bool = False, title: str | None = None, ylim: tuple | None = None) -> Axes:
    """Several labelled curves on one axes: ``{"lr = 0.1": losses, "lr = 0.5": losses, ...}``.

    x: shared x values (default 0, 1, 2, ...). A curve that overflows (inf or NaN, a diverging
    run) is drawn up to its last finite value and marked with an x there, with "diverged" added
    to its label. Returns the axes.
    """
    import matplotlib.pyplot as plt

    if not curves:
        raise ValueError("plot_curves: no curves to plot")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4), layout="constrained")
    for label, values in curves.items():
        y = np.asarray(values, dtype=float)
        xs = np.arange(len(y)) if x is None else np.asarray(x, dtype=float)[: len(y)]
        finite = np.isfinite(y) & (np.abs(y) < 1e30)
        if finite.all():
            ax.plot(xs, y, label=label)
            continue
        last = int(np.argmin(finite)) - 1  # the last value before the first overflow
        line = ax.plot(xs[: last + 1], y[: last + 1], label=f"{label} (diverged)")[0]
        if last >= 0:
            ax.plot(xs[last], y[last], "x", color=line.get_color(), markersize=9)
    if logy:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax
