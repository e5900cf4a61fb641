"""How many threads the rounding kernels may use."""
from __future__ import annotations

import os

#: Arrays shorter than this are rounded on one thread.  On an idle machine
#: two threads halve the time from 4096 elements up, but when the other core
#: is busy (another process, dask workers) a parallel region waits up to a
#: scheduler time slice (~4-8 ms measured) for its second thread; below
#: 2**20 elements (~2 ms on one thread) that risk outweighs the gain.
PARALLEL_MIN_SIZE = 1 << 20


def _default_threads():
    env = os.environ.get("NUMPREC_NUM_THREADS")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


_threads = _default_threads()


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads in the rounding kernels (results never
    depend on it)."""
    global _threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    _threads = n


def get_num_threads() -> int:
    return _threads


def threads_for(size: int) -> int:
    return _threads if size >= PARALLEL_MIN_SIZE else 1
