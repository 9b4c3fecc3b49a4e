"""The Tensor: an array of numbers that remembers how it was computed.

``t.data`` is the array holding the values (as in micrograd; in torch ``.data`` is a tensor): a
NumPy array on "cpu", a ``CudaArray`` on "cuda" (see ``nnlib.backend``). Changing ``t.data``
directly (``t.data[0] = 1``, ``t.data -= 1``; also the array ``t.numpy()`` returns) is unchecked,
like torch's ``.data``: nnlib does not see it.
A tensor made by an op keeps its inputs (``_parents``) and a ``_backward`` function; see
``nnlib.autograd``. The math (``+``, ``@``, ``exp``, ``sum``, indexing, ...) lives in
``nnlib.ops``, where each op's forward and backward sit side by side; ``ops`` attaches those
functions to ``Tensor`` as methods and operators.

In-place changes (``+=``, ``copy_``, ``t[i] = v``, an optimizer step, ``nn.init``) are counted,
as in torch: each tensor has a version, the number of in-place changes of its memory so far,
shared by the tensors that share that memory (``detach()``, and views made by reshape, transpose
or slicing). An op records the versions of the tensors its backward reads, and ``backward``
raises if one changed in between, instead of silently using the changed values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Number

import numpy as np

from nnlib import autograd, backend

Backward = Callable[[np.ndarray], Sequence[np.ndarray | None]]


class VersionCounter:
    """How many times a tensor's memory was changed in place (torch's ``t._version``).

    Tensors that share memory share one counter (``detach()``, views), so a change made through
    any of them is seen by all. A tensor makes its counter when first needed (see
    ``Tensor._counter``); until then its version is 0, so the many tensors never changed in
    place cost nothing extra.
    """

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class Tensor:
    """An n-dimensional array with autograd. Build one with ``nl.tensor(data)``.

    ``Tensor(array)`` wraps an existing array without copying; ``nl.tensor`` copies, as in torch.
    """

    __slots__ = ("data", "requires_grad", "grad", "_parents", "_backward", "_op", "_retains_grad",
                 "_version_counter", "_saved_versions")
    __array_ufunc__ = None  # `ndarray + tensor` calls Tensor.__radd__ instead of NumPy's loop
    __hash__ = object.__hash__  # hashable by identity although `==` is elementwise, like torch

    def __init__(self, data, requires_grad: bool = False) -> None:
        self.data = data if isinstance(data, np.ndarray) or backend.is_device_array(data) \
            else as_array(data)
        self.grad: Tensor | None = None
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Backward | None = None
        self._op = ""
        self._retains_grad = False
        self._version_counter: VersionCounter | None = None  # made on first need: version 0
        self._saved_versions: Sequence[tuple[Tensor | None, int]] = ()
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_op(cls, data, parents: tuple[Tensor, ...], backward: Backward, op: str,
                 saved: tuple[Tensor | None, ...] = (), saves_output: bool = False) -> Tensor:
        """The output of op ``op``; records ``parents`` and ``backward`` if one needs grad.

        ``saved``: the tensors whose values ``backward`` will read (None entries are skipped);
        ``saves_output``: whether it reads the output's. Their current versions are recorded,
        and ``autograd.run_backward`` checks that they are unchanged before calling ``backward``.
        """
        out = object.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else backend.asarray(data)
        out.grad = None
        out._retains_grad = False
        out._op = op
        out._version_counter = None
        # (any of a list, not of a generator: twice as fast for an op's few parents)
        if autograd._grad_enabled and any([p.requires_grad for p in parents]):
            out.requires_grad, out._parents, out._backward = True, parents, backward
            out._saved_versions = versions = []
            for t in saved:  # the versions of what backward will read, as they are now
                if t is not None:
                    versions.append((t, t._version))
            if saves_output:  # None: the output itself (new, so at version 0; storing `out`
                versions.append((None, 0))  # in its own list would make a reference cycle)
        else:
            out.requires_grad, out._parents, out._backward = False, (), None
            out._saved_versions = ()
        return out

    # ----------------------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def device(self) -> str:
        return backend.device_of(self.data)

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded op (the ones whose ``.grad`` backward fills)."""
        return self._backward is None

    @property
    def grad_fn(self) -> Backward | None:
        """The function mapping this tensor's gradient to its inputs' gradients (None on leaves)."""
        return self._backward

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    # ------------------------------------------------------------------------------- autograd
    def backward(self, gradient=None) -> None:
        """Compute d self / d leaf for every leaf that requires grad, adding it to ``leaf.grad``.

        ``gradient`` is d loss / d self, shaped like self; it may be left out for a scalar.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no graph to go back "
                "through; create the inputs with requires_grad=True (and not under no_grad)"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    "backward: grad can be implicitly created only for scalar outputs; "
                    f"pass gradient= with shape {self.shape}"
                )
            grad = np.ones_like(self.data)
        else:
            grad = as_array(gradient.data if isinstance(gradient, Tensor) else gradient)
            backend.check_same_device("backward", self.data, grad)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward: gradient has shape {grad.shape} but the tensor has {self.shape}"
                )
            grad = grad.astype(self.dtype, copy=False)
        autograd.run_backward(self, grad)

    def _accumulate_grad(self, grad: np.ndarray) -> None:
        """Add ``grad`` to ``.grad`` (copying: the array may be shared with other tensors)."""
        if self.grad is None:
            self.grad = Tensor(grad.astype(self.data.dtype, copy=True))
        else:
            self.grad = Tensor(self.grad.data + grad)

    def retain_grad(self) -> None:
        """Ask backward to also fill ``.grad`` of this non-leaf tensor."""
        self._retains_grad = True

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Start (or stop) recording ops on this leaf; returns self."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad: only floating-point tensors can require gradients, "
                f"got {self.dtype}"
            )
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: only leaf tensors can change requires_grad")
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """The same values (shared memory, and so the same version counter), cut from the
        graph. To change values without touching this tensor, change ``detach().clone()``."""
        out = Tensor(self.data)
        out._version_counter = self._counter()
        return out

    # --------------------------------------------------------------------------- versions
    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has seen (torch's ``t._version``)."""
        return 0 if self._version_counter is None else self._version_counter.count

    def _counter(self) -> VersionCounter:
        """This tensor's version counter, made now if it has none yet."""
        if self._version_counter is None:
            self._version_counter = VersionCounter()
        return self._version_counter

    def _bump_version(self) -> None:
        """Count one in-place change: every in-place method calls this after changing ``data``."""
        self._counter().count += 1

    # ---------------------------------------------------------------------------- conversion
    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied; unlike torch, allowed with requires_grad;
        changing it is unchecked, like ``.data``).
        On "cuda" a NumPy copy of the values: this copies device -> host."""
        return backend.to_host(self.data)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        data = self.numpy()
        return data if dtype is None else data.astype(dtype)

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise ValueError(f"item: the tensor has {self.data.size} elements, not 1")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor with {self.data.size} elements is ambiguous"
            )
        return bool(self.data.item())

    def to(self, target) -> Tensor:
        """``t.to("cuda")``, ``t.to("cpu")`` or ``t.to(nl.float64)``: a tensor on that device or
        of that dtype (``self`` if nothing changes).

        Moving copies the values (host <-> device) and is recorded like any op: the gradient
        flows back to the original tensor, moved back to its device, as in torch.
        """
        if isinstance(target, str) and target.split(":")[0] in ("cpu", "cuda", "mps"):
            device, source = backend.check_device(target), self.device
            if device == source:
                return self
            return Tensor._from_op(backend.to_device(self.data, device), (self,),
                                   lambda g: (backend.to_device(g, source),), "ToCopy")
        return self.type(target)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self) -> Tensor:
        return self.to("cuda")

    def float(self) -> Tensor:
        return self.type(backend.float32)

    def double(self) -> Tensor:
        return self.type(backend.float64)

    def long(self) -> Tensor:
        return self.type(backend.int64)

    def bool(self) -> Tensor:
        return self.type(backend.bool_)

    def type(self, dtype) -> Tensor:
        """This tensor converted to ``dtype``; the gradient flows back converted to ours."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        return Tensor._from_op(self.data.astype(dtype), (self,), lambda g: (g,), "ToCopy")

    # ------------------------------------------------------------------ in-place updates
    # Each one checks that it may run (_check_inplace), changes self.data in place, then counts
    # the change (_bump_version), so that backward can tell if a value it needs was overwritten.
    def _check_inplace(self, op: str) -> None:
        """In-place ops are not recorded in the graph, so a tensor that requires grad may only
        be changed in place where nothing is recorded: inside ``no_grad``."""
        if self.requires_grad and autograd._grad_enabled:
            raise RuntimeError(
                f"{op}: in-place change of a tensor that requires grad, which the graph cannot "
                "record; write it out of place (y = y + 1), or change a copy, "
                "y.detach().clone() (y.detach() alone shares y's memory), or, for a parameter "
                "update, do it inside `with nl.no_grad():` as an optimizer does"
            )

    def _inplace(self, op: str, ufunc, other) -> Tensor:
        self._check_inplace(op)
        ufunc(self.data, other.data if isinstance(other, Tensor) else other, out=self.data)
        self._bump_version()
        return self

    def __iadd__(self, other) -> Tensor:
        return self._inplace("add_", np.add, other)

    def __isub__(self, other) -> Tensor:
        return self._inplace("sub_", np.subtract, other)

    def __imul__(self, other) -> Tensor:
        return self._inplace("mul_", np.multiply, other)

    def __itruediv__(self, other) -> Tensor:
        return self._inplace("div_", np.divide, other)

    def add_(self, other, alpha: float = 1) -> Tensor:
        return self._inplace("add_", np.add, other if alpha == 1 else other * alpha)

    def sub_(self, other, alpha: float = 1) -> Tensor:
        return self._inplace("sub_", np.subtract, other if alpha == 1 else other * alpha)

    def mul_(self, other) -> Tensor:
        return self._inplace("mul_", np.multiply, other)

    def div_(self, other) -> Tensor:
        return self._inplace("div_", np.divide, other)

    def clamp_(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Limit the values to [min, max] in place."""
        if min is None and max is None:
            raise ValueError("clamp_: at least one of min and max must be given")
        self._check_inplace("clamp_")
        np.clip(self.data, min, max, out=self.data)
        self._bump_version()
        return self

    def copy_(self, src) -> Tensor:
        """Overwrite the values with ``src`` (broadcast), keeping this tensor's dtype."""
        self._check_inplace("copy_")
        self.data[...] = src.data if isinstance(src, Tensor) else src
        self._bump_version()
        return self

    def fill_(self, value) -> Tensor:
        return self.copy_(value)

    def zero_(self) -> Tensor:
        return self.copy_(0)

    def __setitem__(self, index, value) -> None:
        self._check_inplace("setitem")
        self.data[index_array(index)] = value.data if isinstance(value, Tensor) else value
        self._bump_version()

    # ----------------------------------------------------------------------------- printing
    def __repr__(self) -> str:
        extras = []
        if self.dtype not in (backend.float32, backend.int64, backend.bool_):
            extras.append(f"dtype=nnlib.{self.dtype}")
        if self._backward is not None:
            extras.append(f"grad_fn=<{self._op}Backward>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.device != "cpu":
            extras.insert(0, f"device='{self.device}'")
        return format_tensor(self.numpy(), extras)

    __str__ = __repr__


# ----------------------------------------------------------------------------------- making
def as_array(data, dtype=None, copy: bool = False) -> np.ndarray:
    """``data`` as an array with torch's default dtypes.

    Python floats become float32, ints int64, bools bool. NumPy arrays and scalars keep their
    dtype (so float64 data stays float64). A ``dtype`` overrides all of that.
    """
    if isinstance(data, Tensor):
        data = data.data
    if backend.is_device_array(data):
        return backend.to_array(data, dtype=dtype, device=data.device, copy=copy)
    if dtype is not None:
        return backend.to_array(data, dtype=np.dtype(dtype), copy=copy)
    array = backend.to_array(data, copy=copy)
    if array.dtype == np.float64 and not isinstance(data, np.ndarray | np.generic):
        array = array.astype(backend.DEFAULT_FLOAT)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"tensor: cannot make a tensor of {array.dtype} from {type(data).__name__}")
    return array


def tensor(data, dtype=None, requires_grad: bool = False, device: str = "cpu") -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or a tensor).

    Float data becomes float32 unless it is a float64 NumPy array; ints int64; bools bool.
    """
    device = backend.check_device(device)
    array = backend.to_device(as_array(data, dtype=dtype, copy=True), device)
    return Tensor(array, requires_grad=requires_grad)


def index_array(index):
    """An index with Tensors replaced by their arrays, for NumPy indexing."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


