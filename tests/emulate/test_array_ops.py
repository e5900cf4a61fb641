"""Emulated arrays: every operation is numprec.round of the exact result.

Oracle: plain numpy on the values followed by ``numprec.round`` with the
stream number the documented policy counter gives (one stream per rounding
operation, counted from 0), constants rounded to nearest-even.  numprec.round
itself is checked against MPFR in tests/rounding.
"""
import numpy as np
import pytest

import numprec
from numprec import emulate
from numprec.emulate import EmulatedArray, Policy

RNG = np.random.default_rng(2024)


def values(fmt, n=200, scale=10.0):
    return numprec.round(RNG.normal(scale=scale, size=n), fmt)


def R(x, fmt, rounding, seed, stream):
    return numprec.round(np.asarray(x, dtype=np.float64), fmt, rounding, seed=seed, stream=stream)


@pytest.mark.parametrize("fmt", ["fp16", "bf16", "e11m8", "float8_e4m3fn"])
@pytest.mark.parametrize("rounding", ["nearest_even", "toward_zero", "stochastic"])
def test_binary_ufuncs_round_once_with_consecutive_streams(fmt, rounding):
    a, b = values(fmt), values(fmt)
    b[b == 0] = 1.0
    p = Policy(fmt, rounding=rounding, seed=7)
    ea, eb = p.constant(a), p.constant(b)         # constants take no stream
    results = [ea + eb, ea - eb, ea * eb, ea / eb, np.hypot(ea, eb)]
    exact = [a + b, a - b, a * b, a / b, np.hypot(a, b)]
    for k, (got, want) in enumerate(zip(results, exact)):
        assert isinstance(got, EmulatedArray)
        np.testing.assert_array_equal(emulate.to_numpy(got), R(want, fmt, rounding, 7, k))
    assert p.streams_used == len(exact)


@pytest.mark.parametrize("func", [np.sqrt, np.exp, np.log, np.sin, np.tanh, np.square,
                                  np.reciprocal, np.floor])
def test_unary_ufuncs(func):
    a = numprec.round(np.abs(RNG.normal(scale=2.0, size=200)) + 0.5, "bf16")
    p = Policy("bf16", rounding="stochastic", seed=3)
    got = func(p.constant(a))
    np.testing.assert_array_equal(got.to_numpy(), R(func(a), "bf16", "stochastic", 3, 0))


def test_scalar_constants_are_rounded_to_nearest_on_entry():
    p = Policy("e5m2", rounding="toward_zero", seed=0)
    x = p.constant(np.array([1.0, 2.0, 3.0]))
    # 1.1 is not an e5m2 value: it enters as RN(1.1) = 1.0, not RZ or SR.
    got = x * 1.1
    np.testing.assert_array_equal(got.to_numpy(), [1.0, 2.0, 3.0])
    got = 0.3 + x                                  # reflected: RN(0.3) = 0.3125
    want = R(np.array([1.0, 2.0, 3.0]) + 0.3125, "e5m2", "toward_zero", 0, 1)
    np.testing.assert_array_equal(got.to_numpy(), want)
    # plain ndarray operands are constants too
    got = x - np.array([0.3, 0.3, 0.3])
    want = R(np.array([1.0, 2.0, 3.0]) - 0.3125, "e5m2", "toward_zero", 0, 2)
    np.testing.assert_array_equal(got.to_numpy(), want)


def test_in_place_operators_round_and_keep_the_object():
    a, b = values("fp16"), values("fp16")
    p = Policy("fp16", rounding="stochastic", seed=11)
    x = p.constant(a)
    y = x
    x += p.constant(b)
    x *= 3.0
    assert x is y
    want = R(R(a + b, "fp16", "stochastic", 11, 0) * 3.0, "fp16", "stochastic", 11, 1)
    np.testing.assert_array_equal(x.to_numpy(), want)


def test_in_place_into_a_view_writes_the_base():
    p = Policy("fp16", seed=0)
    x = p.constant(np.zeros((3, 4)))
    row = x[1]
    row += 1.0 / 3.0
    np.testing.assert_array_equal(x.to_numpy()[1], numprec.round(np.full(4, 1 / 3), "fp16"))
    assert np.all(x.to_numpy()[[0, 2]] == 0)


def test_exact_ufuncs_take_no_stream_and_keep_values():
    a = values("fp16")
    p = Policy("fp16", rounding="stochastic", seed=1)
    x = p.constant(a)
    for f in (np.negative, np.absolute, lambda v: np.maximum(v, 0.0), lambda v: -v, abs):
        got = f(x)
        np.testing.assert_array_equal(got.to_numpy(), f(a))
    assert p.streams_used == 0


