"""The Lorenz model: a dataclass of two components, ``tendencies`` and ``time_stepping``.

``step`` calls them in this order: the time stepper (RK4) advances the
state, calling the tendencies (Lorenz 63 or Lorenz 96) four times.  A
policy configures either by its field name, e.g.
``Policy("binary32", components={"tendencies": "fp16"})`` (16-bit
tendencies with a 32-bit state and time stepping, as Klöwer et al. 2020).
"""
from __future__ import annotations

import dataclasses
from typing import Union

import numpy as np

from numprec.cases.base import Model
from numprec.cases.lorenz.parameters import LorenzParameters
from numprec.cases.lorenz.tendencies import Lorenz63, Lorenz96
from numprec.cases.lorenz.time_stepping import RK4, LorenzState

__all__ = ["LorenzModel", "LorenzState", "build"]


@dataclasses.dataclass(frozen=True)
class LorenzModel(Model):
    """Lorenz 63 or 96 with RK4 time stepping.

    Parameters
    ----------
    tendencies : Lorenz63 or Lorenz96
        The right-hand side (component ``"tendencies"``).
    time_stepping : RK4
        The time stepper (component ``"time_stepping"``).
    """

    tendencies: Union[Lorenz63, Lorenz96] = dataclasses.field(default_factory=Lorenz63)
    time_stepping: RK4 = dataclasses.field(default_factory=RK4)

    def step(self, state: LorenzState) -> LorenzState:
        """One time step: ``time_stepping(state, tendencies)``."""
        return self.call("time_stepping", state, self.rhs)

    def rhs(self, x):
        """The tendencies of ``x``, inside their component's policy."""
        return self.call("tendencies", x)

    def initial_state(self, members: int, seed=0, *, spinup_steps: int = 0) -> LorenzState:
        """``members`` random states (``numpy.random.default_rng(seed)``), shape
        (nvar, members), integrated in double for ``spinup_steps`` plain RK4
        steps so they lie on the attractor."""
        rng = np.random.default_rng(seed)
        x = self.tendencies.random_state(members, rng)
        with np.errstate(all="ignore"):
            for _ in range(spinup_steps):
                x = x + self.time_stepping.increment(x, self.tendencies)
        return LorenzState(x)

    def output(self, state: LorenzState) -> dict:
        """``{"x", "y", "z"}`` (Lorenz 63, each (members,)) or ``{"X"[, "Y"]}``
        (Lorenz 96, (K, members) and (K J, members))."""
        return self.tendencies.variables(state.x)


def build(p: LorenzParameters) -> LorenzModel:
    """The model of a :class:`LorenzParameters`.

    Parameters
    ----------
    p : LorenzParameters

    Returns
    -------
    LorenzModel
        Lorenz-63 or Lorenz-96 tendencies (``p.system``) and RK4 time
        stepping.

    Examples
    --------
    >>> from numprec.cases.lorenz import LorenzParameters, build
    >>> build(LorenzParameters()).components()
    ('tendencies', 'time_stepping')
    """
    if p.system == "l63":
        tendencies = Lorenz63(sigma=p.sigma, rho=p.rho, beta=p.beta)
    else:
        tendencies = Lorenz96(K=p.K, F=p.F, J=p.J, h=p.h, c=p.c, b=p.b)
    return LorenzModel(tendencies, RK4(dt=p.dt, compensated=bool(p.compensated)))
