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


@dataclass(frozen=True)
class CaseEntry:
    """A named case (a model with its run interface) that numprec loads lazily.

    Parameters
    ----------
    name : str
        The name :func:`numprec.get_case` and ``python -m numprec cases`` use.
    load : str
        Where the case object lives, ``"package.module:attribute"`` (the
        attribute may be dotted); the module is imported only when the case
        is asked for.
    description : str
        One line shown by listings.
    """

    name: str
    load: str
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"CaseEntry name must be a non-empty string, got {self.name!r}")
        module, sep, attribute = self.load.partition(":") if isinstance(self.load, str) \
            else ("", "", "")
        if not (sep and _dotted_name(module) and _dotted_name(attribute)):
            raise ValueError(f"CaseEntry {self.name!r}: load must be 'package.module:attribute', "
                             f"got {self.load!r}")
        if not isinstance(self.description, str):
            raise TypeError(f"CaseEntry {self.name!r}: description must be a string, "
                            f"got {type(self.description).__name__}")

    @property
    def module(self) -> str:
        """The module part of ``load``."""
        return self.load.partition(":")[0]

    @property
    def attribute(self) -> str:
        """The attribute part of ``load`` (possibly dotted)."""
        return self.load.partition(":")[2]


def _dotted_name(text):
    return bool(text) and all(part.isidentifier() for part in text.split("."))
