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
with a value outside the format's normal range (subnormal or tiny results,
overflow, inf, NaN; signed zeros are inside) is computed again and rounded
by the general :func:`floatcore.round_bits`, and the block after it is
computed first and range-checked before it is rounded.  The operation and
the rounding mode are compile-time constants of the inner loops, so the
branch-free rounding loses the terms of the other modes and the loop
vectorises; the per-call Python work (operands, key derivation, stream
counter, result wrapping) is done here in C.  The stream counter itself
(:class:`StreamCounter`) lives here too: each operation takes its stream
number in one step that no other thread can interleave with.  The same loops round numpy's
results of other ufuncs in place (:meth:`Fused.round`, :func:`round_inplace`).

Where that definition's first rounding (the container's operation rounds
to nearest) would change the result -- the directed modes and round-to-odd,
round-to-nearest of formats wider than 25 bits, and float32 containers --
the operation is instead computed in float64, as its 53-bit round-to-odd
value where needed (:func:`op_kind`, numprec/_kernels/roundodd.pxd), so
that its one rounding is that of the exact result (docs/emulate.md,
"Exactness of the emulation"); those operations skip the one-pass loop
(compute a block, then round it in place).

The arithmetic is the plain C operation on ``double`` (``float``), which is
the IEEE operation numpy performs (``-O3`` without ``-ffast-math``; one
operation per element and integer operations after it, so there is nothing
to contract into an FMA), and the rounding is floatcore's (stochastic
rounding in the equivalent four-operation form :func:`_sr_normal`), so the
results are bit-identical to the two-pass computation.  Floating-point
exceptions of the operation (divide by zero, overflow, underflow, invalid)
are read from the FPU status flags; when one occurred, the caller's
``ufunc`` is run again on the operands so that numpy reports it under the
active ``np.errstate``.  Which NaN an operation on two NaNs returns depends
on the operand order a compiler chose, so such operations are left to numpy
(then only the rounding is done here).

