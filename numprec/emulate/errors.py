"""The warning of :mod:`numprec.emulate` for values that leave emulation."""
from __future__ import annotations


class EmulationLeakWarning(UserWarning):
    """Emulated values were converted to a plain numpy array inside an
    active policy, so what is computed on that array is not rounded.

    Issued inside a ``with policy:`` block (or ``policy.component(...)``,
    ``emulate.double()``) by ``np.asarray(x)`` / ``np.array(x)``, by
    assignments ``plain[...] = x`` and by floating-point results written
    into a plain ``out=`` array (``plain += x``, ``np.add(x, y, out=plain)``).
    Outside every block those conversions are the documented escape hatch
    and stay silent; :func:`numprec.emulate.to_numpy`, ``x.to_numpy()`` and
    ``x.astype(dtype)`` never warn.  Make it an error with
    ``warnings.simplefilter("error", numprec.emulate.EmulationLeakWarning)``.
    """
