"""Bit patterns of number formats: encode, decode and flip bits.

:func:`encode` turns values of a format into the unsigned integers of its
bit layout (uint8 for 8-bit formats, uint16, uint32, uint64), as ml_dtypes'
``view`` and gfloat's ``encode_float`` do; :func:`decode` is its inverse.
:func:`flip_bits` injects soft errors — bit ``k`` of every value, or each
bit independently with probability ``p`` from numprec's counter-based
random numbers — to study resilience (as the ``chop``/CPFloat/pychop
bit-flip options do).

Notes
-----
The bit layouts:

:class:`~numprec.FloatFormat`
    ``sign | exponent field | mantissa field`` (no sign bit for unsigned
    formats).  A normal value ``(1 + f / 2**m) 2**(E)`` has field
    ``E + bias``; subnormals have field 0.  Specials by the ``nan`` policy:
    ``"ieee"`` — all-ones field with mantissa 0 is infinity, with the top
    mantissa bit set (a quiet NaN) is NaN; ``"fn"`` — the all-ones pattern
    (sign aside) is NaN; ``"fnuz"`` — the negative-zero pattern is the only
    NaN and zero has no sign; ``"none"`` — no NaN.  NaN keeps its sign bit
    where the format has one for it.  Decoding patterns a format does not
    produce: field 0 with a nonzero mantissa in a format without
    subnormals reads as (signed) zero, as flush-to-zero hardware reads
    them; the unused all-ones-field patterns of an ``"ieee"`` format
    without infinities read as NaN.  ``"single"`` (IEEE P3109) — one NaN,
    the negative-zero pattern of signed formats or the all-ones pattern of
    unsigned ones; with infinities, +-inf is the largest magnitude pattern
    below it (``0x7F``/``0xFF`` for signed, ``0xFE`` for unsigned 8-bit
    formats), as in gfloat's ``encode_float``.
:class:`~numprec.FixedFormat` / :class:`~numprec.IntFormat`
    The integer ``v * 2**fraction_bits``, two's complement when signed.
Other formats (e.g. from plugins)
    Use their methods ``to_bits(values)`` and ``from_bits(bits)`` when
    they define them; otherwise :func:`encode` refuses them.
"""
from __future__ import annotations

import numpy as np

from numprec.formats import FixedFormat, FloatFormat
from numprec.rounding import RandomKey, resolve_format
from numprec.rounding import round as _round_to

__all__ = ["BitFlips", "encode", "decode", "flip_bits", "storage_dtype"]


def storage_dtype(bits: int) -> np.dtype:
    """The smallest unsigned numpy integer type with at least ``bits`` bits.

    Parameters
    ----------
    bits : int
        Width of a format's bit pattern (at most 64).

    Returns
    -------
    numpy.dtype

    Examples
    --------
    >>> from numprec.bits import storage_dtype
    >>> storage_dtype(6), storage_dtype(16)
    (dtype('uint8'), dtype('uint16'))
    """
    for dt in (np.uint8, np.uint16, np.uint32, np.uint64):
        if bits <= np.dtype(dt).itemsize * 8:
            return np.dtype(dt)
    raise ValueError(f"formats wider than 64 bits have no integer storage type (got {bits})")


def _as_values(x):
    arr = np.asarray(x)
    if arr.dtype not in (np.float64, np.float32):
        if not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"x must be a real float array, got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
    return arr.astype(np.float64)


def _check_values_of(fmt, x):
    rounded = _round_to(x, fmt)
    bad = ~((rounded == x) | (np.isnan(rounded) & np.isnan(x)))
    if np.any(bad):
        first = x[bad].ravel()[0]
        raise ValueError(f"x holds values that are not values of {fmt.name!r} (e.g. {first!r}): "
                         f"round them first with numprec.round(x, {fmt.name!r}, ...)")


