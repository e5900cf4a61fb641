"""The Lorenz case: is the attractor in low precision the attractor in double?

Lorenz 63 and Lorenz 96 (one- and two-scale) ensembles integrated with RK4,
in double and under precision policies (Paxton et al. 2022, J. Climate 35,
§3).  Layout:

- :mod:`~numprec.cases.lorenz.parameters` — :class:`LorenzParameters`;
- :mod:`~numprec.cases.lorenz.tendencies` — the right-hand sides
  (component ``tendencies``);
- :mod:`~numprec.cases.lorenz.time_stepping` — RK4, optionally Kahan
  compensated (component ``time_stepping``);
- :mod:`~numprec.cases.lorenz.model` — :class:`LorenzModel`, the dataclass
  of both;
- :mod:`~numprec.cases.lorenz.diagnostics` — output datasets, statistics;
- :mod:`~numprec.cases.lorenz.study` — the double/baseline/low-precision
  study of ``python -m numprec.cases.lorenz``.

``CASE`` is the case object of the registry (``numprec.get_case("lorenz")``)::

    from numprec.cases.lorenz import CASE
    ds = CASE.run({"system": "l63", "time": 20.0}, policy, members=100, ic_seed=0)
"""
from __future__ import annotations

import numpy as np

from numprec.cases.base import Case, check_parameters
from numprec.cases.driver import integrate
from numprec.cases.lorenz.diagnostics import to_dataset
from numprec.cases.lorenz.model import LorenzModel, LorenzState, build
from numprec.cases.lorenz.parameters import LorenzParameters
from numprec.cases.lorenz.tendencies import Lorenz63, Lorenz96
from numprec.cases.lorenz.time_stepping import RK4

__all__ = ["CASE", "LorenzParameters", "LorenzModel", "LorenzState", "Lorenz63", "Lorenz96",
           "RK4", "build", "simulate"]


def simulate(params=None, policy=None, *, members: int = 100, ic_seed=0, progress=False,
             label=None):
    """Integrate ``members`` trajectories and return their samples.

    The initial points (``numpy.random.default_rng(ic_seed)``) are spun up
    in double for ``ic_spinup``, stored under ``policy``, integrated for
    ``spinup`` in its precision and then sampled every ``sample_every`` for
    ``time`` (all in :class:`LorenzParameters`).

    Parameters
    ----------
    params : dict or LorenzParameters, optional
    policy : numprec.emulate.Policy, optional
        None: double precision.
    members : int
    ic_seed : int or sequence of int
    progress : bool or tqdm-like
    label : str, optional
        The ``experiment`` attribute (default: the policy's name, "double").

    Returns
    -------
    xarray.Dataset
        Variables ``x, y, z`` (member, time) or ``X`` (member, time, k) and
        ``Y`` (member, time, i); attributes ``experiment``, ``unstable``
        (1 if the run stopped at NaN/inf; later samples are NaN).
    """
    p = check_parameters(LorenzParameters, params, case="lorenz")
    model = build(p)
    state0 = model.initial_state(members, ic_seed, spinup_steps=p.ic_spinup_steps)
    run = integrate(model, state0, policy, steps=p.steps, sample_every=p.every,
                    spinup=p.spinup_steps, check_every=1000, progress=progress)
    times = p.dt * p.every * np.arange(1, len(run.steps) + 1)
    if label is None:
        label = "double" if policy is None else policy.name
    attrs = {"case": "lorenz", "system": p.system, "experiment": label,
             "unstable": int(run.unstable)}
    return to_dataset(run.samples, times, attrs=attrs)


def _run(p, policy, *, members, ic_seed, **options):
    return simulate(p, policy, members=members, ic_seed=ic_seed, **options)


CASE = Case("lorenz", "Lorenz 63 / Lorenz 96 ensembles with RK4 (Paxton et al. 2022 §3)",
            LorenzParameters, LorenzModel, build, _run, ("x", "y", "z", "X", "Y"),
            cli="numprec.cases.lorenz")
