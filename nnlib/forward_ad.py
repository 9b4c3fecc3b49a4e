"""Forward-mode automatic differentiation with dual numbers.

A dual number ``a + a'ε`` carries a value ``a`` and a tangent ``a'``, with the rule ``ε² = 0``.
Then ``f(a + a'ε) = f(a) + f'(a) a' ε`` for every differentiable ``f``: evaluating a program on
dual numbers computes its value and, in the same pass, the directional derivative (a
Jacobian-vector product). Each rule below is the derivative of one elementary operation; the
chain rule is applied automatically, one operation at a time, as the program runs.

Values and tangents are float64 NumPy arrays (0-d for scalars) of the same shape, so a ``Dual``
can also be a vector: ``W @ x`` and elementwise functions work on it as on an array.

    >>> derivative(lambda x: x * sin(x), 2.0)     # sin(2) + 2 cos(2)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def _array(value) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


class Dual:
    """``value + tangent·ε`` with ``ε² = 0``; value and tangent have the same shape."""

    __slots__ = ("value", "tangent")
    __array_ufunc__ = None  # `ndarray + Dual` calls Dual.__radd__ instead of NumPy's loop

    def __init__(self, value, tangent=0.0) -> None:
        self.value = _array(value)
        self.tangent = np.broadcast_to(_array(tangent), self.value.shape).copy()

    def __repr__(self) -> str:
        return (f"Dual(value={np.array2string(self.value)}, "
                f"tangent={np.array2string(self.tangent)})")

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    # ------------------------------------------------------- arithmetic: one rule per op
    def __add__(self, other) -> Dual:
        other = lift(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __sub__(self, other) -> Dual:
        other = lift(other)
        return Dual(self.value - other.value, self.tangent - other.tangent)

    def __mul__(self, other) -> Dual:
        """Product rule: (a + a'ε)(b + b'ε) = ab + (a'b + ab')ε, since ε² = 0."""
        other = lift(other)
        return Dual(self.value * other.value,
                    self.tangent * other.value + self.value * other.tangent)

    def __truediv__(self, other) -> Dual:
        """Quotient rule: (a/b)' = (a'b - ab') / b² = (a' - (a/b) b') / b."""
        other = lift(other)
        out = self.value / other.value
        return Dual(out, (self.tangent - out * other.tangent) / other.value)

    def __pow__(self, other) -> Dual:
        """``a ** n`` for a constant n: n a^(n-1) a'; ``a ** b`` for a dual b adds a^b log(a) b'."""
        if not isinstance(other, Dual):
            n = _array(other)
            return Dual(self.value**n, n * self.value ** (n - 1) * self.tangent)
        return exp(other * log(self))

    def __rpow__(self, base) -> Dual:
        """``c ** x`` for a constant c > 0: c^x log(c) x'."""
        out = _array(base) ** self.value
        return Dual(out, out * np.log(base) * self.tangent)

    def __neg__(self) -> Dual:
        return Dual(-self.value, -self.tangent)

    def __radd__(self, other) -> Dual:
        return self + other

    def __rsub__(self, other) -> Dual:
        return lift(other) - self

    def __rmul__(self, other) -> Dual:
        return self * other

    def __rtruediv__(self, other) -> Dual:
        return lift(other) / self

    # ----------------------------------------------------------------- arrays of duals
    def __matmul__(self, matrix) -> Dual:
        """``x @ M`` for a constant array M: linear, so the tangent goes through M too."""
        return Dual(self.value @ _array(matrix), self.tangent @ _array(matrix))

    def __rmatmul__(self, matrix) -> Dual:
        """``M @ x`` for a constant array M."""
        return Dual(_array(matrix) @ self.value, _array(matrix) @ self.tangent)

    def __getitem__(self, index) -> Dual:
        return Dual(self.value[index], self.tangent[index])

    def __len__(self) -> int:
        return len(self.value)

    def sum(self) -> Dual:
        return Dual(self.value.sum(), self.tangent.sum())


def lift(x) -> Dual:
    """A constant as a dual number with tangent 0 (a Dual is returned unchanged)."""
    return x if isinstance(x, Dual) else Dual(x, 0.0)


# ------------------------------------------------------------- elementary functions
def _unary(name: str, f: Callable[[np.ndarray], np.ndarray],
           df: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable:
    """``name(x)``: f on numbers, and on a Dual ``f(a) + df(a, f(a)) a' ε`` (the chain rule)."""

    def function(x):
        if not isinstance(x, Dual):
            return f(_array(x))
        out = f(x.value)
        return Dual(out, df(x.value, out) * x.tangent)

    function.__name__ = name
    function.__doc__ = f"{name}(x) for a number, an array or a Dual."
    return function


exp = _unary("exp", np.exp, lambda a, out: out)
log = _unary("log", np.log, lambda a, out: 1 / a)
sqrt = _unary("sqrt", np.sqrt, lambda a, out: 0.5 / out)
sin = _unary("sin", np.sin, lambda a, out: np.cos(a))
cos = _unary("cos", np.cos, lambda a, out: -np.sin(a))
tanh = _unary("tanh", np.tanh, lambda a, out: 1 - out * out)
sigmoid = _unary("sigmoid", lambda a: 1 / (1 + np.exp(-a)), lambda a, out: out * (1 - out))


def stack(duals: Sequence) -> Dual:
    """Duals (or numbers) of equal shape stacked along a new first axis."""
    duals = [lift(d) for d in duals]
    return Dual(np.stack([d.value for d in duals]), np.stack([d.tangent for d in duals]))


# --------------------------------------------------------------------- derivatives
def jvp(f: Callable, x, v) -> tuple[np.ndarray, np.ndarray]:
    """``(f(x), J_f(x) v)``: the value and the directional derivative along ``v``, one pass."""
    out = lift(f(Dual(x, v)))
    return out.value, out.tangent


def derivative(f: Callable, x: float) -> float:
    """f'(x) for f: R -> R, from one evaluation of f on the dual number x + 1ε."""
    return float(jvp(f, x, 1.0)[1])


def jacfwd(f: Callable, x) -> np.ndarray:
    """The Jacobian of f: Rⁿ -> Rᵐ at x, shape (m, n) (numerator layout).

    One forward pass per input: seeding the tangent with the unit vector e_j gives column j.
    """
    x = _array(x)
    columns = [jvp(f, x, e)[1] for e in np.eye(x.size).reshape(x.size, *x.shape)]
    return np.stack(columns, axis=-1)
