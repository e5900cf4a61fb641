"""Heat diffusion in a soil column: a dataclass of three components.

The one-dimensional heat equation ``∂T/∂t = D ∂²T/∂z²`` of Dawson, Düben,
MacLeod & Palmer (2018), "Reliable low precision simulations in land surface
models", Clim. Dyn. 51, 2657-2666, as used by Paxton et al. (2022), J.
Climate 35, §4: forward Euler in time, centred differences in space,

    T_k^{n+1} = T_k^n + K (T_{k+1}^n - 2 T_k^n + T_{k-1}^n),   K = D Δt / Δz².

``step`` calls ``time_stepping`` (forward Euler), which asks for the
increment: ``boundaries`` pads the column, ``diffusion`` differences it.
Every step adds a small increment (K ≈ 1.3e-3 times a curvature of at most a
few kelvin) to a value near 275 K: with round-to-nearest it is lost once it
is below half a unit in the last place of T (stagnation); stochastic
rounding keeps it in expectation.

The state has shape ``(member, N)``: members are independent columns
integrated at once.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from numprec.cases.base import Model, setting
from numprec.cases.heat.boundaries import SurfaceAndInsulatedBottom
from numprec.cases.heat.diffusion import CentredDiffusion
from numprec.cases.heat.parameters import HeatParameters
from numprec.cases.heat.time_stepping import ForwardEuler, HeatState

__all__ = ["HeatModel", "HeatState", "build"]


@dataclasses.dataclass(frozen=True)
class HeatModel(Model):
    """The soil column.

    Parameters
    ----------
    boundaries : SurfaceAndInsulatedBottom
    diffusion : CentredDiffusion
    time_stepping : ForwardEuler
    T_initial : float
        Initial temperature [K] (a setting, not a component).
    nz : int
        Nodes below the surface (a setting: the grid size).
    """

    boundaries: SurfaceAndInsulatedBottom
    diffusion: CentredDiffusion
    time_stepping: ForwardEuler
    T_initial: float = setting(273.15)
    nz: int = setting(60)

    def step(self, state: HeatState) -> HeatState:
        """One step: ``time_stepping(state, increment)``."""
        return self.call("time_stepping", state, self.increment)

    def increment(self, T):
        """``diffusion(boundaries(T))``, each inside its component's policy."""
        return self.call("diffusion", self.call("boundaries", T))

    def initial_state(self, members: int, seed=0) -> HeatState:
        """``members`` columns at ``T_initial`` (the column has no random
        initial conditions: ``seed`` is not used)."""
        return HeatState(np.full((members, self.nz), float(self.T_initial)))

    def output(self, state: HeatState) -> dict:
        """``{"T": temperature}`` of one sample [K]."""
        return {"T": state.T}


def build(p: HeatParameters) -> HeatModel:
    """The model of a :class:`HeatParameters`.

    Parameters
    ----------
    p : HeatParameters

    Returns
    -------
    HeatModel
        Surface and insulated-bottom boundaries, centred diffusion and
        forward-Euler time stepping.
    """
    return HeatModel(SurfaceAndInsulatedBottom(p.T_surface), CentredDiffusion(p.K),
                     ForwardEuler(bool(p.compensated)), T_initial=p.T_initial, nz=p.nz)
