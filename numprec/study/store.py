"""The lock of a study's output directory.

Member files, verdicts, the report and the plot are written by
:mod:`numprec.io` (atomic, with the permissions the umask gives) through
the ensemble runner's :class:`numprec.cases.ensemble.MemberStore`.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from numprec.study.spec import StudyError

#: The lock file of a study's output directory (see :func:`study_lock`).
LOCK_NAME = ".numprec-study.lock"


class StudyBusyError(StudyError):
    """Another run of a study holds the lock of its output directory."""


@contextlib.contextmanager
def study_lock(root):
    """Hold the lock of a study's output directory for one run.

    Raises
    ------
    StudyBusyError
        If another process holds it (two runs into one directory would
        delete each other's temporaries).
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StudyBusyError(f"{root}: another study run is writing into this output "
                                 f"directory (it holds {LOCK_NAME}); wait for it or use "
                                 f"another --output") from None
        yield
    finally:
        os.close(fd)                      # releases the lock
