"""FixedFormat and IntFormat rounding against an exact oracle (fractions).

Oracle, from the brief: values are k * 2**-f; x is scaled to units
s = x * 2**f exactly, rounded to an integer k by the mode (ties to even /
away from zero, toward zero, up, down, odd = the odd neighbour when
inexact), then "saturate" clamps k to the range, "wrap" reduces it modulo
2**(i + f + signed) into the range (two's complement).  No negative zero.
"""
import math
from fractions import Fraction

import numpy as np
import pytest

import numprec  # noqa: E402  (a failed import fails the suite)

MODES = ("nearest_even", "nearest_away", "toward_zero", "up", "down", "odd")


def units_range(i, f, signed):
    n = i + f
    return (-(2**n), 2**n - 1) if signed else (0, 2**n - 1)


def round_units(s: Fraction, mode: str) -> int:
    lo = math.floor(s)
    if lo == s:
        return lo
    hi = lo + 1
    d = s - lo
    if mode == "nearest_even":
        return lo if d < Fraction(1, 2) else hi if d > Fraction(1, 2) else (lo if lo % 2 == 0 else hi)
    if mode == "nearest_away":
        return lo if d < Fraction(1, 2) else hi if d > Fraction(1, 2) else (hi if s > 0 else lo)
    if mode == "toward_zero":
        return lo if s > 0 else hi
    if mode == "up":
        return hi
    if mode == "down":
        return lo
    if mode == "odd":
        return lo if lo % 2 else hi
    raise ValueError(mode)


def fixed_oracle(x: float, i: int, f: int, signed: bool, overflow: str, mode: str) -> float:
    if math.isnan(x):
        return math.nan
    kmin, kmax = units_range(i, f, signed)
    if math.isinf(x):
        if overflow == "wrap":
            return math.nan  # documented by numprec: no wrapped value for inf
        k = kmax if x > 0 else kmin
    else:
        k = round_units(Fraction(x) * 2**f, mode)
        if overflow == "saturate":
            k = min(max(k, kmin), kmax)
        else:
            m = 2 ** (i + f + (1 if signed else 0))
            k %= m
            if k > kmax:
                k -= m
    return math.ldexp(float(k), -f) + 0.0  # exact (<= 53 bits); -0 -> +0


FORMATS = [
    (3, 4, True, "saturate"), (3, 4, True, "wrap"), (3, 4, False, "saturate"),
    (3, 4, False, "wrap"), (0, 7, True, "saturate"), (0, 7, True, "wrap"),
    (7, 0, True, "saturate"), (8, 0, False, "wrap"), (0, 0, True, "wrap"),
    (20, 32, True, "saturate"), (20, 32, True, "wrap"), (40, 13, False, "wrap"),
    (0, 52, True, "saturate"), (52, 0, True, "wrap"),
]


def fid(p):
    i, f, s, o = p
    return f"{'s' if s else 'u'}q{i}.{f}-{o}"


def inputs(i, f, signed, n_random=1500, seed=0):
    eps = 2.0**-f
    kmin, kmax = units_range(i, f, signed)
    lo_v, hi_v = kmin * eps, kmax * eps
    if i + f <= 9:
        vals = np.arange(kmin - 3, kmax + 4) * eps
        base = np.concatenate([vals, vals + eps / 2])
    else:
        rng = np.random.default_rng(seed)
        k = rng.integers(kmin, kmax, size=400, endpoint=True).astype(np.float64)
        base = np.concatenate([k * eps, (k + 0.5) * eps, [lo_v, hi_v, hi_v + eps / 2, lo_v - eps / 2]])
    base = np.concatenate([base, np.nextafter(base, np.inf), np.nextafter(base, -np.inf)])
    rng = np.random.default_rng(seed + 1)
    scale = max(abs(lo_v), hi_v, 1.0)
    rnd = rng.uniform(-2.5, 2.5, n_random) * scale
    extra = [0.0, -0.0, 5e-324, -5e-324, 1e-300, 1e300, -1e300, 2.0**60 + 2.0**9,
             -(2.0**60) - 3 * 2.0**8, 1.7e308, -1.7e308, np.inf, -np.inf, np.nan]
    return np.concatenate([base, rnd, extra])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("params", FORMATS, ids=fid)
