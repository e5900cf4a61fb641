"""The one ensemble runner: reference, baseline and experiments -> verdicts.

An ensemble study of a case (Paxton et al. 2022) runs

* a **reference** ensemble in double precision,
* a **baseline** ensemble in double precision from other initial conditions
  (its distance to the reference is the scale of the verdict: internal
  variability plus sampling noise), and
* one ensemble per **experiment** -- a format x rounding x policy variant of
  the grid -- from the reference's initial conditions, member by member,

and scores every experiment against the reference with
:func:`numprec.verify.verify`.

The work is a list of :class:`Task` objects, each a batch of members run by
one call ``case.run(params, policy, members=..., ic_seed=...)`` (the case
contract: members in one leading array dimension).  A task is a pure
function of its fields, so the results are bit-identical whichever executor
runs them: ``"serial"`` (this process), ``"process"`` (a pool of worker
processes, :class:`numprec.cases.cli.WorkerPool`) or ``"dask"``
(dask.distributed: a new LocalCluster or a running scheduler).  The batch
size is part of the setup (``batch``), never chosen by the executor.

Results stay in memory, or -- with ``output=`` -- every task's members are
written through :mod:`numprec.io` to ``<output>/members/<label>/member_NNNN.nc``
with their :class:`numprec.io.Provenance`.  A rerun into the same directory
reuses a file only if its provenance matches what the task would record now
(otherwise :class:`StaleResultError` names the first differing field and
both values, before anything runs), and removes the temporaries a killed
run left.  Ctrl-C stops the workers at once and leaves no partial file.

Seeds: the initial conditions of a reference (and experiment) batch that
starts at member ``m`` are drawn with ``ic_seed = derive_seed(seed, "ic", m)``,
the baseline's with ``derive_seed(seed, "baseline-ic", m)``; stochastic
rounding of an experiment batch is keyed by ``derive_seed(seed, label, m)``.

References
----------
Paxton, E. A., Chantry, M., Klöwer, M., Saffin, L., & Palmer, T. (2022).
Climate modeling in low precision: effects of both deterministic and
stochastic rounding. J. Climate, 35, 1215-1229. arXiv:2104.15076.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import importlib
import inspect
import logging
import re
import signal
import sys
from pathlib import Path
from typing import Optional

import numpy as np

from numprec import io

__all__ = ["ALL", "EXECUTORS", "REFERENCE", "BASELINE", "EXPERIMENT", "EnsembleResult",
           "EnsembleSpec", "Experiment", "MemberStore", "PolicyVariant", "StaleResultError",
           "Task", "case_name", "case_parameters", "dask_client", "derive_seed",
           "resolve_case", "run_ensemble", "run_task", "verify_ensembles"]

REFERENCE, BASELINE, EXPERIMENT = "reference", "baseline", "experiment"
#: The executors :func:`run_ensemble` knows.
EXECUTORS = ("serial", "process", "dask")
#: Placeholder for the experiment's format in a :class:`PolicyVariant`.
FORMAT = "{format}"


class StaleResultError(io.ProvenanceError):
    """A member file on disk was produced under another setup."""


def derive_seed(*parts) -> int:
    """A 63-bit seed from a hash of ``parts`` (stable across runs and machines)."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


# ------------------------------------------------------------------- cases
def resolve_case(case):
    """The case object: a Case, a registered name, or ``"package.module:attr"``.

    Parameters
    ----------
    case : numprec.cases.base.Case or str

    Returns
    -------
    numprec.cases.base.Case

    Raises
    ------
    ValueError
        If the name is unknown or the module cannot be imported.
    """
    if not isinstance(case, str):
        if not callable(getattr(case, "run", None)):
            raise TypeError(f"case must be a numprec Case (with a run method), a registered "
                            f"case name or 'package.module:attr', got {type(case).__name__}")
        return case
    if ":" in case:
        module_name, attr = case.split(":", 1)
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ValueError(f"case {case!r}: cannot import {module_name!r}: {exc}") from exc
        obj = getattr(module, attr, None)
        if obj is None:
            raise ValueError(f"case {case!r}: module {module_name!r} has no {attr!r}")
        return resolve_case(obj)
    import numprec
    try:
        return numprec.get_case(case)
    except LookupError as exc:
        raise ValueError(f"case {case!r}: {exc}") from None
    except ImportError as exc:            # a registered case whose module fails
        raise ValueError(str(exc)) from None


