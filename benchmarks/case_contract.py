"""Cost of the case contract: LorenzModel.step (components called through
Model.call, each inside policy.component) against the same RK4 written inline in
numpy, in double and under an emulated policy; and driver.integrate against a
bare loop.  Prints microseconds per step and the ratios (best of 3 repeats).

    python benchmarks/case_contract.py
"""
import time

import numpy as np

from numprec.cases.driver import integrate
from numprec.cases.lorenz import CASE, LorenzState
from numprec.emulate import Policy


def rhs(v):
    a, b, c = v[0], v[1], v[2]
    return np.stack((10.0 * (b - a), a * (28.0 - c) - b, a * b - (8.0 / 3.0) * c))


def inline_step(v, dt=0.01):
    half = 0.5 * dt
    k1 = rhs(v)
    k2 = rhs(v + half * k1)
    k3 = rhs(v + half * k2)
    k4 = rhs(v + dt * k3)
    return v + (dt / 6.0) * (((k1 + 2.0 * k2) + 2.0 * k3) + k4)


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    model = CASE.build()
    for members in (10, 1000):
        x0 = model.initial_state(members, 0, spinup_steps=100).x
        for label, policy, steps in (("double", None, 2000),
                                     ("e11m10 stochastic", Policy("e11m10", rounding="stochastic",
                                                                  seed=0), 300)):
            def contract():
                integrate(model, LorenzState(x0), policy, steps=steps, sample_every=steps)

            def bare():
                if policy is None:
                    v = x0
                    for _ in range(steps):
                        v = inline_step(v)
                    return
                v = policy.store(x0)
                with policy:
                    for _ in range(steps):
                        v = policy.store(inline_step(v))

            a, b = best(contract), best(bare)
            print(f"{members:5d} members, {label:18s}: integrate(LorenzModel) "
                  f"{a / steps * 1e6:8.1f} us/step, inline loop {b / steps * 1e6:8.1f} us/step, "
                  f"ratio {a / b:.2f}")


if __name__ == "__main__":
    main()
