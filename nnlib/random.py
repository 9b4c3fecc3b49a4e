"""nnlib's random numbers: one global NumPy ``Generator`` and two classic normal samplers.

``nl.manual_seed(seed)`` replaces the global generator with a freshly seeded one, so everything
random in nnlib (``randn``, ``rand``, ``nn.Linear``'s initial weights, dropout, shuffling) is
reproducible. It does not reproduce torch's random stream, which no NumPy generator can.
"""

from __future__ import annotations

import numpy as np

_generator: np.random.Generator | None = None


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed nnlib's global generator (and return it)."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The global generator; created unseeded on first use (importing nnlib seeds nothing)."""
    global _generator
    if _generator is None:
        _generator = np.random.default_rng()
    return _generator


def box_muller(n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """``n`` standard normal samples (float64) by the Box-Muller transform.

    Two independent uniforms u1 in (0, 1] and u2 in [0, 1) give two independent normals:
    r = sqrt(-2 ln u1) is the radius and 2 pi u2 the angle, z0 = r cos, z1 = r sin.
    """
    rng = rng or default_generator()
    pairs = (n + 1) // 2
    u1 = 1.0 - rng.random(pairs)  # (0, 1]: log(u1) is finite
    u2 = rng.random(pairs)
    radius, angle = np.sqrt(-2.0 * np.log(u1)), 2.0 * np.pi * u2
    return np.concatenate([radius * np.cos(angle), radius * np.sin(angle)])[:n]


def marsaglia_polar(n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """``n`` standard normal samples (float64) by Marsaglia's polar method.

    Draw (u, v) uniform in the square [-1, 1)^2 and keep the points inside the unit disc
    (0 < s = u^2 + v^2 < 1, a fraction pi/4 of them). Then u * f and v * f with
    f = sqrt(-2 ln s / s) are two independent normals: Box-Muller without sin and cos.
    """
    rng = rng or default_generator()
    samples: list[np.ndarray] = []
    have = 0
    while have < n:
        pairs = int((n - have) / 2 / (np.pi / 4)) + 8  # enough for one round, usually
        u, v = rng.uniform(-1.0, 1.0, size=(2, pairs))
        s = u * u + v * v
        inside = (s > 0) & (s < 1)
        u, v, s = u[inside], v[inside], s[inside]
        factor = np.sqrt(-2.0 * np.log(s) / s)
        samples += [u * factor, v * factor]
        have += 2 * len(s)
    return np.concatenate(samples)[:n]
