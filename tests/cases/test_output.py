"""NetCDF output: atomic writes, CF attributes, provenance that round-trips."""
import json

import numpy as np
import pytest
import xarray as xr

import numprec
from numprec.cases import output
from numprec.emulate import Policy


def small_dataset():
    return xr.Dataset(
        {"z": (("time", "member"), np.arange(6.0).reshape(3, 2), {"units": "1"})},
        coords={"time": ("time", [0.1, 0.2, 0.3], {"units": "1"}),
                "member": ("member", [0, 1], {"units": "1"})})


def test_written_file_has_cf_and_provenance_attributes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    fmt = numprec.FloatFormat(5, 7, subnormals=False)
    policy = Policy("bf16", rounding="stochastic", seed=2**63 + 5)
    prov = output.provenance_attrs(formats=[fmt, "fp16"], rounding=["stochastic"],
                                   seed=2**63 + 5, policy=policy, argv=["prog", "--x", "a b"],
                                   extra={"members": 3, "settings": {"dt": 0.01}})
    path = output.write_netcdf(small_dataset(), tmp_path / "r.nc", title="test",
                               provenance=prov)
    with xr.open_dataset(path) as ds:
        a = ds.attrs
        assert a["Conventions"] == "CF-1.8" and a["title"] == "test"
        assert a["date_created"] == "1970-01-01T00:00:00Z"
        assert a["history"] == "1970-01-01T00:00:00Z prog --x 'a b'"
        assert a["numprec_version"] == numprec.__version__
        assert a["source"] == f"numprec {numprec.__version__}"
        fmts = [numprec.formats.from_config(c) for c in json.loads(a["numprec_formats"])]
        assert fmts == [fmt, numprec.get_format("fp16")]
        assert json.loads(a["numprec_rounding"]) == ["stochastic"]
        assert int(a["numprec_seed"]) == 2**63 + 5
        pol = Policy.from_config(json.loads(a["numprec_policy"])[0])
        assert pol.get_config() == policy.get_config()
        assert a["members"] == 3 and json.loads(a["settings"]) == {"dt": 0.01}
        np.testing.assert_array_equal(ds["z"].values, np.arange(6.0).reshape(3, 2))


def test_existing_file_survives_a_failed_write(tmp_path, monkeypatch):
    path = tmp_path / "r.nc"
    output.write_netcdf(small_dataset(), path)
    before = path.read_bytes()

    def broken(self, target, **kwargs):
        with open(target, "wb") as fh:
            fh.write(b"half a file")
        raise OSError("disk full")

    with xr.set_options(keep_attrs=True):     # units kept whatever xarray's default
        doubled = small_dataset() * 2
    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(OSError, match="disk full"):
        output.write_netcdf(doubled, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.nc"]


def test_variables_without_units_are_refused(tmp_path):
    ds = small_dataset()
    ds["w"] = ds["z"] * 2
    ds["w"].attrs = {}
    with pytest.raises(ValueError, match=r"\['w'\]"):
        output.write_netcdf(ds, tmp_path / "r.nc")
    assert not list(tmp_path.iterdir())


def test_missing_directory_is_named(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        output.write_netcdf(small_dataset(), tmp_path / "nope" / "r.nc")


def test_history_is_appended(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    ds = small_dataset()
    ds.attrs["history"] = "made by hand"
    output.write_netcdf(ds, tmp_path / "r.nc", provenance=output.provenance_attrs(argv=["x"]))
    with xr.open_dataset(tmp_path / "r.nc") as back:
        assert back.attrs["history"] == "made by hand\n1970-01-02T00:00:00Z x"


def test_bad_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        output.write_netcdf(small_dataset(), tmp_path / "r.nc")
