"""numprec's rounding on PyTorch, JAX (and any array-API) arrays.

:func:`round` takes a float64 or float32 array of any library that follows
the Python array API standard (through ``array_api_compat``) and returns an
array of the same library, dtype, shape and device whose values are those
:func:`numprec.round` gives on the same values, bit for bit: the algorithm
of numprec's Cython kernel (add-and-mask on the integer view of the
float64, branch-free, as CPFloat; Fasi & Mikaitis 2023) written with the
standard's integer operations on int64 (two's-complement wrap-around
stands in for unsigned arithmetic; right shifts of possibly negative words
are made logical by masking), including the counter-based SplitMix64
random numbers of stochastic rounding (Steele, Lea & Flood 2014): element
``i`` (flat C order) uses counter ``offset + i`` of the stream, so a seed
gives the same result as on a numpy array.

Only elementwise :class:`~numprec.FloatFormat` formats and the built-in
rounding schemes are supported; other formats are refused.  The standard
has no bit cast, so the two casts between float64 and int64 words are done
by each library's own operation (``Tensor.view`` for PyTorch,
``jax.lax.bitcast_convert_type`` for JAX — which needs
``jax_enable_x64``; NumPy's ``view``).

Runs on whatever device the array is on (the operations are plain
elementwise integer arithmetic); it was tested on CPU only.

``straight_through=True`` returns ``x + stop_gradient(round(x) - x)``: the
rounded values forward and the identity's gradient backward, as in
quantisation-aware training (Bengio, Léonard & Courville 2013).
"""
from __future__ import annotations

import math
import struct

import array_api_compat

from numprec.formats import FloatFormat
from numprec.rounding import RandomKey, check_random_bits, resolve_format, resolve_rounding

__all__ = ["round"]

_MODES = {"nearest_even": 0, "nearest_away": 1, "toward_zero": 2, "up": 3, "down": 4,
          "odd": 5, "stochastic": 6, "stochastic_uniform": 7}
_GOLDEN = 0x9E3779B97F4A7C15
_SIGN = 1 << 63
_INF = 0x7FF0000000000000
_QNAN = 0x7FF8000000000000
_QUIET = 0x0008000000000000
_FRAC = 0x000FFFFFFFFFFFFF
_IMPLICIT = 1 << 52


