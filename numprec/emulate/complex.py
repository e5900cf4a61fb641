"""Complex numbers on emulated arrays: a pair of rounded real arrays.

:class:`EmulatedComplex` is what the rounded FFT (:mod:`numprec.emulate.fft`)
returns: a real and an imaginary :class:`~numprec.emulate.EmulatedArray` of
one shape.  Its arithmetic is written out in real operations, each rounded
by the emulated arrays' own rules (one rounding and one random stream per
real operation):

* ``(a + ib) +- (c + id) = (a +- c) + i(b +- d)`` -- 2 rounded operations;
* ``(a + ib) * (c + id)``: ``p1 = ac, p2 = bd, re = p1 - p2, p3 = ad,
  p4 = bc, im = p3 + p4``, each rounded, in this order -- 6 operations;
* a real factor ``r`` (emulated array, plain array or scalar):
  ``(a r) + i(b r)`` -- 2 rounded products; a real term changes only the
  real part (1 rounded sum).

Negation, conjugation, indexing and the structural functions the FFT needs
are exact.  ``to_numpy()`` gives a complex128 ndarray.  ufuncs (``np.abs``,
``np.exp``) refuse it (``TypeError``): compute on ``.real``/``.imag``.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from numprec.emulate.array import EmulatedArray
from numprec.emulate.context import active_policy
from numprec.emulate.errors import EmulationLeakWarning
from numprec.emulate.functions import dispatch

_REAL = (numbers.Real, np.ndarray, EmulatedArray)


class EmulatedComplex:
    """A complex array whose parts are emulated real arrays.

    Parameters
    ----------
    real, imag : EmulatedArray
        The real and imaginary parts: same shape and dtype.

    Attributes
    ----------
    real, imag : EmulatedArray
    shape, ndim, size, dtype
        ``dtype`` is the container dtype of the parts (float64 or float32).
    """

    __slots__ = ("real", "imag")
    __array_ufunc__ = None          # ufuncs refuse it; ndarray operators defer to ours

    def __init__(self, real, imag):
        if not (isinstance(real, EmulatedArray) and isinstance(imag, EmulatedArray)):
            raise TypeError("EmulatedComplex(real, imag) needs two EmulatedArrays, got "
                            f"{type(real).__name__} and {type(imag).__name__}")
        if real.shape != imag.shape:
            raise ValueError(f"real and imag must have one shape, got {real.shape} and {imag.shape}")
        self.real = real
        self.imag = imag

    # ------------------------------------------------------------ description
    shape = property(lambda self: self.real.shape,
                     doc='Shape of the array (that of each part).')
    ndim = property(lambda self: self.real.ndim,
                    doc='Number of dimensions.')
    size = property(lambda self: self.real.size,
                    doc='Number of complex elements.')
    dtype = property(lambda self: self.real.dtype,
                     doc='The container dtype of each part (float64 or float32).')
    format = property(lambda self: self.real.format,
                      doc='The number format of both parts.')
    policy = property(lambda self: self.real.policy,
                      doc='The home policy of the parts.')

    def __len__(self):
        return len(self.real)

    def __repr__(self):
        return f"EmulatedComplex({np.array2string(self.to_numpy(), separator=', ')}, format={self.format.name})"

    def to_numpy(self) -> np.ndarray:
        """The values as a complex128 ndarray (a copy)."""
        out = np.empty(self.shape, dtype=np.complex128)
        out.real = self.real.to_numpy()
        out.imag = self.imag.to_numpy()
        return out

    def __array__(self, dtype=None, copy=None):
        """A complex128 ndarray (``np.asarray``); inside an active policy this
        leaves emulation silently otherwise, so it warns."""
        if active_policy() is not None:
            warnings.warn("emulated complex values were converted to a plain numpy array "
                          "inside an active policy (use .to_numpy() to leave emulation)",
                          EmulationLeakWarning, stacklevel=2)
        out = self.to_numpy()
        return out if dtype is None else out.astype(dtype)

    def __array_function__(self, func, types, args, kwargs):
        return dispatch(func, args, kwargs)

    # ---------------------------------------------------------- structure
    def __getitem__(self, key):
        return EmulatedComplex(self.real[key], self.imag[key])

    def __setitem__(self, key, value):
        re, im = _parts(value)
        self.real[key] = re
        self.imag[key] = im

    def reshape(self, *shape):
        """Both parts in a new shape (no rounding)."""
        return EmulatedComplex(self.real.reshape(*shape), self.imag.reshape(*shape))

    def copy(self):
        """A copy of both parts (same format and home policy)."""
        return EmulatedComplex(self.real.copy(), self.imag.copy())

    def conj(self):
        """The complex conjugate (exact: the imaginary part negated)."""
        return EmulatedComplex(self.real, -self.imag)

    conjugate = conj

    # ---------------------------------------------------------- arithmetic
    def __neg__(self):
        return EmulatedComplex(-self.real, -self.imag)

    def __pos__(self):
        return self

    def __add__(self, other):
        if isinstance(other, _REAL):
            return EmulatedComplex(self.real + other, self.imag)
        re, im = _parts(other)
        return EmulatedComplex(self.real + re, self.imag + im)

    def __radd__(self, other):
        if isinstance(other, _REAL):
            return EmulatedComplex(other + self.real, self.imag)
        re, im = _parts(other)
        return EmulatedComplex(re + self.real, im + self.imag)

    def __sub__(self, other):
        if isinstance(other, _REAL):
            return EmulatedComplex(self.real - other, self.imag)
        re, im = _parts(other)
        return EmulatedComplex(self.real - re, self.imag - im)

    def __rsub__(self, other):
        if isinstance(other, _REAL):
            return EmulatedComplex(other - self.real, -self.imag)
        re, im = _parts(other)
        return EmulatedComplex(re - self.real, im - self.imag)

    def __mul__(self, other):
        if isinstance(other, _REAL):
            return EmulatedComplex(self.real * other, self.imag * other)
        c, d = _parts(other)
        return multiply(self.real, self.imag, c, d)

    def __rmul__(self, other):
        if isinstance(other, _REAL):
            return EmulatedComplex(other * self.real, other * self.imag)
        c, d = _parts(other)
        return multiply(c, d, self.real, self.imag)


def multiply(a, b, c, d) -> EmulatedComplex:
    """``(a + ib)(c + id)`` with 6 rounded real operations, in this order:
    ``p1 = ac, p2 = bd, re = p1 - p2, p3 = ad, p4 = bc, im = p3 + p4``.  At
    least one of the pairs ``(a, b)``, ``(c, d)`` must be emulated arrays."""
    p1 = a * c
    p2 = b * d
    if isinstance(p1, EmulatedArray) and p1.shape == p2.shape:
        p1 -= p2                 # in place: the same rounding, no new array
        p3 = np.multiply(a, d, out=p2) if p2.shape == np.broadcast_shapes(np.shape(a), np.shape(d)) \
            and isinstance(p2, EmulatedArray) else a * d
    else:
        p1 = p1 - p2
        p3 = a * d
    p4 = b * c
    if isinstance(p3, EmulatedArray) and p3.shape == p4.shape:
        p3 += p4
    else:
        p3 = p3 + p4
    return EmulatedComplex(p1, p3)


def _parts(value):
    """(real, imaginary) parts of a complex operand."""
    if isinstance(value, EmulatedComplex):
        return value.real, value.imag
    if isinstance(value, _REAL) and not (isinstance(value, np.ndarray) and value.dtype.kind == "c"):
        return value, 0.0
    if isinstance(value, (numbers.Complex, np.ndarray)):
        arr = np.asarray(value)
        if arr.ndim == 0:
            return float(arr.real), float(arr.imag)
        return np.ascontiguousarray(arr.real), np.ascontiguousarray(arr.imag)
    raise TypeError(f"cannot combine an EmulatedComplex with {type(value).__name__}")
