"""The heat case on the contract reproduces the flat modules it replaced, bit for bit.

Golden files: tests/cases/data/make_golden.py (old ``numprec.cases.heat.simulate``,
one unbatched column); here one member of a batch, float64 bits compared.
"""
from pathlib import Path

import numpy as np
import pytest

from numprec.cases.heat import CASE
from numprec.emulate import Policy

DATA = Path(__file__).parent.parent / "data"
NAMES = sorted(p.stem[len("heat_"):] for p in DATA.glob("heat_*.npz"))
SETTINGS = ("time", "T", "format", "rounding", "seed")


def test_the_golden_files_are_there():
    assert len(NAMES) == 8


@pytest.mark.parametrize("name", NAMES)
def test_reproduces_the_golden_run(name):
    g = np.load(DATA / f"heat_{name}.npz")
    params = {k: bool(g[k]) if k == "compensated" else float(g[k])
              for k in g.files if k not in SETTINGS}
    policy = None
    if str(g["format"]):
        policy = Policy(str(g["format"]), rounding=str(g["rounding"]), seed=int(g["seed"]))
    ds = CASE.run(params, policy, members=1)
    assert np.array_equal(ds["T"].values[0].view(np.uint64), g["T"].view(np.uint64))
    assert np.array_equal(ds["time"].values.view(np.uint64), g["time"].view(np.uint64))
