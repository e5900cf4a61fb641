"""Random Hadamard transforms along one axis.

Training recipes for 4-bit formats rotate groups of values by ``H D``
before quantising: ``H`` the orthonormal Sylvester-Hadamard matrix of size
``h`` (a power of two) and ``D`` a diagonal of random signs.  The rotation
spreads outliers over the group, so block maxima shrink and fewer values
are crushed to zero (Tseng et al. 2024, "QuIP#", arXiv 2402.04396;
NVIDIA, "Pretraining large language models with NVFP4", arXiv 2509.25149,
which uses 16 x 16 transforms on weight-gradient inputs).  Being
orthogonal, it is undone exactly (up to float64 rounding) by ``D H``.
"""
from __future__ import annotations

import numpy as np

import numprec


def check_hadamard(size, seed):
    """Raise ValueError unless ``size`` is a power of two >= 2 and ``seed`` a
    valid seed of the random Hadamard transform."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 2 \
            or size & (size - 1):
        raise ValueError(f"hadamard size must be a power of two >= 2, got {size!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"hadamard seed must be a non-negative integer, got {seed!r}")


def random_signs(size: int, seed: int) -> np.ndarray:
    """The diagonal of ``D``: +-1 from numprec's counter-based generator
    (stream 0 of ``seed``), so a seed always gives the same rotation."""
    check_hadamard(size, seed)
    u = numprec.RandomKey.make(seed).uniform(size)
    return np.where(u < 0.5, -1.0, 1.0)


def _matrix(size, seed):
    """``H D`` (orthonormal)."""
    import scipy.linalg          # here, not at import: scipy.linalg takes ~200 ms to import

    h = scipy.linalg.hadamard(size).astype(np.float64) / np.sqrt(size)
    return h * random_signs(size, seed)[np.newaxis, :]


def _apply(x, matrix, axis):
    x = np.asarray(x, dtype=np.float64)
    size = matrix.shape[0]
    moved = np.moveaxis(x, axis, -1)
    if moved.shape[-1] % size:
        raise ValueError(f"hadamard: the length of axis {axis} ({moved.shape[-1]}) must be a "
                         f"multiple of the transform size {size}")
    groups = moved.reshape(moved.shape[:-1] + (moved.shape[-1] // size, size))
    rotated = groups @ matrix.T
    return np.ascontiguousarray(np.moveaxis(rotated.reshape(moved.shape), -1, axis))


def random_hadamard(x, size=16, seed=0, axis=-1):
    """Rotate each group of ``size`` consecutive values along ``axis`` by
    ``H D``; the axis length must be a multiple of ``size``."""
    check_hadamard(size, seed)
    return _apply(x, _matrix(size, seed), axis)


def inverse_random_hadamard(y, size=16, seed=0, axis=-1):
    """Undo :func:`random_hadamard` (multiply the groups by ``D H``)."""
    check_hadamard(size, seed)
    return _apply(y, _matrix(size, seed).T, axis)
