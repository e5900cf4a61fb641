"""The pluggy registry of formats, rounding schemes, arithmetic schemes and cases
(numprec's own and the plugins', loaded lazily), and :func:`from_config`."""
from numprec.registry.entries import ArithmeticEntry, CaseEntry, FormatEntry
from numprec.registry.errors import DuplicateNameError, PluginWarning, UnknownNameError
from numprec.registry.hookspecs import hookimpl, hookspec
from numprec.registry.manager import (
    from_config, get_arithmetic, get_case, get_format, get_manager, get_rounding, list_arithmetics,
    list_cases, list_formats, list_roundings, plugin_errors, reload_plugins,
)

__all__ = ["ArithmeticEntry", "CaseEntry", "FormatEntry", "DuplicateNameError",
           "PluginWarning", "UnknownNameError", "hookimpl", "hookspec", "from_config", "get_arithmetic", "get_case", "get_format",
           "get_manager", "get_rounding", "list_arithmetics", "list_cases", "list_formats",
           "list_roundings", "plugin_errors", "reload_plugins"]
