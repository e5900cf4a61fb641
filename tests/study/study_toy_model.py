"""A small model for the study-runner tests: a damped random walk whose
increments are rounded by numprec (so precision and seeds matter), slow
enough per member that a run can be interrupted part-way.

It declares what a study may ask of it (``parameters``, ``policies``,
``variables``), as the built-in models do; ``run_member_undeclared`` is the
same model without the declarations (a user model the runner cannot check
when it reads the study file)."""
import os
import time
from pathlib import Path

import numpy as np
import xarray as xr

import numprec


def run_member(params, task):
    if params.get("mark"):                # tell a test that this member started
        Path(params["mark"]).mkdir(parents=True, exist_ok=True)
        (Path(params["mark"]) / f"{task.kind}-{task.member}-{os.getpid()}").touch()
    rng = np.random.default_rng(task.ic_seed)
    n = int(params.get("steps", 200))
    x = np.zeros(64)
    out = np.empty((n, x.size))
    for step in range(n):
        x = 0.99 * x + rng.standard_normal(x.size)
        if task.format is not None:
            x = numprec.round(x, task.format, task.rounding, seed=task.seed, stream=step)
        out[step] = x
    time.sleep(float(params.get("sleep", 0.0)))
    return xr.Dataset({"x": (("time", "cell"), out, {"units": "1"})},
                      coords={"time": np.arange(n)})


def run_member_undeclared(params, task):
    return run_member(params, task)


run_member.parameters = {"steps": 200, "sleep": 0.0, "mark": ""}
run_member.policies = ("all",)
run_member.variables = ("x",)
