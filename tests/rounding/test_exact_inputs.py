"""Python ints and Fractions are rounded once, exactly (oracles: exact rational
arithmetic, cross-checked with MPFR via gmpy2), or refused; never through
float64 first."""
import random
from fractions import Fraction

import gmpy2
import numpy as np
import pytest

import numprec

MODES = ("nearest_even", "toward_zero", "up", "down")


def exact_round(value, fmt, mode):
    """``value`` (int or Fraction) rounded to ``fmt``'s precision with exact
    rational arithmetic, for values inside the format's normal range
    (checked): an oracle independent of floats and of numprec."""
    q = Fraction(value)
    a = abs(q)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1                                   # 2**e <= a < 2**(e+1)
    ulp = Fraction(2) ** (e - fmt.mantissa_bits)
    lo = (a // ulp) * ulp                        # magnitude truncated
    hi = lo if lo == a else lo + ulp
    if mode == "nearest_even":
        if a - lo != hi - a:
            r = lo if a - lo < hi - a else hi
        else:
            r = lo if (lo / ulp) % 2 == 0 else hi
    elif mode == "toward_zero":
        r = lo
    else:                                        # up / down by the sign
        r = hi if (mode == "up") == (q > 0) else lo
    f = float(r) if q > 0 else -float(r)
    assert Fraction(abs(f)) == r and fmt.smallest_normal <= abs(f) <= fmt.max
    return f


def mpfr_exact(value, fmt, mode):
    """The same by MPFR (gmpy2 >= 2.2 rounds an mpq at the context's precision)."""
    ctx = gmpy2.context(precision=fmt.precision, emin=-20000, emax=20000,
                        round={"nearest_even": gmpy2.RoundToNearest,
                               "toward_zero": gmpy2.RoundToZero, "up": gmpy2.RoundUp,
                               "down": gmpy2.RoundDown}[mode])
    q = Fraction(value)
    with gmpy2.local_context(ctx):
        return float(gmpy2.mpfr(gmpy2.mpq(q.numerator, q.denominator)))


def test_the_two_oracles_agree():
    fmt = numprec.FloatFormat(11, 10)
    if tuple(int(p) for p in gmpy2.version().split(".")[:2]) < (2, 2):
        pytest.skip("gmpy2 < 2.2 converts mpq through float in this call")
    for v in [5 * 2**52 + 1, 3 * 2**80 - 1, Fraction(10**20 + 1, 3), -(2**70 + 2**59 + 1)]:
        for mode in MODES:
            assert exact_round(v, fmt, mode) == mpfr_exact(v, fmt, mode), (v, mode)


def hard_ints(fmt, n, seed):
    """Ints that float64 cannot hold, at and next to midpoints of ``fmt``."""
    rng = random.Random(seed)
    p = fmt.precision
    out = [5 * 2**52 + 1, -(5 * 2**52 + 1), 2**60 + 2**59 + 1, 3 * 2**80 - 1]
    for _ in range(n):
        e = rng.randrange(54 + p, min(1000, fmt.emax))
        top = rng.randrange(2**(p - 1), 2**p)
        mid = (2 * top + 1) << (e - p)          # a midpoint of fmt at 2**e
        delta = rng.choice([-1, 1, 0, rng.randrange(1, 2**20)])
        v = mid + delta
        out.append(-v if rng.random() < 0.5 else v)
    return out


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fmt", [numprec.FloatFormat(8, 1), numprec.FloatFormat(11, 10),
                                 numprec.FloatFormat(11, 23), numprec.FloatFormat(11, 50)],
                         ids=str)
def test_ints_float64_cannot_hold_round_once_like_mpfr(fmt, mode):
    values = [v for v in hard_ints(fmt, 200, seed=fmt.mantissa_bits)
              if abs(v) <= fmt.max and float(abs(v)) != abs(v)]
    assert len(values) > 100
    for v in values:
        assert numprec.round(v, fmt, mode) == exact_round(v, fmt, mode), (v, mode)
    # the same in a list, elementwise
    got = numprec.round(values, fmt, mode)
    assert got.dtype == np.float64
    assert list(got) == [exact_round(v, fmt, mode) for v in values]


def test_issue_example_is_one_rounding():
    assert numprec.round(5 * 2**52 + 1, numprec.FloatFormat(8, 1)) == 1.5 * 2**54


@pytest.mark.parametrize("mode", MODES)
def test_fractions_round_once_like_mpfr(mode):
    fmt = numprec.FloatFormat(8, 10)
    rng = random.Random(3)
    for _ in range(300):
        q = Fraction(rng.randrange(1, 10**30), rng.randrange(1, 10**30))
        assert numprec.round(q, fmt, mode) == exact_round(q, fmt, mode), (q, mode)


def test_huge_ints_overflow_like_the_format_instead_of_raising():
    assert numprec.round(10**400, "fp16") == np.inf
    assert numprec.round(-10**400, "fp16") == -np.inf
    assert numprec.round(10**400, "fp16", "toward_zero") == 65504.0
    assert numprec.round(-10**400, "fp16", "up") == -65504.0
    assert np.isnan(numprec.round(10**400, "float8_e4m3fn"))
    assert numprec.round(10**400, "float4_e2m1fn") == 6.0


def test_exact_ints_are_unchanged_paths():
    assert numprec.round(2**53, "binary64") == 2.0**53
    assert numprec.round([1, 2, 3], "fp16").tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("call", [
    lambda: numprec.round(5 * 2**52 + 1, "binary64"),                   # m = 52 > 50
    lambda: numprec.round(10**400, "e11m52"),
    lambda: numprec.round(5 * 2**52 + 1, "fp16", "stochastic", seed=1),  # not deterministic
    lambda: numprec.round(5 * 2**52 + 1, numprec.FixedFormat(50, 2)),   # not a FloatFormat
    lambda: numprec.round(Fraction(1, 3 * 2**1030), numprec.FloatFormat(11, 3, bias=1060)),
])
def test_inputs_that_cannot_be_rounded_exactly_are_refused(call):
    with pytest.raises(ValueError, match="not exactly a float64"):
        call()


def test_bools_and_non_reals_in_lists_are_refused():
    with pytest.raises(TypeError):
        numprec.round([1, True], "fp16")
    with pytest.raises(TypeError):
        numprec.round([1, "a"], "fp16")
