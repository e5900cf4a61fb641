# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Fused elementwise operations: compute and round in one pass.

An emulated ``a + b`` is, by definition (docs/emulate.md),
``numprec.round(a + b, compute, rounding, seed=seed, stream=s)``: the IEEE
operation of the container dtype (float64 or float32) followed by one
rounding of every element, element ``i`` (flat C order) using random counter
``i`` of stream ``s``.  numpy computes the operation in one pass over memory
and the rounding kernel reads the result back in a second (and a third to
check the range).  Here one loop computes each result and rounds it on the
normal-range fast path of :func:`floatcore.round_normal`, keeping the
smallest and largest magnitude of a block of :data:`BLOCK` elements; a block
with a value outside the format's normal range (zeros, subnormal results,
overflow, inf, NaN) is computed again and rounded by the general
:func:`floatcore.round_bits`.  The operation and the rounding mode are
compile-time constants of the inner loops, so the branch-free rounding loses
the terms of the other modes and the loop vectorises; the per-call Python
work (argument checks, key derivation, stream counter) is done here in C.

The arithmetic is the plain C operation on ``double`` (``float``), which is
the IEEE operation numpy performs (``-O3`` without ``-ffast-math``; one
operation per element, so there is nothing to contract into an FMA), and the
rounding is done by the same functions as
:func:`numprec._kernels.floatround.round_array`, so the results are
bit-identical to the two-pass computation.  Floating-point exceptions of the
operation (divide by zero, overflow, underflow, invalid) are read from the
FPU status flags; when one occurred, the caller's ``ufunc`` is run again on
the operands so that numpy reports it under the active ``np.errstate``.

