"""The command line of the heat case: ``python -m numprec.cases.heat``."""
from __future__ import annotations

import argparse
from typing import Optional, Sequence

import numpy as np
import xarray as xr

from numprec.cases.cli import (add_grid_options, add_output_options, check_grid, check_paths,
                                run_command)
from numprec.cases.heat import CASE
from numprec.cases.heat.diagnostics import errors, format_table, plot_profiles
from numprec import io

__all__ = ["DEFAULT_FORMATS", "DEFAULT_ROUNDINGS", "build_parser", "main", "run_all"]

DEFAULT_FORMATS = ("e11m23", "e11m16", "e11m10")
DEFAULT_ROUNDINGS = ("nearest_even", "stochastic")


def run_all(formats, roundings, *, years, seed, workers=2, progress=True):
    """The double reference and every (format, rounding) run: one column each,
    through the ensemble runner (:func:`numprec.cases.ensemble.run_ensemble`)
    on ``workers`` processes (serial for 1).

    Returns
    -------
    (xarray.Dataset, dict)
        The reference and ``{(format, rounding): Dataset}``, dims (time, depth).
        The runner derives each experiment's rounding seed from ``seed``.
    """
    from numprec.cases.ensemble import EnsembleSpec, Experiment, run_ensemble

    experiments = [Experiment(f, r) for f in formats for r in roundings]
    spec = EnsembleSpec(CASE, params={"years": years}, reference_members=1,
                        baseline_members=1, members=1, experiments=tuple(experiments),
                        seed=seed)
    res = run_ensemble(spec, executor="process" if workers > 1 else "serial",
                       workers=workers, progress=progress, verify=False)
    runs = {(e.format, e.rounding): res.experiments[e.label].isel(member=0, drop=True)
            for e in experiments}
    return res.reference.isel(member=0, drop=True), runs


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
    add_grid_options(p, DEFAULT_FORMATS, DEFAULT_ROUNDINGS)
    p.add_argument("--years", type=float, default=60.0, help="length of the run (default 60)")
    p.add_argument("--seed", type=int, help="seed of stochastic rounding (default 0; only "
                                            "with a stochastic --rounding)")
    p.add_argument("--workers", type=int, default=2, help="parallel processes (default 2)")
    add_output_options(p, "write all final profiles to NetCDF", "plot the final profiles")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit status (130 after Ctrl-C)."""
    return run_command(build_parser(), argv, _validate, _run,
                       interrupted_message="stopped the workers; no partial output was written")


def _validate(args, parser):
    from numprec.rounding import resolve_rounding

    check_grid(parser, _formats(args), _roundings(args))
    if not (np.isfinite(args.years) and args.years > 0):
        parser.error(f"--years must be a positive number, got {args.years}")
    if args.workers < 1:
        parser.error("--workers must be a positive integer")
    if args.seed is not None:
        if args.seed < 0:
            parser.error("--seed must be a non-negative integer")
        if not any(resolve_rounding(r).stochastic for r in _roundings(args)):
            parser.error(f"--seed {args.seed}: no stochastic --rounding uses it "
                         f"(roundings: {', '.join(_roundings(args))})")
    check_paths(parser, overwrite=args.overwrite, figures=("plot",), output=args.output,
                plot=args.plot)


def _formats(args):
    return args.formats or list(DEFAULT_FORMATS)


def _roundings(args):
    return args.roundings or list(DEFAULT_ROUNDINGS)


def _run(args, parser, argv):
    seed = 0 if args.seed is None else args.seed
    reference, runs = run_all(_formats(args), _roundings(args), years=args.years, seed=seed,
                              workers=args.workers, progress=not args.quiet)
    print(format_table(errors(runs, reference), args.years))
    if args.output:
        labels = ["double"] + [f"{f} {r}" for f, r in runs]
        final = xr.concat([reference["T"].isel(time=-1)] +
                          [ds["T"].isel(time=-1) for ds in runs.values()], dim="run")
        ds = xr.Dataset({"T_final": final},
                        coords={"run": ("run", labels, {"long_name": "run"})})
        experiments = [{"label": f"{f} {r}", "format": f, "rounding": r} for f, r in runs]
        io.write_dataset(ds, args.output, title="soil heat diffusion: final profiles",
                         provenance=io.Provenance(case="heat", params={"years": args.years},
                                                  kind="result", seed=seed,
                                                  experiments=experiments))
        print(f"wrote {args.output}")
    if args.plot:
        plot_profiles(runs, reference, args.plot)
        print(f"wrote {args.plot}")
    return 0
