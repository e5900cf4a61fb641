"""Documented parameters of the shallow-water channel, with their sources."""
from __future__ import annotations

import dataclasses
import math

import numpy as np

__all__ = ["SECONDS_PER_DAY", "COMPENSATIONS", "ShallowWaterParams"]

SECONDS_PER_DAY = 86400.0

#: Kahan compensation of the time stepping: none; "per_step", one compensated
#: addition of the summed RK4 increment and one of the dissipation increment per
#: step, sharing one compensation array per variable (ShallowWaters.jl v0.5,
#: Klöwer et al. 2022); "per_stage", every one of the four RK4 increments and the
#: dissipation increment added compensated.
COMPENSATIONS = ("none", "per_step", "per_stage")


@dataclasses.dataclass(frozen=True)
class ShallowWaterParams:
    """Parameters of the shallow-water channel (defaults: Klöwer et al. 2020).

    Sources: Klöwer, Düben & Palmer (2020), JAMES 12, e2020MS002246, §2 and
    ShallowWaters.jl v0.3 defaults (the code of that paper).

    Parameters
    ----------
    nx : int
        Grid cells in x; Δ = Lx / nx (100 -> 20 km, the paper's grid).
    Lx, Ly : float
        Channel length (periodic) and width [m]: 2000 km, 1000 km; ny = round(Ly / Δ).
    g : float
        Gravitational acceleration [m s⁻²]: 10.
    H0 : float
        Rest depth away from the ridge [m]: 500.
    rho : float
        Water density [kg m⁻³]: 1000 (only enters the wind forcing).
    lat : float
        Central latitude of the β-plane [degrees]: 45.
    omega : float
        Rotation rate [s⁻¹]: 2π / 1 day (ShallowWaters.jl).
    radius : float
        Earth's radius [m].
    f0, beta : float or None
        Override the Coriolis parameter and its meridional gradient (None:
        from ``lat``, ``omega``, ``radius``).
    topography : {"ridge", "flat"}
        ``H = H0 - ridge_height exp(-(x - Lx/2)² / (2 ridge_width²))`` or ``H0``.
    ridge_height, ridge_width : float
        Ridge height [m] (50) and Gaussian width σ [m] (300 km).
    wind_stress : float
        Zonal wind stress amplitude F0 [Pa]: 0.12, profile cos²(π(y/Ly - 1/2)).
    drag : float
        Quadratic bottom drag coefficient c_D [dimensionless]: 1e-5.
    nu : float or None
        Constant biharmonic viscosity [m⁴ s⁻¹]; None: 500 m²/s · Δ³ / 30 km
        (ShallowWaters.jl's νB = 500), 1.33e11 at Δ = 20 km.
    slip : float
        Tangential wall condition α: ghost = (1 - α) edge; 2 no-slip, 0 free-slip.
    dt : float or None
        Time step [s]; None: floor(Δ / sqrt(g H0)) (282 s at Δ = 20 km).
    scale : float
        Prognostic-variable scaling: u and v are held multiplied by ``scale``
        (Klöwer et al. 2022 use 2^6 for Float16 with flush-to-zero).
    scale_eta : float
        Factor the prognostic η is held multiplied by.
    compensation : {"none", "per_step", "per_stage"}
        Kahan-compensated time stepping (see :data:`COMPENSATIONS`).
    """

    nx: int = 100
    Lx: float = 2000e3
    Ly: float = 1000e3
    g: float = 10.0
    H0: float = 500.0
    rho: float = 1000.0
    lat: float = 45.0
    omega: float = 2.0 * math.pi / SECONDS_PER_DAY
    radius: float = 6.371e6
    f0: float | None = None
    beta: float | None = None
    topography: str = "ridge"
    ridge_height: float = 50.0
    ridge_width: float = 300e3
    wind_stress: float = 0.12
    drag: float = 1e-5
    nu: float | None = None
    slip: float = 2.0
    dt: float | None = None
    scale: float = 1.0
    scale_eta: float = 1.0
    compensation: str = "none"

    def __post_init__(self):
        if isinstance(self.nx, bool) or not isinstance(self.nx, (int, np.integer)) or self.nx < 4:
            raise ValueError(f"nx must be an integer >= 4, got {self.nx!r}")
        for name in ("Lx", "Ly", "g", "H0", "rho", "radius", "ridge_width",
                     "scale", "scale_eta"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive finite number, got {value!r}")
        for name in ("omega", "ridge_height", "wind_stress", "drag"):
            value = getattr(self, name)
            if not np.isfinite(value) or (name in ("omega", "drag") and value < 0):
                raise ValueError(f"{name} must be a finite number (>= 0 for omega, "
                                 f"drag), got {value!r}")
        if self.nu is not None and not (np.isfinite(self.nu) and self.nu >= 0):
            raise ValueError(f"nu must be None or a finite number >= 0, got {self.nu!r}")
        if self.dt is not None and not (np.isfinite(self.dt) and self.dt > 0):
            raise ValueError(f"dt must be None or a positive number, got {self.dt!r}")
        if self.topography not in ("ridge", "flat"):
            raise ValueError(f"topography must be 'ridge' or 'flat', got {self.topography!r}")
        if not 0.0 <= self.slip <= 2.0:
            raise ValueError(f"slip must be in [0, 2] (0 free-slip, 2 no-slip), got {self.slip!r}")
        if self.ridge_height >= self.H0:
            raise ValueError(f"ridge_height must be below H0={self.H0}, got {self.ridge_height!r}")
        if round(self.Ly / (self.Lx / self.nx)) < 3:
            raise ValueError(f"Ly={self.Ly!r} gives fewer than 3 grid cells in y; "
                             "increase nx or Ly")
        if self.compensation not in COMPENSATIONS:
            raise ValueError(f"compensation must be one of {COMPENSATIONS}, "
                             f"got {self.compensation!r}")
