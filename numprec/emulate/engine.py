"""Carry out one numpy operation on emulated arrays under a policy.

Every function here takes the *operation policy* ``pol`` (the active
``with`` policy, or the first emulated operand's) and the *home* policy the
results will belong to.  The rules (docs/emulate.md):

1. Operands are brought into ``pol.compute``: emulated arrays whose format
   the compute format contains are used as they are, others are converted
   (rounded with the policy's scheme, one stream); Python/numpy scalars and
   plain ndarrays are constants, converted with round-to-nearest-even.
2. The operation runs on the container arrays (float64 or float32).
3. Every floating-point result is rounded once to ``pol.compute`` with the
   policy's scheme and the next random stream; results that cannot be
   inexact (negation, abs, max/min, copysign) are not rounded.
4. Boolean and integer results (comparisons, ``isfinite``, ``argmax``) are
   returned as plain ndarrays.
5. ``out=`` targets follow numpy's casting rules (ufuncs: ``casting=``,
   default "same_kind", checked before anything is computed; reductions
   cast unsafely, as numpy's do).  A floating-point result written into a
   plain ndarray target inside an active policy leaves emulation:
   :class:`EmulationLeakWarning`.
"""
from __future__ import annotations

import sys
import warnings

import numpy as np

from numprec.emulate.context import active_policy
from numprec.emulate.errors import EmulationLeakWarning
from numprec.emulate.plan import EXACT_UFUNCS, FUSED_UFUNCS, contains  # noqa: F401 (re-exported)
from numprec.emulate import reductions as red
from numprec._kernels.fused import (KIND_CONTAINER, OP_ADD, OP_DIVIDE, OP_MULTIPLY, OP_SQRT,
                                    OP_SUBTRACT, op_kind)
from numprec._kernels.fused import exact_result as fused_exact_result

#: Reductions/accumulations that only select values (no rounding needed).
SELECTING_REDUCTIONS = frozenset({np.maximum, np.minimum, np.fmax, np.fmin})

# --------------------------------------------------------------- results
def rounder_for(pol, fmt):
    """A rounder to ``fmt`` with the policy's scheme (cached in its plan)."""
    return pol.plan.rounder_for(fmt)


def fused_for(plan):
    """The plan's :class:`numprec._kernels.fused.Fused`, or None where the
    fused kernels do not apply (``plan.fused_ok`` false: no kernel rounding,
    an arithmetic scheme, or the debug reference path), or nothing to round
    (``plan.identity``)."""
    return plan.fused


def const_rounder_for(pol, fmt):
    """A round-to-nearest-even rounder to ``fmt`` (for constants)."""
    return pol.plan.const_rounder_for(fmt)


def convert_to(pol, data, fmt):
    """``data`` (any float ndarray, not modified) rounded to ``fmt`` with the
    policy's scheme, as a new array in the policy's container dtype."""
    return pol.plan.convert_to(data, fmt)


def converted_value(pol, v, fmt):
    """Raw data of one value argument, in ``fmt`` and the container dtype:
    emulated values converted with the policy's scheme (one stream) unless
    ``fmt`` holds them, constants with round-to-nearest-even."""
    plan = pol.plan
    if isinstance(v, plan.array_type):
        if v._format is fmt or contains(fmt, v._format):
            data = v._data
            return data if data.dtype == plan.dtype else data.astype(plan.dtype)
        return plan.convert_to(v._data, fmt)
    if isinstance(v, (bool, np.bool_)) or (isinstance(v, np.ndarray) and v.dtype.kind == "b"):
        return v
    arr = np.array(v, dtype=np.float64)
    arr = plan.const_rounder_for(fmt)(arr, 0, 0)
    return arr.astype(plan.dtype, copy=False) if arr.ndim else float(arr)


def _caller_stacklevel():
    """The ``stacklevel`` of the first frame outside numprec.emulate and
    numpy (the user's line), for a warning raised from the caller of this."""
    frame = sys._getframe(2)
    level = 2
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not (name.startswith("numprec.emulate") or name == "numpy"
                or name.startswith("numpy.")):
            return level
        frame = frame.f_back
        level += 1
    return 2


