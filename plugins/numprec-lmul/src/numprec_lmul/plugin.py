"""The numprec hook of numprec-lmul (registered as entry point ``lmul``)."""
import numprec

from numprec_lmul.lmul import LMul

#: mantissa widths registered as "lmulM": the paper's 2..5, bfloat16's 7,
#: binary16's 10, binary32's 23
REGISTERED_BITS = (2, 3, 4, 5, 7, 10, 23)


@numprec.hookimpl
def numprec_arithmetics():
    entries = [numprec.ArithmeticEntry("lmul", LMul())]
    entries += [numprec.ArithmeticEntry(f"lmul{m}", LMul(m)) for m in REGISTERED_BITS]
    entries.append(numprec.ArithmeticEntry("lmul_formula", LMul(carry="formula")))
    return entries
