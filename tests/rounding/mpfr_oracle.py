"""Independent oracles for the rounding core, written from the spec, not from numprec.

Two oracles for a floating-point format given by its parameters:

``mpfr_round``
    The reference.  MPFR (through gmpy2) rounds each distinct magnitude once
    downward, upward and to nearest-even with precision ``mantissa_bits + 1``,
    the format's subnormal range (``subnormalize=True``) or flush range, and an
    exponent range that is unbounded above (a few binades past the format's
    top), which is IEEE 754's "rounded as if the exponent range were
    unbounded" rule for detecting overflow (IEEE Std 754-2019, clause 7.4).
    ``nearest_away`` and ``odd`` are derived from MPFR's directed results:
    away = the upper neighbour iff ``|x| >= (lo + hi) / 2`` (midpoint compared
    exactly in MPFR), odd = the exact value or else the neighbour with an odd
    integral significand (Boldo & Melquiond 2008, "Emulation of FMA and
    correctly rounded sums: proved algorithms using rounding to odd", IEEE
    Trans. Computers 57(4)).  The format's special rules (overflow policy,
    fn/fnuz/none NaN encodings, unsigned, no zero, signed zeros) are applied
    afterwards, as written in the project brief.

``table_round``
    A brute-force cross-check for formats of at most 16 bits: decode every bit
    pattern into its value, sort, and pick a neighbour with ``searchsorted``.
    It shares no code with ``mpfr_round`` except the spec rules.

Semantic choices made here where the brief leaves room (documented, tested):

* ``odd`` above ``max`` never overflows: it gives ``max`` (the truncation,
  which saturates like toward_zero).  For IEEE/fnuz/none formats this is also
  "the neighbour with an odd significand"; for fn formats ``max`` ends in
  ...110 (even) and the other reading (set the last bit of the encoding,
  giving the NaN pattern) was rejected by the lead (commit 7693772: "odd
  overflows to max").
* ``odd`` between 0 and the smallest normal of a format without subnormals:
  both 0 and ``smallest_normal`` have even significands; the non-zero one is
  taken (the sticky information "inexact" must survive).
* mantissa_bits == 0: every non-zero value has significand 1 (odd), so odd
  rounding is truncation and nearest-even ties go away from zero (MPFR
  precision-1 rule); a tie between 0 and the smallest value goes to 0.
"""
from __future__ import annotations

import dataclasses
import math
from functools import cached_property

import gmpy2
import numpy as np

DETERMINISTIC_MODES = ("nearest_even", "nearest_away", "toward_zero", "up", "down", "odd")
SYMMETRIC_MODES = ("nearest_even", "nearest_away", "toward_zero", "odd")


