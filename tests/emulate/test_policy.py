"""Precision policies: settings, components, contexts, provenance, errors."""
import json
import threading

import numpy as np
import pytest

import numprec
from numprec import emulate
from numprec.emulate import Policy


def test_defaults_and_description():
    p = Policy("fp16", seed=3)
    assert p.compute == numprec.FloatFormat(5, 10)
    assert p.storage == p.compute
    assert p.rounding.name == "nearest_even"
    assert p.summation == "sequential" and p.arithmetic == "exact"
    assert p.dtype == np.float64 and p.seed == 3
    assert p.name == "binary16 nearest_even"
    assert "binary16" in repr(p)


def test_seed_none_draws_and_records_a_seed():
    a, b = Policy("fp16", rounding="stochastic"), Policy("fp16", rounding="stochastic")
    assert isinstance(a.seed, int) and a.seed != b.seed
    x = np.linspace(0, 1, 101)
    # the recorded seed reproduces the run
    again = Policy("fp16", rounding="stochastic", seed=a.seed)
    np.testing.assert_array_equal((a.asarray(x) / 3).to_numpy(),
                                  (again.asarray(x) / 3).to_numpy())


def test_config_round_trip_gives_a_fresh_equal_policy():
    p = Policy("e11m8", storage="fp32", rounding="stochastic", seed=12, random_bits=10,
               summation="kahan", components={"tendencies": {"compute": "bf16",
                                                             "rounding": "nearest_even"}})
    cfg = json.loads(json.dumps(p.get_config()))
    q = Policy.from_config(cfg)
    assert q.get_config() == p.get_config()
    x = np.linspace(-3, 3, 50)
    for pol in (p, q):
        pol.reset()
    np.testing.assert_array_equal((p.asarray(x) * 1.1).to_numpy(),
                                  (q.asarray(x) * 1.1).to_numpy())


def test_components_inherit_and_override():
    p = Policy("fp32", rounding="stochastic", seed=1, random_bits=8,
               components={"tendencies": "fp16", "physics": {"rounding": "nearest_even"},
                           "dynamics": Policy("bf16", summation="pairwise")})
    t, ph, dy = (p.component(n) for n in ("tendencies", "physics", "dynamics"))
    assert t.compute == numprec.get_format("fp16") and t.rounding.name == "stochastic"
    assert t.random_bits == 8 and t.storage == t.compute
    assert ph.compute == p.compute and ph.rounding.name == "nearest_even"
    assert ph.random_bits is None
    assert dy.compute == numprec.get_format("bf16") and dy.summation == "pairwise"
    assert dy.seed == p.seed and dy.root is p
    assert p.component("anything else") is p
    assert set(p.components) == {"tendencies", "physics", "dynamics"}
    assert "tendencies=binary16" in p.name


def test_components_share_the_stream_counter():
    p = Policy("fp32", rounding="stochastic", seed=2, components={"tendencies": "fp16"})
    x = p.asarray(np.linspace(0, 1, 10))          # stream 0
    with p.component("tendencies"):
        y = x * 3.0                               # stream 1 (conversion), 2 (product)
    z = y + x                                     # stream 3
    assert p.streams_used == 4
    assert z.format == p.compute


def test_check_components_catches_typos():
    p = Policy("fp32", components={"tendency": "fp16"})
    with pytest.raises(ValueError, match="tendency"):
        p.check_components(["tendencies"])
    p.check_components(["tendency", "other"])


def test_context_nesting_and_module_helpers():
    p = Policy("fp16", seed=0, components={"tendencies": "bf16"})
    assert emulate.current() is None
    with emulate.component("tendencies") as none:
        assert none is None                       # no policy: no-op
    with p:
        assert emulate.current() is p
        with emulate.component("tendencies") as c:
            assert c is p.component("tendencies") and emulate.current() is c
            with emulate.double():
                assert emulate.current().compute == numprec.get_format("binary64")
            assert emulate.current() is c
        assert emulate.asarray(np.ones(2)).policy is p
    assert emulate.current() is None
    x = p.asarray(np.ones(2))
    assert emulate.component("tendencies", like=x) is p.component("tendencies")
    with pytest.raises(ValueError, match="policy"):
        emulate.asarray(np.ones(2))


def test_contexts_exit_in_order():
    p, q = Policy("fp16", seed=0), Policy("bf16", seed=0)
    p.__enter__()
    q.__enter__()
    with pytest.raises(RuntimeError, match="reverse order"):
        p.__exit__(None, None, None)
    q.__exit__(None, None, None)
    p.__exit__(None, None, None)


def test_active_policy_is_per_thread():
    p = Policy("fp16", seed=0)
    seen = []
    with p:
        t = threading.Thread(target=lambda: seen.append(emulate.current()))
        t.start()
        t.join()
    assert seen == [None]


