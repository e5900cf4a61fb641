"""Study members honour the task's policy (numprec issue 8): each policy a
model accepts changes what runs, as the policy predicts; unknown ones are
refused; the member functions describe their parameters, policies and
variables for the study runner."""
import numpy as np
import pytest

import numprec
from numprec.cases.heat import study as heat
from numprec.cases.lorenz import study as lorenz
from numprec.cases import shallow_water as sw
from numprec.study.tasks import MemberTask

MEMBERS = [heat.study_member, lorenz.study_member_l63, lorenz.study_member_l96,
           sw.study_member]


def task(fmt=None, rounding=None, policy=None, seed=5):
    kind = "reference" if fmt is None else "experiment"
    return MemberTask(kind, kind, 0, 7, seed, fmt, rounding, policy)


@pytest.mark.parametrize("member", MEMBERS)
def test_member_functions_describe_themselves(member):
    assert isinstance(member.parameters, dict) and member.parameters
    assert "all" in member.policies and len(set(member.policies)) == len(member.policies)
    assert member.variables and all(isinstance(v, str) for v in member.variables)
    assert "compensated" not in member.parameters and "scale" not in member.parameters


@pytest.mark.parametrize("member", MEMBERS)
def test_an_unknown_policy_is_refused_by_name(member):
    with pytest.raises(ValueError, match="'no_such_policy'"):
        member({}, task("e11m10", "nearest_even", "no_such_policy"))


@pytest.mark.parametrize("member, key", [(heat.study_member, "compensated"),
                                         (lorenz.study_member_l63, "K"),
                                         (lorenz.study_member_l96, "sigma")])
def test_a_key_that_is_not_a_parameter_is_refused(member, key):
    with pytest.raises(ValueError, match=key):
        member({key: 1}, task("e11m10", "nearest_even", "all"))


def test_lorenz_and_heat_accept_the_policies_shallow_water_has_where_they_apply():
    assert set(lorenz.study_member_l63.policies) == {"all", "kahan", "mixed"}
    assert set(heat.study_member.policies) == {"all", "kahan"}
    assert set(heat.study_member.policies) <= set(sw.study_member.policies)


# ------------------------------------------------------------------ heat
def test_heat_kahan_policy_removes_the_stagnation_error():
    params = {"years": 1.0, "output_every": 1.0}
    double = heat.study_member(params, task())
    plain = heat.study_member(params, task("e11m10", "nearest_even", "all"))
    kahan = heat.study_member(params, task("e11m10", "nearest_even", "kahan"))
    assert kahan.attrs["compensated"] == 1 and plain.attrs["compensated"] == 0
    ref = double["T"].isel(time=-1)
    err_plain = float(np.abs(plain["T"].isel(time=-1) - ref).max())
    err_kahan = float(np.abs(kahan["T"].isel(time=-1) - ref).max())
    # 10 significand bits near 275 K: half an ulp is 0.125 K, the increments
    # are ~1e-3 K, so round-to-nearest never moves below the top nodes ...
    T0 = plain["T"].isel(time=0)
    assert (plain["T"].isel(time=-1).sel(depth=slice(3, None)) == T0.sel(depth=slice(3, None))).all()
    # ... while the compensated sum carries them (double has warmed 3 K at 3 m)
    assert float(ref.sel(depth=3.0) - T0.sel(depth=3.0)) > 1.0
    assert err_kahan < err_plain / 10


def test_heat_double_member_with_a_policy_is_refused():
    with pytest.raises(ValueError, match="'kahan'"):
        heat.study_member({"years": 0.01}, task(None, None, "kahan"))


# ---------------------------------------------------------------- Lorenz
LORENZ = {"trajectories": 8, "time": 0.2, "dt": 0.001, "spinup": 0.0, "sample_every": 0.01}


def test_lorenz_kahan_policy_keeps_the_small_increments():
    double = lorenz.study_member_l63(LORENZ, task())
    plain = lorenz.study_member_l63(LORENZ, task("e11m5", "nearest_even", "all"))
    kahan = lorenz.study_member_l63(LORENZ, task("e11m5", "nearest_even", "kahan"))
    err = {name: np.mean([np.abs(ds[v].values - double[v].values).mean() for v in "xyz"])
           for name, ds in (("plain", plain), ("kahan", kahan))}
    # increments dt*f (~0.01-0.1) are below half an ulp of 6-bit values near 10-40:
    # round-to-nearest loses most of them (the state stalls), Kahan keeps them
    assert err["kahan"] < err["plain"] / 3, err
    for v in "xyz":                     # both runs hold values of the format
        for ds in (plain, kahan):
            assert np.array_equal(numprec.round(ds[v].values, "e11m5"), ds[v].values)


def test_lorenz_mixed_policy_holds_the_state_in_binary32():
    plain = lorenz.study_member_l63(LORENZ, task("e11m5", "nearest_even", "all"))
    mixed = lorenz.study_member_l63(LORENZ, task("e11m5", "nearest_even", "mixed"))
    for v in "xyz":
        a, m = plain[v].values, mixed[v].values
        assert np.array_equal(numprec.round(a, "e11m5"), a)      # "all": values of the format
        assert np.array_equal(m.astype(np.float32).astype(np.float64), m)   # binary32 values
    # the mixed state is finer than the format: not all of it is representable there
    m = np.concatenate([mixed[v].values.ravel() for v in "xyz"])
    assert not np.array_equal(numprec.round(m, "e11m5"), m)


def test_lorenz96_policies_run():
    params = {**LORENZ, "K": 8, "trajectories": 3, "dt": 0.01}
    runs = {p: lorenz.study_member_l96(params, task("e11m5", "nearest_even", p))
            for p in lorenz.study_member_l96.policies}
    assert not np.array_equal(runs["all"]["X"].values, runs["kahan"]["X"].values)
    assert not np.array_equal(runs["all"]["X"].values, runs["mixed"]["X"].values)
