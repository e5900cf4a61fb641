"""Cost of emulated arithmetic relative to plain numpy.

Two ways to run it:

* ``python -m pytest benchmarks/test_bench_emulate.py --benchmark-min-rounds=20``:
  pytest-benchmark tables, one group per operation and size (plain numpy
  and emulated side by side, with the fused kernels and with the reference
  path ``Policy(debug_reference=True)``);
* ``python benchmarks/test_bench_emulate.py``: emulated time / plain numpy
  time at 10**4 and 10**5 elements and for one Lorenz 96 ensemble RK4 step,
  with the fused kernels (the default) and with the reference path (numpy's
  operation, then the generic rounding kernel).  Every time is the minimum
  over several timeit repeats (``--repeat``), which filters out the other
  processes sharing the machine.

The per-call costs and the model-step ratios of docs/performance.md are
measured by benchmarks/emulate_overhead.py.

With the fused kernels an emulated add/subtract/multiply/divide is one pass
that computes and rounds each element (see numprec/_kernels/fused.pyx) and
other ufuncs are numpy's operation plus one pass of a rounding loop
specialised for the rounding mode; the ratio is then about
``1 + t_round / t_numpy`` plus a fixed cost of about 1.5 µs per operation
(Python dispatch and the kernel call).
"""
import argparse
import timeit

import numpy as np
import pytest

from numprec.cases.lorenz import LorenzParameters, LorenzState, build
from numprec.emulate import Policy

SIZES = (10 ** 4, 10 ** 5)
OPS = {
    "add": lambda a, b: a + b,
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / b,
    "exp": lambda a, b: np.exp(a),
    "sin": lambda a, b: np.sin(a),
    "sum": lambda a, b: a.sum(),
}
ROUNDINGS = ("nearest_even", "stochastic")


def operands(n, policy=None):
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.5, 2.0, n), rng.uniform(0.5, 2.0, n)
    if policy is None:
        return a, b
    return policy.asarray(a), policy.asarray(b)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("op", sorted(OPS))
def test_plain(benchmark, op, n):
    benchmark.group = f"{op} n={n}"
    a, b = operands(n)
    benchmark(OPS[op], a, b)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("op", sorted(OPS))
def test_emulated(benchmark, op, n, rounding, fused):
    benchmark.group = f"{op} n={n}"
    a, b = operands(n, Policy("fp16", rounding=rounding, seed=1, debug_reference=not fused))
    benchmark(OPS[op], a, b)


def l96_case(members=1000):
    model = build(LorenzParameters(system="l96", K=40))
    return model, model.initial_state(members, seed=0, spinup_steps=200)


def l96_emulated(model, state, policy):
    stored = LorenzState(policy.store(state.x), *state[1:])
    return model.prepare(policy, stored), stored


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize("rounding", (None,) + ROUNDINGS)
def test_lorenz96_step(benchmark, rounding, fused):
    benchmark.group = "lorenz96 RK4 step, K=40, 1000 members"
    model, state = l96_case()
    if rounding is None:
        benchmark(model.step, state)
        return
    policy = Policy("fp16", rounding=rounding, seed=1, debug_reference=not fused)
    em, stored = l96_emulated(model, state, policy)
    with policy:
        benchmark(em.step, stored)


def _best(func, number, repeat=7):
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def ratio_table(fused=True, repeat=7):
    """Rows (case, size, plain µs, emulated RN µs, ratio, emulated SR µs, ratio)."""
    rows = []
    for op, f in OPS.items():
        for n in SIZES:
            number = 2000 if n == 10 ** 4 else 200
            a, b = operands(n)
            plain = _best(lambda: f(a, b), number, repeat)
            row = [op, n, plain]
            for rounding in ROUNDINGS:
                ea, eb = operands(n, Policy("fp16", rounding=rounding, seed=1,
                                            debug_reference=not fused))
                t = _best(lambda: f(ea, eb), number, repeat)
                row += [t, t / plain]
            rows.append(row)
    model, state = l96_case()
    plain = _best(lambda: model.step(state), 50, repeat)
    row = ["L96 step (40x1000)", state.x.size, plain]
    for rounding in ROUNDINGS:
        policy = Policy("fp16", rounding=rounding, seed=1, debug_reference=not fused)
        em, stored = l96_emulated(model, state, policy)
        with policy:
            t = _best(lambda: em.step(stored), 50, repeat)
        row += [t, t / plain]
    rows.append(row)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timeit repeats (min is kept)")
    args = parser.parse_args(argv)
    for fused in (True, False):
        print(f"\n{'with' if fused else 'without'} the fused kernels "
              f"(min of {args.repeat} repeats)\n")
        print("| operation | elements | numpy µs | emulated RN µs | ratio | emulated SR µs "
              "| ratio |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for op, n, plain, rn, rrn, sr, rsr in ratio_table(fused, args.repeat):
            print(f"| {op} | {n} | {plain * 1e6:.1f} | {rn * 1e6:.1f} | {rrn:.1f} | "
                  f"{sr * 1e6:.1f} | {rsr:.1f} |")


if __name__ == "__main__":
    main()