@dataclasses.dataclass(frozen=True)
class Spec:
    """Parameters of a floating-point format, mirroring ``numprec.FloatFormat``."""

    exponent_bits: int
    mantissa_bits: int
    bias: int | None = None
    subnormals: bool = True
    infinities: bool = True
    nan: str = "ieee"
    overflow: str | None = None
    signed: bool = True
    zero: bool = True

    # ---- derived quantities, computed from the brief's definitions -----------
    @property
    def m(self) -> int:
        return self.mantissa_bits

    @property
    def precision(self) -> int:
        return self.mantissa_bits + 1

    @property
    def bias_(self) -> int:
        if self.bias is not None:
            return self.bias
        e = self.exponent_bits
        return 2 ** (e - 1) if self.nan == "fnuz" else 2 ** (e - 1) - 1

    @property
    def emin(self) -> int:
        # Without zero (e8m0fnu) the all-zero exponent field is a normal binade.
        return (1 if self.zero else 0) - self.bias_

    @property
    def emax(self) -> int:
        top = 2**self.exponent_bits - 1  # all-ones exponent field
        if self.nan == "ieee" or (self.nan == "fn" and self.mantissa_bits == 0):
            top -= 1  # all-ones field holds no finite value
        return top - self.bias_

    @property
    def max(self) -> float:
        m = self.mantissa_bits
        if self.nan == "fn" and m > 0:
            significand = 2 - 2.0 ** (1 - m)  # all-ones mantissa is NaN
        else:
            significand = 2 - 2.0**-m
        return math.ldexp(significand, self.emax)

    @property
    def smallest_normal(self) -> float:
        return math.ldexp(1.0, self.emin)

    @property
    def smallest_subnormal(self) -> float:
        if self.subnormals and self.zero and self.mantissa_bits > 0:
            return math.ldexp(1.0, self.emin - self.mantissa_bits)
        return self.smallest_normal

    @property
    def eps(self) -> float:
        return 2.0**-self.mantissa_bits

    @property
    def bits(self) -> int:
        return self.exponent_bits + self.mantissa_bits + (1 if self.signed else 0)

    @property
    def has_inf(self) -> bool:
        """Infinities exist only with the IEEE encoding (all-ones exponent)."""
        return self.infinities and self.nan == "ieee"

    @property
    def overflow_(self) -> str:
        if self.overflow is not None:
            return self.overflow
        if self.has_inf:
            return "inf"
        return "saturate" if self.nan == "none" else "nan"

    @property
    def minus_zero(self) -> bool:
        """Whether -0 is a value of the format."""
        return self.signed and self.zero and self.nan != "fnuz"

    @property
    def fits_float32(self) -> bool:
        """Whether float32 inputs are allowed: not if a result could be a value
        float32 cannot hold -- 2**128 (emax >= 128 and m < 23), or the format's
        max when it is not a float32 value and some input reaches it (it is
        below float32's max, or infinite inputs saturate to it)."""
        if self.emax >= 128 and self.mantissa_bits < 23:
            return False
        f32max = float(np.finfo(np.float32).max)
        with np.errstate(over="ignore"):
            max_is_f32 = float(np.float32(self.max)) == self.max
        saturating_inf = not self.has_inf and self.overflow_ == "saturate"
        return max_is_f32 or not (self.max < f32max or saturating_inf)

    def overflow_value(self, sign: float) -> float:
        pol = self.overflow_
        if pol == "inf":
            return math.copysign(math.inf, sign)
        if pol == "nan":
            return math.nan
        return math.copysign(self.max, sign)

    def infinite_input_value(self, sign: float) -> float:
        if self.has_inf:
            return math.copysign(math.inf, sign)
        return self.overflow_value(sign)

    # ---- enumeration of the format's values (bit pattern decoding) -----------
    @cached_property
    def positive_values(self) -> np.ndarray:
        """All finite values > 0, sorted, decoded from bit patterns (<= 2**16)."""
        e, m, b = self.exponent_bits, self.mantissa_bits, self.bias_
        if e + m > 16:
            raise ValueError("enumeration only for small formats")
        vals = []
        for E in range(2**e):
            for M in range(2**m):
                if self.nan == "ieee" and E == 2**e - 1:
                    continue
                if self.nan == "fn" and E == 2**e - 1 and M == 2**m - 1:
                    continue
                if E == 0 and self.zero:
                    if M == 0 or not self.subnormals:
                        continue
                    vals.append(math.ldexp(M, 1 - b - m))
                else:
                    vals.append(math.ldexp(2**m + M, E - b - m))
        return np.array(sorted(vals), dtype=np.float64)

    @cached_property
    def finite_values(self) -> np.ndarray:
        """All finite values of the format, both signs, with signed zeros."""
        pos = self.positive_values
        parts = [pos]
        if self.zero:
            parts.append(np.array([0.0]))
            if self.minus_zero:
                parts.append(np.array([-0.0]))
        if self.signed:
            parts.append(-pos)
        return np.concatenate(parts)

    def significand_is_odd(self, v: float) -> bool:
        """Parity of the integral significand of a value v >= 0 of the format."""
        if v == 0:
            return False
        exp = max(math.frexp(v)[1] - 1, self.emin)
        k = math.ldexp(v, self.mantissa_bits - exp)
        assert k == int(k), (v, self)
        return int(k) % 2 == 1


