"""numprec issue 8, "no silent wrong answers": emulation must refuse or warn,
never quietly compute something else.

Oracles: the float32 container check against a direct enumeration of each
format's values (written here from the format's parameters, not with
numprec); casting against what plain numpy does with the same float64
values; random_bits against the message of :func:`numprec.round`; scratch
arrays against the documented warning.
"""
import math
import warnings

import numpy as np
import pytest

import numprec
from numprec import emulate
from numprec.emulate import EmulatedArray, EmulationLeakWarning, Policy
from numprec.emulate import rounded_cumsum, rounded_dot, rounded_sum

F = numprec.FloatFormat


# ------------------------------------------------------ float32 containers
def _float32_holds_every_value(e, m, bias=None, subnormals=True):
    """True if float32 holds every finite value of the IEEE-style binary
    format (e exponent bits, m fraction bits), by construction of its
    values: the largest, and the finest-spaced ones of its lowest binade
    (the only places where a format with m <= 23 can fall outside
    float32); for m > 23 the value 1 + 2**-m."""
    bias = 2 ** (e - 1) - 1 if bias is None else bias
    emin, emax = 1 - bias, 2 ** e - 2 - bias
    probes = [math.ldexp(2.0 - 2.0 ** -m, emax),            # max
              math.ldexp(1.0 + 2.0 ** -m, emin),            # spacing of the lowest binade
              math.ldexp(1.0, emin)]
    if subnormals:
        probes.append(math.ldexp(1.0, emin - m))            # smallest subnormal
    if 0 <= emin <= emax or emin <= 0 <= emax:
        probes.append(1.0 + 2.0 ** -m)
    return all(np.isfinite(np.float32(v)) and float(np.float32(v)) == v for v in probes)


def _enumerated_values(e, m, bias, subnormals):
    """Every positive finite value of a small IEEE-style format."""
    emin, emax = 1 - bias, 2 ** e - 2 - bias
    frac = 1.0 + np.arange(2 ** m) / 2.0 ** m
    vals = [np.ldexp(frac, k) for k in range(emin, emax + 1)]
    if subnormals:
        vals.append(np.ldexp(np.arange(1, 2 ** m) / 2.0 ** m, emin))
    return np.concatenate(vals)


WIDE = [("binary64", 11, 52, None, True), ("e11m52", 11, 52, None, True),
        ("e8m30", 8, 30, None, True), ("e8m24", 8, 24, None, True),
        ("e11m10", 11, 10, None, True), ("e9m7", 9, 7, None, True)]
SMALL = [(8, 10, 133, True), (8, 10, 139, True), (8, 10, 140, True), (8, 10, 141, True),
         (8, 10, 141, False), (8, 10, 140, False), (8, 4, 150, True), (8, 4, 100, True),
         (8, 4, 0, True), (8, 4, 1, True), (5, 10, None, True), (8, 7, None, True),
         (4, 3, None, True), (8, 10, 145, False)]


def _check_policy_agrees(fmt, holds):
    if holds:
        p = Policy(fmt, dtype="float32")
        assert p.dtype == np.float32
    else:
        with pytest.raises(ValueError, match=r"compute format .* float32"):
            Policy(fmt, dtype="float32")
        with pytest.raises(ValueError, match=r"storage format .* float32"):
            Policy("fp16", storage=fmt, dtype="float32")
        with pytest.raises(ValueError, match=r"float32"):
            Policy("fp16", dtype="float32", components={"tendencies": fmt})
    Policy(fmt, dtype="float64")          # every format fits float64 containers


@pytest.mark.parametrize("name, e, m, bias, sub", WIDE)
def test_float32_container_refuses_formats_it_cannot_hold(name, e, m, bias, sub):
    holds = _float32_holds_every_value(e, m, bias, sub)
    assert name not in ("binary64", "e11m52", "e8m30", "e8m24") or not holds
    _check_policy_agrees(name, holds)


