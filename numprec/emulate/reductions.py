"""Reductions rounded at every accumulation step, on plain ndarrays.

These functions are what :class:`~numprec.emulate.EmulatedArray` calls for
``sum``, ``mean``, ``prod``, ``cumsum``, ``dot`` and ``matmul``; they are
public so that study code can use them on plain arrays too, e.g.
``rounded_sum(x, "fp16", "stochastic", seed=1)``.

Order (``method``)
------------------
``"sequential"``
    Left to right along the reduced axis: ``s = R(...R(R(t0 + t1) + t2)...)``.
``"pairwise"``
    Recursive halving: ``S(lo, hi) = R(S(lo, mid) + S(mid, hi))`` with
    ``mid = lo + (hi - lo) // 2``, down to single terms (Higham 1993, "The
    accuracy of floating point summation", SIAM J. Sci. Comput. 14(4)).
    This is a fixed tree, unlike numpy's blocked pairwise sum.
``"kahan"``
    Kahan's (1965) compensated summation with every operation in the target
    format: ``y = R(t - c); u = R(s + y); c = R(R(u - s) - y); s = u``.

Several axes are reduced as one flattened axis (C order of the reduced
axes).  Running reductions (``cumsum``) are sequential, or Kahan if asked;
``"pairwise"`` falls back to sequential there.  Products (``prod``) are
sequential or pairwise.

Random numbers
--------------
A reduction with ``L`` output elements ("lanes") numbers the roundings of
each lane ``k = 0, 1, ...`` in the order they are performed and gives
rounding ``k`` of lane ``i`` counter ``offset + k*L + i`` of its stream.  So
step ``k`` of all lanes is exactly ``numprec.round(v, fmt, rounding,
seed=seed, stream=stream, offset=offset + k*L)`` of the vector ``v`` of the
lanes' unrounded partial results (this is how formats without a Cython
kernel are handled, and how the kernel is tested).  Dot products first
round their ``n`` products (events ``0..n-1``), then sum; matrix products
run many output elements side by side in the tiled kernel
:mod:`numprec._kernels.matmul` with these same counters, and take the
accumulation models of :mod:`numprec.emulate.accumulation` (separate
product/accumulator formats, fused multiply-add, blocks).
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from numprec._kernels.matmul import matmul_tiles, reduce_columns
from numprec.emulate.rounder import Rounder
from numprec.rounding.checks import check_random_bits
from numprec.rounding.random import RandomKey, check_uint64
from numprec.rounding.threads import get_num_threads

METHODS = {"sequential": 0, "pairwise": 1, "kahan": 2}
_ADD, _MULTIPLY = 0, 1


def check_method(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    return method


# ----------------------------------------------------------------- helpers
def _lanes(data, axis):
    """(terms as (lanes, n) float64, output shape, keepdims shape)."""
    axes = normalize_axis_tuple(tuple(range(data.ndim)) if axis is None else axis, data.ndim)
    kept = [d for d in range(data.ndim) if d not in axes]
    moved = np.transpose(data, kept + list(axes))
    out_shape = tuple(data.shape[d] for d in kept)
    n = int(np.prod([data.shape[d] for d in axes], dtype=np.int64))
    lanes = int(np.prod(out_shape, dtype=np.int64))
    terms = np.asarray(moved, dtype=np.float64).reshape(lanes, n)
    keep_shape = tuple(1 if d in axes else data.shape[d] for d in range(data.ndim))
    return terms, out_shape, keep_shape


def _step(rounder, v, seed, stream, offset):
    """Round the vector ``v`` (in place) as event block ``offset``."""
    if rounder.format is None:          # pragma: no cover - defensive
        return v
    rng = RandomKey(seed, stream, offset, rounder.random_bits)
    rounder.format._round_array(v, v, rounder.scheme, rng)
    return v


def _generic_reduce(terms, rounder, seed, stream, offset, method, op, round_terms):
    """The event-major reference implementation (any format, any scheme)."""
    lanes, n = terms.shape
    event = [0]

    def rnd(v):
        v = np.array(v, dtype=np.float64)
        _step(rounder, v, seed, stream, offset + event[0] * lanes)
        event[0] += 1
        return v

    combine = np.multiply if op == _MULTIPLY else np.add
    cols = [rnd(terms[:, j]) if round_terms else terms[:, j].copy() for j in range(n)]

    def pair(lo, hi):
        if hi - lo == 1:
            return cols[lo]
        mid = lo + (hi - lo) // 2
        a = pair(lo, mid)
        b = pair(mid, hi)
        return rnd(combine(a, b))

    if method == 1:
        return pair(0, n)
    s = cols[0]
    if method == 2:
        c = np.zeros(lanes)
        for j in range(1, n):
            y = rnd(cols[j] - c)
            u = rnd(s + y)
            c = rnd(rnd(u - s) - y)
            s = u
        return s
    for j in range(1, n):
        s = rnd(combine(s, cols[j]))
    return s


def _generic_accumulate(terms, rounder, seed, stream, offset, method, op):
    lanes, n = terms.shape
    out = np.empty_like(terms)
    event = 0

    def rnd(v):
        nonlocal event
        v = np.array(v, dtype=np.float64)
        _step(rounder, v, seed, stream, offset + event * lanes)
        event += 1
        return v

    combine = np.multiply if op == _MULTIPLY else np.add
    s = terms[:, 0].copy()
    c = np.zeros(lanes)
    out[:, 0] = s
    for j in range(1, n):
        if method == 2:
            y = rnd(terms[:, j] - c)
            u = rnd(s + y)
            c = rnd(rnd(u - s) - y)
            s = u
        else:
            s = rnd(combine(s, terms[:, j]))
        out[:, j] = s
    return out


def _threads(lanes):
    return get_num_threads() if lanes >= 64 else 1


# ------------------------------------------------------------- the engine
def reduce_terms(terms, rounder, seed, stream, method="sequential", op="add",
                 round_terms=False, offset=0):
    """Reduce each row of the (lanes, n) float64 array ``terms``, n >= 1.

    The engine behind the public functions: the Cython kernel
    :func:`numprec._kernels.reduce.reduce_rows` where it applies, else the
    event-major Python implementation (identical results).
    """
    m = METHODS[check_method(method)]
    o = {"add": _ADD, "multiply": _MULTIPLY}[op]
    if o == _MULTIPLY and m == 2:
        m = 0
    lanes, n = terms.shape
    if rounder.kernel is not None:
        from numprec._kernels.reduce import reduce_rows
        out = np.empty(lanes)
        reduce_rows(terms, out, rounder.kernel, rounder.mode, rounder.key(seed, stream), offset,
                    rounder.rbits, m, o, bool(round_terms), _threads(lanes))
        return out
    return _generic_reduce(terms, rounder, seed, stream, offset, m, o, round_terms)


def accumulate_terms(terms, rounder, seed, stream, method="sequential", op="add", offset=0):
    """Running rounded reductions of the rows of ``terms`` (lanes, n), n >= 1."""
    m = METHODS[check_method(method)]
    m = 2 if (m == 2 and op == "add") else 0
    o = {"add": _ADD, "multiply": _MULTIPLY}[op]
    lanes, n = terms.shape
    if rounder.kernel is not None:
        from numprec._kernels.reduce import accumulate_rows
        out = np.empty((lanes, n))
        accumulate_rows(terms, out, rounder.kernel, rounder.mode, rounder.key(seed, stream),
                        offset, rounder.rbits, m, o, _threads(lanes))
        return out
    return _generic_accumulate(terms, rounder, seed, stream, offset, m, o)


def reduce_array(data, axis, rounder, seed, stream, method="sequential", op="add",
                 keepdims=False):
    """Rounded sum/product of ``data`` over ``axis`` (None, int or tuple).

    Returns a float64 ndarray (0-d for a full reduction).  An empty
    reduction gives 0 (sum) or 1 (product), as numpy does.
    """
    terms, out_shape, keep_shape = _lanes(data, axis)
    lanes, n = terms.shape
    if n == 0:
        result = np.full(lanes, 1.0 if op == "multiply" else 0.0)
    else:
        result = reduce_terms(terms, rounder, seed, stream, method, op)
    return result.reshape(keep_shape if keepdims else out_shape)


def accumulate_array(data, axis, rounder, seed, stream, method="sequential", op="add"):
    """Rounded running sum/product along ``axis`` (None: the flattened array)."""
    if axis is None:
        data = np.reshape(data, -1)
        axis = 0
    (axis,) = normalize_axis_tuple(axis, data.ndim)
    moved = np.moveaxis(data, axis, -1)
    terms = np.asarray(moved, dtype=np.float64).reshape(-1, data.shape[axis] if data.ndim else 1)
    if terms.shape[1] == 0 or terms.shape[0] == 0:
        out = terms.copy()
    else:
        out = accumulate_terms(terms, rounder, seed, stream, method, op)
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def _matmul_threads(lanes, k):
    return get_num_threads() if lanes * k >= (1 << 21) else 1


def matmul_arrays(a, b, rounder, seed, stream, method="sequential", multiply=None, fmt=None,
                  product_rounder=None, fma=False, block=None):
    """Rounded ``a @ b`` with numpy's matmul shape rules (1-D promoted,
    batch dims broadcast).

    Every product is rounded (computed by ``multiply(a, b, fmt)`` of an
    arithmetic scheme, else exactly) and the sum over the inner dimension is
    rounded at every step.  Lane ``i`` is the flat C index of the output
    element.  For :class:`~numprec.FloatFormat` targets the tiled kernel
    :func:`numprec._kernels.matmul.matmul_tiles` runs many lanes side by
    side (the same bits as one lane at a time).

    ``product_rounder`` (default ``rounder``) rounds the products,
    ``rounder`` every partial sum; ``fma`` fuses each multiply-add into one
    rounding of the exact ``s + a*b`` (sequential only, exact products:
    checked by the caller); ``block`` sums runs of ``block`` products
    separately and adds each block sum to the running total (see
    :mod:`numprec.emulate.accumulation`).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: input operand does not have enough dimensions (scalars are "
                         "not allowed; use *)")
    a2 = a[np.newaxis, :] if a.ndim == 1 else a
    b2 = b[:, np.newaxis] if b.ndim == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: inner dimensions differ: {a.shape} and {b.shape}")
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    m, k, n = a2.shape[-2], a2.shape[-1], b2.shape[-1]
    shape = batch + (m, n)
    prounder = rounder if product_rounder is None else product_rounder
    custom = prounder is not rounder or fma or block is not None
    if fma and multiply is not None:
        raise ValueError("a fused multiply-add needs exact products, not an arithmetic "
                         "scheme's multiply")
    kernels = rounder.kernel is not None and prounder.kernel is not None
    if custom and not kernels:
        raise ValueError("accumulation models need FloatFormat product and accumulator "
                         "formats with a built-in rounding mode")
    if k == 0:
        out = np.zeros(shape)
    elif kernels:
        lanes = math.prod(shape)
        key = rounder.key(seed, stream)
        meth = METHODS[check_method(method)]
        blk = 0 if block is None else int(block)
        threads = _matmul_threads(lanes, k)
        if multiply is None:
            if batch:
                a3 = np.broadcast_to(a2, batch + (m, k)).reshape(-1, m, k)
                b3 = np.ascontiguousarray(np.broadcast_to(b2, batch + (k, n))).reshape(-1, k, n)
            else:
                a3 = a2[np.newaxis]
                b3 = np.ascontiguousarray(b2)[np.newaxis]
            out = np.empty((a3.shape[0], m, n))
            matmul_tiles(a3, b3, out, prounder.kernel, rounder.kernel, rounder.mode, key, 0,
                         rounder.rbits, meth, bool(fma), blk, threads)
        else:
            products = multiply(a2[..., :, :, np.newaxis], b2[..., np.newaxis, :, :], fmt)
            products = np.broadcast_to(products, batch + (m, k, n))
            terms = np.ascontiguousarray(np.moveaxis(products, -2, 0), dtype=np.float64)
            out = np.empty(lanes)
            reduce_columns(terms.reshape(k, lanes), out, prounder.kernel, rounder.kernel,
                           rounder.mode, key, 0, rounder.rbits, meth, blk, threads)
        out = out.reshape(shape)
    else:
        left = a2[..., :, :, np.newaxis]
        right = b2[..., np.newaxis, :, :]
        products = multiply(left, right, fmt) if multiply is not None else left * right
        products = np.broadcast_to(products, batch + (m, k, n))
        terms = np.moveaxis(products, -2, -1).reshape(-1, k)
        out = reduce_terms(terms, rounder, seed, stream, method, "add", round_terms=True)
        out = out.reshape(shape)
    if a.ndim == 1:
        out = out[..., 0, :]
    if b.ndim == 1:
        out = out[..., 0]
    return out


