"""np.einsum / np.tensordot on emulated arrays: rounded contractions.

Oracle (round-to-nearest, every mode of summation): each output element
written out with scalar ``numprec.round`` calls in the documented order —
products rounded, then summed over the contracted indices (flattened in the
order they appear in the first operand).  Stochastic rounding: the same
numbers as the equivalent ``a @ b`` of the rearranged operands.
"""
import itertools

import numpy as np
import pytest

import numprec
from numprec.emulate import Policy

RNG = np.random.default_rng(5)
FMT = "e5m10"


def R(x):
    return float(numprec.round(np.float64(x), FMT))


def element(terms):
    """Sequential rounded dot product of (a_k, b_k) pairs."""
    s = None
    for x, y in terms:
        p = R(x * y)
        s = p if s is None else R(s + p)
    return s


def vals(*shape):
    return numprec.round(RNG.standard_normal(shape), FMT)


def emu(p, x):
    return p.asarray(x)


def test_matrix_products():
    p = Policy(FMT)
    a, b, c = vals(3, 4), vals(4, 5), vals(6, 4)
    got = np.einsum("ij,jk->ik", emu(p, a), emu(p, b)).to_numpy()
    want = [[element((a[i, j], b[j, k]) for j in range(4)) for k in range(5)] for i in range(3)]
    assert np.array_equal(got, want)
    got = np.einsum("ij,kj->ik", emu(p, a), emu(p, c)).to_numpy()
    want = [[element((a[i, j], c[k, j]) for j in range(4)) for k in range(6)] for i in range(3)]
    assert np.array_equal(got, want)
    got = np.einsum("jk,ij->ki", emu(p, b), emu(p, a)).to_numpy()     # permuted output
    want = [[element((b[j, k], a[i, j]) for j in range(4)) for i in range(3)] for k in range(5)]
    assert np.array_equal(got, want)


def test_batched_and_ellipsis_contractions():
    p = Policy(FMT)
    a, b = vals(2, 3, 4), vals(2, 4, 5)
    got = np.einsum("bij,bjk->bik", emu(p, a), emu(p, b)).to_numpy()
    want = [[[element((a[q, i, j], b[q, j, k]) for j in range(4)) for k in range(5)]
             for i in range(3)] for q in range(2)]
    assert np.array_equal(got, want)
    m, x = vals(3, 4), vals(2, 5, 4)                       # spectral-transform style
    got = np.einsum("mj,...j->...m", emu(p, m), emu(p, x)).to_numpy()
    assert got.shape == (2, 5, 3)
    for q, r, i in itertools.product(range(2), range(5), range(3)):
        assert got[q, r, i] == element((m[i, j], x[q, r, j]) for j in range(4))


def test_several_contracted_indices_and_tensordot():
    p = Policy(FMT)
    a, b = vals(3, 2, 4), vals(2, 4, 5)
    got = np.einsum("ijk,jkl->il", emu(p, a), emu(p, b)).to_numpy()
    td = np.tensordot(emu(p, a), emu(p, b), axes=2).to_numpy()
    for i, ll in itertools.product(range(3), range(5)):
        want = element((a[i, j, k], b[j, k, ll]) for j in range(2) for k in range(4))
        assert got[i, ll] == want and td[i, ll] == want
    td = np.tensordot(emu(p, a), emu(p, b), axes=([1], [0])).to_numpy()
    assert td.shape == (3, 4, 4, 5)
    assert td[1, 2, 3, 4] == element([(a[1, 0, 2], b[0, 3, 4]), (a[1, 1, 2], b[1, 3, 4])])


def test_stochastic_einsum_is_the_equivalent_matmul():
    a, b = vals(4, 6), vals(5, 6)
    p1 = Policy(FMT, rounding="stochastic", seed=8)
    got = np.einsum("ij,kj->ik", emu(p1, a), emu(p1, b)).to_numpy()
    p2 = Policy(FMT, rounding="stochastic", seed=8)
    want = (emu(p2, a) @ emu(p2, b.T.copy())).to_numpy()
    assert np.array_equal(got, want)


@pytest.mark.parametrize("subscripts, shapes", [
    ("ii->i", [(3, 3)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ij,jk->k", [(2, 3), (3, 4)]),
    ("ii,ij->j", [(3, 3), (3, 4)]),
])
def test_unsupported_subscripts_are_refused_by_name(subscripts, shapes):
    p = Policy(FMT)
    ops = [p.asarray(vals(*s)) for s in shapes]
    with pytest.raises(TypeError, match=subscripts.replace(".", r"\.")):
        np.einsum(subscripts, *ops)


def test_shape_errors():
    p = Policy(FMT)
    with pytest.raises(ValueError, match="index 'j' has sizes 3 and 4"):
        np.einsum("ij,jk->ik", p.asarray(vals(2, 3)), p.asarray(vals(4, 2)))
    with pytest.raises(ValueError, match="shape mismatch"):
        np.tensordot(p.asarray(vals(2, 3)), p.asarray(vals(4, 2)), axes=1)
