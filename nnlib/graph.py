"""Look inside an autograd graph: its nodes and edges, the memory it holds, and a drawing.

The graph of a tensor ``y`` is what backward walks: ``y``, the tensors it was computed from
(``_parents``) that require grad, their parents, and so on down to the leaves. Nodes are listed
inputs first (the reverse of ``nnlib.autograd.topological_order``); an edge ``(i, j)`` says that
node ``i`` is an input of node ``j``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnlib.autograd import topological_order
from nnlib.tensor import Tensor

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class Node:
    """One tensor of a graph: its op (``""`` for a leaf), a name if given, and its shape."""

    index: int
    op: str
    name: str
    shape: tuple[int, ...]
    is_leaf: bool

    @property
    def label(self) -> str:
        """``"w"``, ``"Mul"`` or ``"L: Pow"`` (a named op), with the shape unless it is ()."""
        text = f"{self.name}: {self.op}" if self.name and self.op else self.name or self.op
        text = text or "leaf"
        return text if self.shape == () else f"{text} {self.shape}"


def graph_of(root: Tensor, names: dict[str, Tensor] | None = None
             ) -> tuple[list[Node], list[tuple[int, int]]]:
    """The nodes of ``root``'s graph (inputs first) and its edges ``(input, output)``.

    ``names`` maps a name to a tensor of the graph, e.g. ``{"x": x, "w": w, "loss": loss}``.
    """
    by_id = {id(t): name for name, t in (names or {}).items()}
    order = topological_order(root)[::-1]  # inputs first
    index = {id(t): i for i, t in enumerate(order)}
    nodes = [Node(i, t._op if not t.is_leaf else "", by_id.get(id(t), ""), tuple(t.shape),
                  t.is_leaf) for i, t in enumerate(order)]
    edges = [(index[id(p)], index[id(t)]) for t in order for p in t._parents if id(p) in index]
    return nodes, edges


def saved_arrays(root: Tensor) -> list[np.ndarray]:
    """Every distinct array the graph keeps alive: the nodes' values and the arrays captured by
    their backward functions (inputs or outputs an op saved to compute its gradient)."""
    arrays: dict[int, np.ndarray] = {}
    for t in topological_order(root):
        found = [t.data]
        for cell in getattr(t._backward, "__closure__", None) or ():
            try:
                content = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(content, np.ndarray):
                found.append(content)
            elif isinstance(content, Tensor):
                found.append(content.data)
        for array in found:
            base = getattr(array, "base", None)  # a view counts as the array it views
            base = array if base is None else base
            arrays.setdefault(id(base), base)
    return list(arrays.values())


def graph_nbytes(root: Tensor) -> int:
    """Bytes of the arrays the graph of ``root`` keeps alive (see ``saved_arrays``)."""
    return int(sum(a.nbytes for a in saved_arrays(root)))


def layers(nodes: list[Node], edges: list[tuple[int, int]]) -> list[int]:
    """A layer per node: 0 for leaves, else one more than the deepest input (longest path)."""
    depth = [0] * len(nodes)
    for source, target in sorted(edges, key=lambda e: e[1]):  # inputs come before outputs
        depth[target] = max(depth[target], depth[source] + 1)
    return depth


def draw_graph(root: Tensor, names: dict[str, Tensor] | None = None, ax: Axes | None = None,
               title: str = "") -> Axes:
    """Draw ``root``'s graph, inputs at the bottom, each op one layer above its deepest input.

    Leaves are green boxes, ops blue ellipses labelled with the op (``Mul``) or a given name.
    """
    import matplotlib.pyplot as plt

    nodes, edges = graph_of(root, names)
    depth = layers(nodes, edges)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 1 + 0.9 * (max(depth) + 1)), layout="constrained")
    rows: dict[int, list[int]] = {}
    for node in nodes:
        rows.setdefault(depth[node.index], []).append(node.index)
    position = {}
    for level, members in rows.items():
        for k, i in enumerate(members):
            position[i] = (k - (len(members) - 1) / 2, level)
    for source, target in edges:
        ax.annotate("", xy=position[target], xytext=position[source],
                    arrowprops={"arrowstyle": "-|>", "color": "0.4", "shrinkA": 14,
                                "shrinkB": 14})
    for node in nodes:
        leaf = node.is_leaf
        ax.text(*position[node.index], node.label, ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round,pad=0.35" if leaf else "ellipse,pad=0.3",
                      "fc": "#d9f0d3" if leaf else "#dbe9f6", "ec": "0.3"})
    width = max(len(m) for m in rows.values())
    ax.set_xlim(-width / 2 - 0.2, width / 2 + 0.2)
    ax.set_ylim(-0.6, max(depth) + 0.6)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    return ax
