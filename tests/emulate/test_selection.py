"""Selection and copying functions on emulated arrays: np.roll, np.pad,
np.where, np.take, fancy indexing, np.clip, slicing and concatenation.

Their rounding rule (docs/emulate.md): values of the array are only moved
or selected, so the result is exact (no rounding, no random stream); values
that come from outside (a pad constant, the ``0.1`` of ``np.where(m, x,
0.1)``, clip bounds) are converted once with round-to-nearest-even.  The
oracle is plain numpy on the same values (already values of the format) and
``numprec.round`` for the out-of-format constants, compared bit for bit.
"""
import numpy as np
import pytest

import numprec
from numprec.emulate import EmulatedArray, Policy

FMT = "fp16"


def bits(x):
    x = x.to_numpy() if isinstance(x, EmulatedArray) else np.asarray(x, dtype=np.float64)
    return x.view(np.uint64)


def RN(v, fmt=FMT):
    return float(numprec.round(np.float64(v), fmt, "nearest_even"))


@pytest.fixture(params=["nearest_even", "stochastic"])
def setup(request):
    p = Policy(FMT, rounding=request.param, seed=5)
    a = numprec.round(np.random.default_rng(1).normal(size=(6, 7)), FMT)
    x = p.asarray(a)                        # a holds fp16 values: asarray is exact
    assert p.streams_used == 1
    return p, x, a


def assert_exact(p, got, want, fmt=FMT, streams=1):
    assert isinstance(got, EmulatedArray) and got.format == numprec.get_format(fmt)
    assert got.dtype == p.dtype and got.shape == np.shape(want)
    np.testing.assert_array_equal(bits(got), bits(want))
    assert p.streams_used == streams            # no stream taken


def test_roll_take_and_fancy_indexing_are_exact(setup):
    p, x, a = setup
    idx = np.array([5, 0, 3, 3])
    cases = [(np.roll(x, 3), np.roll(a, 3)), (np.roll(x, -2, axis=1), np.roll(a, -2, axis=1)),
             (np.roll(x, (1, 2), axis=(0, 1)), np.roll(a, (1, 2), axis=(0, 1))),
             (np.take(x, idx), np.take(a, idx)), (np.take(x, idx, axis=0), a[idx]),
             (x[idx], a[idx]), (x[:, [6, 1]], a[:, [6, 1]]), (x[a > 0], a[a > 0]),
             (x[x > 0], a[a > 0]), (x[1:, ::2], a[1:, ::2]), (x[::-1, 3], a[::-1, 3]),
             (x[2, 3], a[2, 3])]
    for got, want in cases:
        assert_exact(p, got, want)


def test_pad_modes(setup):
    p, x, a = setup
    for mode in ("edge", "wrap", "reflect", "symmetric"):
        assert_exact(p, np.pad(x, ((1, 2), (3, 0)), mode=mode),
                     np.pad(a, ((1, 2), (3, 0)), mode=mode))
    assert_exact(p, np.pad(x, 2), np.pad(a, 2))
    # an out-of-format constant: converted once, to nearest
    assert RN(0.1) != 0.1
    assert_exact(p, np.pad(x, 1, constant_values=0.1), np.pad(a, 1, constant_values=RN(0.1)))
    assert_exact(p, np.pad(x, ((1, 1), (2, 0)), constant_values=((0.1, 1e5), (1 / 3, 0.0))),
                 np.pad(a, ((1, 1), (2, 0)),
                        constant_values=((RN(0.1), np.inf), (RN(1 / 3), 0.0))))
    with pytest.raises(TypeError, match="mode"):
        np.pad(x, 1, mode=lambda *args: None)


def test_where(setup):
    p, x, a = setup
    y = p.asarray(a[::-1])
    assert p.streams_used == 2
    assert_exact(p, np.where(x > y, x, y), np.where(a > a[::-1], a, a[::-1]), streams=2)
    assert_exact(p, np.where(x > 0, x, 0.1), np.where(a > 0, a, RN(0.1)), streams=2)
    assert_exact(p, np.where(a > 0, 1 / 3, x), np.where(a > 0, RN(1 / 3), a), streams=2)
    np.testing.assert_array_equal(np.where(x > 0)[0], np.where(a > 0)[0])


def test_clip_bounds_are_converted_to_the_compute_format(setup):
    p, x, a = setup
    lo, hi = -0.7, 0.3
    want = np.clip(a, RN(lo), RN(hi))
    assert_exact(p, np.clip(x, lo, hi), want)
    assert_exact(p, x.clip(lo, hi), want)
    assert_exact(p, np.clip(x, None, hi), np.clip(a, None, RN(hi)))
    bound = p.asarray(np.full(7, 0.25))               # exact: 0.25 is an fp16 value
    assert_exact(p, np.clip(x, -bound, bound), np.clip(a, -0.25, 0.25), streams=2)


def test_clip_in_a_wider_compute_format_of_a_stored_state():
    """fp16 storage, fp32 compute: the bounds are fp32 values, the result is
    in the compute format (it holds the stored values and the bounds), or in
    the storage format when the bounds are values of it."""
    p = Policy("fp32", storage=FMT, seed=0)
    a = numprec.round(np.random.default_rng(2).normal(size=50), FMT)
    x = p.store(a)
    assert x.format == numprec.get_format(FMT)
    got = np.clip(x, -0.1, 0.1)
    assert_exact(p, got, np.clip(a, RN(-0.1, "fp32"), RN(0.1, "fp32")), fmt="fp32")
    assert_exact(p, np.clip(x, -0.5, 0.25), np.clip(a, -0.5, 0.25))


def test_concatenate_and_stack_are_exact(setup):
    p, x, a = setup
    for got, want in [(np.concatenate([x[:, -1:], x[:, :-1]], axis=1),
                       np.concatenate([a[:, -1:], a[:, :-1]], axis=1)),
                      (np.stack([x, x[::-1]]), np.stack([a, a[::-1]])),
                      (np.concatenate([x[0], np.array([0.1])]),
                       np.concatenate([a[0], [RN(0.1)]]))]:
        assert_exact(p, got, want)
