"""How many threads the rounding kernels may use."""
from __future__ import annotations

import os

#: Arrays shorter than this are rounded on one thread (measured: below it
#: starting threads costs more than it saves; see docs/performance.md).
PARALLEL_MIN_SIZE = 1 << 17


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
