"""Tests of the soil-column heat diffusion model (Dawson et al. 2018; Paxton et al. 2022 §4).

Oracles: the erfc solution of the semi-infinite column, the Fourier-series
solution of the finite insulated column (both written out here, independently
of the model), second-order convergence, and the stagnation of round-to-nearest
single precision that Paxton et al. describe (float32 numpy arithmetic is
correctly rounded binary32, so it needs no emulation).
"""

import dataclasses
import math

import numpy as np
import pytest
from numpy.lib.mixins import NDArrayOperatorsMixin
from scipy.special import erfc

from numprec.cases.heat import CASE, SECONDS_PER_YEAR, HeatParameters, HeatState, build, simulate
from numprec.cases.heat.diagnostics import analytic_finite, analytic_semi_infinite

D, T_I, T_S, L = 7e-7, 273.15, 280.0, 60.0


def erfc_solution(z, t):
    """Semi-infinite column, surface step T_I -> T_S at t = 0 (Carslaw & Jaeger §2.4)."""
    return T_I + (T_S - T_I) * erfc(z / (2 * math.sqrt(D * t)))


def finite_column_solution(z, t, nterms=400):
    """Column of depth L, T(0) = T_S, insulated bottom (separation of variables)."""
    n = np.arange(nterms)
    lam = (2 * n + 1) * np.pi / (2 * L)
    terms = 4 / ((2 * n + 1) * np.pi) * np.sin(np.outer(z, lam)) * np.exp(-D * lam**2 * t)
    return T_S - (T_S - T_I) * terms.sum(axis=1)


def final_and_times(**params):
    """Double run of one column: T (time, depth) and time [s]."""
    ds = simulate(params)
    return ds["T"].values[0], ds["time"].values * 86400.0


def depths(p):
    return p.dz * np.arange(1, p.nz + 1)


def prepared(model, state, convert):
    """The model with its constants converted by ``convert`` (as Model.prepare)."""
    return dataclasses.replace(model, boundaries=model.boundaries.with_constants(convert, state))


class Wrapped(NDArrayOperatorsMixin):
    """A minimal foreign array type supporting ufuncs, indexing and concatenate."""

    def __init__(self, data):
        self.data = np.asarray(data, dtype=np.float64)

    shape = property(lambda self: self.data.shape)

    def __getitem__(self, key):
        return Wrapped(self.data[key])

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs:
            return NotImplemented
        return Wrapped(ufunc(*(x.data if isinstance(x, Wrapped) else x for x in inputs)))

    def __array_function__(self, func, types, args, kwargs):
        if func is not np.concatenate:
            raise TypeError(f"the model called unsupported function {func.__name__}")
        arrays = [x.data if isinstance(x, Wrapped) else x for x in args[0]]
        return Wrapped(np.concatenate(arrays, *args[1:], **kwargs))


def test_defaults_follow_paxton():
    p = HeatParameters()
    assert p.nz == 60 and depths(p)[0] == 1.0 and depths(p)[-1] == 60.0
    assert p.K == pytest.approx(7e-7 * 1800 / 1.0)
    assert SECONDS_PER_YEAR / p.dt == 17520
    assert CASE.components == ("boundaries", "diffusion", "time_stepping")


@pytest.mark.parametrize("kwargs, name", [
    (dict(dt=1e6), "dt"), (dict(depth=60.5), "depth"), (dict(diffusivity=-1.0), "diffusivity"),
    (dict(T_surface=float("nan")), "T_surface"), (dict(years=-1.0), "years"),
])
def test_bad_parameters_are_rejected_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        HeatParameters(**kwargs)
    with pytest.raises(ValueError, match=name):
        CASE.build(**kwargs)


def test_unprepared_boundaries_are_an_error():
    with pytest.raises(ValueError, match="not set up"):
        build(HeatParameters()).step(HeatState(np.zeros((3, 60))))


def test_uniform_column_at_surface_temperature_stays_exactly_uniform():
    # no spurious flux through the insulated bottom or the Dirichlet top
    ds = simulate({"T_initial": 280.0, "years": 0.1}, members=2)
    np.testing.assert_array_equal(ds["T"].values, 280.0)


