"""Choosing block scales, and dividing by them without double rounding.

Two rules, selected by the scale format:

* power-of-two scales (E8M0 and any other eXm0 format): the OCP
  Microscaling Formats (MX) Specification v1.0 (2023), section 6.3:
  ``X = 2**(floor(log2(amax)) - emax_elem)``, where ``amax`` is the block's
  largest magnitude and ``emax_elem`` the exponent of the element format's
  largest normal number.  The exponent is clamped below at the scale's
  smallest exponent (-127 for E8M0; all-zero and tiny blocks); above its
  largest exponent (only reachable from float64 inputs beyond the FP32
  range) the scale is NaN, as in the OCP reference emulation library
  (microsoft/microxcaling), where an E8M0 overflow gives a NaN scale.
* scales with a significand (UE4M3, UE5M3, ...): NVIDIA's NVFP4 recipe
  (NVIDIA, "Pretraining large language models with NVFP4", arXiv
  2509.25149, 2025, section 2 and appendix; Transformer Engine):
  a per-tensor scale ``g = amax_tensor / (elem_max * scale_max)`` kept to
  FP32 precision (448 * 6 for E2M1 elements with UE4M3 scales), and block
  scales ``s = round_to_scale_format(amax_block / elem_max / g)`` (round to
  nearest even, saturating at the scale format's maximum).  Elements are
  ``x / (s * g)`` rounded to the element format; dequantised values are
  ``element * s * g``.

Every quotient is rounded once: ``x / d`` is computed to float64 with
round-to-odd (an exact residual from Dekker's product), which followed by
rounding to a format with at most 51 significand bits gives the correctly
rounded quotient (Boldo & Melquiond 2008, "Emulation of FMA and correctly
rounded sums: proved algorithms using rounding to odd", IEEE Trans.
Computers 57(4)).
"""
from __future__ import annotations

import numpy as np

import numprec

_SPLITTER = 134217729.0          # 2**27 + 1 (Veltkamp splitting of a double)
_TINY = 2.0 ** -1022
_SUBNORMAL_MIN = 5e-324


def _two_product(a, b):
    """(p, e) with p = fl(a*b) and p + e == a*b exactly (Dekker 1971)."""
    p = a * b
    ca = _SPLITTER * a
    a_hi = ca - (ca - a)
    a_lo = a - a_hi
    cb = _SPLITTER * b
    b_hi = cb - (cb - b)
    b_lo = b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


def divide_to_odd(x, d, significant_bits=None):
    """``x / d`` rounded to float64 with round-to-odd, elementwise.

    ``d`` must be positive and finite (typically one value per block,
    broadcast against ``x``).  Quotients below ``2**-1022`` in magnitude
    are replaced by ``+-2**-1074`` (their sign and non-zeroness is all a
    rounding to a coarse format needs).  Non-finite ``x`` gives non-finite
    results.

    ``significant_bits`` (optional, <= 50): the quotient will be rounded to
    a format whose values and midpoints have at most this many significant
    bits.  Then only quotients that land on such a number can be affected
    by the float64 rounding (no float64 lies strictly between the exact
    quotient and its nearest float64), so only those are checked - the
    others are returned rounded to nearest, which rounds the same way.
    """
    x, d = np.asarray(x, dtype=np.float64), np.asarray(d, dtype=np.float64)
    shape = np.broadcast_shapes(x.shape, d.shape)
    x, d = np.atleast_1d(x), np.atleast_1d(d)
    mant, exp = np.frexp(d)                      # d = mant * 2**exp
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        xs = np.atleast_1d(x * np.ldexp(1.0, -exp))     # exact unless it under/overflows
        q = np.atleast_1d(xs / mant)
        if significant_bits is not None and significant_bits <= 50:
            low = np.uint64((1 << (53 - significant_bits)) - 1)
            suspect = ((q.view(np.uint64) & low) == 0) & np.isfinite(q)
            idx = np.nonzero(suspect)
            mant_b = np.broadcast_to(mant, q.shape)[idx]
            qs, xss = q[idx], np.broadcast_to(xs, q.shape)[idx]
        else:
            idx, mant_b, qs, xss = ..., np.broadcast_to(mant, q.shape), q, xs
        p, e = _two_product(qs, mant_b)
        residual = (xss - p) - e                 # xss - p is exact (Sterbenz)
    inexact = (residual != 0) & np.isfinite(residual)
    if inexact.any():
        even = (qs.view(np.uint64) & np.uint64(1)) == 0
        nudge = inexact & even
        qs = np.where(nudge, np.nextafter(qs, np.where(residual > 0, np.inf, -np.inf)), qs)
        q[idx] = qs
    return _keep_tiny(q, x).reshape(shape)


def _keep_tiny(q, x):
    """Quotients that left float64's normal range keep sign and non-zeroness."""
    tiny = np.abs(q) < _TINY
    if tiny.any():
        fix = tiny & (x != 0)
        q[fix] = np.copysign(_SUBNORMAL_MIN, np.broadcast_to(x, q.shape)[fix])
    return q


def scale_by_power_of_two(x, exponent):
    """``x * 2**-exponent`` (``exponent`` integral, typically one per block),
    exact unless the quotient leaves float64's normal range, where it is
    treated as in :func:`divide_to_odd`."""
    with np.errstate(over="ignore", under="ignore"):
        q = x * np.ldexp(1.0, -np.asarray(exponent).astype(np.int64))
    return _keep_tiny(q, x)


def floor_log2(a):
    """``floor(log2(a))`` exactly, for positive finite float64 ``a``."""
    return np.frexp(a)[1] - 1


def power_of_two_exponents(amax, emax_elem, scale_fmt):
    """Shared exponents by the MX rule (NaN blocks -> NaN), as float64."""
    finite = np.isfinite(amax)
    positive = finite & (amax > 0)
    safe = np.where(positive, amax, 1.0)
    exponent = (floor_log2(safe) - emax_elem).astype(np.float64)
    exponent = np.where(positive, exponent, scale_fmt.emin)
    exponent = np.maximum(exponent, scale_fmt.emin)
    return np.where(finite & (exponent <= scale_fmt.emax), exponent, np.nan)


def tensor_scale(amax_tensor, elem_max, scale_fmt):
    """NVIDIA's per-tensor scale ``amax / (elem_max * scale_max)`` to 24
    significand bits (FP32 precision, float64's exponent range); 1.0 for an
    all-zero (or all non-finite) tensor."""
    if not np.isfinite(amax_tensor) or amax_tensor == 0:
        return 1.0
    denominator = elem_max * scale_fmt.max          # exact: few significand bits each
    q = divide_to_odd(np.float64(amax_tensor), denominator)
    return float(numprec.round(q, _FP32_PRECISION))


#: FP32's 24-bit significand with float64's exponent range
_FP32_PRECISION = numprec.FloatFormat(11, 23, name="e11m23")


def fitted_scales(amax, elem_max, scale_fmt, global_scale):
    """Block scales ``round_nearest_even(amax / elem_max / g)`` in the scale
    format, saturating at its maximum; NaN for non-finite blocks."""
    finite = np.isfinite(amax)
    target = divide_to_odd(np.where(finite, amax, 0.0), elem_max * global_scale)
    target = np.minimum(target, scale_fmt.max)
    scales = numprec.round(target, scale_fmt, "nearest_even")
    return np.where(finite, scales, np.nan)
