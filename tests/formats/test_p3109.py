"""IEEE P3109 (draft) formats against gfloat (graphcore-research, an
independent Python implementation of the interim report) and against hand
tables built from the report's definitions.

The P3109 interim report (version 3, section "Formats"): binaryKpP has K
bits and precision P; signed formats have bias 2**(K-P-1), unsigned ones
2**(K-P); NaN is 0x80 (signed) or 0xFF (unsigned); extended formats have
+-inf at 0x7F/0xFF (signed) or +inf at 0xFE (unsigned); there is no -0.
"""
import math

import numpy as np
import pytest

import numprec
from numprec.bits import decode, encode
from numprec.formats.p3109 import p3109_format, p3109_formats

gfloat = pytest.importorskip("gfloat")
# gfloat's round_ndarray warns about its own ldexp overflow far beyond max
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
from gfloat import RoundMode, Domain, Signedness, decode_ndarray, round_ndarray  # noqa: E402
from gfloat import encode_float  # noqa: E402
from gfloat.formats import format_info_p3109  # noqa: E402

#: every layout numprec registers: (k, p, signed, extended)
LAYOUTS = [(f.bits, f.precision, f.signed, f.infinities) for _, f, _ in p3109_formats()]
MODES = {"nearest_even": RoundMode.TiesToEven, "nearest_away": RoundMode.TiesToAway,
         "toward_zero": RoundMode.TowardZero, "up": RoundMode.TowardPositive,
         "down": RoundMode.TowardNegative}


def layout_id(layout):
    k, p, signed, extended = layout
    return f"k{k}p{p}{'s' if signed else 'u'}{'e' if extended else 'f'}"


def gfloat_info(k, p, signed, extended):
    return format_info_p3109(k, p, Signedness.Signed if signed else Signedness.Unsigned,
                             Domain.Extended if extended else Domain.Finite)


