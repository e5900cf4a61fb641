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

    Plugins check their format parameters with it, so that a bad value
    fails early with a message naming the argument.

    Parameters
    ----------
    value : object
        The value to check.
    argument : str
        The argument's name, for the message.
    lo, hi : int
        The allowed range, both ends included.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer; the message names ``argument``.
    ValueError
        If it is out of range.

    Examples
    --------
    >>> import numpy as np, numprec
    >>> numprec.check_int(np.int64(5), "exponent_bits", 1, 11)
    5
    >>> numprec.check_int(12, "exponent_bits", 1, 11)
    Traceback (most recent call last):
    ...
    ValueError: exponent_bits must be in [1, 11], got 12
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{argument} must be an integer in [{lo}, {hi}], got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{argument} must be in [{lo}, {hi}], got {value}")
    return int(value)


def check_choice(value, argument, choices):
    """``value`` if it is one of ``choices`` (equal and of the same type, so
    ``True`` is not ``1``).

    Parameters
    ----------
    value : object
        The value to check.
    argument : str
        The argument's name, for the message.
    choices : iterable
        The allowed values.

    Returns
    -------
    object
        ``value``.

    Raises
    ------
    ValueError
        If it is not; the message names ``argument`` and the choices.

    Examples
    --------
    >>> import numprec
    >>> numprec.check_choice("wrap", "overflow", ("saturate", "wrap"))
    'wrap'
    """
    if not any(value == choice and type(value) is type(choice) for choice in choices):
        raise ValueError(f"{argument} must be one of {tuple(choices)}, got {value!r}")
    return value
