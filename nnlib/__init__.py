"""nnlib: the small deep-learning library the book builds, chapter by chapter.

Importing nnlib has no side effects: it sets no random seed, print option or plotting style.
"""

from nnlib import autograd, cuda, data, init, nn, optim, random
from nnlib.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from nnlib.backend import bool_ as bool
from nnlib.backend import float32, float64, int64
from nnlib.creation import (
    arange,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from nnlib.ops import (
    abs,
    amax,
    amin,
    argmax,
    argmin,
    broadcast_to,
    cat,
    clamp,
    clip,
    clone,
    exp,
    flatten,
    log,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    permute,
    relu,
    reshape,
    sigmoid,
    sqrt,
    squeeze,
    stack,
    std,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from nnlib.random import manual_seed
from nnlib.tensor import Tensor, tensor

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "cuda", "float32", "float64", "int64", "bool", "manual_seed",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "zeros", "ones", "full", "eye", "arange", "linspace", "randn", "rand", "randint", "randperm",
    "zeros_like", "ones_like", "full_like", "randn_like", "rand_like",
    "abs", "amax", "amin", "argmax", "argmin", "broadcast_to", "cat", "clamp", "clip", "clone",
    "exp", "flatten", "log", "matmul", "max", "maximum", "mean", "min", "minimum", "permute",
    "relu", "reshape", "sigmoid", "sqrt", "squeeze", "stack", "std", "sum", "tanh", "transpose",
    "unsqueeze", "var", "where",
    "autograd", "data", "init", "nn", "optim", "random",
]
