"""The Lorenz 63 and Lorenz 96 systems, vectorised over an ensemble.

Written in plain numpy (ufuncs, basic slicing, ``np.roll``,
``np.concatenate``, ``np.stack`` and, for the two-scale system, a ``sum``),
so the same code runs on float64 arrays and on numprec's emulated
low-precision arrays.  The state of ``M`` trajectories is one array of
shape ``(nvar, M)``: one row per model variable, the ensemble along the
last axis, so every operation works on all members at once.

Lorenz (1963), "Deterministic nonperiodic flow", J. Atmos. Sci. 20, 130-141::

    dx/dt = σ (y - x),   dy/dt = x (ρ - z) - y,   dz/dt = x y - β z,
    σ = 10, ρ = 28, β = 8/3.

Lorenz (1996), "Predictability: a problem partly solved", ECMWF Seminar on
Predictability, with K slow variables X_k (cyclic)::

    dX_k/dt = (X_{k+1} - X_{k-2}) X_{k-1} - X_k + F - (h c / b) Σ_j Y_{j,k}

and, in the two-scale version, J fast variables per slow one, one cyclic
ring Y_1 .. Y_{JK} with Y_{j,k} = Y_{j + J(k-1)}::

    dY_i/dt = -c b Y_{i+1} (Y_{i+2} - Y_{i-1}) - c Y_i + (h c / b) X_{k(i)}.

Time stepping: the classical fourth-order Runge-Kutta method,
``x + dt/6 (k1 + 2 k2 + 2 k3 + k4)``, evaluated in exactly the order written
in :meth:`LorenzSystem.step`.  The right-hand side is the model component
``"tendencies"``: under a :class:`numprec.emulate.Policy` with that
component configured it runs in the component's precision (e.g. Float16
tendencies with a Float32 state, Klöwer et al. 2020), the Runge-Kutta
update in the policy's own compute format.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from numprec.emulate import component as _component

#: Names of the model components a policy may configure.
COMPONENTS = ("tendencies",)


@dataclasses.dataclass(frozen=True)
class LorenzSystem:
    """Common interface: ``nvar``, ``names``, ``tendency(state)``, ``step``."""

    def step(self, state, dt):
        """One classical RK4 step of size ``dt`` (a Python float).

        The constants ``dt/2``, ``dt`` and ``dt/6`` enter as Python floats
        (rounded to the compute format on entry under emulation).
        """
        return state + self.increment(state, dt)

    def increment(self, state, dt):
        """The RK4 increment ``dt/6 (k1 + 2 k2 + 2 k3 + k4)`` that :meth:`step`
        adds to ``state`` (separate, for compensated summation)."""
        half = 0.5 * dt
        k1 = self._rhs(state)
        k2 = self._rhs(state + half * k1)
        k3 = self._rhs(state + half * k2)
        k4 = self._rhs(state + dt * k3)
        return (dt / 6.0) * (((k1 + 2.0 * k2) + 2.0 * k3) + k4)

    def _rhs(self, state):
        with _component("tendencies", like=state):
            return self.tendency(state)

    def tendency(self, state):  # pragma: no cover - abstract
        raise NotImplementedError

    def variables(self, state):
        """``{name: array}`` views of a state (or of samples, variables on
        axis -2)."""
        raise NotImplementedError  # pragma: no cover


@dataclasses.dataclass(frozen=True)
class Lorenz63(LorenzSystem):
    """Lorenz (1963) with the classical parameters."""

    sigma: float = 10.0
    rho: float = 28.0
    beta: float = 8.0 / 3.0

    nvar = 3
    names = ("x", "y", "z")

    def tendency(self, state):
        x, y, z = state[0], state[1], state[2]
        dx = self.sigma * (y - x)
        dy = x * (self.rho - z) - y
        dz = x * y - self.beta * z
        return np.stack((dx, dy, dz))

    def variables(self, samples):
        return {"x": samples[..., 0, :], "y": samples[..., 1, :], "z": samples[..., 2, :]}

    def random_state(self, members, rng):
        """Points scattered around the attractor (spin them up before use)."""
        centre = np.array([0.0, 0.0, 25.0])[:, None]
        return centre + rng.normal(scale=8.0, size=(3, members))


@dataclasses.dataclass(frozen=True)
class Lorenz96(LorenzSystem):
    """Lorenz (1996): ``K`` slow variables, optionally ``J`` fast ones each.

    Parameters
    ----------
    K : int
        Slow variables (default 40).
    F : float
        Forcing (default 8).
    J : int
        Fast variables per slow one; 0 (default) is the one-scale model.
    h, c, b : float
        Coupling, time-scale ratio and amplitude ratio of the two-scale model
        (Lorenz 1996: h = 1, c = 10, b = 10).
    """

    K: int = 40
    F: float = 8.0
    J: int = 0
    h: float = 1.0
    c: float = 10.0
    b: float = 10.0

    def __post_init__(self):
        if not isinstance(self.K, int) or self.K < 4:
            raise ValueError(f"K must be an integer >= 4, got {self.K!r}")
        if not isinstance(self.J, int) or self.J < 0:
            raise ValueError(f"J must be an integer >= 0, got {self.J!r}")

    @property
    def nvar(self):
        return self.K * (1 + self.J)

    @property
    def names(self):
        return ("X", "Y") if self.J else ("X",)

    def tendency(self, state):
        K = self.K
        X = state[:K] if self.J else state
        dX = (np.roll(X, -1, axis=0) - np.roll(X, 2, axis=0)) * np.roll(X, 1, axis=0) \
            - X + self.F
        if not self.J:
            return dX
        Y = state[K:]
        coupling = self.h * self.c / self.b
        members = Y.shape[-1]
        ysum = Y.reshape(K, self.J, members).sum(axis=1)
        dX = dX - coupling * ysum
        Xk = np.repeat(X, self.J, axis=0)
        dY = (-(self.c * self.b) * np.roll(Y, -1, axis=0)
              * (np.roll(Y, -2, axis=0) - np.roll(Y, 1, axis=0))
              - self.c * Y + coupling * Xk)
        return np.concatenate((dX, dY), axis=0)

    def variables(self, samples):
        if not self.J:
            return {"X": samples}
        return {"X": samples[..., :self.K, :], "Y": samples[..., self.K:, :]}

    def random_state(self, members, rng):
        X = self.F + rng.normal(scale=1.0, size=(self.K, members))
        if not self.J:
            return X
        Y = rng.normal(scale=0.1, size=(self.K * self.J, members))
        return np.concatenate((X, Y), axis=0)
