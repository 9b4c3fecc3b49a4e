"""Every MyST source has an executed .ipynb twin with the same cells, listed in the book."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml
from conftest import ROOT
from notebooks import PAIRED_FORMATS, notebook_sources, paired_ipynb

SOURCES = notebook_sources(ROOT)


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    """What must agree between the pair: each cell's type, source and tags."""
    return [
        (cell.cell_type, cell.source.strip(), sorted(cell.metadata.get("tags", [])))
        for cell in nb.cells
    ]


def test_there_are_notebooks():
    names = {p.relative_to(ROOT).as_posix() for p in SOURCES}
    assert "chapters/01_linear_algebra.md" in names
    assert "exercises/01_linear_algebra_exercises.md" in names


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.name)
def test_pair_in_sync(md: Path):
    ipynb = paired_ipynb(md)
    assert ipynb.exists(), f"{ipynb.name} is missing: run python tools/notebooks.py {md.name}"
    source = jupytext.read(md)
    executed = nbformat.read(ipynb, as_version=4)
    stale = f"{ipynb.name} is out of date with {md.name}: run python tools/notebooks.py"
    assert _cells(executed) == _cells(source), stale
    assert executed.metadata["jupytext"]["formats"] == PAIRED_FORMATS
    assert source.metadata["jupytext"]["formats"] == PAIRED_FORMATS


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.name)
def test_every_code_cell_was_executed_in_order(md: Path):
    executed = nbformat.read(paired_ipynb(md), as_version=4)
    counts = [c.execution_count for c in executed.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "regenerate with tools/notebooks.py"
    for cell in executed.cells:
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        assert not errors, f"committed error output in {md.name}: {errors[0].ename}"


def _toc_files() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return {entry["file"] for part in toc["parts"] for entry in part["chapters"]}


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.name)
def test_listed_in_table_of_contents(md: Path):
    assert md.relative_to(ROOT).with_suffix("").as_posix() in _toc_files()


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.name)
def test_colab_setup_cell_installs_from_the_configured_repository(md: Path):
    """The hidden first code cell installs nnlib on Colab from the URL in _config.yml."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    first_code = next(c for c in jupytext.read(md).cells if c.cell_type == "code")
    assert "remove-cell" in first_code.metadata.get("tags", [])
    assert f"nnlib @ git+{url}" in first_code.source
