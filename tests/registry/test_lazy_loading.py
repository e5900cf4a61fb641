"""Plugins load lazily: numprec's own names need no plugin, a plugin that
declares its names (a names module as its entry point) is imported when one
of them is asked for, and a plugin that declares nothing is loaded on the
first look beyond numprec's names; listings load everything."""
import json
import textwrap

import pytest

from tests.registry.test_plugins import pip_install, run_python, write_pyproject


def make_declared_plugin(root, dist, package, names, body):
    """A distribution whose entry point is ``package.names`` (the declaration)
    and whose hooks are in ``package.plugin``."""
    src = root / dist
    (src / package).mkdir(parents=True)
    (src / package / "__init__.py").write_text("")
    (src / package / "names.py").write_text(textwrap.dedent(names))
    (src / package / "plugin.py").write_text(textwrap.dedent(body))
    write_pyproject(src, dist, package, f"{package}.names")
    return src


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("lazy")
    alpha = make_declared_plugin(root, "numprec-alpha", "np_alpha", """
        PLUGIN = "np_alpha.plugin"
        FORMATS = ("alpha8", "a8")
        FORMAT_PREFIXES = ("alphaq",)
        FORMAT_IDS = ("alpha_float",)
        CASES = ("alpha_case",)
    """, """
        import numprec
        class AlphaFloat(numprec.FloatFormat):
            format_id = "alpha_float"
        @numprec.hookimpl
        def numprec_formats():
            return [numprec.FormatEntry("alpha8", AlphaFloat(4, 3, name="alpha8"), ("a8",)),
                    numprec.FormatEntry("alpha_undeclared", numprec.FloatFormat(3, 2))]
        @numprec.hookimpl
        def numprec_parse_format(name):
            if name.startswith("alphaq"):
                return AlphaFloat(5, int(name[6:]), name=name)
        @numprec.hookimpl
        def numprec_format_classes():
            return [AlphaFloat]
        @numprec.hookimpl
        def numprec_cases():
            return [numprec.CaseEntry("alpha_case", "np_alpha.plugin:CASE", "a case")]
        CASE = "the alpha case object"
    """)
    beta = make_declared_plugin(root, "numprec-beta", "np_beta", """
        PLUGIN = "np_beta.plugin"
        FORMATS = ("beta8", "shared8")
        ROUNDINGS = ("beta_down",)
    """, """
        import numprec
        @numprec.hookimpl
        def numprec_formats():
            return [numprec.FormatEntry("beta8", numprec.FloatFormat(5, 2, name="beta8")),
                    numprec.FormatEntry("shared8", numprec.FloatFormat(5, 2))]
        @numprec.hookimpl
        def numprec_roundings():
            return [numprec.RoundingScheme("beta_down", select=lambda x, lo, hi, u: lo)]
    """)
    gamma = make_declared_plugin(root, "numprec-gamma", "np_gamma", """
        PLUGIN = "np_gamma.plugin"
        FORMATS = ("shared8",)
    """, """
        import numprec
        @numprec.hookimpl
        def numprec_formats():
            return [numprec.FormatEntry("shared8", numprec.FloatFormat(4, 3))]
    """)
    target = root / "site"
    pip_install(target, alpha, beta, gamma)
    return target


def loaded(prefixes=("np_alpha", "np_beta", "np_gamma")):
    return """sorted(m for m in sys.modules if m.split('.')[0] in %r)""" % (prefixes,)


def run_json(code, site):
    return json.loads(run_python(code, site).stdout.strip().splitlines()[-1])


def test_builtin_lookups_import_no_plugin(site):
    got = run_json(f"""
        import json, sys, numprec
        numprec.get_format("fp16"); numprec.round(1.0, "e4m3", "stochastic", seed=1)
        print(json.dumps({{"modules": {loaded()}}}))
    """, site)
    assert got["modules"] == []