# ----------------------------------------------------------------- floats
def _float_encode(fmt: FloatFormat, x):
    e, m, bias = fmt.exponent_bits, fmt.mantissa_bits, fmt.bias
    u = np.uint64
    top = u((1 << e) - 1)
    sign = np.signbit(x) if fmt.signed else np.zeros(x.shape, dtype=bool)
    a = np.abs(x)
    finite = np.isfinite(a) & (a > 0)
    safe = np.where(finite, a, 1.0)
    E = np.frexp(safe)[1].astype(np.int64) - 1
    normal = E >= fmt.emin
    field = np.where(normal, E + bias, 0).astype(np.uint64)
    frac = np.where(normal, np.ldexp(safe, (-E + m).astype(np.int64)) - 2.0**m,
                    np.ldexp(safe, np.full(E.shape, m - fmt.emin, dtype=np.int64)))
    mant = frac.astype(np.uint64)
    pattern = np.where(finite, (field << u(m)) | mant, u(0))
    if np.any(np.isinf(x)):
        if not fmt.infinities:
            raise ValueError(f"{fmt.name!r} has no infinities")
        inf_pattern = _single_inf_pattern(fmt) if fmt.nan == "single" else top << u(m)
        pattern = np.where(np.isinf(x), u(inf_pattern), pattern)
    nan = np.isnan(x)
    if np.any(nan):
        pattern = np.where(nan, u(_nan_pattern(fmt)), pattern)
    signbit = u(1) << u(e + m)
    if fmt.signed:
        one_nan = fmt.nan in ("fnuz", "single")
        with_sign = sign & ~(nan & one_nan)
        if one_nan:
            with_sign &= ~(x == 0)                 # no negative zero
        pattern = np.where(with_sign, pattern | signbit, pattern)
    return pattern


def _nan_pattern(fmt):
    e, m = fmt.exponent_bits, fmt.mantissa_bits
    top = (1 << e) - 1
    if fmt.nan == "ieee" and m >= 1:
        return (top << m) | (1 << (m - 1))
    if fmt.nan == "fn":
        return (top << m) | ((1 << m) - 1)
    if fmt.nan in ("fnuz", "single") and fmt.signed:
        return 1 << (e + m)
    if fmt.nan == "single":
        return (1 << (e + m)) - 1
    raise ValueError(f"{fmt.name!r} has no NaN encoding")


def _single_inf_pattern(fmt):
    """Magnitude pattern of +inf in an extended P3109 ("single") format."""
    e, m = fmt.exponent_bits, fmt.mantissa_bits
    return (1 << (e + m)) - 1 - int(not fmt.signed)


def _float_decode(fmt: FloatFormat, p):
    e, m, bias = fmt.exponent_bits, fmt.mantissa_bits, fmt.bias
    u = np.uint64
    p = p.astype(np.uint64)
    top = (1 << e) - 1
    field = ((p >> u(m)) & u(top)).astype(np.int64)
    mant = (p & u((1 << m) - 1)).astype(np.float64)
    negative = ((p >> u(e + m)) & u(1)).astype(bool) if fmt.signed else np.zeros(p.shape, bool)
    value = np.ldexp(mant + 2.0**m, field - bias - m)
    if fmt.zero:
        low = field == 0
        sub = np.ldexp(mant, np.full(p.shape, fmt.emin - m, dtype=np.int64)) \
            if fmt.subnormals else np.zeros(p.shape)
        value = np.where(low, sub, value)
    magnitude_bits = p & u((1 << (e + m)) - 1)
    if fmt.nan == "ieee":
        special = field == top
        inf = special & (mant == 0) & fmt.infinities
        value = np.where(special, np.nan, value)
        value = np.where(inf, np.inf, value)
    elif fmt.nan == "fn":
        value = np.where(magnitude_bits == u(_nan_pattern(fmt)), np.nan, value)
    elif fmt.nan == "single":
        if fmt.infinities:
            value = np.where(magnitude_bits == u(_single_inf_pattern(fmt)), np.inf, value)
        if not fmt.signed:
            value = np.where(p == u(_nan_pattern(fmt)), np.nan, value)
    value = np.where(negative, -value, value)
    if fmt.nan in ("fnuz", "single") and fmt.signed:
        value = np.where(p == u(_nan_pattern(fmt)), np.nan, value)
    return value


# ------------------------------------------------------------------ fixed
def _fixed_encode(fmt: FixedFormat, x):
    if np.any(~np.isfinite(x)):
        raise ValueError(f"{fmt.name!r} has no NaN or infinity")
    ints = np.ldexp(x, fmt.fraction_bits).astype(np.int64)
    return (ints.astype(np.uint64) & np.uint64((1 << fmt.bits) - 1))


