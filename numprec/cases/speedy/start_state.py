"""The shipped spun-up start state of the SPEEDY-style core, and how it is made.

Kept apart from :mod:`numprec.cases.speedy.restart` (which the case imports to
read restart files) because making a state runs the model.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from numprec.cases.speedy.case import SpeedyParameters, build
from numprec.cases.speedy.primitive import SpeedyState
from numprec.cases.speedy.restart import PROGNOSTIC, save_restart

__all__ = ["make_held_suarez_start"]


def make_held_suarez_start(path, *, trunc: int = 21, spinup_days: float = 200.0,
                           members: int = 6, every_days: float = 10.0, seed: int = 0,
                           levels: str = "current") -> Path:
    """Make a spun-up start state like the shipped one and save it.

    One member is run in double from rest (T_ref plus 0.1 K noise drawn with
    ``seed``) for ``spinup_days`` under Held-Suarez forcing, then a member is
    saved every ``every_days`` days, ``members`` in all: samples of the
    model's attractor, as Paxton et al. (2022) started from 10-year restarts.
    The shipped file is ``make_held_suarez_start(SHIPPED["held_suarez_T21"])``
    (about 70 s on one core).
    """
    p = SpeedyParameters(trunc=trunc)
    model = build(p)
    state = model.initial_state(1, seed, noise=p.noise, spinup_steps=p.steps(spinup_days))
    previous, current = state.pair()
    snaps = []
    for _ in range(members):
        for _ in range(p.steps(every_days)):
            previous, current = model.leapfrog(previous, current)
        snaps.append((previous, current))
    stacked = [{k: np.concatenate([s[i][k] for s in snaps]) for k in PROGNOSTIC}
               for i in (0, 1)]
    attrs = {"made_by": "numprec.cases.speedy.start_state.make_held_suarez_start",
             "spinup_days": float(spinup_days), "member_spacing_days": float(every_days),
             "seed": int(seed), "forcing": "Held-Suarez 1994",
             "days_of_members": " ".join(f"{spinup_days + every_days * (k + 1):g}"
                                         for k in range(members))}
    return save_restart(path, SpeedyState.from_pair(*stacked), trunc=trunc,
                        dt=model.timestepping.dt, levels=levels, sigma=model.levels.full,
                        attrs=attrs, mkdir=True)
