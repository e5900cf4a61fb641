"""Fused operate-and-round kernels (numprec/_kernels/fused.pyx) in the engine.

Oracle: the documented semantics of an emulated operation, i.e. numpy's
IEEE operation on the container arrays (float64 or float32) followed by
``numprec.round`` with the policy's seed and the operation's stream number
(numprec.round is checked against MPFR in tests/rounding).  Results are
compared bit for bit (NaN payloads and signed zeros included).  The fused
path must also decline exactly where it does not apply (broadcasting,
operands whose rows are not contiguous, ...) without taking a stream, report floating-point
exceptions as numpy does, and leave whole-model runs bit-identical to the
reference engine (the debug option ``Policy(debug_reference=True)``: numpy's
operation, then the generic rounding kernel).
"""
import warnings

import numpy as np
import pytest

import numprec
from numprec._kernels import fused as fk
from numprec.emulate import EmulatedArray, Policy
from numprec.emulate import engine as eng
from numprec.rounding.threads import PARALLEL_MIN_SIZE, get_num_threads, set_num_threads

ROUNDINGS = ["nearest_even", "nearest_away", "toward_zero", "up", "down", "odd",
             "stochastic", "stochastic_uniform"]
OPS = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide}
# fp16 and bf16: IEEE-like; float8_e4m3fn: no inf (overflow -> NaN); e8m0fnu:
# unsigned and without zero (kernels' general path only); e11m10: float64's
# exponent range (float64 containers only); no subnormals; e9m52: float64's
# precision (nothing to round in the normal range, no random bits used).
FORMATS = ["fp16", "bf16", "float8_e4m3fn", "float8_e8m0fnu", "e11m10",
           numprec.FloatFormat(5, 4, subnormals=False), numprec.FloatFormat(9, 52)]
SEED = 11


def bits(x):
    x = np.asarray(x)
    return x.view({8: np.uint64, 4: np.uint32}[x.dtype.itemsize])


def assert_same_bits(got, want):
    got = got.to_numpy(got.dtype) if isinstance(got, EmulatedArray) else np.asarray(got)
    want = np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(bits(got), bits(want))


def R(x, fmt, rounding="nearest_even", stream=0, random_bits=None):
    """The oracle's rounding: numprec.round with the policy's seed."""
    return numprec.round(x, fmt, rounding, seed=SEED, stream=stream, random_bits=random_bits)


def data(dtype, n=5 * 256 + 77, seed=0):
    """Two operand arrays whose blocks of 256 are in turn: ordinary values
    (the normal-range fast path), values over a wide range (format
    subnormals, underflow to 0, overflow), and special values."""
    rng = np.random.default_rng(seed)
    finfo = np.finfo(dtype)
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, float(finfo.smallest_subnormal),
                         -float(finfo.smallest_subnormal), float(finfo.tiny), 65504.0, 65520.0,
                         -7e4, 448.0, 480.0, 2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -26, 2.0 ** -149,
                         1e30, -1e-30, float(finfo.max), 1.0, -1.0], dtype=dtype)
    out = []
    for _ in range(2):
        x = np.empty(n, dtype)
        x[:] = rng.uniform(0.5, 3.0, n) * rng.choice([-1.0, 1.0], n)
        x[256:512] = rng.standard_normal(256) * 2.0 ** rng.integers(-40, 40, 256)
        x[512:768] = rng.choice(specials, 256)
        x[1100] = np.nan                       # one special in an otherwise ordinary block
        out.append(x)
    return out


def emulated_op(p, ufunc, a, b):
    """What the policy ``p`` rounds for ``ufunc(a, b)``: numpy's result on
    the container arrays, or where that rounding would not be the exact
    result's (directed modes and round-to-odd, float32 containers:
    ``fused.op_kind``; exactness against MPFR in test_exact_sums.py) the
    float64 value the kernels compute instead, in the container dtype after
    rounding (``R(...).astype``)."""
    code = {np.add: fk.OP_ADD, np.subtract: fk.OP_SUBTRACT, np.multiply: fk.OP_MULTIPLY,
            np.divide: fk.OP_DIVIDE}[ufunc]
    rc = p.plan.round_compute
    kind = fk.op_kind(code, rc.kernel, rc.mode, p.plan.dtype == np.float64)
    if kind == fk.KIND_CONTAINER:
        return ufunc(a, b)
    return fk.exact_result(code, [a, b], kind)


