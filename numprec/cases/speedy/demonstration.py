"""A short Paxton-style demonstration: low-precision ensembles against double.

Paxton et al. (2022) ran SPEEDY at N significand bits (double's exponent
range, ``e11mN``) with round-to-nearest and stochastic rounding, from the same
spun-up start states as the first members of a double ensemble, and judged
each ensemble with the first Wasserstein distance (W1) of its pooled
distribution (times x members) against the double one, with the W1 between
two double ensembles from other start states as the threshold
(:func:`numprec.verify.verify`).

Here the same test runs on the dry Held-Suarez core, on zonal-mean u, v, T
(per sigma level and latitude) and p_s (per latitude), W1 averaged with
cos-latitude weights (:func:`numprec.verify.area_weights`, the verifier's
default for a ``lat`` coordinate).  The reference ensemble starts from
members ``0 .. members-1`` of a restart (the shipped ``"held_suarez_T21"``
by default), the baseline from the next ``members`` members, and every
experiment from the reference's states.  Days of 6-hourly samples, a few
members: a demonstration of the machinery sized for a small machine, not
Paxton's 10-year verdicts.
"""
from __future__ import annotations

import time

from numprec.cases.speedy.case import SpeedyParameters, simulate

DEFAULT_FORMATS = ("e11m23", "e11m12", "e11m10")
DEFAULT_ROUNDINGS = ("nearest_even", "stochastic")
#: Zonal-mean fields compared (geopotential follows from T on a flat surface).
FIELDS = ("u", "v", "T", "ps")


def zonal_means(ds):
    """Zonal means of :data:`FIELDS` of a run (dims member, time, [sigma,] lat)."""
    out = ds[list(FIELDS)].mean("lon", keep_attrs=True)
    for name in FIELDS:
        out[name].attrs = dict(ds[name].attrs)
    return out


def run_demonstration(params=None, *, members=3, formats=DEFAULT_FORMATS,
                      roundings=DEFAULT_ROUNDINGS, seed=1, log=None):
    """Run the reference, baseline and experiment ensembles and verify them.

    Parameters
    ----------
    params : dict or SpeedyParameters, optional
        The run (``days``, ``trunc``, ...); ``start`` defaults to the shipped
        ``"held_suarez_T21"``.  With ``start=None`` the members start from rest
        (spun up for ``ic_spinup_days`` in double; reference ``ic_seed`` 0,
        baseline ``ic_seed`` 1).
    members : int
        Members per ensemble (the restart must hold ``2 * members``).
    formats, roundings : sequence of str
        The experiment grid (every format with every rounding).
    seed : int
        Seed of stochastic rounding.
    log : callable, optional
        Called with a line of text after each ensemble.

    Returns
    -------
    result : xarray.Dataset
        :func:`numprec.verify.verify` of the zonal means.
    runs : list of (label, Dataset, seconds)
        Every ensemble's output and wall time (reference first, then baseline).
    """
    import numprec
    from numprec import verify as nv
    from numprec.emulate import Policy

    if isinstance(params, SpeedyParameters):
        params = {f: getattr(params, f) for f in params.__dataclass_fields__}
    params = {"start": "held_suarez_T21", **(params or {})}
    if not isinstance(members, int) or isinstance(members, bool) or members < 1:
        raise ValueError(f"members must be an int >= 1, got {members!r}")
    from_restart = params.get("start") is not None
    first = params.get("start_member", 0)
    runs = []

    def run(label, policy, ic_seed=0, **overrides):
        t0 = time.perf_counter()
        ds = simulate({**params, **overrides}, policy, members=members, label=label,
                      ic_seed=ic_seed)
        runs.append((label, ds, time.perf_counter() - t0))
        if log is not None:
            log(f"{label}: {runs[-1][2]:.1f} s")
        return ds

    if from_restart:
        reference = run("double", None, start_member=first)
        baseline = run("double baseline", None, start_member=first + members)
    else:
        reference = run("double", None, ic_seed=0)
        baseline = run("double baseline", None, ic_seed=1)
    experiments = []
    for fmt in formats:
        bits = numprec.get_format(fmt).mantissa_bits
        for rounding in roundings:
            policy = Policy(fmt, rounding=rounding, seed=seed)
            ds = run(policy.name, policy, start_member=first) if from_restart \
                else run(policy.name, policy, ic_seed=0)
            experiments.append((fmt, bits, rounding, zonal_means(ds)))
    result = nv.verify(zonal_means(reference), zonal_means(baseline), experiments,
                       sample_dims=("time", "member"))
    return result, runs
