"""Scaled vorticity and divergence (the model's time unit) and Float16 (e5m10).

Holding zeta and D per time unit s (s zeta, s D; s = a is SpeedyWeather's radius
scaling, s = 3600 Saffin's "per hour") multiplies every rate by s and divides
every time by s: the same equations, so in double only round-off changes.
"""
import numpy as np
import pytest

import numprec
from numprec.cases.speedy import CASE, SpeedyParameters, build
from numprec.cases.speedy.case import start_state
from numprec.emulate import Policy

START = {"days": 1.0, "start": "held_suarez_T21", "output_hours": 24}
SHORT = {**START, "days": 0.25, "output_hours": 6}      # an unstable run stops in 6 steps


@pytest.fixture(scope="module")
def double():
    return CASE.run(START, None, members=1)


@pytest.mark.parametrize("scaling", [{"time_unit": "radius", "analysis_scale": 2.0 ** -10},
                                     {"time_unit": 36000.0}])
def test_scaling_changes_only_round_off_in_double(double, scaling):
    scaled = CASE.run({**START, **scaling}, None, members=1)
    for name in ("u", "v", "T", "ps"):
        diff = float(np.abs(scaled[name] - double[name]).max() / np.abs(double[name]).max())
        assert diff < 1e-12, name


def test_scaled_state_holds_a_zeta(double):
    """With time_unit = a the prognostic vorticity is a zeta: O(10-100), not
    O(1e-5) (checked on the grid, in double)."""
    plain = build(SpeedyParameters(**START))
    scaled = build(SpeedyParameters(**START, time_unit="radius"))
    zp = plain.spectral_transform.synthesis(start_state(plain, SpeedyParameters(**START), 1).vor)
    zs = scaled.spectral_transform.synthesis(
        start_state(scaled, SpeedyParameters(**START, time_unit="radius"), 1).vor)
    np.testing.assert_allclose(zs, zp * 6.371e6, rtol=1e-12, atol=1e-12 * np.abs(zs).max())
    assert np.median(np.abs(zp)) < 2.0 ** -14         # most of it below Float16's normals
    assert np.median(np.abs(zs)) > 1.0


def test_e5m10_runs_a_day_with_vorticity_per_ten_hours(double):
    ds = CASE.run({**START, "time_unit": 36000.0}, Policy("e5m10", seed=1), members=1)
    assert ds.attrs["unstable"] == 0
    rms = float(np.sqrt(((ds["u"] - double["u"]) ** 2).mean()))
    assert 0 < rms < 1.0                                   # m/s after one day


def test_e5m10_without_scaling_overflows_and_its_vorticity_is_subnormal(double):
    """Documents why scaling is needed: unscaled, zeta ~ 1e-5 s^-1 lies below
    Float16's smallest normal 2^-14 (a few significant bits left) and the
    semi-implicit factor (step / 2) l (l + 1) = 1800 s x 506 exceeds 65504,
    so the run overflows in its first step."""
    model = build(SpeedyParameters(**START))
    zeta = model.spectral_transform.synthesis(
        start_state(model, SpeedyParameters(**START), 1).vor)
    assert np.median(np.abs(zeta)) < 2.0 ** -14
    assert numprec.round(1800.0 * 506.0, "e5m10") == np.inf
    ds = CASE.run(SHORT, Policy("e5m10", seed=1), members=1)
    assert ds.attrs["unstable"] == 1


def test_e5m10_with_radius_scaling_overflows_in_the_divergence_equation(double):
    """With s = a the divergence tendency a^2 dD/dt reaches ~3e4 and its
    gravity-wave terms exceed 65504: documented, not hidden."""
    ds = CASE.run({**SHORT, "time_unit": "radius", "analysis_scale": 2.0 ** -10},
                  Policy("e5m10", seed=1), members=1)
    assert ds.attrs["unstable"] == 1


def test_bad_time_units_are_refused():
    with pytest.raises(ValueError, match="time_unit"):
        SpeedyParameters(time_unit=0)
    with pytest.raises(ValueError, match="time_unit"):
        SpeedyParameters(time_unit="hour")
    with pytest.raises(ValueError, match="power of two"):
        build(SpeedyParameters(analysis_scale=0.3))