# ---------------------------------------------------------------------------
# MPFR oracle
# ---------------------------------------------------------------------------
def _contexts(spec: Spec):
    p, m = spec.precision, spec.mantissa_bits
    top = spec.emax + 4  # unbounded above for our purpose: no MPFR overflow
    if spec.subnormals and spec.zero and m > 0:
        kw = dict(emin=spec.emin - m + 1, subnormalize=True)
    else:
        # Values below the smallest normal round to 0 or smallest_normal.
        kw = dict(emin=spec.emin + 1, subnormalize=False)
    return {
        r: gmpy2.context(precision=p, emax=top, round=r, **kw)
        for r in (gmpy2.RoundDown, gmpy2.RoundUp, gmpy2.RoundToNearest)
    }


_EXACT = gmpy2.context(precision=256, emin=-20000, emax=20000)


class MagnitudeRounding:
    """MPFR roundings of positive magnitudes: lo/hi neighbours, nearest-even,
    tie flags and overflow flags; one MPFR computation per distinct value."""

    def __init__(self, spec: Spec, magnitudes: np.ndarray):
        a = np.unique(np.asarray(magnitudes, dtype=np.float64))
        a = a[np.isfinite(a) & (a > 0)]
        ctx = _contexts(spec)
        big = gmpy2.mpfr(spec.max, 64)
        n = a.size
        self.a = a
        self.lo = np.empty(n)  # RD, clamped to max
        self.hi = np.empty(n)  # RU (only meaningful where not hi_over)
        self.hi_over = np.empty(n, bool)
        self.hi_unbounded = np.empty(n)  # RU with the exponent range unbounded above
        self.rn = np.empty(n)
        self.rn_over = np.empty(n, bool)
        self.away_up = np.empty(n, bool)  # nearest_away picks hi
        self.odd_up = np.empty(n, bool)  # odd picks hi
        self.exact = np.empty(n, bool)
        rd_c, ru_c, rn_c = ctx[gmpy2.RoundDown], ctx[gmpy2.RoundUp], ctx[gmpy2.RoundToNearest]
        for i, v in enumerate(a.tolist()):
            x = gmpy2.mpfr(v, 53)
            rd = rd_c.plus(x)
            ru = ru_c.plus(x)
            rn = rn_c.plus(x)
            exact = rd == ru and rd <= big  # a value of the format
            self.lo[i] = float(min(rd, big))
            self.hi_over[i] = ru > big
            self.hi[i] = float(ru) if ru <= big else math.nan
            self.hi_unbounded[i] = float(ru)
            self.rn_over[i] = rn > big
            self.rn[i] = float(rn) if rn <= big else math.nan
            self.exact[i] = exact
            if rd == ru:  # exact in the unbounded format: up only if it overflows
                self.away_up[i] = not exact
            else:
                self.away_up[i] = _EXACT.mul(x, 2) >= _EXACT.add(rd, ru)
            if rd > big:  # even the lower unbounded neighbour overflows
                self.away_up[i] = True
            # odd: the neighbour with an odd significand; above max: max
            self.odd_up[i] = (not exact and ru <= big
                              and not spec.significand_is_odd(self.lo[i]))

    def index(self, mags: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.a, mags)


