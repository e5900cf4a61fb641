"""Emulated sums, products and quotients are the exact results rounded once.

An emulated operation is the exact operation on the format's values rounded
to the format (docs/emulate.md, "Exactness of the emulation").  Computing
the float64 result first and rounding that loses the sticky information of
a sum of two values far apart in exponent, which the directed modes and
round-to-odd need (e.g. ``1 + 2**-60`` rounded up in bfloat16 is
``1 + 2**-7``, not 1).  Every result here is checked bit for bit against
MPFR (gmpy2) rounding the exact operation to the format, operation by
operation for reductions and matrix products (the documented orders).
"""
from __future__ import annotations

import math
from fractions import Fraction

import gmpy2
import numpy as np
import pytest

from numprec.emulate import Policy, to_numpy

# pairs at the top of the range overflow (as they should): numpy says so
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")

MODES = ("nearest_even", "nearest_away", "toward_zero", "up", "down", "odd")
# (name, exponent bits, mantissa bits): IEEE formats with infinities.
FORMATS = {
    "bfloat16": (8, 7),
    "e8m23": (8, 23),
    "e11m10": (11, 10),
    "e11m30": (11, 30),
    "binary16": (5, 10),
}
FLOAT32_FORMATS = ("bfloat16", "e8m23", "binary16")


# --------------------------------------------------------------- the oracle
class Oracle:
    """Correct rounding of exact operations on format values (MPFR)."""

    def __init__(self, ebits, m, mode):
        self.m = m
        self.bias = 2 ** (ebits - 1) - 1
        self.emin = 1 - self.bias
        self.emax = 2 ** ebits - 2 - self.bias
        self.max = math.ldexp(2 - 2.0 ** -m, self.emax)
        self.mode = mode
        kw = dict(precision=m + 1, emin=self.emin - m + 1, emax=self.emax + 1,
                  subnormalize=True)
        self.ctx = {r: gmpy2.context(round=r, **kw)
                    for r in (gmpy2.RoundToZero, gmpy2.RoundAwayZero, gmpy2.RoundUp,
                              gmpy2.RoundDown, gmpy2.RoundToNearest)}

    def _op(self, ctx, op, a, b):
        x, y = gmpy2.mpfr(a, 53), gmpy2.mpfr(b, 53)
        if op == "sqrt":
            return ctx.sqrt(x)
        return {"add": ctx.add, "sub": ctx.sub, "mul": ctx.mul, "div": ctx.div}[op](x, y)

    def _exact(self, op, a, b):
        fa, fb = Fraction(a), Fraction(b)
        return {"add": fa + fb, "sub": fa - fb, "mul": fa * fb,
                "div": fa / fb if op == "div" else None}[op]

    def _odd(self, v):
        """Whether the format value ``v`` has an odd integral significand."""
        if v == 0 or math.isinf(v):
            return False
        e = max(math.frexp(abs(v))[1] - 1, self.emin)
        return int(math.ldexp(abs(v), self.m - e)) % 2 == 1

    def __call__(self, op, a, b=0.0):
        mode = self.mode
        if mode in ("nearest_even", "up", "down"):
            r = {"nearest_even": gmpy2.RoundToNearest, "up": gmpy2.RoundUp,
                 "down": gmpy2.RoundDown}[mode]
            return float(self._op(self.ctx[r], op, a, b))
        z = float(self._op(self.ctx[gmpy2.RoundToZero], op, a, b))
        w = float(self._op(self.ctx[gmpy2.RoundAwayZero], op, a, b))
        if mode == "toward_zero":
            return z
        if z == w:
            return z
        if mode == "odd":
            return w if (self._odd(w) and not math.isinf(w)) else z
        # nearest_away: the midpoint compared exactly (beyond max: as nearest)
        if math.isinf(w):
            return float(self._op(self.ctx[gmpy2.RoundToNearest], op, a, b))
        if op == "sqrt":
            x2, mid = Fraction(a), (Fraction(z) + Fraction(w)) / 2
            return w if x2 >= mid * mid else z
        x = abs(self._exact(op, a, b))
        return w if x >= (abs(Fraction(z)) + abs(Fraction(w))) / 2 else z

    def array(self, op, a, b=None):
        b = np.zeros_like(a) if b is None else np.broadcast_to(b, np.shape(a))
        return np.array([self(op, x, y) for x, y in zip(np.ravel(a).tolist(),
                                                         np.ravel(b).tolist())]).reshape(
            np.shape(a))


