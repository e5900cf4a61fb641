"""Files the case command lines write: permissions that follow the umask,
paths checked before the run, no silent overwrite (numprec issue 8)."""
import os
import stat
import subprocess
import sys
import warnings

import numpy as np
import pytest
import xarray as xr

from numprec import io
from numprec.cases.heat import cli as heat
from numprec.cases.lorenz import cli as lorenz
from numprec.cases.shallow_water import cli as sw

TINY_LORENZ = ["--format", "e11m6", "--members", "4", "--time", "0.2", "--spinup", "0",
               "--no-progress"]
TINY_HEAT = ["--format", "e11m10", "--rounding", "nearest_even", "--years", "0.01",
             "--workers", "1", "--quiet"]


@pytest.fixture
def umask():
    """Set the process umask for one test, restoring it afterwards."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def small_dataset():
    return xr.Dataset({"z": (("t",), np.arange(3.0), {"units": "1"})},
                      coords={"t": ("t", [0.0, 1.0, 2.0], {"units": "s"})})


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# ------------------------------------------------------------ permissions
@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_write_netcdf_follows_the_umask(tmp_path, umask, mask):
    umask(mask)
    path = io.write_dataset(small_dataset(), tmp_path / "r.nc")
    # the mode open(path, "w") gives a new file: 0666 less the umask
    assert mode(path) == 0o666 & ~mask


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_save_figure_follows_the_umask(tmp_path, umask, mask):
    plt = pytest.importorskip("matplotlib.pyplot")
    umask(mask)
    fig = plt.figure()
    path = io.save_figure(fig, tmp_path / "f.png")
    plt.close(fig)
    assert mode(path) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_every_file_of_the_lorenz_cli_follows_the_umask(tmp_path, umask, mask):
    pytest.importorskip("matplotlib")
    umask(mask)
    nc, png = tmp_path / "l.nc", tmp_path / "w.png"
    assert lorenz.main(TINY_LORENZ + ["--output", str(nc), "--plot", str(png)]) == 0
    assert mode(nc) == mode(png) == 0o666 & ~mask


@pytest.mark.parametrize("mask", [0o077, 0o002])
def test_every_file_of_the_heat_cli_follows_the_umask(tmp_path, umask, mask):
    pytest.importorskip("matplotlib")
    umask(mask)
    nc, png = tmp_path / "h.nc", tmp_path / "h.png"
    assert heat.main(TINY_HEAT + ["--output", str(nc), "--plot", str(png)]) == 0
    assert mode(nc) == mode(png) == 0o666 & ~mask


# ---------------------------------------------- paths checked before a run
CASES = [(lorenz.main, TINY_LORENZ), (heat.main, TINY_HEAT),
         (sw.main, ["--members", "2", "--days", "1", "--spinup", "0", "--no-progress"])]


def _error(capsys, main, args):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize("main, args", CASES)
def test_output_that_is_a_directory_is_refused(tmp_path, capsys, main, args):
    line = _error(capsys, main, args + ["--output", str(tmp_path)])
    assert "--output" in line and "is a directory" in line


@pytest.mark.parametrize("main, args", CASES)
def test_output_in_an_unwritable_place_is_refused(capsys, main, args):
    # /proc is not writable even for root
    line = _error(capsys, main, args + ["--output", "/proc/numprec-test.nc"])
    assert "--output" in line and "cannot write" in line


@pytest.mark.parametrize("main, args", CASES)
def test_plot_with_an_unknown_extension_is_refused(tmp_path, capsys, main, args):
    pytest.importorskip("matplotlib")
    line = _error(capsys, main, args + ["--plot", str(tmp_path / "p.xyz")])
    assert "--plot" in line and "'.xyz'" in line and "png" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("main, args", CASES)
def test_existing_output_is_kept_without_overwrite(tmp_path, capsys, main, args):
    for option in ("--output", "--plot"):
        target = tmp_path / ("old.nc" if option == "--output" else "old.png")
        target.write_bytes(b"precious")
        line = _error(capsys, main, args + [option, str(target)])
        assert option in line and "exists" in line and "--overwrite" in line
        assert target.read_bytes() == b"precious"


def test_overwrite_replaces_the_output(tmp_path):
    nc = tmp_path / "l.nc"
    nc.write_bytes(b"old")
    assert lorenz.main(TINY_LORENZ + ["--output", str(nc), "--overwrite"]) == 0
    with xr.open_dataset(nc) as ds:
        assert "verdict" in ds


@pytest.mark.parametrize("main, args", CASES)
def test_the_same_file_for_two_outputs_is_refused(tmp_path, capsys, main, args):
    path = str(tmp_path / "x.png")
    line = _error(capsys, main, args + ["--output", path, "--plot", path])
    assert "--plot" in line and "--output" in line


# ------------------------------------------------ options that do not apply
def test_random_bits_with_a_deterministic_rounding_is_an_error(capsys):
    line = _error(capsys, lorenz.main, TINY_LORENZ + ["--rounding", "nearest_even",
                                                      "--random-bits", "8"])
    assert "--random-bits" in line and "nearest_even" in line


def test_random_bits_with_stochastic_rounding_is_accepted():
    assert lorenz.main(TINY_LORENZ + ["--rounding", "stochastic", "--random-bits", "8"]) == 0


@pytest.mark.parametrize("option", [["--K", "36"], ["--F", "10"], ["--J", "4"]])
def test_lorenz96_options_with_lorenz63_are_errors(capsys, option):
    line = _error(capsys, lorenz.main, TINY_LORENZ + option)
    assert option[0] in line and "l96" in line


def test_heat_seed_without_stochastic_rounding_is_an_error(capsys):
    line = _error(capsys, heat.main, TINY_HEAT + ["--seed", "3"])
    assert "--seed" in line and "stochastic" in line


def test_shallow_water_scale_must_be_positive(capsys):
    line = _error(capsys, sw.main, ["--scale", "0"])
    assert "--scale" in line and "positive" in line


# ------------------------------------------------------------------ docs
def test_heat_help_has_no_raw_markup():
    proc = subprocess.run([sys.executable, "-m", "numprec.cases.heat", "--help"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "``" not in proc.stdout and ".." not in proc.stdout.replace("...", "")
    assert "stagnation" in proc.stdout and "--overwrite" in proc.stdout


def test_heat_time_is_a_cf_time_that_xarray_decodes(tmp_path):
    from numprec.cases.heat import simulate
    from numprec.emulate import Policy
    ds = simulate({"years": 2, "output_every": 1}, Policy("e11m10", seed=0))
    path = io.write_dataset(ds, tmp_path / "heat.nc")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with xr.open_dataset(path) as back:
            times = back["time"].values
    # two 365-day years after the start, whatever the calendar object
    assert [(t.year, t.month, t.day) for t in times] == [(1, 1, 1), (2, 1, 1), (3, 1, 1)]
    assert back["time"].encoding["calendar"] in ("365_day", "noleap")


def test_heat_cli_output_time_decodes(tmp_path):
    nc = tmp_path / "h.nc"
    assert heat.main(TINY_HEAT + ["--output", str(nc)]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with xr.open_dataset(nc) as back:
            assert back["T_final"].attrs["units"] == "K"
            t = back["time"].values.item() if back["time"].ndim == 0 else back["time"].values[0]
            assert (t.year, t.month) == (1, 1)


def test_lorenz_table_has_a_legend_and_a_summary_per_experiment(capsys):
    assert lorenz.main(TINY_LORENZ + ["--format", "e11m10"]) == 0
    out = capsys.readouterr().out
    assert "excess" in out and "W1 - baseline" in out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("experiment"))
    assert "tolerance" not in header and "units" not in header
    for label in ("e11m6 nearest_even", "e11m10 stochastic"):
        summary = [line for line in out.splitlines() if line.startswith(f"{label}:")]
        assert len(summary) == 1, out
        assert any(v in summary[0] for v in ("indistinguishable", "distinguishable",
                                             "unstable"))