def leak_warning(what):
    """Warn (:class:`EmulationLeakWarning`, at the user's line) that
    emulated values ``what``."""
    warnings.warn(f"numprec.emulate: emulated values {what} inside an active policy; "
                  "operations on that array are not rounded. Make scratch arrays with "
                  "np.zeros_like(x) / np.empty_like(x) or policy.asarray(...), or leave "
                  "emulation explicitly with numprec.emulate.to_numpy(x)",
                  EmulationLeakWarning, stacklevel=_caller_stacklevel())


def write_into(pol, target, res, fmt):
    """Store the result ``res`` (values of ``fmt``) into ``target`` (an
    emulated array, or a plain ndarray: then numpy's assignment casting, as
    numpy's reductions do, and an :class:`EmulationLeakWarning` for float
    results inside an active policy)."""
    if isinstance(target, pol.plan.array_type):
        tfmt = target._format
        if not (tfmt is fmt or contains(tfmt, fmt)):
            res = pol.plan.convert_to(res, tfmt)
        target._data[...] = res
    else:
        if np.asarray(res).dtype.kind == "f" and active_policy() is not None:
            leak_warning("were written into a plain numpy array (out=)")
        target[...] = res
    return target


def _out_dtype(x, E):
    """The dtype numpy's type resolution sees for the operand ``x``."""
    if isinstance(x, E):
        return x.dtype
    if isinstance(x, np.ndarray):
        return x.dtype
    if isinstance(x, np.generic):
        return x.dtype
    if isinstance(x, (bool, int, float, complex)):
        return type(x)                  # Python scalars are "weak" (NEP 50)
    return np.asarray(x).dtype


def check_casting(ufunc, inputs, out, kwargs, reduction=False, *, array_type):
    """Raise numpy's own error if numpy would refuse to cast ``ufunc``'s
    results into the ``out`` targets (plain ndarrays among them): the
    casting rule of ``kwargs`` (default "same_kind"), checked by
    ``ufunc.resolve_dtypes`` with the operands' dtypes (emulated operands:
    their container dtype; ``array_type``: the emulated array class)."""
    if not out:
        return
    E = array_type
    if all(t is None or isinstance(t, E) for t in out):
        return
    dtypes = tuple(_out_dtype(x, E) for x in inputs)
    dtypes += tuple(None if t is None else _out_dtype(t, E) for t in out)
    dtypes += (None,) * (ufunc.nin + ufunc.nout - len(dtypes))
    sig = kwargs.get("signature")
    if sig is None and kwargs.get("dtype") is not None:
        sig = (None,) * ufunc.nin + (np.dtype(kwargs["dtype"]),) * ufunc.nout
    extra = {} if sig is None else {"signature": sig}
    ufunc.resolve_dtypes(dtypes, casting=kwargs.get("casting", "same_kind"),
                         reduction=reduction, **extra)


def finish(pol, home, res, target=None, exact=False):
    """Round (unless ``exact``) and wrap one result."""
    if isinstance(res, np.generic):
        res = np.asarray(res)
    if not isinstance(res, np.ndarray) or res.dtype.kind != "f":
        if isinstance(res, np.ndarray) and res.dtype.kind == "c":
            raise TypeError("numprec.emulate does not emulate complex arithmetic")
        if target is not None:
            write_into(pol, target, res, pol.compute)
            return target
        return res
    plan = pol.plan
    if exact:
        if res.dtype != plan.dtype:
            res = res.astype(plan.dtype)
    else:
        res = plan.round_result(res)
    if target is not None:
        return write_into(pol, target, res, plan.compute)
    return plan.wrap(res, plan.compute, home)


# ------------------------------------------------- exactly rounded results
#: ufuncs whose result must be the exact result rounded once (docs/emulate.md,
#: "Exactness of the emulation"), with their kernel operation codes.
EXACT_RESULT_OPS = {np.add: OP_ADD, np.subtract: OP_SUBTRACT, np.multiply: OP_MULTIPLY,
                    np.divide: OP_DIVIDE, np.square: OP_MULTIPLY, np.sqrt: OP_SQRT}


