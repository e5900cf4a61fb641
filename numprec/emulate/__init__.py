"""Emulated low-precision arithmetic for models written in plain numpy.

A :class:`Policy` holds the settings (compute and storage formats, rounding
scheme, seed, summation order, arithmetic scheme, per-component overrides);
an :class:`EmulatedArray` holds values of a format and rounds the result of
every numpy operation on it: ufuncs once per operation, reductions (``sum``,
``mean``, ``dot``, ``matmul``, ``cumsum``) at every accumulation step, in a
documented order, in a Cython kernel.  Stochastic rounding is reproducible:
each operation takes its own random stream from the policy's counter.

Typical use::

    import numpy as np
    from numprec import emulate

    policy = emulate.Policy("e11m8", rounding="stochastic", seed=3)
    state = policy.store(x0)                 # prognostic state, rounded
    with policy:                             # components look the policy up
        for _ in range(nsteps):
            state = policy.store(model.step(state))   # plain numpy model code
    result = emulate.to_numpy(state)

Escape hatches: ``with emulate.double():`` computes a block in double
without rounding; :func:`to_numpy` leaves emulation (so does ``np.asarray``,
which inside an active policy warns: :class:`EmulationLeakWarning`).

Arithmetic schemes (approximate multiplication, e.g. L-Mul) plug in through
``Policy(arithmetic=...)``; the interface is documented in
:mod:`numprec.emulate.arithmetic`.

See docs/emulate.md for the complete rules.

References
----------
Dawson, A. & Düben, P. D. (2017). rpe v5: an emulator for reduced
floating-point precision in large numerical simulations. Geosci. Model Dev.
10, 2221-2230.

Klöwer, M., Düben, P. D. & Palmer, T. N. (2020). Number formats, error
mitigation, and scope for 16-bit arithmetics in weather and climate
modeling analyzed with a shallow water model. JAMES 12, e2020MS002246.
"""
from __future__ import annotations

import contextlib
import functools

import numpy as np

from numprec.emulate.array import EmulatedArray
from numprec.emulate.arithmetic import ExactMultiply
from numprec.emulate.complex import EmulatedComplex
from numprec.emulate.context import active_policy
from numprec.emulate.errors import EmulationLeakWarning
from numprec.emulate import functions  # noqa: F401  (registers the numpy function handlers)
from numprec.emulate import linalg  # registers einsum/tensordot
from numprec.emulate.policy import Policy
from numprec.emulate.reductions import rounded_cumsum, rounded_dot, rounded_sum
from numprec.emulate import fft as _fft_handlers  # noqa: F401  registers np.fft handlers


@functools.cache
def double() -> Policy:
    """A context manager (a policy) under which emulated operations are
    computed in double precision without rounding.

    Results are binary64 arrays that keep their home policy: used later
    outside the block they are converted (rounded) to that policy's compute
    format like any wider operand.
    """
    return Policy("binary64", rounding="nearest_even", seed=0, name="double")


def current() -> Policy | None:
    """The innermost active policy (None outside every ``with`` block)."""
    return active_policy()


def component(name: str, like=None):
    """The policy of the model component ``name``, as a context manager.

    Models call ``with numprec.emulate.component("tendencies"):`` around the
    code of a component.  The policy is the active one's component (or the
    home policy of ``like`` if it is an emulated array and no policy is
    active); with neither, a no-op context (plain numpy runs in double).

    Parameters
    ----------
    name : str
        The component's name (a field of the model dataclass).
    like : object, optional
        An array whose home policy is used when no policy is active.

    Returns
    -------
    context manager
        The component's :class:`Policy`, or a no-op context.
    """
    pol = active_policy()
    if pol is None and isinstance(like, EmulatedArray):
        pol = like.policy
    if pol is None:
        return contextlib.nullcontext(None)
    return pol.component(name)


def asarray(x, policy: Policy | None = None) -> EmulatedArray:
    """``policy.asarray(x)`` with the given or the active policy.

    Parameters
    ----------
    x : array_like
        Values to convert to the policy's compute format.
    policy : Policy, optional
        Default: the active policy (one is required).

    Returns
    -------
    EmulatedArray
    """
    policy = policy if policy is not None else active_policy()
    if policy is None:
        raise ValueError("asarray needs a policy: pass policy= or call it inside `with policy:`")
    return policy.asarray(x)


def to_numpy(x, dtype=np.float64) -> np.ndarray:
    """The values of ``x`` (emulated or not) as a plain ndarray copy.

    Parameters
    ----------
    x : EmulatedArray or array_like
    dtype : numpy.dtype
        The dtype of the copy (default float64).

    Returns
    -------
    numpy.ndarray
    """
    if isinstance(x, EmulatedArray):
        return x.to_numpy(dtype)
    return np.array(x, dtype=dtype, copy=True)


def is_emulated(x) -> bool:
    """Whether ``x`` is an :class:`EmulatedArray`.

    Examples
    --------
    >>> import numpy as np
    >>> from numprec.emulate import Policy, is_emulated
    >>> policy = Policy("bfloat16")
    >>> is_emulated(policy.store(np.ones(3))), is_emulated(np.ones(3))
    (True, False)
    """
    return isinstance(x, EmulatedArray)


__all__ = ["Policy", "EmulatedArray", "EmulatedComplex", "EmulationLeakWarning", "ExactMultiply", "double",
           "current", "component", "asarray", "to_numpy", "is_emulated", "rounded_sum", "rounded_cumsum",
           "rounded_dot"]