def test_comparisons_and_predicates_give_plain_bool_arrays():
    p = Policy("fp16", seed=0)
    x = p.asarray(np.array([1.0, np.nan, -np.inf, 3.0]))
    for got in (x > 1.5, np.isfinite(x), np.isnan(x), x == x):
        assert type(got) is np.ndarray and got.dtype == bool
    np.testing.assert_array_equal(np.isfinite(x), [True, False, False, True])


def test_zero_dim_results_and_indexing():
    p = Policy("fp16", seed=0)
    x = p.asarray(np.array([1.0, 2.0, 3.0]))
    s = x[1] / 3.0
    assert isinstance(s, EmulatedArray) and s.shape == ()
    assert float(s) == float(numprec.round(2.0 / 3.0, "fp16"))
    assert f"{s:.4f}" == f"{float(s):.4f}"
    assert [float(v) for v in x] == [1.0, 2.0, 3.0]


def test_operands_of_a_wider_format_are_converted_first():
    # storage binary32 state entering binary16 arithmetic is rounded to
    # binary16 (one stream) before the operation, like a real conversion.
    a = numprec.round(RNG.normal(size=50), "fp32")
    b = numprec.round(RNG.normal(size=50), "fp32")
    p = Policy("fp32", rounding="stochastic", seed=5, components={"tendencies": "fp16"})
    x, y = p.constant(a), p.constant(b)
    with p.component("tendencies"):
        got = x * y
    xa = R(a, "fp16", "stochastic", 5, 0)
    yb = R(b, "fp16", "stochastic", 5, 1)
    np.testing.assert_array_equal(got.to_numpy(), R(xa * yb, "fp16", "stochastic", 5, 2))
    assert got.format == numprec.get_format("fp16")
    assert got.policy is p                        # results keep their home policy


def test_narrower_operands_are_not_converted():
    a = values("fp16")
    p = Policy("fp32", storage="fp16", rounding="nearest_even", seed=0)
    x = p.store(a)
    assert x.format == numprec.get_format("fp16")
    y = x * 1.5 + x
    np.testing.assert_array_equal(
        y.to_numpy(), numprec.round(numprec.round(a * 1.5, "fp32") + a, "fp32"))
    assert y.format == numprec.get_format("fp32")


def test_store_rounds_to_storage_and_setitem_keeps_the_array_format():
    p = Policy("fp32", storage="bf16", rounding="nearest_even", seed=0)
    state = p.store(np.array([1.0, 2.0, 3.0]) / 3.0)
    np.testing.assert_array_equal(state.to_numpy(), numprec.round(np.array([1, 2, 3]) / 3.0,
                                                                  "bf16"))
    state[0] = p.asarray(np.array(0.1))           # fp32 value stored into bf16 array
    assert state.to_numpy()[0] == numprec.round(numprec.round(0.1, "fp32"), "bf16")
    state[1:] = 0.7                               # constant: RN to bf16
    assert np.all(state.to_numpy()[1:] == numprec.round(0.7, "bf16"))


def test_double_block_computes_without_rounding():
    a = values("fp16")
    p = Policy("fp16", rounding="nearest_even", seed=0)
    x = p.constant(a)
    with emulate.double():
        y = x / 3.0
    np.testing.assert_array_equal(y.to_numpy(), a / 3.0)
    assert y.policy is p and y.format == numprec.get_format("binary64")
    z = y + 0.0                                   # outside: converted, then rounded
    np.testing.assert_array_equal(z.to_numpy(), numprec.round(a / 3.0, "fp16"))


def test_escape_to_numpy():
    p = Policy("fp16", seed=0)
    x = p.asarray(np.array([1.0, 2.0]))
    plain = np.asarray(x)
    assert type(plain) is np.ndarray
    assert type(emulate.to_numpy(x)) is np.ndarray
    assert type(np.array(x, dtype=np.float64) / 3.0) is np.ndarray