The add-and-mask rounding is CPFloat's (Fasi & Mikaitis 2023, "CPFloat: A C
library for simulating low-precision arithmetic", ACM TOMS 49(2)).
"""
from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memcpy
from cpython.buffer cimport (PyObject_GetBuffer, PyBuffer_Release, PyBuffer_IsContiguous,
                             PyBUF_STRIDES, PyBUF_WRITABLE)
from cython.parallel cimport prange

from numprec._kernels.floatcore cimport (
    FloatSpec, ModeMasks, FastParams, mode_masks, fast_params, round_bits, round_normal,
    counter_random, stream_key, SIGN_BIT, INF_BITS, MODE_NEAREST_EVEN, MODE_STOCHASTIC,
    MODE_STOCHASTIC_UNIFORM,
)
from numprec._kernels.floatround cimport Spec

import numpy as np

from numprec.rounding.threads import PARALLEL_MIN_SIZE, get_num_threads

cdef extern from *:
    """
    /* The floating-point exceptions numpy reports (divide by zero, overflow,
       underflow, invalid).  On x86-64 the operations run on SSE/AVX, whose
       flags live in MXCSR: reading and writing it is much cheaper than
       glibc's feclearexcept, which also saves and reloads the x87 state. */
    #if defined(__x86_64__) || defined(_M_X64)
    #include <xmmintrin.h>
    #define NUMPREC_FPE_BITS (_MM_EXCEPT_INVALID | _MM_EXCEPT_DIV_ZERO | \
                              _MM_EXCEPT_OVERFLOW | _MM_EXCEPT_UNDERFLOW)
    static inline void numprec_fpe_clear(void) { _mm_setcsr(_mm_getcsr() & ~NUMPREC_FPE_BITS); }
    static inline int numprec_fpe_test(void) { return (int)(_mm_getcsr() & NUMPREC_FPE_BITS); }
    #else
    #include <fenv.h>
    #define NUMPREC_FPE_BITS (FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW | FE_INVALID)
    static inline void numprec_fpe_clear(void) { feclearexcept(NUMPREC_FPE_BITS); }
    static inline int numprec_fpe_test(void) { return fetestexcept(NUMPREC_FPE_BITS); }
    #endif
    """
    void fpe_clear "numprec_fpe_clear"() noexcept nogil
    int fpe_test "numprec_fpe_test"() noexcept nogil

cdef enum:
    BLOCK = 256      # elements whose range is checked together
    NEED_NUMPY = 1 << 30   # _run's answer when numpy must compute the operation

# Operation codes (numprec.emulate._engine maps ufuncs to them).
cpdef enum:
    OP_ADD = 0
    OP_SUBTRACT = 1
    OP_MULTIPLY = 2
    OP_DIVIDE = 3
    OP_SQUARE = 4      # unary: x * x

cdef enum:
    # where the operands are: array-array, array-scalar, scalar-array
    LAY_AA = 0
    LAY_AS = 1
    LAY_SA = 2


ctypedef struct Job:
    # Everything a chunk of one fused operation needs (shared by threads).
    const char* a        # first operand (NULL: the scalar s)
    const char* b        # second operand (NULL: the scalar s; unary: unused)
    double s
    char* out
    int op               # OP_* (OP_SQUARE is run as OP_MULTIPLY with b = a)
    int lay              # LAY_*
    int mode             # rounding mode code
    int rbits
    bint f64, fast, rnd_on
    uint64_t lo, span, key
    FloatSpec sp
    FastParams fp
    ModeMasks mm


cdef object _ndarray = np.ndarray
cdef object _object_new = object.__new__
cdef object _empty = np.empty
cdef object _f64 = np.dtype(np.float64)
cdef object _f32 = np.dtype(np.float32)


# ----------------------------------------------------------------- scalar ops
cdef inline double _op64(double x, double y, int op) noexcept nogil:
    if op == OP_ADD:
        return x + y
    elif op == OP_SUBTRACT:
        return x - y
    elif op == OP_MULTIPLY:
        return x * y
    return x / y


cdef inline float _op32(float x, float y, int op) noexcept nogil:
    if op == OP_ADD:
        return x + y
    elif op == OP_SUBTRACT:
        return x - y
    elif op == OP_MULTIPLY:
        return x * y
    return x / y


# ------------------------------------------------------------- the fast pass
# ``op``, ``mode`` and ``rnd_on`` are constants at every call site (mode -1:
# the masks jb.mm), so each instance is a branch-free loop that gcc
# vectorises.  Scalar operands come in as a block filled with the scalar.
cdef inline bint _fast64_k(const double* a, const double* b, double* out, Py_ssize_t n,
                           int op, int mode, bint rnd_on, const Job* jb,
                           uint64_t offset) noexcept nogil:
    """out[i] = round_normal(a[i] op b[i]); returns True if some result lies
    outside the fast path's range (then ``out`` must be recomputed)."""
    cdef ModeMasks mm = mode_masks(mode) if mode >= 0 else jb.mm
    cdef FastParams fp = jb.fp
    cdef uint64_t key = jb.key
    cdef uint64_t lo = jb.lo
    cdef uint64_t hi = jb.lo + jb.span
    cdef uint64_t mn = ~(<uint64_t>0)
    cdef uint64_t mx = 0
    cdef uint64_t u, m
    cdef double c
    cdef Py_ssize_t i
    for i in range(n):
        c = _op64(a[i], b[i], op)
        memcpy(&u, &c, 8)
        m = u & ~SIGN_BIT
        mn = m if m < mn else mn
        mx = m if m > mx else mx
        if rnd_on:
            u = round_normal(u, fp, mm, counter_random(key, offset + <uint64_t>i))
        else:
            u = round_normal(u, fp, mm, 0)
        memcpy(&out[i], &u, 8)
    return mn < lo or mx > hi


cdef inline bint _fast32_k(const float* a, const float* b, float* out, Py_ssize_t n,
                           int op, int mode, bint rnd_on, const Job* jb,
                           uint64_t offset) noexcept nogil:
    """As _fast64_k for float32 containers: the float32 result is widened
    (exactly) to float64, rounded, and narrowed (exactly: the format's
    values fit float32)."""
    cdef ModeMasks mm = mode_masks(mode) if mode >= 0 else jb.mm
    cdef FastParams fp = jb.fp
    cdef uint64_t key = jb.key
    cdef uint64_t lo = jb.lo
    cdef uint64_t hi = jb.lo + jb.span
    cdef uint64_t mn = ~(<uint64_t>0)
    cdef uint64_t mx = 0
    cdef uint64_t u, m
    cdef double c
    cdef Py_ssize_t i
    for i in range(n):
        c = <double>_op32(a[i], b[i], op)
        memcpy(&u, &c, 8)
        m = u & ~SIGN_BIT
        mn = m if m < mn else mn
        mx = m if m > mx else mx
        if rnd_on:
            u = round_normal(u, fp, mm, counter_random(key, offset + <uint64_t>i))
        else:
            u = round_normal(u, fp, mm, 0)
        memcpy(&c, &u, 8)
        out[i] = <float>c
    return mn < lo or mx > hi


