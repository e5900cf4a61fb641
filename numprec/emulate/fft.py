"""The rounded FFT: ``np.fft.fft``, ``ifft``, ``rfft``, ``irfft`` on emulated arrays.

Algorithm: the Stockham autosort FFT (Stockham 1966; Van Loan 1992,
*Computational Frameworks for the Fast Fourier Transform*, SIAM, sec. 1.7;
mixed radix as in Temperton 1983, "Self-sorting mixed-radix fast Fourier
transforms", J. Comput. Phys. 52, 1-23; radix-2 and radix-4 butterflies as
in FFTPACK, Swarztrauber 1982, "Vectorizing the FFTs", in Parallel
Computations, Academic Press, 51-83), decimation in frequency, every
real operation of the complex arithmetic rounded by the emulated arrays'
own rules (one rounding, one random stream per whole-array operation).

Length ``n`` is factored into radices: as many 4s as possible, then a 2,
then the odd primes in increasing order (3, 5, 7, ...).  A stage of radix
``R`` with ``m = n_cur / R`` (``n_cur``: the length still to transform,
``s = n / n_cur`` the stride) views the data of each transform as an array
``x[j, p, q]`` of shape ``(R, m, s)`` (index ``q + s (p + j m)``) and
computes, for ``k = 0 .. R-1``,

    y[k, p, q] = ( sum_j  x[j, p, q] w_R^(jk) ) * w_(n_cur)^(pk)

written to index ``q + s (R p + k)`` (shape ``(m, R, s)``), with
``w_N = exp(-2 pi i / N)`` (``+`` for the inverse).  All transforms of a
call run together: the data are an ``(n, batch)`` array (the transform axis
moved to the front, the other axes flattened in C order), a stage works on
``(R, m, s, batch)`` views, and element ``i`` (C order) of each whole-array
operation below uses random counter ``i`` of that operation's stream.
Rounding order of a stage:

1. radix 2 and 4: FFTPACK's butterflies (Swarztrauber 1982) on the
   ``(m, s, B)`` slices ``x_j``, each complex sum two rounded whole-array
   operations (real part, then imaginary part), in this order.  Radix 2:
   ``y0 = x0 + x1``, ``y1 = x0 - x1``.  Radix 4, ``w = -i`` (forward) or
   ``+i`` (inverse): ``t1 = x0 + x2``, ``t2 = x0 - x2``, ``t3 = x1 + x3``,
   ``t4 = x1 - x3``, ``y0 = t1 + t3``, ``y2 = t1 - t3``, ``y1 = t2 + w t4``,
   ``y3 = t2 - w t4`` (``w t4`` is exact: the parts swapped, one negated, so
   ``y1``'s parts are a rounded sum and a rounded difference).  Radix 3
   (FFTPACK's pass), ``taur = -1/2``, ``taui = fl(sign sin(2 pi / 3))``:
   ``t = x1 + x2``, ``y0 = x0 + t``, ``h = taur t``, ``c = x0 + h``,
   ``d = x1 - x2``, ``g = taui d``, ``y1 = c + i g``, ``y2 = c - i g``.
   Other odd radices: for ``j = 1 .. R-1`` the terms ``t_j[k] = x_j w_R^(jk)``:
   ``t_j[0] = x_j`` and ``t_j[1:]`` is one rounded complex product (6
   operations in the order of :func:`numprec.emulate.complex.multiply`) of
   ``x_j`` with the ``R - 1`` factors; then ``y = y + t_j`` (2 rounded
   sums; ``y`` starts as ``x_0``), so the sum over ``j`` is sequential;
2. if ``m > 1``: ``y[1:]`` is multiplied by the stage twiddles
   ``w_(n_cur)^(pk)``, ``k >= 1`` (one rounded complex product).

Lengths with prime factors other than 2, 3, 5 take the same path: a radix-
``R`` stage for a prime ``R`` is a rounded direct DFT of length ``R`` (cost
grows as ``n * R``).

Twiddle factors are computed in double, ``cos(2 pi e / N)`` and
``sin(2 pi e / N)`` of the vector ``e = 0 .. N-1`` with exact 0 and +-1 at
the quarter points, rounded once to the compute format (round to nearest
even, no random numbers), and cached per compute format and container.

Input whose format the compute format does not contain (a wider storage
format) is converted once, with the policy's scheme and one stream, before
the transform.

Real transforms: ``rfft`` is the complex FFT of ``x + 0i`` keeping the
``n // 2 + 1`` non-negative frequencies; ``irfft`` builds the Hermitian
spectrum of length ``n`` (``X[n-k] = conj(X[k])``, the imaginary parts of
``X[0]`` and, for even ``n``, ``X[n/2]`` dropped, as numpy does), runs the
inverse complex FFT and returns its real part.  Normalisation is one
rounded multiply of each part by ``fl(1/n)`` or ``fl(1/sqrt(n))``.

The result of ``fft``, ``ifft`` and ``rfft`` is an
:class:`~numprec.emulate.complex.EmulatedComplex`; ``irfft`` returns an
:class:`~numprec.emulate.EmulatedArray`.
"""
from __future__ import annotations

