"""Plugin rounding schemes (``RoundingScheme(name, select=f)``) round exactly
like the built-in kernel schemes, at the ends of the range included.

A plugin scheme only sees ``x`` and the two neighbours ``lower <= x <=
upper`` (docs/formats.md, "Rounding schemes of plugins").  The schemes below
are written the way a plugin author would write them, from those values
alone; each must give, bit for bit, what the built-in scheme of the same
rule gives (the built-in kernel is checked against MPFR and ml_dtypes in
tests/rounding), on inputs spanning every binade of the format, the
overflow region beyond ``max`` and the non-finite values, both signs, in
each class of format: IEEE with infinities, "fn" (overflow to NaN),
"fnuz", saturating formats without NaN, unsigned E8M0, and fixed point.
"""
import math

import numpy as np
import pytest

import numprec
from numprec import FixedFormat, FloatFormat, IntFormat, RoundingScheme


def _down(x, lower, upper, u):
    return lower


def _up(x, lower, upper, u):
    return upper


def _toward_zero(x, lower, upper, u):
    return np.where(np.abs(lower) <= np.abs(upper), lower, upper)


def _nearest(tie):
    def select(x, lower, upper, u):
        with np.errstate(invalid="ignore"):       # inf - inf where x is infinite
            below, above = x - lower, upper - x
        return np.where(below < above, lower, np.where(above < below, upper, tie(lower, upper)))
    return select


def _even(lower, upper):
    # lower and upper are consecutive multiples of their gap: the even one
    # has an even quotient (the last bit of the significand is 0).
    with np.errstate(invalid="ignore", divide="ignore"):
        lower_even = np.fmod(lower / (upper - lower), 2.0) == 0
    return np.where(lower_even, lower, upper)


def _away(lower, upper):
    return np.where(np.abs(lower) >= np.abs(upper), lower, upper)


PLUGIN = {
    "down": RoundingScheme("plugin_down", select=_down),
    "up": RoundingScheme("plugin_up", select=_up),
    "toward_zero": RoundingScheme("plugin_toward_zero", select=_toward_zero),
    "nearest_even": RoundingScheme("plugin_nearest_even", select=_nearest(_even)),
    "nearest_away": RoundingScheme("plugin_nearest_away", select=_nearest(_away)),
}
SYMMETRIC = ("toward_zero", "nearest_even", "nearest_away")

FLOAT_FORMATS = {
    "binary16": "binary16",                              # IEEE, overflow to inf
    "float8_e5m2": "float8_e5m2",
    "float8_e4m3fn": "float8_e4m3fn",                    # fn: overflow to NaN
    "float8_e4m3fnuz": "float8_e4m3fnuz",                # fnuz
    "float8_e5m2fnuz": "float8_e5m2fnuz",
    "float6_e2m3fn": "float6_e2m3fn",                    # no NaN: saturate
    "float4_e2m1fn": "float4_e2m1fn",
    "float8_e8m0fnu": "float8_e8m0fnu",                  # unsigned, no zero, 1 bit
    "e5m10_saturate": FloatFormat(5, 10, overflow="saturate"),
    "e5m10_nan": FloatFormat(5, 10, overflow="nan"),
    "e4m3_nosub": FloatFormat(4, 3, subnormals=False),
    "e3m1_fn": FloatFormat(3, 1, infinities=False, nan="fn"),   # max 2**4, a power of 2
    "e3m0_finite": FloatFormat(3, 0, infinities=False, nan="none"),
}
FIXED_FORMATS = {
    "sq3.4": FixedFormat(3, 4),
    "sq3.4_wrap": FixedFormat(3, 4, overflow="wrap"),
    "uq2.3": FixedFormat(2, 3, signed=False),
    "int8": IntFormat(8),
    "uint4": IntFormat(4, signed=False),
}


def float_inputs(fmt):
    """Quarter steps of the format's spacing in every binade from below the
    smallest subnormal to far beyond max, the overflow boundary in detail,
    random values, specials; both signs."""
    m = fmt.mantissa_bits
    grid = np.arange(4 << m, dtype=np.float64) / (4 << m)          # [0, 1) in quarter ulps
    binades = [np.ldexp(1.0 + grid, e) for e in range(fmt.emin - m - 3, fmt.emax + 4)]
    top = fmt.max
    gap = math.ldexp(1.0, fmt.emax - m)                  # spacing of the top binade
    edge = top + gap * np.arange(-8, 64) / 8.0
    edge = np.concatenate([edge, np.nextafter(edge, 0), np.nextafter(edge, np.inf)])
    rng = np.random.default_rng(8)
    random = np.ldexp(rng.uniform(1, 2, 4000), rng.integers(fmt.emin - m - 3, fmt.emax + 4, 4000))
    special = np.array([0.0, 5e-324, 1e-300, 2.0 ** 100, 1e300, np.finfo(np.float64).max,
                        np.inf, np.nan])
    x = np.concatenate(binades + [edge, random, special])
    return np.concatenate([x, -x])


