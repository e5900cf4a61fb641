"""Emulated matrix products against numpy's matmul, in one run.

    python benchmarks/matmul.py [--repeat 7] [--threads N]

For each shape and rounding: the minimum over ``--repeat`` runs of an
emulated ``a @ b`` (e11m10 values, float64 containers, the policy's default
sequential summation) and of numpy's ``a @ b`` on the same values, and their
ratio.  Prints a Markdown table (the one in docs/performance.md).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from numprec.emulate import Policy
from numprec.rounding.threads import set_num_threads

SHAPES = [((24, 31), (31, 100)), ((64, 64), (64, 64)), ((256, 256), (256, 256))]


def best(f, repeat):
    f()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)
    if args.threads is not None:
        set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print("| shape | rounding | emulated | numpy | ratio |")
    print("|---|---|---|---|---|")
    for sa, sb in SHAPES:
        for rounding in ["nearest_even", "stochastic"]:
            p = Policy("e11m10", rounding=rounding, seed=1)
            a, b = p.asarray(rng.standard_normal(sa)), p.asarray(rng.standard_normal(sb))
            na, nb = a.to_numpy(), b.to_numpy()
            te = best(lambda: a @ b, args.repeat)
            tn = best(lambda: na @ nb, max(args.repeat, 20))
            print(f"| {sa}@{sb} | {rounding} | {te * 1e3:.3f} ms | {tn * 1e3:.4f} ms "
                  f"| {te / tn:.1f}x |")


if __name__ == "__main__":
    main()
