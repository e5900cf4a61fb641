"""Registers the 12-bit float "e5m6" (named "example12") and the rounding
scheme "nearest_ties_to_zero"."""
import numpy as np

import numprec


@numprec.hookimpl
def numprec_formats():
    return [numprec.FormatEntry("example12", numprec.FloatFormat(5, 6, name="example12"),
                                aliases=("ex12",))]


def _ties_to_zero(x, lower, upper, u):
    """Nearest neighbour; exact ties go to the neighbour nearer zero.

    ``lower`` and ``upper`` are always finite for finite ``x``: beyond the
    format's largest value ``max`` they are ``max`` and the value that
    follows it in the format's precision, and numprec turns the latter into
    the format's overflow value, so this rule overflows where the built-in
    ``nearest_even`` does (the same for both signs).
    """
    below, above = x - lower, upper - x
    toward_zero = np.where(np.abs(lower) <= np.abs(upper), lower, upper)
    return np.where(below < above, lower, np.where(above < below, upper, toward_zero))


@numprec.hookimpl
def numprec_roundings():
    return [numprec.RoundingScheme("nearest_ties_to_zero", select=_ties_to_zero,
                                   description="to nearest, ties toward zero")]
