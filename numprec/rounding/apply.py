"""Run a kernel spec over arrays of any layout."""
from __future__ import annotations

import math

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
    """Third-party schemes: pick between the two neighbours with ``select``.

    ``select(x, lower, upper, u)`` gets float64 arrays (float32 ``x`` is
    converted exactly) in which ``lower <= x <= upper`` are the nearest
    values of the format, equal when ``x`` is one.  Beyond the largest
    finite value ``max`` the neighbours stay finite: ``lower = max`` and
    ``upper = after``, the value that follows ``max`` in the format's
    precision (``max + ulp(max)``, what a wider exponent range would hold
    next; inf only where that is 2**1024), mirrored for negative ``x``.
    A result of ``+-after`` then becomes the format's overflow value (inf,
    NaN or ``+-max``, as the built-in schemes give when they round away
    from zero past ``max``), so a nearest scheme overflows exactly where
    ``nearest_even`` does, and ``lower``/``upper`` are always consecutive
    multiples of their gap (their parity decides ties).  Infinite and NaN
    ``x`` get ``lower == upper`` = the format's value for them.
    """
    from numprec.rounding.schemes import BUILTIN

    def by_mode(values, mode):
        result = np.array(values, dtype=np.float64)
        round_with_spec(result, result, spec, BUILTIN[mode], rng)
        return result

    huge = np.finfo(np.float64).max

    def largest_and_after():
        """The format's largest finite value and the value following it."""
        top = float(by_mode([huge], "down")[0])
        if top == huge or not top > 0:
            return top, math.inf
        mantissa, _ = math.frexp(top)
        if mantissa != 0.5:            # the predecessor is in max's binade
            return top, top + (top - float(by_mode([np.nextafter(top, 0.0)], "down")[0]))
        # max is a power of two: precision 1 (gap max), or the one bit of
        # an "fn" format's top binade (gap max / 2), told apart by 0.75 max
        # or by where nearest rounding overflows.
        three_quarters, past = by_mode([0.75 * top], "down")[0], by_mode([1.375 * top], "nearest_even")[0]
        one_bit = three_quarters == 0.75 * top or past != top
        return top, top + (top / 2 if one_bit else top)

    shape = x.shape
    xd = np.array(x, dtype=np.float64, order="C")
    lower, upper = by_mode(xd, "down"), by_mode(xd, "up")
    top, after = largest_and_after()
    with np.errstate(invalid="ignore"):
        beyond = np.isfinite(xd) & (np.abs(xd) > top)
    if beyond.any():
        positive = beyond & (xd > 0)
        negative = beyond & (xd < 0) & ~np.isnan(by_mode([-huge], "up")[0])   # signed
        lower[positive], upper[positive] = top, after
        lower[negative], upper[negative] = -after, -top
    u = rng.uniform(xd.size).reshape(shape)
    result = np.array(scheme.select(xd, lower, upper, u), dtype=np.float64)
    if result.shape != shape:
        raise ValueError(f"rounding scheme {scheme.name!r}: select returned shape "
                         f"{result.shape}, expected x's shape {shape}")
    nan_allowed = np.isnan(lower) | np.isnan(upper)
    good = (result == lower) | (result == upper) | (np.isnan(result) & nan_allowed)
    if not good.all():
        raise ValueError(f"rounding scheme {scheme.name!r} returned a value that is not one "
                         "of the two neighbours of its input")
    if beyond.any() and after != math.inf:
        overflow_up, overflow_down = by_mode([huge, -huge], "up")[0], by_mode([-huge], "down")[0]
        result[result == after] = overflow_up
        result[result == -after] = overflow_down
    out[...] = result
