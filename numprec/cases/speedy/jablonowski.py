"""The Jablonowski & Williamson (2006) steady state and baroclinic wave.

Jablonowski, C. & Williamson, D. L. (2006), "A baroclinic instability test
case for atmospheric model dynamical cores", QJRMS 132, 2943-2975.  A
zonal, hydrostatically and geostrophically balanced jet in each hemisphere on
a surface at p_s = 1000 hPa (so eta = sigma), with a surface geopotential
that balances the surface wind.  Without perturbation the state is steady
(it stays zonal: its eddies grow only from round-off); a Gaussian bump
u_p = 1 m/s at (20 E, 40 N), radius a/10, sets off a baroclinic wave in
the northern hemisphere only.

With eta_v = (eta - eta0) pi/2 (JW06 eqs. 2-10):

    u = u0 cos^(3/2)(eta_v) sin^2(2 phi),   v = 0,
    Tbar = T0 eta^(R Gamma/g)  (+ dT (eta_t - eta)^5 for eta < eta_t),
    T = Tbar + 3/4 (eta pi u0 / R) sin(eta_v) cos^(1/2)(eta_v)
        [(-2 s^6 (c^2 + 1/3) + 10/63) 2 u0 cos^(3/2)(eta_v)
         + (8/5 c^3 (s^2 + 2/3) - pi/4) a Omega],
    Phi_s = u0 cos^(3/2)(eta_v,s) [(-2 s^6 (c^2 + 1/3) + 10/63) u0 cos^(3/2)(eta_v,s)
            + (8/5 c^3 (s^2 + 2/3) - pi/4) a Omega],

with s = sin(phi), c = cos(phi), u0 = 35 m/s, eta0 = 0.252, eta_t = 0.2,
T0 = 288 K, Gamma = 0.005 K/m, dT = 4.8e5 K; the model's own R, a and Omega
and g = 9.80616 m s^-2.
"""
from __future__ import annotations

import numpy as np

from numprec.cases.speedy.primitive import OMEGA, RADIUS, PrimitiveEquationModel, SpeedyState

U0, ETA0, ETA_T, T0, GAMMA, DELTA_T, GRAVITY = 35.0, 0.252, 0.2, 288.0, 0.005, 4.8e5, 9.80616
PERTURBATION = {"u_p": 1.0, "lon": 20.0, "lat": 40.0, "radius": RADIUS / 10.0}


def _bracket(lat, u0, cv):
    s, c = np.sin(lat), np.cos(lat)
    return ((-2.0 * s ** 6 * (c * c + 1.0 / 3.0) + 10.0 / 63.0) * u0 * cv,
            (1.6 * c ** 3 * (s * s + 2.0 / 3.0) - np.pi / 4.0) * RADIUS * OMEGA)


def wind(sigma, lat):
    """Zonal wind (m/s) at sigma levels (k, 1) and latitudes in radians (j,)."""
    eta_v = (np.asarray(sigma)[:, None] - ETA0) * np.pi / 2.0
    return U0 * np.cos(eta_v) ** 1.5 * np.sin(2.0 * lat)[None, :] ** 2


def temperature(sigma, lat, gas_constant):
    """Temperature (K) at sigma levels and latitudes (radians): (k, j)."""
    eta = np.asarray(sigma, dtype=float)[:, None]
    eta_v = (eta - ETA0) * np.pi / 2.0
    tbar = T0 * eta ** (gas_constant * GAMMA / GRAVITY)
    tbar = tbar + np.where(eta < ETA_T, DELTA_T * np.clip(ETA_T - eta, 0, None) ** 5, 0.0)
    cv = np.cos(eta_v) ** 1.5
    first, second = _bracket(lat[None, :], U0, cv)
    return tbar + 0.75 * (eta * np.pi * U0 / gas_constant) * np.sin(eta_v) \
        * np.sqrt(np.cos(eta_v)) * (2.0 * first + second)


