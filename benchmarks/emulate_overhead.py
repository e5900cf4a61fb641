"""Per-call cost of emulated arithmetic, and whole model steps, against plain
numpy in the same run.

Measures (min over repeats of the process's CPU time, microseconds; ratio =
emulated / numpy):

* an emulated ufunc (add of two arrays, multiply by a Python float, exp)
  on 10**3 elements;
* a slice ``x[1:, :]`` and ``np.concatenate`` of two column blocks (the
  ghost-cell shifts of a stencil model) of a 50 x 100 array;
* one RK4 step of the shallow-water channel (100 x 50 grid, developed flow:
  spun up in double first), as ``numprec.cases.shallow_water`` runs it;
* one RK4 step of the Lorenz-96 ensemble (K = 40, 1000 members).

Round to nearest (RN) and stochastic rounding (SR), float64 containers.
The per-call rows use e11m10 (binary16's precision with float64's exponent
range); the model rows use ``--format`` (default e5m10, binary16: an
unscaled shallow-water run then has tendencies around 1e-6, subnormal in
binary16, which the kernels round on their general path; e11m10 shows the
cost without that).  Run from the repository root::

    python benchmarks/emulate_overhead.py [--format e5m10] [--spinup 300] [--quick]
"""
from __future__ import annotations

import argparse
import time
import timeit

import numpy as np

import numprec
from numprec.emulate import Policy

ROUNDINGS = ("nearest_even", "stochastic")


#: CPU time of this process: on a machine shared with other processes the
#: time this process waits for a core does not count (wall-clock minima
#: still vary by 2x there).
TIMER = time.process_time


def best_us(fn, number, repeat):
    """Minimum CPU time of one call of ``fn`` in microseconds."""
    return min(timeit.repeat(fn, number=number, repeat=repeat, timer=TIMER)) / number * 1e6


def call_costs(number, repeat):
    rng = np.random.default_rng(0)
    a = numprec.round(rng.uniform(1, 2, 1000), "e11m10")
    b = numprec.round(rng.uniform(1, 2, 1000), "e11m10")
    grid = numprec.round(rng.uniform(1, 2, (50, 100)), "e11m10")
    rows = []
    plain = {"add (10^3)": lambda: a + b, "multiply by float (10^3)": lambda: a * 0.3,
             "exp (10^3)": lambda: np.exp(a), "slice x[1:, :]": lambda: grid[1:, :],
             "concatenate (50 x 100)":
                 lambda: np.concatenate([grid[:, -1:], grid[:, :-1]], axis=1)}
    for rounding in ROUNDINGS:
        p = Policy("e11m10", rounding=rounding, seed=1)
        ea, eb, eg = p.asarray(a), p.asarray(b), p.asarray(grid)
        emulated = {"add (10^3)": lambda: ea + eb, "multiply by float (10^3)": lambda: ea * 0.3,
                    "exp (10^3)": lambda: np.exp(ea), "slice x[1:, :]": lambda: eg[1:, :],
                    "concatenate (50 x 100)":
                        lambda: np.concatenate([eg[:, -1:], eg[:, :-1]], axis=1)}
        for name in plain:
            t_np = best_us(plain[name], number, repeat)
            t_em = best_us(emulated[name], number, repeat)
            rows.append((name, rounding, t_np, t_em))
    return rows


def _step_time(step, state, n, repeat):
    def run():
        s = state
        for _ in range(n):
            s = step(s)
    return min(timeit.repeat(run, number=1, repeat=repeat, timer=TIMER)) / n * 1e6


def shallow_water(n, repeat, spinup, fmt):
    from numprec.cases.shallow_water import SWState, build_model
    model = build_model()
    state = model.to_internal(*model.rest_state(perturbation=1e-3, seed=1)[:3]) \
        if hasattr(model, "to_internal") else model.rest_state(perturbation=1e-3, seed=1)
    with np.errstate(all="ignore"):
        for _ in range(spinup):                  # a developed flow, in double
            state = model.step(state)
    t_np = _step_time(model.step, state, n, repeat)
    rows = []
    for rounding in ROUNDINGS:
        pol = Policy(fmt, rounding=rounding, seed=1)
        stored = SWState(*(None if f is None else pol.store(f) for f in state))
        em = model.converted(pol.constant)
        with pol, np.errstate(all="ignore"):
            rows.append(("shallow-water RK4 step (100 x 50)", rounding, t_np,
                         _step_time(em.step, stored, n, repeat)))
    return rows


def lorenz96(n, repeat, fmt):
    from numprec.cases.lorenz import LorenzParameters, LorenzState, build
    model = build(LorenzParameters(system="l96", K=40))
    state = model.initial_state(1000, seed=0, spinup_steps=200)
    t_np = _step_time(model.step, state, n, repeat)
    rows = []
    for rounding in ROUNDINGS:
        pol = Policy(fmt, rounding=rounding, seed=1)
        stored = LorenzState(pol.store(state.x), *state[1:])
        em = model.prepare(pol, stored)
        with pol:
            rows.append(("Lorenz-96 RK4 step (K = 40, 1000 members)", rounding, t_np,
                         _step_time(em.step, stored, n, repeat)))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--format", default="e5m10", help="format of the model rows")
    parser.add_argument("--spinup", type=int, default=300,
                        help="shallow-water steps in double before timing (developed flow)")
    args = parser.parse_args(argv)
    number, repeat, steps = (200, 3, 3) if args.quick else (5000, 7, 20)
    t0 = time.perf_counter()
    rows = call_costs(number, repeat)
    rows += shallow_water(steps, repeat, args.spinup, args.format)
    rows += lorenz96(steps, repeat, args.format)
    print(f"model rows: {args.format}, shallow water after {args.spinup} double steps")
    print("| measure | rounding | numpy µs | emulated µs | ratio |")
    print("|---|---|---:|---:|---:|")
    for name, rounding, t_np, t_em in rows:
        print(f"| {name} | {'RN' if rounding == 'nearest_even' else 'SR'} | {t_np:.2f} | "
              f"{t_em:.2f} | {t_em / t_np:.2f} |")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