def _s64(value):
    """A 64-bit word as the int64 with the same bits."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def _bits_of(v):
    return struct.unpack("<q", struct.pack("<d", v))[0]


class _Ops:
    """int64 word arithmetic in one array namespace, on one device."""

    def __init__(self, xp, like):
        self.xp = xp
        self.device = array_api_compat.device(like)

    def c(self, value):
        return self.xp.asarray(_s64(value), dtype=self.xp.int64, device=self.device)

    def shr(self, z, k):
        """Logical right shift by a constant 1 <= k <= 63."""
        return (z >> k) & self.c((1 << (64 - k)) - 1)

    def shr_var(self, z, k):
        """Logical right shift by an array of amounts 0 <= k <= 63."""
        xp = self.xp
        kk = xp.maximum(k, self.c(1))
        mask = (self.c(1) << (64 - kk)) - 1
        return xp.where(k == 0, z, (z >> kk) & mask)

    def mix64(self, z):
        z = (z ^ self.shr(z, 30)) * self.c(0xBF58476D1CE4E5B9)
        z = (z ^ self.shr(z, 27)) * self.c(0x94D049BB133111EB)
        return z ^ self.shr(z, 31)

    def top_bit(self, v):
        """Index of the highest set bit (0 for v <= 1), v >= 0."""
        xp = self.xp
        n = xp.zeros_like(v)
        for width in (32, 16, 8, 4, 2, 1):
            t = xp.where((v >> width) != 0, self.c(width), self.c(0))
            n = n + t
            v = v >> t
        return n


def _spec(fmt: FloatFormat):
    tiny_exp = fmt.emin - fmt.mantissa_bits if fmt.subnormals else fmt.emin
    max_bits = _bits_of(fmt.max)
    over = {"inf": _INF, "nan": _QNAN, "saturate": max_bits}[fmt.overflow]
    return dict(m=fmt.mantissa_bits, emin=fmt.emin, tiny_exp=tiny_exp,
                unsigned=not fmt.signed, nozero=not fmt.zero,
                unsigned_zero=fmt.nan == "fnuz" or not fmt.signed,
                tiny_bits=_bits_of(math.ldexp(1.0, tiny_exp)), max_bits=max_bits,
                over_bits=over, inf_in_bits=_INF if fmt.infinities else over,
                min_bits=0 if fmt.zero else _bits_of(fmt.smallest_subnormal),
                deep=fmt.emin < -1022)


def _round_words(o: _Ops, bits, sp, mode, rnd, rbits):
    """The kernel's ``round_bits_at`` on int64 words (see floatcore.pxd)."""
    xp = o.xp
    c = o.c
    where = xp.where
    sign = bits & c(_SIGN)
    a = bits ^ sign                                  # >= 0
    negative = bits < 0
    E = a >> 52
    e = xp.maximum(E, c(1)) - 1023
    s = xp.maximum(c(sp["emin"]) - e, c(0)) + (52 - sp["m"])
    if sp["deep"]:
        hb = o.top_bit(a & c(_FRAC))
        lead = xp.maximum(c(sp["emin"] + 1074), hb)
        s_sub = xp.maximum(lead - sp["m"], c(0))
        s = where(E > 0, s, s_sub)
    s = xp.minimum(s, c(52))
    ulp = c(1) << s
    mask = ulp - 1
    low = a & mask
    at52 = ((s + 12) >> 6) & ((E + 2047) >> 11)
    lsb = ((a >> s) & 1) | at52
    half = ulp >> 1
    away = ~negative if mode == 3 else negative      # rounding away from zero (up/down)
    trunc_pos = mode in (2, 4, 5)
    trunc_neg = mode in (2, 3, 5)
    zero = xp.zeros_like(a)
    if mode == 0:
        inc = (half - 1 + lsb) & mask
    elif mode == 1:
        inc = half & mask
    elif mode in (3, 4):
        inc = where(away, mask, zero)
    elif mode == 6:
        rb = xp.minimum(c(rbits), s)
        inc = (o.shr(o.shr_var(rnd, 63 - rb), 1) << (s - rb)) & mask
    elif mode == 7:
        inc = where(o.shr(rnd, 63) != 0, mask, zero)
    else:                                            # toward zero, odd
        inc = zero
    r = (a + inc) & ~mask
    if mode == 5:
        jam = (low != 0) & (lsb == 0)
        r = where(jam, r | ulp, r)

    # tiny path: |x| < 2**tiny_exp rounds to 0 or 2**tiny_exp
    sig = (a & c(_FRAC)) | where(E > 0, c(_IMPLICIT), c(0))
    k = c(sp["tiny_exp"] - 1) - e
    kl = where(k < 0, -k, c(0))
    k = xp.minimum(xp.maximum(k, c(0)), c(63))
    sticky = where((sig & ((c(1) << k) - 1)) != 0, c(1), c(0))
    q = o.shr_var(sig << kl, k) | sticky
    full_t = (1 << 53) - 1
    if mode == 0:
        inc_t = c(full_t >> 1)
    elif mode == 1:
        inc_t = c(1 << 52)
    elif mode in (3, 4):
        inc_t = where(away, c(full_t), zero)
    elif mode == 5:
        inc_t = c(full_t)
    elif mode == 6:
        rbt = min(rbits, 53)
        inc_t = o.shr(o.shr(rnd, 63 - rbt), 1) << (53 - rbt)
    elif mode == 7:
        inc_t = where(o.shr(rnd, 63) != 0, c(full_t), zero)
    else:
        inc_t = zero
    r_tiny = where(((q + inc_t) >> 53) != 0, c(sp["tiny_bits"]), zero)
    r = where(a < sp["tiny_bits"], r_tiny, r)

    # overflow by the format's policy and the rounding direction
    if trunc_pos and trunc_neg:
        over = c(sp["max_bits"])
    elif trunc_pos or trunc_neg:
        trunc = ~negative if trunc_pos else negative
        over = where(trunc, c(sp["max_bits"]), c(sp["over_bits"]))
    else:
        over = c(sp["over_bits"])
    r = where(r > sp["max_bits"], over, r)
    # specials and the format's flags
    r = where(a == _INF, c(sp["inf_in_bits"]), r)
    r = where(r < sp["min_bits"], c(sp["min_bits"]), r)
    nan_out = xp.zeros_like(negative)
    if sp["nozero"]:
        nan_out = nan_out | (a == 0)
    if sp["unsigned"]:
        nan_out = nan_out | (negative & ((a != 0) | sp["nozero"]))
    r = where(nan_out, c(_QNAN), r)
    drop_sign = r > _INF
    if sp["unsigned_zero"]:
        drop_sign = drop_sign | (r == 0)
    r = where(drop_sign, r, r | sign)
    return where(a > _INF, bits | _QUIET, r)


