"""Accumulation models of matrix products (``@``, dot, matmul, einsum, tensordot).

By default an emulated matrix product rounds every product and every partial
sum to the policy's compute format.  Hardware and the mixed-precision
literature use other models (mptorch, QPyTorch; tensor cores: Blanchard,
Higham, Lopez, Mary & Pranesh 2020, "Mixed precision block fused
multiply-add: error analysis and application to GPU tensor cores", SIAM J.
Sci. Comput. 42(3)).  An :class:`Accumulation` states one:

``product``
    format the products are rounded to (default: the compute format);
``accumulator``
    format of every partial sum (default: the compute format).  When it
    differs from the compute format the finished dot products are rounded
    once more, to the compute format (a separate random stream);
``fma``
    fused multiply-add: ``s = R_acc(s + a*b)`` with the exact product, one
    rounding per multiply-add (the first term is ``R_acc(a0*b0)``);
    sequential order only, no product format;
``block``
    blocked accumulation: the products of each run of ``block`` consecutive
    inner indices are summed (in the policy's ``summation`` order, or by
    fused multiply-adds) into a fresh block sum in the accumulator format,
    and block ``q >= 1`` is added to the running total, ``S = R_acc(S + B_q)``.

Random numbers follow the matmul numbering (docs/emulate.md): the roundings
of one output element are numbered in the order it performs them —
products ``0 .. k-1`` (fused multiply-adds instead: ``0 .. k-1``), then the
additions block by block, each block's additions followed by the addition of
that block to the total.
"""
from __future__ import annotations

from dataclasses import dataclass

from numprec.formats.float_format import FloatFormat

#: float64 containers hold the exact product of two values of at most this
#: many significand bits (2 * 26 <= 53).
EXACT_PRODUCT_PRECISION = 26
#: The fused multiply-add's round-to-odd step is exact for accumulator
#: formats of at most this many significand bits (53 - 2).
FMA_MAX_PRECISION = 51


def _format(value, name):
    if value is None:
        return None
    from numprec.rounding.api import resolve_format
    try:
        return resolve_format(value)
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"Accumulation: {name} must be a format or a registered format "
                         f"name, got {value!r}") from exc


@dataclass(frozen=True)
class Accumulation:
    """How a matrix product accumulates (see the module notes).

    Parameters
    ----------
    product : numprec.Format or str, optional
        Format of the rounded products; None: the compute format.
    accumulator : numprec.Format or str, optional
        Format of the partial sums; None: the compute format.
    fma : bool
        One rounding per multiply-add of the exact product.
    block : int, optional
        Inner indices per block (None: one block).

    Examples
    --------
    fp16 products accumulated in fp32 (a tensor-core-like model)::

        Policy("fp16", accumulation=Accumulation(product="fp16", accumulator="fp32"))
    """

    product: object = None
    accumulator: object = None
    fma: bool = False
    block: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "product", _format(self.product, "product"))
        object.__setattr__(self, "accumulator", _format(self.accumulator, "accumulator"))
        if not isinstance(self.fma, bool):
            raise TypeError(f"Accumulation: fma must be True or False, got {self.fma!r}")
        if self.block is not None:
            if isinstance(self.block, bool) or not isinstance(self.block, int) or self.block < 1:
                raise ValueError("Accumulation: block must be None or a positive integer, "
                                 f"got {self.block!r}")
        if self.fma and self.product is not None:
            raise ValueError("Accumulation: a fused multiply-add uses the exact product; "
                             "leave product=None")
        for name in ("product", "accumulator"):
            f = getattr(self, name)
            if f is not None and not isinstance(f, FloatFormat):
                raise ValueError(f"Accumulation: {name} must be a FloatFormat, got {f!r}")
        if self.fma and self.accumulator is not None and \
                self.accumulator.mantissa_bits + 1 > FMA_MAX_PRECISION:
            raise ValueError("Accumulation: a fused multiply-add needs an accumulator of at most "
                             f"{FMA_MAX_PRECISION} significand bits, got {self.accumulator!r}")

    # ----------------------------------------------------------- config
    def get_config(self) -> dict:
        """A JSON-able dict; :meth:`from_config` rebuilds an equal model."""
        return {"product": None if self.product is None else self.product.get_config(),
                "accumulator": None if self.accumulator is None else self.accumulator.get_config(),
                "fma": self.fma, "block": self.block}

    @classmethod
    def from_config(cls, config: dict) -> "Accumulation":
        from numprec.formats import from_config
        if not isinstance(config, dict):
            raise TypeError(f"Accumulation config must be a dict, got {type(config).__name__}")
        unknown = set(config) - {"product", "accumulator", "fma", "block"}
        if unknown:
            raise ValueError(f"Accumulation config: unknown keys {sorted(unknown)}")
        fmts = {k: None if config.get(k) is None else from_config(config[k])
                for k in ("product", "accumulator")}
        return cls(fmts["product"], fmts["accumulator"], bool(config.get("fma", False)),
                   config.get("block"))

    # -------------------------------------------------------- resolution
    def resolve(self, compute, container):
        """(product format, accumulator format) for a policy computing in
        ``compute`` with ``container`` ("float64"/"float32") arrays, checked.
        """
        product = compute if self.product is None else self.product
        acc = compute if self.accumulator is None else self.accumulator
        if not isinstance(compute, FloatFormat):
            raise ValueError("Accumulation models need a FloatFormat compute format, got "
                             f"{compute!r}")
        if str(container) == "float32":
            for name, f in (("product", product), ("accumulator", acc)):
                if f.mantissa_bits > 23 or f.exponent_bits > 8:
                    raise ValueError(f"Accumulation: the {name} format {f!r} does not fit float32 "
                                     "containers; use dtype='float64'")
        if self.fma:
            if compute.mantissa_bits + 1 > EXACT_PRODUCT_PRECISION:
                raise ValueError("Accumulation: fused multiply-add needs exact products in "
                                 f"float64, i.e. a compute format of at most "
                                 f"{EXACT_PRODUCT_PRECISION} significand bits, got {compute!r}")
            if acc.mantissa_bits + 1 > FMA_MAX_PRECISION:
                raise ValueError("Accumulation: a fused multiply-add needs an accumulator of at "
                                 f"most {FMA_MAX_PRECISION} significand bits, got {acc!r}")
        return product, acc
