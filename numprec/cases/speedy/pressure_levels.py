"""Post-processing from sigma levels to pressure levels (in double).

SPEEDY writes its output on pressure levels (Molteni 2003; Paxton et al.
2022 used its ``plevs=.true.`` output): for each sigma full level the
closest of its standard post-processing levels, which for SPEEDY's eight
levels (sigma = 0.025, ..., 0.95) are 30, 100, 200, 300, 500, 700, 850 and
925 hPa (:data:`SPEEDY_PRESSURE_LEVELS`).  As in Paxton et al. (2022) the
post-processing is outside the emulation: it works on the double output of
``PrimitiveEquationModel.output``.

Between the full levels (p_k = sigma_k p_s in each column) every field is
linear in ln p.  Outside them (a choice, stated here; the lapse-rate
extrapolation is the convention of Trenberth, Berry & Buja 1993, NCAR
TN-396+STR, used by ECMWF's post-processing, applied here from the lowest
full level rather than from the surface):

* below the lowest full level (p > p_K, which includes points below the
  ground, p > p_s): u and v keep the lowest level's value; T follows a
  constant lapse rate Gamma = 6.5 K/km from the lowest level,
  T = T_K (p / p_K)^(R Gamma / g); the geopotential is hydrostatic with that
  temperature, Phi = Phi_K + (g T_K / Gamma) (1 - (p / p_K)^(R Gamma / g));
* above the top full level (p < p_1): u, v and T keep the top level's value
  (isothermal) and the geopotential is hydrostatic with it,
  Phi = Phi_1 + R T_1 ln(p_1 / p).

Both extrapolations are continuous at p_K and p_1 and hydrostatically
consistent (d Phi / d ln p = -R T).
"""
from __future__ import annotations

import numbers

import numpy as np

SPEEDY_PRESSURE_LEVELS = (30.0, 100.0, 200.0, 300.0, 500.0, 700.0, 850.0, 925.0)
"""SPEEDY's post-processing levels (hPa), top to bottom: for each of its sigma
full levels the nearest of its standard list 925, 850, 775, 700, 600, 500,
400, 300, 250, 200, 150, 100, 50, 30 hPa (or 1000 hPa if none is nearer
than the surface)."""

LAPSE_RATE = 0.0065
"""K/m: the standard-atmosphere lapse rate of the extrapolation below the
lowest level (Trenberth et al. 1993)."""

FIELDS = ("u", "v", "T", "geopotential")


def check_pressure_levels(levels, name="pressure_levels"):
    """Validate a list of pressure levels.

    Parameters
    ----------
    levels : None, "speedy" or sequence of float
        Pressure levels in hPa; ``"speedy"``: :data:`SPEEDY_PRESSURE_LEVELS`.
    name : str
        The argument's name, for the error message.

    Returns
    -------
    tuple of float or None
        The levels in hPa, in the order given (None stays None).

    Raises
    ------
    ValueError
        If ``levels`` is not None, ``"speedy"`` or a non-empty sequence of
        distinct, positive, finite numbers.
    """
    if levels is None:
        return None
    if isinstance(levels, str):
        if levels == "speedy":
            return SPEEDY_PRESSURE_LEVELS
        raise ValueError(f"{name} must be None, 'speedy' or a sequence of pressures in hPa, "
                         f"got {levels!r}")
    try:
        values = list(levels)
    except TypeError:
        raise ValueError(f"{name} must be None, 'speedy' or a sequence of pressures in hPa, "
                         f"got {levels!r}") from None
    if not values:
        raise ValueError(f"{name} must hold at least one pressure level (hPa), got {levels!r}")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) \
                or not v > 0:
            raise ValueError(f"{name} must be positive, finite pressures in hPa, got {v!r} in "
                             f"{levels!r}")
    out = tuple(float(v) for v in values)
    if len(set(out)) != len(out):
        dup = sorted({v for v in out if out.count(v) > 1})
        raise ValueError(f"{name} must not repeat a level, got {dup} more than once")
    return out


