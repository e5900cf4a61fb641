"""Held-Suarez (1994) climate of the dry core at T21 (slow: ~6 min).

Asserts our own measured double-precision climatology (days 200-700, see
docs/speedy.md) with a margin for sampling error, and the HS94 structure:
westerly jets near 40 degrees at sigma = 0.2 in both hemispheres, surface
westerlies in mid-latitudes and easterlies in the tropics, ~300 K at the
equatorial surface and ~200 K aloft."""
import numpy as np
import pytest

from numprec.cases.speedy.climate import held_suarez_climate


def test_climate_helper_runs():
    c = held_suarez_climate(21, spinup_days=1, days=2)
    assert c["days"] == 2 and c["u"].shape == (8, 32) and np.all(np.isfinite(c["T"]))


@pytest.mark.slow
def test_held_suarez_climate_t21():
    c = held_suarez_climate(21, spinup_days=200, days=500)
    u, T, lat = c["u"], c["T"], c["lat"]
    north, south = lat > 0, lat < 0
    for hemi in (north, south):
        jet = u[2][hemi]
        assert 29 < jet.max() < 35
        assert 30 < abs(lat[hemi][jet.argmax()]) < 48
        mid = hemi & (np.abs(lat) > 35) & (np.abs(lat) < 55)
        assert u[7][mid].max() > 5                          # surface westerlies
        tropics = hemi & (np.abs(lat) < 25)
        assert u[7][tropics].min() < -3                     # surface easterlies
    assert np.abs(u - u[:, ::-1]).max() < 2.0               # hemispheric symmetry
    equator = np.argsort(np.abs(lat))[:2]
    assert 300 < T[7, equator].mean() < 312
    assert 190 < T[0].min() and T[0].max() < 210
