"""Tests of the shallow-water channel model (Klöwer et al. 2020, JAMES).

Oracles: exact steady states (lake at rest, zonal symmetry), analytic linear
waves (C-grid gravity-wave dispersion relation, Kelvin wave), the convergence
order of the RK4 energy error, exactness of power-of-two rescaling, and the
physics of the spun-up channel (jet, eddies behind the ridge).
"""

import numpy as np
import pytest
from numpy.lib.mixins import NDArrayOperatorsMixin
from typing import NamedTuple

from numprec.cases.shallow_water import ShallowWaterParams, SWState, build_model
from numprec.cases.shallow_water.diagnostics import diagnostics, pad_v, vorticity
from numprec.cases.shallow_water.dissipation import default_viscosity


class Output(NamedTuple):
    time: np.ndarray
    u: np.ndarray
    v: np.ndarray
    eta: np.ndarray
    zeta: np.ndarray


class ShallowWaterModel:
    """The model with the run helpers these tests use (a plain stepping loop)."""

    def __init__(self, params=None, *, compensated=False, model=None, **kw):
        if model is None:
            if compensated:
                kw["compensation"] = "per_stage"
            model = build_model(params, **kw)
        self.model = model
        g = model.grid
        self.nx, self.ny, self.dx, self.dt = g.nx, g.ny, g.dx, model.dt
        self.H, self.x_T, self.y_T, self.x_u, self.y_q = g.H, g.x_T, g.y_T, g.x_u, g.y_q
        self.Ly = g.Ly
        self.nu = model.viscosity.nu if model.viscosity is not None else 0.0
        self.Fx = model.forcing.Fx if model.forcing is not None else None
        fields = set(ShallowWaterParams.__dataclass_fields__)
        self.params = params if params is not None else ShallowWaterParams(
            **{k: v for k, v in kw.items() if k in fields})

    def initial_state(self, perturbation=0.0, seed=None, batch=()):
        return self.model.rest_state(perturbation, seed, batch)

    def to_internal(self, u, v, eta):
        return self.model.to_internal(u, v, eta)

    def step(self, state):
        return self.model.step(state)

    def map_constants(self, fn):
        return ShallowWaterModel(model=self.model.converted(fn))

    def run(self, state0, days, output_every=1.0):
        m = self.model
        nsteps = int(round(days * 86400 / m.dt))
        nout = max(1, int(round(output_every * 86400 / m.dt)))
        state = m.to_internal(state0.u, state0.v, state0.eta)
        out = []
        for i in range(nsteps + 1):
            if i > 0:
                state = m.step(state)
            if i % nout == 0 or i == nsteps:
                u, v, eta = m.to_physical(state)
                vp = pad_v(m, v)
                out.append((i * m.dt, u, vp, eta, vorticity(m, u, vp)))
        return Output(*(np.array([o[k] for o in out]) if k == 0 else
                        np.stack([o[k] for o in out]) for k in range(5)))


class Wrapped(NDArrayOperatorsMixin):
    """A minimal foreign array type (float64 inside) that counts operations.

    It supports only ufuncs, basic indexing and np.concatenate: what the
    emulated low-precision arrays are promised to support.
    """

    calls = 0

    def __init__(self, data):
        self.data = np.asarray(data, dtype=np.float64)

    shape = property(lambda self: self.data.shape)

    def __getitem__(self, key):
        return Wrapped(self.data[key])

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs:
            return NotImplemented
        Wrapped.calls += 1
        return Wrapped(ufunc(*(x.data if isinstance(x, Wrapped) else x for x in inputs)))

    def __array_function__(self, func, types, args, kwargs):
        if func is not np.concatenate:
            raise TypeError(f"the model called unsupported function {func.__name__}")
        Wrapped.calls += 1
        arrays = [x.data if isinstance(x, Wrapped) else x for x in args[0]]
        return Wrapped(np.concatenate(arrays, *args[1:], **kwargs))


def unforced(**kw):
    """Flat-bottom model without forcing or dissipation."""
    return ShallowWaterModel(topography="flat", forcing=None, bottom_drag=None, viscosity=None, **kw)


def rest_with(model, eta=None, u=None):
    z = SWState(np.zeros((model.ny, model.nx)), np.zeros((model.ny - 1, model.nx)),
                np.zeros((model.ny, model.nx)))
    return SWState(z.u if u is None else u, z.v, z.eta if eta is None else eta)


