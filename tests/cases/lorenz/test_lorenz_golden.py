"""The Lorenz case on the contract reproduces the flat modules it replaced, bit for bit.

The golden files were made by tests/cases/data/make_golden.py with the old
``numprec.cases.lorenz.simulate`` (see that script for the commit); every
sample is compared by its float64 bits, NaN positions included.
"""
from pathlib import Path

import numpy as np
import pytest

from numprec.cases.lorenz import CASE
from numprec.emulate import Policy

DATA = Path(__file__).parent.parent / "data"
NAMES = sorted(p.stem[len("lorenz_"):] for p in DATA.glob("lorenz_*.npz"))
#: the longest two-scale emulated runs: with --runslow (the other runs cover the same code)
SLOW = {"l96x2_e5m10_sr", "l96x2_fp32_tendencies_bf16_sr"}


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def test_the_golden_files_are_there():
    assert len(NAMES) == 17


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n
                                  for n in NAMES])
def test_reproduces_the_golden_run(name):
    g = np.load(DATA / f"lorenz_{name}.npz")
    system = str(g["system"])
    params = {"system": system, "dt": float(g["dt"]), "time": float(g["time_units"]),
              "spinup": float(g["spinup"]), "sample_every": float(g["sample_every"]),
              "compensated": bool(g["compensated"])}
    if system == "l96":
        params.update(K=int(g["K"]), J=int(g["J"]))
    policy = None
    if str(g["format"]):
        comps = {"tendencies": str(g["tendencies"])} if str(g["tendencies"]) else None
        policy = Policy(str(g["format"]), rounding=str(g["rounding"]), seed=int(g["seed"]),
                        components=comps)
    ds = CASE.run(params, policy, members=int(g["members"]), ic_seed=int(g["ic_seed"]))
    names = ["x", "y", "z"] if system == "l63" else ["X", "Y"] if int(g["J"]) else ["X"]
    # golden layout: (time, nvar, member); the Dataset's: (member, time[, index])
    got = np.concatenate([ds[v].values.reshape(ds.sizes["member"], ds.sizes["time"], -1)
                          .transpose(1, 2, 0) for v in names], axis=1)
    assert np.array_equal(bits(got), bits(g["samples"]))
    assert np.array_equal(bits(ds["time"].values), bits(g["time"]))
    assert ds.attrs["unstable"] == int(np.isnan(g["samples"]).any())
