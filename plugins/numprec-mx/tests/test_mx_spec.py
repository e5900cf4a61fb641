"""MX, NVFP4 and BFP against hand-worked examples and the exact reference."""
import math

import numpy as np
import pytest

import numprec
import numprec_mx
from mx_oracle import (
    E4M3, E2M3, E3M2, E5M2, EMAX, float_table, mx_reference, nvfp4_reference,
)

MX_ELEMENTS = {"mxfp8_e4m3": "E4M3", "mxfp8_e5m2": "E5M2", "mxfp6_e2m3": "E2M3",
               "mxfp6_e3m2": "E3M2", "mxfp4": "E2M1", "mxint8": "INT8"}


def test_element_tables_match_the_spec_maxima():
    # OCP MX v1.0 section 5.3 / OCP FP8: the largest normal of each element type
    assert (E4M3[-1], E5M2[-1], E2M3[-1], E3M2[-1]) == (448, 57344, 7.5, 28)
    for name, element in MX_ELEMENTS.items():
        fmt = numprec.get_format(name)
        assert fmt.element_emax == EMAX[element]


# Worked by hand from section 6.3 of the spec (shared_exp = floor(log2 amax) - emax_elem).
HAND_EXAMPLES = [
    # MXFP4: amax 6 -> shared_exp 2 - 2 = 0, X = 1; 0.25 is the tie 0 | 0.5 -> 0 (even);
    # 0.3 -> 0.5; -2.6 lies between 2 and 3 past the midpoint 2.5 -> -3
    ("mxfp4", [6.0, 3.0, 1.5, 0.25, 0.3, -2.6], [6.0, 3.0, 1.5, 0.0, 0.5, -3.0]),
    # MXFP4: amax 100 -> floor(log2) = 6, X = 2**4 = 16; 100/16 = 6.25 clamps to 6 -> 96;
    # 1/16 = 0.0625 < 0.25 -> 0
    ("mxfp4", [100.0, 1.0], [96.0, 0.0]),
    # MXFP8 E4M3: amax 1000 -> floor(log2) = 9, X = 2; 500 exceeds 448 -> clamps: 896
    ("mxfp8_e4m3", [1000.0, 1.0, -3.0], [896.0, 1.0, -3.0]),
    # MXFP8 E5M2: amax 1 -> shared_exp 0 - 15, X = 2**-15; 0.3 / X = 9830.4 lies between
    # the E5M2 values 8192 and 10240 (spacing 2**11 in [2**13, 2**14)) -> 10240 -> 0.3125
    ("mxfp8_e5m2", [1.0, 0.3], [1.0, 0.3125]),
    # MXFP6 E2M3: amax 7.5 -> X = 2**(2-2) = 1; spacing 0.5 in [4, 8): 7.2 -> 7.0;
    # 0.07 lies between 0 and 0.125 (the smallest subnormal), past 0.0625 -> 0.125
    ("mxfp6_e2m3", [7.5, 7.2, 0.07], [7.5, 7.0, 0.125]),
    # MXFP6 E3M2: amax 20 -> floor(log2) = 4, X = 1; 17 -> 16 (tie 16 | 18 is at 17 -> 16 even)
    ("mxfp6_e3m2", [20.0, 17.0], [20.0, 16.0]),
    # MXINT8: amax 3.99 -> floor(log2) = 1, X = 2; 3.99/2 = 1.995 -> 128/64 saturates to 127/64;
    # 0.3/2 = 0.15 -> 9.6/64 -> 10/64, times 2 = 0.3125
    ("mxint8", [3.99, 0.3, -1.0], [3.96875, 0.3125, -1.0]),
    # NVFP4 with tensor amax 2688 = 6 * 448: global scale 1; block amax 7 -> 7/6 rounds to
    # 1.125 in E4M3; 7/1.125 = 6.2 clamps to 6 -> 6.75; 2688 block: scale 448, 2688 -> 6*448
    ("nvfp4", [7.0, 1.0] + [0.0] * 14 + [2688.0] + [0.0] * 15,
     [6.75, 1.125] + [0.0] * 14 + [2688.0] + [0.0] * 15),
    # BFP8 equals MXINT8
    ("bfp8", [3.99, 0.3, -1.0], [3.96875, 0.3125, -1.0]),
]


@pytest.mark.parametrize("name, x, expected", HAND_EXAMPLES)
def test_hand_worked_examples(name, x, expected):
    got = numprec.round(np.array(x), name)
    assert got.tolist() == expected


def random_blocks(rng, rows, cols, ties=False):
    """Rows of values whose magnitude changes by powers of two from block to
    block, with zero blocks, exact element midpoints and partial blocks."""
    x = rng.normal(size=(rows, cols)) * np.ldexp(1.0, rng.integers(-20, 20, size=(rows, 1)))
    x[0, :] = 0.0                                   # an all-zero row
    x[1, 32:64] = 0.0                               # an all-zero block
    x[2, ::7] = np.ldexp(rng.integers(1, 8, size=x[2, ::7].shape) + 0.5, -3)   # midpoints
    x[3, 5] = 2.0 ** 126 * 1.9                      # scale at the top of E8M0
    x[4, :] = np.ldexp(rng.normal(size=cols), -140)  # tiny: shared exponent clamps at -127
    return x


