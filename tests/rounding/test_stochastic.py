"""Stochastic rounding: neighbours, probabilities, unbiasedness and
reproducibility.

Neighbours come from MPFR (``mpfr_oracle.MagnitudeRounding``: rounding of
|x| downward and upward).  For ``stochastic`` the probability of the
neighbour away from zero is (|x| - lo) / (hi - lo) (Connolly, Higham & Mary
2021, "Stochastic rounding and its probabilistic backward error analysis",
SIAM J. Sci. Comput. 43(1)); ``stochastic_uniform`` picks either with
probability 1/2; with ``random_bits=r`` the probability is quantised to
floor(frac * 2**r) / 2**r (r bits below the kept last bit plus r random bits,
truncated).  Counts of n = 10**5 draws of one value are checked against the
binomial mean within 5 standard deviations (plus one for discreteness).
"""
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

try:
    from .mpfr_oracle import NAMED_SPECS, CUSTOM_SPECS, MagnitudeRounding, Spec, make_format
except ImportError:
    from mpfr_oracle import NAMED_SPECS, CUSTOM_SPECS, MagnitudeRounding, Spec, make_format

import numprec  # noqa: E402  (a failed import fails the suite)

N = 10**5
STOCHASTIC = ("stochastic", "stochastic_uniform")

SPECS = {**NAMED_SPECS, **CUSTOM_SPECS}

# (format, x): normal, subnormal, negative, near overflow, no-subnormal gap, tiny p
CASES = [
    ("binary16", 1 + 0.3 * 2.0**-10),
    ("binary16", -(1 + 0.8 * 2.0**-10) * 2.0**5),
    ("binary16", (5 + 0.7) * 2.0**-24),  # subnormal
    ("binary16", -(0.45) * 2.0**-24),  # between 0 and the smallest subnormal
    ("binary16", 65504 + 0.4 * 32),  # between max and the overflow point
    ("binary16", -(65504 + 0.9 * 32)),
    ("binary16", 1 + 2.0**-30),  # p ~ 1e-6
    ("bfloat16", 3 * (1 + 0.1 * 2.0**-7)),
    ("bfloat16", 2.0**-130 * 1.37),  # subnormal
    ("float8_e4m3fn", 448 + 0.25 * 32),  # up means NaN
    ("float8_e5m2", 57344 + 0.6 * 8192),  # up means inf
    ("float8_e4m3fnuz", -0.3 * 2.0**-10),  # down to (+)0 or the smallest subnormal
    ("e3m2_nosub", 0.3 * 0.25),  # between 0 and the smallest normal 2**-2
    ("e3m0", 5.0),  # m = 0: between 4 and 8
    ("float4_e2m1fn", 0.6),
]


def fmt(name):
    """Named formats through the registry; custom ones through FloatFormat."""
    if name in NAMED_SPECS:
        return numprec.get_format(name)
    return make_format(numprec, CUSTOM_SPECS[name])


def neighbours(name, x):
    """(toward-zero value, away-from-zero value, probability of away) for x."""
    spec = SPECS[name]
    a = abs(x)
    mr = MagnitudeRounding(spec, np.array([a]))
    lo, hi_unb = mr.lo[0], mr.hi_unbounded[0]
    assert lo < a < hi_unb, "stochastic cases must be inexact"
    away = {"inf": math.inf, "nan": math.nan, "saturate": spec.max}[spec.overflow_] \
        if mr.hi_over[0] else mr.hi[0]
    p = (a - lo) / (hi_unb - lo)  # exact: a, lo, hi are close binary fractions
    s = math.copysign(1.0, x)
    away = s * away
    lo = s * lo if (lo != 0 or spec.minus_zero) else 0.0
    return lo, away, p


def count_away(r, away):
    return int(np.isnan(r).sum()) if math.isnan(away) else int((r == away).sum())


def within_binomial(k, n, p, z=5.0):
    return abs(k - n * p) <= z * math.sqrt(n * p * (1 - p)) + 1


