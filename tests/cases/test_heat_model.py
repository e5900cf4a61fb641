"""Tests of the soil-column heat diffusion model (Dawson et al. 2018; Paxton et al. 2022 §4).

Oracles: the erfc solution of the semi-infinite column, the Fourier-series
solution of the finite insulated column (both written out here, independently
of the model), second-order convergence, and the stagnation of round-to-nearest
single precision that Paxton et al. describe (float32 numpy arithmetic is
correctly rounded binary32, so it needs no emulation).
"""

import math

import numpy as np
import pytest
from numpy.lib.mixins import NDArrayOperatorsMixin
from scipy.special import erfc

from numprec.cases.heat_model import SECONDS_PER_YEAR, HeatModel, HeatParams, HeatState

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
    m = HeatModel()
    assert m.nz == 60 and m.z[0] == 1.0 and m.z[-1] == 60.0
    assert m.K == pytest.approx(7e-7 * 1800 / 1.0)
    assert m.steps_per_year == 17520


@pytest.mark.parametrize("kwargs, name", [
    (dict(dt=1e6), "dt"), (dict(depth=60.5), "depth"), (dict(diffusivity=-1.0), "diffusivity"),
    (dict(T_surface=float("nan")), "T_surface"),
])
def test_bad_parameters_are_rejected_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        HeatParams(**kwargs)


def test_wrong_state_shape_is_rejected():
    with pytest.raises(ValueError, match=r"T must have shape \(\.\.\., 60\)"):
        HeatModel().to_internal(np.zeros((3, 59)))


def test_uniform_column_at_surface_temperature_stays_exactly_uniform():
    # no spurious flux through the insulated bottom or the Dirichlet top
    m = HeatModel(T_initial=280.0)
    out = m.run(m.initial_state(batch=(2,)), years=0.1)
    np.testing.assert_array_equal(out.T, 280.0)


def test_first_year_matches_erfc_within_second_order_discretisation_error():
    # After a year the diffusion length 2 sqrt(D t) = 9.4 m is far above the bottom
    # (erfc(60/9.4) ~ 1e-19), so the semi-infinite solution applies. The scheme's
    # leading error (Δz²/12 - DΔt/2) D ∂⁴T/∂z⁴ gives errors of order
    # Δz²/12 max|∂²T/∂z²| = 0.006 K; measured 0.0042 K. Halving Δz must divide it by 4.
    errors = []
    for dz in (1.0, 0.5):
        m = HeatModel(dz=dz)
        out = m.run(m.initial_state(), years=1.0)
        assert out.time[-1] == SECONDS_PER_YEAR
        errors.append(np.abs(out.T[-1] - erfc_solution(m.z, SECONDS_PER_YEAR)).max())
    assert errors[0] < 0.01
    assert 3.5 < errors[0] / errors[1] < 4.5


def test_sixty_years_double_warms_the_deep_column_as_the_finite_column_solution():
    # measured in double: T(40 m) = 276.953 K after 60 years, 0.8 K above the
    # semi-infinite erfc value (heat reflected by the insulated bottom); max error
    # 2e-5 K against the Fourier solution (discrete decay rates differ by (λΔz)²/12)
    m = HeatModel()
    out = m.run(m.initial_state(), years=60.0, output_every=10.0)
    assert len(out.time) == 7 and out.time[-1] == 60 * SECONDS_PER_YEAR
    final = out.T[-1]
    assert np.abs(final - finite_column_solution(m.z, 60 * SECONDS_PER_YEAR)).max() < 1e-3
    assert final[39] > 276.5
    assert final[39] > erfc_solution(40.0, 60 * SECONDS_PER_YEAR) + 0.5


def test_single_precision_round_to_nearest_stagnates_below_35_m():
    # Paxton et al. (2022) §4: with RN at 23 significand bits the small increments
    # vanish against T ~ 273 K (half an ulp is 1.5e-5 K); the deep column never
    # warms and the error reaches ~4.3 K.
    m = HeatModel()
    m32 = m.map_constants(lambda a: a.astype(np.float32))
    out32 = m32.run(np.full(m.nz, T_I, dtype=np.float32), years=60.0, output_every=60.0)
    final32 = out32.T[-1]
    assert np.all(final32[m.z >= 35.0] == np.float32(T_I))
    error = np.abs(final32 - finite_column_solution(m.z, 60 * SECONDS_PER_YEAR))
    assert 3.5 < error.max() < 5.0


def test_kahan_compensated_run_agrees_with_plain_in_double():
    plain, comp = HeatModel(), HeatModel(compensated=True)
    a = plain.run(plain.initial_state(), years=2.0)
    b = comp.run(comp.initial_state(), years=2.0)
    assert np.abs(a.T - b.T).max() < 1e-9


def test_columns_are_independent_and_foreign_arrays_are_preserved():
    m = HeatModel()
    T0 = np.full((3, m.nz), T_I)
    T0[1] += np.linspace(0.0, 1.0, m.nz)
    single = m.run(T0[1], years=0.2).T
    batch = m.run(T0, years=0.2).T
    np.testing.assert_array_equal(batch[:, 1], single)
    for mm in (m, m.map_constants(Wrapped)):
        state = mm.to_internal(Wrapped(T0))
        for _ in range(10):
            state = mm.step(state)
        assert type(state.T) is Wrapped and state.c is None
    comp = HeatModel(compensated=True)
    state = comp.step(comp.to_internal(Wrapped(T0)))
    assert type(state.T) is Wrapped and type(state.c) is Wrapped


def test_analytic_helpers_agree_with_the_independent_formulas():
    m = HeatModel()
    t = 5 * SECONDS_PER_YEAR
    np.testing.assert_allclose(m.analytic_semi_infinite(m.z, t), erfc_solution(m.z, t), rtol=1e-14)
    np.testing.assert_allclose(m.analytic_finite(m.z, t), finite_column_solution(m.z, t), rtol=1e-12)
    assert isinstance(m.initial_state(), HeatState)
