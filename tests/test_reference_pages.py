"""The glossary and the bibliography: complete, linked, and true to the source notes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from notebooks import notebook_sources

SEEDS = ROOT.parent / "shared" / "seeds"
GLOSSARY = (ROOT / "glossary.md").read_text()
ENTRY = re.compile(r"^(\S[^\n]*)\n  (\S+) · (.+?)(?=\n\n|\n```)", re.MULTILINE | re.DOTALL)


def glossary_entries() -> dict[str, tuple[str, str]]:
    """{English term: (Chinese term or "—", definition with its link)}."""
    body = GLOSSARY.split("```{glossary}", 1)[1]
    return {term: (chinese, text) for term, chinese, text in ENTRY.findall(body)}


def chapter_text() -> str:
    return "\n".join(md.read_text() for md in notebook_sources(ROOT))


def book_pages() -> list[Path]:
    """The source of every page of the book, as _toc.yml lists them (root first)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    return [ROOT / f"{name}.md" for name in files]


def bib_keys() -> set[str]:
    bib = (ROOT / "references.bib").read_text()
    return set(re.findall(r"^@\w+\{([\w-]+),", bib, re.MULTILINE))


def cited_keys(text: str) -> set[str]:
    """The keys of every {cite}, {cite:p} or {cite:t} role in ``text``."""
    groups = re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text)
    return {key.strip() for group in groups for key in group.split(",")}


def test_glossary_has_entries():
    assert len(glossary_entries()) >= 15


@pytest.mark.parametrize("term", sorted(glossary_entries()))
def test_each_entry_links_to_where_the_book_defines_it(term: str):
    _, text = glossary_entries()[term]
    assert re.search(r"\{ref\}`[^`]+<[\w-]+>`", text), f"{term}: no link to its definition"


@pytest.mark.parametrize("term", sorted(glossary_entries()))
def test_chapters_link_each_term(term: str):
    linked = re.findall(r"\{term\}`([^`<]+?)(?:\s*<([^>]+)>)?`", chapter_text())
    targets = {target or text for text, target in linked}
    assert term in targets, f"no chapter links the glossary term {term!r}"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source notes (../shared/seeds) are absent")
@pytest.mark.parametrize("term", sorted(glossary_entries()))
def test_chinese_term_is_the_one_the_notes_use(term: str):
    chinese, _ = glossary_entries()[term]
    if chinese == "—":
        return
    notes = "\n".join(p.read_text() for p in SEEDS.glob("*.txt"))
    assert chinese in notes, f"{term}: {chinese} does not occur in the source notes"


def test_bibliography_holds_the_original_papers():
    keys = bib_keys()
    expected = {
        "rosenblatt1958perceptron", "rumelhart1986learning", "glorot2010understanding",
        "he2015delving", "srivastava2014dropout", "ioffe2015batch", "lecun1998gradient",
        "krizhevsky2012imagenet", "simonyan2015very", "szegedy2015going", "he2016deep",
        "hochreiter1997long", "cho2014learning", "sutskever2014sequence", "bahdanau2015neural",
        "vaswani2017attention", "devlin2019bert", "kingma2015adam",
    }  # fmt: skip
    assert expected <= keys, f"missing: {sorted(expected - keys)}"
    cited = cited_keys(chapter_text())
    assert cited, "no chapter cites anything"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"


def test_every_bibliography_entry_is_cited():
    """bibliography.md lists all of references.bib (`:all:`) and says each paper is cited where
    its idea appears: so every entry must be cited by some page of the book."""
    pages = book_pages()
    assert all(page.exists() for page in pages), [p.name for p in pages if not p.exists()]
    assert ":all:" in (ROOT / "bibliography.md").read_text()
    cited = set().union(*(cited_keys(page.read_text()) for page in pages))
    uncited = sorted(bib_keys() - cited)
    assert not uncited, f"in references.bib but cited by no page of the book: {uncited}"