@pytest.mark.parametrize("mode", STOCHASTIC)
@pytest.mark.parametrize("name,x", CASES, ids=[f"{n}:{x!r}" for n, x in CASES])
def test_only_neighbours_with_expected_frequency(name, x, mode):
    lo, away, p = neighbours(name, x)
    r = numprec.round(np.full(N, x), fmt(name), mode, seed=2024)
    is_lo = (r == lo) & (np.signbit(r) == np.signbit(lo))
    is_away = np.isnan(r) if math.isnan(away) else (r == away)
    assert (is_lo | is_away).all(), (np.unique(r), lo, away)
    k = count_away(r, away)
    if mode == "stochastic_uniform":
        p = 0.5
    assert within_binomial(k, N, p), (k, N * p)


@pytest.mark.parametrize("name,x", [c for c in CASES if abs(c[1]) < SPECS[c[0]].max],
                         ids=[f"{n}:{x!r}" for n, x in CASES if abs(x) < SPECS[n].max])
def test_stochastic_is_unbiased(name, x):
    lo, away, p = neighbours(name, x)
    r = numprec.round(np.full(N, x), fmt(name), "stochastic", seed=99)
    sigma = abs(away - lo) * math.sqrt(p * (1 - p) / N)
    assert abs(r.mean() - x) <= 5 * sigma + abs(away - lo) / N


@pytest.mark.parametrize("frac,bits", [(0.3, 1), (0.75, 1), (0.3, 2), (0.3, 4), (0.3, 8),
                                       (0.9, 3), (0.01, 6), (0.01, 7), (0.5, 1), (0.3, 30)])
@pytest.mark.parametrize("sign", [1, -1])
def test_random_bits_quantise_the_probability(frac, bits, sign):
    x = sign * (1 + frac * 2.0**-10)
    lo, away, _ = neighbours("binary16", x)
    frac_exact = (abs(x) - abs(lo)) / 2.0**-10
    p = math.floor(frac_exact * 2**bits) / 2**bits
    r = numprec.round(np.full(N, x), fmt("binary16"), "stochastic", seed=5, random_bits=bits)
    k = count_away(r, away)
    if p == 0:
        assert k == 0
    else:
        assert within_binomial(k, N, p), (k, N * p)


def test_random_bits_in_subnormal_range():
    x = (5 + 0.3) * 2.0**-24  # binary16 subnormal, fraction 0.3 of the quantum
    r = numprec.round(np.full(N, x), fmt("binary16"), "stochastic", seed=1, random_bits=1)
    assert (r == 5 * 2.0**-24).all()
    r = numprec.round(np.full(N, x), fmt("binary16"), "stochastic", seed=1, random_bits=2)
    assert within_binomial(int((r == 6 * 2.0**-24).sum()), N, 0.25)


