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


def test_no_module_imports_another_modules_private_names():
    """House rule: a leading underscore stays in its file (the compiled
    kernels, numprec._kernels, are the one private package shared)."""
    pattern = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+(.+)$", re.M)
    offenders = []
    sources = list((ROOT / "numprec").rglob("*.py")) + [
        p for p in (ROOT / "plugins").rglob("src/**/*.py") if "build" not in p.parts]
    for path in sources:
        for module, names in pattern.findall(path.read_text()):
            if module.startswith("numprec._kernels") or module == "__future__":
                continue
            private_module = any(part.startswith("_") for part in module.split("."))
            imported = [n.strip().split(" as ")[0] for n in names.strip("()\\ ").split(",")]
            if private_module or any(n.startswith("_") for n in imported if n):
                offenders.append(f"{path.relative_to(ROOT)}: from {module} import {names}")
    assert offenders == [], "\n".join(offenders)