def same(a, b):
    """Bitwise equality of float64 arrays, NaNs equal to NaNs."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return (a.view(np.uint64) == b.view(np.uint64)) | (np.isnan(a) & np.isnan(b))


def assert_same(got, want, x):
    ok = same(got, want)
    if not ok.all():
        i = np.flatnonzero(~ok)[:5]
        raise AssertionError(f"inputs {x[i]!r}: got {np.asarray(got)[i]!r}, want {want[i]!r}")


def all_codes(k):
    return np.arange(2 ** k, dtype=np.uint64)


def dense_inputs(fi, signed):
    """Every value, every midpoint, the float64 neighbours of both, the
    overflow region and the specials."""
    values = decode_ndarray(fi, all_codes(fi.k).astype(np.int64))
    pos = np.unique(values[np.isfinite(values) & (values >= 0)])
    ulp_top = pos[-1] - pos[-2]
    mids = (pos[:-1] + pos[1:]) / 2
    beyond = pos[-1] + ulp_top * np.array([0.25, 0.5, 1.0, 1.5, 2.0, 1e6])
    tiny = pos[1] * np.array([0.25, 0.5, 0.75])
    core = np.concatenate([pos, mids, beyond, tiny, [1e300, np.inf]])
    near = np.concatenate([core, np.nextafter(core, 0), np.nextafter(core, np.inf)])
    x = np.concatenate([near, -near if signed else [], [np.nan]])
    return x[~np.isnan(x) | np.isnan(x)]


# ------------------------------------------------------------- value tables
@pytest.mark.parametrize("layout", LAYOUTS, ids=layout_id)
def test_every_pattern_decodes_to_gfloat_value(layout):
    k, p, signed, extended = layout
    fi = gfloat_info(*layout)
    codes = all_codes(k)
    fmt = p3109_format(k, p, signed=signed, extended=extended)
    assert_same(decode(codes, fmt), decode_ndarray(fi, codes.astype(np.int64)), codes)
    assert fmt.max == fi.max
    assert fmt.smallest_subnormal == fi.smallest_subnormal


@pytest.mark.parametrize("layout", LAYOUTS, ids=layout_id)
def test_every_value_encodes_to_gfloat_code(layout):
    k, p, signed, extended = layout
    fi = gfloat_info(*layout)
    fmt = p3109_format(k, p, signed=signed, extended=extended)
    values = decode_ndarray(fi, all_codes(k).astype(np.int64))
    want = np.array([encode_float(fi, float(v)) for v in values], dtype=np.uint64)
    assert np.array_equal(encode(values, fmt).astype(np.uint64), want)


def hand_table_binary8p3se():
    """binary8p3se from the report's definition: sign, 5 exponent bits,
    2 fraction bits, bias 16; 0x80 NaN, 0x7F/0xFF -+inf."""
    table = []
    for code in range(256):
        sign, field, frac = code >> 7, (code >> 2) & 31, code & 3
        if code == 0x80:
            table.append(math.nan)
            continue
        if code & 0x7F == 0x7F:
            table.append(-math.inf if sign else math.inf)
            continue
        mag = (frac / 4) * 2.0 ** -15 if field == 0 else (1 + frac / 4) * 2.0 ** (field - 16)
        table.append(-mag if sign else mag)
    return np.array(table)


def test_binary8p3se_equals_the_hand_table():
    fmt = numprec.get_format("binary8p3se")
    codes = all_codes(8)
    assert_same(decode(codes, fmt), hand_table_binary8p3se(), codes)
    assert fmt.max == 49152.0 and fmt.smallest_subnormal == 2.0 ** -17


def test_unsigned_p1_hand_table():
    """binary8p1ue: 8 exponent bits, bias 128: codes 1..253 are 2**(c-128),
    0xFE is +inf and 0xFF NaN."""
    fmt = numprec.get_format("binary8p1ue")
    got = decode(all_codes(8), fmt)
    assert got[0] == 0 and got[0xFE] == np.inf and np.isnan(got[0xFF])
    assert np.array_equal(got[1:0xFE], np.ldexp(1.0, np.arange(1, 0xFE) - 128))


# ----------------------------------------------------------------- names
def test_names_and_aliases():
    for k, p, signed, extended in LAYOUTS:
        s, d = ("s" if signed else "u"), ("e" if extended else "f")
        fmt = numprec.get_format(f"binary{k}p{p}{s}{d}")
        assert numprec.get_format(f"p3109_k{k}p{p}{s}{d}") is fmt
        assert (fmt.bits, fmt.precision, fmt.signed, fmt.infinities) == (k, p, signed, extended)
    assert "binary8p4se" in numprec.list_formats()
    assert numprec.get_format("BINARY8P4SE").name == "binary8p4se"
    assert len(LAYOUTS) >= 7 * 2 * 2 + 6


def test_config_round_trips():
    fmt = p3109_format(8, 4, signed=False, extended=False, saturation="SatFinite")
    again = numprec.from_config(fmt.get_config())
    assert again.get_config() == fmt.get_config()


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="p must be in"):
        p3109_format(8, 8, signed=True)
    with pytest.raises(ValueError, match="k must be in"):
        p3109_format(9, 3)
    with pytest.raises(ValueError, match="saturation must be one of"):
        p3109_format(8, 3, saturation="saturate")


def test_single_nan_layout_arguments_are_checked():
    with pytest.raises(ValueError, match="infinities=True needs nan='ieee' or 'single'"):
        numprec.FloatFormat(5, 2, nan="fnuz")
    with pytest.raises(ValueError, match="zero=True"):
        numprec.FloatFormat(5, 0, nan="single", zero=False, subnormals=False)
    with pytest.raises(ValueError, match="sat_propagate"):
        numprec.FloatFormat(3, 2, infinities=False, nan="none", overflow="sat_propagate")
    with pytest.raises(ValueError, match="overflow must be one of"):
        numprec.FloatFormat(5, 2, overflow="SatFinite")


def test_new_overflow_policies_on_an_ieee_format():
    """sat_finite: inf inputs saturate too; sat_propagate: they stay inf."""
    x = np.array([1e6, -np.inf, np.inf, np.nan])
    fin = numprec.FloatFormat(5, 10, overflow="sat_finite")
    prop = numprec.FloatFormat(5, 10, overflow="sat_propagate")
    assert_same(numprec.round(x, fin), np.array([65504.0, -65504.0, 65504.0, np.nan]), x)
    assert_same(numprec.round(x, prop), np.array([65504.0, -np.inf, np.inf, np.nan]), x)


# -------------------------------------------------------------- rounding
@pytest.mark.parametrize("layout", LAYOUTS, ids=layout_id)
def test_rounding_equals_gfloat(layout):
    """All deterministic modes, OvfInf (gfloat sat=False) and SatFinite
    (sat=True); SatPropagate is SatFinite for finite inputs and OvfInf for
    infinite ones (interim report, saturation modes)."""
    k, p, signed, extended = layout
    fi = gfloat_info(*layout)
    x = dense_inputs(fi, signed)
    fmts = {sat: p3109_format(k, p, signed=signed, extended=extended, saturation=sat)
            for sat in ("OvfInf", "SatFinite", "SatPropagate")}
    for mode, rnd in MODES.items():
        ovf = round_ndarray(fi, x, rnd, sat=False)
        satf = round_ndarray(fi, x, rnd, sat=True)
        assert_same(numprec.round(x, fmts["OvfInf"], mode), ovf, x)
        assert_same(numprec.round(x, fmts["SatFinite"], mode), satf, x)
        assert_same(numprec.round(x, fmts["SatPropagate"], mode),
                    np.where(np.isinf(x), ovf, satf), x)


def test_unsigned_formats_give_nan_for_negative_inputs():
    fmt = numprec.get_format("binary8p4ue")
    got = numprec.round(np.array([-1.0, -np.inf, -1e-300, -0.0, 0.0]), fmt)
    assert np.isnan(got[:3]).all() and same(got[3:], [0.0, 0.0]).all()


def test_float32_inputs_agree_with_float64():
    x = np.random.default_rng(3).standard_normal(4000).astype(np.float32) * 100
    for name in ("binary8p3se", "binary8p5sf", "binary6p3se", "binary4p2uf"):
        want = numprec.round(x.astype(np.float64), name)
        assert_same(numprec.round(x, name).astype(np.float64), want, x)


# ------------------------------------------------------- stochastic rounding
SR_MODES = {"stochastic": RoundMode.StochasticFastest, "stochastic_even": RoundMode.Stochastic,
            "stochastic_odd": RoundMode.StochasticOdd, "stochastic_fast": RoundMode.StochasticFast}
SR_LAYOUTS = [(8, p, True, True) for p in range(1, 8)] + [
    (8, 3, False, True), (8, 4, True, False), (8, 1, False, False), (6, 3, True, True),
    (4, 2, False, False)]


def sr_inputs(fi, signed, rng):
    """Points ``lo + j/2**12 (hi - lo)`` between neighbours (subnormal,
    normal and overflow range): float64 holds them and gfloat's remainder
    arithmetic on them is exact."""
    values = decode_ndarray(fi, all_codes(fi.k).astype(np.int64))
    pos = np.unique(values[np.isfinite(values) & (values >= 0)])
    lo = np.append(pos, pos[-1])
    hi = np.append(pos[1:], 2 * pos[-1] - pos[-2])[: lo.size]
    hi = np.append(hi, hi[-1] + (hi[-1] - lo[-1]))[: lo.size]
    pick = rng.integers(0, lo.size, 3000)
    j = rng.integers(0, 2 ** 12, pick.size)
    x = lo[pick] + (hi[pick] - lo[pick]) * j / 2.0 ** 12
    return np.concatenate([x, -x]) if signed else x


@pytest.mark.parametrize("layout", SR_LAYOUTS, ids=layout_id)
def test_stochastic_variants_equal_gfloat_on_the_same_random_bits(layout):
    """numprec's random word i gives gfloat ``srbits = word >> (64 - n)``."""
    k, p, signed, extended = layout
    fi = gfloat_info(*layout)
    x = sr_inputs(fi, signed, np.random.default_rng(k * 10 + p))
    words = numprec.RandomKey.make(seed=11).words(x.size)
    for sat in ("OvfInf", "SatFinite"):
        fmt = p3109_format(k, p, signed=signed, extended=extended, saturation=sat)
        for n in (1, 2, 3, 5, 8):
            srbits = (words >> np.uint64(64 - n)).astype(np.int64)
            for mode, rnd in SR_MODES.items():
                want = round_ndarray(fi, x, rnd, sat=sat == "SatFinite", srbits=srbits,
                                     srnumbits=n)
                got = numprec.round(x, fmt, mode, seed=11, random_bits=n)
                assert_same(got, want, x)