# ------------------------------------------------------------------------- dtype promotion
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < integer < floating point
_SCALAR_DTYPE = {0: backend.bool_, 1: backend.int64, 2: backend.DEFAULT_FLOAT}


def result_dtype(*operands: Tensor | Number) -> np.dtype:
    """The dtype torch computes ``a op b`` in.

    The highest category (bool < int < float) wins. Within it, tensors with dimensions decide
    before 0-d tensors, and those before Python numbers: float32 tensor * 2.0 stays float32,
    an int64 tensor * 2.5 gives float32 (the default float), float32 + 0-d float64 is float32.
    """
    arrays = [op.data for op in operands if isinstance(op, Tensor)]
    scalars = [op for op in operands if not isinstance(op, Tensor)]
    top = max(
        [_CATEGORY[a.dtype.kind] for a in arrays]
        + [0 if isinstance(s, bool | np.bool_) else 1 if isinstance(s, int | np.integer) else 2
           for s in scalars]
    )
    for group in ([a for a in arrays if a.ndim], [a for a in arrays if not a.ndim]):
        dtypes = [a.dtype for a in group if _CATEGORY[a.dtype.kind] == top]
        if dtypes:
            return np.result_type(*dtypes)
    return _SCALAR_DTYPE[top]


# -------------------------------------------------------------------------------- printing
# torch's layout (torch/_tensor_str.py) with its default options, so the two print alike.
LINE_WIDTH, EDGE_ITEMS, THRESHOLD = 80, 3, 1000


