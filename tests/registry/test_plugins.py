"""Real plugin distributions, installed with pip into a private directory and
discovered through the entry point group ``numprec`` in a fresh interpreter."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "plugins" / "numprec-example"


def pip_install(target, *sources):
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                    "--no-build-isolation", "--quiet", "--target", str(target),
                    *map(str, sources)], check=True)


def run_python(code, site):
    env = dict(os.environ, PYTHONPATH=str(site))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


def write_pyproject(src, dist, package, entry_point):
    """The pyproject.toml of a one-package plugin distribution whose ``numprec``
    entry point is ``entry_point``."""
    (src / "pyproject.toml").write_text(textwrap.dedent(f"""
        [build-system]
        requires = ["setuptools>=64"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "{dist}"
        version = "0.1"
        [project.entry-points.numprec]
        {package} = "{entry_point}"
        [tool.setuptools]
        packages = ["{package}"]
    """))


def make_plugin(root, dist, module, body):
    """Write a one-module plugin distribution and return its folder."""
    src = root / dist
    (src / module).mkdir(parents=True)
    (src / module / "__init__.py").write_text(textwrap.dedent(body))
    write_pyproject(src, dist, module, module)
    return src


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    pip_install(target, EXAMPLE)
    return target


def test_example_plugin_is_discovered_and_rounds(site):
    proc = run_python("""
        import json, numpy as np, numprec
        x = np.array([1.0 + 2.0**-7, 1.0 + 3 * 2.0**-7, 70000.0, 2.0**-21, 65280.0, 65281.0])
        x = np.concatenate([x, -x])
        print(json.dumps({
            "formats": numprec.list_formats(),
            "roundings": numprec.list_roundings(),
            "alias": numprec.get_format("ex12").name,
            "nearest_even": numprec.round(x, "example12").tolist(),
            "ties_to_zero": numprec.round(x, "example12", "nearest_ties_to_zero").tolist(),
            "errors": numprec.plugin_errors(),
        }))
    """, site)
    got = json.loads(proc.stdout)
    assert "example12" in got["formats"] and "binary16" in got["formats"]
    assert "nearest_ties_to_zero" in got["roundings"]
    assert got["alias"] == "example12"
    # e5m6: spacing 2**-6 at 1; 1 + 2**-7 is a tie between 1 and 1 + 2**-6;
    # 1 + 3*2**-7 a tie between 1 + 2**-6 (odd) and 1 + 2**-5 (even);
    # max = (2 - 2**-6) * 2**15 = 65024, the next value of the precision is
    # 2**16 = 65536, so nearest rounding overflows to inf above the tie
    # 65280 (65024 is odd: nearest_even overflows at the tie too, while ties
    # toward zero keep 65024), for the plugin's scheme as for the built-in;
    # 2**-21 is half the smallest subnormal 2**-20 -> 0 (even) / 0 (toward zero).
    inf = float("inf")
    positive_even = [1.0, 1.0 + 2 ** -5, inf, 0.0, inf, inf]
    positive_to_zero = [1.0, 1.0 + 2 ** -6, inf, 0.0, 65024.0, inf]
    assert got["nearest_even"] == positive_even + [-v for v in positive_even]
    assert got["ties_to_zero"] == positive_to_zero + [-v for v in positive_to_zero]
    assert got["errors"] == []


def test_formats_command_lists_plugin_formats(site):
    env = dict(os.environ, PYTHONPATH=str(site))
    proc = subprocess.run([sys.executable, "-m", "numprec", "formats"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = next(l for l in proc.stdout.splitlines() if l.startswith("example12"))
    assert "[example" in line and "max=65024" in line


def test_broken_and_duplicate_plugins_are_reported_and_skipped(tmp_path):
    broken = make_plugin(tmp_path, "numprec-broken", "numprec_broken", """
        raise RuntimeError("this plugin is broken on purpose")
    """)
    dup = make_plugin(tmp_path, "numprec-dup", "numprec_dup", """
        import numprec
        @numprec.hookimpl
        def numprec_formats():
            return [numprec.FormatEntry("example12", numprec.FloatFormat(4, 4)),
                    numprec.FormatEntry("dup_only", numprec.FloatFormat(3, 3))]
    """)
    raising = make_plugin(tmp_path, "numprec-raising", "numprec_raising", """
        import numprec
        @numprec.hookimpl
        def numprec_formats():
            raise ValueError("cannot build my formats")
    """)
    site = tmp_path / "site"
    pip_install(site, EXAMPLE, broken, dup, raising)
    proc = run_python("""
        import json, warnings, numprec
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            formats = numprec.list_formats()
        err = None
        try:
            numprec.get_format("example12")
        except numprec.DuplicateNameError as exc:
            err = str(exc)
        print(json.dumps({"formats": formats, "errors": numprec.plugin_errors(),
                          "warnings": [str(w.message) for w in caught
                                       if issubclass(w.category, numprec.PluginWarning)],
                          "dup_error": err}))
    """, site)
    got = json.loads(proc.stdout)
    errors = " | ".join(got["errors"])
    assert "'numprec_broken'" in errors and "broken on purpose" in errors
    assert "'numprec_raising'" in errors and "cannot build my formats" in errors
    assert "'example12'" in errors and "'numprec_dup'" in errors
    assert len(got["warnings"]) == len(got["errors"]) == 3
    # the other plugins still loaded; the contested name is used by neither
    assert "dup_only" in got["formats"] and "binary16" in got["formats"]
    assert "example12" not in got["formats"]
    assert "example" in got["dup_error"] and "numprec_dup" in got["dup_error"]


def test_plugin_using_numprec_while_imported_does_not_deadlock(tmp_path):
    early = make_plugin(tmp_path, "numprec-early", "numprec_early", """
        import numprec
        HALF = numprec.get_format("binary16")          # looked up at import time
        @numprec.hookimpl
        def numprec_formats():
            return [numprec.FormatEntry("early8", numprec.FloatFormat(4, 3, name="early8"))]
    """)
    site = tmp_path / "site"
    pip_install(site, early)
    proc = run_python("""
        import numprec
        print(numprec.get_format("early8").name, numprec.plugin_errors())
    """, site)
    assert proc.stdout.split() == ["early8", "[]"]


def test_plugin_colliding_with_a_builtin_name_is_blamed_and_the_builtin_kept(tmp_path):
    """A third-party alias (or name) that numprec already defines: the
    built-in keeps it, the plugin's other names work, and the one warning per
    collision names the plugin that collided."""
    clash = make_plugin(tmp_path, "numprec-clash", "numprec_clash", """
        import numpy as np
        import numprec
        @numprec.hookimpl
        def numprec_formats():
            return [numprec.FormatEntry("clash10", numprec.FloatFormat(5, 9, name="clash10"),
                                        aliases=("half", "c10")),
                    numprec.FormatEntry("tf32", numprec.FloatFormat(8, 9, name="tf32"))]
        @numprec.hookimpl
        def numprec_roundings():
            return [numprec.RoundingScheme("up", select=lambda x, lo, hi, u: lo)]
    """)
    site = tmp_path / "site"
    pip_install(site, clash)
    proc = run_python("""
        import json, warnings, numprec
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            formats = numprec.list_formats()
        print(json.dumps({
            "formats": formats,
            "half": numprec.get_format("half").get_config(),
            "tf32": numprec.get_format("tf32").get_config(),
            "c10": numprec.get_format("c10").name,
            "clash10": numprec.get_format("clash10").name,
            "up": numprec.round(1.0 + 2.0**-12, "binary16", "up").item(),
            "errors": numprec.plugin_errors(),
            "warnings": [str(w.message) for w in caught
                         if issubclass(w.category, numprec.PluginWarning)]}))
    """, site)
    got = json.loads(proc.stdout)
    assert got["half"]["exponent_bits"] == 5 and got["half"]["mantissa_bits"] == 10
    assert got["tf32"]["exponent_bits"] == 8 and got["tf32"]["mantissa_bits"] == 10
    assert got["up"] == 1.0 + 2.0 ** -10            # the built-in "up", not the plugin's
    assert got["c10"] == got["clash10"] == "clash10"
    assert {"binary16", "tf32", "clash10"} <= set(got["formats"])
    assert len(got["warnings"]) == len(got["errors"]) == 3
    for message in got["warnings"]:
        assert message.startswith("numprec plugin 'numprec_clash' registered the ")
        assert "built-in" in message and "'builtin'" not in message
    for name in ("'half'", "'tf32'", "'up'"):
        assert sum(name in message for message in got["warnings"]) == 1, name
