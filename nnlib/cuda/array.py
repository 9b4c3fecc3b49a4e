"""``CudaArray``: an n-dimensional array on the GPU that NumPy functions accept.

A CudaArray is a flat numba device buffer plus a view of it: ``shape``, ``strides`` (in
elements) and ``offset``. Views (``reshape`` of a contiguous array, ``.T``, ``transpose``,
slicing, ``broadcast_to``, ``expand_dims``) only change those three numbers; everything else
launches a kernel from ``nnlib.cuda.kernels``.

nnlib's ops are written with NumPy calls (``np.exp(x)``, ``x.sum(axis=1)``, ``a @ b``). NumPy
hands a call whose argument defines ``__array_ufunc__`` (for ufuncs such as ``np.exp``) or
``__array_function__`` (for functions such as ``np.where``) to that argument, so the same op
code runs here on the GPU. A NumPy function this class does not implement raises
NotImplementedError naming it; nothing silently copies data to the host. Data moves only in
``CudaArray.from_host`` and ``to_host`` (``Tensor.to``, ``Tensor.numpy``), when a single
value is read back (``item()``, ``bool()``), and when a boolean mask indexes (``x[x > 0]``: the
result's size depends on the mask), as in torch.

Python numbers, NumPy scalars and 0-d host arrays may be mixed with CudaArrays: they are passed
to kernels as arguments (torch allows 0-d CPU tensors with CUDA tensors for the same reason).
Any other host array is a device-mixing error.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from numbers import Number

import numpy as np
from numba import cuda

from nnlib.cuda import kernels

Scalar = int | float | bool | np.generic


def _contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def _kernel_view(shape, strides) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shape and strides as kernels take them: at least one dim (a 0-d array is (1,))."""
    return (tuple(shape), tuple(strides)) if shape else ((1,), (0,))


def _unsupported(what: str) -> NotImplementedError:
    return NotImplementedError(f"{what} is not implemented on the cuda device (nnlib.cuda); "
                               "move the tensor with .to('cpu') to use it")


def _mixing(op: str) -> RuntimeError:
    return RuntimeError(f"{op}: expected all arrays on the same device, but got cuda and cpu; "
                        "move one of them with .to()")


