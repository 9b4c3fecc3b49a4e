"""Differentiable ops. Each computes its output from the input arrays, then defines ``backward``:
given ``g`` = d loss / d output, it returns d loss / d input for each input (None when not
needed). ``Tensor._from_op`` records the inputs and ``backward`` when an input requires grad,
and the versions of the tensors ``backward`` reads (``saved=``, ``saves_output=``), so that
backward can detect an in-place change of one of them (see ``nnlib.autograd``). Ops that return
a view of their input's memory (``_view``) share its version counter.

Conventions, following torch:

- Binary ops broadcast like NumPy and accept Python numbers on either side; dtypes follow torch
  (float32 * 2.0 stays float32; see ``nnlib.tensor.result_dtype``).
- Reductions take ``dim``/``keepdim`` (torch's names); NumPy's ``axis``/``keepdims`` are accepted
  as aliases. ``dim`` may be an int, a tuple of ints or None (all dimensions). A 0-d tensor has
  one implicit dim, as in torch: ``dim`` 0 or -1 is allowed and reduces its one element.
- Ties: ``maximum``/``minimum`` split the gradient equally between tied inputs; ``amax``/``amin``
  and ``max()``/``min()`` without ``dim`` split it equally among tied elements; ``max(dim)``/
  ``min(dim)`` return ``(values, indices)`` and send the gradient to the returned (first) index.
- At kinks the gradient is torch's: ``relu'(0) = 0``, ``abs'(0) = 0``, ``clamp`` passes the
  gradient where ``min <= x <= max``.
"""

from __future__ import annotations

import builtins
from collections import namedtuple
from collections.abc import Sequence
from numbers import Number

import numpy as np

from nnlib import backend
from nnlib.tensor import Tensor, as_array, index_array, result_dtype

Dim = int | tuple[int, ...] | None


# ----------------------------------------------------------------------------------- helpers
def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, so it has ``shape``."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    return grad.sum(axis=tuple(range(lead)) + stretched, keepdims=True).reshape(shape)


def _operand(value, op: str) -> Tensor | Number:
    """A tensor, or a Python/NumPy number (kept as such: numbers do not decide the dtype)."""
    if isinstance(value, Tensor | int | float):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray | list | tuple):
        return Tensor(as_array(value))
    raise TypeError(f"{op}: unsupported operand of type {type(value).__name__}")


def _operands(a, b, op: str) -> tuple[Tensor, Tensor, np.ndarray, np.ndarray]:
    """``a`` and ``b`` as tensors, and their arrays converted to the dtype of ``a op b``."""
    if (isinstance(a, Tensor) and isinstance(b, Tensor) and a.data.dtype == b.data.dtype
            and type(a.data) is type(b.data)):
        return a, b, a.data, b.data
    a, b = _operand(a, op), _operand(b, op)
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        backend.check_same_device(op, a.data, b.data)
    if isinstance(b, Number) and isinstance(a, Tensor) and a.data.dtype.kind == "f":
        dtype = a.data.dtype  # the common case x * 2.0
    else:
        dtype = result_dtype(a, b)
    a = a if isinstance(a, Tensor) else Tensor(np.asarray(a, dtype=dtype))
    b = b if isinstance(b, Tensor) else Tensor(np.asarray(b, dtype=dtype))
    return a, b, a.data.astype(dtype, copy=False), b.data.astype(dtype, copy=False)


def _broadcasting(op: str, ufunc, a, b):
    """Apply ``ufunc`` to ``a`` and ``b`` with broadcasting; return (a, b, x, y, out)."""
    a, b, x, y = _operands(a, b, op)
    try:
        out = ufunc(x, y)
    except ValueError:
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise ValueError(
                f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together"
            ) from None
        raise
    return a, b, x, y, out


def _floating(x: Tensor) -> np.ndarray:
    """The array of ``x``, converted to the default float if it holds integers or bools."""
    return x.data if x.data.dtype.kind == "f" else x.data.astype(backend.DEFAULT_FLOAT)


