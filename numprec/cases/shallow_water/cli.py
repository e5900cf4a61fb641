"""The command line of the shallow-water case: ``python -m numprec.cases.shallow_water``."""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

import numpy as np

from numprec.cases.cli import (add_grid_options, add_output_options, check_grid, check_paths,
                                format_results, run_command)
from numprec.cases.ensemble import EXECUTORS
from numprec.cases.shallow_water.params import COMPENSATIONS
from numprec.cases.shallow_water.study import DEFAULTS, POLICIES, ensemble_spec, run_study

__all__ = ["build_parser", "main"]

_DESCRIPTION = """\
The shallow-water case study of numprec (Klöwer et al. 2020, JAMES 12;
verified as in Paxton et al. 2022, J. Climate 35).

The wind-driven zonally periodic channel with a ridge is spun up from rest
(a small random surface perturbation per member) in double precision for
--spinup days; then --days more are integrated in double (the reference),
in double from other perturbations (the baseline), and from the reference's
spun-up states for each --format x --rounding x --scale x --compensation x
--policy (all: every operation in the format; mixed: the tendency components
in the format, state and time stepping in binary32).  u, v, eta sampled every
--sample-every days are pooled over time and members and scored by the first
Wasserstein distance against the reference, with the baseline as the scale.

--klower2020 instead runs the forecast experiment of Klöwer et al. (2020)
(normalised eta forecast error against double from several start states of
a control run; mean and variance of u) and the flush-to-zero spin-up of
Klöwer et al. (2022): see docs/shallow_water.md.
"""

_EPILOG = """\
examples:
  python -m numprec.cases.shallow_water
  python -m numprec.cases.shallow_water --rounding stochastic --compensation per_step
  python -m numprec.cases.shallow_water --format e5m10 --format bf16 --policy mixed
  python -m numprec.cases.shallow_water --executor serial --members 2 --days 5 --spinup 30
  python -m numprec.cases.shallow_water --klower2020 --nx 50 --starts 4 --days 30
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m numprec.cases.shallow_water",
                                description=_DESCRIPTION, epilog=_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_grid_options(p, DEFAULTS["formats"], DEFAULTS["roundings"])
    p.add_argument("--policy", dest="policies", action="append", choices=POLICIES,
                   help="all (default) or mixed; repeatable")
    p.add_argument("--scale", dest="scales", action="append", type=float,
                   help="u, v held multiplied by this factor (model option; repeatable; "
                        "default 1; Klöwer et al. 2022: 64)")
    p.add_argument("--compensation", dest="compensations", action="append",
                   choices=COMPENSATIONS, help="Kahan-compensated time stepping (repeatable; "
                                               "default none)")
    p.add_argument("--members", type=int, default=DEFAULTS["members"],
                   help=f"members per ensemble (default {DEFAULTS['members']})")
    p.add_argument("--days", type=float, help="days verified after the spin-up (default "
                                              f"{DEFAULTS['days']:g}; --klower2020: 30)")
    p.add_argument("--spinup", type=float, default=DEFAULTS["spinup"],
                   help=f"double-precision spin-up days (default {DEFAULTS['spinup']:g})")
    p.add_argument("--sample-every", type=float, default=DEFAULTS["sample_every"],
                   help="days between samples (default 1)")
    p.add_argument("--nx", type=int, default=DEFAULTS["nx"],
                   help=f"grid cells in x; 100 is Klöwer et al.'s 20 km (default {DEFAULTS['nx']})")
    p.add_argument("--seed", type=int, default=0,
                   help="root of the seeds of the initial perturbations and of stochastic "
                        "rounding (default 0)")
    p.add_argument("--executor", choices=EXECUTORS, default="process",
                   help="where the ensembles run: this process, worker processes "
                        "(default) or dask; the results are the same")
    p.add_argument("--workers", type=int,
                   help="worker processes of --executor process or of a local dask "
                        "cluster (default 2)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="a running dask scheduler (with --executor dask)")
    p.add_argument("--klower2020", action="store_true",
                   help="run the Klöwer et al. (2020) forecast and the flush-to-zero experiments")
    p.add_argument("--starts", type=int, default=4,
                   help="--klower2020: start states of the forecasts (default 4)")
    add_output_options(p, "write the verdicts and W1 values to this NetCDF file",
                       "--klower2020: plot the forecast errors")
    p.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show a progress bar (default: when stderr is a terminal)")
    p.add_argument("--no-progress", dest="progress", action="store_false")
    return p


def _validate(args, parser):
    check_grid(parser, args.formats, args.roundings)
    if args.members < 2:
        parser.error(f"--members must be at least 2, got {args.members}")
    for name in ("days", "sample_every"):
        v = getattr(args, name)
        if v is not None and not (np.isfinite(v) and v > 0):
            parser.error(f"--{name.replace('_', '-')} must be a positive number, got {v}")
    for s in args.scales or ():
        if not (np.isfinite(s) and s > 0):
            parser.error(f"--scale must be a positive number, got {s}")
    if not (np.isfinite(args.spinup) and args.spinup >= 0):
        parser.error(f"--spinup must be a number of days >= 0, got {args.spinup}")
    if args.nx < 4:
        parser.error(f"--nx must be an integer >= 4, got {args.nx}")
    if args.starts < 2:
        parser.error(f"--starts must be at least 2, got {args.starts}")
    if args.seed < 0:
        parser.error(f"--seed must be a non-negative integer, got {args.seed}")
    if args.workers is not None and args.workers < 1:
        parser.error(f"--workers must be a positive integer, got {args.workers}")
    if args.scheduler and args.executor != "dask":
        parser.error(f"--scheduler needs --executor dask, got --executor {args.executor}")
    if args.klower2020:
        given = [f"--{name}" for name in ("workers", "scheduler")
                 if getattr(args, name) is not None]
        if given:
            parser.error(f"{given[0]} is for the ensemble study, not --klower2020")
    else:
        days = DEFAULTS["days"] if args.days is None else args.days
        if args.sample_every > days:
            parser.error(f"--sample-every {args.sample_every:g} must not exceed --days "
                         f"{days:g}")
    if args.klower2020 and args.output:
        parser.error("--output is for the ensemble study, not --klower2020 (use --plot)")
    check_paths(parser, overwrite=args.overwrite, figures=("plot",), output=args.output,
                plot=args.plot)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit status (130 after Ctrl-C)."""
    return run_command(build_parser(), argv, _validate, _run)


