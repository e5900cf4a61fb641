"""Nonlinear shallow-water flow over a ridge in a zonally periodic channel.

The model of Klöwer, Düben & Palmer (2020), "Number formats, error mitigation,
and scope for 16-bit arithmetics in weather and climate modeling analyzed with a
shallow water model", J. Adv. Model. Earth Syst. 12, e2020MS002246, whose
reference implementation is ShallowWaters.jl. Written in plain numpy so that the
same code runs on float64 arrays and on numprec's emulated low-precision arrays.

Equations (vector-invariant form, ``h = η + H``)::

    ∂u/∂t = + q h v - ∂p/∂x + F_x + B_u + V_u
    ∂v/∂t = - q h u - ∂p/∂y       + B_v + V_v
    ∂η/∂t = - ∂(u h)/∂x - ∂(v h)/∂y

with potential vorticity ``q = (f + ∂v/∂x - ∂u/∂y) / h``, Bernoulli potential
``p = g η + (u² + v²)/2``, wind forcing ``F_x = F0 / (ρ H0) cos²(π(y/Ly - 1/2))``
(divided by the constant rest depth ``H0``, as ShallowWaters.jl does), quadratic
bottom drag ``B = -c_D |u| u / h`` and biharmonic viscosity ``V = -ν ∇⁴u``.

Discretisation
--------------
* Arakawa C-grid, spacing Δ; x periodic, solid walls at y = 0 and y = Ly.
  Array layout ``[..., y, x]`` (any leading dimensions are an ensemble that is
  integrated at once): η, h, H at cell centres ``((i+½)Δ, (j+½)Δ)`` with shape
  ``(ny, nx)``; u at west faces ``(iΔ, (j+½)Δ)``, shape ``(ny, nx)``; v at the
  interior south/north faces ``((i+½)Δ, jΔ)``, j = 1..ny-1, shape
  ``(ny-1, nx)`` (v = 0 on the walls is not stored); q at corners ``(iΔ, jΔ)``,
  j = 0..ny, shape ``(ny+1, nx)``.
* Wall condition for the tangential velocity through ghost rows
  ``u_ghost = (1 - α) u_edge`` (α = 2 no-slip, the default; α = 0 free-slip).
  The same rule is used for the ghost rows of ∇²u in the biharmonic operator,
  which is the exact odd (no-slip) or even (free-slip) extension.
* Momentum advection + Coriolis: the energy-conserving and, for non-divergent
  mass flux, enstrophy-conserving scheme of Arakawa & Hsu (1990, Mon. Wea. Rev.
  118, 1960-1969) with τ = 0, as used by ShallowWaters.jl. Each pair of a
  u-point and a v-point sharing a cell corner is coupled through the triad
  ``(q_shared + its two neighbouring corners of that cell) / 12``; the v-equation
  uses the same coefficients, transposed, so the Coriolis/vortex force does no
  work. The semi-discrete total energy ``Σ_T (h K + g η²/2) Δ²`` (``K`` the
  Bernoulli kinetic energy per mass at cell centres) is conserved exactly.
* Time stepping as ShallowWaters.jl: classical RK4 for advection, Coriolis and
  pressure gradient, its four increments added to the state as they are
  computed (``X += a_k Δt k_k``); then bottom drag and biharmonic viscosity
  once per step, evaluated on the RK4 result and added with forward Euler
  ("semi-implicit" in Klöwer et al.'s wording: dissipation uses the new state).
  Optionally every addition to a prognostic variable is compensated (Kahan
  summation), with one compensation array per variable carried in the state.
* Default time step ``floor(Δ / sqrt(g H0))`` seconds (282 s at Δ = 20 km):
  gravity-wave Courant number ``c Δt / Δ = 0.997``; the fastest C-grid gravity
  wave then has ``ω Δt = 2√2 · 0.997 = 2.82``, just inside RK4's stability
  limit ``2√2`` on the imaginary axis (ShallowWaters.jl's ``cfl = 1``).
* Viscosity default ``ν = 500 m² s⁻¹ · Δ³ / 30 km`` (ShallowWaters.jl's
  constant biharmonic coefficient, scaled linearly with resolution from
  540 m²/s at Δ = 30 km): 1.33e11 m⁴ s⁻¹ at Δ = 20 km. This is the plain
  constant-coefficient biharmonic operator ``-ν ∇²∇² u``, not the
  Smagorinsky-like variant.

Rescaling (Klöwer et al. 2020, §"scaling")
------------------------------------------
The prognostic variables are held multiplied by ``scale`` (u, v) and
``scale_eta`` (η); ShallowWaters.jl scales u and v only (by 2^6 for Float16).
Every term is written so the scales cancel analytically: the model integrates
``s u`` exactly as it would ``u``. Tendencies are computed multiplied by Δ
("non-dimensional gradients", as in ShallowWaters.jl): finite differences are
raw differences of neighbours and the time step is Δt/Δ, which keeps constants
such as 1/Δ = 5e-5 m⁻¹ out of the arithmetic (they are subnormal in Float16).
Intermediate magnitudes were chosen with Float16 in mind (all extra factors are
powers of two or folded into existing constants, so they cost no operation):
kinetic energy is formed from velocities multiplied by ``1/(2√s)`` before
squaring; mass fluxes are ``u h / 8`` (``u h`` with u scaled by 2^6 would
overflow Float16 at 2 m/s); the PV is normalised before it multiplies the mass
fluxes, so the vortex force comes out at the size of the tendency.

Array operations
----------------
Only numpy ufuncs (add, subtract, multiply, divide, sqrt), basic slicing and
``np.concatenate`` (periodic shifts and ghost rows) are applied to the state, so
an array type implementing ``__array_ufunc__``/``__array_function__`` runs the
model unchanged. Constants are Python floats or float64 arrays, which
:meth:`ShallowWaterModel.map_constants` can convert once (e.g. to the emulated
type). Nothing is updated in place.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Iterator, NamedTuple

import numpy as np

__all__ = [
    "SECONDS_PER_DAY",
    "ShallowWaterParams",
    "ShallowWaterModel",
    "SWState",
    "SWOutput",
    "diagnostics",
]

SECONDS_PER_DAY = 86400.0

#: RK4 weights of the four increments and the stage offsets (classical RK4).
_RK_A = (1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0)
_RK_B = (0.5, 0.5, 1.0)

#: Mass fluxes are computed as k u h (k = 1/8, a power of two, so exact): with
#: u scaled by 2^6 as in Klöwer et al. (2020), u h alone would reach the Float16
#: maximum 65504 at 2 m/s, a speed the spun-up jet attains.
_FLUX_FACTOR = 0.125


@dataclasses.dataclass(frozen=True)
class ShallowWaterParams:
    """Parameters of the shallow-water channel (defaults: Klöwer et al. 2020).

    Parameters
    ----------
    nx : int
        Grid cells in x; Δ = Lx / nx (100 -> 20 km).
    Lx, Ly : float
        Channel length (periodic) and width [m]; ny = round(Ly / Δ).
    g : float
        Gravitational acceleration [m s⁻²].
    H0 : float
        Rest depth away from the ridge [m].
    rho : float
        Water density [kg m⁻³] (only enters the wind forcing).
    lat : float
        Central latitude of the β-plane [degrees].
    omega : float
        Earth's rotation rate [s⁻¹] (ShallowWaters.jl uses 2π / 1 day).
    radius : float
        Earth's radius [m].
    f0, beta : float or None
        Override the Coriolis parameter and its meridional gradient (None:
        from ``lat``, ``omega``, ``radius``).
    topography : {"ridge", "flat"}
        ``H = H0 - ridge_height exp(-(x - Lx/2)² / (2 ridge_width²))`` or ``H0``.
    ridge_height, ridge_width : float
        Ridge height [m] and Gaussian width σ [m].
    wind_stress : float
        Zonal wind stress amplitude F0 [Pa]; 0 switches the forcing off.
    drag : float
        Quadratic bottom drag coefficient c_D [dimensionless]; 0 switches off.
    nu : float or None
        Biharmonic viscosity [m⁴ s⁻¹]; None: 500 m²/s · Δ³ / 30 km; 0 = off.
    slip : float
        Tangential wall condition α: ghost = (1 - α) edge; 2 no-slip, 0 free-slip.
    dt : float or None
        Time step [s]; None: floor(Δ / sqrt(g H0)).
    scale : float
        Factor s the prognostic u and v are held multiplied by.
    scale_eta : float
        Factor the prognostic η is held multiplied by.
    compensated : bool
        Kahan-compensated addition of every increment to u, v, η.
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
    compensated: bool = False

    def __post_init__(self):
        if not isinstance(self.nx, (int, np.integer)) or self.nx < 4:
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


