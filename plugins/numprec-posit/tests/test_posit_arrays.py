"""Specials, dtypes, shapes, layouts and argument errors."""
import numpy as np
import pytest

import numprec
from numprec_posit import PositFormat


def test_nan_and_infinities_become_nar_and_zero_loses_its_sign():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])
    got = numprec.round(x, "posit16")
    assert np.isnan(got[:3]).all()
    assert np.array_equal(got[3:].view(np.uint64), np.zeros(2, dtype=np.uint64))


def test_saturation_at_maxpos_and_minpos():
    fmt = numprec.get_format("posit16")
    assert fmt.maxpos == 2.0 ** 56 and fmt.minpos == 2.0 ** -56      # useed**(n-2), es = 2
    x = np.array([1e300, 2.0 ** 57, -2.0 ** 56 * 1.5, 1e-300, -5e-324, 2.0 ** -57])
    want = np.array([2.0 ** 56, 2.0 ** 56, -2.0 ** 56, 2.0 ** -56, -2.0 ** -56, 2.0 ** -56])
    assert np.array_equal(numprec.round(x, "posit16"), want)


def test_float32_input_where_results_fit():
    rng = np.random.default_rng(4)
    x32 = (rng.normal(size=10_000) * 10.0 ** rng.integers(-8, 8, 10_000)).astype(np.float32)
    got = numprec.round(x32, "posit16")
    assert got.dtype == np.float32
    assert np.array_equal(got.astype(np.float64), numprec.round(x32.astype(np.float64), "posit16"))


def test_float32_input_refused_for_posit32():
    with pytest.raises(ValueError, match="posit32"):
        numprec.round(np.ones(3, dtype=np.float32), "posit32")


def test_scalars_shapes_layouts_and_in_place():
    assert numprec.round(1.1, "posit8") == 1.125
    assert isinstance(numprec.round(1.1, "posit8"), np.float64)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(60, 70))
    flat = numprec.round(x.ravel(), "posit16", "stochastic", seed=3)
    assert np.array_equal(numprec.round(x, "posit16", "stochastic", seed=3), flat.reshape(x.shape))
    strided = x[:, ::3]
    want = numprec.round(np.ascontiguousarray(strided), "posit16", "stochastic", seed=3)
    assert np.array_equal(numprec.round(strided, "posit16", "stochastic", seed=3), want)
    out = np.empty((70, 60)).T                    # Fortran-ordered output
    numprec.round(x, "posit16", out=out)
    assert np.array_equal(out, numprec.round(x, "posit16"))
    y = x.copy()
    numprec.round(y, "posit16", out=y)
    assert np.array_equal(y, numprec.round(x, "posit16"))


@pytest.mark.parametrize("args, match", [((33, 2), "nbits"), ((16, 5), "es"), ((1, 0), "nbits")])
def test_bad_parameters_name_the_argument(args, match):
    with pytest.raises(ValueError, match=match):
        PositFormat(*args)


def test_bad_parametric_name_is_a_clear_error():
    with pytest.raises(ValueError, match="posit40"):
        numprec.get_format("posit40")
    with pytest.raises(TypeError, match="es"):
        PositFormat(16, 2.0)
