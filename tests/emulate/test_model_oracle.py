"""The emulation oracle: a model run on emulated arrays gives the same bits as
the same arithmetic written out in plain numpy with ``numprec.round`` after
every operation (stream n for the n-th rounding, constants rounded to
nearest on entry).

The models are numprec.cases' Lorenz 63 and Lorenz 96; the oracle repeats
their right-hand sides and RK4 step operation by operation.
"""
import numpy as np
import pytest

import numprec
from numprec.cases.lorenz import LorenzParameters, LorenzState, build
from numprec.emulate import Policy, to_numpy


def lorenz(system, members, seed, spinup_steps, dt, **params):
    """The case's model (RK4 step ``dt``) and a spun-up plain state (nvar, members)."""
    model = build(LorenzParameters(system=system, dt=dt, **params))
    return model, model.initial_state(members, seed, spinup_steps=spinup_steps).x


def step(model, x):
    return model.step(LorenzState(x, None)).x


class Rounded:
    """numprec.round with a stream counter: the oracle's arithmetic."""

    def __init__(self, fmt, rounding, seed):
        self.fmt, self.rounding, self.seed, self.stream = fmt, rounding, seed, 0

    def __call__(self, v):
        out = numprec.round(np.asarray(v, dtype=np.float64), self.fmt, self.rounding,
                            seed=self.seed, stream=self.stream)
        self.stream += 1
        return out

    def c(self, value):
        """A constant: round to nearest, no stream."""
        return float(numprec.round(float(value), self.fmt))


def l63_rhs(s, r):
    x, y, z = s
    dx = r(r.c(10.0) * r(y - x))
    dy = r(r(x * r(r.c(28.0) - z)) - y)
    dz = r(r(x * y) - r(r.c(8.0 / 3.0) * z))
    return np.stack((dx, dy, dz))


def l96_rhs(X, r, F=8.0):
    a = r(np.roll(X, -1, axis=0) - np.roll(X, 2, axis=0))
    return r(r(r(a * np.roll(X, 1, axis=0)) - X) + r.c(F))


def rk4(s, rhs, r, dt):
    half, sixth, dtc = r.c(0.5 * dt), r.c(dt / 6.0), r.c(dt)
    k1 = rhs(s, r)
    k2 = rhs(r(s + r(half * k1)), r)
    k3 = rhs(r(s + r(half * k2)), r)
    k4 = rhs(r(s + r(dtc * k3)), r)
    two = r.c(2.0)
    total = r(r(r(k1 + r(two * k2)) + r(two * k3)) + k4)
    return r(s + r(sixth * total))


@pytest.mark.parametrize("fmt, rounding", [("fp16", "stochastic"), ("e11m8", "nearest_even"),
                                           ("bf16", "stochastic_uniform"),
                                           ("e8m5", "toward_zero")])
def test_lorenz63_steps_match_the_written_out_arithmetic(fmt, rounding):
    model, s0 = lorenz("l63", 64, seed=1, spinup_steps=200, dt=0.01)
    p = Policy(fmt, rounding=rounding, seed=21)
    r = Rounded(fmt, rounding, 21)
    state = p.constant(s0)
    oracle = numprec.round(s0, fmt)
    with p:
        for _ in range(25):
            state = step(model, state)
            oracle = rk4(oracle, l63_rhs, r, 0.01)
            np.testing.assert_array_equal(to_numpy(state), oracle)
    assert p.streams_used == r.stream


def test_lorenz96_steps_match_the_written_out_arithmetic():
    model, s0 = lorenz("l96", 5, seed=2, spinup_steps=200, dt=0.005, K=12)
    p = Policy("bf16", rounding="stochastic", seed=4)
    r = Rounded("bf16", "stochastic", 4)
    state, oracle = p.constant(s0), numprec.round(s0, "bf16")
    for _ in range(10):
        state = step(model, state)                  # no `with`: the array's policy
        oracle = rk4(oracle, l96_rhs, r, 0.005)
        np.testing.assert_array_equal(to_numpy(state), oracle)


def test_double_policy_reproduces_plain_numpy_bit_for_bit():
    model, s0 = lorenz("l63", 32, seed=3, spinup_steps=100, dt=0.01)
    p = Policy("binary64", seed=0)
    state, plain = p.asarray(s0), s0
    for _ in range(50):
        state = step(model, state)
        plain = step(model, plain)
    np.testing.assert_array_equal(to_numpy(state), plain)
    assert p.streams_used == 0
