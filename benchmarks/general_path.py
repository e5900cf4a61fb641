"""Rounding outside the normal-range fast path (the general kernel path), one
thread, against np.copyto in the same run:

    python benchmarks/general_path.py
"""
import numpy as np, numprec, timeit
rng = np.random.default_rng(0)
n = 1 << 22
cases = {"fp16 subnormal-heavy": ("binary16", rng.standard_normal(n) * 1e-6),
         "bf16 normal": ("bfloat16", rng.standard_normal(n)),
         "e11m10 wide-range": ("e11m10", np.ldexp(rng.random(n) + 1, rng.integers(-1074, 1000, n)))}
numprec.set_num_threads(1)
for name, (fmt, x) in cases.items():
    out = np.empty_like(x)
    for mode in ["nearest_even", "stochastic"]:
        t = min(timeit.repeat(lambda: numprec.round(x, fmt, mode, out=out, seed=1), number=3, repeat=5)) / 3
        c = min(timeit.repeat(lambda: np.copyto(out, x), number=3, repeat=5)) / 3
        print(f"{name:24s} {mode:14s} {t*1e3:7.2f} ms  copyto {c*1e3:6.2f} ms  ratio {t/c:5.2f}")
