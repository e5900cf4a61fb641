"""Plugins use only numprec's public API: ``import numprec`` and names of
``numprec.__all__`` (checked on their source with ast), and the formats
package imports nothing else of numprec."""
import ast
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


@pytest.mark.parametrize("path", PLUGIN_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plugin_uses_only_public_names(path):
    bad = []
    for kind, text, line in numprec_uses(ast.parse(path.read_text())):
        if kind == "import" and text != "numprec":
            bad.append(f"line {line}: import {text}")
        elif kind == "from":
            bad.append(f"line {line}: from {text} import ...")
        elif kind == "attribute" and text not in numprec.__all__:
            bad.append(f"line {line}: numprec.{text} is not in numprec.__all__")
    assert bad == []


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
