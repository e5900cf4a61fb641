# cython: language_level=3
"""Scalar core of numprec's rounding: one float64 bit pattern in, one out.

Every loop in numprec (array rounding, rounded reductions) calls
``round_bits`` (or, for blocks of normal-range values, ``round_normal``);
the rounding mode is a parameter, not a copy of the loop.
The computation works on the integer view of the float64 (add-and-mask, as
in CPFloat; Fasi & Mikaitis 2023, "CPFloat: A C library for simulating
low-precision arithmetic", ACM TOMS 49(2)) but is written without
data-dependent branches: the target-subnormal, tiny, overflow and special
cases are all computed and blended with selects so the compiler can
vectorise the loop and speed does not collapse on data with many
subnormals or overflows.
"""
from libc.stdint cimport uint64_t, int64_t

# Rounding mode codes (kept in sync with numprec/rounding/schemes.py).
cdef enum:
    MODE_NEAREST_EVEN = 0
    MODE_NEAREST_AWAY = 1
    MODE_TOWARD_ZERO = 2
    MODE_UP = 3
    MODE_DOWN = 4
    MODE_ODD = 5
    MODE_STOCHASTIC = 6
    MODE_STOCHASTIC_UNIFORM = 7
    # Stochastic rounding variants of IEEE P3109 (names as in gfloat):
    # the remainder is first rounded to the random bits' width, to nearest
    # even or odd, or offset by half a step, before the random bits are
    # added (MODE_STOCHASTIC adds them to the truncated remainder).
    MODE_STOCHASTIC_EVEN = 8
    MODE_STOCHASTIC_ODD = 9
    MODE_STOCHASTIC_FAST = 10


cdef inline bint mode_draws_random(int mode) noexcept nogil:
    """Whether the loops must draw random numbers for ``mode``."""
    return (mode == MODE_STOCHASTIC or mode == MODE_STOCHASTIC_UNIFORM
            or mode == MODE_STOCHASTIC_EVEN or mode == MODE_STOCHASTIC_ODD
            or mode == MODE_STOCHASTIC_FAST)


cdef inline bint mode_has_variant_step(int mode) noexcept nogil:
    """Whether ``mode`` is one of the P3109 variants that only
    :func:`round_bits` implements (not :func:`round_normal`)."""
    return mode == MODE_STOCHASTIC_EVEN or mode == MODE_STOCHASTIC_ODD or mode == MODE_STOCHASTIC_FAST

ctypedef struct FloatSpec:
    uint64_t one           # 1, kept in memory so that gcc vectorises 1 << s
    int64_t m              # kept fraction bits, 0..52
    int64_t emin           # unbiased exponent of the smallest normal binade
    int64_t tiny_exp       # inputs below 2**tiny_exp round to 0 or 2**tiny_exp
    uint64_t unsigned      # all ones: negative inputs give NaN
    uint64_t nozero        # all ones: zero input gives NaN, results clamp to min_bits
    uint64_t unsigned_zero # all ones: -0 becomes +0 (fnuz formats, fixed point)
    uint64_t tiny_bits     # float64 bits of 2**tiny_exp
    uint64_t max_bits      # float64 bits of the largest finite value
    uint64_t over_bits     # what overflow away from zero gives (inf, NaN or max)
    uint64_t inf_in_bits   # what an infinite input becomes (magnitude bits)
    uint64_t min_bits      # smallest positive value when nozero, else 0
    uint64_t code_ties     # 1: at precision 1, ties go to the even code (P3109), else away
    uint64_t tie_flip      # with code_ties: (bias + 1) & 1, so lsb = (E ^ tie_flip) & 1
    bint deep              # emin < -1022: the range reaches below float64's normals

