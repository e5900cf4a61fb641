"""The number-statistics logbook against a direct numpy computation of the same results."""
import numpy as np
import pytest

import numprec
from numprec.analysis import logbook, scaling_advice
from numprec.analysis.logbook import OUTSIDE
from numprec.emulate import Policy, to_numpy


def _values(rng, n, lo, hi):
    return np.sign(rng.standard_normal(n)) * 2.0 ** rng.uniform(lo, hi, n)


def _entry(table, component, operation):
    sel = (table["component"].values == component) & (table["operation"].values == operation)
    assert sel.sum() == 1
    return table.isel(entry=int(np.flatnonzero(sel)[0]))


def _histogram(r):
    r = r[np.isfinite(r) & (r != 0)]
    e = np.frexp(r)[1] - 1
    return dict(zip(*np.unique(e, return_counts=True)))


def test_counts_and_histograms_match_an_op_by_op_reference():
    rng = np.random.default_rng(4)
    n = 4000
    xv, yv = _values(rng, n, -20, 12), _values(rng, n, -20, 12)
    wv = _values(rng, n, -30, 14)
    wv[:50] = 0.0
    with logbook(Policy("binary16", seed=1)) as log:
        x, y, w = (log.policy.asarray(v) for v in (xv, yv, wv))
        a = x * y
        s = a + w
    # the oracle: numprec.round of each exact float64 operation, one at a time
    rx, ry, rw = (numprec.round(v, "binary16") for v in (xv, yv, wv))
    prod = rx * ry                                   # exact in float64 (11-bit operands)
    ra = numprec.round(prod, "binary16")
    np.testing.assert_array_equal(to_numpy(a), ra)
    total = ra + rw
    rs = numprec.round(total, "binary16")
    np.testing.assert_array_equal(to_numpy(s), rs)

    t = log.table()
    for op, exact, r in (("multiply", prod, ra), ("add", total, rs)):
        e = _entry(t, OUTSIDE, op)
        got = {int(k): int(v) for k, v in zip(t["exponent"].values, e["histogram"].values) if v}
        assert got == {int(k): int(v) for k, v in _histogram(r).items()}
        finite = np.isfinite(r)
        assert int(e["results"]) == n
        assert int(e["nonfinite"]) == np.count_nonzero(~finite)
        assert int(e["subnormal"]) == np.count_nonzero(finite & (r != 0) & (np.abs(r) < 2.0 ** -14))
        # overflow: a finite exact result beyond binary16's largest value
        assert int(e["overflow"]) == np.count_nonzero(np.isfinite(exact) & (np.abs(exact) > 65504))
        assert int(e["to_zero"]) == np.count_nonzero((exact != 0) & (r == 0))
        ok = finite & (exact != 0)
        assert float(e["max_relative_error"]) == np.max(np.abs(r[ok] - exact[ok]) / np.abs(exact[ok]))
    stag = ((rs == ra) & (rw != 0) | (rs == rw) & (ra != 0)) & np.isfinite(rs)
    assert int(_entry(t, OUTSIDE, "add")["stagnation"]) == np.count_nonzero(stag)
    # the data exercise every counter
    e = _entry(t, OUTSIDE, "multiply")
    assert min(int(e[k]) for k in ("subnormal", "overflow", "to_zero", "nonfinite")) > 0
    assert int(_entry(t, OUTSIDE, "add")["stagnation"]) > 0


def test_results_are_bit_identical_with_the_logbook_on_and_off():
    case = numprec.get_case("lorenz")
    params = {"time": 0.5, "spinup": 0.1, "ic_spinup": 0.1}
    policy = Policy("e8m10", rounding="stochastic", seed=3)
    off = case.run(params, policy, members=2, ic_seed=1)
    log = logbook(Policy("e8m10", rounding="stochastic", seed=3), case.components)
    on = case.run(params, log.policy, members=2, ic_seed=1)
    for name in off.data_vars:
        np.testing.assert_array_equal(on[name].values, off[name].values)
    t = log.table()
    assert set(t["component"].values) >= {"tendencies", "time_stepping"}
    assert int(t["results"].sum()) > 0
    assert log.to_text().splitlines()[0].startswith("component")


def test_underflow_advice_names_the_component_below_the_normal_range():
    log = logbook(Policy("binary64", seed=0), ["small", "big"])
    p = log.policy
    with p:
        with p.component("small"):
            tiny = p.asarray(np.array([1e-3, 2.0 ** -20])) * 0.5     # 2**-21 < 2**-14
        with p.component("big"):
            p.asarray(np.array([3.0, 1e5])) * 1.0                    # 1e5 > 65504
    advice = log.underflow_advice("binary16")
    small = advice.sel(component="small")
    big = advice.sel(component="big")
    assert int(small["below_normal"]) == 1 and not bool(small["flush_to_zero_safe"])
    assert int(big["above_max"]) == 1 and bool(big["flush_to_zero_safe"])
    assert to_numpy(tiny)[1] == 2.0 ** -21


def test_scaling_advice_centres_the_range_in_float16():
    # exponents -30 .. -20: centre -25; binary16 normal exponents -14 .. 15: centre 0.5
    data = {"q": np.array([2.0 ** -30, -2.0 ** -25, 1.5 * 2.0 ** -20, 0.0])}
    advice = scaling_advice(data, "binary16")
    row = advice.sel(variable="q")
    assert int(row["exponent_min"]) == -30 and int(row["exponent_max"]) == -20
    assert int(row["scale_exponent"]) == 26          # round(25.5), ties to even
    assert bool(row["fits"])
    assert float(row["subnormal_fraction"]) == 1.0
    assert float(row["scaled_subnormal_fraction"]) == 0.0


def test_bad_input():
    with pytest.raises(TypeError, match="policy must be a numprec.emulate.Policy"):
        logbook("binary16")
    with pytest.raises(ValueError, match="no variable 'v'"):
        scaling_advice({"q": np.ones(3)}, variables=["v"])
    with pytest.raises(ValueError, match="no finite nonzero value"):
        scaling_advice({"q": np.zeros(3)})
