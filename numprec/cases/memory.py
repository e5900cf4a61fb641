"""Freed memory kept in the process: glibc's malloc tuned for array-heavy runs.

With glibc's default settings a large temporary array (above a threshold that
starts at 128 KiB) is a fresh ``mmap`` that ``free`` returns to the system, so
every new array page-faults on first touch: about 8400 page faults per
emulated T30 step of the SPEEDY-style core, which made the step up to 45 %
slower and a T21 double step twice as slow (docs/performance.md, "SPEEDY-style
dry core").  :func:`tune_malloc` keeps that memory in the process; results
never change.  The case command lines (``python -m numprec.cases.NAME``) call
it when they start; a library import never does.

Reference: the GNU C Library manual, "Memory Allocation Tunables", and
mallopt(3) (``M_MMAP_THRESHOLD``, ``M_TRIM_THRESHOLD``, ``M_TOP_PAD``).
"""
from __future__ import annotations

import ctypes
import os

#: glibc's mallopt parameter numbers (malloc.h).
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
#: The environment variables with which a user sets the same parameters;
#: when any is set, :func:`tune_malloc` leaves malloc as the user chose.
ENVIRONMENT = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
#: Arrays up to 32 MiB (the largest mmap threshold glibc accepts on 64-bit)
#: from the heap; the heap trimmed only above 1 GiB free; 64 MiB top padding.
SETTINGS = {M_MMAP_THRESHOLD: 1 << 25, M_TRIM_THRESHOLD: 1 << 30, M_TOP_PAD: 1 << 26}


def tune_malloc() -> bool:
    """Keep freed memory in the process (glibc's ``mallopt``, :data:`SETTINGS`).

    The same as starting the process with ``MALLOC_MMAP_THRESHOLD_=33554432
    MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=67108864``.

    Returns
    -------
    bool
        True if glibc took the settings; False where there is no glibc
        ``mallopt``, where it refused a value, or where one of
        :data:`ENVIRONMENT` is set (then nothing is changed).
    """
    if any(name in os.environ for name in ENVIRONMENT):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return all([mallopt(param, value) == 1 for param, value in SETTINGS.items()])
