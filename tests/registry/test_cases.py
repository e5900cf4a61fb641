"""Case discovery: the ``numprec_cases`` hook, numprec.get_case and list_cases."""
import sys
import textwrap
import warnings

import pytest

import numprec
from numprec.registry.manager import Registry


class CasePlugin:
    """A plugin object with one hook, as a plugin module would have."""

    def __init__(self, *entries):
        self.entries = entries

    @numprec.hookimpl
    def numprec_cases(self):
        return list(self.entries)


@pytest.fixture
def case_module(tmp_path, monkeypatch):
    """A module ``numprec_test_case_mod`` on sys.path holding ``CASE``; not imported yet."""
    (tmp_path / "numprec_test_case_mod.py").write_text(textwrap.dedent("""
        class Toy:
            name = "toy"
            description = "a toy case"
        CASE = Toy()
        class Holder:
            inner = CASE
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "numprec_test_case_mod", raising=False)
    return "numprec_test_case_mod"


def registry_with(*entries):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg = Registry(entry_points=False, plugins=[("toyplugin", CasePlugin(*entries))])
    return reg, [str(w.message) for w in caught if issubclass(w.category, numprec.PluginWarning)]


def test_builtin_cases_are_listed():
    assert {"lorenz", "heat", "shallow_water", "speedy"} <= set(numprec.list_cases())
    assert numprec.list_cases() == sorted(numprec.list_cases())


def test_builtin_cases_point_at_the_case_subpackages():
    reg = Registry(entry_points=False)
    loads = {name: entry.load for name, (entry, plugin) in reg.cases.items()}
    assert loads == {"lorenz": "numprec.cases.lorenz:CASE", "heat": "numprec.cases.heat:CASE",
                     "shallow_water": "numprec.cases.shallow_water:CASE",
                     "speedy": "numprec.cases.speedy:CASE"}
    assert all(plugin == "builtin" for _, plugin in reg.cases.values())


def test_plugin_case_is_imported_only_when_asked_for(case_module):
    reg, warned = registry_with(numprec.CaseEntry("toy", f"{case_module}:CASE", "a toy"))
    assert warned == []
    assert "toy" in reg.cases
    assert case_module not in sys.modules           # building the registry imports nothing
    case = reg.get_case("toy")
    assert case_module in sys.modules
    assert case is sys.modules[case_module].CASE
    assert reg.get_case("toy") is case               # the same object every time


def test_dotted_attribute(case_module):
    reg, _ = registry_with(numprec.CaseEntry("toy", f"{case_module}:Holder.inner"))
    assert reg.get_case("toy") is sys.modules[case_module].CASE


def test_unknown_case_lists_the_known_ones(case_module):
    reg, _ = registry_with(numprec.CaseEntry("toy", f"{case_module}:CASE"))
    with pytest.raises(numprec.UnknownNameError) as info:
        reg.get_case("lorentz")
    message = str(info.value)
    assert "'lorentz'" in message
    for name in ("heat", "lorenz", "shallow_water", "speedy", "toy"):
        assert name in message
    with pytest.raises(TypeError, match="name must be a string"):
        reg.get_case(3)


def test_missing_module_is_a_clear_import_error():
    reg, _ = registry_with(numprec.CaseEntry("ghost", "numprec_no_such_module.sub:CASE"))
    with pytest.raises(ImportError) as info:
        reg.get_case("ghost")
    message = str(info.value)
    assert "'ghost'" in message and "toyplugin" in message
    assert "numprec_no_such_module.sub:CASE" in message


def test_missing_attribute_is_a_clear_import_error(case_module):
    reg, _ = registry_with(numprec.CaseEntry("toy", f"{case_module}:NOPE"))
    with pytest.raises(ImportError, match="has no attribute 'NOPE'") as info:
        reg.get_case("toy")
    assert "'toy'" in str(info.value)


def test_a_builtin_case_name_stays_builtin(case_module):
    reg, warned = registry_with(numprec.CaseEntry("lorenz", f"{case_module}:CASE"),
                                numprec.CaseEntry("toy", f"{case_module}:CASE"))
    assert reg.cases["lorenz"][0].load == "numprec.cases.lorenz:CASE"
    assert "toy" in reg.cases                       # the plugin's other case still works
    assert len(warned) == 1 and "'lorenz'" in warned[0] and "toyplugin" in warned[0]


def test_invalid_entries_are_reported_and_skipped(case_module):
    reg, warned = registry_with("not an entry", numprec.CaseEntry("toy", f"{case_module}:CASE"))
    assert "toy" in reg.cases
    assert len(warned) == 1 and "invalid case entry" in warned[0]


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(name="", load="a.b:C"), ValueError, "name must be a non-empty string"),
    (dict(name="x", load="a.b.C"), ValueError, "'package.module:attribute'"),
    (dict(name="x", load="a.b:"), ValueError, "'package.module:attribute'"),
    (dict(name="x", load=":C"), ValueError, "'package.module:attribute'"),
    (dict(name="x", load="a-b:C"), ValueError, "'package.module:attribute'"),
    (dict(name="x", load=None), ValueError, "'package.module:attribute'"),
    (dict(name="x", load="a:C", description=None), TypeError, "description must be a string"),
])
def test_case_entry_checks_its_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        numprec.CaseEntry(**kwargs)


def test_case_entry_parts():
    entry = numprec.CaseEntry("lorenz", "numprec.cases.lorenz:CASE")
    assert (entry.module, entry.attribute, entry.description) == \
        ("numprec.cases.lorenz", "CASE", "")
