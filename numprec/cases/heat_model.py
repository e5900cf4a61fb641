"""Heat diffusion in a soil column: the stagnation test case for low precision.

The one-dimensional heat equation ``∂T/∂t = D ∂²T/∂z²`` of Dawson, Düben,
MacLeod & Palmer (2018), "Reliable low precision simulations in land surface
models", Clim. Dyn. 51, 2657-2666, as used by Paxton et al. (2022), "Climate
modelling in low precision: effects of both deterministic and stochastic
rounding", J. Climate 35, §4. A 60 m column starts at 273.15 K; from t = 0
the surface is held at 280 K and the bottom is insulated. Forward Euler in
time and centred differences in space,

    T_k^{n+1} = T_k^n + K (T_{k+1}^n - 2 T_k^n + T_{k-1}^n),   K = D Δt / Δz²,

so every step adds a small increment (K ≈ 1.3e-3 times a curvature of at most a
few kelvin) to a value near 275 K: with round-to-nearest the increment is lost
once it is below half a unit in the last place of T, and the column stops
warming (stagnation); stochastic rounding keeps it in expectation.

Grid: unknowns at the nodes ``z_k = k Δz``, k = 1..N (N = depth/Δz, so the
last node is the bottom); the surface node z_0 = 0 is the Dirichlet value; the
insulated bottom uses the mirror ghost node ``T_{N+1} = T_{N-1}``
(second-order zero-flux condition).

The state has shape ``(..., N)``: any leading dimensions are independent
columns (ensemble members, configurations) integrated at once. Only ufuncs
(add, subtract, multiply), basic slicing and ``np.concatenate`` touch the state,
so numprec's emulated low-precision arrays run the same code.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import numpy as np
from scipy.special import erfc

__all__ = ["HeatParams", "HeatModel", "HeatState", "HeatOutput", "SECONDS_PER_YEAR"]

#: A model year: 365 days, as in Paxton et al. (2022).
SECONDS_PER_YEAR = 365 * 86400.0


@dataclasses.dataclass(frozen=True)
class HeatParams:
    """Parameters of the soil column (defaults: Paxton et al. 2022, §4).

    Parameters
    ----------
    diffusivity : float
        Thermal diffusivity D [m² s⁻¹].
    depth : float
        Column depth [m]; must be a whole number of ``dz``.
    dz : float
        Grid spacing [m].
    dt : float
        Time step [s]; forward Euler needs ``K = D dt / dz² <= 1/2``.
    T_initial : float
        Initial temperature of the column [K].
    T_surface : float
        Surface temperature imposed from t = 0 [K].
    compensated : bool
        Kahan-compensated addition of the increment (compensation carried in
        the state).
    """

    diffusivity: float = 7e-7
    depth: float = 60.0
    dz: float = 1.0
    dt: float = 1800.0
    T_initial: float = 273.15
    T_surface: float = 280.0
    compensated: bool = False

    def __post_init__(self):
        for name in ("diffusivity", "depth", "dz", "dt"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive finite number, got {value!r}")
        for name in ("T_initial", "T_surface"):
            if not np.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be finite, got {getattr(self, name)!r}")
        n = self.depth / self.dz
        if abs(n - round(n)) > 1e-9 * n or round(n) < 2:
            raise ValueError(f"depth={self.depth!r} must be a whole number (>= 2) of "
                             f"dz={self.dz!r}")
        k = self.diffusivity * self.dt / self.dz**2
        if k > 0.5:
            raise ValueError(f"dt={self.dt!r} is unstable: K = diffusivity*dt/dz**2 = {k:.3g} "
                             "must be <= 0.5 for forward Euler")


class HeatState(NamedTuple):
    """Column temperatures ``T`` [K], shape ``(..., N)``, and the Kahan term ``c``."""

    T: object
    c: object = None


class HeatOutput(NamedTuple):
    """Snapshots from :meth:`HeatModel.run`: ``time`` [s] (nt,), ``T`` (nt, ..., N)."""

    time: np.ndarray
    T: np.ndarray


class HeatModel:
    """Forward-Euler soil-column heat diffusion.

    Parameters
    ----------
    params : HeatParams, optional
        Keyword arguments override its fields.

    Examples
    --------
    >>> model = HeatModel()
    >>> out = model.run(model.initial_state(batch=(3,)), years=1.0)
    >>> out.T.shape
    (2, 3, 60)
    """

    def __init__(self, params: HeatParams | None = None, **overrides):
        if params is None:
            params = HeatParams(**overrides)
        elif overrides:
            params = dataclasses.replace(params, **overrides)
        self.params = p = params
        self.nz = int(round(p.depth / p.dz))
        self.z = p.dz * np.arange(1, self.nz + 1)
        self.dt = float(p.dt)
        #: K = D Δt / Δz², the factor of the curvature in the update
        self.K = p.diffusivity * p.dt / p.dz**2
        self.steps_per_year = SECONDS_PER_YEAR / self.dt
        self._top = {}
        self._map = None

    def map_constants(self, fn) -> "HeatModel":
        """A copy whose constant arrays (the surface value) pass through ``fn``."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._top = {}
        new._map = fn
        return new

    def _surface(self, shape):
        """The surface temperature as a ``(..., 1)`` column (cached per shape)."""
        key = tuple(shape[:-1])
        top = self._top.get(key)
        if top is None:
            top = np.full(key + (1,), float(self.params.T_surface))
            if self._map is not None:
                top = self._map(top)
            self._top[key] = top
        return top

    def initial_state(self, batch=()) -> HeatState:
        """The column at ``T_initial`` (float64), with ``batch`` leading dimensions."""
        T = np.full(tuple(batch) + (self.nz,), float(self.params.T_initial))
        return self.to_internal(T)

    def to_internal(self, T) -> HeatState:
        """Wrap temperatures (any array type) into a state, adding Kahan terms if needed."""
        shape = tuple(getattr(T, "shape", ()))
        if shape[-1:] != (self.nz,):
            raise ValueError(f"T must have shape (..., {self.nz}), got {shape}")
        return HeatState(T, T - T if self.params.compensated else None)

    def increment(self, T):
        """``K (T_{k+1} - 2 T_k + T_{k-1})``, evaluated left to right."""
        Tp = np.concatenate((self._surface(T.shape), T, T[..., -2:-1]), axis=-1)
        return ((Tp[..., 2:] - T * 2.0) + Tp[..., :-2]) * self.K

    def step(self, state: HeatState) -> HeatState:
        """One forward-Euler step (5 ufunc calls and 1 concatenation; 8 + 1 compensated)."""
        T, c = state
        incr = self.increment(T)
        if not self.params.compensated:
            return HeatState(T + incr, None)
        if c is None:
            raise ValueError("state has no Kahan compensation term; build it with "
                             "to_internal() of a compensated model")
        y = incr - c
        t = T + y
        return HeatState(t, (t - T) - y)

    def run(self, state0, years: float = 60.0, output_every: float = 1.0) -> HeatOutput:
        """Integrate and collect float64 snapshots at t = 0 and every ``output_every`` years.

        Parameters
        ----------
        state0 : HeatState or array_like
            Initial state, or initial temperatures (any array type).
        years : float
            Length of the run [365-day years]; rounded to whole time steps.
        output_every : float
            Output interval [years]; rounded to whole time steps. The final
            state is always included.
        """
        if not (np.isfinite(years) and years >= 0):
            raise ValueError(f"years must be a finite number >= 0, got {years!r}")
        if not (np.isfinite(output_every) and output_every > 0):
            raise ValueError(f"output_every must be a positive number of years, got {output_every!r}")
        state = state0 if isinstance(state0, HeatState) else self.to_internal(state0)
        nsteps = int(round(years * self.steps_per_year))
        nout = max(1, int(round(output_every * self.steps_per_year)))
        times = [0.0]
        from numprec.emulate import to_numpy

        snaps = [np.array(to_numpy(state.T), dtype=np.float64)]
        for i in range(1, nsteps + 1):
            state = self.step(state)
            if i % nout == 0 or i == nsteps:
                times.append(i * self.dt)
                snaps.append(np.array(to_numpy(state.T), dtype=np.float64))
        return HeatOutput(np.array(times), np.stack(snaps))

    # ----------------------------------------------------------- references
    def analytic_semi_infinite(self, z, t):
        """Exact solution for a semi-infinite column (no bottom), float64.

        ``T = T_i + (T_s - T_i) erfc(z / (2 sqrt(D t)))`` (Carslaw & Jaeger
        1959, §2.4): valid for the 60 m column while ``2 sqrt(D t)`` is well
        below the depth (after one year 2 sqrt(D t) = 9.4 m).
        """
        p = self.params
        z = np.asarray(z, dtype=np.float64)
        if t <= 0:
            return np.full(z.shape, float(p.T_initial))
        return p.T_initial + (p.T_surface - p.T_initial) * erfc(z / (2.0 * math.sqrt(p.diffusivity * t)))

    def analytic_finite(self, z, t, nterms: int = 200):
        """Exact solution of the finite column with an insulated bottom, float64.

        Fourier series for ``T(0) = T_s``, ``∂T/∂z(L) = 0``, ``T(z, 0) = T_i``::

            T = T_s - (T_s - T_i) Σ_n 4/((2n+1)π) sin(λ_n z) exp(-D λ_n² t),
            λ_n = (2n+1)π / (2L)

        (separation of variables; Carslaw & Jaeger 1959, §3.3).
        """
        p = self.params
        z = np.asarray(z, dtype=np.float64)
        n = np.arange(nterms)
        lam = (2 * n + 1) * np.pi / (2.0 * p.depth)
        coef = 4.0 / ((2 * n + 1) * np.pi) * np.exp(-p.diffusivity * lam**2 * t)
        series = (coef * np.sin(np.multiply.outer(z, lam))).sum(axis=-1)
        return p.T_surface - (p.T_surface - p.T_initial) * series
