"""The barotropic vorticity mode: Rossby-Haurwitz wave (Williamson et al.
1992, J. Comput. Phys. 102, 211, test case 6), conservation, diffusion and
the RAW filter (Williams 2009, MWR 137, 2538)."""
from dataclasses import replace

import numpy as np
import pytest

from numprec.cases.speedy.barotropic import (
    BarotropicModel, energy_enstrophy, rossby_haurwitz, rossby_haurwitz_drift)
from numprec.cases.speedy.diffusion import HorizontalDiffusion
from numprec.cases.speedy.timestepping import Leapfrog

DAY = 86400.0


def phase_drift(saved):
    """Eastward drift (degrees per sample interval) of the R = 4 pattern,
    from the phase of its only wave coefficient (l = 5, m = 4)."""
    phase = np.unwrap([np.arctan2(s["vor"][1, 4, 1], s["vor"][0, 4, 1]) for s in saved])
    return -np.degrees(np.diff(phase)) / 4


def run_rh(days=14, dt=3600.0, robert=0.05, trunc=21):
    model = BarotropicModel.build(trunc, dt=dt, diffusion_tau=None)
    model = replace(model, timestepping=Leapfrog(dt, robert))
    vor = rossby_haurwitz(model.spectral_transform)
    per_day = int(DAY / dt)
    _, saved = model.integrate({"vor": vor}, days * per_day, every=per_day)
    return saved


def test_analytic_drift_is_williamsons():
    assert np.degrees(rossby_haurwitz_drift()) * DAY == pytest.approx(12.195, abs=1e-3)


def test_rossby_haurwitz_wave_drifts_east_at_the_analytic_speed():
    saved = run_rh()
    drift = phase_drift(saved)                                    # degrees per day
    expected = np.degrees(rossby_haurwitz_drift()) * DAY          # 12.195
    assert np.all(np.abs(drift - expected) < 0.01)
    first, last = saved[0]["vor"], saved[-1]["vor"]
    amp = [np.hypot(*v[:, 4, 1]) for v in (first, last)]
    assert abs(amp[1] / amp[0] - 1) < 1e-3                       # shape kept (RAW damping)
    others = last.copy()
    others[:, 4, 1] = 0
    others[:, 0, 1] = 0                                           # the l = 1 solid-body part
    assert np.abs(others).max() < 1e-6 * np.abs(last).max()       # no other modes appear


def test_energy_and_enstrophy_conserved_without_filter_and_diffusion():
    saved = run_rh(robert=0.0)
    (e0, z0), (e1, z1) = energy_enstrophy(saved[0]["vor"]), energy_enstrophy(saved[-1]["vor"])
    assert abs(e1 / e0 - 1) < 1e-6
    assert abs(z1 / z0 - 1) < 1e-6


def test_williams_filter_damps_far_less_than_robert_asselin():
    """14 days at dt = 1 h: the RAW filter (alpha = 0.53) loses < 1e-3 of the
    energy, the plain Robert-Asselin filter (alpha = 1) over ten times more."""
    def loss(williams):
        model = BarotropicModel.build(21, dt=3600.0, diffusion_tau=None)
        model = replace(model, timestepping=Leapfrog(3600.0, 0.05, williams))
        vor = rossby_haurwitz(model.spectral_transform)
        (_, current), _ = model.integrate({"vor": vor}, 14 * 24)
        return 1 - energy_enstrophy(current["vor"])[0] / energy_enstrophy(vor)[0]
    raw, ra = loss(0.53), loss(1.0)
    assert 0 < raw < 1e-3
    assert ra > 10 * raw


def test_hyperdiffusion_rates():
    d = HorizontalDiffusion(21, (1800.0, 3600.0))
    k = d.rates()
    assert k[0, 21] == pytest.approx(1 / (2.4 * 3600.0), rel=1e-15)     # l = T
    assert k[10, 5] == pytest.approx((15 * 16 / (21 * 22)) ** 4 / (2.4 * 3600.0), rel=1e-15)
    assert k[0, 0] == 0


def test_implicit_diffusion_of_a_steady_mode():
    """Without rotation a single spherical harmonic is a steady solution of
    the vorticity equation, so only diffusion acts: each step of length h
    divides it by exactly 1 + h K_l (implicit, at the previous level), and
    without the filter the leapfrog pair decays as (1 + 2 dt K)^-1 per step."""
    dt = 1800.0
    model = BarotropicModel.build(21, dt=dt, rotation=0.0)
    model = replace(model, timestepping=Leapfrog(dt, 0.0)).under(None)
    vor = np.zeros(model.spectral_transform.spectral_shape)
    vor[0, 3, 15] = 1e-5                                                  # l = 18, m = 3
    K = model.diffusion.rates()[3, 15]
    x0, x1 = model.start({"vor": vor})
    np.testing.assert_allclose(x1["vor"][0, 3, 15], 1e-5 / (1 + dt * K), rtol=1e-12)
    prev, cur = x0, x1
    for _ in range(4):
        prev, cur = model.step(prev, cur)
    np.testing.assert_allclose(cur["vor"][0, 3, 15],
                               1e-5 / ((1 + 2 * dt * K) ** 2 * (1 + dt * K)), rtol=1e-12)
    np.testing.assert_allclose(prev["vor"][0, 3, 15], 1e-5 / (1 + 2 * dt * K) ** 2, rtol=1e-12)


def test_bad_time_stepping_parameters():
    with pytest.raises(ValueError, match="dt"):
        Leapfrog(0.0)
    with pytest.raises(ValueError, match="williams"):
        Leapfrog(60.0, williams=0.2)
    with pytest.raises(ValueError, match="diffusion factors"):
        HorizontalDiffusion(21, (60.0,)).damp(np.zeros(1), np.zeros(1), 30.0)


@pytest.mark.parametrize("fmt, tol", [("e11m23", 1e-4), ("e11m10", 0.2)])
def test_rossby_haurwitz_under_emulation(fmt, tol):
    """The same model code under a policy (tables rounded once): one day of
    the wave at 23 and 10 significand bits drifts as in double (which is
    0.003 degrees/day off the analytic speed)."""
    from numprec.emulate import Policy, to_numpy
    model = BarotropicModel.build(21, dt=3600.0, diffusion_tau=None, fourier="dft")
    vor = rossby_haurwitz(model.spectral_transform)
    policy = Policy(fmt, seed=7)
    emulated = model.under(policy)
    with policy:
        _, saved = emulated.integrate({"vor": policy.asarray(vor)}, 24, every=24)
    saved = [{"vor": to_numpy(s["vor"])} for s in saved]
    _, double = model.integrate({"vor": vor}, 24, every=24)
    assert abs(phase_drift(saved)[0] - phase_drift(double)[0]) < tol
