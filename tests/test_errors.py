"""Bad input gets an error that names the op and the shapes or dtypes involved."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nnlib as nl
import nnlib.nn.functional as F


def raises(error, message):
    return pytest.raises(error, match=re.escape(message))


def test_matmul_errors():
    with raises(ValueError, "matmul: (2, 3) @ (4, 5): inner dimensions 3 and 4 differ"):
        nl.zeros(2, 3) @ nl.zeros(4, 5)
    with raises(ValueError, "matmul: (3,) @ (4,): inner dimensions 3 and 4 differ"):
        nl.matmul(nl.zeros(3), nl.zeros(4))
    with raises(ValueError, "matmul: (2, 2, 3) @ (3, 3, 1): batch dimensions (2,) and (3,)"):
        nl.zeros(2, 2, 3) @ nl.zeros(3, 3, 1)
    with raises(ValueError, "matmul: () @ (3,): both operands need at least one dim"):
        nl.tensor(1.0) @ nl.zeros(3)
    with raises(TypeError, "matmul: both operands must be tensors, got Tensor @ float"):
        nl.zeros(3) @ 2.0


@pytest.mark.parametrize("op, name", [
    (lambda a, b: a + b, "add"), (lambda a, b: a - b, "sub"), (lambda a, b: a * b, "mul"),
    (lambda a, b: a / b, "div"), (lambda a, b: a**b, "pow"), (nl.maximum, "maximum"),
    (nl.minimum, "minimum"), (lambda a, b: nl.where(a > 0, a, b), "where"),
    (lambda a, b: a < b, "lt"),
])
def test_broadcasting_errors_name_the_op_and_both_shapes(op, name):
    with raises(ValueError, f"{name}: shapes (2, 3) and (4,) cannot be broadcast together"):
        op(nl.ones(2, 3), nl.ones(4))


def test_backward_errors():
    x = nl.ones(2, 3, requires_grad=True)
    with raises(RuntimeError, "backward: grad can be implicitly created only for scalar outputs;"
                " pass gradient= with shape (2, 3)"):
        (x * 2).backward()
    with raises(RuntimeError, "backward: this tensor does not require grad"):
        nl.ones(3).sum().backward()
    with raises(ValueError, "backward: gradient has shape (3,) but the tensor has (2, 3)"):
        (x * 2).backward(nl.ones(3))
    with nl.no_grad():
        y = (x * 2).sum()
    with raises(RuntimeError, "does not require grad"):
        y.backward()


def test_requires_grad_needs_floats():
    with raises(TypeError, "only floating-point tensors can require gradients, got int64"):
        nl.tensor([1, 2], requires_grad=True)


def test_cross_entropy_target_errors():
    logits = nl.zeros(3, 5)
    with raises(ValueError, "cross_entropy: target has shape (3, 1) but input (3, 5) needs (3,)"):
        F.cross_entropy(logits, nl.tensor([[1], [2], [0]]))
    with raises(TypeError, "cross_entropy: target must hold integer class indices (int64), "
                "got bool"):
        F.cross_entropy(logits, nl.tensor([True, False, True]))
    with raises(ValueError, "cross_entropy: target values must lie in [0, 5); got 7"):
        F.cross_entropy(logits, nl.tensor([0, 7, 1]))
    with raises(ValueError, "cross_entropy: target values must lie in [0, 5); got -1"):
        F.cross_entropy(logits, nl.tensor([0, -1, 1]))
    with raises(ValueError, "cross_entropy: probability targets must have the input's shape"):
        F.cross_entropy(logits, nl.zeros(3, 4))
    with raises(ValueError, "cross_entropy: input must be (N, C) scores or (C,), got shape"):
        F.cross_entropy(nl.zeros(2, 3, 4), nl.tensor([0, 1]))
    with raises(ValueError, "cross_entropy: reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        F.cross_entropy(logits, nl.tensor([0, 1, 2]), reduction="avg")
    with raises(ValueError, "nll_loss: target values must lie in [0, 5); got 5"):
        F.nll_loss(logits, nl.tensor([0, 5, 1]))


def test_loss_shape_and_range_errors():
    with raises(ValueError, "mse_loss: input shape (3, 1) and target shape (3,) differ"):
        F.mse_loss(nl.zeros(3, 1), nl.zeros(3))
    with raises(ValueError, "binary_cross_entropy: input must hold probabilities in [0, 1]"):
        F.binary_cross_entropy(nl.tensor([1.5]), nl.tensor([1.0]))
    with raises(ValueError, "l1_loss: reduction must be"):
        F.l1_loss(nl.zeros(2), nl.zeros(2), reduction="mean ")
    with raises(ValueError, "dropout: p must be between 0 and 1, got 1.5"):
        F.dropout(nl.zeros(2), 1.5)
    with raises(ValueError, "gelu: approximate must be 'none' or 'tanh'"):
        F.gelu(nl.zeros(2), approximate="erf")
    with raises(ValueError, "linear: input of shape (2, 3) has (3,) features but weight (4, 5)"):
        F.linear(nl.zeros(2, 3), nl.zeros(4, 5))


def test_shape_op_errors():
    x = nl.zeros(2, 3)
    with raises(ValueError, "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) "
                "into shape (4,)"):
        x.reshape(4)
    with raises(IndexError, "sum: dim 2 is out of range for a tensor with 2 dimensions"):
        x.sum(2)
    with raises(IndexError, "transpose: dim -3 is out of range"):
        x.transpose(0, -3)
    with raises(ValueError, "permute: (0, 0) is not a permutation of the 2 dims of (2, 3)"):
        x.permute(0, 0)
    with raises(ValueError, "cat: tensors must have the same shape except in dim 0; got (2, 3), "
                "(2, 4)"):
        nl.cat([x, nl.zeros(2, 4)])
    with raises(ValueError, "stack: all tensors must have the same shape"):
        nl.stack([x, nl.zeros(3, 2)])
    with raises(ValueError, "cat: tensor 1 is 0-d and has no dim to join along; use stack"):
        nl.cat([nl.tensor([1.0]), nl.tensor(2.0)])
    with raises(IndexError, "unsqueeze: dim 3 is out of range for a tensor with 2 dimensions "
                "(expected a dim in [-3, 2])"):
        x.unsqueeze(3)
    with raises(IndexError, "unsqueeze: dim 2 is out of range for a tensor with 0 dimensions "
                "(expected a dim in [-1, 0])"):
        nl.tensor(3.0).unsqueeze(2)
    with raises(ValueError, "broadcast_to: cannot broadcast shape (2, 3) to (3, 3)"):
        x.broadcast_to(3, 3)
    with raises(IndexError, "index: index 5 is out of bounds"):
        x[5]
    with raises(TypeError, "sum: pass dim= or axis=, not both"):
        x.sum(dim=0, axis=1)
    with raises(TypeError, "var: pass unbiased= or correction=, not both"):
        x.var(unbiased=True, correction=0)


def test_conversion_errors():
    with raises(ValueError, "item: the tensor has 2 elements, not 1"):
        nl.zeros(2).item()
    with raises(RuntimeError, "bool: the truth value of a tensor with 2 elements is ambiguous"):
        bool(nl.zeros(2))
    with raises(TypeError, "len() of a 0-d tensor"):
        len(nl.tensor(1.0))
    with raises(TypeError, "tensor: cannot make a tensor of <U1"):
        nl.tensor(["a"])
    with raises(TypeError, "add: unsupported operand of type str"):
        nl.zeros(2) + "a"
    with raises(ValueError, "device 'mps' is not supported"):
        nl.ones(2, device="mps")
    with raises(TypeError, "gradcheck: inputs must be float64"):
        nl.autograd.gradcheck(lambda t: t, [nl.zeros(1, requires_grad=True)])
    assert np.isnan(nl.tensor([1.0]).var().item())  # one element: nan, as in torch
