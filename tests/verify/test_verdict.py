"""Verdict rule, verify() over many experiments, and the result Dataset."""

import numpy as np
import pytest
import xarray as xr

from numprec.verify import (
    VERDICTS,
    Experiment,
    baseline_w1,
    classify,
    judge,
    member_splits,
    score,
    verify,
)


def test_classify_rule_and_boundaries():
    w1 = [0.1, 0.5, 0.75, 0.75, 2.0, np.nan, 0.5]
    base = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25]
    tol = [0.0, 0.0, 0.25, 0.0, 1.0, 1.0, 0.0]
    assert classify(w1, base, tol).tolist() == [
        "indistinguishable",  # below
        "indistinguishable",  # equal to the baseline
        "minor",  # excess equal to the tolerance
        "distinguishable",  # no tolerance
        "distinguishable",  # excess 1.5 > 1.0
        "unstable",
        "distinguishable",
    ]
    assert set(classify(w1, base, tol)) <= set(VERDICTS)
    with pytest.raises(ValueError, match="tolerance"):
        classify([1.0], [1.0], [-0.1])
    with pytest.raises(ValueError, match="baseline_w1"):
        classify([1.0], [np.nan])


# Integer-valued data on a binary grid keep every W1 below exact:
# reference time series 0..7; the baseline moves the last value by +2, so
# W1 = 2/8 = 0.25; an experiment shifted by s has W1 = s.
REF = np.arange(8.0)


def ts(values, units="K"):
    return xr.Dataset({"z": (("member", "time"), np.array(values, dtype=float)[None, :], {"units": units})})


def shifted(s):
    return ts(REF + s)


def baseline_moved(k):
    b = REF.copy()
    b[-1] += k
    return ts(b)


def test_verdicts_on_constructed_runs():
    nan_run = REF.copy()
    nan_run[3] = np.nan
    inf_run = REF.copy()
    inf_run[5] = -np.inf
    exps = [
        ("e11m12", 12, "nearest_even", shifted(0.125)),
        ("e11m11", 11, "nearest_even", shifted(0.25)),
        ("e11m10", 10, "nearest_even", shifted(0.5)),
        ("e11m9", 9, "nearest_even", shifted(1.0)),
        ("e11m8", 8, "nearest_even", ts(nan_run)),
        ("e11m8", 8, "stochastic", ts(inf_run)),
    ]
    r = verify(ts(REF), baseline_moved(2.0), exps, tolerance={"z": 0.25})
    assert r["baseline_w1"].item() == 0.25
    np.testing.assert_array_equal(r["w1"].values[:4, 0], [0.125, 0.25, 0.5, 1.0])
    np.testing.assert_array_equal(r["excess"].values[:4, 0], [-0.125, 0.0, 0.25, 0.75])
    assert r["verdict"].values[:, 0].tolist() == [
        "indistinguishable",
        "indistinguishable",
        "minor",
        "distinguishable",
        "unstable",
        "unstable",
    ]
    assert r["run_verdict"].values.tolist() == r["verdict"].values[:, 0].tolist()
    assert list(r["experiment"].values) == [
        "e11m12 nearest_even",
        "e11m11 nearest_even",
        "e11m10 nearest_even",
        "e11m9 nearest_even",
        "e11m8 nearest_even",
        "e11m8 stochastic",
    ]


def test_threshold_is_max_over_baseline_pairs():
    r = verify(ts(REF), [baseline_moved(2.0), baseline_moved(4.0)], {"a": shifted(0.5)})
    np.testing.assert_array_equal(r["baseline_w1_pairs"].values[:, 0], [0.25, 0.5])
    assert r["baseline_w1"].item() == 0.5
    assert r["verdict"].item() == "indistinguishable"
    # explicit pairs
    r = verify(ts(REF), [(ts(REF), baseline_moved(8.0))], {"a": shifted(0.5)})
    assert r["baseline_w1"].item() == 1.0


def test_run_verdict_is_the_worst_variable():
    def two(sx, sy):
        return xr.Dataset({"x": ("time", REF + sx), "y": ("time", REF + sy)})

    base = two(0, 0)
    base["x"][-1] += 2.0
    base["y"][-1] += 2.0
    exps = {"ok": two(0.125, 0.0), "minor": two(0.125, 0.375), "bad": two(3.0, 0.0), "nan": two(np.nan, 0.0)}
    r = verify(two(0, 0), base, exps, tolerance=0.25)
    assert r["verdict"].sel(experiment="minor").values.tolist() == ["indistinguishable", "minor"]
    assert r["run_verdict"].values.tolist() == ["indistinguishable", "minor", "distinguishable", "unstable"]
    np.testing.assert_array_equal(r["tolerance"].values, [0.25, 0.25])


