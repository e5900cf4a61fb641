"""Resuming a study: member files record what produced them, and a member
written by another setup is never reused silently."""
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import netCDF4
import numpy as np
import pytest
import scipy.stats
import xarray as xr

import numprec
from numprec.study import expand, load_study, run_study
from numprec.study.provenance import StaleMemberError

HERE = Path(__file__).resolve().parent
SPINUP = 5


def write_study(path, output, steps=20, seed=7, extra_model=""):
    path.write_text(textwrap.dedent(f"""
        [study]
        name = "resume"
        model = "study_toy_model:run_member"
        output = "{output}"
        seed = {seed}

        [model]
        steps = {steps}
        {extra_model}

        [ensemble]
        reference_members = 2
        baseline_members = 2
        members = 2

        [grid]
        formats = ["e11m4"]

        [verify]
        variables = ["x"]
        spinup = {SPINUP}
    """))
    return path


def run_cli(path, *extra):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "numprec", "study", str(path), *extra],
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """A finished 6-member toy study with steps = 20 (run once, never modified)."""
    import study_toy_model  # noqa: F401  (the conftest puts it on the path)
    root = tmp_path_factory.mktemp("resume")
    out = root / "out"
    write_study(root / "study.toml", out)
    run_study(root / "study.toml", workers=1, progress=False)
    return root, out


@pytest.fixture(autouse=True, scope="module")
def toy_on_module_path():
    sys.path.insert(0, str(HERE))
    yield
    sys.path.remove(str(HERE))


def snapshot(out):
    return {p: p.read_bytes() for p in sorted((out / "members").rglob("member_*.nc"))}


def test_member_files_record_what_determines_them(done):
    root, out = done
    spec = load_study(root / "study.toml")
    tasks = expand(spec)
    exp = next(t for t in tasks if t.kind == "experiment")
    with xr.open_dataset(out / "members" / "e11m4_nearest_even" / "member_0000.nc") as ds:
        attrs = ds.attrs
    assert attrs["study_numprec_version"] == numprec.__version__
    assert attrs["study_model"] == "study_toy_model:run_member"
    # the [model] table with the model's declared defaults filled in
    assert attrs["study_model_params"] == '{"mark": "", "sleep": 0.0, "steps": 20}'
    assert attrs["study_format"] == "e11m4" and attrs["study_rounding"] == "nearest_even"
    cfg = numprec.get_format("e11m4").get_config()
    import json
    assert json.loads(attrs["study_format_config"]) == cfg
    assert attrs["study_kind"] == "experiment" and attrs["study_policy"] == "all"
    assert attrs["study_ic_seed"] == str(exp.ic_seed) and attrs["study_rounding_seed"] == str(exp.seed)
    with xr.open_dataset(out / "members" / "reference" / "member_0001.nc") as ds:
        ref = ds.attrs
    assert ref["study_kind"] == "reference" and ref["study_format"] == "null"
    assert ref["study_member"] == "1"


@pytest.mark.parametrize("change,message", [
    (dict(steps=30), "was written with model_params.steps = 20, but this study has "
                     "model_params.steps = 30"),
    (dict(extra_model="sleep = 0.5"), "model_params.sleep = 0.0, but this study has "
                                      "model_params.sleep = 0.5"),
    (dict(seed=8), "was written with ic_seed = 7000, but this study has ic_seed = 8000"),
])
def test_other_setup_is_refused_naming_the_difference(done, change, message):
    root, out = done
    before = snapshot(out)
    path = write_study(root / f"changed-{len(change)}-{sorted(change)[0]}.toml", out, **change)
    proc = run_cli(path)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0] and "--overwrite" in errors[0]
    assert "members" in errors[0] and "member_0000.nc" in errors[0]
    assert snapshot(out) == before, "a refused run must not touch the members"


def test_stating_a_default_explicitly_reuses_the_members(done, tmp_path):
    from numprec.study.runner import run_members
    root, out = done
    spec = load_study(write_study(tmp_path / "same.toml", out, extra_model="sleep = 0.0"))
    assert run_members(spec, progress=False) == (6, 0, 0)


def test_tampered_or_unrecorded_provenance_is_refused(done, tmp_path):
    root, out = done
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    member = copy / "members" / "reference" / "member_0000.nc"
    with netCDF4.Dataset(member, "a") as nc:
        nc.setncattr("study_numprec_version", "0.0.1")
    path = write_study(tmp_path / "s.toml", copy)
    with pytest.raises(StaleMemberError, match="numprec_version = 0.0.1, but this study has "
                                               f"numprec_version = {numprec.__version__}"):
        run_study(path, progress=False)
    with netCDF4.Dataset(member, "a") as nc:       # as written before provenance existed
        for name in [a for a in nc.ncattrs() if a.startswith("study_")]:
            nc.delncattr(name)
    with pytest.raises(StaleMemberError, match="numprec_version = <missing>"):
        run_study(path, progress=False)


def oracle_w1(reference, experiment):
    """Mean over cells of scipy's W1 between the pooled (time after spin-up,
    member) samples of each cell."""
    ref = np.stack([d["x"].values[SPINUP:] for d in reference])    # member, time, cell
    exp = np.stack([d["x"].values[SPINUP:] for d in experiment])
    return np.mean([scipy.stats.wasserstein_distance(ref[..., c].ravel(), exp[..., c].ravel())
                    for c in range(ref.shape[-1])])


def test_overwrite_recomputes_and_the_report_shows_the_new_numbers(done, tmp_path):
    import study_toy_model
    root, out = done
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    old = snapshot(copy)
    path = write_study(tmp_path / "new.toml", copy, steps=30)
    with pytest.raises(StaleMemberError):
        run_study(path, progress=False)
    report, result = run_study(path, workers=1, progress=False, overwrite=True)
    assert set(snapshot(copy)) == set(old) and all(snapshot(copy)[p] != old[p] for p in old)
    spec = load_study(path)
    direct = {}
    for task in expand(spec):
        with xr.open_dataset(copy / "members" / f"{task.key}.nc") as ds:
            assert ds.attrs["study_model_params"] == '{"mark": "", "sleep": 0.0, "steps": 30}'
            # the file holds what the model gives for the new parameters
            expected = study_toy_model.run_member({"steps": 30}, task)
            np.testing.assert_array_equal(ds["x"].values, expected["x"].values)
            direct.setdefault(task.label, []).append(expected)
    want = oracle_w1(direct["reference"], direct["e11m4 nearest_even"])
    got = float(result["w1"].sel(experiment="e11m4 nearest_even", variable="x"))
    assert got == pytest.approx(want, rel=1e-12)
    text = report.read_text()
    assert "'steps': 30" in text
    with xr.open_dataset(copy / "verdicts.nc") as saved:
        assert float(saved["w1"].sel(experiment="e11m4 nearest_even", variable="x")) == got
    # a rerun now reuses every member
    again = run_cli(path)
    assert again.returncode == 0, again.stderr
    assert "0 members run, 6 already on disk" in again.stderr


def test_resume_removes_temporaries_of_a_killed_run(done, tmp_path):
    root, out = done
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    planted = [copy / "members" / "reference" / ".member_0000.nc.k3j_x9qa.tmp",
               copy / "members" / "e11m4_nearest_even" / ".member_0001.nc.0a1b2c3d.tmp",
               copy / ".verdicts.nc.ab12cd34.tmp", copy / ".report.md.77aa88bb.tmp",
               copy / "report.md.tmp"]
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
    assert "removed 6 temporary file(s) left by an interrupted run" in proc.stderr
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
