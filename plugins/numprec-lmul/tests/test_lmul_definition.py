"""L-Mul against the paper's definition and an integer-adder oracle."""
import numpy as np
import pytest

from numprec_lmul import LMul, lmul, offset_exponent


def test_offset_exponent_is_the_papers_l_of_m():
    # Luo & Sun 2024, eq. for L-Mul: l(m) = m (m <= 3), 3 (m = 4), 4 (m > 4)
    assert [offset_exponent(m) for m in range(1, 9)] == [1, 2, 3, 3, 4, 4, 4, 4]
    assert offset_exponent(23) == 4
    with pytest.raises(ValueError, match="mantissa_bits"):
        offset_exponent(0)


# Worked by hand from (1 + x_m + y_m + 2**-l) 2**(x_e + y_e); m = 3 so l = 3.
HAND = [
    (1.5, 1.25, 1.875, 1.875),        # 0.5 + 0.25 + 0.125 = 0.875: no carry (exact here)
    (-3.0, 0.375, -1.125, -1.0625),   # 1.5*2**1 x 1.5*2**-2: 0.5+0.5+0.125 = 1.125 -> carry:
                                      # (1 + 0.125) 2**(1-2+1); formula (1 + 1.125) 2**-1
    (1.75, 1.75, 3.25, 2.625),        # 0.75+0.75+0.125 = 1.625: bits 2*1.625, formula 2.625
    (1.0, 1.0, 1.125, 1.125),         # 0 + 0 + 0.125
    (-1.0, -2.0, 2.25, 2.25),         # signs XOR
]


@pytest.mark.parametrize("x, y, bits, formula", HAND)
def test_hand_worked_examples(x, y, bits, formula):
    assert lmul(x, y, 3) == bits
    assert lmul(x, y, 3, carry="formula") == formula


def test_double_carry_when_the_offset_pushes_the_sum_past_two():
    # m = 7, l = 4: x_m = 127/128, y_m = 122/128, offset 8/128 -> sum 257/128: the
    # mantissa field overflows twice, leaving 1/128: (1 + 1/128) * 2**(0 + 0 + 2)
    assert lmul(1 + 127 / 128, 1 + 122 / 128, 7) == 4 * (1 + 1 / 128)


def test_operands_are_read_with_their_top_m_bits():
    # 1.9375 = 1.1111b: with m = 2 it is read as 1.75 (1.11b): 0.75 + 0 + 0.25 -> 2.0
    assert lmul(1.9375, 1.0, 2) == 2.0


def adder_oracle(x, y, m):
    """The paper's implementation, generalised from its FP32 PTX: add the bit
    patterns of an 8-bit-exponent, m-bit-mantissa format as integers,
    subtract the pattern of 1.0 and add the offset in the mantissa field."""
    bias = 127

    def pattern(v):
        f, e = np.frexp(abs(v))                      # exact decomposition
        mant = int((2 * f - 1) * 2 ** m)             # the top m bits (x is m-bit here)
        return (int(e) - 1 + bias) << m | mant

    r = pattern(x) + pattern(y) - (bias << m) + (1 << (m - offset_exponent(m)))
    field, mant = r >> m, r & ((1 << m) - 1)
    value = (1 + mant / 2 ** m) * 2.0 ** (field - bias)
    return -value if (x < 0) != (y < 0) else value


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5, 7])
def test_matches_integer_adder_on_every_pair_of_a_binade_range(m):
    signif = 1 + np.arange(2 ** m) / 2 ** m
    values = np.concatenate([signif * 2.0 ** k for k in (-3, 0, 2)] + [-signif * 0.5])
    x, y = np.meshgrid(values, values)
    got = lmul(x, y, m)
    want = np.array([[adder_oracle(a, b, m) for a, b in zip(ra, rb)] for ra, rb in zip(x, y)])
    assert np.array_equal(got, want)


def test_matches_the_papers_fp32_bit_trick():
    """FP32: add the uint32 patterns, subtract 0x3F800000 (1.0), add the
    offset 2**-4 at mantissa bit 19 (l(23) = 4), as in the paper's figure 2."""
    rng = np.random.default_rng(0)
    x = (rng.uniform(0.5, 4, 5000) * rng.choice([-1, 1], 5000)).astype(np.float32)
    y = rng.uniform(0.5, 4, 5000).astype(np.float32)
    bits = (np.abs(x).view(np.uint32).astype(np.int64) + y.view(np.uint32) - 0x3F800000
            + (1 << 19)).astype(np.uint32)
    want = bits.view(np.float32).astype(np.float64) * np.sign(x)
    assert np.array_equal(lmul(x.astype(np.float64), y.astype(np.float64), 23), want)


def test_specials_follow_ieee():
    a = np.array([0.0, -0.0, np.inf, np.inf, np.nan, 2.0, -np.inf])
    b = np.array([3.0, 3.0, 0.0, -2.0, 1.0, np.nan, -1.0])
    got = lmul(a, b, 4)
    with np.errstate(invalid="ignore"):
        want = a * b
    assert np.array_equal(got, want, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def test_broadcasting_and_result_dtype():
    out = lmul(np.ones((3, 1)), np.ones(4) * 1.5, 4)
    assert out.shape == (3, 4) and out.dtype == np.float64


def test_scheme_object_takes_m_from_the_compute_format():
    import numprec
    adaptive = LMul()
    e8m4 = numprec.FloatFormat(8, 4)
    assert adaptive.multiply(1.5, 1.5, e8m4) == lmul(1.5, 1.5, 4)
    with pytest.raises(ValueError, match="compute format"):
        adaptive.check_format(numprec.FixedFormat(4, 4))
    LMul(3).check_format(numprec.FixedFormat(4, 4))            # fixed m: any format
    with pytest.raises(ValueError, match="carry"):
        LMul(3, carry="round")
