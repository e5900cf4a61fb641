"""Shallow-water flow over a ridge in low precision: does Float16 need rescaling?

``python -m numprec.cases.shallow_water`` spins up the wind-driven channel of
Klöwer et al. (2020) in double precision, then continues an ensemble of
members in double (the reference), a second double ensemble from other
initial conditions (the baseline), and the reference members with every
arithmetic operation rounded to a low-precision format (default e5m10, the
range and precision of IEEE Float16) under several *policies*: plain, with
the prognostic variables rescaled by 2^6, with Kahan-compensated time
integration, and both.  Each low-precision climate is compared with the
double one by the Wasserstein verifier of Paxton et al. (2022)
(:func:`numprec.verify.verify`), and the diagnostics (energy, enstrophy,
mean and maximum speed) are printed against double.

Python API::

    from numprec.cases import shallow_water as sw
    ds = sw.simulate("e5m10", days=30, spinup=100, nx=50, ic_seed=1)
    ds = sw.simulate(policy=Policy("fp32", components={"tendencies": "fp16"}),
                     days=30, nx=50)

Policies (``grid.policies`` of a study file, ``--policy`` of the command line)
-----------------------------------------------------------------------------
``all``
    Every operation rounded to the format, prognostic variables unscaled.
``scaled``
    Every operation rounded; u and v held multiplied by 2^6 (Klöwer et al.'s
    rescaling; η unscaled, as in ShallowWaters.jl).
``kahan``
    Every operation rounded; every increment added to u, v, η with Kahan
    compensated summation (compensations held in the same format).
``scaled_kahan``
    Both.
``mixed``
    Klöwer et al.'s mixed precision: the tendencies (advection, Coriolis,
    pressure gradient, forcing, drag, viscosity) are computed in the format;
    the time integration (RK4 stages and sums) and the prognostic variables
    are in binary32.

What is measured (see docs/shallow_water.md): in this model's formulation
(tendencies multiplied by Δ, as in ShallowWaters.jl) Float16's range is not
what limits it; round-to-nearest loses the small increments that the wind
adds each step (a slower spin-up, weaker jet), scaling by 2^6 does not change
that, and Kahan compensation or stochastic rounding remove it.

References
----------
Klöwer, M., Düben, P. D. & Palmer, T. N. (2020). Number formats, error
mitigation, and scope for 16-bit arithmetics in weather and climate modeling
analyzed with a shallow water model. J. Adv. Model. Earth Syst. 12,
e2020MS002246.

Paxton, E. A., Chantry, M., Klöwer, M., Saffin, L. & Palmer, T. (2022).
Climate modelling in low precision: effects of both deterministic and
stochastic rounding. J. Climate 35, 1215-1229.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
import time as _time
from typing import Optional, Sequence

import numpy as np
import xarray as xr

from numprec.cases.shallow_water_model import (
    SECONDS_PER_DAY,
    ShallowWaterModel,
    ShallowWaterParams,
    SWState,
    diagnostics,
)
from numprec.cases.cli import (WorkerPool, check_grid, check_paths, format_results,
                                interrupted, sigterm_as_interrupt)
from numprec.cases.output import provenance_attrs, save_figure, verdict_dataset, write_netcdf
from numprec.study.tasks import BASELINE_SEED_SHIFT

__all__ = ["COMPONENTS", "POLICIES", "SCALE", "DEFAULTS", "simulate", "study_member",
           "make_policy", "run_study", "Study", "main"]

#: Model components that a :class:`numprec.emulate.Policy` may configure.
COMPONENTS = ("tendencies",)
#: Rescaling factor of the "scaled" policies (Klöwer et al. 2020: 2^6 for Float16).
SCALE = 2.0 ** 6
#: Named policies: (scale, compensated, mixed).  See the module docstring.
POLICIES = {
    "all": (False, False, False),
    "scaled": (True, False, False),
    "kahan": (False, True, False),
    "scaled_kahan": (True, True, False),
    "mixed": (False, False, True),
}
#: Defaults of the short study run by ``python -m numprec.cases.shallow_water``.
DEFAULTS = {"formats": ("e5m10",), "roundings": ("nearest_even",),
            "policies": ("all", "scaled", "kahan", "scaled_kahan"),
            "members": 4, "days": 30.0, "spinup": 450.0, "sample_every": 1.0, "nx": 50}
#: Standard deviation [m] of the random η perturbation that makes members differ.
PERTURBATION = 0.01
_FIELDS = {f.name for f in dataclasses.fields(ShallowWaterParams)}


class _MarkedModel(ShallowWaterModel):
    """The model with its tendency computations marked as the emulation
    component ``"tendencies"`` (the right-hand side of the RK4 stages and the
    drag/viscosity step), so that a policy can compute them in another format
    than the time integration.  Plain numpy runs are unaffected."""

    def _rhs(self, u, v, eta):
        from numprec.emulate import component
        with component("tendencies", like=u):
            return super()._rhs(u, v, eta)

    def _dissipation(self, u, v, eta):
        from numprec.emulate import component
        with component("tendencies", like=u):
            return super()._dissipation(u, v, eta)


def _model(params: dict, **overrides) -> _MarkedModel:
    unknown = sorted(set(params) - _FIELDS)
    if unknown:
        raise ValueError(f"params: unknown shallow-water parameter(s) {unknown}; expected "
                         f"fields of ShallowWaterParams: {sorted(_FIELDS)}")
    return _MarkedModel(ShallowWaterParams(**{**params, **overrides}))


def make_policy(fmt, rounding="nearest_even", policy="all", *, seed=0, scale=SCALE):
    """The :class:`numprec.emulate.Policy` and model options of a named policy.

    Returns
    -------
    (Policy, dict)
        The policy (``mixed``: binary32 with a ``tendencies`` component in
        ``fmt``) and ``{"scale": ..., "compensated": ...}`` for :func:`simulate`;
        ``scale`` is the factor of the "scaled" policies.
    """
    from numprec.emulate import Policy
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {sorted(POLICIES)}, got {policy!r}")
    scaled, compensated, mixed = POLICIES[policy]
    if mixed:
        pol = Policy("binary32", rounding=rounding, seed=seed, components={"tendencies": fmt})
    else:
        pol = Policy(fmt, rounding=rounding, seed=seed)
    return pol, {"scale": float(scale) if scaled else 1.0, "compensated": compensated}


def _store(policy, state):
    return SWState(*(None if f is None else policy.store(f) for f in state))


def _last_state(model, ds):
    """Physical (u, v, eta) float64 arrays of the final time of a Dataset."""
    try:
        last = ds.isel(time=-1)
        u, v, eta = (np.asarray(last[n].values, dtype=np.float64) for n in ("u", "v", "eta"))
    except (KeyError, ValueError, AttributeError) as exc:
        raise ValueError(f"restart must be a Dataset from simulate() with u, v, eta and a "
                         f"time dimension: {exc}") from None
    model._check_shapes(u, v, eta)
    return u, v, eta, float(ds["time"].values[-1])


def _integrate(model, state, days, output_every, policy):
    """Integrate from the physical ``state``; returns (times [s], u, v, eta, unstable).

    Snapshots at the start, every ``output_every`` days and at the end (float64,
    physical units).  A non-finite state stops the run; the remaining
    snapshots are NaN.
    """
    nsteps = int(round(days * SECONDS_PER_DAY / model.dt))
    nout = max(1, int(round(output_every * SECONDS_PER_DAY / model.dt)))
    steps = sorted(set(range(0, nsteps + 1, nout)) | {nsteps})
    shape_u, shape_v = state[0].shape, state[1].shape
    us = np.full((len(steps),) + shape_u, np.nan)
    vs = np.full((len(steps),) + shape_v, np.nan)
    etas = np.full((len(steps),) + state[2].shape, np.nan)
    unstable = False
    with np.errstate(all="ignore"):
        if policy is None:
            st = model.to_internal(*state)
            advance = model.step
            ctx = _Null()
        else:
            with policy:
                st = model.to_internal(*(policy.store(f) for f in state))
            advance = lambda s: _store(policy, model.step(s))  # noqa: E731
            ctx = policy
        with ctx:
            k = 0
            for i in range(nsteps + 1):
                if i > 0:
                    st = advance(st)
                if i == steps[k]:
                    u, v, eta = model.to_physical(st)
                    if not (np.all(np.isfinite(u)) and np.all(np.isfinite(v))
                            and np.all(np.isfinite(eta))):
                        unstable = True
                        break
                    us[k], vs[k], etas[k] = u, v, eta
                    k += 1
    return np.array(steps) * model.dt, us, vs, etas, unstable


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def simulate(fmt=None, rounding="nearest_even", *, days, output_every=1.0, seed=0, ic_seed=0,
             scale=1.0, compensated=False, policy=None, spinup=0.0,
             perturbation=PERTURBATION, restart=None, **params) -> xr.Dataset:
    """Run one ensemble member; ``fmt=None`` (and no ``policy``) is double precision.

    Parameters
    ----------
    fmt : str or numprec.Format, optional
        Every arithmetic operation of the model is rounded to this format with
        ``rounding`` (:mod:`numprec.emulate`); the model's constant arrays are
        rounded once (nearest) on entry.
    rounding : str
        Rounding scheme of every operation.
    days : float
        Days integrated in the run's precision (after ``spinup``).
    output_every : float
        Output interval [days]; the start and the end are always included.
    seed : int
        Key of stochastic rounding.
    ic_seed : int
        Seed of the initial η perturbation (ensemble members differ by it).
    scale : float
        u and v are held multiplied by ``scale`` (Klöwer et al. 2020: 2^6).
    compensated : bool
        Kahan-compensated addition of every increment to u, v, η.
    policy : numprec.emulate.Policy, optional
        Use this policy instead of ``fmt``/``rounding``/``seed`` (e.g. a mixed
        setup ``Policy("fp32", components={"tendencies": "fp16"})``; the only
        component is ``"tendencies"``: the right-hand side of the RK4 stages,
        bottom drag and viscosity; the time integration uses the root
        settings).  The prognostic state is rounded to ``policy.storage``
        after every step.
    spinup : float
        Days integrated first, in double precision, from the perturbed state
        of rest (not in the output); the run then starts from the spun-up state.
    perturbation : float
        Standard deviation [m] of the mean-free random η added to the state of
        rest (:meth:`ShallowWaterModel.initial_state`).
    restart : xarray.Dataset, optional
        Start from the final state (and time) of a previous :func:`simulate`
        result instead of the perturbed state of rest.  The grid (``nx``) is
        taken from the restart unless given; other parameters are not.
    **params
        Fields of :class:`ShallowWaterParams` (``nx``, ``nu``, ``wind_stress``, ...).

    Returns
    -------
    xarray.Dataset
        ``u`` (time, y, x_u), ``v`` (time, y_v, x) at the interior v-points,
        ``eta`` (time, y, x) on the Arakawa C-grid, in m/s and m; time series
        ``energy``, ``enstrophy``, ``mean_speed``, ``max_speed``, ``mass``
        (:func:`~numprec.cases.shallow_water_model.diagnostics`); time in days
        since the start from rest; provenance attributes, ``unstable`` (1 if
        the run produced NaN/inf: the remaining outputs are NaN).
    """
    if fmt is not None and policy is not None:
        raise ValueError("give either fmt (with rounding and seed) or policy, not both")
    for name, value in (("days", days), ("output_every", output_every), ("spinup", spinup)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value) or value < 0 or (name == "output_every" and value == 0):
            raise ValueError(f"{name} must be a finite number of days "
                             f"({'> 0' if name == 'output_every' else '>= 0'}), got {value!r}")
    if isinstance(compensated, (int, np.integer)) and not isinstance(compensated, bool):
        compensated = bool(compensated)
    if not isinstance(compensated, bool):
        raise ValueError(f"compensated must be True or False, got {compensated!r}")
    if fmt is not None:
        from numprec.emulate import Policy
        policy = Policy(fmt, rounding=rounding, seed=seed)
    if policy is not None:
        policy.check_components(COMPONENTS)
    if restart is not None and "nx" not in params and "x" in getattr(restart, "sizes", {}):
        params = dict(params, nx=int(restart.sizes["x"]))
    model = _model(params, scale=scale, compensated=compensated)
    double = _model(params)

    if restart is not None:
        u, v, eta, t0 = _last_state(model, restart)
        t0 *= SECONDS_PER_DAY
    else:
        u, v, eta = model.initial_state(perturbation, seed=ic_seed)[:3]
        t0 = 0.0
    if spinup > 0:
        times, us, vs, etas, bad = _integrate(double, (u, v, eta), spinup, spinup, None)
        if bad:
            raise RuntimeError(f"the double-precision spin-up became unstable within "
                               f"{spinup} days; check the parameters {params}")
        u, v, eta = us[-1], vs[-1], etas[-1]
        t0 += times[-1]
    run_model = model if policy is None else model.map_constants(policy.constant)
    times, us, vs, etas, unstable = _integrate(run_model, (u, v, eta), days, output_every,
                                               policy)

    settings = {"nx": model.nx, "ny": model.ny, "dx": model.dx, "dt": model.dt,
                "days": float(days), "spinup": float(spinup), "output_every": float(output_every),
                "scale": float(scale), "compensated": int(compensated), "ic_seed": int(ic_seed),
                "perturbation": float(perturbation),
                "restarted": int(restart is not None)}
    attrs = provenance_attrs(
        formats=None if policy is None else _policy_formats(policy),
        rounding=None if policy is None else policy.rounding.name,
        seed=None if policy is None else policy.seed, policy=policy,
        extra={"case": "shallow_water", "experiment": "double" if policy is None else policy.name,
               "unstable": int(unstable), "model_parameters": dataclasses.asdict(model.params),
               **settings})
    return _to_dataset(model, (t0 + times) / SECONDS_PER_DAY, us, vs, etas, attrs)


def _policy_formats(policy):
    fmts = [policy.compute]
    if policy.storage != policy.compute:
        fmts.append(policy.storage)
    for name in policy.components:
        comp = policy.component(name)
        for f in (comp.compute, comp.storage):
            if f not in fmts:
                fmts.append(f)
    return fmts


def _to_dataset(model, days, us, vs, etas, attrs) -> xr.Dataset:
    with np.errstate(all="ignore"):
        diag = diagnostics(model, us, vs, etas)
    speed = {"units": "m s-1"}
    data = {
        "u": (("time", "y", "x_u"), us, {"units": "m s-1", "standard_name": "sea_water_x_velocity",
                                          "long_name": "zonal velocity (C-grid u-points)"}),
        "v": (("time", "y_v", "x"), vs, {"units": "m s-1", "standard_name": "sea_water_y_velocity",
                                          "long_name": "meridional velocity (interior C-grid "
                                                       "v-points; zero on the walls)"}),
        "eta": (("time", "y", "x"), etas,
                {"units": "m", "standard_name": "sea_surface_height_above_geoid",
                 "long_name": "surface elevation above rest"}),
        "energy": ("time", diag["energy"],
                   {"units": "m5 s-2", "long_name": "total energy divided by density",
                    "description": "sum over cells of (h K + g eta^2/2) dx^2"}),
        "enstrophy": ("time", diag["enstrophy"],
                      {"units": "m s-2", "long_name": "potential enstrophy",
                       "description": "sum over corners of h q^2/2 dx^2"}),
        "mean_speed": ("time", diag["mean_speed"], {**speed, "long_name": "mean speed"}),
        "max_speed": ("time", diag["max_speed"], {**speed, "long_name": "maximum speed"}),
        "mass": ("time", diag["mass"], {"units": "m3", "long_name": "volume anomaly",
                                         "description": "sum of eta dx^2 (conserved)"}),
    }
    coords = {
        "time": ("time", days, {"units": "days", "long_name": "time since the start from rest"}),
        "x": ("x", model.x_T, {"units": "m", "axis": "X", "long_name": "x of cell centres"}),
        "x_u": ("x_u", model.x_u, {"units": "m", "long_name": "x of u-points (west faces)"}),
        "y": ("y", model.y_T, {"units": "m", "axis": "Y", "long_name": "y of cell centres"}),
        "y_v": ("y_v", model.y_v, {"units": "m", "long_name": "y of interior v-points"}),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def study_member(params: dict, task) -> xr.Dataset:
    """Study-runner entry point (``model = "shallow_water"``).

    ``params`` (the study's ``[model]`` table): ``days`` (required),
    ``output_every`` (default 1), ``spinup`` (double-precision spin-up days,
    default 0), ``perturbation`` and any :class:`ShallowWaterParams` field
    except ``scale`` and ``compensated`` (set those through the policy names
    in :data:`POLICIES`).  ``task.ic_seed`` seeds the initial perturbation,
    ``task.seed`` stochastic rounding; ``task.format`` None is double.
    """
    params = dict(params)
    for key in ("scale", "compensated"):
        if key in params:
            raise ValueError(f"[model] {key}: set scaling/compensation through grid.policies "
                             f"({', '.join(POLICIES)}), not as a model parameter")
    unknown = sorted(set(params) - set(study_member.parameters))
    if unknown:
        raise ValueError(f"[model] keys {unknown} are not shallow-water parameters "
                         f"(allowed: {', '.join(study_member.parameters)})")
    params.setdefault("days", DEFAULTS["days"])
    if task.format is None:
        if task.policy not in (None, "all"):
            raise ValueError(f"policy {task.policy!r} needs a format (double precision runs "
                             "no policy)")
        return simulate(None, ic_seed=task.ic_seed, **params)
    policy, options = make_policy(task.format, task.rounding or "nearest_even",
                                  task.policy or "all", seed=task.seed)
    return simulate(policy=policy, ic_seed=task.ic_seed, **options, **params)


study_member.parameters = {
    "days": DEFAULTS["days"], "output_every": 1.0, "spinup": 0.0, "perturbation": PERTURBATION,
    **{f.name: f.default for f in dataclasses.fields(ShallowWaterParams)
       if f.name not in ("scale", "compensated")}}
study_member.policies = tuple(POLICIES)
study_member.variables = ("u", "v", "eta", "energy", "enstrophy", "mean_speed", "max_speed",
                          "mass")


# ----------------------------------------------------------------- the study
@dataclasses.dataclass
class Study:
    """Everything a command-line study produced."""

    reference: xr.Dataset
    baseline: xr.Dataset
    experiments: dict
    result: xr.Dataset
    settings: dict
    seconds: float

    @property
    def table(self) -> str:
        from numprec.verify import to_text
        return to_text(self.result)

    @property
    def diagnostics_table(self) -> str:
        return format_diagnostics(self.reference, self.baseline, self.experiments)


def _member(args):
    """One member of the command-line study (run in a worker process)."""
    label, fmt, rounding, policy_name, seed, ic_seed, restart, run, scale = args
    import numprec
    numprec.set_num_threads(1)
    if fmt is None:
        ds = simulate(None, ic_seed=ic_seed, restart=restart, **run)
    else:
        policy, options = make_policy(fmt, rounding, policy_name, seed=seed, scale=scale)
        ds = simulate(policy=policy, ic_seed=ic_seed, restart=restart, **options, **run)
    return label, ds


def _experiment_label(fmt, rounding, policy):
    return f"{fmt} {rounding}" + ("" if policy == "all" else f" {policy}")


def run_study(formats=DEFAULTS["formats"], roundings=DEFAULTS["roundings"],
              policies=DEFAULTS["policies"], *, members=DEFAULTS["members"],
              days=DEFAULTS["days"], spinup=DEFAULTS["spinup"],
              sample_every=DEFAULTS["sample_every"], nx=DEFAULTS["nx"], seed=0, scale=SCALE,
              workers=2, progress=False, **params) -> Study:
    """Spin up, run and verify the ensembles; see the module docstring.

    Every double member (reference and baseline, from different perturbation
    seeds) is spun up in double for ``spinup`` days and continued for
    ``days``: exactly ``simulate(ic_seed=..., spinup=spinup, days=days)``, as a
    study file's member.  The reference members' spun-up states are the
    initial states of every experiment (the spin-up is not repeated).  The
    first output (that shared initial state) is not verified.

    Parameters
    ----------
    formats, roundings, policies : sequences of str
        The experiment grid (policy names in :data:`POLICIES`).
    members : int
        Members per ensemble (>= 2).
    days, spinup, sample_every : float
        Days verified, double spin-up days, output interval [days].
    nx : int
        Grid cells in x (50: Δ = 40 km; 100: Δ = 20 km as Klöwer et al.).
    seed : int
        Seeds initial perturbations (reference ``1000 seed + i``, baseline
        ``1000 seed + BASELINE_SEED_SHIFT + i``, as study files do) and
        stochastic rounding.
    scale : float
        Factor of the "scaled" policies.
    workers : int
        Processes running members in parallel.
    **params
        Other :class:`ShallowWaterParams` fields.
    """
    import numprec
    from numprec.verify import Experiment, verify

    formats, roundings, policies = list(formats), list(roundings), list(policies)
    _check_study(formats, roundings, policies, members, days, spinup, sample_every, workers,
                 scale)
    params = dict(params, nx=nx)
    t_start = _time.perf_counter()
    run = dict(days=days, output_every=sample_every, **params)
    double = dict(run, spinup=spinup)
    ics = {"reference": [1000 * seed + i for i in range(members)],
           "baseline": [1000 * seed + BASELINE_SEED_SHIFT + i for i in range(members)]}

    grid = [(fmt, rounding, pol) for fmt in formats for rounding in roundings
            for pol in policies]
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=(2 + len(grid)) * members, desc="shallow-water members", unit="run")
    results = {}
    try:
        with WorkerPool(workers) as pool:
            # reference members first: their spun-up states start the experiments
            for kind in ("reference", "baseline"):
                for i, ic in enumerate(ics[kind]):
                    pool.submit(None, _member, ((kind, i), None, None, None, 0, ic, None,
                                                double, scale))
            for _, ((label, i), ds) in pool.results():
                results.setdefault(label, {})[i] = ds
                if bar is not None:
                    bar.update(1)
                if label != "reference":
                    continue
                start = ds.isel(time=[0])
                for fmt, rounding, pol in grid:
                    name = _experiment_label(fmt, rounding, pol)
                    pool.submit(None, _member, (
                        (name, i), fmt, rounding, pol, _rounding_seed(seed, name, i),
                        ics["reference"][i], start, run, scale))
    finally:
        if bar is not None:
            bar.close()

    def ensemble(label):
        ds = xr.concat([results[label][i] for i in range(members)], dim="member",
                       combine_attrs="drop_conflicts")
        return ds.assign_coords(member=("member", np.arange(members),
                                        {"units": "1", "long_name": "ensemble member"}))

    reference, baseline = ensemble("reference"), ensemble("baseline")
    experiments = {}
    exps = []
    for fmt in formats:
        for rounding in roundings:
            for pol in policies:
                label = _experiment_label(fmt, rounding, pol)
                ds = experiments[label] = ensemble(label)
                f = numprec.get_format(fmt)
                exps.append(Experiment(ds.isel(time=slice(1, None)), label=label, format=fmt,
                                       mantissa_bits=getattr(f, "mantissa_bits", None),
                                       rounding=rounding))
    result = verify(reference.isel(time=slice(1, None)), baseline.isel(time=slice(1, None)),
                    exps, variables=["u", "v", "eta"], sample_dims=("time", "member"))
    settings = {"members": int(members), "days": float(days), "spinup": float(spinup),
                "sample_every": float(sample_every), "nx": int(nx), "seed": int(seed),
                "scale": float(scale), "formats": formats, "roundings": roundings,
                "policies": policies, "workers": int(workers)}
    settings.update({k: v for k, v in params.items() if k != "nx"})
    return Study(reference, baseline, experiments, result, settings,
                 _time.perf_counter() - t_start)


def _rounding_seed(*parts) -> int:
    """A 64-bit stochastic-rounding key per (study seed, experiment, member)."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _check_study(formats, roundings, policies, members, days, spinup, sample_every, workers,
                 scale):
    import numprec
    for fmt in formats:
        numprec.get_format(fmt)
    for r in roundings:
        if r not in numprec.list_roundings():
            raise ValueError(f"rounding {r!r} is unknown; expected one of "
                             f"{numprec.list_roundings()}")
    for p in policies:
        if p not in POLICIES:
            raise ValueError(f"policy {p!r} is unknown; expected one of {list(POLICIES)}")
    if isinstance(members, bool) or not isinstance(members, (int, np.integer)) or members < 2:
        raise ValueError(f"members must be an integer >= 2, got {members!r}")
    for name, value in (("days", days), ("sample_every", sample_every), ("scale", scale)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    if not (np.isfinite(spinup) and spinup >= 0):
        raise ValueError(f"spinup must be a number of days >= 0, got {spinup!r}")
    if sample_every > days:
        raise ValueError(f"sample_every={sample_every} must not exceed days={days}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")


_DIAGNOSTICS = ("mean_speed", "max_speed", "energy", "enstrophy")


def diagnostics_summary(reference, baseline, experiments) -> list[dict]:
    """Time-and-member means of the diagnostics (first output excluded), and
    their relative difference from the double reference."""
    def means(ds):
        ds = ds.isel(time=slice(1, None))
        return {k: float(ds[k].mean()) for k in _DIAGNOSTICS}

    ref = means(reference)
    rows = [{"run": "double (reference)", **ref, "unstable": 0}]
    runs = [("double (baseline)", baseline)] + list(experiments.items())
    for label, ds in runs:
        m = means(ds)
        rows.append({"run": label, **m, "unstable": int(np.any(~np.isfinite(ds["u"].values))),
                     **{f"rel_{k}": m[k] / ref[k] - 1 for k in _DIAGNOSTICS}})
    return rows


def format_diagnostics(reference, baseline, experiments) -> str:
    rows = diagnostics_summary(reference, baseline, experiments)
    head = (f"{'run':<34} {'mean speed':>16} {'max speed':>16} {'energy':>20} "
            f"{'enstrophy':>20}")
    lines = ["diagnostics: mean over verified outputs and members (relative difference "
             "from the double reference)", head, "-" * len(head)]
    for r in rows:
        cells = []
        for k, unit, fmt in (("mean_speed", "m/s", ".4f"), ("max_speed", "m/s", ".3f"),
                             ("energy", "", ".4g"), ("enstrophy", "", ".4g")):
            val = f"{r[k]:{fmt}}"
            rel = f" ({100 * r['rel_' + k]:+.1f}%)" if f"rel_{k}" in r else ""
            cells.append(val + rel)
        flag = "  UNSTABLE" if r["unstable"] else ""
        lines.append(f"{r['run']:<34} {cells[0]:>16} {cells[1]:>16} {cells[2]:>20} "
                     f"{cells[3]:>20}{flag}")
    return "\n".join(lines)


def plot_study(study: Study, path) -> None:
    """Mean speed against time for every ensemble (member mean), PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    for label, ds, style in ([("double", study.reference, "k-"),
                              ("double baseline", study.baseline, "k:")]
                             + [(k, v, "-") for k, v in study.experiments.items()]):
        ms = ds["mean_speed"].mean("member")
        ax.plot(ds["time"], ms, style, lw=2.5 if label == "double" else 1.2, label=label)
    ax.set_xlabel("time since the start from rest [days]")
    ax.set_ylabel("mean speed [m/s] (ensemble mean)")
    ax.set_title(f"shallow-water channel, nx = {study.settings['nx']}")
    ax.legend(fontsize="small")
    fig.tight_layout()
    save_figure(fig, path, dpi=120)
    plt.close(fig)


# --------------------------------------------------------------------- CLI
_DESCRIPTION = """\
The shallow-water case study of numprec (Klöwer et al. 2020, JAMES 12;
verified as in Paxton et al. 2022, J. Climate 35).

The wind-driven zonally periodic channel with a ridge is spun up from rest
(a small random surface perturbation per member) in double precision for
--spinup days; then --days more are integrated in double (the reference
ensemble), in double from other perturbations (the baseline ensemble), and
from the reference members' spun-up states with every operation rounded to
each --format with each --rounding under each --policy:

  all           every operation rounded, prognostic variables unscaled
  scaled        u, v held multiplied by --scale (default 2^6, Klöwer et al.)
  kahan         Kahan-compensated addition of the increments to u, v, eta
  scaled_kahan  both
  mixed         tendencies in FMT, time integration and state in binary32

u, v and eta sampled every --sample-every days are pooled over time and
members; the first Wasserstein distance of each low-precision ensemble to the
reference is compared with the baseline's (indistinguishable if not larger).
The mean speed, maximum speed, energy and enstrophy of every ensemble are
printed against double.

With no options: nx = 50 (40 km grid), 4 members, 450-day spin-up (at nx = 50
members from different perturbations are independent after about 420 days),
30 days verified daily, e5m10 (Float16 range and precision) with nearest_even
rounding under the policies all, scaled, kahan, scaled_kahan: about 4 minutes
on 2 cores.
"""

_EPILOG = """\
examples:
  python -m numprec.cases.shallow_water
  python -m numprec.cases.shallow_water --rounding stochastic --policy all
  python -m numprec.cases.shallow_water --format e5m10 --format e8m7 --policy mixed
  python -m numprec.cases.shallow_water --nx 100 --days 60 --output sw.nc --plot speed.png
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m numprec.cases.shallow_water",
                                description=_DESCRIPTION, epilog=_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--format", dest="formats", action="append", metavar="FMT",
                   help="low-precision format, repeatable: a registered name (fp16, bf16, ...) "
                        f"or eXmY; default {' '.join(DEFAULTS['formats'])}")
    p.add_argument("--rounding", dest="roundings", action="append", metavar="MODE",
                   help="rounding scheme, repeatable (nearest_even, stochastic, ...); default "
                        f"{' '.join(DEFAULTS['roundings'])}")
    p.add_argument("--policy", dest="policies", action="append", metavar="NAME",
                   help=f"policy, repeatable: {', '.join(POLICIES)}; default "
                        f"{' '.join(DEFAULTS['policies'])}")
    p.add_argument("--kahan", action="store_true",
                   help="compensate every experiment (all -> kahan, scaled -> scaled_kahan)")
    p.add_argument("--scale", type=float,
                   help="factor of the scaled policies (default 64 = 2^6)")
    p.add_argument("--members", type=int, default=DEFAULTS["members"],
                   help=f"members per ensemble (default {DEFAULTS['members']})")
    p.add_argument("--days", type=float, default=DEFAULTS["days"],
                   help=f"days verified after the spin-up (default {DEFAULTS['days']:g})")
    p.add_argument("--spinup", type=float, default=DEFAULTS["spinup"],
                   help=f"double-precision spin-up days (default {DEFAULTS['spinup']:g})")
    p.add_argument("--sample-every", type=float, default=DEFAULTS["sample_every"],
                   help="days between samples (default 1)")
    p.add_argument("--nx", type=int, default=DEFAULTS["nx"],
                   help=f"grid cells in x; 100 is Klöwer et al.'s 20 km (default {DEFAULTS['nx']})")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the initial perturbations and stochastic rounding (default 0)")
    p.add_argument("--workers", type=int, default=2, help="parallel processes (default 2)")
    p.add_argument("--output", metavar="FILE.nc",
                   help="write verdicts, W1 values and diagnostics to this NetCDF file")
    p.add_argument("--plot", metavar="FILE.png", help="plot mean speed against time (any "
                                                       "extension matplotlib saves)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace existing --output/--plot files (default: refuse)")
    p.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show a progress bar (default: when stderr is a terminal)")
    p.add_argument("--no-progress", dest="progress", action="store_false")
    return p