def kernel_args(p):
    """(spec, mode, rbits) of the policy's rounder to its compute format."""
    rc = p.plan.round_compute
    return rc.kernel, rc.mode, rc.rbits


def policy(fmt, rounding, dtype, **kw):
    try:
        return Policy(fmt, rounding=rounding, seed=SEED, dtype=dtype, **kw)
    except ValueError:
        pytest.skip(f"{fmt} does not fit {dtype} containers")


# --------------------------------------------------------------- bit identity
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("fmt", FORMATS, ids=str)
@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_binary_ops_equal_numpy_then_round(dtype, fmt, rounding):
    p = policy(fmt, rounding, dtype)
    a, b = data(dtype)
    ea, eb = p.constant(a), p.constant(b)          # constants: round-to-nearest, no stream
    af, bf = R(a, fmt), R(b, fmt)
    with np.errstate(all="ignore"):
        for k, (name, ufunc) in enumerate(OPS.items()):
            got = ufunc(ea, eb)
            assert isinstance(got, EmulatedArray) and got.dtype == np.dtype(dtype)
            want = R(emulated_op(p, ufunc, af, bf), fmt, rounding, stream=k)
            assert_same_bits(got, want.astype(dtype))
        got = np.square(ea)
        want = R(emulated_op(p, np.multiply, af, af), fmt, rounding, stream=len(OPS))
        assert_same_bits(got, want.astype(dtype))
    assert p.streams_used == len(OPS) + 1


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("rounding", ["stochastic", "stochastic_uniform"])
@pytest.mark.parametrize("random_bits", [1, 4, 11, 24, 53])
def test_random_bits(dtype, rounding, random_bits):
    p = policy("bf16", rounding, dtype, random_bits=random_bits)
    a, b = data(dtype, seed=3)
    af, bf = R(a, "bf16"), R(b, "bf16")
    with np.errstate(all="ignore"):
        got = p.constant(a) * p.constant(b)
        assert_same_bits(got, R(af * bf, "bf16", rounding, 0, random_bits))
        got = p.constant(a) + p.constant(b)
        assert_same_bits(got, R(af + bf, "bf16", rounding, 1, random_bits))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("rounding", ["nearest_even", "toward_zero", "stochastic"])
def test_scalar_operands_on_either_side(dtype, rounding):
    p = policy("fp16", rounding, dtype)
    a, _ = data(dtype, seed=5)
    ea, af = p.constant(a), R(a, "fp16")
    scalars = [0.1, 3, np.float64(2.5), np.float32(0.75), -1e-6, 1e6, 0.0, np.nan, -np.inf]
    stream = 0
    with np.errstate(all="ignore"):
        for s in scalars:
            sf = float(R(np.float64(s), "fp16"))   # constants enter round-to-nearest
            for ufunc in OPS.values():
                want = R(emulated_op(p, ufunc, af, sf), "fp16", rounding, stream)
                assert_same_bits(ufunc(ea, s), want.astype(dtype))
                want = R(emulated_op(p, ufunc, sf, af), "fp16", rounding, stream + 1)
                assert_same_bits(ufunc(s, ea), want.astype(dtype))
                stream += 2
        # a plain ndarray operand is a constant too
        c = np.linspace(-3, 3, a.size).astype(dtype)
        want = R(emulated_op(p, np.subtract, af, R(c, "fp16")), "fp16", rounding, stream)
        assert_same_bits(ea - c, want.astype(dtype))
    assert p.streams_used == stream + 1


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_nan_operands_on_both_sides_keep_numpys_payload(dtype):
    """With NaN on both sides the result NaN is numpy's choice of operand."""
    p = policy("fp16", "nearest_even", dtype)
    n = 1000
    a, b = np.full(n, 1.5, dtype), np.full(n, -2.0, dtype)
    if dtype == "float64":
        bits(a)[::3] = 0x7FF8000000000123
        bits(b)[::2] = 0xFFF8000000000456
    else:
        bits(a)[::3] = 0x7FC00123
        bits(b)[::2] = 0xFFC00456
    ea, eb = p.constant(a), p.constant(b)
    for k, ufunc in enumerate(OPS.values()):
        assert_same_bits(ufunc(ea, eb), R(ufunc(a, b), "fp16", stream=k))
    assert_same_bits(ea + np.nan, R(a + np.nan, "fp16", stream=len(OPS)))


