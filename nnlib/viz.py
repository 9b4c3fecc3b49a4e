"""Pictures of linear algebra: static matplotlib figures and a kernel-free interactive explorer.

Static helpers (matplotlib, imported lazily inside the functions):

* :func:`plot_linear_map` -- a 2x2 matrix as a map of the plane (grid, circle, basis, eigenvectors).
* :func:`plot_eigen_directions` -- unit vectors ``v`` and their images ``A v``; eigen-directions
  are the ones that stay on their own line.
* :func:`plot_unit_balls` -- the unit circles ``{x : ||x||_p = 1}`` of several p-norms.

Interactive helper:

* :func:`matrix_explorer` -- self-contained HTML + inline SVG + inline JavaScript (no kernel, no
  ipywidgets, no external scripts), so it also works on the static book site.

Importing this module has no side effects: it sets no plotting style, seed or print option.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - imports for type checkers only
    from IPython.display import HTML
    from matplotlib.axes import Axes

__all__ = [
    "EIG2X2_JS",
    "matrix_explorer",
    "plot_eigen_directions",
    "plot_linear_map",
    "plot_unit_balls",
    "real_eigenpairs",
]

# Colours shared by the static figures and the explorer.
_C_E1 = "#d62728"  # image of e1
_C_E2 = "#1f77b4"  # image of e2
_C_MAP = "#2b2b2b"  # mapped grid and circle
_C_EIG = "#2ca02c"  # eigen-directions
_C_FAINT = "#b0b0b0"  # the plane before the map


# --------------------------------------------------------------------------------------------
# numerical helper shared by the static pictures
# --------------------------------------------------------------------------------------------


def _as_2x2(A: Any) -> np.ndarray:
    """``A`` as a float64 array of shape (2, 2) with finite entries, or a ValueError."""
    arr = np.asarray(A, dtype=float)
    if arr.shape != (2, 2):
        raise ValueError(f"expected a 2x2 matrix, got an array of shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("the matrix has a non-finite entry (nan or inf)")
    return arr


def real_eigenpairs(A: Any, tol: float = 1e-9) -> list[tuple[float, np.ndarray]]:
    """Real eigenvalues of a 2x2 matrix with one unit eigenvector per distinct direction.

    Args:
        A: array-like of shape (2, 2).
        tol: an eigenvalue counts as real when ``|imag| <= tol * max(1, max|A_ij|)``; two
            eigenvectors count as the same direction when ``|v1 x v2| <= sqrt(tol)``.

    Returns:
        A list of ``(eigenvalue, v)`` with ``v`` of shape (2,) and ``||v||_2 = 1``, sorted by
        decreasing eigenvalue: two pairs for distinct real eigenvalues or a multiple of the
        identity (``e1`` and ``e2``), one pair for a shear-like (defective) matrix, and an
        empty list when the eigenvalues are complex (no real direction is kept).
    """
    A = _as_2x2(A)
    scale = max(1.0, float(np.max(np.abs(A))))
    values, vectors = np.linalg.eig(A)
    if np.any(np.abs(values.imag) > tol * scale):
        return []
    pairs: list[tuple[float, np.ndarray]] = []
    for k in np.argsort(-values.real, kind="stable"):
        v = vectors[:, k].real
        v = v / np.linalg.norm(v)
        if v[np.argmax(np.abs(v))] < 0:  # a canonical sign: largest component positive
            v = -v
        if any(abs(v[0] * w[1] - v[1] * w[0]) <= math.sqrt(tol) for _, w in pairs):
            continue  # the same direction again (a defective matrix)
        pairs.append((float(values[k].real), v))
    return pairs


# --------------------------------------------------------------------------------------------
# static matplotlib pictures
# --------------------------------------------------------------------------------------------


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = (3.5, 3.5)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _draw_eigenlines(ax, A, extent: float, zorder: float | None = None) -> None:
    """Dashed lines through the origin along A's real eigenvectors, labelled with λ."""
    for lam, v in real_eigenpairs(A):
        ax.plot([-2 * extent * v[0], 2 * extent * v[0]], [-2 * extent * v[1], 2 * extent * v[1]],
                ls="--", color=_C_EIG, lw=1.2, zorder=zorder)
        ax.annotate(f"$\\lambda={lam:.2f}$", 0.9 * extent * v, color=_C_EIG, fontsize=8,
                    xytext=(0, 4), textcoords="offset points", ha="center",
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8))


