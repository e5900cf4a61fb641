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
from cython.parallel cimport prange

from numprec._kernels.floatcore cimport (
    FloatSpec, ModeMasks, mode_masks, round_bits, counter_random, stream_key,
    MODE_STOCHASTIC, MODE_STOCHASTIC_UNIFORM,
)


cdef class Spec:
    """The parameters of one format as the kernels need them."""
    cdef FloatSpec spec

    def __init__(self, int m, int emin, int tiny_exp, bint unsigned, bint nozero,
                 bint unsigned_zero, uint64_t tiny_bits, uint64_t max_bits,
                 uint64_t over_bits, uint64_t inf_in_bits, uint64_t min_bits):
        cdef uint64_t ones = ~(<uint64_t>0)
        self.spec.one = 1
        self.spec.m = m
        self.spec.emin = emin
        self.spec.tiny_exp = tiny_exp
        self.spec.unsigned = ones if unsigned else 0
        self.spec.nozero = ones if nozero else 0
        self.spec.unsigned_zero = ones if unsigned_zero else 0
        self.spec.tiny_bits = tiny_bits
        self.spec.max_bits = max_bits
        self.spec.over_bits = over_bits
        self.spec.inf_in_bits = inf_in_bits
        self.spec.min_bits = min_bits


def key_for(uint64_t seed, uint64_t stream):
    """The 64-bit key of random stream ``stream`` under ``seed``."""
    return stream_key(seed, stream)


cdef void _block64(const uint64_t* x, uint64_t* out, Py_ssize_t n, FloatSpec sp,
                   ModeMasks mm, uint64_t key, uint64_t offset, int rbits,
                   bint rnd_on) noexcept nogil:
    cdef Py_ssize_t i
    if rnd_on:
        for i in range(n):
            out[i] = round_bits(x[i], sp, mm, counter_random(key, offset + <uint64_t>i), rbits)
    else:
        for i in range(n):
            out[i] = round_bits(x[i], sp, mm, 0, rbits)


cdef inline float _round_f32(float v, FloatSpec sp, ModeMasks mm, uint64_t rnd,
                             int rbits) noexcept nogil:
    # float32 -> float64 -> round -> float32: both conversions are exact
    # because the caller admits only formats whose values float32 holds.
    cdef double d = v
    cdef uint64_t b
    memcpy(&b, &d, 8)
    b = round_bits(b, sp, mm, rnd, rbits)
    memcpy(&d, &b, 8)
    return <float> d


cdef void _block32(const float* x, float* out, Py_ssize_t n, FloatSpec sp,
                   ModeMasks mm, uint64_t key, uint64_t offset, int rbits,
                   bint rnd_on) noexcept nogil:
    cdef Py_ssize_t i
    if rnd_on:
        for i in range(n):
            out[i] = _round_f32(x[i], sp, mm, counter_random(key, offset + <uint64_t>i), rbits)
    else:
        for i in range(n):
            out[i] = _round_f32(x[i], sp, mm, 0, rbits)


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
    cdef FloatSpec sp = spec.spec
    cdef ModeMasks mm = mode_masks(mode)
    cdef bint rnd_on = mode == MODE_STOCHASTIC or mode == MODE_STOCHASTIC_UNIFORM
    cdef bint f64 = x.dtype.itemsize == 8
    cdef const uint64_t* xb = NULL
    cdef uint64_t* ob = NULL
    cdef const float* xf = NULL
    cdef float* of = NULL
    if n == 0:
        return
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
    if nthreads < 1:
        nthreads = 1
    block = (n + nthreads - 1) // nthreads
    with nogil:
        for t in prange(nthreads, num_threads=nthreads, schedule="static"):
            lo = t * block
            hi = lo + block if lo + block < n else n
            if lo < hi:
                if f64:
                    _block64(xb + lo, ob + lo, hi - lo, sp, mm, key, offset + <uint64_t>lo,
                             rbits, rnd_on)
                else:
                    _block32(xf + lo, of + lo, hi - lo, sp, mm, key, offset + <uint64_t>lo,
                             rbits, rnd_on)


def random_uint64(uint64_t[::1] out, uint64_t key, uint64_t offset):
    """Fill ``out`` with the random words the stochastic modes would use."""
    cdef Py_ssize_t i
    cdef Py_ssize_t n = out.shape[0]
    with nogil:
        for i in range(n):
            out[i] = counter_random(key, offset + <uint64_t>i)
