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
runs it.

Also here: the entry points of the study runner (``model = "lorenz63"`` /
``"lorenz96"`` in a study file), :func:`study_member_l63` and
:func:`study_member_l96`.
"""
from __future__ import annotations

import dataclasses
import time as _time

import numpy as np
import xarray as xr

from numprec.cases.lorenz import CASE, simulate
from numprec.cases.lorenz.parameters import LorenzParameters

__all__ = ["DEFAULT_FORMATS", "DEFAULT_ROUNDINGS", "DEFAULTS", "Study", "run_study",
           "result_dataset", "study_policy", "study_member_l63", "study_member_l96",
           "STUDY_POLICIES"]

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
                              numprec.registry.manager.get_rounding(r).stochastic else None)
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
    """The verifier result with units on every numeric variable, for output."""
    from numprec.cases.output import verdict_dataset
    return verdict_dataset(study.result, study.settings, "lorenz")


# ---------------------------------------------------------------- study runner
#: Policy names a Lorenz study (``grid.policies``) may use.
STUDY_POLICIES = ("all", "kahan", "mixed")
_COMMON_PARAMETERS = {"trajectories": 100, "time": 50.0, "dt": 0.01, "spinup": 5.0,
                      "sample_every": 0.1}


def study_policy(fmt, rounding, name, *, seed=0, random_bits=None):
    """The :class:`numprec.emulate.Policy` and compensation of a named policy.

    ``"all"``: every operation in ``fmt``; ``"kahan"``: the same, with the
    RK4 increment added to the state by Kahan compensated summation (the
    model option ``compensated=True``); ``"mixed"``: the tendencies
    (component ``"tendencies"``) in ``fmt``, the time integration and the
    state in binary32 (Klöwer et al. 2020's mixed precision).

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


def _study_parameters(system_name):
    if system_name == "l63":
        return dict(_COMMON_PARAMETERS)
    return {**_COMMON_PARAMETERS, "K": 40, "F": 8.0, "J": 0}


def _study_member(system_name, params, task):
    allowed = _study_parameters(system_name)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"[model] keys {unknown} are not {system_name} parameters "
                         f"(allowed: {', '.join(allowed)})")
    p = {**allowed, **params}
    policy, compensated = None, False
    if task.format is not None:
        policy, compensated = study_policy(task.format, task.rounding or "nearest_even",
                                           task.policy or "all", seed=task.seed)
    elif task.policy not in (None, "all"):
        raise ValueError(f"policy {task.policy!r} needs a format (double precision runs "
                         "no policy)")
    model = {"system": system_name, "time": float(p["time"]), "dt": float(p["dt"]),
             "spinup": float(p["spinup"]), "sample_every": float(p["sample_every"]),
             "ic_spinup": max(float(p["spinup"]), 10.0), "compensated": compensated,
             **{k: p[k] for k in ("K", "F", "J") if k in p}}
    ds = simulate(model, policy, members=int(p["trajectories"]), ic_seed=task.ic_seed)
    if task.policy is not None:
        ds.attrs["policy"] = task.policy
    # a study member is a batch of trajectories; the runner stacks members
    return ds.rename(member="trajectory")


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
