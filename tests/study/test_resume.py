"""Resuming a study: member files record what produced them, and a member
written by another setup is never reused silently."""
import shutil

import netCDF4
import numpy as np
import pytest
import scipy.stats
import xarray as xr

import numprec
from numprec import io
from numprec.cases.ensemble import derive_seed
from numprec.study import StaleMemberError, expand, load_study, run_study
from study_toy_model import CASE, run_cli, write_study as toy_study

SPINUP = 5


def write_study(path, output, **changes):
    return toy_study(path, output, **{"name": "resume", "spinup": SPINUP, **changes})


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """A finished 6-member toy study with steps = 20 (run once, never modified)."""
    root = tmp_path_factory.mktemp("resume")
    out = root / "out"
    write_study(root / "study.toml", out)
    run_study(root / "study.toml", workers=1, progress=False, executor="process")
    return root, out


def snapshot(out):
    return {p: p.read_bytes() for p in sorted((out / "members").rglob("member_*.nc"))}


def test_member_files_record_what_determines_them(done):
    root, out = done
    spec = load_study(root / "study.toml")
    exp = next(t for t in expand(spec) if t.kind == "experiment")
    prov = io.read_provenance(out / "members" / "e11m4_nearest_even" / "member_0000.nc")
    assert prov.numprec_version == numprec.__version__
    assert prov.case == "study_toy_model:CASE"
    # the [model] table with the case's defaults filled in
    assert prov.params == {"mark": "", "sleep": 0.0, "steps": 20}
    assert prov.format == numprec.get_format("e11m4").get_config()
    assert prov.rounding == "nearest_even" and prov.kind == "experiment"
    assert prov.policy["compute"] == prov.format and prov.policy["seed"] == exp.seed
    assert prov.ic_seed == exp.ic_seed == derive_seed(7, "ic", 0) and prov.seed == exp.seed
    ref = io.read_provenance(out / "members" / "reference" / "member_0001.nc")
    assert ref.kind == "reference" and ref.format is None and ref.policy is None
    assert (ref.member, ref.members, ref.ic_seed) == (1, 1, derive_seed(7, "ic", 1))


@pytest.mark.parametrize("change,message", [
    (dict(steps=30), "was written with params.steps = 20, but this run has params.steps = 30"),
    (dict(sleep=0.5), "params.sleep = 0.0, but this run has params.sleep = 0.5"),
    (dict(seed=8), f"was written with ic_seed = {derive_seed(7, 'ic', 0)}, but this run has "
                   f"ic_seed = {derive_seed(8, 'ic', 0)}"),
])
def test_other_setup_is_refused_naming_the_difference(done, tmp_path, change, message):
    root, out = done
    before = snapshot(out)
    path = write_study(tmp_path / "changed.toml", out, **change)
    proc = run_cli(path)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0] and "--overwrite" in errors[0], errors
    assert "members" in errors[0] and "member_0000.nc" in errors[0]
    assert snapshot(out) == before, "a refused run must not touch the members"


def test_stating_a_default_explicitly_reuses_the_members(done, tmp_path):
    from numprec.study.runner import run_members
    root, out = done
    path = write_study(tmp_path / "same.toml", out)
    path.write_text(path.read_text().replace('mark = ""\n', ""))   # the default, unstated
    done_again = run_members(load_study(path), progress=False, verify=False)
    assert (done_again.reused, done_again.ran, done_again.replaced) == (6, 0, 0)


def test_tampered_or_unrecorded_provenance_is_refused(done, tmp_path):
    root, out = done
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    member = copy / "members" / "reference" / "member_0000.nc"
    with netCDF4.Dataset(member, "a") as nc:
        nc.setncattr("numprec_version", "0.0.1")
    path = write_study(tmp_path / "s.toml", copy)
    with pytest.raises(StaleMemberError, match="numprec_version = 0.0.1, but this run has "
                                               f"numprec_version = {numprec.__version__}"):
        run_study(path, progress=False)
    with netCDF4.Dataset(member, "a") as nc:       # as written before provenance existed
        for name in [a for a in nc.ncattrs() if a.startswith("numprec_")]:
            nc.delncattr(name)
    with pytest.raises(StaleMemberError, match="numprec_version = <missing>"):
        run_study(path, progress=False)