@pytest.mark.parametrize("kw", [{}, {"random_bits": 3}])
@pytest.mark.parametrize("mode", STOCHASTIC)
@pytest.mark.parametrize("name", ["binary16", "float8_e4m3fn", "e3m2_nosub", "float8_e8m0fnu"])
def test_exact_values_never_move(name, mode, kw):
    if kw and mode == "stochastic_uniform":
        pytest.skip("random_bits applies to proportional stochastic rounding")
    x = SPECS[name].finite_values
    x = np.repeat(x, max(1, 20000 // x.size))
    for dtype in (np.float64, np.float32):
        xd = x.astype(dtype)
        r = numprec.round(xd, fmt(name), mode, seed=7, **kw)
        assert (r.view(np.uint64 if dtype == np.float64 else np.uint32)
                == xd.view(np.uint64 if dtype == np.float64 else np.uint32)).all()


def _inexact_inputs(n=10**5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n) * 2.0 ** rng.integers(-30, 20, n)


@pytest.mark.parametrize("mode", STOCHASTIC)
def test_same_seed_same_result_other_seed_or_stream_differs(mode):
    x = _inexact_inputs()
    a = numprec.round(x, "binary16", mode, seed=11)
    b = numprec.round(x, "binary16", mode, seed=11)
    assert (a.view(np.uint64) == b.view(np.uint64)).all()
    c = numprec.round(x, "binary16", mode, seed=12)
    d = numprec.round(x, "binary16", mode, seed=11, stream=1)
    inexact = numprec.round(x, "binary16", "toward_zero") != numprec.round(x, "binary16", "up")
    assert (a != c)[inexact].mean() > 0.1
    assert (a != d)[inexact].mean() > 0.1
    e = numprec.round(x, "binary16", mode)  # seed=None: fresh entropy
    f = numprec.round(x, "binary16", mode)
    assert (e != f)[inexact].any()


@pytest.mark.parametrize("mode", STOCHASTIC)
def test_chunks_with_offset_reproduce_the_whole_array(mode):
    x = _inexact_inputs(10**5 + 37)
    whole = numprec.round(x, "bfloat16", mode, seed=3, stream=4)
    bounds = [0, 1, 1000, 5003, 64000, x.size]
    parts = [numprec.round(x[a:b], "bfloat16", mode, seed=3, stream=4, offset=a)
             for a, b in zip(bounds[:-1], bounds[1:])]
    assert (np.concatenate(parts).view(np.uint64) == whole.view(np.uint64)).all()
    # a chunk without its offset reuses the first numbers: differs
    naive = numprec.round(x[5003:64000], "bfloat16", mode, seed=3, stream=4)
    assert (naive != whole[5003:64000]).any()


def test_flat_c_order_index_for_2d_and_strided_inputs():
    x = _inexact_inputs(200 * 300).reshape(200, 300)
    whole = numprec.round(x, "binary16", "stochastic", seed=8)
    rows = numprec.round(x[50:80], "binary16", "stochastic", seed=8, offset=50 * 300)
    assert (rows.view(np.uint64) == whole[50:80].view(np.uint64)).all()
    # a strided view is indexed in its own C order, like its contiguous copy
    view = x[::2, ::3]
    a = numprec.round(view, "binary16", "stochastic", seed=8)
    b = numprec.round(np.ascontiguousarray(view), "binary16", "stochastic", seed=8)
    assert (a.view(np.uint64) == b.view(np.uint64)).all()
    # Fortran order: still the logical C-order index
    c = numprec.round(np.asfortranarray(x), "binary16", "stochastic", seed=8)
    assert (c.view(np.uint64) == whole.view(np.uint64)).all()
    # in place gives the same as out-of-place
    y = x.copy()
    numprec.round(y, "binary16", "stochastic", seed=8, out=y)
    assert (y.view(np.uint64) == whole.view(np.uint64)).all()


@pytest.mark.parametrize("mode", STOCHASTIC)
def test_thread_count_does_not_change_results(mode):
    x = _inexact_inputs(1 << 21, seed=4)  # well above any single-thread cut-off
    old = numprec.get_num_threads()
    try:
        numprec.set_num_threads(1)
        one = numprec.round(x, "binary16", mode, seed=21)
        one32 = numprec.round(x.astype(np.float32), "binary16", mode, seed=21)
        numprec.set_num_threads(2)
        two = numprec.round(x, "binary16", mode, seed=21)
        two32 = numprec.round(x.astype(np.float32), "binary16", mode, seed=21)
    finally:
        numprec.set_num_threads(old)
    assert (one.view(np.uint64) == two.view(np.uint64)).all()
    assert (one32.view(np.uint32) == two32.view(np.uint32)).all()


def test_thread_count_from_environment_in_subprocesses():
    code = textwrap.dedent("""
        import hashlib, numpy as np, numprec
        rng = np.random.default_rng(0)
        x = rng.standard_normal(1 << 19) * 2.0 ** rng.integers(-30, 20, 1 << 19)
        r = numprec.round(x, "binary16", "stochastic", seed=5)
        print(hashlib.sha256(r.tobytes()).hexdigest())
    """)
    digests = []
    for n in ("1", "2"):
        env = {**os.environ, "OMP_NUM_THREADS": n, "NUMPREC_NUM_THREADS": n}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
        digests.append(out.stdout.strip())
    assert digests[0] == digests[1] and len(digests[0]) == 64


def test_stochastic_results_are_values_of_the_format():
    x = _inexact_inputs()
    for name in ("binary16", "float8_e4m3fn", "e3m2_nosub"):
        spec = SPECS[name]
        r = numprec.round(x, fmt(name), "stochastic", seed=0)
        fin = r[np.isfinite(r)]
        ok = np.isin(fin, spec.finite_values)
        assert ok.all(), (name, fin[~ok][:5])
        lo = numprec.round(x, fmt(name), "down")
        hi = numprec.round(x, fmt(name), "up")
        # between the directed results (NaN only where 'away' overflows to NaN)
        above = (r >= lo) | np.isnan(lo)
        below = (r <= hi) | np.isnan(hi)
        assert (above & below | np.isnan(r)).all()
