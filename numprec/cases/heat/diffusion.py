"""Vertical heat diffusion (component ``diffusion``): centred second differences.

The increment of one forward-Euler step, ``K (T_{k+1} - 2 T_k + T_{k-1})``
with ``K = D Δt / Δz²`` (a Python float computed in double), evaluated left
to right: ``((T_{k+1} - 2 T_k) + T_{k-1}) K``.
"""
from __future__ import annotations

import dataclasses

__all__ = ["CentredDiffusion"]


@dataclasses.dataclass(frozen=True)
class CentredDiffusion:
    """``self(padded)``: the increment from the padded column (..., N + 2).

    Parameters
    ----------
    K : float
        ``D Δt / Δz²``.
    """

    K: float

    def __call__(self, padded):
        return ((padded[..., 2:] - padded[..., 1:-1] * 2.0) + padded[..., :-2]) * self.K
