"""Round freshly computed arrays in place, with as little Python as possible.

A :class:`Rounder` is built once per (format, rounding scheme, container
dtype, random bits) and then applied to every result of an emulated
operation.  For :class:`~numprec.FloatFormat` targets with a built-in
rounding mode it calls the Cython loop :func:`numprec._kernels.floatround.round_array`
through its mode-specialised loop :func:`numprec._kernels.fused.round_inplace`
(the argument checking of :func:`numprec.round` was done once, when the
rounder was built; with ``reference=True``, the debug option
``Policy(debug_reference=True)``, the generic loop
:func:`numprec._kernels.floatround.round_array` instead: same bits, about
1.7x slower); other formats and plugin schemes go through the
format's public ``round_into``.  Either way element ``i`` (flat C order) of a
result rounded with ``(seed, stream)`` uses random counter ``i`` of that
stream, exactly as ``numprec.round(x, fmt, rounding, seed=seed,
stream=stream)`` would.
"""
from __future__ import annotations

import numpy as np

from numprec._kernels.floatround import key_for, round_array
from numprec._kernels.fused import round_inplace
from numprec.formats.float_format import FloatFormat
from numprec.rounding.checks import check_random_bits
from numprec.rounding.random import RandomKey
from numprec.rounding.schemes import BUILTIN
from numprec.rounding.threads import threads_for

_BINARY64 = FloatFormat(11, 52)
_BINARY32 = FloatFormat(8, 23)


def nearest_even():
    """The built-in round-to-nearest-even scheme (constants are converted with it)."""
    return BUILTIN["nearest_even"]


def is_identity(fmt, dtype) -> bool:
    """True if every value of ``dtype`` is a value of ``fmt`` (no rounding)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return fmt == _BINARY64
    return fmt == _BINARY32 or fmt == _BINARY64


class Rounder:
    """Rounds float arrays to ``fmt`` with ``scheme``.

    Parameters
    ----------
    fmt : numprec.Format
    scheme : numprec.RoundingScheme
    random_bits : int or None
        Random bits stochastic rounding may use (None: all); checked by
        :func:`numprec.rounding.check_random_bits`.
    reference : bool
        Use the generic rounding loop instead of the mode-specialised one
        (a debug option: same bits).
    """

    __slots__ = ("format", "scheme", "random_bits", "identity64", "identity32", "_spec",
                 "_mode", "_rbits", "_stochastic", "_kernel", "_reference")

    def __init__(self, fmt, scheme, random_bits=None, *, reference=False):
        random_bits = check_random_bits(random_bits, scheme)
        self.format = fmt
        self.scheme = scheme
        self.random_bits = random_bits
        self.identity64 = is_identity(fmt, np.float64)
        self.identity32 = is_identity(fmt, np.float32)
        self._kernel = isinstance(fmt, FloatFormat) and scheme.mode is not None
        self._spec = fmt.kernel_spec() if self._kernel else None
        self._mode = scheme.mode
        self._rbits = 64 if random_bits is None else int(random_bits)
        self._stochastic = bool(scheme.stochastic)
        self._reference = bool(reference)

    @property
    def kernel(self):
        """The Cython ``Spec`` if the fast kernels apply, else None."""
        return self._spec

    @property
    def mode(self):
        return self._mode

    @property
    def rbits(self):
        return self._rbits

    def key(self, seed, stream):
        """The 64-bit random key of ``stream`` (0 for deterministic schemes)."""
        return key_for(seed, stream) if self._stochastic else 0

    def is_identity(self, dtype) -> bool:
        return self.identity64 if dtype == np.float64 else self.identity32

    def __call__(self, arr, seed, stream, offset=0):
        """Round ``arr`` (a float32/float64 ndarray we own) in place.

        Returns the rounded array: ``arr`` itself, or a C-contiguous copy
        when ``arr`` was not C-contiguous.
        """
        if (self.identity64 if arr.dtype == np.float64 else self.identity32):
            return arr
        if not arr.flags.c_contiguous:
            arr = np.ascontiguousarray(arr)
        if self._kernel:
            flat = arr.reshape(-1)
            if flat.size:
                key = key_for(seed, stream) if self._stochastic else 0
                if not self._reference:
                    round_inplace(flat, self._spec, self._mode, key, offset, self._rbits,
                                  threads_for(flat.size))
                else:
                    round_array(flat, flat, self._spec, self._mode, key, offset, self._rbits,
                                threads_for(flat.size))
        else:
            rng = RandomKey(seed, stream, offset, self.random_bits)
            flat = arr.reshape(-1)      # 1-D view: some formats mishandle 0-d arrays
            self.format.round_into(flat, flat, self.scheme, rng)
        return arr