def _validate(args, parser):
    check_grid(parser, args.formats, args.roundings)
    for pol in args.policies or ():
        if pol not in POLICIES:
            parser.error(f"--policy {pol!r}: unknown policy (choose from {', '.join(POLICIES)})")
    if args.members < 2:
        parser.error(f"--members must be at least 2, got {args.members}")
    if args.scale is not None:
        policies = args.policies or DEFAULTS["policies"]
        if not any(POLICIES[p][0] for p in policies):
            parser.error(f"--scale {args.scale:g}: no scaled policy uses it (policies: "
                         f"{', '.join(policies)}; add --policy scaled or scaled_kahan)")
    for name in ("days", "sample_every", "scale"):
        v = getattr(args, name)
        if v is None:
            continue
        if not (np.isfinite(v) and v > 0):
            parser.error(f"--{name.replace('_', '-')} must be a positive number, got {v}")
    if args.sample_every > args.days:
        parser.error(f"--sample-every {args.sample_every:g} must not exceed --days {args.days:g}")
    if not (np.isfinite(args.spinup) and args.spinup >= 0):
        parser.error(f"--spinup must be a number of days >= 0, got {args.spinup}")
    if args.nx < 4:
        parser.error(f"--nx must be an integer >= 4, got {args.nx}")
    if args.workers < 1:
        parser.error(f"--workers must be a positive integer, got {args.workers}")
    if args.seed < 0:
        parser.error(f"--seed must be a non-negative integer, got {args.seed}")
    check_paths(parser, overwrite=args.overwrite, figures=("plot",), output=args.output,
                plot=args.plot)


