"""Write the API reference pages docs/api/*.rst from the modules' ``__all__``.

Each page lists its modules' public names in an autosummary table and
documents each one (``autofunction`` / ``autoclass`` with its members /
``autodata``).  A name re-exported at the top level (``numprec.round`` is
``numprec.rounding.round``) is documented once, on the ``numprec`` page.
Run from the repository root after adding or removing a public name
(tests/test_docs.py fails until the pages list every name)::

    python docs/dev/make_api_pages.py
"""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

API = Path(__file__).resolve().parents[1] / "api"

#: page -> (title, introduction, modules).  The numprec page leaves out the
#: subpackage ``emulate`` and its ``Policy``, which have their own page.
PAGES = {
    "numprec": ("numprec", "The top-level API: rounding, formats and the registry "
                "(see :doc:`../formats`).", ["numprec"]),
    "registry": ("numprec.registry and the plugin contract",
                 "Names of the registry not re-exported at the top level, and the hook "
                 "specifications that are the whole plugin contract "
                 "(see :doc:`../plugins`).",
                 ["numprec.registry", "numprec.registry.hookspecs"]),
    "rounding": ("numprec.rounding", "Argument checking and dispatch behind "
                 ":func:`numprec.round`.", ["numprec.rounding"]),
    "emulate": ("numprec.emulate", "Emulated low-precision numpy arithmetic "
                "(see :doc:`../emulate`).", ["numprec.emulate"]),
    "verify": ("numprec.verify", "The Wasserstein verifier (see :doc:`../verify`).",
               ["numprec.verify"]),
    "study": ("numprec.study", "Declarative studies on dask.distributed "
              "(see :doc:`../studies`).", ["numprec.study"]),
    "cases": ("numprec.cases", "The case contract, the driver and the ensemble runner "
              "(see :doc:`../cases`), and each built-in case.",
              ["numprec.cases", "numprec.cases.base", "numprec.cases.driver",
               "numprec.cases.ensemble", "numprec.cases.lorenz", "numprec.cases.heat",
               "numprec.cases.shallow_water", "numprec.cases.speedy"]),
    "io": ("numprec.io", "The one writer and the provenance schema.", ["numprec.io"]),
    "analysis": ("numprec.analysis", "Number statistics, bit information, "
                 "stochastic-arithmetic error estimates and precision search "
                 "(see :doc:`../analysis`).", ["numprec.analysis"]),
    "bits": ("numprec.bits", "Bit patterns of formats: encode, decode, flip bits "
             "(see :doc:`../interop`).", ["numprec.bits"]),
    "interop": ("numprec.xarray and numprec.array_api", "Rounding labelled data and "
                "array-API arrays (see :doc:`../interop`).",
                ["numprec.xarray", "numprec.array_api"]),
}

#: Names of a module's ``__all__`` documented elsewhere.
ELSEWHERE = {"numprec": {"emulate", "Policy"}}


def documented_names(modname):
    """The names of ``modname.__all__`` its page documents."""
    module = importlib.import_module(modname)
    top = importlib.import_module("numprec")
    names = [n for n in getattr(module, "__all__", []) if not n.startswith("__")]
    skip = set(ELSEWHERE.get(modname, ()))
    if modname != "numprec":
        skip |= {n for n in names if n in top.__all__ and n not in ELSEWHERE["numprec"]
                 and getattr(module, n) is getattr(top, n, None)}
    return [n for n in names if n not in skip]


def directive(module, name):
    """The autodoc directive of one public name."""
    obj = getattr(module, name)
    if inspect.isclass(obj):
        kind = "autoexception" if issubclass(obj, BaseException) else "autoclass"
        return [f".. {kind}:: {name}", "   :members:", ""]
    if callable(obj):
        return [f".. autofunction:: {name}", ""]
    return [f".. autodata:: {name}", "   :annotation:", ""]


def page(title, intro, modules):
    """The reStructuredText of one page."""
    out = [title, "=" * len(title), "", intro, ""]
    for modname in modules:
        module = importlib.import_module(modname)
        names = documented_names(modname)
        if len(modules) > 1:
            out += [f"``{modname}``", "-" * (len(modname) + 4), ""]
        out += [f".. automodule:: {modname}", "   :no-members:", ""]
        if names:
            out += [f".. currentmodule:: {modname}", "", ".. autosummary::", ""]
            out += [f"   {n}" for n in names] + [""]
            for name in names:
                out += directive(module, name)
    return "\n".join(out)


def main():
    """Write every page; print the ones that changed."""
    for name, spec in PAGES.items():
        path = API / f"{name}.rst"
        text = page(*spec)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
