"""nnlib.optim.SGD follows torch.optim.SGD's trajectory step by step, for every option, and its
state_dict / load_state_dict checkpoints resume a run exactly, in torch's layout."""

from __future__ import annotations

import copy
import pickle

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


# ----------------------------------------------------------------------------- checkpoints
# The same small model and two-group optimizer in nnlib and torch (`lib` is either module).
_X = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)
_Y = np.random.default_rng(3).standard_normal((5, 2)).astype(np.float32)
_TORCH_ONLY_SETTINGS = {"foreach", "differentiable", "fused"}  # torch's kernel choices


def _setup(lib, seed: int = 1, lr: float = 0.1, device: str = "cpu"):
    """A model with weights drawn from ``seed`` and SGD with momentum, Nesterov and weight decay,
    the second layer in its own group with half the learning rate."""
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    rng = np.random.default_rng(seed)
    model.load_state_dict({name: lib.tensor(rng.standard_normal(tuple(value.shape)),
                                            dtype=lib.float32)
                           for name, value in model.state_dict().items()})
    if lib is nl:
        model.to(device)
    groups = [{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": lr / 2}]
    return model, lib.optim.SGD(groups, lr=lr, momentum=0.9, nesterov=True, weight_decay=0.01)


def _train(lib, model, opt, steps: int, device: str = "cpu") -> None:
    x, y = lib.tensor(_X), lib.tensor(_Y)
    if lib is nl:
        x, y = x.to(device), y.to(device)
    for _ in range(steps):
        opt.zero_grad()
        lib.nn.functional.mse_loss(model(x), y).backward()
        opt.step()


def _values(model) -> list[np.ndarray]:
    return [np.array(p.detach().cpu().numpy()) for p in model.parameters()]


def _run_with_checkpoint(lib, before: int = 3, after: int = 4):
    """Train ``before`` steps and save; go on ``after`` steps; then resume a fresh model and
    optimizer (other weights, other lr) from the saved dicts for the same ``after`` steps.
    Returns the parameters of the uninterrupted and of the resumed run."""
    model, opt = _setup(lib)
    _train(lib, model, opt, before)
    saved = copy.deepcopy((model.state_dict(), opt.state_dict()))  # as torch.save would
    _train(lib, model, opt, after)
    twin, twin_opt = _setup(lib, seed=7, lr=0.5)
    twin.load_state_dict(saved[0])
    twin_opt.load_state_dict(saved[1])
    _train(lib, twin, twin_opt, after)
    return _values(model), _values(twin)


def test_a_checkpoint_resumes_training_exactly_as_in_torch():
    ours, ours_resumed = _run_with_checkpoint(nl)
    theirs, theirs_resumed = _run_with_checkpoint(torch)
    for p, q, r, s in zip(ours, ours_resumed, theirs, theirs_resumed, strict=True):
        np.testing.assert_array_equal(q, p)
        np.testing.assert_array_equal(s, r)
        np.testing.assert_allclose(p, r, rtol=1e-5, atol=1e-6)


def _trained(lib, steps: int = 2):
    model, opt = _setup(lib)
    _train(lib, model, opt, steps)
    return model, opt


def test_state_dict_has_torchs_layout_and_values():
    ours, theirs = _trained(nl)[1].state_dict(), _trained(torch)[1].state_dict()
    assert set(ours) == set(theirs) == {"state", "param_groups"}
    assert list(ours["state"]) == list(theirs["state"]) == [0, 1, 2, 3]
    for index, state in ours["state"].items():
        assert set(state) == set(theirs["state"][index]) == {"momentum_buffer"}
        buffer = state["momentum_buffer"]
        assert isinstance(buffer, nl.Tensor) and not buffer.requires_grad
        np.testing.assert_allclose(buffer.numpy(), theirs["state"][index]["momentum_buffer"],
                                   rtol=1e-5, atol=1e-6)
    assert [g["params"] for g in ours["param_groups"]] == [[0, 1], [2, 3]]
    for group, reference in zip(ours["param_groups"], theirs["param_groups"], strict=True):
        assert set(group) == set(reference) - _TORCH_ONLY_SETTINGS
        assert group == {key: reference[key] for key in group}


@pytest.mark.parametrize("convert", [
    lambda t: t.numpy(), lambda t: t.numpy().astype(np.float64), lambda t: nl.tensor(t.numpy()),
    lambda t: t,
], ids=["numpy", "float64 numpy", "nnlib", "torch"])
def test_loading_a_torch_state_dict(convert):
    reference, reference_opt = _trained(torch)
    saved = reference_opt.state_dict()
    converted = {"state": {index: {key: convert(value) for key, value in state.items()}
                           for index, state in saved["state"].items()},
                 "param_groups": copy.deepcopy(saved["param_groups"])}
    model, opt = _setup(nl, seed=7, lr=0.5)
    model.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    opt.load_state_dict(converted)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.05]
    for state in opt.state.values():
        assert isinstance(state["momentum_buffer"], np.ndarray)
        assert state["momentum_buffer"].dtype == nl.float32
    _train(nl, model, opt, 3)
    _train(torch, reference, reference_opt, 3)
    for p, q in zip(_values(model), _values(reference), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)


def test_mismatched_state_dicts_are_explained_and_change_nothing():
    _, opt = _trained(nl)
    saved = opt.state_dict()
    target = _setup(nl, lr=0.5)[1]
    one_group = optim.SGD(nl.nn.Linear(3, 4).parameters(), lr=0.5, momentum=0.9)
    with pytest.raises(ValueError, match="different number of parameter groups: 2, .* has 1"):
        one_group.load_state_dict(saved)
    short = copy.deepcopy(saved)
    short["param_groups"][1]["params"] = [2]
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group: group 1"):
        target.load_state_dict(short)
    stray = copy.deepcopy(saved)
    stray["state"][9] = stray["state"][0]
    with pytest.raises(ValueError, match=r"indices \[9\], which no parameter group lists"):
        target.load_state_dict(stray)
    assert [g["lr"] for g in target.param_groups] == [0.5, 0.25] and not target.state


def test_saved_and_loaded_dicts_share_nothing_with_the_optimizer():
    model, opt = _trained(nl)
    saved = opt.state_dict()
    before = copy.deepcopy(saved)
    _train(nl, model, opt, 2)
    opt.param_groups[0]["lr"] = 1.0
    assert saved["param_groups"][0]["lr"] == 0.1
    for index, state in saved["state"].items():
        np.testing.assert_array_equal(state["momentum_buffer"].numpy(),
                                      before["state"][index]["momentum_buffer"].numpy())
    # pickling (as for a checkpoint file) keeps everything; loading copies the values in
    restored = pickle.loads(pickle.dumps(saved))
    opt.load_state_dict(restored)
    buffer = restored["state"][0]["momentum_buffer"]
    buffer.numpy()[...] = 0  # changes the dict only, not the optimizer
    loaded = opt.state[model[0].weight]["momentum_buffer"]
    np.testing.assert_array_equal(loaded, before["state"][0]["momentum_buffer"].numpy())
    assert opt.param_groups[0]["lr"] == 0.1


def test_state_stays_on_the_device_through_a_checkpoint(device):
    model, opt = _setup(nl, device=device)
    _train(nl, model, opt, 1, device)
    weights = {name: value.numpy().copy() for name, value in model.state_dict().items()}
    saved = opt.state_dict()
    assert all(s["momentum_buffer"].device == device for s in saved["state"].values())
    on_host = {"state": {i: {k: v.numpy() for k, v in s.items()}
                         for i, s in saved["state"].items()},
               "param_groups": saved["param_groups"]}
    _train(nl, model, opt, 1, device)
    for checkpoint in (saved, on_host):
        twin, twin_opt = _setup(nl, seed=7, device=device)
        twin.load_state_dict(weights)
        twin_opt.load_state_dict(checkpoint)
        for param, state in twin_opt.state.items():
            assert nl.Tensor(state["momentum_buffer"]).device == param.device == device
        _train(nl, twin, twin_opt, 1, device)
        for p, q in zip(_values(model), _values(twin), strict=True):
            np.testing.assert_array_equal(p, q)
