"""nnlib.nn: Module bookkeeping, Linear and the other layers against torch.nn, state dicts,
reprs, and a small end-to-end training run on the digits."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest
import torch
from conftest import assert_close, check_against_torch

import nnlib as nl
import nnlib.nn.functional as F
from nnlib import nn


def make_mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Dropout(0.1),
                             lib.nn.Linear(8, 3, bias=False), lib.nn.LogSoftmax(dim=1))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(2, 2)
        self.shared = self.inner  # the same module twice: its parameters count once
        self.scale = nn.Parameter(nl.ones(1))
        self.register_buffer("steps", nl.zeros(1))
        self.note = "not registered"

    def forward(self, x):
        return self.inner(x) * self.scale


def test_parameters_are_registered_by_assignment_like_torch():
    model, reference = make_mlp(nl), make_mlp(torch)
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in reference.named_parameters()]
    assert [p.shape for p in model.parameters()] == [tuple(p.shape) for p in reference.parameters()]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in model.parameters())
    assert len(list(model.children())) == 5 and len(list(model.modules())) == 6


def test_nested_module_shares_and_buffers():
    block = Block()
    assert [n for n, _ in block.named_parameters()] == ["scale", "inner.weight", "inner.bias"]
    assert list(block.state_dict()) == ["scale", "steps", "inner.weight", "inner.bias"]
    assert [n for n, _ in block.named_modules()] == ["", "inner"]
    assert block.note == "not registered" and "note" not in block.state_dict()
    assert [b.shape for b in block.buffers()] == [(1,)]
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        _ = block.missing
    del block.scale
    assert [n for n, _ in block.named_parameters()] == ["inner.weight", "inner.bias"]


def test_train_eval_propagate_and_dropout_obeys():
    model = make_mlp(nl)
    assert model.training and model[2].training
    assert model.eval() is model and not model[2].training
    x = nl.randn(5, 4)
    assert model(x).tolist() == model(x).tolist()  # no dropout in eval mode
    model.train()
    assert all(m.training for m in model.modules())


def test_linear_init_shapes_and_bounds_follow_torch():
    layer = nn.Linear(400, 30)
    assert layer.weight.shape == (30, 400) and layer.bias.shape == (30,)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.numpy()).max() <= bound and p.dtype == nl.float32
    assert abs(layer.weight.numpy().std() - bound / math.sqrt(3)) < 0.02 * bound
    assert nn.Linear(3, 2, bias=False).bias is None
    assert nn.Linear(3, 2, dtype=nl.float64).weight.dtype == nl.float64
    nl.manual_seed(1)
    first = nn.Linear(3, 2).weight.tolist()
    nl.manual_seed(1)
    assert nn.Linear(3, 2).weight.tolist() == first


def test_same_weights_give_torchs_outputs_and_gradients():
    torch.manual_seed(0)
    reference = make_mlp(torch).eval()
    model = make_mlp(nl).eval()
    model.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    target = np.array([0, 1, 2, 2, 1, 0])
    loss = F.nll_loss(model(nl.tensor(x)), nl.tensor(target))
    ref_loss = torch.nn.functional.nll_loss(reference(torch.tensor(x)), torch.tensor(target))
    assert_close(loss, ref_loss)
    loss.backward()
    ref_loss.backward()
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_close(p.grad, q.grad, atol=1e-6, what=name)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.ReLU(), lambda lib: lib.nn.ReLU6(), lambda lib: lib.nn.Sigmoid(),
    lambda lib: lib.nn.Tanh(), lambda lib: lib.nn.SiLU(), lambda lib: lib.nn.GELU(),
    lambda lib: lib.nn.GELU(approximate="tanh"), lambda lib: lib.nn.LeakyReLU(0.2),
    lambda lib: lib.nn.ELU(alpha=0.5), lambda lib: lib.nn.Hardsigmoid(),
    lambda lib: lib.nn.Hardswish(), lambda lib: lib.nn.Softmax(dim=0),
    lambda lib: lib.nn.LogSoftmax(dim=1), lambda lib: lib.nn.Flatten(),
    lambda lib: lib.nn.Flatten(0), lambda lib: lib.nn.Identity(),
])
def test_activation_and_shape_modules_match_torch(make, device):
    x = np.random.default_rng(1).uniform(-4, 4, (3, 2, 2)).astype(np.float32)
    check_against_torch(make(nl), make(torch), [x], device, atol=1e-6)
    assert repr(make(nl)) == repr(make(torch))


def test_module_repr_matches_torch():
    assert repr(make_mlp(nl)) == repr(make_mlp(torch))


    def make_net(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.body = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.GELU())
                self.head = lib.nn.Linear(3, 1)

        return Net()

    assert repr(make_net(nl)) == repr(make_net(torch))


def test_sequential_indexing_and_ordered_dict():
    model = make_mlp(nl)
    assert isinstance(model[0], nn.Linear) and isinstance(model[-1], nn.LogSoftmax)
    assert len(model) == 5 and len(model[1:3]) == 2 and isinstance(model[1:3], nn.Sequential)
    assert [type(m).__name__ for m in model][:2] == ["Linear", "ReLU"]
    named = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 2), act=nn.Tanh()))
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias"]
    named.append(nn.Linear(2, 1))
    assert named(nl.ones(4, 2)).shape == (4, 1)


def test_state_dict_roundtrip_and_clear_errors():
    source, target = make_mlp(nl), make_mlp(nl)
    state = source.state_dict()
    assert set(state) == {"0.weight", "0.bias", "3.weight"}
    target.load_state_dict(state)
    for a, b in zip(source.parameters(), target.parameters(), strict=True):
        assert a.tolist() == b.tolist() and a is not b
    with pytest.raises(KeyError, match=r"missing keys \['0.bias'\].*unexpected keys \['extra'\]"):
        target.load_state_dict({**{k: v for k, v in state.items() if k != "0.bias"},
                                "extra": nl.zeros(1)})
    with pytest.raises(ValueError, match=r"size mismatch for 0.weight.*\(4, 8\).*\(8, 4\)"):
        target.load_state_dict({**state, "0.weight": nl.zeros(4, 8)})
    result = target.load_state_dict({"0.bias": nl.zeros(8)}, strict=False)
    assert result.missing_keys == ["0.weight", "3.weight"] and result.unexpected_keys == []
    assert target[0].bias.tolist() == [0.0] * 8


def test_zero_grad_and_parameter_repr():
    model = make_mlp(nl)
    model(nl.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(not p.grad.numpy().any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert repr(nn.Parameter(nl.tensor([1.0, 2.0]))) == repr(
        torch.nn.Parameter(torch.tensor([1.0, 2.0])))


def test_module_needs_super_init_and_forward():
    class Forgot(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super"):
        Forgot()
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(nl.ones(1))


def test_a_small_mlp_learns_the_digits():
    X, y = nl.data.load_digits()
    X_train, X_test, y_train, y_test = nl.data.train_test_split(X, y, test_size=0.25, seed=0)
    nl.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    optimizer = nl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loader = nl.data.DataLoader(nl.data.TensorDataset(X_train, y_train), batch_size=64,
                                shuffle=True, seed=0)
    for _ in range(10):
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
    with nl.no_grad():
        accuracy = (model(X_test).argmax(1) == y_test).float().mean().item()
    assert accuracy > 0.93
