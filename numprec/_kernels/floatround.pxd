from libc.stdint cimport uint64_t
from numprec._kernels.floatcore cimport FloatSpec


cdef class Spec:
    """The parameters of one format as the kernels need them."""
    cdef FloatSpec spec
    cdef bint fast               # the normal-range fast path applies
    cdef uint64_t fast_lo        # float64 bits of the smallest normal value
    cdef uint64_t fast_span      # max_bits - fast_lo
