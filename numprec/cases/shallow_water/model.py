"""The shallow-water model: a dataclass of components, the call order in ``step``.

Nonlinear shallow-water flow over a ridge in a zonally periodic channel, the
model of Klöwer, Düben & Palmer (2020), "Number formats, error mitigation, and
scope for 16-bit arithmetics in weather and climate modeling analyzed with a
shallow water model", J. Adv. Model. Earth Syst. 12, e2020MS002246 (reference
implementation: ShallowWaters.jl). Written in plain numpy, so the same code
runs on float64 arrays and on numprec's emulated low-precision arrays.

Each component runs inside ``policy.component(<field name>)``
(:meth:`numprec.cases.base.Model.call`), so a :class:`numprec.emulate.Policy`
with ``components={"dynamics": "fp16", ...}`` computes that part in another
format with no code in the model.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np

from numprec.cases.base import Model
from numprec.emulate import to_numpy
from numprec.cases.shallow_water.dissipation import (BiharmonicViscosity, QuadraticDrag,
                                                     default_viscosity)
from numprec.cases.shallow_water.dynamics import ArakawaHsuDynamics
from numprec.cases.shallow_water.forcing import WindForcing
from numprec.cases.shallow_water.grid import ChannelGrid, default_time_step
from numprec.cases.shallow_water.params import ShallowWaterParams
from numprec.cases.shallow_water.time_stepping import DISSIPATION, RK4, SWState

__all__ = ["ShallowWaterModel", "build_model"]


@dataclasses.dataclass(frozen=True)
class ShallowWaterModel(Model):
    """The channel model: grid, dynamics, forcing, bottom drag, viscosity, time stepping.

    Every field is a component (:class:`numprec.cases.base.Model`); a policy
    may give any of them its own format, e.g. Klöwer et al.'s mixed
    precision ``Policy("fp32", components={c: "fp16" for c in
    ("dynamics", "forcing", "bottom_drag", "viscosity")})``. Build it with
    :func:`build_model` (or ``CASE.build(**params)``); swap a component with
    :func:`dataclasses.replace` or by keyword of :func:`build_model`.
    ``forcing``, ``bottom_drag`` and ``viscosity`` may be None (the term is absent).

    Attributes
    ----------
    grid : ChannelGrid
        C-grid geometry, topography, ghost rows, layer thickness.
    dynamics : ArakawaHsuDynamics
        Advection, Coriolis, pressure gradient, continuity (each RK4 stage).
    forcing : WindForcing or None
        Constant zonal wind forcing (added to the zonal tendency).
    bottom_drag : QuadraticDrag or None
        Bottom drag, once per step on the RK4 result.
    viscosity : BiharmonicViscosity or None
        Biharmonic viscosity, once per step on the RK4 result.
    time_stepping : RK4
        RK4 stages and sums, with optional Kahan compensation.
    """

    grid: ChannelGrid
    dynamics: ArakawaHsuDynamics
    forcing: Optional[WindForcing]
    bottom_drag: Optional[QuadraticDrag]
    viscosity: Optional[BiharmonicViscosity]
    time_stepping: RK4

    # ------------------------------------------------------------- stepping
    def step(self, state: SWState) -> SWState:
        """Advance the scaled state by one time step Δt (the call order)."""
        grid = self.grid
        run = self.time_stepping.start(state)
        stage = (state.u, state.v, state.eta)
        for k in range(4):
            forcing = self.call("forcing") if self.forcing is not None else None
            du, dv, deta = self.call("dynamics", *stage, grid=grid, extra_u=forcing)
            stage = self.call("time_stepping", run, k, du, dv, deta)
        u, v, eta = run.rk_result
        inc_u = inc_v = None
        if self.bottom_drag is not None:
            inc_u, inc_v = self.call("bottom_drag", u, v, eta, grid=grid)
        if self.viscosity is not None:
            inc_u, inc_v = self.call("viscosity", u, v, inc_u, inc_v, grid=grid)
        return self.call("time_stepping", run, DISSIPATION, inc_u, inc_v)

    def output(self, state: SWState) -> dict:
        """Physical float64 ``u``, ``v`` (interior v-points), ``eta``."""
        return dict(zip(("u", "v", "eta"), self.to_physical(state)))

    def tendencies(self, state: SWState):
        """Physical-time tendencies ``(du/dt, dv/dt, dη/dt)`` of the scaled state
        (advection, Coriolis, pressure gradient, forcing: the RK4 part); for
        diagnostics and tests."""
        forcing = None if self.forcing is None else self.forcing()
        du, dv, deta = self.dynamics(state.u, state.v, state.eta, grid=self.grid,
                                     extra_u=forcing)
        dx = self.grid.dx
        return du / dx, dv / dx, deta * (self.dynamics.continuity_factor / dx)

    # ------------------------------------------------------------ set-up
    @property
    def dt(self) -> float:
        """The time step [s], the time stepper's."""
        return self.time_stepping.dt

    def converted(self, fn) -> "ShallowWaterModel":
        """A copy whose constant arrays all went through the one ``fn`` (e.g.
        the root ``policy.constant``).  :meth:`prepare`, which the driver
        calls, converts each component's constants with its own component
        policy instead."""
        parts = {name: getattr(self, name).with_constants(fn)
                 for name in ("grid", "dynamics", "forcing")
                 if getattr(self, name) is not None}
        return dataclasses.replace(self, **parts)

    # --------------------------------------------------------- state I/O
    def initial_state(self, members: int = 1, seed=None, *, perturbation: float = 0.01):
        """The model state (scaled, float64) of ``members`` members at rest,
        each with a random η perturbation: :meth:`rest_state` then
        :meth:`to_internal`."""
        return self.to_internal(*self.rest_state(perturbation, seed, batch=(members,))[:3])

    def rest_state(self, perturbation: float = 0.0, seed=None, batch=()):
        """Fluid at rest, optionally with a random η perturbation (physical units).

        Parameters
        ----------
        perturbation : float
            Standard deviation [m] of independent normal η values per cell,
            made mean-free per member so the perturbation adds no mass.
        seed : int or None
            Seed of the perturbation (one generator for the whole batch).
        batch : tuple of int
            Leading (ensemble) dimensions of the state.

        Returns
        -------
        SWState
            Physical float64 ``u``, ``v``, ``eta``.
        """
        if not (np.isfinite(perturbation) and perturbation >= 0):
            raise ValueError(f"perturbation must be a finite number >= 0, got {perturbation!r}")
        g = self.grid
        batch = tuple(batch)
        u = np.zeros(batch + (g.ny, g.nx))
        v = np.zeros(batch + (g.ny - 1, g.nx))
        eta = np.zeros(batch + (g.ny, g.nx))
        if perturbation > 0:
            noise = np.random.default_rng(seed).standard_normal(eta.shape)
            noise -= noise.mean(axis=(-2, -1), keepdims=True)
            eta = perturbation * noise
        return SWState(u, v, eta)

    def to_internal(self, u, v, eta) -> SWState:
        """Scale physical u, v, η (any array type) into the model's state.

        Exact when ``scale`` and ``scale_eta`` are powers of two (barring
        overflow). Adds zero compensations when the time stepping is compensated.
        """
        g = self.grid
        g.check_shapes(u, v, eta)
        s, se = g.scale, g.scale_eta
        u = u * s if s != 1.0 else u
        v = v * s if s != 1.0 else v
        eta = eta * se if se != 1.0 else eta
        if self.time_stepping.compensated:
            return SWState(u, v, eta, u - u, v - v, eta - eta)
        return SWState(u, v, eta)

    def to_physical(self, state: SWState):
        """Unscaled float64 copies ``(u, v, eta)`` of a state."""
        s, se = self.grid.scale, self.grid.scale_eta
        u = np.array(to_numpy(state.u), dtype=np.float64) / s
        v = np.array(to_numpy(state.v), dtype=np.float64) / s
        eta = np.array(to_numpy(state.eta), dtype=np.float64) / se
        return u, v, eta


