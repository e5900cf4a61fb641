"""Rounding schemes and :func:`numprec.round`."""
from numprec.rounding.api import round
from numprec.rounding.random import RandomKey
from numprec.rounding.schemes import RoundingScheme
from numprec.rounding.threads import get_num_threads, set_num_threads

__all__ = ["round", "RandomKey", "RoundingScheme", "get_num_threads", "set_num_threads"]
