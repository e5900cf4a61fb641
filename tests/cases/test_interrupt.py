"""Ctrl-C and a killed parent: the case CLIs stop at once, leave no worker
and no partial file (numprec issue 8). Real subprocesses, real signals."""
import os
import signal
import subprocess
import sys
import time

import pytest

psutil = pytest.importorskip("psutil")

#: generous bound on how long stopping may take (a hang fails, slowness does not matter)
STOP_WITHIN = 15.0

COMMANDS = {
    "heat": ["numprec.cases.heat", "--years", "60", "--workers", "2", "--quiet"],
    # reference, baseline and one experiment on two worker processes
    "shallow_water": ["numprec.cases.shallow_water", "--members", "2", "--days", "400",
                      "--spinup", "450", "--executor", "process", "--workers", "2",
                      "--no-progress"],
}


def _alive(procs):
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def _start(case, tmp_path):
    cmd = [sys.executable, "-m", *COMMANDS[case], "--output", str(tmp_path / "out.nc")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, start_new_session=True)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:        # until both workers are running
        workers = parent.children(recursive=True)
        if len(workers) >= 2:
            time.sleep(1.0)
            return proc, parent.children(recursive=True)
        if proc.poll() is not None:
            pytest.fail(f"the command ended before its workers started: {proc.stderr.read()}")
        time.sleep(0.1)
    proc.kill()
    pytest.fail("no worker processes appeared")


def _wait_gone(procs):
    deadline = time.monotonic() + STOP_WITHIN
    while _alive(procs) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _alive(procs)
    for p in left:
        p.kill()
    return left


@pytest.mark.parametrize("target", ["parent", "group"])
@pytest.mark.parametrize("case", list(COMMANDS))
def test_ctrl_c_stops_at_once_without_workers_or_files(tmp_path, case, target):
    proc, workers = _start(case, tmp_path)
    if target == "parent":
        os.kill(proc.pid, signal.SIGINT)
    else:                                       # a terminal's Ctrl-C: the whole group
        os.killpg(proc.pid, signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"{case} did not stop within {STOP_WITHIN} s of SIGINT")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert len(err.strip().splitlines()) == 1, err
    assert _wait_gone(workers) == []
    assert list(tmp_path.iterdir()) == []       # no output, no temporary


@pytest.mark.parametrize("case", list(COMMANDS))
def test_workers_exit_when_the_parent_is_killed(tmp_path, case):
    proc, workers = _start(case, tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    left = _wait_gone(workers)
    assert left == [], f"workers {[p.pid for p in left]} outlived their killed parent"


def test_ctrl_c_stops_the_lorenz_study_with_one_line(tmp_path):
    # one process (no workers): Ctrl-C ends it with a message, not a traceback
    cmd = [sys.executable, "-m", "numprec.cases.lorenz", "--members", "1000", "--time", "500",
           "--no-progress", "--output", str(tmp_path / "l.nc")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, start_new_session=True)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and parent.cpu_times().user < 3.0:
        time.sleep(0.2)                 # until it is integrating (imports done)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"lorenz did not stop within {STOP_WITHIN} s of SIGINT")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []
