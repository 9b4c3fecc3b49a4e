"""MNIST/Fashion-MNIST loading without the network: IDX parsing and validation, verified atomic
downloads through a fake ``urlopen``, mirrors, caching and the data directory.

An autouse fixture points HOME, the XDG cache and NNLIB_DATA at temporary directories and makes
any real ``urllib.request.urlopen`` call fail the test.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import struct
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from conftest import FAST
from hypothesis import given
from hypothesis import strategies as st

import nnlib
from nnlib import datasets
from nnlib.datasets import download as dl
from nnlib.datasets import idx, mnist

MIRRORS = ("https://mirror-a.invalid/tiny/", "https://mirror-b.invalid/tiny/")


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No real home, cache or network for any test here."""
    for name, sub in [("HOME", "home"), ("XDG_CACHE_HOME", "xdg"), ("NNLIB_DATA", "env-data")]:
        monkeypatch.setenv(name, str(tmp_path / sub))

    def no_network(*args, **kwargs):
        raise AssertionError("a test tried to use the real network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX bytes built by hand (uint8 only): magic 0x0000 08 ndim, big-endian dims, data."""
    assert array.dtype == np.uint8
    return struct.pack(f">I{array.ndim}I", 0x0800 | array.ndim, *array.shape) + array.tobytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Tiny:
    """A 10-sample train split and a 6-sample test split in the real MNIST file format."""

    def __init__(self):
        rng = np.random.default_rng(0)
        self.arrays = {
            "train-images-idx3-ubyte.gz": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
            "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 10, dtype=np.uint8),
            "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
            "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 6, dtype=np.uint8),
        }
        self.files = {name: gzip.compress(idx_bytes(a), mtime=0)
                      for name, a in self.arrays.items()}
        self.source = mnist.IDXSource(
            name="tiny", mirrors=MIRRORS, counts={"train": 10, "test": 6},
            files={name: sha(data) for name, data in self.files.items()})


@pytest.fixture(scope="module")
def tiny() -> Tiny:
    return Tiny()


class FakeResponse(io.BytesIO):
    """What ``urlopen`` returns: readable in chunks, a context manager; optionally raises
    ``fail`` after delivering the first ``fail_after`` bytes."""

    def __init__(self, data: bytes, fail: BaseException | None = None, fail_after: int = 0):
        super().__init__(data)
        self.fail, self.fail_after = fail, fail_after

    def read(self, size: int = -1) -> bytes:
        if self.fail is not None and self.tell() >= self.fail_after:
            raise self.fail
        if self.fail is not None:
            size = self.fail_after - self.tell()
        return super().read(size)


class FakeWeb:
    """A fake ``urlopen``: ``routes`` maps URL -> bytes, an exception, or a callable making a
    response; unknown URLs fail like an offline machine. ``calls`` records the URLs asked."""

    def __init__(self, routes: dict):
        self.routes, self.calls = routes, []

    def __call__(self, request, timeout=None):
        url = request.full_url if isinstance(request, urllib.request.Request) else request
        self.calls.append(url)
        route = self.routes.get(url, urllib.error.URLError("[Errno -3] no network (fake)"))
        if isinstance(route, BaseException):
            raise route
        return route() if callable(route) else FakeResponse(route)


def serve(tiny: Tiny, mirror: str = MIRRORS[0]) -> dict:
    return {mirror + name: data for name, data in tiny.files.items()}


def listing(directory: Path) -> list[str]:
    return sorted(os.listdir(directory)) if directory.exists() else []


# ------------------------------------------------------------------------------ IDX format
@pytest.mark.parametrize("suffix", [".gz", ""])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32])
def test_idx_round_trip(tmp_path, suffix, dtype):
    array = (np.arange(2 * 3 * 4) - 5).reshape(2, 3, 4).astype(dtype)
    path = idx.write_idx(tmp_path / f"a.idx{suffix}", array)
    back = idx.read_idx(path)
    assert back.dtype == np.dtype(dtype) and np.array_equal(back, array)
    assert listing(tmp_path) == [f"a.idx{suffix}"]  # no temporary file left


@FAST
@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=4),
       dtype=st.sampled_from([np.uint8, np.int8, np.int32, np.float64]), gz=st.booleans())
def test_idx_round_trip_any_shape(tmp_path_factory, shape, dtype, gz):
    array = np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)
    path = idx.write_idx(tmp_path_factory.mktemp("idx") / ("a.gz" if gz else "a"), array)
    back = idx.read_idx(path)
    assert back.shape == tuple(shape) and back.dtype == array.dtype
    assert np.array_equal(back, array)


