"""An exact posit oracle written from the Posit Standard (2022), with fractions.

Independent of the plugin's bit manipulation: a posit is decoded from its
bit string field by field (sign, regime run, exponent, fraction), and a
real number is rounded by searching the ordered posits and comparing with
the midpoint, which in the standard's sense (round the encoding extended
with more bits) is the (n+1)-bit posit whose pattern is 2p+1.
"""
import bisect
from fractions import Fraction


def decode(pattern, nbits, es):
    """Value of the positive nbits-wide posit bit pattern (0 < pattern < 2**(nbits-1))."""
    body = format(pattern, f"0{nbits}b")[1:]        # the bits after the sign
    first = body[0]
    run = len(body) - len(body.lstrip(first))
    k = run - 1 if first == "1" else -run
    rest = body[run + 1:]                           # after the regime's terminator
    exponent = int(rest[:es].ljust(es, "0"), 2) if es else 0   # cut bits count as 0
    fraction_bits = rest[es:]
    fraction = Fraction(int(fraction_bits, 2), 2 ** len(fraction_bits)) if fraction_bits else 0
    return Fraction(2) ** (k * 2 ** es + exponent) * (1 + fraction)


class Posits:
    """posit<nbits, es>: neighbours and rounding of exact real numbers.

    With ``table=True`` every positive posit and midpoint is decoded once
    (fine up to 16 bits); otherwise patterns are found by binary search.
    """

    def __init__(self, nbits, es, table=True):
        self.nbits, self.es = nbits, es
        self.top = 2 ** (nbits - 1) - 1                  # pattern of maxpos
        self.values = self.mids = None
        if table:
            self.values = [self.value(p) for p in range(1, self.top + 1)]
            self.mids = [self.midpoint(p) for p in range(1, self.top)]
        self.minpos, self.maxpos = self.value(1), self.value(self.top)

    def value(self, pattern):
        if self.values is not None:
            return self.values[pattern - 1]
        return decode(pattern, self.nbits, self.es)

    def midpoint(self, pattern):
        """The value halfway (in the encoding) between ``pattern`` and ``pattern + 1``."""
        if self.mids is not None:
            return self.mids[pattern - 1]
        return decode(2 * pattern + 1, self.nbits + 1, self.es)

    def pattern_at_or_below(self, a):
        """Largest pattern whose value is <= a (posits are ordered like patterns)."""
        if self.values is not None:
            return bisect.bisect_right(self.values, a)
        lo, hi = 1, self.top
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.value(mid) <= a:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def neighbours(self, x):
        """(lower, upper) posits around |x|, saturating at minpos and maxpos."""
        a = abs(Fraction(x))
        if a <= self.minpos:
            return self.minpos, self.minpos
        if a >= self.maxpos:
            return self.maxpos, self.maxpos
        p = self.pattern_at_or_below(a)
        low = self.value(p)
        return (low, low) if low == a else (low, self.value(p + 1))

    def round_nearest_even(self, x):
        """x rounded by the standard's rule, as a Fraction (0 stays 0)."""
        x = Fraction(x)
        if x == 0:
            return Fraction(0)
        sign = -1 if x < 0 else 1
        a = abs(x)
        low, high = self.neighbours(a)
        if low == high:
            return sign * low
        p = self.pattern_at_or_below(a)
        midpoint = self.midpoint(p)
        if a < midpoint:
            return sign * low
        if a > midpoint:
            return sign * high
        return sign * (low if p % 2 == 0 else high)

    def all_positive(self):
        return list(self.values)

    def all_midpoints(self):
        return list(self.mids)
