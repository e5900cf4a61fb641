"""Benchmark data and the throughput table printed after a run.

Every benchmark times one pass over the same 10**7 float64 values; the table
reports million elements per second and the ratio to np.copyto of the same
array measured in the same run (the memory-bandwidth limit).
"""
import numpy as np
import pytest

N = 10 ** 7
_results = {}


def hard_mix(n=N, seed=0):
    """N(0,1) * 2**k with k uniform in -30..20: for binary16 about a third
    subnormal, an eighth rounds to zero, 7% overflow (shared/peers.md)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n) * np.exp2(rng.integers(-30, 21, n)).astype(np.float64)


def easy(n=N, seed=0):
    return np.random.default_rng(seed).standard_normal(n)


DATASETS = {"hard": hard_mix, "easy": easy}
_cache = {}


@pytest.fixture(params=list(DATASETS), scope="session")
def data(request):
    name = request.param
    if name not in _cache:
        _cache[name] = DATASETS[name]()
    return name, _cache[name]


@pytest.fixture
def record(benchmark):
    """record(dataset, method, n) after benchmark(...) to add a table row."""
    def _record(dataset, method, n, scale=1.0):
        best = benchmark.stats.stats.min * scale
        _results[(dataset, method)] = n / best
    return _record


def pytest_terminal_summary(terminalreporter):
    if not _results:
        return
    tr = terminalreporter
    tr.section("throughput (million elements/s, ratio to np.copyto in this run)")
    datasets = sorted({d for d, _ in _results})
    methods = sorted({m for _, m in _results}, key=lambda m: (m != "np.copyto", m))
    tr.write_line("| method | " + " | ".join(datasets) + " |")
    tr.write_line("|---" * (len(datasets) + 1) + "|")
    for method in methods:
        cells = []
        for d in datasets:
            rate = _results.get((d, method))
            copy = _results.get((d, "np.copyto"))
            if rate is None:
                cells.append("")
            elif copy:
                cells.append(f"{rate / 1e6:.0f} ({rate / copy:.3f})")
            else:
                cells.append(f"{rate / 1e6:.0f}")
        tr.write_line(f"| {method} | " + " | ".join(cells) + " |")
