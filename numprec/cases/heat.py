"""Soil-column heat diffusion in low precision: round-to-nearest stagnation
against stochastic rounding.

``python -m numprec.cases.heat`` integrates the 60 m column of Dawson et al.
(2018) for 60 years in double precision and with every operation rounded to
a few significand widths (11-bit exponent, as Paxton et al. 2022 §4), with
round-to-nearest and with stochastic rounding, and prints the error of each
against double.  With round-to-nearest the small increment ``K * curvature``
added each step to temperatures near 275 K falls below half an ulp and is
lost: the deep column never warms (stagnation).  Stochastic rounding keeps
the increment in expectation.

References
----------
Dawson, A., Düben, P. D., MacLeod, D. A. & Palmer, T. N. (2018). Reliable low
precision simulations in land surface models. Clim. Dyn. 51, 2657-2666.

Paxton, E. A., Chantry, M., Klöwer, M., Saffin, L. & Palmer, T. (2022).
Climate modelling in low precision: effects of both deterministic and
stochastic rounding. J. Climate 35, 1215-1229.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Optional, Sequence

import numpy as np
import xarray as xr

from numprec.cases.heat_model import HeatModel, HeatParams
from numprec.cases.cli import (WorkerPool, check_grid, check_paths, interrupted,
                                sigterm_as_interrupt)
from numprec.cases.output import provenance_attrs, save_figure, write_netcdf

DEFAULT_FORMATS = ("e11m23", "e11m16", "e11m10")
DEFAULT_ROUNDINGS = ("nearest_even", "stochastic")
#: depth [m] at which the table reports the error (in the stagnating layer)
PROBE_DEPTH = 40.0
#: CF time units of the output: days in a 365-day calendar (the model's year),
#: so that xarray and CF tools decode it (0001-01-01 is when the surface warmed).
TIME_UNITS = "days since 0001-01-01 00:00:00"
TIME_CALENDAR = "365_day"
#: Policy names a study (``grid.policies``) may use: ``"all"`` rounds every
#: operation; ``"kahan"`` also adds each increment with Kahan compensated
#: summation (the compensation carried in the state, in the same format).
POLICIES = ("all", "kahan")


def simulate(fmt=None, rounding="nearest_even", *, years=60.0, seed=0, output_every=1.0,
             compensated=False, **params) -> xr.Dataset:
    """Run one column; ``fmt=None`` is double precision.

    Every arithmetic operation of the model is rounded to ``fmt`` with
    ``rounding`` (numprec.emulate); constants are rounded once on entry.

    Parameters
    ----------
    fmt : str or numprec.Format, optional
        Format of every operation (None: double precision).
    rounding : str
        Rounding scheme.
    years : float
        Length of the run [365-day years].
    seed : int
        Key of stochastic rounding.
    output_every : float
        Output interval [years].
    compensated : bool
        Kahan-compensated addition of the increment (the ``"kahan"`` policy).
    **params
        Fields of the model's parameters (``diffusivity``, ``depth``, ``dz``,
        ``dt``, ``T_initial``, ``T_surface``).

    Returns
    -------
    xarray.Dataset
        ``T`` (time, depth) in K; ``time`` in days since the surface warmed,
        as CF time (:data:`TIME_UNITS`, 365-day calendar: year n starts at
        day 365 n); depth in m (positive down).
    """
    model = HeatModel(compensated=compensated, **params)
    attrs = provenance_attrs(formats=None if fmt is None else [fmt],
                             rounding=None if fmt is None else rounding,
                             seed=None if fmt is None else seed,
                             extra={"compensated": int(compensated)})
    if fmt is None:
        out = model.run(model.initial_state(), years, output_every)
    else:
        from numprec.emulate import Policy
        policy = Policy(fmt, rounding=rounding, seed=seed)
        emulated = model.map_constants(policy.constant)
        T0 = policy.store(np.full(model.nz, float(model.params.T_initial)))
        with policy:
            out = emulated.run(emulated.to_internal(T0), years, output_every)
    return xr.Dataset(
        {"T": (("time", "depth"), out.T,
               {"units": "K", "long_name": "soil temperature",
                "standard_name": "soil_temperature"})},
        coords={"time": ("time", out.time / 86400.0,
                         {"units": TIME_UNITS, "calendar": TIME_CALENDAR,
                          "standard_name": "time",
                          "long_name": "time since the surface warmed (365-day years)"}),
                "depth": ("depth", model.z, {"units": "m", "positive": "down",
                                             "long_name": "depth below the surface"})},
        attrs=attrs)


_MODEL_FIELDS = tuple(f.name for f in dataclasses.fields(HeatParams) if f.name != "compensated")


def study_member(params: dict, task) -> xr.Dataset:
    """Study-runner entry point (``model = "heat"``).

    The column has no initial-condition spread, so members differ only by
    rounding seed.  ``params`` keys and defaults: ``study_member.parameters``
    (``years``, ``output_every`` and the model's parameters); the policy
    (``task.policy``) is one of :data:`POLICIES` (``"kahan"``: compensated).
    """
    unknown = sorted(set(params) - set(study_member.parameters))
    if unknown:
        hint = (" (compensation is the policy 'kahan' in grid.policies)"
                if "compensated" in unknown else "")
        raise ValueError(f"[model] keys {unknown} are not heat parameters (allowed: "
                         f"{', '.join(study_member.parameters)}){hint}")
    policy = task.policy or "all"
    if policy not in POLICIES:
        raise ValueError(f"policy {policy!r} is not a heat policy; expected one of "
                         f"{', '.join(POLICIES)}")
    if task.format is None and policy != "all":
        raise ValueError(f"policy {policy!r} needs a format (double precision runs no policy)")
    ds = simulate(task.format, task.rounding or "nearest_even", seed=task.seed,
                  compensated=policy == "kahan", **dict(params))
    ds.attrs["policy"] = policy
    return ds


study_member.parameters = {"years": 60.0, "output_every": 1.0,
                           **{f.name: f.default for f in dataclasses.fields(HeatParams)
                              if f.name != "compensated"}}
study_member.policies = POLICIES
study_member.variables = ("T",)


def errors(runs: dict, reference: xr.Dataset) -> list[dict]:
    """Final-time error of each run against double: max over depth and at
    ``PROBE_DEPTH``, and the deepest node that warmed by more than 0.01 K
    from its own (rounded) initial temperature."""
    ref = reference["T"].isel(time=-1)
    rows = []
    for (fmt, rounding), ds in runs.items():
        final = ds["T"].isel(time=-1)
        err = np.abs(final - ref)
        warmed = ds["depth"].where(final - ds["T"].isel(time=0) > 0.01).max()
        rows.append({"format": fmt, "rounding": rounding,
                     "max_error": float(err.max()),
                     "error_at_probe": float(err.sel(depth=PROBE_DEPTH)),
                     "deepest_warmed": float(warmed) if np.isfinite(warmed) else 0.0})
    return rows


def format_table(rows, years) -> str:
    head = (f"{'format':<10} {'rounding':<14} {'max |T - T_double|':>19} "
            f"{f'error at {PROBE_DEPTH:g} m':>14} {'warmed to':>10}")
    lines = [f"soil column after {years:g} years; double precision is the reference", head,
             "-" * len(head)]
    for r in rows:
        lines.append(f"{r['format']:<10} {r['rounding']:<14} {r['max_error']:>17.4g} K "
                     f"{r['error_at_probe']:>12.4g} K {r['deepest_warmed']:>8.0f} m")
    return "\n".join(lines)


def plot_profiles(runs: dict, reference: xr.Dataset, path) -> None:
    """Final temperature profiles of every run against double (PNG)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 6))
    ref = reference["T"].isel(time=-1)
    ax.plot(ref, ref["depth"], "k-", lw=2.5, label="double")
    for (fmt, rounding), ds in runs.items():
        style = "--" if rounding == "nearest_even" else "-"
        ax.plot(ds["T"].isel(time=-1), ds["depth"], style, label=f"{fmt} {rounding}")
    ax.invert_yaxis()
    ax.set_xlabel("temperature [K]")
    ax.set_ylabel("depth [m]")
    ax.set_title(f"soil column after {float(ref['time']) / 365:g} years")
    ax.legend(fontsize="small")
    fig.tight_layout()
    save_figure(fig, path, dpi=120)
    plt.close(fig)


