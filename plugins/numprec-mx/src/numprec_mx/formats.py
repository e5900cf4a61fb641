"""Block-scaled formats: MX (OCP v1.0), NVFP4, block floating point."""
from __future__ import annotations

import math
import re

import numpy as np

import numprec
from numprec_mx.encode import round_blocks

#: scale formats by name; the unsigned 8-bit ones have no sign bit, like
#: E8M0 (OCP MX v1.0) and the UE4M3 block scale of NVFP4
SCALE_FORMATS = {
    "e8m0": numprec.FloatFormat(8, 0, bias=127, subnormals=False, infinities=False, nan="fn",
                                signed=False, zero=False, name="e8m0"),
    "ue4m3": numprec.FloatFormat(4, 3, infinities=False, nan="fn", signed=False, name="ue4m3"),
    "ue5m3": numprec.FloatFormat(5, 3, infinities=False, nan="fn", signed=False, name="ue5m3"),
}

#: element formats of the OCP MX v1.0 concrete formats (its table 1), built
#: here rather than looked up: the registry is not usable while its hooks run
_F = numprec.FloatFormat
ELEMENT_FORMATS = {
    "float8_e4m3fn": _F(4, 3, infinities=False, nan="fn", name="float8_e4m3fn"),
    "float8_e5m2": _F(5, 2, name="float8_e5m2"),
    "float6_e2m3fn": _F(2, 3, infinities=False, nan="none", name="float6_e2m3fn"),
    "float6_e3m2fn": _F(3, 2, infinities=False, nan="none", name="float6_e3m2fn"),
    "float4_e2m1fn": _F(2, 1, infinities=False, nan="none", name="float4_e2m1fn"),
    "int8_scaled_2^-6": numprec.FixedFormat(1, 6, name="int8_scaled_2^-6"),
}
_MX_ELEMENTS = {
    "mxfp8_e4m3": "float8_e4m3fn", "mxfp8_e5m2": "float8_e5m2",
    "mxfp6_e2m3": "float6_e2m3fn", "mxfp6_e3m2": "float6_e3m2fn",
    "mxfp4": "float4_e2m1fn", "mxint8": "int8_scaled_2^-6",
}


def _resolve(fmt, argument):
    if isinstance(fmt, str):
        if argument == "scale" and fmt.lower() in SCALE_FORMATS:
            return SCALE_FORMATS[fmt.lower()]
        if fmt in ELEMENT_FORMATS:
            return ELEMENT_FORMATS[fmt]
        return numprec.get_format(fmt)
    if isinstance(fmt, dict):
        return numprec.from_config(fmt)
    if isinstance(fmt, numprec.Format):
        return fmt
    raise TypeError(f"{argument} must be a numprec format or its name, got {type(fmt).__name__}")


