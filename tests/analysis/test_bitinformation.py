"""Bitwise real information (Klöwer et al. 2021): checked against a direct
count of bit pairs and against the paper's behaviour on synthetic data."""
import math
import struct

import numpy as np
import pytest
import xarray as xr

from numprec.analysis import bitinformation, free_entropy


def reference_information(values):
    """Mutual information of each bit of neighbours along the last axis,
    counted pair by pair from the bit strings (struct), as in the paper."""
    fmt, nbits = {np.float32: (">f", 32), np.float64: (">d", 64)}[values.dtype.type]
    strings = ["".join(f"{byte:08b}" for byte in struct.pack(fmt, v)) for v in values]
    pairs = list(zip(strings[:-1], strings[1:]))
    n = len(pairs)
    out = []
    for k in range(nbits):
        joint = {}
        for a, b in pairs:
            joint[(a[k], b[k])] = joint.get((a[k], b[k]), 0) + 1
        pa = {c: sum(v for (x, _), v in joint.items() if x == c) / n for c in "01"}
        pb = {c: sum(v for (_, y), v in joint.items() if y == c) / n for c in "01"}
        out.append(sum(v / n * math.log2(v / n / (pa[a] * pb[b])) for (a, b), v in joint.items()))
    return np.array(out)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_raw_information_equals_a_pair_by_pair_count(dtype):
    rng = np.random.default_rng(3)
    values = (np.cumsum(rng.standard_normal(400)) * 0.1 + 5).astype(dtype)
    got = bitinformation(values, signed_exponent=False).raw_information
    np.testing.assert_allclose(got, np.maximum(reference_information(values), 0), atol=1e-12)


def test_free_entropy_is_the_binomial_bound():
    n = 10_000
    p = 0.5 + 2.5758293035489004 / (2 * math.sqrt(n))       # z at 99.5 %
    assert free_entropy(n) == pytest.approx(1 + p * math.log2(p) + (1 - p) * math.log2(1 - p),
                                            rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_white_noise_has_no_information(dtype):
    noise = np.random.default_rng(0).random((50, 400)).astype(dtype) + 1
    info = bitinformation(noise, axis=1)
    assert info.information.sum() == 0
    assert info.keepbits() == 0


def test_a_smooth_field_has_information_down_to_its_noise_level():
    # values in [1, 4): the noise of 2**-16 relative to the scale 2 is at
    # mantissa bit 15: information stops there, and is there well above it
    rng = np.random.default_rng(1)
    x = np.linspace(0, 1, 200_000)
    field = 2.5 + np.sin(2 * np.pi * x) + 2.0**-16 * rng.standard_normal(x.size)
    info = bitinformation(field)
    mantissa = info.mantissa_information
    assert np.all(mantissa[:10] > 0.3)
    assert np.all(mantissa[18:] == 0)
    assert 11 <= info.keepbits(0.99) <= 16
    assert info.keepbits(0.5) < info.keepbits(0.99) <= info.keepbits(1.0)


def test_dataarray_dimension_by_name_and_missing_values_left_out():
    rng = np.random.default_rng(2)
    data = np.cumsum(rng.standard_normal((30, 200)), axis=1) + 100
    da = xr.DataArray(data, dims=("lat", "lon"))
    assert np.array_equal(bitinformation(da, "lon").information,
                          bitinformation(data, axis=1).information)
    holed = data.copy()
    holed[:, 50] = np.nan
    mask = np.zeros(data.shape, dtype=bool)
    mask[:, 50] = True
    a = bitinformation(holed, axis=1)
    b = bitinformation(data, axis=1, mask=mask)
    assert a.pairs == b.pairs == 30 * (199 - 2)
    assert np.array_equal(a.information, b.information)


@pytest.mark.parametrize("kwargs, match", [
    (dict(values=np.arange(5)), "float16, float32 or float64"),
    (dict(values=np.ones(5), axis=1), "out of range"),
    (dict(values=np.ones(5), axis="lon"), "DataArray"),
    (dict(values=np.array(1.0)), "at least one dimension"),
    (dict(values=np.array([np.nan, 1.0])), "no pair"),
    (dict(values=np.ones(5), confidence=1.5), "confidence"),
])
def test_bad_input_is_refused(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        bitinformation(**kwargs)


def test_keepbits_level_is_checked():
    with pytest.raises(ValueError, match="level"):
        bitinformation(np.linspace(1, 2, 100)).keepbits(0)


def test_signed_exponent_is_sign_and_magnitude_of_the_unbiased_exponent():
    from numprec.analysis.bitinformation import signed_exponent
    values = np.array([1.0, 2.0, 0.75, 3e-5, -6.5, 0.0, 1e300], dtype=np.float64)
    got = signed_exponent(values)
    for v, pattern in zip(values, got):
        e = math.frexp(v)[1] - 1 if v != 0 else -1022
        field = ((1 << 10) if e < 0 else 0) | abs(e)
        sign = int(math.copysign(1, v) < 0)
        mantissa = struct.unpack(">Q", struct.pack(">d", v))[0] & ((1 << 52) - 1)
        assert int(pattern) == (sign << 63) | (field << 52) | mantissa


def test_crossing_a_power_of_two_puts_no_information_in_every_exponent_bit():
    x = np.linspace(0, 1, 100_000)
    field = 2.0 + 0.5 * np.sin(40 * np.pi * x)             # crosses 2 forty times
    biased = bitinformation(field, signed_exponent=False).information[1:12]
    signed = bitinformation(field).information[1:12]
    assert np.all(biased > 0.1)                              # all 11 bits flip together
    assert np.count_nonzero(signed > 0.1) == 1               # exponents 0 and 1: one bit
