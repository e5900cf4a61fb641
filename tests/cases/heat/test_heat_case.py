"""The soil-heat case under emulated precision (Paxton et al. 2022 §4):
round-to-nearest stagnates where stochastic rounding follows double."""
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from numprec.cases.heat import CASE, cli, simulate
from numprec.cases.heat.diagnostics import errors
from numprec.emulate import Policy


def run(fmt=None, rounding="nearest_even", *, years, seed=0):
    policy = None if fmt is None else Policy(fmt, rounding=rounding, seed=seed)
    return simulate({"years": years}, policy).isel(member=0, drop=True)


@pytest.fixture(scope="module")
def ten_years():
    """Double and 23/16-bit runs over 10 years, when the warming front has
    reached ~30 m (2 sqrt(D t)) and 40 m has warmed by ~0.4 K in double."""
    runs = {key: run(*key, years=10, seed=1)
            for key in [("e11m23", "nearest_even"), ("e11m23", "stochastic"),
                        ("e11m16", "nearest_even"), ("e11m16", "stochastic")]}
    return run(years=10), runs


def test_round_to_nearest_stagnates_and_stochastic_rounding_follows_double(ten_years):
    double, runs = ten_years
    rows = {(r["format"], r["rounding"]): r for r in errors(runs, double)}
    T40 = lambda ds: float(ds["T"].isel(time=-1).sel(depth=40.0))  # noqa: E731
    assert T40(double) - 273.15 > 0.3                     # double has warmed at 40 m
    rn23 = runs[("e11m23", "nearest_even")]
    # the deep column never moves from its initial value under RN
    deep = rn23["T"].isel(time=-1).sel(depth=slice(36, None))
    assert (deep == rn23["T"].isel(time=0).sel(depth=slice(36, None))).all()
    assert rows[("e11m23", "nearest_even")]["error_at_probe"] > 0.3
    assert rows[("e11m23", "stochastic")]["max_error"] < 0.01
    assert rows[("e11m16", "nearest_even")]["max_error"] > 20 * rows[("e11m16", "stochastic")]["max_error"]


def test_dataset_units_and_provenance(ten_years):
    double, runs = ten_years
    ds = runs[("e11m23", "stochastic")]
    assert ds["T"].attrs["units"] == "K" and ds["depth"].attrs["units"] == "m"
    assert ds.sizes["depth"] == 60 and ds.sizes["time"] == 11
    assert '"name": "e11m23"' in ds.attrs["numprec_format"] and ds.attrs["numprec_seed"] == "1"
    assert ds.attrs["numprec_case"] == "heat" and ds.attrs["numprec_rounding"] == "stochastic"
    assert "numprec_version" in ds.attrs


def test_same_seed_same_bits_and_other_seed_differs():
    a = run("e11m16", "stochastic", years=0.2, seed=3)
    b = run("e11m16", "stochastic", years=0.2, seed=3)
    c = run("e11m16", "stochastic", years=0.2, seed=4)
    assert np.array_equal(a["T"].values, b["T"].values)
    assert not np.array_equal(a["T"].values, c["T"].values)


def test_the_case_runs_a_batch_of_members():
    ds = CASE.run({"years": 0.1, "output_every": 0.05}, Policy("e11m10", rounding="stochastic",
                                                                seed=9), members=3)
    assert isinstance(ds, xr.Dataset) and ds["T"].dims == ("member", "time", "depth")
    assert ds.sizes["time"] == 3
    # members start equal; stochastic rounding gives each its own random numbers
    assert not np.array_equal(ds["T"].values[0], ds["T"].values[1])


def test_cli_rejects_bad_options():
    for args in (["--format", "e5m99"], ["--rounding", "nearest"], ["--years", "-1"]):
        proc = subprocess.run([sys.executable, "-m", "numprec.cases.heat", *args],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and "error:" in proc.stderr, args


@pytest.mark.slow
def test_sixty_years_reproduce_paxton():
    """Paxton et al. (2022, J. Climate 35, §4; column of Dawson et al. 2018,
    Clim. Dyn. 51): 23 bits RN errors ~4.3 K (below ~35 m never warms), SR
    ~0.001 K; 16 bits RN ~6.6 K vs SR ~0.03 K; 10 bits SR ~0.7 K."""
    reference, runs = cli.run_all(["e11m23", "e11m16", "e11m10"], ["nearest_even", "stochastic"],
                                   years=60, seed=0, progress=False)
    rows = {(r["format"], r["rounding"]): r for r in errors(runs, reference)}
    assert 3.5 < rows[("e11m23", "nearest_even")]["max_error"] < 5.0
    assert rows[("e11m23", "stochastic")]["max_error"] < 0.005
    assert 5.5 < rows[("e11m16", "nearest_even")]["max_error"] < 7.5
    assert rows[("e11m16", "stochastic")]["max_error"] < 0.06
    assert 0.3 < rows[("e11m10", "stochastic")]["error_at_probe"] < 1.5
