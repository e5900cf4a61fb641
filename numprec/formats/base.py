"""The abstract base of every number format, elementwise or block-wise."""
from __future__ import annotations

import abc
import json

import numpy as np


class Format(abc.ABC):
    """A number format: a set of values that :func:`numprec.round` maps onto.

    Formats are small immutable value objects (in the manner of numcodecs'
    codecs): ``get_config()`` returns a JSON-able dict with an ``"id"`` key
    that :func:`numprec.from_config` turns back into an equal object, so a
    result file can record exactly what produced it.

    Subclasses implement ``name``, :meth:`get_config` and :meth:`round_into`
    (and :meth:`from_config` when the config's keys are not the
    constructor's keyword arguments).  Elementwise formats round each value
    on its own; block formats (:class:`numprec.BlockFormat`, e.g.
    microscaling) see the whole array and share scales along an axis.
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

    @classmethod
    def from_config(cls, config: dict) -> "Format":
        """Rebuild the format from :meth:`get_config`'s dict.

        The default passes every key but ``"id"`` to the constructor as a
        keyword argument; override it when the keys differ from those.

        Parameters
        ----------
        config : dict
            What :meth:`get_config` returned.

        Returns
        -------
        Format

        Raises
        ------
        ValueError
            If ``config["id"]`` is not this class's ``format_id``.
        """
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict, got {type(config).__name__}")
        if config.get("id", cls.format_id) != cls.format_id:
            raise ValueError(f"config of {cls.__name__} must have id {cls.format_id!r}, "
                             f"got {config.get('id')!r}")
        return cls(**{key: value for key, value in config.items() if key != "id"})

    def round_into(self, x: np.ndarray, out: np.ndarray, scheme, key) -> None:
        """Round ``x`` into ``out`` (same shape and dtype, possibly ``x``).

        This is the method a format implements; :func:`numprec.round` calls
        it after checking every argument.

        Parameters
        ----------
        x, out : numpy.ndarray
            float64 or float32 arrays of equal shape and dtype; ``out`` is
            writeable and may be ``x`` itself (or share no memory with it).
        scheme : numprec.RoundingScheme
            The validated rounding scheme (``name``, ``stochastic``,
            ``select``).
        key : numprec.RandomKey
            Seed, stream, offset and random bits for schemes that need
            random numbers; element ``i`` (flat C order) uses counter
            ``key.offset + i`` (``key.uniform(n)``, ``key.words(n)``,
            ``key.shifted(k)``).
        """
        legacy = type(self)._round_array
        if legacy is Format._round_array:
            raise NotImplementedError(f"{type(self).__name__} must implement round_into")
        legacy(self, x, out, scheme, key)      # a format written before round_into

    def _round_array(self, x, out, scheme, rng):
        """The name of :meth:`round_into` before it was public; formats that
        define only this method keep working."""
        self.round_into(x, out, scheme, rng)

    def check_dtype(self, dtype: np.dtype) -> None:
        """Raise ValueError if results cannot be held in ``dtype``.

        :func:`numprec.round` calls it before rounding; the default accepts
        every dtype.

        Parameters
        ----------
        dtype : numpy.dtype
            The input's dtype (float32 or float64).
        """

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
