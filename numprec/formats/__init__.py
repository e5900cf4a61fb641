"""Number formats: floating point of any width, fixed point, integers, and the
bases plugins build on (:class:`Format`, :class:`BlockFormat`, the argument
checks of :mod:`numprec.formats.validate`).

A leaf package: it imports nothing else of numprec.  The table of format
classes and :func:`numprec.from_config` live in the registry.
"""
from numprec.formats.base import Format
from numprec.formats.block import BlockFormat
from numprec.formats.fixed_format import FixedFormat, IntFormat
from numprec.formats.float_format import FloatFormat
from numprec.formats.p3109 import p3109_format
from numprec.formats.validate import check_choice, check_int


def from_config(config: dict) -> Format:
    """The same as :func:`numprec.from_config`, kept for code written before
    it moved to the registry; new code calls ``numprec.from_config``."""
    import numprec.registry.manager as manager   # not at import: formats stays a leaf
    return manager.from_config(config)


__all__ = ["Format", "BlockFormat", "FloatFormat", "FixedFormat", "IntFormat",
           "check_int", "check_choice", "from_config", "p3109_format"]
