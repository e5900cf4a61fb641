"""The registry: a pluggy PluginManager filled lazily from entry points.

numprec's own formats, schemes and cases are registered when the registry is
built; entry points are read only when a name is not numprec's own, and a
plugin that declares its names (:mod:`numprec.registry.declared`) is imported
only when one of them is asked for, or when everything is listed.
"""
from __future__ import annotations

import importlib
import threading
import warnings

import pluggy

from numprec.formats.base import Format
from numprec.registry import builtin, hookspecs
from numprec.registry.declared import read_declaration
from numprec.registry.entries import ArithmeticEntry, CaseEntry, FormatEntry
from numprec.registry.errors import DuplicateNameError, PluginWarning, UnknownNameError
from numprec.rounding.schemes import RoundingScheme

ENTRY_POINT_GROUP = "numprec"
BUILTIN = "builtin"          # the plugin name of numprec's own formats and schemes


class Registry:
    """Formats, rounding schemes, arithmetic schemes and cases from all plugins.

    Parameters
    ----------
    entry_points : bool
        Whether to look for plugins in the entry point group ``numprec``
        (when a name is not numprec's own).
    plugins : iterable of (str, object)
        Plugin objects to register right away, after the built-in one, under
        the given names (used by tests and applications embedding numprec).

    Each plugin's hooks are called one at a time, so a plugin that raises
    is reported and skipped without stopping the others.
    """

    def __init__(self, entry_points=True, plugins=()):
        self.pm = pluggy.PluginManager("numprec")
        self.pm.add_hookspecs(hookspecs)
        self.errors: list[str] = []
        self.formats: dict[str, tuple[Format, str]] = {}      # name or alias -> (format, plugin)
        self.canonical: dict[str, str] = {}                   # name -> plugin (no aliases)
        self.roundings: dict[str, tuple[RoundingScheme, str]] = {}
        self.arithmetics: dict[str, tuple[object, str]] = {}
        self.cases: dict[str, tuple[CaseEntry, str]] = {}
        self.format_classes: dict[str, tuple[type, str]] = {}  # format_id -> (class, plugin)
        self.duplicates: dict[str, list[str]] = {}
        self.lock = threading.RLock()
        self._scanned = not entry_points
        self._pending = {}        # entry point name -> Declaration, not imported yet
        self._add(BUILTIN, builtin)
        for name, plugin in plugins:
            self._add(name, plugin)

    # -- loading -----------------------------------------------------------
    def _fail(self, plugin, what, exc):
        message = f"numprec plugin {plugin!r} {what}: {type(exc).__name__}: {exc}"
        self.errors.append(message)
        warnings.warn(message, PluginWarning, stacklevel=4)

    def _add(self, name, plugin):
        self.pm.register(plugin, name=name)
        return self._collect(name)

    def _scan(self):
        """Read the entry points once: declared plugins wait, others are registered."""
        if self._scanned:
            return
        self._scanned = True
        import importlib.metadata      # here: it takes ~20 ms to import, and numprec's own
                                       # names never need it
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if self.pm.get_plugin(ep.name) is not None or ep.name in self._pending:
                continue            # the built-in plugin, or a second entry of one name
            try:
                module = ep.load()
                if module is builtin:
                    continue
                declaration = read_declaration(module)
            except Exception as exc:  # noqa: BLE001 - any plugin failure is reported
                self._fail(ep.name, f"failed to load ({ep.value})", exc)
                continue
            if declaration is None:          # a plugin module that declares nothing
                self._add(ep.name, module)
            else:
                self._pending[ep.name] = declaration

    def _load(self, name):
        """Import and register the declared plugin ``name``."""
        declaration = self._pending.pop(name)
        try:
            module = importlib.import_module(declaration.plugin)
            self.pm.register(module, name=name)
        except Exception as exc:  # noqa: BLE001
            self._fail(name, f"failed to load ({declaration.plugin})", exc)
            return
        registered = self._collect(name)
        for kind, names in registered.items():
            undeclared = sorted(set(names) - set(declaration.names.get(kind, ())))
            if undeclared:
                self._fail(name, f"registered {kind} it does not declare", ValueError(
                    f"{', '.join(map(repr, undeclared))}: add them to its names module, or "
                    "numprec does not find them before the plugin is loaded"))

    def _load_declaring(self, kind, name):
        """Load the pending plugins that declare ``name`` (or its lower case)."""
        self._scan()
        for plugin, declaration in list(self._pending.items()):
            if declaration.declares(kind, name) or declaration.declares(kind, name.lower()):
                self._load(plugin)

    def _load_parsers(self, name):
        self._scan()
        for plugin, declaration in list(self._pending.items()):
            if declaration.parses(name):
                self._load(plugin)

    def load_all(self):
        """Import every plugin (for listings)."""
        with self.lock:
            self._scan()
            for plugin in list(self._pending):
                self._load(plugin)

    def _results(self, hook, plugin):
        """The result of ``plugin``'s implementation of ``hook``, failures reported."""
        for impl in hook.get_hookimpls():
            if impl.plugin_name != plugin:
                continue
            try:
                return impl.function()
            except Exception as exc:  # noqa: BLE001
                self._fail(plugin, f"raised in {hook.name}()", exc)
        return None

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
            self.canonical.pop(name, None)
            self.duplicates[name] = [first, plugin]
            self._fail(plugin, f"registered the {kind} name {name!r} that plugin {first!r} "
                       "already registered (neither is used)", DuplicateNameError(name))
            return False
        table[name] = (value, plugin)
        return True

    def _collect(self, plugin):
        """Call ``plugin``'s hooks and record what it registers; returns the
        names it registered, by kind."""
        hook = self.pm.hook
        got = {"formats": [], "format_ids": [], "roundings": [], "arithmetics": [], "cases": []}
        for cls in self._results(hook.numprec_format_classes, plugin) or ():
            if not (isinstance(cls, type) and issubclass(cls, Format) and cls.format_id
                    and isinstance(cls.format_id, str)):
                self._fail(plugin, "gave an invalid format class", TypeError(
                    f"expected a numprec.Format subclass with a non-empty format_id, got {cls!r}"))
                continue
            self._claim(self.format_classes, cls.format_id, cls, plugin, "format id")
            got["format_ids"].append(cls.format_id)
        for entry in self._results(hook.numprec_formats, plugin) or ():
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
            got["formats"] += [entry.name, *entry.aliases]
        for scheme in self._results(hook.numprec_roundings, plugin) or ():
            if not isinstance(scheme, RoundingScheme):
                self._fail(plugin, "returned an invalid rounding scheme",
                           TypeError(f"expected RoundingScheme, got {type(scheme).__name__}"))
                continue
            self._claim(self.roundings, scheme.name, scheme, plugin, "rounding scheme")
            got["roundings"].append(scheme.name)
        for entry in self._results(hook.numprec_arithmetics, plugin) or ():
            if not isinstance(entry, ArithmeticEntry):
                self._fail(plugin, "returned an invalid arithmetic entry",
                           TypeError(f"expected ArithmeticEntry, got {type(entry).__name__}"))
                continue
            self._claim(self.arithmetics, entry.name, entry.scheme, plugin, "arithmetic scheme")
            got["arithmetics"].append(entry.name)
        for entry in self._results(hook.numprec_cases, plugin) or ():
            if not isinstance(entry, CaseEntry):
                self._fail(plugin, "returned an invalid case entry",
                           TypeError(f"expected CaseEntry, got {type(entry).__name__}"))
                continue
            self._claim(self.cases, entry.name, entry, plugin, "case")
            got["cases"].append(entry.name)
        return got

    # -- lookup ------------------------------------------------------------
    def _lookup(self, table, name, kind):
        """(value, plugin) for ``name`` or its lower case among the loaded plugins."""
        for key in (name, name.lower()):
            if key in table:
                return table[key]
            if key in self.duplicates:
                raise DuplicateNameError(
                    f"{kind} name {key!r} is registered by several plugins "
                    f"({', '.join(self.duplicates[key])}); uninstall one of them")
        return None

    def _find(self, table, name, kind, declared_as):
        """Look ``name`` up: numprec's own names first, then the plugins
        declaring it, then every plugin.  The value or None."""
        found = self._lookup(table, name, kind)
        if found is not None and found[1] == BUILTIN:
            return found[0]
        with self.lock:
            self._load_declaring(declared_as, name)     # also finds duplicates of a loaded name
            found = self._lookup(table, name, kind)
            return None if found is None else found[0]

    def _unknown(self, table, name, kind, argument):
        import difflib
        self.load_all()
        close = difflib.get_close_matches(name, list(table), n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        return UnknownNameError(f"{argument}: unknown {kind} {name!r}{hint} "
                                f"(see numprec.list_{kind.split()[0]}s())")

    def _check_name(self, name, argument):
        if not isinstance(name, str):
            raise TypeError(f"{argument} must be a string, got {type(name).__name__}")

    def _parse(self, name, plugins):
        for impl in self.pm.hook.numprec_parse_format.get_hookimpls():
            if impl.plugin_name not in plugins:
                continue
            try:
                parsed = impl.function(name=name)
            except Exception as exc:  # noqa: BLE001 - a bad parameter is the plugin's error
                raise ValueError(f"fmt {name!r}: plugin {impl.plugin_name!r} could not build "
                                 f"it: {exc}") from exc
            if parsed is not None:
                return parsed
        return None

    def get_format(self, name):
        self._check_name(name, "fmt")
        found = self._lookup(self.formats, name, "format")
        if found is not None and found[1] == BUILTIN:
            return found[0]
        parsed = self._parse(name, (BUILTIN,))     # numprec's parametric names are its own
        if parsed is not None:
            return parsed
        with self.lock:
            found = self._find(self.formats, name, "format", "formats")
            if found is not None:
                return found
            self._load_parsers(name)
            for attempt in ("loaded", "all"):
                if attempt == "all":
                    self.load_all()
                    found = self._lookup(self.formats, name, "format")
                    if found is not None:
                        return found[0]
                others = [p for p in self.pm.list_name_plugin() if p[0] != BUILTIN]
                parsed = self._parse(name, {p for p, _ in others})
                if parsed is not None:
                    return parsed
        raise self._unknown(self.formats, name, "format", "fmt")

    def get_rounding(self, name):
        return self._get(self.roundings, name, "rounding scheme", "rounding", "roundings")

    def get_arithmetic(self, name):
        return self._get(self.arithmetics, name, "arithmetic scheme", "arithmetic",
                         "arithmetics")

    def _get(self, table, name, kind, argument, declared_as):
        self._check_name(name, argument)
        found = self._find(table, name, kind, declared_as)
        if found is None:
            self.load_all()
            found = self._lookup(table, name, kind)
            found = None if found is None else found[0]
        if found is None:
            raise self._unknown(table, name, kind, argument)
        return found

    def get_case(self, name):
        self._check_name(name, "name")
        entry = self._find(self.cases, name, "case", "cases")
        if entry is None:
            self.load_all()
            entry = self._lookup(self.cases, name, "case")
            entry = None if entry is None else entry[0]
        if entry is None:
            known = ", ".join(sorted(self.cases)) or "none"
            raise UnknownNameError(f"name: unknown case {name!r} (known cases: {known}; "
                                   "see numprec.list_cases())")
        return load_case(entry, self.cases[entry.name][1])

    def format_class(self, format_id):
        """The Format subclass registered for ``format_id``, or None."""
        found = self.format_classes.get(format_id)
        if found is None:
            with self.lock:
                self._load_declaring("format_ids", format_id)
                found = self.format_classes.get(format_id)
        if found is None:
            self.load_all()
            found = self.format_classes.get(format_id)
        return None if found is None else found[0]


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
_lock = threading.Lock()


def get_manager() -> Registry:
    """The process-wide registry, built on first use (numprec's own names
    only; plugins are loaded as their names are asked for)."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                _registry = Registry()
    return _registry


def reload_plugins() -> Registry:
    """Rebuild the registry (e.g. after installing a plugin)."""
    global _registry
    importlib.invalidate_caches()
    with _lock:
        _registry = Registry()
    return _registry


def get_format(name):
    """A format by registered name or alias (case-insensitive fallback), or a
    parametric name such as "e5m10"/"E8M7" or a plugin's (e.g. "posit16_1").

    Parameters
    ----------
    name : str or Format
        A name of :func:`list_formats`, an alias, or a parametric name; a
        :class:`Format` is returned as it is.

    Returns
    -------
    Format

    Raises
    ------
    numprec.UnknownNameError
        If no installed plugin knows ``name``.

    Examples
    --------
    >>> import numprec
    >>> fmt = numprec.get_format("e5m10")
    >>> fmt.exponent_bits, fmt.mantissa_bits
    (5, 10)
    >>> numprec.get_format("binary16") == fmt
    True
    """
    if isinstance(name, Format):
        return name
    return get_manager().get_format(name)


def get_rounding(name):
    """A rounding scheme by name.

    Parameters
    ----------
    name : str
        A name of :func:`list_roundings` (``"nearest_even"``,
        ``"stochastic"``, a plugin's, ...).

    Returns
    -------
    numprec.RoundingScheme

    Raises
    ------
    numprec.UnknownNameError
        If no installed plugin registered ``name``.

    Examples
    --------
    >>> from numprec.registry import get_rounding
    >>> get_rounding("stochastic").stochastic
    True
    """
    return get_manager().get_rounding(name)


def get_arithmetic(name):
    """An arithmetic scheme (for numprec.emulate) by name.

    Parameters
    ----------
    name : str
        A name of :func:`list_arithmetics` (registered by plugins through
        the ``numprec_arithmetics`` hook).

    Returns
    -------
    object
        The scheme, as the plugin registered it.

    Raises
    ------
    numprec.UnknownNameError
        If no installed plugin registered ``name``.
    """
    return get_manager().get_arithmetic(name)


def get_case(name):
    """The case registered under ``name`` (numprec's own or a plugin's).

    The module holding it is imported now, not when the registry is built.

    Parameters
    ----------
    name : str
        A name of :func:`list_cases`.

    Returns
    -------
    numprec.cases.base.Case

    Raises
    ------
    numprec.UnknownNameError
        If no plugin registered ``name``; the message lists the known cases.
    ImportError
        If the registered ``load`` cannot be imported.

    Examples
    --------
    >>> import numprec
    >>> numprec.get_case("lorenz").name
    'lorenz'
    """
    return get_manager().get_case(name)


def from_config(config: dict) -> Format:
    """Rebuild a format from its ``get_config()`` dict (any plugin's).

    Parameters
    ----------
    config : dict
        What the format's ``get_config()`` returned; its ``"id"`` names the
        format class.

    Returns
    -------
    Format
        A format equal to the one that wrote ``config``.

    Raises
    ------
    ValueError
        If ``config`` is not a dict with an ``"id"`` key, or no installed
        plugin has a format class with that id.

    Examples
    --------
    >>> import numprec
    >>> fmt = numprec.FixedFormat(3, 12)
    >>> numprec.from_config(fmt.get_config()) == fmt
    True
    """
    if not isinstance(config, dict) or "id" not in config:
        raise ValueError(f"config must be a dict with an 'id' key, got {config!r}")
    registry = get_manager()
    cls = registry.format_class(config["id"])
    if cls is None:
        raise ValueError(f"unknown format id {config['id']!r} in config; known: "
                         f"{sorted(registry.format_classes)}")
    return cls.from_config(config)


def _listing(table_name):
    registry = get_manager()
    registry.load_all()
    return getattr(registry, table_name)


def list_cases():
    """Sorted names of the registered cases (their modules are not imported)."""
    return sorted(_listing("cases"))


def list_formats():
    """Sorted names of the registered formats (plugins included, aliases not)."""
    return sorted(_listing("canonical"))


def list_roundings():
    """Names of the registered rounding schemes."""
    return list(_listing("roundings"))


def list_arithmetics():
    """Names of the registered arithmetic schemes."""
    return list(_listing("arithmetics"))


def plugin_errors():
    """Messages of the plugins that failed to load or register (all plugins
    are loaded first)."""
    return list(_listing("errors"))
