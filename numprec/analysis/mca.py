"""Monte Carlo arithmetic: samples of a computation at a virtual precision.

Parker, D. S. (1997). Monte Carlo arithmetic: exploiting randomness in
floating-point arithmetic. UCLA Technical Report CSD-970002.

Every arithmetic result is rounded stochastically to ``precision``
significand bits (numprec's ``"stochastic"`` rounding: up with probability
proportional to the distance from the lower neighbour, so the rounding
error has mean zero — the "random rounding" mode of verificarlo and
verrou), with an 11-bit exponent by default so that the range is that of
binary64 and only the precision is virtual.  ``N`` independent runs, each
with its own random stream, give a sample of the output distribution;
:func:`numprec.analysis.significant_bits` turns it into significant bits
with a confidence level (Sohier et al. 2021).

The computation is any function written in plain numpy (it runs under a
:class:`numprec.emulate.Policy`), or a function of the policy, such as a
case's ``run``.
"""
from __future__ import annotations

import numpy as np

from numprec.emulate import Policy, to_numpy
from numprec.formats import FloatFormat

__all__ = ["mca_format", "mca_run", "mca_samples"]


def mca_format(precision: int, exponent_bits: int = 11) -> FloatFormat:
    """The virtual-precision format: ``precision`` significand bits
    (implicit bit included), ``exponent_bits`` of exponent.

    Parameters
    ----------
    precision : int
        Significand bits including the implicit one (``mantissa_bits + 1``).
    exponent_bits : int
        Exponent bits (default: float64's 11).

    Returns
    -------
    numprec.FloatFormat

    Examples
    --------
    >>> from numprec.analysis import mca_format
    >>> mca_format(24).mantissa_bits
    23"""
    if not isinstance(precision, (int, np.integer)) or isinstance(precision, bool) \
            or not 2 <= precision <= 53:
        raise ValueError(f"precision must be an integer in [2, 53] (significand bits "
                         f"including the implicit bit), got {precision!r}")
    return FloatFormat(int(exponent_bits), int(precision) - 1)


def _sample_seed(seed, index):
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1, np.uint64)[0])


def _to_numpy(result):
    if isinstance(result, dict):
        return {k: _to_numpy(v) for k, v in result.items()}
    if isinstance(result, (tuple, list)):
        return type(result)(_to_numpy(v) for v in result)
    if hasattr(result, "to_numpy") and not isinstance(result, np.ndarray) \
            and not hasattr(result, "dims"):
        return to_numpy(result)
    if hasattr(result, "dims"):            # xarray objects: keep them
        return result
    return np.asarray(result, dtype=np.float64)


def _stack(results):
    first = results[0]
    if isinstance(first, dict):
        return {k: _stack([r[k] for r in results]) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([r[i] for r in results]) for i in range(len(first)))
    if hasattr(first, "dims"):
        import xarray as xr
        return xr.concat(results, dim="sample")
    return np.stack(results)


def _one_sample(run, fmt, rounding, seed, index):
    policy = Policy(fmt, rounding=rounding, seed=_sample_seed(seed, index),
                    name=f"mca-{index}")
    return _to_numpy(run(policy))


