"""Sigma -> pressure-level post-processing (numprec.cases.speedy.pressure_levels),
against analytic profiles, SciPy quadrature and numpy.interp."""
import numpy as np
import pytest
from scipy.integrate import quad

from numprec.cases.speedy.pressure_levels import (SPEEDY_PRESSURE_LEVELS,
                                                  check_pressure_levels, to_pressure_levels)
from numprec.cases.speedy.vertical import SigmaLevels

LEVELS = SigmaLevels()
SIGMA = LEVELS.full
R, G = LEVELS.gas_constant, LEVELS.gravity


def _columns(shape=(2, 3, 4), seed=0):
    rng = np.random.default_rng(seed)
    return 1e5 * (1.0 + 0.06 * rng.uniform(-1.0, 1.0, shape))      # ps: 940-1060 hPa


def _levels_first(profile):
    """(nlev, ...) -> (..., nlev, nlat, nlon) with the levels at axis -3."""
    return np.moveaxis(profile, 0, -3)


def test_a_profile_linear_in_ln_p_is_exact():
    ps = _columns()
    p = SIGMA[:, None, None, None] * ps                               # (k, 2, 3, 4)
    u = _levels_first(3.0 - 7.0 * np.log(p / 1e5))
    v = _levels_first(-2.0 + 0.5 * np.log(p))
    # targets strictly inside every column's range 0.025 p_s .. 0.95 p_s
    targets = np.array([30e2, 100e2, 250e2, 500e2, 700e2, 850e2, 890e2])
    out = to_pressure_levels({"u": u, "v": v}, ps, SIGMA, targets, gas_constant=R, gravity=G)
    P = targets[:, None, None]
    np.testing.assert_allclose(out["u"], np.broadcast_to(3.0 - 7.0 * np.log(P / 1e5),
                                                         out["u"].shape), rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["v"], np.broadcast_to(-2.0 + 0.5 * np.log(P),
                                                         out["v"].shape), rtol=0, atol=1e-13)


def test_isothermal_geopotential_is_r_t_ln_ps_over_p():
    ps = _columns()
    T0 = 250.0
    phis = 9.81 * np.linspace(0.0, 1500.0, 12).reshape(3, 4)          # orography, m^2 s^-2
    T = np.full((2, 8, 3, 4), T0)
    phi = np.broadcast_to(phis - R * T0 * np.log(SIGMA)[:, None, None], T.shape)
    # inside the levels and above the top (the isothermal extrapolation is exact here)
    targets = np.array([5e2, 20e2, 30e2, 100e2, 300e2, 500e2, 850e2, 890e2])
    out = to_pressure_levels({"T": T, "geopotential": phi}, ps, SIGMA, targets,
                             gas_constant=R, gravity=G)
    expect = phis + R * T0 * np.log(ps[:, None] / targets[:, None, None])
    np.testing.assert_allclose(out["geopotential"], expect, rtol=1e-13, atol=1e-9)
    np.testing.assert_allclose(out["T"], T0, rtol=0, atol=1e-12)