cdef extern from *:
    """
    #define NUMPREC_SIGN_BIT 0x8000000000000000ULL
    #define NUMPREC_INF_BITS 0x7FF0000000000000ULL
    #define NUMPREC_QNAN_BITS 0x7FF8000000000000ULL
    #define NUMPREC_QUIET_BIT 0x0008000000000000ULL
    #define NUMPREC_FRAC_MASK 0x000FFFFFFFFFFFFFULL
    #define NUMPREC_IMPLICIT_BIT 0x0010000000000000ULL
    #define NUMPREC_GOLDEN 0x9E3779B97F4A7C15ULL
    #define NUMPREC_ONES 0xFFFFFFFFFFFFFFFFULL
    """
    const uint64_t SIGN_BIT "NUMPREC_SIGN_BIT"
    const uint64_t INF_BITS "NUMPREC_INF_BITS"
    const uint64_t QNAN_BITS "NUMPREC_QNAN_BITS"
    const uint64_t QUIET_BIT "NUMPREC_QUIET_BIT"
    const uint64_t FRAC_MASK "NUMPREC_FRAC_MASK"
    const uint64_t IMPLICIT_BIT "NUMPREC_IMPLICIT_BIT"
    const uint64_t GOLDEN "NUMPREC_GOLDEN"
    const uint64_t ONES "NUMPREC_ONES"


cdef inline uint64_t mix64(uint64_t z) noexcept nogil:
    """SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable
    pseudorandom number generators", OOPSLA)."""
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL
    return z ^ (z >> 31)


cdef inline uint64_t stream_key(uint64_t seed, uint64_t stream) noexcept nogil:
    """Key of one random stream: a hash of (seed, stream)."""
    return mix64(mix64(seed ^ 0x6A09E667F3BCC909ULL) + stream * GOLDEN)


cdef inline uint64_t counter_random(uint64_t key, uint64_t counter) noexcept nogil:
    """64 random bits for element ``counter`` of the stream ``key``: the
    counter-th output of a SplitMix64 sequence started at ``key``, computed
    directly, so any chunking or thread count gives the same numbers."""
    return mix64(key + (counter + 1) * GOLDEN)


cdef inline int64_t top_bit(uint64_t v) noexcept nogil:
    """Index of the highest set bit of ``v`` (0 for ``v`` <= 1), by a
    branch-free binary search (selects only)."""
    cdef int64_t n = 0
    cdef int64_t t
    t = 32 if (v >> 32) != 0 else 0
    n += t
    v = v >> t
    t = 16 if (v >> 16) != 0 else 0
    n += t
    v = v >> t
    t = 8 if (v >> 8) != 0 else 0
    n += t
    v = v >> t
    t = 4 if (v >> 4) != 0 else 0
    n += t
    v = v >> t
    t = 2 if (v >> 2) != 0 else 0
    n += t
    v = v >> t
    t = 1 if (v >> 1) != 0 else 0
    return n + t


ctypedef struct ModeMasks:
    # Each field is 0 or all ones.  The rounding mode enters the loop as these
    # masks instead of branches, so one branch-free loop serves every mode.
    uint64_t rne, rna, odd, sr, sru
    uint64_t sre, sro, srf         # the P3109 variants (MODE_STOCHASTIC_EVEN/ODD/FAST)
    uint64_t up_pos, up_neg        # round away from zero for this sign
    uint64_t trunc_pos, trunc_neg  # overflow gives max (not inf) for this sign


cdef inline ModeMasks mode_masks(int mode) noexcept nogil:
    cdef ModeMasks mm
    cdef uint64_t ones = ~(<uint64_t>0)
    mm.rne = ones if mode == MODE_NEAREST_EVEN else 0
    mm.rna = ones if mode == MODE_NEAREST_AWAY else 0
    mm.odd = ones if mode == MODE_ODD else 0
    mm.sr = ones if mode == MODE_STOCHASTIC else 0
    mm.sru = ones if mode == MODE_STOCHASTIC_UNIFORM else 0
    mm.sre = ones if mode == MODE_STOCHASTIC_EVEN else 0
    mm.sro = ones if mode == MODE_STOCHASTIC_ODD else 0
    mm.srf = ones if mode == MODE_STOCHASTIC_FAST else 0
    mm.up_pos = ones if mode == MODE_UP else 0
    mm.up_neg = ones if mode == MODE_DOWN else 0
    # Round-to-odd overflows like truncation: max is odd and marks "inexact".
    mm.trunc_pos = ones if (mode == MODE_TOWARD_ZERO or mode == MODE_DOWN or mode == MODE_ODD) else 0
    mm.trunc_neg = ones if (mode == MODE_TOWARD_ZERO or mode == MODE_UP or mode == MODE_ODD) else 0
    return mm


