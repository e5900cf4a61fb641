"""Property tests of ``numprec.round`` on random FloatFormats (hypothesis).

Each property is checked with an independent test of membership in the
format (``math.frexp`` decomposition), not with numprec's own helpers:
results are values of the format, rounding is monotone, idempotent, the
directed modes bracket x, the error is below one unit in the last place of
the result (half for round-to-nearest), symmetric modes commute with negation,
and every result equals MPFR's.
"""
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

try:
    from .mpfr_oracle import DETERMINISTIC_MODES, Spec, bits_equal, make_format, mpfr_round
except ImportError:
    from mpfr_oracle import DETERMINISTIC_MODES, Spec, bits_equal, make_format, mpfr_round

import numprec  # noqa: E402  (a failed import fails the suite)

# The number of examples and derandomisation come from the hypothesis profile
# (conftest.py: "ci" by default, fixed examples; HYPOTHESIS_PROFILE=explore).
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEAREST = ("nearest_even", "nearest_away")


@st.composite
def ieee_specs(draw):
    """IEEE-style formats (infinities, default bias) that fit in float64."""
    e = draw(st.integers(2, 11))
    m = draw(st.integers(0, 52))
    return Spec(e, m, subnormals=draw(st.booleans()))


@st.composite
def any_specs(draw):
    """Formats with every option, constrained to fit in float64."""
    e = draw(st.integers(2, 11))
    m = draw(st.integers(0, 52))
    nan = draw(st.sampled_from(["ieee", "fn", "fnuz", "none"]))
    if nan == "fn" and e + m < 2:
        nan = "ieee"
    overflow = draw(st.sampled_from([None, "saturate"] + (["inf"] if nan == "ieee" else [])
                                    + (["nan"] if nan != "none" else [])))
    spec = Spec(e, m, subnormals=draw(st.booleans()), infinities=nan == "ieee", nan=nan,
                overflow=overflow)
    shift = draw(st.integers(-3, 3))
    spec = dataclasses.replace(spec, bias=spec.bias_ + shift)
    assume(spec.emax <= 1023 and spec.emin - m >= -1074 and spec.emax >= spec.emin)
    # numprec requires the normal range of a format without subnormals to be normal in float64
    assume(spec.subnormals or spec.emin >= -1022)
    assume(spec.max > 0 and not (nan == "fn" and e == 1))
    return spec


@st.composite
def deep_specs(draw):
    """Formats whose range reaches below float64's normal range (emin <
    -1022): their small values are float64 subnormals.  Some need no bias
    shift (e11 fnuz: bias 1024)."""
    m = draw(st.integers(0, 51))
    e = draw(st.integers(2, 11))
    nan = draw(st.sampled_from(["ieee", "fn", "fnuz", "none"]))
    if nan == "fn" and e + m < 2:
        nan = "ieee"
    overflow = draw(st.sampled_from([None, "saturate"]))
    spec = Spec(e, m, infinities=nan == "ieee", nan=nan, overflow=overflow)
    emin = draw(st.integers(-1074 + m, -1023))
    spec = dataclasses.replace(spec, bias=1 - emin)
    assume(spec.emax >= spec.emin and spec.max > 0)
    return spec


@st.composite
def spec_and_values(draw, specs=ieee_specs(), n=12):
    spec = draw(specs)
    lo = max(spec.emin - spec.mantissa_bits - 3, -1074)
    hi = min(spec.emax + 2, 1022)
    vals = []
    for _ in range(draw(st.integers(1, n))):
        kind = draw(st.integers(0, 3))
        if kind == 0:  # anywhere in float64
            v = draw(st.floats(allow_nan=False, allow_infinity=False))
        elif kind == 1:  # in or near the format's range, random significand
            k = draw(st.integers(lo, hi))
            v = math.ldexp(draw(st.floats(1.0, 2.0, exclude_max=True)), k)
        else:  # values of the format (kind 2) and midpoints (kind 3) at a random binade
            k = draw(st.integers(lo, hi))
            j = draw(st.integers(2**spec.mantissa_bits, 2**(spec.mantissa_bits + 1) - 1))
            v = math.ldexp(j + (0.5 if kind == 3 else 0.0), k - spec.mantissa_bits)
        if draw(st.booleans()):
            v = -v
        vals.append(v)
    return spec, np.array(vals, dtype=np.float64)


def is_value_of(r: float, spec: Spec) -> bool:
    """Independent membership test: frexp decomposition against the spec."""
    if math.isnan(r):
        return True  # NaN is allowed where the spec produces it (checked vs MPFR)
    if math.isinf(r):
        return spec.has_inf
    a = abs(r)
    if a == 0:
        return spec.zero
    if a > spec.max:
        return False
    f, e = math.frexp(a)  # a = f * 2**e, 0.5 <= f < 1
    lead = e - 1
    if lead < spec.emin:
        if not (spec.subnormals and spec.zero):
            return False
        q = math.ldexp(a, spec.mantissa_bits - spec.emin)  # in units of the subnormal quantum
    else:
        q = math.ldexp(f, spec.mantissa_bits + 1)
    return q == int(q)


def ulp_at(r: float, spec: Spec) -> float:
    a = abs(r)
    if a == 0:
        return spec.smallest_subnormal
    lead = max(math.frexp(a)[1] - 1, spec.emin)
    return math.ldexp(1.0, lead - spec.mantissa_bits)


def rounded(x, spec, mode):
    return numprec.round(x, make_format(numprec, spec), mode)


