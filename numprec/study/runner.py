"""Run a study's member tasks on dask.distributed, then verify and report."""
from __future__ import annotations

import contextlib
import json

import numpy as np
import xarray as xr

from numprec.study.models import resolve_model
from numprec.study.spec import StudySpec
from numprec.study.store import MemberStore
from numprec.study.tasks import BASELINE, REFERENCE, MemberTask, expand


def run_member(task: MemberTask, model: str, params: dict, root: str, store: str,
               study: str) -> str:
    """Run one member and write it atomically (executed on a dask worker)."""
    import numprec

    numprec.set_num_threads(1)           # one thread per worker: no oversubscription
    func = resolve_model(model)
    ds = func(dict(params), task)
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"model {model!r} returned {type(ds).__name__}, expected xarray.Dataset")
    attrs = {"numprec_version": numprec.__version__, "study": study, "model": model,
             "member_task": json.dumps(task.to_dict(), sort_keys=True)}
    if task.format is not None:
        attrs["format_config"] = json.dumps(numprec.get_format(task.format).get_config(),
                                            sort_keys=True)
        attrs["rounding"] = task.rounding
        attrs["rounding_seed"] = str(task.seed)
    ds = ds.assign_attrs(**attrs)
    return str(MemberStore(root, store).write(task, ds))


@contextlib.contextmanager
def dask_client(scheduler=None, workers=None):
    """A client of a running scheduler, or of a new LocalCluster."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = workers if workers else 2
    if n < 1:
        raise ValueError(f"workers must be a positive integer, got {n}")
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=40) as cluster, \
            Client(cluster) as client:
        yield client


def run_members(spec: StudySpec, *, scheduler=None, workers=None, progress=True):
    """Run every member not already on disk; returns (done_before, ran_now)."""
    from distributed import as_completed
    from tqdm.auto import tqdm

    resolve_model(spec.model)            # fail early on a bad model name
    store = MemberStore(spec.output, spec.store)
    tasks = expand(spec)
    todo = [t for t in tasks if not store.exists(t)]
    if not todo:
        return len(tasks), 0
    with dask_client(scheduler, workers) as client:
        futures = [client.submit(run_member, task, spec.model, spec.model_params,
                                 str(spec.output), spec.store, spec.name, pure=False)
                   for task in todo]
        bar = tqdm(total=len(futures), desc=f"study {spec.name}", unit="member",
                   disable=not progress)
        try:
            for future in as_completed(futures):
                future.result()          # re-raise a member's error here
                bar.update(1)
        finally:
            bar.close()
    return len(tasks) - len(todo), len(todo)


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
