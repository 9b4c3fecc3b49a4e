"""nnlib.init: torch's gains and fans, the distributions each initialiser draws from, and the
Box-Muller and Marsaglia polar normal samplers (tested statistically with fixed seeds)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import nnlib as nl
from nnlib import init

try:
    from scipy import stats
except ImportError:  # pragma: no cover - scipy is optional
    stats = None


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None),
])
def test_calculate_gain_matches_torch(nonlinearity, param):
    expected = torch.nn.init.calculate_gain(nonlinearity, param)
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(expected, rel=1e-12)


def test_fans_match_torch():
    for shape in [(3, 5), (4, 2, 3, 3), (6, 1, 5)]:
        fans = init._calculate_fan_in_and_fan_out(nl.zeros(*shape))
        assert fans == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


def _spread(tensor):
    values = tensor.numpy().astype(np.float64)
    return np.abs(values).max(), values.std()


@pytest.mark.parametrize("fill, bound, std", [
    (lambda t: init.xavier_uniform_(t), math.sqrt(6 / 600), math.sqrt(2 / 600)),
    (lambda t: init.xavier_uniform_(t, gain=2.0), 2 * math.sqrt(6 / 600), 2 * math.sqrt(2 / 600)),
    (lambda t: init.xavier_normal_(t), None, math.sqrt(2 / 600)),
    (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(6 / 200),
     math.sqrt(2 / 200)),
    (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), 1 / math.sqrt(200),
     1 / math.sqrt(600)),
    (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), None,
     math.sqrt(2 / 400)),
    (lambda t: init.uniform_(t, -0.5, 0.5), 0.5, 1 / math.sqrt(12)),
    (lambda t: init.normal_(t, 0.0, 0.3), None, 0.3),
])
def test_initialisers_draw_from_torchs_distributions(fill, bound, std):
    nl.manual_seed(0)
    weight = nl.zeros(400, 200, requires_grad=True)  # fan_in 200, fan_out 400
    assert fill(weight) is weight and weight.requires_grad and weight.dtype == nl.float32
    largest, measured = _spread(weight)
    if bound is not None:
        assert largest <= bound and largest > 0.99 * bound
    assert measured == pytest.approx(std, rel=0.02)


def test_constant_initialisers_and_generator_argument():
    t = nl.zeros(2, 3)
    assert init.ones_(t).tolist() == [[1] * 3] * 2 and init.zeros_(t).numpy().sum() == 0
    assert init.constant_(t, 2.5).tolist() == [[2.5] * 3] * 2
    a = init.normal_(nl.zeros(5), generator=np.random.default_rng(3)).tolist()
    assert a == init.normal_(nl.zeros(5), generator=np.random.default_rng(3)).tolist()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="at least 2 dims"):
        init.xavier_uniform_(nl.zeros(3))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(nl.zeros(2, 2), mode="fan_avg")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


@pytest.mark.parametrize("sampler", [nl.random.box_muller, nl.random.marsaglia_polar,
                                     init.box_muller, init.marsaglia_polar])
@pytest.mark.parametrize("n", [1, 7, 20_001])
def test_normal_samplers_give_standard_normals(sampler, n):
    samples = sampler(n, np.random.default_rng(42))
    assert samples.shape == (n,) and samples.dtype == np.float64 and np.isfinite(samples).all()
    if n < 1000:
        return
    assert abs(samples.mean()) < 4 / math.sqrt(n)  # 4 standard errors
    assert abs(samples.var() - 1) < 4 * math.sqrt(2 / n)
    if stats is not None:
        assert stats.kstest(samples, "norm").pvalue > 0.001
    else:  # quantiles of N(0, 1): 2.5%, 16%, 50%, 84%, 97.5%
        expected = [-1.96, -0.994, 0.0, 0.994, 1.96]
        np.testing.assert_allclose(np.quantile(samples, [0.025, 0.16, 0.5, 0.84, 0.975]),
                                   expected, atol=0.05)
    first, second = samples[: n // 2], samples[n // 2: 2 * (n // 2)]
    assert abs(np.corrcoef(first, second)[0, 1]) < 4 / math.sqrt(n / 2)  # independent halves


def test_samplers_use_the_global_generator_when_not_given_one():
    nl.manual_seed(9)
    a = nl.random.box_muller(10)
    nl.manual_seed(9)
    assert (a == nl.random.box_muller(10)).all()
