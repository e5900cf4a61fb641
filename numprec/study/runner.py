"""Run a study: its ensembles through :func:`numprec.cases.ensemble.run_ensemble`.

Resuming: member files already on disk are reused only when their recorded
provenance (:class:`numprec.io.Provenance`) matches the study; a mismatch
stops the run before anything is computed (:class:`StaleMemberError`, naming
the first differing field and both values), unless ``overwrite`` asks for
those members to be recomputed.  Temporaries left by a killed run are
removed first.  An interrupt (Ctrl-C) cancels the tasks, stops the local
workers at once and removes their temporaries: what is on disk is complete.
"""
from __future__ import annotations

from numprec.cases.ensemble import StaleResultError, run_ensemble
from numprec.study.spec import StaleMemberError, StudyFileError, StudySpec


def run_members(spec: StudySpec, *, executor="dask", scheduler=None, workers=None,
                progress=True, overwrite=False, verify=True):
    """Run every member not already on disk, then (``verify``) score them.

    The caller must have the output directory to itself (``run_study``
    holds :func:`numprec.study.store.study_lock`).

    Parameters
    ----------
    spec : StudySpec
    executor : {"dask", "process", "serial"}
        Where the tasks run (the results do not depend on it).
    scheduler : str, optional
        Address of a running dask scheduler (default: a new LocalCluster).
    workers : int, optional
        Workers of the LocalCluster or process pool (default 2).
    progress : bool
        Show a progress bar.
    overwrite : bool
        Recompute members whose file on disk records another provenance.

    Returns
    -------
    numprec.cases.ensemble.EnsembleResult
        ``ran``, ``reused`` and ``replaced`` count tasks (files).
    """
    try:
        return run_ensemble(spec.ensemble(), executor=executor, workers=workers,
                            scheduler=scheduler, output=spec.output, store=spec.store,
                            overwrite=overwrite, progress=progress, verify=verify)
    except StaleResultError as exc:
        raise StaleMemberError(str(exc)) from None
    except ValueError as exc:
        if "returns no variable" in str(exc):
            raise StudyFileError(f"verify.variables: {exc}") from None
        raise
