"""``np.einsum`` and ``np.tensordot`` on emulated arrays, as rounded matrix products.

Both are reduced to one rounded :func:`numpy.matmul` (see
:mod:`numprec.emulate.reductions` and docs/emulate.md, "Matrix products and
accumulation models") of transposed and reshaped operands, so every product
and every partial sum is rounded in the policy's summation order and
accumulation model, exactly as ``a @ b`` of those operands would be:

* ``np.tensordot(a, b, axes)``: ``a`` becomes (free of a, contracted), ``b``
  (contracted, free of b); several contracted axes are summed as one
  flattened axis, in C order of the axes as listed.
* ``np.einsum(subscripts, a, b)`` with two operands and an explicit output
  (``"->"``): each index is *batch* (in both operands and the output),
  *free* (in one operand and the output) or *contracted* (in both operands,
  not in the output).  ``a`` becomes (batch, free of a, contracted), ``b``
  (batch, contracted, free of b); batch dimensions broadcast as in matmul;
  contracted indices are summed as one flattened axis, in the order they
  appear in ``a``'s subscripts.  Covered: ``"ij,jk->ik"``, ``"bij,bjk->bik"``,
  ``"mj,...j->...m"``, ``"ij,kj->ik"``, outer products ``"i,j->ij"`` (no
  sum: each product rounded once) and their permutations.

The random numbers are those of the equivalent matmul: lane ``i`` is the
flat C index of the (batch, free of a, free of b) result before it is
transposed to the requested output order.

Refused with a TypeError naming the subscripts: one or more than two
operands, implicit output (no ``"->"``), an index repeated in one operand
(traces, diagonals) and an index of one operand missing from the output
(a sum over one operand: write ``np.sum`` explicitly).
"""
from __future__ import annotations

import string

import numpy as np

from numprec.emulate import engine as eng
from numprec.emulate.array import EmulatedArray
from numprec.emulate.context import active_policy
from numprec.emulate.handlers import implements


def _policies(*objs):
    found = [o for o in objs if isinstance(o, EmulatedArray)]
    home = found[0].policy if found else None
    return active_policy() or home, home


def _matmul(a, b):
    pol, home = _policies(a, b)
    return eng.matmul(pol, home, (a, b), None, {})


def _prod(shape):
    return int(np.prod(shape, dtype=np.int64))


# ------------------------------------------------------------ tensordot
@implements(np.tensordot)
def tensordot(a, b, axes=2):
    """Rounded ``np.tensordot`` (module notes)."""
    na, nb = np.ndim(a), np.ndim(b)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > min(na, nb):
            raise ValueError(f"tensordot: axes={n} does not fit operands of {na} and {nb} "
                             "dimensions")
        ax_a, ax_b = list(range(na - n, na)), list(range(n))
    else:
        try:
            ax_a, ax_b = axes
        except (TypeError, ValueError):
            raise ValueError(f"tensordot: axes must be an int or a pair of sequences, got "
                             f"{axes!r}") from None
        ax_a = [ax_a] if isinstance(ax_a, (int, np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, np.integer)) else list(ax_b)
        if len(ax_a) != len(ax_b):
            raise ValueError("tensordot: axes lists differ in length: "
                             f"{len(ax_a)} and {len(ax_b)}")
        ax_a = [int(x) % na if na else int(x) for x in ax_a]
        ax_b = [int(x) % nb if nb else int(x) for x in ax_b]
    sa, sb = np.shape(a), np.shape(b)
    for i, j in zip(ax_a, ax_b):
        if sa[i] != sb[j]:
            raise ValueError(f"tensordot: shape mismatch for sum: axis {i} of a has "
                             f"{sa[i]}, axis {j} of b has {sb[j]}")
    free_a = [d for d in range(na) if d not in ax_a]
    free_b = [d for d in range(nb) if d not in ax_b]
    k = _prod([sa[d] for d in ax_a])
    A = np.reshape(np.transpose(a, free_a + ax_a), (_prod([sa[d] for d in free_a]), k))
    B = np.reshape(np.transpose(b, ax_b + free_b), (k, _prod([sb[d] for d in free_b])))
    out_shape = tuple(sa[d] for d in free_a) + tuple(sb[d] for d in free_b)
    return np.reshape(_matmul(A, B), out_shape)


# --------------------------------------------------------------- einsum
def _refuse(subscripts, why):
    raise TypeError(f"numprec.emulate: np.einsum({subscripts!r}) is not supported on emulated "
                    f"arrays: {why}. Supported: two operands with an explicit output whose "
                    "indices are batch, free or contracted (e.g. 'ij,jk->ik', 'bij,bjk->bik', "
                    "'mj,...j->...m', 'ij,kj->ik'); compute others with np.matmul/np.sum")


