"""numprec.cases.lorenz.diagnostics: dataset layout and statistics (numpy as the oracle)."""
import numpy as np

from numprec.cases.lorenz.diagnostics import statistics, to_dataset


def test_dataset_puts_members_first_and_keeps_values():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3))                  # (time, member)
    X = rng.normal(size=(5, 4, 3))               # (time, k, member)
    ds = to_dataset({"x": x, "X": X}, np.arange(1, 6) * 0.1, attrs={"experiment": "e"})
    assert ds["x"].dims == ("member", "time") and np.array_equal(ds["x"].values, x.T)
    assert ds["X"].dims == ("member", "time", "k")
    assert np.array_equal(ds["X"].values, X.transpose(2, 0, 1))
    assert ds.attrs["experiment"] == "e"
    assert all(ds[n].attrs["units"] == "1" for n in ("x", "X", "time", "member", "k"))


def test_statistics_pool_members_and_time():
    z = np.random.default_rng(1).normal(23.5, 8.6, size=(40, 7))
    ds = to_dataset({"z": z}, np.arange(40) * 0.1)
    stats = statistics(ds)
    assert np.isclose(float(stats["z_mean"]), z.mean(), rtol=1e-14)
    assert np.isclose(float(stats["z_std"]), z.std(), rtol=1e-14)