def exact_result(plan, ufunc, raw):
    """``ufunc(*raw)`` (numpy broadcasting) as a float64 array whose one
    rounding to the compute format is the correctly rounded exact result,
    or None where numpy's result in the container dtype already is (and for
    other ufuncs, formats without a kernel, non-float operands).

    Needed for the directed modes and round-to-odd (the float64 sum of two
    values far apart in exponent has lost the information they need), for
    round-to-nearest of formats with more than 25 bits, and in float32
    containers (:func:`numprec._kernels.fused.op_kind`)."""
    op = EXACT_RESULT_OPS.get(ufunc)
    rc = plan.round_compute
    if op is None or rc.kernel is None:
        return None
    kinds = plan.cache.setdefault("op_kind", {})
    kind = kinds.get(op)
    if kind is None:
        kind = kinds[op] = op_kind(op, rc.kernel, rc.mode, plan.dtype == np.float64)
    if kind == KIND_CONTAINER:
        return None
    return fused_exact_result(op, raw, kind)


# ---------------------------------------------------------------- observers
def notify(plan, ufunc, operands, exact, rounded):
    """Give every observer of ``plan`` one elementwise result (see
    :attr:`numprec.emulate.plan.Plan.observers`)."""
    for observer in plan.observers:
        observer(plan, ufunc, tuple(operands), exact, rounded)


def observed(pol, home, ufunc, raw, res, target):
    """:func:`finish` for a plan with observers: they get the result before
    rounding and the rounded one."""
    before = np.array(res, dtype=np.float64) if np.asarray(res).dtype.kind == "f" else None
    result = finish(pol, home, res, target, False)
    if before is not None:
        rounded = result._data if isinstance(result, pol.plan.array_type) else np.asarray(result)
        notify(pol.plan, ufunc, raw, before, rounded)
    return result


# ----------------------------------------------------------------- ufuncs
def call(pol, home, ufunc, inputs, out, kwargs):
    """``ufunc(*inputs, out=out, **kwargs)`` rounded by ``pol``."""
    plan = pol.plan
    if out is None and not kwargs:
        # The common case in C: add/subtract/multiply/divide/square in one
        # pass of the fused kernel, other ufuncs rounded by its loops.
        fz = plan.fused
        if fz is not None:
            res = fz.apply(ufunc, inputs, home)
            if res is not None:
                if type(res) is tuple:
                    return finish(pol, home, res[0], None, False)
                return res
    E = plan.array_type
    if out is not None:
        check_casting(ufunc, inputs, out, kwargs, array_type=E)
    if ufunc is np.matmul:
        return matmul(pol, home, inputs, out, kwargs)
    if ufunc.signature is not None:
        raise TypeError(f"numprec.emulate has no rounded implementation of the generalized "
                        f"ufunc {ufunc.__name__}; supported: matmul")
    raw = [plan.operand(x) for x in inputs]
    arith = plan.arithmetic
    if arith is not None and (ufunc is np.multiply or ufunc is np.square) and not kwargs:
        a = raw[0]
        b = raw[1] if ufunc is np.multiply else raw[0]
        res = arith.multiply(a, b, plan.compute)
        return finish(pol, home, res, out[0] if out else None)
    exact = ufunc in EXACT_UFUNCS and plan.exact_ok
    if out is not None and len(out) == 1 and ufunc.nout == 1:
        target = out[0]
        if (type(target) is E and target._format is plan.compute
                and target._data.dtype == plan.dtype and target._data.flags.c_contiguous):
            data = target._data
            res = None if kwargs else exact_result(plan, ufunc, raw)
            if res is not None:
                before = np.array(res, dtype=np.float64) if plan.observers else None
                data[...] = plan.round_result(res)
                if before is not None:
                    notify(plan, ufunc, raw, before, data)
                return target
            ufunc(*raw, out=data, **kwargs)
            if not exact and data.dtype.kind == "f":
                before = data.copy() if plan.observers else None
                plan.round_result(data)          # in place: data is C-contiguous
                if before is not None:
                    notify(plan, ufunc, raw, before, data)
            return target
    res = None if kwargs else exact_result(plan, ufunc, raw)
    if res is None:
        res = ufunc(*raw, **kwargs)
    if ufunc.nout == 1:
        if plan.observers and not exact:
            return observed(pol, home, ufunc, raw, res, out[0] if out else None)
        return finish(pol, home, res, out[0] if out else None, exact)
    targets = out if out is not None else (None,) * ufunc.nout
    return tuple(finish(pol, home, r, t, exact) for r, t in zip(res, targets))


