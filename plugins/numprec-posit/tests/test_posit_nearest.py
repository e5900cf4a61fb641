"""Round-to-nearest-even against SoftPosit and against an exact oracle.

Probe points: every posit, every midpoint between neighbours (in the
encoding sense of the 2022 standard), each of them one float64 ulp below
and above, both signs, plus values beyond maxpos and below minpos.
SoftPosit's double -> posit conversion (convertDoubleToPX2 for es = 2,
convertDoubleToP16 for posit<16,1>, convertDoubleToP8 for posit<8,0>) is
itself checked against the exact oracle in posit_oracle.py on the same
points, so a disagreement says which side is wrong.
"""
import functools
import math

import numpy as np
import pytest
import softposit

import numprec
from posit_oracle import Posits, decode


def softposit_round(x, nbits, es):
    """x rounded by SoftPosit, as a float (NaR -> nan)."""
    if es == 2:
        p = softposit.posit_2(float(x), nbits)
    elif (nbits, es) == (16, 1):
        p = softposit.posit16(float(x))
    elif (nbits, es) == (8, 0):
        p = softposit.posit8(float(x))
    elif (nbits, es) == (32, 2):
        p = softposit.posit32(float(x))
    else:
        raise ValueError((nbits, es))
    return math.nan if p.isNaR() else float(p)


@functools.lru_cache(maxsize=None)
def posits_table(nbits, es):
    return Posits(nbits, es)


def probe_points(nbits, es):
    posits = posits_table(nbits, es)
    centres = np.array([float(v) for v in posits.all_positive() + posits.all_midpoints()])
    below = np.nextafter(centres, 0.0)
    above = np.nextafter(centres, np.inf)
    extremes = np.array([centres.max() * 2, centres.max() * 1.5, 1e300, 5e-324,
                         centres.min() / 2, centres.min() * 0.75, 2.0 ** -1022])
    positive = np.concatenate([centres, below, above, extremes])
    return np.concatenate([positive, -positive])


def posit_name(nbits, es):
    return f"posit{nbits}_{es}"


@pytest.mark.parametrize("nbits, es", [(8, 2), (16, 2), (16, 1), (8, 0)])
def test_every_posit_and_midpoint_matches_softposit(nbits, es):
    x = probe_points(nbits, es)
    got = numprec.round(x, posit_name(nbits, es))
    expected = np.array([softposit_round(v, nbits, es) for v in x])
    mismatch = np.flatnonzero(got != expected)
    assert mismatch.size == 0, [(x[i], got[i], expected[i]) for i in mismatch[:5]]


@pytest.mark.parametrize("nbits, es, stride", [
    (8, 2, 1), (8, 0, 1), (16, 2, 7), (16, 1, 7),
    pytest.param(16, 2, 1, marks=pytest.mark.slow), pytest.param(16, 1, 1, marks=pytest.mark.slow)])
def test_softposit_agrees_with_exact_oracle(nbits, es, stride):
    """The premise of the test above: SoftPosit rounds doubles correctly here
    (every ``stride``-th probe point by default, all with --runslow)."""
    posits = posits_table(nbits, es)
    x = probe_points(nbits, es)[::stride]
    got = np.array([softposit_round(v, nbits, es) for v in x])
    exact = np.array([float(posits.round_nearest_even(v)) for v in x])
    assert np.array_equal(got, exact)


@pytest.mark.parametrize("nbits, es", [(n, es) for n in (2, 3, 4, 5, 6, 7, 9, 10, 12)
                                       for es in range(5)] + [(13, 4), (14, 0)])
def test_other_widths_match_exact_oracle(nbits, es):
    posits = posits_table(nbits, es)
    x = probe_points(nbits, es)
    got = numprec.round(x, posit_name(nbits, es))
    exact = np.array([float(posits.round_nearest_even(v)) for v in x])
    mismatch = np.flatnonzero(got != exact)
    assert mismatch.size == 0, [(x[i], got[i], exact[i]) for i in mismatch[:5]]


def sampled_posit32_points(rng, count):
    """Random posit32 patterns: the posit, its midpoints, +-1 float64 ulp."""
    patterns = rng.integers(1, 2 ** 31 - 2, size=count)
    centres = []
    for p in patterns:
        p = int(p)
        centres += [float(decode(p, 32, 2)), float(decode(2 * p + 1, 33, 2))]
    centres = np.array(centres)
    wide = np.ldexp(rng.uniform(1, 2, count), rng.integers(-125, 125, count))
    pos = np.concatenate([centres, np.nextafter(centres, 0), np.nextafter(centres, np.inf), wide])
    return np.concatenate([pos, -pos])


def test_posit32_sampled_against_softposit():
    x = sampled_posit32_points(np.random.default_rng(20240601), 3000)
    got = numprec.round(x, "posit32")
    expected = np.array([softposit_round(v, 32, 2) for v in x])
    mismatch = np.flatnonzero(got != expected)
    assert mismatch.size == 0, [(x[i], got[i], expected[i]) for i in mismatch[:5]]


def test_posit32_sampled_against_exact_oracle():
    x = sampled_posit32_points(np.random.default_rng(7), 150)
    got = numprec.round(x, "posit32")
    posit32 = Posits(32, 2, table=False)
    exact = np.array([float(posit32.round_nearest_even(v)) for v in x])
    assert np.array_equal(got, exact)


@pytest.mark.slow
@pytest.mark.parametrize("nbits, es", [(n, es) for n in (11, 13, 14, 15, 16) for es in range(5)])
def test_all_widths_to_16_match_exact_oracle(nbits, es):
    test_other_widths_match_exact_oracle(nbits, es)
