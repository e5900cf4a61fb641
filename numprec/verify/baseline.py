"""The baseline: how far apart two double-precision ensembles are.

A low-precision run can only be judged against the variability that double
precision itself shows when the initial conditions change (Paxton et al. 2022):
the baseline W1 is the distance between the reference double ensemble and a second
double ensemble started from different initial conditions. It holds internal
variability plus finite-sample noise, so it must be computed with the same sample
dims, spin-up and, ideally, the same sample sizes as the experiments.

Several baseline pairs (more double ensembles, or random splits of one large
ensemble with :func:`member_splits`) estimate the spread of the baseline; the
verdict threshold is the largest of them (see :mod:`numprec.verify.verdict`).

Functions
---------
baseline_w1(reference, baselines, **score_options)
    One W1 row set per baseline pair -> Dataset with dims (baseline, variable).
member_splits(ds, dim="member", n_splits=1, seed=0)
    Random disjoint halves of one ensemble, as (a, b) pairs for ``baseline_w1``.

References
----------
Paxton, E. A., Chantry, M., Klöwer, M., Saffin, L., & Palmer, T. (2022). Climate
modeling in low precision: effects of both deterministic and stochastic rounding.
J. Climate, 35, 1215-1229. arXiv:2104.15076.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr

from .wasserstein import score

__all__ = ["baseline_w1", "member_splits", "is_baseline"]

_KIND = "numprec.verify.baseline"


def baseline_w1(reference: xr.Dataset | None, baselines, **score_options) -> xr.Dataset:
    """W1 of every baseline pair, per variable.

    Parameters
    ----------
    reference : xarray.Dataset or None
        The double-precision reference ensemble (the one experiments are compared
        with). May be None when every baseline item is an explicit pair.
    baselines : xarray.Dataset, or sequence of Dataset / (Dataset, Dataset)
        A Dataset is a second double ensemble from different initial conditions,
        paired with ``reference``; a 2-tuple ``(a, b)`` is an explicit pair (e.g.
        from :func:`member_splits`).
    **score_options
        Passed to :func:`numprec.verify.wasserstein.score` (variables,
        sample_dims, weights, split_dims, keep_map, joint, joint_samples,
        joint_repeats, seed). Use the same options as for the experiments.

    Returns
    -------
    xarray.Dataset
        Dims (``baseline``, ``variable``): ``w1``, ``n_samples``,
        ``reference_n_samples`` (and ``w1_map_<var>`` with a ``baseline`` dim if
        ``keep_map``). ``attrs["kind"] == "numprec.verify.baseline"``.

    Raises
    ------
    ValueError
        If a baseline pair holds NaN or inf: double-precision runs must be finite.
        Grid points that are NaN in every sample of both ensembles of a pair (a
        fixed land or ocean mask) are masked, not errors (see
        :func:`numprec.verify.wasserstein.score`).
    """
    pairs = _pairs(reference, baselines)
    rows = []
    for i, (a, b) in enumerate(pairs):
        s = score(a, b, **score_options)
        bad = [str(v) for v, w in zip(s["variable"].values, s["w1"].values) if np.isnan(w)]
        if bad:
            raise ValueError(f"baseline pair {i} contains NaN or inf in {bad}; the double-precision ensembles must be finite")
        rows.append(s)
    out = xr.concat(rows, dim="baseline", data_vars="all", coords="minimal", compat="override", join="exact")
    out = out.assign_coords(baseline=np.arange(len(rows)))
    for name in ("field", "units"):
        out = out.assign_coords({name: ("variable", rows[0][name].values)})
    out.attrs.update(rows[0].attrs, kind=_KIND)
    return out


def is_baseline(obj) -> bool:
    """True if ``obj`` is a Dataset returned by :func:`baseline_w1`.

    Parameters
    ----------
    obj : object

    Returns
    -------
    bool"""
    return isinstance(obj, xr.Dataset) and obj.attrs.get("kind") == _KIND


def member_splits(ds: xr.Dataset, dim: Hashable = "member", n_splits: int = 1, seed: int = 0) -> list[tuple[xr.Dataset, xr.Dataset]]:
    """Random splits of one ensemble into two disjoint halves along ``dim``.

    Members started from different initial conditions give two independent
    ensembles; the pairs feed :func:`baseline_w1` when only one double ensemble
    exists. Each half holds ``size // 2`` members, so a baseline from splits has
    fewer samples than a comparison of the full ensemble and is therefore larger
    (more lenient) than one from two full-size ensembles.

    Parameters
    ----------
    ds : xarray.Dataset
    dim : str
        The member dim (at least 2 entries).
    n_splits : int
        Number of random splits.
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    list of (xarray.Dataset, xarray.Dataset)
    """
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"ds must be an xarray.Dataset, got {type(ds).__name__}")
    if dim not in ds.dims or ds.sizes[dim] < 2:
        raise ValueError(f"ds needs a dim {dim!r} with at least 2 members to split, has dims {dict(ds.sizes)}")
    if not isinstance(n_splits, (int, np.integer)) or n_splits < 1:
        raise ValueError(f"n_splits must be a positive integer, got {n_splits!r}")
    rng = np.random.default_rng(seed)
    size = ds.sizes[dim]
    half = size // 2
    pairs = []
    for _ in range(n_splits):
        perm = rng.permutation(size)
        pairs.append((ds.isel({dim: np.sort(perm[:half])}), ds.isel({dim: np.sort(perm[half : 2 * half])})))
    return pairs


def _pairs(reference, baselines) -> list[tuple[xr.Dataset, xr.Dataset]]:
    if isinstance(baselines, xr.Dataset):
        baselines = [baselines]
    elif isinstance(baselines, tuple) and len(baselines) == 2 and all(isinstance(b, xr.Dataset) for b in baselines):
        baselines = [baselines]
    if isinstance(baselines, (str, bytes)):
        raise TypeError(f"baseline must be a Dataset or a sequence of Datasets / (Dataset, Dataset) pairs, got {baselines!r}")
    try:
        items = list(baselines)
    except TypeError:
        raise TypeError(f"baseline must be a Dataset or a sequence of Datasets / (Dataset, Dataset) pairs, got {type(baselines).__name__}") from None
    if not items:
        raise ValueError("baseline must hold at least one double-precision ensemble or pair")
    pairs = []
    for i, item in enumerate(items):
        if isinstance(item, xr.Dataset):
            if reference is None:
                raise ValueError(f"baseline item {i} is a single Dataset but reference is None; give (a, b) pairs")
            pairs.append((reference, item))
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(b, xr.Dataset) for b in item):
            pairs.append(item)
        else:
            raise TypeError(f"baseline item {i} must be a Dataset or a (Dataset, Dataset) pair, got {type(item).__name__}")
    return pairs
