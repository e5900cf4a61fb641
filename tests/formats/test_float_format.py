"""FloatFormat properties against ml_dtypes.finfo, numpy.finfo and the IEEE
754 / OCP definitions; name parsing; config round trip; invalid parameters."""
import json
import math
import pathlib
import sys

import ml_dtypes
import numpy as np
import pytest

import numprec  # noqa: E402  (a failed import fails the suite)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "rounding"))
from mpfr_oracle import CUSTOM_SPECS, NAMED_SPECS, Spec, format_kwargs, make_format  # noqa: E402

ML_NAMES = ["bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
            "float8_e4m3", "float8_e3m4", "float6_e2m3fn", "float6_e3m2fn", "float4_e2m1fn",
            "float8_e8m0fnu"]
NUMPY = {"binary16": np.float16, "binary32": np.float32, "binary64": np.float64}


def finfo_for(name):
    return ml_dtypes.finfo(getattr(ml_dtypes, name)) if name in ML_NAMES else np.finfo(NUMPY[name])


@pytest.mark.parametrize("name", ML_NAMES + list(NUMPY))
def test_properties_match_finfo(name):
    f = numprec.get_format(name)
    fi = finfo_for(name)
    assert f.exponent_bits == fi.nexp
    assert f.mantissa_bits == fi.nmant
    assert f.precision == fi.nmant + 1
    assert f.eps == float(fi.eps)
    assert f.max == float(fi.max)
    assert f.smallest_normal == float(fi.smallest_normal)
    assert f.smallest_subnormal == float(fi.smallest_subnormal)
    assert f.emin == fi.minexp
    assert f.emax == fi.maxexp - 1
    assert f.bits == fi.bits


def test_tf32_by_hand():
    f = numprec.get_format("tf32")
    assert (f.exponent_bits, f.mantissa_bits, f.bias, f.emin, f.emax) == (8, 10, 127, -126, 127)
    assert f.max == (2 - 2.0**-10) * 2.0**127
    assert f.smallest_subnormal == 2.0**-136
    assert f.eps == 2.0**-10 and f.bits == 19


# Encoding flags from the brief / ml_dtypes naming (fn: finite + NaN, uz: unsigned zero,
# fnu: finite, NaN, unsigned).
FLAGS = {
    "binary16": dict(nan="ieee", infinities=True, overflow="inf", signed=True, zero=True),
    "float8_e4m3fn": dict(nan="fn", infinities=False, overflow="nan", signed=True, zero=True),
    "float8_e5m2": dict(nan="ieee", infinities=True, overflow="inf"),
    "float8_e4m3fnuz": dict(nan="fnuz", infinities=False, overflow="nan", bias=8),
    "float8_e5m2fnuz": dict(nan="fnuz", infinities=False, overflow="nan", bias=16),
    "float8_e4m3": dict(nan="ieee", infinities=True, overflow="inf", bias=7),
    "float8_e3m4": dict(nan="ieee", infinities=True, overflow="inf", bias=3),
    "float6_e2m3fn": dict(nan="none", infinities=False, overflow="saturate"),
    "float6_e3m2fn": dict(nan="none", infinities=False, overflow="saturate"),
    "float4_e2m1fn": dict(nan="none", infinities=False, overflow="saturate"),
    "float8_e8m0fnu": dict(nan="fn", infinities=False, overflow="nan", signed=False, zero=False,
                           bias=127),
}


@pytest.mark.parametrize("name", list(FLAGS))
def test_encoding_flags_of_named_formats(name):
    f = numprec.get_format(name)
    for attr, want in FLAGS[name].items():
        assert getattr(f, attr) == want, attr


@pytest.mark.parametrize("name", sorted({**NAMED_SPECS, **CUSTOM_SPECS}))
def test_properties_match_the_spec_derivation(name):
    """Compared with mpfr_oracle.Spec, which derives them from the brief."""
    spec = NAMED_SPECS.get(name) or CUSTOM_SPECS[name]
    f = numprec.get_format(name) if name in NAMED_SPECS else make_format(numprec, spec)
    assert (f.bias, f.emin, f.emax) == (spec.bias_, spec.emin, spec.emax)
    assert f.max == spec.max
    assert f.smallest_normal == spec.smallest_normal
    assert f.smallest_subnormal == spec.smallest_subnormal
    assert f.eps == spec.eps and f.bits == spec.bits and f.overflow == spec.overflow_


def test_default_bias():
    assert numprec.FloatFormat(5, 2).bias == 15
    assert numprec.FloatFormat(5, 2, nan="fnuz", infinities=False).bias == 16
    assert numprec.FloatFormat(3, 4, nan="none", infinities=False).bias == 3
    f = numprec.FloatFormat(5, 2, bias=10)
    assert (f.emin, f.emax, f.max) == (-9, 20, 1.75 * 2.0**20)


def test_no_subnormals():
    f = numprec.FloatFormat(5, 10, subnormals=False)
    assert f.smallest_subnormal == f.smallest_normal == 2.0**-14
    assert not f.subnormals