cdef inline bint _fast64_m(const double* a, const double* b, double* out, Py_ssize_t n,
                           int op, const Job* jb, uint64_t offset) noexcept nogil:
    # round-to-nearest-even and stochastic rounding get their own loops;
    # the other modes share two (masks at run time).
    if jb.mode == MODE_NEAREST_EVEN:
        return _fast64_k(a, b, out, n, op, MODE_NEAREST_EVEN, False, jb, offset)
    elif jb.mode == MODE_STOCHASTIC:
        return _fast64_k(a, b, out, n, op, MODE_STOCHASTIC, True, jb, offset)
    elif jb.rnd_on:
        return _fast64_k(a, b, out, n, op, -1, True, jb, offset)
    return _fast64_k(a, b, out, n, op, -1, False, jb, offset)


cdef inline bint _fast32_m(const float* a, const float* b, float* out, Py_ssize_t n,
                           int op, const Job* jb, uint64_t offset) noexcept nogil:
    if jb.mode == MODE_NEAREST_EVEN:
        return _fast32_k(a, b, out, n, op, MODE_NEAREST_EVEN, False, jb, offset)
    elif jb.mode == MODE_STOCHASTIC:
        return _fast32_k(a, b, out, n, op, MODE_STOCHASTIC, True, jb, offset)
    elif jb.rnd_on:
        return _fast32_k(a, b, out, n, op, -1, True, jb, offset)
    return _fast32_k(a, b, out, n, op, -1, False, jb, offset)


# One function per (operation, dtype), reached through a table of pointers:
# gcc then specialises each body for its constant ``op`` and never merges
# them into one function too large to inline the loops into.
ctypedef bint (*fast64_fn)(const double*, const double*, double*, Py_ssize_t, const Job*,
                           uint64_t) noexcept nogil
ctypedef bint (*fast32_fn)(const float*, const float*, float*, Py_ssize_t, const Job*,
                           uint64_t) noexcept nogil


cdef bint _add64(const double* a, const double* b, double* out, Py_ssize_t n, const Job* jb,
                 uint64_t offset) noexcept nogil:
    return _fast64_m(a, b, out, n, OP_ADD, jb, offset)


cdef bint _sub64(const double* a, const double* b, double* out, Py_ssize_t n, const Job* jb,
                 uint64_t offset) noexcept nogil:
    return _fast64_m(a, b, out, n, OP_SUBTRACT, jb, offset)


cdef bint _mul64(const double* a, const double* b, double* out, Py_ssize_t n, const Job* jb,
                 uint64_t offset) noexcept nogil:
    return _fast64_m(a, b, out, n, OP_MULTIPLY, jb, offset)


cdef bint _div64(const double* a, const double* b, double* out, Py_ssize_t n, const Job* jb,
                 uint64_t offset) noexcept nogil:
    return _fast64_m(a, b, out, n, OP_DIVIDE, jb, offset)


cdef bint _add32(const float* a, const float* b, float* out, Py_ssize_t n, const Job* jb,
                 uint64_t offset) noexcept nogil:
    return _fast32_m(a, b, out, n, OP_ADD, jb, offset)


cdef bint _sub32(const float* a, const float* b, float* out, Py_ssize_t n, const Job* jb,
                 uint64_t offset) noexcept nogil:
    return _fast32_m(a, b, out, n, OP_SUBTRACT, jb, offset)


cdef bint _mul32(const float* a, const float* b, float* out, Py_ssize_t n, const Job* jb,
                 uint64_t offset) noexcept nogil:
    return _fast32_m(a, b, out, n, OP_MULTIPLY, jb, offset)


