"""``python -m numprec.cases.speedy``: a short Paxton-style demonstration.

Runs a double ensemble, a second double ensemble from other start states
(the baseline) and one ensemble per ``--format`` x ``--rounding`` from the
first ensemble's states, all from a spun-up Held-Suarez restart (``--start``,
default the shipped T21 state), and prints the Wasserstein verdict table
(zonal-mean u, v, T and p_s, cos-latitude weights; Paxton et al. 2022) and
each ensemble's wall time.
"""
from __future__ import annotations

import argparse
import re

import numpy as np

from numprec.cases.cli import (add_grid_options, add_output_options, check_grid, check_paths,
                               format_results, interrupted)
from numprec.cases.speedy.case import SpeedyParameters
from numprec.cases.speedy.demonstration import (DEFAULT_FORMATS, DEFAULT_ROUNDINGS,
                                                run_demonstration)
from numprec.cases.speedy.restart import SHIPPED, load_restart


def parser():
    ap = argparse.ArgumentParser(prog="python -m numprec.cases.speedy",
                                 description=__doc__.split("\n\n")[1].replace("\n", " "))
    ap.add_argument("--resolution", type=int, default=21, metavar="T",
                    help="triangular truncation (21: 64x32 grid, 30: 96x48); default 21")
    ap.add_argument("--days", type=float, default=10.0,
                    help="days of 6-hourly samples per ensemble (10)")
    ap.add_argument("--start", default="held_suarez_T21", metavar="NAME|FILE|rest",
                    help=f"restart to start from: {', '.join(sorted(SHIPPED))} (default), a "
                         "restart file, or 'rest' (spin up from rest in double for "
                         "--spinup-days)")
    ap.add_argument("--spinup-days", type=float, default=0.0,
                    help="days run in double before the ensembles start (0; from rest use "
                         ">= 200)")
    ap.add_argument("--members", type=int, default=3, help="members per ensemble (3)")
    add_grid_options(ap, DEFAULT_FORMATS, DEFAULT_ROUNDINGS)
    add_output_options(ap, "write all ensembles to this NetCDF file",
                       "save zonal-mean u of each ensemble")
    ap.add_argument("--time-unit", default="1", metavar="SECONDS|radius",
                    help="hold vorticity and divergence per this many seconds (1: SI; 36000 "
                         "for e5m10, which overflows unscaled; 'radius': SpeedyWeather's "
                         "radius scaling); in double only round-off changes")
    ap.add_argument("--rescale-transforms", type=float, default=None, metavar="MAX",
                    help="Paxton et al. (2022)'s rescaling of every transform input to this "
                         "largest magnitude (they use 100), the factor in double; default off")
    ap.add_argument("--mass-fixer", action="store_true",
                    help="hold each member's global-mean surface pressure at its start value "
                         "(a mass fixer after every step; SPEEDY has none, default off)")
    ap.add_argument("--pressure-levels", metavar="HPA,HPA,...|speedy",
                    help="also write u, v, T and geopotential on these pressure levels (hPa, "
                         "comma-separated; 'speedy': SPEEDY's 30,100,200,300,500,700,850,925) "
                         "to --output, interpolated after the run in double")
    return ap


def pressure_levels_option(ap, text):
    """The ``--pressure-levels`` text as the case parameter: None, "speedy"
    or a tuple of hPa (checked by :class:`SpeedyParameters`)."""
    if text is None:
        return None
    if text.strip() == "speedy":
        return "speedy"
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        ap.error(f"--pressure-levels {text!r}: expected comma-separated hPa values or 'speedy'")


def time_unit_option(ap, text):
    """The ``--time-unit`` text as the case parameter: ``"radius"`` or seconds."""
    if text.strip() == "radius":
        return "radius"
    try:
        return float(text)
    except ValueError:
        ap.error(f"--time-unit {text!r}: expected a number of seconds or 'radius'")


