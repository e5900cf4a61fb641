"""Bottom drag and biharmonic viscosity, applied once per time step.

Klöwer et al. (2020) and ShallowWaters.jl evaluate both on the RK4 result and
add them with one forward-Euler step ("semi-implicit" in their wording: the
dissipation uses the new state). Both work on the scaled state and return
Δt times the tendency of the scaled u and v.
"""
from __future__ import annotations

import math

import numpy as np

from numprec.cases.shallow_water.grid import FLUX_FACTOR, ChannelGrid, east, west

__all__ = ["QuadraticDrag", "BiharmonicViscosity", "default_viscosity"]


def default_viscosity(dx: float) -> float:
    """ShallowWaters.jl's constant biharmonic coefficient, ``500 m²/s · Δ³ / 30 km``
    (linear scaling from 540 m²/s at Δ = 30 km): 1.33e11 m⁴ s⁻¹ at Δ = 20 km."""
    return 500.0 * dx**3 / 30e3


class QuadraticDrag:
    """Quadratic bottom drag ``B = -c_D |u| u / h``.

    ``|u|`` is formed at cell centres from the Bernoulli kinetic energy and
    interpolated to the faces.

    Parameters
    ----------
    grid : ChannelGrid
    drag : float
        c_D [dimensionless] (Klöwer et al. 2020: 1e-5).
    dt : float
        Time step [s].
    """

    def __init__(self, grid: ChannelGrid, drag: float, dt: float):
        self.drag = float(drag)
        self.c_speed = 1.0 / (grid.scale * math.sqrt(2.0))   # |u|_T = sqrt(Σ4 (u_s c)²)
        self.c_drag = -0.5 * FLUX_FACTOR * self.drag * dt     # ½: |u| interpolated to faces

    def __call__(self, u, v, eta, *, grid: ChannelGrid):
        """Δt times the drag tendency of the scaled ``(u, v)``."""
        hh = grid.half_thickness(eta)                        # k h/2
        hu = hh + west(hh)
        hv = hh[..., 1:, :] + hh[..., :-1, :]
        ue = u * self.c_speed
        ve = grid.ghost_v(v * self.c_speed)
        usq = ue * ue
        vsq = ve * ve
        speed = np.sqrt((usq + east(usq)) + (vsq[..., 1:, :] + vsq[..., :-1, :]))
        speed_u = speed + west(speed)
        speed_v = speed[..., 1:, :] + speed[..., :-1, :]
        return (speed_u / hu) * u * self.c_drag, (speed_v / hv) * v * self.c_drag


class BiharmonicViscosity:
    """Constant-coefficient biharmonic viscosity ``V = -ν ∇⁴u`` (Klöwer et al. 2020).

    The 5-point Laplacian is applied twice; the wall ghost rows of u and of
    ∇²u follow the same rule ``(1 - α) edge`` (the exact odd or even
    extension), those of v and ∇²v are zero.

    Parameters
    ----------
    grid : ChannelGrid
    nu : float
        ν [m⁴ s⁻¹] (:func:`default_viscosity`).
    dt : float
        Time step [s].
    """

    def __init__(self, grid: ChannelGrid, nu: float, dt: float):
        self.nu = float(nu)
        self.c_visc = -self.nu * dt / grid.dx**4

    @staticmethod
    def laplace(a, ghost_rows):
        """Raw 5-point Laplacian (Δ² ∇²) of ``a`` with the given ghost-row builder."""
        ap = ghost_rows(a)
        return ((ap[..., 2:, :] + ap[..., :-2, :]) + (east(a) + west(a))) - a * 4.0

    def increment(self, u, v, grid: ChannelGrid):
        """Δt times the viscous tendency of the scaled ``(u, v)``."""
        g = grid
        llu = self.laplace(self.laplace(u, g.ghost_u), g.ghost_u) * self.c_visc
        llv = self.laplace(self.laplace(v, g.ghost_v), g.ghost_v) * self.c_visc
        return llu, llv

    def __call__(self, u, v, inc_u=None, inc_v=None, *, grid: ChannelGrid):
        """``(inc_u, inc_v)`` (None: nothing) plus :meth:`increment`."""
        llu, llv = self.increment(u, v, grid)
        if inc_u is None:
            return llu, llv
        return inc_u + llu, inc_v + llv