cdef inline uint64_t round_bits(uint64_t bits, const FloatSpec sp, const ModeMasks mm,
                                uint64_t rnd, int rbits) noexcept nogil:
    """Round the float64 with bit pattern ``bits`` to the format ``sp``
    (see :c:func:`round_bits_at`)."""
    if sp.deep:
        return round_bits_at(bits, sp, mm, rnd, rbits, 1)
    return round_bits_at(bits, sp, mm, rnd, rbits, 0)


cdef inline uint64_t round_bits_at(uint64_t bits, const FloatSpec sp, const ModeMasks mm,
                                   uint64_t rnd, int rbits, bint deep) noexcept nogil:
    """Round the float64 with bit pattern ``bits`` to the format ``sp``
    (:c:func:`round_bits_core` without the P3109 stochastic variants)."""
    return round_bits_core(bits, sp, mm, rnd, rbits, deep, 0)


cdef inline uint64_t round_bits_core(uint64_t bits, const FloatSpec sp, const ModeMasks mm,
                                     uint64_t rnd, int rbits, bint deep,
                                     bint variants) noexcept nogil:
    """Round the float64 with bit pattern ``bits`` to the format ``sp``.

    ``deep`` must be ``sp.deep``; loops pass it as a constant so that the
    extra work for formats reaching below float64's normal range is
    compiled out of the loops of every other format.  ``variants`` (also a
    constant) compiles in the P3109 stochastic variants
    (MODE_STOCHASTIC_EVEN/ODD/FAST); only loops for those modes pass 1.

    ``mm`` is the rounding mode (see :c:func:`mode_masks`), ``rnd`` 64 random
    bits (used by the stochastic modes only) and ``rbits`` (1..64) how many of
    them stochastic rounding may use.  Bitwise operators are used on purpose
    where Python's ``and``/``or`` would compile to branches.
    """
    cdef uint64_t sign = bits & SIGN_BIT
    cdef uint64_t a = bits ^ sign
    cdef uint64_t negm = <uint64_t>0 - (bits >> 63)      # all ones if negative
    cdef int64_t E = <int64_t>(a >> 52)
    cdef int64_t e = (E if E > 0 else 1) - 1023

    # --- general path: round the bit pattern at a position s that grows
    # below emin (target subnormals); carries into the exponent are right.
    # For a float64 normal the target's ulp at x is 2**(max(e, emin) - m),
    # bit 52 - m + max(emin - e, 0) of the pattern.  A float64 subnormal
    # (E == 0) is the integer a times 2**-1074, whose top bit hb gives its
    # binade: the target's ulp is bit max(hb, emin + 1074) - m.  The two
    # agree unless emin < -1022 (a format reaching below float64's normal
    # range), where the first would use too coarse a position.
    cdef int64_t d = sp.emin - e
    d = d if d > 0 else 0
    cdef int64_t s_norm = 52 - sp.m + d
    cdef int64_t s = s_norm
    cdef int64_t lead, s_sub, hb
    if deep:
        hb = top_bit(a & FRAC_MASK)
        lead = sp.emin + 1074
        lead = lead if lead > hb else hb
        s_sub = lead - sp.m
        s_sub = s_sub if s_sub > 0 else 0
        s = s_norm if E > 0 else s_sub
    s = s if s < 52 else 52
    cdef uint64_t ulp = sp.one << s
    cdef uint64_t mask = ulp - 1
    cdef uint64_t low = a & mask
    # At s == 52 the lower neighbour of a normal float64 is 2**e itself, whose
    # significand in the target is 1 (odd): a normal value when m == 0, the
    # smallest subnormal otherwise.  So ties of nearest_even go away there,
    # as MPFR does at precision 1.  (For float64 subnormals it is 0: even.)
    cdef uint64_t at52 = <uint64_t>((s + 12) >> 6) & <uint64_t>((E + 2047) >> 11)
    # P3109 formats of precision 1 (code_ties) instead tie to the even
    # encoding: 2**e has code e + bias, odd iff (E + bias + 1) is odd.
    cdef uint64_t lsb = (((a >> s) & 1) ^ (at52 & sp.tie_flip)) | (at52 & ~sp.code_ties)
    cdef uint64_t half = ulp >> 1
    cdef int64_t rb = rbits if rbits < s else s
    cdef uint64_t sr_inc = ((rnd >> (63 - rb)) >> 1) << (s - rb)
    cdef uint64_t coin = <uint64_t>0 - (rnd >> 63)
    cdef uint64_t away = (mm.up_pos & ~negm) | (mm.up_neg & negm)
    cdef uint64_t trunc = (mm.trunc_pos & ~negm) | (mm.trunc_neg & negm)
    # P3109 variants: round the remainder at bit t = s - rb first (the bits
    # left below t cannot carry past the mask: ulp is a multiple of 2**t).
    cdef uint64_t half_t, mask_t, lsb_t
    cdef uint64_t sr_var = 0
    cdef uint64_t sr_any = mm.sr
    if variants:
        half_t = (sp.one << (s - rb)) >> 1
        mask_t = (sp.one << (s - rb)) - 1
        lsb_t = (a >> (s - rb)) & 1
        sr_var = ((mm.sre & ((half_t - 1 + lsb_t) & mask_t))
                  | (mm.sro & ((half_t - lsb_t) & mask_t)) | (mm.srf & half_t))
        sr_any = mm.sr | mm.sre | mm.sro | mm.srf

    cdef uint64_t inc = ((mm.rne & (half - 1 + lsb)) | (mm.rna & half) | (away & mask)
                         | (sr_any & sr_inc) | sr_var | (mm.sru & coin & mask)) & mask
    cdef uint64_t r = (a + inc) & ~mask
    cdef uint64_t jam = mm.odd & (ONES if low != 0 else 0) & (lsb - 1)
    r = r + (jam & ulp)     # bit s of r is 0 here unless code_ties made lsb 0 for odd E

    # --- tiny path: |x| < 2**tiny_exp rounds to 0 or 2**tiny_exp.  q is
    # |x| / 2**tiny_exp in 53-bit fixed point with a sticky bit.
    cdef uint64_t sig = (a & FRAC_MASK) | (IMPLICIT_BIT if E > 0 else 0)
    # x = sig * 2**(e - 52), so q = sig * 2**(52 - k) with k = tiny_exp - e - 1;
    # k < 0 happens for float64 subnormals below a tiny_exp < -1022.
    cdef int64_t k = sp.tiny_exp - e - 1
    cdef int64_t kl = -k if k < 0 else 0
    k = k if k > 0 else 0
    k = k if k < 63 else 63
    cdef uint64_t q = ((sig << kl) >> k) | (1 if (sig & ((sp.one << k) - 1)) != 0 else 0)
    cdef int64_t rbt = rbits if rbits < 53 else 53
    cdef uint64_t full_t = ((<uint64_t>1) << 53) - 1
    cdef uint64_t half_tt, mask_tt, lsb_tt
    cdef uint64_t sr_var_t = 0
    if variants:
        half_tt = ((<uint64_t>1) << (53 - rbt)) >> 1
        mask_tt = ((<uint64_t>1) << (53 - rbt)) - 1
        lsb_tt = (q >> (53 - rbt)) & 1
        sr_var_t = ((mm.sre & ((half_tt - 1 + lsb_tt) & mask_tt))
                    | (mm.sro & ((half_tt - lsb_tt) & mask_tt)) | (mm.srf & half_tt))
    cdef uint64_t inc_t = ((mm.rne & (full_t >> 1)) | (mm.rna & ((<uint64_t>1) << 52))
                           | ((away | mm.odd | (mm.sru & coin)) & full_t)
                           | (sr_any & (((rnd >> (63 - rbt)) >> 1) << (53 - rbt))) | sr_var_t)
    cdef uint64_t r_tiny = sp.tiny_bits & (<uint64_t>0 - ((q + inc_t) >> 53))
    r = r_tiny if a < sp.tiny_bits else r

    # --- overflow by the format's policy and the rounding direction.
    cdef uint64_t over = (sp.max_bits & trunc) | (sp.over_bits & ~trunc)
    r = over if r > sp.max_bits else r
    # --- specials and the format's flags.
    r = sp.inf_in_bits if a == INF_BITS else r
    r = sp.min_bits if r < sp.min_bits else r
    cdef uint64_t nan_out = ((sp.nozero & (ONES if a == 0 else 0))
                             | (sp.unsigned & negm & ((ONES if a != 0 else 0) | sp.nozero)))
    r = QNAN_BITS if nan_out else r
    cdef uint64_t drop_sign = (ONES if r > INF_BITS else 0) | (sp.unsigned_zero & (ONES if r == 0 else 0))
    r = r | (sign & ~drop_sign)
    return (bits | QUIET_BIT) if a > INF_BITS else r