The add-and-mask rounding is CPFloat's (Fasi & Mikaitis 2023, "CPFloat: A C
library for simulating low-precision arithmetic", ACM TOMS 49(2)).
"""
from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memcpy
cimport cython
from cpython.buffer cimport (PyObject_GetBuffer, PyBuffer_Release, PyBuffer_IsContiguous,
                             PyBUF_STRIDES, PyBUF_WRITABLE)
from cython.parallel cimport prange

from numprec._kernels.floatcore cimport (
    FloatSpec, ModeMasks, FastParams, mode_masks, fast_params, round_bits_at, round_normal,
    counter_random, mix64, stream_key, GOLDEN, SIGN_BIT, INF_BITS,
    MODE_NEAREST_EVEN, MODE_STOCHASTIC, MODE_STOCHASTIC_UNIFORM,
)
from numprec._kernels.floatround cimport Spec
from numprec._kernels.roundodd cimport (odd_sums, odd_products, odd_sum, odd_product,
                                        odd_quotient, odd_sqrt, c_sqrt)

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

# Operation codes (numprec.emulate.engine maps ufuncs to them).
cpdef enum:
    OP_ADD = 0
    OP_SUBTRACT = 1
    OP_MULTIPLY = 2
    OP_DIVIDE = 3
    OP_SQUARE = 4      # unary: x * x
    OP_SQRT = 5        # unary; only in exact_op (the fused path leaves it to numpy)

cpdef enum:
    # How an operation is computed before its one rounding (op_kind).
    KIND_CONTAINER = 0   # the container's IEEE operation (float64 or float32)
    KIND_DOUBLE = 1      # in float64 (float32 containers; exact or harmless there)
    KIND_ODD = 2         # in float64, rounded to odd at 53 bits (roundodd.pxd)

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
    int kind             # KIND_* of the operation (see op_kind)
    bint f64, fast, rnd_on
    uint64_t lo, span, key
    uint64_t base        # random counter of element 0 (of a row: see _run_rows)
    # 1 if ±0 may take the fast path with the normal range: round_normal and
    # round_bits both return ±0 unchanged in every mode unless the format
    # maps -0 to +0 (unsigned_zero; zero-less formats never take the fast
    # path).  The range test then runs on |x| - 1, which wraps 0 to the top.
    uint64_t zero_ok
    FloatSpec sp
    FastParams fp
    ModeMasks mm


cdef object _ndarray = np.ndarray
cdef object _object_new = object.__new__
cdef object _ufunc_type = np.ufunc
cdef object _empty = np.empty
cdef object _f64 = np.dtype(np.float64)
cdef object _f32 = np.dtype(np.float32)
cdef object _sqrt = np.sqrt


# ------------------------------------------------- compile-time parameters
# The loops below are specialised by Cython's fused types, not by the C
# compiler's inlining: each combination of container type (float/double),
# operation and rounding-mode class becomes its own C function whose
# constants are already in the source, so gcc vectorises each one whatever
# its inlining budget.  The tag types carry no data; a NULL pointer of the
# tag type selects the specialisation.
ctypedef struct OpAdd:
    char unused
ctypedef struct OpSub:
    char unused
ctypedef struct OpMul:
    char unused
ctypedef struct OpDiv:
    char unused

ctypedef fused OpT:
    OpAdd
    OpSub
    OpMul
    OpDiv

ctypedef struct RoundNE:         # round to nearest even: masks known
    char unused
ctypedef struct RoundSR:         # stochastic rounding: masks known, random bits
    char unused
ctypedef struct RoundAny:        # other deterministic modes: masks at run time
    char unused
ctypedef struct RoundAnyRandom:  # other random modes: masks at run time, random bits
    char unused

ctypedef fused ModeT:
    RoundNE
    RoundSR
    RoundAny
    RoundAnyRandom

ctypedef fused real:
    float
    double


cdef inline ModeMasks _masks(ModeT* md, const Job* jb) noexcept nogil:
    if ModeT is RoundNE:
        return mode_masks(MODE_NEAREST_EVEN)
    elif ModeT is RoundSR:
        return mode_masks(MODE_STOCHASTIC)
    else:
        return jb.mm


cdef inline uint64_t _sr_normal(uint64_t bits, uint64_t rnd, uint64_t sh1, uint64_t sh2,
                                uint64_t keep) noexcept nogil:
    """round_normal(bits, fp, mode_masks(MODE_STOCHASTIC), rnd) in 4
    operations, with sh1 = fp.sr_right + 1, sh2 = fp.sr_left, keep = ~fp.mask,
    for |bits| in the normal range or zero and fp.s >= 1.

    With the stochastic masks round_normal returns
    ``((a + (sr_inc & mask)) & ~mask) | sign``, a = |bits|, where
    ``sr_inc = ((rnd >> sr_right) >> 1) << sr_left`` is the top rb random
    bits (1 <= rb <= s) placed just below the kept lsb: sr_inc < 2**s = ulp,
    so ``sr_inc & mask == sr_inc``, and ``(rnd >> sr_right) >> 1 == rnd >>
    (sr_right + 1)`` because sr_right + 1 = 64 - rb <= 63.  As a <= max_bits
    < INF_BITS, a + sr_inc < INF_BITS + 2**52 <= 2**63: adding sr_inc to the
    signed pattern cannot carry into the sign bit, and ``(bits + sr_inc) &
    keep`` is the same value with the same sign.
    """
    return (bits + ((rnd >> sh1) << sh2)) & keep


# ------------------------------------------------------------- the fast pass
cdef bint _fast_k(const real* a, const real* b, real* out, Py_ssize_t n, OpT* op, ModeT* md,
                  const Job* jb, uint64_t offset) noexcept nogil:
    """out[i] = round_normal(a[i] op b[i]) (float results widened exactly to
    float64 and narrowed exactly after rounding: the format's values fit
    float32); returns True if some result lies outside the fast path's range
    (then the block must be done again by the general pass)."""
    cdef ModeMasks mm = _masks(md, jb)
    cdef FastParams fp = jb.fp
    # counter_random(key, offset + i) == mix64(ctr + i * GOLDEN): the product
    # becomes an induction variable of the vectorised loop.
    cdef uint64_t ctr = jb.key + (offset + 1) * GOLDEN
    cdef uint64_t zsub = jb.zero_ok          # see Job.zero_ok
    cdef uint64_t lo = jb.lo - zsub
    cdef uint64_t hi = jb.lo + jb.span
    cdef uint64_t mn = ~(<uint64_t>0)
    cdef uint64_t mx = 0
    cdef uint64_t u, m
    cdef real r
    cdef double c
    cdef Py_ssize_t i
    cdef uint64_t sh1 = fp.sr_right + 1       # see _sr_normal
    cdef uint64_t sh2 = fp.sr_left
    cdef uint64_t keep = ~fp.mask
    for i in range(n):
        if OpT is OpAdd:
            r = a[i] + b[i]
        elif OpT is OpSub:
            r = a[i] - b[i]
        elif OpT is OpMul:
            r = a[i] * b[i]
        else:
            r = a[i] / b[i]
        c = r
        memcpy(&u, &c, 8)
        m = u & ~SIGN_BIT
        mn = m - zsub if m - zsub < mn else mn
        mx = m if m > mx else mx
        if ModeT is RoundSR:
            u = _sr_normal(u, mix64(ctr + <uint64_t>i * GOLDEN), sh1, sh2, keep)
        elif ModeT is RoundAnyRandom:
            u = round_normal(u, fp, mm, mix64(ctr + <uint64_t>i * GOLDEN))
        else:
            u = round_normal(u, fp, mm, 0)
        memcpy(&c, &u, 8)
        out[i] = <real>c
    return mn < lo or mx > hi


cdef bint _fast_op(const real* a, const real* b, real* out, Py_ssize_t n, OpT* op,
                   const Job* jb, uint64_t offset) noexcept nogil:
    if jb.mode == MODE_NEAREST_EVEN:
        return _fast_k(a, b, out, n, op, <RoundNE*>NULL, jb, offset)
    elif jb.mode == MODE_STOCHASTIC and jb.fp.s > 0:     # _sr_normal needs rb >= 1
        return _fast_k(a, b, out, n, op, <RoundSR*>NULL, jb, offset)
    elif jb.rnd_on:
        return _fast_k(a, b, out, n, op, <RoundAnyRandom*>NULL, jb, offset)
    return _fast_k(a, b, out, n, op, <RoundAny*>NULL, jb, offset)


cdef bint _fast(const real* a, const real* b, real* out, Py_ssize_t n, const Job* jb,
                uint64_t offset) noexcept nogil:
    if jb.op == OP_ADD:
        return _fast_op(a, b, out, n, <OpAdd*>NULL, jb, offset)
    elif jb.op == OP_SUBTRACT:
        return _fast_op(a, b, out, n, <OpSub*>NULL, jb, offset)
    elif jb.op == OP_MULTIPLY:
        return _fast_op(a, b, out, n, <OpMul*>NULL, jb, offset)
    return _fast_op(a, b, out, n, <OpDiv*>NULL, jb, offset)


# ------------------------------------------- exactly rounded operations
cdef inline int _op_kind(int op, long m, int mode, bint f64) noexcept nogil:
    """KIND_* for operation ``op`` rounded with ``mode`` to a format of ``m``
    fraction bits in a float64 (``f64``) or float32 container.

    The container's operation rounds to nearest first; the one rounding to
    the format then gives the correctly rounded exact result only where that
    first rounding cannot matter.  Elsewhere the operation is computed in
    float64 (exact for products of float32 values; harmless for the others
    where float64 has >= 2p + 2 bits) or as its 53-bit round-to-odd value
    (roundodd.odd_sums / odd_products: directed modes, round-to-odd, and
    round-to-nearest of p > 25).  Stochastic rounding keeps the container's
    result (its documented approximation)."""
    cdef bint odd
    if op == OP_ADD or op == OP_SUBTRACT:
        odd = odd_sums(mode, m)
    else:
        odd = odd_products(mode, m)
    if odd:
        return KIND_ODD
    if f64 or mode == MODE_STOCHASTIC or mode == MODE_STOCHASTIC_UNIFORM:
        return KIND_CONTAINER
    # float32: round-to-nearest is harmless for p <= 11 (24 >= 2p + 2)
    if mode <= 1 and m <= 10:
        return KIND_CONTAINER
    return KIND_DOUBLE


cdef void _compute_exact(const real* a, const real* b, uint64_t* out, Py_ssize_t n,
                         int op, int kind) noexcept nogil:
    """out[i] = float64 bits of (a[i] op b[i]) computed in float64 (the
    operands widened exactly), as its round-to-odd value if ``kind`` is
    KIND_ODD (``b`` unused for OP_SQRT).  One loop per case, so that each
    vectorises (TwoSum and the odd adjustment are branch-free)."""
    cdef Py_ssize_t i
    cdef double* o = <double*> out
    if kind == KIND_ODD:
        if op == OP_ADD:
            for i in range(n):
                o[i] = odd_sum(a[i], b[i])
        elif op == OP_SUBTRACT:
            for i in range(n):
                o[i] = odd_sum(a[i], -(<double>b[i]))
        elif op == OP_MULTIPLY:
            for i in range(n):
                o[i] = odd_product(a[i], b[i])
        elif op == OP_DIVIDE:
            for i in range(n):
                o[i] = odd_quotient(a[i], b[i])
        else:
            for i in range(n):
                o[i] = odd_sqrt(a[i])
    else:
        if op == OP_ADD:
            for i in range(n):
                o[i] = <double>a[i] + <double>b[i]
        elif op == OP_SUBTRACT:
            for i in range(n):
                o[i] = <double>a[i] - <double>b[i]
        elif op == OP_MULTIPLY:
            for i in range(n):
                o[i] = <double>a[i] * <double>b[i]
        elif op == OP_DIVIDE:
            for i in range(n):
                o[i] = <double>a[i] / <double>b[i]
        else:
            for i in range(n):
                o[i] = c_sqrt(a[i])


def op_kind(int op, Spec spec, int mode, bint f64):
    """How the operation ``op`` (OP_*) rounded with ``mode`` to ``spec``
    is computed before its rounding: KIND_CONTAINER (the container's IEEE
    operation), KIND_DOUBLE or KIND_ODD (see :func:`exact_op`)."""
    return _op_kind(op, spec.spec.m, mode, f64)


def exact_op(int op, const double[::1] a, const double[::1] b, double[::1] out, int kind):
    """``out = a op b`` (``sqrt(a)`` for OP_SQRT; ``b`` then ignored) in
    float64, as the 53-bit round-to-odd value when ``kind`` is KIND_ODD:
    rounding ``out`` to the format in the mode :func:`op_kind` was asked
    about gives the correctly rounded exact result.  For the engine's
    unfused path (broadcast operands, ``out=``, the debug reference)."""
    cdef Py_ssize_t n = a.shape[0]
    if out.shape[0] != n or (op != OP_SQRT and b.shape[0] != n):
        raise ValueError("a, b and out must have the same length")
    if op < OP_ADD or op > OP_SQRT or op == OP_SQUARE:
        raise ValueError(f"op must be OP_ADD .. OP_DIVIDE or OP_SQRT, got {op}")
    if n == 0:
        return
    cdef const double* pb = &a[0] if op == OP_SQRT else &b[0]
    with nogil:
        _compute_exact(&a[0], pb, <uint64_t*>(&out[0]), n, op, kind)


def exact_result(int op, raw, int kind):
    """:func:`exact_op` of the operands ``raw`` (one for OP_SQRT, else two:
    float ndarrays or Python floats, broadcast as numpy does) as a new
    float64 array; None if an operand is something else (booleans,
    integers: numpy's type rules then apply)."""
    for x in raw:
        if not (isinstance(x, (float, np.floating))
                or (isinstance(x, _ndarray) and x.dtype.kind == "f" and x.itemsize <= 8)):
            return None
    operands = list(raw) * 2 if len(raw) == 1 else list(raw)
    a, b = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in operands))
    shape = a.shape
    a = np.ascontiguousarray(a).reshape(-1)
    b = np.ascontiguousarray(b).reshape(-1)
    out = np.empty(a.size)
    exact_op(op, a, b, out, kind)
    return out.reshape(shape)


