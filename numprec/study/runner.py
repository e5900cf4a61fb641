"""Run a study's member tasks on dask.distributed, then verify.

Resuming: members already on disk are reused only when their recorded
provenance (:mod:`numprec.study.provenance`) matches the study; a mismatch
stops the run before anything is computed, unless ``overwrite`` asks for
those members to be recomputed.  Temporaries left by a killed run are
removed first.  An interrupt (Ctrl-C) cancels the members, stops the local
workers at once and removes their temporaries: what is on disk is complete.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import numpy as np
import xarray as xr

from numprec.study.models import declarations, resolve_model
from numprec.study.provenance import PREFIX, StaleMemberError, check_member, member_provenance
from numprec.study.spec import StudyError, StudyFileError, StudySpec
from numprec.study.store import MemberStore
from numprec.study.tasks import BASELINE, REFERENCE, MemberTask, expand


def run_member(task: MemberTask, model: str, params: dict, root: str, store: str,
               study: str, provenance: dict, variables=()) -> str:
    """Run one member and write it atomically (executed on a dask worker).

    ``provenance`` (from :func:`~numprec.study.provenance.member_provenance`,
    computed by the client) becomes the file's attributes; the worker's
    numprec must be the version it names.  Every name in ``variables`` must
    be an output variable of the model.
    """
    import numprec

    wanted = provenance[PREFIX + "numprec_version"]
    if numprec.__version__ != wanted:
        raise StudyError(f"worker has numprec {numprec.__version__}, the study runs "
                         f"{wanted}; install the same version on every worker")
    numprec.set_num_threads(1)           # one thread per worker: no oversubscription
    func = resolve_model(model)
    ds = func(dict(params), task)
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"model {model!r} returned {type(ds).__name__}, expected xarray.Dataset")
    missing = [v for v in variables if v not in ds.data_vars]
    if missing:
        raise StudyFileError(f"verify.variables: model {model!r} returns no variable "
                             f"{missing[0]!r} (it returns: {', '.join(map(str, ds.data_vars))})")
    ds = ds.assign_attrs(study=study, **provenance)
    return str(MemberStore(root, store).write(task, ds))


def _ignore_sigint():
    """Run on each local worker: Ctrl-C is the client's to handle."""
    with contextlib.suppress(ValueError):    # not the main thread
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_local_workers(cluster, timeout=0.5):
    """Close every worker of a LocalCluster now, killing busy ones after
    ``timeout`` seconds (a running member cannot be interrupted)."""
    async def close_all():
        workers = list(cluster.workers.values())
        await asyncio.gather(*(w.close(timeout=timeout, reason="study-interrupted")
                               for w in workers), return_exceptions=True)
    with contextlib.suppress(Exception):
        cluster.sync(close_all)


@contextlib.contextmanager
def dask_client(scheduler=None, workers=None):
    """A client of a running scheduler, or of a new LocalCluster.

    If the body raises (an error, KeyboardInterrupt), the workers of a local
    cluster are stopped at once rather than after their running tasks.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = workers if workers else 2
    if n < 1:
        raise ValueError(f"workers must be a positive integer, got {n}")
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      # a member's error reaches the client (future.result()):
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


def _plan(spec, store, tasks, overwrite):
    """The tasks to run; refuses (StaleMemberError) a member file on disk
    whose provenance differs, unless ``overwrite``."""
    declared = declarations(resolve_model(spec.model), spec.model)
    todo, stale = [], 0
    for task in tasks:
        expected = member_provenance(spec, task, declared.parameters)
        if store.exists(task):
            try:
                check_member(store.path(task), store.attrs(task), expected)
                continue
            except (StaleMemberError, OSError) as exc:
                if not overwrite:
                    if isinstance(exc, OSError):
                        raise StaleMemberError(f"{exc}; rerun with --overwrite to recompute "
                                               f"it") from None
                    raise
                stale += 1
        todo.append((task, expected))
    return todo, stale


def run_members(spec: StudySpec, *, scheduler=None, workers=None, progress=True,
                overwrite=False):
    """Run every member not already on disk.

    The caller must have the output directory to itself (``run_study``
    holds :func:`numprec.study.store.study_lock`).

    Parameters
    ----------
    spec : StudySpec
    scheduler : str, optional
        Address of a running dask scheduler (default: a new LocalCluster).
    workers : int, optional
        Workers of the LocalCluster (default 2).
    progress : bool
        Show a progress bar and report removed temporaries on stderr.
    overwrite : bool
        Recompute members whose file on disk records another provenance
        (otherwise such a file stops the run with :class:`StaleMemberError`).

    Returns
    -------
    (int, int, int)
        Members reused from disk, members run now, and how many of those
        replaced a file of another provenance.
    """
    from distributed import as_completed
    from tqdm.auto import tqdm

    store = MemberStore(spec.output, spec.store)
    removed = store.remove_temporaries()
    if removed and progress:
        print(f"{spec.name}: removed {len(removed)} temporary file(s) left by an "
              f"interrupted run", file=sys.stderr)
    tasks = expand(spec)
    todo, stale = _plan(spec, store, tasks, overwrite)
    if not todo:
        return len(tasks), 0, 0
    try:
        with dask_client(scheduler, workers) as client:
            futures = [client.submit(run_member, task, spec.model, spec.model_params,
                                     str(spec.output), spec.store, spec.name, expected,
                                     tuple(spec.variables), pure=False)
                       for task, expected in todo]
            bar = tqdm(total=len(futures), desc=f"study {spec.name}", unit="member",
                       disable=not progress)
            try:
                for future in as_completed(futures):
                    future.result()          # re-raise a member's error here
                    bar.update(1)
            except BaseException:
                client.cancel(futures)
                raise
            finally:
                bar.close()
    finally:
        store.remove_temporaries()           # of workers stopped mid-write
    return len(tasks) - len(todo), len(todo), stale


def _ensemble(store, tasks, spinup):
    members = [store.open(t) for t in tasks]
    ds = xr.concat(members, dim="member", combine_attrs="drop_conflicts")
    ds = ds.assign_coords(member=np.arange(len(members)))
    if spinup and "time" in ds.dims:
        ds = ds.isel(time=slice(spinup, None))
    return ds


def verify_study(spec: StudySpec) -> xr.Dataset:
    """Pool the members on disk and score every experiment."""
    from numprec import get_format
    from numprec.verify import Experiment, verify

    store = MemberStore(spec.output, spec.store)
    tasks = expand(spec)
    by_label = {}
    for task in tasks:
        by_label.setdefault(task.label, []).append(task)
    reference = _ensemble(store, by_label.pop(REFERENCE), spec.spinup)
    baseline = _ensemble(store, by_label.pop(BASELINE), spec.spinup)
    experiments = []
    for label, group in by_label.items():
        first = group[0]
        fmt = get_format(first.format)
        experiments.append(Experiment(_ensemble(store, group, spec.spinup), label=label,
                                      format=first.format,
                                      mantissa_bits=getattr(fmt, "mantissa_bits", None),
                                      rounding=first.rounding))
    options = dict(variables=spec.variables, sample_dims=tuple(spec.sample_dims))
    if spec.joint:
        options["joint"] = tuple(spec.joint)
    return verify(reference, baseline, experiments, tolerance=spec.tolerance or None,
                  **options)
