"""The plugin contract of numprec: every hook a plugin may implement.

A plugin is a module (or object) with functions decorated by
``numprec.hookimpl`` whose names match the hooks below.  Distributions make
it known through the entry point group ``numprec``::

    [project.entry-points.numprec]
    myformats = "my_package.numprec_plugin"

numprec's own formats and rounding schemes are registered through these
same hooks by :mod:`numprec.registry.builtin`.  Every hook is optional.
The hooks are called once, when the registry is first used; a plugin whose
import or hook raises is reported (a :class:`numprec.PluginWarning` naming
it, and ``numprec.registry.plugin_errors()``) and skipped, and the other
plugins still load.  Plugins should import only the public API
(``import numprec``).
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
        ``FormatEntry(name, format, aliases=())``; a bare Format is
        registered under ``format.name``.  Names and aliases share one
        namespace across all plugins.  A name numprec registers itself stays
        the built-in one: a plugin that claims it again is reported (a
        PluginWarning naming that plugin) and only that claim is dropped.
        A name two other plugins claim is an error naming both, and neither
        claim is used.  The same holds for rounding and arithmetic names.
        Elementwise formats subclass :class:`numprec.FloatFormat` (or
        another built-in class) or implement ``Format._round_array``;
        block formats (scaled blocks along an axis, e.g. microscaling)
        implement ``_round_array`` on the whole array and set
        ``elementwise = False``.
    """


@hookspec(firstresult=True)
def numprec_parse_format(name):
    """Build a format from a parametric name, e.g. "posit16_1" or "e5m10".

    Called by :func:`numprec.get_format` for names that are not registered,
    numprec's own parser first, then the plugins' in the order they were
    loaded; the first Format returned is used.  Return a Format, or None
    if the name is not one of yours.
    """


@hookspec
def numprec_format_classes():
    """Return Format subclasses whose configs ``numprec.formats.from_config``
    should rebuild (each with a unique ``format_id``)."""


@hookspec
def numprec_roundings():
    """Return the rounding schemes this plugin provides.

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

    Returns
    -------
    iterable of numprec.ArithmeticEntry
        ``ArithmeticEntry(name, scheme)`` where ``scheme`` replaces some
        operations of :mod:`numprec.emulate` (e.g. an approximate multiply,
        used for ``*`` and for the products inside ``dot``/``matmul``).
        The interface of ``scheme`` is documented in numprec.emulate.
    """


@hookspec
def numprec_cases():
    """Return the cases (models runnable by the ensemble runner) this plugin provides.

    Called when a case is first looked up or listed (:func:`numprec.get_case`,
    :func:`numprec.list_cases`, ``python -m numprec cases``).

    Returns
    -------
    iterable of numprec.CaseEntry
        ``CaseEntry(name, load="package.module:attribute", description="")``.
        Only the entry is built here: ``load`` is imported when the case is
        asked for (:func:`numprec.get_case`), so listing cases imports no
        model code.  The object found there follows the case contract of
        :mod:`numprec.cases.base` (``name``, ``description``, ``parameters``,
        ``components``, ``variables``, ``build(**params)``,
        ``run(params, policy, *, members, ic_seed, **options)``).  Case names
        have one namespace across plugins, with the same rules as format
        names (a built-in name stays numprec's; a name two plugins claim is
        used by neither).
    """
