"""The site's vendored web assets: fetched once with npm, checked, and never left half-written."""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
from offline_assets import NpmAsset, fetch_npm_asset  # noqa: E402
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
def fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An `npm` on PATH whose `pack` writes the tarball held in a file the test chooses."""
    tarball = tmp_path / "served.tgz"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do last="$a"; done\n'  # the --pack-destination folder comes last
        f'cp "{tarball}" "$last/package.tgz"\n'
    )
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return tarball


def test_fetches_checks_and_unpacks_only_the_listed_files(fake_npm: Path, tmp_path: Path):
    data = make_tarball({"dist/app.js": b"ok", "dist/app.js.map": b"map",
                         "dist/types/app.d.ts": b"types", "README.md": b"no"})
    fake_npm.write_bytes(data)
    asset = NpmAsset("@scope/widget", "1.0.0", integrity(data), ("dist",))
    folder = fetch_npm_asset(asset, tmp_path / "cache")
    assert folder == tmp_path / "cache" / "scope-widget-1.0.0"
    assert (folder / "dist" / "app.js").read_bytes() == b"ok"
    assert not (folder / "dist" / "app.js.map").exists()
    assert not (folder / "dist" / "types" / "app.d.ts").exists()
    assert not (folder / "README.md").exists()
    fake_npm.unlink()  # a second call uses the cache and runs no npm at all
    assert fetch_npm_asset(asset, tmp_path / "cache") == folder


def test_a_tampered_tarball_is_rejected_and_leaves_nothing(fake_npm: Path, tmp_path: Path):
    fake_npm.write_bytes(make_tarball({"dist/app.js": b"evil"}))
    asset = NpmAsset("widget", "1.0.0", integrity(b"something else"), ("dist",))
    with pytest.raises(ExtensionError, match="integrity"):
        fetch_npm_asset(asset, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_without_npm_and_cache_the_error_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    asset = NpmAsset("widget", "1.0.0", "sha512-x", ("dist",))
    with pytest.raises(ExtensionError, match="install Node.js"):
        fetch_npm_asset(asset, tmp_path / "cache")