@pytest.mark.parametrize("e, m, bias, sub", SMALL)
def test_float32_container_check_matches_enumerated_values(e, m, bias, sub):
    b = 2 ** (e - 1) - 1 if bias is None else bias
    if 2 ** e - 2 - b > 1023 or 1 - b - m < -1074:
        pytest.skip("outside float64")
    vals = _enumerated_values(e, m, b, sub)
    held = bool(np.all(np.isfinite(vals.astype(np.float32)))
                and np.array_equal(vals.astype(np.float32).astype(np.float64), vals))
    assert held == _float32_holds_every_value(e, m, b, sub)
    _check_policy_agrees(F(e, m, bias=b, subnormals=sub), held)


def test_float32_container_still_takes_the_formats_it_holds():
    for name in ("fp16", "bf16", "fp32", "e8m23", "e5m2", "float8_e4m3fn", "e4m3"):
        assert Policy(name, dtype="float32").compute.name


def test_float32_container_for_fixed_point_formats():
    # sq12.8: 20 magnitude bits, all held by float32; sq20.20 has the value
    # 2**20 - 2**-20 (40 significant bits), which float32 does not hold
    Policy(numprec.FixedFormat(12, 8), dtype="float32")
    with pytest.raises(ValueError, match="compute format .* float32"):
        Policy(numprec.FixedFormat(20, 20), dtype="float32")
    assert float(np.float32(2.0 ** 20 - 2.0 ** -20)) != 2.0 ** 20 - 2.0 ** -20


def test_float32_container_binary64_no_longer_computes_in_plain_float32():
    # Before: Policy("binary64", dtype="float32") was accepted and computed
    # 1 + 2**-30 as 1.0 without a word.
    with pytest.raises(ValueError, match="'binary64'.*'float32'"):
        Policy("binary64", dtype="float32")


# ----------------------------------------------------------- scratch arrays
def _leaks(thunk):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = thunk()
    return out, [w for w in caught if issubclass(w.category, EmulationLeakWarning)]


def test_assigning_emulated_values_into_a_plain_array_warns_inside_a_policy():
    p = Policy("fp16", seed=0)
    u = p.asarray(np.linspace(0, 1, 6))

    def scratch():
        new = np.zeros(u.shape)
        new[1:-1] = u[1:-1] + u[:-2]
        return new

    with p:
        new, caught = _leaks(scratch)
    assert type(new) is np.ndarray and len(caught) == 1
    assert "emulat" in str(caught[0].message) and caught[0].filename == __file__
    # outside every policy block the same code is the documented escape hatch
    assert _leaks(scratch)[1] == []


@pytest.mark.parametrize("what", ["asarray", "array", "out", "iadd", "setitem-all"])
def test_every_implicit_exit_warns_inside_a_policy(what):
    p = Policy("bf16", rounding="stochastic", seed=1)
    u = p.asarray(np.linspace(1, 2, 5))
    plain = np.zeros(5)
    actions = {"asarray": lambda: np.asarray(u), "array": lambda: np.array(u),
               "out": lambda: np.multiply(u, 3.0, out=plain),
               "iadd": lambda: plain.__iadd__(u),
               "setitem-all": lambda: plain.__setitem__(Ellipsis, u)}
    with p:
        caught = _leaks(actions[what])[1]
    assert len(caught) >= 1


