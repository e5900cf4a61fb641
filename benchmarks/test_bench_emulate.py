"""Cost of emulated arithmetic relative to plain numpy.

Two ways to run it:

* ``python -m pytest benchmarks/test_bench_emulate.py --benchmark-min-rounds=20``:
  pytest-benchmark tables, one group per operation and size (plain numpy
  and emulated side by side);
* ``python benchmarks/test_bench_emulate.py``: the ratio table of
  docs/performance-emulate.md (best of several timeit repeats, emulated time /
  plain numpy time, 10**4 and 10**5 elements, and one Lorenz 96 ensemble
  RK4 step).

The emulated operation is the numpy operation plus one pass of the rounding
kernel over the result (plus well under a microsecond of Python), so the
ratio is about ``1 + t_round / t_numpy``: large for cheap operations (add,
multiply: numpy streams at memory speed) and small for expensive ones (exp,
sin).
"""
import timeit

import numpy as np
import pytest

from numprec.cases.lorenz import Lorenz96, initial_conditions
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


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("op", sorted(OPS))
def test_emulated(benchmark, op, n, rounding):
    benchmark.group = f"{op} n={n}"
    a, b = operands(n, Policy("fp16", rounding=rounding, seed=1))
    benchmark(OPS[op], a, b)


def l96_case(members=1000):
    system = Lorenz96()
    state = initial_conditions(system, members, seed=0, spinup=1.0)
    return system, state


@pytest.mark.parametrize("rounding", (None,) + ROUNDINGS)
def test_lorenz96_step(benchmark, rounding):
    benchmark.group = "lorenz96 RK4 step, K=40, 1000 members"
    system, state = l96_case()
    if rounding is not None:
        state = Policy("fp16", rounding=rounding, seed=1).asarray(state)
    benchmark(system.step, state, 0.005)


def _best(func, number, repeat=7):
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def ratio_table():
    """Rows (case, size, plain µs, emulated RN µs, ratio, emulated SR µs, ratio)."""
    rows = []
    for op, f in OPS.items():
        for n in SIZES:
            number = 2000 if n == 10 ** 4 else 200
            a, b = operands(n)
            plain = _best(lambda: f(a, b), number)
            row = [op, n, plain]
            for rounding in ROUNDINGS:
                ea, eb = operands(n, Policy("fp16", rounding=rounding, seed=1))
                t = _best(lambda: f(ea, eb), number)
                row += [t, t / plain]
            rows.append(row)
    system, state = l96_case()
    plain = _best(lambda: system.step(state, 0.005), 50)
    row = ["L96 step (40x1000)", state.size, plain]
    for rounding in ROUNDINGS:
        es = Policy("fp16", rounding=rounding, seed=1).asarray(state)
        t = _best(lambda: system.step(es, 0.005), 50)
        row += [t, t / plain]
    rows.append(row)
    return rows


def main():
    print("| operation | elements | numpy µs | emulated RN µs | ratio | emulated SR µs | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for op, n, plain, rn, rrn, sr, rsr in ratio_table():
        print(f"| {op} | {n} | {plain * 1e6:.1f} | {rn * 1e6:.1f} | {rrn:.1f} | "
              f"{sr * 1e6:.1f} | {rsr:.1f} |")


if __name__ == "__main__":
    main()
