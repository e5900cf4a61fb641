"""Parsing of parametric format names such as "e5m10" or "E8M7"."""
from __future__ import annotations

import re

from numprec.formats.float_format import FloatFormat

_EXMY = re.compile(r"^[eE](\d{1,2})[mM](\d{1,2})$")


def parse_exmy(name: str):
    """``"eXmY"``/``"EXMY"`` -> an IEEE-style :class:`FloatFormat` (subnormals,
    infinities, NaN, bias ``2**(X-1) - 1``), or None if ``name`` is not of
    that form."""
    match = _EXMY.match(name)
    if match is None:
        return None
    e, m = int(match.group(1)), int(match.group(2))
    return FloatFormat(e, m, name=f"e{e}m{m}")
