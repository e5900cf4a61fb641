"""Implicit horizontal hyperdiffusion of spectral fields (SPEEDY's ``hordif``).

Each spectral coefficient of degree l is damped at the rate
K_l = (1/tau) [l(l+1) / (T(T+1))]^p, with p = 4 (del^8) and tau = 2.4 h at the
truncation by default (Molteni 2003, Clim. Dyn. 20, 175; speedy.f90
``horizontal_diffusion.f90``).  The damping is implicit and evaluated at the
previous time level: for a step of length h (2 dt in leapfrog) the tendency F
becomes

    F <- (F - K_l X_prev) / (1 + h K_l),

so that X_new = (X_prev + h F) / (1 + h K_l): stable for any h.  The factors
for each step length are tables built in double (converted once under a
policy by :meth:`HorizontalDiffusion.under`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np


@dataclass(frozen=True, eq=False)
class HorizontalDiffusion:
    """del^(2 power) diffusion with e-folding time ``tau`` seconds at l = T.

    Parameters
    ----------
    trunc : int
        Truncation T (the degree at which the time is ``tau``).
    step_lengths : tuple of float
        Step lengths in seconds the factors are built for.
    tau : float
        E-folding time at l = T, seconds (2.4 h).
    power : int
        4 for del^8 (SPEEDY), 1 for del^2.
    levels : int, optional
        For level arrays ``(..., level, 2, T+1, T+2)``: the number of levels
        (rates then have shape (levels, 1, T+1, T+2)).
    top_tau : float, optional
        With ``levels``: an extra del^2 damping of the top level with this
        e-folding time at l = T (SPEEDY: 12 h).
    """

    trunc: int
    step_lengths: tuple
    tau: float = 2.4 * 3600.0
    power: int = 4
    levels: int | None = None
    top_tau: float | None = None
    tables: dict = field(default=None, repr=False)

    def __post_init__(self):
        if not self.tau > 0:
            raise ValueError(f"tau must be > 0 seconds, got {self.tau!r}")
        if self.top_tau is not None and (self.levels is None or not self.top_tau > 0):
            raise ValueError("top_tau needs levels and must be > 0 seconds, got "
                             f"top_tau={self.top_tau!r}, levels={self.levels!r}")
        if self.tables is None:
            object.__setattr__(self, "tables", self.double_tables())

    def rates(self) -> np.ndarray:
        """K_l at each [m, n] of the spectral layout (T+1, T+2), in s^-1."""
        T = self.trunc
        l = np.arange(T + 1)[:, None] + np.arange(T + 2)[None, :]
        x = l * (l + 1.0) / (T * (T + 1.0))
        k = x ** self.power / self.tau
        if self.levels is None:
            return k
        k = np.broadcast_to(k, (self.levels, 1) + k.shape).copy()
        if self.top_tau is not None:
            k[0] += x / self.top_tau
        return k

    def double_tables(self) -> dict:
        k = self.rates()
        tables = {"rate": k}
        for h in self.step_lengths:
            tables[("implicit", float(h))] = 1.0 / (1.0 + h * k)
        return tables

    def under(self, policy) -> "HorizontalDiffusion":
        tables = self.double_tables()
        if policy is not None:
            tables = {key: policy.constant(v) for key, v in tables.items()}
        return replace(self, tables=tables)

    def damp(self, tendency, previous, step):
        """The implicitly damped tendency for a step of length ``step``."""
        try:
            factor = self.tables[("implicit", float(step))]
        except KeyError:
            raise ValueError(f"no diffusion factors for a step of {step} s; built for "
                             f"{self.step_lengths}") from None
        return (tendency - previous * self.tables["rate"]) * factor
