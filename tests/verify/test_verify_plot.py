"""The W1-against-bits figure is drawn and written as a PNG."""

import numpy as np
import pytest
import xarray as xr

from numprec.verify import plot_w1_vs_bits, verify

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_plot_writes_png(tmp_path):
    rng = np.random.default_rng(0)
    ref = xr.Dataset({"z": (("member", "time"), rng.normal(size=(2, 50)), {"units": "K"})})
    base = ref + 0.01
    exps = []
    for bits, shift in [(6, 0.5), (8, 0.2), (10, 0.05)]:
        exps.append(("e11m%d" % bits, bits, "nearest_even", ref + shift))
        exps.append(("e11m%d" % bits, bits, "stochastic", ref + shift / 4))
    blown = ref.copy(deep=True)
    blown["z"][0, 0] = np.inf
    exps.append(("e11m4", 4, "nearest_even", blown))
    result = verify(ref, [base, ref + 0.02], exps, tolerance=0.1, joint=["z"])
    path = tmp_path / "w1.png"
    fig = plot_w1_vs_bits(result, path=path)
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2
    ax = fig.axes[0]
    assert ax.get_xlabel() == "mantissa bits" and ax.get_ylabel() == "W1 [K]"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"nearest_even", "stochastic", "double baseline", "minor limit"} <= set(labels)


def test_plot_rejects_unknown_rows():
    ref = xr.Dataset({"z": ("time", np.arange(4.0))})
    result = verify(ref, ref + 1.0, [("e5m2", 2, "up", ref + 2.0)])
    with pytest.raises(ValueError, match="not rows"):
        plot_w1_vs_bits(result, "q")