def test_result_dataset_dims_coords_attrs():
    ref = xr.Dataset(
        {
            "t": (("member", "time", "lat"), np.zeros((2, 8, 3)) + REF[None, :, None], {"units": "K"}),
            "u": (("member", "time"), np.zeros((2, 8)) + REF, {"units": "m s-1"}),
        },
        coords={"lat": [-45.0, 0.0, 45.0]},
    )
    base = ref + 0.25
    exp = ref + 0.5
    r = verify(ref, base, [("e11m10", 10, "stochastic", exp), Experiment(exp, "half", "float16", 10, "nearest_even")], keep_map=True)
    assert r["w1"].dims == ("experiment", "variable")
    assert r["verdict"].dims == ("experiment", "variable")
    assert r["baseline_w1"].dims == ("variable",)
    assert r["baseline_w1_pairs"].dims == ("baseline", "variable")
    assert r["run_verdict"].dims == ("experiment",)
    assert list(r["variable"].values) == ["t", "u"]
    assert list(r["units"].values) == ["K", "m s-1"]
    assert "units" not in r["w1"].attrs  # mixed units: only the coordinate
    assert r["mantissa_bits"].dtype == np.int64
    assert r["mantissa_bits"].values.tolist() == [10, 10]
    assert r["rounding"].values.tolist() == ["stochastic", "nearest_even"]
    assert r["format"].values.tolist() == ["e11m10", "float16"]
    assert r["experiment"].values.tolist() == ["e11m10 stochastic", "half"]
    assert r["w1_map_t"].dims == ("experiment", "lat")
    assert r["w1_map_t"].attrs["units"] == "K"
    assert r["baseline_w1_map_t"].dims == ("lat",)
    assert "w1_map_u" not in r  # no grid dims: no map
    np.testing.assert_array_equal(r["w1"].values, 0.5)
    assert r["n_samples"].values.tolist() == [[16, 16], [16, 16]]
    r1 = verify(ref[["t"]], base, {"a": exp})
    assert r1["w1"].attrs["units"] == "K"
    assert np.isnan(r1["mantissa_bits"].item())  # dict form: no bits known


def test_judge_on_precomputed_scores_matches_verify():
    ref, base = ts(REF), baseline_moved(2.0)
    exps = {"a": shifted(0.5), "b": shifted(0.125)}
    b = baseline_w1(ref, base)
    scores = {k: score(ref, v) for k, v in exps.items()}
    a = judge(scores, b, tolerance=0.25)
    c = verify(ref, b, exps, tolerance=0.25)
    xr.testing.assert_identical(a, c)


def test_tolerance_keys_for_split_and_joint_rows():
    rng = np.random.default_rng(0)
    ds = xr.Dataset({k: (("member", "time"), rng.normal(size=(2, 40))) for k in "xy"})
    r = verify(ds, ds + 0.01, {"a": ds + 1.0}, joint=("x", "y"), tolerance={("x", "y"): 5.0, "x": 2.0})
    np.testing.assert_array_equal(r["tolerance"].values, [2.0, 0.0, 5.0])
    assert r["verdict"].values.tolist() == [["minor", "distinguishable", "minor"]]


def test_errors_are_clear():
    ref = ts(REF)
    bad = ts(REF)
    bad["z"][0, 0] = np.nan
    with pytest.raises(ValueError, match="baseline pair 0 contains NaN"):
        verify(ref, bad, {"a": ref})
    with pytest.raises(ValueError, match="tolerance names"):
        verify(ref, baseline_moved(2.0), {"a": ref}, tolerance={"q": 1.0})
    with pytest.raises(ValueError, match="duplicate experiment labels"):
        verify(ref, baseline_moved(2.0), [("f", 1, "up", ref), ("f", 2, "up", ref)])
    with pytest.raises(TypeError, match="experiments"):
        verify(ref, baseline_moved(2.0), ref)
    with pytest.raises(ValueError, match="mantissa_bits"):
        verify(ref, baseline_moved(2.0), [("f", -1, "up", ref)])
    with pytest.raises(TypeError, match="baseline"):
        verify(ref, "double", {"a": ref})
    with pytest.raises(ValueError, match="same options"):
        judge({"a": score(ref, ref, variables=())}, baseline_w1(ref, baseline_moved(2.0)))


def test_member_splits_are_disjoint_halves():
    ds = xr.Dataset({"z": (("member", "time"), np.arange(35.0).reshape(7, 5))}, coords={"member": list("abcdefg")})
    pairs = member_splits(ds, n_splits=3, seed=1)
    assert len(pairs) == 3
    for a, b in pairs:
        assert a.sizes["member"] == b.sizes["member"] == 3
        assert not set(a["member"].values) & set(b["member"].values)
    r = baseline_w1(None, pairs)
    assert r.sizes["baseline"] == 3
    with pytest.raises(ValueError, match="member"):
        member_splits(ds.isel(member=[0]))
