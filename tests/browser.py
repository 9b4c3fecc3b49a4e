"""Drive the built site in a real browser (Debian's Chromium through Playwright), offline.

``Browser`` serves the site on 127.0.0.1 and blocks every request to any other address;
``Browser.visit`` loads a page and returns a ``Visit`` whose ``problems`` list everything a
reader would notice: script errors, console errors, failed or blocked requests, broken images,
untypeset mathematics. The checks are plain functions of a page, so a test can also run them on
a deliberately broken page and see them fail.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from conftest import program_or_skip

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_or_skip() -> str:
    """Debian's chromium, or a skip (a failure where REQUIRE_BROWSER=1, as in CI)."""
    return program_or_skip("chromium", "chromium", "REQUIRE_BROWSER")


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on a free local port; yield its base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclass
class Visit:
    """One page load and what went wrong during it."""

    page: object  # playwright.sync_api.Page
    problems: list[str] = field(default_factory=list)


class Browser:
    """A headless Chromium over a locally served site, with the network beyond it blocked."""

    def __init__(self, playwright: object, base_url: str) -> None:
        self.base_url = base_url
        self.browser = playwright.chromium.launch(
            executable_path=chromium_or_skip(), headless=True, args=CHROMIUM_ARGS
        )

    def close(self) -> None:
        self.browser.close()

    def visit(self, path: str, width: int = 1280, height: int = 900) -> Visit:
        """Open ``path`` (relative to the site) and wait until it and its mathematics settle."""
        context = self.browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        visit = Visit(page)

        def route(route: object) -> None:
            host = urlparse(route.request.url).hostname
            if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                route.continue_()
            else:
                visit.problems.append(f"blocked request to {route.request.url}")
                route.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda error: visit.problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda m: (
                visit.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on(
            "requestfailed",
            lambda r: visit.problems.append(f"failed request {r.url}: {r.failure}"),
        )
        page.on(
            "response",
            lambda r: (
                visit.problems.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None
            ),
        )
        page.goto(self.base_url + path, wait_until="load")
        wait_for_mathjax(page)
        visit.problems.extend(broken_images(page))
        return visit


def wait_for_mathjax(page: object) -> None:
    """Wait until MathJax (if the page loads it) has typeset everything."""
    page.evaluate(
        "async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }"
    )


def broken_images(page: object) -> list[str]:
    """Images that did not load anywhere on the page, and figures in the text with no size.

    (Icons in closed menus are loaded but hidden, so only the article's images need a size.)
    """
    images = page.evaluate(
        """() => Array.from(document.images).map(img => ({
            src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
            inText: !!img.closest('article'), width: img.getBoundingClientRect().width}))"""
    )
    return [f"broken image {i['src']}" for i in images if not i["loaded"]] + [
        f"figure with no size {i['src']}" for i in images if i["inText"] and i["width"] == 0
    ]


def untypeset_math(page: object) -> list[str]:
    """Raw TeX delimiters left in the page's text (outside code), i.e. maths MathJax missed."""
    leftovers = page.evaluate(
        r"""() => {
            const article = document.querySelector('article') || document.body;
            const clone = article.cloneNode(true);
            clone.querySelectorAll('pre, code, script, .highlight, mjx-container')
                 .forEach(e => e.remove());
            const text = clone.innerText;
            return ['$$', '\\(', '\\[', '\\begin{'].filter(d => text.includes(d));
        }"""
    )
    return [f"untypeset maths: {d!r} left in the text" for d in leftovers]


def horizontal_overflow(page: object) -> list[str]:
    """Whether the page body scrolls sideways (wide code blocks may scroll inside themselves)."""
    sizes = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth, view: window.innerWidth})"""
    )
    if sizes["scroll"] > sizes["view"] + 1:
        return [f"the body scrolls sideways: {sizes['scroll']} px content in {sizes['view']} px"]
    return []
