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


# ------------------------------------------------- checks against the model
TOY = {
    "study": {"name": "toy", "model": "study_toy_model:run_member"},
    "model": {"steps": 10},
    "ensemble": {"reference_members": 1, "baseline_members": 1, "members": 1},
    "grid": {"formats": ["e11m4"]},
    "verify": {"variables": ["x"]},
}


def toy_with(section, key, value, doc=TOY):
    doc = {k: dict(v) for k, v in doc.items()}
    doc[section][key] = value
    return doc


def test_toy_study_with_declared_names_is_valid():
    spec = parse_study(toy_with("verify", "tolerance", {"x": 0.5}))
    assert spec.model_params == {"steps": 10} and spec.tolerance == {"x": 0.5}


@pytest.mark.parametrize("section,key,value,message", [
    ("model", "stepz", 3, "unknown key(s) in [model]: stepz (allowed: mark, sleep, steps)"),
    ("study", "model", "no_such_model",
     "study.model: unknown model 'no_such_model'"),
    ("study", "model", "no_such_module_xyz:run",
     "study.model: cannot import 'no_such_module_xyz'"),
    ("study", "model", "study_toy_model:no_such_function",
     "study.model: 'study_toy_model' has no function 'no_such_function'"),
    ("grid", "policies", ["all", "kahan"],
     "grid.policies: 'kahan' is not a policy of model 'study_toy_model:run_member' "
     "(its policies: all)"),
    ("verify", "variables", ["x", "y"],
     "verify.variables: 'y' is not an output variable of model "
     "'study_toy_model:run_member' (its variables: x)"),
    ("verify", "joint", ["x", "z"],
     "verify.joint: 'z' is not an output variable of model"),
    ("verify", "tolerance", {"y": 0.1},
     "verify.tolerance: 'y' names no verified variable (expected one of: x)"),
])
def test_names_the_model_does_not_know_are_refused_when_read(section, key, value, message):
    with pytest.raises(StudyFileError) as info:
        parse_study(toy_with(section, key, value))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_tolerance_may_name_a_joint_row():
    doc = toy_with("verify", "joint", ["x"])
    spec = parse_study(toy_with("verify", "tolerance", {"joint(x)": 0.1, "x": 0.2}, doc))
    assert spec.tolerance == {"joint(x)": 0.1, "x": 0.2}
    with pytest.raises(StudyFileError, match=r"verify.tolerance: 'joint\(x,x\)' names no"):
        parse_study(toy_with("verify", "tolerance", {"joint(x,x)": 0.1}, doc))


def test_undeclared_user_model_is_not_checked_for_names():
    # without parameters/policies/variables attributes only what the study
    # file itself says can be checked (documented in numprec.study.models)
    doc = toy_with("study", "model", "study_toy_model:run_member_undeclared")
    doc = toy_with("model", "anything", 1, doc)
    doc = toy_with("grid", "policies", ["mine"], doc)
    doc = toy_with("verify", "variables", ["y"], doc)
    spec = parse_study(doc)
    assert spec.model_params == {"steps": 10, "anything": 1} and spec.policies == ["mine"]
    # the tolerance must still name a verified variable
    with pytest.raises(StudyFileError, match="verify.tolerance: 'x' names no verified"):
        parse_study(toy_with("verify", "tolerance", {"x": 1.0}, doc))


def test_directory_as_study_file_is_a_clear_error(tmp_path):
    from numprec.study import load_study
    with pytest.raises(StudyFileError, match="is a directory, expected a TOML study file"):
        load_study(tmp_path)


HEAT = {k: dict(v) for k, v in GOOD.items()}


@pytest.mark.parametrize("section,key,value,message", [
    ("model", "yeras", 3.0, "unknown key(s) in [model]: yeras"),
    ("grid", "policies", ["all", "scaled"], "grid.policies: 'scaled' is not a policy of model 'heat'"),
    ("verify", "variables", ["T", "u"], "verify.variables: 'u' is not an output variable"),
])
def test_heat_model_refuses_names_it_does_not_know(section, key, value, message):
    doc = {k: dict(v) for k, v in HEAT.items()}
    doc.setdefault(section, {})[key] = value
    with pytest.raises(StudyFileError) as info:
        parse_study(doc)
    assert message in str(info.value)
