"""nnlib.nn.functional against torch.nn.functional: activations, softmaxes, losses (every
reduction), their gradients, their behaviour at kinks and for huge logits, dropout, linear."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import FAST, assert_close, check_against_torch, make_array
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import nnlib as nl
import nnlib.nn.functional as F
from nnlib.autograd import gradcheck

SHAPES = array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)
SEEDS = st.integers(0, 2**16)
LAYOUTS = st.sampled_from(["contiguous", "transposed", "strided"])

ACTIVATIONS = {
    "sigmoid": (F.sigmoid, TF.sigmoid), "tanh": (F.tanh, TF.tanh), "relu": (F.relu, TF.relu),
    "relu6": (F.relu6, TF.relu6), "leaky_relu": (F.leaky_relu, TF.leaky_relu),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    "elu": (F.elu, TF.elu), "elu_2": (lambda x: F.elu(x, alpha=2.0), lambda x: TF.elu(x, 2.0)),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: TF.gelu(x, approximate="tanh")),
    "silu": (F.silu, TF.silu), "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardswish": (F.hardswish, TF.hardswish),
    "hardtanh": (F.hardtanh, TF.hardtanh),
    "softmax_last": (lambda x: F.softmax(x, dim=-1), lambda x: TF.softmax(x, dim=-1)),
    "softmax_0": (lambda x: F.softmax(x, 0), lambda x: TF.softmax(x, 0)),
    "log_softmax_last": (lambda x: F.log_softmax(x, -1), lambda x: TF.log_softmax(x, -1)),
    "log_softmax_0": (lambda x: F.log_softmax(x, dim=0), lambda x: TF.log_softmax(x, dim=0)),
}
KINKS = np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, -2.5, 2.5, 7.0, -7.0], np.float32)


@pytest.mark.parametrize("name", ACTIVATIONS)
@FAST
@given(shape=SHAPES, layout=LAYOUTS, seed=SEEDS)
def test_activation_matches_torch(name, shape, layout, seed, device):
    nl_fn, torch_fn = ACTIVATIONS[name]
    x = make_array(np.random.default_rng(seed), shape, layout, low=-8, high=8)
    check_against_torch(nl_fn, torch_fn, [x], device, seed=seed, atol=1e-5)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_at_kinks_matches_torch(name, device):
    nl_fn, torch_fn = ACTIVATIONS[name]
    check_against_torch(nl_fn, torch_fn, [KINKS], device)


@pytest.mark.parametrize("name", ["hardsigmoid", "hardswish", "relu6", "relu", "leaky_relu"])
def test_piecewise_activations_equal_torch_bit_for_bit(name):
    nl_fn, torch_fn = ACTIVATIONS[name]
    x = np.concatenate([KINKS, np.random.default_rng(0).uniform(-8, 8, 1000).astype(np.float32)])
    xs, ts = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = nl_fn(xs), torch_fn(ts)
    np.testing.assert_array_equal(out.numpy(), ref.detach().numpy())
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_array_equal(xs.grad.numpy(), ts.grad.numpy())


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmaxes_stay_finite_for_huge_logits(dim, device):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], np.float32)
    for nl_fn, torch_fn in ((F.softmax, TF.softmax), (F.log_softmax, TF.log_softmax)):
        out = check_against_torch(lambda t, f=nl_fn: f(t, dim), lambda t, f=torch_fn: f(t, dim),
                                  [x], device)
        assert np.isfinite(out.numpy()).all()


# ------------------------------------------------------------------------------------ losses
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"])
@FAST
@given(shape=SHAPES, seed=SEEDS)
def test_regression_losses_match_torch(name, reduction, shape, seed, device):
    rng = np.random.default_rng(seed)
    x, y = make_array(rng, shape, low=-3, high=3), make_array(rng, shape, low=-3, high=3)
    kwargs = {"delta": 0.7} if name == "huber_loss" else {"beta": 1.5} if "smooth" in name else {}
    check_against_torch(
        lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kwargs),
        lambda a, b: getattr(TF, name)(a, b, reduction=reduction, **kwargs),
        [x, y], device, seed=seed)


def test_regression_losses_at_kinks(device):
    x = np.array([0.0, 1.0, -1.0, 2.0], np.float32)
    y = np.array([0.0, 0.0, 0.0, 1.0], np.float32)  # differences 0, +-delta
    for name in ("l1_loss", "huber_loss", "smooth_l1_loss", "mse_loss"):
        check_against_torch(lambda a, b, n=name: getattr(F, n)(a, b),
                            lambda a, b, n=name: getattr(TF, n)(a, b), [x, y], device)


@st.composite
def logits_and_targets(draw):
    n, c = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(SEEDS))
    return make_array(rng, (n, c), draw(LAYOUTS), low=-4, high=4), rng.integers(0, c, n)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@FAST
@given(case=logits_and_targets())
def test_cross_entropy_matches_torch(reduction, smoothing, case, device):
    x, target = case
    check_against_torch(
        lambda a: F.cross_entropy(a, nl.tensor(target, device=device), reduction=reduction,
                                  label_smoothing=smoothing),
        lambda a: TF.cross_entropy(a, torch.tensor(target), reduction=reduction,
                                   label_smoothing=smoothing),
        [x], device)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_with_probability_targets_and_single_sample(smoothing, device):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    probs = rng.dirichlet(np.ones(5), 4).astype(np.float32)
    for reduction in REDUCTIONS:
        check_against_torch(
            lambda a, p, r=reduction: F.cross_entropy(a, p, reduction=r, label_smoothing=smoothing),
            lambda a, p, r=reduction: TF.cross_entropy(a, p, reduction=r,
                                                       label_smoothing=smoothing),
            [x, probs], device)
    check_against_torch(lambda a: F.cross_entropy(a, nl.tensor(2, device=device),
                                                  label_smoothing=smoothing),
                        lambda a: TF.cross_entropy(a, torch.tensor(2), label_smoothing=smoothing),
                        [x[0]], device)


def test_cross_entropy_stays_finite_for_huge_logits(device):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4], [0.0, 0.0, 1e4]], np.float32)
    target = np.array([1, 1, 0])
    for eps in (0.0, 0.1):
        out = check_against_torch(
            lambda a, eps=eps: F.cross_entropy(a, nl.tensor(target, device=device),
                                                label_smoothing=eps),
            lambda a, eps=eps: TF.cross_entropy(a, torch.tensor(target), label_smoothing=eps),
            [x], device, rtol=1e-5, atol=1e-2)
        assert np.isfinite(out.item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch_and_composes_to_cross_entropy(reduction, device):
    rng = np.random.default_rng(1)
    x, target = rng.standard_normal((5, 4)).astype(np.float32), np.array([0, 3, 3, 1, 2])
    check_against_torch(lambda a: F.nll_loss(F.log_softmax(a, 1), nl.tensor(target, device=device),
                                             reduction),
                        lambda a: TF.nll_loss(TF.log_softmax(a, 1), torch.tensor(target),
                                              reduction=reduction), [x], device)
    direct = F.cross_entropy(nl.tensor(x), nl.tensor(target), reduction)
    composed = F.nll_loss(F.log_softmax(nl.tensor(x), -1), nl.tensor(target), reduction)
    assert_close(direct, composed.numpy())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@FAST
@given(shape=SHAPES, seed=SEEDS)
def test_binary_cross_entropies_match_torch(reduction, shape, seed, device):
    rng = np.random.default_rng(seed)
    logits = make_array(rng, shape, low=-6, high=6)
    target = rng.uniform(0, 1, shape).astype(np.float32)
    check_against_torch(
        lambda a, t: F.binary_cross_entropy_with_logits(a, t, reduction=reduction),
        lambda a, t: TF.binary_cross_entropy_with_logits(a, t, reduction=reduction),
        [logits, target], device, seed=seed)
    probs = rng.uniform(0.02, 0.98, shape).astype(np.float32)
    weight = rng.uniform(0, 2, shape).astype(np.float32)
    check_against_torch(
        lambda p, t: F.binary_cross_entropy(p, t, weight=nl.tensor(weight, device=device),
                                            reduction=reduction),
        lambda p, t: TF.binary_cross_entropy(p, t, weight=torch.tensor(weight),
                                             reduction=reduction),
        [probs, target], device, seed=seed, rtol=1e-4)


def test_binary_cross_entropy_edges_like_torch(device):
    p, t = np.array([0.0, 1.0, 1.0, 0.5], np.float32), np.array([1.0, 0.0, 1.0, 1.0], np.float32)
    out = check_against_torch(lambda a: F.binary_cross_entropy(a, nl.tensor(t, device=device),
                                                                 reduction="none"),
                              lambda a: TF.binary_cross_entropy(a, torch.tensor(t),
                                                                reduction="none"), [p], device,
                              rtol=1e-4)
    assert out.tolist()[:2] == [100.0, 100.0]  # log clamped at -100
    x = np.array([1e4, -1e4, 1e4, -1e4], np.float32)
    out = check_against_torch(
        lambda a: F.binary_cross_entropy_with_logits(
            a, nl.tensor([0.0, 1.0, 1.0, 0.0], device=device)),
        lambda a: TF.binary_cross_entropy_with_logits(a, torch.tensor([0.0, 1.0, 1.0, 0.0])),
        [x], device)
    assert np.isfinite(out.item())


@pytest.mark.filterwarnings("ignore:reduction. .mean. divides")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target, device):
    rng = np.random.default_rng(2)
    log_q = TF.log_softmax(torch.tensor(rng.standard_normal((3, 4)), dtype=torch.float32), 1)
    p = rng.dirichlet(np.ones(4), 3).astype(np.float32)
    p[0, 1] = 0.0  # a zero-probability target contributes 0
    target = np.log(p + 1e-30).astype(np.float32) if log_target else p
    check_against_torch(
        lambda a: F.kl_div(a, nl.tensor(target, device=device), reduction=reduction,
                           log_target=log_target),
        lambda a: TF.kl_div(a, torch.tensor(target), reduction=reduction, log_target=log_target),
        [log_q.detach().numpy()], device, rtol=1e-5, atol=1e-5)


def test_kl_div_target_gradient_matches_torch(device):
    rng = np.random.default_rng(3)
    x = np.log(rng.dirichlet(np.ones(3), 2)).astype(np.float32)
    for log_target in (False, True):
        t = rng.dirichlet(np.ones(3), 2).astype(np.float32)
        t = np.log(t) if log_target else t
        check_against_torch(lambda a, b, lt=log_target: F.kl_div(a, b, "sum", log_target=lt),
                            lambda a, b, lt=log_target: TF.kl_div(a, b, reduction="sum",
                                                                   log_target=lt),
                            [x, t], device, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------- layers
@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 3, 5)])
def test_linear_matches_torch(shape, device):
    rng = np.random.default_rng(4)
    x, w, b = make_array(rng, shape), make_array(rng, (3, 5), "transposed"), make_array(rng, (3,))
    check_against_torch(F.linear, TF.linear, [x, w, b], device, atol=1e-5)
    check_against_torch(F.linear, TF.linear, [x, w], device, atol=1e-5)


def test_dropout_scales_the_kept_elements_and_is_unbiased():
    x = nl.ones(20_000, requires_grad=True)
    out = F.dropout(x, p=0.25, generator=np.random.default_rng(0))
    kept = out.numpy() != 0
    assert set(np.unique(out.numpy())) == {0.0, np.float32(1 / 0.75)}
    assert abs(kept.mean() - 0.75) < 0.01 and abs(out.numpy().mean() - 1) < 0.02
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.numpy())  # same mask and scale
    assert F.dropout(x, 0.5, training=False) is x and F.dropout(x, 0.0) is x
    zeroed = F.dropout(x, 1.0)
    assert not zeroed.numpy().any() and zeroed.requires_grad
    nl.manual_seed(5)
    first = F.dropout(nl.ones(50), 0.5).tolist()
    nl.manual_seed(5)
    assert F.dropout(nl.ones(50), 0.5).tolist() == first


def test_one_hot_and_embedding():
    labels = nl.tensor([0, 2, 1])
    assert F.one_hot(labels).tolist() == TF.one_hot(torch.tensor([0, 2, 1])).tolist()
    assert F.one_hot(labels, 4).shape == (3, 4) and F.one_hot(labels).dtype == nl.int64
    weight = nl.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    F.embedding(nl.tensor([2, 2, 0]), weight).sum().backward()
    assert weight.grad.tolist() == [[1, 1], [0, 0], [2, 2]]


GRADCHECKS = {
    "activations": lambda x: F.gelu(x) + F.gelu(x, approximate="tanh") * F.silu(x)
    + F.elu(x) * F.leaky_relu(x, 0.1) + F.hardswish(x) + F.hardsigmoid(x),
    "softmaxes": lambda x: F.softmax(x, 0) * F.log_softmax(x, 1),
    "cross_entropy": lambda x: F.cross_entropy(x, nl.tensor([1, 0, 2]), label_smoothing=0.1),
    "bce_logits": lambda x: F.binary_cross_entropy_with_logits(x, nl.tensor(np.full((3, 3), .3))),
    "bce": lambda x: F.binary_cross_entropy(F.sigmoid(x), nl.tensor(np.full((3, 3), 0.3))),
    "huber": lambda x: F.huber_loss(x, nl.tensor(np.zeros((3, 3))), delta=0.5),
    "kl": lambda x: F.kl_div(F.log_softmax(x, 1), F.softmax(x * 2, 1), "batchmean"),
}


@pytest.mark.parametrize("name", GRADCHECKS)
def test_functional_gradcheck_float64(name):
    x = np.random.default_rng(5).uniform(-2, 2, (3, 3))
    x[np.abs(np.abs(x) - 3) < 0.1] += 0.3  # stay off the kinks of hardswish / hardsigmoid
    assert gradcheck(GRADCHECKS[name], [nl.tensor(x, requires_grad=True)])
