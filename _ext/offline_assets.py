"""Serve the site's scripts from the site itself, so that it works offline and behind firewalls.

* MathJax 3 comes from the ``django-static-mathjax`` wheel (the MathJax 3.2.2 distribution as
  plain files; Django itself is not needed) and is copied into ``_static/mathjax/``.
* The Jupyter widgets HTML manager, which draws a notebook's widgets (sliders, progress bars)
  from their saved state without a kernel, and RequireJS, which loads it, come from the npm
  registry: each pinned tarball is downloaded once (over HTTPS; Node.js is not needed), its
  integrity hash is checked, and the files needed are unpacked into ``.cache/web-assets/``
  beside the book. Later builds, and the
  test suite's, reuse that cache and need no network. They are copied into ``_static/vendor/``.
* Thebe, which turns the code cells into live ones when a reader clicks "Live Code", comes from
  npm the same way. sphinx-thebe would load it from unpkg.com (its version 0.8.2, which the npm
  registry no longer serves); each page instead loads thebe 0.9.3 from ``_static/vendor/``, and
  thebe's style sheet only when the reader asks for live code (it restyles ``pre``). thebe
  would fetch MathJax 2 from a CDN to typeset LaTeX outputs; ``thebe-mathjax2.js`` (beside
  this file) gives it the MathJax 2 calls it makes, served by the page's own MathJax 3.

Nothing is loaded from a CDN. The only network use left is the one a reader asks for: the live
code runs on a Binder server.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
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


@dataclass(frozen=True)
class NpmAsset:
    """Files of one pinned npm package, checked against the registry's integrity hash."""

    name: str
    version: str
    integrity: str  # "sha512-<base64>", as `npm view NAME@VERSION dist.integrity` prints
    files: tuple[str, ...]  # paths inside the package (folders included whole)

    @property
    def folder(self) -> str:
        return f"{self.name.replace('/', '-').lstrip('@')}-{self.version}"


WIDGET_ASSETS = (
    NpmAsset(
        "requirejs",
        "2.3.8",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        ("require.js",),
    ),
    NpmAsset(
        "@jupyter-widgets/html-manager",
        "1.0.7",
        "sha512-2xGwS7vVd2RGlKMiSqj1vYv2X59V73ygefUodhzy9Bho0mswWT/yo3Cg7MaYOqwozQjNo5k3rbJ3cETXWUwJ/g==",
        ("dist",),
    ),
)
THEBE = NpmAsset(
    "thebe",
    "0.9.3",
    "sha512-Rb/7kVhtlffXra3kIe7OuIGE7awsm2/fGWxw21DiNfnWLnUQiDl9AWqYdshPwZPG/5DzLpsJRPix2xtCPtJmQQ==",
    ("lib",),
)
THEBE_MATHJAX = Path(__file__).with_name("thebe-mathjax2.js")
NOT_SERVED = (".map", ".d.ts")  # source maps and TypeScript declarations: no browser needs them


def mathjax_source() -> Path:
    """The folder that holds MathJax's ``es5`` distribution inside the installed wheel."""
    spec = find_spec("mathjax")
    if spec is None or spec.origin is None:
        raise ExtensionError("MathJax is missing: pip install -r requirements.txt")
    folder = Path(spec.origin).parent / "static" / "mathjax" / "es5"
    if not (folder / MATHJAX_ENTRY).exists():
        raise ExtensionError(f"{folder / MATHJAX_ENTRY} not found: is django-static-mathjax 3.x?")
    return folder


def registry() -> str:
    """The npm registry to fetch from: npm's own setting ``NPM_CONFIG_REGISTRY`` if set."""
    return os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/").rstrip("/")


def tarball_url(asset: NpmAsset) -> str:
    """Where the registry keeps the package's tarball (as ``npm view NAME dist.tarball``)."""
    return f"{registry()}/{asset.name}/-/{asset.name.split('/')[-1]}-{asset.version}.tgz"


def fetch_npm_asset(asset: NpmAsset, cache: Path) -> Path:
    """The unpacked files of ``asset`` in ``cache``, downloaded from the npm registry the first
    time (plain HTTPS: Node.js is not needed).

    The tarball's hash must equal the pinned integrity. The folder appears atomically (unpacked
    elsewhere, then renamed), so an interrupted fetch leaves nothing half-written behind.
    """
    target = cache / asset.folder
    if target.is_dir():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    url = tarball_url(asset)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".fetch-") as scratch:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read()
        except OSError as error:  # URLError, HTTPError, timeouts
            raise ExtensionError(
                f"{asset.name} {asset.version} is not in {cache} and downloading {url} failed "
                f"({error}). It is needed once: build with the network on (set "
                "NPM_CONFIG_REGISTRY to use another registry), or copy a .cache/web-assets "
                "folder from a machine that has built the book."
            ) from error
        digest = hashlib.sha512(data).digest()
        found = "sha512-" + base64.b64encode(digest).decode()
        if found != asset.integrity:
            raise ExtensionError(f"{url}: integrity {found} differs from the pinned one")
        unpacked = Path(scratch) / "unpacked"
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            members = [
                m
                for m in archive.getmembers()
                if m.isfile()
                and not m.name.endswith(NOT_SERVED)
                and any(
                    m.name == f"package/{f}" or m.name.startswith(f"package/{f}/")
                    for f in asset.files
                )
            ]
            archive.extractall(unpacked, members=members, filter="data")
        os.replace(unpacked / "package", target)
    return target