def result_dataset(study: Study) -> xr.Dataset:
    """Verdicts and W1 (dims experiment, variable) plus the diagnostics time
    series of every ensemble (dims run, time, member), with units."""
    runs = {"double": study.reference, "double baseline": study.baseline, **study.experiments}
    ds = verdict_dataset(study.result, study.settings, "shallow_water")
    for k in _DIAGNOSTICS:
        da = xr.concat([r[k] for r in runs.values()], dim="run")
        ds[k] = da.assign_coords(run=("run", list(runs), {"long_name": "ensemble"}))
    return ds


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit status (130 after Ctrl-C)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _validate(args, parser)
    try:
        return _run(args, parser, argv)
    except KeyboardInterrupt:
        return interrupted("stopped the workers; no partial output was written")


def _run(args, parser, argv):
    policies = list(args.policies or DEFAULTS["policies"])
    if args.kahan:
        policies = list(dict.fromkeys({"all": "kahan", "scaled": "scaled_kahan"}.get(p, p)
                                      for p in policies))
        if "mixed" in policies:
            parser.error("--kahan does not apply to the mixed policy")
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    study = run_study(args.formats or DEFAULTS["formats"],
                      args.roundings or DEFAULTS["roundings"], policies,
                      members=args.members, days=args.days, spinup=args.spinup,
                      sample_every=args.sample_every, nx=args.nx, seed=args.seed,
                      scale=SCALE if args.scale is None else args.scale,
                      workers=args.workers, progress=progress)
    s = study.settings
    dx_km = 2000.0 / s["nx"]
    print(f"shallow water over a ridge: nx={s['nx']} ({dx_km:g} km), {s['members']} members, "
          f"{s['spinup']:g}-day double spin-up, {s['days']:g} days sampled every "
          f"{s['sample_every']:g}, scale={s['scale']:g}, seed={s['seed']}")
    print(format_results(study.result), end="")
    if s["days"] < 200:
        print("note: each experiment member starts from its reference member's state, so "
              "verdicts of runs much shorter than the error-growth time (e-folding 30-40 "
              "days at nx=50) are lenient; see docs/shallow_water.md")
    print(study.diagnostics_table)
    print(f"({study.seconds:.1f} s)")
    if args.output:
        prov = provenance_attrs(formats=s["formats"], rounding=s["roundings"], seed=args.seed,
                                argv=None if argv is None else
                                ["python -m numprec.cases.shallow_water", *argv],
                                extra={"settings": s})
        write_netcdf(result_dataset(study), args.output,
                     title="numprec shallow-water study", provenance=prov)
        print(f"wrote {args.output}")
    if args.plot:
        plot_study(study, args.plot)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sigterm_as_interrupt()
    sys.exit(main())
