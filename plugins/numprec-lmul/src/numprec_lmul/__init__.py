"""numprec-lmul: L-Mul approximate multiplication for numprec.emulate.

    from numprec import emulate
    policy = emulate.Policy("e8m4", arithmetic="lmul")     # m from the compute format
    policy = emulate.Policy("bfloat16", arithmetic="lmul4")
    numprec_lmul.lmul(a, b, mantissa_bits=3)              # the bare function
"""
from numprec_lmul.lmul import LMul, lmul, offset_exponent

__all__ = ["LMul", "lmul", "offset_exponent"]
__version__ = "0.1.0"
