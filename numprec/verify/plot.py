"""Plot W1 against significand bits, one line per rounding scheme.

This is the summary figure of Paxton et al. (2022, Figs. 2 and 8): the distance of
each low-precision experiment to double precision against the number of explicit
mantissa bits, with round-to-nearest and stochastic rounding as separate lines, over
a shaded band spanning the double-precision baseline pairs (min to max). The
``minor`` limit (baseline + tolerance) is drawn dashed when a tolerance is set, and
unstable runs are marked with crosses along the top edge.

matplotlib is imported inside the function, and figures are made without pyplot,
so importing :mod:`numprec.verify` never needs a display or matplotlib.

Functions
---------
plot_w1_vs_bits(result, variables=None, path=None, logy=True)
    -> matplotlib.figure.Figure, one panel per variable row.

References
----------
Paxton, E. A., Chantry, M., Klöwer, M., Saffin, L., & Palmer, T. (2022). Climate
modeling in low precision: effects of both deterministic and stochastic rounding.
J. Climate, 35, 1215-1229. arXiv:2104.15076.
"""

from __future__ import annotations

import os

import numpy as np
import xarray as xr

__all__ = ["plot_w1_vs_bits"]


def plot_w1_vs_bits(result: xr.Dataset, variables=None, *, path: str | os.PathLike | None = None, logy: bool = True):
    """W1 against mantissa bits per rounding scheme, with the baseline band.

    Parameters
    ----------
    result : xarray.Dataset
        Output of :func:`numprec.verify.verify`. Experiments without
        ``mantissa_bits`` (NaN) are left out.
    variables : str or sequence of str, optional
        Row labels to plot (default: all), one panel each.
    path : path-like, optional
        If given, the figure is saved there (format from the suffix, e.g. PNG).
    logy : bool
        Logarithmic W1 axis (zero values are then not drawn).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
    from matplotlib.transforms import blended_transform_factory

    if not isinstance(result, xr.Dataset) or result.attrs.get("kind") != "numprec.verify.result":
        raise TypeError("result must be the Dataset returned by numprec.verify.verify or judge")
    all_rows = [str(v) for v in result["variable"].values]
    if variables is None:
        variables = all_rows
    elif isinstance(variables, str):
        variables = [variables]
    unknown = [v for v in variables if v not in all_rows]
    if unknown:
        raise ValueError(f"variables {unknown} are not rows of result; rows are {all_rows}")

    bits = np.asarray(result["mantissa_bits"].values, dtype=np.float64)
    roundings = [str(r) for r in result["rounding"].values]
    schemes = list(dict.fromkeys(r for r, b in zip(roundings, bits) if not np.isnan(b)))
    ncols = min(3, len(variables))
    nrows = -(-len(variables) // ncols)
    fig = Figure(figsize=(4.2 * ncols, 3.4 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(variables) :]:
        ax.set_visible(False)

    for ax, var in zip(axes, variables):
        j = all_rows.index(var)
        pairs = result["baseline_w1_pairs"].values[:, j]
        threshold = float(result["baseline_w1"].values[j])
        tol = float(result["tolerance"].values[j])
        ax.axhspan(pairs.min(), pairs.max(), color="0.8", alpha=0.7, lw=0, label="double baseline")
        ax.axhline(threshold, color="0.5", lw=1)
        if tol > 0:
            ax.axhline(threshold + tol, color="0.4", lw=1, ls="--", label="minor limit")
        top = blended_transform_factory(ax.transData, ax.transAxes)
        for k, scheme in enumerate(schemes):
            sel = np.array([r == scheme for r in roundings]) & ~np.isnan(bits)
            x = bits[sel]
            y = result["w1"].values[sel, j]
            order = np.argsort(x, kind="stable")
            x, y = x[order], y[order]
            ok = np.isfinite(y)
            color = f"C{k}"
            ax.plot(x[ok], y[ok], "o-", color=color, label=scheme or "(no rounding given)")
            if (~ok).any():
                ax.plot(x[~ok], np.full((~ok).sum(), 0.97), "x", color=color, ms=8, mew=2, transform=top, clip_on=False)
        if logy:
            ax.set_yscale("log")
        units = str(result["units"].values[j])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("mantissa bits")
        ax.set_ylabel(f"W1 [{units}]" if units else "W1")
        ax.set_title(var)
    axes[0].legend(fontsize="small")
    if path is not None:
        fig.savefig(path)
    return fig
