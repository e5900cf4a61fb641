"""The Arakawa C-grid of the zonally periodic channel, and the layer thickness.

Array layout ``[..., y, x]`` (leading dimensions are an ensemble integrated at
once): η, h, H at cell centres ``((i+½)Δ, (j+½)Δ)``, shape ``(ny, nx)``; u at
west faces ``(iΔ, (j+½)Δ)``, shape ``(ny, nx)``; v at the interior south/north
faces ``((i+½)Δ, jΔ)``, j = 1..ny-1, shape ``(ny-1, nx)`` (v = 0 on the walls is
not stored); q at corners ``(iΔ, jΔ)``, j = 0..ny, shape ``(ny+1, nx)``.

Only numpy ufuncs, basic slicing and ``np.concatenate`` touch the state, so
any array type implementing ``__array_ufunc__``/``__array_function__`` (such as
numprec's emulated arrays) runs the model unchanged.
"""
from __future__ import annotations

import copy
import math

import numpy as np

from numprec.cases.shallow_water.params import ShallowWaterParams

__all__ = ["FLUX_FACTOR", "ChannelGrid", "east", "west"]

#: Mass fluxes are computed as k u h (k = 1/8, a power of two, so exact): with u
#: scaled by 2^6, u h alone would reach the Float16 maximum 65504 at 2 m/s.
FLUX_FACTOR = 0.125


def east(a):
    """Value at the next point east (x index i+1), periodic in x."""
    return np.concatenate((a[..., 1:], a[..., :1]), axis=-1)


def west(a):
    """Value at the next point west (x index i-1), periodic in x."""
    return np.concatenate((a[..., -1:], a[..., :-1]), axis=-1)


class ChannelGrid:
    """Geometry, coordinates, topography and wall ghost rows of the channel.

    The layer thickness is formed from the (scaled) prognostic η as ``k h/2 =
    η_s · k/(2 s_η) + k H/2`` (``k`` = :data:`FLUX_FACTOR`), so that face
    interpolations are plain sums and mass fluxes carry the factor ``k``.

    Parameters
    ----------
    params : ShallowWaterParams
    """

    def __init__(self, params: ShallowWaterParams):
        p = params
        self.nx = nx = int(p.nx)
        self.dx = dx = p.Lx / nx
        self.ny = ny = int(round(p.Ly / dx))
        self.Lx = p.Lx
        self.Ly = ny * dx
        self.x_T = (np.arange(nx) + 0.5) * dx
        self.y_T = (np.arange(ny) + 0.5) * dx
        self.x_u = np.arange(nx) * dx
        self.y_v = np.arange(1, ny) * dx
        self.y_q = np.arange(ny + 1) * dx
        if p.topography == "ridge":
            ridge = p.ridge_height * np.exp(-((self.x_T - p.Lx / 2) ** 2) / (2 * p.ridge_width**2))
        else:
            ridge = np.zeros(nx)
        self.H = np.broadcast_to(p.H0 - ridge, (ny, nx)).copy()
        self.slip = float(p.slip)
        self.scale, self.scale_eta = float(p.scale), float(p.scale_eta)
        k = FLUX_FACTOR
        self.c_eta_half = 0.5 * k / self.scale_eta
        self.H_half = 0.5 * k * self.H
        # ghost rows of u (and ∇²u): (1 - α) times the edge row
        mask = np.ones((ny + 2, 1))
        mask[0] = mask[-1] = 1.0 - p.slip
        self.mask = mask
        self.c_mask = None if p.slip == 0.0 else mask    # free slip: plain copy
        self._convert = None
        self._zeros = {}

    def with_constants(self, fn, state=None) -> "ChannelGrid":
        """A copy whose constant arrays have been passed through ``fn``
        (e.g. ``policy.constant``), converted once rather than every step
        (the :class:`numprec.cases.base.Component` protocol)."""
        new = copy.copy(self)
        new.H_half = fn(self.H_half)
        new.c_mask = None if self.c_mask is None else fn(self.c_mask)
        new._convert = fn
        new._zeros = {}
        return new

    def half_thickness(self, eta):
        """``k h / 2`` at cell centres from the scaled η."""
        return eta * self.c_eta_half + self.H_half

    def zero_rows(self, like_shape):
        """A row of zeros shaped ``(..., 1, nx)`` for wall values (cached)."""
        key = tuple(like_shape[:-2])
        z = self._zeros.get(key)
        if z is None:
            z = np.zeros(key + (1, self.nx))
            if self._convert is not None:
                z = self._convert(z)
            self._zeros[key] = z
        return z

    def ghost_u(self, a):
        """``a`` at u-points (or ∇²u) with the wall ghost rows ``(1 - α) edge``."""
        ap = np.concatenate((a[..., :1, :], a, a[..., -1:, :]), axis=-2)
        return ap * self.c_mask if self.c_mask is not None else ap

    def ghost_v(self, a):
        """``a`` at interior v-points with the wall rows (zero) added."""
        zeros = self.zero_rows(a.shape)
        return np.concatenate((zeros, a, zeros), axis=-2)

    def check_shapes(self, u, v, eta):
        """Raise ValueError naming the field whose shape does not fit the grid."""
        ny, nx = self.ny, self.nx
        su, sv, se = (tuple(getattr(a, "shape", ())) for a in (u, v, eta))
        if su[-2:] != (ny, nx):
            raise ValueError(f"u must have shape (..., {ny}, {nx}), got {su}")
        if sv[-2:] != (ny - 1, nx):
            raise ValueError(f"v must have shape (..., {ny - 1}, {nx}) "
                             f"(interior v-points, walls excluded), got {sv}")
        if se[-2:] != (ny, nx):
            raise ValueError(f"eta must have shape (..., {ny}, {nx}), got {se}")
        if not (su[:-2] == sv[:-2] == se[:-2]):
            raise ValueError(f"u, v, eta must share leading dimensions, got {su}, {sv}, {se}")


def default_time_step(params: ShallowWaterParams, dx: float) -> float:
    """``floor(Δ / sqrt(g H0))`` seconds, or ``params.dt``."""
    return float(math.floor(dx / math.sqrt(params.g * params.H0))) if params.dt is None \
        else float(params.dt)
