"""Output of a Lorenz run as labelled data, and its climate statistics."""
from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["LONG_NAMES", "to_dataset", "statistics"]

LONG_NAMES = {"x": "Lorenz 63 x", "y": "Lorenz 63 y", "z": "Lorenz 63 z",
              "X": "Lorenz 96 slow variable", "Y": "Lorenz 96 fast variable"}


def to_dataset(samples: dict, times, *, attrs=None) -> xr.Dataset:
    """A Dataset of sampled variables: dims ``(member, time)`` (Lorenz 63) or
    ``(member, time, k)`` / ``(member, time, i)`` (Lorenz 96 X / Y).

    Parameters
    ----------
    samples : dict
        ``{name: array}`` from :func:`numprec.cases.driver.integrate`, shape
        ``(time, member)`` or ``(time, index, member)``.
    times : array
        Model time of each sample (nondimensional).
    attrs : dict, optional
        Global attributes.
    """
    first = next(iter(samples.values()))
    members = first.shape[-1]
    coords = {
        "member": ("member", np.arange(members), {"units": "1",
                                                   "long_name": "ensemble member"}),
        "time": ("time", np.asarray(times, dtype=np.float64),
                 {"units": "1", "long_name": "model time",
                  "description": "nondimensional time units"}),
    }
    data_vars = {}
    for name, values in samples.items():
        var_attrs = {"units": "1", "long_name": LONG_NAMES[name]}
        if values.ndim == 2:
            data_vars[name] = (("member", "time"), values.T, var_attrs)
        else:
            dim = "k" if name == "X" else "i"
            coords[dim] = (dim, np.arange(values.shape[1]),
                           {"units": "1", "long_name": f"{name} index"})
            data_vars[name] = (("member", "time", dim), values.transpose(2, 0, 1), var_attrs)
    return xr.Dataset(data_vars, coords=coords, attrs=dict(attrs or {}))


def statistics(ds: xr.Dataset) -> xr.Dataset:
    """Mean and standard deviation of every variable over members and time.

    For Lorenz 63 on the attractor (double, long runs): mean z ≈ 23.55, std
    of x, y, z ≈ 7.93, 9.01, 8.62, and ``<x²> = <xy> = β <z>`` exactly in
    the long-time limit (from d<z>/dt = 0 and d<x²>/dt = 0).
    """
    out = {}
    for name, da in ds.data_vars.items():
        out[f"{name}_mean"] = da.mean(("member", "time"))
        out[f"{name}_std"] = da.std(("member", "time"))
        out[f"{name}_mean"].attrs = {"units": da.attrs.get("units", "1")}
        out[f"{name}_std"].attrs = {"units": da.attrs.get("units", "1")}
    return xr.Dataset(out)