def _fixed_decode(fmt: FixedFormat, p):
    ints = p.astype(np.uint64).astype(np.int64)
    if fmt.signed:
        ints = np.where(ints >= (1 << (fmt.bits - 1)), ints - (1 << fmt.bits), ints)
    return np.ldexp(ints.astype(np.float64), -fmt.fraction_bits)


# ------------------------------------------------------------------ public
def encode(x, fmt):
    """The bit patterns of values of ``fmt``.

    Parameters
    ----------
    x : array_like
        Values of ``fmt`` (e.g. results of :func:`numprec.round`); other
        values are refused.
    fmt : numprec.Format or str

    Returns
    -------
    numpy.ndarray
        Unsigned integers of :func:`storage_dtype` ``(fmt.bits)``, x's shape.

    Examples
    --------
    >>> import numprec
    >>> from numprec.bits import encode
    >>> hex(int(encode(1.0, "bfloat16"))), hex(int(encode(448.0, "float8_e4m3fn")))
    ('0x3f80', '0x7e')
    """
    fmt = resolve_format(fmt)
    x = _as_values(x)
    if isinstance(fmt, FloatFormat):
        _check_values_of(fmt, x)
        out = _float_encode(fmt, x)
    elif isinstance(fmt, FixedFormat):
        _check_values_of(fmt, x)
        out = _fixed_encode(fmt, x)
    elif hasattr(fmt, "to_bits") and hasattr(fmt, "from_bits"):
        return np.asarray(fmt.to_bits(x))
    else:
        raise TypeError(f"{fmt.name!r} ({type(fmt).__name__}) has no bit layout numprec knows: "
                        "a format class may define to_bits(values) and from_bits(bits)")
    return out.astype(storage_dtype(fmt.bits))


def decode(bits, fmt):
    """The values (float64) of bit patterns of ``fmt`` (inverse of :func:`encode`).

    Parameters
    ----------
    bits : array_like of unsigned or non-negative integers
        Patterns below ``2**fmt.bits``.
    fmt : numprec.Format or str
    """
    fmt = resolve_format(fmt)
    p = np.asarray(bits)
    if not np.issubdtype(p.dtype, np.integer):
        raise TypeError(f"bits must be an integer array, got dtype {p.dtype}")
    if fmt.bits < 64 and p.size and (np.any(p < 0) or np.any(p.astype(np.uint64) >> np.uint64(fmt.bits))):
        raise ValueError(f"bits must be patterns of {fmt.bits} bits (0 .. 2**{fmt.bits}-1)")
    if isinstance(fmt, FloatFormat):
        return _float_decode(fmt, p)
    if isinstance(fmt, FixedFormat):
        return _fixed_decode(fmt, p)
    if hasattr(fmt, "from_bits"):
        return np.asarray(fmt.from_bits(p), dtype=np.float64)
    raise TypeError(f"{fmt.name!r} ({type(fmt).__name__}) has no bit layout numprec knows")


def flip_bits(x, fmt=None, *, bit=None, probability=None, seed=None, stream=0, offset=0):
    """Soft errors: values of ``fmt`` with bits of their patterns flipped.

    Parameters
    ----------
    x : array_like or numprec.emulate.EmulatedArray
        Values of ``fmt``.  An emulated array is flipped in its own format
        (``fmt`` may be omitted) and the result is an emulated array of the
        same format and home policy.
    fmt : numprec.Format or str
    bit : int, optional
        Flip this bit of every value (0 = least significant).
    probability : float, optional
        Flip each bit of each value independently with this probability.
        Bit ``j`` of element ``i`` (flat C order) uses counter
        ``offset + i * fmt.bits + j`` of ``stream`` under ``seed`` (the
        counter-based generator of stochastic rounding), so chunks of an
        array reproduce the whole array's flips.
    seed, stream, offset : int
        Random key (``seed`` required with ``probability``).

    Returns
    -------
    numpy.ndarray
        float64 values of ``fmt`` (flips may produce NaN or infinity where
        the format has them).
    """
    from numprec.emulate import EmulatedArray
    if isinstance(x, EmulatedArray):
        fmt = x.format if fmt is None else resolve_format(fmt)
        values = flip_bits(x.to_numpy(), fmt, bit=bit, probability=probability, seed=seed,
                           stream=stream, offset=offset)
        return x.policy.plan.wrap(values.astype(x.dtype), fmt, x.policy)
    if fmt is None:
        raise TypeError("fmt is required unless x is an emulated array")
    fmt = resolve_format(fmt)
    if (bit is None) == (probability is None):
        raise ValueError("pass exactly one of bit= and probability=")
    patterns = encode(x, fmt)
    dt = patterns.dtype
    nbits = fmt.bits
    if bit is not None:
        if isinstance(bit, bool) or not isinstance(bit, (int, np.integer)) or not 0 <= bit < nbits:
            raise ValueError(f"bit must be an integer in [0, {nbits}) for {fmt.name!r}, got {bit!r}")
        flipped = patterns ^ dt.type(1 << int(bit))
    else:
        p = float(probability)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"probability must be in [0, 1], got {probability!r}")
        if seed is None:
            raise ValueError("probability= needs seed= (flips are reproducible)")
        key = RandomKey.make(seed, stream, offset)
        u = key.uniform(patterns.size * nbits).reshape(patterns.size, nbits)
        weights = (np.uint64(1) << np.arange(nbits, dtype=np.uint64))
        mask = np.bitwise_or.reduce(np.where(u < p, weights, np.uint64(0)), axis=1) \
            if nbits else np.zeros(patterns.size, np.uint64)
        flipped = patterns ^ mask.reshape(patterns.shape).astype(dt)
    return decode(flipped, fmt)