def test_zero_size_and_zero_dimensional():
    p = policy("fp16", "stochastic", "float64")
    a, b = data("float64")
    ea, eb = p.constant(a), p.constant(b)
    af, bf = R(a, "fp16"), R(b, "fp16")
    got = ea[:0] * eb[:0]
    assert got.shape == (0,) and p.streams_used == 1
    got = ea[3] + eb[7]                            # 0-d operands
    assert got.shape == ()
    assert_same_bits(got, R(np.asarray(af[3] + bf[7]), "fp16", "stochastic", 1))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("nthreads", [1, 2])
def test_round_inplace_equals_numprec_round(dtype, rounding, nthreads):
    from numprec._kernels.floatround import key_for
    p = policy("bf16", rounding, dtype, random_bits=7 if "stochastic" in rounding else None)
    x = np.concatenate(data(dtype, seed=6))
    got = x.copy()
    key = key_for(SEED, 4) if p.rounding.stochastic else 0
    spec, mode, rbits = kernel_args(p)
    fk.round_inplace(got, spec, mode, key, 12345, rbits, nthreads)
    want = numprec.round(x, "bf16", rounding, seed=SEED, stream=4, offset=12345,
                         random_bits=p.random_bits)
    assert_same_bits(got, want)
    with pytest.raises(ValueError, match="C-contiguous"):
        fk.round_inplace(got[::2], spec, mode, key, 0, rbits, 1)
    with pytest.raises(TypeError, match="float64 or float32"):
        fk.round_inplace(np.arange(4), spec, mode, key, 0, rbits, 1)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("rounding", ["nearest_even", "up", "stochastic"])
def test_in_place_operators(dtype, rounding):
    """``x op= y`` computes into x and rounds it in place (the rounder's path)."""
    p = policy("fp16", rounding, dtype)
    a, b = data(dtype, seed=2)
    af, bf = R(a, "fp16"), R(b, "fp16")
    x, y = p.constant(a), p.constant(b)
    with np.errstate(all="ignore"):
        x *= y
        want = R(af * bf, "fp16", rounding, 0)
        assert_same_bits(x, want)
        x -= 0.3
        want = R(want - float(R(np.float64(0.3), "fp16")), "fp16", rounding, 1)
        assert_same_bits(x, want)
        z = p.asarray(b)                               # asarray rounds with the scheme
        assert_same_bits(z, R(b, "fp16", rounding, 2))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("fmt", ["fp16", "float8_e4m3fnuz", numprec.FloatFormat(5, 0),
                                 numprec.FloatFormat(6, 3, subnormals=False)], ids=str)
