"""Bit-exact comparison of ``numprec.round`` (nearest_even) with ml_dtypes casts
and numpy's float16 cast.

ml_dtypes converts float64 to its types through float32 (double rounding: for
example bfloat16(1 + 2**-8 + 2**-40) is 1.0 instead of 1.0078125), so only
float32 inputs are compared with ml_dtypes.  Its float32 casts are direct and
correctly rounded.  Inputs: every value of the format, every midpoint, each
midpoint one float32 ulp either side, overflow points, infinities, and 10**6
random float32 bit patterns (finite).  numpy's float64 -> float16 cast is
correctly rounded (no double rounding), so binary16 is also compared from
float64.

Documented differences (tested separately below, against MPFR):
* NaN -> NaN in numprec for every format; ml_dtypes turns NaN into -0 for the
  fp6/fp4 types, which have no NaN.
* float8_e8m0fnu: ml_dtypes up to 0.6 rounds float32 inputs in
  (2**-127, 1.5 * 2**-127) (float32 subnormals) up to 2**-126; the correctly
  rounded value (MPFR, precision 1, ties away) is 2**-127.  ml_dtypes 0.7
  fixed it.  Whether the installed ml_dtypes has the quirk is detected at run
  time; only then are those inputs left out of the comparison.
"""
import functools

import ml_dtypes
import numpy as np
import pytest

try:
    from .mpfr_oracle import (ML_DTYPES_NAMES, NAMED_SPECS, bits_equal, mismatch_report,
                              mpfr_round, random_inputs, structured_inputs)
except ImportError:
    from mpfr_oracle import (ML_DTYPES_NAMES, NAMED_SPECS, bits_equal, mismatch_report,
                             mpfr_round, random_inputs, structured_inputs)

N_RANDOM = 10**6
NAN_TO_ZERO = {"float6_e2m3fn", "float6_e3m2fn", "float4_e2m1fn"}
E8M0_QUIRK = (2.0**-127, 1.5 * 2.0**-127)  # open interval where old ml_dtypes rounds up


def _e8m0_quirk_inputs():
    lo, hi = (np.float32(v) for v in E8M0_QUIRK)
    x = np.array([np.nextafter(lo, hi), 1.25 * 2.0**-127, np.nextafter(hi, lo)], np.float32)
    return x


@functools.lru_cache(maxsize=None)
def ml_dtypes_has_e8m0_quirk():
    """Whether the installed ml_dtypes rounds float32 inputs in E8M0_QUIRK up to
    2**-126 (the correctly rounded value is 2**-127)."""
    with np.errstate(over="ignore", invalid="ignore"):
        got = _e8m0_quirk_inputs().astype(ml_dtypes.float8_e8m0fnu).astype(np.float32)
    return bool((got == np.float32(2.0**-126)).any())


def drop_e8m0_quirk(x, name):
    """``x`` without the inputs where the installed ml_dtypes is known wrong."""
    if name != "float8_e8m0fnu" or not ml_dtypes_has_e8m0_quirk():
        return x
    a = np.abs(x.astype(np.float64))
    return x[~((a > E8M0_QUIRK[0]) & (a < E8M0_QUIRK[1]))]


@pytest.fixture(scope="module")
def numprec():
    import numprec   # a failed import fails the suite
    return numprec


@functools.lru_cache(maxsize=None)
def random_float32_patterns(n=N_RANDOM, seed=20240601):
    bits = np.random.default_rng(seed).integers(0, 2**32, size=n, dtype=np.uint64)
    x = bits.astype(np.uint32).view(np.float32)
    return x[np.isfinite(x)]


def ml_dtypes_inputs(name):
    spec = NAMED_SPECS[name]
    x = np.concatenate([structured_inputs(spec, np.float32), random_float32_patterns()])
    x = x[~np.isnan(x)]
    return drop_e8m0_quirk(x, name)


def ml_dtypes_cast(x, name):
    with np.errstate(over="ignore", invalid="ignore"):
        return x.astype(getattr(ml_dtypes, name)).astype(x.dtype)


# --- the MPFR oracle agrees with ml_dtypes and numpy ---------------------------
@pytest.mark.parametrize("name", ML_DTYPES_NAMES)
def test_mpfr_oracle_agrees_with_ml_dtypes(name):
    spec = NAMED_SPECS[name]
    x = np.concatenate([structured_inputs(spec, np.float32), random_float32_patterns()[:20000]])
    x = drop_e8m0_quirk(x[~np.isnan(x)], name)
    want = ml_dtypes_cast(x, name)
    oracle = mpfr_round(x.astype(np.float64), spec, ["nearest_even"])["nearest_even"]
    oracle = oracle.astype(np.float32)
    assert bits_equal(oracle, want).all(), mismatch_report(x, oracle, want)


def test_mpfr_oracle_agrees_with_numpy_float16_from_float64():
    spec = NAMED_SPECS["binary16"]
    x = np.concatenate([structured_inputs(spec, np.float64),
                        random_inputs(spec, 50000, np.random.default_rng(1))])
    with np.errstate(over="ignore"):
        want = x.astype(np.float16).astype(np.float64)
    oracle = mpfr_round(x, spec, ["nearest_even"])["nearest_even"]
    assert bits_equal(oracle, want).all(), mismatch_report(x, oracle, want)


