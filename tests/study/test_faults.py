"""Faults: Ctrl-C in ``python -m numprec study``, and what every file the
study writes looks like under a umask."""
import os
import signal
import stat
import subprocess
import time

import psutil
import pytest

from study_toy_model import cli_command, write_study


def alive(processes):
    def running(p):
        try:
            return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
    return [p.pid for p in processes if running(p)]


def _pgid(pid):
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


@pytest.mark.parametrize("target", ["process", "group"])
def test_ctrl_c_stops_leaving_no_worker_and_no_partial_file(tmp_path, target):
    # "group" is what Ctrl-C in a terminal does: every process of the
    # foreground group gets SIGINT, the dask workers included
    out, marks = tmp_path / "out", tmp_path / "started"
    study = write_study(tmp_path / "study.toml", out, name="faults", sleep=60.0, mark=marks)
    args, env = cli_command(study, "--workers", "2")
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(marks.glob("*"))) < 2:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        assert len(list(marks.glob("*"))) == 2, "two tasks should be running"
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        # the tasks sleep for a minute: waiting for them would be a hang
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


@pytest.mark.parametrize("store", ["netcdf", "zarr"])
def test_every_file_a_study_writes_follows_the_umask(tmp_path, store):
    # (numprec.io's writers themselves: tests/test_io.py)
    out = tmp_path / "out"
    args, env = cli_command(write_study(tmp_path / "study.toml", out, store=store),
                            "--workers", "1")
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: os.umask(0o027))
    assert proc.returncode == 0, proc.stderr
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [out, *out.rglob("*")]}
    names = {p.name for p in modes}
    assert {"verdicts.nc", "report.md", "w1_vs_bits.png"} <= names
    assert len([p for p in modes if p.name.startswith("member_0")]) == 6
    wrong = {str(p.relative_to(out)): oct(m) for p, m in modes.items()
             if m != (0o750 if p.is_dir() else 0o640)}
    assert wrong == {}
