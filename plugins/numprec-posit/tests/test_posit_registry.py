"""The plugin is found through its entry point, like any third-party plugin."""
import importlib.metadata
import json
import subprocess
import sys

import numprec
from numprec_posit import PositFormat


def test_entry_point_is_installed():
    eps = importlib.metadata.entry_points(group="numprec")
    assert "numprec_posit.names" in {ep.value for ep in eps}    # declared names: lazy loading


def test_listed_and_loaded_without_errors():
    names = numprec.list_formats()
    assert {"posit8", "posit16", "posit32"} <= set(names)
    assert not [e for e in numprec.plugin_errors() if "posit" in e]


def test_command_line_lists_the_posit_formats():
    run = subprocess.run([sys.executable, "-m", "numprec", "formats"], capture_output=True,
                         text=True, check=True)
    lines = {line.split()[0]: line for line in run.stdout.splitlines() if line.strip()}
    for name in ("posit8", "posit16", "posit32"):
        assert "[posit" in lines[name]
    assert "maxpos=7.20576e+16" in lines["posit16"]


def test_names_aliases_and_parametric_names():
    assert numprec.get_format("posit16") == PositFormat(16, 2)
    assert numprec.get_format("posit16_2") == PositFormat(16, 2)
    assert numprec.get_format("posit16_1") == PositFormat(16, 1)
    assert numprec.get_format("posit12_3").name == "posit12_3"
    assert numprec.get_format("posit24").es == 2


def test_config_round_trips_through_json():
    for fmt in (PositFormat(8, 2), PositFormat(13, 4), PositFormat(32, 0)):
        cfg = json.loads(json.dumps(fmt.get_config()))
        assert cfg["id"] == "posit"
        back = numprec.from_config(cfg)
        assert back == fmt and hash(back) == hash(fmt) and back.name == fmt.name


def test_declared_names_are_the_registered_ones():
    from numprec_posit import names, plugin
    assert names.PLUGIN == plugin.__name__
    registered = [n for e in plugin.numprec_formats() for n in (e.name, *e.aliases)]
    assert sorted(registered) == sorted(names.FORMATS)
    assert [c.format_id for c in plugin.numprec_format_classes()] == list(names.FORMAT_IDS)
    for name in names.FORMAT_PREFIXES:
        assert any(n.startswith(name) for n in registered)
