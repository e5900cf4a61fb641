"""``.numprec`` accessors for xarray DataArrays and Datasets.

Importing this module registers them (xarray's accessor mechanism)::

    import numprec.xarray  # noqa: F401  registers the .numprec accessors

    low = ds.numprec.round("bfloat16", rounding="stochastic", seed=1)

Rounding keeps dims, coords and attrs, and records what was done in the
attrs of every rounded variable, in the names and JSON encoding of :mod:`numprec.io`'s
provenance schema: ``numprec_format`` (the format's config), ``numprec_rounding``,
and for stochastic rounding ``numprec_seed``, ``numprec_stream`` and
``numprec_random_bits`` (``null``: all bits).

Dask-backed variables are rounded chunk by chunk, lazily; each chunk's
random numbers are those of its position in the whole array (counter =
flat C-order index of the element, see :func:`numprec.round`'s ``offset``),
so the result is bit-identical to rounding the computed array in one call,
whatever the chunking.  In a Dataset, the rounded variables are taken in
sorted order of their names and the ``i``-th uses stream ``stream + i``.
"""
from __future__ import annotations

import json
import secrets

import numpy as np
import xarray as xr

import numprec
from numprec.rounding import resolve_format, resolve_rounding

__all__ = ["NumprecDataArrayAccessor", "NumprecDatasetAccessor", "round_dataarray"]


def _offsets(shape):
    """C-order strides of ``shape`` in elements."""
    strides = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    return strides


def round_block(block, fmt, rounding, seed, random_bits, stream, start, global_shape):
    """Round one chunk ``block`` whose first element sits at index ``start``
    of an array of ``global_shape``, with that array's random numbers."""
    block = np.asarray(block)
    out = np.empty_like(block)
    if block.size == 0:
        return out
    if not resolve_rounding(rounding).stochastic:
        return numprec.round(block, fmt, rounding, out=out)
    if block.ndim == 0:
        return numprec.round(block, fmt, rounding, seed=seed, random_bits=random_bits,
                             stream=stream, out=out)
    strides = _offsets(global_shape)
    # The trailing axes the chunk spans whole, with the axis before them,
    # are one contiguous run of the global C order: one call per run.
    k = block.ndim
    while k > 1 and block.shape[k - 1] == global_shape[k - 1]:
        k -= 1
    run_axis = k - 1
    for lead in np.ndindex(*block.shape[:run_axis]):
        index = tuple(start[a] + lead[a] for a in range(run_axis)) + (start[run_axis],)
        offset = sum(i * st for i, st in zip(index, strides))
        numprec.round(np.ascontiguousarray(block[lead]), fmt, rounding, seed=seed,
                      random_bits=random_bits, stream=stream, offset=offset, out=out[lead])
    return out


def _attrs(fmt, scheme, seed, stream, random_bits):
    """The provenance attributes of numprec.io's schema (JSON values)."""
    attrs = {"numprec_format": json.dumps(fmt.get_config(), sort_keys=True),
             "numprec_rounding": scheme.name}
    if scheme.stochastic:
        attrs.update(numprec_seed=json.dumps(int(seed)), numprec_stream=json.dumps(int(stream)),
                     numprec_random_bits=json.dumps(random_bits))
    return attrs


def round_dataarray(da, fmt, rounding="nearest_even", *, seed=None, random_bits=None,
                    stream=0, axis=None):
    """``da`` rounded to ``fmt`` (see :meth:`NumprecDataArrayAccessor.round`).

    Parameters
    ----------
    da : xarray.DataArray
        float32 or float64 data (numpy- or dask-backed).
    fmt, rounding, seed, random_bits, stream, axis
        As in :meth:`NumprecDataArrayAccessor.round`.

    Returns
    -------
    xarray.DataArray
    """
    if not isinstance(da, xr.DataArray):
        raise TypeError(f"da must be an xarray.DataArray, got {type(da).__name__}")
    if not np.issubdtype(da.dtype, np.floating) or da.dtype not in (np.float32, np.float64):
        raise TypeError(f"variable {da.name!r} has dtype {da.dtype}; numprec rounds float32 "
                        "and float64 data (cast it first)")
    fmt = resolve_format(fmt)
    scheme = resolve_rounding(rounding)
    if scheme.stochastic and seed is None:
        seed = secrets.randbits(64)
    block_axis = None
    if axis is not None:
        if axis not in da.dims:
            raise ValueError(f"axis {axis!r} is not a dimension of {da.name!r}; its "
                             f"dimensions are {list(da.dims)}")
        block_axis = da.dims.index(axis)
    elif not fmt.elementwise:
        raise ValueError(f"{fmt.name!r} shares scales along an axis: pass axis=<dimension name>")
    data = da.data
    if hasattr(data, "map_blocks") and hasattr(data, "chunks") and not isinstance(data, np.ndarray):
        if block_axis is not None and len(data.chunks[block_axis]) > 1:
            raise ValueError(f"{fmt.name!r} shares scales along {axis!r}, which is split into "
                             f"{len(data.chunks[block_axis])} chunks: rechunk it whole "
                             f"(da.chunk({{{axis!r}: -1}}))")
        if block_axis is not None and scheme.stochastic and data.npartitions > 1:
            raise ValueError(f"stochastic rounding to the block format {fmt.name!r} of a "
                             f"dask array in {data.npartitions} chunks is not supported "
                             "(its random numbers follow the whole array): use one chunk")
        rounded = data.map_blocks(_round_chunk, dtype=data.dtype, fmt=fmt, rounding=scheme,
                                  seed=seed, random_bits=random_bits, stream=stream,
                                  global_shape=data.shape, block_axis=block_axis)
    else:
        arr = np.asarray(data)
        if block_axis is not None:
            rounded = numprec.round(arr, fmt, scheme, seed=seed, random_bits=random_bits,
                                    stream=stream, axis=block_axis)
        else:
            rounded = round_block(arr, fmt, scheme, seed, random_bits, stream,
                                  (0,) * arr.ndim, arr.shape)
    out = da.copy(data=rounded)
    out.attrs.update(_attrs(fmt, scheme, seed, stream, random_bits))
    return out