@pytest.mark.parametrize("name", list(MX_ELEMENTS))
def test_mx_formats_match_exact_reference(name):
    rng = np.random.default_rng(sum(map(ord, name)))
    x = random_blocks(rng, 8, 75)                   # 75 = 2 blocks of 32 + a partial block of 11
    got = numprec.round(x, name)
    want = np.array(mx_reference(x.tolist(), MX_ELEMENTS[name]))
    mismatch = np.argwhere(got != want)
    assert mismatch.size == 0, [(tuple(i), x[tuple(i)], got[tuple(i)], want[tuple(i)])
                                for i in mismatch[:5]]


@pytest.mark.parametrize("name, table", [("nvfp4", E4M3),
                                         ("nvfp4_ue5m3", float_table(5, 3, 15, "fn"))])
def test_nvfp4_matches_exact_reference(name, table):
    rng = np.random.default_rng(11)
    x = random_blocks(rng, 6, 40)                   # 40 = 2 blocks of 16 + a partial block of 8
    x[5, 16:32] *= 2.0 ** -30                       # a block whose E4M3 scale underflows to 0
    got = numprec.round(x, name)
    want = np.array(nvfp4_reference(x.tolist(), 16, table))
    mismatch = np.argwhere(got != want)
    assert mismatch.size == 0, [(tuple(i), x[tuple(i)], got[tuple(i)], want[tuple(i)])
                                for i in mismatch[:5]]


def test_blocks_along_another_axis():
    rng = np.random.default_rng(2)
    x = random_blocks(rng, 8, 40).T.copy()          # blocks must run down the columns
    fmt = numprec.get_format("mxfp4").with_axis(0)
    got = numprec.round(x, fmt)
    want = np.array(mx_reference(x.T.tolist(), "E2M1")).T
    assert np.array_equal(got, want)
    assert np.array_equal(numprec.round(x, "mxfp4_axis0"), want)
    cube = rng.normal(size=(3, 40, 5))
    got3 = numprec.round(cube, numprec_mx.mx("float4_e2m1fn", axis=1))
    want3 = np.stack([np.array(mx_reference(cube[i].T.tolist(), "E2M1")).T for i in range(3)])
    assert np.array_equal(got3, want3)


def test_nan_and_inf_poison_only_their_block():
    x = np.ones((2, 64))
    x[0, 3] = np.nan
    x[1, 40] = -np.inf
    for name in ("mxfp8_e4m3", "mxfp4", "nvfp4", "mxint8"):
        got = numprec.round(x, name)
        k = numprec.get_format(name).block_size
        assert np.isnan(got[0, :k]).all() and np.isnan(got[1, 32:32 + k]).all(), name
        poisoned = np.zeros(x.shape, dtype=bool)
        poisoned[0, :k] = poisoned[1, 32:32 + k] = True
        assert not np.isnan(got[~poisoned]).any(), name
        assert np.unique(got[~poisoned]).size == 1, name


def test_float64_beyond_e8m0_gives_nan_block():
    x = np.array([2.0 ** 200, 1.0])                # shared exponent 200 - 8 > 127
    assert np.isnan(numprec.round(x, "mxfp8_e4m3")).all()
    assert numprec.round(np.array([2.0 ** 135, 1.0]), "mxfp8_e4m3")[0] == 2.0 ** 135


def test_bfp_is_integer_mantissas_sharing_the_block_exponent():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(5, 64)) * 1000
    enc = numprec_mx.quantize(x, "bfp12_b64")
    exponent = np.floor(np.log2(np.abs(x).max(axis=1)))          # E of each block
    mantissas = enc.elements * 2.0 ** 10                        # ints in [-2047, 2047]
    assert np.array_equal(mantissas, np.round(mantissas))
    assert np.abs(mantissas).max() <= 2 ** 11 - 1
    assert np.array_equal(enc.scales[:, 0], 2.0 ** exponent)
    np.testing.assert_array_equal(numprec.round(x, "bfp12_b64"),
                                  np.clip(np.round(x / 2.0 ** (exponent[:, None] - 10)),
                                          -2047, 2047) * 2.0 ** (exponent[:, None] - 10))


def test_tensor_scale_counts_finite_values_of_poisoned_blocks():
    x = np.ones((1, 32))
    x[0, 0], x[0, 1] = np.nan, 100.0      # 100 is the tensor's amax though its block is NaN
    got = numprec.round(x, "nvfp4")
    want = np.array(nvfp4_reference(x.tolist(), 16))
    assert np.isnan(got[0, :16]).all()
    assert np.array_equal(got[0, 16:], want[0, 16:])
    enc = numprec_mx.quantize(x, "nvfp4")
    assert enc.tensor_scale == np.float32(100 / 2688)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MX_ELEMENTS) + ["nvfp4"])
def test_larger_random_sweep_against_reference(name):
    rng = np.random.default_rng(99)
    x = random_blocks(rng, 64, 203)
    got = numprec.round(x, name)
    want = (np.array(nvfp4_reference(x.tolist(), 16)) if name == "nvfp4"
            else np.array(mx_reference(x.tolist(), MX_ELEMENTS[name])))
    assert np.array_equal(got, want)