def plot_linear_map(
    A: Any,
    ax: Axes | None = None,
    title: str | None = None,
    show_eigenvectors: bool = True,
) -> Axes:
    """Draw the 2x2 matrix ``A`` as a map of the plane.

    Faint: the square grid on ``[-1, 1]^2`` (spacing 0.5), the unit circle and ``e1``, ``e2``.
    Bold: their images under ``x -> A x`` -- a grid of parallelograms, an ellipse (or a segment
    when ``det A = 0``) and the columns ``A e1``, ``A e2`` of ``A``. Dashed green lines: the real
    eigen-directions, labelled with their eigenvalues.

    Args:
        A: array-like of shape (2, 2).
        ax: the axes to draw on; a new (3.5, 3.5) figure when None.
        title: the axes title; by default the matrix itself.
        show_eigenvectors: whether to draw the real eigen-directions.

    Returns:
        The axes drawn on.
    """
    A = _as_2x2(A)
    ax = _new_axes(ax)
    ticks = np.linspace(-1.0, 1.0, 5)
    s = np.linspace(-1.0, 1.0, 41)
    theta = np.linspace(0.0, 2.0 * np.pi, 241)
    circle = np.stack([np.cos(theta), np.sin(theta)])  # shape (2, 241)

    lines = []  # each of shape (2, 41): a grid line before the map
    for t in ticks:
        lines.append(np.stack([np.full_like(s, t), s]))
        lines.append(np.stack([s, np.full_like(s, t)]))
    for line in lines:
        ax.plot(line[0], line[1], color=_C_FAINT, lw=0.6, zorder=1)
        image = A @ line
        ax.plot(image[0], image[1], color=_C_MAP, lw=0.9, alpha=0.55, zorder=2)
    ax.plot(circle[0], circle[1], color=_C_FAINT, lw=1.2, zorder=1)
    mapped = A @ circle
    ax.plot(mapped[0], mapped[1], color=_C_MAP, lw=2.0, zorder=3)

    arrow = dict(length_includes_head=True, head_width=0.08, head_length=0.12, zorder=5)
    for k, (colour, name) in enumerate(((_C_E1, "e_1"), (_C_E2, "e_2"))):
        e = np.eye(2)[k]
        ax.arrow(0, 0, e[0], e[1], color=colour, alpha=0.3, **arrow)
        col = A[:, k]
        if np.linalg.norm(col) > 1e-12:
            ax.arrow(0, 0, col[0], col[1], color=colour, **arrow)
        ax.annotate(f"$A{name}$", col, color=colour, fontsize=9, xytext=(3, 3),
                    textcoords="offset points")

    extent = max(1.3, 1.1 * float(np.max(np.abs(mapped))), 1.1 * float(np.max(np.abs(A))))
    if show_eigenvectors:
        _draw_eigenlines(ax, A, extent, zorder=4)
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.axhline(0, color="k", lw=0.4, zorder=0)
    ax.axvline(0, color="k", lw=0.4, zorder=0)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is None:
        title = f"A = [[{A[0, 0]:g}, {A[0, 1]:g}], [{A[1, 0]:g}, {A[1, 1]:g}]]"
    ax.set_title(title, fontsize=10)
    return ax


def plot_eigen_directions(
    A: Any, ax: Axes | None = None, n: int = 16, title: str | None = None
) -> Axes:
    """Draw ``n`` unit vectors ``v`` (faint) and their images ``A v`` (arrows from the origin).

    Most vectors are turned by ``A``; the eigenvectors are not: ``A v`` stays on the line of ``v``
    (pointing the same way when the eigenvalue is positive, the opposite way when negative). The
    real eigen-directions are drawn as dashed green lines with their eigenvalues.

    Args:
        A: array-like of shape (2, 2).
        ax: the axes to draw on; a new (3.5, 3.5) figure when None.
        n: how many equally spaced unit vectors to draw (at least 1).
        title: the axes title.

    Returns:
        The axes drawn on.
    """
    A = _as_2x2(A)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    ax = _new_axes(ax)
    theta = np.arange(n) * (2.0 * np.pi / n)
    V = np.stack([np.cos(theta), np.sin(theta)])  # shape (2, n), unit columns
    AV = A @ V
    extent = max(1.3, 1.15 * float(np.max(np.abs(AV))))
    cmap_positions = theta / (2.0 * np.pi)
    import matplotlib as mpl

    colours = mpl.colormaps["twilight"](cmap_positions)
    for k in range(n):
        ax.plot([0, V[0, k]], [0, V[1, k]], color=colours[k], alpha=0.35, lw=1.0)
        ax.annotate("", xy=AV[:, k], xytext=(0, 0),
                    arrowprops=dict(arrowstyle="->", color=colours[k], lw=1.3))
    circle = np.linspace(0.0, 2.0 * np.pi, 241)
    ax.plot(np.cos(circle), np.sin(circle), color=_C_FAINT, lw=0.8)
    _draw_eigenlines(ax, A, extent)
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title if title is not None else "unit vectors $v$ and images $Av$", fontsize=10)
    return ax