cdef bint _div32(const float* a, const float* b, float* out, Py_ssize_t n, const Job* jb,
                 uint64_t offset) noexcept nogil:
    return _fast32_m(a, b, out, n, OP_DIVIDE, jb, offset)


cdef fast64_fn _FAST64[4]
cdef fast32_fn _FAST32[4]
_FAST64[OP_ADD] = _add64
_FAST64[OP_SUBTRACT] = _sub64
_FAST64[OP_MULTIPLY] = _mul64
_FAST64[OP_DIVIDE] = _div64
_FAST32[OP_ADD] = _add32
_FAST32[OP_SUBTRACT] = _sub32
_FAST32[OP_MULTIPLY] = _mul32
_FAST32[OP_DIVIDE] = _div32


# ---------------------------------------------------------- the general pass
cdef inline void _compute64_k(const double* a, const double* b, uint64_t* out, Py_ssize_t n,
                              int op) noexcept nogil:
    cdef Py_ssize_t i
    cdef double c
    for i in range(n):
        c = _op64(a[i], b[i], op)
        memcpy(&out[i], &c, 8)


cdef inline void _compute32_k(const float* a, const float* b, uint64_t* out, Py_ssize_t n,
                              int op) noexcept nogil:
    cdef Py_ssize_t i
    cdef double c
    for i in range(n):
        c = <double>_op32(a[i], b[i], op)
        memcpy(&out[i], &c, 8)


cdef void _compute64(const double* a, const double* b, uint64_t* out, Py_ssize_t n,
                     int op) noexcept nogil:
    """out[i] = float64 bits of (a[i] op b[i])."""
    if op == OP_ADD:
        _compute64_k(a, b, out, n, OP_ADD)
    elif op == OP_SUBTRACT:
        _compute64_k(a, b, out, n, OP_SUBTRACT)
    elif op == OP_MULTIPLY:
        _compute64_k(a, b, out, n, OP_MULTIPLY)
    else:
        _compute64_k(a, b, out, n, OP_DIVIDE)


cdef void _compute32(const float* a, const float* b, uint64_t* out, Py_ssize_t n,
                     int op) noexcept nogil:
    """out[i] = float64 bits of the float32 result (a[i] op b[i])."""
    if op == OP_ADD:
        _compute32_k(a, b, out, n, OP_ADD)
    elif op == OP_SUBTRACT:
        _compute32_k(a, b, out, n, OP_SUBTRACT)
    elif op == OP_MULTIPLY:
        _compute32_k(a, b, out, n, OP_MULTIPLY)
    else:
        _compute32_k(a, b, out, n, OP_DIVIDE)


cdef void _general(uint64_t* x, Py_ssize_t n, const Job* jb, uint64_t offset) noexcept nogil:
    """round_bits over a block, in place."""
    cdef FloatSpec sp = jb.sp
    cdef ModeMasks mm = jb.mm
    cdef uint64_t key = jb.key
    cdef int rbits = jb.rbits
    cdef Py_ssize_t i
    if jb.rnd_on:
        for i in range(n):
            x[i] = round_bits(x[i], sp, mm, counter_random(key, offset + <uint64_t>i), rbits)
    else:
        for i in range(n):
            x[i] = round_bits(x[i], sp, mm, 0, rbits)


# ------------------------------------------------- rounding in place only
cdef inline void _normal_k(uint64_t* x, Py_ssize_t n, int mode, bint rnd_on, const Job* jb,
                           uint64_t offset) noexcept nogil:
    """round_normal over a block, in place (constants as in _fast64_k)."""
    cdef ModeMasks mm = mode_masks(mode) if mode >= 0 else jb.mm
    cdef FastParams fp = jb.fp
    cdef uint64_t key = jb.key
    cdef Py_ssize_t i
    for i in range(n):
        if rnd_on:
            x[i] = round_normal(x[i], fp, mm, counter_random(key, offset + <uint64_t>i))
        else:
            x[i] = round_normal(x[i], fp, mm, 0)


