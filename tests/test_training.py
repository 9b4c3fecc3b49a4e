"""nnlib.training: the loop trains nnlib and PyTorch models alike, averages per sample, records a
history per epoch, evaluates without a graph, and agrees with a loop written by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlib as nl
import nnlib.nn.functional as F
from nnlib.training import accuracy, evaluate, fit, to_numpy, train_epoch


def _blobs(n: int = 60, seed: int = 0) -> tuple[nl.Tensor, nl.Tensor]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    centres = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])
    X = centres[y] + 0.5 * rng.normal(size=(n, 2))
    return nl.tensor(X.astype(np.float32)), nl.tensor(y.astype(np.int64))


def _loader(X, y, batch_size=16, shuffle=True, seed=0):
    return nl.data.DataLoader(nl.data.TensorDataset(X, y), batch_size=batch_size,
                              shuffle=shuffle, seed=seed)


def test_accuracy_counts_argmax_matches():
    scores = np.array([[0.1, 0.9], [2.0, 1.0], [0.0, 3.0], [1.0, 1.0]])
    assert accuracy(scores, np.array([1, 0, 0, 0])) == pytest.approx(0.75)  # tie -> class 0
    assert accuracy(torch.tensor(scores, requires_grad=True), torch.tensor([1, 0, 1, 0])) == 1.0
    assert accuracy(nl.tensor(scores), nl.tensor([0, 0, 0, 1])) == pytest.approx(0.25)
    with pytest.raises(ValueError, match=r"scores \(N, C\)"):
        accuracy(np.zeros(3), np.zeros(3))


def test_to_numpy_reads_all_three_kinds():
    for value in (nl.tensor([1.0, 2.0], requires_grad=True),
                  torch.tensor([1.0, 2.0], requires_grad=True), [1.0, 2.0]):
        np.testing.assert_array_equal(to_numpy(value), [1.0, 2.0])


def test_train_epoch_matches_a_hand_written_loop():
    X, y = _blobs()
    nl.manual_seed(0)
    model = nl.nn.Linear(2, 3)
    state = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    result = train_epoch(model, F.cross_entropy, nl.optim.SGD(model.parameters(), lr=0.1),
                         _loader(X, y), metrics={"accuracy": accuracy})

    twin = nl.nn.Linear(2, 3)
    twin.load_state_dict({k: nl.tensor(v) for k, v in state.items()})
    optimizer = nl.optim.SGD(twin.parameters(), lr=0.1)
    total, correct = 0.0, 0
    for Xb, yb in _loader(X, y):
        out = twin(Xb)
        loss = F.cross_entropy(out, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        correct += int((out.numpy().argmax(1) == yb.numpy()).sum())
    assert result["loss"] == pytest.approx(total / len(y), rel=1e-6)
    assert result["accuracy"] == pytest.approx(correct / len(y))
    np.testing.assert_allclose(model.weight.numpy(), twin.weight.numpy(), rtol=1e-6)


def test_evaluate_weights_batches_by_size_and_records_no_graph():
    X, y = _blobs(n=50)
    nl.manual_seed(1)
    model = nl.nn.Linear(2, 3)
    whole = evaluate(model, F.cross_entropy, [(X, y)], metrics={"accuracy": accuracy})
    batched = evaluate(model, F.cross_entropy, _loader(X, y, batch_size=16, shuffle=False),
                       metrics={"accuracy": accuracy})  # 16 + 16 + 16 + 2
    assert batched["loss"] == pytest.approx(whole["loss"], rel=1e-5)
    assert batched["accuracy"] == pytest.approx(whole["accuracy"])
    assert model.weight.grad is None
    assert not model.training


def test_fit_returns_a_history_and_learns():
    X, y = _blobs()
    nl.manual_seed(0)
    model = nl.nn.Linear(2, 3)
    history = fit(model, F.cross_entropy, nl.optim.SGD(model.parameters(), lr=0.5),
                  _loader(X, y), _loader(X, y, shuffle=False), epochs=5,
                  metrics={"accuracy": accuracy}, progress=False)
    assert set(history) == {"train_loss", "train_accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 5 for values in history.values())
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert history["val_accuracy"][-1] > 0.9


def test_fit_is_deterministic_with_seeded_loaders():
    X, y = _blobs()
    runs = []
    for _ in range(2):
        nl.manual_seed(3)
        model = nl.nn.Linear(2, 3)
        runs.append(fit(model, F.cross_entropy, nl.optim.SGD(model.parameters(), lr=0.3),
                        _loader(X, y, seed=7), epochs=3, progress=False))
    assert runs[0] == runs[1]


def test_fit_trains_a_torch_model_the_same_way():
    X, y = _blobs()
    nl.manual_seed(0)
    model = nl.nn.Linear(2, 3)
    torch_model = torch.nn.Linear(2, 3)
    with torch.no_grad():
        torch_model.weight.copy_(torch.from_numpy(model.weight.numpy()))
        torch_model.bias.copy_(torch.from_numpy(model.bias.numpy()))
    history = fit(model, F.cross_entropy, nl.optim.SGD(model.parameters(), lr=0.2),
                  _loader(X, y, seed=5), epochs=3, progress=False)

    class TorchBatches:  # the same seeded batches, epoch after epoch, as torch tensors
        def __init__(self, loader):
            self.loader = loader

        def __iter__(self):
            for Xb, yb in self.loader:
                yield torch.from_numpy(Xb.numpy()), torch.from_numpy(yb.numpy())

    torch_history = fit(torch_model, torch.nn.functional.cross_entropy,
                        torch.optim.SGD(torch_model.parameters(), lr=0.2),
                        TorchBatches(_loader(X, y, seed=5)),
                        val_loader=TorchBatches(_loader(X, y, shuffle=False)), epochs=3,
                        progress=False)
    np.testing.assert_allclose(history["train_loss"], torch_history["train_loss"], rtol=1e-5)
    np.testing.assert_allclose(model.weight.numpy(), torch_model.weight.detach().numpy(),
                               atol=1e-6)
    assert not torch_model.training  # evaluate() left it in eval mode
    assert torch_model.weight.grad is not None  # from training, not cleared by evaluation


def test_fit_shows_a_progress_bar(capsys):
    X, y = _blobs(n=20)
    nl.manual_seed(0)
    model = nl.nn.Linear(2, 3)
    fit(model, F.cross_entropy, nl.optim.SGD(model.parameters(), lr=0.1), _loader(X, y),
        epochs=2, desc="training")
    assert "training" in capsys.readouterr().err


def test_bad_arguments_are_explained():
    X, y = _blobs(n=10)
    model = nl.nn.Linear(2, 3)
    optimizer = nl.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        fit(model, F.cross_entropy, optimizer, _loader(X, y), epochs=0)
    with pytest.raises(ValueError, match="no batches"):
        train_epoch(model, F.cross_entropy, optimizer, [])
    with pytest.raises(ValueError, match="no batches"):
        evaluate(model, F.cross_entropy, [])