def _dims(op: str, x: Tensor, dim, keepdim, axis, keepdims) -> tuple[Dim, bool]:
    """Resolve torch's ``dim``/``keepdim`` and NumPy's ``axis``/``keepdims`` into
    (non-negative dims as a tuple or None, keepdim)."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: pass dim= or axis=, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, bool(keepdim)
    dims = (dim,) if isinstance(dim, int | np.integer) else tuple(dim)
    dims = tuple(_dim(op, x.ndim, d) for d in dims)
    return (dims if x.ndim else ()), bool(keepdim)  # 0-d: its implicit dim is no array axis


def _dim(op: str, ndim: int, dim: int, places: int | None = None) -> int:
    """``dim`` as an index in ``range(places)``, or IndexError naming the op. ``places`` is how
    many dims ``dim`` may name: ``ndim``, or ``ndim + 1`` where a dim is inserted (unsqueeze).
    As in torch, a 0-d tensor counts as having one dim here (0 or -1 both give 0); callers that
    pass the result to NumPy must treat 0-d tensors apart."""
    n = builtins.max(ndim, 1) if places is None else places
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dimensions "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return dim % n


def _view(out: np.ndarray, x: Tensor, backward, op: str) -> Tensor:
    """The output of a shape op: when ``out`` is a view of ``x``'s memory (reshape of
    contiguous data, transposes, basic slicing, broadcasting: NumPy and CudaArray return views)
    it shares ``x``'s version counter, so an in-place change through either counts for both."""
    result = Tensor._from_op(out, (x,), backward, op)
    if backend.shares_memory(result.data, x.data):
        result._version_counter = x._counter()
    return result


def _expand_back(grad: np.ndarray, shape, dims: Dim, keepdim: bool) -> np.ndarray:
    """Undo a reduction for the gradient: put back the reduced dims and broadcast to ``shape``."""
    if dims is not None and not keepdim:
        grad = np.expand_dims(grad, dims)
    return np.broadcast_to(grad, shape)


# ------------------------------------------------------------------------------- arithmetic
def add(a, b) -> Tensor:
    a, b, x, y, out = _broadcasting("add", np.add, a, b)

    def backward(g):
        return unbroadcast(g, x.shape), unbroadcast(g, y.shape)

    return Tensor._from_op(out, (a, b), backward, "Add")


def sub(a, b) -> Tensor:
    a, b, x, y, out = _broadcasting("sub", np.subtract, a, b)

    def backward(g):
        return unbroadcast(g, x.shape), unbroadcast(-g, y.shape) if b.requires_grad else None

    return Tensor._from_op(out, (a, b), backward, "Sub")


def mul(a, b) -> Tensor:
    a, b, x, y, out = _broadcasting("mul", np.multiply, a, b)

    def backward(g):
        return (unbroadcast(g * y, x.shape) if a.requires_grad else None,
                unbroadcast(g * x, y.shape) if b.requires_grad else None)

    # a's gradient reads b's values, b's reads a's: those are the tensors to check in backward
    return Tensor._from_op(out, (a, b), backward, "Mul",
                           saved=(b if a.requires_grad else None, a if b.requires_grad else None))


def div(a, b) -> Tensor:
    """True division; integer inputs give a float result, as in torch."""
    a, b = _operand(a, "div"), _operand(b, "div")
    if result_dtype(a, b).kind != "f":
        a = a.float() if isinstance(a, Tensor) else float(a)
    a, b, x, y, out = _broadcasting("div", np.divide, a, b)

    def backward(g):
        return (unbroadcast(g / y, x.shape) if a.requires_grad else None,
                unbroadcast(-g * out / y, y.shape) if b.requires_grad else None)

    return Tensor._from_op(out, (a, b), backward, "Div", saved=(b,),
                           saves_output=b.requires_grad)


def pow(a, b) -> Tensor:
    """``a ** b``. Like torch: d/da is 0 where b == 0; d/db is 0 where a == 0 and b >= 0."""
    a, b, x, y, out = _broadcasting("pow", np.power, a, b)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = np.where(y == 0, 0, g * y * x ** (y - 1)) if a.requires_grad else None
            gb = (np.where((x == 0) & (y >= 0), 0, g * out * np.log(x))
                  if b.requires_grad else None)
        return (None if ga is None else unbroadcast(ga, x.shape),
                None if gb is None else unbroadcast(gb, y.shape))

    return Tensor._from_op(out, (a, b), backward, "Pow", saved=(a, b),
                           saves_output=b.requires_grad)


