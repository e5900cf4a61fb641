"""Cutting an array into blocks along one axis and putting it back."""
from __future__ import annotations

import numpy as np


class BlockLayout:
    """Blocks of ``block_size`` consecutive elements along ``axis``.

    The last block of the axis may be shorter (the axis length need not be
    a multiple of the block size); it is padded with zeros, which change
    neither the block maximum nor any element.
    """

    def __init__(self, shape, axis, block_size):
        ndim = max(len(shape), 1)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"axis must be an integer, got {axis!r}")
        if not -ndim <= axis < ndim:
            raise ValueError(f"axis {axis} is out of range for x with {len(shape)} dimensions")
        self.shape = tuple(shape) if shape else (1,)
        self.axis = int(axis) % ndim
        self.block_size = block_size
        self.length = self.shape[self.axis]
        self.nblocks = -(-self.length // block_size)
        self.pad = self.nblocks * block_size - self.length

    def to_blocks(self, a):
        """``a`` (x's shape) as (..., nblocks, block_size) with the axis last."""
        a = np.moveaxis(a.reshape(self.shape), self.axis, -1)
        if self.pad:
            widths = [(0, 0)] * (a.ndim - 1) + [(0, self.pad)]
            a = np.pad(a, widths)
        return a.reshape(a.shape[:-1] + (self.nblocks, self.block_size))

    def from_blocks(self, b):
        """Inverse of :meth:`to_blocks` (drops the padding), C-contiguous."""
        a = b.reshape(b.shape[:-2] + (self.nblocks * self.block_size,))[..., :self.length]
        return np.ascontiguousarray(np.moveaxis(a, -1, self.axis))

    def scales_shape(self):
        """Shape of the per-block scales: x's shape with the axis -> nblocks."""
        shape = list(self.shape)
        shape[self.axis] = self.nblocks
        return tuple(shape)

    def scales_from_blocks(self, s):
        """Per-block values (..., nblocks) laid out like x (axis -> nblocks)."""
        return np.ascontiguousarray(np.moveaxis(s, -1, self.axis))
