"""Formats that round nothing: a policy whose compute format is the
container's own (binary64 on float64, binary32 on float32) with exact
products, no accumulation model and the default summation order computes
matrix products, sums and FFTs with numpy itself, so its results are numpy's
bit for bit (the e11m52-equals-double check of Paxton et al. 2022).

Oracle: plain numpy on the same values.  Each test first checks that the
data tell numpy's result apart from the sequential op-by-op one (built here
with Python floats), so that it could fail.
"""
import functools
import operator

import numpy as np
import pytest

from numprec.emulate import EmulatedComplex, Policy, to_numpy
from numprec.emulate.accumulation import Accumulation


def _sequential_sum(values):
    return functools.reduce(operator.add, (float(v) for v in values))


@pytest.fixture
def data():
    rng = np.random.default_rng(12)
    return rng.standard_normal((6, 70, 50)), rng.standard_normal((6, 50, 40))


@pytest.mark.parametrize("fmt", ["binary64", "e11m52"])
def test_binary64_matmul_is_numpys(data, fmt):
    a, b = data
    want = np.matmul(a, b)
    seq = np.array([[_sequential_sum(a[0, i] * b[0, :, j]) for j in range(40)]
                    for i in range(70)])
    assert not np.array_equal(seq, want[0])           # BLAS sums in its own order
    p = Policy(fmt)
    got = to_numpy(p.asarray(a) @ p.asarray(b))
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(to_numpy(np.matmul(p.asarray(a[0]), b[0])), want[0])
    np.testing.assert_array_equal(to_numpy(np.einsum("ij,jk->ik", p.asarray(a[0]),
                                                     p.asarray(b[0]))), a[0] @ b[0])
    assert p.streams_used == 0


def test_binary64_sums_are_numpys():
    x = np.random.default_rng(3).standard_normal(10_000) * 1e3
    assert _sequential_sum(x) != np.sum(x)              # numpy sums pairwise
    p = Policy("binary64")
    ex = p.asarray(x)
    assert to_numpy(np.sum(ex)) == np.sum(x)
    assert to_numpy(np.mean(ex)) == np.mean(x)
    assert to_numpy(ex.sum()) == x.sum()
    m = x.reshape(100, 100)
    em = p.asarray(m)
    for axis in (0, 1, None, (0, 1)):
        np.testing.assert_array_equal(to_numpy(np.sum(em, axis=axis)), np.sum(m, axis=axis))
    np.testing.assert_array_equal(to_numpy(np.sum(em, axis=1, keepdims=True)),
                                  np.sum(m, axis=1, keepdims=True))
    np.testing.assert_array_equal(to_numpy(np.cumsum(em, axis=0)), np.cumsum(m, axis=0))
    np.testing.assert_array_equal(to_numpy(np.cumsum(em)), np.cumsum(m))
    np.testing.assert_array_equal(to_numpy(np.prod(em[:3] / 1e3, axis=0)),
                                  np.prod(m[:3] / 1e3, axis=0))
    np.testing.assert_array_equal(to_numpy(np.add.reduce(em, axis=1)), np.add.reduce(m, axis=1))


def test_binary64_ffts_are_numpys():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((8, 48, 96))
    z = x + 1j * rng.standard_normal(x.shape)
    p = Policy("e11m52")
    ex = p.asarray(x)
    ez = EmulatedComplex(p.asarray(z.real), p.asarray(z.imag))
    for norm in (None, "ortho", "forward"):
        got = np.fft.rfft(ex, norm=norm)
        assert isinstance(got, EmulatedComplex)
        np.testing.assert_array_equal(got.to_numpy(), np.fft.rfft(x, norm=norm))
        np.testing.assert_array_equal(np.fft.fft(ez, axis=1, norm=norm).to_numpy(),
                                      np.fft.fft(z, axis=1, norm=norm))
        np.testing.assert_array_equal(np.fft.ifft(ez, n=50, norm=norm).to_numpy(),
                                      np.fft.ifft(z, n=50, norm=norm))
        X = np.fft.rfft(x)[..., :22]
        eX = EmulatedComplex(p.asarray(np.ascontiguousarray(X.real)),
                             p.asarray(np.ascontiguousarray(X.imag)))
        back = np.fft.irfft(eX, n=96, norm=norm)
        assert back.format == p.compute
        np.testing.assert_array_equal(to_numpy(back), np.fft.irfft(X, n=96, norm=norm))


def test_binary32_in_float32_containers_is_numpys_float32():
    rng = np.random.default_rng(8)
    a = rng.standard_normal((64, 64)).astype(np.float32)
    b = rng.standard_normal((64, 32)).astype(np.float32)
    p = Policy("binary32", dtype="float32")
    assert p.plan.native
    prod = p.asarray(a) @ p.asarray(b)
    assert prod.dtype == np.float32
    np.testing.assert_array_equal(to_numpy(prod), a @ b)
    x = rng.standard_normal(5000).astype(np.float32)
    assert to_numpy(np.sum(p.asarray(x))) == np.sum(x)
    np.testing.assert_array_equal(np.fft.rfft(p.asarray(a)).to_numpy(), np.fft.rfft(a))


def test_other_summation_orders_are_still_carried_out():
    """``kahan`` and ``pairwise`` are algorithms, not roundings: a binary64
    policy with them is not native and sums exactly as asked."""
    x = np.array([1.0] + [1e-16] * 1000 + [-1.0])
    p = Policy("binary64", summation="kahan")
    assert not p.plan.native
    s = c = 0.0
    for t in x:                     # Kahan (1965), op by op in binary64
        y = t - c
        u = s + y
        c = (u - s) - y
        s = u
    assert s != np.sum(x)
    assert to_numpy(np.sum(p.asarray(x))) == s


def test_rounding_formats_and_schemes_are_not_native():
    assert not Policy("e11m50").plan.native
    assert not Policy("binary32").plan.native          # float64 containers round
    acc = Accumulation(product="binary64", accumulator="binary64")
    assert not Policy("binary64", accumulation=acc).plan.native
