"""Bad input to ``numprec.round`` and the format constructors raises
TypeError/ValueError whose message names the offending argument."""
import numpy as np
import pytest

import numprec  # noqa: E402  (a failed import fails the suite)

X = np.linspace(-2, 2, 7)


def raises(exc, arg):
    """pytest.raises for ``exc`` whose message names ``arg`` (as a word)."""
    return pytest.raises(exc, match=rf"(?<![A-Za-z_]){arg}(?![A-Za-z_])")


@pytest.mark.parametrize("x", [
    np.arange(3), np.arange(3, dtype=np.int8), np.ones(3, np.uint64), np.ones(3, complex),
    np.ones(3, np.complex64), np.array([1.0, None], dtype=object), np.ones(3, bool),
    np.ones(3, np.float16), np.array(["1.0"]),
], ids=lambda a: str(a.dtype))
def test_non_float_arrays_are_rejected(x):
    with raises(TypeError, "x"):
        numprec.round(x, "bfloat16")


@pytest.mark.parametrize("x", [True, 1j, "1.0", None, b"1", np.complex128(1)],
                         ids=repr)
def test_non_real_scalars_are_rejected(x):
    with raises(TypeError, "x"):
        numprec.round(x, "bfloat16")


@pytest.mark.parametrize("kw,arg", [
    (dict(exponent_bits=0, mantissa_bits=3), "exponent_bits"),
    (dict(exponent_bits=12, mantissa_bits=3), "exponent_bits"),
    (dict(exponent_bits=-1, mantissa_bits=3), "exponent_bits"),
    (dict(exponent_bits=5, mantissa_bits=-1), "mantissa_bits"),
    (dict(exponent_bits=5, mantissa_bits=53), "mantissa_bits"),
    (dict(exponent_bits=5, mantissa_bits=3, nan="quiet"), "nan"),
    (dict(exponent_bits=5, mantissa_bits=3, nan=None), "nan"),
    (dict(exponent_bits=5, mantissa_bits=3, overflow="wrap"), "overflow"),
    (dict(exponent_bits=5, mantissa_bits=3, overflow="Inf"), "overflow"),
])
def test_invalid_float_format_values(kw, arg):
    with raises((ValueError, TypeError), arg):
        numprec.FloatFormat(**kw)


@pytest.mark.parametrize("kw,arg", [
    (dict(exponent_bits=5.0, mantissa_bits=3), "exponent_bits"),
    (dict(exponent_bits="5", mantissa_bits=3), "exponent_bits"),
    (dict(exponent_bits=5, mantissa_bits=2.5), "mantissa_bits"),
    (dict(exponent_bits=5, mantissa_bits=True), "mantissa_bits"),
])
def test_invalid_float_format_types(kw, arg):
    with raises(TypeError, arg):
        numprec.FloatFormat(**kw)


@pytest.mark.parametrize("name", ["float7", "e0m3", "e12m3", "e5m53", "e5m-1", "binary", "",
                                  "e5m10x", "bfloat"])
def test_unknown_or_invalid_format_names(name):
    with pytest.raises(ValueError, match="fmt|format"):
        numprec.get_format(name)
    with raises(ValueError, "fmt"):
        numprec.round(X, name)


@pytest.mark.parametrize("fmt", [16, 1.5, None, ("e", 5, 10)], ids=repr)
def test_fmt_of_wrong_type(fmt):
    with raises(TypeError, "fmt"):
        numprec.round(X, fmt)


@pytest.mark.parametrize("rounding,exc", [("nearest", ValueError), ("RNE", ValueError),
                                          ("", ValueError), (3, TypeError), (None, TypeError)])
def test_unknown_rounding(rounding, exc):
    with raises(exc, "rounding"):
        numprec.round(X, "binary16", rounding)


@pytest.mark.parametrize("bits,exc", [(0, ValueError), (-1, ValueError), (65, ValueError),
                                      (1000, ValueError), (2.5, TypeError), ("3", TypeError)])
def test_random_bits_out_of_range(bits, exc):
    with raises(exc, "random_bits"):
        numprec.round(X, "binary16", "stochastic", seed=1, random_bits=bits)


def test_random_bits_with_deterministic_rounding():
    with raises(ValueError, "random_bits"):
        numprec.round(X, "binary16", "nearest_even", random_bits=3)


@pytest.mark.parametrize("arg", ["seed", "stream", "offset"])
@pytest.mark.parametrize("value,exc", [(-1, ValueError), (2**64, ValueError), (1.5, TypeError),
                                       ("1", TypeError)])
def test_bad_random_key(arg, value, exc):
    kw = {"seed": 1, arg: value}
    with raises(exc, arg):
        numprec.round(X, "binary16", "stochastic", **kw)


def test_out_read_only():
    out = np.empty_like(X)
    out.flags.writeable = False
    with raises(ValueError, "out"):
        numprec.round(X, "binary16", out=out)
    y = X.copy()
    y.flags.writeable = False
    with raises(ValueError, "out"):
        numprec.round(y, "binary16", out=y)


@pytest.mark.parametrize("out,exc", [
    (np.empty(8), ValueError), (np.empty((7, 1)), ValueError), (np.empty(0), ValueError),
    (np.empty(7, np.float32), TypeError), (np.empty(7, np.int64), TypeError),
    ([0.0] * 7, TypeError),
], ids=["len8", "7x1", "empty", "float32", "int64", "list"])
def test_out_wrong_shape_or_dtype(out, exc):
    with raises(exc, "out"):
        numprec.round(X, "binary16", out=out)


def test_failed_call_leaves_out_untouched():
    out = np.full(7, 42.0, np.float32)
    with pytest.raises(TypeError):
        numprec.round(X, "binary16", out=out)
    assert (out == 42.0).all()


@pytest.mark.parametrize("name", ["e9m7", "e11m10", "e10m22", "e11m0"])
def test_float32_input_with_a_format_float32_cannot_hold(name):
    with pytest.raises(ValueError) as info:
        numprec.round(np.ones(3, np.float32), name)
    assert "fmt" in str(info.value) and "x" in str(info.value)


@pytest.mark.parametrize("name", ["e8m7", "binary16", "e8m23", "e11m52", "e9m23", "float8_e8m0fnu"])
def test_float32_input_allowed_where_it_fits(name):
    r = numprec.round(np.ones(3, np.float32), name)
    assert r.dtype == np.float32 and (r == 1).all()


@pytest.mark.parametrize("kw,arg", [
    (dict(integer_bits=-1, fraction_bits=3), "integer_bits"),
    (dict(integer_bits=3, fraction_bits=-1), "fraction_bits"),
    (dict(integer_bits=3.0, fraction_bits=3), "integer_bits"),
    (dict(integer_bits=3, fraction_bits=3, overflow="inf"), "overflow"),
    (dict(integer_bits=3, fraction_bits=3, overflow="clip"), "overflow"),
])
def test_invalid_fixed_format(kw, arg):
    with raises((ValueError, TypeError), arg):
        numprec.FixedFormat(**kw)


@pytest.mark.parametrize("kw,arg", [
    (dict(bits=0), "bits"), (dict(bits=-8), "bits"), (dict(bits=8.0), "bits"),
    (dict(bits=8, overflow="nan"), "overflow"),
])
def test_invalid_int_format(kw, arg):
    with raises((ValueError, TypeError), arg):
        numprec.IntFormat(**kw)