def plot_unit_balls(
    ps: Sequence[float] = (1, 2, math.inf), ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Draw the unit spheres ``{x in R^2 : ||x||_p = 1}`` for each ``p`` in ``ps``.

    The point of the curve in direction ``u = (cos t, sin t)`` is ``u / ||u||_p``.

    Args:
        ps: exponents ``p > 0`` (``math.inf`` for the max-norm). For ``p < 1`` the "ball" is not
            convex: ``||.||_p`` is then not a norm (the triangle inequality fails).
        ax: the axes to draw on; a new (3.5, 3.5) figure when None.
        title: the axes title.

    Returns:
        The axes drawn on.
    """
    ps = tuple(ps)
    if not ps:
        raise ValueError("ps must contain at least one exponent")
    for p in ps:
        if not (p > 0):
            raise ValueError(f"every p must be > 0 (or math.inf), got {p!r}")
    ax = _new_axes(ax)
    t = np.linspace(0.0, 2.0 * np.pi, 721)
    U = np.stack([np.cos(t), np.sin(t)])  # shape (2, 721)
    styles = ["-", "--", "-.", ":"]
    for k, p in enumerate(ps):
        norms = np.linalg.norm(U, ord=p, axis=0)
        X = U / norms
        label = r"$p=\infty$" if math.isinf(p) else f"$p={p:g}$"
        ax.plot(X[0], X[1], ls=styles[k % len(styles)], lw=1.8, label=label)
    ax.axhline(0, color="k", lw=0.4)
    ax.axvline(0, color="k", lw=0.4)
    ax.set_aspect("equal")
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.25, 1.25)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    ax.set_title(title if title is not None else r"unit spheres $\|x\|_p = 1$", fontsize=10)
    return ax


# --------------------------------------------------------------------------------------------
# the interactive explorer: HTML + inline SVG + inline JavaScript
# --------------------------------------------------------------------------------------------

#: Pure JavaScript eigen-solver for a real 2x2 matrix, embedded in the explorer and tested with
#: Node.js in tests/test_viz.py. ``nnlibEig2(a, b, c, d)`` returns an object with
#: ``kind`` ("distinct", "scalar", "defective" or "complex"), ``values`` (real eigenvalues,
#: decreasing; empty when complex), ``vectors`` (unit eigenvectors, one per listed direction),
#: ``re`` and ``im`` (the pair re +- i*im, im >= 0; im = 0 when real).
EIG2X2_JS = r"""
function nnlibEig2(a, b, c, d) {
  // Eigenvalues and eigenvectors of the real matrix A = [[a, b], [c, d]].
  // (lambda - m)^2 = disc with m = (a + d) / 2 and disc = ((a - d) / 2)^2 + b c.
  var scale = Math.max(Math.abs(a), Math.abs(b), Math.abs(c), Math.abs(d));
  if (scale === 0) {
    return {kind: "scalar", values: [0, 0], vectors: [[1, 0], [0, 1]], re: 0, im: 0};
  }
  var m = (a + d) / 2, h = (a - d) / 2;
  var disc = h * h + b * c;
  var eps = 1e-12 * scale * scale;  // rounding noise of disc is about 1e-16 * scale^2
  function unit(x, y) {
    var n = Math.hypot(x, y);
    x /= n; y /= n;
    if ((Math.abs(x) >= Math.abs(y) ? x : y) < 0) { x = -x; y = -y; }  // largest entry > 0
    return [x, y];
  }
  function nullVector(lam) {
    // A - lam I has rows (a - lam, b) and (c, d - lam); use the longer one for accuracy.
    var r1 = Math.hypot(a - lam, b), r2 = Math.hypot(c, d - lam);
    return r1 >= r2 ? unit(b, lam - a) : unit(lam - d, c);
  }
  if (disc < -eps) {
    return {kind: "complex", values: [], vectors: [], re: m, im: Math.sqrt(-disc)};
  }
  if (disc <= eps) {  // one repeated eigenvalue m
    if (Math.max(Math.abs(h), Math.abs(b), Math.abs(c)) <= 1e-6 * scale) {
      return {kind: "scalar", values: [m, m], vectors: [[1, 0], [0, 1]], re: m, im: 0};
    }
    return {kind: "defective", values: [m, m], vectors: [nullVector(m)], re: m, im: 0};
  }
  var s = Math.sqrt(disc);
  var big = m + (m >= 0 ? s : -s);  // no cancellation; the other root is det / big
  var small = (a * d - b * c) / big;
  var l1 = Math.max(big, small), l2 = Math.min(big, small);
  return {kind: "distinct", values: [l1, l2], vectors: [nullVector(l1), nullVector(l2)],
          re: m, im: 0};
}
"""

# Everything below runs inside one closure per explorer; it finds its own container by id.
_EXPLORER_JS = r"""
(function () {
  var root = document.getElementById("__ID__");
  if (!root || root.dataset.ready === "1") { return; }
  root.dataset.ready = "1";
  __EIG__
  var NS = "http://www.w3.org/2000/svg";
  var R = 3;  // the picture shows [-R, R]^2
  var svg = root.querySelector("svg");
  var layer = root.querySelector("g.nnlib-mx-dynamic");
  var inputs = {};
  ["a", "b", "c", "d"].forEach(function (k) {
    inputs[k] = root.querySelector("input[data-entry='" + k + "']");
  });
  function fmt(x) {
    if (Math.abs(x) < 0.005) { x = 0; }
    return x.toFixed(2);
  }
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined) { e.textContent = text; }
    layer.appendChild(e);
    return e;
  }
  function P(p) { return p[0].toFixed(4) + "," + (-p[1]).toFixed(4); }  // y axis points up
  function path(points, attrs) {
    attrs.d = "M" + points.map(P).join("L");
    attrs.fill = "none";
    return el("path", attrs);
  }
  function draw() {
    var a = parseFloat(inputs.a.value), b = parseFloat(inputs.b.value);
    var c = parseFloat(inputs.c.value), d = parseFloat(inputs.d.value);
    ["a", "b", "c", "d"].forEach(function (k) {
      root.querySelector("output[data-entry='" + k + "']").textContent =
        parseFloat(inputs[k].value).toFixed(1);
    });
    function map(p) { return [a * p[0] + b * p[1], c * p[0] + d * p[1]]; }
    while (layer.firstChild) { layer.removeChild(layer.firstChild); }
    var i, t, pts;
    for (i = -2; i <= 2; i++) {
      t = i / 2;
      path([map([t, -1]), map([t, 1])], {stroke: "__MAP__", "stroke-width": 0.025,
                                          "stroke-opacity": 0.55});
      path([map([-1, t]), map([1, t])], {stroke: "__MAP__", "stroke-width": 0.025,
                                          "stroke-opacity": 0.55});
    }
    pts = [];
    for (i = 0; i <= 120; i++) {
      t = 2 * Math.PI * i / 120;
      pts.push(map([Math.cos(t), Math.sin(t)]));
    }
    path(pts, {stroke: "__MAP__", "stroke-width": 0.05});
    var eig = nnlibEig2(a, b, c, d);
    eig.vectors.forEach(function (v, k) {
      path([[-2 * R * v[0], -2 * R * v[1]], [2 * R * v[0], 2 * R * v[1]]],
           {stroke: "__CEIG__", "stroke-width": 0.035, "stroke-dasharray": "0.15 0.1"});
      var lam = eig.kind === "defective" ? eig.values[0] : eig.values[k];
      var q = [0.62 * R * v[0], 0.62 * R * v[1]];
      if (k === 1) { q = [-q[0], -q[1]]; }  // keep the two labels apart
      el("text", {x: q[0].toFixed(4), y: (-q[1] - 0.12).toFixed(4), fill: "__CEIG__",
                  "font-size": 0.26}, "\u03bb = " + fmt(lam));
    });
    [[a, c, "__E1__", "Ae\u2081", "__ID__-h1"],
     [b, d, "__E2__", "Ae\u2082", "__ID__-h2"]].forEach(function (col) {
      if (Math.hypot(col[0], col[1]) > 1e-9) {
        path([[0, 0], [col[0], col[1]]], {stroke: col[2], "stroke-width": 0.06,
                                          "marker-end": "url(#" + col[4] + ")"});
      }
      el("text", {x: (col[0] + 0.08).toFixed(4), y: (-col[1] - 0.08).toFixed(4),
                  fill: col[2], "font-size": 0.28}, col[3]);
    });
    var det = a * d - b * c, tr = a + d;
    var lines = ["A = [[" + a.toFixed(1) + ", " + b.toFixed(1) + "], [" + c.toFixed(1) + ", " +
                 d.toFixed(1) + "]]",
                 "det A = " + fmt(det) + ",  trace A = " + fmt(tr)];
    if (eig.kind === "complex") {
      lines.push("eigenvalues " + fmt(eig.re) + " \u00b1 " + fmt(eig.im) +
                 "i: complex eigenvalues, no real direction is kept");
    } else if (eig.kind === "scalar") {
      lines.push("eigenvalue " + fmt(eig.values[0]) +
                 " (twice): A = \u03bbI, every direction is kept");
    } else if (eig.kind === "defective") {
      lines.push("eigenvalue " + fmt(eig.values[0]) +
                 " (twice) with a single eigen-direction (a shear-like map)");
    } else {
      lines.push("eigenvalues \u03bb\u2081 = " + fmt(eig.values[0]) + ", \u03bb\u2082 = " +
                 fmt(eig.values[1]));
    }
    if (Math.abs(det) < 1e-9) {
      lines.push("det A = 0: the plane collapses onto a line (or a point); A is not invertible");
    } else if (det < 0) {
      lines.push("det A < 0: the map flips orientation (it includes a mirror reflection)");
    }
    if (b === c) {
      lines.push("A is symmetric: real eigenvalues, perpendicular eigenvectors");
    }
    var out = root.querySelector(".nnlib-mx-readout");
    out.textContent = "";
    lines.forEach(function (line) {
      var div = document.createElement("div");
      div.textContent = line;
      out.appendChild(div);
    });
  }
  ["a", "b", "c", "d"].forEach(function (k) { inputs[k].addEventListener("input", draw); });
  var note = root.querySelector(".nnlib-mx-nojs");
  if (note) { note.parentNode.removeChild(note); }
  draw();
})();
"""

_explorer_counter = itertools.count(1)
_SLIDER_MIN, _SLIDER_MAX, _SLIDER_STEP = -2.0, 2.0, 0.1


def _check_entry(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if not (_SLIDER_MIN <= x <= _SLIDER_MAX):
        raise ValueError(f"{name}={x:g} is outside the slider range [-2, 2]")
    steps = x / _SLIDER_STEP
    if abs(steps - round(steps)) > 1e-9:
        raise ValueError(f"{name}={x:g} is not on the slider grid (multiples of 0.1 in [-2, 2])")
    return round(steps) / 10  # the grid value, e.g. 0.30000000000000004 -> 0.3


def _explorer_html(entries: dict[str, float], uid: str, size: int = 380) -> str:
    R = 3
    static = []  # the plane before the map: faint grid, circle, axes
    for i in range(-2, 3):
        t = i / 2
        static.append(f'<path d="M{t:g},1L{t:g},-1M-1,{-t:g}L1,{-t:g}"/>')
    static_grid = "".join(static)
    sliders = []
    labels = {"a": "row 1, column 1", "b": "row 1, column 2", "c": "row 2, column 1",
              "d": "row 2, column 2"}
    for k, v in entries.items():
        sliders.append(
            f'<label title="entry {k} of A ({labels[k]})"><span class="nnlib-mx-name">{k}</span>'
            f'<input type="range" min="-2" max="2" step="0.1" value="{v:.1f}" data-entry="{k}" '
            f'aria-label="matrix entry {k} ({labels[k]})">'
            f'<output data-entry="{k}">{v:.1f}</output></label>'
        )
    js = (
        _EXPLORER_JS.replace("__EIG__", EIG2X2_JS.strip().replace("\n", "\n  "))
        .replace("__ID__", uid)
        .replace("__MAP__", _C_MAP)
        .replace("__CEIG__", _C_EIG)
        .replace("__E1__", _C_E1)
        .replace("__E2__", _C_E2)
    )
    marker = (
        '<marker id="{mid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="4" '
        'markerHeight="4" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{col}"/>'
        "</marker>"
    )
    a, b, c, d = (entries[k] for k in "abcd")
    return f"""<div id="{uid}" class="nnlib-matrix-explorer">