def _run(args, parser, argv):
    if args.klower2020:
        return _klower2020(args)
    return _study(args, argv)


def _klower2020(args):
    from numprec.cases.shallow_water.experiments import (flush_to_zero_spinup, forecast_errors,
                                                         format_forecast_errors, plot_forecast_errors)
    print("spin-up from exact rest, 1 day, dt = 282 s (mean u, max |u| in m/s):")
    for label, (m, mx) in flush_to_zero_spinup().items():
        print(f"  {label:<36} {m:.6f} {mx:.6f}")
    days = 30.0 if args.days is None else args.days
    r = forecast_errors(nx=args.nx, starts=args.starts, spinup=args.spinup, days=days,
                        seed=args.seed, output_every=args.sample_every,
                        climate_from=min(5.0, days / 2),
                        progress=lambda s: print(s, file=sys.stderr, flush=True))
    print(f"forecast error of eta against double (RMS / RMS of unrelated states "
          f"{r['normaliser']:.4g} m), nx={args.nx}, {args.starts} start states:")
    print(format_forecast_errors(r, at=(5, 10, 20, 30, 60)))
    if args.plot:
        plot_forecast_errors(r, args.plot)
        print(f"wrote {args.plot}")
    return 0


def _study(args, argv):
    from numprec import io

    spec = ensemble_spec(args.formats or DEFAULTS["formats"],
                         args.roundings or DEFAULTS["roundings"], args.policies or ("all",),
                         args.scales or (1.0,), args.compensations or ("none",),
                         members=args.members,
                         days=DEFAULTS["days"] if args.days is None else args.days,
                         spinup=args.spinup, sample_every=args.sample_every, nx=args.nx,
                         seed=args.seed)
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    study = run_study(spec, executor=args.executor, workers=args.workers,
                      scheduler=args.scheduler, progress=progress)
    s = study.settings
    print(f"shallow water over a ridge: nx={s['nx']} ({2000.0 / s['nx']:g} km), "
          f"{s['members']} members, {s['spinup']:g}-day double spin-up, {s['days']:g} days "
          f"sampled every {s['sample_every']:g}, seed={s['seed']}")
    print(format_results(study.result), end="")
    print(study.diagnostics_table)
    print(f"({study.seconds:.1f} s)")
    if args.output:
        ds = io.verdict_dataset(study.result, case="shallow_water", settings=s)
        command = io.command_line() if argv is None else io.command_line(
            ["python -m numprec.cases.shallow_water", *argv])
        prov = io.Provenance(case="shallow_water", kind="result",
                             params={k: v for k, v in s.items()
                                     if k not in ("experiments", "members", "seed")},
                             members=s["members"], seed=s["seed"],
                             experiments=[{"label": e.label, "format": e.format,
                                           "rounding": e.rounding, "policy": e.policy.name}
                                          for e in spec.experiments],
                             command=command)
        io.write_dataset(ds, args.output, title="numprec shallow-water study", provenance=prov)
        print(f"wrote {args.output}")
    return 0
