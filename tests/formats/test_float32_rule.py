"""float32 inputs are refused exactly when a result could exceed float32."""
import numpy as np
import pytest

import numprec


@pytest.mark.parametrize("fmt", [
    numprec.FloatFormat(11, 10),                                     # 2**128 from max32
    numprec.FloatFormat(9, 30, infinities=False, nan="none"),        # inf -> max > max32
])
def test_formats_whose_results_float32_cannot_hold_are_refused(fmt):
    with pytest.raises(ValueError, match="fmt .* float32"):
        numprec.round(np.ones(3, np.float32), fmt)


def test_float32_allowed_where_every_result_fits():
    x = np.array([np.finfo(np.float32).max, np.inf, 1e-45], dtype=np.float32)
    wide = numprec.FloatFormat(11, 30)                    # more bits: every float32 is exact
    assert np.array_equal(numprec.round(x, wide), x)
    nan_over = numprec.FloatFormat(9, 30, infinities=False, nan="fn")   # inf -> NaN
    assert np.isnan(numprec.round(x, nan_over)[1])


# --- the rule against MPFR: refused exactly when some float32 input rounds to a
# value float32 cannot hold ----------------------------------------------------
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rounding"))
from mpfr_oracle import DETERMINISTIC_MODES, Spec, make_format, mpfr_round  # noqa: E402

F32 = np.finfo(np.float32)


def _witness_inputs(spec):
    """float32 inputs where a result float32 cannot hold would show: float32's
    max and its neighbour, the format's max and its float32 neighbours, values
    far beyond it, infinities, the smallest float32 values."""
    with np.errstate(over="ignore"):
        near_max = np.float32(min(spec.max, float(F32.max)))
        cands = [F32.max, np.nextafter(F32.max, np.float32(0)), near_max,
                 np.nextafter(near_max, np.float32(np.inf)), np.nextafter(near_max, np.float32(0)),
                 np.float32(1e30), np.float32(np.inf), F32.smallest_subnormal,
                 np.float32(3e-45), F32.smallest_normal, np.float32(1.0)]
    x = np.array(cands, dtype=np.float32)
    x = x[np.isfinite(x) | np.isinf(x)]
    return np.concatenate([x, -x])


SPECS_FOR_RULE = [
    Spec(4, 24), Spec(5, 30, infinities=False, nan="none"), Spec(11, 52), Spec(8, 23),
    Spec(8, 30), Spec(8, 22), Spec(11, 10), Spec(9, 30, infinities=False, nan="none"),
    Spec(9, 30, infinities=False, nan="fn"), Spec(4, 24, overflow="saturate"),
    Spec(6, 40, infinities=False, nan="fn"), Spec(8, 24, bias=126), Spec(8, 23, bias=128),
    Spec(5, 10), Spec(8, 7), Spec(11, 0, bias=1024),
    Spec(10, 0, subnormals=False, infinities=False, nan="fn", signed=False, zero=False, bias=1022),
]


@pytest.mark.parametrize("spec", SPECS_FOR_RULE, ids=lambda s: repr(s))
def test_float32_refused_exactly_when_mpfr_gives_a_value_float32_cannot_hold(spec):
    fmt = make_format(numprec, spec)
    x = _witness_inputs(spec)
    want = mpfr_round(x.astype(np.float64), spec, DETERMINISTIC_MODES)
    fits = True
    for w in want.values():
        fin = w[np.isfinite(w)]
        with np.errstate(over="ignore"):
            fits &= bool((fin.astype(np.float32).astype(np.float64) == fin).all())
    if not fits:
        with pytest.raises(ValueError, match="float32 cannot hold"):
            numprec.round(x, fmt)
        return
    for mode, w in want.items():
        got = numprec.round(x, fmt, mode)
        assert got.dtype == np.float32
        same = (got.astype(np.float64) == w) | (np.isnan(got) & np.isnan(w))
        assert same.all(), (mode, x[~same], got[~same], w[~same])


def test_issue_examples_float32_above_max():
    with pytest.raises(ValueError, match="largest value"):
        numprec.round(np.float32(1e30), numprec.FloatFormat(4, 24), "toward_zero")
    with pytest.raises(ValueError, match="largest value"):
        numprec.round(np.float32(1e30), numprec.FloatFormat(5, 30, infinities=False, nan="none"))
