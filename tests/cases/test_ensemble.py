"""The ensemble runner: reference / baseline / experiments -> verdicts, the
same whichever executor runs the tasks, resumable from member files.

The case here is a small one on the case contract (``run(params, policy, *,
members, ic_seed)``): an AR(1) walk of a batch of members, every operation
of the experiments rounded through numprec.emulate."""
import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
import scipy.stats
import xarray as xr

from numprec import io
from numprec.cases.ensemble import (
    EnsembleSpec, Experiment, MemberStore, PolicyVariant, StaleResultError, derive_seed,
    run_ensemble, run_task,
)

HERE = Path(__file__).resolve().parent


@dataclasses.dataclass(frozen=True)
class WalkParams:
    steps: int = 40
    damping: float = 0.9
    cells: int = 8
    compensated: bool = False


@dataclasses.dataclass
class WalkCase:
    name: str = "walk"
    description: str = "an AR(1) walk of a batch of members"
    parameters: type = WalkParams
    components: tuple = ("tendencies",)
    variables: tuple = ("x",)

    def run(self, params, policy, *, members, ic_seed, sleep=0.0):
        from numprec import emulate

        p = WalkParams(**params)
        rng = np.random.default_rng(ic_seed)
        noise = rng.standard_normal((p.steps, members, p.cells))
        out = np.empty_like(noise)
        if policy is None:
            x = np.zeros((members, p.cells))
            for k in range(p.steps):
                x = p.damping * x + noise[k]
                out[k] = x
        else:
            with policy:
                x = policy.store(np.zeros((members, p.cells)))
                for k in range(p.steps):
                    with policy.component("tendencies"):
                        dx = (p.damping - 1.0) * x + noise[k]
                    x = policy.store(x + dx)
                    out[k] = emulate.to_numpy(x)
        return xr.Dataset({"x": (("time", "member", "cell"), out, {"units": "m"})},
                          coords={"time": ("time", np.arange(p.steps), {"units": "s"})}
                          ).transpose("member", "time", "cell")


CASE = WalkCase()
#: importable by worker processes (the dask workers are spawned)
CASE_REF = "test_ensemble:CASE"


def spec(**changes):
    base = dict(case=CASE_REF, params={"steps": 30}, reference_members=4, baseline_members=4,
                members=4, batch=2, seed=3, spinup=5,
                experiments=(Experiment("e11m4"), Experiment("e11m4", "stochastic"),
                             Experiment("bfloat16", "stochastic",
                                        PolicyVariant("mixed", compute="binary32",
                                                      components={"tendencies": "{format}"}))))
    base.update(changes)
    return EnsembleSpec(**base)


@pytest.fixture(autouse=True)
def importable(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE),
                                                      os.environ.get("PYTHONPATH", "")]))


@pytest.fixture(scope="module")
def serial():
    import sys
    sys.path.insert(0, str(HERE))
    try:
        return run_ensemble(spec())
    finally:
        sys.path.remove(str(HERE))


def test_members_are_the_case_run_with_the_documented_seeds(serial):
    # reference members 2-3: one run(members=2) call with the seed of member 2
    direct = CASE.run({"steps": 30, "damping": 0.9, "cells": 8, "compensated": False}, None,
                      members=2, ic_seed=derive_seed(3, "ic", 2))
    np.testing.assert_array_equal(serial.reference["x"].values[2:], direct["x"].values)
    assert list(serial.reference["member"].values) == [0, 1, 2, 3]
    base = CASE.run({"steps": 30}, None, members=2, ic_seed=derive_seed(3, "baseline-ic", 0))
    np.testing.assert_array_equal(serial.baseline["x"].values[:2], base["x"].values)
    # experiments start from the reference's initial conditions: at 4 bits the
    # walks differ from the reference's, but stay close to it
    exp = serial.experiments["e11m4 nearest_even"]["x"].values
    ref = serial.reference["x"].values
    assert not np.array_equal(exp, ref) and np.max(np.abs(exp - ref)) < 2.0


def test_scores_are_scipy_w1_of_the_pooled_samples(serial):
    v = serial.verdicts
    ref = serial.reference["x"].values[:, 5:]           # spin-up dropped
    for label, ds in serial.experiments.items():
        exp = ds["x"].values[:, 5:]
        want = np.mean([scipy.stats.wasserstein_distance(ref[..., c].ravel(),
                                                         exp[..., c].ravel())
                        for c in range(ref.shape[-1])])
        assert float(v["w1"].sel(experiment=label, variable="x")) == pytest.approx(want,
                                                                                  rel=1e-12)
    base = serial.baseline["x"].values[:, 5:]
    want = np.mean([scipy.stats.wasserstein_distance(ref[..., c].ravel(), base[..., c].ravel())
                    for c in range(ref.shape[-1])])
    assert float(v["baseline_w1"].sel(variable="x")) == pytest.approx(want, rel=1e-12)
    assert list(v["experiment"].values) == ["e11m4 nearest_even", "e11m4 stochastic",
                                            "bfloat16 stochastic mixed"]


