"""The plugin is found through its entry point and its configs round-trip."""
import importlib.metadata
import json
import subprocess
import sys

import pytest

import numprec
import numprec_mx

REGISTERED = ["mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp4", "mxint8",
              "nvfp4", "nvfp4_rht16", "bfp4", "bfp8", "bfp16"]


def test_entry_point_is_installed():
    eps = importlib.metadata.entry_points(group="numprec")
    assert "numprec_mx.names" in {ep.value for ep in eps}    # declared names: lazy loading


def test_listed_and_loaded_without_errors():
    assert set(REGISTERED) <= set(numprec.list_formats())
    assert not [e for e in numprec.plugin_errors() if "mx" in e]


def test_command_line_lists_the_block_formats():
    run = subprocess.run([sys.executable, "-m", "numprec", "formats"], capture_output=True,
                         text=True, check=True)
    lines = {line.split()[0]: line for line in run.stdout.splitlines() if line.strip()}
    for name in REGISTERED:
        assert "[mx" in lines[name], name
    assert "block 16 x float4_e2m1fn, ue4m3 scale x FP32 tensor scale" in lines["nvfp4"]


def test_presets_have_the_specs_parameters():
    mxfp4 = numprec.get_format("mxfp4")
    assert (mxfp4.block_size, mxfp4.scale.name, mxfp4.axis, mxfp4.element.max) == (32, "e8m0", -1, 6)
    assert numprec.get_format("mxfp8") == numprec.get_format("mxfp8_e4m3")
    nv = numprec.get_format("nvfp4")
    assert (nv.block_size, nv.scale.max, nv.tensor_scale) == (16, 448, True)
    assert numprec.get_format("bfp8") == numprec.get_format("mxint8")
    assert not mxfp4.elementwise


@pytest.mark.parametrize("name", REGISTERED + ["mxfp4_b16_ue4m3", "nvfp4_ue5m3", "bfp12_b64",
                                               "mxfp8_e4m3_axis0", "mxfp4_rht16"])
def test_config_round_trips_through_json(name):
    fmt = numprec.get_format(name)
    cfg = json.loads(json.dumps(fmt.get_config()))
    assert cfg["id"] == "block_scaled"
    back = numprec.from_config(cfg)
    assert back == fmt and hash(back) == hash(fmt) and back.name == fmt.name
    assert back.axis == fmt.axis and back.block_size == fmt.block_size


def test_axis_belongs_to_the_format():
    fmt = numprec.get_format("mxfp4").with_axis(0)
    assert fmt.axis == 0 and fmt != numprec.get_format("mxfp4")
    assert numprec_mx.MXFormat("float4_e2m1fn", axis=0) == fmt


def test_declared_names_are_the_registered_ones():
    from numprec_mx import names, plugin
    assert names.PLUGIN == plugin.__name__
    registered = [n for e in plugin.numprec_formats() for n in (e.name, *e.aliases)]
    assert sorted(registered) == sorted(names.FORMATS)
    assert [c.format_id for c in plugin.numprec_format_classes()] == list(names.FORMAT_IDS)
    for name in names.FORMAT_PREFIXES:
        assert any(n.startswith(name) for n in registered)
