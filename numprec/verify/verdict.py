"""Verdicts: is a low-precision run distinguishable from double precision?

Following Paxton et al. (2022), each variable of each low-precision experiment gets
one of four verdicts, decided in this order:

``"unstable"``
    The variable's W1 is NaN: the experiment's data hold NaN or +-inf (at any grid
    point that is not masked). The reference and baseline are checked to be
    finite, so a NaN W1 can only come from the experiment. This is a verdict,
    never an exception. A grid point that is NaN in every member and time of
    the reference and of the experiment (a fixed land or ocean mask, the same in
    every ensemble) is masked: left out, the weights renormalised.
``"indistinguishable"``
    ``w1 <= baseline_w1``, where ``baseline_w1`` is the **largest** W1 over the
    baseline pairs (one pair: its W1). "Within the baseline's spread" thus means
    no larger than the largest distance seen between double-precision ensembles.
``"minor"``
    ``0 < excess <= tolerance`` with ``excess = w1 - baseline_w1`` and the
    tolerance of that variable in its physical units.
``"distinguishable"``
    ``excess > tolerance`` (with no tolerance given, the tolerance is 0 and there
    are no minor verdicts).

An experiment's ``run_verdict`` is its worst variable verdict in the order above
(unstable > distinguishable > minor > indistinguishable).

Functions
---------
classify(w1, baseline_w1, tolerance=0.0)
    The rule above on numpy arrays.
verify(reference, baseline, experiments, tolerance=None, **score_options)
    Everything at once -> result Dataset with dims (experiment, variable).
judge(scores, baseline, tolerance=None)
    The verdict step on precomputed scores (for distributed studies).
Experiment
    An experiment record: data plus label, format, mantissa_bits, rounding.

References
----------
Paxton, E. A., Chantry, M., Klöwer, M., Saffin, L., & Palmer, T. (2022). Climate
modeling in low precision: effects of both deterministic and stochastic rounding.
J. Climate, 35, 1215-1229. arXiv:2104.15076.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from .baseline import baseline_w1, is_baseline
from .wasserstein import joint_label, score

__all__ = ["VERDICTS", "Experiment", "classify", "judge", "verify", "THRESHOLD_RULE"]

VERDICTS: tuple[str, ...] = ("indistinguishable", "minor", "distinguishable", "unstable")
"""Verdict names, from best to worst."""

THRESHOLD_RULE = (
    "indistinguishable if w1 <= baseline_w1 (the max over baseline pairs); minor if "
    "0 < w1 - baseline_w1 <= tolerance; distinguishable otherwise; unstable if the "
    "experiment holds NaN/inf"
)

_VERDICT_DTYPE = f"<U{max(map(len, VERDICTS))}"


@dataclass(frozen=True)
class Experiment:
    """One low-precision experiment.

    Parameters
    ----------
    data : xarray.Dataset
        The experiment's output (or, for :func:`judge`, its
        :func:`~numprec.verify.wasserstein.score` Dataset).
    label : str, optional
        Unique name; default ``"{format} {rounding}"`` (or ``"{format}"``).
    format : str, optional
        Number format name, e.g. ``"e11m10"``.
    mantissa_bits : int, optional
        Explicit significand bits (the "sbits" of Paxton et al.).
    rounding : str, optional
        Rounding scheme name, e.g. ``"nearest_even"`` or ``"stochastic"``.
    """

    data: xr.Dataset
    label: str | None = None
    format: str | None = None
    mantissa_bits: int | None = None
    rounding: str | None = None

    @property
    def name(self) -> str:
        """The experiment's row label: ``label``, else ``"{format} {rounding}"``
        (or ``"{format}"`` without a rounding)."""
        if self.label is not None:
            return str(self.label)
        if self.format is None:
            raise ValueError("an Experiment needs a label or a format")
        return f"{self.format} {self.rounding}" if self.rounding else str(self.format)


def classify(w1, baseline_w1, tolerance=0.0) -> np.ndarray:
    """Verdict strings for W1 values against baseline thresholds.

    Parameters
    ----------
    w1 : array_like
        Experiment W1 (NaN marks an unstable run).
    baseline_w1 : array_like
        Threshold (the largest baseline W1), broadcastable against ``w1``; finite.
    tolerance : array_like
        Non-negative tolerance in the variable's units, broadcastable.

    Returns
    -------
    numpy.ndarray of str
        One of :data:`VERDICTS` per element.
    """
    w1 = np.asarray(w1, dtype=np.float64)
    base = np.asarray(baseline_w1, dtype=np.float64)
    tol = np.asarray(tolerance, dtype=np.float64)
    if not np.all(np.isfinite(base)):
        raise ValueError("baseline_w1 must be finite")
    if not np.all(np.isfinite(tol)) or np.any(tol < 0):
        raise ValueError("tolerance must be finite and non-negative")
    excess = w1 - base
    with np.errstate(invalid="ignore"):
        verdict = np.select(
            [np.isnan(w1), excess <= 0, excess <= tol],
            ["unstable", "indistinguishable", "minor"],
            default="distinguishable",
        )
    return np.asarray(verdict, dtype=_VERDICT_DTYPE)


def verify(reference: xr.Dataset, baseline, experiments, *, tolerance=None, **score_options) -> xr.Dataset:
    """Score and judge many low-precision experiments against double precision.

    Parameters
    ----------
    reference : xarray.Dataset
        Double-precision reference ensemble.
    baseline : Dataset, sequence of Dataset / (Dataset, Dataset), or baseline result
        Second double ensemble(s) from different initial conditions (see
        :func:`numprec.verify.baseline.baseline_w1`), or a Dataset already returned
        by ``baseline_w1`` (computed with the same ``score_options``).
    experiments : dict or sequence
        ``{label: Dataset}``, ``{label: Experiment}``, or a sequence of
        :class:`Experiment` or of tuples ``(format_name, mantissa_bits, rounding,
        Dataset)`` (label ``"{format_name} {rounding}"``).
    tolerance : float or dict, optional
        Tolerance in physical units: one number for every row, or
        ``{name: value}`` keyed by row label (``"t[level=3]"``, ``"joint(x,y,z)"``
        or the joint tuple) or by input variable name; missing names get 0.
    **score_options
        Passed to :func:`numprec.verify.wasserstein.score`: ``variables``,
        ``sample_dims`` (default ``("time", "member")``), ``weights``,
        ``split_dims``, ``keep_map``, ``joint``, ``joint_samples``,
        ``joint_repeats``, ``seed``.

    Returns
    -------
    xarray.Dataset
        See :func:`judge`.
    """
    exps = _experiments(experiments, "experiments")
    if is_baseline(baseline):
        base = baseline
    else:
        base = baseline_w1(reference, baseline, **score_options)
    scored = [
        Experiment(score(reference, e.data, **score_options), e.label, e.format, e.mantissa_bits, e.rounding)
        for e in exps
    ]
    return judge(scored, base, tolerance=tolerance)


def judge(scores, baseline: xr.Dataset, *, tolerance=None) -> xr.Dataset:
    """Verdicts for precomputed experiment scores.

    Parameters
    ----------
    scores : dict or sequence
        As ``experiments`` in :func:`verify`, but each Dataset is the output of
        :func:`numprec.verify.wasserstein.score` for that experiment.
    baseline : xarray.Dataset
        Output of :func:`numprec.verify.baseline.baseline_w1` (same options).
    tolerance : float or dict, optional
        As in :func:`verify`.

    Returns
    -------
    xarray.Dataset
        Dims ``experiment``, ``variable``, ``baseline``. Coordinates:
        ``experiment`` (labels), ``format``, ``mantissa_bits`` (int64 if every
        experiment gives one, else float64 with NaN), ``rounding`` (along
        ``experiment``); ``variable`` (row labels), ``field``, ``units`` (along
        ``variable``). Data variables:

        - ``w1`` (experiment, variable): experiment vs reference;
        - ``baseline_w1`` (variable): threshold, max over baseline pairs;
        - ``baseline_w1_pairs`` (baseline, variable): every baseline pair;
        - ``excess`` (experiment, variable): ``w1 - baseline_w1``;
        - ``tolerance`` (variable);
        - ``verdict`` (experiment, variable) and ``run_verdict`` (experiment): str;
        - ``n_samples`` (experiment, variable), ``baseline_n_samples`` (baseline,
          variable): samples per grid point;
        - with ``keep_map``: ``w1_map_<var>`` (experiment, grid dims) and
          ``baseline_w1_map_<var>`` (grid dims, pointwise max over pairs; only if
          the baseline was scored with ``keep_map``), with the input variable's
          attrs (units).

        ``w1``, ``baseline_w1``, ``excess`` and ``tolerance`` carry
        ``attrs["units"]`` when all rows share one unit.
    """
    if not is_baseline(baseline):
        raise TypeError("baseline must be a Dataset returned by numprec.verify.baseline_w1")
    exps = _experiments(scores, "scores")
    labels = [e.name for e in exps]
    rows = baseline["variable"].values
    for e in exps:
        if list(e.data["variable"].values) != list(rows):
            raise ValueError(
                f"experiment {e.name!r} has rows {list(e.data['variable'].values)} but the baseline has "
                f"{list(rows)}; score both with the same options"
            )
    stacked = xr.concat(
        [e.data.drop_vars(["field", "units"]) for e in exps],
        dim="experiment",
        data_vars="all",
        coords="minimal",
        compat="override",
        join="exact",
    )
    threshold = baseline["w1"].max("baseline")
    tol = _tolerance_array(tolerance, rows, baseline["field"].values)
    excess = stacked["w1"] - threshold
    verdict = classify(stacked["w1"].values, threshold.values[None, :], tol[None, :])
    order = {v: i for i, v in enumerate(VERDICTS)}
    run_verdict = [max(row, key=order.__getitem__) for row in verdict]

    bits = [e.mantissa_bits for e in exps]
    if all(b is not None for b in bits):
        bits_arr = np.array(bits, dtype=np.int64)
    else:
        bits_arr = np.array([np.nan if b is None else b for b in bits], dtype=np.float64)
    out = xr.Dataset(
        {
            "w1": (("experiment", "variable"), stacked["w1"].values),
            "baseline_w1": ("variable", threshold.values),
            "baseline_w1_pairs": (("baseline", "variable"), baseline["w1"].values),
            "excess": (("experiment", "variable"), excess.values),
            "tolerance": ("variable", tol),
            "verdict": (("experiment", "variable"), verdict),
            "run_verdict": ("experiment", np.array(run_verdict, dtype=_VERDICT_DTYPE)),
            "n_samples": (("experiment", "variable"), stacked["n_samples"].values),
            "baseline_n_samples": (("baseline", "variable"), baseline["n_samples"].values),
        },
        coords={
            "experiment": ("experiment", np.array(labels, dtype=object)),
            "format": ("experiment", np.array(["" if e.format is None else str(e.format) for e in exps], dtype=object)),
            "mantissa_bits": ("experiment", bits_arr),
            "rounding": ("experiment", np.array(["" if e.rounding is None else str(e.rounding) for e in exps], dtype=object)),
            "variable": ("variable", rows),
            "field": ("variable", baseline["field"].values),
            "units": ("variable", baseline["units"].values),
            "baseline": ("baseline", baseline["baseline"].values),
        },
    )
    for name in [v for v in stacked.data_vars if str(v).startswith("w1_map_")]:
        out[name] = stacked[name]
        if name in baseline:
            out["baseline_" + str(name)] = baseline[name].max("baseline").assign_attrs(baseline[name].attrs)
    _set_attrs(out)
    out.attrs.update(baseline.attrs)
    out.attrs.update(kind="numprec.verify.result", threshold_rule=THRESHOLD_RULE, reference="Paxton et al. (2022), J. Climate 35, arXiv:2104.15076")
    return out


def _set_attrs(out: xr.Dataset) -> None:
    units = set(out["units"].values.tolist())
    common = {"units": units.pop()} if len(units) == 1 else {}
    out["w1"].attrs.update(long_name="W1 between experiment and reference", **common)
    out["baseline_w1"].attrs.update(long_name="largest W1 between double-precision baseline pairs", **common)
    out["baseline_w1_pairs"].attrs.update(long_name="W1 of each double-precision baseline pair", **common)
    out["excess"].attrs.update(long_name="w1 - baseline_w1", **common)
    out["tolerance"].attrs.update(long_name="tolerance for a minor verdict", **common)
    out["verdict"].attrs.update(long_name="verdict", flag_values=" ".join(VERDICTS))
    out["run_verdict"].attrs.update(long_name="worst verdict over the variables")


def _tolerance_array(tolerance, rows, fields) -> np.ndarray:
    if tolerance is None:
        return np.zeros(len(rows))
    if isinstance(tolerance, numbers.Real):
        values = np.full(len(rows), float(tolerance))
    elif isinstance(tolerance, Mapping):
        lookup = {}
        for key, value in tolerance.items():
            name = joint_label(key) if isinstance(key, tuple) else str(key)
            lookup[name] = value
        known = {str(r) for r in rows} | {str(f) for f in fields}
        unknown = sorted(set(lookup) - known)
        if unknown:
            raise ValueError(f"tolerance names {unknown} match no variable; rows are {[str(r) for r in rows]}")
        values = np.array(
            [float(lookup.get(str(r), lookup.get(str(f), 0.0))) for r, f in zip(rows, fields)], dtype=np.float64
        )
    else:
        raise TypeError(f"tolerance must be None, a number or a dict {{variable: number}}, got {type(tolerance).__name__}")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"tolerance values must be finite and non-negative, got {values.tolist()}")
    return values


def _experiments(experiments, name: str) -> list[Experiment]:
    if isinstance(experiments, Mapping):
        items = []
        for label, value in experiments.items():
            if isinstance(value, Experiment):
                items.append(Experiment(value.data, str(label), value.format, value.mantissa_bits, value.rounding))
            elif isinstance(value, xr.Dataset):
                items.append(Experiment(value, str(label)))
            else:
                raise TypeError(f"{name}[{label!r}] must be an xarray.Dataset or an Experiment, got {type(value).__name__}")
    elif isinstance(experiments, Sequence) and not isinstance(experiments, str):
        items = []
        for i, value in enumerate(experiments):
            if isinstance(value, Experiment):
                items.append(value)
            elif isinstance(value, tuple) and len(value) == 4 and isinstance(value[3], xr.Dataset):
                fmt, bits, rounding, data = value
                items.append(Experiment(data, None, fmt, _as_bits(bits, f"{name}[{i}]"), rounding))
            else:
                raise TypeError(
                    f"{name}[{i}] must be an Experiment or a tuple (format_name, mantissa_bits, rounding, Dataset)"
                )
    else:
        raise TypeError(f"{name} must be a dict {{label: Dataset}} or a sequence of Experiment / 4-tuples, got {type(experiments).__name__}")
    if not items:
        raise ValueError(f"{name} must hold at least one experiment")
    for e in items:
        if not isinstance(e.data, xr.Dataset):
            raise TypeError(f"{name}: data of experiment {e.name!r} must be an xarray.Dataset, got {type(e.data).__name__}")
        if e.mantissa_bits is not None:
            _as_bits(e.mantissa_bits, f"{name}: mantissa_bits of {e.name!r}")
    labels = [e.name for e in items]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        raise ValueError(f"{name} has duplicate experiment labels {dupes}; give each a unique label")
    return items


def _as_bits(bits, where: str):
    if bits is None:
        return None
    if isinstance(bits, bool) or not isinstance(bits, numbers.Integral) or bits < 0:
        raise ValueError(f"{where}: mantissa_bits must be a non-negative integer or None, got {bits!r}")
    return int(bits)
