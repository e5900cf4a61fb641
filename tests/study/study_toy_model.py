"""A small case for the study tests, and the helpers the study tests share
(:func:`write_study`, :func:`run_cli`): on the case contract: a damped random
walk of a batch of members whose every operation is rounded under the
experiment's policy (so precision and seeds matter), slow enough per task
that a run can be interrupted part-way.

``CASE`` declares its parameters and variables as every case does;
``UNDECLARED`` is the same case without ``variables`` (a case the runner
cannot check when it reads the study file)."""
import contextlib
import dataclasses
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import xarray as xr


@dataclasses.dataclass(frozen=True)
class ToyParameters:
    steps: int = 200
    sleep: float = 0.0
    mark: str = ""


class ToyCase:
    name = "toy"
    description = "a damped random walk"
    parameters = ToyParameters
    components = ()

    def __init__(self, variables=("x",)):
        self.variables = variables

    def run(self, params, policy=None, *, members, ic_seed):
        from numprec import emulate

        p = ToyParameters(**params)
        if p.mark:                        # tell a test that this task started
            Path(p.mark).mkdir(parents=True, exist_ok=True)
            (Path(p.mark) / f"{ic_seed}-{os.getpid()}").touch()
        rng = np.random.default_rng(ic_seed)
        noise = rng.standard_normal((p.steps, members, 64))
        out = np.empty_like(noise)
        x = np.zeros((members, 64)) if policy is None else policy.store(np.zeros((members, 64)))
        with policy if policy is not None else contextlib.nullcontext():
            for step in range(p.steps):
                x = 0.99 * x + noise[step]
                if policy is not None:
                    x = policy.store(x)
                out[step] = emulate.to_numpy(x) if policy is not None else x
        time.sleep(p.sleep)
        return xr.Dataset({"x": (("time", "member", "cell"), out, {"units": "1"})},
                          coords={"time": ("time", np.arange(p.steps), {"units": "1"})}
                          ).transpose("member", "time", "cell")


CASE = ToyCase()
UNDECLARED = ToyCase(variables=None)


HERE = Path(__file__).resolve().parent


def write_study(path, output, *, name="toy", case="study_toy_model:CASE", steps=20,
                seed=7, sleep=0.0, mark="", store="netcdf", members=(2, 2, 2),
                formats=("e11m4",), roundings=("nearest_even",), spinup=0,
                variables=("x",), extra_model="", extra=""):
    """Write a toy study file; ``members`` = (reference, baseline, per experiment)."""
    def toml_list(items):
        return "[" + ", ".join(f'"{v}"' for v in items) + "]"

    reference, baseline, per_experiment = members
    Path(path).write_text(textwrap.dedent(f"""
        [study]
        name = "{name}"
        case = "{case}"
        output = "{output}"
        store = "{store}"
        seed = {seed}

        [model]
        steps = {steps}
        sleep = {sleep}
        mark = "{mark}"
        {extra_model}

        [ensemble]
        reference_members = {reference}
        baseline_members = {baseline}
        members = {per_experiment}

        [grid]
        formats = {toml_list(formats)}
        roundings = {toml_list(roundings)}

        [verify]
        variables = {toml_list(variables)}
        spinup = {spinup}
    """) + textwrap.dedent(extra))
    return Path(path)


def cli_command(path, *extra):
    """``python -m numprec study PATH ...`` and an environment in which its
    workers find this module."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE),
                                                       os.environ.get("PYTHONPATH", "")]))
    return [sys.executable, "-m", "numprec", "study", str(path), *extra], env


def run_cli(path, *extra, timeout=300, **kwargs):
    """Run :func:`cli_command` to completion (text output captured)."""
    args, env = cli_command(path, *extra)
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout,
                          **kwargs)
