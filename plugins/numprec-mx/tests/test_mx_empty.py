"""Empty input: an empty array in gives an empty array out (numpy's own
rule for elementwise functions), along the block axis or across it."""
import numpy as np
import pytest

import numprec
import numprec_mx

FORMATS = ["mxfp8_e4m3", "mxfp4", "mxint8", "nvfp4", "nvfp4_rht16", "bfp8"]
SHAPES = [(0,), (3, 0), (0, 16), (2, 0, 16), (0, 0)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("rounding", ["nearest_even", "stochastic"])
def test_empty_input_gives_empty_output(name, shape, rounding):
    x = np.zeros(shape)
    got = numprec.round(x, name, rounding, seed=1)
    assert got.shape == shape and got.dtype == np.float64
    out = np.empty(shape)
    assert numprec.round(x, name, rounding, seed=1, out=out) is out


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_empty_input_along_any_axis(axis):
    x = np.zeros((2, 0, 32))
    assert numprec.round(x, "mxfp4", axis=axis).shape == x.shape


def test_empty_float32_input():
    got = numprec.round(np.array([], dtype=np.float32), "mxfp4")
    assert got.shape == (0,) and got.dtype == np.float32


@pytest.mark.parametrize("name", FORMATS)
def test_empty_encoding(name):
    enc = numprec_mx.quantize(np.array([]), name)
    assert enc.elements.shape == (0,) and enc.scales.shape == (0,)
    assert numprec_mx.dequantize(enc).shape == (0,)
    rows = numprec_mx.quantize(np.zeros((0, 48)), name)
    assert rows.elements.shape == (0, 48)
    blocks = -(-48 // numprec.get_format(name).block_size)
    assert rows.scales.shape == (0, blocks)
