"""Bit patterns: encode/decode against ml_dtypes' and numpy's own storage,
round trips for every format of at most 16 bits, and bit flips."""
import ml_dtypes
import numpy as np
import pytest

import numprec
from numprec.bits import decode, encode, flip_bits, storage_dtype

ML_DTYPES = ["float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
             "float8_e4m3", "float8_e3m4", "float6_e2m3fn", "float6_e3m2fn", "float4_e2m1fn",
             "float8_e8m0fnu", "bfloat16"]


def ml_patterns(name):
    dt = np.dtype(getattr(ml_dtypes, name))
    bits = {1: np.uint8, 2: np.uint16}[dt.itemsize]
    width = ml_dtypes.finfo(dt).bits
    return np.arange(2**width, dtype=bits), dt


@pytest.mark.parametrize("name", ML_DTYPES)
def test_decode_of_every_pattern_equals_ml_dtypes(name):
    patterns, dt = ml_patterns(name)
    with np.errstate(invalid="ignore"):
        expected = patterns.view(dt).astype(np.float64)
    got = decode(patterns, name)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    ok = ~np.isnan(expected)
    assert np.array_equal(got[ok], expected[ok])
    assert np.array_equal(np.signbit(got[ok]), np.signbit(expected[ok]))


@pytest.mark.parametrize("name", ML_DTYPES)
def test_encode_of_every_value_equals_ml_dtypes(name):
    patterns, dt = ml_patterns(name)
    with np.errstate(invalid="ignore"):
        all_values = patterns.view(dt).astype(np.float64)
    values = all_values[~np.isnan(all_values)]
    expected = values.astype(dt).view(patterns.dtype)
    assert np.array_equal(encode(values, name), expected)
    if np.isnan(all_values).any():
        nan = encode(np.array([np.nan, -np.nan]), name)
        assert np.isnan(nan.view(dt).astype(np.float64)).all()
        assert np.isin(nan, patterns[np.isnan(all_values)]).all()
    else:
        with pytest.raises(ValueError, match="no NaN"):
            encode(np.array([np.nan]), name)


def test_binary16_and_binary32_follow_numpy():
    p16 = np.arange(2**16, dtype=np.uint16)
    v16 = p16.view(np.float16).astype(np.float64)
    got = decode(p16, "binary16")
    assert np.array_equal(np.isnan(got), np.isnan(v16))
    finite = ~np.isnan(v16)
    assert np.array_equal(got[finite], v16[finite])
    assert np.array_equal(encode(v16[finite], "binary16"), p16[finite])
    rng = np.random.default_rng(0)
    p32 = rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32)
    with np.errstate(invalid="ignore"):
        v32 = p32.view(np.float32).astype(np.float64)
    finite = np.isfinite(v32) | np.isinf(v32)
    assert np.array_equal(encode(v32[finite], "binary32"), p32[finite])
    assert np.array_equal(decode(p32[finite], "binary32"), v32[finite])


SMALL_FORMATS = [numprec.FloatFormat(5, 10, subnormals=False), numprec.FloatFormat(3, 4),
                 numprec.FloatFormat(6, 9, bias=40), numprec.FloatFormat(4, 3, nan="fnuz", infinities=False),
                 numprec.FloatFormat(8, 7, infinities=False), numprec.FixedFormat(3, 4),
                 numprec.FixedFormat(7, 8, signed=False), numprec.IntFormat(8),
                 numprec.IntFormat(16, signed=False)]


@pytest.mark.parametrize("fmt", SMALL_FORMATS + ["binary16", "bfloat16", "float8_e4m3fn"],
                         ids=str)
def test_round_trip_of_every_pattern_of_formats_up_to_16_bits(fmt):
    fmt = numprec.get_format(fmt) if isinstance(fmt, str) else fmt
    patterns = np.arange(2**fmt.bits, dtype=storage_dtype(fmt.bits))
    values = decode(patterns, fmt)
    # every decoded value is a value of the format
    finite = np.isfinite(values)
    assert np.array_equal(numprec.round(values[finite], fmt), values[finite])
    again = encode(values, fmt)
    canonical = ~np.isnan(values)
    # all values but the duplicated readings (flushed patterns) come back bit for bit
    dup = np.zeros(values.shape, dtype=bool)
    if isinstance(fmt, numprec.FloatFormat) and not fmt.subnormals:
        dup = (values == 0) & (patterns & ((1 << fmt.mantissa_bits) - 1) != 0)
    assert np.array_equal(again[canonical & ~dup], patterns[canonical & ~dup])
    assert np.array_equal(decode(again, fmt)[canonical], values[canonical])


def test_values_not_of_the_format_are_refused():
    with pytest.raises(ValueError, match="not values of 'bfloat16'"):
        encode(np.array([1 / 3]), "bfloat16")
    with pytest.raises(ValueError, match="no NaN"):
        encode(np.array([np.nan]), "float4_e2m1fn")
    with pytest.raises(ValueError, match="patterns of 8 bits"):
        decode(np.array([256]), "float8_e5m2")
    with pytest.raises(TypeError, match="integer array"):
        decode(np.array([1.0]), "float8_e5m2")


def test_flipping_one_bit_is_an_xor_of_the_pattern():
    v = decode(np.arange(256, dtype=np.uint8), "float8_e5m2")
    v = v[np.isfinite(v)]
    for k in (0, 3, 7):
        got = flip_bits(v, "float8_e5m2", bit=k)
        expected = (v.astype(ml_dtypes.float8_e5m2).view(np.uint8) ^ np.uint8(1 << k))
        expected = expected.view(ml_dtypes.float8_e5m2).astype(np.float64)
        assert np.array_equal(got, expected, equal_nan=True)


