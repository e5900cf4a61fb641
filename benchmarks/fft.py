"""Emulated rfft + irfft against numpy.fft.

Run: ``python benchmarks/fft.py [--shape 8 48 96] [--format e11m10] [--repeat 20]``

Prints the time of ``np.fft.irfft(np.fft.rfft(x), n)`` along the last axis
for plain float64 numpy and for emulated arrays (round to nearest and
stochastic rounding), the minimum over repeats of the wall-clock time and of
the process CPU time (steadier on a loaded machine), and the ratios.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from numprec import emulate


def best_times(fns, repeat, clock):
    """Minimum time of each function by ``clock``; the functions are timed in
    turn, one call each per round, so that a changing machine load affects
    them alike."""
    for fn in fns.values():
        fn()
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = clock()
            fn()
            best[name] = min(best[name], clock() - t0)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", type=int, nargs="+", default=[8, 48, 96])
    ap.add_argument("--format", default="e11m10")
    ap.add_argument("--dtype", default="float64")
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args(argv)
    x = np.random.default_rng(0).standard_normal(args.shape)
    n = x.shape[-1]
    fns = {"numpy": lambda: np.fft.irfft(np.fft.rfft(x), n)}
    for rounding in ("nearest_even", "stochastic"):
        pol = emulate.Policy(args.format, rounding=rounding, seed=1, dtype=args.dtype)
        xe = pol.asarray(x)
        fns[rounding] = lambda xe=xe: np.fft.irfft(np.fft.rfft(xe), n)
    print(f"shape {tuple(args.shape)}, last axis, {args.format}, {args.dtype} containers, "
          f"min of {args.repeat}")
    for label, clock in (("wall", time.perf_counter), ("cpu", time.process_time)):
        best = best_times(fns, args.repeat, clock)
        line = f"{label:4s}  numpy {best['numpy'] * 1e6:7.1f} us"
        for rounding in ("nearest_even", "stochastic"):
            line += (f" | {rounding} {best[rounding] * 1e6:8.1f} us = "
                     f"{best[rounding] / best['numpy']:5.1f}x")
        print(line)


if __name__ == "__main__":
    main()
