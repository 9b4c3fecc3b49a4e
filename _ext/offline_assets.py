"""Serve the site's scripts from the site itself, so that it works offline and behind firewalls.

MathJax 3 comes from the ``django-static-mathjax`` wheel (the MathJax 3.2.2 distribution as
plain files; Django itself is not needed) and is copied into ``_static/mathjax/`` after the
build, instead of being loaded from a CDN.
"""

from __future__ import annotations

import shutil
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

MATHJAX_ENTRY = "tex-mml-chtml.js"
# What tex-mml-chtml.js loads on demand: TeX extensions, CommonHTML fonts, the menu and its
# accessibility tools. The other bundled variants (SVG output, "full" builds) are left out.
MATHJAX_PARTS = [MATHJAX_ENTRY, "input", "output/chtml", "ui", "a11y", "sre", "adaptors"]


def mathjax_source() -> Path:
    """The folder that holds MathJax's ``es5`` distribution inside the installed wheel."""
    spec = find_spec("mathjax")
    if spec is None or spec.origin is None:
        raise ExtensionError("MathJax is missing: pip install -r requirements.txt")
    folder = Path(spec.origin).parent / "static" / "mathjax" / "es5"
    if not (folder / MATHJAX_ENTRY).exists():
        raise ExtensionError(f"{folder / MATHJAX_ENTRY} not found: is django-static-mathjax 3.x?")
    return folder


def use_local_mathjax(app: Sphinx, config: Config) -> None:
    # Relative to the site's _static folder (sphinx.ext.mathjax).
    config.mathjax_path = f"mathjax/{MATHJAX_ENTRY}"


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source, target = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def setup(app: Sphinx) -> dict[str, Any]:
    mathjax_source()  # fail early, with the fix in the message
    app.connect("config-inited", use_local_mathjax, priority=900)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
