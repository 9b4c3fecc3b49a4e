"""Regenerate the executed notebooks from their MyST Markdown sources.

Each chapter and exercise notebook is written as MyST Markdown (``chapters/*.md``,
``exercises/*.md``), the source of truth. This tool executes a source in a fresh kernel, in
its own folder, and writes the paired ``.ipynb`` with its outputs, which is what the test suite
re-executes and compares (nbval) and what the site shows.

Usage (from the repository root)::

    python tools/notebooks.py                 # every chapter and exercise notebook
    python tools/notebooks.py chapters/01_linear_algebra.md

Cell ids are derived from the cell's position so that regenerating an unchanged source gives an
unchanged ``.ipynb`` apart from what the code itself prints or draws.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_FOLDERS = ("chapters", "exercises")
PAIRED_FORMATS = "ipynb,md:myst"
TIME_BUDGET_S = 90.0  # every notebook must run within this on a laptop CPU
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def notebook_sources(root: Path = ROOT) -> list[Path]:
    """All MyST Markdown notebook sources, sorted: ``chapters/*.md`` then ``exercises/*.md``."""
    return [md for folder in NOTEBOOK_FOLDERS for md in sorted((root / folder).glob("*.md"))]


def paired_ipynb(md: Path) -> Path:
    """The executed notebook that pairs with a MyST source."""
    return md.with_suffix(".ipynb")


def read_source(md: Path) -> nbformat.NotebookNode:
    """Read a MyST source as a notebook with stable cell ids and the pairing metadata."""
    nb = jupytext.read(md)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.setdefault("jupytext", {})["formats"] = PAIRED_FORMATS
    nb.metadata["jupytext"].pop("text_representation", None)
    return nb


def merge_streams(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """Join consecutive pieces of the same stream, which the kernel may split at random points."""
    merged: list[nbformat.NotebookNode] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.output_type == previous.output_type == "stream"
            and output.name == previous.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def execute(md: Path, timeout_per_cell: int = 120) -> float:
    """Execute ``md`` in its own folder, write the paired ``.ipynb``; return the seconds taken."""
    nb = read_source(md)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout_per_cell,
        kernel_name="python3",
        resources={"metadata": {"path": str(md.parent)}},
        store_widget_state=True,
    )
    client.execute()
    elapsed = time.perf_counter() - start
    # nbclient records wall-clock timestamps in cell metadata; they change on every run.
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    nbformat.write(nb, paired_ipynb(md))
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", type=Path, help="MyST sources (default: all)")
    args = parser.parse_args(argv)
    sources = [p.resolve() for p in args.sources] or notebook_sources()
    too_slow = []
    for md in sources:
        if md.suffix != ".md":
            parser.error(f"{md} is not a MyST Markdown source (.md)")
        print(f"executing {md.relative_to(ROOT)} ...", end=" ", flush=True)
        seconds = execute(md)
        print(f"{seconds:.1f} s")
        if seconds > TIME_BUDGET_S:
            too_slow.append(f"{md.relative_to(ROOT)} took {seconds:.0f} s > {TIME_BUDGET_S:.0f} s")
    for line in too_slow:
        print("too slow:", line, file=sys.stderr)
    return 1 if too_slow else 0


if __name__ == "__main__":
    sys.exit(main())
