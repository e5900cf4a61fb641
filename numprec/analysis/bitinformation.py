"""The real information content of each bit of an array (Klöwer et al. 2021).

Klöwer, M., Razinger, M., Dominguez, J. J., Düben, P. D. & Palmer, T. N.
(2021). Compressing atmospheric data into its real information content.
Nature Computational Science 1, 713-724.

For bit position ``i`` of the binary representation, the *bitwise real
information* is the mutual information between bit ``i`` of a value and
bit ``i`` of its neighbour along one dimension,

.. math::

    I_i = \\sum_{a, b \\in \\{0, 1\\}} p_{ab} \\log_2 \\frac{p_{ab}}{p_a\\, q_b},

from the joint 2x2 histogram ``p`` of the bit pairs (``p_a``, ``q_b`` its
marginals).  Bits that are identical in all values (constant sign or
exponent bits) and bits that are independent from one value to the next
(noise in the low mantissa bits) carry none.  With a finite number ``n`` of
pairs an estimate of zero is not exactly zero, so values below the *free
entropy* of a fair coin at confidence ``c`` are set to zero: the binomial
bound ``p = 1/2 + z_{(1+c)/2} / (2 sqrt(n))`` gives ``H_f = 1 - H(p)``
(the paper's significance test).

The information of the mantissa bits is accumulated from the most
significant bit down; ``keepbits`` is the number of explicit mantissa bits
needed to hold a fraction ``level`` (e.g. 99 %) of the total information of
the array (sign, exponent and mantissa bits together), as in the paper.
"""
from __future__ import annotations

import dataclasses

import numpy as np
from scipy.stats import norm

__all__ = ["BitInformation", "bitinformation", "free_entropy", "mutual_information",
           "signed_exponent"]

_LAYOUT = {np.dtype(np.float64): (np.uint64, 11, 52), np.dtype(np.float32): (np.uint32, 8, 23),
           np.dtype(np.float16): (np.uint16, 5, 10)}


@dataclasses.dataclass(frozen=True)
class BitInformation:
    """Bitwise real information of an array along one dimension.

    Attributes
    ----------
    information : numpy.ndarray
        Mutual information of each bit (bits, from the sign bit down to the
        last mantissa bit), after the significance filter.
    raw_information : numpy.ndarray
        The same before values below :attr:`threshold` were set to zero.
    threshold : float
        The free entropy below which information is not significant.
    exponent_bits, mantissa_bits : int
        Layout of the analysed float type.
    pairs : int
        Number of neighbour pairs the histograms were built from.
    """

    information: np.ndarray
    raw_information: np.ndarray
    threshold: float
    exponent_bits: int
    mantissa_bits: int
    pairs: int

    @property
    def mantissa_information(self) -> np.ndarray:
        """Information of the explicit mantissa bits, most significant first."""
        return self.information[1 + self.exponent_bits:]

    def keepbits(self, level: float = 0.99) -> int:
        """Explicit mantissa bits that hold ``level`` of the total information.

        Parameters
        ----------
        level : float
            Fraction of the information to keep, in (0, 1].

        Returns
        -------
        int
            The smallest ``k`` such that the sign, exponent and first ``k``
            mantissa bits together hold at least ``level`` of the sum over
            all bits (0 when the sign and exponent bits alone do, or when the
            array has no information at all).
        """
        level = float(level)
        if not (0.0 < level <= 1.0):
            raise ValueError(f"level must be in (0, 1], got {level!r}")
        total = float(self.information.sum())
        if total == 0.0:
            return 0
        cumulative = np.cumsum(self.information) / total
        first = int(np.argmax(cumulative >= level * (1 - 1e-12)))
        return max(0, first - self.exponent_bits)

    def plot(self, ax=None):
        """Bar chart of the information per bit (matplotlib), sign | exponent
        | mantissa shaded; returns the axes.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw (default: a new figure).

        Returns
        -------
        matplotlib.axes.Axes"""
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3))
        nbits = self.information.size
        colours = (["tab:gray"] + ["tab:blue"] * self.exponent_bits
                   + ["tab:orange"] * self.mantissa_bits)
        ax.bar(np.arange(nbits), self.information, color=colours)
        ax.set_xlabel("bit (0 = sign, then exponent, then mantissa)")
        ax.set_ylabel("real information [bit]")
        k = self.keepbits(0.99)
        ax.axvline(self.exponent_bits + k + 0.5, color="k", ls="--", lw=1,
                   label=f"99 % of the information: {k} mantissa bits")
        ax.legend(loc="upper right")
        ax.figure.tight_layout()
        return ax


