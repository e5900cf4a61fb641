"""The soil-column heat case: round-to-nearest stagnation against stochastic rounding.

The 60 m column of Dawson et al. (2018, Clim. Dyn. 51) as in Paxton et al.
(2022, J. Climate 35, §4).  Layout:

- :mod:`~numprec.cases.heat.parameters` — :class:`HeatParameters`;
- :mod:`~numprec.cases.heat.boundaries`, :mod:`~numprec.cases.heat.diffusion`,
  :mod:`~numprec.cases.heat.time_stepping` — the components;
- :mod:`~numprec.cases.heat.model` — :class:`HeatModel`;
- :mod:`~numprec.cases.heat.diagnostics` — errors, table, plot, exact solutions;
- :mod:`~numprec.cases.heat.cli` — ``python -m numprec.cases.heat``.

``CASE`` is the registry's case object (``numprec.get_case("heat")``).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import xarray as xr

from numprec import io
from numprec.cases.base import Case, check_parameters
from numprec.cases.driver import integrate, sample_steps
from numprec.cases.heat.model import HeatModel, HeatState, build
from numprec.cases.heat.parameters import SECONDS_PER_YEAR, HeatParameters

__all__ = ["CASE", "HeatParameters", "HeatModel", "HeatState", "build", "simulate",
           "SECONDS_PER_YEAR", "TIME_UNITS", "TIME_CALENDAR"]

#: CF time units of the output: days in a 365-day calendar (the model's year),
#: so that xarray and CF tools decode it (0001-01-01 is when the surface warmed).
TIME_UNITS = "days since 0001-01-01 00:00:00"
TIME_CALENDAR = "365_day"


def simulate(params=None, policy=None, *, members: int = 1, ic_seed=0, progress=False):
    """Integrate ``members`` columns under ``policy`` (None: double precision).

    Every arithmetic operation is rounded by the policy; the surface value is
    converted once at set-up.  Members start equal (the column has no random
    initial conditions); under stochastic rounding each gets its own random
    numbers.

    Parameters
    ----------
    params : dict or HeatParameters, optional
        Parameters (defaults for those not given).
    policy : numprec.emulate.Policy, optional
        None: double precision.
    members : int
        Number of columns, batched in one array dimension.
    ic_seed : int
        Passed to the model's ``initial_state`` (which draws nothing: the
        column starts uniform) and recorded in the provenance.
    progress : bool or tqdm-like
        Show a progress bar.

    Returns
    -------
    xarray.Dataset
        ``T`` (member, time, depth) in K, at t = 0, every ``output_every``
        and at the end; ``time`` in days since the surface warmed, as CF
        time (:data:`TIME_UNITS`, 365-day calendar); depth in m (positive
        down).  Attributes: ``unstable``, ``compensated``, the policy.
    """
    p = check_parameters(HeatParameters, params, case="heat")
    model = build(p)
    at = sample_steps(p.steps, p.output_steps, include_initial=True, include_last=True)
    run = integrate(model, model.initial_state(members, ic_seed), policy, steps=p.steps,
                    sample_at=at, check_every=1000, progress=progress)
    attrs = io.Provenance(case="heat", params=dataclasses.asdict(p), members=members,
                          ic_seed=None if not isinstance(ic_seed, int) else ic_seed,
                          format=None if policy is None else policy.compute,
                          rounding=None if policy is None else policy.rounding.name,
                          seed=None if policy is None else policy.seed,
                          random_bits=None if policy is None else policy.random_bits,
                          policy=policy).to_attrs()
    attrs.update(case="heat", unstable=int(run.unstable), compensated=int(p.compensated))
    z = p.dz * np.arange(1, p.nz + 1)
    return xr.Dataset(
        {"T": (("member", "time", "depth"), run.samples["T"].transpose(1, 0, 2),
               {"units": "K", "long_name": "soil temperature",
                "standard_name": "soil_temperature"})},
        coords={"member": ("member", np.arange(members), {"units": "1",
                                                           "long_name": "ensemble member"}),
                "time": ("time", at * p.dt / 86400.0,
                         {"units": TIME_UNITS, "calendar": TIME_CALENDAR,
                          "standard_name": "time",
                          "long_name": "time since the surface warmed (365-day years)"}),
                "depth": ("depth", z, {"units": "m", "positive": "down",
                                       "long_name": "depth below the surface"})},
        attrs=attrs)


def _run(p, policy, *, members, ic_seed, **options):
    return simulate(p, policy, members=members, ic_seed=ic_seed, **options)


CASE = Case("heat", "soil-column heat diffusion, forward Euler (Paxton et al. 2022 §4)",
            HeatParameters, HeatModel, build, _run, ("T",), cli="numprec.cases.heat")
