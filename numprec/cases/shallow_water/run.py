"""Integrate a batch of shallow-water members: the case's ``CASE.run``."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import xarray as xr

from numprec.cases.driver import integrate
from numprec.cases.shallow_water.diagnostics import diagnostics
from numprec.cases.shallow_water.model import ShallowWaterModel, build_model
from numprec.cases.shallow_water.params import SECONDS_PER_DAY, ShallowWaterParams

__all__ = ["PERTURBATION", "VARIABLES", "run_members", "steps_of", "to_dataset",
           "spun_up_state"]

#: Standard deviation [m] of the random η perturbation that makes members differ.
PERTURBATION = 0.01
#: Output variables of :func:`run_members`.
VARIABLES = ("u", "v", "eta", "energy", "enstrophy", "mean_speed", "max_speed", "mass")


def _days(name, value, positive=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be a finite number of days "
                         f"({'> 0' if positive else '>= 0'}), got {value!r}")
    return float(value)


def steps_of(model: ShallowWaterModel, days: float) -> int:
    """Whole time steps in ``days``."""
    return int(round(days * SECONDS_PER_DAY / model.dt))


def spun_up_state(params: ShallowWaterParams, members: int, ic_seed, spinup: float,
                  perturbation: float = PERTURBATION):
    """Physical float64 ``(u, v, eta)`` of ``members`` members after ``spinup``
    days in double precision from rest plus a random η perturbation.

    The spin-up runs the plain model (no scaling, no compensation) whatever
    ``params`` say, so that every precision setting starts from the same
    states as the double reference.
    """
    plain = build_model(dataclasses.replace(params, scale=1.0, scale_eta=1.0,
                                            compensation="none"))
    u, v, eta = plain.rest_state(perturbation, seed=ic_seed, batch=(members,))[:3]
    nspin = steps_of(plain, spinup)
    if nspin == 0:
        return u, v, eta
    traj = integrate(plain, plain.to_internal(u, v, eta), None, steps=nspin,
                     sample_at=[nspin])
    if traj.unstable:
        raise RuntimeError(f"the double-precision spin-up became unstable within {spinup} "
                           f"days; check the parameters {params}")
    return plain.to_physical(traj.state)


def run_members(params: ShallowWaterParams, policy=None, *, members: int, ic_seed=0,
                days: float = 30.0, spinup: float = 0.0, output_every: float = 1.0,
                perturbation: float = PERTURBATION, start=None, progress=False) -> xr.Dataset:
    """Integrate ``members`` members batched in one leading dimension.

    Parameters
    ----------
    params : ShallowWaterParams
    policy : numprec.emulate.Policy, optional
        Every operation rounded under it (None: plain numpy, double).
    members : int
    ic_seed : int
        Seed of the initial η perturbations (one generator for the batch).
    days : float
        Days integrated under ``policy`` after the spin-up.
    spinup : float
        Days integrated first in double (not in the output).
    output_every : float
        Output interval [days]; the start and the end are always included.
    perturbation : float
        Standard deviation [m] of the mean-free random η of the state of rest.
    start : tuple of arrays, optional
        Physical ``(u, v, eta)`` to start from instead of the spun-up rest
        state (leading dimension ``members``); ``spinup`` must be 0.
    progress : bool
        A tqdm progress bar.

    Returns
    -------
    xarray.Dataset
        See :func:`to_dataset`.
    """
    days = _days("days", days)
    output_every = _days("output_every", output_every, positive=True)
    spinup = _days("spinup", spinup)
    model = build_model(params)
    if start is None:
        u, v, eta = spun_up_state(params, members, ic_seed, spinup, perturbation)
    else:
        if spinup:
            raise ValueError("give either start or spinup, not both")
        u, v, eta = (np.asarray(a, dtype=np.float64) for a in start)
        if u.shape[:1] != (members,):
            raise ValueError(f"start must have a leading member dimension of {members}, "
                             f"got shape {u.shape}")
    nsteps = steps_of(model, days)
    nout = max(1, steps_of(model, output_every))
    at = sorted(set(range(0, nsteps + 1, nout)) | {nsteps})
    traj = integrate(model, model.to_internal(u, v, eta), policy, steps=nsteps,
                     sample_at=at, progress=progress)
    t0 = steps_of(model, spinup) * model.dt
    times = (t0 + np.array(at) * model.dt) / SECONDS_PER_DAY
    attrs = {"case": "shallow_water", "unstable": int(traj.unstable),
             "model_parameters": json.dumps(dataclasses.asdict(params)),
             "spinup_days": spinup, "days": days, "output_every_days": output_every,
             "perturbation": float(perturbation), "dt": model.dt, "dx": model.grid.dx}
    return to_dataset(model, times, traj.samples, attrs)


def to_dataset(model: ShallowWaterModel, days, samples: dict, attrs: dict) -> xr.Dataset:
    """The output Dataset from driver samples of shape ``(time, member, ...)``.

    ``u (member, time, y, x_u)``, ``v (member, time, y_v, x)`` (interior
    v-points), ``eta (member, time, y, x)`` in m s-1 and m, with CF
    ``standard_name``s; ``energy``, ``enstrophy``, ``mean_speed``,
    ``max_speed``, ``mass`` (member, time) from :func:`diagnostics`; ``time``
    in days since the start from rest; coordinates in m.
    """
    grid = model.grid
    us, vs, etas = (np.moveaxis(samples[k], 0, 1) for k in ("u", "v", "eta"))
    with np.errstate(all="ignore"):
        diag = diagnostics(model, us, vs, etas)
    dims = ("member", "time")
    speed = {"units": "m s-1"}
    data = {
        "u": (dims + ("y", "x_u"), us, {"units": "m s-1", "standard_name": "sea_water_x_velocity",
                                         "long_name": "zonal velocity (C-grid u-points)"}),
        "v": (dims + ("y_v", "x"), vs, {"units": "m s-1", "standard_name": "sea_water_y_velocity",
                                         "long_name": "meridional velocity (interior C-grid "
                                                      "v-points; zero on the walls)"}),
        "eta": (dims + ("y", "x"), etas,
                {"units": "m", "standard_name": "sea_surface_height_above_geoid",
                 "long_name": "surface elevation above rest"}),
        "energy": (dims, diag["energy"],
                   {"units": "m5 s-2", "long_name": "total energy divided by density",
                    "description": "sum over cells of (h K + g eta^2/2) dx^2"}),
        "enstrophy": (dims, diag["enstrophy"],
                      {"units": "m s-2", "long_name": "potential enstrophy",
                       "description": "sum over corners of h q^2/2 dx^2"}),
        "mean_speed": (dims, diag["mean_speed"], {**speed, "long_name": "mean speed"}),
        "max_speed": (dims, diag["max_speed"], {**speed, "long_name": "maximum speed"}),
        "mass": (dims, diag["mass"], {"units": "m3", "long_name": "volume anomaly",
                                      "description": "sum of eta dx^2 (conserved)"}),
    }
    coords = {
        "member": ("member", np.arange(us.shape[0]), {"units": "1", "long_name": "ensemble member"}),
        "time": ("time", np.asarray(days, dtype=np.float64),
                 {"units": "days", "long_name": "time since the start from rest"}),
        "x": ("x", grid.x_T, {"units": "m", "axis": "X", "long_name": "x of cell centres"}),
        "x_u": ("x_u", grid.x_u, {"units": "m", "long_name": "x of u-points (west faces)"}),
        "y": ("y", grid.y_T, {"units": "m", "axis": "Y", "long_name": "y of cell centres"}),
        "y_v": ("y_v", grid.y_v, {"units": "m", "long_name": "y of interior v-points"}),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)
