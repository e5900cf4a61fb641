"""Single rounding of the element quotients (round-to-odd division)."""
from fractions import Fraction

import numpy as np
import pytest

import numprec
from numprec_mx.scaling import divide_to_odd

E2M1 = numprec.FloatFormat(2, 1, infinities=False, nan="none")


def exact_e2m1(x, d):
    """RNE of the exact quotient to E2M1 (value table from the OCP spec)."""
    table = [Fraction(v) for v in ("0", "0.5", "1", "1.5", "2", "3", "4", "6")]
    q = Fraction(x) / Fraction(d)
    a, sign = abs(q), (-1 if q < 0 else 1)
    a = min(a, table[-1])
    i = max(k for k, v in enumerate(table) if v <= a)
    if table[i] == a:
        return float(sign * a)
    lo, hi = table[i], table[i + 1]
    pick = lo if (a - lo < hi - a or (a - lo == hi - a and i % 2 == 0)) else hi
    return float(sign * pick)


@pytest.mark.parametrize("midpoint", [2.5, 3.5, 1.25, 0.75, 5.0])
@pytest.mark.parametrize("significant_bits", [None, 3])
def test_quotients_next_to_a_midpoint_round_once(midpoint, significant_bits):
    """x = fl(m * d) with 53-bit d: fl(x / d) often lands on the midpoint m
    while x / d does not (a double rounding); the quotient must not."""
    rng = np.random.default_rng(int(midpoint * 4))
    d = rng.uniform(1, 2, 3000)
    x = midpoint * d * rng.choice([-1.0, 1.0], 3000)
    got = numprec.round(divide_to_odd(x, d, significant_bits), E2M1)
    want = np.array([exact_e2m1(a, b) for a, b in zip(x, d)])
    assert np.array_equal(got, want)
    naive = numprec.round(x / d, E2M1)
    assert np.any(naive != want)            # the hazard is real for these inputs


def test_tiny_quotients_keep_sign_and_are_nonzero():
    q = divide_to_odd(np.array([1e-300, -1e-300, 0.0]), np.array([1e300]))
    assert q[0] > 0 and q[1] < 0 and q[2] == 0
