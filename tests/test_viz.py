"""Tests for nnlib.viz: the JavaScript 2x2 eigen-solver (run in Node.js against NumPy), the
explorer's HTML, argument checking, determinism, and the static matplotlib helpers."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import program_or_skip

from nnlib import viz


def node_or_skip() -> str:
    """Node.js, or a skip (a failure where REQUIRE_NODE=1, as in CI)."""
    return program_or_skip("node", "nodejs", "REQUIRE_NODE")


def _run_node(script: str) -> str:
    done = subprocess.run(
        [node_or_skip(), "-"], input=script, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _js_eig(matrices: list[list[float]]) -> list[dict]:
    script = viz.EIG2X2_JS + textwrap.dedent(
        f"""
        const cases = {json.dumps(matrices)};
        process.stdout.write(JSON.stringify(cases.map(m => nnlibEig2(m[0], m[1], m[2], m[3]))));
        """
    )
    return json.loads(_run_node(script))


EDGE_CASES = [
    [1, 0, 0, 1],  # identity: every vector is an eigenvector
    [0, 0, 0, 0],  # zero matrix
    [3, 0, 0, 3],  # multiple of the identity
    [2, 0, 0, -1],  # diagonal
    [-1, 0, 0, 2],  # diagonal, larger eigenvalue second
    [1, 1, 0, 1],  # shear: one eigen-direction
    [1, 0, 1, 1],  # shear the other way
    [2, 1, 0, 2],  # Jordan block
    [0, 1, 0, 0],  # nilpotent
    [0, 0, 1, 0],  # nilpotent
    [1, 2, 2, 4],  # singular, symmetric
    [1, 0.5, 2, 1],  # singular
    [0, 0, 0, 1],  # singular diagonal
    [0, -1, 1, 0],  # rotation by 90 degrees: complex
    [0.6, -0.8, 0.8, 0.6],  # rotation: complex
    [1, 10, -10, 1],  # positive quadratic form, complex eigenvalues
    [0, 1, 1, 0],  # reflection
    [2, 1, 1, 2],  # symmetric
    [1e-8, 0, 0, 2e-8],  # tiny scale
    [1e8, 1, 0, 3e8],  # large scale
    [0.3, 0.1, -0.1, 0.1],  # on the 0.1 grid, disc = 0 up to rounding
    [1.5, -0.5, 0.5, 0.5],  # on the 0.1 grid, disc = 0 up to rounding
]


def _random_cases() -> list[list[float]]:
    rng = np.random.default_rng(0)
    gaussian = rng.normal(size=(200, 4))
    grid = rng.integers(-20, 21, size=(300, 4)) / 10  # the explorer's slider values
    return gaussian.tolist() + grid.tolist()


def _parallel(u: np.ndarray, v: np.ndarray) -> float:
    """|sin| of the angle between u and v."""
    return abs(u[0] * v[1] - u[1] * v[0]) / (np.linalg.norm(u) * np.linalg.norm(v))


@pytest.mark.parametrize("which", ["edge", "random"])
def test_js_eigen_solver_matches_numpy(which: str) -> None:
    cases = EDGE_CASES if which == "edge" else _random_cases()
    results = _js_eig(cases)
    for m, res in zip(cases, results, strict=True):
        A = np.array(m, dtype=float).reshape(2, 2)
        scale = float(np.max(np.abs(A))) or 1.0
        w, V = np.linalg.eig(A)
        if res["kind"] == "complex":
            assert np.all(np.abs(w.imag) > 0), (m, res, w)
            assert res["values"] == [] and res["vectors"] == []
            assert math.isclose(res["re"], w[0].real, rel_tol=1e-9, abs_tol=1e-12 * scale)
            assert math.isclose(res["im"], abs(w[0].imag), rel_tol=1e-7, abs_tol=1e-9 * scale)
            continue
        # Real: NumPy's imaginary parts can only be rounding noise of a repeated eigenvalue.
        assert np.all(np.abs(w.imag) <= 1e-6 * scale), (m, res, w)
        values = np.array(res["values"])
        assert values.shape == (2,) and values[0] >= values[1]
        np.testing.assert_allclose(values, np.sort(w.real)[::-1], rtol=1e-9, atol=2e-6 * scale)
        vectors = [np.array(v) for v in res["vectors"]]
        expected_count = {"distinct": 2, "scalar": 2, "defective": 1}[res["kind"]]
        assert len(vectors) == expected_count, (m, res)
        for k, v in enumerate(vectors):
            lam = values[0] if res["kind"] == "defective" else values[k]
            assert math.isclose(np.linalg.norm(v), 1.0, rel_tol=1e-12)
            assert np.linalg.norm(A @ v - lam * v) <= 1e-6 * scale, (m, res)
        if res["kind"] == "distinct" and values[0] - values[1] > 1e-3 * scale:
            order = np.argsort(-w.real)
            for k, v in enumerate(vectors):
                assert _parallel(v, V[:, order[k]].real) <= 1e-8, (m, res)
        if res["kind"] == "defective":
            assert _parallel(vectors[0], V[:, 0].real) <= 1e-6, (m, res)


def test_js_eigen_solver_kinds() -> None:
    kinds = [r["kind"] for r in _js_eig([[1, 0, 0, 1], [1, 1, 0, 1], [0, -1, 1, 0], [2, 0, 0, 1]])]
    assert kinds == ["scalar", "defective", "complex", "distinct"]


def test_explorer_script_is_valid_javascript(tmp_path) -> None:
    html = viz.matrix_explorer().data
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    path = tmp_path / "explorer.js"
    path.write_text(scripts[0])
    done = subprocess.run([node_or_skip(), "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_explorer_html_has_four_sliders_with_initial_values() -> None:
    html = viz.matrix_explorer(a=1.2, b=-0.5, c=0.0, d=2.0).data
    sliders = re.findall(r'<input type="range"[^>]*>', html)
    assert len(sliders) == 4
    values = dict(re.findall(r'value="([-0-9.]+)" data-entry="([abcd])"', html))
    assert {v: k for k, v in values.items()} == {"a": "1.2", "b": "-0.5", "c": "0.0", "d": "2.0"}
    for s in sliders:
        assert 'min="-2"' in s and 'max="2"' in s and 'step="0.1"' in s
    assert "<svg" in html and "nnlibEig2" in html
    assert "http://" not in html.replace('"http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script src" not in html  # no external resources


def test_explorer_ids_are_scoped_and_unique() -> None:
    h1 = viz.matrix_explorer().data
    h2 = viz.matrix_explorer().data
    id1 = re.search(r'<div id="(nnlib-mx-\d+)"', h1).group(1)
    id2 = re.search(r'<div id="(nnlib-mx-\d+)"', h2).group(1)
    assert id1 != id2
    assert h1.replace(id1, "ID") == h2.replace(id2, "ID")  # only the id differs
    assert f'getElementById("{id1}")' in h1
    # all CSS rules are scoped to the container
    css = re.search(r"<style>(.*?)</style>", h1, re.S).group(1)
    selectors = [rule.split("{")[0].strip() for rule in css.split("}") if "{" in rule]
    assert selectors and all(sel.startswith(f"#{id1}") for sel in selectors)


def test_explorer_is_deterministic_in_a_fresh_process() -> None:
    code = (
        "import sys; from nnlib.viz import matrix_explorer; "
        "sys.stdout.write(matrix_explorer().data + matrix_explorer(0, -1, 1, 0).data)"
    )
    outs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        .stdout
        for _ in range(2)
    ]
    assert outs[0] == outs[1]
    assert 'id="nnlib-mx-1"' in outs[0] and 'id="nnlib-mx-2"' in outs[0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"a": 2.5}, "outside the slider range"),
        ({"b": -3}, "outside the slider range"),
        ({"c": 0.55}, "not on the slider grid"),
        ({"d": float("nan")}, "finite"),
        ({"a": "1"}, "real number"),
        ({"a": True}, "real number"),
        ({"b": None}, "real number"),
    ],
)
def test_explorer_rejects_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        viz.matrix_explorer(**kwargs)


def test_explorer_accepts_numpy_and_int_values() -> None:
    html = viz.matrix_explorer(np.float64(0.3), 1, np.int64(-2), 0.30000000000000004).data
    assert 'value="0.3" data-entry="a"' in html and 'value="-2.0" data-entry="c"' in html


def test_real_eigenpairs() -> None:
    assert viz.real_eigenpairs([[0, -1], [1, 0]]) == []
    shear = viz.real_eigenpairs([[1, 1], [0, 1]])
    assert len(shear) == 1 and np.allclose(shear[0][1], [1, 0])
    ident = viz.real_eigenpairs(np.eye(2))
    assert len(ident) == 2
    pairs = viz.real_eigenpairs([[2, 1], [1, 2]])
    assert [round(lam, 12) for lam, _ in pairs] == [3.0, 1.0]
    assert abs(pairs[0][1] @ pairs[1][1]) < 1e-12
    with pytest.raises(ValueError, match="2x2"):
        viz.real_eigenpairs(np.eye(3))


def test_static_plots_draw_on_given_axes() -> None:
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3)
    try:
        assert viz.plot_linear_map([[1, 0.5], [0, 1]], ax=axes[0]) is axes[0]
        assert axes[0].get_title().startswith("A = ")
        assert viz.plot_eigen_directions([[2, 1], [1, 2]], ax=axes[1], n=8) is axes[1]
        assert viz.plot_unit_balls(ax=axes[2]) is axes[2]
        assert len(axes[2].get_lines()) == 5  # three curves and two axis lines
        with pytest.raises(ValueError):
            viz.plot_unit_balls(ps=(0,), ax=axes[2])
        with pytest.raises(ValueError):
            viz.plot_linear_map(np.ones(3), ax=axes[0])
    finally:
        plt.close(fig)


def test_import_has_no_side_effects() -> None:
    code = (
        "import sys, nnlib.viz; "
        "print('matplotlib.pyplot' in sys.modules, 'IPython.display' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