def test_stochastic_variants_hand_probabilities():
    """x = 1 + 13/16 of binary8p3se's gap at 1 (0.25): the remainder d is
    13/16; with n random bits the probability of rounding up is exactly
    (from the definitions): stochastic ceil-free d + R/2**n >= 1, the
    others after rounding d*2**n to an integer first."""
    x = np.full(2 ** 14, 1 + 0.25 * 13 / 16)
    want = {("stochastic", 1): 1 / 2, ("stochastic", 3): 6 / 8,
            ("stochastic_even", 1): 1, ("stochastic_even", 3): 6 / 8,
            ("stochastic_odd", 3): 7 / 8, ("stochastic_fast", 3): 7 / 8,
            ("stochastic_fast", 1): 1}
    words = numprec.RandomKey.make(seed=2).words(x.size)
    for (mode, n), probability in want.items():
        up = numprec.round(x, "binary8p3se", mode, seed=2, random_bits=n) == 1.25
        # the exact count of words whose top n bits reach the threshold
        threshold = round((1 - probability) * 2 ** n)
        assert up.sum() == np.sum((words >> np.uint64(64 - n)) >= threshold)


def test_stochastic_variants_agree_with_all_random_bits():
    x = np.random.default_rng(5).standard_normal(5000)
    want = numprec.round(x, "binary8p4se", "stochastic", seed=9)
    for mode in ("stochastic_even", "stochastic_odd", "stochastic_fast"):
        assert_same(numprec.round(x, "binary8p4se", mode, seed=9), want, x)


