"""Exhaustive bit-exact tests of ``numprec.round`` against MPFR for every format
of at most 16 bits: every value, every midpoint between neighbours, each
midpoint one input-ulp either side, values one ulp either side, the overflow
threshold and far beyond (both signs), signed zeros, infinities and NaN, in
every deterministic rounding mode, for float64 and float32 inputs.

The reference is ``mpfr_oracle.mpfr_round`` (MPFR via gmpy2); the oracle
itself is cross-checked here against a brute-force table search.
"""
import functools

import numpy as np
import pytest

try:
    from .mpfr_oracle import (CUSTOM_SPECS, DETERMINISTIC_MODES, NAMED_SPECS, MagnitudeRounding,
                              bits_equal, make_format, mismatch_report, mpfr_round,
                              structured_inputs, table_round)
except ImportError:
    from mpfr_oracle import (CUSTOM_SPECS, DETERMINISTIC_MODES, NAMED_SPECS, MagnitudeRounding,
                             bits_equal, make_format, mismatch_report, mpfr_round,
                             structured_inputs, table_round)

SMALL_NAMED = [n for n, s in NAMED_SPECS.items() if s.exponent_bits + s.mantissa_bits <= 15]
SMALL_CUSTOM = list(CUSTOM_SPECS)
ALL_SMALL = SMALL_NAMED + SMALL_CUSTOM


def spec_of(name):
    return NAMED_SPECS.get(name) or CUSTOM_SPECS[name]


@functools.lru_cache(maxsize=None)
def reference(name, dtype_name):
    """Structured inputs for one format and input dtype, and MPFR's answers."""
    spec = spec_of(name)
    x = structured_inputs(spec, np.dtype(dtype_name))
    cache = MagnitudeRounding(spec, np.abs(x.astype(np.float64)))
    want = mpfr_round(x.astype(np.float64), spec, DETERMINISTIC_MODES, cache=cache)
    return x, want


def float32_holds(want):
    """Whether every finite answer of MPFR (float64) is a float32 value."""
    for w in want.values():
        fin = w[np.isfinite(w)]
        with np.errstate(over="ignore"):
            if not (fin.astype(np.float32).astype(np.float64) == fin).all():
                return False
    return True


@pytest.fixture(scope="module")
def numprec():
    import numprec   # a failed import fails the suite
    return numprec


def fmt_for(numprec, name):
    """Named formats through the registry; custom ones through FloatFormat."""
    if name in NAMED_SPECS:
        return numprec.get_format(name)
    return make_format(numprec, CUSTOM_SPECS[name])


# --- the oracle itself ------------------------------------------------------
@pytest.mark.parametrize("name", ALL_SMALL)
def test_mpfr_oracle_agrees_with_table_search(name):
    spec = spec_of(name)
    x, want = reference(name, "float64")
    table = table_round(x, spec)
    for mode in DETERMINISTIC_MODES:
        ok = bits_equal(want[mode], table[mode])
        assert ok.all(), f"{name} {mode}: " + mismatch_report(x, want[mode], table[mode])


def test_oracle_inputs_cover_every_value_and_midpoint():
    spec = NAMED_SPECS["float8_e4m3fn"]
    x, _ = reference("float8_e4m3fn", "float64")
    vals = spec.finite_values
    assert np.isin(vals, x).all()
    pos = spec.positive_values
    assert np.isin((pos[1:] + pos[:-1]) / 2, x).all()
    assert np.isin(np.nextafter((pos[1:] + pos[:-1]) / 2, np.inf), x).all()
    assert 464.0 in x and -464.0 in x and 480.0 in x


# --- numprec against MPFR ---------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("mode", DETERMINISTIC_MODES)
@pytest.mark.parametrize("name", ALL_SMALL)
def test_round_matches_mpfr_exhaustively(numprec, name, mode, dtype):
    x, want = reference(name, dtype)
    fmt = fmt_for(numprec, name)
    if dtype == "float32" and not float32_holds(want):
        # Some float32 input rounds (by MPFR) to a value float32 cannot hold:
        # numprec must refuse float32 inputs for this format.
        with pytest.raises(ValueError, match="float32 cannot hold"):
            numprec.round(x, fmt, mode)
        return
    got = numprec.round(x, fmt, mode)
    assert got.dtype == x.dtype and got.shape == x.shape
    expected = want[mode].astype(x.dtype)
    ok = bits_equal(got, expected)
    assert ok.all(), f"{name} {mode} {dtype}: " + mismatch_report(x, got, expected)


@pytest.mark.parametrize("mode", DETERMINISTIC_MODES)
@pytest.mark.parametrize("name", ["binary16", "float8_e4m3fn", "e3m2_nosub"])
def test_round_strided_and_in_place_match_mpfr(numprec, name, mode):
    x, want = reference(name, "float64")
    fmt = fmt_for(numprec, name)
    # strided view of a 2-D array, reversed
    big = np.empty((2, 2 * x.size))
    big[1, ::2] = x[::-1]
    view = big[1, ::2]
    got = numprec.round(view, fmt, mode)
    assert bits_equal(got, want[mode][::-1]).all()
    # in place
    y = x.copy()
    res = numprec.round(y, fmt, mode, out=y)
    assert bits_equal(y, want[mode]).all()
    assert res is y or np.shares_memory(res, y)
    # 2-D shape is kept
    n = (x.size // 4) * 4
    got2 = numprec.round(x[:n].reshape(4, -1), fmt, mode)
    assert got2.shape == (4, n // 4)
    assert bits_equal(got2.ravel(), want[mode][:n]).all()


@pytest.mark.parametrize("mode", DETERMINISTIC_MODES)
def test_scalar_inputs_match_mpfr(numprec, mode):
    spec = NAMED_SPECS["binary16"]
    for v in [1 + 2.0**-11, -(1 + 3 * 2.0**-11), 65520.0, -65519.99, 2.0**-25, -(2.0**-25),
              3 * 2.0**-26, 1e-300, -0.0]:
        want = mpfr_round(np.array([v]), spec, [mode])[mode][0]
        got = numprec.round(v, "binary16", mode)
        assert isinstance(got, np.float64)
        assert bits_equal(np.array([got]), np.array([want])).all(), (v, got, want)
        got32 = numprec.round(np.float32(v), "binary16", mode)
        assert isinstance(got32, np.float32)
        want32 = mpfr_round(np.array([np.float32(v)], np.float64), spec, [mode])[mode][0]
        assert bits_equal(np.array([got32]), np.array([want32], np.float32)).all(), (v, got32)
