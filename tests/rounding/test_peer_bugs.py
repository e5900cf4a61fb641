"""Regression tests for the bugs seen in peer tools (shared/peers.md): each
case states the input, format and mode, and the answer worked out by hand
from IEEE 754 / the OCP FP8 spec (comments give the reasoning).  numprec must
give that answer."""
import math

import numpy as np
import pytest

import numprec  # noqa: E402  (a failed import fails the suite)

INF = math.inf
NAN = math.nan
U16 = 2.0**-10  # binary16 ulp at 1


def fp(*args, **kw):
    return numprec.FloatFormat(*args, **kw)


def same(got, want):
    got = float(got)
    if math.isnan(want):
        return math.isnan(got)
    return got == want and math.copysign(1, got) == math.copysign(1, want)


CASES = [
    # --- pychop Chop, binary16: [65520, 65536) must overflow to inf. 65520 is
    # the midpoint of max 65504 = 1.1111111111b*2^15 (odd) and 2^16: the tie goes
    # to the even 2^16, which overflows.
    ("binary16", "nearest_even", 65520.0, INF),
    ("binary16", "nearest_even", -65520.0, -INF),
    ("binary16", "nearest_even", 65535.9, INF),
    ("binary16", "nearest_even", 65519.99, 65504.0),
    ("binary16", "nearest_away", 65520.0, INF),
    ("binary16", "nearest_away", 65519.99, 65504.0),
    # [65536, 131072): inf, never 0
    ("binary16", "nearest_even", 65536.0, INF),
    ("binary16", "nearest_even", 7e4, INF),
    ("binary16", "nearest_even", -131071.0, -INF),
    # directed modes for 7e4: toward zero gives max, away gives inf, never 0
    ("binary16", "toward_zero", 7e4, 65504.0),
    ("binary16", "down", 7e4, 65504.0),
    ("binary16", "up", 7e4, INF),
    ("binary16", "up", -7e4, -65504.0),
    ("binary16", "down", -7e4, -INF),
    ("binary16", "toward_zero", -7e4, -65504.0),
    ("binary16", "odd", 7e4, 65504.0),  # max has an odd significand
    # the same class of error for custom 5-bit-exponent formats:
    # e5m7 max = (2 - 2^-7) * 2^15 = 65280; overflow threshold 65408 (tie -> even 2^16)
    ("e5m7", "nearest_even", 65407.99, 65280.0),
    ("e5m7", "nearest_even", 65408.0, INF),
    ("e5m7", "nearest_even", 1e5, INF),
    ("e5m7", "toward_zero", 1e5, 65280.0),
    # e5m3 max = 1.875 * 2^15 = 61440, threshold 63488
    ("e5m3", "nearest_even", 63487.0, 61440.0),
    ("e5m3", "nearest_even", 63488.0, INF),
    # --- pychop FaultChop: just above 2^-25 must give 2^-24 (no double rounding
    # onto the tie 2^-25, which would then go to the even 0)
    ("binary16", "nearest_even", 2.0**-25 * (1 + 2.0**-20), 2.0**-24),
    ("binary16", "nearest_even", 2.0**-25 * (1 + 2.0**-52), 2.0**-24),
    ("binary16", "nearest_even", -(2.0**-25) * (1 + 2.0**-52), -(2.0**-24)),
    ("binary16", "nearest_even", 2.0**-25, 0.0),  # the tie itself: even 0
    ("binary16", "nearest_even", 2.0**-25 * (1 - 2.0**-53), 0.0),
    # negative zeros keep their sign
    ("binary16", "nearest_even", -0.0, -0.0),
    ("binary16", "nearest_even", -1e-30, -0.0),
    ("bfloat16", "toward_zero", -0.0, -0.0),
    # a custom e5 format has emax 15 (not 31): 1e5 overflows
    (("fp", 5, 10), "nearest_even", 1e5, INF),
    ("e5m10", "nearest_even", 1e5, INF),
    ("e5m10", "nearest_even", 65504.0, 65504.0),
    # --- round-to-odd leaves exact values alone (pychop gave 1.00098 for 1.0)
    ("binary16", "odd", 1.0, 1.0),
    ("bfloat16", "odd", 1.0, 1.0),
    ("float8_e4m3fn", "odd", 1.0, 1.0),
    ("binary16", "odd", 1.5, 1.5),
    ("binary16", "odd", 1 + 2.0**-11, 1 + U16),  # inexact -> odd neighbour
    ("binary16", "odd", 1 + 3 * 2.0**-11, 1 + U16),
    # --- ties-away detects ties exactly (pychop used a 1e-6 tolerance)
    ("binary16", "nearest_away", 1 + 2.0**-11, 1 + U16),  # exact tie: away
    ("binary16", "nearest_away", -(1 + 2.0**-11), -(1 + U16)),
    ("binary16", "nearest_away", 1 + 2.0**-11 - 2.0**-40, 1.0),  # just below the tie
    ("binary16", "nearest_away", 1 + 2.0**-11 * (1 - 1e-7), 1.0),
    ("binary16", "nearest_away", 1 + 2.0**-11 * (1 + 1e-7), 1 + U16),
    # --- a hard-coded 1e-38 clamp must not flush 1e-300 in wide formats
    ("binary64", "nearest_even", 1e-300, 1e-300),
    ("e11m52", "toward_zero", 5e-324, 5e-324),
    ("e11m10", "nearest_even", 1e-300,
     # by hand: keep 11 significant bits, ties to even (Python round is exact)
     math.ldexp(round(math.frexp(1e-300)[0] * 2**11), math.frexp(1e-300)[1] - 11)),
    ("binary32", "nearest_even", 1e-40, float(np.float32(1e-40))),  # float32 subnormal
    ("binary32", "nearest_even", 1e-300, 0.0),  # far below binary32's range: 0 is right
    # --- ml_dtypes double rounding through float32
    ("bfloat16", "nearest_even", 1 + 2.0**-8 + 2.0**-40, 1.0078125),
    ("bfloat16", "nearest_even", -(1 + 2.0**-8 + 2.0**-40), -1.0078125),
    # e4m3fn: 1 + 2^-4 is the midpoint of 1 and 1.125; just above it -> 1.125
    ("float8_e4m3fn", "nearest_even", 1 + 2.0**-4 + 2.0**-40, 1.125),
    ("float8_e5m2", "nearest_even", 1 + 2.0**-3 + 2.0**-45, 1.25),
    # --- QPyTorch: "nearest" must be ties-to-even, not ties-away
    ("binary16", "nearest_even", 1 + 2.0**-11, 1.0),
    ("binary16", "nearest_even", 1 + 3 * 2.0**-11, 1 + 2 * U16),
    ("binary16", "nearest_even", -(1 + 3 * 2.0**-11), -(1 + 2 * U16)),
    ("e5m1", "nearest_even", 2.5, 2.0),  # 10.1b: tie between 10b (even) and 11b
    ("e5m1", "nearest_even", 3.5, 4.0),  # 11.1b: tie between 11b and 100b (even)
    # subnormals must exist
    ("binary16", "nearest_even", 3 * 2.0**-24, 3 * 2.0**-24),
    ("bfloat16", "nearest_even", 2.0**-133, 2.0**-133),
    # Float(8, 23) must not flip signs
    ("e8m23", "nearest_even", 3.0, 3.0),
    ("e8m23", "nearest_even", -3.0, -3.0),
    ("binary32", "toward_zero", -3.0000001, -3.0),  # float32 neighbours: 3, 3 + 2^-22
    # --- CPFloat: rounding up a negative tiny value gives -0, not +0
    ("binary16", "up", -1e-30, -0.0),
    ("binary16", "toward_zero", -1e-30, -0.0),
    ("bfloat16", "up", -1e-45, -0.0),
    ("binary16", "down", 1e-30, 0.0),
    ("binary16", "down", -1e-30, -(2.0**-24)),
    ("float8_e4m3fnuz", "up", -1e-30, 0.0),  # fnuz has no -0: +0
    # --- CPFloat's E4M3 allowed 480; OCP e4m3fn max is 448 (1.110b * 2^8)
    ("float8_e4m3fn", "nearest_even", 448.0, 448.0),
    ("float8_e4m3fn", "nearest_even", 464.0, 448.0),  # tie: 1.110b is even
    ("float8_e4m3fn", "nearest_even", 464.5, NAN),  # rounds to 480: overflow -> NaN
    ("float8_e4m3fn", "nearest_even", 480.0, NAN),
    ("float8_e4m3fn", "toward_zero", 480.0, 448.0),
    ("float8_e4m3fn", "down", 479.0, 448.0),
    ("float8_e4m3fn", "toward_zero", -1e6, -448.0),
    (("fp", 4, 3, dict(nan="fn", infinities=False, overflow="saturate")), "nearest_even", 1000.0, 448.0),
    (("fp", 4, 3, dict(nan="fn", infinities=False, overflow="saturate")), "up", -1000.0, -448.0),
    (("fp", 4, 3, dict(nan="fn", infinities=False, overflow="saturate")), "nearest_even", -470.0, -448.0),
]