def _summarized(data: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows: the first and last EDGE_ITEMS along each dim."""
    keep = [np.r_[0:min(EDGE_ITEMS, n), max(n - EDGE_ITEMS, EDGE_ITEMS):n] for n in data.shape]
    return data[np.ix_(*keep)]


def _formatter(data: np.ndarray) -> tuple[Callable[[object], str], int]:
    """A function formatting one element, padded to the width all elements share.

    Floats: whole numbers print as ``2.``, others with 4 decimals, and in scientific notation
    when the nonzero magnitudes span more than 1000x, exceed 1e8 or (non-whole) go below 1e-4.
    """
    if data.dtype.kind != "f":
        width = max(len(str(v)) for v in data.ravel().tolist())
        return (lambda v: str(v).rjust(width)), width
    values = data[np.isfinite(data) & (data != 0)].astype(np.float64).ravel()
    style = "{:.0f}."
    if values.size:
        magnitude = np.abs(values)
        whole = bool(np.all(values == np.ceil(values)))
        wide = magnitude.max() / magnitude.min() > 1000 or magnitude.max() > 1e8
        if wide or (not whole and magnitude.min() < 1e-4):
            style = "{:.4e}"
        elif not whole:
            style = "{:.4f}"
    width = max([1] + [len(style.format(v)) for v in values.tolist()])

    def one(value: float) -> str:
        text = str(value) if not np.isfinite(value) else style.format(value)
        return text.rjust(width)

    return one, width


def _layout(data: np.ndarray, one, width: int, indent: int, summarize: bool) -> str:
    """Nested brackets: rows of a vector wrap at LINE_WIDTH, inner blocks get blank lines."""
    if data.ndim == 0:
        return one(data.item())
    long = summarize and data.shape[0] > 2 * EDGE_ITEMS
    rows = [*range(EDGE_ITEMS), None, *range(len(data) - EDGE_ITEMS, len(data))] if long else \
        range(len(data))
    if data.ndim == 1:
        items = [" ..." if i is None else one(data[i].item()) for i in rows]
        per_line = max(1, (LINE_WIDTH - indent) // (width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    parts = ["..." if i is None else _layout(data[i], one, width, indent + 1, summarize)
             for i in rows]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def format_tensor(data: np.ndarray, extras: Sequence[str] = ()) -> str:
    """``tensor([1.5000, 2.0000], requires_grad=True)``, laid out like torch prints."""
    extras = list(extras)
    if data.size == 0:
        body = "[]"
        if data.shape != (0,):
            extras.insert(0, f"size={data.shape}")
    else:
        summarize = data.size > THRESHOLD
        one, width = _formatter(_summarized(data) if summarize else data)
        body = _layout(data, one, width, len("tensor("), summarize)
    return "tensor(" + ", ".join([body, *extras]) + ")"
