"""Joint (multivariate) W1 against a brute-force linear program and the 1-D W1."""

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.spatial.distance import cdist

from numprec.verify import joint_w1, w1_1d


def lp_w1(u, v):
    """Optimal transport between uniform empirical measures as a dense LP."""
    n, m = len(u), len(v)
    cost = cdist(u, v).ravel()
    rows = np.kron(np.eye(n), np.ones(m))  # sum_j P_ij = 1/n
    cols = np.kron(np.ones(n), np.eye(m))  # sum_i P_ij = 1/m
    a_eq = np.vstack([rows, cols])
    b_eq = np.concatenate([np.full(n, 1 / n), np.full(m, 1 / m)])
    res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert res.status == 0
    return res.fun


@pytest.mark.parametrize("n, d", [(6, 3), (9, 2), (12, 3)])
def test_matches_linear_program(n, d):
    rng = np.random.default_rng(n + d)
    u = rng.normal(size=(n, d))
    v = rng.normal(0.5, 1.5, size=(n, d))
    # HiGHS solves to a feasibility/optimality tolerance of ~1e-7 relative.
    assert joint_w1(u, v) == pytest.approx(lp_w1(u, v), rel=1e-7, abs=1e-9)


def test_one_dimensional_equals_1d_w1():
    rng = np.random.default_rng(2)
    u, v = rng.normal(size=300), rng.exponential(size=300)
    # same value, different summation order: a few ulps
    assert joint_w1(u, v) == pytest.approx(float(w1_1d(u, v)), rel=1e-12)


def test_translation_costs_its_length():
    # W1(mu, mu + c) = |c|: the identity plan costs |c| and no plan costs less
    # (W1 >= |difference of means| by Jensen).
    rng = np.random.default_rng(4)
    u = rng.normal(size=(200, 3))
    c = np.array([0.3, -1.2, 2.0])
    assert joint_w1(u, u + c) == pytest.approx(np.linalg.norm(c), rel=1e-12)
    assert joint_w1(u, u[::-1]) == 0.0


def test_subsampling_is_reproducible_and_bounded():
    rng = np.random.default_rng(8)
    u = rng.normal(size=(500, 3))
    v = rng.normal(1.0, 1.0, size=(400, 3))
    a = joint_w1(u, v, max_samples=100, seed=3)
    assert a == joint_w1(u, v, max_samples=100, seed=3)
    assert a != joint_w1(u, v, max_samples=100, seed=4)
    # true W1 is |(1,1,1)| = 1.73; subsamples of 100 overestimate by the sampling floor
    assert 1.5 < joint_w1(u, v, max_samples=100, seed=3, repeats=3) < 2.5


def test_nonfinite_gives_nan_and_bad_input_errors():
    u = np.zeros((5, 2))
    v = np.ones((5, 2))
    v[2, 1] = np.nan
    assert np.isnan(joint_w1(u, v))
    with pytest.raises(ValueError, match="number of variables"):
        joint_w1(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="max_samples"):
        joint_w1(u, u, max_samples=0)
