"""``python -m numprec study FILE``."""
from __future__ import annotations

import sys
from pathlib import Path

from numprec.study.report import write_report
from numprec.study.runner import run_members
from numprec.study.spec import StudyError, load_study
from numprec.study.store import study_lock

#: Exit status after Ctrl-C (128 + SIGINT), as a shell reports it.
EXIT_INTERRUPTED = 130


def run_study(path, *, scheduler=None, workers=None, output=None, progress=True,
              overwrite=False, executor="dask"):
    """Run (or resume) a study file and write its report.

    Parameters
    ----------
    path : path-like
        The study file (TOML).
    scheduler : str, optional
        Address of a running dask scheduler (default: a new LocalCluster).
    workers : int, optional
        Workers of the LocalCluster.
    output : path-like, optional
        Output directory instead of the study file's ``study.output``.
    progress : bool
        Progress bar and summary on stderr.
    overwrite : bool
        Recompute members on disk that another study setup wrote (by default
        they stop the run with :class:`~numprec.study.spec.StaleMemberError`).
    executor : {"dask", "process", "serial"}
        Where the members run (:func:`numprec.cases.ensemble.run_ensemble`);
        the results do not depend on it.

    Returns
    -------
    (pathlib.Path, xarray.Dataset)
        report.md's path and the verdicts.
    """
    spec = load_study(path)
    if output is not None:
        spec.output = Path(output)
    with study_lock(spec.output):
        done = run_members(spec, executor=executor, scheduler=scheduler, workers=workers,
                           progress=progress, overwrite=overwrite)
        if progress and done.removed:
            print(f"{spec.name}: removed {done.removed} temporary file(s) left by an "
                  f"interrupted run", file=sys.stderr)
        if progress:
            extra = (f" ({done.replaced} replacing files of another setup)" if done.replaced
                     else "")
            print(f"{spec.name}: {done.ran} member files run{extra}, {done.reused} already "
                  f"on disk in {spec.output}", file=sys.stderr)
        return write_report(spec, done.verdicts), done.verdicts


def run_study_cli(args) -> int:
    """The ``study`` subcommand; returns the exit status."""
    if args.workers is not None and args.workers < 1:
        print("error: --workers must be a positive integer", file=sys.stderr)
        return 2
    try:
        report, result = run_study(args.file, scheduler=args.scheduler, workers=args.workers,
                                   output=args.output, overwrite=args.overwrite,
                                   executor=getattr(args, "executor", None) or "dask")
    except StudyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: the members on disk are complete; run the same command "
              "again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    from numprec.verify import to_text
    print(to_text(result))
    print(f"\nreport: {report}")
    return 0
