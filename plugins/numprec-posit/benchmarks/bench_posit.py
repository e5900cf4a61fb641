"""Throughput of posit16 rounding on 10**7 values (pytest-benchmark).

    pytest plugins/numprec-posit/benchmarks/bench_posit.py --benchmark-only

Compare each line with ``test_copyto`` of the same run (the memory
bandwidth limit).  SoftPosit converts one value per Python call, so it is
timed on 20 000 values; its time per value scales linearly to 10**7.
"""
import numpy as np
import pytest

import numprec

N = 10 ** 7


@pytest.fixture(scope="module")
def data():
    x = np.random.default_rng(0).normal(size=N)
    return x, np.empty_like(x)


def test_copyto(benchmark, data):
    x, out = data
    benchmark(np.copyto, out, x)


@pytest.mark.parametrize("rounding", ["nearest_even", "stochastic"])
def test_posit16(benchmark, data, rounding):
    x, out = data
    benchmark(numprec.round, x, "posit16", rounding, seed=1, out=out)


def test_posit32_nearest(benchmark, data):
    x, out = data
    benchmark(numprec.round, x, "posit32", out=out)


def test_softposit_loop_20000(benchmark, data):
    softposit = pytest.importorskip("softposit")
    sample = data[0][:20_000].tolist()
    benchmark(lambda: [softposit.convertPX2ToDouble(softposit.convertDoubleToPX2(v, 16))
                       for v in sample])
