"""Gaussian latitudes and weights of a spectral model's grid.

The nlat latitudes of a Gaussian grid are the arcsines of the roots
mu_j = sin(phi_j) of the Legendre polynomial P_nlat(mu); with the Gauss-Legendre
weights w_j = 2 / ((1 - mu_j^2) P'_nlat(mu_j)^2) (sum 2) the quadrature
sum_j w_j g(mu_j) integrates every polynomial g of degree <= 2 nlat - 1 exactly
over [-1, 1] (Hoskins & Simmons 1975, QJRMS 101, 637, section 3).  As in SPEEDY
(Molteni 2003, Clim. Dyn. 20, 175), the roots are found by Newton iteration in
double from the asymptotic first guess cos(pi (j - 1/4) / (nlat + 1/2))
(Abramowitz & Stegun 1964, 22.16.6), P_nlat and its derivative by Bonnet's
recursion.  (numpy's ``leggauss`` and SciPy's ``roots_legendre`` give the same
roots but weights a few 1e-15 off, which spoils the quadrature's
orthonormality to ~1e-13 at 48 latitudes.)
"""
from __future__ import annotations

import numpy as np


def _legendre_and_derivative(n, x):
    """P_n(x) and P_n'(x) by Bonnet's recursion (|x| < 1)."""
    p0 = np.ones_like(x)
    p1 = x.copy()
    for k in range(2, n + 1):
        p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
    return p1, n * (x * p1 - p0) / (x * x - 1.0)


def gaussian_latitudes(nlat: int):
    """Sines of the Gaussian latitudes and their weights, north to south.

    Parameters
    ----------
    nlat : int
        Number of latitudes (even, >= 2).

    Returns
    -------
    mu, weights : ndarray, shape (nlat,)
        ``mu[j] = sin(latitude_j)``, decreasing (``mu[0]`` is the northernmost
        latitude, ``mu[nlat-1-j] == -mu[j]`` exactly), and the quadrature
        weights (symmetric about the equator, sum 2 to round-off).
    """
    if isinstance(nlat, bool) or not isinstance(nlat, (int, np.integer)):
        raise TypeError(f"nlat must be an int, got {type(nlat).__name__}")
    if nlat < 2 or nlat % 2:
        raise ValueError(f"nlat must be even and >= 2, got {nlat}")
    n = int(nlat)
    j = np.arange(1, n // 2 + 1)
    x = np.cos(np.pi * (j - 0.25) / (n + 0.5))
    for _ in range(100):
        p, dp = _legendre_and_derivative(n, x)
        step = p / dp
        x = x - step
        if np.abs(step).max() <= 1e-16:
            break
    p, dp = _legendre_and_derivative(n, x)
    w = 2.0 / ((1.0 - x * x) * dp * dp)
    return np.concatenate([x, -x[::-1]]), np.concatenate([w, w[::-1]])
