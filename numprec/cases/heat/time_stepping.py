"""Forward Euler (component ``time_stepping``), optionally Kahan compensated."""
from __future__ import annotations

import dataclasses
from typing import Callable, NamedTuple

from numprec.cases.driver import compensated_add

__all__ = ["ForwardEuler", "HeatState"]


class HeatState(NamedTuple):
    """Column temperatures ``T`` [K], shape ``(member, N)``, and the Kahan term
    (None without compensation and before the first compensated step)."""

    T: object
    compensation: object = None


@dataclasses.dataclass(frozen=True)
class ForwardEuler:
    """``T + increment(T)``; with ``compensated`` by Kahan summation
    (:func:`numprec.cases.driver.compensated_add`): with round-to-nearest the
    increment is otherwise lost once it is below half an ulp of T
    (stagnation)."""

    compensated: bool = False

    def __call__(self, state: HeatState, increment: Callable) -> HeatState:
        if not self.compensated:
            return HeatState(state.T + increment(state.T), None)
        c = state.compensation
        if c is None:                   # the first step: zero, before the increment
            c = state.T - state.T
        T, c = compensated_add(state.T, increment(state.T), c)
        return HeatState(T, c)
