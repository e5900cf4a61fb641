"""Compensated (Kahan) time stepping is a model option of the Lorenz and heat
cases, and a component policy sets the precision of one component."""
import numpy as np

import numprec
from numprec.cases.heat import CASE as HEAT
from numprec.cases.lorenz import CASE as LORENZ
from numprec.emulate import Policy


def test_heat_compensated_option_removes_the_stagnation_error():
    params = {"years": 1.0, "output_every": 1.0}
    double = HEAT.run(params, None, members=1).isel(member=0)
    plain = HEAT.run(params, Policy("e11m10", seed=0), members=1).isel(member=0)
    kahan = HEAT.run({**params, "compensated": True}, Policy("e11m10", seed=0),
                     members=1).isel(member=0)
    assert kahan.attrs["compensated"] == 1 and plain.attrs["compensated"] == 0
    ref = double["T"].isel(time=-1)
    err_plain = float(np.abs(plain["T"].isel(time=-1) - ref).max())
    err_kahan = float(np.abs(kahan["T"].isel(time=-1) - ref).max())
    # 10 significand bits near 275 K: half an ulp is 0.125 K, the increments
    # are ~1e-3 K, so round-to-nearest never moves below the top nodes ...
    T0 = plain["T"].isel(time=0)
    deep = slice(3, None)
    assert (plain["T"].isel(time=-1).sel(depth=deep) == T0.sel(depth=deep)).all()
    # ... while the compensated sum carries them (double has warmed 3 K at 3 m)
    assert float(ref.sel(depth=3.0) - T0.sel(depth=3.0)) > 1.0
    assert err_kahan < err_plain / 10


L63 = {"time": 0.2, "dt": 0.001, "spinup": 0.0, "sample_every": 0.01}


def test_lorenz_compensated_option_keeps_the_small_increments():
    double = LORENZ.run(L63, None, members=8)
    plain = LORENZ.run(L63, Policy("e11m5", seed=0), members=8)
    kahan = LORENZ.run({**L63, "compensated": True}, Policy("e11m5", seed=0), members=8)
    err = {name: np.mean([np.abs(ds[v].values - double[v].values).mean() for v in "xyz"])
           for name, ds in (("plain", plain), ("kahan", kahan))}
    # increments dt*f (~0.01-0.1) are below half an ulp of 6-bit values near 10-40:
    # round-to-nearest loses most of them (the state stalls), Kahan keeps them
    assert err["kahan"] < err["plain"] / 3, err
    for v in "xyz":                     # both runs hold values of the format
        for ds in (plain, kahan):
            assert np.array_equal(numprec.round(ds[v].values, "e11m5"), ds[v].values)


def test_lorenz_tendencies_in_their_own_format_with_a_binary32_state():
    plain = LORENZ.run(L63, Policy("e11m5", seed=0), members=8)
    mixed = LORENZ.run(L63, Policy("binary32", components={"tendencies": "e11m5"}, seed=0),
                       members=8)
    for v in "xyz":
        a, m = plain[v].values, mixed[v].values
        assert np.array_equal(numprec.round(a, "e11m5"), a)
        assert np.array_equal(m.astype(np.float32).astype(np.float64), m)
    # the mixed state is finer than the format: not all of it is representable there
    m = np.concatenate([mixed[v].values.ravel() for v in "xyz"])
    assert not np.array_equal(numprec.round(m, "e11m5"), m)


def test_lorenz96_options_change_the_run():
    params = {**L63, "system": "l96", "K": 8, "dt": 0.01}
    policy = lambda: Policy("e11m5", seed=0)  # noqa: E731
    runs = {"all": LORENZ.run(params, policy(), members=3),
            "kahan": LORENZ.run({**params, "compensated": True}, policy(), members=3),
            "mixed": LORENZ.run(params, Policy("binary32", components={"tendencies": "e11m5"},
                                               seed=0), members=3)}
    assert not np.array_equal(runs["all"]["X"].values, runs["kahan"]["X"].values)
    assert not np.array_equal(runs["all"]["X"].values, runs["mixed"]["X"].values)
