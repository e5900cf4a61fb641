"""The study runner on a real dask.distributed LocalCluster: reproducible
whatever the number of workers, resumable after being killed."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import xarray as xr

HERE = Path(__file__).resolve().parent


def study_file(tmp_path, name, store="netcdf", sleep=0.0, members=2):
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(f"""
        [study]
        name = "{name}"
        model = "study_toy_model:run_member"
        output = "{tmp_path / name}"
        store = "{store}"
        seed = 7

        [model]
        steps = 60
        sleep = {sleep}

        [ensemble]
        reference_members = 2
        baseline_members = 2
        members = {members}

        [grid]
        formats = ["e11m4", "bfloat16"]
        roundings = ["nearest_even", "stochastic"]

        [verify]
        variables = ["x"]
        spinup = 10
    """))
    return path


def run_cli(path, *extra, timeout=300):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "numprec", "study", str(path), *extra],
                          env=env, capture_output=True, text=True, timeout=timeout)


def member_files(root):
    return sorted(p.relative_to(root) for p in (root / "members").rglob("member_*.nc"))


def same_members(a, b):
    files = member_files(a)
    assert files == member_files(b) and files
    for rel in files:
        with xr.open_dataset(a / rel) as x, xr.open_dataset(b / rel) as y:
            xr.testing.assert_identical(x.load(), y.load())


def test_one_and_two_workers_give_identical_members_and_report(tmp_path):
    from numprec.study import run_study
    path = study_file(tmp_path, "w")
    report1, result1 = run_study(path, workers=1, output=tmp_path / "one", progress=False)
    report2, result2 = run_study(path, workers=2, output=tmp_path / "two", progress=False)
    same_members(tmp_path / "one", tmp_path / "two")
    xr.testing.assert_identical(result1, result2)
    text = report1.read_text()
    assert "e11m4 nearest_even" in text and "bfloat16 stochastic" in text
    assert (tmp_path / "one" / "verdicts.nc").exists()
    assert (tmp_path / "one" / "w1_vs_bits.png").exists()
    # 4 mantissa bits visibly change the random walk; bfloat16's 7 less so
    w1 = result1["w1"].sel(variable="x")
    assert float(w1.sel(experiment="e11m4 nearest_even")) > float(
        w1.sel(experiment="bfloat16 nearest_even"))


def test_zarr_store(tmp_path):
    from numprec.study import run_study
    path = study_file(tmp_path, "z", store="zarr", members=1)
    report, result = run_study(path, workers=1, progress=False)
    assert len(list((tmp_path / "z" / "members").rglob("member_0000.zarr"))) == 6
    assert set(result["verdict"].values.ravel()) <= {
        "indistinguishable", "minor", "distinguishable", "unstable"}


def test_killed_run_resumes_without_recomputing(tmp_path):
    path = study_file(tmp_path, "k", sleep=1.0)
    root = tmp_path / "k"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-m", "numprec", "study", str(path), "--workers", "1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 240
    try:
        while time.time() < deadline and len(list(root.rglob("member_*.nc"))) < 3:
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("member_*.nc")}
    assert 3 <= len(done) < 12, "the run should have been interrupted part-way"
    assert not (root / "report.md").exists()
    rerun = run_cli(path, "--workers", "2")
    assert rerun.returncode == 0, rerun.stderr
    assert f"{12 - len(done)} members run, {len(done)} already on disk" in rerun.stderr
    for p, (mtime, content) in done.items():
        assert p.stat().st_mtime_ns == mtime and p.read_bytes() == content
    # the resumed results equal an uninterrupted run's
    whole = run_cli(path, "--workers", "2", "--output", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    same_members(root, tmp_path / "whole")
    assert not list(root.rglob("*.tmp")), "no temporary files may be left behind"


def test_bad_study_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[study]\nname = "b"\nmodel = "heat"\n[ensemble]\nmembers = 0\n')
    proc = run_cli(path)
    assert proc.returncode == 2
    assert "ensemble" in proc.stderr and "error:" in proc.stderr


def tiny_study(tmp_path, model="study_toy_model:run_member", variables='["x"]', extra=""):
    path = tmp_path / "tiny.toml"
    path.write_text(textwrap.dedent(f"""
        [study]
        name = "tiny"
        model = "{model}"
        output = "{tmp_path / 'out'}"

        [model]
        steps = 10
        {extra}

        [ensemble]
        reference_members = 1
        baseline_members = 1
        members = 1

        [grid]
        formats = ["e11m4"]

        [verify]
        variables = {variables}
    """))
    return path


@pytest.mark.parametrize("change,message", [
    (dict(extra="stepz = 3"), "unknown key(s) in [model]: stepz"),
    (dict(model="no_such_model"), "study.model: unknown model 'no_such_model'"),
    (dict(variables='["x", "q"]'), "verify.variables: 'q' is not an output variable"),
])
def test_bad_input_is_one_line_before_any_member_runs(tmp_path, change, message):
    proc = run_cli(tiny_study(tmp_path, **change))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists(), "nothing may run or be written"


def test_directory_as_study_file_via_the_command_line(tmp_path):
    proc = run_cli(tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "is a directory, expected a TOML study file" in proc.stderr


def test_undeclared_model_missing_a_verified_variable_stops_at_the_first_member(tmp_path):
    # a user model that declares nothing is checked when its output comes back,
    # before that member is written -- not after every member has run
    proc = run_cli(tiny_study(tmp_path, model="study_toy_model:run_member_undeclared",
                              variables='["x", "q"]'), "--workers", "1")
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: verify.variables: model 'study_toy_model:run_member_undeclared' "
                      "returns no variable 'q' (it returns: x)"]
    assert "Traceback" not in proc.stderr
    assert not list((tmp_path / "out").rglob("member_*"))
