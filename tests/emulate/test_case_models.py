"""The plain-numpy case models run unchanged on emulated arrays.

Oracle: under a binary64 policy every emulated operation is the numpy
operation (no rounding), so the models must reproduce their plain float64
runs bit for bit — any numpy function the emulated array handled wrongly or
not at all would show up here.  Under binary16 the runs must stay finite and
their state must be binary16 values.
"""
import numpy as np

import numprec
from numprec.emulate import Policy, to_numpy


def test_heat_model_under_policies():
    from numprec.cases.heat import HeatParameters, HeatState, build

    model = build(HeatParameters())
    T0 = model.initial_state(2).T

    def run(policy, steps):
        state = HeatState(T0 if policy is None else policy.asarray(T0), None)
        m = model.prepare(policy, state)
        for _ in range(steps):
            state = m.step(state)
        return state.T

    plain = run(None, 200)
    p = Policy("binary64", seed=0)
    np.testing.assert_array_equal(to_numpy(run(p, 200)), plain)
    assert p.streams_used == 0
    # Each step adds about 0.009 K near the surface, below half the e8m10
    # spacing (0.125 K) near 273 K: round-to-nearest stagnates (Paxton et al.
    # 2022, section 4), stochastic rounding warms the column.
    top = {}
    for rounding in ("nearest_even", "stochastic"):
        q = Policy("e8m10", rounding=rounding, seed=1)
        T = to_numpy(run(q, 400))
        np.testing.assert_array_equal(numprec.round(T, "e8m10"), T)
        top[rounding] = T[:, 0]
    np.testing.assert_array_equal(top["nearest_even"], numprec.round(273.15, "e8m10"))
    assert top["stochastic"].min() > 273.25


def test_shallow_water_model_under_policies():
    from numprec.cases.shallow_water import SWState, build_model

    model = build_model(nx=20, Lx=400e3, Ly=200e3)
    u, v, eta = model.rest_state(perturbation=0.1, seed=0)[:3]

    def run(m, state):
        state = m.to_internal(*state)
        for _ in range(10):
            state = m.step(state)
        return m.to_physical(state)

    plain = run(model, (u, v, eta))
    p = Policy("binary64", seed=0)
    emulated = run(model.converted(p.constant), tuple(p.asarray(a) for a in (u, v, eta)))
    for a, b in zip(emulated, plain):
        np.testing.assert_array_equal(a, b)
    q = Policy("fp16", rounding="stochastic", seed=2)
    out = run(model.converted(q.constant), tuple(q.asarray(a) for a in (u, v, eta)))
    assert all(np.isfinite(a).all() for a in out)
    assert q.streams_used > 0