def test_the_active_policy_decides_how_operations_round():
    a = np.array([1.0, 2.0, 3.0]) / 7.0
    p, q = Policy("fp32", seed=0), Policy("e5m3", seed=0)
    x = p.asarray(a)
    with q:
        y = x / 3.0
    assert y.format == q.compute and y.policy is p
    np.testing.assert_array_equal(
        y.to_numpy(), numprec.round(numprec.round(numprec.round(a, "fp32"), "e5m3") / 3.0,
                                    "e5m3"))


def test_emulated_array_constructor():
    p = Policy("bf16", seed=0)
    x = emulate.EmulatedArray([0.1, 0.2], p)
    np.testing.assert_array_equal(x.to_numpy(), numprec.round(np.array([0.1, 0.2]), "bf16"))
    with p:
        assert emulate.EmulatedArray([1.0]).policy is p
    with pytest.raises(TypeError, match="Policy"):
        emulate.EmulatedArray([1.0])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"compute": 16}, TypeError, "compute"),
    ({"compute": "nosuchformat"}, Exception, "nosuchformat"),
    ({"rounding": "sideways"}, Exception, "sideways"),
    ({"summation": "tree"}, ValueError, "summation"),
    ({"dtype": "float16"}, ValueError, "dtype"),
    ({"random_bits": 8}, ValueError, "random_bits"),
    ({"rounding": "stochastic", "random_bits": 0}, ValueError, "random_bits"),
    ({"seed": -1}, ValueError, "seed"),
    ({"components": {"t": 3}}, TypeError, "component 't'"),
    ({"components": {"t": {"colour": "red"}}}, ValueError, "colour"),
    ({"components": ["t"]}, TypeError, "components"),
    ({"arithmetic": 42}, TypeError, "arithmetic"),
    ({"accumulation": "fp32"}, TypeError, "accumulation"),
    ({"debug_reference": "yes"}, TypeError, "debug_reference"),
])
def test_bad_arguments_name_themselves(kwargs, error, match):
    kwargs = {"compute": "fp16", **kwargs}
    with pytest.raises(error, match=match):
        Policy(**kwargs)


def test_store_of_values_already_in_storage_costs_nothing():
    p = Policy("fp16", rounding="stochastic", seed=0)
    x = p.store(np.linspace(0, 1, 5))
    assert p.streams_used == 1
    assert p.store(x) is x and p.streams_used == 1
    wide = Policy("fp32", storage="fp16", seed=0)
    y = wide.asarray(np.linspace(0, 1, 5)) / 3.0
    assert wide.store(y).format == wide.storage


def test_accumulation_setting_per_component_round_trips():
    """Policy(accumulation=) is a setting like the others: inherited and
    overridden by components, in the plan, in get_config/from_config and
    kept through pickling."""
    import pickle
    from numprec.emulate.accumulation import Accumulation
    acc = Accumulation(product="fp16", accumulator="fp32", block=8)
    p = Policy("fp16", accumulation=acc, seed=1,
               components={"dyn": "bf16", "phys": {"accumulation": None}})
    assert p.accumulation is acc and p.plan.accumulation is acc
    assert p.component("dyn").accumulation is acc
    assert p.component("phys").accumulation is None
    cfg = p.get_config()
    assert cfg["accumulation"] == acc.get_config()
    assert cfg["components"]["phys"]["accumulation"] is None
    for q in (Policy.from_config(cfg), pickle.loads(pickle.dumps(p))):
        assert q.accumulation == acc and q.component("dyn").accumulation == acc
        assert q.component("phys").accumulation is None
    assert Policy("fp16", seed=1).get_config()["accumulation"] is None


def test_debug_reference_is_a_recorded_option_with_the_same_bits():
    """The reference path (numpy, then the generic rounding kernel) is a
    policy option, not a module switch; it gives the fused path's bits."""
    import pickle
    x = np.random.default_rng(3).normal(size=(40, 50))
    runs = []
    for ref in (False, True):
        p = Policy("bf16", rounding="stochastic", seed=4, debug_reference=ref)
        assert (p.plan.fused is None) == ref
        a = p.asarray(x)
        r = np.exp(a[1:, :] * a[:-1, :] - 0.3) / (a[1:, :] + 2.0)
        runs.append((r.to_numpy(), p.streams_used))
        q = Policy.from_config(p.get_config())
        assert q.plan.reference == ref and pickle.loads(pickle.dumps(p)).plan.reference == ref
    np.testing.assert_array_equal(runs[0][0].view(np.uint64), runs[1][0].view(np.uint64))
    assert runs[0][1] == runs[1][1] == 6
