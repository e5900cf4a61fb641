# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Rounded matrix products, vectorised across output elements.

An output element ("lane") is one rounded dot product.  The lanes are
independent chains, so instead of running one chain at a time (latency
bound, one rounded multiply-add every ~20 ns) the kernel walks the
contracted index ``kk`` once per *tile* of up to ``TILE`` consecutive lanes
of one output row and does the same rounded operation on the whole tile:
``p[t] = R_p(a[i, kk] * b[kk, j0 + t])``, ``s[t] = R_a(s[t] + p[t])``.  The
inner loops over ``t`` are branch-free (:c:func:`floatcore.round_bits`) and
vectorise; tiles are spread over OpenMP threads.

The rounding order and the random numbers are exactly those of the lane by
lane kernel :func:`numprec._kernels.reduce.dot_rows` (documented in
docs/emulate.md, "Matrix products and accumulation models"): the roundings
of lane ``i`` (of ``L`` lanes) are numbered ``e = 0, 1, ...`` in the order
one lane performs them and rounding ``e`` uses counter ``offset + e*L + i``.
Products are events ``0 .. k-1`` (unless fused), the summation's events
follow (a fused multiply-add's are events ``0 .. k-1``):

``SEQUENTIAL`` (0)
    ``s = p0; s = R(s + p1); ...``.
``PAIRWISE`` (1)
    the halving tree ``S(lo, hi) = R(S(lo, mid) + S(mid, hi))``,
    ``mid = lo + (hi - lo) // 2`` (Higham 1993, SIAM J. Sci. Comput. 14(4)),
    its additions numbered in post-order.
``KAHAN`` (2)
    ``y = R(p - c); u = R(s + y); c = R(R(u - s) - y); s = u`` (Kahan 1965,
    CACM 8(1)).

Accumulation models (:mod:`numprec.emulate.accumulation`) add: a product
rounder ``rp`` separate from the accumulator rounder ``ra``; fused
multiply-add (``fma``: ``s = R_a(s + a*b)`` with the exact product, one
rounding per multiply-add, event ``kk`` for index ``kk``; sequential only);
blocks (``block`` > 0: the products of each run of ``block`` indices are
summed by ``method`` into a block sum starting afresh, and block ``q >= 1``
is then added to the running total, ``S = R_a(S + B_q)``, one more event).

The exact ``s + a*b`` of a fused multiply-add is rounded once: the float64
sum ``hi = fl(s + p)`` and its error ``lo`` (Knuth's TwoSum, exact) give the
round-to-odd value of ``s + p`` at 53 bits (``hi`` with its last bit set
toward ``lo`` when ``lo != 0``), which rounds correctly to any format of at
most 51 significand bits in every directed and nearest mode (Boldo &
Melquiond 2008, "Emulation of FMA and correctly rounded sums: proved
algorithms using rounding to odd", IEEE Trans. Comput. 57(4)).  The product
``p = a*b`` must be exact in float64: the caller checks it.

The same round-to-odd value replaces the float64 sum ``s + p`` of every
rounded addition (and a product by its fused multiply-add error, for
formats of more than 26 bits) where the float64 rounding could change the
result: the directed modes and round-to-odd, and round-to-nearest of
formats with p > 25 bits (float64 then has fewer than 2p + 2 bits;
:c:func:`roundodd.odd_sums`).  Round-to-nearest of narrower formats and
stochastic rounding keep the plain float64 operation.
"""
from libc.stdint cimport uint64_t, int64_t
from libc.string cimport memcpy
from libc.stdlib cimport malloc, free
from cython.parallel cimport prange

from numprec._kernels.floatcore cimport (
    FloatSpec, ModeMasks, FastParams, mode_masks, fast_params, round_bits, round_normal,
    counter_random, mix64, GOLDEN, MODE_NEAREST_EVEN, MODE_STOCHASTIC, MODE_STOCHASTIC_UNIFORM,
)
from numprec._kernels.floatround cimport Spec
from numprec._kernels.roundodd cimport odd_sums, odd_products, odd_bits, odd_sum, odd_product

DEF TILE = 256
DEF MAXDEPTH = 66

cdef enum:
    SEQUENTIAL = 0
    PAIRWISE = 1
    KAHAN = 2


cdef struct Rnd:
    FloatSpec sp
    ModeMasks mm
    FastParams fp
    uint64_t key
    uint64_t lo, span     # |bits| in [lo, lo + span]: the normal-range fast path
    int rbits
    int kind              # 1: nearest-even, 2: stochastic (specialised loops), 0: other
    bint rnd_on, fast, zero_ok
    bint odd              # sums as their round-to-odd value (roundodd.odd_sums)
    bint oddmul           # products too (roundodd.odd_products)


cdef struct Job:
    Rnd rp                # products
    Rnd ra                # accumulator
    uint64_t offset
    uint64_t L            # lanes: the counter step between events
    Py_ssize_t k
    int method
    bint fma
    Py_ssize_t block      # indices per block (k: one block)
    # products: a matmul row (arow[kk * astride] * brow[kk * n + t]) or
    # precomputed terms (prow[kk * L + t])
    const double* arow
    Py_ssize_t astride
    const double* brow
    Py_ssize_t bstride
    const double* prow


cdef Rnd make_rnd(Spec spec, int mode, uint64_t key, int rbits):
    cdef Rnd r
    r.sp = spec.spec
    r.mm = mode_masks(mode)
    r.key = key
    r.rbits = rbits
    r.rnd_on = mode == MODE_STOCHASTIC or mode == MODE_STOCHASTIC_UNIFORM
    r.fp = fast_params(spec.spec, rbits)
    r.fast = spec.fast
    r.lo = spec.fast_lo
    r.span = spec.fast_span
    r.zero_ok = spec.spec.unsigned_zero == 0
    r.odd = odd_sums(mode, spec.spec.m)
    r.oddmul = odd_products(mode, spec.spec.m)
    r.kind = 0
    if 0 < r.fp.s < 52:
        if mode == MODE_NEAREST_EVEN and not r.odd:
            r.kind = 1
        elif mode == MODE_STOCHASTIC:
            r.kind = 2
    return r


cdef inline bint all_normal(const Rnd* r, const double* v, Py_ssize_t T) noexcept nogil:
    """True if every ``v[t]`` is 0 (where the format keeps signed zeros) or
    has a magnitude in the format's normal range (no overflow, no underflow)."""
    cdef Py_ssize_t t
    cdef uint64_t b, a, bad = 0
    cdef uint64_t zmask = 1 if r.zero_ok else 0
    for t in range(T):
        memcpy(&b, &v[t], 8)
        a = b & 0x7fffffffffffffffULL
        bad |= (((a - r.lo) > r.span) & ((a != 0) | (zmask ^ 1)))
    return bad == 0


cdef inline void round_vec(const Rnd* r, double* v, Py_ssize_t T, uint64_t c0) noexcept nogil:
    """Round ``v[0..T-1]`` in place, element ``t`` with counter ``c0 + t``
    (:c:func:`round_normal` when the whole tile is in the normal range: the
    same bits as :c:func:`round_bits` there)."""
    cdef Py_ssize_t t
    cdef uint64_t b
    cdef FastParams fp = r.fp
    cdef ModeMasks mm = r.mm
    cdef uint64_t key = r.key
    cdef uint64_t ctr, sh1, sh2, keep
    if r.fast and all_normal(r, v, T):
        if r.rnd_on and mm.sr != 0 and fp.s > 0:
            # stochastic rounding in the normal range: round_normal with the
            # stochastic masks reduces to an add and a mask (as in
            # numprec._kernels.fused._sr_normal)
            ctr = key + (c0 + 1) * GOLDEN
            sh1 = fp.sr_right + 1
            sh2 = fp.sr_left
            keep = ~fp.mask
            for t in range(T):
                memcpy(&b, &v[t], 8)
                b = (b + ((mix64(ctr + <uint64_t>t * GOLDEN) >> sh1) << sh2)) & keep
                memcpy(&v[t], &b, 8)
        elif r.rnd_on:
            for t in range(T):
                memcpy(&b, &v[t], 8)
                b = round_normal(b, fp, mm, counter_random(key, c0 + <uint64_t>t))
                memcpy(&v[t], &b, 8)
        else:
            for t in range(T):
                memcpy(&b, &v[t], 8)
                b = round_normal(b, fp, mm, 0)
                memcpy(&v[t], &b, 8)
        return
    if r.rnd_on:
        for t in range(T):
            memcpy(&b, &v[t], 8)
            b = round_bits(b, r.sp, r.mm, counter_random(r.key, c0 + <uint64_t>t), r.rbits)
            memcpy(&v[t], &b, 8)
    else:
        for t in range(T):
            memcpy(&b, &v[t], 8)
            b = round_bits(b, r.sp, r.mm, 0, r.rbits)
            memcpy(&v[t], &b, 8)


cdef inline uint64_t counter(const Job* J, uint64_t lane0, int64_t event) noexcept nogil:
    return J.offset + <uint64_t>event * J.L + lane0


cdef inline void products(const Job* J, Py_ssize_t kk, Py_ssize_t T, double* p) noexcept nogil:
    """The unrounded products (terms) of index ``kk`` of the tile."""
    cdef Py_ssize_t t
    cdef double av
    cdef const double* br
    if J.prow != NULL:
        br = J.prow + kk * <Py_ssize_t>J.L
        for t in range(T):
            p[t] = br[t]
    else:
        av = J.arow[kk * J.astride]
        br = J.brow + kk * J.bstride
        if J.rp.oddmul:
            for t in range(T):
                p[t] = odd_product(av, br[t])
        else:
            for t in range(T):
                p[t] = av * br[t]


cdef inline void add_vec(const Rnd* r, double* s, const double* p, Py_ssize_t T,
                         double sign=1.0) noexcept nogil:
    """``s[t] = s[t] + sign * p[t]`` (``sign`` is +1 or -1), as its 53-bit
    round-to-odd value where the rounder ``r`` (of the sum) needs it
    (directed modes, round-to-odd, nearest for p > 25: the float64 sum
    would lose information the final rounding needs; module notes)."""
    cdef Py_ssize_t t
    if r.odd:
        for t in range(T):
            s[t] = odd_sum(s[t], sign * p[t])
    else:
        for t in range(T):
            s[t] = s[t] + sign * p[t]


cdef inline void fma_vec(const Job* J, Py_ssize_t kk, Py_ssize_t T, double* s) noexcept nogil:
    """``s[t] + a*b`` (exact product) as its 53-bit round-to-odd value."""
    cdef Py_ssize_t t
    cdef double av, p, hi, bb, lo
    cdef uint64_t h, l
    cdef const double* br
    av = J.arow[kk * J.astride]
    br = J.brow + kk * J.bstride
    for t in range(T):
        p = av * br[t]
        hi = s[t] + p
        bb = hi - s[t]
        lo = (s[t] - (hi - bb)) + (p - bb)
        memcpy(&h, &hi, 8)
        memcpy(&l, &lo, 8)
        # move hi one unit of its last place toward lo (if inexact and even)
        h = odd_bits(h, l, (l << 1) != 0)
        memcpy(&s[t], &h, 8)


cdef inline bint seq_step(const Job* J, Py_ssize_t kk, Py_ssize_t T, uint64_t cp,
                          uint64_t ca, const double* s, double* s2) noexcept nogil:
    """One sequential step in one pass, for tiles in the normal range:
    ``s2[t] = R_a(s[t] + R_p(term kk))`` (products with counters ``cp + t``,
    sums ``ca + t``) by :c:func:`round_normal`.  Returns False (``s2`` then
    undefined, ``s`` untouched) if some value left the normal range: the
    caller redoes the step with :c:func:`round_bits`."""
    cdef FastParams fpp = J.rp.fp, fpa = J.ra.fp
    cdef ModeMasks mmp = J.rp.mm, mma = J.ra.mm
    cdef uint64_t kp = J.rp.key, ka = J.ra.key
    cdef uint64_t lop = J.rp.lo, spp = J.rp.span, loa = J.ra.lo, spa = J.ra.span
    cdef uint64_t zp = 0 if J.rp.zero_ok else 1
    cdef uint64_t za = 0 if J.ra.zero_ok else 1
    cdef uint64_t bad = 0, b, x
    cdef bint rnd_on = J.rp.rnd_on
    cdef bint oddp = J.rp.oddmul, odda = J.ra.odd
    cdef Py_ssize_t t
    cdef double av = 1.0, p, v
    cdef const double* br
    if J.prow != NULL:
        br = J.prow + kk * <Py_ssize_t>J.L       # av = 1: p = br[t] exactly
    else:
        av = J.arow[kk * J.astride]
        br = J.brow + kk * J.bstride
    cdef uint64_t hp = fpp.half - 1, ha = fpa.half - 1
    cdef uint64_t sp_ = fpp.s, sa = fpa.s, keepp = ~fpp.mask, keepa = ~fpa.mask
    cdef uint64_t sh1p = fpp.sr_right + 1, sh2p = fpp.sr_left
    cdef uint64_t sh1a = fpa.sr_right + 1, sh2a = fpa.sr_left
    cdef uint64_t ctp = kp + (cp + 1) * GOLDEN, cta = ka + (ca + 1) * GOLDEN
    if J.rp.kind == 1 and J.ra.kind == 1:
        # nearest-even in the normal range on the signed pattern: add
        # half - 1 + lsb, clear the dropped bits (round_normal's RNE case)
        for t in range(T):
            p = av * br[t]
            memcpy(&b, &p, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - lop) > spp) & ((x != 0) | zp)
            b = (b + hp + ((b >> sp_) & 1)) & keepp
            memcpy(&p, &b, 8)
            v = s[t] + p
            memcpy(&b, &v, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - loa) > spa) & ((x != 0) | za)
            b = (b + ha + ((b >> sa) & 1)) & keepa
            memcpy(&s2[t], &b, 8)
        return bad == 0
    if J.rp.kind == 2 and J.ra.kind == 2:
        # stochastic in the normal range: numprec._kernels.fused._sr_normal
        for t in range(T):
            p = av * br[t]
            memcpy(&b, &p, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - lop) > spp) & ((x != 0) | zp)
            b = (b + ((mix64(ctp + <uint64_t>t * GOLDEN) >> sh1p) << sh2p)) & keepp
            memcpy(&p, &b, 8)
            v = s[t] + p
            memcpy(&b, &v, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - loa) > spa) & ((x != 0) | za)
            b = (b + ((mix64(cta + <uint64_t>t * GOLDEN) >> sh1a) << sh2a)) & keepa
            memcpy(&s2[t], &b, 8)
        return bad == 0
    if rnd_on:
        for t in range(T):
            p = av * br[t]
            memcpy(&b, &p, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - lop) > spp) & ((x != 0) | zp)
            b = round_normal(b, fpp, mmp, counter_random(kp, cp + <uint64_t>t))
            memcpy(&p, &b, 8)
            v = s[t] + p                    # stochastic: never odd sums
            memcpy(&b, &v, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - loa) > spa) & ((x != 0) | za)
            b = round_normal(b, fpa, mma, counter_random(ka, ca + <uint64_t>t))
            memcpy(&s2[t], &b, 8)
    elif odda and not oddp:
        # directed modes, round-to-odd: the sum as its round-to-odd value
        # (the product is exact; no call in the loop, which vectorises)
        for t in range(T):
            p = av * br[t]
            memcpy(&b, &p, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - lop) > spp) & ((x != 0) | zp)
            b = round_normal(b, fpp, mmp, 0)
            memcpy(&p, &b, 8)
            v = odd_sum(s[t], p)
            memcpy(&b, &v, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - loa) > spa) & ((x != 0) | za)
            b = round_normal(b, fpa, mma, 0)
            memcpy(&s2[t], &b, 8)
    elif odda or oddp:
        # formats over 26 bits: the product as its round-to-odd value too
        for t in range(T):
            p = odd_product(av, br[t]) if oddp else av * br[t]
            memcpy(&b, &p, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - lop) > spp) & ((x != 0) | zp)
            b = round_normal(b, fpp, mmp, 0)
            memcpy(&p, &b, 8)
            v = odd_sum(s[t], p) if odda else s[t] + p
            memcpy(&b, &v, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - loa) > spa) & ((x != 0) | za)
            b = round_normal(b, fpa, mma, 0)
            memcpy(&s2[t], &b, 8)
    else:
        for t in range(T):
            p = av * br[t]
            memcpy(&b, &p, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - lop) > spp) & ((x != 0) | zp)
            b = round_normal(b, fpp, mmp, 0)
            memcpy(&p, &b, 8)
            v = s[t] + p
            memcpy(&b, &v, 8)
            x = b & 0x7fffffffffffffffULL
            bad |= ((x - loa) > spa) & ((x != 0) | za)
            b = round_normal(b, fpa, mma, 0)
            memcpy(&s2[t], &b, 8)
    return bad == 0


