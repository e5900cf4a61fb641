"""Study files: validation errors name the key and what was expected."""
import pytest

from numprec.cases.ensemble import derive_seed
from numprec.study import StudyFileError, expand, load_study, parse_study

GOOD = {
    "study": {"name": "t", "case": "study_toy_model:CASE", "seed": 3},
    "model": {"steps": 10},
    "ensemble": {"reference_members": 2, "baseline_members": 2, "members": 3},
    "grid": {"formats": ["e11m10", "bfloat16"], "roundings": ["nearest_even", "stochastic"]},
    "verify": {"variables": ["x"], "tolerance": {"x": 0.5}},
}


def changed(section, key, value, doc=GOOD):
    doc = {k: dict(v) for k, v in doc.items()}
    if value is None:
        del doc[section][key]
    else:
        doc.setdefault(section, {})[key] = value
    return doc


def test_good_file_expands_to_every_member():
    spec = parse_study(GOOD)
    tasks = expand(spec)
    assert len(tasks) == 2 + 2 + 2 * 2 * 3 and all(t.members == 1 for t in tasks)
    labels = {t.label for t in tasks}
    assert labels == {"reference", "baseline", "e11m10 nearest_even", "e11m10 stochastic",
                      "bfloat16 nearest_even", "bfloat16 stochastic"}
    ref = [t for t in tasks if t.kind == "reference"]
    exp = [t for t in tasks if t.label == "e11m10 stochastic"]
    base = [t for t in tasks if t.kind == "baseline"]
    # experiments share the reference's initial conditions member by member
    assert [t.ic_seed for t in exp[:2]] == [t.ic_seed for t in ref] == \
        [derive_seed(3, "ic", 0), derive_seed(3, "ic", 1)]
    assert not {t.ic_seed for t in base} & {t.ic_seed for t in ref}
    assert len({t.seed for t in exp}) == 3
    assert len({t.key for t in tasks}) == len(tasks)


def test_batches_and_policy_variants():
    doc = changed("ensemble", "batch", 2)
    doc = changed("grid", "policies", ["all", "mixed"], doc)
    doc["policies"] = {"mixed": {"compute": "binary32",
                                 "components": {"tendencies": "{format}"}}}
    spec = parse_study(doc)
    tasks = expand(spec)
    assert [(t.member, t.members) for t in tasks if t.label == "e11m10 stochastic mixed"] \
        == [(0, 2), (2, 1)]
    e = next(t for t in tasks if t.label == "bfloat16 nearest_even mixed").experiment
    policy = e.policy.policy(e.format, e.rounding, seed=1)
    assert policy.compute.name == "binary32"
    assert policy.get_config()["components"]["tendencies"]["compute"]["mantissa_bits"] == 7


@pytest.mark.parametrize("section,key,value,message", [
    ("study", "case", None, "study.case"),
    ("study", "model", "heat", "study.model is now study.case"),
    ("study", "store", "hdf9", "study.store must be one of"),
    ("study", "seed", -1, "study.seed"),
    ("study", "colour", "red", "unknown key(s) in [study]: colour"),
    ("ensemble", "members", 0, "ensemble.members must be a positive integer"),
    ("ensemble", "members", "3", "ensemble.members must be a positive integer"),
    ("ensemble", "batch", 0, "ensemble.batch must be a positive integer"),
    ("grid", "formats", "e5m10", "grid.formats must be a list of strings"),
    ("grid", "formats", ["e5m99"], "grid.formats"),
    ("grid", "roundings", ["nearest"], "unknown rounding 'nearest'"),
    ("grid", "policies", ["all", "kahan"],
     "grid.policies: 'kahan' is neither 'all' nor a [policies.kahan] table (defined: all)"),
    ("verify", "variables", None, "verify.variables"),
    ("verify", "tolerance", {"x": -1}, "verify.tolerance.x"),
    ("verify", "spinup", 1.5, "verify.spinup"),
    ("model", "stepz", 3, "[model]: parameter 'stepz' is not a parameter of case 'toy' "
                          "(its parameters: steps, sleep, mark)"),
    ("study", "case", "no_such_module_xyz:CASE", "study.case: case 'no_such_module_xyz:CASE': "
                                                 "cannot import 'no_such_module_xyz'"),
    ("study", "case", "study_toy_model:NOPE", "module 'study_toy_model' has no 'NOPE'"),
    ("verify", "variables", ["x", "y"], "verify.variables: 'y' is not an output variable of "
                                        "case 'study_toy_model:CASE' (its variables: x)"),
    ("verify", "joint", ["x", "z"], "verify.joint: 'z' is not an output variable of case"),
    ("verify", "tolerance", {"y": 0.1},
     "verify.tolerance: 'y' names no verified variable (expected one of: x)"),
])
def test_invalid_files_name_the_key(section, key, value, message):
    with pytest.raises(StudyFileError) as info:
        parse_study(changed(section, key, value))
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("table,message", [
    ({"colour": "red"}, "unknown key(s) in [policies.v]: colour"),
    ({"params": {"stepz": 1}}, "[policies.v]: parameter 'stepz' is not a parameter"),
    ({"compute": "e5m99"}, "[policies.v]:"),
    ({"components": "fp16"}, "policies.v.components must be a table"),
    ({"summation": "random"}, "[policies.v]:"),
])
def test_bad_policy_variants_are_refused_when_read(table, message):
    doc = changed("grid", "policies", ["v"])
    doc["policies"] = {"v": table}
    with pytest.raises(StudyFileError) as info:
        parse_study(doc)
    assert message in str(info.value)


def test_missing_table_and_bad_toml(tmp_path):
    with pytest.raises(StudyFileError, match=r"missing table \[grid\]"):
        parse_study({k: v for k, v in GOOD.items() if k != "grid"})
    bad = tmp_path / "bad.toml"
    bad.write_text("[study\nname = 1")
    with pytest.raises(StudyFileError, match="not valid TOML"):
        load_study(bad)
    with pytest.raises(StudyFileError, match="does not exist"):
        load_study(tmp_path / "nope.toml")
    with pytest.raises(StudyFileError, match="is a directory, expected a TOML study file"):
        load_study(tmp_path)


def test_tolerance_may_name_a_joint_row():
    doc = changed("verify", "joint", ["x"])
    spec = parse_study(changed("verify", "tolerance", {"joint(x)": 0.1, "x": 0.2}, doc))
    assert spec.tolerance == {"joint(x)": 0.1, "x": 0.2}
    with pytest.raises(StudyFileError, match=r"verify.tolerance: 'joint\(x,x\)' names no"):
        parse_study(changed("verify", "tolerance", {"joint(x,x)": 0.1}, doc))


def test_a_case_without_declared_variables_is_checked_when_it_runs():
    doc = changed("verify", "tolerance", None, changed("verify", "variables", ["y"]))
    spec = parse_study(changed("study", "case", "study_toy_model:UNDECLARED", doc))
    assert spec.variables == ["y"]
