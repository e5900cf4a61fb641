"""Fields with a fixed NaN mask (land or ocean points): a grid point that is
NaN in every sample of both ensembles is left out of the average, and the
weights of the other points are renormalised; NaN in only some samples is an
unstable run, as before.

The samples are integers shifted by integers per grid point, so the W1 at a
point is exactly |shift| (sort(u + s) - sort(u) = s); the oracle for a score
is the weighted mean of |shift| over the unmasked points, computed here with
numpy from the points that remain.  Means are compared to 1e-14 (the order
of the floating-point sum is not specified), everything else exactly.
"""

import numpy as np
import pytest
import xarray as xr

from numprec.verify import score, verify

LAT = np.array([-60.0, -20.0, 0.0, 30.0, 70.0])
LON = np.array([0.0, 90.0, 180.0, 270.0])
SHIFT = np.arange(20, dtype=float).reshape(5, 4) % 7 - 3          # (lat, lon)
LAND = np.zeros((5, 4), dtype=bool)
LAND[[0, 1, 1, 3, 4], [0, 1, 2, 3, 3]] = True


def ensemble(seed, shift=0.0, mask=LAND, levels=None):
    rng = np.random.default_rng(seed)
    dims = ("member", "time") + (("level",) if levels else ()) + ("lat", "lon")
    shape = (4, 12) + ((levels,) if levels else ()) + (5, 4)
    values = rng.integers(-40, 40, size=shape).astype(float) + shift
    values[..., mask] = np.nan
    coords = {"lat": LAT, "lon": LON}
    if levels:
        coords["level"] = np.arange(levels)
    return xr.Dataset({"sst": (dims, values, {"units": "K"})}, coords=coords)


def oracle(weights):
    keep = ~LAND
    return (weights * np.abs(SHIFT))[keep].sum() / weights[keep].sum()


COSLAT = np.cos(np.deg2rad(LAT))[:, None] * np.ones((1, 4))


@pytest.mark.parametrize("weights, grid_weights", [("auto", COSLAT), ("uniform", np.ones((5, 4)))])
def test_masked_points_are_left_out_and_weights_renormalised(weights, grid_weights):
    ref = ensemble(1)
    other = ref.copy(deep=True)
    other["sst"] = other["sst"] + xr.DataArray(SHIFT, dims=("lat", "lon"))
    s = score(ref, other, weights=weights, keep_map=True)
    assert s["w1"].item() == pytest.approx(oracle(grid_weights), rel=1e-14)
    w1_map = s["w1_map_sst"].values
    assert np.isnan(w1_map[LAND]).all()
    np.testing.assert_array_equal(w1_map[~LAND], np.abs(SHIFT)[~LAND])


def test_same_score_as_the_field_with_the_masked_points_removed():
    ref = ensemble(2)
    other = ensemble(3)
    masked = score(ref, other)["w1"].item()

    u = removed(ref)["sst"].transpose("point", "member", "time").values.reshape(-1, 48)
    v = removed(other)["sst"].transpose("point", "member", "time").values.reshape(-1, 48)
    per_point = np.abs(np.sort(u, axis=1) - np.sort(v, axis=1)).mean(axis=1)   # equal sizes
    w = COSLAT[~LAND]
    assert masked == pytest.approx((w * per_point).sum() / w.sum(), rel=1e-14)
    assert not np.isnan(per_point).any()


def removed(ds):
    """The dataset with the masked points taken out (grid points stacked)."""
    stacked = ds.stack(point=("lat", "lon"))
    return stacked.isel(point=np.flatnonzero(~LAND.reshape(-1)))


def test_verify_with_a_fixed_mask_in_every_ensemble():
    ref, base = ensemble(4), ensemble(5)
    exps = {"far": ensemble(6, shift=30.0), "near": ensemble(7)}
    masked = verify(ref, base, exps)
    kept = verify(removed(ref), removed(base), {k: removed(v) for k, v in exps.items()})
    assert masked["verdict"].values.tolist() == kept["verdict"].values.tolist()
    assert masked["verdict"].sel(experiment="far", variable="sst").item() == "distinguishable"
    np.testing.assert_allclose(masked["w1"].values, kept["w1"].values, rtol=1e-14)
    np.testing.assert_allclose(masked["baseline_w1"].values, kept["baseline_w1"].values, rtol=1e-14)
    assert not np.isnan(masked["w1"].values).any()


def test_nan_in_some_members_only_is_still_unstable():
    ref, base = ensemble(8), ensemble(9)
    partial = ensemble(10)
    partial["sst"][0, 3, 2, 1] = np.nan           # an ocean point, one member, one time
    result = verify(ref, base, {"partial": partial})
    assert result["verdict"].sel(experiment="partial", variable="sst").item() == "unstable"
    # NaN in every sample of an experiment where the reference has values: unstable too
    assert not LAND.reshape(-1)[10]
    dried = ensemble(10, mask=LAND | (np.arange(20).reshape(5, 4) == 10))
    result = verify(ref, base, {"dried": dried})
    assert result["verdict"].sel(experiment="dried", variable="sst").item() == "unstable"


def test_baseline_with_nan_in_some_members_still_raises():
    ref, base = ensemble(11), ensemble(12)
    base["sst"][1, 0, 2, 2] = np.nan
    with pytest.raises(ValueError, match="baseline pair 0 contains NaN"):
        verify(ref, base, {"x": ensemble(13)})


def test_masked_point_in_a_split_level():
    ref = ensemble(14, levels=2)
    other = ref.copy(deep=True)
    other["sst"] = other["sst"] + xr.DataArray(SHIFT, dims=("lat", "lon"))
    s = score(ref, other, split_dims="level")
    np.testing.assert_allclose(s["w1"].values, [oracle(COSLAT)] * 2, rtol=1e-14)


def test_a_variable_masked_everywhere_is_refused():
    everywhere = np.ones((5, 4), dtype=bool)
    with pytest.raises(ValueError, match="'sst'.*every grid point"):
        score(ensemble(15, mask=everywhere), ensemble(16, mask=everywhere))


def test_dask_backed_fields_give_the_same_score():
    pytest.importorskip("dask")
    ref, other = ensemble(17), ensemble(18)
    eager = score(ref, other)["w1"].item()
    lazy = score(ref.chunk({"lat": 2}), other.chunk({"lat": 2}))["w1"].item()
    assert lazy == pytest.approx(eager, rel=1e-14)
