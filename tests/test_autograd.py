"""The backward pass: accumulation along several paths and across calls, leaves and non-leaves,
no_grad, detach, deep graphs, and the gradcheck helper itself."""

from __future__ import annotations

import numpy as np
import pytest

import nnlib as nl
from nnlib.autograd import gradcheck, topological_order
from nnlib.tensor import Tensor


def test_gradient_along_several_paths_adds_up():
    x = nl.tensor(3.0, requires_grad=True)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad.item() == 7.0


def test_diamond_graph_and_reused_intermediate():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a * a + a.exp() + a  # a used three times
    b.sum().backward()
    expected = 2 * (2 * (2 * np.array([1.0, 2.0])) + np.exp(2 * np.array([1.0, 2.0])) + 1)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


def test_same_tensor_on_both_sides_of_an_op():
    x = nl.tensor([1.0, -2.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, -4.0]
    x.grad = None
    (x + x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_grad_accumulates_across_backward_calls_until_cleared():
    w = nl.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (w * 5).sum().backward()
    assert w.grad.tolist() == [15.0, 15.0]
    w.grad.zero_()
    (w * 2).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0]


def test_grads_of_two_leaves_fed_the_same_array_are_independent():
    a, b = nl.tensor([1.0], requires_grad=True), nl.tensor([2.0], requires_grad=True)
    (a + b).sum().backward()  # add hands the same gradient array to both parents
    a.grad.zero_()
    assert b.grad.tolist() == [1.0]


def test_only_leaves_get_grad_unless_retained():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    kept = hidden * 2
    kept.retain_grad()
    (kept * kept).sum().backward()
    assert hidden.grad is None and not hidden.is_leaf
    assert kept.grad.tolist() == [12.0, 24.0]
    assert x.grad.tolist() == [72.0, 144.0]


def test_inputs_without_requires_grad_get_no_grad():
    x, c = nl.tensor([1.0], requires_grad=True), nl.tensor([5.0])
    (x * c).sum().backward()
    assert c.grad is None and x.grad.tolist() == [5.0]


def test_no_grad_context_and_decorator():
    x = nl.tensor([1.0], requires_grad=True)
    with nl.no_grad():
        y = x * 2
        with nl.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.is_leaf and z.requires_grad
    assert nl.is_grad_enabled()

    @nl.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad and nl.is_grad_enabled()
    with nl.set_grad_enabled(False):
        assert not (x + 1).requires_grad


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError), nl.no_grad():
        raise ZeroDivisionError
    assert nl.is_grad_enabled()


def test_detach_shares_memory_and_cuts_the_graph():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and np.shares_memory(d.numpy(), y.numpy())
    (y * d).sum().backward()  # d is a constant: dy/dx only through y
    assert x.grad.tolist() == [4.0, 8.0]


def test_a_10000_op_chain_backpropagates_without_recursion():
    x = nl.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.0001**10_000, rtol=1e-3)


def test_topological_order_puts_users_before_inputs():
    x = nl.tensor(1.0, requires_grad=True)
    a = x * 2
    b = a + x
    c = b * a
    order = topological_order(c)
    position = {id(t): i for i, t in enumerate(order)}
    for node in order:
        for parent in node._parents:
            if parent.requires_grad:
                assert position[id(node)] < position[id(parent)]


def test_backward_can_run_twice_on_the_same_graph():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    loss.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_explicit_gradient_for_non_scalar_output():
    x = nl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * 2).backward(gradient=nl.tensor([1.0, 0.0, -1.0]))
    assert x.grad.tolist() == [2.0, 0.0, -2.0]
    x.grad = None
    (x * 2).backward(np.ones(3))
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_in_place_updates_allowed_under_no_grad_only():
    w = nl.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with nl.no_grad():
        w -= 0.5 * w.grad
        w.add_(1.0).mul_(2.0)
    assert w.tolist() == [2.0, 2.0] and w.requires_grad and w.is_leaf
    with pytest.raises(RuntimeError, match="in-place"):
        w += 1
    plain = nl.tensor([1.0, 2.0])
    plain += 1
    plain[0] = 10.0
    assert plain.tolist() == [10.0, 3.0]


def test_type_conversion_is_differentiable():
    x = nl.tensor([1.5, 2.5], requires_grad=True)
    y = x.double() * 2
    y.sum().backward()
    assert y.dtype == nl.float64 and x.grad.dtype == nl.float32 and x.grad.tolist() == [2, 2]


def test_grad_fn_is_the_backward_function():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    assert x.grad_fn is None
    (grad_x, grad_3) = y.grad_fn(np.ones(2, np.float32))
    assert grad_x.tolist() == [3.0, 3.0]


def test_gradcheck_accepts_correct_and_rejects_wrong_gradients():
    x = nl.tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    assert gradcheck(lambda t: (t * t).exp(), [x])

    def wrong_square(t):  # forward t^2, backward claims 3t
        return Tensor._from_op(t.data**2, (t,), lambda g: (g * 3 * t.data,), "WrongSquare")

    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(wrong_square, [x])
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda t: t * 2, [nl.tensor([1.0], requires_grad=True)])
