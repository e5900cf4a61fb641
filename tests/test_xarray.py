"""The .numprec accessors: rounding that keeps labels, records what it did,
and gives dask-chunked data the random numbers of the whole array."""
import json

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import numprec
import numprec.xarray  # noqa: F401  (registers the accessors)


def field(shape=(6, 7, 9), seed=0):
    rng = np.random.default_rng(seed)
    dims = ("time", "lat", "lon")[: len(shape)]
    coords = {d: np.arange(n) * 1.5 for d, n in zip(dims, shape)}
    return xr.DataArray(rng.standard_normal(shape) * 300, dims=dims, coords=coords,
                        name="t", attrs={"units": "K", "long_name": "temperature"})


def test_dataarray_rounding_keeps_labels_and_equals_numprec_round():
    da = field()
    r = da.numprec.round("bfloat16", rounding="toward_zero")
    assert np.array_equal(r.values, numprec.round(da.values, "bfloat16", "toward_zero"))
    assert r.dims == da.dims and r.name == da.name
    for d in da.dims:
        assert np.array_equal(r[d].values, da[d].values)
    assert r.attrs["units"] == "K"
    assert numprec.from_config(json.loads(r.attrs["numprec_format"])) == \
        numprec.get_format("bfloat16")
    assert r.attrs["numprec_rounding"] == "toward_zero" and "numprec_seed" not in r.attrs
    assert "numprec_format" not in da.attrs                    # input untouched


@pytest.mark.parametrize("chunks", [{"time": 1}, {"lat": 2}, {"lon": 4},
                                    {"time": 4, "lat": 3, "lon": 5}, {"time": -1}])
@pytest.mark.parametrize("random_bits", [None, 5])
def test_dask_chunks_give_the_stochastic_rounding_of_the_whole_array(chunks, random_bits):
    da = field()
    whole = numprec.round(da.values, "e4m3", "stochastic", seed=11, random_bits=random_bits,
                          stream=3)
    lazy = da.chunk(chunks).numprec.round("e4m3", "stochastic", seed=11,
                                          random_bits=random_bits, stream=3)
    assert isinstance(lazy.data, dsa.Array)                     # still lazy
    assert np.array_equal(lazy.values, whole)
    assert json.loads(lazy.attrs["numprec_seed"]) == 11
    assert json.loads(lazy.attrs["numprec_stream"]) == 3
    assert json.loads(lazy.attrs["numprec_random_bits"]) == random_bits


def test_a_drawn_seed_is_recorded_and_reproduces_the_result():
    da = field((5, 8))
    r = da.numprec.round("fp16", "stochastic")
    seed = json.loads(r.attrs["numprec_seed"])
    assert np.array_equal(r.values, numprec.round(da.values, "fp16", "stochastic", seed=seed))


def test_dataset_rounds_float_variables_with_one_stream_each():
    da = field((4, 5))
    ds = xr.Dataset({"b": da, "a": da * 2, "n": ("time", np.arange(4)),
                     "f32": da.astype(np.float32)})
    r = ds.numprec.round("bfloat16", "stochastic", seed=2, stream=10)
    assert np.array_equal(r["n"].values, ds["n"].values)
    for i, name in enumerate(["a", "b", "f32"]):                 # sorted order
        expected = numprec.round(ds[name].values, "bfloat16", "stochastic", seed=2,
                                 stream=10 + i)
        assert np.array_equal(r[name].values, expected)
        assert r[name].dtype == ds[name].dtype
    only = ds.numprec.round("bfloat16", variables=["a"])
    assert np.array_equal(only["b"].values, ds["b"].values)


def test_bad_input_is_refused_clearly():
    da = field((3, 4))
    with pytest.raises(TypeError, match="dtype int64"):
        xr.DataArray(np.arange(3), dims="x").numprec.round("fp16")
    with pytest.raises(ValueError, match="not data variables"):
        xr.Dataset({"a": da}).numprec.round("fp16", variables=["zz"])
    with pytest.raises(ValueError, match="not a dimension"):
        da.numprec.round("fp16", axis="depth")
    with pytest.raises(Exception, match="fp99|unknown|Unknown"):
        da.numprec.round("fp99")


def test_block_formats_take_the_block_dimension_by_name():
    assert "mxfp8_e4m3" in numprec.list_formats()        # the numprec-mx plugin (test extra)
    da = field((4, 6, 64))
    r = da.numprec.round("mxfp8_e4m3", axis="lon")
    assert np.array_equal(r.values, numprec.round(da.values, "mxfp8_e4m3", axis=2))
    lazy = da.chunk({"time": 1, "lat": 3}).numprec.round("mxfp8_e4m3", axis="lon")
    assert np.array_equal(lazy.values, r.values)
    with pytest.raises(ValueError, match="axis=<dimension name>"):
        da.numprec.round("mxfp8_e4m3")
    with pytest.raises(ValueError, match="rechunk"):
        da.chunk({"lon": 32}).numprec.round("mxfp8_e4m3", axis="lon")
    with pytest.raises(ValueError, match="one chunk"):
        da.chunk({"time": 1}).numprec.round("mxfp8_e4m3", "stochastic", seed=1, axis="lon")
