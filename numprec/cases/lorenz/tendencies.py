"""The right-hand sides of the Lorenz 63 and Lorenz 96 systems (component ``tendencies``).

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

Parameters enter the operations as Python floats: under emulation each is
rounded to the component's compute format (round-to-nearest-even) where it
is used.
"""
from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["Lorenz63", "Lorenz96"]


@dataclasses.dataclass(frozen=True)
class Lorenz63:
    """Lorenz (1963) tendencies; ``self(state)`` is ``d state / dt``.

    Parameters
    ----------
    sigma, rho, beta : float
        Prandtl number, Rayleigh number ratio and aspect factor (classical
        values 10, 28, 8/3).
    """

    sigma: float = 10.0
    rho: float = 28.0
    beta: float = 8.0 / 3.0

    #: variable names, one row of the state each
    names = ("x", "y", "z")

    @property
    def nvar(self) -> int:
        """Number of state variables (rows of the state): 3."""
        return 3

    def __call__(self, state):
        x, y, z = state[0], state[1], state[2]
        dx = self.sigma * (y - x)
        dy = x * (self.rho - z) - y
        dz = x * y - self.beta * z
        return np.stack((dx, dy, dz))

    def variables(self, state) -> dict:
        """``{name: array}`` views of a state (variables on axis -2)."""
        return {"x": state[..., 0, :], "y": state[..., 1, :], "z": state[..., 2, :]}

    def random_state(self, members, rng):
        """Points scattered around the attractor (spin them up before use)."""
        centre = np.array([0.0, 0.0, 25.0])[:, None]
        return centre + rng.normal(scale=8.0, size=(3, members))


@dataclasses.dataclass(frozen=True)
class Lorenz96:
    """Lorenz (1996) tendencies: ``K`` slow variables, optionally ``J`` fast ones each.

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
        if isinstance(self.K, bool) or not isinstance(self.K, (int, np.integer)) or self.K < 4:
            raise ValueError(f"K must be an integer >= 4, got {self.K!r}")
        if isinstance(self.J, bool) or not isinstance(self.J, (int, np.integer)) or self.J < 0:
            raise ValueError(f"J must be an integer >= 0, got {self.J!r}")

    @property
    def nvar(self) -> int:
        """Number of state variables: ``K`` slow and ``K * J`` fast ones."""
        return self.K * (1 + self.J)

    @property
    def names(self) -> tuple:
        """Output variable names: ``("X", "Y")``, or ``("X",)`` without fast
        variables (``J = 0``)."""
        return ("X", "Y") if self.J else ("X",)

    def __call__(self, state):
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

    def variables(self, state) -> dict:
        """``{name: array}`` views of a state (variables on axis -2)."""
        if not self.J:
            return {"X": state}
        return {"X": state[..., :self.K, :], "Y": state[..., self.K:, :]}

    def random_state(self, members, rng):
        """Forcing plus unit noise (X) and small noise (Y); spin up before use."""
        X = self.F + rng.normal(scale=1.0, size=(self.K, members))
        if not self.J:
            return X
        Y = rng.normal(scale=0.1, size=(self.K * self.J, members))
        return np.concatenate((X, Y), axis=0)