def test_fixed_matches_exact_oracle(params, mode):
    i, f, signed, overflow = params
    fmt = numprec.FixedFormat(i, f, signed=signed, overflow=overflow)
    x = inputs(i, f, signed)
    want = np.array([fixed_oracle(float(v), i, f, signed, overflow, mode) for v in x])
    got = numprec.round(x, fmt, mode)
    ok = (got.view(np.uint64) == want.view(np.uint64)) | (np.isnan(got) & np.isnan(want))
    bad = np.flatnonzero(~ok)
    assert ok.all(), [(float(x[j]), float(got[j]), float(want[j])) for j in bad[:6]]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("params", [(3, 4, True, "saturate"), (8, 0, False, "wrap"),
                                    (10, 13, True, "wrap")], ids=fid)
def test_fixed_float32_inputs(params, mode):
    i, f, signed, overflow = params
    fmt = numprec.FixedFormat(i, f, signed=signed, overflow=overflow)
    with np.errstate(over="ignore"):
        x = inputs(i, f, signed).astype(np.float32)
    want = np.array([fixed_oracle(float(v), i, f, signed, overflow, mode) for v in x],
                    dtype=np.float32)
    got = numprec.round(x, fmt, mode)
    assert got.dtype == np.float32
    ok = (got.view(np.uint32) == want.view(np.uint32)) | (np.isnan(got) & np.isnan(want))
    assert ok.all(), [(float(a), float(b), float(c)) for a, b, c in zip(x[~ok], got[~ok], want[~ok])][:6]


@pytest.mark.parametrize("bits,signed,overflow", [(8, True, "saturate"), (8, False, "saturate"),
                                                  (16, True, "wrap"), (1, True, "wrap"),
                                                  (12, False, "wrap")])
@pytest.mark.parametrize("mode", MODES)
def test_int_format_is_the_fixed_format_with_no_fraction(bits, signed, overflow, mode):
    i = bits - 1 if signed else bits
    ifmt = numprec.IntFormat(bits, signed=signed, overflow=overflow)
    x = inputs(i, 0, signed)
    want = np.array([fixed_oracle(float(v), i, 0, signed, overflow, mode) for v in x])
    got = numprec.round(x, ifmt, mode)
    ok = (got.view(np.uint64) == want.view(np.uint64)) | (np.isnan(got) & np.isnan(want))
    assert ok.all(), [(float(a), float(b), float(c)) for a, b, c in zip(x[~ok], got[~ok], want[~ok])][:6]
    assert ifmt.max == 2.0 ** i - 1
    assert ifmt.min == (-(2.0 ** i) if signed else 0.0)
    assert ifmt.bits == bits


@pytest.mark.parametrize("i,f,signed", [(3, 4, True), (3, 4, False), (0, 15, True), (31, 0, False)])
def test_fixed_properties(i, f, signed):
    fmt = numprec.FixedFormat(i, f, signed=signed)
    assert fmt.eps == 2.0**-f
    assert fmt.max == 2.0**i - 2.0**-f
    assert fmt.min == (-(2.0**i) if signed else 0.0)
    assert fmt.bits == i + f + (1 if signed else 0)
    assert (fmt.integer_bits, fmt.fraction_bits, fmt.signed) == (i, f, signed)
    # max and min are values: they round to themselves, one eps beyond saturates
    v = np.array([fmt.max, fmt.min, fmt.max + fmt.eps, fmt.min - fmt.eps])
    assert list(numprec.round(v, fmt)) == [fmt.max, fmt.min, fmt.max, fmt.min]


@pytest.mark.parametrize("fmt", [numprec.FixedFormat(3, 4), numprec.FixedFormat(3, 4, False, "wrap"),
                                 numprec.IntFormat(8), numprec.IntFormat(16, False, "wrap")],
                         ids=lambda f: f.name)
def test_fixed_config_round_trip(fmt):
    import json

    from numprec import from_config
    cfg = fmt.get_config()
    assert "id" in cfg
    back = from_config(json.loads(json.dumps(cfg)))
    assert back == fmt and hash(back) == hash(fmt) and back.get_config() == cfg
    assert type(back) is type(fmt)


def test_no_negative_zero():
    fmt = numprec.FixedFormat(3, 4)
    r = numprec.round(np.array([-0.0, -1e-30, -0.01]), fmt, "up")
    assert not np.signbit(r).any() and (r == 0).all()


