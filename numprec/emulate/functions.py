"""numpy functions on emulated arrays (``__array_function__`` handlers).

Three kinds:

* **arithmetic** — ``sum``, ``mean``, ``prod``, ``cumsum``, ``cumprod``,
  ``dot``, ``outer``, ``var``, ``std``, ``diff``, ``ptp``, ``round``: composed
  of rounded operations and rounded reductions (see
  :mod:`numprec.emulate.reductions` for the order);
* **structural** — functions that only move, select or copy values
  (``concatenate``, ``stack``, ``where``, ``roll``, ``reshape``, ``pad``,
  ``clip``, ``max`` ...): no rounding; a result keeps its inputs' format
  when they share one, and values coming from plain arrays or scalars are
  converted with round-to-nearest-even like every constant;
* **queries** — ``shape``, ``argmax``, ``isclose``, ``allclose``,
  ``array_equal``, ``any``, ``all``, ...: computed on the values, plain
  results.

Anything else raises TypeError naming the function: compute it on
``numprec.emulate.to_numpy(x)`` (in double, un-rounded) and convert the
result with ``policy.asarray`` if that is what you mean.
"""
from __future__ import annotations

import numpy as np

from numprec.emulate import engine as eng
from numprec.emulate.array import EmulatedArray
from numprec.emulate.context import active_policy
from numprec.emulate.engine import converted_value
from numprec.emulate.handlers import HANDLED, dispatch, implements
from numprec.emulate.plan import contains

__all__ = ["HANDLED", "implements", "dispatch", "converted_value"]


def _emulated(objs):
    """Emulated arrays among ``objs`` (one level of lists/tuples)."""
    E = EmulatedArray
    found = []
    for o in objs:
        if isinstance(o, E):
            found.append(o)
        elif isinstance(o, (list, tuple)):
            found.extend(x for x in o if isinstance(x, E))
    return found


def _policies(*objs):
    """(operation policy, home policy) for the arguments."""
    found = _emulated(objs)
    home = found[0]._policy if found else None
    pol = active_policy() or home
    return pol, home


# ------------------------------------------------------------- structural
def _common_format(pol, values):
    """The format of a structural result built from ``values``."""
    E = EmulatedArray
    fmts = []
    for v in values:
        if isinstance(v, E) and not any(f is v._format or f == v._format for f in fmts):
            fmts.append(v._format)
    if len(fmts) == 1:
        return fmts[0]
    for f in fmts:
        if all(contains(f, g) for g in fmts):
            return f
    return pol.compute


def _wrap_like(pol, home, res, fmt):
    E = EmulatedArray
    if isinstance(res, (list, tuple)):
        return type(res)(_wrap_like(pol, home, r, fmt) for r in res)
    if isinstance(res, np.generic):
        res = np.asarray(res)
    if isinstance(res, np.ndarray) and res.dtype.kind == "f":
        if res.dtype != pol.dtype:
            res = res.astype(pol.dtype)
        return E._new(res, fmt, home)
    return res


def _unwrap(x):
    E = EmulatedArray
    if isinstance(x, E):
        return x._data
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    return x


def _array_only(func):
    """Functions of one array whose other arguments are not values."""
    def handler(a, *args, **kwargs):
        pol, home = _policies(a)
        fmt = a._format
        res = func(a._data, *args, **kwargs)
        return _wrap_like(pol, home, res, fmt)
    handler.__name__ = func.__name__
    return handler


for _f in (np.reshape, np.transpose, np.moveaxis, np.swapaxes, np.squeeze, np.expand_dims,
           np.broadcast_to, np.copy, np.take, np.take_along_axis, np.flip, np.fliplr, np.flipud,
           np.rot90, np.tile, np.repeat, np.ravel, np.roll, np.sort, np.split, np.array_split,
           np.atleast_1d, np.atleast_2d, np.atleast_3d, np.diagonal, np.triu, np.tril,
           np.amax, np.amin, np.max, np.min, np.nanmax, np.nanmin, np.real, np.partition,
           np.resize, np.trim_zeros, np.empty_like, np.unique):
    HANDLED[_f] = _array_only(_f)


def _like(func):
    def handler(a, *args, **kwargs):
        pol, home = _policies(a)
        res = func(a._data, *args, **kwargs)
        if isinstance(res, np.ndarray) and res.dtype.kind == "f":
            res = eng.const_rounder_for(pol, a._format)(np.array(res, dtype=np.float64), 0, 0)
        return _wrap_like(pol, home, res, a._format)
    return handler


HANDLED[np.zeros_like] = _like(np.zeros_like)
HANDLED[np.ones_like] = _like(np.ones_like)


