"""The Float16 flush-to-zero claim (Klöwer et al. 2022) and the case entry point.

Oracle for the flush-to-zero claim: arithmetic.  At Δt = 282 s each RK4 stage
adds a_k Δt F_x ≤ (1/3)(282 s)(2.4e-7 m s⁻²) = 2.3e-5 m/s of wind forcing to
u, less than half of Float16's smallest normal number 6.1e-5: without
subnormals, round-to-nearest gives 0 and the fluid, started from exact rest,
never moves.  Scaled by 2^6 the increments are normal numbers; the spin-up
then agrees with double to Float16's precision.
"""
import numpy as np
import pytest

import numprec
from numprec.cases.shallow_water import CASE, run_members, ShallowWaterParams
from numprec.cases.shallow_water.experiments import (FLUSH_TO_ZERO_FLOAT16,
                                                     flush_to_zero_spinup, forecast_errors)


def test_the_wind_increment_is_below_half_the_smallest_normal_float16():
    params = ShallowWaterParams(nx=20, dt=282.0)
    m = CASE.build(nx=20, dt=282.0)
    fx = m.forcing.Fx.max()
    assert fx <= params.wind_stress / (params.rho * params.H0)
    largest_stage_increment = fx * m.dt / 3
    tiny = numprec.get_format("binary16").smallest_normal
    assert tiny == 2.0**-14
    assert largest_stage_increment < tiny / 2
    assert numprec.round(largest_stage_increment, FLUSH_TO_ZERO_FLOAT16) == 0.0
    assert numprec.round(64 * largest_stage_increment, FLUSH_TO_ZERO_FLOAT16) > 0.0


def test_flush_to_zero_float16_loses_the_wind_increments_and_scaling_recovers_them():
    """Criterion: after one day from rest, unscaled flush-to-zero Float16 has
    u = 0 everywhere (double: mean u ≈ 8e-3 m/s); scaled by 2^6 and IEEE Float16
    with subnormals, unscaled, are within 1 % of double's mean u."""
    r = flush_to_zero_spinup(nx=20, dt=282.0, days=1.0)
    double_mean = r["double"][0]
    assert 7e-3 < double_mean < 1e-2
    assert r["Float16 flush-to-zero"] == (0.0, 0.0)
    assert r["Float16 flush-to-zero, u,v x 2^6"][0] == pytest.approx(double_mean, rel=0.01)
    assert r["Float16"][0] == pytest.approx(double_mean, rel=0.01)


def test_case_run_batches_members_in_one_leading_dimension():
    ds = CASE.run({"nx": 20}, None, members=2, ic_seed=3, days=1.0, spinup=2.0,
                  output_every=0.5)
    assert ds["u"].dims == ("member", "time", "y", "x_u")
    assert ds.sizes["member"] == 2 and ds["u"].attrs["units"] == "m s-1"
    assert ds["eta"].attrs["units"] == "m" and ds["time"].attrs["units"] == "days"
    # each member of the batch is the run of that member alone (same start)
    start = tuple(ds[k].values[:, 0] for k in ("u", "v", "eta"))
    for i in range(2):
        one = run_members(ShallowWaterParams(nx=20), None, members=1,
                          start=tuple(a[i:i + 1] for a in start), days=1.0, output_every=0.5)
        for k in ("u", "v", "eta"):
            np.testing.assert_array_equal(one[k].values[0], ds[k].values[i])
    # members differ (different perturbations)
    assert not np.array_equal(ds["eta"].values[0], ds["eta"].values[1])


def test_case_components_are_the_model_fields_and_a_typo_is_refused():
    assert CASE.components == ("grid", "dynamics", "forcing", "bottom_drag", "viscosity",
                               "time_stepping")
    from numprec.emulate import Policy
    with pytest.raises(ValueError, match="tendencies"):
        CASE.run({"nx": 20}, Policy("fp32", components={"tendencies": "fp16"}), members=1,
                 days=0.1)
    with pytest.raises(ValueError, match="compensation"):
        CASE.build(compensation="kahan")
    with pytest.raises(ValueError, match="kahan"):
        CASE.build(kahan=True)


@pytest.mark.slow
def test_forecast_errors_order_the_formats_as_kloewer_2020():
    """Klöwer et al. (2020): BFloat16 worst, Float32 state with 16-bit
    tendencies better than pure Float16, Float32 orders of magnitude better."""
    r = forecast_errors(nx=20, starts=3, spinup=200.0, every=20.0, days=20.0,
                        output_every=2.0, climate_from=4.0, progress=None,
                        setups=None)
    e = {k: v[-1] for k, v in r["error"].items()}
    assert e["Float32"] < 1e-2 * e["Float16"]
    assert e["BFloat16"] > e["Float16"]
    assert e["Float32 state / Float16 tendencies"] < e["Float16"]


def _spun_up_start():
    from pathlib import Path
    with np.load(Path(__file__).parent / "data" / "double.npz") as g:   # 100 days, nx = 20
        return tuple(g[k][:1] for k in ("u", "v", "eta"))


@pytest.mark.parametrize("compensation", ["per_step", "per_stage"])
def test_kahan_compensation_removes_most_of_the_float16_error(compensation):
    """Criterion: after 5 days from a spun-up state, the RMS error of η against
    double with compensated Float16 time stepping is at most a third of that of
    plain Float16 round-to-nearest (measured: 0.0029 m per step, 0.0027 m per
    stage, 0.0135 m plain: 4.6-4.9x smaller)."""
    from numprec.emulate import Policy
    start = _spun_up_start()
    run = dict(members=1, start=start, days=5.0, output_every=5.0)
    ref = run_members(ShallowWaterParams(nx=20), None, **run)["eta"].values[0, -1]

    def error(comp):
        ds = run_members(ShallowWaterParams(nx=20, compensation=comp), Policy("binary16"), **run)
        return float(np.sqrt(np.mean((ds["eta"].values[0, -1] - ref) ** 2)))

    plain, compensated = error("none"), error(compensation)
    assert 0 < compensated < plain / 3
