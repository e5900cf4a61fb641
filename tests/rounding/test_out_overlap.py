"""``out=`` that partly overlaps ``x`` behaves as numpy does: as if ``x`` were
read completely before anything is written."""
import numpy as np
import pytest

import numprec


@pytest.mark.parametrize("rounding", ["nearest_even", "toward_zero", "stochastic"])
@pytest.mark.parametrize("shift", [1, 2, -1, 5])
def test_partly_overlapping_out_equals_rounding_a_copy(shift, rounding):
    a = np.arange(40.0) + 0.1
    b = a.copy()
    src, dst = (slice(0, 40 - shift), slice(shift, 40)) if shift > 0 else \
        (slice(-shift, 40), slice(0, 40 + shift))
    want = numprec.round(b[src].copy(), "fp16", rounding, seed=7)
    numprec.round(a[src], "fp16", rounding, seed=7, out=a[dst])
    assert np.array_equal(a[dst], want)
    if rounding == "nearest_even":                 # numpy's float16 cast as the oracle
        assert np.array_equal(a[dst], b[src].astype(np.float16).astype(np.float64))


def test_issue_example():
    a = np.arange(10.) + .1
    numprec.round(a[:-1], "fp16", out=a[1:])
    np.testing.assert_array_equal(a[1:], (np.arange(9.) + .1).astype(np.float16))


def test_reversed_and_strided_overlap():
    a = np.linspace(-3, 3, 101)
    b = a.copy()
    numprec.round(a[::-1], "bfloat16", out=a)          # same memory, reversed
    import ml_dtypes
    want = b[::-1].astype(np.float32).astype(ml_dtypes.bfloat16).astype(np.float64)
    assert np.array_equal(a, want)
    c = np.linspace(-3, 3, 100)
    d = c.copy()
    numprec.round(c[::2], "fp16", out=c[1::2])          # interleaved
    assert np.array_equal(c[1::2], d[::2].astype(np.float16))


def test_in_place_still_works():
    a = np.arange(10.) + .1
    want = a.astype(np.float16).astype(np.float64)
    assert numprec.round(a, "fp16", out=a) is a
    assert np.array_equal(a, want)