def test_a_declared_name_imports_only_its_plugin(site):
    got = run_json(f"""
        import json, sys, warnings, numprec
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            alias = numprec.get_format("a8").name
            after_alpha = {loaded()}
            down = float(numprec.round(1.2, "beta8", "beta_down"))
            after_beta = {loaded()}
        print(json.dumps({{"alias": alias, "after_alpha": after_alpha, "down": down,
                          "after_beta": after_beta,
                          "warnings": [str(w.message) for w in caught]}}))
    """, site)
    assert got["alias"] == "alpha8"
    assert got["after_alpha"] == ["np_alpha", "np_alpha.names", "np_alpha.plugin",
                                  "np_beta", "np_beta.names", "np_gamma", "np_gamma.names"]
    assert got["down"] == 1.0                      # e5m2: 1.25 above, 1.0 below
    assert "np_beta.plugin" in got["after_beta"] and "np_gamma.plugin" not in got["after_beta"]
    # alpha registers a name it does not declare: blamed, still registered
    assert len(got["warnings"]) == 1
    assert "'np_alpha'" in got["warnings"][0] and "'alpha_undeclared'" in got["warnings"][0]


def test_parametric_names_ids_and_cases_load_the_declaring_plugin(site):
    got = run_json(f"""
        import json, sys, warnings, numprec
        warnings.simplefilter("ignore")
        parsed = numprec.get_format("alphaq4").get_config()
        from_cfg = {loaded()}
        case = numprec.get_case("alpha_case")
        print(json.dumps({{"parsed": parsed, "modules": from_cfg, "case": case,
                          "back": numprec.from_config(parsed).name}}))
    """, site)
    assert got["parsed"]["id"] == "alpha_float" and got["parsed"]["mantissa_bits"] == 4
    assert "np_alpha.plugin" in got["modules"] and "np_beta.plugin" not in got["modules"]
    assert got["case"] == "the alpha case object" and got["back"] == "alphaq4"


def test_from_config_imports_the_plugin_declaring_the_id(site):
    got = run_json(f"""
        import json, sys, numprec
        cfg = {{"id": "alpha_float", "name": "x", "exponent_bits": 3, "mantissa_bits": 2}}
        fmt = numprec.from_config(cfg)
        print(json.dumps({{"name": fmt.name, "type": type(fmt).__name__, "modules": {loaded()}}}))
    """, site)
    assert got["name"] == "x" and got["type"] == "AlphaFloat"
    assert "np_alpha.plugin" in got["modules"] and "np_beta.plugin" not in got["modules"]


def test_a_name_two_plugins_declare_is_refused_and_listings_load_all(site):
    got = run_json(f"""
        import json, sys, warnings, numprec
        warnings.simplefilter("ignore")
        try:
            numprec.get_format("shared8"); error = None
        except numprec.DuplicateNameError as exc:
            error = str(exc)
        before = {loaded()}
        names = numprec.list_formats()
        print(json.dumps({{"error": error, "before": before, "names": names,
                          "after": {loaded()}, "cases": numprec.list_cases()}}))
    """, site)
    assert "np_beta" in got["error"] and "np_gamma" in got["error"]
    assert "np_alpha.plugin" not in got["before"]
    assert {"alpha8", "beta8", "alpha_undeclared", "binary16"} <= set(got["names"])
    assert "shared8" not in got["names"]
    assert {"np_alpha.plugin", "np_beta.plugin", "np_gamma.plugin"} <= set(got["after"])
    assert "alpha_case" in got["cases"] and "lorenz" in got["cases"]


def test_an_unknown_name_loads_everything_for_its_suggestions(site):
    got = run_json(f"""
        import json, sys, numprec, warnings
        warnings.simplefilter("ignore")
        try:
            numprec.get_format("alpha9")
        except numprec.UnknownNameError as exc:
            message = str(exc)
        print(json.dumps({{"message": message, "modules": {loaded()}}}))
    """, site)
    assert "'alpha8'" in got["message"]
    assert {"np_alpha.plugin", "np_beta.plugin", "np_gamma.plugin"} <= set(got["modules"])
