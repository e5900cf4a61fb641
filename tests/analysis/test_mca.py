"""Monte Carlo arithmetic samples: the significant bits they give match the
conditioning of problems whose error is known analytically."""
from fractions import Fraction
from math import comb

import numpy as np
import pytest

import numprec
from numprec.analysis import mca_format, mca_run, mca_samples, significant_bits


def bits(samples, exact):
    return significant_bits(samples, exact, probability=None, confidence=None)


def test_cancellation_loses_exactly_the_bits_of_the_ratio():
    # (a + b) - a at 24 bits: a + b lies half-way between two neighbours, so
    # stochastic rounding errs by exactly +-2**-24 and the subtraction is
    # exact (Sterbenz): the relative error of b is 2**-24 / b exactly.
    b = 1.5 * 2.0**-10 + 2.0**-24
    x = mca_samples(lambda a, c: (a + c) - a, 1.0, b, precision=24, samples=64)
    assert set(np.abs(x - b)) == {2.0**-24}
    assert bits(x, b) == pytest.approx(-np.log2(2.0**-24 / b), abs=1e-9)


def test_sequential_sum_spread_matches_the_stochastic_rounding_variance():
    # each partial sum S_k is rounded with error variance ulp(S_k)**2 / 6 on
    # average (uniform position between neighbours); errors add up linearly
    t = 20
    rng = np.random.default_rng(5)
    x = rng.standard_normal(200) * 1000
    x = numprec.round(np.append(x, -x[:150].sum() * (1 - 1e-5)), mca_format(t))
    partial = np.cumsum([Fraction(v) for v in x])[1:]
    exact = float(partial[-1])
    ulp = [2.0 ** (np.floor(np.log2(abs(float(s)))) - (t - 1)) for s in partial]
    predicted = -np.log2(np.sqrt(sum(u * u for u in ulp) / 6) / abs(exact))
    x_samples = mca_samples(lambda a: np.sum(a, axis=-1), x, precision=t, samples=2000,
                            batched=True)
    assert bits(x_samples, exact) == pytest.approx(predicted, abs=0.3)


@pytest.mark.parametrize("t", [30, 40, 50])
@pytest.mark.parametrize("x0", [0.9, 1.1, 1.3])
def test_horner_near_a_multiple_root_loses_the_condition_number(t, x0):
    # (x - 1)**7 expanded, by Horner: the error is bounded by about
    # cond * 2**-t with cond = sum |a_k x^k| / |p(x)| (Higham 2002, §5.1);
    # random rounding errors partly cancel, so a few bits more survive
    coef = [comb(7, k) * (-1) ** (7 - k) for k in range(8)]

    def horner(x):
        r = 0.0 * x + coef[7]
        for c in coef[6::-1]:
            r = r * x + c
        return r

    x = float(numprec.round(x0, mca_format(t)))
    exact = (Fraction(x) - 1) ** 7
    cond = sum(abs(c) * Fraction(x) ** k for k, c in enumerate(coef)) / abs(exact)
    expected = t - np.log2(float(cond))
    got = bits(mca_samples(horner, x, precision=t, samples=400, batched=True,
                           perturb_inputs=False), float(exact))
    assert expected - 0.5 <= got <= expected + 4


def test_samples_are_reproducible_and_independent_of_the_executor():
    from dask.distributed import Client, LocalCluster

    def f(v):
        return np.cumsum(v * 1.1 + 0.3)

    v = np.linspace(0, 1, 50)
    a = mca_samples(f, v, precision=12, samples=6, seed=9)
    b = mca_samples(f, v, precision=12, samples=6, seed=9)
    assert np.array_equal(a, b)
    assert not np.array_equal(a[0], a[1])
    with LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        c = mca_samples(f, v, precision=12, samples=6, seed=9, client=client)
    assert np.array_equal(a, c)


def test_mca_run_takes_a_function_of_the_policy():
    out = mca_run(lambda p: {"y": p.asarray(np.ones(3)) / 3}, precision=8, samples=3)
    assert out["y"].shape == (3, 3)
    assert np.all(out["y"] == numprec.round(out["y"], mca_format(8)))


@pytest.mark.parametrize("kwargs, match", [
    (dict(precision=1), "precision"), (dict(precision=54), "precision"),
    (dict(precision=10, samples=1), "samples"),
])
def test_bad_input_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mca_samples(lambda a: a, 1.0, **kwargs)
    with pytest.raises(TypeError, match="callable"):
        mca_run(3, precision=10)
