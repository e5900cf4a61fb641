# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Reductions rounded at every accumulation step (sums, products, dots, cumsums).

A reduction over ``n`` terms is computed lane by lane: a lane is one output
element, its terms are one row of a 2-D (lanes, n) array view (any strides).
Every partial result is rounded to the target format with
:c:func:`floatcore.round_bits`, so the kernels emulate an accumulator that
*is* in the target format, not a float64 accumulator rounded once at the end.

Orders (documented in docs/emulate.md):

``SEQUENTIAL`` (0)
    ``s = t0; s = R(s + t1); s = R(s + t2); ...`` (left to right).
``PAIRWISE`` (1)
    ``sum(t[lo:hi]) = R(sum(t[lo:mid]) + sum(t[mid:hi]))`` with
    ``mid = lo + (hi - lo) // 2`` down to single terms: the recursive
    pairwise (cascade) summation analysed by Higham (1993), "The accuracy of
    floating point summation", SIAM J. Sci. Comput. 14(4).  Unlike numpy's
    pairwise sum it has no unrolled 8-way base block, so the tree is exactly
    the halving tree above.
``KAHAN`` (2)
    Compensated summation (Kahan 1965, "Further remarks on reducing
    truncation errors", CACM 8(1)) with every operation in the target
    format: ``y = R(t_j - c); u = R(s + y); c = R(R(u - s) - y); s = u``.

Exactness: each partial result is the exact ``a + b`` (``a * b``) rounded
once.  The float64 operation is that, rounded to nearest first, which is
harmless for round-to-nearest when float64 has at least ``2p + 2`` bits
(Figueroa 1995) but not for the directed modes and round-to-odd (a sum of
values far apart in exponent loses the sticky information): there, and for
round-to-nearest of formats with p > 25 bits, the partial result is the
round-to-odd value at 53 bits (TwoSum; products by a fused multiply-add
error), which rounds exactly as the exact result does
(:mod:`numprec._kernels.roundodd`; Boldo & Melquiond 2008).

Random numbers (stochastic modes): the roundings of a lane are numbered in
the order they are performed, ``k = 0, 1, ...``; rounding ``k`` of lane
``i`` (of ``L`` lanes) uses counter ``offset + k * L + i`` of the stream
``key`` ("event-major", so event ``k`` of all lanes is one contiguous block
of counters, exactly what ``numprec.round(v, ..., offset=offset + k * L)``
of the vector of lanes would use).  If the terms are rounded first
(``round_terms``, e.g. the products of a dot product) those are events
``0 .. n-1`` in term order and the summation's events follow.  A reduction
uses ``E * L`` counters, ``E`` from :func:`events_per_lane`.  Results never
depend on the thread count.
"""
from libc.stdint cimport uint64_t, int64_t
from libc.string cimport memcpy
from libc.stdlib cimport malloc, free
from cython.parallel cimport prange

from numprec._kernels.floatcore cimport (
    FloatSpec, ModeMasks, mode_masks, round_bits, counter_random,
    MODE_STOCHASTIC, MODE_STOCHASTIC_UNIFORM,
)

from numprec._kernels.floatround cimport Spec
from numprec._kernels.roundodd cimport odd_sums, odd_products, odd_sum, odd_product

cdef enum:
    SEQUENTIAL = 0
    PAIRWISE = 1
    KAHAN = 2
    OP_ADD = 0
    OP_MULTIPLY = 1


cdef struct Rounder:
    FloatSpec sp
    ModeMasks mm
    uint64_t key
    uint64_t counter      # counter of the lane's next rounding
    uint64_t stride       # number of lanes: the counter step between events
    int rbits
    bint rnd_on
    bint odd              # sums as their round-to-odd value (roundodd.odd_sums)
    bint oddmul           # products too (roundodd.odd_products)


cdef inline double rnd(Rounder* r, double v) noexcept nogil:
    """Round ``v`` to the format, using (and advancing) the lane's counter."""
    cdef uint64_t b
    memcpy(&b, &v, 8)
    b = round_bits(b, r.sp, r.mm,
                   counter_random(r.key, r.counter) if r.rnd_on else 0, r.rbits)
    r.counter += r.stride
    memcpy(&v, &b, 8)
    return v


cdef inline double combine(const Rounder* r, int op, double a, double b) noexcept nogil:
    """``a op b``: the float64 operation, or where the float64 rounding
    could change the result (directed modes, round-to-odd, nearest for
    p > 25) its 53-bit round-to-odd value, which rounds to the format as
    the exact result does (numprec._kernels.roundodd)."""
    if op == OP_MULTIPLY:
        return odd_product(a, b) if r.oddmul else a * b
    return odd_sum(a, b) if r.odd else a + b


cdef inline double add(const Rounder* r, double a, double b) noexcept nogil:
    return odd_sum(a, b) if r.odd else a + b


cdef double pairwise(Rounder* r, const double* t, Py_ssize_t n, int op) noexcept nogil:
    if n == 1:
        return t[0]
    cdef Py_ssize_t mid = n // 2
    cdef double a = pairwise(r, t, mid, op)
    cdef double b = pairwise(r, t + mid, n - mid, op)
    return rnd(r, combine(r, op, a, b))


cdef double reduce_buffer(Rounder* r, const double* t, Py_ssize_t n, int method,
                          int op) noexcept nogil:
    """Reduce the contiguous terms ``t[0..n-1]`` (n >= 1) by ``method``."""
    cdef Py_ssize_t j
    cdef double s, c, y, u
    if method == PAIRWISE:
        return pairwise(r, t, n, op)
    s = t[0]
    if method == KAHAN:
        c = 0.0
        for j in range(1, n):
            y = rnd(r, add(r, t[j], -c))
            u = rnd(r, add(r, s, y))
            c = rnd(r, add(r, rnd(r, add(r, u, -s)), -y))
            s = u
        return s
    for j in range(1, n):
        s = rnd(r, combine(r, op, s, t[j]))
    return s


cpdef int64_t events_per_lane(Py_ssize_t n, int method, bint round_terms):
    """Number of roundings (random counters) one lane of ``n`` terms uses."""
    cdef int64_t e = n if round_terms else 0
    if n <= 1:
        return e
    return e + (4 * (n - 1) if method == KAHAN else n - 1)


cdef Rounder make_rounder(Spec spec, int mode, uint64_t key, int rbits, Py_ssize_t lanes):
    cdef Rounder r
    r.stride = <uint64_t>lanes
    r.sp = spec.spec
    r.mm = mode_masks(mode)
    r.key = key
    r.counter = 0
    r.rbits = rbits
    r.rnd_on = mode == MODE_STOCHASTIC or mode == MODE_STOCHASTIC_UNIFORM
    r.odd = odd_sums(mode, spec.spec.m)
    r.oddmul = odd_products(mode, spec.spec.m)
    return r


cdef int check_rbits(int rbits) except -1:
    # rbits = 0 would make stochastic rounding truncate; every entry point
    # of numprec checks random_bits (numprec.rounding.check_random_bits),
    # this guards the kernels themselves.
    if rbits < 1 or rbits > 64:
        raise ValueError(f"rbits must be in 1..64, got {rbits}")
    return 0


cdef int check_method(int method, int op) except -1:
    if method < 0 or method > 2:
        raise ValueError(f"method must be 0 (sequential), 1 (pairwise) or 2 (kahan), got {method}")
    if op == OP_MULTIPLY and method == KAHAN:
        raise ValueError("Kahan summation applies to sums, not products")
    if op != OP_ADD and op != OP_MULTIPLY:
        raise ValueError(f"op must be 0 (add) or 1 (multiply), got {op}")
    return 0


def reduce_rows(const double[:, :] x, double[::1] out, Spec spec, int mode, uint64_t key,
                uint64_t offset, int rbits, int method, int op, bint round_terms,
                int nthreads=1):
    """Reduce each row of ``x`` (lanes, n) into ``out`` (lanes,), rounding
    every partial result (and the terms first if ``round_terms``).

    ``n`` must be at least 1 (empty reductions are the caller's business).
    """
    cdef Py_ssize_t lanes = x.shape[0]
    cdef Py_ssize_t n = x.shape[1]
    cdef Py_ssize_t i, j
    cdef Rounder base = make_rounder(spec, mode, key, rbits, x.shape[0])
    cdef Rounder r
    cdef double* buf
    check_rbits(rbits)
    check_method(method, op)
    if out.shape[0] != lanes:
        raise ValueError(f"out must have {lanes} elements, got {out.shape[0]}")
    if n < 1:
        raise ValueError("cannot reduce rows of length 0")
    if lanes == 0:
        return
    if nthreads < 1:
        nthreads = 1
    with nogil:
        for i in prange(lanes, num_threads=nthreads, schedule="static"):
            r = base
            r.counter = offset + <uint64_t>i
            buf = <double*> malloc(n * sizeof(double))
            if buf == NULL:
                continue
            for j in range(n):
                buf[j] = rnd(&r, x[i, j]) if round_terms else x[i, j]
            out[i] = reduce_buffer(&r, buf, n, method, op)
            free(buf)


def dot_rows(const double[:, :] a, const double[:, :] b, double[:, ::1] out, Spec spec,
             int mode, uint64_t key, uint64_t offset, int rbits, int method,
             int nthreads=1):
    """``out[i, j] = sum_k R(a[i, k] * b[k, j])`` with every partial sum
    rounded (``method`` as in :func:`reduce_rows`); lane ``i * n + j``."""
    cdef Py_ssize_t m = a.shape[0]
    cdef Py_ssize_t k = a.shape[1]
    cdef Py_ssize_t n = b.shape[1]
    cdef Py_ssize_t i, j, kk, lane
    cdef Rounder base = make_rounder(spec, mode, key, rbits, a.shape[0] * b.shape[1])
    cdef Rounder r
    cdef double* buf
    check_rbits(rbits)
    check_method(method, OP_ADD)
    if b.shape[0] != k:
        raise ValueError(f"inner dimensions differ: {k} and {b.shape[0]}")
    if out.shape[0] != m or out.shape[1] != n:
        raise ValueError(f"out must have shape ({m}, {n})")
    if k < 1:
        raise ValueError("cannot reduce rows of length 0")
    if nthreads < 1:
        nthreads = 1
    with nogil:
        for lane in prange(m * n, num_threads=nthreads, schedule="static"):
            i = lane // n
            j = lane - i * n
            r = base
            r.counter = offset + <uint64_t>lane
            buf = <double*> malloc(k * sizeof(double))
            if buf == NULL:
                continue
            for kk in range(k):
                buf[kk] = rnd(&r, odd_product(a[i, kk], b[kk, j]) if r.oddmul
                              else a[i, kk] * b[kk, j])
            out[i, j] = reduce_buffer(&r, buf, k, method, OP_ADD)
            free(buf)


def accumulate_rows(const double[:, :] x, double[:, :] out, Spec spec, int mode,
                    uint64_t key, uint64_t offset, int rbits, int method, int op,
                    int nthreads=1):
    """Running reductions: ``out[i, j]`` is the rounded reduction of
    ``x[i, :j+1]`` (``method`` SEQUENTIAL or KAHAN; the terms are not
    rounded).  The counters are those of :func:`reduce_rows` over the whole
    row, so ``out[:, -1]`` equals ``reduce_rows`` of the same row."""
    cdef Py_ssize_t lanes = x.shape[0]
    cdef Py_ssize_t n = x.shape[1]
    cdef Py_ssize_t i, j
    cdef Rounder base = make_rounder(spec, mode, key, rbits, x.shape[0])
    cdef Rounder r
    cdef double s, c, y, u
    check_rbits(rbits)
    check_method(method, op)
    if method == PAIRWISE:
        raise ValueError("running reductions are sequential or Kahan, not pairwise")
    if out.shape[0] != lanes or out.shape[1] != n:
        raise ValueError(f"out must have shape ({lanes}, {n})")
    if n == 0 or lanes == 0:
        return
    if nthreads < 1:
        nthreads = 1
    with nogil:
        for i in prange(lanes, num_threads=nthreads, schedule="static"):
            r = base
            r.counter = offset + <uint64_t>i
            s = x[i, 0]
            c = 0.0
            out[i, 0] = s
            for j in range(1, n):
                if method == KAHAN:
                    y = rnd(&r, add(&r, x[i, j], -c))
                    u = rnd(&r, add(&r, s, y))
                    c = rnd(&r, add(&r, rnd(&r, add(&r, u, -s)), -y))
                    s = u
                else:
                    s = rnd(&r, combine(&r, op, s, x[i, j]))
                out[i, j] = s
