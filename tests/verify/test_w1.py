"""Vectorised 1-D W1 (numprec.verify.w1_1d) against scipy and known distances."""

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from numprec.verify import w1_1d

# scipy integrates |F - G| over the merged sorted sample; w1_1d does the same for
# unequal sizes but sums in another order, and for equal sizes uses the equivalent
# mean |sort(u) - sort(v)|. Both are float64 sums of O(n) rounded terms, so they agree
# to a few ulps times log(n), not bit for bit: rtol 1e-12 leaves room for that
# and nothing else.
RTOL = 1e-12


@pytest.mark.parametrize("n, m", [(200, 200), (200, 131), (1, 57), (64, 1), (3, 3)])
def test_matches_scipy_on_random_samples(n, m):
    rng = np.random.default_rng(n * 1000 + m)
    u = rng.normal(0.3, 2.0, size=(40, n))
    v = rng.standard_t(4, size=(40, m))
    got = w1_1d(u, v)
    want = [wasserstein_distance(a, b) for a, b in zip(u, v)]
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=0)


@pytest.mark.parametrize("n, m", [(50, 50), (50, 33)])
def test_matches_scipy_with_ties(n, m):
    rng = np.random.default_rng(7)
    u = rng.integers(0, 5, size=(30, n)).astype(float)
    v = rng.integers(1, 6, size=(30, m)).astype(float)
    got = w1_1d(u, v)
    want = [wasserstein_distance(a, b) for a, b in zip(u, v)]
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=0)


def test_axis_and_shape():
    rng = np.random.default_rng(3)
    u = rng.normal(size=(4, 90, 5))
    v = rng.normal(size=(4, 70, 5))
    got = w1_1d(u, v, axis=1)
    assert got.shape == (4, 5)
    want = [[wasserstein_distance(u[i, :, j], v[i, :, j]) for j in range(5)] for i in range(4)]
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=0)


def test_hand_computed_exact_values():
    # F_u jumps by 1/2 at 0 and 1; F_v by 1 at 0.5: |F_u - F_v| = 1/2 on [0, 1).
    assert w1_1d([0.0, 1.0], [0.5]) == 0.5
    # F_u = 2/3 on [0, 1), F_v = 0 there.
    assert w1_1d([0.0, 0.0, 1.0], [1.0]) == 2 / 3
    # equal sizes with ties: |F_u - F_v| = 1/3 on [1, 2)
    assert w1_1d([1.0, 2.0, 1.0], [2.0, 1.0, 2.0]) == 1 / 3
    assert w1_1d([4.0, -1.0, 2.5], [2.5, 4.0, -1.0]) == 0.0


def test_two_normals_shifted_by_d_have_w1_d():
    # W1(N(0,1), N(d,1)) = d. With 20000 samples each the two-sample W1 of equal
    # distributions is ~0.01 (about 0.8/sqrt(n) per sample), so 0.03 is > 4 sigma.
    rng = np.random.default_rng(11)
    n = 20_000
    for d in (0.2, 1.5):
        got = w1_1d(rng.normal(size=n), rng.normal(d, 1.0, size=n))
        assert abs(got - d) < 0.03


def test_uniform_distributions_analytic():
    # W1 = int_0^1 |Q_u(p) - Q_v(p)| dp with quantile functions Q.
    # U(0,1) vs U(0,2): int p dp = 1/2.  U(0,1) vs U(1/4,3/4): int |p/2 - 1/4| dp = 1/8.
    # Midpoint quantile grids of sizes n, m approximate the distributions to O(1/n).
    def grid(a, b, n):
        return a + (b - a) * (np.arange(n) + 0.5) / n

    assert abs(w1_1d(grid(0, 1, 4000), grid(0, 2, 3000)) - 0.5) < 1e-3
    assert abs(w1_1d(grid(0, 1, 5000), grid(0.25, 0.75, 5000)) - 0.125) < 1e-3
    # random samples: sampling error ~ 1/sqrt(n)
    rng = np.random.default_rng(5)
    assert abs(w1_1d(rng.uniform(0, 1, 40_000), rng.uniform(0, 2, 30_000)) - 0.5) < 0.02


def test_nonfinite_columns_give_nan_only_there():
    u = np.arange(12.0).reshape(4, 3)
    v = u + 1.0
    u[1, 2] = np.nan
    v[2, 0] = np.inf
    v[3, 1] = -np.inf
    got = w1_1d(u, v)
    assert np.isnan(got[1:]).all()
    assert got[0] == 1.0


def test_bad_input_errors():
    with pytest.raises(ValueError, match="same shape"):
        w1_1d(np.zeros((3, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="at least one sample"):
        w1_1d(np.zeros((3, 0)), np.zeros((3, 4)))


def test_w1_does_not_depend_on_the_memory_layout_of_the_samples():
    # numpy sums contiguous rows pairwise and strided ones sequentially: the
    # same samples in another layout must still give the same bits
    rng = np.random.default_rng(3)
    u = rng.standard_normal((7, 300)) * 1e3 + 1e-3 * rng.standard_normal((7, 300))
    v = rng.standard_normal((7, 300)) * 1e3
    w = rng.standard_normal((7, 200)) * 1e3
    for other in (v, w):
        c = w1_1d(u, other, axis=-1)
        f = w1_1d(np.asfortranarray(u), np.asfortranarray(other), axis=-1)
        t = w1_1d(np.ascontiguousarray(u.T), np.ascontiguousarray(other.T), axis=0)
        assert np.array_equal(c, f) and np.array_equal(c, t)
