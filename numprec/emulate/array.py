"""The emulated low-precision array: numpy arithmetic, rounded.

:class:`EmulatedArray` wraps a float64 (or float32) ndarray whose values are
values of a number format, and implements numpy's ``__array_ufunc__`` and
``__array_function__`` protocols (NEP 13, NEP 18) so that models written in
plain numpy run on it unchanged; every operation's result is rounded to the
policy's compute format (see :mod:`numprec.emulate.policy` for which
policy, and docs/emulate.md for the rules).  It is numprec's counterpart of
the reduced-precision emulator rpe (Dawson & Düben 2017, "rpe v5: an
emulator for reduced floating-point precision in large numerical
simulations", Geosci. Model Dev. 10, 2221-2230).

Escape hatches: :meth:`EmulatedArray.to_numpy` (or ``np.asarray(x)``
outside a ``with policy:`` block) gives the values as a plain ndarray (then
numpy computes in double, un-rounded), and ``with numprec.emulate.double():``
runs a block of emulated operations in double without rounding.  Inside an
active policy, implicit conversions to plain arrays (``np.asarray(x)``,
``plain[...] = x``, ``out=plain``) issue
:class:`~numprec.emulate.EmulationLeakWarning`.

Emulated arrays pickle and deep-copy with their values, format (as its
config) and home policy (see :mod:`numprec.emulate.policy` for what happens
to the policy's stream counter).
"""
from __future__ import annotations

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from numprec.emulate import engine as eng
from numprec.emulate.context import ACTIVE_POLICIES, active_policy
from numprec.emulate.handlers import dispatch

_SCALARS = (float, int, np.floating, np.integer)
_object_new = object.__new__


def _restore_array(data, format_config, policy):
    """The emulated array :meth:`EmulatedArray.__reduce__` describes: its
    format is the policy tree's own format object when one is equal (the
    engine's fast paths test formats by identity)."""
    from numprec.formats import from_config
    fmt = from_config(format_config)
    root = policy.root
    candidates = [policy.compute, policy.storage, root.compute, root.storage]
    for cname in root.components:
        comp = root.component(cname)
        candidates += [comp.compute, comp.storage]
    for cand in candidates:
        if cand == fmt:
            fmt = cand
            break
    return EmulatedArray._new(data, fmt, policy)


def _op(ufunc, a, b, home):
    stack = ACTIVE_POLICIES.get()
    pol = stack[-1] if stack else home
    fz = pol.plan.fused
    if fz is not None:
        # The common case, in C: operands, stream, kernel and wrapping.
        res = fz.apply(ufunc, (a, b), home)
        if res is not None and type(res) is not tuple:
            return res
        if res is not None:
            return eng.finish(pol, home, res[0], None, False)
    return eng.call(pol, home, ufunc, (a, b), None, {})


def _iop(ufunc, self, other):
    stack = ACTIVE_POLICIES.get()
    pol = stack[-1] if stack else self._policy
    fz = pol.plan.fused
    if (fz is not None and self._format is pol.plan.compute and self._data.flags.writeable
            and getattr(other, "shape", ()) in ((), self._data.shape)):
        # the fused kernel's result (the same bits and stream as the generic
        # path below), copied into self
        res = fz.apply(ufunc, (self, other), self._policy)
        if res is not None:
            if type(res) is tuple:
                res = eng.finish(pol, self._policy, res[0], None, False)
            self._data[...] = res._data
            return self
    return eng.call(pol, self._policy, ufunc, (self, other), (self,), {})


def _binary(ufunc):
    def forward(self, other):
        if type(other) is EmulatedArray or isinstance(other, _OPERANDS):
            return _op(ufunc, self, other, self._policy)
        return NotImplemented

    def reflected(self, other):
        if isinstance(other, _REFLECTED):
            return _op(ufunc, other, self, self._policy)
        return NotImplemented

    def inplace(self, other):
        if isinstance(other, _OPERANDS):
            return _iop(ufunc, self, other)
        return NotImplemented

    return forward, reflected, inplace


