"""The abstract base of every number format, elementwise or block-wise."""
from __future__ import annotations

import abc
import json

import numpy as np


class Format(abc.ABC):
    """A number format: a set of values that :func:`numprec.round` maps onto.

    Formats are small immutable value objects (in the manner of numcodecs'
    codecs): ``get_config()`` returns a JSON-able dict with an ``"id"`` key
    that :func:`numprec.formats.from_config` turns back into an equal object,
    so a result file can record exactly what produced it.

    Subclasses implement :meth:`_round_array`.  Elementwise formats round
    each value on its own; block formats (e.g. microscaling) see the whole
    array and may look at neighbours along an axis of their choosing.
    """

    #: Registry id of the class, stored in configs as ``"id"``.
    format_id: str = ""
    #: True when each value is rounded on its own (random counter = index).
    elementwise: bool = True

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """A short human-readable name."""

    @abc.abstractmethod
    def get_config(self) -> dict:
        """The parameters that define the format, as a JSON-able dict."""

    @abc.abstractmethod
    def _round_array(self, x: np.ndarray, out: np.ndarray, scheme, rng) -> None:
        """Round ``x`` into ``out`` (same shape and dtype, possibly ``x``).

        Parameters
        ----------
        x, out : numpy.ndarray
            float64 or float32 arrays of equal shape and dtype; ``out`` is
            writeable and may be ``x`` itself.
        scheme : numprec.RoundingScheme
            The validated rounding scheme.
        rng : numprec.rounding.RandomKey
            Seed, stream and offset for schemes that need random numbers.
        """

    def check_dtype(self, dtype: np.dtype) -> None:
        """Raise ValueError if results cannot be held in ``dtype``."""

    def __reduce__(self):
        """Pickle (and deep-copy) through the config, so that no cached kernel
        object travels with the format (dask, multiprocessing)."""
        from_config = getattr(type(self), "from_config", None)
        if from_config is None:
            return super().__reduce__()
        return (from_config, (self.get_config(),))

    def _identity(self):
        cfg = dict(self.get_config())
        cfg.pop("name", None)
        return json.dumps(cfg, sort_keys=True)

    def __eq__(self, other):
        if not isinstance(other, Format):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self):
        return hash(self._identity())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "id")
        return f"{type(self).__name__}({args})"

    def __str__(self):
        return self.name
