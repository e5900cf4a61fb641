"""Accumulation models of matrix products, against op-by-op references.

Separate product/accumulator formats and blocks: written out with
``numprec.round`` event by event (counter ``e*L + i`` for rounding ``e`` of
lane ``i``).  Fused multiply-add: the exact ``s + a*b`` rounded by MPFR
(gmpy2) at the accumulator's precision, for the deterministic modes.
"""
import gmpy2
import numpy as np
import pytest

import numprec
from numprec.emulate import Policy
from numprec.emulate.accumulation import Accumulation
from numprec.emulate.reductions import matmul_arrays
from numprec.emulate.rounder import Rounder
from numprec.rounding.schemes import BUILTIN

RNG = np.random.default_rng(23)


def rounder(fmt, mode):
    return Rounder(numprec.get_format(fmt), BUILTIN[mode])


def rnd(v, fmt, mode, e, lanes, seed=5, stream=3):
    return numprec.round(np.array(v, dtype=np.float64), fmt, mode, seed=seed, stream=stream,
                         offset=e * lanes)


def reference(a, b, pfmt, afmt, mode, block, method="sequential"):
    """Products rounded to pfmt (events 0..k-1), block sums and the total in afmt."""
    m, k = a.shape
    n = b.shape[1]
    lanes = m * n
    p = [rnd(np.outer(a[:, kk], b[kk]).reshape(-1), pfmt, mode, kk, lanes) for kk in range(k)]
    e = k
    total = None
    for lo in range(0, k, block or k):
        hi = min(k, lo + (block or k))
        s = p[lo]
        c = np.zeros(lanes)
        for kk in range(lo + 1, hi):
            if method == "kahan":
                y = rnd(p[kk] - c, afmt, mode, e, lanes)
                u = rnd(s + y, afmt, mode, e + 1, lanes)
                c = rnd(rnd(u - s, afmt, mode, e + 2, lanes) - y, afmt, mode, e + 3, lanes)
                s = u
                e += 4
            else:
                s = rnd(s + p[kk], afmt, mode, e, lanes)
                e += 1
        if total is None:
            total = s
        else:
            total = rnd(total + s, afmt, mode, e, lanes)
            e += 1
    return total.reshape(m, n)


def bits(x):
    return np.asarray(x, dtype=np.float64).view(np.int64)


@pytest.mark.parametrize("mode", ["nearest_even", "up", "toward_zero", "stochastic"])
@pytest.mark.parametrize("block", [None, 3, 4])
@pytest.mark.parametrize("method", ["sequential", "kahan"])
def test_product_and_accumulator_formats_with_blocks(mode, block, method):
    a = numprec.round(RNG.standard_normal((3, 10)), "bf16")
    b = numprec.round(RNG.standard_normal((10, 7)), "bf16")
    got = matmul_arrays(a, b, rounder("e8m12", mode), 5, 3, method,
                        product_rounder=rounder("bf16", mode), block=block)
    want = reference(a, b, "bf16", "e8m12", mode, block, method)
    assert np.array_equal(bits(got), bits(want))


MPFR_MODES = {"nearest_even": gmpy2.RoundToNearest, "up": gmpy2.RoundUp,
              "down": gmpy2.RoundDown, "toward_zero": gmpy2.RoundToZero}


def mpfr_fma_reference(a, b, precision, mode, block=None):
    """s = R(s + a*b) with the exact product, MPFR at ``precision`` bits
    (values stay in the normal range of the formats used here)."""
    m, k = a.shape
    n = b.shape[1]
    out = np.empty((m, n))
    ctx = gmpy2.context(precision=precision, round=MPFR_MODES[mode])
    wide = gmpy2.context(precision=400)
    for i in range(m):
        for j in range(n):
            total = None
            for lo in range(0, k, block or k):
                s = None
                for kk in range(lo, min(k, lo + (block or k))):
                    with wide:
                        exact = gmpy2.mpfr(a[i, kk]) * gmpy2.mpfr(b[kk, j])
                        if s is not None:
                            exact = exact + s
                    with ctx:
                        s = +exact
                if total is None:
                    total = s
                else:
                    with ctx:
                        total = total + s
            out[i, j] = float(total)
    return out


