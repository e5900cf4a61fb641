"""Cost of the SPEEDY-style dry core: seconds per model day, double and emulated.

    python benchmarks/speedy.py [--steps-emulated 2] [--profile]

Double: 2 model days after the start-up, T21 and T30, 1 and 5 members.
Emulated (e11m10, RN and SR, float64 containers, numprec's rounded FFT):
a few leapfrog steps, scaled to a model day (steps per day x time per step).
The emulated/double ratio is formed in the same run.  --profile prints
where the time of a double model day and of one emulated step goes at the
last truncation (cProfile, top functions).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from numprec.cases.speedy.heldsuarez import HeldSuarez
from numprec.cases.speedy.primitive import PrimitiveEquationModel, default_steps_per_day
from numprec.emulate import Policy


def model_and_state(trunc, members, fourier="fft"):
    model = PrimitiveEquationModel.build(trunc, forcing=HeldSuarez(), fourier=fourier)
    state = model.initial_state(members, 0)
    return model, state.pair()


def per_step(model, pair, nsteps, policy=None):
    previous, current = pair
    if policy is not None:
        model = model.under(policy)
        previous = {k: policy.asarray(v) for k, v in previous.items()}
        current = {k: policy.asarray(v) for k, v in current.items()}
        ctx = policy
    else:
        import contextlib
        ctx = contextlib.nullcontext()
    with ctx:
        previous, current = model.leapfrog(previous, current)          # warm-up
        t0 = time.perf_counter()
        for _ in range(nsteps):
            previous, current = model.leapfrog(previous, current)
    return (time.perf_counter() - t0) / nsteps


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps-emulated", type=int, default=2)
    ap.add_argument("--truncations", type=int, nargs="+", default=[21, 30])
    ap.add_argument("--members", type=int, nargs="+", default=[1, 5])
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    print(f"{'T':>4} {'members':>7} {'arithmetic':>14} {'s/step':>9} {'s/day':>8} "
          f"{'x double':>9}")
    for trunc in args.truncations:
        spd = default_steps_per_day(trunc)
        for members in args.members:
            model, pair = model_and_state(trunc, members)
            d = per_step(model, pair, 2 * spd)
            print(f"{trunc:>4} {members:>7} {'double':>14} {d:9.4f} {d * spd:8.3f} {1:9.1f}",
                  flush=True)
            for rounding in ("nearest_even", "stochastic"):
                e = per_step(model, pair, args.steps_emulated,
                             Policy("e11m10", rounding=rounding, seed=1))
                label = "e11m10 " + ("RN" if rounding == "nearest_even" else "SR")
                print(f"{trunc:>4} {members:>7} {label:>14} {e:9.4f} {e * spd:8.2f} "
                      f"{e / d:9.1f}", flush=True)
    if args.profile:
        import cProfile
        import pstats
        trunc = args.truncations[-1]
        model, pair = model_and_state(trunc, 1)
        for label, policy, steps in (("double, one model day", None, default_steps_per_day(trunc)),
                                     ("e11m10 RN, one step", Policy("e11m10", seed=1), 1)):
            print(f"\nT{trunc}, 1 member, {label}:")
            prof = cProfile.Profile()
            prof.enable()
            per_step(model, pair, steps, policy)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