def test_leak_warning_can_be_made_an_error_and_explicit_exits_are_silent():
    p = Policy("fp16", seed=0)
    u = p.asarray(np.linspace(0, 1, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error", EmulationLeakWarning)
        with p:
            with pytest.raises(EmulationLeakWarning):
                np.zeros(4)[...] = u
            emulate.to_numpy(u)
            u.to_numpy()
            u.astype(np.float64)
            float(u[0]), u.tolist(), bool(u[1] > 0)
            z = np.zeros_like(u)                 # emulated scratch arrays stay emulated
            z[1:] = u[1:] * 2.0
            assert isinstance(z, EmulatedArray)
            np.isfinite(u)                       # plain boolean results are no exit
            np.greater(u, 0.5, out=np.zeros(4, bool))


def test_scratch_array_from_zeros_like_matches_the_op_by_op_reference():
    p = Policy("fp16", rounding="stochastic", seed=4)
    a = numprec.round(np.linspace(0.1, 3.3, 9), "fp16")
    u = p.constant(a)
    with p:
        new = np.zeros_like(u)
        new[1:-1] = u[2:] - u[:-2]
    want = np.zeros(9)
    want[1:-1] = numprec.round(a[2:] - a[:-2], "fp16", "stochastic", seed=4, stream=0)
    np.testing.assert_array_equal(new.to_numpy(), want)


# -------------------------------------------------------------- casting
def _numpy_and_emulated(action, values):
    """(plain numpy outcome, emulated outcome) of ``action(x)``: the result
    array or the exception type, with float64 ``values`` in both runs."""
    p = Policy("fp16", seed=2)
    outcomes = []
    for x in (np.array(values, dtype=np.float64), p.constant(values)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", EmulationLeakWarning)
                res = action(x)
            outcomes.append(("result", np.asarray(emulate.to_numpy(res, res.dtype)
                                                  if isinstance(res, EmulatedArray) else res)))
        except Exception as exc:                                   # noqa: BLE001
            outcomes.append(("raised", type(exc)))
    return outcomes


def _iadd(x):
    i = np.arange(3)
    i += x
    return i


def _isub_bool(x):
    b = np.ones(3, bool)
    b -= x
    return b


def _setitem(x):
    i = np.arange(3)
    i[:] = x
    return i


CASTS = {
    "iadd-int": _iadd,
    "isub-bool": _isub_bool,
    "add-out-int": lambda x: np.add(x, x, out=np.zeros(3, np.int64)),
    "add-out-int32-unsafe": lambda x: np.add(x, x, out=np.zeros(3, np.int32), casting="unsafe"),
    "add-out-float32": lambda x: np.add(x, x, out=np.zeros(3, np.float32)),
    "add-out-bool": lambda x: np.add(x, x, out=np.zeros(3, bool)),
    "sub-int-out-int": lambda x: np.subtract(np.arange(3), x, out=np.arange(3)),
    "sqrt-out-int": lambda x: np.sqrt(x, out=np.zeros(3, np.int64)),
    "modf-out-int": lambda x: np.modf(x, out=(np.zeros(3, np.int64), np.zeros(3))),
    "outer-out-int": lambda x: np.multiply.outer(x, x, out=np.zeros((3, 3), np.int64)),
    "np.outer-out-int": lambda x: np.outer(x, x, out=np.zeros((3, 3), np.int64)),
    "clip-out-int": lambda x: np.clip(x, 0, 1, out=np.zeros(3, np.int64)),
    "round-out-int": lambda x: np.round(x, 0, out=np.zeros(3, np.int64)),
    "std-out-int": lambda x: np.std(x, out=np.zeros((), np.int64)),
    "ptp-out-int": lambda x: np.ptp(x, out=np.zeros((), np.int64)),
    "matmul-out-int": lambda x: np.matmul(x, x, out=np.zeros((), np.int64)),
    "dot-out-int": lambda x: np.dot(x.reshape(3, 1), x.reshape(1, 3),
                                    out=np.zeros((3, 3), np.int64)),
    "dot-out-float32": lambda x: np.dot(x.reshape(3, 1), x.reshape(1, 3),
                                        out=np.zeros((3, 3), np.float32)),
    "greater-out-float": lambda x: np.greater(x, 0.6, out=np.zeros(3)),
    # numpy's reductions cast their output unsafely: the same result
    "sum-out-int": lambda x: np.sum(x, out=np.zeros((), np.int64)),
    "mean-out-int": lambda x: np.mean(x, out=np.zeros((), np.int64)),
    "cumsum-out-int": lambda x: np.cumsum(x, out=np.zeros(3, np.int64)),
    "add.reduce-out-int": lambda x: np.add.reduce(x, out=np.zeros((), np.int64)),
    "add.accumulate-out-int": lambda x: np.add.accumulate(x, out=np.zeros(3, np.int64)),
    "max-out-int": lambda x: np.max(x, out=np.zeros((), np.int64)),
    "setitem-int": _setitem,
}


@pytest.mark.parametrize("name", sorted(CASTS))
def test_casting_follows_numpy(name):
    # fp16 values whose sums, products and square roots we compare are exact
    plain, emulated = _numpy_and_emulated(CASTS[name], [0.5, 0.75, 2.25])
    assert plain[0] == emulated[0], (plain, emulated)
    if plain[0] == "raised":
        assert emulated[1] is plain[1]
    else:
        assert emulated[1].dtype == plain[1].dtype
        np.testing.assert_array_equal(emulated[1], plain[1])


def test_failed_cast_takes_no_stream_and_writes_nothing():
    p = Policy("fp16", rounding="stochastic", seed=0)
    x = p.asarray([0.5, 0.7, 0.9])
    used = p.streams_used
    i = np.arange(3)
    with pytest.raises(TypeError):
        i += x
    np.testing.assert_array_equal(i, [0, 1, 2])
    assert p.streams_used == used


# ------------------------------------------------------------ random_bits
def _message(thunk, error):
    with pytest.raises(error) as info:
        thunk()
    return str(info.value)


@pytest.mark.parametrize("rounding, random_bits, error", [
    ("stochastic", 0, ValueError), ("stochastic", 65, ValueError),
    ("stochastic", 2.5, TypeError), ("stochastic", True, TypeError),
    ("nearest_even", 5, ValueError), ("toward_zero", 64, ValueError)])
def test_random_bits_checked_the_same_way_by_every_entry_point(rounding, random_bits, error):
    x = np.array([1.0, 2.0 ** -12, 2.0 ** -13])
    want = _message(lambda: numprec.round(x, "fp16", rounding, seed=1,
                                          random_bits=random_bits), error)
    entries = {
        "rounded_sum": lambda: rounded_sum(x, "fp16", rounding, seed=1,
                                           random_bits=random_bits),
        "rounded_cumsum": lambda: rounded_cumsum(x, "fp16", rounding, seed=1,
                                                 random_bits=random_bits),
        "rounded_dot": lambda: rounded_dot(x, x, "fp16", rounding, seed=1,
                                           random_bits=random_bits),
        "Policy": lambda: Policy("fp16", rounding=rounding, seed=1, random_bits=random_bits),
        "component": lambda: Policy("fp32", rounding=rounding, seed=1, components={
            "t": {"compute": "fp16", "random_bits": random_bits}}),
    }
    for name, thunk in entries.items():
        assert _message(thunk, error) == want, name


def test_reduction_kernel_refuses_random_bits_out_of_range():
    from numprec._kernels.reduce import accumulate_rows, dot_rows, reduce_rows
    spec = numprec.FloatFormat(5, 10).kernel_spec()
    terms = np.ones((2, 3))
    with pytest.raises(ValueError, match="rbits"):
        reduce_rows(terms, np.empty(2), spec, 6, 1, 0, 0, 0, 0, False, 1)
    with pytest.raises(ValueError, match="rbits"):
        accumulate_rows(terms, np.empty((2, 3)), spec, 6, 1, 0, 65, 0, 0, 1)
    with pytest.raises(ValueError, match="rbits"):
        dot_rows(terms, terms.T.copy(), np.empty((2, 2)), spec, 6, 1, 0, 0, 0, 1)


@pytest.mark.parametrize("fmt, rounding", [("binary64", "up"), ("binary64", "odd"),
                                           ("binary64", "nearest_away"), ("e11m51", "nearest_even"),
                                           ("e11m51", "nearest_away")])
def test_formats_the_float64_container_cannot_round_exactly_are_refused(fmt, rounding):
    # binary64 'up' would be float64's nearest result: a wrong answer
    with pytest.raises(ValueError, match="cannot be rounded exactly"):
        Policy(fmt, rounding=rounding, seed=1)
    with pytest.raises(ValueError, match="cannot be rounded exactly"):
        Policy("e11m10", rounding=rounding, seed=1, components={"c": fmt})
    Policy("binary64", seed=1)                   # round-to-nearest even is exact
    Policy("binary64", rounding="stochastic", seed=1)   # documented: sees the container
    Policy("e11m50", rounding=rounding, seed=1)
    Policy("e11m51", rounding="toward_zero", seed=1)    # directed modes: exact to 52 bits