import operator

import numpy as np

from numprec.emulate import engine as eng
from numprec.emulate.array import EmulatedArray
from numprec.emulate.complex import EmulatedComplex, multiply
from numprec.emulate.functions import implements
from numprec.emulate.context import active_policy
from numprec.emulate.policy import contains

_NORMS = ("backward", "ortho", "forward")
_CACHE = {}
_CACHE_LIMIT = 64          # formats; each holds its tables


# ------------------------------------------------------------------ plan
def radices(n: int) -> list:
    """The radices of the stages for length ``n``: 4s, then a 2, then odd
    primes in increasing order."""
    if n < 1:
        raise ValueError(f"transform length must be >= 1, got {n}")
    out = []
    while n % 4 == 0:
        out.append(4)
        n //= 4
    if n % 2 == 0:
        out.append(2)
        n //= 2
    p = 3
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 2
        if p * p > n and n > 1:
            out.append(n)
            break
    return out


def twiddles(N: int):
    """``(cos, sin)`` of ``2 pi e / N`` for ``e = 0 .. N-1`` in double, with
    exact values at the quarter points."""
    e = np.arange(N, dtype=np.float64)
    theta = (2.0 * np.pi / N) * e
    c = np.cos(theta)
    s = np.sin(theta)
    quarter = (4 * np.arange(N)) % N == 0
    q = (4 * np.arange(N)[quarter]) // N
    c[quarter] = np.array([1.0, 0.0, -1.0, 0.0])[q]
    s[quarter] = np.array([0.0, 1.0, 0.0, -1.0])[q]
    return c, s


def _constant(pol, key, build):
    """A cached emulated constant of ``pol``'s compute format.

    The cache is looked up by the identity of the format object (hashing a
    format is slow); the entry keeps the format alive, so the identity
    cannot be reused while the entry exists."""
    fmt = pol.compute
    entry = _CACHE.get(id(fmt))
    if entry is None or entry[0] is not fmt:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        entry = _CACHE[id(fmt)] = (fmt, {})
    full = (np.dtype(pol.dtype).str,) + key
    value = entry[1].get(full)
    if value is None:
        re, im = build()
        value = entry[1][full] = (pol.constant(re), pol.constant(im))
    return value


def _butterfly_factors(pol, R, j, sign):
    """``w_R^(jk)`` for ``k = 1 .. R-1``, shape ``(R-1, 1, 1, 1)``."""
    def build():
        c, s = twiddles(R)
        e = (j * np.arange(1, R)) % R
        return c[e].reshape(R - 1, 1, 1, 1), (sign * s[e]).reshape(R - 1, 1, 1, 1)
    return _constant(pol, ("butterfly", R, j, sign), build)


def _stage_twiddles(pol, n_cur, R, sign):
    """``w_(n_cur)^(pk)`` for ``k = 1 .. R-1``, ``p = 0 .. m-1``, shape ``(R-1, m, 1, 1)``."""
    m = n_cur // R

    def build():
        c, s = twiddles(n_cur)
        e = (np.arange(1, R)[:, None] * np.arange(m)[None, :]) % n_cur
        return c[e][..., None, None], (sign * s[e])[..., None, None]
    return _constant(pol, ("stage", n_cur, R, sign), build)