def _assemble(spec: Spec, x: np.ndarray, mode: str, lo, hi, hi_over, rn, rn_over,
              away_up, odd_up) -> np.ndarray:
    """Apply mode and the format's special rules, given per-element magnitude data
    (arrays aligned with x; entries for zero/non-finite x are ignored)."""
    neg = np.signbit(x)
    sign = np.where(neg, -1.0, 1.0)
    ovf_mag = {"inf": np.inf, "nan": np.nan, "saturate": spec.max}[spec.overflow_]
    hi_v = np.where(hi_over, ovf_mag, hi)
    toward = lo  # already clamped to max: rounding toward zero never overflows
    if mode == "nearest_even":
        mag = np.where(rn_over, ovf_mag, rn)
    elif mode == "nearest_away":
        mag = np.where(away_up, hi_v, lo)
    elif mode == "toward_zero":
        mag = toward
    elif mode == "up":
        mag = np.where(neg, toward, hi_v)
    elif mode == "down":
        mag = np.where(neg, hi_v, toward)
    elif mode == "odd":
        mag = np.where(odd_up, hi_v, lo)
    else:
        raise ValueError(mode)
    if not spec.zero:
        mag = np.where(mag == 0, spec.smallest_normal, mag)
    with np.errstate(invalid="ignore"):
        res = sign * mag
    if not spec.minus_zero:
        res = np.where(res == 0, 0.0, res)
    # specials
    res = np.where(x == 0, (x if spec.minus_zero else np.abs(x)) if spec.zero else np.nan, res)
    res = np.where(np.isinf(x), np.where(neg, spec.infinite_input_value(-1.0),
                                         spec.infinite_input_value(1.0)), res)
    res = np.where(np.isnan(x), np.nan, res)
    if not spec.signed:
        res = np.where(neg & ~((x == 0) & spec.zero), np.nan, res)
        res = np.where(res == 0, 0.0, res)
    return res


def mpfr_round(x, spec: Spec, modes=DETERMINISTIC_MODES, cache: MagnitudeRounding | None = None):
    """Correctly rounded values of float64 array ``x`` in ``spec`` for each mode.

    Returns a dict ``mode -> float64 array``.  ``cache`` may hold a
    ``MagnitudeRounding`` already computed for (a superset of) ``|x|``.
    """
    x = np.asarray(x, dtype=np.float64)
    mags = np.abs(x)
    if cache is None:
        cache = MagnitudeRounding(spec, mags)
    fin = np.isfinite(mags) & (mags > 0)
    idx = np.zeros(x.shape, dtype=np.intp)
    idx[fin] = cache.index(mags[fin])
    if cache.a.size:
        assert np.all(cache.a[idx[fin]] == mags[fin]), "cache does not cover x"
    take = {}
    for name in ("lo", "hi", "hi_over", "rn", "rn_over", "away_up", "odd_up"):
        arr = getattr(cache, name)
        take[name] = arr[idx] if arr.size else np.zeros(x.shape, arr.dtype)
    return {mode: _assemble(spec, x, mode, **take) for mode in modes}


# ---------------------------------------------------------------------------
# Brute-force table oracle (small formats only), for validating the MPFR one
# ---------------------------------------------------------------------------
def table_round(x, spec: Spec, modes=DETERMINISTIC_MODES):
    """Same contract as ``mpfr_round``, by searching the sorted value table."""
    x = np.asarray(x, dtype=np.float64)
    vals = np.concatenate([[0.0], spec.positive_values])
    nxt = spec.max + math.ldexp(1.0, spec.emax - spec.mantissa_bits)  # beyond max
    grid = np.concatenate([vals, [nxt]])
    a = np.abs(x)
    with np.errstate(invalid="ignore"):
        j = np.searchsorted(grid, np.where(np.isfinite(a), a, 0.0), side="right") - 1
    j = np.clip(j, 0, grid.size - 2)
    lo = grid[j]
    exact = lo == a
    hi = np.where(exact, lo, grid[j + 1])
    beyond = a > nxt  # above the first value past max: both neighbours overflow
    lo_c = np.minimum(lo, spec.max)
    hi_over = (hi > spec.max) | beyond
    mid = (lo + hi) / 2
    parity = np.array([spec.significand_is_odd(v) for v in lo_c], dtype=bool)
    # A tie with 0 below goes to 0; with mantissa_bits == 0 both non-zero
    # neighbours have significand 1 and the tie goes away from zero.
    even_up = (lo != 0) & (parity | (spec.mantissa_bits == 0))
    rn_up = (a > mid) | ((a == mid) & even_up & ~exact) | beyond
    away_up = (~exact & (a >= mid)) | beyond
    odd_up = ~exact & ~parity & (a <= spec.max)
    rn = np.where(rn_up, hi, lo)
    rn_over = rn_up & hi_over
    return {mode: _assemble(spec, x, mode, lo_c, hi, hi_over, rn, rn_over, away_up, odd_up)
            for mode in modes}