@implements(np.full_like)
def _full_like(a, fill_value, *args, **kwargs):
    pol, home = _policies(a)
    res = np.full_like(a._data, converted_value(pol, fill_value, a._format), *args, **kwargs)
    return _wrap_like(pol, home, res, a._format)


def _sequence(func):
    """Functions of a sequence of value arrays (concatenate, stack, ...)."""
    def handler(arrays, *args, **kwargs):
        arrays = list(arrays)
        if arrays:
            # Common case (e.g. ghost cells of a model's state): emulated
            # arrays of one format in the active policy's container dtype.
            # Exactly what the general path below does, without its checks.
            first = arrays[0]
            if type(first) is EmulatedArray:
                fmt = first._format
                dtype = (active_policy() or first._policy).dtype
                raw = []
                for v in arrays:
                    if type(v) is not EmulatedArray or v._format is not fmt:
                        break
                    d = v._data
                    if d.dtype != dtype:
                        break
                    raw.append(d)
                else:
                    return EmulatedArray._new(func(raw, *args, **kwargs), fmt, first._policy)
        pol, home = _policies(arrays)
        fmt = _common_format(pol, arrays)
        raw = [np.asarray(converted_value(pol, v, fmt)) for v in arrays]
        return _wrap_like(pol, home, func(raw, *args, **kwargs), fmt)
    handler.__name__ = func.__name__
    return handler


for _f in (np.concatenate, np.stack, np.hstack, np.vstack, np.dstack, np.column_stack):
    HANDLED[_f] = _sequence(_f)


@implements(np.append)
def _append(arr, values, axis=None):
    pol, home = _policies(arr, values)
    fmt = _common_format(pol, [arr, values])
    res = np.append(np.asarray(converted_value(pol, arr, fmt)), np.asarray(converted_value(pol, values, fmt)),
                    axis=axis)
    return _wrap_like(pol, home, res, fmt)


@implements(np.where)
def _where(condition, *xy):
    if not xy:
        return np.where(_unwrap(condition))
    if len(xy) != 2:
        raise TypeError("where takes 1 or 3 arguments")
    pol, home = _policies(*xy)
    if pol is None:
        pol, home = _policies(condition)
    fmt = _common_format(pol, xy)
    x, y = (converted_value(pol, v, fmt) for v in xy)
    return _wrap_like(pol, home, np.where(_unwrap(condition), x, y), fmt)


@implements(np.clip)
def _clip(a, a_min=None, a_max=None, out=None, **kwargs):
    """``np.clip``: the bounds are converted to the compute format (plain
    values with round-to-nearest-even, no stream; emulated bounds with the
    policy's scheme unless the compute format holds them), ``a`` is taken as
    an operand (converted if its format is wider than the compute format),
    then values are only selected: exact, no rounding, no stream.  The
    result is in ``a``'s format when the converted bounds are values of it
    (and the compute format holds it), else in the compute format."""
    if kwargs.get("min") is not None or kwargs.get("max") is not None:
        a_min = kwargs.pop("min", None) if a_min is None else a_min
        a_max = kwargs.pop("max", None) if a_max is None else a_max
    kwargs.pop("min", None)
    kwargs.pop("max", None)
    pol, home = _policies(a, a_min, a_max, out)
    fmt = pol.compute
    lo = None if a_min is None else converted_value(pol, a_min, fmt)
    hi = None if a_max is None else converted_value(pol, a_max, fmt)
    if out is not None and not isinstance(out, EmulatedArray):
        # numpy's casting check (and error) for the out= target, on empty operands
        np.clip(np.empty(0, pol.dtype), None if lo is None else 0.0,
                None if hi is None else 0.0, out=np.empty(0, np.asarray(out).dtype), **kwargs)
    data = converted_value(pol, a, fmt)
    if isinstance(a, EmulatedArray) and a._format is not fmt and contains(fmt, a._format) \
            and all(_holds(pol, a._format, b) for b in (lo, hi)):
        fmt = a._format
    res = _wrap_like(pol, home, np.clip(data, lo, hi, **kwargs), fmt)
    if out is not None:
        return eng.write_into(pol, out, res._data, fmt)
    return res


def _holds(pol, fmt, values):
    """True if ``values`` (None, a scalar or an array) are all values of ``fmt``."""
    if values is None:
        return True
    v = np.array(values, dtype=np.float64)
    r = eng.const_rounder_for(pol, fmt)(v.copy(), 0, 0)
    return bool(np.array_equal(r, v, equal_nan=True))


#: np.pad modes that only copy values of the array (exact).
_COPYING_PAD_MODES = ("constant", "edge", "wrap", "reflect", "symmetric", "empty")


