"""Rounded matrix products: the tiled kernel against an op-by-op reference.

The oracle writes the documented order out with ``numprec.round`` on the
vector of all output elements ("lanes", flat C order) at each step: every
product rounded (events ``0 .. k-1``), then every partial sum (sequential,
the pairwise halving tree in post-order, or Kahan's four roundings), event
``e`` of lane ``i`` using counter ``e*L + i`` of the stream.
"""
import numpy as np
import pytest

import numprec
from numprec.emulate import Policy
from numprec.emulate.reductions import matmul_arrays, rounded_dot
from numprec.emulate.rounder import Rounder
from numprec.rounding.schemes import BUILTIN

RNG = np.random.default_rng(11)
MODES = ["nearest_even", "nearest_away", "toward_zero", "up", "down", "odd",
         "stochastic", "stochastic_uniform"]


class Events:
    """Round lane vectors event by event with numprec.round."""

    def __init__(self, fmt, rounding, seed, stream, lanes, random_bits=None):
        self.fmt, self.rounding, self.seed, self.stream = fmt, rounding, seed, stream
        self.lanes, self.e, self.random_bits = lanes, 0, random_bits

    def __call__(self, v, fmt=None, event=None):
        e = self.e if event is None else event
        out = numprec.round(np.array(v, dtype=np.float64), fmt or self.fmt, self.rounding,
                            seed=self.seed, stream=self.stream, offset=e * self.lanes,
                            random_bits=self.random_bits)
        if event is None:
            self.e += 1
        return out


def reference_matmul(a, b, fmt, rounding, method, seed=5, stream=3, random_bits=None,
                     products=None):
    """a (B, m, k) @ b (B, k, n), op by op; ``products`` overrides a*b."""
    B, m, k = a.shape
    n = b.shape[2]
    lanes = B * m * n
    rnd = Events(fmt, rounding, seed, stream, lanes, random_bits)
    if products is None:
        products = a[:, :, :, None] * b[:, None, :, :]          # (B, m, k, n)
    terms = [products[:, :, kk, :].reshape(-1) for kk in range(k)]
    p = [rnd(t) for t in terms]                                # events 0..k-1
    if method == "pairwise":
        def tree(lo, hi):
            if hi - lo == 1:
                return p[lo]
            mid = lo + (hi - lo) // 2
            left = tree(lo, mid)
            right = tree(mid, hi)
            return rnd(left + right)
        s = tree(0, k)
    elif method == "kahan":
        s, c = p[0], np.zeros(lanes)
        for kk in range(1, k):
            y = rnd(p[kk] - c)
            u = rnd(s + y)
            c = rnd(rnd(u - s) - y)
            s = u
    else:
        s = p[0]
        for kk in range(1, k):
            s = rnd(s + p[kk])
    return s.reshape(B, m, n)


def values(shape, fmt="e11m10", scale=1.0):
    return numprec.round(RNG.standard_normal(shape) * scale, fmt)


def bits(x):
    return np.asarray(x, dtype=np.float64).view(np.int64)


@pytest.mark.parametrize("method", ["sequential", "pairwise", "kahan"])
@pytest.mark.parametrize("rounding", MODES)
def test_kernel_matches_op_by_op_reference(method, rounding):
    fmt = numprec.get_format("e5m10")
    # tiles of 256 lanes: n = 300 gives a full and a partial tile per row;
    # m = 9: blocks of 4 rows and a partial one
    for (m, k, n) in [(3, 7, 5), (2, 13, 300), (1, 1, 4), (9, 6, 20)]:
        a, b = values((m, k), "e5m10"), values((k, n), "e5m10")
        got = rounded_dot(a, b, fmt, rounding, method=method, seed=5, stream=3)
        want = reference_matmul(a[None], b[None], fmt, rounding, method)[0]
        assert np.array_equal(bits(got), bits(want)), (m, k, n)


@pytest.mark.parametrize("rounding", ["stochastic", "stochastic_uniform"])
def test_random_bits_and_batches(rounding):
    fmt = numprec.get_format("bf16")
    a, b = values((4, 3, 9), "bf16"), values((9, 6), "bf16")       # b broadcast over batch
    for method in ["sequential", "pairwise", "kahan"]:
        got = rounded_dot(a, b, fmt, rounding, method=method, seed=9, stream=1, random_bits=4)
        want = reference_matmul(a, np.broadcast_to(b, (4, 9, 6)), fmt, rounding, method,
                                seed=9, stream=1, random_bits=4)
        assert np.array_equal(bits(got), bits(want)), method