@pytest.mark.parametrize("mode", list(MPFR_MODES))
@pytest.mark.parametrize("block", [None, 4])
def test_fused_multiply_add_is_one_rounding_of_the_exact_value(mode, block):
    # fp16 operands: products have 22 bits; e8m12 accumulator (13 bits)
    a = numprec.round(RNG.standard_normal((4, 9)) * 8, "fp16")
    b = numprec.round(RNG.standard_normal((9, 5)), "fp16")
    got = matmul_arrays(a, b, rounder("e8m12", mode), 1, 0, "sequential",
                        product_rounder=rounder("e8m12", mode), fma=True, block=block)
    want = mpfr_fma_reference(a, b, 13, mode, block)
    assert np.array_equal(bits(got), bits(want))


def test_fused_multiply_add_differs_from_rounded_products():
    a = np.array([[1.0 + 2.0 ** -10, 1.0]])
    b = np.array([[1.0 - 2.0 ** -10], [-1.0]])
    r = rounder("fp16", "nearest_even")
    plain = matmul_arrays(a, b, r, 0, 0)                    # R(1 - 2^-20) = 1, then 1 - 1
    fused = matmul_arrays(a, b, r, 0, 0, fma=True)          # R(R(a0 b0) + a1 b1): the same
    assert plain[0, 0] == 0.0 and fused[0, 0] == 0.0
    a = np.array([[-1.0, 1.0 + 2.0 ** -10]])
    b = np.array([[1.0], [1.0 - 2.0 ** -10]])
    assert matmul_arrays(a, b, r, 0, 0)[0, 0] == 0.0        # the product rounds to 1
    assert matmul_arrays(a, b, r, 0, 0, fma=True)[0, 0] == -(2.0 ** -20)   # exact


def test_policy_setting_rounds_the_result_to_the_compute_format():
    acc = Accumulation(product="fp16", accumulator="fp32")
    p = Policy("fp16", rounding="nearest_even", accumulation=acc)
    a = numprec.round(RNG.standard_normal((5, 40)), "fp16")
    b = numprec.round(RNG.standard_normal((40, 3)), "fp16")
    got = (p.asarray(a) @ p.asarray(b)).to_numpy()
    want = numprec.round(reference(a, b, "fp16", "fp32", "nearest_even", None), "fp16")
    assert np.array_equal(bits(got), bits(want))
    assert Policy.from_config(p.get_config()).accumulation == acc


def test_config_round_trip_and_bad_settings():
    acc = Accumulation(accumulator="fp32", fma=True, block=32)
    assert Accumulation.from_config(acc.get_config()) == acc
    with pytest.raises(ValueError, match="block"):
        Accumulation(block=0)
    with pytest.raises(ValueError, match="product=None"):
        Accumulation(product="fp16", fma=True)
    with pytest.raises(ValueError, match="accumulator"):
        Accumulation(accumulator="no-such-format")
    with pytest.raises(ValueError, match="significand bits"):
        Accumulation(fma=True).resolve(numprec.get_format("fp64"), "float64")
    with pytest.raises(ValueError, match="float32 containers"):
        Accumulation(accumulator="fp64").resolve(numprec.get_format("fp16"), "float32")
    with pytest.raises(ValueError, match="unknown keys"):
        Accumulation.from_config({"products": None})


def test_per_component_setting():
    p = Policy("fp16", components={"dynamics": {"accumulation": Accumulation(accumulator="fp32")}})
    a = numprec.round(RNG.standard_normal((4, 60)), "fp16")
    b = numprec.round(RNG.standard_normal((60, 2)), "fp16")
    x, y = p.asarray(a), p.asarray(b)
    plain = (x @ y).to_numpy()
    assert np.array_equal(bits(plain), bits(reference(a, b, "fp16", "fp16", "nearest_even", None)))
    with p.component("dynamics"):
        got = (x @ y).to_numpy()
    want = numprec.round(reference(a, b, "fp16", "fp32", "nearest_even", None), "fp16")
    assert np.array_equal(bits(got), bits(want))