def to_pressure_levels(fields, ps, sigma, pressures, *, gas_constant, gravity,
                       lapse_rate=LAPSE_RATE):
    """Interpolate fields from sigma full levels to pressure levels.

    Linear in ln p between the full levels p_k = sigma_k p_s of each column;
    outside them the extrapolations of the module notes (u, v held, T with a
    constant lapse rate below and isothermal above, the geopotential
    hydrostatic with that T).

    Parameters
    ----------
    fields : dict of ndarray
        Any of ``"u"``, ``"v"``, ``"T"``, ``"geopotential"``, each
        ``(..., nlev, nlat, nlon)`` with the levels top to bottom; the
        geopotential needs ``"T"`` (K) for its extrapolation.
    ps : ndarray
        Surface pressure (Pa), ``(..., nlat, nlon)``.
    sigma : array_like
        sigma at the full levels, increasing (top to bottom), in (0, 1].
    pressures : array_like
        Target pressures (Pa), any order.
    gas_constant, gravity : float
        R (J kg^-1 K^-1) and g (m s^-2), those of the model.
    lapse_rate : float
        Gamma (K/m) below the lowest level.

    Returns
    -------
    dict of ndarray
        The same keys, each ``(..., len(pressures), nlat, nlon)``.

    Raises
    ------
    ValueError
        For an unknown field name, shapes that do not match, sigma not
        increasing in (0, 1], pressures not positive and finite, or a
        geopotential without T.
    """
    sigma = np.asarray(sigma, dtype=float)
    pressures = np.asarray(pressures, dtype=float)
    ps = np.asarray(ps, dtype=float)
    if sigma.ndim != 1 or sigma.size < 2 or np.any(np.diff(sigma) <= 0) \
            or not (sigma[0] > 0 and sigma[-1] <= 1):
        raise ValueError(f"sigma must increase within (0, 1] (at least two levels), got {sigma}")
    if pressures.ndim != 1 or pressures.size == 0 or not np.all(np.isfinite(pressures)) \
            or not np.all(pressures > 0):
        raise ValueError(f"pressures must be a 1-d array of positive, finite Pa, got {pressures}")
    if not np.all(np.isfinite(ps)) or not np.all(ps > 0):
        raise ValueError("ps must be positive and finite (Pa)")
    if not lapse_rate > 0:
        raise ValueError(f"lapse_rate must be > 0 (K/m), got {lapse_rate!r}")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValueError(f"fields {unknown} cannot be interpolated (known: {FIELDS})")
    if "geopotential" in fields and "T" not in fields:
        raise ValueError("fields: the geopotential's extrapolation needs 'T'")
    nlev = sigma.size
    arrays = {k: np.asarray(v, dtype=float) for k, v in fields.items()}
    for k, x in arrays.items():
        if x.ndim < 3 or x.shape[-3] != nlev or x.shape[:-3] + x.shape[-2:] != ps.shape:
            raise ValueError(f"fields[{k!r}] must have shape ps.shape[:-2] + (nlev={nlev},) + "
                             f"ps.shape[-2:] = {ps.shape[:-2] + (nlev,) + ps.shape[-2:]}, got "
                             f"{x.shape}")

    lns = np.log(sigma)
    # ln(p / p_s) of each target in each column: (..., np, nlat, nlon)
    s = np.log(pressures)[:, None, None] - np.log(ps)[..., None, :, :]
    k1 = np.clip(np.searchsorted(lns, s), 1, nlev - 1)
    k0 = k1 - 1
    w = (s - lns[k0]) / (lns[k1] - lns[k0])
    above = s < lns[0]
    below = s > lns[-1]
    w = np.clip(w, 0.0, 1.0)

    def linear(x):
        x0 = np.take_along_axis(x, k0, axis=-3)
        x1 = np.take_along_axis(x, k1, axis=-3)
        return x0 + w * (x1 - x0)

    R, g = float(gas_constant), float(gravity)
    expo = R * lapse_rate / g
    out = {}
    for name, x in arrays.items():
        y = np.where(below, x[..., -1:, :, :], np.where(above, x[..., :1, :, :], linear(x)))
        if name in ("T", "geopotential"):
            T = arrays["T"]
            t_top, t_bot = T[..., :1, :, :], T[..., -1:, :, :]
            ratio = np.exp(expo * (s - lns[-1]))       # (p / p_K)^(R Gamma / g)
            if name == "T":
                y = np.where(below, t_bot * ratio, y)
            else:
                phi_bot = x[..., -1:, :, :] + g * t_bot / lapse_rate * (1.0 - ratio)
                phi_top = x[..., :1, :, :] + R * t_top * (lns[0] - s)
                y = np.where(below, phi_bot, np.where(above, phi_top, y))
        out[name] = y
    return out
