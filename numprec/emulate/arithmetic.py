"""Arithmetic schemes: replace the multiplication of emulated arithmetic.

By default an emulated product is the exact product rounded once to the
compute format (computed as the float64 product, see docs/emulate.md for
when that is exact).  An *arithmetic scheme* replaces the product before
rounding, e.g. by the L-Mul approximation of Luo & Sun (2024, "Addition is
all you need for energy-efficient language models", arXiv:2410.00907),
which adds the exponent and mantissa fields instead of multiplying.

The scheme interface
--------------------
A scheme is any object with a method ::

    multiply(a, b, fmt) -> numpy.ndarray      # or multiply(a, b)

``a``, ``b``
    float64 ndarrays, broadcast-compatible (not yet broadcast), whose values
    are values of the compute format ``fmt``; the scheme must not modify
    them.
``fmt``
    The compute format (a :class:`numprec.Format`) the product will be
    rounded to.  Schemes that do not need it may define ``multiply(a, b)``
    with two parameters; numprec inspects the signature once.
returns
    A float64 ndarray of the broadcast shape: the scheme's product *before*
    rounding.  numprec rounds it to ``fmt`` with the policy's rounding
    scheme (and random stream), so the scheme need not produce values of
    ``fmt`` (if it does, the rounding leaves them unchanged).  NaN and
    infinities should propagate as in IEEE multiplication.

Optional members: ``name`` (str, shown in policy descriptions and
provenance) and ``check_format(fmt)``, called when a policy is built, which
should raise ``ValueError`` for compute formats the scheme cannot handle.

Where numprec uses the scheme: ``*`` / ``np.multiply`` (also in place),
``np.square``, and every product inside ``np.dot`` / ``np.matmul`` / ``@``
(then each product is rounded and the accumulation is rounded at every
step, in the policy's summation order).  Division, powers and the other
ufuncs are unchanged.

Register a scheme for ``Policy(arithmetic="name")`` from a plugin::

    @numprec.hookimpl
    def numprec_arithmetics():
        return [numprec.ArithmeticEntry("lmul", LMul())]
"""
from __future__ import annotations

import inspect

import numpy as np


class ExactMultiply:
    """The default: the float64 product, rounded afterwards by the policy."""

    name = "exact"

    def multiply(self, a, b, fmt=None):
        """The float64 product ``a * b`` (the policy rounds it to ``fmt``).

        Parameters
        ----------
        a, b : array_like
            float64 operands (broadcast).
        fmt : numprec.Format, optional
            The compute format; not needed by the exact product.

        Returns
        -------
        numpy.ndarray
        """
        return np.multiply(a, b)


EXACT = ExactMultiply()


class BoundScheme:
    """A scheme with its calling convention resolved once."""

    __slots__ = ("scheme", "name", "_with_fmt")

    def __init__(self, scheme, name):
        self.scheme = scheme
        self.name = name
        self._with_fmt = _takes_format(scheme.multiply)

    def multiply(self, a, b, fmt):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        out = self.scheme.multiply(a, b, fmt) if self._with_fmt else self.scheme.multiply(a, b)
        out = np.asarray(out)
        if out.dtype != np.float64:
            raise TypeError(f"arithmetic scheme {self.name!r}: multiply must return a float64 "
                            f"array, got dtype {out.dtype}")
        expected = np.broadcast_shapes(a.shape, b.shape)
        if out.shape != expected:
            raise ValueError(f"arithmetic scheme {self.name!r}: multiply returned shape "
                             f"{out.shape}, expected the broadcast shape {expected}")
        return out


def _takes_format(multiply) -> bool:
    try:
        sig = inspect.signature(multiply)
    except (TypeError, ValueError):     # builtins without a signature
        return True
    params = [p for p in sig.parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    var = any(p.kind == p.VAR_POSITIONAL for p in sig.parameters.values())
    return var or len(params) >= 3


def resolve_arithmetic(arithmetic, fmt):
    """``(BoundScheme or None, name)`` for a Policy's ``arithmetic=`` argument.

    None or "exact" is the exact product (returned as None: the fast path).
    A string is looked up with :func:`numprec.get_arithmetic`; any other
    object must have a callable ``multiply``.
    """
    if arithmetic is None or (isinstance(arithmetic, str) and arithmetic == "exact"):
        return None, "exact"
    if isinstance(arithmetic, str):
        from numprec.registry.manager import get_arithmetic
        scheme, name = get_arithmetic(arithmetic), arithmetic
    else:
        scheme = arithmetic
        name = getattr(arithmetic, "name", None) or type(arithmetic).__name__
    if not callable(getattr(scheme, "multiply", None)):
        raise TypeError(f"arithmetic must be None, a registered arithmetic name or an object "
                        f"with a multiply(a, b, fmt) method, got {type(scheme).__name__}")
    check = getattr(scheme, "check_format", None)
    if callable(check):
        check(fmt)
    return BoundScheme(scheme, str(name)), str(name)
