"""Leapfrog time stepping with the Robert-Asselin-Williams filter.

SPEEDY's scheme (Molteni 2003; speedy.f90 ``timint``): the state is a pair of
time levels (previous, current), each a dict of spectral arrays.  A step of
length 2 dt forms the unfiltered new level w = u + 2 dt F(v) (the model's
``advance``, which evaluates damping and forcing at the previous level u),
then the RAW filter (Williams 2009, MWR 137, 2538, eqs. 8-9; Amezcua, Kalnay &
Williams 2011, MWR 139, 608, who tested alpha = 0.53 in SPEEDY) computes the
displacement d = eps (w - 2 v + u) once and moves both levels:

    previous <- v + alpha d,        current <- w - (1 - alpha) d

with eps = 0.05 (SPEEDY's ``rob``; SpeedyWeather's nu = 0.1 with a 1/2 inside)
and alpha = 0.53 (``wil``).  Start-up as SPEEDY: a forward step of dt/2, then
a centred step of dt from the initial state over the half-step state, which
gives the pair (x0, x1) one dt apart; leapfrog steps of 2 dt follow.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Leapfrog:
    """Leapfrog with the RAW filter.

    Parameters
    ----------
    dt : float
        Time step in seconds (the spacing of the two levels).
    robert : float
        Filter strength eps (0.05).
    williams : float
        Williams' alpha (0.53; 1 is the plain Robert-Asselin filter).
    """

    dt: float
    robert: float = 0.05
    williams: float = 0.53

    def __post_init__(self):
        if not self.dt > 0:
            raise ValueError(f"dt must be > 0 seconds, got {self.dt!r}")
        if not 0 <= self.robert < 0.5:
            raise ValueError(f"robert must be in [0, 0.5), got {self.robert!r}")
        if not 0.5 <= self.williams <= 1:
            raise ValueError(f"williams must be in [0.5, 1], got {self.williams!r}")

    @property
    def step_lengths(self) -> tuple:
        """The step lengths the model must support: dt/2, dt, 2 dt."""
        return (0.5 * self.dt, self.dt, 2.0 * self.dt)

    def start(self, advance, state):
        """(x0, x1) from the initial state: forward dt/2, then centred dt.

        ``advance(previous, current, step)`` returns previous + step *
        tendency(current) (damping at ``previous``)."""
        half = advance(state, state, 0.5 * self.dt)
        return state, advance(state, half, self.dt)

    def step(self, advance, previous, current):
        """One leapfrog step of 2 dt and the RAW filter: the new pair."""
        new = advance(previous, current, 2.0 * self.dt)
        eps, alpha = self.robert, self.williams
        filtered, nxt = {}, {}
        for name, w in new.items():
            v, u = current[name], previous[name]
            d = (w - v * 2.0 + u) * eps
            filtered[name] = v + d * alpha
            nxt[name] = w - d * (1.0 - alpha)
        return filtered, nxt
