"""The migrated shallow-water model reproduces the flat model's outputs bit for bit.

The golden files in data/ were made by data/make_golden.py with the flat
modules (numprec/cases/shallow_water*.py at commit b56aecc) before the move
onto the case contract.  Bit patterns of float64 are compared (NaN
positions included).  The old policy names map onto model options:
"kahan" -> ``compensation="per_stage"``, "scaled" -> ``scale=64``, and the
old ``tendencies`` component -> the components dynamics, forcing, bottom_drag and
viscosity.

The default suite integrates each run to its second output (122 steps);
``--runslow`` to the end (611 steps).
"""
from pathlib import Path

import numpy as np
import pytest

from numprec.cases.shallow_water import CASE, SWState, build_model
from numprec.emulate import Policy

DATA = Path(__file__).parent / "data"
SINGLE = ["double", "e5m10_rn", "bfloat16_rn", "e5m10_sr", "e5m10_rn_kahan",
          "e5m10_rn_scaled", "e5m10_sr_scaled_kahan", "fp32_tendencies_fp16_rn"]
BATCHED = ["batched_e5m10_sr", "batched_e5m10_rn_kahan"]
TENDENCY_COMPONENTS = ("dynamics", "forcing", "bottom_drag", "viscosity")


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


def golden(name):
    with np.load(DATA / f"{name}.npz") as f:
        return {k: f[k] for k in f.files}


def options(g):
    return {"nx": int(g["nx"]), "scale": float(g["scale"]),
            "compensation": "per_stage" if bool(g["compensated"]) else "none"}


def policy_of(g):
    fmt = str(g["format"])
    if not fmt:
        return None
    t = str(g["tendencies"])
    comps = {c: t for c in TENDENCY_COMPONENTS} if t else None
    return Policy(fmt, rounding=str(g["rounding"]), seed=int(g["seed"]), components=comps)


def old_order_run(model, start, policy, nsteps, nout):
    """The flat harness' order: store the physical state, scale it under the
    policy, convert constants with the root policy, store after every step."""
    outs = []
    if policy is not None:
        model = model.converted(policy.constant)
        with policy:
            state = model.to_internal(*(policy.store(a) for a in start))
    else:
        state = model.to_internal(*start)
    with np.errstate(all="ignore"), (policy if policy is not None else _Null()):
        for i in range(nsteps + 1):
            if i > 0:
                state = model.step(state)
                if policy is not None:
                    state = SWState(*(None if a is None else policy.store(a) for a in state))
            if i % nout == 0 or i == nsteps:
                outs.append(model.to_physical(state))
    return [np.stack([o[k] for o in outs]) for k in range(3)]


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def steps(g, full):
    model = build_model(nx=int(g["nx"]))
    nout = int(round(float(g["every"]) * 86400 / model.dt))
    nsteps = int(round(float(g["days"]) * 86400 / model.dt)) if full else nout
    return nsteps, nout


@pytest.fixture(scope="module")
def spun_up():
    """The double spin-up (100 days) of one and of three members, through CASE.run."""
    g = golden("double")
    one = CASE.run({"nx": int(g["nx"])}, None, members=1, ic_seed=int(g["ic_seed"]),
                   days=0, spinup=float(g["spinup"]))
    three = CASE.run({"nx": int(g["nx"])}, None, members=3, ic_seed=int(g["ic_seed"]),
                     days=0, spinup=float(g["spinup"]))
    first = lambda ds: tuple(ds[k].values[:, 0] for k in ("u", "v", "eta"))  # noqa: E731
    return {1: first(one), 3: first(three)}


def test_double_spin_up_reproduces_the_golden_start(spun_up):
    g = golden("double")
    for k, a in zip(("u", "v", "eta"), spun_up[1]):
        np.testing.assert_array_equal(bits(a[0]), bits(g[k][0]))


def check(name, spun_up, full):
    g = golden(name)
    members = int(g["members"])
    start = spun_up[members or 1]
    if not members:
        start = tuple(a[0] for a in start)
    nsteps, nout = steps(g, full)
    got = old_order_run(build_model(**options(g)), start, policy_of(g), nsteps, nout)
    n = got[0].shape[0]
    assert n == (7 if full else 2)
    for k, a in zip(("u", "v", "eta"), got):
        np.testing.assert_array_equal(bits(a), bits(g[k][:n]), err_msg=f"{name}: {k}")


#: The default suite's sample: double, stochastic rounding (random streams in
#: the same order), a component policy, a batch; --runslow runs every file.
QUICK = ["double", "e5m10_sr", "fp32_tendencies_fp16_rn", "batched_e5m10_sr"]


@pytest.mark.parametrize("name", QUICK)
def test_model_reproduces_golden_prefix(name, spun_up):
    check(name, spun_up, full=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", SINGLE + BATCHED)
def test_model_reproduces_golden_to_the_end(name, spun_up):
    check(name, spun_up, full=True)


def case_run(name, full):
    g = golden(name)
    members = max(1, int(g["members"]))
    days = float(g["days"]) if full else float(g["every"])
    ds = CASE.run(options(g), policy_of(g), members=members, ic_seed=int(g["ic_seed"]),
                  days=days, spinup=float(g["spinup"]), output_every=float(g["every"]))
    for k in ("u", "v", "eta"):
        got = ds[k].values.swapaxes(0, 1)           # (time, member, ...)
        if not int(g["members"]):
            got = got[:, 0]
        np.testing.assert_array_equal(bits(got), bits(g[k][:got.shape[0]]),
                                      err_msg=f"{name}: {k}")


def test_case_run_reproduces_the_stochastic_golden_prefix():
    """Through the driver (store, prepare, step, store): same random streams."""
    case_run("e5m10_sr", full=False)


# Every run but one gives the same bits through the driver.  Not here:
# stochastic rounding with scaling and compensation, where the set-up draws
# other random streams (the flat harness rounded u, v, eta, then scaled and
# formed the zero compensations under the policy: 8 streams; the driver scales
# in double and stores the six state fields: 6 streams), so every later
# operation gets other random numbers.
SAME_SETUP = [n for n in SINGLE + BATCHED if n != "e5m10_sr_scaled_kahan"]


@pytest.mark.slow
@pytest.mark.parametrize("name", SAME_SETUP)
def test_case_run_reproduces_golden(name):
    case_run(name, full=True)