class CudaArray:
    """An array on the CUDA device: ``buffer`` (flat numba device array) viewed through
    ``shape``, ``strides`` (elements) and ``offset``."""

    __slots__ = ("buffer", "shape", "strides", "offset", "dtype")
    device = "cuda"

    def __init__(self, buffer, shape: Sequence[int], strides: Sequence[int] | None = None,
                 offset: int = 0) -> None:
        self.buffer = buffer
        self.shape = tuple(int(n) for n in shape)
        self.strides = _contiguous_strides(self.shape) if strides is None else tuple(strides)
        self.offset = int(offset)
        self.dtype = np.dtype(buffer.dtype)

    # ------------------------------------------------------------------------- making, moving
    @classmethod
    def empty(cls, shape: Sequence[int], dtype) -> CudaArray:
        """A new contiguous array (uninitialised)."""
        shape = tuple(int(n) for n in shape)
        return cls(cuda.device_array(max(math.prod(shape), 1), np.dtype(dtype)), shape)

    @classmethod
    def full(cls, shape: Sequence[int], value, dtype) -> CudaArray:
        """A new array of ``value``, written by the ``fill`` kernel (no host copy)."""
        out = cls.empty(shape, dtype)
        n = out.buffer.size
        blocks, threads = kernels.launch_1d(n)
        kernels.fill[blocks, threads](out.buffer, out.dtype.type(value), n)
        return out

    @classmethod
    def from_host(cls, array: np.ndarray) -> CudaArray:
        """Copy a NumPy array to the device (host -> device transfer)."""
        shape = np.shape(array)
        array = np.ascontiguousarray(array)  # (at least 1-d)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"cuda: cannot hold arrays of {array.dtype}")
        flat = array.reshape(-1) if array.size else np.zeros(1, array.dtype)
        return cls(cuda.to_device(flat), shape)

    def to_host(self) -> np.ndarray:
        """A NumPy copy of the values (device -> host transfer)."""
        source = self.contiguous()
        flat = source.buffer[source.offset:source.offset + self.size].copy_to_host()
        return flat.reshape(self.shape)

    get = to_host

    def __array__(self, dtype=None, copy=None):
        raise TypeError("cuda: this array lives on the GPU; NumPy cannot read it implicitly. "
                        "Copy it to the host with tensor.numpy() or tensor.to('cpu')")

    # ----------------------------------------------------------------------------- metadata
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def is_contiguous(self) -> bool:
        return all(s == c for s, c, n in zip(self.strides, _contiguous_strides(self.shape),
                                             self.shape, strict=True) if n > 1)

    def _kernel_args(self, shape: Sequence[int] | None = None):
        """(buffer, offset, strides) for a kernel running over ``shape`` (broadcast to it)."""
        view = self if shape is None or tuple(shape) == self.shape else self.broadcast_to(shape)
        return view.buffer, view.offset, _kernel_view(view.shape, view.strides)[1]

    # -------------------------------------------------------------------------------- views
    def _view(self, shape, strides, offset=None) -> CudaArray:
        return CudaArray(self.buffer, shape, strides, self.offset if offset is None else offset)

    def transpose(self, *axes) -> CudaArray:
        if len(axes) == 1 and isinstance(axes[0], Sequence | None):
            axes = axes[0]
        axes = tuple(reversed(range(self.ndim))) if not axes else tuple(
            a % self.ndim for a in axes)
        return self._view([self.shape[a] for a in axes], [self.strides[a] for a in axes])

    @property
    def T(self) -> CudaArray:
        return self.transpose()

    def swapaxes(self, a: int, b: int) -> CudaArray:
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(axes)

    def broadcast_to(self, shape: Sequence[int]) -> CudaArray:
        shape = tuple(int(n) for n in shape)
        lead = len(shape) - self.ndim
        if lead < 0:
            raise ValueError(f"cannot broadcast shape {self.shape} to {shape}")
        strides = [0] * lead
        for n, size, stride in zip(shape[lead:], self.shape, self.strides, strict=True):
            if size != n and size != 1:
                raise ValueError(f"cannot broadcast shape {self.shape} to {shape}")
            strides.append(stride if size == n else 0)
        return self._view(shape, strides)

    def expand_dims(self, axes) -> CudaArray:
        axes = (axes,) if isinstance(axes, int | np.integer) else tuple(axes)
        ndim = self.ndim + len(axes)
        axes = sorted(a % ndim for a in axes)
        shape, strides = list(self.shape), list(self.strides)
        for a in axes:
            shape.insert(a, 1)
            strides.insert(a, 0)
        return self._view(shape, strides)

    def squeeze(self, axis=None) -> CudaArray:
        if axis is None:
            axes = {d for d, n in enumerate(self.shape) if n == 1}
        else:
            axes = {a % self.ndim for a in ((axis,) if isinstance(axis, int) else axis)}
        keep = [d for d in range(self.ndim) if d not in axes]
        return self._view([self.shape[d] for d in keep], [self.strides[d] for d in keep])

    def reshape(self, *shape) -> CudaArray:
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], Sequence) else shape
        shape = tuple(int(n) for n in shape)
        if -1 in shape:
            known = math.prod(n for n in shape if n != -1)
            shape = tuple(self.size // known if n == -1 and known else n for n in shape)
        if math.prod(shape) != self.size:
            raise ValueError(f"cannot reshape array of size {self.size} into shape {shape}")
        if shape == self.shape:
            return self
        source = self.contiguous()
        return CudaArray(source.buffer, shape, None, source.offset)

    def ravel(self) -> CudaArray:
        return self.reshape(-1)

    def __getitem__(self, index) -> CudaArray:
        index = index if isinstance(index, tuple) else (index,)
        if any(_is_index_array(i) for i in index):
            return _gather(self, index)
        return self._basic_view(index)

    def _basic_view(self, index: tuple) -> CudaArray:
        """A view for ints, slices, None and Ellipsis (NumPy's basic indexing)."""
        if any(i is Ellipsis for i in index):
            at = next(k for k, i in enumerate(index) if i is Ellipsis)
            used = sum(1 for i in index if i is not None and i is not Ellipsis)
            index = index[:at] + (slice(None),) * (self.ndim - used) + index[at + 1:]
        shape, strides, offset, dim = [], [], self.offset, 0
        for i in index:
            if i is None:
                shape.append(1)
                strides.append(0)
                continue
            if dim >= self.ndim:
                raise IndexError(f"too many indices for array with {self.ndim} dimensions")
            n, stride = self.shape[dim], self.strides[dim]
            if isinstance(i, slice):
                start, stop, step = i.indices(n)
                shape.append(len(range(start, stop, step)))
                strides.append(stride * step)
                offset += start * stride
            elif isinstance(i, int | np.integer):
                if not -n <= i < n:
                    raise IndexError(f"index {i} is out of bounds for axis {dim} with size {n}")
                offset += (i % n) * stride
            else:
                raise _unsupported(f"indexing with {type(i).__name__}")
            dim += 1
        shape += self.shape[dim:]
        strides += self.strides[dim:]
        return self._view(shape, strides, offset)

    def __setitem__(self, index, value) -> None:
        index = index if isinstance(index, tuple) else (index,)
        if any(_is_index_array(i) for i in index):
            _scatter(self, index, value, accumulate=False)
            return
        _copy_into(self._basic_view(index), value)

    # ------------------------------------------------------------------------------ copies
    def contiguous(self) -> CudaArray:
        """This array, or a contiguous copy of it (the coalesced transpose kernel for a
        transposed matrix, the strided copy kernel otherwise)."""
        if self.is_contiguous():
            return self
        if self.ndim == 2 and self.strides == (1, self.shape[0]):  # the .T of a matrix
            out = CudaArray.empty(self.shape, self.dtype)
            rows, cols = self.shape[1], self.shape[0]  # of the contiguous source matrix
            kernel = kernels.transpose(self.dtype)
            tile = kernel.tile
            grid = ((cols + tile - 1) // tile, (rows + tile - 1) // tile)
            kernel[grid, (tile, tile)](self.buffer, self.offset, rows, cols, out.buffer)
            return out
        return self.astype(self.dtype, copy=True)

    def copy(self) -> CudaArray:
        return self.astype(self.dtype, copy=True)

    def astype(self, dtype, copy: bool = True) -> CudaArray:
        """The values converted to ``dtype`` (a contiguous copy unless nothing changes)."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype and not copy:
            return self
        out = CudaArray.empty(self.shape, dtype)
        _copy_into(out, self)
        return out

    # ------------------------------------------------------------------- values to the host
    def item(self):
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self.to_host().item()

    def tolist(self):
        return self.to_host().tolist()

    def __bool__(self) -> bool:
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __repr__(self) -> str:
        return f"CudaArray(shape={self.shape}, dtype={self.dtype})"

    # ------------------------------------------------------------------------- reductions
    def sum(self, axis=None, dtype=None, keepdims: bool = False) -> CudaArray:
        if dtype is None:
            dtype = np.int64 if self.dtype.kind in "bi" else self.dtype
        return _reduce(self, "sum", axis, keepdims, np.dtype(dtype))

    def mean(self, axis=None, dtype=None, keepdims: bool = False) -> CudaArray:
        dtype = np.dtype(dtype or (self.dtype if self.dtype.kind == "f" else np.float64))
        total = self.sum(axis, dtype, keepdims)
        return np.divide(total, dtype.type(self.size // builtins.max(total.size, 1)))

    def max(self, axis=None, keepdims: bool = False) -> CudaArray:
        return _reduce(self, "max", axis, keepdims, self.dtype)

    def min(self, axis=None, keepdims: bool = False) -> CudaArray:
        return _reduce(self, "min", axis, keepdims, self.dtype)

    def argmax(self, axis=None, keepdims: bool = False) -> CudaArray:
        return _arg_reduce(self, True, axis, keepdims)

    def argmin(self, axis=None, keepdims: bool = False) -> CudaArray:
        return _arg_reduce(self, False, axis, keepdims)

    # -------------------------------------------------------------- operators via NumPy
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "at" and ufunc is np.add:
            target, index, values = inputs
            _scatter(target, index if isinstance(index, tuple) else (index,), values, True)
            return None
        if method != "__call__":
            raise _unsupported(f"numpy.{ufunc.__name__}.{method}")
        out = kwargs.pop("out", None)
        out = out[0] if isinstance(out, tuple) else out
        if kwargs:
            raise _unsupported(f"numpy.{ufunc.__name__} with {', '.join(kwargs)}")
        if ufunc is np.matmul:
            result = _matmul(*inputs)
            if out is not None:
                _copy_into(out, result)
                return out
            return result
        return _elementwise(ufunc, inputs, out)

    def __array_function__(self, func, types, args, kwargs):
        implementation = FUNCTIONS.get(func)
        if implementation is None:
            raise _unsupported(f"numpy.{func.__name__}")
        return implementation(*args, **kwargs)

    def __add__(self, other):
        return np.add(self, other)

    def __radd__(self, other):
        return np.add(other, self)

    def __sub__(self, other):
        return np.subtract(self, other)

    def __rsub__(self, other):
        return np.subtract(other, self)

    def __mul__(self, other):
        return np.multiply(self, other)

    def __rmul__(self, other):
        return np.multiply(other, self)

    def __truediv__(self, other):
        return np.divide(self, other)

    def __rtruediv__(self, other):
        return np.divide(other, self)

    def __pow__(self, other):
        return np.power(self, other)

    def __rpow__(self, other):
        return np.power(other, self)

    def __matmul__(self, other):
        return np.matmul(self, other)

    def __rmatmul__(self, other):
        return np.matmul(other, self)

    def __neg__(self):
        return np.negative(self)

    def __abs__(self):
        return np.absolute(self)

    def __invert__(self):
        return np.logical_not(self)

    def __and__(self, other):
        return np.bitwise_and(self, other)

    def __or__(self, other):
        return np.bitwise_or(self, other)

    def __eq__(self, other):  # type: ignore[override]
        return np.equal(self, other)

    def __ne__(self, other):  # type: ignore[override]
        return np.not_equal(self, other)

    def __lt__(self, other):
        return np.less(self, other)

    def __le__(self, other):
        return np.less_equal(self, other)

    def __gt__(self, other):
        return np.greater(self, other)

    def __ge__(self, other):
        return np.greater_equal(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __iadd__(self, other):
        return np.add(self, other, out=self)

    def __isub__(self, other):
        return np.subtract(self, other, out=self)

    def __imul__(self, other):
        return np.multiply(self, other, out=self)

    def __itruediv__(self, other):
        return np.divide(self, other, out=self)


# ------------------------------------------------------------------------------- operands
def _is_index_array(i) -> bool:
    return isinstance(i, CudaArray | np.ndarray | list)


def _is_scalar(value) -> bool:
    return isinstance(value, Number | np.generic) or (
        isinstance(value, np.ndarray) and value.ndim == 0)


def _scalar_value(value):
    return value.item() if isinstance(value, np.ndarray | np.generic) else value


def _device_operand(value, dtype: np.dtype, op: str) -> CudaArray:
    """``value`` as a CudaArray of ``dtype``: a number is written on the device by a kernel."""
    if isinstance(value, CudaArray):
        return value if value.dtype == dtype else value.astype(dtype)
    if _is_scalar(value):
        return CudaArray.full((), _scalar_value(value), dtype)
    raise _mixing(op)


def _loop_dtypes(ufunc, inputs) -> tuple[np.dtype, ...]:
    """The dtypes NumPy would compute ``ufunc`` in, and its output's: numbers are "weak" (a
    float32 array times 2.0 stays float32), as in NumPy 2."""
    signature = tuple(
        v.dtype if isinstance(v, CudaArray | np.ndarray | np.generic)
        else np.dtype(np.bool_) if isinstance(v, bool) else type(v)  # int, float: weak
        for v in inputs)
    return ufunc.resolve_dtypes((*signature, *[None] * ufunc.nout))


def _broadcast_shape(op: str, *values) -> tuple[int, ...]:
    shapes = [v.shape for v in values if isinstance(v, CudaArray)]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast "
                         "together") from None


def _copy_into(out: CudaArray, value) -> None:
    """``out[...] = value`` (broadcast, cast to out's dtype), with the strided copy kernel."""
    if isinstance(value, CudaArray):
        source = value
    elif isinstance(value, np.ndarray | list) and np.ndim(value):  # an explicit upload
        source = CudaArray.from_host(np.asarray(value, dtype=out.dtype))
    else:
        source = _device_operand(value, out.dtype, "copy")
    n = out.size
    if n == 0:
        return
    shape, out_strides = _kernel_view(out.shape, out.strides)
    x, x_offset, x_strides = source._kernel_args(out.shape)
    blocks, threads = kernels.launch_1d(n)
    kernels.copy[blocks, threads](x, x_offset, x_strides, out.buffer, out.offset, out_strides,
                                  shape, n)


def _elementwise(ufunc, inputs, out: CudaArray | None) -> CudaArray:
    """Launch the unary or binary kernel for ``ufunc`` (broadcasting, NumPy's dtypes)."""
    name = ufunc.__name__
    table = kernels.UNARY if ufunc.nin == 1 else kernels.BINARY
    if name not in table:
        raise _unsupported(f"numpy.{name}")
    for value in inputs:
        if not isinstance(value, CudaArray) and not _is_scalar(value):
            raise _mixing(name)
    dtypes = _loop_dtypes(ufunc, inputs)
    operands = [_device_operand(v, d, name) for v, d in zip(inputs, dtypes, strict=False)]
    shape = _broadcast_shape(name, *operands)
    if out is None:
        out = CudaArray.empty(shape, dtypes[-1])
    elif not isinstance(out, CudaArray):
        raise _mixing(name)
    elif np.broadcast_shapes(out.shape, shape) != out.shape:
        raise ValueError(f"{name}: output of shape {out.shape} cannot hold shape {shape}")
    shape = out.shape
    target = out if out.dtype == dtypes[-1] else CudaArray.empty(shape, dtypes[-1])
    n = math.prod(shape)
    if n:
        kernel_shape, out_strides = _kernel_view(shape, target.strides)
        args = [arg for value in operands for arg in value._kernel_args(shape)]
        blocks, threads = kernels.launch_1d(n)
        kernel = kernels.unary(name) if ufunc.nin == 1 else kernels.binary(name)
        kernel[blocks, threads](*args, target.buffer, target.offset, out_strides, kernel_shape,
                                n)
    if target is not out:
        _copy_into(out, target)
    return out


def _where(condition, x, y) -> CudaArray:
    if not isinstance(condition, CudaArray):
        if not _is_scalar(condition):
            raise _mixing("where")
        condition = CudaArray.full((), bool(_scalar_value(condition)), np.bool_)
    dtypes = _loop_dtypes(np.add, (x, y))  # NumPy's where promotes like arithmetic
    dtype = np.result_type(*dtypes[:2])
    x, y = _device_operand(x, dtype, "where"), _device_operand(y, dtype, "where")
    condition = condition if condition.dtype == np.bool_ else condition.astype(np.bool_)
    shape = _broadcast_shape("where", condition, x, y)
    out = CudaArray.empty(shape, dtype)
    n = out.size
    if n:
        args = [arg for value in (condition, x, y) for arg in value._kernel_args(shape)]
        blocks, threads = kernels.launch_1d(n)
        kernels.where[blocks, threads](*args, out.buffer, _kernel_view(shape, ())[0], n)
    return out


def _clip(x: CudaArray, a_min=None, a_max=None, out=None) -> CudaArray:
    result = x if a_min is None else np.maximum(x, a_min)
    result = result if a_max is None else np.minimum(result, a_max)
    if out is not None:
        _copy_into(out, result)
        return out
    return result if result is not x else x.copy()


# ----------------------------------------------------------------------------- reductions
def _axes(x: CudaArray, axis) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    return tuple(sorted({a % builtins.max(x.ndim, 1) for a in axes}))


def _reduction_view(x: CudaArray, axes: tuple[int, ...]):
    """``x`` permuted so the reduced dims come last; (view, kept shape, n_out, n_reduce)."""
    kept = [d for d in range(x.ndim) if d not in axes]
    view = x.transpose(kept + list(axes)) if x.ndim else x
    kept_shape = [x.shape[d] for d in kept]
    return view, kept_shape, math.prod(kept_shape), math.prod(x.shape[d] for d in axes)


def _finish(out: CudaArray, x: CudaArray, axes, kept_shape, keepdims) -> CudaArray:
    if keepdims:
        return out.reshape([1 if d in axes else n for d, n in enumerate(x.shape)])
    return out.reshape(kept_shape)


def _reduce(x: CudaArray, name: str, axis, keepdims: bool, dtype: np.dtype) -> CudaArray:
    """sum/max/min over ``axis`` with the shared-memory block reduction (one block per
    output element)."""
    axes = _axes(x, axis)
    view, kept_shape, n_out, n_reduce = _reduction_view(x, axes)
    if n_reduce == 0 and name != "sum":
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
    out = CudaArray.empty(kept_shape, dtype)
    if n_out:
        if name == "sum":
            init = dtype.type(0)
        elif dtype.kind == "f":
            init = dtype.type(-np.inf if name == "max" else np.inf)
        elif dtype.kind == "b":
            init = np.bool_(name == "min")
        else:
            info = np.iinfo(dtype)
            init = dtype.type(info.min if name == "max" else info.max)
        shape, strides = _kernel_view(view.shape, view.strides)
        kernels.reduce(name, dtype)[min(n_out, kernels.MAX_BLOCKS), kernels.THREADS](
            view.buffer, view.offset, strides, shape, n_out, n_reduce, init, out.buffer)
    return _finish(out, x, axes, kept_shape, keepdims)


def _arg_reduce(x: CudaArray, largest: bool, axis, keepdims: bool) -> CudaArray:
    """argmax/argmin: over the flattened array when ``axis`` is None (as NumPy)."""
    if axis is None:
        flat = _arg_reduce(x.reshape(-1), largest, 0, False)
        return flat.reshape([1] * x.ndim) if keepdims else flat
    axes = _axes(x, axis)
    view, kept_shape, n_out, n_reduce = _reduction_view(x, axes)
    if n_reduce == 0:
        raise ValueError("attempt to get argmax of an empty sequence")
    out = CudaArray.empty(kept_shape, np.int64)
    if n_out:
        shape, strides = _kernel_view(view.shape, view.strides)
        kernels.arg_reduce(largest, x.dtype)[min(n_out, kernels.MAX_BLOCKS), kernels.THREADS](
            view.buffer, view.offset, strides, shape, n_out, n_reduce, out.buffer)
    return _finish(out, x, axes, kept_shape, keepdims)


# ------------------------------------------------------------------------------- matmul
def _matmul(a, b) -> CudaArray:
    """NumPy's matmul: 1-d operands are vectors, leading (batch) dims broadcast."""
    if not (isinstance(a, CudaArray) and isinstance(b, CudaArray)):
        raise _mixing("matmul")
    dtype = np.result_type(a.dtype, b.dtype)
    a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    (m, n), (n2, p) = a2.shape[-2:], b2.shape[-2:]
    if n != n2:
        raise ValueError(f"matmul: inner dimensions {n} and {n2} differ")
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    a2, b2 = a2.broadcast_to(batch + (m, n)), b2.broadcast_to(batch + (n, p))
    out = CudaArray.empty(batch + (m, p), dtype)
    if out.size:
        run_matmul(a2, b2, out, kernels.SIMULATOR_TILE if kernels.SIMULATED else kernels.TILE)
    shape = batch + ((m,) if a.ndim > 1 else ()) + ((p,) if b.ndim > 1 else ())
    return out.reshape(shape)


def run_matmul(a: CudaArray, b: CudaArray, out: CudaArray, tile: int) -> None:
    """Launch the tiled kernel: a (*batch, m, n) @ b (*batch, n, p) into contiguous out."""
    *batch, m, n = a.shape
    p = b.shape[-1]
    batch_shape, a_batch = _kernel_view(batch, a.strides[:-2])
    b_batch = _kernel_view(batch, b.strides[:-2])[1]
    grid = ((p + tile - 1) // tile, (m + tile - 1) // tile, math.prod(batch))
    kernels.matmul(a.dtype, tile)[grid, (tile, tile)](
        a.buffer, a.offset, a_batch, a.strides[-2], a.strides[-1],
        b.buffer, b.offset, b_batch, b.strides[-2], b.strides[-1],
        batch_shape, m, n, p, out.buffer)


# --------------------------------------------------------------------- gather and scatter
def _without_masks(x: CudaArray, index: tuple) -> tuple:
    """NumPy's rule for a boolean array in an index: it stands for the integer arrays of its
    ``nonzero()``, one per dim it covers. How many elements it picks depends on the data, so a
    mask on the device is read back to the host first (a synchronisation, as in PyTorch)."""
    expanded, dim = [], 0
    for i in index:
        if isinstance(i, CudaArray) and i.dtype == np.bool_:
            mask = i.to_host()
        elif isinstance(i, np.ndarray | list) and np.asarray(i).dtype == np.bool_:
            mask = np.asarray(i)
        else:
            expanded.append(i)
            dim += i is not None
            continue
        covered = x.shape[dim:dim + mask.ndim]
        if mask.ndim == 0 or mask.shape != covered:
            raise IndexError(f"boolean index of shape {mask.shape} does not match the shape "
                             f"{covered} of the dims it indexes (array of shape {x.shape})")
        expanded += np.nonzero(mask)
        dim += mask.ndim
    return tuple(expanded)


def _index_plan(x: CudaArray, index: tuple):
    """For an index of integer arrays (and full slices ``:``) laid out as NumPy's advanced
    indexing: the result shape, the kernels' stride tuples and the stacked index rows."""
    index = _without_masks(x, index)
    arrays = [k for k, i in enumerate(index) if _is_index_array(i)]
    if any(not (isinstance(i, slice) and i == slice(None)) for k, i in enumerate(index)
           if k not in arrays) or arrays != list(range(arrays[0], arrays[-1] + 1)):
        raise _unsupported("indexing that mixes integer arrays with ints, partial slices or "
                           "separated arrays")
    first, count = arrays[0], len(arrays)
    values = [i if isinstance(i, CudaArray) else CudaArray.from_host(
        np.asarray(i, dtype=np.int64)) for i in (index[k] for k in arrays)]
    b_shape = _broadcast_shape("index", *values)
    before, after = x.shape[:first], x.shape[first + count:]
    shape = before + b_shape + after
    x_strides = x.strides[:first] + (0,) * len(b_shape) + x.strides[first + count:]
    j_strides = (0,) * len(before) + _contiguous_strides(b_shape) + (0,) * len(after)
    rows = CudaArray.empty((count,) + b_shape, np.int64)
    for q, value in enumerate(values):
        _copy_into(rows[q], value)
    k_strides = tuple(x.strides[first + q] for q in range(count))
    k_sizes = tuple(x.shape[first + q] for q in range(count))
    return shape, x_strides, j_strides, rows, k_strides, k_sizes


def _gather(x: CudaArray, index: tuple) -> CudaArray:
    shape, x_strides, j_strides, rows, k_strides, k_sizes = _index_plan(x, index)
    out = CudaArray.empty(shape, x.dtype)
    n = out.size
    if n:
        kshape, x_strides = _kernel_view(shape, x_strides)
        j_strides = _kernel_view(shape, j_strides)[1]
        blocks, threads = kernels.launch_1d(n)
        kernels.gather[blocks, threads](x.buffer, x.offset, x_strides, rows.buffer, k_strides,
                                        k_sizes, j_strides, out.buffer, kshape, n)
    return out


def _scatter(x: CudaArray, index: tuple, values, accumulate: bool) -> None:
    shape, x_strides, j_strides, rows, k_strides, k_sizes = _index_plan(x, index)
    values = _device_operand(values, x.dtype, "index") if not isinstance(values, CudaArray) \
        else values.astype(x.dtype, copy=False)
    n = math.prod(shape)
    if n:
        kshape, x_strides = _kernel_view(shape, x_strides)
        j_strides = _kernel_view(shape, j_strides)[1]
        v, v_offset, v_strides = values._kernel_args(shape)
        blocks, threads = kernels.launch_1d(n)
        kernels.scatter[blocks, threads](x.buffer, x.offset, x_strides, rows.buffer,
                                         k_strides, k_sizes, j_strides, v, v_offset, v_strides,
                                         kshape, n, accumulate)


def _along_axis_index(x: CudaArray, indices: CudaArray, axis: int) -> tuple:
    """take/put_along_axis as advanced indexing: aranges on the other dims, ``indices`` on
    ``axis`` (all broadcast against each other)."""
    if not isinstance(indices, CudaArray):
        raise _mixing("take_along_axis")
    axis %= x.ndim
    index = []
    for d in range(x.ndim):
        if d == axis:
            index.append(indices)
        else:
            shape = [1] * x.ndim
            shape[d] = indices.shape[d]
            index.append(_arange(indices.shape[d]).reshape(shape))
    return tuple(index)


def _take_along_axis(x: CudaArray, indices: CudaArray, axis: int) -> CudaArray:
    return _gather(x, _along_axis_index(x, indices, axis))


def _put_along_axis(x: CudaArray, indices: CudaArray, values, axis: int) -> None:
    _scatter(x, _along_axis_index(x, indices, axis), values, accumulate=False)


# ------------------------------------------------------------------------ other functions
def _arange(start, stop=None, step=1, dtype=None, *, like=None, **kwargs) -> CudaArray:
    if stop is None:
        start, stop = 0, start
    dtype = np.dtype(dtype) if dtype is not None else np.arange(start, start + step,
                                                                step).dtype
    n = builtins.max(0, math.ceil((stop - start) / step))
    out = CudaArray.empty((n,), dtype)
    if n:
        blocks, threads = kernels.launch_1d(n)
        kernels.arange[blocks, threads](out.buffer, dtype.type(start), dtype.type(step), n)
    return out


def _full_like(x: CudaArray, fill_value, dtype=None, shape=None) -> CudaArray:
    return CudaArray.full(x.shape if shape is None else shape, fill_value, dtype or x.dtype)


def _concatenate(arrays, axis: int = 0, dtype=None) -> CudaArray:
    arrays = list(arrays)
    if not all(isinstance(a, CudaArray) for a in arrays):
        raise _mixing("concatenate")
    axis %= arrays[0].ndim
    dtype = np.dtype(dtype) if dtype is not None else np.result_type(*[a.dtype for a in arrays])
    rest = {a.shape[:axis] + a.shape[axis + 1:] for a in arrays}
    if len(rest) != 1:
        raise ValueError("all the input array dimensions except for the concatenation axis "
                         "must match exactly")
    shape = list(arrays[0].shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    out = CudaArray.empty(shape, dtype)
    start = 0
    for a in arrays:
        part = (slice(None),) * axis + (slice(start, start + a.shape[axis]),)
        _copy_into(out[part], a)
        start += a.shape[axis]
    return out


def _split(x: CudaArray, sections, axis: int = 0) -> list[CudaArray]:
    axis %= x.ndim
    bounds = [0, *[int(s) for s in sections], x.shape[axis]]
    return [x[(slice(None),) * axis + (slice(lo, hi),)] for lo, hi in zip(bounds[:-1],
                                                                          bounds[1:],
                                                                          strict=True)]


def _reduction_function(method: str):
    def function(x, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        if out is not None or kwargs:
            raise _unsupported(f"numpy.{method} with out= or {', '.join(kwargs)}")
        if method in ("sum", "mean"):
            return getattr(x, method)(axis=axis, dtype=dtype, keepdims=keepdims)
        return getattr(x, method)(axis=axis, keepdims=keepdims)

    return function


def _arg_function(method: str):
    def function(x, axis=None, out=None, *, keepdims=False):
        return getattr(x, method)(axis=axis, keepdims=keepdims)

    return function


# NumPy function -> its implementation for CudaArrays (``__array_function__`` looks here).
FUNCTIONS = {
    np.where: _where,
    np.clip: _clip,
    np.broadcast_to: lambda x, shape, subok=False: x.broadcast_to(
        (shape,) if isinstance(shape, int) else shape),
    np.expand_dims: lambda x, axis: x.expand_dims(axis),
    np.squeeze: lambda x, axis=None: x.squeeze(axis),
    np.reshape: lambda x, shape, **kw: x.reshape(shape),
    np.transpose: lambda x, axes=None: x.transpose(axes),
    np.swapaxes: lambda x, a, b: x.swapaxes(a, b),
    np.zeros_like: lambda x, dtype=None, shape=None, **kw: _full_like(x, 0, dtype, shape),
    np.ones_like: lambda x, dtype=None, shape=None, **kw: _full_like(x, 1, dtype, shape),
    np.full_like: lambda x, fill_value, dtype=None, shape=None, **kw: _full_like(
        x, fill_value, dtype, shape),
    np.empty_like: lambda x, dtype=None, shape=None, **kw: CudaArray.empty(
        x.shape if shape is None else shape, dtype or x.dtype),
    np.sum: _reduction_function("sum"),
    np.mean: _reduction_function("mean"),
    np.max: _reduction_function("max"),
    np.min: _reduction_function("min"),
    np.amax: _reduction_function("max"),
    np.amin: _reduction_function("min"),
    np.argmax: _arg_function("argmax"),
    np.argmin: _arg_function("argmin"),
    np.take_along_axis: _take_along_axis,
    np.put_along_axis: _put_along_axis,
    np.concatenate: _concatenate,
    np.split: _split,
    np.arange: _arange,
    np.shape: lambda x: x.shape,
    np.ndim: lambda x: x.ndim,
    np.size: lambda x, axis=None: x.size if axis is None else x.shape[axis],
    np.copy: lambda x, **kw: x.copy(),
    np.ascontiguousarray: lambda x, dtype=None, **kw: x.contiguous() if dtype is None
    else x.astype(dtype, copy=False).contiguous(),
}
