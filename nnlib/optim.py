"""Optimizers: the ``Optimizer`` base class and ``SGD`` (torch's update rule, exactly).

An optimizer holds ``param_groups`` (lists of parameters with their settings, such as ``lr``)
and per-parameter ``state`` (such as a momentum buffer). ``step()`` reads each ``p.grad`` and
updates ``p`` in place; ``zero_grad()`` clears the gradients before the next backward.
"""

from __future__ import annotations

from collections.abc import Iterable

from nnlib.autograd import no_grad
from nnlib.tensor import Tensor


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

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items())
                      if key != "params"]
        return "\n".join(lines + [")"])


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