@implements(np.pad)
def _pad(array, pad_width, mode="constant", **kwargs):
    """``np.pad``: modes that copy values (constant, edge, wrap, reflect,
    symmetric) are exact; the ``constant_values`` are converted to the
    array's format once (round-to-nearest-even, no stream; emulated values
    with the policy's scheme unless the format holds them).  Modes that
    compute (mean, linear_ramp, ...) are computed in double and the result
    converted like a constant."""
    pol, home = _policies(array)
    fmt = array._format
    if not isinstance(mode, str) or callable(mode):
        raise TypeError("numprec.emulate: np.pad needs a mode name (a function as mode is not "
                        "rounded)")
    if mode == "constant" and kwargs.get("constant_values") is not None:
        cv = kwargs["constant_values"]
        if isinstance(cv, EmulatedArray):
            cv = converted_value(pol, cv, fmt)
        else:
            cv = np.asarray(cv, dtype=np.float64)
            cv = eng.const_rounder_for(pol, fmt)(cv.copy(), 0, 0)
        kwargs["constant_values"] = cv
    res = np.pad(array._data, pad_width, mode=mode, **kwargs)
    if mode not in _COPYING_PAD_MODES:
        res = eng.const_rounder_for(pol, fmt)(np.array(res, dtype=np.float64), 0, 0)
    return _wrap_like(pol, home, res, fmt)


@implements(np.nan_to_num)
def _nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    pol, home = _policies(x)
    fmt = x._format
    conv = [None if v is None else converted_value(pol, v, fmt) for v in (nan, posinf, neginf)]
    res = np.nan_to_num(x._data, copy=True, nan=conv[0], posinf=conv[1], neginf=conv[2])
    if posinf is None or neginf is None:       # numpy's defaults: float64/32 max
        res = eng.const_rounder_for(pol, fmt)(np.array(res, dtype=np.float64), 0, 0)
    return _wrap_like(pol, home, res, fmt)


# ----------------------------------------------------------------- queries
def _query(func):
    def handler(*args, **kwargs):
        return func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
    handler.__name__ = func.__name__
    return handler


for _f in (np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.nonzero,
           np.count_nonzero, np.any, np.all, np.isclose, np.allclose, np.array_equal,
           np.array_equiv, np.searchsorted, np.flatnonzero, np.isneginf, np.isposinf,
           np.nanargmax, np.nanargmin, np.iscomplexobj, np.isrealobj, np.isreal,
           np.iscomplex):
    HANDLED[_f] = _query(_f)


@implements(np.broadcast_arrays)
def _broadcast_arrays(*args, **kwargs):
    pol, home = _policies(*args)
    E = EmulatedArray
    raw = np.broadcast_arrays(*_unwrap(args), **kwargs)
    return tuple(E._new(r, a._format, home) if isinstance(a, E) else r
                 for r, a in zip(raw, args))


# -------------------------------------------------------------- arithmetic
def _unsupported(name, kwargs, allowed=()):
    bad = {k: v for k, v in kwargs.items() if k not in allowed}
    if bad:
        raise TypeError(f"numprec.emulate: {name} does not support the arguments {sorted(bad)}")


def _check_dtype(name, dtype):
    if dtype is not None and np.dtype(dtype).kind != "f":
        raise TypeError(f"numprec.emulate: {name}(dtype={dtype!r}) is not supported; the "
                        "accumulation is in the policy's compute format")


