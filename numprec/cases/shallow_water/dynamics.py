"""Advection, Coriolis, pressure gradient and continuity: the RK4 right-hand side.

Equations (vector-invariant form, ``h = η + H``)::

    ∂u/∂t = + q h v - ∂p/∂x + F_x
    ∂v/∂t = - q h u - ∂p/∂y
    ∂η/∂t = - ∂(u h)/∂x - ∂(v h)/∂y

with potential vorticity ``q = (f + ∂v/∂x - ∂u/∂y) / h`` and Bernoulli
potential ``p = g η + (u² + v²)/2`` on the β-plane ``f = f0 + β (y - Ly/2)``.

Momentum advection and Coriolis follow the energy-conserving and, for
non-divergent mass flux, enstrophy-conserving scheme of Arakawa & Hsu (1990,
Mon. Wea. Rev. 118, 1960-1969) with τ = 0, as ShallowWaters.jl does: each pair
of a u-point and a v-point sharing a cell corner is coupled through the triad
``(q_shared + its two neighbouring corners of that cell) / 12``; the v-equation
uses the same coefficients, transposed, so the vortex force does no work and
the semi-discrete energy ``Σ_T (h K + g η²/2) Δ²`` is conserved.

Tendencies are computed multiplied by Δ ("non-dimensional gradients", Klöwer
et al. 2020, as in ShallowWaters.jl): finite differences are raw differences of
neighbours and the time step is Δt/Δ, which keeps constants such as 1/Δ = 5e-5
m⁻¹ (subnormal in Float16) out of the arithmetic. With the state scaled (u, v
by ``s``, η by ``s_η``) every term is written so that the scales cancel
analytically; the extra factors are powers of two or folded into existing
constants, so they cost no operation: kinetic energy is formed from velocities
times ``1/(2√s)`` before squaring, mass fluxes are ``u h / 8``, and the PV is
normalised before it multiplies the mass fluxes.
"""
from __future__ import annotations

import copy
import math

import numpy as np

from numprec.cases.shallow_water.grid import FLUX_FACTOR, ChannelGrid, east, west
from numprec.cases.shallow_water.params import ShallowWaterParams

__all__ = ["ArakawaHsuDynamics"]