cdef void pairwise(const Job* J, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t T, uint64_t lane0,
                   double* dest, double* stack, int64_t* ev) noexcept nogil:
    """Halving-tree sum of the rounded products ``lo..hi-1`` into ``dest``;
    ``stack`` holds the right halves (TILE doubles per level)."""
    cdef Py_ssize_t mid
    if hi - lo == 1:
        products(J, lo, T, dest)
        round_vec(&J.rp, dest, T, counter(J, lane0, lo))
        return
    mid = lo + (hi - lo) // 2
    pairwise(J, lo, mid, T, lane0, dest, stack + TILE, ev)
    pairwise(J, mid, hi, T, lane0, stack, stack + TILE, ev)
    add_vec(&J.ra, dest, stack, T)
    round_vec(&J.ra, dest, T, counter(J, lane0, ev[0]))
    ev[0] += 1


cdef void block_sum(const Job* J, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t T, uint64_t lane0,
                    double* s, double* w, int64_t* ev) noexcept nogil:
    """The rounded sum of the products ``lo..hi-1`` (hi > lo) into ``s``;
    ``w`` is work space (3 + MAXDEPTH tiles)."""
    cdef Py_ssize_t kk, t
    cdef double* p = w
    cdef double* c = w + TILE
    cdef double* u = w + 2 * TILE
    if J.fma:
        products(J, lo, T, s)
        round_vec(&J.ra, s, T, counter(J, lane0, lo))
        for kk in range(lo + 1, hi):
            fma_vec(J, kk, T, s)
            round_vec(&J.ra, s, T, counter(J, lane0, kk))
        return
    if J.method == PAIRWISE:
        pairwise(J, lo, hi, T, lane0, s, w + 3 * TILE, ev)
        return
    if J.method == SEQUENTIAL and J.rp.fast and J.ra.fast:
        seq_sum(J, lo, hi, T, lane0, s, w, ev)
        return
    products(J, lo, T, s)
    round_vec(&J.rp, s, T, counter(J, lane0, lo))
    if J.method == KAHAN:
        for t in range(T):
            c[t] = 0.0
    for kk in range(lo + 1, hi):
        products(J, kk, T, p)
        round_vec(&J.rp, p, T, counter(J, lane0, kk))
        if J.method == KAHAN:
            add_vec(&J.ra, p, c, T, -1.0)                # y = p - c
            round_vec(&J.ra, p, T, counter(J, lane0, ev[0]))
            for t in range(T):
                u[t] = s[t]
            add_vec(&J.ra, u, p, T)                      # u = s + y
            round_vec(&J.ra, u, T, counter(J, lane0, ev[0] + 1))
            for t in range(T):
                c[t] = -s[t]
            add_vec(&J.ra, c, u, T)                      # u - s
            round_vec(&J.ra, c, T, counter(J, lane0, ev[0] + 2))
            add_vec(&J.ra, c, p, T, -1.0)                # c = (u - s) - y
            for t in range(T):
                s[t] = u[t]
            round_vec(&J.ra, c, T, counter(J, lane0, ev[0] + 3))
            ev[0] += 4
        else:
            add_vec(&J.ra, s, p, T)
            round_vec(&J.ra, s, T, counter(J, lane0, ev[0]))
            ev[0] += 1


