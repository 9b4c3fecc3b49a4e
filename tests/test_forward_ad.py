"""Forward mode with dual numbers: every rule against torch's autograd, Jacobians against
torch.func.jacrev, and against nnlib's reverse mode."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import nnlib as nl
from nnlib import forward_ad as fa

FUNCTIONS = {  # the same formula written for duals and for torch
    "add": (lambda x: x + 3.0 + x, lambda x: x + 3.0 + x),
    "sub": (lambda x: 1.0 - x - x * 2, lambda x: 1.0 - x - x * 2),
    "mul": (lambda x: x * x * 1.5, lambda x: x * x * 1.5),
    "div": (lambda x: (x + 3.0) / (x * x + 1) + 2 / (x + 3),) * 2,
    "pow": (lambda x: (x * x + 1) ** 2.5 + 2.0 ** x, lambda x: (x * x + 1) ** 2.5 + 2.0 ** x),
    "pow dual": (lambda x: (x * x + 1) ** x, lambda x: (x * x + 1) ** x),
    "neg": (lambda x: -x * x, lambda x: -x * x),
    "exp log": (lambda x: fa.exp(x) * fa.log(x * x + 1), lambda x: x.exp() * (x * x + 1).log()),
    "sqrt": (lambda x: fa.sqrt(x * x + 2), lambda x: (x * x + 2).sqrt()),
    "sin cos": (lambda x: fa.sin(x) * fa.cos(2 * x), lambda x: x.sin() * (2 * x).cos()),
    "tanh sigmoid": (lambda x: fa.tanh(x) + fa.sigmoid(3 * x),
                     lambda x: x.tanh() + (3 * x).sigmoid()),
}  # fmt: skip


def torch_derivative(f, x: float) -> float:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    f(t).backward()
    return t.grad.item()


@pytest.mark.parametrize("name", FUNCTIONS)
@given(x=st.floats(-2.0, 2.0))
def test_each_rule_matches_torch(name: str, x: float) -> None:
    dual_f, torch_f = FUNCTIONS[name]
    t = torch.tensor(x, dtype=torch.float64)
    assert np.isclose(fa.jvp(dual_f, x, 1.0)[0], torch_f(t).item(), rtol=1e-12)
    assert np.isclose(fa.derivative(dual_f, x), torch_derivative(torch_f, x), rtol=1e-9,
                      atol=1e-12)


def test_functions_accept_plain_numbers() -> None:
    assert fa.sin(0.5) == np.sin(0.5)
    assert isinstance(fa.tanh(np.zeros(3)), np.ndarray)


def test_epsilon_squared_is_zero() -> None:
    eps = fa.Dual(0.0, 1.0)
    square = eps * eps
    assert square.value == 0 and square.tangent == 0


def test_jacobian_of_a_layer_matches_torch_and_nnlib_reverse_mode() -> None:
    rng = np.random.default_rng(0)
    W, b, x = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=3)

    def layer(v):
        return fa.tanh(W @ v + b) * v.sum()

    J = fa.jacfwd(layer, x)
    assert J.shape == (4, 3)
    expected = torch.func.jacrev(
        lambda v: torch.tanh(torch.from_numpy(W) @ v + torch.from_numpy(b)) * v.sum()
    )(torch.from_numpy(x))
    np.testing.assert_allclose(J, expected.numpy(), rtol=1e-10)
    rows = []
    for i in range(4):  # reverse mode: one backward pass per output
        xt = nl.tensor(x, requires_grad=True)
        ((nl.tensor(W) @ xt + nl.tensor(b)).tanh() * xt.sum())[i].backward()
        rows.append(xt.grad.numpy())
    np.testing.assert_allclose(J, np.stack(rows), rtol=1e-10)


def test_jvp_is_the_jacobian_times_the_direction() -> None:
    M = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]])
    value, tangent = fa.jvp(lambda v: fa.exp(M @ v), np.array([0.1, 0.2]), np.array([1.0, -2.0]))
    np.testing.assert_allclose(value, np.exp(M @ [0.1, 0.2]))
    np.testing.assert_allclose(tangent, np.exp(M @ [0.1, 0.2]) * (M @ [1.0, -2.0]))


def test_vector_helpers() -> None:
    d = fa.stack([fa.Dual(1.0, 2.0), 3.0])
    assert d.shape == (2,) and len(d) == 2
    assert d.tangent.tolist() == [2.0, 0.0]
    assert d[0].value == 1.0
    row = fa.Dual(np.ones(2), np.array([1.0, 0.0])) @ np.eye(2)
    assert row.tangent.tolist() == [1.0, 0.0]
    assert "tangent" in repr(d)