@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_zeros_among_normal_values(dtype, fmt, rounding):
    """Signed zeros in otherwise normal blocks (fnuz formats map -0 to +0)."""
    from numprec._kernels.floatround import key_for
    rng = np.random.default_rng(12)
    n = 4 * 256 + 9
    a = (rng.uniform(1.0, 4.0, n) * rng.choice([-1.0, 1.0], n)).astype(dtype)
    b = a.copy()
    b[::7] *= -1.0                                  # a - b: exact zeros of both signs
    a[5::11] = -0.0
    a[9::13] = 0.0
    p = policy(fmt, rounding, dtype)
    af, bf = R(a, fmt), R(b, fmt)
    key = key_for(SEED, 3) if p.rounding.stochastic else 0
    spec, mode, rbits = kernel_args(p)
    x = af - bf                                     # +0 and normal values
    x[3::17] = -0.0
    got = x.copy()
    fk.round_inplace(got, spec, mode, key, 0, rbits, 1)
    assert_same_bits(got, R(x, fmt, rounding, 3))
    if eng.fused_for(p.plan) is not None:                # fnuz formats take the general engine
        ea, eb = p.constant(a), p.constant(b)
        with np.errstate(all="ignore"):
            assert_same_bits(ea - eb, R(af - bf, fmt, rounding, 0))
            assert_same_bits(ea * 0.0, R(af * 0.0, fmt, rounding, 1))


# ------------------------------------------------------- fallbacks and mixing
@pytest.mark.parametrize("rounding", ["nearest_even", "stochastic"])
def test_broadcasting_and_strided_operands_fall_back(rounding):
    p = policy("fp16", rounding, "float64")
    rng = np.random.default_rng(9)
    a2, b1 = rng.normal(size=(4, 300)), rng.normal(size=300)
    a2f, b1f = R(a2, "fp16"), R(b1, "fp16")
    ea2, eb1 = p.constant(a2), p.constant(b1)
    assert_same_bits(ea2 + eb1, R(a2f + b1f, "fp16", rounding, 0))       # broadcasting
    assert_same_bits(ea2[:, ::3] * eb1[::3], R(a2f[:, ::3] * b1f[::3], "fp16", rounding, 1))
    assert_same_bits(ea2.T - ea2.T, R(a2f.T - a2f.T, "fp16", rounding, 2))  # F order
    assert_same_bits(ea2[1:3, 5:] / 3.0, R(a2f[1:3, 5:] / 3.0, "fp16", rounding, 3))
    assert p.streams_used == 4


def _views(base):
    """Views of shape (3, 8, 59) of a (4, 10, 64) array in several layouts:
    leading-axis and last-axis offsets, a reversed leading axis, permuted
    leading axes (all with contiguous rows), and a C-contiguous copy."""
    return {
        "offset": base[1:, 1:9, 2:61],
        "corner": base[:3, :8, :59],
        "reversed": base[::-1][:3, 2:, 5:],
        "permuted": base.transpose(1, 0, 2)[1:9, :3, 3:62].transpose(1, 0, 2),
        "contiguous": base[1:, 2:, 3:62].copy(),
    }


def _strided_data(dtype):
    a, b = data(dtype, n=4 * 10 * 64)
    return a.reshape(4, 10, 64), b.reshape(4, 10, 64)


LAYOUT_PAIRS = [("offset", "corner"), ("reversed", "offset"), ("permuted", "reversed"),
                ("contiguous", "permuted"), ("corner", "contiguous")]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("fmt", ["fp16", "float8_e4m3fn"])
@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_strided_rows_equal_numpy_then_round(dtype, fmt, rounding):
    """Operands with contiguous rows but other strides (stencil slices) are
    computed row by row, element i of the result with counter i: the same
    bits as numpy's operation followed by numprec.round and as the unfused
    engine."""
    a, b = _strided_data(dtype)
    af, bf = R(a, fmt), R(b, fmt)
    va, vb = _views(af), _views(bf)
    runs = []
    for fused in (True, False):
        p = policy(fmt, rounding, dtype, debug_reference=not fused)
        ea, eb = _views(p.constant(a)), _views(p.constant(b))
        got, stream = [], 0
        with np.errstate(all="ignore"):
            for la, lb in LAYOUT_PAIRS:
                assert ea[la]._data.flags.c_contiguous == (la == "contiguous")
                for ufunc in OPS.values():
                    r = ufunc(ea[la], eb[lb])
                    want = R(emulated_op(p, ufunc, va[la], vb[lb]), fmt, rounding, stream)
                    assert_same_bits(r, want.astype(dtype))
                    got.append(r)
                    stream += 1
                for r, want in [(ea[la] * 0.3, va[la] * R(np.float64(0.3), fmt)),
                                (1.7 / eb[lb], R(np.float64(1.7), fmt) / vb[lb]),
                                (np.square(ea[la]), np.square(va[la]))]:
                    assert_same_bits(r, R(want.astype(dtype), fmt, rounding, stream))
                    got.append(r)
                    stream += 1
        assert p.streams_used == stream
        runs.append(got)
    for x, y in zip(*runs):
        assert_same_bits(x, y.to_numpy(y.dtype))


