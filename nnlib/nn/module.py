"""``Module``, the base class of every layer and model, and ``Parameter``, a learnable tensor.

As in torch, assigning a Parameter or a Module to an attribute registers it (``__setattr__``),
so ``parameters()``, ``state_dict()``, ``train()``/``eval()`` and ``repr`` find everything
without extra bookkeeping in the subclasses.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator

import numpy as np

from nnlib import backend
from nnlib.tensor import Tensor, as_array


class Parameter(Tensor):
    """A tensor that is a module's learnable weight: requires grad by default."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        data = np.empty(0, np.float32) if data is None else data
        super().__init__(data.data if isinstance(data, Tensor) else as_array(data),
                         requires_grad=requires_grad)
        if isinstance(data, Tensor):  # the same memory, so the same version counter
            self._version_counter = data._counter()

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class for layers and models: subclass it, set parameters and submodules as
    attributes in ``__init__``, and define ``forward``. Call the module to run ``forward``."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------------- registration
    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() call (call super().__init__())"
            )
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):  # only called when normal lookup fails
        for table in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(table, {}):
                return self.__dict__[table][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (``None`` records an absent one, like a Linear without bias)."""
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """Add a tensor that is state but not learned (saved in ``state_dict``)."""
        self._buffers[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        self._modules[name] = module

    # ---------------------------------------------------------------------------- traversal
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and all below it, each once, with dotted names ("" for this one)."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module._modules.items() if child is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        return (module for _, module in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        return ((name, m) for name, m in self._modules.items() if m is not None)

    def children(self) -> Iterator[Module]:
        return (module for _, module in self.named_children())

    def _named_tensors(self, table: str, prefix: str, recurse: bool):
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        seen: set[int] = set()
        for module_name, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_name}.{name}" if module_name else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        """(dotted name, parameter) pairs; a parameter shared by two layers appears once."""
        return self._named_tensors("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (param for _, param in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True):
        return self._named_tensors("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        return (buffer for _, buffer in self.named_buffers(recurse=recurse))

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule, then on this module; returns self."""
        for module in reversed(list(self.modules())):
            fn(module)
        return self

    # ------------------------------------------------------------------------------ state
    def train(self, mode: bool = True) -> Module:
        """Put this module and all below it in training mode (or eval mode); returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.zero_()

    def to(self, device: str) -> Module:
        """Move every parameter (and its gradient) and buffer to ``device``, in place, as
        torch does; returns self. An optimizer made before the move keeps working: the
        parameters stay the same objects, only their ``.data`` moves."""
        device = backend.check_device(device)
        for tensor in [*self.parameters(), *self.buffers()]:
            tensor.data = backend.to_device(tensor.data, device)
            if tensor.grad is not None:
                tensor.grad = Tensor(backend.to_device(tensor.grad.data, device))
        return self

    def cuda(self) -> Module:
        return self.to("cuda")

    def cpu(self) -> Module:
        return self.to("cpu")

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def state_dict(self) -> OrderedDict[str, Tensor]:
        """Parameters and buffers by dotted name, as detached tensors sharing memory."""
        state = OrderedDict()
        for name, module in self.named_modules():
            for table in (module._parameters, module._buffers):
                for key, value in table.items():
                    if value is not None:
                        state[f"{name}.{key}" if name else key] = value.detach()
        return state

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy values (tensors or arrays) from ``state_dict`` into the parameters and buffers.

        Raises KeyError naming missing and unexpected keys (when ``strict``) and ValueError for
        a shape mismatch, before changing anything.
        """
        own = self.state_dict()
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys "
                           f"{unexpected} for {type(self).__name__}")
        values = {key: as_array(value) for key, value in state_dict.items() if key in own}
        for key, value in values.items():
            if value.shape != own[key].shape:
                raise ValueError(f"load_state_dict: size mismatch for {key}: the checkpoint has "
                                 f"shape {value.shape}, the model {own[key].shape}")
        for key, value in values.items():
            own[key].copy_(value)  # own holds detached tensors: copy_ is allowed, and counted
        return IncompatibleKeys(missing, unexpected)

    # ----------------------------------------------------------------------------- printing
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        children = [f"({name}): " + repr(module).replace("\n", "\n  ")
                    for name, module in self._modules.items()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = ([self.extra_repr()] if self.extra_repr() else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