# ------------------------------------------------------------------ set-up
def test_default_grid_time_step_and_viscosity_follow_kloewer():
    m = ShallowWaterModel()
    assert (m.nx, m.ny, m.dx) == (100, 50, 20e3)
    # floor(Δ / sqrt(g H0)) = floor(20000 / 70.71) = 282 s
    assert m.dt == 282.0
    # ShallowWaters.jl: 500 m²/s per Δ³ / 30 km -> 1.33e11 m⁴/s at 20 km
    assert m.nu == pytest.approx(1.3333333e11, rel=1e-6)
    # ridge: 50 m deep at the centre of the channel, 500 m far away
    assert m.H.min() == pytest.approx(450.0, abs=0.1)
    assert m.H[0, 0] == pytest.approx(500.0 - 50.0 * np.exp(-(1e6 - 10e3) ** 2 / (2 * 300e3**2)))
    # wind forcing F0/(ρ H0) cos² profile: 2.4e-7 m/s² at most, zero at the walls
    assert m.Fx.max() == pytest.approx(0.12 / (1000 * 500), rel=1e-3)
    assert m.Fx[0, 0] < 0.01 * m.Fx.max()


@pytest.mark.parametrize("kwargs, name", [
    (dict(nx=2), "nx"), (dict(H0=-1.0), "H0"), (dict(topography="hills"), "topography"),
    (dict(slip=3.0), "slip"), (dict(dt=0.0), "dt"), (dict(scale=0.0), "scale"),
    (dict(nu=-1.0), "nu"), (dict(ridge_height=600.0), "ridge_height"),
])
def test_bad_parameters_are_rejected_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ShallowWaterParams(**kwargs)


def test_wrong_state_shape_is_rejected_by_name():
    m = ShallowWaterModel(nx=50)
    s = m.initial_state()
    with pytest.raises(ValueError, match="v must have shape"):
        m.to_internal(s.u, s.eta, s.eta)


def test_initial_perturbation_is_seeded_and_mass_free():
    m = ShallowWaterModel(nx=50)
    a = m.initial_state(perturbation=0.01, seed=1).eta
    b = m.initial_state(perturbation=0.01, seed=1).eta
    c = m.initial_state(perturbation=0.01, seed=2).eta
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3
    assert abs(a.sum()) < 1e-12
    assert a.std() == pytest.approx(0.01, rel=0.1)


# ------------------------------------------------------- exact properties
@pytest.mark.parametrize("compensated", [False, True])
def test_lake_at_rest_over_ridge_stays_exactly_at_rest(compensated):
    m = ShallowWaterModel(nx=50, wind_stress=0.0, compensated=compensated)
    state = m.to_internal(*rest_with(m)[:3])
    for _ in range(50):
        state = m.step(state)
    for field in state:
        if field is not None:
            np.testing.assert_array_equal(field, 0.0)


def test_flat_bottom_flow_stays_exactly_zonally_symmetric():
    # the zonally uniform wind alone cannot break the symmetry: only the ridge can
    m = ShallowWaterModel(nx=50, topography="flat")
    out = m.run(m.initial_state(), days=10.0, output_every=5.0)
    assert out.u.max() > 0.1
    for field in (out.u, out.v, out.eta):
        np.testing.assert_array_equal(field, np.broadcast_to(field[..., :1], field.shape))


def test_power_of_four_scaling_is_exact_in_double():
    # scaling by 2^6 changes every constant by a power of two: bit-identical runs
    def run(**kw):
        m = ShallowWaterModel(nx=50, **kw)
        return m.run(m.initial_state(perturbation=0.01, seed=3), days=5.0, output_every=5.0)

    plain, scaled = run(), run(scale=2.0**6, scale_eta=2.0**6)
    for name in ("u", "v", "eta"):
        np.testing.assert_array_equal(getattr(scaled, name), getattr(plain, name))


def test_other_scalings_agree_to_rounding_error():
    def run(**kw):
        m = ShallowWaterModel(nx=50, **kw)
        return m.run(m.initial_state(perturbation=0.01, seed=3), days=5.0, output_every=5.0)

    plain, scaled = run(), run(scale=2.0, scale_eta=2.0**-5)
    for name in ("u", "v", "eta"):
        a, b = getattr(plain, name), getattr(scaled, name)
        assert np.abs(a - b).max() <= 1e-10 * np.abs(a).max()
        assert np.abs(a).max() > 0


def test_kahan_compensated_run_agrees_with_plain_in_double():
    def run(**kw):
        m = ShallowWaterModel(nx=50, **kw)
        return m.run(m.initial_state(perturbation=0.01, seed=4), days=5.0, output_every=5.0)

    plain, comp = run(), run(compensated=True)
    for name in ("u", "v", "eta"):
        a, b = getattr(plain, name), getattr(comp, name)
        assert np.abs(a - b).max() <= 1e-12 * np.abs(a).max()


