# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Array loops around :func:`floatcore.round_bits` for float64 and float32.

One template for every rounding mode and format: the mode and the format's
parameters are arguments.  The loops release the GIL and may split the
array over OpenMP threads in contiguous blocks; random numbers come from a
counter-based generator keyed by (seed, stream, element index), so results
never depend on the thread count or on how a caller chunks the array.
"""
from libc.stdint cimport uint64_t, int64_t
from libc.string cimport memcpy
from libc.math cimport ldexp
from cython.parallel cimport prange

from numprec._kernels.floatcore cimport (
    FloatSpec, ModeMasks, FastParams, mode_masks, fast_params, round_bits_at, round_normal,
    round_bits_core,
    counter_random, stream_key, SIGN_BIT, mode_draws_random, mode_has_variant_step,
)


cdef class Spec:
    """The parameters of one format as the kernels need them."""

    def __init__(self, int m, int emin, int tiny_exp, bint unsigned, bint nozero,
                 bint unsigned_zero, uint64_t tiny_bits, uint64_t max_bits,
                 uint64_t over_bits, uint64_t inf_in_bits, uint64_t min_bits,
                 int code_parity=-1):
        # code_parity: -1 for MPFR's precision-1 ties (away from zero); 0 or
        # 1 for P3109's ties to the even code, (bias + 1) & 1.
        cdef uint64_t ones = ~(<uint64_t>0)
        cdef double smallest_normal = ldexp(1.0, emin)
        self.spec.one = 1
        self.spec.m = m
        self.spec.emin = emin
        self.spec.deep = emin < -1022
        self.spec.tiny_exp = tiny_exp
        self.spec.unsigned = ones if unsigned else 0
        self.spec.nozero = ones if nozero else 0
        self.spec.unsigned_zero = ones if unsigned_zero else 0
        self.spec.tiny_bits = tiny_bits
        self.spec.max_bits = max_bits
        self.spec.over_bits = over_bits
        self.spec.inf_in_bits = inf_in_bits
        self.spec.min_bits = min_bits
        self.spec.code_ties = 1 if code_parity >= 0 else 0
        self.spec.tie_flip = (code_parity & 1) if code_parity >= 0 else 0
        memcpy(&self.fast_lo, &smallest_normal, 8)
        # Between the smallest normal and max (both signs) a value rounds by
        # add-and-mask at a fixed position and can neither overflow nor
        # underflow; formats whose sign or zero is special keep the general path.
        self.fast = (not unsigned and not nozero and emin >= -1022
                     and max_bits >= self.fast_lo)
        self.fast_span = max_bits - self.fast_lo if self.fast else 0


def key_for(uint64_t seed, uint64_t stream):
    """The 64-bit key of random stream ``stream`` under ``seed``."""
    return stream_key(seed, stream)


cdef enum:
    BLOCK = 256      # elements whose range is checked together for the fast path


cdef void _general(const uint64_t* x, uint64_t* out, Py_ssize_t n, FloatSpec sp,
                   ModeMasks mm, uint64_t key, uint64_t offset, int rbits,
                   bint rnd_on) noexcept nogil:
    # Four loops, so that the mode's random numbers and the deep-format work
    # (floatcore.round_bits_at) are compiled in only where needed; two more
    # for the P3109 stochastic variants, which always draw random numbers.
    cdef Py_ssize_t i
    if (mm.sre | mm.sro | mm.srf) != 0:
        if sp.deep:
            for i in range(n):
                out[i] = round_bits_core(x[i], sp, mm, counter_random(key, offset + <uint64_t>i),
                                         rbits, 1, 1)
        else:
            for i in range(n):
                out[i] = round_bits_core(x[i], sp, mm, counter_random(key, offset + <uint64_t>i),
                                         rbits, 0, 1)
        return
    if sp.deep:
        if rnd_on:
            for i in range(n):
                out[i] = round_bits_at(x[i], sp, mm, counter_random(key, offset + <uint64_t>i),
                                       rbits, 1)
        else:
            for i in range(n):
                out[i] = round_bits_at(x[i], sp, mm, 0, rbits, 1)
    elif rnd_on:
        for i in range(n):
            out[i] = round_bits_at(x[i], sp, mm, counter_random(key, offset + <uint64_t>i),
                                   rbits, 0)
    else:
        for i in range(n):
            out[i] = round_bits_at(x[i], sp, mm, 0, rbits, 0)


cdef void _normal(const uint64_t* x, uint64_t* out, Py_ssize_t n, FastParams fp,
                  ModeMasks mm, uint64_t key, uint64_t offset, bint rnd_on) noexcept nogil:
    cdef Py_ssize_t i
    if rnd_on:
        for i in range(n):
            out[i] = round_normal(x[i], fp, mm, counter_random(key, offset + <uint64_t>i))
    else:
        for i in range(n):
            out[i] = round_normal(x[i], fp, mm, 0)


ctypedef struct Target:
    FloatSpec sp
    bint fast            # see Spec.fast
    uint64_t lo, span    # the fast path's range: lo <= |bits| <= lo + span


cdef void _block64(const uint64_t* x, uint64_t* out, Py_ssize_t n, Target tg,
                   ModeMasks mm, uint64_t key, uint64_t offset, int rbits,
                   bint rnd_on) noexcept nogil:
    """Round ``n`` float64 bit patterns, a block of BLOCK at a time: blocks
    whose values all lie in the normal range take :func:`round_normal`, the
    others the general :func:`round_bits`.  Both give the same bits; the
    test is one branch per block, not per element."""
    cdef FloatSpec sp = tg.sp
    cdef FastParams fp = fast_params(sp, rbits)
    cdef bint fast = tg.fast
    cdef uint64_t lo = tg.lo
    cdef uint64_t span = tg.span
    cdef Py_ssize_t start = 0
    cdef Py_ssize_t stop, i
    cdef uint64_t outside
    while start < n:
        stop = start + BLOCK if start + BLOCK < n else n
        outside = 1
        if fast:
            outside = 0
            for i in range(start, stop):
                outside |= 1 if ((x[i] & ~SIGN_BIT) - lo) > span else 0
        if outside == 0:
            _normal(x + start, out + start, stop - start, fp, mm, key,
                    offset + <uint64_t>start, rnd_on)
        else:
            _general(x + start, out + start, stop - start, sp, mm, key,
                     offset + <uint64_t>start, rbits, rnd_on)
        start = stop


cdef void _block32(const float* x, float* out, Py_ssize_t n, Target tg,
                   ModeMasks mm, uint64_t key, uint64_t offset, int rbits,
                   bint rnd_on) noexcept nogil:
    # float32 -> float64 -> round -> float32, a block at a time: both
    # conversions are exact because the caller admits only formats whose
    # values float32 holds.
    cdef double buf[BLOCK]
    cdef Py_ssize_t start = 0
    cdef Py_ssize_t stop, i
    while start < n:
        stop = start + BLOCK if start + BLOCK < n else n
        for i in range(start, stop):
            buf[i - start] = x[i]
        _block64(<const uint64_t*> buf, <uint64_t*> buf, stop - start, tg, mm, key,
                 offset + <uint64_t>start, rbits, rnd_on)
        for i in range(start, stop):
            out[i] = <float> buf[i - start]
        start = stop


def round_array(x, out, Spec spec, int mode, uint64_t key, uint64_t offset,
                int rbits, int nthreads):
    """Round the contiguous 1-D float64 or float32 array ``x`` into ``out``
    (same dtype and length; may be ``x`` itself).  Element ``i`` uses random
    counter ``offset + i`` of the stream ``key``."""
    cdef const double[::1] x64
    cdef double[::1] o64
    cdef const float[::1] x32
    cdef float[::1] o32
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t t, lo, hi, block
    cdef Target tg
    cdef ModeMasks mm = mode_masks(mode)
    cdef bint rnd_on = mode_draws_random(mode)
    cdef bint f64 = x.dtype.itemsize == 8
    cdef const uint64_t* xb = NULL
    cdef uint64_t* ob = NULL
    cdef const float* xf = NULL
    cdef float* of = NULL
    if n == 0:
        return
    tg.sp = spec.spec
    tg.fast = spec.fast and not mode_has_variant_step(mode)   # round_normal lacks them
    tg.lo = spec.fast_lo
    tg.span = spec.fast_span
    if f64:
        x64 = x
        o64 = out
        xb = <const uint64_t*> &x64[0]
        ob = <uint64_t*> &o64[0]
    else:
        x32 = x
        o32 = out
        xf = &x32[0]
        of = &o32[0]
    if nthreads <= 1:          # no OpenMP region: it costs microseconds per call
        with nogil:
            if f64:
                _block64(xb, ob, n, tg, mm, key, offset, rbits, rnd_on)
            else:
                _block32(xf, of, n, tg, mm, key, offset, rbits, rnd_on)
        return
    block = (n + nthreads - 1) // nthreads
    with nogil:
        for t in prange(nthreads, num_threads=nthreads, schedule="static"):
            lo = t * block
            hi = lo + block if lo + block < n else n
            if lo < hi:
                if f64:
                    _block64(xb + lo, ob + lo, hi - lo, tg, mm, key, offset + <uint64_t>lo,
                             rbits, rnd_on)
                else:
                    _block32(xf + lo, of + lo, hi - lo, tg, mm, key, offset + <uint64_t>lo,
                             rbits, rnd_on)


def random_uint64(uint64_t[::1] out, uint64_t key, uint64_t offset):
    """Fill ``out`` with the random words the stochastic modes would use."""
    cdef Py_ssize_t i
    cdef Py_ssize_t n = out.shape[0]
    with nogil:
        for i in range(n):
            out[i] = counter_random(key, offset + <uint64_t>i)