def random_values(rng, ebits, m, n, exponents):
    """``n`` random values of the format with the given unbiased exponents
    (clipped to the format's range; below emin: subnormal), random signs."""
    bias = 2 ** (ebits - 1) - 1
    emin, emax = 1 - bias, 2 ** ebits - 2 - bias
    e = np.clip(np.asarray(exponents), emin - m, emax)
    sig = rng.integers(2 ** m, 2 ** (m + 1), size=n).astype(np.float64)
    v = np.ldexp(sig, (e - m).astype(np.int64))
    # below emin the format keeps fewer bits: snap to its subnormal grid
    q = math.ldexp(1.0, emin - m)
    sub = e < emin
    v[sub] = np.maximum(np.floor(v[sub] / q), 1) * q
    return v * rng.choice([-1.0, 1.0], size=n)


def pairs(fmt, n=240, seed=0):
    """Pairs with exponent gaps 0..120 (both orders, both signs), plus pairs
    that cancel and pairs at the top of the range."""
    ebits, m = FORMATS[fmt]
    rng = np.random.default_rng(seed)
    bias = 2 ** (ebits - 1) - 1
    emax = 2 ** ebits - 2 - bias
    hi_exp = rng.integers(-(bias // 2), bias // 2 + 1, size=n)
    gaps = rng.integers(0, 121, size=n)
    a = random_values(rng, ebits, m, n, hi_exp)
    b = random_values(rng, ebits, m, n, hi_exp - gaps)
    swap = rng.random(n) < 0.5
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    top = random_values(rng, ebits, m, 16, np.full(16, emax))
    # neighbours: a - next(a) cancels to one unit in the last place
    ulp = np.ldexp(1.0, np.maximum(np.frexp(a[:16])[1] - 1, 1 - bias) - m)
    close = a[:16] - np.sign(a[:16]) * ulp
    return np.concatenate([a, top, a[:16]]), np.concatenate([b, top[::-1], -close])


def check(got, want, what):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    bad = ~((got == want) & (np.signbit(got) == np.signbit(want))
            | (np.isnan(got) & np.isnan(want)))
    assert not bad.any(), (f"{what}: {int(bad.sum())} of {bad.size} differ, first: "
                           f"got {got[bad][:3]}, want {want[bad][:3]}")


def test_the_reported_case():
    p = Policy("bfloat16", rounding="up")
    a = p.asarray(np.array([1.0]))
    b = p.asarray(np.array([2.0 ** -60]))
    assert to_numpy(a + b)[0] == 1 + 2.0 ** -7


# ------------------------------------------------------- elementwise sums
@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("mode", MODES)
def test_add_and_subtract_are_rounded_exactly(fmt, mode):
    oracle = Oracle(*FORMATS[fmt], mode)
    a, b = pairs(fmt)
    pol = Policy(fmt, rounding=mode, seed=1)
    x, y = pol.asarray(a), pol.asarray(b)
    check(to_numpy(x), a, "inputs are format values")
    check(to_numpy(y), b, "inputs are format values")
    check(to_numpy(x + y), oracle.array("add", a, b), f"{fmt} {mode} a + b")
    check(to_numpy(x - y), oracle.array("sub", a, b), f"{fmt} {mode} a - b")


@pytest.mark.parametrize("fmt", ["bfloat16", "e11m10", "e11m30"])
@pytest.mark.parametrize("mode", ["up", "down", "toward_zero", "odd", "nearest_even"])
def test_broadcast_outer_in_place_and_reference_paths(fmt, mode):
    oracle = Oracle(*FORMATS[fmt], mode)
    a, b = pairs(fmt, n=24, seed=2)
    a, b = a[:12], b[:12]
    want = oracle.array("add", a[:, None] * np.ones((1, 12)), np.ones((12, 1)) * b[None, :])
    for ref in (False, True):
        pol = Policy(fmt, rounding=mode, seed=1, debug_reference=ref)
        x, y = pol.asarray(a), pol.asarray(b)
        check(to_numpy(np.add(x[:, None], y[None, :])), want, f"{fmt} {mode} broadcast")
        check(to_numpy(np.add.outer(x, y)), want, f"{fmt} {mode} add.outer")
        z = pol.asarray(np.zeros(12))
        np.subtract(x, y, out=z)
        check(to_numpy(z), oracle.array("sub", a, b), f"{fmt} {mode} subtract(out=)")
        check(to_numpy(x + 0.0 + y), oracle.array("add", a, b), f"{fmt} {mode} chained")


@pytest.mark.parametrize("fmt", FLOAT32_FORMATS)
@pytest.mark.parametrize("mode", ["up", "down", "toward_zero", "odd", "nearest_even"])
def test_float32_containers(fmt, mode):
    oracle = Oracle(*FORMATS[fmt], mode)
    a, b = pairs(fmt, seed=3)
    pol = Policy(fmt, rounding=mode, seed=1, dtype="float32")
    x, y = pol.asarray(a), pol.asarray(b)
    check(to_numpy(x + y), oracle.array("add", a, b), f"{fmt} {mode} float32 a + b")
    check(to_numpy(x - y), oracle.array("sub", a, b), f"{fmt} {mode} float32 a - b")
    check(to_numpy(np.add(x[:, None], y[None, :3])),
          oracle.array("add", a[:, None] * np.ones((1, 3)), np.ones((a.size, 1)) * b[None, :3]),
          f"{fmt} {mode} float32 broadcast")


# --------------------------------------------- products, quotients, roots
@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("mode", MODES)
def test_multiply_divide_sqrt_are_rounded_exactly(fmt, mode):
    ebits, m = FORMATS[fmt]
    rng = np.random.default_rng(4)
    bias = 2 ** (ebits - 1) - 1
    n = 300
    a = random_values(rng, ebits, m, n, rng.integers(-(bias // 2), bias // 2 + 1, size=n))
    b = random_values(rng, ebits, m, n, rng.integers(-(bias // 2), bias // 2 + 1, size=n))
    oracle = Oracle(ebits, m, mode)
    pol = Policy(fmt, rounding=mode, seed=1)
    x, y = pol.asarray(a), pol.asarray(b)
    check(to_numpy(x * y), oracle.array("mul", a, b), f"{fmt} {mode} a * b")
    check(to_numpy(x / y), oracle.array("div", a, b), f"{fmt} {mode} a / b")
    r = np.abs(a)
    check(to_numpy(np.sqrt(pol.asarray(r))), oracle.array("sqrt", r), f"{fmt} {mode} sqrt")


# ------------------------------------------------------------- reductions
def ref_sum(R, t, method):
    t = list(t)
    if method == "pairwise":
        def tree(lo, hi):
            if hi - lo == 1:
                return t[lo]
            mid = lo + (hi - lo) // 2
            return R("add", tree(lo, mid), tree(mid, hi))
        return tree(0, len(t))
    s = t[0]
    if method == "kahan":
        c = 0.0
        for v in t[1:]:
            y = R("sub", v, c)
            u = R("add", s, y)
            c = R("sub", R("sub", u, s), y)
            s = u
        return s
    for v in t[1:]:
        s = R("add", s, v)
    return s


def wide_terms(fmt, rows, n, seed):
    """Terms of widely different magnitudes and signs (gaps up to ~120)."""
    ebits, m = FORMATS[fmt]
    rng = np.random.default_rng(seed)
    bias = 2 ** (ebits - 1) - 1
    span = min(120, bias)
    e = rng.integers(-span // 2, span // 2 + 1, size=rows * n)
    return random_values(rng, ebits, m, rows * n, e).reshape(rows, n)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", ["sequential", "pairwise", "kahan"])
def test_sums_are_rounded_exactly_at_every_step(fmt, mode, method):
    R = Oracle(*FORMATS[fmt], mode)
    t = wide_terms(fmt, 6, 9, seed=5)
    pol = Policy(fmt, rounding=mode, seed=1, summation=method)
    got = to_numpy(np.sum(pol.asarray(t), axis=1))
    check(got, [ref_sum(R, row, method) for row in t], f"{fmt} {mode} {method} sum")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("mode", MODES)
def test_cumsum_and_prod_are_rounded_exactly_at_every_step(fmt, mode):
    R = Oracle(*FORMATS[fmt], mode)
    t = wide_terms(fmt, 4, 8, seed=6)
    pol = Policy(fmt, rounding=mode, seed=1)
    want = []
    for row in t:
        s, out = row[0], [row[0]]
        for v in row[1:]:
            s = R("add", s, v)
            out.append(s)
        want.append(out)
    check(to_numpy(np.cumsum(pol.asarray(t), axis=1)), want, f"{fmt} {mode} cumsum")
    f = np.ldexp(np.abs(t), -np.frexp(t)[1] + 1) * np.sign(t)   # in [1, 2): no overflow
    want = []
    for row in f:
        s = row[0]
        for v in row[1:]:
            s = R("mul", s, v)
        want.append(s)
    check(to_numpy(np.prod(pol.asarray(f), axis=1)), want, f"{fmt} {mode} prod")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("mode", ["nearest_even", "toward_zero", "up", "down", "odd"])
@pytest.mark.parametrize("method", ["sequential", "pairwise", "kahan"])
def test_matmul_and_dot_are_rounded_exactly_at_every_step(fmt, mode, method):
    R = Oracle(*FORMATS[fmt], mode)
    ebits, m = FORMATS[fmt]
    rng = np.random.default_rng(7)
    bias = 2 ** (ebits - 1) - 1
    span = min(60, bias // 2)
    k = 7
    a = random_values(rng, ebits, m, 3 * k, rng.integers(-span, span + 1, 3 * k)).reshape(3, k)
    b = random_values(rng, ebits, m, k * 5, rng.integers(-span, span + 1, k * 5)).reshape(k, 5)
    want = np.array([[ref_sum(R, [R("mul", a[i, q], b[q, j]) for q in range(k)], method)
                      for j in range(5)] for i in range(3)])
    pol = Policy(fmt, rounding=mode, seed=1, summation=method)
    x, y = pol.asarray(a), pol.asarray(b)
    check(to_numpy(x @ y), want, f"{fmt} {mode} {method} matmul")
    check(to_numpy(np.dot(x[0], y[:, 0])), want[0, 0], f"{fmt} {mode} {method} dot")


# ------------------------------------------------------------- hard cases
def hard_cases(ebits, m):
    """Operands whose exact result is within 2**-53 (relative) of a value of
    the format or of a midpoint, so that the float64 result lands on it
    (tiny terms clipped to the format's smallest subnormal)."""
    u = 2.0 ** -m
    lowest = 2 ** (ebits - 1) - 2 + m        # 2**-lowest: the smallest subnormal

    def tiny(k):
        return 2.0 ** -min(k, lowest)

    add = [(1.0, tiny(60)), (1.0, -tiny(60)), (-1.0, tiny(70)), (1.0, 2.0 ** -(m + 1)),
           (1.0, 2.0 ** -(m + 1) + tiny(60) if m >= 29 else 2.0 ** -(m + 1)),
           (1.0 + u, -tiny(80)), (2.0 ** 10, tiny(100))]
    mul = [(1.0 + u, 1.0 - u), (1.0 - u, 1.0 - u), (1.0 + u, -(1.0 + u)),
           (1.0 + 3 * u, 1.0 - 3 * u)]
    div = [(1.0, 1.0 - u), (1.0, 1.0 + u), (-1.0, 1.0 - u), (1.0 + u, 1.0 - u), (1.0, 3.0)]
    sqrt = [1.0 - u, 1.0 + u, 1.0 + 2 * u, 2.0 - 2 * u, 0.25 - u / 4]
    return add, mul, div, sqrt


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("reference", [False, True])
def test_hard_cases(fmt, mode, reference):
    ebits, m = FORMATS[fmt]
    R = Oracle(ebits, m, mode)
    add, mul, div, sqrt = hard_cases(ebits, m)
    pol = Policy(fmt, rounding=mode, seed=1, debug_reference=reference)
    for op, cases in (("add", add), ("sub", add), ("mul", mul), ("div", div)):
        a = np.array([c[0] for c in cases])
        b = np.array([c[1] for c in cases])
        x, y = pol.asarray(a), pol.asarray(b)
        check(to_numpy(x), a, "inputs are format values")
        check(to_numpy(y), b, "inputs are format values")
        got = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
               "div": np.divide}[op](x, y)
        check(to_numpy(got), R.array(op, a, b), f"{fmt} {mode} {op}")
    r = np.array(sqrt)
    check(to_numpy(pol.asarray(r)), r, "inputs are format values")
    check(to_numpy(np.sqrt(pol.asarray(r))), R.array("sqrt", r), f"{fmt} {mode} sqrt")
    # sums: the partial sums are the hard additions
    a = np.array([c[0] for c in add])
    b = np.array([c[1] for c in add])
    t = pol.asarray(np.stack([a, b], axis=1))
    check(to_numpy(np.sum(t, axis=1)), R.array("add", a, b), f"{fmt} {mode} sum")
    check(to_numpy(t @ pol.asarray(np.ones(2))), R.array("add", a, b), f"{fmt} {mode} matmul")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("mode", ["up", "odd"])
def test_nan_operands_leave_the_other_results_exact(dtype, mode):
    """Two NaN operands meeting send the operation to numpy (which picks the
    NaN); every other element is still the exact sum rounded once."""
    oracle = Oracle(*FORMATS["bfloat16"], mode)
    a, b = pairs("bfloat16", n=600, seed=8)
    a[::50], b[::50] = np.nan, np.nan
    pol = Policy("bfloat16", rounding=mode, seed=1, dtype=dtype)
    got = to_numpy(pol.asarray(a) + pol.asarray(b))
    ok = ~np.isnan(a)
    check(got[ok], oracle.array("add", a[ok], b[ok]), f"{mode} {dtype} with NaNs")
    assert np.isnan(got[~ok]).all()
