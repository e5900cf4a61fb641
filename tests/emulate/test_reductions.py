"""Rounded reductions: every accumulation step is rounded, in the documented order.

Oracles: the orders written out here with ``numprec.round`` on the vector of
lanes at each step (rounding ``k`` of lane ``i`` uses counter ``k*L + i``),
and exact facts of low-precision summation (stagnation under
round-to-nearest, Kahan's recovery of the lost increments).
"""
import numpy as np
import pytest

import numprec
from numprec.emulate import Policy
from numprec.emulate.reductions import rounded_cumsum, rounded_dot, rounded_sum

RNG = np.random.default_rng(7)


class Oracle:
    """Event-major rounding of lane vectors with numprec.round."""

    def __init__(self, fmt, rounding, seed, stream, lanes):
        self.args = (fmt, rounding)
        self.seed, self.stream, self.lanes, self.k = seed, stream, lanes, 0

    def __call__(self, v):
        out = numprec.round(np.array(v, dtype=np.float64), *self.args, seed=self.seed,
                            stream=self.stream, offset=self.k * self.lanes)
        self.k += 1
        return out


def sequential(terms, rnd):
    s = terms[:, 0]
    for j in range(1, terms.shape[1]):
        s = rnd(s + terms[:, j])
    return s


def pairwise(terms, rnd):
    n = terms.shape[1]
    if n == 1:
        return terms[:, 0]
    mid = n // 2
    a = pairwise(terms[:, :mid], rnd)
    b = pairwise(terms[:, mid:], rnd)
    return rnd(a + b)


def kahan(terms, rnd):
    s = terms[:, 0]
    c = np.zeros(terms.shape[0])
    for j in range(1, terms.shape[1]):
        y = rnd(terms[:, j] - c)
        t = rnd(s + y)
        c = rnd(rnd(t - s) - y)
        s = t
    return s


ORDERS = {"sequential": sequential, "pairwise": pairwise, "kahan": kahan}


@pytest.mark.parametrize("method", sorted(ORDERS))
@pytest.mark.parametrize("rounding", ["nearest_even", "stochastic", "up"])
@pytest.mark.parametrize("n", [1, 2, 7, 64, 333])
def test_sum_rows_matches_the_order(method, rounding, n):
    terms = numprec.round(RNG.normal(size=(5, n)) * 100, "bf16")
    got = rounded_sum(terms, "bf16", rounding, axis=1, method=method, seed=4, stream=9)
    want = ORDERS[method](terms, Oracle("bf16", rounding, 4, 9, 5))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("method", sorted(ORDERS))
def test_generic_path_for_other_formats_matches_the_order(method):
    fmt = numprec.FixedFormat(6, 5)
    terms = numprec.round(RNG.normal(size=(4, 30)) * 3, fmt)
    got = rounded_sum(terms, fmt, "stochastic", axis=-1, method=method, seed=1, stream=2)
    want = ORDERS[method](terms, Oracle(fmt, "stochastic", 1, 2, 4))
    np.testing.assert_array_equal(got, want)


def test_axes_are_flattened_in_c_order():
    x = numprec.round(RNG.normal(size=(3, 4, 5)), "fp16")
    got = rounded_sum(x, "fp16", axis=(0, 2), seed=0)
    terms = np.moveaxis(x, 1, 0).reshape(4, 15)
    np.testing.assert_array_equal(got, sequential(terms, Oracle("fp16", "nearest_even", 0, 0, 4)))
    assert rounded_sum(x, "fp16", axis=(0, 2), keepdims=True).shape == (1, 4, 1)
    assert rounded_sum(x, "fp16").shape == ()


def test_round_to_nearest_stagnates_and_kahan_recovers():
    # 2048 + 1 is a tie in binary16 (spacing 2 above 2048): RN keeps 2048
    # forever; Kahan carries the lost 1 and adds 2 at a time: exact 2148.
    terms = np.array([2048.0] + [1.0] * 100)
    assert rounded_sum(terms, "fp16", method="sequential") == 2048.0
    assert rounded_sum(terms, "fp16", method="kahan") == 2148.0
    # stochastic rounding is right on average
    sr = [rounded_sum(terms, "fp16", "stochastic", seed=s) for s in range(200)]
    assert abs(np.mean(sr) - 2148.0) < 3 * np.std(sr) / np.sqrt(200) + 0.5


def test_pairwise_error_is_smaller_than_sequential():
    # Higham (1993): worst-case error ~ n u sequential, ~ log2(n) u pairwise.
    terms = numprec.round(RNG.uniform(0, 1, size=(50, 4096)), "bf16")
    exact = terms.sum(axis=1)
    err_seq = np.abs(rounded_sum(terms, "bf16", axis=1, method="sequential") - exact)
    err_pair = np.abs(rounded_sum(terms, "bf16", axis=1, method="pairwise") - exact)
    assert err_pair.mean() < err_seq.mean() / 10


def test_cumsum_rounds_every_partial_sum():
    x = numprec.round(RNG.normal(size=(3, 40)), "e5m4")
    got = rounded_cumsum(x, "e5m4", "stochastic", axis=1, seed=3, stream=1)
    rnd = Oracle("e5m4", "stochastic", 3, 1, 3)
    s = x[:, 0]
    want = [s]
    for j in range(1, 40):
        s = rnd(s + x[:, j])
        want.append(s)
    np.testing.assert_array_equal(got, np.stack(want, axis=1))
    # the last column is the sequential sum with the same counters
    np.testing.assert_array_equal(got[:, -1], rounded_sum(x, "e5m4", "stochastic", axis=1,
                                                          seed=3, stream=1))


