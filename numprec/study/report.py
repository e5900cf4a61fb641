"""The end of a study: verdict table, W1-against-bits plots, markdown summary."""
from __future__ import annotations

import datetime
import shlex
import sys
from pathlib import Path

import xarray as xr

from numprec.study.spec import StudySpec
from numprec.study.store import save_figure_atomic, write_atomic, write_text_atomic


def write_report(spec: StudySpec, result: xr.Dataset, *, command=None) -> Path:
    """Write verdicts.nc, w1_vs_bits.png and report.md under the study's
    output directory; returns the path of report.md.

    Each file is written atomically, with the permissions the umask gives
    (:mod:`numprec.study.store`).
    """
    import numprec
    from numprec.verify import plot_w1_vs_bits, to_markdown

    out = Path(spec.output)
    out.mkdir(parents=True, exist_ok=True)
    command = command if command is not None else shlex.join([sys.executable, *sys.argv])
    result = result.assign_attrs(study=spec.name, numprec_version=numprec.__version__,
                                 command=command)
    write_atomic(result, out / "verdicts.nc")
    plots = []
    try:
        fig = plot_w1_vs_bits(result)
        save_figure_atomic(fig, out / "w1_vs_bits.png")
        plots.append("w1_vs_bits.png")
        import matplotlib.pyplot as plt
        plt.close(fig)
    except ImportError:                     # matplotlib is an optional extra
        pass
    lines = [
        f"# Study {spec.name}",
        "",
        f"- model: `{spec.model}` with parameters `{spec.model_params}`",
        f"- ensembles: {spec.reference_members} reference (double), "
        f"{spec.baseline_members} baseline (double, other initial conditions), "
        f"{spec.members} per experiment",
        f"- grid: formats {spec.formats} x roundings {spec.roundings} x policies {spec.policies}",
        f"- verified: {spec.variables} pooled over {spec.sample_dims} after {spec.spinup} "
        f"spin-up samples; tolerance {spec.tolerance or 'none'}",
        f"- numprec {numprec.__version__}; {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"- command: `{command}`",
        "",
        "## Verdicts",
        "",
        to_markdown(result),
        "",
    ]
    lines += [f"![W1 against mantissa bits]({p})" for p in plots]
    return write_text_atomic("\n".join(lines) + "\n", out / "report.md")
