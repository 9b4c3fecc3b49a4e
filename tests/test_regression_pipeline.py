"""The notebook regression test can fail: editing one printed number makes nbval report it.

A test that cannot fail proves nothing. Here a prefix of the real chapter 1 notebook (up to its
first cell that prints a number) is run through the same nbval configuration as the suite, once
as committed (it must pass) and once with one printed digit changed (it must fail, naming the
cell).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
from conftest import ROOT

CHAPTER = ROOT / "chapters" / "01_linear_algebra.ipynb"


def _output_text(output: nbformat.NotebookNode) -> str:
    if output.output_type == "stream":
        return output.text
    return output.get("data", {}).get("text/plain", "")


def _prefix_up_to_first_number(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """The notebook cut after its first code cell whose text output holds a digit."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(
            re.search(r"\d", _output_text(o)) for o in cell.outputs
        ):
            prefix = nbformat.from_dict(nb)
            prefix.cells = prefix.cells[: index + 1]
            return prefix, index
    raise AssertionError("the chapter prints no number at all")


def _change_one_digit(cell: nbformat.NotebookNode) -> str:
    """Change the last digit printed by ``cell`` in place; return a description of the edit."""
    for output in cell.outputs:
        text = _output_text(output)
        digits = list(re.finditer(r"\d", text))
        if not digits:
            continue
        match = digits[-1]
        new_digit = "7" if match.group() != "7" else "3"
        edited = text[: match.start()] + new_digit + text[match.end() :]
        if output.output_type == "stream":
            output.text = edited
        else:
            output.data["text/plain"] = edited
        return f"{match.group()!r} -> {new_digit!r} in {text!r}"
    raise AssertionError("no digit to change")


def _run_nbval(notebook: Path) -> subprocess.CompletedProcess[str]:
    """Run the suite's own pytest configuration (strict nbval, sanitize file) on one notebook."""
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml")]
    command += ["--rootdir", str(ROOT), "-p", "no:cacheprovider", "-q", str(notebook)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_editing_one_printed_number_fails_the_suite(tmp_path: Path):
    nb = nbformat.read(CHAPTER, as_version=4)
    prefix, index = _prefix_up_to_first_number(nb)

    committed = tmp_path / "committed.ipynb"
    nbformat.write(prefix, committed)
    as_committed = _run_nbval(committed)
    assert as_committed.returncode == 0, as_committed.stdout[-3000:]

    edit = _change_one_digit(prefix.cells[index])
    tampered = tmp_path / "tampered.ipynb"
    nbformat.write(prefix, tampered)
    after_edit = _run_nbval(tampered)
    assert after_edit.returncode == 1, f"nbval accepted an edited output ({edit})"
    assert "1 failed" in after_edit.stdout, after_edit.stdout[-3000:]
    code_cell_number = sum(c.cell_type == "code" for c in prefix.cells) - 1  # nbval's numbering
    assert f"Cell {code_cell_number}" in after_edit.stdout
    assert "Cell outputs differ" in after_edit.stdout
