"""The Lorenz study: is the attractor in low precision the attractor in double?

:func:`run_study` integrates an ensemble of trajectories in double precision
(the reference), a second double ensemble from other initial conditions
(the baseline: how different two double-precision climates are), and the
reference ensemble again under each low-precision format and rounding,
every arithmetic operation rounded (:mod:`numprec.emulate`); it compares
each low-precision climate with the double one by the first Wasserstein
distance of every variable, pooled over time and members
(:func:`numprec.verify.verify`) — the study of Paxton et al. (2022,
"Climate modelling in low precision: effects of both deterministic and
stochastic rounding", J. Climate 35, §3).  ``python -m numprec.cases.lorenz``
runs it."""
from __future__ import annotations

import dataclasses
import time as _time

import numpy as np
import xarray as xr

from numprec.cases.lorenz import CASE
from numprec.cases.lorenz.parameters import LorenzParameters

__all__ = ["DEFAULT_FORMATS", "DEFAULT_ROUNDINGS", "DEFAULTS", "Study", "run_study",
           "result_dataset", "study_provenance"]

#: Defaults of the short study run by ``python -m numprec.cases.lorenz``.
DEFAULT_FORMATS = ("e11m6", "e11m8", "e11m10")
DEFAULT_ROUNDINGS = ("nearest_even", "stochastic")
DEFAULTS = {
    "l63": {"members": 1000, "time": 50.0, "dt": 0.01, "spinup": 5.0, "sample_every": 0.1},
    "l96": {"members": 100, "time": 20.0, "dt": 0.005, "spinup": 5.0, "sample_every": 0.1},
}


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


def run_study(system="l63", formats=DEFAULT_FORMATS, roundings=DEFAULT_ROUNDINGS, *,
              members=None, time=None, dt=None, spinup=None, sample_every=None, seed=0,
              joint=False, joint_samples=1000, random_bits=None, K=40, F=8.0, J=0,
              progress=False) -> Study:
    """Run the whole study and return the verifier result.

    Parameters
    ----------
    system : {"l63", "l96"}
    formats : sequence of str or numprec.Format
        Low-precision formats (any registered name or "eXmY").
    roundings : sequence of str
        Rounding schemes; every format is run with each.
    members, time, dt, spinup, sample_every : optional
        Ensemble size, sampled time units, time step, spin-up time units
        (in each run's precision, not sampled) and sampling interval;
        defaults in :data:`DEFAULTS`.  The initial points are spun up in
        double for ``max(spinup, 10)`` time units first.
    seed : int
        Seed of the study: the ensemble runner derives the initial
        conditions of the reference (and experiments) and of the baseline
        and every experiment's rounding seed from it
        (:mod:`numprec.cases.ensemble`).
    joint : bool
        Also compare the joint distribution of all variables (L63 only).
    joint_samples : int
        Kept for compatibility; the ensemble runner's verifier uses its
        default subsample of the joint W1.
    random_bits : int, optional
        Random bits of stochastic rounding.
    K, F, J : Lorenz 96 parameters.
    progress : bool
        Show a tqdm progress bar over the ensemble runner's tasks.

    The runs go through :func:`numprec.cases.ensemble.run_ensemble` (serial
    executor).
    """
    import numprec
    from numprec.cases.ensemble import EnsembleSpec, Experiment, run_ensemble
    from numprec.rounding import resolve_rounding

    if system not in DEFAULTS:
        raise ValueError(f"system must be 'l63' or 'l96', got {system!r}")
    d = DEFAULTS[system]
    members = d["members"] if members is None else members
    if isinstance(members, bool) or not isinstance(members, (int, np.integer)) or members < 2:
        raise ValueError(f"members must be an integer >= 2, got {members!r}")
    time = d["time"] if time is None else time
    dt = d["dt"] if dt is None else dt
    spinup = d["spinup"] if spinup is None else spinup
    sample_every = d["sample_every"] if sample_every is None else sample_every
    params = {"system": system, "time": time, "dt": dt, "spinup": spinup,
              "sample_every": sample_every, "ic_spinup": max(spinup, 10.0)}
    if system == "l96":
        params.update(K=K, F=F, J=J)
    LorenzParameters(**params)                  # bad values: refused before anything runs
    if joint and system != "l63":
        raise ValueError("joint=True is for the Lorenz 63 system (3 variables)")
    fmts = [numprec.get_format(f) if isinstance(f, str) else f for f in formats]
    experiments = [Experiment(f.name, r, random_bits=random_bits if
                              resolve_rounding(r).stochastic else None)
                   for f in fmts for r in roundings]
    spec = EnsembleSpec(CASE, params=params, reference_members=int(members),
                        baseline_members=int(members), members=int(members),
                        experiments=tuple(experiments), seed=seed,
                        joint=("x", "y", "z") if joint else ())
    t0 = _time.perf_counter()
    res = run_ensemble(spec, executor="serial", progress=progress)
    result = res.verdicts
    reference, baseline = res.reference, res.baseline
    experiments = [(e.format, getattr(f, "mantissa_bits", None), e.rounding,
                    res.experiments[e.label])
                   for e, f in zip(experiments, [f for f in fmts for _ in roundings])]
    settings = {"system": system, "members": int(members), "time": float(time),
                "dt": float(dt), "spinup": float(spinup), "sample_every": float(sample_every),
                "seed": seed, "formats": [f.name for f in fmts], "roundings": list(roundings),
                "random_bits": random_bits}
    if system == "l96":
        settings.update(K=K, F=F, J=J)
    return Study(reference, baseline, experiments, result, settings,
                 _time.perf_counter() - t0)


def result_dataset(study: Study) -> xr.Dataset:
    """The verifier result with units on every numeric variable and the
    study's settings as attributes, for :func:`numprec.io.write_dataset`."""
    from numprec import io
    return io.verdict_dataset(study.result, case="lorenz", **study.settings)


def study_provenance(study: Study, argv=None):
    """The :class:`numprec.io.Provenance` of a study's result file.

    ``argv``: the command's arguments (None: this process's command line).
    """
    from numprec import io

    s = study.settings
    params = {k: v for k, v in s.items()
              if k not in ("formats", "roundings", "seed", "random_bits", "members")}
    experiments = [{"label": ds.attrs.get("experiment", f"{fmt} {rounding}"),
                    "format": fmt, "rounding": rounding}
                   for fmt, _, rounding, ds in study.experiments]
    command = io.command_line() if argv is None else io.command_line(
        ["python -m numprec.cases.lorenz", *argv])
    return io.Provenance(case="lorenz", params=params, kind="result", members=s["members"],
                         seed=s["seed"], random_bits=s["random_bits"],
                         experiments=experiments, command=command)
