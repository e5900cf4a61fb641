"""Cost of the SPEEDY-style dry core: seconds per model day, double and emulated.

    python benchmarks/speedy.py [--steps-emulated 2] [--repeats 3] [--malloc-tuned]
                                [--truncations 21 30] [--members 1 5] [--profile]

Double: 2 model days of leapfrog steps after the start-up, T21 and T30, 1
and 5 members batched in one array.  Emulated (e11m10, RN and SR, float64
containers, numprec's rounded matmul and FFT): ``--steps-emulated`` leapfrog
steps after a warm-up step, scaled to a model day (steps per day x time per
step).  Every time is the minimum over ``--repeats`` repeats (the machine is
shared); the load average is printed with the table.  Columns: seconds per
step and per model day, the ratio to double in the same run, and for
batches the ratio to one member of the same arithmetic.

``--malloc-tuned`` asks glibc's malloc (``mallopt``) to keep freed memory
instead of returning it to the system: the emulated step allocates many
large temporaries, and with the default settings each fresh one costs page
faults (about 8400 per emulated T30 step).  Results are unchanged; only
the time is.  The same settings come from the environment variables
``MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824
MALLOC_TOP_PAD_=67108864`` for any run.

``--profile`` prints where the time of a double model day and of emulated
steps goes at the last truncation, 1 member: cProfile's top functions by
own time, and the share of the emulated step spent in the rounded FFT, the
rounded matmul and everything else.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import resource
import time

from numprec.cases.speedy.heldsuarez import HeldSuarez
from numprec.cases.speedy.primitive import PrimitiveEquationModel, default_steps_per_day
from numprec.cases.memory import tune_malloc
from numprec.emulate import Policy

def model_and_state(trunc, members, fourier="fft"):
    model = PrimitiveEquationModel.build(trunc, forcing=HeldSuarez(), fourier=fourier)
    state = model.initial_state(members, 0)
    return model, state.pair()


def prepared(model, pair, policy):
    """The model and both levels under ``policy`` (None: double)."""
    previous, current = pair
    if policy is None:
        return model.under(None), previous, current, contextlib.nullcontext()
    model = model.under(policy)
    previous = {k: policy.asarray(v) for k, v in previous.items()}
    current = {k: policy.asarray(v) for k, v in current.items()}
    return model, previous, current, policy


def per_step(model, pair, nsteps, policy=None, repeats=1):
    """Seconds per leapfrog step: the minimum over ``repeats`` runs of
    ``nsteps`` steps, after one warm-up step (tables converted before)."""
    model, previous, current, ctx = prepared(model, pair, policy)
    best = float("inf")
    with ctx:
        previous, current = model.leapfrog(previous, current)          # warm-up
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(nsteps):
                previous, current = model.leapfrog(previous, current)
            best = min(best, (time.perf_counter() - t0) / nsteps)
    return best


def page_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def profile(trunc, steps_emulated):
    import cProfile
    import pstats
    model, pair = model_and_state(trunc, 1)
    for label, policy, steps in (("double, one model day", None, default_steps_per_day(trunc)),
                                 (f"e11m10 RN, {steps_emulated} steps", Policy("e11m10", seed=1),
                                  steps_emulated)):
        m, previous, current, ctx = prepared(model, pair, policy)
        prof = cProfile.Profile()
        with ctx:
            previous, current = m.leapfrog(previous, current)
            faults = page_faults()
            prof.enable()
            for _ in range(steps):
                previous, current = m.leapfrog(previous, current)
            prof.disable()
            faults = page_faults() - faults
        stats = pstats.Stats(prof)
        total = sum(v[2] for v in stats.stats.values())
        print(f"\nT{trunc}, 1 member, {label}: {total:.3f} s in cProfile, "
              f"{faults / steps:.0f} page faults per step")
        if policy is not None:
            def cum(module, name):
                return sum(v[3] for (f, _, fn), v in stats.stats.items()
                           if f.endswith(module) and fn == name)
            fft = cum("emulate/fft.py", "rfft") + cum("emulate/fft.py", "irfft")
            mm = cum("emulate/engine.py", "matmul")
            print(f"  rounded FFT {fft / total:.0%}, rounded matmul {mm / total:.0%}, "
                  f"everything else {(total - fft - mm) / total:.0%}")
        stats.sort_stats("tottime").print_stats(12)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps-emulated", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--truncations", type=int, nargs="+", default=[21, 30])
    ap.add_argument("--members", type=int, nargs="+", default=[1, 5])
    ap.add_argument("--malloc-tuned", action="store_true")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    if args.steps_emulated < 1 or args.repeats < 1:
        ap.error("--steps-emulated and --repeats must be >= 1")
    if args.malloc_tuned and not tune_malloc():
        print("--malloc-tuned: glibc mallopt not available, running untuned")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; malloc "
          f"{'tuned' if args.malloc_tuned else 'default'}; min of {args.repeats} repeats")
    print(f"{'T':>4} {'members':>7} {'arithmetic':>14} {'s/step':>9} {'s/day':>8} "
          f"{'x double':>9} {'x 1 member':>10}")
    single = {}
    for trunc in args.truncations:
        spd = default_steps_per_day(trunc)
        for members in args.members:
            model, pair = model_and_state(trunc, members)
            d = per_step(model, pair, 2 * spd, repeats=args.repeats)
            rows = [("double", d)]
            for rounding in ("nearest_even", "stochastic"):
                e = per_step(model, pair, args.steps_emulated,
                             Policy("e11m10", rounding=rounding, seed=1), args.repeats)
                rows.append(("e11m10 " + ("RN" if rounding == "nearest_even" else "SR"), e))
            for label, sec in rows:
                if members == 1:
                    single[(trunc, label)] = sec
                per_member = single.get((trunc, label))
                batch = "" if members == 1 or per_member is None else f"{sec / per_member:10.1f}"
                print(f"{trunc:>4} {members:>7} {label:>14} {sec:9.4f} {sec * spd:8.3f} "
                      f"{sec / d:9.1f} {batch:>10}", flush=True)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.profile:
        profile(args.truncations[-1], args.steps_emulated)


if __name__ == "__main__":
    main()
