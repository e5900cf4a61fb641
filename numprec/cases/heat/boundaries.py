"""Boundary conditions of the column (component ``boundaries``).

Unknowns at the nodes ``z_k = k Δz``, k = 1..N; the surface node z_0 = 0
holds the Dirichlet value ``T_surface``; the insulated bottom uses the
mirror ghost node ``T_{N+1} = T_{N-1}`` (second-order zero-flux condition).
"""
from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np

from numprec.cases.base import Component

__all__ = ["SurfaceAndInsulatedBottom"]


@dataclasses.dataclass(frozen=True)
class SurfaceAndInsulatedBottom(Component):
    """``self(T)``: the column padded with the surface value on top and the
    mirror node at the bottom, shape ``(..., N + 2)``.

    Parameters
    ----------
    T_surface : float
        Surface temperature [K].
    surface : array, optional
        ``T_surface`` as a ``(..., 1)`` constant of the run's format (made
        by :meth:`with_constants` when a run is set up).
    """

    T_surface: float = 280.0
    surface: Optional[np.ndarray] = None

    def with_constants(self, convert, state):
        top = np.full(tuple(state.T.shape[:-1]) + (1,), float(self.T_surface))
        return dataclasses.replace(self, surface=convert(top))

    def __call__(self, T):
        if self.surface is None:
            raise ValueError("the boundaries are not set up: run the model through "
                             "numprec.cases.driver.integrate (Model.prepare)")
        return np.concatenate((self.surface, T, T[..., -2:-1]), axis=-1)
