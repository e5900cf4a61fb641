"""Exact real inputs (Python ints, Fractions) that float64 cannot hold.

``numpy.float64(5 * 2**52 + 1)`` is already rounded; rounding that again to
a narrower format can give the wrong answer (double rounding).  An exact
input is instead rounded once to float64 *to odd* (truncate, then set the
last bit if anything was cut off).  Rounding that value to a format of
precision p <= 51 in any deterministic mode gives the same result as
rounding the exact input: Boldo & Melquiond (2008), "Emulation of FMA and
correctly rounded sums: proved algorithms using rounding to odd", IEEE
Transactions on Computers 57(4).  Other cases are refused.
"""
from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np

#: float64's largest finite value and its significand (odd: all ones).
_MAX64 = float(np.finfo(np.float64).max)


def to_float64(value):
    """``(float, exact)`` for a real number: the float64 equal to ``value``
    when there is one (``exact`` True), else its round-to-odd float64."""
    if isinstance(value, float):
        return value, True
    q = Fraction(value)
    try:
        f = float(q)
    except OverflowError:
        f = math.inf
    if math.isfinite(f) and Fraction(f) == q:
        return f, True
    return round_to_odd(q), False


def round_to_odd(q: Fraction) -> float:
    """``q`` rounded to float64 to odd: truncated to 53 bits, the last bit
    set if the truncation was inexact; beyond float64's max, +-max (odd).

    Raises
    ------
    ValueError
        For inexact values below float64's normal range, where float64 has
        too few bits for the result to be exact after a second rounding.
    """
    sign = -1.0 if q < 0 else 1.0
    a = abs(q)
    if a > Fraction(_MAX64):
        return sign * _MAX64
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:          # e = floor(log2(a))
        e -= 1
    if e < -1022:
        raise ValueError(f"x={float(q)!r} is not exactly a float64 and lies below "
                         "float64's normal range; numprec cannot round it exactly")
    scaled = a / Fraction(2) ** (e - 52)          # in [2**52, 2**53)
    t = scaled.numerator // scaled.denominator
    if t != scaled:
        t |= 1
    return sign * math.ldexp(float(t), e - 52)


def check_inexact_allowed(fmt, scheme):
    """Raise unless rounding an odd-rounded float64 to ``fmt`` with ``scheme``
    equals rounding the exact input (a FloatFormat with mantissa_bits <= 50
    and a deterministic scheme of the kernel)."""
    from numprec.formats.float_format import FloatFormat

    if (isinstance(fmt, FloatFormat) and fmt.mantissa_bits <= 50 and not scheme.stochastic
            and scheme.mode is not None):
        return
    raise ValueError(f"x is not exactly a float64; numprec rounds such exact inputs only to "
                     f"FloatFormats with mantissa_bits <= 50 and deterministic built-in "
                     f"rounding (got fmt {fmt.name!r}, rounding {scheme.name!r}); "
                     "pass a float")


def exact_array(values) -> tuple[np.ndarray, bool]:
    """A float64 array of ``values`` (a nested list/tuple or object array of
    reals) and whether every element was exact."""
    obj = np.array(values, dtype=object)
    flat = obj.reshape(-1)
    out = np.empty(flat.shape, dtype=np.float64)
    exact = True
    for i, v in enumerate(flat):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"x must contain real numbers, got {type(v).__name__}")
        if isinstance(v, np.generic):
            v = v.item()
        out[i], ok = to_float64(v)
        exact &= ok
    return out.reshape(obj.shape), exact