def oracle_w1(reference, experiment):
    """Mean over cells of scipy's W1 between the pooled (time after spin-up,
    member) samples of each cell."""
    ref = np.concatenate([d["x"].values[:, SPINUP:] for d in reference])  # member, time, cell
    exp = np.concatenate([d["x"].values[:, SPINUP:] for d in experiment])
    return np.mean([scipy.stats.wasserstein_distance(ref[..., c].ravel(), exp[..., c].ravel())
                    for c in range(ref.shape[-1])])


def test_overwrite_recomputes_and_the_report_shows_the_new_numbers(done, tmp_path):
    root, out = done
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    old = snapshot(copy)
    path = write_study(tmp_path / "new.toml", copy, steps=30)
    with pytest.raises(StaleMemberError):
        run_study(path, progress=False)
    report, result = run_study(path, workers=1, progress=False, overwrite=True,
                               executor="serial")
    assert set(snapshot(copy)) == set(old) and all(snapshot(copy)[p] != old[p] for p in old)
    spec = load_study(path)
    direct = {}
    for task in expand(spec):
        path_of = copy / "members" / f"{task.key}.nc"
        assert io.read_provenance(path_of).params == {"mark": "", "sleep": 0.0, "steps": 30}
        # the file holds what the case gives for the new parameters
        e = task.experiment
        policy = None if e is None else e.policy.policy(e.format, e.rounding, seed=task.seed)
        expected = CASE.run({"steps": 30}, policy, members=task.members, ic_seed=task.ic_seed)
        with xr.open_dataset(path_of) as ds:
            np.testing.assert_array_equal(ds["x"].values, expected["x"].values)
        direct.setdefault(task.label, []).append(expected)
    want = oracle_w1(direct["reference"], direct["e11m4 nearest_even"])
    got = float(result["w1"].sel(experiment="e11m4 nearest_even", variable="x"))
    assert got == pytest.approx(want, rel=1e-12)
    assert "'steps': 30" in report.read_text()
    with xr.open_dataset(copy / "verdicts.nc") as saved:
        assert float(saved["w1"].sel(experiment="e11m4 nearest_even", variable="x")) == got
        assert io.read_provenance(dict(saved.attrs)).params["steps"] == 30
    # a rerun now reuses every member
    again = run_cli(path)
    assert again.returncode == 0, again.stderr
    assert "0 member files run, 6 already on disk" in again.stderr


def test_resume_removes_temporaries_of_a_killed_run(done, tmp_path):
    root, out = done
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    planted = [copy / "members" / "reference" / ".member_0000.nc.k3j_x9qa.tmp",
               copy / "members" / "e11m4_nearest_even" / ".member_0001.nc.0a1b2c3d.tmp",
               copy / ".verdicts.nc.ab12cd34.tmp", copy / ".report.md.77aa88bb.tmp"]
    for p in planted:
        p.write_bytes(b"half a file")
    zarr_tmp = copy / "members" / "baseline" / ".member_0000.zarr.ffee0011.tmp"
    (zarr_tmp / "x").mkdir(parents=True)
    (zarr_tmp / "x" / "c0").write_bytes(b"chunk")
    mine = [copy / "notes.tmp", copy / ".notes.tmp", copy / "members" / "reference" / "x.tmp"]
    for p in mine:
        p.write_text("the user's, not the study's")
    before = snapshot(copy)
    proc = run_cli(write_study(tmp_path / "s.toml", copy))
    assert proc.returncode == 0, proc.stderr
    assert "removed 5 temporary file(s) left by an interrupted run" in proc.stderr
    assert not any(p.exists() for p in planted) and not zarr_tmp.exists()
    assert all(p.exists() for p in mine)
    assert snapshot(copy) == before


def test_second_run_into_a_busy_output_directory_is_refused(done, tmp_path):
    from numprec.study.store import study_lock
    root, out = done
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    planted = copy / "members" / "reference" / ".member_0000.nc.abcd1234.tmp"
    planted.write_bytes(b"being written by the other run")
    with study_lock(copy):
        proc = run_cli(write_study(tmp_path / "s.toml", copy))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert "another study run is writing into this output directory" in proc.stderr
    assert planted.exists(), "another run's temporaries must be left alone"
