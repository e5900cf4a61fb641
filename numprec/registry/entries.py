"""Value objects plugins return from their hooks."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Tuple

from numprec.formats.base import Format


@dataclass(frozen=True)
class FormatEntry:
    """A named format: ``name``, the :class:`numprec.Format`, its aliases."""

    name: str
    format: Format
    aliases: Tuple[str, ...] = ()

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"FormatEntry name must be a non-empty string, got {self.name!r}")
        if not isinstance(self.format, Format):
            raise TypeError(f"FormatEntry {self.name!r}: format must be a numprec.Format, "
                            f"got {type(self.format).__name__}")
        object.__setattr__(self, "aliases", tuple(self.aliases))


@dataclass(frozen=True)
class ArithmeticEntry:
    """A named arithmetic scheme for :mod:`numprec.emulate`."""

    name: str
    scheme: Any