# ---------------------------------------------------------------------------
# Input sets
# ---------------------------------------------------------------------------
def structured_inputs(spec: Spec, dtype=np.float64) -> np.ndarray:
    """Every value of a small format, every midpoint between neighbours (and
    between 0 and the smallest value, and max and the next binade value), each
    midpoint one ulp of ``dtype`` either side, values one ulp either side,
    points around the overflow threshold and far beyond, both signs, specials.
    Inputs not exactly representable in ``dtype`` are dropped."""
    dt = np.dtype(dtype)
    pos = spec.positive_values
    nxt = spec.max + math.ldexp(1.0, spec.emax - spec.mantissa_bits)
    grid = np.concatenate([[0.0], pos, [nxt]])
    mids = (grid[1:] + grid[:-1]) / 2
    base = np.concatenate([grid, mids, [2 * nxt, 4 * spec.max, 1e30, 1e300,
                                        np.finfo(dt).max, np.finfo(dt).smallest_subnormal,
                                        float(np.finfo(dt).smallest_normal)]])
    base = base[base <= np.finfo(dt).max]
    b = base.astype(dt)
    b = b[np.isfinite(b)]
    with np.errstate(over="ignore"):
        ups = np.nextafter(b, dt.type(np.inf))
        downs = np.nextafter(b, dt.type(0))
    allp = np.concatenate([b, ups, downs]).astype(np.float64)
    allp = allp[np.isfinite(allp)]
    allp = np.unique(allp[allp >= 0])
    # keep only inputs exactly representable in dtype
    allp = allp[allp.astype(dt).astype(np.float64) == allp]
    out = np.concatenate([allp, -allp, [np.inf, -np.inf, np.nan, -0.0]])
    return out.astype(dt)


def random_inputs(spec: Spec, n: int, rng: np.random.Generator) -> np.ndarray:
    """Random float64 inputs spread log-uniformly over the format's whole range
    (a few binades below the smallest subnormal to a few above max), with
    random 52-bit fractions and signs, plus specials."""
    lo_e = max(spec.emin - spec.mantissa_bits - 4, -1074)
    hi_e = min(spec.emax + 3, 1023)
    ex = rng.integers(lo_e, hi_e + 1, size=n)
    frac = rng.integers(0, 2**52, size=n, dtype=np.uint64)
    bits = (ex.clip(-1022, None) + 1023).astype(np.uint64) << np.uint64(52) | frac
    v = bits.view(np.float64)
    sub = ex < -1022  # float64 subnormal region
    v[sub] = np.ldexp(frac[sub].astype(np.float64) / 2**52, -1022) * 1.0
    sign = rng.random(n) < 0.5
    v = np.where(sign, -v, v)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324,
                        np.finfo(np.float64).max, -np.finfo(np.float64).max])
    return np.concatenate([v, special])


# ---------------------------------------------------------------------------
# Comparison helper
# ---------------------------------------------------------------------------
def bits_equal(got, want) -> np.ndarray:
    """Elementwise: same bit pattern, or both NaN (any payload)."""
    got = np.asarray(got)
    want = np.asarray(want, dtype=got.dtype)
    ui = np.uint64 if got.dtype == np.float64 else np.uint32
    same = got.view(ui) == want.view(ui)
    return same | (np.isnan(got) & np.isnan(want))