def neg(x: Tensor) -> Tensor:
    return Tensor._from_op(-x.data, (x,), lambda g: (-g,), "Neg")


def _tie_split(op: str, ufunc, a, b, wins) -> Tensor:
    """maximum/minimum: the winner gets the gradient; tied inputs get half each (torch)."""
    a, b, x, y, out = _broadcasting(op, ufunc, a, b)

    def backward(g):
        share = np.where(x == y, 0.5, wins(x, y)).astype(g.dtype, copy=False)
        return (unbroadcast(g * share, x.shape) if a.requires_grad else None,
                unbroadcast(g * (1 - share), y.shape) if b.requires_grad else None)

    return Tensor._from_op(out, (a, b), backward, op.capitalize(), saved=(a, b))


def maximum(a, b) -> Tensor:
    """Elementwise max of two tensors (broadcast)."""
    return _tie_split("maximum", np.maximum, a, b, np.greater)


def minimum(a, b) -> Tensor:
    """Elementwise min of two tensors (broadcast)."""
    return _tie_split("minimum", np.minimum, a, b, np.less)


def where(condition, input, other) -> Tensor:
    """``input`` where ``condition`` is true, else ``other`` (all three broadcast)."""
    cond = backend.asarray(condition.data if isinstance(condition, Tensor) else condition,
                           dtype=bool)
    a, b, x, y, out = _broadcasting("where", lambda x, y: np.where(cond, x, y), input, other)

    def backward(g):
        return (unbroadcast(np.where(cond, g, 0), x.shape) if a.requires_grad else None,
                unbroadcast(np.where(cond, 0, g), y.shape) if b.requires_grad else None)

    return Tensor._from_op(out, (a, b), backward, "Where",
                           saved=(condition if isinstance(condition, Tensor) else None,))


# ------------------------------------------------------------------------ elementwise math
def exp(x: Tensor) -> Tensor:
    out = np.exp(_floating(x))
    return Tensor._from_op(out, (x,), lambda g: (g * out,), "Exp", saves_output=True)


def log(x: Tensor) -> Tensor:
    data = _floating(x)
    return Tensor._from_op(np.log(data), (x,), lambda g: (g / data,), "Log", saved=(x,))


def sqrt(x: Tensor) -> Tensor:
    out = np.sqrt(_floating(x))

    def backward(g):
        with np.errstate(divide="ignore"):
            return (g / (2 * out),)

    return Tensor._from_op(out, (x,), backward, "Sqrt", saves_output=True)


def abs(x: Tensor) -> Tensor:
    """|x|; the gradient at 0 is 0, as in torch."""
    return Tensor._from_op(np.abs(x.data), (x,), lambda g: (g * np.sign(x.data),), "Abs",
                           saved=(x,))


def tanh(x: Tensor) -> Tensor:
    out = np.tanh(_floating(x))
    return Tensor._from_op(out, (x,), lambda g: (g * (1 - out * out),), "Tanh",
                           saves_output=True)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: uses e^-|x| <= 1 on both sides of 0."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


def sigmoid(x: Tensor) -> Tensor:
    out = stable_sigmoid(_floating(x))
    return Tensor._from_op(out, (x,), lambda g: (g * out * (1 - out),), "Sigmoid",
                           saves_output=True)


