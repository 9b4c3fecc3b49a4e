"""Small Sphinx fixes for the book's site, kept in one place with the reason for each.

* sphinx-thebe 0.3.1 registers its inline configuration script twice under Sphinx 7.4, so every
  page declared ``const THEBE_JS_URL`` twice and the browser reported a SyntaxError. Each page
  keeps only the first copy of any script.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _script_key(script: Any) -> tuple[str, str]:
    attributes = getattr(script, "attributes", {})
    # The same inline script is registered once with filename None and once with "".
    return str(getattr(script, "filename", script) or ""), str(attributes.get("body", ""))


def drop_duplicate_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Keep the first of several identical ``<script>`` entries of a page."""
    scripts = context.get("script_files", [])
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: the list is the builder's own, to which later handlers still add (MathJax).
    scripts[:] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    # Early: a later handler may return a template name, which stops the event there.
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
