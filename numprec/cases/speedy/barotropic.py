"""The barotropic vorticity mode of the SPEEDY-style model.

One level of non-divergent flow on the sphere:

    d(zeta)/dt = -div[(zeta + f) u],    u from zeta via the streamfunction,

written with the operators of :class:`~numprec.cases.speedy.transform.SpectralTransform`
on the unit sphere: with zeta in s^-1 the radius cancels (u cos(lat)/a is
what :meth:`SpectralTransform.uv_cos` returns), so the radius enters only
the winds in m/s.  Per step: one synthesis of (u cos, v cos, zeta) and one
analysis of the flux divergence; implicit del^8 diffusion at the previous
level (optional) and leapfrog with the RAW filter, as in the full model.
The Rossby-Haurwitz wave (Williamson et al. 1992, J. Comput. Phys. 102,
211, test case 6) is an exact solution of these equations: its pattern
drifts eastward without change of shape at
nu = [R(3+R) omega - 2 Omega] / ((1+R)(2+R)).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from numprec import emulate
from numprec.cases.speedy.diffusion import HorizontalDiffusion
from numprec.cases.speedy.timestepping import Leapfrog
from numprec.cases.speedy.transform import SpectralTransform

#: Earth's rotation rate and radius (SPEEDY's physical constants).
OMEGA = 7.292e-5
RADIUS = 6.371e6


@dataclass(frozen=True, eq=False)
class BarotropicVorticity:
    """The non-divergent vorticity tendency on a rotating sphere.

    Parameters
    ----------
    rotation : float
        Rotation rate Omega, s^-1 (Coriolis parameter f = 2 Omega sin(lat)).
    coriolis : array, optional
        f on the grid, shape (nlat, 1); built by :meth:`under`.
    """

    rotation: float = OMEGA
    coriolis: object = None

    def under(self, transform, policy):
        f = (2.0 * self.rotation * transform.mu)[:, None]
        return replace(self, coriolis=f if policy is None else policy.constant(f))

    def tendency(self, transform, vor):
        """d(vor)/dt (spectral, degrees <= T) of spectral vorticity ``vor``."""
        U, V = transform.uv_cos_spectral(vor)
        grid = transform.synthesis(np.stack([U, V, vor], axis=0))
        with emulate.component("grid_dynamics", like=grid):
            q = grid[2] + self.coriolis
            fu, fv = grid[0] * q, grid[1] * q
        return -transform.divergence(fu, fv)


@dataclass(frozen=True, eq=False)
class BarotropicModel:
    """Barotropic vorticity model: a dataclass of components.

    Parameters
    ----------
    spectral_transform : SpectralTransform
    grid_dynamics : BarotropicVorticity
    diffusion : HorizontalDiffusion or None
        None integrates without diffusion (conservation tests).
    timestepping : Leapfrog
    """

    spectral_transform: SpectralTransform
    grid_dynamics: BarotropicVorticity
    diffusion: HorizontalDiffusion | None
    timestepping: Leapfrog

    @classmethod
    def build(cls, trunc=21, dt=3600.0, diffusion_tau=2.4 * 3600.0, rotation=OMEGA,
              fourier="fft"):
        """A model at truncation ``trunc`` with time step ``dt`` seconds;
        ``diffusion_tau=None`` switches diffusion off."""
        st = SpectralTransform(trunc, fourier=fourier)
        lf = Leapfrog(dt)
        diff = None if diffusion_tau is None else HorizontalDiffusion(
            trunc, lf.step_lengths, diffusion_tau)
        return cls(st, BarotropicVorticity(rotation), diff, lf).under(None)

    def under(self, policy):
        """The model with every table converted once under ``policy``
        (None: double tables)."""
        st = self.spectral_transform.under(policy)
        return replace(self, spectral_transform=st,
                       grid_dynamics=self.grid_dynamics.under(st, policy),
                       diffusion=None if self.diffusion is None else self.diffusion.under(policy))

    def advance(self, previous, current, step):
        """previous + step * tendency(current), damping at ``previous``."""
        st = self.spectral_transform
        vor = current["vor"]
        tend = self.grid_dynamics.tendency(st, vor)
        with emulate.component("diffusion", like=tend):
            if self.diffusion is not None:
                tend = self.diffusion.damp(tend, previous["vor"], step)
        with emulate.component("timestepping", like=tend):
            return {"vor": previous["vor"] + tend * step}

    def start(self, state):
        """The pair of time levels (x0, x1) from an initial state."""
        return self.timestepping.start(self.advance, state)

    def step(self, previous, current):
        """One leapfrog step of 2 dt: tendency (transform, grid dynamics),
        implicit diffusion, leapfrog and RAW filter (timestepping)."""
        with emulate.component("timestepping", like=current["vor"]):
            return self.timestepping.step(self.advance, previous, current)

    def integrate(self, state, nsteps, every=None):
        """Start and advance the current level by ``nsteps`` time steps dt
        (the start-up gives the first, leapfrog steps the rest).  Returns the
        final pair (previous, current) and, if ``every`` is given, the list
        of current levels at times 0, every dt, 2 every dt, ... (the first
        entry is the initial state)."""
        if nsteps < 1:
            raise ValueError(f"nsteps must be >= 1, got {nsteps}")
        previous, current = self.start(state)
        saved = [state] if every else []
        for i in range(1, nsteps + 1):
            if i > 1:
                previous, current = self.step(previous, current)
            if every and i % every == 0:
                saved.append(current)
        return (previous, current), saved


def rossby_haurwitz(transform, wavenumber=4, omega=7.848e-6, amplitude=7.848e-6):
    """Spectral vorticity of the Rossby-Haurwitz wave (Williamson et al. 1992,
    test 6): zeta = 2 omega sin(lat) - K sin(lat) cos^R(lat) (R^2+3R+2) cos(R lon)."""
    R = wavenumber
    mu = transform.mu[:, None]
    lam = np.radians(transform.longitudes)[None, :]
    coslat = np.sqrt(1.0 - mu * mu)
    zeta = 2.0 * omega * mu - amplitude * mu * coslat ** R * (R * R + 3 * R + 2) * np.cos(R * lam)
    return transform.truncate(transform.analysis(zeta))


def rossby_haurwitz_drift(wavenumber=4, omega=7.848e-6, rotation=OMEGA):
    """Eastward angular velocity (rad/s) of the Rossby-Haurwitz pattern."""
    R = wavenumber
    return (R * (3 + R) * omega - 2 * rotation) / ((1 + R) * (2 + R))


def energy_enstrophy(vor, radius=RADIUS):
    """Global-mean kinetic energy per unit mass (m^2 s^-2) and enstrophy
    (s^-2) of spectral vorticity (double): with int Pbar^2 dmu = 1 the
    global mean of f^2 is (1/2) sum_lm c_m |f_lm|^2, c_0 = 1, c_m = 2, and
    KE = (a^2/2) mean |grad psi|^2 = (a^2/4) sum c_m |zeta_lm|^2 / (l(l+1))."""
    z = emulate.to_numpy(vor)
    M, N = z.shape[-2:]
    m = np.arange(M)[:, None]
    l = m + np.arange(N)[None, :]
    c = np.where(m == 0, 1.0, 2.0)
    power = (z[..., 0, :, :] ** 2 + z[..., 1, :, :] ** 2) * c
    inv = np.where(l > 0, 1.0 / np.maximum(l * (l + 1.0), 1.0), 0.0)
    ke = 0.25 * radius ** 2 * (power * inv).sum(axis=(-2, -1))
    enstrophy = 0.25 * power.sum(axis=(-2, -1))
    return ke, enstrophy
