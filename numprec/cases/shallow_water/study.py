"""The shallow-water ensemble study: is the low-precision climate the double one?

:func:`ensemble_spec` turns the study's grid -- formats x roundings x policy
("all": every operation in the format; "mixed": Klöwer et al. 2020's mixed
precision, tendency components in the format and the rest in binary32) x
model options (``scale``, ``compensation``) -- into an
:class:`numprec.cases.ensemble.EnsembleSpec`, and :func:`run_study` runs it
with the one ensemble runner (:func:`numprec.cases.ensemble.run_ensemble`):
a double reference, a double baseline from other perturbations and every
experiment from the reference's initial conditions (each member spun up in
double for ``spinup`` days, then integrated ``days`` days in its
precision), scored against the reference with the Wasserstein verifier of
Paxton et al. (2022) (:func:`numprec.verify.verify`).  The results do not
depend on the executor (serial, worker processes or dask).

``python -m numprec.cases.shallow_water`` and study files
(``python -m numprec study``, e.g. ``cases/shallow_water_ridge.toml``) both
run the case this way.
"""
from __future__ import annotations

import dataclasses
import time as _time

import numpy as np
import xarray as xr

from numprec.cases.shallow_water.experiments import TENDENCY_COMPONENTS
from numprec.cases.shallow_water.params import COMPENSATIONS

__all__ = ["DEFAULTS", "POLICIES", "Study", "policy_variant", "ensemble_spec", "run_study",
           "diagnostics_summary", "format_diagnostics"]

#: Policies: every operation in the format, or the tendencies only.
POLICIES = ("all", "mixed")
#: Defaults of ``python -m numprec.cases.shallow_water``.
DEFAULTS = {"formats": ("binary16",), "roundings": ("nearest_even",), "members": 4,
            "days": 30.0, "spinup": 450.0, "sample_every": 1.0, "nx": 50}
_DIAGNOSTICS = ("mean_speed", "max_speed", "energy", "enstrophy")


def policy_variant(policy="all", scale=1.0, compensation="none"):
    """The :class:`numprec.cases.ensemble.PolicyVariant` of a policy name
    (see :data:`POLICIES`) and the model options ``scale`` and ``compensation``.

    Its name -- the experiment label's suffix -- lists what differs from
    ``"all"``, e.g. ``"mixed scale=64 kahan=per_step"``.
    """
    from numprec.cases.ensemble import PolicyVariant

    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")
    if compensation not in COMPENSATIONS:
        raise ValueError(f"compensation must be one of {COMPENSATIONS}, got {compensation!r}")
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)) \
            or not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    parts = [policy] if policy != "all" else []
    if scale != 1.0:
        parts.append(f"scale={scale:g}")
    if compensation != "none":
        parts.append(f"kahan={compensation}")
    settings = {}
    if policy == "mixed":
        settings = {"compute": "binary32",
                    "components": {c: "{format}" for c in TENDENCY_COMPONENTS}}
    return PolicyVariant(" ".join(parts) or "all", params={"scale": float(scale),
                                                           "compensation": compensation},
                         **settings)


def ensemble_spec(formats=DEFAULTS["formats"], roundings=DEFAULTS["roundings"],
                  policies=("all",), scales=(1.0,), compensations=("none",), *,
                  members=DEFAULTS["members"], days=DEFAULTS["days"],
                  spinup=DEFAULTS["spinup"], sample_every=DEFAULTS["sample_every"],
                  nx=DEFAULTS["nx"], seed=0, **params):
    """The :class:`numprec.cases.ensemble.EnsembleSpec` of a study.

    Parameters
    ----------
    formats, roundings : sequence of str
        Every format is run with every rounding scheme ...
    policies, scales, compensations : sequence
        ... under every policy (:data:`POLICIES`) and model option.
    members : int
        Members of the reference, the baseline and every experiment (>= 2),
        batched in one array dimension per ensemble.
    days, spinup, sample_every : float
        Days verified, double spin-up days, output interval [days].
    nx : int
        Grid cells in x (50: Δ = 40 km; 100: Δ = 20 km as Klöwer et al.).
    seed : int
        Root of the runner's seeds: initial perturbations of the reference
        (shared by the experiments) and of the baseline, and the stochastic
        rounding of every experiment (:mod:`numprec.cases.ensemble`).
    **params
        Other :class:`~numprec.cases.shallow_water.ShallowWaterParams` fields.

    The first sample of every ensemble, the shared spun-up state, is not
    verified (``spinup=1`` of the spec).
    """
    import numprec
    from numprec.cases.ensemble import EnsembleSpec, Experiment

    if isinstance(members, bool) or not isinstance(members, (int, np.integer)) or members < 2:
        raise ValueError(f"members must be an integer >= 2, got {members!r}")
    for name, value in (("days", days), ("sample_every", sample_every)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number of days, got {value!r}")
    if not (np.isfinite(spinup) and spinup >= 0):
        raise ValueError(f"spinup must be a number of days >= 0, got {spinup!r}")
    if sample_every > days:
        raise ValueError(f"sample_every={sample_every} must not exceed days={days}")
    for f in formats:
        numprec.get_format(f)
    variants = [policy_variant(p, s, c) for p in policies for s in scales
                for c in compensations]
    experiments = tuple(Experiment(str(f), r, v) for f in formats for r in roundings
                        for v in variants)
    return EnsembleSpec("shallow_water", params={"nx": int(nx), **params},
                        reference_members=int(members), baseline_members=int(members),
                        members=int(members), experiments=experiments, seed=int(seed),
                        run_options={"days": float(days), "spinup": float(spinup),
                                     "output_every": float(sample_every)},
                        variables=("u", "v", "eta"), sample_dims=("time", "member"),
                        spinup=1)


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


def run_study(spec, *, executor="serial", workers=None, scheduler=None,
              progress=False) -> Study:
    """Run and verify the ensembles of ``spec`` (from :func:`ensemble_spec`)
    with :func:`numprec.cases.ensemble.run_ensemble`.

    ``executor``, ``workers``, ``scheduler`` and ``progress`` are the
    runner's; the results do not depend on them.
    """
    from numprec.cases.ensemble import run_ensemble

    t0 = _time.perf_counter()
    res = run_ensemble(spec, executor=executor, workers=workers, scheduler=scheduler,
                       progress=progress)
    ro = spec.run_options
    settings = {"members": spec.members, "days": ro["days"], "spinup": ro["spinup"],
                "sample_every": ro["output_every"], "seed": spec.seed, **spec.params,
                "experiments": [e.label for e in spec.experiments]}
    return Study(res.reference, res.baseline, res.experiments, res.verdicts, settings,
                 _time.perf_counter() - t0)


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
