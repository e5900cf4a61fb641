"""Rounding schemes and :func:`numprec.round`."""
from numprec.rounding.api import resolve_format, resolve_rounding, round
from numprec.rounding.checks import check_random_bits
from numprec.rounding.random import RandomKey
from numprec.rounding.schemes import RoundingScheme
from numprec.rounding.threads import get_num_threads, set_num_threads

__all__ = ["round", "resolve_format", "resolve_rounding", "check_random_bits", "RandomKey", "RoundingScheme", "get_num_threads", "set_num_threads"]
