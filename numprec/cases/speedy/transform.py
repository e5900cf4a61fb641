"""The spectral transform of a SPEEDY-style model: Gaussian grid <-> spherical harmonics.

A real field on the sphere, truncated triangularly at T, is

    f(lambda, mu) = sum_{m=0}^{T} sum_{l=m}^{T} a_lm Pbar_l^m(mu) e^{i m lambda} + c.c. (m > 0)

with Pbar the normalised associated Legendre functions of
:mod:`numprec.cases.speedy.legendre` (int Pbar^2 dmu = 1, no Condon-Shortley phase).
Synthesis is a Legendre sum per m followed by an inverse real Fourier transform;
analysis is a forward real Fourier transform followed by Gaussian quadrature,
a_lm = sum_j w_j F_m(mu_j) Pbar_l^m(mu_j), exact at alias-free resolution
(nlon >= 3T+1, nlat >= (3T+1)/2; Orszag 1970, J. Atmos. Sci. 27, 890;
Machenhauer 1979, GARP Publ. 17).  The Legendre sums use the hemispheric
symmetry Pbar_l^m(-mu) = (-1)^(l+m) Pbar_l^m(mu): one matrix product per m for
the even and one for the odd degrees, on one hemisphere.

Layouts
-------
* spectral: real arrays of shape ``(..., 2, T+1, T+2)``, axis -3 holding the
  real and imaginary parts, indexed ``[.., part, m, n]`` with degree l = m + n.
  Entries with l > T+1 are zero; degree T+1 is used only by vector
  quantities (u cos(lat), v cos(lat), cos(lat) d/dlat), as in SPEEDY.
* grid: ``(..., nlat, nlon)``, latitudes north to south, longitudes
  2 pi i / nlon from 0.

All leading dimensions (members, levels, fields) are batched into one
matrix product per m, so the per-call cost of emulated operations is paid
once per transform.

Operators act on the unit sphere (the model divides by the radius): ``laplacian``
multiplies by -l(l+1); ``dlambda`` by i m; ``cos_dmu`` is (1-mu^2) d/dmu via
(1-mu^2) dPbar_l^m/dmu = -l eps_{l+1}^m Pbar_{l+1}^m + (l+1) eps_l^m Pbar_{l-1}^m
(Bourke 1974, MWR 102, 687; Hoskins & Simmons 1975, QJRMS 101, 637).

Precision
---------
Tables (Legendre functions, weights, eigenvalues, epsilons, Fourier tables) are
built in double; :meth:`SpectralTransform.under` converts them once with
``policy.constant``.  :meth:`SpectralTransform.synthesis` and
:meth:`SpectralTransform.analysis` run under the policy of the component
``spectral_transform`` (``numprec.emulate.component``) of the active policy,
so ``Policy(..., components={"spectral_transform": ...})`` sets the format of
the transforms' arithmetic as well as of their tables; the spectral operators
(``dlambda``, ``cos_dmu``, ...) run under the caller's policy.  On plain
float64 arrays the Legendre sums are BLAS matrix products and the Fourier
step is ``numpy.fft``.  On emulated arrays the same
code runs: the Legendre products go through numprec's rounded ``matmul``
(every product and partial sum rounded, sequentially in n), and the Fourier
step through ``numpy.fft`` on emulated arrays (``fourier="fft"``) or a rounded
real DFT written as two matrix products with cos/sin tables
(``fourier="dft"``).  Large emulated batches are transformed in pieces
(``piece``, for the caches; the same values under round to nearest), except
under a policy that rounds nothing (:func:`rounds_nothing`), whose results
stay those of the plain code bit for bit.  The degree shifts of ``cos_dmu``
and ``adjoint_cos_dmu`` are, per coefficient, a_{l-1} times its table value
plus a_{l+1} times its table value (two rounded products, one rounded sum;
one term at the ends), with the tables computed in double.

Input rescaling (``rescale``)
-----------------------------
Paxton et al. (2022, J. Climate 35, section 2) rescale the input of every
spectral transform so that its largest magnitude is 100, which keeps
small fields (vorticity and divergence, O(1e-5) s^-1) away from the
subnormal range of formats with few exponent bits.  With ``rescale=target``
each call of :meth:`SpectralTransform.synthesis` and
:meth:`SpectralTransform.analysis` (and so every operator built on them)

1. computes ``factor = target / max|x|`` in double, outside the emulation,
   from the plain values of the whole input of the call (all fields and
   members of the call share one factor; :meth:`SpectralTransform.rescale_factor`);
2. multiplies the input by ``factor``: one rounded multiply by the double
   factor, i.e. the product formed in double (exact to 2^-53) and rounded
   once to the compute format of the active policy (else the input's home
   policy) with its rounding (stochastic rounding draws from its stream).
   The factor itself is not rounded to the format: for 1e-6 inputs it is
   1e8, beyond e5m10's largest number 65504;
3. transforms (every operation rounded as usual);
4. divides the output by ``factor`` the same way: one rounded divide, the
   quotient formed in double and rounded once.

An all-zero (or non-finite) input is transformed unscaled.  The option is
off by default (``rescale=None``): the golden results and the shipped
restart state are made without it, and in double it changes only round-off.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from numprec import emulate
from numprec.cases.speedy.gaussian import gaussian_latitudes
from numprec.cases.speedy.legendre import epsilon, legendre_table

FOURIER_METHODS = ("fft", "dft")


def default_grid(trunc: int):
    """The smallest alias-free Gaussian grid (nlat, nlon) for truncation T
    with FFT-friendly sizes: nlon >= 3T+1 rounded up to a product of 2, 3 and
    5 (and a multiple of 4), nlat = nlon/2.  T21 gives 64 x 32, T30 96 x 48."""
    n = 3 * trunc + 1
    while True:
        k = n
        for p in (2, 3, 5):
            while k % p == 0:
                k //= p
        if k == 1 and n % 4 == 0:
            return n // 2, n
        n += 1


def _is_emulated(x) -> bool:
    return not isinstance(x, (np.ndarray, np.generic, float, int))


def rounds_nothing(x) -> bool:
    """True for plain arrays and for emulated arrays under a policy that
    rounds nothing (``policy.plan.native``: binary64 on float64 containers,
    see docs/emulate.md, "Formats that round nothing"), whose matrix
    products are BLAS's: code that reorders products for speed on emulated
    arrays keeps the plain order for these, so that an ``e11m52`` run stays
    bit-identical to double."""
    if not _is_emulated(x):
        return True
    pol = emulate.current() or x.policy
    return bool(pol.plan.native)


@dataclass(frozen=True, eq=False)
class SpectralTransform:
    """Spherical-harmonic transform at triangular truncation ``trunc``.

    Parameters
    ----------
    trunc : int
        Triangular truncation T (>= 1).
    nlat, nlon : int, optional
        Gaussian grid size; default :func:`default_grid`.  Must be alias free
        for quadratic terms: nlon >= 3T+1, nlat >= (3T+1)/2, nlat even.
    fourier : {"fft", "dft"}
        How the Fourier step is done on emulated arrays (plain arrays always
        use ``numpy.fft``): ``numpy.fft`` on emulated arrays, or a rounded
        real DFT as matrix products.
    rescale : float, optional
        Paxton et al. (2022)'s transform-input rescaling: the largest
        magnitude each transform input is scaled to (they use 100); None
        (default): no rescaling.  See the module notes for the order of
        the operations.
    piece : int
        The largest number of grid values (fields x nlat x nlon) transformed
        at once on emulated arrays: a larger batch is cut along its leading
        (field) axis into pieces of at most this size, transformed one after
        the other and joined (an exact copy).  Every value is computed as in
        one call under round to nearest (the transforms of different fields
        do not interact); under stochastic rounding the random numbers are
        drawn per piece.  Large batches are slower per field (their arrays
        outgrow the caches: at T30 the emulated transform costs 0.17-0.19 ms
        per field up to 48 fields, 0.37-0.45 ms from 96 on); the default
        2^18 (2 MiB of float64 per grid array, 56 fields at T30, 128 at
        T21) was the fastest of 2^16, 2^17, 2^18 and no cutting for a
        5-member e11m10 step at T30 (129 against 166 ms) and T21.  Plain
        float64 arrays are transformed in one call (BLAS sums a differently
        partitioned product in another order: the double results stay
        those of one call); so are emulated arrays under a policy that
        rounds nothing (:func:`rounds_nothing`), which stay bit-identical
        to double.

    Notes
    -----
    Attributes ending in ``_table`` are the double-precision tables; the
    working copies (plain or converted under a policy) are in
    :attr:`tables`.
    """

    trunc: int
    nlat: int | None = None
    nlon: int | None = None
    fourier: str = "fft"
    tables: dict = field(default=None, repr=False)
    rescale: float | None = None
    piece: int = 2 ** 18

    def __post_init__(self):
        T = self.trunc
        if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
            raise ValueError(f"trunc must be an int >= 1, got {T!r}")
        r = self.rescale
        if r is not None:
            if isinstance(r, bool) or not isinstance(r, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(r) or r <= 0:
                raise ValueError(f"rescale must be None or a finite number > 0 (the largest "
                                 f"magnitude of a transform input, e.g. 100), got {r!r}")
            object.__setattr__(self, "rescale", float(r))
        if isinstance(self.piece, bool) or not isinstance(self.piece, (int, np.integer)) \
                or self.piece < 1:
            raise ValueError(f"piece must be an int >= 1 (grid values per transform piece), "
                             f"got {self.piece!r}")
        if self.fourier not in FOURIER_METHODS:
            raise ValueError(f"fourier must be one of {FOURIER_METHODS}, got {self.fourier!r}")
        dlat, dlon = default_grid(T)
        nlat = dlat if self.nlat is None else self.nlat
        nlon = dlon if self.nlon is None else self.nlon
        if nlon < 3 * T + 1 or 2 * nlat < 3 * T + 1 or nlat % 2:
            raise ValueError(f"grid {nlon} x {nlat} is not alias free at T{T}: need nlon >= "
                             f"{3 * T + 1}, nlat >= {(3 * T + 2) // 2} and even")
        object.__setattr__(self, "nlat", int(nlat))
        object.__setattr__(self, "nlon", int(nlon))
        if self.tables is None:
            object.__setattr__(self, "tables", self.double_tables())

    # ----------------------------------------------------------- geometry
    @property
    def mmax(self) -> int:
        return self.trunc

    @property
    def spectral_shape(self) -> tuple:
        """(2, T+1, T+2): real/imaginary part, m, n = l - m."""
        return (2, self.trunc + 1, self.trunc + 2)

    @property
    def grid_shape(self) -> tuple:
        return (self.nlat, self.nlon)

    @property
    def mu(self) -> np.ndarray:
        """Sines of the Gaussian latitudes, north to south (double)."""
        return gaussian_latitudes(self.nlat)[0]

    @property
    def weights(self) -> np.ndarray:
        return gaussian_latitudes(self.nlat)[1]

    @property
    def latitudes(self) -> np.ndarray:
        """Gaussian latitudes in degrees north, north to south."""
        return np.degrees(np.arcsin(self.mu))

    @property
    def longitudes(self) -> np.ndarray:
        """Longitudes in degrees east, from 0."""
        return 360.0 * np.arange(self.nlon) / self.nlon

    def degree(self) -> np.ndarray:
        """l at each [m, n] of the spectral layout (int array (T+1, T+2))."""
        return np.arange(self.trunc + 1)[:, None] + np.arange(self.trunc + 2)[None, :]

    def order(self) -> np.ndarray:
        """m at each [m, n] (float array (T+1, T+2))."""
        return np.broadcast_to(np.arange(self.trunc + 1.0)[:, None],
                               (self.trunc + 1, self.trunc + 2)).copy()

    # ----------------------------------------------------------- tables
    def double_tables(self) -> dict:
        """All tables in double precision."""
        T = self.trunc
        mu, w = gaussian_latitudes(self.nlat)
        half = self.nlat // 2
        P = legendre_table(T, T + 1, mu[:half])          # (T+1, T+2, half)
        even, odd = P[:, 0::2], P[:, 1::2]
        l = self.degree().astype(float)
        lap = -l * (l + 1.0)
        with np.errstate(divide="ignore"):
            inv = np.where(l > 0, 1.0 / np.where(l > 0, lap, 1.0), 0.0)
        eps = epsilon(T, T + 3)                           # eps[m, n] at l = m + n
        lam = 2.0 * np.pi * np.arange(self.nlon) / self.nlon
        m = np.arange(T + 1.0)
        c = np.where(m == 0, 1.0, 2.0)
        cos_ml = np.cos(np.outer(m, lam))
        sin_ml = np.sin(np.outer(m, lam))
        coslat2 = 1.0 - mu * mu
        return {
            "synth_even": np.ascontiguousarray(even.transpose(0, 2, 1)),   # (M, half, ne)
            "synth_odd": np.ascontiguousarray(odd.transpose(0, 2, 1)),
            "anal_even": np.ascontiguousarray(even * w[:half]),            # (M, ne, half)
            "anal_odd": np.ascontiguousarray(odd * w[:half]),
            "laplacian": lap,
            "inverse_laplacian": inv,
            "m": self.order(),
            "m_signed": np.stack([-self.order(), self.order()]),
            "eps": eps[:, : T + 2],                                          # eps_l^m
            "eps_next": eps[:, 1: T + 3],                                    # eps_{l+1}^m
            "l": l,
            "mask_scalar": (self.degree() <= T).astype(float),
            "mask_vector": (self.degree() <= T + 1).astype(float),
            "dft_synth_cos": c[:, None] * cos_ml,                            # (M, nlon)
            "dft_synth_sin": -c[:, None] * sin_ml,
            "dft_anal_cos": cos_ml.T / self.nlon,                            # (nlon, M)
            "dft_anal_sin": -sin_ml.T / self.nlon,
            # the degree-shift coefficients of cos_dmu and adjoint_cos_dmu, at l = m + n
            "cos_dmu_lower": eps[:, : T + 2] * (1.0 - l) * (self.degree() <= T + 1),
            "cos_dmu_upper": eps[:, 1: T + 3] * (l + 2.0),
            "adjoint_lower": eps[:, : T + 2] * (l + 1.0),
            "adjoint_upper_neg": -(eps[:, 1: T + 3] * l),
            "inv_coslat2": 1.0 / coslat2,                                    # (nlat,)
            "inv_coslat": 1.0 / np.sqrt(coslat2),
            "sin_lat": mu.copy(),
        }

    def under(self, policy) -> "SpectralTransform":
        """This transform with its tables converted once with
        ``policy.constant`` (round to nearest in the policy's compute
        format); ``policy=None`` gives the double tables."""
        tables = self.double_tables()
        if policy is not None:
            tables = {k: policy.constant(v) for k, v in tables.items()}
        return SpectralTransform(self.trunc, self.nlat, self.nlon, self.fourier, tables,
                                 self.rescale, self.piece)

    # ----------------------------------------------------------- rescaling
    def rescale_factor(self, x):
        """Paxton et al. (2022)'s input factor ``rescale / max|x|`` for the
        transform input ``x`` (emulated or plain), computed in double from
        its plain values (:func:`numprec.emulate.to_numpy`) as a Python
        float; None when rescaling is off or ``max|x|`` is 0 or not finite
        (the input is then transformed unscaled)."""
        if self.rescale is None:
            return None
        values = emulate.to_numpy(x) if _is_emulated(x) else np.asarray(x)
        if values.size == 0:
            return None
        amax = float(np.max(np.abs(values)))
        if not (amax > 0.0 and math.isfinite(amax)):
            return None
        return self.rescale / amax

    # ----------------------------------------------------------- transforms
    def synthesis(self, spec):
        """Grid values ``(..., nlat, nlon)`` of spectral coefficients
        ``(..., 2, T+1, T+2)`` (rescaled as in the module notes when
        ``rescale`` is set)."""
        return self._transform(self._synthesis, spec, 3)

    def analysis(self, grid):
        """Spectral coefficients ``(..., 2, T+1, T+2)`` (degrees up to T+1)
        of grid values ``(..., nlat, nlon)`` (rescaled as in the module
        notes when ``rescale`` is set)."""
        return self._transform(self._analysis, grid, 2)

    def _transform(self, transform, x, core):
        """``transform(x)`` under the ``spectral_transform`` component:
        rescaled (module notes) and in pieces (:meth:`_in_pieces`)."""
        with emulate.component("spectral_transform", like=x):
            factor = self.rescale_factor(x)
            if factor is None:
                return self._in_pieces(transform, x, core)
            scaled = self._in_pieces(transform, _scaled(x, factor, False), core)
            return _scaled(scaled, factor, True)

    def _in_pieces(self, transform, x, core):
        """``transform(x)`` on pieces of at most :attr:`piece` grid values
        along the flattened leading axes (``core``: the number of trailing
        axes of one field), joined along the leading axis."""
        lead = x.shape[:-core]
        b = int(np.prod(lead, dtype=int))
        step = max(1, self.piece // (self.nlat * self.nlon))
        if b <= step or rounds_nothing(x):
            return transform(x)
        flat = x.reshape((b,) + x.shape[-core:])
        out = np.concatenate([transform(flat[i:i + step]) for i in range(0, b, step)], axis=0)
        return out.reshape(lead + out.shape[1:])

    def _synthesis(self, spec):
        t = self.tables
        M, N = self.trunc + 1, self.trunc + 2
        shape = spec.shape
        if shape[-3:] != (2, M, N):
            raise ValueError(f"spectral array must end in shape {(2, M, N)}, got {shape}")
        lead = shape[:-3]
        b = int(np.prod(lead, dtype=int))
        a = spec.reshape((b, 2, M, N)).transpose(2, 3, 0, 1).reshape((M, N, 2 * b))
        even = t["synth_even"] @ a[:, 0::2]               # (M, half, 2b)
        odd = t["synth_odd"] @ a[:, 1::2]
        north = even + odd
        south = (even - odd)[:, ::-1]
        four = np.concatenate([north, south], axis=1)     # (M, nlat, 2b)
        four = four.reshape((M, self.nlat, b, 2)).transpose(2, 3, 1, 0)   # (b, 2, nlat, M)
        grid = self._fourier_synthesis(four[:, 0], four[:, 1])
        return grid.reshape(lead + (self.nlat, self.nlon))

    def _analysis(self, grid):
        t = self.tables
        M, N = self.trunc + 1, self.trunc + 2
        shape = grid.shape
        if shape[-2:] != (self.nlat, self.nlon):
            raise ValueError(f"grid array must end in shape {(self.nlat, self.nlon)}, "
                             f"got {shape}")
        lead = shape[:-2]
        b = int(np.prod(lead, dtype=int))
        re, im = self._fourier_analysis(grid.reshape((b, self.nlat, self.nlon)))
        four = np.stack([re, im], axis=1)                 # (b, 2, nlat, M)
        four = four.transpose(3, 2, 0, 1).reshape((M, self.nlat, 2 * b))
        half = self.nlat // 2
        north = four[:, :half]
        south = four[:, half:][:, ::-1]
        a_even = t["anal_even"] @ (north + south)         # (M, ne, 2b)
        a_odd = t["anal_odd"] @ (north - south)
        ne = a_even.shape[1]
        no = a_odd.shape[1]
        if ne == no:
            inter = np.stack([a_even, a_odd], axis=2).reshape((M, N, 2 * b))
        else:                                             # N odd: one even degree more
            pairs = np.stack([a_even[:, :no], a_odd], axis=2).reshape((M, 2 * no, 2 * b))
            inter = np.concatenate([pairs, a_even[:, no:]], axis=1)
        spec = inter.reshape((M, N, b, 2)).transpose(2, 3, 0, 1)
        return spec.reshape(lead + (2, M, N))

    # ----------------------------------------------------------- Fourier step
    def _fourier_synthesis(self, re, im):
        """Grid (b, nlat, nlon) from Fourier coefficients F_m (b, nlat, T+1)."""
        if not _is_emulated(re):
            # one contiguous complex array (faster irfft than re + 1j im of strided views)
            c = np.empty(re.shape, dtype=np.complex128)
            c.real = re
            c.imag = im
            return np.fft.irfft(c, n=self.nlon, axis=-1, norm="forward")
        t = self.tables
        if self.fourier == "dft":
            return re @ t["dft_synth_cos"] + im @ t["dft_synth_sin"]
        # irfft pads m = T+1 .. nlon/2 with zeros itself (one join, no zero-making)
        return np.fft.irfft(_complex_pair(re, im), n=self.nlon, axis=-1, norm="forward")

    def _fourier_analysis(self, grid):
        """Fourier coefficients (re, im), each (b, nlat, T+1), of a grid."""
        M = self.trunc + 1
        if not _is_emulated(grid):
            f = np.fft.rfft(grid, axis=-1, norm="forward")[..., :M]
            return np.ascontiguousarray(f.real), np.ascontiguousarray(f.imag)
        t = self.tables
        if self.fourier == "dft":
            return grid @ t["dft_anal_cos"], grid @ t["dft_anal_sin"]
        f = np.fft.rfft(grid, axis=-1, norm="forward")
        return f.real[..., :M], f.imag[..., :M]

    # ----------------------------------------------------------- operators
    def truncate(self, spec):
        """Zero the coefficients with l > T (SPEEDY's ``trunct``)."""
        return spec * self.tables["mask_scalar"]

    def laplacian(self, spec):
        """Unit-sphere Laplacian: a_lm -> -l(l+1) a_lm."""
        return spec * self.tables["laplacian"]

    def inverse_laplacian(self, spec):
        """Inverse of :meth:`laplacian`, with the l = 0 mode set to 0."""
        return spec * self.tables["inverse_laplacian"]

    def dlambda(self, spec):
        """d/dlambda: a_lm -> i m a_lm."""
        # (re, im) -> (-m im, m re): swap the parts, one multiply
        return spec[..., ::-1, :, :] * self.tables["m_signed"]

    def cos_dmu(self, spec):
        """(1 - mu^2) d/dmu = cos(lat) d/dlat of a field of degree <= T;
        the result has degrees up to T+1.  Coefficient at l:
        -(l-1) eps_l^m a_{l-1} + (l+2) eps_{l+1}^m a_{l+1}."""
        t = self.tables
        a = spec * t["mask_scalar"]
        return _shift_sum(a, t["cos_dmu_lower"], t["cos_dmu_upper"])

    def grid_gradient(self, spec):
        """Unit-sphere gradient (1/cos d/dlambda, d/dlat) of a scalar field
        on the grid: two grid arrays."""
        both = np.stack([self.dlambda(spec), self.cos_dmu(spec)], axis=0)
        g = self.synthesis(both)
        inv = self.tables["inv_coslat"][:, None]
        return g[0] * inv, g[1] * inv

    def uv_cos_spectral(self, vor, div=None):
        """Spectral coefficients (degrees up to T+1) of U = u cos(lat) and
        V = v cos(lat) from vorticity and divergence, on the unit sphere:
        U = d(chi)/dlambda - cos d(psi)/dlat, V = d(psi)/dlambda + cos d(chi)/dlat
        with psi = del^-2 vor, chi = del^-2 div (``div=None``: non-divergent)."""
        psi = self.inverse_laplacian(vor)
        U = -self.cos_dmu(psi)
        V = self.dlambda(psi)
        if div is not None:
            chi = self.inverse_laplacian(div)
            U = U + self.dlambda(chi)
            V = V + self.cos_dmu(chi)
        return U, V

    def uv_cos(self, vor, div=None):
        """U = u cos(lat) and V = v cos(lat) on the grid from spectral
        vorticity and divergence (unit sphere: with vor and div in s^-1,
        multiply by the radius for winds in m/s)."""
        U, V = self.uv_cos_spectral(vor, div)
        g = self.synthesis(np.stack([U, V], axis=0))
        return g[0], g[1]

    def curl_div(self, A, B):
        """Spectral curl and divergence (unit sphere, degrees <= T) of the
        grid vector field whose components times cos(lat) are A and B, i.e.
        of (A/cos, B/cos).  Via A* = A/cos^2, B* = B/cos^2:
        curl_lm = i m B*_lm + (l+1) eps_l A*_{l-1} - l eps_{l+1} A*_{l+1},
        div_lm = i m A*_lm - (l+1) eps_l B*_{l-1} + l eps_{l+1} B*_{l+1}."""
        t = self.tables
        inv = t["inv_coslat2"][:, None]
        ab = self.analysis(np.stack([A * inv, B * inv], axis=0))
        a_star, b_star = ab[0], ab[1]
        curl = self.dlambda(b_star) + self.adjoint_cos_dmu(a_star)
        div = self.dlambda(a_star) - self.adjoint_cos_dmu(b_star)
        return self.truncate(curl), self.truncate(div)

    def adjoint_cos_dmu(self, spec):
        """(l+1) eps_l a_{l-1} - l eps_{l+1} a_{l+1}: minus the adjoint of
        :meth:`cos_dmu` (integration by parts of the quadrature)."""
        t = self.tables
        return _shift_sum(spec, t["adjoint_lower"], t["adjoint_upper_neg"])

    def divergence(self, A, B):
        """Spectral divergence of (A/cos, B/cos) (see :meth:`curl_div`)."""
        t = self.tables
        inv = t["inv_coslat2"][:, None]
        ab = self.analysis(np.stack([A * inv, B * inv], axis=0))
        return self.truncate(self.dlambda(ab[0]) - self.adjoint_cos_dmu(ab[1]))


def _shift_sum(a, lower, upper):
    """``c[n] = a[n-1] lower[n] + a[n+1] upper[n]`` along the last (n) axis,
    the terms that fall outside 0..N-1 left out: two products on the
    overlapping parts, one sum of the interior and one join (no zero
    arrays).  Tables ``lower``, ``upper`` of shape (T+1, T+2)."""
    low = a[..., :-1] * lower[..., 1:]              # -> c[1:]
    up = a[..., 1:] * upper[..., :-1]               # -> c[:-1]
    return np.concatenate([up[..., :1], low[..., :-1] + up[..., 1:], low[..., -1:]], axis=-1)


def _scaled(x, factor, divide):
    """``x * factor`` (``divide``: ``x / factor``) with the double factor:
    plain numpy on plain arrays; on emulated arrays the product (quotient)
    of the values in double, rounded once to the compute format of the
    active policy (else ``x``'s home policy) with its rounding."""
    if not _is_emulated(x):
        return x / factor if divide else x * factor
    values = emulate.to_numpy(x)
    values = values / factor if divide else values * factor
    pol = emulate.current() or x.policy
    return pol.asarray(values)


def _complex_pair(re, im):
    """The complex input numpy.fft on emulated arrays takes, from real and
    imaginary parts (numprec.emulate's EmulatedComplex)."""
    try:
        from numprec.emulate.complex import EmulatedComplex
    except ImportError:                     # an older numprec without the rounded FFT
        raise TypeError("numpy.fft on emulated arrays is not available in this numprec; "
                        "use SpectralTransform(..., fourier='dft')") from None
    return EmulatedComplex(re, im)
