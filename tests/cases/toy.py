"""A two-component toy model on the case contract, for the base and driver tests.

Forward Euler of linear decay with forcing, ``x <- x + dt (f - λ x)``: the
component ``decay`` computes ``f - λ x`` (``f`` a constant array), the
component ``time_stepping`` adds ``dt * tendency``.  Every operation is
written out so an op-by-op reference with ``numprec.round`` is easy.
"""
from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from numprec.cases.base import Component, Model


class ToyState(NamedTuple):
    x: object
    unused: object = None


@dataclasses.dataclass(frozen=True)
class Decay(Component):
    rate: float = 0.5
    forcing: np.ndarray = dataclasses.field(default_factory=lambda: np.array([0.1, 0.3]))

    def __call__(self, x):
        return self.forcing - self.rate * x


@dataclasses.dataclass(frozen=True)
class Euler:
    dt: float = 0.1

    def __call__(self, x, tendency):
        return x + self.dt * tendency(x)


@dataclasses.dataclass(frozen=True)
class ToyModel(Model):
    decay: Decay = dataclasses.field(default_factory=Decay)
    time_stepping: Euler = dataclasses.field(default_factory=Euler)

    def step(self, state):
        x = self.call("time_stepping", state.x, lambda y: self.call("decay", y))
        return ToyState(x)

    def initial_state(self, members, seed):
        rng = np.random.default_rng(seed)
        return ToyState(rng.normal(size=(members, 2)))

    def output(self, state):
        return {"x": state.x}
