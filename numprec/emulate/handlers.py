"""The table of numpy functions emulated arrays implement (NEP 18).

A leaf module: :class:`~numprec.emulate.EmulatedArray` looks functions up
here, and the modules that implement them (:mod:`numprec.emulate.functions`
and its siblings) register them with :func:`implements`, so neither imports
the other.
"""
from __future__ import annotations

#: ``{numpy function: handler}``; a handler takes numpy's arguments.
HANDLED = {}


def implements(*funcs):
    """Decorator: register the handler for the numpy functions ``funcs``."""
    def deco(handler):
        for f in funcs:
            HANDLED[f] = handler
        return handler
    return deco


def dispatch(func, args, kwargs):
    """Entry point of ``EmulatedArray.__array_function__``."""
    handler = HANDLED.get(func)
    if handler is None:
        name = getattr(func, "__module__", "numpy") + "." + getattr(func, "__name__", str(func))
        raise TypeError(
            f"numprec.emulate has no rounded implementation of {name}; compute it on "
            "numprec.emulate.to_numpy(x) (double precision, not rounded) and convert the "
            "result with policy.asarray(), or use supported functions (docs/emulate.md)")
    return handler(*args, **kwargs)
