"""Checks and process handling shared by the case studies' command lines.

* :func:`check_grid`, :func:`check_paths`, :func:`check_random_bits`:
  ``parser.error`` (exit 2, one line) before a run for bad options;
* :class:`WorkerPool`: worker processes that ignore SIGINT (the parent
  handles Ctrl-C and terminates them), die with the parent (Linux
  ``PR_SET_PDEATHSIG`` and a parent-watch thread) and are terminated when
  the ``with`` block is left by an exception;
* :func:`format_results`: the verdict table with a legend and a summary line
  per experiment;
* :func:`interrupted`: the message and exit status of a CLI stopped by Ctrl-C;
* :func:`run_command`: a case CLI's ``main`` (parse, validate, run, Ctrl-C
  -> exit status 130);
* :func:`add_grid_options`, :func:`add_output_options`: the options every
  case's command line shares (``--format``, ``--rounding``; ``--output``,
  ``--plot``, ``--overwrite``).
"""
from __future__ import annotations

import os
import queue
import signal
import sys
import tempfile
import threading
import time

import numpy as np

#: Exit status of a command stopped by SIGINT (128 + 2, the shell convention).
EXIT_INTERRUPTED = 130


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


def check_random_bits(parser, random_bits, roundings):
    """``parser.error`` when ``--random-bits`` does not fit every ``--rounding``
    (:func:`numprec.rounding.check_random_bits`: deterministic schemes take none)."""
    from numprec.rounding import check_random_bits as _check, resolve_rounding

    if random_bits is None:
        return
    for rounding in roundings:
        try:
            _check(random_bits, resolve_rounding(rounding), argument="--random-bits")
        except (ValueError, TypeError) as exc:
            parser.error(f"--random-bits {random_bits} with --rounding {rounding}: {exc}")


def figure_extensions():
    """File extensions (without the dot) that matplotlib can save, sorted."""
    from matplotlib.figure import Figure
    return sorted(Figure().canvas.get_supported_filetypes())


def check_paths(parser, *, overwrite=False, figures=(), **paths):
    """``parser.error`` (exit 2) for an output path that cannot be written.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    overwrite : bool
        Whether an existing file may be replaced (``--overwrite``).
    figures : sequence of str
        Which of ``paths`` are figures: matplotlib must be installed and
        their extension must be one that it saves.
    **paths
        Option name without dashes -> path or None (``output=args.output``).

    Checked: the path is not a directory, its directory exists and a file
    can be created there, it does not exist unless ``overwrite``, two
    options do not name the same file, figures have a known extension.
    """
    seen = {}
    for option, path in paths.items():
        if path is None:
            continue
        flag = f"--{option.replace('_', '-')}"
        real = os.path.realpath(path)
        if real in seen:
            parser.error(f"{flag} {path!r}: the same file as {seen[real]}")
        seen[real] = flag
        if os.path.isdir(path):
            parser.error(f"{flag} {path!r} is a directory; give a file name")
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            parser.error(f"{flag} {path!r}: directory {folder!r} does not exist")
        if option in figures:
            try:
                import matplotlib  # noqa: F401
            except ImportError:
                parser.error(f"{flag} needs matplotlib (pip install numprec[plot])")
            ext = os.path.splitext(path)[1].lower()
            known = figure_extensions()
            if ext[1:] not in known:
                parser.error(f"{flag} {path!r}: unknown figure extension {ext!r} "
                             f"(choose from {', '.join(known)})")
        try:
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".numprec-probe-")
            os.close(fd)
            os.remove(probe)
        except OSError as exc:
            parser.error(f"{flag} {path!r}: cannot write in {folder!r} ({exc.strerror})")
        if os.path.lexists(path) and not overwrite:
            parser.error(f"{flag} {path!r} exists; pass --overwrite to replace it")


LEGEND = """\
W1: first Wasserstein distance of the variable's distribution (all samples of all
members) to the double-precision reference; baseline: W1 between two double-precision
ensembles from different initial conditions (internal variability and sampling
noise); excess = W1 - baseline. indistinguishable: excess <= 0; distinguishable:
excess > 0; unstable: the run produced NaN/inf. An experiment passes if every
variable is indistinguishable (Paxton et al. 2022)."""


def format_results(result) -> str:
    """The verdict table without the columns that carry nothing here (the
    tolerance when it is 0 everywhere, units when every variable is
    dimensionless), a legend, and one summary line per experiment.

    Parameters
    ----------
    result : xarray.Dataset
        Output of :func:`numprec.verify.verify`.

    Returns
    -------
    str
        The text, ending in a newline.
    """
    drop = []
    if "tolerance" in result and np.all(result["tolerance"].values == 0):
        drop.append("tolerance")
    if "units" in result and all(str(u) in ("1", "") for u in result["units"].values):
        drop.append("units")
    rows = [("experiment", "variable", "W1", "baseline", "excess")
            + (("tolerance",) if "tolerance" not in drop else ())
            + (("units",) if "units" not in drop else ()) + ("verdict",)]
    for i, exp in enumerate(result["experiment"].values):
        for j, var in enumerate(result["variable"].values):
            cells = [str(exp), str(var)] + [
                "nan" if np.isnan(float(x)) else f"{float(x):.4g}"
                for x in (result["w1"].values[i, j], result["baseline_w1"].values[j],
                          result["excess"].values[i, j])]
            if "tolerance" not in drop:
                cells.append(f"{float(result['tolerance'].values[j]):.4g}")
            if "units" not in drop:
                cells.append(str(result["units"].values[j]))
            cells.append(str(result["verdict"].values[i, j]))
            rows.append(tuple(cells))
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    numeric = {2, 3, 4} | ({5} if "tolerance" not in drop else set())
    fmt = lambda r: "  ".join(c.rjust(w) if k in numeric else c.ljust(w)  # noqa: E731
                              for k, (c, w) in enumerate(zip(r, widths))).rstrip()
    lines = [fmt(rows[0]), fmt(tuple("-" * w for w in widths))] + [fmt(r) for r in rows[1:]]
    legend = LEGEND
    if "tolerance" not in drop:
        legend = legend.replace("distinguishable:\nexcess > 0", "minor: 0 < excess <=\n"
                                "tolerance; distinguishable: excess > tolerance")
    lines += ["", legend, ""]
    for i, exp in enumerate(result["experiment"].values):
        verdicts = [str(v) for v in result["verdict"].values[i]]
        variables = [str(v) for v in result["variable"].values]
        worst = str(result["run_verdict"].values[i])
        groups = {}
        for v, d in zip(variables, verdicts):
            groups.setdefault(d, []).append(v)
        detail = "; ".join(f"{d}: {', '.join(vs)}" for d, vs in groups.items())
        passed = "PASS" if worst == "indistinguishable" else "FAIL"
        lines.append(f"{exp}: {passed}, {worst} ({detail})")
    return "\n".join(lines) + "\n"


