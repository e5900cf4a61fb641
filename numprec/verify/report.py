"""Tables of verifier results (the Dataset from :func:`numprec.verify.verify`).

The result Dataset itself is the machine-readable table (dims experiment x
variable); this module turns it into text for people.

Functions
---------
format_table(result, style="markdown", digits=4, columns=None)
    One row per (experiment, variable): experiment, format, bits, rounding,
    variable, W1, baseline, excess, tolerance, units, verdict -- without the
    columns that carry nothing (tolerance when none was given, units when
    every variable is dimensionless) unless ``columns`` asks for them.
to_markdown(result, digits=4), to_text(result, digits=4)
    Shorthands for the two styles.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["format_table", "to_markdown", "to_text", "applicable_columns", "COLUMNS"]

COLUMNS = ("experiment", "format", "bits", "rounding", "variable", "W1", "baseline", "excess", "tolerance", "units", "verdict")


def applicable_columns(result: xr.Dataset) -> tuple:
    """:data:`COLUMNS` less those that carry nothing for ``result``:
    ``tolerance`` when every tolerance is 0 (none given: no "minor"
    verdicts), ``units`` when every variable is dimensionless ("1" or "")."""
    drop = set()
    if np.all(np.asarray(result["tolerance"].values, dtype=float) == 0):
        drop.add("tolerance")
    if all(str(u) in ("1", "") for u in result["units"].values):
        drop.add("units")
    return tuple(c for c in COLUMNS if c not in drop)


def format_table(result: xr.Dataset, style: str = "markdown", digits: int = 4,
                 columns=None) -> str:
    """Render a verifier result as a table.

    Parameters
    ----------
    result : xarray.Dataset
        Output of :func:`numprec.verify.verify` or :func:`numprec.verify.judge`.
    style : {"markdown", "text"}
        GitHub-flavoured markdown, or plain aligned columns.
    digits : int
        Significant digits of the numbers.
    columns : sequence of str, optional
        Columns to show, in :data:`COLUMNS` order (default:
        :func:`applicable_columns`).

    Returns
    -------
    str
        The table, ending in a newline.
    """
    if not isinstance(result, xr.Dataset) or result.attrs.get("kind") != "numprec.verify.result":
        raise TypeError("result must be the Dataset returned by numprec.verify.verify or judge")
    if style not in ("markdown", "text"):
        raise ValueError(f"style must be 'markdown' or 'text', got {style!r}")
    if not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits must be a positive integer, got {digits!r}")
    if columns is None:
        columns = applicable_columns(result)
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown or not columns:
        raise ValueError(f"columns must be a non-empty selection of {COLUMNS}, got "
                         f"{columns!r}")
    keep = [k for k, c in enumerate(COLUMNS) if c in columns]
    rows = [list(COLUMNS)]
    for i, exp in enumerate(result["experiment"].values):
        bits = result["mantissa_bits"].values[i]
        for j, var in enumerate(result["variable"].values):
            rows.append(
                [
                    str(exp),
                    str(result["format"].values[i]),
                    "" if np.isnan(float(bits)) else str(int(bits)),
                    str(result["rounding"].values[i]),
                    str(var),
                    _num(result["w1"].values[i, j], digits),
                    _num(result["baseline_w1"].values[j], digits),
                    _num(result["excess"].values[i, j], digits),
                    _num(result["tolerance"].values[j], digits),
                    str(result["units"].values[j]),
                    str(result["verdict"].values[i, j]),
                ]
            )
    rows = [[r[k] for k in keep] for r in rows]
    names = rows[0]
    widths = [max(len(r[k]) for r in rows) for k in range(len(names))]
    numeric = {names.index(c) for c in ("bits", "W1", "baseline", "excess", "tolerance")
               if c in names}

    def line(cells, sep):
        parts = [c.rjust(w) if k in numeric else c.ljust(w) for k, (c, w) in enumerate(zip(cells, widths))]
        return sep.join(parts)

    if style == "markdown":
        rule = ["-" * (w - 1) + ":" if k in numeric else "-" * w for k, w in enumerate(widths)]
        lines = ["| " + line(rows[0], " | ") + " |", "| " + " | ".join(rule) + " |"]
        lines += ["| " + line(r, " | ") + " |" for r in rows[1:]]
    else:
        lines = [line(rows[0], "  "), line(["-" * w for w in widths], "  ")]
        lines += [line(r, "  ") for r in rows[1:]]
    return "\n".join(s.rstrip() for s in lines) + "\n"


def to_markdown(result: xr.Dataset, digits: int = 4, columns=None) -> str:
    """A verifier result as a GitHub-flavoured markdown table.

    Parameters
    ----------
    result : xarray.Dataset
        Output of :func:`numprec.verify.verify` or :func:`numprec.verify.judge`.
    digits, columns
        As in :func:`format_table`.

    Returns
    -------
    str
        ``format_table(result, "markdown", digits, columns)``."""
    return format_table(result, "markdown", digits, columns)


def to_text(result: xr.Dataset, digits: int = 4, columns=None) -> str:
    """A verifier result as a plain-text table of aligned columns.

    Parameters
    ----------
    result : xarray.Dataset
        Output of :func:`numprec.verify.verify` or :func:`numprec.verify.judge`.
    digits, columns
        As in :func:`format_table`.

    Returns
    -------
    str
        ``format_table(result, "text", digits, columns)``."""
    return format_table(result, "text", digits, columns)


def _num(x, digits: int) -> str:
    x = float(x)
    return "nan" if np.isnan(x) else f"{x:.{digits}g}"