@pytest.mark.parametrize("method", sorted(ORDERS))
def test_dot_rounds_products_then_every_partial_sum(method):
    a = numprec.round(RNG.normal(size=(3, 17)), "bf16")
    b = numprec.round(RNG.normal(size=(17, 2)), "bf16")
    got = rounded_dot(a, b, "bf16", "stochastic", method=method, seed=8, stream=3)
    lanes = 6
    rnd = Oracle("bf16", "stochastic", 8, 3, lanes)
    products = (a[:, :, None] * b[None, :, :]).transpose(0, 2, 1).reshape(lanes, 17)
    prods = np.stack([rnd(products[:, j]) for j in range(17)], axis=1)
    want = ORDERS[method](prods, rnd).reshape(3, 2)
    np.testing.assert_array_equal(got, want)


def test_emulated_reductions_use_the_policy_order_and_one_stream_each():
    x = numprec.round(RNG.normal(size=(6, 50)), "fp16")
    p = Policy("fp16", rounding="stochastic", seed=5, summation="pairwise")
    ex = p.constant(x)
    s = ex.sum(axis=1)
    m = np.mean(ex, axis=1)
    np.testing.assert_array_equal(s.to_numpy(),
                                  pairwise(x, Oracle("fp16", "stochastic", 5, 0, 6)))
    s1 = pairwise(x, Oracle("fp16", "stochastic", 5, 1, 6))
    np.testing.assert_array_equal(m.to_numpy(), numprec.round(s1 / 50, "fp16", "stochastic",
                                                              seed=5, stream=2))
    assert p.streams_used == 3


def test_emulated_matmul_and_dot():
    a = numprec.round(RNG.normal(size=(4, 9)), "fp16")
    b = numprec.round(RNG.normal(size=(9, 3)), "fp16")
    v = numprec.round(RNG.normal(size=9), "fp16")
    p = Policy("fp16", rounding="nearest_even", seed=0)
    ea, eb, ev = p.constant(a), p.constant(b), p.constant(v)
    np.testing.assert_array_equal((ea @ eb).to_numpy(), rounded_dot(a, b, "fp16"))
    np.testing.assert_array_equal(np.dot(ea, ev).to_numpy(), rounded_dot(a, v, "fp16"))
    np.testing.assert_array_equal(np.dot(ev, ev).to_numpy(), rounded_dot(v, v, "fp16"))
    batch = np.stack([a, a[::-1]])
    got = np.matmul(p.constant(batch), eb).to_numpy()
    np.testing.assert_array_equal(got[1], rounded_dot(a[::-1], b, "fp16"))


def test_add_reduce_and_accumulate_ufunc_methods():
    x = numprec.round(RNG.normal(size=(5, 8)), "bf16")
    p = Policy("bf16", seed=0)
    ex = p.constant(x)
    np.testing.assert_array_equal(np.add.reduce(ex).to_numpy(),
                                  rounded_sum(x, "bf16", axis=0))
    np.testing.assert_array_equal(np.add.accumulate(ex, axis=1).to_numpy(),
                                  rounded_cumsum(x, "bf16", axis=1))
    np.testing.assert_array_equal(np.maximum.reduce(ex, axis=1).to_numpy(), x.max(axis=1))


def test_prod_is_rounded_sequentially():
    x = numprec.round(RNG.uniform(0.5, 2, size=(3, 12)), "e5m3")
    got = Policy("e5m3", seed=0).constant(x).prod(axis=1).to_numpy()
    rnd = Oracle("e5m3", "nearest_even", 0, 0, 3)
    s = x[:, 0]
    for j in range(1, 12):
        s = rnd(s * x[:, j])
    np.testing.assert_array_equal(got, s)


def test_empty_reductions():
    p = Policy("fp16", seed=0)
    assert float(p.asarray(np.zeros(0)).sum()) == 0.0
    assert float(p.asarray(np.zeros(0)).prod()) == 1.0


def test_reduction_errors_name_the_problem():
    x = Policy("fp16", seed=0).asarray(np.ones(4))
    with pytest.raises(TypeError, match="dtype"):
        np.sum(x, dtype=np.int64)
    with pytest.raises(ValueError, match="method"):
        rounded_sum(np.ones(3), "fp16", method="tree")
    with pytest.raises(TypeError, match="subtract.reduce"):
        np.subtract.reduce(x)


def test_var_std_compose_rounded_steps():
    x = numprec.round(RNG.normal(size=20), "fp16")
    p = Policy("fp16", seed=0)
    got = np.std(p.constant(x)).to_numpy()
    r = lambda v: numprec.round(np.asarray(v, dtype=np.float64), "fp16")  # noqa: E731
    s = sequential(x[None, :], lambda v: r(v))[0]
    m = r(s / 20)
    d = r(x - m)
    sq = r(d * d)
    v = r(sequential(sq[None, :], lambda v: r(v))[0] / 20)
    assert got == r(np.sqrt(v))
    assert abs(float(got) - x.std()) < 0.01


def test_float32_containers_reduce_like_float64():
    x = numprec.round(RNG.normal(size=(7, 300)), "fp16")
    for method in ("sequential", "pairwise", "kahan"):
        got = {}
        for dtype in ("float64", "float32"):
            p = Policy("fp16", rounding="stochastic", seed=1, summation=method, dtype=dtype)
            ex = p.constant(x)
            got[dtype] = [ex.sum(axis=1).to_numpy(), np.cumsum(ex, axis=1).to_numpy(),
                          (ex @ ex.T).to_numpy()]
            assert ex.sum(axis=1).dtype == np.dtype(dtype)
        for a, b in zip(got["float64"], got["float32"]):
            np.testing.assert_array_equal(a, b)
