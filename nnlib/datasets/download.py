"""Where data sets live on disk, and safe downloads: SHA-256 verified, written atomically,
mirrors tried in turn.

The data directory is, in order: the ``root`` argument, the ``NNLIB_DATA`` environment
variable, else the per-user cache (``platformdirs.user_cache_dir("nnlib")`` when platformdirs
is installed, else ``$XDG_CACHE_HOME/nnlib``, else ``~/.cache/nnlib``). Nothing here creates a
directory or opens a connection until a download is actually needed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["ENV_VAR", "ChecksumError", "DownloadError", "data_dir", "sha256sum", "download",
           "fetch"]

ENV_VAR = "NNLIB_DATA"
USER_AGENT = "nnlib (https://pypi.org/project/nnlib; dataset loader)"
_CHUNK = 1 << 20


class ChecksumError(ValueError):
    """A file's SHA-256 is not the expected one."""


class DownloadError(OSError):
    """No mirror could deliver a file; the message says what to do instead."""


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """The directory data sets are cached in (not created here): ``root`` if given, else
    ``$NNLIB_DATA``, else the per-user cache directory for nnlib."""
    if root is not None:
        return Path(root).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
        return Path(cache).expanduser() / "nnlib"
    return Path(user_cache_dir("nnlib", appauthor=False))


def sha256sum(path: str | os.PathLike) -> str:
    """The SHA-256 of the file at ``path``, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def download(url: str, destination: str | os.PathLike, sha256: str | None, *,
             urlopen: Callable | None = None, timeout: float = 30.0) -> Path:
    """Download ``url`` to ``destination``, all or nothing.

    The bytes stream into a hidden temporary file in the destination's directory while their
    SHA-256 is computed; only when it equals ``sha256`` (skipped if ``None``) is the file
    renamed into place with ``os.replace`` (atomic). On any failure, a checksum mismatch
    (``ChecksumError``, naming both hashes), a network error or an interrupt, the temporary
    file is deleted and the error propagates; ``destination`` is never half-written.
    ``urlopen`` defaults to ``urllib.request.urlopen`` (tests pass a fake).
    """
    import urllib.request  # here, not at the top: it costs ~40 ms and is rarely needed

    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    opener = urlopen or urllib.request.urlopen
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent,
                                             prefix=f".{destination.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(descriptor, "wb") as file, opener(request, timeout=timeout) as response:
            while chunk := response.read(_CHUNK):
                digest.update(chunk)
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        found = digest.hexdigest()
        if sha256 is not None and found != sha256.lower():
            raise ChecksumError(f"checksum mismatch for {url}: expected SHA-256 {sha256}, got "
                                f"{found}; the download was discarded")
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return destination


def fetch(filename: str, mirrors: Sequence[str], sha256: str | None,
          directory: str | os.PathLike, *, download_missing: bool = True,
          urlopen: Callable | None = None) -> Path:
    """The path of ``directory / filename``, downloading it first if it is missing.

    A file already there is reused (no download) when its SHA-256 matches; a mismatching one
    is downloaded again if ``download_missing`` else rejected with ``ChecksumError``. Mirrors
    (base URLs ending in ``/``) are tried in order, the next after any failure; if all fail,
    or ``download_missing`` is false, the error lists the URLs tried and says where to put the
    file by hand and how to choose another directory.
    """
    directory = Path(directory)
    path = directory / filename
    if path.is_file():
        found = sha256sum(path) if sha256 is not None else None
        if found == (sha256.lower() if sha256 else None):
            return path
        if not download_missing:
            raise ChecksumError(f"{path} has SHA-256 {found}, expected {sha256}: delete it and "
                                "download it again (download=True)")
    urls = [mirror + filename for mirror in mirrors]
    if not download_missing:
        raise FileNotFoundError(_advice(f"{path} is missing and download=False.", urls, path))
    created = not directory.exists()
    failures = []
    for url in urls:
        try:
            return download(url, path, sha256, urlopen=urlopen)
        except Exception as error:  # URLError, HTTPError, timeouts, IncompleteRead, checksum
            failures.append(f"  {url}: {type(error).__name__}: {error}")
    if created:
        try:
            directory.rmdir()  # leave no empty directory behind either
        except OSError:
            pass
    raise DownloadError(_advice(f"Could not download {filename}. Tried:\n"
                                + "\n".join(failures), [], path))


def _advice(problem: str, urls: list[str], path: Path) -> str:
    """An error message: the problem, then how to get the file by hand or look elsewhere."""
    lines = [problem]
    if urls:
        lines.append("It can be downloaded from:\n" + "\n".join(f"  {url}" for url in urls))
    lines += [
        f"To get it by hand, download {path.name} (any of the URLs above, from a machine that "
        f"is online) and put it in {path.parent}{os.sep} ; nnlib checks its SHA-256.",
        f"To keep data sets elsewhere, pass root=... or set the {ENV_VAR} environment variable "
        f"(files then go in <root>{os.sep}{path.parent.name}{os.sep}).",
    ]
    return "\n".join(lines)
