"""Argument checks shared by every entry point that rounds.

:func:`numprec.round`, the rounded reductions and matrix products, and
:class:`numprec.Policy` all validate their rounding arguments here, so the
same bad input gets the same message wherever it is passed.
"""
from __future__ import annotations

import numpy as np


def check_random_bits(random_bits, scheme, argument="random_bits"):
    """Validate ``random_bits`` for the rounding scheme ``scheme``.

    Parameters
    ----------
    random_bits : int or None
        Number of random bits stochastic rounding may use (1..64), or None
        for all of them.
    scheme : numprec.RoundingScheme
        The (already resolved) rounding scheme.
    argument : str
        Name of the argument, for the error message.

    Returns
    -------
    int or None
        ``random_bits`` as a Python int, or None.

    Raises
    ------
    ValueError
        If ``random_bits`` is given with a deterministic scheme or is out of
        range.
    TypeError
        If it is not an integer.
    """
    if random_bits is None:
        return None
    if not scheme.stochastic:
        raise ValueError(f"{argument} applies to stochastic rounding, not to {scheme.name!r}")
    if isinstance(random_bits, bool) or not isinstance(random_bits, (int, np.integer)):
        raise TypeError(f"{argument} must be an integer in 1..64, got {random_bits!r}")
    if not 1 <= random_bits <= 64:
        raise ValueError(f"{argument} must be in 1..64, got {random_bits}")
    return int(random_bits)