class BlockScaledFormat(numprec.BlockFormat):
    """Blocks of ``block_size`` values along ``axis`` sharing one scale.

    ``numprec.round(x, fmt)`` returns the dequantised values
    ``element * scale`` (times the per-tensor scale, if any) in ``x``'s
    dtype; :func:`numprec_mx.quantize` returns the elements and scales.

    Parameters
    ----------
    element : numprec.Format or str
        Element format, e.g. "float4_e2m1fn", or a FixedFormat for integer
        elements.  Elements saturate at +-``element.max`` (the MX spec's
        "clamping normal numbers"; integer elements symmetrically).
    block_size : int
        Values per block (32 for MX, 16 for NVFP4).  The last block of an
        axis whose length is not a multiple is shorter.
    scale : str or numprec.FloatFormat
        "e8m0" (default), "ue4m3", "ue5m3" or an unsigned FloatFormat.
        Scales without significand bits use the MX rule
        ``2**(floor(log2(amax)) - emax_elem)``; others NVIDIA's rule
        ``round(amax / elem_max / tensor_scale)`` (see numprec_mx.scaling).
    axis : int
        Axis along which blocks run (default: the last).
    tensor_scale : bool
        Add NVIDIA's per-tensor scale ``amax / (elem_max * scale_max)``
        (FP32 precision); needs a scale format with significand bits.
    hadamard : dict, optional
        ``{"size": h, "seed": s}``: rotate groups of ``h`` values along
        the axis by a seeded random Hadamard transform before quantising
        and rotate back after; results are then ``H^T Q(H x)``, not values
        of the block format.
    name : str, optional
        Display name.

    Notes
    -----
    NaN or +-inf anywhere in a block makes its scale NaN and the whole
    block NaN: OCP MX v1.0 treats every element of a block with a NaN scale
    as NaN, and its reference library (microsoft/microxcaling) derives a
    NaN scale from a non-finite block maximum.  The per-tensor scale is
    taken over the finite values.
    """

    format_id = "block_scaled"

    def __init__(self, element, block_size=32, scale="e8m0", axis=-1, *, tensor_scale=False,
                 hadamard=None, name=None):
        self._element = _resolve(element, "element")
        if not hasattr(self._element, "max") or isinstance(self._element, numprec.BlockFormat):
            raise ValueError(f"element must be an elementwise format with a max, "
                             f"got {self._element!r}")
        self._block = numprec.check_int(block_size, "block_size", 1, 2 ** 31)
        self._scale = _resolve(scale, "scale")
        if not isinstance(self._scale, numprec.FloatFormat):
            raise TypeError(f"scale must be a FloatFormat (e.g. 'e8m0', 'ue4m3'), "
                            f"got {self._scale!r}")
        self._axis = numprec.check_int(axis, "axis", -(2 ** 31), 2 ** 31 - 1)
        self._tensor_scale = bool(tensor_scale)
        if self._tensor_scale and self.power_of_two_scale:
            raise ValueError("tensor_scale=True needs a scale format with significand bits "
                             f"(e.g. 'ue4m3'), got {self._scale.name!r}")
        if hadamard is not None:
            if not isinstance(hadamard, dict) or set(hadamard) != {"size", "seed"}:
                raise ValueError(f"hadamard must be None or {{'size': h, 'seed': s}}, "
                                 f"got {hadamard!r}")
            from numprec_mx.hadamard import check_hadamard
            check_hadamard(hadamard["size"], hadamard["seed"])
            hadamard = {"size": int(hadamard["size"]), "seed": int(hadamard["seed"])}
        self._hadamard = hadamard
        self._name = name if name is not None else self._default_name()

    # -- description -------------------------------------------------------
    def _default_name(self):
        parts = [f"block_{self._element.name}", f"b{self._block}", self._scale.name]
        if self._tensor_scale:
            parts.append("ts")
        if self._axis != -1:
            parts.append(f"axis{self._axis}")
        if self._hadamard:
            parts.append(f"rht{self._hadamard['size']}s{self._hadamard['seed']}")
        return "_".join(parts)

    @property
    def name(self):
        return self._name

    def get_config(self):
        return {"id": self.format_id, "name": self._name,
                "element": self._element.get_config(), "block_size": self._block,
                "scale": self._scale.get_config(), "axis": self._axis,
                "tensor_scale": self._tensor_scale, "hadamard": self._hadamard}

    def with_axis(self, axis):
        """The same format with blocks along ``axis`` (what
        ``numprec.round(x, fmt, axis=axis)`` uses); the name gains an
        ``_axis<k>`` suffix."""
        cfg = self.get_config()
        cfg["axis"] = axis
        cfg["name"] = self._name if axis == -1 or "axis" in self._name else f"{self._name}_axis{axis}"
        return type(self).from_config(cfg)

    element = property(lambda self: self._element, doc="Element format.")
    block_size = property(lambda self: self._block, doc="Values per block.")
    scale = property(lambda self: self._scale, doc="Scale format.")
    axis = property(lambda self: self._axis, doc="Axis the blocks run along.")
    tensor_scale = property(lambda self: self._tensor_scale)
    hadamard = property(lambda self: None if self._hadamard is None else dict(self._hadamard))

    @property
    def power_of_two_scale(self) -> bool:
        return self._scale.mantissa_bits == 0

    @property
    def element_emax(self) -> int:
        """Exponent of the element format's largest value (MX's emax_elem)."""
        return math.floor(math.log2(self._element.max))

    @property
    def element_grid_bits(self):
        """Significant bits of the element values and their midpoints (None
        if unknown); lets the element quotients skip most exactness checks."""
        elem = self._element
        if isinstance(elem, numprec.FloatFormat):
            return elem.mantissa_bits + 2
        if isinstance(elem, numprec.FixedFormat):
            return elem.integer_bits + elem.fraction_bits + 1
        return None

    @property
    def bits_per_value(self) -> float:
        """Storage bits per value, the block's scale included."""
        return self._element.bits + self._scale.bits / self._block

    def describe(self) -> str:
        """One line for ``python -m numprec formats``."""
        extra = " x FP32 tensor scale" if self._tensor_scale else ""
        return (f"{self.bits_per_value:.4g} bits/value  block {self._block} x "
                f"{self._element.name}, {self._scale.name} scale{extra}, axis {self._axis}")

    # -- rounding ----------------------------------------------------------
    def check_dtype(self, dtype):
        if dtype == np.float32 and (self._tensor_scale or self._hadamard is not None):
            raise ValueError(f"fmt {self._name!r}: its results (element x block scale x FP32 "
                             "tensor scale, or a rotation) need more than float32's 24 bits; "
                             "pass x as float64")
        if dtype == np.float32 and not self._fits_float32():
            raise ValueError(f"fmt {self._name!r} can produce values float32 cannot hold "
                             "(too many significand bits or too small); pass x as float64")

    def _fits_float32(self):
        """Whether element x scale products are float32 numbers for float32
        inputs (whose block maxima are below 2**128, so no overflow)."""
        elem = self._element
        if isinstance(elem, numprec.FloatFormat):
            bits, tiny = elem.precision, elem.smallest_subnormal
        elif isinstance(elem, numprec.FixedFormat):
            bits, tiny = elem.integer_bits + elem.fraction_bits, elem.eps
        else:
            return False
        scale_bits = self._scale.precision
        smallest = tiny * self._scale.smallest_subnormal
        return bits + scale_bits - 1 <= 24 and smallest >= 2.0 ** -149

    def round_into(self, x, out, scheme, key):
        round_blocks(x, out, self, scheme, key)


