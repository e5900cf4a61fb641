"""Wasserstein verifier: is a low-precision run distinguishable from double?

The test of Paxton et al. (2022): for every variable, pool its samples over time
(after spin-up) and ensemble members, compute the first Wasserstein distance W1
between the low-precision and the double-precision distribution (per grid point,
then area-weighted), and judge it against the W1 between two double-precision
ensembles from different initial conditions.

Typical use::

    from numprec import verify as nv

    result = nv.verify(
        reference,                      # double ensemble, dims e.g. (member, time, lat, lon)
        baseline,                       # second double ensemble (or a list of them)
        [("e11m10", 10, "nearest_even", ds_rn10),
         ("e11m10", 10, "stochastic", ds_sr10)],
        tolerance={"precip": 0.1},      # physical units, for "minor"
        sample_dims=("time", "member"),
    )
    print(nv.to_markdown(result))
    nv.plot_w1_vs_bits(result, path="w1.png")

Modules: :mod:`~numprec.verify.wasserstein` (W1: vectorised 1-D, joint, datasets),
:mod:`~numprec.verify.baseline`, :mod:`~numprec.verify.verdict` (rule, ``verify``,
``judge``), :mod:`~numprec.verify.report` (tables), :mod:`~numprec.verify.plot`.

References
----------
Paxton, E. A., Chantry, M., Klöwer, M., Saffin, L., & Palmer, T. (2022). Climate
modeling in low precision: effects of both deterministic and stochastic rounding.
J. Climate, 35, 1215-1229. arXiv:2104.15076.
"""

from .baseline import baseline_w1, is_baseline, member_splits
from .plot import plot_w1_vs_bits
from .report import format_table, to_markdown, to_text
from .verdict import THRESHOLD_RULE, VERDICTS, Experiment, classify, judge, verify
from .wasserstein import DEFAULT_SAMPLE_DIMS, area_weights, joint_w1, score, w1_1d

__all__ = [
    "DEFAULT_SAMPLE_DIMS",
    "Experiment",
    "THRESHOLD_RULE",
    "VERDICTS",
    "area_weights",
    "baseline_w1",
    "classify",
    "format_table",
    "is_baseline",
    "joint_w1",
    "judge",
    "member_splits",
    "plot_w1_vs_bits",
    "score",
    "to_markdown",
    "to_text",
    "verify",
    "w1_1d",
]
