"""Parsing of parametric format names: "e5m10"/"E8M7", "sq3.4", "int8".

Each parser returns a format or None when the name is not of its form;
the names parsed are exactly the default names the formats print
(``FloatFormat(e, m).name`` for IEEE-style formats, ``FixedFormat.name``,
``IntFormat.name``), so ``parse_format_name(fmt.name) == fmt``.
"""
from __future__ import annotations

import re

from numprec.formats.fixed_format import FixedFormat, IntFormat
from numprec.formats.float_format import FloatFormat
from numprec.formats.p3109 import parse_p3109

_EXMY = re.compile(r"^[eE](\d{1,2})[mM](\d{1,2})$")
_FIXED = re.compile(r"^([su])q(\d{1,4})\.(\d{1,4})(_wrap)?$", re.IGNORECASE)
_INT = re.compile(r"^(u?)int(\d{1,4})(_wrap)?$", re.IGNORECASE)


def parse_exmy(name: str):
    """``"eXmY"``/``"EXMY"`` -> an IEEE-style :class:`FloatFormat` (subnormals,
    infinities, NaN, bias ``2**(X-1) - 1``), or None if ``name`` is not of
    that form."""
    match = _EXMY.match(name)
    if match is None:
        return None
    e, m = int(match.group(1)), int(match.group(2))
    return FloatFormat(e, m, name=f"e{e}m{m}")


def parse_fixed(name: str):
    """A fixed-point or integer format from the name it prints, or None.

    Parameters
    ----------
    name : str
        ``"sqI.F"`` (signed, two's complement, ``I`` integer and ``F``
        fraction bits: :class:`FixedFormat` ``(I, F)``), ``"uqI.F"``
        (unsigned), ``"intB"`` / ``"uintB"`` (:class:`IntFormat` ``(B)``),
        each with an optional ``"_wrap"`` suffix for ``overflow="wrap"``.
        Letters may be upper or lower case.

    Returns
    -------
    FixedFormat, IntFormat or None
        None if ``name`` is not of these forms.

    Raises
    ------
    ValueError
        If the name has the form but the widths are out of range (e.g.
        ``"sq60.0"``: more than 53 bits).
    """
    fixed = _FIXED.match(name)
    if fixed is not None:
        sign, i, f, wrap = fixed.groups()
        return FixedFormat(int(i), int(f), signed=sign.lower() == "s",
                           overflow="wrap" if wrap else "saturate")
    integer = _INT.match(name)
    if integer is not None:
        unsigned, bits, wrap = integer.groups()
        return IntFormat(int(bits), signed=not unsigned, overflow="wrap" if wrap else "saturate")
    return None


def parse_format_name(name: str):
    """Any parametric name of numprec's own formats ("e5m10", "sq3.4",
    "uint8_wrap", "BINARY8P3SE"), or None; see :func:`parse_exmy`,
    :func:`parse_fixed` and :func:`numprec.formats.p3109.parse_p3109`."""
    for parser in (parse_exmy, parse_fixed, parse_p3109):
        parsed = parser(name)
        if parsed is not None:
            return parsed
    return None