def test_first_year_matches_erfc_within_second_order_discretisation_error():
    # After a year the diffusion length 2 sqrt(D t) = 9.4 m is far above the bottom
    # (erfc(60/9.4) ~ 1e-19), so the semi-infinite solution applies. The scheme's
    # leading error (Δz²/12 - DΔt/2) D ∂⁴T/∂z⁴ gives errors of order
    # Δz²/12 max|∂²T/∂z²| = 0.006 K; measured 0.0042 K. Halving Δz must divide it by 4.
    errors = []
    for dz in (1.0, 0.5):
        T, time = final_and_times(dz=dz, years=1.0)
        assert time[-1] == SECONDS_PER_YEAR
        errors.append(np.abs(T[-1] - erfc_solution(depths(HeatParameters(dz=dz)),
                                                    SECONDS_PER_YEAR)).max())
    assert errors[0] < 0.01
    assert 3.5 < errors[0] / errors[1] < 4.5


def test_sixty_years_double_warms_the_deep_column_as_the_finite_column_solution():
    # measured in double: T(40 m) = 276.953 K after 60 years, 0.8 K above the
    # semi-infinite erfc value (heat reflected by the insulated bottom); max error
    # 2e-5 K against the Fourier solution (discrete decay rates differ by (λΔz)²/12)
    T, time = final_and_times(years=60.0, output_every=10.0)
    z = depths(HeatParameters())
    assert len(time) == 7 and time[-1] == 60 * SECONDS_PER_YEAR
    final = T[-1]
    assert np.abs(final - finite_column_solution(z, 60 * SECONDS_PER_YEAR)).max() < 1e-3
    assert final[39] > 276.5
    assert final[39] > erfc_solution(40.0, 60 * SECONDS_PER_YEAR) + 0.5


@pytest.mark.slow
def test_single_precision_round_to_nearest_stagnates_below_35_m():
    # Paxton et al. (2022) §4: with RN at 23 significand bits the small increments
    # vanish against T ~ 273 K (half an ulp is 1.5e-5 K); the deep column never
    # warms and the error reaches ~4.3 K.  float32 numpy arithmetic is correctly
    # rounded binary32: the oracle needs no emulation.
    p = HeatParameters()
    state = HeatState(np.full((1, p.nz), T_I, dtype=np.float32))
    m32 = prepared(build(p), state, lambda a: a.astype(np.float32))
    for _ in range(p.steps):
        state = m32.step(state)
    final32 = state.T[0]
    assert final32.dtype == np.float32
    z = depths(p)
    assert np.all(final32[z >= 35.0] == np.float32(T_I))
    error = np.abs(final32 - finite_column_solution(z, 60 * SECONDS_PER_YEAR))
    assert 3.5 < error.max() < 5.0


def test_kahan_compensated_run_agrees_with_plain_in_double():
    a, _ = final_and_times(years=2.0)
    b, _ = final_and_times(years=2.0, compensated=True)
    assert np.abs(a - b).max() < 1e-9


def test_columns_are_independent_and_foreign_arrays_are_preserved():
    p = HeatParameters(years=0.2)
    T0 = np.full((3, p.nz), T_I)
    T0[1] += np.linspace(0.0, 1.0, p.nz)
    from numprec.cases.driver import integrate
    model = build(p)
    single = integrate(model, HeatState(T0[1:2]), steps=p.steps).samples["T"]
    batch = integrate(model, HeatState(T0), steps=p.steps).samples["T"]
    np.testing.assert_array_equal(batch[:, 1:2], single)
    state = HeatState(Wrapped(T0))
    mm = prepared(model, state, Wrapped)
    for _ in range(10):
        state = mm.step(state)
    assert type(state.T) is Wrapped and state.compensation is None
    comp = build(HeatParameters(compensated=True))
    state = HeatState(Wrapped(T0))
    state = prepared(comp, state, Wrapped).step(state)
    assert type(state.T) is Wrapped and type(state.compensation) is Wrapped


def test_analytic_helpers_agree_with_the_independent_formulas():
    p = HeatParameters()
    z = depths(p)
    t = 5 * SECONDS_PER_YEAR
    np.testing.assert_allclose(analytic_semi_infinite(p, z, t), erfc_solution(z, t), rtol=1e-14)
    np.testing.assert_allclose(analytic_finite(p, z, t), finite_column_solution(z, t),
                               rtol=1e-12)