# ---------------------------------------------------------- the general pass
cdef void _compute_k(const real* a, const real* b, uint64_t* out, Py_ssize_t n,
                     OpT* op) noexcept nogil:
    """out[i] = float64 bits of (a[i] op b[i]) (float results widened)."""
    cdef Py_ssize_t i
    cdef real r
    cdef double c
    for i in range(n):
        if OpT is OpAdd:
            r = a[i] + b[i]
        elif OpT is OpSub:
            r = a[i] - b[i]
        elif OpT is OpMul:
            r = a[i] * b[i]
        else:
            r = a[i] / b[i]
        c = r
        memcpy(&out[i], &c, 8)


cdef void _compute(const real* a, const real* b, uint64_t* out, Py_ssize_t n,
                   int op) noexcept nogil:
    if op == OP_ADD:
        _compute_k(a, b, out, n, <OpAdd*>NULL)
    elif op == OP_SUBTRACT:
        _compute_k(a, b, out, n, <OpSub*>NULL)
    elif op == OP_MULTIPLY:
        _compute_k(a, b, out, n, <OpMul*>NULL)
    else:
        _compute_k(a, b, out, n, <OpDiv*>NULL)


cdef void _general_k(uint64_t* x, Py_ssize_t n, ModeT* md, const Job* jb,
                     uint64_t offset) noexcept nogil:
    """round_bits over a block, in place."""
    cdef ModeMasks mm = _masks(md, jb)
    cdef FloatSpec sp = jb.sp
    cdef uint64_t key = jb.key
    cdef int rbits = jb.rbits
    cdef Py_ssize_t i
    # Two loops: the deep-format work of round_bits_at is compiled out of the
    # loop of every format that does not reach below float64's normals.
    if sp.deep:
        for i in range(n):
            if ModeT is RoundSR or ModeT is RoundAnyRandom:
                x[i] = round_bits_at(x[i], sp, mm, counter_random(key, offset + <uint64_t>i),
                                     rbits, 1)
            else:
                x[i] = round_bits_at(x[i], sp, mm, 0, rbits, 1)
    else:
        for i in range(n):
            if ModeT is RoundSR or ModeT is RoundAnyRandom:
                x[i] = round_bits_at(x[i], sp, mm, counter_random(key, offset + <uint64_t>i),
                                     rbits, 0)
            else:
                x[i] = round_bits_at(x[i], sp, mm, 0, rbits, 0)