def relu(x: Tensor) -> Tensor:
    """max(x, 0); the gradient at 0 is 0."""
    out = np.maximum(x.data, 0)
    return Tensor._from_op(out, (x,), lambda g: (g * (out > 0),), "Relu", saves_output=True)


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    """x limited to [min, max]; the gradient passes where min <= x <= max (torch)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    out = np.clip(x.data, min, max)

    def backward(g):
        inside = np.ones_like(x.data, dtype=bool)
        if min is not None:
            inside &= x.data >= min
        if max is not None:
            inside &= x.data <= max
        return (g * inside,)

    return Tensor._from_op(out, (x,), backward, "Clamp", saved=(x,))


clip = clamp


# ------------------------------------------------------------------------------ reductions
def sum(x: Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None,
        keepdims: bool | None = None) -> Tensor:
    """Sum over ``dim`` (all dims if None). Bools and ints sum to int64."""
    dims, keepdim = _dims("sum", x, dim, keepdim, axis, keepdims)
    out = x.data.sum(axis=dims, keepdims=keepdim)
    return Tensor._from_op(
        out, (x,), lambda g: (_expand_back(g, x.shape, dims, keepdim),), "Sum"
    )


def mean(x: Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None,
         keepdims: bool | None = None) -> Tensor:
    """Mean over ``dim`` (all dims if None). Ints and bools are averaged as float32."""
    dims, keepdim = _dims("mean", x, dim, keepdim, axis, keepdims)
    out = _floating(x).mean(axis=dims, keepdims=keepdim)
    count = x.data.size // builtins.max(out.size, 1)
    return Tensor._from_op(
        out, (x,), lambda g: (_expand_back(g / count, x.shape, dims, keepdim),), "Mean"
    )


def var(x: Tensor, dim: Dim = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, axis: Dim = None, keepdims: bool | None = None) -> Tensor:
    """Variance over ``dim``: sum((x - mean)^2) / (N - correction), correction 1 by default as
    in torch (``unbiased=False`` means correction 0; NumPy's default is 0)."""
    if correction is None:
        correction = 0 if unbiased is False else 1
    elif unbiased is not None:
        raise TypeError("var: pass unbiased= or correction=, not both")
    dims, keepdim = _dims("var", x, dim, keepdim, axis, keepdims)
    count = x.data.size if dims is None else int(np.prod([x.shape[d] for d in dims]))
    centered = x - mean(x, dims, keepdim=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # N <= correction gives nan, as torch
        return sum(centered * centered, dims, keepdim) / builtins.max(count - correction, 0)


def std(x: Tensor, dim: Dim = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, axis: Dim = None, keepdims: bool | None = None) -> Tensor:
    """Standard deviation: ``sqrt(var(...))`` with the same arguments. Where it is 0 the
    gradient is 0 (torch), not the inf * 0 = nan of a plain sqrt."""
    _dims("std", x, dim, keepdim, axis, keepdims)  # so that a bad dim is reported as std's
    variance = var(x, dim, unbiased, keepdim, correction=correction, axis=axis,
                   keepdims=keepdims)
    out = np.sqrt(variance.data)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(out == 0, 0, g / (2 * out)),)

    return Tensor._from_op(out, (variance,), backward, "Std", saves_output=True)


def _extreme(op: str, reduce, x: Tensor, dim, keepdim, axis, keepdims) -> Tensor:
    """amax/amin: the gradient is split equally among the elements that tie for the extreme."""
    dims, keepdim = _dims(op, x, dim, keepdim, axis, keepdims)
    out = reduce(x.data, axis=dims, keepdims=keepdim)

    def backward(g):
        if dims is not None and not keepdim:
            g, kept = np.expand_dims(g, dims), np.expand_dims(out, dims)
        else:
            kept = out
        hits = x.data == kept
        return (hits * (g / hits.sum(axis=dims, keepdims=True, dtype=g.dtype)),)

    return Tensor._from_op(out, (x,), backward, op.capitalize(), saved=(x,), saves_output=True)


def amax(x: Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None,
         keepdims: bool | None = None) -> Tensor:
    """Largest value over ``dim`` (all if None); ties share the gradient equally."""
    return _extreme("amax", np.max, x, dim, keepdim, axis, keepdims)


def amin(x: Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None,
         keepdims: bool | None = None) -> Tensor:
    """Smallest value over ``dim`` (all if None); ties share the gradient equally."""
    return _extreme("amin", np.min, x, dim, keepdim, axis, keepdims)


ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _extreme_at(op: str, arg, x: Tensor, dim: int, keepdim: bool) -> ValuesIndices:
    """max(dim)/min(dim): values and the index of the first extreme; the gradient goes there."""
    dim = _dim(op, x.ndim, dim)
    if x.ndim == 0:  # one element along the implicit dim: as a 1-element vector, then 0-d
        return _extreme_at(op, arg, reshape(x, 1, op=op), 0, keepdim=False)
    index = arg(x.data, axis=dim, keepdims=True)
    values = np.take_along_axis(x.data, index, axis=dim)

    def backward(g):
        grad = np.zeros_like(x.data)
        np.put_along_axis(grad, index, g if keepdim else np.expand_dims(g, dim), axis=dim)
        return (grad,)

    if keepdim:
        return ValuesIndices(Tensor._from_op(values, (x,), backward, op.capitalize()),
                             Tensor(index))
    return ValuesIndices(Tensor._from_op(values.squeeze(dim), (x,), backward, op.capitalize()),
                         Tensor(index.squeeze(dim)))


def max(x: Tensor, dim: int | Tensor | None = None, keepdim: bool = False, *,
        axis: int | None = None, keepdims: bool | None = None):
    """``x.max()``: the largest element (ties share the gradient). ``x.max(dim)``: a
    ``(values, indices)`` pair, like torch. ``x.max(other_tensor)``: ``maximum``."""
    if isinstance(dim, Tensor):
        return maximum(x, dim)
    dim = axis if dim is None else dim
    if dim is None:
        return amax(x)
    return _extreme_at("max", np.argmax, x, dim, keepdim if keepdims is None else keepdims)


def min(x: Tensor, dim: int | Tensor | None = None, keepdim: bool = False, *,
        axis: int | None = None, keepdims: bool | None = None):
    """Like ``max``, for the smallest elements."""
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    dim = axis if dim is None else dim
    if dim is None:
        return amin(x)
    return _extreme_at("min", np.argmin, x, dim, keepdim if keepdims is None else keepdims)


def _arg(op: str, arg, x: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    """argmax/argmin over ``dim``, or over all elements when it is None or ``x`` is 0-d."""
    if dim is not None:
        dim = _dim(op, x.ndim, dim)
        if x.ndim == 0:
            dim = None
    return Tensor(backend.asarray(arg(x.data, axis=dim, keepdims=keepdim)))


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the (first) largest element, over the flattened tensor if ``dim`` is None."""
    return _arg("argmax", np.argmax, x, dim, keepdim)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the (first) smallest element, over the flattened tensor if ``dim`` is None."""
    return _arg("argmin", np.argmin, x, dim, keepdim)


# ------------------------------------------------------------------------------ shape ops
def _shape_args(shape: tuple) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` both mean shape (2, 3)."""
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], Sequence) else shape


def reshape(x: Tensor, *shape: int, op: str = "reshape") -> Tensor:
    """The same elements in a new shape (one entry may be -1); ``view`` is the same op."""
    shape = _shape_args(shape)
    try:
        out = x.data.reshape(shape)
    except ValueError:
        raise ValueError(f"{op}: cannot reshape a tensor of shape {x.shape} ({x.data.size} "
                         f"elements) into shape {shape}") from None
    return _view(out, x, lambda g: (g.reshape(x.shape),), op.capitalize())


view = reshape


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` (inclusive) into one."""
    start, end = _dim("flatten", x.ndim, start_dim), _dim("flatten", x.ndim, end_dim)
    if x.ndim == 0:
        return reshape(x, 1, op="flatten")
    return reshape(x, *x.shape[:start], -1, *x.shape[end + 1:], op="flatten")


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at ``dim`` (which counts in the result's dims)."""
    dim = _dim("unsqueeze", x.ndim, dim, places=x.ndim + 1)
    return reshape(x, *x.shape[:dim], 1, *x.shape[dim:], op="unsqueeze")


def squeeze(x: Tensor, dim: Dim = None) -> Tensor:
    """Remove dims of size 1 (only ``dim``, if given; a dim not of size 1 is kept, as torch)."""
    dims = range(x.ndim) if dim is None else _dims("squeeze", x, dim, False, None, None)[0]
    drop = {d for d in dims if x.shape[d] == 1}
    return reshape(x, *[n for d, n in enumerate(x.shape) if d not in drop], op="squeeze")


def permute(x: Tensor, *dims: int) -> Tensor:
    """Reorder the dims: the result's dim i is ``x``'s dim ``dims[i]``."""
    dims = tuple(_dim("permute", x.ndim, d) for d in _shape_args(dims))
    if sorted(dims) != list(range(x.ndim)):
        raise ValueError(f"permute: {dims} is not a permutation of the {x.ndim} dims of {x.shape}")
    inverse = tuple(np.argsort(dims))
    return _view(x.data.transpose(dims), x, lambda g: (g.transpose(inverse),), "Permute")


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims."""
    dim0, dim1 = _dim("transpose", x.ndim, dim0), _dim("transpose", x.ndim, dim1)
    if x.ndim == 0:  # its implicit dim swapped with itself
        return reshape(x, (), op="transpose")
    return _view(x.data.swapaxes(dim0, dim1), x, lambda g: (g.swapaxes(dim0, dim1),),
                 "Transpose")


def _T(x: Tensor) -> Tensor:
    """All dims reversed (``x.T``; for a matrix, its transpose)."""
    return permute(x, *reversed(range(x.ndim)))


def broadcast_to(x: Tensor, *shape: int) -> Tensor:
    """``x`` repeated (without copying) to ``shape`` by NumPy's broadcasting rules."""
    shape = _shape_args(shape)
    try:
        out = np.broadcast_to(x.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}") from None
    return _view(out, x, lambda g: (unbroadcast(g, x.shape),), "Expand")


def expand(x: Tensor, *sizes: int) -> Tensor:
    """torch's ``expand``: ``broadcast_to``, where -1 keeps that dim's size."""
    sizes = _shape_args(sizes)
    lead = len(sizes) - x.ndim
    return broadcast_to(x, *[x.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes)])


# ---------------------------------------------------------------------- indexing, joining
def _advanced(index) -> bool:
    """Whether a NumPy index uses arrays (so one element can be picked several times)."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(part, np.ndarray | list) or backend.is_device_array(part)
               for part in parts)


def getitem(x: Tensor, index) -> Tensor:
    """``x[index]`` with NumPy's rules: ints, slices, None, ..., bool masks, integer arrays.

    Backward scatters the gradient into zeros; with integer arrays it uses ``np.add.at``, so a
    row picked twice (an embedding looked up twice) gets both gradients.
    """
    index_tensors = tuple(i for i in (index if isinstance(index, tuple) else (index,))
                          if isinstance(i, Tensor))  # backward reads them: saved
    index = index_array(index)
    try:
        out = x.data[index]
    except IndexError as error:
        raise IndexError(f"index: {error} (tensor of shape {x.shape})") from None

    def backward(g):
        grad = np.zeros_like(x.data)
        if _advanced(index):
            np.add.at(grad, index, g)
        else:
            grad[index] = g
        return (grad,)

    if index_tensors:  # a gather: the output is a copy
        return Tensor._from_op(out, (x,), backward, "Index", saved=index_tensors)
    return _view(out, x, backward, "Index")


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other dims must match."""
    tensors = [t if isinstance(t, Tensor) else Tensor(as_array(t)) for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    if any(t.ndim == 0 for t in tensors):
        at = next(k for k, t in enumerate(tensors) if t.ndim == 0)
        raise ValueError(f"cat: tensor {at} is 0-d and has no dim to join along; "
                         "use stack to make a new dim")
    dim = _dim("cat", tensors[0].ndim, dim)
    backend.check_same_device("cat", *[t.data for t in tensors])
    dtype = result_dtype(*tensors)
    try:
        out = np.concatenate([t.data.astype(dtype, copy=False) for t in tensors], axis=dim)
    except ValueError:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"cat: tensors must have the same shape except in dim {dim}; "
                         f"got {shapes}") from None
    boundaries = np.cumsum([t.shape[dim] for t in tensors])[:-1]
    return Tensor._from_op(
        out, tuple(tensors), lambda g: tuple(np.split(g, boundaries, axis=dim)), "Cat"
    )


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim ``dim``."""
    tensors = [t if isinstance(t, Tensor) else Tensor(as_array(t)) for t in tensors]
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape; got {sorted(shapes)}")
    return cat([unsqueeze(t, dim) for t in tensors], dim=dim)


# ------------------------------------------------------------------------------------ matmul
def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product with NumPy's rules: 1-d operands are vectors, leading dims broadcast."""
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        names = f"{type(a).__name__} @ {type(b).__name__}"
        raise TypeError(f"matmul: both operands must be tensors, got {names}")
    a, b, x, y = _operands(a, b, "matmul")
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"matmul: {a.shape} @ {b.shape}: both operands need at least one dim")
    inner = y.shape[-2] if y.ndim > 1 else y.shape[0]
    if x.shape[-1] != inner:
        raise ValueError(
            f"matmul: {a.shape} @ {b.shape}: inner dimensions {x.shape[-1]} and {inner} differ"
        )
    try:
        out = np.matmul(x, y)
    except ValueError:
        raise ValueError(f"matmul: {a.shape} @ {b.shape}: batch dimensions {a.shape[:-2]} and "
                         f"{b.shape[:-2]} cannot be broadcast together") from None

    def backward(g):
        # View vectors as matrices (x: 1 x n, y: n x 1), so g is (..., m, p) in both cases.
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        y2 = y.reshape(-1, 1) if y.ndim == 1 else y
        if y.ndim == 1:
            g = np.expand_dims(g, -1)
        if x.ndim == 1:
            g = np.expand_dims(g, -2)
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(g @ y2.swapaxes(-1, -2), x2.shape).reshape(x.shape)
        if b.requires_grad:
            gb = unbroadcast(x2.swapaxes(-1, -2) @ g, y2.shape).reshape(y.shape)
        return ga, gb

    return Tensor._from_op(out, (a, b), backward, "MatMul",
                           saved=(b if a.requires_grad else None, a if b.requires_grad else None))


