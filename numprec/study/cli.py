"""``python -m numprec study FILE``."""
from __future__ import annotations

import sys
from pathlib import Path

from numprec.study.report import write_report
from numprec.study.runner import run_members, verify_study
from numprec.study.spec import StudyFileError, load_study


def run_study(path, *, scheduler=None, workers=None, output=None, progress=True):
    """Run (or resume) a study file and write its report; returns report.md's path."""
    spec = load_study(path)
    if output is not None:
        spec.output = Path(output)
    before, ran = run_members(spec, scheduler=scheduler, workers=workers, progress=progress)
    if progress:
        print(f"{spec.name}: {ran} members run, {before} already on disk in {spec.output}",
              file=sys.stderr)
    result = verify_study(spec)
    return write_report(spec, result), result


def run_study_cli(args) -> int:
    if args.workers is not None and args.workers < 1:
        print("error: --workers must be a positive integer", file=sys.stderr)
        return 2
    try:
        report, result = run_study(args.file, scheduler=args.scheduler, workers=args.workers,
                                   output=args.output)
    except StudyFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from numprec.verify import to_text
    print(to_text(result))
    print(f"\nreport: {report}")
    return 0
