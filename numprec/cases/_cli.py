"""Argument checks shared by the case studies' command lines."""
from __future__ import annotations

import os


def check_grid(parser, formats=(), roundings=()):
    """``parser.error`` (exit 2) for an unknown --format or --rounding."""
    import numprec

    for fmt in formats or ():
        try:
            numprec.get_format(fmt)
        except (ValueError, TypeError, KeyError) as exc:
            parser.error(f"--format {fmt!r}: {exc}")
    for rounding in roundings or ():
        if rounding not in numprec.list_roundings():
            parser.error(f"--rounding {rounding!r}: unknown scheme (choose from "
                         f"{', '.join(numprec.list_roundings())})")


def check_paths(parser, **paths):
    """``parser.error`` when an output file's directory does not exist;
    keywords are option names without dashes (``plot=args.plot``)."""
    for option, path in paths.items():
        if path is None:
            continue
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            parser.error(f"--{option.replace('_', '-')} {path!r}: directory {folder!r} "
                         "does not exist")
