"""Classical fourth-order Runge-Kutta time stepping (component ``time_stepping``).

``x + dt/6 (k1 + 2 k2 + 2 k3 + k4)`` with ``k1 = f(x)``, ``k2 = f(x + dt/2
k1)``, ``k3 = f(x + dt/2 k2)``, ``k4 = f(x + dt k3)``, evaluated in exactly
this order and grouping (the operation order fixes the round-to-nearest
bias, see docs/lorenz.md)::

    increment = (dt/6) * (((k1 + 2 k2) + 2 k3) + k4)

The constants ``dt/2``, ``dt`` and ``dt/6`` are computed in double and enter
as Python floats (rounded to the compute format where they are used).

With ``compensated=True`` the increment is added to the state by Kahan's
compensated summation (:func:`numprec.cases.driver.compensated_add`), the
compensation carried in the state and stored like it, so increments smaller
than half a unit in the last place of the state are not lost (Klöwer et al.
2022, JAMES 14).
"""
from __future__ import annotations

import dataclasses
from typing import Callable, NamedTuple

import numpy as np

from numprec.cases.driver import compensated_add

__all__ = ["RK4", "LorenzState"]


class LorenzState(NamedTuple):
    """``x``: the state, shape (nvar, members); ``compensation``: the Kahan
    term of compensated time stepping (None otherwise, and before the first
    compensated step)."""

    x: object
    compensation: object = None


@dataclasses.dataclass(frozen=True)
class RK4:
    """Classical Runge-Kutta step of size ``dt``.

    Parameters
    ----------
    dt : float
        Time step (model time units).
    compensated : bool
        Kahan-compensated addition of the increment.
    """

    dt: float = 0.01
    compensated: bool = False

    def __post_init__(self):
        if not (isinstance(self.dt, (int, float, np.floating)) and np.isfinite(self.dt)
                and self.dt > 0):
            raise ValueError(f"dt must be a positive number, got {self.dt!r}")

    def increment(self, x, tendency: Callable):
        """The RK4 increment ``dt/6 (k1 + 2 k2 + 2 k3 + k4)`` of state ``x``."""
        dt = self.dt
        half = 0.5 * dt
        k1 = tendency(x)
        k2 = tendency(x + half * k1)
        k3 = tendency(x + half * k2)
        k4 = tendency(x + dt * k3)
        return (dt / 6.0) * (((k1 + 2.0 * k2) + 2.0 * k3) + k4)

    def __call__(self, state: LorenzState, tendency: Callable) -> LorenzState:
        """One step of ``state`` with the right-hand side ``tendency``."""
        if not self.compensated:
            return LorenzState(state.x + self.increment(state.x, tendency), None)
        c = state.compensation
        if c is None:                   # the first step: zero, before the increment
            c = state.x - state.x
        x, c = compensated_add(state.x, self.increment(state.x, tendency), c)
        return LorenzState(x, c)