def test_strided_rows_threaded_equal_single_thread_oracle():
    rng = np.random.default_rng(12)
    base = rng.normal(size=(1031, 1030))
    base[700, 500] = np.nan                          # a special value in a later chunk
    base[1020:, :] = np.nan                          # NaN with NaN: left to numpy
    n = 1029 * 1029
    assert n >= PARALLEL_MIN_SIZE
    before = get_num_threads()
    set_num_threads(2)
    try:
        p = policy("fp16", "stochastic", "float64")
        bf = R(base, "fp16")
        eb = p.constant(base)
        assert_same_bits(eb[1:1030, 1:] + eb[:1029, :-1],
                         R(bf[1:1030, 1:] + bf[:1029, :-1], "fp16", "stochastic", 0))
        assert_same_bits(eb[2:, 1:] * eb[:-2, 1:],
                         R(bf[2:, 1:] * bf[:-2, 1:], "fp16", "stochastic", 1))
        assert_same_bits(eb[::-1, 1:][:1029] - 0.5,
                         R(bf[::-1, 1:][:1029] - 0.5, "fp16", "stochastic", 2))
        assert p.streams_used == 3
    finally:
        set_num_threads(before)


def test_kernel_declines_without_taking_a_stream():
    p = policy("fp16", "stochastic", "float64")
    counter = fk.StreamCounter(5)
    fz = fk.Fused(*kernel_args(p), True, SEED, counter, np.float64)
    a = np.linspace(1, 2, 600)
    assert fz(fk.OP_ADD, a, a + 1.0, np.add) is not None and counter.value == 6
    declined = [(a[::2], a[::2]), (a, a[:300]), (a.reshape(2, 300), a[:300]),
                (a.reshape(20, 30)[:, ::2], a.reshape(20, 30)[:, 1::2]),
                (a.reshape(20, 30).T, a.reshape(30, 20)),
                (a.astype(np.float32), a), (a, np.float64(2.0)), (a, True), (a, None)]
    for x, y in declined:
        assert fz(fk.OP_MULTIPLY, x, y, np.multiply) is None
    assert fz(fk.OP_SQUARE, a, a, np.square) is None
    rows = a.reshape(20, 30)
    assert fz(fk.OP_ADD, rows[1:, 1:], rows[:-1, :-1], np.add) is not None
    assert fz(fk.OP_SQUARE, rows[:, 1:], None, np.square) is not None and counter.value == 8
    assert fz.round(a[::2].copy()) is not None and counter.value == 9
    frozen = a.copy()
    frozen.flags.writeable = False
    assert fz.round(frozen) is None and fz.round(a.astype(np.float32)) is None
    assert fz.round([1.0, 2.0]) is None and counter.value == 9
    with pytest.raises(ValueError, match="op"):
        fz(17, a, a, np.add)
    with pytest.raises(ValueError, match="dtype"):
        fk.Fused(*kernel_args(p), True, SEED, counter, np.int64)
    with pytest.raises(TypeError, match="StreamCounter"):
        fk.Fused(*kernel_args(p), True, SEED, object(), np.float64)


