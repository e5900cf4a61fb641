"""Vectorised rounding of float64 values to posit<n, es>.

The method works on the float64 bit pattern with numpy integer operations,
one pass per step and no per-element Python code.

A positive posit with regime k, exponent e (``es`` bits) and fraction f has
the value ``2**(k * 2**es + e) * (1 + f)``.  Its body (the bits after the
sign) is the regime run (``k + 1`` ones and a zero for ``k >= 0``, ``-k``
zeros and a one for ``k < 0``; ``r`` bits in all), then the exponent, then
the fraction, cut to ``n - 1`` bits.  The posit standard (Posit Working
Group, "Standard for Posit Arithmetic", 2022, section 4) rounds a real
number by writing its encoding with unlimited precision and rounding that
bit string to ``n - 1`` bits, to nearest with ties to the even pattern;
``|x| > maxpos`` gives ``maxpos`` and ``0 < |x| < minpos`` gives
``minpos`` (a nonzero value never becomes 0 or NaR).

For ``minpos <= |x| < maxpos`` the discarded bits of that bit string lie
entirely in the exponent and fraction, because the regime of such an
``x`` fits in ``n - 1`` bits.  With the float64 scale ``sc = k * 2**es + e``
we build the 64-bit word ``W = ((sc + 1024) << 52) | fraction``: since
1024 is a multiple of ``2**es`` (es <= 4) the low ``es`` bits of
``sc + 1024`` are ``e``, so the bits of ``W`` from bit ``52 + es``
downwards are exactly exponent-then-fraction of the posit body.  Keeping
``fb = n - 1 - r - es`` fraction bits (negative when exponent bits are cut)
means cutting ``W`` at bit ``s = 52 - fb``; adding one unit at bit ``s``
gives the next posit up (carries run from fraction into exponent into the
regime as in the encoding, because ``useed = 2**(2**es)``).  The only bit
``W`` does not hold is the pattern's last bit when the whole body is regime
(``fb == -es``): that bit is the regime's terminator, 0 for ``k >= 0`` and
1 for ``k < 0``.  Finally ``W - (1 << 52)`` is the float64 bit pattern of
the result (bias 1024 -> 1023).
"""
from __future__ import annotations

import numpy as np

_SIGN = np.uint64(1 << 63)
_ABS = np.uint64((1 << 63) - 1)
_FRAC = np.uint64((1 << 52) - 1)
_INF = np.uint64(0x7FF0000000000000)
_QNAN = np.uint64(0x7FF8000000000000)
_BIAS_SHIFT = np.uint64(1 << 52)      # (1024 - 1023) << 52
_ONE = np.uint64(1)

#: rounding schemes computed here; others fall back to ``scheme.select``
MODES = ("nearest_even", "nearest_away", "toward_zero", "up", "down", "odd",
         "stochastic", "stochastic_uniform")


def _float_bits(value: float) -> np.uint64:
    return np.array(value, dtype=np.float64).view(np.uint64)[()]


class PositNeighbours:
    """The two posits around each value of a float64 chunk.

    Attributes (uint64 arrays of float64 bit patterns, magnitudes only):
    ``lower`` (the pattern truncated toward zero), ``upper`` (the next
    pattern away from zero; equal to ``lower`` when ``|x|`` is a posit or
    saturates), plus what the rounding modes need: ``low`` (discarded
    bits), ``half``, ``lsb`` (last bit of the truncated pattern), ``sign``,
    ``special`` (NaN/inf) and the bit position ``s``.
    """

    def __init__(self, bits: np.ndarray, nbits: int, es: int, maxpos: float, minpos: float):
        self.sign = bits & _SIGN
        a = bits & _ABS
        self.special = a >= _INF
        self.zero = a == 0
        sc = (a >> np.uint64(52)).astype(np.int64) - 1023
        k = sc >> es                                     # floor(sc / 2**es)
        regime_len = np.where(k >= 0, k + 2, 1 - k)
        fb = (nbits - 1 - es) - regime_len               # kept fraction bits
        s = np.clip(52 - fb, 0, 62).astype(np.uint64)    # clip: only saturated values leave [23, 56]
        w = ((sc + 1024).astype(np.uint64) << np.uint64(52)) | (a & _FRAC)
        ulp = _ONE << s
        mask = ulp - _ONE
        self.low = w & mask
        self.half = ulp >> _ONE
        self.ulp = ulp
        self.s = s
        self.lsb = np.where(fb == -es, (k < 0).astype(np.uint64), (w >> s) & _ONE)
        trunc = w & ~mask
        lower = trunc - _BIAS_SHIFT
        upper = trunc + ulp - _BIAS_SHIFT
        maxb, minb = _float_bits(maxpos), _float_bits(minpos)
        sat_hi, sat_lo = a >= maxb, a <= minb
        saturated = sat_hi | sat_lo
        lower = np.where(sat_hi, maxb, np.where(sat_lo, minb, lower))
        self.lower = np.where(self.zero, np.uint64(0), lower)
        self.upper = np.where(saturated | (self.low == 0), self.lower, upper)
        self.low = np.where(saturated, np.uint64(0), self.low)
        self.exact_or_saturated = saturated | (self.low == 0) | self.zero
        self.magnitude = a

    def pick(self, inc: np.ndarray) -> np.ndarray:
        """float64 bit patterns of the result: ``upper`` where ``inc``, with
        the sign restored (posits have one zero: -0 -> +0) and NaN for
        NaN/inf (NaR)."""
        mag = np.where(inc, self.upper, self.lower)
        res = mag | np.where(mag == 0, np.uint64(0), self.sign)
        return np.where(self.special, _QNAN, res)