# ------------------------------------------------------- plain-array API
def _prepare(x, fmt, rounding, seed, random_bits, stream):
    from numprec.rounding.api import resolve_format, resolve_rounding
    import secrets
    fmt = resolve_format(fmt)
    scheme = resolve_rounding(rounding)
    random_bits = check_random_bits(random_bits, scheme)
    seed = secrets.randbits(64) if seed is None else check_uint64(seed, "seed")
    stream = check_uint64(stream, "stream")
    x = np.asarray(x)
    if x.dtype.kind not in "fiu":
        raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
    return np.asarray(x, dtype=np.float64), Rounder(fmt, scheme, random_bits), seed, stream


def rounded_sum(x, fmt, rounding="nearest_even", *, axis=None, method="sequential",
                seed=None, random_bits=None, stream=0, keepdims=False):
    """Sum of ``x`` with every partial sum rounded to ``fmt``.

    The terms are used as given (round them first with :func:`numprec.round`
    if they should be values of ``fmt``).  See the module notes for the
    orders and the random counters.

    Parameters
    ----------
    x : array_like of real numbers
    fmt : numprec.Format or str
    rounding : str or numprec.RoundingScheme
    axis : None, int or tuple of int
    method : {"sequential", "pairwise", "kahan"}
    seed, random_bits, stream
        As in :func:`numprec.round` (``random_bits`` checked by
        :func:`numprec.rounding.check_random_bits`, the same check).
    keepdims : bool

    Returns
    -------
    numpy.ndarray
        float64 values of ``fmt`` (0-d for a full reduction).
    """
    x, rounder, seed, stream = _prepare(x, fmt, rounding, seed, random_bits, stream)
    return reduce_array(x, axis, rounder, seed, stream, method, "add", keepdims)


