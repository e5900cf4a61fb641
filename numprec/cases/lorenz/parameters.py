"""The documented parameters of the Lorenz case, with their defaults."""
from __future__ import annotations

import dataclasses

import numpy as np

from numprec.cases.driver import steps_in

__all__ = ["LorenzParameters", "SYSTEMS"]

#: ``system`` values: Lorenz (1963) and Lorenz (1996)
SYSTEMS = ("l63", "l96")


@dataclasses.dataclass(frozen=True)
class LorenzParameters:
    """Parameters of a Lorenz run (Lorenz 1963; Lorenz 1996; Paxton et al. 2022 §3).

    Parameters
    ----------
    system : {"l63", "l96"}
        Lorenz 63 (3 variables x, y, z) or Lorenz 96 (K slow variables X,
        and J fast ones Y per slow one when J > 0).
    sigma, rho, beta : float
        Lorenz 63 parameters (10, 28, 8/3: Lorenz 1963).
    K, F, J, h, c, b : Lorenz 96 parameters
        Slow variables (40), forcing (8), fast variables per slow one (0:
        one-scale model), coupling (1), time-scale ratio (10), amplitude
        ratio (10) (Lorenz 1996).
    dt : float
        RK4 time step (model time units).
    compensated : bool
        Kahan-compensated addition of each RK4 increment.
    time : float
        Sampled time after the spin-up.
    spinup : float
        Time integrated in the run's precision before sampling starts.
    sample_every : float
        Time between samples.
    ic_spinup : float
        Time the random initial points are integrated in double first, so
        they lie on the attractor.

    Raises
    ------
    ValueError
        For an unknown system or a value out of range, naming the field.
    """

    system: str = "l63"
    sigma: float = 10.0
    rho: float = 28.0
    beta: float = 8.0 / 3.0
    K: int = 40
    F: float = 8.0
    J: int = 0
    h: float = 1.0
    c: float = 10.0
    b: float = 10.0
    dt: float = 0.01
    compensated: bool = False
    time: float = 50.0
    spinup: float = 5.0
    sample_every: float = 0.1
    ic_spinup: float = 10.0

    def __post_init__(self):
        if self.system not in SYSTEMS:
            raise ValueError(f"system must be one of {', '.join(SYSTEMS)}, got {self.system!r}")
        for name in ("sigma", "rho", "beta", "F", "h", "c", "b"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                    or not np.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        for name in ("dt", "time", "sample_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                    or not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        for name in ("spinup", "ic_spinup"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                    or not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
        if not isinstance(self.compensated, (bool, np.bool_)):
            raise ValueError(f"compensated must be true or false, got {self.compensated!r}")
        for name in ("time", "spinup", "sample_every", "ic_spinup"):
            steps_in(getattr(self, name), self.dt, name)
        if self.steps // self.every < 1:
            raise ValueError(f"time={self.time} must hold at least one sample every "
                             f"{self.sample_every}")

    @property
    def steps(self) -> int:
        """Sampled time steps (``time / dt``)."""
        return steps_in(self.time, self.dt, "time")

    @property
    def every(self) -> int:
        """Steps between samples."""
        return steps_in(self.sample_every, self.dt, "sample_every")

    @property
    def spinup_steps(self) -> int:
        """``spinup`` as a whole number of steps of ``dt``."""
        return steps_in(self.spinup, self.dt, "spinup")

    @property
    def ic_spinup_steps(self) -> int:
        """``ic_spinup`` as a whole number of steps of ``dt``."""
        return steps_in(self.ic_spinup, self.dt, "ic_spinup")
