"""numprec.round against the memory-bandwidth limit and the peers.

Run: python -m pytest benchmarks/test_bench_round.py --benchmark-min-rounds=5
(needs the bench extra: pip install -e ".[bench]").
"""
import numpy as np
import pytest

import numprec

FORMATS = ["binary16", "bfloat16", "e5m7"]
MODES = ["nearest_even", "stochastic"]


def test_copy(benchmark, data, record):
    name, x = data
    out = np.empty_like(x)
    benchmark(np.copyto, out, x)
    record(name, "np.copyto", x.size)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_numprec(benchmark, data, record, fmt, mode):
    name, x = data
    out = np.empty_like(x)
    benchmark(numprec.round, x, fmt, mode, seed=1, out=out)
    record(name, f"numprec {fmt} {mode}", x.size)


@pytest.mark.parametrize("mode", MODES)
def test_numprec_one_thread(benchmark, data, record, mode):
    name, x = data
    out = np.empty_like(x)
    threads = numprec.get_num_threads()
    numprec.set_num_threads(1)
    try:
        benchmark(numprec.round, x, "binary16", mode, seed=1, out=out)
    finally:
        numprec.set_num_threads(threads)
    record(name, f"numprec binary16 {mode} (1 thread)", x.size)


def test_numpy_float16_cast(benchmark, data, record):
    name, x = data
    with np.errstate(over="ignore"):
        benchmark(lambda: x.astype(np.float16).astype(np.float64))
    record(name, "numpy float16 cast (RN)", x.size)


@pytest.mark.parametrize("dtype", ["bfloat16", "float8_e4m3fn"])
def test_ml_dtypes_cast(benchmark, data, record, dtype):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    name, x = data
    t = getattr(ml_dtypes, dtype)
    benchmark(lambda: x.astype(t).astype(np.float64))
    record(name, f"ml_dtypes {dtype} cast", x.size)


@pytest.mark.parametrize("rmode,label", [(1, "RN"), (5, "SR")])
def test_pychop(benchmark, data, record, rmode, label):
    pychop = pytest.importorskip("pychop")
    name, x = data
    sample = x[: 10 ** 6]          # pychop is slow: time 1e6 and report per element
    chop = pychop.Chop(5, 10, rmode=rmode)
    benchmark.pedantic(chop, args=(sample,), rounds=2, iterations=1)
    record(name, f"pychop fp16 {label}", sample.size)
