"""MNIST and Fashion-MNIST: 28x28 grey images of digits / clothes, 60,000 for training and
10,000 for testing, as NumPy arrays (or nnlib tensors) ready for the chapters.

The four gzipped IDX files of each set are downloaded once into ``<data dir>/mnist/`` or
``<data dir>/fashion-mnist/`` (see ``nnlib.datasets.download.data_dir``), checked against the
SHA-256 sums in ``CHECKSUMS`` and read from there afterwards. Files put there by hand work too,
also unzipped (then without the checksum, but with every structural check).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from nnlib.datasets import download as _download
from nnlib.datasets.idx import read_images, read_labels

__all__ = ["CHECKSUMS", "FASHION_MNIST_CLASSES", "MNIST", "FASHION_MNIST", "IDXSource",
           "load_mnist", "load_fashion_mnist", "load_idx_source"]

# The one table of checksums: data set -> file -> (SHA-256 of the .gz file, size in bytes).
# A ``None`` checksum would mean "not known": the file is then accepted unverified.
CHECKSUMS: dict[str, dict[str, tuple[str | None, int]]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz":
            ("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422),
        "train-labels-idx1-ubyte.gz":
            ("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881),
        "t10k-images-idx3-ubyte.gz":
            ("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877),
        "t10k-labels-idx1-ubyte.gz":
            ("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542),
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz":
            ("3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26421880),
        "train-labels-idx1-ubyte.gz":
            ("a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29515),
        "t10k-images-idx3-ubyte.gz":
            ("346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4422102),
        "t10k-labels-idx1-ubyte.gz":
            ("67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5148),
    },
}

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                         "Shirt", "Sneaker", "Bag", "Ankle boot")


@dataclasses.dataclass(frozen=True)
class IDXSource:
    """Where an IDX image/label data set comes from and what it must contain.

    ``files`` maps each file name to its SHA-256 (``None``: unverified); ``counts`` maps
    ``"train"``/``"test"`` to the expected number of samples; ``mirrors`` are base URLs tried
    in order; files live in ``<data dir>/<name>/``.
    """

    name: str
    mirrors: tuple[str, ...]
    files: Mapping[str, str | None]
    counts: Mapping[str, int]
    image_shape: tuple[int, int] = (28, 28)
    train_files: tuple[str, str] = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
    test_files: tuple[str, str] = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def _files(name: str) -> dict[str, str | None]:
    return {file: sha for file, (sha, _size) in CHECKSUMS[name].items()}


MNIST = IDXSource(
    name="mnist",
    mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/",
             "https://storage.googleapis.com/cvdf-datasets/mnist/",
             "http://yann.lecun.com/exdb/mnist/"),
    files=_files("mnist"),
    counts={"train": 60000, "test": 10000},
)

FASHION_MNIST = IDXSource(
    name="fashion-mnist",
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
             "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/"
             "data/fashion/"),
    files=_files("fashion-mnist"),
    counts={"train": 60000, "test": 10000},
)


def _local_or_fetched(source: IDXSource, filename: str, directory: Path,
                      download: bool) -> Path:
    """The gzipped file, fetched if needed, or an unzipped copy the reader put there."""
    unzipped = directory / filename.removesuffix(".gz")
    if not (directory / filename).exists() and unzipped.is_file():
        return unzipped
    return _download.fetch(filename, source.mirrors, source.files[filename], directory,
                           download_missing=download)


def load_idx_source(source: IDXSource, train: bool = True,
                    root: str | os.PathLike | None = None,
                    download: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, rows, cols) uint8 and labels (n,) uint8 of one split of ``source``.

    Raises ``ValueError`` naming the file(s) when the images are not (rows, cols), when the
    image and label counts differ, or when the count is not the one ``source`` promises.
    """
    split = "train" if train else "test"
    directory = _download.data_dir(root) / source.name
    image_file, label_file = source.train_files if train else source.test_files
    try:
        image_path = _local_or_fetched(source, image_file, directory, download)
        label_path = _local_or_fetched(source, label_file, directory, download)
    except (_download.DownloadError, FileNotFoundError) as error:
        every = ", ".join([*source.train_files, *source.test_files])
        raise type(error)(f"{error}\nThe {source.name} data set needs these files in "
                          f"{directory}{os.sep} : {every}") from None
    images, labels = read_images(image_path), read_labels(label_path)
    if images.shape[1:] != source.image_shape:
        raise ValueError(f"{image_path}: images are {images.shape[1:]}, expected "
                         f"{source.image_shape}")
    if len(images) != len(labels):
        raise ValueError(f"{image_path} holds {len(images)} images but {label_path} holds "
                         f"{len(labels)} labels")
    if len(images) != source.counts[split]:
        raise ValueError(f"{image_path}: {len(images)} samples, expected "
                         f"{source.counts[split]} for the {source.name} {split} split")
    return images, labels


def _prepare(images: np.ndarray, labels: np.ndarray, as_tensors: bool):
    x = images.astype(np.float32) / np.float32(255.0)
    y = labels.astype(np.int64)
    if as_tensors:
        from nnlib.tensor import Tensor

        return Tensor(x), Tensor(y)
    return x, y


def load_mnist(train: bool = True, root: str | os.PathLike | None = None,
               download: bool = True, as_tensors: bool = False):
    """MNIST handwritten digits.

    Returns images (n, 28, 28) float32 in [0, 1] and labels (n,) int64 in 0..9, n = 60000 for
    ``train=True`` else 10000; nnlib Tensors with ``as_tensors=True`` (wrap them in
    ``nnlib.data.TensorDataset`` for a DataLoader). ``root`` overrides the data directory
    (default ``$NNLIB_DATA`` or the user cache); ``download=False`` never goes online and
    raises ``FileNotFoundError`` with instructions if a file is missing.
    """
    return _prepare(*load_idx_source(MNIST, train, root, download), as_tensors)


def load_fashion_mnist(train: bool = True, root: str | os.PathLike | None = None,
                       download: bool = True, as_tensors: bool = False):
    """Fashion-MNIST clothing images, shaped and typed as ``load_mnist``'s; label k is the
    class ``FASHION_MNIST_CLASSES[k]``."""
    return _prepare(*load_idx_source(FASHION_MNIST, train, root, download), as_tensors)
