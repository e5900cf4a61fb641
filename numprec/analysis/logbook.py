"""Number statistics of an emulated run: where numbers leave a format's range or stagnate.

The idea of Sherlogs.jl (Klöwer, Hatfield, Croci, Düben & Palmer 2022,
"Fluid simulations accelerated with 16 bits: approaching 4x speedup on A64FX
by squeezing ShallowWaters.jl into Float16", JAMES 14, e2021MS002684): log
every arithmetic result of a model, per component and per operation, and
read off the scaling that moves the numbers into a 16-bit format's range.

A :class:`Logbook` runs a policy's arithmetic unchanged -- the same bits --
and records, for every elementwise operation (ufunc) per component and per
operation name:

- a histogram of the base-2 exponents ``floor(log2 |r|)`` of the rounded
  results ``r`` (finite, nonzero);
- the number of results that are subnormal in the compute format
  (``0 < |r| < smallest_normal``), that overflow (the exact result is finite
  but beyond the format's largest value), that round to zero from a nonzero
  exact result, that stagnate (``a + b == a`` with ``b != 0``; for add
  either operand, for subtract ``a - b == a``), and that are NaN or inf;
- the largest relative rounding error ``|r - x| / |x|`` of a result whose
  exact value ``x`` (numpy's result in the container dtype, before
  rounding) is finite and nonzero.

Reductions (sum, mean, dot, matmul, cumsum) and FFTs are not logged: their
partial sums never exist as arrays.

How it hooks in: the logbook's policy is a copy of the given one with
``debug_reference=True`` (numpy's operation, then the generic rounding
kernel: the same bits as the fused kernels, see docs/emulate.md) and every
named component configured explicitly (so that each has its own plan); it
adds an observer to each of those plans (:attr:`numprec.emulate.plan.Plan.observers`),
which the engine calls with the exact and the rounded result of every
elementwise operation.  Policies without observers run as before.

The advisor (:func:`scaling_advice`, :meth:`Logbook.underflow_advice`):
the power-of-two scaling ``2**s`` of each prognostic variable that centres
its range of magnitudes (in log2) in a target format's normal range
(binary16: 6.1e-5 .. 65504), and the components whose results would fall
below the target's smallest normal number -- flushed to zero by
flush-to-zero hardware.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["Logbook", "logbook", "scaling_advice"]

#: Exponent bins: floor(log2 |x|) of float64 values, smallest subnormal to max.
EXPONENT_MIN, EXPONENT_MAX = -1074, 1023
_NBINS = EXPONENT_MAX - EXPONENT_MIN + 1
#: Component name of operations outside every component.
OUTSIDE = "(outside components)"
_COUNTS = ("results", "subnormal", "overflow", "to_zero", "stagnation", "nonfinite")


def _exponents(values):
    """floor(log2 |v|) of finite nonzero float values (exact, via frexp)."""
    return np.frexp(values)[1].astype(np.int64) - 1


class _Record:
    def __init__(self):
        self.counts = dict.fromkeys(_COUNTS, 0)
        self.histogram = np.zeros(_NBINS, dtype=np.int64)
        self.max_relative_error = 0.0


class Logbook:
    """Record number statistics of every elementwise operation of a policy.

    Parameters
    ----------
    policy : numprec.emulate.Policy, optional
        The policy whose arithmetic is observed (default: binary64, i.e. the
        statistics of the double-precision run).  It is not changed: the
        logbook computes under :attr:`policy`, a fresh copy (same settings
        and seed, stream counter at 0, ``debug_reference=True``).
    components : sequence of str
        Component names to tell apart (e.g. ``case.components``); results of
        other components are counted under their nearest configured
        component or under ``"(outside components)"``.

    Attributes
    ----------
    policy : numprec.emulate.Policy
        Run the model under this one (``case.run(params, log.policy, ...)``,
        or ``with log:`` for code that looks the active policy up).

    Examples
    --------
    >>> import numpy as np
    >>> from numprec.emulate import Policy
    >>> from numprec.analysis import logbook
    >>> with logbook(Policy("binary16", seed=0)) as log:
    ...     x = log.policy.asarray(np.array([1.0, 2.0**-20]))
    ...     y = x + 1e-4                 # 1 + 1e-4 == 1 in binary16
    >>> int(log.table()["stagnation"].sum())
    1
    """

    def __init__(self, policy=None, components=()):
        from numprec.emulate import Policy

        base = Policy("binary64", seed=0) if policy is None else policy
        if not isinstance(base, Policy):
            raise TypeError(f"policy must be a numprec.emulate.Policy, got "
                            f"{type(base).__name__}")
        if isinstance(components, str):
            components = [components]
        components = list(components)
        config = dict(base.get_config())
        settings = {k: config[k] for k in ("compute", "storage", "rounding", "random_bits",
                                           "arithmetic", "summation", "accumulation")}
        comps = dict(config.get("components") or {})
        for name in components:
            if not isinstance(name, str) or not name:
                raise ValueError(f"components must be non-empty strings, got {name!r}")
            comps.setdefault(name, dict(settings))
        config["components"] = comps
        config["debug_reference"] = True
        self.policy = Policy.from_config(config)
        self._names = {id(self.policy.plan): OUTSIDE}
        for name in comps:
            self._names[id(self.policy.component(name).plan)] = name
        self._records = {}
        self._formats = {OUTSIDE: self.policy.compute}
        self._formats.update({n: self.policy.component(n).compute for n in comps})
        self._observe(True)

    def _observe(self, on):
        plans = [self.policy.plan] + [self.policy.component(n).plan
                                      for n in self.policy.components]
        for plan in plans:
            if on and self.record not in plan.observers:
                plan.observers.append(self.record)
            elif not on and self.record in plan.observers:
                plan.observers.remove(self.record)

    def close(self):
        """Stop recording (the statistics stay)."""
        self._observe(False)

    def __enter__(self):
        self.policy.__enter__()
        return self

    def __exit__(self, *exc):
        self.policy.__exit__(*exc)
        return False

    # ------------------------------------------------------------ recording
    def record(self, plan, ufunc, operands, exact, rounded):
        """The engine's observer call: one elementwise result.

        Parameters
        ----------
        plan : numprec.emulate.plan.Plan
            The plan of the operation policy.
        ufunc : numpy.ufunc
        operands : tuple
            The operands as the operation saw them (container values).
        exact : numpy.ndarray
            numpy's result before rounding.
        rounded : numpy.ndarray
            The rounded result (what the model gets).
        """
        name = self._names.get(id(plan), OUTSIDE)
        rec = self._records.get((name, ufunc.__name__))
        if rec is None:
            rec = self._records[(name, ufunc.__name__)] = _Record()
        fmt = plan.compute
        r = np.asarray(rounded, dtype=np.float64).reshape(-1)
        x = np.asarray(exact, dtype=np.float64)
        x = (x if x.shape == np.shape(rounded) else np.broadcast_to(x, np.shape(rounded))
             ).reshape(-1)
        c = rec.counts
        n = r.size
        c["results"] += n
        absr = np.abs(r)
        nonfinite = n - int(np.count_nonzero(absr < np.inf))
        zeros = n - int(np.count_nonzero(r))
        c["nonfinite"] += nonfinite
        # frexp gives exponent 0 for zero, inf and NaN: those land in the bin of
        # floor(log2) = -1 and are taken out again
        hist = np.bincount(np.frexp(r)[1] - (1 + EXPONENT_MIN), minlength=_NBINS)
        hist[-1 - EXPONENT_MIN] -= nonfinite + zeros
        rec.histogram += hist
        smallest_normal = getattr(fmt, "smallest_normal", None)
        if smallest_normal is not None:
            c["subnormal"] += int(np.count_nonzero(absr < smallest_normal)) - zeros
        absx = np.abs(x)
        xfinite = absx < np.inf
        fmax = getattr(fmt, "max", None)
        if fmax is not None:
            c["overflow"] += int(np.count_nonzero(xfinite & (absx > fmax)))
        if zeros:
            c["to_zero"] += int(np.count_nonzero((r == 0) & (x != 0) & xfinite))
        if (ufunc is np.add or ufunc is np.subtract) and len(operands) == 2:
            shape = np.shape(rounded)
            a = np.broadcast_to(np.asarray(operands[0], dtype=np.float64), shape).reshape(-1)
            b = np.broadcast_to(np.asarray(operands[1], dtype=np.float64), shape).reshape(-1)
            stag = (r == a) & (b != 0)
            if ufunc is np.add:
                stag |= (r == b) & (a != 0)
            if nonfinite:
                stag &= absr < np.inf
            c["stagnation"] += int(np.count_nonzero(stag))
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.abs(r - x)
            rel /= absx
        if nonfinite or not xfinite.all() or zeros:
            rel = rel[(absr < np.inf) & xfinite & (x != 0)]
        if rel.size:
            rec.max_relative_error = max(rec.max_relative_error, float(rel.max()))

    # ------------------------------------------------------------ reports
    def table(self):
        """The statistics as an :class:`xarray.Dataset`.

        Dims ``entry`` (one per component and operation; coordinates
        ``component``, ``operation``, ``format``) and ``exponent``
        (``floor(log2 |r|)``, only the bins that occur).  Variables: the
        counts ``results``, ``subnormal``, ``overflow``, ``to_zero``,
        ``stagnation``, ``nonfinite``, ``max_relative_error`` and
        ``histogram`` (entry, exponent).
        """
        import xarray as xr

        keys = sorted(self._records)
        hist = np.array([self._records[k].histogram for k in keys], dtype=np.int64) \
            if keys else np.zeros((0, _NBINS), dtype=np.int64)
        used = np.flatnonzero(hist.sum(axis=0)) if keys else np.array([], dtype=np.int64)
        lo, hi = (int(used.min()), int(used.max()) + 1) if used.size else (0, 0)
        data = {name: ("entry", np.array([self._records[k].counts[name] for k in keys],
                                         dtype=np.int64), {"units": "1"})
                for name in _COUNTS}
        data["max_relative_error"] = ("entry", np.array(
            [self._records[k].max_relative_error for k in keys], dtype=np.float64),
            {"units": "1", "long_name": "largest relative rounding error"})
        data["histogram"] = (("entry", "exponent"), hist[:, lo:hi],
                             {"units": "1", "long_name": "results per base-2 exponent"})
        return xr.Dataset(
            data,
            coords={"component": ("entry", np.array([k[0] for k in keys], dtype=object)),
                    "operation": ("entry", np.array([k[1] for k in keys], dtype=object)),
                    "format": ("entry", np.array([self._formats.get(k[0], self.policy.compute).name
                                                  for k in keys], dtype=object)),
                    "exponent": ("exponent", np.arange(lo, hi) + EXPONENT_MIN,
                                 {"units": "1", "long_name": "floor(log2 |result|)"})},
            attrs={"kind": "numprec.analysis.logbook", "policy": self.policy.name})

    def to_text(self) -> str:
        """One line per component and operation."""
        t = self.table()
        head = (f"{'component':<22} {'op':<12} {'results':>9} {'subnorm':>8} {'overfl':>7} "
                f"{'to_zero':>8} {'stagn':>7} {'nan/inf':>8} {'max_rel_err':>11} "
                f"{'log2 range':>11}")
        lines = [head]
        ex = t["exponent"].values
        for i in range(t.sizes["entry"]):
            h = t["histogram"].values[i]
            rng = f"{ex[h > 0].min()}..{ex[h > 0].max()}" if h.any() else "-"
            lines.append(f"{t['component'].values[i]:<22} {t['operation'].values[i]:<12} "
                         f"{int(t['results'][i]):>9} {int(t['subnormal'][i]):>8} "
                         f"{int(t['overflow'][i]):>7} {int(t['to_zero'][i]):>8} "
                         f"{int(t['stagnation'][i]):>7} {int(t['nonfinite'][i]):>8} "
                         f"{float(t['max_relative_error'][i]):>11.3g} {rng:>11}")
        return "\n".join(lines)

    def plot(self, path=None, target="binary16"):
        """Exponent histograms per component (all operations summed), with
        the normal range of ``target`` shaded; returns the figure (saved to
        ``path`` if given)."""
        import matplotlib
        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        from numprec import get_format, io

        fmt = get_format(target) if isinstance(target, str) else target
        t = self.table()
        comps = list(dict.fromkeys(t["component"].values))
        fig, ax = plt.subplots(figsize=(8, 3.5))
        ex = t["exponent"].values
        for comp in comps:
            h = t["histogram"].values[t["component"].values == comp].sum(axis=0)
            ax.step(ex, h, where="mid", label=comp)
        ax.axvspan(math.floor(math.log2(fmt.smallest_normal)), math.floor(math.log2(fmt.max)),
                   color="0.9", zorder=0, label=f"{fmt.name} normal range")
        ax.set_yscale("log")
        ax.set_xlabel("floor(log2 |result|)")
        ax.set_ylabel("results")
        ax.legend(fontsize=8)
        fig.tight_layout()
        if path is not None:
            io.save_figure(fig, path)
        return fig

    def underflow_advice(self, target="binary16"):
        """Per component: results below ``target``'s smallest normal number
        (flushed to zero on flush-to-zero hardware) and above its largest.

        Returns
        -------
        xarray.Dataset
            Dim ``component``: ``results``, ``below_normal`` (nonzero results
            with ``|r| < smallest_normal``), ``above_max``, and
            ``flush_to_zero_safe`` (no result below the normal range).
        """
        import xarray as xr

        from numprec import get_format

        fmt = get_format(target) if isinstance(target, str) else target
        low = math.floor(math.log2(fmt.smallest_normal))       # exponent of the smallest normal
        high = math.floor(math.log2(fmt.max))
        t = self.table()
        comps = list(dict.fromkeys(t["component"].values))
        ex = t["exponent"].values
        below, above, total = [], [], []
        for comp in comps:
            sel = t["component"].values == comp
            h = t["histogram"].values[sel].sum(axis=0)
            below.append(int(h[ex < low].sum()))
            above.append(int(h[ex > high].sum()))
            total.append(int(t["results"].values[sel].sum()))
        below = np.array(below, dtype=np.int64)
        return xr.Dataset({"results": ("component", np.array(total, dtype=np.int64)),
                           "below_normal": ("component", below),
                           "above_max": ("component", np.array(above, dtype=np.int64)),
                           "flush_to_zero_safe": ("component", below == 0)},
                          coords={"component": ("component", np.array(comps, dtype=object))},
                          attrs={"target": fmt.name})


def logbook(policy=None, components=()) -> Logbook:
    """A :class:`Logbook` (a context manager: ``with logbook(policy) as log:``)."""
    return Logbook(policy, components)


def scaling_advice(data, target="binary16", variables=None):
    """The power-of-two scaling that centres each variable's range in ``target``.

    For each variable, the base-2 exponents ``floor(log2 |x|)`` of its finite
    nonzero values span ``[e_lo, e_hi]``; the target's normal range spans
    ``[t_lo, t_hi]`` (binary16: -14 .. 15).  The advised scaling is ``2**s``
    with ``s = round((t_lo + t_hi)/2 - (e_lo + e_hi)/2)`` (the midpoints in
    log2 coincide), as Klöwer et al. (2022) scaled ShallowWaters.jl into
    Float16.

    Parameters
    ----------
    data : xarray.Dataset or dict of arrays
        E.g. a case's output or state (prognostic variables).
    target : str or Format
    variables : sequence of str, optional

    Returns
    -------
    xarray.Dataset
        Dim ``variable``: ``exponent_min``, ``exponent_max``, ``scale_exponent``
        (s), ``fits`` (the scaled range lies in the normal range),
        ``subnormal_fraction`` (share of the nonzero values below the normal
        range unscaled) and ``scaled_subnormal_fraction`` (after scaling).
    """
    import xarray as xr

    from numprec import get_format

    fmt = get_format(target) if isinstance(target, str) else target
    t_lo = math.floor(math.log2(fmt.smallest_normal))
    t_hi = math.floor(math.log2(fmt.max))
    names = list(variables) if variables is not None else [str(k) for k in (
        data.data_vars if hasattr(data, "data_vars") else data)]
    if not names:
        raise ValueError("scaling_advice: no variables")
    rows = {k: [] for k in ("exponent_min", "exponent_max", "scale_exponent", "fits",
                            "subnormal_fraction", "scaled_subnormal_fraction")}
    for name in names:
        try:
            values = np.asarray(data[name], dtype=np.float64).ravel()
        except KeyError:
            raise ValueError(f"scaling_advice: no variable {name!r}") from None
        values = values[np.isfinite(values) & (values != 0)]
        if values.size == 0:
            raise ValueError(f"scaling_advice: variable {name!r} has no finite nonzero value")
        e = _exponents(values)
        lo, hi = int(e.min()), int(e.max())
        s = int(round((t_lo + t_hi) / 2 - (lo + hi) / 2))
        rows["exponent_min"].append(lo)
        rows["exponent_max"].append(hi)
        rows["scale_exponent"].append(s)
        rows["fits"].append(lo + s >= t_lo and hi + s <= t_hi)
        rows["subnormal_fraction"].append(float(np.mean(e < t_lo)))
        rows["scaled_subnormal_fraction"].append(float(np.mean(e + s < t_lo)))
    return xr.Dataset({k: ("variable", np.array(v)) for k, v in rows.items()},
                      coords={"variable": ("variable", np.array(names, dtype=object))},
                      attrs={"target": fmt.name, "target_exponents": f"{t_lo}..{t_hi}"})
