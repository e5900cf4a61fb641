"""The registry: a pluggy PluginManager filled from entry points."""
from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import threading
import warnings

import pluggy

from numprec.formats.base import Format
from numprec.registry import builtin, hookspecs
from numprec.registry.entries import ArithmeticEntry, CaseEntry, FormatEntry
from numprec.registry.errors import DuplicateNameError, PluginWarning, UnknownNameError
from numprec.rounding.schemes import RoundingScheme

ENTRY_POINT_GROUP = "numprec"
BUILTIN = "builtin"          # the plugin name of numprec's own formats and schemes


class Registry:
    """Formats, rounding schemes and arithmetic schemes from all plugins.

    Each plugin's hooks are called one at a time, so a plugin that raises
    is reported and skipped without stopping the others.
    """

    def __init__(self, entry_points=True, plugins=()):
        self.pm = pluggy.PluginManager("numprec")
        self.pm.add_hookspecs(hookspecs)
        self.errors: list[str] = []
        self.pm.register(builtin, name=BUILTIN)
        for name, plugin in plugins:
            self.pm.register(plugin, name=name)
        if entry_points:
            self._load_entry_points()
        self.formats: dict[str, tuple[Format, str]] = {}      # name or alias -> (format, plugin)
        self.canonical: dict[str, str] = {}                   # name -> plugin (no aliases)
        self.roundings: dict[str, tuple[RoundingScheme, str]] = {}
        self.arithmetics: dict[str, tuple[object, str]] = {}
        self.cases: dict[str, tuple[CaseEntry, str]] = {}
        self.duplicates: dict[str, list[str]] = {}
        self._collect()

    # -- loading -----------------------------------------------------------
    def _fail(self, plugin, what, exc):
        message = f"numprec plugin {plugin!r} {what}: {type(exc).__name__}: {exc}"
        self.errors.append(message)
        warnings.warn(message, PluginWarning, stacklevel=4)

    def _load_entry_points(self):
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if self.pm.get_plugin(ep.name) is not None:
                continue            # the built-in plugin, already registered
            try:
                module = ep.load()
                if module is builtin:
                    continue
                self.pm.register(module, name=ep.name)
            except Exception as exc:  # noqa: BLE001 - any plugin failure is reported
                self._fail(ep.name, f"failed to load ({ep.value})", exc)

    def _each(self, hook):
        """(plugin name, result) for each implementation in registration
        order (the built-in plugin first), failures reported."""
        for impl in hook.get_hookimpls():
            try:
                yield impl.plugin_name, impl.function()
            except Exception as exc:  # noqa: BLE001
                self._fail(impl.plugin_name, f"raised in {hook.name}()", exc)

    def _claim(self, table, name, value, plugin, kind):
        """Record ``name`` -> ``value`` for ``plugin``; True if it is used.

        A name numprec defines itself stays numprec's: the plugin that claims
        it again is blamed and only that claim is dropped.  A name two
        third-party plugins claim is used by neither.
        """
        if name in self.duplicates:
            self.duplicates[name].append(plugin)
            return False
        if name in table:
            first = table[name][1]
            if first == BUILTIN:                 # the built-in plugin is collected first
                self._fail(plugin, f"registered the {kind} name {name!r} that numprec defines "
                           "itself (built-in); the built-in one is kept and this "
                           "registration is ignored", DuplicateNameError(name))
                return False
            table.pop(name)
            self.duplicates[name] = [first, plugin]
            self._fail(plugin, f"registered the {kind} name {name!r} that plugin {first!r} "
                       "already registered (neither is used)", DuplicateNameError(name))
            return False
        table[name] = (value, plugin)
        return True

    def _collect(self):
        from numprec.formats import register_format_class

        for plugin, classes in self._each(self.pm.hook.numprec_format_classes):
            for cls in classes or ():
                try:
                    register_format_class(cls)
                except Exception as exc:  # noqa: BLE001
                    self._fail(plugin, "gave an invalid format class", exc)
        for plugin, entries in self._each(self.pm.hook.numprec_formats):
            for entry in entries or ():
                try:
                    if isinstance(entry, Format):
                        entry = FormatEntry(entry.name, entry)
                    if not isinstance(entry, FormatEntry):
                        raise TypeError(f"expected FormatEntry or Format, got {type(entry).__name__}")
                except Exception as exc:  # noqa: BLE001
                    self._fail(plugin, "returned an invalid format entry", exc)
                    continue
                if self._claim(self.formats, entry.name, entry.format, plugin, "format"):
                    self.canonical[entry.name] = plugin
                for alias in entry.aliases:
                    self._claim(self.formats, alias, entry.format, plugin, "format")
        for plugin, schemes in self._each(self.pm.hook.numprec_roundings):
            for scheme in schemes or ():
                if not isinstance(scheme, RoundingScheme):
                    self._fail(plugin, "returned an invalid rounding scheme",
                               TypeError(f"expected RoundingScheme, got {type(scheme).__name__}"))
                    continue
                self._claim(self.roundings, scheme.name, scheme, plugin, "rounding scheme")
        for plugin, entries in self._each(self.pm.hook.numprec_arithmetics):
            for entry in entries or ():
                if not isinstance(entry, ArithmeticEntry):
                    self._fail(plugin, "returned an invalid arithmetic entry",
                               TypeError(f"expected ArithmeticEntry, got {type(entry).__name__}"))
                    continue
                self._claim(self.arithmetics, entry.name, entry.scheme, plugin,
                            "arithmetic scheme")
        for plugin, entries in self._each(self.pm.hook.numprec_cases):
            for entry in entries or ():
                if not isinstance(entry, CaseEntry):
                    self._fail(plugin, "returned an invalid case entry",
                               TypeError(f"expected CaseEntry, got {type(entry).__name__}"))
                    continue
                self._claim(self.cases, entry.name, entry, plugin, "case")
        for name in self.duplicates:
            self.canonical.pop(name, None)

    # -- lookup ------------------------------------------------------------
    def _lookup(self, table, name, kind, argument):
        if not isinstance(name, str):
            raise TypeError(f"{argument} must be a string, got {type(name).__name__}")
        for key in (name, name.lower()):
            if key in table:
                return table[key][0]
            if key in self.duplicates:
                raise DuplicateNameError(
                    f"{kind} name {key!r} is registered by several plugins "
                    f"({', '.join(self.duplicates[key])}); uninstall one of them")
        return None

    def _unknown(self, table, name, kind, argument):
        close = difflib.get_close_matches(name, list(table), n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        return UnknownNameError(f"{argument}: unknown {kind} {name!r}{hint} "
                                f"(see numprec.list_{kind.split()[0]}s())")

    def get_format(self, name):
        found = self._lookup(self.formats, name, "format", "fmt")
        if found is not None:
            return found
        for plugin, impl in self._parse_impls():
            try:
                parsed = impl(name=name)
            except Exception as exc:  # noqa: BLE001 - a bad parameter is the plugin's error
                raise ValueError(f"fmt {name!r}: plugin {plugin!r} could not build it: {exc}") from exc
            if parsed is not None:
                return parsed
        raise self._unknown(self.formats, name, "format", "fmt")

    def _parse_impls(self):
        """The parsers in registration order: numprec's own names first."""
        for impl in self.pm.hook.numprec_parse_format.get_hookimpls():
            yield impl.plugin_name, impl.function

    def get_rounding(self, name):
        found = self._lookup(self.roundings, name, "rounding scheme", "rounding")
        if found is None:
            raise self._unknown(self.roundings, name, "rounding scheme", "rounding")
        return found

    def get_arithmetic(self, name):
        found = self._lookup(self.arithmetics, name, "arithmetic scheme", "arithmetic")
        if found is None:
            raise self._unknown(self.arithmetics, name, "arithmetic scheme", "arithmetic")
        return found

    def get_case(self, name):
        entry = self._lookup(self.cases, name, "case", "name")
        if entry is None:
            known = ", ".join(sorted(self.cases)) or "none"
            raise UnknownNameError(f"name: unknown case {name!r} (known cases: {known}; "
                                   "see numprec.list_cases())")
        return load_case(entry, self.cases[entry.name][1])


def load_case(entry, plugin):
    """Import ``entry.load`` and return the object it names.

    Raises
    ------
    ImportError
        If the module cannot be imported or has no such attribute; the
        message names the case, where it should be and which plugin
        registered it.
    """
    where = f"case {entry.name!r} (registered by plugin {plugin!r} as {entry.load!r})"
    try:
        obj = importlib.import_module(entry.module)
    except ImportError as exc:
        raise ImportError(f"{where} could not be loaded: {type(exc).__name__}: {exc}") from exc
    for part in entry.attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise ImportError(f"{where} could not be loaded: {type(obj).__name__} "
                              f"{getattr(obj, '__name__', obj)!r} has no attribute {part!r}") from exc
    return obj


_registry = None
_builtin_only = None
_lock = threading.RLock()
_building = threading.local()


def _build():
    """Build the registry; a plugin that looks formats up while it is being
    imported gets the built-in formats instead of a deadlock or a loop."""
    _building.active = True
    try:
        return Registry()
    finally:
        _building.active = False


def get_manager() -> Registry:
    """The process-wide registry, built on first use."""
    global _registry, _builtin_only
    if _registry is not None:
        return _registry
    if getattr(_building, "active", False):
        if _builtin_only is None:
            _builtin_only = Registry(entry_points=False)
        return _builtin_only
    with _lock:
        if _registry is None:
            _registry = _build()
    return _registry


def reload_plugins() -> Registry:
    """Rebuild the registry (e.g. after installing a plugin)."""
    global _registry
    import importlib
    importlib.invalidate_caches()
    with _lock:
        _registry = _build()
    return _registry


def get_format(name):
    """A format by registered name or alias (case-insensitive fallback), or a
    parametric name such as "e5m10"/"E8M7" or a plugin's (e.g. "posit16_1")."""
    if hasattr(name, "_round_array"):
        return name
    return get_manager().get_format(name)


def get_rounding(name):
    """A rounding scheme by name."""
    return get_manager().get_rounding(name)


def get_arithmetic(name):
    """An arithmetic scheme (for numprec.emulate) by name."""
    return get_manager().get_arithmetic(name)


def get_case(name):
    """The case registered under ``name`` (numprec's own or a plugin's).

    The module holding it is imported now, not when the registry is built.

    Raises
    ------
    numprec.UnknownNameError
        If no plugin registered ``name``; the message lists the known cases.
    ImportError
        If the registered ``load`` cannot be imported.
    """
    return get_manager().get_case(name)


def list_cases():
    """Sorted names of the registered cases (their modules are not imported)."""
    return sorted(get_manager().cases)


def list_formats():
    """Sorted names of the registered formats (plugins included, aliases not)."""
    return sorted(get_manager().canonical)


def list_roundings():
    """Names of the registered rounding schemes."""
    return list(get_manager().roundings)


def list_arithmetics():
    """Names of the registered arithmetic schemes."""
    return list(get_manager().arithmetics)


def plugin_errors():
    """Messages of the plugins that failed to load or register."""
    return list(get_manager().errors)