class SWState(NamedTuple):
    """Prognostic state (held scaled: ``scale * u``, ``scale * v``, ``scale_eta * η``).

    ``cu``, ``cv``, ``ceta`` are the Kahan compensation terms (None unless the
    model is ``compensated``).
    """

    u: object
    v: object
    eta: object
    cu: object = None
    cv: object = None
    ceta: object = None


class SWOutput(NamedTuple):
    """Snapshots collected by :meth:`ShallowWaterModel.run` (float64, unscaled).

    ``time`` [s] has shape (nt,); ``u``, ``eta`` and ``zeta`` (relative vorticity
    at cell corners, wall rows included) have shape ``(nt, ..., ny, nx)``,
    ``(nt, ..., ny, nx)`` and ``(nt, ..., ny+1, nx)``; ``v`` has the wall rows
    (zeros) added: ``(nt, ..., ny+1, nx)``.
    """

    time: np.ndarray
    u: np.ndarray
    v: np.ndarray
    eta: np.ndarray
    zeta: np.ndarray


def _east(a):
    """Value at the next point east (x index i+1), periodic in x."""
    return np.concatenate((a[..., 1:], a[..., :1]), axis=-1)


def _west(a):
    """Value at the next point west (x index i-1), periodic in x."""
    return np.concatenate((a[..., -1:], a[..., :-1]), axis=-1)


