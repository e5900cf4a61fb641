"""numprec.cases.base: components from the model's fields, Model.call, Case."""
import dataclasses

import numpy as np
import pytest
import xarray as xr

from numprec.cases.base import Case, Model, check_parameters, component_names
from numprec.cases.driver import integrate
from numprec.emulate import Policy, current

from tests.cases.toy import Decay, ToyModel, ToyState


@dataclasses.dataclass(frozen=True)
class ToyParameters:
    rate: float = 0.5
    dt: float = 0.1
    steps: int = 4

    def __post_init__(self):
        if not self.dt > 0:
            raise ValueError(f"dt must be positive, got {self.dt!r}")


def build(p):
    from tests.cases.toy import Euler
    return ToyModel(decay=Decay(rate=p.rate), time_stepping=Euler(p.dt))


def run(p, policy, *, members, ic_seed):
    model = build(p)
    traj = integrate(model, model.initial_state(members, ic_seed), policy, steps=p.steps)
    return xr.Dataset({"x": (("member", "time", "k"), traj.samples["x"].transpose(1, 0, 2),
                             {"units": "1"})})


CASE = Case("toy", "linear decay", ToyParameters, ToyModel, build, run, ("x",))


def test_components_are_the_model_fields():
    assert component_names(ToyModel) == ("decay", "time_stepping")
    assert component_names(ToyModel()) == ToyModel.components()
    assert CASE.components == ("decay", "time_stepping")
    with pytest.raises(TypeError, match="dataclass"):
        component_names(object())


def test_call_runs_the_component_inside_its_policy():
    seen = {}

    @dataclasses.dataclass(frozen=True)
    class Probe:
        label: str

        def __call__(self, x):
            seen[self.label] = current()
            return x

    @dataclasses.dataclass(frozen=True)
    class TwoProbes(Model):
        physics: Probe = Probe("physics")
        dynamics: Probe = Probe("dynamics")

    policy = Policy("fp16", components={"physics": "bf16"}, seed=0)
    model = TwoProbes()
    with policy:
        model.call("physics", 1.0)
        model.call("dynamics", 1.0)
    assert seen["physics"] is policy.component("physics")
    assert seen["physics"].compute.name == "bfloat16"
    assert seen["dynamics"] is policy            # not configured: the root policy
    model.call("physics", 1.0)
    assert seen["physics"] is None               # no policy: plain numpy
    with pytest.raises(ValueError, match="'radiation' is not a component of TwoProbes"):
        model.call("radiation", 1.0)


def test_build_checks_parameter_names_and_values():
    assert CASE.build(rate=2.0).decay.rate == 2.0
    assert CASE.defaults == {"rate": 0.5, "dt": 0.1, "steps": 4}
    with pytest.raises(ValueError, match=r"\['rte'\] are not toy parameters \(allowed: rate, "
                                         r"dt, steps\)"):
        CASE.build(rte=2.0)
    with pytest.raises(ValueError, match="dt must be positive"):
        CASE.build(dt=0.0)
    with pytest.raises(TypeError, match="params must be a dict"):
        check_parameters(ToyParameters, [("rate", 1.0)], case="toy")


def test_run_batches_members_and_checks_its_arguments():
    ds = CASE.run({"steps": 3}, Policy("bf16", seed=0), members=5, ic_seed=1)
    assert ds["x"].dims == ("member", "time", "k") and ds["x"].shape == (5, 3, 2)
    double = CASE.run({"steps": 3}, None, members=5, ic_seed=1)
    assert not np.array_equal(ds["x"].values, double["x"].values)
    with pytest.raises(ValueError, match="members must be a positive integer"):
        CASE.run({}, None, members=0)
    with pytest.raises(ValueError, match="components \\['tendencies'\\] are not used"):
        CASE.run({}, Policy("bf16", components={"tendencies": "fp16"}), members=1)


def test_case_checks_its_definition():
    with pytest.raises(ValueError, match="identifier"):
        Case("my case", "", ToyParameters, ToyModel, build, run, ())
    with pytest.raises(TypeError, match="parameters must be a dataclass type"):
        Case("toy", "", dict, ToyModel, build, run, ())
    assert CASE.cli is None and "decay" in repr(CASE)


def test_state_must_be_a_named_tuple_and_prepare_keeps_unchanged_components():
    model = ToyModel()
    assert model.prepare(None, ToyState(np.zeros((1, 2)))).time_stepping is model.time_stepping