def configure(app: Sphinx, config: Config) -> None:
    # Both paths are relative to the site's _static folder.
    config.mathjax_path = f"mathjax/{MATHJAX_ENTRY}"
    requirejs, manager = WIDGET_ASSETS
    config.nb_ipywidgets_js = {
        f"vendor/{requirejs.folder}/require.js": {},
        f"vendor/{manager.folder}/dist/embed-amd.js": {
            # where the manager would look for widget libraries it does not bundle (none here)
            "data-jupyter-widgets-cdn": "about:blank#",
        },
    }
    cache = Path(app.confdir) / ".cache" / "web-assets"
    app.web_asset_folders = [fetch_npm_asset(asset, cache) for asset in (*WIDGET_ASSETS, THEBE)]


def widget_paths(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """On a page with widgets, tell RequireJS where the manager's own files are.

    The manager finds its fonts and lazily loaded chunks at the URL of its module,
    ``@jupyter-widgets/html-manager/dist/...``, which RequireJS would otherwise resolve relative to
    the page. The path is relative, so the site works from any folder or server.
    """
    scripts = context.get("script_files", [])
    names = [str(getattr(script, "filename", "")) for script in scripts]
    manager_at = next((i for i, name in enumerate(names) if name.endswith("embed-amd.js")), None)
    if manager_at is None:
        return
    dist = context["pathto"](f"_static/vendor/{WIDGET_ASSETS[1].folder}/dist", 1)
    body = f'require.config({{paths: {{"@jupyter-widgets/html-manager/dist": "{dist}"}}}});'
    app.add_js_file(None, body=body)  # appended last; it must run just before the manager
    scripts.insert(manager_at, scripts.pop())


def local_thebe(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Point sphinx-thebe's ``THEBE_JS_URL`` at the site's own copy of thebe.

    sphinx-thebe declares the URL in an inline script on every page; it is replaced by one with
    a relative URL (the site works from any folder), plus a click handler that adds thebe's
    style sheet when the reader presses the live-code button. The page's thebe configuration
    gets ``mathjaxUrl``, the MathJax 2 adapter.
    """
    scripts = context.get("script_files", [])
    bodies = [str(getattr(script, "attributes", {}).get("body", "")) for script in scripts]
    at = next((i for i, body in enumerate(bodies) if "const THEBE_JS_URL" in body), None)
    if at is None:
        return
    lib = context["pathto"](f"_static/vendor/{THEBE.folder}/lib", 1)
    body = re.sub(r'const THEBE_JS_URL = "[^"]*"', f'const THEBE_JS_URL = "{lib}/index.js"',
                  bodies[at])
    body += (
        f'; const THEBE_CSS_URL = "{lib}/thebe.css"; '
        'document.addEventListener("click", (event) => {'
        ' if (!event.target.closest(".btn-launch-thebe, .thebe-launch-button")'
        ' || document.getElementById("thebe-css")) return;'
        ' const link = document.createElement("link");'
        ' link.id = "thebe-css"; link.rel = "stylesheet"; link.href = THEBE_CSS_URL;'
        " document.head.appendChild(link); }, true);"
    )
    app.add_js_file(None, body=body)  # appended last, then moved to where the original was
    scripts[at] = scripts.pop()
    adapter = context["pathto"](f"_static/vendor/{THEBE_MATHJAX.name}", 1)
    context["body"] = context.get("body", "").replace(
        "requestKernel: true,", f'requestKernel: true, mathjaxUrl: "{adapter}",', 1
    )


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    source = mathjax_source()
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, static / "mathjax" / part, dirs_exist_ok=True)
        else:
            (static / "mathjax").mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, static / "mathjax" / part)
    for folder in app.web_asset_folders:
        shutil.copytree(folder, static / "vendor" / folder.name, dirs_exist_ok=True)
    shutil.copy2(THEBE_MATHJAX, static / "vendor" / THEBE_MATHJAX.name)


def setup(app: Sphinx) -> dict[str, Any]:
    mathjax_source()  # fail early, with the fix in the message
    app.connect("config-inited", configure, priority=900)
    app.connect("html-page-context", widget_paths, priority=900)
    app.connect("html-page-context", local_thebe, priority=900)
    app.connect("build-finished", copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
