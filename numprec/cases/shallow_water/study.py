"""The shallow-water ensemble study: is the low-precision climate the double one?

:func:`run_study` spins up a batch of members in double, continues it in
double (the reference), a second double batch from other perturbations (the
baseline) and the reference's spun-up states under each experiment: a
format x rounding x model option (``scale``, ``compensation``) x policy
("all": every operation in the format; "mixed": Klöwer et al. 2020's mixed
precision, tendency components in the format and the rest in binary32).
Each experiment is scored against the reference with the Wasserstein
verifier of Paxton et al. (2022) (:func:`numprec.verify.verify`).  Members
are batched in one leading array dimension, one ``CASE.run`` per ensemble.

Study files (``python -m numprec study``) run the case through
``numprec.cases.shallow_water.CASE`` and the ensemble runner instead.
"""
from __future__ import annotations

import dataclasses
import time as _time

import numpy as np
import xarray as xr

from numprec.cases.shallow_water.experiments import TENDENCY_COMPONENTS
from numprec.cases.shallow_water.params import COMPENSATIONS, ShallowWaterParams
from numprec.cases.shallow_water.run import run_members

__all__ = ["DEFAULTS", "POLICIES", "Experiment", "Study", "make_policy", "run_study",
           "diagnostics_summary", "format_diagnostics"]

#: Policies: every operation in the format, or the tendencies only.
POLICIES = ("all", "mixed")
#: Defaults of ``python -m numprec.cases.shallow_water``.
DEFAULTS = {"formats": ("binary16",), "roundings": ("nearest_even",), "members": 4,
            "days": 30.0, "spinup": 450.0, "sample_every": 1.0, "nx": 50}
#: Baseline initial conditions are drawn with ``ic_seed + BASELINE_SHIFT``.
BASELINE_SHIFT = 1_000_003
_DIAGNOSTICS = ("mean_speed", "max_speed", "energy", "enstrophy")