def _butterfly_2_4(xr, xi, R, sign):
    """The radix-2 or radix-4 butterfly of ``(R, m, s, B)`` parts (FFTPACK's
    passes; Swarztrauber 1982): ``y`` of shape ``(R, m, s, B)``.

    Radix 2: ``y0 = x0 + x1``, ``y1 = x0 - x1``.  Radix 4, with ``w = -i``
    (forward) or ``+i`` (inverse): ``t1 = x0 + x2``, ``t2 = x0 - x2``,
    ``t3 = x1 + x3``, ``t4 = x1 - x3``, then ``y0 = t1 + t3``,
    ``y2 = t1 - t3``, ``y1 = t2 + w t4``, ``y3 = t2 - w t4`` (``w t4`` is an
    exact swap of parts with one sign).  Each complex sum is two rounded
    whole-array operations, real part first."""
    if R == 2:
        y = [(xr[0] + xr[1], xi[0] + xi[1]), (xr[0] - xr[1], xi[0] - xi[1])]
    else:
        t1r, t1i = xr[0] + xr[2], xi[0] + xi[2]
        t2r, t2i = xr[0] - xr[2], xi[0] - xi[2]
        t3r, t3i = xr[1] + xr[3], xi[1] + xi[3]
        t4r, t4i = xr[1] - xr[3], xi[1] - xi[3]
        y0 = (t1r + t3r, t1i + t3i)
        y2 = (t1r - t3r, t1i - t3i)
        if sign < 0:        # w t4 = (t4i, -t4r)
            y1 = (t2r + t4i, t2i - t4r)
            y3 = (t2r - t4i, t2i + t4r)
        else:               # w t4 = (-t4i, t4r)
            y1 = (t2r - t4i, t2i + t4r)
            y3 = (t2r + t4i, t2i - t4r)
        y = [y0, y1, y2, y3]
    return np.stack([p[0] for p in y]), np.stack([p[1] for p in y])


#: sin(2 pi / 3) in double, as :func:`twiddles` computes it (radix-3 passes).
_SIN_2PI_3 = float(twiddles(3)[1][1])


def _butterfly_3(xr, xi, sign):
    """The radix-3 butterfly of ``(3, m, s, B)`` parts (FFTPACK's pass;
    Swarztrauber 1982): with ``taur = -1/2`` and ``taui = fl(sign sin(2 pi/3))``
    (``sign = -1`` forward), ``t = x1 + x2``, ``y0 = x0 + t``, ``h = taur t``,
    ``c = x0 + h``, ``d = x1 - x2``, ``g = taui d``, ``y1 = c + i g``,
    ``y2 = c - i g`` (``i g`` is exact: the parts swapped, one negated).  Each
    complex operation is two rounded whole-array operations, real part first."""
    taui = sign * _SIN_2PI_3
    tr, ti = xr[1] + xr[2], xi[1] + xi[2]
    y0 = (xr[0] + tr, xi[0] + ti)
    hr, hi = tr * -0.5, ti * -0.5
    cr, ci = xr[0] + hr, xi[0] + hi
    dr, di = xr[1] - xr[2], xi[1] - xi[2]
    gr, gi = dr * taui, di * taui
    y1 = (cr - gi, ci + gr)
    y2 = (cr + gi, ci - gr)
    y = [y0, y1, y2]
    return np.stack([q[0] for q in y]), np.stack([q[1] for q in y])


def _stage(re, im, R, m, s, pol, sign):
    """One Stockham stage on ``(n, batch)`` parts; returns ``(n, batch)`` parts."""
    B = re.shape[-1]
    xr = re.reshape(R, m, s, B)
    xi = im.reshape(R, m, s, B)
    if R in (2, 4):
        yr, yi = _butterfly_2_4(xr, xi, R, sign)
    elif R == 3:
        yr, yi = _butterfly_3(xr, xi, sign)
    else:
        yr = xr[0:1]
        yi = xi[0:1]
        for j in range(1, R):
            ar = xr[j:j + 1]
            ai = xi[j:j + 1]
            wr, wi = _butterfly_factors(pol, R, j, sign)
            t = multiply(ar, ai, wr, wi)
            tr = np.concatenate([ar, t.real], axis=0)
            ti = np.concatenate([ai, t.imag], axis=0)
            if j == 1:
                yr = yr + tr             # (1, m, s, B) + (R, m, s, B): a new array
                yi = yi + ti
            else:
                yr += tr                 # in place: the same rounding, no new array
                yi += ti
    if m > 1:
        wr, wi = _stage_twiddles(pol, R * m, R, sign)
        t = multiply(yr[1:], yi[1:], wr, wi)
        yr[1:] = t.real              # exact copies
        yi[1:] = t.imag
    n = R * m * s
    return (np.transpose(yr, (1, 0, 2, 3)).reshape(n, B),
            np.transpose(yi, (1, 0, 2, 3)).reshape(n, B))


