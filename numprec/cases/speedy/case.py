"""The SPEEDY-style Held-Suarez case on the case contract: parameters,
build and run (members batched, 6-hourly output as an xarray Dataset)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

import numpy as np
import xarray as xr

from numprec.cases.base import Case
from numprec.cases.driver import integrate
from numprec.cases.speedy.heldsuarez import HeldSuarez
from numprec.cases.speedy.pressure_levels import check_pressure_levels, to_pressure_levels
from numprec.cases.speedy.primitive import RADIUS, PrimitiveEquationModel, default_steps_per_day
from numprec.cases.speedy.restart import load_restart

VARIABLES = ("u", "v", "T", "geopotential", "ps")
UNITS = {"u": "m s-1", "v": "m s-1", "T": "K", "geopotential": "m2 s-2", "ps": "Pa"}
LONG_NAMES = {"u": "eastward_wind", "v": "northward_wind", "T": "air_temperature",
              "geopotential": "geopotential", "ps": "surface_air_pressure"}


@dataclass(frozen=True)
class SpeedyParameters:
    """Documented parameters of the dry SPEEDY-style core.

    Attributes
    ----------
    trunc : int
        Triangular truncation (21: 64 x 32 grid; 30: 96 x 48).
    days : float
        Length of the sampled run, days.
    spinup_days : float
        Days integrated under the policy before sampling.
    ic_spinup_days : float
        Days integrated in double from rest before the policy takes over.
    output_hours : float
        Sampling interval (6 h as Paxton et al. 2022).
    steps_per_day : int, optional
        Time steps per day (default 36 at T30, 26 at T21).
    diffusion_hours : float
        del^8 e-folding time at the truncation (2.4 h).
    held_suarez : bool
        Held-Suarez (1994) forcing on (off: the unforced core).
    noise : float
        K of grid-point noise in the initial temperature (breaks symmetry;
        members differ by the seed).
    fourier : {"fft", "dft"}
        Fourier step on emulated arrays (see SpectralTransform).
    start : str, optional
        Start from a restart file (:mod:`numprec.cases.speedy.restart`): a
        path, or the name of a shipped state (``"held_suarez_T21"``: six
        members of a spun-up T21 Held-Suarez climate).  Member ``i`` of the
        run is member ``start_member + i`` of the file; ``noise`` and the
        run's ``ic_seed`` are then not used (an ``ic_seed`` other than 0 is
        refused), ``ic_spinup_days`` still runs
        in double after the restart.  None: start from rest.
    start_member : int
        First member of the restart file used.
    time_unit : float or "radius"
        The model's unit of time in seconds; vorticity and divergence are
        held per time unit, i.e. scaled by it (see ``PrimitiveEquationModel``).
        1: SI units; 3600: Saffin's "per hour" (Paxton et al. 2022's
        low-precision SPEEDY); ``"radius"`` (6.371e6 s): SpeedyWeather's
        radius scaling, zeta a and D a.  In double only round-off changes.
        For e5m10 (Float16 range) use 3600-36000 (see docs/speedy.md).
    analysis_scale : float
        A power of two multiplying the grid tendencies before their analysis
        (the result is divided by it; exact).  With ``time_unit="radius"``,
        2^-10 keeps the analysis inside Float16's range.
    pressure_levels : None, "speedy" or tuple of float
        Also output u, v, T and the geopotential on these pressure levels
        (hPa; ``"speedy"``: SPEEDY's 30, 100, 200, 300, 500, 700, 850 and
        925 hPa), as ``u_plev``, ``v_plev``, ``T_plev`` and
        ``geopotential_plev`` on a ``plev`` coordinate (Pa), interpolated in
        double after the run (:mod:`numprec.cases.speedy.pressure_levels`).
        None: sigma levels only.
    rescale_transforms : float, optional
        Paxton et al. (2022)'s transform-input rescaling: every spectral
        transform input (synthesis and analysis) is scaled so that its largest
        magnitude is this value (Paxton: 100), the factor computed in double
        from the plain values per transform call, outside the emulation; one
        rounded multiply in, one rounded divide out
        (:class:`~numprec.cases.speedy.transform.SpectralTransform`).  None
        (default): off (the shipped state and the validation runs are made
        without it; in double it changes only round-off).
    mass_fixer : bool
        Hold each member's global-mean surface pressure at its value when the
        run starts (after ``ic_spinup_days``, which run without the fixer; a
        restart file's stored target when it has one):
        :class:`~numprec.cases.speedy.mass.MassFixer` after every step.
        False (default): no fixer, as SPEEDY; the ln p_s form then loses
        about 0.4 Pa of mean p_s per day in the Held-Suarez run.
    """

    trunc: int = 21
    days: float = 10.0
    spinup_days: float = 0.0
    ic_spinup_days: float = 0.0
    output_hours: float = 6.0
    steps_per_day: Optional[int] = None
    diffusion_hours: float = 2.4
    held_suarez: bool = True
    noise: float = 0.1
    fourier: str = "fft"
    start: Optional[str] = None
    start_member: int = 0
    time_unit: object = 1.0
    analysis_scale: float = 1.0
    pressure_levels: object = None
    rescale_transforms: Optional[float] = None
    mass_fixer: bool = False

    def __post_init__(self):
        r = self.rescale_transforms
        if not isinstance(self.mass_fixer, bool):
            raise ValueError(f"mass_fixer must be True or False, got {self.mass_fixer!r}")
        if r is not None and (isinstance(r, bool) or not isinstance(r, (int, float))
                              or not np.isfinite(r) or r <= 0):
            raise ValueError(f"rescale_transforms must be None or a finite number > 0 (the "
                             f"largest magnitude of a transform input, e.g. 100), got {r!r}")
        levels = check_pressure_levels(self.pressure_levels)
        if levels is not None and self.pressure_levels != "speedy":
            object.__setattr__(self, "pressure_levels", levels)
        T = self.trunc
        if isinstance(T, bool) or not isinstance(T, int) or T < 1:
            raise ValueError(f"trunc must be an int >= 1, got {T!r}")
        s = self.steps_per_day
        if s is not None and (isinstance(s, bool) or not isinstance(s, int) or s < 1):
            raise ValueError(f"steps_per_day must be None or an int >= 1, got {s!r}")
        for name in ("days", "output_hours", "diffusion_hours"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (
                    0 < v < float("inf")):
                raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
        for name in ("spinup_days", "ic_spinup_days", "noise"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (
                    0 <= v < float("inf")):
                raise ValueError(f"{name} must be a finite number >= 0, got {v!r}")
        if self.steps(self.days) < self.every:
            raise ValueError(f"days={self.days!r} is shorter than one output interval "
                             f"(output_hours={self.output_hours!r}): the run would have no "
                             "sample")
        if self.start is not None and not isinstance(self.start, str):
            raise ValueError(f"start must be a restart file name or path (str), got "
                             f"{self.start!r}")
        if not (self.time_unit == "radius" or (isinstance(self.time_unit, (int, float))
                                               and not isinstance(self.time_unit, bool)
                                               and self.time_unit > 0)):
            raise ValueError(f"time_unit must be a number of seconds > 0 or 'radius', got "
                             f"{self.time_unit!r}")
        if isinstance(self.start_member, bool) or not isinstance(self.start_member, int) \
                or self.start_member < 0:
            raise ValueError(f"start_member must be an int >= 0, got {self.start_member!r}")

    @property
    def seconds_per_time_unit(self) -> float:
        """Seconds per model time unit: the Earth's radius (in m, as seconds
        of a unit speed) for ``time_unit="radius"``, else ``time_unit``."""
        return RADIUS if self.time_unit == "radius" else float(self.time_unit)

    @property
    def spd(self) -> int:
        """Time steps per day: ``steps_per_day``, or the truncation's default."""
        return self.steps_per_day or default_steps_per_day(self.trunc)

    def steps(self, days) -> int:
        """``days`` as a whole number of time steps.

        Parameters
        ----------
        days : float

        Returns
        -------
        int
        """
        return int(round(days * self.spd))

    @property
    def every(self) -> int:
        """The sampling interval ``output_hours`` in time steps (it must be a
        whole number of them)."""
        every = self.output_hours * self.spd / 24.0
        if abs(every - round(every)) > 1e-9 or round(every) < 1:
            raise ValueError(f"output_hours={self.output_hours} is not a whole number of the "
                             f"{self.spd} steps per day")
        return int(round(every))


