"""The site builds with warnings as errors, from the committed (tested) notebooks only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from notebooks import notebook_sources

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def test_site_never_executes_notebooks():
    """The site shows the committed outputs, which nbval verified, and does not run them again."""
    assert CONFIG["execute"]["execute_notebooks"] == "off"


def test_every_page_is_built(site: Path):
    for page in ["index.html", "intro.html", "preface.html"]:
        assert (site / page).exists(), page
    for md in notebook_sources(ROOT):
        assert (site / md.relative_to(ROOT).with_suffix(".html")).exists(), md.name


@pytest.mark.parametrize("md", notebook_sources(ROOT), ids=lambda p: p.name)
def test_notebook_pages_show_committed_outputs_and_launch_buttons(site: Path, md: Path):
    page = (site / md.relative_to(ROOT).with_suffix(".html")).read_text()
    ipynb = md.relative_to(ROOT).with_suffix(".ipynb").as_posix()
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    assert f"colab.research.google.com/github/{repo}/blob/main/{ipynb}" in page
    assert f"mybinder.org/v2/gh/{repo}/main?urlpath=lab/tree/{ipynb}" in page
    assert "thebe" in page.lower()
    assert "cell_output" in page, "no outputs shown"
    assert "Set-up for Colab" not in page, "the hidden set-up cell is shown"


def test_markdown_sources_are_not_built_twice(site: Path):
    """Only the .ipynb of a pair becomes a page; its .md twin is excluded from Sphinx."""
    sources = site / "_sources"
    for md in notebook_sources(ROOT):
        stem = sources / md.relative_to(ROOT).parent / md.stem
        assert not Path(f"{stem}.md").exists(), f"{md.name} was built as a page"
