"""nnlib.nn.functional against torch.nn.functional: activations, softmaxes, losses (every
reduction), their gradients, their behaviour at kinks and for huge logits, dropout, linear."""

from __future__ import annotations

import re

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
                                             reduction=reduction),
                        lambda a: TF.nll_loss(TF.log_softmax(a, 1), torch.tensor(target),
                                              reduction=reduction), [x], device)
    direct = F.cross_entropy(nl.tensor(x), nl.tensor(target), reduction=reduction)
    composed = F.nll_loss(F.log_softmax(nl.tensor(x), -1), nl.tensor(target), reduction=reduction)
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


# ------------------------------------------------ class weights, ignore_index and pos_weight
def as_tensors(array, device):
    """``array`` (or None) as an nnlib tensor on ``device`` and as a torch tensor."""
    if array is None:
        return None, None
    return nl.tensor(array, device=device), torch.tensor(array)


@st.composite
def weighted_class_targets(draw):
    """Logits (N, C), targets of which none, some or all are ``ignore_index`` (-100, or 2, a
    class or out of range), and class weights or None."""
    x, target = draw(logits_and_targets())
    rng = np.random.default_rng(draw(SEEDS))
    ignore_index = draw(st.sampled_from([-100, 2]))
    ignored = rng.random(len(target)) < draw(st.sampled_from([0.0, 0.5, 1.0]))
    weight = rng.uniform(0.1, 2, x.shape[1]).astype(np.float32) if draw(st.booleans()) else None
    return x, np.where(ignored, ignore_index, target), weight, ignore_index


# nothing counted: "mean" is 0 / 0 (nan, as in torch); NumPy or the CUDA simulator may warn
ZERO_DIVISION = pytest.mark.filterwarnings(
    "ignore:(divide by zero|invalid value) encountered:RuntimeWarning")


@ZERO_DIVISION
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
@FAST
@given(case=weighted_class_targets())
def test_cross_entropy_with_weight_and_ignore_index_matches_torch(reduction, smoothing, case,
                                                                 device):
    x, target, weight, ignore_index = case
    (w, w_ref), (t, t_ref) = as_tensors(weight, device), as_tensors(target, device)
    kwargs = {"ignore_index": ignore_index, "reduction": reduction, "label_smoothing": smoothing}
    check_against_torch(lambda a: F.cross_entropy(a, t, w, **kwargs),
                        lambda a: TF.cross_entropy(a, t_ref, w_ref, **kwargs), [x], device)


@ZERO_DIVISION
@pytest.mark.parametrize("reduction", REDUCTIONS)
@FAST
@given(case=weighted_class_targets())
def test_nll_loss_with_weight_and_ignore_index_matches_torch(reduction, case, device):
    x, target, weight, ignore_index = case
    (w, w_ref), (t, t_ref) = as_tensors(weight, device), as_tensors(target, device)
    check_against_torch(lambda a: F.nll_loss(a, t, w, ignore_index, reduction),
                        lambda a: TF.nll_loss(a, t_ref, w_ref, ignore_index=ignore_index,
                                              reduction=reduction), [x], device)


CLASS_LOSSES = {"cross_entropy": (F.cross_entropy, TF.cross_entropy),
                "nll_loss": (F.nll_loss, TF.nll_loss)}


@ZERO_DIVISION
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", [[3, -100, 0, 1, -100], [-100] * 5], ids=["some", "all"])
@pytest.mark.parametrize("name", CLASS_LOSSES)
def test_weight_ignore_index_and_label_smoothing_together(name, target, reduction, device):
    """torch's formula: (1 - eps) w[y_i] nll_i + eps / C sum_c w_c nll_ic per counted row, and
    "mean" divides by sum w[y_i] over the counted rows; all ignored: nan, zero gradients."""
    x = np.random.default_rng(6).standard_normal((5, 4)).astype(np.float32)
    (w, w_ref), (t, t_ref) = as_tensors(np.array([0.5, 2.0, 1.0, 3.0], np.float32), device), \
        as_tensors(np.array(target), device)
    fn, ref = CLASS_LOSSES[name]
    kwargs = {"reduction": reduction, **({"label_smoothing": 0.2} if name == "cross_entropy"
                                          else {})}
    out = check_against_torch(lambda a: fn(a, t, weight=w, **kwargs),
                              lambda a: ref(a, t_ref, weight=w_ref, **kwargs), [x], device)
    if reduction == "none":
        assert out.numpy()[1] == 0 and out.numpy()[4] == 0  # ignored rows: no loss
    elif target[0] == -100:
        assert np.isnan(out.item()) if reduction == "mean" else out.item() == 0


