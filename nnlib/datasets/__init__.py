"""Data sets for the chapters: seeded toy generators (``nnlib.datasets.synthetic``) and
loaders for MNIST and Fashion-MNIST.

Importing this package has no side effects: it creates no directory and opens no connection;
the loaders touch the disk (and, if allowed, the network) only when called.
"""

from nnlib.datasets.download import ChecksumError, DownloadError, data_dir
from nnlib.datasets.mnist import FASHION_MNIST_CLASSES, load_fashion_mnist, load_mnist
from nnlib.datasets.synthetic import (
    make_blobs,
    make_linear_regression,
    make_linearly_separable,
    make_polynomial,
    make_spirals,
    make_xor,
    polynomial_features,
)

__all__ = [
    "ChecksumError",
    "DownloadError",
    "FASHION_MNIST_CLASSES",
    "data_dir",
    "load_fashion_mnist",
    "load_mnist",
    "make_blobs",
    "make_linear_regression",
    "make_linearly_separable",
    "make_polynomial",
    "make_spirals",
    "make_xor",
    "polynomial_features",
]
