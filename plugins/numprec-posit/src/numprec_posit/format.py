"""The posit<n, es> number format as a :class:`numprec.Format`."""
from __future__ import annotations

import math
import re

import numpy as np

import numprec
from numprec_posit.kernel import MODES, PositNeighbours, increments, round_nearest_even

#: elements per chunk: the temporaries of one chunk stay in the CPU caches
CHUNK = 1 << 14
_PARAMETRIC = re.compile(r"^posit(\d{1,2})(?:_(\d))?$", re.IGNORECASE)


class PositFormat(numprec.Format):
    """Posit<n, es>: tapered-precision numbers (Gustafson & Yonemoto 2017,
    "Beating floating point at its own game: posit arithmetic",
    Supercomputing Frontiers and Innovations 4(2)).

    A positive posit is ``useed**k * 2**e * (1 + f)`` with
    ``useed = 2**(2**es)``, a run-length-coded regime ``k``, ``es`` exponent
    bits and the remaining bits of fraction ``f``.  There is one zero and
    one NaR ("not a real"); NaN and +-inf inputs give NaN (NaR), -0 gives
    +0.  The 2022 posit standard fixes ``es = 2`` for every ``n``.

    Rounding (Posit Standard 2022, section 4): to nearest with ties to the
    even bit pattern, where "nearest" is measured in the posit encoding
    extended with unlimited bits; ``|x| >= maxpos`` gives ``maxpos`` and
    ``0 < |x| <= minpos`` gives ``minpos`` for every rounding scheme (a
    nonzero value never rounds to 0 or to NaR).  Stochastic rounding picks
    the next posit away from zero with probability
    ``(|x| - lower) / (upper - lower)`` (unbiased in value), the directed
    schemes and round-to-odd act on the bit pattern, and third-party
    schemes choose between the two neighbours through their ``select``.

    Parameters
    ----------
    nbits : int
        Total width n, 2..32.
    es : int
        Exponent bits, 0..4 (default 2, the 2022 standard).
    name : str, optional
        Display name; default "positN" (es = 2) or "positN_E".

    Notes
    -----
    float32 inputs are accepted when every posit is a float32 normal number
    (``nbits - 3 - es <= 23`` fraction bits and ``maxpos <= 2**127``), e.g.
    posit8 and posit16 but not posit32.
    """

    format_id = "posit"
    elementwise = True

    def __init__(self, nbits: int = 16, es: int = 2, *, name=None):
        self._n = numprec.check_int(nbits, "nbits", 2, 32)
        self._es = numprec.check_int(es, "es", 0, 4)
        self._top = (self._n - 2) * 2 ** self._es      # log2(maxpos)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        self._name = name

    # -- description -------------------------------------------------------
    @property
    def name(self):
        if self._name is not None:
            return self._name
        return f"posit{self._n}" if self._es == 2 else f"posit{self._n}_{self._es}"

    def get_config(self):
        return {"id": self.format_id, "name": self.name, "nbits": self._n, "es": self._es}

    nbits = property(lambda self: self._n, doc="Total width in bits.")
    es = property(lambda self: self._es, doc="Exponent field width.")
    bits = nbits

    @property
    def useed(self) -> float:
        """``2**(2**es)``: the factor between consecutive regimes."""
        return math.ldexp(1.0, 2 ** self._es)

    @property
    def maxpos(self) -> float:
        """Largest posit, ``useed**(n - 2)``."""
        return math.ldexp(1.0, self._top)

    @property
    def minpos(self) -> float:
        """Smallest positive posit, ``useed**-(n - 2)``."""
        return math.ldexp(1.0, -self._top)

    max = maxpos

    @property
    def max_fraction_bits(self) -> int:
        """Fraction bits of the posits nearest 1 (``n - 3 - es``, at least 0)."""
        return max(self._n - 3 - self._es, 0)

    def describe(self) -> str:
        """One line for ``python -m numprec formats``."""
        return (f"{self._n:>2} bits  posit es={self._es}  maxpos={self.maxpos:.6g}  "
                f"minpos={self.minpos:.6g}  eps(1)={2.0 ** -self.max_fraction_bits:.3g}")

    # -- rounding ----------------------------------------------------------
    def check_dtype(self, dtype):
        if dtype == np.float32 and (self.max_fraction_bits > 23 or self._top > 127):
            raise ValueError(f"fmt {self.name!r} has values float32 cannot hold "
                             f"({self.max_fraction_bits} fraction bits, maxpos 2**{self._top}); "
                             "pass x as float64")

    def round_into(self, x, out, scheme, key):
        mode = scheme.name if scheme.name in MODES and scheme.select is None else None
        if mode is None and scheme.select is None:
            raise ValueError(f"rounding: posit formats do not implement {scheme.name!r}")
        random_bits = 53 if key.bits is None else min(int(key.bits), 53)
        flat_x = x.reshape(-1)                  # a copy for non-contiguous x
        direct = out.flags.c_contiguous
        flat_out = out.reshape(-1) if direct else np.empty(x.size, dtype=x.dtype)
        for lo in range(0, flat_x.size, CHUNK):
            hi = min(lo + CHUNK, flat_x.size)
            chunk = flat_x[lo:hi].astype(np.float64, copy=False)     # never written to
            rounded = self._round_chunk(chunk, mode, scheme, key.shifted(lo), random_bits)
            flat_out[lo:hi] = rounded
        if not direct:
            out[...] = flat_out.reshape(x.shape)

    def _round_chunk(self, chunk, mode, scheme, rng, random_bits):
        if mode == "nearest_even" and self._n > 2:
            bits = round_nearest_even(chunk.view(np.uint64), self._n, self._es, self.maxpos,
                                      self.minpos)
            return bits.view(np.float64)
        nb = PositNeighbours(chunk.view(np.uint64), self._n, self._es, self.maxpos, self.minpos)
        needs_random = mode in ("stochastic", "stochastic_uniform") or mode is None
        u = rng.uniform(chunk.size) if needs_random else None
        if mode is not None:
            u53 = None if u is None else (u * 2.0 ** 53).astype(np.uint64)
            return nb.pick(increments(nb, mode, u53, random_bits)).view(np.float64)
        return self._select(chunk, nb, scheme, u)

    def _select(self, chunk, nb, scheme, u):
        """Third-party schemes choose between the signed neighbours."""
        lo_mag, hi_mag = nb.lower.view(np.float64), nb.upper.view(np.float64)
        negative = nb.sign != 0
        lower = np.where(negative, -hi_mag, lo_mag)
        upper = np.where(negative, -lo_mag, hi_mag)
        lower[nb.special] = np.nan
        upper[nb.special] = np.nan
        lower[nb.zero] = 0.0
        upper[nb.zero] = 0.0
        result = np.asarray(scheme.select(chunk, lower, upper, u), dtype=np.float64)
        bad = ~((result == lower) | (result == upper) | np.isnan(result))
        if bad.any():
            raise ValueError(f"rounding scheme {scheme.name!r} returned a value that is not "
                             "one of the two neighbours of its input")
        return result


def parse_posit_name(name: str):
    """``"positN"`` (es = 2) or ``"positN_E"`` -> PositFormat, else None."""
    match = _PARAMETRIC.match(name)
    if match is None:
        return None
    es = 2 if match.group(2) is None else int(match.group(2))
    return PositFormat(int(match.group(1)), es)
