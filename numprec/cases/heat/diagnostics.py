"""Diagnostics of the soil column: errors against double, the table, the
profile plot, and the exact solutions of the continuous problem."""
from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.special import erfc

__all__ = ["PROBE_DEPTH", "errors", "format_table", "plot_profiles", "analytic_semi_infinite",
           "analytic_finite"]

#: depth [m] at which the table reports the error (in the stagnating layer)
PROBE_DEPTH = 40.0


def _final(ds):
    T = ds["T"]
    return T.isel(member=0) if "member" in T.dims else T


def errors(runs: dict, reference: xr.Dataset) -> list:
    """Final-time error of each run against double: max over depth and at
    ``PROBE_DEPTH``, and the deepest node that warmed by more than 0.01 K
    from its own (rounded) initial temperature (member 0 of each run)."""
    ref = _final(reference).isel(time=-1)
    rows = []
    for (fmt, rounding), ds in runs.items():
        T = _final(ds)
        final = T.isel(time=-1)
        err = np.abs(final - ref)
        warmed = ds["depth"].where(final - T.isel(time=0) > 0.01).max()
        rows.append({"format": fmt, "rounding": rounding,
                     "max_error": float(err.max()),
                     "error_at_probe": float(err.sel(depth=PROBE_DEPTH)),
                     "deepest_warmed": float(warmed) if np.isfinite(warmed) else 0.0})
    return rows


def format_table(rows, years) -> str:
    """The error table printed by ``python -m numprec.cases.heat``."""
    head = (f"{'format':<10} {'rounding':<14} {'max |T - T_double|':>19} "
            f"{f'error at {PROBE_DEPTH:g} m':>14} {'warmed to':>10}")
    lines = [f"soil column after {years:g} years; double precision is the reference", head,
             "-" * len(head)]
    for r in rows:
        lines.append(f"{r['format']:<10} {r['rounding']:<14} {r['max_error']:>17.4g} K "
                     f"{r['error_at_probe']:>12.4g} K {r['deepest_warmed']:>8.0f} m")
    return "\n".join(lines)


def plot_profiles(runs: dict, reference: xr.Dataset, path) -> None:
    """Final temperature profiles of every run against double (a figure file)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numprec.io import save_figure

    fig, ax = plt.subplots(figsize=(6, 6))
    ref = _final(reference).isel(time=-1)
    ax.plot(ref, ref["depth"], "k-", lw=2.5, label="double")
    for (fmt, rounding), ds in runs.items():
        style = "--" if rounding == "nearest_even" else "-"
        ax.plot(_final(ds).isel(time=-1), ds["depth"], style, label=f"{fmt} {rounding}")
    ax.invert_yaxis()
    ax.set_xlabel("temperature [K]")
    ax.set_ylabel("depth [m]")
    ax.set_title(f"soil column after {float(ref['time']) / 365:g} years")
    ax.legend(fontsize="small")
    fig.tight_layout()
    save_figure(fig, path, dpi=120)
    plt.close(fig)


def analytic_semi_infinite(p, z, t):
    """Exact solution for a semi-infinite column (no bottom), float64.

    ``T = T_i + (T_s - T_i) erfc(z / (2 sqrt(D t)))`` (Carslaw & Jaeger
    1959, §2.4): valid for the 60 m column while ``2 sqrt(D t)`` is well
    below the depth (after one year 2 sqrt(D t) = 9.4 m).

    Parameters
    ----------
    p : HeatParameters
    z : array
        Depths [m].
    t : float
        Time [s].
    """
    z = np.asarray(z, dtype=np.float64)
    if t <= 0:
        return np.full(z.shape, float(p.T_initial))
    return p.T_initial + (p.T_surface - p.T_initial) * erfc(
        z / (2.0 * math.sqrt(p.diffusivity * t)))


def analytic_finite(p, z, t, nterms: int = 200):
    """Exact solution of the finite column with an insulated bottom, float64.

    Fourier series for ``T(0) = T_s``, ``∂T/∂z(L) = 0``, ``T(z, 0) = T_i``::

        T = T_s - (T_s - T_i) Σ_n 4/((2n+1)π) sin(λ_n z) exp(-D λ_n² t),
        λ_n = (2n+1)π / (2L)

    (separation of variables; Carslaw & Jaeger 1959, §3.3).
    """
    z = np.asarray(z, dtype=np.float64)
    n = np.arange(nterms)
    lam = (2 * n + 1) * np.pi / (2.0 * p.depth)
    coef = 4.0 / ((2 * n + 1) * np.pi) * np.exp(-p.diffusivity * lam**2 * t)
    series = (coef * np.sin(np.multiply.outer(z, lam))).sum(axis=-1)
    return p.T_surface - (p.T_surface - p.T_initial) * series
