"""The import graph of numprec has no cycles (house rule, docs/dev notes).

Every ``.py`` module of the package is parsed with :mod:`ast`; every
``import`` and ``from ... import`` statement counts, at module level or
inside a function (an import inside a function that closes a cycle is a
cycle held together by import order).  ``from package import name`` is an
edge to the module ``package.name`` when that is a module, else to
``package``.  Importing a module also runs its parent packages'
``__init__``, but that is not an edge of the module: a package's
``__init__`` that re-exports its modules would otherwise make every module
part of a cycle with it.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "numprec"


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules():
    return {_module_name(p): p for p in ROOT.rglob("*.py") if "build" not in p.parts}


def import_graph():
    """``{module: set of numprec modules it imports}``."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in modules else mod
                           for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:     # a name inside a module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def cycles(graph):
    """The strongly connected components with more than one module
    (Tarjan's algorithm), each as a sorted list."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_function_level_and_relative_imports():
    graph = import_graph()
    assert "numprec.emulate.engine" in graph["numprec.emulate.array"]
    assert "numprec.emulate.context" in graph["numprec.emulate.policy"]


def test_emulate_has_no_import_cycles():
    graph = import_graph()
    sub = {k: {t for t in v if t.startswith("numprec.emulate")}
           for k, v in graph.items() if k.startswith("numprec.emulate")}
    assert cycles(sub) == []


def test_numprec_has_no_import_cycles():
    assert cycles(import_graph()) == []