cdef void seq_sum(const Job* J, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t T, uint64_t lane0,
                  double* s, double* w, int64_t* ev) noexcept nogil:
    """:func:`block_sum` for the sequential order, one pass per index where
    the tile stays in the normal range."""
    cdef Py_ssize_t kk
    cdef double* p = w
    cdef double* cur = s
    cdef double* nxt = w + TILE
    cdef double* tmp
    products(J, lo, T, s)
    round_vec(&J.rp, s, T, counter(J, lane0, lo))
    for kk in range(lo + 1, hi):
        if seq_step(J, kk, T, counter(J, lane0, kk), counter(J, lane0, ev[0]), cur, nxt):
            tmp = cur
            cur = nxt
            nxt = tmp
        else:
            products(J, kk, T, p)
            round_vec(&J.rp, p, T, counter(J, lane0, kk))
            add_vec(&J.ra, cur, p, T)
            round_vec(&J.ra, cur, T, counter(J, lane0, ev[0]))
        ev[0] += 1
    if cur != s:
        memcpy(s, cur, T * sizeof(double))


cdef void run_tile(const Job* J, Py_ssize_t T, uint64_t lane0, double* out,
                   double* w) noexcept nogil:
    """All of the tile's dot products into ``out[0..T-1]``."""
    cdef int64_t ev = J.k       # next summation event (0..k-1: products or FMAs)
    cdef Py_ssize_t lo, hi, t
    cdef double* blk = w
    block_sum(J, 0, J.block if J.block < J.k else J.k, T, lane0, out, w + TILE, &ev)
    lo = J.block
    while lo < J.k:
        hi = lo + J.block
        if hi > J.k:
            hi = J.k
        block_sum(J, lo, hi, T, lane0, blk, w + TILE, &ev)
        add_vec(&J.ra, out, blk, T)
        round_vec(&J.ra, out, T, counter(J, lane0, ev))
        ev += 1
        lo = hi



