"""Command line: ``python -m numprec formats``, ``python -m numprec cases [NAME]``,
``python -m numprec study FILE`` and ``python -m numprec analyse {search,bits,mca} ...``."""
from __future__ import annotations

import argparse
import os
import sys


def _format_rows():
    import numprec
    from numprec.registry import get_manager

    reg = get_manager()
    rows = []
    for name in numprec.list_formats():
        fmt, plugin = reg.formats[name]
        aliases = sorted(a for a, (f, p) in reg.formats.items() if f is fmt and a != name)
        props = _properties(fmt)
        rows.append((name, plugin, props, ", ".join(aliases)))
    return rows


def _properties(fmt):
    if hasattr(fmt, "exponent_bits"):
        flags = [f"nan={fmt.nan}" if fmt.nan != "ieee" else "",
                 "" if fmt.infinities else "no-inf",
                 "" if fmt.subnormals else "no-subnormals",
                 "" if fmt.signed else "unsigned", "" if fmt.zero else "no-zero"]
        flags = " ".join(f for f in flags if f)
        return (f"{fmt.bits:>2} bits  e{fmt.exponent_bits}m{fmt.mantissa_bits}  "
                f"max={fmt.max:.6g}  min_normal={fmt.smallest_normal:.6g}  "
                f"min_subnormal={fmt.smallest_subnormal:.6g}  eps={fmt.eps:.3g}"
                + (f"  {flags}" if flags else ""))
    if hasattr(fmt, "fraction_bits"):
        return (f"{fmt.bits:>2} bits  fixed point  {fmt.integer_bits} integer + "
                f"{fmt.fraction_bits} fraction bits  range=[{fmt.min:g}, {fmt.max:g}]  "
                f"overflow={fmt.overflow}")
    describe = getattr(fmt, "describe", None)
    if callable(describe):
        return describe()
    return repr(fmt)


def cmd_formats(args):
    import numprec

    rows = _format_rows()
    width = max(len(r[0]) for r in rows)
    pw = max(len(r[1]) for r in rows)
    print(f"numprec {numprec.__version__}: {len(rows)} registered formats "
          "(parametric names such as e5m10 also work)\n")
    for name, plugin, props, aliases in rows:
        alias = f"  (aliases: {aliases})" if aliases else ""
        print(f"{name:<{width}}  [{plugin:<{pw}}]  {props}{alias}")
    print("\nrounding schemes: " + ", ".join(numprec.list_roundings()))
    arith = numprec.list_arithmetics()
    if arith:
        print("arithmetic schemes: " + ", ".join(arith))
    for err in numprec.plugin_errors():
        print(f"warning: {err}", file=sys.stderr)
    return 0


def _case_lines(name, plugin, entry_description):
    """The lines describing one registered case (loading it)."""
    import dataclasses

    import numprec

    try:
        case = numprec.get_case(name)
    except Exception as exc:  # a broken plugin must not hide the other cases
        return [f"{name}  [{plugin}]  {entry_description}",
                f"    cannot load: {type(exc).__name__}: {exc}"]
    description = getattr(case, "description", "") or entry_description
    lines = [f"{name}  [{plugin}]  {description}"]
    components = getattr(case, "components", None)
    if components is not None:
        lines.append(f"    components: {', '.join(components)}")
    variables = getattr(case, "variables", None)
    if variables is not None:
        lines.append(f"    variables:  {', '.join(variables)}")
    parameters = getattr(case, "parameters", None)
    if parameters is not None and dataclasses.is_dataclass(parameters):
        lines.append("    parameters:")
        for f in dataclasses.fields(parameters):
            default = "(required)" if f.default is dataclasses.MISSING else repr(f.default)
            lines.append(f"      {f.name} = {default}")
    cli = getattr(case, "cli", None)
    if cli:
        lines.append(f"    run: python -m {cli} --help")
    return lines


def cmd_cases(args):
    import numprec
    from numprec.registry import get_manager

    reg = get_manager()
    names = numprec.list_cases()
    if args.name is not None:
        if args.name not in names:
            print(f"no case {args.name!r}; registered cases: {', '.join(names)}",
                  file=sys.stderr)
            return 2
        names = [args.name]
    else:
        print(f"numprec {numprec.__version__}: {len(names)} registered cases\n")
    for i, name in enumerate(names):
        entry, plugin = reg.cases[name]
        if i:
            print()
        print("\n".join(_case_lines(name, plugin, getattr(entry, "description", ""))))
    for err in numprec.plugin_errors():
        print(f"warning: {err}", file=sys.stderr)
    return 0


def cmd_study(args):
    try:
        from numprec.study.cli import run_study_cli
    except ImportError as exc:
        print(f"the study runner is not available: {exc}", file=sys.stderr)
        return 2
    return run_study_cli(args)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m numprec",
        description="numprec: emulate low-precision arithmetic and test whether a model's "
                    "climate changes.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("formats", help="list every registered number format (plugins included)")
    p.set_defaults(func=cmd_formats)
    p = sub.add_parser("cases", help="list the registered cases (plugins included) with their "
                                      "components, variables and parameters")
    p.add_argument("name", nargs="?", help="show only this case")
    p.set_defaults(func=cmd_cases)
    p = sub.add_parser("study", help="run a declarative study file (TOML) on dask.distributed")
    p.add_argument("file", help="study file, e.g. cases/soil_heat.toml")
    p.add_argument("--scheduler", help="address of a running dask scheduler")
    p.add_argument("--workers", type=int, default=None, help="workers of the LocalCluster")
    p.add_argument("--output", help="output directory (default: from the study file)")
    p.add_argument("--overwrite", action="store_true",
                   help="recompute members on disk that were written with other model "
                        "parameters, formats, seeds or numprec version (by default such "
                        "a member stops the run with a message naming the difference)")
    p.set_defaults(func=cmd_study)
    from numprec.analysis.cli import add_parser as add_analyse_parser
    add_analyse_parser(sub)
    return parser


#: Exit status after Ctrl-C (128 + SIGINT), as a shell reports it.
EXIT_INTERRUPTED = 130
#: Exit status when the reader of standard output went away (``| head``): the
#: status of a shell tool killed by SIGPIPE (128 + 13).
EXIT_BROKEN_PIPE = 141


def main(argv=None):
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()                  # a closed pipe fails here, not at exit
    except BrokenPipeError:
        # The reader stopped reading (``python -m numprec formats | head``): not
        # an error of ours.  Point stdout at /dev/null so that the interpreter's
        # final flush cannot fail again and print a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return status


if __name__ == "__main__":
    sys.exit(main())