@ZERO_DIVISION
def test_zero_total_weight_gives_nan_like_torch(device):
    """Counted targets whose weights add up to 0: "mean" is nan, and so are the gradients of
    their rows, while an ignored row's stays 0 (as torch computes it)."""
    x = np.random.default_rng(7).standard_normal((3, 3)).astype(np.float32)
    (w, w_ref), (t, t_ref) = as_tensors(np.array([0.0, 1.0, 1.0], np.float32), device), \
        as_tensors(np.array([0, -100, 0]), device)
    for smoothing in (0.0, 0.3):
        check_against_torch(lambda a, s=smoothing: F.cross_entropy(a, t, w, label_smoothing=s),
                            lambda a, s=smoothing: TF.cross_entropy(a, t_ref, w_ref,
                                                                    label_smoothing=s),
                            [x], device)
    check_against_torch(lambda a: F.nll_loss(a, t, w), lambda a: TF.nll_loss(a, t_ref, w_ref),
                        [x], device)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_probability_targets_with_weight(smoothing, device):
    """Weighted probability targets: q_ic = w_c ((1 - eps) p_ic + eps / C), and "mean" divides
    by N (not by a total weight); the target's gradient is checked too."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    probs = rng.dirichlet(np.ones(5), 4).astype(np.float32)
    w, w_ref = as_tensors(rng.uniform(0.1, 3, 5).astype(np.float32), device)
    for reduction in REDUCTIONS:
        check_against_torch(
            lambda a, p, r=reduction: F.cross_entropy(a, p, w, reduction=r,
                                                      label_smoothing=smoothing),
            lambda a, p, r=reduction: TF.cross_entropy(a, p, w_ref, reduction=r,
                                                       label_smoothing=smoothing),
            [x, probs], device, rtol=1e-5, atol=1e-5)


def test_probability_targets_refuse_a_class_ignore_index_like_torch():
    x, probs = nl.zeros(2, 3), nl.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match="ignore_index=0 is not supported for probability"):
        F.cross_entropy(x, probs, ignore_index=0)
    with pytest.raises(RuntimeError, match="ignore_index is not supported"):
        TF.cross_entropy(torch.zeros(2, 3), torch.full((2, 3), 1 / 3), ignore_index=0)
    # a negative ignore_index names no class, so torch (and nnlib) accept it and ignore it
    assert_close(F.cross_entropy(x, probs, ignore_index=-1),
                 TF.cross_entropy(torch.zeros(2, 3), torch.full((2, 3), 1 / 3), ignore_index=-1))


@ZERO_DIVISION
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", [1, -100])
@pytest.mark.parametrize("name", CLASS_LOSSES)
def test_single_sample_with_weight_and_ignored_target(name, target, reduction, device):
    x = np.array([0.5, -1.0, 2.0], np.float32)
    (w, w_ref), (t, t_ref) = as_tensors(np.array([1.0, 4.0, 0.5], np.float32), device), \
        as_tensors(np.array(target), device)
    fn, ref = CLASS_LOSSES[name]
    check_against_torch(lambda a: fn(a, t, w, reduction=reduction),
                        lambda a: ref(a, t_ref, w_ref, reduction=reduction), [x], device)


def test_weighted_cross_entropy_stays_finite_for_huge_logits(device):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4], [0.0, 0.0, 1e4]], np.float32)
    (w, w_ref), (t, t_ref) = as_tensors(np.array([2.0, 0.5, 1.0], np.float32), device), \
        as_tensors(np.array([1, -100, 0]), device)
    out = check_against_torch(
        lambda a: F.cross_entropy(a, t, w, label_smoothing=0.1),
        lambda a: TF.cross_entropy(a, t_ref, w_ref, label_smoothing=0.1), [x], device,
        rtol=1e-5, atol=1e-2)
    assert np.isfinite(out.item())


def test_class_weight_errors_name_the_op_and_shapes():
    logits, target = nl.zeros(3, 5), nl.tensor([0, 1, 2])
    for fn in (F.cross_entropy, F.nll_loss):
        name = fn.__name__
        with pytest.raises(ValueError, match=re.escape(
                f"{name}: weight must hold one value per class, shape (5,) for input (3, 5), "
                "got shape (4,)")):
            fn(logits, target, weight=nl.ones(4))
        with pytest.raises(ValueError, match=re.escape("got shape (1, 5)")):
            fn(logits, target, weight=nl.ones(1, 5))
        with pytest.raises(TypeError, match=f"{name}: weight must be a tensor .* got 'sum'; "
                                            "pass reduction= by name"):
            fn(logits, target, "sum")
        with pytest.raises(ValueError, match=re.escape(f"{name}: target values must lie in "
                                                       "[0, 5); got -100")):
            fn(logits, nl.tensor([0, -100, 1]), ignore_index=-1)
    with pytest.raises(ValueError, match="label_smoothing must be between 0 and 1, got 1.5"):
        F.cross_entropy(logits, target, label_smoothing=1.5)


def test_class_weight_on_another_device_is_an_error(device):
    if device == "cpu":
        pytest.skip("needs a second device")
    logits, target = nl.zeros(3, 5, device="cuda"), nl.tensor([0, 1, 2], device="cuda")
    for fn in (F.cross_entropy, F.nll_loss):
        with pytest.raises(RuntimeError, match=f"{fn.__name__}: expected all tensors to be on "
                                               "the same device, but got cuda and cpu"):
            fn(logits, target, weight=nl.ones(5))


def test_class_weight_is_not_differentiated_and_is_version_checked():
    logits = nl.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 0.3]], requires_grad=True)
    weight = nl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for fn in (F.cross_entropy, F.nll_loss):
        fn(logits, nl.tensor([1, 2]), weight).backward()
        assert weight.grad is None and logits.grad is not None
    weight_used = nl.tensor([1.0, 2.0, 3.0])
    loss = F.nll_loss(logits, nl.tensor([1, 2]), weight_used)
    weight_used[0] = 5.0
    with pytest.raises(RuntimeError, match="is at version"):
        loss.backward()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_shape", [(3,), (2, 1), (2, 3), ()])
def test_bce_with_logits_pos_weight_matches_torch(reduction, pos_shape, device):
    """pos_weight broadcasts against the input; the target's gradient is checked too."""
    rng = np.random.default_rng(9)
    logits = rng.uniform(-5, 5, (2, 3)).astype(np.float32)
    target = rng.uniform(0, 1, (2, 3)).astype(np.float32)
    p, p_ref = as_tensors(rng.uniform(0.2, 4, pos_shape).astype(np.float32), device)
    for weight in (None, rng.uniform(0, 2, (3,)).astype(np.float32)):
        w, w_ref = as_tensors(weight, device)
        check_against_torch(
            lambda a, t, w=w: F.binary_cross_entropy_with_logits(a, t, w, reduction=reduction,
                                                                 pos_weight=p),
            lambda a, t, w=w_ref: TF.binary_cross_entropy_with_logits(
                a, t, w, reduction=reduction, pos_weight=p_ref),
            [logits, target], device, rtol=1e-5, atol=1e-5)


