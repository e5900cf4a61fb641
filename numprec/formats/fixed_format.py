"""Fixed-point and integer formats (two's complement or unsigned)."""
from __future__ import annotations

import math

import numpy as np

from numprec.formats.base import Format
from numprec.formats.validate import INF_BITS, check_int, float64_bits

FIXED_OVERFLOW = ("saturate", "wrap")


class FixedFormat(Format):
    """Fixed-point numbers ``k * 2**-fraction_bits`` with integer ``k``.

    Parameters
    ----------
    integer_bits : int
        Bits left of the binary point, not counting the sign bit.
    fraction_bits : int
        Bits right of the binary point.
    signed : bool
        Two's complement with ``1 + integer_bits + fraction_bits`` bits in
        all (range ``[-2**i, 2**i - 2**-f]``), else unsigned
        (``[0, 2**i - 2**-f]``).
    overflow : {"saturate", "wrap"}
        Out-of-range results clamp to the range, or wrap modulo
        ``2**(total bits)`` units like integer hardware (Q-format DSP
        arithmetic).  Under "wrap" infinite inputs give NaN.

    Notes
    -----
    The value is first rounded to an integer number of units by the
    rounding scheme (the same kernel as the float formats), then saturated
    or wrapped, so every scheme, stochastic ones included, applies.  There
    is no negative zero: -0 becomes +0.
    """

    format_id = "fixed"

    def __init__(self, integer_bits, fraction_bits, signed=True, overflow="saturate", *,
                 name=None):
        self._i = check_int(integer_bits, "integer_bits", 0, 1023)
        self._f = check_int(fraction_bits, "fraction_bits", 0, 1023)
        total = self._i + self._f + int(bool(signed))
        if not 1 <= total <= 53:
            raise ValueError(f"integer_bits + fraction_bits (+1 if signed) must be in 1..53 "
                             f"so that every value fits float64, got {total}")
        if overflow not in FIXED_OVERFLOW:
            raise ValueError(f"overflow must be one of {FIXED_OVERFLOW}, got {overflow!r}")
        self._signed = bool(signed)
        self._overflow = overflow
        self._total = total
        self._name = name if name is not None else self._default_name()

    def _default_name(self):
        base = f"{'s' if self._signed else 'u'}q{self._i}.{self._f}"
        return base if self._overflow == "saturate" else base + "_wrap"

    @property
    def name(self):
        """The format's name: ``"sqI.F"`` or ``"uqI.F"`` (``"_wrap"`` appended
        under ``overflow="wrap"``) unless one was given."""
        return self._name

    integer_bits = property(lambda self: self._i,
                            doc="Bits left of the binary point, not counting the sign bit.")
    fraction_bits = property(lambda self: self._f, doc="Bits right of the binary point.")
    signed = property(lambda self: self._signed,
                      doc="True for two's complement, False for unsigned.")
    overflow = property(lambda self: self._overflow,
                        doc='What out-of-range results do: ``"saturate"`` or ``"wrap"``.')
    bits = property(lambda self: self._total, doc="Storage width in bits.")

    @property
    def eps(self):
        """Spacing of the values, ``2**-fraction_bits``."""
        return math.ldexp(1.0, -self._f)

    @property
    def max(self):
        """The largest value, ``2**integer_bits - 2**-fraction_bits``."""
        return math.ldexp(2.0 ** self._i - 2.0 ** -self._f, 0)

    @property
    def min(self):
        """The smallest value: ``-2**integer_bits`` if signed, else 0."""
        return -math.ldexp(1.0, self._i) if self._signed else 0.0

    def get_config(self):
        return {"id": self.format_id, "name": self._name, "integer_bits": self._i,
                "fraction_bits": self._f, "signed": self._signed,
                "overflow": self._overflow}

    def check_dtype(self, dtype):
        if dtype == np.float32 and (self._total > 24 or self._f > 149 - 24):
            raise ValueError(f"fmt {self._name!r} has {self._total} bits; float32 x holds "
                             "at most 24-bit fixed-point values exactly: pass x as float64")

    def round_into(self, x, out, scheme, key):
        from numprec.rounding.apply import round_with_spec
        lo = -(2.0 ** (self._total - 1)) if self._signed else 0.0
        hi = 2.0 ** (self._total - 1 if self._signed else self._total) - 1.0
        modulus = 2.0 ** self._total
        with np.errstate(invalid="ignore"):
            # Bring x into range before scaling so that 2**f * x cannot
            # overflow; neither step changes the rounded, saturated or
            # wrapped result: fmod keeps the sign and the fraction (in units)
            # and removes whole moduli; values beyond the range saturate.
            if self._overflow == "wrap":
                units = np.fmod(x, np.ldexp(modulus, -self._f), dtype=np.float64)
            else:
                units = np.clip(x, np.ldexp(lo - 1, -self._f), np.ldexp(hi + 1, -self._f),
                                dtype=np.float64)
            np.ldexp(units, self._f, out=units)             # exact: a power-of-two scale
            round_with_spec(units, units, _integer_spec(), scheme, key)
            if self._overflow == "saturate":
                np.clip(units, lo, hi, out=units)
            else:
                np.fmod(units, modulus, out=units)           # exact
                units[units > hi] -= modulus
                units[units < lo] += modulus
        units += 0.0                                         # -0 -> +0
        np.ldexp(units, -self._f, out=units)
        out[...] = units


class IntFormat(FixedFormat):
    """Integers of ``bits`` bits: ``FixedFormat(bits - 1, 0)`` when signed,
    ``FixedFormat(bits, 0, signed=False)`` otherwise."""

    format_id = "int"

    def __init__(self, bits, signed=True, overflow="saturate", *, name=None):
        b = check_int(bits, "bits", 1, 53)
        default = f"{'int' if signed else 'uint'}{b}" + ("" if overflow == "saturate" else "_wrap")
        super().__init__(b - 1 if signed else b, 0, signed, overflow,
                         name=name if name is not None else default)
        self._bits_arg = b

    def get_config(self):
        return {"id": self.format_id, "name": self._name, "bits": self._bits_arg,
                "signed": self._signed, "overflow": self._overflow}


_INTEGER_SPEC = None


def _integer_spec():
    """Kernel parameters of 'round to an integer': a float format whose
    subnormal spacing is 1 and whose precision covers all of float64."""
    global _INTEGER_SPEC
    if _INTEGER_SPEC is None:
        from numprec._kernels.floatround import Spec
        _INTEGER_SPEC = Spec(52, 52, 0, False, False, False, float64_bits(1.0),
                             float64_bits(np.finfo(np.float64).max), INF_BITS, INF_BITS, 0)
    return _INTEGER_SPEC
