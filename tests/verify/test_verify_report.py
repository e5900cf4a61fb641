"""Text and markdown tables of verifier results."""

import numpy as np
import pytest
import xarray as xr

from numprec.verify import format_table, to_markdown, to_text, verify


@pytest.fixture(scope="module")
def result():
    ref = xr.Dataset({"z": ("time", np.arange(8.0), {"units": "K"}), "q": ("time", np.arange(8.0), {"units": "g/kg"})})
    base = ref.copy(deep=True)
    base["z"][-1] += 2.0
    base["q"][-1] += 2.0
    bad = ref + 1.0
    bad["q"][2] = np.nan
    return verify(ref, base, [("e11m10", 10, "nearest_even", ref + 0.5), ("e5m10", 10, "stochastic", bad)], tolerance={"z": 0.25})


def test_markdown_table(result):
    md = to_markdown(result)
    lines = md.splitlines()
    assert len(lines) == 2 + 4  # header, rule, 2 experiments x 2 variables
    assert lines[0].startswith("| experiment") and lines[0].rstrip(" |").endswith("verdict")
    assert set(lines[1]) <= set("|-: ")
    assert all(line.count("|") == 12 for line in lines)
    cells = [c.strip() for c in lines[2].strip("|").split("|")]
    assert cells == ["e11m10 nearest_even", "e11m10", "10", "nearest_even", "z", "0.5", "0.25", "0.25", "0.25", "K", "minor"]
    assert "| unstable" in lines[5] and "g/kg" in lines[5] and "nan" in lines[5]


def test_text_table(result):
    txt = to_text(result, digits=2)
    lines = txt.splitlines()
    assert "|" not in txt
    assert lines[0].split() == ["experiment", "format", "bits", "rounding", "variable", "W1", "baseline", "excess", "tolerance", "units", "verdict"]
    assert lines[3].split()[-1] == "distinguishable"  # q of e11m10: 0.5 > 0.25, no tolerance
    assert format_table(result, "text", 2) == txt


def test_errors(result):
    with pytest.raises(ValueError, match="style"):
        format_table(result, style="html")
    with pytest.raises(TypeError, match="result"):
        to_markdown(xr.Dataset())


@pytest.fixture(scope="module")
def plain():
    """A result without tolerance, every variable dimensionless (a study's)."""
    ref = xr.Dataset({"x": ("time", np.arange(8.0), {"units": "1"}),
                      "y": ("time", np.arange(8.0))})
    base = ref.copy(deep=True)
    base["x"][-1] += 2.0
    return verify(ref, base, [("e11m4", 4, "nearest_even", ref + 0.5)])


def test_columns_that_carry_nothing_are_left_out(plain):
    header = to_text(plain).splitlines()[0].split()
    assert header == ["experiment", "format", "bits", "rounding", "variable", "W1",
                      "baseline", "excess", "verdict"]
    md = to_markdown(plain).splitlines()
    assert "tolerance" not in md[0] and "units" not in md[0]
    assert all(line.count("|") == 10 for line in md)
    row = [c.strip() for c in md[2].strip("|").split("|")]
    assert row == ["e11m4 nearest_even", "e11m4", "4", "nearest_even", "x", "0.5", "0.25",
                   "0.25", "distinguishable"]
    # asked for, they are shown
    full = to_text(plain, columns=("variable", "tolerance", "units", "verdict")).splitlines()
    assert full[0].split() == ["variable", "tolerance", "units", "verdict"]
    assert full[2].split() == ["x", "0", "1", "distinguishable"]
    with pytest.raises(ValueError, match="columns"):
        to_text(plain, columns=("colour",))


def test_a_tolerance_or_units_bring_their_column_back(result):
    header = to_text(result).splitlines()[0].split()
    assert "tolerance" in header and "units" in header