@pytest.mark.parametrize("overflow", ["saturate", "wrap"])
def test_fixed_stochastic_probabilities(overflow):
    fmt = numprec.FixedFormat(3, 4, overflow=overflow)
    n = 10**5
    eps = 2.0**-4
    # inside the range: up with probability 0.3
    x = 1 + 0.3 * eps
    r = numprec.round(np.full(n, x), fmt, "stochastic", seed=1)
    assert set(np.unique(r)) <= {1.0, 1 + eps}
    k = int((r == 1 + eps).sum())
    assert abs(k - 0.3 * n) <= 5 * math.sqrt(n * 0.21) + 1
    # just above max: saturate always gives max; wrap gives min with probability 0.4
    x = fmt.max + 0.4 * eps
    r = numprec.round(np.full(n, x), fmt, "stochastic", seed=2)
    if overflow == "saturate":
        assert (r == fmt.max).all()
    else:
        assert set(np.unique(r)) <= {fmt.max, fmt.min}
        k = int((r == fmt.min).sum())
        assert abs(k - 0.4 * n) <= 5 * math.sqrt(n * 0.24) + 1


@pytest.mark.parametrize("overflow", ["saturate", "wrap"])
def test_no_floating_point_warnings_for_huge_inputs(overflow):
    import warnings
    x = np.array([1.7e308, -1.7e308, np.inf, -np.inf, np.nan, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        numprec.round(x, numprec.FixedFormat(3, 4, overflow=overflow))
        numprec.round(x, numprec.FixedFormat(3, 4, overflow=overflow), "stochastic", seed=0)


# -- names: what a format prints, get_format parses back ----------------------------
NAME_PARAMS = [(i, f, s, o) for i in (0, 1, 3, 7, 15, 31, 52) for f in (0, 1, 4, 16, 52)
               for s in (True, False) for o in ("saturate", "wrap")
               if 1 <= i + f + s <= 53]


@pytest.mark.parametrize("params", NAME_PARAMS, ids=fid)
def test_fixed_name_parses_back(params):
    i, f, signed, overflow = params
    fmt = numprec.FixedFormat(i, f, signed=signed, overflow=overflow)
    back = numprec.get_format(fmt.name)
    assert back == fmt and type(back) is numprec.FixedFormat and back.name == fmt.name
    assert (back.integer_bits, back.fraction_bits, back.signed, back.overflow) == params


@pytest.mark.parametrize("bits", [1, 2, 4, 8, 12, 16, 24, 32, 53])
@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("overflow", ["saturate", "wrap"])
def test_int_name_parses_back(bits, signed, overflow):
    fmt = numprec.IntFormat(bits, signed=signed, overflow=overflow)
    back = numprec.get_format(fmt.name)
    assert back == fmt and type(back) is numprec.IntFormat and back.name == fmt.name
    assert back.bits == bits and back.signed == signed and back.overflow == overflow


def test_names_from_the_issue():
    assert numprec.get_format("sq3.4") == numprec.FixedFormat(3, 4)
    assert numprec.get_format("uq0.8_wrap") == numprec.FixedFormat(0, 8, signed=False,
                                                                   overflow="wrap")
    assert numprec.get_format("int8") == numprec.IntFormat(8)
    assert numprec.get_format("UINT16").name == "uint16"
    # a fixed-point format with no fraction is not the integer format of its width
    assert numprec.get_format("sq7.0") != numprec.get_format("int8")


def test_int_names_round_like_numpy_integers():
    """numpy's own integer types: rint then clip (saturate), or the C cast
    of an integer modulo 2**bits (wrap)."""
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-700, 700, 2000), np.arange(-300, 300) + 0.5])
    want = np.clip(np.rint(x), -128, 127)
    assert np.array_equal(numprec.round(x, "int8"), want)
    whole = np.rint(x)
    assert np.array_equal(numprec.round(whole, "int8_wrap"),
                          whole.astype(np.int64).astype(np.int8).astype(np.float64))
    assert np.array_equal(numprec.round(whole, "uint8_wrap"),
                          whole.astype(np.int64).astype(np.uint8).astype(np.float64))


@pytest.mark.parametrize("name, message", [("sq60.0", "53"), ("int0", "bits"),
                                           ("uint54", "bits")])
def test_out_of_range_widths_are_refused_by_name(name, message):
    with pytest.raises(ValueError, match=message) as info:
        numprec.get_format(name)
    assert repr(name) in str(info.value)


@pytest.mark.parametrize("name", ["sq3", "q3.4", "sq3.4_saturate", "int", "int8.0", "xint8"])
def test_other_spellings_are_unknown(name):
    with pytest.raises(numprec.UnknownNameError):
        numprec.get_format(name)
