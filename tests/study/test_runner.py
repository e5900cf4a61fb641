"""The study runner on a real dask.distributed LocalCluster: reproducible
whatever the number of workers or the executor, resumable after being killed."""
import os
import signal
import subprocess
import time

import xarray as xr

from study_toy_model import cli_command, run_cli, write_study

GRID = dict(formats=("e11m4", "bfloat16"), roundings=("nearest_even", "stochastic"))


def study_file(tmp_path, name, store="netcdf", sleep=0.0, members=2):
    return write_study(tmp_path / f"{name}.toml", tmp_path / name, name=name, store=store,
                       steps=60, sleep=sleep, members=(2, 2, members), spinup=10, **GRID)


def member_files(root):
    return sorted(p.relative_to(root) for p in (root / "members").rglob("member_*.nc"))


def same_members(a, b):
    files = member_files(a)
    assert files == member_files(b) and files
    for rel in files:
        with xr.open_dataset(a / rel) as x, xr.open_dataset(b / rel) as y:
            x, y = x.load(), y.load()
            for attrs in (x.attrs, y.attrs):     # when and by what command they were made
                for key in ("history", "date_created", "numprec_command"):
                    attrs.pop(key)
            xr.testing.assert_identical(x, y)


def test_workers_and_executors_give_identical_members_and_report(tmp_path):
    from numprec.study import run_study
    path = study_file(tmp_path, "w")
    report1, result1 = run_study(path, workers=1, output=tmp_path / "one", progress=False)
    report2, result2 = run_study(path, workers=2, output=tmp_path / "two", progress=False)
    report3, result3 = run_study(path, output=tmp_path / "serial", progress=False,
                                 executor="serial")
    same_members(tmp_path / "one", tmp_path / "two")
    same_members(tmp_path / "one", tmp_path / "serial")
    xr.testing.assert_identical(result1, result2)
    xr.testing.assert_identical(result1, result3)
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
    report, result = run_study(path, workers=1, progress=False, executor="process")
    assert len(list((tmp_path / "z" / "members").rglob("member_0000.zarr"))) == 6
    assert set(result["verdict"].values.ravel()) <= {
        "indistinguishable", "minor", "distinguishable", "unstable"}


def test_killed_run_resumes_without_recomputing(tmp_path):
    path = study_file(tmp_path, "k", sleep=1.0)
    root = tmp_path / "k"
    args, env = cli_command(path, "--workers", "1")
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
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
    assert f"{12 - len(done)} member files run, {len(done)} already on disk" in rerun.stderr
    for p, (mtime, content) in done.items():
        assert p.stat().st_mtime_ns == mtime and p.read_bytes() == content
    # the resumed results equal an uninterrupted run's
    whole = run_cli(path, "--workers", "2", "--output", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    same_members(root, tmp_path / "whole")
    assert not list(root.rglob("*.tmp")), "no temporary files may be left behind"


def test_bad_input_is_one_line_before_any_member_runs(tmp_path):
    for extra, message in [
        ("stepz = 3", "parameter 'stepz' is not a parameter of case 'toy'"),
        ("", "ensemble.members must be a positive integer"),
    ]:
        path = write_study(tmp_path / "bad.toml", tmp_path / "out", extra_model=extra,
                           members=(1, 1, 0 if not extra else 1))
        proc = run_cli(path)
        assert proc.returncode == 2
        assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
        assert message in proc.stderr and "Traceback" not in proc.stderr
        assert not (tmp_path / "out").exists(), "nothing may run or be written"


def test_directory_as_study_file_via_the_command_line(tmp_path):
    proc = run_cli(tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "is a directory, expected a TOML study file" in proc.stderr


def test_undeclared_case_missing_a_verified_variable_stops_at_the_first_member(tmp_path):
    # a case that declares no variables is checked when its output comes
    # back, before that member is written -- not after every member has run
    path = write_study(tmp_path / "u.toml", tmp_path / "out",
                       case="study_toy_model:UNDECLARED", variables=("x", "q"),
                       members=(1, 1, 1))
    proc = run_cli(path, "--workers", "1")
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: verify.variables: case 'study_toy_model:UNDECLARED' returns "
                      "no variable 'q' (it returns: x)"]
    assert "Traceback" not in proc.stderr
    assert not list((tmp_path / "out").rglob("member_*"))