def test_write_idx_matches_the_real_format(tmp_path, tiny):
    images = tiny.arrays["train-images-idx3-ubyte.gz"]
    labels = tiny.arrays["train-labels-idx1-ubyte.gz"]
    idx.write_idx(tmp_path / "images", images)
    idx.write_idx(tmp_path / "labels.gz", labels)
    raw = (tmp_path / "images").read_bytes()
    assert raw[:16] == struct.pack(">IIII", 0x00000803, 10, 28, 28)
    assert raw == idx_bytes(images)
    assert gzip.decompress((tmp_path / "labels.gz").read_bytes())[:8] == struct.pack(
        ">II", 0x00000801, 10)


def test_reads_hand_made_fixture(tmp_path, tiny):
    for name, data in tiny.files.items():
        (tmp_path / name).write_bytes(data)
    images = idx.read_images(tmp_path / "train-images-idx3-ubyte.gz")
    labels = idx.read_labels(tmp_path / "train-labels-idx1-ubyte.gz")
    assert images.shape == (10, 28, 28) and images.dtype == np.uint8
    assert np.array_equal(images, tiny.arrays["train-images-idx3-ubyte.gz"])
    assert np.array_equal(labels, tiny.arrays["train-labels-idx1-ubyte.gz"])


def test_wrong_magic_is_rejected(tmp_path, tiny):
    labels = tmp_path / "labels.gz"
    labels.write_bytes(tiny.files["train-labels-idx1-ubyte.gz"])
    with pytest.raises(ValueError, match=r"labels\.gz.*wrong IDX magic number 0x00000801"):
        idx.read_images(labels)
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"<html>Not Found</html>")
    with pytest.raises(ValueError, match="garbage: not an IDX file"):
        idx.read_idx(garbage)