def mismatch_report(x, got, want, limit=8) -> str:
    ok = bits_equal(got, want)
    bad = np.flatnonzero(~np.ravel(ok))
    lines = [f"{bad.size} of {ok.size} differ"]
    for i in bad[:limit]:
        xi, gi, wi = np.ravel(x)[i], np.ravel(got)[i], np.ravel(want)[i]
        lines.append(f"  x={float(xi)!r} ({float(xi).hex()}): got {float(gi)!r}, want {float(wi)!r}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The formats under test, written from the brief / ml_dtypes documentation
# ---------------------------------------------------------------------------
#: Named formats with their parameters (ml_dtypes names follow ml_dtypes).
NAMED_SPECS = {
    "binary16": Spec(5, 10),
    "bfloat16": Spec(8, 7),
    "tf32": Spec(8, 10),
    "binary32": Spec(8, 23),
    "binary64": Spec(11, 52),
    "float8_e4m3fn": Spec(4, 3, infinities=False, nan="fn"),
    "float8_e5m2": Spec(5, 2),
    "float8_e4m3fnuz": Spec(4, 3, infinities=False, nan="fnuz"),
    "float8_e5m2fnuz": Spec(5, 2, infinities=False, nan="fnuz"),
    "float8_e4m3": Spec(4, 3),
    "float8_e3m4": Spec(3, 4),
    "float6_e2m3fn": Spec(2, 3, infinities=False, nan="none"),
    "float6_e3m2fn": Spec(3, 2, infinities=False, nan="none"),
    "float4_e2m1fn": Spec(2, 1, infinities=False, nan="none"),
    "float8_e8m0fnu": Spec(8, 0, subnormals=False, infinities=False, nan="fn", signed=False,
                           zero=False),
}

#: ml_dtypes type name for each ml_dtypes-named format.
ML_DTYPES_NAMES = (
    "bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
    "float8_e4m3", "float8_e3m4", "float6_e2m3fn", "float6_e3m2fn", "float4_e2m1fn",
    "float8_e8m0fnu",
)

#: Custom formats exercising the parameters (<= 16 bits, so they can be enumerated).
CUSTOM_SPECS = {
    "e4m5": Spec(4, 5),
    "e6m9": Spec(6, 9),
    "e3m2_nosub": Spec(3, 2, subnormals=False),
    "e4m3_nosub": Spec(4, 3, subnormals=False),
    "e3m0": Spec(3, 0),
    "e2m0_nosub": Spec(2, 0, subnormals=False),
    "e5m2_bias10": Spec(5, 2, bias=10),
    "e5m2_saturate": Spec(5, 2, overflow="saturate"),
    "e5m2_overflow_nan": Spec(5, 2, overflow="nan"),
    "e4m3fn_saturate": Spec(4, 3, infinities=False, nan="fn", overflow="saturate"),
    "e4m4_unsigned": Spec(4, 4, signed=False),
    # Formats reaching below float64's normal range (emin < -1022): their
    # smallest normals and subnormals are float64 subnormals.
    "e11m0_b1024": Spec(11, 0, bias=1024),
    "e9m3_fnuz_b1040": Spec(9, 3, infinities=False, nan="fnuz", bias=1040),
    "e10m4_b1060": Spec(10, 4, bias=1060),
    "e8m3_b1068": Spec(8, 3, bias=1068),
    "e6m9_b1050": Spec(6, 9, bias=1050),
    "e8m2_fn_b1060": Spec(8, 2, infinities=False, nan="fn", bias=1060),
    "e7m4_saturate_b1069": Spec(7, 4, bias=1069, overflow="saturate"),
}


def format_kwargs(spec: Spec) -> dict:
    """Keyword arguments of ``numprec.FloatFormat`` for ``spec`` (only non-defaults)."""
    kw = {}
    for f in dataclasses.fields(Spec)[2:]:
        v = getattr(spec, f.name)
        if v != f.default:
            kw[f.name] = v
    return kw


def make_format(numprec, spec: Spec):
    return numprec.FloatFormat(spec.exponent_bits, spec.mantissa_bits, **format_kwargs(spec))