def test_below_the_lowest_level_follows_the_lapse_rate_extrapolation():
    ps = np.array([[900e2, 1000e2]])                                   # (1, 2) columns
    rng = np.random.default_rng(1)
    T = 220.0 + 60.0 * rng.uniform(size=(8, 1, 2))
    phi = 1e4 * np.arange(8, 0, -1)[:, None, None] + rng.uniform(size=(8, 1, 2))
    u, v = rng.normal(size=(2, 8, 1, 2))
    targets = np.array([880e2, 950e2, 1000e2, 1050e2])                 # below 0.95 p_s
    out = to_pressure_levels({"u": u, "v": v, "T": T, "geopotential": phi}, ps, SIGMA,
                             targets, gas_constant=R, gravity=G)
    gamma = 0.0065
    for j in range(2):
        pK, TK, phiK = SIGMA[-1] * ps[0, j], T[-1, 0, j], phi[-1, 0, j]
        for n, P in enumerate(targets):
            if P <= pK:
                continue
            # T of a 6.5 K/km atmosphere through (p_K, T_K): dT/dz = -Gamma with
            # dp/dz = -g p / (R T) gives T = T_K (p/p_K)^(R Gamma / g)
            t_expect = TK * (P / pK) ** (R * gamma / G)
            assert out["T"][n, 0, j] == pytest.approx(t_expect, rel=1e-14)
            # geopotential: integrate d Phi = -R T d ln p (SciPy quadrature)
            dphi, _ = quad(lambda lp: R * TK * np.exp(lp - np.log(pK)) ** (R * gamma / G),
                           np.log(pK), np.log(P), epsabs=0.0, epsrel=1e-13)
            assert out["geopotential"][n, 0, j] == pytest.approx(phiK - dphi, rel=1e-12)
            assert out["u"][n, 0, j] == u[-1, 0, j] and out["v"][n, 0, j] == v[-1, 0, j]


def test_model_columns_against_numpy_interp():
    ps = _columns((3, 5), seed=2)
    rng = np.random.default_rng(3)
    T = 200.0 + 90.0 * rng.uniform(size=(8, 3, 5))
    targets = np.array(SPEEDY_PRESSURE_LEVELS) * 100.0
    out = to_pressure_levels({"T": T}, ps, SIGMA, targets, gas_constant=R, gravity=G)
    for j in range(3):
        for i in range(5):
            lnp = np.log(SIGMA * ps[j, i])
            inside = (np.log(targets) >= lnp[0]) & (np.log(targets) <= lnp[-1])
            ref = np.interp(np.log(targets[inside]), lnp, T[:, j, i])
            np.testing.assert_allclose(out["T"][inside, j, i], ref, rtol=1e-14)


def test_speedy_levels_are_the_nearest_standard_level_of_each_sigma():
    # SPEEDY's rule (its post-processing set-up): the standard level nearest
    # each full level sigma_k (p_s = 1000 hPa), 1000 hPa if none is nearer
    standard = np.array([925, 850, 775, 700, 600, 500, 400, 300, 250, 200, 150, 100, 50, 30])
    nearest = []
    for s in SIGMA * 1000.0:
        d = np.abs(standard - s)
        nearest.append(float(standard[np.argmin(d)]) if d.min() <= 1000.0 - s else 1000.0)
    assert SPEEDY_PRESSURE_LEVELS == tuple(nearest)


def test_bad_pressure_levels_are_refused():
    assert check_pressure_levels(None) is None
    assert check_pressure_levels("speedy") == SPEEDY_PRESSURE_LEVELS
    assert check_pressure_levels([500, 850.0]) == (500.0, 850.0)
    for bad, msg in (([500, -1], "positive"), ([np.nan], "finite"), ([500, 500], "repeat"),
                     ([], "at least one"), ("ecmwf", "'speedy'"), (850, "sequence"),
                     ([True], "positive"), (["500"], "positive")):
        with pytest.raises(ValueError, match="pressure_levels") as exc:
            check_pressure_levels(bad)
        assert msg in str(exc.value)
    with pytest.raises(ValueError, match="geopotential"):
        to_pressure_levels({"geopotential": np.zeros((8, 1, 1))}, np.ones((1, 1)), SIGMA,
                           [5e4], gas_constant=R, gravity=G)
    with pytest.raises(ValueError, match="shape"):
        to_pressure_levels({"u": np.zeros((7, 1, 1))}, np.ones((1, 1)), SIGMA, [5e4],
                           gas_constant=R, gravity=G)
    with pytest.raises(ValueError, match="cannot be interpolated"):
        to_pressure_levels({"q": np.zeros((8, 1, 1))}, np.ones((1, 1)), SIGMA, [5e4],
                           gas_constant=R, gravity=G)
