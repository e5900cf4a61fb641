"""Arrays whose values all lie in a format's normal range (whole blocks of
them take the kernel's add-and-mask fast path) against MPFR, bit for bit, in
every deterministic mode, for float64 and float32 inputs; and the same
values mixed with specials (the general path) must agree with MPFR too."""
import numpy as np
import pytest

try:
    from .mpfr_oracle import DETERMINISTIC_MODES, Spec, bits_equal, make_format, mpfr_round
except ImportError:
    from mpfr_oracle import DETERMINISTIC_MODES, Spec, bits_equal, make_format, mpfr_round

import numprec

SPECS = {
    "binary16": Spec(5, 10),
    "bfloat16": Spec(8, 7),
    "e4m3fn": Spec(4, 3, infinities=False, nan="fn"),
    "e5m2fnuz": Spec(5, 2, infinities=False, nan="fnuz"),
    "e2m1_finite": Spec(2, 1, infinities=False, nan="none"),
    "e3m0": Spec(3, 0),
    "e6m4_nosub": Spec(6, 4, subnormals=False),
    "e11m10": Spec(11, 10),
    "e8m23": Spec(8, 23),
    "e11m51": Spec(11, 51),
}


def normal_range_values(spec, n, rng):
    """Random magnitudes in [smallest_normal, max] (log-uniform), random
    signs, plus the range's ends and some exact midpoints."""
    lo, hi = np.log2(spec.smallest_normal), np.log2(spec.max)
    mags = np.exp2(rng.uniform(lo, hi, n))
    mags = np.clip(mags, spec.smallest_normal, spec.max)
    ends = np.array([spec.smallest_normal, spec.max, spec.smallest_normal * (1 + spec.eps / 2)])
    x = np.concatenate([ends, mags]) * rng.choice([-1.0, 1.0], n + 3)
    return x


@pytest.mark.parametrize("name", list(SPECS))
def test_normal_range_blocks_match_mpfr(name):
    spec = SPECS[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    x = normal_range_values(spec, 4096, rng)
    want = mpfr_round(x, spec)
    fmt = make_format(numprec, spec)
    mixed = x.copy()
    mixed[::97] = np.nan                    # every block leaves the fast path
    want_mixed = {mode: np.where(np.isnan(mixed), np.nan, w) for mode, w in want.items()}
    for mode in DETERMINISTIC_MODES:
        assert bits_equal(numprec.round(x, fmt, mode), want[mode]).all(), (name, mode)
        assert bits_equal(numprec.round(mixed, fmt, mode), want_mixed[mode]).all(), (name, mode)
        if spec.fits_float32 and spec.emin >= -126 and spec.mantissa_bits <= 23:
            x32 = x.astype(np.float32)
            want32 = mpfr_round(x32.astype(np.float64), spec)[mode].astype(np.float32)
            assert bits_equal(numprec.round(x32, fmt, mode), want32).all(), (name, mode, "f32")


@pytest.mark.parametrize("mode", ["stochastic", "stochastic_uniform"])
def test_stochastic_normal_blocks_pick_a_neighbour_and_do_not_depend_on_the_path(mode):
    spec = SPECS["binary16"]
    rng = np.random.default_rng(5)
    x = normal_range_values(spec, 4096, rng)
    want = mpfr_round(x, spec, modes=("down", "up"))
    got = numprec.round(x, "binary16", mode, seed=11)
    assert (bits_equal(got, want["down"]) | bits_equal(got, want["up"])).all()
    # A NaN in every block sends it down the general path; the other elements
    # use the same random counters there, so they must not change.
    mixed = x.copy()
    mixed[::97] = np.nan
    got_mixed = numprec.round(mixed, "binary16", mode, seed=11)
    keep = ~np.isnan(mixed)
    assert bits_equal(got_mixed[keep], got[keep]).all()