def outer(pol, home, ufunc, inputs, out, kwargs):
    if len(inputs) != 2:
        raise TypeError(f"{ufunc.__name__}.outer takes two operands")
    plan = pol.plan
    if out is not None:
        check_casting(ufunc, inputs, out, kwargs, array_type=plan.array_type)
    a, b = (np.asarray(plan.operand(x)) for x in inputs)
    if plan.arithmetic is not None and ufunc is np.multiply and not kwargs:
        res = plan.arithmetic.multiply(a.reshape(a.shape + (1,) * b.ndim), b, plan.compute)
    else:
        res = None if kwargs else exact_result(plan, ufunc, (a.reshape(a.shape + (1,) * b.ndim), b))
        if res is None:
            res = ufunc.outer(a, b, **kwargs)
    return finish(pol, home, res, out[0] if out else None,
                  ufunc in EXACT_UFUNCS and plan.exact_ok)


def _no_extra(kwargs, what):
    extra = {k: v for k, v in kwargs.items() if v is not None and k not in ("keepdims",)}
    if extra:
        raise TypeError(f"numprec.emulate: {what} does not support the arguments "
                        f"{sorted(extra)} (rounded reductions accumulate in the policy's "
                        "compute format)")


def reduce(pol, home, ufunc, inputs, out, kwargs, default_axis=0):
    """``ufunc.reduce``: rounded sums/products, exact max/min."""
    (x,) = inputs
    kwargs = dict(kwargs)
    axis = kwargs.pop("axis", default_axis)
    keepdims = bool(kwargs.pop("keepdims", False))
    if kwargs.get("dtype") is not None and np.dtype(kwargs["dtype"]).kind == "f":
        kwargs.pop("dtype")
    if ufunc in SELECTING_REDUCTIONS:
        data = pol.plan.operand(x)
        res = ufunc.reduce(data, axis=axis, keepdims=keepdims, **kwargs)
        return finish(pol, home, res, out[0] if out else None, exact=True)
    if ufunc not in (np.add, np.multiply):
        raise TypeError(f"numprec.emulate has no rounded {ufunc.__name__}.reduce; "
                        "supported: add, multiply, maximum, minimum, fmax, fmin")
    _no_extra(kwargs, f"{ufunc.__name__}.reduce")
    return reduce_values(pol, home, x, axis, keepdims, "add" if ufunc is np.add else "multiply",
                         out[0] if out else None)


def reduce_values(pol, home, x, axis, keepdims, op, target=None):
    plan = pol.plan
    data = np.asarray(plan.operand(x))
    if plan.native:
        res = (np.add if op == "add" else np.multiply).reduce(data, axis=axis,
                                                              keepdims=keepdims)
        return finish(pol, home, np.asarray(res, dtype=plan.dtype), target, exact=True)
    method = plan.summation
    if op == "multiply" and method == "kahan":
        method = "sequential"
    rc = plan.round_compute
    res = red.reduce_array(data, axis, rc, plan.seed, plan.take_stream(rc, plan.dtype), method,
                           op, keepdims)
    return finish(pol, home, res.astype(plan.dtype), target, exact=True)


