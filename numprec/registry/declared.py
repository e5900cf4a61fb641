"""What a plugin declares about itself, read without importing its code.

A distribution's entry point (group ``numprec``) may name a small *names
module* instead of the plugin module itself::

    # numprec_posit/names.py
    PLUGIN = "numprec_posit.plugin"      # the module with the hookimpls
    FORMATS = ("posit8", "posit8_2", "posit16", ...)   # names and aliases
    FORMAT_PREFIXES = ("posit",)         # parametric names it parses
    FORMAT_IDS = ("posit",)              # format_id of its Format classes

numprec imports ``PLUGIN`` only when one of the declared names is asked for
(or everything is listed).  An entry point module without ``PLUGIN`` is a
plugin module of the older kind: it is registered as soon as numprec looks
beyond its own names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Tuple

#: the optional tuples of names a names module may define, by kind
KINDS = {
    "formats": "FORMATS",
    "format_prefixes": "FORMAT_PREFIXES",
    "format_ids": "FORMAT_IDS",
    "roundings": "ROUNDINGS",
    "arithmetics": "ARITHMETICS",
    "cases": "CASES",
}


@dataclass(frozen=True)
class Declaration:
    """The names one plugin declares, by kind (see :data:`KINDS`)."""

    plugin: str                   # the module with the hookimpls
    names: dict = field(default_factory=dict)

    def declares(self, kind: str, name: str) -> bool:
        return name in self.names.get(kind, ())

    def parses(self, name: str) -> bool:
        """Whether a parametric format name starts with a declared prefix."""
        lowered = name.lower()
        return any(lowered.startswith(p.lower()) for p in self.names.get("format_prefixes", ()))


def _names(module, attribute) -> Tuple[str, ...]:
    value = getattr(module, attribute, ())
    if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
        raise TypeError(f"{attribute} must be a tuple of non-empty strings, got {value!r}")
    return tuple(value)


def read_declaration(module):
    """The :class:`Declaration` of a names module, or None for a plugin module.

    Raises
    ------
    TypeError
        If ``PLUGIN`` or one of the name tuples has the wrong type.
    """
    plugin = getattr(module, "PLUGIN", None)
    if plugin is None:
        return None
    if not isinstance(plugin, str) or not plugin:
        raise TypeError(f"PLUGIN must be the plugin module's import name, got {plugin!r}")
    return Declaration(plugin, {kind: _names(module, attr) for kind, attr in KINDS.items()})