def free_entropy(pairs: int, confidence: float = 0.99) -> float:
    """Information a fair coin shows by chance in ``pairs`` samples.

    The binomial (normal approximation) bound of Klöwer et al. (2021):
    ``p = 1/2 + z / (2 sqrt(pairs))`` with ``z`` the ``(1 + confidence) / 2``
    quantile of the standard normal, and ``1 - H(p)`` in bits.

    Parameters
    ----------
    pairs : int
        Number of (value, neighbour) pairs the information was estimated on.
    confidence : float
        Confidence level of the bound, in (0, 1).

    Returns
    -------
    float
        Bits of information below which a bit's information is noise.
    """
    if not (isinstance(pairs, (int, np.integer)) and pairs > 0):
        raise ValueError(f"pairs must be a positive integer, got {pairs!r}")
    if not (0.0 < confidence < 1.0):
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    p = 0.5 + norm.ppf(0.5 + confidence / 2) / (2 * np.sqrt(pairs))
    p = min(p, 1.0)
    if p >= 1.0:
        return 1.0
    return float(1.0 + p * np.log2(p) + (1 - p) * np.log2(1 - p))


def signed_exponent(values):
    """The bit patterns of ``values`` with the biased exponent field replaced
    by the sign and magnitude of the unbiased exponent.

    In the biased representation every exponent bit flips when values cross
    a power of two such as 1 or 2 (``0b01111111111 -> 0b10000000000``), so
    the exponent bits of any field that crosses one show spurious mutual
    information; in sign-and-magnitude form only the bits of the magnitude
    that change do (Klöwer et al. 2021 analyse with this transform).
    Zeros and subnormals take the exponent of the smallest normal;
    magnitudes are clipped to the field (only inf/NaN are affected).
    """
    uint, e, m = _LAYOUT[values.dtype]
    ints = values.view(uint).ravel()
    u = ints.dtype.type
    bias = (1 << (e - 1)) - 1
    field = ((ints >> u(m)) & u((1 << e) - 1)).astype(np.int64)
    exponent = np.where(field == 0, 1, field) - bias
    magnitude = np.minimum(np.abs(exponent), (1 << (e - 1)) - 1).astype(ints.dtype)
    negative = (exponent < 0).astype(ints.dtype)
    new_field = (negative << u(e - 1)) | magnitude
    keep = ints & ~(u((1 << e) - 1) << u(m))
    return keep | (new_field << u(m))


def _pair_counts(first, second, signed):
    """Joint counts ``(n11, n1_, n_1)`` of each bit over the pairs, sign bit
    first, and the layout ``(exponent_bits, mantissa_bits)``."""
    uint, e, m = _LAYOUT[first.dtype]
    if signed:
        a, b = signed_exponent(first), signed_exponent(second)
    else:
        a = first.view(uint).ravel()
        b = second.view(uint).ravel()
    nbits = 1 + e + m
    counts = np.empty((3, nbits), dtype=np.int64)
    one = uint(1)
    for k in range(nbits):
        shift = uint(nbits - 1 - k)
        abit = (a >> shift) & one
        bbit = (b >> shift) & one
        counts[0, k] = np.count_nonzero(abit & bbit)
        counts[1, k] = np.count_nonzero(abit)
        counts[2, k] = np.count_nonzero(bbit)
    return counts, e, m


