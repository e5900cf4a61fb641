"""The IEEE P3109 (draft) binary interchange formats of 8 bits and fewer.

The P3109 working group's interim report (version 3, 2024; github
P3109/Public) defines formats ``binaryKpP``: K bits in all, P significand
bits including the implicit one, signed or unsigned, finite or extended
(with +-inf).  Every format has exactly one NaN and no negative zero:

- signed: a sign bit, ``K - P`` exponent bits, ``P - 1`` fraction bits,
  bias ``2**(K-P-1)``; NaN is the negative-zero pattern ``0b10...0``;
  the extended formats put +-inf at the largest magnitude pattern
  ``0b.11...1`` of each sign.
- unsigned: ``K - P + 1`` exponent bits, bias ``2**(K-P)``; NaN is the
  all-ones pattern, +inf (extended) the pattern below it.

Subnormals are always present (for P = 1 there are none: the fraction is
empty).  These are :class:`~numprec.FloatFormat` layouts with
``nan="single"``; :func:`p3109_format` builds them from the report's
parameters and overflow (saturation) modes.
"""
from __future__ import annotations

import re

from numprec.formats.float_format import FloatFormat
from numprec.formats.validate import check_choice, check_int

#: P3109 saturation modes (interim report, conversion operations) and the
#: FloatFormat overflow policy each means, for extended and finite formats.
SATURATION_MODES = {
    "SatFinite": ("sat_finite", "sat_finite"),
    "SatPropagate": ("sat_propagate", "sat_propagate"),
    "OvfInf": ("inf", "nan"),
}

_NAME = re.compile(r"^(?:binary|p3109_k)(\d)p(\d)(s|u)?(e|f)$", re.IGNORECASE)


def p3109_name(k, p, signed=True, extended=True):
    """The report's spelling ``binaryKpP{s|u}{e|f}``, e.g. ``"binary8p3se"``."""
    return f"binary{k}p{p}{'s' if signed else 'u'}{'e' if extended else 'f'}"


def p3109_format(k, p, *, signed=True, extended=True, saturation="OvfInf", name=None):
    """The P3109 format ``binary{k}p{p}`` as a :class:`~numprec.FloatFormat`.

    Parameters
    ----------
    k : int
        Width in bits, 2..8.
    p : int
        Precision (significand bits incl. the implicit bit): 1..k-1 for
        signed formats, 1..k for unsigned ones.
    signed : bool
    extended : bool
        True for the extended formats (with +-inf), False for finite ones.
    saturation : {"OvfInf", "SatPropagate", "SatFinite"}
        What overflow gives: OvfInf -- inf (NaN in finite formats);
        SatPropagate -- +-max for finite inputs, infinite inputs stay
        infinite (NaN in finite formats); SatFinite -- +-max, also for
        infinite inputs.  Rounding toward zero in magnitude gives +-max
        in every mode.
    name : str, optional
        Default: :func:`p3109_name`, with ``"_" + saturation`` unless it is
        OvfInf.

    Raises
    ------
    ValueError
        If k or p is out of range or the layout has no normal finite value
        (``binary2p1se``, ``binary2p2ue``).
    """
    k = check_int(k, "k", 2, 8)
    p = check_int(p, "p", 1, k if not signed else k - 1)
    check_choice(saturation, "saturation", tuple(SATURATION_MODES))
    overflow = SATURATION_MODES[saturation][0 if extended else 1]
    exponent_bits = k - p + (0 if signed else 1)
    if name is None:
        name = p3109_name(k, p, signed, extended)
        if saturation != "OvfInf":
            name += "_" + saturation
    return FloatFormat(exponent_bits, p - 1, nan="single", infinities=bool(extended),
                       overflow=overflow, signed=bool(signed), name=name)


def parse_p3109(name: str):
    """``"binary8p3se"`` (or gfloat's ``"p3109_k8p3se"``, any case) -> the
    OvfInf format, or None if ``name`` is not of that form."""
    match = _NAME.match(name)
    if match is None:
        return None
    k, p, sign, domain = match.groups()
    signed = sign is None or sign.lower() == "s"
    return p3109_format(int(k), int(p), signed=signed, extended=domain.lower() == "e")


def p3109_formats():
    """``(name, format, aliases)`` of the registered P3109 formats: every
    K in 2..8 with every precision, signed and unsigned, extended and
    finite (OvfInf), aliased by gfloat's spelling ``p3109_kKpP{s|u}{e|f}``,
    except the two 2-bit layouts without a normal finite value."""
    entries = []
    for k in range(2, 9):
        for signed in (True, False):
            for p in range(1, (k - 1 if signed else k) + 1):
                for extended in (True, False):
                    try:
                        fmt = p3109_format(k, p, signed=signed, extended=extended)
                    except ValueError:
                        continue   # binary2p1se, binary2p2ue: no normal finite value

                    alias = f"p3109_k{k}p{p}{'s' if signed else 'u'}{'e' if extended else 'f'}"
                    entries.append((fmt.name, fmt, (alias,)))
    return entries