@pytest.mark.parametrize("name,want", [
    ("binary16", "binary16"), ("float16", "binary16"), ("fp16", "binary16"), ("half", "binary16"),
    ("bfloat16", "bfloat16"), ("bf16", "bfloat16"),
    ("binary32", "binary32"), ("float32", "binary32"), ("fp32", "binary32"), ("single", "binary32"),
    ("binary64", "binary64"), ("float64", "binary64"), ("fp64", "binary64"), ("double", "binary64"),
])
def test_aliases(name, want):
    assert numprec.get_format(name) == numprec.get_format(want)
    assert numprec.get_format(name).name == want


@pytest.mark.parametrize("name,e,m", [("e5m10", 5, 10), ("E8M7", 8, 7), ("e4m3", 4, 3),
                                      ("e11m52", 11, 52), ("E2M0", 2, 0), ("e8m23", 8, 23)])
def test_parse_exmy(name, e, m):
    f = numprec.get_format(name)
    assert (f.exponent_bits, f.mantissa_bits) == (e, m)
    ref = numprec.FloatFormat(e, m)
    for attr in ("bias", "emin", "emax", "max", "smallest_subnormal", "subnormals", "infinities",
                 "nan", "overflow", "signed", "zero"):
        assert getattr(f, attr) == getattr(ref, attr), attr
    assert f == ref and hash(f) == hash(ref)


def test_list_formats():
    names = numprec.list_formats()
    assert names == sorted(names)
    for n in list(NAMED_SPECS) + ML_NAMES:
        assert n in names
    for alias in ("fp16", "half", "bf16", "single", "double", "fp32"):
        assert alias not in names


CONFIG_FORMATS = (
    [numprec.get_format(n) for n in numprec.list_formats()]
    + [make_format(numprec, s) for s in CUSTOM_SPECS.values()]
    + [numprec.get_format("E8M7"), numprec.FloatFormat(7, 40, bias=50, overflow="saturate")]
)


@pytest.mark.parametrize("fmt", CONFIG_FORMATS, ids=lambda f: f.name)
def test_config_round_trip(fmt):
    from numprec import from_config
    cfg = fmt.get_config()
    assert "id" in cfg
    back = from_config(json.loads(json.dumps(cfg)))
    assert back == fmt and hash(back) == hash(fmt)
    assert back.get_config() == cfg
    assert back.name == fmt.name


def test_formats_are_immutable_values():
    f = numprec.FloatFormat(5, 10)
    with pytest.raises(AttributeError):
        f.mantissa_bits = 3
    assert numprec.FloatFormat(5, 10) == numprec.FloatFormat(5, 10)
    assert numprec.FloatFormat(5, 10) != numprec.FloatFormat(5, 10, subnormals=False)
    assert numprec.FloatFormat(5, 10) != numprec.FloatFormat(5, 9)
    assert len({numprec.FloatFormat(4, 3), numprec.FloatFormat(4, 3), numprec.FloatFormat(3, 4)}) == 2


@pytest.mark.parametrize("name", sorted(NAMED_SPECS))
def test_max_and_smallest_values_are_values(name):
    f = numprec.get_format(name)
    v = np.array([f.max, -f.max if f.signed else f.max, f.smallest_normal, f.smallest_subnormal])
    for mode in ("nearest_even", "toward_zero", "up", "down", "odd"):
        r = numprec.round(v, f, mode)
        assert (r == v).all(), mode


@pytest.mark.parametrize("kw", [
    dict(exponent_bits=0, mantissa_bits=3), dict(exponent_bits=12, mantissa_bits=3),
    dict(exponent_bits=5, mantissa_bits=-1), dict(exponent_bits=5, mantissa_bits=53),
    dict(exponent_bits=5, mantissa_bits=3, nan="nope"),
    dict(exponent_bits=5, mantissa_bits=3, overflow="nope"),
    dict(exponent_bits=4, mantissa_bits=3, nan="none", infinities=False, overflow="nan"),
    dict(exponent_bits=4, mantissa_bits=3, nan="fn", infinities=False, overflow="inf"),
])
def test_invalid_parameters_raise(kw):
    with pytest.raises(ValueError):
        numprec.FloatFormat(**kw)


def test_formats_pickle_and_deepcopy_after_use():
    """A format that has rounded (and cached its kernel parameters) pickles
    and deep-copies through its config, and the copy rounds the same."""
    import copy
    import pickle
    x = np.linspace(-3, 3, 101)
    for fmt in [numprec.FloatFormat(5, 10), numprec.get_format("float8_e4m3fn"),
                numprec.FixedFormat(3, 4), numprec.FloatFormat(11, 0, bias=1024, name="deep")]:
        want = numprec.round(x, fmt)
        for clone in (pickle.loads(pickle.dumps(fmt)), copy.deepcopy(fmt)):
            assert clone == fmt and clone.name == fmt.name
            assert np.array_equal(numprec.round(x, clone), want)
