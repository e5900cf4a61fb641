"""A third-party case (plugins/numprec-example-case), pip-installed into a private
directory, is discovered through the entry point group ``numprec`` and runs
through the ensemble runner like a built-in case."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugins" / "numprec-example-case"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                    "--no-build-isolation", "--quiet", "--target", str(target), str(PLUGIN)],
                   check=True)
    return target


def run_python(args, site):
    env = dict(os.environ, PYTHONPATH=str(site))
    proc = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_plugin_case_is_listed_with_its_components(site):
    out = run_python(["-m", "numprec", "cases", "logistic"], site)
    assert out.startswith("logistic  [")
    assert "components: map" in out and "r = 3.9" in out


def test_the_plugin_case_runs_through_the_ensemble_runner(site):
    code = textwrap.dedent("""
        import numpy as np
        import numprec
        from numprec.cases.ensemble import EnsembleSpec, Experiment, run_ensemble

        assert "logistic" in numprec.list_cases()
        case = numprec.get_case("logistic")
        spec = EnsembleSpec("logistic", params={"steps": 400, "spinup": 50},
                            reference_members=200, baseline_members=200, members=200,
                            experiments=(Experiment("e11m20", "nearest_even"),
                                         Experiment("e11m2", "nearest_even")), seed=1)
        res = run_ensemble(spec)
        v = res.verdicts["run_verdict"].to_series()
        w1 = res.verdicts["w1"].sel(variable="x").to_series()
        # 2 significand bits collapse the map onto a handful of values: far from
        # double; 20 bits stay an order of magnitude closer
        assert v["e11m2 nearest_even"] == "distinguishable"
        assert w1["e11m20 nearest_even"] < w1["e11m2 nearest_even"] / 10
        x = res.reference["x"]
        assert x.dims == ("member", "time") and x.sizes["member"] == 200
        # oracle for the double reference: the map iterated with numpy
        p = case.parameters(steps=400, spinup=50)
        from numprec.cases.ensemble import derive_seed
        x0 = np.random.default_rng(derive_seed(1, "ic", 0)).uniform(0.1, 0.9, size=200)
        for _ in range(p.spinup + 1):
            x0 = (p.r * x0) * (1.0 - x0)
        assert np.array_equal(x.values[:, 0], x0)
    """)
    print(run_python(["-c", code], site))