def build(p: SpeedyParameters) -> PrimitiveEquationModel:
    """The model of a :class:`SpeedyParameters`."""
    return PrimitiveEquationModel.build(p.trunc, dt=86400.0 / p.spd,
                                        diffusion_tau=p.diffusion_hours * 3600.0,
                                        forcing=HeldSuarez() if p.held_suarez else None,
                                        fourier=p.fourier,
                                        time_unit=p.seconds_per_time_unit,
                                        analysis_scale=p.analysis_scale,
                                        rescale_transforms=p.rescale_transforms,
                                        mass_fixer=p.mass_fixer)


def start_state(model, p: SpeedyParameters, members: int, ic_seed=0, restart=None):
    """The double-precision start state of a run: from rest (``noise``,
    ``ic_seed``) or from the restart ``p.start`` (``restart``: its members
    already loaded and selected, else read here), then ``ic_spinup_days`` in
    double (without a mass fixer: its target is the mass of the state
    returned, see :func:`simulate`)."""
    spinup = p.steps(p.ic_spinup_days)
    if model.mass_fixer is not None:
        model = replace(model, mass_fixer=None)
    if p.start is None:
        return model.initial_state(members, ic_seed, noise=p.noise, spinup_steps=spinup)
    if ic_seed not in (0, None):
        # the members come from the file: another ic_seed would silently give the
        # same members (e.g. a study's baseline identical to its reference)
        raise ValueError(f"start={p.start!r}: a run from a restart takes its members from the "
                         f"file (start_member), so ic_seed={ic_seed!r} cannot draw other ones; "
                         "choose members with start_member, or start from rest (start=None, "
                         "ic_spinup_days) for ensembles drawn by ic_seed such as study files")
    if restart is None:
        restart = load_restart(p.start).select(p.start_member, members)
    if restart.trunc != p.trunc:
        raise ValueError(f"start {p.start!r} is a T{restart.trunc} state, the run is T{p.trunc}")
    return model.restart_state(restart, spinup_steps=spinup)


