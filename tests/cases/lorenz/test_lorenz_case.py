"""The Lorenz case: climatology in double, verdicts in low precision, the CLI.

Oracles: published statistics of the Lorenz 63 attractor (mean z = 23.55;
the exact identities <x^2> = <xy> = beta <z> and <x> = 0 that follow from
averaging the equations over a long time), and the magnitudes of W1 that
reported for this setup by Paxton et al. (2022, "Climate modelling in low
precision: effects of both deterministic and stochastic rounding", J. Climate
35, 1215-1229, §3) and measured with an independent script.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

from numprec.cases.lorenz import CASE, simulate
from numprec.cases.lorenz.cli import main
from numprec.cases.lorenz.study import run_study


def member_mean_and_se(a):
    """Mean over (time, member) and its standard error from member means
    (members are independent; samples within a member are correlated)."""
    per_member = a.mean(axis=1)
    return per_member.mean(), per_member.std(ddof=1) / np.sqrt(per_member.size)


@pytest.fixture(scope="module")
def climate():
    return simulate({"time": 200.0, "spinup": 5.0, "sample_every": 0.1}, members=500, ic_seed=5)


def test_double_climatology_of_lorenz63(climate):
    x, y, z = (climate[v].values for v in "xyz")
    beta = 8.0 / 3.0
    mz, se = member_mean_and_se(z)
    assert abs(mz - 23.55) < 4 * se + 0.01
    mx, se = member_mean_and_se(x)
    assert abs(mx) < 4 * se
    d1, se1 = member_mean_and_se(x * x - x * y)
    d2, se2 = member_mean_and_se(x * y - beta * z)
    assert abs(d1) < 4 * se1 + 0.02 and abs(d2) < 4 * se2 + 0.02
    assert abs(np.mean(x * x) - beta * 23.55) < 0.5          # ~62.8
    for var, want in (("x", 7.93), ("y", 9.01), ("z", 8.62)):
        assert abs(climate[var].values.std() / want - 1) < 0.02


def test_dataset_layout_and_units(climate):
    assert climate["z"].dims == ("member", "time")
    assert climate.sizes == {"time": 2000, "member": 500}
    np.testing.assert_allclose(climate["time"].values[:3], [0.1, 0.2, 0.3])
    for name in ("x", "y", "z", "time", "member"):
        assert climate[name].attrs["units"] == "1"
    assert climate.attrs["unstable"] == 0


def test_round_to_nearest_is_distinguishable_and_stochastic_closer():
    # Short version of the Paxton et al. (2022, §3) comparison (many members, few time units:
    # about as many independent samples, a tenth of the steps): at 8 mantissa
    # bits RN(z) is well above the double baseline and SR(z) is much closer to
    # double than RN(z).  Measured over seeds 0-3: baseline 0.016-0.038, RN
    # 0.15-0.16, SR 0.021-0.034.
    study = run_study("l63", ["e11m8"], ["nearest_even", "stochastic"], members=4000,
                      time=10.0, spinup=2.0, seed=0)
    res = study.result.sel(variable="z")
    rn = res.sel(experiment="e11m8 nearest_even")
    sr = res.sel(experiment="e11m8 stochastic")
    assert str(rn["verdict"].values) == "distinguishable"
    assert float(sr["w1"]) < float(rn["w1"]) / 2
    assert float(res["baseline_w1"]) < 0.05


@pytest.mark.slow
def test_w1_magnitudes_of_the_full_size_study():
    """Paxton et al. (2022, J. Climate 35, §3) setup, values measured with an
    independent script: 400 trajectories x 200 time units sampled every 0.1, RK4,
    dt = 0.01: double-vs-double W1(z) ~ 0.009 (max 0.014), SR(8 bits) ~ 0.04,
    RN(8 bits) ~ 0.18.  The RN value is a deterministic bias that depends on
    the order of the operations (docs/emulate.md measures 0.10 for our RK4
    and 0.39 when the four increments are added one by one); the test asks
    for its order of magnitude and for RN >> SR."""
    study = run_study("l63", ["e11m8"], ["nearest_even", "stochastic"], members=400,
                      time=200.0, spinup=5.0, seed=0)
    res = study.result.sel(variable="z")
    base = float(res["baseline_w1"])
    rn = float(res["w1"].sel(experiment="e11m8 nearest_even"))
    sr = float(res["w1"].sel(experiment="e11m8 stochastic"))
    assert 0.004 < base < 0.02
    assert 0.015 < sr < 0.08
    assert 0.06 < rn < 0.4
    assert rn > 2.5 * sr


def test_a_run_that_overflows_is_reported_unstable():
    # e3m10 holds at most 15.99: z (about 25) overflows to inf, then NaN.
    study = run_study("l63", ["e3m10", "e11m10"], ["nearest_even"], members=20, time=2.0,
                      spinup=0.5, seed=0)
    verdicts = study.result["run_verdict"].to_series()
    assert verdicts["e3m10 nearest_even"] == "unstable"
    assert verdicts["e11m10 nearest_even"] != "unstable"
    assert study.experiments[0][3].attrs["unstable"] == 1


def test_same_seed_same_results_with_stochastic_rounding():
    kw = dict(members=20, time=3.0, spinup=1.0, seed=9)
    a = run_study("l63", ["bf16"], ["stochastic"], **kw)
    b = run_study("l63", ["bf16"], ["stochastic"], **kw)
    assert a.experiments[0][3].identical(b.experiments[0][3])
    c = run_study("l63", ["bf16"], ["stochastic"], **{**kw, "seed": 10})
    assert not np.array_equal(a.experiments[0][3]["z"], c.experiments[0][3]["z"])


def test_lorenz96_one_and_two_scale():
    l96 = {"system": "l96", "K": 8, "time": 1.0, "dt": 0.005, "spinup": 0.5}
    ds = simulate(l96, members=6)
    assert ds["X"].dims == ("member", "time", "k") and ds.sizes["k"] == 8
    assert np.isfinite(ds["X"]).all()
    two = {"system": "l96", "K": 4, "J": 3, "time": 0.5, "dt": 0.002, "spinup": 0.1}
    two_scale = simulate(two, members=3)
    assert two_scale["Y"].shape == (3, 5, 12) and np.isfinite(two_scale["Y"]).all()
    from numprec.emulate import Policy
    emu = simulate({**two, "time": 0.2, "spinup": 0.0}, Policy("fp16", seed=0), members=3)
    assert np.isfinite(emu["X"]).all()


def test_l96_mean_state_matches_the_literature():
    # Lorenz 96 with K = 40, F = 8: climatological mean of X_k about 2.35 and
    # standard deviation about 3.6 (Lorenz & Emanuel 1998).
    ds = simulate({"system": "l96", "time": 50.0, "dt": 0.01, "spinup": 10.0}, members=20)
    assert abs(float(ds["X"].mean()) - 2.35) < 0.15
    assert abs(float(ds["X"].std()) - 3.63) < 0.2


def test_components_run_tendencies_in_their_own_format():
    from numprec.emulate import Policy
    mixed = Policy("fp32", components={"tendencies": "fp16"}, seed=0)
    plain16 = Policy("fp16", seed=0)
    params = {"time": 1.0, "spinup": 0.0, "ic_spinup": 1.0}
    a = CASE.run(params, mixed, members=10, ic_seed=0)
    b = CASE.run(params, plain16, members=10, ic_seed=0)
    # fp32 state, fp16 tendencies: not a binary16 state
    import numprec
    z = a["z"].values
    assert not np.array_equal(numprec.round(z, "fp16"), z)
    assert np.array_equal(numprec.round(b["z"].values, "fp16"), b["z"].values)


# ------------------------------------------------------------------- CLI
def test_cli_runs_a_small_study_and_writes_output(tmp_path, capsys, monkeypatch):
    # Same seed (and SOURCE_DATE_EPOCH for the creation date): the same file.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "study.nc"
    args = ["--format", "e11m8", "--rounding", "stochastic", "--rounding", "nearest_even",
            "--members", "20", "--time", "2", "--spinup", "0.5", "--seed", "3", "--no-progress",
            "--output", str(out), "--overwrite"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "e11m8 stochastic" in text and "verdict" in text and "wrote" in text
    first = out.read_bytes()
    assert main(args) == 0                      # replaces the file (--overwrite)
    assert out.read_bytes() == first
    import xarray as xr
    with xr.open_dataset(out) as ds:
        assert ds.attrs["numprec_seed"] == "3" and ds.attrs["numprec_case"] == "lorenz"
        assert '"label": "e11m8 stochastic"' in ds.attrs["numprec_experiments"]
        assert "--seed 3" in ds.attrs["numprec_command"]
        assert ds.attrs["date_created"] == "2023-11-14T22:13:20Z"
        assert ds["w1"].attrs["units"] == "1"
        assert set(ds["run_verdict"].values) <= {"indistinguishable", "distinguishable"}
    assert [p.name for p in tmp_path.iterdir()] == ["study.nc"]   # no temporary files


def test_cli_plot(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "w1.png"
    assert main(["--format", "e11m6", "--members", "10", "--time", "1", "--spinup", "0",
                 "--no-progress", "--plot", str(png)]) == 0
    assert png.stat().st_size > 1000


@pytest.mark.parametrize("args, message", [
    (["--format", "nosuchformat"], "--format 'nosuchformat'"),
    (["--rounding", "sideways"], "--rounding 'sideways'"),
    (["--members", "1"], "--members must be at least 2"),
    (["--time", "-1"], "--time must be a positive number"),
    (["--dt", "0"], "--dt must be a positive number"),
    (["--time", "1", "--steps", "5"], "not allowed with argument"),
    (["--system", "l96", "--joint"], "--joint needs --system l63"),
    (["--system", "l99"], "invalid choice"),
    (["--output", "/no/such/dir/x.nc"], "does not exist"),
    (["--time", "0.015"], "multiple of dt"),
    (["--random-bits", "0"], "--random-bits must be in 1..64"),
])
def test_cli_bad_options_give_clear_errors(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args + ["--members", "10"] if "--members" not in args else args)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_help_explains_the_study():
    proc = subprocess.run([sys.executable, "-m", "numprec.cases.lorenz", "--help"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "100"})
    assert proc.returncode == 0
    for phrase in ("Wasserstein", "baseline", "indistinguishable", "--format", "--rounding",
                   "--members", "--steps", "--output", "--plot", "Paxton"):
        assert phrase in proc.stdout