def _run_one(args):
    fmt, rounding, years, seed = args
    return (fmt, rounding), simulate(fmt, rounding, years=years, seed=seed)


def run_all(formats, roundings, *, years, seed, workers=2, progress=True):
    """The double reference and every (format, rounding) run, in parallel."""
    from tqdm.auto import tqdm

    jobs = [(None, None, years, seed)] + [(f, r, years, seed) for f in formats for r in roundings]
    results = {}
    with WorkerPool(workers) as pool, tqdm(total=len(jobs), desc="soil column runs",
                                           disable=not progress) as bar:
        for job in jobs:
            pool.submit(None, _run_one, job)
        for _, (key, ds) in pool.results():
            results[key] = ds
            bar.update(1)
    reference = results.pop((None, None))
    ordered = {(f, r): results[(f, r)] for f in formats for r in roundings}
    return reference, ordered


_DESCRIPTION = """\
Soil-column heat diffusion in low precision: round-to-nearest stagnation against
stochastic rounding (Dawson et al. 2018, Clim. Dyn. 51; Paxton et al. 2022,
J. Climate 35, section 4).

The 60 m column starts at 273.15 K; from t = 0 the surface is held at 280 K.
It is integrated for --years in double precision and with every operation
rounded to each --format (default: 11-bit exponent, 23, 16 and 10 significand
bits) with each --rounding, and the error of each run against double is
printed. With round-to-nearest the small increment K * curvature added each
step to temperatures near 275 K falls below half a unit in the last place and
is lost: the deep column never warms (stagnation). Stochastic rounding keeps
the increment in expectation.
"""

