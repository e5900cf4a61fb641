"""The precision search on synthetic cases whose answer is known by construction.

The toy model's output is ``s(t) = t + A + B`` with ``A = (1 + da) - 1``
computed in component "a" and ``B = (1 + db) - 1`` in component "b".  With
``da = 2**-9`` the sum ``1 + da`` is exact with >= 9 mantissa bits; with 8
it is a tie that round-to-nearest-even rounds to 1 (A = 0), with fewer it
rounds to 1 too; stochastic rounding gives 1 or 1 + 2**-8 at random.  Every
member starts from the same state, so the double-precision baseline is
identical to the reference (baseline W1 = 0) and "indistinguishable" means
"bit-identical output": component "a" needs exactly 9 bits, "b" (``db =
2**-4``) exactly 4.
"""
import json

import numpy as np
import pytest
from search_toy_case import TOY
from numprec.analysis import SignificantBitsRule, VerdictRule, ddmin, precision_search
from numprec.cases.ensemble import StaleResultError
from numprec.emulate import Policy




def _bits(result):
    t = result.table
    return {str(c): int(b) for c, b in zip(t["component"].values, t["bits"].values)}


def test_term_rounding_oracle():
    # the construction, checked with numprec.round directly: 1 + 2**-9 needs 9 bits
    import numprec
    for m, want in ((9, 1 + 2.0 ** -9), (8, 1.0), (7, 1.0)):
        assert numprec.round(1 + 2.0 ** -9, f"e8m{m}") == want


def test_search_finds_the_bits_by_construction(tmp_path):
    result = precision_search(TOY, components=["a", "b"], bits="2:12", members=2,
                              roundings=("nearest_even", "stochastic"), output=tmp_path)
    t = result.table
    assert _bits(result) == {"a": 9, "b": 4}
    assert list(t["alone_bits"].values) == [9, 4]
    assert list(t["rounding"].values) == ["nearest_even", "nearest_even"]
    assert result.raised == []
    # stochastic rounding was tried below the threshold (RN failed there) and failed too
    sr = [c for c in result.checks if c["label"].startswith("e8m8 stochastic")]
    assert sr and not sr[0]["passed"]
    # the policy found, rerun from its JSON config, gives the reference's bits
    config = json.loads(json.dumps(result.config))
    policy = Policy.from_config(config)
    assert policy.component("a").compute.mantissa_bits == 9
    assert policy.component("b").compute.mantissa_bits == 4
    rerun = TOY.run({}, policy, members=1, ic_seed=0)
    np.testing.assert_array_equal(rerun["s"].values, TOY.run({}, None, members=1, ic_seed=0)["s"])
    saved = json.loads((tmp_path / "policy.json").read_text())
    assert saved == config
    assert "a" in (tmp_path / "search.txt").read_text()
    fig = result.plot(tmp_path / "search.png")
    assert (tmp_path / "search.png").stat().st_size > 0
    assert len(fig.axes[0].lines) == 4 + 1          # a/b x RN/SR, and the zero line


def test_resume_reuses_checks_and_refuses_changed_parameters(tmp_path):
    first = precision_search(TOY, components=["b"], bits="2:6", members=2,
                             roundings="nearest_even", output=tmp_path)
    assert not any(c["reused"] for c in first.checks)
    again = precision_search(TOY, components=["b"], bits="2:6", members=2,
                             roundings="nearest_even", output=tmp_path)
    assert [c["reused"] for c in again.checks] == [True] * len(first.checks)
    assert _bits(again) == _bits(first) == {"b": 4}
    with pytest.raises(StaleResultError, match="steps"):
        precision_search(TOY, {"steps": 5}, components=["b"], bits="2:6", members=2,
                         roundings="nearest_even", output=tmp_path)


def test_combination_fails_and_delta_debugging_raises_one_component():
    # both terms need 9 bits to be exact; each alone is off by 2**-9 at any fewer
    # bits, within the tolerance 1.5 * 2**-9 of "minor"; together they are off by
    # 2**-8 > tolerance.  ddmin finds {a, b}; raising "a" step by step to 9 bits
    # (exact) fixes the combination, "b" stays at the lowest candidate.
    params = {"da": 2.0 ** -9, "db": 2.0 ** -9}
    result = precision_search(TOY, params, bits="2:10", members=2, roundings="nearest_even",
                              rule="minor", tolerance=1.5 * 2.0 ** -9)
    assert list(result.table["alone_bits"].values) == [2, 2]
    assert _bits(result) == {"a": 9, "b": 2}
    assert result.raised[0] == {"minimal_failing_set": ["a", "b"], "raised": "a"}
    assert len(result.raised) == 7                       # a: 2 -> 9
    stages = {c["stage"] for c in result.checks}
    assert stages == {"alone", "combined", "ddmin"}


def test_component_that_never_passes_stays_double():
    result = precision_search(TOY, {"da": 2.0 ** -20}, components=["a"], bits="2:10",
                              members=2, roundings="nearest_even")
    assert int(result.table["alone_bits"][0]) == -1
    assert result.config["components"] == {}


def test_significant_bits_rule():
    # relative error of s = t + A + B at t=0 (s = A + B) is what limits the bits:
    # with the exact terms every member agrees with double (64 bits)
    result = precision_search(TOY, components=["b"], bits="2:6", members=3,
                              roundings="nearest_even", rule=SignificantBitsRule(30))
    assert _bits(result) == {"b": 4}
    assert all("significant_bits" in c["detail"] for c in result.checks)


def test_ddmin_finds_a_one_minimal_failing_set():
    # fails iff both 3 and 6 are in the set
    calls = []

    def fails(sel):
        calls.append(tuple(sel))
        return 3 in sel and 6 in sel
    assert ddmin(list(range(8)), fails) == [3, 6]
    assert ddmin([1, 2], lambda s: 1 in s) == [1]


@pytest.mark.parametrize("kwargs, match", [
    ({"components": ["c"]}, "'c' is not a component of case 'toy_search'"),
    ({"components": []}, "components: the list is empty"),
    ({"bits": []}, "candidate list is empty"),
    ({"bits": "2-9"}, "bits must look like"),
    ({"bits": [0, 3]}, "mantissa bits in 1..52"),
    ({"rule": "close"}, "rule must be 'indistinguishable', 'minor'"),
    ({"rule": "minor"}, "needs a tolerance"),
    ({"roundings": ["nearest"]}, "rounding 'nearest' is not registered"),
    ({"exponent_bits": 12}, "exponent_bits must be an integer in 2..11"),
    ({"rule": SignificantBitsRule(10), "reference_members": 3}, "pairs members"),
    ({"rule": SignificantBitsRule(10, method="bernoulli")}, "needs members >= 29"),
])
def test_bad_input_is_refused_before_running(kwargs, match):
    with pytest.raises(ValueError, match=match):
        precision_search(TOY, **{"members": 2, **kwargs})


def test_rule_objects_check_their_arguments():
    with pytest.raises(ValueError, match="accept"):
        VerdictRule("distinguishable")
    with pytest.raises(ValueError, match="bits must be a number"):
        SignificantBitsRule(0)