class ShallowWaterModel:
    """The shallow-water channel model: grid, constants, right-hand side, RK4.

    Parameters
    ----------
    params : ShallowWaterParams, optional
        Model parameters; keyword arguments override individual fields.

    Examples
    --------
    >>> model = ShallowWaterModel(nx=50)
    >>> state0 = model.initial_state(perturbation=1e-3, seed=1)
    >>> out = model.run(state0, days=1.0, output_every=1.0)
    >>> out.u.shape
    (2, 25, 50)
    """

    def __init__(self, params: ShallowWaterParams | None = None, **overrides):
        if params is None:
            params = ShallowWaterParams(**overrides)
        elif overrides:
            params = dataclasses.replace(params, **overrides)
        self.params = p = params
        self.nx = nx = int(p.nx)
        self.dx = dx = p.Lx / nx
        self.ny = ny = int(round(p.Ly / dx))
        self.Ly = ny * dx
        self.dt = float(math.floor(dx / math.sqrt(p.g * p.H0))) if p.dt is None else float(p.dt)
        self.nu = 500.0 * dx**3 / 30e3 if p.nu is None else float(p.nu)
        phi = math.radians(p.lat)
        self.f0 = 2 * p.omega * math.sin(phi) if p.f0 is None else float(p.f0)
        self.beta = 2 * p.omega * math.cos(phi) / p.radius if p.beta is None else float(p.beta)

        # coordinates [m]
        self.x_T = (np.arange(nx) + 0.5) * dx
        self.y_T = (np.arange(ny) + 0.5) * dx
        self.x_u = np.arange(nx) * dx
        self.y_v = np.arange(1, ny) * dx
        self.y_q = np.arange(ny + 1) * dx

        # physical fields (float64)
        if p.topography == "ridge":
            ridge = p.ridge_height * np.exp(-((self.x_T - p.Lx / 2) ** 2) / (2 * p.ridge_width**2))
        else:
            ridge = np.zeros(nx)
        self.H = np.broadcast_to(p.H0 - ridge, (ny, nx)).copy()
        self.f_q = np.broadcast_to((self.f0 + self.beta * (self.y_q - self.Ly / 2))[:, None],
                                   (ny + 1, nx)).copy()
        profile = np.cos(np.pi * (self.y_T / self.Ly - 0.5)) ** 2
        self.Fx = np.broadcast_to((p.wind_stress / (p.rho * p.H0) * profile)[:, None],
                                  (ny, nx)).copy()

        self._setup_constants()

    # ------------------------------------------------------------------ setup
    def _setup_constants(self):
        p, dx = self.params, self.dx
        s, se = float(p.scale), float(p.scale_eta)
        self._s, self._se = s, se
        k = _FLUX_FACTOR
        # k h/2 = η_s * (k/(2 se)) + k H/2: interpolations become plain sums, and the
        # mass fluxes carry the factor k (undone in the η time step)
        self._c_eta_half = 0.5 * k / se
        self._H_half = 0.5 * k * self.H
        # divergence of k·s-scaled fluxes -> se-scaled η tendency; folded into
        # the η time-step factor, so it costs no array operation
        self._c_div = se / (s * k)
        # ghost rows of u (and ∇²u): (1 - α) times the edge row
        mask = np.ones((self.ny + 2, 1))
        mask[0] = mask[-1] = 1.0 - p.slip
        self._mask = mask
        self._c_mask = None if p.slip == 0.0 else mask  # free slip: plain copy
        # PV: q' = (s Δ f + Δ ζ_s) / (2 k h_q) * c_q = Δ q / (12 k), so that the triad
        # sums times the fluxes V' = k s v h give Δ s (q h v)
        self._fq_s = s * dx * self.f_q
        self._c_q = 1.0 / (6.0 * s)
        # Bernoulli potential (scaled by s): p_s = g (s/se) η_s + Σ4 (u_s/(2√s))²
        self._c_ke = 1.0 / (2.0 * math.sqrt(s))
        self._c_g = p.g * s / se
        # wind forcing, times Δ and s
        self._F = dx * s * self.Fx if p.wind_stress != 0.0 else None
        # dissipation (applied as Δt/Δ * Δ * tendency = Δt * tendency)
        self._c_speed = 1.0 / (s * math.sqrt(2.0))       # |u|_T = sqrt(Σ4 (u_s c)²)
        self._c_drag = -0.5 * k * p.drag * self.dt        # ½: |u| interpolated to faces
        self._c_visc = -self.nu * self.dt / dx**4
        self._dtp = self.dt / dx                          # Δt / Δ
        self._zeros = {}
        self._map = None

    def map_constants(self, fn) -> "ShallowWaterModel":
        """A copy of the model whose constant arrays have been passed through ``fn``.

        Use it to convert the constant arrays once (e.g. to an emulated
        low-precision array type) rather than on every operation. Python-float
        constants are left as they are.
        """
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        for name in ("_H_half", "_c_mask", "_fq_s", "_F"):
            value = getattr(self, name)
            if value is not None:
                setattr(new, name, fn(value))
        new._zeros = {}
        new._map = fn
        return new

    def _zero_rows(self, like_shape):
        """A row of zeros shaped ``(..., 1, nx)`` for wall values (cached)."""
        key = tuple(like_shape[:-2])
        z = self._zeros.get(key)
        if z is None:
            z = np.zeros(key + (1, self.nx))
            if self._map is not None:
                z = self._map(z)
            self._zeros[key] = z
        return z

    # ------------------------------------------------------------ state I/O
    def initial_state(self, perturbation: float = 0.0, seed=None, batch=()):
        """Fluid at rest, optionally with a random η perturbation (physical units).

        Parameters
        ----------
        perturbation : float
            Standard deviation [m] of independent normal η values per cell,
            made mean-free so the perturbation adds no mass.
        seed : int or None
            Seed of the perturbation (ensemble members differ by seed).
        batch : tuple of int
            Leading (ensemble) dimensions of the state.

        Returns
        -------
        SWState
            Physical (unscaled) float64 ``u``, ``v``, ``eta``; pass it to
            :meth:`run` or, after :meth:`to_internal`, to :meth:`step`.
        """
        if not (np.isfinite(perturbation) and perturbation >= 0):
            raise ValueError(f"perturbation must be a finite number >= 0, got {perturbation!r}")
        batch = tuple(batch)
        u = np.zeros(batch + (self.ny, self.nx))
        v = np.zeros(batch + (self.ny - 1, self.nx))
        eta = np.zeros(batch + (self.ny, self.nx))
        if perturbation > 0:
            noise = np.random.default_rng(seed).standard_normal(eta.shape)
            noise -= noise.mean(axis=(-2, -1), keepdims=True)
            eta = perturbation * noise
        return SWState(u, v, eta)

    def to_internal(self, u, v, eta):
        """Scale physical u, v, η (any array type) into the model's state.

        Exact when ``scale`` and ``scale_eta`` are powers of two (barring
        overflow). Adds zero Kahan compensation terms when ``compensated``.
        """
        self._check_shapes(u, v, eta)
        s, se = self._s, self._se
        u = u * s if s != 1.0 else u
        v = v * s if s != 1.0 else v
        eta = eta * se if se != 1.0 else eta
        if self.params.compensated:
            return SWState(u, v, eta, u - u, v - v, eta - eta)
        return SWState(u, v, eta)

    def to_physical(self, state: SWState):
        """Unscaled float64 copies ``(u, v, eta)`` of a state (for output only)."""
        from numprec.emulate import to_numpy

        u = np.array(to_numpy(state.u), dtype=np.float64) / self._s
        v = np.array(to_numpy(state.v), dtype=np.float64) / self._s
        eta = np.array(to_numpy(state.eta), dtype=np.float64) / self._se
        return u, v, eta

    def _check_shapes(self, u, v, eta):
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

    # ------------------------------------------------------------- dynamics
    def _rhs(self, u, v, eta):
        """Δ times the RK4 tendencies (advection, Coriolis, pressure, forcing).

        Arguments are the scaled state (``s u``, ``s v``, ``se η``); results are
        Δ times the tendencies of ``s u`` and ``s v``, and of ``se η`` divided
        by ``self._c_div``.
        """
        # layer thickness (times k) at centres, u-faces, v-rows (walls included), corners
        hh = eta * self._c_eta_half + self._H_half          # k h/2
        hu = hh + _west(hh)                                  # k h at u-points
        hhp = np.concatenate((hh[..., :1, :], hh, hh[..., -1:, :]), axis=-2)
        hy = hhp[..., 1:, :] + hhp[..., :-1, :]              # k h at v-rows
        hq2 = hy + _west(hy)                                 # 2 k h at q-points

        # mass fluxes (V = 0 on the walls)
        zeros = self._zero_rows(v.shape)
        vp = np.concatenate((zeros, v, zeros), axis=-2)      # v on all ny+1 v-rows
        U = u * hu
        UE = _east(U)
        V = vp * hy
        VS, VN = V[..., :-1, :], V[..., 1:, :]               # south/north face of each cell

        # continuity (times s k / se: the factor is applied in the time step)
        deta = (U - UE) + (VS - VN)

        # potential vorticity at corners (normalised: triad sums times V give Δ s q h v)
        dvdx = vp - _west(vp)
        up = np.concatenate((u[..., :1, :], u, u[..., -1:, :]), axis=-2)
        if self._c_mask is not None:
            up = up * self._c_mask
        dudy = up[..., 1:, :] - up[..., :-1, :]
        q = (self._fq_s + (dvdx - dudy)) / hq2 * self._c_q

        # Bernoulli potential at centres
        ue = u * self._c_ke
        ve = vp * self._c_ke
        usq = ue * ue
        vsq = ve * ve
        ke = (usq + _east(usq)) + (vsq[..., 1:, :] + vsq[..., :-1, :])
        pot = eta * self._c_g + ke

        # Arakawa & Hsu (1990) triads of each cell; corners SW, SE, NW, NE
        qE = _east(q)
        qSW, qNW = q[..., :-1, :], q[..., 1:, :]
        qSE, qNE = qE[..., :-1, :], qE[..., 1:, :]
        north = qNW + qNE
        south = qSW + qSE
        t_nw = north + qSW    # shared corner NW: (u west face, v north face)
        t_ne = north + qSE    # shared corner NE: (u east face, v north face)
        t_se = south + qNE    # shared corner SE: (u east face, v south face)
        t_sw = south + qNW    # shared corner SW: (u west face, v south face)

        # q h v at u-points: own cell (u on its west face) + western cell (u on east face)
        qhv = (t_nw * VN + t_sw * VS) + _west(t_ne * VN + t_se * VS)
        # q h u at interior v-points: southern cell (v on its north face) + northern cell
        south_part = t_nw * U + t_ne * UE
        north_part = t_sw * U + t_se * UE
        qhu = south_part[..., :-1, :] + north_part[..., 1:, :]

        du = (_west(pot) - pot) + qhv
        if self._F is not None:
            du = du + self._F
        dv = (pot[..., :-1, :] - pot[..., 1:, :]) - qhu
        return du, dv, deta

    def tendencies(self, state: SWState):
        """Physical-time tendencies ``(du/dt, dv/dt, dη/dt)`` of the scaled state.

        Advection, Coriolis, pressure gradient and wind forcing only (the RK4
        part); for diagnostics and tests, not used by :meth:`step`.
        """
        du, dv, deta = self._rhs(state.u, state.v, state.eta)
        return du / self.dx, dv / self.dx, deta * (self._c_div / self.dx)

    def _laplace(self, a, ghost_rows):
        """Raw 5-point Laplacian (Δ² ∇²) of ``a`` with the given ghost-row builder."""
        ap = ghost_rows(a)
        return ((ap[..., 2:, :] + ap[..., :-2, :]) + (_east(a) + _west(a))) - a * 4.0

    def _ghost_u(self, a):
        ap = np.concatenate((a[..., :1, :], a, a[..., -1:, :]), axis=-2)
        return ap * self._c_mask if self._c_mask is not None else ap

    def _ghost_v(self, a):
        zeros = self._zero_rows(a.shape)
        return np.concatenate((zeros, a, zeros), axis=-2)

    def _dissipation(self, u, v, eta):
        """Δt times the drag + viscosity tendencies of the (scaled) u and v."""
        terms_u, terms_v = None, None
        if self.params.drag != 0.0:
            hh = eta * self._c_eta_half + self._H_half       # k h/2
            hu = hh + _west(hh)
            hv = hh[..., 1:, :] + hh[..., :-1, :]
            # |u| at centres from the Bernoulli kinetic energy, then at the faces (×2)
            ue = u * self._c_speed
            ve = self._ghost_v(v * self._c_speed)
            usq = ue * ue
            vsq = ve * ve
            speed = np.sqrt((usq + _east(usq)) + (vsq[..., 1:, :] + vsq[..., :-1, :]))
            speed_u = speed + _west(speed)
            speed_v = speed[..., 1:, :] + speed[..., :-1, :]
            terms_u = (speed_u / hu) * u * self._c_drag
            terms_v = (speed_v / hv) * v * self._c_drag
        if self.nu != 0.0:
            llu = self._laplace(self._laplace(u, self._ghost_u), self._ghost_u) * self._c_visc
            llv = self._laplace(self._laplace(v, self._ghost_v), self._ghost_v) * self._c_visc
            terms_u = llu if terms_u is None else terms_u + llu
            terms_v = llv if terms_v is None else terms_v + llv
        return terms_u, terms_v

    @staticmethod
    def _add(x, incr, comp):
        """x + incr, Kahan-compensated when ``comp`` is not None."""
        if comp is None:
            return x + incr, None
        y = incr - comp
        t = x + y
        return t, (t - x) - y

    def step(self, state: SWState) -> SWState:
        """Advance the (scaled) state by one time step Δt."""
        u0, v0, e0 = state.u, state.v, state.eta
        cu, cv, ce = state.cu, state.cv, state.ceta
        if self.params.compensated and cu is None:
            raise ValueError("state has no Kahan compensation terms; build it with "
                             "to_internal() of a compensated model")
        u1, v1, e1 = u0, v0, e0
        ua, va, ea = u0, v0, e0
        dtp, dte = self._dtp, self._dtp * self._c_div
        for k in range(4):
            du, dv, de = self._rhs(u1, v1, e1)
            if k < 3:
                b = _RK_B[k]
                u1, v1, e1 = u0 + du * (b * dtp), v0 + dv * (b * dtp), e0 + de * (b * dte)
            a = _RK_A[k]
            ua, cu = self._add(ua, du * (a * dtp), cu)
            va, cv = self._add(va, dv * (a * dtp), cv)
            ea, ce = self._add(ea, de * (a * dte), ce)
        diss_u, diss_v = self._dissipation(ua, va, ea)
        if diss_u is not None:
            ua, cu = self._add(ua, diss_u, cu)
            va, cv = self._add(va, diss_v, cv)
        return SWState(ua, va, ea, cu, cv, ce)

    # --------------------------------------------------------------- driver
    def iterate(self, state0, days: float, output_every: float = 1.0) -> Iterator:
        """Integrate and yield ``(time [s], state)`` at the start and every output.

        Parameters
        ----------
        state0 : SWState
            Physical initial state (e.g. from :meth:`initial_state`, possibly
            converted to an emulated array type); it is scaled on entry.
        days : float
            Length of the integration [days]; rounded to whole time steps.
        output_every : float
            Output interval [days]; rounded to whole time steps (>= 1). The
            final state is always included.

        Yields
        ------
        (float, SWState)
            Model time and the internal (scaled) state; use :meth:`to_physical`
            for unscaled float64 copies.
        """
        if not (np.isfinite(days) and days >= 0):
            raise ValueError(f"days must be a finite number >= 0, got {days!r}")
        if not (np.isfinite(output_every) and output_every > 0):
            raise ValueError(f"output_every must be a positive number of days, got {output_every!r}")
        nsteps = int(round(days * SECONDS_PER_DAY / self.dt))
        nout = max(1, int(round(output_every * SECONDS_PER_DAY / self.dt)))
        state = self.to_internal(state0.u, state0.v, state0.eta)
        yield 0.0, state
        for i in range(1, nsteps + 1):
            state = self.step(state)
            if i % nout == 0 or i == nsteps:
                yield i * self.dt, state

    def run(self, state0, days: float, output_every: float = 1.0) -> SWOutput:
        """Integrate and collect unscaled float64 snapshots (see :meth:`iterate`)."""
        times, us, vs, etas, zetas = [], [], [], [], []
        for t, state in self.iterate(state0, days, output_every):
            u, v, eta = self.to_physical(state)
            vp = self.pad_v(v)
            times.append(t)
            us.append(u)
            vs.append(vp)
            etas.append(eta)
            zetas.append(self.vorticity(u, vp))
        return SWOutput(np.array(times), np.stack(us), np.stack(vs), np.stack(etas),
                        np.stack(zetas))

    # ---------------------------------------------------------- diagnostics
    def pad_v(self, v):
        """float64 v with the wall rows (zeros) added: shape ``(..., ny+1, nx)``."""
        v = np.asarray(v, dtype=np.float64)
        z = np.zeros(v.shape[:-2] + (1, self.nx))
        return np.concatenate((z, v, z), axis=-2)

    def vorticity(self, u, v_padded):
        """Relative vorticity ∂v/∂x - ∂u/∂y [s⁻¹] at cell corners (float64)."""
        u = np.asarray(u, dtype=np.float64)
        up = np.concatenate((u[..., :1, :], u, u[..., -1:, :]), axis=-2) * self._mask
        return ((v_padded - np.roll(v_padded, 1, axis=-1))
                - (up[..., 1:, :] - up[..., :-1, :])) / self.dx

    def diagnostics(self, u, v, eta):
        """Energy, potential enstrophy and speed statistics of a physical state.

        See :func:`diagnostics`.
        """
        return diagnostics(self, u, v, eta)