cdef void _general(uint64_t* x, Py_ssize_t n, const Job* jb, uint64_t offset) noexcept nogil:
    if jb.mode == MODE_NEAREST_EVEN:
        _general_k(x, n, <RoundNE*>NULL, jb, offset)
    elif jb.mode == MODE_STOCHASTIC:
        _general_k(x, n, <RoundSR*>NULL, jb, offset)
    elif jb.rnd_on:
        _general_k(x, n, <RoundAnyRandom*>NULL, jb, offset)
    else:
        _general_k(x, n, <RoundAny*>NULL, jb, offset)


# ------------------------------------------------- rounding in place only
cdef void _normal_k(uint64_t* x, Py_ssize_t n, ModeT* md, const Job* jb,
                    uint64_t offset) noexcept nogil:
    """round_normal over a block, in place."""
    cdef ModeMasks mm = _masks(md, jb)
    cdef FastParams fp = jb.fp
    cdef uint64_t ctr = jb.key + (offset + 1) * GOLDEN    # as in _fast_k
    cdef uint64_t sh1 = fp.sr_right + 1
    cdef uint64_t sh2 = fp.sr_left
    cdef uint64_t keep = ~fp.mask
    cdef Py_ssize_t i
    for i in range(n):
        if ModeT is RoundSR:
            x[i] = _sr_normal(x[i], mix64(ctr + <uint64_t>i * GOLDEN), sh1, sh2, keep)
        elif ModeT is RoundAnyRandom:
            x[i] = round_normal(x[i], fp, mm, mix64(ctr + <uint64_t>i * GOLDEN))
        else:
            x[i] = round_normal(x[i], fp, mm, 0)


cdef void _normal(uint64_t* x, Py_ssize_t n, const Job* jb, uint64_t offset) noexcept nogil:
    if jb.mode == MODE_NEAREST_EVEN:
        _normal_k(x, n, <RoundNE*>NULL, jb, offset)
    elif jb.mode == MODE_STOCHASTIC and jb.fp.s > 0:     # _sr_normal needs rb >= 1
        _normal_k(x, n, <RoundSR*>NULL, jb, offset)
    elif jb.rnd_on:
        _normal_k(x, n, <RoundAnyRandom*>NULL, jb, offset)
    else:
        _normal_k(x, n, <RoundAny*>NULL, jb, offset)


cdef bint _round_block(uint64_t* x, Py_ssize_t n, const Job* jb, uint64_t offset) noexcept nogil:
    """Round a block in place: the fast path if every value is in the
    format's normal range, else the general path (then returns True)."""
    cdef uint64_t zsub = jb.zero_ok
    cdef uint64_t lo = jb.lo - zsub
    cdef uint64_t hi = jb.lo + jb.span
    cdef uint64_t mn = ~(<uint64_t>0)
    cdef uint64_t mx = 0
    cdef uint64_t m
    cdef Py_ssize_t i
    if jb.fast:
        for i in range(n):
            m = x[i] & ~SIGN_BIT
            mn = m - zsub if m - zsub < mn else mn
            mx = m if m > mx else mx
        if mn >= lo and mx <= hi:
            _normal(x, n, jb, offset)
            return False
    _general(x, n, jb, offset)
    return True