def assert_same(a, b, files=False):
    """Bit-identical member data (and attributes, unless read from files,
    which add CF attributes) and identical verdicts."""
    same = xr.testing.assert_equal if files else xr.testing.assert_identical
    for name in ("reference", "baseline"):
        same(getattr(a, name), getattr(b, name))
    assert list(a.experiments) == list(b.experiments)
    for label in a.experiments:
        same(a.experiments[label], b.experiments[label])
    xr.testing.assert_identical(a.verdicts, b.verdicts)


def test_process_pool_and_dask_give_bit_identical_members_and_verdicts(serial):
    assert_same(serial, run_ensemble(spec(), executor="process", workers=2))
    assert_same(serial, run_ensemble(spec(), executor="dask", workers=2))


def test_member_files_resume_and_refuse_another_setup(serial, tmp_path):
    out = tmp_path / "out"
    first = run_ensemble(spec(), output=out, executor="process")
    assert (first.ran, first.reused) == (10, 0)
    files = sorted((out / "members").rglob("member_*.nc"))
    assert len(files) == 10
    assert_same(serial, first, files=True)
    prov = io.read_provenance(out / "members" / "bfloat16_stochastic_mixed" / "member_0002.nc")
    assert prov.case == CASE_REF and prov.kind == "experiment" and prov.member == 2
    assert prov.params == {"steps": 30, "damping": 0.9, "cells": 8, "compensated": False}
    assert prov.policy["components"]["tendencies"]["compute"]["mantissa_bits"] == 7
    assert prov.ic_seed == derive_seed(3, "ic", 2)
    before = {p: p.read_bytes() for p in files}
    again = run_ensemble(spec(), output=out)
    assert (again.ran, again.reused) == (0, 10)
    assert_same(serial, again, files=True)
    with pytest.raises(StaleResultError, match=r"member_0000\.nc was written with params\."
                                               r"steps = 30, but this run has params\.steps "
                                               r"= 31; refusing .*--overwrite"):
        run_ensemble(spec(params={"steps": 31}), output=out)
    assert {p: p.read_bytes() for p in files} == before
    redo = run_ensemble(spec(params={"steps": 31}), output=out, overwrite=True)
    assert (redo.ran, redo.replaced) == (10, 10) and redo.reference.sizes["time"] == 31


def test_policy_variant_params_are_model_options(tmp_path):
    kahan = PolicyVariant("kahan", params={"compensated": True})
    s = spec(experiments=(Experiment("e11m4", policy=kahan),), batch=None)
    task = s.tasks()[-1]
    assert task.label == "e11m4 nearest_even kahan"
    assert s.task_params(CASE, task)["compensated"] is True
    assert s.provenance(CASE, task).params["compensated"] is True


def test_bad_setups_are_refused_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match=r"parameter 'stepz' is not a parameter of case "
                                         r"'walk' \(its parameters: steps"):
        run_ensemble(spec(params={"stepz": 3}), output=tmp_path / "o")
    with pytest.raises(ValueError, match="run option 'length' is not taken .*: sleep"):
        run_ensemble(spec(run_options={"length": 3}), output=tmp_path / "o")
    assert not (tmp_path / "o" / "members").exists()
    with pytest.raises(ValueError, match="executor must be one of"):
        run_ensemble(spec(), executor="threads")
    with pytest.raises(ValueError, match="members must be a positive integer"):
        spec(members=0)
    with pytest.raises(ValueError, match="repeat a label"):
        spec(experiments=(Experiment("e11m4"), Experiment("e11m4")))


def test_a_case_returning_the_wrong_batch_is_named():
    class Short(WalkCase):
        def run(self, params, policy, *, members, ic_seed):
            return super().run(params, policy, members=members - 1, ic_seed=ic_seed)

    s = spec(case=Short(name="short"))
    task = s.tasks()[0]
    with pytest.raises(ValueError, match=r"case 'short': run\(members=2\) returned dims"):
        run_task(s.case, s.task_params(s.case, task), task, {}, s.provenance(s.case, task))
    with pytest.raises(ValueError, match="returns no variable 'q'"):
        run_task(CASE, s.task_params(CASE, task), task, {}, s.provenance(CASE, task),
                 variables=("x", "q"))


def test_member_store_paths():
    s = spec()
    store = MemberStore("/r", "zarr")
    assert str(store.path(s.tasks()[-1])) == "/r/members/bfloat16_stochastic_mixed/member_0002.zarr"