# ----------------------------------------------------------------- comparisons and logic
def _compare(op: str, ufunc):
    def compare(a, b) -> Tensor:
        """Elementwise comparison: a bool tensor, not differentiable."""
        if not isinstance(b, Tensor | Number | np.ndarray | list):
            return NotImplemented
        x = a.data if isinstance(a, Tensor) else a
        y = b.data if isinstance(b, Tensor) else b
        if isinstance(b, Tensor):
            backend.check_same_device(op, x, y)
        try:
            return Tensor(backend.asarray(ufunc(x, y)))
        except ValueError:
            raise ValueError(f"{op}: shapes {np.shape(x)} and {np.shape(y)} cannot be "
                             f"broadcast together") from None

    compare.__name__ = op
    return compare


eq, ne = _compare("eq", np.equal), _compare("ne", np.not_equal)
lt, le = _compare("lt", np.less), _compare("le", np.less_equal)
gt, ge = _compare("gt", np.greater), _compare("ge", np.greater_equal)
logical_and = _compare("logical_and", np.logical_and)
logical_or = _compare("logical_or", np.logical_or)


def logical_not(x: Tensor) -> Tensor:
    return Tensor(backend.asarray(np.logical_not(x.data)))


def clone(x: Tensor) -> Tensor:
    """A copy of ``x`` that is part of the graph (the gradient passes straight through)."""
    return Tensor._from_op(x.data.copy(), (x,), lambda g: (g,), "Clone")