def build_model(params: ShallowWaterParams | None = None, **overrides) -> ShallowWaterModel:
    """The model of ``params`` (keyword arguments override its fields).

    Component keywords (``grid``, ``dynamics``, ``forcing``, ``bottom_drag``,
    ``viscosity``, ``time_stepping``) replace the component built from the
    parameters; ``forcing=None``, ``bottom_drag=None``, ``viscosity=None``
    leave that term out.

    Parameters
    ----------
    params : ShallowWaterParams, optional
        Default: ``ShallowWaterParams()``.
    **overrides
        Parameter fields or components, as above.

    Returns
    -------
    ShallowWaterModel
    """
    names = {f.name for f in dataclasses.fields(ShallowWaterModel)}
    parts = {k: overrides.pop(k) for k in list(overrides) if k in names}
    unknown = sorted(set(overrides) - {f.name for f in dataclasses.fields(ShallowWaterParams)})
    if unknown:
        raise ValueError(f"unknown shallow-water parameter(s) {unknown}; expected fields of "
                         f"ShallowWaterParams or components {sorted(names)}")
    if params is None:
        params = ShallowWaterParams(**overrides)
    elif overrides:
        params = dataclasses.replace(params, **overrides)
    grid = parts.get("grid") or ChannelGrid(params)
    dt = default_time_step(params, grid.dx)
    nu = default_viscosity(grid.dx) if params.nu is None else float(params.nu)
    dynamics = parts.get("dynamics") or ArakawaHsuDynamics(grid, params)
    built = {
        "grid": grid,
        "dynamics": dynamics,
        "forcing": WindForcing(grid, params),
        "bottom_drag": QuadraticDrag(grid, params.drag, dt),
        "viscosity": BiharmonicViscosity(grid, nu, dt),
        "time_stepping": RK4(dt, grid.dx, dynamics.continuity_factor, params.compensation),
    }
    built.update(parts)
    return ShallowWaterModel(**built)