cdef void _round_run(const Job* jb, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    """Round elements lo..hi-1 of jb.out in place (element i with random
    counter jb.base + i)."""
    cdef double buf[BLOCK]
    cdef Py_ssize_t start = lo
    cdef Py_ssize_t stop, m, i
    cdef double* o64 = <double*> jb.out
    cdef float* o32 = <float*> jb.out
    while start < hi:
        stop = start + BLOCK if start + BLOCK < hi else hi
        m = stop - start
        if jb.f64:
            _round_block(<uint64_t*>(o64 + start), m, jb, jb.base + <uint64_t>start)
        else:
            for i in range(m):
                buf[i] = o32[start + i]
            _round_block(<uint64_t*>buf, m, jb, jb.base + <uint64_t>start)
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
    jb.base + i); returns the FPU exception flags the operation raised, or
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
    cdef bint general = False       # did the previous block need the general path?
    if jb.lay != LAY_AA:
        for i in range(BLOCK if hi - lo > BLOCK else hi - lo):
            sbuf64[i] = jb.s
            sbuf32[i] = <float>jb.s
    fpe_clear()
    while start < hi:
        stop = start + BLOCK if start + BLOCK < hi else hi
        m = stop - start
        # Optimistic one-pass block unless the previous block was not in the
        # normal range; then (data with zeros, specials, ...) compute first
        # and round in place after checking the range, wasting no pass.
        if jb.f64:
            pa64 = a64 + start if jb.lay != LAY_SA else sbuf64
            pb64 = b64 + start if jb.lay != LAY_AS else sbuf64
            if jb.fast and not general and jb.kind == KIND_CONTAINER:
                general = _fast(pa64, pb64, o64 + start, m, jb, jb.base + <uint64_t>start)
                if not general:
                    start = stop
                    continue
            if pa64 != pb64 and _two_nans64(pa64, pb64, m):
                return NEED_NUMPY
            if jb.kind == KIND_CONTAINER:
                _compute(pa64, pb64, <uint64_t*>(o64 + start), m, jb.op)
            else:
                _compute_exact(pa64, pb64, <uint64_t*>(o64 + start), m, jb.op, jb.kind)
            general = _round_block(<uint64_t*>(o64 + start), m, jb, jb.base + <uint64_t>start)
        else:
            pa32 = a32 + start if jb.lay != LAY_SA else sbuf32
            pb32 = b32 + start if jb.lay != LAY_AS else sbuf32
            if jb.fast and not general and jb.kind == KIND_CONTAINER:
                general = _fast(pa32, pb32, o32 + start, m, jb, jb.base + <uint64_t>start)
                if not general:
                    start = stop
                    continue
            if pa32 != pb32 and _two_nans32(pa32, pb32, m):
                return NEED_NUMPY
            if jb.kind == KIND_CONTAINER:
                _compute(pa32, pb32, buf, m, jb.op)
            else:
                _compute_exact(pa32, pb32, buf, m, jb.op, jb.kind)
            general = _round_block(buf, m, jb, jb.base + <uint64_t>start)
            # float64 -> float32 is exact: the format's values fit float32.
            for i in range(m):
                o32[start + i] = <float> fbuf[i]
        start = stop
    return fpe_test()


cdef int _run_rows(Job jb, Py_ssize_t r0, Py_ssize_t r1, Py_ssize_t rowlen, int ndim,
                   const Py_ssize_t* shape, const Py_ssize_t* sa,
                   const Py_ssize_t* sb) noexcept nogil:
    """:func:`_run` over rows r0..r1-1 of strided operands: the result
    (``jb.out``, C-contiguous) has ``ndim`` >= 2 dimensions of extents
    ``shape``, its rows of ``rowlen`` elements are its last dimension; the
    operands ``jb.a`` and ``jb.b`` (NULL: the scalar) have that shape, byte
    strides ``sa`` and ``sb`` and contiguous rows (last stride the
    itemsize).  Row r is run as one contiguous :func:`_run` whose element i
    has random counter ``r * rowlen + i``, its flat C-order index in the
    result, so the bits are those of the contiguous case."""
    cdef const char* a0 = jb.a
    cdef const char* b0 = jb.b
    cdef char* o0 = jb.out
    cdef Py_ssize_t itemsize = 8 if jb.f64 else 4
    cdef Py_ssize_t r, q, idx, offa, offb
    cdef int k
    cdef int f
    cdef int flags = 0
    for r in range(r0, r1):
        q = r
        offa = 0
        offb = 0
        for k in range(ndim - 2, -1, -1):
            idx = q % shape[k]
            q = q // shape[k]
            if a0 != NULL:
                offa += idx * sa[k]
            if b0 != NULL:
                offb += idx * sb[k]
        jb.a = a0 + offa if a0 != NULL else NULL
        jb.b = b0 + offb if b0 != NULL else NULL
        jb.out = o0 + r * rowlen * itemsize
        jb.base = <uint64_t>(r * rowlen)
        f = _run(&jb, 0, rowlen)
        if f & NEED_NUMPY:
            return NEED_NUMPY
        flags |= f
    return flags


cdef void _setup(Job* jb, Spec spec, int mode, int rbits) noexcept:
    """The format and rounding-mode fields of a Job."""
    jb.sp = spec.spec
    jb.fp = fast_params(spec.spec, rbits)
    jb.mm = mode_masks(mode)
    jb.mode = mode
    jb.rbits = rbits
    jb.fast = spec.fast
    jb.lo = spec.fast_lo
    jb.span = spec.fast_span
    jb.rnd_on = mode == MODE_STOCHASTIC or mode == MODE_STOCHASTIC_UNIFORM
    jb.key = 0
    jb.base = 0
    jb.zero_ok = 1 if spec.spec.unsigned_zero == 0 else 0


cdef void _round_threads(const Job* jb, Py_ssize_t n, int nthreads) noexcept nogil:
    cdef Py_ssize_t t, chunk, lo, hi
    if nthreads <= 1:
        _round_run(jb, 0, n)
        return
    chunk = (n + nthreads - 1) // nthreads
    for t in prange(nthreads, num_threads=nthreads, schedule="static"):
        lo = t * chunk
        hi = lo + chunk if lo + chunk < n else n
        if lo < hi:
            _round_run(jb, lo, hi)


