"""Docstring coverage of numprec's public API.

Walks every public name (the ``__all__`` of the modules listed in
:data:`MODULES`), and for each public class its public methods and
properties defined in numprec, and reports those without a docstring that
numpydoc can parse.  A docstring counts when it is non-empty and numpydoc's
parser (``numpydoc.docscrape``) reads it without an error or a warning (an
unknown section, a malformed heading, ...).  With ``--strict`` a function or
method that takes arguments (other than ``self``, ``cls``, ``*args`` and
``**kwargs``) must also have a ``Parameters`` section.

Run from the repository root::

    python docs/dev/docstring_coverage.py            # summary + missing names
    python docs/dev/docstring_coverage.py --summary  # numbers only
    python docs/dev/docstring_coverage.py --strict   # Parameters sections too
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import warnings

#: The modules whose ``__all__`` is the public API (the API reference
#: documents the same list).
MODULES = (
    "numprec",
    "numprec.formats",
    "numprec.registry",
    "numprec.registry.hookspecs",
    "numprec.rounding",
    "numprec.emulate",
    "numprec.verify",
    "numprec.study",
    "numprec.cases",
    "numprec.cases.base",
    "numprec.cases.driver",
    "numprec.cases.ensemble",
    "numprec.cases.lorenz",
    "numprec.cases.heat",
    "numprec.cases.shallow_water",
    "numprec.cases.speedy",
    "numprec.io",
    "numprec.analysis",
    "numprec.bits",
    "numprec.xarray",
    "numprec.array_api",
)


def public_names(module):
    """The public names of `module`: its ``__all__``, else its non-underscore
    functions and classes defined in numprec."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items()
                 if not n.startswith("_") and (inspect.isfunction(v) or inspect.isclass(v))
                 and getattr(v, "__module__", "").startswith("numprec")]
    return [n for n in names if not n.startswith("__")]


def is_documentable(obj):
    """Functions, classes, methods and properties have docstrings; constants
    (numbers, strings, tuples, dicts, ...) are documented by the page that
    lists them."""
    return (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismodule(obj)
            or inspect.isbuiltin(obj) or isinstance(obj, (property, staticmethod, classmethod))
            or inspect.ismethoddescriptor(obj))


def members(cls):
    """Public methods and properties defined in `cls` itself (inherited ones
    are counted in the class that defines them)."""
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if inspect.isfunction(value) or isinstance(value, property):
            yield name, value


def takes_arguments(obj):
    """Whether the function `obj` has parameters a docstring should list."""
    if not inspect.isfunction(obj):
        return False
    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in params)


def numpydoc_problem(obj, strict=False):
    """None when `obj` has a docstring numpydoc parses cleanly (and, if
    `strict`, a Parameters section when it takes arguments), else a short
    reason."""
    from numpydoc.docscrape import NumpyDocString

    doc = inspect.getdoc(obj)   # a property's own doc, or its getter's
    if not doc or not doc.strip():
        return "no docstring"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            parsed = NumpyDocString(doc)
        except Exception as err:  # noqa: BLE001 - any parse problem is the report
            return f"numpydoc: {str(err).splitlines()[0][:100]}"
    if strict and takes_arguments(obj) and not parsed["Parameters"]:
        return "no Parameters section"
    return None


def walk(modules=MODULES, strict=False):
    """Yield ``(qualified name, problem or None)`` for every public name,
    each once (a name re-exported by several modules is counted where it is
    defined)."""
    seen = set()
    for modname in modules:
        module = importlib.import_module(modname)
        key = ("module", modname)
        if key not in seen:
            seen.add(key)
            yield modname, numpydoc_problem(module, strict)
        for name in public_names(module):
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not is_documentable(obj):
                continue
            ident = id(obj)
            if ident in seen:
                continue
            seen.add(ident)
            qual = f"{getattr(obj, '__module__', modname)}.{getattr(obj, '__qualname__', name)}"
            yield qual, numpydoc_problem(obj, strict)
            if inspect.isclass(obj) and obj.__module__.startswith("numprec"):
                for mname, member in members(obj):
                    if id(member) in seen:
                        continue
                    seen.add(id(member))
                    yield f"{qual}.{mname}", numpydoc_problem(member, strict)


def main(argv=None):
    """Print the coverage and the names that lack a numpydoc docstring;
    return 0 (a report, not a gate)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", action="store_true", help="print the numbers only")
    parser.add_argument("--strict", action="store_true",
                        help="also require a Parameters section of callables with arguments")
    args = parser.parse_args(argv)
    results = list(walk(strict=args.strict))
    missing = [(name, why) for name, why in results if why]
    if not args.summary:
        for name, why in missing:
            print(f"{name}: {why}")
    done = len(results) - len(missing)
    print(f"{done}/{len(results)} public names documented "
          f"({100 * done / len(results):.1f} %), {len(missing)} missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
