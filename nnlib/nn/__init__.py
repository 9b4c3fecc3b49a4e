"""Neural-network building blocks: ``Module``, ``Parameter``, layers, losses, and
``functional``."""

from nnlib.nn import functional
from nnlib.nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from nnlib.nn.module import Module, Parameter
from nnlib.nn.modules import (
    ELU,
    GELU,
    Dropout,
    Flatten,
    Hardsigmoid,
    Hardswish,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    ReLU6,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)

__all__ = [
    "functional", "Module", "Parameter", "Linear", "Sequential", "Dropout", "Flatten",
    "Identity", "ReLU", "ReLU6", "Sigmoid", "Tanh", "SiLU", "GELU", "LeakyReLU", "ELU",
    "Hardsigmoid", "Hardswish", "Softmax", "LogSoftmax", "MSELoss", "L1Loss", "HuberLoss",
    "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss",
]