def rounded_cumsum(x, fmt, rounding="nearest_even", *, axis=None, method="sequential",
                   seed=None, random_bits=None, stream=0):
    """Running sum with every partial sum rounded (sequential or Kahan).

    Parameters
    ----------
    x : array_like of real numbers
    fmt : numprec.Format or str
    rounding : str or numprec.RoundingScheme
    axis : None or int
        None: the flattened array.
    method : {"sequential", "kahan"}
        "pairwise" falls back to sequential.
    seed, random_bits, stream
        As in :func:`rounded_sum`.

    Returns
    -------
    numpy.ndarray
        float64 values of ``fmt``, the shape of ``x`` (flattened for
        ``axis=None``).
    """
    x, rounder, seed, stream = _prepare(x, fmt, rounding, seed, random_bits, stream)
    return accumulate_array(x, axis, rounder, seed, stream, method, "add")


def rounded_dot(a, b, fmt, rounding="nearest_even", *, method="sequential", seed=None,
                random_bits=None, stream=0):
    """``a @ b`` with every product and every partial sum rounded to ``fmt``.

    Parameters
    ----------
    a, b : array_like of real numbers
        numpy's matmul shapes (1-D promoted, batch dimensions broadcast).
    fmt : numprec.Format or str
    rounding : str or numprec.RoundingScheme
    method : {"sequential", "pairwise", "kahan"}
        Order of the sum over the inner dimension.
    seed, random_bits, stream
        As in :func:`rounded_sum`.

    Returns
    -------
    numpy.ndarray
        float64 values of ``fmt``.
    """
    a, rounder, seed, stream = _prepare(a, fmt, rounding, seed, random_bits, stream)
    b = np.asarray(b, dtype=np.float64)
    return matmul_arrays(a, b, rounder, seed, stream, method)