def to_dataset(model, samples, times, attrs, pressure_levels=None) -> xr.Dataset:
    """CF-style dataset of the driver's samples (member, time, level, lat, lon).

    ``pressure_levels`` (hPa, see :class:`SpeedyParameters`) adds ``u_plev``,
    ``v_plev``, ``T_plev`` and ``geopotential_plev`` on a ``plev``
    coordinate (Pa), interpolated from the sigma levels in double."""
    st = model.spectral_transform
    coords = {"time": ("time", times, {"units": "days", "long_name": "time"}),
              "sigma": ("sigma", model.levels.full, {"long_name": "sigma at full levels",
                                                     "units": "1"}),
              "lat": ("lat", st.latitudes, {"units": "degrees_north"}),
              "lon": ("lon", st.longitudes, {"units": "degrees_east"})}
    data = {}
    for name in VARIABLES:
        values = np.moveaxis(samples[name], 0, 1)                  # (member, time, ...)
        dims = ("member", "time", "sigma", "lat", "lon") if values.ndim == 5 \
            else ("member", "time", "lat", "lon")
        data[name] = (dims, values, {"units": UNITS[name], "standard_name": LONG_NAMES[name]})
    levels = check_pressure_levels(pressure_levels)
    if levels is not None:
        plev = 100.0 * np.asarray(levels)
        coords["plev"] = ("plev", plev, {"units": "Pa", "standard_name": "air_pressure",
                                         "long_name": "pressure", "positive": "down",
                                         "axis": "Z"})
        interp = to_pressure_levels({k: samples[k] for k in ("u", "v", "T", "geopotential")},
                                    samples["ps"], model.levels.full, plev,
                                    gas_constant=model.levels.gas_constant,
                                    gravity=model.levels.gravity)
        for name, values in interp.items():
            data[name + "_plev"] = (("member", "time", "plev", "lat", "lon"),
                                    np.moveaxis(values, 0, 1),
                                    {"units": UNITS[name], "standard_name": LONG_NAMES[name],
                                     "comment": "interpolated from the sigma levels, linear in "
                                                "ln p; below the lowest level u, v held, T at "
                                                "6.5 K/km, geopotential hydrostatic; above the "
                                                "top isothermal"})
    return xr.Dataset(data, coords=coords, attrs=attrs)


def simulate(params=None, policy=None, *, members=1, ic_seed=0, progress=False, label=None):
    """Integrate a batch of members and return 6-hourly output."""
    from numprec.cases.base import check_parameters
    p = check_parameters(SpeedyParameters, params, case="speedy")
    model = build(p)
    restart = None if p.start is None else load_restart(p.start).select(p.start_member, members)
    state0 = start_state(model, p, members, ic_seed, restart=restart)
    if p.mass_fixer:
        # the file's stored target, unless the double spin-up moved the state on
        stored = restart.mass_target if restart is not None and p.ic_spinup_days == 0 else None
        model = model.with_mass_target(state0, stored)
    run = integrate(model, state0, policy, steps=p.steps(p.days), sample_every=p.every,
                    spinup=p.steps(p.spinup_days), check_every=p.spd, progress=progress)
    times = run.steps / p.spd
    label = label or ("double" if policy is None else policy.name)
    attrs = {"case": "speedy", "experiment": label, "unstable": int(run.unstable),
             "truncation": f"T{p.trunc}", "forcing": "Held-Suarez 1994" if p.held_suarez
             else "none"}
    return to_dataset(model, run.samples, times, attrs, pressure_levels=p.pressure_levels)


def _run(p, policy, *, members, ic_seed, **options):
    return simulate(p, policy, members=members, ic_seed=ic_seed, **options)


CASE = Case("speedy", "SPEEDY-style dry spectral core on 8 sigma levels with Held-Suarez "
            "forcing (Molteni 2003; Held & Suarez 1994)",
            SpeedyParameters, PrimitiveEquationModel, build, _run, VARIABLES)
