# cython: language_level=3
"""Exact sums, products and quotients as their 53-bit round-to-odd value.

The float64 result ``hi`` of an operation on two float64 values and the
sign of its exact error (``lo``, zero when exact) give the exact result
rounded to odd at 53 bits: ``hi`` itself if exact or if its last bit is
already 1, else ``hi`` moved one unit of its last place toward the error.
That value rounds to any format of ``p <= 52`` significand bits in every
directed mode and to odd exactly as the exact result does (an odd 53-bit
value is never a value of the format, and it lies strictly between the same
two neighbours of the format as the exact result), and in round-to-nearest
for ``p <= 51`` (Boldo & Melquiond 2008, "Emulation of FMA and correctly
rounded sums: proved algorithms using rounding to odd", IEEE Trans.
Comput. 57(4)).  The error of a sum is Knuth's TwoSum (Knuth, TAOCP vol. 2;
Møller 1965, "Quasi double-precision in floating point addition", BIT 5),
exact for every pair of finite float64 values; the errors of a product,
quotient and square root come from one fused multiply-add (exact unless
the result lies in or near float64's subnormal range).

:c:func:`odd_sums` and :c:func:`odd_products` tell a loop whether its
rounding mode and format need these; elsewhere (round-to-nearest of
formats with ``2p + 2 <= 53``, stochastic rounding) the plain float64
operation is kept.
"""
from libc.stdint cimport uint64_t
from libc.string cimport memcpy

cdef extern from "<math.h>" nogil:
    double c_fma "fma"(double x, double y, double z)
    double c_sqrt "sqrt"(double x)

cdef extern from *:
    """
    #define NUMPREC_ODD_EXPO 0x7FF0000000000000ULL
    #define NUMPREC_ODD_MAGN 0x7FFFFFFFFFFFFFFFULL
    #define NUMPREC_ODD_DMAX 0x7FEFFFFFFFFFFFFFULL
    """
    const uint64_t ODD_EXPO "NUMPREC_ODD_EXPO"
    const uint64_t ODD_MAGN "NUMPREC_ODD_MAGN"
    const uint64_t ODD_DMAX "NUMPREC_ODD_DMAX"


cdef inline bint odd_sums(int mode, long m) noexcept nogil:
    """Whether a loop rounding sums to a format of ``m`` fraction bits with
    rounding ``mode`` must use the round-to-odd sums: the directed modes
    (toward_zero 2, up 3, down 4) and round-to-odd (5) for ``m <= 51``; the
    nearest modes (0, 1) where float64 has fewer than ``2p + 2`` bits (p =
    m + 1: ``25 <= m <= 50``), below which the float64 sum rounds to
    nearest correctly (Figueroa 1995) and is kept."""
    return (2 <= mode <= 5 and m <= 51) or (mode <= 1 and 25 <= m <= 50)


cdef inline bint odd_products(int mode, long m) noexcept nogil:
    """Whether products and quotients need the round-to-odd forms: as
    :c:func:`odd_sums` but only for ``m >= 25`` (a product of two values of
    ``p <= 26`` bits is exact in float64, and their quotient or square root,
    unless exact, is too far from every value of the format and every
    midpoint for the float64 rounding to change the result)."""
    return odd_sums(mode, m) and m >= 25


cdef inline uint64_t odd_bits(uint64_t h, uint64_t esign, bint inexact) noexcept nogil:
    """Round-to-odd pattern from the float64 result ``h`` (bits), the sign
    bit of its exact error ``esign`` (bit 63) and whether it is inexact.
    Branch-free; NaN and infinite ``h`` are returned unchanged."""
    cdef uint64_t move = ((1 if inexact else 0) & ((h & 1) ^ 1)
                          & (1 if (h & ODD_EXPO) != ODD_EXPO else 0))
    cdef uint64_t same = (((h ^ esign) >> 63) ^ 1) & move
    return h + same - (move ^ same)


cdef inline double odd_sum(double a, double b) noexcept nogil:
    """``a + b`` rounded to odd at 53 bits (TwoSum's error).  A sum of two
    finite values that overflows float64 gives the largest finite float64
    (odd) of its sign: it lies beyond every format's largest value."""
    cdef double hi = a + b
    cdef double bb = hi - a
    cdef double lo = (a - (hi - bb)) + (b - bb)
    cdef uint64_t h, l, ua, ub
    memcpy(&h, &hi, 8)
    memcpy(&l, &lo, 8)
    memcpy(&ua, &a, 8)
    memcpy(&ub, &b, 8)
    h = odd_bits(h, l, (l << 1) != 0)
    cdef bint over = (((h & ODD_MAGN) == ODD_EXPO) & ((ua & ODD_EXPO) != ODD_EXPO)
                      & ((ub & ODD_EXPO) != ODD_EXPO))
    h = ((h & ~ODD_MAGN) | ODD_DMAX) if over else h
    memcpy(&hi, &h, 8)
    return hi


cdef inline double odd_product(double a, double b) noexcept nogil:
    """``a * b`` rounded to odd at 53 bits (error by fused multiply-add;
    exact where neither the product nor its error underflows float64).
    An overflow of finite operands gives the largest finite float64."""
    cdef double hi = a * b
    cdef double lo = c_fma(a, b, -hi)
    cdef uint64_t h, l, ua, ub
    memcpy(&h, &hi, 8)
    memcpy(&l, &lo, 8)
    memcpy(&ua, &a, 8)
    memcpy(&ub, &b, 8)
    h = odd_bits(h, l, (l << 1) != 0)
    cdef bint over = (((h & ODD_MAGN) == ODD_EXPO) & ((ua & ODD_EXPO) != ODD_EXPO)
                      & ((ub & ODD_EXPO) != ODD_EXPO))
    h = ((h & ~ODD_MAGN) | ODD_DMAX) if over else h
    memcpy(&hi, &h, 8)
    return hi


cdef inline double odd_quotient(double a, double b) noexcept nogil:
    """``a / b`` rounded to odd at 53 bits: the remainder ``a - q*b``
    (exact by fused multiply-add unless it underflows) has the sign of the
    error times the sign of ``b``.  An overflow of finite operands (b != 0)
    gives the largest finite float64."""
    cdef double q = a / b
    cdef double r = c_fma(-q, b, a)
    cdef uint64_t h, ur, ua, ub
    memcpy(&h, &q, 8)
    memcpy(&ur, &r, 8)
    memcpy(&ua, &a, 8)
    memcpy(&ub, &b, 8)
    h = odd_bits(h, ur ^ ub, (ur << 1) != 0)
    cdef bint over = (((h & ODD_MAGN) == ODD_EXPO) & ((ua & ODD_EXPO) != ODD_EXPO)
                      & ((ub & ODD_EXPO) != ODD_EXPO) & ((ub << 1) != 0))
    h = ((h & ~ODD_MAGN) | ODD_DMAX) if over else h
    memcpy(&q, &h, 8)
    return q


cdef inline double odd_sqrt(double a) noexcept nogil:
    """``sqrt(a)`` rounded to odd at 53 bits (remainder ``a - q*q`` by
    fused multiply-add)."""
    cdef double q = c_sqrt(a)
    cdef double r = c_fma(-q, q, a)
    cdef uint64_t h, ur
    memcpy(&h, &q, 8)
    memcpy(&ur, &r, 8)
    h = odd_bits(h, ur, (ur << 1) != 0)
    memcpy(&q, &h, 8)
    return q
