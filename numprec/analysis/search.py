"""Automatic precision search: the fewest mantissa bits per component that keep a case's answer.

The search of Tintó Prims et al. (2019) and Precimonious (Rubio-González et
al. 2013), on numprec's ensemble runner:

1. **Per component, alone.**  Every other component stays in binary64.  For
   each candidate number of mantissa bits (with a fixed exponent width,
   ``exponent_bits``), the component's arithmetic is rounded to
   ``e{exponent_bits}m{bits}`` with the first rounding scheme of
   ``roundings`` (round-to-nearest-even), and -- only if that fails -- with
   the next ones (stochastic rounding).  The fewest bits that pass are found
   by **bisection**, which assumes that the acceptance is monotone in the
   number of bits (if ``m`` bits pass, so do ``m + 1``).  That is usually
   but not always true (a lucky cancellation can make a coarser format pass
   where a finer one fails); the search does not test it.  A component that
   fails even at the largest candidate stays in binary64.
2. **Combined check.**  All components at their bits together.  Errors of
   components add up, so a combination can fail although each part passes
   alone.
3. **Delta debugging** (Zeller & Hildebrandt 2002, ``ddmin``) on a failing
   combination finds a 1-minimal set of components whose lowering together
   fails (every smaller subset lowered alone, others in double, passes).
   The first component of that set, in the order of ``components``, is
   raised by **one candidate step** (the next larger candidate; past the
   largest it goes back to binary64), keeping its rounding scheme; then the
   combination is checked again, until it passes.  Raising one component at
   a time keeps the others as low as possible; raising a member of the
   minimal failing set is enough to break that particular failure.

Every check is one experiment of :func:`numprec.cases.ensemble.run_ensemble`
against one double-precision reference and baseline ensemble, so a search
with ``output=`` is a resumable study: member files are written under
``<output>/members/`` with their provenance; a rerun into the same directory
reuses every finished check (and the reference), and is refused with
:class:`numprec.cases.ensemble.StaleResultError` before anything runs if the
case parameters (or numprec version, seeds, ...) differ from those on disk.

Acceptance rules: :class:`VerdictRule` (the Wasserstein verdict of
:func:`numprec.verify.verify`: "indistinguishable", or "minor" with a
tolerance in physical units) or :class:`SignificantBitsRule` (every output
of every member keeps at least ``bits`` significant bits relative to the
double-precision member from the same initial condition, in the sense of
:func:`numprec.analysis.significant_bits`).

References
----------
Tintó Prims, O., Acosta, M. C., Moore, A. M., Castrillo, M., Serradell, K.,
Cortés, A. & Doblas-Reyes, F. J. (2019). How to use mixed precision in ocean
models: exploring a potential reduction of numerical precision in NEMO 4.0
and ROMS 3.6. Geosci. Model Dev. 12, 3135-3148.

Rubio-González, C., Nguyen, C., Nguyen, H. D., Demmel, J., Kahan, W., Sen,
K., Bailey, D. H., Iancu, C. & Hough, D. (2013). Precimonious: tuning
assistant for floating-point precision. SC '13.

Zeller, A. & Hildebrandt, R. (2002). Simplifying and isolating
failure-inducing input. IEEE Trans. Software Eng. 28(2), 183-200.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import tempfile
import time
from pathlib import Path
from typing import Optional

import numpy as np

from numprec.cases import ensemble as ens

__all__ = ["VerdictRule", "SignificantBitsRule", "SearchResult", "ddmin", "precision_search",
           "parse_bits"]

_VERDICT_ORDER = ("indistinguishable", "minor", "distinguishable", "unstable")


# ------------------------------------------------------------------ rules
@dataclasses.dataclass(frozen=True)
class VerdictRule:
    """Pass when the Wasserstein run verdict is at least ``accept``.

    Parameters
    ----------
    accept : {"indistinguishable", "minor"}
        The worst accepted run verdict (worst over the variables).
    tolerance : float or dict, optional
        Tolerance of "minor" in physical units (one number or ``{variable:
        value}``, as in :func:`numprec.verify.verify`); needs
        ``accept="minor"``.
    """

    accept: str = "indistinguishable"
    tolerance: object = None

    def __post_init__(self):
        if self.accept not in ("indistinguishable", "minor"):
            raise ValueError(f"rule accept must be 'indistinguishable' or 'minor', got "
                             f"{self.accept!r}")
        if self.tolerance is not None and self.accept != "minor":
            raise ValueError("a tolerance only matters with accept='minor'")
        if self.accept == "minor" and self.tolerance is None:
            raise ValueError("rule 'minor' needs a tolerance (physical units): "
                             "VerdictRule('minor', tolerance=...)")

    def describe(self) -> str:
        if self.accept == "minor":
            return f"Wasserstein verdict indistinguishable or minor (tolerance {self.tolerance})"
        return "Wasserstein verdict indistinguishable"

    def get_config(self) -> dict:
        return {"rule": "verdict", "accept": self.accept, "tolerance": self.tolerance}


@dataclasses.dataclass(frozen=True)
class SignificantBitsRule:
    """Pass when every output keeps at least ``bits`` significant bits.

    The ``n`` experiment members are the samples; each is divided by the
    double-precision member from the same initial condition (``relative``)
    or has it subtracted, and :func:`numprec.analysis.significant_bits`
    (Sohier et al. 2021) gives the significant bits of every output value
    (variable, time, grid point) with ``method``, ``probability`` and
    ``confidence``.  The check passes if the smallest of them is at least
    ``bits`` (an output whose reference is 0 is left out of a relative
    test; NaN or inf in the experiment fails).

    Needs ``members == reference_members`` in the search (members are
    paired).
    """

    bits: float
    method: str = "cnh"
    probability: Optional[float] = 0.9
    confidence: Optional[float] = 0.95
    relative: bool = True

    def __post_init__(self):
        if isinstance(self.bits, bool) or not isinstance(self.bits, (int, float, np.number)) \
                or not 0 < float(self.bits) <= 64:
            raise ValueError(f"significant-bits rule: bits must be a number in (0, 64], got "
                             f"{self.bits!r}")
        if self.method not in ("cnh", "bernoulli"):
            raise ValueError(f"significant-bits rule: method must be 'cnh' or 'bernoulli', got "
                             f"{self.method!r}")

    def describe(self) -> str:
        return (f"at least {self.bits:g} significant bits ({self.method}, p={self.probability}, "
                f"confidence={self.confidence})")

    def get_config(self) -> dict:
        return {"rule": "significant_bits", **dataclasses.asdict(self)}


def _check_rule(rule, tolerance):
    if isinstance(rule, (VerdictRule, SignificantBitsRule)):
        if tolerance is not None:
            raise ValueError("give the tolerance inside the rule object, not as tolerance=")
        return rule
    if isinstance(rule, str) and rule in ("indistinguishable", "minor"):
        return VerdictRule(rule, tolerance)
    raise ValueError(f"rule must be 'indistinguishable', 'minor' (with tolerance=), a "
                     f"VerdictRule or a SignificantBitsRule, got {rule!r}")


# ------------------------------------------------------------ arguments
def parse_bits(text) -> list:
    """Candidate mantissa bits from ``"2:23"`` (inclusive), ``"4,7,10"`` or a sequence."""
    if isinstance(text, str):
        try:
            if ":" in text:
                lo, hi = (int(t) for t in text.split(":"))
                values = list(range(lo, hi + 1))
            else:
                values = [int(t) for t in text.split(",") if t.strip()]
        except ValueError:
            raise ValueError(f"bits must look like '2:23' or '4,7,10', got {text!r}") from None
    else:
        try:
            values = [int(b) for b in text]
        except TypeError:
            raise TypeError(f"bits must be a sequence of integers or a string like '2:23', got "
                            f"{text!r}") from None
    if not values:
        raise ValueError(f"bits: the candidate list is empty ({text!r})")
    bad = [b for b in values if not 1 <= b <= 52]
    if bad:
        raise ValueError(f"bits must be mantissa bits in 1..52, got {bad}")
    return sorted(set(values))


def _check_components(case, components):
    known = tuple(getattr(case, "components", ()) or ())
    if components is None:
        if not known:
            raise ValueError(f"case {ens.case_name(case)!r} names no components; give "
                             f"components=")
        return list(known)
    if isinstance(components, str):
        components = [c for c in components.split(",") if c]
    components = list(components)
    if not components:
        raise ValueError("components: the list is empty")
    unknown = [c for c in components if c not in known]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a component of case {ens.case_name(case)!r} "
                         f"(its components: {', '.join(known)})")
    if len(set(components)) != len(components):
        raise ValueError(f"components repeat a name: {components}")
    return components


# ----------------------------------------------------------------- ddmin
def ddmin(items, fails):
    """A 1-minimal failing subset of ``items`` (Zeller & Hildebrandt 2002).

    Parameters
    ----------
    items : sequence
        A configuration for which ``fails(items)`` is true.
    fails : callable
        ``fails(list) -> bool``; the empty list is assumed to pass.

    Returns
    -------
    list
        A subset (order kept) that fails while removing any one element
        makes it pass.
    """
    items = list(items)
    n = 2
    while len(items) >= 2:
        size = len(items)
        chunks = [items[i * size // n:(i + 1) * size // n] for i in range(n)]
        chunks = [c for c in chunks if c]
        for chunk in chunks:
            if fails(chunk):
                items, n = chunk, 2
                break
        else:
            for chunk in chunks:
                rest = [x for x in items if x not in chunk]
                if len(chunks) > 2 and fails(rest):
                    items, n = rest, max(n - 1, 2)
                    break
            else:
                if n >= len(items):
                    break
                n = min(len(items), 2 * n)
    return items


# ---------------------------------------------------------------- result
@dataclasses.dataclass
class SearchResult:
    """What :func:`precision_search` found.

    Attributes
    ----------
    table : xarray.Dataset
        Dim ``component``: ``alone_bits`` / ``alone_rounding`` (the fewest
        bits that pass with that component alone; -1 and "" when it needs
        binary64) and ``bits`` / ``rounding`` / ``format`` of the final
        combination; attrs: rule, exponent bits, candidates, checks run.
    config : dict
        ``Policy.get_config()`` of the policy found (JSON-able); rerun it
        with ``numprec.emulate.Policy.from_config(config)``.
    checks : list of dict
        Every check in the order it was made: ``stage`` ("alone",
        "combined", "ddmin"), ``setting`` ({component: [bits, rounding]}),
        ``passed``, ``detail`` (verdict or smallest significant bits),
        ``reused`` (from files on disk).
    raised : list of dict
        One entry per failed combination: the 1-minimal failing set that
        delta debugging found and the component raised (empty when the
        first combination passed).  The final combination always passes
        (all components back in binary64 is the reference itself).
    seconds : float
        Wall-clock time of the search.
    """

    table: object
    config: dict
    checks: list
    raised: list
    seconds: float

    @property
    def policy(self):
        """A fresh :class:`numprec.emulate.Policy` of :attr:`config`."""
        from numprec.emulate import Policy
        return Policy.from_config(self.config)

    def to_text(self) -> str:
        """The table as aligned text."""
        t = self.table
        lines = [f"precision search: case {t.attrs['case']}, rule: {t.attrs['rule']}",
                 f"formats e{t.attrs['exponent_bits']}mM, M in {t.attrs['candidates']}, "
                 f"roundings {t.attrs['roundings']}",
                 "",
                 f"{'component':<16} {'alone':>6} {'rounding':<13} {'combined':>8} rounding"]
        for i, comp in enumerate(t["component"].values):
            alone = int(t["alone_bits"][i])
            final = int(t["bits"][i])
            lines.append(f"{comp:<16} {('double' if alone < 0 else alone):>6} "
                         f"{str(t['alone_rounding'][i].values):<13} "
                         f"{('double' if final < 0 else final):>8} {t['rounding'][i].values}")
        n_run = sum(not c["reused"] for c in self.checks)
        first = "passed" if not self.raised else \
            f"failed {len(self.raised)} time(s), raised " + ", ".join(r["raised"] for r in self.raised)
        lines += ["", f"first combined check {first}; {len(self.checks)} checks ({n_run} run, "
                      f"{len(self.checks) - n_run} reused), {self.seconds:.1f} s"]
        return "\n".join(lines)

    def plot(self, path=None):
        """The checks of each component alone: the rule's margin against the
        mantissa bits (Wasserstein rule: ``max_excess``, W1 above the
        baseline, pass at or below 0; significant-bits rule: the smallest
        significant bits), one marker per rounding scheme; returns the
        figure (saved to ``path`` if given)."""
        import matplotlib
        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        from numprec import io

        fig, ax = plt.subplots(figsize=(7, 3.5))
        markers = {"nearest_even": "o", "stochastic": "s"}
        key = "max_excess" if any("max_excess" in c["detail"] for c in self.checks) \
            else "significant_bits"
        for i, comp in enumerate(self.table["component"].values):
            for rounding, marker in markers.items():
                pts = sorted((v[0], c["detail"][key]) for c in self.checks
                             if c["stage"] in ("alone", "ddmin") and list(c["setting"]) == [comp]
                             for v in [c["setting"][comp]] if v[1] == rounding)
                if pts:
                    ax.plot(*zip(*pts), marker=marker, ls="-" if rounding == "nearest_even"
                            else ":", color=f"C{i}", label=f"{comp} {_SHORT.get(rounding, rounding)}")
        if key == "max_excess":
            ax.axhline(0, color="k", lw=0.8)
            ax.set_ylabel("W1 - baseline W1 (max over variables)")
        else:
            ax.set_ylabel("smallest significant bits")
        ax.set_xlabel("mantissa bits")
        ax.set_title(f"precision search: {self.table.attrs['case']}")
        ax.legend(fontsize=8)
        fig.tight_layout()
        if path is not None:
            io.save_figure(fig, path)
        return fig

    def save(self, directory) -> dict:
        """Write ``search.nc``, ``search.txt``, ``policy.json`` and
        ``checks.json`` into ``directory``; returns ``{name: path}``."""
        from numprec import io

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = {
            "policy": io.write_text(json.dumps(self.config, indent=2) + "\n",
                                    directory / "policy.json"),
            "checks": io.write_text(json.dumps(self.checks, indent=2) + "\n",
                                    directory / "checks.json"),
            "text": io.write_text(self.to_text() + "\n", directory / "search.txt"),
        }
        paths["table"] = io.write_dataset(self.table, directory / "search.nc")
        return {k: Path(v) for k, v in paths.items()}


# ---------------------------------------------------------------- search
_SHORT = {"nearest_even": "RN", "stochastic": "SR"}


class _Checker:
    """Runs (or reuses) one check per setting {component: (bits, rounding)}."""

    def __init__(self, case, params, rule, exponent_bits, spec_options, run_options, output):
        self.case, self.params, self.rule = case, params, rule
        self.exponent_bits = exponent_bits
        self.spec_options, self.run_options, self.output = spec_options, run_options, output
        self.cache = {}
        self.checks = []

    def fmt(self, bits):
        return f"e{self.exponent_bits}m{bits}"

    def experiment(self, setting):
        if len(setting) == 1:
            (comp, (bits, rounding)), = setting.items()
            variant = ens.PolicyVariant(comp, compute="binary64",
                                        components={comp: ens.FORMAT})
            return ens.Experiment(self.fmt(bits), rounding, variant)
        name = " ".join(f"{c}={self.fmt(b)}/{_SHORT.get(r, r)}"
                        for c, (b, r) in sorted(setting.items()))
        variant = ens.PolicyVariant(
            name, compute="binary64",
            components={c: {"compute": self.fmt(b), "rounding": r} for c, (b, r) in setting.items()})
        return ens.Experiment("binary64", "nearest_even", variant)

    def passes(self, setting, stage) -> bool:
        key = tuple(sorted(setting.items()))
        if not setting:
            return True
        if key in self.cache:
            return self.cache[key]
        experiment = self.experiment(setting)
        spec = ens.EnsembleSpec(self.case, self.params, experiments=(experiment,),
                                run_options=self.run_options, **self.spec_options)
        result = ens.run_ensemble(spec, output=self.output, verify=isinstance(self.rule, VerdictRule),
                                  **self.executor)
        passed, detail = self.judge(result, experiment.label)
        self.cache[key] = passed
        self.checks.append({"stage": stage, "label": experiment.label,
                            "setting": {c: [int(b), r] for c, (b, r) in setting.items()},
                            "passed": bool(passed), "detail": detail,
                            "reused": result.ran == 0})
        return passed

    def judge(self, result, label):
        if isinstance(self.rule, VerdictRule):
            verdict = str(result.verdicts["run_verdict"].values[0])
            accepted = _VERDICT_ORDER[:_VERDICT_ORDER.index(self.rule.accept) + 1]
            excess = float(np.nanmax(result.verdicts["excess"].values)) \
                if np.isfinite(result.verdicts["excess"].values).any() else float("nan")
            return verdict in accepted, {"verdict": verdict, "max_excess": excess}
        bits = _smallest_significant_bits(result.reference, result.experiments[label],
                                          self.rule, self.spec_options.get("variables"),
                                          self.spec_options.get("spinup", 0))
        return bool(bits >= self.rule.bits), {"significant_bits": bits}


def _smallest_significant_bits(reference, experiment, rule, variables, spinup):
    from numprec.analysis.significance import significant_bits

    names = list(variables) if variables else [str(v) for v in reference.data_vars]
    smallest = np.inf
    for name in names:
        ref = reference[name]
        exp = experiment[name].transpose(*ref.dims)
        if spinup and "time" in ref.dims:
            ref, exp = ref.isel(time=slice(spinup, None)), exp.isel(time=slice(spinup, None))
        r = np.moveaxis(ref.values, ref.dims.index("member"), 0)
        x = np.moveaxis(exp.values, ref.dims.index("member"), 0)
        if not np.all(np.isfinite(x)):
            return float("-inf")
        with np.errstate(divide="ignore", invalid="ignore"):
            if rule.relative:
                ratio = x / r
                keep = np.all(r != 0, axis=0)
                if not keep.any():
                    continue
                bits = significant_bits(ratio[:, keep], 1.0, method=rule.method,
                                        probability=rule.probability,
                                        confidence=rule.confidence)
            else:
                bits = significant_bits(x - r, 0.0, method=rule.method,
                                        probability=rule.probability,
                                        confidence=rule.confidence, relative=False)
        smallest = min(smallest, float(np.nanmin(bits)))
    return smallest


def _bisect(candidates, passes):
    """(index, rounding) of the smallest passing candidate, or (None, None)."""
    top = passes(candidates[-1])
    if top is None:
        return None, None
    lo, hi, found = -1, len(candidates) - 1, top      # candidates[hi] passes
    while hi - lo > 1:
        mid = (lo + hi) // 2
        r = passes(candidates[mid])
        if r is None:
            lo = mid
        else:
            hi, found = mid, r
    return hi, found


def precision_search(case, params=None, *, components=None, bits="2:23", exponent_bits=8,
                     roundings=("nearest_even", "stochastic"), rule="indistinguishable",
                     tolerance=None, members=4, reference_members=None, baseline_members=None,
                     seed=0, variables=None, spinup=0, run_options=None, output=None,
                     executor="serial", workers=None, scheduler=None,
                     progress=False) -> SearchResult:
    """The fewest mantissa bits per component that pass ``rule``.

    See the module notes for the algorithm (bisection per component, a
    combined check, delta debugging) and its monotonicity assumption.

    Parameters
    ----------
    case : Case or str
        A case object or a registered name (a name where ``executor`` runs
        tasks in other processes).
    params : dict, optional
        Case parameters (the run length, the system, ...).
    components : sequence of str, optional
        Components to search (default: all of ``case.components``); the
        others stay in binary64.
    bits : str or sequence of int
        Candidate mantissa bits: ``"2:23"`` (inclusive), ``"4,7,10"`` or a
        list.
    exponent_bits : int
        Exponent width of every candidate format (8: bfloat16/binary32
        range, 11: binary64 range), so that only the precision varies.
    roundings : sequence of str
        Rounding schemes tried in this order at each candidate; a later one
        only where the earlier ones fail.
    rule : {"indistinguishable", "minor"}, VerdictRule or SignificantBitsRule
        The acceptance rule; ``"minor"`` needs ``tolerance``.
    tolerance : float or dict, optional
        Tolerance of the "minor" verdict, in the variables' units.
    members, reference_members, baseline_members : int
        Ensemble sizes of every check, the reference and the baseline
        (default: ``members``).
    seed : int
        Root of the initial-condition and rounding seeds (as in
        :class:`numprec.cases.ensemble.EnsembleSpec`).
    variables : sequence of str, optional
        Variables judged (default: all the case returns).
    spinup : int
        Samples dropped at the start of ``time`` before judging.
    run_options : dict, optional
        Extra keyword arguments of ``case.run``.
    output : path-like, optional
        Directory of the resumable study (member files; the result files are
        written by :meth:`SearchResult.save`).  Default: a temporary
        directory, removed at the end.
    executor, workers, scheduler
        As :func:`numprec.cases.ensemble.run_ensemble`.
    progress : bool
        Print one line per check to stderr.

    Returns
    -------
    SearchResult

    Raises
    ------
    ValueError
        For an unknown component, an empty candidate list, a bad rule or
        rounding, before anything runs.
    numprec.cases.ensemble.StaleResultError
        If ``output`` holds member files of other case parameters.
    """
    import sys

    import xarray as xr

    from numprec import list_roundings
    from numprec.emulate import Policy

    start = time.perf_counter()
    case_obj = ens.resolve_case(case)
    components = _check_components(case_obj, components)
    candidates = parse_bits(bits)
    if isinstance(exponent_bits, bool) or not isinstance(exponent_bits, (int, np.integer)) \
            or not 2 <= exponent_bits <= 11:
        raise ValueError(f"exponent_bits must be an integer in 2..11, got {exponent_bits!r}")
    roundings = [roundings] if isinstance(roundings, str) else list(roundings)
    if not roundings:
        raise ValueError("roundings: the list is empty")
    unknown = [r for r in roundings if r not in list_roundings()]
    if unknown:
        raise ValueError(f"rounding {unknown[0]!r} is not registered (known: "
                         f"{', '.join(list_roundings())})")
    rule = _check_rule(rule, tolerance)
    reference_members = members if reference_members is None else reference_members
    baseline_members = members if baseline_members is None else baseline_members
    if isinstance(rule, SignificantBitsRule):
        if reference_members != members:
            raise ValueError("the significant-bits rule pairs members: reference_members must "
                             "equal members")
        if rule.method == "bernoulli" and rule.probability is not None:
            need = int(np.ceil(np.log(1 - rule.confidence) / np.log(rule.probability)))
            if members < need:
                raise ValueError(f"the significant-bits rule with method='bernoulli', "
                                 f"probability={rule.probability}, confidence="
                                 f"{rule.confidence} needs members >= {need}, got {members}")
    spec_options = dict(reference_members=reference_members, baseline_members=baseline_members,
                        members=members, seed=seed, spinup=spinup,
                        variables=None if variables is None else tuple(variables))
    if isinstance(rule, VerdictRule) and rule.tolerance is not None:
        spec_options["tolerance"] = (dict(rule.tolerance) if isinstance(rule.tolerance, dict)
                                     else float(rule.tolerance))
    params = ens.case_parameters(case_obj, dict(params or {}))
    run_options = dict(run_options or {})
    # validate the whole set-up once, before the first check runs
    ens.EnsembleSpec(case, params, run_options=run_options, **spec_options)

    with contextlib.ExitStack() as stack:
        if output is None:
            root = stack.enter_context(tempfile.TemporaryDirectory(prefix="numprec-search-"))
        else:
            from numprec.study.store import study_lock
            root = Path(output)
            stack.enter_context(study_lock(root))
        checker = _Checker(case, params, rule, int(exponent_bits), spec_options, run_options,
                           root)
        checker.executor = dict(executor=executor, workers=workers, scheduler=scheduler)

        def log(msg):
            if progress:
                print(msg, file=sys.stderr, flush=True)

        alone = {}
        for comp in components:
            def passes(b, comp=comp):
                for r in roundings:
                    ok = checker.passes({comp: (b, r)}, "alone")
                    log(f"  {comp} e{exponent_bits}m{b} {r}: {'pass' if ok else 'fail'}")
                    if ok:
                        return r
                return None
            index, rounding = _bisect(candidates, passes)
            alone[comp] = None if index is None else (index, rounding)
            log(f"{comp}: {'double' if index is None else candidates[index]} {rounding or ''}")

        current = {c: v for c, v in alone.items() if v is not None}

        def setting_of(selection):
            return {c: (candidates[current[c][0]], current[c][1]) for c in selection}

        raised_log = []
        while current and not checker.passes(setting_of(current), "combined"):
            log(f"combined {setting_of(current)}: fail")
            culprits = ddmin([c for c in components if c in current],
                             lambda sel: not checker.passes(setting_of(sel), "ddmin"))
            raised = culprits[0]
            index, rounding = current[raised]
            if index + 1 < len(candidates):
                current[raised] = (index + 1, rounding)
            else:
                del current[raised]
            raised_log.append({"minimal_failing_set": list(culprits), "raised": raised})
            log(f"minimal failing set {culprits}: raise {raised}")

    final = setting_of(current)
    policy = Policy("binary64", seed=seed, name="precision search",
                    components={c: {"compute": checker.fmt(b), "rounding": r}
                                for c, (b, r) in final.items()} or None)
    config = policy.get_config()

    def bits_of(v):
        return -1 if v is None else candidates[v[0]]

    table = xr.Dataset(
        {"alone_bits": ("component", np.array([bits_of(alone[c]) for c in components]),
                        {"long_name": "fewest mantissa bits passing with only this component "
                                      "lowered (-1: binary64)", "units": "1"}),
         "alone_rounding": ("component", np.array([alone[c][1] if alone[c] else ""
                                                   for c in components], dtype=object)),
         "bits": ("component", np.array([final[c][0] if c in final else -1
                                         for c in components]),
                  {"long_name": "mantissa bits of the combination found (-1: binary64)",
                   "units": "1"}),
         "rounding": ("component", np.array([final[c][1] if c in final else ""
                                             for c in components], dtype=object)),
         "format": ("component", np.array([checker.fmt(final[c][0]) if c in final
                                           else "binary64" for c in components], dtype=object))},
        coords={"component": ("component", np.array(components, dtype=object))},
        attrs={"case": ens.case_name(case), "rule": rule.describe(),
               "rule_config": json.dumps(rule.get_config()),
               "exponent_bits": int(exponent_bits),
               "candidates": ",".join(map(str, candidates)), "roundings": ",".join(roundings),
               "members": int(members), "checks": len(checker.checks),
               "raised": json.dumps(raised_log), "policy": json.dumps(config),
               "params": json.dumps(params, default=str)})
    result = SearchResult(table, config, checker.checks, raised_log,
                          time.perf_counter() - start)
    if output is not None:
        result.save(output)
    return result
