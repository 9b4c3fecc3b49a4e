"""Optimizers: the ``Optimizer`` base class and ``SGD`` (torch's update rule, exactly).

An optimizer holds ``param_groups`` (lists of parameters with their settings, such as ``lr``)
and per-parameter ``state`` (such as a momentum buffer). ``step()`` reads each ``p.grad`` and
updates ``p`` in place; ``zero_grad()`` clears the gradients before the next backward.

For checkpoints, ``state_dict()`` and ``load_state_dict()`` use torch's layout, so a training run
can stop and resume exactly: parameters are named by their index (in order of appearance across
the groups), ``{"state": {index: {...}}, "param_groups": [{...settings, "params": [indices]}]}``.
Unlike torch, both copy the state tensors, so a saved dict never changes with later steps.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from itertools import chain

import numpy as np

from nnlib import backend
from nnlib.autograd import no_grad
from nnlib.tensor import Tensor, as_array


class Optimizer:
    """Base class: subclasses define ``step`` using ``self.param_groups`` and ``self.state``."""

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict) -> None:
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.defaults = defaults
        self.param_groups: list[dict] = []
        self.state: dict[Tensor, dict] = {}
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        """Add parameters with their own settings (unset ones come from the defaults)."""
        group = {**self.defaults, **group, "params": list(group["params"])}
        for param in group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(f"{type(self).__name__}: parameters must be Tensors, "
                                f"got {type(param).__name__}")
            if not param.requires_grad:
                raise ValueError(f"{type(self).__name__}: a parameter of shape {param.shape} "
                                 "does not require grad, so it would never be updated")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients (``None``, or zeros in place with ``set_to_none=False``)."""
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    param.grad.zero_()

    def step(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------------- checkpoints
    def _params(self) -> list[Tensor]:
        """Every parameter, group after group: the position of one is its index in a state dict."""
        return [param for group in self.param_groups for param in group["params"]]

    def state_dict(self) -> dict:
        """The optimizer's state and settings in torch's layout, with parameters as indices::

            {"state": {0: {"momentum_buffer": tensor}, ...},
             "param_groups": [{"lr": 0.1, ..., "params": [0, 1]}, ...]}

        Only parameters that have state (after a step with momentum, for SGD) appear in
        ``"state"``. Its tensors are copies on the state's device (torch returns the live
        tensors): the dict is a snapshot that later steps do not change, ready to pickle.
        """
        indices = {id(param): index for index, param in enumerate(self._params())}
        state = {indices[id(param)]: {key: _saved_value(value) for key, value in values.items()}
                 for param, values in self.state.items()}
        groups = [{**{key: value for key, value in group.items() if key != "params"},
                   "params": [indices[id(param)] for param in group["params"]]}
                  for group in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the settings and state saved by ``state_dict`` (nnlib's or torch's).

        The saved groups must match this optimizer's: as many groups, as many parameters in
        each (a ValueError says which differs); nothing changes if they do not. Each group
        takes the saved settings (``lr`` ...; extra ones, such as torch's ``foreach``, are kept
        as torch keeps them) but keeps its own parameters. State values may be
        nnlib Tensors, NumPy arrays or anything NumPy can read (a CPU torch tensor); they are
        copied onto their parameter's device, floating ones in the parameter's dtype, so the
        optimizer never shares memory with ``state_dict``.
        """
        name = f"{type(self).__name__}.load_state_dict: loaded state dict"
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name} has a different number of parameter groups: "
                             f"{len(saved_groups)}, the optimizer has {len(self.param_groups)}")
        for index, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name} contains a parameter group that doesn't match the size of "
                    f"optimizer's group: group {index} has {len(saved['params'])} parameters "
                    f"there, {len(group['params'])} in the optimizer")
        # The saved index lists name the parameters, in the same order as this optimizer's.
        param_of = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                            self._params(), strict=True))
        unknown = [index for index in state_dict["state"] if index not in param_of]
        if unknown:
            raise ValueError(f"{name} has state for parameter indices {unknown}, "
                             "which no parameter group lists")
        state = {}
        for index, values in state_dict["state"].items():
            param = param_of[index]
            state[param] = {key: _loaded_value(value, param) for key, value in values.items()}
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            group.update(copy.deepcopy({k: v for k, v in saved.items() if k != "params"}))
        self.state = state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items())
                      if key != "params"]
        return "\n".join(lines + [")"])


def _saved_value(value):
    """A state value as ``state_dict`` presents it: an array becomes a Tensor holding a copy (on
    the same device); anything else (a number) is copied as it is."""
    if isinstance(value, np.ndarray) or backend.is_device_array(value):
        return Tensor(value.copy())
    return copy.deepcopy(value)


def _loaded_value(value, param: Tensor):
    """A state value from a loaded state dict, as the optimizer keeps it for ``param``.

    Tensors and arrays (anything with ``__array__``, such as a torch tensor) become a new array
    on the parameter's device, in its dtype if floating; anything else is copied as it is.
    """
    if not hasattr(value, "__array__"):
        return copy.deepcopy(value)
    array = as_array(value)
    dtype = param.dtype if array.dtype.kind == "f" else array.dtype
    return backend.to_array(array, dtype=dtype, device=param.device, copy=True)


class SGD(Optimizer):
    """Stochastic gradient descent, with torch's momentum, dampening, Nesterov, weight decay.

    For each parameter p with gradient g:

        g = g + weight_decay * p
        b = g                                   (first step)
        b = momentum * b + (1 - dampening) * g  (later steps)
        g = g + momentum * b if nesterov else b (when momentum != 0)
        p = p - lr * g                          (p + lr * g with maximize=True)
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False,
                 maximize: bool = False) -> None:
        for name, value in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay)):
            if value < 0:
                raise ValueError(f"SGD: invalid {name} {value}; it must be >= 0")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires momentum > 0 and dampening = 0")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    @no_grad()  # the update is not part of any graph (and sub_ is allowed on parameters)
    def step(self) -> None:
        for group in self.param_groups:
            momentum, dampening = group["momentum"], group["dampening"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad.data
                if group["maximize"]:
                    grad = -grad
                if group["weight_decay"]:
                    grad = grad + group["weight_decay"] * param.data
                if momentum:
                    state = self.state.setdefault(param, {})
                    buffer = state.get("momentum_buffer")
                    if buffer is None:
                        buffer = state["momentum_buffer"] = grad.copy()  # on grad's device
                    else:
                        buffer *= momentum
                        buffer += (1 - dampening) * grad
                    grad = grad + momentum * buffer if group["nesterov"] else buffer
                param.sub_(group["lr"] * grad)  # in place: counted in param's version
