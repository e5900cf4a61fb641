"""Significant bits of stochastic-arithmetic samples (Sohier et al. 2021).

Sohier, D., De Oliveira Castro, P., Févotte, F., Lathuilière, B., Petit, E.
& Jamond, O. (2021). Confidence intervals for stochastic arithmetic. ACM
Transactions on Mathematical Software 47(2), 10.

Parker, D. S. (1997). Monte Carlo arithmetic: exploiting randomness in
floating-point arithmetic. UCLA Technical Report CSD-970002.

Given ``n`` outputs ``X_1..X_n`` of the same computation, each with
randomly rounded arithmetic, and a reference ``x`` (the exact or a
high-precision result; by default the sample mean), the error of a sample
is ``Z_i = X_i / x - 1`` (relative) or ``X_i - x`` (absolute, for results
near zero).  A sample has ``s`` significant bits when ``|Z_i| <= 2**-s``.

Two estimates are offered:

``"cnh"`` (centred normality hypothesis)
    ``Z`` is assumed normal with mean 0.  With probability ``p`` a sample
    has at least
    ``s = -log2(sigma_up) - log2(Phi^-1((1 + p) / 2))`` bits, where
    ``sigma_up = sigma_hat sqrt(d / chi2_{alpha, d})`` is the one-sided
    upper confidence bound of the standard deviation at confidence
    ``1 - alpha`` (Sohier et al. 2021, §3); ``sigma_hat`` is the root mean
    square of the errors with ``d = n`` degrees of freedom when a reference
    is given (the hypothesis centres the errors on it), the sample standard
    deviation with ``d = n - 1`` when the sample mean is the reference.  With ``p`` and
    ``alpha`` omitted this is Parker's ``-log2(sigma / |mu|)``.
``"bernoulli"`` (no assumption on the distribution)
    The largest ``s`` such that the one-sided Clopper–Pearson lower bound,
    at confidence ``1 - alpha``, of the probability ``P(|Z| <= 2**-s)`` is
    at least ``p`` (Sohier et al. 2021, §4; with all ``n`` samples
    successes the bound is ``alpha ** (1/n)``, the paper's ``n >=
    ln(alpha) / ln(p)``).
"""
from __future__ import annotations

import numpy as np
from scipy.stats import beta, chi2, norm

__all__ = ["significant_bits"]

_METHODS = ("cnh", "bernoulli")


def _check_probability(name, value):
    value = float(value)
    if not (0.0 < value < 1.0):
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    return value


def significant_bits(samples, reference=None, *, axis: int = 0, method: str = "cnh",
                     probability: float | None = 0.9, confidence: float | None = 0.95,
                     relative: bool = True, max_bits: float = 64.0):
    """Significant bits of each output from ``n`` randomly rounded samples.

    Parameters
    ----------
    samples : array_like
        The samples, ``n`` of them along ``axis`` (n >= 2).
    reference : array_like, optional
        The exact or high-precision result, broadcastable against one
        sample.  Default: the sample mean.
    axis : int
        The sample axis.
    method : {"cnh", "bernoulli"}
        The estimate (see the module docstring).
    probability : float or None
        Fraction ``p`` of samples that must have the bits.  For "cnh", None
        gives Parker's plain ``-log2(sigma/|mu|)`` (``confidence`` must be
        None too).
    confidence : float or None
        Confidence ``1 - alpha`` of the statement.
    relative : bool
        Relative errors (default) or absolute errors.
    max_bits : float
        Cap of the result: samples that agree exactly with the reference get
        this many bits.

    Returns
    -------
    numpy.ndarray
        Significant bits of each output (the shape of one sample); 0 where
        not even the leading bit is significant, NaN where a reference is 0
        and ``relative`` is True.

    Examples
    --------
    >>> import numpy as np
    >>> from numprec.analysis import significant_bits
    >>> rng = np.random.default_rng(1)
    >>> x = 1.0 + 2.0**-20 * rng.standard_normal(1000)
    >>> round(float(significant_bits(x, 1.0, probability=None, confidence=None)))
    20
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    x = np.moveaxis(np.asarray(samples, dtype=np.float64), axis, 0)
    n = x.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 samples along axis {axis}, got {n}")
    if reference is None:
        ref = x.mean(axis=0)
    else:
        ref = np.broadcast_to(np.asarray(reference, dtype=np.float64), x.shape[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = x / ref - 1.0 if relative else x - ref
    bad_ref = (ref == 0) if relative else np.zeros(ref.shape, dtype=bool)
    if method == "cnh":
        bits = _cnh(z, n, probability, confidence, reference is None)
    else:
        if probability is None or confidence is None:
            raise ValueError("method='bernoulli' needs probability and confidence")
        bits = _bernoulli(z, n, _check_probability("probability", probability),
                          _check_probability("confidence", confidence), max_bits)
    bits = np.clip(bits, 0.0, max_bits)
    return np.where(bad_ref, np.nan, bits)


def _cnh(z, n, probability, confidence, centred_on_sample_mean):
    if (probability is None) != (confidence is None):
        raise ValueError("probability and confidence are both given or both None for "
                         "method='cnh'")
    if centred_on_sample_mean:
        sigma, dof = z.std(axis=0, ddof=1), n - 1
    else:                                   # the mean error is 0 under the hypothesis
        sigma, dof = np.sqrt(np.sum(z * z, axis=0) / n), n
    with np.errstate(divide="ignore"):
        bits = -np.log2(sigma)
    if probability is None:
        return bits
    p = _check_probability("probability", probability)
    alpha = 1.0 - _check_probability("confidence", confidence)
    inflation = np.sqrt(dof / chi2.ppf(alpha, dof))
    return bits - np.log2(inflation) - np.log2(norm.ppf((1.0 + p) / 2.0))


def _bernoulli(z, n, p, confidence, max_bits):
    alpha = 1.0 - confidence
    abs_err = np.abs(z)
    with np.errstate(divide="ignore"):
        sample_bits = np.where(abs_err == 0, max_bits, -np.log2(abs_err))
    sample_bits = np.sort(sample_bits, axis=0)[::-1]     # best sample first
    # k samples with at least sample_bits[k-1] bits; the lower bound of the
    # success probability with k successes of n
    k = np.arange(1, n + 1)
    lower = beta.ppf(alpha, k, n - k + 1)
    ok = lower >= p
    if not ok.any():
        need = int(np.ceil(np.log(alpha) / np.log(p)))
        raise ValueError(f"{n} samples cannot show probability {p} at confidence "
                         f"{confidence}: method='bernoulli' needs at least {need}")
    k_min = int(np.argmax(ok))          # first (fewest successes) k that suffices
    return sample_bits[k_min]
