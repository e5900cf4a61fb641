"""The numprec hooks of numprec-posit (registered as entry point ``posit``).

numprec calls these through pluggy when its registry is first used:
``numprec_formats`` names the standard posits, ``numprec_parse_format``
builds any posit<n, es> from a name such as "posit12" or "posit16_1", and
``numprec_format_classes`` lets ``numprec.from_config`` rebuild a
PositFormat from a stored config.
"""
import numprec

from numprec_posit.format import PositFormat, parse_posit_name


@numprec.hookimpl
def numprec_formats():
    return [
        numprec.FormatEntry("posit8", PositFormat(8, 2), aliases=("posit8_2",)),
        numprec.FormatEntry("posit16", PositFormat(16, 2), aliases=("posit16_2",)),
        numprec.FormatEntry("posit32", PositFormat(32, 2), aliases=("posit32_2",)),
    ]


@numprec.hookimpl
def numprec_parse_format(name):
    return parse_posit_name(name)


@numprec.hookimpl
def numprec_format_classes():
    return [PositFormat]
