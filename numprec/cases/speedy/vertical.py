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
        ``dsigma`` (Python floats or 0-d arrays of the working precision)
        and the level columns ``half_inner_col`` (sigma_{k+1/2}, k = 1..nlev-1),
        ``alpha_col``, ``beta_col`` (arrays of shape (nlev, 1, 1), or
        (nlev-1, 1, 1) for ``half_inner_col``), as
        :meth:`numprec.cases.speedy.primitive.GridDynamics.coefficients`
        gives them.

    Returns
    -------
    total : array (..., 1, a, b)
        sum_r dsigma_r A_r (so d ln p_s/dt = -total).
    sdot : array (..., nlev-1, a, b)
        sigma-dot at the inner half levels k + 1/2, k = 1..nlev-1 (it is
        zero at the top and the bottom).
    conversion : array (..., nlev, a, b)
        -beta_k sum_{r<k} dsigma_r A_r - alpha_k A_k (add u . grad ln p_s for
        D ln p/Dt).

    Notes
    -----
    Order of the operations (each one rounded under emulation): the
    partial sums P_k = P_{k-1} + A_k dsigma_k level by level; then, on all
    levels at once, sdot = P_n sigma_{k+1/2} - P_k and
    conversion_k = -(P_{k-1} beta_k) - A_k alpha_k (conversion_1 = A_1 (-alpha_1)).
    """
    n = levels.nlev
    partial = []
    acc = None
    for k in range(n):
        term = level(A, k) * coef["dsigma"][k]
        acc = term if acc is None else acc + term
        partial.append(acc)
    P = np.stack(partial, axis=-3)
    total = P[..., n - 1:, :, :]
    sdot = total * coef["half_inner_col"] - P[..., :n - 1, :, :]
    first = A[..., :1, :, :] * (-coef["alpha_col"][:1])
    rest = -(P[..., :n - 1, :, :] * coef["beta_col"][1:]) \
        - A[..., 1:, :, :] * coef["alpha_col"][1:]
    return total, sdot, np.concatenate([first, rest], axis=-3)


def vertical_advection(sdot, X, coef):
    """(sigma-dot dX/dsigma)_k, centred (SPEEDY), for a level array X:
    [sdot_{k+1/2} (X_{k+1} - X_k) + sdot_{k-1/2} (X_k - X_{k-1})] / (2 dsigma_k),
    with ``sdot`` the inner half levels of :func:`vertical_terms` and
    ``coef["inv_2dsigma_col"]`` = 1/(2 dsigma_k) as a (nlev, 1, 1) column.

    Order (each operation rounded under emulation, on all levels at once):
    q_k = sdot_{k+1/2} (X_{k+1} - X_k); the sum q_k + q_{k-1} on the inner
    levels (q_1 alone at the top, q_{n-1} at the bottom); times 1/(2 dsigma_k)."""
    q = sdot * (X[..., 1:, :, :] - X[..., :-1, :, :])
    both = q[..., 1:, :, :] + q[..., :-1, :, :]
    return np.concatenate([q[..., :1, :, :], both, q[..., -1:, :, :]], axis=-3) \
        * coef["inv_2dsigma_col"]
