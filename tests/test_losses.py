"""nnlib.nn's loss modules against torch.nn's: outputs and gradients on both devices, the class
weights kept as buffers (moved by ``.to``, saved in ``state_dict``), their settings."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import check_against_torch

import nnlib as nl
from nnlib import nn

RNG = np.random.default_rng(0)
WEIGHT = np.array([0.5, 2.0, 1.0, 1.5], np.float32)  # one per class (4 classes)
POS_WEIGHT = np.array([3.0, 0.5, 1.0, 2.0], np.float32)
LOGITS = RNG.uniform(-3, 3, (5, 4)).astype(np.float32)
LABELS = np.array([3, 1, -100, 0, 1])  # 1 is also the ignore_index of some modules below
PROBS = RNG.dirichlet(np.ones(4), 5).astype(np.float32)
PREDICTIONS = RNG.uniform(0.05, 0.95, (5, 4)).astype(np.float32)
LOG_PROBS = np.log(RNG.dirichlet(np.ones(4), 5)).astype(np.float32)

# name: (make the module with lib = nl or torch, its inputs: differentiable arrays and a
# constant target, or None when the target is the second array)
CASES = {
    "MSELoss": (lambda lib: lib.nn.MSELoss(), [LOGITS, PROBS], None),
    "MSELoss-sum": (lambda lib: lib.nn.MSELoss(reduction="sum"), [LOGITS, PROBS], None),
    "L1Loss": (lambda lib: lib.nn.L1Loss(reduction="none"), [LOGITS, PROBS], None),
    "HuberLoss": (lambda lib: lib.nn.HuberLoss(delta=0.5), [LOGITS, PROBS], None),
    "SmoothL1Loss": (lambda lib: lib.nn.SmoothL1Loss(reduction="sum", beta=2.0),
                     [LOGITS, PROBS], None),
    "CrossEntropyLoss": (lambda lib: lib.nn.CrossEntropyLoss(), [LOGITS], LABELS),
    "CrossEntropyLoss-weighted": (
        lambda lib: lib.nn.CrossEntropyLoss(weight=lib.tensor(WEIGHT), ignore_index=1,
                                            label_smoothing=0.1), [LOGITS], np.abs(LABELS) % 4),
    "CrossEntropyLoss-probabilities": (
        lambda lib: lib.nn.CrossEntropyLoss(lib.tensor(WEIGHT), reduction="none"),
        [LOGITS, PROBS], None),
    "NLLLoss": (lambda lib: lib.nn.NLLLoss(), [LOG_PROBS], LABELS),
    "NLLLoss-weighted": (lambda lib: lib.nn.NLLLoss(lib.tensor(WEIGHT), ignore_index=1,
                                                    reduction="sum"),
                         [LOG_PROBS], np.abs(LABELS) % 4),
    "BCELoss": (lambda lib: lib.nn.BCELoss(), [PREDICTIONS, PROBS], None),
    "BCELoss-weighted": (lambda lib: lib.nn.BCELoss(lib.tensor(WEIGHT), reduction="none"),
                         [PREDICTIONS], PROBS),
    "BCEWithLogitsLoss": (lambda lib: lib.nn.BCEWithLogitsLoss(), [LOGITS, PROBS], None),
    "BCEWithLogitsLoss-weighted": (
        lambda lib: lib.nn.BCEWithLogitsLoss(lib.tensor(WEIGHT), reduction="sum",
                                             pos_weight=lib.tensor(POS_WEIGHT)),
        [LOGITS, PROBS], None),
    "KLDivLoss": (lambda lib: lib.nn.KLDivLoss(reduction="batchmean"), [LOG_PROBS, PROBS], None),
    "KLDivLoss-log_target": (lambda lib: lib.nn.KLDivLoss(reduction="sum", log_target=True),
                             [LOG_PROBS], np.log(PROBS)),
}


@pytest.mark.parametrize("name", CASES)
def test_loss_module_matches_torch(name, device):
    make, arrays, target = CASES[name]
    module, reference = make(nl).to(device), make(torch)
    if target is None:
        check_against_torch(module, reference, arrays, device, atol=1e-5)
    else:
        t, t_ref = nl.tensor(target, device=device), torch.tensor(target)
        check_against_torch(lambda a: module(a, t), lambda a: reference(a, t_ref), arrays, device,
                            atol=1e-5)


@pytest.mark.parametrize("name", CASES)
def test_weights_are_buffers_like_torchs(name):
    make = CASES[name][0]
    module, reference = make(nl), make(torch)
    assert list(module.state_dict()) == list(reference.state_dict())
    assert list(module.parameters()) == []
    for key, value in reference.state_dict().items():
        np.testing.assert_array_equal(module.state_dict()[key].numpy(), value.numpy())


def test_to_moves_the_weights(device):
    module = nn.BCEWithLogitsLoss(nl.tensor(WEIGHT), pos_weight=nl.tensor(POS_WEIGHT))
    assert module.to(device) is module
    assert module.weight.device == device and module.pos_weight.device == device
    assert nn.CrossEntropyLoss().to(device).weight is None


def test_settings_are_kept_and_shown():
    loss = nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.1)
    assert (loss.weight, loss.ignore_index, loss.reduction, loss.label_smoothing) == (
        None, 0, "mean", 0.1)
    assert repr(loss) == "CrossEntropyLoss(ignore_index=0, reduction='mean', label_smoothing=0.1)"
    assert repr(nn.HuberLoss("sum", 2.0)) == "HuberLoss(reduction='sum', delta=2.0)"
    assert repr(nn.KLDivLoss(log_target=True)) == "KLDivLoss(reduction='mean', log_target=True)"
    assert nn.NLLLoss([1.0, 2.0]).weight.dtype == nl.float32  # array-likes become tensors


def test_arguments_after_torchs_deprecated_ones_are_keyword_only():
    """torch.nn.MSELoss("sum") would set the deprecated size_average, not the reduction."""
    with pytest.raises(TypeError):
        nn.MSELoss("sum")
    with pytest.raises(TypeError):
        nn.CrossEntropyLoss(None, 0)


def test_errors_come_from_the_functional():
    with pytest.raises(ValueError, match="cross_entropy: weight must hold one value per class"):
        nn.CrossEntropyLoss(nl.ones(3))(nl.zeros(2, 4), nl.tensor([0, 1]))
    with pytest.raises(ValueError, match="mse_loss: reduction must be 'mean', 'sum' or 'none'"):
        nn.MSELoss(reduction="avg")(nl.zeros(2), nl.zeros(2))


def test_a_loss_module_trains_a_model():
    nl.manual_seed(0)
    model, loss_fn = nn.Linear(4, 4), nn.CrossEntropyLoss(nl.tensor(WEIGHT), ignore_index=1)
    optimizer = nl.optim.SGD(model.parameters(), lr=0.5)
    x, labels = nl.tensor(LOGITS), nl.tensor(np.abs(LABELS) % 4)
    first = loss_fn(model(x), labels).item()
    for _ in range(20):
        optimizer.zero_grad()
        loss_fn(model(x), labels).backward()
        optimizer.step()
    assert loss_fn(model(x), labels).item() < first / 2
