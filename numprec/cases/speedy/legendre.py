"""Normalised associated Legendre functions by the three-term recursion.

The functions are normalised so that int_{-1}^{1} Pbar_l^m(mu)^2 dmu = 1 and
carry no Condon-Shortley phase (as in SPEEDY, Molteni 2003, and Bourke 1974,
MWR 102, 687): Pbar_l^m = (-1)^m sqrt(2 pi) times SciPy's
``sph_legendre_p_all``.  Recursion (all in double):

* Pbar_0^0 = sqrt(1/2);
* Pbar_m^m = sqrt((2m+1)/(2m)) sqrt(1-mu^2) Pbar_{m-1}^{m-1};
* Pbar_{m+1}^m = sqrt(2m+3) mu Pbar_m^m;
* Pbar_l^m = (mu Pbar_{l-1}^m - eps_{l-1}^m Pbar_{l-2}^m) / eps_l^m, with
  eps_l^m = sqrt((l^2 - m^2) / (4 l^2 - 1)).

Tables are laid out by zonal wavenumber m and degree offset n = l - m, which
makes the hemispheric symmetry Pbar_l^m(-mu) = (-1)^(l+m) Pbar_l^m(mu) a
split into even and odd n.
"""
from __future__ import annotations

import numpy as np


def epsilon(mmax: int, ncols: int) -> np.ndarray:
    """eps_l^m = sqrt((l^2 - m^2)/(4 l^2 - 1)) at l = m + n, as an array of
    shape (mmax+1, ncols) indexed [m, n] (0 at l = m, where it is 0)."""
    m = np.arange(mmax + 1)[:, None].astype(float)
    l = m + np.arange(ncols)[None, :]
    return np.sqrt((l * l - m * m) / (4.0 * l * l - 1.0))


def legendre_table(mmax: int, lmax: int, mu) -> np.ndarray:
    """Pbar_l^m(mu) for m <= mmax, m <= l <= lmax.

    Parameters
    ----------
    mmax, lmax : int
        Largest zonal wavenumber and degree (mmax <= lmax).
    mu : array_like, shape (nj,)
        Sines of latitude, |mu| <= 1.

    Returns
    -------
    ndarray, shape (mmax+1, lmax+1, nj)
        ``P[m, n, j] = Pbar_{m+n}^m(mu_j)``; entries with m + n > lmax are 0.
    """
    mu = np.asarray(mu, dtype=np.float64)
    if mu.ndim != 1:
        raise ValueError(f"mu must be one-dimensional, got shape {mu.shape}")
    if not 0 <= mmax <= lmax:
        raise ValueError(f"need 0 <= mmax <= lmax, got mmax={mmax}, lmax={lmax}")
    ncols = lmax + 1
    eps = epsilon(mmax, ncols + 1)
    coslat = np.sqrt(1.0 - mu * mu)
    table = np.zeros((mmax + 1, ncols, mu.size))
    diag = np.full(mu.size, np.sqrt(0.5))
    for m in range(mmax + 1):
        if m > 0:
            diag = np.sqrt((2.0 * m + 1.0) / (2.0 * m)) * coslat * diag
        top = lmax - m                       # largest n at this m
        table[m, 0] = diag
        if top >= 1:
            table[m, 1] = np.sqrt(2.0 * m + 3.0) * mu * diag
        for n in range(2, top + 1):
            table[m, n] = (mu * table[m, n - 1] - eps[m, n - 1] * table[m, n - 2]) / eps[m, n]
    return table