def make(spec):
    if isinstance(spec, tuple):
        _, e, m, *rest = spec
        return fp(e, m, **(rest[0] if rest else {}))
    return spec


def case_id(c):
    f = c[0] if isinstance(c[0], str) else "FloatFormat" + str(c[0][1:])
    return f"{f}-{c[1]}-{c[2]!r}"


@pytest.mark.parametrize("fmt,mode,x,want", CASES, ids=[case_id(c) for c in CASES])
def test_peer_bug_case(fmt, mode, x, want):
    got = numprec.round(np.array([x]), make(fmt), mode)[0]
    assert same(got, want), f"round({x!r}, {fmt}, {mode}) = {got!r}, want {want!r}"
    got_scalar = numprec.round(x, make(fmt), mode)
    assert same(got_scalar, want)


def test_e4m3fn_has_no_480():
    f = numprec.get_format("float8_e4m3fn")
    assert f.max == 448.0
    x = np.linspace(448, 480, 1000)
    r = numprec.round(x, f, "down")
    assert (r == 448.0).all()


def test_custom_e5_formats_have_emax_15():
    for m in (2, 3, 7, 10):
        f = numprec.FloatFormat(5, m)
        assert f.emax == 15 and f.emin == -14
        assert f.max == (2 - 2.0**-m) * 2.0**15


@pytest.mark.parametrize("mode", ["nearest_even", "nearest_away", "toward_zero", "up", "down",
                                  "odd", "stochastic", "stochastic_uniform"])
@pytest.mark.parametrize("name", ["binary32", "binary16", "bfloat16", "e8m23", "float8_e5m2"])
def test_signs_never_flip(name, mode):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(10**4) * 2.0 ** rng.integers(-40, 40, 10**4)
    r = numprec.round(x, name, mode, **({"seed": 1} if "stochastic" in mode else {}))
    keep = ~np.isnan(r)
    assert (np.signbit(r[keep]) == np.signbit(x[keep])).all()


def test_every_value_stays_put_under_odd_rounding():
    # all binary16 values (finite), including subnormals and max
    bits = np.arange(2**16, dtype=np.uint16)
    v = bits.view(np.float16)
    v = v[np.isfinite(v)].astype(np.float64)
    r = numprec.round(v, "binary16", "odd")
    assert (r.view(np.uint64) == v.view(np.uint64)).all()
