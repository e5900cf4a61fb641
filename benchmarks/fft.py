"""Emulated rfft + irfft against numpy.fft.

Run: ``python benchmarks/fft.py [--shape 8 48 96] [--format e11m10] [--repeat 20]``

Prints the time of ``np.fft.irfft(np.fft.rfft(x), n)`` along the last axis
for plain float64 numpy and for emulated arrays (float64 containers, round to
nearest and stochastic rounding), the minimum over repeats, and the ratio.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from numprec import emulate


def best_time(fn, repeat):
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", type=int, nargs="+", default=[8, 48, 96])
    ap.add_argument("--format", default="e11m10")
    ap.add_argument("--dtype", default="float64")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args(argv)
    x = np.random.default_rng(0).standard_normal(args.shape)
    n = x.shape[-1]
    t_np = best_time(lambda: np.fft.irfft(np.fft.rfft(x), n), args.repeat)
    print(f"shape {tuple(args.shape)}, last axis, {args.format}, {args.dtype} containers")
    print(f"numpy.fft rfft+irfft: {t_np * 1e6:9.1f} us")
    for rounding in ("nearest_even", "stochastic"):
        pol = emulate.Policy(args.format, rounding=rounding, seed=1, dtype=args.dtype)
        xe = pol.asarray(x)
        t = best_time(lambda: np.fft.irfft(np.fft.rfft(xe), n), args.repeat)
        print(f"emulated {rounding:13s}: {t * 1e6:9.1f} us   ratio {t / t_np:6.1f}x")


if __name__ == "__main__":
    main()
