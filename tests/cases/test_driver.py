"""numprec.cases.driver.integrate: storing, sampling, NaN stop, progress, restart.

References are op-by-op loops written with ``numpy`` (double) or
``numprec.round`` (one rounding per operation), independent of the driver.
"""
import numpy as np
import pytest

import numprec
from numprec.cases.driver import integrate, load_checkpoint, sample_steps
from numprec.emulate import Policy

from tests.cases.toy import Decay, Euler, ToyModel, ToyState

X0 = np.array([[1.0, -2.0], [3.5, 0.25], [10.0, 7.0]])


def reference(x0, nsteps, fmt=None, *, rate=0.5, dt=0.1, forcing=(0.1, 0.3), dfmt=None):
    """Samples after every step, each operation rounded to nearest (even)."""
    dfmt = dfmt or fmt
    r = (lambda v, f: v) if fmt is None else (lambda v, f: numprec.round(v, f))
    x = r(np.array(x0), fmt)
    f = r(np.array(forcing), dfmt)
    out = []
    for _ in range(nsteps):
        tend = r(f - r(r(rate, dfmt) * x, dfmt), dfmt)
        x = r(x + r(r(dt, fmt) * tend, fmt), fmt)
        out.append(x)
    return np.array(out)


def test_sample_steps():
    assert sample_steps(10, 3).tolist() == [3, 6, 9]
    assert sample_steps(10, 3, include_initial=True, include_last=True).tolist() == [0, 3, 6,
                                                                                    9, 10]
    with pytest.raises(ValueError, match="sample_every must be an integer >= 1"):
        sample_steps(10, 0)


def test_double_run_samples_every_other_step():
    run = integrate(ToyModel(), ToyState(X0), steps=10, sample_every=2)
    ref = reference(X0, 10)
    assert run.steps.tolist() == [2, 4, 6, 8, 10]
    assert np.array_equal(run.samples["x"], ref[1::2])
    assert not run.unstable and run.steps_done == 10


def test_spinup_is_integrated_but_not_sampled():
    run = integrate(ToyModel(), ToyState(X0), steps=4, sample_every=1, spinup=3)
    assert np.array_equal(run.samples["x"], reference(X0, 7)[3:])


def test_sample_at_zero_is_the_stored_initial_state():
    policy = Policy("e5m10", seed=0)
    run = integrate(ToyModel(), ToyState(X0), policy, steps=5, sample_at=[0, 5])
    assert np.array_equal(run.samples["x"][0], numprec.round(X0, "e5m10"))
    assert np.array_equal(run.samples["x"][1], reference(X0, 5, "e5m10")[-1])


def test_every_operation_rounded_under_a_policy():
    run = integrate(ToyModel(), ToyState(X0), Policy("bfloat16", seed=0), steps=12)
    assert np.array_equal(run.samples["x"], reference(X0, 12, "bfloat16"))


def test_component_policy_and_its_constants():
    # the decay component (and its constant array) in e4m3-ish precision, the rest in fp16
    policy = Policy("fp16", components={"decay": "e5m3"}, seed=0)
    run = integrate(ToyModel(), ToyState(X0), policy, steps=6)
    assert np.array_equal(run.samples["x"], reference(X0, 6, "fp16", dfmt="e5m3"))


def test_constants_are_converted_once_at_setup():
    model = ToyModel().prepare(Policy("bfloat16", seed=0), ToyState(X0))
    assert np.array_equal(np.asarray(model.decay.forcing.to_numpy()),
                          numprec.round(np.array([0.1, 0.3]), "bfloat16"))
    assert ToyModel().prepare(None, ToyState(X0)).decay.forcing.dtype == np.float64


def test_unknown_component_in_the_policy_is_an_error():
    with pytest.raises(ValueError, match="tendencies"):
        integrate(ToyModel(), ToyState(X0), Policy("fp16", components={"tendencies": "bf16"}),
                  steps=1)


def test_storage_format_holds_the_state_between_steps():
    policy = Policy("binary32", storage="bfloat16", seed=0)
    run = integrate(ToyModel(), ToyState(X0), policy, steps=3)
    x = numprec.round(X0, "bfloat16")
    f = numprec.round(np.array([0.1, 0.3]), "binary32")
    r32 = lambda v: numprec.round(v, "binary32")  # noqa: E731
    for k in range(3):
        x = numprec.round(r32(x + r32(r32(0.1) * r32(f - r32(0.5 * x)))), "bfloat16")
        assert np.array_equal(run.samples["x"][k], x)


