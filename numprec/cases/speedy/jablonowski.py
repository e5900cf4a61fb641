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


ONSET_HPA = 2.0
"""The wave's onset: the first time the northern p_s minimum lies this many
hPa below its value at day 0 (:func:`baroclinic_wave_summary`)."""


def _vertex(x, y):
    """Abscissa and value of the parabola through three points (x, y)."""
    (x0, x1, x2), (y0, y1, y2) = x, y
    d01, d12, d02 = x1 - x0, x2 - x1, x2 - x0
    # Newton form: y = y0 + c1 (t - x0) + c2 (t - x0)(t - x1)
    c1 = (y1 - y0) / d01
    c2 = ((y2 - y1) / d12 - c1) / d02
    if not c2 > 0:                         # not a minimum: keep the grid point
        return x1, y1
    t = 0.5 * (x0 + x1) - c1 / (2.0 * c2)
    return t, y0 + c1 * (t - x0) + c2 * (t - x0) * (t - x1)


def locate_low(ps, lat, lon):
    """The deepest p_s minimum of a field, refined between grid points.

    The grid minimum is refined by a parabola through it and its two
    neighbours in longitude (periodic) and, separately, in latitude (the
    Gaussian latitudes are not equally spaced, so through the three actual
    latitudes); the depth is v_lon + v_lat - p_grid from the two parabolas'
    minima and the grid minimum (exact for a bowl quadratic in longitude
    plus quadratic in latitude).

    Parameters
    ----------
    ps : ndarray, (nlat, nlon)
        Surface pressure (any unit).
    lat, lon : ndarray
        Latitudes (degrees, monotonic) and equally spaced longitudes (degrees).

    Returns
    -------
    value, lon, lat : float
        The refined minimum (the unit of ``ps``) and its position (degrees east
        in [0, 360), degrees north).
    """
    ps = np.asarray(ps, dtype=float)
    if ps.shape != (len(lat), len(lon)):
        raise ValueError(f"ps must have shape (len(lat), len(lon)) = ({len(lat)}, {len(lon)}), "
                         f"got {ps.shape}")
    j, i = np.unravel_index(np.argmin(ps), ps.shape)
    nlon = len(lon)
    dlon = 360.0 / nlon
    xl = lon[i] + dlon * np.array([-1.0, 0.0, 1.0])
    x_lon, v_lon = _vertex(xl, ps[j, [(i - 1) % nlon, i, (i + 1) % nlon]])
    if 0 < j < len(lat) - 1:
        x_lat, v_lat = _vertex(np.asarray(lat[j - 1:j + 2], dtype=float), ps[j - 1:j + 2, i])
    else:
        x_lat, v_lat = float(lat[j]), ps[j, i]
    return float(v_lon + v_lat - ps[j, i]), float(x_lon % 360.0), float(x_lat)


