"""The end of a study: verdict table, W1-against-bits plots, markdown summary."""
from __future__ import annotations

import datetime
from pathlib import Path

import xarray as xr

from numprec import io
from numprec.study.spec import StudySpec


def study_provenance(spec: StudySpec, command=None) -> io.Provenance:
    """The provenance of a study's result files (``kind="result"``): the case,
    its parameters with defaults, and one record per experiment."""
    from numprec.cases.ensemble import case_parameters, resolve_case

    case = resolve_case(spec.case)
    experiments = [{"label": e.label, "format": io.Provenance(format=e.format).format,
                    "rounding": e.rounding, "policy": e.policy.get_config(),
                    "random_bits": e.random_bits}
                   for e in spec.experiments()]
    extra = {} if command is None else {"command": command}
    return io.Provenance(case=spec.case, params=case_parameters(case, spec.model_params),
                         kind="result", label=spec.name, members=spec.members,
                         experiments=experiments, **extra)


def write_report(spec: StudySpec, result: xr.Dataset, *, command=None) -> Path:
    """Write verdicts.nc, w1_vs_bits.png and report.md under the study's
    output directory; returns the path of report.md.

    Each file is written through :mod:`numprec.io` (atomically, with the
    permissions the umask gives); verdicts.nc carries the study's
    :func:`study_provenance`.
    """
    import numprec
    from numprec.verify import plot_w1_vs_bits, to_markdown

    out = Path(spec.output)
    out.mkdir(parents=True, exist_ok=True)
    prov = study_provenance(spec, command)
    io.write_dataset(io.verdict_dataset(result, study=spec.name), out / "verdicts.nc",
                     provenance=prov, title=f"study {spec.name}: verdicts")
    plots = []
    try:
        fig = plot_w1_vs_bits(result)
        io.save_figure(fig, out / "w1_vs_bits.png")
        plots.append("w1_vs_bits.png")
        import matplotlib.pyplot as plt
        plt.close(fig)
    except ImportError:                     # matplotlib is an optional extra
        pass
    tolerance = (", ".join(f"{k} {v}" for k, v in spec.tolerance.items())
                 if spec.tolerance else "none")
    policies = ", ".join(f"{p} ({spec.variants[p].get_config()})" if p in spec.variants
                         else p for p in spec.policies)
    lines = [
        f"# Study {spec.name}",
        "",
        f"- case: `{spec.case}` with parameters `{spec.model_params}`",
        f"- ensembles: {spec.reference_members} reference (double), "
        f"{spec.baseline_members} baseline (double, other initial conditions), "
        f"{spec.members} per experiment; {spec.batch} member(s) per task",
        f"- grid: formats {spec.formats} x roundings {spec.roundings} x policies {policies}",
        f"- verified: {spec.variables}" + (f" and joint({','.join(spec.joint)})"
                                           if spec.joint else "")
        + f" pooled over {spec.sample_dims} after {spec.spinup} spin-up samples; "
        f"tolerance: {tolerance}",
        f"- numprec {numprec.__version__}; "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"- command: `{prov.command}`",
        "",
        "## Verdicts",
        "",
        to_markdown(result),
        "",
    ]
    lines += [f"![W1 against mantissa bits]({p})" for p in plots]
    return io.write_text("\n".join(lines) + "\n", out / "report.md")
