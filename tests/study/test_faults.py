"""Faults: Ctrl-C in ``python -m numprec study``, and what every file the
study writes looks like under different umasks."""
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
import xarray as xr

HERE = Path(__file__).resolve().parent


def toy_study(tmp_path, output, *, sleep=0.0, mark="", store="netcdf"):
    path = tmp_path / "study.toml"
    path.write_text(textwrap.dedent(f"""
        [study]
        name = "faults"
        model = "study_toy_model:run_member"
        output = "{output}"
        store = "{store}"

        [model]
        steps = 20
        sleep = {sleep}
        mark = "{mark}"

        [ensemble]
        reference_members = 2
        baseline_members = 2
        members = 2

        [grid]
        formats = ["e11m4"]

        [verify]
        variables = ["x"]
    """))
    return path


def cli(path, *extra):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    return [sys.executable, "-m", "numprec", "study", str(path), *extra], env


def alive(processes):
    def running(p):
        try:
            return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
    return [p.pid for p in processes if running(p)]


@pytest.mark.parametrize("target", ["process", "group"])
def test_ctrl_c_stops_leaving_no_worker_and_no_partial_file(tmp_path, target):
    # "group" is what Ctrl-C in a terminal does: every process of the
    # foreground group gets SIGINT, the dask workers included
    out, marks = tmp_path / "out", tmp_path / "started"
    args, env = cli(toy_study(tmp_path, out, sleep=60.0, mark=marks), "--workers", "2")
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(marks.glob("*"))) < 2:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        assert len(list(marks.glob("*"))) == 2, "two members should be running"
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        # the members sleep for a minute: waiting for them would be a hang
        stdout, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    # no process of the study remains, whatever its parent
    time.sleep(1.0)
    assert alive(children) == []
    # (a zombie is dead: one whose parent exited waits for init to reap it)
    group = [q for q in psutil.process_iter() if _pgid(q.pid) == proc.pid]
    assert alive(group) == []
    assert not list(out.rglob("*.tmp"))
    assert not list((out / "members").rglob("member_*")), "no member could finish"


def _pgid(pid):
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


UMASKS = [0o022, 0o077, 0o002]


@pytest.fixture(params=UMASKS, ids=lambda m: f"umask{m:03o}")
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def plain_modes(directory):
    """The modes a plain open() and mkdir() give in ``directory`` now."""
    with open(directory / "plain-file", "w"):
        pass
    (directory / "plain-dir").mkdir()
    file_mode = stat.S_IMODE((directory / "plain-file").stat().st_mode)
    dir_mode = stat.S_IMODE((directory / "plain-dir").stat().st_mode)
    (directory / "plain-file").unlink()
    (directory / "plain-dir").rmdir()
    return file_mode, dir_mode


def modes_under(root):
    return {p: stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


def test_atomic_writers_respect_the_umask(tmp_path, umask):
    from matplotlib.figure import Figure

    from numprec.study.store import save_figure_atomic, write_atomic, write_text_atomic

    file_mode, dir_mode = plain_modes(tmp_path)
    assert file_mode == 0o666 & ~umask and dir_mode == 0o777 & ~umask
    ds = xr.Dataset({"x": ("time", np.arange(4.0))})
    write_atomic(ds, tmp_path / "a.nc")
    write_atomic(ds, tmp_path / "a.zarr", store="zarr")
    write_text_atomic("# report\n", tmp_path / "report.md")
    fig = Figure()
    fig.add_subplot().plot([0, 1])
    save_figure_atomic(fig, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("a.nc", "report.md", "plot.png"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == file_mode, name
    for path, mode in modes_under(tmp_path / "a.zarr").items():
        assert mode == (dir_mode if path.is_dir() else file_mode), path
    # overwriting keeps to the rule too
    write_atomic(ds, tmp_path / "a.nc")
    assert stat.S_IMODE((tmp_path / "a.nc").stat().st_mode) == file_mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nc", "a.zarr", "plot.png",
                                                           "report.md"]


@pytest.mark.parametrize("store", ["netcdf", "zarr"])
def test_every_file_a_study_writes_follows_the_umask(tmp_path, store):
    out = tmp_path / "out"
    args, env = cli(toy_study(tmp_path, out, store=store), "--workers", "1")
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: os.umask(0o027))
    assert proc.returncode == 0, proc.stderr
    modes = modes_under(out)
    names = {p.name for p in modes}
    assert {"verdicts.nc", "report.md", "w1_vs_bits.png"} <= names
    assert len([p for p in modes if p.name.startswith("member_0")]) == 6
    wrong = {str(p.relative_to(out)): oct(m) for p, m in modes.items()
             if m != (0o750 if p.is_dir() else 0o640)}
    assert wrong == {}
