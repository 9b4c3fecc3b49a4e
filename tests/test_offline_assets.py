"""The site's vendored web assets: fetched once with npm, checked, and never left half-written."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
from browser import serve  # noqa: E402
from offline_assets import NpmAsset, fetch_npm_asset, tarball_url  # noqa: E402
from offline_assets import registry as registry_url  # noqa: E402
from sphinx.errors import ExtensionError  # noqa: E402


def make_tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A local npm registry (NPM_CONFIG_REGISTRY) serving the files under the returned folder,
    laid out as the real one: ``NAME/-/BASENAME-VERSION.tgz``."""
    folder = tmp_path / "registry"
    folder.mkdir()
    with serve(folder) as base_url:
        monkeypatch.setenv("NPM_CONFIG_REGISTRY", base_url)
        yield folder


def publish(registry: Path, asset: NpmAsset, tarball: bytes) -> None:
    path = registry / tarball_url(asset).removeprefix(registry_url() + "/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tarball)


def test_fetches_checks_and_unpacks_only_the_listed_files(registry: Path, tmp_path: Path):
    data = make_tarball({"dist/app.js": b"ok", "dist/app.js.map": b"map",
                         "dist/types/app.d.ts": b"types", "README.md": b"no"})
    asset = NpmAsset("@scope/widget", "1.0.0", integrity(data), ("dist",))
    publish(registry, asset, data)
    assert (registry / "@scope/widget/-/widget-1.0.0.tgz").exists()  # the registry's layout
    folder = fetch_npm_asset(asset, tmp_path / "cache")
    assert folder == tmp_path / "cache" / "scope-widget-1.0.0"
    assert (folder / "dist" / "app.js").read_bytes() == b"ok"
    assert not (folder / "dist" / "app.js.map").exists()
    assert not (folder / "dist" / "types" / "app.d.ts").exists()
    assert not (folder / "README.md").exists()
    shutil.rmtree(registry / "@scope")  # a second call uses the cache, not the registry
    assert fetch_npm_asset(asset, tmp_path / "cache") == folder


def test_a_tampered_tarball_is_rejected_and_leaves_nothing(registry: Path, tmp_path: Path):
    asset = NpmAsset("widget", "1.0.0", integrity(b"something else"), ("dist",))
    publish(registry, asset, make_tarball({"dist/app.js": b"evil"}))
    with pytest.raises(ExtensionError, match="integrity"):
        fetch_npm_asset(asset, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_offline_without_a_cache_the_error_says_what_to_do(registry: Path, tmp_path: Path):
    asset = NpmAsset("widget", "1.0.0", "sha512-x", ("dist",))  # not published: HTTP 404
    with pytest.raises(ExtensionError, match="build with the network on") as error:
        fetch_npm_asset(asset, tmp_path / "cache")
    assert "widget 1.0.0" in str(error.value) and ".cache/web-assets" in str(error.value)
    assert list((tmp_path / "cache").iterdir()) == []
