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
