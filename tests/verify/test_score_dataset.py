"""W1 of xarray Datasets: sample dims, grid points, area weights, maps, rows."""

import numpy as np
import pytest
import xarray as xr

from numprec.verify import area_weights, score

LAT = np.array([0.0, 60.0, -30.0])
# Integer-valued samples shifted by integers: sort(u + s) - sort(u) = s exactly,
# so the W1 at every grid point is exactly |s|.
SHIFT = np.array([[1.0, 3.0], [2.0, 0.0], [4.0, 1.0]])  # (lat, lon)


def field_pair(lat_name="lat", lat_values=LAT, lat_attrs=None):
    rng = np.random.default_rng(0)
    base = rng.integers(-50, 50, size=(3, 20, 3, 2)).astype(float)  # member, time, lat, lon
    coords = {lat_name: (lat_name, lat_values, lat_attrs or {}), "lon": [10.0, 20.0]}
    ref = xr.Dataset({"t": (("member", "time", lat_name, "lon"), base, {"units": "K"})}, coords=coords)
    other = ref.copy(deep=True)
    other["t"] = other["t"] + xr.DataArray(SHIFT, dims=(lat_name, "lon"), coords={lat_name: lat_values})
    return ref, other


def test_per_point_w1_map_is_exact():
    ref, other = field_pair()
    s = score(ref, other, keep_map=True)
    np.testing.assert_array_equal(s["w1_map_t"].values, np.abs(SHIFT))
    assert s["w1_map_t"].dims == ("lat", "lon")
    assert s["w1_map_t"].attrs["units"] == "K"


def test_cos_latitude_weighting_by_hand():
    ref, other = field_pair()
    s = score(ref, other)
    w = np.cos(np.deg2rad(LAT))[:, None] * np.ones((1, 2))
    want = (w * SHIFT).sum() / w.sum()
    assert s["w1"].sel(variable="t").item() == pytest.approx(want, rel=1e-14)
    assert s["units"].sel(variable="t").item() == "K"
    assert s["n_samples"].sel(variable="t").item() == 60


def test_latitude_in_radians_and_other_name():
    ref, other = field_pair("latitude", np.deg2rad(LAT), {"units": "radians"})
    w = np.cos(np.deg2rad(LAT))[:, None] * np.ones((1, 2))
    assert score(ref, other)["w1"].item() == pytest.approx((w * SHIFT).sum() / w.sum(), rel=1e-14)


def test_uniform_and_user_weights():
    ref, other = field_pair()
    assert score(ref, other, weights="uniform")["w1"].item() == SHIFT.mean()
    user = xr.DataArray([1.0, 3.0], dims="lon")
    want = (SHIFT * [1.0, 3.0]).sum() / (3 * 4.0)
    assert score(ref, other, weights=user)["w1"].item() == pytest.approx(want, rel=1e-14)
    assert score(ref, other, weights={"t": "uniform"})["w1"].item() == SHIFT.mean()
    ref = ref.drop_vars("lat")
    other = other.drop_vars("lat")
    assert score(ref, other)["w1"].item() == SHIFT.mean()  # no latitude: uniform


def test_area_weights_reject_out_of_range_latitude():
    da = xr.DataArray(np.zeros(2), dims="lat", coords={"lat": [0.0, 95.0]})
    with pytest.raises(ValueError, match="lat"):
        area_weights(da, ["lat"])
    assert area_weights(da.rename(lat="y"), ["y"]) is None


def test_split_dims_make_rows():
    ref, other = field_pair()
    s = score(ref, other, split_dims="lat", weights="uniform")
    assert list(s["variable"].values) == ["t[lat=0]", "t[lat=60]", "t[lat=-30]"]
    np.testing.assert_array_equal(s["w1"].values, SHIFT.mean(axis=1))
    assert list(s["field"].values) == ["t", "t", "t"]


def test_sample_dims_configurable_and_missing_ones_ignored():
    ref, other = field_pair()
    # "member" becomes a grid dim: averaged, and every member has the same shift
    s = score(ref, other, sample_dims=("time", "ensemble"), weights="uniform", keep_map=True)
    assert s["w1_map_t"].dims == ("member", "lat", "lon")
    assert s["w1"].item() == SHIFT.mean()
    assert s["n_samples"].item() == 20
    # a pure time series, no member dim
    ts = xr.Dataset({"x": ("time", np.arange(10.0))})
    assert score(ts, ts + 2.0)["w1"].item() == 2.0


def test_different_sample_sizes_and_coordinates():
    ref, other = field_pair()
    other = other.isel(member=[0]).assign_coords(time=np.arange(100, 120))
    s = score(ref, other, keep_map=True)
    assert s["n_samples"].item() == 20
    assert s["reference_n_samples"].item() == 60
    assert np.isfinite(s["w1"].item())


def test_joint_rows_and_units():
    rng = np.random.default_rng(1)
    data = {k: (("member", "time"), rng.normal(size=(2, 30)), {"units": "m"}) for k in "xyz"}
    ref = xr.Dataset(data)
    other = ref + 1.0
    for k in "xyz":
        other[k].attrs["units"] = "m"
    s = score(ref, other, variables=(), joint=("x", "y", "z"))
    assert list(s["variable"].values) == ["joint(x,y,z)"]
    assert s["w1"].item() == pytest.approx(np.sqrt(3.0), rel=1e-12)  # a translation by (1,1,1)
    assert s["units"].item() == "m"
    s = score(ref, other, joint=[("x", "y"), ("y", "z")])
    assert list(s["variable"].values) == ["x", "y", "z", "joint(x,y)", "joint(y,z)"]


def test_nan_in_other_gives_nan_w1():
    ref, other = field_pair()
    other["t"][0, 3, 1, 1] = np.inf
    s = score(ref, other, keep_map=True)
    assert np.isnan(s["w1"].item())
    assert np.isnan(s["w1_map_t"].values[1, 1])
    assert np.isfinite(s["w1_map_t"].values[0, 0])


def test_dask_input_gives_the_same_answer():
    pytest.importorskip("dask")
    ref, other = field_pair()
    eager = score(ref, other, keep_map=True)
    lazy = score(ref.chunk({"lat": 1, "time": 5}), other.chunk({"lon": 1}), keep_map=True)
    np.testing.assert_array_equal(lazy["w1_map_t"].values, eager["w1_map_t"].values)
    assert lazy["w1"].item() == pytest.approx(eager["w1"].item(), rel=1e-15)


def test_bad_input_errors():
    ref, other = field_pair()
    with pytest.raises(TypeError, match="reference"):
        score(ref["t"], other)
    with pytest.raises(ValueError, match="missing from other"):
        score(ref, other.rename(t="u"))
    with pytest.raises(ValueError, match="grid dims differ"):
        score(ref, other.isel(lon=0))
    with pytest.raises(ValueError, match="size"):
        score(ref, other.isel(lon=[0]))
    with pytest.raises(ValueError, match="grid coordinates"):
        score(ref, other.assign_coords(lon=[11.0, 20.0]))
    with pytest.raises(ValueError, match="joint variable"):
        score(ref, other, joint=("t", "t"))
