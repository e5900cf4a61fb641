"""Third-party rounding schemes (``select``) on posits: the directed choices
equal the posit kernel's own directed modes, and symmetric schemes are odd
in x (posits are symmetric: -p is a posit for every posit p), from minpos
and below to far beyond maxpos."""
import numpy as np
import pytest

import numprec
from numprec import RoundingScheme

SCHEMES = {
    "down": RoundingScheme("posit_test_down", select=lambda x, lo, hi, u: lo),
    "up": RoundingScheme("posit_test_up", select=lambda x, lo, hi, u: hi),
    "toward_zero": RoundingScheme(
        "posit_test_toward_zero",
        select=lambda x, lo, hi, u: np.where(np.abs(lo) <= np.abs(hi), lo, hi)),
}


def nearest_ties_to_zero(x, lower, upper, u):
    below, above = x - lower, upper - x
    toward_zero = np.where(np.abs(lower) <= np.abs(upper), lower, upper)
    return np.where(below < above, lower, np.where(above < below, upper, toward_zero))


def inputs(fmt):
    rng = np.random.default_rng(5)
    exps = np.log2([fmt.minpos, fmt.maxpos])
    x = np.exp2(rng.uniform(exps[0] - 4, exps[1] + 4, 20000))
    x = np.concatenate([x, [0.0, fmt.minpos, fmt.maxpos, fmt.maxpos * 1.5, 1e300,
                            np.finfo(np.float64).max]])
    return np.concatenate([x, -x])


@pytest.mark.parametrize("name", ["posit8_0", "posit8_2", "posit16_1"])
@pytest.mark.parametrize("rule", sorted(SCHEMES))
def test_directed_select_equals_posit_modes(name, rule):
    fmt = numprec.get_format(name)
    x = inputs(fmt)
    np.testing.assert_array_equal(numprec.round(x, fmt, SCHEMES[rule]), numprec.round(x, fmt, rule))


@pytest.mark.parametrize("name", ["posit8_0", "posit8_2", "posit16_1"])
def test_symmetric_select_is_odd_in_x(name):
    fmt = numprec.get_format(name)
    x = inputs(fmt)
    scheme = RoundingScheme("posit_test_ties_to_zero", select=nearest_ties_to_zero)
    plus, minus = numprec.round(x, fmt, scheme), numprec.round(-x, fmt, scheme)
    np.testing.assert_array_equal(minus, -plus)
    assert np.abs(plus).max() == fmt.maxpos          # posits saturate at maxpos