def interrupted(what="no output was written") -> int:
    """Print the one-line message of a CLI stopped by Ctrl-C; return the exit status."""
    print(f"\ninterrupted: {what}", file=sys.stderr)
    return EXIT_INTERRUPTED


def run_command(parser, argv, validate, run, *, interrupted_message="no output was written"):
    """The body of a case command line's ``main``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    argv : sequence of str or None
        The arguments (None: ``sys.argv[1:]``).
    validate : callable
        ``validate(args, parser)``: ``parser.error`` for bad options, before
        anything runs.
    run : callable
        ``run(args, parser, argv)``: does the work and returns the exit status.
    interrupted_message : str
        What :func:`interrupted` prints after Ctrl-C.

    Returns
    -------
    int
        ``run``'s exit status, or :data:`EXIT_INTERRUPTED` after Ctrl-C
        (KeyboardInterrupt, or SIGTERM with :func:`sigterm_as_interrupt`).
    """
    args = parser.parse_args(argv)
    validate(args, parser)
    try:
        return run(args, parser, argv)
    except KeyboardInterrupt:
        return interrupted(interrupted_message)


def sigterm_as_interrupt():
    """Make SIGTERM raise KeyboardInterrupt in the main thread (so workers are
    stopped and temporary files removed as for Ctrl-C)."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


# ------------------------------------------------------------ worker pool
_PR_SET_PDEATHSIG = 1


def _watch_parent(parent):
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(0.5)


def _worker_init(parent):
    """Pool initializer: ignore SIGINT (the parent decides), die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            pass
    if os.getppid() != parent:      # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="numprec-parent-watch").start()


class WorkerPool:
    """Processes that run functions; leaving the ``with`` block by an
    exception (Ctrl-C included) terminates them at once.

    Parameters
    ----------
    workers : int
        Number of processes.

    Notes
    -----
    :meth:`submit` returns at once; :meth:`results` yields ``(tag, value)``
    in completion order and re-raises a worker's exception.
    """

    def __init__(self, workers):
        import multiprocessing

        self._pool = multiprocessing.get_context("fork" if sys.platform.startswith("linux")
                                                 else None).Pool(
            workers, initializer=_worker_init, initargs=(os.getpid(),))
        self._done = queue.Queue()
        self._pending = 0

    def submit(self, tag, fn, arg):
        """Run ``fn(arg)`` in a worker; its result comes back with ``tag``."""
        self._pending += 1
        self._pool.apply_async(fn, (arg,),
                               callback=lambda value: self._done.put((True, tag, value)),
                               error_callback=lambda exc: self._done.put((False, tag, exc)))

    def results(self):
        """Yield ``(tag, value)`` as tasks finish, until none is pending (tasks
        submitted while iterating are included)."""
        while self._pending:
            try:
                ok, tag, value = self._done.get(timeout=0.2)
            except queue.Empty:
                continue
            self._pending -= 1
            if not ok:
                raise value
            yield tag, value

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self._pool.close()
        else:
            self._pool.terminate()
        self._pool.join()
        return False


# ------------------------------------------------------------ shared options
def add_grid_options(parser, default_formats, default_roundings):
    """``--format FMT`` and ``--rounding MODE`` (both repeatable; dests
    ``formats`` and ``roundings``, None when not given)."""
    parser.add_argument("--format", dest="formats", action="append", metavar="FMT",
                        help="low-precision format, repeatable: a registered name (fp16, "
                             "bf16, float8_e4m3fn, ...) or eXmY (e11m8: 11 exponent bits, 8 "
                             f"mantissa bits); default {' '.join(default_formats)}")
    parser.add_argument("--rounding", dest="roundings", action="append", metavar="MODE",
                        help="rounding scheme, repeatable (nearest_even, stochastic, "
                             f"toward_zero, ...); default {' '.join(default_roundings)}")


def add_output_options(parser, output_help, plot_help):
    """``--output FILE.nc``, ``--plot FILE.png`` and ``--overwrite``."""
    parser.add_argument("--output", metavar="FILE.nc", help=output_help)
    parser.add_argument("--plot", metavar="FILE.png",
                        help=f"{plot_help} (any extension matplotlib saves)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace existing --output/--plot files (default: refuse)")
