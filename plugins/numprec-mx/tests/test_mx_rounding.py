"""Element rounding by any scheme, stochastic rounding included."""
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

import numprec
import numprec_mx
from mx_oracle import E2M1, TABLES, mx_block, mx_shared_exponent, neighbours


def test_toward_zero_matches_reference():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 64)) * 10
    got = numprec.round(x, "mxfp6_e3m2", "toward_zero")
    want = [[v for i in range(0, 64, 32) for v in mx_block(list(row[i:i + 32]), "E3M2",
                                                           "toward_zero")] for row in x]
    assert np.array_equal(got, np.array(want))


def test_stochastic_gives_one_of_the_two_neighbours():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 96)) * np.ldexp(1.0, rng.integers(-5, 5, size=(3, 1)))
    got = numprec.round(x, "mxfp4", "stochastic", seed=4)
    for r in range(3):
        for b in range(0, 96, 32):
            block = list(x[r, b:b + 32])
            scale = Fraction(2) ** mx_shared_exponent(block, "E2M1")
            for v, g in zip(block, got[r, b:b + 32]):
                low, high = neighbours(Fraction(v) / scale, E2M1)
                assert Fraction(float(g)) / scale in (low, high)


def test_stochastic_frequency_is_the_relative_distance():
    # block max 6 -> X = 1; 2.3 lies between the E2M1 values 2 and 3: P(3) = 0.3
    trials = 20_000
    x = np.tile(np.r_[6.0, np.full(31, 2.3)], trials // 31 + 1)[: 32 * (trials // 32)]
    got = numprec.round(x.reshape(-1, 32), "mxfp4", "stochastic", seed=8)[:, 1:]
    ups, n = int(np.sum(got == 3.0)), got.size
    assert set(np.unique(got)) == {2.0, 3.0}
    lo, hi = stats.binom.ppf(1e-7, n, 0.3), stats.binom.isf(1e-7, n, 0.3)
    assert lo <= ups <= hi


def test_elements_use_numprecs_counters_in_flat_order():
    """Element i of x uses counter offset + i: the elements equal numprec.round
    of the exact quotients x / X with the same seed, stream and offset."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 70))
    enc = numprec_mx.quantize(x, "mxfp8_e5m2", "stochastic", seed=12, stream=3, offset=1000)
    scales = np.repeat(enc.scales, 32, axis=1)[:, :70]
    element = numprec.get_format("mxfp8_e5m2").element
    quotients = np.clip(x / scales, -element.max, element.max)   # exact; the spec's clamping
    again = numprec.round(quotients, element, "stochastic", seed=12, stream=3, offset=1000)
    assert np.array_equal(enc.elements, again)


def test_reproducible_and_chunkable():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(10, 64))
    a = numprec.round(x, "nvfp4", "stochastic", seed=1)
    assert np.array_equal(a, numprec.round(x, "nvfp4", "stochastic", seed=1))
    assert not np.array_equal(a, numprec.round(x, "nvfp4", "stochastic", seed=2))
    # rows 4.. of a blocks-along-rows array, with offset = their first flat index
    fmt = numprec.get_format("mxfp4")
    whole = numprec.round(x, fmt, "stochastic", seed=5)
    part = numprec.round(x[4:], fmt, "stochastic", seed=5, offset=4 * 64)
    assert np.array_equal(part, whole[4:])


def test_few_random_bits_are_passed_to_the_elements():
    x = np.r_[6.0, np.full(31, 2.3)]
    one_bit = numprec.round(np.tile(x, (200, 1)), "mxfp4", "stochastic", seed=3, random_bits=1)
    # P(up) = floor(0.3 * 2) / 2 = 0 with one random bit
    assert np.all(one_bit[:, 1:] == 2.0)


def test_counters_follow_x_when_blocks_run_along_another_axis():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(70, 5))
    fmt = numprec.get_format("mxfp4").with_axis(0)
    enc = numprec_mx.quantize(x, fmt, "stochastic", seed=21)
    scales = np.repeat(enc.scales, 32, axis=0)[:70, :]
    quotients = np.clip(x / scales, -6, 6)
    again = numprec.round(quotients, fmt.element, "stochastic", seed=21)
    assert np.array_equal(enc.elements, again)
    assert np.array_equal(numprec.round(x, fmt, "stochastic", seed=21), again * scales)
