"""numprec's own formats and rounding schemes, registered like any plugin."""
from numprec.formats.fixed_format import FixedFormat, IntFormat
from numprec.formats.float_format import FloatFormat
from numprec.formats.named import builtin_formats
from numprec.formats.parse import parse_format_name
from numprec.registry.entries import FormatEntry
from numprec.registry.hookspecs import hookimpl
from numprec.rounding.schemes import builtin_schemes


@hookimpl
def numprec_formats():
    return [FormatEntry(name, fmt, aliases) for name, fmt, aliases in builtin_formats()]


@hookimpl
def numprec_parse_format(name):
    return parse_format_name(name)


@hookimpl
def numprec_format_classes():
    return [FloatFormat, FixedFormat, IntFormat]


@hookimpl
def numprec_roundings():
    return builtin_schemes()