def accumulate(pol, home, ufunc, inputs, out, kwargs, default_axis=0):
    (x,) = inputs
    kwargs = dict(kwargs)
    axis = kwargs.pop("axis", default_axis)
    if kwargs.get("dtype") is not None and np.dtype(kwargs["dtype"]).kind == "f":
        kwargs.pop("dtype")
    if ufunc in SELECTING_REDUCTIONS:
        data = pol.plan.operand(x)
        res = ufunc.accumulate(data, axis=axis, **kwargs)
        return finish(pol, home, res, out[0] if out else None, exact=True)
    if ufunc not in (np.add, np.multiply):
        raise TypeError(f"numprec.emulate has no rounded {ufunc.__name__}.accumulate; "
                        "supported: add, multiply, maximum, minimum")
    _no_extra(kwargs, f"{ufunc.__name__}.accumulate")
    return accumulate_values(pol, home, x, axis, "add" if ufunc is np.add else "multiply",
                             out[0] if out else None)


def accumulate_values(pol, home, x, axis, op, target=None):
    plan = pol.plan
    data = np.asarray(plan.operand(x))
    if plan.native:
        if axis is None:
            data, axis = data.ravel(), 0
        res = (np.add if op == "add" else np.multiply).accumulate(data, axis=axis)
        return finish(pol, home, np.ascontiguousarray(res, dtype=plan.dtype), target, exact=True)
    method = "kahan" if (plan.summation == "kahan" and op == "add") else "sequential"
    rc = plan.round_compute
    res = red.accumulate_array(data, axis, rc, plan.seed, plan.take_stream(rc, plan.dtype),
                               method, op)
    return finish(pol, home, np.ascontiguousarray(res, dtype=plan.dtype), target, exact=True)


def matmul(pol, home, inputs, out, kwargs):
    """Rounded ``a @ b`` (:func:`numprec.emulate.reductions.matmul_arrays`)
    under the plan's summation order, arithmetic scheme and accumulation
    model (:mod:`numprec.emulate.accumulation`)."""
    if kwargs:
        raise TypeError(f"numprec.emulate: matmul does not support {sorted(kwargs)}")
    plan = pol.plan
    if out is not None:
        check_casting(np.matmul, inputs, out, {}, array_type=plan.array_type)
    a, b = (np.asarray(plan.operand(x)) for x in inputs)
    if plan.native:                 # numpy's own product (BLAS): nothing to round
        return finish(pol, home, np.asarray(np.matmul(a, b), dtype=plan.dtype),
                      out[0] if out else None, exact=True)
    rc = plan.round_compute
    model = plan.accumulation
    extra = {}
    rounder = rc
    widened = False
    if model is not None:
        product, acc = model.resolve(plan.compute, plan.dtype)
        widened = acc != plan.compute
        rounder = plan.rounder_for(acc) if widened else rc
        prounder = plan.rounder_for(product)
        extra = {"product_rounder": prounder, "fma": model.fma, "block": model.block}
        exact = rounder.is_identity(np.float64) and prounder.is_identity(np.float64)
        stream = 0 if exact else plan.counter.take()
    else:
        stream = plan.take_stream(rc, plan.dtype)
    res = red.matmul_arrays(a, b, rounder, plan.seed, stream, plan.summation,
                            multiply=plan.arithmetic.multiply if plan.arithmetic is not None
                            else None,
                            fmt=plan.compute, **extra)
    if widened:
        # the finished sums are values of the accumulator format: rounded
        # once more, to the compute format (the next stream)
        res = rc(np.array(res, dtype=np.float64), plan.seed, plan.take_stream(rc, np.float64))
    return finish(pol, home, np.asarray(res, dtype=plan.dtype), out[0] if out else None,
                  exact=True)


def apply(pol, home, ufunc, method, inputs, out, kwargs):
    """Entry point of ``EmulatedArray.__array_ufunc__``."""
    if method == "__call__":
        return call(pol, home, ufunc, inputs, out, kwargs)
    if method == "reduce":
        return reduce(pol, home, ufunc, inputs, out, kwargs)
    if method == "accumulate":
        return accumulate(pol, home, ufunc, inputs, out, kwargs)
    if method == "outer":
        return outer(pol, home, ufunc, inputs, out, kwargs)
    raise TypeError(f"numprec.emulate does not support {ufunc.__name__}.{method}; "
                    "compute on numprec.emulate.to_numpy(x) instead")