class EmulatedArray(NDArrayOperatorsMixin):
    """An array whose arithmetic is rounded to a number format.

    Build one with :meth:`Policy.asarray` (or :meth:`Policy.store`,
    :meth:`Policy.constant`, :func:`numprec.emulate.asarray`); the
    constructor ``EmulatedArray(x, policy)`` is :meth:`Policy.asarray`.

    Attributes
    ----------
    format : numprec.Format
        The format the values belong to (the compute format for results of
        operations, the storage format for stored state).
    policy : Policy
        The home policy: used by operations outside every ``with`` block.
    shape, ndim, size, dtype
        As for the underlying ndarray (``dtype`` is the container dtype,
        float64 or float32).
    """

    __slots__ = ("_data", "_format", "_policy")

    def __new__(cls, x=None, policy=None):
        if x is None and policy is None:        # unpickling / copy
            return object.__new__(cls)
        policy = policy if policy is not None else active_policy()
        if getattr(policy, "plan", None) is None or not callable(getattr(policy, "asarray", None)):
            raise TypeError("EmulatedArray(x, policy) needs a numprec.emulate.Policy (or an "
                            "active `with policy:` block)")
        return policy.asarray(x)

    @classmethod
    def _new(cls, data, fmt, policy):
        self = _object_new(cls)
        self._data = data
        self._format = fmt
        self._policy = policy
        return self

    # -------------------------------------------------------- description
    format = property(lambda self: self._format,
                      doc='The number format of the values (a :class:`numprec.Format`).')
    policy = property(lambda self: self._policy,
                      doc='The home policy, used when no policy is active.')
    shape = property(lambda self: self._data.shape,
                     doc='Shape of the array, as :attr:`numpy.ndarray.shape`.')
    ndim = property(lambda self: self._data.ndim,
                    doc='Number of dimensions.')
    size = property(lambda self: self._data.size,
                    doc='Number of elements.')
    dtype = property(lambda self: self._data.dtype,
                     doc='The container dtype (float64 or float32).')
    nbytes = property(lambda self: self._data.nbytes,
                      doc='Bytes of the container array.')
    itemsize = property(lambda self: self._data.itemsize,
                        doc='Bytes of one container element.')

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", prefix="EmulatedArray(")
        return f"EmulatedArray({body}, format={self._format.name})"

    def __str__(self):
        return str(self._data)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return format(str(self), spec)

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        for i in range(len(self._data)):
            yield self[i]

    __hash__ = None

    # --------------------------------------------------- leaving emulation
    def __array__(self, dtype=None, copy=None):
        """The values as a plain ndarray (``np.asarray``, ``np.array``,
        ``plain[...] = x``).  Inside an active policy this leaves emulation
        silently otherwise, so it warns (:class:`EmulationLeakWarning`)."""
        if ACTIVE_POLICIES.get():
            eng.leak_warning("were converted to a plain numpy array")
        if dtype is None or np.dtype(dtype) == self._data.dtype:
            return self._data.copy() if copy else self._data
        if copy is False:
            raise ValueError(f"cannot convert the emulated {self._data.dtype} array to {dtype} "
                             "without a copy")
        return self._data.astype(dtype)

    def to_numpy(self, dtype=np.float64):
        """A plain ndarray copy of the values (float64 by default: exact)."""
        return np.array(self._data, dtype=dtype, copy=True)

    def astype(self, dtype, copy=True):
        """The values as a plain ndarray of ``dtype`` (leaves emulation)."""
        return self._data.astype(dtype, copy=copy)

    def tolist(self):
        """The values as nested Python floats (leaves emulation)."""
        return self._data.tolist()

    def item(self, *args):
        """One element as a Python float, as :meth:`numpy.ndarray.item` (leaves
        emulation)."""
        return self._data.item(*args)

    def __float__(self):
        return float(self._data)

    def __int__(self):
        return int(self._data)

    def __bool__(self):
        return bool(self._data)

    # --------------------------------------------------------- protocols
    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        if out is None and not kwargs and method == "__call__":
            # The common case: no out=, no keywords, operands numprec
            # handles; the fused kernel of the operation policy's plan.
            home = None
            for x in inputs:
                if type(x) is EmulatedArray:
                    if home is None:
                        home = x._policy
                elif not isinstance(x, _UFUNC_OPERANDS):
                    break
            else:
                stack = ACTIVE_POLICIES.get()
                pol = stack[-1] if stack else home
                fz = pol.plan.fused
                if fz is not None:
                    res = fz.apply(ufunc, inputs, home)
                    if res is not None:
                        if type(res) is tuple:
                            return eng.finish(pol, home, res[0], None, False)
                        return res
                return eng.apply(pol, home, ufunc, method, inputs, out, kwargs)
        for x in inputs + (out or ()):
            if not isinstance(x, _UFUNC_OPERANDS) and hasattr(x, "__array_ufunc__"):
                return NotImplemented
        home = None
        for x in inputs + (out or ()):
            if isinstance(x, EmulatedArray):
                home = x._policy
                break
        pol = active_policy() or home
        return eng.apply(pol, home, ufunc, method, inputs, out, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        for t in types:
            if t is not EmulatedArray and not issubclass(t, (EmulatedArray, np.ndarray)):
                return NotImplemented
        return dispatch(func, args, kwargs)

    # ---------------------------------------------------- fast operators
    __add__, __radd__, __iadd__ = _binary(np.add)
    __sub__, __rsub__, __isub__ = _binary(np.subtract)
    __mul__, __rmul__, __imul__ = _binary(np.multiply)
    __truediv__, __rtruediv__, __itruediv__ = _binary(np.true_divide)
    __pow__, __rpow__, __ipow__ = _binary(np.power)

    def __neg__(self):
        stack = ACTIVE_POLICIES.get()
        pol = stack[-1] if stack else self._policy
        return eng.call(pol, self._policy, np.negative, (self,), None, {})

    def __abs__(self):
        stack = ACTIVE_POLICIES.get()
        pol = stack[-1] if stack else self._policy
        return eng.call(pol, self._policy, np.absolute, (self,), None, {})

    # -------------------------------------------------- indexing, views
    def __getitem__(self, key):
        """Indexing, slicing and fancy indexing: exact (values are only
        selected), no rounding and no stream; the result keeps the format
        and the home policy."""
        if type(key) is EmulatedArray:
            key = key._data
        res = self._data[key]
        if type(res) is not np.ndarray:
            res = np.asarray(res)
        o = _object_new(EmulatedArray)
        o._data = res
        o._format = self._format
        o._policy = self._policy
        return o

    def __setitem__(self, key, value):
        """Write ``value`` into the array: converted to the array's format
        (emulated values with the active or home policy's scheme, one
        stream; constants with round-to-nearest-even)."""
        if isinstance(key, EmulatedArray):
            key = key._data
        pol = active_policy() or self._policy
        self._data[key] = eng.converted_value(pol, value, self._format)

    @property
    def T(self):
        """The transposed array (a view, same format and home policy)."""
        return EmulatedArray._new(self._data.T, self._format, self._policy)

    def _view(self, data):
        return EmulatedArray._new(data, self._format, self._policy)

    def reshape(self, *shape, **kwargs):
        """The values in a new shape, as :meth:`numpy.ndarray.reshape` (same format; no
        rounding)."""
        return self._view(self._data.reshape(*shape, **kwargs))

    def transpose(self, *axes):
        """The axes permuted, as :meth:`numpy.ndarray.transpose` (no rounding)."""
        return self._view(self._data.transpose(*axes))

    def swapaxes(self, a, b):
        """Axes ``a`` and ``b`` interchanged, as :meth:`numpy.ndarray.swapaxes` (no
        rounding)."""
        return self._view(self._data.swapaxes(a, b))

    def squeeze(self, axis=None):
        """Length-one axes removed, as :meth:`numpy.ndarray.squeeze` (no rounding)."""
        return self._view(self._data.squeeze(axis))

    def ravel(self, order="C"):
        """The values flattened to 1-D, as :meth:`numpy.ndarray.ravel` (no rounding)."""
        return self._view(self._data.ravel(order))

    def flatten(self, order="C"):
        """A flattened copy, as :meth:`numpy.ndarray.flatten` (no rounding)."""
        return self._view(self._data.flatten(order))

    def copy(self):
        """A copy of the values with the same format and home policy."""
        return self._view(self._data.copy())

    def __copy__(self):
        """A copy of the values with the same home policy."""
        return self.copy()

    def __reduce__(self):
        """Pickling and ``copy.deepcopy``: the values, the format's config
        and the home policy (pickled through its config, see
        :mod:`numprec.emulate.policy`); a deep copy gets a copy of the
        policy (shared by everything copied together)."""
        return (_restore_array, (self._data, self._format.get_config(), self._policy))

    def fill(self, value):
        """Set every element to ``value``, converted to the array's format as in item
        assignment."""
        self[...] = value

    # ---------------------------------------------------------- methods
    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        """``np.sum(self, ...)``: the sum, rounded at every accumulation step in the
        policy's summation order."""
        return np.sum(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        """``np.mean(self, ...)``: the rounded sum, then one rounded division by the
        count."""
        return np.mean(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False):
        """``np.prod(self, ...)``: the product, rounded at every accumulation step."""
        return np.prod(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        """``np.var(self, ...)``: ``sum((a - mean(a))**2) / (n - ddof)``, every step
        rounded."""
        return np.var(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        """``np.std(self, ...)``: the rounded square root of :meth:`var`."""
        return np.std(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)

    def cumsum(self, axis=None, dtype=None, out=None):
        """``np.cumsum(self, ...)``: running sums, each rounded (see
        :func:`numprec.emulate.rounded_cumsum`)."""
        return np.cumsum(self, axis=axis, dtype=dtype, out=out)

    def cumprod(self, axis=None, dtype=None, out=None):
        """``np.cumprod(self, ...)``: running products, each rounded."""
        return np.cumprod(self, axis=axis, dtype=dtype, out=out)

    def max(self, axis=None, out=None, keepdims=False):
        """``np.max(self, ...)``: the largest element (exact, a value of the format)."""
        return np.max(self, axis=axis, out=out, keepdims=keepdims)

    def min(self, axis=None, out=None, keepdims=False):
        """``np.min(self, ...)``: the smallest element (exact, a value of the
        format)."""
        return np.min(self, axis=axis, out=out, keepdims=keepdims)

    def argmax(self, axis=None):
        """Indices of the largest elements, as :meth:`numpy.ndarray.argmax` (a plain
        integer array)."""
        return self._data.argmax(axis)

    def argmin(self, axis=None):
        """Indices of the smallest elements, as :meth:`numpy.ndarray.argmin` (a plain
        integer array)."""
        return self._data.argmin(axis)

    def any(self, axis=None, keepdims=False):
        """Whether any element is non-zero, as :meth:`numpy.ndarray.any` (plain
        booleans)."""
        return self._data.any(axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False):
        """Whether every element is non-zero, as :meth:`numpy.ndarray.all` (plain
        booleans)."""
        return self._data.all(axis=axis, keepdims=keepdims)

    def clip(self, min=None, max=None):
        """``np.clip(self, min, max)``: the bounds converted to the compute format, the
        selection exact."""
        return np.clip(self, min, max)

    def dot(self, other):
        """``np.dot(self, other)``: the rounded matrix or dot product."""
        return np.dot(self, other)

    def round(self, decimals=0):
        """``np.round(self, decimals)``: computed in double, then rounded to the
        format."""
        return np.round(self, decimals)

    def nonzero(self):
        """Indices of the non-zero elements, as :meth:`numpy.ndarray.nonzero` (plain
        integer arrays)."""
        return self._data.nonzero()


#: Operand types the arithmetic operators accept (others: NotImplemented).
_OPERANDS = (EmulatedArray, np.ndarray) + _SCALARS
_REFLECTED = (np.ndarray,) + _SCALARS
#: Operand types ``__array_ufunc__`` computes with (others: NotImplemented
#: when they implement the protocol themselves).
_UFUNC_OPERANDS = (EmulatedArray, np.ndarray, list, tuple, bool) + _SCALARS