def transform(re, im, sign, pol):
    """The unnormalised complex DFT along the first axis of ``(n, batch)``
    emulated parts (``sign=-1`` forward, ``+1`` inverse)."""
    n = re.shape[0]
    n_cur, s = n, 1
    for R in radices(n):
        m = n_cur // R
        re, im = _stage(re, im, R, m, s, pol, sign)
        n_cur, s = m, s * R
    return re, im


# ------------------------------------------------------------- arguments
def _policy_of(x):
    pol = active_policy()
    return pol if pol is not None else x.policy


def _check(fname, a, n, axis, norm, kwargs):
    if kwargs:
        raise TypeError(f"numpy.fft.{fname} on emulated arrays does not support "
                        f"{', '.join(sorted(kwargs))} (supported: n, axis, norm)")
    if not isinstance(a, (EmulatedArray, EmulatedComplex)):
        raise TypeError(f"numpy.fft.{fname}: expected an EmulatedArray or EmulatedComplex, "
                        f"got {type(a).__name__}")
    if fname in ("rfft",) and isinstance(a, EmulatedComplex):
        raise TypeError("numpy.fft.rfft needs real input (an EmulatedArray), got an EmulatedComplex")
    if a.ndim == 0:
        raise ValueError(f"numpy.fft.{fname} needs at least one dimension, got a 0-d array")
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"numpy.fft.{fname}: axis must be an integer, got {axis!r}") from None
    if not -a.ndim <= axis < a.ndim:
        raise np.exceptions.AxisError(axis, a.ndim, f"numpy.fft.{fname}: axis")
    axis %= a.ndim
    if n is not None:
        try:
            n = operator.index(n)
        except TypeError:
            raise TypeError(f"numpy.fft.{fname}: n must be an integer or None, got {n!r}") from None
        if n < 1:
            raise ValueError(f"numpy.fft.{fname}: n must be >= 1, got {n}")
    if norm is None:
        norm = "backward"
    if norm not in _NORMS:
        raise ValueError(f"numpy.fft.{fname}: norm must be one of {_NORMS} or None, got {norm!r}")
    return n, axis, norm


def _length(fname, n):
    """``n`` if it is a valid transform length."""
    if n < 1:
        raise ValueError(f"numpy.fft.{fname}: invalid number of data points ({n}); "
                         "the transform axis is empty (pass n >= 1)")
    return n


def _resize(x, length, axis, pol):
    """``x`` cut or zero-padded to ``length`` along ``axis``."""
    have = x.shape[axis]
    if have == length:
        return x
    if have > length:
        key = [slice(None)] * x.ndim
        key[axis] = slice(0, length)
        return x[tuple(key)]
    shape = list(x.shape)
    shape[axis] = length - have
    return np.concatenate([x, pol.constant(np.zeros(shape))], axis=axis)


def _in_compute_format(x, pol):
    """``x`` itself if the compute format holds its values, else ``x``
    converted once (the policy's scheme, one stream), so that every use of
    an input value in the transform sees the same rounded value."""
    if x.dtype == np.dtype(pol.dtype) and contains(pol.compute, x.format):
        return x
    return pol.asarray(x)


def _parts_of(a, pol):
    if isinstance(a, EmulatedComplex):
        return _in_compute_format(a.real, pol), _in_compute_format(a.imag, pol)
    return _in_compute_format(a, pol), pol.constant(np.zeros(a.shape))


def _to_batch(x, axis):
    """``x`` as an ``(n, batch)`` array: the transform axis first."""
    moved = np.moveaxis(x, axis, 0)
    return moved.reshape(moved.shape[0], -1).copy(), moved.shape     # C-contiguous


def _from_batch(x, shape, axis):
    return np.moveaxis(x.reshape(shape), 0, axis)


def _factor(n, norm, inverse):
    """The normalisation factor of a transform of length ``n`` (1.0: none)."""
    if norm == "ortho":
        return 1.0 / np.sqrt(n)
    if (norm == "backward") == inverse:
        return 1.0 / n
    return 1.0


def _scale(re, im, factor):
    """Each part times ``fl(factor)``: one rounded multiply each (none for 1)."""
    if factor == 1.0:
        return re, im
    return re * factor, im * factor


