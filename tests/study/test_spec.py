"""Study files: validation errors name the key and what was expected."""
import pytest

from numprec.study import StudyFileError, expand, parse_study

GOOD = {
    "study": {"name": "t", "model": "heat", "seed": 3},
    "ensemble": {"reference_members": 2, "baseline_members": 2, "members": 3},
    "grid": {"formats": ["e11m10", "bfloat16"], "roundings": ["nearest_even", "stochastic"]},
    "verify": {"variables": ["T"], "tolerance": {"T": 0.5}},
}


def with_change(section, key, value):
    doc = {k: dict(v) for k, v in GOOD.items()}
    if value is None:
        del doc[section][key]
    else:
        doc[section][key] = value
    return doc


def test_good_file_expands_to_every_member():
    spec = parse_study(GOOD)
    tasks = expand(spec)
    assert len(tasks) == 2 + 2 + 2 * 2 * 3
    labels = {t.label for t in tasks}
    assert labels == {"reference", "baseline", "e11m10 nearest_even", "e11m10 stochastic",
                      "bfloat16 nearest_even", "bfloat16 stochastic"}
    ref = [t for t in tasks if t.kind == "reference"]
    exp = [t for t in tasks if t.label == "e11m10 stochastic"]
    base = [t for t in tasks if t.kind == "baseline"]
    # experiments share the reference's initial conditions member by member
    assert [t.ic_seed for t in exp[:2]] == [t.ic_seed for t in ref]
    assert not {t.ic_seed for t in base} & {t.ic_seed for t in ref}
    assert len({t.seed for t in exp}) == 3
    assert len({t.key for t in tasks}) == len(tasks)


@pytest.mark.parametrize("section,key,value,message", [
    ("study", "model", None, "study.model"),
    ("study", "store", "hdf9", "study.store must be one of"),
    ("study", "seed", -1, "study.seed"),
    ("study", "colour", "red", "unknown key(s) in [study]: colour"),
    ("ensemble", "members", 0, "ensemble.members must be a positive integer"),
    ("ensemble", "members", "3", "ensemble.members must be a positive integer"),
    ("grid", "formats", "e5m10", "grid.formats must be a list of strings"),
    ("grid", "formats", ["e5m99"], "grid.formats"),
    ("grid", "roundings", ["nearest"], "unknown rounding 'nearest'"),
    ("verify", "variables", None, "verify.variables"),
    ("verify", "tolerance", {"T": -1}, "verify.tolerance.T"),
    ("verify", "spinup", 1.5, "verify.spinup"),
])
def test_invalid_files_name_the_key(section, key, value, message):
    with pytest.raises(StudyFileError) as info:
        parse_study(with_change(section, key, value))
    assert message in str(info.value)


def test_missing_table_and_bad_toml(tmp_path):
    with pytest.raises(StudyFileError, match=r"missing table \[grid\]"):
        parse_study({k: v for k, v in GOOD.items() if k != "grid"})
    bad = tmp_path / "bad.toml"
    bad.write_text("[study\nname = 1")
    from numprec.study import load_study
    with pytest.raises(StudyFileError, match="not valid TOML"):
        load_study(bad)
    with pytest.raises(StudyFileError, match="does not exist"):
        load_study(tmp_path / "nope.toml")
