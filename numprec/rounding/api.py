"""numprec.round: argument checking and dispatch to the format."""
from __future__ import annotations

import numbers

import numpy as np

from numprec.formats.base import Format
from numprec.formats.block import BlockFormat
from numprec.rounding.checks import check_random_bits
from numprec.rounding.exact import check_inexact_allowed, exact_array, to_float64
from numprec.rounding.random import RandomKey
from numprec.rounding.schemes import RoundingScheme


def resolve_format(fmt, argument="fmt"):
    """A Format object from a Format or a registered/parametric name.

    Parameters
    ----------
    fmt : Format or str
        A format, or a name :func:`numprec.get_format` knows.
    argument : str
        The argument's name, for the error message.

    Returns
    -------
    Format

    Raises
    ------
    TypeError
        If ``fmt`` is neither; the message names ``argument``.
    numprec.UnknownNameError
        For a name no format has.
    """
    if isinstance(fmt, Format):
        return fmt
    if isinstance(fmt, str):
        from numprec.registry.manager import get_format
        return get_format(fmt)
    raise TypeError(f"{argument} must be a numprec Format or a format name, "
                    f"got {type(fmt).__name__}")


def resolve_rounding(rounding):
    """A RoundingScheme from a scheme or a registered name.

    Parameters
    ----------
    rounding : RoundingScheme or str
        A scheme, or a name of :func:`numprec.list_roundings`.

    Returns
    -------
    RoundingScheme

    Raises
    ------
    TypeError
        If ``rounding`` is neither.
    numprec.UnknownNameError
        For a name no scheme has.
    """
    if isinstance(rounding, RoundingScheme):
        return rounding
    if isinstance(rounding, str):
        from numprec.registry.manager import get_rounding
        return get_rounding(rounding)
    raise TypeError(f"rounding must be a rounding scheme name or RoundingScheme, "
                    f"got {type(rounding).__name__}")


def _as_float_array(x):
    """(array, was_scalar, exact) for a float64/float32 array or real scalar(s).

    ``exact`` is False when an input (a Python int or Fraction) is not a
    float64 value; the array then holds its round-to-odd float64
    (:mod:`numprec.rounding.exact`).
    """
    if isinstance(x, np.ndarray):
        if x.dtype not in (np.float64, np.float32):
            raise TypeError(f"x must hold float64 or float32 values, got dtype {x.dtype}")
        return x, False, True
    if isinstance(x, (np.float64, np.float32)):
        return np.array(x), True, True
    if isinstance(x, (bool, np.bool_)) or isinstance(x, np.generic):
        raise TypeError(f"x must be a float64/float32 array or a real scalar, "
                        f"got {type(x).__name__}")
    if isinstance(x, numbers.Real):
        value, exact = to_float64(x)
        return np.array(value, dtype=np.float64), True, exact
    if isinstance(x, (list, tuple)):
        try:
            arr = np.asarray(x)
        except (OverflowError, ValueError):
            arr = None
        if arr is not None and arr.dtype.kind == "f":
            return (arr if arr.dtype == np.float32 else arr.astype(np.float64)), False, True
        if arr is not None and arr.dtype.kind not in "iuO":
            raise TypeError(f"x must contain real numbers, got dtype {arr.dtype}")
        arr, exact = exact_array(x)
        return arr, False, exact
    raise TypeError(f"x must be a float64/float32 array or a real scalar, "
                    f"got {type(x).__name__}")


def _same_view(a, b):
    """Whether two arrays are the same view of the same memory (in-place)."""
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and a.strides == b.strides and a.shape == b.shape)


def _check_out(out, arr):
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array, got {type(out).__name__}")
    if out.dtype != arr.dtype:
        raise TypeError(f"out must have x's dtype {arr.dtype}, got {out.dtype}")
    if out.shape != arr.shape:
        raise ValueError(f"out must have x's shape {arr.shape}, got {out.shape}")
    if not out.flags.writeable:
        raise ValueError("out must be writeable (got a read-only array)")


def round(x, fmt, rounding="nearest_even", *, seed=None, random_bits=None, out=None,
          stream=0, offset=0, axis=None):
    """Round ``x`` to the number format ``fmt``.

    Parameters
    ----------
    x : numpy.ndarray of float64 or float32, or a real scalar
        Values to round; any shape and memory layout.
    fmt : numprec.Format or str
        A format object, or a registered name/alias, or "eXmY".
    rounding : str or numprec.RoundingScheme
        ``nearest_even`` (default), ``nearest_away``, ``toward_zero``,
        ``up``, ``down``, ``odd``, ``stochastic``, ``stochastic_uniform`` or
        a scheme registered by a plugin.
    seed : int, optional
        Key of the random numbers of stochastic schemes (0 <= seed < 2**64);
        None draws fresh entropy.
    random_bits : int, optional
        Number of random bits stochastic rounding may use (1..64): the bits
        of ``x`` below the kept last bit are compared with that many random
        bits (few-bit stochastic rounding, Fitzgibbon & Felix 2025; Ali et
        al. 2024).  Default: all of them.
    out : numpy.ndarray, optional
        Where to write the result: same shape and dtype as ``x``,
        writeable; may be ``x`` itself.
    stream, offset : int
        Random stream and counter offset: element ``i`` (flat C order) uses
        counter ``offset + i`` in ``stream``, so a chunk of a larger array
        reproduces the whole array's numbers by passing its start.
    axis : int, optional
        For block formats (scales shared along an axis, e.g. the MX plugin's
        formats): the axis of the blocks, overriding the format's own
        (``fmt.with_axis(axis)``).  Elementwise formats refuse it.

    Returns
    -------
    numpy.ndarray or numpy scalar
        Values of ``fmt`` in ``x``'s dtype (``out`` if given).  Scalars in
        give numpy scalars out.

    Raises
    ------
    TypeError, ValueError
        For arguments of the wrong type or value; the message names the
        argument.
    """
    fmt = resolve_format(fmt)
    scheme = resolve_rounding(rounding)
    arr, scalar, exact = _as_float_array(x)
    if axis is not None:
        if not isinstance(fmt, BlockFormat):
            raise ValueError(f"axis applies to block formats (numprec.BlockFormat); "
                             f"fmt {fmt.name!r} is elementwise")
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"axis must be an integer, got {axis!r}")
        if not -arr.ndim <= axis < max(arr.ndim, 1):
            raise ValueError(f"axis {axis} is out of range for x with {arr.ndim} dimensions")
        fmt = fmt.with_axis(int(axis))
    random_bits = check_random_bits(random_bits, scheme)
    if seed is None and not scheme.stochastic:
        seed = 0                     # no entropy needed
    rng = RandomKey.make(seed, stream, offset, random_bits)
    if not exact:
        check_inexact_allowed(fmt, scheme)
    fmt.check_dtype(arr.dtype)
    if out is None:
        out = np.empty(arr.shape, dtype=arr.dtype)
    else:
        if scalar:
            raise TypeError("out is only supported for array x")
        _check_out(out, arr)
        if out is not arr and np.may_share_memory(arr, out) and not _same_view(arr, out):
            # Partly overlapping memory: read x before any of it is written,
            # as numpy's ufuncs do.
            arr = arr.copy()
    fmt.round_into(arr, out, scheme, rng)
    return out[()] if scalar else out