def main(argv=None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    formats = args.formats or list(DEFAULT_FORMATS)
    roundings = args.roundings or list(DEFAULT_ROUNDINGS)
    check_grid(ap, formats, roundings)
    check_paths(ap, overwrite=args.overwrite, figures=("plot",),
                output=args.output, plot=args.plot)
    if args.resolution < 1:
        ap.error(f"--resolution must be a truncation >= 1, got {args.resolution}")
    if args.members < 1 or not 0 < args.days < float("inf") \
            or not 0 <= args.spinup_days < float("inf"):
        ap.error("--members must be >= 1, --days finite and > 0 and --spinup-days finite "
                 "and >= 0")
    start = None if args.start == "rest" else args.start
    if start is not None:
        try:
            restart = load_restart(start)
        except (ValueError, OSError, KeyError) as exc:
            ap.error(f"--start {start!r}: {exc} (or 'rest')")
        if restart.trunc != args.resolution:
            ap.error(f"--start {start!r} is a T{restart.trunc} state, --resolution is "
                     f"{args.resolution}; use --start rest (or a restart of that truncation)")
        if 2 * args.members > restart.members:
            ap.error(f"--members {args.members}: the reference and the baseline need "
                     f"{2 * args.members} members of --start, which holds {restart.members}")
    params = {"trunc": args.resolution, "days": args.days, "ic_spinup_days": args.spinup_days,
              "start": start, "time_unit": time_unit_option(ap, args.time_unit),
              "rescale_transforms": args.rescale_transforms, "mass_fixer": args.mass_fixer}
    if args.pressure_levels is not None:
        if not args.output:
            ap.error("--pressure-levels needs --output (the levels are written to that file)")
        params["pressure_levels"] = pressure_levels_option(ap, args.pressure_levels)
    try:
        SpeedyParameters(**params)
    except ValueError as exc:
        message = str(exc)
        for name in ("pressure_levels", "time_unit", "rescale_transforms", "days"):
            message = re.sub(rf"\b{name}\b", "--" + name.replace("_", "-"), message)
        ap.error(message)
    written = []
    try:
        return _run(args, params, formats, roundings, start, written)
    except KeyboardInterrupt:
        return interrupted(f"only {', '.join(written)} had been written" if written
                           else "no output was written")


def _run(args, params, formats, roundings, start, written) -> int:
    """The demonstration of checked options; writes --output/--plot last
    (atomically, through numprec.io)."""
    result, runs = run_demonstration(params, members=args.members, formats=formats,
                                     roundings=roundings,
                                     log=lambda line: print(line, flush=True))
    origin = f"restart {start}" if start else "rest"
    print(f"\nT{args.resolution}, {args.members} members per ensemble, {args.days:g} days of "
          f"6-hourly samples from {origin}"
          + (f" after {args.spinup_days:g} days in double" if args.spinup_days else "")
          + "; W1 of zonal means, cos-latitude weights\n")
    print(format_results(result), end="")
    unstable = [name for name, ds, _ in runs if ds.attrs.get("unstable")]
    if unstable:
        print("UNSTABLE: " + ", ".join(unstable))
    if args.output:
        import xarray as xr
        from numprec.io import write_dataset
        combined = xr.concat([ds.assign_attrs(unstable=0) for _, ds, _ in runs],
                             dim="experiment")
        combined = combined.assign_coords(experiment=[name for name, _, _ in runs])
        write_dataset(combined, args.output, title="numprec speedy demonstration")
        written.append(args.output)
        print(f"wrote {args.output}")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from numprec.io import save_figure
        fig, axes = plt.subplots(1, len(runs), figsize=(4 * len(runs), 3.5), squeeze=False,
                                 constrained_layout=True)
        for ax, (name, ds, _) in zip(axes[0], runs):
            zm = ds["u"].mean(("member", "time", "lon"))
            cs = ax.contourf(ds.lat, ds.sigma, zm, levels=np.arange(-12, 42, 4), cmap="RdBu_r",
                             extend="both")
            ax.set_ylim(1, 0)
            ax.set_title(name)
            ax.set_xlabel("latitude")
        axes[0][0].set_ylabel("sigma")
        fig.colorbar(cs, ax=axes[0].tolist(), label="zonal-mean u [m/s]")
        save_figure(fig, args.plot)
        print(f"wrote {args.plot}")
    return 0
