"""Float64 diagnostics of physical shallow-water states: energy, enstrophy, speed."""
from __future__ import annotations

import numpy as np

__all__ = ["pad_v", "vorticity", "diagnostics", "zonal_velocity_statistics"]


def pad_v(model, v):
    """float64 v with the wall rows (zeros) added: shape ``(..., ny+1, nx)``."""
    v = np.asarray(v, dtype=np.float64)
    z = np.zeros(v.shape[:-2] + (1, model.grid.nx))
    return np.concatenate((z, v, z), axis=-2)


def vorticity(model, u, v_padded):
    """Relative vorticity ∂v/∂x - ∂u/∂y [s⁻¹] at cell corners (float64)."""
    u = np.asarray(u, dtype=np.float64)
    up = np.concatenate((u[..., :1, :], u, u[..., -1:, :]), axis=-2) * model.grid.mask
    return ((v_padded - np.roll(v_padded, 1, axis=-1))
            - (up[..., 1:, :] - up[..., :-1, :])) / model.grid.dx


def diagnostics(model, u, v, eta) -> dict:
    """Float64 diagnostics of a physical (unscaled) state.

    Parameters
    ----------
    model : ShallowWaterModel
    u, v, eta : array_like
        Physical fields; ``v`` either interior ``(..., ny-1, nx)`` or with the
        wall rows ``(..., ny+1, nx)``.

    Returns
    -------
    dict
        ``energy`` [m⁵ s⁻²]: the discrete energy Σ_T (h K + g η²/2) Δ² that
        the semi-discrete scheme conserves (K = (Ix u² + Iy v²)/2);
        ``enstrophy`` [m s⁻²]: potential enstrophy Σ_q h_q q² / 2 Δ²;
        ``mean_speed`` (mean of |u| at cell centres) and ``max_speed`` [m/s];
        ``mass``: Σ η Δ² [m³]. Each over the last two axes.
    """
    grid = model.grid
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    eta = np.asarray(eta, dtype=np.float64)
    if v.shape[-2] == grid.ny - 1:
        v = pad_v(model, v)
    g = model.dynamics.g
    area = grid.dx**2
    h = eta + grid.H
    ke = 0.25 * (u**2 + np.roll(u, -1, axis=-1) ** 2 + v[..., 1:, :] ** 2 + v[..., :-1, :] ** 2)
    energy = ((h * ke + 0.5 * g * eta**2).sum(axis=(-2, -1))) * area
    hp = np.concatenate((h[..., :1, :], h, h[..., -1:, :]), axis=-2)
    hy = 0.5 * (hp[..., 1:, :] + hp[..., :-1, :])
    hq = 0.5 * (hy + np.roll(hy, 1, axis=-1))
    q = (model.dynamics.f_q + vorticity(model, u, v)) / hq
    enstrophy = (0.5 * hq * q**2).sum(axis=(-2, -1)) * area
    speed = np.sqrt(2.0 * ke)
    return {
        "energy": energy,
        "enstrophy": enstrophy,
        "mean_speed": speed.mean(axis=(-2, -1)),
        "max_speed": speed.max(axis=(-2, -1)),
        "mass": eta.sum(axis=(-2, -1)) * area,
    }


def zonal_velocity_statistics(u) -> tuple:
    """Mean and variance of the zonal velocity over every axis (float64), the
    climatology statistics of Klöwer et al. (2020)."""
    u = np.asarray(u, dtype=np.float64)
    return float(np.mean(u)), float(np.var(u))