def test_e8m0fnu_quirk_inputs_follow_mpfr_whatever_ml_dtypes_does(numprec):
    """In the quirk interval numprec follows MPFR (2**-127); the installed
    ml_dtypes either has the quirk (2**-126, and those inputs are left out of
    the ml_dtypes comparisons) or agrees with MPFR (and nothing is left out)."""
    x = _e8m0_quirk_inputs()
    oracle = mpfr_round(x.astype(np.float64), NAMED_SPECS["float8_e8m0fnu"],
                        ["nearest_even"])["nearest_even"]
    assert (oracle == 2.0**-127).all()
    assert bits_equal(numprec.round(x, "float8_e8m0fnu"), oracle.astype(np.float32)).all()
    peer = ml_dtypes_cast(x, "float8_e8m0fnu")
    if ml_dtypes_has_e8m0_quirk():
        assert (peer == np.float32(2.0**-126)).any()
        assert drop_e8m0_quirk(x, "float8_e8m0fnu").size == 0
    else:
        assert bits_equal(peer, oracle.astype(np.float32)).all()
        assert drop_e8m0_quirk(x, "float8_e8m0fnu").size == x.size


# --- numprec against ml_dtypes ----------------------------------------------------
@pytest.mark.parametrize("name", ML_DTYPES_NAMES)
def test_round_float32_matches_ml_dtypes(numprec, name):
    x = ml_dtypes_inputs(name)
    want = ml_dtypes_cast(x, name)
    got = numprec.round(x, name)
    assert got.dtype == np.float32
    assert bits_equal(got, want).all(), f"{name}: " + mismatch_report(x, got, want)


@pytest.mark.parametrize("name", ML_DTYPES_NAMES)
def test_round_float32_matches_ml_dtypes_via_format_object(numprec, name):
    spec = NAMED_SPECS[name]
    x = structured_inputs(spec, np.float32)
    x = drop_e8m0_quirk(x[~np.isnan(x)], name)
    want = ml_dtypes_cast(x, name)
    got = numprec.round(x, numprec.get_format(name), "nearest_even")
    assert bits_equal(got, want).all(), f"{name}: " + mismatch_report(x, got, want)


@pytest.mark.parametrize("name", sorted(NAN_TO_ZERO))
def test_nan_stays_nan_where_ml_dtypes_gives_minus_zero(numprec, name):
    x = np.array([np.nan, -np.nan], np.float32)
    assert ml_dtypes_cast(x, name)[0] == 0  # the documented difference
    assert np.isnan(numprec.round(x, name)).all()
    assert np.isnan(numprec.round(x.astype(np.float64), name)).all()


def test_e8m0fnu_rounds_correctly_where_ml_dtypes_does_not(numprec):
    x = np.array([(1 + 2.0**-22) * 2.0**-127, 1.25 * 2.0**-127, (1.5 - 2.0**-22) * 2.0**-127,
                  1.5 * 2.0**-127, 1.75 * 2.0**-127], np.float32)
    want = mpfr_round(x.astype(np.float64), NAMED_SPECS["float8_e8m0fnu"],
                      ["nearest_even"])["nearest_even"].astype(np.float32)
    assert list(want) == [2.0**-127] * 3 + [2.0**-126] * 2
    got = numprec.round(x, "float8_e8m0fnu")
    assert bits_equal(got, want).all(), mismatch_report(x, got, want)


# --- numprec against numpy float16 -----------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary16_matches_numpy_float16(numprec, dtype):
    spec = NAMED_SPECS["binary16"]
    rng = np.random.default_rng(7)
    if dtype == np.float32:
        rnd = random_float32_patterns()
    else:
        bits = rng.integers(0, 2**63, size=N_RANDOM // 2, dtype=np.uint64)
        bits |= rng.integers(0, 2, size=bits.size, dtype=np.uint64) << np.uint64(63)
        rnd = np.concatenate([bits.view(np.float64),
                              random_inputs(spec, N_RANDOM // 2, rng)])
    x = np.concatenate([structured_inputs(spec, dtype), rnd.astype(dtype)])
    with np.errstate(over="ignore"):
        want = x.astype(np.float16).astype(dtype)
    for name in ("binary16", "float16", "fp16", "half"):
        got = numprec.round(x, name)
        assert got.dtype == dtype
        assert bits_equal(got, want).all(), f"{name}: " + mismatch_report(x, got, want)


@pytest.mark.slow
@pytest.mark.parametrize("name", ML_DTYPES_NAMES)
def test_many_random_float32_patterns_match_ml_dtypes(numprec, name):
    x = drop_e8m0_quirk(random_float32_patterns(2 * 10**7, seed=99), name)
    want = ml_dtypes_cast(x, name)
    got = numprec.round(x, name)
    assert bits_equal(got, want).all(), f"{name}: " + mismatch_report(x, got, want)