DEF ROWS = 4


cdef void seq_rows(const Job* base, const double[:, :, :] a, const double[:, :, ::1] b,
                   double[:, :, ::1] out, Py_ssize_t q, Py_ssize_t i0, Py_ssize_t R,
                   Py_ssize_t j0, Py_ssize_t T, double* w) noexcept nogil:
    """Sequential dot products of up to ROWS rows ``i0 ..`` of batch ``q`` on
    the columns ``j0 .. j0+T-1``, the rows advanced together index by index
    (each ``b`` chunk is used by all rows while in cache).  The same bits
    and counters as :func:`run_tile` row by row (one block, no FMA)."""
    cdef Job J[ROWS]
    cdef double* cur[ROWS]
    cdef double* nxt[ROWS]
    cdef double* tmp
    cdef double* p = w + 2 * ROWS * TILE
    cdef uint64_t lane0[ROWS]
    cdef Py_ssize_t r, kk
    cdef Py_ssize_t m = a.shape[1], n = b.shape[2], k = base.k
    cdef int64_t ev = k
    for r in range(R):
        J[r] = base[0]
        J[r].arow = &a[q, i0 + r, 0]
        J[r].brow = &b[q, 0, j0]
        lane0[r] = <uint64_t>((q * m + i0 + r) * n + j0)
        cur[r] = &out[q, i0 + r, j0]
        nxt[r] = w + r * TILE
        products(&J[r], 0, T, cur[r])
        round_vec(&J[r].rp, cur[r], T, counter(&J[r], lane0[r], 0))
    for kk in range(1, k):
        for r in range(R):
            if seq_step(&J[r], kk, T, counter(&J[r], lane0[r], kk),
                        counter(&J[r], lane0[r], ev), cur[r], nxt[r]):
                tmp = cur[r]
                cur[r] = nxt[r]
                nxt[r] = tmp
            else:
                products(&J[r], kk, T, p)
                round_vec(&J[r].rp, p, T, counter(&J[r], lane0[r], kk))
                add_vec(&J[r].ra, cur[r], p, T)
                round_vec(&J[r].ra, cur[r], T, counter(&J[r], lane0[r], ev))
        ev += 1
    for r in range(R):
        if cur[r] != &out[q, i0 + r, j0]:
            memcpy(&out[q, i0 + r, j0], cur[r], T * sizeof(double))