def diagnostics(model: ShallowWaterModel, u, v, eta) -> dict:
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
        ``energy`` [J/ρ = m⁵ s⁻²]: the discrete energy Σ_T (h K + g η²/2) Δ² that
        the semi-discrete scheme conserves (K = (Ix u² + Iy v²)/2); ``enstrophy``
        [m s⁻²]: potential enstrophy Σ_q h_q q² / 2 Δ² (conserved by the scheme
        only for non-divergent mass flux); ``mean_speed``: mean of
        |u| at cell centres [m/s]; ``max_speed`` [m/s]; ``mass``: Σ η Δ² [m³].
        Each over the last two axes (leading ensemble axes are kept).
    """
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    eta = np.asarray(eta, dtype=np.float64)
    if v.shape[-2] == model.ny - 1:
        v = model.pad_v(v)
    p = model.params
    area = model.dx**2
    h = eta + model.H
    ke = 0.25 * (u**2 + np.roll(u, -1, axis=-1) ** 2 + v[..., 1:, :] ** 2 + v[..., :-1, :] ** 2)
    energy = ((h * ke + 0.5 * p.g * eta**2).sum(axis=(-2, -1))) * area
    hp = np.concatenate((h[..., :1, :], h, h[..., -1:, :]), axis=-2)
    hy = 0.5 * (hp[..., 1:, :] + hp[..., :-1, :])
    hq = 0.5 * (hy + np.roll(hy, 1, axis=-1))
    q = (model.f_q + model.vorticity(u, v)) / hq
    enstrophy = (0.5 * hq * q**2).sum(axis=(-2, -1)) * area
    speed = np.sqrt(2.0 * ke)
    return {
        "energy": energy,
        "enstrophy": enstrophy,
        "mean_speed": speed.mean(axis=(-2, -1)),
        "max_speed": speed.max(axis=(-2, -1)),
        "mass": eta.sum(axis=(-2, -1)) * area,
    }
