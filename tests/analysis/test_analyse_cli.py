"""``python -m numprec analyse``: search, bits and mca on the command line.

(Named test_analyse_cli.py: tests/test_cli.py already holds the basename
test_cli, and the suite imports test files by basename.)
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from numprec.__main__ import main
from numprec.analysis import bitinformation

HERE = Path(__file__).parent


def test_search_on_the_toy_case_prints_the_table_and_writes_the_policy(tmp_path, capsys):
    status = main(["analyse", "search", "search_toy_case:TOY", "--bits", "2:12",
                   "--members", "2", "--rounding", "nearest_even", "--quiet",
                   "--output", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line.startswith(("a ", "b "))}
    assert rows["a"][1] == "9" and rows["b"][1] == "4"
    policy = json.loads((tmp_path / "policy.json").read_text())
    assert policy["components"]["a"]["compute"]["mantissa_bits"] == 9
    assert xr.open_dataset(tmp_path / "search.nc")["bits"].values.tolist() == [9, 4]


@pytest.mark.parametrize("argv, message", [
    (["--components", "c"], "'c' is not a component"),
    (["--bits", "9:2"], "candidate list is empty"),
    (["--rule", "minor"], "needs a tolerance"),
    (["--rule", "significant-bits"], "needs --min-bits"),
    (["--param", "nope=1"], "'nope' is not a parameter"),
])
def test_search_bad_input_is_one_clear_line(argv, message, capsys):
    status = main(["analyse", "search", "search_toy_case:TOY", "--quiet", *argv])
    err = capsys.readouterr().err
    assert status == 2
    assert message in err and "Traceback" not in err


def test_bits_of_a_netcdf_variable_matches_the_python_api(tmp_path, capsys):
    rng = np.random.default_rng(0)
    smooth = np.cumsum(rng.standard_normal((8, 256)), axis=1).astype(np.float32)
    ds = xr.Dataset({"u": (("lat", "lon"), smooth, {"units": "m/s"})})
    path = tmp_path / "u.nc"
    ds.to_netcdf(path)
    png = tmp_path / "u.png"
    status = main(["analyse", "bits", str(path), "u", "--dim", "lon", "--plot", str(png)])
    out = capsys.readouterr().out
    assert status == 0
    info = bitinformation(ds["u"], "lon")
    assert f"keepbits: {info.keepbits(0.99)} mantissa bits hold 99 %" in out
    assert png.stat().st_size > 0
    assert main(["analyse", "bits", str(path), "u", "--dim", "time"]) == 2
    assert "no dimension 'time'" in capsys.readouterr().err
    assert main(["analyse", "bits", str(path), "v", "--dim", "lon"]) == 2
    assert "no variable 'v'" in capsys.readouterr().err


def test_mca_of_the_toy_case(capsys):
    # s = t + A + B: at 10 significant bits 1 + 2**-4 and 1 + 2**-9 are exact
    # (no rounding error at all: every sample equals double, 64 bits) ...
    status = main(["analyse", "mca", "search_toy_case:TOY", "--precision", "10",
                   "--samples", "4"])
    out = capsys.readouterr().out
    assert status == 0
    row = [line.split() for line in out.splitlines() if line.strip().startswith("s ")][0]
    assert float(row[1]) == 64.0
    # ... at 9 (8 explicit bits) 1 + 2**-9 is a tie, rounded at random
    main(["analyse", "mca", "search_toy_case:TOY", "--precision", "9", "--samples", "4"])
    row = [line.split() for line in capsys.readouterr().out.splitlines()
           if line.strip().startswith("s ")][0]
    assert float(row[1]) < 64.0


def test_analyse_runs_as_a_module():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "numprec", "analyse", "search",
                           "search_toy_case:TOY", "--components", "b", "--bits", "3:5",
                           "--members", "2", "--rounding", "nearest_even"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert '"mantissa_bits": 4' in proc.stdout
    assert "b e8m3 nearest_even: fail" in proc.stderr


def test_logbook_counts_the_stagnating_add_of_the_toy_case(capsys):
    # under e8m3, 1 + 2**-9 == 1 (component a) in each of the 4 steps; 1 + 2**-4 == 1 (b) too
    status = main(["analyse", "logbook", "search_toy_case:TOY", "--format", "e8m3",
                   "--target", "binary16", "--cost"])
    out = capsys.readouterr().out
    assert status == 0
    rows = {tuple(line.split()[:2]): line.split() for line in out.splitlines()
            if line.startswith(("a ", "b "))}
    assert rows[("a", "add")][2] == "4" and rows[("a", "add")][6] == "4"     # results, stagnation
    assert rows[("b", "add")][6] == "4"
    assert "scaling of each output variable" in out
    assert "results bit-identical: True" in out