def mutual_information(n11, n1_, n_1, n):
    """Mutual information (bits) of two binary variables from their counts.

    Parameters
    ----------
    n11 : array_like of int
        Pairs where both are 1.
    n1_, n_1 : array_like of int
        Pairs where the first (second) is 1.
    n : int
        Number of pairs.

    Returns
    -------
    numpy.ndarray
        ``sum_ab p_ab log2(p_ab / (p_a q_b))`` from the joint 2x2 histogram.
    """
    n11, n1_, n_1 = (np.asarray(v, dtype=np.float64) for v in (n11, n1_, n_1))
    joint = np.stack([n - n1_ - n_1 + n11, n_1 - n11, n1_ - n11, n11]) / n   # 00 01 10 11
    pa = np.stack([1 - n1_ / n, 1 - n1_ / n, n1_ / n, n1_ / n])
    pb = np.stack([1 - n_1 / n, n_1 / n, 1 - n_1 / n, n_1 / n])
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(joint > 0, joint * np.log2(joint / (pa * pb)), 0.0)
    return np.maximum(terms.sum(axis=0), 0.0)


def bitinformation(values, axis: int | str = -1, *, confidence: float = 0.99,
                   mask=None, signed_exponent: bool = True) -> BitInformation:
    """Bitwise real information of ``values`` along one axis.

    Parameters
    ----------
    values : array_like or xarray.DataArray
        float16, float32 or float64 values (other float types: cast first).
        A DataArray may name the dimension in ``axis``.
    axis : int or str
        The dimension along which neighbours are paired.
    confidence : float
        Confidence of the significance filter (default 0.99, as the paper).
    mask : array_like of bool, optional
        True where a value is missing (e.g. land); pairs touching a masked
        value are left out.  NaNs are always left out.
    signed_exponent : bool
        Analyse the exponent in sign-and-magnitude form (default, see
        :func:`signed_exponent`) rather than biased; the mantissa bits are
        the same either way.

    Notes
    -----
    The significance filter is a test per bit at the given confidence: of
    the 64 bits of float64 noise, about one in a hundred passes by chance
    with a tiny value (a few 1e-5 bits at 10^5 pairs), which can move
    :meth:`BitInformation.keepbits` of an array *without* real information.
    Raise ``confidence`` (e.g. 0.9999) when that matters.

    Returns
    -------
    BitInformation

    Examples
    --------
    >>> import numpy as np
    >>> from numprec.analysis import bitinformation
    >>> rng = np.random.default_rng(0)
    >>> noise = rng.random(10000).astype(np.float32) + 1
    >>> int(bitinformation(noise).mantissa_information[10:].sum())
    0
    """
    if hasattr(values, "dims") and hasattr(values, "values"):
        if isinstance(axis, str):
            if axis not in values.dims:
                raise ValueError(f"axis {axis!r} is not a dimension of the DataArray; its "
                                 f"dimensions are {list(values.dims)}")
            axis = list(values.dims).index(axis)
        values = values.values
    elif isinstance(axis, str):
        raise TypeError("axis may be a dimension name only for an xarray.DataArray")
    arr = np.asarray(values)
    if arr.dtype not in _LAYOUT:
        raise TypeError(f"values must be float16, float32 or float64, got {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError("values must have at least one dimension")
    axis = int(axis)
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"axis {axis} is out of range for an array of {arr.ndim} dimensions")
    missing = np.isnan(arr)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != arr.shape:
            raise ValueError(f"mask has shape {mask.shape}, values {arr.shape}")
        missing = missing | mask
    first = np.moveaxis(arr, axis, -1)[..., :-1]
    second = np.moveaxis(arr, axis, -1)[..., 1:]
    gone = np.moveaxis(missing, axis, -1)
    keep = ~(gone[..., :-1] | gone[..., 1:])
    first = np.ascontiguousarray(first[keep])
    second = np.ascontiguousarray(second[keep])
    pairs = first.size
    if pairs == 0:
        raise ValueError("values have no pair of neighbours without missing values along the axis")
    counts, e, m = _pair_counts(first, second, signed_exponent)
    raw = mutual_information(counts[0], counts[1], counts[2], pairs)
    threshold = free_entropy(pairs, confidence)
    info = np.where(raw > threshold, raw, 0.0)
    return BitInformation(information=info, raw_information=raw, threshold=threshold,
                          exponent_bits=e, mantissa_bits=m, pairs=pairs)
