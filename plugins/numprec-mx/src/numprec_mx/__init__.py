"""numprec-mx: block-scaled number formats for numprec.

OCP Microscaling v1.0 (mxfp8_e4m3, mxfp8_e5m2, mxfp6_e2m3, mxfp6_e3m2,
mxfp4, mxint8), NVIDIA's NVFP4 (nvfp4, nvfp4_rht16) and block floating
point (bfp4, bfp8, bfp16; "bfpN" for any N), with blocks along a chosen
axis::

    import numprec, numprec_mx
    y = numprec.round(x, "mxfp4")                         # dequantised values
    y = numprec.round(x, numprec.get_format("nvfp4").with_axis(0), "stochastic", seed=1)
    enc = numprec_mx.quantize(x, "mxfp8_e4m3")            # elements and scales
    numprec_mx.dequantize(enc)
"""
from numprec_mx.encode import BlockEncoding, dequantize, quantize
from numprec_mx.formats import (
    SCALE_FORMATS, BlockScaledFormat, bfp, mx, nvfp4, parse_block_name,
)
from numprec_mx.hadamard import inverse_random_hadamard, random_hadamard

#: the class named in the design notes
MXFormat = BlockScaledFormat

__all__ = ["BlockScaledFormat", "MXFormat", "BlockEncoding", "quantize", "dequantize", "mx",
           "nvfp4", "bfp", "parse_block_name", "SCALE_FORMATS", "random_hadamard",
           "inverse_random_hadamard"]
__version__ = "0.1.0"