def test_ensemble_dimension_runs_members_independently():
    m = ShallowWaterModel(nx=50)
    members = [m.initial_state(perturbation=0.01, seed=s) for s in (1, 2)]
    batch = SWState(*(np.stack(f) for f in zip(*members)))
    out = m.run(batch, days=1.0, output_every=1.0)
    for i, member in enumerate(members):
        single = m.run(member, days=1.0, output_every=1.0)
        np.testing.assert_array_equal(out.u[:, i], single.u)
        np.testing.assert_array_equal(out.eta[:, i], single.eta)


@pytest.mark.parametrize("compensated", [False, True])
def test_foreign_array_type_runs_unchanged_and_is_preserved(compensated):
    m = ShallowWaterModel(nx=50, compensated=compensated)
    s0 = m.initial_state(perturbation=0.01, seed=5)
    plain = m.to_internal(*s0[:3])
    for mm in (m, m.map_constants(Wrapped)):
        wrapped = mm.to_internal(Wrapped(s0.u), Wrapped(s0.v), Wrapped(s0.eta))
        ref = plain
        for _ in range(3):
            wrapped, ref = mm.step(wrapped), m.step(ref)
        for w, r in zip(wrapped, ref):
            if r is None:
                assert w is None
                continue
            assert type(w) is Wrapped
            np.testing.assert_array_equal(np.asarray(w), r)


def test_number_of_array_operations_per_step():
    # the cost under emulation is per operation: 4 RHS evaluations of 62 operations,
    # 62 for drag and viscosity, 44 for the RK4 sums (86 when Kahan-compensated)
    for compensated, expected in ((False, 354), (True, 396)):
        m = ShallowWaterModel(nx=50, compensated=compensated)
        state = m.to_internal(*(Wrapped(f) for f in m.initial_state()[:3]))
        Wrapped.calls = 0
        m.step(state)
        assert Wrapped.calls == expected


# ------------------------------------------------------- analytic waves
def test_gravity_wave_follows_the_c_grid_dispersion_relation():
    # linear, non-rotating: η = A cos(kx) cos(ωt) with ω = (2c/Δ) sin(kΔ/2);
    # Δt/4 makes RK4's phase error (ωΔt)^5/120 per step ~1e-4 after half a day
    m = unforced(f0=0.0, beta=0.0, slip=0.0)
    m = ShallowWaterModel(topography="flat", forcing=None, bottom_drag=None, viscosity=None, f0=0.0, beta=0.0, slip=0.0, dt=m.dt / 4)
    c, amp = np.sqrt(m.params.g * m.params.H0), 1e-3
    k = 2 * np.pi * 10 / m.params.Lx
    eta = amp * np.cos(k * m.x_T) * np.ones((m.ny, 1))
    out = m.run(rest_with(m, eta=eta), days=0.5, output_every=0.05)
    amplitude = 2 * (out.eta * np.cos(k * m.x_T)).mean(axis=(-2, -1)) / amp
    omega_grid = 2 * c / m.dx * np.sin(k * m.dx / 2)
    assert np.abs(amplitude - np.cos(omega_grid * out.time)).max() < 1e-3
    # and the continuous ω = ck is measurably wrong on this grid
    assert np.abs(amplitude - np.cos(c * k * out.time)).max() > 0.1


def test_kelvin_wave_travels_east_along_the_southern_wall():
    # f-plane Kelvin wave: η = A exp(-y/R) cos(k(x - ct)), u = (g/c) η, v = 0, R = c/f.
    # Errors after one period: phase (kΔ)²/24 · 2π ~ 1e-3, imbalance (Δ/R)² ~ 1e-3.
    m = unforced(f0=1e-4, beta=0.0, slip=0.0)
    c, amp = np.sqrt(m.params.g * m.params.H0), 1e-3
    k, radius = 2 * np.pi / m.params.Lx, c / 1e-4
    X, Y = np.meshgrid(m.x_T, m.y_T)
    Xu, _ = np.meshgrid(m.x_u, m.y_T)
    eta = amp * np.exp(-Y / radius) * np.cos(k * X)
    u = c / m.params.H0 * amp * np.exp(-Y / radius) * np.cos(k * Xu)
    period = m.params.Lx / c
    out = m.run(rest_with(m, eta=eta, u=u), days=period / 86400, output_every=period / 86400 / 4)
    for t, e, v in zip(out.time, out.eta, out.v):
        ref = amp * np.exp(-Y / radius) * np.cos(k * (X - c * t))
        assert np.sqrt(((e - ref) ** 2).mean() / (ref**2).mean()) < 5e-3
        assert np.abs(v).max() < 1e-3 * np.abs(out.u[0]).max()


# ------------------------------------------------------ conservation
def _energy_drift(dt_factor):
    m = unforced()
    m = ShallowWaterModel(topography="flat", forcing=None, bottom_drag=None, viscosity=None, dt=m.dt / dt_factor)
    X, Y = np.meshgrid(m.x_T, m.y_T)
    eta = 5.0 * np.exp(-((X - m.params.Lx / 2) ** 2 + (Y - m.Ly / 2) ** 2) / (2 * 150e3**2))
    out = m.run(rest_with(m, eta=eta), days=2.0, output_every=2.0)
    d = diagnostics(m.model, out.u, out.v, out.eta)
    return d["energy"][-1] / d["energy"][0] - 1, d["mass"], d["max_speed"][-1]


