"""The paper's numerical claim, reproduced with measured numbers.

Luo & Sun (2024), abstract and section 3: "L-Mul with 4-bit mantissa
achieves comparable precision as float8 e4m3 multiplications, and L-Mul
with 3-bit mantissa outperforms float8 e5m2."

Set-up (ours): 10**6 pairs x, y = +-(1 + u) 2**k with u ~ U[0, 1) and k
uniform in -2..2 (inside the normal range of both FP8 formats, products
included); error = mean of |z - x y| / |x y| against the exact product of
the unrounded inputs.
  * FP8 multiplication: z = RN_fp8(RN_fp8(x) * RN_fp8(y)) - the inputs are
    rounded to nearest even, the exact product of the FP8 inputs is rounded
    to nearest even.
  * L-Mul with m-bit mantissas: z = L-Mul(x, y) with each operand read with
    the top m bits of its mantissa (truncation, as the integer adder reads
    bit fields), carry into the exponent.
Measured (seed 0): e4m3 0.0352, L-Mul m=4 0.0296; e5m2 0.0704, L-Mul m=3
0.0483.  The claim holds in this set-up.  It is sensitive to it: with the
L-Mul operands rounded to nearest (instead of truncated) L-Mul m=4 gives
0.0527 (worse than e4m3) and m=3 0.0574 (still better than e5m2); with
the displayed formula instead of the carry, m=4 gives 0.077.
"""
import numpy as np
import pytest

import numprec
from numprec_lmul import lmul


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(0)
    n = 10 ** 6
    x = rng.choice([-1.0, 1.0], n) * np.ldexp(1 + rng.random(n), rng.integers(-2, 3, n))
    y = rng.choice([-1.0, 1.0], n) * np.ldexp(1 + rng.random(n), rng.integers(-2, 3, n))
    return x, y


def mean_relative_error(z, exact):
    return float(np.mean(np.abs(z - exact) / np.abs(exact)))


def fp8_error(x, y, name):
    a, b = numprec.round(x, name), numprec.round(y, name)
    return mean_relative_error(numprec.round(a * b, name), x * y)


def lmul_error(x, y, m, carry="bits"):
    return mean_relative_error(lmul(x, y, m, carry), x * y)


def test_lmul4_is_comparable_to_e4m3(pairs):
    x, y = pairs
    e4m3, l4 = fp8_error(x, y, "float8_e4m3fn"), lmul_error(x, y, 4)
    assert e4m3 == pytest.approx(0.0352, abs=0.001)
    assert l4 == pytest.approx(0.0296, abs=0.001)
    assert l4 < 1.1 * e4m3


def test_lmul3_beats_e5m2(pairs):
    x, y = pairs
    e5m2, l3 = fp8_error(x, y, "float8_e5m2"), lmul_error(x, y, 3)
    assert e5m2 == pytest.approx(0.0704, abs=0.002)
    assert l3 == pytest.approx(0.0483, abs=0.001)
    assert l3 < e5m2


def test_the_claim_depends_on_reading_operands_by_truncation(pairs):
    """Documented sensitivity: operands rounded to nearest m-bit mantissas."""
    x, y = pairs
    e4m3 = fp8_error(x, y, "float8_e4m3fn")
    rounded4 = numprec.FloatFormat(8, 4)
    l4_rn = mean_relative_error(lmul(numprec.round(x, rounded4), numprec.round(y, rounded4), 4),
                                x * y)
    assert l4_rn == pytest.approx(0.0527, abs=0.001) and l4_rn > e4m3
    assert lmul_error(x, y, 4, carry="formula") == pytest.approx(0.0774, abs=0.002)