def test_operands_converted_before_the_operation_takes_its_stream():
    rounding = "stochastic"
    p16 = policy("fp16", rounding, "float64")
    pbf = policy("bf16", rounding, "float64")
    a, b = data("float64", seed=8)
    af, bf = R(a, "fp16"), R(b, "bf16")
    x16, ybf = p16.constant(a), pbf.constant(b)
    with np.errstate(all="ignore"):
        with pbf:
            got = x16 + ybf          # x16 is converted to bf16 (stream 0), then added (stream 1)
        want = R(R(af, "bf16", rounding, 0) + bf, "bf16", rounding, 1)
        assert_same_bits(got, want)
        # float32 containers under a float64 policy of the same format: widened, not rounded
        a32 = a.astype(np.float32)
        x32 = policy("bf16", rounding, "float32").constant(a32)
        with pbf:
            got = x32 * ybf
        want = R(R(a32, "bf16").astype(np.float64) * bf, "bf16", rounding, 2)
        assert_same_bits(got, want)


# ------------------------------------------------------ floating-point errors
def _run(thunk):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = thunk()
    return out, [str(w.message) for w in caught]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_floating_point_exceptions_reported_like_numpy(dtype):
    a = np.array([1.0, 0.0, -2.0, 3e38, 5.0] * 60, dtype=dtype)
    b = np.array([0.0, 0.0, 4.0, 3e38, 0.5] * 60, dtype=dtype)
    cases = {"divide": lambda x, y: x / y, "multiply": lambda x, y: x * y,
             "subtract": lambda x, y: x - y}
    for name, f in cases.items():
        seen = []
        for fused in (True, False):
            p = policy("bf16", "nearest_even", dtype, debug_reference=not fused)
            x, y = p.constant(a), p.constant(b)
            out, msgs = _run(lambda: f(x, y))
            plain, plain_msgs = _run(lambda: f(R(a, "bf16"), R(b, "bf16")))
            assert msgs == plain_msgs
            assert_same_bits(out, R(plain, "bf16"))
            with np.errstate(all="raise"):
                if plain_msgs:
                    with pytest.raises(FloatingPointError):
                        f(x, y)
                    assert p.streams_used == 1          # the failed operation took none
                else:
                    f(x, y)
            with np.errstate(all="ignore"):
                assert _run(lambda: f(x, y))[1] == []
            seen.append(msgs)
        assert seen[0] == seen[1]


# ----------------------------------------------------------------- threads
def test_threaded_arrays_equal_single_thread_oracle():
    n = PARALLEL_MIN_SIZE + 1003
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=n), rng.normal(size=n)
    a[n - 10] = np.nan                              # a special value in the last chunk
    b[n - 20:] = np.nan                             # NaN with NaN: left to numpy
    before = get_num_threads()
    set_num_threads(2)
    try:
        p = policy("fp16", "stochastic", "float64")
        af, bf = R(a, "fp16"), R(b, "fp16")
        ea, eb = p.constant(a), p.constant(b)
        assert_same_bits(ea * eb, R(af * bf, "fp16", "stochastic", 0))
        assert_same_bits(ea[: n - 30] - 0.5, R(af[: n - 30] - 0.5, "fp16", "stochastic", 1))
        assert_same_bits(np.exp(ea), R(np.exp(af), "fp16", "stochastic", 2))
        zero = p.constant(np.where(np.arange(n) == n - 5, 0.0, 1.0))
        with np.errstate(divide="raise"):              # flags raised in the second thread
            with pytest.raises(FloatingPointError):
                ea / zero
        assert p.streams_used == 3
    finally:
        set_num_threads(before)


# -------------------------------------------------------------- whole models
def _heat_run(fmt, rounding, dtype, steps, reference):
    from numprec.cases.heat import HeatParameters, HeatState, build
    model = build(HeatParameters())
    pol = Policy(fmt, rounding=rounding, seed=3, dtype=dtype, debug_reference=reference)
    plain = model.initial_state(1)
    state = HeatState(pol.store(plain.T[0]), *plain[1:])
    em = model.prepare(pol, state)
    out = []
    with pol:
        for _ in range(steps):
            state = em.step(state)
            out.append(state.T.to_numpy(dtype))
    return np.array(out), pol.streams_used


