"""The numprec hooks of numprec-mx (registered as entry point ``mx``)."""
import numprec

from numprec_mx.formats import BlockScaledFormat, parse_block_name, presets


@numprec.hookimpl
def numprec_formats():
    return [numprec.FormatEntry(name, fmt, aliases) for name, fmt, aliases in presets()]


@numprec.hookimpl
def numprec_parse_format(name):
    return parse_block_name(name)


@numprec.hookimpl
def numprec_format_classes():
    return [BlockScaledFormat]