def test_subnormal_overflow_and_special_values_take_the_general_path():
    fmt = numprec.get_format("e5m10")
    a = np.array([[6.0e4, 1.0, np.nan, 2.0 ** -20], [-6.0e4, -0.0, 3.0, 2.0 ** -14]])
    b = np.array([[2.0, 0.5], [1.0, -0.0], [0.0, 1.0], [2.0 ** -5, 1.0]])
    for rounding in MODES:
        got = rounded_dot(a, b, fmt, rounding, seed=2)
        want = reference_matmul(a[None], b[None], fmt, rounding, "sequential", seed=2,
                                stream=0)[0]
        assert np.array_equal(bits(got), bits(want)), rounding


def test_one_dimensional_operands_follow_numpy_shapes():
    fmt = numprec.get_format("e11m10")
    a, b = values(7), values((7, 3))
    assert rounded_dot(a, b, fmt).shape == (3,)
    assert rounded_dot(b.T, a, fmt).shape == (3,)
    assert rounded_dot(a, a, fmt).shape == ()
    want = reference_matmul(a[None, None, :], b[None], fmt, "nearest_even", "sequential",
                            stream=0)[0, 0]
    assert np.array_equal(bits(rounded_dot(a, b, fmt, seed=5)), bits(want))


def test_arithmetic_multiply_products_are_rounded_and_summed_in_order():
    fmt = numprec.get_format("e5m10")
    r = Rounder(fmt, BUILTIN["stochastic"])

    def multiply(x, y, f):                        # an approximate multiplier
        return numprec.round(x * y * (1 + 2.0 ** -6), f)

    a, b = values((3, 5), "e5m10"), values((5, 4), "e5m10")
    for method in ["sequential", "pairwise", "kahan"]:
        got = matmul_arrays(a, b, r, 5, 3, method, multiply=multiply, fmt=fmt)
        prods = multiply(a[:, :, None], b[None, :, :], fmt)[None]
        want = reference_matmul(a[None], b[None], fmt, "stochastic", method, products=prods)[0]
        assert np.array_equal(bits(got), bits(want)), method


def test_float32_containers_give_the_float64_results():
    a0, b0 = values((6, 17), "bf16"), values((17, 5), "bf16")
    for rounding in ["nearest_even", "stochastic"]:
        out = []
        for dtype in ["float64", "float32"]:
            p = Policy("bf16", rounding=rounding, seed=4, dtype=dtype)
            c = p.asarray(a0) @ p.asarray(b0)
            assert c.dtype == np.dtype(dtype)
            out.append(c.to_numpy().astype(np.float64))
        assert np.array_equal(bits(out[0]), bits(out[1])), rounding
    p = Policy("bf16", dtype="float32")
    got = (p.asarray(a0) @ p.asarray(b0)).to_numpy()
    want = reference_matmul(a0[None], b0[None], "bf16", "nearest_even", "sequential")[0]
    assert np.array_equal(got.astype(np.float64), want)


def test_golden_values_of_the_lane_by_lane_kernel():
    """Bits from the lane-by-lane kernel this one replaced (same seed)."""
    a = numprec.round(np.linspace(-1.3, 2.1, 12).reshape(3, 4), "e5m10")
    b = numprec.round(np.linspace(0.7, -3.2, 8).reshape(4, 2), "e5m10")
    got = rounded_dot(a, b, "e5m10", "stochastic", seed=123, stream=4)
    assert got.tolist() == GOLDEN_SR
    got = rounded_dot(a, b, "e5m10", "nearest_even", method="kahan")
    assert got.tolist() == GOLDEN_KAHAN_RN


GOLDEN_SR = [[1.52734375, 3.390625], [-3.2734375, -4.16796875], [-8.0703125, -11.7265625]]
GOLDEN_KAHAN_RN = [[1.52734375, 3.390625], [-3.27734375, -4.171875], [-8.078125, -11.7265625]]


@pytest.mark.parametrize("method", ["sequential", "kahan"])
def test_results_do_not_depend_on_the_thread_count(method):
    from numprec.rounding.threads import get_num_threads, set_num_threads
    a, b = values((130, 128)), values((128, 129))          # > 2^21 multiply-adds: threads
    before = get_num_threads()
    try:
        out = []
        for n in (1, 2):
            set_num_threads(n)
            out.append(rounded_dot(a, b, "e11m10", "stochastic", method=method, seed=3))
    finally:
        set_num_threads(before)
    assert np.array_equal(bits(out[0]), bits(out[1]))