cdef int check_args(int rbits, int method, bint fma, Py_ssize_t k) except -1:
    if rbits < 1 or rbits > 64:
        raise ValueError(f"rbits must be in 1..64, got {rbits}")
    if method < 0 or method > 2:
        raise ValueError(f"method must be 0 (sequential), 1 (pairwise) or 2 (kahan), got {method}")
    if fma and method != SEQUENTIAL:
        raise ValueError("a fused multiply-add accumulates sequentially (method 0)")
    if k < 1:
        raise ValueError("cannot reduce over an inner dimension of length 0")
    return 0


cdef inline Py_ssize_t work_size() noexcept nogil:
    return (5 + MAXDEPTH) * TILE


def matmul_tiles(const double[:, :, :] a, const double[:, :, ::1] b, double[:, :, ::1] out,
                 Spec product_spec, Spec spec, int mode, uint64_t key, uint64_t offset,
                 int rbits, int method, bint fma=False, Py_ssize_t block=0, int nthreads=1):
    """``out[q, i, j] = sum_kk R_p(a[q, i, kk] * b[q, kk, j])`` rounded at
    every step (module notes); lane ``(q * m + i) * n + j``.

    ``a`` (batch, m, k) any strides, ``b`` (batch, k, n) C-contiguous,
    ``out`` (batch, m, n).  ``product_spec`` rounds the products,
    ``spec`` the sums (both with ``mode``); ``block`` 0 means one block.
    """
    cdef Py_ssize_t B = a.shape[0], m = a.shape[1], k = a.shape[2], n = b.shape[2]
    cdef Py_ssize_t ntn, ntiles, tile, row, q, i, j0, T, R, nrb
    cdef Job base, J
    cdef double* w
    check_args(rbits, method, fma, k)
    if b.shape[0] != B or b.shape[1] != k:
        raise ValueError(f"b must have shape ({B}, {k}, n), got {tuple(b.shape)[:3]}")
    if out.shape[0] != B or out.shape[1] != m or out.shape[2] != n:
        raise ValueError(f"out must have shape ({B}, {m}, {n})")
    if B == 0 or m == 0 or n == 0:
        return
    base.rp = make_rnd(product_spec, mode, key, rbits)
    base.ra = make_rnd(spec, mode, key, rbits)
    base.offset = offset
    base.L = <uint64_t>(B * m * n)
    base.k = k
    base.method = method
    base.fma = fma
    base.block = block if block > 0 else k
    base.astride = a.strides[2] // 8
    base.bstride = n
    base.prow = NULL
    if a.strides[2] % 8 != 0:
        raise ValueError("a must have float64-aligned strides")
    ntn = (n + TILE - 1) // TILE
    if (method == SEQUENTIAL and not fma and base.block >= k and base.rp.fast
            and base.ra.fast):
        nrb = (m + ROWS - 1) // ROWS            # row blocks per batch
        ntiles = ntn * B * nrb
        if nthreads < 1 or ntiles < 2:
            nthreads = 1
        with nogil:
            for tile in prange(ntiles, num_threads=nthreads, schedule="static"):
                w = <double*> malloc((2 * ROWS + 1) * TILE * sizeof(double))
                if w == NULL:
                    continue
                j0 = (tile // (B * nrb)) * TILE
                row = tile - (tile // (B * nrb)) * (B * nrb)
                q = row // nrb
                i = (row - q * nrb) * ROWS
                T = n - j0
                if T > TILE:
                    T = TILE
                R = m - i
                if R > ROWS:
                    R = ROWS
                seq_rows(&base, a, b, out, q, i, R, j0, T, w)
                free(w)
        return
    ntiles = B * m * ntn
    if nthreads < 1 or ntiles < 2:
        nthreads = 1
    with nogil:
        for tile in prange(ntiles, num_threads=nthreads, schedule="static"):
            w = <double*> malloc(work_size() * sizeof(double))
            if w == NULL:
                continue
            J = base
            # column block outer, row inner: consecutive tiles read the same
            # k x TILE block of b (kept in cache)
            j0 = (tile // (B * m)) * TILE
            row = tile - (tile // (B * m)) * (B * m)
            T = n - j0
            if T > TILE:
                T = TILE
            q = row // m
            i = row - q * m
            J.arow = &a[q, i, 0]
            J.brow = &b[q, 0, j0]
            run_tile(&J, T, <uint64_t>(row * n + j0), &out[q, i, j0], w)
            free(w)


def reduce_columns(const double[:, ::1] terms, double[::1] out, Spec product_spec, Spec spec,
                   int mode, uint64_t key, uint64_t offset, int rbits, int method,
                   Py_ssize_t block=0, int nthreads=1):
    """Dot-product sums of precomputed products: ``terms`` is (k, L), term
    ``kk`` of lane ``l`` at ``terms[kk, l]``; each term is rounded with
    ``product_spec`` (events ``0 .. k-1``) and summed as in
    :func:`matmul_tiles` (no fused multiply-add: the products are given)."""
    cdef Py_ssize_t k = terms.shape[0], L = terms.shape[1]
    cdef Py_ssize_t ntiles, tile, l0, T
    cdef Job base, J
    cdef double* w
    check_args(rbits, method, False, k)
    if out.shape[0] != L:
        raise ValueError(f"out must have {L} elements, got {out.shape[0]}")
    if L == 0:
        return
    base.rp = make_rnd(product_spec, mode, key, rbits)
    base.ra = make_rnd(spec, mode, key, rbits)
    base.offset = offset
    base.L = <uint64_t>L
    base.k = k
    base.method = method
    base.fma = False
    base.block = block if block > 0 else k
    base.arow = NULL
    base.brow = NULL
    base.astride = 0
    base.bstride = 0
    ntiles = (L + TILE - 1) // TILE
    if nthreads < 1 or ntiles < 2:
        nthreads = 1
    with nogil:
        for tile in prange(ntiles, num_threads=nthreads, schedule="static"):
            w = <double*> malloc(work_size() * sizeof(double))
            if w == NULL:
                continue
            J = base
            l0 = tile * TILE
            T = L - l0
            if T > TILE:
                T = TILE
            J.prow = &terms[0, l0]
            run_tile(&J, T, <uint64_t>l0, &out[l0], w)
            free(w)
