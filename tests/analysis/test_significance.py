"""Significant bits of stochastic samples (Sohier et al. 2021), checked on
samples whose spread is known and against the paper's sample-size rule."""
import math

import numpy as np
import pytest
from scipy.stats import norm

from numprec.analysis import significant_bits


def normal_samples(sigma, n, seed=0, shape=()):
    return 1.0 + sigma * np.random.default_rng(seed).standard_normal((n,) + shape)


def test_parker_estimate_is_minus_log2_of_the_relative_spread():
    x = normal_samples(2.0**-20, 20_000)
    assert significant_bits(x, probability=None, confidence=None) == pytest.approx(20, abs=0.02)
    assert significant_bits(x, 1.0, probability=None, confidence=None) == pytest.approx(20, abs=0.02)


def test_cnh_with_probability_and_confidence_subtracts_the_normal_quantile():
    n = 20_000
    x = normal_samples(2.0**-20, n)
    plain = significant_bits(x, 1.0, probability=None, confidence=None)
    got = significant_bits(x, 1.0, probability=0.9, confidence=0.95)
    from scipy.stats import chi2
    expected = plain - math.log2(norm.ppf(0.95)) - 0.5 * math.log2(n / chi2.ppf(0.05, n))
    assert got == pytest.approx(expected, abs=1e-12)


def test_bernoulli_agrees_with_cnh_on_normal_samples():
    x = normal_samples(2.0**-30, 5000, seed=4)
    cnh = significant_bits(x, 1.0, probability=0.9, confidence=0.95)
    bern = significant_bits(x, 1.0, method="bernoulli", probability=0.9, confidence=0.95)
    assert bern == pytest.approx(cnh, abs=0.3)


def test_bernoulli_with_the_smallest_sample_needs_every_sample():
    # ln(0.05) / ln(0.9) = 28.4: 29 samples suffice only if all succeed
    errors = np.random.default_rng(2).uniform(2.0**-25, 2.0**-10, 29)
    x = 1.0 + errors
    got = significant_bits(x, 1.0, method="bernoulli", probability=0.9, confidence=0.95)
    assert got == (-np.log2(np.abs(x / 1.0 - 1))).min()
    with pytest.raises(ValueError, match="at least 29"):
        significant_bits(x[:28], 1.0, method="bernoulli", probability=0.9, confidence=0.95)


def test_per_point_results_and_absolute_errors():
    x = np.random.default_rng(0).standard_normal((4000, 3)) * np.array([2.0**-10, 2.0**-20, 2.0**-30])
    bits = significant_bits(x, 0.0, relative=False, probability=None, confidence=None)
    np.testing.assert_allclose(bits, [10, 20, 30], atol=0.05)
    rel = significant_bits(np.ones((4, 2)), np.array([0.0, 1.0]))
    assert np.isnan(rel[0]) and rel[1] == 64


@pytest.mark.parametrize("kwargs, match", [
    (dict(samples=np.ones(1)), "at least 2"),
    (dict(samples=np.ones(4), method="x"), "method"),
    (dict(samples=np.ones(4), probability=1.0), "probability"),
    (dict(samples=np.ones(4), probability=None), "both"),
    (dict(samples=np.ones(4), method="bernoulli", probability=None), "needs probability"),
])
def test_bad_input_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        significant_bits(**kwargs)
