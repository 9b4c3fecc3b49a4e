"""The roofline model (Williams, Waterman and Patterson 2009), and the FLOPs and bytes of ops.

An op that does ``F`` floating-point operations and moves ``Q`` bytes between memory and the
processor has the *arithmetic intensity* ``I = F / Q`` (FLOPs per byte). On a machine with peak
compute ``P`` (FLOP/s) and memory bandwidth ``W`` (bytes/s) it cannot run faster than

    attainable(I) = min(P, I * W)   FLOP/s,

a slanted roof (memory bound) meeting a flat one (compute bound) at the *ridge point*
``I* = P / W``. Bytes here are the compulsory traffic: every input read once and every output
written once; real kernels may move more (caches too small) but not less.

A multiply-add counts as 2 FLOPs, as in vendors' peak numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OpCost:
    """The floating-point operations and the bytes moved by one op."""

    name: str
    flops: float
    bytes: float

    @property
    def intensity(self) -> float:
        """Arithmetic intensity, FLOPs per byte."""
        return self.flops / self.bytes


def attainable(intensity: float | np.ndarray, peak_flops: float, bandwidth: float):
    """The roofline: min(peak, intensity * bandwidth), in FLOP/s (same units as the inputs)."""
    return np.minimum(peak_flops, np.asarray(intensity) * bandwidth)


def ridge_point(peak_flops: float, bandwidth: float) -> float:
    """The intensity (FLOPs/byte) where the memory roof meets the compute roof: peak / bandwidth."""
    return peak_flops / bandwidth


def elementwise_cost(n: int, inputs: int = 2, flops_per_element: int = 1,
                     itemsize: int = 4) -> OpCost:
    """``out = f(x, y, ...)`` on n elements: ``inputs`` reads and one write per element."""
    return OpCost("elementwise", float(flops_per_element * n), float((inputs + 1) * n * itemsize))


def matmul_cost(m: int, k: int, n: int, itemsize: int = 4) -> OpCost:
    """``(m, k) @ (k, n)``: 2mkn FLOPs; read A and B, write C: (mk + kn + mn) elements."""
    return OpCost(f"matmul {m}x{k}x{n}", 2.0 * m * k * n,
                  float((m * k + k * n + m * n) * itemsize))


def conv2d_cost(batch: int, c_in: int, c_out: int, height: int, width: int, kernel: int,
                stride: int = 1, padding: int = 0, itemsize: int = 4) -> OpCost:
    """A 2-d convolution (no groups, no dilation) of a (batch, c_in, height, width) input.

    Output (batch, c_out, H_out, W_out) with H_out = (height + 2 padding - kernel) // stride + 1.
    FLOPs: 2 * batch * c_out * H_out * W_out * c_in * kernel² (the bias is not counted).
    Bytes: the input, the weights (c_out, c_in, kernel, kernel) and the output, once each.
    """
    h_out = (height + 2 * padding - kernel) // stride + 1
    w_out = (width + 2 * padding - kernel) // stride + 1
    flops = 2.0 * batch * c_out * h_out * w_out * c_in * kernel * kernel
    elements = (batch * c_in * height * width + c_out * c_in * kernel * kernel
                + batch * c_out * h_out * w_out)
    return OpCost(f"conv {c_in}->{c_out}, {kernel}x{kernel}", flops, float(elements * itemsize))


__all__ = ["OpCost", "attainable", "conv2d_cost", "elementwise_cost", "matmul_cost",
           "ridge_point"]