def test_structural_functions_keep_values_and_format():
    a = values("fp16", n=12)
    p = Policy("fp32", storage="fp16", seed=0, rounding="stochastic")
    x = p.store(a)
    assert p.streams_used == 1
    for got, want in [
        (np.concatenate((x, x[:2])), np.concatenate((a, a[:2]))),
        (np.roll(x, 3), np.roll(a, 3)),
        (np.stack((x, x)), np.stack((a, a))),
        (x.reshape(3, 4).T, a.reshape(3, 4).T),
        (np.where(x > 0, x, 0.0), np.where(a > 0, a, 0.0)),
        (np.max(x), np.max(a)),
        (np.clip(x, -1.0, 1.0), np.clip(a, -1.0, 1.0)),
        (np.repeat(x, 2), np.repeat(a, 2)),
    ]:
        assert isinstance(got, EmulatedArray)
        np.testing.assert_array_equal(got.to_numpy(), want)
        assert got.format == numprec.get_format("fp16")
    assert p.streams_used == 1
    # a plain constant array joined to emulated values is converted RN
    got = np.concatenate((x, np.array([0.1])))
    assert got.to_numpy()[-1] == numprec.round(0.1, "fp16")


def test_unsupported_numpy_function_names_itself():
    x = Policy("fp16", seed=0).asarray(np.eye(3))
    with pytest.raises(TypeError, match="linalg.inv"):
        np.linalg.inv(x)


def test_float32_containers_give_the_same_bits_for_rn_fp16():
    # Double rounding through binary32 is innocuous for + - * / sqrt when
    # 24 >= 2*11 + 2 (Figueroa 1995, "When is double rounding innocuous?").
    a, b = values("fp16", n=5000, scale=300.0), values("fp16", n=5000, scale=0.01)
    b[b == 0] = 1.0
    out = {}
    for dtype in ("float64", "float32"):
        p = Policy("fp16", rounding="nearest_even", seed=0, dtype=dtype)
        x, y = p.constant(a), p.constant(b)
        assert x.dtype == np.dtype(dtype)
        out[dtype] = [v.to_numpy() for v in (x + y, x - y, x * y, x / y, np.sqrt(np.abs(x)))]
    for u, v in zip(out["float64"], out["float32"]):
        np.testing.assert_array_equal(u, v)


def test_float32_container_rejects_wide_formats():
    with pytest.raises(ValueError, match="compute format 'e11m8'"):
        Policy("e11m8", dtype="float32")


def test_non_float_formats_go_through_the_format():
    fmt = numprec.FixedFormat(4, 6)
    a = numprec.round(RNG.normal(size=40), fmt)
    p = Policy(fmt, rounding="stochastic", seed=2)
    got = p.constant(a) * 1.7
    np.testing.assert_array_equal(got.to_numpy(),
                                  R(a * numprec.round(np.array([1.7]), fmt)[0], fmt,
                                    "stochastic", 2, 0))


def test_same_seed_same_bits_and_reset():
    a = values("bf16")

    def run(p):
        x = p.asarray(a)
        for _ in range(20):
            x = x * 1.01 + 0.003
        return x.to_numpy()

    p = Policy("bf16", rounding="stochastic", seed=99)
    first = run(p)
    np.testing.assert_array_equal(first, run(Policy("bf16", rounding="stochastic", seed=99)))
    p.reset()
    np.testing.assert_array_equal(first, run(p))
    assert not np.array_equal(first, run(Policy("bf16", rounding="stochastic", seed=100)))


def test_foreign_operand_types_are_left_to_them():
    class Other:
        __array_ufunc__ = None

        def __radd__(self, other):
            return "other"

    x = Policy("fp16", seed=0).asarray(np.ones(2))
    assert x + Other() == "other"


def test_negation_in_fnuz_formats_has_no_negative_zero():
    # float8_e4m3fnuz has no -0: -(+0) must come out as +0 (numprec.round's rule)
    p = Policy("float8_e4m3fnuz", seed=0)
    got = -p.asarray(np.array([0.0, 1.0]))
    np.testing.assert_array_equal(np.signbit(got.to_numpy()), [False, True])


@pytest.mark.parametrize("rounding", ["nearest_even", "toward_zero", "stochastic"])
def test_in_place_operators_take_the_same_bits_and_streams_as_the_reference_path(rounding):
    """x += y and x *= y run the fused kernel when x is in the compute format;
    the generic path (debug_reference) is the oracle, also for the random
    streams of stochastic rounding."""
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((6, 50)), rng.standard_normal((6, 50))
    out = []
    for reference in (False, True):
        p = Policy("e5m7", rounding=rounding, seed=3, debug_reference=reference)
        x, y = p.constant(a), p.constant(b)
        x += y
        x *= 0.1
        x -= np.float32(0.3)
        x /= y
        out.append((x.to_numpy(), p.streams_used))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    assert out[0][1] == out[1][1]
