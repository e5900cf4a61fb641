"""The documentation site: it builds with warnings as errors, its examples
run, and its API reference lists every public name.

The site is Sphinx with MyST Markdown pages and numpydoc docstrings
(docs/conf.py); the ``test`` extra installs what it needs.
"""
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Modules whose ``__all__`` the API reference documents (docs/api/*.rst).
API_MODULES = (
    "numprec", "numprec.registry", "numprec.rounding", "numprec.emulate", "numprec.verify",
    "numprec.study", "numprec.cases.base", "numprec.cases.driver", "numprec.cases.ensemble",
    "numprec.cases.lorenz", "numprec.cases.heat", "numprec.cases.shallow_water",
    "numprec.cases.speedy", "numprec.io", "numprec.analysis", "numprec.bits",
    "numprec.xarray", "numprec.array_api",
)


def sphinx(builder, out, doctrees):
    """Run one Sphinx builder on docs/ with warnings as errors."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", builder,
         "-d", str(doctrees), str(DOCS), str(out)],
        capture_output=True, text=True, cwd=ROOT)


@pytest.mark.slow  # ~30 s alone, a minute on a loaded machine; .ci/run builds the site too
def test_site_builds_without_warnings_and_its_examples_run(tmp_path):
    pytest.importorskip("sphinx", reason="the docs extra (sphinx) is not installed")
    pytest.importorskip("numpydoc", reason="the docs extra (numpydoc) is not installed")
    pytest.importorskip("myst_parser", reason="the docs extra (myst-parser) is not installed")
    doctrees = tmp_path / "doctrees"
    html = sphinx("html", tmp_path / "html", doctrees)
    assert html.returncode == 0, html.stderr[-6000:]
    assert (tmp_path / "html" / "api" / "emulate.html").exists()
    # The doctest builder reuses the parsed pages and runs every example of
    # the guides and of the docstrings in the API reference.
    doctest = sphinx("doctest", tmp_path / "doctest", doctrees)
    report = (tmp_path / "doctest" / "output.txt").read_text()
    failures = [block for block in report.split("*" * 70) if "Failed example" in block]
    assert doctest.returncode == 0, "\n".join(failures)[-6000:] + doctest.stderr[-3000:]
    tests = int(re.search(r"Doctest summary\s*=+\s*(\d+) tests", report).group(1))
    assert tests >= 20, report
    assert "0 failures in tests" in report, report


def documented_names():
    """``(module, name)`` for every ``automodule``/``autoX`` entry of docs/api."""
    names = set()
    for page in (DOCS / "api").glob("*.rst"):
        module = None
        for line in page.read_text().splitlines():
            if m := re.match(r"\.\. (?:automodule|currentmodule):: (\S+)", line):
                module = m.group(1)
            elif m := re.match(r"\.\. auto(?:function|class|data|exception):: (\S+)", line):
                names.add((module, m.group(1)))
    return names


@pytest.mark.parametrize("module", API_MODULES)
def test_api_reference_lists_every_public_name(module):
    """Each name of the module's ``__all__`` is documented in docs/api,
    there or (when it is the same object) at the top level."""
    documented = documented_names()
    mod = importlib.import_module(module)
    top = importlib.import_module("numprec")
    own_page = ("emulate", "Policy")  # the subpackage and its Policy: the emulate page
    missing = []
    for name in mod.__all__:
        if name.startswith("__") or (module == "numprec" and name in own_page):
            continue
        same_as_top = (name in top.__all__ and name not in own_page
                       and getattr(top, name, None) is getattr(mod, name))
        if (module, name) not in documented and not (same_as_top and ("numprec", name) in documented):
            missing.append(name)
    assert missing == [], (f"{module}: not in docs/api: {missing} "
                           "(run python docs/dev/make_api_pages.py)")


def test_every_user_guide_is_in_the_index():
    index = (DOCS / "index.md").read_text()
    guides = sorted(p.stem for p in DOCS.glob("*.md") if p.name != "index.md")
    assert [g for g in guides if not re.search(rf"^{re.escape(g)}$", index, re.M)] == []
