"""The logistic map on numprec's case contract (May 1976, "Simple mathematical
models with very complicated dynamics", Nature 261, 459-467).

``x_{n+1} = r x_n (1 - x_n)``; for r = 3.9 the map is chaotic on (0, 1), so
members forget their initial values and the ensemble samples the map's
invariant distribution, which the verifier compares across precisions.

One component, ``map``.  Written with numpy ufuncs only, so it runs on
numprec's emulated arrays; imports only numprec's public API.
"""
from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import xarray as xr

from numprec.cases.base import Case, Model
from numprec.cases.driver import integrate

__all__ = ["CASE", "LogisticParameters", "LogisticModel"]


@dataclasses.dataclass(frozen=True)
class LogisticParameters:
    """r: growth rate (0 < r <= 4); steps: iterations sampled; spinup:
    iterations before sampling; every: iterations between samples."""

    r: float = 3.9
    steps: int = 2000
    spinup: int = 100
    every: int = 1

    def __post_init__(self):
        if not 0 < self.r <= 4:
            raise ValueError(f"r must be in (0, 4], got {self.r!r}")
        for name in ("steps", "every"):
            if not (isinstance(getattr(self, name), int) and getattr(self, name) >= 1):
                raise ValueError(f"{name} must be a positive integer, got "
                                 f"{getattr(self, name)!r}")
        if not (isinstance(self.spinup, int) and self.spinup >= 0):
            raise ValueError(f"spinup must be an integer >= 0, got {self.spinup!r}")


class LogisticState(NamedTuple):
    x: object


@dataclasses.dataclass(frozen=True)
class LogisticMap:
    r: float = 3.9

    def __call__(self, x):
        return (self.r * x) * (1.0 - x)


@dataclasses.dataclass(frozen=True)
class LogisticModel(Model):
    map: LogisticMap = dataclasses.field(default_factory=LogisticMap)

    def step(self, state):
        return LogisticState(self.call("map", state.x))

    def initial_state(self, members, seed=0):
        return LogisticState(np.random.default_rng(seed).uniform(0.1, 0.9, size=members))

    def output(self, state):
        return {"x": state.x}


def build(p: LogisticParameters) -> LogisticModel:
    return LogisticModel(LogisticMap(p.r))


def run(p: LogisticParameters, policy, *, members, ic_seed, progress=False):
    model = build(p)
    traj = integrate(model, model.initial_state(members, ic_seed), policy, steps=p.steps,
                     sample_every=p.every, spinup=p.spinup, progress=progress)
    return xr.Dataset(
        {"x": (("member", "time"), traj.samples["x"].T,
               {"units": "1", "long_name": "logistic map state"})},
        coords={"member": ("member", np.arange(members), {"units": "1"}),
                "time": ("time", traj.steps, {"units": "1", "long_name": "iteration"})},
        attrs={"unstable": int(traj.unstable)})


CASE = Case("logistic", "an ensemble of logistic maps x <- r x (1 - x)", LogisticParameters,
            LogisticModel, build, run, ("x",))
