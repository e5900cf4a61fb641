"""A global mass fixer for the ln(p_s) form of the SPEEDY-style core.

The model carries ln(p_s/p0) as a spectral prognostic variable; in that form the
global mass, the area integral of p_s, is conserved only to truncation error
(about -4e-6 per day in the T21 Held-Suarez run, see docs/speedy.md).  The fixer
restores each member's global-mean surface pressure to a target after a step by
adding one constant to ln p_s everywhere (scaling p_s by one factor, as the
global mass fixer of CAM's Eulerian spectral core does; Neale et al. 2010,
NCAR/TN-486+STR),

    ln p_s  <-  ln p_s + c,     c = ln(target / <p_s>),

where <.> is the area mean over the sphere evaluated with the Gaussian
quadrature of the model's grid,

    <f> = (1 / 2 nlon) sum_j w_j sum_i f(lambda_i, mu_j)

(the weights w_j sum to 2; Hoskins & Simmons 1975, QJRMS 101, 637, section 3),
which is exact for the grid values.  Multiplying p_s by exp(c) multiplies every
grid value and hence the quadrature by exp(c), so after the fix <p_s> equals the
target up to the rounding of the fix itself.  A constant is the spherical
harmonic of degree 0: with the normalisation of
:mod:`numprec.cases.speedy.legendre` (int Pbar^2 dmu = 1, Pbar_0^0 = 1/sqrt(2))
the constant c is the coefficient c / Pbar_0^0 = sqrt(2) c at [re, m=0, n=0] of
the spectral layout, so only that coefficient changes.

Everything is written for small numbers: with x = p_s/p0 - 1 = expm1(lnps)
(|x| of a few 1e-2) and the target's excess e = target/p0 - 1,

    d = <expm1(lnps)>,    c = log1p((e - d) / (1 + d)),

the same c in exact arithmetic, but in a short format the sums hold the
deviations from p0 instead of 2 nlon values near 1 (whose rounding would be
a relative error of the format's precision times the sum length).

Target
------
The target is held in the component, per member, as the excess e (a float64
value): :meth:`MassFixer.of` records it from a state with the same quadrature
(in double), or it is given.  Because it is a value of the component and not
recomputed from the state at every (re)start, a run rebuilt from the same
double start state gets the same target bit for bit; a run continued from a
restart file of a later state needs the recorded target with it (the restart
file should store it).

Precision
---------
:meth:`MassFixer.under` converts the excess, the quadrature weights and sqrt(2)
once with ``policy.constant`` (give it the policy of the component
``"mass_fixer"``).  :meth:`MassFixer.fix` synthesises ln p_s with the model's
transform, which runs under the component ``"spectral_transform"`` like every
transform of the model, and does the rest (expm1, the quadrature, log1p and
the one addition) under the component ``"mass_fixer"`` of the active policy, so
on emulated arrays nothing runs silently in double; the mass is then held to
the precision of those formats (a policy can give ``mass_fixer`` a wider
format).  On plain arrays it is double throughout.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from numprec import emulate

#: Reference pressure of ln(p_s / p0), Pa (the model's p0).
P0 = 1.0e5

#: 1 / Pbar_0^0: the spectral coefficient of a constant 1.
_INVERSE_P00 = float(np.sqrt(2.0))


def _check_lnps(lnps, transform):
    shape = tuple(getattr(lnps, "shape", ()))
    want = tuple(transform.spectral_shape)
    if len(shape) < 3 or shape[-3:] != want:
        raise ValueError(f"lnps must be spectral coefficients of shape (..., {want[0]}, "
                         f"{want[1]}, {want[2]}) for T{transform.trunc}, got shape {shape}")
    return shape[:-3]


def _tables(transform, excess, policy) -> dict:
    """The fixer's constants for ``transform``'s grid, converted once with
    ``policy.constant`` (None: double): the quadrature weights w / (2 nlon),
    nlon ones, 1 / Pbar_0^0 and the excess (when set)."""
    tables = {"weights": np.asarray(transform.weights, dtype=np.float64) / (2.0 * transform.nlon),
              "ones": np.ones(transform.nlon),
              "inverse_p00": np.float64(_INVERSE_P00)}
    if excess is not None:
        tables["excess"] = np.array(excess, dtype=np.float64)
    if policy is not None:
        tables = {k: policy.constant(v) for k, v in tables.items()}
    tables["grid"] = (transform.trunc, transform.nlat, transform.nlon)
    return tables


def _quadrature_mean(grid, ones, weights):
    """(1 / 2 nlon) sum_j w_j sum_i grid[..., j, i] with ``weights`` = w / (2 nlon)
    and ``ones`` = nlon ones: the sum over longitude, then the weighted sum over
    latitude, as two matrix-vector products (under a policy: products by 1 are
    exact, so the first is the rounded sum over longitude in the policy's
    summation order; the second rounds each product and partial sum)."""
    return (grid @ ones) @ weights


def mean_surface_pressure_excess(lnps, transform):
    """Global mean of p_s / p0 - 1 (= expm1(lnps)) per member, in double.

    Parameters
    ----------
    lnps : array_like or EmulatedArray, shape (..., 2, T+1, T+2)
        Spectral ln(p_s / p0); leading dimensions are members.
    transform : SpectralTransform
        The model's transform (its grid and Gaussian weights; the synthesis
        is done with double tables).

    Returns
    -------
    ndarray, shape (...)
        ``(1 / 2 nlon) sum_j w_j sum_i expm1(lnps)(lambda_i, mu_j)``, the
        Gaussian quadrature of the grid (Hoskins & Simmons 1975), computed in
        double; the global-mean p_s is p0 (1 + this).
    """
    _check_lnps(lnps, transform)
    st = transform.under(None)
    g = st.synthesis(emulate.to_numpy(lnps))
    w = np.asarray(st.weights, dtype=np.float64) / (2.0 * st.nlon)
    return np.asarray(_quadrature_mean(np.expm1(g), np.ones(st.nlon), w), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class MassFixer:
    """Hold each member's global-mean surface pressure at a target.

    Parameters
    ----------
    excess : array_like, optional
        The target as the global mean of p_s / p0 - 1 per member (p0 = 1e5
        Pa, the model's ln p_s reference; 0 is a mean of 1000 hPa, -0.01 of
        990 hPa), shape = the leading (member) dimensions of the ln p_s
        arrays it fixes, or a scalar for all members.  Finite and > -1.
        None: not set yet (:meth:`recorded` sets it from a state; :meth:`fix`
        refuses to run without it).
    tables : dict, optional
        The constants (excess, quadrature weights, ones, 1 / Pbar_0^0) for
        one grid, in double or converted by
        :meth:`under`; built by :meth:`under` (``under(transform, None)``:
        double).

    Notes
    -----
    The fix adds c = ln(target / <p_s>) to ln p_s, i.e. sqrt(2) c to the real
    (m = 0, l = 0) coefficient (Pbar_0^0 = 1/sqrt(2)); every other coefficient
    is returned bit for bit.  See the module notes for the quadrature, the
    small-number form and the precision.  :attr:`target_pa` is the target in
    Pa.
    """

    excess: object = None
    tables: dict = field(default=None, repr=False)

    def __post_init__(self):
        if self.excess is None:
            return
        try:
            e = np.array(emulate.to_numpy(self.excess), dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"excess must be real numbers (global mean of p_s / p0 - 1 per "
                             f"member), got {self.excess!r}") from None
        if not np.all(np.isfinite(e)) or not np.all(e > -1.0):
            raise ValueError(f"excess must be finite and > -1 (global mean of p_s / p0 - 1 "
                             f"per member), got {e!r}")
        e.setflags(write=False)
        object.__setattr__(self, "excess", e)

    @classmethod
    def of(cls, lnps, transform) -> "MassFixer":
        """The fixer whose target is the mass of ``lnps`` (per member), with
        its double tables for ``transform`` (see :meth:`recorded`)."""
        return cls().recorded(lnps, transform)

    @classmethod
    def at_pressure(cls, pa) -> "MassFixer":
        """The fixer for a target global-mean p_s of ``pa`` Pa (scalar or per
        member): excess = pa / p0 - 1, in double."""
        return cls(np.asarray(pa, dtype=np.float64) / P0 - 1.0)

    def recorded(self, lnps, transform) -> "MassFixer":
        """This fixer with the target set to the mass of ``lnps`` (per
        member), computed in double by :func:`mean_surface_pressure_excess`,
        and its tables for ``transform`` rebuilt in double (call
        :meth:`under` afterwards for a policy)."""
        return replace(self, excess=mean_surface_pressure_excess(lnps, transform),
                       tables=None).under(transform, None)

    @property
    def target_pa(self):
        """The target global-mean surface pressure in Pa, p0 (1 + excess), or None."""
        return None if self.excess is None else P0 * (1.0 + self.excess)

    def under(self, transform, policy) -> "MassFixer":
        """The fixer with its constants for ``transform``'s grid converted once
        with ``policy.constant`` (round to nearest in the policy's compute
        format; pass the policy of the component ``"mass_fixer"``);
        ``policy=None``: double."""
        return replace(self, tables=_tables(transform, self.excess, policy))

    def fix(self, lnps, transform):
        """``lnps`` with each member's global-mean p_s at the target.

        Parameters
        ----------
        lnps : ndarray or EmulatedArray, shape (..., 2, T+1, T+2)
            Spectral ln(p_s / p0) of one time level; leading dimensions are
            members (their shape must be the excess's, or the excess a
            scalar).
        transform : SpectralTransform
            The model's transform (for the synthesis of ln p_s, which runs
            under its own component ``"spectral_transform"``); its grid must
            be the one the fixer was built for (:meth:`under`).  Without
            :meth:`under` (``tables`` None) double tables are built for this
            call.

        Returns
        -------
        same type as ``lnps``
            A copy with the real (0, 0) coefficient increased by sqrt(2) c,
            c = log1p((e - d) / (1 + d)), d = <expm1(lnps)>, e the excess; all
            other coefficients are unchanged.  The arithmetic after the
            synthesis runs under the ``"mass_fixer"`` component of the active
            policy (or of ``lnps``'s home policy).
        """
        lead = _check_lnps(lnps, transform)
        if self.excess is None:
            raise ValueError("this MassFixer has no target yet: record one from the start "
                             "state with fixer.recorded(lnps, transform) or give excess=")
        tables = self.tables
        grid = (transform.trunc, transform.nlat, transform.nlon)
        if tables is None:
            tables = _tables(transform, self.excess, None)
        elif tables["grid"] != grid:
            raise ValueError(f"this fixer was built for the grid (T, nlat, nlon) = "
                             f"{tables['grid']}, the transform is {grid}")
        if self.excess.shape not in ((), lead):
            raise ValueError(f"excess has shape {self.excess.shape} but lnps has members of "
                             f"shape {lead} (leading dimensions of lnps); give one target per "
                             "member or a scalar")
        with emulate.component("mass_fixer", like=lnps):
            x = np.expm1(transform.synthesis(lnps))                 # p_s / p0 - 1 on the grid
            d = _quadrature_mean(x, tables["ones"], tables["weights"])
            c = np.log1p((tables["excess"] - d) / (d + 1.0))
            out = lnps.copy()
            out[..., 0, 0, 0] = lnps[..., 0, 0, 0] + c * tables["inverse_p00"]
        return out
