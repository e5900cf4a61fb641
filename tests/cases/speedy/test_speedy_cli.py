"""``python -m numprec.cases.speedy``."""
import pytest

from numprec.cases.speedy.cli import main


def test_bad_options_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--format", "e99m99x"])
    assert exc.value.code == 2
    assert "--format" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["--members", "0"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--start", "no_such_state"])
    assert exc.value.code == 2
    assert "--start" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["--resolution", "30"])                 # the shipped state is T21
    assert exc.value.code == 2


@pytest.mark.parametrize("argv, option", [(["--time-unit", "abc"], "--time-unit"),
                                           (["--time-unit", "-5"], "--time-unit"),
                                           (["--rescale-transforms", "0"], "--rescale-transforms"),
                                           (["--rescale-transforms", "nan"],
                                            "--rescale-transforms")])
def test_bad_scaling_options_exit_2_naming_the_option(capsys, argv, option):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert option in capsys.readouterr().err


@pytest.mark.parametrize("argv, text", [
    (["--resolution", "0"], "--resolution must be a truncation >= 1"),
    (["--days", "inf"], "--days finite"),
    (["--days", "0.2"], "--days=0.2 is shorter than one output interval"),
    (["--members", "4"], "need 8 members of --start, which holds 6"),
    (["--start", "rest", "--resolution", "30", "--days", "0.1"], "shorter than one output")])
def test_runs_that_cannot_work_exit_2_before_running(capsys, argv, text):
    """Each of these ran and ended in a traceback before."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert text in capsys.readouterr().err


def test_e5m10_runs_with_a_time_unit(capsys):
    """Float16's range needs vorticity and divergence scaled (docs/speedy.md):
    per 10 h the e5m10 experiment stays stable."""
    assert main(["--days", "0.25", "--members", "1", "--format", "e5m10",
                 "--rounding", "nearest_even", "--time-unit", "36000"]) == 0
    text = capsys.readouterr().out
    assert "UNSTABLE" not in text and "e5m10 nearest_even" in text


def test_default_run_prints_a_verdict_table(capsys):
    assert main(["--days", "0.5", "--members", "1", "--format", "e11m23",
                 "--rounding", "nearest_even"]) == 0
    text = capsys.readouterr().out
    assert "from restart held_suarez_T21" in text
    header = next(line for line in text.splitlines() if line.startswith("experiment"))
    assert header.split()[:5] == ["experiment", "variable", "W1", "baseline", "excess"]
    rows = [r for r in map(str.split, text.splitlines()) if r[:2] == ["e11m23", "nearest_even"]]
    assert [r[2] for r in rows[:4]] == ["u", "v", "T", "ps"]
    assert "e11m23 nearest_even: PASS" in text


@pytest.mark.slow
def test_demonstration_writes_its_outputs(tmp_path, capsys):
    import xarray as xr
    out, fig = tmp_path / "speedy.nc", tmp_path / "speedy.png"
    assert main(["--days", "0.25", "--start", "rest", "--spinup-days", "1", "--members", "1",
                 "--format", "e11m23", "--rounding", "nearest_even", "--output", str(out),
                 "--plot", str(fig)]) == 0
    text = capsys.readouterr().out
    assert "e11m23" in text and "UNSTABLE" not in text
    ds = xr.open_dataset(out)
    assert list(ds.experiment.values) == ["double", "double baseline", "e11m23 nearest_even"]
    assert fig.stat().st_size > 0


def test_pressure_levels_option_is_checked(capsys, tmp_path):
    out = str(tmp_path / "x.nc")
    for bad in ("500,abc", "500,500", "-1"):
        with pytest.raises(SystemExit) as exc:
            main(["--pressure-levels", bad, "--output", out])
        assert exc.value.code == 2
        assert "--pressure-levels" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["--pressure-levels", "speedy"])                   # nothing to write them to
    assert exc.value.code == 2
    assert "--output" in capsys.readouterr().err


@pytest.mark.slow
def test_pressure_levels_are_written_to_the_output(tmp_path, capsys):
    import xarray as xr
    out = tmp_path / "speedy.nc"
    assert main(["--days", "0.25", "--members", "1", "--format", "e11m23", "--rounding",
                 "nearest_even", "--pressure-levels", "850,500", "--output", str(out)]) == 0
    ds = xr.open_dataset(out)
    assert list(ds.plev.values) == [85000.0, 50000.0] and ds.plev.attrs["units"] == "Pa"
    assert ds["T_plev"].dims == ("experiment", "member", "time", "plev", "lat", "lon")


def test_ctrl_c_stops_with_one_line_and_no_file(tmp_path):
    """SIGINT during the reference ensemble: exit 130 within seconds, one
    'interrupted' line and no traceback, no output or temporary file."""
    import signal
    import subprocess
    import sys
    import time
    proc = subprocess.Popen([sys.executable, "-m", "numprec.cases.speedy", "--days", "60",
                             "--members", "1", "--output", str(tmp_path / "out.nc")],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(4.0)                           # imports done, the first ensemble running
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the command did not stop within 15 s of Ctrl-C")
    assert proc.returncode == 130
    assert "interrupted: no output was written" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
