"""The documented parameters of the soil-column heat case (defaults: Paxton et al. 2022 §4)."""
from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["HeatParameters", "SECONDS_PER_YEAR"]

#: A model year: 365 days, as in Paxton et al. (2022).
SECONDS_PER_YEAR = 365 * 86400.0


@dataclasses.dataclass(frozen=True)
class HeatParameters:
    """Parameters of the soil column (Dawson et al. 2018; Paxton et al. 2022 §4).

    Parameters
    ----------
    diffusivity : float
        Thermal diffusivity D [m² s⁻¹].
    depth : float
        Column depth [m]; a whole number (>= 2) of ``dz``.
    dz : float
        Grid spacing [m].
    dt : float
        Time step [s]; forward Euler needs ``K = D dt / dz² <= 1/2``.
    T_initial : float
        Initial temperature of the column [K].
    T_surface : float
        Surface temperature imposed from t = 0 [K].
    compensated : bool
        Kahan-compensated addition of each increment (compensation carried
        in the state).
    years : float
        Length of the run [365-day years]; rounded to whole steps.
    output_every : float
        Output interval [years]; rounded to whole steps; the final state is
        always output.
    """

    diffusivity: float = 7e-7
    depth: float = 60.0
    dz: float = 1.0
    dt: float = 1800.0
    T_initial: float = 273.15
    T_surface: float = 280.0
    compensated: bool = False
    years: float = 60.0
    output_every: float = 1.0

    def __post_init__(self):
        for name in ("diffusivity", "depth", "dz", "dt", "output_every"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive finite number, got {value!r}")
        if not (np.isfinite(self.years) and self.years >= 0):
            raise ValueError(f"years must be a finite number >= 0, got {self.years!r}")
        for name in ("T_initial", "T_surface"):
            if not np.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be finite, got {getattr(self, name)!r}")
        if not isinstance(self.compensated, (bool, np.bool_)):
            raise ValueError(f"compensated must be true or false, got {self.compensated!r}")
        n = self.depth / self.dz
        if abs(n - round(n)) > 1e-9 * n or round(n) < 2:
            raise ValueError(f"depth={self.depth!r} must be a whole number (>= 2) of "
                             f"dz={self.dz!r}")
        k = self.diffusivity * self.dt / self.dz**2
        if k > 0.5:
            raise ValueError(f"dt={self.dt!r} is unstable: K = diffusivity*dt/dz**2 = {k:.3g} "
                             "must be <= 0.5 for forward Euler")

    @property
    def nz(self) -> int:
        """Grid nodes below the surface."""
        return int(round(self.depth / self.dz))

    @property
    def K(self) -> float:
        """``D Δt / Δz²``, the factor of the curvature in the update."""
        return self.diffusivity * self.dt / self.dz**2

    @property
    def steps(self) -> int:
        """Length of the run (``years``) in whole time steps of ``dt``."""
        return int(round(self.years * SECONDS_PER_YEAR / self.dt))

    @property
    def output_steps(self) -> int:
        """Output interval (``output_every``) in whole time steps, at least 1."""
        return max(1, int(round(self.output_every * SECONDS_PER_YEAR / self.dt)))
