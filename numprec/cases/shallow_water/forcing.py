"""Zonal wind forcing of the channel (Klöwer et al. 2020)."""
from __future__ import annotations

import copy

import numpy as np

from numprec.cases.shallow_water.grid import ChannelGrid
from numprec.cases.shallow_water.params import ShallowWaterParams

__all__ = ["WindForcing"]


class WindForcing:
    """Steady zonal wind stress ``F_x = F0 / (ρ H0) cos²(π(y/Ly - 1/2))``.

    Divided by the constant rest depth ``H0``, as ShallowWaters.jl does. The
    tendency is constant in time: it is formed once (times Δ and the velocity
    scale ``s``) and added to the zonal momentum tendency by the dynamics.

    Parameters
    ----------
    grid : ChannelGrid
    params : ShallowWaterParams
        Uses ``wind_stress`` (F0 [Pa]), ``rho``, ``H0``.
    """

    def __init__(self, grid: ChannelGrid, params: ShallowWaterParams):
        profile = np.cos(np.pi * (grid.y_T / grid.Ly - 0.5)) ** 2
        #: the physical forcing [m s⁻²] at u-points
        self.Fx = np.broadcast_to((params.wind_stress / (params.rho * params.H0)
                                   * profile)[:, None], (grid.ny, grid.nx)).copy()
        self.F = grid.dx * grid.scale * self.Fx

    def with_constants(self, fn, state=None) -> "WindForcing":
        """A copy with the constant tendency passed through ``fn``."""
        new = copy.copy(self)
        new.F = fn(self.F)
        return new

    def __call__(self):
        """Δ s F_x, the constant zonal tendency (no arithmetic per step)."""
        return self.F
