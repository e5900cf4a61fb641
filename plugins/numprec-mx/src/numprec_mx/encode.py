"""Quantise to a block-scaled format (elements and scales) and back."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

import numprec
from numprec_mx.blocks import BlockLayout
from numprec_mx.hadamard import inverse_random_hadamard, random_hadamard
from numprec_mx.scaling import (
    divide_to_odd, fitted_scales, power_of_two_exponents, scale_by_power_of_two, tensor_scale,
)


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
        layout = BlockLayout(self.elements.shape, self.format.axis, self.format.block_size)
        blocks = layout.to_blocks(self.elements)
        scales = np.moveaxis(self.scales.reshape(layout.scales_shape()), layout.axis, -1)
        product = blocks * (scales * self.tensor_scale)[..., np.newaxis]
        return layout.from_blocks(product).reshape(self.elements.shape)


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
    key = numprec.RandomKey.make(0 if seed is None and not _stochastic(rounding) else seed,
                                 stream, offset, random_bits)
    return _encode(arr.astype(np.float64, copy=False), fmt, rounding, key)


def _stochastic(rounding):
    if isinstance(rounding, numprec.RoundingScheme):
        return rounding.stochastic
    return rounding in ("stochastic", "stochastic_uniform")


def dequantize(encoding: BlockEncoding) -> np.ndarray:
    """The values an encoding stands for, in the original basis (the
    inverse random Hadamard transform applied when the format has one)."""
    values = encoding.values()
    h = encoding.format.hadamard
    if h is not None:
        values = inverse_random_hadamard(values, h["size"], h["seed"], encoding.format.axis)
    return values


def _encode(x, fmt, rounding, key):
    shape = x.shape
    if fmt.hadamard is not None:
        x = random_hadamard(x, fmt.hadamard["size"], fmt.hadamard["seed"], fmt.axis)
    layout = BlockLayout(shape, fmt.axis, fmt.block_size)
    blocks = layout.to_blocks(x)
    with np.errstate(invalid="ignore"):
        amax = np.max(np.abs(blocks), axis=-1)          # NaN propagates
    elem = fmt.element
    if fmt.power_of_two_scale:
        exponents = power_of_two_exponents(amax, fmt.element_emax, fmt.scale)
        safe = np.where(np.isnan(exponents), 0, exponents).astype(np.int64)
        quotients = scale_by_power_of_two(blocks, safe[..., np.newaxis])
        scales = np.ldexp(1.0, safe)
        scales[np.isnan(exponents)] = np.nan
        g = 1.0
    else:
        with np.errstate(invalid="ignore"):
            finite_amax = np.where(np.isfinite(amax), amax, 0.0)
        g = tensor_scale(finite_amax.max(initial=0.0), elem.max, fmt.scale) \
            if fmt.tensor_scale else 1.0
        scales = fitted_scales(amax, elem.max, fmt.scale, g)
        usable = np.where(np.isfinite(scales) & (scales > 0), scales, 1.0)
        quotients = divide_to_odd(blocks, (usable * g)[..., np.newaxis])  # usable * g is exact
        quotients = np.where((scales == 0)[..., np.newaxis], 0.0, quotients)
    quotients = np.clip(quotients, -elem.max, elem.max)      # the spec's saturation
    quotients = layout.from_blocks(quotients).reshape(shape)
    elements = numprec.round(quotients, elem, rounding, seed=key.seed, stream=key.stream,
                             offset=key.offset, random_bits=key.bits)
    bad = layout.from_blocks(np.broadcast_to(np.isnan(scales)[..., np.newaxis], blocks.shape))
    elements[bad.reshape(shape)] = np.nan
    scales_out = layout.scales_from_blocks(scales).reshape(layout.scales_shape()) \
        if shape else scales.reshape(())
    return BlockEncoding(elements, scales_out, g, fmt)


def round_blocks(x, out, fmt, scheme, key):
    """``Format._round_array`` of block-scaled formats: dequantised values."""
    encoding = _encode(x.astype(np.float64, copy=False), fmt, scheme, key)
    out[...] = dequantize(encoding).reshape(out.shape)