ctypedef struct FastParams:
    # Loop invariants of round_normal: the rounding position is fixed there.
    uint64_t s, ulp, mask, half, at52, sr_right, sr_left
    uint64_t code_ties, tie_flip   # see FloatSpec


cdef inline FastParams fast_params(const FloatSpec sp, int rbits) noexcept nogil:
    cdef FastParams fp
    cdef int64_t rb
    fp.s = 52 - sp.m
    fp.ulp = sp.one << fp.s
    fp.mask = fp.ulp - 1
    fp.half = fp.ulp >> 1
    fp.at52 = 1 if fp.s == 52 else 0
    fp.code_ties = sp.code_ties
    fp.tie_flip = sp.tie_flip
    rb = rbits if rbits < <int64_t>fp.s else <int64_t>fp.s
    fp.sr_right = 63 - rb
    fp.sr_left = fp.s - rb
    return fp


cdef inline uint64_t round_normal(uint64_t bits, const FastParams fp, const ModeMasks mm,
                                  uint64_t rnd) noexcept nogil:
    """:func:`round_bits` for inputs whose magnitude lies between the
    format's smallest normal value and its max: there the rounding position
    is the same for every value and neither overflow nor underflow can
    happen, so only the add-and-mask step remains.  Callers check the range
    (for a whole block at a time) and the format's flags (no unsigned or
    zero-less formats), and use :func:`round_bits` for the P3109 stochastic
    variants (MODE_STOCHASTIC_EVEN/ODD/FAST), which this does not know."""
    cdef uint64_t sign = bits & SIGN_BIT
    cdef uint64_t a = bits ^ sign
    cdef uint64_t negm = <uint64_t>0 - (bits >> 63)
    cdef uint64_t lsb = (((a >> fp.s) & 1) ^ (fp.at52 & fp.tie_flip)) | (fp.at52 & ~fp.code_ties)
    cdef uint64_t away = (mm.up_pos & ~negm) | (mm.up_neg & negm)
    cdef uint64_t sr_inc = ((rnd >> fp.sr_right) >> 1) << fp.sr_left
    cdef uint64_t coin = <uint64_t>0 - (rnd >> 63)
    cdef uint64_t inc = ((mm.rne & (fp.half - 1 + lsb)) | (mm.rna & fp.half) | (away & fp.mask)
                         | (mm.sr & sr_inc) | (mm.sru & coin & fp.mask)) & fp.mask
    cdef uint64_t r = (a + inc) & ~fp.mask
    cdef uint64_t jam = mm.odd & (ONES if (a & fp.mask) != 0 else 0) & (lsb - 1)
    return (r + (jam & fp.ulp)) | sign
