"""The speedy case on the case contract (numprec.cases.base)."""
import numpy as np
import pytest

from numprec.cases.speedy import CASE, SpeedyParameters, SpeedyState


def test_case_names_components_from_the_model_fields():
    assert CASE.name == "speedy"
    assert CASE.components == ("spectral_transform", "grid_dynamics", "spectral_dynamics",
                               "diffusion", "timestepping", "forcing", "mass_fixer")
    assert CASE.variables == ("u", "v", "T", "geopotential", "ps")
    assert CASE.defaults["trunc"] == 21


def test_double_run_of_a_batch_of_members():
    ds = CASE.run({"days": 0.5}, None, members=2, ic_seed=3)
    assert ds.sizes == {"member": 2, "time": 2, "sigma": 8, "lat": 32, "lon": 64}
    np.testing.assert_allclose(ds.time, [0.25, 0.5])
    assert ds["u"].attrs["units"] == "m s-1" and ds["ps"].attrs["units"] == "Pa"
    assert ds.attrs["unstable"] == 0
    assert not np.allclose(ds["T"].isel(member=0), ds["T"].isel(member=1))   # seeds differ
    assert 150 < float(ds["T"].min()) and float(ds["T"].max()) < 320
    assert np.all(np.abs(ds["ps"] / 1e5 - 1) < 1e-2)


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="trunk"):
        CASE.run({"trunk": 21}, None, members=1)
    with pytest.raises(ValueError, match="days"):
        SpeedyParameters(days=0)
    with pytest.raises(ValueError, match="output_hours"):
        CASE.run({"output_hours": 5.5, "days": 1.0}, None, members=1)
    with pytest.raises(ValueError, match="not used by this model"):
        from numprec.emulate import Policy
        CASE.run({"days": 0.25}, Policy("e11m10", components={"convection": "binary64"}),
                 members=1)


def test_state_holds_both_leapfrog_levels():
    model = CASE.build(trunc=21)
    state = model.initial_state(1, 0)
    assert isinstance(state, SpeedyState)
    previous, current = state.pair()
    assert previous["tem"].shape == current["tem"].shape == (1, 8, 2, 22, 23)
    assert not np.array_equal(previous["tem"], current["tem"])       # one step apart


@pytest.mark.slow
def test_emulated_run_through_the_driver():
    from numprec.emulate import Policy
    ref = CASE.run({"days": 0.25}, None, members=1, ic_seed=0)
    ds = CASE.run({"days": 0.25}, Policy("e11m23", seed=1), members=1, ic_seed=0)
    assert float(np.abs(ds["T"] - ref["T"]).max()) < 1e-3


def test_pressure_level_output_through_the_shared_writer(tmp_path):
    import xarray as xr
    from numprec.io import write_dataset
    ds = CASE.run({"days": 1.0, "pressure_levels": "speedy"}, None, members=1, ic_seed=0)
    assert ds.sizes["plev"] == 8 and ds.sizes["sigma"] == 8
    path = write_dataset(ds, tmp_path / "plev.nc", title="pressure levels")
    back = xr.open_dataset(path)
    np.testing.assert_array_equal(back.plev, [3e3, 1e4, 2e4, 3e4, 5e4, 7e4, 8.5e4, 9.25e4])
    assert back.plev.attrs["units"] == "Pa"
    assert back.plev.attrs["standard_name"] == "air_pressure"
    assert back.plev.attrs["positive"] == "down"
    for name, units in (("u_plev", "m s-1"), ("v_plev", "m s-1"), ("T_plev", "K"),
                        ("geopotential_plev", "m2 s-2")):
        assert back[name].dims == ("member", "time", "plev", "lat", "lon")
        assert back[name].attrs["units"] == units
    for name in ("u", "v", "T", "geopotential", "ps"):              # sigma levels stay
        np.testing.assert_array_equal(back[name], ds[name])
    # one column at day 1 against numpy.interp in ln p (500 hPa lies between
    # sigma = 0.42 and 0.6 of any p_s near 1000 hPa)
    col = back.isel(member=0, time=-1, lat=5, lon=7)
    lnp = np.log(col.sigma.values * float(col.ps))
    for name in ("u", "T", "geopotential"):
        ref = np.interp(np.log(5e4), lnp, col[name].values)
        assert float(col[name + "_plev"].sel(plev=5e4)) == pytest.approx(ref, rel=1e-12)
    plain = CASE.run({"days": 0.25}, None, members=1)
    assert "plev" not in plain.dims and "T_plev" not in plain


def test_bad_pressure_levels_name_the_parameter():
    for bad in ((500, -850), (500, 500), (float("inf"),), "hpa", ()):
        with pytest.raises(ValueError, match="pressure_levels"):
            SpeedyParameters(pressure_levels=bad)
    assert SpeedyParameters(pressure_levels=[850, 500]).pressure_levels == (850.0, 500.0)


def test_a_restart_start_refuses_an_ic_seed_it_cannot_use():
    """Members of a run from a restart come from the file: an ic_seed (as the
    ensemble runner passes for baselines) must not silently repeat them."""
    with pytest.raises(ValueError, match="ic_seed=5 cannot draw other ones"):
        CASE.run({"days": 0.25, "start": "held_suarez_T21"}, None, members=1, ic_seed=5)


@pytest.mark.parametrize("params, name", [({"days": float("inf")}, "days"),
                                          ({"days": float("nan")}, "days"),
                                          ({"spinup_days": float("inf")}, "spinup_days"),
                                          ({"trunc": 0}, "trunc"), ({"trunc": 21.0}, "trunc"),
                                          ({"steps_per_day": 0}, "steps_per_day"),
                                          ({"days": 0.1}, "shorter than one output interval")])
def test_parameters_that_cannot_run_are_refused(params, name):
    from numprec.cases.speedy import SpeedyParameters
    with pytest.raises(ValueError, match=name):
        SpeedyParameters(**params)
