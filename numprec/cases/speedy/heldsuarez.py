"""Held & Suarez (1994) forcing of the dry core (BAMS 75, 1825, eqs. 1-4).

* Rayleigh drag of the winds, k_v(sigma) = k_f max(0, (sigma - sigma_b)/(1 - sigma_b)),
  k_f = 1/day, sigma_b = 0.7; it depends on sigma only, so it is applied to the
  spectral vorticity and divergence directly.
* Newtonian relaxation of temperature to
  T_eq = max{200 K, [315 K - dT_y sin^2(lat) - dtheta_z ln(p/p0) cos^2(lat)] (p/p0)^kappa}
  at the rate k_T = k_a + (k_s - k_a) max(0, (sigma - sigma_b)/(1 - sigma_b)) cos^4(lat),
  k_a = 1/40 day^-1, k_s = 1/4 day^-1, dT_y = 60 K, dtheta_z = 10 K, p = sigma p_s,
  on the grid; (p/p0)^kappa = exp(kappa (ln sigma + ln(p_s/p0))).

Both act on the previous time level (leapfrog on damping terms is unstable).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from numprec import emulate

DAY = 86400.0


@dataclass(frozen=True, eq=False)
class HeldSuarez:
    """Held-Suarez forcing with the paper's parameters (rates in s^-1)."""

    k_f: float = 1.0 / DAY
    k_a: float = 1.0 / (40.0 * DAY)
    k_s: float = 1.0 / (4.0 * DAY)
    sigma_b: float = 0.7
    delta_T_y: float = 60.0
    delta_theta_z: float = 10.0
    T_surface: float = 315.0
    T_min: float = 200.0
    kappa: float = 2.0 / 7.0
    tables: dict = field(default=None, repr=False)

    def in_time_unit(self, seconds: float) -> "HeldSuarez":
        """The same forcing with its rates per model time unit of ``seconds``
        (radius scaling: ``seconds`` = the radius)."""
        return replace(self, k_f=self.k_f * seconds, k_a=self.k_a * seconds,
                       k_s=self.k_s * seconds)

    def drag_rates(self, levels) -> np.ndarray:
        """k_v at the full levels."""
        return self.k_f * np.maximum(0.0, (levels.full - self.sigma_b) / (1.0 - self.sigma_b))

    def under(self, transform, levels, policy):
        mu = transform.mu
        sig = levels.full
        w = np.maximum(0.0, (sig - self.sigma_b) / (1.0 - self.sigma_b))
        cos2 = 1.0 - mu * mu
        kT = self.k_a + (self.k_s - self.k_a) * w[:, None] * (cos2 * cos2)[None, :]
        tables = {
            "drag": self.drag_rates(levels)[:, None, None, None],         # (lev, 1, 1, 1)
            "k_T": kT[:, :, None],                                          # (lev, lat, 1)
            "T_top": (self.T_surface - self.delta_T_y * mu * mu)[:, None],   # (lat, 1)
            "theta_z": (self.delta_theta_z * cos2)[:, None],
            "log_sigma": np.log(sig)[:, None, None],
            "tref": levels.reference_temperature()[:, None, None],
        }
        if policy is not None:
            tables = {k: policy.constant(v) for k, v in tables.items()}
        return replace(self, tables=tables)

    def equilibrium_temperature(self, log_p):
        """T_eq for ln(p/p0) (grid array, levels third from last)."""
        t = self.tables
        teq = (t["T_top"] - t["theta_z"] * log_p) * np.exp(log_p * self.kappa)
        return np.maximum(teq, self.T_min)

    def grid_inputs(self, previous):
        """The spectral fields the cooling needs on the grid: T' and ln p_s
        of the previous level, ``(..., nlev + 1, 2, T+1, T+2)`` (the model may
        synthesise them with its own fields and pass the grids to
        :meth:`add_grid_tendencies`)."""
        return np.concatenate([previous["tem"], previous["lnps"][..., None, :, :, :]], axis=-4)

    def add_grid_tendencies(self, model, previous, tend, grid=None):
        """Add the Newtonian cooling at the previous level to the grid
        temperature tendency ``tend["tt"]``.  ``grid``: the synthesis of
        :meth:`grid_inputs` ``(..., nlev + 1, lat, lon)`` if the model made
        it; None: one synthesis of the nlev + 1 fields here."""
        n = model.levels.nlev
        g = grid
        if g is None:
            g = model.spectral_transform.synthesis(self.grid_inputs(previous))
        with emulate.component("forcing", like=g):
            t = self.tables
            log_p = g[..., n:n + 1, :, :] + t["log_sigma"]
            temp = g[..., :n, :, :] + t["tref"]
            tend["tt"] = tend["tt"] - (temp - self.equilibrium_temperature(log_p)) * t["k_T"]

    def add_spectral_tendencies(self, model, previous, tends):
        """Rayleigh drag of vorticity and divergence at the previous level."""
        t = self.tables
        tends = dict(tends)
        for name in ("vor", "div"):
            tends[name] = tends[name] - previous[name] * t["drag"]
        return tends