# -- presets -----------------------------------------------------------------
def mx(element_name_or_format, block_size=32, axis=-1, name=None):
    """An OCP MX v1.0 format: E8M0 scale, 32-element blocks by default."""
    return BlockScaledFormat(element_name_or_format, block_size, "e8m0", axis, name=name)


def nvfp4(axis=-1, *, scale="ue4m3", hadamard=None, name=None):
    """NVFP4: E2M1 elements, 16-element blocks, UE4M3 block scales, FP32
    per-tensor scale (NVIDIA, arXiv 2509.25149)."""
    return BlockScaledFormat("float4_e2m1fn", 16, scale, axis, tensor_scale=True,
                             hadamard=hadamard, name=name)


def bfp(bits, block_size=32, axis=-1, name=None):
    """Block floating point: signed integer mantissas of ``bits`` bits (sign
    included) sharing one power-of-two exponent per block (E8M0), i.e.
    ``m * 2**(E - bits + 2)`` with ``|m| <= 2**(bits-1) - 1`` and ``E`` the
    exponent of the block maximum (dynamic fixed point; Courbariaux et al.
    2015; Drumond et al. 2018, "Training DNNs with hybrid block floating
    point", NeurIPS).  ``bfp(8)`` equals MXINT8."""
    bits = numprec.check_int(bits, "bits", 2, 53)
    element = numprec.FixedFormat(1, bits - 2, name=f"int{bits}_scaled_2^-{bits - 2}")
    return BlockScaledFormat(element, block_size, "e8m0", axis, name=name)


def presets():
    """``(name, format, aliases)`` of the registered block formats."""
    entries = [(name, mx(elem, name=name), ()) for name, elem in _MX_ELEMENTS.items()]
    aliases = {"mxfp8_e4m3": ("mxfp8",), "mxfp4": ("mxfp4_e2m1",)}
    entries = [(n, f, aliases.get(n, ())) for n, f, _ in entries]
    entries.append(("nvfp4", nvfp4(name="nvfp4"), ()))
    entries.append(("nvfp4_rht16", nvfp4(hadamard={"size": 16, "seed": 0}, name="nvfp4_rht16"), ()))
    entries += [(f"bfp{b}", bfp(b, name=f"bfp{b}"), ()) for b in (4, 8, 16)]
    return entries


_PARAMETRIC = re.compile(
    r"^(?P<base>mxfp8_e4m3|mxfp8_e5m2|mxfp8|mxfp6_e2m3|mxfp6_e3m2|mxfp4|mxint8|nvfp4|bfp(?P<bits>\d+))"
    r"(?:_b(?P<block>\d+))?(?:_(?P<scale>e8m0|ue4m3|ue5m3))?(?:_rht(?P<rht>\d+))?"
    r"(?:_axis(?P<axis>-?\d+))?$")


def parse_block_name(name: str):
    """Parametric names: a preset with optional ``_b<block>``,
    ``_<scale>`` (e8m0, ue4m3, ue5m3), ``_rht<size>`` (random Hadamard
    transform, seed 0) and ``_axis<k>`` suffixes, in that order, e.g.
    "mxfp4_b16_ue4m3", "nvfp4_ue5m3", "mxfp4_rht16", "bfp12_b64",
    "mxfp8_e4m3_axis0"; None if ``name`` is not of that form."""
    match = _PARAMETRIC.match(name.lower())
    if match is None or not any(match.group(g) for g in ("block", "scale", "axis", "bits", "rht")):
        return None
    hadamard = {"size": int(match.group("rht")), "seed": 0} if match.group("rht") else None
    base = match.group("base")
    block = int(match.group("block")) if match.group("block") else None
    axis = int(match.group("axis")) if match.group("axis") else -1
    scale = match.group("scale")
    if base.startswith("bfp"):
        fmt = bfp(int(match.group("bits")), block or 32, axis)
        element = fmt.element
    elif base == "nvfp4":
        element = "float4_e2m1fn"
    else:
        element = _MX_ELEMENTS["mxfp8_e4m3" if base == "mxfp8" else base]
    default_scale = "ue4m3" if base == "nvfp4" else "e8m0"
    scale = scale or default_scale
    tensor = base == "nvfp4" and scale != "e8m0"
    return BlockScaledFormat(element, block or (16 if base == "nvfp4" else 32), scale, axis,
                             tensor_scale=tensor, hadamard=hadamard, name=name.lower())
