"""The dry primitive-equation core: rest, gravity waves, semi-implicit
consistency, Held-Suarez forcing values (HS94), and the same code under
emulation."""
from dataclasses import replace

import numpy as np
import pytest

from numprec.cases.speedy.heldsuarez import HeldSuarez
from numprec.cases.speedy.primitive import (
    PROGNOSTIC, RADIUS, PrimitiveEquationModel, SemiImplicit, default_steps_per_day, global_mean)
from numprec.cases.speedy.vertical import SigmaLevels


@pytest.fixture(scope="module")
def model():
    return PrimitiveEquationModel.build(21)


def test_speedy_levels():
    lv = SigmaLevels()
    np.testing.assert_allclose(lv.full, [0.025, 0.095, 0.20, 0.34, 0.51, 0.685, 0.835, 0.95])
    np.testing.assert_allclose(lv.dsigma, [0.05, 0.09, 0.12, 0.16, 0.18, 0.17, 0.13, 0.10])
    np.testing.assert_allclose(lv.reference_temperature(),
                               [217.1, 217.1, 217.1, 238.3, 255.9, 269.5, 279.0, 285.4], atol=0.06)
    assert default_steps_per_day(30) == 36 and default_steps_per_day(21) == 24
    with pytest.raises(ValueError, match="half_levels"):
        SigmaLevels(half_levels=(0.0, 0.5, 0.4, 1.0))


def test_hydrostatic_matrix_integrates_an_isothermal_column_exactly():
    """For T constant, Phi = -R T ln(sigma) exactly at the half levels; SB81's
    full-level value is the layer's mean of ln p weighted as alpha."""
    lv = SigmaLevels()
    R, T = lv.gas_constant, 250.0
    phi = lv.hydrostatic_matrix() @ np.full(lv.nlev, T)
    h = lv.half
    half_below = -R * T * np.log(h[1:])                          # Phi at sigma_{k+1/2}
    np.testing.assert_allclose(phi, half_below + R * T * lv.alpha(), rtol=1e-14)


@pytest.mark.parametrize("half, tol", [(SigmaLevels().half_levels, 0.03),
                                       (tuple(np.linspace(0, 1, 41)), 0.015)])
def test_external_gravity_wave_is_the_lamb_wave(half, tol):
    """Linearised about an isothermal (288 K) rest state the fastest vertical
    mode of the semi-implicit operator travels at the Lamb-wave speed
    sqrt(c_p/c_v R T) = 340 m/s (within the vertical truncation error)."""
    lv = SigmaLevels(half_levels=half, lapse_rate=0.0)
    m = SemiImplicit(lv, 21, (1.0,)).matrices()
    c2 = np.linalg.eigvals(-(m["H"] @ m["L"] + m["r"] @ m["W"])).real * RADIUS ** 2
    lamb = np.sqrt(lv.gas_constant * 288.0 / (1 - 2 / 7))
    assert np.all(c2 > 0)
    assert abs(np.sqrt(c2.max()) / lamb - 1) < tol


def test_resting_isothermal_atmosphere_stays_at_rest(model):
    state = model.resting_state(250.0)
    (_, current), _ = model.integrate(state, 10 * 24)
    assert np.abs(current["vor"]).max() == 0 and np.abs(current["div"]).max() == 0
    np.testing.assert_array_equal(current["lnps"], state["lnps"])
    np.testing.assert_allclose(current["tem"], state["tem"], rtol=0, atol=1e-12)


def test_one_step_is_the_semi_implicit_formula():
    """A surface-pressure bump of one harmonic (l = 5, m = 2) at rest: the
    start-up step's tendencies are the Hoskins-Simmons solution
    dD = [I - xi^2 l(l+1)(H L + r W)]^-1 l(l+1) r p, dT = xi L dD,
    d ln p_s = xi W dD, with xi = half the step (no diffusion)."""
    model = PrimitiveEquationModel.build(21, diffusion_tau=None)
    state = model.resting_state()
    state["lnps"][0, 2, 3] = 1e-3
    h = model.timestepping.dt / 2
    new = model.advance(state, state, h)
    m = model.spectral_dynamics.matrices()
    xi, lam = h / 2, 30.0
    dD = np.linalg.solve(np.eye(8) - xi * xi * lam * (m["H"] @ m["L"] + m["r"] @ m["W"]),
                         lam * m["r"][:, 0] * 1e-3)
    np.testing.assert_allclose((new["div"] - state["div"])[:, 0, 2, 3] / h, dD, rtol=1e-12)
    np.testing.assert_allclose((new["tem"] - state["tem"])[:, 0, 2, 3] / h, xi * m["L"] @ dD,
                               rtol=1e-12)
    np.testing.assert_allclose((new["lnps"] - state["lnps"])[0, 2, 3] / h, xi * m["W"] @ dD,
                               rtol=1e-12)


def test_perturbed_rest_state_is_stable_and_keeps_its_mass(model):
    """A random surface-pressure perturbation radiates gravity waves: with
    the long (60 min) time step the run stays bounded and the global mass
    changes by far less than the perturbation."""
    st = model.spectral_transform
    state = model.resting_state()
    rng = np.random.default_rng(1)
    state["lnps"] = st.truncate(st.analysis(rng.standard_normal(st.grid_shape) * 1e-3))
    mass0 = global_mean(st, np.exp(st.synthesis(state["lnps"])))
    (_, current), _ = model.integrate(state, 3 * 24)
    assert all(np.all(np.isfinite(current[k])) for k in PROGNOSTIC)
    assert np.abs(current["lnps"]).max() < 2 * np.abs(state["lnps"]).max()
    mass = global_mean(st, np.exp(st.synthesis(current["lnps"])))
    assert abs(mass / mass0 - 1) < 5e-7


