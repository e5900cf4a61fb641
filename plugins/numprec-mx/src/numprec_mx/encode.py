"""Quantise to a block-scaled format (elements and scales) and back.

The work is done on the array viewed as rows along the block axis and in
chunks of about :data:`CHUNK` values (whole rows, or whole blocks of one
long row), so that the temporaries stay in the CPU caches.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import numprec
from numprec_mx.hadamard import inverse_random_hadamard, random_hadamard
from numprec_mx.scaling import (
    divide_to_odd, fitted_scales, power_of_two_exponents, scale_by_power_of_two, tensor_scale,
)

#: values per chunk
CHUNK = 1 << 15


@dataclass(frozen=True)
class BlockEncoding:
    """A block-scaled encoding of an array.

    Attributes
    ----------
    elements : numpy.ndarray
        float64, the shape of ``x``: values of ``format.element`` (NaN in
        blocks whose scale is NaN).
    scales : numpy.ndarray
        float64, ``x``'s shape with ``format.axis`` shortened to the number
        of blocks: values of ``format.scale`` (0 for an all-zero block with
        a scale format that has zero), NaN for blocks holding NaN or inf.
    tensor_scale : float
        The per-tensor scale (1.0 for formats without one).
    format : BlockScaledFormat
    """

    elements: np.ndarray
    scales: np.ndarray
    tensor_scale: float
    format: "object"

    def values(self) -> np.ndarray:
        """``element * scale * tensor_scale`` in the (possibly rotated) basis
        that was quantised."""
        fmt = self.format
        rows, shape, axis = _rows(self.elements, fmt.axis)
        scale_rows = _rows(self.scales, fmt.axis)[0] * self.tensor_scale
        out = np.empty_like(rows)
        for r0, r1, c0, c1 in _chunks(rows.shape, fmt.block_size):
            b0, b1 = c0 // fmt.block_size, -(-c1 // fmt.block_size)
            _per_block(np.multiply, rows[r0:r1, c0:c1], scale_rows[r0:r1, b0:b1],
                       fmt.block_size, out[r0:r1, c0:c1])
        return _unrows(out, shape, axis)


def quantize(x, fmt, rounding="nearest_even", *, seed=None, stream=0, offset=0,
             random_bits=None) -> BlockEncoding:
    """Encode ``x`` in the block-scaled format ``fmt`` (object or name).

    The elements are rounded with ``rounding`` (any numprec scheme; the
    scales always round to nearest even), with numprec's random numbers:
    element ``i`` of ``x`` (flat C order) uses counter ``offset + i`` of
    ``stream`` under ``seed``, as for :func:`numprec.round`.

    Returns
    -------
    BlockEncoding
    """
    fmt = numprec.get_format(fmt) if isinstance(fmt, str) else fmt
    if not hasattr(fmt, "block_size"):
        raise TypeError(f"fmt must be a block-scaled format, got {fmt!r}")
    arr = np.asarray(x)
    if arr.dtype not in (np.float64, np.float32):
        raise TypeError(f"x must hold float64 or float32 values, got dtype {arr.dtype}")
    # a fresh seed when None: unused by deterministic schemes
    key = numprec.RandomKey.make(seed, stream, offset, random_bits)
    return _encode(arr.astype(np.float64, copy=False), fmt, rounding, key, values=False)


def dequantize(encoding: BlockEncoding) -> np.ndarray:
    """The values an encoding stands for, in the original basis (the
    inverse random Hadamard transform applied when the format has one)."""
    values = encoding.values()
    h = encoding.format.hadamard
    if h is not None:
        values = inverse_random_hadamard(values, h["size"], h["seed"], encoding.format.axis)
    return values


def round_blocks(x, out, fmt, scheme, key):
    """``Format.round_into`` of block-scaled formats: dequantised values."""
    values = _encode(x.astype(np.float64, copy=False), fmt, scheme, key, values=True)
    if fmt.hadamard is not None:
        values = inverse_random_hadamard(values, fmt.hadamard["size"], fmt.hadamard["seed"],
                                         fmt.axis)
    out[...] = values.reshape(out.shape)


# -- layout helpers ------------------------------------------------------------
def _rows(a, axis):
    """``a`` as a C-contiguous 2-D array (rows, axis length) with the block
    axis last; also the original shape and the axis (normalised)."""
    shape = a.shape if a.ndim else (1,)
    a = a.reshape(shape)
    ndim = len(shape)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for x with {ndim} dimensions")
    axis = int(axis) % ndim
    moved = np.moveaxis(a, axis, -1)
    rows = math.prod(moved.shape[:-1])       # not -1: that is ambiguous for empty x
    return np.ascontiguousarray(moved).reshape(rows, shape[axis]), shape, axis


def _unrows(rows, shape, axis):
    moved_shape = shape[:axis] + shape[axis + 1:] + (shape[axis],)
    return np.ascontiguousarray(np.moveaxis(rows.reshape(moved_shape), -1, axis))


def _chunks(shape, block):
    """(r0, r1, c0, c1): whole rows, or block-aligned pieces of one row."""
    nrows, length = shape
    if length >= CHUNK:
        step = max(CHUNK // block, 1) * block
        for r in range(nrows):
            for c in range(0, length, step):
                yield r, r + 1, c, min(c + step, length)
    else:
        step = max(CHUNK // max(length, 1), 1)
        for r in range(0, nrows, step):
            yield r, min(r + step, nrows), 0, length


def _per_block(func, a, per_block, block, out):
    """``out = func(a, v)`` with ``v`` the value of each element's block
    (blocks start at column 0 of the 2-D ``a``; the last may be partial)."""
    rows, length = a.shape
    full = length // block
    if full:
        view = a[:, :full * block].reshape(rows, full, block)
        target = out[:, :full * block].reshape(rows, full, block)
        target[...] = func(view, per_block[:, :full, np.newaxis])
    if length > full * block:
        out[:, full * block:] = func(a[:, full * block:], per_block[:, full:full + 1])
    return out


def _block_max(a, block):
    """Largest magnitude of each block (NaN if the block holds NaN)."""
    rows, length = a.shape
    full = length // block
    nblocks = -(-length // block)
    amax = np.empty((rows, nblocks))
    with np.errstate(invalid="ignore"):
        mag = np.abs(a)
        if full:
            np.max(mag[:, :full * block].reshape(rows, full, block), axis=-1, out=amax[:, :full])
        if nblocks > full:
            np.max(mag[:, full * block:], axis=-1, out=amax[:, full])
    return amax


# -- the encoding ------------------------------------------------------------------
def _encode(x, fmt, scheme, key, values):
    """Dequantised values (``values=True``) or a BlockEncoding of ``x``."""
    if fmt.hadamard is not None:
        x = random_hadamard(x, fmt.hadamard["size"], fmt.hadamard["seed"], fmt.axis)
    rows, shape, axis = _rows(x, fmt.axis)
    block, elem = fmt.block_size, fmt.element
    direct = axis == len(shape) - 1      # rows are in x's flat order: counters are direct
    g = 1.0
    if fmt.tensor_scale:
        finite = np.isfinite(x)
        g = tensor_scale(np.max(np.abs(x), where=finite, initial=0.0), elem.max, fmt.scale)
    nblocks = -(-rows.shape[1] // block)
    scales = np.empty((rows.shape[0], nblocks))
    result = np.empty_like(rows)          # quotients, then elements, then values
    for r0, r1, c0, c1 in _chunks(rows.shape, block):
        b0, b1 = c0 // block, -(-c1 // block)
        part = rows[r0:r1, c0:c1]
        target = result[r0:r1, c0:c1]
        amax = _block_max(part, block)
        if fmt.power_of_two_scale:
            exponents = power_of_two_exponents(amax, fmt.element_emax, fmt.scale)
            bad = np.isnan(exponents)
            exponents[bad] = 0
            _per_block(scale_by_power_of_two, part, exponents, block, target)
            scale = np.ldexp(1.0, exponents.astype(np.int64))
        else:
            scale = fitted_scales(amax, elem.max, fmt.scale, g)
            bad = np.isnan(scale)
            divisor = np.where(bad | (scale == 0), 1.0, scale) * g        # exact product
            _per_block(lambda v, dv: divide_to_odd(v, dv, fmt.element_grid_bits), part,
                       divisor, block, target)
            zero_blocks = scale == 0
            if zero_blocks.any():
                _per_block(np.multiply, target, np.where(zero_blocks, 0.0, 1.0), block, target)
        np.clip(target, -elem.max, elem.max, out=target)              # the spec's clamping
        scale[bad] = np.nan
        scales[r0:r1, b0:b1] = scale
        if direct:
            _finish(target, scale, elem, scheme, key.shifted(r0 * rows.shape[1] + c0), block,
                    g, values)
    if not direct:
        quotients = _unrows(result, shape, axis)
        elements = _round_elements(quotients, elem, scheme, key)
        result = _rows(elements, axis)[0]
        for r0, r1, c0, c1 in _chunks(rows.shape, block):
            b0, b1 = c0 // block, -(-c1 // block)
            _finish(result[r0:r1, c0:c1], scales[r0:r1, b0:b1], elem, None, None, block, g,
                    values)
    out = _unrows(result, shape, axis).reshape(x.shape)
    if values:
        return out
    scale_shape = shape[:axis] + (nblocks,) + shape[axis + 1:]
    scales_out = _unrows(scales, scale_shape, axis).reshape(scale_shape if x.ndim else ())
    return BlockEncoding(out, scales_out, g, fmt)


def _round_elements(q, elem, scheme, key):
    return numprec.round(q, elem, scheme, seed=key.seed, stream=key.stream, offset=key.offset,
                         random_bits=key.bits)


def _finish(target, scale, elem, scheme, key, block, g, values):
    """Round the quotients in ``target`` (unless ``scheme`` is None: already
    rounded), poison NaN blocks, and multiply by the scales if ``values``."""
    if scheme is not None:
        numprec.round(target, elem, scheme, seed=key.seed, stream=key.stream,
                      offset=key.offset, random_bits=key.bits, out=target)
    if values:
        _per_block(np.multiply, target, scale * g, block, target)   # NaN scales poison
    elif np.isnan(scale).any():
        _per_block(np.add, target, np.where(np.isnan(scale), np.nan, 0.0), block, target)
