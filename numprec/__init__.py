"""numprec: what happens to numerical models when their arithmetic runs in low
precision.

The public API (see docs/ and shared design notes):

- :func:`round` rounds float64/float32 arrays to any number format with any
  rounding scheme, bit-exact and at close to memory bandwidth;
- :class:`FloatFormat`, :class:`FixedFormat`, :class:`IntFormat` and the
  named formats of :func:`list_formats`;
- the pluggy registry (:func:`get_format`, :func:`list_roundings`,
  :data:`hookimpl`, :class:`FormatEntry`, ...), which plugins extend
  through the entry point group ``numprec``;
- :mod:`numprec.emulate` and its :class:`Policy`: plain-numpy models run
  with every operation rounded;
- :mod:`numprec.verify` (Wasserstein verifier), :mod:`numprec.cases` and
  :mod:`numprec.study` (declarative studies on dask.distributed).
"""
from importlib.metadata import PackageNotFoundError, version as _version

from numprec.formats import (
    BlockFormat, FixedFormat, FloatFormat, Format, IntFormat, check_choice, check_int,
)
from numprec.registry import (
    ArithmeticEntry, CaseEntry, DuplicateNameError, FormatEntry, PluginWarning,
    UnknownNameError, get_arithmetic, get_case, get_format, hookimpl, list_arithmetics,
    from_config, list_cases, list_formats, list_roundings, plugin_errors, reload_plugins,
)
from numprec.rounding import (
    RandomKey, RoundingScheme, get_num_threads, round, set_num_threads,
)

from numprec import emulate  # noqa: E402  (subpackage: emulated arithmetic)
from numprec.emulate import Policy  # noqa: E402

try:
    __version__ = _version("numprec")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "round", "get_format", "list_formats", "list_roundings", "list_arithmetics",
    "get_arithmetic", "FloatFormat", "FixedFormat", "IntFormat", "Format", "BlockFormat", "from_config",
    "check_int", "check_choice",
    "RoundingScheme", "RandomKey", "FormatEntry", "ArithmeticEntry", "CaseEntry",
    "get_case", "list_cases", "hookimpl",
    "PluginWarning", "UnknownNameError", "DuplicateNameError", "plugin_errors",
    "reload_plugins", "set_num_threads", "get_num_threads", "emulate", "Policy",
    "__version__",
]
