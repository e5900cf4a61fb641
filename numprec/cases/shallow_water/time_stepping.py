"""RK4 time stepping of the shallow-water channel, optionally Kahan-compensated.

As in Klöwer et al. (2020) and ShallowWaters.jl: classical RK4 for advection,
Coriolis, pressure gradient and forcing, its four increments ``a_k Δt k_k``
added to the state as they are computed; then the dissipation increment
(evaluated on the RK4 result) is added once.

Compensation (Kahan 1965, "Further remarks on reducing truncation errors",
Comm. ACM 8, 40): ``y = incr - c; t = x + y; c = (t - x) - y``, with one
compensation array per prognostic variable carried in the state.

* ``"per_step"`` (Klöwer et al. 2022, JAMES 14, e2021MS002684; ShallowWaters.jl
  v0.5): the four RK4 increments are first summed in the working precision,
  that sum is added compensated, then the dissipation increment with the same
  compensation array.
* ``"per_stage"``: each of the four RK4 increments and the dissipation
  increment is added compensated.
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["SWState", "RK4", "RK4Step", "DISSIPATION", "kahan_add"]

#: RK4 weights of the four increments and the stage offsets (classical RK4).
RK_WEIGHTS = (1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0)
RK_OFFSETS = (0.5, 0.5, 1.0)
#: The stage number of the once-per-step dissipation increment.
DISSIPATION = 4


class SWState(NamedTuple):
    """Prognostic state (held scaled: ``scale * u``, ``scale * v``, ``scale_eta * η``).

    ``cu``, ``cv``, ``ceta`` are the Kahan compensations (None without
    compensation).
    """

    u: object
    v: object
    eta: object
    cu: object = None
    cv: object = None
    ceta: object = None


def kahan_add(x, incr, comp):
    """``x + incr``, Kahan-compensated when ``comp`` is not None; returns
    ``(sum, new compensation)``."""
    if comp is None:
        return x + incr, None
    y = incr - comp
    t = x + y
    return t, (t - x) - y


class RK4:
    """Classical RK4 with the dissipation added once per step.

    Parameters
    ----------
    dt : float
        Time step [s].
    dx : float
        Grid spacing [m]: tendencies come multiplied by Δ, so the RK4 step is Δt/Δ.
    continuity_factor : float
        Factor of the η tendency (see :class:`ArakawaHsuDynamics`).
    compensation : {"none", "per_step", "per_stage"}
    """

    def __init__(self, dt: float, dx: float, continuity_factor: float,
                 compensation: str = "none"):
        self.dt = float(dt)
        self.compensation = compensation
        self.dtp = self.dt / dx
        self.dte = self.dtp * continuity_factor

    @property
    def compensated(self) -> bool:
        return self.compensation != "none"

    def __call__(self, run: "RK4Step", stage: int, du=None, dv=None, deta=None):
        """Stage ``stage`` of the step ``run``.

        ``stage`` 0..3: take the RK4 tendencies ``(du, dv, deta)`` and return
        the next stage's state (None after the last); ``stage`` 4
        (:data:`DISSIPATION`): add the dissipation increments ``(du, dv)``
        (None: none) and return the new :class:`SWState`.
        """
        if stage == DISSIPATION:
            return run.finish(du, dv)
        return run.stage(stage, du, dv, deta)

    def start(self, state: SWState) -> "RK4Step":
        """Begin a step from ``state`` (no arithmetic)."""
        if self.compensated and state.cu is None:
            raise ValueError("state has no Kahan compensation terms; build it with "
                             "the model's to_internal()")
        return RK4Step(self, state)


class RK4Step:
    """One RK4 step in progress: stage states, the running sums, compensations."""

    def __init__(self, scheme: RK4, state: SWState):
        self.scheme = scheme
        self.x0 = (state.u, state.v, state.eta)
        self.comp = [state.cu, state.cv, state.ceta]
        self.total = list(self.x0)
        self.sums = [None, None, None]   # per_step: the summed RK4 increments

    def stage(self, k: int, du, dv, deta):
        """Take the ``k``-th tendencies (k = 0..3); returns the next stage's state
        (None after the last)."""
        sch = self.scheme
        u0, v0, e0 = self.x0
        nxt = None
        if k < 3:
            b = RK_OFFSETS[k]
            nxt = (u0 + du * (b * sch.dtp), v0 + dv * (b * sch.dtp), e0 + deta * (b * sch.dte))
        a = RK_WEIGHTS[k]
        for i, (d, f) in enumerate(((du, sch.dtp), (dv, sch.dtp), (deta, sch.dte))):
            incr = d * (a * f)
            if sch.compensation == "per_step":
                self.sums[i] = incr if self.sums[i] is None else self.sums[i] + incr
            else:
                comp = self.comp[i] if sch.compensation == "per_stage" else None
                self.total[i], new = kahan_add(self.total[i], incr, comp)
                if comp is not None:
                    self.comp[i] = new
        if k == 3 and sch.compensation == "per_step":
            for i in range(3):
                self.total[i], self.comp[i] = kahan_add(self.total[i], self.sums[i],
                                                        self.comp[i])
        return nxt

    @property
    def rk_result(self):
        """The state after the four RK4 stages (before dissipation)."""
        return tuple(self.total)

    def finish(self, diss_u=None, diss_v=None) -> SWState:
        """Add the dissipation increments (None: none) and return the new state."""
        u, v, e = self.total
        cu, cv, ce = self.comp
        if diss_u is not None:
            if self.scheme.compensated:
                u, cu = kahan_add(u, diss_u, cu)
                v, cv = kahan_add(v, diss_v, cv)
            else:
                u, v = u + diss_u, v + diss_v
        return SWState(u, v, e, cu, cv, ce)