@SETTINGS
@given(spec_and_values())
def test_results_are_values_of_the_format(sv):
    spec, x = sv
    for mode in DETERMINISTIC_MODES:
        r = rounded(x, spec, mode)
        bad = [(v, w) for v, w in zip(x, r) if not is_value_of(float(w), spec)]
        assert not bad, (spec, mode, bad[:3])
        assert not np.isnan(r).any()  # IEEE formats: finite inputs never give NaN


@SETTINGS
@given(spec_and_values(n=30))
def test_monotone(sv):
    spec, x = sv
    xs = np.sort(x)
    for mode in DETERMINISTIC_MODES:
        r = rounded(xs, spec, mode)
        assert (r[1:] >= r[:-1]).all(), (spec, mode, xs, r)


@SETTINGS
@given(spec_and_values())
def test_idempotent(sv):
    spec, x = sv
    for mode in DETERMINISTIC_MODES:
        r = rounded(x, spec, mode)
        for mode2 in DETERMINISTIC_MODES:
            rr = rounded(r, spec, mode2)
            assert bits_equal(rr, r).all(), (spec, mode, mode2, x, r, rr)


@SETTINGS
@given(spec_and_values())
def test_directed_modes_bracket_x(sv):
    spec, x = sv
    down, up = rounded(x, spec, "down"), rounded(x, spec, "up")
    tz = rounded(x, spec, "toward_zero")
    assert (down <= x).all() and (x <= up).all(), (spec, x, down, up)
    assert (np.abs(tz) <= np.abs(x)).all(), (spec, x, tz)
    for mode in NEAREST + ("odd",):
        r = rounded(x, spec, mode)
        inside = (r >= down) & (r <= up)
        assert inside.all(), (spec, mode, x, r)


@SETTINGS
@given(spec_and_values())
def test_error_below_one_ulp_of_the_result(sv):
    spec, x = sv
    in_range = np.abs(x) <= spec.max
    for mode in DETERMINISTIC_MODES:
        r = rounded(x, spec, mode)
        for xi, ri in zip(x[in_range], r[in_range]):
            xi, ri = float(xi), float(ri)
            if not (spec.subnormals or abs(xi) >= spec.smallest_normal):
                bound = spec.smallest_normal  # between 0 and the smallest normal
            else:
                bound = ulp_at(ri, spec)
            if mode in NEAREST:
                bound /= 2
            assert abs(ri - xi) <= bound, (spec, mode, xi, ri, bound)


@SETTINGS
@given(spec_and_values())
def test_sign_symmetry(sv):
    spec, x = sv
    for mode in DETERMINISTIC_MODES:
        r = rounded(x, spec, mode)
        mirror = {"up": "down", "down": "up"}.get(mode, mode)
        rn = rounded(-x, spec, mirror)
        assert bits_equal(rn, -r).all(), (spec, mode, x, r, rn)


@SETTINGS
@given(spec_and_values())
def test_equals_mpfr_on_ieee_formats(sv):
    spec, x = sv
    want = mpfr_round(x, spec)
    for mode in DETERMINISTIC_MODES:
        got = rounded(x, spec, mode)
        assert bits_equal(got, want[mode]).all(), (spec, mode, x, got, want[mode])


@SETTINGS
@given(spec_and_values(any_specs()))
def test_equals_mpfr_on_any_format(sv):
    spec, x = sv
    x = np.concatenate([x, [0.0, -0.0, np.inf, -np.inf, np.nan]])
    want = mpfr_round(x, spec)
    for mode in DETERMINISTIC_MODES:
        got = rounded(x, spec, mode)
        assert bits_equal(got, want[mode]).all(), (spec, mode, x, got, want[mode])


@SETTINGS
@given(spec_and_values(deep_specs()))
def test_equals_mpfr_below_float64_normal_range(sv):
    spec, x = sv
    tiny = np.ldexp(np.arange(0, 40, dtype=np.float64), -1074)   # float64 subnormals
    x = np.concatenate([x, tiny, -tiny, [spec.smallest_normal, spec.smallest_subnormal]])
    want = mpfr_round(x, spec)
    for mode in DETERMINISTIC_MODES:
        got = rounded(x, spec, mode)
        assert bits_equal(got, want[mode]).all(), (spec, mode, x, got, want[mode])


def test_issue_example_smallest_normal_below_float64_normals():
    """FloatFormat(11, 0, bias=1024): 2**-1023 is its smallest normal and a
    float64 subnormal; it used to round to 0."""
    spec = Spec(11, 0, bias=1024)
    x = np.array([2.0**-1023, -(2.0**-1023), 3 * 2.0**-1025, 5 * 2.0**-1074])
    want = mpfr_round(x, spec)
    for mode in DETERMINISTIC_MODES:
        assert bits_equal(rounded(x, spec, mode), want[mode]).all(), mode
    assert rounded(x, spec, "nearest_even")[0] == 2.0**-1023


@SETTINGS
@given(spec_and_values(any_specs() | deep_specs()))
def test_float32_inputs_equal_mpfr(sv):
    spec, x = sv
    with np.errstate(over="ignore"):
        x32 = x.astype(np.float32)
    if not spec.fits_float32:
        with pytest.raises(ValueError, match="float32 cannot hold"):
            rounded(x32, spec, "nearest_even")
        return
    want = mpfr_round(x32.astype(np.float64), spec)
    for mode in DETERMINISTIC_MODES:
        got = rounded(x32, spec, mode)
        assert got.dtype == np.float32
        assert bits_equal(got, want[mode].astype(np.float32)).all(), (spec, mode, x32, got)