_EPILOG = """\
examples:
  python -m numprec.cases.heat
  python -m numprec.cases.heat --format e11m10 --rounding stochastic --seed 3
  python -m numprec.cases.heat --years 10 --output heat.nc --plot heat.png
"""


def build_parser():
    p = argparse.ArgumentParser(prog="python -m numprec.cases.heat", description=_DESCRIPTION,
                                epilog=_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--format", action="append", dest="formats", metavar="FMT",
                   help=f"number format (repeatable; default {' '.join(DEFAULT_FORMATS)})")
    p.add_argument("--rounding", action="append", dest="roundings", metavar="NAME",
                   help=f"rounding scheme (repeatable; default {' '.join(DEFAULT_ROUNDINGS)})")
    p.add_argument("--years", type=float, default=60.0, help="length of the run (default 60)")
    p.add_argument("--seed", type=int, help="seed of stochastic rounding (default 0; only "
                                            "with a stochastic --rounding)")
    p.add_argument("--workers", type=int, default=2, help="parallel processes (default 2)")
    p.add_argument("--output", metavar="FILE.nc", help="write all final profiles to NetCDF")
    p.add_argument("--plot", metavar="FILE.png", help="plot the final profiles (any "
                                                       "extension matplotlib saves)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace existing --output/--plot files (default: refuse)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit status (130 after Ctrl-C)."""
    import numprec

    parser = build_parser()
    args = parser.parse_args(argv)
    formats = args.formats or list(DEFAULT_FORMATS)
    roundings = args.roundings or list(DEFAULT_ROUNDINGS)
    check_grid(parser, formats, roundings)
    if not (np.isfinite(args.years) and args.years > 0):
        parser.error(f"--years must be a positive number, got {args.years}")
    if args.workers < 1:
        parser.error("--workers must be a positive integer")
    if args.seed is not None:
        if args.seed < 0:
            parser.error("--seed must be a non-negative integer")
        if not any(numprec.registry.manager.get_rounding(r).stochastic for r in roundings):
            parser.error(f"--seed {args.seed}: no stochastic --rounding uses it "
                         f"(roundings: {', '.join(roundings)})")
    seed = 0 if args.seed is None else args.seed
    check_paths(parser, overwrite=args.overwrite, figures=("plot",), output=args.output,
                plot=args.plot)
    try:
        reference, runs = run_all(formats, roundings, years=args.years, seed=seed,
                                  workers=args.workers, progress=not args.quiet)
        print(format_table(errors(runs, reference), args.years))
        if args.output:
            labels = ["double"] + [f"{f} {r}" for f, r in runs]
            final = xr.concat([reference["T"].isel(time=-1)] +
                              [ds["T"].isel(time=-1) for ds in runs.values()], dim="run")
            ds = xr.Dataset({"T_final": final},
                            coords={"run": ("run", labels, {"long_name": "run"})})
            write_netcdf(ds, args.output, title="soil heat diffusion: final profiles",
                         provenance=provenance_attrs(formats=formats, rounding=roundings,
                                                     seed=seed))
            print(f"wrote {args.output}")
        if args.plot:
            plot_profiles(runs, reference, args.plot)
            print(f"wrote {args.plot}")
    except KeyboardInterrupt:
        return interrupted("stopped the workers; no partial output was written")
    return 0


if __name__ == "__main__":
    sigterm_as_interrupt()
    sys.exit(main())
