"""Reverse-mode automatic differentiation: grad mode, the backward pass, and ``gradcheck``.

Every tensor an op produces remembers its inputs (``_parents``) and a ``_backward`` function that
maps the gradient of the output to the gradients of the inputs (one array per parent, or None).
``run_backward`` visits the graph once, outputs before inputs, adding up the gradients that reach
a tensor along several paths, and stores the total in ``.grad`` of the leaves.

A backward function reads values saved in the forward pass. If one of them was changed in place
since, the gradient would be silently wrong, so, as in torch, each op records the versions of
the tensors it saved (``Tensor._from_op``) and ``run_backward`` compares them with the current
ones before the backward function runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nnlib.tensor import Tensor

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True when ops record the graph for ``backward`` (the default)."""
    return _grad_enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off inside a ``with`` block or a decorated function."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        global _grad_enabled
        self.previous, _grad_enabled = _grad_enabled, self.mode

    def __exit__(self, *exc) -> None:
        global _grad_enabled
        _grad_enabled = self.previous


class no_grad(set_grad_enabled):
    """``with nl.no_grad():`` (or ``@nl.no_grad()``): ops inside record nothing, as in torch."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record the graph again inside a ``no_grad`` region."""

    def __init__(self) -> None:
        super().__init__(True)


def topological_order(root: Tensor) -> list[Tensor]:
    """The tensors ``root`` depends on that require grad, each after every tensor that uses it.

    An iterative depth-first search, so a chain of 10 000 ops does not hit Python's recursion
    limit. A node is appended after all its parents (post-order); reversing gives outputs first.
    """
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node._parents:
            if parent.requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    order.reverse()
    return order


def modified_error(node: Tensor, saved: Tensor, version: int) -> RuntimeError:
    """The error (torch's wording) for a tensor that op ``node._op`` saved at ``version`` and
    that was changed in place since."""
    role = (f"which is output 0 of {node._op}" if saved is node
            else f"which {node._op} saved for backward")
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{saved.dtype} tensor of shape {saved.shape}], {role}, is at version "
        f"{saved._version}; expected version {version} instead. Hint: it was changed in place "
        "(+=, copy_, t[i] = ..., an optimizer step, or through a detach()ed tensor or a view "
        "sharing its memory) after the forward pass; change a .clone() instead, or make the "
        "change after backward."
    )


def run_backward(root: Tensor, gradient: np.ndarray) -> None:
    """Propagate ``gradient`` (d loss / d root, shaped like root) to every leaf's ``.grad``."""
    pending: dict[int, np.ndarray] = {id(root): gradient}
    for node in topological_order(root):
        grad = pending.pop(id(node), None)
        if grad is None:  # no path carried a gradient here (every path's op returned None)
            continue
        if node._backward is None or node._retains_grad:
            node._accumulate_grad(grad)
        if node._backward is None:
            continue
        for tensor, version in node._saved_versions:  # was a value backward reads changed?
            saved = node if tensor is None else tensor  # None: the op's output, node itself
            if saved._version != version:
                raise modified_error(node, saved, version)
        for parent, parent_grad in zip(node._parents, node._backward(grad), strict=True):
            if parent_grad is None or not parent.requires_grad:
                continue
            if parent_grad.shape != parent.data.shape:
                raise RuntimeError(
                    f"{node._op}Backward returned a gradient of shape {parent_grad.shape} "
                    f"for an input of shape {parent.data.shape} (a bug in that op)"
                )
            if parent_grad.dtype != parent.data.dtype:  # e.g. float32 input used in float64 op
                parent_grad = parent_grad.astype(parent.data.dtype)
            key = id(parent)
            # Out of place: an op may hand the same array to several parents (add does).
            pending[key] = parent_grad if key not in pending else pending[key] + parent_grad


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check ``fn``'s backward against central finite differences; raise AssertionError if off.

    ``inputs`` are float64 tensors; those with ``requires_grad`` are checked. With a fixed random
    ``v`` shaped like the output, it compares the analytic vector-Jacobian product
    ``d(sum(v * fn(*inputs))) / d input`` (one backward pass) with the numerical one, obtained by
    moving each input element by ``±eps``. Clears the inputs' ``.grad``. Returns True.
    """
    from nnlib.tensor import Tensor

    checked = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    for x in checked:
        if x.dtype != np.float64:
            raise TypeError(f"gradcheck: inputs must be float64 for accurate differences, "
                            f"got {x.dtype}")
        x.grad = None
    out = fn(*inputs)
    v = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(gradient=Tensor(v))

    def objective() -> float:
        with no_grad():
            return float(np.sum(fn(*inputs).data * v))

    for number, x in enumerate(checked):
        analytic = np.zeros_like(x.data) if x.grad is None else x.grad.data
        numeric = np.zeros_like(x.data)
        for index in np.ndindex(x.shape):
            original = x.data[index]
            x.data[index] = original + eps
            plus = objective()
            x.data[index] = original - eps
            minus = objective()
            x.data[index] = original
            numeric[index] = (plus - minus) / (2 * eps)
        if not np.allclose(analytic, numeric, atol=atol, rtol=rtol):
            worst = np.unravel_index(np.argmax(np.abs(analytic - numeric)), x.shape)
            raise AssertionError(
                f"gradcheck: input {number} (shape {x.shape}), element {tuple(map(int, worst))}:"
                f" backward gives {analytic[worst]:.6g}, finite differences {numeric[worst]:.6g}"
            )
        x.grad = None
    return True
