"""nnlib.graph: the nodes and edges backward walks, the memory a graph keeps, and its drawing."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import nnlib as nl  # noqa: E402
from nnlib.graph import draw_graph, graph_nbytes, graph_of, layers, saved_arrays  # noqa: E402


def neuron():
    x = nl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    w = nl.tensor(np.array([0.5, -0.5]), requires_grad=True)
    y = (x * w).sum().tanh()
    return x, w, y


def test_nodes_edges_and_layers() -> None:
    x, w, y = neuron()
    nodes, edges = graph_of(y, {"x": x, "w": w, "y": y})
    assert [n.op for n in nodes][2:] == ["Mul", "Sum", "Tanh"]
    assert {n.name for n in nodes if n.is_leaf} == {"x", "w"}
    assert nodes[-1].name == "y" and nodes[-1].label == "y: Tanh"
    assert sorted(edges) == [(0, 2), (1, 2), (2, 3), (3, 4)]
    assert layers(nodes, edges) == [0, 0, 1, 2, 3]
    assert nodes[2].label == "Mul (2,)"


def test_constants_and_no_grad_tensors_are_not_in_the_graph() -> None:
    x = nl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * nl.tensor(np.array([3.0, 4.0]))).sum()
    nodes, edges = graph_of(y)
    assert len(nodes) == 3 and len(edges) == 2


def test_bytes_grow_linearly_with_a_chain() -> None:
    x = nl.tensor(np.zeros(100), requires_grad=True)
    sizes = []
    y = x
    for _ in range(3):
        y = (y * 2.0).exp()
        sizes.append(graph_nbytes(y))
    # each step adds the Mul output and the Exp output (saved by exp's backward), 800 B each,
    # plus the 0-d constant 2.0 that mul saved
    assert np.diff(sizes).tolist() == [1608, 1608]
    assert sizes[0] == 800 + 1608
    assert all(isinstance(a, np.ndarray) for a in saved_arrays(y))


def test_draw_graph_returns_axes_with_a_label_per_node() -> None:
    x, w, y = neuron()
    ax = draw_graph(y, {"x": x, "w": w}, title="neuron")
    labels = sorted(t.get_text() for t in ax.texts if t.get_text())
    assert labels == sorted(["x (2,)", "w (2,)", "Mul (2,)", "Sum", "Tanh"])
    assert ax.get_title() == "neuron"
    plt.close("all")
