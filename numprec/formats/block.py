"""The base of block formats: values that share scales along one axis."""
from __future__ import annotations

import abc

from numprec.formats.base import Format


class BlockFormat(Format):
    """A format whose values share scales in blocks along one axis.

    Microscaling (OCP MX v1.0), NVFP4 and block floating point are of this
    kind: the value an element rounds to depends on its neighbours, so
    :meth:`round_into` sees the whole array.  :func:`numprec.round` accepts
    ``axis=k`` for block formats only, and turns it into
    ``fmt.with_axis(k)``.

    Subclasses implement ``name``, ``get_config`` (with an ``"axis"`` key),
    ``round_into`` and the :attr:`axis` property; :meth:`with_axis` and
    ``from_config`` have defaults built on the config.
    """

    elementwise = False

    @property
    @abc.abstractmethod
    def axis(self) -> int:
        """The axis the blocks run along (negative counts from the end)."""

    def with_axis(self, axis: int) -> "BlockFormat":
        """The same format with its blocks along ``axis``.

        The default rebuilds the format from its config with ``"axis"``
        replaced (and the default display name).

        Parameters
        ----------
        axis : int
            The array axis the blocks run along.

        Returns
        -------
        BlockFormat
        """
        config = self.get_config()
        config["axis"] = axis
        config.pop("name", None)
        return type(self).from_config(config)
