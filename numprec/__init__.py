"""numprec: what happens to numerical models when their arithmetic runs in low
precision.

The public API (see docs/ and shared design notes):

- :func:`round` rounds float64/float32 arrays to any number format with any
  rounding scheme, bit-exact and at close to memory bandwidth;
- :class:`FloatFormat`, :class:`FixedFormat`, :class:`IntFormat` and the
  named formats of :func:`list_formats`;
- the pluggy registry (:func:`get_format`, :func:`list_roundings`,
  :func:`get_case`, :func:`from_config`, :data:`hookimpl`,
  :class:`FormatEntry`, :class:`CaseEntry`, ...), which plugins extend
  through the entry point group ``numprec`` (loaded lazily), and the bases
  they build on (:class:`Format`, :class:`BlockFormat`, :func:`check_int`,
  :func:`check_choice`);
- :mod:`numprec.emulate` and its :class:`Policy`: plain-numpy models run
  with every operation rounded;
- :mod:`numprec.verify` (Wasserstein verifier), :mod:`numprec.cases` and
  :mod:`numprec.study` (declarative studies on dask.distributed).
"""
from numprec.formats import (
    BlockFormat, FixedFormat, FloatFormat, Format, IntFormat, check_choice, check_int,
    p3109_format,
)
from numprec.registry import (
    ArithmeticEntry, CaseEntry, DuplicateNameError, FormatEntry, PluginWarning,
    UnknownNameError, from_config, get_arithmetic, get_case, get_format, get_rounding, hookimpl,
    list_arithmetics, list_cases, list_formats, list_roundings, plugin_errors, reload_plugins,
)
from numprec.rounding import (
    RandomKey, RoundingScheme, get_num_threads, round, set_num_threads,
)


def __getattr__(name):
    """Imported on first use, so that ``import numprec`` stays cheap (PEP 562):
    the subpackage ``emulate``, its ``Policy`` and ``__version__`` (read from
    the installed distribution's metadata)."""
    if name == "emulate":
        import numprec.emulate as emulate
        return emulate
    if name == "Policy":
        from numprec.emulate import Policy
        return Policy
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version
        try:
            return version("numprec")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "0+unknown"
    raise AttributeError(f"module 'numprec' has no attribute {name!r}")


__all__ = [
    "round", "get_format", "get_rounding", "p3109_format", "list_formats", "list_roundings", "list_arithmetics",
    "get_arithmetic", "FloatFormat", "FixedFormat", "IntFormat", "Format", "BlockFormat",
    "from_config", "check_int", "check_choice", "RoundingScheme", "RandomKey", "FormatEntry", "ArithmeticEntry", "CaseEntry",
    "get_case", "list_cases", "hookimpl",
    "PluginWarning", "UnknownNameError", "DuplicateNameError", "plugin_errors",
    "reload_plugins", "set_num_threads", "get_num_threads", "emulate", "Policy",
    "__version__",
]
