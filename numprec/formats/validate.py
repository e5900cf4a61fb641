"""Argument checks and float64 bit helpers shared by the format classes.

:func:`check_int` and :func:`check_choice` are public API (re-exported as
``numprec.check_int`` and ``numprec.check_choice``) for plugins that define
formats of their own, so that every format refuses bad arguments with the
same messages.
"""
from __future__ import annotations

import struct

import numpy as np

#: float64 bit pattern of +inf.
INF_BITS = 0x7FF0000000000000
#: float64 bit pattern of the default quiet NaN.
QNAN_BITS = 0x7FF8000000000000


def float64_bits(value: float) -> int:
    """The IEEE 754 binary64 bit pattern of ``value`` as a Python int."""
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def check_int(value, argument, lo, hi):
    """``value`` as an int if it is an integer (not a bool) in ``[lo, hi]``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer; the message names ``argument``.
    ValueError
        If it is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{argument} must be an integer in [{lo}, {hi}], got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{argument} must be in [{lo}, {hi}], got {value}")
    return int(value)


def check_choice(value, argument, choices):
    """``value`` if it is one of ``choices``.

    Raises
    ------
    ValueError
        If it is not; the message names ``argument`` and the choices.
    """
    if not any(value == choice and type(value) is type(choice) for choice in choices):
        raise ValueError(f"{argument} must be one of {tuple(choices)}, got {value!r}")
    return value