class ArakawaHsuDynamics:
    """Δ times the adiabatic tendencies on the C-grid (Arakawa & Hsu 1990).

    Parameters
    ----------
    grid : ChannelGrid
    params : ShallowWaterParams
        Uses ``g``, ``lat``, ``omega``, ``radius``, ``f0``, ``beta``.
    """

    def __init__(self, grid: ChannelGrid, params: ShallowWaterParams):
        p = params
        phi = math.radians(p.lat)
        self.f0 = 2 * p.omega * math.sin(phi) if p.f0 is None else float(p.f0)
        self.beta = 2 * p.omega * math.cos(phi) / p.radius if p.beta is None else float(p.beta)
        self.f_q = np.broadcast_to(
            (self.f0 + self.beta * (grid.y_q - grid.Ly / 2))[:, None],
            (grid.ny + 1, grid.nx)).copy()
        s, se, k = grid.scale, grid.scale_eta, FLUX_FACTOR
        # divergence of k·s-scaled fluxes -> s_η-scaled η tendency; the factor is
        # folded into the η time step (see continuity_factor)
        self.continuity_factor = se / (s * k)
        # PV: q' = (s Δ f + Δ ζ_s) / (2 k h_q) · c_q = Δ q / (12 k), so that triad
        # sums times the fluxes V' = k s v h give Δ s (q h v)
        self.fq_s = s * grid.dx * self.f_q
        self.c_q = 1.0 / (6.0 * s)
        # Bernoulli potential (scaled by s): p_s = g (s/s_η) η_s + Σ4 (u_s/(2√s))²
        self.c_ke = 1.0 / (2.0 * math.sqrt(s))
        self.g = float(p.g)
        self.c_g = p.g * s / se

    def with_constants(self, fn, state=None) -> "ArakawaHsuDynamics":
        """A copy with the constant arrays passed through ``fn``."""
        new = copy.copy(self)
        new.fq_s = fn(self.fq_s)
        return new

    def __call__(self, u, v, eta, *, grid: ChannelGrid, extra_u=None):
        """Δ times the tendencies of the scaled state.

        Parameters
        ----------
        u, v, eta : arrays
            The scaled state (``s u``, ``s v``, ``s_η η``).
        grid : ChannelGrid
            The grid (with the run's constants).
        extra_u : array, optional
            A further zonal tendency (times Δ and ``s``) added to the result,
            such as the wind forcing.

        Returns
        -------
        du, dv, deta
            Δ times the tendencies of ``s u`` and ``s v``, and that of
            ``s_η η`` divided by :attr:`continuity_factor`.
        """
        # layer thickness (times k) at centres, u-faces, v-rows (walls included), corners
        hh = grid.half_thickness(eta)                        # k h/2
        hu = hh + west(hh)                                   # k h at u-points
        hhp = np.concatenate((hh[..., :1, :], hh, hh[..., -1:, :]), axis=-2)
        hy = hhp[..., 1:, :] + hhp[..., :-1, :]              # k h at v-rows
        hq2 = hy + west(hy)                                  # 2 k h at q-points

        # mass fluxes (V = 0 on the walls)
        zeros = grid.zero_rows(v.shape)
        vp = np.concatenate((zeros, v, zeros), axis=-2)      # v on all ny+1 v-rows
        U = u * hu
        UE = east(U)
        V = vp * hy
        VS, VN = V[..., :-1, :], V[..., 1:, :]               # south/north face of each cell

        # continuity (times s k / s_η: the factor is applied in the time step)
        deta = (U - UE) + (VS - VN)

        # potential vorticity at corners (normalised: triad sums times V give Δ s q h v)
        dvdx = vp - west(vp)
        up = np.concatenate((u[..., :1, :], u, u[..., -1:, :]), axis=-2)
        if grid.c_mask is not None:
            up = up * grid.c_mask
        dudy = up[..., 1:, :] - up[..., :-1, :]
        q = (self.fq_s + (dvdx - dudy)) / hq2 * self.c_q

        # Bernoulli potential at centres
        ue = u * self.c_ke
        ve = vp * self.c_ke
        usq = ue * ue
        vsq = ve * ve
        ke = (usq + east(usq)) + (vsq[..., 1:, :] + vsq[..., :-1, :])
        pot = eta * self.c_g + ke

        # Arakawa & Hsu (1990) triads of each cell; corners SW, SE, NW, NE
        qE = east(q)
        qSW, qNW = q[..., :-1, :], q[..., 1:, :]
        qSE, qNE = qE[..., :-1, :], qE[..., 1:, :]
        north = qNW + qNE
        south = qSW + qSE
        t_nw = north + qSW    # shared corner NW: (u west face, v north face)
        t_ne = north + qSE    # shared corner NE: (u east face, v north face)
        t_se = south + qNE    # shared corner SE: (u east face, v south face)
        t_sw = south + qNW    # shared corner SW: (u west face, v south face)

        # q h v at u-points: own cell (u on its west face) + western cell (u on east face)
        qhv = (t_nw * VN + t_sw * VS) + west(t_ne * VN + t_se * VS)
        # q h u at interior v-points: southern cell (v on its north face) + northern cell
        south_part = t_nw * U + t_ne * UE
        north_part = t_sw * U + t_se * UE
        qhu = south_part[..., :-1, :] + north_part[..., 1:, :]

        du = (west(pot) - pot) + qhv
        if extra_u is not None:
            du = du + extra_u
        dv = (pot[..., :-1, :] - pot[..., 1:, :]) - qhu
        return du, dv, deta