def test_held_suarez_coefficients_and_equilibrium_temperature():
    """Values at SPEEDY's levels for p_s = 1000 hPa (HS94 eqs. 1-4)."""
    from numprec.cases.speedy.transform import SpectralTransform
    lv = SigmaLevels()
    hs = HeldSuarez()
    np.testing.assert_allclose(hs.drag_rates(lv) * 86400, [0] * 6 + [0.45, 0.8333333333], atol=1e-9)
    st = SpectralTransform(21)
    f = hs.under(st, lv, None)
    teq = f.equilibrium_temperature(np.log(lv.full)[:, None, None] + np.zeros((1, 32, 1)))
    j = np.argmin(np.abs(st.latitudes))               # the Gaussian latitude nearest 0
    lat = np.radians(st.latitudes[j])
    s = lv.full
    expect = np.maximum(200, (315 - 60 * np.sin(lat) ** 2
                              - 10 * np.log(s) * np.cos(lat) ** 2) * s ** (2 / 7))
    np.testing.assert_allclose(teq[:, j, 0], expect, rtol=1e-14)
    assert teq[7, j, 0] == pytest.approx(310.9, abs=0.2)
    assert f.tables["k_T"][7, j, 0] * 86400 == pytest.approx(
        1 / 40 + (1 / 4 - 1 / 40) * (0.25 / 0.3) * np.cos(lat) ** 4, rel=1e-12)


def test_held_suarez_spin_up_starts(model):
    """Ten days from rest: relaxation builds the meridional temperature
    gradient (equator warmer than the pole near the surface) and westerly
    thermal-wind shear in both hemispheres."""
    m = replace(model, forcing=HeldSuarez()).under(None)
    st = m.spectral_transform
    state = m.resting_state()
    (_, c), _ = m.integrate(state, 10 * 24)
    T = st.synthesis(c["tem"]) + m.levels.reference_temperature()[:, None, None]
    zT = T.mean(-1)
    assert zT[7, 16] - zT[7, 0] > 5
    U, _ = st.uv_cos(c["vor"], c["div"])
    u = (U * st.tables["inv_coslat"][:, None] * RADIUS).mean(-1)
    north, south = np.argmin(np.abs(st.latitudes - 45)), np.argmin(np.abs(st.latitudes + 45))
    assert u[2, north] > u[7, north] + 2 and u[2, south] > u[7, south] + 2


@pytest.fixture(scope="module")
def spun_up(model):
    """The Held-Suarez core with the rounded-DFT Fourier step, and its state
    after 5 days from rest (double)."""
    m = replace(model, forcing=HeldSuarez(),
                spectral_transform=replace(model.spectral_transform, fourier="dft")).under(None)
    (_, spun), _ = m.integrate(m.resting_state(), 5 * 24)
    return m, spun


def run_emulated(m, spun, fmt, nsteps):
    from numprec.emulate import Policy, to_numpy
    policy = Policy(fmt, seed=2)
    em = m.under(policy)
    with policy:
        (_, out), _ = em.integrate({k: policy.asarray(v) for k, v in spun.items()}, nsteps)
    return {k: to_numpy(v) for k, v in out.items()}


@pytest.mark.parametrize("fmt", ["e11m52", "binary64"])
def test_e11m52_is_bit_identical_to_double(spun_up, fmt):
    """Paxton et al. (2022)'s sanity check: with 52 significand bits every
    operation's rounding is the identity and matrix products, sums and FFTs
    are numpy's own (docs/emulate.md, "Formats that round nothing"), so
    three steps of the forced core equal the double run bit for bit (with
    the default Fourier step: the rounded DFT of the fixture is a matrix
    product, which double does not use)."""
    dft, spun = spun_up
    m = replace(dft, spectral_transform=replace(dft.spectral_transform, fourier="fft"))
    (_, ref), _ = m.integrate(spun, 3)
    out = run_emulated(m, spun, fmt, 3)
    for k in PROGNOSTIC:
        np.testing.assert_array_equal(out[k], ref[k], err_msg=k)


def test_e11m52_case_run_is_bit_identical_to_double():
    from numprec.cases.speedy import CASE
    from numprec.emulate import Policy
    params = {"days": 0.5, "start": "held_suarez_T21"}
    ref = CASE.run(params, None, members=2)
    low = CASE.run(params, Policy("e11m52", seed=3), members=2)
    for name in ref.data_vars:
        np.testing.assert_array_equal(low[name].values, ref[name].values, err_msg=name)


@pytest.mark.parametrize("fmt, tol", [("e11m23", 1e-5)])
def test_held_suarez_steps_under_emulation(spun_up, fmt, tol):
    """Three steps of the forced core under a policy (tables rounded once,
    every operation of the transforms, dynamics, diffusion and time stepping
    rounded) stay within round-off of the double run."""
    m, spun = spun_up
    (_, ref), _ = m.integrate(spun, 3)
    out = run_emulated(m, spun, fmt, 3)
    for k in PROGNOSTIC:
        err = np.abs(out[k] - ref[k]).max() / np.abs(ref[k]).max()
        assert err < tol, (k, err)


@pytest.mark.slow
@pytest.mark.parametrize("fmt, tol", [("e11m23", 1e-3), ("e11m10", 0.3)])
def test_held_suarez_day_under_emulation(spun_up, fmt, tol):
    """One model day (24 steps) at 23 and 10 significand bits."""
    m, spun = spun_up
    (_, ref), _ = m.integrate(spun, 24)
    out = run_emulated(m, spun, fmt, 24)
    for k in PROGNOSTIC:
        err = np.abs(out[k] - ref[k]).max() / np.abs(ref[k]).max()
        assert err < tol, (k, err)