def _native(fname, a, n, axis, norm, pol):
    """``numpy.fft.<fname>`` itself on the values, for a policy whose
    arithmetic is the container's own (``plan.native``: binary64 on float64
    containers, binary32 on float32): nothing is rounded, so the result is
    numpy's (pocketfft's), bit for bit."""
    plan = pol.plan
    if isinstance(a, EmulatedComplex):
        home = a.real.policy
        re, im = np.asarray(plan.operand(a.real)), np.asarray(plan.operand(a.imag))
        x = np.empty(np.broadcast_shapes(re.shape, im.shape),
                     dtype=np.result_type(re.dtype, np.complex64))
        x.real = re
        x.imag = im
    else:
        home = a.policy
        x = np.asarray(plan.operand(a))
    res = getattr(np.fft, fname)(x, n=n, axis=axis, norm=norm)
    if res.dtype.kind != "c":
        return eng.finish(pol, home, np.ascontiguousarray(res, dtype=plan.dtype), exact=True)
    return EmulatedComplex(
        eng.finish(pol, home, np.ascontiguousarray(res.real, dtype=plan.dtype), exact=True),
        eng.finish(pol, home, np.ascontiguousarray(res.imag, dtype=plan.dtype), exact=True))


def _complex(fname, a, n, axis, norm, kwargs, sign):
    n, axis, norm = _check(fname, a, n, axis, norm, kwargs)
    pol = _policy_of(a.real if isinstance(a, EmulatedComplex) else a)
    if pol.plan.native:
        return _native(fname, a, n, axis, norm, pol)
    re, im = _parts_of(a, pol)
    n = _length(fname, re.shape[axis] if n is None else n)
    re = _resize(re, n, axis, pol)
    im = _resize(im, n, axis, pol)
    (re, shape), (im, _) = _to_batch(re, axis), _to_batch(im, axis)
    re, im = transform(re, im, sign, pol)
    re, im = _scale(re, im, _factor(n, norm, sign > 0))
    return EmulatedComplex(_from_batch(re, shape, axis), _from_batch(im, shape, axis))


@implements(np.fft.fft)
def fft(a, n=None, axis=-1, norm=None, **kwargs):
    """Rounded ``np.fft.fft`` (see the module docstring for the rounding order)."""
    return _complex("fft", a, n, axis, norm, kwargs, -1)


@implements(np.fft.ifft)
def ifft(a, n=None, axis=-1, norm=None, **kwargs):
    """Rounded ``np.fft.ifft``: conjugate twiddles, then a rounded multiply by ``fl(1/n)``."""
    return _complex("ifft", a, n, axis, norm, kwargs, +1)


def _half_twiddles(pol, n, inverse):
    """The post-processing factors of the real transforms for even ``n``,
    ``k = 0 .. n/2`` (forward, shape ``(n/2+1, 1)``) or ``k = 0 .. n/2-1``
    (inverse, shape ``(n/2, 1)``): ``-i w_n^k = (-sin, -cos)`` and
    ``i conj(w_n^k) = (-sin, cos)``, with ``w_n = exp(-2 pi i / n)``."""
    h = n // 2

    def build():
        c, s = twiddles(n)
        if inverse:
            return -s[:h, None], c[:h, None]
        e = np.arange(h + 1) % n
        return -s[e, None], -c[e, None]
    return _constant(pol, ("real", n, inverse), build)


def _rfft_even(x, n, pol):
    """Unnormalised ``2 * rfft`` of ``(n, batch)`` real data, ``n`` even: the
    complex FFT of ``z_j = x_2j + i x_2j+1`` (length ``n/2``), then
    ``2 X_k = (Z_k + conj Z_(h-k)) + (-i w_n^k)(Z_k - conj Z_(h-k))``."""
    h, B = n // 2, x.shape[-1]
    pairs = x.reshape(h, 2, B)
    zr, zi = transform(pairs[:, 0].copy(), pairs[:, 1].copy(), -1, pol)
    ends = [zr[0:1]]
    right_r = np.concatenate([zr, zr[0:1]], axis=0)                       # Z_k, k = 0..h
    right_i = np.concatenate([zi, zi[0:1]], axis=0)
    mirror = slice(h - 1, 0, -1)
    left_r = np.concatenate(ends + [zr[mirror], zr[0:1]], axis=0)         # conj Z_(h-k)
    left_i = np.concatenate([-zi[0:1], -zi[mirror], -zi[0:1]], axis=0)
    ar, ai = right_r + left_r, right_i + left_i
    dr, di = right_r - left_r, right_i - left_i
    vr, vi = _half_twiddles(pol, n, False)
    t = multiply(dr, di, vr, vi)
    return ar + t.real, ai + t.imag