def surface_geopotential(lat):
    """Phi_s (m^2 s^-2) at latitudes (radians), JW06 eq. 7 at eta = 1."""
    cv = np.cos((1.0 - ETA0) * np.pi / 2.0) ** 1.5
    first, second = _bracket(lat, U0, cv)
    return U0 * cv * (first + second)


def perturbation(lat, lon, u_p=1.0, lon_c=20.0, lat_c=40.0, radius=RADIUS / 10.0):
    """u' = u_p exp(-(r/R)^2), r the great-circle distance (m) from
    (lon_c, lat_c) degrees; lat, lon in radians, (j, i)."""
    lc, pc = np.radians(lon_c), np.radians(lat_c)
    cosr = np.sin(pc) * np.sin(lat)[:, None] + np.cos(pc) * np.cos(lat)[:, None] \
        * np.cos(lon[None, :] - lc)
    r = RADIUS * np.arccos(np.clip(cosr, -1.0, 1.0))
    return u_p * np.exp(-(r / radius) ** 2)


def jablonowski_williamson(trunc=21, *, perturbed=True, dt=None, diffusion_tau=2.4 * 3600.0,
                           **build_options):
    """The unforced model with JW06's surface geopotential and its initial
    :class:`SpeedyState` (one member, start-up steps done in double).

    Parameters
    ----------
    trunc : int
        Truncation.
    perturbed : bool
        Add the u_p = 1 m/s bump at (20 E, 40 N) (the baroclinic wave);
        False: the steady state.
    dt, diffusion_tau, **build_options
        Passed to :meth:`PrimitiveEquationModel.build`.

    Returns
    -------
    model : PrimitiveEquationModel
    state : SpeedyState
    """
    plain = PrimitiveEquationModel.build(trunc, dt=dt, diffusion_tau=diffusion_tau,
                                         **build_options)
    st = plain.spectral_transform
    lat = np.radians(st.latitudes)
    lon = np.radians(st.longitudes)
    phis = st.truncate(st.analysis(np.broadcast_to(surface_geopotential(lat)[:, None],
                                                   st.grid_shape)))
    model = PrimitiveEquationModel.build(trunc, dt=dt, diffusion_tau=diffusion_tau,
                                         surface_geopotential=phis, **build_options)
    levels = model.levels
    u = np.broadcast_to(wind(levels.full, lat)[:, :, None], (levels.nlev,) + st.grid_shape)
    if perturbed:
        u = u + perturbation(lat, lon)[None]
    coslat = np.cos(lat)[:, None]
    # the model's winds are per its time unit, over the radius (u / a)
    scale = model.time_unit / RADIUS
    vor, div = st.curl_div(u * coslat * scale, np.zeros_like(u))
    T = np.broadcast_to(temperature(levels.full, lat, levels.gas_constant)[:, :, None],
                        (levels.nlev,) + st.grid_shape)
    tem = st.truncate(st.analysis(T - levels.reference_temperature()[:, None, None]))
    state = {"vor": vor[None], "div": div[None] * 0.0, "tem": tem[None],
             "lnps": np.zeros((1,) + st.spectral_shape)}
    previous, current = model.start(state)
    return model, SpeedyState.from_pair(previous, current)


def eddy_kinetic_energy(model, state):
    """Eddy kinetic energy (m^2 s^-2; deviations from the zonal mean, mean over
    levels weighted by d sigma) of each hemisphere: (north, south), per member."""
    out = model.output(state)
    u, v = out["u"], out["v"]
    eke = 0.5 * ((u - u.mean(-1, keepdims=True)) ** 2
                 + (v - v.mean(-1, keepdims=True)) ** 2).mean(-1)        # (..., k, j)
    eke = np.einsum("...kj,k->...j", eke, model.levels.dsigma)
    w = model.spectral_transform.weights
    half = w.size // 2
    north = (eke[..., :half] * w[:half]).sum(-1) / w[:half].sum()
    south = (eke[..., half:] * w[half:]).sum(-1) / w[half:].sum()
    return north, south