<style>
#{uid} {{font-family: system-ui, sans-serif; font-size: 14px; color: #222; background: #fff;
  border: 1px solid #ddd; border-radius: 6px; padding: 10px; display: flex; flex-wrap: wrap;
  gap: 12px; align-items: flex-start; max-width: 760px;}}
#{uid} .nnlib-mx-controls {{display: grid; grid-template-columns: auto; gap: 4px;
  min-width: 220px;}}
#{uid} label {{display: flex; align-items: center; gap: 8px;}}
#{uid} .nnlib-mx-name {{font-style: italic; width: 1em;}}
#{uid} input[type=range] {{width: 150px; margin: 0;}}
#{uid} output {{font-variant-numeric: tabular-nums; width: 3em; text-align: right;}}
#{uid} .nnlib-mx-matrix {{margin: 4px 0 8px 0; color: #555;}}
#{uid} .nnlib-mx-readout {{margin-top: 8px; line-height: 1.4; font-variant-numeric:
  tabular-nums; max-width: 330px;}}
#{uid} svg {{background: #fff; border: 1px solid #eee; max-width: 100%; height: auto;}}
</style>
<div class="nnlib-mx-controls">
<div class="nnlib-mx-matrix">A = [[a, b], [c, d]] maps x to Ax</div>
{"".join(sliders)}
<div class="nnlib-mx-readout">A = [[{a:.1f}, {b:.1f}], [{c:.1f}, {d:.1f}]]</div>
</div>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="{-R} {-R} {2 * R} {2 * R}" width="{size}" \
height="{size}" role="img" aria-label="the unit grid and unit circle mapped by A">
<defs>{marker.format(mid=uid + "-h1", col=_C_E1)}{marker.format(mid=uid + "-h2", col=_C_E2)}</defs>
<g stroke="#000" stroke-width="0.012"><path d="M{-R},0L{R},0M0,{-R}L0,{R}"/></g>
<g fill="none" stroke="{_C_FAINT}" stroke-width="0.02">{static_grid}\
<circle cx="0" cy="0" r="1" stroke-width="0.035"/></g>
<g class="nnlib-mx-dynamic"></g>
<text class="nnlib-mx-nojs" x="{-R + 0.15}" y="{-R + 0.4}" font-size="0.25" fill="#a00">\
JavaScript is off: only the plane before the map is shown.</text>
</svg>
</div>
<script>{js}</script>
"""


def matrix_explorer(
    a: float = 1.0, b: float = 0.5, c: float = 0.0, d: float = 1.0
) -> HTML:
    """An interactive picture of the map ``x -> A x`` for ``A = [[a, b], [c, d]]``.

    Four sliders (range ``[-2, 2]``, step 0.1) set the entries of ``A``. On every change the
    explorer redraws, in an SVG of the square ``[-3, 3]^2``: the grid on ``[-1, 1]^2`` and the unit
    circle (faint: before, bold: after the map), the images ``A e1`` and ``A e2`` (the columns of
    ``A``), the real eigen-directions as dashed lines with their eigenvalues (or a note when the
    eigenvalues are complex), and readouts of ``A``, ``det A``, ``trace A`` and the eigenvalues.

    The result is self-contained HTML + inline SVG + inline JavaScript: it needs no kernel and
    no network, so it also works on a static web page. Its element id comes from a module-level
    counter (``nnlib-mx-1``, ``nnlib-mx-2``, ... per Python process), so the same calls in a fresh
    kernel give byte-identical HTML while several explorers on one page stay independent.

    Args:
        a, b, c, d: the initial entries of ``A``, real numbers on the slider grid (multiples of
            0.1 in ``[-2, 2]``).

    Returns:
        An ``IPython.display.HTML`` object; display it as the last expression of a cell.

    Raises:
        ValueError: if an entry is not a real number on the slider grid.
    """
    from IPython.display import HTML

    values = (a, b, c, d)
    entries = {name: _check_entry(name, v) for name, v in zip("abcd", values, strict=True)}
    uid = f"nnlib-mx-{next(_explorer_counter)}"
    return HTML(_explorer_html(entries, uid))