@pytest.mark.parametrize("name", ["binary8p1se", "binary8p1ue", "binary6p1sf"])
def test_precision_1_ties_under_an_emulation_policy(name):
    """The fused kernels' fast path breaks P = 1 ties to the even encoding
    too: sums of neighbours are exact in float64, so one rounding of the
    exact sum (gfloat) is the answer."""
    from numprec import emulate
    fi = gfloat_info(int(name[6]), 1, name[9] == "s", name[10] == "e")
    values = decode_ndarray(fi, all_codes(fi.k).astype(np.int64))
    pos = np.unique(values[np.isfinite(values) & (values > 0)])
    a, b = np.repeat(pos, 3)[:-3], np.concatenate([pos[:-1], pos[:-1] / 2, pos[1:]])
    with emulate.Policy(name, rounding="nearest_even") as pol:
        got = emulate.to_numpy(pol.store(a) + pol.store(b))
    assert_same(got, round_ndarray(fi, a + b, RoundMode.TiesToEven), a + b)


@pytest.mark.parametrize("scheme", ["stochastic_even", "stochastic_odd", "stochastic_fast"])
def test_stochastic_variants_are_refused_under_an_emulation_policy(scheme):
    # the emulation kernels do not implement them: refused, never rounded wrongly
    from numprec import emulate
    with pytest.raises(ValueError, match="numprec.round only"):
        emulate.Policy("binary8p3se", rounding=scheme, seed=3, random_bits=2)
    with pytest.raises(ValueError, match="numprec.round only"):
        emulate.Policy("binary8p3se", seed=3, components={"x": {"rounding": scheme}})


# ------------------------------------------------------------------- MPFR
def load_mpfr_oracle():
    import importlib.util
    import pathlib
    import sys
    name = "p3109_mpfr_oracle"
    if name not in sys.modules:
        path = pathlib.Path(__file__).parents[1] / "rounding" / "mpfr_oracle.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module          # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.parametrize("k", [4, 6, 8])
def test_signed_finite_formats_round_as_mpfr(k):
    """binaryKpPsf with P >= 2 is IEEE-like rounding at precision P with
    subnormals, emin 1 - 2**(K-P-1), max the all-ones magnitude pattern and
    NaN on overflow: the MPFR oracle's fnuz layout (bias 2**(e-1)).  (At
    P = 1 the tie rules differ: MPFR breaks ties away, P3109 to the even
    encoding; gfloat checks those.)"""
    pytest.importorskip("gmpy2")
    oracle = load_mpfr_oracle()
    for p in range(2, k):
        spec = oracle.Spec(k - p, p - 1, infinities=False, nan="fnuz")
        x = oracle.structured_inputs(spec)
        fmt = p3109_format(k, p, signed=True, extended=False)
        want = oracle.mpfr_round(x, spec)
        for mode, values in want.items():
            assert_same(numprec.round(x, fmt, mode), values, x)