class BitFlips:
    """A model component whose results get soft errors.

    Wraps any component of a case model (a dataclass of components, see
    :mod:`numprec.cases.base`) so that every float array it returns —
    emulated arrays in their format, plain arrays as binary64 — has each bit
    flipped with probability ``probability`` (or bit ``bit`` flipped)::

        model = dataclasses.replace(model, tendencies=BitFlips(model.tendencies, 1e-6))

    Other attributes are those of the wrapped component.  Under an emulation
    policy each call takes a fresh random stream from the active (component)
    policy's stream counter and uses the policy's seed, so a run is
    reproducible from its seed and the flips are independent of the rounding's
    random numbers; without a policy, ``seed`` and a call counter are used.

    Parameters
    ----------
    component : callable
        The component to wrap.
    probability : float, optional
        Probability of flipping each bit of each result.
    bit : int, optional
        Flip this bit of every result instead.
    seed : int
        Seed of the flips outside emulation (under a policy: the policy's).
    """

    def __init__(self, component, probability=None, *, bit=None, seed=0):
        if not callable(component):
            raise TypeError(f"component must be callable, got {type(component).__name__}")
        if (bit is None) == (probability is None):
            raise ValueError("pass exactly one of probability= and bit=")
        if probability is not None and not 0.0 <= float(probability) <= 1.0:
            raise ValueError(f"probability must be in [0, 1], got {probability!r}")
        self.component = component
        self.probability = probability
        self.bit = bit
        self.seed = seed
        self.calls = 0

    def __getattr__(self, name):
        if name == "component":           # not set yet (e.g. while unpickling)
            raise AttributeError(name)
        return getattr(self.component, name)

    def __call__(self, *args, **kwargs):
        return self._flip(self.component(*args, **kwargs))

    def _flip(self, out):
        import dataclasses

        from numprec.emulate import EmulatedArray, current
        if isinstance(out, EmulatedArray):
            policy = current() or out.policy
            stream = policy.plan.counter.take() if self.probability is not None else 0
            return flip_bits(out, bit=self.bit, probability=self.probability,
                             seed=policy.seed, stream=stream)
        if isinstance(out, np.ndarray) and out.dtype.kind == "f":
            self.calls += 1
            return flip_bits(out.astype(np.float64), "binary64", bit=self.bit,
                             probability=self.probability, seed=self.seed,
                             stream=self.calls).astype(out.dtype)
        if isinstance(out, tuple) and hasattr(out, "_fields"):
            return type(out)._make(self._flip(v) for v in out)
        if isinstance(out, (tuple, list)):
            return type(out)(self._flip(v) for v in out)
        if isinstance(out, dict):
            return {k: self._flip(v) for k, v in out.items()}
        if dataclasses.is_dataclass(out) and not isinstance(out, type):
            return dataclasses.replace(out, **{f.name: self._flip(getattr(out, f.name))
                                               for f in dataclasses.fields(out) if f.init})
        return out