def case_name(case) -> str:
    """The name recorded for ``case``: the string given, else ``case.name``.

    Parameters
    ----------
    case : str or numprec.cases.base.Case

    Returns
    -------
    str"""
    return case if isinstance(case, str) else str(getattr(case, "name", type(case).__name__))


def case_parameters(case, params: dict) -> dict:
    """``params`` with the case's defaults filled in; unknown keys refused.

    Parameters
    ----------
    case : Case
        ``case.parameters`` is the dataclass type of its parameters.
    params : dict

    Raises
    ------
    ValueError
        Naming the first unknown key and the allowed ones.
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict, got {type(params).__name__}")
    kind = getattr(case, "parameters", None)
    if kind is None or not dataclasses.is_dataclass(kind):
        return dict(params)
    defaults = {}
    for f in dataclasses.fields(kind):
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            defaults[f.name] = f.default_factory()
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ValueError(f"parameter {unknown[0]!r} is not a parameter of case "
                         f"{case_name(case)!r} (its parameters: {', '.join(defaults)})")
    return {**defaults, **params}


def _check_run_options(case, options: dict):
    """Refuse run options ``case.run`` does not take (unless it takes **kwargs)."""
    try:
        signature = inspect.signature(case.run)
    except (TypeError, ValueError):
        return
    accepted = set()
    for p in signature.parameters.values():
        if p.kind is p.VAR_KEYWORD:
            return
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD):
            accepted.add(p.name)
    accepted -= {"params", "policy", "members", "ic_seed"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ValueError(f"run option {unknown[0]!r} is not taken by case "
                         f"{case_name(case)!r} (its run options: "
                         f"{', '.join(sorted(accepted)) or 'none'})")


# ---------------------------------------------------------------- the grid
@dataclasses.dataclass(frozen=True)
class PolicyVariant:
    """A named way to run an experiment's format: policy settings and model options.

    Parameters
    ----------
    name : str
        Label part (``"all"`` adds nothing to the experiment's label).
    compute, storage : str, optional
        Formats of the Policy (default: the experiment's format).  The
        string ``"{format}"`` stands for the experiment's format.
    components : dict, optional
        ``{component: format name or "{format}" or dict of settings}`` as
        for :class:`numprec.emulate.Policy`.
    summation : str, optional
        Order of rounded reductions (``"sequential"``, ``"pairwise"``,
        ``"kahan"``).
    params : dict, optional
        Case parameters this variant sets (model options such as
        ``{"compensated": True}``); they override the study's.

    Examples
    --------
    Klöwer et al. (2020)'s mixed precision: tendencies in the experiment's
    format, everything else in binary32:

    >>> from numprec.cases.ensemble import PolicyVariant
    >>> mixed = PolicyVariant("mixed", compute="binary32",
    ...                       components={"tendencies": "{format}"})
    >>> mixed.policy("e5m10", "stochastic", seed=1).compute.name
    'binary32'
    """

    name: str = "all"
    compute: Optional[str] = None
    storage: Optional[str] = None
    components: Optional[dict] = None
    summation: Optional[str] = None
    params: Optional[dict] = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"policy variant name must be a non-empty string, got "
                             f"{self.name!r}")
        for key in ("components", "params"):
            value = getattr(self, key)
            if value is not None and not isinstance(value, dict):
                raise TypeError(f"policy variant {self.name!r}: {key} must be a dict, got "
                                f"{type(value).__name__}")

    def policy(self, fmt, rounding="nearest_even", *, seed=0, random_bits=None):
        """The :class:`numprec.emulate.Policy` of this variant for ``fmt``.

        Parameters
        ----------
        fmt : str or numprec.Format
            The experiment's format (what ``"{format}"`` stands for).
        rounding : str
            Rounding scheme.
        seed : int
            Key of stochastic rounding.
        random_bits : int, optional
            Random bits of stochastic rounding.

        Returns
        -------
        numprec.emulate.Policy
        """
        from numprec.emulate import Policy

        def fill(value):
            if value == FORMAT:
                return fmt
            if isinstance(value, dict):
                return {k: fill(v) for k, v in value.items()}
            return value

        kwargs = {}
        if self.summation is not None:
            kwargs["summation"] = self.summation
        if self.components:
            kwargs["components"] = fill(dict(self.components))
        return Policy(fill(self.compute) if self.compute else fmt,
                      fill(self.storage) if self.storage else None, rounding, seed=seed,
                      random_bits=random_bits, **kwargs)

    def get_config(self) -> dict:
        """The variant's settings as a dict (unset ones left out), the
        inverse of ``PolicyVariant(**config)``."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


#: Every operation in the experiment's format.
ALL = PolicyVariant("all")


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One point of the grid: a format, a rounding scheme, a policy variant."""

    format: str
    rounding: str = "nearest_even"
    policy: PolicyVariant = ALL
    random_bits: Optional[int] = None

    def __post_init__(self):
        if isinstance(self.policy, str):
            if self.policy != "all":
                raise ValueError(f"experiment policy {self.policy!r}: give a PolicyVariant "
                                 f"(only 'all' is known by name)")
            object.__setattr__(self, "policy", ALL)

    @property
    def label(self) -> str:
        """``"{format} {rounding}"``, followed by the policy variant's name
        unless it is ``"all"``."""
        return f"{self.format} {self.rounding}" + (
            "" if self.policy.name == "all" else f" {self.policy.name}")


@dataclasses.dataclass(frozen=True)
class Task:
    """A batch of members run by one ``case.run`` call.

    ``member`` is the index of the first member, ``members`` how many;
    ``experiment`` is None for double precision (reference and baseline).
    """

    kind: str
    label: str
    member: int
    members: int
    ic_seed: int
    seed: Optional[int] = None
    experiment: Optional[Experiment] = None

    @property
    def key(self) -> str:
        """File-system-safe unique name of the batch."""
        return f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', self.label)}/member_{self.member:04d}"


def _positive(name, value, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or value < (0 if allow_zero else 1):
        raise ValueError(f"{name} must be a {'non-negative' if allow_zero else 'positive'} "
                         f"integer, got {value!r}")
    return int(value)


@dataclasses.dataclass(frozen=True)
class EnsembleSpec:
    """What to run and how to verify it.

    Parameters
    ----------
    case : Case or str
        A Case object, a registered name (:func:`numprec.get_case`) or
        ``"package.module:attr"``.  Give a name where workers in other
        processes must find the case.
    params : dict
        Case parameters (defaults filled in from ``case.parameters``).
    reference_members, baseline_members, members : int
        Sizes of the reference, baseline and every experiment ensemble.
    experiments : sequence of Experiment
    seed : int
        Root of every initial-condition and rounding seed.
    batch : int, optional
        Members per task (default: a whole ensemble in one task).
    run_options : dict
        Extra keyword arguments of ``case.run`` (e.g. run length).
    variables, sample_dims, spinup, tolerance, joint
        Verification: the variables scored (default: all of the
        reference's), the dims pooled, samples dropped at the start of
        ``time``, tolerances for "minor" (physical units), a joint group.
    """

    case: object
    params: dict = dataclasses.field(default_factory=dict)
    reference_members: int = 1
    baseline_members: int = 1
    members: int = 1
    experiments: tuple = ()
    seed: int = 0
    batch: Optional[int] = None
    run_options: dict = dataclasses.field(default_factory=dict)
    variables: Optional[tuple] = None
    sample_dims: tuple = ("time", "member")
    spinup: int = 0
    tolerance: Optional[dict] = None
    joint: tuple = ()

    def __post_init__(self):
        for name in ("reference_members", "baseline_members", "members"):
            _positive(name, getattr(self, name))
        if self.batch is not None:
            _positive("batch", self.batch)
        _positive("spinup", self.spinup, allow_zero=True)
        _positive("seed", self.seed, allow_zero=True)
        experiments = tuple(self.experiments)
        for e in experiments:
            if not isinstance(e, Experiment):
                raise TypeError(f"experiments must be Experiment objects, got "
                                f"{type(e).__name__}")
        labels = [e.label for e in experiments]
        if len(set(labels)) != len(labels):
            raise ValueError(f"experiments repeat a label: {labels}")
        object.__setattr__(self, "experiments", experiments)
        object.__setattr__(self, "sample_dims", tuple(self.sample_dims))
        object.__setattr__(self, "joint", tuple(self.joint))
        if self.variables is not None:
            object.__setattr__(self, "variables", tuple(self.variables))

    def tasks(self) -> list:
        """Every task, in a fixed order: reference, baseline, experiments."""
        def batches(n):
            size = self.batch or n
            return [(m, min(size, n - m)) for m in range(0, n, size)]

        tasks = [Task(REFERENCE, REFERENCE, m, k, derive_seed(self.seed, "ic", m))
                 for m, k in batches(self.reference_members)]
        tasks += [Task(BASELINE, BASELINE, m, k, derive_seed(self.seed, "baseline-ic", m))
                  for m, k in batches(self.baseline_members)]
        for e in self.experiments:
            tasks += [Task(EXPERIMENT, e.label, m, k, derive_seed(self.seed, "ic", m),
                           derive_seed(self.seed, e.label, m), e)
                      for m, k in batches(self.members)]
        return tasks

    def task_params(self, case, task: Task) -> dict:
        """The case parameters of ``task`` (defaults and the variant's options in)."""
        extra = task.experiment.policy.params if task.experiment is not None else None
        return case_parameters(case, {**self.params, **(extra or {})})

    def provenance(self, case, task: Task) -> io.Provenance:
        """What the files of ``task`` record (see :class:`numprec.io.Provenance`)."""
        e = task.experiment
        policy = None if e is None else e.policy.policy(
            e.format, e.rounding, seed=task.seed, random_bits=e.random_bits)
        return io.Provenance(
            case=case_name(self.case), params=self.task_params(case, task), kind=task.kind,
            label=task.label, member=task.member, members=task.members, ic_seed=task.ic_seed,
            format=None if e is None else e.format, rounding=None if e is None else e.rounding,
            seed=task.seed, random_bits=None if e is None else e.random_bits, policy=policy)


# ------------------------------------------------------------- one task
def run_task(case, params: dict, task: Task, run_options: dict, provenance: io.Provenance,
             output=None, store="netcdf", variables=(), single_thread=False):
    """Run one task (in a worker): ``case.run``, checks, then write or return.

    Parameters
    ----------
    case : Case or str
    params : dict
        Complete case parameters (:meth:`EnsembleSpec.task_params`).
    task : Task
    run_options : dict
    provenance : io.Provenance
        What the result records; a worker whose numprec is another version
        than the one named here refuses to run.
    output : path-like, optional
        Root of the member files (:class:`MemberStore`); None: return the data.
    store : {"netcdf", "zarr"}
    variables : sequence of str
        Variables the verifier needs: a result without one is refused.
    single_thread : bool
        One rounding thread in this process (workers: no oversubscription).

    Returns
    -------
    xarray.Dataset or str
        The batch (dims ``member``, ``time``, ...; ``member`` numbered from
        ``task.member``), or the path written.
    """
    import numprec
    import xarray as xr

    if numprec.__version__ != provenance.numprec_version:
        raise RuntimeError(f"worker has numprec {numprec.__version__}, the run uses "
                           f"{provenance.numprec_version}; install the same version on "
                           f"every worker")
    if single_thread:
        numprec.set_num_threads(1)
    obj = resolve_case(case)
    e = task.experiment
    policy = None if e is None else e.policy.policy(e.format, e.rounding, seed=task.seed,
                                                    random_bits=e.random_bits)
    ds = obj.run(dict(params), policy, members=task.members, ic_seed=task.ic_seed,
                 **run_options)
    name = case_name(case)
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"case {name!r}: run returned {type(ds).__name__}, expected an "
                        f"xarray.Dataset")
    if ds.sizes.get("member") != task.members:
        raise ValueError(f"case {name!r}: run(members={task.members}) returned dims "
                         f"{dict(ds.sizes)}; expected a 'member' dim of {task.members}")
    missing = [v for v in variables if v not in ds.data_vars]
    if missing:
        raise ValueError(f"case {name!r} returns no variable {missing[0]!r} (it returns: "
                         f"{', '.join(map(str, ds.data_vars))})")
    # C-ordered arrays whatever the case returned: the data then look the same
    # in memory after any executor's transport (pickling makes them
    # contiguous), so the sums of the verifier add in the same order
    ds = ds.copy(data={k: np.ascontiguousarray(v.values) for k, v in ds.data_vars.items()})
    ds = ds.assign_coords(member=("member", np.arange(task.member, task.member + task.members),
                                  {"units": "1", "long_name": "ensemble member"}))
    if output is None:
        return ds.assign_attrs(provenance.to_attrs())
    path = MemberStore(output, store).path(task)
    return str(io.write_dataset(ds, path, provenance=provenance, mkdir=True,
                                title=f"{name}: {task.label} members {task.member}-"
                                      f"{task.member + task.members - 1}"))


def _run_task_packed(args):
    return run_task(*args)


# --------------------------------------------------------------- storage
class MemberStore:
    """Member files: ``<root>/members/<label>/member_NNNN.nc`` (or ``.zarr``)."""

    def __init__(self, root, store="netcdf"):
        if store not in io.STORES:
            raise ValueError(f"store must be one of {sorted(io.STORES)}, got {store!r}")
        self.root = Path(root)
        self.store = store

    def path(self, task: Task) -> Path:
        """The member file of ``task`` (under ``<root>/members``).

        Parameters
        ----------
        task : Task

        Returns
        -------
        pathlib.Path
        """
        return self.root / "members" / (task.key + io.STORES[self.store])

    def exists(self, task: Task) -> bool:
        """Whether ``task``'s member file was written."""
        return self.path(task).exists()

    def open(self, task: Task):
        """``task``'s member file as an :class:`xarray.Dataset` (see
        :func:`numprec.io.open_dataset`)."""
        return io.open_dataset(self.path(task), self.store)

    def attrs(self, task: Task) -> dict:
        """The global attributes of ``task``'s member file (its provenance),
        without reading the data."""
        return io.open_attrs(self.path(task), self.store)

    def remove_temporaries(self) -> list:
        """Delete what a killed run left (see :func:`numprec.io.remove_temporaries`)."""
        return io.remove_temporaries(self.root)


def _plan(spec, case, tasks, store, overwrite):
    """(todo, stale): the tasks to run; a file of another provenance raises
    StaleResultError unless ``overwrite``."""
    todo, stale = [], 0
    for task in tasks:
        expected = spec.provenance(case, task)
        if store is not None and store.exists(task):
            path = store.path(task)
            try:
                io.check_provenance(path, store.attrs(task), expected, error=StaleResultError,
                                    hint="refusing to reuse it: rerun with --overwrite to "
                                         "recompute such members, or choose another output")
                continue
            except (StaleResultError, OSError) as exc:
                if not overwrite:
                    if isinstance(exc, OSError):
                        raise StaleResultError(f"{exc}; rerun with --overwrite to recompute "
                                               f"it") from None
                    raise
                stale += 1
        todo.append((task, expected))
    return todo, stale


# -------------------------------------------------------------- executors
def _ignore_sigint():
    """Run on each local dask worker: Ctrl-C is the client's to handle."""
    with contextlib.suppress(ValueError):    # not the main thread
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_local_workers(cluster, timeout=0.5):
    """Close every worker of a LocalCluster now, killing busy ones after
    ``timeout`` seconds (a running task cannot be interrupted)."""
    async def close_all():
        workers = list(cluster.workers.values())
        await asyncio.gather(*(w.close(timeout=timeout, reason="interrupted")
                               for w in workers), return_exceptions=True)
    with contextlib.suppress(Exception):
        cluster.sync(close_all)


@contextlib.contextmanager
def dask_client(scheduler=None, workers=None):
    """A client of a running scheduler, or of a new LocalCluster.

    If the body raises (an error, KeyboardInterrupt), the workers of a local
    cluster are stopped at once rather than after their running tasks.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running dask scheduler; None starts a LocalCluster.
    workers : int, optional
        Number of single-threaded worker processes of the LocalCluster
        (default 2).

    Yields
    ------
    distributed.Client
    """
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = 2 if workers is None else _positive("workers", workers)
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      # a task's error reaches the client (future.result()):
                      # the workers' log of it would only repeat it
                      dashboard_address=None, silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster) as client:
        with contextlib.suppress(Exception):
            client.run(_ignore_sigint)
        try:
            yield client
        except BaseException:
            _stop_local_workers(cluster)
            raise


def _execute(calls, executor, workers, scheduler, bar):
    """Yield ``(index, result)`` of ``calls`` (argument tuples of run_task) as
    they finish; the first error stops everything and is re-raised."""
    if executor == "serial":
        for i, args in enumerate(calls):
            yield i, run_task(*args)
            bar.update(1)
        return
    if executor == "process":
        from numprec.cases.cli import WorkerPool

        n = min(len(calls), 2 if workers is None else _positive("workers", workers))
        with WorkerPool(n) as pool:
            for i, args in enumerate(calls):
                pool.submit(i, _run_task_packed, args[:-1] + (True,))
            for i, value in pool.results():
                yield i, value
                bar.update(1)
        return
    from distributed import as_completed

    with dask_client(scheduler, workers) as client:
        futures = {client.submit(run_task, *args[:-1], True, pure=False): i
                   for i, args in enumerate(calls)}
        try:
            for future in as_completed(list(futures)):
                yield futures[future], future.result()
                bar.update(1)
        except BaseException:
            client.cancel(list(futures))
            raise


# ---------------------------------------------------------------- results
@dataclasses.dataclass
class EnsembleResult:
    """What :func:`run_ensemble` returns.

    ``verdicts`` is the :func:`numprec.verify.verify` Dataset (dims
    experiment x variable); ``reference``, ``baseline`` and ``experiments``
    (label -> Dataset) the member data (dims member, time, ...), spin-up
    included; ``ran``/``reused``/``replaced`` count tasks, ``removed`` the
    temporaries of an earlier, killed run that were deleted first.
    """

    verdicts: object
    reference: object
    baseline: object
    experiments: dict
    ran: int = 0
    reused: int = 0
    replaced: int = 0
    removed: int = 0


def _combine(parts):
    import xarray as xr

    if len(parts) == 1:
        return parts[0]
    return xr.concat(parts, dim="member", combine_attrs="drop_conflicts")


def verify_ensembles(spec: EnsembleSpec, reference, baseline, experiments: dict):
    """Score every experiment against the reference (baseline as the scale).

    ``experiments`` maps labels to data; the first ``spec.spinup`` samples
    along ``time`` are dropped from every ensemble.

    Parameters
    ----------
    spec : EnsembleSpec
    reference, baseline : xarray.Dataset
        The double-precision reference and baseline ensembles.
    experiments : dict
        ``{label: xarray.Dataset}``.

    Returns
    -------
    xarray.Dataset
        As :func:`numprec.verify.verify` returns.
    """
    from numprec import get_format
    from numprec.verify import Experiment as Scored, verify

    def cut(ds):
        return ds.isel(time=slice(spec.spinup, None)) if spec.spinup and "time" in ds.dims \
            else ds

    scored = []
    by_label = {e.label: e for e in spec.experiments}
    for label, data in experiments.items():
        e = by_label[label]
        scored.append(Scored(cut(data), label=label, format=e.format,
                             mantissa_bits=getattr(get_format(e.format), "mantissa_bits", None),
                             rounding=e.rounding))
    options = dict(sample_dims=spec.sample_dims)
    if spec.variables is not None:
        options["variables"] = list(spec.variables)
    if spec.joint:
        options["joint"] = spec.joint
    return verify(cut(reference), cut(baseline), scored, tolerance=spec.tolerance or None,
                  **options)


def run_ensemble(spec: EnsembleSpec, *, executor="serial", workers=None, scheduler=None,
                 output=None, store="netcdf", overwrite=False, progress=False,
                 verify=True) -> EnsembleResult:
    """Run (or resume) every task of ``spec`` and verify the experiments.

    Parameters
    ----------
    spec : EnsembleSpec
    executor : {"serial", "process", "dask"}
        Where tasks run; the results do not depend on it.
    workers : int, optional
        Processes of the pool or of the LocalCluster (default 2).
    scheduler : str, optional
        Address of a running dask scheduler (``executor="dask"``).
    output : path-like, optional
        Directory of the member files (resumable); None keeps them in memory.
        The caller must have it to itself (see :func:`numprec.study.store.study_lock`).
    store : {"netcdf", "zarr"}
    overwrite : bool
        Recompute members whose file records another provenance (otherwise
        :class:`StaleResultError`, raised before anything runs).
    progress : bool
        A progress bar on stderr.
    verify : bool
        Score the experiments (else ``verdicts`` is None).

    Returns
    -------
    EnsembleResult
    """
    from tqdm.auto import tqdm

    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    if scheduler and executor != "dask":
        raise ValueError(f"scheduler= needs executor='dask', got executor={executor!r}")
    case = resolve_case(spec.case)
    _check_run_options(case, spec.run_options)
    tasks = spec.tasks()
    for task in tasks[:1] + [t for t in tasks if t.experiment is not None][:1]:
        spec.task_params(case, task)           # unknown parameters: refused now
    members = None if output is None else MemberStore(output, store)
    removed = 0 if members is None else len(members.remove_temporaries())
    todo, stale = _plan(spec, case, tasks, members, overwrite)
    variables = tuple(spec.variables or ()) + tuple(v for v in spec.joint
                                                    if v not in (spec.variables or ()))
    # a case object travels to other processes by reference where possible
    ref = spec.case
    calls = [(ref, spec.task_params(case, t), t, dict(spec.run_options), prov,
              None if output is None else str(output), store, variables, False)
             for t, prov in todo]
    results = {}
    bar = tqdm(total=len(calls), desc=f"ensemble {case_name(spec.case)}", unit="task",
               disable=not progress, file=sys.stderr)
    try:
        for i, value in _execute(calls, executor, workers, scheduler, bar):
            results[todo[i][0].key] = value
    finally:
        bar.close()
        if members is not None:
            members.remove_temporaries()       # of workers stopped mid-write

    def data(task):
        if members is None:
            return results[task.key]
        return members.open(task)

    groups = {}
    for task in tasks:
        groups.setdefault(task.label, []).append(task)
    reference = _combine([data(t) for t in groups.pop(REFERENCE)])
    baseline = _combine([data(t) for t in groups.pop(BASELINE)])
    experiments = {label: _combine([data(t) for t in group]) for label, group in groups.items()}
    verdicts = verify_ensembles(spec, reference, baseline, experiments) if verify else None
    return EnsembleResult(verdicts, reference, baseline, experiments, ran=len(todo),
                          reused=len(tasks) - len(todo), replaced=stale, removed=removed)