def increments(nb: PositNeighbours, mode: str, u53: np.ndarray | None, random_bits: int):
    """Whether each value rounds away from zero (to ``upper``) under ``mode``.

    ``u53`` holds 53 random bits per element (as uint64) for the stochastic
    modes; ``random_bits`` (1..53) limits how many of them are used, as
    numprec's float kernel does: the top ``random_bits`` bits are added
    below the kept last bit and the sum is truncated.
    """
    inexact = ~nb.exact_or_saturated
    negative = nb.sign != 0
    if mode == "nearest_even":
        return inexact & ((nb.low > nb.half) | ((nb.low == nb.half) & (nb.lsb == 1)))
    if mode == "nearest_away":
        return inexact & (nb.low >= nb.half)
    if mode == "toward_zero":
        return np.zeros(nb.low.shape, dtype=bool)
    if mode == "up":
        return inexact & ~negative
    if mode == "down":
        return inexact & negative
    if mode == "odd":
        return inexact & (nb.lsb == 0)
    if mode == "stochastic_uniform":
        return inexact & ((u53 >> np.uint64(52)) == 1)
    if mode == "stochastic":
        return inexact & _stochastic_up(nb, u53, random_bits)
    raise ValueError(f"rounding: posit formats do not implement {mode!r}")


def _stochastic_up(nb, u53, random_bits):
    """Up with probability (|x| - lower) / (upper - lower).

    Where fraction bits are kept (s <= 52) the value is linear in the
    discarded bits, so adding random bits and truncating is exact, as in
    numprec's float kernel.  Where exponent bits are cut (s > 52) the
    value is not linear in them; there the probability is computed from
    the values (float64 division, relative error below 2**-52).
    """
    rb = np.minimum(np.uint64(random_bits), nb.s)
    rb_safe = np.maximum(rb, _ONE)
    rand = (u53 >> (np.uint64(53) - rb_safe)) << (nb.s - rb_safe)
    linear_up = (nb.low + rand) >= nb.ulp
    lower = nb.lower.view(np.float64)
    upper = nb.upper.view(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = (nb.magnitude.view(np.float64) - lower) / (upper - lower)
    ur = (u53 >> np.uint64(53 - random_bits)).astype(np.float64) * 2.0 ** -random_bits
    value_up = p >= 1.0 - ur
    return np.where(nb.s <= 52, linear_up, value_up)


def round_nearest_even(bits: np.ndarray, nbits: int, es: int, maxpos: float, minpos: float):
    """Round-to-nearest-even fast path: float64 bit patterns in, out.

    The same computation as :class:`PositNeighbours` with fewer temporaries.
    Saturation is done by clamping ``|x|`` into ``[minpos, maxpos)`` first:
    the largest float64 below ``maxpos`` lies above the last midpoint below
    ``maxpos``, so it rounds to ``maxpos`` (this shortcut is valid for
    round-to-nearest only).
    """
    sign = bits & _SIGN
    a = bits & _ABS
    special = a >= _INF
    zero = a == 0
    np.clip(a, _float_bits(minpos), _float_bits(maxpos) - _ONE, out=a)
    sc = (a >> np.uint64(52)).view(np.int64)
    sc -= 1023
    k = sc >> es
    regime_only = k < 0                     # last pattern bit of a full-regime body
    np.abs(k, out=k)
    k += np.where(regime_only, 1, 2)        # regime length r
    s = k.view(np.uint64)
    s += np.uint64(52 + 1 + es - nbits)     # s = 52 - fb = 52 - (n - 1 - r - es)
    full_regime = s == np.uint64(52 + es)
    w = a + _BIAS_SHIFT                     # ((sc + 1024) << 52) | fraction
    half = _ONE << (s - _ONE)
    low = w & ((half << _ONE) - _ONE)
    lsb = np.where(full_regime, regime_only, ((w >> s) & _ONE).astype(bool))
    up = (low > half) | ((low == half) & lsb)
    w -= low
    w += up.astype(np.uint64) << s
    w -= _BIAS_SHIFT
    w |= sign
    w[zero] = 0
    w[special] = _QNAN
    return w