@pytest.mark.parametrize("fmt,rounding,dtype", [("e11m10", "stochastic", "float64"),
                                                ("fp16", "stochastic", "float32"),
                                                ("bf16", "nearest_even", "float64")])
def test_heat_model_identical_with_and_without_fusion(fmt, rounding, dtype):
    fused, n1 = _heat_run(fmt, rounding, dtype, 200, False)
    plain, n2 = _heat_run(fmt, rounding, dtype, 200, True)
    assert n1 == n2 > 0
    np.testing.assert_array_equal(bits(fused), bits(plain))
    if rounding == "stochastic":                   # (round-to-nearest stagnates)
        assert not np.all(fused[-1] == fused[0])


def test_lorenz96_identical_with_and_without_fusion():
    from numprec.cases.lorenz import LorenzParameters, LorenzState, build
    model = build(LorenzParameters(system="l96", dt=0.005))
    state0 = model.initial_state(50, seed=0, spinup_steps=20).x
    runs = []
    for fused in (True, False):
        pol = Policy("e11m8", rounding="stochastic", seed=3, debug_reference=not fused)
        x = pol.asarray(state0)
        for _ in range(20):
            x = model.step(LorenzState(x, None)).x
        runs.append((x.to_numpy(), pol.streams_used))
    np.testing.assert_array_equal(bits(runs[0][0]), bits(runs[1][0]))
    assert runs[0][1] == runs[1][1]


def test_shallow_water_identical_with_and_without_fusion():
    from numprec.cases.shallow_water import SWState, build_model
    model = build_model()
    state0 = model.rest_state(perturbation=1e-3, seed=1)

    def _store(pol, state):
        return SWState(*(None if f is None else pol.store(f) for f in state))
    runs = []
    for fused in (True, False):
        pol = Policy("e5m10", rounding="stochastic", seed=2, debug_reference=not fused)
        em = model.converted(pol.constant)
        state = _store(pol, state0)
        with pol:
            for _ in range(20):
                state = em.step(state)
        runs.append(([f.to_numpy() for f in state[:3]], pol.streams_used))
    for x, y in zip(runs[0][0], runs[1][0]):
        np.testing.assert_array_equal(bits(x), bits(y))
    assert runs[0][1] == runs[1][1] > 0
    assert not np.array_equal(runs[0][0][2], np.asarray(state0[2]))   # the state moved


def test_signed_zero_scalars_are_not_confused():
    """x * 0.0 then x * -0.0: the second must give -0.0 for positive x."""
    from numprec.emulate import Policy
    p = Policy("binary16", seed=0)
    x = p.asarray(np.array([1.0, 2.0]))
    assert not np.signbit(np.asarray(x * 0.0)).any()
    assert np.signbit(np.asarray(x * -0.0)).all()
    assert np.signbit(np.asarray(-0.0 * x)).all()


@pytest.mark.parametrize("rounding", ["nearest_even", "toward_zero", "stochastic"])
def test_fused_kernel_on_a_format_below_float64_normals_equals_op_by_op(rounding):
    """A format whose range reaches below float64's normals (emin = -1059):
    products that are float64 subnormals round on the general path of the
    fused kernel exactly as numprec.round rounds the float64 product."""
    from numprec.emulate import to_numpy
    fmt = numprec.FloatFormat(11, 3, bias=1060)
    rng = np.random.default_rng(5)
    x = np.ldexp(rng.random(2000) + 0.5, rng.integers(-560, -500, 2000))
    y = np.ldexp(rng.random(2000) + 0.5, rng.integers(-560, -500, 2000))
    assert (np.abs(x * y) < 2.0**-1022).mean() > 0.3
    P = numprec.Policy(fmt, rounding=rounding, seed=11)
    a, b = P.asarray(x), P.asarray(y)
    xr, yr = to_numpy(a), to_numpy(b)
    with P:
        got = to_numpy(a * b)
    want = numprec.round(xr * yr, fmt, rounding, seed=11, stream=2)   # streams 0, 1: asarray
    assert np.array_equal(got, want, equal_nan=True)
