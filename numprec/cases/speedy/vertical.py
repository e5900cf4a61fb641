"""SPEEDY's eight sigma levels and the vertical operators of the dry core.

Half levels sigma_{k+1/2}, k = 0..8: 0, .05, .14, .26, .42, .60, .77, .90, 1
(Molteni 2003, Clim. Dyn. 20, 175); full levels midway.  Vertical
differencing after Simmons & Burridge (1981, MWR 109, 758), in the sigma form
of the IFS documentation (Part III, section 2.2) and of SpeedyWeather's notes,
with A_k = D_k + u_k . grad ln p_s:

* sigma-dot_{k+1/2} = -sum_{r<=k} dsigma_r A_r + sigma_{k+1/2} sum_r dsigma_r A_r;
* d ln p_s/dt = -sum_r dsigma_r A_r;
* (D ln p / Dt)_k = u_k . grad ln p_s - beta_k sum_{r<k} dsigma_r A_r - alpha_k A_k,
  beta_k = ln(sigma_{k+1/2}/sigma_{k-1/2}) / dsigma_k,
  alpha_k = 1 - (sigma_{k-1/2}/dsigma_k) ln(sigma_{k+1/2}/sigma_{k-1/2}),
  alpha_1 = ln 2 at the top (sigma_{1/2} = 0; SB81);
* geopotential, hydrostatic with the same alpha (SB81 eqs. 3.11-3.12):
  Phi_k = Phi_s + sum_{r>k} R T_r ln(sigma_{r+1/2}/sigma_{r-1/2}) + alpha_k R T_k;
* vertical advection, centred as SPEEDY:
  (sigma-dot dX/dsigma)_k = [sdot_{k+1/2}(X_{k+1}-X_k) + sdot_{k-1/2}(X_k-X_{k-1})] / (2 dsigma_k).

The reference temperature of the semi-implicit scheme and of the anomaly
T' = T - T_ref(k) is SPEEDY's T_ref(k) = 288 K max(0.2, sigma_k)^(R gamma/g),
gamma = 6 K/km.  Level arrays carry the level axis third from last
(``(..., level, lat, lon)``, or any two trailing axes).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SPEEDY_HALF_LEVELS = (0.0, 0.05, 0.14, 0.26, 0.42, 0.60, 0.77, 0.90, 1.0)


@dataclass(frozen=True)
class SigmaLevels:
    """Sigma levels and the SB81 coefficients (double).

    Parameters
    ----------
    half_levels : tuple of float
        sigma at the layer interfaces, from 0 (top) to 1 (surface).
    gas_constant : float
        R, J kg^-1 K^-1 (used by :meth:`reference_temperature` and
        :meth:`hydrostatic_matrix`).
    """

    half_levels: tuple = SPEEDY_HALF_LEVELS
    gas_constant: float = 2.0 / 7.0 * 1004.0
    gravity: float = 9.81
    lapse_rate: float = 0.006

    def __post_init__(self):
        h = np.asarray(self.half_levels, dtype=float)
        if h.ndim != 1 or h.size < 2 or h[0] != 0 or h[-1] != 1 or np.any(np.diff(h) <= 0):
            raise ValueError(f"half_levels must increase from 0 to 1, got {self.half_levels!r}")

    @property
    def nlev(self) -> int:
        return len(self.half_levels) - 1

    @property
    def half(self) -> np.ndarray:
        return np.asarray(self.half_levels, dtype=float)

    @property
    def dsigma(self) -> np.ndarray:
        return np.diff(self.half)

    @property
    def full(self) -> np.ndarray:
        h = self.half
        return 0.5 * (h[1:] + h[:-1])

    def log_ratio(self) -> np.ndarray:
        """ln(sigma_{k+1/2}/sigma_{k-1/2}) (inf at the top layer)."""
        h = self.half
        with np.errstate(divide="ignore"):
            return np.log(h[1:]) - np.log(h[:-1])

    def alpha(self) -> np.ndarray:
        h, ds = self.half, self.dsigma
        lr = self.log_ratio()
        a = np.empty(self.nlev)
        a[0] = np.log(2.0)
        a[1:] = 1.0 - h[1:-1] / ds[1:] * lr[1:]
        return a

    def beta(self) -> np.ndarray:
        b = np.zeros(self.nlev)
        b[1:] = self.log_ratio()[1:] / self.dsigma[1:]
        return b

    def reference_temperature(self) -> np.ndarray:
        """SPEEDY's T_ref(k) = 288 K max(0.2, sigma_k)^(R gamma / g), K."""
        expo = self.gas_constant * self.lapse_rate / self.gravity
        return 288.0 * np.maximum(0.2, self.full) ** expo

    def hydrostatic_matrix(self) -> np.ndarray:
        """H with Phi_k - Phi_s = sum_r H[k, r] T_r (m^2 s^-2 per K)."""
        n = self.nlev
        R = self.gas_constant
        lr = self.log_ratio()
        H = np.zeros((n, n))
        a = self.alpha()
        for k in range(n):
            H[k, k] = R * a[k]
            H[k, k + 1:] = R * lr[k + 1:]
        return H


def level(x, k):
    """Level k of a level array (level axis third from last)."""
    return x[..., k, :, :]


def vertical_terms(levels, A, coef):
    """The SB81 vertical quantities of A_k = D_k + u_k . grad ln p_s.

    Parameters
    ----------
    levels : SigmaLevels
    A : array (..., nlev, a, b)
    coef : dict
        ``dsigma``, ``half_inner`` (sigma_{k+1/2}, k = 1..nlev-1), ``alpha``,
        ``beta`` as Python floats or 0-d arrays of the working precision.

    Returns
    -------
    total : array (..., 1, a, b)
        sum_r dsigma_r A_r (so d ln p_s/dt = -total).
    sdot : list of nlev+1 arrays or None
        sigma-dot at the half levels; None at the top and bottom (zero).
    conversion : array (..., nlev, a, b)
        -beta_k sum_{r<k} dsigma_r A_r - alpha_k A_k (add u . grad ln p_s for
        D ln p/Dt).
    """
    n = levels.nlev
    partial = []
    acc = None
    for k in range(n):
        term = level(A, k) * coef["dsigma"][k]
        acc = term if acc is None else acc + term
        partial.append(acc)
    total = partial[-1]
    sdot = [None] + [total * coef["half_inner"][k] - partial[k] for k in range(n - 1)] + [None]
    conv = [level(A, 0) * (-coef["alpha"][0])]
    for k in range(1, n):
        conv.append(-(partial[k - 1] * coef["beta"][k]) - level(A, k) * coef["alpha"][k])
    return total[..., None, :, :], sdot, np.stack(conv, axis=-3)


def vertical_advection(sdot, X, coef):
    """(sigma-dot dX/dsigma)_k, centred (SPEEDY), for a level array X;
    ``coef["inv_2dsigma"][k]`` = 1/(2 dsigma_k)."""
    n = len(sdot) - 1
    out = []
    for k in range(n):
        acc = None
        if sdot[k + 1] is not None:
            acc = sdot[k + 1] * (level(X, k + 1) - level(X, k))
        if sdot[k] is not None:
            t = sdot[k] * (level(X, k) - level(X, k - 1))
            acc = t if acc is None else acc + t
        out.append(acc * coef["inv_2dsigma"][k])
    return np.stack(out, axis=-3)
