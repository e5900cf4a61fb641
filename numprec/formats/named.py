"""The named formats numprec ships (registered by the built-in plugin)."""
from __future__ import annotations

from numprec.formats.float_format import FloatFormat


def builtin_formats():
    """``(name, format, aliases)`` for every built-in named format.

    The ml_dtypes names follow ml_dtypes' semantics on finite inputs; the
    OCP ones are from the OCP 8-bit floating point specification (2023) and
    the OCP Microscaling Formats specification v1.0.
    """
    f = FloatFormat
    return [
        ("binary16", f(5, 10, name="binary16"), ("float16", "fp16", "half")),
        ("bfloat16", f(8, 7, name="bfloat16"), ("bf16",)),
        ("tf32", f(8, 10, name="tf32"), ()),
        ("binary32", f(8, 23, name="binary32"), ("float32", "fp32", "single")),
        ("binary64", f(11, 52, name="binary64"), ("float64", "fp64", "double")),
        ("float8_e4m3fn", f(4, 3, infinities=False, nan="fn", name="float8_e4m3fn"), ()),
        ("float8_e5m2", f(5, 2, name="float8_e5m2"), ()),
        ("float8_e4m3fnuz", f(4, 3, infinities=False, nan="fnuz", name="float8_e4m3fnuz"), ()),
        ("float8_e5m2fnuz", f(5, 2, infinities=False, nan="fnuz", name="float8_e5m2fnuz"), ()),
        ("float8_e4m3", f(4, 3, name="float8_e4m3"), ()),
        ("float8_e3m4", f(3, 4, name="float8_e3m4"), ()),
        ("float6_e2m3fn", f(2, 3, infinities=False, nan="none", name="float6_e2m3fn"), ()),
        ("float6_e3m2fn", f(3, 2, infinities=False, nan="none", name="float6_e3m2fn"), ()),
        ("float4_e2m1fn", f(2, 1, infinities=False, nan="none", name="float4_e2m1fn"), ()),
        ("float8_e8m0fnu", f(8, 0, bias=127, subnormals=False, infinities=False, nan="fn",
                             signed=False, zero=False, name="float8_e8m0fnu"), ()),
    ]