@implements(np.sum)
def _sum(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    _unsupported("sum", kwargs)
    _check_dtype("sum", dtype)
    pol, home = _policies(a, out)
    return eng.reduce_values(pol, home, a, axis, keepdims, "add", out)


@implements(np.prod)
def _prod(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    _unsupported("prod", kwargs)
    _check_dtype("prod", dtype)
    pol, home = _policies(a, out)
    return eng.reduce_values(pol, home, a, axis, keepdims, "multiply", out)


def _count(a, axis):
    shape = np.shape(a)
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return int(np.prod([shape[ax] for ax in axes], dtype=np.int64))


@implements(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """Rounded sum, then one rounded division by the count."""
    _unsupported("mean", kwargs)
    _check_dtype("mean", dtype)
    pol, home = _policies(a, out)
    with pol:
        s = eng.reduce_values(pol, home, a, axis, keepdims, "add")
        # numpy's mean divides into out= with casting="unsafe"
        return eng.call(pol, home, np.divide, (s, _count(a, axis)),
                        None if out is None else (out,),
                        {} if out is None else {"casting": "unsafe"})


@implements(np.var)
def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    """``sum((a - mean(a))**2) / (n - ddof)``, every step rounded."""
    _unsupported("var", kwargs)
    _check_dtype("var", dtype)
    pol, home = _policies(a, out)
    with pol:
        m = _mean(a, axis=axis, keepdims=True)
        d = a - m
        s = eng.reduce_values(pol, home, d * d, axis, keepdims, "add")
        return eng.call(pol, home, np.divide, (s, _count(a, axis) - ddof),
                        None if out is None else (out,),
                        {} if out is None else {"casting": "unsafe"})


@implements(np.std)
def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    _unsupported("std", kwargs)
    pol, home = _policies(a, out)
    with pol:
        v = _var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)
        return eng.call(pol, home, np.sqrt, (v,), None if out is None else (out,), {})


@implements(np.cumsum)
def _cumsum(a, axis=None, dtype=None, out=None):
    _check_dtype("cumsum", dtype)
    pol, home = _policies(a, out)
    return eng.accumulate_values(pol, home, a, axis, "add", out)


@implements(np.cumprod)
def _cumprod(a, axis=None, dtype=None, out=None):
    _check_dtype("cumprod", dtype)
    pol, home = _policies(a, out)
    return eng.accumulate_values(pol, home, a, axis, "multiply", out)


@implements(np.dot)
def _dot(a, b, out=None):
    pol, home = _policies(a, b, out)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return eng.call(pol, home, np.multiply, (a, b), None if out is None else (out,), {})
    if np.ndim(a) > 2 or np.ndim(b) > 2:
        raise TypeError("numprec.emulate: np.dot supports 1-D and 2-D arrays; use np.matmul "
                        "(@) for stacks of matrices")
    if out is not None and not isinstance(out, EmulatedArray) and (
            not isinstance(out, np.ndarray) or out.dtype != pol.dtype
            or not out.flags.c_contiguous):
        # numpy's np.dot takes an out= of exactly the result's dtype only
        raise ValueError("output array is not acceptable (must have the right datatype, "
                         "number of dimensions, and be a C-Array)")
    return eng.matmul(pol, home, (a, b), None if out is None else (out,), {})


@implements(np.vdot)
def _vdot(a, b):
    pol, home = _policies(a, b)
    ra = a.reshape(-1) if isinstance(a, EmulatedArray) else np.reshape(a, -1)
    rb = b.reshape(-1) if isinstance(b, EmulatedArray) else np.reshape(b, -1)
    return eng.matmul(pol, home, (ra, rb), None, {})


@implements(np.inner)
def _inner(a, b):
    if np.ndim(a) > 1 or np.ndim(b) > 1:
        raise TypeError("numprec.emulate: np.inner supports 1-D arrays only")
    return _dot(a, b)


@implements(np.outer)
def _outer(a, b, out=None):
    pol, home = _policies(a, b, out)
    ra = a.reshape(-1) if isinstance(a, EmulatedArray) else np.ravel(a)
    rb = b.reshape(-1) if isinstance(b, EmulatedArray) else np.ravel(b)
    return eng.outer(pol, home, np.multiply, (ra, rb), None if out is None else (out,), {})


@implements(np.diff)
def _diff(a, n=1, axis=-1, **kwargs):
    _unsupported("diff", kwargs)
    pol, home = _policies(a)
    with pol:
        for _ in range(n):
            nd = a.ndim
            hi = [slice(None)] * nd
            lo = [slice(None)] * nd
            hi[axis] = slice(1, None)
            lo[axis] = slice(None, -1)
            a = a[tuple(hi)] - a[tuple(lo)]
    return a


@implements(np.ptp)
def _ptp(a, axis=None, out=None, keepdims=False):
    pol, home = _policies(a, out)
    with pol:
        hi = np.max(a, axis=axis, keepdims=keepdims)
        lo = np.min(a, axis=axis, keepdims=keepdims)
        return eng.call(pol, home, np.subtract, (hi, lo), None if out is None else (out,), {})


@implements(np.round, np.around)
def _round(a, decimals=0, out=None):
    """Rounding to decimals: computed in double, then rounded to the format."""
    pol, home = _policies(a, out)
    if out is not None:
        # numpy computes np.round(..., out=) with rint: its casting rule
        eng.check_casting(np.rint, (a,), (out,), {}, array_type=EmulatedArray)
    res = np.round(np.asarray(a._data, dtype=np.float64), decimals)
    return eng.finish(pol, home, res, out)


@implements(np.linalg.norm)
def _norm(x, ord=None, axis=None, keepdims=False):
    """2-norm ``sqrt(sum(x*x))`` (vectors, or Frobenius for matrices)."""
    if ord not in (None, 2, "fro") or (ord == 2 and np.ndim(x) > 1 and axis is None):
        raise TypeError("numprec.emulate: linalg.norm supports the 2-norm of vectors and the "
                        "Frobenius norm only")
    pol, home = _policies(x)
    with pol:
        s = eng.reduce_values(pol, home, x * x, axis, keepdims, "add")
        return eng.call(pol, home, np.sqrt, (s,), None, {})
