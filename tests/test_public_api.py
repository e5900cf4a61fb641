"""Plugins use only numprec's public API (checked on their source with ast):
names of ``numprec.__all__`` and public submodules, never a private
(underscore) name; and the formats package imports nothing else of numprec."""
import ast
import importlib.util
from pathlib import Path

import pytest

import numprec

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_SOURCES = sorted(p for p in (ROOT / "plugins").glob("*/**/*.py")
                        if "build" not in p.relative_to(ROOT / "plugins").parts
                        and "tests" not in p.parts and "benchmarks" not in p.parts)


def numprec_uses(tree):
    """(kind, text, line) of every import of numprec and every ``numprec.X``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "numprec":
                    yield "import", alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module \
                and node.module.split(".")[0] == "numprec":
            yield "from", node.module, node.lineno
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "numprec":
            yield "attribute", node.attr, node.lineno


def test_there_are_plugin_sources():
    names = {p.parent.name for p in PLUGIN_SOURCES}
    assert {"numprec_posit", "numprec_mx", "numprec_lmul", "numprec_example"} <= names


def public(dotted):
    return not any(part.startswith("_") for part in dotted.split("."))


def public_name_of_numprec(name):
    """In ``numprec.__all__``, or a public submodule such as numprec.cases."""
    return name in numprec.__all__ or (
        public(name) and importlib.util.find_spec(f"numprec.{name}") is not None)


@pytest.mark.parametrize("path", PLUGIN_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plugin_uses_only_public_names(path):
    bad = []
    tree = ast.parse(path.read_text())
    for kind, text, line in numprec_uses(tree):
        if kind in ("import", "from") and not public(text):
            bad.append(f"line {line}: {kind} {text} (a private module)")
        elif kind == "attribute" and not public_name_of_numprec(text):
            bad.append(f"line {line}: numprec.{text} is not public")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("numprec"):
            for alias in node.names:
                if node.module == "numprec" and not public_name_of_numprec(alias.name):
                    bad.append(f"line {node.lineno}: from numprec import {alias.name}")
                elif not public(alias.name):
                    bad.append(f"line {node.lineno}: from {node.module} import {alias.name}")
    assert bad == []


def test_the_public_name_check_can_fail():
    assert not public_name_of_numprec("_kernels")
    assert not public_name_of_numprec("no_such_thing")
    assert not public("numprec.formats._private")
    assert public_name_of_numprec("round") and public_name_of_numprec("cases")


def test_the_formats_package_is_a_leaf():
    """numprec.formats imports no other part of numprec at module level."""
    bad = []
    for path in sorted((ROOT / "numprec" / "formats").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:                  # module level only
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module] if isinstance(node, ast.ImportFrom) else [])
            for module in modules:
                if module and module.startswith("numprec") \
                        and not module.startswith("numprec.formats"):
                    bad.append(f"{path.name}: {module}")
    assert bad == []