def _irfft_even(xr, xi, n, pol):
    """Unnormalised ``irfft`` of ``(n/2+1, batch)`` Hermitian data, ``n`` even:
    ``U_k = (X_k + conj X_(h-k)) + i conj(w_n^k) (X_k - conj X_(h-k))``,
    ``k = 0 .. h-1``; its inverse complex FFT of length ``h`` interleaves the
    even (real part) and odd (imaginary part) samples."""
    h = n // 2
    right_r, right_i = xr[:h], xi[:h]
    left_r, left_i = xr[h:0:-1], -xi[h:0:-1]
    ar, ai = right_r + left_r, right_i + left_i
    dr, di = right_r - left_r, right_i - left_i
    ur, ui = _half_twiddles(pol, n, True)
    t = multiply(dr, di, ur, ui)
    return transform(ar + t.real, ai + t.imag, +1, pol)


@implements(np.fft.rfft)
def rfft(a, n=None, axis=-1, norm=None, **kwargs):
    """Rounded ``np.fft.rfft``.  Even ``n``: a complex FFT of length ``n/2``
    and the post-processing step (:func:`_rfft_even`), then one rounded
    multiply by ``fl(factor / 2)``; odd ``n``: the complex FFT of ``a + 0i``,
    first ``n//2 + 1`` outputs."""
    n, axis, norm = _check("rfft", a, n, axis, norm, kwargs)
    pol = _policy_of(a)
    if pol.plan.native:
        return _native("rfft", a, n, axis, norm, pol)
    n = _length("rfft", a.shape[axis] if n is None else n)
    if n % 2:
        full = _complex("fft", a, n, axis, norm, {}, -1)
        key = [slice(None)] * full.ndim
        key[axis] = slice(0, n // 2 + 1)
        return full[tuple(key)]
    x, shape = _to_batch(_resize(_in_compute_format(a, pol), n, axis, pol), axis)
    re, im = _rfft_even(x, n, pol)
    re, im = _scale(re, im, 0.5 * _factor(n, norm, False))
    shape = (n // 2 + 1,) + shape[1:]
    return EmulatedComplex(_from_batch(re, shape, axis), _from_batch(im, shape, axis))


@implements(np.fft.irfft)
def irfft(a, n=None, axis=-1, norm=None, **kwargs):
    """Rounded ``np.fft.irfft`` of Hermitian input.  Even ``n``: the
    pre-processing step and an inverse complex FFT of length ``n/2``
    (:func:`_irfft_even`); odd ``n``: the inverse complex FFT of the
    Hermitian extension, real part.  Then one rounded multiply by
    ``fl(factor)``."""
    n, axis, norm = _check("irfft", a, n, axis, norm, kwargs)
    pol = _policy_of(a.real if isinstance(a, EmulatedComplex) else a)
    if pol.plan.native:
        return _native("irfft", a, n, axis, norm, pol)
    re, im = _parts_of(a, pol)
    if n is None:
        n = 2 * (re.shape[axis] - 1)
        if n < 1:
            raise ValueError(f"numpy.fft.irfft: invalid number of data points ({n}) from an "
                             f"input of length {re.shape[axis]}; pass n=")
    half = n // 2 + 1
    re, shape = _to_batch(_resize(re, half, axis, pol), axis)
    im, _ = _to_batch(_resize(im, half, axis, pol), axis)
    zero = pol.constant(np.zeros((1, im.shape[1])))
    if n % 2 == 0:
        im = np.concatenate([zero, im[1:half - 1], zero], axis=0) if n > 2 else np.concatenate([zero, zero])
    else:
        im = np.concatenate([zero, im[1:]], axis=0)
    factor = _factor(n, norm, True)
    shape = (n,) + shape[1:]
    if n % 2 == 0:
        even, odd = _irfft_even(re, im, n, pol)
        even, odd = _scale(even, odd, factor)
        out = np.stack([even, odd], axis=1).reshape(n, -1)
        return _from_batch(out, shape, axis)
    mirror = slice(n - half, 0, -1)         # X[n-k] = conj(X[k]) for k = half .. n-1
    full_re = np.concatenate([re, re[mirror]], axis=0)
    full_im = np.concatenate([im, -im[mirror]], axis=0)
    out, _ = transform(full_re, full_im, +1, pol)
    if factor != 1.0:
        out = out * factor
    return _from_batch(out, shape, axis)
