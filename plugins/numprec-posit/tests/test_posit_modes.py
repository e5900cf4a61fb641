"""Directed modes, round-to-odd, ties-away and third-party schemes."""
from fractions import Fraction

import numpy as np
import pytest

import numprec
from posit_oracle import Posits

POSIT8 = Posits(8, 2)


def pattern_is_odd(posits, value):
    return posits.pattern_at_or_below(value) % 2 == 1


def expected(mode, x, posits):
    """The oracle's result for ``mode`` (posits never round to 0 or NaR)."""
    x = Fraction(x)
    if x == 0:
        return Fraction(0)
    sign = 1 if x > 0 else -1
    low, high = posits.neighbours(x)
    if low == high:
        return sign * low
    if mode == "toward_zero":
        return sign * low
    if mode == "up":
        return high if sign > 0 else -low
    if mode == "down":
        return low if sign > 0 else -high
    if mode == "odd":
        return sign * (low if pattern_is_odd(posits, low) else high)
    if mode == "nearest_away":
        midpoint = posits.midpoint(posits.pattern_at_or_below(abs(x)))
        return sign * (low if abs(x) < midpoint else high)
    raise ValueError(mode)


def probe_points(posits):
    centres = np.array([float(v) for v in posits.all_positive() + posits.all_midpoints()])
    pos = np.concatenate([centres, np.nextafter(centres, 0), np.nextafter(centres, np.inf),
                          [1e300, 1e-300, 0.0]])
    return np.concatenate([pos, -pos[:-1]])


@pytest.mark.parametrize("mode", ["toward_zero", "up", "down", "odd", "nearest_away"])
def test_posit8_modes_against_oracle(mode):
    x = probe_points(POSIT8)
    got = numprec.round(x, "posit8", mode)
    want = np.array([float(expected(mode, v, POSIT8)) for v in x])
    mismatch = np.flatnonzero(got != want)
    assert mismatch.size == 0, [(x[i], got[i], want[i]) for i in mismatch[:5]]


def test_no_rounding_mode_gives_zero_or_nar_for_finite_nonzero_input():
    x = np.array([1e-300, -1e-300, 5e-324, 1e300, -1e300])
    for mode in numprec.list_roundings():
        try:
            got = numprec.round(x, "posit8", mode, seed=0)
        except ValueError as err:          # schemes posits do not have are refused by name
            assert f"do not implement {mode!r}" in str(err)
            continue
        assert np.all(np.isfinite(got)) and np.all(got != 0), mode


def test_third_party_scheme_chooses_between_posit_neighbours():
    away = numprec.RoundingScheme(
        "test_away_from_zero", select=lambda x, lower, upper, u: np.where(x < 0, lower, upper))
    rng = np.random.default_rng(1)
    x = rng.normal(size=5000) * 100
    got = numprec.round(x, "posit16", away)
    magnitude_up = np.where(x < 0, numprec.round(x, "posit16", "down"),
                            numprec.round(x, "posit16", "up"))
    assert np.array_equal(got, magnitude_up)


def test_third_party_scheme_returning_a_non_neighbour_is_an_error():
    bad = numprec.RoundingScheme("test_bad", select=lambda x, lower, upper, u: x * 0 + 0.1234567)
    with pytest.raises(ValueError, match="test_bad"):
        numprec.round(np.array([1.1]), "posit8", bad)