def test_overflow_stops_the_run_and_marks_it_unstable():
    # x grows by 1 + dt*rate = 2.5 per step; fp16 overflows (inf) after step 12 from 1..10
    model = ToyModel(decay=Decay(rate=-15.0, forcing=np.zeros(2)))
    run = integrate(model, ToyState(X0), Policy("fp16", seed=0), steps=30, sample_every=1)
    ref = reference(X0, 30, "fp16", rate=-15.0, forcing=(0.0, 0.0))
    bad = int(np.argmax(~np.all(np.isfinite(ref), axis=(1, 2))))
    assert run.unstable and run.steps_done == bad + 1
    assert np.array_equal(run.samples["x"][:bad], ref[:bad])
    assert np.isnan(run.samples["x"][bad:]).all()


def test_nan_between_samples_is_found_by_the_periodic_check():
    model = ToyModel(decay=Decay(rate=-15.0, forcing=np.zeros(2)))
    run = integrate(model, ToyState(X0), Policy("fp16", seed=0), steps=1000, sample_every=500,
                    check_every=5)
    ref = reference(X0, 30, "fp16", rate=-15.0, forcing=(0.0, 0.0))
    first_bad = int(np.argmax(~np.all(np.isfinite(ref), axis=(1, 2)))) + 1   # a step number
    assert run.unstable and run.steps_done == 5 * -(-first_bad // 5)
    assert np.isnan(run.samples["x"]).all()


class Recorder:
    def __init__(self, stop_at=None):
        self.n = 0
        self.stop_at = stop_at

    def update(self, n):
        self.n += n
        if self.stop_at is not None and self.n >= self.stop_at:
            raise KeyboardInterrupt


def test_progress_counts_every_step_including_spinup():
    bar = Recorder()
    integrate(ToyModel(), ToyState(X0), steps=250, sample_every=50, spinup=50, progress=bar)
    assert bar.n == 300


def test_restart_from_a_checkpoint_is_bit_for_bit(tmp_path):
    def policy():
        return Policy("e5m6", rounding="stochastic", seed=42)

    kw = dict(steps=30, sample_every=3)
    whole = integrate(ToyModel(), ToyState(X0), policy(), **kw)
    path = tmp_path / "run.ckpt"
    with pytest.raises(KeyboardInterrupt):
        integrate(ToyModel(), ToyState(X0), policy(), checkpoint=path, checkpoint_every=8,
                  progress=Recorder(stop_at=20), **kw)
    assert load_checkpoint(path)["step"] == 16
    resumed = integrate(ToyModel(), None, restart=path, **kw)
    assert np.array_equal(resumed.samples["x"], whole.samples["x"])
    assert np.array_equal(resumed.state.x.to_numpy(), whole.state.x.to_numpy())
    # and the stochastic run differs from round-to-nearest: the test can fail
    assert not np.array_equal(whole.samples["x"], reference(X0, 30, "e5m6")[2::3])
    with pytest.raises(ValueError, match="saved by a run with"):
        integrate(ToyModel(), None, restart=path, steps=31, sample_every=3)
    with pytest.raises(ValueError, match="saved under policy"):
        integrate(ToyModel(), None, Policy("fp16"), restart=path, **kw)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        integrate(ToyModel(), ToyState(X0), steps=-1)
    with pytest.raises(ValueError, match="sample_at must increase"):
        integrate(ToyModel(), ToyState(X0), steps=3, sample_at=[2, 1])
    with pytest.raises(ValueError, match="checkpoint_every needs checkpoint="):
        integrate(ToyModel(), ToyState(X0), steps=3, checkpoint_every=1)
    with pytest.raises(TypeError, match="NamedTuple"):
        integrate(ToyModel(), X0, steps=3)
    with pytest.raises(TypeError, match="progress must be"):
        integrate(ToyModel(), ToyState(X0), steps=3, progress="yes")


def test_euler_is_a_plain_callable_component():
    assert ToyModel.components() == ("decay", "time_stepping")
    assert Euler(0.5)(np.array(1.0), lambda x: -x) == 0.5