cdef void _normal(uint64_t* x, Py_ssize_t n, const Job* jb, uint64_t offset) noexcept nogil:
    if jb.mode == MODE_NEAREST_EVEN:
        _normal_k(x, n, MODE_NEAREST_EVEN, False, jb, offset)
    elif jb.mode == MODE_STOCHASTIC:
        _normal_k(x, n, MODE_STOCHASTIC, True, jb, offset)
    elif jb.rnd_on:
        _normal_k(x, n, -1, True, jb, offset)
    else:
        _normal_k(x, n, -1, False, jb, offset)


cdef void _round_block(uint64_t* x, Py_ssize_t n, const Job* jb, uint64_t offset) noexcept nogil:
    """Round a block in place: the fast path if every value is in the
    format's normal range, else the general path."""
    cdef uint64_t lo = jb.lo
    cdef uint64_t hi = jb.lo + jb.span
    cdef uint64_t mn = ~(<uint64_t>0)
    cdef uint64_t mx = 0
    cdef uint64_t m
    cdef Py_ssize_t i
    if jb.fast:
        for i in range(n):
            m = x[i] & ~SIGN_BIT
            mn = m if m < mn else mn
            mx = m if m > mx else mx
        if mn >= lo and mx <= hi:
            _normal(x, n, jb, offset)
            return
    _general(x, n, jb, offset)