def test_truncated_files_are_rejected(tmp_path, tiny):
    raw = idx_bytes(tiny.arrays["train-images-idx3-ubyte.gz"])
    cases = {
        "body": (raw[:-100], "truncated IDX file"),
        "header": (raw[:10], "truncated IDX header"),
        "empty": (b"", "no header"),
        "gzip.gz": (gzip.compress(raw)[:-50], "corrupt or truncated gzip"),
        "extra": (raw + b"\0\0\0", "inconsistent IDX file.*3 extra"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match=f"{name}.*{message}"):
            idx.read_idx(tmp_path / name)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        idx.read_idx(tmp_path / "nothing-here")


# ------------------------------------------------------------------------------ downloads
def test_checksum_mismatch_raises_with_both_hashes_and_leaves_nothing(tmp_path):
    web = FakeWeb({"https://x.invalid/f.gz": b"tampered"})
    expected = "0" * 64
    with pytest.raises(dl.ChecksumError) as error:
        dl.download("https://x.invalid/f.gz", tmp_path / "d" / "f.gz", expected, urlopen=web)
    assert expected in str(error.value) and sha(b"tampered") in str(error.value)
    assert listing(tmp_path / "d") == []


@pytest.mark.parametrize("failure", [ConnectionResetError("reset by peer"), KeyboardInterrupt()])
def test_failure_midway_leaves_no_partial_file(tmp_path, failure):
    data = bytes(range(256)) * 8
    web = FakeWeb({"https://x.invalid/f": lambda: FakeResponse(data, failure, fail_after=100)})
    with pytest.raises(type(failure)):
        dl.download("https://x.invalid/f", tmp_path / "f", sha(data), urlopen=web)
    assert listing(tmp_path) == []


def test_next_mirror_is_tried_after_a_failure(tmp_path):
    data = b"the real bytes"
    web = FakeWeb({
        MIRRORS[0] + "f": lambda: FakeResponse(data, ConnectionResetError("cut"), 5),
        MIRRORS[1] + "f": data,
    })
    path = dl.fetch("f", MIRRORS, sha(data), tmp_path, urlopen=web)
    assert path.read_bytes() == data and web.calls == [MIRRORS[0] + "f", MIRRORS[1] + "f"]
    assert listing(tmp_path) == ["f"]


def test_bad_mirror_checksum_falls_through_to_the_next(tmp_path):
    data = b"the real bytes"
    web = FakeWeb({MIRRORS[0] + "f": b"an old version", MIRRORS[1] + "f": data})
    assert dl.fetch("f", MIRRORS, sha(data), tmp_path, urlopen=web).read_bytes() == data


def test_offline_failure_says_what_to_do(tmp_path):
    web = FakeWeb({MIRRORS[1] + "f": urllib.error.HTTPError(MIRRORS[1] + "f", 404, "Not Found",
                                                            None, None)})
    with pytest.raises(dl.DownloadError) as error:
        dl.fetch("f", MIRRORS, "0" * 64, tmp_path / "tiny", urlopen=web)
    message = str(error.value)
    for needed in [MIRRORS[0] + "f", MIRRORS[1] + "f", "404", "no network",
                   f"put it in {tmp_path / 'tiny'}", "root=", dl.ENV_VAR]:
        assert needed in message, f"{needed!r} missing from:\n{message}"
    assert listing(tmp_path / "tiny") == []


def test_download_false_never_goes_online(tmp_path):
    web = FakeWeb({})
    with pytest.raises(FileNotFoundError) as error:
        dl.fetch("f", MIRRORS, "0" * 64, tmp_path, download_missing=False, urlopen=web)
    assert web.calls == [] and MIRRORS[0] + "f" in str(error.value)
    assert dl.ENV_VAR in str(error.value)


def test_real_urlopen_is_the_default(tmp_path, monkeypatch):
    """Without ``urlopen=`` the module's ``urllib.request.urlopen`` is used, so it can be
    monkeypatched; the request carries a User-Agent."""
    data = b"bytes"
    web = FakeWeb({"https://x.invalid/f": data})
    monkeypatch.setattr(urllib.request, "urlopen", web)
    dl.download("https://x.invalid/f", tmp_path / "f", sha(data))
    assert web.calls == ["https://x.invalid/f"] and (tmp_path / "f").read_bytes() == data


# ------------------------------------------------------------------------------ loaders
def test_load_downloads_once_then_reuses_the_cache(tmp_path, tiny, monkeypatch):
    web = FakeWeb(serve(tiny))
    monkeypatch.setattr(urllib.request, "urlopen", web)
    images, labels = mnist.load_idx_source(tiny.source, train=True, root=tmp_path)
    assert np.array_equal(images, tiny.arrays["train-images-idx3-ubyte.gz"])
    assert np.array_equal(labels, tiny.arrays["train-labels-idx1-ubyte.gz"])
    assert len(web.calls) == 2
    assert listing(tmp_path / "tiny") == ["train-images-idx3-ubyte.gz",
                                          "train-labels-idx1-ubyte.gz"]
    mnist.load_idx_source(tiny.source, train=True, root=tmp_path)
    assert len(web.calls) == 2, "the cached files were downloaded again"
    test_images, _ = mnist.load_idx_source(tiny.source, train=False, root=tmp_path)
    assert test_images.shape == (6, 28, 28) and len(web.calls) == 4


def test_corrupted_cache_is_refetched_or_rejected(tmp_path, tiny, monkeypatch):
    web = FakeWeb(serve(tiny))
    monkeypatch.setattr(urllib.request, "urlopen", web)
    mnist.load_idx_source(tiny.source, root=tmp_path)
    cached = tmp_path / "tiny" / "train-labels-idx1-ubyte.gz"
    cached.write_bytes(b"corrupted")
    with pytest.raises(dl.ChecksumError, match=sha(b"corrupted")):
        mnist.load_idx_source(tiny.source, root=tmp_path, download=False)
    mnist.load_idx_source(tiny.source, root=tmp_path)
    assert cached.read_bytes() == tiny.files["train-labels-idx1-ubyte.gz"]


def test_env_var_and_root_choose_the_directory(tmp_path, tiny, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", FakeWeb(serve(tiny)))
    mnist.load_idx_source(tiny.source)
    assert (tmp_path / "env-data" / "tiny" / "train-images-idx3-ubyte.gz").is_file()
    mnist.load_idx_source(tiny.source, root=tmp_path / "mine")
    assert (tmp_path / "mine" / "tiny" / "train-images-idx3-ubyte.gz").is_file()
    assert dl.data_dir("~/x") == tmp_path / "home" / "x"


def test_default_directory_is_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(dl.ENV_VAR)
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # as if not installed
    assert dl.data_dir() == tmp_path / "xdg" / "nnlib"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert dl.data_dir() == tmp_path / "home" / ".cache" / "nnlib"
    monkeypatch.delitem(sys.modules, "platformdirs")
    if sys.platform.startswith("linux"):
        pytest.importorskip("platformdirs")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert dl.data_dir() == tmp_path / "xdg" / "nnlib"
    assert not (tmp_path / "xdg").exists(), "data_dir must not create anything"


def test_inconsistent_counts_are_rejected(tmp_path, tiny):
    directory = tmp_path / "tiny"
    directory.mkdir()
    idx.write_idx(directory / "train-images-idx3-ubyte", tiny.arrays["train-images-idx3-ubyte.gz"])
    idx.write_idx(directory / "train-labels-idx1-ubyte", np.zeros(9, np.uint8))
    with pytest.raises(ValueError, match="holds 10 images but .*labels-idx1-ubyte holds 9"):
        mnist.load_idx_source(tiny.source, root=tmp_path, download=False)
    idx.write_idx(directory / "train-labels-idx1-ubyte", np.zeros(10, np.uint8))
    short = mnist.IDXSource("tiny", MIRRORS, tiny.source.files, {"train": 60000, "test": 6})
    with pytest.raises(ValueError, match="images-idx3-ubyte: 10 samples, expected 60000"):
        mnist.load_idx_source(short, root=tmp_path, download=False)
    idx.write_idx(directory / "train-images-idx3-ubyte", np.zeros((10, 28, 27), np.uint8))
    with pytest.raises(ValueError, match=r"images are \(28, 27\), expected \(28, 28\)"):
        mnist.load_idx_source(tiny.source, root=tmp_path, download=False)


def test_unzipped_files_put_by_hand_are_used(tmp_path, tiny):
    directory = tmp_path / "tiny"
    directory.mkdir()
    for name, data in tiny.files.items():
        (directory / name.removesuffix(".gz")).write_bytes(gzip.decompress(data))
    images, _ = mnist.load_idx_source(tiny.source, train=False, root=tmp_path, download=False)
    assert np.array_equal(images, tiny.arrays["t10k-images-idx3-ubyte.gz"])


@pytest.mark.parametrize("loader, source", [(datasets.load_mnist, "MNIST"),
                                            (datasets.load_fashion_mnist, "FASHION_MNIST")])
def test_public_loaders(tmp_path, tiny, monkeypatch, loader, source):
    monkeypatch.setattr(mnist, source, tiny.source)
    monkeypatch.setattr(urllib.request, "urlopen", FakeWeb(serve(tiny)))
    images, labels = loader(train=True, root=tmp_path)
    assert images.shape == (10, 28, 28) and images.dtype == np.float32
    assert labels.shape == (10,) and labels.dtype == np.int64
    assert 0.0 <= images.min() and images.max() <= 1.0
    np.testing.assert_allclose(images * 255, tiny.arrays["train-images-idx3-ubyte.gz"],
                               atol=1e-4)
    x, y = loader(train=False, root=tmp_path, as_tensors=True)
    assert isinstance(x, nnlib.Tensor) and x.shape == (6, 28, 28) and y.dtype == nnlib.int64
    assert len(nnlib.data.TensorDataset(x, y)) == 6


def test_real_loaders_fail_offline_with_instructions(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", FakeWeb({}))
    with pytest.raises(dl.DownloadError) as error:
        datasets.load_fashion_mnist(root=tmp_path)
    message = str(error.value)
    assert "train-images-idx3-ubyte.gz" in message and len(mnist.FASHION_MNIST.mirrors) == sum(
        line.startswith("  http") for line in message.splitlines())
    assert str(tmp_path / "fashion-mnist") in message
    assert all(name in message for name in mnist.CHECKSUMS["fashion-mnist"])
    assert not (tmp_path / "fashion-mnist").exists(), "left an empty directory behind"
    with pytest.raises(FileNotFoundError, match="download=False(.|\n)*t10k-labels-idx1"):
        datasets.load_mnist(train=False, root=tmp_path, download=False)


def test_checksum_table():
    assert set(mnist.CHECKSUMS) == {"mnist", "fashion-mnist"}
    for source in (mnist.MNIST, mnist.FASHION_MNIST):
        table = mnist.CHECKSUMS[source.name]
        assert set(table) == {*source.train_files, *source.test_files} == set(source.files)
        for checksum, size in table.values():
            assert checksum is None or (len(checksum) == 64 and int(checksum, 16) >= 0)
            assert size > 0
        assert all(m.startswith(("https://", "http://")) and m.endswith("/")
                   for m in source.mirrors)
    assert len(datasets.FASHION_MNIST_CLASSES) == 10


def test_import_has_no_side_effects(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path / "h"), "XDG_CACHE_HOME": str(tmp_path / "c")}
    env.pop("NNLIB_DATA", None)
    code = ("import sys, nnlib.datasets; assert 'urllib.request' not in sys.modules; "
            "print(nnlib.datasets.data_dir())")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == str(tmp_path / "c" / "nnlib")
    assert listing(tmp_path) == []
