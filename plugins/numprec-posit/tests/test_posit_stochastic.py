"""Stochastic rounding to posits: neighbours only, frequencies, reproducibility."""
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

import numprec
from posit_oracle import Posits

POSIT8, POSIT16 = Posits(8, 2), Posits(16, 2)


def signed_neighbours(posits, x):
    low, high = posits.neighbours(x)
    return (low, high) if x >= 0 else (-high, -low)


def assert_binomial(count, trials, p, alpha=1e-7):
    """count ~ Binomial(trials, p), two-sided test at level alpha."""
    lo, hi = stats.binom.ppf(alpha / 2, trials, p), stats.binom.isf(alpha / 2, trials, p)
    assert lo <= count <= hi, (count, trials, p, lo, hi)


@pytest.mark.parametrize("posits, name", [(POSIT8, "posit8"), (POSIT16, "posit16")])
def test_only_the_two_neighbours(posits, name):
    rng = np.random.default_rng(3)
    x = np.ldexp(rng.uniform(-2, 2, 4000), rng.integers(-70, 70, 4000))
    got = numprec.round(x, name, "stochastic", seed=11)
    for value, result in zip(x, got):
        low, high = signed_neighbours(posits, value)
        assert Fraction(float(result)) in (low, high), (value, result)


# x, and where it lies: fraction bits kept, one exponent bit cut, all cut
FREQUENCY_CASES = [
    (1.0 + 0.3 * 2.0 ** -11, "posit16"),          # 11 fraction bits: linear in the bits
    (1.0 + 0.3 * 2.0 ** -3, "posit8"),
    (-(2.0 ** 13) * 1.7, "posit8"),               # posit8: 1 exponent bit left (k = 3)
    (3.0 * 2.0 ** 20, "posit8"),                  # posit8: regime only, 2**20 .. 2**24
    (-5.0e-7, "posit8"),                          # posit8: regime only near minpos
    (1.0e15, "posit16"),                          # posit16: regime only
]


@pytest.mark.parametrize("x, name", FREQUENCY_CASES)
def test_frequency_of_rounding_up_is_the_relative_distance(x, name):
    posits = POSIT8 if name == "posit8" else POSIT16
    low, high = signed_neighbours(posits, x)
    assert low != high
    p_high = float((Fraction(x) - low) / (high - low))
    trials = 40_000
    got = numprec.round(np.full(trials, x), name, "stochastic", seed=5)
    assert set(map(Fraction, np.unique(got))) <= {low, high}
    assert_binomial(int(np.sum(got == float(high))), trials, p_high)


@pytest.mark.parametrize("bits", [1, 2, 3])
def test_random_bits_quantise_the_probability(bits):
    """Few-bit SR as numprec's float kernel does it: add ``bits`` random
    bits below the last kept bit and truncate, so P(up) = floor(p 2^b) / 2^b."""
    x = 1.0 + 0.3 * 2.0 ** -11                    # p = 0.3 in posit16
    trials = 40_000
    got = numprec.round(np.full(trials, x), "posit16", "stochastic", seed=9, random_bits=bits)
    p = np.floor(0.3 * 2 ** bits) / 2 ** bits
    ups = int(np.sum(got > x))
    if p == 0:
        assert ups == 0
    else:
        assert_binomial(ups, trials, p)


def test_stochastic_uniform_is_a_fair_coin_when_inexact():
    trials = 40_000
    x = 1.0 + 0.1 * 2.0 ** -11
    got = numprec.round(np.full(trials, x), "posit16", "stochastic_uniform", seed=2)
    assert_binomial(int(np.sum(got > x)), trials, 0.5)
    exact = numprec.round(np.full(100, 1.5), "posit16", "stochastic_uniform", seed=2)
    assert np.all(exact == 1.5)


def test_posits_stay_put_under_stochastic_rounding():
    x = np.array([float(v) for v in POSIT8.all_positive()])
    x = np.concatenate([x, -x, [0.0]])
    assert np.array_equal(numprec.round(x, "posit8", "stochastic", seed=1), x)


def test_reproducible_with_seed_and_chunkable_with_offset():
    rng = np.random.default_rng(0)
    x = rng.normal(size=100_000)                  # spans several internal chunks
    a = numprec.round(x, "posit16", "stochastic", seed=123)
    b = numprec.round(x, "posit16", "stochastic", seed=123)
    c = numprec.round(x, "posit16", "stochastic", seed=124)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    start, stop = 31_000, 71_000
    part = numprec.round(x[start:stop], "posit16", "stochastic", seed=123, offset=start)
    assert np.array_equal(part, a[start:stop])
    other_stream = numprec.round(x, "posit16", "stochastic", seed=123, stream=1)
    assert not np.array_equal(a, other_stream)


def test_stochastic_rounding_is_unbiased_on_average():
    x = np.full(200_000, 1.0 + 0.37 * 2.0 ** -11)
    got = numprec.round(x, "posit16", "stochastic", seed=77)
    ulp = 2.0 ** -11
    mean_error = (got.mean() - x[0]) / ulp
    assert abs(mean_error) < 5 * np.sqrt(0.37 * 0.63 / x.size)
