"""Binary floating-point formats with any exponent and significand width."""
from __future__ import annotations

import math

import numpy as np

from numprec.formats.base import Format
from numprec.formats.validate import INF_BITS, QNAN_BITS, check_int, float64_bits

NAN_POLICIES = ("ieee", "fn", "fnuz", "none", "single")
OVERFLOW_POLICIES = ("inf", "nan", "saturate", "sat_finite", "sat_propagate")

class FloatFormat(Format):
    """A binary floating-point format held in a float64 container.

    Parameters
    ----------
    exponent_bits : int
        Width of the exponent field, 1..11.
    mantissa_bits : int
        Explicit fraction bits, 0..52 (binary16: 10, bfloat16: 7, binary32:
        23, binary64: 52); the precision is ``mantissa_bits + 1``.  This is
        the "sbits" of the climate literature and the "M" of ExMy.
    bias : int, optional
        Exponent bias; default ``2**(exponent_bits-1) - 1`` (``2**(e-1)``
        for ``nan="fnuz"``).
    subnormals : bool
        Whether values below the smallest normal are representable with
        reduced precision (IEEE 754 gradual underflow).  Without them the
        only values below ``smallest_normal`` are 0 and ``smallest_normal``.
    infinities : bool
        Whether +-inf exist; requires ``nan="ieee"``.
    nan : {"ieee", "fn", "fnuz", "none", "single"}
        Encoding of NaN: "ieee" reserves the all-ones exponent for inf/NaN;
        "fn" keeps the top binade finite except its all-ones pattern (OCP
        FP8 E4M3, max 448); "fnuz" uses the negative-zero pattern (no -0,
        no inf, bias ``2**(e-1)``, as in Graphcore/AMD FP8); "none" has no
        NaN at all (OCP FP6/FP4); "single" is the IEEE P3109 layout: one
        NaN, at the negative-zero pattern of signed formats and at the
        all-ones pattern of unsigned ones, no -0, bias ``2**(e-1)``, and
        with ``infinities=True`` +-inf at the largest patterns below the
        NaN (so max is one step lower).
    overflow : {"inf", "nan", "saturate", "sat_finite", "sat_propagate"}, optional
        What a value that overflows while rounding away from zero becomes;
        default "inf" with infinities, "nan" for "fn"/"fnuz"/"single",
        "saturate" for "none".  Rounding toward zero in magnitude always
        gives +-max.  "saturate" gives +-max, and infinite inputs stay
        infinite where the format has infinities (else +-max);
        "sat_finite" (P3109 SatFinite) gives +-max for infinite inputs
        too; "sat_propagate" (P3109 SatPropagate) gives +-max for finite
        inputs while infinite inputs give +-inf, or NaN in a format
        without infinities.
    signed : bool
        False for formats without a sign bit (negative inputs give NaN).
    zero : bool
        False for formats without zero (OCP E8M0 scales): zero gives NaN and
        tiny values clamp to the smallest value.  Needs ``subnormals=False``.
    name : str, optional
        Display name; defaults to an "eXmY" spelling of the parameters.

    Notes
    -----
    Semantics follow IEEE 754-2019 for "ieee" formats (rounding with
    unbounded exponent, then overflow) and ml_dtypes / the OCP 8-bit
    floating point specification (2023) for the others on finite inputs.
    NaN inputs always give NaN.
    """

    format_id = "float"

    def __init__(self, exponent_bits, mantissa_bits, *, bias=None, subnormals=True,
                 infinities=True, nan="ieee", overflow=None, signed=True, zero=True,
                 name=None):
        e = check_int(exponent_bits, "exponent_bits", 1, 11)
        m = check_int(mantissa_bits, "mantissa_bits", 0, 52)
        if nan not in NAN_POLICIES:
            raise ValueError(f"nan must be one of {NAN_POLICIES}, got {nan!r}")
        if infinities and nan not in ("ieee", "single"):
            raise ValueError(f"infinities=True needs nan='ieee' or 'single' (got nan={nan!r}); "
                             "pass infinities=False for formats without infinities")
        if overflow is None:
            overflow = "inf" if infinities else ("saturate" if nan == "none" else "nan")
        if overflow not in OVERFLOW_POLICIES:
            raise ValueError(f"overflow must be one of {OVERFLOW_POLICIES}, got {overflow!r}")
        if overflow == "inf" and not infinities:
            raise ValueError("overflow='inf' needs infinities=True")
        if overflow == "nan" and nan == "none":
            raise ValueError("overflow='nan' needs a format with NaN (nan != 'none')")
        if overflow == "sat_propagate" and not infinities and nan == "none":
            raise ValueError("overflow='sat_propagate' needs infinities or a NaN for "
                             "infinite inputs (nan != 'none')")
        if not zero and subnormals:
            raise ValueError("zero=False needs subnormals=False")
        if nan == "single" and not zero:
            raise ValueError("nan='single' formats have a zero (zero=True)")
        if bias is None:
            bias = 2 ** (e - 1) if nan in ("fnuz", "single") else 2 ** (e - 1) - 1
        bias = check_int(bias, "bias", -(2 ** 12), 2 ** 12)
        self._e, self._m, self._bias = e, m, bias
        self._subnormals, self._infinities = bool(subnormals), bool(infinities)
        self._nan, self._overflow = nan, overflow
        self._signed, self._zero = bool(signed), bool(zero)

        top_field = 2 ** e - 1
        if nan == "ieee" or (nan == "fn" and m == 0):
            top_field -= 1          # the all-ones exponent holds only specials
        top_significand = 2.0 - 2.0 ** -m
        if nan == "fn" and m > 0:
            top_significand -= 2.0 ** -m   # the all-ones pattern is NaN
        if nan == "single":
            # the specials take the largest magnitude patterns: inf (if any)
            # and, without a sign bit, the NaN above it
            top_pattern = 2 ** (e + m) - 1 - int(bool(infinities)) - int(not signed)
            top_field = top_pattern >> m
            top_significand = 1.0 + (top_pattern & (2 ** m - 1)) * 2.0 ** -m
        bottom_field = 1 if zero else 0
        if top_field < bottom_field:
            raise ValueError(f"exponent_bits={e} leaves no normal binade with nan={nan!r}")
        self._emin = bottom_field - bias
        self._emax = top_field - bias
        lowest = self._emin - m if subnormals else self._emin
        if self._emax > 1023 or lowest < -1074:
            raise ValueError(f"bias={bias} puts the format's range outside float64")
        if not subnormals and self._emin < -1022:
            raise ValueError(f"bias={bias}: a format without subnormals needs its smallest "
                             "normal value to be a float64 normal (emin >= -1022)")
        self._max = math.ldexp(top_significand, self._emax)
        self._name = name if name is not None else self._default_name()
        self._spec = None

    # -- description ---------------------------------------------------
    def _default_name(self):
        parts = [f"e{self._e}m{self._m}"]
        default_bias = (2 ** (self._e - 1) if self._nan in ("fnuz", "single")
                        else 2 ** (self._e - 1) - 1)
        if self._nan == "single":
            parts.append("single" if self._infinities else "single_noinf")
        elif self._nan != "ieee":
            parts.append(self._nan if self._nan != "none" else "finite")
        elif not self._infinities:
            parts.append("noinf")
        if self._bias != default_bias:
            parts.append(f"b{self._bias}")
        if not self._subnormals:
            parts.append("nosub")
        if not self._signed:
            parts.append("unsigned")
        if not self._zero:
            parts.append("nozero")
        return "_".join(parts)

    @property
    def name(self):
        return self._name

    def get_config(self):
        return {
            "id": self.format_id, "name": self._name,
            "exponent_bits": self._e, "mantissa_bits": self._m, "bias": self._bias,
            "subnormals": self._subnormals, "infinities": self._infinities,
            "nan": self._nan, "overflow": self._overflow, "signed": self._signed,
            "zero": self._zero,
        }

    # -- numpy.finfo-like properties -------------------------------------
    exponent_bits = property(lambda self: self._e, doc="Width of the exponent field.")
    mantissa_bits = property(lambda self: self._m, doc="Explicit fraction bits.")
    precision = property(lambda self: self._m + 1, doc="Significand bits incl. the implicit one.")
    bias = property(lambda self: self._bias, doc="Exponent bias.")
    emin = property(lambda self: self._emin, doc="Unbiased exponent of the smallest normal binade.")
    emax = property(lambda self: self._emax, doc="Unbiased exponent of the largest binade.")
    subnormals = property(lambda self: self._subnormals)
    infinities = property(lambda self: self._infinities)
    nan = property(lambda self: self._nan)
    overflow = property(lambda self: self._overflow)
    signed = property(lambda self: self._signed)
    zero = property(lambda self: self._zero)
    max = property(lambda self: self._max, doc="Largest finite value.")

    @property
    def eps(self):
        """Distance from 1 to the next larger value, ``2**-mantissa_bits``."""
        return math.ldexp(1.0, -self._m)

    @property
    def smallest_normal(self):
        return math.ldexp(1.0, self._emin)

    @property
    def smallest_subnormal(self):
        """Smallest positive value (``smallest_normal`` without subnormals)."""
        return math.ldexp(1.0, self._emin - self._m if self._subnormals else self._emin)

    @property
    def bits(self):
        """Storage width: sign (if any) + exponent + mantissa bits."""
        return int(self._signed) + self._e + self._m

    # -- rounding --------------------------------------------------------
    def kernel_spec(self):
        """The parameters the Cython kernel needs (cached)."""
        if self._spec is None:
            from numprec._kernels.floatround import Spec
            tiny_exp = self._emin - self._m if self._subnormals else self._emin
            max_bits = float64_bits(self._max)
            over = {"inf": INF_BITS, "nan": QNAN_BITS, "saturate": max_bits,
                    "sat_finite": max_bits, "sat_propagate": max_bits}[self._overflow]
            inf_in = INF_BITS if self._infinities else over
            if self._overflow == "sat_finite":
                inf_in = max_bits
            elif self._overflow == "sat_propagate" and not self._infinities:
                inf_in = QNAN_BITS
            min_bits = 0 if self._zero else float64_bits(self.smallest_subnormal)
            self._spec = Spec(self._m, self._emin, tiny_exp, not self._signed,
                              not self._zero, self._nan in ("fnuz", "single") or not self._signed,
                              float64_bits(math.ldexp(1.0, tiny_exp)), max_bits, over, inf_in,
                              min_bits, self._code_parity())
        return self._spec

    def _code_parity(self):
        """-1, or for P3109 formats of precision 1 (whose ties go to the even
        encoding, not away as MPFR's precision-1 rule) ``(bias + 1) & 1``."""
        return (self._bias + 1) & 1 if self._nan == "single" and self._m == 0 else -1

    def check_dtype(self, dtype):
        """Refuse float32 containers when a float32 input can round to a value
        float32 cannot hold.

        A float32 input rounds to itself or to a neighbour in the format that
        float32 holds, except (1) 2**128, reached by rounding up past
        float32's max when ``emax >= 128`` and ``mantissa_bits < 23``; (2) the
        format's max when it is not a float32 value and some input reaches it
        (it is below float32's max, or infinite inputs saturate to it).
        Near zero every neighbour of a float32 input is a float32 value:
        the format's ulp there is either a multiple of float32's, or fine
        enough to hold the input itself.
        """
        if np.dtype(dtype) != np.float32:
            return
        f32 = np.finfo(np.float32)
        with np.errstate(over="ignore"):
            max_is_f32 = float(np.float32(self._max)) == self._max
        reachable = (self._max < float(f32.max) or self._overflow == "sat_finite"
                     or (not self._infinities and self._overflow == "saturate"))
        why = None
        if self._emax >= 128 and self._m < 23:
            why = "values beyond float32's max round to 2**128"
        elif not max_is_f32 and reachable:
            why = f"its largest value {self._max!r} is not a float32 value"
        if why is not None:
            raise ValueError(f"fmt {self._name!r} can produce values float32 cannot hold "
                             f"({why}); pass x as float64")

    def round_into(self, x, out, scheme, key):
        from numprec.rounding.apply import round_with_spec
        round_with_spec(x, out, self.kernel_spec(), scheme, key)

