"""Restart files of the speedy case and the shipped spun-up start state."""
import numpy as np
import pytest

from numprec.cases.speedy import CASE, SpeedyParameters, SpeedyState, build
from numprec.cases.speedy.restart import (PROGNOSTIC, SHIPPED, load_restart, packed_index,
                                          save_restart)


@pytest.fixture(scope="module")
def model():
    return build(SpeedyParameters())


@pytest.fixture(scope="module")
def spun(model):
    """Two members a few hours into a run from rest (all four fields non-zero)."""
    return model.initial_state(2, 5, spinup_steps=6)


def _same(a, b):
    return all(np.array_equal(a[k], b[k]) for k in PROGNOSTIC)


def test_both_levels_round_trip_bit_for_bit(tmp_path, model, spun):
    path = save_restart(tmp_path / "r.nc", spun, trunc=21, dt=model.timestepping.dt,
                        sigma=model.levels.full)
    r = load_restart(path)
    previous, current = spun.pair()
    assert r.trunc == 21 and r.dt == model.timestepping.dt and r.members == 2
    assert _same(r.current, current) and _same(r.previous, previous)


def test_continuation_from_a_restart_is_bit_identical_in_double(tmp_path, model, spun):
    previous, current = spun.pair()
    for _ in range(4):
        previous, current = model.leapfrog(previous, current)
    straight = current
    previous, current = spun.pair()
    for _ in range(2):
        previous, current = model.leapfrog(previous, current)
    path = save_restart(tmp_path / "r.nc", SpeedyState.from_pair(previous, current), trunc=21,
                        dt=model.timestepping.dt)
    state = model.restart_state(load_restart(path), spinup_steps=2)
    assert _same(state.pair()[1], straight)


def test_current_level_file_is_half_the_size_and_restarts_with_the_start_up(tmp_path, model,
                                                                           spun):
    both = save_restart(tmp_path / "both.nc", spun, trunc=21, dt=model.timestepping.dt)
    one = save_restart(tmp_path / "one.nc", spun, trunc=21, dt=model.timestepping.dt,
                       levels="current")
    assert one.stat().st_size < 0.6 * both.stat().st_size
    r = load_restart(one)
    assert r.previous is None and _same(r.current, spun.pair()[1])
    state = model.restart_state(r)
    expected = model.start(spun.pair()[1])
    assert _same(state.pair()[0], expected[0]) and _same(state.pair()[1], expected[1])


def test_packing_keeps_exactly_the_degrees_up_to_t():
    m, n = packed_index(21)
    assert m.size == 22 * 23 // 2                       # (T+1)(T+2)/2 coefficients, l <= T
    assert np.all(m + n <= 21)


def test_bad_restarts_are_refused(tmp_path, model, spun):
    previous, current = spun.pair()
    wide = dict(current, vor=current["vor"].copy())
    wide["vor"][..., 0, 3, 21] = 1e-9                   # l = 24 > T
    with pytest.raises(ValueError, match="vor has coefficients with l > T=21"):
        save_restart(tmp_path / "x.nc", SpeedyState.from_pair(previous, wide), trunc=21,
                     dt=3600.0)
    with pytest.raises(ValueError, match="levels"):
        save_restart(tmp_path / "x.nc", spun, trunc=21, dt=3600.0, levels="previous")
    with pytest.raises(ValueError, match="start must be one of"):
        load_restart(tmp_path / "missing.nc")
    path = save_restart(tmp_path / "r.nc", spun, trunc=21, dt=1800.0)
    with pytest.raises(ValueError, match="1800.0 s apart"):
        model.restart_state(load_restart(path))
    with pytest.raises(ValueError, match="holds 2 members; members 1..2"):
        load_restart(path).select(1, 2)
    with pytest.raises(ValueError, match="T21 state, the run is T30"):
        CASE.run({"days": 0.25, "trunc": 30, "start": str(path)}, None, members=1)


def test_shipped_state_is_a_spun_up_held_suarez_climate():
    assert SHIPPED["held_suarez_T21"].stat().st_size < 1_000_000
    r = load_restart("held_suarez_T21")
    assert r.trunc == 21 and r.members == 6 and r.previous is None
    ds = CASE.run({"days": 0.25, "start": "held_suarez_T21", "start_member": 2}, None,
                  members=4)
    zonal = ds["u"].mean(("time", "lon"))
    assert float(zonal.max()) > 20.0                    # jets (at rest it would be ~0)
    north, south = (zonal.sel(lat=slice(90, 0)), zonal.sel(lat=slice(0, -90)))
    assert float(north.max()) > 20.0 and float(south.max()) > 20.0
    spread = ds["T"].isel(time=-1).std("member")
    assert float(spread.max()) > 1.0                   # independent samples, not copies
    assert np.all(np.abs(ds["ps"] / 1e5 - 1) < 0.1)
