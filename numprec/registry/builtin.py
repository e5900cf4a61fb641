"""numprec's own formats and rounding schemes, registered like any plugin."""
from numprec.formats.fixed_format import FixedFormat, IntFormat
from numprec.formats.float_format import FloatFormat
from numprec.formats.named import builtin_formats
from numprec.formats.p3109 import p3109_formats
from numprec.formats.parse import parse_format_name
from numprec.registry.entries import CaseEntry, FormatEntry
from numprec.registry.hookspecs import hookimpl
from numprec.rounding.schemes import builtin_schemes


@hookimpl
def numprec_formats():
    return [FormatEntry(name, fmt, aliases)
            for name, fmt, aliases in builtin_formats() + p3109_formats()]


@hookimpl
def numprec_parse_format(name):
    return parse_format_name(name)


@hookimpl
def numprec_format_classes():
    return [FloatFormat, FixedFormat, IntFormat]


@hookimpl
def numprec_roundings():
    return builtin_schemes()


@hookimpl
def numprec_cases():
    return [
        CaseEntry("lorenz", "numprec.cases.lorenz:CASE",
                  "Lorenz 63 and Lorenz 96 (one- and two-scale) ensembles"),
        CaseEntry("heat", "numprec.cases.heat:CASE",
                  "heat diffusion in a soil column"),
        CaseEntry("shallow_water", "numprec.cases.shallow_water:CASE",
                  "shallow-water flow over a ridge"),
        CaseEntry("speedy", "numprec.cases.speedy:CASE",
                  "SPEEDY-style spectral primitive-equation dry core (Held-Suarez)"),
    ]
