"""Restart files of the SPEEDY-style core: a state in spectral coefficients.

A restart file is a NetCDF file written through :func:`numprec.io.write_dataset`.
It holds, per member, the spectral coefficients of the prognostic variables
``vor``, ``div`` (s^-1), ``tem`` (T - T_ref(k), K) and ``lnps`` (ln(p_s/p0)),
packed to the degrees l <= T that the model keeps (the layout's other entries
are zero by construction; saving refuses a state where they are not, so packing
is lossless).  It holds either both leapfrog levels (``levels="both"``: the run
continues bit for bit, as SPEEDY's own restart does) or the current level only
(``levels="current"``: half the size; the run restarts with the start-up steps
of :class:`numprec.cases.speedy.timestepping.Leapfrog`).

The shipped start state :data:`SHIPPED` (``"held_suarez_T21"``) is six
members of a T21 Held-Suarez run made by this code in double: 200 days from
rest (T_ref plus 0.1 K noise, seed 0), then one member saved every 10 days
(days 210, 220, ..., 260), current level only.  See docs/speedy.md.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Optional

import numpy as np
import xarray as xr

from numprec import emulate, io

PROGNOSTIC = ("vor", "div", "tem", "lnps")
UNITS = {"vor": "s-1", "div": "s-1", "tem": "K", "lnps": "1"}
LONG_NAMES = {"vor": "spectral coefficients of relative vorticity",
              "div": "spectral coefficients of divergence",
              "tem": "spectral coefficients of T - T_ref(sigma)",
              "lnps": "spectral coefficients of ln(p_s / p0)"}
LEVELS = ("both", "current")
DATA = Path(__file__).parent / "data"
#: Shipped start states: name -> file in numprec/cases/speedy/data.
SHIPPED = {"held_suarez_T21": DATA / "held_suarez_T21.nc"}


class Restart(NamedTuple):
    """A loaded restart: ``current`` (and ``previous``, or None) as dicts of
    float64 arrays in the model's spectral layout (member first), the
    truncation, the time step (s) the pair was made with and the model's
    time unit (s; vorticity and divergence are per time unit), and the
    mass fixer's per-member target (``<p_s>/p0 - 1``, float64; None when the
    file has none; :mod:`numprec.cases.speedy.mass`)."""

    previous: Optional[dict]
    current: dict
    trunc: int
    dt: float
    time_unit: float = 1.0
    mass_target: Optional[np.ndarray] = None

    def in_time_unit(self, seconds: float) -> "Restart":
        """The restart with vorticity and divergence per ``seconds`` (the same
        object when that is already its unit, so no value is rounded)."""
        if seconds == self.time_unit:
            return self
        factor = seconds / self.time_unit

        def scale(d):
            if d is None:
                return None
            return {k: v * factor if k in ("vor", "div") else v for k, v in d.items()}
        return Restart(scale(self.previous), scale(self.current), self.trunc, self.dt,
                       float(seconds), self.mass_target)

    @property
    def members(self) -> int:
        return int(self.current["lnps"].shape[0])

    def select(self, first: int, count: int) -> "Restart":
        """Members ``first .. first + count - 1``."""
        if first < 0 or count < 1 or first + count > self.members:
            raise ValueError(f"the restart holds {self.members} members; members "
                             f"{first}..{first + count - 1} were asked for")
        cut = slice(first, first + count)
        pick = (lambda d: None if d is None else {k: v[cut] for k, v in d.items()})
        target = None if self.mass_target is None else self.mass_target[cut]
        return Restart(pick(self.previous), pick(self.current), self.trunc, self.dt,
                       self.time_unit, target)


def packed_index(trunc: int):
    """(m, n) indices of the degrees l = m + n <= ``trunc`` in the
    (T+1, T+2) layout, in (m, n) order."""
    m, n = np.nonzero(np.arange(trunc + 1)[:, None] + np.arange(trunc + 2)[None, :] <= trunc)
    return m, n


def _pack(name, values, trunc):
    values = np.asarray(emulate.to_numpy(values), dtype=np.float64)
    if values.shape[-2:] != (trunc + 1, trunc + 2):
        raise ValueError(f"{name}: spectral arrays must end in ({trunc + 1}, {trunc + 2}) at "
                         f"T{trunc}, got shape {values.shape}")
    keep = np.zeros(values.shape[-2:], dtype=bool)
    m, n = packed_index(trunc)
    keep[m, n] = True
    if np.any(values[..., ~keep] != 0):
        raise ValueError(f"{name} has coefficients with l > T={trunc}; only a truncated state "
                         "can be saved")
    return values[..., m, n]


def _unpack(packed, trunc):
    m, n = packed_index(trunc)
    out = np.zeros(packed.shape[:-1] + (trunc + 1, trunc + 2))
    out[..., m, n] = packed
    return out


def save_restart(path, state, *, trunc: int, dt: float, levels: str = "both",
                 time_unit: float = 1.0, sigma=None, attrs: Optional[dict] = None,
                 mass_target=None, mkdir=False) -> Path:
    """Write ``state`` (a :class:`numprec.cases.speedy.SpeedyState`, members
    first) to the NetCDF restart file ``path``.

    Parameters
    ----------
    state : SpeedyState
        Both leapfrog levels (emulated arrays are saved as their float64 values).
    trunc : int
        The model's truncation.
    dt : float
        The model's time step in seconds (the spacing of the two levels).
    levels : {"both", "current"}
        Both levels (bit-exact continuation) or the current one (half the size).
    time_unit : float
        The model's time unit in seconds (``model.time_unit``; vorticity and
        divergence are stored as they are, per time unit, and converted on
        loading into a model with another unit).
    sigma : array, optional
        Full sigma levels, stored as the level coordinate.
    attrs : dict, optional
        More global attributes (e.g. how the state was made).
    mass_target : array_like, optional
        The mass fixer's target per member (``model.mass_fixer.excess``,
        ``<p_s>/p0 - 1``), stored in double so that a continued run with
        the fixer is bit-identical to the uninterrupted one.

    Returns
    -------
    pathlib.Path
    """
    if levels not in LEVELS:
        raise ValueError(f"levels must be one of {LEVELS}, got {levels!r}")
    if not dt > 0:
        raise ValueError(f"dt must be > 0 seconds, got {dt!r}")
    previous, current = state.pair()
    m, n = packed_index(trunc)
    coords = {"coefficient": ("coefficient", np.arange(m.size),
                              {"units": "1", "long_name": "index of (m, l) with l <= T"}),
              "m": ("coefficient", m, {"units": "1", "long_name": "zonal wavenumber"}),
              "l": ("coefficient", m + n, {"units": "1", "long_name": "total wavenumber"}),
              "part": ("part", np.array([0, 1]), {"units": "1",
                                                  "long_name": "0 real, 1 imaginary"})}
    nlev = np.asarray(emulate.to_numpy(current["vor"])).shape[-4]
    level_values = np.arange(nlev) if sigma is None else np.asarray(sigma, dtype=float)
    coords["sigma"] = ("sigma", level_values, {"units": "1",
                                                "long_name": "sigma at full levels"})
    data = {}
    pairs = [("", current)] + ([("_previous", previous)] if levels == "both" else [])
    for suffix, fields in pairs:
        for name in PROGNOSTIC:
            values = _pack(name, fields[name], trunc)
            dims = ("member", "sigma", "part", "coefficient") if name != "lnps" \
                else ("member", "part", "coefficient")
            if values.ndim != len(dims):
                raise ValueError(f"{name}: expected a member dimension first, got shape "
                                 f"{values.shape}")
            data[name + suffix] = (dims, values, {"units": UNITS[name],
                                                  "long_name": LONG_NAMES[name]})
    if mass_target is not None:
        members = np.asarray(emulate.to_numpy(current["lnps"])).shape[0]
        target = np.broadcast_to(np.asarray(mass_target, dtype=np.float64), (members,))
        if not np.all(np.isfinite(target)) or np.any(target <= -1.0):
            raise ValueError(f"mass_target must be finite values > -1 (<p_s>/p0 - 1) per "
                             f"member, got {mass_target!r}")
        data["mass_target"] = ("member", target.copy(), {
            "units": "1", "long_name": "mass fixer target: global mean of p_s / p0, minus 1"})
    ds = xr.Dataset(data, coords=coords)
    extra = {"case": "speedy", "kind": "numprec.speedy.restart", "truncation": int(trunc),
             "time_step_seconds": float(dt), "time_levels": levels,
             "time_unit_seconds": float(time_unit)}
    extra.update(attrs or {})
    return io.write_dataset(ds, path, title="numprec speedy restart", mkdir=mkdir,
                            extra_attrs=extra)


def resolve(start) -> Path:
    """The file of ``start``: a name in :data:`SHIPPED` or a path."""
    if isinstance(start, str) and start in SHIPPED:
        return SHIPPED[start]
    path = Path(start)
    if not path.is_file():
        raise ValueError(f"start must be one of {sorted(SHIPPED)} or an existing restart file, "
                         f"got {str(start)!r}")
    return path


def load_restart(start) -> Restart:
    """Read a restart file written by :func:`save_restart` (or a shipped
    state by name, see :data:`SHIPPED`)."""
    path = resolve(start)
    ds = io.open_dataset(path)
    if ds.attrs.get("kind") != "numprec.speedy.restart":
        raise ValueError(f"{str(path)!r} is not a numprec speedy restart file")
    trunc = int(ds.attrs["truncation"])
    current = {k: _unpack(ds[k].values, trunc) for k in PROGNOSTIC}
    previous = None
    if ds.attrs.get("time_levels") == "both":
        previous = {k: _unpack(ds[k + "_previous"].values, trunc) for k in PROGNOSTIC}
    target = ds["mass_target"].values.astype(np.float64) if "mass_target" in ds else None
    return Restart(previous, current, trunc, float(ds.attrs["time_step_seconds"]),
                   float(ds.attrs.get("time_unit_seconds", 1.0)), target)