cdef void _round_run(const Job* jb, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    """Round elements lo..hi-1 of jb.out in place."""
    cdef double buf[BLOCK]
    cdef Py_ssize_t start = lo
    cdef Py_ssize_t stop, m, i
    cdef double* o64 = <double*> jb.out
    cdef float* o32 = <float*> jb.out
    while start < hi:
        stop = start + BLOCK if start + BLOCK < hi else hi
        m = stop - start
        if jb.f64:
            _round_block(<uint64_t*>(o64 + start), m, jb, <uint64_t>start)
        else:
            for i in range(m):
                buf[i] = o32[start + i]
            _round_block(<uint64_t*>buf, m, jb, <uint64_t>start)
            for i in range(m):
                o32[start + i] = <float> buf[i]
        start = stop


# ------------------------------------------------------------------ a chunk
cdef inline bint _two_nans64(const double* a, const double* b, Py_ssize_t n) noexcept nogil:
    """Whether some a[i] and b[i] are both NaN (tested on the bits: no FPU
    flags)."""
    cdef uint64_t u, v
    cdef bint r = False
    cdef Py_ssize_t i
    for i in range(n):
        memcpy(&u, &a[i], 8)
        memcpy(&v, &b[i], 8)
        r |= ((u & ~SIGN_BIT) > INF_BITS) & ((v & ~SIGN_BIT) > INF_BITS)
    return r


cdef inline bint _two_nans32(const float* a, const float* b, Py_ssize_t n) noexcept nogil:
    cdef uint32_t u, v
    cdef bint r = False
    cdef Py_ssize_t i
    for i in range(n):
        memcpy(&u, &a[i], 4)
        memcpy(&v, &b[i], 4)
        r |= ((u & 0x7FFFFFFFu) > 0x7F800000u) & ((v & 0x7FFFFFFFu) > 0x7F800000u)
    return r


cdef int _run(const Job* jb, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    """Compute and round elements lo..hi-1 (element i with random counter
    i); returns the FPU exception flags the operation raised, or
    NEED_NUMPY (nothing useful done) when two NaN operands meet.

    Which NaN a binary operation returns when both operands are NaN is
    not fixed by IEEE 754 and, on x86, depends on the order in which the
    compiler put the operands of an add or multiply, which may differ
    between numpy's loops and ours; such a result is left to numpy."""
    cdef uint64_t buf[BLOCK]
    cdef double sbuf64[BLOCK]
    cdef float sbuf32[BLOCK]
    cdef Py_ssize_t start = lo
    cdef Py_ssize_t stop, m, i
    cdef const double* a64 = <const double*> jb.a
    cdef const double* b64 = <const double*> jb.b
    cdef const float* a32 = <const float*> jb.a
    cdef const float* b32 = <const float*> jb.b
    cdef double* o64 = <double*> jb.out
    cdef float* o32 = <float*> jb.out
    cdef const double* pa64
    cdef const double* pb64
    cdef const float* pa32
    cdef const float* pb32
    cdef double* fbuf = <double*> buf
    cdef bint general
    if jb.lay != LAY_AA:
        for i in range(BLOCK):
            sbuf64[i] = jb.s
            sbuf32[i] = <float>jb.s
    fpe_clear()
    while start < hi:
        stop = start + BLOCK if start + BLOCK < hi else hi
        m = stop - start
        if jb.f64:
            pa64 = a64 + start if jb.lay != LAY_SA else sbuf64
            pb64 = b64 + start if jb.lay != LAY_AS else sbuf64
            general = True
            if jb.fast:
                general = _FAST64[jb.op](pa64, pb64, o64 + start, m, jb, <uint64_t>start)
            if general:
                if pa64 != pb64 and _two_nans64(pa64, pb64, m):
                    return NEED_NUMPY
                _compute64(pa64, pb64, <uint64_t*>(o64 + start), m, jb.op)
                _general(<uint64_t*>(o64 + start), m, jb, <uint64_t>start)
        else:
            pa32 = a32 + start if jb.lay != LAY_SA else sbuf32
            pb32 = b32 + start if jb.lay != LAY_AS else sbuf32
            general = True
            if jb.fast:
                general = _FAST32[jb.op](pa32, pb32, o32 + start, m, jb, <uint64_t>start)
            if general:
                if pa32 != pb32 and _two_nans32(pa32, pb32, m):
                    return NEED_NUMPY
                _compute32(pa32, pb32, buf, m, jb.op)
                _general(buf, m, jb, <uint64_t>start)
                # float64 -> float32 is exact: the format's values fit float32.
                for i in range(m):
                    o32[start + i] = <float> fbuf[i]
        start = stop
    return fpe_test()


cdef inline bint _get(object x, Py_buffer* view, object dtype) except -1:
    """Acquire the buffer of ``x`` if it is a C-contiguous ndarray of
    ``dtype``; False (nothing held) otherwise."""
    if type(x) is not _ndarray:
        return False
    dt = x.dtype
    if dt is not dtype and dt != dtype:
        return False
    PyObject_GetBuffer(x, view, PyBUF_STRIDES)
    if PyBuffer_IsContiguous(view, b'C'):
        return True
    PyBuffer_Release(view)
    return False


cdef bint _same_shape(Py_buffer* u, Py_buffer* v) noexcept:
    cdef int k
    if u.ndim != v.ndim:
        return False
    for k in range(u.ndim):
        if u.shape[k] != v.shape[k]:
            return False
    return True


cdef class Fused:
    """Fused operate-and-round for one policy: format, rounding mode, random
    bits, seed, container dtype, and the policy tree's stream counter.

    Parameters
    ----------
    spec : numprec._kernels.floatround.Spec
        The compute format's kernel parameters.
    mode : int
        Rounding mode code.
    rbits : int
        Random bits of stochastic rounding (64: all).
    stochastic : bool
        Whether the scheme uses random numbers (else the key is 0).
    seed : int
        The policy's seed.
    tree : object
        Holder of the stream counter: its ``counter`` attribute is the next
        stream number; each operation takes one.
    dtype : numpy.dtype
        Container dtype, float64 or float32.
    """

    cdef Job job
    cdef uint64_t seed
    cdef object tree
    cdef object dtype
    # set by bind(): what apply() needs to read and make emulated arrays
    cdef object policy, compute, array_type, scalars

    def __init__(self, Spec spec, int mode, int rbits, bint stochastic, uint64_t seed,
                 tree, dtype):
        dtype = np.dtype(dtype)
        if dtype != _f64 and dtype != _f32:
            raise ValueError(f"dtype must be float64 or float32, got {dtype}")
        if not 1 <= rbits <= 64:
            raise ValueError(f"rbits must be in 1..64, got {rbits}")
        self.job.sp = spec.spec
        self.job.fp = fast_params(spec.spec, rbits)
        self.job.mm = mode_masks(mode)
        self.job.mode = mode
        self.job.rbits = rbits
        self.job.fast = spec.fast
        self.job.lo = spec.fast_lo
        self.job.span = spec.fast_span
        self.job.rnd_on = stochastic and (mode == MODE_STOCHASTIC
                                          or mode == MODE_STOCHASTIC_UNIFORM)
        self.job.f64 = dtype == _f64
        self.job.key = 0
        self.seed = seed
        self.tree = tree
        self.dtype = _f64 if self.job.f64 else _f32

    cdef inline uint64_t _key(self, uint64_t stream):
        return stream_key(self.seed, stream) if self.job.rnd_on else 0

    def bind(self, policy, compute, array_type):
        """Attach the policy whose operations :meth:`apply` carries out, its
        compute format and the emulated array type."""
        self.policy = policy
        self.compute = compute
        self.array_type = array_type
        self.scalars = policy._scalars

    def apply(self, int op, tuple inputs, home, ufunc):
        """An emulated ``ufunc(*inputs)`` for numprec.emulate's engine.

        The operands are taken as the engine's fast path takes them: the
        data of emulated arrays in the compute format and container dtype,
        ``policy._operand(x)`` for anything else (Python numbers through the
        policy's cache of rounded scalars).  Returns the result as an
        emulated array of the compute format whose home policy is ``home``,
        or, when the fused kernel does not apply, the list of operands (the
        caller goes on with them: no stream was taken for the operation).
        """
        cdef list raw = self.operands(inputs)
        cdef Py_ssize_t nin = len(raw)
        cdef object E = self.array_type
        if nin == 2:
            res = self._binary(op, raw[0], raw[1], ufunc)
        elif nin == 1:
            res = self._binary(op, raw[0], None, ufunc)
        else:
            res = None
        if res is None:
            return raw
        o = _object_new(E)          # EmulatedArray.__new__ is Python: skip it
        o._data = res
        o._format = self.compute
        o._policy = home
        return o

    cpdef list operands(self, tuple inputs):
        """The raw operands of ``inputs`` as the engine's fast path takes
        them (see :meth:`apply`)."""
        cdef object E = self.array_type
        cdef object compute = self.compute
        cdef object dt = self.dtype
        cdef Py_ssize_t k
        cdef Py_ssize_t nin = len(inputs)
        cdef list raw = [None] * nin
        for k in range(nin):
            x = inputs[k]
            if type(x) is E and x._format is compute:
                d = x._data
                if d.dtype is not dt and d.dtype != dt:
                    d = self.policy._operand(x, E)
            elif type(x) is float or type(x) is int:
                d = self.scalars.get(x)
                if d is None:
                    d = self.policy._scalar(x)
            else:
                d = self.policy._operand(x, E)
            raw[k] = d
        return raw

    def __call__(self, int op, a, b, ufunc):
        """``ufunc(a, b)`` (``ufunc(a)`` when ``b`` is None) rounded, or None
        when the fused path does not apply (then nothing happened: no stream
        was taken).

        It applies when the operands are C-contiguous ndarrays of the
        container dtype with one shape, or one of them such an array and the
        other a Python float; ``op`` is ``ufunc``'s code (:data:`OP_ADD`,
        ...; :data:`OP_SQUARE` is the only unary one).  The result is a new
        C-contiguous array, element ``i`` rounded with random counter ``i``
        of the next stream of the counter.
        """
        return self._binary(op, a, b, ufunc)

    cdef object _binary(self, int op, object a, object b, object ufunc):
        cdef Py_buffer va, vb, vo
        cdef bint ha = False, hb = False, ho = False
        cdef Job jb = self.job
        cdef Py_ssize_t n, t, chunk, lo, hi
        cdef int flags = 0
        cdef int nthreads = 1
        cdef uint64_t stream = 0
        cdef object shape_of
        cdef object res
        if op < OP_ADD or op > OP_SQUARE:
            raise ValueError(f"op must be an operation code 0..{OP_SQUARE}, got {op}")
        jb.op = op
        try:
            ha = _get(a, &va, self.dtype)
            if b is None:
                if not ha or op != OP_SQUARE:
                    return None
                jb.lay = LAY_AA
                jb.op = OP_MULTIPLY
                jb.a = <const char*> va.buf
                jb.b = jb.a
                shape_of = a
            else:
                if op == OP_SQUARE:
                    return None
                hb = _get(b, &vb, self.dtype)
                if ha and hb:
                    if not _same_shape(&va, &vb):
                        return None
                    jb.lay = LAY_AA
                    jb.a = <const char*> va.buf
                    jb.b = <const char*> vb.buf
                    shape_of = a
                elif ha and type(b) is float:
                    jb.lay = LAY_AS
                    jb.a = <const char*> va.buf
                    jb.b = NULL
                    jb.s = <double>b
                    shape_of = a
                elif hb and type(a) is float:
                    jb.lay = LAY_SA
                    jb.a = NULL
                    jb.b = <const char*> vb.buf
                    jb.s = <double>a
                    shape_of = b
                else:
                    return None
            res = _empty(shape_of.shape, self.dtype)
            PyObject_GetBuffer(res, &vo, PyBUF_WRITABLE)
            ho = True
            jb.out = <char*> vo.buf
            n = vo.len // vo.itemsize
            stream = self.tree.counter
            jb.key = self._key(stream)
            if n >= PARALLEL_MIN_SIZE:
                nthreads = get_num_threads()
            if nthreads <= 1:
                with nogil:
                    flags = _run(&jb, 0, n)
            else:
                chunk = (n + nthreads - 1) // nthreads
                with nogil:
                    for t in prange(nthreads, num_threads=nthreads, schedule="static"):
                        lo = t * chunk
                        hi = lo + chunk if lo + chunk < n else n
                        if lo < hi:
                            flags |= _run(&jb, lo, hi)
        finally:
            if ha:
                PyBuffer_Release(&va)
            if hb:
                PyBuffer_Release(&vb)
            if ho:
                PyBuffer_Release(&vo)
        if flags & NEED_NUMPY:
            # numpy computes (and reports exceptions); we round.
            res = ufunc(a) if b is None else ufunc(a, b)
            if not self._round_into(res, stream):
                raise RuntimeError(f"numpy's {ufunc} result is not a C-contiguous "
                                   f"{self.dtype} array")
        elif flags:
            # Let numpy report the exception under the active np.errstate
            # (it may raise: then no stream is taken, as without fusion).
            if b is None:
                ufunc(a)
            else:
                ufunc(a, b)
        self.tree.counter = stream + 1
        return res

    def round(self, res):
        """Round ``res`` in place with the next stream and return it; None
        (no stream taken) unless ``res`` is a writable C-contiguous ndarray of
        the container dtype.  This is the rounding step alone, for results
        numpy computed (as ``numprec.round(res, ..., stream=s, out=res)``)."""
        cdef uint64_t stream = self.tree.counter
        if not self._round_into(res, stream):
            return None
        self.tree.counter = stream + 1
        return res

    cdef bint _round_into(self, object res, uint64_t stream) except -1:
        """Round ``res`` in place with ``stream``; False (nothing done) if
        it is not a writable C-contiguous ndarray of the container dtype."""
        cdef Py_buffer vo
        cdef Job jb = self.job
        cdef Py_ssize_t n, t, chunk, lo, hi
        cdef int nthreads = 1
        if not _get(res, &vo, self.dtype):
            return False
        try:
            if vo.readonly:
                return False
            jb.out = <char*> vo.buf
            n = vo.len // vo.itemsize
            jb.key = self._key(stream)
            if n >= PARALLEL_MIN_SIZE:
                nthreads = get_num_threads()
            if nthreads <= 1:
                with nogil:
                    _round_run(&jb, 0, n)
            else:
                chunk = (n + nthreads - 1) // nthreads
                with nogil:
                    for t in prange(nthreads, num_threads=nthreads, schedule="static"):
                        lo = t * chunk
                        hi = lo + chunk if lo + chunk < n else n
                        if lo < hi:
                            _round_run(&jb, lo, hi)
        finally:
            PyBuffer_Release(&vo)
        return True
