"""How many threads the rounding kernels may use.

The default is every CPU the process may run on, or the environment variable
``NUMPREC_NUM_THREADS`` when it holds a positive integer; any other value is
reported with a :class:`RuntimeWarning` and the default is used (the thread
count never changes a result, only the speed).
"""
from __future__ import annotations

import os
import warnings

#: Arrays shorter than this are rounded on one thread.  On an idle machine
#: two threads halve the time from 4096 elements up, but when the other core
#: is busy (another process, dask workers) a parallel region waits up to a
#: scheduler time slice (~4-8 ms measured) for its second thread; below
#: 2**20 elements (~2 ms on one thread) that risk outweighs the gain.
PARALLEL_MIN_SIZE = 1 << 20


def _available_cpus():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _default_threads():
    env = os.environ.get("NUMPREC_NUM_THREADS")
    if not env:
        return _available_cpus()
    try:
        n = int(env)
    except ValueError:
        n = 0
    if n >= 1:
        return n
    cpus = _available_cpus()
    warnings.warn(f"NUMPREC_NUM_THREADS={env!r} is not a positive integer; "
                  f"using {cpus} thread(s), one per available CPU", RuntimeWarning,
                  stacklevel=2)
    return cpus


_threads = _default_threads()


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads in the rounding kernels (results never
    depend on it).

    Parameters
    ----------
    n : int
        A positive number of threads.  The default is the environment
        variable ``NUMPREC_NUM_THREADS`` or every CPU the process may run on.

    Examples
    --------
    >>> import numprec
    >>> before = numprec.get_num_threads()
    >>> numprec.set_num_threads(1)
    >>> numprec.get_num_threads()
    1
    >>> numprec.set_num_threads(before)
    """
    global _threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    _threads = n


def get_num_threads() -> int:
    """The number of threads the rounding kernels use at most (see
    :func:`set_num_threads`)."""
    return _threads


def threads_for(size: int) -> int:
    return _threads if size >= PARALLEL_MIN_SIZE else 1
