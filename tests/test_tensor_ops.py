"""Every differentiable op, forward and backward, against torch on random shapes (hypothesis),
including broadcasting and non-contiguous inputs; plus float64 finite-difference checks."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from conftest import FAST, assert_close, check_against_torch, make_array
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import nnlib as nl
import nnlib.nn.functional as F
from nnlib.autograd import gradcheck

LAYOUTS = st.sampled_from(["contiguous", "transposed", "strided"])
SHAPES = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
SEEDS = st.integers(0, 2**16)

# name: (nnlib function, torch function, (low, high) of the inputs)
UNARY = {
    "neg": (lambda x: -x, lambda x: -x, (-2, 2)),
    "exp": (nl.exp, torch.exp, (-2, 2)),
    "log": (nl.log, torch.log, (0.1, 3)),
    "sqrt": (nl.sqrt, torch.sqrt, (0.1, 3)),
    "abs": (nl.abs, torch.abs, (-2, 2)),
    "tanh": (nl.tanh, torch.tanh, (-3, 3)),
    "sigmoid": (nl.sigmoid, torch.sigmoid, (-5, 5)),
    "relu": (nl.relu, torch.relu, (-2, 2)),
    "clamp": (lambda x: x.clamp(-0.5, 1.0), lambda x: x.clamp(-0.5, 1.0), (-2, 2)),
    "clamp_min": (lambda x: nl.clamp(x, min=0.3), lambda x: x.clamp(min=0.3), (-2, 2)),
    "clip_max": (lambda x: nl.clip(x, max=0.3), lambda x: x.clip(max=0.3), (-2, 2)),
    "square": (lambda x: x**2, lambda x: x**2, (-2, 2)),
    "cube_root": (lambda x: x ** (1 / 3), lambda x: x ** (1 / 3), (0.1, 2)),
    "rpow": (lambda x: 2.0**x, lambda x: 2.0**x, (-2, 2)),
    "rsub": (lambda x: 1 - x, lambda x: 1 - x, (-2, 2)),
    "rdiv": (lambda x: 1 / x, lambda x: 1 / x, (0.5, 2)),
    "scale": (lambda x: 3 * x * 0.5 + 1, lambda x: 3 * x * 0.5 + 1, (-2, 2)),
    "clone": (nl.clone, torch.clone, (-2, 2)),
    "T": (lambda x: x.T, lambda x: x.permute(*reversed(range(x.ndim))) if x.ndim else x,
          (-2, 2)),
    "flatten": (nl.flatten, torch.flatten, (-2, 2)),
}

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, (-2, 2), (-2, 2)),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, (-2, 2), (-2, 2)),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, (-2, 2), (-2, 2)),
    "div": (lambda a, b: a / b, lambda a, b: a / b, (-2, 2), (0.5, 2)),
    "pow": (lambda a, b: a**b, lambda a, b: a**b, (0.2, 2), (-2, 2)),
    "maximum": (nl.maximum, torch.maximum, (-2, 2), (-2, 2)),
    "minimum": (nl.minimum, torch.minimum, (-2, 2), (-2, 2)),
    "where": (lambda a, b: nl.where(a > b, a, b), lambda a, b: torch.where(a > b, a, b),
              (-2, 2), (-2, 2)),
    "method_max": (lambda a, b: a.max(b), lambda a, b: a.max(b), (-2, 2), (-2, 2)),
}


@pytest.mark.parametrize("name", UNARY)
@FAST
@given(shape=SHAPES, layout=LAYOUTS, seed=SEEDS)
def test_unary_op_matches_torch(name, shape, layout, seed, device):
    nl_fn, torch_fn, (low, high) = UNARY[name]
    x = make_array(np.random.default_rng(seed), shape, layout, low=low, high=high)
    check_against_torch(nl_fn, torch_fn, [x], device, seed=seed)


@pytest.mark.parametrize("name", BINARY)
@FAST
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       layout=LAYOUTS, seed=SEEDS)
def test_binary_op_broadcasts_like_torch(name, shapes, layout, seed, device):
    nl_fn, torch_fn, low_a, low_b = BINARY[name]
    rng = np.random.default_rng(seed)
    a = make_array(rng, shapes.input_shapes[0], layout, low=low_a[0], high=low_a[1])
    b = make_array(rng, shapes.input_shapes[1], "contiguous", low=low_b[0], high=low_b[1])
    check_against_torch(nl_fn, torch_fn, [a, b], device, seed=seed)


@pytest.mark.parametrize("name", ["maximum", "minimum", "method_max"])
def test_ties_split_the_gradient_like_torch(name, device):
    nl_fn, torch_fn, _, _ = BINARY[name]
    a = np.array([1.0, 2.0, 3.0, -1.0], np.float32)
    b = np.array([1.0, 3.0, 3.0, -2.0], np.float32)
    check_against_torch(nl_fn, torch_fn, [a, b], device)


def test_kinks_follow_torch(device):
    x = np.array([-1.0, 0.0, 0.0, 1.0, -0.5, 1.0], np.float32)
    for name in ("abs", "relu", "clamp", "clamp_min", "clip_max"):
        check_against_torch(UNARY[name][0], UNARY[name][1], [x], device)
    check_against_torch(lambda x: x ** 2.0, lambda x: x ** 2.0, [x], device)
    check_against_torch(lambda x: x ** 0, lambda x: x ** 0, [x], device)
    base, exponent = np.array([0.0, 2.0, 0.0], np.float32), np.array([2.0, 0.0, 0.0], np.float32)
    check_against_torch(lambda a, b: a**b, lambda a, b: a**b, [base, exponent], device)


# ------------------------------------------------------------------------------- reductions
@st.composite
def shape_and_dim(draw, allow_none=True, allow_tuple=True):
    shape = draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    options = [st.integers(-len(shape), len(shape) - 1)]
    if allow_none:
        options.append(st.none())
    if allow_tuple:
        options.append(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape),
                                unique=True).map(tuple))
    return shape, draw(st.one_of(options))


REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k), lambda x, d, k: x.sum(d, keepdim=k)),
    "sum_numpy_names": (lambda x, d, k: x.sum(axis=d, keepdims=k),
                        lambda x, d, k: x.sum(d, keepdim=k)),
    "mean": (lambda x, d, k: nl.mean(x, d, k), lambda x, d, k: x.mean(d, keepdim=k)),
    "amax": (lambda x, d, k: x.amax(d, keepdim=k), lambda x, d, k: x.amax(d, keepdim=k)),
    "amin": (lambda x, d, k: nl.amin(x, dim=d, keepdim=k), lambda x, d, k: x.amin(d, keepdim=k)),
    "var": (lambda x, d, k: x.var(d, keepdim=k), lambda x, d, k: x.var(d, keepdim=k)),
    "var_biased": (lambda x, d, k: x.var(d, unbiased=False, keepdim=k),
                   lambda x, d, k: x.var(d, unbiased=False, keepdim=k)),
    "std_correction0": (lambda x, d, k: x.std(d, keepdim=k, correction=0),
                        lambda x, d, k: x.std(d, keepdim=k, correction=0)),
}


def _torch_dim(dim):
    return () if dim is None else dim  # torch's amax/amin spell "all dims" as ()


@pytest.mark.parametrize("name", REDUCTIONS)
@FAST
@given(shape_dim=shape_and_dim(), keepdim=st.booleans(), ties=st.booleans(), seed=SEEDS)
def test_reduction_matches_torch(name, shape_dim, keepdim, ties, seed, device):
    shape, dim = shape_dim
    nl_fn, torch_fn = REDUCTIONS[name]
    rng = np.random.default_rng(seed)
    if ties:  # few distinct values: max/min must share the gradient among tied elements
        x = rng.integers(-1, 2, shape).astype(np.float32)
    else:
        x = make_array(rng, shape, "transposed")
    if name.startswith(("var", "std")):
        dims = range(len(shape)) if dim is None else np.atleast_1d(dim)
        assume(np.prod([shape[d] for d in dims]) > 1)  # one element: var is nan (0 / 0)
    torch_dim = _torch_dim(dim) if name in ("amax", "amin") else dim
    check_against_torch(lambda t: nl_fn(t, dim, keepdim), lambda t: torch_fn(t, torch_dim, keepdim),
                        [x], device, rtol=1e-4, atol=1e-5, seed=seed)


@FAST
@given(shape_dim=shape_and_dim(allow_none=False, allow_tuple=False), keepdim=st.booleans(),
       seed=SEEDS)
def test_max_min_with_dim_return_values_and_indices_like_torch(shape_dim, keepdim, seed, device):
    shape, dim = shape_dim
    x = np.random.default_rng(seed).integers(-2, 3, shape).astype(np.float32)  # ties
    for op in ("max", "min"):
        out = getattr(nl.Tensor(x), op)(dim, keepdim=keepdim)
        ref = getattr(torch.tensor(x), op)(dim, keepdim=keepdim)
        assert_close(out.values, ref.values)
        np.testing.assert_array_equal(out.indices.numpy(), ref.indices.numpy())
        check_against_torch(lambda t, op=op: getattr(t, op)(dim, keepdim=keepdim).values,
                            lambda t, op=op: getattr(t, op)(dim, keepdim=keepdim).values,
                            [x], device, seed=seed)


def test_full_max_and_min_share_gradient_among_ties(device):
    x = np.array([[1.0, 3.0], [3.0, -1.0]], np.float32)
    check_against_torch(lambda t: t.max(), lambda t: t.max(), [x], device)
    check_against_torch(lambda t: nl.min(t), lambda t: torch.min(t), [x], device)


def test_argmax_argmin_match_torch():
    x = np.array([[1.0, 3.0, 3.0], [5.0, -1.0, 5.0]], np.float32)
    for dim in (None, 0, 1):
        for keepdim in (False, True):
            if dim is None and keepdim:
                continue
            for op in ("argmax", "argmin"):
                out = getattr(nl.tensor(x), op)(dim, keepdim=keepdim)
                ref = getattr(torch.tensor(x), op)(dim, keepdim=keepdim)
                assert out.dtype == nl.int64
                np.testing.assert_array_equal(out.numpy(), ref.numpy())


# A 0-d tensor has one implicit dim in torch: dim 0 or -1 reduces its one element.
ZERO_D_OPS = {
    **REDUCTIONS,
    "max_values": (lambda x, d, k: x.max(d, keepdim=k).values,
                   lambda x, d, k: x.max(d, keepdim=k).values),
    "min_values": (lambda x, d, k: nl.min(x, d, keepdim=k).values,
                   lambda x, d, k: torch.min(x, d, keepdim=k).values),
    "softmax": (lambda x, d, k: F.softmax(x, dim=d), lambda x, d, k: torch.softmax(x, dim=d)),
    "log_softmax": (lambda x, d, k: F.log_softmax(x, d),
                    lambda x, d, k: torch.log_softmax(x, d)),
}


# var of one element divides by N - 1 = 0: nan (torch warns), and so is its gradient
@pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning")
@pytest.mark.filterwarnings("ignore:(invalid value|divide by zero):RuntimeWarning")
@pytest.mark.parametrize("name", ZERO_D_OPS)
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_dim_0_and_minus_1_of_a_0d_tensor_work_like_torch(name, dim, keepdim, device):
    nl_fn, torch_fn = ZERO_D_OPS[name]
    check_against_torch(lambda t: nl_fn(t, dim, keepdim), lambda t: torch_fn(t, dim, keepdim),
                        [np.array(3.0, np.float32)], device)


@pytest.mark.parametrize("dim", [0, -1])
def test_max_min_argmax_argmin_of_a_0d_tensor_give_index_0_like_torch(dim, device):
    x = nl.tensor(3.0, device=device)
    for op in ("max", "min"):
        out, ref = getattr(x, op)(dim), getattr(torch.tensor(3.0), op)(dim)
        assert out.indices.shape == ref.indices.shape == () and out.indices.item() == 0
        assert out.indices.dtype == nl.int64
    for op in ("argmax", "argmin"):
        for keepdim in (False, True):
            out = getattr(x, op)(dim, keepdim=keepdim)
            ref = getattr(torch.tensor(3.0), op)(dim, keepdim=keepdim)
            assert out.dtype == nl.int64 and out.shape == ref.shape == () and out.item() == 0


def _functional(x):
    return torch.nn.functional if isinstance(x, torch.Tensor) else F


ZERO_D_DIM_ERRORS = {
    "sum": lambda x, d: x.sum(d), "mean": lambda x, d: x.mean(d), "var": lambda x, d: x.var(d),
    "std": lambda x, d: x.std(d), "amax": lambda x, d: x.amax(d),
    "amin": lambda x, d: x.amin(d), "max": lambda x, d: x.max(d),
    "min": lambda x, d: x.min(d), "argmax": lambda x, d: x.argmax(d),
    "argmin": lambda x, d: x.argmin(d), "softmax": lambda x, d: _functional(x).softmax(x, d),
    "log_softmax": lambda x, d: _functional(x).log_softmax(x, d),
    "squeeze": lambda x, d: x.squeeze(d),
    "transpose": lambda x, d: x.transpose(0, d), "flatten": lambda x, d: x.flatten(d),
}


@pytest.mark.parametrize("name", ZERO_D_DIM_ERRORS)
@pytest.mark.parametrize("dim", [1, -2])
def test_other_dims_of_a_0d_tensor_are_out_of_range_like_torch(name, dim, device):
    op = ZERO_D_DIM_ERRORS[name]
    with pytest.raises(IndexError, match=re.escape("expected to be in range of [-1, 0]")):
        op(torch.tensor(3.0), dim)
    message = (f"{name}: dim {dim} is out of range for a tensor with 0 dimensions "
               f"(expected a dim in [-1, 0])")
    with pytest.raises(IndexError, match=re.escape(message)):
        op(nl.tensor(3.0, device=device), dim)


def test_sum_of_bools_is_int64_and_mean_of_ints_is_float32():
    x = nl.tensor([True, False, True])
    assert x.sum().dtype == nl.int64 and x.sum().item() == 2
    assert nl.tensor([1, 2]).mean().dtype == nl.float32


# ---------------------------------------------------------------------------------- matmul
MATMUL_CASES = [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                ((2, 2, 3), (3, 4)), ((2, 2, 3), (2, 3, 4)), ((1, 2, 3), (4, 3, 2)),
                ((3,), (2, 3, 4)), ((2, 1, 2, 3), (3, 3, 1)), ((5, 2, 3), (3,))]


@pytest.mark.parametrize("shape_a, shape_b", MATMUL_CASES)
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_matmul_matches_torch(shape_a, shape_b, layout, device):
    rng = np.random.default_rng(len(shape_a) * 10 + len(shape_b))
    a, b = make_array(rng, shape_a, layout), make_array(rng, shape_b, layout)
    check_against_torch(lambda x, y: x @ y, torch.matmul, [a, b], device, rtol=1e-5, atol=1e-5)
    check_against_torch(nl.matmul, torch.matmul, [a, b], device, rtol=1e-5, atol=1e-5)


@FAST
@given(m=st.integers(1, 5), n=st.integers(1, 5), p=st.integers(1, 5), seed=SEEDS)
def test_matmul_random_matrices(m, n, p, seed, device):
    rng = np.random.default_rng(seed)
    check_against_torch(lambda x, y: x @ y, torch.matmul,
                        [make_array(rng, (m, n)), make_array(rng, (n, p), "transposed")],
                        device, atol=1e-5)


# ------------------------------------------------------------------------------- shape ops
SHAPE_OPS = [
    ("reshape", lambda t: t.reshape(2, -1), lambda t: t.reshape(2, -1)),
    ("reshape_tuple", lambda t: nl.reshape(t, (3, 4)), lambda t: t.reshape(3, 4)),
    ("view", lambda t: t.view(4, 3), lambda t: t.reshape(4, 3)),
    ("transpose", lambda t: t.transpose(0, 2), lambda t: t.transpose(0, 2)),
    ("permute", lambda t: t.permute(2, 0, 1), lambda t: t.permute(2, 0, 1)),
    ("permute_tuple", lambda t: nl.permute(t, (1, 2, 0)), lambda t: t.permute(1, 2, 0)),
    ("unsqueeze", lambda t: t.unsqueeze(-1), lambda t: t.unsqueeze(-1)),
    ("unsqueeze_0", lambda t: nl.unsqueeze(t, 0), lambda t: t.unsqueeze(0)),
    ("squeeze", lambda t: t.unsqueeze(1).squeeze(), lambda t: t.unsqueeze(1).squeeze()),
    ("squeeze_dim", lambda t: t[:, :1].squeeze(1), lambda t: t[:, :1].squeeze(1)),
    ("squeeze_noop", lambda t: t.squeeze(0), lambda t: t.squeeze(0)),
    ("flatten_1", lambda t: t.flatten(1), lambda t: t.flatten(1)),
    ("expand", lambda t: t[:, :1].expand(2, 3, 2), lambda t: t[:, :1].expand(2, 3, 2)),
    ("expand_new", lambda t: t.expand(2, -1, -1, -1), lambda t: t.expand(2, -1, -1, -1)),
    ("broadcast_to", lambda t: nl.broadcast_to(t[0], (3, 3, 2)),
     lambda t: torch.broadcast_to(t[0], (3, 3, 2))),
    ("index_int", lambda t: t[1], lambda t: t[1]),
    ("index_slices", lambda t: t[:, 1:, 1], lambda t: t[:, 1:, 1]),
    ("index_step", lambda t: t[..., ::2], lambda t: t[..., ::2]),
    ("index_none", lambda t: t[None, 0, :, None], lambda t: t[None, 0, :, None]),
    ("index_negative", lambda t: t[-1, -2], lambda t: t[-1, -2]),
    ("gather_repeated", lambda t: t[[0, 1, 1, 0, 1]], lambda t: t[[0, 1, 1, 0, 1]]),
    ("gather_tensor", lambda t: t[nl.tensor([1, 1, 0])].sum(0) * t[:, nl.tensor([1, 1])].sum(),
     lambda t: t[torch.tensor([1, 1, 0])].sum(0) * t[:, torch.tensor([1, 1])].sum()),
    ("gather_pairs", lambda t: t[[0, 1, 1], [2, 2, 0]], lambda t: t[[0, 1, 1], [2, 2, 0]]),
    ("mask", lambda t: t[t > 0], lambda t: t[t > 0]),
    ("cat0", lambda t: nl.cat([t, t * 2, t[:1]], dim=0),
     lambda t: torch.cat([t, t * 2, t[:1]], dim=0)),
    ("cat_last", lambda t: nl.cat([t, t[..., :1]], dim=-1),
     lambda t: torch.cat([t, t[..., :1]], dim=-1)),
    ("stack", lambda t: nl.stack([t, t * 3], dim=1), lambda t: torch.stack([t, t * 3], dim=1)),
    ("stack_last", lambda t: nl.stack([t, -t], dim=-1), lambda t: torch.stack([t, -t], dim=-1)),
]


@pytest.mark.parametrize("name, nl_fn, torch_fn", SHAPE_OPS, ids=[c[0] for c in SHAPE_OPS])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_shape_op_matches_torch(name, nl_fn, torch_fn, layout, device):
    x = make_array(np.random.default_rng(7), (2, 3, 2), layout)
    check_against_torch(nl_fn, torch_fn, [x], device)


def test_embedding_lookup_accumulates_repeated_rows(device):
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    ids = np.array([[0, 2], [2, 2]])
    out = check_against_torch(lambda w: w[nl.tensor(ids)], lambda w: w[torch.tensor(ids)],
                              [table], device)
    assert out.shape == (2, 2, 3)


# -------------------------------------------------------------------------------- dtypes
DTYPE_CASES = {
    "float32 * 2.0": lambda a: a * 2.0,
    "2 * float32": lambda a: 2 * a,
    "float32 * numpy float64": lambda a: a * np.float64(2.0),
    "int64 + 1.5": lambda a: a.long() + 1.5,
    "int64 / 2": lambda a: a.long() / 2,
    "int64 / int64": lambda a: a.long() / a.long(),
    "int64 * float32": lambda a: a.long() * a,
    "float32 + 0-d float64": lambda a: a + a.double()[0],
    "int64 + 0-d float64": lambda a: a.long() + a.double()[0],
    "float64 + float32": lambda a: a.double() + a,
    "bool + 1": lambda a: a.bool() + 1,
    "bool + bool": lambda a: a.bool() * a.bool(),
    "int64 - 1": lambda a: a.long() - 1,
    "exp(int64)": lambda a: a.long().exp(),
    "sum(float64)": lambda a: a.double().sum(),
    "sum(bool)": lambda a: (a > 1).sum(),
    "mean(float32, dim)": lambda a: a.reshape(3, 1).mean(1),
}


@pytest.mark.parametrize("name", DTYPE_CASES)
def test_result_dtypes_follow_torch(name):
    x = np.array([1.0, 2.0, 3.0], np.float32)
    nl_out, torch_out = DTYPE_CASES[name](nl.tensor(x)), DTYPE_CASES[name](torch.tensor(x))
    assert str(nl_out.dtype) == str(torch_out.dtype).removeprefix("torch.")
    np.testing.assert_allclose(nl_out.numpy(), torch_out.numpy(), rtol=1e-6)


def test_float64_stays_float64_through_ops_and_gradients():
    x = nl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * 2.0 + 1).exp().sum()
    y.backward()
    assert x.dtype == y.dtype == x.grad.dtype == nl.float64


def test_float32_gradient_from_float64_op_is_cast_back():
    a = nl.tensor([1.0, 2.0], requires_grad=True)
    b = nl.tensor(np.array([3.0, 4.0]), requires_grad=True)
    out = (a * b).sum()
    out.backward()
    assert out.dtype == nl.float64 and a.grad.dtype == nl.float32 and b.grad.dtype == nl.float64


def test_comparisons_return_bool_tensors_without_grad():
    x = nl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x < 2, x <= 2, x > 2, x >= 2, x == 2, x != 2, 2 < x, x.eq(2), x.gt(x)):
        assert result.dtype == nl.bool and not result.requires_grad
    assert (x > 1).tolist() == [False, True, True]
    assert ((x > 1) & (x < 3)).tolist() == [False, True, False]
    assert ((x < 2) | (x > 2)).tolist() == [True, False, True]
    assert (~(x > 1)).tolist() == [True, False, False]
    assert (x == None) is False  # noqa: E711 - identity fallback like torch


# ------------------------------------------------------------------- finite differences
GRADCHECK_CASES = {
    "arithmetic": (lambda a, b: (a * b - a / (b * b + 1)) ** 2, [(2, 3), (3,)]),
    "pow_tensor": (lambda a, b: (a * a + 1) ** b, [(3,), (3,)]),
    "unary": (lambda a: nl.tanh(a).exp() + nl.sigmoid(a) * nl.log(a * a + 1) + nl.sqrt(a * a + 2),
              [(2, 3)]),
    "reductions": (lambda a: a.var(1, keepdim=True) * a.mean(0) + a.std() + a.amax(1).sum(),
                   [(3, 4)]),
    "matmul": (lambda a, b: (a @ b).relu() @ b.T, [(2, 3), (3, 4)]),
    "batched_matmul": (lambda a, b: a @ b, [(2, 2, 3), (3,)]),
    "shapes": (lambda a: nl.cat([a.T.reshape(3, 2), a.permute(1, 0)[:, :1]], 1).unsqueeze(0)
               * a[[1, 1, 0]].sum(), [(2, 3)]),
    "where_minmax": (lambda a, b: nl.where(a > 0, nl.maximum(a, b), nl.minimum(a, b * 2)),
                     [(2, 3), (2, 3)]),
    "stack_expand": (lambda a: nl.stack([a[0], a.expand(2, 3)[1] * 2]).sum(0), [(1, 3)]),
}


@pytest.mark.parametrize("name", GRADCHECK_CASES)
def test_gradcheck_float64(name):
    fn, shapes = GRADCHECK_CASES[name]
    rng = np.random.default_rng(3)
    inputs = [nl.tensor(rng.uniform(0.2, 1.5, s) * rng.choice([-1, 1], s), requires_grad=True)
              for s in shapes]
    if name == "pow_tensor":
        inputs[0] = nl.tensor(rng.uniform(0.5, 1.5, shapes[0]), requires_grad=True)
    assert gradcheck(fn, inputs)
