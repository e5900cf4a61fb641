"""The command line of the Lorenz case: ``python -m numprec.cases.lorenz``."""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

import numpy as np

from numprec.cases.cli import (add_grid_options, add_output_options, check_grid, check_paths,
                                check_random_bits, format_results, run_command)
from numprec import io
from numprec.cases.lorenz.study import (DEFAULT_FORMATS, DEFAULT_ROUNDINGS, DEFAULTS,
                                        result_dataset, run_study, study_provenance)

__all__ = ["build_parser", "main"]

_DESCRIPTION = """\
The Lorenz case study of numprec (Paxton et al. 2022, J. Climate 35).

An ensemble of trajectories is integrated in double precision (the
reference), a second double ensemble from other initial conditions (the
baseline: the distance between two double-precision climates, i.e. internal
variability plus sampling noise), and the reference ensemble again in each
low-precision --format with each --rounding, every arithmetic operation
rounded by numprec.emulate. Samples every --sample-every time units after
--spinup are pooled over time and members, and each variable's first
Wasserstein distance (W1) to the double reference is compared with the
baseline's W1: indistinguishable if not larger, distinguishable otherwise,
unstable if the run produced NaN/inf.

With no options: Lorenz 63 (sigma=10, rho=28, beta=8/3, RK4, dt=0.01),
1000 members x 50 time units, formats e11m6 e11m8 e11m10 (11-bit exponent:
only the significand is reduced) with nearest_even and stochastic rounding.
"""

_EPILOG = """\
examples:
  python -m numprec.cases.lorenz
  python -m numprec.cases.lorenz --format e11m8 --format fp16 --rounding stochastic
  python -m numprec.cases.lorenz --members 400 --time 200 --output l63.nc --plot w1.png
  python -m numprec.cases.lorenz --system l96 --format bf16 --time 10
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m numprec.cases.lorenz", description=_DESCRIPTION,
                                epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--system", choices=("l63", "l96"), default="l63",
                   help="Lorenz 63 (3 variables) or Lorenz 96 (K variables); default l63")
    add_grid_options(p, DEFAULT_FORMATS, DEFAULT_ROUNDINGS)
    p.add_argument("--members", type=int, help="ensemble size (default 1000 for l63, 100 for "
                                               "l96)")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--time", type=float, help="sampled time units after the spin-up "
                                                    "(default 50 for l63, 20 for l96)")
    length.add_argument("--steps", type=int, help="sampled time steps (instead of --time)")
    p.add_argument("--dt", type=float, help="time step (default 0.01 for l63, 0.005 for l96)")
    p.add_argument("--spinup", type=float, help="time units integrated before sampling, in "
                                                "each run's precision (default 5)")
    p.add_argument("--sample-every", type=float, help="time units between samples (default "
                                                      "0.1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the initial conditions and of "
                                                       "stochastic rounding (default 0)")
    p.add_argument("--random-bits", type=int, help="random bits of stochastic rounding "
                                                   "(default: all)")
    p.add_argument("--joint", action="store_true", help="also compare the joint (x, y, z) "
                                                        "distribution (l63; slower)")
    p.add_argument("--K", type=int, help="l96: slow variables (default 40)")
    p.add_argument("--F", type=float, help="l96: forcing (default 8)")
    p.add_argument("--J", type=int, help="l96: fast variables per slow one; 0 = "
                                         "one-scale model (default)")
    add_output_options(p, "write the verdicts, W1 values and provenance to this NetCDF file",
                       "save W1 against mantissa bits")
    p.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show a progress bar (default: when stderr is a terminal)")
    p.add_argument("--no-progress", dest="progress", action="store_false")
    return p


def _validate(args, parser):
    if args.members is not None and args.members < 2:
        parser.error(f"--members must be at least 2, got {args.members}")
    for name in ("time", "dt", "sample_every"):
        v = getattr(args, name)
        if v is not None and not (np.isfinite(v) and v > 0):
            parser.error(f"--{name.replace('_', '-')} must be a positive number, got {v}")
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps must be a positive integer, got {args.steps}")
    if args.spinup is not None and not (np.isfinite(args.spinup) and args.spinup >= 0):
        parser.error(f"--spinup must be a number >= 0, got {args.spinup}")
    if args.random_bits is not None and not 1 <= args.random_bits <= 64:
        parser.error(f"--random-bits must be in 1..64, got {args.random_bits}")
    if args.joint and args.system != "l63":
        parser.error("--joint needs --system l63")
    if args.system == "l63":
        for name in ("K", "F", "J"):
            if getattr(args, name) is not None:
                parser.error(f"--{name} is a Lorenz 96 parameter; it needs --system l96")
    check_grid(parser, args.formats, args.roundings)
    check_random_bits(parser, args.random_bits, args.roundings or DEFAULT_ROUNDINGS)
    check_paths(parser, overwrite=args.overwrite, figures=("plot",), output=args.output,
                plot=args.plot)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit status (130 after Ctrl-C)."""
    return run_command(build_parser(), argv, _validate, _run)


def _run(args, parser, argv):
    system = args.system
    d = DEFAULTS[system]
    dt = args.dt if args.dt is not None else d["dt"]
    time = args.time if args.time is not None else (args.steps * dt if args.steps else None)
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    try:
        study = run_study(system, args.formats or DEFAULT_FORMATS,
                          args.roundings or DEFAULT_ROUNDINGS, members=args.members, time=time,
                          dt=dt, spinup=args.spinup, sample_every=args.sample_every,
                          seed=args.seed, joint=args.joint, random_bits=args.random_bits,
                          K=40 if args.K is None else args.K,
                          F=8.0 if args.F is None else args.F,
                          J=0 if args.J is None else args.J, progress=progress)
    except ValueError as exc:
        parser.error(str(exc))
    s = study.settings
    print(f"Lorenz {'63' if system == 'l63' else '96'}: {s['members']} members, "
          f"{s['time']:g} time units sampled every {s['sample_every']:g} after a "
          f"{s['spinup']:g}-unit spin-up, dt={s['dt']:g}, seed={s['seed']}")
    print(format_results(study.result), end="")
    print(f"({study.seconds:.1f} s)")
    if args.output:
        io.write_dataset(result_dataset(study), args.output,
                         title=f"numprec Lorenz {system} study",
                         provenance=study_provenance(study, argv))
        print(f"wrote {args.output}")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from numprec.verify import plot_w1_vs_bits
        fig = plot_w1_vs_bits(study.result)
        io.save_figure(fig, args.plot)
        plt.close(fig)
        print(f"wrote {args.plot}")
    return 0
