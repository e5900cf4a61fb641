"""The execution plan of a policy: everything an emulated operation needs,
resolved once.

A :class:`Plan` is built when a :class:`~numprec.emulate.Policy` (or one of
its components) is created and never changes: the compute and storage
formats with their rounders, the constant rounder, the container dtype, the
rounding scheme, random bits, summation order, arithmetic scheme,
accumulation model, seed and the tree's stream counter.  The engine
(:mod:`numprec.emulate.engine`), the function handlers and the fused kernel
(:class:`numprec._kernels.fused.Fused`) read the plan; none of them reads a
policy's private state.  The plan's only mutable parts are caches (scalar
constants already converted, rounders to other formats, the fused kernel
object), which never change results.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from numprec._kernels import fused as _fk
from numprec.formats.float_format import FloatFormat
from numprec.emulate.rounder import Rounder, nearest_even

#: Rounding schemes numprec.round has but the emulation kernels do not: a
#: policy refuses them rather than rounding them wrongly.
KERNEL_ONLY_SCHEMES = frozenset({"stochastic_even", "stochastic_odd", "stochastic_fast"})


def check_container_exactness(fmt, scheme):
    """Refuse formats the float64 container cannot round exactly under ``scheme``.

    Results are computed in float64, made exact where needed by rounding to
    odd at 53 bits, then rounded to the format: correct for round-to-nearest
    up to 51 significand bits (mantissa_bits <= 50) and for the directed modes
    and ``odd`` up to 52 (Boldo & Melquiond 2008).  Beyond that a deterministic
    scheme other than binary64's round-to-nearest-even would be rounded from
    float64's nearest result — a wrong answer — so it is refused.  Stochastic schemes are allowed: they see
    the container's result, as documented for every format (the probability
    of rounding up is resolved to ``53 - p`` bits: none for binary64, which
    then computes in plain double).
    """
    m = getattr(fmt, "mantissa_bits", None)
    if not isinstance(fmt, FloatFormat) or m is None or m <= 50 or scheme.stochastic:
        return
    nearest = scheme.name in ("nearest_even", "nearest_away") or scheme.mode is None
    if (m == 52 and scheme.name == "nearest_even") or (m == 51 and not nearest):
        return
    raise ValueError(
        f"format {fmt.name!r} ({m} mantissa bits) with rounding {scheme.name!r}: emulated "
        "results are computed in float64 and cannot be rounded exactly: round-to-nearest "
        "needs mantissa_bits <= 50 (or binary64 with 'nearest_even'), the directed modes "
        "and 'odd' mantissa_bits <= 51")


#: Ufuncs whose float results are always values of a signed float format
#: holding their operands: they need no rounding (and take no stream).
EXACT_UFUNCS = frozenset({np.negative, np.positive, np.absolute, np.fabs, np.maximum,
                          np.minimum, np.fmax, np.fmin, np.copysign})

#: Ufuncs the fused kernels compute themselves: add, subtract, multiply,
#: divide and square on operands of one shape (or an array and a scalar),
#: each C-contiguous or with contiguous rows (stencil slices such as
#: ``x[..., 1:, :]``), computed and rounded in one pass; other ufunc results
#: are rounded in place by the kernel's mode-specialised loop.
FUSED_UFUNCS = {np.add: _fk.OP_ADD, np.subtract: _fk.OP_SUBTRACT,
                np.multiply: _fk.OP_MULTIPLY, np.true_divide: _fk.OP_DIVIDE,
                np.square: _fk.OP_SQUARE}


def contains(outer, inner) -> bool:
    """True if every value of the format ``inner`` is a value of ``outer``.

    Used only to skip conversions: a False answer is always safe.
    """
    if outer == inner:
        return True
    if not (isinstance(outer, FloatFormat) and isinstance(inner, FloatFormat)):
        return False
    return (inner.mantissa_bits <= outer.mantissa_bits
            and inner.max <= outer.max
            and inner.emin - inner.mantissa_bits >= outer.emin - outer.mantissa_bits
            and (outer.subnormals or inner.smallest_subnormal >= outer.smallest_normal)
            and (outer.signed or not inner.signed)
            and (outer.zero or not inner.zero)
            and (outer.infinities or not inner.infinities)
            and (outer.nan != "none" or inner.nan == "none"))


@dataclass(frozen=True, eq=False, repr=False)
class Plan:
    """How one policy (or component) carries out emulated operations.

    Attributes
    ----------
    compute, storage : numprec.Format
        Formats of operation results and of the stored state.
    rounding : numprec.RoundingScheme
    random_bits : int or None
    summation : str
        Order of rounded reductions.
    arithmetic : numprec.emulate.arithmetic.BoundScheme or None
        Approximate product scheme (None: exact products).
    accumulation : object or None
        The accumulation model of products (see
        :mod:`numprec.emulate.accumulation`), None for the default.
    dtype : numpy.dtype
        Container dtype (float64 or float32).
    seed : int
    counter : numprec._kernels.fused.StreamCounter
        The policy tree's stream counter (shared by its components).
    array_type : type
        The emulated array class results are wrapped in.
    reference : bool
        Debug option ``Policy(debug_reference=True)``: numpy's operation then
        the generic rounding kernel, instead of the fused kernels (same bits).
    round_compute, round_storage, round_constant : Rounder
        The policy's scheme to the compute / storage format, and
        round-to-nearest-even to the compute format (constants).
    identity : bool
        True when rounding to the compute format changes no container value.
    native : bool
        The policy's arithmetic is the container's own: ``identity``, exact
        products (no arithmetic scheme), no accumulation model and the
        default ``"sequential"`` summation.  Matrix products, sums and FFTs
        then are numpy's own (BLAS, pairwise summation, pocketfft), so a
        binary64 policy on float64 containers (or binary32 on float32)
        reproduces the plain-numpy run bit for bit; rounding each of their
        operations to the container's own format would change nothing but
        the order of operations (docs/emulate.md, "Formats that round nothing").
    exact_ok : bool
        Negation, abs, max/min, copysign are exact in the compute format
        (signed float formats that keep -0).
    fused_ok : bool
        The fused kernels apply: kernel rounding, exact products, exact_ok
        and not ``reference``.
    fused : numprec._kernels.fused.Fused or None
        The fused kernel object (None where ``fused_ok`` is false or there
        is nothing to round).
    observers : list
        Callables ``observer(plan, ufunc, operands, exact, rounded)`` that the
        engine calls after every rounded elementwise (ufunc) result computed
        on its generic path (numpy's operation or the exact-result kernel,
        then the rounding kernel), with the result before rounding and the
        rounded one: the hook of the number-statistics logbook
        (:mod:`numprec.analysis.logbook`), which uses ``debug_reference``
        policies so that every operation takes that path.  Empty by
        default; then nothing is called or copied.
    """

    compute: object
    storage: object
    rounding: object
    random_bits: object
    summation: str
    arithmetic: object
    accumulation: object
    dtype: np.dtype
    seed: int
    counter: object
    array_type: type
    reference: bool = False
    round_compute: Rounder = field(init=False)
    round_storage: Rounder = field(init=False)
    round_constant: Rounder = field(init=False)
    identity: bool = field(init=False)
    native: bool = field(init=False)
    exact_ok: bool = field(init=False)
    fused_ok: bool = field(init=False)
    fused: object = field(init=False)
    scalars: dict = field(init=False)
    cache: dict = field(init=False)
    observers: list = field(init=False)

    def __post_init__(self):
        if self.rounding.name in KERNEL_ONLY_SCHEMES:
            raise ValueError(
                f"rounding {self.rounding.name!r} (a P3109 stochastic-rounding variant) is "
                "implemented in numprec.round only; the emulation kernels (fused operations, "
                "reductions, matrix products) do not have it yet: use 'stochastic' (with "
                "random_bits=) under a Policy")
        for fmt in (self.compute, self.storage):
            check_container_exactness(fmt, self.rounding)
        put = object.__setattr__
        rc = Rounder(self.compute, self.rounding, self.random_bits, reference=self.reference)
        put(self, "round_compute", rc)
        put(self, "round_storage", rc if self.storage is self.compute else
            Rounder(self.storage, self.rounding, self.random_bits, reference=self.reference))
        put(self, "round_constant", Rounder(self.compute, nearest_even(),
                                            reference=self.reference))
        put(self, "identity", rc.is_identity(self.dtype))
        put(self, "native", self.identity and self.arithmetic is None
            and self.accumulation is None and self.summation == "sequential")
        c = self.compute
        exact_ok = isinstance(c, FloatFormat) and c.signed and c.nan != "fnuz"
        put(self, "exact_ok", exact_ok)
        put(self, "fused_ok", rc.kernel is not None and self.arithmetic is None and exact_ok
            and not self.reference)
        put(self, "scalars", {})
        put(self, "cache", {})
        put(self, "observers", [])
        fz = None
        if self.fused_ok and not self.identity:
            fz = _fk.Fused(rc.kernel, rc.mode, rc.rbits, bool(self.rounding.stochastic),
                           self.seed, self.counter, self.dtype)
            fz.bind(self, self.compute, self.array_type, FUSED_UFUNCS, EXACT_UFUNCS)
        put(self, "fused", fz)

    # ------------------------------------------------------------ streams
    def take_stream(self, rounder, dtype):
        """The next stream number (none taken when ``rounder`` is the
        identity on ``dtype``: nothing to round)."""
        if rounder.is_identity(dtype):
            return 0
        return self.counter.take()

    def round_result(self, res, rounder=None):
        """Round a fresh result array in place; returns it in the container
        dtype (maybe a new array)."""
        rounder = self.round_compute if rounder is None else rounder
        dt = self.dtype
        if res.dtype == dt:
            return rounder(res, self.seed, self.take_stream(rounder, dt))
        res = np.asarray(res, dtype=np.float64)
        res = rounder(res, self.seed, self.take_stream(rounder, res.dtype))
        return res.astype(dt)

    # ------------------------------------------------------------ formats
    def contained(self, fmt) -> bool:
        """``contains(self.compute, fmt)``, cached."""
        cache = self.cache.setdefault("contains", {})
        c = cache.get(fmt)
        if c is None:
            c = cache[fmt] = contains(self.compute, fmt)
        return c

    def storage_holds(self, fmt) -> bool:
        """``contains(self.storage, fmt)``, cached."""
        cache = self.cache.setdefault("storage_holds", {})
        c = cache.get(fmt)
        if c is None:
            c = cache[fmt] = fmt is self.storage or contains(self.storage, fmt)
        return c

    def rounder_for(self, fmt):
        """A rounder to ``fmt`` with the plan's scheme (cached)."""
        if fmt is self.compute:
            return self.round_compute
        if fmt is self.storage:
            return self.round_storage
        cache = self.cache.setdefault("rounders", {})
        r = cache.get(fmt)
        if r is None:
            r = cache[fmt] = Rounder(fmt, self.rounding, self.random_bits,
                                     reference=self.reference)
        return r

    def const_rounder_for(self, fmt):
        """A round-to-nearest-even rounder to ``fmt`` (for constants)."""
        if fmt is self.compute:
            return self.round_constant
        cache = self.cache.setdefault("const_rounders", {})
        r = cache.get(fmt)
        if r is None:
            r = cache[fmt] = Rounder(fmt, nearest_even(), reference=self.reference)
        return r

    def convert_to(self, data, fmt):
        """``data`` (any float ndarray, not modified) rounded to ``fmt`` with
        the plan's scheme, as a new array in the container dtype."""
        rounder = self.rounder_for(fmt)
        work = np.array(data, dtype=np.float64)
        work = rounder(work, self.seed, self.take_stream(rounder, work.dtype))
        return work.astype(self.dtype, copy=False)

    # ------------------------------------------------------------ operands
    def scalar(self, value):
        """A Python scalar operand: the nearest value of the compute format."""
        scalars = self.scalars
        try:
            return scalars[value]
        except KeyError:
            pass
        except TypeError:
            value = float(value)
        r = float(self.round_constant(np.array(float(value)), 0, 0))
        if value == 0:
            return r            # not cached: -0.0 == 0.0 would share an entry
        if len(scalars) > 4096:
            scalars.clear()
        scalars[value] = r
        return r

    def operand(self, x):
        """Raw ndarray/scalar for ``x`` with values in the compute format."""
        E = self.array_type
        if isinstance(x, E):
            if x._format is self.compute or self.contained(x._format):
                data = x._data
                return data if data.dtype == self.dtype else data.astype(self.dtype)
            conv = np.array(x._data, dtype=np.float64)
            conv = self.round_compute(conv, self.seed,
                                      self.take_stream(self.round_compute, conv.dtype))
            return conv.astype(self.dtype, copy=False)
        if isinstance(x, (bool, np.bool_)):
            return x
        if isinstance(x, (float, int, np.floating, np.integer)):
            return self.scalar(x) if not self.identity else float(x)
        if isinstance(x, np.ndarray):
            if x.dtype.kind == "b":
                return x
            if x.dtype.kind not in "fiu":
                raise TypeError(f"numprec.emulate supports real arrays only, got dtype {x.dtype}")
            arr = np.array(x, dtype=np.float64, copy=True)
            if not self.identity:
                arr = self.round_constant(arr, 0, 0)
            return arr.astype(self.dtype, copy=False)
        if isinstance(x, numbers.Real):
            return self.scalar(float(x))
        if isinstance(x, (list, tuple)):
            return self.operand(np.asarray(x))
        raise TypeError(f"numprec.emulate cannot use an operand of type {type(x).__name__}")

    def wrap(self, data, fmt, home):
        """``data`` (values of ``fmt``, container dtype) as an emulated array
        of the home policy ``home``; no copy, no rounding."""
        o = object.__new__(self.array_type)
        o._data = data
        o._format = fmt
        o._policy = home
        return o
