"""numprec.round's axis= for block formats, and RandomKey.words."""
import numpy as np
import pytest

import numprec


def test_axis_is_refused_for_elementwise_formats():
    with pytest.raises(ValueError, match="axis applies to block formats"):
        numprec.round(np.ones((2, 3)), "binary16", axis=0)


def test_random_words_are_the_stochastic_schemes_numbers():
    # 1 + 2**-11 is a binary16 midpoint: its 42 discarded bits are 2**41, and
    # stochastic rounding adds the top 42 random bits of the element's word,
    # so it rounds up exactly when those bits are >= 2**41.
    key = numprec.RandomKey.make(seed=5, stream=2, offset=10)
    words = key.words(1000)
    x = np.full(1000, 1.0 + 2.0 ** -11)
    got = numprec.round(x, "binary16", "stochastic", seed=5, stream=2, offset=10)
    up = (words >> np.uint64(22)) >= np.uint64(2 ** 41)
    assert np.array_equal(got == 1.0 + 2.0 ** -10, up)
    assert 400 < up.sum() < 600
