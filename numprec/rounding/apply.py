"""Run a kernel spec over arrays of any layout."""
from __future__ import annotations

import numpy as np

from numprec.rounding.threads import threads_for


def round_with_spec(x, out, spec, scheme, rng):
    """Round ``x`` into ``out`` with a float kernel ``spec``.

    Contiguous arrays go straight to the kernel; other layouts are copied to
    C order first so that element ``i`` always means flat C-order index ``i``
    (the random counter), whatever the memory layout.
    """
    if scheme.mode is None:
        _round_by_select(x, out, spec, scheme, rng)
        return
    from numprec._kernels.floatround import round_array
    rbits = 64 if rng.bits is None else rng.bits
    if x.flags.c_contiguous and out.flags.c_contiguous:
        flat_x, flat_out = x.reshape(-1), out.reshape(-1)
        round_array(flat_x, flat_out, spec, scheme.mode, rng.key, rng.offset, rbits,
                    threads_for(flat_x.size))
        return
    work = np.ascontiguousarray(x).reshape(-1)
    if work is x or np.shares_memory(work, x):
        work = work.copy()
    round_array(work, work, spec, scheme.mode, rng.key, rng.offset, rbits,
                threads_for(work.size))
    out[...] = work.reshape(x.shape)


def _round_by_select(x, out, spec, scheme, rng):
    """Third-party schemes: pick between the two neighbours with ``select``."""
    from numprec.rounding.schemes import BUILTIN

    lower = np.empty_like(x, order="C")
    upper = np.empty_like(x, order="C")
    round_with_spec(x, lower, spec, BUILTIN["down"], rng)
    round_with_spec(x, upper, spec, BUILTIN["up"], rng)
    u = rng.uniform(x.size).reshape(x.shape)
    result = np.asarray(scheme.select(np.ascontiguousarray(x), lower, upper, u), dtype=x.dtype)
    bad = ~((result == lower) | (result == upper) | np.isnan(result))
    if bad.any():
        raise ValueError(f"rounding scheme {scheme.name!r} returned a value that is not one "
                         "of the two neighbours of its input")
    out[...] = result
