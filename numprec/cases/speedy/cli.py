"""``python -m numprec.cases.speedy``: a short demonstration of the dry core.

Spins up a Held-Suarez state in double (``--spinup-days``), runs a double
ensemble and one ensemble per ``--format`` x ``--rounding`` from it for
``--days``, and prints, per experiment, the global-mean temperature, the
largest zonal-mean wind and the RMS difference of the zonal-mean
temperature from the double ensemble (a demonstration of the machinery:
a verdict needs years of samples, see docs/speedy.md).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from numprec.cases.cli import add_grid_options, add_output_options, check_grid, check_paths
from numprec.cases.speedy.case import SpeedyParameters, simulate

DEFAULT_FORMATS = ("e11m23", "e11m10")
DEFAULT_ROUNDINGS = ("nearest_even",)


def parser():
    ap = argparse.ArgumentParser(prog="python -m numprec.cases.speedy",
                                 description=__doc__.split("\n\n")[1].replace("\n", " "))
    ap.add_argument("--resolution", type=int, default=21, metavar="T",
                    help="triangular truncation (21: 64x32 grid, 30: 96x48); default 21")
    ap.add_argument("--days", type=float, default=0.5, help="days per experiment (0.5)")
    ap.add_argument("--spinup-days", type=float, default=30.0,
                    help="Held-Suarez spin-up from rest in double (30)")
    ap.add_argument("--members", type=int, default=2, help="ensemble members (2)")
    add_grid_options(ap, DEFAULT_FORMATS, DEFAULT_ROUNDINGS)
    add_output_options(ap, "write all experiments to this NetCDF file",
                       "save zonal-mean u of each experiment")
    return ap


def summary(ds, ref=None):
    """Global-mean T (K), max zonal-mean u (m/s), RMS zonal-mean T difference."""
    w = np.cos(np.radians(ds.lat))
    tmean = float((ds["T"].mean(("member", "time", "sigma", "lon")) * w).sum() / w.sum())
    umax = float(ds["u"].mean(("member", "time", "lon")).max())
    rms = float("nan")
    if ref is not None:
        d = (ds["T"].mean(("member", "lon")) - ref["T"].mean(("member", "lon"))) ** 2
        rms = float(np.sqrt((d.mean(("time", "sigma")) * w).sum() / w.sum()))
    return tmean, umax, rms


def main(argv=None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    formats = args.formats or list(DEFAULT_FORMATS)
    roundings = args.roundings or list(DEFAULT_ROUNDINGS)
    check_grid(ap, formats, roundings)
    check_paths(ap, overwrite=args.overwrite, figures=("plot",),
                output=args.output, plot=args.plot)
    if args.members < 1 or args.days <= 0 or args.spinup_days < 0:
        ap.error("--members must be >= 1, --days > 0 and --spinup-days >= 0")
    from numprec.emulate import Policy
    params = {"trunc": args.resolution, "days": args.days, "ic_spinup_days": args.spinup_days}
    SpeedyParameters(**params)
    runs = []
    t0 = time.perf_counter()
    ref = simulate(params, None, members=args.members, ic_seed=0)
    runs.append(("double", ref, time.perf_counter() - t0))
    for fmt in formats:
        for rounding in roundings:
            policy = Policy(fmt, rounding=rounding, seed=1)
            t0 = time.perf_counter()
            ds = simulate(params, policy, members=args.members, ic_seed=0)
            runs.append((policy.name, ds, time.perf_counter() - t0))
    print(f"T{args.resolution}, {args.members} members, {args.days:g} days after a "
          f"{args.spinup_days:g}-day double spin-up")
    print(f"{'experiment':<28} {'mean T [K]':>10} {'max u [m/s]':>11} {'RMS dT [K]':>10} "
          f"{'wall [s]':>8}")
    for name, ds, wall in runs:
        tmean, umax, rms = summary(ds, None if name == "double" else ref)
        flag = " UNSTABLE" if ds.attrs.get("unstable") else ""
        print(f"{name:<28} {tmean:10.3f} {umax:11.2f} {rms:10.2e} {wall:8.1f}{flag}")
    if args.output:
        import xarray as xr
        from numprec.io import write_dataset
        combined = xr.concat([ds.assign_attrs(unstable=0) for _, ds, _ in runs],
                             dim="experiment")
        combined = combined.assign_coords(experiment=[name for name, _, _ in runs])
        write_dataset(combined, args.output, title="numprec speedy demonstration")
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
