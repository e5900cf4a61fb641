"""The test suite itself: a broken install fails it, it never skips it away."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_numprec_imports_with_its_compiled_kernels():
    import numprec
    from numprec._kernels import floatround  # noqa: F401  (the compiled core)
    assert numprec.round(1.0, "binary16") == 1.0


def test_no_test_module_skips_when_numprec_is_missing():
    pattern = re.compile(r"importorskip\(\s*['\"]numprec")
    offenders = [str(p.relative_to(ROOT)) for folder in ("tests", "plugins")
                 for p in (ROOT / folder).rglob("*.py")
                 if "build" not in p.parts and pattern.search(p.read_text())]
    assert offenders == [], f"these modules skip instead of failing: {offenders}"
