"""Random float64 inputs over each format's whole range (below the smallest
subnormal, subnormal, normal, around and beyond max, specials) rounded by
``numprec.round`` and by MPFR, bit for bit, in every deterministic mode, for
formats too wide to enumerate.  binary32 is also checked against numpy's
float64 -> float32 cast, and binary64 must be the identity."""
import functools

import numpy as np
import pytest

try:
    from .mpfr_oracle import (DETERMINISTIC_MODES, MagnitudeRounding, Spec, bits_equal,
                              make_format, mismatch_report, mpfr_round, random_inputs)
except ImportError:
    from mpfr_oracle import (DETERMINISTIC_MODES, MagnitudeRounding, Spec, bits_equal,
                             make_format, mismatch_report, mpfr_round, random_inputs)

N = 20000

WIDE = {
    "e8m23": Spec(8, 23),
    "e11m52": Spec(11, 52),
    "e11m10": Spec(11, 10),
    "e8m7": Spec(8, 7),
    "e5m10": Spec(5, 10),
    "e8m10": Spec(8, 10),  # tf32
    "e11m30": Spec(11, 30),
    "e11m51": Spec(11, 51),
    "e10m20_nosub": Spec(10, 20, subnormals=False),
    "e8m7_nosub": Spec(8, 7, subnormals=False),
    "e11m0": Spec(11, 0),
    "e11m0_nosub": Spec(11, 0, subnormals=False),
    "e11m3_nosub": Spec(11, 3, subnormals=False),
    "e11m52_nosub": Spec(11, 52, subnormals=False),  # flushes float64 subnormals
    "e7m40_saturate": Spec(7, 40, overflow="saturate"),
}
# name used to fetch the format from numprec: registered names where one exists
REGISTERED = {"e8m23": "binary32", "e11m52": "binary64", "e8m7": "bfloat16",
              "e5m10": "binary16", "e8m10": "tf32"}


@pytest.fixture(scope="module")
def numprec():
    import numprec   # a failed import fails the suite
    return numprec


@functools.lru_cache(maxsize=None)
def reference(name, dtype_name="float64"):
    spec = WIDE[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    x = random_inputs(spec, N, rng)
    # extra points: around max and the smallest values, and float64 extremes
    with np.errstate(over="ignore"):
        above_max = float(np.nextafter(spec.max, np.inf))
    pts = [spec.max, above_max, spec.smallest_subnormal,
           spec.smallest_subnormal / 2, spec.smallest_normal, 1e-300, 5e-324, 1.0, 1.0 + 2**-52]
    x = np.concatenate([x, pts, np.negative(pts)])
    if dtype_name == "float32":
        with np.errstate(over="ignore"):
            x = x.astype(np.float32)
    cache = MagnitudeRounding(spec, np.abs(x.astype(np.float64)))
    want = mpfr_round(x.astype(np.float64), spec, DETERMINISTIC_MODES, cache=cache)
    return x, {m: w.astype(x.dtype) for m, w in want.items()}


def get_fmt(numprec, name):
    if name in REGISTERED:
        return numprec.get_format(REGISTERED[name])
    return make_format(numprec, WIDE[name])


@pytest.mark.parametrize("mode", DETERMINISTIC_MODES)
@pytest.mark.parametrize("name", list(WIDE))
def test_random_float64_matches_mpfr(numprec, name, mode):
    x, want = reference(name)
    got = numprec.round(x, get_fmt(numprec, name), mode)
    assert bits_equal(got, want[mode]).all(), f"{name} {mode}: " + mismatch_report(x, got, want[mode])


@pytest.mark.parametrize("mode", DETERMINISTIC_MODES)
@pytest.mark.parametrize("name", [n for n, s in WIDE.items() if s.fits_float32])
def test_random_float32_matches_mpfr(numprec, name, mode):
    x, want = reference(name, "float32")
    got = numprec.round(x, get_fmt(numprec, name), mode)
    assert got.dtype == np.float32
    assert bits_equal(got, want[mode]).all(), f"{name} {mode}: " + mismatch_report(x, got, want[mode])


def test_oracle_binary32_agrees_with_numpy_cast():
    x, want = reference("e8m23")
    with np.errstate(over="ignore"):
        cast = x.astype(np.float32).astype(np.float64)
    assert bits_equal(want["nearest_even"], cast).all()


def test_binary32_matches_numpy_float32_cast(numprec):
    rng = np.random.default_rng(3)
    bits = rng.integers(0, 2**64, size=10**6, dtype=np.uint64)
    x = np.concatenate([bits.view(np.float64), random_inputs(WIDE["e8m23"], 10**5, rng)])
    with np.errstate(over="ignore", invalid="ignore"):  # NaN payloads, overflow
        want = x.astype(np.float32).astype(np.float64)
    for name in ("binary32", "float32", "fp32", "single", "e8m23"):
        got = numprec.round(x, name)
        assert bits_equal(got, want).all(), f"{name}: " + mismatch_report(x, got, want)


@pytest.mark.parametrize("mode", DETERMINISTIC_MODES)
def test_binary64_is_identity(numprec, mode):
    x, _ = reference("e11m52")
    for name in ("binary64", "float64", "fp64", "double", "e11m52"):
        got = numprec.round(x, name, mode)
        assert bits_equal(got, x).all(), f"{name}: " + mismatch_report(x, got, x)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(WIDE))
def test_many_random_float64_match_mpfr(numprec, name):
    """3 * 10**5 random inputs per format (about a second of MPFR each)."""
    spec = WIDE[name]
    x = random_inputs(spec, 300_000, np.random.default_rng(sum(map(ord, name)) + 1))
    want = mpfr_round(x, spec, DETERMINISTIC_MODES)
    for mode in DETERMINISTIC_MODES:
        got = numprec.round(x, get_fmt(numprec, name), mode)
        assert bits_equal(got, want[mode]).all(), f"{name} {mode}: " + mismatch_report(x, got, want[mode])
