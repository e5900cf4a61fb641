"""The Lorenz case study: is the attractor in low precision the attractor in double?

``python -m numprec.cases.lorenz`` integrates an ensemble of trajectories of
the Lorenz 63 (or Lorenz 96) system in double precision, a second double
ensemble from other initial conditions (the baseline: how different two
double-precision climates are), and the same ensemble in several
low-precision formats with round-to-nearest and stochastic rounding, every
arithmetic operation rounded (:mod:`numprec.emulate`).  It then compares
each low-precision climate with the double one by the first Wasserstein
distance of every variable, pooled over time and members, and prints the
verdicts of :func:`numprec.verify.verify` — the study of Paxton et al.
(2022, "Climate modelling in low precision: effects of both deterministic
and stochastic rounding", J. Climate 35, §3).

Python API::

    from numprec.cases import lorenz
    study = lorenz.run_study(system="l63", formats=["e11m8"], members=400, time=200)
    print(study.table)
    ds = lorenz.simulate(lorenz.Lorenz63(), members=100, time=50, policy=policy)
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time as _time
from typing import Optional, Sequence

import numpy as np
import xarray as xr

from numprec.cases.cli import (check_grid, check_paths, check_random_bits, format_results,
                                interrupted, sigterm_as_interrupt)
from numprec.cases.lorenz_model import COMPONENTS, Lorenz63, Lorenz96, LorenzSystem

__all__ = ["Lorenz63", "Lorenz96", "LorenzSystem", "COMPONENTS", "make_system",
           "initial_conditions", "integrate", "simulate", "run_study", "Study", "main"]

#: Defaults of the short study run by ``python -m numprec.cases.lorenz``.
DEFAULT_FORMATS = ("e11m6", "e11m8", "e11m10")
DEFAULT_ROUNDINGS = ("nearest_even", "stochastic")
DEFAULTS = {
    "l63": {"members": 1000, "time": 50.0, "dt": 0.01, "spinup": 5.0, "sample_every": 0.1},
    "l96": {"members": 100, "time": 20.0, "dt": 0.005, "spinup": 5.0, "sample_every": 0.1},
}


def make_system(name="l63", *, K=40, F=8.0, J=0) -> LorenzSystem:
    """``"l63"`` -> :class:`Lorenz63`; ``"l96"`` -> :class:`Lorenz96` (K, F, J)."""
    if name == "l63":
        return Lorenz63()
    if name == "l96":
        return Lorenz96(K=K, F=F, J=J)
    raise ValueError(f"system must be 'l63' or 'l96', got {name!r}")


def _steps(value, dt, what):
    n = value / dt
    steps = int(round(n))
    if steps < 0 or abs(n - steps) > 1e-6 * max(1.0, abs(n)):
        raise ValueError(f"{what}={value} must be a non-negative multiple of dt={dt}")
    return steps


def initial_conditions(system: LorenzSystem, members: int, seed: int = 0, *,
                       spinup: float = 10.0, dt: float = 0.01) -> np.ndarray:
    """``members`` independent states on the attractor, shape (nvar, members).

    Random points (``numpy.random.default_rng(seed)``) are integrated in
    double for ``spinup`` time units, so they lie on the attractor and have
    forgotten where they started.
    """
    rng = np.random.default_rng(seed)
    state = system.random_state(members, rng)
    for _ in range(_steps(spinup, dt, "spinup")):
        state = system.step(state, dt)
    return state


@dataclasses.dataclass
class Run:
    """Samples of one integration: ``samples`` (time, nvar, member) float64."""

    times: np.ndarray
    samples: np.ndarray
    unstable: bool


def integrate(system: LorenzSystem, state0, *, dt: float, steps: int, sample_every: int,
              spinup_steps: int = 0, policy=None, progress=None, compensated=False) -> Run:
    """Integrate ``state0`` and sample it every ``sample_every`` steps.

    Parameters
    ----------
    system : LorenzSystem
    state0 : ndarray, shape (nvar, members)
        Initial state (float64).
    dt : float
        Time step.
    steps : int
        Steps after the spin-up; samples are taken at steps
        ``sample_every, 2*sample_every, ...`` of this part.
    sample_every : int
        Steps between samples.
    spinup_steps : int
        Steps integrated (in the same precision) before sampling starts.
    policy : numprec.emulate.Policy, optional
        Run every operation under this policy (the state is converted with
        ``policy.store`` at the start and after every step); None runs plain
        numpy in double.
    progress : tqdm-like, optional
        Its ``update(n)`` is called as steps are done.
    compensated : bool
        Add each RK4 increment to the state with Kahan compensated summation
        (Kahan 1965; the compensation is held, and stored, like the state),
        so increments smaller than half a unit in the last place of the
        state are not lost (Klöwer et al. 2020, §2).

    Returns
    -------
    Run
        If the state becomes NaN or infinite the run stops, the remaining
        samples are NaN and ``unstable`` is True (no exception).
    """
    from numprec.emulate import to_numpy

    nsamples = steps // sample_every
    samples = np.full((nsamples,) + np.shape(state0), np.nan)
    times = dt * sample_every * np.arange(1, nsamples + 1)
    unstable = False
    total = spinup_steps + nsamples * sample_every
    done = 0
    with np.errstate(all="ignore"):
        if policy is None:
            state = np.array(state0, dtype=np.float64)
            store = lambda s: s  # noqa: E731
            ctx = _null()
        else:
            state = policy.store(state0)
            store = policy.store
            ctx = policy
        if compensated:
            comp = [None]

            def step(s):
                if comp[0] is None:
                    comp[0] = s - s
                y = system.increment(s, dt) - comp[0]
                t = store(s + y)
                comp[0] = store((t - s) - y)
                return t
        else:
            step = lambda s: store(system.step(s, dt))  # noqa: E731
        with ctx:
            chunk = max(1, min(sample_every, 1000))
            for i in range(total):
                state = step(state)
                if i + 1 > spinup_steps and (i + 1 - spinup_steps) % sample_every == 0:
                    k = (i + 1 - spinup_steps) // sample_every - 1
                    values = to_numpy(state)
                    if not np.all(np.isfinite(values)):
                        unstable = True
                        break
                    samples[k] = values
                elif (i + 1) % 1000 == 0 and not np.all(np.isfinite(to_numpy(state))):
                    unstable = True
                    break
                if progress is not None and (i + 1) % chunk == 0:
                    progress.update(chunk)
                    done += chunk
    if progress is not None and total > done:
        progress.update(total - done)
    return Run(times, samples, unstable)


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def to_dataset(system: LorenzSystem, run: Run, *, label: str = "double", attrs=None):
    """An xarray Dataset of a run: one variable per model variable, dims
    (time, member) (and ``k``/``i`` for Lorenz 96), with units."""
    members = run.samples.shape[-1]
    coords = {
        "time": ("time", run.times, {"units": "1", "long_name": "model time",
                                     "description": "nondimensional time units"}),
        "member": ("member", np.arange(members), {"units": "1",
                                                   "long_name": "ensemble member"}),
    }
    data_vars = {}
    for name, values in system.variables(run.samples).items():
        long = {"x": "Lorenz 63 x", "y": "Lorenz 63 y", "z": "Lorenz 63 z",
                "X": "Lorenz 96 slow variable", "Y": "Lorenz 96 fast variable"}[name]
        attrs_v = {"units": "1", "long_name": long}
        if values.ndim == 2:
            data_vars[name] = (("time", "member"), values, attrs_v)
        else:
            dim = "k" if name == "X" else "i"
            coords[dim] = (dim, np.arange(values.shape[1]), {"units": "1",
                                                              "long_name": f"{name} index"})
            data_vars[name] = (("time", dim, "member"), values, attrs_v)
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs.update({"experiment": label, "unstable": int(run.unstable)})
    ds.attrs.update(attrs or {})
    return ds


def simulate(system: LorenzSystem, *, members: int = 100, time: float = 50.0,
             dt: float = 0.01, spinup: float = 5.0, sample_every: float = 0.1,
             seed: int = 0, policy=None, state0=None, progress=None,
             compensated: bool = False) -> xr.Dataset:
    """Initial conditions + :func:`integrate` + :func:`to_dataset`.

    ``state0`` defaults to :func:`initial_conditions` (``seed``; spun up in
    double for ``max(spinup, 10)`` time units); then ``spinup`` more time
    units are integrated under ``policy`` before sampling ``time`` units
    every ``sample_every``; ``compensated``: Kahan-compensated time stepping
    (:func:`integrate`).
    """
    if state0 is None:
        state0 = initial_conditions(system, members, seed, spinup=max(spinup, 10.0), dt=dt)
    every = _steps(sample_every, dt, "sample_every")
    if every < 1:
        raise ValueError(f"sample_every={sample_every} must be at least one step (dt={dt})")
    run = integrate(system, state0, dt=dt, steps=_steps(time, dt, "time"), sample_every=every,
                    spinup_steps=_steps(spinup, dt, "spinup"), policy=policy,
                    progress=progress, compensated=compensated)
    label = "double" if policy is None else policy.name
    return to_dataset(system, run, label=label)


@dataclasses.dataclass
class Study:
    """Everything a study produced."""

    reference: xr.Dataset
    baseline: xr.Dataset
    experiments: list
    result: xr.Dataset
    settings: dict
    seconds: float

    @property
    def table(self) -> str:
        from numprec.verify import to_text
        return to_text(self.result)


def _format_bits(fmt):
    return getattr(fmt, "mantissa_bits", None)


def run_study(system="l63", formats=DEFAULT_FORMATS, roundings=DEFAULT_ROUNDINGS, *,
              members=None, time=None, dt=None, spinup=None, sample_every=None, seed=0,
              joint=False, joint_samples=1000, random_bits=None, K=40, F=8.0, J=0,
              progress=False) -> Study:
    """Run the whole study and return the verifier result.

    Parameters
    ----------
    system : {"l63", "l96"} or LorenzSystem
    formats : sequence of str or numprec.Format
        Low-precision formats (any registered name or "eXmY").
    roundings : sequence of str
        Rounding schemes; every format is run with each.
    members, time, dt, spinup, sample_every : optional
        Ensemble size, sampled time units, time step, spin-up time units
        (in each run's precision, not sampled) and sampling interval;
        defaults in :data:`DEFAULTS`.
    seed : int
        Seeds the initial conditions (reference: ``seed``; baseline: a
        different stream of it) and the policies' random numbers.
    joint : bool
        Also compare the joint distribution of all variables (L63 only).
    joint_samples : int
        Subsample size of the joint W1 (cost grows like its cube).
    random_bits : int, optional
        Random bits of stochastic rounding.
    K, F, J : Lorenz 96 parameters.
    progress : bool
        Show a tqdm progress bar over all integrations.
    """
    import numprec
    from numprec.emulate import Policy
    from numprec.verify import verify

    if isinstance(system, str):
        name = system
        system = make_system(system, K=K, F=F, J=J)
    else:
        name = "l63" if isinstance(system, Lorenz63) else "l96"
    d = DEFAULTS[name]
    members = d["members"] if members is None else members
    time = d["time"] if time is None else time
    dt = d["dt"] if dt is None else dt
    spinup = d["spinup"] if spinup is None else spinup
    sample_every = d["sample_every"] if sample_every is None else sample_every
    _check_positive(members=members, time=time, dt=dt, sample_every=sample_every)
    if spinup < 0:
        raise ValueError(f"spinup must be >= 0, got {spinup}")
    if not isinstance(members, (int, np.integer)) or members < 2:
        raise ValueError(f"members must be an integer >= 2, got {members!r}")
    fmts = [numprec.get_format(f) if isinstance(f, str) else f for f in formats]
    policies = [Policy(f, rounding=r, seed=seed,
                       random_bits=random_bits if numprec.registry.manager.get_rounding(r).stochastic
                       else None)
                for f in fmts for r in roundings]
    for p in policies:
        p.check_components(COMPONENTS)

    every = _steps(sample_every, dt, "sample_every")
    steps = _steps(time, dt, "time")
    spin = _steps(spinup, dt, "spinup")
    ic_spinup = max(spinup, 10.0)
    if every < 1 or steps // max(every, 1) < 1:
        raise ValueError(f"time={time} must hold at least one sample every {sample_every}")
    total = (2 + len(policies)) * (spin + (steps // every) * every)
    bar = _progress_bar(total, progress)
    t0 = _time.perf_counter()
    try:
        ic_ref = initial_conditions(system, members, seed, spinup=ic_spinup, dt=dt)
        ic_base = initial_conditions(system, members, [seed, 1], spinup=ic_spinup, dt=dt)
        kw = dict(dt=dt, steps=steps, sample_every=every, spinup_steps=spin, progress=bar)
        reference = to_dataset(system, integrate(system, ic_ref, **kw), label="double")
        baseline = to_dataset(system, integrate(system, ic_base, **kw), label="double baseline")
        experiments = []
        for p in policies:
            run = integrate(system, ic_ref, policy=p, **kw)
            ds = to_dataset(system, run, label=p.name)
            experiments.append((p.compute.name, _format_bits(p.compute), p.rounding.name, ds))
    finally:
        if bar is not None:
            bar.close()
    score = {"sample_dims": ("time", "member")}
    if joint:
        if name != "l63":
            raise ValueError("joint=True is for the Lorenz 63 system (3 variables)")
        score.update(joint=[("x", "y", "z")], joint_samples=joint_samples)
    result = verify(reference, baseline, experiments, **score)
    settings = {"system": name, "members": int(members), "time": float(time), "dt": float(dt),
                "spinup": float(spinup), "sample_every": float(sample_every), "seed": seed,
                "formats": [f.name for f in fmts], "roundings": list(roundings),
                "random_bits": random_bits}
    if name == "l96":
        settings.update(K=K, F=F, J=J)
    return Study(reference, baseline, experiments, result, settings,
                 _time.perf_counter() - t0)


def _check_positive(**values):
    for k, v in values.items():
        if not (isinstance(v, (int, float, np.integer, np.floating)) and np.isfinite(v) and v > 0):
            raise ValueError(f"{k} must be a positive number, got {v!r}")


def _progress_bar(total, enabled):
    if not enabled:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="step", desc="lorenz", leave=False)


# --------------------------------------------------------------------- CLI
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
    p.add_argument("--format", dest="formats", action="append", metavar="FMT",
                   help="low-precision format, repeatable: a registered name (fp16, bf16, "
                        "float8_e4m3fn, ...) or eXmY (e11m8: 11 exponent bits, 8 mantissa "
                        f"bits); default {' '.join(DEFAULT_FORMATS)}")
    p.add_argument("--rounding", dest="roundings", action="append", metavar="MODE",
                   help="rounding scheme, repeatable (nearest_even, stochastic, toward_zero, "
                        f"...); default {' '.join(DEFAULT_ROUNDINGS)}")
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
    p.add_argument("--output", metavar="FILE.nc", help="write the verdicts, W1 values and "
                                                        "provenance to this NetCDF file")
    p.add_argument("--plot", metavar="FILE.png", help="save W1 against mantissa bits (any "
                                                       "extension matplotlib saves)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace existing --output/--plot files (default: refuse)")
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


def result_dataset(study: Study) -> xr.Dataset:
    """The verifier result with units on every numeric variable, for output."""
    from numprec.cases.output import verdict_dataset
    return verdict_dataset(study.result, study.settings, "lorenz")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit status (130 after Ctrl-C)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _validate(args, parser)
    try:
        return _run(args, parser, argv)
    except KeyboardInterrupt:
        return interrupted()


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
        from numprec.cases.output import provenance_attrs, write_netcdf
        prov = provenance_attrs(formats=s["formats"], rounding=s["roundings"], seed=args.seed,
                                argv=None if argv is None else ["python -m numprec.cases.lorenz",
                                                                *argv],
                                extra={"settings": s})
        write_netcdf(result_dataset(study), args.output,
                     title=f"numprec Lorenz {system} study", provenance=prov)
        print(f"wrote {args.output}")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from numprec.cases.output import save_figure
        from numprec.verify import plot_w1_vs_bits
        fig = plot_w1_vs_bits(study.result)
        save_figure(fig, args.plot)
        plt.close(fig)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sigterm_as_interrupt()
    sys.exit(main())


# ---------------------------------------------------------------- study runner
#: Policy names a Lorenz study (``grid.policies``) may use.
STUDY_POLICIES = ("all", "kahan", "mixed")
_COMMON_PARAMETERS = {"trajectories": 100, "time": 50.0, "dt": 0.01, "spinup": 5.0,
                      "sample_every": 0.1}


def study_policy(fmt, rounding, name, *, seed=0, random_bits=None):
    """The :class:`numprec.emulate.Policy` and compensation of a named policy.

    ``"all"``: every operation in ``fmt``; ``"kahan"``: the same, with the
    RK4 increment added to the state by Kahan compensated summation;
    ``"mixed"``: the tendencies (component ``"tendencies"``) in ``fmt``, the
    time integration and the state in binary32 (Klöwer et al. 2020's mixed
    precision).

    Returns
    -------
    (Policy, bool)
        The policy and whether the time stepping is compensated.
    """
    from numprec.emulate import Policy

    if name not in STUDY_POLICIES:
        raise ValueError(f"policy {name!r} is not a Lorenz policy; expected one of "
                         f"{', '.join(STUDY_POLICIES)}")
    if name == "mixed":
        return Policy("binary32", rounding=rounding, seed=seed, random_bits=random_bits,
                      components={"tendencies": fmt}), False
    return Policy(fmt, rounding=rounding, seed=seed, random_bits=random_bits), name == "kahan"


def _study_member(system_name, params, task):
    allowed = _study_parameters(system_name)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"[model] keys {unknown} are not {system_name} parameters "
                         f"(allowed: {', '.join(allowed)})")
    p = {**allowed, **params}
    sys_kw = {k: p[k] for k in ("K", "F", "J") if k in p}
    system = make_system(system_name, **sys_kw)
    policy, compensated = None, False
    if task.format is not None:
        policy, compensated = study_policy(task.format, task.rounding or "nearest_even",
                                           task.policy or "all", seed=task.seed)
    elif task.policy not in (None, "all"):
        raise ValueError(f"policy {task.policy!r} needs a format (double precision runs "
                         "no policy)")
    ds = simulate(system, members=int(p["trajectories"]), time=float(p["time"]),
                  dt=float(p["dt"]), spinup=float(p["spinup"]),
                  sample_every=float(p["sample_every"]), seed=task.ic_seed, policy=policy,
                  compensated=compensated)
    if task.policy is not None:
        ds.attrs["policy"] = task.policy
    # a study member is a batch of trajectories; the runner stacks members
    return ds.rename(member="trajectory")


def _study_parameters(system_name):
    if system_name == "l63":
        return dict(_COMMON_PARAMETERS)
    return {**_COMMON_PARAMETERS, "K": 40, "F": 8.0, "J": 0}


def study_member_l63(params, task):
    """Study-runner entry point (``model = "lorenz63"``): one member is a
    batch of ``trajectories`` Lorenz-63 trajectories (dim "trajectory").

    ``params`` keys and defaults: :attr:`study_member_l63.parameters`;
    policies (``task.policy``): :data:`STUDY_POLICIES` (see :func:`study_policy`).
    """
    return _study_member("l63", params, task)


def study_member_l96(params, task):
    """Study-runner entry point (``model = "lorenz96"``); as
    :func:`study_member_l63` with the Lorenz-96 parameters K, F, J (the
    fast variable ``Y`` is output only when J > 0)."""
    return _study_member("l96", params, task)


study_member_l63.parameters = _study_parameters("l63")
study_member_l63.policies = STUDY_POLICIES
study_member_l63.variables = ("x", "y", "z")
study_member_l96.parameters = _study_parameters("l96")
study_member_l96.policies = STUDY_POLICIES
study_member_l96.variables = ("X", "Y")