def _round_chunk(block, fmt, rounding, seed, random_bits, stream, global_shape, block_axis,
                 block_info=None):
    start = tuple(lo for lo, _ in block_info[0]["array-location"])
    if block_axis is not None:         # one chunk, or deterministic rounding
        return numprec.round(np.asarray(block), fmt, rounding, seed=seed,
                             random_bits=random_bits, stream=stream, axis=block_axis)
    return round_block(block, fmt, rounding, seed, random_bits, stream, start, global_shape)


@xr.register_dataarray_accessor("numprec")
class NumprecDataArrayAccessor:
    """``da.numprec``: numprec operations on a DataArray."""

    def __init__(self, da):
        self._da = da

    def round(self, fmt, rounding="nearest_even", *, seed=None, random_bits=None, stream=0,
              axis=None):
        """The values rounded to ``fmt``, dims/coords/attrs kept.

        Parameters
        ----------
        fmt : numprec.Format or str
            Target format (registered name, alias, "eXmY" or object).
        rounding : str
            Rounding scheme, as :func:`numprec.round`.
        seed : int, optional
            Key of stochastic rounding; None draws one (recorded in attrs).
        random_bits : int, optional
            As :func:`numprec.round`.
        stream : int
            Random stream.
        axis : str, optional
            Dimension of the blocks of a block format (e.g. MX).

        Returns
        -------
        xarray.DataArray
            Lazy when the input is dask-backed.

        Examples
        --------
        >>> import numpy as np, xarray as xr
        >>> import numprec.xarray  # noqa: F401
        >>> da = xr.DataArray(np.array([1.0, 1 / 3]), dims="x", attrs={"units": "m"})
        >>> r = da.numprec.round("bfloat16")
        >>> float(r[1]), r.attrs["units"], r.attrs["numprec_rounding"]
        (0.333984375, 'm', 'nearest_even')
        """
        return round_dataarray(self._da, fmt, rounding, seed=seed, random_bits=random_bits,
                               stream=stream, axis=axis)


@xr.register_dataset_accessor("numprec")
class NumprecDatasetAccessor:
    """``ds.numprec``: numprec operations on a Dataset."""

    def __init__(self, ds):
        self._ds = ds

    def round(self, fmt, rounding="nearest_even", *, seed=None, random_bits=None, stream=0,
              variables=None, axis=None):
        """Every float data variable (or those named) rounded to ``fmt``.

        Coordinates and non-float variables are kept unchanged.

        Parameters
        ----------
        fmt, rounding, seed, random_bits, stream, axis
            As in :meth:`NumprecDataArrayAccessor.round`.
        variables : sequence of str, optional
            Names to round (default: every float32/float64 data variable).

        Returns
        -------
        xarray.Dataset
        """
        ds = self._ds
        if variables is None:
            names = sorted(str(k) for k, v in ds.data_vars.items()
                           if v.dtype in (np.float32, np.float64))
        else:
            names = sorted(variables)
            missing = [n for n in names if n not in ds.data_vars]
            if missing:
                raise ValueError(f"variables {missing} are not data variables of the Dataset; "
                                 f"it has {sorted(map(str, ds.data_vars))}")
        scheme = resolve_rounding(rounding)
        if scheme.stochastic and seed is None:
            seed = secrets.randbits(64)
        out = ds.copy()
        for i, name in enumerate(names):
            out[name] = round_dataarray(ds[name], fmt, scheme, seed=seed,
                                        random_bits=random_bits, stream=stream + i, axis=axis)
        return out
