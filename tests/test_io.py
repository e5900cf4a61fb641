"""numprec.io: the one writer (atomic, umask, CF attributes, units) and the
one provenance schema (written, parsed back, compared)."""
import json
import os
import stat

import numpy as np
import pytest
import xarray as xr

import numprec
from numprec import io
from numprec.emulate import Policy


def small_dataset():
    return xr.Dataset(
        {"z": (("member", "time"), np.arange(6.0).reshape(2, 3), {"units": "K"})},
        coords={"time": ("time", [0.1, 0.2, 0.3], {"units": "days"}),
                "member": ("member", [0, 1], {"units": "1"})})


def record(**changes):
    base = dict(case="toy", params={"steps": 20, "dt": 0.5}, kind="experiment",
                label="e11m4 stochastic", member=0, members=2, ic_seed=7000,
                format="e11m4", rounding="stochastic", seed=2**63 + 5,
                policy=Policy("e11m4", rounding="stochastic", seed=2**63 + 5),
                command="prog --x 'a b'")
    base.update(changes)
    return io.Provenance(**base)


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_provenance_round_trips_through_the_file(tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    fmt = numprec.FloatFormat(5, 7, subnormals=False)
    prov = record(format=fmt, params={"steps": np.int64(20), "shape": (2, 3)})
    path = io.write_dataset(small_dataset(), tmp_path / f"r{suffix}", title="test",
                            provenance=prov)
    back = io.read_provenance(path)
    assert back == prov
    assert numprec.from_config(back.format) == fmt
    assert back.params == {"steps": 20, "shape": [2, 3]}
    assert back.seed == 2**63 + 5                      # beyond netCDF's int64
    assert Policy.from_config(back.policy).get_config() == prov.policy
    ds = io.open_dataset(path)
    a = ds.attrs
    assert a["Conventions"] == "CF-1.8" and a["title"] == "test"
    assert a["date_created"] == "1970-01-01T00:00:00Z"
    assert a["history"] == "1970-01-01T00:00:00Z prog --x 'a b'"
    assert a["source"] == f"numprec {numprec.__version__}"
    assert a["numprec_version"] == numprec.__version__ and a["numprec_schema"] == "1"
    assert a["numprec_format"] == json.dumps(fmt.get_config(), sort_keys=True)
    assert ds["z"].attrs["units"] == "K"
    np.testing.assert_array_equal(ds["z"].values, small_dataset()["z"].values)


def test_double_precision_and_defaults_read_back_as_none():
    prov = io.Provenance(case="toy")
    assert prov.numprec_version == numprec.__version__
    back = io.read_provenance(prov.to_attrs())
    assert back.format is None and back.policy is None and back.seed is None
    assert back.params == {} and back == prov


def test_attributes_without_provenance_are_refused():
    with pytest.raises(io.ProvenanceError, match="no numprec provenance"):
        io.read_provenance({"title": "x"})
    with pytest.raises(io.ProvenanceError, match="numprec_params"):
        io.read_provenance({"numprec_params": "{not json"})


@pytest.mark.parametrize("change,expected", [
    (dict(params={"steps": 30, "dt": 0.5}), ("params.steps", "20", "30")),
    (dict(params={"steps": 20}), ("params.dt", "0.5", "<missing>")),
    (dict(ic_seed=8000), ("ic_seed", "7000", "8000")),
    (dict(format="e11m5"), ("format.mantissa_bits", "4", "5")),
    (dict(policy=Policy("e11m4", rounding="stochastic", seed=1)), ("policy.seed",
                                                                   str(2**63 + 5), "1")),
    (dict(numprec_version="0.0.1"), ("numprec_version", numprec.__version__, "0.0.1")),
])
def test_first_difference_names_the_field_and_both_values(change, expected):
    assert io.first_difference(record(), record(**change)) == expected


def test_the_command_line_does_not_count_and_a_missing_field_does():
    assert io.first_difference(record(), record(command="other")) is None
    attrs = record().to_attrs()
    del attrs["numprec_ic_seed"]
    assert io.first_difference(attrs, record()) == ("ic_seed", "<missing>", "7000")
    with pytest.raises(io.ProvenanceError, match=r"^f\.nc was written with ic_seed = "
                                                 r"<missing>, but this run has ic_seed = "
                                                 r"7000; redo it$"):
        io.check_provenance("f.nc", attrs, record(), hint="redo it")


def test_bad_fields_are_refused_early():
    with pytest.raises(TypeError, match="seed must be an integer"):
        io.Provenance(seed=1.5)
    with pytest.raises(TypeError, match="params must be a dict"):
        io.Provenance(params=[1])
    with pytest.raises(TypeError, match="policy must be"):
        io.Provenance(policy="fp16")
    with pytest.raises(ValueError):
        io.Provenance(format="no-such-format")


def plain_modes(directory):
    """The modes a plain open() and mkdir() give in ``directory`` now."""
    with open(directory / "plain-file", "w"):
        pass
    (directory / "plain-dir").mkdir()
    modes = (stat.S_IMODE((directory / "plain-file").stat().st_mode),
             stat.S_IMODE((directory / "plain-dir").stat().st_mode))
    (directory / "plain-file").unlink()
    (directory / "plain-dir").rmdir()
    return modes


@pytest.fixture(params=[0o022, 0o077, 0o002], ids=lambda m: f"umask{m:03o}")
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_every_writer_gives_the_mode_of_a_plain_new_file(tmp_path, umask):
    from matplotlib.figure import Figure

    file_mode, dir_mode = plain_modes(tmp_path)
    io.write_dataset(small_dataset(), tmp_path / "a.nc")
    io.write_dataset(small_dataset(), tmp_path / "a.zarr")
    io.write_text("# report\n", tmp_path / "report.md")
    fig = Figure()
    fig.add_subplot().plot([0, 1])
    io.save_figure(fig, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("a.nc", "report.md", "plot.png"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == file_mode, name
    zarr = [tmp_path / "a.zarr", *(tmp_path / "a.zarr").rglob("*")]
    assert all(stat.S_IMODE(p.stat().st_mode) == (dir_mode if p.is_dir() else file_mode)
               for p in zarr)
    # replacing keeps to the rule, and leaves nothing else behind
    io.write_dataset(small_dataset(), tmp_path / "a.nc")
    io.write_dataset(small_dataset() * 1, tmp_path / "a.zarr")
    assert stat.S_IMODE((tmp_path / "a.nc").stat().st_mode) == file_mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nc", "a.zarr", "plot.png",
                                                           "report.md"]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch,
                                                                   error):
    path = tmp_path / "r.nc"
    io.write_dataset(small_dataset(), path)
    before = path.read_bytes()

    def broken(self, target, **kwargs):
        with open(target, "wb") as fh:
            fh.write(b"half a file")
        raise error

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(type(error)):
        io.write_dataset(small_dataset(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.nc"]


def test_units_store_and_directory_are_checked_before_writing(tmp_path):
    ds = small_dataset()
    ds["w"] = ds["z"] * 2
    ds["w"].attrs = {}
    with pytest.raises(ValueError, match=r"without a 'units' attribute: \['w'\]"):
        io.write_dataset(ds, tmp_path / "r.nc")
    with pytest.raises(ValueError, match="cannot tell the store"):
        io.write_dataset(small_dataset(), tmp_path / "r.txt")
    with pytest.raises(ValueError, match="does not exist"):
        io.write_dataset(small_dataset(), tmp_path / "nope" / "r.nc")
    assert not list(tmp_path.iterdir())
    io.write_dataset(small_dataset(), tmp_path / "new" / "r.nc", mkdir=True)
    assert (tmp_path / "new" / "r.nc").is_file()


def test_history_is_appended_and_a_bad_epoch_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    ds = small_dataset()
    ds.attrs["history"] = "made by hand"
    io.write_dataset(ds, tmp_path / "r.nc", provenance=io.Provenance(command="x"))
    assert io.open_dataset(tmp_path / "r.nc").attrs["history"] == \
        "made by hand\n1970-01-02T00:00:00Z x"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        io.write_dataset(small_dataset(), tmp_path / "s.nc")


def test_same_inputs_write_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    for name in ("a.nc", "b.nc"):
        io.write_dataset(small_dataset(), tmp_path / name, provenance=record())
    a, b = (xr.open_dataset(tmp_path / n) for n in ("a.nc", "b.nc"))
    with a, b:
        xr.testing.assert_identical(a, b)


def test_remove_temporaries_removes_only_ours(tmp_path):
    ours = [tmp_path / ".r.nc.ab12cd34.tmp", tmp_path / "sub" / ".m.nc.k3j_x9qa.tmp"]
    (tmp_path / "sub").mkdir()
    for p in ours:
        p.write_bytes(b"half")
    zarr_tmp = tmp_path / "sub" / ".m.zarr.ffee0011.tmp"
    (zarr_tmp / "x").mkdir(parents=True)
    theirs = [tmp_path / "notes.tmp", tmp_path / ".notes.tmp", tmp_path / "sub" / "x.tmp"]
    for p in theirs:
        p.write_text("the user's")
    removed = io.remove_temporaries(tmp_path)
    assert sorted(removed) == sorted(ours + [zarr_tmp])
    assert all(p.exists() for p in theirs) and not any(p.exists() for p in ours)