# --------------------------------------------------------------- methods and operators
def _reflected(op):
    return lambda self, other: op(other, self)


_METHODS = {
    "__add__": add, "__radd__": _reflected(add), "__sub__": sub, "__rsub__": _reflected(sub),
    "__mul__": mul, "__rmul__": _reflected(mul), "__truediv__": div,
    "__rtruediv__": _reflected(div), "__pow__": pow, "__rpow__": _reflected(pow),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul), "__neg__": neg, "__abs__": abs,
    "__getitem__": getitem, "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le,
    "__gt__": gt, "__ge__": ge, "__and__": logical_and, "__or__": logical_or,
    "__invert__": logical_not,
    "add": add, "sub": sub, "mul": mul, "div": div, "pow": pow, "neg": neg, "matmul": matmul,
    "exp": exp, "log": log, "sqrt": sqrt, "abs": abs, "tanh": tanh, "sigmoid": sigmoid,
    "relu": relu, "clamp": clamp, "clip": clip, "maximum": maximum, "minimum": minimum,
    "sum": sum, "mean": mean, "var": var, "std": std, "max": max, "min": min, "amax": amax,
    "amin": amin, "argmax": argmax, "argmin": argmin, "reshape": reshape, "view": view,
    "flatten": flatten, "unsqueeze": unsqueeze, "squeeze": squeeze, "permute": permute,
    "transpose": transpose, "expand": expand, "broadcast_to": broadcast_to, "clone": clone,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
}
for _name, _function in _METHODS.items():
    setattr(Tensor, _name, _function)
Tensor.T = property(_T)
