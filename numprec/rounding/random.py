"""Keys of numprec's counter-based random numbers."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

import numpy as np

_U64 = 2 ** 64


def check_uint64(value, argument):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{argument} must be a non-negative integer, got {value!r}")
    if not 0 <= int(value) < _U64:
        raise ValueError(f"{argument} must be in [0, 2**64), got {value}")
    return int(value)


@dataclass(frozen=True)
class RandomKey:
    """Where an array's random numbers come from.

    Element ``i`` (flat C-order index) of an array rounded with this key
    uses counter ``offset + i`` of stream ``stream`` under ``seed``: the
    counter-th output of a SplitMix64 sequence whose start is a hash of
    (seed, stream) (Steele, Lea & Flood 2014).  The numbers therefore do not
    depend on threads or chunking, and a chunk of a larger array passes its
    start as ``offset`` to get the numbers the whole array would.
    """

    seed: int
    stream: int = 0
    offset: int = 0
    #: random bits stochastic rounding may use (None: all 64)
    bits: Optional[int] = None

    @classmethod
    def make(cls, seed=None, stream=0, offset=0, bits=None):
        """A key from checked arguments.

        Parameters
        ----------
        seed : int, optional
            Non-negative integer below ``2**64``; None draws a fresh one from
            :mod:`secrets` (not reproducible).
        stream, offset : int
            Stream number and first counter, non-negative, below ``2**64``.
        bits : int, optional
            Random bits stochastic rounding may use (None: all 64).

        Returns
        -------
        RandomKey

        Examples
        --------
        >>> from numprec import RandomKey
        >>> RandomKey.make(seed=42, stream=3).offset
        0
        """
        if seed is None:
            import secrets          # ~10 ms at import time; only fresh seeds need it
            seed = secrets.randbits(64)
        else:
            seed = check_uint64(seed, "seed")
        return cls(seed, check_uint64(stream, "stream"), check_uint64(offset, "offset"), bits)

    def shifted(self, offset: int) -> "RandomKey":
        """The same key, ``offset`` counters further on.

        Parameters
        ----------
        offset : int
            How many counters to skip (a chunk's start in a larger array).

        Returns
        -------
        RandomKey
        """
        return replace(self, offset=self.offset + offset)

    @property
    def key(self) -> int:
        """The 64-bit start of the stream: the hash of (seed, stream) that
        the kernels count from."""
        from numprec._kernels.floatround import key_for
        return key_for(self.seed, self.stream)

    def words(self, n: int) -> np.ndarray:
        """The 64-bit random words of counters offset .. offset+n-1 (the
        numbers the built-in stochastic schemes use), as uint64.

        Parameters
        ----------
        n : int
            Number of words.

        Returns
        -------
        numpy.ndarray
            ``n`` uint64 words.

        Examples
        --------
        A chunk's words are the whole array's words from its offset on:

        >>> import numpy as np
        >>> from numprec import RandomKey
        >>> key = RandomKey.make(seed=7)
        >>> bool(np.array_equal(key.words(10)[4:], key.shifted(4).words(6)))
        True
        """
        from numprec._kernels.floatround import random_uint64
        words = np.empty(n, dtype=np.uint64)
        random_uint64(words, self.key, self.offset)
        return words

    def uniform(self, n: int) -> np.ndarray:
        """``n`` uniform doubles in [0, 1) (53 bits of each word).

        Parameters
        ----------
        n : int
            Number of values.

        Returns
        -------
        numpy.ndarray
            ``n`` float64 values, ``(word >> 11) * 2**-53``.
        """
        return (self.words(n) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