def test_energy_is_conserved_up_to_the_rk4_time_stepping_error():
    # The AH90 scheme conserves Σ(hK + gη²/2) exactly in space, so all the drift
    # is RK4's damping, ~(ωΔt)^6/72 per step: halving Δt must shrink it ~2^5.
    drift, mass, speed = _energy_drift(1)
    drift_half, _, _ = _energy_drift(2)
    assert speed > 0.1                       # a nonlinear, not a trivial, flow
    assert abs(drift) < 1e-3
    assert abs(drift) / abs(drift_half) > 16
    assert abs(mass[-1] - mass[0]) <= 1e-12 * abs(mass[0])


# ----------------------------------------------------------- spin-up
def _zonal_departure(u):
    return np.sqrt(((u - u.mean(axis=-1, keepdims=True)) ** 2).mean(axis=(-2, -1)))


def test_spin_up_coarse_forms_a_jet_and_the_ridge_makes_eddies():
    # nx = 50 (Δ = 40 km), 100 days from rest: measured max speed 1.25 m/s, zonal-mean
    # jet 0.3-0.5 m/s in mid-channel, departure from zonal symmetry 0.35 m/s
    m = ShallowWaterModel(nx=50)
    out = m.run(m.initial_state(), days=100.0, output_every=5.0)
    d = diagnostics(m.model, out.u, out.v, out.eta)
    assert np.all(np.isfinite(out.u)) and np.all(np.isfinite(out.eta))
    assert d["max_speed"].max() < 3.0
    jet = out.u[10:].mean(axis=(0, -1))                 # days 50-100, zonal mean
    assert jet.max() > 0.2
    assert m.ny // 4 <= jet.argmax() < 3 * m.ny // 4
    eddy = _zonal_departure(out.u)
    assert eddy[-1] > 0.1 and eddy[-1] > 3 * eddy[4]  # grows after day 20
    assert np.sqrt((out.v[-1] ** 2).mean()) > 2 * np.sqrt((out.v[4] ** 2).mean())


@pytest.mark.slow
def test_spin_up_default_resolution_becomes_turbulent():
    # Δ = 20 km, 200 days (about 70 s): measured max speed 1.9 m/s; the stationary
    # wave of the first 100 days (v patterns 10 days apart correlate > 0.9) gives way
    # to transient eddies (correlation 0.5-0.75 over days 150-200)
    m = ShallowWaterModel()
    out = m.run(m.initial_state(), days=200.0, output_every=10.0)
    d = diagnostics(m.model, out.u, out.v, out.eta)
    assert np.all(np.isfinite(out.u))
    assert d["max_speed"].max() < 3.0
    v = out.v.reshape(len(out.time), -1)
    corr = [np.corrcoef(v[i], v[i + 1])[0, 1] for i in range(1, len(v) - 1)]
    assert max(corr[2:9]) > 0.9 and min(corr[14:]) < 0.8
    assert _zonal_departure(out.u)[-1] > 0.2


@pytest.mark.slow
def test_float16_stagnates_without_compensation_and_tracks_double_with_it():
    # numpy's float16 ufuncs compute in float32 and round once to binary16, which is
    # correctly rounded binary16 arithmetic (24 >= 2*11 + 2 bits): a preview of the
    # Klöwer et al. (2020) experiment without the emulation layer. With u scaled by
    # 2^6, the wind's increment per RK stage (~1e-5 m/s) is below half an ulp of u:
    # plain Float16 spins up too slowly (mean speed 6 % low after 30 days, measured);
    # Kahan-compensated Float16 stays within 0.2 % (about 30 s in all)
    m = ShallowWaterModel(nx=50)
    ref = diagnostics(m.model, *m.run(m.initial_state(), days=30.0, output_every=30.0)[1:4])
    speeds = {}
    for compensated in (False, True):
        m16 = ShallowWaterModel(nx=50, scale=2.0**6, compensated=compensated)
        m16 = m16.map_constants(lambda a: a.astype(np.float16))
        state0 = SWState(*(f.astype(np.float16) for f in m16.initial_state()[:3]))
        out = m16.run(state0, days=30.0, output_every=30.0)
        speeds[compensated] = diagnostics(m16.model, out.u, out.v, out.eta)["mean_speed"][-1]
    assert speeds[False] < 0.97 * ref["mean_speed"][-1]
    assert abs(speeds[True] / ref["mean_speed"][-1] - 1) < 0.01