def mca_run(run, *, precision: int, samples: int = 32, seed: int = 0,
            exponent_bits: int = 11, rounding: str = "stochastic", client=None):
    """``samples`` runs of ``run(policy)``, each under its own random stream.

    Parameters
    ----------
    run : callable
        ``run(policy) -> result``: array, emulated array, xarray object, or a
        dict/tuple of them.  It must compute under the policy it is given
        (e.g. ``lambda p: case.run(params, p, members=1, ic_seed=0)``).
    precision : int
        Virtual precision: significand bits including the implicit bit.
    samples : int
        Number of runs (>= 2).
    seed : int
        Seed of the whole experiment; run ``i`` uses a seed derived from
        ``(seed, i)``, so results do not depend on the executor.
    exponent_bits : int
        Exponent bits of the virtual format (11: binary64's range).
    rounding : str
        ``"stochastic"`` (Monte Carlo arithmetic's random rounding) or any
        other scheme, e.g. ``"stochastic_uniform"``.
    client : dask.distributed.Client, optional
        Run the samples as tasks on a cluster (``run`` must pickle).

    Returns
    -------
    numpy.ndarray, dict, tuple or xarray object
        The results stacked along a new leading axis (``"sample"`` for
        xarray).
    """
    if not callable(run):
        raise TypeError(f"run must be callable, got {type(run).__name__}")
    if not isinstance(samples, (int, np.integer)) or isinstance(samples, bool) or samples < 2:
        raise ValueError(f"samples must be an integer >= 2, got {samples!r}")
    fmt = mca_format(precision, exponent_bits)
    if client is None:
        results = [_one_sample(run, fmt, rounding, seed, i) for i in range(samples)]
    else:
        futures = client.map(_one_sample, [run] * samples, [fmt] * samples,
                             [rounding] * samples, [seed] * samples, list(range(samples)),
                             pure=False)
        results = client.gather(futures)
    return _stack(results)


def mca_samples(func, *args, precision: int, samples: int = 32, seed: int = 0,
                exponent_bits: int = 11, rounding: str = "stochastic",
                perturb_inputs: bool = True, batched: bool = False, client=None):
    """Samples of ``func(*args)`` in Monte Carlo arithmetic.

    Parameters
    ----------
    func : callable
        A function written in plain numpy.
    *args
        Its arguments.  Arrays and floats are converted to the virtual
        format — stochastically rounded if ``perturb_inputs`` (Parker's
        random input perturbation), else rounded to nearest once — others
        are passed as they are.
    precision, samples, seed, exponent_bits, rounding, client
        As :func:`mca_run`.
    perturb_inputs : bool
        Round the inputs stochastically in every sample (default) or convert
        them with round-to-nearest (inputs exact in the virtual format are
        unchanged either way).
    batched : bool
        Run all samples in one call: every array argument gets a new leading
        axis of length ``samples`` and ``func`` must broadcast over it.
        Each element has its own random numbers, so this is a valid sample
        and much faster for small computations; the results differ from the
        unbatched ones (other random streams) but have the same
        distribution.

    Returns
    -------
    numpy.ndarray (or dict/tuple of them)
        Shape ``(samples, ...)``.

    Examples
    --------
    >>> import numpy as np
    >>> from numprec.analysis import mca_samples
    >>> x = mca_samples(lambda a, b: (a + b) - a, 1.0, 2.0**-20, precision=24, samples=8)
    >>> x.shape
    (8,)
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    if batched:
        if client is not None:
            raise ValueError("batched=True runs one call: pass client=None")
        mca_format(precision, exponent_bits)
        if not isinstance(samples, (int, np.integer)) or samples < 2:
            raise ValueError(f"samples must be an integer >= 2, got {samples!r}")
        stacked = tuple(_batch(a, samples) for a in args)
        fmt = mca_format(precision, exponent_bits)
        policy = Policy(fmt, rounding=rounding, seed=_sample_seed(seed, 0), name="mca-batched")
        return _to_numpy(_call(func, stacked, policy, perturb_inputs))
    return mca_run(lambda policy: _call(func, args, policy, perturb_inputs),
                   precision=precision, samples=samples, seed=seed,
                   exponent_bits=exponent_bits, rounding=rounding, client=client)


def _numeric(a):
    return isinstance(a, (float, np.floating, np.ndarray)) or (
        isinstance(a, (list, tuple)) and len(a) > 0
        and all(isinstance(v, (int, float, np.number)) for v in a))


def _batch(a, samples):
    if not _numeric(a):
        return a
    arr = np.asarray(a, dtype=np.float64)
    return np.array(np.broadcast_to(arr, (samples,) + arr.shape))


def _call(func, args, policy, perturb_inputs):
    converted = []
    for a in args:
        if _numeric(a):
            converted.append(policy.asarray(a) if perturb_inputs else policy.constant(a))
        else:
            converted.append(a)
    with policy:
        return func(*converted)
