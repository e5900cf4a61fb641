"""L-Mul: floating-point multiplication approximated by one integer addition.

Luo, H. & Sun, W. (2024). Addition is all you need for energy-efficient
language models. arXiv:2410.00907, section 3.

For ``x = (1 + x_m) 2**x_e`` and ``y = (1 + y_m) 2**y_e`` with ``m``-bit
mantissas, the exact product is ``(1 + x_m + y_m + x_m y_m) 2**(x_e + y_e)``.
L-Mul drops the mantissa product and adds a constant instead::

    L-Mul(x, y) = (1 + x_m + y_m + 2**-l(m)) 2**(x_e + y_e),
    l(m) = m if m <= 3,  3 if m == 4,  4 if m > 4,

with the sign the XOR of the signs.  The paper implements it as one
integer addition of the operands' bit patterns (exponent and mantissa
fields added at once, minus the bias, plus the offset in the mantissa
field; its figure 2 does this on FP32 registers), so a mantissa sum
``t = x_m + y_m + 2**-l(m)`` of 1 or more carries into the exponent: the
value is ``(1 + t - c) * 2**(x_e + y_e + c)`` with ``c = floor(t)`` (0, 1,
or 2 when the offset pushes the sum past 2).  That is the default here
(``carry="bits"``); ``carry="formula"`` evaluates the displayed formula as
written instead.

Operands are read as L-Mul hardware reads them: the top ``m`` bits of each
mantissa (values with longer mantissas are truncated toward zero), with an
unbounded exponent (subnormal values are taken by their value).  Zeros,
infinities and NaN give the IEEE product.  The result has an ``m``-bit
mantissa; numprec.emulate then rounds it to the compute format.
"""
from __future__ import annotations

import numpy as np

CARRY_MODES = ("bits", "formula")


def offset_exponent(mantissa_bits: int) -> int:
    """l(m) of the paper: the offset is ``2**-l(m)``."""
    m = int(mantissa_bits)
    if m < 1:
        raise ValueError(f"mantissa_bits must be >= 1, got {mantissa_bits}")
    return m if m <= 3 else (3 if m == 4 else 4)


def lmul(a, b, mantissa_bits, carry="bits"):
    """The L-Mul product of float64 arrays ``a`` and ``b`` (broadcasting).

    Parameters
    ----------
    a, b : array_like of float64
    mantissa_bits : int
        ``m``: mantissa bits the operands are read with (1..52).
    carry : {"bits", "formula"}
        How a mantissa sum >= 1 is treated: carried into the exponent as by
        the paper's integer adder (default), or the formula as written.

    Returns
    -------
    numpy.ndarray of float64
    """
    if carry not in CARRY_MODES:
        raise ValueError(f"carry must be one of {CARRY_MODES}, got {carry!r}")
    m = int(mantissa_bits)
    if not 1 <= m <= 52:
        raise ValueError(f"mantissa_bits must be in 1..52, got {mantissa_bits}")
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    with np.errstate(all="ignore"):      # specials are replaced below
        fa, ea = np.frexp(np.abs(a))              # |a| = fa * 2**ea, fa in [0.5, 1)
        fb, eb = np.frexp(np.abs(b))
        scale = 2.0 ** m
        xm = np.floor((2.0 * fa - 1.0) * scale) / scale      # top m mantissa bits (exact)
        ym = np.floor((2.0 * fb - 1.0) * scale) / scale
        total = xm + ym + 2.0 ** -offset_exponent(m)         # exact: few bits
        if carry == "bits":
            # the mantissa field overflows once (sum >= 1) or, when the offset
            # pushes x_m + y_m past 2 - 2**-l, twice; each carry adds 1 to the
            # exponent field and leaves the rest in the mantissa field
            carries = np.floor(total)
            significand = np.ldexp(1.0 + total - carries, carries.astype(np.int64))
        else:
            significand = 1.0 + total
        magnitude = np.ldexp(significand, ea + eb - 2)
        result = np.where(np.signbit(a) ^ np.signbit(b), -magnitude, magnitude)
        ordinary = np.isfinite(a) & np.isfinite(b) & (a != 0) & (b != 0)
        ieee = a * b                              # zeros, infinities, NaN
    return np.where(ordinary, result, ieee)


class LMul:
    """L-Mul as an arithmetic scheme for :mod:`numprec.emulate`.

    Parameters
    ----------
    mantissa_bits : int, optional
        ``m`` of the paper.  None (the scheme registered as "lmul") takes the
        compute format's mantissa bits.
    carry : {"bits", "formula"}
        See :func:`lmul`.
    """

    def __init__(self, mantissa_bits=None, carry="bits"):
        if mantissa_bits is not None:
            offset_exponent(mantissa_bits)
            if not 1 <= int(mantissa_bits) <= 52:
                raise ValueError(f"mantissa_bits must be in 1..52, got {mantissa_bits}")
            mantissa_bits = int(mantissa_bits)
        if carry not in CARRY_MODES:
            raise ValueError(f"carry must be one of {CARRY_MODES}, got {carry!r}")
        self.mantissa_bits = mantissa_bits
        self.carry = carry
        suffix = "" if mantissa_bits is None else str(mantissa_bits)
        self.name = f"lmul{suffix}" + ("" if carry == "bits" else "_formula")

    def _bits_for(self, fmt):
        if self.mantissa_bits is not None:
            return self.mantissa_bits
        return int(fmt.mantissa_bits)

    def check_format(self, fmt):
        """The adaptive scheme needs a floating-point compute format."""
        if self.mantissa_bits is None:
            m = getattr(fmt, "mantissa_bits", None)
            if m is None or not 1 <= m <= 52:
                raise ValueError(f"arithmetic {self.name!r} takes m from the compute format, "
                                 f"which must be a float format with 1..52 mantissa bits; "
                                 f"got {fmt!r} (use e.g. 'lmul4' to fix m)")

    def multiply(self, a, b, fmt=None):
        """The L-Mul product before rounding to the compute format ``fmt``."""
        if self.mantissa_bits is None and fmt is None:
            raise ValueError(f"arithmetic {self.name!r} needs the compute format")
        return lmul(a, b, self._bits_for(fmt), self.carry)

    def __repr__(self):
        return f"LMul(mantissa_bits={self.mantissa_bits!r}, carry={self.carry!r})"

    def __eq__(self, other):
        return isinstance(other, LMul) and (self.mantissa_bits, self.carry) == \
            (other.mantissa_bits, other.carry)

    def __hash__(self):
        return hash((LMul, self.mantissa_bits, self.carry))