def _expand(term, ndim, ell, subscripts):
    """Subscript letters of one operand with '...' replaced by ``ell``'s
    last dimensions."""
    if "..." in term:
        head, _, tail = term.partition("...")
        if "." in head or "." in tail:
            _refuse(subscripts, "malformed ellipsis")
        r = ndim - len(head) - len(tail)
        if r < 0:
            _refuse(subscripts, f"operand has {ndim} dimensions, fewer than its subscripts")
        return head + (ell[len(ell) - r:] if r else "") + tail
    if len(term) != ndim:
        raise ValueError(f"einsum: operand with subscripts {term!r} has {ndim} dimensions")
    return term


@implements(np.einsum)
def einsum(subscripts, *operands, out=None, optimize=False, **kwargs):
    """Rounded ``np.einsum`` for two-operand contractions (module notes)."""
    if not isinstance(subscripts, str):
        _refuse(str(subscripts), "subscripts must be a string")
    if kwargs or out is not None:
        _refuse(subscripts, f"unsupported arguments {sorted(kwargs) + (['out'] if out is not None else [])}")
    spec = subscripts.replace(" ", "")
    if "->" not in spec:
        _refuse(subscripts, "the output must be explicit ('->')")
    ins, output = spec.split("->")
    terms = ins.split(",")
    if len(terms) != 2 or len(operands) != 2:
        _refuse(subscripts, "exactly two operands are supported")
    a, b = operands
    letters = set(ins.replace(",", "").replace(".", "") + output.replace(".", ""))
    if not all(c in string.ascii_letters for c in letters):
        _refuse(subscripts, "subscripts must be letters")
    pool = [c for c in string.ascii_letters if c not in letters]
    ranks = [np.ndim(x) - len(t.replace("...", "")) for x, t in zip((a, b), terms) if "..." in t]
    ell = "".join(pool[:max(ranks, default=0)])
    ta = _expand(terms[0], np.ndim(a), ell, subscripts)
    tb = _expand(terms[1], np.ndim(b), ell, subscripts)
    if "..." in output:
        head, _, tail = output.partition("...")
        output = head + ell + tail
    for t in (ta, tb, output):
        if len(set(t)) != len(t):
            _refuse(subscripts, f"index repeated in {t!r} (traces and diagonals)")
    for c in ta + tb:
        if c not in output and not (c in ta and c in tb):
            _refuse(subscripts, f"index {c!r} is summed over one operand only")
    for c in output:
        if c not in ta and c not in tb:
            raise ValueError(f"einsum: output index {c!r} of {subscripts!r} is in no operand")
    size = {}
    for t, x in ((ta, a), (tb, b)):
        for c, s in zip(t, np.shape(x)):
            if c in size and size[c] != s and 1 not in (size[c], s):
                raise ValueError(f"einsum {subscripts!r}: index {c!r} has sizes {size[c]} and {s}")
            size[c] = max(size.get(c, s), s)
    batch = [c for c in output if c in ta and c in tb]
    free_a = [c for c in ta if c in output and c not in tb]
    free_b = [c for c in tb if c in output and c not in ta]
    contr = [c for c in ta if c in tb and c not in output]
    for c in contr:
        if np.shape(a)[ta.index(c)] != np.shape(b)[tb.index(c)]:
            raise ValueError(f"einsum {subscripts!r}: contracted index {c!r} has sizes "
                             f"{np.shape(a)[ta.index(c)]} and {np.shape(b)[tb.index(c)]}")
    sa, sb = np.shape(a), np.shape(b)

    def arrange(x, t, sx, order, middle, last):
        x = np.transpose(x, [t.index(c) for c in order])
        bshape = tuple(sx[t.index(c)] for c in batch)
        return np.reshape(x, bshape + (_prod([size[c] for c in middle]),
                                       _prod([size[c] for c in last])))

    A = arrange(a, ta, sa, batch + free_a + contr, free_a, contr)
    B = arrange(b, tb, sb, batch + contr + free_b, contr, free_b)
    C = _matmul(A, B)
    bshape = tuple(np.shape(C)[:len(batch)])
    C = np.reshape(C, bshape + tuple(size[c] for c in free_a) + tuple(size[c] for c in free_b))
    have = batch + free_a + free_b
    C = np.transpose(C, [have.index(c) for c in output])
    return C