def baroclinic_wave_summary(trunc=21, days=12, *, steps_per_day=None, reference="isothermal",
                            low_days=(8, 9, 10, 12), samples_per_day=4, map_days=(9, 10)):
    """Run the JW06 baroclinic wave in double and summarise it.

    The numbers this returns are those of docs/speedy.md's comparison of
    T21 with higher resolutions (and of its slow test).

    With SPEEDY's reference temperature (``reference="speedy"``: 288 K
    max(0.2, sigma)^(R Gamma/g), 6 K/km, which the semi-implicit scheme also
    uses) the JW06 state is unstable from T42 at the default step, even
    unperturbed: a zonal, small-scale mode at the pole-most latitudes, where
    the nearly isothermal JW06 polar troposphere is far more stable than the
    reference (measured: NaN after 2.5 days at T42 with 48 steps per day,
    within 8 days with 96; stable with 192).  This is the semi-implicit
    instability of Simmons, Hoskins & Burridge (1978, MWR 106, 405), who
    recommend a warm isothermal reference.  The default ``"isothermal"``
    uses T_ref = 288 K on every level (``SigmaLevels(lapse_rate=0)``), stable
    at the default step at T21, T42 and T85; at T21 it changes the day-9
    low by 0.1 hPa.

    Parameters
    ----------
    trunc : int
        Truncation (the grid and the del^8 diffusion follow it; 8 levels).
    days : int
        Length of the run, days.
    steps_per_day : int, optional
        Default :func:`~numprec.cases.speedy.primitive.default_steps_per_day`.
    reference : {"isothermal", "speedy"}
        The reference temperature profile (see above).
    low_days : sequence of int
        Days at which the northern low is located (:func:`locate_low`).
    samples_per_day : int
        Samples per day of the eddy kinetic energy and of the p_s minima.
    map_days : sequence of int
        Days whose p_s field is kept (for :func:`plot_baroclinic_wave`).

    Returns
    -------
    dict
        ``trunc``, ``steps_per_day``, ``reference``, ``seconds`` (wall time of the run),
        ``time`` (days of the samples, 0 = after the start-up),
        ``eke_north``, ``eke_south`` (m^2 s^-2, :func:`eddy_kinetic_energy`),
        ``ps_min_north``, ``ps_min_south`` (hPa, grid minima per hemisphere),
        ``onset_day`` (first time the northern minimum lies
        :data:`ONSET_HPA` below its day-0 value, linear between samples; None
        if never), ``lows`` ({day: (hPa, lon, lat)}, the refined northern low),
        ``jet`` (day-0 zonal-mean u maximum: (m/s, lat, sigma) of each
        hemisphere, {"north": ..., "south": ...}), ``zonal_u0`` (zonal-mean
        u at day 0, (level, lat)), ``jet_error`` (max |zonal-mean u - JW06's
        u| at day 0, m/s), ``lat``, ``lon`` (degrees), ``maps``
        ({day: p_s in hPa, (nlat, nlon)}).
    """
    import time
    from numprec.cases.speedy.primitive import default_steps_per_day
    from numprec.cases.speedy.vertical import SigmaLevels
    if reference not in ("isothermal", "speedy"):
        raise ValueError(f"reference must be 'isothermal' or 'speedy', got {reference!r}")
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise ValueError(f"days must be a whole number of days >= 1, got {days!r}")
    spd = steps_per_day or default_steps_per_day(trunc)
    if spd % samples_per_day:
        raise ValueError(f"samples_per_day={samples_per_day} must divide steps_per_day={spd}")
    bad = [d for d in tuple(low_days) + tuple(map_days) if not 0 <= d <= days]
    if bad:
        raise ValueError(f"low_days and map_days must lie in [0, days={days}], got {bad}")
    levels = SigmaLevels(lapse_rate=0.0) if reference == "isothermal" else SigmaLevels()
    model, state = jablonowski_williamson(trunc, perturbed=True, dt=86400.0 / spd,
                                          levels=levels)
    st = model.spectral_transform
    lat, lon = st.latitudes, st.longitudes
    north = lat > 0
    every = spd // samples_per_day
    result = {"trunc": trunc, "steps_per_day": spd, "reference": reference, "lat": lat, "lon": lon, "lows": {},
              "maps": {}}
    series = {k: [] for k in ("eke_north", "eke_south", "ps_min_north", "ps_min_south")}
    previous, current = state.pair()
    t0 = time.perf_counter()
    for n in range(days * samples_per_day + 1):
        if n:
            for _ in range(every):
                previous, current = model.leapfrog(previous, current)
        s = SpeedyState.from_pair(previous, current)
        out = model.output(s)
        ps = out["ps"][0] / 100.0
        if not np.all(np.isfinite(ps)):
            raise RuntimeError(f"T{trunc} with {spd} steps per day went unstable before day "
                               f"{n / samples_per_day:g}; use more steps_per_day")
        e_n, e_s = eddy_kinetic_energy(model, s)
        series["eke_north"].append(float(e_n[0]))
        series["eke_south"].append(float(e_s[0]))
        series["ps_min_north"].append(float(ps[north].min()))
        series["ps_min_south"].append(float(ps[~north].min()))
        day, part = divmod(n, samples_per_day)
        if part == 0 and day in low_days:
            result["lows"][day] = locate_low(ps[north], lat[north], lon)
        if part == 0 and day in map_days:
            result["maps"][day] = ps
        if n == 0:
            zonal = out["u"][0].mean(-1)
            result["zonal_u0"] = zonal
            result["jet_error"] = float(np.abs(zonal - wind(model.levels.full,
                                                           np.radians(lat))).max())
            jets = {}
            for name, half in (("north", north), ("south", ~north)):
                z = zonal[:, half]
                k, j = np.unravel_index(np.argmax(z), z.shape)
                jets[name] = (float(z[k, j]), float(lat[half][j]), float(model.levels.full[k]))
            result["jet"] = jets
    result["seconds"] = time.perf_counter() - t0
    result["time"] = np.arange(days * samples_per_day + 1) / samples_per_day
    result.update({k: np.array(v) for k, v in series.items()})
    deficit = result["ps_min_north"][0] - result["ps_min_north"] - ONSET_HPA
    above = np.nonzero(deficit >= 0)[0]
    if above.size == 0:
        result["onset_day"] = None
    else:
        m = above[0]
        t = result["time"]
        result["onset_day"] = float(t[m] if m == 0 else
                                    t[m - 1] + (t[m] - t[m - 1]) * -deficit[m - 1]
                                    / (deficit[m] - deficit[m - 1]))
    return result


