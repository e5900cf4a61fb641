"""The shallow-water study on the ensemble runner and its command line.

Oracle of the study's design: every experiment continues the double
reference's spun-up state member by member (Klöwer et al. 2020; Paxton et
al. 2022), so an experiment of the runner must equal, bit for bit, a run
started by hand from the reference's first sample under a Policy written
out by hand.
"""
import pytest
import numpy as np
import xarray as xr

import numprec

from numprec.cases.shallow_water import CASE
from numprec.cases.shallow_water import cli
from numprec.cases.shallow_water.study import (POLICIES, ensemble_spec, policy_variant,
                                               run_study)
from numprec.emulate import Policy

TENDENCIES = ("dynamics", "forcing", "bottom_drag", "viscosity")
TINY = dict(members=2, days=2.0, spinup=3.0, sample_every=1.0, nx=20)


def test_policy_variants_name_and_set_what_differs_from_all():
    assert POLICIES == ("all", "mixed")
    plain = policy_variant()
    assert plain.name == "all" and plain.params == {"scale": 1.0, "compensation": "none"}
    assert plain.policy("e5m10").compute.name == numprec.get_format("e5m10").name
    v = policy_variant("mixed", 64, "per_step")
    assert v.name == "mixed scale=64 kahan=per_step"
    assert v.params == {"scale": 64.0, "compensation": "per_step"}
    p = v.policy("bf16", "stochastic", seed=5)
    assert p.compute.name == numprec.get_format("binary32").name
    for c in TENDENCIES:
        assert p.component(c).compute.name == numprec.get_format("bf16").name
    assert p.component("time_stepping").compute.name == numprec.get_format("binary32").name


@pytest.mark.parametrize("kwargs, word", [({"policy": "half"}, "policy"),
                                          ({"compensation": "always"}, "compensation"),
                                          ({"scale": 0.0}, "scale")])
def test_bad_policy_variant_is_refused_by_name(kwargs, word):
    with pytest.raises(ValueError, match=word):
        policy_variant(**kwargs)


def test_the_spec_is_the_grid_of_the_options():
    spec = ensemble_spec(["e5m10", "bf16"], ["nearest_even", "stochastic"], ["all", "mixed"],
                         [1.0, 64.0], seed=3, **TINY)
    labels = [e.label for e in spec.experiments]
    assert len(labels) == 16 and labels[:4] == [
        "e5m10 nearest_even", "e5m10 nearest_even scale=64", "e5m10 nearest_even mixed",
        "e5m10 nearest_even mixed scale=64"]
    assert spec.case == "shallow_water" and spec.params == {"nx": 20} and spec.seed == 3
    assert spec.reference_members == spec.baseline_members == spec.members == 2
    assert spec.run_options == {"days": 2.0, "spinup": 3.0, "output_every": 1.0}
    assert spec.variables == ("u", "v", "eta") and spec.spinup == 1


@pytest.mark.parametrize("kwargs, word", [({"members": 1}, "members"),
                                          ({"days": 0.0}, "days"),
                                          ({"sample_every": 3.0}, "sample_every"),
                                          ({"spinup": -1.0}, "spinup")])
def test_bad_study_settings_are_refused_by_name(kwargs, word):
    with pytest.raises(ValueError, match=word):
        ensemble_spec(**{**TINY, **kwargs})


def test_an_experiment_continues_the_reference_spun_up_state():
    spec = ensemble_spec(["binary16"], ["nearest_even"], ["mixed"], [64.0], ["per_step"],
                         seed=7, **TINY)
    study = run_study(spec, executor="serial")
    (label, got), = study.experiments.items()
    assert label == "binary16 nearest_even mixed scale=64 kahan=per_step"
    ref = study.reference
    start = tuple(ref[k].values[:, 0] for k in ("u", "v", "eta"))
    by_hand = Policy("binary32", rounding="nearest_even",
                     components={c: "binary16" for c in TENDENCIES})
    want = CASE.run({"nx": 20, "scale": 64.0, "compensation": "per_step"}, by_hand,
                    members=2, start=start, days=2.0, output_every=1.0)
    for k in ("u", "v", "eta", "energy"):
        assert np.array_equal(got[k].values, want[k].values)
    np.testing.assert_array_equal(got["time"].values, ref["time"].values)
    assert not np.array_equal(got["u"].values[:, 1:], ref["u"].values[:, 1:])
    assert list(study.result["experiment"].values) == [label]
    assert "double (baseline)" in study.diagnostics_table and label in study.diagnostics_table


def test_cli_writes_the_verdicts_of_every_experiment(tmp_path, capsys):
    nc = tmp_path / "sw.nc"
    args = ["--nx", "20", "--members", "2", "--days", "1", "--spinup", "0", "--no-progress",
            "--executor", "serial", "--policy", "all", "--policy", "mixed",
            "--output", str(nc)]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "binary16 nearest_even mixed:" in out and "diagnostics" in out
    with xr.open_dataset(nc) as ds:
        assert list(ds["experiment"].values) == ["binary16 nearest_even",
                                                 "binary16 nearest_even mixed"]
        assert list(ds["variable"].values) == ["u", "v", "eta"]


@pytest.mark.parametrize("args, word", [
    (["--executor", "threads"], "--executor"),
    (["--scheduler", "tcp://x:1"], "--scheduler"),
    (["--workers", "0"], "--workers"),
    (["--seed", "-1"], "--seed"),
    (["--days", "1", "--sample-every", "2"], "--sample-every"),
    (["--klower2020", "--workers", "2"], "--workers"),
])
def test_cli_refuses_options_that_cannot_work(capsys, args, word):
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    assert exc.value.code == 2
    assert word in capsys.readouterr().err.strip().splitlines()[-1]