def test_random_flips_follow_the_counter_based_stream():
    x = numprec.round(np.linspace(-3, 3, 1000), "bfloat16")
    a = flip_bits(x, "bfloat16", probability=0.01, seed=4)
    b = flip_bits(x, "bfloat16", probability=0.01, seed=4)
    assert np.array_equal(a, b, equal_nan=True)
    changed = encode(a[np.isfinite(a)], "bfloat16") ^ encode(x[np.isfinite(a)], "bfloat16")
    flips = sum(bin(int(c)).count("1") for c in changed)
    assert 100 < flips < 230                          # expected 160 of 16000 bits
    # a chunk with its offset reproduces the whole array's flips
    part = flip_bits(x[500:], "bfloat16", probability=0.01, seed=4, offset=500 * 16)
    assert np.array_equal(part, a[500:], equal_nan=True)
    u = numprec.RandomKey.make(4, 0, 0).uniform(16 * 1000).reshape(1000, 16)
    mask = ((u < 0.01) * (1 << np.arange(16))).sum(axis=1).astype(np.uint16)
    assert np.array_equal(a, decode(encode(x, "bfloat16") ^ mask, "bfloat16"), equal_nan=True)
    with pytest.raises(ValueError, match="exactly one"):
        flip_bits(x, "bfloat16")
    with pytest.raises(ValueError, match="seed"):
        flip_bits(x, "bfloat16", probability=0.1)
    with pytest.raises(ValueError, match=r"bit must be an integer in \[0, 16\)"):
        flip_bits(x, "bfloat16", bit=16)


def test_p3109_special_patterns_from_the_interim_report():
    """Signed: NaN 0x80, +-inf 0x7F/0xFF (extended), no -0; unsigned: NaN
    0xFF, +inf 0xFE (extended); finite formats use those patterns for values."""
    se, sf, ue, uf = (numprec.get_format(f"binary8p3{s}") for s in ("se", "sf", "ue", "uf"))
    assert [int(v) for v in encode([np.nan, np.inf, -np.inf, -0.0], se)] == [0x80, 0x7F, 0xFF, 0]
    assert [int(v) for v in encode([np.nan, np.inf, 0.0], ue)] == [0xFF, 0xFE, 0]
    assert int(encode(np.nan, sf)) == 0x80 and int(encode(np.nan, uf)) == 0xFF
    assert decode([0x7E], se)[0] == 49152.0 and decode([0x7F], sf)[0] == 57344.0
    # unsigned: 6 exponent bits, bias 32; field 63 is 2**31
    assert decode([0xFD], ue)[0] == 1.25 * 2.0 ** 31 == ue.max
    assert decode([0xFE], uf)[0] == 1.5 * 2.0 ** 31 == uf.max
    with pytest.raises(ValueError, match="not values of 'binary8p3sf'"):
        encode(np.inf, sf)                     # a finite format has no inf to encode


def test_flip_bits_of_an_emulated_array_keeps_its_format_and_policy():
    from numprec.emulate import EmulatedArray, Policy, to_numpy
    p = Policy("bfloat16", seed=5)
    x = p.asarray(np.linspace(-2, 2, 64))
    got = flip_bits(x, probability=0.05, seed=3, stream=7)
    assert isinstance(got, EmulatedArray) and got.format is x.format and got.policy is p
    assert np.array_equal(to_numpy(got), flip_bits(to_numpy(x), "bfloat16", probability=0.05,
                                                   seed=3, stream=7), equal_nan=True)
    with pytest.raises(TypeError, match="fmt is required"):
        flip_bits(np.ones(3), bit=1)


def test_a_component_wrapped_in_bit_flips_gets_soft_errors_in_its_results():
    import dataclasses

    from numprec.bits import BitFlips
    from numprec.cases.lorenz import CASE
    from numprec.emulate import Policy, to_numpy

    model = CASE.build()
    state = model.initial_state(8, 0)

    def tendency(m, policy):
        with policy:
            return to_numpy(m.call("tendencies", policy.store(state.x)))

    plain = tendency(model, Policy("bfloat16", seed=1))
    # one bit of every result: exactly the XOR of the unwrapped component's results
    one = tendency(dataclasses.replace(model, tendencies=BitFlips(model.tendencies, bit=6)),
                   Policy("bfloat16", seed=1))
    assert np.array_equal(one, decode(encode(plain, "bfloat16") ^ np.uint16(1 << 6), "bfloat16"))
    # probability 0 changes nothing (round-to-nearest); a positive one is reproducible
    zero = BitFlips(model.tendencies, 0.0)
    assert np.array_equal(tendency(dataclasses.replace(model, tendencies=zero),
                                   Policy("bfloat16", seed=1)), plain)
    noisy = dataclasses.replace(model, tendencies=BitFlips(model.tendencies, 0.02))
    a, b = (tendency(noisy, Policy("bfloat16", seed=9)) for _ in range(2))
    assert np.array_equal(a, b, equal_nan=True) and not np.array_equal(a, plain, equal_nan=True)
    assert noisy.tendencies.sigma == model.tendencies.sigma          # attributes pass through
    with pytest.raises(ValueError, match="exactly one"):
        BitFlips(model.tendencies)
