"""A slow, straightforward block-by-block reference written from the specs.

Sources: OCP Microscaling Formats (MX) Specification v1.0 (2023): element
encodings (section 5), conversion (section 6.3: shared_exp =
floor(log2(max|V_i|)) - emax_elem, X = 2**shared_exp, P_i = V_i / X rounded
to nearest even in the element format with normal numbers clamped), E8M0
range 2**-127 .. 2**127; NVIDIA's NVFP4 recipe (arXiv 2509.25149):
global scale amax_tensor / (6 * 448) in FP32, block scale
round_to_e4m3(amax_block / 6 / global), elements x / (block * global)
rounded to E2M1.  Everything is exact (fractions); element values come from
tables enumerated from the encodings, not from numprec.
"""
import math
from fractions import Fraction

E8M0_MIN, E8M0_MAX = -127, 127


def float_table(ebits, mbits, bias, top="ieee"):
    """Non-negative values of a sign-exponent-mantissa format in encoding
    order (so the index is the encoding's magnitude bits).  ``top``: "ieee"
    (all-ones exponent reserved), "fn" (only the all-ones pattern is NaN),
    "none" (every pattern finite)."""
    values = []
    for field in range(2 ** ebits):
        for mant in range(2 ** mbits):
            if top == "ieee" and field == 2 ** ebits - 1:
                continue
            if top == "fn" and field == 2 ** ebits - 1 and mant == 2 ** mbits - 1:
                continue
            if field == 0:
                values.append(Fraction(mant, 2 ** mbits) * Fraction(2) ** (1 - bias))
            else:
                values.append((1 + Fraction(mant, 2 ** mbits)) * Fraction(2) ** (field - bias))
    return values


# The element formats of OCP MX v1.0 (section 5.3; FP8 from the OCP 8-bit
# floating point specification): exponent bias, which patterns are special.
E4M3 = float_table(4, 3, 7, "fn")          # max 448
E5M2 = float_table(5, 2, 15, "ieee")       # max 57344
E2M3 = float_table(2, 3, 1, "none")        # max 7.5
E3M2 = float_table(3, 2, 3, "none")        # max 28
E2M1 = [Fraction(v) for v in ("0", "0.5", "1", "1.5", "2", "3", "4", "6")]   # the spec's table
INT8 = [Fraction(k, 64) for k in range(0, 128)]   # two's complement, implicit scale 2**-6

EMAX = {"E4M3": 8, "E5M2": 15, "E2M3": 2, "E3M2": 4, "E2M1": 2, "INT8": 0}
TABLES = {"E4M3": E4M3, "E5M2": E5M2, "E2M3": E2M3, "E3M2": E3M2, "E2M1": E2M1, "INT8": INT8}


def neighbours_in(table, a):
    """Index i with table[i] <= a <= table[i+1] for 0 <= a <= max."""
    lo = max(i for i, v in enumerate(table) if v <= a)
    return lo


def round_to_table(v, table, mode="nearest_even"):
    """v rounded in the signed format whose non-negative values are ``table``
    (symmetric), clamped to +-max first (the spec's clamping)."""
    sign = -1 if v < 0 else 1
    a = min(abs(v), table[-1])
    i = neighbours_in(table, a)
    if table[i] == a:
        return sign * a
    low, high = table[i], table[i + 1]
    if mode == "toward_zero":
        return sign * low
    if a - low < high - a:
        return sign * low
    if a - low > high - a:
        return sign * high
    return sign * (low if i % 2 == 0 else high)        # tie: even encoding


def neighbours(v, table):
    """The two signed element values around v (after clamping)."""
    sign = -1 if v < 0 else 1
    a = min(abs(v), table[-1])
    i = neighbours_in(table, a)
    if table[i] == a:
        return sign * a, sign * a
    return sorted([sign * table[i], sign * table[i + 1]])


def floor_log2(a):
    """floor(log2(a)) for a positive Fraction, exactly."""
    e = math.floor(math.log2(a.numerator)) - math.floor(math.log2(a.denominator))
    while Fraction(2) ** e > a:
        e -= 1
    while Fraction(2) ** (e + 1) <= a:
        e += 1
    return e


def mx_shared_exponent(block, element):
    """The spec's shared exponent of a block (list of floats), None for NaN."""
    if any(math.isnan(v) or math.isinf(v) for v in block):
        return None
    amax = max(abs(Fraction(v)) for v in block)
    if amax == 0:
        return E8M0_MIN
    shared = floor_log2(amax) - EMAX[element]
    if shared > E8M0_MAX:
        return None
    return max(shared, E8M0_MIN)


def mx_block(block, element, mode="nearest_even"):
    """Dequantised values of one MX block (floats; NaN for a NaN scale)."""
    shared = mx_shared_exponent(block, element)
    if shared is None:
        return [math.nan] * len(block)
    scale = Fraction(2) ** shared
    return [float(round_to_table(Fraction(v) / scale, TABLES[element], mode) * scale)
            for v in block]


def round_binary(a, precision):
    """Positive Fraction a to ``precision`` significand bits, nearest even,
    unbounded exponent (Python's round() of a Fraction is half-to-even)."""
    e = floor_log2(a)
    quantum = Fraction(2) ** (e - precision + 1)
    return round(a / quantum) * quantum


def nvfp4_global_scale(finite_values, scale_max=448):
    amax = max((abs(Fraction(v)) for v in finite_values), default=Fraction(0))
    if amax == 0:
        return Fraction(1)
    return round_binary(amax / (6 * scale_max), 24)


def nvfp4_block(block, global_scale, scale_table=E4M3, mode="nearest_even"):
    """Dequantised values of one NVFP4 block (floats)."""
    if any(math.isnan(v) or math.isinf(v) for v in block):
        return [math.nan] * len(block)
    amax = max(abs(Fraction(v)) for v in block)
    scale = round_to_table(amax / 6 / global_scale, scale_table)     # saturates at 448
    if scale == 0:
        return [0.0] * len(block)
    d = scale * global_scale
    return [float(round_to_table(Fraction(v) / d, E2M1, mode) * d) for v in block]


def blocks_of(row, size):
    return [row[i:i + size] for i in range(0, len(row), size)]


def mx_reference(x2d, element, block_size=32):
    """Row by row (blocks along the last axis) reference of an MX format."""
    return [[v for blk in blocks_of(list(row), block_size) for v in mx_block(blk, element)]
            for row in x2d]


def nvfp4_reference(x2d, block_size=16, scale_table=E4M3):
    flat = [v for row in x2d for v in row if math.isfinite(v)]
    g = nvfp4_global_scale(flat, scale_table[-1])
    return [[v for blk in blocks_of(list(row), block_size)
             for v in nvfp4_block(blk, g, scale_table)] for row in x2d]