def make_policy(fmt, rounding="nearest_even", policy="all", *, seed=0):
    """The :class:`numprec.emulate.Policy` of a policy name (see :data:`POLICIES`)."""
    from numprec.emulate import Policy
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")
    if policy == "mixed":
        return Policy("binary32", rounding=rounding, seed=seed,
                      components={c: fmt for c in TENDENCY_COMPONENTS})
    return Policy(fmt, rounding=rounding, seed=seed)


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One experiment of the grid: format, rounding, policy name, model options."""

    format: str
    rounding: str = "nearest_even"
    policy: str = "all"
    scale: float = 1.0
    compensation: str = "none"

    @property
    def label(self) -> str:
        parts = [str(self.format), self.rounding]
        if self.policy != "all":
            parts.append(self.policy)
        if self.scale != 1.0:
            parts.append(f"scale={self.scale:g}")
        if self.compensation != "none":
            parts.append(f"kahan={self.compensation}")
        return " ".join(parts)


@dataclasses.dataclass
class Study:
    """Everything a study produced."""

    reference: xr.Dataset
    baseline: xr.Dataset
    experiments: dict
    result: xr.Dataset
    settings: dict
    seconds: float

    @property
    def diagnostics_table(self) -> str:
        return format_diagnostics(self.reference, self.baseline, self.experiments)


def run_study(experiments, *, members=DEFAULTS["members"], days=DEFAULTS["days"],
              spinup=DEFAULTS["spinup"], sample_every=DEFAULTS["sample_every"],
              nx=DEFAULTS["nx"], seed=0, progress=False, **params) -> Study:
    """Spin up, run and verify the ensembles (see the module docstring).

    Parameters
    ----------
    experiments : sequence of Experiment
    members : int
        Members per ensemble (>= 2), batched in one array dimension.
    days, spinup, sample_every : float
        Days verified, double spin-up days, output interval [days].
    nx : int
        Grid cells in x (50: Δ = 40 km; 100: Δ = 20 km as Klöwer et al.).
    seed : int
        Initial perturbations (reference ``seed``, baseline ``seed +
        BASELINE_SHIFT``) and stochastic rounding.
    **params
        Other :class:`ShallowWaterParams` fields.
    """
    from numprec.verify import Experiment as Scored, verify
    import numprec

    experiments = list(experiments)
    if isinstance(members, bool) or not isinstance(members, (int, np.integer)) or members < 2:
        raise ValueError(f"members must be an integer >= 2, got {members!r}")
    if sample_every > days:
        raise ValueError(f"sample_every={sample_every} must not exceed days={days}")
    for e in experiments:
        if e.compensation not in COMPENSATIONS:
            raise ValueError(f"compensation must be one of {COMPENSATIONS}, got "
                             f"{e.compensation!r}")
        numprec.get_format(e.format)
    base = ShallowWaterParams(nx=nx, **params)
    t0 = _time.perf_counter()
    run = dict(days=days, output_every=sample_every, progress=progress)
    reference = run_members(base, None, members=members, ic_seed=seed, spinup=spinup, **run)
    baseline = run_members(base, None, members=members, ic_seed=seed + BASELINE_SHIFT,
                           spinup=spinup, **run)
    start = tuple(reference[k].values[:, 0] for k in ("u", "v", "eta"))
    t_start = float(reference["time"].values[0])
    results, scored = {}, []
    for i, e in enumerate(experiments):
        p = dataclasses.replace(base, scale=float(e.scale), compensation=e.compensation)
        ds = run_members(p, make_policy(e.format, e.rounding, e.policy, seed=seed + i),
                         members=members, start=start, **run)
        ds = ds.assign_coords(time=ds["time"] + t_start)
        results[e.label] = ds
        f = numprec.get_format(e.format)
        scored.append(Scored(ds.isel(time=slice(1, None)), label=e.label, format=f.name,
                             mantissa_bits=getattr(f, "mantissa_bits", None),
                             rounding=e.rounding))
    result = verify(reference.isel(time=slice(1, None)), baseline.isel(time=slice(1, None)),
                    scored, variables=["u", "v", "eta"], sample_dims=("time", "member"))
    settings = {"members": int(members), "days": float(days), "spinup": float(spinup),
                "sample_every": float(sample_every), "nx": int(nx), "seed": int(seed),
                "experiments": [e.label for e in experiments], **params}
    return Study(reference, baseline, results, result, settings, _time.perf_counter() - t0)


def diagnostics_summary(reference, baseline, experiments) -> list:
    """Time-and-member means of the diagnostics (first output excluded), and
    their relative difference from the double reference."""
    def means(ds):
        ds = ds.isel(time=slice(1, None))
        return {k: float(ds[k].mean()) for k in _DIAGNOSTICS}

    ref = means(reference)
    rows = [{"run": "double (reference)", **ref, "unstable": 0}]
    for label, ds in [("double (baseline)", baseline)] + list(experiments.items()):
        m = means(ds)
        rows.append({"run": label, **m, "unstable": int(np.any(~np.isfinite(ds["u"].values))),
                     **{f"rel_{k}": m[k] / ref[k] - 1 for k in _DIAGNOSTICS}})
    return rows


def format_diagnostics(reference, baseline, experiments) -> str:
    """A text table of :func:`diagnostics_summary`."""
    rows = diagnostics_summary(reference, baseline, experiments)
    head = (f"{'run':<40} {'mean speed':>16} {'max speed':>16} {'energy':>20} "
            f"{'enstrophy':>20}")
    lines = ["diagnostics: mean over verified outputs and members (relative difference "
             "from the double reference)", head, "-" * len(head)]
    for r in rows:
        cells = []
        for k, fmt in (("mean_speed", ".4f"), ("max_speed", ".3f"), ("energy", ".4g"),
                       ("enstrophy", ".4g")):
            rel = f" ({100 * r['rel_' + k]:+.1f}%)" if f"rel_{k}" in r else ""
            cells.append(f"{r[k]:{fmt}}" + rel)
        flag = "  UNSTABLE" if r["unstable"] else ""
        lines.append(f"{r['run']:<40} {cells[0]:>16} {cells[1]:>16} {cells[2]:>20} "
                     f"{cells[3]:>20}{flag}")
    return "\n".join(lines)
