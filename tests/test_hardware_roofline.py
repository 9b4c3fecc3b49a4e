"""The roofline model's arithmetic and the FLOPs and bytes of ops."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnlib.hardware.roofline import (
    attainable,
    conv2d_cost,
    elementwise_cost,
    matmul_cost,
    ridge_point,
)


def test_roofline_is_the_lower_of_the_two_roofs() -> None:
    peak, bandwidth = 100e12, 2e12  # 100 TFLOP/s, 2 TB/s
    assert ridge_point(peak, bandwidth) == 50
    np.testing.assert_allclose(attainable([1, 10, 50, 1000], peak, bandwidth),
                               [2e12, 20e12, 100e12, 100e12])


def test_elementwise_add_reads_two_and_writes_one() -> None:
    cost = elementwise_cost(1000)
    assert cost.flops == 1000 and cost.bytes == 12_000
    assert cost.intensity == pytest.approx(1 / 12)
    assert elementwise_cost(10, itemsize=8).intensity == pytest.approx(1 / 24)


@pytest.mark.parametrize("n", [1, 64, 1024])
def test_square_matmul_intensity_is_n_over_6_in_float32(n: int) -> None:
    cost = matmul_cost(n, n, n)
    assert cost.flops == 2 * n**3 and cost.bytes == 12 * n**2
    assert cost.intensity == pytest.approx(n / 6)


@pytest.mark.parametrize("stride, padding", [(1, 0), (1, 1), (2, 1)])
def test_conv_cost_matches_torch_shapes(stride: int, padding: int) -> None:
    x, w = torch.zeros(2, 3, 11, 9), torch.zeros(5, 3, 3, 3)
    y = torch.nn.functional.conv2d(x, w, stride=stride, padding=padding)
    cost = conv2d_cost(2, 3, 5, 11, 9, 3, stride=stride, padding=padding)
    assert cost.flops == 2 * y.numel() * 3 * 9  # a multiply-add per input channel and tap
    assert cost.bytes == 4 * (x.numel() + w.numel() + y.numel())