def round_inplace(x, Spec spec, int mode, uint64_t key, uint64_t offset, int rbits,
                  int nthreads):
    """:func:`numprec._kernels.floatround.round_array` of ``x`` into itself
    with the mode-specialised loops of this module: ``x`` a writable
    C-contiguous float64 or float32 ndarray, element ``i`` (flat C order)
    rounded with random counter ``offset + i`` of the stream ``key``.  Same
    bits as round_array."""
    cdef Py_buffer vo
    cdef Job jb
    cdef Py_ssize_t n
    if not 1 <= rbits <= 64:
        raise ValueError(f"rbits must be in 1..64, got {rbits}")
    if type(x) is not _ndarray or not (x.dtype == _f64 or x.dtype == _f32):
        raise TypeError(f"x must be a float64 or float32 ndarray, got {type(x).__name__}")
    _setup(&jb, spec, mode, rbits)
    jb.f64 = x.dtype == _f64
    PyObject_GetBuffer(x, &vo, PyBUF_STRIDES | PyBUF_WRITABLE)
    try:
        if not PyBuffer_IsContiguous(&vo, b'C'):
            raise ValueError("x must be C-contiguous")
        jb.out = <char*> vo.buf
        jb.key = key
        jb.base = offset
        n = vo.len // vo.itemsize
        with nogil:
            _round_threads(&jb, n, nthreads)
    finally:
        PyBuffer_Release(&vo)


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


cdef inline int _get_rows(object x, Py_buffer* view, object dtype) except -1:
    """Acquire the buffer of ``x`` if it is an ndarray of ``dtype`` the
    fused loops can read: 1 if it is C-contiguous, 2 if it has two or more
    dimensions and contiguous rows (its last dimension's stride is the
    itemsize, any other strides: slices along the leading axes or with an
    offset along the last); 0 (nothing held) otherwise."""
    cdef int nd
    if type(x) is not _ndarray:
        return 0
    dt = x.dtype
    if dt is not dtype and dt != dtype:
        return 0
    PyObject_GetBuffer(x, view, PyBUF_STRIDES)
    if PyBuffer_IsContiguous(view, b'C'):
        return 1
    nd = view.ndim
    if nd >= 2 and (view.strides[nd - 1] == view.itemsize or view.shape[nd - 1] <= 1):
        return 2
    PyBuffer_Release(view)
    return 0


cdef bint _same_shape(Py_buffer* u, Py_buffer* v) noexcept:
    cdef int k
    if u.ndim != v.ndim:
        return False
    for k in range(u.ndim):
        if u.shape[k] != v.shape[k]:
            return False
    return True


# The largest uint64: never handed out as a stream (take()'s error value).
cdef uint64_t _LAST_STREAM = 0xFFFFFFFFFFFFFFFFULL


