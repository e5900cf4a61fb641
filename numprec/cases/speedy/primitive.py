"""The dry primitive-equation core of the SPEEDY-style model.

Prognostic spectral variables, per sigma level k (top to bottom): relative
vorticity ``vor`` and divergence ``div`` (s^-1), the temperature anomaly
``tem`` = T - T_ref(k) (K), and ``lnps`` = ln(p_s / p0).  Equations in
vorticity-divergence form (Hoskins & Simmons 1975, QJRMS 101, 637; Bourke
1974, MWR 102, 687), vertical differencing after Simmons & Burridge (1981,
MWR 109, 758; :mod:`numprec.cases.speedy.vertical`):

    d(vor)/dt = curl F,    d(div)/dt = div F - lap(K + Phi + R T_ref ln p_s),
    F = ((f + vor) v - sdot du/dsigma - R T' (1/a cos) d ln p_s/dlambda,
         -(f + vor) u - sdot dv/dsigma - R T' (1/a) d ln p_s/dphi),
    dT'/dt = -div(u T') + T' D - sdot dT/dsigma + kappa T (D ln p/Dt),
    d ln p_s/dt = -sum_k dsigma_k (D_k + u_k . grad ln p_s),

with K = |u|^2/2 and Phi the hydrostatic geopotential (flat surface).  All
operators are the unit-sphere operators of the transform, so the radius enters
only as a^-2 on R and Phi (the winds are held as u/a); in double this changes
nothing but round-off, and it keeps magnitudes near those of the radius-scaled
SpeedyWeather form.

Time stepping: leapfrog with the RAW filter; the gravity-wave terms
(-lap(H T' + R T_ref ln p_s) in the divergence equation, L D in the
temperature equation, -sum dsigma D in the ln p_s equation) are centred
implicit with weight 1/2 (Hoskins & Simmons 1975), one 8x8 matrix per total
wavenumber l and step length, built in double; implicit del^8 diffusion and a
del^2 sponge on the top level, evaluated at the previous level (SPEEDY's
``hordif``, 2.4 h at the truncation; 12 h on level 1).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from numprec import emulate
from numprec.cases.base import Model, setting
from numprec.cases.speedy.diffusion import HorizontalDiffusion
from numprec.cases.speedy.mass import MassFixer
from numprec.cases.speedy.timestepping import Leapfrog
from numprec.cases.speedy.transform import SpectralTransform, rounds_nothing
from numprec.cases.speedy.vertical import SigmaLevels, vertical_advection, vertical_terms

RADIUS = 6.371e6
OMEGA = 7.292e-5
CP = 1004.0
KAPPA = 2.0 / 7.0
P0 = 1.0e5

PROGNOSTIC = ("vor", "div", "tem", "lnps")


class SpeedyState(NamedTuple):
    """Both leapfrog levels of the spectral prognostic variables (the
    driver's state; members batched in the leading dimension)."""

    vor_prev: object
    div_prev: object
    tem_prev: object
    lnps_prev: object
    vor: object
    div: object
    tem: object
    lnps: object

    @classmethod
    def from_pair(cls, previous, current):
        """The state of two leapfrog levels given as dicts (the inverse of
        :meth:`pair`).

        Parameters
        ----------
        previous, current : dict
            ``{name: spectral array}`` of the prognostic variables (vor,
            div, tem, lnps) at the previous and the current time level.

        Returns
        -------
        SpeedyState
        """
        return cls(*(previous[k] for k in PROGNOSTIC), *(current[k] for k in PROGNOSTIC))

    def pair(self):
        """(previous, current) as dicts."""
        return ({k: getattr(self, k + "_prev") for k in PROGNOSTIC},
                {k: getattr(self, k) for k in PROGNOSTIC})


def _component_policy(policy, name):
    return None if policy is None else policy.component(name)


def default_steps_per_day(trunc: int) -> int:
    """SPEEDY's 36 steps per day at T30 (40 min), scaled linearly with
    resolution and rounded to a multiple of 4 (whole steps per 6 h): 24 at
    T21 (60 min), 36 at T30."""
    return 4 * max(1, int(round(9.0 * (trunc + 1) / 31.0)))


def _apply_levels(matrix, x):
    """sum_r matrix[r, k] x[..., r, p, m, n] (level axis fourth from last;
    ``matrix`` is the transpose of the level operator).

    On emulated arrays: one rounded matrix product of the operator with the
    levels as rows, (matrix^T) @ x.reshape(..., nlev, 2 (T+1) (T+2)), on
    the contiguous array (sum over r sequential, each product and partial
    sum rounded); on plain arrays (and under a policy that rounds nothing,
    :func:`numprec.cases.speedy.transform.rounds_nothing`) BLAS on the level
    axis moved last (the double results stay those of the original code)."""
    if not rounds_nothing(x):
        lead = x.shape[:-4]
        return (matrix.T @ x.reshape(lead + (x.shape[-4], -1))).reshape(x.shape)
    nd = x.ndim
    perm = tuple(range(nd - 4)) + (nd - 3, nd - 2, nd - 1, nd - 4)
    back = tuple(range(nd - 4)) + (nd - 1, nd - 4, nd - 3, nd - 2)
    return (x.transpose(perm) @ matrix).transpose(back)


@dataclass(frozen=True, eq=False)
class GridDynamics:
    """Grid-point tendencies of the dry core (SB81 vertical differencing).

    Parameters
    ----------
    levels : SigmaLevels
    radius, rotation, kappa : float
        Earth's radius (m), rotation rate (s^-1) and R/c_p.
    """

    levels: SigmaLevels = SigmaLevels()
    radius: float = RADIUS
    rotation: float = OMEGA
    kappa: float = KAPPA
    tables: dict = field(default=None, repr=False)

    def under(self, transform, policy):
        lv = self.levels
        tref = lv.reference_temperature()
        f = (2.0 * self.rotation * transform.mu)[:, None]
        tables = {"coriolis": f, "tref": tref[:, None, None]}
        coef = self.coefficients()
        if policy is not None:
            tables = {k: policy.constant(v) for k, v in tables.items()}
            coef = {k: policy.constant(v) if k.endswith("_col") else v for k, v in coef.items()}
        tables["coef"] = coef
        return replace(self, tables=tables)

    def coefficients(self) -> dict:
        """Level coefficients in double: Python floats (converted per
        operation) and, for the operations on all levels at once, columns
        of shape (levels, 1, 1) (names ending in ``_col``; :meth:`under`
        converts them once with ``policy.constant``)."""
        lv = self.levels
        tref = lv.reference_temperature()

        def col(v):
            return np.asarray(v, dtype=np.float64)[:, None, None]
        return {"dsigma": [float(v) for v in lv.dsigma],
                "half_inner_col": col(lv.half[1:-1]),
                "alpha_col": col(lv.alpha()),
                "beta_col": col(lv.beta()),
                "inv_2dsigma_col": col(0.5 / lv.dsigma),
                "tref": [float(v) for v in tref],
                "rgas_a2": lv.gas_constant / self.radius ** 2,
                "kappa": self.kappa}

    def tendencies(self, grid):
        """Nonlinear grid tendencies from the grid fields ``grid`` (dict:
        ``u``, ``v`` (u/a, v/a, s^-1), ``vor``, ``div``, ``tem`` level arrays,
        ``gx``, ``gy`` the unit-sphere gradient of ln p_s, shape (..., 1, lat,
        lon)).  Returns the vector F (``fu``, ``fv``), the temperature
        fluxes (``ut``, ``vt``), ``ke``, the grid
        part of the temperature tendency ``tt`` and ``lnps`` tendency ``pt``.
        (The vector F and the fluxes u T', v T' are in the same units as u/a.)"""
        t = self.tables
        c = t["coef"]
        u, v, vor, div, tem = grid["u"], grid["v"], grid["vor"], grid["div"], grid["tem"]
        gx, gy = grid["gx"], grid["gy"]
        ugp = u * gx + v * gy
        A = div + ugp
        total, sdot, conv = vertical_terms(self.levels, A, c)
        absvor = vor + t["coriolis"]
        rt = tem * c["rgas_a2"]
        fu = absvor * v - vertical_advection(sdot, u, c) - rt * gx
        fv = -(absvor * u) - vertical_advection(sdot, v, c) - rt * gy
        temp = tem + t["tref"]
        tt = tem * div - vertical_advection(sdot, temp, c) + temp * (ugp + conv) * c["kappa"]
        ke = (u * u + v * v) * 0.5
        return {"fu": fu, "fv": fv, "ut": u * tem, "vt": v * tem, "ke": ke, "tt": tt,
                "pt": -total}


@dataclass(frozen=True, eq=False)
class SemiImplicit:
    """Hoskins-Simmons semi-implicit correction of the gravity-wave terms
    (centred, weight alpha = 1/2 on the two leapfrog end levels).

    With G_D = N_D - lap(H~ T'_prev + r ln p_s,prev), G_T = N_T + L D_prev,
    G_p = N_p + W D_prev and xi = step/2 (lap = -l(l+1) on the unit sphere,
    H~ = H/a^2, r_k = R T_ref(k)/a^2), the tendencies are

        [I - xi^2 l(l+1) (H~ L + r W)] dD = G_D + xi l(l+1) (H~ G_T + r G_p),
        dT = G_T + xi L dD,   d ln p_s = G_p + xi W dD.

    L is the linearisation of the temperature tendency about rest at T_ref,
    taken from :func:`numprec.cases.speedy.vertical.vertical_terms` itself
    (probed with unit vectors), so the implicit and explicit terms cancel
    exactly in the linear limit.

    ``surface_geopotential`` (spectral coefficients (2, T+1, T+2), m^2 s^-2;
    None: a flat surface) adds the constant -lap(Phi_s) to the divergence
    tendency before the solve (orography enters the geopotential, SPEEDY's
    ``geop``).
    """

    levels: SigmaLevels
    trunc: int
    step_lengths: tuple
    radius: float = RADIUS
    kappa: float = KAPPA
    surface_geopotential: object = None
    tables: dict = field(default=None, repr=False)

    def matrices(self) -> dict:
        lv = self.levels
        n = lv.nlev
        R = lv.gas_constant
        a2 = self.radius ** 2
        tref = lv.reference_temperature()
        grid = GridDynamics(lv, self.radius, 0.0, self.kappa)
        c = grid.coefficients()
        eye = np.eye(n)[:, None, :]                       # (level, 1, probe)
        total, sdot, conv = vertical_terms(lv, eye, c)
        temp = np.broadcast_to(tref[:, None, None], eye.shape)
        L = (-vertical_advection(sdot, temp, c) + temp * conv * self.kappa)[:, 0, :]
        W = -lv.dsigma[None, :]
        H = lv.hydrostatic_matrix() / a2
        r = (R * tref / a2)[:, None]
        return {"L": L, "W": W, "H": H, "r": r}

    def double_tables(self) -> dict:
        mats = self.matrices()
        L, W, H, r = mats["L"], mats["W"], mats["H"], mats["r"]
        T = self.trunc
        l = np.arange(T + 1)[:, None] + np.arange(T + 2)[None, :]
        eig = l * (l + 1.0)
        n = H.shape[0]
        tables = {"LT": L.T.copy(), "HT": H.T.copy(), "r": r[:, 0].copy(), "W": W[0].copy(),
                  "eig": eig}
        if self.surface_geopotential is not None:
            phis = np.asarray(self.surface_geopotential, dtype=np.float64)
            if phis.shape != (2, T + 1, T + 2):
                raise ValueError(f"surface_geopotential must have the spectral shape "
                                 f"{(2, T + 1, T + 2)}, got {phis.shape}")
            tables["orography"] = phis * eig * (l <= T) / self.radius ** 2
        for h in self.step_lengths:
            xi = 0.5 * h
            byl = np.array([np.linalg.inv(np.eye(n) - xi * xi * e * (H @ L + r @ W))
                            for e in np.arange(T + 2) * (np.arange(T + 2) + 1.0)])
            tables[("inverse_T", float(h))] = np.ascontiguousarray(
                byl[np.minimum(l, T + 1)].transpose(0, 1, 3, 2))   # (M, N, n, n), transposed
        return tables

    def under(self, policy):
        tables = self.double_tables()
        if policy is not None:
            tables = {k: policy.constant(v) for k, v in tables.items()}
        return replace(self, tables=tables)

    def level_sum(self, weights, x):
        """sum_k weights[k] x[..., k, p, m, n] -> (..., p, m, n)."""
        acc = None
        for k in range(x.shape[-4]):
            term = x[..., k, :, :, :] * weights[k]
            acc = term if acc is None else acc + term
        return acc

    def solve(self, N_D, N_T, N_p, previous, step):
        """Tendencies (dD, dT', d ln p_s) of the step of length ``step``."""
        t = self.tables
        eig = t["eig"]
        Dp, Tp, pp = previous["div"], previous["tem"], previous["lnps"]
        G_D = N_D + (_apply_levels(t["HT"], Tp) + pp[..., None, :, :, :] * t["r"][:, None, None, None]) * eig
        G_T = N_T + _apply_levels(t["LT"], Dp)
        G_p = N_p + self._wsum(Dp)
        xi = 0.5 * step
        rhs = G_D + (_apply_levels(t["HT"], G_T) + G_p[..., None, :, :, :]
                     * t["r"][:, None, None, None]) * (eig * xi)
        inv = t[("inverse_T", float(step))]
        nd = rhs.ndim
        perm = tuple(range(nd - 4)) + (nd - 3, nd - 2, nd - 1, nd - 4)
        back = tuple(range(nd - 4)) + (nd - 1, nd - 4, nd - 3, nd - 2)
        moved = rhs.transpose(perm)[..., None, :]                 # (..., p, m, n, 1, lev)
        dD = (moved @ inv)[..., 0, :].transpose(back)
        dT = G_T + _apply_levels(t["LT"], dD) * xi
        dp = G_p + self._wsum(dD) * xi
        return dD, dT, dp

    def _wsum(self, D):
        """W D = -sum_k dsigma_k D_k."""
        return self.level_sum([-float(v) for v in self.levels.dsigma], D)


@dataclass(frozen=True, eq=False)
class PrimitiveEquationModel(Model):
    """The dry sigma-coordinate core: a dataclass of components (the case
    contract's :class:`numprec.cases.base.Model`).

    Components (Paxton et al. 2022's precision modes): ``spectral_transform``,
    ``grid_dynamics``, ``spectral_dynamics`` (the semi-implicit solve and
    spectral terms), ``diffusion``, ``timestepping``, ``forcing`` (None: an
    unforced core) and ``mass_fixer`` (None: off; a
    :class:`~numprec.cases.speedy.mass.MassFixer` holding each member's
    global mass at its target after every step).

    ``time_unit`` (a setting, not a component) is the model's unit of time
    in seconds.  With ``time_unit = a`` (the radius in m, SpeedyWeather's
    "radius scaling") the prognostic vorticity and divergence are held as
    a zeta and a D (O(1-100) instead of O(1e-5)), the grid winds as u in m/s,
    every rate (f, diffusion, forcing) is multiplied by a, every time (the
    step) divided by it, and R/a^2 becomes R: the same equations with
    magnitudes that fit Float16's normal range.  In double this changes
    only round-off.  1 (seconds) is the unscaled model.

    ``analysis_scale`` (a setting; a power of two, so exact wherever the
    values stay normal) multiplies the grid tendencies before their analysis
    and divides the spectral result: with radius scaling, (f + zeta) v / cos
    reaches ~5e5 near the poles, beyond Float16's 65504, and the Fourier
    sums grow with the number of longitudes; 2^-10 keeps them in range.
    """

    spectral_transform: SpectralTransform
    grid_dynamics: GridDynamics
    spectral_dynamics: SemiImplicit
    diffusion: HorizontalDiffusion | None
    timestepping: Leapfrog
    forcing: object = None
    mass_fixer: MassFixer | None = None
    time_unit: float = setting(1.0)
    analysis_scale: float = setting(1.0)

    @classmethod
    def build(cls, trunc=21, dt=None, diffusion_tau=2.4 * 3600.0, top_tau=12 * 3600.0,
              levels=None, forcing=None, fourier="fft", time_unit=1.0, analysis_scale=1.0,
              surface_geopotential=None, rescale_transforms=None, mass_fixer=False):
        """The model at truncation ``trunc``; ``dt`` (seconds) defaults to
        :func:`default_steps_per_day`.
        ``diffusion_tau=None`` switches diffusion off.  ``time_unit``:
        seconds per model time unit (``RADIUS`` for radius scaling; the
        forcing must then have an ``in_time_unit(seconds)`` method).
        ``analysis_scale``: a power of two (see the class notes).
        ``surface_geopotential``: spectral Phi_s (m^2 s^-2; see
        :class:`SemiImplicit`), None for a flat surface.
        ``rescale_transforms``: Paxton et al. (2022)'s rescaling of every
        spectral transform input to this largest magnitude (they use 100;
        see :class:`SpectralTransform`'s ``rescale``); None (default): off.
        ``mass_fixer``: False (default, as SPEEDY: no fixer), True (a
        :class:`MassFixer` whose target is set by :meth:`with_mass_target`)
        or a MassFixer."""
        levels = SigmaLevels() if levels is None else levels
        if not (isinstance(time_unit, (int, float)) and time_unit > 0):
            raise ValueError(f"time_unit must be a number of seconds > 0, got {time_unit!r}")
        tu = float(time_unit)
        mant, _ = np.frexp(analysis_scale)
        if not (isinstance(analysis_scale, (int, float)) and analysis_scale > 0 and mant == 0.5):
            raise ValueError(f"analysis_scale must be a power of two, got {analysis_scale!r}")
        if dt is None:
            dt = 86400.0 / default_steps_per_day(trunc)
        st = SpectralTransform(trunc, fourier=fourier, rescale=rescale_transforms)
        lf = Leapfrog(float(dt) / tu)
        diff = None if diffusion_tau is None else HorizontalDiffusion(
            trunc, lf.step_lengths, diffusion_tau / tu, levels=levels.nlev,
            top_tau=None if top_tau is None else top_tau / tu)
        if forcing is not None and tu != 1.0:
            if not hasattr(forcing, "in_time_unit"):
                raise ValueError(f"forcing {type(forcing).__name__} has no in_time_unit(); it "
                                 "cannot run with time_unit != 1")
            forcing = forcing.in_time_unit(tu)
        if mass_fixer is True:
            mass_fixer = MassFixer()
        elif mass_fixer is False or mass_fixer is None:
            mass_fixer = None
        elif not isinstance(mass_fixer, MassFixer):
            raise ValueError(f"mass_fixer must be True, False or a MassFixer, got "
                             f"{mass_fixer!r}")
        radius = RADIUS / tu
        return cls(st, GridDynamics(levels, radius=radius, rotation=OMEGA * tu),
                   SemiImplicit(levels, trunc, lf.step_lengths, radius=radius,
                                surface_geopotential=surface_geopotential), diff,
                   lf, forcing, mass_fixer, tu, float(analysis_scale)).under(None)

    @property
    def levels(self) -> SigmaLevels:
        """The vertical sigma levels (those of the grid dynamics)."""
        return self.grid_dynamics.levels

    def under(self, policy):
        """The model with every table converted once (round to nearest,
        ``constant``) under the policy of its component (None: double)."""
        def comp(name):
            return _component_policy(policy, name)
        st = self.spectral_transform.under(comp("spectral_transform"))
        forcing = None if self.forcing is None else self.forcing.under(
            st, self.levels, comp("forcing"))
        return replace(self, spectral_transform=st,
                       grid_dynamics=self.grid_dynamics.under(st, comp("grid_dynamics")),
                       spectral_dynamics=self.spectral_dynamics.under(comp("spectral_dynamics")),
                       diffusion=None if self.diffusion is None else self.diffusion.under(
                           comp("diffusion")),
                       forcing=forcing,
                       mass_fixer=None if self.mass_fixer is None else self.mass_fixer.under(
                           st, comp("mass_fixer")))

    def with_mass_target(self, state, excess=None):
        """The model with its mass fixer's target set: ``excess`` (per member,
        ``<p_s>/p0 - 1``, e.g. from a restart file) or the mass of the
        current level of ``state`` (a :class:`SpeedyState` or a dict with
        ``lnps``), computed in double.  Unchanged without a fixer.  Record it
        once, from the double start state: the driver's ``prepare`` keeps it,
        so resumed runs stay bit-identical."""
        if self.mass_fixer is None:
            return self
        st = self.spectral_transform
        if excess is not None:
            fixer = MassFixer(excess).under(st, None)
        else:
            lnps = state["lnps"] if isinstance(state, dict) else state.lnps
            fixer = MassFixer().recorded(lnps, st)          # with its double tables
        return replace(self, mass_fixer=fixer)

    def prepare(self, policy, state):
        """The case contract's set-up: tables converted once per component."""
        return self.under(policy)

    # ------------------------------------------------------------ state
    def resting_state(self, temperature=None, members=None):
        """A resting atmosphere at p_s = p0: isothermal at ``temperature`` K,
        or at T_ref (``None``).  ``members`` adds a leading dimension."""
        st = self.spectral_transform
        n = self.levels.nlev
        lead = () if members is None else (members,)
        zeros = np.zeros(lead + (n,) + st.spectral_shape)
        tem = zeros.copy()
        if temperature is not None:
            tref = self.levels.reference_temperature()
            # the (0,0) coefficient of a constant c is c / Pbar_0^0 = c sqrt(2)
            tem[..., 0, 0, 0] = (temperature - tref) * np.sqrt(2.0)
        return {"vor": zeros, "div": zeros.copy(), "tem": tem,
                "lnps": np.zeros(lead + st.spectral_shape)}

    def initial_state(self, members: int, seed=0, *, noise=0.1, spinup_steps=0):
        """A :class:`SpeedyState` of ``members`` members: rest at T_ref and
        p_s = p0 plus grid-point noise of ``noise`` K in T (drawn with
        ``numpy.random.default_rng(seed)``, one draw per member), the
        start-up steps and ``spinup_steps`` leapfrog steps done in double."""
        model = self.under(None)
        st = model.spectral_transform
        state = model.resting_state(members=members)
        rng = np.random.default_rng(seed)
        perturb = rng.standard_normal((members, self.levels.nlev) + st.grid_shape) * noise
        state["tem"] = st.truncate(st.analysis(perturb))
        previous, current = model.start(state)
        for _ in range(spinup_steps):
            previous, current = model.leapfrog(previous, current)
        return SpeedyState.from_pair(previous, current)

    def restart_state(self, restart, *, spinup_steps=0):
        """A :class:`SpeedyState` from a loaded restart
        (:class:`numprec.cases.speedy.restart.Restart`, converted to this
        model's time unit): both levels as
        saved (the time step must be this model's), or the current level
        followed by the start-up steps; then ``spinup_steps`` leapfrog steps,
        all in double."""
        model = self.under(None)
        restart = restart.in_time_unit(self.time_unit)
        if restart.previous is None:
            previous, current = model.start(restart.current)
        else:
            dt = self.timestepping.dt * self.time_unit
            if restart.dt != dt:
                raise ValueError(f"the restart's two levels are {restart.dt} s apart; this "
                                 f"model's time step is {dt} s")
            previous, current = restart.previous, restart.current
        for _ in range(spinup_steps):
            previous, current = model.leapfrog(previous, current)
        return SpeedyState.from_pair(previous, current)

    def output(self, state) -> dict:
        """Grid u, v (m/s), T (K), geopotential (m^2 s^-2, flat surface) on
        the sigma levels and p_s (Pa) of the current level, computed in
        double from the state's values."""
        st = _double_transform(self.spectral_transform.trunc, self.spectral_transform.nlat,
                               self.spectral_transform.nlon)
        cur = {k: emulate.to_numpy(getattr(state, k)) for k in PROGNOSTIC}
        U, V = st.uv_cos(cur["vor"], cur["div"])
        inv = st.tables["inv_coslat"][:, None] * self.grid_dynamics.radius
        T = st.synthesis(cur["tem"]) + self.levels.reference_temperature()[:, None, None]
        phi = np.einsum("kr,...rji->...kji", self.levels.hydrostatic_matrix(), T)
        if self.spectral_dynamics.surface_geopotential is not None:
            phi = phi + st.synthesis(np.asarray(self.spectral_dynamics.surface_geopotential))
        return {"u": U * inv, "v": V * inv, "T": T, "geopotential": phi,
                "ps": P0 * np.exp(st.synthesis(cur["lnps"]))}

    # ------------------------------------------------------------ one step
    def grid_fields(self, state, extra=None):
        """Synthesis of the current level: one transform of 5 nlev + 2 fields
        (winds from vor and div, and the gradient of ln p_s, under the
        ``spectral_transform`` component's policy).

        ``extra`` (optional): spectral fields ``(..., k, 2, T+1, T+2)`` to
        synthesise in the same transform; their grids are returned as
        ``"extra"`` (..., k, lat, lon).  Every value is the one a separate
        synthesis gives under round to nearest (the fields of a transform
        do not interact)."""
        st = self.spectral_transform
        n = self.levels.nlev
        with emulate.component("spectral_transform", like=state["vor"]):
            U, V = st.uv_cos_spectral(state["vor"], state["div"])
            lnps = state["lnps"][..., None, :, :, :]
            parts = [U, V, state["vor"], state["div"], state["tem"], st.dlambda(lnps),
                     st.cos_dmu(lnps)]
            if extra is not None:
                parts.append(extra)
            g = st.synthesis(np.concatenate(parts, axis=-4))
        inv = st.tables["inv_coslat"][:, None]
        with emulate.component("grid_dynamics", like=g):
            out = {"u": g[..., 0:n, :, :] * inv, "v": g[..., n:2 * n, :, :] * inv,
                   "vor": g[..., 2 * n:3 * n, :, :], "div": g[..., 3 * n:4 * n, :, :],
                   "tem": g[..., 4 * n:5 * n, :, :], "gx": g[..., 5 * n:5 * n + 1, :, :] * inv,
                   "gy": g[..., 5 * n + 1:5 * n + 2, :, :] * inv}
        if extra is not None:
            out["extra"] = g[..., 5 * n + 2:, :, :]
        return out

    def spectral_tendencies(self, tend):
        """Analysis of the grid tendencies (one transform of 6 nlev + 1
        fields) and the spectral terms: vor tendency, N_D, N_T, N_p."""
        st = self.spectral_transform
        n = self.levels.nlev
        inv = st.tables["inv_coslat"][:, None]
        sc = self.analysis_scale
        with emulate.component("grid_dynamics", like=tend["fu"]):
            # the vector components over cos(lat): A* = (F cos)/cos^2 of curl_div
            if sc != 1.0:
                inv = inv * sc
            parts = [tend["fu"] * inv, tend["fv"] * inv, tend["ut"] * inv,
                     tend["vt"] * inv] + [tend[k] if sc == 1.0 else tend[k] * sc
                                          for k in ("ke", "tt", "pt")]
        s = st.analysis(np.concatenate(parts, axis=-3))
        if sc != 1.0:
            with emulate.component("spectral_transform", like=s):
                s = s * (1.0 / sc)
        fu, fv = s[..., 0:n, :, :, :], s[..., n:2 * n, :, :, :]
        ut, vt = s[..., 2 * n:3 * n, :, :, :], s[..., 3 * n:4 * n, :, :, :]
        ke, tt = s[..., 4 * n:5 * n, :, :, :], s[..., 5 * n:6 * n, :, :, :]
        pt = s[..., 6 * n, :, :, :]
        with emulate.component("spectral_dynamics", like=s):
            vor_t = st.truncate(st.dlambda(fv) + st.adjoint_cos_dmu(fu))
            div_t = st.truncate(st.dlambda(fu) - st.adjoint_cos_dmu(fv) - st.laplacian(ke))
            flux = st.dlambda(ut) - st.adjoint_cos_dmu(vt)
            tem_t = st.truncate(tt - flux)
            lnps_t = st.truncate(pt)
        return vor_t, div_t, tem_t, lnps_t

    def advance(self, previous, current, step):
        """previous + step * tendency(current): dynamics at the current
        level, forcing and diffusion at the previous level, the
        semi-implicit correction for a step of length ``step``."""
        # On emulated arrays a forcing's previous-level grid fields (Held-Suarez:
        # T' and ln p_s) join the synthesis of the current level: one transform
        # instead of two, the same values under round to nearest.  Plain arrays and
        # policies that round nothing keep two transforms (BLAS sums a wider
        # product in another order: the double results stay those of two), and so
        # do rescaled transforms (each call keeps its own factor).
        extra = None
        if self.forcing is not None and hasattr(self.forcing, "grid_inputs") \
                and self.spectral_transform.rescale is None \
                and not rounds_nothing(current["vor"]):
            with emulate.component("forcing", like=current["vor"]):
                extra = self.forcing.grid_inputs(previous)
        grid = self.grid_fields(current, extra)
        with emulate.component("grid_dynamics", like=grid["u"]):
            tend = self.grid_dynamics.tendencies(grid)
        if self.forcing is not None:
            with emulate.component("forcing", like=grid["u"]):
                if extra is None:
                    self.forcing.add_grid_tendencies(self, previous, tend)
                else:
                    self.forcing.add_grid_tendencies(self, previous, tend, grid=grid["extra"])
        vor_t, N_D, T_full, N_p = self.spectral_tendencies(tend)
        sd = self.spectral_dynamics
        with emulate.component("spectral_dynamics", like=vor_t):
            if "orography" in sd.tables:
                N_D = N_D + sd.tables["orography"]
            N_T = T_full - _apply_levels(sd.tables["LT"], current["div"])
            N_p = N_p - sd._wsum(current["div"])
            div_t, tem_t, lnps_t = sd.solve(N_D, N_T, N_p, previous, step)
            div_t = self.spectral_transform.truncate(div_t)
            tem_t = self.spectral_transform.truncate(tem_t)
        tends = {"vor": vor_t, "div": div_t, "tem": tem_t, "lnps": lnps_t}
        if self.forcing is not None:
            with emulate.component("forcing", like=vor_t):
                tends = self.forcing.add_spectral_tendencies(self, previous, tends)
        if self.diffusion is not None:
            with emulate.component("diffusion", like=vor_t):
                for name in ("vor", "div", "tem"):
                    tends[name] = self.diffusion.damp(tends[name], previous[name], step)
        with emulate.component("timestepping", like=vor_t):
            return {name: previous[name] + tends[name] * step for name in PROGNOSTIC}

    def start(self, state):
        """The two leapfrog levels from one state: a forward half step, then
        a centred step (see the time stepping's ``start``).

        Parameters
        ----------
        state : dict
            ``{name: spectral array}`` of the prognostic variables.

        Returns
        -------
        tuple of dict
            ``(previous, current)``.
        """
        return self.timestepping.start(self.advance, state)

    def step(self, state):
        """The case contract's step: one leapfrog step of a
        :class:`SpeedyState` (see :meth:`leapfrog` for the call order)."""
        return SpeedyState.from_pair(*self.leapfrog(*state.pair()))

    def leapfrog(self, previous, current):
        """One leapfrog step of 2 dt.  Call order: synthesis
        (spectral_transform), grid tendencies (grid_dynamics), forcing at
        the previous level (forcing), analysis (spectral_transform),
        semi-implicit solve (spectral_dynamics), implicit diffusion at the
        previous level (diffusion), leapfrog + RAW filter (timestepping),
        then the mass fixer on the new current level (mass_fixer, if any)."""
        with emulate.component("timestepping", like=current["vor"]):
            previous, current = self.timestepping.step(self.advance, previous, current)
        if self.mass_fixer is not None:
            current = dict(current, lnps=self.mass_fixer.fix(current["lnps"],
                                                             self.spectral_transform))
        return previous, current

    def integrate(self, state, nsteps, every=None, callback=None):
        """Start and advance the current level by ``nsteps`` steps of dt;
        ``callback(i, current)`` (or saving, with ``every``) after every
        ``every`` steps."""
        if nsteps < 1:
            raise ValueError(f"nsteps must be >= 1, got {nsteps}")
        previous, current = self.start(state)
        saved = [state] if every else []
        for i in range(1, nsteps + 1):
            if i > 1:
                previous, current = self.leapfrog(previous, current)
            if every and i % every == 0:
                saved.append(current)
                if callback is not None:
                    callback(i, current)
        return (previous, current), saved


_DOUBLE_TRANSFORMS = {}


def _double_transform(trunc, nlat, nlon):
    """A double-precision transform for diagnostics (kept per grid)."""
    key = (trunc, nlat, nlon)
    if key not in _DOUBLE_TRANSFORMS:
        _DOUBLE_TRANSFORMS[key] = SpectralTransform(trunc, nlat, nlon)
    return _DOUBLE_TRANSFORMS[key]


def global_mean(transform, grid):
    """Area mean over the sphere of grid values (..., nlat, nlon), in double
    (Gaussian quadrature)."""
    g = emulate.to_numpy(grid)
    return np.einsum("...ji,j->...", g, transform.weights) / (2.0 * g.shape[-1])
