"""The plugin contract of numprec: every hook a plugin may implement.

A plugin is a module (or object) with functions decorated by
``numprec.hookimpl`` whose names match the hooks below.  Distributions make
it known through the entry point group ``numprec``, best through a small
*names module* that declares what the plugin provides, so that numprec can
import the plugin only when one of its names is asked for::

    [project.entry-points.numprec]
    myformats = "my_package.numprec_names"

    # my_package/numprec_names.py  (import nothing heavy here)
    PLUGIN = "my_package.numprec_plugin"     # the module with the hookimpls
    FORMATS = ("my8", "my8_alias")            # names and aliases
    FORMAT_PREFIXES = ("my",)                 # parametric names it parses
    FORMAT_IDS = ("my_format",)               # format_id of its classes
    ROUNDINGS = ()                            # rounding scheme names
    ARITHMETICS = ()                          # arithmetic scheme names
    CASES = ()                                # case names

(:mod:`numprec.registry.declared`).  An entry point may also name the plugin
module itself, as before names modules existed; such a plugin is imported
and its hooks called the first time numprec looks beyond its own names.

When hooks are called: numprec's own plugin (:mod:`numprec.registry.builtin`,
registered through these same hooks) when the registry is first used; a
plugin's hooks once, when the plugin is loaded, i.e. when a name it declares
is asked for (:func:`numprec.get_format`, :func:`numprec.get_rounding`,
:func:`numprec.get_arithmetic`, :func:`numprec.get_case`,
:func:`numprec.from_config`), when a parametric name matches one of its
``FORMAT_PREFIXES``, when a name is not found at all, or when anything is
listed (``list_formats``, ``list_roundings``, ``list_arithmetics``,
``list_cases``, ``plugin_errors``, ``python -m numprec formats``).  Every
hook is optional.  A plugin whose import or hook raises is reported (a
:class:`numprec.PluginWarning` naming it, and :func:`numprec.plugin_errors`)
and skipped, and the other plugins still load; a declared plugin that
registers a name it did not declare is reported too (the name still works
once the plugin is loaded).  Plugins import only the public API
(``import numprec``).

Names: formats (names and aliases), rounding schemes, arithmetic schemes and
cases have one namespace each across all plugins.  A name numprec defines
itself (its registered names and its parametric names such as "e5m10")
stays the built-in one: a plugin that claims it again is reported and only
that claim is dropped.  A name two other plugins claim is an error naming
both (:class:`numprec.DuplicateNameError`), and neither claim is used.
"""
import pluggy

hookspec = pluggy.HookspecMarker("numprec")
hookimpl = pluggy.HookimplMarker("numprec")


@hookspec
def numprec_formats():
    """Return the named formats this plugin provides.

    Returns
    -------
    iterable of numprec.FormatEntry or numprec.Format
        ``FormatEntry(name, format, aliases=())`` with ``name`` a str,
        ``format`` a :class:`numprec.Format` and ``aliases`` a tuple of str;
        a bare Format is registered under ``format.name``.  Elementwise
        formats subclass :class:`numprec.FloatFormat` (or another built-in
        class) or :class:`numprec.Format` and implement ``round_into(x,
        out, scheme, key)``; block formats (scales shared along an axis,
        e.g. microscaling) subclass :class:`numprec.BlockFormat`.  Declare
        every name and alias in the names module's ``FORMATS``.
    """


@hookspec(firstresult=True)
def numprec_parse_format(name):
    """Build a format from a parametric name, e.g. "posit16_1" or "e5m10".

    Called by :func:`numprec.get_format` for names that no loaded plugin
    registered: numprec's own parser first, then the loaded plugins' in
    the order they were loaded (after loading those whose
    ``FORMAT_PREFIXES`` start the name, case-insensitively), then, if none
    answered, every plugin's.  "First result wins": the implementations are
    called one after the other and the first that returns something other
    than None gives the format; the later ones are not called.

    Parameters
    ----------
    name : str
        The name as the user wrote it (case kept).

    Returns
    -------
    numprec.Format or None
        None if the name is not one of yours.  Raise ValueError for a name
        of your form with bad parameters (e.g. "posit99"); numprec reports it
        naming your plugin.
    """


@hookspec
def numprec_format_classes():
    """Return the Format subclasses whose configs :func:`numprec.from_config`
    rebuilds.

    Called when the plugin is loaded, e.g. by :func:`numprec.from_config`
    for a config whose ``"id"`` the plugin declares in ``FORMAT_IDS``.

    Returns
    -------
    iterable of type
        Subclasses of :class:`numprec.Format`, each with a non-empty,
        unique ``format_id`` (str); ``cls.from_config(config)`` is called
        with the dict ``get_config()`` returned.
    """


@hookspec
def numprec_roundings():
    """Return the rounding schemes this plugin provides.

    Called when the plugin is loaded (e.g. by :func:`numprec.round` for a
    scheme name the plugin declares in ``ROUNDINGS``).

    Returns
    -------
    iterable of numprec.RoundingScheme
        Third-party schemes give ``select(x, lower, upper, u)``: numprec
        computes the two neighbours of ``x`` in the format and uniform
        random numbers ``u`` from its counter-based generator (all float64
        arrays of ``x``'s shape), and the scheme returns one neighbour per
        element.  Beyond the largest finite value ``max`` the neighbours
        stay finite: ``max`` and the value after it in the format's
        precision, which numprec turns into the format's overflow value
        (inf, NaN or max) when chosen; both signs alike.  So a nearest rule
        overflows where the built-in ``nearest_even`` does.  The full
        definition is in docs/formats.md ("Rounding schemes of plugins").
    """


@hookspec
def numprec_arithmetics():
    """Return arithmetic schemes for emulated arithmetic.

    Called when the plugin is loaded (e.g. by ``numprec.emulate.Policy(...,
    arithmetic=name)`` for a name the plugin declares in ``ARITHMETICS``).

    Returns
    -------
    iterable of numprec.ArithmeticEntry
        ``ArithmeticEntry(name, scheme)`` (``name`` a str) where ``scheme``
        replaces some operations of :mod:`numprec.emulate` (e.g. an
        approximate multiply, used for ``*`` and for the products inside
        ``dot``/``matmul``).
        The interface of ``scheme`` is documented in numprec.emulate.
    """


@hookspec
def numprec_cases():
    """Return the cases (models runnable by the ensemble runner) this plugin provides.

    Called when the plugin is loaded: by :func:`numprec.get_case` for a name
    the plugin declares in ``CASES``, or by :func:`numprec.list_cases`.

    Returns
    -------
    iterable of numprec.CaseEntry
        ``CaseEntry(name, load="package.module:attribute", description="")``.
        Only the entry is built here: ``load`` is imported when the case is
        asked for (:func:`numprec.get_case`), so listing cases imports no
        model code.  The object found there follows the case contract of
        :mod:`numprec.cases.base` (``name``, ``description``, ``parameters``,
        ``components``, ``variables``, ``build(**params)``,
        ``run(params, policy, *, members, ic_seed, **options)``).  The
        fields are str; ``load`` is ``"package.module:attribute"``.
    """