cdef class StreamCounter:
    """The random-stream counter of a policy tree: hands out the stream
    numbers ``start, start + 1, ...``, each exactly once, also to threads
    that share the policy.

    :meth:`take` reads and advances the counter in one step no other thread
    can interleave with (C code that holds the GIL, inside a critical
    section on free-threaded builds), so two operations never get the same
    stream and none is skipped, whatever the threads do.

    Parameters
    ----------
    start : int
        The next stream number (0 <= start < 2**64 - 1).
    """

    cdef uint64_t _next

    def __init__(self, uint64_t start=0):
        if start == _LAST_STREAM:
            raise OverflowError(f"start must be below 2**64 - 1, got {start}")
        self._next = start

    cpdef uint64_t take(self) except? 0xFFFFFFFFFFFFFFFFULL:
        """The next stream number; the counter moves past it."""
        cdef uint64_t s
        with cython.critical_section(self):
            s = self._next
            if s != _LAST_STREAM:
                self._next = s + 1
        if s == _LAST_STREAM:
            raise OverflowError("the policy's random streams are exhausted (2**64 - 1 taken)")
        return s

    cpdef bint give_back(self, uint64_t stream):
        """Undo :meth:`take` of ``stream`` by an operation that failed before
        it used the stream, if no stream was taken since (True); otherwise
        leave the counter alone (False: the stream stays unused)."""
        cdef bint done = False
        with cython.critical_section(self):
            if stream != _LAST_STREAM and self._next == stream + 1:
                self._next = stream
                done = True
        return done

    @property
    def value(self):
        """The next stream number :meth:`take` will hand out."""
        return self._next

    def reset(self):
        """Start again at stream 0."""
        with cython.critical_section(self):
            self._next = 0

    def __reduce__(self):
        return (StreamCounter, (self._next,))

    def __repr__(self):
        return f"StreamCounter({self._next})"


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
    counter : StreamCounter
        The policy tree's stream counter; each operation takes one stream
        from it.
    dtype : numpy.dtype
        Container dtype, float64 or float32.
    """

    cdef Job job
    cdef uint64_t seed
    cdef StreamCounter counter
    cdef object dtype
    # set by bind(): what apply() needs to read and make emulated arrays
    cdef object plan, compute, array_type, scalars, ops, exact, kinds
    cdef int sqrt_kind      # op_kind of OP_SQRT (numpy's sqrt is not fused)

    def __init__(self, Spec spec, int mode, int rbits, bint stochastic, uint64_t seed,
                 StreamCounter counter not None, dtype):
        dtype = np.dtype(dtype)
        if dtype != _f64 and dtype != _f32:
            raise ValueError(f"dtype must be float64 or float32, got {dtype}")
        if not 1 <= rbits <= 64:
            raise ValueError(f"rbits must be in 1..64, got {rbits}")
        _setup(&self.job, spec, mode, rbits)
        self.job.rnd_on = self.job.rnd_on and stochastic
        self.job.f64 = dtype == _f64
        self.seed = seed
        self.counter = counter
        self.dtype = _f64 if self.job.f64 else _f32
        self.sqrt_kind = _op_kind(OP_SQRT, self.job.sp.m, mode, self.job.f64)

    cdef inline uint64_t _key(self, uint64_t stream):
        return stream_key(self.seed, stream) if self.job.rnd_on else 0

    def bind(self, plan, compute, array_type, ops, exact):
        """Attach what :meth:`apply` needs: the execution plan
        (:class:`numprec.emulate.plan.Plan`) whose operations it carries
        out (its ``operand``, ``scalar`` and ``scalars``), its compute
        format, the emulated array type, the
        ``{ufunc: OP_...}`` table of fused operations and the set of ufuncs
        whose results need no rounding."""
        self.plan = plan
        self.compute = compute
        self.array_type = array_type
        self.scalars = plan.scalars
        self.ops = dict(ops)
        self.exact = frozenset(exact)
        self.kinds = {}

    cdef int _kind(self, ufunc) except? -3:
        """The fused operation code of ``ufunc``; -1 for another ufunc with
        one output whose result is rounded; -2 for everything else."""
        kind = self.ops.get(ufunc)
        if kind is None:
            if (type(ufunc) is _ufunc_type and ufunc.nout == 1 and ufunc.signature is None
                    and ufunc not in self.exact):
                kind = -1
            else:
                kind = -2
        self.kinds[ufunc] = kind
        return kind

    def apply(self, ufunc, tuple inputs, home):
        """An emulated ``ufunc(*inputs)`` (no ``out=`` or other arguments)
        for numprec.emulate's engine.

        The operands are taken as the engine's fast path takes them (see
        :meth:`operands`); add/subtract/multiply/divide/square are computed
        and rounded in one pass where the operands allow it, other ufuncs
        are computed by numpy and rounded in place.  Returns the result as
        an emulated array of the compute format whose home policy is
        ``home``; a 1-tuple ``(result,)`` holding numpy's result when it is
        not a C-contiguous float array of the container dtype (the caller
        rounds and wraps it: no stream was taken for it); or None, having
        done nothing, for ufuncs it does not handle (several outputs,
        generalized ufuncs, results that are never rounded).
        """
        cdef int kind
        cdef list raw
        cdef Py_ssize_t nin
        kobj = self.kinds.get(ufunc)
        kind = self._kind(ufunc) if kobj is None else kobj
        if kind == -2:
            return None
        raw = self.operands(inputs)
        nin = len(raw)
        res = None
        if kind >= 0:
            if nin == 2:
                res = self._binary(kind, raw[0], raw[1], ufunc)
            elif nin == 1:
                res = self._binary(kind, raw[0], None, ufunc)
        if res is None:
            # not fused (broadcasting, other ufuncs): numpy's result rounded,
            # unless the operation must be computed so that its rounding is
            # that of the exact result (op_kind)
            if kind >= 0:
                xk = _op_kind(OP_MULTIPLY if kind == OP_SQUARE else kind, self.job.sp.m,
                              self.job.mode, self.job.f64)
                if xk != KIND_CONTAINER:
                    res = exact_result(OP_MULTIPLY if kind == OP_SQUARE else kind, raw, xk)
            elif self.sqrt_kind != KIND_CONTAINER and ufunc is _sqrt and nin == 1:
                res = exact_result(OP_SQRT, raw, self.sqrt_kind)
            if res is None:
                res = ufunc(*raw)
            if not self._round_into(res, 0, True):
                return (res,)
        o = _object_new(self.array_type)     # EmulatedArray.__new__ is Python: skip it
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
                    d = self.plan.operand(x)
            elif type(x) is float or type(x) is int:
                d = self.scalars.get(x)
                if d is None:
                    d = self.plan.scalar(x)
            else:
                d = self.plan.operand(x)
            raw[k] = d
        return raw

    def __call__(self, int op, a, b, ufunc):
        """``ufunc(a, b)`` (``ufunc(a)`` when ``b`` is None) rounded, or None
        when the fused path does not apply (then nothing happened: no stream
        was taken).

        It applies when the operands are ndarrays of the container dtype
        with one shape, or one of them such an array and the other a Python
        float, each C-contiguous or with two or more dimensions and
        contiguous rows (last stride the itemsize: strided views such as
        ``x[..., 1:, :]`` or ``x[..., :, 1:]``; no copy is made); ``op`` is
        ``ufunc``'s code (:data:`OP_ADD`, ...; :data:`OP_SQUARE` is the only
        unary one).  The result is a new
        C-contiguous array, element ``i`` rounded with random counter ``i``
        of the next stream of the counter.
        """
        return self._binary(op, a, b, ufunc)

    cdef object _binary(self, int op, object a, object b, object ufunc):
        cdef Py_buffer va, vb, vo
        cdef int ka = 0, kb = 0
        cdef bint ho = False
        cdef Job jb = self.job
        cdef Py_ssize_t n, t, chunk, lo, hi, rowlen, nrows
        cdef int flags = 0
        cdef int nthreads = 1
        cdef int ndim = 0
        cdef uint64_t stream = 0
        cdef const Py_ssize_t* shape = NULL
        cdef const Py_ssize_t* sa = NULL
        cdef const Py_ssize_t* sb = NULL
        cdef object shape_of
        cdef object res
        if op < OP_ADD or op > OP_SQUARE:
            raise ValueError(f"op must be an operation code 0..{OP_SQUARE}, got {op}")
        jb.op = op
        jb.kind = _op_kind(OP_MULTIPLY if op == OP_SQUARE else op, jb.sp.m, jb.mode, jb.f64)
        try:
            ka = _get_rows(a, &va, self.dtype)
            if b is None:
                if not ka or op != OP_SQUARE:
                    return None
                jb.lay = LAY_AA
                jb.op = OP_MULTIPLY
                jb.a = <const char*> va.buf
                jb.b = jb.a
                shape_of = a
                if ka == 2:
                    ndim, shape, sa, sb = va.ndim, va.shape, va.strides, va.strides
            else:
                if op == OP_SQUARE:
                    return None
                kb = _get_rows(b, &vb, self.dtype)
                if ka and kb:
                    if not _same_shape(&va, &vb):
                        return None
                    jb.lay = LAY_AA
                    jb.a = <const char*> va.buf
                    jb.b = <const char*> vb.buf
                    shape_of = a
                    if ka == 2 or kb == 2:
                        ndim, shape, sa, sb = va.ndim, va.shape, va.strides, vb.strides
                elif ka and type(b) is float:
                    jb.lay = LAY_AS
                    jb.a = <const char*> va.buf
                    jb.b = NULL
                    jb.s = <double>b
                    shape_of = a
                    if ka == 2:
                        ndim, shape, sa = va.ndim, va.shape, va.strides
                elif kb and type(a) is float:
                    jb.lay = LAY_SA
                    jb.a = NULL
                    jb.b = <const char*> vb.buf
                    jb.s = <double>a
                    shape_of = b
                    if kb == 2:
                        ndim, shape, sb = vb.ndim, vb.shape, vb.strides
                else:
                    return None
            res = _empty(shape_of.shape, self.dtype)
            PyObject_GetBuffer(res, &vo, PyBUF_WRITABLE)
            ho = True
            jb.out = <char*> vo.buf
            n = vo.len // vo.itemsize
            if n >= PARALLEL_MIN_SIZE:
                nthreads = get_num_threads()
            # Taken here, in one step (threads sharing the policy get distinct
            # streams); given back below if the operation fails.
            stream = self.counter.take()
            jb.key = self._key(stream)
            if ndim:
                # Strided operands: one contiguous run per row (_run_rows).
                rowlen = shape[ndim - 1]
                nrows = n // rowlen if rowlen > 0 else 0
                if nthreads > nrows:
                    nthreads = <int>nrows
                if nthreads <= 1:
                    with nogil:
                        flags = _run_rows(jb, 0, nrows, rowlen, ndim, shape, sa, sb)
                else:
                    chunk = (nrows + nthreads - 1) // nthreads
                    with nogil:
                        for t in prange(nthreads, num_threads=nthreads, schedule="static"):
                            lo = t * chunk
                            hi = lo + chunk if lo + chunk < nrows else nrows
                            if lo < hi:
                                flags |= _run_rows(jb, lo, hi, rowlen, ndim, shape, sa, sb)
            elif nthreads <= 1:
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
            if ka:
                PyBuffer_Release(&va)
            if kb:
                PyBuffer_Release(&vb)
            if ho:
                PyBuffer_Release(&vo)
        try:
            if flags & NEED_NUMPY:
                # numpy computes (and reports exceptions); we round.
                res = ufunc(a) if b is None else ufunc(a, b)
                if jb.kind != KIND_CONTAINER:
                    # numpy's NaNs, the exactly rounded values elsewhere
                    ex = exact_result(jb.op, [a, a] if b is None else [a, b], jb.kind)
                    nan = np.isnan(res)
                    ex[nan] = res[nan]
                    res = self._round_f64(ex, stream).astype(self.dtype)
                elif not self._round_into(res, stream, False):
                    raise RuntimeError(f"numpy's {ufunc} result is not a C-contiguous "
                                       f"{self.dtype} array")
            elif flags:
                # Let numpy report the exception under the active np.errstate
                # (it may raise: then the stream is given back, as without
                # fusion no stream is taken).
                if b is None:
                    ufunc(a)
                else:
                    ufunc(a, b)
        except BaseException:
            self.counter.give_back(stream)
            raise
        return res

    def round(self, res):
        """Round ``res`` in place with the next stream and return it; None
        (no stream taken) unless ``res`` is a writable C-contiguous ndarray of
        the container dtype.  This is the rounding step alone, for results
        numpy computed (as ``numprec.round(res, ..., stream=s, out=res)``)."""
        if not self._round_into(res, 0, True):
            return None
        return res

    cdef object _round_f64(self, object x, uint64_t stream):
        """Round the C-contiguous float64 array ``x`` in place with
        ``stream`` (whatever the container dtype) and return it."""
        cdef Py_buffer vo
        cdef Job jb = self.job
        cdef Py_ssize_t n
        cdef int nthreads = 1
        if not _get(x, &vo, _f64):
            raise TypeError("expected a C-contiguous float64 array")
        try:
            jb.f64 = True
            jb.out = <char*> vo.buf
            n = vo.len // vo.itemsize
            if n >= PARALLEL_MIN_SIZE:
                nthreads = get_num_threads()
            jb.key = self._key(stream)
            with nogil:
                _round_threads(&jb, n, nthreads)
        finally:
            PyBuffer_Release(&vo)
        return x

    cdef bint _round_into(self, object res, uint64_t stream, bint take) except -1:
        """Round ``res`` in place with ``stream`` (with the next stream of
        the counter if ``take``); False (nothing done, no stream taken) if
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
            if n >= PARALLEL_MIN_SIZE:
                nthreads = get_num_threads()
            if take:
                stream = self.counter.take()
            jb.key = self._key(stream)
            with nogil:
                _round_threads(&jb, n, nthreads)
        finally:
            PyBuffer_Release(&vo)
        return True