def _bitcast(x, to_int):
    if array_api_compat.is_torch_array(x):
        import torch
        return x.view(torch.int64 if to_int else torch.float64)
    if array_api_compat.is_jax_array(x):
        import jax
        import jax.numpy as jnp
        if not jax.config.jax_enable_x64:
            raise ValueError("JAX arrays need 64-bit types: jax.config.update("
                             "'jax_enable_x64', True) before creating them")
        return jax.lax.bitcast_convert_type(x, jnp.int64 if to_int else jnp.float64)
    if array_api_compat.is_numpy_array(x):
        import numpy as np
        return x.view(np.int64 if to_int else np.float64)
    raise TypeError(f"numprec.array_api cannot bit-cast arrays of {type(x).__name__}")


def round(x, fmt, rounding="nearest_even", *, seed=None, random_bits=None, stream=0,
          offset=0, straight_through=False):
    """Round an array-API array (PyTorch, JAX, NumPy) to ``fmt``.

    Parameters
    ----------
    x : array
        float64 or float32 array of a library with array-API support.
    fmt, rounding, seed, random_bits, stream, offset
        As :func:`numprec.round` (elementwise :class:`~numprec.FloatFormat`
        formats and built-in schemes only).
    straight_through : bool
        Return ``x + stop_gradient(round(x) - x)`` (PyTorch and JAX), so
        gradients pass through the rounding unchanged.

    Returns
    -------
    array
        Same library, dtype, shape and device as ``x``; the values of
        :func:`numprec.round` on the same numbers, bit for bit.

    Examples
    --------
    >>> import torch
    >>> from numprec import array_api
    >>> array_api.round(torch.tensor([1 / 3], dtype=torch.float64), "bfloat16")
    tensor([0.3340], dtype=torch.float64)
    """
    xp = array_api_compat.array_namespace(x)
    fmt = resolve_format(fmt)
    if not isinstance(fmt, FloatFormat):
        raise TypeError(f"numprec.array_api rounds to FloatFormat formats; {fmt.name!r} is a "
                        f"{type(fmt).__name__} (use numprec.round on a numpy array)")
    scheme = resolve_rounding(rounding)
    if scheme.name not in _MODES or scheme.mode is None:
        raise ValueError(f"numprec.array_api supports the built-in rounding schemes "
                         f"{sorted(_MODES)}, got {scheme.name!r}")
    if x.dtype not in (xp.float64, xp.float32):
        raise TypeError(f"x must be float64 or float32, got {x.dtype}")
    if x.dtype == xp.float32:
        import numpy as np
        fmt.check_dtype(np.dtype(np.float32))
    random_bits = check_random_bits(random_bits, scheme)
    if seed is None and not scheme.stochastic:
        seed = 0
    key = RandomKey.make(seed, stream, offset, random_bits)
    wide = xp.astype(x, xp.float64) if x.dtype == xp.float32 else x
    words = _bitcast(xp.reshape(wide, (-1,)), True)
    ops = _Ops(xp, x)
    rnd = None
    if scheme.stochastic:
        n = words.shape[0]
        counter = xp.arange(n, dtype=xp.int64, device=ops.device) + ops.c(key.offset + 1)
        rnd = ops.mix64(ops.c(key.key) + counter * ops.c(_GOLDEN))
    rbits = 64 if key.bits is None else key.bits
    out = _round_words(ops, words, _spec(fmt), _MODES[scheme.name], rnd, rbits)
    result = xp.reshape(_bitcast(out, False), x.shape)
    if x.dtype == xp.float32:
        result = xp.astype(result, xp.float32)
    if straight_through:
        if array_api_compat.is_torch_array(x):
            return x + (result - x).detach()
        if array_api_compat.is_jax_array(x):
            import jax
            return x + jax.lax.stop_gradient(result - x)
        raise TypeError("straight_through applies to PyTorch and JAX arrays")
    return result
