"""Throughput of MXFP4 / NVFP4 / MXFP8 quantisation on 10**7 values
(pytest-benchmark), as a (9765, 1024) array with blocks along the last axis.

    pytest plugins/numprec-mx/benchmarks/bench_mx.py --benchmark-only

Compare each line with ``test_copyto`` of the same run.
"""
import numpy as np
import pytest

import numprec

SHAPE = (9765, 1024)          # ~10**7 values; 1024 = 32 blocks of 32 = 64 of 16


@pytest.fixture(scope="module")
def data():
    x = np.random.default_rng(0).normal(size=SHAPE)
    return x, np.empty_like(x)


def test_copyto(benchmark, data):
    x, out = data
    benchmark(np.copyto, out, x)


@pytest.mark.parametrize("name", ["mxfp4", "nvfp4", "mxfp8_e4m3", "nvfp4_rht16"])
def test_round(benchmark, data, name):
    x, out = data
    benchmark(numprec.round, x, name, out=out)


def test_mxfp4_stochastic(benchmark, data):
    x, out = data
    benchmark(numprec.round, x, "mxfp4", "stochastic", seed=1, out=out)


def test_mxfp4_axis0(benchmark, data):
    x, out = data
    benchmark(numprec.round, x, numprec.get_format("mxfp4").with_axis(0), out=out)