def fixed_inputs(fmt):
    step = fmt.eps / 8
    x = np.arange(fmt.min - 4, fmt.max + 4, step)
    special = np.array([0.0, 5e-324, 1e3, 1e300, np.finfo(np.float64).max, np.inf, np.nan])
    x = np.concatenate([x, special])
    return np.concatenate([x, -x])


def same_bits(a, b):
    """Equal values with equal signs of zero; NaN where the other is NaN."""
    nan = np.isnan(a)
    return bool(np.array_equal(nan, np.isnan(b))
                and np.array_equal(a[~nan].view(np.uint64), b[~nan].view(np.uint64)))


CASES = [(key, fmt, float_inputs) for key, fmt in FLOAT_FORMATS.items()] + \
        [(key, fmt, fixed_inputs) for key, fmt in FIXED_FORMATS.items()]


@pytest.mark.parametrize("rule", sorted(PLUGIN))
@pytest.mark.parametrize("key, fmt, inputs", CASES, ids=[c[0] for c in CASES])
def test_plugin_scheme_equals_builtin_scheme(key, fmt, inputs, rule):
    fmt = numprec.get_format(fmt)
    x = inputs(fmt)
    builtin = numprec.round(x, fmt, rule)
    plugin = numprec.round(x, fmt, PLUGIN[rule])
    wrong = ~((builtin == plugin) | (np.isnan(builtin) & np.isnan(plugin)))
    assert not wrong.any(), (key, rule, x[wrong][:5], builtin[wrong][:5], plugin[wrong][:5])
    assert same_bits(plugin, builtin)


SIGNED = [c for c in CASES if c[0] not in ("float8_e8m0fnu", "uq2.3", "uint4", "sq3.4_wrap")]


@pytest.mark.parametrize("rule", SYMMETRIC)
@pytest.mark.parametrize("key, fmt, inputs", SIGNED, ids=[c[0] for c in SIGNED])
def test_symmetric_plugin_scheme_is_odd_in_x(key, fmt, inputs, rule):
    fmt = numprec.get_format(fmt)
    x = inputs(fmt)
    if not isinstance(fmt, FloatFormat):
        x = x[np.abs(x) <= fmt.max]     # two's complement: -2**i has no positive twin
    plus = numprec.round(x, fmt, PLUGIN[rule])
    minus = numprec.round(-x, fmt, PLUGIN[rule])
    assert np.array_equal(np.isnan(plus), np.isnan(minus)), key
    finite = ~np.isnan(plus)
    assert np.array_equal(minus[finite], -plus[finite]), key


def test_issue_example_fn_overflow_agrees_in_sign():
    """The issue's case: 449 and -465 in float8_e4m3fn (max 448, the value
    after it 480, so nearest rounding overflows from 464 on)."""
    x = np.array([449.0, -449.0, 465.0, -465.0, 1e10, -1e10])
    got = numprec.round(x, "float8_e4m3fn", PLUGIN["nearest_even"])
    assert got[:2].tolist() == [448.0, -448.0]
    assert np.isnan(got[2:]).all()


def test_float32_input_near_float32_max():
    """bfloat16's max is below float32's max and the value after it is
    2**128, which float32 cannot hold: select still sees it."""
    x = np.array([3.3e38, 3.39e38, np.finfo(np.float32).max], dtype=np.float32)
    x = np.concatenate([x, -x])
    for rule, scheme in PLUGIN.items():
        assert same_bits(numprec.round(x, "bfloat16", scheme), numprec.round(x, "bfloat16", rule))


def test_select_sees_finite_neighbours_beyond_max():
    seen = {}

    def record(x, lower, upper, u):
        seen.update(x=x.copy(), lower=lower.copy(), upper=upper.copy())
        return lower

    x = np.array([449.0, 1e10, -465.0, np.inf, -np.inf, np.nan])
    numprec.round(x, "float8_e4m3fn", RoundingScheme("record", select=record))
    assert seen["x"].dtype == np.float64
    assert seen["lower"][:3].tolist() == [448.0, 448.0, -480.0]
    assert seen["upper"][:3].tolist() == [480.0, 480.0, -448.0]
    assert np.isnan(seen["lower"][3:]).all() and np.isnan(seen["upper"][3:]).all()


def test_select_returning_nan_for_a_finite_neighbour_is_refused():
    nan_scheme = RoundingScheme("nan_always", select=lambda x, lower, upper, u: np.nan * x)
    with pytest.raises(ValueError, match="nan_always"):
        numprec.round(np.array([1.3]), "binary16", nan_scheme)
