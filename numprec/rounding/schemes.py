"""Rounding schemes: what :func:`numprec.round` does between neighbours."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

# Kernel mode codes; must match the enum in numprec/_kernels/floatcore.pxd.
NEAREST_EVEN, NEAREST_AWAY, TOWARD_ZERO, UP, DOWN, ODD, STOCHASTIC, STOCHASTIC_UNIFORM = range(8)
STOCHASTIC_EVEN, STOCHASTIC_ODD, STOCHASTIC_FAST = range(8, 11)


@dataclass(frozen=True)
class RoundingScheme:
    """A rounding scheme.

    Parameters
    ----------
    name : str
        Registry name.
    stochastic : bool
        Whether it draws random numbers (then ``seed``/``random_bits`` apply).
    mode : int or None
        Code of a built-in kernel mode.  Third-party schemes leave it None
        and give ``select`` instead.
    select : callable, optional
        ``select(x, lower, upper, u) -> result`` for third-party schemes:
        ``lower``/``upper`` are the neighbours of ``x`` in the format (equal
        when ``x`` is representable), ``u`` uniform random numbers in [0, 1)
        from numprec's counter-based generator.  Works with every format.
    description : str
        One line for ``python -m numprec formats``.
    """

    name: str
    stochastic: bool = False
    mode: Optional[int] = None
    select: Optional[Callable] = field(default=None, compare=False)
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"RoundingScheme name must be a non-empty string, got {self.name!r}")
        if (self.mode is None) == (self.select is None):
            raise ValueError(f"RoundingScheme {self.name!r} needs exactly one of mode= "
                             "(built-in kernel code) or select= (a function)")


def builtin_schemes():
    """The schemes of the Cython kernel (Fasi & Mikaitis 2023 name the same
    set; stochastic rounding as in Connolly, Higham & Mary 2021, "Stochastic
    rounding and its probabilistic backward error analysis", SISC 43).

    With ``random_bits=n`` the remainder ``d`` (the distance from the lower
    neighbour in units of the gap, ``0 <= d < 1``) and ``n`` random bits
    ``R`` decide: "stochastic" rounds up iff ``d + R 2**-n >= 1`` (biased
    toward zero by up to ``2**-n``; gfloat's StochasticFastest), and the
    IEEE P3109 draft's variants first round ``d`` to ``n`` bits -- to
    nearest even ("stochastic_even", gfloat's Stochastic), to nearest odd
    ("stochastic_odd", StochasticOdd) -- or add half a step ("stochastic_fast",
    StochasticFast: up iff ``d + (R + 1/2) 2**-n >= 1``).  With all random
    bits (``random_bits=None``) the four agree."""
    s = RoundingScheme
    return [
        s("nearest_even", mode=NEAREST_EVEN, description="to nearest, ties to even (IEEE default)"),
        s("nearest_away", mode=NEAREST_AWAY, description="to nearest, ties away from zero"),
        s("toward_zero", mode=TOWARD_ZERO, description="truncate toward zero"),
        s("up", mode=UP, description="toward +infinity"),
        s("down", mode=DOWN, description="toward -infinity"),
        s("odd", mode=ODD, description="round to odd: truncate, set the last bit if inexact"),
        s("stochastic", stochastic=True, mode=STOCHASTIC,
          description="up with probability proportional to the distance from the lower neighbour"),
        s("stochastic_uniform", stochastic=True, mode=STOCHASTIC_UNIFORM,
          description="either neighbour with probability 1/2 when inexact"),
        s("stochastic_even", stochastic=True, mode=STOCHASTIC_EVEN,
          description="stochastic, remainder first rounded to random_bits bits, ties to "
                      "even (P3109; unbiased)"),
        s("stochastic_odd", stochastic=True, mode=STOCHASTIC_ODD,
          description="stochastic, remainder first rounded to random_bits bits, ties to "
                      "odd (P3109; unbiased)"),
        s("stochastic_fast", stochastic=True, mode=STOCHASTIC_FAST,
          description="stochastic, half a random step added (P3109; unbiased for exact "
                      "remainders)"),
    ]


#: The built-in schemes by name (the registry exposes them and plugins' ones).
BUILTIN = {scheme.name: scheme for scheme in builtin_schemes()}
