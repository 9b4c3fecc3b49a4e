"""Read and write the IDX format of MNIST and Fashion-MNIST, gzipped or raw.

An IDX file is a 4-byte big-endian magic number ``0x0000TTNN`` (TT: the element type, 0x08
for uint8; NN: the number of dimensions), then NN big-endian uint32 sizes, then the elements
in C order. MNIST's label files are ``0x00000801`` (one dimension: n) and its image files
``0x00000803`` (three dimensions: n, 28, 28).
"""

from __future__ import annotations

import gzip
import os
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IDX_LABELS", "IDX_IMAGES", "read_idx", "write_idx", "read_labels", "read_images"]

IDX_LABELS = 0x00000801
IDX_IMAGES = 0x00000803

# IDX type code -> big-endian NumPy dtype
_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
           0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CODES = {dtype.newbyteorder("="): code for code, dtype in _DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    """The file's content, decompressed when it is gzip (recognised by its first bytes)."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"IDX file not found: {path}") from None
    if data[:2] != _GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as error:
        raise ValueError(f"{path}: corrupt or truncated gzip data ({error}); delete the file "
                         "and download it again") from None


def read_idx(path: str | os.PathLike, magic: int | None = None) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (gzipped or raw), in native byte order.

    With ``magic`` (e.g. ``IDX_IMAGES``) the file must carry exactly that magic number.
    Raises ``ValueError``, naming the file, for a wrong magic number, an unknown type code,
    a truncated header or body, or trailing bytes after the data.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{path}: truncated IDX file ({len(data)} bytes, no header)")
    (found,) = struct.unpack(">I", data[:4])
    code, ndim = (found >> 8) & 0xFF, found & 0xFF
    if magic is not None and found != magic:
        raise ValueError(f"{path}: wrong IDX magic number 0x{found:08X}, expected "
                         f"0x{magic:08X}; is this the right file?")
    if found >> 16 != 0 or code not in _DTYPES or ndim == 0:
        raise ValueError(f"{path}: not an IDX file (magic number 0x{found:08X})")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(data)} bytes, expected {header} "
                         f"for {ndim} dimensions)")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = _DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    body = len(data) - header
    if body < expected:
        raise ValueError(f"{path}: truncated IDX file: shape {shape} needs {expected} bytes of "
                         f"data, found {body}; delete the file and download it again")
    if body > expected:
        raise ValueError(f"{path}: inconsistent IDX file: shape {shape} needs {expected} bytes "
                         f"of data, found {body} ({body - expected} extra)")
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_labels(path: str | os.PathLike) -> np.ndarray:
    """Labels from an IDX label file (magic 0x00000801): (n,) uint8."""
    return read_idx(path, magic=IDX_LABELS)


def read_images(path: str | os.PathLike) -> np.ndarray:
    """Images from an IDX image file (magic 0x00000803): (n, rows, cols) uint8."""
    return read_idx(path, magic=IDX_IMAGES)


def write_idx(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file, gzipped when ``path`` ends with ``.gz``; atomically
    (a temporary file in the same directory, then ``os.replace``). Returns the path.

    ``array`` must be uint8, int8, int16, int32, float32 or float64 with 1 to 255 dims;
    a (n,) uint8 array gets magic 0x00000801, a (n, rows, cols) one 0x00000803.
    """
    path = Path(path)
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None or not 1 <= array.ndim <= 255:
        raise ValueError(f"write_idx: cannot store a {array.dtype} array of {array.ndim} dims")
    content = (struct.pack(f">I{array.ndim}I", (code << 8) | array.ndim, *array.shape)
               + np.ascontiguousarray(array, dtype=_DTYPES[code]).tobytes())
    if path.suffix == ".gz":
        content = gzip.compress(content, mtime=0)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
