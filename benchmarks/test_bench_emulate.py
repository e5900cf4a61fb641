"""Cost of emulated arithmetic relative to plain numpy.

Two ways to run it:

* ``python -m pytest benchmarks/test_bench_emulate.py --benchmark-min-rounds=20``:
  pytest-benchmark tables, one group per operation and size (plain numpy
  and emulated side by side, with and without the fused kernels);
* ``python benchmarks/test_bench_emulate.py``: the tables of
  docs/performance-emulate.md: emulated time / plain numpy time at 10**4
  and 10**5 elements and for one Lorenz 96 ensemble RK4 step, with the
  fused kernels (the default) and without them (``engine.FUSED = False``:
  numpy's operation, then the generic rounding kernel), and one model year
  (17520 steps) of the soil heat model.  Every time is the minimum over
  several timeit repeats (``--repeat``), which filters out the other
  processes sharing the machine.

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

from numprec.cases.heat_model import HeatModel
from numprec.cases.lorenz import Lorenz96, initial_conditions
from numprec.emulate import Policy
from numprec.emulate import engine

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
def test_emulated(benchmark, op, n, rounding, fused, monkeypatch):
    monkeypatch.setattr(engine, "FUSED", fused)
    benchmark.group = f"{op} n={n}"
    a, b = operands(n, Policy("fp16", rounding=rounding, seed=1))
    benchmark(OPS[op], a, b)


def l96_case(members=1000):
    system = Lorenz96()
    state = initial_conditions(system, members, seed=0, spinup=1.0)
    return system, state


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize("rounding", (None,) + ROUNDINGS)
def test_lorenz96_step(benchmark, rounding, fused, monkeypatch):
    monkeypatch.setattr(engine, "FUSED", fused)
    benchmark.group = "lorenz96 RK4 step, K=40, 1000 members"
    system, state = l96_case()
    if rounding is not None:
        state = Policy("fp16", rounding=rounding, seed=1).asarray(state)
    benchmark(system.step, state, 0.005)


def _best(func, number, repeat=7):
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def ratio_table(fused=True, repeat=7):
    """Rows (case, size, plain µs, emulated RN µs, ratio, emulated SR µs, ratio)."""
    saved = engine.FUSED
    engine.FUSED = fused
    try:
        rows = []
        for op, f in OPS.items():
            for n in SIZES:
                number = 2000 if n == 10 ** 4 else 200
                a, b = operands(n)
                plain = _best(lambda: f(a, b), number, repeat)
                row = [op, n, plain]
                for rounding in ROUNDINGS:
                    ea, eb = operands(n, Policy("fp16", rounding=rounding, seed=1))
                    t = _best(lambda: f(ea, eb), number, repeat)
                    row += [t, t / plain]
                rows.append(row)
        system, state = l96_case()
        plain = _best(lambda: system.step(state, 0.005), 50, repeat)
        row = ["L96 step (40x1000)", state.size, plain]
        for rounding in ROUNDINGS:
            es = Policy("fp16", rounding=rounding, seed=1).asarray(state)
            t = _best(lambda: system.step(es, 0.005), 50, repeat)
            row += [t, t / plain]
        rows.append(row)
    finally:
        engine.FUSED = saved
    return rows


def heat_year(fmt=None, rounding="nearest_even", fused=True, steps=17520):
    """Seconds for ``steps`` steps of the soil heat model (one model year at
    dt = 1800 s), emulated in ``fmt`` as numprec.cases.heat.simulate runs it,
    or plain float64 numpy for ``fmt=None``."""
    saved = engine.FUSED
    engine.FUSED = fused
    try:
        model = HeatModel()
        if fmt is None:
            state = model.initial_state()
            t0 = timeit.default_timer()
            for _ in range(steps):
                state = model.step(state)
            return timeit.default_timer() - t0
        policy = Policy(fmt, rounding=rounding, seed=0)
        emulated = model.map_constants(policy.constant)
        state = emulated.to_internal(policy.store(np.full(model.nz, model.params.T_initial)))
        with policy:
            t0 = timeit.default_timer()
            for _ in range(steps):
                state = emulated.step(state)
            return timeit.default_timer() - t0
    finally:
        engine.FUSED = saved


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
    repeat = max(1, args.repeat // 2)
    print(f"\nHeat model, one year (17520 steps, 60 nodes), min of {repeat} runs\n")
    print("| run | fused s | unfused s |")
    print("|---|---:|---:|")
    print(f"| float64 numpy | {min(heat_year() for _ in range(repeat)):.3f} | |")
    for rounding in ROUNDINGS:
        t = [min(heat_year("fp16", rounding, fused) for _ in range(repeat))
             for fused in (True, False)]
        print(f"| fp16 {rounding} | {t[0]:.3f} | {t[1]:.3f} |")


if __name__ == "__main__":
    main()