def plot_baroclinic_wave(summaries, path, days=(9,)):
    """Northern-hemisphere p_s of :func:`baroclinic_wave_summary` results,
    one panel per summary (columns) and day (rows), on common contours
    (as JW06's Fig. 5, 20-80 N).

    Parameters
    ----------
    summaries : sequence of dict
        Results of :func:`baroclinic_wave_summary` holding ``days`` in their
        ``maps``.
    path : path-like
        The image file (Agg backend; saved with ``numprec.io.save_figure``).
    days : sequence of int
        Days to show.

    Returns
    -------
    pathlib.Path
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from numprec.io import save_figure
    missing = [(r["trunc"], d) for r in summaries for d in days if d not in r["maps"]]
    if missing:
        raise ValueError(f"summaries hold no p_s map for (truncation, day) {missing}; pass "
                         "map_days to baroclinic_wave_summary")
    levels = np.arange(908.0, 1025.0, 8.0)
    fig, axes = plt.subplots(len(days), len(summaries), squeeze=False,
                             figsize=(5.2 * len(summaries), 2.6 * len(days)),
                             constrained_layout=True)
    for row, day in enumerate(days):
        for ax, r in zip(axes[row], summaries):
            lat, lon, ps = r["lat"], r["lon"], r["maps"][day]
            keep = (lat >= 20) & (lat <= 80)
            cyc_lon = np.append(lon, 360.0)
            field = np.concatenate([ps[keep], ps[keep][:, :1]], axis=1)
            cs = ax.contourf(cyc_lon, lat[keep], field, levels=levels, cmap="viridis",
                             extend="both")
            ax.contour(cyc_lon, lat[keep], field, levels=levels, colors="k", linewidths=0.3)
            value, lo, la = r["lows"][day] if day in r["lows"] else \
                locate_low(ps[lat > 0], lat[lat > 0], lon)
            ax.plot(lo, la, "r+", ms=8)
            ax.set_title(f"T{r['trunc']}, day {day}: min {value:.1f} hPa at "
                         f"{lo:.0f}E {la:.1f}N", fontsize=9)
            ax.set_xlim(0, 360)
            ax.set_xticks(range(0, 361, 60))
        axes[row][0].set_ylabel("latitude")
    for ax in axes[-1]:
        ax.set_xlabel("longitude")
    fig.colorbar(cs, ax=axes.ravel().tolist(), label="surface pressure [hPa]", shrink=0.9)
    return save_figure(fig, path)


def format_summaries(summaries, eke_days=(6, 9, 12)):
    """A text table of :func:`baroclinic_wave_summary` results, one column
    per summary (the rows of docs/speedy.md's comparison).

    Parameters
    ----------
    summaries : sequence of dict
    eke_days : sequence of int
        Days of the eddy kinetic energy rows.

    Returns
    -------
    str
    """
    def at(r, key, day):
        return r[key][int(np.argmin(np.abs(r["time"] - day)))]

    rows = [("", [f"T{r['trunc']}" for r in summaries]),
            ("steps per day", [str(r["steps_per_day"]) for r in summaries]),
            ("run time [s]", [f"{r['seconds']:.1f}" for r in summaries]),
            (f"onset (N min {ONSET_HPA:g} hPa below day 0) [day]",
             ["never" if r["onset_day"] is None else f"{r['onset_day']:.2f}" for r in summaries])]
    for day in sorted(set().union(*(r["lows"] for r in summaries))):
        rows.append((f"northern low, day {day}",
                     [("%.1f hPa, %.1fE %.1fN" % r["lows"][day]) if day in r["lows"] else "-"
                      for r in summaries]))
    for day in eke_days:
        rows.append((f"EKE N / S, day {day} [m2 s-2]",
                     [f"{at(r, 'eke_north', day):.3g} / {at(r, 'eke_south', day):.2g}"
                      for r in summaries]))
    rows.append(("southern p_s minimum, days 0-end [hPa]",
                 [f"{r['ps_min_south'].min():.2f}" for r in summaries]))
    for hemi in ("north", "south"):
        rows.append((f"day-0 jet ({hemi}): max zonal-mean u",
                     ["%.2f m/s at %.1f, sigma %.3f" % r["jet"][hemi] for r in summaries]))
    rows.append(("day-0 max |zonal-mean u - JW06 u| [m/s]",
                 [f"{r['jet_error']:.3f}" for r in summaries]))
    width = max(len(name) for name, _ in rows)
    cols = [max(len(row[1][i]) for row in rows) for i in range(len(summaries))]
    return "".join(name.ljust(width) + "  " + "  ".join(v.rjust(c) for v, c in zip(vals, cols))
                   + "\n" for name, vals in rows)
