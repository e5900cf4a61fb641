"""numprec-posit: posit<n, es> formats for numprec.

Install the distribution and numprec finds it::

    import numprec
    numprec.round(x, "posit16")                       # 2022 standard, es = 2
    numprec.round(x, "posit16_1", "stochastic", seed=1)
    numprec.round(x, numprec_posit.PositFormat(12, 3))
"""
from numprec_posit.format import PositFormat, parse_posit_name

__all__ = ["PositFormat", "parse_posit_name"]
__version__ = "0.1.0"