def test_bce_with_logits_pos_weight_is_finite_for_huge_logits_and_checks_shapes():
    x = np.array([1e4, -1e4, 1e4, -1e4], np.float32)
    out = check_against_torch(
        lambda a: F.binary_cross_entropy_with_logits(
            a, nl.tensor([0.0, 1.0, 1.0, 0.0]), pos_weight=nl.tensor([3.0])),
        lambda a: TF.binary_cross_entropy_with_logits(a, torch.tensor([0.0, 1.0, 1.0, 0.0]),
                                                      pos_weight=torch.tensor([3.0])), [x])
    assert np.isfinite(out.item())
    with pytest.raises(ValueError, match=re.escape(
            "binary_cross_entropy_with_logits: pos_weight of shape (3,) does not broadcast to "
            "the input's shape (3, 2)")):
        F.binary_cross_entropy_with_logits(nl.zeros(3, 2), nl.zeros(3, 2), pos_weight=nl.ones(3))


WEIGHTED_GRADCHECKS = {
    "cross_entropy": lambda x: F.cross_entropy(
        x, nl.tensor([1, -100, 2]), nl.tensor([0.5, 2.0, 1.5], dtype=nl.float64),
        label_smoothing=0.1),
    "cross_entropy_probs": lambda x: F.cross_entropy(
        x, F.softmax(x * 0.5, 1), nl.tensor([0.5, 2.0, 1.5], dtype=nl.float64),
        label_smoothing=0.1),
    "nll_loss": lambda x: F.nll_loss(x, nl.tensor([1, 0, 1]), nl.tensor([0.5, 2.0, 1.5],
                                                                        dtype=nl.float64),
                                     ignore_index=0),
    "bce_pos_weight": lambda x: F.binary_cross_entropy_with_logits(
        x, nl.tensor(np.full((3, 3), 0.3)), pos_weight=nl.tensor([0.5, 2.0, 4.0], nl.float64)),
}


@pytest.mark.parametrize("name", WEIGHTED_GRADCHECKS)
def test_weighted_losses_gradcheck_float64(name):
    x = np.random.default_rng(10).uniform(-2, 2, (3, 3))
    assert gradcheck(WEIGHTED_GRADCHECKS[name], [nl.tensor(x, requires_grad=True)])
