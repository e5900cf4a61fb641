"""The study files in cases/ parse, and shortened copies run end to end on a
LocalCluster with the real models."""
import tomllib
from pathlib import Path

import pytest

from numprec.study import expand, load_study, run_study

CASES = Path(__file__).resolve().parents[2] / "cases"
FILES = sorted(CASES.glob("*.toml"))


def dump_toml(doc):
    """Minimal TOML writer for the shapes study files use."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return repr(v)
    lines = []
    for section, table in doc.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_shipped_study_files_are_valid(path):
    spec = load_study(path)
    assert expand(spec)


SHORT = {
    "soil_heat": {"model": {"years": 0.5, "output_every": 0.1},
                  "grid": {"formats": ["e11m10"], "roundings": ["nearest_even", "stochastic"]}},
    "lorenz63": {"model": {"time": 5.0, "spinup": 1.0, "ic_spinup": 1.0},
                 "grid": {"formats": ["e11m8"], "roundings": ["nearest_even", "stochastic"]},
                 "ensemble": {"reference_members": 40, "baseline_members": 40, "members": 40,
                              "batch": 20}},
    "shallow_water_ridge": {"model": {"nx": 20},
                            "run": {"days": 2.0, "spinup": 0.0, "output_every": 1.0},
                            "grid": {"formats": ["e11m10"], "roundings": ["nearest_even"]},
                            "ensemble": {"reference_members": 1, "baseline_members": 1,
                                         "members": 1}},
    "speedy_held_suarez_T21": {"model": {"days": 1.0, "ic_spinup_days": 0.5,
                                         "output_hours": 6.0},
                               "grid": {"formats": ["e11m10"], "roundings": ["nearest_even"]},
                               "ensemble": {"reference_members": 1, "baseline_members": 1,
                                            "members": 1, "batch": 1},
                               "verify": {"spinup": 1}},
}


@pytest.mark.parametrize("name", sorted(SHORT))
def test_shortened_study_runs_end_to_end(tmp_path, name):
    with open(CASES / f"{name}.toml", "rb") as fh:
        doc = tomllib.load(fh)
    for section, changes in SHORT[name].items():
        doc[section].update(changes)
    doc["study"]["output"] = str(tmp_path / "out")
    path = tmp_path / f"{name}.toml"
    path.write_text(dump_toml(doc))
    report, result = run_study(path, workers=2, progress=False, executor="process")
    assert report.exists() and (tmp_path / "out" / "verdicts.nc").exists()
    spec = load_study(path)
    assert list(result["experiment"].values) == [e.label for e in spec.experiments()]
    assert len(spec.experiments()) == len(spec.roundings) * len(spec.policies)
    assert set(result["verdict"].values.ravel()) <= {"indistinguishable", "minor",
                                                    "distinguishable", "unstable"}


STUDY_SOURCES = FILES + sorted((Path(__file__).resolve().parents[2] / "numprec" / "study")
                               .glob("*.py"))


@pytest.mark.parametrize("path", STUDY_SOURCES, ids=[p.name for p in STUDY_SOURCES])
def test_study_files_cite_papers_not_internal_notes(path):
    # science.md is a note of the developers, not part of the repository
    assert "science.md" not in path.read_text()
