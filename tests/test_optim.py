"""nnlib.optim.SGD follows torch.optim.SGD's trajectory step by step, for every option."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlib as nl
from nnlib import optim


def _trajectories(steps: int = 6, **options):
    """Minimise the same quadratic-plus-quartic loss with both libraries; yield the parameters
    after each step."""
    rng = np.random.default_rng(0)
    start = [rng.standard_normal((3, 2)).astype(np.float32),
             rng.standard_normal(2).astype(np.float32)]
    ours = [nl.tensor(a, requires_grad=True) for a in start]
    theirs = [torch.tensor(a, requires_grad=True) for a in start]
    opt, ref = optim.SGD(ours, **options), torch.optim.SGD(theirs, **options)
    for _ in range(steps):
        for params, o in ((ours, opt), (theirs, ref)):
            o.zero_grad()
            w, b = params
            loss = ((w * w).sum() * 0.5 + (b**4).sum() + (w.sum(0) * b).sum())
            loss.backward()
            o.step()
        yield ours, theirs


@pytest.mark.parametrize("options", [
    dict(lr=0.1), dict(lr=0.05, momentum=0.9), dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True), dict(lr=0.1, weight_decay=0.01),
    dict(lr=0.05, momentum=0.9, weight_decay=0.1, nesterov=True), dict(lr=0.01, maximize=True),
], ids=str)
def test_sgd_trajectory_matches_torch(options):
    for ours, theirs in _trajectories(**options):
        for p, q in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)
            assert p.dtype == nl.float32


def test_zero_grad_and_skipping_parameters_without_grad():
    a, b = nl.tensor([1.0], requires_grad=True), nl.tensor([2.0], requires_grad=True)
    opt = optim.SGD([a, b], lr=1.0)
    (a * 3).sum().backward()
    opt.step()  # b has no gradient: left alone
    assert a.tolist() == [-2.0] and b.tolist() == [2.0]
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0]
    opt.zero_grad()
    assert a.grad is None


def test_param_groups_and_module_parameters():
    model = nl.nn.Linear(2, 1)
    opt = optim.SGD([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert "Parameter Group 1" in repr(opt) and isinstance(opt, optim.Optimizer)
    model(nl.ones(1, 2)).sum().backward()
    bias = model.bias.item()
    opt.step()
    assert model.bias.item() == pytest.approx(bias - 0.5)


def test_bad_settings_are_explained():
    p = [nl.zeros(1, requires_grad=True)]
    with pytest.raises(ValueError, match="lr"):
        optim.SGD(p, lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD(p, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="does not require grad"):
        optim.SGD([nl.zeros(2)], lr=0.1)
    with pytest.raises(NotImplementedError):
        optim.Optimizer(p, {}).step()
