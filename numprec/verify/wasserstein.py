"""Wasserstein-1 distances between ensembles: per grid point, area-weighted, joint.

The verifier of Paxton et al. (2022) compares the distribution of a model variable
simulated in low precision with its distribution in double precision by the
first Wasserstein distance

.. math:: W_1(F, G) = \\int_{-\\infty}^{\\infty} |F(x) - G(x)| \\, dx ,

the area between the two cumulative distribution functions (Vallender 1974), which
is in the physical units of the variable. Samples are pooled over the *sample
dims* (by default ``("time", "member")``: all output times after spin-up of all
ensemble members); every other dim is a grid dim, and W1 is computed at every grid
point, then averaged with area weights (or kept as a map).

Functions
---------
w1_1d(u, v, axis=-1)
    Vectorised 1-D W1 along one axis of two numpy arrays (equal or unequal sizes).
joint_w1(u, v, max_samples=2000, seed=0, repeats=1)
    W1 of the joint distribution of several variables (Euclidean ground metric),
    exact for equal-size (sub)samples via an optimal assignment.
area_weights(da, dims)
    cos(latitude) weights when ``da`` has a ``lat``/``latitude`` coordinate.
score(reference, other, ...)
    W1 of every variable of two :class:`xarray.Dataset` s -> Dataset with a
    ``variable`` dim (one row per variable, per split level, per joint group).

Choice for the joint distribution
---------------------------------
Paxton et al. (2022) computed W1 of the 3-D Lorenz attractor from histograms with
the POT library. numprec does not depend on POT; it solves the transport problem
exactly for two empirical measures of equal size ``k``: uniform weights make every
vertex of the transport polytope a permutation (Birkhoff-von Neumann), so the
optimal plan is the optimal assignment, found by
:func:`scipy.optimize.linear_sum_assignment` in O(k^3). Larger samples are
subsampled without replacement to ``k = min(n, m, max_samples)`` (with a fixed
seed). An empirical W1 in ``d`` dims has a sampling floor that shrinks like
``k**(-1/d)``; the baseline is computed with the same ``k``, so experiment and
baseline share that floor. ``repeats`` averages over independent subsamples to
lower the variance.

References
----------
Paxton, E. A., Chantry, M., Klöwer, M., Saffin, L., & Palmer, T. (2022). Climate
modeling in low precision: effects of both deterministic and stochastic rounding.
J. Climate, 35, 1215-1229. arXiv:2104.15076.

Vallender, S. S. (1974). Calculation of the Wasserstein distance between
probability distributions on the line. Theory Probab. Appl., 18, 784-786.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
import xarray as xr
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

__all__ = [
    "DEFAULT_SAMPLE_DIMS",
    "w1_1d",
    "joint_w1",
    "area_weights",
    "score",
    "joint_label",
]

DEFAULT_SAMPLE_DIMS: tuple[str, ...] = ("time", "member")

# Rows of the unequal-size kernel are processed in blocks of about this many
# elements so that the argsort and cumulative sums stay in cache-sized memory.
_BLOCK_ELEMENTS = 1 << 22


# --------------------------------------------------------------------------- 1-D


def w1_1d(u, v, axis: int = -1) -> np.ndarray:
    """W1 between the empirical distributions of ``u`` and ``v`` along ``axis``.

    Parameters
    ----------
    u, v : array_like
        Samples. All axes except ``axis`` must have the same shape (one W1 per
        position); the sample counts along ``axis`` may differ.
    axis : int
        The sample axis.

    Returns
    -------
    numpy.ndarray
        float64 array of the other axes' shape (a 0-d array for 1-D input).
        NaN where either sample contains NaN or +-inf.

    Notes
    -----
    Equal sizes ``n``: the optimal coupling matches order statistics, so
    ``W1 = mean(|sort(u) - sort(v)|)``. Unequal sizes: both samples are merged and
    sorted, and ``sum_k |F_u(x_k) - F_v(x_k)| (x_{k+1} - x_k)`` is accumulated, with
    the empirical CDFs counted exactly in integers (the formula of
    :func:`scipy.stats.wasserstein_distance`, vectorised over positions).
    """
    u = np.moveaxis(np.asarray(u, dtype=np.float64), axis, -1)
    v = np.moveaxis(np.asarray(v, dtype=np.float64), axis, -1)
    if u.shape[:-1] != v.shape[:-1]:
        raise ValueError(
            f"u and v must have the same shape apart from the sample axis; "
            f"got {u.shape[:-1]} and {v.shape[:-1]}"
        )
    if u.shape[-1] == 0 or v.shape[-1] == 0:
        raise ValueError("u and v need at least one sample each along axis")
    lead = u.shape[:-1]
    # C order, so that numpy's reductions (pairwise in contiguous rows) sum in
    # the same order whatever the memory layout of the input.
    u2 = np.ascontiguousarray(u.reshape(-1, u.shape[-1]))
    v2 = np.ascontiguousarray(v.reshape(-1, v.shape[-1]))
    out = np.empty(u2.shape[0])
    rows = max(1, _BLOCK_ELEMENTS // (u2.shape[1] + v2.shape[1]))
    kernel = _w1_equal if u2.shape[1] == v2.shape[1] else _w1_unequal
    for start in range(0, u2.shape[0], rows):
        block = slice(start, start + rows)
        out[block] = kernel(u2[block], v2[block])
    bad = ~(np.isfinite(u2).all(axis=1) & np.isfinite(v2).all(axis=1))
    out[bad] = np.nan
    return out.reshape(lead)


def _w1_equal(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.mean(np.abs(np.sort(u, axis=1) - np.sort(v, axis=1)), axis=1)


def _w1_unequal(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    n, m = u.shape[1], v.shape[1]
    both = np.concatenate([u, v], axis=1)
    order = np.argsort(both, axis=1, kind="stable")
    values = np.take_along_axis(both, order, axis=1)
    from_u = order < n
    count_u = np.cumsum(from_u, axis=1)[:, :-1]
    count_v = np.arange(1, n + m) - count_u
    gaps = np.diff(values, axis=1)
    return np.sum(np.abs(count_u / n - count_v / m) * gaps, axis=1)


# ------------------------------------------------------------------------- joint


def joint_w1(u, v, *, max_samples: int = 2000, seed: int = 0, repeats: int = 1) -> float:
    """W1 between two multivariate samples, Euclidean ground distance.

    Parameters
    ----------
    u : array_like, shape (n, d)
    v : array_like, shape (m, d)
        One sample per row, one variable per column (1-D input is one variable).
    max_samples : int
        Largest sample size ``k`` used; both samples are subsampled without
        replacement to ``k = min(n, m, max_samples)`` (cost O(k^3)).
    seed : int
        Seed of :func:`numpy.random.default_rng` for the subsamples.
    repeats : int
        Number of independent subsample pairs averaged (only useful when a
        subsample is drawn).

    Returns
    -------
    float
        The mean over repeats of the exact W1 between the two size-``k``
        empirical measures (optimal assignment, see the module notes); NaN if
        either sample contains NaN or +-inf.
    """
    u = _as_samples(u, "u")
    v = _as_samples(v, "v")
    if u.shape[1] != v.shape[1]:
        raise ValueError(f"u and v must have the same number of variables (columns); got {u.shape[1]} and {v.shape[1]}")
    if not isinstance(max_samples, (int, np.integer)) or max_samples < 1:
        raise ValueError(f"max_samples must be a positive integer, got {max_samples!r}")
    if not isinstance(repeats, (int, np.integer)) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    if not (np.isfinite(u).all() and np.isfinite(v).all()):
        return float("nan")
    k = min(len(u), len(v), int(max_samples))
    if k == len(u) == len(v):
        repeats = 1
    rng = np.random.default_rng(seed)
    total = 0.0
    for _ in range(repeats):
        us = u if k == len(u) else u[rng.choice(len(u), size=k, replace=False)]
        vs = v if k == len(v) else v[rng.choice(len(v), size=k, replace=False)]
        cost = cdist(us, vs)
        rows, cols = linear_sum_assignment(cost)
        total += cost[rows, cols].mean()
    return float(total / repeats)


def _as_samples(x, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty (samples, variables) array, got shape {x.shape}")
    return x


# ---------------------------------------------------------------------- weights


_LAT_NAMES = ("lat", "latitude")


def area_weights(da: xr.DataArray, dims: Iterable[Hashable]) -> xr.DataArray | None:
    """cos(latitude) weights for averaging ``da`` over ``dims``, or None.

    A coordinate named ``lat`` or ``latitude`` (or with ``standard_name``
    ``"latitude"``) that varies along at least one of ``dims`` gives weights
    ``cos(lat)``; its units are degrees unless its ``units`` attribute starts
    with ``"rad"``. Without such a coordinate the answer is None (uniform).

    Parameters
    ----------
    da : xarray.DataArray
        The field to average.
    dims : iterable of str
        The grid dims averaged over.

    Returns
    -------
    xarray.DataArray or None
        The weights (not normalised), or None for uniform weights.
    """
    dims = set(dims)
    for name, coord in da.coords.items():
        is_lat = str(name).lower() in _LAT_NAMES or coord.attrs.get("standard_name") == "latitude"
        if not is_lat or not dims.intersection(coord.dims):
            continue
        lat = np.asarray(coord.values, dtype=np.float64)
        radians = str(coord.attrs.get("units", "")).lower().startswith("rad")
        limit = np.pi / 2 if radians else 90.0
        if not np.all(np.abs(lat) <= limit * (1 + 1e-12)):
            unit = "radians" if radians else "degrees"
            raise ValueError(f"coordinate {name!r} must lie in [-{limit}, {limit}] ({unit}); got {lat.min()}..{lat.max()}")
        w = np.cos(lat if radians else np.deg2rad(lat))
        return xr.DataArray(np.clip(w, 0.0, None), dims=coord.dims, coords=coord.coords)
    return None


def _weights_for(var: Hashable, da: xr.DataArray, dims: Sequence[Hashable], weights) -> xr.DataArray | None:
    if isinstance(weights, Mapping):
        weights = weights.get(var, "auto")
    if weights is None or (isinstance(weights, str) and weights == "auto"):
        return area_weights(da, dims)
    if isinstance(weights, str) and weights == "uniform":
        return None
    if not isinstance(weights, xr.DataArray):
        raise TypeError(
            f"weights must be None, 'auto', 'uniform', an xarray.DataArray or a dict of those; "
            f"got {type(weights).__name__} for variable {var!r}"
        )
    if not set(weights.dims) <= set(dims):
        return None  # documented: weights apply to the variables that have all their dims
    w = np.asarray(weights.values, dtype=np.float64)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise ValueError(f"weights for {var!r} must be finite, non-negative and not all zero")
    return weights


# ------------------------------------------------------------------- datasets


def joint_label(group: Sequence[Hashable]) -> str:
    """Row label of a joint variable group: ``joint(x,y,z)``."""
    return "joint(" + ",".join(str(g) for g in group) + ")"


def score(
    reference: xr.Dataset,
    other: xr.Dataset,
    *,
    variables: Sequence[Hashable] | None = None,
    sample_dims: Sequence[Hashable] | str = DEFAULT_SAMPLE_DIMS,
    weights=None,
    split_dims: Sequence[Hashable] | str = (),
    keep_map: bool = False,
    joint=None,
    joint_samples: int = 2000,
    joint_repeats: int = 1,
    seed: int = 0,
) -> xr.Dataset:
    """W1 between ``other`` and ``reference``, one row per variable.

    Parameters
    ----------
    reference, other : xarray.Dataset
        The two ensembles. Every compared variable must have the same grid dims
        (all dims that are not sample dims), sizes and grid coordinates in both;
        sample dims may differ in size and coordinates (e.g. 10 vs 5 members).
    variables : sequence of str, optional
        Variables compared one by one; default: every numeric data variable of
        ``reference``. Use ``()`` to compare only ``joint`` groups.
    sample_dims : sequence of str or str
        Dims pooled into one sample (default ``("time", "member")``); dims that a
        variable does not have are ignored. Select the time after spin-up before
        calling.
    weights : None, "auto", "uniform", xarray.DataArray or dict
        How per-grid-point W1 is averaged over the grid dims (masked points
        excluded, see Notes). "auto" (default,
        also None): cos(latitude) if a ``lat``/``latitude`` coordinate exists
        (:func:`area_weights`), else uniform. A DataArray applies to every variable
        whose grid dims include all its dims (others are averaged uniformly). A dict
        maps variable names to any of these (missing names: "auto").
    split_dims : sequence of str or str
        Grid dims that are not averaged: every index along them becomes its own
        row, labelled ``"t[level=3]"`` (coordinate values when the dim has one).
    keep_map : bool
        Also return the per-grid-point W1 as ``w1_map_<var>`` (grid dims, the
        variable's attrs) for every variable that has grid dims.
    joint : sequence of str, or sequence of sequences of str, optional
        Groups of variables whose joint distribution is compared with
        :func:`joint_w1` (e.g. ``("x", "y", "z")`` for the Lorenz attractor); each
        group becomes a row ``joint(x,y,z)``. Group members must have no grid dims.
    joint_samples, joint_repeats, seed
        Passed to :func:`joint_w1` as ``max_samples``, ``repeats``, ``seed``.

    Returns
    -------
    xarray.Dataset
        Dim ``variable`` (row labels). Data variables: ``w1`` (float64; NaN where
        either input holds NaN/inf at a grid point that is not masked, see
        Notes), ``n_samples`` (samples per grid point in
        ``other``), ``reference_n_samples``; ``w1_map_<var>`` if ``keep_map``.
        Coordinates along ``variable``: ``field`` (the input variable name, or the
        joint label) and ``units`` (copied from the reference variable's attrs;
        joint rows carry the common unit of their members, or "").

    Raises
    ------
    ValueError
        For mismatched inputs (the message names the variable), and for a
        variable (or split row) whose every grid point is masked.

    Notes
    -----
    Masked points: a grid point that is NaN in every sample of both datasets
    (a fixed land or ocean mask) is left out of the average, and the weights of
    the other points are renormalised, so the score equals that of the same
    fields with the masked points removed; ``w1_map_<var>`` is NaN there. A
    point that is NaN in only some samples, or in every sample of one dataset
    only, is not masked: its W1 is NaN and so is the row's (an unstable run,
    or an error for a baseline pair). Infinities never mask a point.
    """
    _check_dataset(reference, "reference")
    _check_dataset(other, "other")
    sample_dims = _as_dim_tuple(sample_dims, "sample_dims")
    split_dims = _as_dim_tuple(split_dims, "split_dims")
    if variables is None:
        variables = [k for k, da in reference.data_vars.items() if np.issubdtype(da.dtype, np.number)]
    elif isinstance(variables, str):
        variables = [variables]
    groups = _joint_groups(joint)

    rows: list[tuple[str, Hashable, str, float, int, int]] = []
    maps: dict[str, xr.DataArray] = {}
    for var in variables:
        ref_da = _get_var(reference, var, "reference")
        oth_da = _get_var(other, var, "other")
        w1_map = _w1_map(ref_da, oth_da, var, sample_dims)
        grid_dims = list(w1_map.dims)
        missing = [d for d in split_dims if d not in grid_dims and d in ref_da.dims]
        if missing:
            raise ValueError(f"split_dims {missing} of variable {var!r} are sample dims; they cannot be split")
        agg_dims = [d for d in grid_dims if d not in split_dims]
        w = _weights_for(var, ref_da, agg_dims, weights)
        masked = _masked_points(ref_da, oth_da, sample_dims).compute()
        if bool(masked.all(agg_dims).any()):
            raise ValueError(
                f"variable {var!r}: every grid point{' of a split row' if masked.ndim > len(agg_dims) else ''} "
                "is NaN in every sample of both datasets (masked); there is nothing to compare"
            )
        mean = _weighted_mean(w1_map, agg_dims, w, masked).compute()
        units = str(ref_da.attrs.get("units", ""))
        n_ref, n_oth = _n_samples(ref_da, sample_dims), _n_samples(oth_da, sample_dims)
        for label, value in _split_rows(var, mean):
            rows.append((label, var, units, value, n_oth, n_ref))
        if keep_map and grid_dims:
            maps[f"w1_map_{var}"] = w1_map.compute().assign_attrs(ref_da.attrs)
    for group in groups:
        rows.append(_joint_row(reference, other, group, sample_dims, joint_samples, joint_repeats, seed))

    labels = [r[0] for r in rows]
    if len(set(labels)) != len(labels):
        raise ValueError(f"duplicate row labels {labels}; rename variables or joint groups")
    ds = xr.Dataset(
        {
            "w1": ("variable", np.array([r[3] for r in rows], dtype=np.float64)),
            "n_samples": ("variable", np.array([r[4] for r in rows], dtype=np.int64)),
            "reference_n_samples": ("variable", np.array([r[5] for r in rows], dtype=np.int64)),
        },
        coords={
            "variable": ("variable", np.array(labels, dtype=object)),
            "field": ("variable", np.array([str(r[1]) for r in rows], dtype=object)),
            "units": ("variable", np.array([r[2] for r in rows], dtype=object)),
        },
    )
    ds["w1"].attrs.update(long_name="Wasserstein-1 distance to the reference", units_from="coordinate 'units'")
    for name, m in maps.items():
        ds[name] = m
    ds.attrs.update(sample_dims=list(map(str, sample_dims)), split_dims=list(map(str, split_dims)))
    return ds


def _check_dataset(ds, name: str) -> None:
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"{name} must be an xarray.Dataset, got {type(ds).__name__}")


def _as_dim_tuple(dims, name: str) -> tuple[Hashable, ...]:
    if isinstance(dims, str):
        return (dims,)
    try:
        return tuple(dims)
    except TypeError:
        raise TypeError(f"{name} must be a dim name or a sequence of dim names, got {dims!r}") from None


def _get_var(ds: xr.Dataset, var: Hashable, name: str) -> xr.DataArray:
    if var not in ds.data_vars:
        raise ValueError(f"variable {var!r} is missing from {name} (has {list(ds.data_vars)})")
    da = ds[var]
    if not np.issubdtype(da.dtype, np.number) or np.issubdtype(da.dtype, np.complexfloating):
        raise TypeError(f"variable {var!r} of {name} must be real numeric, got dtype {da.dtype}")
    return da


def _n_samples(da: xr.DataArray, sample_dims) -> int:
    return int(np.prod([da.sizes[d] for d in sample_dims if d in da.dims], dtype=np.int64))


def _w1_map(ref: xr.DataArray, oth: xr.DataArray, var, sample_dims) -> xr.DataArray:
    sd_ref = [d for d in sample_dims if d in ref.dims]
    sd_oth = [d for d in sample_dims if d in oth.dims]
    grid_ref = [d for d in ref.dims if d not in sample_dims]
    grid_oth = [d for d in oth.dims if d not in sample_dims]
    if set(grid_ref) != set(grid_oth):
        raise ValueError(
            f"variable {var!r}: grid dims differ between reference {grid_ref} and other {grid_oth} "
            f"(sample dims are {list(sample_dims)})"
        )
    for d in grid_ref:
        if ref.sizes[d] != oth.sizes[d]:
            raise ValueError(f"variable {var!r}: dim {d!r} has size {ref.sizes[d]} in reference but {oth.sizes[d]} in other")
    # Sample-dim coordinates (times, member labels) may differ between ensembles.
    ref = ref.drop_vars([c for c in ref.coords if set(ref[c].dims) & set(sd_ref)])
    oth = oth.drop_vars([c for c in oth.coords if set(oth[c].dims) & set(sd_oth)])
    tmp = [f"__sample_{i}" for i in range(max(len(sd_ref), len(sd_oth)))]
    ref = ref.rename({d: f"{t}_ref" for d, t in zip(sd_ref, tmp)})
    oth = oth.rename({d: f"{t}_oth" for d, t in zip(sd_oth, tmp)})
    core_ref = [f"{t}_ref" for t in tmp[: len(sd_ref)]]
    core_oth = [f"{t}_oth" for t in tmp[: len(sd_oth)]]
    try:
        out = xr.apply_ufunc(
            _w1_core,
            ref,
            oth,
            kwargs={"n_ref": len(core_ref), "n_oth": len(core_oth)},
            input_core_dims=[core_ref, core_oth],
            output_core_dims=[[]],
            join="exact",
            dask="parallelized",
            output_dtypes=[np.float64],
            dask_gufunc_kwargs={"allow_rechunk": True},
            keep_attrs=False,
        )
    except ValueError as err:
        if "align" in str(err) or "index" in str(err).lower():
            raise ValueError(f"variable {var!r}: grid coordinates differ between reference and other: {err}") from err
        raise
    return out.transpose(*grid_ref)


def _w1_core(u: np.ndarray, v: np.ndarray, n_ref: int, n_oth: int) -> np.ndarray:
    u = u.reshape(u.shape[: u.ndim - n_ref] + (-1,))
    v = v.reshape(v.shape[: v.ndim - n_oth] + (-1,))
    return w1_1d(u, v, axis=-1)


def _masked_points(ref: xr.DataArray, oth: xr.DataArray, sample_dims) -> xr.DataArray:
    """Grid points that are NaN in every sample of both datasets (a fixed
    land or ocean mask): a boolean DataArray over the grid dims."""
    all_nan = []
    for da in (ref, oth):
        flags = da.isnull().all([d for d in sample_dims if d in da.dims])
        all_nan.append(flags.drop_vars(list(flags.coords)))
    grid = [d for d in ref.dims if d not in sample_dims]
    return (all_nan[0] & all_nan[1]).transpose(*grid)


def _weighted_mean(da: xr.DataArray, dims, weights, masked: xr.DataArray) -> xr.DataArray:
    """Mean of ``da`` over ``dims`` (NaN propagates), leaving out the
    ``masked`` points and renormalising the weights of the others."""
    if not dims:
        return da
    if bool(masked.any()):
        keep = ~masked.variable
        kept = xr.DataArray(keep, dims=masked.dims).astype(np.float64)
        weights = kept if weights is None else weights * kept
        da = da.where(keep, 0.0)
    if weights is None:
        return da.mean(dims, skipna=False)
    return da.weighted(weights).mean(dims, skipna=False)


def _split_rows(var, mean: xr.DataArray):
    if mean.ndim == 0:
        yield str(var), float(mean)
        return
    for index in np.ndindex(*mean.shape):
        parts = []
        for dim, i in zip(mean.dims, index):
            value = mean[dim].values[i] if dim in mean.coords else i
            parts.append(f"{dim}={_fmt_coord(value)}")
        yield f"{var}[{', '.join(parts)}]", float(mean.values[index])


def _fmt_coord(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return str(value)


def _joint_groups(joint) -> list[tuple[Hashable, ...]]:
    if joint is None:
        return []
    if isinstance(joint, str):
        raise TypeError("joint must be a sequence of variable names (e.g. ('x', 'y', 'z')) or a sequence of such sequences")
    joint = list(joint)
    if not joint:
        return []
    if all(isinstance(g, str) for g in joint):
        joint = [joint]
    groups = []
    for g in joint:
        if isinstance(g, str) or len(g) < 1:
            raise TypeError(f"joint groups must be non-empty sequences of variable names, got {g!r}")
        groups.append(tuple(g))
    return groups


def _joint_matrix(ds: xr.Dataset, group, sample_dims, name: str) -> np.ndarray:
    cols = []
    dims = None
    for var in group:
        da = _get_var(ds, var, name)
        grid = [d for d in da.dims if d not in sample_dims]
        if grid:
            raise ValueError(
                f"joint variable {var!r} of {name} has grid dims {grid}; joint W1 needs variables with "
                f"sample dims only (select a point or level first)"
            )
        sd = tuple(d for d in sample_dims if d in da.dims)
        if dims is None:
            dims, sizes = sd, [da.sizes[d] for d in sd]
        elif sd != dims or [da.sizes[d] for d in sd] != sizes:
            raise ValueError(f"joint variables {list(group)} of {name} must share the same sample dims and sizes")
        cols.append(np.asarray(da.transpose(*sd).values, dtype=np.float64).reshape(-1))
    return np.stack(cols, axis=1)


def _joint_row(reference, other, group, sample_dims, joint_samples, joint_repeats, seed):
    u = _joint_matrix(reference, group, sample_dims, "reference")
    v = _joint_matrix(other, group, sample_dims, "other")
    value = joint_w1(u, v, max_samples=joint_samples, seed=seed, repeats=joint_repeats)
    units = {str(reference[var].attrs.get("units", "")) for var in group}
    label = joint_label(group)
    return label, label, units.pop() if len(units) == 1 else "", value, len(v), len(u)
